"""TFM120: tf.contrib initializers, regularizers and moved functions in their TensorFlow 2 form; one
TensorFlow process checks that the rewrites compute what contrib's own definitions computed."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status

FIX = Options(fix=True, unsafe_fixes=True)


def findings(source: str):
    outcome = process_text(source, "example.py", Options())
    return [(f.start.line, f.code) for f in outcome.findings], outcome.status


def fixed(source: str):
    outcome = process_text(source, "example.py", FIX)
    return outcome.new_text, [(f.start.line, f.code) for f in outcome.remaining], outcome.status


IMPORTS = """\
import tensorflow as tf
from tensorflow.contrib.layers import l1_l2_regularizer, xavier_initializer
from tensorflow.contrib import layers as contrib_layers
from tensorflow.contrib.framework import nest

w_init = xavier_initializer(uniform=False)
conv_init = contrib_layers.variance_scaling_initializer(factor=1.0, mode='FAN_AVG', uniform=True, seed=3)
reg = l1_l2_regularizer(scale_l1=0.01, scale_l2=weight_decay * 2)
flat = nest.flatten(nest.map_structure(lambda t: t, {"a": 1}))
same = nest.is_sequence(flat)
half = tf.contrib.layers.l2_regularizer(scale=FLAGS.l2 + 1e-4, scope="reg")
files = tf.contrib.data.TFRecordDataset(["a.tfrecord"])
lines = tf.contrib.data.TextLineDataset(["a.csv"])
proto = tf.contrib.util.make_tensor_proto([1.0, 2.0])
"""


def test_imports_and_calls_become_tensorflow_2_names():
    assert findings(IMPORTS) == ([(2, "TFM120"), (3, "TFM120"), (4, "TFM120"), (6, "TFM120"), (7, "TFM120"),
                                  (8, "TFM120"), (10, "TFM120"), (11, "TFM120"), (12, "TFM120"), (13, "TFM120"),
                                  (14, "TFM120")], Status.IDIOMATIC)
    assert fixed(IMPORTS) == ("""\
import tensorflow as tf
from tensorflow import nest

w_init = tf.keras.initializers.GlorotNormal()
conv_init = tf.keras.initializers.VarianceScaling(scale=1.0, mode="fan_avg", distribution="uniform", seed=3)
reg = tf.keras.regularizers.L1L2(l1=0.01, l2=(weight_decay * 2) / 2)
flat = nest.flatten(nest.map_structure(lambda t: t, {"a": 1}))
same = nest.is_nested(flat)
half = tf.keras.regularizers.L2((FLAGS.l2 + 1e-4) / 2)
files = tf.data.TFRecordDataset(["a.tfrecord"])
lines = tf.data.TextLineDataset(["a.csv"])
proto = tf.make_tensor_proto([1.0, 2.0])
""", [], Status.IDIOMATIC)


def test_the_defaults_contrib_had_are_written_out():
    source = ("import tensorflow as tf\na = tf.contrib.layers.xavier_initializer()\n"
              "b = tf.contrib.layers.variance_scaling_initializer()\nc = tf.contrib.layers.l1_l2_regularizer()\n"
              "d = tf.contrib.layers.l1_regularizer(0.1)\ne = tf.contrib.layers.xavier_initializer_conv2d(seed=7)\n")
    assert fixed(source)[0] == (
        "import tensorflow as tf\na = tf.keras.initializers.GlorotUniform()\n"
        'b = tf.keras.initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal")\n'
        "c = tf.keras.regularizers.L1L2(l1=1.0, l2=0.5)\nd = tf.keras.regularizers.L1(0.1)\n"
        "e = tf.keras.initializers.GlorotUniform(seed=7)\n")


@pytest.mark.parametrize("line", [
    "i = tf.contrib.layers.xavier_initializer(dtype=tf.float16)",  # Keras takes the dtype when called
    "i = tf.contrib.layers.xavier_initializer(uniform=FLAGS.uniform, seed=1)",
    "i = tf.contrib.layers.variance_scaling_initializer(mode=mode)",
    "r = tf.contrib.layers.l2_regularizer(0.0)",  # contrib returned no loss at all
    "r = tf.contrib.layers.l2_regularizer(*args)",
])
def test_calls_without_a_sure_rewrite_are_left_to_tfm107(line):
    source = f"import tensorflow as tf\n{line}\n"
    assert findings(source) == ([(2, "TFM107")], Status.MANUAL)
    assert fixed(source) == (source, [(2, "TFM107")], Status.MANUAL)
    message = process_text(source, "example.py", Options()).findings[0].message
    assert ("TFM120 does not rewrite this call: " in message) == line.endswith(")")  # why, where it is called


def test_an_import_is_rewritten_only_when_every_use_is():
    source = ("import tensorflow as tf\nfrom tensorflow.contrib.framework import nest\n"
              "a = nest.flatten(x)\nb = nest.map_structure_up_to(s, f, x)\n")  # tf.nest has no map_structure_up_to
    assert fixed(source) == (source, [(2, "TFM107"), (3, "TFM101"), (3, "TFM107"), (4, "TFM107")], Status.MANUAL)
    passed_on = "from tensorflow.contrib.framework import nest\nhelper(nest)\n"  # any member may be used
    assert findings(passed_on) == ([(1, "TFM107")], Status.MANUAL)
    unused = "import tensorflow as tf\nfrom tensorflow.contrib import layers\n"  # TFM107 removes it, not this rule
    assert findings(unused) == ([(2, "TFM107")], Status.IDIOMATIC)
    no_alias = "from tensorflow.contrib.layers import xavier_initializer\ninit = xavier_initializer()\n"
    assert findings(no_alias) == ([(1, "TFM107")], Status.MANUAL)


def test_renames_of_tensorflows_upgrade_table_are_reported_once():
    source = "import tensorflow as tf\nflat = tf.contrib.framework.nest.flatten(x)\nn = tf.contrib.data.AUTOTUNE\n"
    assert findings(source) == ([(2, "TFM101"), (3, "TFM101")], Status.IDIOMATIC)
    assert fixed(source)[0] == ("import tensorflow as tf\nflat = tf.nest.flatten(x)\n"
                                "n = tf.data.experimental.AUTOTUNE\n")


def test_compat_v1_files_get_the_same_names_on_their_alias():
    source = ("import tensorflow.compat.v1 as tf\nflat = tf.contrib.framework.nest.flatten(x)\n"
              "t = tf.contrib.lookup.KeyValueTensorInitializer(keys, values)\ni = tf.variance_scaling_initializer()\n")
    assert fixed(source) == ("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nflat = tf.nest.flatten(x)\n"
                             "t = tf.lookup.KeyValueTensorInitializer(keys, values)\n"
                             "i = tf.variance_scaling_initializer()\n", [(5, "TFM090")], Status.COMPAT)
    # contrib.layers names tf_slim has: TFM109 gives them to tf_slim (contrib's own code) there
    slim = "import tensorflow.compat.v1 as tf\nr = tf.contrib.layers.l2_regularizer(1e-4)\n"
    assert findings(slim)[0] == [(2, "TFM109")]
    # (no switch to graph mode: tf_slim's regularizers run eagerly, and nothing else here is graph code)
    assert fixed(slim)[0] == "import tensorflow.compat.v1 as tf\nimport tf_slim\nr = tf_slim.l2_regularizer(1e-4)\n"


GRAPH = """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 3])
w = tf.get_variable("w", [3, 1], initializer=tf.variance_scaling_initializer(scale=2.0, distribution="normal"))
pred = tf.matmul(x, w)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(pred, feed_dict={x: np.ones([2, 3])}).shape)
"""


def test_tf1_core_variance_scaling_in_a_program_that_becomes_eager():
    assert findings(GRAPH)[1] == Status.IDIOMATIC
    new, remaining, status = fixed(GRAPH)
    assert (remaining, status) == ([], Status.IDIOMATIC)
    assert new == """\
import numpy as np
import tensorflow as tf

w = tf.Variable(tf.keras.initializers.VarianceScaling(scale=2.0, distribution="truncated_normal")(shape=[3, 1]), name="w")

@tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
def pred(x):
    return tf.matmul(x, w)

print(pred(np.ones([2, 3])).numpy().shape)
"""
    # kept on the tensorflow.compat.v1 fallback, where TF1's initializer runs as it is
    kept = GRAPH.replace("pred = tf.matmul(x, w)\n", "pred = tf.matmul(x, w)\ngraph = tf.get_default_graph()\n")
    assert findings(kept) == ([(4, "TFM001"), (5, "TFM105"), (5, "TFM105"), (7, "TFM090"), (7, "TFM105"),
                               (8, "TFM002"), (9, "TFM003"), (9, "TFM004"), (10, "TFM003")], Status.COMPAT)
    new, remaining, status = fixed(kept)
    assert status == Status.COMPAT and "initializer=tf.variance_scaling_initializer(scale=2.0, " in new


# contrib's definitions (TensorFlow 1.15, contrib/layers/python/layers/regularizers.py and initializers.py),
# computed with TensorFlow 2 ops, against what the rewrites compute on the installed TensorFlow.
PROBE = """
import json, math
import numpy as np
import tensorflow as tf
w = tf.constant(np.random.RandomState(0).randn(40, 30).astype(np.float32))
out = {}
NS = {"tf": tf, "weight_decay": 0.25, "FLAGS": type("F", (), {"l2": 0.1})}
rng = np.random.RandomState(1)
NS["logits"] = tf.constant(rng.randn(4, 6, 5).astype(np.float32))
NS["targets"] = tf.constant(rng.randint(0, 5, size=(4, 6)).astype(np.int32))
NS["weights"] = tf.constant((rng.rand(4, 6) > 0.3).astype(np.float32))  # a mask
for key, code in CODES.items():
    exec(code, NS)
for key in ("reg", "half", "d"):
    out[key] = float(NS[key](w))
out["reg_tf1"] = float(0.01 * tf.reduce_sum(tf.abs(w)) + (0.25 * 2) * tf.nn.l2_loss(w))
out["half_tf1"] = float((0.1 + 1e-4) * tf.nn.l2_loss(w))
out["d_tf1"] = float(0.1 * tf.reduce_sum(tf.abs(w)))
out["seq"] = float(NS["seq"])
# contrib/seq2seq/python/ops/loss.py: flattened cross-entropies times the flattened weights, summed, over the
# summed weights plus 1e-12
crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(
    labels=tf.reshape(NS["targets"], [-1]), logits=tf.reshape(NS["logits"], [-1, 5])) * tf.reshape(NS["weights"], [-1])
out["seq_tf1"] = float(tf.reduce_sum(crossent) / (tf.reduce_sum(NS["weights"]) + 1e-12))
fan_in, fan_out = 300, 500
draws = NS["conv_init"](shape=[fan_in, fan_out]).numpy()
out["uniform_limit"] = float(np.abs(draws).max())
out["uniform_limit_tf1"] = math.sqrt(3.0 * 1.0 / ((fan_in + fan_out) / 2.0))  # contrib: sqrt(3 * factor / n)
draws = NS["b"](shape=[fan_in, fan_out * 4]).numpy()
out["normal_var"] = float(draws.var())
# contrib: truncated_normal(stddev=sqrt(1.3 * factor / n)), cut at 2 deviations (variance x 0.773741)
out["normal_var_tf1"] = 1.3 * 2.0 / fan_in * 0.7737413
print(json.dumps(out))
"""


def test_rewrites_compute_contribs_definitions_on_installed_tensorflow():
    pytest.importorskip("tensorflow")
    codes = {}
    for line in fixed(IMPORTS)[0].splitlines()[2:] + fixed(
            "import tensorflow as tf\nb = tf.contrib.layers.variance_scaling_initializer()\n"
            "d = tf.contrib.layers.l1_regularizer(0.1)\n"
            "seq = tf.contrib.seq2seq.sequence_loss(logits, targets, weights, name='loss')\n")[0].splitlines()[1:]:
        if line and not line.startswith(("flat", "same", "files")):
            codes[line.split(" = ")[0]] = line
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", f"CODES = {codes!r}\n{PROBE}"], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert codes["seq"] == (
        "seq = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits) * weights)"
        " / (tf.reduce_sum(weights) + 1e-12)")
    for key in ("reg", "half", "d", "seq"):
        assert out[key] == pytest.approx(out[f"{key}_tf1"], rel=1e-6), key
    assert out["uniform_limit"] == pytest.approx(out["uniform_limit_tf1"], rel=1e-3)
    assert out["uniform_limit"] <= out["uniform_limit_tf1"]
    assert out["normal_var"] == pytest.approx(out["normal_var_tf1"], rel=0.012)  # Keras's: 0.58% less


def test_a_module_alias_assigned_at_module_level_is_the_tensorflow_2_module():
    source = ("import tensorflow as tf\n\nnest = tf.contrib.framework.nest\n\n\ndef merge(inputs):\n"
              "    if nest.is_sequence(inputs):\n        return nest.pack_sequence_as(inputs, nest.flatten(inputs))\n"
              "    return inputs\n")
    assert findings(source) == ([(3, "TFM120"), (7, "TFM120")], Status.IDIOMATIC)
    assert fixed(source)[0] == source.replace("tf.contrib.framework.nest", "tf.nest").replace(
        "is_sequence", "is_nested")
    up_to = source.replace("nest.flatten(inputs)", "nest.flatten_up_to(inputs, inputs)")  # not in tf.nest
    assert findings(up_to) == ([(3, "TFM107")], Status.MANUAL)


RNN = """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 5, 3])
cell = tf.contrib.rnn.MultiRNNCell([tf.contrib.rnn.BasicLSTMCell(4) for _ in range(2)])
outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
graph = tf.get_default_graph()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(outputs, feed_dict={x: [[[1.0, 2.0, 3.0]] * 5]}).shape)
"""


def test_contrib_rnn_cells_in_code_kept_on_compat_v1_are_tf1s_core_cells(tmp_path):
    # kept on tensorflow.compat.v1 (tf.get_default_graph): the fallback first, then the core names
    found = process_text(RNN, "example.py", Options())
    assert [(f.start.line, f.code) for f in found.findings if f.code in ("TFM107", "TFM120")] == [
        (4, "TFM120"), (4, "TFM120")]
    assert found.status == Status.COMPAT
    new, remaining, status = fixed(RNN)
    assert new.splitlines()[:6] == [
        "import tensorflow.compat.v1 as tf", "from tensorflow.python.ops import rnn_cell_impl",
        "tf.disable_v2_behavior()", "",
        "x = tf.placeholder(tf.float32, [None, 5, 3])",
        "cell = rnn_cell_impl.MultiRNNCell([rnn_cell_impl.BasicLSTMCell(4) for _ in range(2)])"]
    # TF1's classes, where TensorFlow 2.21 has them without tf-keras (tests/test_compat_rnn.py)
    assert status == Status.COMPAT and not {"TFM106", "TFM107"} & {code for _, code in remaining}
    # where the graph-to-eager rewrite runs, the cells become Keras layers: nothing for TFM120 to do
    eager = RNN.replace("graph = tf.get_default_graph()\n", "")
    assert [f.code for f in process_text(eager, "example.py", Options()).findings if f.code in (
        "TFM107", "TFM120")] == []
    # it runs, on TensorFlow 2.21 without tf-keras
    pytest.importorskip("tensorflow")
    path = tmp_path / "rnn.py"
    path.write_text(new)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, os.path.join(root, "tests", "tf_batch.py"), "tf2-no-tf-keras", str(path)],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])[str(path)] == {"stdout": "(1, 5, 4)\n", "error": None}


def test_an_import_is_rewritten_only_into_a_module_an_import_statement_reaches():
    # tf.distribute.cluster_resolver.TPUClusterResolver exists, `from tensorflow.distribute.cluster_resolver
    # import ...` fails: the import stays a TFM107 finding
    source = ("import tensorflow as tf\nfrom tensorflow.contrib.cluster_resolver import TPUClusterResolver\n"
              "resolver = TPUClusterResolver(tpu='a')\n")
    assert fixed(source) == (source, [(2, "TFM107")], Status.MANUAL)
    moved = source.replace("cluster_resolver import TPUClusterResolver", "data import TFRecordDataset").replace(
        "TPUClusterResolver(tpu='a')", "TFRecordDataset(['a'])")
    assert fixed(moved)[0] == moved.replace("tensorflow.contrib.data", "tensorflow.data")


def test_contrib_keras_is_tf_keras_and_a_name_keras_lacks_keeps_its_import():
    source = """\
import tensorflow as tf
from tensorflow.contrib.keras.python.keras.layers import Dense
keras = tf.contrib.keras

model = tf.contrib.keras.models.Sequential([Dense(3, input_shape=(4,)), keras.layers.Dense(1)])
"""
    assert fixed(source) == ("""\
import tensorflow as tf
from tensorflow.keras.layers import Dense
keras = tf.keras

model = tf.keras.models.Sequential([Dense(3, input_shape=(4,)), keras.layers.Dense(1)])
""", [], Status.IDIOMATIC)
    # Keras 2.0's Merge layer is in no TensorFlow 2: the import stays (it was deleted with Dense's before)
    kept = "import tensorflow as tf\nfrom tensorflow.contrib.keras.python.keras.layers import Merge, Dense\nm = Merge\n"
    assert fixed(kept) == (kept, [(2, "TFM107"), (2, "TFM107")], Status.MANUAL)


def test_keras_of_tf_1_2_imported_as_a_module_is_checked_as_keras_3_code():
    source = "import tensorflow.contrib.keras as keras\nopt = keras.optimizers.SGD(lr=0.1, momentum=0.9)\n"
    assert findings(source) == ([(1, "TFM120"), (2, "TFM301")], Status.IDIOMATIC)
    assert fixed(source) == ("from tensorflow import keras\n"
                             "opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)\n", [], Status.IDIOMATIC)
