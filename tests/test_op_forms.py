"""TFM113: TF1-only op functions written as the TensorFlow 2 ops they ran."""
from __future__ import annotations

from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status


def _codes(outcome):
    return [(f.code, f.start.line) for f in outcome.findings]


def test_eager_code_gets_the_ops_and_no_other_finding():
    source = ("import tensorflow as tf\n"
              "def head(x, w, b):\n"
              "    return tf.nn.xw_plus_b(x, w, b)\n"
              "def up(images):\n"
              "    return tf.image.resize_nearest_neighbor(images, (8, 8), False, 'up')\n")
    fixed = process_text(source, "x.py", Options(fix=True))
    assert _codes(fixed) == [("TFM113", 3), ("TFM113", 5)]
    assert fixed.new_text == (
        "import tensorflow as tf\n"
        "def head(x, w, b):\n"
        "    return tf.nn.bias_add(tf.matmul(x, w), b)\n"
        "def up(images):\n"
        "    return tf.raw_ops.ResizeNearestNeighbor(images=images, size=(8, 8), align_corners=False, name='up')\n")
    assert fixed.status is Status.IDIOMATIC


def test_a_file_kept_on_compat_v1_keeps_them():
    source = ("import tensorflow as tf\n"
              "q = tf.FIFOQueue(3, tf.float32)\n"
              "y = tf.nn.xw_plus_b(tf.ones([1, 2]), tf.ones([2, 1]), tf.zeros([1]))\n"
              "with tf.Session() as sess:\n"
              "    sess.run(q.enqueue(1.0))\n"
              "    print(sess.run([y, q.dequeue()]))\n")
    fixed = process_text(source, "x.py", Options(fix=True, unsafe_fixes=True))
    assert "TFM113" not in {code for code, _ in _codes(fixed)}
    assert fixed.status is Status.COMPAT
    assert "y = tf.nn.xw_plus_b(tf.ones([1, 2]), tf.ones([2, 1]), tf.zeros([1]))\n" in fixed.new_text
    assert fixed.new_text.startswith("import tensorflow.compat.v1 as tf\n")


def test_calls_it_cannot_spell_are_left_to_tfm105():
    for call in ("tf.nn.xw_plus_b(*args)", "tf.image.resize_bilinear(images)", "tf.nn.xw_plus_b(x, w, b, x=x)"):
        found = process_text(f"import tensorflow as tf\ny = {call}\n", "x.py", Options())
        assert [code for code, _ in _codes(found)] == ["TFM105"], call
