"""TensorFlow names judged against TensorFlow 2.21 (TFM105-TFM107), the contrib table,
and one real TensorFlow process proving the tables and the fixtures' rewrites."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status
from tfmigrate.rules import _tf, _verdicts
from tfmigrate.rules._verdicts import unresolved

ROOT = Path(__file__).resolve().parent.parent
RESOLVER = ROOT / "tests" / "tf_resolve.py"


def check(source: str):
    outcome = process_text(source, "example.py", Options())
    return [(f.start.line, f.code, f.message) for f in outcome.findings], outcome.status


@pytest.mark.parametrize("name, kind, replacement", [
    ("tensorflow.compat.v1.layers.dense", "keras2", "keras.layers.Dense"),
    ("layers.conv2d", "keras2", "keras.layers.Conv2D"),
    ("tensorflow.compat.v1.nn.rnn_cell.BasicLSTMCell", "keras2", "keras.layers.LSTMCell"),
    ("tensorflow.keras.backend.get_session", "keras2", None),
    ("keras.layers.CuDNNLSTM", "keras2", "keras.layers.LSTM"),
    ("tensorflow.compat.v1.estimator.Estimator", "gone", None),
    ("tensorflow.keras.estimator.model_to_estimator", "gone", None),  # tf-keras has it; calling it raises
    ("tensorflow.compat.v1.keras.estimator.model_to_estimator", "gone", None),
    ("tensorflow.estimator.ModeKeys", "gone", None),
    ("tensorflow.contrib.layers.xavier_initializer", "gone", "keras.initializers.GlorotUniform"),
    ("tensorflow.contrib.layers.python.layers.layers.batch_norm", "gone", "keras.layers.BatchNormalization"),
    ("tensorflow.contrib.slim", "gone", None),
    ("tensorflow.compat.v1.contrib.rnn.GRUCell", "gone", "keras.layers.GRUCell"),
    ("tensorflow.compat.v1.no_such_name", "gone", None),
    ("tensorflow.examples.tutorials.mnist.input_data", "gone", "keras.datasets.mnist"),
    ("tensorflow.keras.optimizers.legacy.Adam", "gone", "keras.optimizers"),
    ("random_normal", "renamed", "random.normal"),
    ("losses.softmax_cross_entropy", "compat", "keras.losses.CategoricalCrossentropy"),
    ("truncated_normal_initializer", "compat", "keras.initializers.TruncatedNormal"),
    ("app.flags.DEFINE_string", "compat", None),
    ("logging.info", "compat", None),
    ("tensorflow.compat.v1.app.flags.DEFINE_string", "ok", None),
    ("tensorflow.compat.v1.logging.info", "ok", None),
    ("tensorflow.compat.v1.random_normal", "ok", None),
    ("tensorflow.compat.v1.keras.layers.Dense", "ok", None),
    ("tensorflow.float32.max", "ok", None),
    ("tensorflow.python.ops.control_flow_ops.with_dependencies", "private-present", None),  # never exported
    ("tensorflow.python.estimator.estimator.Estimator", "gone", None),  # tf.estimator.Estimator: gone
    ("tensorflow.python.estimator.estimator.NotExported", "private", None),  # no public name, no module now
    ("tensorflow.python.ops.control_flow_ops.while_loop", "ok", None),  # tf.while_loop (TFM114 writes it)
    ("tensorflow.core.framework.graph_pb2", "ok", None),
    ("__version__", "ok", None),  # tf.__version__
    ("tensorflow.compat.v1.__version__.split", "ok", None),
    ("tensorflow.nn.__name__", "ok", None),
    ("tensorflow.compat.v1.train.__file__", "ok", None),
    ("tensorflow.contrib.layers.__file__", "gone", None),
    ("tensorflow.nn.__version__", "gone", None),
])
def test_verdicts(name, kind, replacement):
    verdict = unresolved(name)
    assert (verdict.kind, verdict.replacement) == (kind, replacement)


def test_messages_say_what_replaces_the_name():
    assert unresolved("losses.softmax_cross_entropy").message == (
        "is gone from TensorFlow 2 (it runs on tensorflow.compat.v1); in TensorFlow 2, "
        "use tf.keras.losses.CategoricalCrossentropy(from_logits=True)")
    assert "absl.flags" in unresolved("flags.DEFINE_integer").message
    assert "absl.logging" in unresolved("logging.set_verbosity").message
    assert unresolved("estimator.Estimator").message.startswith("is gone: tf.estimator was removed in TensorFlow 2.16")
    assert "needs tf-keras and TF_USE_LEGACY_KERAS=1" in unresolved("tensorflow.compat.v1.layers.dense").message
    assert "TensorFlow Probability" in unresolved("tensorflow.contrib.distributions.Normal").message
    assert "no TensorFlow 2 equivalent" not in unresolved("layers.dense").message


SOURCE = """\
import tensorflow as tf
from tensorflow.contrib import slim
init = tf.contrib.layers.xavier_initializer()
est = tf.compat.v1.estimator.Estimator(model_fn)
y = tf.compat.v1.layers.dense(x, 3)
print(slim)
"""


def test_check_reports_every_missing_name_with_its_replacement():
    findings, status = check(SOURCE)
    assert findings == [
        (2, "TFM107", "`tf.contrib.slim` is gone: tf.contrib was removed in TensorFlow 2.0; TF-Slim was removed "
                      "with tf.contrib: its layers are Keras layers, arg_scope has no counterpart (pass the "
                      "arguments to each layer)"),
        (3, "TFM120", "`tf.contrib.layers.xavier_initializer` is `tf.keras.initializers.GlorotUniform` in "
                      "TensorFlow 2"),
        (4, "TFM010", "not rewritten to Keras 3: an Estimator whose model_fn is not a function of this file: "
                      "fix it in one run with the file that defines it (tf.estimator is gone from TensorFlow 2.21, tf.compat.v1.estimator too: the file is left as "
                      "it is)"),
        (4, "TFM107", "`tf.compat.v1.estimator.Estimator` is gone: tf.estimator was removed in TensorFlow 2.16: "
                      "train a Keras 3 model (Model.fit), or run the program on TensorFlow 2.15"),
        (5, "TFM106", "`tf.compat.v1.layers.dense` needs tf-keras and TF_USE_LEGACY_KERAS=1 on TensorFlow 2.21 "
                      "(Keras 3 has no TF1 layers); use `tf.keras.layers.Dense`"),
    ]
    assert status is Status.MANUAL


def test_an_unused_import_of_names_tensorflow_2_does_not_have_goes():
    source = ("import tensorflow as tf\n"
              "# embeddings for TensorBoard\n"
              "from tensorflow.contrib.tensorboard.plugins import projector\n"
              "import tensorflow.contrib.learn.python.learn.learn_runner as learn_runner, "
              "tensorflow.contrib.learn.python.learn.metric_key as metric_key\n"
              "w = tf.Variable(1.0)  # the weight\n"
              "print(w.numpy())\n")
    findings, status = check(source)
    assert findings == [
        (3, "TFM107", "`tf.contrib.tensorboard.plugins.projector` is gone: tf.contrib was removed in TensorFlow "
                      "2.0; use the tensorboard package: the projector plugin is tensorboard.plugins.projector "
                      "(from tensorboard.plugins import projector); this file never uses projector: the import "
                      "goes"),
        (4, "TFM107", "every name it imports is gone from TensorFlow 2.21 "
                      "(`tf.contrib.learn.python.learn.learn_runner`, `tf.contrib.learn.python.learn.metric_key`); "
                      "this file never uses learn_runner, metric_key: the import goes"),
    ]
    assert status is Status.IDIOMATIC
    outcome = process_text(source, "example.py", Options(fix=True))  # a safe fix
    assert outcome.new_text == "import tensorflow as tf\nw = tf.Variable(1.0)  # the weight\nprint(w.numpy())\n"
    assert outcome.status is Status.IDIOMATIC


@pytest.mark.parametrize("source, path", [
    ("from tensorflow.contrib.tensorboard.plugins import projector\nconfig = projector.ProjectorConfig()\n",
     "example.py"),  # used
    ("from tensorflow.contrib.learn.python.learn import learn_runner, metric_key\nprint(metric_key)\n",
     "example.py"),  # one of its names is used
    ("from tensorflow.contrib.tensorboard.plugins import projector\n", "pkg/__init__.py"),  # for others
    ("from tensorflow.contrib.tensorboard.plugins import projector\n__all__ = ['projector']\n", "example.py"),
    ("def main():\n    from tensorflow.contrib.tensorboard.plugins import projector\n", "example.py"),  # on purpose
])
def test_an_import_that_is_used_or_exported_stays_reported(source, path):
    outcome = process_text(source, path, Options())
    assert [f.message.endswith("the import goes") for f in outcome.findings if f.code == "TFM107"][:1] == [False]
    assert outcome.status is Status.MANUAL


def test_keras2_only_file_is_compat_only():
    findings, status = check("import tensorflow.compat.v1 as tf\ny = tf.layers.dense(x, 3)\n")
    assert [code for _, code, _ in findings] == ["TFM106"]
    assert status is Status.COMPAT


def test_a_compat_layer_without_variables_or_random_draws_becomes_its_keras_3_form():
    source = ("import tensorflow as tf\n\n\ndef head(features):\n"
              "    pooled = tf.compat.v1.layers.max_pooling2d(features, 2, 2)\n"
              "    return tf.compat.v1.layers.flatten(pooled, name='flat')\n")
    outcome = process_text(source, "case.py", Options(fix=True))
    assert outcome.new_text == ("import tensorflow as tf\n\n\ndef head(features):\n"
                                "    pooled = tf.keras.layers.MaxPooling2D(2, strides=2)(features)\n"
                                "    return tf.keras.layers.Flatten(name='flat')(pooled)\n")
    assert outcome.status is Status.IDIOMATIC
    # a layer with variables has no such form outside the compat.v1 fallback: the file stays compat-only
    findings, status = check("import tensorflow as tf\ny = tf.compat.v1.layers.dense(tf.compat.v1.layers.flatten(x), 3)\n")
    assert [code for _, code, _ in findings] == ["TFM106", "TFM106"] and status is Status.COMPAT


def test_compat_alias_names_that_run_are_not_flagged():
    source = ("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\ntf.app.flags.DEFINE_string('a', 'b', 'c')\n"
              "tf.logging.info('x')\nw = tf.get_variable('w', [2])\n")
    assert [f for f in check(source)[0] if f[1] in ("TFM105", "TFM106", "TFM107")] == []


def test_import_forms():
    findings, _ = check("import tensorflow.contrib.slim as slim\nfrom tensorflow.contrib.rnn import LSTMCell\n"
                        "from tensorflow.examples.tutorials.mnist import input_data\n")
    assert [(line, code) for line, code, _ in findings] == [(1, "TFM107"), (2, "TFM107"), (3, "TFM107")]
    assert "`tf.keras.layers.LSTMCell`" in findings[1][2]


def test_contrib_table_replacements_exist_on_tensorflow_2_21():
    for name, entry in _verdicts.contrib_table().items():
        assert name == "contrib" or name.startswith("contrib."), name
        assert entry.get("use") or entry.get("library") or entry.get("note"), name
        if entry.get("use"):
            assert unresolved("tensorflow." + entry["use"]).kind == "ok", (name, entry["use"])
        assert "addons" not in entry.get("library", ""), name  # end of life: never a replacement


def test_counterparts_exist_on_tensorflow_2_21():
    for name, (replacement, text) in _verdicts.COUNTERPARTS.items():
        if replacement:
            assert unresolved("tensorflow." + replacement).kind == "ok", name
        assert text


def test_corpus_contrib_symbols_have_a_verdict():
    # the tf.contrib names most used in 25 public TF1 repositories (bert, nmt, facenet, magenta, ...)
    for name in ("learn.ModeKeys", "cluster_resolver.TPUClusterResolver", "tpu.TPUEstimator", "slim.conv2d",
                 "layers.flatten", "rnn.BasicLSTMCell", "slim.arg_scope", "training.HParams",
                 "framework.get_or_create_global_step", "seq2seq.dynamic_decode", "data.map_and_batch",
                 "summary.scalar", "lookup.HashTable", "distributions.Categorical", "eager.defun",
                 "tensorboard.plugins.projector", "linear_optimizer.SDCAOptimizer",
                 "recurrent.python.ops.functional_rnn"):
        key, entry = _verdicts._longest("contrib." + name, _verdicts.contrib_table())
        assert key is not None and key != "contrib", name


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")
def test_tables_and_fixture_rewrites_resolve_on_installed_tensorflow(tmp_path):
    """One TensorFlow process: compat_v1_api resolves, keras2 does not without tf-keras,
    and every TensorFlow name in every fixture's expected rewrite exists."""
    table = _tf.api()
    probe_ok = tmp_path / "compat_v1.py"
    probe_ok.write_text("import tensorflow as tf\n" + "".join(f"tf.compat.v1.{n}\n" for n in table["compat_v1_api"]
                                                              if n.isidentifier() or "." in n)
                        + "".join(f"tf.{n}\ntf.compat.v1.{n}\n" for n in sorted(_tf.VERSION_ATTRIBUTES))
                        + "".join(f"tf.nn.{n}\n" for n in sorted(_tf.MODULE_ATTRIBUTES)))
    probe_keras2 = tmp_path / "keras2.py"
    keras2 = sorted(table["keras2"], key=lambda n: (n.startswith("keras."), n))  # TF1 layers before tf.keras
    probe_keras2.write_text("import tensorflow as tf\n" + "".join(
        f"tf.{n}\n" if n.startswith("keras.") else f"tf.compat.v1.{n}\n" for n in keras2))
    expected = sorted(str(p) for p in (ROOT / "fixtures").glob("*/expected.py"))
    assert len(expected) > 20
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("TF_USE_LEGACY_KERAS", None)
    result = subprocess.run([sys.executable, str(RESOLVER), str(probe_keras2), str(probe_ok), *expected],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    missing = json.loads(result.stdout)
    assert missing[str(probe_ok)] == []
    failing = {name for _, name, _ in missing[str(probe_keras2)]}
    lines = {"tensorflow." + n if n.startswith("keras.") else "tensorflow.compat.v1." + n for n in keras2}
    # a module whose members fail (tf.compat.v1.layers) still resolves itself
    assert sorted(n for n in lines - failing if not any(k.startswith(n.split("tensorflow.")[-1].replace(
        "compat.v1.", "") + ".") for k in keras2)) == []
    assert {path: names for path, names in missing.items() if path in expected and names} == {}


def test_names_imported_by_path_are_judged_like_attributes():
    # `check` was silent on all of these, and each import fails on TensorFlow 2.21
    source = ("import tensorflow as tf\n"
              "from tensorflow import gfile\n"
              "from tensorflow.python_io import tf_record_iterator, TFRecordWriter\n"
              "import tensorflow.gfile as gf\n"
              "from tensorflow.tools.graph_transforms import TransformGraph\n"
              "from tensorflow import flags\n"
              "FLAGS = flags.FLAGS\n")
    findings, status = check(source)
    assert [(line, code) for line, code, _ in findings] == [
        (2, "TFM105"), (3, "TFM105"), (3, "TFM105"), (4, "TFM105"), (5, "TFM107"), (7, "TFM081")]
    assert findings[0][2] == "`tf.gfile` is gone from TensorFlow 2 (it runs on tensorflow.compat.v1)"
    assert findings[2][2] == ("`tf.python_io.TFRecordWriter` is `tf.io.TFRecordWriter` in TensorFlow 2: "
                              "import it by that name")
    assert "Grappler" in findings[4][2]
    assert status is Status.MANUAL


def test_a_rename_reached_through_an_imported_module_is_reported_not_rewritten():
    # `gfile.Exists` once became `gfile.Exist.io.gfile.exists`: the rename has no `tf` to go under
    source = "import tensorflow as tf\nfrom tensorflow import gfile, to_float\na = gfile.Exists('p')\nb = to_float(3)\n"
    outcome = process_text(source, "example.py", Options(fix=True))
    assert outcome.new_text == source
    renames = [(f.start.line, f.code, f.fixable) for f in outcome.findings if f.code in ("TFM101", "TFM103")]
    assert renames == [(3, "TFM101", False), (4, "TFM103", False)]


def test_a_record_iterator_passed_uncalled_is_reported():
    source = "import tensorflow as tf\n\ndef count(path, reader=tf.python_io.tf_record_iterator):\n    return reader(path)\n"
    findings, status = check(source)
    assert [(line, code) for line, code, _ in findings] == [(3, "TFM084")]
    assert status is Status.MANUAL


def test_an_optimizer_class_passed_uncalled_is_reported():
    # The Estimator cookbook's `params.get("optimizer", tf.train.AdamOptimizer)`: no call to map,
    # and in a file left as it is (tf.estimator) nothing else said a word about it.
    source = ("import tensorflow as tf\n\ndef model_fn(features, labels, mode, params):\n"
              "    optimizer = params.get('optimizer', tf.train.AdamOptimizer)(params.get('learning_rate', 0.001))\n"
              "    return tf.estimator.EstimatorSpec(mode, loss=labels)\n\n"
              "model = tf.estimator.Estimator(model_fn, params={'optimizer': tf.compat.v1.train.FtrlOptimizer})\n")
    findings, status = check(source)
    optimizers = [(line, message) for line, code, message in findings if code == "TFM005"]
    assert optimizers == [
        (4, "`tf.train.AdamOptimizer` does not exist in TensorFlow 2: use `tf.optimizers.Adam` (here the class is"
            " passed as a value: the call that constructs it must use the Keras optimizer's arguments)"),
        (7, "`tf.train.FtrlOptimizer` does not exist in TensorFlow 2: use `tf.optimizers.Ftrl` (here the class is"
            " passed as a value: the call that constructs it must use the Keras optimizer's arguments)")]
    assert status is Status.MANUAL
    # A call is one finding, at the call; the class inside it is not reported again.
    findings, _ = check("import tensorflow as tf\nopt = tf.train.AdamOptimizer(0.1)\n")
    assert [(line, code) for line, code, _ in findings if code == "TFM005"] == [(2, "TFM005")]


def test_private_names_of_tf1s_flags_module_are_reported_on_every_alias():
    # seq2seq's tests reset TF < 1.5's flags: absl has neither name, so moving them to absl breaks the
    # file, and tf.compat.v1.app.flags (absl's) has neither.
    source = ("import tensorflow as tf\n\ndef clear():\n    tf.app.flags.FLAGS = tf.app.flags._FlagValues()\n"
              "    tf.app.flags._global_parser = None\n")
    outcome = process_text(source, "example.py", Options(fix=True, unsafe_fixes=True))
    assert "absl" not in outcome.new_text
    assert outcome.new_text.endswith("tf.app.flags.FLAGS = tf.app.flags._FlagValues()\n    tf.app.flags._global_parser = None\n")
    left = [(f.start.line, f.code, f.message) for f in outcome.remaining if f.code == "TFM081"]
    assert left == [
        (5, "TFM081", "`tf.app.flags._FlagValues` is private to TF < 1.5's own flags module: absl.flags, which"
                      " every later TensorFlow wraps, has no such name (absl's flag registry is the public"
                      " `flags.FlagValues`)"),
        (6, "TFM081", "`tf.app.flags._global_parser` is private to TF < 1.5's own flags module: absl.flags,"
                      " which every later TensorFlow wraps, has no such name")]
    assert outcome.status is Status.MANUAL
    findings, status = check(outcome.new_text)
    assert [(line, code) for line, code, _ in findings if code == "TFM081"] == [(5, "TFM081"), (6, "TFM081")]
    assert status is Status.MANUAL


def test_tf_test_mock_is_unittest_mock():
    # TF1 test files start with `mock = tf.test.mock`; TF 2.21 has it only in tf.compat.v1.
    source = ("import tensorflow as tf\n\nmock = tf.test.mock\n\n\nclass T(tf.test.TestCase):\n"
              "    @tf.test.mock.patch('os.getcwd')\n    def test(self, getcwd):\n        pass\n")
    findings, status = check(source)
    assert [(line, code) for line, code, _ in findings] == [(3, "TFM111"), (7, "TFM111")]
    assert status is Status.MANUAL
    fixed = process_text(source, "example_test.py", Options(fix=True))
    assert fixed.new_text == source.replace("mock = tf.test.mock", "from unittest import mock")
    assert [(f.start.line, f.code, f.fixable) for f in fixed.remaining] == [(7, "TFM111", False)]
    assert fixed.remaining[0].message.endswith("write `unittest.mock`")
    # On tensorflow.compat.v1 it runs: nothing to say
    assert check(source.replace("import tensorflow as tf", "import tensorflow.compat.v1 as tf"))[0] == []


def test_tensorflow_tools_packages_match_the_installed_wheel():
    spec = importlib.util.find_spec("tensorflow")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("TensorFlow is not installed")
    tools = Path(list(spec.submodule_search_locations)[0]) / "tools"
    shipped = sorted(p.name for p in tools.iterdir() if p.is_dir() and not p.name.startswith("__"))
    assert shipped == sorted(_verdicts.TOOLS_PACKAGES)
    assert unresolved("tensorflow.tools.compatibility.tf_upgrade_v2").kind == "ok"
    assert unresolved("tensorflow.tools.tfprof.tfprof_log_pb2").kind == "gone"


def test_a_tf1_optimizer_or_session_imported_by_its_path_is_reported_where_the_import_fails():
    from tfmigrate.engine import Options, process_text

    source = ("import tensorflow as tf\nfrom tensorflow.train import MomentumOptimizer\n"
              "class Opt(MomentumOptimizer):\n    pass\n")
    outcome = process_text(source, "opt.py", Options(fix=True, unsafe_fixes=True))
    assert [(f.code, f.start.line) for f in outcome.findings] == [("TFM105", 2)]
    assert "the import fails" in outcome.findings[0].message
    assert outcome.status.value == "manual" and outcome.new_text == source


def test_the_version_and_module_attributes_resolve_and_stay_in_an_eager_rewrite():
    source = ('import tensorflow as tf\n\nprint("TensorFlow", tf.__version__, tf.nn.__name__)\n'
              'x = tf.placeholder(tf.float32, [None])\ny = x * 2.0\nwith tf.Session() as sess:\n'
              '    print(sess.run(y, feed_dict={x: [1.0, 2.0]}))\n')
    findings, status = check(source)
    assert status == Status.IDIOMATIC
    assert [code for _, code, _ in findings] == ["TFM001", "TFM002", "TFM003"]
    outcome = process_text(source, "example.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status == Status.IDIOMATIC
    assert outcome.new_text == (
        'import tensorflow as tf\n\nprint("TensorFlow", tf.__version__, tf.nn.__name__)\n\n'
        '@tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])\ndef y(x):\n    return x * 2.0\n\n'
        'print(y([1.0, 2.0]).numpy())\n')


def test_a_tf1_name_spelled_through_compat_v1_runs_as_written_so_the_file_is_compat_only():
    source = "import tensorflow as tf\n\ndef make():\n    return tf.compat.v1.variance_scaling_initializer(scale=2.0)\n"
    findings, status = check(source)
    assert findings == [(4, "TFM105", "`tf.compat.v1.variance_scaling_initializer` is TF1's API: it runs on "
                                      "TensorFlow 2.21 through tensorflow.compat.v1, as written; in TensorFlow 2, "
                                      "use tf.keras.initializers.VarianceScaling")]
    assert status == Status.COMPAT
    outcome = process_text(source, "example.py", Options(fix=True, unsafe_fixes=True))
    assert (outcome.new_text, outcome.status) == (source, Status.COMPAT)
    # spelled on TensorFlow 2's own name it does not run, and TFM120 rewrites it
    assert check(source.replace("tf.compat.v1.", "tf."))[1] == Status.IDIOMATIC


def test_a_tf1_module_imported_by_name_is_imported_from_its_tensorflow_2_home():
    source = ("import os\nfrom tensorflow import gfile\n\ndef save(path, data):\n"
              "    if not gfile.Exists(os.path.dirname(path)):\n        gfile.MakeDirs(os.path.dirname(path))\n"
              "    with gfile.Open(path, 'w') as f:\n        f.write(data)\n    return gfile.FastGFile(path).read()\n")
    findings, status = check(source)
    assert [(line, code) for line, code, _ in findings] == [(2, "TFM101"), (5, "TFM101"), (6, "TFM101"),
                                                            (7, "TFM101"), (9, "TFM101")]
    assert findings[0][2] == ("`tf.gfile` is `tf.io.gfile` in TensorFlow 2, with its members renamed: import it "
                              "from there")
    assert status == Status.IDIOMATIC
    outcome = process_text(source, "example.py", Options(fix=True))
    assert outcome.new_text == (
        "import os\nfrom tensorflow.io import gfile\n\ndef save(path, data):\n"
        "    if not gfile.exists(os.path.dirname(path)):\n        gfile.makedirs(os.path.dirname(path))\n"
        "    with gfile.GFile(path, 'w') as f:\n        f.write(data)\n    return gfile.GFile(path).read()\n")
    assert outcome.status == Status.IDIOMATIC and outcome.remaining == []
    # the module passed on (any member may be used), or a member without a TensorFlow 2 name: as before
    for other in ("    return gfile\n", "    return gfile.Unknown(path)\n"):
        kept = source.replace("    return gfile.FastGFile(path).read()\n", other)
        assert check(kept)[1] == Status.MANUAL
        assert process_text(kept, "example.py", Options(fix=True)).new_text == kept


def test_the_tensorflow_2_modules_imports_name_import_on_installed_tensorflow():
    pytest.importorskip("tensorflow")
    code = ("from tensorflow.io import gfile\nassert all(callable(getattr(gfile, n)) for n in "
            "('exists', 'makedirs', 'GFile'))\nimport importlib\n"
            f"for m in {sorted(_tf.IMPORTABLE)!r}:\n    importlib.import_module(('tensorflow.' + m).rstrip('.'))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert result.returncode == 0, result.stderr[-2000:]


MIXED = """\
import tensorflow.compat.v1 as tf1
import tensorflow.compat.v2 as tf


def sample(shape, path):
    tf1.logging.info("sampling")
    tf.logging.warn("sampling")
    if tf.gfile.Exists(path):
        return tf.log(tf.random_normal(shape)), tf1.log(tf1.random_normal(shape))
"""


def test_tf1_names_on_a_tensorflow_2_alias_are_found_in_a_file_that_imports_compat_v1_too():
    # tf1.* runs on tensorflow.compat.v1; tf.* is tensorflow.compat.v2, which has none of these names
    findings, _ = check(MIXED)
    assert [(line, code) for line, code, _ in findings if code != "TFM090"] == [
        (7, "TFM082"), (8, "TFM101"), (9, "TFM101"), (9, "TFM101")]
    fixed = process_text(MIXED, "example.py", Options(fix=True)).new_text
    assert "    if tf.io.gfile.exists(path):\n" in fixed
    assert "        return tf.math.log(tf.random.normal(shape)), tf1.log(tf1.random_normal(shape))\n" in fixed
    assert '    tf1.logging.info("sampling")\n    tf.logging.warn("sampling")\n' in fixed  # (TFM082: by hand)


def test_tf_compat_helpers_resolve_on_a_compat_v1_alias():
    # tf.compat.v1.compat is tf.compat: as_str, as_bytes, ... and v2 (TensorFlow 2) run there
    source = ('import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n'
              'print(tf.compat.as_str(b"x"), tf.compat.v1.compat.as_bytes("y"))\n'
              'writer = tf.compat.v2.summary.create_file_writer("logs")\n')
    assert check(source) == ([], Status.CLEAN)


def test_resize_images_renamed_says_the_values_differ():
    # tf.image.resize samples at half-pixel centers: upsampling [0, 1] to 3 gives [0, 0.5, 1] (TF1: [0, 0.667, 1])
    found = [f.message for f in process_text("import tensorflow as tf\ny = tf.image.resize_images(x, [3, 3])\n",
                                             "case.py", Options()).findings if f.code == "TFM101"]
    assert found == ["`tf.image.resize_images` is `tf.image.resize` in TensorFlow 2, which samples at half-pixel "
                     "centers where TF1's did not: the resized values differ (on 4-D images, "
                     "tf.raw_ops.ResizeBilinear(images=..., size=..., half_pixel_centers=False) computes TF1's)"]


def test_placeholder_passed_as_a_value_is_reported_where_it_stands():
    # the function itself, not a call of it: the unresolved name of the rewrite must not go unsaid
    source = ("import tensorflow as tf\n\n\ndef inputs(batch_size):\n"
              "    make = tf.placeholder if batch_size is None else tf.zeros\n"
              "    return make(shape=(batch_size, 4), dtype=tf.float32)\n")
    findings, status = check(source)
    assert findings == [
        (5, "TFM001", "`tf.placeholder` does not exist in TensorFlow 2 (here a value, the function itself): pass the "
                      "value as a function argument"),
        (5, "TFM090", "kept on tensorflow.compat.v1: tf.placeholder would stay in the rewrite, and TensorFlow 2 does "
                      "not have it")]
    assert status == Status.COMPAT
