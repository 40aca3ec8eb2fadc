"""The rule API: what a module in ``rules/`` subclasses.

A rule is a small class with a code (``TFM001``), a name, and ``visit_*``
methods named after libcst node types. Its docstring is its documentation
(``tfmigrate explain CODE``); its ``VALID`` and ``INVALID`` examples are run
by the test suite, so documentation and behaviour cannot drift apart.
"""
from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass
from typing import Callable, ClassVar, Dict, List, Optional, Sequence, Tuple, Union

import libcst as cst

from .ftypes import Applicability, Status
from .names import ImportTable, ScopeStack
from .positions import code_for


@dataclass(frozen=True)
class Invalid:
    """An example the rule flags; ``expected`` is the source after ``fix``."""

    code: str
    expected: Optional[str] = None
    unsafe: bool = True  # the example's fix needs --unsafe-fixes


@dataclass(frozen=True)
class ProgramFix:
    """A fix that rewrites a whole module at once (graph to eager).

    ``apply(module, context)`` returns the new module, or None to leave it.
    Several rules share one ProgramFix: it runs once however many of them
    reported.
    """

    name: str
    applicability: Applicability
    apply: Callable[[cst.Module, "Context"], Optional[cst.Module]]
    # Of the program fixes a pass could apply, the lowest runs (ties: the first found). A fix that
    # edits statements another one moves (the graph-to-eager rewrite) waits for it with a higher order.
    order: int = 0


@dataclass
class Report:
    """What a rule said about one node, before positions are known."""

    rule: "Rule"
    node: cst.CSTNode
    message: str
    replacement: Optional[Union[cst.CSTNode, cst.FlattenSentinel, cst.RemovalSentinel]]
    applicability: Optional[Applicability]
    program_fix: Optional[ProgramFix]
    status: Optional[Status] = None  # what the file is if this finding is left unfixed
    fallback: Optional[cst.CSTNode] = None  # where to point when ``node`` is not in the file


class Context:
    """What rules know about the file being checked."""

    def __init__(self, module: cst.Module, path: str, text: Optional[str] = None,
                 blocker: Optional[Tuple[str, str]] = None, merged: Optional[str] = None) -> None:
        self.module = module
        self.path = path
        self.text = text  # the source the module was parsed from, when known
        # (import, reason): this file imports one the run keeps on compat.v1 (tfmigrate/project.py)
        self.blocker = blocker
        self.merged = merged  # the file's rewrite, made with the program that imports it (merge.py)
        self.imports = ImportTable()
        self.imports.add_all(module.body)
        self.scopes = ScopeStack(self.imports)
        self.reports: List[Report] = []
        self.shared: Dict[str, object] = {}  # per-file memo shared by rules of one family

    def qualify(self, node: cst.BaseExpression) -> Optional[str]:
        """Full dotted name of a Name/Attribute through the file's imports."""
        return self.scopes.qualify(node)

    def code_for(self, node: cst.CSTNode) -> str:
        return code_for(self.module, node)


class Rule:
    """Base class of every rule. Subclasses set the class attributes below."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    # Safety of the fix this rule offers; None when it only reports.
    fix_applicability: ClassVar[Optional[Applicability]] = None
    # A module-level fix shared with other rules of the family, if any.
    program_fix: ClassVar[Optional[ProgramFix]] = None
    # What a file is when this rule's finding is still there after fixing.
    unfixed_status: ClassVar[Status] = Status.MANUAL
    VALID: ClassVar[Sequence[str]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()

    def __init__(self, context: Context) -> None:
        self.context = context

    def qualify(self, node: cst.BaseExpression) -> Optional[str]:
        return self.context.qualify(node)

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        replacement=None,
        applicability: Optional[Applicability] = None,
        fixable: bool = True,
        status: Optional[Status] = None,
        fallback: Optional[cst.CSTNode] = None,
        program_fix: Optional[ProgramFix] = None,
    ) -> None:
        """Record a finding on ``node``.

        ``replacement`` (a node, a FlattenSentinel of statements, or
        ``cst.RemoveFromParent()``) is a local fix; otherwise the rule's
        ``program_fix`` fixes it, unless ``fixable`` is False.
        """
        program_fix = (program_fix or self.program_fix) if (replacement is None and fixable) else None
        if replacement is not None or program_fix is not None:
            applicability = applicability or self.fix_applicability or (
                program_fix.applicability if program_fix else Applicability.SAFE
            )
        else:
            applicability = None
        self.context.reports.append(
            Report(self, node, message, replacement, applicability, program_fix, status, fallback)
        )

    # --- documentation -------------------------------------------------
    @classmethod
    def documentation(cls) -> str:
        return textwrap.dedent(inspect.getdoc(cls) or "").strip()

    @classmethod
    def summary(cls) -> str:
        doc = cls.documentation()
        return doc.splitlines()[0].strip() if doc else cls.name

    @classmethod
    def fix_label(cls) -> str:
        """'safe', 'unsafe' or 'none', as `tfmigrate rules` shows it."""
        if cls.fix_applicability is not None:
            return cls.fix_applicability.value
        if cls.program_fix is not None:
            return cls.program_fix.applicability.value
        return "none"
