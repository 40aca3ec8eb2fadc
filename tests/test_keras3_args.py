"""Keras 2 -> Keras 3 calls (TFM301-TFM304) and removed Dataset members (TFM305): exact findings and fixes."""
from __future__ import annotations

import pytest

from tfmigrate.engine import Options, process_text


def findings(source: str):
    return [(f.start.line, f.code, f.message) for f in process_text(source, "m.py", Options()).findings]


def fixed(source: str) -> str:
    return process_text(source, "m.py", Options(fix=True)).new_text


TF = "import tensorflow as tf\n"


def test_lr_becomes_learning_rate_on_every_keras_optimizer_spelling():
    source = TF + "import keras\na = tf.keras.optimizers.Adam(lr=0.01)\nb = tf.optimizers.SGD(lr=0.1, momentum=0.9)\n" \
                  "c = keras.optimizers.RMSprop(lr=1e-3)\nd = tf.compat.v1.train.AdamOptimizer(0.1)\n"
    assert fixed(source) == TF + "import keras\na = tf.keras.optimizers.Adam(learning_rate=0.01)\n" \
                                 "b = tf.optimizers.SGD(learning_rate=0.1, momentum=0.9)\n" \
                                 "c = keras.optimizers.RMSprop(learning_rate=1e-3)\n" \
                                 "d = tf.compat.v1.train.AdamOptimizer(0.1)\n"


def test_decay_is_reported_with_the_same_schedule():
    assert findings(TF + "opt = tf.keras.optimizers.SGD(learning_rate=0.1, decay=1e-4)\n") == [
        (2, "TFM301", "Keras 3 optimizers ignore `decay` (only a warning): for Keras 2's rate / (1 + decay * "
                      "iterations) pass learning_rate=tf.keras.optimizers.schedules.InverseTimeDecay(<learning "
                      "rate>, decay_steps=1, decay_rate=1e-4)")]


@pytest.mark.parametrize("before, after", [
    ("model.fit_generator(gen, 100, 3, verbose=0)", "model.fit(gen, steps_per_epoch=100, epochs=3, verbose=0)"),
    ("model.evaluate_generator(gen, steps=5)", "model.evaluate(gen, steps=5)"),
    ("self.model.predict_generator(gen, 7)", "self.model.predict(gen, steps=7)"),
])
def test_generator_methods_become_fit_evaluate_predict(before, after):
    assert fixed(TF + before + "\n") == TF + after + "\n"


def test_generator_method_with_queue_arguments_is_reported_without_fix():
    source = TF + "model.fit_generator(gen, workers=4)\n"
    assert fixed(source) == source
    assert findings(source) == [(2, "TFM302", "Keras 3 models have no `fit_generator`: `fit` takes the generator; "
                                              "workers go to a keras.utils.PyDataset")]


def test_generator_methods_need_a_tensorflow_or_keras_import():
    assert findings("model.fit_generator(gen)\n") == []


def test_save_format_and_suffix():
    source = TF + "model = tf.keras.models.load_model('a.h5')\nmodel.save('b.h5', save_format='h5')\n" \
                  "model.save('export', save_format='tf')\nmodel.save('plain')\nmodel.save('ok.keras')\n" \
                  "tf.keras.models.save_model(model, 'dir')\nother.save('dir')\n"
    assert [(line, code) for line, code, _ in findings(source)] == [(3, "TFM303"), (4, "TFM303"), (5, "TFM303"),
                                                                    (7, "TFM303")]
    assert "model.save('b.h5')\n" in fixed(source)


def test_removed_layer_argument():
    assert findings(TF + "rnn = tf.keras.layers.GRU(8, time_major=True, return_sequences=True)\n") == [
        (2, "TFM304", "Keras 3's `keras.layers.GRU` has no `time_major` argument: it raises when built")]


def test_dataset_members_on_values_made_by_tf_data():
    source = ("import tensorflow as tf\nds = tf.data.Dataset.from_tensor_slices(x).shuffle(10)\nds = ds.batch(4)\n"
              "it = ds.make_initializable_iterator()\nself.train = tf.data.TextLineDataset(f)\n"
              "types = self.train.output_types\nother = load()\nother.make_one_shot_iterator()\n")
    assert fixed(source) == ("import tensorflow as tf\nds = tf.data.Dataset.from_tensor_slices(x).shuffle(10)\n"
                             "ds = ds.batch(4)\nit = tf.compat.v1.data.make_initializable_iterator(ds)\n"
                             "self.train = tf.data.TextLineDataset(f)\n"
                             "types = tf.compat.v1.data.get_output_types(self.train)\nother = load()\n"
                             "other.make_one_shot_iterator()\n")


def test_dataset_in_a_compat_file_uses_its_alias():
    source = "import tensorflow.compat.v1 as tf\nit = tf.data.Dataset.range(3).make_one_shot_iterator()\n"
    assert fixed(source) == "import tensorflow.compat.v1 as tf\nit = tf.data.make_one_shot_iterator(tf.data.Dataset.range(3))\n"
