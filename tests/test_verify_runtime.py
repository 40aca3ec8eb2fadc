"""The TensorFlow 2.15 reference runtime: which originals need it, making it once, and a real run on it.

The last test runs a tf.estimator program on TensorFlow 2.15.1 and creates
the runtime first where it is missing (a minute or a few: `pip install
tensorflow-cpu==2.15.1`), at the location `verify` uses
($TFMIGRATE_REFERENCE_RUNTIME, else $XDG_CACHE_HOME/tfmigrate/runtimes/tf-2.15).
`-m "not slow"` leaves it out.
"""
from __future__ import annotations

import fcntl
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from tfmigrate import runtimes
from tfmigrate.runtimes import RuntimeUnavailable, base_python, ensure_runtime, reference_reason, telltale

ESTIMATOR = ROOT / "tests" / "data" / "estimator_linear"


@pytest.mark.parametrize("source, reason", [
    ("import tensorflow as tf\nest = tf.estimator.Estimator(model_fn)\n", "estimator"),
    ("import tensorflow.compat.v1 as tf\ntf.estimator.LinearRegressor([])\n", "estimator"),
    ("import tensorflow as tf\ntf.compat.v1.estimator.Estimator(f)\n", "estimator"),
    ("from tensorflow import estimator as est\nest.Estimator(f)\n", "estimator"),
    ("from tensorflow.compat.v1.estimator import Estimator\n", "estimator"),
    ("import tensorflow.estimator\n", "estimator"),
    ("import tensorflow_estimator as tfe\n", "estimator"),
    ("import tensorflow as tf\nh = tf.layers.dense(x, 2)\n", None),  # tf-keras installed: TF 2.21 runs it
    ("import tensorflow as tf\nx = tf.placeholder(tf.float32)\n", None),
    ("import numpy as np\nestimator = np.estimator\n", None),
    ("def f(:\n", None),
])
def test_which_originals_need_the_reference_runtime(source, reason):
    found = reference_reason(source, tf_keras=True)
    if reason is None:
        assert found is None
    else:
        assert found == "it uses tf.estimator, which TensorFlow 2.16 removed"


def test_model_to_estimator_needs_it():
    source = "import tensorflow as tf\nest = tf.keras.estimator.model_to_estimator(keras_model=model)\n"
    assert reference_reason(source) == "it uses tf.keras.estimator, whose Estimators TensorFlow 2.16 removed"
    assert telltale("NotImplementedError: tf.keras.estimator.model_to_estimator function not available in your "
                    "installation.")


def test_tf_layers_need_it_only_without_tf_keras():
    source = "import tensorflow.compat.v1 as tf\nh = tf.layers.dense(x, 2)\n"
    assert reference_reason(source, tf_keras=False) == (
        "it uses tf.layers, which needs Keras 2 (tf-keras is not installed here)")
    assert reference_reason(source, tf_keras=True) is None


def test_telltale_errors_of_an_original_on_tensorflow_2_16_and_later():
    assert telltale("AttributeError: module 'tensorflow.compat.v1' has no attribute 'estimator'")
    assert telltale("AttributeError: `dense` is not available with Keras 3.")
    assert not telltale("ValueError: shapes (3,) and (4,) are incompatible")
    assert not telltale(None)


def test_the_venv_is_made_with_a_python_tensorflow_2_15_installs_on():
    if sys.version_info[:2] in runtimes.PYTHONS:
        assert base_python([sys.executable]) == sys.executable
    with pytest.raises(RuntimeUnavailable) as caught:
        base_python(["/no/such/python3"])
    assert str(caught.value) == (
        "the TensorFlow 2.15.1 reference runtime needs Python 3.9-3.11, which TensorFlow 2.15.1 has wheels for "
        "(/no/such/python3 is not runnable): install python3.11 or name one in $TFMIGRATE_REFERENCE_PYTHON")


def test_a_python_too_new_gets_one_clear_line():
    newer = next((p for p in (Path.home() / ".pyenv" / "versions").glob("3.1[2-9]*/bin/python3")), None)
    if newer is None:
        pytest.skip("no Python 3.12 or later here")
    with pytest.raises(RuntimeUnavailable, match=rf"needs Python 3.9-3.11, .*\({newer} is 3\.1\d\)"):
        base_python([str(newer)])


def _ensure_in_child(location: Path, log: Path) -> subprocess.Popen:
    code = "import sys; from tfmigrate.runtimes import ensure_runtime; print(ensure_runtime(sys.argv[1], [], python=sys.executable))"
    return subprocess.Popen([sys.executable, "-c", code, str(location)], stdout=subprocess.PIPE, text=True,
                            stderr=log.open("w"), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _wait_for(path: Path, text: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while text not in path.read_text():
        assert time.monotonic() < deadline, f"{path} never said {text!r}: {path.read_text()!r}"
        time.sleep(0.1)


def test_two_runs_at_once_make_the_runtime_once_and_never_see_half_of_it(tmp_path):
    location = tmp_path / "runtimes" / "tf-2.15"
    location.parent.mkdir()
    stale = tmp_path / "runtimes" / "tf-2.15.tmp-99999"  # left by a run that was killed
    stale.mkdir()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with open(f"{location}.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # a third run is making it: both must wait
        children = [_ensure_in_child(location, log) for log in logs]
        for log in logs:
            _wait_for(log, "waiting for another tfmigrate")
        assert not location.exists()
    outputs = [child.communicate(timeout=300)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0]
    interpreter = runtimes.python_in(str(location))
    assert outputs == [interpreter + "\n"] * 2
    said = [log.read_text() for log in logs]
    assert sum("creating the reference runtime" in text for text in said) == 1
    assert sorted(p.name for p in location.parent.iterdir()) == ["tf-2.15", "tf-2.15.lock"]
    done = subprocess.run([interpreter, "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True)
    assert done.stdout.strip() == str(location)
    assert ensure_runtime(str(location), []) == interpreter  # made: nothing to do


def test_a_module_this_environment_does_not_have_is_not_installed_into_the_runtime(tmp_path):
    with pytest.raises(RuntimeUnavailable, match="^the module 'no_such_module_here' is not installed here either$"):
        runtimes.add_module(str(tmp_path), "no_such_module_here.sub")


def test_a_runtime_without_pip_gets_one_clear_line(tmp_path):
    location = tmp_path / "tf-2.15"
    ensure_runtime(str(location), [], python=sys.executable)  # a venv without pip
    with pytest.raises(RuntimeUnavailable, match=f"^cannot install iniconfig into the reference runtime in "
                                                 f"{location}: it has no pip"):
        runtimes.add_module(str(location), "iniconfig", log=lambda _: None)


def test_a_package_this_environment_has_is_installed_into_the_runtime_keeping_what_it_has(tmp_path):
    """pytest's iniconfig, into a venv (with pip) that does not have it; what the venv had stays as it was."""
    location = tmp_path / "tf-2.15"
    subprocess.run([sys.executable, "-m", "venv", str(location)], check=True)
    python = runtimes.python_in(str(location))
    freeze = [python, "-m", "pip", "freeze", "--all", "--disable-pip-version-check"]
    before = subprocess.run(freeze, capture_output=True, text=True, check=True).stdout.splitlines()
    said = []
    version = importlib.metadata.version("iniconfig")
    assert runtimes.add_module(str(location), "iniconfig", log=said.append) == f"iniconfig=={version}"
    assert said == [f"tfmigrate: installing iniconfig=={version} into the reference runtime in {location} (the "
                    "original imports iniconfig, which this environment has) ..."]
    after = subprocess.run(freeze, capture_output=True, text=True, check=True).stdout.splitlines()
    assert sorted(after) == sorted(before + [f"iniconfig=={version}"])


def test_a_location_that_is_not_a_venv_could_not_run(tmp_path):
    (tmp_path / "notes.txt").write_text("not a venv")
    with pytest.raises(RuntimeUnavailable, match=f"^{tmp_path} exists but is not a virtual environment"):
        ensure_runtime(str(tmp_path), [])
    if importlib.util.find_spec("tensorflow") is None:
        return
    done = run_cli("verify", ESTIMATOR / "original.py", ESTIMATOR / "rewrite.py", "--reference-runtime", tmp_path)
    assert done.returncode == 2
    assert done.stdout == (f"could not run: {tmp_path} exists but is not a virtual environment "
                           f"(no {runtimes.python_in(str(tmp_path))})\n")


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")
@pytest.mark.skipif(sys.version_info[:2] not in runtimes.PYTHONS and not os.environ.get(runtimes.PYTHON_VARIABLE),
                    reason="TensorFlow 2.15 needs Python 3.9-3.11")
def test_an_estimator_original_runs_on_tensorflow_2_15_against_its_keras_3_rewrite():
    done = run_cli("verify", ESTIMATOR / "original.py", ESTIMATOR / "rewrite.py")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"original {ESTIMATOR / 'original.py'}  (tf1 on TF 2.15.1, ok, 2 numbers, ")
    assert lines[1].startswith(f"rewrite  {ESTIMATOR / 'rewrite.py'}  (tf2, ok, 2 numbers, ")
    assert lines[2] == (f"note: the original runs on TensorFlow 2.15.1 ({runtimes.default_location()}): "
                        "it uses tf.estimator, which TensorFlow 2.16 removed")
    rows = [line.split() for line in lines[5:7]]
    assert [row[0] for row in rows] == ["1", "2"]
    for row, optimum in zip(rows, (2.0, -1.0)):
        assert abs(float(row[1]) - optimum) <= 1e-3 and abs(float(row[2]) - optimum) <= 1e-3
    assert lines[-1].split(":")[0] in ("exact", "within tolerance")


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")
@pytest.mark.skipif(sys.version_info[:2] not in runtimes.PYTHONS and not os.environ.get(runtimes.PYTHON_VARIABLE),
                    reason="TensorFlow 2.15 needs Python 3.9-3.11")
def test_a_module_the_original_imports_and_the_runtime_lacks_is_installed_into_it(tmp_path):
    """iniconfig (pytest's, so this environment has it) stands for pandas: taken out of the runtime, the
    original's run there fails for want of it; verify installs it there and runs the original again."""
    python = ensure_runtime(runtimes.default_location())
    subprocess.run([python, "-m", "pip", "uninstall", "--yes", "--quiet", "iniconfig"], capture_output=True)
    for name in ("original.py", "rewrite.py"):
        (tmp_path / name).write_text("import iniconfig\n" + (ESTIMATOR / name).read_text())
    done = run_cli("verify", tmp_path / "original.py", tmp_path / "rewrite.py")
    assert done.returncode == 0, done.stdout + done.stderr
    version = importlib.metadata.version("iniconfig")
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"original {tmp_path / 'original.py'}  (tf1 on TF 2.15.1, ok, 2 numbers, ")
    assert lines[3] == (f"note: the reference runtime lacked 'iniconfig', which this environment has: installed "
                        f"iniconfig=={version} into it")
    assert f"installing iniconfig=={version} into the reference runtime" in done.stderr
    assert lines[-1].split(":")[0] in ("exact", "within tolerance")
