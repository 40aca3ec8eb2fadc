"""tf.data iterators run in sessions, in the graph-to-eager rewrite: exact input and output."""
from __future__ import annotations

import textwrap

from tfmigrate.engine import Options, process_text


def fix(source: str) -> str:
    return process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True)).new_text


def reason(source: str) -> str:
    outcome = process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True))
    message = [f.message for f in outcome.remaining if f.code == "TFM090"][0]
    return message.removeprefix("kept on tensorflow.compat.v1: ")


def test_one_shot_iterator_element_is_read_by_each_run():
    assert fix("""\
        import tensorflow as tf
        ds = tf.data.Dataset.range(5)
        it = ds.make_one_shot_iterator()
        n = it.get_next()
        with tf.Session() as sess:
            print(sess.run(n))
            print(sess.run(n * 2))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        ds = tf.data.Dataset.range(5)
        it = iter(ds)
        n = next(it)
        print(n.numpy())
        n = next(it)
        print((n * 2).numpy())
    """)


def test_function_form_and_unknown_structure():
    # `tf.compat.v1.data.make_one_shot_iterator(ds)`; elements of a dataset made from a name may be tuples.
    assert fix("""\
        import tensorflow as tf
        ds = tf.data.Dataset.from_tensor_slices(data).batch(2)
        it = tf.compat.v1.data.make_one_shot_iterator(ds)
        batch = it.get_next()
        with tf.Session() as sess:
            value = sess.run(batch)
    """) == textwrap.dedent("""\
        import tensorflow as tf
        ds = tf.data.Dataset.from_tensor_slices(data).batch(2)
        it = iter(ds)
        batch = next(it)
        value = tf.nest.map_structure(lambda t: t.numpy(), batch)
    """)


def test_initializable_iterator_starts_again_and_out_of_range_ends_the_loop():
    assert fix("""\
        import tensorflow as tf
        ds = tf.data.Dataset.from_tensor_slices(([1.0, 2.0], [3.0, 4.0]))
        it = ds.make_initializable_iterator()
        x, y = it.get_next()
        s = x + y
        with tf.Session() as sess:
            for epoch in range(2):
                sess.run(it.initializer)
                try:
                    while True:
                        print(sess.run(s))
                except tf.errors.OutOfRangeError:
                    print("epoch", epoch)
    """) == textwrap.dedent("""\
        import tensorflow as tf
        ds = tf.data.Dataset.from_tensor_slices(([1.0, 2.0], [3.0, 4.0]))

        @tf.function(input_signature=[ds.element_spec[0], ds.element_spec[1]])
        def s(x, y):
            return x + y

        for epoch in range(2):
            it = iter(ds)
            try:
                while True:
                    x, y = next(it)
                    print(s(x, y).numpy())
            except StopIteration:
                print("epoch", epoch)
    """)


def test_reinitializable_and_feedable_iterators_read_the_dataset_chosen():
    source = """\
        import tensorflow as tf
        a = tf.data.Dataset.range(3)
        b = tf.data.Dataset.range(10, 13)
        it = tf.data.Iterator.from_structure(a.output_types, a.output_shapes)
        n = it.get_next()
        init_b = it.make_initializer(b)
        handle = tf.placeholder(tf.string, [])
        feedable = tf.data.Iterator.from_string_handle(handle, a.output_types)
        m = feedable.get_next()
        a_it = a.make_one_shot_iterator()
        with tf.Session() as sess:
            sess.run(init_b)
            print(sess.run(n))
            h = sess.run(a_it.string_handle())
            print(sess.run(m, feed_dict={handle: h}))
    """
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf
        a = tf.data.Dataset.range(3)
        b = tf.data.Dataset.range(10, 13)
        a_it = iter(a)
        it = iter(b)
        n = next(it)
        print(n.numpy())
        m = next(a_it)
        print(m.numpy())
    """)


def test_what_stays_on_compat():
    base = textwrap.dedent("""\
        import tensorflow as tf
        ds = tf.data.Dataset.range(4)
        it = ds.make_initializable_iterator()
        n = it.get_next()
        with tf.Session() as sess:
    """)
    assert reason(base + "    print(sess.run(n))\n") == "iterator it is read before its initializer runs"
    assert reason(base + "    sess.run(it.initializer)\n    print(sess.run(n), sess.run(n))\n") == (
        "two runs in one statement read the same iterator")
    assert reason(base + "    sess.run(it.initializer)\n    print([sess.run(n) for _ in range(2)])\n").startswith(
        "an iterator read in a `while` or `elif` condition, a comprehension")
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        ds = tf.data.Dataset.from_tensor_slices(x * 2.0)
        it = ds.make_initializable_iterator()
        with tf.Session() as sess:
            sess.run(it.initializer, feed_dict={x: [1.0, 2.0]})
    """) == "an iterator over something that is not a dataset of this program"
    assert reason("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None])
        n = tf.placeholder(tf.int64)
        it = tf.data.Dataset.from_tensor_slices(x).batch(n).make_initializable_iterator()
        v = it.get_next()
        with tf.Session() as sess:
            sess.run(it.initializer, feed_dict={x: [1.0, 2.0], n: 2})
            print(sess.run(v))
    """) == "an iterator over a dataset built from placeholders or graph tensors"
    # Without a session, the iterator is used eagerly on tensorflow.compat.v1: it stays there.
    assert reason("import tensorflow.compat.v1 as tf\nit = tf.data.make_one_shot_iterator(tf.data.Dataset.range(3))\n"
                  ) == "tf.data.make_one_shot_iterator has no TensorFlow 2 equivalent"


def test_read_in_a_function_with_out_of_range_caught_around_it_stays():
    assert reason("""\
        import tensorflow as tf
        ds = tf.data.Dataset.range(4)
        it = ds.make_one_shot_iterator()
        n = it.get_next()
        sess = tf.Session()
        def step():
            return sess.run(n)
        try:
            while True:
                step()
        except tf.errors.OutOfRangeError:
            pass
    """).startswith("an iterator read inside a function")


def test_a_library_function_that_makes_a_one_shot_iterator_is_compat_only_in_check_as_after_the_fix():
    # the safe fix writes tf.compat.v1.data.make_one_shot_iterator: TF1's API, so compat-only either way
    source = textwrap.dedent("""\
        import tensorflow as tf


        def batches(files):
            dataset = tf.data.TFRecordDataset(files).batch(4)
            return dataset.make_one_shot_iterator().get_next()
    """)
    checked = process_text(source, "loader.py", Options())
    outcome = process_text(source, "loader.py", Options(fix=True, unsafe_fixes=True))
    assert "tf.compat.v1.data.make_one_shot_iterator(dataset).get_next()" in outcome.new_text
    assert checked.status.value == outcome.status.value == "compat-only"
    assert [f.code for f in checked.findings if f.verdict is not None and f.verdict.value == "compat-only"] == ["TFM305"]


def test_a_dataset_of_placeholders_is_a_function_of_what_its_initializer_run_feeds():
    # TF1's guide: NumPy arrays read through placeholders, the iterator started with a feed_dict
    assert fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.placeholder(tf.int64, [None])
        size = tf.placeholder(tf.int64)
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(8).batch(size)
        it = ds.make_initializable_iterator()
        features, labels = it.get_next()
        total = tf.reduce_sum(features) + tf.cast(tf.reduce_sum(labels), tf.float32)
        with tf.Session() as sess:
            sess.run(it.initializer, feed_dict={x: [[1.0, 2.0]], y: [3], size: 1})
            print(sess.run(total))
            sess.run(it.initializer, feed_dict={size: 2, x: [[1.0, 2.0], [3.0, 4.0]], y: [3, 4]})
            print(sess.run(total))
    """) == textwrap.dedent("""\
        import tensorflow as tf

        def ds(x, y, size):
            return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(8).batch(size)

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None], tf.int64)])
        def total(features, labels):
            return tf.reduce_sum(features) + tf.cast(tf.reduce_sum(labels), tf.float32)

        it = iter(ds([[1.0, 2.0]], [3], 1))
        features, labels = next(it)
        print(total(features, labels).numpy())
        it = iter(ds([[1.0, 2.0], [3.0, 4.0]], [3, 4], 2))
        features, labels = next(it)
        print(total(features, labels).numpy())
    """)



def test_a_dataset_of_placeholders_made_in_steps_is_one_function():
    # `ds = ...from_tensor_slices((x, y))` then `ds = ds.batch(size)`: the step went to the function (it was
    # `ds = ds.batch(2)` on the function, an AttributeError), and the signature is of batches
    out = fix("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.placeholder(tf.int64, [None])
        size = tf.placeholder(tf.int64)
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        ds = ds.shuffle(8)
        ds = ds.batch(size)
        it = ds.make_initializable_iterator()
        features, labels = it.get_next()
        total = tf.reduce_sum(features) + tf.cast(tf.reduce_sum(labels), tf.float32)
        with tf.Session() as sess:
            sess.run(it.initializer, feed_dict={x: [[1.0, 2.0]], y: [3], size: 1})
            print(sess.run(total))
    """)
    assert out.startswith(textwrap.dedent("""\
        import tensorflow as tf

        def ds(x, y, size):
            return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(8).batch(size)

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None], tf.int64)])
    """))

def test_a_function_running_its_own_session_reads_the_iterator_of_the_dataset_it_is_given():
    # The parameter is a dataset (the function makes an iterator of it through dataset methods); the
    # branch that leaves the element as it was names tf.identity, so the runs call one function.
    assert fix("""\
        import tensorflow as tf


        def first_batches(dataset, scale):
            dataset = dataset.batch(2)
            x = dataset.make_one_shot_iterator().get_next()
            if scale:
                x = x * 2.0
            with tf.Session() as sess:
                first = sess.run(x)
                second = sess.run(x)
            return first, second


        print(first_batches(tf.data.Dataset.from_tensor_slices([1.0, 2.0, 3.0, 4.0]), True))
    """) == textwrap.dedent("""\
        import tensorflow as tf


        def first_batches(dataset, scale):
            dataset = dataset.batch(2)
            iterator = iter(dataset)
            if scale:
                @tf.function(input_signature=[dataset.element_spec])
                def x_2(x):
                    return x * 2.0
            else:
                x_2 = tf.identity
            x = next(iterator)
            first = x_2(x).numpy()
            x = next(iterator)
            second = x_2(x).numpy()
            return first, second


        print(first_batches(tf.data.Dataset.from_tensor_slices([1.0, 2.0, 3.0, 4.0]), True))
    """)


def test_a_parameter_bound_to_something_else_too_is_not_read_as_a_dataset():
    assert reason("""\
        import tensorflow as tf


        def first_batch(dataset):
            if dataset is None:
                dataset = make()
            x = dataset.make_one_shot_iterator().get_next()
            with tf.Session() as sess:
                return sess.run(x)


        print(first_batch(tf.data.Dataset.range(6)))
    """) == "an iterator over something that is not a dataset of this program"
