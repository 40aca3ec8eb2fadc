"""Checking and fixing a Jupyter notebook.

The code cells run in one namespace, one after the other: the import in
cell 1 is what `tf` means in cell 5, and a placeholder made in cell 2 is fed
in cell 4. So the cells are checked and fixed as one program, each behind a
marker line, and split back into cells afterwards; findings say
`cell N:line:col`.
"""
from __future__ import annotations

import bisect
import dataclasses
import re

from .engine import process_text, unified_diff
from .ftypes import FileError, FileReport, Position
from .sources import SourceFile, encode_source, ensure_writable, write_atomic

_MARKER = "# tfmigrate-cell-{}"
_MARKER_LINE = re.compile(r"^# tfmigrate-cell-(\d+)\r?$", re.MULTILINE)


def _combined(cells):
    """(one program of all cells, the line each cell starts on, cell indexes)."""
    parts, starts, indexes = [], [], []
    line = 1
    for cell in cells:
        source = cell.source if cell.source.endswith("\n") or not cell.source else cell.source + "\n"
        parts.append(_MARKER.format(cell.index) + "\n" + source)
        starts.append(line)
        indexes.append(cell.index)
        line += 1 + source.count("\n")
    return "".join(parts), starts, indexes


def _split(text: str, cells):
    """The fixed program cut back into cell sources, or None if a marker was lost."""
    pieces = _MARKER_LINE.split(text)
    if pieces[0].strip() or len(pieces) != 2 * len(cells) + 1:
        return None
    sources = {}
    for cell, (index, body) in zip(cells, zip(pieces[1::2], pieces[2::2])):
        if int(index) != cell.index:
            return None
        body = body[1:] if body.startswith("\n") else body
        if not cell.source.endswith("\n") and body.endswith("\n"):
            body = body[:-1]
        sources[cell.index] = body
    return sources


def _in_cell(finding, starts, indexes):
    slot = bisect.bisect_right(starts, finding.start.line) - 1
    if slot < 0:
        return finding
    offset = starts[slot]
    start = Position(finding.start.line - offset, finding.start.column)
    end = Position(max(1, finding.end.line - offset), finding.end.column)
    return dataclasses.replace(finding, start=start, end=end, cell=indexes[slot])


def process_notebook(source: SourceFile, job) -> FileReport:
    from .notebook import NotebookError, load_notebook

    path = source.path
    try:
        notebook = load_notebook(source.text)
    except NotebookError as error:
        return FileReport(path, error=FileError(path, str(error)))
    report = FileReport(path)
    if "tensorflow" not in source.text or not notebook.cells:
        report.skipped = True
        return report
    program, starts, indexes = _combined(notebook.cells)
    outcome = process_text(program, path, job.options)  # a syntax error propagates: the caller reports it
    findings = outcome.remaining if job.options.fix else outcome.findings
    report.findings = sorted((_in_cell(f, starts, indexes) for f in findings), key=lambda f: f.sort_key())
    report.status = outcome.status
    report.unsafe_available = outcome.unsafe_available
    report.error = outcome.error
    if job.options.fix and outcome.new_text != program:
        sources = _split(outcome.new_text, notebook.cells)
        if sources is None:
            report.error = FileError(path, "a fix moved code across notebook cells; left as it was")
            return report
        changed = {i: s for i, s in sources.items() if s != next(c.source for c in notebook.cells if c.index == i)}
        try:
            new_text = notebook.with_sources(changed)
        except NotebookError as error:
            report.error = FileError(path, str(error))
            return report
        report.fixed = max(0, len(outcome.findings) - len(outcome.remaining))
        report.changed = new_text != source.text
        report.new_source = new_text
        if report.changed:
            if job.diff:
                report.diff = unified_diff(source.text, new_text, path)
            elif job.write:
                ensure_writable(source)
                write_atomic(path, encode_source(new_text, source))
    return report
