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
        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32)]


        class Discriminator(tf.Module):
            def __init__(self, name="discriminator"):
                super().__init__(name=name)
                with self.name_scope:
                    self.w = tf.Variable(tf.constant_initializer(0.2)(shape=[2, 4]), name='hidden/w')
                    self.w2 = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[4, 1]), name='out/w')

            def __call__(self, x):
                h = tf.nn.relu(tf.matmul(x, self.w))
                return tf.matmul(h, self.w2)


        discriminator = Discriminator()

        @tf.function(input_signature=SIGNATURE)
        def d_real(real):
            return discriminator(real)

        @tf.function(input_signature=SIGNATURE)
        def d_fake(fake):
            return discriminator(fake)

        print((d_real([[1.0, 2.0]]) - d_fake([[0.0, 1.0]])).numpy())
    """)


def test_calls_under_a_module_level_scope_share_after_reuse_variables():
    source = """\
        import tensorflow as tf
        left = tf.placeholder(tf.float32, [None, 2])
        right = tf.placeholder(tf.float32, [None, 2])


        def tower(x):
            W = tf.get_variable("W", [2, 1], initializer=tf.ones_initializer())
            return tf.matmul(x, W)


        with tf.variable_scope("siamese") as scope:
            out_left = tower(left)
            scope.reuse_variables()
            out_right = tower(right)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(out_left - out_right, feed_dict={left: [[1.0, 2.0]], right: [[0.0, 1.0]]}))
    """
    assert statuses(source) == ("idiomatic", "idiomatic")
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf
        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32)]


        class Tower(tf.Module):
            def __init__(self, name=None):
                super().__init__(name=name)
                with self.name_scope:
                    self.W = tf.Variable(tf.ones_initializer()(shape=[2, 1]), name="W")

            def __call__(self, x):
                return tf.matmul(x, self.W)


        tower_siamese = Tower(name="siamese")

        @tf.function(input_signature=SIGNATURE)
        def out_left(left):
            return tower_siamese(left)

        @tf.function(input_signature=SIGNATURE)
        def out_right(right):
            return tower_siamese(right)

        print((out_left([[1.0, 2.0]]) - out_right([[0.0, 1.0]])).numpy())
    """)


def test_auto_reuse_shares_by_scope_name_and_input_shaped_variables_are_made_at_a_first_trace():
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])


        def dense(x, size, scope):
            with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
                w = tf.get_variable("w", [x.shape[1], size])
                return tf.matmul(x, w)


        a = dense(x, 3, "fc1")
        b = dense(x, 3, "fc1")
        c = dense(a, 1, "fc2")
    """)
    assert out.count("= Dense(") == 2
    assert 'dense_fc1 = Dense(name="fc1")' in out and 'dense_fc2 = Dense(name="fc2")' in out
    assert "    return dense_fc1(x, 3)\n" in out and "    return dense_fc2(a(x), 1)\n" in out
    assert textwrap.indent(textwrap.dedent("""\
        @tf.Module.with_name_scope
        def __call__(self, x, size):
            if not self.is_built:
                self.w = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[x.shape[1], size]), name="w")
                self.is_built = True
            return tf.matmul(x, self.w)
    """), "    ") in out
    assert "# a first trace makes the variables of dense_fc1 here, as TF1 did\na.get_concrete_function()\n" in out


NET = """\
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 2])
def net(x{params}):
    with tf.variable_scope("net"{reuse}):
{body}
        return tf.matmul(x, w)
{calls}
"""
W = '        w = tf.get_variable("w", [2, 1])'


@pytest.mark.parametrize("params, reuse, body, calls, why", [
    ("", "", W, "a = net(x)\nb = net(x)",
     "net makes the variables of scope 'net' a second time without reuse (TF1 raises: they exist)"),
    (", reuse=False", ", reuse=reuse", W, "a = net(x, reuse=True)",
     "net reuses variables of scope 'net' that were never made"),
    ("", "", W + '\n        v = tf.get_variable("v", initializer=w * 2.0)', "a = net(x)",
     "a variable of net is made from another of its variables"),
    ("", "", W + "\n        w = w * 2.0", "a = net(x)", "w holds a variable of net and is bound again"),
    ("", "", W, "a = net(x)\nbuild = net", "model function net is used as a value (passed or stored), not called"),
    ("", "", '        for i in range(2):\n            w = tf.get_variable("w%d" % i, [2, 1])', "a = net(x)",
     "net makes variables inside a loop, a condition or a block"),
    ("", "", '        w1 = tf.get_variable("w1", [x.shape[1], 3])\n        h = tf.matmul(x, w1)\n'
             '        w = tf.get_variable("w", [h.shape[1], 1])', "a = net(x)",
     "a variable of net is made from a value computed after its first variable"),
])
def test_what_the_module_rewrite_cannot_keep_stays_on_compat_with_the_reason(params, reuse, body, calls, why):
    source = NET.format(params=params, reuse=reuse, body=body, calls=calls)
    assert statuses(source) == ("compat-only", "compat-only")
    assert reason(source) == f"kept on tensorflow.compat.v1: {why}"


LEFT = """\
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 2])
{code}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(y, feed_dict={{x: [[1.0, 2.0]]}}))
"""


@pytest.mark.parametrize("code, why", [
    # a class's method
    ("class Net:\n    def logits(self, inputs):\n        with tf.variable_scope('net'):\n"
     "            return tf.matmul(inputs, tf.get_variable('w', [2, 1]))\ny = Net().logits(x)",
     "tf.variable_scope in method Net.logits: the methods of a class that takes no placeholder and runs no session "
     "are not made tf.Module classes (those of a model class, and module-level functions, are)"),
    # a function of another module run under the scope
    ("import other\ndef net(x):\n    with tf.variable_scope('net'):\n        return other.dense(x)\ny = net(x)",
     "tf.variable_scope in net, around calls of functions this file does not define (their variables and sharing "
     "are not visible here)"),
    # a model function's own problem, at its scope
    ("def net(x):\n    def weight(shape):\n        return tf.get_variable('w', shape)\n"
     "    with tf.variable_scope('net'):\n        return tf.matmul(x, weight([2, 1]))\ny = net(x)",
     "model function net defines functions or classes inside it"),
])
def test_a_variable_scope_the_module_rewrite_does_not_replace_says_why(code, why):
    assert reason(LEFT.format(code=code)) == f"kept on tensorflow.compat.v1: {why}"


SETTINGS = """\
import tensorflow as tf
n_hidden = 8
rate = 0.5
x = tf.placeholder(tf.float32, [None, 2])
def net(x, n_hidden, rate, reuse=False, training=False):
    with tf.variable_scope("net", reuse=reuse):
        h = tf.layers.dense(x, n_hidden)
        h = tf.contrib.layers.flatten(tf.layers.dropout(h, rate=rate, training=training))
        return tf.layers.dense(h, 1)
{calls}
"""


def test_settings_every_call_passes_by_their_module_level_name_configure_the_layers_built_once():
    out = fix(SETTINGS.format(calls="a = net(x, n_hidden, rate, training=True)\nb = net(x, n_hidden, rate, reuse=True)"))
    assert out.startswith(
        "import tensorflow as tf\n"
        "n_hidden = 8\n"
        "rate = 0.5\n"
        "class Net(tf.Module):\n"
        "    def __init__(self, name=\"net\"):\n"
        "        super().__init__(name=name)\n"
        "        with self.name_scope:\n"
        "            self.dense = tf.keras.layers.Dense(n_hidden)\n"
        "            self.dropout = tf.keras.layers.Dropout(rate=rate)\n"
        "            self.flatten = tf.keras.layers.Flatten()\n"
        "            self.dense2 = tf.keras.layers.Dense(1)\n"
        "\n"
        "    @tf.Module.with_name_scope\n"
        "    def __call__(self, x, training=False):\n"
        "        h = self.dense(x)\n"
        "        h = self.flatten(self.dropout(h, training=True) if training else h)\n"
        "        return self.dense2(h)\n")
    assert "    return net(x, training=True)\n" in out and "    return net(x)\n" in out


@pytest.mark.parametrize("calls, why", [
    # a call that passes another value: the layer depends on the call
    ("a = net(x, n_hidden, 0.1)", "tf.layers.dropout configured with a value of the call (rate)"),
    # the name bound twice at module level
    ("a = net(x, n_hidden, rate)\nrate = 0.2\nb = net(x, n_hidden, rate, reuse=True)",
     "tf.layers.dropout configured with a value of the call (rate)"),
    # a function that binds the name itself: its call passes its own value
    ("def tower(rate):\n    return net(x, n_hidden, rate)\na = tower(0.3)",
     "tf.layers.dropout configured with a value of the call (rate)"),
])
def test_a_setting_that_may_differ_between_calls_keeps_the_program_on_compat(calls, why):
    source = SETTINGS.format(calls=calls)
    assert statuses(source)[0] == "compat-only"
    found = process_text(source, "case.py", Options()).findings
    assert [f.message for f in found if f.code == "TFM090"][0] == f"kept on tensorflow.compat.v1: {why}"


WIDTHS = """\
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 3])
def fc(x, units, name, activation=None):
    with tf.variable_scope(name):
        return tf.layers.dense(x, units{activation})
h = fc(x, 8, "hidden")
out = fc(h, 1, "out")
"""


def test_a_layer_width_each_call_gives_makes_the_layer_at_the_first_call():
    # (a shape: calls that share the variables pass the same, or TF1 raised)
    assert "    def __call__(self, x, units, activation=None):\n" \
           "        if not self.is_built:\n" \
           "            self.dense = tf.keras.layers.Dense(units)\n" \
           "            self.is_built = True\n" \
           "        return self.dense(x)\n" in fix(WIDTHS.format(activation=""))


def test_an_activation_each_call_gives_keeps_the_program_on_compat():
    # (no shape: calls sharing the variables could pass others, and TF1 used each)
    found = process_text(WIDTHS.format(activation=", activation=activation"), "case.py", Options()).findings
    assert [f.message for f in found if f.code == "TFM090"][0] == (
        "kept on tensorflow.compat.v1: tf.layers.dense configured with a value of the call (activation)")


def test_helpers_called_under_a_model_scope_become_sub_modules_named_by_their_scope():
    # DCGAN style: linear(x, size, scope) with `scope or "Linear"`, called by a discriminator
    # that shares after scope.reuse_variables() and returns two tensors.
    source = """\
        import tensorflow as tf


        def linear(input_, output_size, scope=None, stddev=0.02, bias_start=0.0):
            shape = input_.get_shape().as_list()
            with tf.variable_scope(scope or "Linear"):
                matrix = tf.get_variable("Matrix", [shape[1], output_size], tf.float32,
                                         tf.random_normal_initializer(stddev=stddev))
                bias = tf.get_variable("bias", [output_size], initializer=tf.constant_initializer(bias_start))
                return tf.matmul(input_, matrix) + bias


        def discriminator(x, reuse=False):
            with tf.variable_scope("discriminator") as scope:
                if reuse:
                    scope.reuse_variables()
                h0 = tf.nn.relu(linear(x, 8, "d_h0_lin"))
                h1 = linear(h0, 1, "d_h1_lin")
                return tf.nn.sigmoid(h1), h1


        real = tf.placeholder(tf.float32, [None, 2])
        d_real, d_real_logits = discriminator(real)
        d_fake, d_fake_logits = discriminator(real * 0.5, reuse=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(d_real_logits - d_fake_logits, feed_dict={real: [[1.0, 2.0]]}))
    """
    assert statuses(source) == ("idiomatic", "idiomatic")
    out = fix(source)
    assert textwrap.dedent('''\
        class Linear(tf.Module):
            def __init__(self, name="Linear"):
                super().__init__(name=name)
                self.is_built = False

            @tf.Module.with_name_scope
            def __call__(self, input_, output_size, stddev=0.02, bias_start=0.0):
                shape = input_.get_shape().as_list()
                if not self.is_built:
                    self.matrix = tf.Variable(tf.keras.initializers.RandomNormal(stddev=stddev)(shape=[shape[1], output_size], dtype=tf.float32), name="Matrix")
                    self.bias = tf.Variable(tf.constant_initializer(bias_start)(shape=[output_size]), name="bias")
                    self.is_built = True
                return tf.matmul(input_, self.matrix) + self.bias


        class Discriminator(tf.Module):
            def __init__(self, name="discriminator"):
                super().__init__(name=name)
                with self.name_scope:
                    self.d_h0_lin = Linear(name="d_h0_lin")
                    self.d_h1_lin = Linear(name="d_h1_lin")

            @tf.Module.with_name_scope
            def __call__(self, x):
                h0 = tf.nn.relu(self.d_h0_lin(x, 8))
                h1 = self.d_h1_lin(h0, 1)
                return tf.nn.sigmoid(h1), h1


        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32)]
        discriminator = Discriminator()
    ''') in out
    assert out.count("discriminator(") == 2 and "return discriminator(real * 0.5)\n" in out


def test_a_file_that_only_defines_layer_functions_keeps_them_for_the_files_that_import_them():
    source = """\
        import tensorflow as tf


        def linear(input_, output_size, scope=None):
            with tf.variable_scope(scope or "Linear"):
                matrix = tf.get_variable("Matrix", [input_.shape[1], output_size])
                return tf.matmul(input_, matrix)
    """
    out = fix(source)
    assert "def linear(input_, output_size, scope=None):" in out and "class " not in out


FACTORIES = """\
    import tensorflow as tf


    def weight_variable(shape):
        initer = tf.truncated_normal_initializer(stddev=0.1)
        return tf.get_variable("W", shape=shape, initializer=initer)


    def fc_layer(x, n, name):
        with tf.variable_scope(name):
            W = weight_variable([2, n])
            return tf.matmul(x, W)


    x = tf.placeholder(tf.float32, [None, 2])
    out = fc_layer(x, 3, "fc")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run(out, feed_dict={x: [[1.0, 2.0]]}))
"""


def test_a_helper_returning_the_variable_it_makes_is_a_variable_of_the_module_that_calls_it():
    assert fix(FACTORIES) == textwrap.dedent("""\
        import tensorflow as tf


        def weight_variable(shape):
            initer = tf.keras.initializers.TruncatedNormal(stddev=0.1)
            return tf.Variable(initer(shape=shape), name="W")


        class FcLayer(tf.Module):
            def __init__(self, name=None):
                super().__init__(name=name)
                self.is_built = False

            @tf.Module.with_name_scope
            def __call__(self, x, n):
                if not self.is_built:
                    self.W = weight_variable([2, n])
                    self.is_built = True
                return tf.matmul(x, self.W)


        fc_layer_fc = FcLayer(name="fc")

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def out(x):
            return fc_layer_fc(x, 3)

        # a first trace makes the variables of fc_layer_fc here, as TF1 did
        out.get_concrete_function()
        print(out([[1.0, 2.0]]).numpy())
    """)
    hint = [f.message for f in process_text(textwrap.dedent(FACTORIES), "case.py", Options()).findings
            if f.code == "TFM090"]
    assert hint == ["fc_layer is now the tf.Module FcLayer; its variables keep their TF1 names (fc/W): a TF1 "
                    "checkpoint maps onto them by name (tf.train.load_checkpoint(path).get_tensor(name))"]


def test_a_helper_making_tf_variables_without_names_gives_the_order_for_checkpoints():
    source = FACTORIES.replace('''        initer = tf.truncated_normal_initializer(stddev=0.1)
        return tf.get_variable("W", shape=shape, initializer=initer)''', '''        return tf.Variable(tf.truncated_normal(shape, stddev=0.1))''')
    assert [f.message for f in process_text(textwrap.dedent(source), "case.py", Options()).findings
            if f.code == "TFM090"] == [
        "fc_layer is now the tf.Module FcLayer; its variables had TF1's default names (Variable, Variable_1, ..., in "
        "the order the program made them): map a TF1 checkpoint onto them in that order"]


@pytest.mark.parametrize("old, new, why", [
    ("W = weight_variable([2, n])\n            return tf.matmul(x, W)",
     "return tf.matmul(x, weight_variable([2, n]))",
     "weight_variable() makes a variable inside an expression of fc_layer"),
    ("W = weight_variable([2, n])", "with tf.variable_scope('inner'):\n                W = weight_variable([2, n])",
     "weight_variable() under an inner variable scope (TF1 put the scope in its variables' names)"),
])
def test_helpers_the_module_cannot_place_keep_the_program_on_compat(old, new, why):
    assert why in reason(FACTORIES.replace(old, new))


def test_a_model_functions_scope_read_as_an_op_name_goes_and_a_pool_scope_is_a_name_scope():
    # CS 20's conv_relu (`name=scope.name` after the block) and maxpool (AUTO_REUSE, nothing made)
    source = """\
        import numpy as np
        import tensorflow as tf

        def conv_relu(inputs, filters, scope_name):
            with tf.variable_scope(scope_name, reuse=tf.AUTO_REUSE) as scope:
                kernel = tf.get_variable('kernel', [1, 1, 1, filters], initializer=tf.ones_initializer())
                conv = tf.nn.conv2d(inputs, kernel, strides=[1, 1, 1, 1], padding='SAME')
            return tf.nn.relu(conv, name=scope.name)

        def maxpool(inputs, scope_name='pool'):
            with tf.variable_scope(scope_name, reuse=tf.AUTO_REUSE) as scope:
                pool = tf.nn.max_pool(inputs, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='VALID')
            return pool

        x = tf.placeholder(tf.float32, [None, 4, 4, 1])
        out = tf.reduce_sum(maxpool(conv_relu(x, 2, 'conv1'), 'pool1'))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(out, {x: np.ones((1, 4, 4, 1))}))
    """
    out = fix(source)
    assert "        return tf.nn.relu(conv)\n" in out
    assert "def maxpool(inputs, scope_name='pool'):\n    with tf.name_scope(scope_name):\n" in out
    # the scope read otherwise: refused, where it was read after the block and crashed (NameError)
    assert "the variable scope of conv_relu is used for more than reuse" in reason(
        source.replace("name=scope.name)", "name=scope.name + '_relu')"))


def test_a_placeholder_a_model_function_reads_as_a_global_is_a_parameter_of_its_module():
    new = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 4])
        is_train = tf.placeholder(tf.bool, shape=())


        def D(x, reuse=None):
            with tf.variable_scope('D', reuse=reuse):
                h = tf.layers.dense(x, 8)
                h = tf.layers.dropout(h, 0.5, training=is_train)
                return tf.layers.dense(h, 1)


        real = D(x)
        fake = D(x * 2.0, reuse=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([real, fake], {x: [[1.0, 2.0, 3.0, 4.0]], is_train: False}))
    """)
    assert textwrap.dedent("""\
        @tf.Module.with_name_scope
            def __call__(self, x, is_train):
                h = self.dense(x)
                h = self.dropout(h, training=True) if is_train else h
                return self.dense2(h)
    """).replace("@tf", "    @tf", 1) in new
    assert "    return d(x, is_train)\n" in new
    assert "    return d(x * 2.0, is_train)\n" in new
    assert new.endswith("print([real([[1.0, 2.0, 3.0, 4.0]], False).numpy(), fake([[1.0, 2.0, 3.0, 4.0]], False).numpy()])\n")


_NORMALIZED = """\
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 4])
is_training = tf.placeholder(tf.bool, shape=())


def net(x, training, reuse=False):
    with tf.variable_scope("net", reuse=reuse):
        h = tf.layers.dense(x, 3)
        h = tf.layers.batch_normalization(h, training=training)
        return tf.layers.dense(h, 1)


y = net(x, is_training)
loss = tf.reduce_mean(tf.square(y))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train, {x: [[1.0, 2.0, 3.0, 4.0]], is_training: True})
    print(sess.run(loss, {x: [[1.0, 2.0, 3.0, 4.0]], is_training: False}))
"""


def test_batch_normalization_in_a_model_function_trains_where_its_placeholder_says():
    new = fix(_NORMALIZED)
    assert "            self.batch_norm = tf.keras.layers.BatchNormalization()\n" in new
    assert ("        h = self.batch_norm(h, training=True) if training else self.batch_norm(h, training=False)\n"
            in new)
    assert "UPDATE_OPS" not in new and "control_dependencies" not in new


@pytest.mark.parametrize("old, new, why", [
    # a call that trains whatever the runs feed: TF1 updated the averages only in the train op's runs
    ("y = net(x, is_training)", "y = net(x, True)",
     "net's batch normalization told to train by True (TF1 updated its moving averages only where a run ran "
     "UPDATE_OPS; Keras updates them at each call that trains): pass a boolean placeholder or False"),
    # a train op not made under UPDATE_OPS: TF1 never updated the moving averages
    ("with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n    train =", "if True:\n    train =",
     "a train op made without the UPDATE_OPS of batch normalization as control dependencies (TF1 left the moving "
     "averages as they were; Keras updates them)"),
    # a run in training mode outside the train step
    ("is_training: False}))", "is_training: True}))",
     "a run feeds is_training = True to batch normalization outside the train step (TF1 did not update its moving "
     "averages there; Keras would)"),
])
def test_batch_normalization_in_a_model_function_stays_where_keras_would_update_what_tf1_did_not(old, new, why):
    checked = process_text(_NORMALIZED.replace(old, new), "case.py", Options())
    assert [f.message for f in checked.findings if f.code == "TFM090"][0] == f"kept on tensorflow.compat.v1: {why}"


def test_a_run_beside_the_train_step_of_a_model_call_that_does_not_drop_is_rewritten():
    source = textwrap.dedent("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 4])
        y = tf.placeholder(tf.int64, [None])


        def net(x, is_training, reuse=False):
            with tf.variable_scope("net", reuse=reuse):
                h = tf.layers.dense(x, 8)
                h = tf.layers.dropout(h, 0.5, training=is_training)
                return tf.layers.dense(h, 2)


        train_logits = net(x, is_training=True)
        test_logits = net(x, is_training=False, reuse=True)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=train_logits))
        acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(test_logits, 1), y), tf.float32))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            _, l, a = sess.run([train, loss, acc], {x: [[1.0, 2.0, 3.0, 4.0]], y: [1]})
            print(l, a)
    """)
    assert process_text(source, "case.py", FIX).status.value == "idiomatic"
    # the accuracy of the training call: a second mask beside the train step's
    checked = process_text(source.replace("tf.argmax(test_logits, 1)", "tf.argmax(train_logits, 1)"), "case.py",
                           Options())
    assert [f.message for f in checked.findings if f.code == "TFM090"][0].startswith(
        "kept on tensorflow.compat.v1: a run fetches values computed with dropout on")


def test_name_scopes_around_tf_variables_go_into_their_names_and_get_variable_ignores_them():
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])


        def layer(inputs, size, index):
            scope_name = 'layer%d' % index
            with tf.name_scope(scope_name):
                with tf.name_scope('weights'), tf.name_scope('kernel'):
                    w = tf.Variable(tf.ones([2, size]), name='w')
                with tf.name_scope('bias'):
                    b = tf.Variable(tf.zeros([size]))
                    g = tf.get_variable('g', [size])
                with tf.name_scope('out'):
                    return tf.matmul(inputs, w) + b * g


        y = layer(x, 3, 1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))
    """)
    assert """\
        scope_name = 'layer%d' % index
        if not self.is_built:
            self.w = tf.Variable(tf.ones([2, size]), name=scope_name + '/weights/kernel/w')
            self.b = tf.Variable(tf.zeros([size]), name=scope_name + '/bias/Variable')
            self.g = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[size]), name='g')
            self.is_built = True
        with tf.name_scope('out'):
            return tf.matmul(inputs, self.w) + self.b * self.g
""" in out


@pytest.mark.parametrize("old, new, why", [
    ("    return tf.matmul(x, w)", "    h = tf.matmul(x, w)\n    tf.summary.histogram('h', h * 2.0)\n    return h",
     "tf.summary.histogram in net of something other than one of its variables or the value it returns"),
    ("    return tf.matmul(x, w)", "    for i in range(2):\n        tf.summary.histogram('w', w)\n    return tf.matmul(x, w)",
     "tf.summary.histogram in net inside an expression or a block: its module would not give the summary to the "
     "summaries the program merges"),
    ("def net(x):", "def log(t):\n    tf.summary.scalar('mean', tf.reduce_mean(t))\n\n\ndef net(x):",
     "tf.summary.scalar outside the summaries the program merges: TensorFlow 2 would write nothing for it"),
])
def test_a_summary_a_function_makes_keeps_the_program_on_compat(old, new, why):
    """TF1's merge_all collected it; a TF2 summary outside a writer's block writes nothing (the summaries
    of a model function the program merges are those of its variables and of what it returns)."""
    source = """\
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 2])
def net(x):
    w = tf.get_variable("w", [2, 1])
    return tf.matmul(x, w)
y = net(x)
scale = tf.Variable(2.0)
log(scale)
tf.summary.scalar('y', tf.reduce_sum(y) * scale)
merged = tf.summary.merge_all()
with tf.Session() as sess:
    writer = tf.summary.FileWriter('logs', sess.graph)
    sess.run(tf.global_variables_initializer())
    writer.add_summary(sess.run(merged, feed_dict={x: [[1.0, 2.0]]}), 0)
"""
    if "def log" not in new:
        source = source.replace("log(scale)\n", "")
    assert reason(source.replace(old, new)) == f"kept on tensorflow.compat.v1: {why}"


def test_the_summaries_a_model_function_makes_are_merged_from_each_call_under_the_label_it_computed():
    """MorvanZhou's add_layer: `tf.summary.histogram(layer_name + '/weights', Weights)` and the same of its
    outputs, at each call (`layer_name = 'layer%s' % n_layer`): the module's variable and the call's value
    are merged with the program's own summaries, labelled as each call labelled them."""
    out = fix("""\
        import numpy as np
        import tensorflow as tf


        def add_layer(inputs, in_size, out_size, n_layer):
            layer_name = 'layer%s' % n_layer
            with tf.name_scope(layer_name):
                Weights = tf.Variable(tf.ones([in_size, out_size]), name='W')
                tf.summary.histogram(layer_name + '/weights', Weights)
                outputs = tf.matmul(inputs, Weights)
                tf.summary.histogram(layer_name + '/outputs', outputs)
                return outputs


        xs = tf.placeholder(tf.float32, [None, 2])
        l1 = add_layer(xs, 2, 3, n_layer=1)
        prediction = add_layer(l1, 3, 1, 2)
        loss = tf.reduce_mean(prediction)
        tf.summary.scalar('loss', loss)
        merged = tf.summary.merge_all()
        sess = tf.Session()
        writer = tf.summary.FileWriter('logs', sess.graph)
        sess.run(tf.global_variables_initializer())
        writer.add_summary(sess.run(merged, feed_dict={xs: np.ones((4, 2))}), 0)
    """)
    assert "tf.summary.histogram(layer_name" not in out
    assert textwrap.dedent("""\
        def merged(xs):
            return [
                l1_layer.Weights,
                l1(xs),
                prediction_layer.Weights,
                prediction(xs),
                loss(xs),
            ]
    """) in out
    assert """\
    with writer.as_default(step=step):
        tf.summary.histogram('layer1/weights', values[0])
        tf.summary.histogram('layer1/outputs', values[1])
        tf.summary.histogram('layer2/weights', values[2])
        tf.summary.histogram('layer2/outputs', values[3])
        tf.summary.scalar('loss', values[4])
""" in out


def test_a_model_function_making_summaries_called_by_another_keeps_the_program_on_compat():
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        def dense(x, name):
            with tf.variable_scope(name):
                w = tf.get_variable("w", [2, 2])
                tf.summary.histogram('w', w)
                return tf.matmul(x, w)
        def net(x):
            with tf.variable_scope("net"):
                return dense(dense(x, "a"), "b")
        y = net(x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))
    """) == ("kept on tensorflow.compat.v1: dense makes summaries and is called by net (only a call the program "
             "binds to a name gives them to the summaries it merges)")


def test_a_model_function_making_summaries_called_inside_an_expression_keeps_the_program_on_compat():
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        def net(x):
            w = tf.get_variable("w", [2, 2])
            tf.summary.histogram('w', w)
            return tf.matmul(x, w)
        y = tf.reduce_sum(net(x))
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))
    """) == ("kept on tensorflow.compat.v1: net makes summaries (tf.summary.merge_all took them from each call) and "
             "is called other than as `name = net(...)`")


def test_the_merged_summaries_of_a_model_function_are_written_by_tensorflow_2(tmp_path):
    """The rewrite of add_layer's program writes each call's histograms and the loss, step by step
    (read back from the event file TensorFlow 2.21 wrote)."""
    import os
    import subprocess
    import sys

    out = fix(f"""\
        import numpy as np
        import tensorflow as tf


        def add_layer(inputs, in_size, out_size, layer_name):
            Weights = tf.Variable(tf.ones([in_size, out_size]))
            outputs = tf.matmul(inputs, Weights)
            tf.summary.histogram(layer_name + '/outputs', outputs)
            return outputs


        xs = tf.placeholder(tf.float32, [None, 2])
        l1 = add_layer(xs, 2, 3, 'l1')
        loss = tf.reduce_mean(l1)
        tf.summary.scalar('loss', loss)
        merged = tf.summary.merge_all()
        sess = tf.Session()
        writer = tf.summary.FileWriter({str(tmp_path / "logs")!r}, sess.graph)
        sess.run(tf.global_variables_initializer())
        for i in range(2):
            writer.add_summary(sess.run(merged, feed_dict={{xs: np.ones((4, 2))}}), i)
        writer.flush()
    """)
    assert "        tf.summary.histogram('l1/outputs', values[0])\n" in out
    program = tmp_path / "program.py"
    program.write_text(out + textwrap.dedent(f"""
        import glob
        events = glob.glob({str(tmp_path / "logs" / "*")!r})
        tags = sorted({{(e.step, v.tag) for e in tf.compat.v1.train.summary_iterator(events[0]) for v in e.summary.value}})
        print(tags)
    """), encoding="utf-8")
    done = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == (
        "[(0, 'l1/outputs'), (0, 'loss'), (1, 'l1/outputs'), (1, 'loss')]")


def test_a_tensorflow_2_summary_a_helper_writes_with_its_step_is_not_a_tf1_summary_left_behind():
    """`tf.summary.scalar(name, value, step=step)` is TF2's own call (its caller sets the writer): the last
    check of the rewrite leaves it, where a TF1 `tf.summary.scalar(name, value)` keeps the program on compat."""
    source = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        W = tf.Variable(tf.zeros([2, 1]))
        def log(v, step):
            tf.summary.scalar('w', tf.reduce_sum(v){step})
        loss = tf.reduce_sum(tf.matmul(x, W))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, feed_dict={{x: [[1.0, 2.0]]}})
            print(sess.run(W))
    """
    assert statuses(source.format(step=", step=step")) == ("idiomatic", "idiomatic")
    assert statuses(source.format(step="")) == ("compat-only", "compat-only")
    assert reason(source.format(step="")) == ("kept on tensorflow.compat.v1: tf.summary.scalar outside the summaries "
                                              "the program merges: TensorFlow 2 would write nothing for it")


MAIN_PROGRAM = """\
    import numpy as np
    import tensorflow as tf


    def inference(x):
        with tf.variable_scope("hidden1"):
            weights = tf.get_variable("weights", [2, 3], initializer=tf.ones_initializer())
            return tf.matmul(x, weights)


    def main():
        x = tf.placeholder(tf.float32, [None, 2])
        y = inference(x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, {x: np.ones((1, 2))}))


    if __name__ == "__main__":
        main()
"""


def test_a_model_function_called_by_the_main_that_runs_the_program_is_a_module_made_there():
    assert statuses(MAIN_PROGRAM) == ("idiomatic", "idiomatic")
    assert textwrap.dedent("""\
        def main():
            inference_hidden1 = Inference()

            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
            def y(x):
                return inference_hidden1(x)

            print(y(np.ones((1, 2))).numpy())
    """) in fix(MAIN_PROGRAM)
    # started by tf.app.run() or absl's app.run(main): the same
    assert statuses(MAIN_PROGRAM.replace("def main():", "def main(_):").replace("        main()", "        tf.app.run()")) \
        == ("idiomatic", "idiomatic")


def test_a_model_function_only_a_function_without_a_session_calls_stays_the_other_files_to_share():
    library = MAIN_PROGRAM.replace('    if __name__ == "__main__":\n        main()\n', "").replace(
        "        with tf.Session() as sess:\n            sess.run(tf.global_variables_initializer())\n"
        "            print(sess.run(y, {x: np.ones((1, 2))}))\n", "        return y\n")
    assert reason(library).startswith("kept on tensorflow.compat.v1: main makes variables and nothing in this file "
                                      "calls it")
