"""What the scaffolding rules (``scaffolding.py``) find in one file, and the rewrite.

TF1 programs start with `flags = tf.app.flags`, log with `tf.logging`, run
with `tf.app.run()`: thin layers over absl (flags, app) and over Python's
logging. One walk of the module finds every use and what it becomes; the
findings are read from that walk, and one program fix applies the rewrites
and adds `from absl import ...` once, after the file's imports.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import Chains, definition_time, dotted_name, fresh_name, function_locals
from tfmigrate.traverse import Visitor, walk

from . import _flag_defines, _tf
from ._eager.queries import find

APP_RUN, TF_FLAGS, TF_LOGGING, FAST_GFILE, RECORDS = "TFM080", "TFM081", "TFM082", "TFM083", "TFM084"
COMPRESSION = {"NONE": '""', "ZLIB": '"ZLIB"', "GZIP": '"GZIP"'}
RECORD_ITERATORS = ("python_io.tf_record_iterator", "io.tf_record_iterator")
RECORD_OPTIONS = ("python_io.TFRecordOptions", "io.TFRecordOptions", "python_io.TFRecordWriter", "io.TFRecordWriter")
ABSL = ("app", "flags", "logging")

# tf.logging name -> absl.logging name. Levels are mapped by name: absl's own
# values differ (INFO is 0, not 20) but mean the same to absl's functions.
LOGGING = {
    "debug": "debug", "info": "info", "warning": "warning", "warn": "warning", "error": "error",
    "fatal": "fatal", "log": "log", "log_every_n": "log_every_n", "log_first_n": "log_first_n",
    "log_if": "log_if", "vlog": "vlog", "flush": "flush", "set_verbosity": "set_verbosity",
    "DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING", "ERROR": "ERROR", "FATAL": "FATAL",
}
LEVELS = frozenset({"DEBUG", "INFO", "WARN", "ERROR", "FATAL"})
NUMERIC_LEVELS = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "FATAL"}
LEVEL_FIRST = frozenset({"log", "log_every_n", "log_first_n", "log_if", "set_verbosity"})
LOGGING_NOTES = {
    "fatal": " (absl's `fatal` also ends the program after logging, under `app.run`; TF1's only logged)",
    "vlog": " (TF1's `vlog(n)` logged at Python level n; absl's at verbosity n, that is DEBUG and below)",
}
LOGGING_MANUAL = {
    "get_verbosity": "absl's `get_verbosity()` returns absl levels (INFO is 0, more verbose is higher)",
    "TaskLevelStatusMessage": "absl has no `TaskLevelStatusMessage`",
}
# Methods of absl's FlagValues: `FLAGS.<method>` is not a flag read.
FLAG_VALUES_METHODS = frozenset({
    "is_parsed", "mark_as_parsed", "unparse_flags", "flag_values_dict", "set_default", "get_flag_value",
    "get_help", "main_module_help", "module_help", "flags_into_string", "read_flags_from_files",
    "append_flags_into_file", "validate_all_flags", "remove_flag_values", "append_flag_values",
    "register_flag_by_module", "find_module_defining_flag", "get_key_flags_for_module"})
TF_MODULES = (_tf.TF, _tf.TF + ".compat.v1")

Edit = Callable[[cst.CSTNode], cst.CSTNode]

# TF-relative names the rules of scaffolding.py rewrite into TensorFlow 2 code (absl, tf.io, tf.data):
# code that another rewrite leaves them in is still migrated.
HANDLED_NAMES = frozenset(
    {"app.run", "app.flags", "flags", "app.flags.FLAGS", "flags.FLAGS", "logging", "gfile.FastGFile",
     "python_io.tf_record_iterator", "io.tf_record_iterator", "python_io.TFRecordCompressionType"}
    | {f"{m}.{d}" for m in ("app.flags", "flags") for d in (
        "DEFINE_string", "DEFINE_boolean", "DEFINE_bool", "DEFINE_float", "DEFINE_integer", "DEFINE_list",
        "DEFINE_enum", "mark_flag_as_required")}
    | {f"logging.{name}" for name in LOGGING}
    | {f"python_io.TFRecordCompressionType.{kind}" for kind in ("NONE", "ZLIB", "GZIP")}
)
CONFIG_NAMES = frozenset({"ConfigProto", "GPUOptions"})


def covers(name: str) -> bool:
    """Whether a rule of this family reports ``tf.<name>`` (so TFM105 need not)."""
    return (name in HANDLED_NAMES or name in CONFIG_NAMES or family(canonical(name)) is not None
            or name.startswith(("python_io.TFRecordCompressionType", "io.TFRecordCompressionType")))


def canonical(relative: Optional[str]) -> Optional[str]:
    """`app.flags.X` and `flags.X` are one module: both read as `flags.X`."""
    if relative is not None and (relative == "app.flags" or relative.startswith("app.flags.")):
        return relative[4:]
    return relative


def family(name: Optional[str]) -> Optional[str]:
    """Which absl module a canonical TF name belongs to, if any."""
    if name is None:
        return None
    head = name.split(".", 1)[0]
    if head == "app":
        return "app" if name == "app.run" else None
    return head if head in ("flags", "logging") else None


@dataclass
class Item:
    """One finding, with the edits that fix it (none when it cannot be fixed)."""

    code: str
    node: cst.CSTNode
    message: str
    edits: Dict[int, Edit] = field(default_factory=dict)
    needs: Set[str] = field(default_factory=set)  # absl modules the edits use
    removes: List[cst.CSTNode] = field(default_factory=list)  # top-level statements that go
    fixable: bool = True
    index: int = 0  # the top-level statement it is in
    safe: bool = False  # the fix keeps behaviour exactly
    family: Optional[str] = None  # the absl module (app, flags, logging) it moves to
    eager: bool = True  # the fix needs TF2 (a file kept on compat.v1 keeps the TF1 name)
    nowhere: bool = False  # no TensorFlow 2.21 runs it, compat.v1 included
    parse: Optional[Callable[[], str]] = None  # a flag read at import time: the FLAGS to parse before it
    argv: bool = False  # an edit reads `sys.argv` (imported where the file does not)


@dataclass
class Plan:
    items: List[Item]
    local: Dict[str, str]  # absl module -> the name the rewrite uses for it
    imported: FrozenSet[str]  # absl modules the file imports already
    sys: Tuple[str, bool] = ("sys", False)  # the name of the `sys` module, and whether the file imports it


_attr = cst.parse_expression  # a name the rewrite writes, as an expression


class _Walker(Visitor):
    """Finds every TF1 app/flags/logging use, in source order."""

    def __init__(self, context, aliases: Dict[str, str], mains: bool) -> None:
        self.context = context
        self.aliases = aliases  # module-level `flags = tf.app.flags` and the like: name -> canonical TF name
        self.local: Dict[str, str] = {}  # absl module -> its name in the rewrite, once the walk is done
        self.names: Set[str] = set()  # every bare name: what a new import must not shadow
        self.attrs: Set[int] = set()
        self.assigned: List[Tuple[Item, str, str, Optional[cst.CSTNode]]] = []  # `x = tf.app.flags`
        self.has_main = mains
        self.watched = set(context.imports.aliases) | set(aliases)
        self.hidden: List[Set[str]] = []
        self.defining: Set[int] = set()  # attributes a module-level `def` reads when it runs (defaults)
        self.chains = Chains()
        self.calls: Dict[int, cst.Call] = {}  # id(func) -> the call it is the function of
        self.sys_name = ["sys"]  # the file's name for `sys`, once the walk is done
        self.targets: Dict[int, str] = {}  # id(value) -> the one name it is assigned to
        self.options: Set[int] = set()  # arguments of TFRecordOptions / TFRecordWriter calls
        self.stores: Set[int] = set()  # assignment targets
        self.items: List[Item] = []
        self.index = 0
        self.statement: Optional[cst.CSTNode] = None

    # --- scopes ---------------------------------------------------------
    def visit_FunctionDef(self, node) -> None:
        if not self.hidden:  # read when the module runs the `def`
            self.defining |= {id(n) for part in definition_time(node) for n in find(part, cst.Attribute)}
        self.hidden.append(function_locals(node) & self.watched)

    def leave_FunctionDef(self, node) -> None:
        self.hidden.pop()

    visit_Lambda = visit_FunctionDef
    leave_Lambda = leave_FunctionDef

    def resolve(self, node) -> Tuple[Optional[str], str]:
        """(canonical TF name, how: 'tf' through the module, 'alias', 'import' from-imported)."""
        name = dotted_name(node)
        if name is None:
            return None, ""
        head, _, rest = name.partition(".")
        if any(head in scope for scope in self.hidden):
            return None, ""
        full = self.context.imports.aliases.get(head)
        if full is not None:
            how = "tf" if full in TF_MODULES else "import"
            return canonical(_tf.relative(f"{full}.{rest}" if rest else full)), how
        target = self.aliases.get(head)
        if target is not None:
            return canonical(f"{target}.{rest}" if rest else target), "alias"
        return None, ""

    # --- uses -----------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self.calls[id(node.func)] = node
        name, how = self.resolve(node.func)
        if how != "tf":
            return
        if name in RECORD_OPTIONS:
            self.options.update(id(a.value) for a in node.args)
        elif name in RECORD_ITERATORS:
            self.add(self.records(node, name))

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.targets[id(node.value)] = node.targets[0].target.value
        self.stores.update(id(t.target) for t in node.targets)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.attrs:
            self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attrs.add(id(node.attr))
        if not self.chains.outermost(node):
            return
        name, how = self.resolve(node)
        if how == "tf" and name == "gfile.FastGFile":
            prefix = dotted_name(node)[: -len(".gfile.FastGFile")]
            self.add(Item(FAST_GFILE, node, "`tf.gfile.FastGFile` is `tf.io.gfile.GFile` in TensorFlow 2 (the same"
                          " file object)", {id(node): lambda _n: _attr(f"{prefix}.io.gfile.GFile")}, safe=True,
                          eager=False))
        elif how == "tf" and name in RECORD_ITERATORS and id(node) not in self.calls:
            # passed around uncalled (a default argument, a reader table): no call to rewrite
            self.add(Item(RECORDS, node, f"`tf.{name}` is compat-only in TensorFlow 2: where it is called, iterate"
                          " `tf.data.TFRecordDataset(path).as_numpy_iterator()`", fixable=False))
        elif how == "tf" and name and name.rpartition(".")[0] in (
                "python_io.TFRecordCompressionType", "io.TFRecordCompressionType"):
            kind = COMPRESSION.get(node.attr.value)
            message = f"`tf.{name}` is compat-only in TensorFlow 2: TFRecord options take the type's name as a string"
            fixable = kind is not None and id(node) in self.options
            self.add(Item(RECORDS, node, message, {id(node): lambda _n: _attr(kind)}, fixable=fixable, safe=True,
                          eager=False))
        module = family(name)
        if module is None or how == "":
            return
        item = self.item(node, name, module, how)
        if item is not None:
            item.family = module
        self.add(item)

    def add(self, item: Optional[Item]) -> None:
        if item is not None:
            item.index = self.index
            self.items.append(item)

    def records(self, call: cst.Call, name: str) -> Item:
        """`tf.python_io.tf_record_iterator(path)` -> `tf.data.TFRecordDataset(path).as_numpy_iterator()`."""
        message = (f"`tf.{name}` is compat-only in TensorFlow 2: iterate"
                   " `tf.data.TFRecordDataset(path).as_numpy_iterator()`, which yields the same bytes (reading"
                   " ahead in a buffer, in eager mode)")
        path = _tf.argument(call, 0, "path")
        if path is None or len(call.args) != 1 or path.star:
            return Item(RECORDS, call, message + "; pass `compression_type=` for compressed files", fixable=False)
        prefix = dotted_name(call.func)[: -len(name) - 1]

        def edit(updated: cst.Call) -> cst.CSTNode:
            dataset = cst.Call(_attr(f"{prefix}.data.TFRecordDataset"), [cst.Arg(updated.args[0].value)])
            return cst.Call(cst.Attribute(dataset, cst.Name("as_numpy_iterator")), [])

        return Item(RECORDS, call, message, {id(call): edit})

    def item(self, node: cst.Attribute, name: str, module: str, how: str) -> Optional[Item]:
        code = {"app": APP_RUN, "flags": TF_FLAGS, "logging": TF_LOGGING}[module]
        tail = name.partition(".")[2]
        call = self.calls.get(id(node))
        spelled = "tf.app.flags" if module == "flags" else f"tf.{module}"
        if how == "import":
            return Item(code, node, f"`{spelled}` does not exist in TensorFlow 2: import `{module}` from absl"
                        " instead of TensorFlow", fixable=False)
        if module == "app":
            return self.app_run(node, call, how)
        if module == "flags":
            return self.flags(node, tail, call, how)
        return self.logging(node, tail, call, how)

    def rename(self, item: Item, node: cst.Attribute, module: str, tail: str, how: str) -> None:
        """The chain becomes `<absl module>.<tail>` (an alias's own name stays: it is rebound)."""
        if how == "alias":
            head, _, rest = dotted_name(node).partition(".")
            if self.aliases[head] == module and tail != rest:
                item.edits[id(node)] = lambda _n, text=f"{head}.{tail}": _attr(text)
            return
        # The names the absl modules get are known after the walk: the edits read them then.
        item.edits[id(node)] = lambda _n: _attr(f"{self.local[module]}.{tail}" if tail else self.local[module])
        item.needs.add(module)
        target = self.targets.get(id(node))
        if not tail and target is not None:
            self.assigned.append((item, module, target, self.statement if self._top_alias_line(node) else None))

    def _top_alias_line(self, node: cst.CSTNode) -> bool:
        statement = self.statement
        return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
                and isinstance(statement.body[0], cst.Assign) and statement.body[0].value is node)

    def app_run(self, node, call, how) -> Item:
        item = Item(APP_RUN, node, "`tf.app.run` is absl's `app.run` in TensorFlow 2 (`from absl import app`);"
                    " absl stops on command-line flags nobody defined, where tf.app.run passed them to main")
        if call is not None and not call.args:
            if not self.has_main:
                item.message = "`tf.app.run()` calls `main` of `__main__`, and this file defines none: use absl's `app.run(main)`"
                item.fixable = False
                return item
            item.edits[id(call)] = lambda c: c.with_changes(args=[cst.Arg(cst.Name("main"))])
        self.rename(item, node, "app", "run", how)
        return item

    def flags(self, node, tail, call, how) -> Optional[Item]:
        item = Item(TF_FLAGS, node, "`tf.app.flags` is absl's `flags` in TensorFlow 2 (`from absl import flags`);"
                    " absl raises when a flag is read before the command line is parsed (`app.run` parses it),"
                    " where tf.app.flags parsed `sys.argv` on the first read")
        parts = tail.split(".")
        if (len(parts) > 1 and parts[0] == "FLAGS" and (not self.hidden or id(node) in self.defining) and id(node)
                not in self.stores and not parts[1].startswith("_") and parts[1] not in FLAG_VALUES_METHODS):
            # TF1's FLAGS parsed `sys.argv` on the first read of a flag: the rewrite parses it there.
            item.message = (f"`FLAGS.{parts[1]}` is read at import time: absl raises `UnparsedFlagAccessError`"
                            " before the command line is parsed, where TF1 parsed `sys.argv` on this first read;"
                            " the rewrite parses it first (`if not FLAGS.is_parsed(): FLAGS(sys.argv)`)")
            if how == "alias":
                head = dotted_name(node).rsplit(".", 1)[0]
                item.parse = lambda: head
            else:
                item.parse = lambda: f"{self.local['flags']}.FLAGS"
                item.needs.add("flags")
                self.rename(item, node, "flags", tail, how)
            return item
        define = tail.rsplit(".", 1)[-1]
        if call is not None and define.startswith("DEFINE_") and tail == define:
            clash = _flag_defines.logging_flag(call, define)
            if clash is not None:
                item.message, edit = clash
                if edit is None:
                    item.fixable = False
                    item.nowhere = True
                else:
                    item.edits[id(call)] = edit
                item.eager = False  # TensorFlow 2's compat.v1 flags are absl's too
                self.rename(item, node, "flags", tail, how)
                return item
        if call is not None and define in _flag_defines.WRAPPED_DEFINES and tail == define:
            old = [a for a in call.args if a.keyword is not None and a.keyword.value in _flag_defines.OLD_KEYWORDS]
            if old:
                item.edits[id(call)] = _flag_defines.new_keywords
                if how == "alias":
                    item.message = (f"`{define}` keywords `flag_name`, `default_value`, `docstring` are"
                                    " `name`, `default`, `help` in absl")
        if parts[0].startswith("_") and not parts[0].startswith("__"):
            item.message = (f"`tf.app.flags.{parts[0]}` is private to TF < 1.5's own flags module: absl.flags, which"
                            " every later TensorFlow wraps, has no such name"
                            + (" (absl's flag registry is the public `flags.FlagValues`)" if parts[0] == "_FlagValues" else ""))
            item.fixable = False
            item.nowhere = True
            return item
        if tail.endswith("FLAGS._parse_flags") or tail == "FLAGS.__flags" or tail.startswith("FLAGS.__flags."):
            spelled = dotted_name(node)  # (the FLAGS object as the file names it: what comes before the idiom)
            written = spelled.split(".__flags")[0] if "__flags" in tail else spelled.rsplit(".", 1)[0]
            if how != "alias":
                item.needs.add("flags")
            flags_object = (lambda: written) if how == "alias" else (lambda: f"{self.local['flags']}.FLAGS")
            return _flag_defines.before_absl(item, node, call, tail, flags_object, lambda: self.sys_name[0])
        if how == "alias" and not item.edits:
            return None  # the alias line's own finding covers it
        self.rename(item, node, "flags", tail, how)
        return item

    def logging(self, node, tail, call, how) -> Optional[Item]:
        head = tail.split(".", 1)[0]
        if head in LOGGING_MANUAL:
            return Item(TF_LOGGING, node, f"`tf.logging.{head}` does not exist in TensorFlow 2; {LOGGING_MANUAL[head]}",
                        fixable=False)
        if head and head not in LOGGING:
            return Item(TF_LOGGING, node, f"`tf.logging.{head}` does not exist in TensorFlow 2 nor in absl.logging",
                        fixable=False)
        new = LOGGING.get(head, "")
        item = Item(TF_LOGGING, node, f"`tf.logging{'.' + head if head else ''}` is absl's `logging"
                    f"{'.' + new if new else ''}` in TensorFlow 2 (`from absl import logging`): the same messages"
                    " at the same levels, written in absl's format by the `absl` logger instead of `tensorflow`"
                    + LOGGING_NOTES.get(head, ""))
        if head in LEVELS:
            item.message += f"; absl's `{new}` is a different number, which only absl's functions understand"
        if call is not None and head in LEVEL_FIRST and call.args:
            level = call.args[0].value
            if isinstance(level, cst.Integer) and level.evaluated_value in NUMERIC_LEVELS:
                named = NUMERIC_LEVELS[level.evaluated_value]
                head = dotted_name(node).split(".", 1)[0]
                item.edits[id(level)] = lambda _n: _attr(
                    f"{head if how == 'alias' else self.local['logging']}.{named}")
            elif head == "set_verbosity" and _level_held(self, call):
                # TF1 set the `tensorflow` logger's Python level; absl's logger takes the same numbers
                module = dotted_name(node).split(".", 1)[0] if how == "alias" else None
                item.message = ("`tf.logging.set_verbosity(level)` set a Python logging level: absl's logger takes"
                                " the same levels (`logging.get_absl_logger().setLevel(level)`), absl's"
                                " `set_verbosity` absl levels (INFO is 0 there, not 20)")
                item.edits[id(call)] = lambda updated: updated.with_changes(
                    func=_attr(f"{module or self.local['logging']}.get_absl_logger().setLevel"))
                if module is None:
                    item.needs.add("logging")
                return item
            elif not _named_level(self, level):
                item.message = (f"`tf.logging.{head}` takes a Python logging level, absl's `{new}` an absl level"
                                " (INFO is 0 there, not 20): pass `logging.INFO` and the like")
                item.fixable = False
                return item
        if how == "alias" and new == head and not item.edits:
            return None
        self.rename(item, node, "logging", ".".join([new] + tail.split(".")[1:]) if head else "", how)
        return item


def _named_level(walker: _Walker, node: cst.BaseExpression) -> bool:
    name, _ = walker.resolve(node)
    return name is not None and name.startswith("logging.") and name[8:] in LEVELS


def _level_held(walker: _Walker, call: cst.Call) -> bool:
    """`set_verbosity(level)` with one plain argument that names no `tf.logging` level (those become absl's)."""
    arg = call.args[0]
    if len(call.args) != 1 or arg.star or arg.keyword is not None:
        return False
    return not find(arg.value, (cst.Name, cst.Attribute), lambda n: family(walker.resolve(n)[0]) == "logging",
                    first=True)


def _module_aliases(context, module: cst.Module) -> Tuple[Dict[str, str], Set[str]]:
    """`flags = tf.app.flags`, `FLAGS = flags.FLAGS`, `logging = tf.logging` at module level."""
    aliases: Dict[str, str] = {}
    rebound: Set[str] = set()  # names whose alias line names the absl module itself
    probe = _Walker(context, aliases, False)
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if not (isinstance(small, cst.Assign) and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)):
            continue
        name, how = probe.resolve(small.value)
        if family(name) is None or how == "import":
            continue
        target = small.targets[0].target.value
        aliases[target] = name
        if name == target:
            rebound.add(target)
    return aliases, rebound


# Every use spells one of these: a file without any is not walked.
_WORDS = ("app.", "flags", "logging", "FastGFile", "tf_record_iterator", "TFRecordCompressionType")


def analyse(context) -> Plan:
    """Every scaffolding use in the file, computed once per file."""
    cached = context.shared.get("scaffold-plan")
    if cached is not None:
        return cached
    module = context.module
    text = context.text
    if text is not None and not any(word in text for word in _WORDS):
        plan = context.shared["scaffold-plan"] = Plan([], {}, frozenset())
        return plan
    aliases, rebound = _module_aliases(context, module)
    mains = any(isinstance(s, cst.FunctionDef) and s.name.value == "main" for s in module.body)
    walker = _Walker(context, aliases, mains)
    for index, statement in enumerate(module.body):
        walker.index, walker.statement = index, statement
        walk(statement, walker)
    imported = {full.rsplit(".", 1)[1]: local for local, full in context.imports.aliases.items()
                if full in ("absl.app", "absl.flags", "absl.logging")}
    local = walker.local
    for absl in ABSL:
        if absl in imported:
            local[absl] = imported[absl]
        elif absl not in walker.names or absl in rebound:
            local[absl] = absl
        else:
            local[absl] = fresh_name(walker.names, f"absl_{absl}")
    for item, absl, target, statement in walker.assigned:
        if target == local[absl]:
            # `flags = tf.app.flags`: the import takes its place; inside a function it would read
            # the local it assigns.
            if statement is not None:
                item.removes.append(statement)
            else:
                item.fixable = False
    # One use that cannot move keeps its whole module on TF1: half of it on absl would hide the
    # rest (an alias rebound to absl no longer reads as TensorFlow) and split one flag registry in two.
    stuck = {i.family for i in walker.items if i.family and not i.fixable}
    for item in walker.items:
        if item.family in stuck and item.fixable:
            item.fixable = False
            spelled = "tf.app.flags" if item.family == "flags" else f"tf.{item.family}"
            item.message += f" (not rewritten while another use of `{spelled}` in this file cannot be)"
    plan = Plan(walker.items, local, frozenset(imported), _tf.module_local(context.imports, "sys", walker.names))
    walker.sys_name[0] = plan.sys[0]
    context.shared["scaffold-plan"] = plan
    return plan


def moved(context) -> FrozenSet[str]:
    """The names of ``HANDLED_NAMES`` that the rewrite moves in this file: not those of a
    module (flags, logging, app) that one use keeps on TF1."""
    stuck = {item.family for item in analyse(context).items if item.family and not item.fixable}
    if not stuck:
        return HANDLED_NAMES
    return frozenset(n for n in HANDLED_NAMES if family(canonical(n)) not in stuck)
