"""One run of `check`, `fix` or `report` from the command line: settings, files, processes, output.

The click layer (cli.py) parses the command line; this module turns the
parsed options into a run over the files and renders what it found.
"""
from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence, Tuple

import click

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def codes(values: Sequence[str]) -> Tuple[str, ...]:
    out: List[str] = []
    for value in values:
        out.extend(part.strip().upper() for part in value.split(",") if part.strip())
    return tuple(out)


def _known_codes() -> List[str]:
    from .registry import all_rules  # imports the rule modules: only when a selector needs checking

    return [rule.code for rule in all_rules()]


class Settings:
    """Configuration and command-line flags, merged."""

    def __init__(self, kwargs: dict, paths: Sequence[str]) -> None:
        from .config import ConfigError, Config, find_config, load_config
        from .selectors import check_known_codes

        path = kwargs.get("config_path")
        try:
            if kwargs.get("isolated"):
                config = load_config(None)
            else:
                start = kwargs.get("stdin_filename") or (paths[0] if paths and paths[0] != "-" else os.getcwd())
                start = os.path.dirname(os.path.abspath(start)) if os.path.isfile(start) or not os.path.exists(start) else os.path.abspath(start)
                config = load_config(path or find_config(start))
            overrides = dict(
                select=codes(kwargs.get("select") or ()) or None,
                extend_select=codes(kwargs.get("extend_select") or ()) or None,
                ignore=codes(kwargs.get("ignore") or ()) or None,
                extend_ignore=codes(kwargs.get("extend_ignore") or ()) or None,
                exclude=tuple(kwargs.get("exclude") or ()) or None,
                extend_exclude=tuple(kwargs.get("extend_exclude") or ()) or None,
                unsafe_fixes=kwargs.get("unsafe_fixes"),
            )
            file_config = config
            config = config.merged(**{k: v for k, v in overrides.items() if v is not None})
            selections = {k: overrides[k] for k in ("select", "extend_select", "ignore", "extend_ignore")
                          if overrides[k] is not None}
            check_known_codes(file_config, _known_codes, selections)
        except ConfigError as error:
            raise click.UsageError(str(error))
        self.config: Config = config
        self.kwargs = kwargs

    def cache_dir(self) -> Optional[str]:
        if self.kwargs.get("no_cache"):
            return None
        chosen = self.kwargs.get("cache_dir") or self.config.cache_dir
        if chosen:
            return chosen if os.path.isabs(chosen) else os.path.join(self.config.root, chosen)
        return os.path.join(self.config.root, ".tfmigrate_cache")


def _files(paths: Sequence[str], settings: Settings):
    """(files to process, errors for paths that do not exist)."""
    from .discovery import iter_files
    from .ftypes import FileError, FileReport

    config = settings.config
    candidates = iter_files(
        paths,
        exclude=config.exclude,
        extend_exclude=config.extend_exclude,
        respect_gitignore=config.respect_gitignore and not settings.kwargs.get("no_respect_gitignore"),
        root=config.root,
    )
    files, errors = [], []
    for candidate in candidates:
        if getattr(candidate, "error", None):
            errors.append(FileReport(candidate.path, error=FileError(candidate.path, candidate.error)))
        else:
            files.append(candidate.path)
    return files, errors


def _jobs(requested: int, count: int) -> int:
    if count <= 1 or os.environ.get("PRE_COMMIT"):
        return 1  # pre-commit runs hooks in parallel itself
    return min(requested or (os.cpu_count() or 1), count)


def _progress(total: int, settings: Settings):
    if settings.kwargs.get("no_progress") or total < 50 or not sys.stderr.isatty():
        return None
    if os.environ.get("CI") or os.environ.get("PRE_COMMIT"):
        return None
    done = [0]

    def step(n: int) -> None:
        done[0] += n
        width = 30
        filled = width * done[0] // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done[0]}/{total} files")
        if done[0] >= total:
            sys.stderr.write("\r" + " " * (width + 30) + "\r")
        sys.stderr.flush()

    return step


def emit(text: str, output_file: Optional[str]) -> None:
    if output_file:
        from .sources import SourceError, write_atomic

        try:
            write_atomic(output_file, text.encode("utf-8"))
        except SourceError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_ERROR)
    elif text:
        try:
            click.echo(text, nl=not text.endswith("\n"))
        except BrokenPipeError:  # the reader stopped (`| head`): it has what it wanted
            pass
        except OSError as error:
            click.echo(f"error: cannot write the report to standard output: {error.strerror or error}", err=True)
            sys.exit(EXIT_ERROR)


def run(paths: Tuple[str, ...], kwargs: dict, *, fix: bool, diff: bool = False):
    from .api import Job, run as run_files
    from .options import Options

    settings = Settings(kwargs, paths)
    unsafe = bool(settings.config.unsafe_fixes)
    options = Options(config=settings.config, fix=fix, unsafe_fixes=unsafe)
    if paths == ("-",):
        return settings, _run_stdin(kwargs, options), options
    if "-" in paths:
        raise click.UsageError("`-` (stdin) cannot be mixed with other paths")
    files, errors = _files(paths, settings)
    job = Job(options, write=fix and not diff, diff=diff,
              cache_dir=None if fix else settings.cache_dir())
    jobs = _jobs(kwargs.get("jobs") or 0, len(files))
    reports = run_files(files, job, jobs=jobs, progress=_progress(len(files), settings)) + errors
    reports.sort(key=lambda r: r.path)
    return settings, reports, options


def _run_stdin(kwargs: dict, options):
    from .api import report_for
    from .engine import process_text
    from .ftypes import FileError, FileReport

    name = kwargs.get("stdin_filename") or "-"
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [FileReport(name, error=FileError(name, f"cannot decode stdin as utf-8: {error.reason}"))]
    from .api import _protect

    def work():
        outcome = process_text(text, name, options)
        report = report_for(name, text, outcome, options)
        if report.new_source is None:
            report.new_source = text
        return report

    report = _protect(name, work)
    if options.fix and report.new_source is None:
        report.new_source = text
    return [report]


def rules_table() -> dict:
    """{code: rule}: imports every rule module, and libcst through the engine's start-up cache."""
    from . import engine  # noqa: F401  (libcst with its compiled methods cached: faster than a plain import)
    from .registry import all_rules

    return {rule.code: rule for rule in all_rules()}


def render(settings: Settings, reports, *, fixing: bool, show_summary: bool) -> str:
    from . import reporters

    kwargs = settings.kwargs
    fmt = kwargs.get("output_format") or "text"
    rules = rules_table() if fmt in ("json", "sarif") or kwargs.get("statistics") else None
    color = fmt == "text" and not kwargs.get("output_file") and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    unsafe = bool(settings.config.unsafe_fixes)
    if kwargs.get("statistics"):
        render_stats = reporters.statistics_json if fmt == "json" else reporters.statistics
        body = render_stats(reports, rules, unsafe_fixes=unsafe)
    else:
        body = reporters.render(fmt, reports, color=color, tool_version=__version__, rules=rules, unsafe_fixes=unsafe)
    if show_summary and fmt in ("text", "concise") and not kwargs.get("quiet"):
        summary = reporters.summary_line(reports, fixing=fixing, unsafe_fixes=bool(settings.config.unsafe_fixes))
        body = body + ("\n" if body and not body.endswith("\n") else "") + summary
    return body


def exit_code(reports, *, exit_zero: bool, changed: bool = False) -> int:
    if any(r.error is not None for r in reports):
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    if changed or any(r.findings for r in reports):
        return EXIT_FINDINGS
    return EXIT_CLEAN
