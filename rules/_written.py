"""Code a fix writes into the file (TF1's MNIST loader, TF1's VocabularyProcessor): where it goes."""
from __future__ import annotations

from typing import List, Set

import libcst as cst

from ._eager import queries


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
