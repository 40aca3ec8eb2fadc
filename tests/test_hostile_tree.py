"""The real command line on a tree of the files real TF1 repositories hold.

Python 2 files, syntax errors, binary and undecodable files, every encoding
and line ending, odd paths, symlinks (and a symlink loop), a read-only file,
a 20,000-line file, modern syntax. `check` must name each bad file once and
go on; `fix` must leave bad files alone, keep each file's bytes-level form,
reach a fixed point in one run, and never leave a temporary file, even when
interrupted.
"""
from __future__ import annotations

import ast
import codecs
import os
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import ROOT, run_cli
from tfmigrate.engine import Options, process_text

SEED_QUIZ = Path("/work/shared/seed/programs/quiz_tf1.py")
QUIZ_PATH = SEED_QUIZ if SEED_QUIZ.exists() else ROOT / "fixtures" / "seed_quiz" / "original.py"
QUIZ = QUIZ_PATH.read_text(encoding="utf-8")
TEMP_SUFFIX = ".tfmigrate.tmp"
FIX = Options(fix=True, unsafe_fixes=True)
CLI = ("--no-cache", "--isolated", "--no-progress")


@dataclass(frozen=True)
class Case:
    """One file of the hostile tree and what the tool owes it."""

    path: str  # relative, with "/" separators, as the CLI prints it
    data: bytes
    bad: bool = False  # cannot be read or parsed: every run must name it and leave it alone
    encoding: str = "utf-8"
    bom: bool = False
    mode: int = 0o644
    tf1: bool = False  # TF1 code that `fix --unsafe-fixes` must change


def _modern_tf1() -> str:
    return QUIZ + (
        "\n"
        "if (n := len(str(w))) > 2:\n"
        '    print(f"{n=} {w!r:>10}")\n'
        "match n:\n"
        "    case 1 | 2:\n"
        '        print("small")\n'
        "    case _:\n"
        "        pass\n"
        "\n"
        "async def gather(values: list[int]) -> dict[str, int]:\n"
        "    return {str(v): v async for v in values}\n"
        "\n"
        "type_hint: 'tf.Variable | None' = None\n"
    )


def hostile_cases() -> List[Case]:
    big = QUIZ + "".join(f"value_{i} = {i}\n" for i in range(20_000 - QUIZ.count("\n")))
    korean = QUIZ.replace("# a)", "# a) 계수: 이차식의 계수").replace("# h)", "# h) 학습 루프 (1000번)")
    latin1 = "# -*- coding: latin-1 -*-\n# café, déjà vu: ½ of the TF1 code\n" + QUIZ
    return [
        Case("py2_model.py", b'import tensorflow as tf\nx = tf.constant(1)\nprint "loss:", x\n', bad=True),
        Case("syntax_error.py", b"import tensorflow as tf\nx = tf.placeholder(tf.float32, [3, 1]\n", bad=True),
        Case("weights.py", b"\x00\x01\x02tensorflow\xff\xfe\x00" * 40, bad=True),
        Case("not_utf8.py", b"import tensorflow as tf\n# caf\xe9\n", bad=True),
        Case("bad_cookie.py", b"# -*- coding: klingon -*-\nimport tensorflow as tf\n", bad=True),
        Case("latin1.py", latin1.encode("latin-1"), encoding="latin-1", tf1=True),
        Case("bom.py", codecs.BOM_UTF8 + QUIZ.encode(), bom=True, tf1=True),
        Case("korean.py", korean.encode(), tf1=True),
        Case("tabs.py", QUIZ.replace("    ", "\t").encode(), tf1=True),
        Case("crlf.py", QUIZ.replace("\n", "\r\n").encode(), tf1=True),
        Case("no_final_newline.py", QUIZ.rstrip("\n").encode(), tf1=True),
        Case("empty.py", b""),
        Case("plain.py", b"import numpy as np\nprint(np.zeros(3))\n"),
        # Never mentions TensorFlow, so it is not parsed at all: not an error, left as it is.
        Case("py2_script.py", b'import sys\nprint "usage:", sys.argv[0]\n'),
        Case("big.py", big.encode(), tf1=True),
        Case("dir with spaces/my model, v2 ñ.py", QUIZ.encode(), tf1=True),
        Case("données/модель.py", QUIZ.encode(), tf1=True),
        Case("script.py", ("#!/usr/bin/env python\n" + QUIZ).encode(), mode=0o755, tf1=True),
        Case("target.py", QUIZ.encode(), tf1=True),
        Case("read_only.py", QUIZ.encode(), mode=0o444),
        Case("modern.py", _modern_tf1().encode(), tf1=True),
        Case("quiz_tf1.py", QUIZ_PATH.read_bytes(), tf1=True),
    ]


def build_tree(root: Path) -> List[Case]:
    cases = hostile_cases()
    for case in cases:
        target = root / case.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(case.data)
        target.chmod(case.mode)
    (root / "link.py").symlink_to("target.py")
    (root / "loop").mkdir()
    (root / "loop" / "back").symlink_to("..", target_is_directory=True)
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.py")  # reading it would block: a walk must pass it by
    return cases


def snapshot(root: Path) -> Dict[str, tuple]:
    """Every entry under root, symlinks not followed: path -> (kind, bytes or link target, mode)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                found[rel] = ("link", os.readlink(path), None)
            elif stat.S_ISREG(info.st_mode):
                found[rel] = ("file", path.read_bytes(), stat.S_IMODE(info.st_mode))
    return found


def temp_files(root: Path) -> List[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX))


def decode(case: Case, data: bytes) -> str:
    if case.bom:
        assert data.startswith(codecs.BOM_UTF8), f"{case.path}: BOM lost"
        data = data[len(codecs.BOM_UTF8):]
    else:
        assert not data.startswith(codecs.BOM_UTF8), f"{case.path}: BOM added"
    return data.decode(case.encoding)


def engine_fix(case: Case) -> bytes:
    """What fixing the case in memory gives, stored the way the case was stored."""
    text = decode(case, case.data)
    new = process_text(text, case.path, FIX).new_text.encode(case.encoding)
    return codecs.BOM_UTF8 + new if case.bom else new


@dataclass
class Runs:
    root: Path
    cases: List[Case]
    before: Dict[str, tuple]
    check: subprocess.CompletedProcess
    after_check: Dict[str, tuple]
    fix: subprocess.CompletedProcess
    after_fix: Dict[str, tuple]
    fix_again: subprocess.CompletedProcess
    after_fix_again: Dict[str, tuple]

    def case(self, path: str) -> Case:
        return next(c for c in self.cases if c.path == path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    """The tree, checked, fixed, and fixed again (the 20,000-line file makes each run slow: run once)."""
    root = tmp_path_factory.mktemp("hostile")
    cases = build_tree(root)
    before = snapshot(root)
    check = run_cli("check", *CLI, "--output-format", "concise", ".", cwd=root)
    after_check = snapshot(root)
    fix = run_cli("fix", *CLI, "--unsafe-fixes", ".", cwd=root)
    after_fix = snapshot(root)
    fix_again = run_cli("fix", *CLI, "--unsafe-fixes", ".", cwd=root)
    yield Runs(root, cases, before, check, after_check, fix, after_fix, fix_again, snapshot(root))
    for case in cases:
        (root / case.path).chmod(0o644)  # let pytest remove the read-only file


def error_lines(result: subprocess.CompletedProcess, path: str) -> List[str]:
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if line.startswith(f"{path}: error: ")]


def test_check_names_every_bad_file_once_and_exits_2(runs):
    assert runs.check.returncode == 2, runs.check.stderr
    output = runs.check.stdout + runs.check.stderr
    assert "Traceback" not in output
    for case in runs.cases:
        named = error_lines(runs.check, case.path)
        if case.bad:
            assert len(named) == 1, (case.path, named)
            assert len(named[0]) > len(f"{case.path}: error: ") + 5
        else:
            assert named == [], case.path
    assert runs.after_check == runs.before


def test_check_gives_one_reason_per_kind_of_bad_file(runs):
    reasons = {c.path: error_lines(runs.check, c.path)[0].split(": error: ", 1)[1] for c in runs.cases if c.bad}
    assert reasons["weights.py"] == "binary file"
    assert reasons["not_utf8.py"].startswith("cannot decode as utf-8")
    assert "line 2" in reasons["not_utf8.py"]
    assert reasons["bad_cookie.py"] == "unknown encoding in coding cookie: klingon"
    assert reasons["py2_model.py"].startswith("syntax error at line 3")
    assert reasons["syntax_error.py"].startswith("syntax error")


def test_check_reports_every_tf1_file_once_through_links_and_loops(runs):
    lines = runs.check.stdout.splitlines()
    for case in runs.cases:
        if case.tf1:
            assert any(line.startswith(f"{case.path}:") and " TFM" in line for line in lines), case.path
    assert not [line for line in lines if line.startswith("loop/")]
    # link.py and target.py are one file: reported under one name only
    named = {name for name in ("link.py", "target.py") if any(line.startswith(f"{name}:14:5: TFM001") for line in lines)}
    assert len(named) == 1, named


def test_fix_leaves_bad_and_read_only_files_byte_for_byte(runs):
    assert runs.fix.returncode == 2, runs.fix.stdout + runs.fix.stderr
    assert "Traceback" not in runs.fix.stdout + runs.fix.stderr
    for case in runs.cases:
        if case.bad or case.mode == 0o444:
            assert runs.after_fix[case.path] == runs.before[case.path], case.path
            assert len(error_lines(runs.fix, case.path)) == 1, case.path
    assert error_lines(runs.fix, "read_only.py") == ["read_only.py: error: read-only file"]


def test_fix_rewrites_each_tf1_file_as_the_engine_does_keeping_encoding_bom_and_newlines(runs):
    for case in runs.cases:
        if not case.tf1:
            continue
        kind, data, mode = runs.after_fix[case.path]
        assert data != case.data, f"{case.path} was not fixed"
        assert data == engine_fix(case), case.path
        assert mode == case.mode, case.path
        text = decode(case, data)
        ast.parse(text)
        if b"\r\n" in case.data:
            assert text.count("\n") == text.count("\r\n"), f"{case.path}: bare LF in a CRLF file"
        else:
            assert "\r" not in text, case.path
        assert text.endswith("\n") == case.data.endswith(b"\n"), f"{case.path}: final newline changed"


def test_fix_keeps_non_ascii_comments_and_modern_syntax(runs):
    latin1 = decode(runs.case("latin1.py"), runs.after_fix["latin1.py"][1])
    assert latin1.startswith("# -*- coding: latin-1 -*-\n# café, déjà vu: ½ of the TF1 code\n")
    korean = runs.after_fix["korean.py"][1].decode("utf-8")
    assert "# a) 계수: 이차식의 계수" in korean and "# h) 학습 루프 (1000번)" in korean
    modern = runs.after_fix["modern.py"][1].decode("utf-8")
    for line in ('    print(f"{n=} {w!r:>10}")', "match n:", "    case 1 | 2:",
                 "    return {str(v): v async for v in values}", "type_hint: 'tf.Variable | None' = None"):
        assert line in modern.splitlines()
    assert runs.after_fix["script.py"][1].startswith(b"#!/usr/bin/env python\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_passed_by_in_a_walk_and_an_error_when_named(runs):
    assert error_lines(runs.check, "pipe.py") == []
    named = run_cli("check", *CLI, "pipe.py", cwd=runs.root)
    assert named.returncode == 2
    assert error_lines(named, "pipe.py") == ["pipe.py: error: not a file"]


def test_fix_leaves_files_without_tf1_code_untouched(runs):
    for path in ("empty.py", "plain.py", "py2_script.py"):
        assert runs.after_fix[path] == runs.before[path]


def test_fix_writes_through_a_symlink_and_keeps_it_a_link(runs):
    assert runs.after_fix["link.py"] == ("link", "target.py", None)
    assert runs.after_fix["loop/back"] == ("link", "..", None)
    assert runs.after_fix["target.py"][1] == engine_fix(runs.case("target.py"))


def test_fix_twice_equals_fix_once(runs):
    assert runs.after_fix_again == runs.after_fix
    assert runs.fix_again.returncode == 2  # the bad files are still bad
    assert "Traceback" not in runs.fix_again.stdout + runs.fix_again.stderr
    for case in runs.cases:
        expected = 1 if case.bad or case.mode == 0o444 else 0
        assert len(error_lines(runs.fix_again, case.path)) == expected, case.path


def test_no_temporary_file_is_left(runs):
    assert temp_files(runs.root) == []
    assert set(runs.after_fix_again) == set(runs.before)


# --- interrupted runs --------------------------------------------------------

VARIANTS = 20
FILES = 400


def quiz_variant(k: int) -> str:
    """The quiz with its own learning rate and step count."""
    text = QUIZ.replace("GradientDescentOptimizer(0.01)", f"GradientDescentOptimizer(0.0{k % 9 + 1})")
    return text.replace("range(1000)", f"range({1000 + k})")


@pytest.fixture(scope="module")
def variants() -> Dict[int, tuple]:
    """variant -> (original bytes, bytes fully fixed in memory)."""
    out = {}
    for k in range(VARIANTS):
        text = quiz_variant(k)
        outcome = process_text(text, f"quiz_{k}.py", FIX)
        assert outcome.new_text != text and outcome.error is None
        out[k] = (text.encode(), outcome.new_text.encode())
    return out


def build_copies(root: Path, variants: Dict[int, tuple]) -> Dict[Path, int]:
    files = {}
    for i in range(FILES):
        path = root / f"pkg_{i // 50}" / f"quiz_{i:03d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(variants[i % VARIANTS][0])
        files[path] = i % VARIANTS
    return files


def states(files: Dict[Path, int], variants: Dict[int, tuple]) -> Dict[str, List[str]]:
    """The files grouped by state: "original", "fixed", or "torn"."""
    grouped: Dict[str, List[str]] = {"original": [], "fixed": [], "torn": []}
    for path, k in files.items():
        data = path.read_bytes()
        state = "original" if data == variants[k][0] else "fixed" if data == variants[k][1] else "torn"
        grouped[state].append(path.name)
    return grouped


def wait_for_first_write(files: Dict[Path, int], variants: Dict[int, tuple], process, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if any(path.read_bytes() != variants[k][0] for path, k in files.items()):
            return
        time.sleep(0.05)
    raise AssertionError(f"no file was fixed within {limit} s (exit status {process.poll()})")


@pytest.mark.parametrize(
    "signum, status, jobs",
    [(signal.SIGINT, 130, "1"), (signal.SIGTERM, 143, "1"), (signal.SIGINT, 130, "2")],
    ids=["SIGINT", "SIGTERM", "SIGINT-2-jobs"],
)
def test_interrupted_fix_leaves_each_file_whole_and_a_rerun_finishes(tmp_path, variants, signum, status, jobs):
    files = build_copies(tmp_path, variants)
    env = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tfmigrate", "fix", *CLI, "--unsafe-fixes", "--jobs", jobs, "."],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    try:
        wait_for_first_write(files, variants, process)
        time.sleep(1.0)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert b"Traceback" not in stderr
    grouped = states(files, variants)
    assert grouped["torn"] == []
    assert grouped["fixed"] and grouped["original"], {k: len(v) for k, v in grouped.items()}
    assert temp_files(tmp_path) == []

    rerun = run_cli("fix", *CLI, "--unsafe-fixes", ".", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    grouped = states(files, variants)
    assert len(grouped["fixed"]) == FILES, {k: len(v) for k, v in grouped.items()}
    assert temp_files(tmp_path) == []
    # Last, so the files are judged whatever the status: 128 + the signal, as shells report it.
    assert process.returncode == status, stderr.decode(errors="replace")[-2000:]
