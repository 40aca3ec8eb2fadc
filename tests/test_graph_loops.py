"""Module-level loops that build one tensor pass by pass (``graph_loops``): variables made at each pass,
a first value that is a variable or a graph tensor, an op made in a pass and run right away
(``run_once.run_next``), and the loops the rewrite leaves to tensorflow.compat.v1. Exact rewrites and
reasons; the numbers are the fixtures' (``variables_made_in_a_loop``, ``layers_made_in_a_loop``)."""
from __future__ import annotations

import textwrap

from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)


def fix(source: str) -> str:
    return process_text(textwrap.dedent(source), "case.py", FIX).new_text


def reasons(source: str) -> list:
    return [f.message for f in process_text(textwrap.dedent(source), "case.py", Options()).findings
            if f.code == "TFM090"]


HEAD = """\
    import tensorflow as tf
    X = tf.placeholder(tf.float32)
"""
RUN = """\
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run(Y_pred, {X: 2.0}))
"""


def test_a_variable_per_pass_goes_to_a_list_the_function_walks_with_the_loop_values():
    assert fix(HEAD + """\
    Y_pred = tf.Variable([0.5], name='bias')
    for pow_i in range(1, 4):
        W = tf.Variable([0.1 * pow_i], name='weight_%d' % pow_i)  # one per power
        Y_pred = tf.add(tf.multiply(tf.pow(X, pow_i), W), Y_pred)  # the next power's term
""" + RUN) == textwrap.dedent("""\
        import tensorflow as tf
        bias = tf.Variable([0.5], name='bias')
        Ws = [tf.Variable([0.1 * pow_i], name='weight_%d' % pow_i) for pow_i in range(1, 4)]  # one per power

        @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
        def Y_pred(X):
            Y_pred = bias
            for pow_i, W in zip(range(1, 4), Ws):
                Y_pred = tf.add(tf.multiply(tf.pow(X, pow_i), W), Y_pred)  # the next power's term
            return Y_pred

        print(Y_pred(2.0).numpy())
    """)


def test_a_first_variable_without_a_python_name_and_a_loop_value_the_body_does_not_read():
    out = fix(HEAD + """\
    Y_pred = tf.Variable([0.5], name='the bias')
    for size in [1, 1]:
        W = tf.Variable(tf.ones([size]))
        Y_pred = Y_pred * W + X
""" + RUN)
    assert "Y_pred_init = tf.Variable([0.5], name='the bias')" in out
    assert "Ws = [tf.Variable(tf.ones([size])) for size in [1, 1]]" in out
    assert "    Y_pred = Y_pred_init\n    for W in Ws:\n        Y_pred = Y_pred * W + X\n" in out


def test_two_variables_per_pass_drawn_at_random_are_made_by_one_loop_in_tf1_order():
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        h = x
        for n_in, n_out in [(2, 3), (3, 1)]:
            W = tf.Variable(tf.random_normal([n_in, n_out]))
            b = tf.Variable(tf.random_normal([n_out]))
            h = tf.matmul(h, W) + b
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(h, {x: [[1.0, 2.0]]}))
            print(len(sess.run(tf.trainable_variables())))
    """)
    assert textwrap.dedent("""\
        Ws, bs = [], []

        for n_in, n_out in [(2, 3), (3, 1)]:
            Ws.append(tf.Variable(tf.random.normal([n_in, n_out])))
            bs.append(tf.Variable(tf.random.normal([n_out])))

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def h(x):
            h = x
            for W, b in zip(Ws, bs):
                h = tf.matmul(h, W) + b
            return h
    """) in out
    # TF1 listed the variables as it made them: pass by pass
    assert ("print(len(tf.nest.map_structure(lambda value: value.numpy(), "
            "[v for made in zip(Ws, bs) for v in made])))") in out


def test_one_random_variable_per_pass_keeps_its_draws_in_order_with_comprehensions():
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        h = tf.identity(x)
        for n_in, n_out in [(2, 3), (3, 1)]:
            W = tf.Variable(tf.random_normal([n_in, n_out]))
            b = tf.Variable(tf.zeros([n_out]))
            h = tf.matmul(h, W) + b
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(h, {x: [[1.0, 2.0]]}))
    """)
    assert ("Ws = [tf.Variable(tf.random.normal([n_in, n_out])) for n_in, n_out in [(2, 3), (3, 1)]]\n"
            "bs = [tf.Variable(tf.zeros([n_out])) for n_in, n_out in [(2, 3), (3, 1)]]\n") in out
    assert "    h = tf.identity(x)\n    for W, b in zip(Ws, bs):\n" in out


LEFT = "kept on tensorflow.compat.v1: a variable is made inside a loop (this rewrite makes each tensor, variable and layer once, where the " \
       "program makes it)"


def test_a_pass_variable_read_after_the_loop_stays_on_compat():
    assert reasons(HEAD + """\
    Y_pred = tf.Variable([0.5])
    for pow_i in range(1, 4):
        W = tf.Variable([0.1 * pow_i])
        Y_pred = Y_pred + W * X
    last = W * 2.0
""" + RUN) == [LEFT]


def test_a_pass_variable_made_from_the_tensor_being_built_stays_on_compat():
    assert reasons(HEAD + """\
    Y_pred = tf.Variable([0.5])
    for pow_i in range(1, 4):
        W = tf.Variable(Y_pred * 2.0)
        Y_pred = Y_pred + W * X
""" + RUN) == [LEFT]


def test_a_random_draw_in_the_body_stays_on_compat():
    # TF1 drew the noise once per op and run; the function would draw it again at every call of a reader
    assert reasons(HEAD + """\
    noise = tf.random_normal([1])
    Y_pred = tf.Variable([0.5])
    for pow_i in range(1, 4):
        W = tf.Variable([0.1 * pow_i])
        Y_pred = Y_pred + W * X + noise
""" + RUN) == [LEFT]



def test_an_op_made_in_a_pass_and_run_by_the_next_statement_is_computed_where_it_is_made():
    assert fix("""\
        import tensorflow as tf
        sess = tf.InteractiveSession()
        data = [1., 2., 8., -1., 13.]
        spike = tf.Variable(False)
        spike.initializer.run()
        for i in range(1, len(data)):
            if data[i] - data[i - 1] > 5:
                updater = tf.assign(spike, tf.constant(True))
                flag = updater.eval()
            else:
                tf.assign(spike, False).eval()
            print("Spike", spike.eval())
    """) == textwrap.dedent("""\
        import tensorflow as tf
        data = [1., 2., 8., -1., 13.]
        spike = tf.Variable(False)
        for i in range(1, len(data)):
            if data[i] - data[i - 1] > 5:
                updater = spike.assign(tf.constant(True))
                flag = updater.numpy()
            else:
                spike.assign(False).numpy()
            print("Spike", spike.numpy())
    """)


TENSOR_LEFT = ("kept on tensorflow.compat.v1: a tensor is made inside a loop (this rewrite makes each tensor, "
               "variable and layer once, where the program makes it)")


def test_an_op_made_in_a_pass_and_run_twice_or_fed_stays_on_compat():
    twice = """\
        import tensorflow as tf
        spike = tf.Variable(0.0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i in range(3):
                updater = tf.assign_add(spike, 1.0)
                sess.run(updater)
                print(sess.run(updater))
    """
    assert reasons(twice) == [TENSOR_LEFT]
    fed = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32)
        spike = tf.Variable(0.0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i in range(3):
                updater = tf.assign_add(spike, x)
                print(sess.run(updater, {x: 2.0}))
    """
    assert reasons(fed) == [TENSOR_LEFT]


def test_a_summary_made_at_each_pass_stays_on_compat():
    # one histogram per variable: the merged summary would have read the loop's last variable only
    source = """\
        import numpy as np
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        W1 = tf.Variable(tf.ones([2, 3]))
        W2 = tf.Variable(tf.ones([3, 1]))
        loss = tf.reduce_mean(tf.square(tf.matmul(tf.matmul(x, W1), W2)))
        tf.summary.scalar("loss", loss)
        for var in [W1, W2]:
            tf.summary.histogram(var.name, var)
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            writer = tf.summary.FileWriter("logs")
            writer.add_summary(sess.run(merged, {x: np.ones((4, 2))}), 0)
    """
    assert reasons(source) == [TENSOR_LEFT.replace("a tensor is made", "a summary is made")]
