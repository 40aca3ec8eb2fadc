"""The global step a program makes once is the variable TF1 made: tf.Variable(0, dtype=tf.int64, ...)."""
from __future__ import annotations

import textwrap

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)

PROGRAM = """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None])
w = tf.Variable(0.5)
loss = tf.reduce_mean(tf.square(w * x - 2.0))
global_step = tf.train.get_or_create_global_step()
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(5):
        sess.run(train, {x: np.ones(3)})
    print(sess.run(global_step), sess.run(loss, {x: np.ones(3)}))
"""


def test_a_step_made_once_is_an_int64_variable_a_train_step_counts():
    assert process_text(PROGRAM, "gs.py", Options()).status.value == "idiomatic"
    fixed = process_text(PROGRAM, "gs.py", FIX)
    assert fixed.status.value == "idiomatic"
    new = fixed.new_text
    assert 'global_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")\n' in new
    assert "    global_step.assign_add(1)\n" in new
    printed = run_in_tensorflow("tf1", PROGRAM, "gs.py")
    assert printed.startswith("5 ")
    assert run_in_tensorflow("tf2", new, "gs.py") == printed


def test_a_step_made_in_a_test_method_is_that_tests_own():
    source = textwrap.dedent("""\
        import tensorflow as tf


        class StepTest(tf.test.TestCase):

            def test_counts(self):
                with self.test_session() as sess:
                    w = tf.Variable(1.0)
                    step = tf.train.get_or_create_global_step()
                    train = tf.train.GradientDescentOptimizer(0.5).minimize(w * w, global_step=step)
                    sess.run(tf.global_variables_initializer())
                    sess.run(train)
                    self.assertEqual(sess.run(step), 1)
        """)
    fixed = process_text(source, "step_test.py", FIX)
    assert fixed.status.value == "idiomatic"
    assert 'step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")' in fixed.new_text


def test_a_step_looked_up_again_or_made_twice_keeps_the_reason():
    looked_up = PROGRAM.replace("    print(sess.run(global_step)", "    print(sess.run(tf.train.get_global_step())")
    twice = PROGRAM.replace("loss = tf.reduce_mean", "other = tf.train.get_or_create_global_step()\nloss = tf.reduce_mean")
    for source in (looked_up, twice):
        reasons = [f.message for f in process_text(source, "gs.py", Options()).findings if f.code == "TFM090"]
        assert any("get_or_create_global_step" in r or "get_global_step" in r for r in reasons), reasons


MAIN = """\
import numpy as np
import tensorflow as tf


def main(_):
    x = tf.placeholder(tf.float32, [None])
    w = tf.Variable(0.5)
    loss = tf.reduce_mean(tf.square(w * x - 2.0))
    global_step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            sess.run(train, {x: np.ones(3)})
        print(sess.run(global_step))


if __name__ == "__main__":
    tf.app.run()
"""


def test_a_step_made_in_the_main_that_runs_the_program_is_a_variable_there():
    fixed = process_text(MAIN, "gs.py", FIX)
    assert fixed.status.value == "idiomatic"
    assert '    global_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")\n' in fixed.new_text
    assert "        global_step.assign_add(1)\n" in fixed.new_text


def test_a_step_made_in_a_function_called_twice_keeps_the_reason():
    twice = MAIN.replace('if __name__ == "__main__":\n    tf.app.run()', "main(None)\nmain(None)")
    reasons = [f.message for f in process_text(twice, "gs.py", Options()).findings if f.code == "TFM090"]
    assert any("get_or_create_global_step" in r for r in reasons), reasons
