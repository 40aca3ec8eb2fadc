"""TFM121: code that only TensorFlow before 1.0 ran goes; the branch TensorFlow 1.x ran is migrated."""
from __future__ import annotations

import textwrap

import pytest

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)

# The three shapes GAN code of 2016-2017 used to run on TensorFlow 0.12 and 1.0 alike.
PROGRAM = """\
import numpy as np
import tensorflow as tf

try:
    scalar_summary = tf.scalar_summary
except AttributeError:
    scalar_summary = tf.summary.scalar

if "concat_v2" in dir(tf):
    def concat(tensors, axis):
        return tf.concat_v2(tensors, axis)
else:
    def concat(tensors, axis):
        return tf.concat(tensors, axis)


def deconv(x, w, shape):
    try:
        y = tf.nn.conv2d_transpose(x, w, output_shape=shape, strides=[1, 2, 2, 1])
    # TensorFlow before 0.7
    except AttributeError:
        y = tf.nn.deconv2d(x, w, output_shape=shape, strides=[1, 2, 2, 1])
    return y


x = tf.placeholder(tf.float32, [1, 2, 2, 1])
w = tf.constant(np.arange(4, dtype=np.float32).reshape(2, 2, 1, 1))
y = concat([deconv(x, w, [1, 4, 4, 1]), tf.ones([1, 4, 4, 1])], 3)
with tf.Session() as sess:
    print(sess.run(tf.reduce_sum(y, [0, 1, 2]), feed_dict={x: np.ones([1, 2, 2, 1])}).tolist())
"""


def test_the_branch_tensorflow_1_ran_takes_the_place_of_the_fallback():
    check = process_text(PROGRAM, "gan.py", Options())
    assert [(f.code, f.start.line) for f in check.findings if f.code in ("TFM121", "TFM107")] == [
        ("TFM121", 4), ("TFM121", 9), ("TFM121", 18)]  # tf.nn.deconv2d: no TFM107, the fix removes it
    assert check.status.value == "idiomatic"
    fixed = process_text(PROGRAM, "gan.py", FIX)
    assert fixed.status.value == "idiomatic"
    assert fixed.new_text.startswith(textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf

        scalar_summary = tf.summary.scalar

        def concat(tensors, axis):
            return tf.concat(tensors, axis)


        def deconv(x, w, shape):
            y = tf.nn.conv2d_transpose(x, w, output_shape=shape, strides=[1, 2, 2, 1])
            return y
        """))
    assert "deconv2d(" not in fixed.new_text and "dir(tf)" not in fixed.new_text
    printed = run_in_tensorflow("tf1", PROGRAM, "gan.py")
    assert printed == "[24.0, 16.0]\n"
    assert run_in_tensorflow("tf2", fixed.new_text, "gan.py") == printed


@pytest.mark.parametrize("source", [
    # the body may have done something before it failed
    "import tensorflow as tf\ntry:\n    n = count()\n    f = tf.image_summary\nexcept AttributeError:\n"
    "    f = tf.summary.image\n",
    # an else, a finally, two handlers: left as written
    "import tensorflow as tf\ntry:\n    f = tf.image_summary\nexcept AttributeError:\n    f = tf.summary.image\n"
    "else:\n    g = 1\n",
    "import tensorflow as tf\ntry:\n    f = tf.image_summary\nexcept KeyError:\n    f = 1\n"
    "except AttributeError:\n    f = tf.summary.image\n",
    # a handler for another error
    "import tensorflow as tf\ntry:\n    f = tf.image_summary\nexcept ImportError:\n    f = tf.summary.image\n",
    # both branches hold an old name, or neither
    "import tensorflow as tf\ntry:\n    f = tf.image_summary\nexcept AttributeError:\n    f = tf.nn.deconv2d\n",
    "import tensorflow as tf\ntry:\n    f = tf.contrib.layers.flatten\nexcept AttributeError:\n"
    "    f = tf.keras.layers.Flatten\n",
    # a question whose answer TensorFlow 1.x and 2 do not share
    "import tensorflow as tf\nif hasattr(tf, 'contrib'):\n    a = 1\nelse:\n    a = 2\n",
    "import tensorflow as tf\nif hasattr(tf, 'Session'):\n    a = 1\n",
    # the handler's name would be unbound
    "import tensorflow as tf\ntry:\n    f = tf.image_summary\nexcept AttributeError as e:\n    f = tf.summary.image\n",
])
def test_what_tensorflow_1_may_have_run_otherwise_stays(source):
    assert [f for f in process_text(source, "a.py", Options()).findings if f.code == "TFM121"] == []


def test_an_if_without_else_whose_answer_is_no_goes_and_an_elif_is_left():
    source = ("import tensorflow as tf\nx = 1\nif hasattr(tf.nn, 'deconv2d'):\n    x = tf.nn.deconv2d\n"
              "if not hasattr(tf.nn, 'deconv2d'):\n    y = 2\n"
              "if x:\n    pass\nelif 'concat_v2' in dir(tf):\n    z = 3\n")
    fixed = process_text(source, "a.py", Options(fix=True))
    assert fixed.new_text == ("import tensorflow as tf\nx = 1\ny = 2\n"
                              "if x:\n    pass\nelif 'concat_v2' in dir(tf):\n    z = 3\n")
