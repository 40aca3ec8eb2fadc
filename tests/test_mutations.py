"""Broken and half-edited versions of real programs: `fix` fails cleanly or stays correct.

Every fixture and seed program is mutated the ways files get broken in
practice: a line dropped, two tokens swapped, a closing bracket deleted, a
line duplicated, a Python 2 print statement inserted. For each mutant the
engine must either raise libcst.ParserSyntaxError (reported as a syntax
error) or return code that parses and that a second fix leaves unchanged.

The mutants are tried round-robin over files and kinds, in a fixed order,
until MUTATION_SECONDS (default 30) have passed.
"""
from __future__ import annotations

import ast
import functools
import io
import multiprocessing
import os
import random
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import libcst

from tfmigrate.engine import Options, process_text

ROOT = Path(__file__).resolve().parent.parent
SEED_PROGRAMS = Path("/work/shared/seed/programs")
BUDGET_SECONDS = float(os.environ.get("MUTATION_SECONDS", "30"))
PER_KIND = 30  # positions tried per file and kind; a small file gets every line
OPTIONS = Options(fix=True, unsafe_fixes=True)


def source_files() -> List[Path]:
    found = sorted((ROOT / "fixtures").rglob("*.py"))
    if SEED_PROGRAMS.is_dir():
        found += sorted(SEED_PROGRAMS.glob("*.py"))
    return found


@dataclass(frozen=True)
class Mutant:
    path: Path
    what: str  # e.g. "drop line 14": enough to rebuild it by hand
    text: str


# --- mutations -------------------------------------------------------------

def _lines(text: str) -> List[str]:
    return text.splitlines(keepends=True)


def _sample(items: list, key: str) -> list:
    """All of `items` when few, else PER_KIND of them chosen by a seed fixed per file."""
    if len(items) <= PER_KIND:
        return list(items)
    return sorted(random.Random(key).sample(items, PER_KIND))


def _tokens(text: str) -> List[tokenize.TokenInfo]:
    kinds = {tokenize.NAME, tokenize.OP, tokenize.NUMBER, tokenize.STRING}
    try:
        return [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type in kinds]
    except (tokenize.TokenError, SyntaxError):
        return []


def _offsets(text: str) -> List[int]:
    """Offset of the start of each line, for (row, col) -> index."""
    starts, total = [], 0
    for line in _lines(text):
        starts.append(total)
        total += len(line)
    return starts


def drop_line(path: Path, text: str) -> Iterator[Mutant]:
    lines = _lines(text)
    for i in _sample(range(len(lines)), f"{path.name}:drop"):
        yield Mutant(path, f"drop line {i + 1}", "".join(lines[:i] + lines[i + 1:]))


def duplicate_line(path: Path, text: str) -> Iterator[Mutant]:
    lines = _lines(text)
    for i in _sample(range(len(lines)), f"{path.name}:dup"):
        yield Mutant(path, f"duplicate line {i + 1}", "".join(lines[: i + 1] + lines[i:]))


def python2_print(path: Path, text: str) -> Iterator[Mutant]:
    lines = _lines(text)
    for i in _sample(range(len(lines) + 1), f"{path.name}:print"):
        following = lines[i] if i < len(lines) else ""
        indent = following[: len(following) - len(following.lstrip(" \t"))] if following.strip() else ""
        statement = f'{indent}print "step", {i}\n'
        yield Mutant(path, f"python 2 print before line {i + 1}", "".join(lines[:i] + [statement] + lines[i:]))


def swap_tokens(path: Path, text: str) -> Iterator[Mutant]:
    tokens = _tokens(text)
    pairs = [i for i in range(len(tokens) - 1) if tokens[i].end[0] == tokens[i + 1].start[0]
             and tokens[i].start[0] == tokens[i].end[0] and tokens[i].string != tokens[i + 1].string]
    starts = _offsets(text)
    for i in _sample(pairs, f"{path.name}:swap"):
        a, b = tokens[i], tokens[i + 1]
        a0 = starts[a.start[0] - 1] + a.start[1]
        a1 = starts[a.end[0] - 1] + a.end[1]
        b0 = starts[b.start[0] - 1] + b.start[1]
        b1 = starts[b.end[0] - 1] + b.end[1]
        mutated = text[:a0] + b.string + text[a1:b0] + a.string + text[b1:]
        yield Mutant(path, f"swap {a.string!r} and {b.string!r} at line {a.start[0]}", mutated)


def delete_closer(path: Path, text: str) -> Iterator[Mutant]:
    starts = _offsets(text)
    closers = [t for t in _tokens(text) if t.string in (")", "]", "}")]
    for t in _sample(closers, f"{path.name}:close"):
        at = starts[t.start[0] - 1] + t.start[1]
        yield Mutant(path, f"delete {t.string!r} at {t.start[0]}:{t.start[1] + 1}", text[:at] + text[at + 1:])


KINDS: Dict[str, Callable[[Path, str], Iterator[Mutant]]] = {
    "drop": drop_line,
    "swap": swap_tokens,
    "close": delete_closer,
    "duplicate": duplicate_line,
    "print": python2_print,
}


def round_robin(paths: List[Path]) -> Iterator[Mutant]:
    """Mutant 1 of every file and kind, then mutant 2 of each, ...; each distinct text once per file."""
    queues = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for make in KINDS.values():
            queues.append(make(path, text))
    seen = set()
    while queues:
        alive = []
        for queue in queues:
            mutant = next(queue, None)
            if mutant is None:
                continue
            alive.append(queue)
            key = (mutant.path, mutant.text)
            if key not in seen:
                seen.add(key)
                yield mutant
        queues = alive


# --- the check ---------------------------------------------------------------

def judge(mutant: Mutant) -> str:
    """"syntax-error", "unchanged" or "fixed" when the engine behaves; raises AssertionError otherwise."""
    try:
        outcome = process_text(mutant.text, str(mutant.path), OPTIONS)
    except libcst.ParserSyntaxError:
        return "syntax-error"
    new_text = outcome.new_text
    try:
        ast.parse(new_text)
    except SyntaxError as error:
        # Text libcst accepts but Python rejects may come back as it was, never made worse.
        assert new_text == mutant.text, f"fixed code does not parse: {error}"
        return "unchanged"
    again = process_text(new_text, str(mutant.path), OPTIONS)
    assert again.new_text == new_text, "a second fix changed the code again"
    return "fixed" if new_text != mutant.text else "unchanged"


def test_mutant_generators_produce_each_kind():
    quiz = ROOT / "fixtures" / "seed_quiz" / "original.py"
    text = "import tensorflow as tf\nx = tf.placeholder(tf.float32, [3, 1])\nprint(x)\n"
    produced = {kind: [m.text for m in make(quiz, text)] for kind, make in KINDS.items()}
    assert produced["drop"][1] == "import tensorflow as tf\nprint(x)\n"
    assert produced["duplicate"][0] == "import tensorflow as tf\n" + text
    assert produced["print"][2] == text.replace("print(x)", 'print "step", 2\nprint(x)')
    assert produced["close"][0] == text.replace("[3, 1])", "[3, 1)")
    assert produced["swap"][0] == text.replace("import tensorflow", "tensorflow import")
    assert produced["swap"][2] == text.replace("as tf\n", "tf as\n")
    assert len(source_files()) >= 3


def verdict_of(mutant: Mutant, deadline: float) -> Tuple[str, str]:
    """(verdict, problem): "skipped" past the deadline; a problem is one line naming the mutant."""
    if time.monotonic() > deadline:
        return "skipped", ""
    where = f"{mutant.path.relative_to(mutant.path.parents[1])}: {mutant.what}"
    try:
        return judge(mutant), ""
    except AssertionError as error:
        return "failed", f"{where}: {error}"
    except Exception as error:  # anything but a clean syntax error is a bug
        return "failed", f"{where}: {type(error).__name__}: {' '.join(str(error).split())[:300]}"


def _verdicts(mutants: Iterator[Mutant], deadline: float) -> Iterator[Tuple[str, str]]:
    """Judge mutants on every core (forked workers inherit the loaded engine)."""
    workers = min(2, os.cpu_count() or 1)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for mutant in mutants:
            yield verdict_of(mutant, deadline)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(functools.partial(verdict_of, deadline=deadline), mutants, chunksize=4)


def test_mutants_fail_cleanly_or_fix_to_valid_idempotent_code():
    paths = source_files()
    assert paths, "no programs to mutate"
    results: Dict[str, int] = {}
    failures: List[str] = []
    for verdict, problem in _verdicts(round_robin(paths), time.monotonic() + BUDGET_SECONDS):
        results[verdict] = results.get(verdict, 0) + 1
        if problem:
            failures.append(problem)
    tried = sum(n for verdict, n in results.items() if verdict != "skipped")
    assert failures == [], f"{len(failures)} of {tried} mutants misbehaved:\n" + "\n".join(failures[:40])
    # Both outcomes must have been exercised, or the mutants prove nothing.
    assert results.get("syntax-error", 0) > 0 and results.get("fixed", 0) > 0, results


def test_every_single_line_drop_of_the_quiz():
    """The quiz, small enough to try whole, fixes cleanly whatever line is missing."""
    path = ROOT / "fixtures" / "seed_quiz" / "original.py"
    lines = _lines(path.read_text(encoding="utf-8"))
    problems = []
    for i in range(len(lines)):
        mutant = Mutant(path, f"drop line {i + 1}", "".join(lines[:i] + lines[i + 1:]))
        try:
            judge(mutant)
        except Exception as error:
            problems.append(f"{mutant.what}: {type(error).__name__}: {error}")
    assert problems == []
