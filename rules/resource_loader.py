"""`tf.resource_loader.get_data_files_path()`: the directory of the file that calls it."""
from __future__ import annotations

from typing import Dict, FrozenSet

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.rule import Context, Invalid, Rule

from . import _tf
from ._eager import queries

NAME = "resource_loader.get_data_files_path"


def _calls(context) -> list:
    return queries.find(context.module, cst.Call, lambda c: not c.args and _tf.call_name(context, c) == NAME)


def rewritten(context: Context) -> Dict[int, str]:
    """``{id(call): the file's name for the os module}`` when TFM118 rewrites every call (the file
    imports ``os``); else nothing."""
    cached = context.shared.get("resource-loader")
    if cached is None:
        cached = {}
        local = next((name for name, full in sorted(context.imports.aliases.items()) if full == "os"), None)
        if local is not None and not _tf.imports_compat(context.imports) and (
                context.text is None or "get_data_files_path" in context.text):
            cached = {id(call): local for call in _calls(context)}
        context.shared["resource-loader"] = cached
    return cached


def moved(context: Context) -> FrozenSet[str]:
    """The name TFM118 rewrites in this file, which the graph-to-eager rewrite may leave."""
    return frozenset({NAME}) if rewritten(context) else frozenset()


class DataFilesPath(Rule):
    """`tf.resource_loader.get_data_files_path()`: where the calling file's data files are.

    What it finds: the call, without arguments. TensorFlow 2 has it only in
    `tf.compat.v1`.

    Fix (safe): `os.path.dirname(__file__)`, what TF1 returned: the directory
    of the file the call is written in (TF1 read it off the caller's frame,
    whose file is that module's `__file__`). Only in a file that imports
    `os`; elsewhere the finding says what to write.
    """

    code = "TFM118"
    name = "data-files-path"
    fix_applicability = Applicability.SAFE
    unfixed_status = Status.COMPAT  # tf.compat.v1 still has it
    VALID = ["import os\npath = os.path.dirname(__file__)\n"]
    INVALID = [
        Invalid("import os\nimport tensorflow as tf\nmidi = os.path.join(tf.resource_loader.get_data_files_path(), 'a')\n",
                "import os\nimport tensorflow as tf\nmidi = os.path.join(os.path.dirname(__file__), 'a')\n", unsafe=False),
        Invalid("import tensorflow as tf\nroot = tf.resource_loader.get_data_files_path()\n"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if node.args or not isinstance(node.func, cst.Attribute) or node.func.attr.value != "get_data_files_path" or (
                _tf.call_name(self.context, node) != NAME or _tf.imports_compat(self.context.imports)):
            return
        local = rewritten(self.context).get(id(node))
        message = ("`tf.resource_loader.get_data_files_path()` is gone from TensorFlow 2 (only tf.compat.v1 has it):"
                   " it returned the directory of the file that calls it, `os.path.dirname(__file__)`")
        if local is None:
            self.report(node, message + " (import os)", fixable=False)
            return
        self.report(node, message, replacement=cst.parse_expression(f"{local}.path.dirname(__file__)"))
