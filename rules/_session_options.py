"""Session options (`tf.ConfigProto`) written as the `tf.config` calls of TensorFlow 2 (TFM085).

A TF1 program builds its session options (`allow_growth`, soft placement,
thread counts, no GPU) and passes them as `tf.Session(config=config)`,
`tf.Session(config=tf.ConfigProto(...))` or
`tf.enable_eager_execution(config=config)`. TensorFlow 2 sets the same options
for the process, before its runtime starts. Where the program becomes
TensorFlow 2 code, this fix runs before the graph-to-eager rewrite: the
definitions, the `config=` arguments and `enable_eager_execution(config=...)`
go, and the `tf.config` calls come right after the module's imports, ahead of
any operation. Only options with an exact `tf.config` call
(``session_config.CALLS``) set to literal values (read at import time in their
new place) are rewritten, and only where every use of a definition is a
session or that switch; elsewhere the program stays on tensorflow.compat.v1.
A ConfigProto given to nothing (TF1 applied it to nothing) gets its calls too.
Placement options (``PLACEMENT``), which TensorFlow 2 may change while it
runs, may hold any value (`allow_soft_placement=FLAGS.soft`): their calls
take the place of the definition, or come just before the statement that
made the session.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import FrozenSet, List, Optional, Set

import libcst as cst

from tfmigrate.names import dotted_name
from tfmigrate.rule import Context
from tfmigrate.traverse import Replacer

from . import _tf
from ._eager import queries

SESSIONS = frozenset({"Session", "InteractiveSession"})
SWITCH = "enable_eager_execution"
NAMES = frozenset({"ConfigProto", "GPUOptions"})
# Options TensorFlow 2 may set after its runtime started: their calls may run where the ConfigProto was.
PLACEMENT = frozenset({"log_device_placement", "allow_soft_placement"})


@dataclass
class Conversion:
    """One ConfigProto definition and what becomes of it."""

    call: cst.Call
    lines: List[cst.BaseStatement]  # `config = tf.ConfigProto(...)` and the `config.x.y = v` lines
    code: List[str]  # the tf.config statements
    sessions: List[cst.Call] = field(default_factory=list)  # tf.Session(config=config): the rewrite removes them
    switches: List[cst.SimpleStatementLine] = field(default_factory=list)  # enable_eager_execution(config=config)
    in_place: Optional[cst.BaseStatement] = None  # placement options of any value: the calls go before this


def _literal(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Name):
        return value.value in ("True", "False", "None")
    if isinstance(value, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(value, cst.UnaryOperation):
        return _literal(value.expression)
    if isinstance(value, cst.Dict):
        return all(isinstance(e, cst.DictElement) and _literal(e.key) and _literal(e.value) for e in value.elements)
    return False


def _values_literal(call: cst.Call, assigns: List[cst.Assign], tf_name) -> bool:
    for arg in call.args:
        value = arg.value
        if isinstance(value, cst.Call) and tf_name(value.func) == "GPUOptions":
            if not _values_literal(value, [], tf_name):
                return False
        elif not _literal(value):
            return False
    return all(_literal(assign.value) for assign in assigns)


def _placement_only(call: cst.Call, assigns: List[cst.Assign]) -> bool:
    """Does the ConfigProto set placement options only (by keyword, or `config.x = v` lines)?"""
    keys = [arg.keyword.value if arg.keyword is not None else None for arg in call.args]
    keys += [dotted_name(a.targets[0].target) for a in assigns if len(a.targets) == 1]
    return bool(keys) and all(k is not None and k.rpartition(".")[2] in PLACEMENT and k.count(".") <= 1 for k in keys)


def conversions(context: Context) -> List[Conversion]:
    """The file's ConfigProto definitions that become tf.config calls (computed once)."""
    cached = context.shared.get("session-options")
    if cached is not None:
        return cached
    cached = context.shared["session-options"] = []
    text = context.text
    tf = _tf.alias(context.imports)
    if (text is not None and "ConfigProto" not in text) or tf is None or _tf.imports_compat(context.imports):
        return cached
    from . import session_config

    def tf_name(node: cst.BaseExpression) -> Optional[str]:
        return _tf.relative(context.imports.qualify(node))

    module = context.module
    given = [(call, arg) for call in queries.find(module, cst.Call) for arg in call.args
             if arg.keyword is not None and arg.keyword.value == "config"]
    configs = {id(arg.value): (call, arg) for call, arg in given if isinstance(arg.value, cst.Name)}
    alone = {id(s.body[0].value): s for s in queries.find(module, cst.SimpleStatementLine, lambda s: len(
        s.body) == 1 and isinstance(s.body[0], cst.Expr))}
    blocks = [module.body] + [block.body for block in queries.find(module, cst.IndentedBlock)]
    for body in blocks:
        for index, statement in enumerate(body):
            small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and len(
                statement.body) == 1 else None
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(
                    small.targets[0].target, cst.Name) and isinstance(small.value, cst.Call)
                    and tf_name(small.value.func) == "ConfigProto"):
                continue
            name = small.targets[0].target.value
            found = session_config.config_definition(body[index:], name, tf_name)
            if found is None:
                continue
            literal = _values_literal(found[0], found[1], tf_name)
            if not literal and not _placement_only(found[0], found[1]):
                continue
            code = session_config.config_statements(found[0], tf, found[1], tf_name)
            conversion = Conversion(found[0], found[2], code or [], in_place=None if literal else statement)
            if code is not None and _uses(conversion, module, name, configs, alone, tf_name):
                cached.append(conversion)
    statements = {}  # id(call) -> the statement it is in, for the placement options of inline ConfigProtos
    for statement in queries.find(module, (cst.SimpleStatementLine, cst.With, cst.For, cst.While, cst.If)):
        for call in queries.find(statement, cst.Call):
            statements[id(call)] = statement  # the innermost: found after the ones around it
    for call, arg in given:  # `tf.Session(config=tf.ConfigProto(...))`
        value = arg.value
        if not (isinstance(value, cst.Call) and tf_name(value.func) == "ConfigProto" and tf_name(
                call.func) in SESSIONS):
            continue
        literal = _values_literal(value, [], tf_name)
        if not literal and not (_placement_only(value, []) and id(call) in statements):
            continue
        code = session_config.config_statements(value, tf, (), tf_name)
        if code is not None:
            cached.append(Conversion(value, [], code, sessions=[call],
                                     in_place=None if literal else statements[id(call)]))
    return cached


def _uses(conversion: Conversion, module: cst.Module, name: str, configs, alone, tf_name) -> bool:
    """Sort the uses of ``name`` into the sessions and switches it is given to; False if one is neither."""
    inside = {id(node) for line in conversion.lines for node in queries.find(line, cst.Name)}
    for ref, attribute in queries.uses_of(module, name):
        if id(ref) in inside:
            continue
        call = configs.get(id(ref), (None,))[0]
        called = tf_name(call.func) if call is not None else None
        if attribute is not None or called is None:
            return False
        if called in SESSIONS:
            conversion.sessions.append(call)
        elif called == SWITCH and len(call.args) == 1 and id(call) in alone:
            conversion.switches.append(alone[id(call)])
        else:
            return False
    return True


def moved(context: Context) -> FrozenSet[str]:
    """ConfigProto / GPUOptions (and enable_eager_execution) when every call of them in the file is part of a
    definition this rewrite takes (or a switch given one): the graph-to-eager rewrite may leave them for it."""
    found = conversions(context)
    if not found:
        return frozenset()
    inside = {id(node) for c in found for part in [c.call, *c.lines, *c.switches] for node in queries.find(
        part, cst.Call)}
    calls = queries.find(context.module, cst.Call, lambda c: _tf.relative(context.imports.qualify(c.func)) in (
        *NAMES, SWITCH))
    return NAMES | {SWITCH} if all(id(call) in inside for call in calls) else frozenset()


def ready_switches(context: Context) -> List[cst.SimpleStatementLine]:
    """The `enable_eager_execution(config=...)` statements that go with the options they were given."""
    return [statement for c in conversions(context) for statement in c.switches]


def rewrite(module: cst.Module, context: Context) -> Optional[cst.Module]:
    """The options as tf.config calls after the imports; the definitions, switches and `config=`
    arguments go. Before the graph-to-eager rewrite, and only where it makes the program TensorFlow 2."""
    found = conversions(context)
    if not found or not becomes_tf2(context):
        return None
    replacements = {id(statement): cst.RemoveFromParent() for c in found for statement in [*c.lines, *c.switches]}
    sessions = {}
    for c in found:
        for session in c.sessions:
            args = [a for a in session.args if not (a.keyword is not None and a.keyword.value == "config")]
            if args:
                args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            sessions[id(session)] = replacements[id(session)] = session.with_changes(args=args)
    code: List[str] = []
    for c in found:
        if c.in_place is not None:
            _in_place(c, replacements, sessions, module)
            continue
        code += [line for line in c.code if line not in code]
    new = module.visit(Replacer(replacements))
    statements = [cst.parse_statement(line + "\n", config=module.config_for_parsing) for line in code]
    if not statements:  # `tf.ConfigProto()`: nothing to set
        return new
    position = queries.import_position(new.body)
    if position:
        statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine()])
    after = list(new.body[position:])
    if after and not any(line.comment is None for line in after[0].leading_lines):
        after[0] = after[0].with_changes(leading_lines=[cst.EmptyLine(), *after[0].leading_lines])
    return new.with_changes(body=[*new.body[:position], *statements, *after])


def _in_place(c: Conversion, replacements, sessions, module: cst.Module) -> None:
    """The placement calls where the definition was, or just before the statement that made the session."""
    statement = c.in_place
    calls = [cst.parse_statement(line + "\n", config=module.config_for_parsing) for line in c.code]
    if not calls:
        return
    calls[0] = calls[0].with_changes(leading_lines=statement.leading_lines)
    if c.lines:  # `config = tf.ConfigProto(...)`: the calls take its place
        replacements[id(statement)] = cst.FlattenSentinel(calls)
        return
    kept = statement.visit(Replacer(sessions)).with_changes(leading_lines=[])
    replacements[id(statement)] = cst.FlattenSentinel([*calls, kept])


def becomes_tf2(context: Context) -> bool:
    """Is the program TensorFlow 2 code after the fix (not kept on tensorflow.compat.v1)?"""
    from . import graph

    result = graph.plan(context)
    return not result.falls_back
