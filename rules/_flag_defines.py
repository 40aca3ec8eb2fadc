"""`DEFINE_*` calls of TF1's flags as absl's (the scaffolding rule TFM081, ``_scaffold.py``).

TF1's `tf.app.flags` was absl's flags module, but for two differences a definition shows: its
`DEFINE_string`/`boolean`/`bool`/`float`/`integer` also took the keywords `flag_name`,
`default_value`, `docstring` (absl's `name`, `default`, `help`), and it ran where absl.logging was
not imported, so a program could define `log_dir` or `verbosity`, which absl.logging defines
and TensorFlow 2 imports.
"""
from __future__ import annotations

from typing import Callable, Optional, Tuple

import libcst as cst

from . import _tf

# The define functions tf.flags wrapped to accept TF1's keyword names.
WRAPPED_DEFINES = frozenset({"DEFINE_string", "DEFINE_boolean", "DEFINE_bool", "DEFINE_float", "DEFINE_integer"})
OLD_KEYWORDS = {"flag_name": "name", "default_value": "default", "docstring": "help"}
# Flags absl.logging defines, which TensorFlow 2 imports: defining one again raises DuplicateFlagError
# (TF1's own logging did not define them) -> the DEFINE functions of its type.
_BOOL = frozenset({"DEFINE_bool", "DEFINE_boolean"})
ABSL_LOGGING_FLAGS = {"log_dir": frozenset({"DEFINE_string"}), "stderrthreshold": frozenset({"DEFINE_string"}),
                      "logtostderr": _BOOL, "alsologtostderr": _BOOL, "showprefixforinfo": _BOOL,
                      "verbosity": frozenset({"DEFINE_integer"}), "v": frozenset({"DEFINE_integer"})}

Edit = Callable[[cst.CSTNode], cst.CSTNode]


def new_keywords(call: cst.Call) -> cst.Call:
    """TF1's keyword names of a define call as absl's."""
    args = [a.with_changes(keyword=cst.Name(OLD_KEYWORDS[a.keyword.value]))
            if a.keyword is not None and a.keyword.value in OLD_KEYWORDS else a for a in call.args]
    return call.with_changes(args=args)


def logging_flag(call: cst.Call, define: str) -> Optional[Tuple[str, Optional[Edit]]]:
    """``DEFINE_string("log_dir", default, help)``: a flag absl.logging defines. Of the same type, the
    program's default is set on absl's flag (``FLAGS.set_default``): ``--log_dir`` and ``FLAGS.log_dir``
    work as before. The finding's message and that edit (None where only a new name helps); None for
    another flag."""
    name = _tf.argument(call, 0, "name") or _tf.argument(call, None, "flag_name")
    if name is None or not isinstance(name.value, cst.SimpleString) or name.value.evaluated_value not in \
            ABSL_LOGGING_FLAGS:
        return None
    flag = name.value.evaluated_value
    default = _tf.argument(call, 1, "default") or _tf.argument(call, None, "default_value")
    if define not in ABSL_LOGGING_FLAGS[flag] or default is None:
        return (f"`{flag}` is a flag of absl.logging, which TensorFlow 2 imports: `{define}` raises"
                " DuplicateFlagError; name this flag otherwise"), None

    def edit(c: cst.Call) -> cst.Call:
        if not isinstance(c.func, cst.Attribute):
            return c
        func = cst.Attribute(cst.Attribute(c.func.value, cst.Name("FLAGS")), cst.Name("set_default"))
        args = [cst.Arg(name.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                cst.Arg(default.value)]
        return c.with_changes(func=func, args=args)

    return (f"`{flag}` is a flag of absl.logging, which TensorFlow 2 imports (TF1's logging did not define it): "
            f"`{define}` raises DuplicateFlagError; the rewrite sets the default of absl's flag "
            f"(`flags.FLAGS.set_default`), so `--{flag}` and `FLAGS.{flag}` work as they did"), edit


def before_absl(item, node: cst.CSTNode, call: Optional[cst.Call], tail: str, flags_object: Callable[[], str],
                sys_name: Callable[[], str]):
    """TF < 1.5's own flags idioms, which absl does not have: ``FLAGS._parse_flags()``, which parsed ``sys.argv``
    leaving arguments it did not know alone, and ``FLAGS.__flags``, its dict of flag values. ``item`` gets the
    message and the edits; ``flags_object`` and ``sys_name`` give the names the rewrite writes."""
    if tail.endswith("FLAGS._parse_flags"):
        item.message = ("`FLAGS._parse_flags()` is TF < 1.5 API that absl does not have: the rewrite parses the"
                        " command line there as it did, unknown arguments left alone "
                        "(`FLAGS(sys.argv, known_only=True)`)")
        if call is None or call.args or node is not call.func:
            item.fixable = False
            item.nowhere = True
            return item
        item.edits[id(call)] = lambda _c: cst.parse_expression(
            f"{flags_object()}({sys_name()}.argv, known_only=True)")
        item.argv = True
        item.eager = False  # TensorFlow 2's compat.v1 flags are absl's too
    else:
        item.message = ("`FLAGS.__flags` held flag values in TF < 1.5; absl keeps Flag objects there:"
                        " `FLAGS.flag_values_dict()` gives the values")
        inner = node
        while isinstance(inner, cst.Attribute) and inner.attr.value != "__flags":
            inner = inner.value
        if not isinstance(inner, cst.Attribute):  # `f = FLAGS.__flags`, then `f.items()`
            item.fixable = False
            return item
        item.edits[id(inner)] = lambda _n: cst.parse_expression(f"{flags_object()}.flag_values_dict()")
        item.eager = False  # (compat.v1's FLAGS is absl's: its `__flags` holds Flag objects there too)
    return item
