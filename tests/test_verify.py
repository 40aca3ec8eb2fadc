"""The verify harness: reading numbers, comparing them, the report, and real runs.

Runs of plain Python programs need no TensorFlow. The TensorFlow runs are
started together, once per module, and skipped when TensorFlow is missing.
"""
from __future__ import annotations

import importlib.util
import json
import math
import random
import re
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import run_cli
from tfmigrate import _draws, _runner
from tfmigrate.comparison import numbers_agree, printed_numbers, without_graph_values
from tfmigrate.verify import (
    INSTALL_HINT,
    NumberRow,
    RunResult,
    VerifyResult,
    compare,
    extract_numbers,
    format_report,
    judge,
    run_program,
    tensorflow_available,
    verify,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
QUIZ = FIXTURES / "seed_quiz" / "original.py"  # the seed's quiz_tf1.py
QUADRATIC_KERAS2 = FIXTURES / "seed_quadratic_keras2" / "original.py"  # the seed's quadratic_tf2_keras2.py
HAS_TF = importlib.util.find_spec("tensorflow") is not None
needs_tf = pytest.mark.skipif(not HAS_TF, reason="TensorFlow is not installed")


# ----------------------------------------------------------------------------
# extract_numbers

@pytest.mark.parametrize(
    "text, numbers",
    [
        ("9.999977\n", [9.999977]),
        ("42", [42.0]),
        ("-4.9999886", [-4.9999886]),
        ("+3 and .5 and 7.", [3.0, 0.5, 7.0]),
        ("1e-05 2.5E+3 -1.5e2", [1e-05, 2500.0, -150.0]),
        ("step 100 loss=0.25", [100.0, 0.25]),
        ("Epoch 1/10", [1.0, 10.0]),
        ("a,b = 3,4", [3.0, 4.0]),
        ("[[ 1.5 -2. ]\n [ 3.   4. ]]", [1.5, -2.0, 3.0, 4.0]),
        ("array([1., 2.], dtype=float32)", [1.0, 2.0]),
        ("tf.Tensor(1.0, shape=(), dtype=float32)", [1.0]),
        ("tf.Tensor(\n[[1.]\n [2.]\n [3.]], shape=(3, 1), dtype=float64)", [1.0, 2.0, 3.0]),
        ("<tf.Variable 'dense/kernel:0' shape=(2, 1) dtype=float32, numpy=\narray([[0.5],\n       [-1.5]], dtype=float32)>",
         [0.5, -1.5]),
        ('Tensor("add_1:0", shape=(3, 1), dtype=float32)', []),
        ("<KerasVariable shape=(3, 2), dtype=float32, path=dense_1/kernel>", []),
        ("float32 int64 conv2d x2 10ms 3rd", []),
        ("tensorflow 2.21.0 on 10.0.0.1", []),
        ("nan -inf inf NaN Infinity", [math.nan, -math.inf, math.inf, math.nan, math.inf]),
        ("information nanny", []),
        ("no numbers here", []),
    ],
)
def test_extract_numbers(text, numbers):
    found = extract_numbers(text)
    assert len(found) == len(numbers)
    for got, want in zip(found, numbers):
        assert (math.isnan(got) and math.isnan(want)) or got == want


def test_printed_numbers_know_their_output_line():
    text = ("step 0 loss 1.5\n"
            "tf.Tensor(\n[[1.]\n [2.]], shape=(2,\n 1), dtype=float32)\n"
            "done 7\n")
    assert printed_numbers(text) == ([0.0, 1.5, 1.0, 2.0, 7.0], [1, 1, 3, 4, 6])


# ----------------------------------------------------------------------------
# compare

def test_compare_equal_within_relative_tolerance():
    comparison = compare([100.0, -5.0], [100.0005, -5.0], rtol=1e-5)
    assert comparison.ok
    assert [row.ok for row in comparison.rows] == [True, True]
    assert comparison.rows[0].difference == pytest.approx(0.0005 / 100.0005)
    assert comparison.rows[1].difference == 0.0


def test_compare_reports_the_number_beyond_tolerance():
    comparison = compare([1.0, 2.0, 3.0], [1.0, 2.001, 3.0], rtol=1e-5)
    assert not comparison.ok
    assert [row.index for row in comparison.differing] == [2]
    assert comparison.differing[0].original == 2.0
    assert comparison.differing[0].rewrite == 2.001


def test_compare_atol_covers_numbers_near_zero():
    # A bias converged to zero in float32: 100% apart relatively, a few 1e-8 absolutely.
    assert compare([3.1e-08], [-2.4e-08]).ok
    assert not compare([3.1e-08], [-2.4e-08], atol=0).ok
    assert not compare([0.0], [2e-06]).ok


def test_tolerance_is_numpys_allclose_with_the_original_as_reference():
    # |rewrite - original| <= atol + rtol * |original|
    assert numbers_agree(100.0, 100.0009, rtol=1e-5, atol=0)
    assert not numbers_agree(100.0, 100.0011, rtol=1e-5, atol=0)
    assert numbers_agree(0.5, 0.5000049, rtol=0, atol=5e-6)
    assert numbers_agree(1.0, 1.0 + 2e-6 + 1e-5, rtol=1e-5, atol=2.5e-6)
    assert not numbers_agree(1.0, math.inf, rtol=1, atol=1)


def test_verdicts_exact_within_tolerance_differs():
    assert compare([1.0, 2.5], [1.0, 2.5]).verdict == "exact"
    within = compare([1.0, 2.5], [1.0, 2.500001])
    assert within.verdict == "within tolerance" and within.largest.index == 2
    assert compare([1.0, 2.5], [1.0, 2.6]).verdict == "differs"
    assert compare([1.0], [1.0, 2.0]).verdict == "differs"
    assert compare([math.nan], [math.nan]).verdict == "exact"


def test_compare_nan_equals_nan_and_inf_equals_inf():
    assert compare([math.nan, math.inf, -math.inf], [math.nan, math.inf, -math.inf]).ok
    comparison = compare([math.nan, math.inf], [1.0, -math.inf])
    assert [row.ok for row in comparison.rows] == [False, False]
    assert [row.difference for row in comparison.rows] == [math.inf, math.inf]


def test_compare_lengths_must_match():
    comparison = compare([1.0, 2.0], [1.0])
    assert not comparison.ok
    assert not comparison.lengths_match
    assert (comparison.original_count, comparison.rewrite_count) == (2, 1)
    assert comparison.rows[1] == NumberRow(2, 2.0, None, math.inf, False)


def test_compare_tolerance_text():
    assert compare([], []).tolerance == "rtol=1e-05, atol=1e-06"
    assert compare([], [], rtol=0.001, atol=0).tolerance == "rtol=0.001"


# ----------------------------------------------------------------------------
# format_report and exit codes

def _run(mode, numbers, error=None, seconds=4.0, stderr="", stdout=None):
    if stdout is None:
        stdout = "".join(f"{n!r}\n" for n in numbers)
    found, lines = printed_numbers(stdout)
    return RunResult(mode, 1 if error else 0, stdout, stderr, found, error, seconds, lines)


def _result(a, b, verdict=None, reason="", rtol=1e-5, atol=1e-6, **extra):
    if verdict is None:
        verdict, reason, comparison = judge(a, b, rtol, atol)
    else:
        comparison = compare(a.numbers, b.numbers, rtol, atol, a.lines, b.lines) if a.ok and b.ok else None
    return VerifyResult("quiz.py", "quiz.py", a, b, comparison, verdict, reason, **extra)


def test_deterministic_runs_use_tensorflows_own_cpu_kernels(monkeypatch):
    # oneDNN's convolutions sum in an order that differs between TensorFlow 2.15 and the installed release
    from tfmigrate import verify as verify_module

    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    assert verify_module._child_environment(True, 0, sys.executable)["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert "TF_ENABLE_ONEDNN_OPTS" not in verify_module._child_environment(False, 0, sys.executable)
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")  # the user's choice stands
    assert verify_module._child_environment(True, 0, sys.executable)["TF_ENABLE_ONEDNN_OPTS"] == "1"


def test_an_original_that_needs_tf_contrib_could_not_run_and_says_why():
    for error in ("ModuleNotFoundError: No module named 'tensorflow.contrib'",
                  "AttributeError: module 'tensorflow.compat.v1' has no attribute 'contrib'"):
        result = _result(_run("tf1", [], error=error), _run("tf2", [1.0]))
        assert (result.verdict, result.exit_code) == ("could not run", 2)
        assert result.reason.startswith("the original uses tf.contrib, which no TensorFlow 2 release has")


def test_report_of_an_exact_match():
    result = _result(_run("tf1", [9.999977]), _run("tf2", [9.999977], seconds=3.5))
    assert format_report(result) == "\n".join([
        "original quiz.py  (tf1, ok, 1 number, 4.0 s)",
        "rewrite  quiz.py  (tf2, ok, 1 number, 3.5 s)",
        "",
        "#  original  rewrite   rel. diff",
        "1  9.999977  9.999977  0          ok",
        "exact: 1 number, printed identically",
    ])
    assert (result.verdict, result.exit_code) == ("exact", 0)


def test_report_within_tolerance_names_the_largest_difference():
    result = _result(_run("tf1", [1.0, -4.9999886, 0.0]), _run("tf2", [1.0, -4.9999890, 3e-8]))
    assert (result.verdict, result.exit_code) == ("within tolerance", 0)
    assert format_report(result).splitlines()[-1] == (
        "within tolerance: 3 numbers agree within rtol=1e-05, atol=1e-06; 2 not identically "
        "(largest relative difference 1.00e+00, at #3)")


def test_report_of_a_difference_names_the_largest_and_the_first_divergence():
    a = _run("tf1", [1.0, 2.0, 3.0, 4.0, 5.0], stdout="start\n1.0 2.0\n3.0\n4.0 5.0\n")
    b = _run("tf2", [1.0, 2.5, 3.0, 4.0, 4.0], stdout="1.0\nnext\n2.5\n3.0\n4.0\n4.0\n")
    result = _result(a, b)
    lines = format_report(result).splitlines()
    assert lines[5] == "2  2.0       2.5       2.00e-01   differs"
    assert lines[-4:] == [
        "first divergence: number 2, on output line 2 of the original and line 3 of the rewrite:",
        "  original | 1.0 2.0",
        "  rewrite  | 2.5",
        "differs: 2 of 5 numbers differ by more than rtol=1e-05, atol=1e-06 "
        "(largest relative difference 2.00e-01, at #2)",
    ]
    assert (result.verdict, result.exit_code) == ("differs", 1)


def test_report_of_different_counts():
    result = _result(_run("tf1", [1.0, 2.0, 3.0]), _run("tf2", [1.0, 2.0]))
    assert format_report(result).splitlines()[-4:] == [
        "3  3.0       -         missing    differs",
        "first divergence: number 3: the rewrite printed only 2 numbers:",
        "  original | 3.0",
        "differs: the original printed 3 numbers, the rewrite 2",
    ]


ADAM_NOTE = "line 17: Keras Adam computes 1 - beta_2 in double precision"


def test_a_small_difference_the_rewrite_is_known_for_reads_as_explained():
    # The Adam fixture's numbers (TF 2.21): TF1's Adam kernel and Keras Adam, 200 steps.
    a = _run("tf1", [0.0, 0.0060937265, 1.9490104])
    b = _run("tf2", [0.0, 0.0060940245, 1.949009])
    result = _result(a, b, atol=0, known=[ADAM_NOTE])
    assert format_report(result).splitlines()[-6:] == [
        "first divergence: number 2, on output line 2 of each program:",
        "  original | 0.0060937265",
        "  rewrite  | 0.0060940245",
        "known numerical differences of this rewrite:",
        "  - " + ADAM_NOTE,
        "differs: 1 of 3 numbers differ by more than rtol=1e-05 (largest relative difference 4.89e-05, at #2); "
        "a small difference, of the size the known differences above explain (--rtol 1e-3 accepts it)",
    ]
    assert result.exit_code == 1
    large = _result(_run("tf1", [1.0]), _run("tf2", [1.5]), known=[ADAM_NOTE])
    assert format_report(large).splitlines()[-1].endswith("; larger than the known differences above explain")
    assert "known numerical" not in format_report(_result(_run("tf1", [1.0]), _run("tf2", [1.5])))


def test_a_seeded_program_that_differs_is_pointed_to_deterministic():
    hint = "line 3: tf.set_random_seed(777)"
    result = _result(_run("tf1", [0.25]), _run("tf2", [0.75]), random_hint=hint)
    assert format_report(result).splitlines()[-2] == (
        "the programs draw random values (line 3: tf.set_random_seed(777)): graph and eager TensorFlow draw "
        "different values even for the same seed; --deterministic gives both runs the same ones")
    agreeing = _result(_run("tf1", [0.25]), _run("tf2", [0.25]), random_hint=hint)
    assert "--deterministic" not in format_report(agreeing)


def test_report_of_an_error_shows_the_traceback():
    stderr = ("I0000 port.cc:153] oneDNN custom operations are on.\n"
              "Traceback (most recent call last):\n"
              '  File "q.py", line 17, in <module>\n'
              "AttributeError: 'SGD' object has no attribute 'minimize'\n")
    error = "AttributeError: 'SGD' object has no attribute 'minimize'"
    result = _result(_run("tf1", [1.0]), _run("tf2", [], error=error, stderr=stderr))
    assert format_report(result).splitlines()[2:] == [
        "",
        "the rewrite's stderr ends with:",
        "  | Traceback (most recent call last):",
        '  |   File "q.py", line 17, in <module>',
        f"  | {error}",
        "",
        f"error: the rewrite did not run: {error}",
    ]
    assert result.exit_code == 2


def test_a_missing_tensorboard_is_a_run_that_could_not_happen_not_a_broken_rewrite():
    stderr = ("Traceback (most recent call last):\n"
              "tensorflow.python.summary.tb_summary.TBNotInstalledError: TensorBoard is not installed, "
              "missing implementation for tf.summary.scalar\n")
    rewrite = _run("tf2", [], error=stderr.splitlines()[-1], stderr=stderr)
    result = _result(_run("tf1", [0.5]), rewrite)
    assert (result.verdict, result.exit_code) == ("could not run", 2)
    assert format_report(result).splitlines()[-1] == (
        "could not run: the rewrite needs the tensorboard package, which is not installed here: tf.summary in "
        "TensorFlow 2 writes through it, and tensorflow-cpu does not install it (pip install tensorboard)")
    missing = _run("tf1", [], error="ModuleNotFoundError: No module named 'sklearn.datasets'")
    assert judge(missing, _run("tf2", [1.0]), 1e-5, 0)[:2] == (
        "could not run", "the original needs the module 'sklearn.datasets', which is not installed here "
                         "(pip install scikit-learn)")


def test_report_shortens_long_outputs_keeping_the_differing_rows():
    a = _run("tf1", [float(i) for i in range(1, 31)])
    b = _run("tf2", [float(i) for i in range(1, 20)] + [99.0] + [float(i) for i in range(21, 25)] + [99.0]
             + [float(i) for i in range(26, 31)])
    lines = format_report(_result(a, b), max_rows=5).splitlines()
    table = lines[3:lines.index("(25 rows left out: 25 agree, 0 differ)") + 1]
    assert [line.split()[0] for line in table[1:-1]] == ["1", "2", "3", "...", "20", "...", "25"]


def test_report_counts_differing_rows_left_out():
    lines = format_report(_result(_run("tf1", [1.0] * 10), _run("tf2", [2.0] * 10)), max_rows=4).splitlines()
    assert "(6 rows left out: 0 agree, 6 differ)" in lines
    assert lines[-1].startswith("differs: 10 of 10 numbers differ")


def test_tensorflow_available_does_not_import_it(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert tensorflow_available() is False
    assert INSTALL_HINT == "pip install 'tfmigrate[verify]'"


def test_keras2_mode_says_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "tf_keras" else real(name))
    if not HAS_TF:
        with pytest.raises(_runner.SetupError, match="needs TensorFlow"):
            _runner.prepare_tensorflow("keras2", False, 0)
        return
    with pytest.raises(_runner.SetupError, match=r"keras2 mode needs the tf-keras package: pip install tf-keras"):
        _runner.prepare_tensorflow("keras2", False, 0)


# ----------------------------------------------------------------------------
# Runs of plain Python programs (the runner in tf2 mode imports nothing itself)

def _write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_program_runs_as_main_in_its_folder(tmp_path):
    (tmp_path / "data.txt").write_text("2.5\n")
    (tmp_path / "helper.py").write_text("FACTOR = 4\n")
    source = textwrap.dedent("""\
        import os, sys
        from helper import FACTOR
        print(__name__, os.path.basename(__file__), sys.argv == [__file__])
        print(os.getcwd() == os.path.dirname(__file__), sys.path[0] == os.path.dirname(__file__))
        print(float(open("data.txt").read()) * FACTOR, "caf\\u00e9")
    """)
    run = run_program(source, str(tmp_path / "prog.py"), "tf2")
    assert run.error is None, run.stderr
    assert run.stdout == "__main__ prog.py True\nTrue True\n10.0 caf\u00e9\n"
    assert run.numbers == [10.0]


def test_a_program_run_under_another_files_name_reads_its_own_source(tmp_path):
    # The rewrite runs under the original's name; AutoGraph re-reads a function's
    # file through linecache.updatecache before converting it, as this program does.
    (tmp_path / "prog.py").write_text("def original():\n    return 1\n")
    source = textwrap.dedent("""\
        import inspect, linecache, sys

        def rewrite():
            return 2

        linecache.updatecache(__file__, sys.modules["__main__"].__dict__)
        print(len(inspect.getsource(rewrite).splitlines()), inspect.getsource(rewrite).split()[1])
    """)
    run = run_program(source, str(tmp_path / "prog.py"), "tf2")
    assert run.error is None, run.stderr
    assert run.stdout == "2 rewrite():\n"


def test_a_program_that_raises_fails_with_its_own_traceback(tmp_path):
    run = run_program("x = 1\nraise ValueError('boom 7')\n", str(tmp_path / "bad.py"), "tf2")
    assert run.returncode == 1
    assert run.error == "ValueError: boom 7"
    assert f'File "{tmp_path / "bad.py"}", line 2, in <module>' in run.stderr
    assert "raise ValueError('boom 7')" in run.stderr
    assert "_runner" not in run.stderr


def test_sys_exit_code_is_kept(tmp_path):
    run = run_program("import sys\nprint(1)\nsys.exit(3)\n", str(tmp_path / "exit.py"), "tf2")
    assert (run.returncode, run.error, run.numbers) == (3, "exited with code 3", [1.0])


def test_a_program_that_runs_too_long_is_killed(tmp_path):
    start = time.monotonic()
    run = run_program("import time\nprint(5, flush=True)\ntime.sleep(60)\n", str(tmp_path / "slow.py"), "tf2",
                      timeout=1.5)
    assert time.monotonic() - start < 10
    assert run.error == "timed out after 1.5 s"
    assert run.numbers == [5.0]


def test_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown mode 'tf3'"):
        run_program("print(1)", str(tmp_path / "p.py"), "tf3")


def _verify_plain(tmp_path, original, rewrite, **options):
    path = _write(tmp_path, "original.py", original)
    return verify(str(path), textwrap.dedent(rewrite), original_mode="tf2", **options)


def test_verify_match_and_mismatch_of_plain_programs(tmp_path):
    exact = _verify_plain(tmp_path, "print(sum(range(10)), 1/3)\n", "print(45, 1/3)\n")
    assert (exact.verdict, exact.exit_code) == ("exact", 0)
    assert format_report(exact).splitlines()[-1] == "exact: 2 numbers, each printed identically"
    match = _verify_plain(tmp_path, "print(sum(range(10)), 1/3)\n", "print(45, 0.3333333)\n")
    assert (match.verdict, match.exit_code) == ("within tolerance", 0)
    mismatch = _verify_plain(tmp_path, "print(1/3)\n", "print(0.333)\n", rtol=1e-6)
    assert (mismatch.verdict, mismatch.exit_code) == ("differs", 1)
    loose = _verify_plain(tmp_path, "print(1/3)\n", "print(0.333)\n", rtol=1e-2)
    assert loose.verdict == "within tolerance"


def test_verify_error_names_the_side_that_failed(tmp_path):
    result = _verify_plain(tmp_path, "print(1)\n", "print(1)\nraise KeyError('w')\n")
    assert (result.verdict, result.exit_code) == ("error", 2)
    assert result.reason == "the rewrite did not run: KeyError: 'w'"
    both = _verify_plain(tmp_path, "1/0\n", "raise OSError('disk full')\n")
    assert both.reason == ("neither program ran: the original: ZeroDivisionError: division by zero; "
                           "the rewrite: OSError: disk full")
    missing = _verify_plain(tmp_path, "print(1)\n", "import no_such_module_here\n")
    assert (missing.verdict, missing.exit_code) == ("could not run", 2)
    assert missing.reason == ("the rewrite needs the module 'no_such_module_here', which is not installed here "
                              "(pip install no_such_module_here)")


def test_each_run_has_its_own_copy_of_the_folder(tmp_path):
    # Both runs restore a checkpoint-like file if there is one and save it again: run in one folder,
    # the second would read what the first wrote.
    program = """\
        import os
        step = int(open("state.txt").read()) if os.path.exists("state.txt") else 0
        step += 1
        open("state.txt", "w").write(str(step))
        print(step, os.getcwd() == os.path.dirname(os.path.abspath(__file__)))
        print(os.getcwd())
    """
    (tmp_path / "state.txt").write_text("41")
    folder = tmp_path / "run 7"
    folder.mkdir()
    (folder / "state.txt").write_text("41")
    result = _verify_plain(folder, program, program)
    assert result.verdict == "exact"
    assert result.original.stdout == result.rewrite.stdout == f"42 True\n{folder}\n"
    assert (folder / "state.txt").read_text() == "41"
    assert sorted(p.name for p in folder.iterdir()) == ["original.py", "state.txt"]


def test_a_program_reading_beside_its_folder_runs_in_place(tmp_path):
    (tmp_path / "data.txt").write_text("2.5\n")
    folder = tmp_path / "scripts"
    folder.mkdir()
    program = "print(float(open('../data.txt').read()) * 2)\n"
    result = _verify_plain(folder, program, program)
    assert result.verdict == "exact" and result.original.numbers == [5.0]


def test_verify_without_numbers_is_an_error(tmp_path):
    result = _verify_plain(tmp_path, "print('done')\n", "print('done')\n")
    assert result.verdict == "error"
    assert format_report(result).splitlines()[-1] == "error: neither program printed a number: nothing to compare"


# ----------------------------------------------------------------------------
# Notebooks (plain Python cells: no TensorFlow needed)

def _notebook(path: Path, cells) -> Path:
    """A notebook of code cells (a str) and markdown cells (a ("md", str) pair)."""
    def cell(item):
        if isinstance(item, tuple):
            return {"cell_type": "markdown", "metadata": {}, "source": item[1].splitlines(True)}
        return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                "source": item.splitlines(True)}

    notebook = {"cells": [cell(item) for item in cells], "nbformat": 4, "nbformat_minor": 5,
                "metadata": {"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}}}
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def test_notebooks_run_their_cells_in_order_showing_each_cells_last_expression(tmp_path):
    original = _notebook(tmp_path / "a.ipynb", [
        ("md", "# Steps"),
        "%matplotlib inline\n!pip install numpy\nx = 3",
        "%%time\ny = x * 2\ny",
        "%%bash\necho 12345",
        "print('x', x)\nx + 0.5;",
        "def f():\n    return 1 / 0",
    ])
    rewrite = _notebook(tmp_path / "b.ipynb", ["x = 3\n", "y = x * 2\ny + 1\n", "print('x', x)", "pass"])
    done = run_cli("verify", original, rewrite, "--original-mode", "tf2")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[2:6] == [
        "note: original cell 2: `%matplotlib inline` skipped (IPython magic)",
        "note: original cell 2: `!pip install numpy` skipped (shell command)",
        "note: original cell 3: `%%time` skipped (IPython magic)",
        "note: original cell 4: `%%bash` cell skipped (not Python)",
    ]
    assert done.stdout.splitlines()[-4:] == [
        "first divergence: number 1, on output line 1 of each program:",
        "  original | 6",
        "  rewrite  | 7",
        "differs: 1 of 2 numbers differ by more than rtol=1e-05, atol=1e-06 "
        "(largest relative difference 1.43e-01, at #1)",
    ]


def test_a_failing_notebook_cell_is_reported_by_cell_and_line(tmp_path):
    original = _notebook(tmp_path / "a.ipynb", ["x = 3", "print(x)\ny = 1\nz = y / 0"])
    rewrite = _notebook(tmp_path / "b.ipynb", ["x = 3", "print(x)"])
    done = run_cli("verify", original, rewrite, "--original-mode", "tf2")
    assert done.returncode == 2
    assert f'  |   File "{original}", cell 2, line 3, in <module>' in done.stdout.splitlines()
    assert done.stdout.splitlines()[-1] == "error: the original did not run: ZeroDivisionError: division by zero"


def test_a_notebook_that_is_not_json_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    done = run_cli("verify", bad, "--original-mode", "tf2")
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"{bad}: error: invalid notebook JSON:")
    assert "\n" not in done.stderr.strip()


# ----------------------------------------------------------------------------
# Deterministic values (NumPy only)

def test_random_source_depends_on_seed_and_call_number():
    np = pytest.importorskip("numpy")
    first, second = _draws.RandomSource(3), _draws.RandomSource(3)
    a, b = first.generator().standard_normal(4), first.generator().standard_normal(4)
    assert np.array_equal(a, second.generator().standard_normal(4))
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, _draws.RandomSource(4).generator().standard_normal(4))


def test_a_random_call_traced_again_takes_the_draws_of_its_first_trace():
    # tf.function traces a train step twice when its first call makes a Keras optimizer's variables:
    # TF1 drew the op's constant once, when it built the graph
    np = pytest.importorskip("numpy")
    source, plain = _draws.RandomSource(3), _draws.RandomSource(3)
    first = source.generator(("train", 0)).standard_normal(2)
    other = source.generator(("train", 1)).standard_normal(2)
    assert np.array_equal(source.generator(("train", 0)).standard_normal(2), first)  # the second trace
    assert np.array_equal(source.generator(("train", 1)).standard_normal(2), other)
    assert np.array_equal(first, plain.generator().standard_normal(2))
    assert np.array_equal(other, plain.generator().standard_normal(2))
    assert np.array_equal(source.generator().standard_normal(2), plain.generator().standard_normal(2))


def test_a_value_drawn_again_gets_the_same_draws_and_later_calls_count_on():
    np = pytest.importorskip("numpy")
    source, plain = _draws.RandomSource(3), _draws.RandomSource(3)
    with source.drawn_again(None) as first:  # a Keras placeholder's initial value, drawn while tracing
        placeholder = source.generator().standard_normal(2)
    assert first == 0
    other = source.generator().standard_normal(2)  # another variable's placeholder
    with source.drawn_again(first):  # the variable created: the same values
        assert np.array_equal(source.generator().standard_normal(2), placeholder)
    assert np.array_equal(placeholder, plain.generator().standard_normal(2))
    assert np.array_equal(other, plain.generator().standard_normal(2))
    assert np.array_equal(source.generator().standard_normal(2), plain.generator().standard_normal(2))


def test_draws_follow_their_distributions():
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(0)
    truncated = _draws.draw_truncated_normal(rng, (2000,), mean=1.0, stddev=0.5)
    assert truncated.min() >= 0.0 and truncated.max() <= 2.0
    glorot = _draws.draw_variance_scaling(rng, (30, 20), scale=1.0, mode="fan_avg", distribution="uniform")
    assert abs(glorot).max() <= math.sqrt(6.0 / 50)
    assert abs(glorot).max() > 0.9 * math.sqrt(6.0 / 50)
    orthogonal = _draws.draw_orthogonal(rng, (3, 5), gain=2.0)
    assert np.allclose(orthogonal @ orthogonal.T, 4.0 * np.eye(3))
    integers = _draws.draw_uniform(rng, (100,), 0, 3, integer=True)
    assert set(integers.tolist()) == {0, 1, 2}
    assert _draws.compute_fans((3, 3, 4, 8)) == (36, 72)


def test_candidate_samples_are_as_tensorflows_samplers_draw_them():
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(0)
    classes, true_expected, sampled_expected = _draws.sample_candidates(
        rng, np.array([[0], [7]]), 5, True, 10, log_uniform=True)
    assert classes.dtype == np.int64 and len(set(classes.tolist())) == 5 and all(0 <= c < 10 for c in classes)
    assert true_expected.shape == (2, 1) and sampled_expected.shape == (5,)
    # the Zipfian probability of class c is log((c + 2) / (c + 1)) / log(range + 1); after more tries than
    # classes sampled (repeats were drawn again), an expected count is -expm1(tries * log1p(-p))
    p0 = math.log(2.0) / math.log(11.0)
    tries = math.log1p(-true_expected[0, 0]) / math.log1p(-p0)  # (what the sampler tried, from its count)
    assert tries >= 5 - 1e-3 and abs(tries - round(tries)) < 1e-3
    p7 = math.log(9.0 / 8.0) / math.log(11.0)
    assert math.isclose(true_expected[1, 0], -math.expm1(round(tries) * math.log1p(-p7)), rel_tol=1e-6)
    again = _draws.sample_candidates(np.random.default_rng(0), np.array([[0], [7]]), 5, True, 10, True)
    assert np.array_equal(again[0], classes) and np.array_equal(again[1], true_expected)
    # without `unique`, each draw counts: p * num_sampled
    classes, true_expected, _ = _draws.sample_candidates(rng, np.array([[3]]), 4, False, 8, False)
    assert len(classes) == 4 and np.allclose(true_expected, [[4 / 8]])


# ----------------------------------------------------------------------------
# Real TensorFlow runs: started together once, two at a time.

DETERMINISTIC_TF1 = """\
import random
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
tf.set_random_seed(123)
W = tf.Variable(tf.random_normal([2, 1]))
kernel = tf.get_variable("kernel", [3, 2])
u = tf.random_uniform([2], minval=-1, maxval=1)
t = tf.truncated_normal([2, 2], stddev=0.5)
he = tf.get_variable("he", [4, 3], initializer=tf.initializers.he_normal())
order = tf.random_shuffle(tf.range(5))
with tf.Session() as session:
    session.run(tf.global_variables_initializer())
    for value in session.run([W, kernel, u, t, he, order]):
        print(value)
print(random.random(), np.random.rand())
shuffled = tf.data.Dataset.range(6).shuffle(6).batch(6).make_one_shot_iterator().get_next()
queued = tf.train.shuffle_batch(tf.train.slice_input_producer([tf.range(10, 16)]), 3, capacity=6, min_after_dequeue=3)
with tf.Session() as session:
    coordinator = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(session, coordinator)
    print(session.run(shuffled), session.run(queued))
    coordinator.request_stop()
    coordinator.join(threads)
"""
DETERMINISTIC_TF2 = """\
import random
import numpy as np
import tensorflow as tf
tf.random.set_seed(7)
W = tf.Variable(tf.random.normal([2, 1]))
dense = tf.keras.layers.Dense(2)
dense.build((None, 3))
u = tf.random.uniform([2], minval=-1, maxval=1)
t = tf.random.truncated_normal([2, 2], stddev=0.5)
he = tf.Variable(tf.keras.initializers.HeNormal()([4, 3]))
order = tf.random.shuffle(tf.range(5))
for value in (W, dense.kernel, u, t, he, order):
    print(value.numpy())
print(random.random(), np.random.rand())
shuffled = next(iter(tf.data.Dataset.range(6).shuffle(6).batch(6)))
queued = next(iter(tf.data.Dataset.range(10, 16).shuffle(6).batch(3)))
print(shuffled.numpy(), queued.numpy())
"""
LAYERS_TF1 = """\
import numpy as np
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 3])
y = tf.layers.dense(x, 2)
with tf.Session() as session:
    session.run(tf.global_variables_initializer())
    print(session.run(y, feed_dict={x: np.ones((1, 3))}))
"""
LAYERS_TF2 = """\
import numpy as np
import tensorflow as tf
print(tf.keras.layers.Dense(2)(np.ones((1, 3), dtype=np.float32)).numpy())
"""


def _read(path):
    return path.read_text(encoding="utf-8")


SUMMARY_TF2 = """\
import tensorflow as tf
writer = tf.summary.create_file_writer("logs")
with writer.as_default():
    tf.summary.scalar("loss", 0.5, step=1)
print(0.5)
"""


def quiz_notebook(path: Path) -> Path:
    """The seed's quiz program as a notebook: one cell per lettered step, with IPython lines added."""
    steps = re.split(r"\n(?=# [a-h]\)\n)", _read(QUIZ).strip("\n"))
    assert len(steps) == 9
    steps[-1] = "%%time\n" + steps[-1]
    return _notebook(path, [("md", "# The quiz"), "%matplotlib inline\n!pip install numpy"] + steps)


LAYERS_KEPT_ON_COMPAT = """\
import numpy as np
import tensorflow as tf


class Model:
    def __init__(self):
        self.x = tf.placeholder(tf.float32, [None, 2, 1])
        # shared through scopes: dense and conv2d would call helpers making TF1's variables; conv1d stays TF1's
        self.y = tf.layers.conv1d(self.x, 1, 2, kernel_initializer=tf.ones_initializer(), name="y", reuse=tf.AUTO_REUSE)
        self.sess = tf.Session()
        self.sess.run(tf.global_variables_initializer())

    def predict(self, x):
        return self.sess.run(self.y, feed_dict={self.x: x})


print(Model().predict(np.array([[[1.5], [2.0]]], np.float32)))
"""


DROPOUT_TF1 = """\
import numpy as np
import tensorflow as tf
rng = np.random.RandomState(0)
xs = rng.rand(64, 8).astype(np.float32)
ys = (xs.sum(axis=1, keepdims=True) > 4).astype(np.float32)
X = tf.placeholder(tf.float32, [None, 8])
Y = tf.placeholder(tf.float32, [None, 1])
keep_prob = tf.placeholder(tf.float32)
W1 = tf.Variable(tf.random_normal([8, 16]))
b1 = tf.Variable(tf.zeros([16]))
L1 = tf.nn.relu(tf.matmul(X, W1) + b1)
L1 = tf.nn.dropout(L1, keep_prob=keep_prob)
W2 = tf.Variable(tf.random_normal([16, 1]))
logits = tf.matmul(L1, W2)
cost = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=Y))
train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.cast(logits > 0, tf.float32), Y), tf.float32))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(30):
        c, _ = sess.run([cost, train], feed_dict={X: xs, Y: ys, keep_prob: 0.7})
        if step % 10 == 0:
            acc, full = sess.run([accuracy, cost], feed_dict={X: xs, Y: ys, keep_prob: 1.0})
            print(step, c, acc, full)
"""


SYMBOLIC_PRINT = """\
import tensorflow as tf
a = tf.constant(10)
b = tf.constant(32)
c = tf.add(a, b)
print(c)
sess = tf.Session()
print(sess.run([a, b, c]))
"""


@pytest.fixture(scope="module")
def tf_runs(tmp_path_factory):
    """Every TensorFlow run of this module, started at once on a pool of two."""
    folder = tmp_path_factory.mktemp("tf_programs")
    det1 = _write(folder, "det_tf1.py", DETERMINISTIC_TF1)
    layers1 = _write(folder, "layers_tf1.py", LAYERS_TF1)
    notebook = quiz_notebook(folder / "quiz.ipynb")
    hidden = folder / "hidden"  # a tensorboard package that cannot be imported, as where it is not installed
    (hidden / "tensorboard").mkdir(parents=True)
    (hidden / "tensorboard" / "__init__.py").write_text("raise ImportError('tensorboard is hidden here')\n")
    plain = _write(folder, "plain.py", "print(0.5)\n")
    summary = _write(folder, "summary_tf2.py", SUMMARY_TF2)
    kept = _write(folder, "layers_kept_on_compat.py", LAYERS_KEPT_ON_COMPAT)
    symbolic = _write(folder, "symbolic_print.py", SYMBOLIC_PRINT)
    dropout = _write(folder, "dropout_tf1.py", DROPOUT_TF1)
    keras3 = _write(folder, "keras3_layers_on_compat.py", LAYERS_KEPT_ON_COMPAT.replace(', name="y", reuse=tf.AUTO_REUSE', ""))
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {
            "keras2 compat": pool.submit(run_cli, "verify", kept),
            "symbolic": pool.submit(run_cli, "verify", symbolic),
            "dropout": pool.submit(run_cli, "verify", "--deterministic", dropout),
            "keras3 compat": pool.submit(run_cli, "verify", keras3),
            "notebook": pool.submit(run_cli, "verify", notebook),
            "adam": pool.submit(run_cli, "verify", FIXTURES / "optimizer_adam" / "original.py", "--atol", "0"),
            "seeded": pool.submit(run_cli, "verify", FIXTURES / "linear_regression" / "original.py"),
            "tensorboard": pool.submit(run_cli, "verify", plain, summary, "--original-mode", "tf2",
                                       env={"PYTHONPATH": str(hidden)}),
            "deterministic": pool.submit(verify, str(det1), DETERMINISTIC_TF2, rewrite_filename=str(folder / "det_tf2.py"),
                                         deterministic=True, seed=0),
            "quiz": pool.submit(run_program, _read(QUIZ), str(QUIZ), "tf1"),
            "keras2": pool.submit(run_program, _read(QUADRATIC_KERAS2), str(QUADRATIC_KERAS2), "keras2"),
            "tf2": pool.submit(run_program, _read(QUADRATIC_KERAS2), str(QUADRATIC_KERAS2), "tf2"),
            "layers": pool.submit(verify, str(layers1), LAYERS_TF2, deterministic=True, seed=11),
        }
        return {name: job.result() for name, job in jobs.items()}


@needs_tf
def test_quiz_runs_with_tf1_semantics(tf_runs):
    run = tf_runs["quiz"]
    assert run.error is None, run.stderr
    assert run.numbers == [9.999977]


@needs_tf
def test_seed_tf2_program_runs_with_keras2(tf_runs):
    run = tf_runs["keras2"]
    assert run.error is None, run.stderr
    assert run.numbers == [-4.9999886]


@needs_tf
def test_seed_tf2_program_fails_on_keras3(tf_runs):
    run = tf_runs["tf2"]
    assert run.returncode == 1
    assert run.error == "AttributeError: 'SGD' object has no attribute 'minimize'"


@needs_tf
def test_deterministic_mode_gives_graph_and_eager_programs_the_same_values(tf_runs):
    np = pytest.importorskip("numpy")
    result = tf_runs["deterministic"]
    assert result.verdict == "exact", format_report(result)
    assert result.original.numbers == result.rewrite.numbers
    # The values are the seeded NumPy draws, call by call: W, the Glorot kernel, u, t, He, the shuffled range.
    source = _draws.RandomSource(0)
    expected = [
        _draws.draw_normal(source.generator(), (2, 1)),
        _draws.draw_variance_scaling(source.generator(), (3, 2), 1.0, "fan_avg", "uniform"),
        _draws.draw_uniform(source.generator(), (2,), -1.0, 1.0),
        _draws.draw_truncated_normal(source.generator(), (2, 2), 0.0, 0.5),
        _draws.draw_variance_scaling(source.generator(), (4, 3), 2.0, "fan_in", "truncated_normal"),
        np.arange(5)[source.generator().permutation(5)],
    ]
    values = np.concatenate([e.astype(np.float32).ravel() for e in expected])
    assert len(values) == 31
    assert np.allclose(result.rewrite.numbers[:31], values, rtol=1e-6, atol=0)
    assert result.rewrite.numbers[31:33] == [random.Random(0).random(), np.random.RandomState(0).rand()]
    # shuffled input in the data's order: a dataset's shuffle, TF1's shuffle_batch and slice_input_producer
    assert result.original.numbers[33:] == [0, 1, 2, 3, 4, 5, 10, 11, 12]


@needs_tf
def test_deterministic_mode_covers_tf_layers_and_keras_layers(tf_runs):
    result = tf_runs["layers"]
    assert result.verdict in ("exact", "within tolerance"), format_report(result)
    assert len(result.original.numbers) == 2


@needs_tf
def test_a_notebook_of_the_seed_quiz_verifies_with_its_rewrite(tf_runs):
    done = tf_runs["notebook"]
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[2:5] == [
        "note: original cell 2: `%matplotlib inline` skipped (IPython magic)",
        "note: original cell 2: `!pip install numpy` skipped (shell command)",
        "note: original cell 11: `%%time` skipped (IPython magic)",
    ]
    assert lines[-2:] == ["1  9.999977  9.999977  0          ok", "exact: 1 number, printed identically"]


@needs_tf
def test_the_adam_rewrite_differs_by_a_small_explained_amount(tf_runs):
    done = tf_runs["adam"]
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    at = lines.index("known numerical differences of this rewrite:")
    assert lines[at + 1].startswith("  - line 17: Keras Adam computes 1 - beta_2 in double precision")
    assert lines[at - 3].startswith("first divergence: number ")
    assert lines[-1].startswith("differs: ")
    assert lines[-1].endswith("; a small difference, of the size the known differences above explain "
                              "(--rtol 1e-3 accepts it)")


@needs_tf
def test_a_rewrite_without_tensorboard_could_not_run(tf_runs):
    done = tf_runs["tensorboard"]
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == (
        "could not run: the rewrite needs the tensorboard package, which is not installed here: tf.summary in "
        "TensorFlow 2 writes through it, and tensorflow-cpu does not install it (pip install tensorboard)")


@needs_tf
def test_a_seeded_program_whose_plain_run_differs_is_pointed_to_deterministic(tf_runs):
    done = tf_runs["seeded"]  # random_normal initial values under tf.set_random_seed(777)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[-2] == (
        "the programs draw random values (line 3: tf.set_random_seed(777)): graph and eager TensorFlow draw "
        "different values even for the same seed; --deterministic gives both runs the same ones")


@needs_tf
def test_a_rewrite_kept_on_compat_with_keras2_layers_runs_with_tf_keras(tf_runs):
    done = tf_runs["keras2 compat"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^rewrite  \S*layers_kept_on_compat\.py  \(keras2, ok, 1 number", done.stdout, re.M)
    assert ("note: the rewrite runs with tf-keras (TF_USE_LEGACY_KERAS=1): it keeps tf.compat.v1 names that need "
            "Keras 2 (TFM106)") in done.stdout
    assert done.stdout.rstrip().endswith("exact: 1 number, printed identically")


@needs_tf
def test_tf_layers_the_compat_fallback_writes_as_keras_3_layers_run_without_tf_keras(tf_runs):
    # Without `reuse`, the fallback calls tf.keras.layers.Conv1D on the graph tensor: Keras 3 runs it there.
    done = tf_runs["keras3 compat"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^rewrite  \S*keras3_layers_on_compat\.py  \(tf2, ok, 1 number", done.stdout, re.M)
    assert "note: the rewrite runs with tf-keras" not in done.stdout
    assert done.stdout.rstrip().endswith("exact: 1 number, printed identically")


def test_values_printed_where_the_original_printed_tf1_graph_objects_are_not_compared():
    original = ('Tensor("Add:0", shape=(), dtype=int32)\n'
                "<tf.Variable 'w:0' shape=(2,) dtype=float32_ref>\n"
                "[10, 32, 42]\n")
    rewrite = ("tf.Tensor(42, shape=(), dtype=int32)\n"
               "<tf.Variable 'w:0' shape=(2,) dtype=float32, numpy=array([0.5, 1.5], dtype=float32)>\n"
               "[10, 32, 42]\n"
               "tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)\n")
    text, taken = without_graph_values(original, rewrite)
    assert taken == 2  # one tensor, one variable: the second tensor had no graph object to stand for
    assert printed_numbers(text) == ([10.0, 32.0, 42.0, 1.0, 2.0, 3.0, 4.0], [3, 3, 3, 5, 5, 6, 6])
    assert without_graph_values("[10]\n", rewrite) == (rewrite, 0)  # the original printed values: all compared


@needs_tf
def test_a_graph_tensor_printed_before_any_run_is_not_compared_with_its_eager_value(tf_runs):
    done = tf_runs["symbolic"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("note: not compared: the values of 1 tensor the rewrite printed where the original printed TF1 graph "
            "objects, which have no value") in done.stdout
    assert done.stdout.rstrip().endswith("exact: 3 numbers, each printed identically")


@needs_tf
def test_deterministic_dropout_drops_the_same_units_in_both_programs(tf_runs):
    # TF1's dropout op drew new noise at each run, the rewrite's tf.function at each call: the same draws;
    # an evaluation at keep_prob 1.0 ran the op once in TF1 and once in each of the rewrite's functions
    # (accuracy, cost): it draws nothing, or the training runs after it would drop other units
    done = tf_runs["dropout"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^rewrite  \S*dropout_tf1\.py  \(tf2, ok, 12 numbers", done.stdout, re.M)
    assert done.stdout.rstrip().endswith("exact: 12 numbers, each printed identically")


def test_programs_naming_one_absolute_path_run_one_after_the_other(tmp_path):
    # an Estimator program and its rewrite both empty MODEL_DIR first: run at once, the rewrite
    # deleted the original's checkpoints while it trained
    from tfmigrate.programs import Program
    from tfmigrate.verify import Side, run_sides

    shared = tmp_path / "model_dir"
    source = textwrap.dedent(f"""\
        import os, shutil, time
        MODEL_DIR = {str(shared)!r}
        shutil.rmtree(MODEL_DIR, ignore_errors=True)
        os.makedirs(MODEL_DIR)
        with open(os.path.join(MODEL_DIR, "ckpt"), "w") as f:
            f.write("{{}}")
        time.sleep(1.5)
        print(len(os.listdir(MODEL_DIR)), open(os.path.join(MODEL_DIR, "ckpt")).read())
    """)
    folders = []
    for name, value in (("original", 1), ("rewrite", 2)):
        (tmp_path / name).mkdir()
        path = tmp_path / name / "p.py"
        path.write_text(source.replace("{}", str(value)))
        folders.append(Side(Program(str(path), path.read_text()), "tf2"))
    started = time.monotonic()
    runs = run_sides(folders, {"timeout": 60})
    assert [run.stdout.split() for run in runs] == [["1", "1"], ["1", "2"]]
    assert time.monotonic() - started >= 3.0  # one after the other


def test_the_runner_copied_for_another_python_imports_nothing_else_of_tfmigrate():
    # the reference runtime (TF 2.15) gets copies of these modules only: a relative import of any other
    # module fails there ("the original needs the module 'tfmigrate._draws'")
    import ast

    from tfmigrate.verify import RUNNER_MODULES

    package = Path(_runner.__file__).parent
    for name in RUNNER_MODULES:
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("tfmigrate")):
                module = (node.module or "").split(".")[-1]
                assert f"{module}.py" in RUNNER_MODULES or not module, (name, ast.dump(node))


def test_the_runner_copies_for_other_interpreters_are_removed():
    # `tfmigrate verify` leaves with os._exit (no atexit): it removes them itself (a folder per run stayed in /tmp)
    from tfmigrate import verify as harness

    folder = Path(harness._runner_path("/another/python"))
    assert sorted(p.name for p in (folder / "tfmigrate").iterdir()) == sorted(harness.RUNNER_MODULES)
    harness.remove_runner_copies()
    assert not folder.exists()
