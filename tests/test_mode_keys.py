"""TFM110: TF1's mode constants become the strings they are, in model code that has no Estimator."""
from __future__ import annotations

import ast
import importlib.util
import textwrap
from pathlib import Path

import pytest

from tfmigrate.engine import Options, process_text
from tfmigrate.rules._vocab import MODE_CONSTANTS

FIX = Options(fix=True, unsafe_fixes=True)

# A model library as tensor2tensor and seq2seq write them: graph-building code that takes a mode.
LIBRARY = """\
    import tensorflow as tf


    def encoder(x, mode, hparams):
        is_training = mode == tf.estimator.ModeKeys.TRAIN
        if mode != tf.contrib.learn.ModeKeys.INFER:
            x = tf.nn.dropout(x, rate=hparams.dropout if is_training else 0.0)
        return tf.compat.v1.layers.dense(x, hparams.size) if mode == tf.estimator.ModeKeys.PREDICT else x
"""


def test_mode_constants_become_strings_and_the_file_gets_the_usual_treatment():
    text = textwrap.dedent(LIBRARY)
    check = process_text(text, "model.py", Options())
    assert [(f.start.line, f.code, f.message) for f in check.findings if f.code == "TFM110"] == [
        (5, "TFM110", '`tf.estimator.ModeKeys.TRAIN` is the string "train", and tf.estimator was removed in'
                      " TensorFlow 2.16: write the string"),
        (6, "TFM110", '`tf.contrib.learn.ModeKeys.INFER` is the string "infer", and tf.contrib was removed in'
                      " TensorFlow 2.0: write the string"),
        (8, "TFM110", '`tf.estimator.ModeKeys.PREDICT` is the string "infer", and tf.estimator was removed in'
                      " TensorFlow 2.16: write the string")]
    assert all(f.fixable for f in check.findings if f.code == "TFM110")
    # Nothing else reports them (TFM107 did), and the file is not an Estimator program left as it is.
    assert not [f for f in check.findings if f.code in ("TFM107", "TFM010")]
    safe = process_text(text, "model.py", Options(fix=True))
    expected = text.replace("tf.estimator.ModeKeys.TRAIN", '"train"').replace(
        "tf.contrib.learn.ModeKeys.INFER", '"infer"').replace("tf.estimator.ModeKeys.PREDICT", '"infer"')
    # the file stays on tf.compat.v1 as written: its TF1 layer becomes the helper TFM106 writes in
    assert safe.new_text.startswith("import tensorflow as tf\n\n\ndef layers_dense(inputs, units, ")
    assert safe.new_text.endswith(expected[len("import tensorflow as tf\n\n\n"):].replace(
        "tf.compat.v1.layers.dense(", "layers_dense("))
    assert not [f for f in safe.remaining if f.code == "TFM110"]


def test_after_the_compat_fallback_the_constants_are_strings_too():
    source = textwrap.dedent("""\
        import tensorflow as tf


        def model(x, mode):
            w = tf.get_variable("w", [3, 2])
            with tf.variable_scope("out", reuse=tf.AUTO_REUSE):
                y = tf.matmul(x, w)
            return y if mode == tf.estimator.ModeKeys.EVAL else -y
    """)
    fixed = process_text(source, "model.py", FIX)
    assert fixed.new_text == textwrap.dedent("""\
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()


        def model(x, mode):
            w = tf.get_variable("w", [3, 2])
            with tf.variable_scope("out", reuse=tf.AUTO_REUSE):
                y = tf.matmul(x, w)
            return y if mode == "eval" else -y
    """)
    assert fixed.status.value == "compat-only"


def test_an_estimator_program_keeps_its_constants_for_the_estimator_rewrite():
    source = textwrap.dedent("""\
        import tensorflow as tf


        def model_fn(features, labels, mode, params):
            if mode == tf.estimator.ModeKeys.PREDICT:
                return tf.estimator.EstimatorSpec(mode, predictions=features)
            return tf.estimator.EstimatorSpec(mode, loss=labels)
    """)
    check = process_text(source, "model.py", Options())
    assert not [f for f in check.findings if f.code == "TFM110"]
    assert [f.start.line for f in check.findings if f.code == "TFM107" and "ModeKeys" in f.message] == [5]


@pytest.mark.parametrize("source", [
    "import tensorflow as tf\nmodes = [tf.estimator.ModeKeys.TRAIN, tf.estimator.ModeKeys]\n",
    "import tensorflow as tf\nfrom tensorflow.estimator import ModeKeys\nmodes = [tf.estimator.ModeKeys.TRAIN, ModeKeys.EVAL]\n",
])
def test_the_class_itself_makes_an_estimator_file_left_to_tfm107(source):
    check = process_text(source, "model.py", Options())
    assert not [f for f in check.findings if f.code == "TFM110"]
    assert [f.start.line for f in check.findings if f.code == "TFM107"][-2:] == [source.count("\n")] * 2
    assert process_text(source, "model.py", FIX).new_text == source


def test_the_values_are_tensorflows_own():
    """tf.estimator's mode keys are defined in TensorFlow itself (read from the installed wheel's
    source, without importing it); tf.contrib.learn's TRAIN / EVAL / INFER were the same strings."""
    spec = importlib.util.find_spec("tensorflow")
    assert spec is not None and spec.submodule_search_locations
    source = Path(list(spec.submodule_search_locations)[0], "python", "saved_model", "model_utils", "mode_keys.py")
    tree = ast.parse(source.read_text())
    [cls] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "EstimatorModeKeys"]
    values = {t.id: n.value.value for n in cls.body if isinstance(n, ast.Assign) for t in n.targets}
    assert {f"estimator.ModeKeys.{key}": value for key, value in values.items()} == {
        name: value for name, value in MODE_CONSTANTS.items() if name.startswith("estimator.")}
    assert {name.rsplit(".", 1)[1]: value for name, value in MODE_CONSTANTS.items()
            if name.startswith("contrib.")} == {"TRAIN": "train", "EVAL": "eval", "INFER": "infer"}


def test_constants_of_a_mode_keys_class_imported_by_name_are_strings_and_the_import_goes():
    # (amygdala's word2vec workshop: each `ModeKeys.TRAIN` line was left naming tf.contrib, unreported)
    source = textwrap.dedent("""\
        import tensorflow as tf
        from tensorflow.contrib.learn import ModeKeys


        def model(x, mode):
            if mode in [ModeKeys.TRAIN, ModeKeys.EVAL]:
                x = tf.nn.dropout(x, 0.5)
            return x if mode != ModeKeys.INFER else tf.identity(x)
    """)
    check = process_text(source, "model.py", Options())
    assert [(f.code, f.start.line) for f in check.findings if f.code == "TFM110"] == [
        ("TFM110", 6), ("TFM110", 6), ("TFM110", 8)]
    new = process_text(source, "model.py", FIX).new_text
    assert "from tensorflow.contrib" not in new
    assert 'if mode in ["train", "eval"]:' in new and 'return x if mode != "infer" else tf.identity(x)' in new
