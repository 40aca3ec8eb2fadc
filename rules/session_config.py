"""`tf.ConfigProto` and `tf.GPUOptions`: session options, which TensorFlow 2 sets through `tf.config`.

The rule reports them; ``config_statements`` gives the `tf.config` calls for
one ConfigProto, for the rewrite that removes the session it was given to.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import dotted_name
from tfmigrate.rule import Invalid, ProgramFix, Rule

from . import _session_options, _tf
from .scaffolding import _uses_tensorflow, kept_on_compat

# Before the graph-to-eager rewrite, which removes the sessions the options were given to.
CONFIG_FIX = ProgramFix("session options to tf.config", Applicability.UNSAFE, _session_options.rewrite, order=-1)

# ConfigProto / GPUOptions field -> the TF2 call that sets it (``{tf}``: the module's alias, ``{v}``: the value).
CALLS = {
    "log_device_placement": "{tf}.debugging.set_log_device_placement({v})",
    "allow_soft_placement": "{tf}.config.set_soft_device_placement({v})",
    "intra_op_parallelism_threads": "{tf}.config.threading.set_intra_op_parallelism_threads({v})",
    "inter_op_parallelism_threads": "{tf}.config.threading.set_inter_op_parallelism_threads({v})",
    "gpu_options.allow_growth": ("for gpu in {tf}.config.list_physical_devices('GPU'):\n"
                                 "    {tf}.config.experimental.set_memory_growth(gpu, {v})"),
    "device_count": "{tf}.config.set_visible_devices([], 'GPU')",
}
# What the message says for each field (the ones without a TF2 call say why).
MAPPING = {
    "gpu_options.allow_growth": "`allow_growth` -> `tf.config.experimental.set_memory_growth(gpu, True)` for each"
                                " GPU of `tf.config.list_physical_devices('GPU')`",
    "gpu_options.per_process_gpu_memory_fraction": "`per_process_gpu_memory_fraction` -> no fraction in TF2: a"
    " memory limit in MB, `tf.config.set_logical_device_configuration(gpu, [tf.config.LogicalDeviceConfiguration("
    "memory_limit=...)])`",
    "gpu_options.visible_device_list": "`visible_device_list` -> `tf.config.set_visible_devices(gpus, 'GPU')`",
    "log_device_placement": "`log_device_placement` -> `tf.debugging.set_log_device_placement(...)`",
    "allow_soft_placement": "`allow_soft_placement` -> `tf.config.set_soft_device_placement(...)`",
    "intra_op_parallelism_threads": "`intra_op_parallelism_threads` ->"
                                    " `tf.config.threading.set_intra_op_parallelism_threads(...)`",
    "inter_op_parallelism_threads": "`inter_op_parallelism_threads` ->"
                                    " `tf.config.threading.set_inter_op_parallelism_threads(...)`",
    "device_count": "`device_count={'GPU': 0}` -> `tf.config.set_visible_devices([], 'GPU')`",
}
NAMES = ("ConfigProto", "GPUOptions")


def _settings(call: cst.Call, prefix: str, out: Dict[str, cst.BaseExpression], tf_name) -> bool:
    """The fields a ConfigProto/GPUOptions call sets, as ``path -> value``; False if one is unreadable."""
    for arg in call.args:
        if arg.keyword is None:
            return False
        path = prefix + arg.keyword.value
        value = arg.value
        if path == "gpu_options":
            if not (isinstance(value, cst.Call) and tf_name(value.func) == "GPUOptions"):
                return False
            if not _settings(value, "gpu_options.", out, tf_name):
                return False
            continue
        out[path] = value
    return True


def _plain_tf_name(node: cst.BaseExpression) -> Optional[str]:
    name = dotted_name(node)
    return name.rsplit(".", 1)[-1] if name else None


def config_statements(call_node: cst.Call, tf_alias: str,
                      assignments: Sequence[cst.Assign] = (), tf_name=_plain_tf_name) -> Optional[List[str]]:
    """The TF2 statements (code, one string each) that set what a ConfigProto sets, or None.

    ``call_node`` is the `tf.ConfigProto(...)` (or `tf.GPUOptions(...)`) call;
    ``assignments`` the `config.gpu_options.allow_growth = True` statements
    made on it afterwards, in order; ``tf_name`` maps a function node to its
    TF-relative name (by default its last name). None when a field has no
    exact TF2 call (`per_process_gpu_memory_fraction`, ...) or is not a
    keyword. The calls are process-wide and must run before TensorFlow
    starts its runtime (the first op or variable): place them after the
    imports, or first in `main`, not where the session was.
    """
    settings: Dict[str, cst.BaseExpression] = {}
    prefix = "gpu_options." if tf_name(call_node.func) == "GPUOptions" else ""
    if not _settings(call_node, prefix, settings, tf_name):
        return None
    for assign in assignments:
        if len(assign.targets) != 1:
            return None
        target = dotted_name(assign.targets[0].target)
        if target is None or "." not in target:
            return None
        settings[prefix + target.split(".", 1)[1]] = assign.value
    module = cst.Module(body=[])
    statements = []
    for path, value in settings.items():
        template = CALLS.get(path)
        if template is None:
            return None
        code = module.code_for_node(value)
        if path == "device_count":
            if not _no_gpus(value):
                return None
        elif path == "gpu_options.allow_growth" and isinstance(value, cst.Name) and value.value == "False":
            continue  # the default
        statements.append(template.format(tf=tf_alias, v=code))
    return statements


def _no_gpus(value: cst.BaseExpression) -> bool:
    """`{'GPU': 0}`: no GPU for the session."""
    if not isinstance(value, cst.Dict) or len(value.elements) != 1:
        return False
    element = value.elements[0]
    return (isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)
            and element.key.evaluated_value == "GPU" and isinstance(element.value, cst.Integer)
            and element.value.evaluated_value == 0)


def config_definition(statements: Sequence[cst.BaseStatement], name: str,
                      tf_name) -> Optional[Tuple[cst.Call, List[cst.Assign], List[cst.BaseStatement]]]:
    """In a block, `name = tf.ConfigProto(...)` and the `name.x.y = v` lines after it.

    Returns (the call, the assignments, the statements that go with them),
    for ``config_statements`` and for removing them; None when `name` is
    not made that way in ``statements`` or is used otherwise in between.
    """
    found: Optional[cst.Call] = None
    assigns: List[cst.Assign] = []
    lines: List[cst.BaseStatement] = []
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            continue
        target = dotted_name(small.targets[0].target)
        if target == name and isinstance(small.value, cst.Call) and tf_name(small.value.func) in NAMES:
            found, assigns, lines = small.value, [], [statement]
        elif found is not None and target is not None and target.startswith(name + "."):
            assigns.append(small)
            lines.append(statement)
    return (found, assigns, lines) if found is not None else None


class SessionConfig(Rule):
    """`tf.ConfigProto(...)` / `tf.GPUOptions(...)`: TF1 session options.

    What it finds: ConfigProto and GPUOptions, which TensorFlow 2 does not
    have; the finding lists the `tf.config` call for each option it sets:
    `allow_growth` -> `tf.config.experimental.set_memory_growth(gpu, True)`
    for each GPU, `log_device_placement` ->
    `tf.debugging.set_log_device_placement`, `allow_soft_placement` ->
    `tf.config.set_soft_device_placement`, `intra_op_parallelism_threads` /
    `inter_op_parallelism_threads` -> `tf.config.threading.set_..._threads`,
    `device_count={'GPU': 0}` -> `tf.config.set_visible_devices([], 'GPU')`.
    `per_process_gpu_memory_fraction` has no exact equivalent (TF2 takes a
    limit in MB).

    Why: the options belong to the `tf.Session` they are given to; TF2 sets
    them for the process, before the first operation runs.

    Fix (unsafe): where `config = tf.ConfigProto(...)` (and the
    `config.gpu_options.allow_growth = True` lines after it) sets only the
    options above, to literal values, and goes only to `tf.Session(config=
    config)` calls the graph-to-eager rewrite removes or to
    `tf.enable_eager_execution(config=config)`, the definition (and that
    switch) goes and the `tf.config` calls come right after the module's
    imports, before any operation starts TensorFlow's runtime. The placement
    options (`allow_soft_placement`, `log_device_placement`), which TensorFlow
    2 may change while it runs, may hold any value (`FLAGS.soft`): their calls
    take the definition's place, or come just before the statement that makes
    the session. Elsewhere the program is kept on `tensorflow.compat.v1`,
    where its ConfigProto runs as it is.
    """

    code = "TFM085"
    name = "session-config"
    fix_applicability = Applicability.UNSAFE
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow as tf\ntf.config.set_soft_device_placement(True)\n"]
    INVALID = [Invalid("import tensorflow as tf\nconfig = tf.ConfigProto(gpu_options=tf.GPUOptions(allow_growth=True))\n")]

    def visit_Call(self, node: cst.Call) -> None:
        name = _tf.call_name(self, node)
        if name not in NAMES or not _uses_tensorflow(self.context):
            return
        settings: Dict[str, cst.BaseExpression] = {}
        _settings(node, "gpu_options." if name == "GPUOptions" else "", settings, lambda f: _tf.tf_name(self, f))
        hints = [MAPPING[p] for p in settings if p in MAPPING]
        unknown = [p.rsplit(".", 1)[-1] for p in settings if p not in MAPPING]
        message = f"`tf.{name}` does not exist in TensorFlow 2: set the options for the process with `tf.config`"
        if hints:
            message += ": " + "; ".join(hints)
        if unknown:
            message += f" ({', '.join(f'`{u}`' for u in unknown)}: no tf.config equivalent)"
        from . import graph

        if _session_options.becomes_tf2(self.context) and any(
                c.call is node for c in _session_options.conversions(self.context)):
            self.report(node, message + "; the calls go right after the imports, before the first operation",
                        program_fix=CONFIG_FIX)
            return
        # The graph-to-eager rewrite removes it with its session, or keeps the file on compat.v1, where it runs.
        result = graph.plan(self.context)
        eager = kept_on_compat(self.context) is None and result.eager is not None
        self.report(node, message, program_fix=graph.GRAPH_TO_EAGER, status=None if eager else Status.COMPAT)
