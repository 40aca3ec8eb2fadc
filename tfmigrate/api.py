"""The functions behind the CLI: check or fix files, one report per file."""
from __future__ import annotations

import dataclasses
from typing import Callable, List, Optional, Sequence, Tuple

from .ftypes import FileError, FileReport
from .options import Options
from .sources import SourceError, encode_source, ensure_writable, quick_scan, read_source, write_atomic


@dataclasses.dataclass(frozen=True)
class Job:
    """What to do with each file: check, fix in place, or show the diff."""

    options: Options
    write: bool = False  # fix: write the fixed files
    diff: bool = False  # fix --diff: put a unified diff in the report, write nothing
    cache_dir: Optional[str] = None
    # fix: an eager program importing files next to it, and a file kept on compat.v1, are written
    # (or diffed) only once the run knows what the files it imports become (project.py, merge.py)
    defer: bool = False


def check_text(text: str, path: str, options: Options):
    """Check (and with ``options.fix``, fix) one Python source held in memory."""
    from .engine import process_text

    return process_text(text, path, options)


def _protect(path: str, work: Callable[[], FileReport]) -> FileReport:
    """Run ``work``; turn any failure into a one-line error for this file."""
    try:
        return work()
    except SourceError as error:
        return FileReport(path, error=FileError(path, error.reason))
    except RecursionError:
        return FileReport(path, error=FileError(path, "too deeply nested to parse"))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as error:  # a bug must not stop the other files
        if type(error).__name__ == "RuleFailure":
            return FileReport(path, error=FileError(path, str(error), error.code))
        if type(error).__name__ == "ParserSyntaxError":
            from .engine import syntax_reason

            return FileReport(path, error=FileError(path, syntax_reason(error)))
        detail = " ".join(str(error).split())[:200]
        return FileReport(path, error=FileError(path, f"internal error: {type(error).__name__}: {detail}"))


def process_file(path: str, job: Job) -> FileReport:
    """Check or fix one file on disk."""
    return _protect(path, lambda: _process_file(path, job))


def _process_file(path: str, job: Job) -> FileReport:
    source = read_source(path)
    if path.endswith(".ipynb"):
        from .notebook_files import process_notebook

        return process_notebook(source, job)
    if not quick_scan(source.raw):
        return FileReport(path, skipped=True, imports=None)  # read if a program's imports lead here
    cached = _cache_get(job, source)
    if cached is not None:
        return cached
    from .engine import parse_error_reason, process_text, unified_diff  # libcst: only when the cache cannot answer

    try:
        outcome = process_text(source.text, path, job.options)
    except Exception as error:
        if type(error).__name__ != "ParserSyntaxError":
            raise
        from .py2 import with_advice

        reason = with_advice(source.text, parse_error_reason(source.text, error), path)
        return FileReport(path, error=FileError(path, reason))
    report = report_for(path, source.text, outcome, job.options)
    from .project import COMPAT, EAGER, ESTIMATOR_LIBRARY, ESTIMATOR_PROGRAM, imports_files, is_library, scan_imports

    report.mode, report.mode_reason = outcome.mode, outcome.mode_reason
    report.imports = scan_imports(source.text)
    if report.changed:
        # (an eager library waits too: a compat file of the run that imports it keeps it on compat, project.py)
        if job.defer and (report.mode in (COMPAT, ESTIMATOR_LIBRARY) or report.mode in (EAGER, ESTIMATOR_PROGRAM)
                          and imports_files(path, report.imports) or report.mode == EAGER and is_library(source.text)):
            report.deferred = True
        else:
            _deliver(report, source, job)
    _cache_put(job, source, report)
    return report


def _deliver(report: FileReport, source, job: Job) -> None:
    """Write the fixed text of ``report`` (fix), or put its diff in the report (fix --diff)."""
    if job.diff:
        from .engine import unified_diff

        report.diff = unified_diff(source.text, report.new_source, report.path)
    elif job.write:
        ensure_writable(source)
        write_atomic(report.path, encode_source(report.new_source, source))


def _deliver_checked(report: FileReport, job: Job) -> FileReport:
    """`_deliver` after the whole run was read: the file is read again and must not have changed."""
    def work() -> FileReport:
        source = read_source(report.path)
        if _digest(source.text) != report.original_digest:
            return FileReport(report.path, error=FileError(report.path, "changed while tfmigrate ran; left as it is"))
        _deliver(report, source, job)
        return report

    return _protect(report.path, work)


def report_for(path: str, original: str, outcome, options: Options) -> FileReport:
    """The FileReport of one processed text (a file, a notebook cell, stdin)."""
    fixing = options.fix
    findings = outcome.remaining if fixing else outcome.findings
    report = FileReport(path, findings=list(findings), status=outcome.status, error=outcome.error)
    report.unsafe_available = outcome.unsafe_available if not options.unsafe_fixes else 0
    if not fixing:
        report.unsafe_available = sum(
            1 for f in outcome.findings if f.fix is not None and f.fix.applicability.value == "unsafe"
        )
    if fixing and outcome.new_text is not None:
        report.original_digest = _digest(original)
        report.changed = outcome.new_text != original
        report.fixed = max(0, len(outcome.findings) - len(outcome.remaining)) if report.changed else 0
        report.new_source = outcome.new_text
    return report


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def run(paths: Sequence[str], job: Job, jobs: int = 1, progress=None) -> List[FileReport]:
    """Process files, over ``jobs`` processes, as one program: a file that imports one kept on
    tensorflow.compat.v1 (in the run, or on disk next to it) is processed again knowing it
    (project.py); an eager program that imports files, and an eager library, is written once that is
    settled. Reports
    sorted by path."""
    first = dataclasses.replace(job, defer=True) if job.write or job.diff else job
    reports = _run(paths, first, jobs, progress)
    blockers, merged = project_verdicts(reports, job, jobs)
    if blockers or merged:
        options = dataclasses.replace(job.options, blockers=blockers, merged=merged)
        again = _run(sorted(set(blockers) | set(merged)), dataclasses.replace(job, options=options), jobs, None)
        by_path = {r.path: r for r in again}
        reports = [by_path.get(r.path, r) for r in reports]
    return [_deliver_checked(r, job) if r.deferred else r for r in reports]


def project_verdicts(reports: Sequence[FileReport], job: Job, jobs: int = 1) -> Tuple[dict, dict]:
    """What the run as a whole decides (project.py, merge.py): ({path: (import, reason)} for the
    files that import one kept on tensorflow.compat.v1, in the run or on disk next to it, and
    {path: new text} for the programs and libraries rewritten together)."""
    import os

    from . import project

    facts = list(reports)
    known = {os.path.normpath(r.path) for r in reports}
    look = Job(dataclasses.replace(job.options, fix=False, blockers=None, merged=None), cache_dir=job.cache_dir)
    while True:  # the files the run's programs import from outside it: checked, for what they become
        extra = project.outside_files(facts, known)
        if not extra:
            break
        known.update(extra)
        facts += _run(extra, look, jobs, None)
    in_run = {r.path for r in reports}
    table = project.facts_of(facts)
    blockers = project.project_blockers(table)
    merged: dict = {}
    if blockers or any(f.mode in (project.ESTIMATOR_PROGRAM, project.VARIABLE_LIBRARY) for f in table.values()):
        every, importers = project.merge_candidates(table)
        candidates = [c for c in every if c[0] in in_run and (c[0] in blockers or c[1] in in_run and (
            table[c[0]].mode == project.ESTIMATOR_PROGRAM or table[c[1]].mode == project.VARIABLE_LIBRARY))]
        for library in {c[1] for c in candidates}:  # callers next to it that the run does not see
            importers[library] = importers.get(library, []) + project.importers_on_disk(library, known)
        if candidates:
            from .merge import merges

            together = Options(config=job.options.config, fix=True, unsafe_fixes=True)
            refused: dict = {}
            merged = merges(candidates, importers, lambda path: read_source(path).text, together, refused)
            merged = _reached(merged, candidates, together)
            while merged:  # a program still blocked by another import is not merged after all
                changed = dict(table)
                for path in merged:
                    if table[path].mode != project.EAGER:  # a library: TF2 functions now
                        changed[path] = dataclasses.replace(table[path], mode="", reason="")
                still = project.project_blockers(changed)
                stuck = {library for program, library, _ in candidates if program in merged and program in still}
                if not stuck:
                    blockers = still
                    break
                drop = stuck | {program for program, library, _ in candidates if library in stuck}
                merged = {path: text for path, text in merged.items() if path not in drop}
            for program, library, name in candidates:  # a library the run may not write
                if program in merged and library not in in_run:
                    shown = _seen_from(program, library)
                    blockers[program] = (name, f"importing `{name}` loads {shown}, which stays on tensorflow.compat.v1"
                                               " when it is fixed alone: fix both files in one run to rewrite them"
                                               " together")
            merged = {path: text for path, text in merged.items() if path in in_run and path not in blockers}
            blockers.update(_refusals(refused, candidates, table, merged))
        for program, library, name in every:  # its functions would make new variables at each eager call
            if table[library].mode == project.VARIABLE_LIBRARY and program in in_run and program not in merged:
                blockers.setdefault(program, (name, _variables_reason(program, library, table[library].reason,
                                                                      library in in_run)))
    return {p: why for p, why in blockers.items() if p in in_run and p not in merged}, merged


def _seen_from(path: str, other: str) -> str:
    """``other`` as a path from ``path``'s folder (what a finding in ``path`` names it)."""
    import os

    return os.path.relpath(os.path.normpath(other), os.path.dirname(os.path.normpath(path)))


def _variables_reason(program: str, library: str, function: str, together: bool) -> str:
    """Why ``program`` stays on compat.v1: ``library``'s ``function`` makes variables (project.VARIABLE_LIBRARY)."""
    head = (f"{_seen_from(program, library)}, which this program imports, makes variables in {function} (TF1 made "
            "them once, where the graph was built; each eager call would make new ones)")
    return head + (", and the two files rewritten together stop short" if together else
                   ": fix both files in one run to rewrite them together")


def _refusals(refused: dict, candidates, table, merged: dict) -> dict:
    """{path: (import, reason)} for an Estimator program and its model_fn's file whose rewrite together
    stopped short of idiomatic: each file says where, instead of asking for the run it is in."""
    from . import project

    found = {}
    for program, library, name in candidates:
        if program not in refused or program in merged or table[program].mode != project.ESTIMATOR_PROGRAM:
            continue
        refused_library, in_library, line, message = refused[program]
        stopped = refused_library if in_library else program  # (the library read with it when it stopped)
        for path, other in ((program, refused_library), (library, program)):
            shown, at = _seen_from(path, other), _seen_from(path, stopped)
            at += f":{line}" if line is not None else ""
            found.setdefault(path, (name, f"read with {shown} as one program, which stops at {at}: {message}"))
    return found


def _reached(merged: dict, candidates, options: Options) -> dict:
    """The merged texts that fixing each file with its text as the rewrite really gives; a
    library and its programs are dropped together when one of them would not get there."""
    from .engine import process_text

    groups: dict = {}
    for program, library, _ in candidates:
        groups.setdefault(library, {library}).add(program)
    checking = dataclasses.replace(options, merged=merged)
    failed = set()
    for path, text in merged.items():
        try:
            reached = process_text(read_source(path).text, path, checking).new_text == text
        except Exception:
            reached = False
        if not reached:
            failed |= next((group for group in groups.values() if path in group), {path})
    return {path: text for path, text in merged.items() if path not in failed}


def _run(paths: Sequence[str], job: Job, jobs: int = 1, progress=None) -> List[FileReport]:
    reports: List[FileReport] = []
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            reports.append(process_file(path, job))
            if progress is not None:
                progress(1)
    else:
        from concurrent.futures import ProcessPoolExecutor  # only a run over many files pays for it

        # Small chunks: a folder of TF1 scripts costs far more than one of plain modules, and
        # the last chunks decide when the run ends.
        chunk = max(1, min(8, len(paths) // (jobs * 8) or 1))
        pool = ProcessPoolExecutor(max_workers=jobs)
        try:
            for report in pool.map(process_file, paths, [job] * len(paths), chunksize=chunk):
                reports.append(report)
                if progress is not None:
                    progress(1)
        except BaseException:
            # Interrupted: files not started are left alone; a file being written finishes whole.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    reports.sort(key=lambda r: r.path)
    return reports


# --- result cache (see cache.py) -------------------------------------------

def _cache_get(job: Job, source) -> Optional[FileReport]:
    if job.cache_dir is None or job.options.fix:
        return None
    from . import cache

    return cache.get(job.cache_dir, source.path, source.raw, job.options)


def _cache_put(job: Job, source, report: FileReport) -> None:
    if job.cache_dir is None or job.options.fix or report.error is not None:
        return
    from . import cache

    cache.put(job.cache_dir, source.path, source.raw, job.options, report)
