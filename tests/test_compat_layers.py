"""tf.layers in a program kept on tensorflow.compat.v1: TF1's layers written into the file as helpers, or
Keras 3 layers called on the graph tensors.

That they run there, on TensorFlow 2.21 without tf-keras, and print what the TF1 layers printed,
is proven by test_verify (``keras3 compat``); these cases pin the rewrite and where it stops.
"""
from __future__ import annotations

import textwrap

import pytest

from conftest import run_in_tensorflow
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


def test_the_fallback_calls_helpers_with_tf1s_variables_or_keras_3_layers_with_tf1s_arguments():
    text = textwrap.dedent(PROGRAM.format(tail=""))
    fixed = process_text(text, "net.py", FIX)
    new = fixed.new_text
    assert new.startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n\n\ndef layers_dense(inputs, ")
    assert new.count("\ndef layers_dense(") == new.count("\ndef layers_conv2d(") == new.count("\ndef layers_dropout(") == 1
    # dense and conv2d make TF1's variables (and draws) with tf.get_variable, dropout TF1's tf.nn.dropout
    # (Keras 3's adds a seed variable and draws its own way); the others make none
    assert new[new.index("class Net:"):] == textwrap.dedent("""\
        class Net:
            def __init__(self):
                self.x = tf.placeholder(tf.float32, [None, 8, 8, 1])
                with tf.variable_scope("block"):
                    c = layers_conv2d(self.x, 4, 3, padding="same", activation=tf.nn.relu)
                    p = tf.keras.layers.MaxPooling2D(pool_size=2, strides=2)(c)
                    f = tf.keras.layers.Flatten()(p)
                    h = layers_dense(f, 3, tf.nn.relu, kernel_initializer=tf.truncated_normal_initializer(stddev=0.1))
                    self.y = layers_dropout(h, rate=0.5, training=True)
                self.sess = tf.Session()
                self.sess.run(tf.global_variables_initializer())
    """)
    assert not [f for f in fixed.remaining if f.code == "TFM106"]
    assert fixed.status.value == "compat-only"
    check = process_text(text, "net.py", Options())
    # checked after the fix, the file names the helper: the rewrite of the file as it was, with the pooling
    # and flatten layers the fallback made Keras 3 calls, would stop at those
    again = process_text(new, "net.py", Options())
    assert [f.message for f in again.findings if f.code == "TFM090"] == [
        "kept on tensorflow.compat.v1: layers_dense is a TF1 layer a fix wrote into the file (it runs on "
        "tensorflow.compat.v1)"]
    layers = [f for f in check.findings if f.code == "TFM106"]
    assert [f.start.line for f in layers] == [8, 9, 10, 11, 12]
    assert all(f.fixable for f in layers)
    assert [f.message.endswith("(the tensorflow.compat.v1 fallback calls the Keras 3 layer, which runs there)")
            for f in layers] == [False, True, True, False, False]
    # a layer the helper does not take (a constraint) is Keras 3's
    constrained = text.replace("padding=\"same\",", "padding=\"same\", kernel_constraint=None,")
    assert "tf.keras.layers.Conv2D(4, kernel_size=3, padding=\"same\", kernel_constraint=None" in process_text(
        constrained, "net.py", FIX).new_text


def test_a_fixed_file_checked_again_says_why_it_stays_on_compat_v1_as_the_original_did():
    source = textwrap.dedent("""\
        import tensorflow as tf


        class Net:
            def __init__(self):
                self.x = tf.placeholder(tf.float32, [None, 4])
                with tf.variable_scope("block"):
                    self.y = tf.layers.dense(self.x, 3, tf.nn.relu)
                self.sess = tf.Session()
                self.sess.run(tf.global_variables_initializer())
    """)
    fixed = process_text(source, "net.py", FIX)
    assert "\ndef layers_dense(" in fixed.new_text and fixed.status.value == "compat-only"
    why = [f.message for f in process_text(source, "net.py", Options()).findings if f.code == "TFM090"]
    again = [f.message for f in process_text(fixed.new_text, "net.py", Options()).findings if f.code == "TFM090"]
    assert again == why  # not "layers_dense is a TF1 layer a fix wrote into the file"
    assert why[0].startswith("kept on tensorflow.compat.v1: class Net holds TensorFlow graph objects")


@pytest.mark.parametrize("tail, why", [
    # Keras layers do not share variables through scopes: in a file that shares, the layers that make
    # variables call helpers that make TF1's (test below), the others (pooling, flatten) Keras 3's.
    ("\n            self.z = tf.layers.dense(h, 3, name='z', reuse=tf.AUTO_REUSE)", "reuse"),
    # Nor do they take a scope's default initializer.
    ("\n            with tf.variable_scope('s', initializer=tf.ones_initializer()):"
     "\n                self.z = tf.layers.dense(h, 3)", "scope initializer"),
])
def test_layers_that_make_variables_where_scopes_share_them_call_helpers(tail, why):
    text = textwrap.dedent(PROGRAM.format(tail=tail))
    fixed = process_text(text, "net.py", FIX)
    left = [f.start.line for f in fixed.remaining if f.code == "TFM106"]
    assert fixed.new_text.count("tf.keras.layers.") == 2  # pooling and flatten
    assert fixed.new_text.count("layers_dense(") == 3 and fixed.new_text.count("layers_conv2d(") == 2
    assert left == []


def test_dropout_fed_a_training_tensor_calls_the_helper():
    # A Keras 3 layer reads `training` as a Python bool (a fed tensor fails there); TF1's layer, and the
    # helper, take a boolean tensor (tf.cond).
    tail = "\n            self.t = tf.placeholder(tf.bool)\n            self.z = tf.layers.dropout(h, training=self.t)"
    fixed = process_text(textwrap.dedent(PROGRAM.format(tail=tail)), "net.py", FIX)
    assert "\n        self.z = layers_dropout(h, training=self.t)\n" in fixed.new_text
    assert [f for f in fixed.remaining if f.code == "TFM106"] == []
    assert fixed.new_text.count("tf.keras.layers.") == 2  # pooling and flatten


def test_dropout_adds_no_variable_where_a_saver_may_restore_a_tf1_checkpoint():
    # Keras 3's Dropout adds its seed generator's state to the graph's variables; a TF1 checkpoint has none.
    text = textwrap.dedent(PROGRAM.format(tail="\n            self.saver = tf.train.Saver()"))
    fixed = process_text(text, "net.py", FIX)
    assert fixed.new_text.count("tf.keras.layers.") == 2  # pooling and flatten; dense, conv2d, dropout: helpers
    assert "self.y = layers_dropout(h, rate=0.5, training=True)" in fixed.new_text
    assert [f for f in fixed.remaining if f.code == "TFM106"] == []


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


SHARED = """\
import numpy as np
import tensorflow as tf

tf.set_random_seed(1)
training = tf.placeholder_with_default(False, [])
dropped = tf.layers.dropout(tf.ones([3, 4]), 0.5, noise_shape=[None, 1], training=training)


def discriminator(x, reuse=False):
    with tf.variable_scope("disc", reuse=reuse, initializer=tf.constant_initializer(0.1)):
        h = tf.layers.conv2d(x, 2, 3, padding="same", activation=tf.nn.relu)
        h = tf.layers.flatten(h)
        h = tf.layers.dense(h, 3, tf.nn.relu, bias_initializer=tf.constant_initializer(0.5),
                            kernel_regularizer=tf.keras.regularizers.l2(0.5))
        return tf.layers.dense(h, 1, name="out")


real = tf.placeholder(tf.float32, [None, 4, 4, 1])
fake = tf.placeholder(tf.float32, [None, 4, 4, 1])
d_real = discriminator(real)
d_fake = discriminator(fake, reuse=True)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sorted((v.name, v.shape.as_list()) for v in tf.global_variables()))
    r, f = sess.run([d_real, d_fake], {real: np.ones([1, 4, 4, 1]), fake: np.full([1, 4, 4, 1], 2.0)})
    print(r.tolist(), f.tolist())
    print(sess.run(dropped, {training: True}).tolist(), sess.run(dropped).tolist())
    print("regularization", sess.run(tf.losses.get_regularization_loss()))
"""


def test_layers_that_share_variables_through_scopes_get_tf1s_variables_from_a_helper():
    fixed = process_text(SHARED, "gan.py", FIX)
    assert fixed.status.value == "compat-only"
    assert [f.code for f in fixed.remaining if f.code in ("TFM106", "TFM107")] == []
    text = fixed.new_text
    assert "            h = layers_conv2d(x, 2, 3, padding=\"same\", activation=tf.nn.relu)\n" not in text
    assert "        h = layers_conv2d(x, 2, 3, padding=\"same\", activation=tf.nn.relu)\n" in text
    assert "        h = tf.keras.layers.Flatten()(h)\n" in text  # no variables: Keras 3's
    assert "        return layers_dense(h, 1, name=\"out\")\n" in text
    assert text.count("\ndef layers_dense(") == text.count("\ndef layers_conv2d(") == 1
    check = process_text(SHARED, "gan.py", Options())
    assert check.status.value == "compat-only"
    assert any("makes TF1's variables with tf.get_variable" in f.message for f in check.findings)
    # TF1's layers (Keras 2) and the helpers (no Keras at all) make the same variables, shared the same way,
    # and drop the same rows (one mask value per row: noise_shape's None is the input's 3)
    printed = {mode: run_in_tensorflow(mode, source, "gan.py") for mode, source in (("tf1", SHARED), ("tf2-compat", text))}
    assert printed["tf2-compat"] == printed["tf1"]
    assert "('disc/out/kernel:0', [3, 1])" in printed["tf1"]
    # d_real is 0.75 (float32: 0.75 or 0.7499999403953552, by the CPU's kernels)
    assert abs(float(printed["tf1"].split("\n")[1].split("]]")[0].strip("[")) - 0.75) < 1e-6
    assert " [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]\n" in printed["tf1"]
    # a Keras regularizer on a helper's kernel (Keras 3's reads the variable first): 0.5 * (32 * 3) * 0.1 ** 2,
    # once (the second call shares the kernel)
    assert printed["tf1"].endswith("regularization 0.48000002\n")


def test_helpers_written_into_a_crlf_file_have_its_line_ends():
    crlf = textwrap.dedent(PROGRAM.format(tail="")).replace("\n", "\r\n")
    new = process_text(crlf, "net.py", FIX).new_text
    assert "def layers_dropout(" in new and "\n" not in new.replace("\r\n", "")


BATCH_NORM = """\
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 3])
images = tf.placeholder(tf.float32, [None, 2, 2, 3])
training = tf.placeholder(tf.bool, [])
h = tf.layers.dense(x, 4, kernel_initializer=tf.constant_initializer(0.5))
h = tf.layers.batch_normalization(h, momentum=0.5, training=training)
c = tf.layers.batch_normalization(images, momentum=0.9, training=training, name="bn_images")
n = tf.layers.batch_normalization(images, momentum=0.8, fused=False, center=False, training=True)
s = tf.layers.batch_normalization(tf.reshape(images, [-1, 4, 3]), 1, 0.7, scale=False, training=True)
again = tf.layers.batch_normalization(images, name="bn_images", reuse=True)
loss = tf.reduce_mean(tf.square(h - 1.0)) + tf.reduce_mean(c) + tf.reduce_mean(n * n) + tf.reduce_mean(s)
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.control_dependencies(update_ops):
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
rng = np.random.RandomState(0)
data, pictures = rng.randn(5, 3).astype(np.float32), rng.randn(3, 2, 2, 3).astype(np.float32) * 2 + 1
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(3):
        print(round(float(sess.run([train, loss], {x: data + step, images: pictures * step, training: True})[1]), 4))
    for value in sess.run([h, c, again, n, s], {x: data, images: pictures, training: False}):
        print([round(float(v), 4) for v in value.ravel()[:6]])
    for v in tf.global_variables():
        print(v.name, [round(float(n), 4) for n in sess.run(v).ravel()[:3]])
    print(len(update_ops), sorted(v.name for v in tf.trainable_variables()))
"""


def test_batch_normalization_calls_a_helper_that_updates_the_moving_averages_through_update_ops():
    fixed = process_text(BATCH_NORM, "bn.py", FIX)
    assert fixed.status.value == "compat-only"
    text = fixed.new_text
    assert text.count("\ndef layers_batch_normalization(") == 1
    assert text[text.index("h = layers_dense("):text.index("loss = ")] == (
        "h = layers_dense(x, 4, kernel_initializer=tf.constant_initializer(0.5))\n"
        "h = layers_batch_normalization(h, momentum=0.5, training=training)\n"
        "c = layers_batch_normalization(images, momentum=0.9, training=training, name=\"bn_images\")\n"
        "n = layers_batch_normalization(images, momentum=0.8, fused=False, center=False, training=True)\n"
        "s = layers_batch_normalization(tf.reshape(images, [-1, 4, 3]), 1, 0.7, scale=False, training=True)\n"
        "again = layers_batch_normalization(images, name=\"bn_images\", reuse=True)\n")
    assert not [f for f in fixed.remaining if f.code == "TFM106"]
    # Keras 2's layer (TF1's, from tf-keras) and the helper: the same losses while training (the fused kernel
    # on rank 4, tf.nn.moments elsewhere, a training tensor), the same moving averages, variables and sharing
    printed = {mode: run_in_tensorflow(mode, source, "bn.py")
               for mode, source in (("tf1", BATCH_NORM), ("tf2-compat", text))}
    assert printed["tf2-compat"] == printed["tf1"]
    assert printed["tf1"].startswith("1.9958\n2.743\n2.3807\n")
    assert "bn_images/moving_variance:0 [3.749, 3.5764, 2.8147]\n" in printed["tf1"]
    assert printed["tf1"].endswith(
        "8 ['batch_normalization/beta:0', 'batch_normalization/gamma:0', 'batch_normalization_1/gamma:0', "
        "'batch_normalization_2/beta:0', 'bn_images/beta:0', 'bn_images/gamma:0', 'dense/bias:0', 'dense/kernel:0']\n")


def test_batch_normalization_the_helper_does_not_take_keeps_its_finding():
    source = ("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\n"
              "y = tf.layers.batch_normalization(x, renorm=True, training=True)\n"
              "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n")
    fixed = process_text(source, "bn.py", FIX)
    assert "tf.layers.batch_normalization(x, renorm=True, training=True)" in fixed.new_text
    assert [f.code for f in fixed.remaining if f.code == "TFM106"] == ["TFM106"]


TRANSPOSED = """\
import numpy as np
import tensorflow as tf

tf.set_random_seed(1)
z = tf.placeholder(tf.float32, [None, 3, 3, 2])


def generator(z, reuse=False):
    with tf.variable_scope("gen", reuse=reuse):
        h = tf.layers.conv2d_transpose(z, 4, 3, strides=2, padding="same", activation=tf.nn.relu)
        h = tf.layers.conv2d_transpose(h, 2, [2, 3], (1, 2), name="out", use_bias=False)
        return tf.layers.conv2d_transpose(h, 1, 4, 3, "valid", bias_initializer=tf.constant_initializer(0.5))


a = generator(z)
b = generator(z, reuse=True)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    out_a, out_b = sess.run([a, b], {z: np.random.RandomState(0).rand(2, 3, 3, 2)})
    print(a.shape.as_list(), out_a.shape, [round(float(v), 4) for v in out_a.ravel()[:6]], (out_a == out_b).all())
    print(sorted((v.name, v.shape.as_list()) for v in tf.global_variables()))
"""


def test_conv2d_transpose_calls_a_helper_with_tf1s_variables_draws_and_output_shapes():
    fixed = process_text(TRANSPOSED, "gen.py", FIX)
    assert fixed.status.value == "compat-only"
    text = fixed.new_text
    assert text[text.index("def generator("):text.index("a = generator(z)")] == (
        "def generator(z, reuse=False):\n"
        "    with tf.variable_scope(\"gen\", reuse=reuse):\n"
        "        h = layers_conv2d_transpose(z, 4, 3, strides=2, padding=\"same\", activation=tf.nn.relu)\n"
        "        h = layers_conv2d_transpose(h, 2, [2, 3], (1, 2), name=\"out\", use_bias=False)\n"
        "        return layers_conv2d_transpose(h, 1, 4, 3, \"valid\", bias_initializer=tf.constant_initializer(0.5))\n"
        "\n\n")
    printed = {mode: run_in_tensorflow(mode, source, "gen.py")
               for mode, source in (("tf1", TRANSPOSED), ("tf2-compat", text))}
    assert printed["tf2-compat"] == printed["tf1"]
    # "same" doubles 3 to 6, "valid" adds what the kernel overhangs: 6 -> 7 x 13 -> 22 x 40
    assert printed["tf1"].startswith("[None, 22, 40, 1] (2, 22, 40, 1) [0.4995, 0.5154, ")
    assert "('gen/out/kernel:0', [2, 3, 2, 4])]" in printed["tf1"]


# A program on tensorflow.compat.v1 as written (no fallback rewrites it): TF1's layers fail there without tf-keras.
KEPT = """\
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()


def discriminator(x, training):
    with tf.variable_scope("disc", reuse=tf.AUTO_REUSE):
        h = tf.layers.conv2d(x, 2, 3, padding="same", activation=tf.nn.relu)
        h = tf.layers.batch_normalization(h, momentum=0.9, training=training)
        h = tf.layers.dropout(tf.reshape(h, [-1, 32]), 0.5, training=False)
        return tf.layers.dense(h, 1)


with tf.Graph().as_default():
    tf.set_random_seed(3)
    x = tf.placeholder(tf.float32, [None, 4, 4, 1])
    a, b = discriminator(x, True), discriminator(x, False)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        data = np.random.RandomState(0).rand(3, 4, 4, 1)
        print(sess.run([a, updates], {x: data})[0].astype(float).round(4).tolist(),
              sess.run(b, {x: data}).astype(float).round(4).tolist())
        print(sorted(v.name for v in tf.global_variables()))
"""


def test_a_file_on_compat_v1_as_written_gets_the_helpers_from_a_safe_fix():
    fixed = process_text(KEPT, "disc.py", Options(fix=True))  # safe fixes only
    assert fixed.status.value == "compat-only"
    text = fixed.new_text
    assert text.startswith("import numpy as np\nimport tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n\n\n"
                           "def layers_dense(")
    assert text[text.index("def discriminator("):text.index("with tf.Graph()")] == (
        "def discriminator(x, training):\n"
        "    with tf.variable_scope(\"disc\", reuse=tf.AUTO_REUSE):\n"
        "        h = layers_conv2d(x, 2, 3, padding=\"same\", activation=tf.nn.relu)\n"
        "        h = layers_batch_normalization(h, momentum=0.9, training=training)\n"
        "        h = layers_dropout(tf.reshape(h, [-1, 32]), 0.5, training=False)\n"
        "        return layers_dense(h, 1)\n\n\n")
    assert not [f for f in fixed.remaining if f.code == "TFM106"]
    check = process_text(KEPT, "disc.py", Options())
    assert [f.code for f in check.findings if "written into the file" in f.message] == ["TFM106"] * 4
    printed = {mode: run_in_tensorflow(mode, source, "disc.py") for mode, source in (("tf1", KEPT), ("tf2-compat", text))}
    assert printed["tf2-compat"] == printed["tf1"]  # the same draws, batch statistics and AUTO_REUSE sharing
    assert printed["tf1"].startswith("[[-0.4142], [0.7246], [-1.5762]] [[-0.1728], [0.0902], [-0.2937]]\n")


def test_tf_compat_v1_layers_spelled_out_get_helpers_on_that_spelling():
    library = """\
import numpy as np
import tensorflow as tf


def discriminator(x, training):
    with tf.compat.v1.variable_scope("disc", reuse=tf.compat.v1.AUTO_REUSE):
        h = tf.compat.v1.layers.conv2d(x, 2, 3, padding="same", activation=tf.nn.relu)
        h = tf.compat.v1.layers.batch_normalization(h, momentum=0.9, training=training)
        h = tf.compat.v1.layers.dropout(tf.reshape(h, [-1, 32]), 0.5, training=False)
        return tf.compat.v1.layers.dense(h, 1)

"""
    text = process_text(library, "disc.py", Options(fix=True)).new_text
    assert "\n    scope = tf.compat.v1.variable_scope(name or \"dense\", reuse=reuse) if reuse else " in text
    assert text.endswith(
        "        h = layers_conv2d(x, 2, 3, padding=\"same\", activation=tf.nn.relu)\n"
        "        h = layers_batch_normalization(h, momentum=0.9, training=training)\n"
        "        h = layers_dropout(tf.reshape(h, [-1, 32]), 0.5, training=False)\n"
        "        return layers_dense(h, 1)\n\n")


SEPARABLE = """\
import numpy as np
import tensorflow as tf

tf.set_random_seed(2)
x = tf.placeholder(tf.float32, [None, 5, 5, 2])


def block(x, reuse=False):
    with tf.variable_scope("block", reuse=reuse):
        h = tf.layers.separable_conv2d(x, 3, 3, padding="same", depth_multiplier=2, activation=tf.nn.relu,
                                       depthwise_regularizer=tf.keras.regularizers.l1(0.1))
        h = tf.layers.separable_conv2d(h, 2, [2, 2], (2, 2), name="down", use_bias=False)
        return tf.layers.separable_conv2d(h, 1, 1, dilation_rate=1, bias_initializer=tf.constant_initializer(0.5))


a = block(x)
b = block(x, reuse=True)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    out_a, out_b = sess.run([a, b], {x: np.random.RandomState(0).rand(2, 5, 5, 2)})
    print(a.shape.as_list(), [round(float(v), 4) for v in out_a.ravel()[:6]], (out_a == out_b).all())
    print(sorted((v.name, v.shape.as_list()) for v in tf.global_variables()))
    print("regularization", sess.run(tf.losses.get_regularization_loss()))
"""


def test_separable_conv2d_calls_a_helper_with_tf1s_depthwise_and_pointwise_variables():
    text = process_text(SEPARABLE, "block.py", FIX).new_text
    assert "        h = layers_separable_conv2d(h, 2, [2, 2], (2, 2), name=\"down\", use_bias=False)\n" in text
    printed = {mode: run_in_tensorflow(mode, source, "block.py")
               for mode, source in (("tf1", SEPARABLE), ("tf2-compat", text))}
    assert printed["tf2-compat"] == printed["tf1"]
    assert printed["tf1"].startswith("[None, 2, 2, 1] [0.4904, 0.486, 0.493, 0.485, 0.5081, 0.4959] True\n")
    assert "('block/separable_conv2d/pointwise_kernel:0', [1, 1, 4, 3])" in printed["tf1"]


def test_the_helpers_go_after_a_line_that_imports_and_does_more():
    source = ('import numpy as np\nimport tensorflow.compat.v1 as tf; tf.disable_v2_behavior()\n\n\n'
              'def head(x):\n    return tf.layers.dense(x, 2, name="head")\n')
    text = process_text(source, "head.py", Options(fix=True)).new_text
    # the helper's defaults read `tf` when it is defined: after the import, not before it
    assert text.startswith('import numpy as np\nimport tensorflow.compat.v1 as tf; tf.disable_v2_behavior()\n\n\n'
                           'def layers_dense(')
    assert text.endswith('\n\n\ndef head(x):\n    return layers_dense(x, 2, name="head")\n')
