"""tf.layers in a program kept on tensorflow.compat.v1: Keras 3 layers called on the graph tensors.

That they run there, on TensorFlow 2.21 without tf-keras, and print what the TF1 layers printed,
is proven by test_verify (``keras3 compat``); these cases pin the rewrite and where it stops.
"""
from __future__ import annotations

import textwrap

import pytest

from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)

# A graph program the eager rewrite keeps on compat (its class holds the session).
PROGRAM = """\
    import tensorflow as tf


    class Net:
        def __init__(self):
            self.x = tf.placeholder(tf.float32, [None, 8, 8, 1])
            with tf.variable_scope("block"):
                c = tf.layers.conv2d(self.x, 4, 3, padding="same", activation=tf.nn.relu)
                p = tf.layers.max_pooling2d(inputs=c, pool_size=2, strides=2)
                f = tf.layers.flatten(p)
                h = tf.layers.dense(f, 3, tf.nn.relu, kernel_initializer=tf.truncated_normal_initializer(stddev=0.1))
                self.y = tf.layers.dropout(h, rate=0.5, training=True){tail}
            self.sess = tf.Session()
            self.sess.run(tf.global_variables_initializer())
"""


def test_the_fallback_calls_keras_3_layers_with_tf1s_arguments():
    text = textwrap.dedent(PROGRAM.format(tail=""))
    fixed = process_text(text, "net.py", FIX)
    assert fixed.new_text == textwrap.dedent("""\
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()


        class Net:
            def __init__(self):
                self.x = tf.placeholder(tf.float32, [None, 8, 8, 1])
                with tf.variable_scope("block"):
                    c = tf.keras.layers.Conv2D(4, kernel_size=3, padding="same", activation=tf.nn.relu)(self.x)
                    p = tf.keras.layers.MaxPooling2D(pool_size=2, strides=2)(c)
                    f = tf.keras.layers.Flatten()(p)
                    h = tf.keras.layers.Dense(3, activation=tf.nn.relu, kernel_initializer=tf.truncated_normal_initializer(stddev=0.1))(f)
                    self.y = tf.keras.layers.Dropout(rate=0.5)(h, training=True)
                self.sess = tf.Session()
                self.sess.run(tf.global_variables_initializer())
    """)
    assert not [f for f in fixed.remaining if f.code == "TFM106"]
    assert fixed.status.value == "compat-only"
    check = process_text(text, "net.py", Options())
    layers = [f for f in check.findings if f.code == "TFM106"]
    assert [f.start.line for f in layers] == [8, 9, 10, 11, 12]
    assert all(f.fixable and f.message.endswith("(the tensorflow.compat.v1 fallback calls the Keras 3 layer,"
                                                " which runs there)") for f in layers)


@pytest.mark.parametrize("tail, why", [
    # Keras layers do not share variables through scopes: a file that shares keeps its TF1 layers.
    ("\n            self.z = tf.layers.dense(h, 3, name='z', reuse=tf.AUTO_REUSE)", "reuse"),
    # Nor do they take a scope's default initializer.
    ("\n            with tf.variable_scope('s', initializer=tf.ones_initializer()):"
     "\n                self.z = tf.layers.dense(h, 3)", "scope initializer"),
    # A Keras 3 layer reads `training` as a Python bool: a fed tensor fails there.
    ("\n            self.t = tf.placeholder(tf.bool)\n            self.z = tf.layers.dropout(h, training=self.t)",
     "training tensor"),
])
def test_what_keras_3_layers_would_not_reproduce_keeps_tf1_layers(tail, why):
    text = textwrap.dedent(PROGRAM.format(tail=tail))
    fixed = process_text(text, "net.py", FIX)
    left = [f.start.line for f in fixed.remaining if f.code == "TFM106"]
    if why == "reuse":  # nothing in the file is rewritten: one shared name is enough
        assert "tf.keras.layers" not in fixed.new_text
        assert left == [9, 10, 11, 12, 13, 14]
    elif why == "scope initializer":
        assert "tf.keras.layers" not in fixed.new_text
        assert left == [9, 10, 11, 12, 13, 15]
    else:  # only that call
        assert fixed.new_text.count("tf.keras.layers.") == 5
        assert left == [15]
    check = process_text(text, "net.py", Options())
    unfixable = [f for f in check.findings if f.code == "TFM106" and not f.fixable]
    assert unfixable and all("fallback calls the Keras 3 layer" not in f.message for f in unfixable)


def test_dropout_stays_where_a_saver_may_restore_a_tf1_checkpoint():
    # Keras 3's Dropout adds its seed generator's state to the graph's variables; a TF1 checkpoint has none.
    text = textwrap.dedent(PROGRAM.format(tail="\n            self.saver = tf.train.Saver()"))
    fixed = process_text(text, "net.py", FIX)
    assert fixed.new_text.count("tf.keras.layers.") == 4
    assert "self.y = tf.layers.dropout(h, rate=0.5, training=True)" in fixed.new_text
    assert [f.start.line for f in fixed.remaining if f.code == "TFM106"] == [13]


def test_a_program_the_eager_rewrite_takes_builds_its_layers_once():
    eager = textwrap.dedent("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.layers.dense(x, 3)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))
    """)
    new = process_text(eager, "b.py", FIX).new_text
    assert "y_layer = tf.keras.layers.Dense(3)" in new  # built once, outside the function that calls it
