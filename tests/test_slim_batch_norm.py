"""Contrib's batch_norm written into a file kept on tensorflow.compat.v1 (TFM109): exact rewrites, and the numbers
TF1's batch_norm computed.

tf_slim's own batch_norm fails on TensorFlow 2.21, and TensorFlow 1 does not install on this Python: EXPECTED was
printed by PROGRAM with tf_slim's batch_norm (contrib's code) on TensorFlow 2.15 with Keras 2, where it ran once
`tensorflow.python.framework.ops.Tensor` and `control_flow_ops.cond` were given back their TF 2.15 homes. The
helper is bit-for-bit tf_slim's on TF 2.15; TF 2.21's fused kernel differs from TF 2.15's in the last bit of a few
float32 values, below the 4 decimals printed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status
from tfmigrate.rules import _slim_batch_norm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Every path of TF1's batch_norm: fused (rank 2 and 4), the Keras layer (rank 4, fused=False), tf.nn.moments
# (rank 3), updates through UPDATE_OPS or before the output (updates_collections=None), is_training as a bool and
# as a tensor, arg_scope, normalizer_fn, reuse, positional arguments, param_initializers, outputs_collections.
PROGRAM = '''\
import numpy as np
import tensorflow as tf
from tensorflow.contrib import slim
from tensorflow.contrib.layers import batch_norm

rng = np.random.RandomState(1)
x2 = tf.placeholder(tf.float32, [None, 3])
x4 = tf.placeholder(tf.float32, [None, 2, 2, 3])
x3 = tf.placeholder(tf.float32, [None, 4, 3])
training = tf.placeholder_with_default(True, [])
a = batch_norm(x2, decay=0.9, scale=True, is_training=training, scope="a")
with slim.arg_scope([slim.batch_norm], decay=0.8, updates_collections=None, is_training=True):
    b = slim.fully_connected(x2, 4, normalizer_fn=slim.batch_norm, activation_fn=tf.nn.relu, scope="fc",
                             weights_initializer=tf.constant_initializer(0.5))
c = tf.contrib.layers.batch_norm(x4, decay=0.5, scale=True, is_training=training, outputs_collections="ends")
d = slim.batch_norm(x3, decay=0.7, fused=False)
e = batch_norm(x2, reuse=True, scope="a", is_training=False, scale=True)
f = slim.batch_norm(x4, fused=False, decay=0.6, activation_fn=tf.nn.relu)
g = slim.batch_norm(x4, updates_collections=None, is_training=training, scale=True, center=False, scope="g")
h = batch_norm(x2, 0.95, False, True, 0.01, None, {"gamma": tf.constant_initializer(2.0)}, scope="h")
update = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    v2, v4, v3 = rng.randn(5, 3) * 2 + 1, rng.randn(3, 2, 2, 3) * 3 - 1, rng.randn(2, 4, 3)
    for step in range(3):
        out = sess.run([a, b, c, d, f, g, h], {x2: v2 + step, x4: v4 * (step + 1), x3: v3 - step})
        sess.run(update, {x2: v2 + step, x4: v4 * (step + 1), x3: v3 - step})
    out += sess.run([a, c, e, g], {x2: v2, x4: v4, training: False})
    for value in out:
        print([round(float(v), 4) for v in np.ravel(value)[:5]])
    for v in tf.global_variables():
        print(v.name, v.shape.as_list(), [round(float(n), 4) for n in sess.run(v).ravel()[:3]])
    print(len(update), len(slim.get_model_variables()), [t.name for t in tf.get_collection("ends")])
'''

FIXED_HEAD = 'import numpy as np\nimport tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nimport tf_slim as slim\n\n\n'
FIXED_TAIL = '''\
rng = np.random.RandomState(1)
x2 = tf.placeholder(tf.float32, [None, 3])
x4 = tf.placeholder(tf.float32, [None, 2, 2, 3])
x3 = tf.placeholder(tf.float32, [None, 4, 3])
training = tf.placeholder_with_default(True, [])
a = batch_norm(x2, decay=0.9, scale=True, is_training=training, scope="a")
with slim.arg_scope([batch_norm], decay=0.8, updates_collections=None, is_training=True):
    b = slim.fully_connected(x2, 4, normalizer_fn=batch_norm, activation_fn=tf.nn.relu, scope="fc",
                             weights_initializer=tf.constant_initializer(0.5))
c = batch_norm(x4, decay=0.5, scale=True, is_training=training, outputs_collections="ends")
d = batch_norm(x3, decay=0.7, fused=False)
e = batch_norm(x2, reuse=True, scope="a", is_training=False, scale=True)
f = batch_norm(x4, fused=False, decay=0.6, activation_fn=tf.nn.relu)
g = batch_norm(x4, updates_collections=None, is_training=training, scale=True, center=False, scope="g")
h = batch_norm(x2, 0.95, False, True, 0.01, None, {"gamma": tf.constant_initializer(2.0)}, scope="h")
update = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    v2, v4, v3 = rng.randn(5, 3) * 2 + 1, rng.randn(3, 2, 2, 3) * 3 - 1, rng.randn(2, 4, 3)
    for step in range(3):
        out = sess.run([a, b, c, d, f, g, h], {x2: v2 + step, x4: v4 * (step + 1), x3: v3 - step})
        sess.run(update, {x2: v2 + step, x4: v4 * (step + 1), x3: v3 - step})
    out += sess.run([a, c, e, g], {x2: v2, x4: v4, training: False})
    for value in out:
        print([round(float(v), 4) for v in np.ravel(value)[:5]])
    for v in tf.global_variables():
        print(v.name, v.shape.as_list(), [round(float(n), 4) for n in sess.run(v).ravel()[:3]])
    print(len(update), len(slim.get_model_variables()), [t.name for t in tf.get_collection("ends")])
'''

EXPECTED = '''\
[1.1303, -0.8194, 0.1197, -1.2525, 0.8481]
[0.5351, 0.5351, 0.5351, 0.5351, 0.0]
[-1.0716, -0.4841, -1.0496, 0.3862, 0.6395]
[-0.325, -1.4475, -1.0235, -0.1415, 0.2842]
[0.0, 0.0, 0.0, 0.3862, 0.6395]
[-1.0716, -0.4841, -1.0496, 0.3862, 0.6395]
[2.2586, -1.6364, 0.2393, -2.5029, 1.6937]
[2.2293, -0.6321, -0.1384, -1.206, 1.5742]
[-0.0883, -0.0734, -0.3221, 0.4991, 0.3791]
[2.2293, -0.6321, -0.1384, -1.206, 1.5742]
[-4.1226, -1.4705, -3.426, -0.8292, 0.7301]
a/beta:0 [3] [0.0, 0.0, 0.0]
a/gamma:0 [3] [1.0, 1.0, 1.0]
a/moving_mean:0 [3] [0.7479, 0.6228, 0.1884]
a/moving_variance:0 [3] [2.4649, 1.7921, 3.1259]
fc/weights:0 [3, 4] [0.5, 0.5, 0.5]
fc/BatchNorm/beta:0 [4] [0.0, 0.0, 0.0]
fc/BatchNorm/moving_mean:0 [4] [1.4605, 1.4605, 1.4605]
fc/BatchNorm/moving_variance:0 [4] [1.5938, 1.5938, 1.5938]
BatchNorm/gamma:0 [3] [1.0, 1.0, 1.0]
BatchNorm/beta:0 [3] [0.0, 0.0, 0.0]
BatchNorm/moving_mean:0 [3] [-3.7846, -1.1499, -1.352]
BatchNorm/moving_variance:0 [3] [34.0258, 25.0798, 50.1673]
BatchNorm_1/beta:0 [3] [0.0, 0.0, 0.0]
BatchNorm_1/moving_mean:0 [3] [-0.8747, -0.611, -0.4972]
BatchNorm_1/moving_variance:0 [3] [0.7431, 0.9974, 0.7697]
BatchNorm_2/beta:0 [3] [0.0, 0.0, 0.0]
BatchNorm_2/moving_mean:0 [3] [-3.2485, -0.987, -1.1605]
BatchNorm_2/moving_variance:0 [3] [26.2036, 19.3458, 38.5773]
g/gamma:0 [3] [1.0, 1.0, 1.0]
g/moving_mean:0 [3] [-0.0107, -0.0032, -0.0038]
g/moving_variance:0 [3] [1.0813, 1.0591, 1.1215]
h/gamma:0 [3] [2.0, 2.0, 2.0]
h/moving_mean:0 [3] [0.3885, 0.3227, 0.094]
h/moving_variance:0 [3] [1.771, 1.4169, 2.1189]
10 24 ['BatchNorm/cond/Merge:0']
'''


def test_every_spelling_of_contrib_batch_norm_names_the_helper_written_after_the_imports():
    outcome = process_text(PROGRAM, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.new_text == FIXED_HEAD + _slim_batch_norm.code("batch_norm", "tf", "slim") + "\n\n" + FIXED_TAIL
    assert outcome.status == Status.COMPAT
    found = [f.start.line for f in process_text(PROGRAM, "case.py", Options()).findings
             if f.code == "TFM109" and "written into the file" in f.message]
    assert found == [11, 12, 13, 15, 16, 17, 18, 19, 20]
    assert process_text(PROGRAM, "case.py", Options()).status == Status.COMPAT


def test_the_rewrite_prints_what_tf1s_batch_norm_printed(tmp_path):
    path = tmp_path / "batch_norm_program.py"
    path.write_text(process_text(PROGRAM, "case.py", Options(fix=True, unsafe_fixes=True)).new_text)
    done = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tf_batch.py"), "tf2-compat", str(path)],
                          capture_output=True, text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])[str(path)]
    assert result["error"] is None, result
    assert result["stdout"] == EXPECTED


def fixed(source: str) -> str:
    return process_text(source, "case.py", Options(fix=True, unsafe_fixes=True)).new_text


def test_an_import_list_loses_batch_norm_whose_name_the_helper_takes():
    source = ("import tensorflow as tf\n"
              "from tensorflow.contrib.layers import fully_connected, batch_norm, dropout\n"
              "x = tf.placeholder(tf.float32, [None, 3])\n"
              "h = dropout(fully_connected(x, 4, normalizer_fn=batch_norm), 0.5)\n"
              "g = tf.contrib.layers.batch_norm(h)\n")
    assert fixed(source) == (
        "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n"
        "from tf_slim import fully_connected, dropout\nimport tf_slim\n\n\n"
        + _slim_batch_norm.code("batch_norm", "tf", "tf_slim") + "\n\n"
        "x = tf.placeholder(tf.float32, [None, 3])\n"
        "h = dropout(fully_connected(x, 4, normalizer_fn=batch_norm), 0.5)\n"
        "g = batch_norm(h)\n")


def test_a_name_the_file_binds_already_gives_the_helper_another():
    source = ("import tensorflow as tf\n"
              "class batch_norm(object):  # the file's own\n"
              "    def __call__(self, x):\n"
              "        return tf.contrib.layers.batch_norm(x, decay=0.9)\n"
              "x = tf.placeholder(tf.float32, [None, 3])\n"
              "h = batch_norm()(x)\n")
    assert fixed(source) == (
        "import tensorflow.compat.v1 as tf\nimport tf_slim\ntf.disable_v2_behavior()\n\n\n"
        + _slim_batch_norm.code("slim_batch_norm", "tf", "tf_slim") + "\n\n"
        "class batch_norm(object):  # the file's own\n"
        "    def __call__(self, x):\n"
        "        return slim_batch_norm(x, decay=0.9)\n"
        "x = tf.placeholder(tf.float32, [None, 3])\n"
        "h = batch_norm()(x)\n")


REASON = ("tf_slim's batch_norm fails on TensorFlow 2.21 (tf-slim 1.1.0 reads tensorflow.python.framework.ops.Tensor, "
          "which TensorFlow no longer has): use tf.keras.layers.BatchNormalization, called with training=")


def manual(source: str):
    outcome = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))
    return outcome.status, [(f.start.line, f.message) for f in process_text(source, "case.py", Options()).findings
                            if f.code == "TFM109" and "fails" in f.message]


def test_what_the_helper_leaves_out_keeps_the_finding():
    renorm = ("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\n"
              "h = tf.contrib.layers.batch_norm(x, renorm=True)\ng = tf.contrib.layers.batch_norm(x)\n")
    assert manual(renorm) == (Status.MANUAL, [(3, REASON), (4, REASON)])
    # a parameter named batch_norm where the import's name would be the helper's
    rebound = ("import tensorflow as tf\nfrom tensorflow.contrib.layers import batch_norm\n"
               "def layer(x, batch_norm=True):\n    return tf.contrib.layers.batch_norm(x) if batch_norm else x\n"
               "y = batch_norm(tf.ones([2, 3]))\n")
    status, found = manual(rebound)
    assert status == Status.MANUAL and (5, REASON) in found
    assert "from tensorflow.contrib.layers import batch_norm\n" in fixed(rebound)  # the import it reads stays
    # optimize_loss has no helper; a file that imports tf_slim itself keeps its finding too
    loss = ("import tensorflow as tf\nw = tf.Variable(1.0)\n"
            "train = tf.contrib.layers.optimize_loss(w * w, None, 0.1, 'SGD')\n")
    status, found = manual(loss)
    assert status == Status.MANUAL and [line for line, _ in found] == [3]
    assert "optimize_loss" in found[0][1]
    own = "import tensorflow.compat.v1 as tf\nimport tf_slim as slim\ny = slim.batch_norm(tf.ones([2, 3]))\n"
    assert manual(own) == (Status.MANUAL, [(3, REASON)])
