"""The `junit` format: JUnit XML, one test case per file, its migration status as a property."""
from __future__ import annotations

import re
from typing import Sequence

from ..ftypes import FileReport
from ._common import TOOL_NAME, file_status, status_reason, where

# Characters XML 1.0 cannot hold at all, even escaped. (Compiled on first use: about 5 ms.)
_XML_INVALID = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def _xml(text: str) -> str:
    return re.sub(_XML_INVALID, "\ufffd", text)


def _junit_case(report: FileReport):
    import xml.etree.ElementTree as ET  # only JUnit needs it: not at start-up

    case = ET.Element("testcase", name=_xml(report.path), classname=_xml(report.path))
    properties = ET.SubElement(case, "properties")
    ET.SubElement(properties, "property", name="status", value=file_status(report))
    reason = status_reason(report)
    if reason is not None:
        ET.SubElement(properties, "property", name="status_reason",
                      value=_xml(f"{where(reason)}: {reason.code} {reason.message}"))
    for finding in report.findings:
        failure = ET.SubElement(case, "failure", message=_xml(f"{finding.code} {finding.message}"), type=finding.code)
        failure.text = _xml(where(finding))
    if report.error is not None:
        ET.SubElement(case, "error", message=_xml(report.error.reason), type="error")
    return case


def junit_report(reports: Sequence[FileReport]) -> str:
    """JUnit XML: suite `tfmigrate`, one test case per file checked.

    Each test case's `<properties>` give the file's migration `status`
    (idiomatic, compat-only, manual, clean, error) and, for a compat-only or
    manual file, `status_reason`: the first finding that sets it. A finding
    is a `<failure>` (message `CODE message`, text its location), a file that
    could not be checked an `<error>`. `failures` and `errors`
    count the test cases (files) that have them, as the JUnit schema says.
    """
    import xml.etree.ElementTree as ET

    cases = [_junit_case(report) for report in reports]
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(1 for report in reports if report.findings)),
        "errors": str(sum(1 for report in reports if report.error is not None)),
    }
    root = ET.Element("testsuites", name=TOOL_NAME, **counts)
    suite = ET.SubElement(root, "testsuite", name=TOOL_NAME, skipped="0", **counts)
    suite.extend(cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
