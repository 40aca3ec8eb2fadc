"""The path a file takes: read, parse once, run every rule in one traversal,
apply fixes until nothing changes, check the result parses, write atomically.

Nothing here knows TensorFlow; that lives in the rule modules.
"""
from __future__ import annotations

import ast
import difflib
import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Type

from ._startup import cached_dataclass_code

with cached_dataclass_code():  # libcst's node classes: their generated methods compiled once, then loaded
    import libcst as cst

    from .ftypes import Applicability, Finding, Fix, FileError, Position, Status, Edit
    from .traverse import Replacer, Visitor, index, unchecked, walk
    from .positions import Span, code_for, module_code, spans
    from .options import Options  # noqa: F401  (re-exported: the engine's callers build one)
    from .registry import dispatch_table
    from .rule import Context, ProgramFix, Report, Rule

MAX_FIX_PASSES = 10
UNUSED_SUPPRESSION = "TFM900"

_SUPPRESS = re.compile(
    r"#\s*(?:tfmigrate:\s*ignore|noqa)(?::?\s*\[?(?P<codes>[A-Z]+[0-9][0-9A-Z]*(?:\s*,\s*[A-Z]+[0-9][0-9A-Z]*)*)\]?)?",
)
_SKIP_FILE = re.compile(r"#\s*tfmigrate:\s*skip-file\b")


class RuleFailure(Exception):
    """An exception inside a rule or its fix: a bug, reported as an internal error of that rule."""

    def __init__(self, rule, error: BaseException) -> None:
        code = getattr(rule, "code", None) or "?"
        name = getattr(rule, "name", None) or type(rule).__name__
        detail = " ".join(str(error).split())[:200]
        super().__init__(f"internal error in rule {code} ({name}): {type(error).__name__}: {detail}")
        self.code = code


class _Dispatcher(Visitor):
    """Runs every active rule's visit_/leave_ methods in one traversal."""

    def __init__(self, context: Context, rules: Sequence[Type[Rule]]) -> None:
        super().__init__()
        self.context = context
        instances = {rule: rule(context) for rule in rules}
        self._visit: Dict[str, list] = {}
        self._leave: Dict[str, list] = {}
        for key, entries in dispatch_table(tuple(rules)).items():
            kind, _, node_type = key.partition(":")
            table = self._visit if kind == "visit" else self._leave
            table[node_type] = [getattr(instances[rule], attr) for rule, attr in entries]
        # Whether this walk does anything at nodes of a type (traverse.Index skips the others).
        self.wants = _TypeNames(frozenset(self._visit) | frozenset(self._leave) | _SCOPES | _IMPORTS)

    # Type names, not isinstance: libcst's node classes are ABCs, and isinstance on them is slow.
    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = type(node).__name__
        if kind in _SCOPES:
            self.context.scopes.push(node)
        elif kind in _IMPORTS:
            self.context.imports.add(node)
        methods = self._visit.get(kind)
        if methods:
            try:
                for method in methods:
                    method(node)
            except Exception as error:
                raise RuleFailure(method.__self__, error) from error
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        kind = type(original_node).__name__
        methods = self._leave.get(kind)
        if methods:
            try:
                for method in methods:
                    method(original_node)
            except Exception as error:
                raise RuleFailure(method.__self__, error) from error
        if kind in _SCOPES:
            self.context.scopes.pop()


class _TypeNames:
    """Is a node type one of ``names``? Equal for equal names: an index keeps its answers by this
    test (traverse.Index._typed), and it holds no file's rules, so the index holds none of their data."""

    __slots__ = ("names",)

    def __init__(self, names: frozenset) -> None:
        self.names = names

    def __call__(self, kind: type) -> bool:
        return kind.__name__ in self.names

    def __eq__(self, other) -> bool:
        return isinstance(other, _TypeNames) and other.names == self.names

    def __hash__(self) -> int:
        return hash(self.names)


_SCOPES = frozenset({"FunctionDef", "Lambda"})
_IMPORTS = frozenset({"Import", "ImportFrom"})


@dataclass
class _Found:
    """A rule's report with its position resolved."""

    report: Report
    finding: Finding


def _lint(module: cst.Module, path: str, rules: Sequence[Type[Rule]], lines: List[str],
          text: Optional[str] = None, blocker=None, facts: Optional[dict] = None,
          merged: Optional[str] = None) -> List[_Found]:
    """The findings of ``rules`` on ``module``; ``blocker``: what the run says this file imports
    (``Options.blockers``); ``facts``, when given, receives the file's mode for the run
    (tfmigrate/project.py); ``merged``: the file's rewrite made with another file (merge.py)."""
    context = Context(module, path, text, blocker, merged)
    index(module)  # one numbering of the tree for this walk and the rules' own
    walk(module, _Dispatcher(context, rules))
    # Positions of the reported nodes only: most of a module is never reported on.
    where_is = spans(module, [n for r in context.reports for n in (r.node, r.fallback)], text)
    found: List[_Found] = []
    for report in context.reports:
        where = where_is.get(id(report.node)) or where_is.get(id(report.fallback)) or _FIRST_LINE
        start = Position(where.start[0], where.start[1] + 1)
        end = Position(where.end[0], where.end[1] + 1)
        fix = None
        if report.applicability is not None:
            edits: Tuple[Edit, ...] = ()
            if report.replacement is not None:
                edits = (Edit(start, end, _replacement_code(module, report.replacement)),)
            label = report.program_fix.name if report.program_fix else "rewrite to the TensorFlow 2 form"
            fix = Fix(report.applicability, label, edits)
        source_line = lines[start.line - 1] if 0 < start.line <= len(lines) else ""
        finding = Finding(report.rule.code, report.message, path, start, end, fix, None, source_line,
                          _own_verdict(report, fix))
        found.append(_Found(report, finding))
    found.sort(key=lambda f: f.finding.sort_key())
    if facts is not None:
        from .registry import program_mode

        facts["mode"], facts["reason"] = program_mode(context)
    return found


_FIRST_LINE = Span((1, 0), (1, 0))


def _own_verdict(report: Report, fix: Optional[Fix]) -> Optional[Status]:
    """What this finding by itself leaves its file at after `fix --unsafe-fixes` (see Finding.verdict).

    A finding that only shares the verdict of another (a placeholder in a program that
    TFM090 keeps on compat) reports a status that its rule does not stand for: none of its own.
    """
    if report.status is None:
        return report.rule.unfixed_status if fix is None else None
    if report.status is not Status.IDIOMATIC and report.status is not report.rule.unfixed_status:
        return None
    return report.status


def _replacement_code(module: cst.Module, replacement) -> str:
    if isinstance(replacement, cst.RemovalSentinel):
        return ""
    if isinstance(replacement, cst.FlattenSentinel):
        return "".join(code_for(module, node) for node in replacement.nodes)
    return code_for(module, replacement)


def parse(text: str) -> cst.Module:
    """The module of ``text``, read by libcst's native parser (without the checks of each node it
    builds: traverse.unchecked)."""
    return unchecked(cst.parse_module, text)


def syntax_reason(error: Exception) -> str:
    """A one-line reason for a parse failure."""
    if isinstance(error, cst.ParserSyntaxError):
        message = " ".join(str(error.message).split())
        return f"syntax error at line {error.raw_line}, column {error.raw_column + 1}: {message}"
    if isinstance(error, SyntaxError):
        return f"syntax error at line {error.lineno}, column {error.offset or 0}: {error.msg}"
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def parse_error_reason(text: str, error: Exception) -> str:
    """The reason a source does not parse, in Python's own words when it has them."""
    try:
        ast.parse(text)
    except SyntaxError as python:
        return syntax_reason(python)
    except ValueError:
        pass
    return syntax_reason(error)  # valid Python that libcst cannot read


def _parse_fixed(text: str) -> Tuple[Optional[cst.Module], Optional[str]]:
    """(module, None) when fixed ``text`` parses for Python and libcst, else (None, the reason)."""
    try:
        ast.parse(text)
    except (SyntaxError, ValueError) as error:
        return None, syntax_reason(error)
    try:
        return parse(text), None
    except cst.ParserSyntaxError as error:
        return None, syntax_reason(error)


# --- suppressions ----------------------------------------------------------

@dataclass
class _Suppression:
    line: int
    codes: Optional[Tuple[str, ...]]  # None: every code
    column: int
    used: bool = False


def _suppressions(lines: Sequence[str]) -> Dict[int, _Suppression]:
    found: Dict[int, _Suppression] = {}
    for number, line in enumerate(lines, 1):
        if "#" not in line:
            continue
        match = _SUPPRESS.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        parsed = tuple(c.strip() for c in codes.split(",")) if codes else None
        found[number] = _Suppression(number, parsed, match.start() + 1)
    return found


def _apply_suppressions(found: List[_Found], lines: Sequence[str], path: str, report_unused: bool,
                        enabled) -> List[_Found]:
    table = _suppressions(lines)
    if not table:
        return found
    kept = []
    for item in found:
        sup = table.get(item.finding.start.line)
        if sup is not None and (sup.codes is None or item.finding.code in sup.codes):
            sup.used = True
            continue
        kept.append(item)
    if report_unused and enabled(UNUSED_SUPPRESSION):
        known = _known_codes()
        for sup in table.values():
            unknown = [c for c in sup.codes or () if c.startswith("TFM") and c not in known]
            if unknown:
                kept.append(_unknown(sup, unknown, known, lines, path))
                continue
            if sup.used or (sup.codes is not None and not any(c.startswith("TFM") for c in sup.codes)):
                continue
            if sup.codes is None and "tfmigrate" not in lines[sup.line - 1]:
                continue  # a bare noqa comment belongs to other linters too
            kept.append(_unused(sup, lines, path))
    kept.sort(key=lambda f: f.finding.sort_key())
    return kept


def _unused(sup: _Suppression, lines: Sequence[str], path: str) -> _Found:
    what = ", ".join(sup.codes) if sup.codes else "all codes"
    start = Position(sup.line, sup.column)
    end = Position(sup.line, len(lines[sup.line - 1].rstrip("\r\n")) + 1)
    finding = Finding(UNUSED_SUPPRESSION, f"unused suppression ({what}): nothing to suppress on this line",
                      path, start, end, None, None, lines[sup.line - 1])
    return _Found(Report(None, None, finding.message, None, None, None), finding)


def _known_codes() -> frozenset:
    from .registry import all_rules

    return frozenset(rule.code for rule in all_rules())


def _unknown(sup: _Suppression, unknown: Sequence[str], known, lines: Sequence[str], path: str) -> _Found:
    from .selectors import suggest_code

    what = "; ".join(f"{code!r}{suggest_code(code, sorted(known))}" for code in unknown)
    start = Position(sup.line, sup.column)
    end = Position(sup.line, len(lines[sup.line - 1].rstrip("\r\n")) + 1)
    finding = Finding(UNUSED_SUPPRESSION, f"suppression names an unknown rule code: {what}",
                      path, start, end, None, None, lines[sup.line - 1])
    return _Found(Report(None, None, finding.message, None, None, None), finding)


def skip_file(text: str) -> bool:
    return "tfmigrate" in text and _SKIP_FILE.search(text) is not None


# --- one source text -------------------------------------------------------

@dataclass
class Outcome:
    """What checking (and, with fixes, fixing) one source text gave."""

    findings: List[Finding]  # before any fix
    new_text: str
    remaining: List[Finding]  # after the fixes applied
    status: Status
    unsafe_available: int = 0
    error: Optional[FileError] = None
    mode: str = ""  # what the file runs as after `fix --unsafe-fixes` (tfmigrate/project.py)
    mode_reason: str = ""


def _lines(text: str) -> List[str]:
    return text.splitlines()


def process_text(text: str, path: str, options: Options) -> Outcome:
    """Check ``text``; with ``options.fix`` also compute the fixed text.

    The status (idiomatic, compat-only, manual) is what fixing with unsafe
    fixes would reach, so `check` can say it without writing anything.
    """
    with _collected_after():
        return _process_text(text, path, options)


@contextmanager
def _collected_after():
    """Python's cycle collector off while a text is checked, and run once after it (its young
    generations: what the text left). Checking builds hundreds of thousands of objects that live until
    the text is done, which the collector would scan again and again (a seventh of a check); what they
    leave in cycles (the rules and their reports) is one file's, collected here."""
    if not gc.isenabled():  # (a text checked while another is: the outer one collects)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


def _process_text(text: str, path: str, options: Options) -> Outcome:
    rules = options.active_rules(path)
    if skip_file(text):
        return Outcome([], text, [], Status.CLEAN)
    module = parse(text)  # a ParserSyntaxError propagates: the caller reports it
    lines = _lines(text)
    blocker = options.blocker(path)
    facts: dict = {}
    found = _apply_suppressions(_lint(module, path, rules, lines, text, blocker, facts, options.merged_text(path)),
                                lines, path, True, lambda code: options.config.is_enabled(code, path))
    findings = [f.finding for f in found]
    mode, reason = facts["mode"], facts["reason"]
    if not findings:
        return Outcome(findings, text, [], Status.CLEAN, mode=mode, mode_reason=reason)
    if not options.fix:
        # `check` predicts the status from the findings instead of running every fix.
        unsafe = sum(1 for f in findings if f.fix is not None and f.fix.applicability is Applicability.UNSAFE)
        return Outcome(findings, text, findings, _predicted_status(found), unsafe, None, mode, reason)
    fixed_text, remaining_found, error = _fix_loop(text, module, found, path, options, rules, allow=options.allows)
    status = _status(remaining_found) if options.unsafe_fixes else _predicted_status(found)
    unsafe_available = sum(
        1 for f in remaining_found if f.finding.fix is not None and f.finding.fix.applicability is Applicability.UNSAFE
    )
    return Outcome(findings, fixed_text, [f.finding for f in remaining_found], status, unsafe_available, error,
                   mode, reason)


def _worst(verdicts) -> Status:
    """The file's status from what its findings leave: manual beats compat-only beats idiomatic."""
    status = Status.IDIOMATIC
    for left in verdicts:
        if left is Status.MANUAL:
            return Status.MANUAL
        if left is Status.COMPAT:
            status = Status.COMPAT
    return status


def _predicted_status(found: List[_Found]) -> Status:
    """What `fix --unsafe-fixes` will make of the file, read from the findings' own verdicts."""
    return _worst(
        f.report.status if f.report.status is not None else f.report.rule.unfixed_status
        for f in found
        # an unused suppression is not migration work; a fixable finding without a verdict goes away
        if f.report.rule is not None and (f.report.status is not None or f.finding.fix is None)
    )


def _fix_loop(text, module, found, path, options, rules, allow):
    """Apply fixes until nothing changes; revert a fix whose result does not parse."""
    error: Optional[FileError] = None
    banned: set = set()

    def allowed(f: _Found) -> bool:
        return f.report.rule is not None and allow(f.report.applicability) and f.report.rule.code not in banned

    for _ in range(MAX_FIX_PASSES):
        candidates = [f for f in found if allowed(f)]
        if not candidates:
            return text, found, error
        new_text, used = _one_pass(module, candidates)
        if new_text is None or new_text == text:
            # Nothing applicable changed the text: those fixes are spent.
            banned.update(f.report.rule.code for f in used or candidates)
            continue
        new_module, reason = _parse_fixed(new_text)
        if reason is not None:
            codes = sorted({f.report.rule.code for f in used})
            error = FileError(path, f"fix by {', '.join(codes)} produced invalid code ({reason}); reverted", codes[0])
            banned.update(codes)
            continue
        text = new_text
        module = new_module
        lines = _lines(text)
        found = _apply_suppressions(_lint(module, path, rules, lines, text, options.blocker(path), None,
                                          options.merged_text(path)),
                                    lines, path, True, lambda code: options.config.is_enabled(code, path))
    else:
        if any(allowed(f) for f in found):
            error = FileError(path, f"fixes did not converge after {MAX_FIX_PASSES} passes; kept the last valid result")
    return text, found, error


def _one_pass(module: cst.Module, candidates: List[_Found]) -> Tuple[Optional[str], List[_Found]]:
    programs: List[ProgramFix] = []
    for f in candidates:
        pf = f.report.program_fix
        if f.report.replacement is None and pf is not None and pf not in programs:
            programs.append(pf)
    if programs:
        program = min(programs, key=lambda candidate: candidate.order)
        used = [f for f in candidates if f.report.program_fix is program]
        # The rules' context already holds the program analysis of this very module.
        context = next((f.report.rule.context for f in used if f.report.rule is not None), None)
        if context is None or context.module is not module:
            context = Context(module, "")
        try:
            new_module = program.apply(module, context)
        except Exception as error:
            raise RuleFailure(used[0].report.rule, error) from error
        return (module_code(new_module) if new_module is not None else None), used
    used = [f for f in candidates if f.report.replacement is not None]
    if not used:
        return None, candidates
    replacements = {id(f.report.node): f.report.replacement for f in used}
    return module_code(module.visit(Replacer(replacements))), used  # the outermost wins, the loop does the rest


def _status(remaining: List[_Found]) -> Status:
    """The status of a fixed file: every finding still there counts."""
    return _worst(f.report.status or f.report.rule.unfixed_status for f in remaining if f.report.rule is not None)


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff as GNU diff writes it: lines end at "\\n" only, and a last line without
    one is followed by `\\ No newline at end of file`, so the next output starts on its own line."""
    lines = difflib.unified_diff(_diff_lines(old), _diff_lines(new), fromfile=f"a/{path}", tofile=f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _diff_lines(text: str) -> List[str]:
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])
