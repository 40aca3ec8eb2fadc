"""TF1 names at module level: layers shared by name (``reuse=True``), variable scopes around
layers, collections of a scope's variables as a train step's var_list, and runs indexed
with a literal (``sess.run([...])[0]``). Exact rewrites, and the reasons a program stays on
tensorflow.compat.v1."""
from __future__ import annotations

import textwrap

import pytest

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)


def fix(source: str) -> str:
    return process_text(textwrap.dedent(source), "case.py", FIX).new_text


def reason(source: str) -> str:
    """What `check` says keeps the program on tensorflow.compat.v1."""
    return [f.message for f in process_text(textwrap.dedent(source), "case.py", Options()).findings
            if f.code == "TFM090"][0]


def test_a_layer_called_again_by_name_with_reuse_is_the_same_keras_layer():
    # TF1 shared the variables of layer "l": a second Dense would train two sets of weights.
    assert fix("""\
        import tensorflow as tf
        a = tf.placeholder(tf.float32, [None, 2])
        b = tf.placeholder(tf.float32, [None, 2])
        ha = tf.layers.dense(a, 3, tf.nn.relu, name="l")
        hb = tf.layers.dense(b, 3, tf.nn.relu, name="l", reuse=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(ha - hb, feed_dict={a: [[1.0, 2.0]], b: [[1.0, 2.0]]}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32)]
        ha_layer = tf.keras.layers.Dense(3, activation=tf.nn.relu, name="l")

        @tf.function(input_signature=SIGNATURE)
        def ha(a):
            return ha_layer(a)

        @tf.function(input_signature=SIGNATURE)
        def hb(b):
            return ha_layer(b)

        print((ha([[1.0, 2.0]]) - hb([[1.0, 2.0]])).numpy())
    """)


GAN = """\
    import tensorflow as tf
    with tf.variable_scope("G"):
        z = tf.placeholder(tf.float32, [None, 2])
        fake = tf.layers.dense(z, 2)
    with tf.variable_scope("D"):
        x = tf.placeholder(tf.float32, [None, 2])
        d_real = tf.layers.dense(x, 1, tf.nn.sigmoid, name="out")
        d_fake = tf.layers.dense(fake, 1, tf.nn.sigmoid, name="out", reuse=True)
    d_loss = -tf.reduce_mean(tf.log(d_real) + tf.log(1.0 - d_fake))
    g_loss = tf.reduce_mean(tf.log(1.0 - d_fake))
    d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="D")
    train_d = tf.train.GradientDescentOptimizer(0.1).minimize(d_loss, var_list=d_vars)
    train_g = tf.train.GradientDescentOptimizer(0.1).minimize(g_loss, var_list=tf.trainable_variables("G"))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            cost = sess.run([d_loss, train_d], feed_dict={x: [[1.0, 2.0]], z: [[0.5, 0.5]]})[0]
            score = sess.run([d_fake, train_g], feed_dict={z: [[0.5, 0.5]]})[-2]
            print(cost)
"""


def test_scoped_networks_train_the_variables_their_scope_collects():
    assert fix(GAN) == (
        textwrap.dedent("""\
        import tensorflow as tf
        with tf.name_scope("G"):
            fake_layer = tf.keras.layers.Dense(2)

            def fake(z):
                return fake_layer(z)
        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32)]
        with tf.name_scope("D"):
            d_real_layer = tf.keras.layers.Dense(1, activation=tf.nn.sigmoid, name="out")

            def d_real(x):
                return d_real_layer(x)

            @tf.function(input_signature=SIGNATURE)
            def d_fake(z):
                return d_real_layer(fake(z))

        def d_loss(z, x):
            return -tf.reduce_mean(tf.math.log(d_real(x)) + tf.math.log(1.0 - d_fake(z)))

        def g_loss(z):
            return tf.reduce_mean(tf.math.log(1.0 - d_fake(z)))

        def d_vars():
            return d_real_layer.trainable_variables

        optimizer = tf.optimizers.SGD(0.1)

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None, 2], tf.float32)])
        def train_d(z, x):
            with tf.GradientTape() as tape:
                loss_value = d_loss(z, x)
            variables = d_vars()
            optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
            return loss_value

        sgd = tf.optimizers.SGD(0.1)

        @tf.function(input_signature=SIGNATURE)
        def train_g(z):
            with tf.GradientTape() as tape:
                loss_value = g_loss(z)
            variables = fake_layer.trainable_variables
            sgd.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
            return loss_value

        for step in range(3):
            cost = train_d([[0.5, 0.5]], [[1.0, 2.0]]).numpy()
            score = d_fake([[0.5, 0.5]]).numpy()
            train_g([[0.5, 0.5]])
            print(cost)
    """))


@pytest.mark.parametrize("old, new, why", [
    ('name="out", reuse=True', 'name="other", reuse=True',
     "tf.layers.dense reuses the variables of layer 'D/other', which no earlier layer made"),
    ('name="out", reuse=True', 'name="out", reuse=share', "reuse=share (the rewrite reads True, False, None"),
    ('scope="D")', 'scope="D.*")', "tf.get_collection with a scope that is not a plain string"),
    ('scope="D")', 'scope="E")', "tf.get_collection(scope='E') matches no trainable variable of this program"),
    ('scope="D")', 'scope="D/out/kernel")', "tf.get_collection(scope='D/out/kernel') picks variables inside layer "
                                             "'D/out'"),
    ('fake = tf.layers.dense(z, 2)', 'fake = tf.layers.dense(z, 2)\n    print(len(tf.trainable_variables()))',
     "tf.trainable_variables would stay in the rewrite"),
    ('tf.GraphKeys.TRAINABLE_VARIABLES', 'tf.GraphKeys.LOSSES',
     "tf.get_collection of a collection other than the trainable or global variables"),
    ('with tf.variable_scope("D"):', 'with tf.variable_scope(name):',
     "tf.layers.dense(reuse=...) under a name the rewrite cannot read"),
    ('[0]\n', '[cut]\n', "a train op run inside an expression"),
])
def test_names_the_rewrite_cannot_read_keep_the_program_on_compat(old, new, why):
    source = GAN.replace(old, new, 1)
    if "name)" in new:
        source = source.replace("import tensorflow as tf\n", "import tensorflow as tf\n    name = 'D'\n")
    assert why in reason(source)


def test_a_scope_deeper_than_a_default_layer_name_is_not_guessed():
    source = GAN.replace('d_real = tf.layers.dense(x, 1, tf.nn.sigmoid, name="out")',
                         'd_real = tf.layers.dense(tf.layers.dense(x, 2), 1, tf.nn.sigmoid, name="out")')
    assert "tf.get_collection(scope='D/dense') names a layer TF1 named by default" in reason(
        source.replace('scope="D")', 'scope="D/dense")'))


def test_variables_made_at_module_level_are_listed_by_their_scope_and_trainable_flag():
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        with tf.variable_scope("linear"):
            w = tf.Variable(1.0, name="w")
            b = tf.get_variable("b", [], initializer=tf.zeros_initializer())
            count = tf.Variable(0.0, trainable=False)
        cost = tf.reduce_mean(tf.square(w * x + b - 2.0 * x)) + 0.0 * count
        train = tf.train.GradientDescentOptimizer(0.1).minimize(
            cost, var_list=tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "linear"))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            c = sess.run([cost, train], {x: [1.0, 2.0]})[0]
            print(c)
    """)
    assert "    variables = [w, b]\n" in out
    assert "c = train([1.0, 2.0]).numpy()" in out


@pytest.mark.parametrize("index, targets, run", [
    ("[0]", "c", "c = train(X).numpy()"),
    ("[-2]", "c", "c = train(X).numpy()"),
    ("[:1]", "c,", "c = train(X).numpy()"),
    ("[1:]", "_,", "train(X)"),
])
def test_a_run_indexed_with_a_literal_runs_every_fetch_and_keeps_the_chosen_ones(index, targets, run):
    out = fix(f"""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None])
        w = tf.Variable(1.0)
        cost = tf.reduce_mean(tf.square(w * X - 2.0 * X))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            {targets} = sess.run([cost, train], feed_dict={{X: [1.0]}}){index}
    """)
    assert out.rstrip().endswith(run.replace("X", "[1.0]"))


def test_a_scope_of_variables_made_not_trainable_is_no_var_list():
    assert "tf.get_collection(scope='frozen') matches no trainable variable of this program" in reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        with tf.variable_scope("frozen"):
            w = tf.Variable(1.0, name="w", trainable=False)
        cost = tf.reduce_mean(tf.square(w * x))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(
            cost, var_list=tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "frozen"))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            c = sess.run([cost, train], {x: [1.0, 2.0]})[0]
    """)


MODULES = """\
    import tensorflow as tf
    x = tf.placeholder(tf.float32, [None, 2])

    def block(h):
        with tf.variable_scope("block"):
            steps = tf.get_variable("steps", [], trainable=False, initializer=tf.zeros_initializer())
            return tf.layers.dense(h, 2) + steps

    def critic(h, reuse=None):
        with tf.variable_scope("critic", reuse=reuse):
            scale = tf.get_variable("scale", [2], initializer=tf.ones_initializer())
            return tf.layers.dense(block(h * scale), 1)

    def actor(h):
        with tf.variable_scope("actor"):
            return tf.layers.dense(h, 2)

    value = critic(actor(x))
    again = critic(x, reuse=True)
    critic_vars = tf.get_collection(tf.GraphKeys.KEY, scope="critic")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(value + again), var_list=critic_vars)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, feed_dict={x: [[1.0, 2.0]]})
"""


def test_a_model_functions_scope_collects_its_layers_and_variables_sub_modules_included():
    # a tf.Module does not see the variables of the Keras 3 layers it holds: each layer lists its own
    fixed = fix(MODULES.replace("KEY", "TRAINABLE_VARIABLES"))
    assert textwrap.dedent("""\
        def critic_vars():
            return [critic.scale] + critic.block.dense.trainable_variables + critic.dense.trainable_variables
    """) in fixed
    fixed = fix(MODULES.replace("KEY", "GLOBAL_VARIABLES"))
    assert ("return [critic.scale] + [critic.block.steps] + critic.block.dense.variables + critic.dense.variables"
            in fixed)


def test_a_collection_or_tensor_read_in_python_code_inside_print_keeps_the_program_on_compat():
    source = MODULES.replace("KEY", "TRAINABLE_VARIABLES").replace(
        "    with tf.Session()", "    print(len(critic_vars))\n    with tf.Session()")
    assert reason(source) == ("kept on tensorflow.compat.v1: the variable list critic_vars is read in Python code, "
                              "where the Keras layers it lists may not have made their variables yet")


def test_a_var_list_picked_from_every_variable_by_name_lists_the_variables_of_that_scope():
    # a GAN's `t_vars = tf.trainable_variables()` and `[v for v in t_vars if v.name.startswith("gen")]`
    source = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 1])
        with tf.variable_scope("gen"):
            a = tf.get_variable("a", initializer=[[0.0]])
        with tf.variable_scope("disc"):
            b = tf.get_variable("b", initializer=[[0.0]])
        loss = tf.reduce_mean(tf.square(tf.matmul(tf.matmul(x, a), b) + tf.matmul(x, a) - 2.0 * x))
        t_vars = tf.trainable_variables()
        g_vars = [v for v in t_vars if v.name.startswith("gen")]
        d_vars = [var for var in tf.trainable_variables() if var.name.startswith("disc")]
        train_g = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=g_vars)
        train_d = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=d_vars)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train_g, feed_dict={x: [[1.0]]})
            sess.run(train_d, feed_dict={x: [[1.0]]})
            print(sess.run([a, b]))
    """
    new = fix(source)
    assert "def g_vars():\n    return [a]\n" in new and "def d_vars():\n    return [b]\n" in new
    assert "trainable_variables" not in new and "t_vars" not in new
    # each step trained its own scope's variable, as in TF1
    assert run_in_tensorflow("tf2", new) == run_in_tensorflow("tf1", textwrap.dedent(source))
    # a text the name holds (`"en/" in v.name`): the variables whose TF1 names ("gen/a:0") hold it
    contains = fix(source.replace('v.name.startswith("gen")', '"en/" in v.name'))
    assert "def g_vars():\n    return [a]\n" in contains and "t_vars" not in contains


GAN_FUNCTIONS = """\
    import tensorflow as tf

    def linear(x, size, scope):
        with tf.variable_scope(scope):
            w = tf.get_variable("w", [x.get_shape()[1], size], initializer=tf.constant_initializer(0.5))
            b = tf.get_variable("b", [size], initializer=tf.constant_initializer(0.1))
            return tf.matmul(x, w) + b

    def discriminator(x, reuse=False):
        with tf.variable_scope("discriminator", reuse=reuse):
            return linear(tf.nn.relu(linear(x, 2, "d_fc1")), 1, "d_fc2")

    def generator(z):
        with tf.variable_scope("generator"):
            return tf.nn.tanh(linear(z, 2, "g_fc1"))

    z = tf.placeholder(tf.float32, [None, 1])
    x = tf.placeholder(tf.float32, [None, 2])
    d_real = discriminator(x)
    d_fake = discriminator(generator(z), reuse=True)
    d_loss = tf.reduce_mean(tf.square(d_real - 1.0)) + tf.reduce_mean(tf.square(d_fake))
    g_loss = tf.reduce_mean(tf.square(d_fake - 1.0))
    t_vars = tf.trainable_variables()
    d_vars = [var for var in t_vars if 'd_' in var.name]
    g_vars = [var for var in t_vars if 'g_' in var.name]
    d_optim = tf.train.GradientDescentOptimizer(0.1).minimize(d_loss, var_list=d_vars)
    g_optim = tf.train.GradientDescentOptimizer(0.1).minimize(g_loss, var_list=g_vars)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            _, dl = sess.run([d_optim, d_loss], feed_dict={x: [[1.0, 2.0]], z: [[0.5]]})
            _, gl = sess.run([g_optim, g_loss], feed_dict={z: [[0.5]]})
            print(dl, gl)
"""


def test_a_var_list_of_the_variables_whose_names_hold_a_text_lists_the_model_functions_variables_so_named():
    # hwalsuklee's and carpedm20's GANs: `[var for var in t_vars if 'd_' in var.name]`, the TF1 names
    # ("discriminator/d_fc1/w:0") known variable by variable
    new = fix(GAN_FUNCTIONS)
    assert ("def d_vars():\n    return [discriminator.d_fc1.w, discriminator.d_fc1.b, discriminator.d_fc2.w, "
            "discriminator.d_fc2.b]\n") in new
    assert "def g_vars():\n    return [generator.g_fc1.w, generator.g_fc1.b]\n" in new
    assert "trainable_variables" not in new
    # each step trained the variables its list named, as in TF1 (to float32's last digit: eager and graph
    # kernels sum in their own orders)
    numbers = [[float(v) for v in run_in_tensorflow(mode, text).split()]
               for mode, text in (("tf2", new), ("tf1", textwrap.dedent(GAN_FUNCTIONS)))]
    assert len(numbers[0]) == 6 and numbers[0] == pytest.approx(numbers[1], rel=1e-6)


@pytest.mark.parametrize("test, layer, why", [
    # the weights ("discriminator/d_fc1/w:0", ...), not the biases ("discriminator/d_fc1/b:0")
    ("'w' in var.name", False, None),
    ("'xyz' in var.name", False, "matches no variable of this program"),
    # a Keras layer's variables take names TF1 gave by default ("discriminator/dense/kernel:0")
    ("'w' in var.name", True, "depends on names the rewrite does not know"),
    # ... which are below the scopes above it ("discriminator/")
    ("'disc' in var.name", True, None),
])
def test_a_text_a_name_holds_is_decided_by_names_the_rewrite_knows(test, layer, why):
    source = GAN_FUNCTIONS.replace("'d_' in var.name", test)
    if layer:  # (the generator's variables picked by their scope)
        source = source.replace('return linear(tf.nn.relu(linear(x, 2, "d_fc1")), 1, "d_fc2")',
                                'return linear(tf.layers.dense(x, 2, tf.nn.relu), 1, "d_fc2")').replace(
            "'g_' in var.name", "var.name.startswith('generator')")
    if why is None:
        listed = fix(source).split("def d_vars():\n    return ")[1].split("\n")[0]
        assert listed == ("discriminator.dense.trainable_variables + [discriminator.d_fc2.w, discriminator.d_fc2.b]"
                          if layer else "[discriminator.d_fc1.w, discriminator.d_fc2.w, generator.g_fc1.w]")
    else:
        assert why in reason(source)


def test_a_text_the_rewrite_cannot_decide_for_a_keras_layer_filters_the_variables_where_they_are_read():
    # `"kernel" in v.name` over TF1's default-named layer ("dense/kernel:0"): the rewrite does not know the
    # layer's name, and filters the program's variables by their TF2 names where the list is read (`kernel`);
    # through `t_vars`, which goes, it cannot (test above)
    source = """\
        import numpy as np
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.placeholder(tf.float32, [None, 1])
        out = tf.layers.dense(x, 1, kernel_initializer=tf.zeros_initializer())
        loss = tf.reduce_mean(tf.square(out - y))
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for step in range(3):
                sess.run(train_op, feed_dict={x: [[1.0, 2.0]], y: [[1.0]]})
            k = [v for v in tf.global_variables() if "kernel" in v.name][0]
            print("kernel sum", sess.run(tf.reduce_sum(k)))
    """
    new = fix(source)
    assert 'if "kernel" in v.name][0]' in new and "global_variables" not in new
    assert run_in_tensorflow("tf2", new) == run_in_tensorflow("tf1", textwrap.dedent(source))


def test_a_fetched_collection_is_a_list_of_values():
    out = fix("""\
        import tensorflow as tf
        ws = [tf.Variable(tf.ones([2])), tf.Variable(tf.zeros([1]))]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(tf.trainable_variables()))
    """)
    assert out.endswith("print(tf.nest.map_structure(lambda value: value.numpy(), list(ws)))\n")
