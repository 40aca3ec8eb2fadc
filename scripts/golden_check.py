"""Golden check: what `check` and `fix --unsafe-fixes` make of many TF1 programs, recorded
once and compared byte for byte later, so a restructuring of the rewrite can prove it
changes nothing.

    python scripts/golden_check.py record /tmp/golden [EXTRA_FOLDERS...]
    python scripts/golden_check.py compare /tmp/golden [EXTRA_FOLDERS...]

The programs: every fixture (original and expected), the seed programs, the TF1 scripts
of the benchmark's generated corpus, every string in the test suite that imports
TensorFlow, and every .py file under EXTRA_FOLDERS (a local corpus of real code).
For each, the record holds the fixed text, the status `fix` reaches, the findings and
status `check` reports, and the error if any. `compare` prints each program that differs
and exits 1 if one does.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import pathlib
import random
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from typing import Dict, Iterator, Tuple

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def _programs(extra) -> Iterator[Tuple[str, str]]:
    for path in sorted((ROOT / "fixtures").glob("*/*.py")):
        yield f"fixtures/{path.parent.name}/{path.name}", path.read_text(encoding="utf-8")
    seed = ROOT.parent / "shared" / "seed" / "programs"
    for path in sorted(seed.glob("*.py")):
        yield f"seed/{path.name}", path.read_text(encoding="utf-8")
    from corpus import tf1_script  # the benchmark's generator

    rng = random.Random(0)
    for index in range(400):
        yield f"benchmark/{index:03d}.py", tf1_script(rng)
    for path in sorted((ROOT / "tests").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        count = 0
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "import tensorflow" in node.value:
                count += 1
                yield f"tests/{path.stem}/{count:03d}.py", textwrap.dedent(node.value)
    for folder in extra:
        base = pathlib.Path(folder).resolve()
        for path in sorted(base.rglob("*.py")):
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if "tensorflow" in text:
                yield f"extra/{base.name}/{path.relative_to(base)}", text


def _outcome(text: str, name: str) -> dict:
    from tfmigrate.engine import Options, parse_error_reason, process_text

    result: Dict[str, object] = {}
    for label, options in (("check", Options()), ("fix", Options(fix=True, unsafe_fixes=True))):
        try:
            outcome = process_text(text, name, options)
        except Exception as error:  # a syntax error in a test string, or a crash: recorded as such
            reason = parse_error_reason(text, error) if type(error).__name__ == "ParserSyntaxError" else repr(error)
            result[label] = {"error": reason}
            continue
        result[label] = {
            "status": outcome.status.value,
            "findings": [f"{f.start.line}:{f.start.column} {f.code} {f.message}" for f in outcome.findings],
            "error": outcome.error.reason if outcome.error else None,
        }
        if label == "fix":
            result[label]["text"] = outcome.new_text
            result[label]["remaining"] = [f"{f.start.line}:{f.start.column} {f.code}" for f in outcome.remaining]
    return result


def _outcome_of(program: Tuple[str, str]) -> dict:
    name, text = program
    return _outcome(text, name)


def _key(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:16]


def main(argv) -> int:
    if len(argv) < 2 or argv[0] not in ("record", "compare"):
        print(__doc__.strip().splitlines()[3])
        return 2
    mode, out = argv[0], pathlib.Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    seen = differ = 0
    only = os.environ.get("GOLDEN_ONLY", "")
    programs = [p for p in _programs(argv[2:]) if p[0].startswith(only)]
    with ProcessPoolExecutor(max_workers=int(os.environ.get("GOLDEN_JOBS", "2"))) as pool:
        outcomes = list(pool.map(_outcome_of, programs, chunksize=8))
    for (name, text), got in zip(programs, outcomes):
        seen += 1
        path = out / f"{_key(name)}.json"
        if mode == "record":
            path.write_text(json.dumps({"name": name, "outcome": got}, indent=1), encoding="utf-8")
            continue
        if not path.exists():
            print(f"{name}: not recorded")
            differ += 1
            continue
        want = json.loads(path.read_text(encoding="utf-8"))["outcome"]
        if want != got:
            differ += 1
            parts = [k for k in ("check", "fix") if want.get(k) != got.get(k)]
            print(f"{name}: differs in {', '.join(parts)}")
            if os.environ.get("GOLDEN_VERBOSE"):
                for k in parts:
                    for field in sorted(set(want[k]) | set(got[k])):
                        if want[k].get(field) != got[k].get(field):
                            print(f"  {k}.{field}:\n    was {want[k].get(field)!r}\n    now {got[k].get(field)!r}")
    print(f"{seen} programs, {differ} differ" if mode == "compare" else f"{seen} programs recorded in {out}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
