"""TFM112: TensorFlow 0.x names migrate exactly as the TensorFlow 1.x program that names them anew."""
from __future__ import annotations

import re

import pytest

from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status
from tfmigrate.rules import _tf

# Gradient descent on (2 * (w1 + w2) - 3)^2, with summaries: a program the graph-to-eager
# rewrite makes idiomatic.
EAGER = '''import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
w = tf.Variable(tf.ones([2, 1]))
y = tf.mul(tf.matmul(x, w), 2.0)
loss = tf.reduce_mean(tf.square(tf.sub(y, 3.0)))
tf.scalar_summary("loss", loss)
merged = tf.merge_all_summaries()
train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
with tf.Session() as sess:
    writer = tf.train.SummaryWriter("logs", sess.graph)
    sess.run(tf.global_variables_initializer())
    for step in range(30):
        _, l, s = sess.run([train, loss, merged], feed_dict={x: np.ones((4, 2), np.float32)})
        writer.add_summary(s, step)
    print(sess.run(tf.pack([loss, loss]), feed_dict={x: np.ones((4, 2), np.float32)}))
'''

# A queue keeps this one on tensorflow.compat.v1.
COMPAT = '''import tensorflow as tf

a = tf.constant([1.0, 2.0])
b = tf.constant([3.0, 4.0])
c = tf.concat_v2([tf.mul(a, b), tf.neg(a)], 0)
d = tf.unpack(tf.pack([a, b]))
tf.histogram_summary("c", c)
summary = tf.merge_summary([tf.scalar_summary("s", tf.reduce_sum(c))])
q = tf.FIFOQueue(3, tf.float32)
with tf.Session() as sess:
    writer = tf.train.SummaryWriter("logs", sess.graph)
    sess.run(q.enqueue(c[0]))
    print(sess.run([c, d, q.dequeue()]))
'''


def _one_x(source: str) -> str:
    """The program with TensorFlow 1.x's names, written by hand from the table."""
    for old, new in sorted(_tf.PRE_1_0.items(), key=lambda item: -len(item[0])):
        source = re.sub(rf"\btf\.{re.escape(old)}\b", f"tf.{new}", source)
    return source


def test_the_one_x_programs_are_what_tensorflow_1_names():
    assert "tf.multiply(tf.matmul(x, w), 2.0)" in _one_x(EAGER)
    assert "writer = tf.summary.FileWriter(" in _one_x(EAGER)
    assert 'summary = tf.summary.merge([tf.summary.scalar("s", tf.reduce_sum(c))])' in _one_x(COMPAT)
    assert "c = tf.concat([tf.multiply(a, b), tf.negative(a)], 0)" in _one_x(COMPAT)


@pytest.mark.parametrize("source, status", [(EAGER, Status.IDIOMATIC), (COMPAT, Status.COMPAT)])
def test_a_tf0_program_migrates_to_the_rewrite_of_its_tf1_twin(source, status):
    old = process_text(source, "old.py", Options(fix=True, unsafe_fixes=True))
    new = process_text(_one_x(source), "new.py", Options(fix=True, unsafe_fixes=True))
    assert old.new_text == new.new_text
    assert old.status is new.status is status
    # check predicts what fix reaches, as for the 1.x program
    assert process_text(source, "old.py", Options()).status is status
    assert [f.code for f in old.remaining] == [f.code for f in new.remaining]
    assert not re.search(r"\btf\.(mul|sub|neg|pack|unpack|concat_v2|\w+_summary|merge_all_summaries)\(",
                         old.new_text)
    assert "SummaryWriter" not in old.new_text


def test_findings_name_the_one_x_name_and_the_fix_keeps_the_alias():
    found = process_text("import tensorflow.compat.v1 as tf1\nz = tf1.mul(a, b)\nw = tf1.train.SummaryWriter(d)\n",
                         "x.py", Options(fix=True))
    assert [(f.code, f.start.line, f.message.split(",")[0]) for f in found.findings] == [
        ("TFM112", 2, "`tf.mul` is TensorFlow 0.x's name of `tf.multiply`"),
        ("TFM112", 3, "`tf.train.SummaryWriter` is TensorFlow 0.x's name of `tf.summary.FileWriter`"),
    ]
    assert found.new_text == ("import tensorflow.compat.v1 as tf1\nz = tf1.multiply(a, b)\n"
                                "w = tf1.summary.FileWriter(d)\n")


def test_imports_of_old_names():
    fixed = process_text("from tensorflow import mul, neg as negate\nz = negate(mul(a, b))\n", "x.py",
                         Options(fix=True))
    assert fixed.new_text == "from tensorflow import multiply as mul, negative as negate\nz = negate(mul(a, b))\n"
    left = process_text("from tensorflow import scalar_summary\n", "x.py", Options(fix=True))
    assert [(f.code, f.fix is None) for f in left.remaining] == [("TFM112", True)]
    assert left.status is Status.MANUAL


def test_names_of_other_modules_and_current_names_are_left_alone():
    for source in ("import numpy as tf\ny = tf.mul(a, b)\n", "import tensorflow as tf\ny = tf.multiply(a, b)\n",
                   "import tensorflow as tf\ny = tf.select(c, a, b)\n"):
        assert [f.code for f in process_text(source, "x.py", Options()).findings if f.code == "TFM112"] == []
