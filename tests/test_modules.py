"""Model functions under variable scopes become tf.Module classes: exact rewrites, and
the cases that stay on tensorflow.compat.v1 with the reason."""
from __future__ import annotations

import textwrap

import pytest

from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)


def fix(source: str) -> str:
    return process_text(textwrap.dedent(source), "case.py", FIX).new_text


def statuses(source: str):
    text = textwrap.dedent(source)
    return process_text(text, "case.py", Options()).status.value, process_text(text, "case.py", FIX).status.value


def reason(source: str) -> str:
    outcome = process_text(textwrap.dedent(source), "case.py", FIX)
    return [f.message for f in outcome.remaining if f.code == "TFM090"][0]


DISCRIMINATOR = """\
    import tensorflow as tf
    real = tf.placeholder(tf.float32, [None, 2])
    fake = tf.placeholder(tf.float32, [None, 2])


    def discriminator(x, reuse=False):
        with tf.variable_scope("discriminator", reuse=reuse):
            with tf.variable_scope("hidden"):
                w = tf.get_variable("w", [2, 4], initializer=tf.constant_initializer(0.2))
                h = tf.nn.relu(tf.matmul(x, w))
            with tf.variable_scope("out"):
                w = tf.get_variable("w", [4, 1])
                return tf.matmul(h, w)


    d_real = discriminator(real)
    d_fake = discriminator(fake, reuse=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run(d_real - d_fake, feed_dict={real: [[1.0, 2.0]], fake: [[0.0, 1.0]]}))
"""


def test_a_function_called_twice_with_reuse_is_one_instance_of_a_module_named_as_tf1_named_it():
    assert statuses(DISCRIMINATOR) == ("idiomatic", "idiomatic")
    assert fix(DISCRIMINATOR) == textwrap.dedent("""\
        import tensorflow as tf


        class Discriminator(tf.Module):
            def __init__(self, name="discriminator"):
                super().__init__(name=name)
                with self.name_scope:
                    self.w = tf.Variable(tf.constant_initializer(0.2)(shape=[2, 4]), name='hidden/w')
                    self.w_1 = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[4, 1]), name='out/w')

            def __call__(self, x):
                h = tf.nn.relu(tf.matmul(x, self.w))
                return tf.matmul(h, self.w_1)


        discriminator = Discriminator()

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def d_real(real):
            return discriminator(real)

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def d_fake(fake):
            return discriminator(fake)

        print((d_real([[1.0, 2.0]]) - d_fake([[0.0, 1.0]])).numpy())
    """)
