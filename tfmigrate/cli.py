"""The command line: a thin click layer over ``invocation`` (one run of check, fix or report).

Exit codes: 0 nothing found, 1 findings (or changes with
``--exit-non-zero-on-fix``), 2 usage error or a file that failed.
"""
from __future__ import annotations

import os
import sys
from typing import Optional, Tuple

import click

from . import __version__
from ._startup import cached_dataclass_code
from .invocation import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, emit, exit_code, render, rules_table, run

FORMATS = ["text", "concise", "json", "github", "sarif", "junit"]


def _options(*options):
    def apply(func):
        for option in reversed(options):
            func = option(func)
        return func

    return apply


# Which files, which rules, how: shared by check, fix and report.
_discovery_options = _options(
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
    click.option("--no-progress", is_flag=True, help="Never show a progress bar."),
)

# How check and fix show what they found.
_output_options = _options(
    click.option("--stdin-filename", help="The name of the file read from stdin (with PATH `-`)."),
    click.option("--output-format", type=click.Choice(FORMATS), default=None, help="How findings are shown."),
    click.option("--output-file", "-o", type=click.Path(dir_okay=False), help="Write the report to this file."),
    click.option("--statistics", is_flag=True, help="Count findings per code instead of listing them."),
    click.option("--exit-zero", is_flag=True,
                 help="Exit 0 even when there are findings (a file that could not be checked still exits 2)."),
    click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary."),
    click.option("--unsafe-fixes", is_flag=True, default=None, help="Also apply (or count as fixable) unsafe fixes."),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tfmigrate")
def cli() -> None:
    """Find TensorFlow 1 code and rewrite it into TensorFlow 2 that runs today."""


@cli.command(short_help="Report TensorFlow 1 code in files and folders.")
@click.argument("paths", nargs=-1, type=click.Path())
@_discovery_options
@_output_options
@click.option("--add-ignore", is_flag=True, help="Write a suppression comment on every current finding.")
def check(paths: Tuple[str, ...], add_ignore: bool, **kwargs) -> None:
    """Report TensorFlow 1 code in PATHS (files and folders; default: .)."""
    paths = paths or (".",)
    settings, reports, _ = run(paths, kwargs, fix=False)
    if add_ignore:
        from .suppress import add_ignores

        added, failures = add_ignores(reports)
        for failure in failures:
            click.echo(f"{failure.path}: error: {failure.reason}", err=True)
        click.echo(f"Added {added} suppression comment{'s' if added != 1 else ''}.")
        sys.exit(EXIT_ERROR if failures or any(r.error for r in reports) else EXIT_CLEAN)
    emit(render(settings, reports, fixing=False, show_summary=True), kwargs.get("output_file"))
    sys.exit(exit_code(reports, exit_zero=kwargs.get("exit_zero")))


@cli.command(short_help="Rewrite TensorFlow 1 code in place, or show the diff.")
@click.argument("paths", nargs=-1, type=click.Path())
@_discovery_options
@_output_options
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes and write nothing (exit 1 if any).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a file was changed, even if nothing is left.")
def fix(paths: Tuple[str, ...], diff: bool, exit_non_zero_on_fix: bool, **kwargs) -> None:
    """Rewrite TensorFlow 1 code in PATHS in place (safe fixes; unsafe ones with --unsafe-fixes)."""
    paths = paths or (".",)
    settings, reports, _ = run(paths, kwargs, fix=True, diff=diff)
    changed = any(r.changed for r in reports)
    if paths == ("-",):
        report = reports[0]
        if report.error is not None and report.new_source is None:
            click.echo(f"{report.path}: error: {report.error.reason}", err=True)
            sys.exit(EXIT_ERROR)
        sys.stdout.write(report.new_source if report.new_source is not None else "")
        sys.stdout.flush()
        for line in render(settings, reports, fixing=True, show_summary=False).splitlines():
            click.echo(line, err=True)
        sys.exit(exit_code(reports, exit_zero=kwargs.get("exit_zero"), changed=exit_non_zero_on_fix and changed))
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
    emit(render(settings, reports, fixing=True, show_summary=True), kwargs.get("output_file"))
    sys.exit(exit_code(reports, exit_zero=kwargs.get("exit_zero"), changed=exit_non_zero_on_fix and changed))


@cli.command(short_help="Write a migration report: progress, blockers, every file.")
@click.argument("paths", nargs=-1, type=click.Path())
@_discovery_options
@click.option("--format", "--output-format", "report_format", type=click.Choice(["html", "json"]), default="html",
              show_default=True, help="One self-contained HTML page, or the same data as JSON.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option("--quiet", "-q", is_flag=True, help="No summary line on standard error.")
def report(paths: Tuple[str, ...], report_format: str, **kwargs) -> None:
    """Check PATHS (default: .) as `check` does and write a migration report: progress
    overall and per folder, the blockers that hold most files back, and every file with
    its status and findings. Files that could not be checked are in it with status
    `error`; the exit status is 0 once the report is written, 2 for a PATH that does
    not exist."""
    from .reporters import migration

    paths = paths or (".",)
    if "-" in paths:
        raise click.UsageError("`report` reads files and folders, not stdin")
    missing = [path for path in paths if not os.path.lexists(path)]
    for path in missing:  # a mistyped path: no report of nothing
        click.echo(f"{path}: error: No such file or directory", err=True)
    if missing:
        sys.exit(EXIT_ERROR)
    settings, reports, _ = run(paths, kwargs, fix=False)
    data = migration.migration_data(reports, rules=rules_table(), tool_version=__version__, paths=paths)
    if report_format == "json":
        text = migration.migration_json(data)
    else:
        from .reporters.html import migration_html

        text = migration_html(data)
    emit(text, kwargs.get("output_file"))
    if not kwargs.get("quiet"):
        totals = data["totals"]
        counts = ", ".join(f"{totals[status]} {status}" for status in data["statuses"])
        target = f"Wrote {kwargs['output_file']}: " if kwargs.get("output_file") else ""
        click.echo(f"{target}{totals['files']} file{'' if totals['files'] == 1 else 's'}: {counts}.", err=True)
    sys.exit(EXIT_CLEAN)


@cli.command(short_help="Run a TF1 program and its TF2 rewrite; compare their numbers.")
@click.argument("original", type=click.Path(exists=True, dir_okay=False))
@click.argument("rewrite", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--rtol", type=float, default=1e-5, show_default=True, help="Relative tolerance per number.")
@click.option("--atol", type=float, default=1e-6, show_default=True,
              help="Absolute tolerance per number: |rewrite - original| <= atol + rtol * |original|.")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds each run may take.")
@click.option("--deterministic", is_flag=True, help="Give TensorFlow's random ops the same values in both runs, "
              "read shuffled input in its order (and run both on TensorFlow's own CPU kernels, without oneDNN).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the deterministic values.")
@click.option("--original-mode", type=click.Choice(["auto", "tf1", "keras2", "tf2"]), default="auto",
              show_default=True, help="How to run ORIGINAL: TF1 graph semantics, TF2 with Keras 2, or plain TF2.")
@click.option("--original-runtime", type=click.Choice(["auto", "installed", "tf2.15"]), default="auto",
              show_default=True,
              help="Which TensorFlow runs ORIGINAL: the installed one, TF 2.15.1 (tf.estimator, Keras 2), "
                   "or auto: TF 2.15.1 when ORIGINAL needs it.")
@click.option("--reference-runtime", type=click.Path(file_okay=False),
              help="The TF 2.15.1 virtual environment (created on first use; default "
                   "$TFMIGRATE_REFERENCE_RUNTIME or $XDG_CACHE_HOME/tfmigrate/runtimes/tf-2.15).")
@click.option("--show-rewrite", is_flag=True, help="Print the rewrite that is run.")
def verify(original: str, rewrite: Optional[str], rtol: float, atol: float, timeout: float, deterministic: bool,
           seed: int, original_mode: str, original_runtime: str, reference_runtime: Optional[str],
           show_rewrite: bool) -> None:
    """Run ORIGINAL the TF1 way and REWRITE (default: what `fix --unsafe-fixes` writes) on TF2; compare their numbers.

    Either may be a .py file or a notebook (.ipynb). Exit codes: 0 exact or
    within tolerance, 1 differs, 2 error or could not run.
    """
    from . import verify as harness
    from .programs import ProgramError, runnable
    from .verify_plan import prepare, run_plan
    from .runtimes import RuntimeUnavailable

    if not harness.tensorflow_available():
        click.echo(f"error: verify needs TensorFlow: {harness.INSTALL_HINT}", err=True)
        sys.exit(EXIT_ERROR)
    try:
        plan = prepare(original, rewrite, original_mode=original_mode, original_runtime=original_runtime,
                       reference_runtime=reference_runtime)
    except ProgramError as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_ERROR)
    except RuntimeUnavailable as error:
        click.echo(f"could not run: {error}")
        sys.exit(EXIT_ERROR)
    if show_rewrite:
        click.echo(runnable(plan.rewrite.program))
    try:
        result = run_plan(plan, rtol=rtol, atol=atol, timeout=timeout, deterministic=deterministic, seed=seed)
    finally:
        harness.remove_runner_copies()  # (main leaves without the interpreter's teardown and its atexit calls)
    click.echo(harness.format_report(result))
    sys.exit(result.exit_code)


@cli.command("rules", short_help="List every rule: code, name, fix safety, summary.")
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


@cli.command(short_help="Show a rule's documentation, examples included.")
@click.argument("code")
def explain(code: str) -> None:
    """Print a rule's documentation: what it finds, why, an example, its fix and limits."""
    from .registry import rules_by_code
    from .explain import explain_rule

    rule = rules_by_code().get(code.upper())
    if rule is None:
        raise click.UsageError(f"unknown rule code {code!r}; `tfmigrate rules` lists them")
    click.echo(explain_rule(rule))


@cli.command(short_help="Remove the result cache.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--cache-dir", type=click.Path(file_okay=False), help="The cache to remove (default: the configured one).")
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
        with cached_dataclass_code():  # the dataclasses of every module a command loads, not libcst's only
            cli.main(prog_name="tfmigrate", standalone_mode=False)
    except (KeyboardInterrupt, click.Abort):
        click.echo("interrupted: every file is either as it was or fully fixed", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:  # --help, --version
        sys.exit(done.exit_code)
