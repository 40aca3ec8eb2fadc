"""Plain data shared by the engine, the rules, the reporters and the CLI."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple


class Applicability(str, enum.Enum):
    """How far a fix can be trusted, as in ruff."""

    SAFE = "safe"  # behaviour kept exactly: renames, argument renames
    UNSAFE = "unsafe"  # restructuring (graph to eager) or numerics that may differ
    DISPLAY = "display-only"  # shown, never applied


class Status(str, enum.Enum):
    """What `fix --unsafe-fixes` makes of a file that uses TensorFlow 1."""

    CLEAN = "clean"  # nothing to migrate
    IDIOMATIC = "idiomatic"  # fixed to idiomatic TF2
    COMPAT = "compat-only"  # fixed to tensorflow.compat.v1 code that still runs
    MANUAL = "manual"  # findings that no fix removes


@dataclass(frozen=True, order=True)
class Position:
    """1-based line, 1-based column (as editors and ruff show them)."""

    line: int
    column: int


@dataclass(frozen=True)
class Edit:
    """A replacement of the text between two positions."""

    start: Position
    end: Position
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str = ""
    edits: Tuple[Edit, ...] = ()


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str
    start: Position
    end: Position
    fix: Optional[Fix] = None
    cell: Optional[int] = None  # 1-based notebook cell, None for .py files
    source_line: str = ""  # the line the finding starts on, for the text reporter
    # What this finding by itself holds its file at after `fix --unsafe-fixes`: compat-only or
    # manual (its file's blockers), idiomatic for a note; None when the fix removes it or when it
    # only shares another finding's verdict. For the reports; not part of a finding's identity.
    verdict: Optional[Status] = field(default=None, compare=False)

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability is not Applicability.DISPLAY

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.start.line, self.start.column, self.code)


@dataclass(frozen=True)
class FileError:
    """A file that could not be read, decoded, parsed or written."""

    path: str
    reason: str
    code: Optional[str] = None  # the rule whose fix failed, when one did


@dataclass
class FileReport:
    """Everything one run learnt about one file."""

    path: str
    findings: list = field(default_factory=list)  # list[Finding]
    error: Optional[FileError] = None
    status: Status = Status.CLEAN
    changed: bool = False  # fix wrote (or, with --diff, would write) new content
    fixed: int = 0  # findings removed by the fixes applied
    unsafe_available: int = 0  # findings that --unsafe-fixes would also fix
    diff: str = ""
    new_source: Optional[str] = None  # the fixed text (stdin mode, verify)
    skipped: bool = False  # no TensorFlow in the file: not parsed
    # For the run as a whole (project.py): what the fixed file runs as, why, and what it imports.
    mode: str = ""
    mode_reason: str = ""
    imports: Optional[tuple] = ()  # None: not read (a file skipped for having no TensorFlow)
    original_digest: str = ""  # fix: the text the fix started from (written only if still there)
    deferred: bool = False  # fix: written (or diffed) at the end of the run (api.run)
