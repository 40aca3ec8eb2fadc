"""TF1's tutorial MNIST loader (TFM086): exact rewrites, findings, and the rewrites run on TensorFlow 2.

The rewrites download nothing here: the child process that runs them replaces
``keras.datasets.mnist.load_data`` with 7,000 random images in MNIST's shapes
and dtypes (6,000 for training, 1,000 for test), so the figures below are
those of that data: 1,000 training images once 5,000 are held out.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status

MESSAGE = ("`tensorflow.examples.tutorials.mnist` is not part of TensorFlow 2: load MNIST with "
           "`tf.keras.datasets.mnist.load_data()` and batch it with tf.data")

COUNTS = '''\
"""Counts digits."""
from tensorflow.examples.tutorials.mnist import input_data
import numpy as np
import tensorflow as tf

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
batch_size = 50
print(mnist.train.num_examples, mnist.validation.num_examples, mnist.test.num_examples)
for step in range(3):
    images, labels = mnist.train.next_batch(batch_size)
    print(step, images.shape, labels.shape)
print(mnist.test.images.shape, mnist.test.labels.dtype, mnist.train.images.max() <= 1.0)
'''

COUNTS_FIXED = '''\
"""Counts digits."""
import numpy as np
import tensorflow as tf

# MNIST as TF1's read_data_sets gave it: flat images scaled to [0, 1], 5,000 held out for validation
(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255
y_train = tf.keras.utils.to_categorical(y_train, 10)
x_test = x_test.reshape(-1, 784).astype("float32") / 255
y_test = tf.keras.utils.to_categorical(y_test, 10)
x_validation, y_validation = x_train[:5000], y_train[:5000]
x_train, y_train = x_train[5000:], y_train[5000:]
batch_size = 50
print(len(x_train), len(x_validation), len(x_test))
train_batches = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
                 .shuffle(len(x_train)).repeat().batch(batch_size).as_numpy_iterator())
for step in range(3):
    images, labels = next(train_batches)
    print(step, images.shape, labels.shape)
print(x_test.shape, y_test.dtype, x_train.max() <= 1.0)
'''

# A TF1 tutorial as they were written: the data loaded before tensorflow is imported.
GRAPH = '''\
from __future__ import print_function

# Import MNIST data
from tensorflow.examples.tutorials.mnist import input_data
mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

import tensorflow as tf

tf.set_random_seed(1)
batch_size = 100
x = tf.placeholder(tf.float32, [None, 784])
y = tf.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
logits = tf.matmul(x, W)
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=logits, labels=y))
train = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    # Training cycle
    for epoch in range(2):
        total_batch = int(mnist.train.num_examples / batch_size)
        for i in range(total_batch):
            batch_x, batch_y = mnist.train.next_batch(batch_size)
            _, c = sess.run([train, cost], feed_dict={x: batch_x, y: batch_y})
        print("epoch", epoch, "batches", total_batch, "cost finite", bool(c == c))
    print("accuracy in [0, 1]", 0 <= sess.run(accuracy, feed_dict={x: mnist.test.images, y: mnist.test.labels}) <= 1)
'''

# next_batch lets a batch run across two epochs and reshuffles each one, as TF1's did.
EPOCHS = '''\
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data


def main():
    data = input_data.read_data_sets("MNIST_data", one_hot=False, reshape=False, validation_size=0)
    tf.set_random_seed(3)
    seen = np.concatenate([data.train.next_batch(480)[0] for _ in range(25)])
    rows = seen.reshape(len(seen), -1)
    epochs = [rows[start:start + 6000] for start in range(0, 12000, 6000)]
    print(data.train.num_examples, seen.shape, seen.dtype, data.train.labels.dtype)
    print("each epoch sees every image once", all(len(np.unique(e, axis=0)) == 6000 for e in epochs))
    print("shuffled", not np.array_equal(rows[:6000], data.train.images.reshape(6000, -1)))


main()
'''

# The batch sizes of a program with flags parsed by argparse, and of one known only in the session block.
NESTED = '''\
import argparse
from tensorflow.examples.tutorials.mnist import input_data
import tensorflow as tf

parser = argparse.ArgumentParser()
parser.add_argument("--batch_size", type=int, default=100)
args = parser.parse_args([])
mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)
x = tf.placeholder(tf.float32, [None, 784])
total = tf.reduce_sum(x)

with tf.Session() as sess:
    for i in range(2):
        batch_x, _ = mnist.train.next_batch(args.batch_size)
        print("train batch", batch_x.shape, sess.run(total, feed_dict={x: batch_x}) > 0)
    # Test images
    n = 4
    for i in range(2):
        images, labels = mnist.test.next_batch(n)
        print("test batch", images.shape, labels.shape)
'''

FAKE_MNIST = '''\
import numpy as np
import keras


def load_data(path="mnist.npz"):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (7000, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, 7000, dtype=np.uint8)
    return (x[:6000], y[:6000]), (x[6000:], y[6000:])


keras.datasets.mnist.load_data = load_data
'''


# Kept on tensorflow.compat.v1 (tf.get_default_graph), and a file on it already: no tf.data iterators there
NESTED_COMPAT = NESTED.replace("total = tf.reduce_sum(x)\n",
                               "total = tf.reduce_sum(x)\ngraph = tf.get_default_graph()\n")
GRAPH_COMPAT = GRAPH.replace("accuracy = tf.reduce_mean", "graph = tf.get_default_graph()\naccuracy = tf.reduce_mean")
EPOCHS_COMPAT = EPOCHS.replace("import tensorflow as tf\n", "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")
NUMPY_BATCHES = """\


def mnist_batches(x, y, size, shuffle=True):
    \"\"\"TF1's `next_batch`: the examples in a new NumPy order each epoch; a batch may span two.\"\"\"
    if not len(x):
        raise ValueError("no examples to batch")
    order, start = np.arange(0), 0
    while True:
        parts, needed = [], size
        while needed:
            if start == len(order):
                order, start = np.random.permutation(len(x)) if shuffle else np.arange(len(x)), 0
            parts.append(order[start:start + needed])
            start, needed = start + len(parts[-1]), needed - len(parts[-1])
        taken = np.concatenate(parts)
        yield x[taken], y[taken]


"""


def fix(source: str):
    return process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))


def findings(source: str):
    return [(f.code, f.start.line, f.message) for f in process_text(source, "case.py", Options()).findings]


def test_loader_and_its_uses_become_keras_arrays_and_a_batch_pipeline():
    outcome = fix(COUNTS)
    assert outcome.new_text == COUNTS_FIXED
    assert outcome.status == Status.IDIOMATIC
    assert findings(COUNTS) == [("TFM086", 6, MESSAGE)]


def test_in_a_graph_program_the_loader_follows_the_eager_rewrite_and_check_predicts_it():
    assert findings(GRAPH)[0] == ("TFM086", 5, MESSAGE)
    assert not [f for f in findings(GRAPH) if f[0] == "TFM107"]
    assert process_text(GRAPH, "case.py", Options()).status == Status.IDIOMATIC
    outcome = fix(GRAPH)
    assert outcome.status == Status.IDIOMATIC
    text = outcome.new_text
    assert text.startswith('from __future__ import print_function\n\nimport tensorflow as tf\n\n# Import MNIST data\n'
                           "# MNIST as TF1's read_data_sets gave it:")
    assert ("# Training cycle\n"
            "train_batches = (tf.data.Dataset.from_tensor_slices((x_train, y_train))\n"
            "                 .shuffle(len(x_train)).repeat().batch(batch_size).as_numpy_iterator())\n"
            "for epoch in range(2):\n"
            "    total_batch = int(len(x_train) / batch_size)\n"
            "    for i in range(total_batch):\n"
            "        batch_x, batch_y = next(train_batches)\n") in text
    assert "input_data" not in text and " mnist." not in text and "Session" not in text


def test_a_loader_in_a_function_with_options_keeps_their_shapes_and_dtypes():
    text = fix(EPOCHS).new_text
    assert text.splitlines()[4:11] == [
        "def main():",
        "    # MNIST as TF1's read_data_sets gave it: 28x28x1 images scaled to [0, 1]",
        "    (x_train, y_train), _ = tf.keras.datasets.mnist.load_data()",
        '    x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255',
        "    tf.random.set_seed(3)",
        "    train_batches = (tf.data.Dataset.from_tensor_slices((x_train, y_train))",
        "                         .shuffle(len(x_train)).repeat().batch(480).as_numpy_iterator())",
    ]


def test_in_code_kept_on_compat_v1_the_batches_come_from_numpy_as_tf1s_did():
    assert process_text(GRAPH_COMPAT, "case.py", Options()).status == Status.COMPAT
    assert [f[:2] for f in findings(GRAPH_COMPAT) if f[0] in ("TFM086", "TFM107")] == [("TFM086", 5)]
    outcome = fix(GRAPH_COMPAT)
    assert outcome.status == Status.COMPAT
    text = outcome.new_text
    assert text.startswith("from __future__ import print_function\n\nimport tensorflow.compat.v1 as tf\n"
                           "import numpy as np\n\n# Import MNIST data\n")
    assert 'x_train, y_train = x_train[5000:], y_train[5000:]\n' + NUMPY_BATCHES + "tf.disable_v2_behavior()\n" in text
    assert ("train_batches = mnist_batches(x_train, y_train, batch_size)\nwith tf.Session() as sess:\n" in text
            and "            batch_x, batch_y = next(train_batches)\n" in text)
    assert "input_data" not in text and " mnist." not in text and "tf.data" not in text
    # in a function of a file that imports tensorflow.compat.v1 itself (and numpy): the function before it
    text = fix(EPOCHS_COMPAT).new_text
    assert text.startswith("import numpy as np\nimport tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n"
                           + NUMPY_BATCHES + "def main():\n")
    assert "    train_batches = mnist_batches(x_train, y_train, 480)\n" in text
    # the loader imported inside the function that loads: the import goes with it
    local = EPOCHS_COMPAT.replace("from tensorflow.examples.tutorials.mnist import input_data\n", "").replace(
        "def main():\n", "def main():\n    import tensorflow.examples.tutorials.mnist.input_data as input_data\n")
    assert fix(local).new_text == text


def test_a_batch_size_known_in_the_session_block_or_from_parsed_arguments_starts_its_batches_there():
    outcome = fix(NESTED)
    assert outcome.status == Status.IDIOMATIC
    assert outcome.new_text.endswith(
        "train_batches = (tf.data.Dataset.from_tensor_slices((x_train, y_train))\n"
        "                 .shuffle(len(x_train)).repeat().batch(args.batch_size).as_numpy_iterator())\n"
        "for i in range(2):\n"
        "    batch_x, _ = next(train_batches)\n"
        '    print("train batch", batch_x.shape, total(batch_x).numpy() > 0)\n'
        "# Test images\n"
        "n = 4\n"
        "test_batches = (tf.data.Dataset.from_tensor_slices((x_test, y_test))\n"
        "                .shuffle(len(x_test)).repeat().batch(n).as_numpy_iterator())\n"
        "for i in range(2):\n"
        "    images, labels = next(test_batches)\n"
        '    print("test batch", images.shape, labels.shape)\n')
    # kept on tensorflow.compat.v1, the session block stays: the test batches start inside it
    outcome = fix(NESTED_COMPAT)
    assert outcome.status == Status.COMPAT
    assert outcome.new_text.endswith(
        "train_batches = mnist_batches(x_train, y_train, args.batch_size)\n"
        "with tf.Session() as sess:\n"
        "    for i in range(2):\n"
        "        batch_x, _ = next(train_batches)\n"
        '        print("train batch", batch_x.shape, sess.run(total, feed_dict={x: batch_x}) > 0)\n'
        "    # Test images\n"
        "    n = 4\n"
        "    test_batches = mnist_batches(x_test, y_test, n)\n"
        "    for i in range(2):\n"
        "        images, labels = next(test_batches)\n"
        '        print("test batch", images.shape, labels.shape)\n')
    # a flag's value is read once main() has parsed the flags: not at module level
    # (check: TF1's loader, written into the file, would batch as it did; the fix parses the flags first, after
    # which the batch size is known: the batches start there)
    flags = NESTED.replace("args = parser.parse_args([])", "args = tf.app.flags.FLAGS")
    assert ("TFM086", 8, SHIM_MESSAGE) in findings(flags)
    assert "TFM107" not in [code for code, _, _ in findings(flags)]
    assert "train_batches = (tf.data" in fix(flags).new_text and fix(flags).status == Status.IDIOMATIC
    # ... unless the program reads the flags at module level itself before
    read = flags.replace("x = tf.placeholder", "print(args.batch_size)\nx = tf.placeholder")
    assert "TFM086" in [code for code, _, _ in findings(read)]
    assert "train_batches = (tf.data" in fix(read).new_text
    # a batch size bound in a loop: batches started there would start again at every iteration
    looped = NESTED.replace("    n = 4\n    for i in range(2):\n", "    for n in (4,):\n")
    assert "train_batches = (tf.data" not in fix(looped).new_text and "read_data_sets(" in fix(looped).new_text


@pytest.mark.parametrize("call, reason", [
    ('input_data.read_data_sets("d", seed=1)', "read_data_sets with seed=1"),
    ('input_data.read_data_sets("d", fake_data=True)', "read_data_sets(fake_data=True) has no counterpart"),
])
def test_what_the_rewrite_does_not_know_stays_a_tfm107_finding(call, reason):
    source = f"import tensorflow as tf\nfrom tensorflow.examples.tutorials.mnist import input_data\nmnist = {call}\n"
    found = findings(source)
    assert [code for code, _, _ in found] == ["TFM107", "TFM107"]
    assert all(message.endswith(f" (TFM086 does not rewrite the loading: {reason})") for _, _, message in found)
    assert fix(source).new_text == source and fix(source).status == Status.MANUAL


SHIM_MESSAGE = ("`tensorflow.examples.tutorials.mnist` is not part of TensorFlow 2: the fix writes its "
                "`read_data_sets` into the file, loading `tf.keras.datasets.mnist`")


def test_other_uses_of_the_data_sets_get_tf1s_loader_written_into_the_file():
    for tail in ("train(mnist)\n", "print(mnist.train.epochs_completed)\n",
                 "a = mnist.train.next_batch(10)\nb = mnist.train.next_batch(20)\n"):
        source = ("import tensorflow as tf\nfrom tensorflow.examples.tutorials.mnist import input_data\n"
                  "mnist = input_data.read_data_sets('d')\n" + tail)
        assert findings(source) == [("TFM086", 3, SHIM_MESSAGE)]
        outcome = fix(source)
        assert outcome.status == Status.IDIOMATIC
        text = outcome.new_text
        assert text.startswith("import tensorflow as tf\nimport numpy as np\n\n\nclass MnistSplit:\n")
        assert text.endswith("\n\n\nmnist = read_data_sets('d')\n" + tail)
        assert "(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()" in text


def test_a_data_module_returning_the_data_sets_keeps_its_arguments_and_names():
    # pkmital's libs/datasets.py: `one_hot` passed through, the object returned to the callers
    source = textwrap.dedent("""\
        \"\"\"Loading datasets.\"\"\"
        import tensorflow.examples.tutorials.mnist.input_data as input_data
        from .dataset_utils import *


        def MNIST(one_hot=True):
            return input_data.read_data_sets('MNIST_data/', one_hot=one_hot)
    """)
    text = fix(source).new_text
    assert text.startswith('"""Loading datasets."""\nfrom .dataset_utils import *\nimport tensorflow as tf\n'
                           "import numpy as np\n\n\nclass MnistSplit:\n")
    assert text.endswith("\n\n\ndef MNIST(one_hot=True):\n    return read_data_sets('MNIST_data/', one_hot=one_hot)\n")
    # `np` read from the `*` import (CADL's copies of the module): numpy comes in under its own name
    star = source.replace("return input_data.read_data_sets('MNIST_data/', one_hot=one_hot)",
                          "ds = input_data.read_data_sets('MNIST_data/', one_hot=one_hot)\n"
                          "    return np.r_[ds.train.images, ds.test.images]")
    text = fix(star).new_text
    assert "from .dataset_utils import *\nimport tensorflow as tf\nimport numpy\n" in text
    assert "order = numpy.random.permutation(self.num_examples)" in text and "return np.r_[" in text
    # a name of the file's own is not taken
    own = source + "\n\ndef read_data_sets():\n    return None\n"
    assert "    return read_data_sets_2('MNIST_data/', one_hot=one_hot)\n" in fix(own).new_text


SHIM = """\
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data


def load(one_hot):
    return input_data.read_data_sets("MNIST_data/", one_hot=one_hot)


data = load(True)
flat = load(False)
print(data.train.num_examples, data.validation.num_examples, data.test.num_examples)
print(data.train.images.dtype, data.train.images.shape, data.train.labels.dtype, data.train.labels.shape)
print(flat.train.labels.dtype, (flat.train.labels == data.train.labels.argmax(axis=1)).all())
first = data.train.images.copy()
np.random.seed(3)
batches = [data.train.next_batch(300)[0] for _ in range(4)]
np.random.seed(3)
order = np.random.permutation(1000)
again = np.random.permutation(1000)
print(data.train.epochs_completed, (np.concatenate(batches[:3]) == first[order][:900]).all())
print((batches[3] == np.concatenate([first[order][900:], first[order][again][:200]])).all())
"""


OWN_FIELDS = """\
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

data = input_data.read_data_sets("data/MNIST/", one_hot=True)
data.test.cls = np.argmax(data.test.labels, axis=1)
print(data.test.cls.shape, (data.test.cls[:20] == np.argmax(data.test.labels[:20], axis=1)).all())
"""


def test_fields_a_program_gives_the_data_sets_become_names_of_their_own():
    # Hvass-Labs' tutorials: `data.test.cls = np.argmax(data.test.labels, axis=1)`, then reads of it
    assert [code for code, _, _ in findings(OWN_FIELDS)] == ["TFM086"]
    assert fix(OWN_FIELDS).new_text == (
        "import numpy as np\nimport tensorflow as tf\n\n"
        "# MNIST as TF1's read_data_sets gave it: flat images scaled to [0, 1], 5,000 held out for validation\n"
        "(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()\n"
        'x_train = x_train.reshape(-1, 784).astype("float32") / 255\n'
        "y_train = tf.keras.utils.to_categorical(y_train, 10)\n"
        'x_test = x_test.reshape(-1, 784).astype("float32") / 255\n'
        "y_test = tf.keras.utils.to_categorical(y_test, 10)\n"
        "x_train, y_train = x_train[5000:], y_train[5000:]\n"
        "cls_test = np.argmax(y_test, axis=1)\n"
        "print(cls_test.shape, (cls_test[:20] == np.argmax(y_test[:20], axis=1)).all())\n")
    # read before it is assigned (TF1's DataSet has no such field), or assigned in a function (a name there
    # would be the function's own): the object TF1 returned, from the loader written into the file
    read_first = OWN_FIELDS.replace("data.test.cls = np.argmax", "print(data.test.cls)\ndata.test.cls = np.argmax")
    in_function = OWN_FIELDS.replace("data.test.cls = np.argmax(data.test.labels, axis=1)\n",
                                     "def label():\n    data.test.cls = np.argmax(data.test.labels, axis=1)\n\n\n"
                                     "label()\n")
    for source in (read_first, in_function):
        text = fix(source).new_text
        assert 'data = read_data_sets("data/MNIST/", one_hot=True)\n' in text and "import input_data" not in text


def _run_rewrites(folder, mode: str, sources):
    """Run the rewrites of ``sources`` ({name: TF1 program}) in one TensorFlow process of ``mode``, on the
    stand-in for Keras's MNIST file: {name: {"stdout", "error"}}."""
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(FAKE_MNIST)
    paths = {}
    for name, source in sources.items():
        paths[name] = folder / f"{name}.py"
        paths[name].write_text(fix(source).new_text)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=str(folder), TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([sys.executable, os.path.join(root, "tests", "tf_batch.py"), mode,
                           *map(str, paths.values())], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    out = {name: results[str(path)] for name, path in paths.items()}
    assert all(not result.get("error") for result in out.values()), out
    return out


def test_the_rewrites_run_on_tensorflow_2(tmp_path):
    """One TensorFlow process runs the four rewrites on a stand-in for Keras's MNIST file (and one
    more the two kept on tensorflow.compat.v1)."""
    out = _run_rewrites(tmp_path, "tf2", {"counts": COUNTS, "graph": GRAPH, "epochs": EPOCHS, "nested": NESTED,
                                          "own": OWN_FIELDS, "shim": SHIM})
    # TF1's DataSet: the first epoch in NumPy's order drawn at the first batch, the last batch of an epoch
    # ending with the first examples of the next, drawn again
    assert out["shim"]["stdout"].splitlines() == [
        "1000 5000 1000", "float32 (1000, 784) float64 (1000, 10)", "uint8 True", "1 True", "True"]
    assert out["own"]["stdout"] == "(1000,) True\n"
    assert out["counts"]["stdout"].splitlines() == [
        "1000 5000 1000",
        "0 (50, 784) (50, 10)",
        "1 (50, 784) (50, 10)",
        "2 (50, 784) (50, 10)",
        "(1000, 784) float64 True",
    ]
    assert out["graph"]["stdout"].splitlines() == [
        "epoch 0 batches 10 cost finite True",
        "epoch 1 batches 10 cost finite True",
        "accuracy in [0, 1] True",
    ]
    assert out["epochs"]["stdout"].splitlines() == [
        "6000 (12000, 28, 28, 1) float32 uint8",
        "each epoch sees every image once True",
        "shuffled True",
    ]
    # the rewrites kept on tensorflow.compat.v1, in a process that runs TF1 graphs: the same lines
    assert out["nested"]["stdout"].splitlines() == ["train batch (100, 784) True"] * 2 + [
        "test batch (4, 784) (4, 10)"] * 2
    compat = _run_rewrites(tmp_path / "compat", "tf2-compat", {"graph": GRAPH_COMPAT, "epochs": EPOCHS_COMPAT,
                                                                "nested": NESTED_COMPAT})
    assert compat["nested"]["stdout"] == out["nested"]["stdout"]
    assert compat["graph"]["stdout"] == out["graph"]["stdout"]
    assert compat["epochs"]["stdout"] == out["epochs"]["stdout"]


def test_the_arrays_get_natural_names_around_the_programs_own():
    # a parameter named x_test is not in the way of a module-level x_test; a global one is: test_images
    source = ("import tensorflow as tf\nfrom tensorflow.examples.tutorials.mnist import input_data\n"
              "mnist = input_data.read_data_sets('d')\n\n\ndef score(x_test):\n    return len(x_test)\n\n\n"
              "print(score(mnist.test.images))\n")
    assert "(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()" in fix(source).new_text
    clash = source.replace("print(score(mnist.test.images))", "x_test = 3\nprint(score(mnist.test.images), x_test)")
    text = fix(clash).new_text
    assert "(x_train, y_train), (test_images, test_labels) = tf.keras.datasets.mnist.load_data()" in text
    assert text.endswith("x_test = 3\nprint(score(test_images), x_test)\n") and "_2" not in text


def test_a_data_module_that_imports_only_the_loader_gets_tensorflow_imported():
    source = textwrap.dedent("""\
        import numpy as np
        from tensorflow.examples.tutorials.mnist import input_data


        def load_data():
            mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
            return mnist.test.images, mnist.test.labels
    """)
    assert fix(source).new_text == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf


        def load_data():
            # MNIST as TF1's read_data_sets gave it: flat images scaled to [0, 1], 5,000 held out for validation
            (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
            x_train = x_train.reshape(-1, 784).astype("float32") / 255
            y_train = tf.keras.utils.to_categorical(y_train, 10)
            x_test = x_test.reshape(-1, 784).astype("float32") / 255
            y_test = tf.keras.utils.to_categorical(y_test, 10)
            x_train, y_train = x_train[5000:], y_train[5000:]
            return x_test, y_test
    """)
    # the name tf bound to something else: the import would shadow it
    clash = source.replace("import numpy as np\n", "import numpy as np\ntf = None\n")
    assert fix(clash).new_text == clash and fix(clash).status == Status.MANUAL
