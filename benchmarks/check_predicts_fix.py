"""Does `check` predict what `fix --unsafe-fixes` makes of each file?

    python benchmarks/check_predicts_fix.py DIR [DIR...] [-j JOBS]

For every .py file under the folders: the status `check` gives the original, the status the fix
reaches, and the status `check` gives the fixed text. Prints each file where the first two differ
(or where an idiomatic prediction leaves a fixed file that check calls otherwise), then the totals.
Exit status 1 when a file differs. Files that do not parse are counted apart.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Optional, Tuple


def statuses(path: pathlib.Path) -> Tuple[str, Optional[str], Optional[str], Optional[str]]:
    """(path, check's status, the fix's status, check's status of the fixed text); None when unparsable."""
    from tfmigrate.engine import Options, process_text

    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        checked = process_text(text, str(path), Options(fix=False))
        fixed = process_text(text, str(path), Options(fix=True, unsafe_fixes=True))
    except Exception:  # a file that does not parse (libcst's ParserSyntaxError): `check` says so and goes on
        return str(path), None, None, None
    again = None
    if fixed.new_text is not None and fixed.new_text != text:
        again = process_text(fixed.new_text, str(path), Options(fix=False)).status.value
    return str(path), checked.status.value, fixed.status.value, again


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    files = sorted(p for folder in args.folders for p in pathlib.Path(folder).rglob("*.py"))
    counted = differ = unparsable = 0
    with ProcessPoolExecutor(args.jobs) as pool:
        for path, predicted, reached, after in pool.map(statuses, files, chunksize=8):
            if predicted is None:
                unparsable += 1
                continue
            counted += 1
            worse_after = predicted == "idiomatic" and after not in (None, "clean", "idiomatic")
            if predicted != reached or worse_after:
                differ += 1
                print(f"check {predicted}, fix {reached}, check of the fixed file {after or '(unchanged)'}: {path}")
    print(f"{counted} files: check predicts the fix's status of {counted - differ}, not of {differ}"
          f" ({unparsable} files do not parse)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
