"""Contrib's initializer and regularizer factories passed as values, in files that stay TensorFlow 2 code:
tf_slim's (TFM109), exact rewrites, findings and statuses, and the rewrite run on TensorFlow 2.21."""
from __future__ import annotations

import pytest

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status

CONFIG = '''\
import tensorflow as tf

base_params = {
    "dtype": tf.float32,
    "initializer": tf.contrib.layers.xavier_initializer,  # called by the model with initializer_params
    "regularizer": tf.contrib.layers.l2_regularizer,
    "regularizer_params": {"scale": 0.0001},
    "output_initializer": tf.contrib.layers.xavier_initializer(seed=1),
}
'''

CONFIG_FIXED = '''\
import tensorflow as tf
import tf_slim

base_params = {
    "dtype": tf.float32,
    "initializer": tf_slim.xavier_initializer,  # called by the model with initializer_params
    "regularizer": tf_slim.l2_regularizer,
    "regularizer_params": {"scale": 0.0001},
    "output_initializer": tf.keras.initializers.GlorotUniform(seed=1),
}
'''

VALUE_REASON = ("TF-Slim left tf.contrib for the tf_slim package (`pip install tf-slim`): use `tf_slim.{}`, which "
                "runs eagerly on TensorFlow 2.21 too (passed as a value, it keeps contrib's parameters, which no "
                "Keras name takes)")
LEFT_REASON = ("`tf_slim.{}` is TF-Slim's (contrib's code, from the tf_slim package), passed as a value: it runs "
               "eagerly on TensorFlow 2.21, but where it is called a Keras initializer or regularizer replaces it "
               "(TFM120 writes it for the calls it sees)")


def found(source: str, **options):
    outcome = process_text(source, "config.py", Options(**options))
    return [(f.start.line, f.code, f.message) for f in outcome.findings], outcome


def test_a_config_passing_contrib_factories_as_values_gets_tf_slims_and_is_compat_only():
    before, outcome = found(CONFIG)
    assert [(line, code) for line, code, _ in before] == [(5, "TFM109"), (6, "TFM109"), (8, "TFM120")]
    assert before[0][2] == VALUE_REASON.format("xavier_initializer")
    assert before[1][2] == VALUE_REASON.format("l2_regularizer")
    assert outcome.status == Status.COMPAT  # what the fix gives: check predicts it
    safe = process_text(CONFIG, "config.py", Options(fix=True)).new_text
    assert safe == CONFIG_FIXED.replace("tf.keras.initializers.GlorotUniform(seed=1)",
                                        "tf.contrib.layers.xavier_initializer(seed=1)")  # TFM120 is unsafe
    fixed = process_text(CONFIG, "config.py", Options(fix=True, unsafe_fixes=True))
    assert fixed.new_text == CONFIG_FIXED
    assert fixed.status == Status.COMPAT
    after, outcome = found(CONFIG_FIXED)
    assert after == [(6, "TFM109", LEFT_REASON.format("xavier_initializer")),
                     (7, "TFM109", LEFT_REASON.format("l2_regularizer"))]
    assert outcome.status == Status.COMPAT


def test_on_compat_v1_and_for_names_without_an_eager_form_nothing_changes():
    on_compat = "import tensorflow.compat.v1 as tf\nr = tf.contrib.layers.l2_regularizer\n"
    assert process_text(on_compat, "c.py", Options(fix=True)).new_text == (
        "import tensorflow.compat.v1 as tf\nimport tf_slim\nr = tf_slim.l2_regularizer\n")
    assert found(on_compat)[0][0][2].endswith(
        "which runs on tensorflow.compat.v1: use `tf_slim.l2_regularizer`")
    layer = "import tensorflow as tf\nlayer = tf.contrib.layers.fully_connected\n"  # graph code: not eager
    assert [code for _, code, _ in found(layer)[0]] == ["TFM107"]
    assert process_text(layer, "c.py", Options(fix=True, unsafe_fixes=True)).new_text == layer


PROGRAM = '''\
import numpy as np
import tensorflow as tf

params = {"regularizer": tf.contrib.layers.l2_regularizer, "scale": 0.1}

x = tf.placeholder(tf.float32, [None, 3])
w = tf.Variable(tf.ones([3, 1]))
y = tf.reduce_sum(tf.matmul(x, w))
reg = params["regularizer"](params["scale"])(w)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(y, feed_dict={x: np.ones([2, 3], np.float32)}), sess.run(reg))
'''

PROGRAM_FIXED = '''\
import numpy as np
import tensorflow as tf
import tf_slim

params = {"regularizer": tf_slim.l2_regularizer, "scale": 0.1}

w = tf.Variable(tf.ones([3, 1]))

@tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
def y(x):
    return tf.reduce_sum(tf.matmul(x, w))

def reg():
    return params["regularizer"](params["scale"])(w)

print(y(np.ones([2, 3], np.float32)).numpy(), reg().numpy())
'''

# Each factory tf_slim keeps, called eagerly on TensorFlow 2.21 (rules/_slim.py's EAGER): contrib's
# formulas (l2: scale * sum(w**2) / 2) and initializers of the shape asked for.
FACTORIES = '''
v = tf.constant([[1.0, -2.0], [3.0, 4.0]])
print([float(f(*a)(v)) for f, a in ((tf_slim.l1_regularizer, (0.1,)), (tf_slim.l2_regularizer, (0.1,)),
                                    (tf_slim.l1_l2_regularizer, (0.1, 0.2)))],
      float(tf_slim.sum_regularizer([tf_slim.l1_regularizer(0.1), tf_slim.l2_regularizer(0.1)])(v)),
      [tuple(f(seed=1)([5, 3]).shape) for f in (tf_slim.xavier_initializer, tf_slim.xavier_initializer_conv2d,
                                                 tf_slim.variance_scaling_initializer)])
'''


def test_a_graph_program_with_a_factory_in_its_settings_becomes_eager_tf2_and_runs_on_tensorflow_2_21():
    fixed = process_text(PROGRAM, "program.py", Options(fix=True, unsafe_fixes=True))
    assert fixed.new_text == PROGRAM_FIXED
    assert fixed.status == Status.COMPAT  # tf_slim's regularizer, with its finding
    assert process_text(PROGRAM, "program.py", Options()).status == Status.COMPAT
    pytest.importorskip("tf_slim")
    printed = run_in_tensorflow("tf2", PROGRAM_FIXED + FACTORIES).splitlines()
    assert printed[0] == "6.0 0.15"  # TF1: 6.0 and contrib's 0.1 * 3 / 2
    assert printed[1] == "[1.0, 1.5, 4.0] 2.5 [(5, 3), (5, 3), (5, 3)]"
