"""Configuration, suppressions, output formats and the cache, through the CLI."""
from __future__ import annotations

import json
import shutil
import textwrap

from conftest import ROOT, run_cli

QUIZ = ROOT / "fixtures" / "seed_quiz" / "original.py"
RENAMES = "import tensorflow as tf\n\nx = tf.random_normal([2])\ny = tf.log(x)\n"


def _codes(stdout: str):
    return [line.split(": ", 1)[1].split(" ", 1)[0] for line in stdout.splitlines() if line.count(":") >= 3]


def test_select_and_ignore_from_pyproject_and_flags(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tfmigrate]\nignore = ["TFM1"]\nselect = ["TFM", "TFM101"]\n')
    (tmp_path / "a.py").write_text(RENAMES + "z = tf.to_float(x)\n")
    result = run_cli("check", "--output-format", "concise", "a.py", cwd=tmp_path)
    assert _codes(result.stdout) == ["TFM101", "TFM101"]  # TFM101 is selected more precisely than TFM1 is ignored
    flags = run_cli("check", "--output-format", "concise", "--select", "TFM103", "a.py", cwd=tmp_path)
    assert _codes(flags.stdout) == ["TFM103"]


def test_config_found_from_the_checked_file_upward(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tfmigrate]\nignore = ["TFM101"]\n')
    sub = tmp_path / "pkg" / "deep"
    sub.mkdir(parents=True)
    (sub / "a.py").write_text(RENAMES)
    result = run_cli("check", "--output-format", "concise", str(sub / "a.py"), cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_per_file_ignores_and_unknown_key(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tfmigrate]\nper-file-ignores = { "legacy/*.py" = ["TFM101"] }\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(RENAMES)
    (tmp_path / "new.py").write_text(RENAMES)
    result = run_cli("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines() if "TFM101" in line] == ["new.py", "new.py"]
    (tmp_path / "pyproject.toml").write_text('[tool.tfmigrate]\nselcet = ["TFM"]\n')
    bad = run_cli("check", ".", cwd=tmp_path)
    assert bad.returncode == 2 and "selcet" in bad.stderr


def test_gitignored_and_virtualenv_files_are_skipped_but_named_files_are_checked(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "g.py").write_text(RENAMES)
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "venv" / "v.py").write_text(RENAMES)
    (tmp_path / "a.py").write_text(RENAMES)
    walked = run_cli("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert {line.split(":")[0] for line in walked.stdout.splitlines() if "TFM" in line} == {"a.py"}
    named = run_cli("check", "--output-format", "concise", "generated/g.py", cwd=tmp_path)
    assert named.returncode == 1


def test_suppressions_and_unused_suppression(tmp_path):
    (tmp_path / "a.py").write_text(textwrap.dedent("""\
        import tensorflow as tf
        x = tf.random_normal([2])  # tfmigrate: ignore[TFM101]
        y = tf.log(x)  # noqa: TFM101
        z = tf.zeros([2])  # tfmigrate: ignore[TFM101]
    """))
    result = run_cli("check", "--output-format", "concise", "a.py", cwd=tmp_path)
    assert result.stdout.splitlines()[0].startswith("a.py:4:20: TFM900 unused suppression (TFM101)")
    assert _codes(result.stdout) == ["TFM900"]
    (tmp_path / "b.py").write_text("# tfmigrate: skip-file\n" + RENAMES)
    assert run_cli("check", "b.py", cwd=tmp_path).returncode == 0


def test_add_ignore_then_check_passes(tmp_path):
    shutil.copyfile(QUIZ, tmp_path / "quiz.py")
    added = run_cli("check", "--add-ignore", "quiz.py", cwd=tmp_path)
    assert added.returncode == 0, added.stdout + added.stderr
    assert "Added 7 suppression comments." in added.stdout
    text = (tmp_path / "quiz.py").read_text()
    assert "train = tf.train.GradientDescentOptimizer(0.01).minimize(cost)  # tfmigrate: ignore[TFM005,TFM006]" in text
    assert run_cli("check", "quiz.py", cwd=tmp_path).returncode == 0


def test_output_formats(tmp_path):
    (tmp_path / "a, b.py").write_text(RENAMES)
    as_json = json.loads(run_cli("check", "--output-format", "json", "a, b.py", cwd=tmp_path).stdout)
    assert [(f["code"], f["location"]["row"], f["fix"]["applicability"]) for f in as_json[:-1]] == [
        ("TFM101", 3, "safe"), ("TFM101", 4, "safe")]
    assert as_json[-1] == {"file": True, "filename": "a, b.py", "status": "idiomatic", "reason": None}
    github = run_cli("check", "--output-format", "github", "a, b.py", cwd=tmp_path).stdout.splitlines()
    assert github[0].startswith("::error title=tfmigrate (TFM101),file=a%2C b.py,line=3,col=5,")
    sarif = json.loads(run_cli("check", "--output-format", "sarif", "a, b.py", cwd=tmp_path).stdout)
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 2
    stats = run_cli("check", "--statistics", "a, b.py", cwd=tmp_path)
    assert stats.stdout.splitlines()[0].split()[:2] == ["2", "TFM101"]


def test_exit_zero_and_exit_non_zero_on_fix(tmp_path):
    (tmp_path / "a.py").write_text(RENAMES)
    assert run_cli("check", "--exit-zero", "a.py", cwd=tmp_path).returncode == 0
    fixed = run_cli("fix", "--exit-non-zero-on-fix", "a.py", cwd=tmp_path)
    assert fixed.returncode == 1
    assert (tmp_path / "a.py").read_text() == "import tensorflow as tf\n\nx = tf.random.normal([2])\ny = tf.math.log(x)\n"
    assert run_cli("fix", "--exit-non-zero-on-fix", "a.py", cwd=tmp_path).returncode == 0


def test_cache_gives_the_same_report_and_clean_removes_it(tmp_path):
    shutil.copyfile(QUIZ, tmp_path / "quiz.py")
    first = run_cli("check", "--output-format", "concise", "quiz.py", cwd=tmp_path)
    assert (tmp_path / ".tfmigrate_cache").is_dir()
    second = run_cli("check", "--output-format", "concise", "quiz.py", cwd=tmp_path)
    assert first.stdout == second.stdout and first.returncode == second.returncode == 1
    (tmp_path / "quiz.py").write_text("import tensorflow as tf\n")
    assert run_cli("check", "quiz.py", cwd=tmp_path).returncode == 0  # a changed file is checked again
    cleaned = run_cli("clean", cwd=tmp_path)
    assert cleaned.returncode == 0 and not (tmp_path / ".tfmigrate_cache").exists()


def test_notebook_checked_across_cells_and_fixed_with_a_small_diff(tmp_path):
    notebook = tmp_path / "nb.ipynb"
    shutil.copyfile(ROOT / "tests" / "data" / "quadratic_tf1.ipynb", notebook)
    original = notebook.read_text()
    checked = run_cli("check", "--output-format", "concise", "nb.ipynb", cwd=tmp_path)
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0] == (
        "nb.ipynb:cell 3:3:5: TFM001 `tf.placeholder` does not exist in TensorFlow 2: pass the value as a function argument")
    assert run_cli("fix", "--unsafe-fixes", "nb.ipynb", cwd=tmp_path).returncode == 0
    fixed = notebook.read_text()
    data = json.loads(fixed)
    assert data["cells"][1]["source"][:2] == ["%matplotlib inline\n", "!pip install tensorflow==1.15\n"]
    assert data["cells"][2]["outputs"] == json.loads(original)["cells"][2]["outputs"]
    assert "def train(x):\n" in data["cells"][2]["source"]
    import difflib

    changed = [l for l in difflib.unified_diff(original.splitlines(), fixed.splitlines(), lineterm="", n=0)
               if l.startswith(("+", "-")) and not l.startswith(("+++", "---"))]
    assert all(l[1:].startswith('    "') for l in changed)  # only lines of the cell's source changed
    assert run_cli("check", "nb.ipynb", cwd=tmp_path).returncode == 0
