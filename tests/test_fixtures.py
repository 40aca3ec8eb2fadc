"""Every fixture: its exact expected rewrite, and (with TensorFlow) the numbers both versions print.

A fixture is a folder under fixtures/ with original.py (TF1, or Keras 2 code),
expected.py (what `fix --unsafe-fixes` writes, compared exactly) and
fixture.toml (how the original runs and the numbers it prints).
"""
from __future__ import annotations

import ast
import concurrent.futures
import importlib.util
import io
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import tokenize

import pytest

from conftest import ROOT
from tfmigrate.comparison import extract_numbers
from tfmigrate.engine import Options, process_text

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

FIXTURES = sorted(p.parent for p in (ROOT / "fixtures").glob("*/original.py"))
NAMES = [p.name for p in FIXTURES]
TF1_LEFTOVERS = ("placeholder", "Session", "feed_dict", "compat.v1", "_initializer()", ".minimize(", "tf.estimator",
                 "feature_column", "numpy_input_fn", "pandas_input_fn")
# feature_column as a name of its own (tf.feature_column, `import feature_column`): a program's list
# `my_feature_columns` may keep its name after the rewrite, holding the feature keys
WHOLE_WORD = {"feature_column"}
REFERENCE = "tf2.15"  # fixture mode: the original needs tf.estimator, which only TensorFlow <= 2.15 has


def code_only(text: str) -> str:
    """The source without its comments: a comment may still say `placeholder`."""
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return tokenize.untokenize((t.type, t.string) for t in tokens if t.type != tokenize.COMMENT)


def meta(folder: pathlib.Path) -> dict:
    return tomllib.loads((folder / "fixture.toml").read_text(encoding="utf-8"))


def rewrite(folder: pathlib.Path):
    text = (folder / "original.py").read_text(encoding="utf-8")
    return process_text(text, str(folder / "original.py"), Options(fix=True, unsafe_fixes=True))


@pytest.mark.parametrize("folder", FIXTURES, ids=NAMES)
def test_rewrite_is_the_expected_one(folder):
    outcome = rewrite(folder)
    assert outcome.error is None
    assert outcome.new_text == (folder / "expected.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", FIXTURES, ids=NAMES)
def test_status_and_leftovers(folder):
    outcome = rewrite(folder)
    expect = meta(folder).get("expect", "idiomatic")
    status = {"idiomatic": "idiomatic", "compat": "compat-only", "manual": "manual"}[expect]
    assert outcome.status.value == status
    if expect == "idiomatic":
        code = code_only(outcome.new_text)
        for leftover in TF1_LEFTOVERS:
            if leftover in WHOLE_WORD:
                assert not re.search(rf"\b{leftover}\b", code), leftover
            else:
                assert leftover not in code, leftover
    else:
        assert "tf.disable_v2_behavior()" in outcome.new_text or "disable_v2_behavior" in outcome.new_text


@pytest.mark.parametrize("folder", FIXTURES, ids=NAMES)
def test_fix_is_idempotent(folder):
    expected = (folder / "expected.py").read_text(encoding="utf-8")
    again = process_text(expected, "expected.py", Options(fix=True, unsafe_fixes=True))
    assert again.new_text == expected


# --- running them -------------------------------------------------------------

needs_tf = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")


def _batch(mode: str, programs) -> dict:
    if not programs:
        return {}
    command = [sys.executable, str(ROOT / "tests" / "tf_batch.py"), mode]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command + [str(p) for p in programs], capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0 or not done.stdout.strip():
        lines = done.stderr.strip().splitlines() or ["no output"]
        return {str(p): {"stdout": "", "error": f"the batch failed: {lines[-1]}"} for p in programs}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _alone(program: pathlib.Path, mode: str) -> dict:
    """A deterministic run goes through verify's own runner, one program per process."""
    from tfmigrate.verify import run_program

    run = run_program(program.read_text(encoding="utf-8"), str(program), mode, deterministic=True, timeout=600)
    return {str(program): {"stdout": run.stdout, "error": run.error}}


@pytest.fixture(scope="module")
def runs():
    """Every original and every rewrite run once, two TensorFlow processes at a time."""
    batches, alone = {}, []
    for folder in FIXTURES:
        info = meta(folder)
        keras2 = info.get("mode") == "keras2"
        # A compat rewrite switches eager execution off for the whole process: it runs apart.
        rewrite_mode = "tf2" if info.get("expect", "idiomatic") == "idiomatic" else "tf2-compat"
        if info.get("mode") == REFERENCE:  # the original runs on TensorFlow 2.15 (a slow test below)
            if info.get("deterministic", False):
                alone.append((folder / "expected.py", "tf2"))
            else:
                batches.setdefault(rewrite_mode, []).append(folder / "expected.py")
            continue
        if info.get("deterministic", False):
            alone.append((folder / "original.py", "keras2" if keras2 else "tf1"))
            alone.append((folder / "expected.py", "tf2"))
            continue
        batches.setdefault("tf2-keras2" if keras2 else "tf1", []).append(folder / "original.py")
        batches.setdefault(rewrite_mode, []).append(folder / "expected.py")
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_batch, mode, programs) for mode, programs in batches.items()]
        futures += [pool.submit(_alone, program, mode) for program, mode in alone]
        for future in futures:
            results.update(future.result())
    return results


def _numbers(text: str):
    """The numbers as verify reads them (numpy 2's ``np.float32(0.25)`` is 0.25, ``float32`` no number)."""
    return extract_numbers(text)


@needs_tf
@pytest.mark.parametrize("folder", FIXTURES, ids=NAMES)
def test_original_prints_the_recorded_numbers(runs, folder):
    info = meta(folder)
    if info.get("mode") == REFERENCE:
        pytest.skip("runs on TensorFlow 2.15: test_estimator_originals_print_the_recorded_numbers_on_tf_2_15")
    result = runs[str(folder / "original.py")]
    assert result["error"] is None, result["error"]
    if "prints" in info:
        _recorded(result["stdout"], info["prints"], folder.name)


def _recorded(stdout: str, prints, name: str = "") -> None:
    printed = _numbers(stdout)
    assert len(printed) == len(prints), (name, stdout)
    # Recorded on one CPU: another CPU's kernels (AMD vs Intel vector paths) round
    # differently, a few parts in a million after a thousand steps (as do the estimators
    # that shuffle their input with numpy_input_fn: the order changes from run to run).
    for got, want in zip(printed, prints):
        assert math.isclose(got, want, rel_tol=2e-5, abs_tol=1e-12), (name, got, want, stdout)


ON_REFERENCE = [f for f in FIXTURES if meta(f).get("mode") == REFERENCE]


@pytest.mark.slow
@needs_tf
@pytest.mark.skipif(sys.version_info[:2] not in ((3, 9), (3, 10), (3, 11)) and not os.environ.get(
    "TFMIGRATE_REFERENCE_PYTHON"), reason="TensorFlow 2.15 needs Python 3.9-3.11")
def test_estimator_originals_print_the_recorded_numbers_on_tf_2_15():
    """The tf.estimator originals, in one process of verify's TensorFlow 2.15.1 runtime (made here if missing)."""
    from tfmigrate.runtimes import add_module, default_location, ensure_runtime

    from tfmigrate.verify import run_program

    python = ensure_runtime(default_location())
    for module in _lacking(python, set().union(*(_imports(folder / "original.py") for folder in ON_REFERENCE))):
        add_module(default_location(), module)  # pandas: as verify installs it there
    seeded = [folder for folder in ON_REFERENCE if meta(folder).get("deterministic", False)]
    programs = [str(folder / "original.py") for folder in ON_REFERENCE if folder not in seeded]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([python, str(ROOT / "tests" / "tf_batch.py"), REFERENCE, *programs],
                          capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for folder in seeded:  # as verify --deterministic runs the original: its prints are those of seed 0
        original = folder / "original.py"
        run = run_program(original.read_text(encoding="utf-8"), str(original), "tf1", deterministic=True,
                          python=python, timeout=600, runtime=REFERENCE)
        results[str(original)] = {"stdout": run.stdout, "error": run.error}
    for folder in ON_REFERENCE:
        result = results[str(folder / "original.py")]
        assert result["error"] is None, (folder.name, result["error"])
        _recorded(result["stdout"], meta(folder)["prints"], folder.name)


def _imports(path: pathlib.Path) -> set:
    """The top-level modules a program imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def _lacking(python: str, modules: set) -> list:
    """Those of `modules` this environment has and the interpreter `python` does not."""
    here = sorted(m for m in modules if importlib.util.find_spec(m) is not None)
    code = "import importlib.util, sys; print(*[m for m in sys.argv[1:] if importlib.util.find_spec(m) is None])"
    return subprocess.run([python, "-c", code, *here], capture_output=True, text=True, check=True).stdout.split()


@needs_tf
@pytest.mark.parametrize("folder", FIXTURES, ids=NAMES)
def test_rewrite_prints_the_same_numbers_on_tf2(runs, folder):
    info = meta(folder)
    rewritten = runs[str(folder / "expected.py")]
    assert rewritten["error"] is None, rewritten["error"]
    if info.get("mode") == REFERENCE:
        want = info["prints"]  # what the original prints on TensorFlow 2.15 (checked by the slow test)
    else:
        want = _numbers(runs[str(folder / "original.py")]["stdout"])
    got = _numbers(rewritten["stdout"])
    if info.get("compare", True) is False:
        assert len(got) == len(want) > 0  # random draws no mode pins: both run, print alike
        return
    assert len(got) == len(want), (want, rewritten["stdout"])
    rtol = info.get("rtol", 1e-3)
    for a, b in zip(want, got):
        assert math.isclose(a, b, rel_tol=rtol, abs_tol=info.get("atol", 1e-6)), (a, b)
