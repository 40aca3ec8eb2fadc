"""TF1 program scaffolding: `tf.app.run`, `tf.app.flags`, `tf.logging`, `tf.gfile.FastGFile`, TFRecord reading.

None of it is about the graph, and none of it exists on TensorFlow 2. The
absl rewrites (app, flags, logging) are one program fix, which adds the
`from absl import ...` lines they need once, after the file's imports; the
rewritten code needs absl-py, which TensorFlow itself installs.

In a file kept on `tensorflow.compat.v1` (already, or by the graph rewrite
for a reason of its own) these names run as they are, and are left there.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import dotted_name
from tfmigrate.traverse import Transformer
from tfmigrate.rule import Invalid, ProgramFix, Rule

from . import _scaffold, _tf
from ._scaffold import HANDLED_NAMES, covers  # noqa: F401  (HANDLED_NAMES: the graph rewrite's vocabulary)


class _Apply(Transformer):
    def __init__(self, edits: Dict[int, _scaffold.Edit]) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node, updated_node):
        edit = self.edits.get(id(original_node))
        return edit(updated_node) if edit is not None else updated_node


def _is_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)


def rewrite_safe(module: cst.Module, context) -> Optional[cst.Module]:
    return rewrite(module, context, False)


def rewrite_unsafe(module: cst.Module, context) -> Optional[cst.Module]:
    return rewrite(module, context, True)


def rewrite(module: cst.Module, context, unsafe: bool) -> Optional[cst.Module]:
    """The module with every fixable item applied and the absl imports it needs."""
    plan = _scaffold.analyse(context)
    compat = context.shared.get("scaffold-deferred") or _compat_file(context)
    items = [i for i in plan.items if i.fixable and (i.edits or i.removes or i.parse) and (unsafe or i.safe)
             and not (compat and i.eager)]
    if not items:
        return None
    edits: Dict[int, _scaffold.Edit] = {}
    for item in items:
        edits.update(item.edits)
    removed = {id(s) for item in items for s in item.removes}
    needs = sorted({n for item in items for n in item.needs} - plan.imported)
    first = min(item.index for item in items)
    before = [i for i, s in enumerate(module.body[:first]) if _is_import(s)]
    at = before[-1] + 1 if before else min(_after_docstring(module), first)
    config = module.config_for_parsing
    imports = [cst.parse_statement(f"from absl import {n}{'' if plan.local[n] == n else ' as ' + plan.local[n]}\n",
                                   config=config) for n in needs]
    reads = [item for item in items if item.parse is not None]
    parse: Optional[cst.BaseStatement] = None
    sys_name, imported = plan.sys
    if (reads or any(item.argv for item in items)) and not imported:
        imports.insert(0, cst.parse_statement(f"import sys{'' if sys_name == 'sys' else ' as ' + sys_name}\n",
                                              config=config))
    if reads:  # TF1 parsed the command line on the first read of a flag
        flags_object = reads[0].parse()
        parse = cst.parse_statement(f"if not {flags_object}.is_parsed():\n"
                                    f"{config.default_indent}{flags_object}({sys_name}.argv)\n", config=config)
    transformer = _Apply(edits)
    body: List[cst.BaseStatement] = []
    carried: List[cst.EmptyLine] = []
    for index, statement in enumerate(module.body):
        if index == at:
            body.extend(imports)
        if id(statement) in removed:
            carried.extend(statement.leading_lines)
            continue
        new = statement.visit(transformer)
        if carried:
            new = new.with_changes(leading_lines=[*carried, *new.leading_lines])
            carried = []
        if parse is not None and index == reads[0].index:  # the parse goes first, with the line's comments
            body.append(parse.with_changes(leading_lines=new.leading_lines))
            # a `def` whose default reads the flag keeps its blank lines above it (not its comments)
            blank = [line for line in new.leading_lines if line.comment is None]
            new = new.with_changes(leading_lines=blank if isinstance(new, (cst.FunctionDef, cst.ClassDef)) else [])
            parse = None
        body.append(new)
    if at >= len(module.body):
        body.extend(imports)
    return module.with_changes(body=body)


def _after_docstring(module: cst.Module) -> int:
    """The first place an import may go: after the docstring and `from __future__` imports."""
    at = 0
    for index, statement in enumerate(module.body):
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        docstring = index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)
        future = isinstance(small, cst.ImportFrom) and small.module is not None and \
            dotted_name(small.module) == "__future__"
        if not (docstring or future):
            break
        at = index + 1
    return at


SAFE_REWRITE = ProgramFix("TensorFlow 2 names", Applicability.SAFE, rewrite_safe)
UNSAFE_REWRITE = ProgramFix("absl and tf.data rewrite", Applicability.UNSAFE, rewrite_unsafe)
_REASON = " has no TensorFlow 2 equivalent"


def _compat_file(context) -> bool:
    return _tf.imports_compat(context.imports)


def kept_on_compat(context):
    """The graph rewrite's fallback program fix when it keeps the file on compat.v1 for a reason
    other than these names (which this family rewrites), else None."""
    cached = context.shared.get("scaffold-deferred", False)
    if cached is not False:
        return cached
    from . import graph

    result = graph.plan(context)
    answer = None
    if result.falls_back:
        reason = result.reason
        name = reason[3:-len(_REASON)] if reason.startswith("tf.") and reason.endswith(_REASON) else ""
        moved = _scaffold.moved(context)  # a name of a family one use keeps on TF1 is not moved
        mine = covers(name) and name not in _scaffold.CONFIG_NAMES and (
            name in moved or _scaffold.canonical(name) in moved)
        answer = None if mine else graph.GRAPH_TO_EAGER
    context.shared["scaffold-deferred"] = answer
    return answer


def _uses_tensorflow(context) -> bool:
    values = context.imports.aliases.values()
    return any(v.startswith("tensorflow") for v in values) and not _compat_file(context)


class _AbslRule(Rule):
    """Reports the uses ``_scaffold.analyse`` found for this rule's code."""

    program_fix = UNSAFE_REWRITE

    def visit_Module(self, node: cst.Module) -> None:
        values = self.context.imports.aliases.values()
        if not any(v.startswith("tensorflow") for v in values):
            return
        items = [i for i in _scaffold.analyse(self.context).items if i.code == self.code]
        if _compat_file(self.context):
            # On tensorflow.compat.v1 these names run as they are, but for what runs nowhere and what
            # the file reads through TensorFlow 2 itself (`tf.logging` on a `tensorflow.compat.v2` alias).
            for item in items:
                if item.nowhere or not _tf.through_compat(self.context.imports, item.node):
                    self.report(item.node, item.message, fixable=False, status=Status.MANUAL)
                elif not item.eager and item.fixable and item.edits:  # (absl's flags, under compat.v1 too)
                    self.report(item.node, item.message, program_fix=UNSAFE_REWRITE, status=Status.COMPAT)
            return
        if not items:
            return
        compat = kept_on_compat(self.context)
        for item in items:
            if item.nowhere:
                self.report(item.node, item.message, fixable=False, status=Status.MANUAL)
            elif compat is not None and item.eager:
                self.report(item.node, item.message, program_fix=compat, status=Status.COMPAT)
            else:
                fix = SAFE_REWRITE if item.safe else UNSAFE_REWRITE
                self.report(item.node, item.message, program_fix=fix,
                            fixable=item.fixable and bool(item.edits or item.removes or item.parse))


class AppRun(_AbslRule):
    """`tf.app.run()`: TF1's entry point, a wrapper of absl's `app.run`.

    What it finds: `tf.app.run()`, `tf.app.run(main)`, `tf.compat.v1.app.run(...)`.

    Why: `tf.app` does not exist in TensorFlow 2 (AttributeError).

    Fix (unsafe): `from absl import app` and `app.run(main)`, with the same
    arguments; `tf.app.run()` without arguments ran `main` of `__main__`, so it
    becomes `app.run(main)` when the file defines `main`. absl calls
    `main(argv)` as TF1 did, and parses the flags first. The one difference:
    a command-line flag that no code defines stops absl with an error, where
    `tf.app.run` handed it to `main` in `argv`.

    The rewritten code needs absl-py, which comes with TensorFlow.
    """

    code = _scaffold.APP_RUN
    name = "tf-app-run"
    VALID = ["from absl import app\ndef main(argv):\n    pass\napp.run(main)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ndef main(_):\n    pass\nif __name__ == '__main__':\n    tf.app.run()\n",
                "import tensorflow as tf\nfrom absl import app\ndef main(_):\n    pass\n"
                "if __name__ == '__main__':\n    app.run(main)\n"),
        Invalid("import tensorflow as tf\ntf.compat.v1.app.run(main=train, argv=['x'])\n",
                "import tensorflow as tf\nfrom absl import app\napp.run(main=train, argv=['x'])\n"),
        Invalid("import tensorflow as tf\ntf.app.run()\n"),  # no `main`: reported, not rewritten
    ]


class TFFlags(_AbslRule):
    """`tf.app.flags` / `tf.flags`: absl's flags module, re-exported by TF1.

    What it finds: `flags = tf.app.flags`, `tf.app.flags.DEFINE_string(...)`,
    `tf.flags.DEFINE_integer(...)`, `FLAGS = tf.app.flags.FLAGS`, and the
    TF < 1.5 idioms `FLAGS._parse_flags()` and `FLAGS.__flags`.

    Why: `tf.app.flags` and `tf.flags` do not exist in TensorFlow 2.

    Fix (unsafe): `from absl import flags` (the `flags = tf.app.flags` line
    goes: the import takes its place), `flags.DEFINE_...` with the same
    arguments: since TF 1.5 tf.app.flags *was* absl.flags, except that its
    `DEFINE_string`/`boolean`/`bool`/`float`/`integer` also took the keywords
    `flag_name`, `default_value`, `docstring`, which become `name`, `default`,
    `help`. `FLAGS.__flags` (flag values in TF < 1.5, Flag objects in absl)
    becomes `FLAGS.flag_values_dict()`. The difference: TF1's `FLAGS` parsed
    `sys.argv` on the first read of a flag, where absl raises
    `UnparsedFlagAccessError` until `app.run` (or `FLAGS(sys.argv)`) parsed
    it, so a flag read at import time needs a change.

    A flag absl.logging defines (`log_dir`, `logtostderr`, `verbosity`, ...)
    is defined before the program's once TensorFlow 2 is imported (it imports
    absl.logging; TF1's logging did not), so defining it again raises
    `DuplicateFlagError`, under compat.v1 too: of absl's type, the rewrite
    sets its default instead (`flags.FLAGS.set_default('log_dir', '/tmp')`),
    and `--log_dir` and `FLAGS.log_dir` work as before; of another type
    (`DEFINE_enum('verbosity', ...)`) it is reported, to be renamed by hand.

    A flag read at import time (`BATCH = FLAGS.batch_size` at module level,
    or a default of a module-level function: `def batches(n=FLAGS.batch_size)`)
    gets what TF1 did on that first read: `if not FLAGS.is_parsed():
    FLAGS(sys.argv)` just before the statement that reads it (with `import
    sys`); a later `app.run` parses the command line again, as TF1's did. A
    read in a function called before `app.run` is not seen.

    `FLAGS._parse_flags()` (TF < 1.5, which parsed `sys.argv` and left
    arguments it did not know alone) becomes `FLAGS(sys.argv,
    known_only=True)`.

    Known limits: `from tensorflow import flags` is reported.
    """

    code = _scaffold.TF_FLAGS
    name = "tf-flags"
    VALID = ["from absl import flags\nflags.DEFINE_string('data', '/tmp', 'where')\nFLAGS = flags.FLAGS\n"]
    INVALID = [
        Invalid("import tensorflow as tf\n\nflags = tf.app.flags\nFLAGS = flags.FLAGS\n"
                "flags.DEFINE_integer('steps', 10, 'how many')\n",
                "import tensorflow as tf\nfrom absl import flags\n\nFLAGS = flags.FLAGS\n"
                "flags.DEFINE_integer('steps', 10, 'how many')\n"),
        Invalid("import tensorflow as tf\ntf.flags.DEFINE_float(flag_name='lr', default_value=0.1, docstring='rate')\n"
                "FLAGS = tf.app.flags.FLAGS\n",
                "import tensorflow as tf\nfrom absl import flags\nflags.DEFINE_float(name='lr', default=0.1, help='rate')\n"
                "FLAGS = flags.FLAGS\n"),
        Invalid("import tensorflow as tf\nFLAGS = tf.app.flags.FLAGS\nfor k, v in FLAGS.__flags.items():\n    print(k, v)\n",
                "import tensorflow as tf\nfrom absl import flags\nFLAGS = flags.FLAGS\n"
                "for k, v in FLAGS.flag_values_dict().items():\n    print(k, v)\n"),
    ]


class TFLogging(_AbslRule):
    """`tf.logging`: TF1's logging functions, on the `tensorflow` Python logger.

    What it finds: `tf.logging.set_verbosity(tf.logging.INFO)`, `info`,
    `warning`/`warn`, `error`, `debug`, `fatal`, `log`, `log_every_n`,
    `log_first_n`, `log_if`, `vlog`, `flush`, the levels `DEBUG` ... `FATAL`,
    `logging = tf.logging`.

    Why: `tf.logging` does not exist in TensorFlow 2.

    Fix (unsafe): `from absl import logging` and the absl function of the
    same name (`warn` -> `warning`, `WARN` -> `WARNING`). Levels are mapped by
    name: absl's numbers differ (INFO is 0, not 20) but absl's functions read
    them as TF1's read theirs, and the default threshold (WARNING) is the
    same; a literal level (`set_verbosity(20)`) becomes the named one, and a
    level held in a variable or flag (`set_verbosity(FLAGS.log_level)`, a
    Python level) is set on absl's logger, which takes Python levels:
    `logging.get_absl_logger().setLevel(FLAGS.log_level)`. The
    messages come out in absl's format from the `absl` logger, not as
    `INFO:tensorflow:...`. Two functions differ more, and say so: absl's
    `fatal` ends the program (under `app.run`) where TF1 only logged, and
    `vlog(n)` logs at absl verbosity n, not Python level n.

    Known limits: `get_verbosity` (absl answers in absl levels), a level
    passed by keyword and an expression of TF1 levels
    (`tf.logging.INFO if debug else tf.logging.WARN`) are reported, not
    rewritten.
    """

    code = _scaffold.TF_LOGGING
    name = "tf-logging"
    VALID = ["from absl import logging\nlogging.set_verbosity(logging.INFO)\n", "import logging\nlogging.info('x')\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ntf.logging.set_verbosity(tf.logging.INFO)\ntf.logging.warn('low %d', 3)\n",
                "import tensorflow as tf\nfrom absl import logging\nlogging.set_verbosity(logging.INFO)\n"
                "logging.warning('low %d', 3)\n"),
        Invalid("import logging\nimport tensorflow as tf\nlogging.info('std')\ntf.logging.log(20, 'tf')\n",
                "import logging\nimport tensorflow as tf\nfrom absl import logging as absl_logging\n"
                "logging.info('std')\nabsl_logging.log(absl_logging.INFO, 'tf')\n"),
        Invalid("import tensorflow as tf\nlevel = tf.logging.get_verbosity()\n"),  # reported, not rewritten
    ]


class FastGFile(_AbslRule):
    """`tf.gfile.FastGFile`: TF1's deprecated twin of `GFile`.

    What it finds: `tf.gfile.FastGFile(path, mode)`. (The other `tf.gfile`
    names are renames, TFM101: `tf.gfile.Exists` -> `tf.io.gfile.exists`...)

    Why: `tf.gfile` does not exist in TensorFlow 2.

    Fix (safe): `tf.io.gfile.GFile`. In TF1 both classes were the same file
    object (`FileIO`) with the same arguments, without locking either;
    FastGFile only added a deprecation warning.
    """

    code = _scaffold.FAST_GFILE
    name = "fast-gfile"
    fix_applicability = Applicability.SAFE
    VALID = ["import tensorflow as tf\nf = tf.io.gfile.GFile('a.txt')\n"]
    INVALID = [Invalid("import tensorflow as tf\ndata = tf.gfile.FastGFile('a.pb', 'rb').read()\n",
                       "import tensorflow as tf\ndata = tf.io.gfile.GFile('a.pb', 'rb').read()\n", unsafe=False)]


class TFRecordIterator(_AbslRule):
    """`tf.python_io.tf_record_iterator(path)`: reading a TFRecord file in TF1.

    What it finds: `tf.python_io.tf_record_iterator` and
    `tf.io.tf_record_iterator` (compat-only in TensorFlow 2), and
    `tf.python_io.TFRecordCompressionType.GZIP` given to `TFRecordOptions`.
    (`tf.python_io.TFRecordWriter` and `TFRecordOptions` are renames, TFM101.)

    Fix (unsafe): `tf.data.TFRecordDataset(path).as_numpy_iterator()`, which
    yields each record as `bytes`, as the TF1 iterator did, so a
    `for record in ...:` body and `list(...)` get the same values. It needs
    eager execution (so a file kept on compat.v1 keeps the TF1 iterator), it
    reads ahead in a buffer, and a missing file raises on the first record
    rather than at the call. A compression type becomes its name (safe:
    `TFRecordOptions` reads `"GZIP"` as it read the enum).

    Known limits: an iterator given `options` is reported, not rewritten
    (pass `compression_type=` to `TFRecordDataset`).
    """

    code = _scaffold.RECORDS
    name = "tf-record-iterator"
    VALID = ["import tensorflow as tf\nfor r in tf.data.TFRecordDataset('a.tfrecord'):\n    pass\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nfor record in tf.python_io.tf_record_iterator(path):\n    print(len(record))\n",
                "import tensorflow as tf\nfor record in tf.data.TFRecordDataset(path).as_numpy_iterator():\n"
                "    print(len(record))\n"),
        Invalid("import tensorflow as tf\n"
                "o = tf.python_io.TFRecordOptions(tf.python_io.TFRecordCompressionType.GZIP)\n",
                "import tensorflow as tf\no = tf.io.TFRecordOptions(\"GZIP\")\n", unsafe=False),
    ]
