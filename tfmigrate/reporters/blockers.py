"""Grouping the findings that hold files back, so a report can say which blockers matter most.

A blocker is a finding whose own verdict is compat-only or manual: left as it
is, its file cannot become idiomatic TF2. Blockers are grouped by rule code;
TFM090's (kept on compat) also by its reason, normalised: reasons that differ
only in names from the program (`class Model holds ...`, `class Trainer holds
...`) are one reason, `class … holds ...`. TensorFlow names (`tf.…`) are never
merged away: `tf.variable_scope has no TensorFlow 2 equivalent` is a reason of
its own.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..ftypes import FileReport, Finding
from ._common import is_blocker

REASON_CODE = "TFM090"
PLACEHOLDER = "\u2026"  # what a program name becomes
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_EDGES = "`'\"()[]{},:;"


def _is_program_name(token: str) -> bool:
    word = token.strip(_EDGES)
    return bool(_NAME.match(word)) and not word.startswith(("tf.", "tensorflow"))


def normalise_reasons(messages: Iterable[str]) -> Dict[str, str]:
    """{message: its normalised reason}.

    Messages of as many words that differ in one word, a program name, are one
    reason, and so (step by step) are messages linked that way; the reason keeps
    every word they share and puts `…` where they differ. Depends only on the
    set of messages, not on their order.
    """
    distinct = sorted(set(messages))
    words = {message: message.split(" ") for message in distinct}
    parent = {message: message for message in distinct}

    def root(message: str) -> str:
        while parent[message] != message:
            parent[message] = parent[parent[message]]
            message = parent[message]
        return message

    buckets: Dict[Tuple, List[str]] = {}
    for message in distinct:
        tokens = words[message]
        for position, token in enumerate(tokens):
            if _is_program_name(token):
                key = (len(tokens), position, tuple(tokens[:position]), tuple(tokens[position + 1:]))
                buckets.setdefault(key, []).append(message)
    for members in buckets.values():
        for other in members[1:]:
            one, two = root(members[0]), root(other)
            if one != two:
                parent[max(one, two)] = min(one, two)
    groups: Dict[str, List[str]] = {}
    for message in distinct:
        groups.setdefault(root(message), []).append(message)
    out: Dict[str, str] = {}
    for members in groups.values():
        template = _template([words[m] for m in members])
        for message in members:
            out[message] = template
    return out


def _template(variants: Sequence[List[str]]) -> str:
    first = variants[0]
    kept = [word if all(v[i] == word for v in variants) else _blank(word) for i, word in enumerate(first)]
    return " ".join(kept)


def _blank(word: str) -> str:
    """`…` in the place of the name, keeping punctuation around it (`Model:` -> `…:`)."""
    core = word.strip(_EDGES)
    start = word.find(core)
    return word[:start] + PLACEHOLDER + word[start + len(core):]


class Blocker:
    """One group of blockers: a rule code (and for TFM090 a reason) and the files it holds back."""

    def __init__(self, code: str, reason: Optional[str]) -> None:
        self.code = code
        self.reason = reason
        self.findings = 0
        self.first: Dict[str, Finding] = {}  # path -> the group's first finding in that file

    def add(self, finding: Finding) -> None:
        self.findings += 1
        self.first.setdefault(finding.path, finding)

    @property
    def files(self) -> int:
        return len(self.first)

    def sort_key(self) -> tuple:
        return (-self.files, -self.findings, self.code, self.reason or "")


def group_blockers(reports: Sequence[FileReport]) -> List[Blocker]:
    """Every group of blockers, the one holding back most files first (then most findings, code, reason)."""
    blocking = [f for report in reports for f in report.findings if is_blocker(f)]
    reasons = normalise_reasons(f.message for f in blocking if f.code == REASON_CODE)
    groups: Dict[Tuple[str, Optional[str]], Blocker] = {}
    for finding in blocking:
        reason = reasons.get(finding.message) if finding.code == REASON_CODE else None
        key = (finding.code, reason)
        if key not in groups:
            groups[key] = Blocker(*key)
        groups[key].add(finding)
    return sorted(groups.values(), key=Blocker.sort_key)
