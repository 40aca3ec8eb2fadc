import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def run_cli(*args, cwd=None, input=None, env=None):
    """Run `python -m tfmigrate ARGS` as a user would; returns the CompletedProcess."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("CI", None)
    return subprocess.run(
        [sys.executable, "-m", "tfmigrate", *map(str, args)],
        cwd=cwd, input=input, capture_output=True, text=True, env=full_env, timeout=600,
    )


@pytest.fixture
def cli():
    return run_cli


def run_in_tensorflow(mode: str, source: str, name: str = "program.py") -> str:
    """What ``source`` prints, run by tests/tf_batch.py in MODE (tf1, tf2, tf2-compat, ...) in a
    folder of its own; a failing run fails the test with its error."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        done = subprocess.run([sys.executable, str(ROOT / "tests" / "tf_batch.py"), mode, path],
                              capture_output=True, text=True, timeout=600,
                              env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])[path]
        assert not result.get("error"), result
        return result["stdout"]
