"""The graph-to-eager rewrite, case by case: exact input and output."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text
from tfmigrate.rules._eager.summaries import TENSORBOARD_NOTE


def fix(source: str) -> str:
    return process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True)).new_text


def reason(source: str) -> str:
    """What `check` says keeps the program on tensorflow.compat.v1 (and `fix` keeps it there)."""
    text = textwrap.dedent(source)
    outcome = process_text(text, "case.py", Options(fix=True, unsafe_fixes=True))
    assert [f for f in outcome.remaining if f.code == "TFM090"]
    return [f.message for f in process_text(text, "case.py", Options()).findings if f.code == "TFM090"][0]


def test_fetched_expression_is_parenthesised_before_numpy():
    assert fix("""\
        import tensorflow as tf
        a = tf.constant(2)
        b = tf.constant(3)
        with tf.Session() as sess:
            print(sess.run(a + b))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        a = tf.constant(2)
        b = tf.constant(3)
        print((a + b).numpy())
    """)


def test_random_op_is_drawn_again_at_each_run():
    assert fix("""\
        import tensorflow as tf
        c = tf.random_uniform([], -10, 10)
        with tf.Session() as sess:
            print(sess.run(c))
            print(sess.run(c))
    """) == textwrap.dedent("""\
        import tensorflow as tf

        def c():
            return tf.random.uniform([], -10, 10)

        print(c().numpy())
        print(c().numpy())
    """)


def test_tf1_initializer_defaults_are_passed_explicitly():
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        W = tf.get_variable("W", shape=[2, 1], initializer=tf.truncated_normal_initializer())
        y = tf.matmul(x, W)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))
    """)
    assert 'W = tf.Variable(tf.keras.initializers.TruncatedNormal(stddev=1.0)(shape=[2, 1]), name="W")' in out


def test_a_call_of_a_function_of_ops_on_plain_values_is_fetched_as_its_value():
    source = """\
        import tensorflow as tf

        sess = tf.Session()
        scale = tf.Variable(2.0)


        def polynomial(x):
            return tf.subtract(3 * tf.square(x), x) + 10


        def scaled(x):
            return scale * x


        sess.run(tf.global_variables_initializer())
        print(sess.run(polynomial(11)))
        for n in range(3):
            print(sess.run(polynomial(n)))
    """
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf

        scale = tf.Variable(2.0)


        def polynomial(x):
            return tf.subtract(3 * tf.square(x), x) + 10


        def scaled(x):
            return scale * x


        print(polynomial(11).numpy())
        for n in range(3):
            print(polynomial(n).numpy())
    """)
    # a function that reads a variable of the program is not one
    assert reason(source.replace("sess.run(polynomial(11))", "sess.run(scaled(11.0))")) == (
        "kept on tensorflow.compat.v1: scaled(11.0) is fetched but is not a tensor of this program")


def test_variables_fetched_with_a_train_op_are_read_after_it_and_tensors_before():
    out = fix("""\
        import tensorflow as tf
        W = tf.Variable(1.0)
        cost = W * W
        train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        c, w, _ = sess.run([cost, W, train])
    """)
    assert out.endswith("c = train().numpy()\nw = W.numpy()\n")


def test_a_group_of_assigns_fetched_with_a_tensor_it_reads_computes_the_tensor_before_the_updates():
    # k-means: TF1 computed the assignment once, from the centroids the run started with, for both
    out = fix("""\
        import tensorflow as tf
        centroids = tf.Variable([[0.0], [4.0]])
        points = tf.constant([[1.0], [2.0], [9.0], [3.0]])
        group = tf.argmin(tf.abs(points - tf.transpose(centroids)), 1)
        means = tf.unsorted_segment_sum(points, group, 2) / tf.unsorted_segment_sum(tf.ones_like(points), group, 2)
        labels = tf.Variable(tf.zeros([4], tf.int64))
        update = tf.group(centroids.assign(means), labels.assign(group))
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        for i in range(2):
            _, groups = sess.run([update, group])
            print(groups, sess.run(centroids).ravel())
    """)
    assert out.endswith(textwrap.dedent("""\
        for i in range(2):
            groups = group().numpy()
            update()
            print(groups, centroids.numpy().ravel())
    """))
    printed = subprocess.run([sys.executable, "-c", out], capture_output=True, text=True, check=True,
                             env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}).stdout.split("\n")
    assert printed[:2] == ["[0 0 1 1] [1.5 6. ]", "[0 0 1 0] [2. 9.]"]  # as TF1 printed: the groups of before


def test_gradient_pairs_fetched_with_their_update_have_the_gradients_before_it_and_the_variables_after():
    out = fix("""\
        import tensorflow as tf
        W = tf.Variable(5.0)
        cost = tf.square(W * 3.0 - 3.0)
        optimizer = tf.train.GradientDescentOptimizer(0.01)
        gvs = optimizer.compute_gradients(cost)
        apply_gradients = optimizer.apply_gradients(gvs)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            gvs_val, _ = sess.run([gvs, apply_gradients])
            print(step, gvs_val)
    """)
    assert out.endswith(textwrap.dedent("""\
        for step in range(3):
            gvs_pairs = gvs()
            apply_gradients()
            gvs_val = [(grad.numpy(), var.numpy()) for grad, var in gvs_pairs]
            print(step, gvs_val)
    """))
    # TF1 (ref variables): each variable handed back as the run left it, its gradient from before the update
    program = out.replace("print(step, gvs_val)",
                          "print(step, *[round(float(v), 4) for pair in gvs_val for v in pair])")
    printed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                             env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}).stdout.split()
    assert printed == ["0", "72.0", "4.28", "1", "59.04", "3.6896", "2", "48.4128", "3.2055"]  # as TF1 printed


def test_a_run_with_a_train_op_that_binds_a_name_its_feed_reads_computes_everything_from_the_fed_value():
    # the stateful-RNN pattern: TF1 fed (and trained on) the state of before the run
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [])
        w = tf.Variable(1.0)
        nxt = x + 1.0
        loss = tf.square(w * x - 3.0)
        train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        s = 1.0
        for i in range(3):
            l, s, _ = sess.run([loss, nxt, train], {x: s})
    """)
    assert out.endswith("    s, l = nxt(s).numpy(), train(s).numpy()\n")  # measured: TF1's losses and weight, exact


def test_a_fetched_structure_holding_a_variable_run_with_a_train_op_is_refused():
    # TF1 hands the variable back as the run leaves it (updated), the loss as the run starts
    program = """\
        import tensorflow as tf
        W = tf.Variable(1.0)
        cost = W * W
        train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
        {fetches}
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        out, _ = sess.run([{fetched}, train])
    """
    message = ("kept on tensorflow.compat.v1: a fetched structure holds variable W, run with a train op: TF1 hands "
               "it back updated and the rest as the run starts (fetch it alone)")
    assert reason(program.format(fetches='fetches = {"cost": cost, "w": W}', fetched="fetches")) == message
    assert reason(program.format(fetches="", fetched='{"cost": cost, "w": [W]}')) == message
    assert "out = fetches().numpy()" in fix(program.format(fetches="fetches = cost * 2", fetched="fetches"))


def test_simultaneous_assigns_compute_every_value_first():
    out = fix("""\
        import tensorflow as tf
        a = tf.Variable(1.0)
        b = tf.Variable(2.0)
        swap = [a.assign(b), b.assign(a)]
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        sess.run(swap)
        print(sess.run([a, b]))
    """)
    # each new value is read before any variable is assigned (the variable itself would be read after)
    assert "    new_a = b.read_value()\n    new_b = a.read_value()\n    a.assign(new_a)\n    b.assign(new_b)\n" in out


def test_assign_ops_bound_to_names_and_grouped_compute_every_value_first():
    # `tf.group(ua, ub)` of hand-written gradient steps: TF1 computed both new values from the old ones (the
    # rewrite assigned a, then took b's gradient at the new a: [1.4, 2.32] where TF1 printed [1.4, 2.4])
    source = """\
        import tensorflow as tf
        a = tf.Variable(1.0)
        b = tf.Variable(2.0)
        loss = tf.square(a + b - 5.0)
        ga, gb = tf.gradients(loss, [a, b])
        ua = a.assign(a - 0.1 * ga)
        ub = b.assign(b - 0.1 * gb)
        step = tf.group(ua, ub)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step)
            print(sess.run([a, b]))
    """
    out = fix(source)
    assert ("def step():\n    new_a = a - 0.1 * ga()\n    new_b = b - 0.1 * gb()\n    a.assign(new_a)\n"
            "    b.assign(new_b)\n") in out
    printed = run_in_tensorflow("tf2", out, "group.py")
    expected = "[np.float32(1.4), np.float32(2.4)]\n"
    assert printed == run_in_tensorflow("tf1", textwrap.dedent(source), "group.py") == expected


def test_simultaneous_assigns_written_over_several_lines_compute_each_value_on_a_line_of_its_own():
    out = fix("""\
        import tensorflow as tf
        w = tf.Variable(1.0)
        b = tf.Variable(2.0)
        lr = 0.5
        step = [tf.assign(w, w - lr *
                          tf.reduce_mean(w * b)),
                tf.assign(b, b - lr * w)]
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        print(sess.run([w, b]))
    """)
    assert ("    new_w = w - lr * tf.reduce_mean(w * b)\n"
            "    new_b = b - lr * w\n"
            "    w.assign(new_w)\n"
            "    b.assign(new_b)\n") in out


def test_print_of_a_symbolic_tensor_does_not_block_the_rewrite():
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32)
        y = x * 2
        print(y)
        with tf.Session() as sess:
            print(sess.run(y, feed_dict={x: 3.0}))
    """)
    assert "compat.v1" not in out and "print(y(3.0).numpy())" in out


@pytest.mark.parametrize("source,why", [
    ("import tensorflow as tf\nclass M:\n    def __init__(self):\n        self.sess = tf.Session()\n",
     "class M holds TensorFlow graph objects or a session"),
    ("import tensorflow as tf\nx = tf.placeholder(tf.float32)\nq = tf.FIFOQueue(3, tf.float32)\n",
     "tf.FIFOQueue: queues and queue runners (a TF1 input pipeline)"),
    ("import tensorflow as tf\nx = tf.placeholder(tf.float32)\nwith tf.variable_scope('a', reuse=tf.AUTO_REUSE):\n"
     "    y = x * tf.get_variable('v', [])\n", "tf.variable_scope has no TensorFlow 2 equivalent"),
    ("import tensorflow as tf\nx = tf.placeholder(tf.float32)\ndef run(sess):\n    return sess.run(x * 2, feed_dict={x: 1.0})\n",
     "placeholder x is used outside a feed"),
    ("import tensorflow as tf\nc = tf.random_uniform([], seed=2)\nwith tf.Session() as sess:\n    print(sess.run(c))\n",
     "a seeded random op run in sessions"),
    ("import tensorflow as tf\ntf.set_random_seed(1)\nc = tf.random_normal([2])\nwith tf.Session() as sess:\n"
     "    print(sess.run(c))\n",
     "a seeded random op run in sessions"),
    # a Keras optimizer has no compute_gradients: the call may not stay inside the unzipping
    ("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 1])\nw = tf.Variable([[0.0]])\n"
     "loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - x))\nopt = tf.train.GradientDescentOptimizer(0.1)\n"
     "grads, variables = zip(*opt.compute_gradients(loss))\ntrain = opt.apply_gradients(zip(grads, variables))\n"
     "with tf.Session() as sess:\n    sess.run(train, feed_dict={x: [[1.0]]})\n",
     "compute_gradients() of a TF1 optimizer inside an expression"),
])
def test_what_keeps_a_program_on_compat_is_said(source, why):
    assert why in reason(source)
    assert fix(source).startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")


SUMMARIES = """\
        import tensorflow as tf
        W = tf.Variable(1.0)
        tf.summary.histogram("W", W)
        cost = W * W
        tf.summary.scalar("cost", cost)
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            writer = tf.summary.FileWriter("logs")
            sess.run(tf.global_variables_initializer())
            for step in range(3):
                s = sess.run(merged)
                writer.add_summary(s, step)
    """


def test_merged_summaries_are_computed_and_written_in_tf_functions():
    out = fix(SUMMARIES)
    assert out == textwrap.dedent("""\
        import tensorflow as tf
        W = tf.Variable(1.0)

        def cost():
            return W * W

        @tf.function
        def merged():
            return [
                tf.identity(W),
                cost(),
            ]

        @tf.function
        def write_merged(writer, values, step):
            with writer.as_default(step=step):
                tf.summary.histogram("W", values[0])
                tf.summary.scalar("cost", values[1])

        writer = tf.summary.create_file_writer("logs")
        for step in range(3):
            s = merged()
            write_merged(writer, s, tf.cast(step, tf.int64))
    """)


def test_check_says_the_summaries_of_a_rewrite_need_the_tensorboard_package():
    checked = process_text(textwrap.dedent(SUMMARIES), "case.py", Options(fix=False))
    assert checked.status.value == "idiomatic"
    assert [(f.start.line, f.message) for f in checked.findings if f.code == "TFM090"] == [
        (8, TENSORBOARD_NOTE)]


def test_an_image_summary_keeps_its_max_outputs_and_a_collection_keeps_it_on_compat():
    source = """\
        import tensorflow as tf
        images = tf.Variable(tf.zeros([4, 2, 2, 1]))
        tf.summary.image("input", images, 2)
        tf.summary.image("again", images, max_outputs=1, collections=None)
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            writer = tf.summary.FileWriter("logs")
            sess.run(tf.global_variables_initializer())
            writer.add_summary(sess.run(merged), 0)
    """
    assert fix(source).endswith(textwrap.dedent("""\
        @tf.function
        def write_merged(writer, values, step):
            with writer.as_default(step=step):
                tf.summary.image("input", values[0], max_outputs=2)
                tf.summary.image("again", values[1], max_outputs=1)

        writer = tf.summary.create_file_writer("logs")
        write_merged(writer, merged(), tf.cast(0, tf.int64))
    """))
    # a collection decides which merge_all takes the summary: it must be named where it is read
    assert reason(source.replace("collections=None", "collections=[key]")) == (
        "kept on tensorflow.compat.v1: tf.summary.image into collections that are not named by string literals")


def test_a_merge_of_no_summary_that_nothing_reads_goes_and_one_that_is_run_stays_on_compat():
    # TF1's merge_all returned None when no summary had been made: a program writing only its graph
    source = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, shape=(2,))
        y = tf.identity(x)
        sess = tf.Session()
        merged = tf.summary.merge_all()
        writer = tf.summary.FileWriter("/tmp/logs", sess.graph)
        print(sess.run(y, feed_dict={x: [1.0, 2.0]}))
    """
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf

        @tf.function(input_signature=[tf.TensorSpec((2,), tf.float32)])
        def y(x):
            return tf.identity(x)

        writer = tf.summary.create_file_writer("/tmp/logs")
        print(y([1.0, 2.0]).numpy())
    """)
    assert reason(textwrap.dedent(source) + "print(sess.run(merged))\n") == (
        "kept on tensorflow.compat.v1: tf.summary.merge_all before any summary")


def test_summaries_merged_by_collection_or_by_list_are_written_by_the_writer_of_the_merge_run():
    source = """\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None])
        w = tf.Variable(1.0)
        loss = tf.reduce_mean(tf.square(w * X - 3.0))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        tf.summary.scalar("loss", loss, collections=["train", "test"])
        w_summary = tf.summary.histogram("w", w, collections=["train", tf.GraphKeys.SUMMARIES])
        train_summaries = tf.summary.merge_all("train")
        test_summaries = tf.summary.merge_all(key="test")
        everything = tf.summary.merge([w_summary, test_summaries])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            train_writer = tf.summary.FileWriter("logs/train")
            test_writer = tf.summary.FileWriter("logs/test")
            for step in range(3):
                _, summary = sess.run([train, train_summaries], feed_dict={X: [1.0]})
                train_writer.add_summary(summary, step)
                summary = sess.run(test_summaries, feed_dict={X: [2.0]})
                test_writer.add_summary(summary, step)
            test_writer.add_summary(sess.run(everything, feed_dict={X: [2.0]}), 3)
    """
    out = fix(source)
    assert out[out.index("@tf.function(input_signature=SIGNATURE)\ndef train_summaries"):] == textwrap.dedent("""\
        @tf.function(input_signature=SIGNATURE)
        def train_summaries(X):
            return [
                loss(X),
                tf.identity(w),
            ]

        @tf.function
        def write_train_summaries(writer, values, step):
            with writer.as_default(step=step):
                tf.summary.scalar("loss", values[0])
                tf.summary.histogram("w", values[1])

        @tf.function(input_signature=SIGNATURE)
        def test_summaries(X):
            return [
                loss(X),
            ]

        @tf.function
        def write_test_summaries(writer, values, step):
            with writer.as_default(step=step):
                tf.summary.scalar("loss", values[0])

        @tf.function(input_signature=SIGNATURE)
        def everything(X):
            return [
                tf.identity(w),
                loss(X),
            ]

        @tf.function
        def write_everything(writer, values, step):
            with writer.as_default(step=step):
                tf.summary.histogram("w", values[0])
                tf.summary.scalar("loss", values[1])

        train_writer = tf.summary.create_file_writer("logs/train")
        test_writer = tf.summary.create_file_writer("logs/test")
        for step in range(3):
            summary = train_summaries([1.0])
            train([1.0])
            write_train_summaries(train_writer, summary, tf.cast(step, tf.int64))
            summary = test_summaries([2.0])
            write_test_summaries(test_writer, summary, tf.cast(step, tf.int64))
        write_everything(test_writer, everything([2.0]), tf.cast(3, tf.int64))
    """)
    # which merge a value comes from must be seen where it is fetched
    unknown = source.replace("summary = sess.run(test_summaries", "summary = list(sess.run(test_summaries")
    unknown = unknown.replace("feed_dict={X: [2.0]})\n", "feed_dict={X: [2.0]}))\n", 1)
    assert reason(unknown) == ("kept on tensorflow.compat.v1: add_summary() of a value not fetched from one of the "
                               "program's merged summaries")


def test_tf1_only_names_without_a_session_still_leave_a_program_that_runs():
    # Renaming alone would keep tf.variable_scope, which TensorFlow 2 does not have.
    source = """\
        import tensorflow as tf
        x = tf.random_normal([4, 3])
        with tf.variable_scope("net", reuse=tf.AUTO_REUSE):
            w = tf.get_variable("w", [3, 2])
            y = tf.matmul(x, w)
    """
    assert fix(source).startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")
    assert "tf.variable_scope has no TensorFlow 2 equivalent" in reason(source)


def test_tf_div_divides_by_the_dtype_of_its_first_value():
    out = fix("""\
        import tensorflow as tf
        a = tf.constant([7, 3])
        f = tf.constant(2.0)
        x = tf.placeholder(tf.float32)
        y = tf.div(1., 1. + x)
        with tf.Session() as sess:
            print(sess.run(tf.div(a, 2)), sess.run(tf.div(f, 4.)), sess.run(y, feed_dict={x: 1.0}))
            a = tf.constant([7.0, 3.0])
            print(sess.run(tf.div(a, 2.)))
    """)
    assert "return tf.math.divide(1., 1. + x)" in out
    assert "print(tf.math.floordiv(a, 2).numpy(), tf.math.divide(f, 4.).numpy(), y(1.0).numpy())" in out
    assert "print(tf.math.divide(a, 2.).numpy())" in out


def test_tf_div_of_a_computed_value_divides_by_the_dtype_it_was_computed_with():
    # (the cookbook's nearest neighbours: weights from top_k of float distances, the mean over a batch)
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 3])
        values, indices = tf.nn.top_k(tf.negative(x), k=2)
        sums = tf.expand_dims(tf.reduce_sum(values, 1), 1)
        weights = tf.div(values, sums)
        counts = tf.div(tf.reduce_sum(tf.cast(indices, tf.int32)), 2)
        with tf.Session() as sess:
            print(sess.run([weights, counts], feed_dict={x: [[1.0, 2.0, 3.0]]}))
    """)
    assert "return tf.math.divide(values(x), sums(x))" in out
    assert "return tf.math.floordiv(tf.reduce_sum(tf.cast(indices(x), tf.int32)), 2)" in out


def test_tf_div_of_arithmetic_or_by_a_float_divides_by_the_dtype_the_values_share():
    # TF1's tf.div took x and y of one dtype: a float divisor, or arithmetic with a float, makes both floats
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        n = tf.cast(tf.shape(x)[0], tf.float32)
        y = tf.div(x + 1.0, 2.0)
        mean = tf.div(tf.reduce_sum(2 * x), n)
        with tf.Session() as sess:
            print(sess.run([y, mean], feed_dict={x: [1.0, 2.0]}))
    """)
    assert "return tf.math.divide(x + 1.0, 2.0)" in out
    assert "return tf.math.divide(tf.reduce_sum(2 * x), n(x))" in out


def test_tf_div_of_casts_sizes_indices_and_a_where_divides_by_their_dtype():
    out = fix("""\
        import tensorflow as tf
        vec = tf.placeholder(tf.float32, [None])
        clipped = tf.where(vec > 0, vec, tf.zeros_like(vec))
        ratio = tf.div(tf.reduce_sum(clipped), tf.to_float(tf.size(vec)))
        half = tf.div(tf.size(vec), 2)
        top = tf.div(tf.argmax(vec), 2)
        with tf.Session() as sess:
            print(sess.run([ratio, half, top], feed_dict={vec: [1.0, -2.0, 3.0]}))
    """)
    assert "return tf.math.divide(tf.reduce_sum(clipped(vec)), tf.cast(tf.size(vec), tf.float32))" in out
    assert "return tf.math.floordiv(tf.size(vec), 2)" in out
    assert "return tf.math.floordiv(tf.argmax(vec), 2)" in out


@pytest.mark.parametrize("source", [
    # a parameter: any dtype
    "import tensorflow as tf\nx = tf.placeholder(tf.float32)\ndef f(a):\n    return tf.div(a, 2)\n"
    "with tf.Session() as s:\n    print(s.run(x, feed_dict={x: 1.0}))\n",
    # bound in a loop, to values of different dtypes
    "import tensorflow as tf\nx = tf.placeholder(tf.float32)\nfor a in [tf.constant(1), tf.constant(1.)]:\n"
    "    print(tf.div(a, 2))\n",
])
def test_tf_div_of_a_value_of_unknown_dtype_stays_on_compat(source):
    assert "tf.div" in reason(source)
    assert fix(source).startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")


def test_tf_div_forgets_the_dtype_of_a_name_bound_again():
    source = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32)
        a = tf.constant(1)
        a, b = tf.constant(1.), 2
        with tf.Session() as sess:
            print(sess.run(tf.div(a, 2)), sess.run(x, feed_dict={x: 1.0}))
    """
    assert "tf.div" in reason(source)


def test_a_model_function_is_kept_and_a_dict_of_variables_stays_variables():
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        weights = {'h': tf.Variable(tf.ones([2, 1]))}
        def net(inputs):
            hidden = tf.matmul(inputs, weights['h'])
            return hidden + 1.0
        out = net(x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(out, feed_dict={x: [[1.0, 2.0]]}))
            print(sess.run(weights['h']))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        weights = {'h': tf.Variable(tf.ones([2, 1]))}
        def net(inputs):
            hidden = tf.matmul(inputs, weights['h'])
            return hidden + 1.0

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def out(x):
            return net(x)

        print(out([[1.0, 2.0]]).numpy())
        print(weights['h'].numpy())
    """)


@pytest.mark.parametrize("source, why", [
    # the whole dict fetched at once
    ("""\
    import tensorflow as tf
    weights = {'h': tf.Variable(tf.ones([2, 1]))}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run(weights))
    """, "fetching weights, a container of variables, as a whole"),
])
def test_model_functions_and_variable_dicts_the_rewrite_cannot_keep_go_to_compat(source, why):
    assert reason(source) == f"kept on tensorflow.compat.v1: {why}"
    outcome = process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True))
    assert "import tensorflow.compat.v1 as tf" in outcome.new_text


def test_printing_a_placeholder_prints_its_tensor_spec():
    assert fix("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 3])
        print(X)
        y = X * 2.0
        with tf.Session() as sess:
            print(sess.run(y, feed_dict={X: [[1.0, 2.0, 3.0]]}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        print(tf.TensorSpec([None, 3], tf.float32))

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def y(X):
            return X * 2.0

        print(y([[1.0, 2.0, 3.0]]).numpy())
    """)
    # anything else done with a placeholder in plain Python but reading its shape or dtype still keeps the file
    # on compat
    assert reason("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 3])
        print(X.name)
        with tf.Session() as sess:
            print(sess.run(X * 2.0, feed_dict={X: [[1.0, 2.0, 3.0]]}))
    """) == "kept on tensorflow.compat.v1: placeholder X is used outside a feed (in Python code or a loop body)"


def test_a_variable_scope_that_never_shares_becomes_a_name_scope():
    source = """\
        import tensorflow as tf
        with tf.variable_scope('layer1'):
            w = tf.get_variable("w", shape=[2], initializer=tf.zeros_initializer())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(w))
    """
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf
        with tf.name_scope('layer1'):
            w = tf.Variable(tf.zeros_initializer()(shape=[2]), name="w")
        print(w.numpy())
    """)
    shared = source.replace("with tf.variable_scope('layer1'):", "with tf.variable_scope('layer1', reuse=tf.AUTO_REUSE):")
    assert reason(shared) == "kept on tensorflow.compat.v1: tf.variable_scope has no TensorFlow 2 equivalent"
    # `as scope` that nothing reads (one name bound by several scopes, as tutorials write it) is dropped
    named = """\
        import tensorflow as tf
        with tf.variable_scope('layer1') as scope:
            w = tf.get_variable("w", shape=[2], initializer=tf.zeros_initializer())
        with tf.variable_scope('layer2') as scope:
            v = tf.get_variable('w', shape=[2])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(w))
    """
    assert fix(named) == textwrap.dedent("""\
        import tensorflow as tf
        with tf.name_scope('layer1'):
            w = tf.Variable(tf.zeros_initializer()(shape=[2]), name="w")
        with tf.name_scope('layer2'):
            v = tf.Variable(tf.keras.initializers.GlorotUniform()(shape=[2]), name='w')
        print(w.numpy())
    """)
    # a scope object that is read (its name, its variables) keeps the file on compat
    read = named.replace("print(sess.run(w))", "print(sess.run(w), scope.name)")
    assert reason(read) == "kept on tensorflow.compat.v1: tf.variable_scope has no TensorFlow 2 equivalent"


def test_a_variable_scope_in_a_function_that_makes_no_variables_becomes_a_name_scope():
    source = """\
        import numpy as np
        import tensorflow as tf


        def flatten_layer(layer):
            with tf.variable_scope('Flatten_layer'):
                num_features = layer.get_shape()[1:4].num_elements()
                layer_flat = tf.reshape(layer, [-1, num_features])
            return layer_flat


        x = tf.placeholder(tf.float32, shape=[None, 2, 2, 1])
        w = tf.Variable(tf.ones([4, 1]))
        y = tf.matmul(flatten_layer(x), w)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: np.ones([1, 2, 2, 1])}))
    """
    assert fix(source) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf


        def flatten_layer(layer):
            with tf.name_scope('Flatten_layer'):
                num_features = layer.get_shape()[1:4].num_elements()
                layer_flat = tf.reshape(layer, [-1, num_features])
            return layer_flat


        w = tf.Variable(tf.ones([4, 1]))

        @tf.function(input_signature=[tf.TensorSpec([None, 2, 2, 1], tf.float32)])
        def y(x):
            return tf.matmul(flatten_layer(x), w)

        print(y(np.ones([1, 2, 2, 1])).numpy())
    """)
    # reuse of a scope that makes nothing shares nothing: only a name too (chiphuyen's max pool under
    # `tf.variable_scope(scope_name, reuse=tf.AUTO_REUSE)`)
    shared = source.replace("tf.variable_scope('Flatten_layer')", "tf.variable_scope('Flatten_layer', reuse=True)")
    assert fix(shared) == fix(source)
    # nor one around a call of another module's function, which may make variables with tf.get_variable
    # (their names take the variable scope, not a name scope)
    other = source.replace("import tensorflow as tf\n", "import tensorflow as tf\n        from blocks import conv\n").replace(
        "layer_flat = tf.reshape(layer, [-1, num_features])", "layer_flat = tf.reshape(conv(layer), [-1, num_features])")
    assert reason(other) == ("kept on tensorflow.compat.v1: tf.variable_scope in flatten_layer, around calls of "
                             "functions this file does not define (their variables and sharing are not visible here)")


def test_contrib_flatten_becomes_keras_flatten_and_a_layer_cannot_be_built_from_a_feed():
    assert fix("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 2, 2])
        flat = tf.contrib.layers.flatten(X)
        with tf.Session() as sess:
            print(sess.run(flat, feed_dict={X: [[[1.0, 2.0], [3.0, 4.0]]]}))
    """) == textwrap.dedent("""\
        import tensorflow as tf

        @tf.function(input_signature=[tf.TensorSpec([None, 2, 2], tf.float32)])
        def flat(X):
            return tf.keras.layers.Flatten()(X)

        print(flat([[[1.0, 2.0], [3.0, 4.0]]]).numpy())
    """)
    # tf.layers.dense(x, units): a layer built once cannot take a fed value
    assert reason("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 2])
        units = tf.placeholder(tf.int32)
        out = tf.layers.dense(X, units)
        with tf.Session() as sess:
            print(sess.run(out, feed_dict={X: [[1.0, 2.0]], units: 3}))
    """) == "kept on tensorflow.compat.v1: tf.layers.dense configured with a graph tensor (units)"


def test_contrib_fully_connected_becomes_a_dense_layer_with_contribs_defaults():
    assert fix("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 3])
        hidden = tf.contrib.layers.fully_connected(X, 8, scope="hidden")
        out = tf.contrib.layers.fully_connected(hidden, 1, None, biases_initializer=None, reuse=None)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(out, feed_dict={X: [[1.0, 2.0, 3.0]]}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        hidden_layer = tf.keras.layers.Dense(8, name="hidden", activation=tf.nn.relu)

        def hidden(X):
            return hidden_layer(X)

        out_layer = tf.keras.layers.Dense(1, activation=None, use_bias=False)

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def out(X):
            return out_layer(hidden(X))

        print(out([[1.0, 2.0, 3.0]]).numpy())
    """)
    # a normalizer replaced the bias: Dense has no such step
    assert reason("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 3])
        out = tf.contrib.layers.fully_connected(X, 1, normalizer_fn=tf.nn.l2_normalize)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(out, feed_dict={X: [[1.0, 2.0, 3.0]]}))
    """) == ("kept on tensorflow.compat.v1: tf.contrib.layers.fully_connected(normalizer_fn=...): the Keras layer"
             " has no such parameter")


def test_eval_of_an_expression_in_an_interactive_session_becomes_numpy():
    assert fix("""\
        import tensorflow as tf
        sess = tf.InteractiveSession()
        m = tf.constant([[3., 3.]])
        print(tf.matmul(m, tf.transpose(m)).eval())
        print((m * 2).eval())
        x = tf.placeholder(tf.float32)
        print(tf.square(x).eval(feed_dict={x: 3.0}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        m = tf.constant([[3., 3.]])
        print(tf.matmul(m, tf.transpose(m)).numpy())
        print((m * 2).numpy())
        print(tf.square(tf.constant(3.0, tf.float32)).numpy())
    """)


@pytest.mark.parametrize("source, why", [
    ("""\
    import tensorflow as tf
    W = tf.Variable(10)
    inc = W.assign_add(5)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(inc)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run(W))
    """, "variables initialised again after runs changed them (TF1 starts them over; eager variables would keep "
         "their values)"),
    ("""\
    import tensorflow as tf
    W = tf.Variable(10)
    sess1 = tf.Session()
    sess2 = tf.Session()
    sess1.run(W.initializer)
    sess2.run(W.initializer)
    print(sess1.run(W.assign_add(10)))
    print(sess2.run(W.assign_sub(2)))
    """, "a second session open while sess1 is (each session had its own copy of the variables; eager code has one)"),
])
def test_sessions_that_each_had_their_own_variables_keep_the_program_on_compat(source, why):
    assert reason(source) == f"kept on tensorflow.compat.v1: {why}"


def test_sessions_one_after_another_that_only_read_stay_idiomatic():
    assert fix("""\
        import tensorflow as tf
        W = tf.Variable(10)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(W))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(W * 2))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        W = tf.Variable(10)
        print(W.numpy())
        print((W * 2).numpy())
    """)


def test_a_numbered_save_and_a_resume_from_the_latest_checkpoint():
    assert fix("""\
        import tensorflow as tf
        w = tf.Variable(1.0)
        step = tf.Variable(0, trainable=False)
        sess = tf.Session()
        saver = tf.train.Saver(tf.global_variables())
        ckpt = tf.train.get_checkpoint_state('./model')
        if ckpt and tf.train.checkpoint_exists(ckpt.model_checkpoint_path):
            saver.restore(sess, ckpt.model_checkpoint_path)
        else:
            sess.run(tf.global_variables_initializer())
        saver.save(sess, './model/w.ckpt', global_step=step)
    """) == textwrap.dedent("""\
        import tensorflow as tf
        w = tf.Variable(1.0)
        step = tf.Variable(0, trainable=False)
        saver = tf.train.Checkpoint(step=step, w=w)
        ckpt = tf.train.get_checkpoint_state('./model')
        if ckpt and tf.io.gfile.exists(ckpt.model_checkpoint_path + ".index"):
            saver.read(ckpt.model_checkpoint_path).assert_existing_objects_matched()
        tf.train.CheckpointManager(saver, './model', max_to_keep=5, checkpoint_name='w.ckpt').save(checkpoint_number=step)
    """)
    # a computed path cannot be split into the manager's folder and name here
    assert reason("""\
        import tensorflow as tf
        w = tf.Variable(1.0)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        saver = tf.train.Saver()
        saver.save(sess, 'model/' + 'w.ckpt', global_step=1)
    """) == "kept on tensorflow.compat.v1: saver.save(..., global_step=...) to a path that is not a plain string"
    # a folder joined to a plain name: the manager's folder and name
    assert fix("""\
        import os
        import tensorflow as tf
        FOLDER = "./runs"
        w = tf.Variable(1.0)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        saver = tf.train.Saver()
        saver.save(sess, FOLDER + "/model", global_step=1)
        saver.save(sess, os.path.join(FOLDER, 'w.ckpt'), global_step=2)
    """) == textwrap.dedent("""\
        import os
        import tensorflow as tf
        FOLDER = "./runs"
        w = tf.Variable(1.0)
        saver = tf.train.Checkpoint(w=w)
        tf.train.CheckpointManager(saver, FOLDER, max_to_keep=5, checkpoint_name="model").save(checkpoint_number=1)
        tf.train.CheckpointManager(saver, FOLDER, max_to_keep=5, checkpoint_name='w.ckpt').save(checkpoint_number=2)
    """)


def test_an_unnumbered_save_in_a_program_that_reads_checkpoint_state_stays_on_compat():
    # Saver.save recorded the checkpoint in the folder's `checkpoint` file, which Checkpoint.write does not
    # write: get_checkpoint_state(...) would find nothing (measured: `'NoneType' object has no attribute ...`)
    assert reason("""\
        import tensorflow as tf
        w = tf.Variable(1.0)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, './model/w.ckpt')
        with tf.Session() as sess:
            saver.restore(sess, tf.train.latest_checkpoint('./model'))
            print(sess.run(w))
    """) == ("kept on tensorflow.compat.v1: saver.save() without global_step in a program that reads a folder's "
             "checkpoint state (tf.train.latest_checkpoint): tf.train.Checkpoint.write does not record the checkpoint "
             "it writes there")


def test_a_saver_s_max_to_keep_is_what_its_checkpoint_manager_keeps():
    source = """\
        import tensorflow as tf
        SAVEDIR = "nets/"
        w = tf.Variable(1.0)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        saver = tf.train.Saver(max_to_keep={keep})
        saver.save(sess, SAVEDIR + 'w.ckpt', global_step=1)
    """
    assert fix(source.format(keep=3)).endswith(
        "saver = tf.train.Checkpoint(w=w)\n"
        "tf.train.CheckpointManager(saver, SAVEDIR, max_to_keep=3, checkpoint_name='w.ckpt').save(checkpoint_number=1)\n")
    # TF1's 0 kept every checkpoint, as the manager's None does
    assert "max_to_keep=None, checkpoint_name='w.ckpt'" in fix(source.format(keep=0))
    # a setting: its 0 keeps every checkpoint too
    assert "max_to_keep=FLAGS.keep or None, checkpoint_name='w.ckpt'" in fix(source.format(keep="FLAGS.keep"))
    assert "max_to_keep=(keep + 1) or None, checkpoint_name='w.ckpt'" in fix(source.format(keep="keep + 1"))
    assert reason(source.format(keep="w")) == (
        "kept on tensorflow.compat.v1: tf.train.Saver with arguments (a variable list or options)")
    # the folder's name bound again: its value at the save is not evident
    assert reason(source.format(keep=3).replace('saver.save(', 'SAVEDIR = "other"\n        saver.save(')) == (
        "kept on tensorflow.compat.v1: saver.save(..., global_step=...) to a path that is not a plain string")


def test_tf_train_global_step_reads_the_step_as_an_int():
    assert fix("""\
        import tensorflow as tf
        w = tf.Variable(3.0)
        global_step = tf.Variable(0, name="global_step", trainable=False)
        loss = tf.square(w)
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train_op)
                step = tf.train.global_step(sess, global_step)
                print(step, sess.run(w))
    """).endswith(textwrap.dedent("""\
        for _ in range(3):
            train_op()
            step = int(global_step.numpy())
            print(step, w.numpy())
    """))


def test_check_predicts_the_status_fix_reaches_for_a_saver_of_every_variable():
    source = textwrap.dedent("""\
        import tensorflow as tf
        w = tf.Variable(1.0)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        saver = tf.train.Saver(tf.global_variables())
        saver.save(sess, './w.ckpt')
    """)
    checked = process_text(source, "case.py", Options(fix=False))
    fixed = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))
    assert checked.status.value == fixed.status.value == "idiomatic"
    assert "saver = tf.train.Checkpoint(w=w)" in fixed.new_text


ACCURACY_HELPER = """\
    import tensorflow as tf


    def compute_accuracy(v_xs, v_ys):
        global prediction
        y_pre = sess.run(prediction, feed_dict={xs: v_xs})
        correct = tf.equal(tf.argmax(y_pre, 1), tf.argmax(v_ys, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        return sess.run(accuracy, feed_dict={xs: v_xs, ys: v_ys})


    def weight_variable(shape):
        initial = tf.truncated_normal(shape, stddev=0.1)
        return tf.Variable(initial)


    xs = tf.placeholder(tf.float32, [None, 2])
    ys = tf.placeholder(tf.float32, [None, 2])
    W = weight_variable([2, 2])
    prediction = tf.nn.softmax(tf.matmul(xs, W))
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    print(compute_accuracy([[1.0, 2.0]], [[0.0, 1.0]]))
"""


def test_a_helper_defined_above_the_graph_it_runs_is_read_where_it_is_called():
    # `global prediction` only read the tensor; `initial` in a weight helper is an eager tensor in TF2.
    assert fix(ACCURACY_HELPER) == textwrap.dedent("""\
        import tensorflow as tf


        def compute_accuracy(v_xs, v_ys):
            y_pre = prediction(v_xs).numpy()
            correct = tf.equal(tf.argmax(y_pre, 1), tf.argmax(v_ys, 1))
            accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
            return accuracy.numpy()


        def weight_variable(shape):
            initial = tf.random.truncated_normal(shape, stddev=0.1)
            return tf.Variable(initial)


        W = weight_variable([2, 2])

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def prediction(xs):
            return tf.nn.softmax(tf.matmul(xs, W))

        print(compute_accuracy([[1.0, 2.0]], [[0.0, 1.0]]))
    """)


def test_a_helper_kept_as_written_may_not_read_a_global_that_becomes_a_function():
    # TF1 read the tensor `kernel`; in the rewrite `kernel` is a function of the placeholder.
    assert reason("""\
        import tensorflow as tf


        def loss_fn(alpha):
            return tf.reduce_sum(kernel * alpha)


        x = tf.placeholder(tf.float32, [None])
        kernel = tf.exp(x)
        alpha = tf.Variable(1.0)
        loss = loss_fn(alpha)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(loss, {x: [1.0]}))
    """) == "kept on tensorflow.compat.v1: graph tensor kernel is used outside a session run"


RESTORED = """\
    import tensorflow as tf
    x = tf.placeholder(tf.float32, [None])
    w = tf.Variable(0.0)
    cost = tf.reduce_mean(tf.square(w * x - 2.0 * x))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
    init = tf.global_variables_initializer()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(init)
        sess.run(train, {x: [1.0]})
        saver.save(sess, "/tmp/model.ckpt")
    with tf.Session() as sess:
        sess.run(init)
        saver.restore(sess, "/tmp/model.ckpt")
        print(sess.run(w))
"""


def test_an_initializer_run_again_then_a_restore_of_every_variable_is_the_restore():
    assert fix(RESTORED).endswith(textwrap.dedent("""\
        saver = tf.train.Checkpoint(w=w, optimizer=optimizer)
        train([1.0])
        saver.write("/tmp/model.ckpt")
        saver.read("/tmp/model.ckpt").assert_existing_objects_matched()
        print(w.numpy())
    """))


@pytest.mark.parametrize("old, new", [
    # a run between the initializer and the restore sees the reset values
    ('        sess.run(init)\n        saver.restore', '        sess.run(init)\n        print(sess.run(w))\n'
                                                    '        saver.restore'),
    # nothing restores what the initializer reset
    ('        saver.restore(sess, "/tmp/model.ckpt")\n', ''),
    # a read by eval() in between, too
    ('        sess.run(init)\n        saver.restore', '        sess.run(init)\n        print(w.eval())\n'
                                                    '        saver.restore'),
    ('        sess.run(init)\n        saver.restore', '        sess.run(init)\n        print((w * 2).eval())\n'
                                                    '        saver.restore'),
])
def test_an_initializer_run_again_that_no_restore_covers_keeps_the_program_on_compat(old, new):
    assert reason(RESTORED.replace(old, new)) == (
        "kept on tensorflow.compat.v1: variables initialised again after runs changed them (TF1 starts them "
        "over; eager variables would keep their values)")


def test_a_restore_that_misses_variables_made_after_the_saver_keeps_the_program_on_compat():
    source = RESTORED.replace('    saver = tf.train.Saver()\n', '    saver = tf.train.Saver()\n    v = tf.Variable(1.0)\n')
    assert reason(source).endswith("variables initialised again after runs changed them (TF1 starts them "
                                   "over; eager variables would keep their values)")


@pytest.mark.parametrize("program, why", [
    # (one expression reading x several times draws it once into a local: tested below)
    # through another tensor: z reads x once, z + x reads it twice
    ("z = x * 2.0\nw = z + x\nwith tf.Session() as sess:\n    print(sess.run(w))\n",
     "the random tensor x is read 2 times in one run"),
    # one run fetches x and a tensor computed from it
    ("z = x * 2.0\nwith tf.Session() as sess:\n    print(sess.run([x, z]))\n",
     "the random tensor x is read 2 times in one run"),
])
def test_a_random_tensor_read_twice_in_one_run_keeps_the_program_on_compat(program, why):
    source = "import tensorflow as tf\nx = tf.random_uniform([])\ny = tf.random_uniform([])\n" + program
    assert why in reason(source)


def test_random_tensors_read_once_per_run_are_functions_drawn_at_each_run():
    assert fix("""\
        import tensorflow as tf
        x = tf.random_uniform([])
        y = tf.random_normal([])
        z = x * 2.0
        with tf.Session() as sess:
            print(sess.run([z, y]))
            print(sess.run(z + y))
    """) == textwrap.dedent("""\
        import tensorflow as tf

        def x():
            return tf.random.uniform([])

        def y():
            return tf.random.normal([])

        def z():
            return x() * 2.0

        print([z().numpy(), y().numpy()])
        print((z() + y()).numpy())
    """)


def test_tensors_fetched_into_their_own_names_by_the_last_run():
    assert fix("""\
        import numpy as np
        import tensorflow as tf
        X = tf.placeholder(tf.float32)
        w = tf.Variable(0.5)
        y = X * w
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            w, y = sess.run([w, y], feed_dict={X: 2.0})
        X, Y = np.arange(3.0), np.ones(3)
        print(X * w + y, Y)
    """) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        w = tf.Variable(0.5)

        @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
        def y(X):
            return X * w

        w, y = w.numpy(), y(2.0).numpy()
        X, Y = np.arange(3.0), np.ones(3)
        print(X * w + y, Y)
    """)


def test_a_tensor_fetched_into_its_own_name_before_another_run_is_refused():
    assert reason("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32)
        w = tf.Variable(0.5)
        y = X * w
        loss = tf.square(y)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            w, y = sess.run([w, y], feed_dict={X: 2.0})
            print(sess.run(loss, feed_dict={X: 1.0}))
    """) == "kept on tensorflow.compat.v1: w is fetched into its own name, and the program runs its graph again after"


def test_a_test_method_fetching_into_its_own_names_is_judged_by_its_own_runs():
    assert fix("""\
        import tensorflow as tf


        class ShapeTest(tf.test.TestCase):

            def test_shape(self):
                x = tf.constant([[1, 0], [3, 4]])
                shape = tf.shape(x)
                total = tf.reduce_sum(x)
                with self.test_session() as sess:
                    shape, total = sess.run((shape, total))
                self.assertAllEqual(shape, [2, 2])

            def test_sum(self):
                x = tf.constant([1, 2])
                with self.test_session() as sess:
                    self.assertEqual(sess.run(tf.reduce_sum(x)), 3)
    """) == textwrap.dedent("""\
        import tensorflow as tf


        class ShapeTest(tf.test.TestCase):

            def test_shape(self):
                x = tf.constant([[1, 0], [3, 4]])
                shape = tf.shape(x)
                total = tf.reduce_sum(x)
                shape, total = shape.numpy(), total.numpy()
                self.assertAllEqual(shape, [2, 2])

            def test_sum(self):
                x = tf.constant([1, 2])
                self.assertEqual(tf.reduce_sum(x).numpy(), 3)
    """)


def test_a_loop_over_values_bound_to_a_placeholder_name_reads_values():
    assert fix("""\
        import numpy as np
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        y = x * 2.0
        x_test = np.array([1.0, 2.0])
        with tf.Session() as sess:
            y_pred = sess.run(y, feed_dict={x: x_test})
        for i, x in enumerate(x_test):
            print("input {} output {}".format(x, y_pred[i]))
    """) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def y(x):
            return x * 2.0

        x_test = np.array([1.0, 2.0])
        y_pred = y(x_test).numpy()
        for i, x in enumerate(x_test):
            print("input {} output {}".format(x, y_pred[i]))
    """)


RANDOM_READ_TWICE = """\
    import tensorflow as tf
    x = tf.random_uniform([2])
    y = tf.random_uniform([2])
    gap = tf.cond(tf.reduce_sum(x) > tf.reduce_sum(y), lambda: x - x, lambda: y - y)
    with tf.Session() as sess:
        print(sess.run(gap))
"""


def test_a_random_tensor_read_twice_in_one_expression_is_drawn_once_per_call():
    assert fix(RANDOM_READ_TWICE) == textwrap.dedent("""\
        import tensorflow as tf

        def x():
            return tf.random.uniform([2])

        def y():
            return tf.random.uniform([2])

        def gap():
            x_value = x()
            y_value = y()
            return tf.cond(tf.reduce_sum(x_value) > tf.reduce_sum(y_value), lambda: x_value - x_value, lambda: y_value - y_value)

        print(gap().numpy())
    """)


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")
def test_the_rewrite_of_a_random_tensor_read_twice_computes_what_tf1_did(tmp_path):
    """TF1 drew x once per run: x - x is zero. Drawing at each read would not be."""
    program = tmp_path / "gap.py"
    program.write_text(fix(RANDOM_READ_TWICE))
    done = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "[0. 0.]\n"


def test_a_fetch_into_its_own_names_before_a_helper_that_runs_the_graph_is_refused():
    assert reason("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32)
        w = tf.Variable(0.5)
        y = X * w
        loss = tf.square(y)

        def report(value):
            print(sess.run(loss, feed_dict={X: value}))

        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        w, y = sess.run([w, y], feed_dict={X: 2.0})
        report(1.0)
    """) == "kept on tensorflow.compat.v1: w is fetched into its own name, and the program runs its graph again after"


def test_a_float_placeholder_scaled_by_a_number_is_the_placeholder_fed_and_an_int_one_is_not():
    program = """\
        import tensorflow as tf
        x = tf.placeholder(DTYPE, [None, 2]) / 255.
        w = tf.Variable([[1.0], [2.0]])
        y = tf.matmul(x, w)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, feed_dict={x: [[3.0, 4.0]]}))
    """
    assert fix(program.replace("DTYPE", "tf.float32")) == textwrap.dedent("""\
        import tensorflow as tf
        w = tf.Variable([[1.0], [2.0]])

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def y(x):
            return tf.matmul(x, w)

        print(y([[3.0, 4.0]]).numpy())
    """)
    outcome = process_text(textwrap.dedent(program.replace("DTYPE", "tf.float32")), "case.py", Options())
    assert [f.message for f in outcome.findings if f.code == "TFM090" and "never ran" in f.message] == [
        "`tf.placeholder(tf.float32, [None, 2]) / 255.`: TF1 could only compute x fed (its placeholder has no "
        "name), so it is the placeholder: the arithmetic around it never ran"]
    # int32 / float is float64 in TF1: not the placeholder's dtype
    assert reason(program.replace("DTYPE", "tf.int32")) == (
        "kept on tensorflow.compat.v1: a feed_dict that is not a dict of placeholders")


def test_a_dict_of_variables_fetched_then_printed_by_key_reaches_tf2_in_the_fix_passes_after_the_rewrite():
    # the second pass reads the rewrite's own `values = {"w": w.numpy()}`: a value read then, not a tensor
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 1])
        y = tf.placeholder(tf.float32, [None, 1])
        w = tf.Variable([[0.0]])
        cost = tf.losses.mean_squared_error(y, tf.matmul(x, w))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: [[1.0]], y: [[2.0]]})
        values = sess.run({"w": w})
        print(values["w"])
    """) == textwrap.dedent("""\
        import tensorflow as tf
        w = tf.Variable([[0.0]])

        def cost(x, y):
            return tf.reduce_mean(tf.math.squared_difference(tf.matmul(x, w), y))

        optimizer = tf.optimizers.SGD(0.1)

        @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float32), tf.TensorSpec([None, 1], tf.float32)])
        def train(x, y):
            with tf.GradientTape() as tape:
                loss_value = cost(x, y)
            variables = tape.watched_variables()
            optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
            return loss_value

        train([[1.0]], [[2.0]])
        values = {"w": w.numpy()}
        print(values["w"])
    """)


def test_an_assert_on_static_shapes_goes_with_a_note_and_a_kept_helpers_evident_division_is_tf2s():
    text = textwrap.dedent("""\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 2])
        W = tf.Variable(tf.ones([2, 1]))

        def sigma(x):
            return tf.div(tf.constant(1.0),
                          1.0 + tf.exp(-x))

        y = sigma(tf.matmul(X, W))
        assert y.shape.as_list() == [None, 1] and X.dtype == tf.float32
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        print(sess.run(y, feed_dict={X: [[1.0, 2.0]]}))
    """)
    outcome = process_text(text, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status.value == "idiomatic"
    assert "assert" not in outcome.new_text
    assert ("    return tf.math.divide(tf.constant(1.0),\n"
            "                          1.0 + tf.exp(-x))\n") in outcome.new_text
    [note] = [f for f in outcome.findings if "static shapes" in f.message]
    assert (note.code, note.start.line, note.message) == (
        "TFM090", 10, "an assert on graph tensors' static shapes or dtypes goes: TF1 checked it once, while "
                      "building the graph (it held, or the program stopped there), and the rewrite's functions "
                      "compute the same shapes")
    kept = text.replace("X.dtype == tf.float32", "sess is not None")  # a value, not a static shape: it stays
    assert "assert" in process_text(kept, "case.py", Options(fix=True, unsafe_fixes=True)).new_text


def test_a_fed_training_flag_picks_the_dropout_call_and_dropout_without_one_passes_its_inputs():
    # Keras 3's Dropout reads training as a Python bool: the fed flag (a tensor in the tf.function)
    # picks the call instead, parenthesized inside a larger expression. tf.layers.dropout(X, 0.7, flag)
    # passes the flag as noise_shape: without training=True, TF1's layer returned its inputs.
    source = """\
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 2])
        is_training = tf.placeholder(tf.bool)
        out = 2.0 * tf.layers.dropout(X, 0.5, training=is_training) + 1.0
        same = tf.layers.dropout(X, 0.7, is_training)
        with tf.Session() as sess:
            print(sess.run(out, feed_dict={X: [[1.0, 2.0]], is_training: False}))
            print(sess.run(same, feed_dict={X: [[1.0, 2.0]], is_training: True}))
    """
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf
        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec(None, tf.bool)]
        out_layer = tf.keras.layers.Dropout(0.5)

        @tf.function(input_signature=SIGNATURE)
        def out(X, is_training):
            return 2.0 * (out_layer(X, training=True) if is_training else X) + 1.0

        @tf.function(input_signature=SIGNATURE)
        def same(X, is_training):
            return X

        print(out([[1.0, 2.0]], False).numpy())
        print(same([[1.0, 2.0]], True).numpy())
    """)
    notes = [(f.start.line, f.message) for f in process_text(textwrap.dedent(source), "case.py", Options()).findings
             if f.code == "TFM090"]
    assert notes == [(5, "tf.layers.dropout without training=True returned its inputs in TF1 (training defaults to "
                         "False; its third positional argument is noise_shape), and so does the rewrite: pass "
                         "training= for it to drop")]


def test_a_tf1_name_the_rewrite_would_keep_is_reported_where_the_program_writes_it():
    # (it pointed at the program's first TF1-only name, the placeholder on line 2)
    source = textwrap.dedent("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 1])
        with tf.variable_scope("gen"):
            a = tf.get_variable("a", initializer=[[0.0]])
        loss = tf.reduce_mean(tf.square(tf.matmul(x, a) - 2.0 * x))
        print(len(tf.trainable_variables()))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            _, value = sess.run([train, loss], feed_dict={x: [[1.0]]})
            print(value)
    """)
    [finding] = [f for f in process_text(source, "case.py", Options()).findings if f.code == "TFM090"]
    assert (finding.start.line, finding.start.column) == (6, 11)
    assert finding.message.endswith("tf.trainable_variables would stay in the rewrite, and TensorFlow 2 does not have it")


SECTIONS = """\
    import tensorflow as tf
    data = [1.0, 2.0]
    x = tf.placeholder(tf.float32, [2])
    double = x * 2.0
    with tf.Session() as sess:
        print(sess.run(double, feed_dict={x: data}))
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [2])
    double = x + x
    with tf.Session() as sess:
        print(sess.run(double, feed_dict={x: data}))
"""


def test_graph_programs_separated_by_reset_default_graph_are_rewritten_one_after_the_other():
    # (fixtures/reset_default_graph_sections runs two such sections, each training a variable)
    assert fix(SECTIONS) == textwrap.dedent("""\
        import tensorflow as tf
        data = [1.0, 2.0]

        @tf.function(input_signature=[tf.TensorSpec([2], tf.float32)])
        def double(x):
            return x * 2.0

        print(double(data).numpy())

        @tf.function(input_signature=[tf.TensorSpec([2], tf.float32)])
        def double(x):
            return x + x

        print(double(data).numpy())
    """)


def test_a_section_reading_a_function_of_an_earlier_one_keeps_the_script_one_program():
    # the function builds graph code; TF1 built it in each graph, a rewrite of each section alone
    # would not see it: the script stays one program, which defines its placeholder twice
    source = SECTIONS.replace("data = [1.0, 2.0]\n", "data = [1.0, 2.0]\n    def twice(v):\n        return v * 2.0\n")
    source = source.replace("x * 2.0", "twice(x)").replace("x + x", "twice(x) + 1.0")
    assert reason(source) == "kept on tensorflow.compat.v1: placeholder x is defined twice"
    # and a tensor of the earlier graph read after the reset (TF1 refused it too)
    assert reason(SECTIONS.replace("double = x + x", "double = x + double")) == (
        "kept on tensorflow.compat.v1: placeholder x is defined twice")


RESET_HELPER = SECTIONS.replace("import tensorflow as tf\n", """import numpy as np
    import tensorflow as tf

    def reset_graph(seed=42):
        \"\"\"Start a new graph, its random draws from the seed.\"\"\"
        tf.reset_default_graph()
        tf.set_random_seed(seed)
        np.random.seed(seed)

    reset_graph()
""").replace("tf.reset_default_graph()\n    x =", "reset_graph(7)\n    x =")


def test_a_reset_helper_separates_sections_and_only_seeds_in_eager_code():
    # Hands-On Machine Learning's `reset_graph()` before each graph: each section is a program of its own
    assert fix(RESET_HELPER) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf

        def reset_graph(seed=42):
            \"\"\"Start a new graph, its random draws from the seed.\"\"\"
            tf.random.set_seed(seed)
            np.random.seed(seed)

        reset_graph()
        data = [1.0, 2.0]

        @tf.function(input_signature=[tf.TensorSpec([2], tf.float32)])
        def double(x):
            return x * 2.0

        print(double(data).numpy())
        reset_graph(7)

        @tf.function(input_signature=[tf.TensorSpec([2], tf.float32)])
        def double(x):
            return x + x

        print(double(data).numpy())
    """)
    # a helper that does more than reset and seed is a function of the program: the script stays one
    assert reason(RESET_HELPER.replace("np.random.seed(seed)\n", "np.random.seed(seed)\n        print(seed)\n")) == (
        "kept on tensorflow.compat.v1: placeholder x is defined twice")


def test_arithmetic_on_eager_tensors_is_an_eager_tensor_its_run_reads():
    # `y = -tf.multiply(2.0, x) - 1.0` of a constant tensor: computed once, as TF1 computed it at each run
    assert fix("""\
        import tensorflow as tf
        sess = tf.Session()
        x = tf.linspace(-3., 5., 5)
        y = - tf.multiply(2.0, x) - 1.0
        z = -x * 2
        n = len([1, 2]) * 2
        print(sess.run(y), sess.run(z), n)
    """) == textwrap.dedent("""\
        import tensorflow as tf
        x = tf.linspace(-3., 5., 5)
        y = - tf.multiply(2.0, x) - 1.0
        z = -x * 2
        n = len([1, 2]) * 2
        print(y.numpy(), z.numpy(), n)
    """)


def test_values_unpacked_from_a_tensorflow_call_of_eager_values_are_eager_tensors():
    assert fix("""\
        import numpy as np
        import tensorflow as tf
        x = tf.convert_to_tensor(np.arange(1, 11), tf.float32)
        mean, variance = tf.nn.moments(x, [0])
        with tf.Session() as sess:
            m, v = sess.run([mean, variance])
        print(m, v)
    """) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        x = tf.convert_to_tensor(np.arange(1, 11), tf.float32)
        mean, variance = tf.nn.moments(x, [0])
        m, v = mean.numpy(), variance.numpy()
        print(m, v)
    """)


def test_rows_looked_up_and_trained_by_adam_have_their_repeated_ids_summed_first():
    # TF1's optimizers summed a row's gradient over the ids repeated in a run; Keras 3's Adam applied each
    # repeat (9e-1 off after 30 steps on four repeats of one id); gradient descent subtracts them all alike
    source = """\
        import tensorflow as tf
        ids = tf.placeholder(tf.int32, [None])
        embeddings = tf.Variable(tf.ones([5, 3]))
        loss = tf.reduce_sum(tf.nn.embedding_lookup(embeddings, ids))
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, feed_dict={ids: [0, 0, 1]})
    """
    assert textwrap.dedent("""\
        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
        def train(ids):
            with tf.GradientTape() as tape:
                loss_value = loss(ids)
            variables = tape.watched_variables()
            # each looked-up row's gradient summed over the ids repeated in a run, as TF1's optimizers did
            gradients = [tf.convert_to_tensor(gradient) for gradient in tape.gradient(loss_value, variables)]
            optimizer.apply_gradients(zip(gradients, variables))
            return loss_value
    """) in fix(source)
    assert "convert_to_tensor" not in fix(source.replace("AdamOptimizer", "GradientDescentOptimizer"))


def test_a_run_of_a_function_returning_several_tensors_fetches_each_value_in_its_structure():
    # `.numpy()` of top_k's named tuple, moments' tuple or split's list raised AttributeError
    assert fix("""\
        import tensorflow as tf
        sess = tf.Session()
        x = tf.constant([1.0, 5.0, 3.0, 4.0])
        vals, idx = sess.run(tf.nn.top_k(x, k=2))
        parts = tf.split(x, 2)
        print(vals, idx, sess.run(parts))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        x = tf.constant([1.0, 5.0, 3.0, 4.0])
        vals, idx = tf.nest.map_structure(lambda value: value.numpy(), tf.nn.top_k(x, k=2))
        parts = tf.split(x, 2)
        print(vals, idx, tf.nest.map_structure(lambda value: value.numpy(), parts))
    """)


def test_a_variables_initializer_run_in_an_interactive_session_goes():
    # `v.initializer.run()` stayed, and an eager variable's initializer is None
    assert fix("""\
        import tensorflow as tf
        sess = tf.InteractiveSession()
        v = tf.Variable(10.0)
        v.initializer.run()
        print(v.eval())
    """) == "import tensorflow as tf\nv = tf.Variable(10.0)\nprint(v.numpy())\n"


def test_get_variable_with_a_tf_slim_initializer_keeps_its_shape():
    # contrib's xavier_initializer becomes tf_slim's where a contrib regularizer is passed on as a value;
    # it was then read as an initial value and lost the shape (TypeError at the first run)
    out = fix("""\
        import tensorflow as tf
        W = tf.get_variable("W", shape=[3, 1], initializer=tf.contrib.layers.xavier_initializer())
        reg = tf.contrib.layers.l2_regularizer(scale=0.01)(W)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(reg) > 0)
    """)
    assert 'W = tf.Variable(tf_slim.xavier_initializer()(shape=[3, 1]), name="W")\n' in out


def test_moving_averages_start_from_the_variables_initial_values_as_tf1_made_them():
    # an eager apply made the averages at its first call, from the values then (10.0, not 5.0, printed)
    assert fix("""\
        import tensorflow as tf
        w = tf.Variable(0.0)
        ema = tf.train.ExponentialMovingAverage(decay=0.5)
        ema_op = ema.apply([w])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(tf.assign(w, 10.0))
            sess.run(ema_op)
            print(sess.run(ema.average(w)))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        w = tf.Variable(0.0)
        ema = tf.train.ExponentialMovingAverage(decay=0.5)

        def ema_op():
            return ema.apply([w])

        # the moving averages, made from the initial values as TF1 made them
        ema.apply([w])
        w.assign(10.0).numpy()
        ema_op()
        print(ema.average(w).numpy())
    """)


def test_the_op_of_an_assign_run_in_an_interactive_session_assigns():
    assert fix("""\
        import tensorflow as tf
        sess = tf.InteractiveSession()
        v = tf.Variable(1.0)
        sess.run(tf.global_variables_initializer())
        inc = tf.assign_add(v, 2.0)
        inc.op.run()
        print(v.eval())
    """) == "import tensorflow as tf\nv = tf.Variable(1.0)\n\ndef inc():\n    return v.assign_add(2.0)\n\ninc()\nprint(v.numpy())\n"


def test_a_graph_tensor_standing_alone_as_a_notebook_shows_it_goes_with_a_note():
    source = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        net = tf.layers.dense(x, 3)
        net
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(net, feed_dict={x: [[1.0, 2.0]]}).shape)
    """
    out = fix(source)
    assert "\\nnet\\n" not in out and "print(net([[1.0, 2.0]]).numpy().shape)" in out
    assert [f.message for f in process_text(textwrap.dedent(source), "case.py", Options()).findings
            if f.start.line == 4] == [
        "a graph tensor or placeholder standing alone (a notebook showed its description) goes: it has no value "
        "until the function that computes it is called"]


def test_placeholders_a_function_makes_and_returns_are_defined_where_the_program_calls_it():
    source = """\
        import tensorflow as tf
        def create_placeholders(n_x, n_y=2):
            \"\"\"The inputs.\"\"\"
            X = tf.placeholder(tf.float32, shape=[n_x, None], name="X")
            Y = tf.placeholder(tf.float32, shape=[n_y, None], name="Y")
            return X, Y
        X, Y = create_placeholders(3)
        cost = tf.reduce_sum(X) + tf.reduce_sum(Y)
        with tf.Session() as sess:
            print(sess.run(cost, feed_dict={X: [[1.0], [2.0], [3.0]], Y: [[1.0], [1.0]]}))
    """
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf

        @tf.function(input_signature=[tf.TensorSpec([3, None], tf.float32), tf.TensorSpec([2, None], tf.float32)])
        def cost(X, Y):
            return tf.reduce_sum(X) + tf.reduce_sum(Y)

        print(cost([[1.0], [2.0], [3.0]], [[1.0], [1.0]]).numpy())
    """)
    # called twice (two sets of placeholders), the function is left to the rest of the rewrite
    assert reason(source.replace("X, Y = create_placeholders(3)\n", "X, Y = create_placeholders(3)\n"
                                 "        A, B = create_placeholders(3)\n")) == (
        "kept on tensorflow.compat.v1: placeholder X is used outside a feed (in Python code or a loop body)")


def test_a_group_of_assigns_becomes_the_assigns_run_in_the_function():
    # a tf.function cannot return the Operation tf.group makes (TypeError at the first call)
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [2])
        population = tf.Variable(tf.zeros([2]))
        step = tf.group(population.assign(x * 2.0))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            step.run(feed_dict={x: [1.0, 2.0]}, session=sess)
            print(sess.run(population))
    """)
    assert "def step(x):\n    population.assign(x * 2.0)\n\nstep([1.0, 2.0])\n" in out


def test_one_optimizer_making_two_train_ops_or_a_clusters_device_stays_on_compat():
    # the cookbook's activation functions: one GradientDescentOptimizer, two losses of their own variables;
    # Keras 3's optimizer raised "Unknown variable" at the second step
    assert reason("""\
        import tensorflow as tf
        a = tf.Variable(1.0)
        b = tf.Variable(2.0)
        opt = tf.train.GradientDescentOptimizer(0.1)
        train_a = opt.minimize(tf.square(a))
        train_b = opt.minimize(tf.square(b))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run([train_a, train_b])
    """) == ("kept on tensorflow.compat.v1: optimizer opt makes a second train op (a Keras optimizer is built for "
             "the variables of its first step and refuses others)")
    assert reason("""\
        import tensorflow as tf
        with tf.device("/job:local/task:0"):
            x = tf.constant(2.0) * 3.0
        with tf.Session() as sess:
            print(sess.run(x))
    """) == ("kept on tensorflow.compat.v1: a device of a cluster's job (eager code reaches it only once connected "
             "to the cluster: tf.config.experimental_connect_to_cluster)")


_IF_REASON = ("kept on tensorflow.compat.v1: {} of the graph is bound in a branch of an `if` and read after it, "
              "where the other branch leaves another (TF1 built the branch that ran; the functions the rewrite "
              "writes would not follow which one ran)")


def test_a_tensor_bound_again_in_one_branch_is_named_alike_in_the_other():
    # the rewrite defined `y_2` inside `if flag:` and the code after it called y_2: NameError when flag was false
    out = fix("""\
        import sys
        import tensorflow as tf
        flag = len(sys.argv) > 5
        x = tf.placeholder(tf.float32, [None, 2])
        y = x * 2.0
        if flag:
            y = y + 1.0
        with tf.Session() as sess:
            print(sess.run(y, {x: [[1.0, 1.0]]}))
    """)
    assert out == textwrap.dedent("""\
        import sys
        import tensorflow as tf
        flag = len(sys.argv) > 5
        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32)]

        @tf.function(input_signature=SIGNATURE)
        def y(x):
            return x * 2.0

        if flag:
            @tf.function(input_signature=SIGNATURE)
            def y_2(x):
                return y(x) + 1.0
        else:
            y_2 = y
        print(y_2([[1.0, 1.0]]).numpy())
    """)


def test_a_tensor_bound_in_a_branch_and_read_after_the_if_stays_on_compat():
    # a dropout added in one branch: the two functions take other placeholders
    assert reason("""\
        import tensorflow as tf
        training = True
        x = tf.placeholder(tf.float32, [None, 2])
        keep = tf.placeholder(tf.float32)
        h = x * 2.0
        if training:
            h = tf.nn.dropout(h, keep)
        with tf.Session() as sess:
            print(sess.run(h, {x: [[1.0, 1.0]], keep: 1.0}))
    """) == _IF_REASON.format("h")
    # a branch that binds the tensor to a Python value
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        h = x * 2.0
        size = 3
        if size == 3:
            h = None
        with tf.Session() as sess:
            print(sess.run(h, {x: [[1.0, 1.0]]}))
    """) == _IF_REASON.format("h")


def test_each_branch_of_an_if_chain_reads_the_graph_from_before_it_and_binds_one_name():
    # the cookbook's Lasso and Ridge losses: each branch wrote a function of its own name, and the train
    # step called the last one (NameError on the other path); the second branch read the first one's
    assert fix("""\
        import tensorflow as tf
        kind = "ridge"
        w = tf.Variable(1.0)
        loss = tf.square(w)
        if kind == "lasso":
            loss = loss + tf.abs(w - 2.0)
        elif kind == "ridge":
            loss = loss + tf.square(w - 2.0)
        else:
            print("unknown kind")
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            _, value = sess.run([train, loss])
            print(value)
    """) == textwrap.dedent("""\
        import tensorflow as tf
        kind = "ridge"
        w = tf.Variable(1.0)

        def loss():
            return tf.square(w)

        if kind == "lasso":
            def loss_2():
                return loss() + tf.abs(w - 2.0)
        elif kind == "ridge":
            def loss_square():
                return loss() + tf.square(w - 2.0)

            loss_2 = loss_square
        else:
            print("unknown kind")
            loss_2 = loss
        optimizer = tf.optimizers.SGD(0.1)

        @tf.function
        def train():
            with tf.GradientTape() as tape:
                loss_value = loss_2()
            variables = tape.watched_variables()
            optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
            return loss_value

        value = train().numpy()
        print(value)
    """)


def test_graph_objects_bound_in_a_branch_and_read_only_there_or_initializers_in_each_branch_are_rewritten():
    out = fix("""\
        import tensorflow as tf
        w = tf.Variable(3.0)
        if int(tf.__version__.split(".")[1]) < 12:
            init = tf.initialize_all_variables()
        else:
            init = tf.global_variables_initializer()
        verbose = True
        if verbose:
            doubled = w * 2.0
            with tf.Session() as sess:
                sess.run(init)
                print(sess.run(doubled))
    """)
    assert out == textwrap.dedent("""\
        import tensorflow as tf
        w = tf.Variable(3.0)
        verbose = True
        if verbose:
            def doubled():
                return w * 2.0

            print(doubled().numpy())
    """)


def test_gradients_over_a_list_name_and_a_fetched_comprehension_keep_their_structure():
    # tape.gradient(loss_value, [params()]) nested the list (global_norm failed on its shapes); a run of
    # a comprehension of tensors called .numpy() on the list
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        W = tf.Variable(tf.ones([2, 1]))
        b = tf.Variable(tf.zeros([1]))
        params = [W, b]
        loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + b))
        grads = tf.gradients(loss, params)
        outs = [tf.reduce_sum(x * k) for k in (1.0, 2.0)]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(tf.global_norm(grads), {x: [[1.0, 1.0]]}))
            print(sess.run(outs, {x: [[1.0, 1.0]]}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32)]
        W = tf.Variable(tf.ones([2, 1]))
        b = tf.Variable(tf.zeros([1]))

        def params():
            return [W, b]

        def loss(x):
            return tf.reduce_mean(tf.square(tf.matmul(x, W) + b))

        @tf.function(input_signature=SIGNATURE)
        def grads(x):
            with tf.GradientTape() as tape:
                loss_value = loss(x)
            return tape.gradient(loss_value, params())

        @tf.function(input_signature=SIGNATURE)
        def outs(x):
            return [tf.reduce_sum(x * k) for k in (1.0, 2.0)]

        print(tf.linalg.global_norm(grads([[1.0, 1.0]])).numpy())
        print(tf.nest.map_structure(lambda value: value.numpy(), outs([[1.0, 1.0]])))
    """)


def test_a_variable_bound_again_while_functions_reading_it_are_still_called_stays_on_compat():
    # an encoder's `weights`, then a decoder's: the encoder's function read the decoder's variable (a
    # shape error); bound again after the last call, it is rewritten
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        weights = tf.Variable([[1.0], [2.0]])
        encoded = tf.matmul(x, weights)
        weights = tf.Variable([[3.0, 4.0]])
        decoded = tf.matmul(encoded, weights)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(decoded, {x: [[1.0, 1.0]]}))
    """) == ("kept on tensorflow.compat.v1: variable weights is bound again while functions of the rewrite that "
             "read it are still called (each call reads the name: it would find the new value)")
    assert fix("""\
        import tensorflow as tf
        b = tf.Variable(1.0)
        y = b * 2.0
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y))
            b = sess.run(b)
        print(b)
    """) == textwrap.dedent("""\
        import tensorflow as tf
        b = tf.Variable(1.0)

        def y():
            return b * 2.0

        print(y().numpy())
        b = b.numpy()
        print(b)
    """)


def test_a_function_initialising_in_its_own_session_called_twice_stays_on_compat():
    # `for rate in rates: train(rate)`: TF1 started the variables over at each call; the rewrite's second
    # call went on from the first one's values
    assert reason("""\
        import tensorflow as tf
        rate = tf.placeholder(tf.float32, [])
        w = tf.Variable(5.0)
        loss = tf.square(w)
        step = tf.train.GradientDescentOptimizer(rate).minimize(loss)

        def train(value):
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(3):
                    sess.run(step, feed_dict={rate: value})
                print(sess.run(w))

        for value in (0.1, 0.2):
            train(value)
    """) == ("kept on tensorflow.compat.v1: train initialises the variables in a session of its own, runs what "
             "changes them, and is called more than once (TF1 started them over at each call; eager variables "
             "would keep their values)")


def test_a_saver_of_chosen_variables_is_a_checkpoint_of_them_under_their_keys():
    out = fix("""\
        import tensorflow as tf
        W = tf.Variable([[1.0], [2.0]])
        b = tf.Variable([0.5])
        y = tf.reduce_sum(W) + b
        by_key = tf.train.Saver({"weights": W, "bias": b})
        listed = tf.train.Saver([W])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            by_key.save(sess, "/tmp/model")
            listed.save(sess, "/tmp/weights")
            print(sess.run(y))
    """)
    assert 'by_key = tf.train.Checkpoint(weights=W, bias=b)\nlisted = tf.train.Checkpoint(W=W)\n' in out
    assert 'by_key.write("/tmp/model")\nlisted.write("/tmp/weights")\n' in out
    for source in ('tf.train.Saver({"W": W, "W2": y})', 'tf.train.Saver({"root": W})', "tf.train.Saver([W, y])"):
        assert reason(f"""\
            import tensorflow as tf
            W = tf.Variable([[1.0], [2.0]])
            y = tf.reduce_sum(W)
            saver = {source}
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                saver.save(sess, "/tmp/model")
        """) == "kept on tensorflow.compat.v1: tf.train.Saver with arguments (a variable list or options)"


def test_a_saver_keying_a_variable_by_its_tf1_name_beside_another_saver_stays_on_compat():
    # Saver() wrote `a` (Checkpoint(a=a)); Saver({"old_a": new_a}) read key old_a: nothing, silently
    assert reason("""\
        import tensorflow as tf
        a = tf.Variable([1.0, 2.0], name="old_a")
        new_a = tf.Variable([0.0, 0.0], name="new_a")
        saver = tf.train.Saver([a])
        loader = tf.train.Saver({"old_a": new_a})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, "/tmp/ckpt")
            loader.restore(sess, "/tmp/ckpt")
            print(sess.run(new_a))
    """) == ("kept on tensorflow.compat.v1: a restore by tf.train.Saver keying old_a by a TF1 name beside another "
             "Saver (the rewrite's checkpoints key variables by their Python names)")


def test_a_saver_checkpoints_the_module_a_builder_of_variables_becomes():
    outcome = process_text(textwrap.dedent("""\
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 2])

        def build(x):
            w = tf.Variable(tf.ones([2, 1]))
            return tf.matmul(x, w)

        y = build(x)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, {x: [[1.0, 2.0]]}))
            saver.save(sess, "/tmp/model")
    """), "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text.endswith(textwrap.dedent("""\
        build = Build()

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def y(x):
            return build(x)

        saver = tf.train.Checkpoint(build=build)
        print(y([[1.0, 2.0]]).numpy())
        saver.write("/tmp/model")
    """))


def test_a_saver_before_any_variable_is_made_says_so():
    assert reason("""\
        import tensorflow as tf
        saver = tf.train.Saver()
        w = tf.Variable(tf.zeros([2, 1]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, "/tmp/model")
    """) == ("kept on tensorflow.compat.v1: tf.train.Saver of variables this rewrite has not seen made (by a call to "
             "code it does not follow, or none yet)")


_REBOUND = ("kept on tensorflow.compat.v1: {} is bound again while functions of the rewrite that read it are still "
            "called (each call reads the name: it would find the new value)")


@pytest.mark.parametrize("source, name", [
    # a Python number TF1 read when it built y, changed in place
    ("scale = 2.0\ny = x * scale\nscale += 1.0\nprint(s.run(y, {x: [1.0, 2.0]}))\n", "scale"),
    # set again, where a function reads it (when called)
    ("scale = 2.0\ndef scaled(v):\n    return v * scale\ny = scaled(x)\nscale = 3.0\n"
     "print(s.run(y, {x: [1.0, 2.0]}))\n", "scale"),
    # set again, and a comprehension's own variable of that name (its reads are not the constant's)
    ("scale = 2.0\ny = tf.add_n([x * scale for scale in (1.0, 3.0)])\nscale = 5.0\n"
     "print(s.run(y, {x: [1.0, 2.0]}))\n", "scale"),
    # a NumPy array changed in place after TF1 copied it into the graph
    ("offset = np.array([1.0, 2.0], np.float32)\ny = x + offset\noffset[0] = 100.0\n"
     "print(s.run(y, {x: [1.0, 2.0]}))\n", "offset"),
    # a hyperparameter rebound by a loop that runs the graph
    ("reg = 0.01\ny = tf.reduce_sum(x) * reg\nfor reg in (0.0, 0.5):\n    print(s.run(y, {x: [1.0, 2.0]}))\n", "reg"),
    # an activation function a helper reads, bound again between two layers
    ("ACT = tf.nn.relu\ndef layer(inp):\n    return ACT(inp)\nh1 = layer(x)\nACT = tf.nn.tanh\nh2 = layer(h1)\n"
     "print(s.run([h1, h2], {x: [-1.0, 2.0]}))\n", "ACT"),
])
def test_a_name_the_functions_read_bound_again_while_they_are_called_stays_on_compat(source, name):
    head = "import numpy as np\nimport tensorflow as tf\nx = tf.placeholder(tf.float32, [None])\ns = tf.Session()\n"
    assert reason(head + source) == _REBOUND.format(name)


def test_a_constant_set_again_between_the_statements_that_build_tensors_is_read_where_each_stands():
    # tensorflow-without-a-phd's `stride = 1 ... stride = 2` between its convolutions: TF1 read the value in
    # force where each tensor was built; Python code keeps reading the name
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        scale = 2.0  # the first layer's
        y = x * scale
        scale = -3.0
        z = y * scale + 1.0
        with tf.Session() as s:
            print(s.run([y, z], {x: [1.0, 2.0]}), scale)
    """) == textwrap.dedent("""\
        import tensorflow as tf
        SIGNATURE = [tf.TensorSpec([None], tf.float32)]
        scale = 2.0  # the first layer's

        @tf.function(input_signature=SIGNATURE)
        def y(x):
            return x * 2.0

        scale = -3.0

        @tf.function(input_signature=SIGNATURE)
        def z(x):
            return y(x) * -3.0 + 1.0

        print([y([1.0, 2.0]).numpy(), z([1.0, 2.0]).numpy()], scale)
    """)


def test_variables_whose_python_name_is_bound_again_take_their_tf1_names():
    # CS 20's module-level scopes each bind `w` again; `scope.name` names an op after its scope
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        with tf.variable_scope("hidden") as scope:
            w = tf.get_variable("w", [2, 3], initializer=tf.ones_initializer())
            h = tf.nn.relu(tf.matmul(x, w), name=scope.name)
        with tf.variable_scope("out"):
            w = tf.get_variable("w", [3, 1], initializer=tf.ones_initializer())
            y = tf.matmul(h, w)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, {x: [[1.0, 2.0]]}), sess.run(w).shape)
    """) == textwrap.dedent("""\
        import tensorflow as tf
        with tf.name_scope("hidden"):
            hidden_w = tf.Variable(tf.ones_initializer()(shape=[2, 3]), name="w")

            def h(x):
                return tf.nn.relu(tf.matmul(x, hidden_w), name="hidden")
        with tf.name_scope("out"):
            out_w = tf.Variable(tf.ones_initializer()(shape=[3, 1]), name="w")

            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
            def y(x):
                return tf.matmul(h(x), out_w)
        print(y([[1.0, 2.0]]).numpy(), out_w.numpy().shape)
    """)
    # DeepLearningZeroToAll's lab 6: the bias `b`, then `b = sess.run(hypothesis, ...)`
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        b = tf.Variable([0.5, -0.5], name="bias")
        y = x + b
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            b = sess.run(y, {x: [[1.0, 2.0]]})
            print(b, sess.run(y, {x: b}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        bias = tf.Variable([0.5, -0.5], name="bias")

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def y(x):
            return x + bias

        b = y([[1.0, 2.0]]).numpy()
        print(b, y(b).numpy())
    """)


@pytest.mark.parametrize("binding", [
    "def shifted(v):\n    return v + b\ny = shifted(x)\n",  # a function reads b when called
    "y = x + b\nb += 1.0\n",  # the next binding also reads it
    "y = x + b\nbias = 1\n",  # the TF1 name is a name of the program
])
def test_a_variable_bound_again_keeps_its_name_where_renaming_it_would_not_be_the_same_program(binding):
    assert reason("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 2])\n"
                  "b = tf.Variable([0.5, -0.5], name='bias')\n" + binding + "s = tf.Session()\n"
                  "s.run(tf.global_variables_initializer())\nb = s.run(y, {x: [[1.0, 2.0]]})\n"
                  "print(s.run(y, {x: b}))\n") == _REBOUND.format("variable b")


def test_a_value_computed_by_a_function_of_the_program_that_reads_variables_is_a_tensor():
    # Udacity's `valid_prediction = tf.nn.softmax(forward(tf_valid_dataset))`, read after training: TF1
    # computed it from the trained weights at each run, not once before training
    assert fix("""\
        import numpy as np
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        valid = tf.constant(np.ones((1, 2), np.float32))
        w = tf.Variable([[1.0], [2.0]])
        def forward(data):
            return tf.matmul(data, w)
        loss = tf.reduce_sum(forward(x))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        valid_prediction = forward(valid)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {x: [[1.0, 1.0]]})
            print(valid_prediction.eval())
    """).endswith(textwrap.dedent("""\
        def valid_prediction():
            return forward(valid)

        train([[1.0, 1.0]])
        print(valid_prediction().numpy())
    """))


def test_a_structure_of_tensors_computed_once_is_fetched_as_that_structure_of_values():
    assert fix("""\
        import tensorflow as tf
        fib = tf.scan(lambda a, _: (a[1], a[0] + a[1]), tf.range(5), initializer=(tf.constant(0), tf.constant(1)))
        with tf.Session() as sess:
            print(sess.run(fib)[0])
    """) == textwrap.dedent("""\
        import tensorflow as tf
        fib = tf.scan(lambda a, _: (a[1], a[0] + a[1]), tf.range(5), initializer=(tf.constant(0), tf.constant(1)))
        print(tf.nest.map_structure(lambda value: value.numpy(), fib)[0])
    """)


def test_a_function_on_one_line_that_reads_a_placeholder_is_read_as_one_on_several():
    # the API documentation's `def f1(): return tf.multiply(x, 17.)` passed to tf.cond: kept as written, it
    # read the placeholder x, which the rewrite makes a parameter
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, shape=[])
        y = tf.placeholder(tf.float32, shape=[])
        def f1(): return tf.multiply(x, 17.)
        def f2(): return tf.add(y, 23.)
        r = tf.cond(tf.less(x, y), f1, f2)
        with tf.Session() as sess:
            print(sess.run(r, feed_dict={x: 1., y: 2.}))
    """) == "kept on tensorflow.compat.v1: placeholder x is used outside a feed (in Python code or a loop body)"


def test_variables_and_tensors_passed_to_a_function_that_runs_them_are_read_there():
    # Hvass-Labs' plot_conv_weights(weights=...) and plot_conv_layer(layer=..., image=...)
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        W = tf.Variable([[1.0], [2.0]])
        h = tf.matmul(x, W)
        session = tf.Session()
        session.run(tf.global_variables_initializer())

        def show_weights(weights):
            print(session.run(weights))

        def show_layer(layer, data):
            print(session.run(layer, feed_dict={x: data}))

        show_weights(W)
        show_layer(layer=h, data=[[1.0, 1.0]])
    """)
    assert out.endswith(textwrap.dedent("""\
        def show_weights(weights):
            print(weights.numpy())

        def show_layer(layer, data):
            print(layer(data).numpy())

        show_weights(W)
        show_layer(layer=h, data=[[1.0, 1.0]])
    """))
    # a call that passes something else: the function's parameter is not the program's graph object
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        W = tf.Variable([[1.0], [2.0]])
        h = tf.matmul(x, W)
        session = tf.Session()
        session.run(tf.global_variables_initializer())

        def show(t):
            print(session.run(t, feed_dict={x: [[1.0, 1.0]]}))

        show(h)
        show(W)
    """) == "kept on tensorflow.compat.v1: t is fetched but is not a tensor of this program"


def test_a_variable_a_model_function_returns_is_its_modules_attribute():
    # Hvass-Labs' `layer_conv1, weights_conv1 = new_conv_layer(...)`, its weights plotted later
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 3])

        def new_layer(inp, size_in, size_out):
            weights = tf.Variable(tf.ones([size_in, size_out]))
            layer = tf.nn.relu(tf.matmul(inp, weights))
            return layer, weights

        layer1, weights1 = \\
            new_layer(x,
                      3, 2)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(layer1, {x: [[1.0, 2.0, 3.0]]}), sess.run(weights1).shape)
    """).endswith(textwrap.dedent("""\
        new_layer = NewLayer()

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def layer1(x):
            return new_layer(x,
                             3, 2)[0]

        # a first trace makes the variables of new_layer here, as TF1 did
        layer1.get_concrete_function()
        weights1 = new_layer.weights
        print(layer1([[1.0, 2.0, 3.0]]).numpy(), weights1.numpy().shape)
    """))


def test_a_number_of_a_static_shape_returned_with_a_tensor_stays_a_number_or_the_program_stays():
    # Hvass-Labs' flatten_layer: `return layer_flat, num_features`, num_features then a weight's shape; the
    # rewrite's function would hand it back as a tensor, and a variable cannot be made of its shape in a trace
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2, 2])

        def flatten_layer(layer):
            layer_shape = layer.get_shape()
            num_features = layer_shape[1:3].num_elements()
            return tf.reshape(layer, [-1, num_features]), num_features

        layer_flat, num_features = flatten_layer(x)
        w = tf.Variable(tf.ones([num_features, 1]))
        y = tf.matmul(layer_flat, w)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, {x: [[[1.0, 2.0], [3.0, 4.0]]]}))
    """) == ("kept on tensorflow.compat.v1: num_features, a number computed from a static shape, returned with "
             "tensors (the rewrite's function would hand it back as a tensor at each call)")


def test_a_local_of_a_function_named_as_a_variable_the_functions_read_is_not_that_variable():
    # tensorflow-without-a-phd's training_step: `a, c, w, b = sess.run([..., allbiases])` binds a local b
    out = fix("""\
        import tensorflow as tf
        b = tf.Variable([1.0, 2.0])
        allbiases = tf.reshape(b, [-1])
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())

        def step(i):
            b = sess.run(allbiases)
            print(i, b)

        for i in range(2):
            step(i)
    """)
    assert out == textwrap.dedent("""\
        import tensorflow as tf
        b = tf.Variable([1.0, 2.0])

        def allbiases():
            return tf.reshape(b, [-1])

        def step(i):
            b = allbiases().numpy()
            print(i, b)

        for i in range(2):
            step(i)
    """)
    # a local of the function whose graph the functions read is that name
    assert reason("""\
        import tensorflow as tf

        def main():
            x = tf.placeholder(tf.float32, [None])
            scale = 2.0
            y = x * scale
            scale = 3.0
            with tf.Session() as s:
                print(s.run(y, {x: [1.0, 2.0]}))

        main()
    """) == _REBOUND.format("scale")
    # each test method binds its own h (TF-GAN's ops_test)
    out = fix("""\
        import tensorflow as tf

        class PadTest(tf.test.TestCase):
            def test_scaled(self):
                h = 4.0
                x = tf.placeholder(tf.float32, [2])
                y = x * h
                with self.cached_session() as sess:
                    self.assertAllEqual([4.0, 8.0], sess.run(y, {x: [1.0, 2.0]}))

            def test_shifted(self):
                h = 5.0
                v = tf.Variable([1.0])
                y = v + h
                with self.cached_session() as sess:
                    sess.run(tf.global_variables_initializer())
                    self.assertAllEqual([6.0], sess.run(y))
    """)
    assert "compat" not in out
    assert "        def y(x):\n            return x * h\n" in out and "        def y():\n            return v + h\n" in out


def test_a_graph_function_reading_a_global_placeholder_and_tensors_takes_them_as_parameters():
    # BinRoot's `def model(): x_reshaped = tf.reshape(x, ...)`, aymericdamien's VAE loss reading z_mean
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        W = tf.Variable([[1.0], [2.0]])
        z = tf.reduce_sum(x, 1)

        def model():
            return tf.matmul(x, W)

        def loss_of(out, target):
            return tf.reduce_mean(tf.square(out - target)) + tf.reduce_mean(z)

        y = model()
        loss = loss_of(y, target=x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([y, loss], {x: [[1.0, 1.0]]}))
    """)
    assert out == textwrap.dedent("""\
        import tensorflow as tf
        SIGNATURE = [tf.TensorSpec([None, 2], tf.float32)]
        W = tf.Variable([[1.0], [2.0]])

        def z(x):
            return tf.reduce_sum(x, 1)

        def model(x):
            return tf.matmul(x, W)

        def loss_of(out, target, z):
            return tf.reduce_mean(tf.square(out - target)) + tf.reduce_mean(z)

        @tf.function(input_signature=SIGNATURE)
        def y(x):
            return model(x)

        @tf.function(input_signature=SIGNATURE)
        def loss(x):
            return loss_of(y(x), target=x, z=z(x))

        print([y([[1.0, 1.0]]).numpy(), loss([[1.0, 1.0]]).numpy()])
    """)


def test_a_graph_function_with_defaults_takes_the_globals_it_reads_as_keyword_only_parameters():
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        y = tf.placeholder(tf.float32, [None])

        def cost_fn(pred, scale=2.0):
            return tf.reduce_sum(tf.square(pred - y)) / scale

        cost = cost_fn(x * 3.0)
        with tf.Session() as sess:
            print(sess.run(cost, {x: [1.0], y: [2.0]}))
    """)
    assert "def cost_fn(pred, scale=2.0, *, y):\n" in out
    assert "    return cost_fn(x * 3.0, y=y)\n" in out


def test_a_function_reading_global_tensors_is_left_as_it_is_where_a_call_would_pass_another_value():
    # a function that runs the graph (Hvass's print_accuracy) reads its tensors as fetches
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        y = x * 2.0
        sess = tf.Session()

        def show():
            print(sess.run(y, {x: [1.0]}))

        show()
    """)
    assert "def show():\n    print(y([1.0]).numpy())\n\nshow()\n" in out
    # a call where x is a local of the calling function: it would pass that local, not the placeholder
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])

        def double():
            return x * 2.0

        def run(data):
            x = data
            return double()

        y = double()
        with tf.Session() as sess:
            print(sess.run(y, {x: [1.0]}))
    """) == "kept on tensorflow.compat.v1: placeholder x is used outside a feed (in Python code or a loop body)"


def test_a_tensor_built_by_a_loop_from_the_value_before_it_is_one_function_with_the_loop():
    source = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 3])
        total = tf.zeros([2])
        for i in range(3):
            total += x[:, i] * (i + 1)
        with tf.Session() as sess:
            print(sess.run(total, {x: [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]}))
    """
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def total(x):
            total = tf.zeros([2])
            for i in range(3):
                total += x[:, i] * (i + 1)
            return total

        print(total([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]).numpy())
    """)
    # the loop's variable read after it: the loop runs inside the function now
    assert reason(source.replace("    print(sess.run(", "    print(i, sess.run(")) == (
        "kept on tensorflow.compat.v1: placeholder x is used outside a feed (in Python code or a loop body)")


def test_gradients_with_respect_to_a_placeholder_watch_it_and_to_a_tensor_stay_on_compat():
    source = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [3])
        w = tf.Variable([1.0, 2.0, 3.0])
        h = x * w
        y = tf.reduce_sum(tf.square(h))
        gx = tf.gradients(y, x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(gx, {x: [0.5, -1.0, 2.0]}))
    """
    out = fix(source)
    # the argument is no variable: an unwatched tape gave None
    assert ("    with tf.GradientTape() as tape:\n        tape.watch(x)\n        loss_value = y(x)\n"
            "    return tape.gradient(loss_value, [x])\n") in out
    # h(x), computed apart from the loss, is not on the tape's path to it
    assert reason(source.replace("tf.gradients(y, x)", "tf.gradients(y, h)")) == (
        "kept on tensorflow.compat.v1: tf.gradients with respect to tensor h (the rewrite computes it apart from the "
        "loss: the tape would see no path from it)")


def test_a_train_op_builder_called_once_is_read_where_it_is_called():
    # `train_op = get_train_op(loss)`: the function's statements where the call stands, the call's
    # arguments in place of its parameters; called twice, it stays on compat (it had become a tensor
    # function calling the Keras optimizer's minimize)
    for body, optimizer in (
            ("optimizer = tf.train.GradientDescentOptimizer(0.1)\n                return optimizer.minimize(loss)",
             "tf.optimizers.SGD(0.1)"),
            ("return tf.train.AdamOptimizer(0.1).minimize(loss)", "tf.optimizers.Adam(0.1, epsilon=1e-08)")):
        source = f"""\
            import tensorflow as tf
            x = tf.placeholder(tf.float32, [None, 1])
            W = tf.Variable([[0.0]])
            loss = tf.reduce_mean(tf.square(tf.matmul(x, W) - 1.0))

            def get_train_op(loss):
                {body}

            train_op = get_train_op(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(train_op, feed_dict={{x: [[1.0], [2.0]]}})
        """
        assert fix(source) == textwrap.dedent(f"""\
            import tensorflow as tf
            W = tf.Variable([[0.0]])

            def loss(x):
                return tf.reduce_mean(tf.square(tf.matmul(x, W) - 1.0))

            optimizer = {optimizer}

            @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float32)])
            def train_op(x):
                with tf.GradientTape() as tape:
                    loss_value = loss(x)
                variables = tape.watched_variables()
                optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
                return loss_value

            train_op([[1.0], [2.0]])
        """)
        for called_twice_or_rebinding in (
                source.replace("train_op = get_train_op(loss)\n",
                               "train_op = get_train_op(loss)\n            other = get_train_op(loss)\n"),
                source.replace("def get_train_op(loss):\n", "def get_train_op(loss):\n                loss = loss * 2\n")):
            assert reason(called_twice_or_rebinding) == (
                "kept on tensorflow.compat.v1: a train op returned by a function (a train step is made where a "
                "train op is bound to a name)")


def test_a_cond_branch_reading_an_assign_made_outside_it_stays_on_compat():
    # TF1 ran the assign at each run whichever branch was taken: v went 1, 2, 3, 4 (the rewrite: 1, 1, 1, 2)
    assert reason("""\
        import tensorflow as tf
        v = tf.Variable(0.0)
        p = tf.placeholder(tf.bool)
        assign_op = tf.assign_add(v, 1.0)
        r = tf.cond(p, lambda: assign_op, lambda: tf.identity(v))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for flag in [True, False]:
                print(sess.run(r, feed_dict={p: flag}))
    """) == ("kept on tensorflow.compat.v1: tf.cond with a branch that reads assign_op, an assign made outside it "
             "(TF1 ran it at each run, whichever branch was taken)")


def test_a_namedtuple_of_tensors_fetched_gives_a_namedtuple_of_values():
    out = fix("""\
        from collections import namedtuple
        import tensorflow as tf
        a = tf.placeholder(tf.float32, [2])
        Pair = namedtuple("Pair", ["s", "p"])
        s = a + 1.0
        p = a * 2.0
        with tf.Session() as sess:
            print(sess.run(Pair(s, p), {a: [1.0, 2.0]}))
    """)
    assert out.endswith("print(tf.nest.map_structure(lambda value: value.numpy(), Pair(s([1.0, 2.0]), p([1.0, 2.0]))))\n")


def test_softmax_cross_entropy_labels_computed_from_variables_are_held_as_tf1_held_them():
    # TF1's op sent no gradient into its labels; TF2's trains the teacher too
    out = fix("""\
        import tensorflow as tf
        W_t = tf.Variable([[0.5, -0.2]])
        W_s = tf.Variable([[0.1, 0.1]])
        y = tf.placeholder(tf.float32, [None, 2])
        teacher = tf.nn.softmax(W_t)
        distilled = tf.nn.softmax_cross_entropy_with_logits(labels=teacher, logits=W_s)
        fed = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=W_s)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([distilled, fed], {y: [[0.0, 1.0]]}))
    """)
    assert "tf.nn.softmax_cross_entropy_with_logits(labels=tf.stop_gradient(teacher()), logits=W_s)" in out
    assert "tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=W_s)" in out


def test_a_var_list_naming_an_untrainable_variable_watches_it():
    # TF1 trained what var_list named; the tape had not watched `frozen`: it stayed 3.0 (TF1: 2.94)
    out = fix("""\
        import tensorflow as tf
        w = tf.Variable(1.0)
        frozen = tf.Variable(3.0, trainable=False)
        loss = tf.square(w * frozen)
        train = tf.train.GradientDescentOptimizer(0.01).minimize(loss, var_list=[w, frozen])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            print(sess.run(frozen))
    """)
    assert ("def train():\n    variables = [w, frozen]\n    with tf.GradientTape() as tape:\n"
            "        tape.watch(variables)\n        loss_value = loss()\n") in out


def test_initialized_value_in_a_variable_made_before_any_run_is_the_variable():
    source = """\
        import tensorflow as tf
        w = tf.Variable([1.0, 2.0])
        w2 = tf.Variable(w.initialized_value() * 2.0)
        y = w.initialized_value() + w2
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(w2))
    """
    assert "w2 = tf.Variable(w * 2.0)\n" in fix(source.replace("        y = w.initialized_value() + w2\n", ""))
    # in a tensor: TF1's initial value at each run, which an eager variable does not keep
    assert reason(source.replace("print(sess.run(w2))", "print(sess.run(y))")) == (
        "kept on tensorflow.compat.v1: initialized_value() of a variable in a tensor (TF1's initial value; an eager "
        "variable has none)")


def test_local_variables_initialised_again_after_metric_updates_stay_on_compat():
    # TF1 started the accuracy over (0.0); the Keras metric kept its totals (0.6666667)
    source = """\
        import tensorflow as tf
        labels = tf.placeholder(tf.int64, [None])
        preds = tf.placeholder(tf.int64, [None])
        acc, acc_op = tf.metrics.accuracy(labels, preds)
        reset = tf.local_variables_initializer()
        with tf.Session() as sess:
            sess.run(tf.group(tf.global_variables_initializer(), tf.local_variables_initializer()))
            sess.run(acc_op, {labels: [1, 1], preds: [1, 1]})
            print(sess.run(acc))
            sess.run(reset)
            sess.run(acc_op, {labels: [1], preds: [0]})
            print(sess.run(acc))
    """
    assert reason(source) == ("kept on tensorflow.compat.v1: local variables initialised again after runs updated "
                              "tf.metrics (TF1 started the metrics over; the Keras metrics would keep their totals)")
    assert "compat" not in fix(source.replace("            sess.run(reset)\n", ""))


def test_one_gradient_picked_from_tf_gradients_is_taken_on_a_tape_and_hessians_stay_on_compat():
    source = """\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [3])
        w = tf.Variable([1.0, 2.0, 3.0])
        y = tf.reduce_sum(tf.square(x * w))
        g = tf.gradients(y, w)[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(g, {x: [1.0, 2.0, 3.0]}))
    """
    assert ("    with tf.GradientTape() as tape:\n        loss_value = y(x)\n"
            "    return tape.gradient(loss_value, [w])[0]\n") in fix(source)
    # left as tf.gradients / tf.hessians in a function the rewrite may call eagerly: a RuntimeError
    assert reason(source.replace("tf.gradients(y, w)[0]", "tf.gradients(y, w)[0] * 2.0")) == (
        "kept on tensorflow.compat.v1: tf.gradients inside an expression (TensorFlow 2 has it only inside a "
        "tf.function; the rewrite computes gradients with a GradientTape)")
    assert reason(source.replace("tf.gradients(y, w)[0]", "tf.hessians(y, w)")) == (
        "kept on tensorflow.compat.v1: tf.hessians (TensorFlow 2 has it only inside a tf.function; the rewrite "
        "computes gradients with a GradientTape)")


def test_an_assign_fetched_with_a_tensor_made_from_it_or_tensors_added_to_a_list_stay_on_compat():
    # `double()` called `inc()`: the variable was assigned twice in the run (2.0 for TF1's 1.0)
    assert reason("""\
        import tensorflow as tf
        v = tf.Variable(0.0)
        inc = tf.assign_add(v, 1.0)
        double = inc * 2.0
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            a, b = sess.run([inc, double])
            print(a, b)
    """) == ("kept on tensorflow.compat.v1: double is computed from assign op inc, fetched in the same run (TF1 "
             "assigned once; the rewrite's functions would assign again)")
    # the regularizer terms of each layer in a list: a tensor of a trace the loss could not read
    assert reason("""\
        import tensorflow as tf
        regs = []
        def dense(inp, n_in):
            W = tf.Variable(tf.ones([n_in, 1]))
            regs.append(tf.reduce_sum(W))
            return tf.matmul(inp, W)
        x = tf.placeholder(tf.float32, [None, 2])
        loss = tf.reduce_sum(dense(x, 2)) + tf.add_n(regs)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(loss, {x: [[1.0, 1.0]]}))
    """) == ("kept on tensorflow.compat.v1: dense adds TensorFlow values to regs, a collection of the program (TF1 "
             "added them once, when it built the graph; the rewrite's functions would add them at each call)")


def test_a_tensor_bound_again_in_the_else_branch_only_keeps_the_new_function_s_name():
    # the if branch names the function from before the if (y_2 = y), not the other way round: `y = y_2`
    # made y_2, which calls y, call itself
    out = fix("""\
        import tensorflow as tf
        flag = True
        x = tf.placeholder(tf.float32, [None])
        y = x * 2.0
        if flag:
            print("as it is")
        else:
            y = y + 1.0
        with tf.Session() as sess:
            print(sess.run(y, {x: [1.0]}))
    """)
    assert out.endswith(textwrap.dedent("""\
        if flag:
            print("as it is")
            y_2 = y
        else:
            @tf.function(input_signature=SIGNATURE)
            def y_2(x):
                return y(x) + 1.0
        print(y_2([1.0]).numpy())
    """))


def test_finalizing_the_default_graph_goes():
    assert fix("""\
        import tensorflow as tf
        w = tf.Variable(tf.ones([3]))
        y = tf.reduce_sum(w * 2.0)
        init = tf.global_variables_initializer()
        tf.get_default_graph().finalize()
        with tf.Session() as sess:
            sess.run(init)
            sess.graph.finalize()
            print(sess.run(y))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        w = tf.Variable(tf.ones([3]))

        def y():
            return tf.reduce_sum(w * 2.0)

        print(y().numpy())
    """)


def test_a_pair_half_thrown_away_is_one_function_that_picks_its_item():
    assert fix("""\
        import numpy as np
        import tensorflow as tf
        from mylib import pair

        x = tf.placeholder(tf.float32, shape=(2,))
        total, _ = pair(x)
        with tf.Session() as sess:
            for _ in range(2):
                print(sess.run(total, feed_dict={x: np.ones(2)}))
    """) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        from mylib import pair

        @tf.function(input_signature=[tf.TensorSpec((2,), tf.float32)])
        def total(x):
            return pair(x)[0]

        for _ in range(2):
            print(total(np.ones(2)).numpy())
    """)


def test_items_of_one_call_of_unseen_code_read_in_one_run_stay_on_compat():
    program = """\
        import numpy as np
        import tensorflow as tf
        from mylib import pair

        x = tf.placeholder(tf.float32, shape=(2,))
        first, second = pair(x)
        with tf.Session() as sess:
            print(sess.run(first, feed_dict={x: np.ones(2)}))
            print(sess.run(%s, feed_dict={x: np.ones(2)}))
    """
    message = ("kept on tensorflow.compat.v1: `pair`, code this rewrite does not see, computes tensors read together in "
               "one run (TF1 ran it once per run; the rewrite's functions would run it once for each, and any state it "
               "changes more than once)")
    assert reason(program % "[first, second]") == message
    assert reason(program % "first + second") == message
    assert "def second(x):\n    return first_second(x)[1]" in fix(program % "second")  # one run each: as TF1


def test_variables_initialised_in_a_loop_whose_runs_change_them_stay_on_compat():
    message = ("kept on tensorflow.compat.v1: variables initialised in a loop whose runs change them (TF1 started them "
               "over at each pass; eager variables would keep what the pass before left)")
    assert reason("""\
        import tensorflow as tf
        v = tf.Variable(0.0)
        inc = tf.assign_add(v, 1.0)
        init = tf.global_variables_initializer()
        sess = tf.Session()
        for _ in range(2):
            sess.run(init)
            print(sess.run(inc))
    """) == message
    assert reason("""\
        import tensorflow as tf
        v = tf.Variable(0.0)
        train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.square(v - 1.0))
        for fold in range(3):
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for step in range(5):
                    sess.run(train)
                print(sess.run(v))
    """) == message
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        mean, update = tf.metrics.mean(x)
        reset = tf.local_variables_initializer()
        with tf.Session() as sess:
            for vals in ([1.0, 3.0], [10.0]):
                sess.run(reset)
                sess.run(update, {x: vals})
                print(sess.run(mean))
    """) == message


def test_an_initializer_in_a_loop_that_changes_no_variable_goes():
    assert fix("""\
        import tensorflow as tf
        v = tf.Variable(2.0)
        for _ in range(2):
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                print(sess.run(v * 3.0))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        v = tf.Variable(2.0)
        for _ in range(2):
            print((v * 3.0).numpy())
    """)


def test_a_library_of_model_functions_says_to_fix_it_with_its_callers():
    assert reason("""\
        import tensorflow as tf

        def fc_layer(x, num_units, name):
            with tf.variable_scope(name):
                w = tf.get_variable('w', shape=[x.get_shape()[1], num_units])
                return tf.matmul(x, w)
    """) == ("kept on tensorflow.compat.v1: fc_layer makes variables and nothing in this file calls it: fix it in one "
             "run with the files that call it, which decide who shares its variables")


def test_the_static_shape_and_dtype_of_a_placeholder_read_in_python_are_its_spec_s():
    assert fix("""\
        import numpy as np
        import tensorflow as tf
        data_size = 5
        x = tf.placeholder(tf.float32, shape=[data_size])
        y = tf.placeholder(tf.float32, shape=[None, 3])
        print('Input = array of length {}'.format(x.shape.as_list()[0]))
        print(y.get_shape(), y.dtype)
        total = tf.reduce_sum(x)
        with tf.Session() as sess:
            print(sess.run(total, feed_dict={x: np.arange(5.0)}))
    """) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        data_size = 5
        print('Input = array of length {}'.format(tf.TensorShape([data_size]).as_list()[0]))
        print(tf.TensorShape([None, 3]), tf.float32)

        @tf.function(input_signature=[tf.TensorSpec([data_size], tf.float32)])
        def total(x):
            return tf.reduce_sum(x)

        print(total(np.arange(5.0)).numpy())
    """)


def test_tf_print_is_a_function_of_the_file_that_prints_and_hands_its_value_back():
    assert fix("""\
        import numpy as np
        import tensorflow as tf
        x = tf.placeholder(tf.float32, shape=(2,))
        y = tf.Print(x * 2.0, [x], message="x: ", summarize=5)
        with tf.Session() as sess:
            print(sess.run(y, feed_dict={x: np.ones(2)}))
    """) == textwrap.dedent('''\
        import numpy as np
        import tensorflow as tf

        def print_and_return(value, data, message="", summarize=3):
            """TF1's tf.Print: print message and data (to stderr) each time value is computed, and hand value back."""
            tf.print(message, *data, summarize=summarize)
            return value

        @tf.function(input_signature=[tf.TensorSpec((2,), tf.float32)])
        def y(x):
            return print_and_return(x * 2.0, [x], message="x: ", summarize=5)

        print(y(np.ones(2)).numpy())
    ''')
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, shape=(1,))
        y = tf.Print(x, [x], first_n=2)
        with tf.Session() as sess:
            print(sess.run(y, feed_dict={x: [1.0]}))
    """) == ("kept on tensorflow.compat.v1: tf.Print with arguments this rewrite does not know (first_n: the first "
             "runs only)")


def test_tensors_made_under_control_dependencies_run_them_first():
    assert fix("""\
        import tensorflow as tf
        counter = tf.Variable(0.0)
        x = tf.placeholder(tf.float32, [])
        inc = tf.assign_add(counter, x)
        with tf.control_dependencies([inc]):
            doubled = tf.identity(counter) * 2.0
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for v in [1.0, 2.0]:
                print(sess.run(doubled, feed_dict={x: v}))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        counter = tf.Variable(0.0)

        def inc(x):
            return counter.assign_add(x)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def doubled(x):
            inc(x)
            return tf.identity(counter) * 2.0

        for v in [1.0, 2.0]:
            print(doubled(v).numpy())
    """)


def test_control_dependencies_read_twice_in_one_run_or_around_other_code_stay_on_compat():
    program = """\
        import tensorflow as tf
        counter = tf.Variable(0.0)
        inc = tf.assign_add(counter, 1.0)
        with tf.control_dependencies([inc]):
            %s
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            d, t = sess.run(%s)
            print(d, t)
    """
    assert reason(program % ("doubled = tf.identity(counter) * 2.0\n            tripled = counter * 3.0",
                             "[doubled, tripled]")) == (
        "kept on tensorflow.compat.v1: inc, a control dependency of tensors read together in one run (TF1 ran it "
        "once per run; the rewrite's functions would run it once for each)")
    assert reason(program % ("print('made')", "[counter, counter]")) == (
        "kept on tensorflow.compat.v1: `with tf.control_dependencies(...)` around something other than tensors made "
        "from graph expressions")


def test_a_model_function_called_in_a_class_is_not_called_a_library():
    # (the class runs it eagerly once per instance: the function makes its variables at each call, as TF1 did)
    assert "with tf.name_scope(name):" in fix("""\
        import tensorflow as tf

        def fc_layer(x, num_units, name):
            with tf.variable_scope(name):
                w = tf.get_variable('w', shape=[x.get_shape()[1], num_units])
                return tf.matmul(x, w)

        class Net(object):
            def __init__(self, x):
                self.out = fc_layer(x, 3, 'fc')
    """)


def test_a_fix_reads_its_own_eager_rewrite_as_tensorflow_2_code():
    # The second pass of `fix` lints the eager rewrite: its Checkpoint and `hidden(x).numpy()` are values,
    # not graph tensors, so the rename of tf.variance_scaling_initializer still applies there and nothing
    # wraps the eager code in tensorflow.compat.v1 (it did: `tf.compat.v1.optimizers`, a crash)
    source = textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        X = tf.placeholder(tf.float32, [None, 4])
        initializer = tf.variance_scaling_initializer()
        w = tf.Variable(initializer([4, 2]), name="w")
        hidden = tf.matmul(X, w)
        loss = tf.reduce_mean(tf.square(hidden))
        training_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            training_op.run(feed_dict={X: np.ones((2, 4))})
            saver.save(sess, "./model.ckpt")
            codings = hidden.eval(feed_dict={X: np.ones((1, 4))})
        print(codings)
    """)
    outcome = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status.value == "idiomatic"
    assert "initializer = tf.keras.initializers.VarianceScaling()\n" in outcome.new_text
    assert 'saver = tf.train.Checkpoint(w=w, optimizer=optimizer)\n' in outcome.new_text
    assert "codings = hidden(np.ones((1, 4))).numpy()\n" in outcome.new_text
    assert "compat" not in outcome.new_text


def test_a_shared_layer_applied_to_a_constant_is_a_function_of_its_variables():
    # an evaluation branch on a test set held in a constant: TF1 computed it at each run, with the
    # variables of then; it stayed a tf.layers call computed once (and kept the file on compat)
    out = fix("""\
        import numpy as np
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        out = tf.layers.dense(x, 1, name="out")
        loss = tf.reduce_mean(tf.square(out - 1.0))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        test_x = tf.constant(np.ones((3, 2), np.float32))
        test_out = tf.layers.dense(test_x, 1, name="out", reuse=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {x: np.ones((4, 2))})
            print(sess.run(test_out))
    """)
    assert "def test_out():\n    return out_layer(test_x)\n" in out
    assert "print(test_out().numpy())\n" in out


_DROPPED = """\
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.int64, [None])
keep_prob = tf.placeholder(tf.float32)
W = tf.Variable(tf.ones([4, 2]))
h = tf.nn.dropout(x, keep_prob)
logits = tf.matmul(h, W)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    _, l, a = sess.run([train, loss, acc], {x: [[1.0, 2.0, 3.0, 4.0]], y: [1], keep_prob: 0.5})
    print(l, a)
"""


def test_values_a_run_computes_apart_from_one_dropout_mask_keep_the_program_on_compat():
    assert reason(_DROPPED) == (
        "kept on tensorflow.compat.v1: a run fetches values computed with dropout on, each of which the rewrite "
        "computes by itself (TF1 computed them in one pass, from one dropout mask; each function call would drop "
        "other units)")
    # one tensor read twice through another: two masks in the rewrite
    assert reason(_DROPPED.replace("loss = tf.reduce_mean(", "probs = tf.nn.softmax(logits)\nloss = tf.reduce_mean(")
                  .replace("logits=logits))", "logits=logits) + tf.reduce_sum(probs))")) == (
        "kept on tensorflow.compat.v1: logits and probs read one dropout in loss (TF1 computed one mask for both; "
        "the rewrite would compute each, each with its own mask)")


def test_values_computed_apart_where_the_run_turns_dropout_off_are_rewritten():
    # an evaluation run: keep_prob 1.0; dropout under tf.cond of a training flag fed False
    assert process_text(_DROPPED.replace("keep_prob: 0.5", "keep_prob: 1.0"), "case.py",
                        Options(fix=True, unsafe_fixes=True)).status.value == "idiomatic"
    guarded = (_DROPPED.replace("keep_prob = tf.placeholder(tf.float32)", "training = tf.placeholder(tf.bool)")
               .replace("h = tf.nn.dropout(x, keep_prob)", "h = tf.cond(training, lambda: tf.nn.dropout(x, 0.5), "
                                                             "lambda: x)")
               .replace("keep_prob: 0.5", "training: False"))
    assert process_text(guarded, "case.py", Options(fix=True, unsafe_fixes=True)).status.value == "idiomatic"
    assert reason(guarded.replace("training: False", "training: True")).startswith(
        "kept on tensorflow.compat.v1: a run fetches values computed with dropout on")


def test_a_session_given_to_a_class_of_another_module_is_named_as_the_reason():
    # (kozistr's Awesome-GANs: each *_train.py gives its session to the model class of *_model.py)
    assert reason("""\
        import tensorflow as tf
        import gan_model as gan

        with tf.Session() as s:
            model = gan.GAN(s)
            s.run(tf.global_variables_initializer())
            s.run(model.d_op)
    """) == ("kept on tensorflow.compat.v1: session s is passed to code this rewrite does not follow (a class or "
             "function of another module that runs the graph)")


def test_tensor_bound_to_the_name_of_a_placeholder_nothing_reads_takes_that_name():
    assert fix("""\
        import tensorflow as tf
        step = tf.placeholder(tf.int32)
        lr = tf.placeholder(tf.float32)
        lr = 0.5 + tf.cast(step, tf.float32)
        with tf.Session() as sess:
            print(sess.run(lr, {step: 2}))
    """) == textwrap.dedent("""\
        import tensorflow as tf

        @tf.function(input_signature=[tf.TensorSpec(None, tf.int32)])
        def lr(step):
            return 0.5 + tf.cast(step, tf.float32)

        print(lr(2).numpy())
    """)


def test_tensor_bound_to_the_name_of_a_placeholder_a_function_takes_is_named_after_its_op():
    assert fix("""\
        import tensorflow as tf
        step = tf.placeholder(tf.int32)
        lr = tf.placeholder(tf.float32)
        half = lr / 2.0
        with tf.Session() as sess:
            print(sess.run(half, {lr: 3.0}))
        lr = 0.5 + tf.cast(step, tf.float32)
        with tf.Session() as sess:
            print(sess.run(lr, {step: 2}))
    """) == textwrap.dedent("""\
        import tensorflow as tf

        @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
        def half(lr):
            return lr / 2.0

        print(half(3.0).numpy())

        @tf.function(input_signature=[tf.TensorSpec(None, tf.int32)])
        def lr_cast(step):
            return 0.5 + tf.cast(step, tf.float32)

        print(lr_cast(2).numpy())
    """)


def test_name_a_function_reads_bound_again_after_that_function_is_out_of_reach():
    program = """\
        import tensorflow as tf
        p = tf.placeholder(tf.float32)
        w = tf.Variable(2.0)
        out = p * w
        w = tf.Variable(3.0)
        out = p + w
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(out, {p: 1.0}))
    """
    assert fix(program) == textwrap.dedent("""\
        import tensorflow as tf
        w = tf.Variable(2.0)

        def out(p):
            return p * w

        w = tf.Variable(3.0)

        @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
        def out_2(p):
            return p + w

        print(out_2(1.0).numpy())
    """)
    # the first `out` read after `w` is bound again: its function would read the new variable
    assert reason(program.replace("out = p + w", "total = p + w + out").replace("run(out,", "run(total,")) == (
        "kept on tensorflow.compat.v1: variable w is bound again while functions of the rewrite that read it are "
        "still called (each call reads the name: it would find the new value)")


def test_placeholders_a_function_makes_are_defined_where_a_session_block_calls_it():
    assert fix("""\
        import tensorflow as tf
        def inputs():
            X = tf.placeholder(tf.float32, name="X")
            Y = tf.placeholder(tf.float32, name="Y")
            return X, Y
        with tf.Session() as sess:
            X, Y = inputs()
            total = X + 2.0 * Y
            print(sess.run(total, feed_dict={X: 1.0, Y: 3.0}))
    """) == textwrap.dedent("""\
        import tensorflow as tf

        @tf.function(input_signature=[tf.TensorSpec(None, tf.float32), tf.TensorSpec(None, tf.float32)])
        def total(X, Y):
            return X + 2.0 * Y

        print(total(1.0, 3.0).numpy())
    """)


def test_a_local_of_a_train_op_builder_the_program_names_too_is_named_after_the_target():
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        w = tf.Variable(0.0)
        optimizer = "sgd"

        def training(loss, learning_rate):
            optimizer = tf.train.GradientDescentOptimizer(learning_rate)
            train_op = optimizer.minimize(loss)
            return train_op

        loss = tf.reduce_mean(tf.square(w * x - 1.0))
        train_op = training(loss, 0.1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train_op, {x: [1.0]})
            print(optimizer, sess.run(w))
    """)
    assert "train_op_optimizer = tf.optimizers.SGD(0.1)\n" in out
    assert "    train_op_optimizer.apply_gradients(" in out
    assert out.endswith('train_op([1.0])\nprint(optimizer, w.numpy())\n')


def test_a_keras_model_compiled_with_a_tf1_optimizer_gets_the_keras_optimizer_with_tf1s_defaults():
    # TF1's tf.keras wrapped the tf.train optimizer; Keras 3 refuses it ("Could not interpret optimizer
    # identifier"), and the compat.v1 fallback kept it
    source = """\
        import numpy as np
        import tensorflow as tf
        model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
        model.compile(optimizer=tf.train.AdamOptimizer(0.01), loss="mse")
        model.fit(np.ones((4, 2), np.float32), np.ones((4, 1), np.float32), epochs=1, verbose=0)
    """
    outcome = process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status.value == "idiomatic"
    assert 'model.compile(optimizer=tf.optimizers.Adam(0.01, epsilon=1e-08), loss="mse")\n' in outcome.new_text
