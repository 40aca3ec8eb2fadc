"""An Estimator's model_dir as the Keras model's checkpoints (rules/_estimator/checkpoints.py): a
tf.train.CheckpointManager restores the model as it is built and saves it after each fit, so that
a program run again resumes where the last run stopped, as the Estimator did."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from tfmigrate.engine import process_text
from tfmigrate.options import Options

needs_tf = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")

# Trains 30 more steps at each run: TF1 resumed from the checkpoint of the run before.
PROGRAM = '''\
import os

import numpy as np
import tensorflow as tf

x = np.linspace(-1.0, 1.0, 32).astype(np.float32)
y = 2.0 * x - 1.0
MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "linear_model")
columns = [tf.feature_column.numeric_column("x")]


def input_fn():
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat().batch(8)


regressor = tf.estimator.LinearRegressor(columns, model_dir=MODEL_DIR)
regressor.train(input_fn, steps=30)
print("weight", regressor.get_variable_value("linear/linear_model/x/weights")[0][0],
      regressor.latest_checkpoint() is not None)
metrics = regressor.evaluate(input_fn, steps=4)
print("step", metrics["global_step"], "loss", round(float(metrics["average_loss"]), 5))
'''

# What TF1 printed on TensorFlow 2.15, three runs over one model_dir (the test below runs it again).
TF1_RUNS = [[1.0436442, 30.0, 0.36818], [1.4293916, 60.0, 0.11912], [1.6474707, 90.0, 0.0443]]
FIX = Options(fix=True, unsafe_fixes=True)


def _fixed(source):
    return process_text(textwrap.dedent(source), "program.py", FIX)


def _notes(outcome):
    return [f.message.split(":")[0] for f in outcome.findings if f.code == "TFM090"]


def test_the_directory_is_a_checkpoint_manager_restored_as_the_model_is_built_and_saved_after_each_fit():
    fixed = _fixed(PROGRAM)
    assert fixed.status.value == "idiomatic"
    assert fixed.new_text.endswith(textwrap.dedent('''\
        regressor = LinearRegressor()
        regressor_checkpoints = tf.train.CheckpointManager(
            tf.train.Checkpoint(model=regressor, layers=regressor.layers, optimizer=regressor.optimizer), tf.io.gfile.join(MODEL_DIR, "keras"), max_to_keep=5)
        regressor_checkpoints.restore_or_initialize()
        regressor.fit(input_fn(), epochs=1, steps_per_epoch=30, verbose=0)
        regressor_checkpoints.save(checkpoint_number=regressor.optimizer.iterations)
        print("weight", regressor.logits.kernel[0:1].numpy()[0][0],
              regressor_checkpoints.latest_checkpoint is not None)
        metrics = {**regressor.evaluate(input_fn(), steps=4, verbose=0, return_dict=True), "global_step": int(regressor.optimizer.iterations)}
        print("step", metrics["global_step"], "loss", round(float(metrics["average_loss"]), 5))
    '''))
    # the model's layers build at their first call, where the restored values reach them
    assert textwrap.indent(textwrap.dedent('''\
        def build(self, input_shape):
            self.built = True  # its layers build at their first call, with the values of the checkpoint restored

        def call(self, features, training=False):
    '''), "    ") in fixed.new_text
    assert _notes(fixed) == ["model_dir"]


@pytest.mark.parametrize("change", [
    # the estimator handed to a function: its trainings there would not be saved
    ("regressor.train(input_fn, steps=30)", "def run(model):\n    model.train(input_fn, steps=30)\nrun(regressor)"),
    # its variables read before anything builds the model (a rerun past max_steps trains nothing)
    ("regressor.train(input_fn, steps=30)", "regressor.train(input_fn, max_steps=30)"),
    # a directory nothing reads again
    ("model_dir=MODEL_DIR", "model_dir=tempfile.mkdtemp()"),
    # a flag or an argument, which may be None (TF1 then used a temporary directory)
    ("model_dir=MODEL_DIR", "model_dir=args.model_dir"),
])
def test_what_the_rewrite_cannot_see_whole_keeps_no_checkpoints(change):
    source = PROGRAM.replace(*change).replace("import os\n", "import os\nimport tempfile\n")
    source = source.replace("print(\"weight\", regressor.get_variable_value(\"linear/linear_model/x/weights\")[0][0],\n"
                            "      regressor.latest_checkpoint() is not None)",
                            "print(\"weight\", regressor.get_variable_value(\"linear/linear_model/x/weights\")[0][0])")
    fixed = _fixed(source)
    assert fixed.status.value == "idiomatic", [f.message for f in fixed.remaining]
    assert "CheckpointManager" not in fixed.new_text and "def build" not in fixed.new_text
    assert _notes(fixed) == ["tf.estimator.LinearRegressor(model_dir=...) is dropped"]


def test_latest_checkpoint_without_a_manager_is_refused():
    source = PROGRAM.replace("model_dir=MODEL_DIR", "model_dir=tempfile.mkdtemp()").replace(
        "import os\n", "import os\nimport tempfile\n")
    fixed = _fixed(source)
    assert fixed.status.value == "manual"
    assert [f.message for f in fixed.remaining if f.code == "TFM010"] == [
        "not rewritten to Keras 3: latest_checkpoint of an estimator whose model_dir the Keras model does not keep "
        "(a model_dir the rewrite sees all uses of becomes a CheckpointManager) (tf.estimator is gone from "
        "TensorFlow 2.21, tf.compat.v1.estimator too: the file is left as it is)"]


def _three_runs(tmp_path, source, python, mode):
    """The program run three times over one model_dir, in one process (tests/tf_batch.py)."""
    programs = []
    for run in range(3):
        path = tmp_path / f"run_{run}.py"
        path.write_text(source)
        programs.append(str(path))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([python, str(ROOT / "tests" / "tf_batch.py"), mode, *programs],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    printed = []
    for program in programs:
        assert results[program]["error"] is None, results[program]["error"]
        words = results[program]["stdout"].split()
        printed.append([float(words[1]), float(words[4]), float(words[6])])
    return printed


def _close(runs, expected):
    for run, want in zip(runs, expected):
        assert all(abs(a - b) <= 1e-6 + 1e-5 * abs(b) for a, b in zip(run, want)), (runs, expected)


@needs_tf
def test_the_rewrite_run_again_resumes_as_tf1_did(tmp_path):
    _close(_three_runs(tmp_path, _fixed(PROGRAM).new_text, sys.executable, "tf2"), TF1_RUNS)
    assert sorted(os.listdir(tmp_path / "linear_model" / "keras")) == [
        "checkpoint", *(f"ckpt-{step}.{part}" for step in (30, 60, 90) for part in ("data-00000-of-00001", "index"))]


@pytest.mark.slow
@needs_tf
@pytest.mark.skipif(sys.version_info[:2] not in ((3, 9), (3, 10), (3, 11)) and not os.environ.get(
    "TFMIGRATE_REFERENCE_PYTHON"), reason="TensorFlow 2.15 needs Python 3.9-3.11")
def test_tf1_runs_again_resume_from_the_checkpoint_of_the_run_before(tmp_path):
    from tfmigrate.runtimes import default_location, ensure_runtime

    _close(_three_runs(tmp_path, PROGRAM, ensure_runtime(default_location()), "tf2.15"), TF1_RUNS)


def test_a_run_config_of_another_scope_keeps_no_checkpoints():
    # its directory's code, written after the estimator's statement, could name what that scope does not see
    source = PROGRAM.replace("regressor = tf.estimator.LinearRegressor(columns, model_dir=MODEL_DIR)\n",
                             "config = tf.estimator.RunConfig(model_dir=MODEL_DIR)\n\n\ndef main():\n"
                             "    regressor = tf.estimator.LinearRegressor(columns, config=config)\n")
    source = source.replace("\nregressor.", "\n    regressor.").replace("\nprint(", "\n    print(").replace(
        "\nmetrics", "\n    metrics").replace("\n      regressor.latest", "\n          regressor.latest") + "\n\nmain()\n"
    source = source.replace(",\n          regressor.latest_checkpoint() is not None)", ")")
    fixed = _fixed(source)
    assert fixed.status.value == "idiomatic", [f.message for f in fixed.remaining]
    assert "CheckpointManager" not in fixed.new_text
    assert _notes(fixed) == ["RunConfig (model_dir, checkpoint and summary settings) is dropped"]


@pytest.mark.parametrize("reader, where", [
    ('print(tf.train.latest_checkpoint(MODEL_DIR))', "tf.train.latest_checkpoint"),
    ('print(tf.train.load_variable(MODEL_DIR, "global_step"))', "tf.train.load_variable"),
    ('print(len([f for f in os.listdir(MODEL_DIR) if f.endswith(".index")]))', "os.listdir"),
])
def test_code_reading_the_estimator_s_own_checkpoints_is_refused(reader, where):
    # the Keras model's checkpoints are in model_dir/keras, with other names (none at all where the directory goes)
    fixed = _fixed(PROGRAM + reader + "\n")
    assert fixed.status.value == "manual"
    assert [f.message for f in fixed.remaining if f.code == "TFM010"] == [
        f"not rewritten to Keras 3: {where} of the Estimator's model_dir: the Keras model's checkpoints are not "
        "TF1's (est.latest_checkpoint() is the rewrite's own; read a variable with est.get_variable_value) "
        "(tf.estimator is gone from TensorFlow 2.21, tf.compat.v1.estimator too: the file is left as it is)"]
