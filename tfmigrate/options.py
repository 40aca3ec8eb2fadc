"""How one run treats each file: the settings shared by the engine and its callers.

Kept free of libcst so that a run answered from the cache never imports it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .ftypes import Applicability


class _AllEnabled:
    unsafe_fixes = False

    def is_enabled(self, code: str, path: str) -> bool:
        return True


@dataclass
class Options:
    """How one run treats each file."""

    config: object = field(default_factory=_AllEnabled)  # has is_enabled(code, path)
    fix: bool = False  # compute fixes (fix, --diff, stdin fix)
    unsafe_fixes: bool = False
    rules: Optional[tuple] = None  # rule classes; None: every rule
    # {path: (import, reason)}: files of the run that import one kept on compat.v1 (project.py)
    blockers: Optional[dict] = None
    # {path: text}: a program and its library rewritten together (merge.py): the file's rewrite
    merged: Optional[dict] = None

    def blocker(self, path: str):
        return self.blockers.get(path) if self.blockers else None

    def merged_text(self, path: str) -> Optional[str]:
        return self.merged.get(path) if self.merged else None

    def active_rules(self, path: str) -> tuple:
        from .registry import all_rules

        rules = self.rules if self.rules is not None else all_rules()
        return tuple(r for r in rules if self.config.is_enabled(r.code, path))

    def allows(self, applicability: Optional[Applicability]) -> bool:
        if applicability is None or applicability is Applicability.DISPLAY:
            return False
        return applicability is Applicability.SAFE or self.unsafe_fixes
