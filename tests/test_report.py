"""`tfmigrate report`: its data (checked against the JSON Schema the README gives), how blockers are
grouped, the options it shares with `check`, its cache, and that it never imports TensorFlow.
The page itself is loaded in a real browser by test_report_browser.py."""
from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from conftest import ROOT, run_cli
from tfmigrate.ftypes import FileReport, Finding, Position, Status
from tfmigrate.reporters.blockers import group_blockers, normalise_reasons

FIXTURES = ROOT / "fixtures"
STATUSES = ["clean", "idiomatic", "compat-only", "manual", "error"]
KEPT = "kept on tensorflow.compat.v1: "
THROUGH_PARAMETER = " (the program reads its instance in a way this rewrite does not follow)"
CLASS_REASON = KEPT + "class \u2026 holds TensorFlow graph objects or a session" + THROUGH_PARAMETER


def make_tree(root):
    """Files of every status, in nested folders, with a configured exclusion."""
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "legacy").mkdir()
    (root / "excluded").mkdir()
    shutil.copyfile(FIXTURES / "compat_class_session" / "original.py", root / "pkg" / "model.py")
    trainer = (FIXTURES / "compat_class_session" / "original.py").read_text().replace("Model", "Trainer")
    (root / "pkg" / "trainer.py").write_text(trainer)
    shutil.copyfile(FIXTURES / "compat_session_argument" / "original.py", root / "pkg" / "train.py")
    shutil.copyfile(FIXTURES / "seed_quiz" / "original.py", root / "pkg" / "quiz.py")
    shutil.copyfile(FIXTURES / "compat_fifo_queue" / "original.py", root / "pkg" / "sub" / "queue.py")
    shutil.copyfile(ROOT / "tests" / "data" / "quadratic_tf1.ipynb", root / "pkg" / "nb.ipynb")
    (root / "pkg" / "sub" / "rnn.py").write_text(
        "import tensorflow as tf\n\ncell = tf.contrib.rnn.LSTMCell(3)\nother = tf.contrib.rnn.GRUCell(3)\n")
    (root / "legacy" / "old.py").write_text("import tensorflow as tf\nprint 'hello'\n")
    (root / "excluded" / "skip.py").write_text("import tensorflow as tf\nx = tf.placeholder(tf.float32)\n")
    (root / "plain.py").write_text("import os\n\nprint(os.sep)\n")
    (root / "pyproject.toml").write_text('[tool.tfmigrate]\nextend-exclude = ["excluded/"]\n')
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return make_tree(tmp_path_factory.mktemp("tree"))


@pytest.fixture(scope="module")
def data(tree):
    result = run_cli("report", "--format", "json", "--no-cache", ".", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "9 files: 1 clean, 2 idiomatic, 4 compat-only, 1 manual, 1 error.\n"
    return json.loads(result.stdout)


def readme_schema() -> dict:
    """The JSON Schema the README documents: the json block after its <summary> line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("JSON Schema of <code>tfmigrate report --format json</code>")
    block = re.search(r"```json\n(.*?)```", text[start:], re.S)
    return json.loads(block.group(1))


def test_report_json_matches_the_schema_in_the_readme(data):
    jsonschema = pytest.importorskip("jsonschema")
    schema = readme_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors
    broken = json.loads(json.dumps(data))
    broken["files"][0]["status"] = "done"
    broken["totals"]["later"] = 1
    assert len(list(validator.iter_errors(broken))) == 2  # the schema is strict enough to catch both


def test_report_counts_every_file_overall_and_per_folder(data):
    assert data["schema_version"] == 1 and data["tool"]["name"] == "tfmigrate" and data["paths"] == ["."]
    assert data["statuses"] == STATUSES
    totals = data["totals"]
    assert {s: totals[s] for s in STATUSES} == {"clean": 1, "idiomatic": 2, "compat-only": 4, "manual": 1, "error": 1}
    assert totals["files"] == 9
    assert totals["findings"] == sum(len(f["findings"]) for f in data["files"])
    assert totals["blockers"] == sum(f["blocker"] for item in data["files"] for f in item["findings"]) == 6
    folders = {(f["path"], f["depth"]): [f["counts"][s] for s in STATUSES] for f in data["folders"]}
    assert folders == {
        (".", 0): [1, 2, 4, 1, 1],
        ("legacy", 1): [0, 0, 0, 0, 1],
        ("pkg", 1): [0, 2, 4, 1, 0],
        (os.path.join("pkg", "sub"), 2): [0, 0, 1, 1, 0],
    }
    assert [f["files"] for f in data["folders"]] == [9, 1, 7, 2]


def test_report_gives_every_file_its_status_and_first_reason(data):
    files = {f["path"]: f for f in data["files"]}
    assert list(files) == sorted(files)
    statuses = {path: item["status"] for path, item in files.items()}
    assert statuses == {
        "legacy/old.py": "error", "pkg/model.py": "compat-only", "pkg/nb.ipynb": "idiomatic",
        "pkg/quiz.py": "idiomatic", "pkg/sub/queue.py": "compat-only", "pkg/sub/rnn.py": "manual",
        "pkg/train.py": "compat-only", "pkg/trainer.py": "compat-only", "plain.py": "clean",
    }
    assert files["pkg/model.py"]["reason"] == {
        "code": "TFM090",
        "message": KEPT + "class Model holds TensorFlow graph objects or a session" + THROUGH_PARAMETER,
        "line": 6, "column": 1, "cell": None}
    assert files["pkg/sub/rnn.py"]["reason"] == {
        "code": "TFM107", "message": "`tf.contrib.rnn.LSTMCell` is gone: tf.contrib was removed in TensorFlow 2.0; "
                                     "use `tf.keras.layers.LSTMCell`",
        "line": 3, "column": 8, "cell": None}
    assert files["legacy/old.py"]["error"].startswith("syntax error at line 2, column 1: ")
    assert files["legacy/old.py"]["findings"] == [] and files["plain.py"]["findings"] == []
    first = files["pkg/nb.ipynb"]["findings"][0]
    assert (first["code"], first["cell"], first["line"], first["column"], first["blocker"]) == ("TFM001", 3, 3, 5, False)
    assert first["source"] == "x = tf.placeholder(tf.float32, [3, 1])"
    placeholder = next(f for f in files["pkg/model.py"]["findings"] if f["code"] == "TFM001")
    assert (placeholder["verdict"], placeholder["blocker"], placeholder["fix"]) == (None, False, "unsafe")


def test_report_blockers_hold_most_files_first_with_tfm090_reasons_normalised(data):
    blockers = [(b["code"], b["name"], b["reason"], b["files"], b["findings"], [x["path"] for x in b["blocked"]])
                for b in data["blockers"]]
    assert blockers == [
        ("TFM090", "kept-on-compat", CLASS_REASON, 2, 2, ["pkg/model.py", "pkg/trainer.py"]),
        ("TFM107", "missing-symbol", None, 1, 2, ["pkg/sub/rnn.py"]),
        ("TFM090", "kept-on-compat", KEPT + "`sess.run` runs the graph through something that is not a session of"
         " this program (a session passed between functions?)", 1, 1, ["pkg/train.py"]),
        ("TFM090", "kept-on-compat", KEPT + "tf.FIFOQueue: queues and queue runners (a TF1 input pipeline)", 1, 1,
         ["pkg/sub/queue.py"]),
    ]
    assert data["blockers"][1]["blocked"] == [{"path": "pkg/sub/rnn.py", "line": 3, "column": 8, "cell": None}]


def test_reasons_that_differ_in_program_names_are_one_reason():
    messages = [
        KEPT + "class Model holds TensorFlow graph objects or a session" + THROUGH_PARAMETER,
        KEPT + "class Trainer holds TensorFlow graph objects or a session" + THROUGH_PARAMETER,
        KEPT + "graph tensor loss is used outside a session run",
        KEPT + "graph tensor pnet is used outside a session run",
        KEPT + "placeholder a is not fed where loss is run",
        KEPT + "placeholder b is not fed where loss is run",
        KEPT + "placeholder b is not fed where cost is run",  # linked to the two above through `b`
        KEPT + "tf.variable_scope has no TensorFlow 2 equivalent",
        KEPT + "tf.get_default_graph has no TensorFlow 2 equivalent",  # TensorFlow names are never merged
        KEPT + "class Solo: alone",
    ]
    normalised = normalise_reasons(messages)
    assert normalised == normalise_reasons(reversed(messages))  # the order does not matter
    assert [normalised[m] for m in messages] == [
        CLASS_REASON, CLASS_REASON,
        KEPT + "graph tensor \u2026 is used outside a session run",
        KEPT + "graph tensor \u2026 is used outside a session run",
        KEPT + "placeholder \u2026 is not fed where \u2026 is run",
        KEPT + "placeholder \u2026 is not fed where \u2026 is run",
        KEPT + "placeholder \u2026 is not fed where \u2026 is run",
        KEPT + "tf.variable_scope has no TensorFlow 2 equivalent",
        KEPT + "tf.get_default_graph has no TensorFlow 2 equivalent",
        KEPT + "class Solo: alone",
    ]


def test_blockers_are_grouped_by_code_and_count_files_once():
    def found(path, code, line, verdict, message="m"):
        return Finding(code, message, path, Position(line, 1), Position(line, 2), verdict=verdict)

    reports = [
        FileReport("a.py", status=Status.MANUAL, findings=[
            found("a.py", "TFM105", 1, Status.MANUAL), found("a.py", "TFM105", 2, Status.MANUAL),
            found("a.py", "TFM001", 3, None)]),
        FileReport("b.py", status=Status.COMPAT, findings=[
            found("b.py", "TFM090", 4, Status.COMPAT, KEPT + "class A holds x"),
            found("b.py", "TFM090", 5, Status.IDIOMATIC, "not numerically equivalent: a note")]),
        FileReport("c.py", status=Status.MANUAL, findings=[found("c.py", "TFM105", 9, Status.MANUAL)]),
    ]
    groups = group_blockers(reports)
    assert [(g.code, g.reason, g.files, g.findings, {p: f.start.line for p, f in g.first.items()})
            for g in groups] == [
        ("TFM105", None, 2, 3, {"a.py": 1, "c.py": 9}),
        ("TFM090", KEPT + "class A holds x", 1, 1, {"b.py": 4}),
    ]


def test_report_respects_select_and_exclusions_like_check(tree):
    result = run_cli("report", "--format", "json", "--no-cache", "--select", "TFM105,TFM107", "-q", ".", cwd=tree)
    assert result.returncode == 0 and result.stderr == ""
    selected = json.loads(result.stdout)
    assert {f["code"] for item in selected["files"] for f in item["findings"]} == {"TFM105", "TFM107"}
    # The TFM105 findings of the classes kept on compat say so: those files stay compat-only.
    assert {item["path"]: item["status"] for item in selected["files"] if item["status"] != "clean"} == {
        "legacy/old.py": "error", "pkg/model.py": "compat-only", "pkg/sub/rnn.py": "manual",
        "pkg/trainer.py": "compat-only"}
    assert [b["code"] for b in selected["blockers"]] == ["TFM107"]
    assert "excluded/skip.py" not in {item["path"] for item in selected["files"]}
    named = json.loads(run_cli("report", "--format", "json", "--no-cache", "-q", "pkg/sub", cwd=tree).stdout)
    assert [item["path"] for item in named["files"]] == [os.path.join("pkg", "sub", n) for n in ("queue.py", "rnn.py")]
    assert [(f["path"], f["depth"]) for f in named["folders"]] == [(os.path.join("pkg", "sub"), 0)]


def test_report_shares_the_cache_of_check_and_gives_the_same_bytes(tmp_path):
    root = make_tree(tmp_path / "tree")
    cache = root / ".tfmigrate_cache"

    def entries():
        return sorted(p.relative_to(cache) for p in cache.rglob("*.json"))

    first = run_cli("report", "-o", "report.html", ".", cwd=root)
    assert first.returncode == 0 and first.stdout == ""
    assert first.stderr == "Wrote report.html: 9 files: 1 clean, 2 idiomatic, 4 compat-only, 1 manual, 1 error.\n"
    written = entries()
    assert len(written) == 6  # every .py file with TensorFlow that parses (the notebook is not cached)
    checked = run_cli("check", "--output-format", "concise", ".", cwd=root)
    assert checked.returncode == 2 and entries() == written  # check found every answer where report left it
    page = (root / "report.html").read_bytes()
    again = run_cli("report", "-o", "again.html", ".", cwd=root)
    assert again.returncode == 0 and (root / "again.html").read_bytes() == page
    assert run_cli("report", "--no-cache", "-o", "fresh.html", ".", cwd=root).returncode == 0
    assert (root / "fresh.html").read_bytes() == page


def test_report_page_is_self_contained(tree):
    result = run_cli("report", "--no-cache", "-q", ".", cwd=tree)
    assert result.returncode == 0
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page) == []  # nothing loaded from elsewhere
    assert "<script src" not in page and "<link rel=\"stylesheet\"" not in page and "@import" not in page
    for path in ("legacy/old.py", "pkg/model.py", "pkg/nb.ipynb", "plain.py"):
        assert f"<code>{path}" in page or f">{path}</a>" in page


def test_report_never_imports_tensorflow_and_rejects_stdin(tree):
    import subprocess
    import sys

    probe = ("import sys\nfrom tfmigrate import cli\ntry:\n    cli.cli.main(['report', '--no-cache', '-q', '-o',"
             " 'probe.html', '.'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras')))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tree, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"
    assert (tree / "probe.html").is_file()
    assert run_cli("report", "-", cwd=tree, input="x = 1\n").returncode == 2
    mistyped = run_cli("report", "-o", "typo.html", "pkg", "nowhere", cwd=tree)
    assert (mistyped.returncode, mistyped.stderr) == (2, "nowhere: error: No such file or directory\n")
    assert not (tree / "typo.html").exists()
    one = run_cli("report", "--no-cache", "-o", "one.html", "plain.py", cwd=tree)
    assert one.stderr == "Wrote one.html: 1 file: 1 clean, 0 idiomatic, 0 compat-only, 0 manual, 0 error.\n"


def test_a_report_that_cannot_be_written_is_one_line_and_exit_2(tree):
    result = run_cli("report", "--no-cache", "-o", "no/such/folder/report.html", ".", cwd=tree)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "error: no/such/folder/report.html: cannot write: no such file or directory\n"
