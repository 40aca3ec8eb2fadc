"""The command line on the seed programs, as a new user runs it."""
from __future__ import annotations

import json
import pathlib
import shutil

import pytest

from conftest import ROOT, run_cli

SEED = ROOT / "fixtures"
QUIZ = SEED / "seed_quiz" / "original.py"
QUADRATIC = SEED / "seed_quadratic" / "original.py"
KERAS2 = SEED / "seed_quadratic_keras2" / "original.py"

QUIZ_FINDINGS = [
    "quiz.py:14:5: TFM001 `tf.placeholder` does not exist in TensorFlow 2: pass the value as a function argument",
    "quiz.py:20:9: TFM005 `tf.train.GradientDescentOptimizer` does not exist in TensorFlow 2: use `tf.optimizers.SGD`",
    "quiz.py:20:9: TFM006 `minimize` builds a TF1 train op: use a `tf.function` train step with `tf.GradientTape`",
    "quiz.py:23:8: TFM004 `tf.global_variables_initializer` is not needed in TensorFlow 2: variables initialise when created",
    "quiz.py:26:11: TFM002 `tf.Session` does not exist in TensorFlow 2: code runs eagerly",
    "quiz.py:27:1: TFM003 `session.run` does not exist in TensorFlow 2: call the computation directly",
    "quiz.py:31:5: TFM003 `session.run` does not exist in TensorFlow 2: call the computation directly",
    "quiz.py:32:7: TFM003 `session.run` does not exist in TensorFlow 2: call the computation directly",
]


@pytest.fixture
def seed(tmp_path):
    folder = tmp_path / "seed"
    folder.mkdir()
    shutil.copyfile(QUIZ, folder / "quiz.py")
    shutil.copyfile(QUADRATIC, folder / "quadratic.py")
    shutil.copyfile(KERAS2, folder / "keras2.py")
    return folder


def test_check_lists_each_finding_sorted_and_exits_1(seed):
    result = run_cli("check", "--output-format", "concise", "quiz.py", cwd=seed)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[: len(QUIZ_FINDINGS)] == QUIZ_FINDINGS
    assert lines[len(QUIZ_FINDINGS)].startswith("Found 8 findings in 1 file")


def test_check_default_output_shows_source_and_caret(seed):
    result = run_cli("check", "quiz.py", cwd=seed)
    assert result.returncode == 1
    assert QUIZ_FINDINGS[0] in result.stdout
    assert "x = tf.placeholder(tf.float32, [3, 1])" in result.stdout
    assert "\n   |     ^" in result.stdout or "^^^^" in result.stdout


def test_check_codes_of_every_seed_program(seed):
    result = run_cli("check", "--output-format", "json", ".", cwd=seed)
    assert result.returncode == 1
    found, statuses = {}, {}
    for item in json.loads(result.stdout):
        if item.get("file"):  # one entry per file, after the findings: its migration status
            statuses[item["filename"]] = (item["status"], item["reason"])
        else:
            found.setdefault(pathlib.Path(item["filename"]).name, set()).add(item["code"])
    assert statuses == {"keras2.py": ("idiomatic", None), "quadratic.py": ("idiomatic", None),
                        "quiz.py": ("idiomatic", None)}
    assert found == {
        "keras2.py": {"TFM007"},
        "quadratic.py": {"TFM001", "TFM002", "TFM003", "TFM004", "TFM005", "TFM006"},
        "quiz.py": {"TFM001", "TFM002", "TFM003", "TFM004", "TFM005", "TFM006"},
    }


def test_file_without_tensorflow_exits_0(tmp_path):
    (tmp_path / "plain.py").write_text("import numpy as np\nprint(np.ones(3))\n")
    result = run_cli("check", "plain.py", cwd=tmp_path)
    assert result.returncode == 0
    assert "All checks passed." in result.stdout


def test_python2_file_is_named_without_traceback_and_others_still_reported(seed):
    (seed / "old.py").write_text("import tensorflow as tf\nprint 'hello'\n")
    result = run_cli("check", "--output-format", "concise", ".", cwd=seed)
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("old.py: error: ")]
    assert errors == ["old.py: error: syntax error at line 2, column 1: Missing parentheses in call to 'print'. Did you"
                      " mean print(...)? -- Python 2 code: convert it to Python 3 first (pip install fissix && python"
                      " -m fissix -w -n old.py) or exclude it (extend-exclude)"]
    assert QUIZ_FINDINGS[0] in result.stdout
    assert "keras2.py:17:5: TFM007" in result.stdout


def test_tf_alias_that_is_not_tensorflow_is_not_flagged(tmp_path):
    (tmp_path / "a.py").write_text(
        "import tensorflow\nimport mylib as tf\n\nx = tf.placeholder(1)\n\n"
        "def f(tf):\n    return tf.Session()\n"
    )
    result = run_cli("check", "a.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("spelling", [
    "import tensorflow as tf\nx = tf.placeholder(tf.float32)\n",
    "import tensorflow\nx = tensorflow.placeholder(tensorflow.float32)\n",
    "from tensorflow import placeholder, float32\nx = placeholder(float32)\n",
    "import tensorflow.compat.v1 as tf\nx = tf.placeholder(tf.float32)\n",
    "from tensorflow.compat import v1 as tf\nx = tf.placeholder(tf.float32)\n",
])
def test_placeholder_found_through_every_import_spelling(tmp_path, spelling):
    (tmp_path / "a.py").write_text(spelling)
    result = run_cli("check", "--output-format", "concise", "--select", "TFM001", "a.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("a.py:2:5: TFM001 ")


def test_fix_rewrites_seed_programs_to_their_expected_tf2_and_is_idempotent(seed):
    result = run_cli("fix", "--unsafe-fixes", ".", cwd=seed)
    assert result.returncode == 0, result.stdout + result.stderr
    for name, fixture in (("quiz.py", "seed_quiz"), ("quadratic.py", "seed_quadratic"),
                          ("keras2.py", "seed_quadratic_keras2")):
        text = (seed / name).read_text()
        assert text == (SEED / fixture / "expected.py").read_text(), name
        for tf1 in ("placeholder", "Session", "feed_dict", "compat.v1", "global_variables_initializer", ".minimize("):
            assert tf1 not in text, (name, tf1)
    before = {p.name: p.read_bytes() for p in seed.iterdir()}
    again = run_cli("fix", "--unsafe-fixes", ".", cwd=seed)
    assert again.returncode == 0
    assert {p.name: p.read_bytes() for p in seed.iterdir()} == before


def test_fix_without_unsafe_fixes_applies_only_safe_ones_and_says_so(seed):
    result = run_cli("fix", "quiz.py", "keras2.py", cwd=seed)
    assert (seed / "quiz.py").read_text() == QUIZ.read_text()  # graph-to-eager is unsafe
    assert "optimizer.minimize(" not in (seed / "keras2.py").read_text()  # the Keras 3 fix is safe
    assert result.returncode == 1
    assert "--unsafe-fixes" in result.stdout


def test_fix_diff_writes_nothing_and_exits_1(seed):
    result = run_cli("fix", "--unsafe-fixes", "--diff", "quiz.py", cwd=seed)
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/quiz.py\n+++ b/quiz.py\n")
    assert "-x = tf.placeholder(tf.float32, [3, 1])" in result.stdout
    assert "+@tf.function(input_signature=[tf.TensorSpec([3, 1], tf.float32)])" in result.stdout
    assert (seed / "quiz.py").read_text() == QUIZ.read_text()


def test_stdin_check_and_fix(seed):
    source = QUIZ.read_text()
    checked = run_cli("check", "--output-format", "concise", "--stdin-filename", "quiz.py", "-", input=source)
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[: len(QUIZ_FINDINGS)] == QUIZ_FINDINGS
    fixed = run_cli("fix", "--unsafe-fixes", "--stdin-filename", "quiz.py", "-", input=source)
    assert fixed.stdout == (SEED / "seed_quiz" / "expected.py").read_text()


def test_usage_error_exits_2(tmp_path):
    result = run_cli("check", "--output-format", "nonsense", ".", cwd=tmp_path)
    assert result.returncode == 2


def test_missing_path_is_reported(tmp_path):
    result = run_cli("check", "nowhere.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "nowhere.py: error: " in result.stdout + result.stderr


def test_a_report_that_cannot_be_written_is_one_line_and_exit_2(seed):
    result = run_cli("check", "--output-file", "no/such/folder/report.txt", "quiz.py", cwd=seed)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "error: no/such/folder/report.txt: cannot write: no such file or directory\n"


@pytest.mark.skipif(not pathlib.Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_standard_output_is_one_line_and_exit_2(seed):
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "tfmigrate", "check", "quiz.py"], cwd=seed, stdout=full,
                                stderr=subprocess.PIPE, text=True)
    assert result.returncode == 2
    assert result.stderr == "error: cannot write the report to standard output: No space left on device\n"


def test_rules_and_explain():
    listing = run_cli("rules")
    assert listing.returncode == 0
    assert any(line.startswith("TFM001  placeholder") and "unsafe" in line for line in listing.stdout.splitlines())
    explained = run_cli("explain", "TFM101")
    assert explained.returncode == 0
    assert "tf.random_normal" in explained.stdout and "Fix safety: safe" in explained.stdout
    assert "tf.random.normal([2])" in explained.stdout
    assert run_cli("explain", "TFM999").returncode == 2


def test_fix_diff_without_unsafe_fixes_says_how_many_more_would_apply(seed):
    result = run_cli("fix", "--diff", "quiz.py", cwd=seed)
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr == "0 files would be changed (8 fixable with --unsafe-fixes).\n"
    without_diff = run_cli("fix", "quiz.py", cwd=seed)
    assert "(8 fixable with --unsafe-fixes)" in without_diff.stdout  # the same words as `fix`
    assert (seed / "quiz.py").read_text() == QUIZ.read_text()


NO_NEWLINE = "\\ No newline at end of file\n"
HUNK = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n import tensorflow as tf\n"


@pytest.mark.parametrize("old, new, expected", [
    ("import tensorflow as tf\nw = tf.random_normal([2])", "import tensorflow as tf\nw = tf.random.normal([2])\n",
     HUNK + "-w = tf.random_normal([2])\n" + NO_NEWLINE + "+w = tf.random.normal([2])\n"),
    ("import tensorflow as tf\nw = tf.random_normal([2])\n", "import tensorflow as tf\nw = tf.random.normal([2])",
     HUNK + "-w = tf.random_normal([2])\n+w = tf.random.normal([2])\n" + NO_NEWLINE),
    ("import tensorflow as tf\nw = tf.random_normal([2])", "import tensorflow as tf\nw = tf.random.normal([2])",
     HUNK + "-w = tf.random_normal([2])\n" + NO_NEWLINE + "+w = tf.random.normal([2])\n" + NO_NEWLINE),
    ("import tensorflow as tf\nw = tf.random_normal([2])\nprint(w)", "import tensorflow as tf\nw = tf.random.normal([2])\nprint(w)",
     HUNK.replace("-1,2 +1,2", "-1,3 +1,3") + "-w = tf.random_normal([2])\n+w = tf.random.normal([2])\n print(w)\n"
     + NO_NEWLINE),
    ("a = 1\x0cb = 2\n", "a = 1\x0cb = 3\n", "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-a = 1\x0cb = 2\n+a = 1\x0cb = 3\n"),
])
def test_unified_diff_ends_lines_at_newlines_and_marks_a_missing_one_as_gnu_diff_does(tmp_path, old, new, expected):
    import subprocess

    from tfmigrate.engine import unified_diff

    diff = unified_diff(old, new, "m.py")
    assert diff == expected
    (tmp_path / "m.py").write_bytes(old.encode())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    applied = subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=diff.encode(), capture_output=True)
    assert applied.returncode == 0, applied.stderr
    assert (tmp_path / "m.py").read_bytes() == new.encode()


def test_fix_diff_of_a_file_without_final_newline_does_not_run_into_the_summary(tmp_path):
    (tmp_path / "m.py").write_text("import tensorflow as tf\nw = tf.random_normal([2])\nprint(w.numpy())")
    result = run_cli("fix", "--diff", "m.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.endswith(" print(w.numpy())\n\\ No newline at end of file\n")
    assert result.stderr == "1 file would be changed.\n"


def test_summary_names_files_kept_on_compat_with_the_reason_and_the_cache_keeps_it(tmp_path):
    for name in ("compat_class_session", "compat_session_argument", "seed_quiz"):
        shutil.copyfile(SEED / name / "original.py", tmp_path / f"{name}.py")
    first = run_cli("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert first.returncode == 1
    assert first.stdout.splitlines()[-4:] == [
        "Migration: 1 idiomatic, 2 compat-only, 0 manual.",
        "Not idiomatic, with the first reason:",
        "  compat-only  compat_class_session.py:6:1: TFM090 kept on tensorflow.compat.v1: class Model holds"
        " TensorFlow graph objects or a session (the program reads its instance in a way this rewrite does not"
        " follow)",
        "  compat-only  compat_session_argument.py:20:23: TFM090 kept on tensorflow.compat.v1: `sess.run` runs the"
        " graph through something that is not a session of this program (a session passed between functions?)",
    ]
    assert (tmp_path / ".tfmigrate_cache").is_dir()
    again = run_cli("check", "--output-format", "concise", ".", cwd=tmp_path)  # answered by the cache
    assert again.stdout == first.stdout
    statuses = [e for e in json.loads(run_cli("check", "--output-format", "json", ".", cwd=tmp_path).stdout)
                if e.get("file")]
    assert [(e["filename"], e["status"], (e["reason"] or {}).get("location")) for e in statuses] == [
        ("compat_class_session.py", "compat-only", {"row": 6, "column": 1}),
        ("compat_session_argument.py", "compat-only", {"row": 20, "column": 23}),
        ("seed_quiz.py", "idiomatic", None),
    ]


@pytest.mark.parametrize("source, python2", [
    ("print 'hello'\n", True),
    ("exec 'x = 1'\n", True),
    ("raise ValueError, 'bad'\n", True),
    ("mode = 0777\n", True),
    ("big = 10L\n", True),
    ("text = `x`\n", True),
    ("if a <> b:\n    pass\n", True),
    ("s = ur'x'\n", True),
    ("def f(:\n    pass\n", False),
    ("x = (1,\n", False),
    ("x = 1 +\n", False),
])
def test_python2_advice_only_for_python2_syntax(source, python2):
    from tfmigrate.api import Job, process_file
    from tfmigrate.options import Options
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "m.py"
        path.write_text("import tensorflow as tf\n" + source)
        report = process_file(str(path), Job(Options()))
    assert report.error is not None and report.error.reason.startswith("syntax error at line 2")
    assert ("-- Python 2 code: convert it to Python 3 first" in report.error.reason) is python2
    if python2:
        assert report.error.reason.endswith(f"python -m fissix -w -n {path}) or exclude it (extend-exclude)")


def test_exit_zero_covers_findings_but_not_a_file_that_could_not_be_checked(seed):
    (seed / "legacy").mkdir()
    (seed / "legacy" / "old.py").write_text("import tensorflow as tf\nprint 'hello'\n")
    unchecked = run_cli("check", "--exit-zero", "--output-format", "concise", ".", cwd=seed)
    assert unchecked.returncode == 2  # findings alone would exit 0; a file not checked never passes silently
    assert "legacy/old.py: error: " in unchecked.stdout and QUIZ_FINDINGS[0] in unchecked.stdout
    excluded = run_cli("check", "--exit-zero", "--extend-exclude", "legacy/", ".", cwd=seed)
    assert excluded.returncode == 0 and "could not be checked" not in excluded.stdout
    assert run_cli("check", "--extend-exclude", "legacy/", ".", cwd=seed).returncode == 1


def test_help_gives_every_command_its_whole_short_help():
    result = run_cli("--help", env={"COLUMNS": "80"})
    assert result.returncode == 0
    commands = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert commands == [
        "  check    Report TensorFlow 1 code in files and folders.",
        "  clean    Remove the result cache.",
        "  explain  Show a rule's documentation, examples included.",
        "  fix      Rewrite TensorFlow 1 code in place, or show the diff.",
        "  report   Write a migration report: progress, blockers, every file.",
        "  rules    List every rule: code, name, fix safety, summary.",
        "  verify   Run a TF1 program and its TF2 rewrite; compare their numbers.",
    ]  # click would have cut the longer ones at 45 characters with "..."
