"""The `[tool.tfmigrate]` table of pyproject.toml, merged with command-line flags.

```toml
[tool.tfmigrate]
select = ["TFM"]                 # codes or prefixes to check (default: all)
extend-select = ["TFM101"]       # added to `select`
ignore = ["TFM1"]                # codes or prefixes not to check
extend-ignore = ["TFM005"]       # added to `ignore`
exclude = ["legacy/"]            # replaces the default excludes
extend-exclude = ["*_pb2.py"]    # added to the excludes
per-file-ignores = { "tests/*.py" = ["TFM001"], "__init__.py" = ["TFM1"] }
unsafe-fixes = false
respect-gitignore = true
cache-dir = ".tfmigrate_cache"
```

What a user can rely on:

- The configuration used is the nearest pyproject.toml holding a
  `[tool.tfmigrate]` table, from the checked path upward; a pyproject.toml
  without the table is passed over, as ruff does. Paths in it (per-file
  ignores, excludes, a relative cache-dir) are relative to its folder.
- A code is checked when the longest selector matching it comes from
  `select` rather than `ignore` (ties go to `ignore`): with `select = ["TFM"]`
  and `ignore = ["TFM1"]`, TFM101 is off, but `select = ["TFM101"]` beats
  `ignore = ["TFM1"]`. `ALL` selects every code.
- On the command line, `--select` replaces the file's selection (its
  `ignore` and `extend-select` included); `--extend-select`, `--ignore` and
  `--extend-ignore` apply on top of it, so `--ignore X` always turns X off
  and `--extend-select X` always turns it on.
- Per-file ignores are glob patterns: `*` and `?` stay within one folder,
  `**` spans folders. A pattern with a `/` is matched against the path
  relative to the configuration's folder (or a folder above the file), one
  without against the file's name and each folder name: `__init__.py`,
  `*_test.py`, `tests/*.py`, `legacy/**/old_*.py`, `generated/`.
- Every mistake stops the run with one line naming the file and the key:
  unknown keys (with the closest known key), wrong types, invalid TOML (with
  its line), codes that are not `TFM` followed by digits or a prefix of that,
  and (tfmigrate.selectors, once the rules are known) codes that name no rule.
  A pyproject.toml that does not parse, or is not UTF-8, and mentions
  tfmigrate is reported, not passed over.
"""
from __future__ import annotations

import functools
import json
import os
import re
import sys
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

TABLE = "[tool.tfmigrate]"
PYPROJECT = "pyproject.toml"
_CODE = re.compile(r"^(?:ALL|T|TF|TFM[0-9]*)$")
_TABLE_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*tfmigrate\s*[\].]|^\s*tool\s*\.\s*tfmigrate\s*[.=]", re.MULTILINE)
_CLI_FLAGS = {
    "select": "--select",
    "extend_select": "--extend-select",
    "ignore": "--ignore",
    "extend_ignore": "--extend-ignore",
    "exclude": "--exclude",
    "extend_exclude": "--extend-exclude",
    "per_file_ignores": "--per-file-ignores",
    "unsafe_fixes": "--unsafe-fixes",
    "respect_gitignore": "--respect-gitignore",
    "cache_dir": "--cache-dir",
}

_SELECTION_FLAGS = ("select", "extend_select", "ignore", "extend_ignore")
_NOT_A_CODE = "is not a tfmigrate code (TFM followed by digits, or a prefix of it)"

Codes = Tuple[str, ...]
Selection = Tuple[Codes, Codes]  # (turned on, turned off) by one layer of flags


class ConfigError(Exception):
    """A configuration that cannot be used; the message is one line naming the file and key."""


@dataclass(frozen=True)
class Config:
    """The effective settings of a run."""

    select: Codes = ("TFM",)
    ignore: Codes = ()
    exclude: Tuple[str, ...] = ()  # empty: the default excludes apply
    extend_exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Codes], ...] = ()
    unsafe_fixes: bool = False
    respect_gitignore: bool = True
    cache_dir: Optional[str] = None
    root: str = field(default_factory=os.getcwd)
    path: Optional[str] = None
    # command-line --extend-select/--ignore layers, applied after select/ignore in order
    cli_selections: Tuple[Selection, ...] = ()

    def merged(self, **overrides: Any) -> "Config":
        """This configuration with command-line flags applied (None or absent: keep the file's)."""
        unknown = sorted(set(overrides) - set(_CLI_FLAGS))
        if unknown:
            raise TypeError(f"merged() got unexpected flags: {', '.join(unknown)}")
        given = {key: value for key, value in overrides.items() if value is not None}
        codes = {key: _flag_codes(key, given.get(key, ())) for key in _SELECTION_FLAGS}
        changes: Dict[str, Any] = {}
        turn_off = codes["ignore"] + codes["extend_ignore"]
        if "select" in given:
            changes.update(select=codes["select"] + codes["extend_select"], ignore=turn_off, cli_selections=())
        elif codes["extend_select"] or turn_off:
            changes["cli_selections"] = self.cli_selections + ((codes["extend_select"], turn_off),)
        if "exclude" in given:
            changes["exclude"] = _flag_strings("exclude", given["exclude"])
        if "extend_exclude" in given:
            changes["extend_exclude"] = self.extend_exclude + _flag_strings("extend_exclude", given["extend_exclude"])
        if "per_file_ignores" in given:
            changes["per_file_ignores"] = _flag_per_file_ignores(given["per_file_ignores"])
        for key in ("unsafe_fixes", "respect_gitignore"):
            if key in given:
                changes[key] = bool(given[key])
        if "cache_dir" in given:
            changes["cache_dir"] = str(given["cache_dir"])
        return replace(self, **changes)

    def is_enabled(self, code: str, path: str) -> bool:
        """Whether rule `code` runs on the file at `path`."""
        code = code.upper()
        enabled = _decide(code, self.select, self.ignore, False)
        for turn_on, turn_off in self.cli_selections:
            enabled = _decide(code, turn_on, turn_off, enabled)
        if not enabled:
            return False
        return not any(_matches_any(code, codes) for codes in self._file_ignores(path))

    def _file_ignores(self, path: str) -> Iterable[Codes]:
        if not self.per_file_ignores:
            return ()
        absolute, relative = _locate(path, self.root)
        return (codes for pattern, codes in self.per_file_ignores if _glob_matches(pattern, absolute, relative))

    def fingerprint(self) -> str:
        """A stable hash of every setting that changes a file's findings."""
        settings = {
            "select": sorted(set(self.select)),
            "ignore": sorted(set(self.ignore)),
            "cli_selections": [[sorted(set(on)), sorted(set(off))] for on, off in self.cli_selections],
            "per_file_ignores": [[pattern, sorted(set(codes))] for pattern, codes in self.per_file_ignores],
            "unsafe_fixes": self.unsafe_fixes,
            "root": self.root if self.per_file_ignores else "",  # the root only matters to these globs
        }
        text = json.dumps(settings, sort_keys=True, separators=(",", ":"))
        import hashlib  # only the cache needs a fingerprint: not at every start

        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


# --------------------------------------------------------------------------
# selection


def _longest_match(code: str, selectors: Sequence[str]) -> int:
    """Length of the longest selector that is a prefix of `code` (ALL counts as 0), -1 for none."""
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
    return best


def _decide(code: str, turn_on: Codes, turn_off: Codes, current: bool) -> bool:
    on, off = _longest_match(code, turn_on), _longest_match(code, turn_off)
    if on < 0 and off < 0:
        return current
    return on > off  # the more specific selector wins; ties go to the ignore


def _matches_any(code: str, codes: Codes) -> bool:
    return _longest_match(code, codes) >= 0


# --------------------------------------------------------------------------
# per-file-ignores globs


def _locate(path: str, root: str) -> Tuple[str, Optional[str]]:
    """(absolute path, path relative to root or None when outside it), with forward slashes."""
    absolute = os.path.abspath(path)
    try:
        relative: Optional[str] = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        relative = None
    if relative is not None and (relative == os.pardir or relative.startswith(os.pardir + os.sep)):
        relative = None
    return absolute.replace(os.sep, "/"), relative.replace(os.sep, "/") if relative else None


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> "re.Pattern[str]":
    """A glob as a regex: `*` and `?` within one folder, `**` across folders, `[...]` classes."""
    parts, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            parts.append(".*")
            index += 2
            continue
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        elif char == "[" and "]" in pattern[index + 2:]:
            end = pattern.index("]", index + 2)
            body = pattern[index + 1:end]
            parts.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            index = end + 1
            continue
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts) + r"\Z")


def _ancestors(relative: str) -> Iterable[str]:
    """`a/b/c.py`, `a/b`, `a`: a pattern naming a folder covers the files below it."""
    parts = relative.split("/")
    for end in range(len(parts), 0, -1):
        yield "/".join(parts[:end])


def _glob_matches(pattern: str, absolute: str, relative: Optional[str]) -> bool:
    pattern = pattern.replace("\\", "/") if os.sep == "\\" else pattern
    stripped = pattern[2:] if pattern.startswith("./") else pattern
    stripped = stripped.rstrip("/") or stripped
    regex = _glob_regex(stripped)
    if os.path.isabs(stripped):
        return any(regex.match(candidate) for candidate in _ancestors(absolute))
    if "/" in stripped:
        return relative is not None and any(regex.match(candidate) for candidate in _ancestors(relative))
    names = (relative or absolute.rsplit("/", 1)[-1]).split("/")
    return any(regex.match(name) for name in names)


# --------------------------------------------------------------------------
# finding and reading pyproject.toml


def _toml_loads(text: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on older Pythons only
        import tomli as tomllib
    return tomllib.loads(text)


def _toml_error() -> type:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib.TOMLDecodeError


def _read(path: str) -> str:
    with open(path, "rb") as stream:
        return stream.read().decode("utf-8-sig")


def _has_table(path: str) -> bool:
    """Whether the pyproject.toml at `path` configures tfmigrate.

    One that does not parse, or is not UTF-8, and names tfmigrate anywhere
    counts: load_config then reports the error instead of passing it over.
    """
    try:
        with open(path, "rb") as stream:
            raw = stream.read()
    except OSError:
        return False
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return b"tfmigrate" in raw
    try:
        tool = _toml_loads(text).get("tool")
    except _toml_error():
        return bool(_TABLE_HEADER.search(text)) or "tfmigrate" in text
    return isinstance(tool, dict) and "tfmigrate" in tool


def find_config(start: str) -> Optional[str]:
    """The nearest pyproject.toml with a [tool.tfmigrate] table, from `start` (a file or folder) upward."""
    folder = os.path.abspath(start)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        candidate = os.path.join(folder, PYPROJECT)
        if os.path.isfile(candidate) and _has_table(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load_config(path: Optional[str]) -> Config:
    """The settings in the pyproject.toml at `path` (None: the defaults, rooted at the current folder)."""
    if path is None:
        return Config()
    try:
        text = _read(path)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: cannot read: not UTF-8") from None
    try:
        document = _toml_loads(text)
    except _toml_error() as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    table = _table(path, document)
    settings = _Reader(path, table).settings()
    root = os.path.dirname(os.path.abspath(path))
    return Config(root=root, path=path, **settings)


def _table(path: str, document: dict) -> dict:
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table, not {_kind(tool)}")
    table = tool.get("tfmigrate", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'tool.tfmigrate' must be a table, not {_kind(table)}")
    return table


# --------------------------------------------------------------------------
# checking the table

_KINDS = (
    (bool, "a boolean"),  # before int: a bool is an int
    (int, "an integer"),
    (float, "a float"),
    (str, "a string"),
    (list, "an array"),
    (dict, "a table"),
)


def _kind(value: Any) -> str:
    for kind, name in _KINDS:
        if isinstance(value, kind):
            return name
    return "a date or time"


class _Reader:
    """Checks the keys of one [tool.tfmigrate] table and turns them into Config fields."""

    KEYS = (
        "select",
        "extend-select",
        "ignore",
        "extend-ignore",
        "exclude",
        "extend-exclude",
        "per-file-ignores",
        "unsafe-fixes",
        "respect-gitignore",
        "cache-dir",
    )

    def __init__(self, path: str, table: dict) -> None:
        self.path = path
        self.table = table

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {TABLE} {key!r} {problem}")

    def settings(self) -> Dict[str, Any]:
        for key in self.table:
            if key not in self.KEYS:
                raise ConfigError(f"{self.path}: {TABLE} unknown key {key!r}{self._suggestion(key)}")
        out: Dict[str, Any] = {}
        if "select" in self.table or "extend-select" in self.table:
            out["select"] = self.codes("select", ("TFM",)) + self.codes("extend-select", ())
        out["ignore"] = self.codes("ignore", ()) + self.codes("extend-ignore", ())
        out["exclude"] = self.strings("exclude")
        out["extend_exclude"] = self.strings("extend-exclude")
        out["per_file_ignores"] = self.per_file_ignores()
        out["unsafe_fixes"] = self.boolean("unsafe-fixes", False)
        out["respect_gitignore"] = self.boolean("respect-gitignore", True)
        out["cache_dir"] = self.cache_dir()
        return out

    def _suggestion(self, key: str) -> str:
        import difflib  # only for a misspelt key

        close = difflib.get_close_matches(key.replace("_", "-").lower(), self.KEYS, n=1, cutoff=0.6)
        return f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(self.KEYS)}"

    def strings(self, key: str, value: Any = None, where: Optional[str] = None) -> Tuple[str, ...]:
        value = self.table.get(key, []) if value is None else value
        if not isinstance(value, list):
            raise self.fail(where or key, f"must be an array of strings, not {_kind(value)}")
        for item in value:
            if not isinstance(item, str):
                raise self.fail(where or key, f"must be an array of strings, not an array holding {_kind(item)}")
        return tuple(value)

    def codes(self, key: str, default: Codes, value: Any = None, where: Optional[str] = None) -> Codes:
        if value is None and key not in self.table:
            return default
        codes = tuple(code.strip().upper() for code in self.strings(key, value, where))
        for code in codes:
            if not _CODE.match(code):
                raise self.fail(where or key, f"has {code!r}, which {_NOT_A_CODE}")
        return codes

    def per_file_ignores(self) -> Tuple[Tuple[str, Codes], ...]:
        table = self.table.get("per-file-ignores", {})
        if not isinstance(table, dict):
            raise self.fail("per-file-ignores", f"must be a table of glob = [codes], not {_kind(table)}")
        return tuple(
            (pattern, self.codes("per-file-ignores", (), codes, f"per-file-ignores.{json.dumps(pattern)}"))
            for pattern, codes in table.items()
        )

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, not {_kind(value)}")
        return value

    def cache_dir(self) -> Optional[str]:
        value = self.table.get("cache-dir")
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            found = "an empty string" if value == "" else _kind(value)
            raise self.fail("cache-dir", f"must be a folder name, not {found}")
        return os.path.expanduser(value)


# --------------------------------------------------------------------------
# command-line values


def _flag_strings(key: str, values: Any) -> Tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    return tuple(str(value) for value in values)


def _flag_codes(key: str, values: Any) -> Codes:
    codes = tuple(code.strip().upper() for code in _flag_strings(key, values) if code.strip())
    for code in codes:
        if not _CODE.match(code):
            raise ConfigError(f"{_CLI_FLAGS[key]}: {code!r} {_NOT_A_CODE}")
    return codes


def _flag_per_file_ignores(value: Any) -> Tuple[Tuple[str, Codes], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple((str(pattern), _flag_codes("per_file_ignores", codes)) for pattern, codes in pairs)
