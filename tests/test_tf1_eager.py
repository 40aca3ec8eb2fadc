"""TF1-era eager programs (`tf.enable_eager_execution()`, `tfe = tf.contrib.eager`) become plain TensorFlow 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np

from tfmigrate.engine import Options, process_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROGRAM = """\
import numpy as np
import tensorflow as tf

# Eager execution, TF 1.x style
tf.enable_eager_execution()
tfe = tf.contrib.eager

xs = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
ys = np.array([3.0, 5.0, 7.0, 9.0], np.float32)
W = tfe.Variable(0.5)
b = tfe.Variable(0.0)


def loss_fn(x, y):
    return tf.reduce_mean(tf.square(x * W + b - y))


optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.05)
grad = tfe.implicit_gradients(loss_fn)
value_and_grad = tfe.implicit_value_and_gradients(loss_fn)
for step in range(200):
    optimizer.apply_gradients(grad(xs, ys))
loss, pairs = value_and_grad(xs, ys)
print([round(float(W.numpy()), 5), round(float(b.numpy()), 5), [v.name for _, v in pairs]])
"""


def _printed(text: str, name: str):
    """What the program ``text`` prints on TensorFlow 2 (one list literal), run in a child process."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    with open(os.path.join(ROOT, name), "w", encoding="utf-8") as handle:
        handle.write(text)
    try:
        done = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tf_batch.py"), "tf2", handle.name],
                              capture_output=True, text=True, env=env, timeout=300)
    finally:
        os.remove(handle.name)
    result = json.loads(done.stdout.splitlines()[-1])[handle.name]
    assert result["error"] is None
    return eval(result["stdout"].strip())


def _descent(w: float, b: float):
    """(w, b) after TF1's 200 steps of plain gradient descent (rate 0.05) on the mean squared error of the line
    the programs fit, here in numpy."""
    xs, ys = np.array([1.0, 2.0, 3.0, 4.0]), np.array([3.0, 5.0, 7.0, 9.0])
    for _ in range(200):
        error = xs * w + b - ys
        w, b = w - 0.05 * np.mean(2 * error * xs), b - 0.05 * np.mean(2 * error)
    return w, b


def test_tfe_helpers_become_core_names_and_implicit_gradients_a_tape():
    outcome = process_text(PROGRAM, "eager.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf

        # Eager execution, TF 1.x style

        xs = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
        ys = np.array([3.0, 5.0, 7.0, 9.0], np.float32)
        W = tf.Variable(0.5)
        b = tf.Variable(0.0)


        def loss_fn(x, y):
            return tf.reduce_mean(tf.square(x * W + b - y))


        optimizer = tf.optimizers.SGD(learning_rate=0.05)
        def grad(*args, **kwargs):
            with tf.GradientTape() as tape:
                value = loss_fn(*args, **kwargs)
            variables = tape.watched_variables()
            return list(zip(tape.gradient(value, variables), variables))
        def value_and_grad(*args, **kwargs):
            with tf.GradientTape() as tape:
                value = loss_fn(*args, **kwargs)
            variables = tape.watched_variables()
            return value, list(zip(tape.gradient(value, variables), variables))
        for step in range(200):
            optimizer.apply_gradients(grad(xs, ys))
        loss, pairs = value_and_grad(xs, ys)
        print([round(float(W.numpy()), 5), round(float(b.numpy()), 5), [v.name for _, v in pairs]])
    """)
    # The rewrite runs on TensorFlow 2 and trains as TF1's implicit gradients did: plain gradient
    # descent on (W, b), here in numpy, and the pairs in the order the variables were made.
    printed = _printed(outcome.new_text, "build-tf1-eager.py")
    w, b = _descent(0.5, 0.0)
    assert abs(printed[0] - w) < 1e-4 and abs(printed[1] - b) < 1e-4
    assert printed[2] == ["Variable:0", "Variable:0"]


def test_a_tfe_name_without_rewrite_leaves_every_use_reported():
    source = "import tensorflow as tf\ntfe = tf.contrib.eager\nw = tfe.Variable(1.0)\nn = tfe.Saver([w])\n"
    outcome = process_text(source, "eager.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.new_text.count("tfe.") == 2
    assert outcome.status.value == "manual"
    # a statement the rewrite would remove stays too: nothing of tfe is rewritten
    source = "import tensorflow as tf\ntfe = tf.contrib.eager\ntfe.enable_eager_execution()\nn = tfe.Saver([w])\n"
    outcome = process_text(source, "eager.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.new_text == source
    assert [f.code for f in outcome.findings] == ["TFM107"]


def test_tfe_imported_as_a_module_goes_with_its_uses_and_check_predicts_the_fix():
    for spelling in ("import tensorflow.contrib.eager as tfe", "from tensorflow.contrib import eager as tfe"):
        source = (f"import tensorflow as tf\n{spelling}\n\ntfe.enable_eager_execution()\n"
                  "w = tfe.Variable(1.0)\nfor x in tfe.Iterator(tf.data.Dataset.range(2)):\n    print(x)\n")
        checked = process_text(source, "eager.py", Options())
        outcome = process_text(source, "eager.py", Options(fix=True, unsafe_fixes=True))
        assert checked.status.value == outcome.status.value == "idiomatic"
        assert outcome.new_text == ("import tensorflow as tf\nw = tf.Variable(1.0)\n"
                                    "for x in iter(tf.data.Dataset.range(2)):\n    print(x)\n")
        assert process_text(outcome.new_text, "eager.py", Options()).findings == []


def test_eager_switched_on_through_tfe_is_the_same_program():
    """`tfe.enable_eager_execution()` of `import tensorflow.contrib.eager as tfe` (Stanford's CS20): the
    graph rewrite reads `tfe.Variable` as the `tf.Variable` TFM119 writes, and the program is eager code."""
    source = PROGRAM.replace("import tensorflow as tf\n", "import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n")
    source = source.replace("tf.enable_eager_execution()\ntfe = tf.contrib.eager\n", "tfe.enable_eager_execution()\n")
    checked = process_text(source, "eager.py", Options())
    outcome = process_text(source, "eager.py", Options(fix=True, unsafe_fixes=True))
    assert checked.status.value == outcome.status.value == "idiomatic"
    expected = process_text(PROGRAM, "eager.py", Options(fix=True, unsafe_fixes=True)).new_text
    assert outcome.new_text == expected


def test_tfe_in_a_file_kept_on_compat_v1_is_reported_as_compat_v1_cannot_run_it():
    # a graph op the rewrite refuses keeps the file on compat.v1, which has no tf.contrib.eager: check
    # says manual, as what the fix writes is
    source = ("import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n\ntfe.enable_eager_execution()\n"
              "x = tf.placeholder(tf.float32)\ny = x * tfe.Variable(2.0)\ng = tf.get_default_graph()\n")
    checked = process_text(source, "eager.py", Options())
    outcome = process_text(source, "eager.py", Options(fix=True, unsafe_fixes=True))
    assert checked.status.value == outcome.status.value == "manual"
    assert "TFM119" not in {f.code for f in checked.findings}
    assert process_text(outcome.new_text, "eager.py", Options()).status.value == "manual"


NETWORK = """\
import numpy as np
import tensorflow as tf
import tensorflow.contrib.eager as tfe

tfe.enable_eager_execution()

xs = np.array([[1.0], [2.0], [3.0], [4.0]], np.float32)
ys = np.array([[3.0], [5.0], [7.0], [9.0]], np.float32)


class Line(tfe.Network):
    def __init__(self):
        super(Line, self).__init__()
        self.dense = self.track_layer(tf.layers.Dense(1, kernel_initializer=tf.zeros_initializer()))

    def call(self, x):
        return self.dense(x)


line = Line()


def loss_fn(model, x, y):
    return tf.reduce_mean(tf.square(model(x) - y))


optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.05)
grad = tfe.implicit_gradients(loss_fn)
for step in range(200):
    optimizer.apply_gradients(grad(line, xs, ys))
print([round(float(v.numpy().ravel()[0]), 5) for v in line.variables])
"""


def test_a_tfe_network_is_a_keras_model_holding_keras_layers():
    outcome = process_text(NETWORK, "network.py", Options(fix=True, unsafe_fixes=True))
    assert process_text(NETWORK, "network.py", Options()).status.value == outcome.status.value == "idiomatic"
    new = outcome.new_text
    assert "class Line(tf.keras.Model):\n" in new
    assert "        self.dense = tf.keras.layers.Dense(1, kernel_initializer=tf.zeros_initializer())\n" in new
    assert "tfe" not in new and "track_layer" not in new
    kernel, bias = _printed(new, "build-tfe-network.py")
    w, b = _descent(0.0, 0.0)  # from the zeros the kernel starts at
    assert abs(kernel - w) < 1e-4 and abs(bias - b) < 1e-4
