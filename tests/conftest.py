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
