"""Queue pipelines (producers, readers, tf.train.batch, queue runners) in the graph-to-eager rewrite: the
tf.data datasets of the same elements, exact input and output; what stays on compat and why."""
from __future__ import annotations

import textwrap

import pytest

from tfmigrate.engine import Options, process_text


def run(source: str):
    return process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True))


def fix(source: str) -> str:
    return run(source).new_text


def reason(source: str) -> str:
    message = [f.message for f in run(source).remaining if f.code == "TFM090"][0]
    return message.removeprefix("kept on tensorflow.compat.v1: ")


def test_shuffled_files_of_records_are_shuffled_each_epoch_and_read_one_after_another():
    outcome = run("""\
        import tensorflow as tf
        files = ["a.tfrecord", "b.tfrecord", "c.tfrecord"]
        queue = tf.train.string_input_producer(files, seed=4)
        reader = tf.TFRecordReader()
        _, serialized = reader.read(queue)
        parsed = tf.parse_single_example(serialized, {"x": tf.FixedLenFeature([2], tf.float32)})
        batch = tf.train.shuffle_batch([parsed["x"]], 8, capacity=100, min_after_dequeue=20, seed=1)
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            print(sess.run(batch))
            coord.request_stop()
            coord.join(threads)
    """)
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf
        files = ["a.tfrecord", "b.tfrecord", "c.tfrecord"]


        def parse_record(serialized):
            parsed = tf.io.parse_single_example(serialized, {"x": tf.io.FixedLenFeature([2], tf.float32)})
            return parsed["x"]


        iterator = iter(tf.data.Dataset.from_tensor_slices(files).shuffle(len(files), seed=4).repeat().flat_map(lambda filename: tf.data.TFRecordDataset(filename)).map(parse_record).shuffle(100, seed=1).batch(8, drop_remainder=True))
        batch = next(iterator)
        print(tf.nest.map_structure(lambda t: t.numpy(), batch))
    """)
    [note] = [f for f in outcome.findings if "random order" in f.message]
    assert (note.code, note.start.line, note.message) == (
        "TFM090", 7, "a queue pipeline that shuffles: the dataset draws its elements in another random order than "
                     "TF1's queues")


def test_whole_files_are_their_names_and_contents():
    assert fix("""\
        import tensorflow as tf
        queue = tf.train.string_input_producer(["x.png", "y.png"], shuffle=False)
        name, contents = tf.WholeFileReader().read(queue)
        image = tf.image.decode_png(contents, channels=1)
        image = tf.image.resize_images(image, [8, 8])
        names, images = tf.train.batch([name, image], batch_size=2)
        sess = tf.Session()
        tf.train.start_queue_runners(sess)
        print(sess.run([names, images]))
    """) == textwrap.dedent("""\
        import tensorflow as tf


        def parse_record(name, contents):
            image = tf.image.decode_png(contents, channels=1)
            image = tf.image.resize(image, [8, 8])
            return name, image


        iterator = iter(tf.data.Dataset.from_tensor_slices(["x.png", "y.png"]).repeat().map(lambda filename: (filename, tf.io.read_file(filename))).map(parse_record).batch(2, drop_remainder=True))
        names, images = next(iterator)
        print([names.numpy(), images.numpy()])
    """)


def test_fixed_length_records_and_batches_of_the_producers_outputs():
    # no line between the read and the batch: the dataset needs no map
    assert fix("""\
        import tensorflow as tf
        queue = tf.train.string_input_producer(["data.bin"], num_epochs=1)
        reader = tf.FixedLengthRecordReader(record_bytes=3073, header_bytes=0)
        key, record = reader.read(queue)
        records = tf.train.batch([record], 16, allow_smaller_final_batch=True)
        with tf.Session() as sess:
            threads = tf.train.start_queue_runners()
            try:
                while True:
                    print(len(sess.run(records)))
            except tf.errors.OutOfRangeError:
                pass
    """) == textwrap.dedent("""\
        import tensorflow as tf
        iterator = iter(tf.data.FixedLengthRecordDataset(["data.bin"], record_bytes=3073, header_bytes=0).repeat(1).batch(16))
        try:
            while True:
                records = next(iterator)
                print(len(records.numpy()))
        except StopIteration:
            pass
    """)


def test_what_stays_on_compat():
    head = textwrap.dedent("""\
        import tensorflow as tf
        queue = tf.train.string_input_producer(["a.csv"], shuffle=False)
        reader = tf.TextLineReader()
    """)
    tail = textwrap.dedent("""\
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            print(sess.run(xs))
    """)
    cases = {
        "key, line = reader.read(queue)\nx = tf.decode_csv(line, [[0.0]])[0]\nxs, keys = tf.train.batch([x, key], 4)\n":
            "the key key of a read (a file's name and position) is used",
        "_, line = reader.read(queue)\nx = tf.decode_csv(line, [[0.0]])[0]\nxs = tf.train.batch([x], 4)\nfirst = x\n":
            "x, a queue's element, is used after its batch",
        "_, line = reader.read(queue)\nx = tf.decode_csv(line, [[0.0]])[0]\nprint(x)\nxs = tf.train.batch([x], 4)\n":
            "a queue's element used by something other than an assignment before its batch",
        "_, line = reader.read(queue)\nxs = tf.train.batch(line, 4)\n":
            "tf.train.batch of tensors not listed and unpacked into names",
        "_, line = reader.read(queue)\nxs = tf.train.batch([line], 4, dynamic_pad=True)\n":
            "tf.train.batch(dynamic_pad=...)",
    }
    cases["def read_record(queue):\n    return reader.read(queue)[1]\n\n\nline = read_record(queue)\n"
          "xs = tf.train.batch([line], 4)\n"] = (
        "filename queue queue read by `read_record`, a function the rewrite does not read as the reader of a dataset "
        "(a `key, value = reader.read(queue)` line next to the producer is, or a function called once with the queue "
        "alone, that reads it so and returns what it computes)")
    for middle, why in cases.items():
        assert reason(head + middle + tail) == why, middle
    assert reason(head + textwrap.dedent("""\
        _, line = reader.read(queue)
        xs = tf.train.batch([line], 4)
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            watch(coord)
    """)) == ("coord (a coordinator or the queue runners' threads) used for more than starting, stopping and "
              "joining them")


def test_a_pipeline_a_function_builds_is_the_dataset_it_returns_and_its_caller_iterates():
    assert fix("""\
        import numpy as np
        import tensorflow as tf


        def read_images(values, targets, batch_size):
            values = tf.convert_to_tensor(values, dtype=tf.float32)
            image, label = tf.train.slice_input_producer([values, targets], shuffle=False)
            image = image / 255.0
            # Create batches
            X, Y = tf.train.batch([image, label], batch_size=batch_size)
            return X, Y


        X, Y = read_images(np.ones([8, 3]), np.arange(8), 4)
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            tf.train.start_queue_runners(sess=sess, coord=coord)
            print(sess.run(X + 1.0))
    """) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf


        def read_images(values, targets, batch_size):
            values = tf.convert_to_tensor(values, dtype=tf.float32)

            def prepare_example(image, label):
                image = image / 255.0
                return image, label

            # Create batches
            return tf.data.Dataset.from_tensor_slices((values, targets)).repeat().map(prepare_example).batch(batch_size, drop_remainder=True)


        iterator = iter(read_images(np.ones([8, 3]), np.arange(8), 4))
        X, Y = next(iterator)
        print((X + 1.0).numpy())
    """)


def test_an_input_function_returning_a_one_shot_iterator_s_element_returns_its_dataset():
    source = """\
        import tensorflow as tf


        def inputs(n):
            dataset = tf.data.Dataset.range(n).batch(2)
            iterator = dataset.make_one_shot_iterator()
            return iterator.get_next()


        batch = inputs(6)
        with tf.Session() as sess:
            for _ in range(3):
                print(sess.run(batch * 10))
    """
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf


        def inputs(n):
            dataset = tf.data.Dataset.range(n).batch(2)
            return dataset


        iterator = iter(inputs(6))
        for _ in range(3):
            batch = next(iterator)
            print((batch * 10).numpy())
    """)
    # called eagerly as written, it would give one batch, read again at every step: refused where the
    # function is used otherwise than by lines assigning what a call returns
    assert reason(textwrap.dedent(source) + "print(inputs)\n") == (
        "inputs reads an iterator it makes, and is called (TF1 made the iterator once, and each run read its next "
        "element; called eagerly, it would give one element)")


@pytest.mark.parametrize("train_args, test_args", [
    ("x, N_CLASSES, reuse=False", "x, N_CLASSES, reuse=True"),
    ("x, n_classes=N_CLASSES, reuse=False", "x, reuse=True, n_classes=N_CLASSES"),  # by keyword: renamed too
])
def test_a_setting_passed_under_another_name_configures_the_module_s_layer(train_args, test_args):
    new = fix(f"""\
        import tensorflow as tf
        N_CLASSES = 3
        x = tf.placeholder(tf.float32, [None, 4])


        def conv_net(x, n_classes, reuse):
            with tf.variable_scope("ConvNet", reuse=reuse):
                return tf.layers.dense(x, n_classes)


        train_logits = conv_net({train_args})
        test_logits = conv_net({test_args})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([train_logits, test_logits], {{x: [[1.0, 2.0, 3.0, 4.0]]}}))
    """)
    assert "            self.dense = tf.keras.layers.Dense(N_CLASSES)\n" in new
    assert "    def __call__(self, x):\n" in new
    assert "conv_net = ConvNet()\n" in new
    assert new.count("    return conv_net(x)\n") == 2  # the setting is the module's, no longer passed


def test_a_producer_and_a_batch_bound_to_one_name_are_read_by_index():
    # `input_queue[0]` of a slice_input_producer: the element function takes the slices as one tuple; a batch
    # bound to one name is the tuple of its tensors (a list of one: a tuple of one)
    assert fix("""\
        import tensorflow as tf
        input_queue = tf.train.slice_input_producer([paths, labels], shuffle=False)
        image = tf.image.decode_png(tf.read_file(input_queue[0]), channels=1)
        image.set_shape([8, 8, 1])
        batch = tf.train.batch([image, input_queue[1]], 2)
        with tf.Session() as sess:
            tf.train.start_queue_runners(sess)
            print(sess.run(batch[1]))
    """) == textwrap.dedent("""\
        import tensorflow as tf


        def prepare_example(*input_queue):
            image = tf.image.decode_png(tf.io.read_file(input_queue[0]), channels=1)
            image.set_shape([8, 8, 1])
            return image, input_queue[1]


        iterator = iter(tf.data.Dataset.from_tensor_slices((paths, labels)).repeat().map(prepare_example).batch(2, drop_remainder=True))
        batch = next(iterator)
        print(batch[1].numpy())
    """)


def test_lines_after_an_input_function_s_batch_map_each_batch():
    assert fix("""\
        import tensorflow as tf


        def inputs(n, batch_size):
            dataset = tf.data.Dataset.range(n).batch(batch_size)
            batch = dataset.make_one_shot_iterator().get_next()
            # one column per example
            batch = tf.reshape(batch, [-1, 1])
            return batch * 10


        column = inputs(6, 2)
        with tf.Session() as sess:
            print(sess.run(column))
    """) == textwrap.dedent("""\
        import tensorflow as tf


        def inputs(n, batch_size):
            dataset = tf.data.Dataset.range(n).batch(batch_size)

            def prepare_batch(batch):
                # one column per example
                batch = tf.reshape(batch, [-1, 1])
                return batch * 10
            return dataset.map(prepare_batch)


        iterator = iter(inputs(6, 2))
        column = next(iterator)
        print(tf.nest.map_structure(lambda t: t.numpy(), column))
    """)


def test_a_loop_that_asks_the_coordinator_to_stop_sets_a_flag_it_reads():
    new = fix("""\
        import tensorflow as tf
        queue = tf.train.string_input_producer(["a.csv"], shuffle=False)
        _, line = tf.TextLineReader().read(queue)
        xs = tf.train.batch([tf.decode_csv(line, [[0.0]])[0]], 4)
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            step = 0
            while not coord.should_stop():
                print(sess.run(xs))
                step += 1
                if step >= 3:
                    coord.request_stop()
            coord.join(threads)
    """)
    assert new.endswith(textwrap.dedent("""\
        stop_requested = False
        step = 0
        while not stop_requested:
            xs = next(iterator)
            print(xs.numpy())
            step += 1
            if step >= 3:
                stop_requested = True
    """))


def test_a_generator_reading_its_iterator_at_each_pass_is_left_as_it_is():
    # TF1-era eager code (a TFLite representative dataset): each pass reads the next element
    assert "kept on tensorflow.compat.v1" not in " ".join(f.message for f in run("""\
        import tensorflow as tf


        def representative_dataset_gen():
            iterator = tf.data.Dataset.range(8).batch(2).make_one_shot_iterator()
            for _ in range(4):
                yield [iterator.get_next()]


        def main():
            tf.enable_eager_execution()
            converter = tf.lite.TFLiteConverter.from_saved_model("model")
            converter.representative_dataset = representative_dataset_gen
    """).findings)


READER_FUNCTION = """\
    import tensorflow as tf


    def read_and_decode(filename_queue):
        reader = tf.TFRecordReader()
        _, serialized = reader.read(filename_queue)
        features = tf.parse_single_example(serialized, {"x": tf.FixedLenFeature([2], tf.float32)})
        return features["x"] * 2.0


    queue = tf.train.string_input_producer(["a.tfrecord"], num_epochs=1, shuffle=False)
    x = read_and_decode(queue)
    xs = tf.train.batch([x], 4)
    with tf.Session() as sess:
        tf.train.start_queue_runners(sess)
        print(sess.run(xs))
"""


def test_a_function_that_reads_the_queue_it_is_given_maps_the_records():
    # TF1's reading guide: `read_and_decode(filename_queue)` makes the reader, reads, and returns what it
    # computes from the record; it now takes the record, and the dataset maps it
    assert fix(READER_FUNCTION) == textwrap.dedent("""\
        import tensorflow as tf


        def read_and_decode(serialized):
            features = tf.io.parse_single_example(serialized, {"x": tf.io.FixedLenFeature([2], tf.float32)})
            return features["x"] * 2.0


        iterator = iter(tf.data.TFRecordDataset(["a.tfrecord"]).repeat(1).map(read_and_decode).batch(4, drop_remainder=True))
        xs = next(iterator)
        print(xs.numpy())
    """)


def test_a_reading_function_s_other_parameters_keep_their_defaults():
    # `read_cifar_files(filename_queue, distort_images=True)` called with the queue alone: the map passes
    # the record alone too
    source = textwrap.dedent(READER_FUNCTION).replace("def read_and_decode(filename_queue):",
                                                      "def read_and_decode(filename_queue, scale=2.0):")
    new = fix(source.replace('features["x"] * 2.0', 'features["x"] * scale'))
    assert "def read_and_decode(serialized, scale=2.0):\n" in new
    assert ".map(read_and_decode)." in new


@pytest.mark.parametrize("change, why", [
    ("xs = tf.train.batch([x], 4)\n", "xs = tf.train.batch([x], 4)\ny = read_and_decode(queue)\n"),
    ("    return features", "    print(filename_queue)\n    return features"),
    ("x = read_and_decode(queue)", "x = read_and_decode(queue, 3.0)"),
])
def test_a_function_that_reads_the_queue_otherwise_stays(change, why):
    source = textwrap.dedent(READER_FUNCTION).replace(change, why)
    assert reason(source).startswith("filename queue queue read by `read_and_decode`, a function the rewrite does "
                                     "not read as the reader of a dataset")


def test_a_function_that_returns_one_element_of_a_queue_returns_the_dataset_of_them():
    # no batch: each run read the next element (the file's next line, the files again and again)
    assert fix("""\
        import tensorflow as tf


        def read_one_row(filenames):
            filename_queue = tf.train.string_input_producer(filenames, shuffle=False)
            reader = tf.TextLineReader()
            _, line = reader.read(filename_queue)
            a, b = tf.decode_csv(line, record_defaults=[[0], [0]])
            return a * 100 + b


        row = read_one_row(["a.csv", "b.csv"])
        with tf.Session() as sess:
            tf.train.start_queue_runners(sess=sess)
            for step in range(8):
                print(step, sess.run(row))
    """) == textwrap.dedent("""\
        import tensorflow as tf


        def read_one_row(filenames):

            def parse_line(line):
                a, b = tf.io.decode_csv(line, record_defaults=[[0], [0]])
                return a * 100 + b

            return tf.data.TextLineDataset(filenames).repeat().map(parse_line)


        iterator = iter(read_one_row(["a.csv", "b.csv"]))
        for step in range(8):
            row = next(iterator)
            print(step, tf.nest.map_structure(lambda t: t.numpy(), row))
    """)


def test_a_library_function_returning_the_next_batch_is_compat_only_in_check_as_after_fix():
    """Nothing in the file calls it: the rewrite's dataset is read through a TF1 iterator, which the next pass
    writes as tf.compat.v1.data.make_one_shot_iterator; check says so before fix does."""
    source = textwrap.dedent("""\
        import tensorflow as tf


        def create_input_pipeline(files, batch_size, shape):
            producer = tf.train.string_input_producer(files, shuffle=False)
            reader = tf.WholeFileReader()
            _, contents = reader.read(producer)
            image = tf.image.decode_png(contents, channels=3)
            image.set_shape(shape)
            batch = tf.train.batch([image], batch_size=batch_size)
            return batch
    """)
    check = process_text(source, "case.py", Options())
    fixed = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))
    assert check.status.value == fixed.status.value == "compat-only"
    [left] = [f for f in check.findings if f.code == "TFM090"]
    assert (left.start.line, left.message) == (10, (
        "kept on tensorflow.compat.v1: a function returns the next element of its input pipeline to code this "
        "file does not call (TF1's queues or iterator gave the next batch at each run): the rewrite reads the "
        "tf.data pipeline through a TF1 iterator, tf.compat.v1.data.make_one_shot_iterator; in TensorFlow 2 its "
        "callers would iterate over the dataset itself"))
    assert "tf.compat.v1.data.make_one_shot_iterator(" in fixed.new_text
