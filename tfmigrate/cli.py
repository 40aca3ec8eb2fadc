"""The command line: a thin click layer over ``api``.

Exit codes: 0 nothing found, 1 findings (or changes with
``--exit-non-zero-on-fix``), 2 usage error or a file that failed.
"""
from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence, Tuple

import click

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ["text", "concise", "json", "github", "sarif", "junit"]


def _codes(values: Sequence[str]) -> Tuple[str, ...]:
    out: List[str] = []
    for value in values:
        out.extend(part.strip().upper() for part in value.split(",") if part.strip())
    return tuple(out)


def _selection_options(func):
    options = [
        click.option("--select", multiple=True, help="Codes or prefixes to check (comma-separated), replacing the configured set."),
        click.option("--extend-select", multiple=True, help="Codes or prefixes to check on top of the configured set."),
        click.option("--ignore", multiple=True, help="Codes or prefixes not to report."),
        click.option("--extend-ignore", multiple=True, hidden=True),
        click.option("--exclude", multiple=True, help="Gitignore-style patterns of files to skip (replaces the defaults)."),
        click.option("--extend-exclude", multiple=True, help="Patterns to skip on top of the defaults."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this pyproject.toml."),
        click.option("--isolated", is_flag=True, help="Ignore every configuration file."),
        click.option("--no-respect-gitignore", is_flag=True, help="Check files .gitignore excludes too."),
        click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Processes to use (0: all cores)."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the result cache."),
        click.option("--cache-dir", type=click.Path(file_okay=False), help="Where the result cache lives."),
        click.option("--stdin-filename", help="The name of the file read from stdin (with PATH `-`)."),
        click.option("--output-format", type=click.Choice(FORMATS), default=None, help="How findings are shown."),
        click.option("--output-file", "-o", type=click.Path(dir_okay=False), help="Write the report to this file."),
        click.option("--statistics", is_flag=True, help="Count findings per code instead of listing them."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings."),
        click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary."),
        click.option("--no-progress", is_flag=True, help="Never show a progress bar."),
        click.option("--unsafe-fixes", is_flag=True, default=None, help="Also apply (or count as fixable) unsafe fixes."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class _Settings:
    """Configuration and command-line flags, merged."""

    def __init__(self, kwargs: dict, paths: Sequence[str]) -> None:
        from .config import ConfigError, Config, find_config, load_config

        path = kwargs.get("config_path")
        try:
            if kwargs.get("isolated"):
                config = load_config(None)
            else:
                start = kwargs.get("stdin_filename") or (paths[0] if paths and paths[0] != "-" else os.getcwd())
                start = os.path.dirname(os.path.abspath(start)) if os.path.isfile(start) or not os.path.exists(start) else os.path.abspath(start)
                config = load_config(path or find_config(start))
            overrides = dict(
                select=_codes(kwargs.get("select") or ()) or None,
                extend_select=_codes(kwargs.get("extend_select") or ()) or None,
                ignore=_codes(kwargs.get("ignore") or ()) or None,
                extend_ignore=_codes(kwargs.get("extend_ignore") or ()) or None,
                exclude=tuple(kwargs.get("exclude") or ()) or None,
                extend_exclude=tuple(kwargs.get("extend_exclude") or ()) or None,
                unsafe_fixes=kwargs.get("unsafe_fixes"),
            )
            config = config.merged(**{k: v for k, v in overrides.items() if v is not None})
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


def _files(paths: Sequence[str], settings: _Settings):
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


def _progress(total: int, settings: _Settings):
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


def _emit(text: str, output_file: Optional[str]) -> None:
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


def _run(paths: Tuple[str, ...], kwargs: dict, *, fix: bool, diff: bool = False):
    from .api import Job, run
    from .options import Options

    settings = _Settings(kwargs, paths)
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
    reports = run(files, job, jobs=jobs, progress=_progress(len(files), settings)) + errors
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


def _render(settings: _Settings, reports, *, fixing: bool, show_summary: bool) -> str:
    from . import reporters

    kwargs = settings.kwargs
    fmt = kwargs.get("output_format") or "text"
    rules = None
    if fmt in ("json", "sarif") or kwargs.get("statistics"):
        from .registry import all_rules  # imports every rule module (and libcst)

        rules = {rule.code: rule for rule in all_rules()}
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


def _exit_code(reports, *, exit_zero: bool, changed: bool = False) -> int:
    if any(r.error is not None for r in reports):
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    if changed or any(r.findings for r in reports):
        return EXIT_FINDINGS
    return EXIT_CLEAN


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tfmigrate")
def cli() -> None:
    """Find TensorFlow 1 code and rewrite it into TensorFlow 2 that runs today."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_selection_options
@click.option("--add-ignore", is_flag=True, help="Write a suppression comment on every current finding.")
def check(paths: Tuple[str, ...], add_ignore: bool, **kwargs) -> None:
    """Report TensorFlow 1 code in PATHS (files and folders; default: .)."""
    paths = paths or (".",)
    settings, reports, _ = _run(paths, kwargs, fix=False)
    if add_ignore:
        from .suppress import add_ignores

        added, failures = add_ignores(reports)
        for failure in failures:
            click.echo(f"{failure.path}: error: {failure.reason}", err=True)
        click.echo(f"Added {added} suppression comment{'s' if added != 1 else ''}.")
        sys.exit(EXIT_ERROR if failures or any(r.error for r in reports) else EXIT_CLEAN)
    _emit(_render(settings, reports, fixing=False, show_summary=True), kwargs.get("output_file"))
    sys.exit(_exit_code(reports, exit_zero=kwargs.get("exit_zero")))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_selection_options
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes and write nothing (exit 1 if any).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a file was changed, even if nothing is left.")
def fix(paths: Tuple[str, ...], diff: bool, exit_non_zero_on_fix: bool, **kwargs) -> None:
    """Rewrite TensorFlow 1 code in PATHS in place (safe fixes; unsafe ones with --unsafe-fixes)."""
    paths = paths or (".",)
    settings, reports, _ = _run(paths, kwargs, fix=True, diff=diff)
    changed = any(r.changed for r in reports)
    if paths == ("-",):
        report = reports[0]
        if report.error is not None and report.new_source is None:
            click.echo(f"{report.path}: error: {report.error.reason}", err=True)
            sys.exit(EXIT_ERROR)
        sys.stdout.write(report.new_source if report.new_source is not None else "")
        sys.stdout.flush()
        for line in _render(settings, reports, fixing=True, show_summary=False).splitlines():
            click.echo(line, err=True)
        sys.exit(_exit_code(reports, exit_zero=kwargs.get("exit_zero"), changed=exit_non_zero_on_fix and changed))
    if diff:
        text = "".join(r.diff for r in reports if r.diff)
        errors = [f"{r.path}: error: {r.error.reason}" for r in reports if r.error is not None]
        if text:
            click.echo(text, nl=False)
        for line in errors:
            click.echo(line, err=True)
        count = sum(1 for r in reports if r.diff)
        if not kwargs.get("quiet"):
            from .reporters import diff_summary

            click.echo(diff_summary(reports, unsafe_fixes=bool(settings.config.unsafe_fixes)), err=True)
        sys.exit(EXIT_ERROR if errors else (EXIT_FINDINGS if count else EXIT_CLEAN))
    _emit(_render(settings, reports, fixing=True, show_summary=True), kwargs.get("output_file"))
    sys.exit(_exit_code(reports, exit_zero=kwargs.get("exit_zero"), changed=exit_non_zero_on_fix and changed))


@cli.command()
@click.argument("original", type=click.Path(exists=True, dir_okay=False))
@click.argument("rewrite", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--rtol", type=float, default=1e-5, show_default=True, help="Relative tolerance per number.")
@click.option("--atol", type=float, default=0.0, show_default=True, help="Absolute tolerance per number.")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds each run may take.")
@click.option("--deterministic", is_flag=True, help="Give TensorFlow's random ops the same values in both runs.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the deterministic values.")
@click.option("--original-mode", type=click.Choice(["auto", "tf1", "keras2", "tf2"]), default="auto",
              show_default=True, help="How to run ORIGINAL: TF1 graph semantics, TF2 with Keras 2, or plain TF2.")
@click.option("--show-rewrite", is_flag=True, help="Print the rewrite that is run.")
def verify(original: str, rewrite: Optional[str], rtol: float, atol: float, timeout: float,
           deterministic: bool, seed: int, original_mode: str, show_rewrite: bool) -> None:
    """Run ORIGINAL the TF1 way and REWRITE (default: what `fix --unsafe-fixes` writes) on TF2; compare their numbers."""
    from . import verify as harness

    if not harness.tensorflow_available():
        click.echo(f"error: verify needs TensorFlow: {harness.INSTALL_HINT}", err=True)
        sys.exit(EXIT_ERROR)
    source, mode = _rewrite_for(original, rewrite)
    if original_mode != "auto":
        mode = original_mode
    if show_rewrite:
        click.echo(source)
    result = harness.verify(original, source, rewrite_filename=rewrite or original, rtol=rtol, atol=atol,
                            timeout=timeout, original_mode=mode, deterministic=deterministic, seed=seed)
    click.echo(harness.format_report(result))
    sys.exit(result.exit_code)


def _rewrite_for(original: str, rewrite: Optional[str]):
    """(the TF2 source to run, how to run the original)."""
    from .engine import Options, process_text, syntax_reason
    from .sources import SourceError, read_source

    try:
        source = read_source(original)
        outcome = process_text(source.text, original, Options(fix=True, unsafe_fixes=True))
    except SourceError as error:
        click.echo(f"{original}: error: {error.reason}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as error:  # a parse error is the usual one
        click.echo(f"{original}: error: {syntax_reason(error)}", err=True)
        sys.exit(EXIT_ERROR)
    codes = {f.code for f in outcome.findings}
    mode = "keras2" if codes and codes <= {"TFM007"} | {c for c in codes if c.startswith("TFM1")} and "TFM007" in codes else "tf1"
    if rewrite is not None:
        try:
            return read_source(rewrite).text, mode
        except SourceError as error:
            click.echo(f"{rewrite}: error: {error.reason}", err=True)
            sys.exit(EXIT_ERROR)
    return outcome.new_text, mode


@cli.command("rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def list_rules(output_format: str) -> None:
    """List every rule: code, name, fix safety, summary."""
    from .registry import all_rules

    rules = all_rules()
    if output_format == "json":
        import json

        click.echo(json.dumps([{"code": r.code, "name": r.name, "fix": r.fix_label(), "summary": r.summary()}
                               for r in rules], indent=2))
        return
    width = max(len(r.name) for r in rules)
    for rule in rules:
        click.echo(f"{rule.code}  {rule.name:<{width}}  {rule.fix_label():<6}  {rule.summary()}")


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print a rule's documentation: what it finds, why, an example, its fix and limits."""
    from .registry import rules_by_code
    from .explain import explain_rule

    rule = rules_by_code().get(code.upper())
    if rule is None:
        raise click.UsageError(f"unknown rule code {code!r}; `tfmigrate rules` lists them")
    click.echo(explain_rule(rule))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--cache-dir", type=click.Path(file_okay=False))
def clean(paths: Tuple[str, ...], cache_dir: Optional[str]) -> None:
    """Remove the result cache."""
    from . import cache
    from .config import ConfigError, find_config, load_config

    if cache_dir is None:
        start = os.path.abspath(paths[0]) if paths else os.getcwd()
        try:
            config = load_config(find_config(start))
        except ConfigError as error:
            raise click.UsageError(str(error))
        cache_dir = config.cache_dir or os.path.join(config.root, ".tfmigrate_cache")
    removed = cache.clear(cache_dir)
    click.echo(f"Removed {cache_dir}" if removed else f"No cache at {cache_dir}")


def _terminate(signum, frame) -> None:
    raise SystemExit(143)


def main() -> None:
    """The ``tfmigrate`` command: run it, then leave without the interpreter's teardown.

    By then every file is written and closed and every child process reaped; freeing each
    module and libcst object one by one would only add about 30 ms to every run.
    """
    try:
        _main()
        status = 0
    except SystemExit as done:
        status = _status(done.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`), a full disk: as Python's own exit
            status = status or 120
    os._exit(status)


def _status(code) -> int:
    """The exit status Python gives ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _main() -> None:
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)  # stop between files, as Ctrl-C does
    try:
        # Not click's standalone mode: it turns Ctrl-C into "Aborted!" and exit status 1.
        cli.main(prog_name="tfmigrate", standalone_mode=False)
    except (KeyboardInterrupt, click.Abort):
        click.echo("interrupted: every file is either as it was or fully fixed", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:  # --help, --version
        sys.exit(done.exit_code)
