"""TF1's RMSPropOptimizer: the rewrite's TF1RMSprop starts the mean square at ones, as TF1's did."""
from __future__ import annotations

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text

# Two variables trained by RMSProp with momentum, two by centered RMSProp; a small tanh network by plain
# RMSProp for 100 steps, where Keras's order of the same update drifts from TF1's (1.5e-5 at the end; on
# other data 10-20%): TF1RMSprop runs TF1's kernel, and prints TF1's numbers to the last digit.
PROGRAM = """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
w = tf.Variable([[0.5], [-0.3]])
v = tf.Variable([[0.2], [0.1]])
loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
loss2 = tf.reduce_mean(tf.square(tf.matmul(x, v) + 1.0 - y))
train = tf.train.RMSPropOptimizer(0.01, momentum=0.5).minimize(loss, var_list=[w])
train2 = tf.train.RMSPropOptimizer(0.02, decay=0.8, centered=True).minimize(loss2, var_list=[v])
rng = np.random.RandomState(4)
xtr = rng.randn(200, 10).astype(np.float32)
ytr = (xtr.sum(axis=1, keepdims=True) * 0.3).astype(np.float32)
xn = tf.placeholder(tf.float32, [None, 10])
yn = tf.placeholder(tf.float32, [None, 1])
w1 = tf.Variable(rng.randn(10, 16).astype(np.float32) * 0.1)
w2 = tf.Variable(rng.randn(16, 1).astype(np.float32) * 0.1)
loss3 = tf.reduce_mean(tf.square(tf.matmul(tf.tanh(tf.matmul(xn, w1)), w2) - yn))
train3 = tf.train.RMSPropOptimizer(0.01).minimize(loss3)
data = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], np.float32)
target = np.array([[1.0], [2.0], [0.0]], np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(30):
        _, _, l, l2 = sess.run([train, train2, loss, loss2], {x: data, y: target})
    print(l, l2, sess.run(w).ravel(), sess.run(v).ravel())
    for step in range(100):
        sess.run(train3, feed_dict={xn: xtr, yn: ytr})
    print(sess.run(loss3, feed_dict={xn: xtr, yn: ytr}))
"""


def test_tf1_rmsprop_with_momentum_and_centered_computes_what_tf1_computed():
    check = process_text(PROGRAM, "rms.py", Options())
    assert [f.message for f in check.findings if f.code == "TFM005"] == [
        "`tf.train.RMSPropOptimizer` does not exist in TensorFlow 2: use `tf.optimizers.RMSprop` (TF1's starts its "
        "mean square at ones, Keras's at zeros: the rewrite writes a TF1RMSprop class, Keras's RMSprop starting "
        "it at ones)"] * 3
    fixed = process_text(PROGRAM, "rms.py", Options(fix=True, unsafe_fixes=True))
    assert fixed.status.value == "idiomatic"
    new = fixed.new_text
    assert new.count("class TF1RMSprop(tf.keras.optimizers.RMSprop):") == 1
    assert "optimizer = TF1RMSprop(0.01, momentum=0.5, epsilon=1e-10)\n" in new
    assert "TF1RMSprop(0.02, rho=0.8, centered=True, epsilon=1e-10)\n" in new
    assert "tf.raw_ops.ResourceApplyCenteredRMSProp(" in new and "tf.raw_ops.ResourceApplyRMSProp(" in new
    assert "not numerically equivalent" not in " ".join(f.message for f in fixed.findings)
    printed = run_in_tensorflow("tf1", PROGRAM, "rms.py")
    assert run_in_tensorflow("tf2", new, "rms.py") == printed


def test_the_class_written_into_a_crlf_file_has_its_line_ends_docstring_included():
    crlf = PROGRAM.replace("\n", "\r\n")
    new = process_text(crlf, "rms.py", Options(fix=True, unsafe_fixes=True)).new_text
    assert "class TF1RMSprop(" in new and "\n" not in new.replace("\r\n", "")
