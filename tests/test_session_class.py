"""A class that keeps a session to run a graph without state becomes a class of tf.function methods.

The numbers are proven by the fixture session_class_coder (``verify --deterministic``,
tests/test_fixtures.py); here: the exact rewrite, what keeps such a class on compat, check == fix.
"""
from __future__ import annotations

import textwrap

import pytest

from tfmigrate.engine import Options, process_text

CODER = """\
import tensorflow as tf


class ImageCoder(object):
    \"\"\"Image coding helpers.\"\"\"

    def __init__(self):
        # One session for all calls.
        self._sess = tf.Session()

        # PNG to JPEG.
        self._png_data = tf.placeholder(dtype=tf.string)
        image = tf.image.decode_png(self._png_data, channels=3)
        self._png_to_jpeg = tf.image.encode_jpeg(image, format='rgb', quality=100)

        # JPEG to pixels.
        self._jpeg_data = tf.placeholder(dtype=tf.string)
        image = tf.image.decode_jpeg(self._jpeg_data, channels=3)
        self._decode_jpeg = image

    def png_to_jpeg(self, image_data):
        return self._sess.run(self._png_to_jpeg,
                              feed_dict={self._png_data: image_data})

    def decode_jpeg(self, image_data):
        image = self._sess.run(self._decode_jpeg, {self._jpeg_data: image_data})
        assert len(image.shape) == 3
        return image

    def __del__(self):
        self._sess.close()


def convert(data):
    return ImageCoder().decode_jpeg(ImageCoder().png_to_jpeg(data))
"""


def fixed(source: str):
    return process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True))


def checked(source: str):
    return process_text(textwrap.dedent(source), "case.py", Options(fix=False))


def test_an_image_coder_becomes_tf_function_methods_and_its_runs_call_them():
    outcome = fixed(CODER)
    assert checked(CODER).status.value == outcome.status.value == "idiomatic"
    assert outcome.remaining == []
    assert outcome.new_text == '''\
import tensorflow as tf


class ImageCoder(object):
    """Image coding helpers."""

    # PNG to JPEG.
    @tf.function(input_signature=[tf.TensorSpec(None, tf.string)])
    def _png_to_jpeg(self, png_data):
        image = tf.image.decode_png(png_data, channels=3)
        return tf.image.encode_jpeg(image, format='rgb', quality=100)

    # JPEG to pixels.
    @tf.function(input_signature=[tf.TensorSpec(None, tf.string)])
    def _decode_jpeg(self, jpeg_data):
        image = tf.image.decode_jpeg(jpeg_data, channels=3)
        return image

    def png_to_jpeg(self, image_data):
        return self._png_to_jpeg(image_data).numpy()

    def decode_jpeg(self, image_data):
        image = self._decode_jpeg(image_data).numpy()
        assert len(image.shape) == 3
        return image


def convert(data):
    return ImageCoder().decode_jpeg(ImageCoder().png_to_jpeg(data))
'''


def test_init_keeps_its_plain_python_and_a_tensor_reading_a_fetched_tensor_calls_its_method():
    source = """\
        import tensorflow as tf


        class Stats:
            def __init__(self):
                self.calls = 0
                self.sess = tf.Session()
                self.x = tf.placeholder(tf.float32, [None])
                self.total = tf.reduce_sum(self.x)
                self.mean = self.total / tf.cast(tf.size(self.x), tf.float32)

            def both(self, values):
                self.calls += 1
                return self.sess.run((self.total, self.mean), feed_dict={self.x: values})

            def close(self):
                self.sess.close()
        """
    outcome = fixed(source)
    assert outcome.status.value == checked(source).status.value == "idiomatic"
    assert textwrap.dedent("""\
        class Stats:
            def __init__(self):
                self.calls = 0

            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def total(self, x):
                return tf.reduce_sum(x)

            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def mean(self, x):
                return self.total(x) / tf.cast(tf.size(x), tf.float32)

            def both(self, values):
                self.calls += 1
                return (self.total(values).numpy(), self.mean(values).numpy())

            def close(self):
                pass
        """) in outcome.new_text


HEAD = "import tensorflow as tf\n\n\nclass C:\n    def __init__(self{params}):\n        self.sess = tf.Session()\n"


@pytest.mark.parametrize("params,init,methods", [
    # a tensor read beyond a run
    ("", "self.x = tf.placeholder(tf.float32)\n        self.y = self.x * 2\n",
     "def f(self, v):\n        return self.sess.run(self.y, {self.x: v}), self.y\n"),
    # a placeholder the run does not feed
    ("", "self.x = tf.placeholder(tf.float32)\n        self.y = self.x * 2\n",
     "def f(self, v):\n        return self.sess.run(self.y)\n"),
    # two tensors of one random draw fetched together: TF1 drew once for both
    ("", "self.x = tf.placeholder(tf.float32)\n        n = tf.random_normal([2]) + self.x\n"
         "        self.a = n * 2\n        self.b = n * 3\n",
     "def f(self, v):\n        return self.sess.run([self.a, self.b], {self.x: v})\n"),
    # a graph tensor fed as a value
    ("", "self.x = tf.placeholder(tf.float32)\n        self.y = self.x * 2\n",
     "def f(self, v):\n        return self.sess.run(self.y, {self.x: self.y})\n"),
])
def test_what_keeps_a_session_class_on_compat(params, init, methods):
    # (a class with variables, a placeholder shaped by a local of __init__, a parameter of __init__ read by
    # the graph and an unread feed are model classes: tests/test_model_class.py)
    source = HEAD.format(params=params) + "        " + init + "\n    " + methods
    outcome = fixed(source)
    assert "class C holds TensorFlow graph objects or a session" in [
        f.message for f in outcome.remaining if f.code == "TFM090"][0]
    assert outcome.new_text.startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")
    assert checked(source).status.value == outcome.status.value == "compat-only"


def test_a_session_attribute_read_outside_the_class_keeps_it_on_compat():
    source = CODER + "\n\ncoder = ImageCoder()\ncoder._sess.close()\n"
    assert fixed(source).status.value == checked(source).status.value == "compat-only"


def test_a_tensor_of_the_graph_no_run_fetches_is_a_local_of_the_method_that_reads_it():
    source = """\
        import tensorflow as tf


        class C:
            def __init__(self):
                self.sess = tf.Session()
                self.x = tf.placeholder(tf.float32, [None])
                self.a = self.x * 2
                self.b = self.a + 1

            def f(self, v):
                return self.sess.run(self.b, {self.x: v})
        """
    outcome = fixed(source)
    assert outcome.status.value == checked(source).status.value == "idiomatic"
    assert outcome.new_text.endswith(textwrap.dedent("""\
        class C:
            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def b(self, x):
                a = x * 2
                return a + 1

            def f(self, v):
                return self.b(v).numpy()
        """))


READER = """\
import numpy as np
import tensorflow as tf


class Reader(object):
    def __init__(self, dataset):
        self.values = None
        x = dataset.make_one_shot_iterator().get_next()
        {line}
        with tf.Session() as sess:
            while True:
                try:
                    v = sess.run(x)
                    self.values = v if self.values is None else np.concatenate([self.values, v])
                except tf.errors.OutOfRangeError:
                    break

    def size(self):
        return len(self.values)
"""


def test_a_method_that_runs_its_own_session_is_a_program_of_its_own():
    # The instance keeps the values runs returned: the method's graph becomes eager code in its place
    # (the numbers: fixture dataset_loader_class).
    source = READER.format(line="x = x * 2")
    outcome = fixed(source)
    assert outcome.status.value == checked(source).status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf


        class Reader(object):
            def __init__(self, dataset):
                self.values = None
                iterator = iter(dataset)

                @tf.function(input_signature=[dataset.element_spec])
                def x_2(x):
                    return x * 2

                while True:
                    try:
                        x = next(iterator)
                        v = x_2(x).numpy()
                        self.values = v if self.values is None else np.concatenate([self.values, v])
                    except StopIteration:
                        break

            def size(self):
                return len(self.values)
    """)


@pytest.mark.parametrize("line", ["self.x = x", "y = x + 1; self.y = y", "self.sess = tf.Session()"])
def test_a_method_program_that_keeps_a_graph_object_on_the_instance_stays_on_compat(line):
    source = READER.format(line=line)
    outcome = fixed(source)
    assert outcome.status.value == checked(source).status.value == "compat-only"
    assert "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n" in outcome.new_text
