"""Selectors that name no rule: `--select TFM999`, `ignore = ["TFM15"]`, a per-file ignore.

Each is an error naming where it was written and the closest known code.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable, List, Mapping, Sequence

from .config import _CLI_FLAGS, TABLE, Config, ConfigError, _flag_codes


def check_known_codes(config: Config, known: Callable[[], Iterable[str]], flags: Mapping[str, Any] = {}) -> None:
    """Raise ConfigError for a selector that names no rule: in the file's settings or a flag.

    A selector is known when it is ALL or a prefix of some rule's code.
    ``flags`` are the command-line values ({"select": [...], ...}), checked
    after the file's own keys. ``known()`` gives the rule codes; it is called
    only if some selector is more than a prefix of every code (ALL, TFM).
    """
    listed: List[str] = []

    def codes() -> List[str]:
        if not listed:
            listed.extend(sorted(known()))
        return listed

    if config.path is not None:
        table = {"select/extend-select": config.select, "ignore/extend-ignore": config.ignore}
        for key, selectors in table.items():
            for code in selectors:
                _known_code(code, codes, f"{config.path}: {TABLE} {key!r}")
        for pattern, selectors in config.per_file_ignores:
            for code in selectors:
                _known_code(code, codes, f"{config.path}: {TABLE} 'per-file-ignores.{json.dumps(pattern)}'")
    for key, values in flags.items():
        for code in _flag_codes(key, values or ()):
            _known_code(code, codes, _CLI_FLAGS[key])


def _known_code(code: str, codes: Callable[[], List[str]], where: str) -> None:
    if code in ("ALL", "T", "TF", "TFM") or any(k.startswith(code) for k in codes()):
        return
    raise ConfigError(f"{where}: unknown rule code {code!r}{suggest_code(code, codes())}")


def suggest_code(code: str, known: Sequence[str]) -> str:
    """' (did you mean 'TFM101'?)' for the closest known code, or the list of codes."""
    import difflib  # only for a mistake

    # Every close one (a top-n cut by difflib's ratio drops TFM101 for 'TFM1O1' once TFM110-TFM114 exist)
    close = difflib.get_close_matches(code, known, n=len(known), cutoff=0.5)
    # Of the close ones, the fewest edits away, letters read as the digits they look like first
    # ('TFM1O1' is 'TFM101' mistyped, not 'TFM110' or 'TFM111').
    digits = code.upper().translate(str.maketrans("OIL", "011"))
    close.sort(key=lambda candidate: (_edits(digits, candidate), _edits(code, candidate)))
    return f" (did you mean {close[0]!r}?)" if close else f"; known codes: {', '.join(known)}"


def _edits(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions that turn ``a`` into ``b``."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]
