"""`[tool.tfmigrate]` in pyproject.toml."""
from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import json
import os
from typing import Optional, Tuple

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib


class ConfigError(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Config:
    select: Tuple[str, ...] = ("TFM",)
    ignore: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    extend_exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    unsafe_fixes: bool = False
    respect_gitignore: bool = True
    cache_dir: Optional[str] = None
    root: str = "."
    path: Optional[str] = None

    def merged(self, **overrides) -> "Config":
        changes = {}
        for key, value in overrides.items():
            if value is None:
                continue
            if key == "extend_select":
                changes["select"] = tuple(changes.get("select", self.select)) + tuple(value)
            elif key == "extend_ignore":
                changes["ignore"] = tuple(changes.get("ignore", self.ignore)) + tuple(value)
            elif key == "extend_exclude":
                changes["extend_exclude"] = self.extend_exclude + tuple(value)
            else:
                changes[key] = tuple(value) if isinstance(value, list) else value
        return dataclasses.replace(self, **changes)

    def is_enabled(self, code: str, path: str) -> bool:
        best_select = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        if best_select < 0 or best_ignore > best_select:
            return False
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root)).replace(os.sep, "/")
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(os.path.basename(rel), pattern):
                if any(code.startswith(c) for c in codes):
                    return False
        return True

    def fingerprint(self) -> str:
        data = dataclasses.asdict(self)
        data.pop("path")
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=list).encode()).hexdigest()


def find_config(start: str) -> Optional[str]:
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as handle:
                    if "tfmigrate" in tomllib.load(handle).get("tool", {}):
                        return candidate
            except (OSError, tomllib.TOMLDecodeError):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load_config(path: Optional[str]) -> Config:
    if path is None:
        return Config(root=os.getcwd())
    try:
        with open(path, "rb") as handle:
            table = tomllib.load(handle).get("tool", {}).get("tfmigrate", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}")
    values = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in {f.name for f in dataclasses.fields(Config)} - {"root", "path"}:
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.tfmigrate]")
        if name == "per_file_ignores":
            value = tuple((k, tuple(v)) for k, v in value.items())
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return Config(root=os.path.dirname(os.path.abspath(path)), path=path, **values)
