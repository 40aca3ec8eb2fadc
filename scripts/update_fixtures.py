"""Rewrite each fixture's expected.py from what `fix --unsafe-fixes` produces now.

Run after a deliberate change to a rewrite, then review `git diff fixtures/`:
the expected files are snapshots that the tests compare exactly.
"""
from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tfmigrate.engine import Options, process_text  # noqa: E402


def main() -> int:
    changed = 0
    for original in sorted((ROOT / "fixtures").glob("*/original.py")):
        text = original.read_text(encoding="utf-8")
        outcome = process_text(text, str(original), Options(fix=True, unsafe_fixes=True))
        expected = original.with_name("expected.py")
        old = expected.read_text(encoding="utf-8") if expected.exists() else None
        if outcome.new_text != old:
            expected.write_text(outcome.new_text, encoding="utf-8")
            changed += 1
            print(f"updated {expected.relative_to(ROOT)} ({outcome.status.value})")
    print(f"{changed} expected file(s) updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
