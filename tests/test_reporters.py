"""Output formats: text, concise, json, github, sarif, junit, statistics and the summary line."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Optional

import pytest

from tfmigrate import reporters
from tfmigrate.ftypes import Applicability, Edit, FileError, FileReport, Finding, Fix, Position, Status

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "data", "sarif-schema-2.1.0.json")


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    summary: str
    url: Optional[str] = None
    unfixed_status: Status = Status.MANUAL


RULES = {
    rule.code: rule
    for rule in (
        RuleInfo("TFM001", "placeholder", "`tf.placeholder`: a graph input fed through `feed_dict`."),
        RuleInfo("TFM003", "session-run", "`session.run(...)`: fetching graph values."),
        RuleInfo("TFM090", "kept-on-compat", "A graph program kept on compat.", unfixed_status=Status.COMPAT),
        RuleInfo("TFM101", "renamed-symbol", "A TF1 name that TF2 has under another name.",
                 url="https://example.org/rules/TFM101"),
        RuleInfo("TFM105", "removed-symbol", "A TF1 name with no TF2 equivalent."),
    )
}

RENAME = Fix(Applicability.SAFE, "replace", (Edit(Position(3, 5), Position(3, 21), "tf.random.normal"),))
GRAPH = Fix(Applicability.UNSAFE, "graph-to-eager rewrite")


def finding(code, message, path, start, end, *, fix=None, cell=None, source="", verdict=None):
    return Finding(code, message, path, Position(*start), Position(*end), fix, cell, source, verdict)


def sample_reports():
    """A parse failure, a notebook, a module with a safe and an unsafe finding, a file without TF."""
    broken = FileReport("legacy/py2.py", error=FileError("legacy/py2.py", "invalid syntax at 1:7"))
    notebook = FileReport("notebooks/train.ipynb", status=Status.MANUAL, findings=[
        finding("TFM105", "`tf.contrib` was removed in TensorFlow 2", "notebooks/train.ipynb", (2, 1), (2, 18),
                cell=3, source="tf.contrib.layers.flatten(x)\n"),
    ])
    module = FileReport("pkg/model.py", status=Status.IDIOMATIC, findings=[
        finding("TFM101", "`tf.random_normal` is `tf.random.normal` in TensorFlow 2", "pkg/model.py", (3, 5), (3, 21),
                fix=RENAME, source="w = tf.random_normal([2])\n"),
        finding("TFM001", "`tf.placeholder` does not exist in TensorFlow 2", "pkg/model.py", (12, 6), (13, 30),
                fix=GRAPH, source="\tx = tf.placeholder(\r\n"),
    ])
    plain = FileReport("util.py", skipped=True)
    return [broken, notebook, module, plain]


# --------------------------------------------------------------------------
# concise and text

def test_concise_lists_findings_then_file_errors():
    assert reporters.concise_report(sample_reports()) == (
        "notebooks/train.ipynb:cell 3:2:1: TFM105 `tf.contrib` was removed in TensorFlow 2\n"
        "pkg/model.py:3:5: TFM101 `tf.random_normal` is `tf.random.normal` in TensorFlow 2\n"
        "pkg/model.py:12:6: TFM001 `tf.placeholder` does not exist in TensorFlow 2\n"
        "legacy/py2.py: error: invalid syntax at 1:7\n"
    )


def test_concise_of_a_clean_run_is_empty():
    assert reporters.concise_report([FileReport("a.py"), FileReport("b.py", skipped=True)]) == ""


def test_text_shows_source_carets_and_fixes():
    assert reporters.text_report(sample_reports()) == (
        "notebooks/train.ipynb:cell 3:2:1: TFM105 `tf.contrib` was removed in TensorFlow 2\n"
        "  |\n"
        "2 | tf.contrib.layers.flatten(x)\n"
        "  | ^^^^^^^^^^^^^^^^^\n"
        "\n"
        "pkg/model.py:3:5: TFM101 [*] `tf.random_normal` is `tf.random.normal` in TensorFlow 2\n"
        "  |\n"
        "3 | w = tf.random_normal([2])\n"
        "  |     ^^^^^^^^^^^^^^^^\n"
        "  = fix (safe): replace with `tf.random.normal`\n"
        "\n"
        "pkg/model.py:12:6: TFM001 `tf.placeholder` does not exist in TensorFlow 2\n"
        "   |\n"
        "12 | \tx = tf.placeholder(\n"
        "   | \t    ^^^^^^^^^^^^^^^\n"
        "   = fix (unsafe): graph-to-eager rewrite\n"
        "\n"
        "legacy/py2.py: error: invalid syntax at 1:7\n"
    )


def test_text_marks_unsafe_fixes_only_when_they_would_apply():
    module = sample_reports()[2]
    heads = [line for line in reporters.text_report([module], unsafe_fixes=True).splitlines() if "TFM" in line]
    assert heads == [
        "pkg/model.py:3:5: TFM101 [*] `tf.random_normal` is `tf.random.normal` in TensorFlow 2",
        "pkg/model.py:12:6: TFM001 [*] `tf.placeholder` does not exist in TensorFlow 2",
    ]


def test_text_without_fixes_or_source_line():
    report = FileReport("a.py", findings=[
        finding("TFM003", "session.run", "a.py", (7, 1), (7, 9), fix=GRAPH, source=""),
        finding("TFM101", "renamed", "a.py", (9, 5), (9, 21), fix=RENAME, source="w = tf.random_normal([2])\n"),
    ])
    assert reporters.text_report([report], show_fixes=False) == (
        "a.py:7:1: TFM003 session.run\n"
        "\n"
        "a.py:9:5: TFM101 [*] renamed\n"
        "  |\n"
        "9 | w = tf.random_normal([2])\n"
        "  |     ^^^^^^^^^^^^^^^^\n"
        "\n"
    )


@pytest.mark.parametrize("fix, shown", [
    (Fix(Applicability.SAFE, "replace", (Edit(Position(1, 1), Position(2, 1), ""),)), "= fix (safe): delete it"),
    (Fix(Applicability.UNSAFE, "replace", (Edit(Position(1, 1), Position(1, 5), "a\nb"),)), "= fix (unsafe): replace"),
    (Fix(Applicability.DISPLAY, "", ()), "= fix (display-only): rewrite"),
])
def test_text_says_what_a_fix_does(fix, shown):
    report = FileReport("a.py", findings=[finding("TFM003", "m", "a.py", (1, 1), (1, 5), fix=fix, source="init\n")])
    assert reporters.text_report([report]).splitlines()[-2:] == ["  " + shown, ""]


def test_text_caret_for_an_empty_span_past_the_line_end():
    report = FileReport("a.py", findings=[finding("TFM003", "m", "a.py", (1, 6), (1, 6), source="ab\n")])
    assert reporters.text_report([report]).splitlines()[3] == "  |      ^"


def test_text_in_colour():
    report = FileReport("a.py", findings=[finding("TFM101", "renamed", "a.py", (1, 1), (1, 3), fix=RENAME,
                                                  source="ab\n")])
    report.error = FileError("a.py", "fix reverted")
    assert reporters.text_report([report], color=True, show_fixes=False) == (
        "\x1b[1ma.py\x1b[0m\x1b[36m:\x1b[0m1\x1b[36m:\x1b[0m1\x1b[36m:\x1b[0m \x1b[1;31mTFM101\x1b[0m"
        " \x1b[36m[*]\x1b[0m renamed\n"
        "\x1b[1;34m  |\x1b[0m\n"
        "\x1b[1;34m1 |\x1b[0m ab\n"
        "\x1b[1;34m  |\x1b[0m \x1b[1;31m^^\x1b[0m\n"
        "\n"
        "\x1b[1ma.py\x1b[0m\x1b[36m:\x1b[0m \x1b[1;31merror\x1b[0m\x1b[36m:\x1b[0m fix reverted\n"
    )


# --------------------------------------------------------------------------
# json

def test_json_entries():
    text = reporters.json_report(sample_reports(), rules=RULES)
    assert json.loads(text) == [
        {
            "cell": 3, "code": "TFM105", "end_location": {"column": 18, "row": 2}, "filename": "notebooks/train.ipynb",
            "fix": None, "location": {"column": 1, "row": 2},
            "message": "`tf.contrib` was removed in TensorFlow 2", "url": None,
        },
        {
            "cell": None, "code": "TFM101", "end_location": {"column": 21, "row": 3}, "filename": "pkg/model.py",
            "fix": {
                "applicability": "safe",
                "edits": [{"content": "tf.random.normal", "end_location": {"column": 21, "row": 3},
                           "location": {"column": 5, "row": 3}}],
                "message": "replace",
            },
            "location": {"column": 5, "row": 3},
            "message": "`tf.random_normal` is `tf.random.normal` in TensorFlow 2",
            "url": "https://example.org/rules/TFM101",
        },
        {
            "cell": None, "code": "TFM001", "end_location": {"column": 30, "row": 13}, "filename": "pkg/model.py",
            "fix": {"applicability": "unsafe", "edits": [], "message": "graph-to-eager rewrite"},
            "location": {"column": 6, "row": 12},
            "message": "`tf.placeholder` does not exist in TensorFlow 2", "url": None,
        },
        {"code": None, "error": True, "filename": "legacy/py2.py", "message": "invalid syntax at 1:7"},
        {"file": True, "filename": "legacy/py2.py", "reason": None, "status": "error"},
        {"file": True, "filename": "notebooks/train.ipynb", "status": "manual", "reason": {
            "cell": 3, "code": "TFM105", "end_location": {"column": 18, "row": 2}, "location": {"column": 1, "row": 2},
            "message": "`tf.contrib` was removed in TensorFlow 2"}},
        {"file": True, "filename": "pkg/model.py", "reason": None, "status": "idiomatic"},
        {"file": True, "filename": "util.py", "reason": None, "status": "clean"},
    ]


def test_json_file_entries_name_the_finding_that_sets_the_status():
    """The reason is the first finding whose verdict is the file's status, not merely the first finding."""
    path = "a.py"
    report = FileReport(path, status=Status.COMPAT, findings=[
        finding("TFM003", "session.run", path, (4, 1), (4, 9), fix=GRAPH),
        finding("TFM090", "kept on compat: a note", path, (5, 1), (5, 2), verdict=Status.IDIOMATIC),
        finding("TFM090", "kept on compat: class M", path, (6, 1), (6, 8), verdict=Status.COMPAT),
        finding("TFM090", "kept on compat: later", path, (9, 1), (9, 8), verdict=Status.COMPAT),
    ])
    fixed = FileReport("b.py", status=Status.IDIOMATIC, changed=True, fixed=4)  # nothing left, not clean
    entries = json.loads(reporters.json_report([report, fixed]))
    assert entries[-2:] == [
        {"file": True, "filename": "a.py", "status": "compat-only", "reason": {
            "cell": None, "code": "TFM090", "end_location": {"column": 8, "row": 6}, "location": {"column": 1, "row": 6},
            "message": "kept on compat: class M"}},
        {"file": True, "filename": "b.py", "reason": None, "status": "idiomatic"},
    ]
    assert [e["code"] for e in entries[:-2]] == ["TFM003", "TFM090", "TFM090", "TFM090"]


def test_json_layout_is_sorted_and_indented():
    text = reporters.json_report(sample_reports()[:2])
    assert text.splitlines()[:8] == [
        "[",
        "  {",
        '    "cell": 3,',
        '    "code": "TFM105",',
        '    "end_location": {',
        '      "column": 18,',
        '      "row": 2',
        "    },",
    ]
    assert text.endswith("]\n")
    assert reporters.json_report([]) == "[]\n"


def test_json_error_names_the_rule_whose_fix_failed():
    report = FileReport("a.py", error=FileError("a.py", "fix by TFM101 produced invalid code", "TFM101"))
    assert json.loads(reporters.json_report([report])) == [
        {"code": "TFM101", "error": True, "filename": "a.py", "message": "fix by TFM101 produced invalid code"},
        {"file": True, "filename": "a.py", "reason": None, "status": "error"},
    ]


# --------------------------------------------------------------------------
# github

def test_github_escapes_properties_and_message():
    report = FileReport("src/a,b.py", findings=[
        finding("TFM003", "loss: 50% of steps\r\nrun again", "src/a,b.py", (4, 1), (4, 9)),
    ], error=FileError("src/a,b.py", "fix: 100% reverted", "TFM003"))
    assert reporters.github_report([report]) == (
        "::error title=tfmigrate (TFM003),file=src/a%2Cb.py,line=4,col=1,endLine=4,endColumn=9"
        "::TFM003 loss: 50%25 of steps%0D%0Arun again\n"
        "::error title=tfmigrate (TFM003),file=src/a%2Cb.py::fix: 100%25 reverted\n"
    )


def test_github_colon_in_path_and_notebook_cells():
    assert reporters.github_report(sample_reports()[:2]) == (
        "::error title=tfmigrate (TFM105),file=notebooks/train.ipynb"
        "::cell 3:2:1: TFM105 `tf.contrib` was removed in TensorFlow 2\n"
        "::error file=legacy/py2.py::invalid syntax at 1:7\n"
    )
    report = FileReport("C:/w/x.py", findings=[finding("TFM003", "m", "C:/w/x.py", (1, 2), (1, 3))])
    assert reporters.github_report([report]) == (
        "::error title=tfmigrate (TFM003),file=C%3A/w/x.py,line=1,col=2,endLine=1,endColumn=3::TFM003 m\n"
    )


# --------------------------------------------------------------------------
# sarif

def validate_sarif(text: str) -> dict:
    jsonschema = pytest.importorskip("jsonschema")
    with open(SCHEMA_PATH, encoding="utf-8") as stream:
        schema = json.load(stream)
    document = json.loads(text)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return document


def test_saved_schema_rejects_an_invalid_log():
    jsonschema = pytest.importorskip("jsonschema")
    with open(SCHEMA_PATH, encoding="utf-8") as stream:
        schema = json.load(stream)
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                          "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}
    assert list(jsonschema.Draft4Validator(schema).iter_errors(bad))


def test_sarif_is_valid_and_complete():
    log = validate_sarif(reporters.sarif_report(sample_reports(), tool_version="1.2.3", rules=RULES))
    assert log["$schema"] == reporters.SARIF_SCHEMA
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("tfmigrate", "1.2.3")
    assert [rule["id"] for rule in driver["rules"]] == ["TFM001", "TFM003", "TFM090", "TFM101", "TFM105"]
    assert driver["rules"][3] == {
        "id": "TFM101",
        "name": "renamed-symbol",
        "shortDescription": {"text": "A TF1 name that TF2 has under another name."},
        "helpUri": "https://example.org/rules/TFM101",
        "defaultConfiguration": {"level": "error"},
    }
    assert driver["rules"][2]["defaultConfiguration"] == {"level": "warning"}

    notebook, rename, placeholder = run["results"]
    assert notebook == {
        "ruleId": "TFM105",
        "ruleIndex": 4,
        "level": "error",
        "message": {"text": "cell 3:2:1: `tf.contrib` was removed in TensorFlow 2"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "notebooks/train.ipynb",
                                                                 "uriBaseId": "%SRCROOT%"}}}],
        "properties": {"cell": 3},
    }
    region = {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 21}
    assert rename["locations"][0]["physicalLocation"]["region"] == region
    assert rename["fixes"] == [{
        "description": {"text": "replace with `tf.random.normal` (safe fix)"},
        "artifactChanges": [{
            "artifactLocation": {"uri": "pkg/model.py", "uriBaseId": "%SRCROOT%"},
            "replacements": [{"deletedRegion": region, "insertedContent": {"text": "tf.random.normal"}}],
        }],
    }]
    assert "fixes" not in placeholder  # a whole-program rewrite has no text edits to give
    assert placeholder["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12, "startColumn": 6, "endLine": 13, "endColumn": 30}

    (invocation,) = run["invocations"]
    assert invocation == {
        "executionSuccessful": False,
        "toolExecutionNotifications": [{
            "level": "error",
            "message": {"text": "invalid syntax at 1:7"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "legacy/py2.py",
                                                                     "uriBaseId": "%SRCROOT%"}}}],
        }],
    }


def test_sarif_gives_every_file_its_status_as_an_artifact():
    log = validate_sarif(reporters.sarif_report(sample_reports(), tool_version="1.2.3", rules=RULES))
    (run,) = log["runs"]

    def at(path):
        return {"uri": path, "uriBaseId": "%SRCROOT%"}

    assert run["artifacts"] == [
        {"location": at("legacy/py2.py"), "properties": {"status": "error"}},
        {"location": at("notebooks/train.ipynb"), "properties": {"status": "manual", "statusReason": {
            "ruleId": "TFM105", "message": "`tf.contrib` was removed in TensorFlow 2", "cell": 3,
            "region": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 18}}}},
        {"location": at("pkg/model.py"), "properties": {"status": "idiomatic"}},
        {"location": at("util.py"), "properties": {"status": "clean"}},
    ]
    assert run["properties"] == {
        "migration": {"clean": 1, "idiomatic": 1, "compat-only": 0, "manual": 1, "error": 1}}


def test_sarif_of_a_clean_run():
    log = validate_sarif(reporters.sarif_report([FileReport("a.py")], tool_version="0.1.0", rules=RULES))
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_uris_of_unusual_paths(tmp_path):
    absolute = str(tmp_path / "my dir" / "m.py")
    odd = "a b/c#1.py"
    unknown_code = finding("TFM900", "unused suppression", odd, (1, 1), (1, 2))
    reports = [
        FileReport(absolute, findings=[finding("TFM003", "m", absolute, (1, 1), (1, 2))]),
        FileReport(odd, findings=[unknown_code], error=FileError(odd, "fix by TFM003 failed", "TFM003")),
    ]
    run = validate_sarif(reporters.sarif_report(reports, tool_version="0.1.0", rules=RULES))["runs"][0]
    first, second = (r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"])
    assert first == {"uri": (tmp_path / "my dir" / "m.py").as_uri()}
    assert "%20" in first["uri"]
    assert second == {"uri": "a%20b/c%231.py", "uriBaseId": "%SRCROOT%"}
    assert run["tool"]["driver"]["rules"][-1] == {"id": "TFM900", "defaultConfiguration": {"level": "warning"}}
    assert run["results"][1]["level"] == "warning"
    assert run["invocations"][0]["toolExecutionNotifications"][0]["associatedRule"] == {"id": "TFM003"}


def test_sarif_with_the_real_rule_catalog():
    from tfmigrate.registry import all_rules

    rules = {rule.code: rule for rule in all_rules()}
    log = validate_sarif(reporters.sarif_report(sample_reports(), tool_version="0.1.0", rules=rules))
    described = {rule["id"]: rule["shortDescription"]["text"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert described == {code: rule.summary() for code, rule in rules.items()}


# --------------------------------------------------------------------------
# junit

def test_junit_counts_and_elements():
    root = ET.fromstring(reporters.junit_report(sample_reports()))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    for element in (root, suite):
        assert (element.get("tests"), element.get("failures"), element.get("errors")) == ("4", "2", "1")
    assert suite.get("name") == "tfmigrate"
    cases = suite.findall("testcase")
    assert [case.get("classname") for case in cases] == [
        "legacy/py2.py", "notebooks/train.ipynb", "pkg/model.py", "util.py"]
    broken, notebook, module, plain = cases
    assert broken.find("error").get("message") == "invalid syntax at 1:7"
    assert [(f.get("message"), f.text) for f in notebook.findall("failure")] == [
        ("TFM105 `tf.contrib` was removed in TensorFlow 2", "notebooks/train.ipynb:cell 3:2:1")]
    assert [(f.get("type"), f.text) for f in module.findall("failure")] == [
        ("TFM101", "pkg/model.py:3:5"), ("TFM001", "pkg/model.py:12:6")]
    properties = {case.get("name"): [(p.get("name"), p.get("value")) for p in case.find("properties")]
                  for case in cases}
    assert properties == {
        "legacy/py2.py": [("status", "error")],
        "notebooks/train.ipynb": [
            ("status", "manual"),
            ("status_reason", "notebooks/train.ipynb:cell 3:2:1: TFM105 `tf.contrib` was removed in TensorFlow 2")],
        "pkg/model.py": [("status", "idiomatic")],
        "util.py": [("status", "clean")],
    }
    assert [child.tag for child in plain] == ["properties"]


def test_junit_escapes_markup_and_drops_characters_xml_cannot_hold():
    path = 'a&b<"c">.py'
    report = FileReport(path, findings=[finding("TFM003", "x < y & \"z\"\x01\nnext", path, (1, 1), (1, 2))])
    text = reporters.junit_report([report])
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    case = ET.fromstring(text).find("testsuite/testcase")
    assert case.get("classname") == path
    assert case.find("failure").get("message") == "TFM003 x < y & \"z\"\ufffd\nnext"


def test_junit_of_no_files():
    suite = ET.fromstring(reporters.junit_report([])).find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("0", "0", "0")


# --------------------------------------------------------------------------
# statistics

def statistics_reports():
    def many(code, count, fix):
        return [finding(code, "m", "a.py", (line, 1), (line, 2), fix=fix) for line in range(1, count + 1)]

    findings = many("TFM001", 1, GRAPH) + many("TFM003", 3, GRAPH) + many("TFM101", 2, RENAME) + many("TFM105", 2, None)
    return [FileReport("a.py", findings=findings[:5]), FileReport("b.py", findings=findings[5:])]


def test_statistics_table():
    assert reporters.statistics(statistics_reports(), RULES) == (
        "3  TFM003      session-run     0 fixable\n"
        "2  TFM101  [*] renamed-symbol  2 fixable\n"
        "2  TFM105      removed-symbol  0 fixable\n"
        "1  TFM001      placeholder     0 fixable\n"
        "8  total                       2 fixable (4 more with --unsafe-fixes)\n"
    )


def test_statistics_with_unsafe_fixes_and_unknown_codes():
    reports = statistics_reports() + [
        FileReport("c.py", findings=[finding("TFM900", "m", "c.py", (1, 1), (1, 2)) for _ in range(10)])]
    assert reporters.statistics(reports, RULES, unsafe_fixes=True) == (
        "10  TFM900                      0 fixable\n"
        " 3  TFM003  [*] session-run     3 fixable\n"
        " 2  TFM101  [*] renamed-symbol  2 fixable\n"
        " 2  TFM105      removed-symbol  0 fixable\n"
        " 1  TFM001  [*] placeholder     1 fixable\n"
        "18  total                       6 fixable\n"
    )
    assert reporters.statistics([FileReport("a.py")], RULES) == ""


def test_statistics_json():
    assert json.loads(reporters.statistics_json(statistics_reports(), RULES)) == [
        {"code": "TFM003", "name": "session-run", "count": 3, "fixable_count": 0},
        {"code": "TFM101", "name": "renamed-symbol", "count": 2, "fixable_count": 2},
        {"code": "TFM105", "name": "removed-symbol", "count": 2, "fixable_count": 0},
        {"code": "TFM001", "name": "placeholder", "count": 1, "fixable_count": 0},
    ]
    assert json.loads(reporters.statistics_json(statistics_reports(), RULES, unsafe_fixes=True))[0]["fixable_count"] == 3


# --------------------------------------------------------------------------
# summary line

def fixed_reports():
    left = [finding("TFM003", "m", "a.py", (1, 1), (1, 2), fix=GRAPH),
            finding("TFM105", "m", "a.py", (2, 1), (2, 2))]
    a = FileReport("a.py", findings=left, changed=True, fixed=3, unsafe_available=1, status=Status.COMPAT)
    b = FileReport("b.py", changed=True, fixed=2, status=Status.IDIOMATIC)
    return [a, b, FileReport("c.py", skipped=True)]


NOTEBOOK_REASON = "  manual       notebooks/train.ipynb:cell 3:2:1: TFM105 `tf.contrib` was removed in TensorFlow 2"
FIXED_REASON = "  compat-only  a.py:2:1: TFM105 m"  # no verdicts: the first finding no fix removes
NOT_IDIOMATIC = "Not idiomatic, with the first reason:"


@pytest.mark.parametrize("reports, fixing, unsafe, expected", [
    (sample_reports(), False, False,
     "Found 3 findings in 2 files (1 fixable; 1 more with --unsafe-fixes). 1 file could not be checked.\n"
     f"Migration: 1 idiomatic, 0 compat-only, 1 manual.\n{NOT_IDIOMATIC}\n{NOTEBOOK_REASON}"),
    (sample_reports(), False, True,
     "Found 3 findings in 2 files (2 fixable). 1 file could not be checked.\n"
     f"Migration: 1 idiomatic, 0 compat-only, 1 manual.\n{NOT_IDIOMATIC}\n{NOTEBOOK_REASON}"),
    (sample_reports()[1:2], False, False,
     f"Found 1 finding in 1 file.\nMigration: 0 idiomatic, 0 compat-only, 1 manual.\n{NOT_IDIOMATIC}\n{NOTEBOOK_REASON}"),
    ([FileReport("a.py", findings=[finding("TFM003", "m", "a.py", (1, 1), (1, 2), fix=GRAPH)])], False, False,
     "Found 1 finding in 1 file (1 fixable with --unsafe-fixes)."),
    ([FileReport("a.py"), FileReport("b.py", skipped=True)], False, False, "All checks passed."),
    ([], False, False, "All checks passed."),
    (sample_reports()[:1] * 2, False, False, "No findings. 2 files could not be checked."),
    (fixed_reports(), True, False,
     "Fixed 5 findings in 2 files (2 remaining; 1 fixable with --unsafe-fixes).\n"
     f"Migration: 1 idiomatic, 1 compat-only, 0 manual.\n{NOT_IDIOMATIC}\n{FIXED_REASON}"),
    (fixed_reports(), True, True,
     f"Fixed 5 findings in 2 files (2 remaining).\nMigration: 1 idiomatic, 1 compat-only, 0 manual.\n{NOT_IDIOMATIC}\n"
     f"{FIXED_REASON}"),
    (fixed_reports()[1:], True, False, "Fixed 2 findings in 1 file.\nMigration: 1 idiomatic, 0 compat-only, 0 manual."),
    ([FileReport("a.py", findings=fixed_reports()[0].findings, unsafe_available=1)], True, False,
     "Found 2 findings in 1 file, none fixed (1 fixable with --unsafe-fixes)."),
    ([FileReport("a.py", fixed=1)] + sample_reports()[:1], True, False,
     "Fixed 1 finding in 1 file. 1 file could not be fixed."),
    ([FileReport("a.py")], True, False, "All checks passed."),
])
def test_summary_line(reports, fixing, unsafe, expected):
    assert reporters.summary_line(reports, fixing=fixing, unsafe_fixes=unsafe) == expected


def test_summary_names_each_file_that_is_not_idiomatic_by_path_with_its_first_reason():
    def stuck(path, status, *found):
        return FileReport(path, status=status, findings=[
            finding(code, message, path, (line, 5), (line, 9), verdict=verdict) for code, message, line, verdict in found])

    reports = [
        stuck("z/late.py", Status.MANUAL, ("TFM090", "kept on compat: x", 2, Status.COMPAT),
              ("TFM105", "`tf.contrib` was removed", 7, Status.MANUAL)),
        stuck("a/early.py", Status.COMPAT, ("TFM003", "session.run", 3, None),
              ("TFM090", "kept on compat: class M", 4, Status.COMPAT)),
        stuck("m/fine.py", Status.IDIOMATIC, ("TFM001", "placeholder", 1, None)),
        stuck("n/none.py", Status.MANUAL),  # no findings to name: the path alone
        # an Estimator program the rewrite left as it is: what stopped it, not the first name it reports
        stuck("e/est.py", Status.MANUAL, ("TFM107", "`tf.estimator.LinearClassifier` is gone", 3, Status.MANUAL),
              ("TFM010", "not rewritten to Keras 3: feature column x", 5, Status.MANUAL)),
    ]
    assert reporters.summary_line(reports, fixing=False, unsafe_fixes=False).splitlines()[1:] == [
        "Migration: 1 idiomatic, 1 compat-only, 3 manual.",
        NOT_IDIOMATIC,
        "  compat-only  a/early.py:4:5: TFM090 kept on compat: class M",
        "  manual       e/est.py:5:5: TFM010 not rewritten to Keras 3: feature column x",
        "  manual       n/none.py",
        "  manual       z/late.py:7:5: TFM105 `tf.contrib` was removed",
    ]


def test_diff_summary_says_what_unsafe_fixes_would_add():
    changed = FileReport("a.py", diff="--- a/a.py\n", unsafe_available=3)
    untouched = FileReport("b.py", unsafe_available=5)
    assert reporters.diff_summary([changed, untouched], unsafe_fixes=False) == (
        "1 file would be changed (8 fixable with --unsafe-fixes).")
    assert reporters.diff_summary([untouched], unsafe_fixes=False) == (
        "0 files would be changed (5 fixable with --unsafe-fixes).")
    assert reporters.diff_summary([changed, untouched], unsafe_fixes=True) == "1 file would be changed."
    assert reporters.diff_summary([], unsafe_fixes=False) == "0 files would be changed."


# --------------------------------------------------------------------------
# dispatch

@pytest.mark.parametrize("fmt", reporters.FORMATS)
def test_render_dispatches_every_format(fmt):
    reports = sample_reports()
    expected = {
        "text": reporters.text_report(reports),
        "concise": reporters.concise_report(reports),
        "json": reporters.json_report(reports, rules=RULES),
        "github": reporters.github_report(reports),
        "sarif": reporters.sarif_report(reports, tool_version="9", rules=RULES),
        "junit": reporters.junit_report(reports),
    }[fmt]
    assert reporters.render(fmt, reports, tool_version="9", rules=RULES) == expected


def test_render_passes_text_options():
    reports = sample_reports()[2:3]
    assert reporters.render("text", reports, color=True, show_fixes=False, unsafe_fixes=True, tool_version="9") == (
        reporters.text_report(reports, color=True, show_fixes=False, unsafe_fixes=True))
    assert reporters.render("text", reports, tool_version="9") != reporters.render(
        "text", reports, unsafe_fixes=True, tool_version="9")


def test_render_rejects_an_unknown_format():
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        reporters.render("xml", [], tool_version="9")


def test_cli_formats_are_the_reporters_formats():
    from tfmigrate import cli

    assert tuple(cli.FORMATS) == reporters.FORMATS


@pytest.mark.parametrize("fmt, loaded", [
    ("text", ["_common", "summary", "text"]),
    ("concise", ["_common", "summary", "text"]),
    ("github", ["_common", "github"]),
    ("junit", ["_common", "junit"]),
])
def test_a_format_imports_only_its_own_module(tmp_path, fmt, loaded):
    import subprocess
    import sys

    (tmp_path / "a.py").write_text("import tensorflow as tf\nw = tf.random_normal([2])\n")
    probe = (f"import sys\nfrom tfmigrate import cli\ntry:\n    cli.cli.main(['check', '--no-cache', '--output-format',"
             f" '{fmt}', 'a.py'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
             "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('tfmigrate.reporters.')),"
             " file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == repr(loaded)
