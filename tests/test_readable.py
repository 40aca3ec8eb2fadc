"""How the graph-to-eager rewrite reads, and two points of fidelity: exact rewrites.

tf.function only on what the program calls, one shared input signature, natural
names, a chain of rebindings as one function, continuation lines kept in place;
a run of a hand-written assign with other fetches; a seeded program with Keras layers.
"""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import textwrap

import pytest

from tfmigrate.engine import Options, process_text


def fix(source: str) -> str:
    return process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True)).new_text


def test_only_the_entry_points_are_tf_functions_and_a_chain_is_one_function():
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.placeholder(tf.float32, [None, 1])
        W = tf.Variable(tf.zeros([3, 1]))
        h = tf.matmul(x, W)
        h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.square(h -
                                        y))
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i in range(3):
                l, _ = sess.run([loss, train], feed_dict={x: [[1., 2., 3.]], y: [[1.]]})
            print(sess.run(h, feed_dict={x: [[1., 2., 3.]]}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        W = tf.Variable(tf.zeros([3, 1]))

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def h(x):
            h = tf.matmul(x, W)
            h = tf.nn.relu(h)
            return h

        def loss(x, y):
            return tf.reduce_mean(tf.square(h(x) -
                                            y))

        optimizer = tf.optimizers.Adam(0.1, epsilon=1e-08)

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32), tf.TensorSpec([None, 1], tf.float32)])
        def train(x, y):
            with tf.GradientTape() as tape:
                loss_value = loss(x, y)
            variables = tape.watched_variables()
            optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
            return loss_value

        for i in range(3):
            l = train([[1., 2., 3.]], [[1.]]).numpy()
        print(h([[1., 2., 3.]]).numpy())
    """)


def test_a_signature_several_entry_points_share_is_written_once_and_a_taken_name_is_not_numbered():
    assert fix("""\
        import tensorflow as tf
        optimizer = "adam"
        x = tf.placeholder(tf.float32)
        W = tf.Variable(2.0)
        loss = tf.square(W * x - 1.0)
        step = tf.train.AdamOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step, feed_dict={x: 1.0})
            print(optimizer, sess.run(loss, feed_dict={x: 1.0}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        optimizer = "adam"
        SIGNATURE = [tf.TensorSpec(None, tf.float32)]
        W = tf.Variable(2.0)

        @tf.function(input_signature=SIGNATURE)
        def loss(x):
            return tf.square(W * x - 1.0)

        adam = tf.optimizers.Adam(0.1, epsilon=1e-08)

        @tf.function(input_signature=SIGNATURE)
        def step(x):
            with tf.GradientTape() as tape:
                loss_value = loss(x)
            variables = tape.watched_variables()
            adam.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
            return loss_value

        step(1.0)
        print(optimizer, loss(1.0).numpy())
    """)


def test_placeholders_in_a_name_scope_or_alike_in_spec_share_the_signature_and_the_empty_scope_goes():
    # `with tf.name_scope("input"):` held only placeholders: it goes, and the constant takes its place;
    # train_x and test_x are two placeholders of one spec: their functions read the same constant
    assert fix("""\
        import numpy as np
        import tensorflow as tf
        with tf.name_scope("input"):  # the data
            train_x = tf.placeholder(tf.float32, [None, 2])
            test_x = tf.placeholder(tf.float32, [None, 2])
        w = tf.Variable(tf.ones([2, 1]))
        train_loss = tf.reduce_mean(tf.square(tf.matmul(train_x, w)))
        test_loss = tf.reduce_mean(tf.square(tf.matmul(test_x, w)))
        opt = tf.train.GradientDescentOptimizer(0.1).minimize(train_loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(opt, feed_dict={train_x: np.ones((4, 2), np.float32)})
            print(sess.run(test_loss, feed_dict={test_x: np.full((3, 2), 2.0, np.float32)}))
    """) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        # the data
        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32)]
        w = tf.Variable(tf.ones([2, 1]))

        def train_loss(train_x):
            return tf.reduce_mean(tf.square(tf.matmul(train_x, w)))

        @tf.function(input_signature=SIGNATURE)
        def test_loss(test_x):
            return tf.reduce_mean(tf.square(tf.matmul(test_x, w)))

        optimizer = tf.optimizers.SGD(0.1)

        @tf.function(input_signature=SIGNATURE)
        def opt(train_x):
            with tf.GradientTape() as tape:
                loss_value = train_loss(train_x)
            variables = tape.watched_variables()
            optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
            return loss_value

        opt(np.ones((4, 2), np.float32))
        print(test_loss(np.full((3, 2), 2.0, np.float32)).numpy())
    """)


def test_values_fetched_with_a_hand_written_assign_are_read_before_it_and_the_variable_after():
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32)
        W = tf.Variable(0.5)
        cost = tf.square(W * x - 3.0)
        update = W.assign(W - 0.1 * tf.reduce_mean(2.0 * (W * x - 3.0) * x))
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            _, c, w = sess.run([update, cost, W], feed_dict={x: 1.0})
            print(step, c, w)
    """).split("for step in range(3):\n")[1] == (
        "    c = cost(1.0).numpy()\n"
        "    update(1.0)\n"
        "    w = W.numpy()\n"
        "    print(step, c, w)\n")


def test_two_assigns_run_with_other_tensors_are_not_rewritten():
    source = """\
        import tensorflow as tf
        W = tf.Variable(0.5)
        b = tf.Variable(0.0)
        cost = tf.square(W + b - 3.0)
        up_W = W.assign(W - 0.1)
        up_b = b.assign(b - 0.1)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        _, _, c = sess.run([up_W, up_b, cost])
        print(c)
    """
    outcome = process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True))
    assert [f.message for f in outcome.remaining if f.code == "TFM090"][0].endswith(
        "assign ops run together with other tensors")


SEEDED_LAYERS = """\
    import numpy as np
    import tensorflow as tf
    tf.set_random_seed(7)
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 1])
    hidden = tf.layers.dense(x, 8, activation=tf.nn.relu)
    out = tf.layers.dense(hidden, 1)
    loss = tf.reduce_mean(tf.square(out - y))
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    data = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    target = data.sum(axis=1, keepdims=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            l, _ = sess.run([loss, train], feed_dict={x: data, y: target})
            print(step, l)
"""


def test_a_seeded_program_with_keras_layers_seeds_keras():
    rewrite = fix(SEEDED_LAYERS)
    assert rewrite.splitlines()[2] == "tf.keras.utils.set_random_seed(7)"
    assert "tf.keras.layers.Dense(8, activation=tf.nn.relu)" in rewrite


def test_the_keras_seed_is_not_written_after_numpy_was_seeded():
    # set_random_seed would seed NumPy again: the data drawn after it would change.
    source = SEEDED_LAYERS.replace("    tf.set_random_seed(7)\n", "    np.random.seed(0)\n    tf.set_random_seed(7)\n")
    assert fix(source).splitlines()[2:4] == ["np.random.seed(0)", "tf.random.set_seed(7)"]
    # ... unless with the same seed, right before it: NumPy is seeded again as it stood
    same = source.replace("np.random.seed(0)", "np.random.seed(7)")
    assert fix(same).splitlines()[2:4] == ["np.random.seed(7)", "tf.keras.utils.set_random_seed(7)"]
    drawn = source.replace("np.random.seed(0)\n", "np.random.seed(7)\n    noise = np.random.rand(3)\n")
    assert fix(drawn).splitlines()[2:5] == ["np.random.seed(7)", "noise = np.random.rand(3)", "tf.random.set_seed(7)"]


def test_a_seeded_program_whose_rewrite_makes_keras_initializers_seeds_keras():
    # tf.get_variable's initializer is a Keras initializer now: it draws with a seed from Python's random
    source = SEEDED_LAYERS.replace("    hidden = tf.layers.dense(x, 8, activation=tf.nn.relu)\n", "").replace(
        "out = tf.layers.dense(hidden, 1)", 'w = tf.get_variable("w", [3, 1], initializer=tf.glorot_uniform_initializer())'
        "\n    out = tf.matmul(x, w)")
    rewrite = fix(source)
    assert "tf.keras.initializers.GlorotUniform()" in rewrite and "keras.layers" not in rewrite
    assert rewrite.splitlines()[2] == "tf.keras.utils.set_random_seed(7)"


RUN_TWICE = """\
import sys
code = compile(open(sys.argv[1]).read(), sys.argv[1], "exec")
for _ in range(2):
    exec(code, {"__name__": "__main__"})
    print("--")
"""


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")
def test_two_runs_of_a_seeded_keras_layers_rewrite_print_the_same(tmp_path):
    """Both rewrites run twice in one process: Keras's seed makes the runs agree; TensorFlow's
    global seed alone does not reach the Keras initializers (the runs differ)."""
    rewrite = fix(SEEDED_LAYERS)
    seeded = tmp_path / "seeded.py"
    seeded.write_text(rewrite)
    unseeded = tmp_path / "tf_seed_only.py"
    unseeded.write_text(rewrite.replace("tf.keras.utils.set_random_seed(7)", "tf.random.set_seed(7)"))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    both = "import runpy, sys\nfor p in sys.argv[1:]:\n    runpy.run_path(p + '.twice', run_name='__main__')\n"
    for program in (seeded, unseeded):
        (tmp_path / (program.name + ".twice")).write_text(RUN_TWICE.replace("sys.argv[1]", repr(str(program))))
    done = subprocess.run([sys.executable, "-c", both, str(seeded), str(unseeded)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = done.stdout.split("--\n")
    assert len(runs) == 5 and runs[4] == ""
    assert len(runs[0].splitlines()) == 3
    assert runs[0] == runs[1]
    assert runs[2] != runs[3]


def test_continuation_lines_of_a_moved_expression_hang_or_align_as_they_did():
    source = textwrap.dedent("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        mean_error = tf.reduce_mean(tf.square(
            x - 1.0))
        total = tf.add(tf.reduce_sum(x),
                       mean_error)
        with tf.Session() as sess:
            print(sess.run(total, {x: [[1.0, 2.0]]}))
        """)
    text = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True)).new_text
    assert "def mean_error(x):\n    return tf.reduce_mean(tf.square(\n        x - 1.0))\n" in text
    assert "    return tf.add(tf.reduce_sum(x),\n                  mean_error(x))\n" in text


def test_the_continuation_lines_of_a_session_body_move_left_with_it():
    source = textwrap.dedent("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        total = tf.reduce_sum(x)
        with tf.Session() as sess:
            for step in range(2):
                value = sess.run(total, {x: [[1.0, 2.0]]})
                print("step", step,
                      "total", value)
                print("step " + str(step) + \\
                      " done")
        """)
    text = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True)).new_text
    assert text.endswith(textwrap.dedent("""\
        for step in range(2):
            value = total([[1.0, 2.0]]).numpy()
            print("step", step,
                  "total", value)
            print("step " + str(step) + \\
                  " done")
        """))


def test_a_rebound_chain_read_elsewhere_too_is_named_after_its_last_tensorflow_op():
    assert fix("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 4, 3])
        outputs = X * 2.0
        first = tf.reduce_sum(outputs)
        outputs = tf.transpose(outputs, [1, 0, 2])
        outputs = outputs[-1]
        with tf.Session() as sess:
            print(sess.run([outputs, first], feed_dict={X: [[[1.0] * 3] * 4]}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        SIGNATURE = [tf.TensorSpec([None, 4, 3], tf.float32)]

        def outputs(X):
            return X * 2.0

        @tf.function(input_signature=SIGNATURE)
        def first(X):
            return tf.reduce_sum(outputs(X))

        @tf.function(input_signature=SIGNATURE)
        def outputs_transpose(X):
            outputs_value = tf.transpose(outputs(X), [1, 0, 2])
            outputs_value = outputs_value[-1]
            return outputs_value

        print([outputs_transpose([[[1.0] * 3] * 4]).numpy(), first([[[1.0] * 3] * 4]).numpy()])
    """)


def test_a_chain_of_four_rebindings_is_one_run_of_assignments_with_its_lines_aligned():
    assert fix("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 4])
        W1 = tf.Variable(tf.ones([4, 4]))
        L1 = tf.matmul(X, W1)
        L1 = tf.nn.relu(L1)
        L1 = tf.nn.max_pool(L1, ksize=[1, 2, 2, 1],
                            strides=[1, 2, 2, 1], padding='SAME')
        L1 = tf.nn.sigmoid(L1)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        print(sess.run(L1, feed_dict={X: [[1, 2, 3, 4]]}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        W1 = tf.Variable(tf.ones([4, 4]))

        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
        def L1(X):
            L1 = tf.matmul(X, W1)
            L1 = tf.nn.relu(L1)
            L1 = tf.nn.max_pool(L1, ksize=[1, 2, 2, 1],
                                strides=[1, 2, 2, 1], padding='SAME')
            L1 = tf.nn.sigmoid(L1)
            return L1

        print(L1([[1, 2, 3, 4]]).numpy())
    """)


def test_the_elements_of_an_iterator_read_by_several_entry_points_share_one_signature():
    out = fix("""\
        import numpy as np
        import tensorflow as tf
        dataset = tf.data.Dataset.from_tensor_slices((np.ones((8, 2), np.float32), np.ones((8, 1), np.float32)))
        dataset = dataset.repeat().batch(4)
        iterator = dataset.make_one_shot_iterator()
        # the batch
        x, y = iterator.get_next()
        w = tf.Variable(tf.zeros([2, 1]))
        prediction = tf.matmul(x, w)
        loss = tf.reduce_mean(tf.square(prediction - y))
        error = tf.reduce_max(tf.abs(prediction - y))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for step in range(2):
                l, _ = sess.run([loss, train])
                print(l, sess.run(error))
    """)
    assert "# the batch\nSIGNATURE = [dataset.element_spec[0], dataset.element_spec[1]]\n" in out
    assert out.count("@tf.function(input_signature=SIGNATURE)") == 2 and "input_signature=[" not in out


def test_a_train_op_bound_again_is_named_after_its_optimizer_or_its_loss_not_numbered():
    source = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 1])
        w = tf.Variable([[0.0]])
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 2.0 * x))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        sess.run(train, feed_dict={x: [[1.0]]})
        loss = tf.reduce_mean(tf.abs(tf.matmul(x, w) - 3.0 * x))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        sess.run(train, feed_dict={x: [[1.0]]})
        print(sess.run(loss, feed_dict={x: [[1.0]]}))
    """
    new = fix(source)
    assert "def train_sgd(x):" in new and "sgd.apply_gradients(" in new and "train_sgd([[1.0]])" in new
    # one optimizer for both: the second step is named after the loss it minimizes
    shared = source.replace("train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n        sess",
                            "opt = tf.train.GradientDescentOptimizer(0.1)\n        train = opt.minimize(loss)\n"
                            "        sess", 1).replace("train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
                                                      "        sess.run(train, feed_dict={x: [[1.0]]})\n        print",
                                                      "train = opt.minimize(loss)\n"
                                                      "        sess.run(train, feed_dict={x: [[1.0]]})\n        print")
    # one optimizer for both: a Keras optimizer is built for the variables of its first step and refuses
    # others (the cookbook's two activation functions, each its own variables, crashed at the second step)
    new = fix(shared)
    assert new.startswith("import tensorflow.compat.v1 as tf\n")
    assert not re.search(r"\b\w+_\d+\b", new.replace("input_signature", ""))
