"""`tfmigrate explain CODE`: a rule's documentation, from the rule itself."""
from __future__ import annotations

from typing import Type

from .rule import Rule


def explain_rule(rule: Type[Rule]) -> str:
    """The docstring, then the rule's own examples (the ones the tests run)."""
    lines = [f"{rule.code} ({rule.name})", "", rule.documentation(), "", f"Fix safety: {rule.fix_label()}"]
    for example in rule.INVALID:
        lines += ["", "Example (flagged):", _indent(example.code)]
        if example.expected is not None:
            flag = " --unsafe-fixes" if example.unsafe else ""
            lines += [f"After `tfmigrate fix{flag}`:", _indent(example.expected)]
    for example in rule.VALID[:2]:
        lines += ["", "Left alone:", _indent(example)]
    return "\n".join(lines).rstrip() + "\n"


def _indent(code: str) -> str:
    return "\n".join("    " + line if line else "" for line in code.rstrip("\n").splitlines())
