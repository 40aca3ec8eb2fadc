"""Code a fix writes into the file (TF1's MNIST loader, TF1's VocabularyProcessor): the modules it needs,
where it goes, and the uses that call it."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from ._eager import queries


def module_names(module: cst.Module, wanted: Sequence[Tuple[str, Optional[str], Sequence[str]]]
                 ) -> Optional[Tuple[List[str], List[str]]]:
    """For each ``(module, the file's name for it or None, spellings)``: the name the written code uses (the
    file's, else the first spelling the file does not use, brought by an import line of its own); and those
    import lines. None where every spelling is the file's (or a ``*`` import's) already."""
    taken = set(queries.source_names(module))
    names, added = [], []
    for module_name, alias, spellings in wanted:
        if alias is None:
            alias = next((name for name in spellings if name not in taken), None)
            if alias is None:
                return None
            added.append(f"import {module_name}" + ("" if alias == module_name else f" as {alias}"))
        names.append(alias)
    return names, added


def write(module: cst.Module, code: str, replaced: Dict[int, cst.CSTNode], removed: Set[int],
          added: List[str]) -> cst.Module:
    """``module`` with ``code`` written after its imports and ``added`` (import lines), the nodes of
    ``replaced`` (by id) replaced, and the import statements of ``removed`` gone (at module level or
    in a function)."""
    written = list(cst.parse_module(code.replace("    ", module.default_indent)).body)
    written[0] = written[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    imported = [cst.parse_statement(line + "\n") for line in added]
    return module.visit(_Written(replaced, removed, imported, written))


class _Written(cst.CSTTransformer):
    def __init__(self, replaced: Dict[int, cst.CSTNode], removed: Set[int], imported, written) -> None:
        super().__init__()
        self.replaced, self.removed, self.imported, self.written = replaced, removed, imported, written

    def on_leave(self, original, updated):
        if id(original) in self.replaced:
            return self.replaced[id(original)]
        return super().on_leave(original, updated)

    def leave_IndentedBlock(self, original, updated):
        if not any(id(s) in self.removed for s in original.body):
            return updated
        body = [new for old, new in zip(original.body, updated.body) if id(old) not in self.removed]
        return updated.with_changes(body=body or [cst.SimpleStatementLine([cst.Pass()])])

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return after_imports(original, updated, self.removed, self.imported, self.written)


def after_imports(original: cst.Module, updated: cst.Module, removed: Set[int], imported: List[cst.BaseStatement],
                  written: List[cst.BaseStatement]) -> cst.Module:
    """``updated`` (what a transformer made of ``original``) without the top-level statements of ``removed``
    (their comments kept: a first statement's go to the one after it), with ``imported`` after its last import
    and ``written`` after those, two blank lines after it (the comments above the next statement kept)."""
    body = [new for old, new in zip(original.body, updated.body) if id(old) not in removed]
    gone = [old for old in original.body if id(old) in removed]
    if gone and body and gone[0] is original.body[0]:
        body[0] = body[0].with_changes(leading_lines=[*gone[0].leading_lines, *body[0].leading_lines])
    position = queries.import_position(body)
    body[position:position] = imported
    position += len(imported)
    after = body[position:]
    if after:
        after[0] = after[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *(
            line for line in after[0].leading_lines if line.comment is not None)])
    return updated.with_changes(body=[*body[:position], *written, *after])
