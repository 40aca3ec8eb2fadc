"""A model class that keeps a session and builds a graph with state becomes a class of eager variables
and tf.function methods; the code that makes it no longer passes the session.

The numbers are proven by the fixtures model_class_session and model_class_ensemble (``verify``,
tests/test_fixtures.py); here: exact rewrites, what keeps such a class on compat, check == fix.
"""
from __future__ import annotations

import textwrap

import pytest

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text

MODEL = """\
import numpy as np
import tensorflow as tf


class Model:

    def __init__(self, sess, name):
        self.sess = sess
        self.name = name
        self._build_net()

    def _build_net(self):
        \"\"\"The graph.\"\"\"
        with tf.variable_scope(self.name):
            self.X = tf.placeholder(tf.float32, [None, 2])
            self.Y = tf.placeholder(tf.float32, [None, 1])
            W = tf.get_variable("W", initializer=tf.zeros([2, 1]))
            self.hypothesis = tf.matmul(self.X, W)
        self.cost = tf.reduce_mean(tf.square(self.hypothesis - self.Y))
        self.train_op = tf.train.GradientDescentOptimizer(0.1).minimize(self.cost)

    def predict(self, x_test):
        return self.sess.run(self.hypothesis, feed_dict={self.X: x_test})

    def train(self, x_data, y_data):
        return self.sess.run([self.cost, self.train_op],
                             feed_dict={self.X: x_data, self.Y: y_data})

    def step(self, x_data, y_data):
        return self.sess.run(self.train_op, feed_dict={self.X: x_data, self.Y: y_data})


sess = tf.Session()
models = [Model(sess, "m" + str(i)) for i in range(2)]
sess.run(tf.global_variables_initializer())
for m in models:
    c, _ = m.train([[1., 2.]], [[3.]])
    m.step([[1., 2.]], [[3.]])
    print(c, m.predict([[1., 1.]]))
"""


def fixed(source: str):
    return process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))


def checked(source: str):
    return process_text(source, "case.py", Options())


def test_a_model_class_given_the_session_becomes_eager_variables_and_tf_function_methods():
    outcome = fixed(MODEL)
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf


        class Model:

            def __init__(self, name):
                self.name = name
                with tf.name_scope(self.name):
                    self.W = tf.Variable(tf.zeros([2, 1]), name="W")

                self.optimizer = tf.optimizers.SGD(0.1)

            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
            def hypothesis(self, X):
                return tf.matmul(X, self.W)

            def cost(self, X, Y):
                return tf.reduce_mean(tf.square(self.hypothesis(X) - Y))

            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None, 1], tf.float32)])
            def train_op(self, X, Y):
                with tf.GradientTape() as tape:
                    loss_value = self.cost(X, Y)
                variables = tape.watched_variables()
                self.optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
                return loss_value

            def predict(self, x_test):
                return self.hypothesis(x_test).numpy()

            def train(self, x_data, y_data):
                cost_value = self.train_op(x_data, y_data).numpy()
                return [cost_value, None]

            def step(self, x_data, y_data):
                self.train_op(x_data, y_data)
                return None


        models = [Model("m" + str(i)) for i in range(2)]
        for m in models:
            c, _ = m.train([[1., 2.]], [[3.]])
            m.step([[1., 2.]], [[3.]])
            print(c, m.predict([[1., 1.]]))
        """)
    assert checked(MODEL).status.value == "idiomatic"


HEAD = "import tensorflow as tf\n\n\nclass C:\n    def __init__(self{params}):\n        self.sess = tf.Session()\n"
WEIGHTED = """\
     class C(tf.Module):
         def __init__(self):
             super().__init__()
             self.w = tf.Variable(1.0)

         @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
         def y(self, x):
             return x * self.w

         def f(self, v):
             return self.y(v).numpy()
     """


@pytest.mark.parametrize("init, methods, expected", [
    # a variable: a tf.Module whose methods read it
    ("self.w = tf.Variable(1.0)\n        self.x = tf.placeholder(tf.float32)\n        self.y = self.x * self.w\n",
     "def f(self, v):\n        return self.sess.run(self.y, {self.x: v})\n",
     WEIGHTED),
    # a placeholder shaped by a local of __init__: a class attribute, which the signature reads
    ("size = 3\n        self.x = tf.placeholder(tf.float32, [None, size])\n        self.y = self.x * 2\n",
     "def f(self, v):\n        return self.sess.run(self.y, {self.x: v})\n",
     """\
     class C(tf.Module):
         size = 3

         def __init__(self):
             super().__init__()

         @tf.function(input_signature=[tf.TensorSpec([None, size], tf.float32)])
         def y(self, x):
             return x * 2

         def f(self, v):
             return self.y(v).numpy()
     """),
    # locals that __init__ keeps on self under their own names (`self.w = w`): those attributes from the start
    ("w = tf.Variable(1.0)\n        x = tf.placeholder(tf.float32)\n        y = x * w\n"
     "        self.w = w\n        self.x = x\n        self.y = y\n",
     "def f(self, v):\n        return self.sess.run(self.y, {self.x: v})\n",
     WEIGHTED),
    # a parameter of __init__ the graph reads: kept on self, where the method reads it
    ("self.x = tf.placeholder(tf.string)\n        self.y = tf.image.decode_png(self.x, channels=channels)\n",
     "def f(self, v):\n        return self.sess.run(self.y, {self.x: v})\n",
     """\
     class C(tf.Module):
         def __init__(self, channels):
             super().__init__()
             self.channels = channels

         @tf.function(input_signature=[tf.TensorSpec(None, tf.string)])
         def y(self, x):
             return tf.image.decode_png(x, channels=self.channels)

         def f(self, v):
             return self.y(v).numpy()
     """),
])
def test_a_class_that_makes_its_own_session(init, methods, expected):
    source = HEAD.format(params=", channels" if "channels" in init else "") + "        " + init + "\n    " + methods
    outcome = fixed(source)
    assert outcome.new_text == "import tensorflow as tf\n\n\n" + textwrap.dedent(expected)
    assert outcome.status.value == checked(source).status.value == "idiomatic"


@pytest.mark.parametrize("change, why", [
    # the program feeds the class's placeholder and runs its tensor itself
    (("    print(c, m.predict([[1., 1.]]))\n",
      "    print(c, sess.run(m.hypothesis, feed_dict={m.X: [[1., 1.]]}))\n"),
     "the program reads its instance in a way this rewrite does not follow"),
    # a method would read a parameter of __init__ that __init__ binds again (kept on self, it would not be it)
    (("    def __init__(self, sess, name):\n",
      "    def __init__(self, sess, name, scale=2.0):\n        scale = scale * 2\n"),
     "a name of its graph is also a local, a parameter of __init__ or a method: scale"),
    # a local bound twice, kept on self after the second (the first would be lost)
    (("            self.hypothesis = tf.matmul(self.X, W)\n",
      "            hypothesis = tf.matmul(self.X, W)\n            hypothesis = hypothesis * 2.0\n"
      "            self.hypothesis = hypothesis\n"),
     "a name of its graph is also a local, a parameter of __init__ or a method: hypothesis"),
    # the build method is called twice
    (("        self._build_net()\n", "        self._build_net()\n        self._build_net()\n"),
     "its build method _build_net is called more than once or indented otherwise"),
    # the session is used for more than its runs
    (("        self.sess = sess\n", "        self.sess = sess\n        self.graph = self.sess.graph\n"),
     "its session is used for more than runs"),
    # a tf.Graph of its own (the tensorflow/models autoencoders): said so, not as a session problem
    (("        self.sess = sess\n", "        self.sess = sess\n        self.graph = tf.Graph()\n"),
     "it builds its graph in a tf.Graph of its own (self.graph) and runs it there"),
    # a global a method reads is also a name of the graph (a local of the build method)
    (("        return self.sess.run(self.hypothesis, feed_dict={self.X: x_test})\n",
      "        return self.sess.run(self.hypothesis, feed_dict={self.X: x_test}) * W\n"),
     "its method predict reads a global that its graph binds too"),
])
def test_what_keeps_a_model_class_on_compat(change, why):
    old, new = change
    source = MODEL.replace(old, new)
    if "scale" in new:
        source = source.replace("tf.matmul(self.X, W)", "tf.matmul(self.X, W) * scale")
    assert source != MODEL
    outcome = fixed(source)
    assert [f.message for f in outcome.remaining if f.code == "TFM090"][0] == (
        f"kept on tensorflow.compat.v1: class Model holds TensorFlow graph objects or a session ({why})")
    assert outcome.new_text.startswith("import numpy as np\nimport tensorflow.compat.v1 as tf\n")
    assert checked(source).status.value == outcome.status.value == "compat-only"


def test_a_method_parameter_named_as_the_placeholder_it_feeds_keeps_its_name():
    source = textwrap.dedent("""\
        import tensorflow as tf


        class Net:

            def __init__(self, sess):
                self.sess = sess
                self.training = tf.placeholder(tf.bool)
                self.X = tf.placeholder(tf.float32, [None, 4])
                hidden = tf.layers.dense(self.X, 8, activation=tf.nn.relu)
                hidden = tf.layers.dropout(hidden, rate=0.5, training=self.training)
                self.out = tf.layers.dense(hidden, 1)

            def predict(self, x, training=False):
                return self.sess.run(self.out, feed_dict={self.X: x, self.training: training})


        with tf.Session() as sess:
            net = Net(sess)
            sess.run(tf.global_variables_initializer())
            print(net.predict([[1., 2., 3., 4.]]).shape)
        """)
    assert fixed(source).new_text == textwrap.dedent("""\
        import tensorflow as tf


        class Net(tf.Module):

            def __init__(self):
                super().__init__()
                self.hidden_layer = tf.keras.layers.Dense(8, activation=tf.nn.relu)
                self.hidden_dropout = tf.keras.layers.Dropout(rate=0.5)

                self.out_layer = tf.keras.layers.Dense(1)

            def hidden(self, training, X):
                hidden = self.hidden_layer(X)
                hidden = self.hidden_dropout(hidden, training=True) if training else hidden
                return hidden

            @tf.function(input_signature=[tf.TensorSpec(None, tf.bool), tf.TensorSpec([None, 4], tf.float32)])
            def out(self, training, X):
                return self.out_layer(self.hidden(training, X))

            def predict(self, x, training=False):
                return self.out(training, x).numpy()


        net = Net()
        print(net.predict([[1., 2., 3., 4.]]).shape)
        """)
    assert checked(source).status.value == "idiomatic"


GRAPH_ONLY = """\
import tensorflow as tf


class Regression(object):

    def __init__(self):
        self.x = tf.placeholder(tf.float32, [None, 2])
        W = tf.Variable(tf.zeros([2, 1]))
        self.loss = tf.reduce_mean(tf.square(tf.matmul(self.x, W) - 1.))
        self.train_op = tf.train.GradientDescentOptimizer(0.1).minimize(self.loss)


model = Regression()
sess = tf.Session()
sess.run(tf.global_variables_initializer())
for step in range(3):
    _, loss = sess.run([model.train_op, model.loss], feed_dict={model.x: [[1., 2.]]})
    print(step, loss)
"""


def test_a_class_that_only_builds_the_graph_is_run_by_the_program_through_its_instance():
    outcome = fixed(GRAPH_ONLY)
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf


        class Regression(tf.Module):

            def __init__(self):
                super().__init__()
                self.W = tf.Variable(tf.zeros([2, 1]))

                self.optimizer = tf.optimizers.SGD(0.1)

            def loss(self, x):
                return tf.reduce_mean(tf.square(tf.matmul(x, self.W) - 1.))

            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
            def train_op(self, x):
                with tf.GradientTape() as tape:
                    loss_value = self.loss(x)
                variables = tape.watched_variables()
                self.optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
                return loss_value


        model = Regression()
        for step in range(3):
            loss = model.train_op([[1., 2.]]).numpy()
            print(step, loss)
        """)
    assert outcome.status.value == checked(GRAPH_ONLY).status.value == "idiomatic"


@pytest.mark.parametrize("change", [
    # two instances run together: the program's names would be one
    ("model = Regression()\n", "model = Regression()\nother = Regression()\n",
     "    print(step, loss)\n", "    print(step, loss, sess.run(other.loss, {other.x: [[1., 1.]]}))\n"),
    # the instance name is a loop variable too
    ("for step in range(3):\n", "for model in [model]:\n", "", ""),
    # a function reads the instance through its parameter
    ("for step in range(3):\n", "def run(model):\n    return sess.run(model.loss, {model.x: [[1., 1.]]})\n\n\n"
     "for step in range(3):\n", "", ""),
])
def test_what_keeps_a_graph_only_class_on_compat(change):
    source = GRAPH_ONLY
    for old, new in zip(change[::2], change[1::2]):
        if old:
            assert old in source
            source = source.replace(old, new, 1)
    outcome = fixed(source)
    assert "class Regression holds TensorFlow graph objects or a session" in [
        f.message for f in outcome.remaining if f.code == "TFM090"][0]
    assert checked(source).status.value == outcome.status.value == "compat-only"


def test_a_class_of_variables_and_eager_methods_is_left_as_it_is():
    # what this rewrite makes of a model class, in a file that still has TF1 names to rename
    source = textwrap.dedent("""\
        import tensorflow as tf


        class Model(tf.Module):
            def __init__(self):
                super().__init__()
                self.W = tf.Variable(tf.random_normal([2, 1]))
                self.optimizer = tf.optimizers.SGD(0.1)

            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
            def out(self, x):
                return tf.matmul(x, self.W)


        print(Model().out([[1., 2.]]).numpy().shape)
        """)
    outcome = fixed(source)
    assert outcome.new_text == source.replace("tf.random_normal", "tf.random.normal")
    assert outcome.status.value == "idiomatic"


def test_a_class_that_computes_a_tensor_in_init_without_a_session_stays_on_compat():
    # TF1 computed `self.out` at each run; kept as written, it would be computed once, at construction
    source = textwrap.dedent("""\
        import tensorflow as tf


        class Model(object):
            def __init__(self):
                self.W = tf.Variable(tf.ones([2, 1]))
                self.out = tf.matmul(tf.ones([1, 2]), self.W)

            def double(self):
                return self.out * 2


        with tf.Session() as sess:
            print(sess.run(tf.constant(1.)))
        """)
    outcome = fixed(source)
    assert "class Model holds TensorFlow graph objects or a session" in [
        f.message for f in outcome.remaining if f.code == "TFM090"][0]
    assert outcome.status.value == "compat-only"


def test_a_keras_layer_fed_by_a_placeholder_sized_by_a_parameter_of_init_gets_the_instances_signature():
    # a signature written in the class body cannot give the layer its input size: __init__ makes the function
    source = textwrap.dedent("""\
        import tensorflow as tf


        class Net:
            def __init__(self, sess, n_in):
                self.sess = sess
                self.x = tf.placeholder(tf.float32, [None, n_in])
                self.out = tf.layers.dense(self.x, 1)

            def predict(self, x):
                return self.sess.run(self.out, {self.x: x})


        with tf.Session() as sess:
            net = Net(sess, 3)
            sess.run(tf.global_variables_initializer())
            print(net.predict([[1., 2., 3.]]).shape)
        """)
    outcome = fixed(source)
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf


        class Net(tf.Module):
            def __init__(self, n_in):
                super().__init__()
                self.out = tf.function(self.out, input_signature=[tf.TensorSpec([None, n_in], tf.float32)])
                self.out_layer = tf.keras.layers.Dense(1)

            def out(self, x):
                return self.out_layer(x)

            def predict(self, x):
                return self.out(x).numpy()


        net = Net(3)
        print(net.predict([[1., 2., 3.]]).shape)
        """)
    assert run_in_tensorflow("tf2", outcome.new_text) == "(1, 1)\n"


TRAINER = """\
import numpy as np
import tensorflow as tf


class Trainer:
    def __init__(self, lr=0.1):
        self.sess = tf.Session()
        self.x = tf.placeholder(tf.float32, [None, 1])
        self.y = tf.placeholder(tf.float32, [None, 1])
        self.w = tf.Variable([[0.5]])
        self.loss = tf.reduce_mean(tf.square(tf.matmul(self.x, self.w) - self.y))
        self.step = tf.train.GradientDescentOptimizer(lr).minimize(self.loss)
        self.sess.run(tf.global_variables_initializer())

    def train(self, x, y, steps):
        for _ in range(steps):
            loss, _ = self.sess.run([self.loss, self.step], {self.x: x, self.y: y})
        return loss

    def weight(self):
        return self.sess.run(self.w)

    def close(self):
        self.sess.close()


t = Trainer(lr=0.05)
print(t.train([[1.], [2.]], [[2.], [4.]], 20))
print(t.weight())
t.close()
"""


def test_a_class_that_makes_initialises_and_closes_its_own_session():
    outcome = fixed(TRAINER)
    assert outcome.new_text == """\
import numpy as np
import tensorflow as tf


class Trainer(tf.Module):
    def __init__(self, lr=0.1):
        super().__init__()
        self.w = tf.Variable([[0.5]])

        self.optimizer = tf.optimizers.SGD(lr)

    def loss(self, x, y):
        return tf.reduce_mean(tf.square(tf.matmul(x, self.w) - y))

    @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float32), tf.TensorSpec([None, 1], tf.float32)])
    def step(self, x, y):
        with tf.GradientTape() as tape:
            loss_value = self.loss(x, y)
        variables = tape.watched_variables()
        self.optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
        return loss_value

    def train(self, x, y, steps):
        for _ in range(steps):
            loss = self.step(x, y).numpy()
        return loss

    def weight(self):
        return self.w.numpy()

    def close(self):
        pass


t = Trainer(lr=0.05)
print(t.train([[1.], [2.]], [[2.], [4.]], 20))
print(t.weight())
t.close()
"""
    assert outcome.status.value == checked(TRAINER).status.value == "idiomatic"


BUILT_OUTSIDE = """\
import numpy as np
import tensorflow as tf


def dense(x, size, scope):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[1], size], initializer=tf.constant_initializer(0.3))
        return tf.matmul(x, w)


class Critic(object):
    def __init__(self, sess, batch_size):
        self.sess = sess
        self.batch_size = batch_size

    def net(self, x, reuse=False):
        with tf.variable_scope("critic", reuse=reuse):
            h = tf.reshape(dense(x, 2, "c_fc1"), [self.batch_size, -1])
            return dense(h, 1, "c_fc2")

    def build_model(self):
        self.x = tf.placeholder(tf.float32, [self.batch_size, 3])
        self.y = tf.placeholder(tf.float32, [self.batch_size, 1])
        self.loss = tf.reduce_mean(tf.square(self.net(self.x) - self.y))
        self.shifted = tf.reduce_mean(self.net(self.x + 1.0, reuse=True))
        c_vars = [v for v in tf.trainable_variables() if 'c_' in v.name]
        self.optim = tf.train.GradientDescentOptimizer(0.05).minimize(self.loss, var_list=c_vars)
        self.saver = tf.train.Saver()

    def train(self, steps, path):
        tf.global_variables_initializer().run()
        x = np.ones([self.batch_size, 3], np.float32)
        y = np.full([self.batch_size, 1], 2.0, np.float32)
        for step in range(steps):
            _, loss = self.sess.run([self.optim, self.loss], feed_dict={self.x: x, self.y: y})
            print(step, loss)
        self.saver.save(self.sess, path)
        print(self.sess.run(self.shifted, feed_dict={self.x: x}))


with tf.Session() as sess:
    critic = Critic(sess, 4)
    critic.build_model()
    critic.train(3, "/tmp/critic.ckpt")
"""


def test_a_build_method_the_instances_user_calls_makes_the_state_and_init_stays_plain_python():
    # `gan = GAN(sess, ...)` then `gan.build_model()` (hwalsuklee's GANs): build_model makes the modules,
    # the optimizer and the instance's signatures; a method making variables under a variable scope
    # reads self.batch_size, which its module is passed
    outcome = fixed(BUILT_OUTSIDE)
    assert outcome.status.value == "idiomatic"
    new = outcome.new_text
    assert new.split("\n\nclass Critic(tf.Module):\n")[1].split("\n    def ")[0] == (
        "    def __init__(self, batch_size):\n"
        "        super().__init__()\n"
        "        self.batch_size = batch_size\n")
    assert new.split("    def build_model(self):\n")[1].split("\n\n        # a first trace")[0] == (
        "        SIGNATURE = [\n"
        "            tf.TensorSpec([self.batch_size, 3], tf.float32),\n"
        "            tf.TensorSpec([self.batch_size, 1], tf.float32),\n"
        "        ]\n"
        "        self.loss = tf.function(self.loss, input_signature=SIGNATURE)\n"
        "        self.shifted = tf.function(self.shifted, input_signature=SIGNATURE[:1])\n"
        "        self.optim = tf.function(self.optim, input_signature=SIGNATURE)\n"
        "        self.net_critic = Net()")
    assert "class Net(tf.Module):\n" in new and "    def __call__(self, x, batch_size=None):\n" in new
    assert "self.net_critic(x, batch_size=self.batch_size)" in new and "def net(self" not in new
    assert "critic = Critic(4)\ncritic.build_model()\n" in new
    # the saver a checkpoint of what it saved, the session gone
    assert "self.saver = tf.train.Checkpoint(net_critic=self.net_critic, optimizer=self.optimizer)\n" in new
    assert "        self.saver.write(path)\n" in new
    tf1 = run_in_tensorflow("tf1", BUILT_OUTSIDE).split()
    tf2 = run_in_tensorflow("tf2", new).split()
    assert len(tf2) == 7 and [float(v) for v in tf2] == pytest.approx([float(v) for v in tf1], rel=1e-6)


@pytest.mark.parametrize("old, new, why", [
    # a method that makes variables and keeps something on the instance
    ('            return dense(h, 1, "c_fc2")', '            self.h = h\n            return dense(h, 1, "c_fc2")',
     "its method net makes variables and sets attributes or globals"),
    # one that the running code reads as well
    ("            print(step, loss)", "            print(step, loss, self.net)",
     "its method net makes variables and is used beyond the calls that build the graph"),
])
def test_what_keeps_a_model_method_on_compat(old, new, why):
    source = BUILT_OUTSIDE.replace(old, new)
    reason = [f.message for f in checked(source).remaining if f.code == "TFM090"][0]
    assert reason == f"kept on tensorflow.compat.v1: class Critic holds TensorFlow graph objects or a session ({why})"


def test_a_class_other_files_give_their_session_stays_on_compat():
    # `gan = GAN(sess, ...)` in main.py: the rewrite drops the parameter those calls pass
    source = BUILT_OUTSIDE.split("\n\nwith tf.Session() as sess:")[0] + "\n"
    reason = [f.message for f in checked(source).remaining if f.code == "TFM090"][0]
    assert reason == ("kept on tensorflow.compat.v1: class Critic holds TensorFlow graph objects or a session (other "
                      "files make its instances and pass it the session, which its rewrite no longer takes)")


def test_a_method_of_the_graph_that_opens_a_variable_scope_and_makes_nothing_keeps_its_place_as_a_name_scope():
    source = BUILT_OUTSIDE.replace("    def build_model(self):", (
        "    def loss_of(self, a, b):\n        with tf.variable_scope(\"loss\"):\n"
        "            return tf.reduce_mean(tf.square(a - b))\n\n    def build_model(self):")).replace(
        "self.loss = tf.reduce_mean(tf.square(self.net(self.x) - self.y))",
        "self.loss = self.loss_of(self.net(self.x), self.y)")
    new = fixed(source).new_text
    assert ("    def loss_of(self, a, b):\n        with tf.name_scope(\"loss\"):\n"
            "            return tf.reduce_mean(tf.square(a - b))\n") in new
    assert "        return self.loss_of(self.net_critic(x, batch_size=self.batch_size), y)\n" in new
    assert run_in_tensorflow("tf2", new) == run_in_tensorflow("tf1", source)


def test_a_module_function_a_class_kept_as_written_calls_too_stays_a_function():
    # (Plain makes no placeholder and runs no session: its code is not a program, its `dense` call a function's)
    source = BUILT_OUTSIDE.replace("\n\nwith tf.Session() as sess:", (
        "\n\nclass Plain(object):\n    def __init__(self, x):\n        self.out = dense(x, 1, 'p')\n"
        "\n\nwith tf.Session() as sess:"))
    reason = [f.message for f in fixed(source).remaining if f.code == "TFM090"][0]
    assert reason.startswith("kept on tensorflow.compat.v1: dense makes variables under tf.variable_scope and is "
                             "called by code that stays as written")
