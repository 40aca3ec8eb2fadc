"""Checking and fixing a Jupyter notebook cell by cell."""
from __future__ import annotations

import dataclasses

import libcst as cst

from .engine import process_text, syntax_reason, unified_diff
from .ftypes import FileError, FileReport, Status
from .sources import SourceFile, encode_source, ensure_writable, write_atomic

_ORDER = [Status.CLEAN, Status.IDIOMATIC, Status.COMPAT, Status.MANUAL]


def process_notebook(source: SourceFile, job) -> FileReport:
    """Each code cell is a module of its own; locations say `cell N`."""
    from .notebook import NotebookError, load_notebook

    path = source.path
    try:
        notebook = load_notebook(source.text)
    except NotebookError as error:
        return FileReport(path, error=FileError(path, str(error)))
    report = FileReport(path)
    if "tensorflow" not in source.text:
        report.skipped = True
        return report
    new_sources = {}
    errors = []
    unparsable = False
    for cell in notebook.cells:
        try:
            outcome = process_text(cell.source, path, job.options)
        except cst.ParserSyntaxError as error:
            errors.append(f"cell {cell.index}: {syntax_reason(error)}")
            unparsable = True
            continue
        findings = outcome.remaining if job.options.fix else outcome.findings
        report.findings.extend(dataclasses.replace(f, cell=cell.index) for f in findings)
        report.status = max(report.status, outcome.status, key=_ORDER.index)
        report.unsafe_available += outcome.unsafe_available
        if outcome.error is not None:
            errors.append(f"cell {cell.index}: {outcome.error.reason}")
        if job.options.fix and outcome.new_text != cell.source:
            new_sources[cell.index] = outcome.new_text
            report.fixed += max(0, len(outcome.findings) - len(outcome.remaining))
    report.findings.sort(key=lambda f: f.sort_key())
    if errors:
        report.error = FileError(path, "; ".join(errors))
    if new_sources and not unparsable:  # a notebook with a broken cell is left as it is
        new_text = notebook.with_sources(new_sources)
        report.changed = new_text != source.text
        report.new_source = new_text
        if report.changed:
            if job.diff:
                report.diff = unified_diff(source.text, new_text, path)
            elif job.write:
                ensure_writable(source)
                write_atomic(path, encode_source(new_text, source))
    return report
