"""Finding the rules: every Rule subclass in the modules of ``tfmigrate.rules``."""
from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import Dict, List, Tuple, Type

from ._startup import cached_dataclass_code
from .rule import Rule

RULES_PACKAGE = "tfmigrate.rules"


@functools.lru_cache(maxsize=None)
def all_rules() -> Tuple[Type[Rule], ...]:
    """Every rule, sorted by code. Modules starting with `_` hold helpers."""
    with cached_dataclass_code():  # the rule modules' own dataclasses
        modules = _rule_modules()
    found: Dict[str, Type[Rule]] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value.code:
                if value.__module__ != module.__name__:
                    continue
                other = found.get(value.code)
                if other is not None and other is not value:
                    raise RuntimeError(f"rule code {value.code} is used twice: {other.__name__}, {value.__name__}")
                found[value.code] = value
    return tuple(found[code] for code in sorted(found))


def _rule_modules() -> list:
    package = importlib.import_module(RULES_PACKAGE)
    return [importlib.import_module(f"{RULES_PACKAGE}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_")]


def program_mode(context) -> Tuple[str, str]:
    """What the file runs as once fixed, and why, for the run as a whole (tfmigrate/project.py)."""
    from tfmigrate.rules._modes import program_mode as mode

    return mode(context)


def rules_by_code() -> Dict[str, Type[Rule]]:
    return {rule.code: rule for rule in all_rules()}


@functools.lru_cache(maxsize=8)
def dispatch_table(rules: Tuple[Type[Rule], ...]) -> Dict[str, List[Tuple[Type[Rule], str]]]:
    """node type name -> [(rule class, method name)] for visit_/leave_ methods (made once for
    a set of rules: a run checks every file with the same few)."""
    table: Dict[str, List[Tuple[Type[Rule], str]]] = {}
    for rule in rules:
        for attr in dir(rule):
            if attr.startswith("visit_") or attr.startswith("leave_"):
                kind, _, node_type = attr.partition("_")
                table.setdefault(f"{kind}:{node_type}", []).append((rule, attr))
    return table
