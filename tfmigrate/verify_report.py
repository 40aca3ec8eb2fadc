"""The report of ``tfmigrate verify``: both runs, their numbers side by side, why they differ, the verdict last."""
from __future__ import annotations

import os
import re
import textwrap
from typing import List, Optional

from .comparison import DIFFERS, EXACT, WITHIN, Comparison, NumberRow

STDERR_TAIL = 8  # lines of a failed run's stderr shown in the report
QUOTE_WIDTH = 100  # characters of an output line quoted at the first divergence
SMALL = 1e-3  # a relative difference the known differences of optimizers stay within (the fixtures' tolerance)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _value(value: Optional[float]) -> str:
    return "-" if value is None else repr(value)


def _difference(row: NumberRow) -> str:
    if row.original is None or row.rewrite is None:
        return "missing"
    return "0" if row.difference == 0 else f"{row.difference:.2e}"


def _shown_rows(rows: List[NumberRow], max_rows: int) -> List[NumberRow]:
    """At most max_rows rows: the differing ones first, then the earliest, in printed order."""
    if len(rows) <= max_rows:
        return rows
    chosen = [row for row in rows if not row.ok][:max_rows]
    chosen += [row for row in rows if row.ok][: max_rows - len(chosen)]
    return sorted(chosen, key=lambda row: row.index)


def _table(comparison: Comparison, max_rows: int) -> List[str]:
    shown = _shown_rows(comparison.rows, max_rows)
    values = [(_value(r.original), _value(r.rewrite)) for r in shown]
    width = max([len("original"), len("rewrite")] + [len(v) for pair in values for v in pair])
    index_width = max(len("#"), len(str(comparison.rows[-1].index)) if comparison.rows else 1)
    lines = [f"{'#':>{index_width}}  {'original':<{width}}  {'rewrite':<{width}}  {'rel. diff':<9}  "]
    previous = 0
    for row, (a, b) in zip(shown, values):
        if row.index != previous + 1:
            lines.append(f"{'...':>{index_width}}")
        lines.append(f"{row.index:>{index_width}}  {a:<{width}}  {b:<{width}}  {_difference(row):<9}  "
                     f"{'ok' if row.ok else 'differs'}")
        previous = row.index
    shown_indices = {row.index for row in shown}
    left_out = [row for row in comparison.rows if row.index not in shown_indices]
    if left_out:
        differ = sum(1 for row in left_out if not row.ok)
        lines.append(f"({_plural(len(left_out), 'row')} left out: {len(left_out) - differ} agree, {differ} differ)")
    return [line.rstrip() for line in lines]


def _quote(text: str) -> str:
    text = text.rstrip()
    return text if len(text) <= QUOTE_WIDTH else text[: QUOTE_WIDTH - 3] + "..."


def _first_divergence(result) -> List[str]:
    row = result.comparison.first_divergence
    if row is None:
        return []
    if row.original is None or row.rewrite is None:
        side, count = ("rewrite", result.comparison.rewrite_count) if row.rewrite is None else \
            ("original", result.comparison.original_count)
        head = f"first divergence: number {row.index}: the {side} printed only {_plural(count, 'number')}"
    elif row.original_line == row.rewrite_line:
        head = f"first divergence: number {row.index}, on output line {row.original_line} of each program"
    else:
        head = (f"first divergence: number {row.index}, on output line {row.original_line} of the original "
                f"and line {row.rewrite_line} of the rewrite")
    lines = [head + ":"]
    for side, run, line in (("original", result.original, row.original_line),
                            ("rewrite", result.rewrite, row.rewrite_line)):
        if line is not None:
            lines.append(f"  {side:<8} | {_quote(run.output_line(line))}")
    return lines


def _run_line(side: str, path: str, run) -> str:
    status = "ok" if run.ok else "failed"
    mode = f"{run.mode} on {run.runtime}" if run.runtime else run.mode
    return f"{side:<9}{path}  ({mode}, {status}, {_plural(len(run.numbers), 'number')}, {run.seconds:.1f} s)"


def _count_line(comparison: Comparison) -> str:
    count = comparison.original_count
    return _plural(count, "number")


def verdict_line(result) -> str:
    comparison = result.comparison
    if result.verdict in ("error", "could not run"):
        return f"{result.verdict}: {result.reason}"
    if result.verdict == EXACT:
        each = "each " if comparison.original_count > 1 else ""
        return f"exact: {_count_line(comparison)}, {each}printed identically"
    largest = comparison.largest
    at = f"largest relative difference {_difference(largest)}, at #{largest.index}"
    if result.verdict == WITHIN:
        inexact = sum(1 for row in comparison.rows if not row.exact)
        return (f"within tolerance: {_count_line(comparison)} agree within {comparison.tolerance}; "
                f"{inexact} not identically ({at})")
    if not comparison.lengths_match:
        line = (f"differs: the original printed {_plural(comparison.original_count, 'number')}, "
                f"the rewrite {comparison.rewrite_count}")
    else:
        line = (f"differs: {len(comparison.differing)} of {_count_line(comparison)} differ by more than "
                f"{comparison.tolerance} ({at})")
    if result.known and comparison.lengths_match:
        if largest.difference <= SMALL:
            line += (f"; a small difference, of the size the known differences above explain "
                     f"(--rtol 1e-3 accepts it)")
        else:
            line += "; larger than the known differences above explain"
    return line


def _stderr_tail(run, program) -> List[str]:
    """The last lines of stderr, from the last traceback on when there is one (past TF's log noise)."""
    lines = [line for line in run.stderr.rstrip().splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    if starts:
        lines = lines[starts[-1]:]
    lines = lines[-STDERR_TAIL:]
    if program is not None and program.notebook:  # a notebook's line numbers are those of its cells
        pattern = re.compile(r'(File "' + re.escape(os.path.abspath(program.path)) + r'"), line (\d+)')
        lines = [pattern.sub(lambda m: f"{m.group(1)}, {program.where(int(m.group(2)))}", line) for line in lines]
    return lines


def format_report(result, max_rows: int = 20) -> str:
    """Both runs, their numbers side by side (at most max_rows rows), what explains a difference, the verdict."""
    lines = [_run_line("original", result.original_path, result.original),
             _run_line("rewrite", result.rewrite_filename, result.rewrite)]
    lines += [f"note: {note}" for note in result.notes]
    lines.append("")
    programs = result.programs or (None, None)
    for side, run, program in (("original", result.original, programs[0]), ("rewrite", result.rewrite, programs[1])):
        if not run.ok:
            lines += [f"the {side}'s stderr ends with:"]
            lines += [f"  | {line}" for line in _stderr_tail(run, program)] + [""]
    comparison = result.comparison
    if comparison is not None and comparison.rows:
        lines += _table(comparison, max_rows)
    if result.verdict == DIFFERS:
        lines += _first_divergence(result)
    if result.verdict in (WITHIN, DIFFERS) and result.known:
        lines.append("known numerical differences of this rewrite:")
        for text in result.known:
            lines += textwrap.wrap(text, 100, initial_indent="  - ", subsequent_indent="    ")
    if result.verdict == DIFFERS and result.random_hint:
        lines.append(f"the programs draw random values ({result.random_hint}): graph and eager TensorFlow draw "
                     f"different values even for the same seed; --deterministic gives both runs the same ones")
    lines.append(verdict_line(result))
    return "\n".join(lines)
