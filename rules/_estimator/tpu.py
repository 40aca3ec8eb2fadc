"""TPUEstimator programs read as the Estimator programs they are on one device, before the rewrite reads them.

A ``TPUEstimator`` is an ``Estimator`` whose model_fn runs replicated over a TPU's cores. Its pieces become
the Estimator's, in a copy of the module that keeps every node it does not change (so findings keep their
places), and the rewrite then makes the Keras model as for any Estimator:

- ``TPUEstimatorSpec(mode, ..., eval_metrics=(metric_fn, [labels, logits]))`` -> ``EstimatorSpec(mode, ...,
  eval_metric_ops={...})``: the metric function's statements are written before the spec, its parameters
  replaced by what the tuple passes, and the dict it returned is the spec's ``eval_metric_ops``
  (``tpu_metrics``); its ``host_call`` goes where its function only writes summaries (``tpu_host_call``);
- ``tpu.CrossShardOptimizer(optimizer)`` -> ``optimizer``: under a distribution strategy Keras sums the
  replicas' gradients, and the Keras model's train step divides the loss by the replicas (CrossShardOptimizer
  averaged them);
- ``tpu.RunConfig(cluster=resolver, tpu_config=TPUConfig(...), ...)`` -> ``RunConfig(...)``, the resolver kept
  for the strategy (``tpu_config``'s loop and shards are the strategy's: dropped, with a note);
- ``TPUEstimator(model_fn, config=..., params=..., use_tpu=..., train_batch_size=...)`` -> ``Estimator(model_fn,
  config=..., params=...)``: TPUEstimator passed ``params["batch_size"]`` (the mode's batch size) to the input
  functions and, with ``params["use_tpu"]``, to the model_fn; the Keras model is built under
  ``tf.distribute.TPUStrategy`` where ``use_tpu`` (True by default) holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from .. import _tf
from .._eager import queries
from .._eager.state import Unsupported
from .._vocab import estimator_relative as relative
from . import tpu_host_call, tpu_metrics
from .program import subscript_key

ESTIMATORS = {"estimator.tpu.TPUEstimator", "contrib.tpu.TPUEstimator"}
SPECS = {"estimator.tpu.TPUEstimatorSpec", "contrib.tpu.TPUEstimatorSpec"}
CONFIGS = {"estimator.tpu.RunConfig", "contrib.tpu.RunConfig"}
CROSS_SHARD = {"tpu.CrossShardOptimizer", "contrib.tpu.CrossShardOptimizer"}
SPEC_PARAMS = ("mode", "predictions", "loss", "train_op", "eval_metrics", "export_outputs", "scaffold_fn",
               "host_call", "training_hooks", "evaluation_hooks", "prediction_hooks")
ESTIMATOR_PARAMS = ("model_fn", "model_dir", "config", "params", "use_tpu", "train_batch_size", "eval_batch_size",
                    "predict_batch_size", "batch_axis", "eval_on_tpu", "export_to_tpu", "export_to_cpu",
                    "warm_start_from", "embedding_config_spec", "export_saved_model_api_version")
CONFIG_NOTE = ("tpu.RunConfig(tpu_config=...): the TPU's loop and shards are the distribution strategy's now "
               "(Keras' compile(steps_per_execution=...) runs several steps per call, as iterations_per_loop did)")
STRATEGY_NOTE = ("TPUEstimator(use_tpu=...): the Keras model is built under tf.distribute.TPUStrategy, the TPU "
                 "system initialized from the cluster resolver (the RunConfig's cluster, else "
                 "TPUClusterResolver()); set up the TPU as its guide says (tf.distribute.TPUStrategy); each "
                 "batch is the global batch, split over the replicas")


@dataclass
class Tpu:
    """What a TPUEstimator call set beyond the Estimator it becomes."""

    use_tpu: Optional[cst.BaseExpression]  # None: not given (True)
    batch_sizes: Dict[str, cst.BaseExpression]  # "train" / "eval" / "infer" -> the batch size params held
    resolver: Optional[cst.BaseExpression]  # the RunConfig's cluster (None: TPUClusterResolver())


@dataclass
class Normalized:
    module: cst.Module
    origin: Dict[int, cst.CSTNode] = field(default_factory=dict)  # id of a new node -> the node it replaced
    tpus: Dict[int, Tpu] = field(default_factory=dict)  # id of an Estimator call (was TPUEstimator) -> its TPU
    notes: List[Tuple[cst.CSTNode, str]] = field(default_factory=list)
    per_mode: Set[str] = field(default_factory=set)  # model_fns reading params["batch_size"], set per mode


class _Normalizer:
    def __init__(self, module: cst.Module, imports) -> None:
        self.module, self.imports = module, imports
        self.tf = next((local for local, full in sorted(imports.aliases.items())
                        if full in ("tensorflow", "tensorflow.compat.v1")), "tf")
        self.parent = queries.parents(module)
        self.mapping: Dict[int, object] = {}
        self.out = Normalized(module)
        self.consumed: Set[int] = set()  # ids of Name nodes of metric functions the specs read (inlined now)
        self.inlined: Dict[int, cst.FunctionDef] = {}  # id -> each metric function inlined

    def name(self, node) -> Optional[str]:
        return relative(_tf.relative(self.imports.qualify(node)))

    def call_name(self, node) -> Optional[str]:
        return self.name(node.func) if isinstance(node, cst.Call) else None

    def expr(self, code: str) -> cst.BaseExpression:
        return cst.parse_expression(code, config=self.module.config_for_parsing)

    def new(self, old: cst.CSTNode, node):
        self.out.origin[id(node)] = old
        return node

    def inner(self, args: List[cst.Arg]) -> List[cst.Arg]:
        """Arguments with what was replaced inside them (a tpu.RunConfig, a CrossShardOptimizer)."""
        return [arg.with_changes(value=queries.replaced(arg.value, self.mapping, self.parent)) for arg in args]

    def enclosing(self, node, kinds) -> Optional[cst.CSTNode]:
        node = self.parent.get(id(node))
        while node is not None and not isinstance(node, kinds):
            node = self.parent.get(id(node))
        return node

    def run(self) -> Normalized:
        calls = queries.find(self.module, cst.Call)
        names = {id(call): self.call_name(call) for call in calls}
        if not any(name in ESTIMATORS or name in SPECS for name in names.values()):
            return self.out
        configs = {}
        for call in calls:
            if names[id(call)] in CONFIGS:
                configs[id(call)] = self.config(call)
        for call in calls:  # (the optimizers first: a spec or an estimator call may hold them)
            if names[id(call)] in CROSS_SHARD:
                self.cross_shard(call)
        for call in calls:
            kind = names[id(call)]
            if kind in SPECS:
                self.spec(call)
            elif kind in ESTIMATORS:
                self.estimator(call, configs)
        tpu_metrics.drop_metric_functions(self)
        self.out.module = queries.replaced(self.module, self.mapping, self.parent)
        return self.out

    # -- TPUEstimatorSpec ----------------------------------------------------------------------------------
    def spec(self, call: cst.Call) -> None:
        given = _given(call, SPEC_PARAMS, "TPUEstimatorSpec")
        if "scaffold_fn" in given and not _is_none(given["scaffold_fn"].value):
            raise Unsupported(given["scaffold_fn"].value, "TPUEstimatorSpec(scaffold_fn=...): what it restores or "
                                                          "initializes is not mapped (a Keras model's weights load "
                                                          "with load_weights or a Checkpoint)")
        if "host_call" in given and not _is_none(given["host_call"].value):
            tpu_host_call.drop(self, given["host_call"].value)
        statements: List[cst.BaseStatement] = []
        args = []
        for index, arg in enumerate(call.args):
            key = arg.keyword.value if arg.keyword is not None else SPEC_PARAMS[index]
            if key in ("scaffold_fn", "host_call"):
                continue
            if key == "eval_metrics":
                if _is_none(arg.value):
                    continue
                if isinstance(arg.value, cst.Name):  # `eval_metrics = (metric_fn, [...])` above: a dict there
                    tpu_metrics.bound_metrics(self, call, arg.value)
                    metrics = arg.value
                else:
                    statements, metrics = tpu_metrics.metrics(self, call, arg.value)
                arg = arg.with_changes(keyword=cst.Name("eval_metric_ops"), value=metrics, equal=(
                    arg.equal if arg.keyword is not None else _tf.EQUAL))
            elif arg.keyword is None and index >= 4:  # EstimatorSpec's parameters differ from the fifth on
                arg = arg.with_changes(keyword=cst.Name(key), equal=_tf.EQUAL)
            args.append(arg)
        args = self.inner(args)
        if args:  # the last argument's comma holds what stood before the closing bracket
            args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
        spec = self.new(call, call.with_changes(func=self.expr(f"{self.tf}.estimator.EstimatorSpec"), args=args))
        if not statements:
            self.mapping[id(call)] = spec
            return
        line = self.enclosing(call, cst.SimpleStatementLine)
        if line is None or not isinstance(self.parent.get(id(line)), (cst.IndentedBlock, cst.Module)):
            raise Unsupported(call, "TPUEstimatorSpec(eval_metrics=...) outside a statement of its own")
        new_line = queries.replaced(line, {id(call): spec}, self.parent)
        first = statements[0].with_changes(leading_lines=[*line.leading_lines, *statements[0].leading_lines])
        self.mapping[id(line)] = [self.new(line, first), *statements[1:], new_line.with_changes(leading_lines=[])]

    # -- CrossShardOptimizer -------------------------------------------------------------------------------
    def cross_shard(self, call: cst.Call) -> None:
        given = {key: arg.value for key, arg in _given(call, ("opt", "reduction", "name", "group_assignment"),
                                                       "CrossShardOptimizer").items()}
        reduction = given.get("reduction")
        mean = self.name(reduction) == "losses.Reduction.MEAN" or (
            isinstance(reduction, cst.SimpleString) and reduction.evaluated_value == "weighted_mean")
        if reduction is not None and not mean:
            raise Unsupported(reduction, "CrossShardOptimizer(reduction=...) other than the mean")
        if "group_assignment" in given and not _is_none(given["group_assignment"]):
            raise Unsupported(call, "CrossShardOptimizer(group_assignment=...)")
        inner = given.get("opt")
        if inner is None:
            raise Unsupported(call, "CrossShardOptimizer without an optimizer")
        line = self.parent.get(id(self.parent.get(id(call))))
        assign = self.parent.get(id(call))
        if (isinstance(assign, cst.Assign) and isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
                and len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name)
                and isinstance(inner, cst.Name) and inner.value == assign.targets[0].target.value):
            block = self.parent.get(id(line))  # `optimizer = CrossShardOptimizer(optimizer)`: goes
            holder = self.parent.get(id(block)) if isinstance(block, cst.IndentedBlock) else None
            if isinstance(holder, cst.If) and len(block.body) == 1 and holder.orelse is None:
                self.mapping[id(holder)] = []  # `if FLAGS.use_tpu: optimizer = CrossShardOptimizer(optimizer)`
            elif isinstance(block, cst.IndentedBlock) and len(block.body) > 1:
                self.mapping[id(line)] = []
            else:
                raise Unsupported(call, "CrossShardOptimizer alone in a block with an else")
            return
        self.mapping[id(call)] = inner

    # -- tpu.RunConfig and TPUEstimator --------------------------------------------------------------------
    def config(self, call: cst.Call) -> Optional[cst.BaseExpression]:
        """``tpu.RunConfig(...)`` -> ``RunConfig(...)``; its cluster resolver (None: none given)."""
        kept, resolver = [], None
        for arg in call.args:
            key = arg.keyword.value if arg.keyword is not None else None
            if key is None or arg.star:
                raise Unsupported(call, "tpu.RunConfig with arguments not mapped (pass them by name)")
            if key == "cluster":
                resolver = arg.value
            elif key == "tpu_config":
                self.out.notes.append((arg.value, CONFIG_NOTE))
                if isinstance(arg.value, cst.Name):
                    self.unbind(arg.value, ("contrib.tpu.TPUConfig", "estimator.tpu.TPUConfig"))
            elif key not in ("master", "evaluation_master"):
                kept.append(arg)
        if kept:
            kept[-1] = kept[-1].with_changes(comma=call.args[-1].comma)
        self.mapping[id(call)] = self.new(call, call.with_changes(
            func=self.expr(f"{self.tf}.estimator.RunConfig"), args=kept))
        return resolver

    def unbind(self, name: cst.Name, kinds) -> None:
        """``tpu_config = tf.contrib.tpu.TPUConfig(...)``, read by the RunConfig alone: the line goes with it."""
        uses = queries.find(self.module, cst.Name, lambda n: n.value == name.value, values=True)
        lines = [stmt for stmt in queries.find(self.module, cst.SimpleStatementLine)
                 if (queries.name_assigned(stmt) or ("",))[0] == name.value]
        if len(lines) == 1 and len(uses) == 2 and self.call_name(lines[0].body[0].value) in kinds:
            self.mapping[id(lines[0])] = []

    def estimator(self, call: cst.Call, configs) -> None:
        given = _given(call, ESTIMATOR_PARAMS, "TPUEstimator")
        for key in ("batch_axis", "embedding_config_spec"):
            if key in given and not _is_none(given[key].value):
                raise Unsupported(given[key].value, f"TPUEstimator({key}=...) is not mapped")
        sizes = {mode: given[key].value for mode, key in (("train", "train_batch_size"), ("eval", "eval_batch_size"),
                                                           ("infer", "predict_batch_size"))
                 if key in given and not _is_none(given[key].value)}
        use_tpu = given["use_tpu"].value if "use_tpu" in given else None
        resolver = self.resolver(call, given.get("config"), configs)
        model_fn = self.model_fn(given.get("model_fn"))
        # (what the model_fn reads once its CrossShardOptimizer lines are gone: `if params["use_tpu"]: ...`)
        reads = _params_read(queries.replaced(model_fn, self.mapping, self.parent)) if model_fn is not None else set()
        added = {}
        if "batch_size" in reads and sizes:  # on a TPU, each replica's share of the batch
            share = "" if _is_false(use_tpu) else f" // {self.tf}.distribute.get_strategy().num_replicas_in_sync"
            codes = {mode: self.module.code_for_node(v) + share for mode, v in sizes.items()}
            if len(set(codes.values())) == 1 and "train" in codes:
                added["batch_size"] = self.expr(codes["train"])
            else:  # each mode's: the model's method reads the one of its mode (custom.py)
                added["batch_size"] = self.expr("{" + ", ".join(f'"{m}": {c}' for m, c in codes.items()) + "}")
                self.out.per_mode.add(model_fn.name.value)
        if "use_tpu" in reads:
            added["use_tpu"] = use_tpu if use_tpu is not None else cst.Name("True")
        kept = {key: arg for key, arg in given.items() if key in ("model_fn", "model_dir", "config", "params",
                                                                   "warm_start_from")}
        if added or "params" not in kept:  # (TPUEstimator passed its model_fn a dict of params, always)
            params = self.with_params(kept["params"].value if "params" in kept else None, added)
            kept["params"] = (kept["params"].with_changes(value=params) if "params" in kept
                              else cst.Arg(params, keyword=cst.Name("params"), equal=_tf.EQUAL))
        # the first four are the Estimator's parameters at the same places; warm_start_from goes by name
        args = [arg if arg.keyword is not None or key != "warm_start_from"
                else arg.with_changes(keyword=cst.Name(key), equal=_tf.EQUAL) for key, arg in kept.items()]
        args = self.inner(args)
        if args:
            args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
        new = self.new(call, call.with_changes(func=self.expr(f"{self.tf}.estimator.Estimator"), args=args))
        self.mapping[id(call)] = new
        self.out.tpus[id(new)] = Tpu(use_tpu, sizes, resolver)
        if not _is_false(use_tpu):
            self.out.notes.append((call, STRATEGY_NOTE))

    def resolver(self, call, config: Optional[cst.Arg], configs) -> Optional[cst.BaseExpression]:
        if config is None or _is_none(config.value):
            return None
        value = config.value
        if isinstance(value, cst.Name):
            bound = [a.value for a in queries.find(self.module, cst.Assign)
                     if len(a.targets) == 1 and isinstance(a.targets[0].target, cst.Name)
                     and a.targets[0].target.value == value.value]
            value = bound[0] if len(bound) == 1 else queries.bound_before(self.parent, value)  # (one per branch)
        if isinstance(value, cst.Call) and id(value) in configs:
            resolver = configs[id(value)]
            if resolver is not None and not isinstance(resolver, (cst.Name, cst.Attribute)):
                raise Unsupported(resolver, "tpu.RunConfig(cluster=...) that is not a name: bind the resolver to one")
            if resolver is not None and self.enclosing(resolver, cst.FunctionDef) is not self.enclosing(
                    call, cst.FunctionDef) and self.enclosing(resolver, cst.FunctionDef) is not None:
                raise Unsupported(resolver, "a TPU cluster resolver made in another function than the TPUEstimator")
            return resolver
        return None

    def model_fn(self, arg: Optional[cst.Arg]) -> Optional[cst.FunctionDef]:
        if arg is None or not isinstance(arg.value, cst.Name):
            return None
        found = [s for s in self.module.body if isinstance(s, cst.FunctionDef) and s.name.value == arg.value.value]
        return found[0] if len(found) == 1 else None

    def with_params(self, params: Optional[cst.BaseExpression], added) -> cst.BaseExpression:
        entries = {key: self.module.code_for_node(value) for key, value in added.items()}
        if not added:
            return params if params is not None and not _is_none(params) else self.expr("{}")
        return self.expr(with_entries(params, entries, self.module.code_for_node))


def with_entries(params: Optional[cst.BaseExpression], entries: Dict[str, str], code) -> str:
    """``params`` (a dict, a name, or None) with ``"key": value`` entries after its own, as code: a dict written
    on one line gets them inside its braces, anything else is unpacked (``{**params, ...}``)."""
    added = ", ".join(f'"{key}": {value}' for key, value in entries.items())
    if params is None or _is_none(params):
        return f"{{{added}}}"
    if isinstance(params, cst.Dict) and "\n" not in code(params):
        inner = code(params)[1:-1].strip().rstrip(",")
        return f"{{{inner}, {added}}}" if inner else f"{{{added}}}"
    return f"{{**{code(params)}, {added}}}"


HELPER = "tpu_strategy"
HELPER_CODE = '''def tpu_strategy(resolver):
    """The TPU as a distribution strategy: connect to its cluster, initialize it, replicate over its cores."""
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)
'''


def strategy(f, tpu: Tpu, taken) -> Optional[cst.BaseExpression]:
    """The strategy whose scope builds a TPUEstimator's Keras model (None: ``use_tpu=False``); the function
    that makes a TPU's goes before the statement that builds it (once per file)."""
    if _is_false(tpu.use_tpu):
        return None
    if HELPER not in f.written:
        if HELPER in taken:
            raise Unsupported(None, f"a TPUEstimator in a file that names something {HELPER}")
        indent = f.module.default_indent
        code = HELPER_CODE.replace("tf.", f"{f.tf}.").replace("    ", indent)
        f.s.helpers_out.append(cst.parse_statement(code, config=f.module.config_for_parsing))
        f.written.add(HELPER)
    resolver = (f.s.code(tpu.resolver) if tpu.resolver is not None
                else f"{f.tf}.distribute.cluster_resolver.TPUClusterResolver()")
    code = f"{HELPER}({resolver})"
    if tpu.use_tpu is not None and not (isinstance(tpu.use_tpu, cst.Name) and tpu.use_tpu.value == "True"):
        code = f"({code} if {f.s.code(tpu.use_tpu)} else {f.tf}.distribute.get_strategy())"
    return f.s.expr(code)


def _given(call: cst.Call, names, what: str) -> Dict[str, cst.Arg]:
    """A call's arguments by parameter name; Unsupported for ``*args`` or an argument past ``names``."""
    given = {}
    for key, arg in _tf.by_parameter(call, names):
        if key is None or arg.star:
            raise Unsupported(call, f"{what} with arguments not mapped")
        given[key] = arg
    return given


def _is_false(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def _is_none(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _params_read(func: cst.FunctionDef) -> Set[str]:
    """The keys a model_fn reads of its ``params``: ``params["batch_size"]``, ``params.get("use_tpu")``."""
    names = [p.name.value for p in func.params.params]
    name = "params" if "params" in names else (names[3] if len(names) > 3 else None)
    if name is None:
        return set()
    keys = {subscript_key(node, name) for node in queries.find(func, cst.Subscript)} - {None}
    for call in queries.find(func, cst.Call, lambda c: isinstance(c.func, cst.Attribute)
                             and isinstance(c.func.value, cst.Name) and c.func.value.value == name
                             and c.func.attr.value == "get" and c.args):
        if isinstance(call.args[0].value, cst.SimpleString):
            keys.add(call.args[0].value.evaluated_value)
    return keys


def normalized(module: cst.Module, imports) -> Normalized:
    """The module with its TPUEstimator pieces as Estimator pieces; unchanged without any."""
    return _Normalizer(module, imports).run()
