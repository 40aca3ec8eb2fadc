"""Canned estimators as Keras 3 models, with TF1's defaults written out.

The TF1 (``tf.compat.v1.estimator``) canned estimators, as in TensorFlow 1.15 and
2.15 (tensorflow_estimator ``canned/linear.py``, ``dnn.py``, ``head.py``):

- linear: one weight per feature value and a bias, all from zero; the default
  optimizer, the name ``"Ftrl"``, FTRL at 0.2 (``min(0.2, 1 / sqrt(number of feature
  columns))`` is ``optimizer=None``'s rate, which is not mapped);
- DNN: ``hidden_units`` Dense layers (``activation_fn`` relu, Glorot-uniform
  kernels, zero biases, ``dropout`` while training), then the logits layer; the
  default optimizer Adagrad at 0.05;
- Baseline: one bias per output, from zero, whatever the features (the
  default optimizer FTRL at 0.3);
- DNNLinearCombined: both, their logits added, each half trained by its own
  optimizer (FTRL at ``min(0.005, 1 / sqrt(number of linear columns))``, Adagrad
  at 0.001: the combined estimator's own defaults);
- the head's training loss is summed over the batch (``losses.Reduction.SUM``,
  the v1 default; the v2 estimators average it); ``evaluate`` reports ``loss``
  (the mean of the batches' losses), ``average_loss`` (the mean per example),
  ``label/mean``, ``prediction/mean``, and ``accuracy`` for classifiers (a binary one also
  ``accuracy_baseline``, ``auc``, ``auc_precision_recall`` (TF1's trapezoids over the
  precision-recall curve: Keras's AUC interpolates), ``precision`` and ``recall``);
- ``weight_column`` (a feature's key, or its ``numeric_column``): the head weighs
  each example's loss in the sum, and each metric (``average_loss`` is the
  weighted mean).

Feature columns become Keras preprocessing layers (``features``), their values
concatenated in the columns' name order, as TF1's input layer does.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from tfmigrate.names import fresh_name, function_locals

from .._eager import queries
from .._eager.state import Unsupported
from . import added_metrics, canned_optimizers as optimizers, combiners, features, specs
from .program import Built, Facts, camel

KINDS = {"estimator.LinearRegressor", "estimator.LinearClassifier", "estimator.DNNRegressor",
         "estimator.DNNClassifier", "estimator.DNNLinearCombinedRegressor", "estimator.DNNLinearCombinedClassifier",
         "estimator.BaselineRegressor", "estimator.BaselineClassifier"}
ARGS = {  # TF 1.15's parameters in order ("regressor's|classifier's" where they differ)
    "linear": ("feature_columns", "model_dir", "label_dimension|n_classes", "weight_column",
               "optimizer|label_vocabulary", "config|optimizer", "partitioner|config", "warm_start_from|partitioner",
               "loss_reduction|warm_start_from", "sparse_combiner|loss_reduction", "sparse_combiner"),
    "dnn": ("hidden_units", "feature_columns", "model_dir", "label_dimension|n_classes", "weight_column",
            "optimizer|label_vocabulary", "activation_fn|optimizer", "dropout|activation_fn",
            "input_layer_partitioner|dropout", "config|input_layer_partitioner", "warm_start_from|config",
            "loss_reduction|warm_start_from", "batch_norm|loss_reduction", "batch_norm"),
    "combined": ("model_dir", "linear_feature_columns", "linear_optimizer", "dnn_feature_columns", "dnn_optimizer",
                 "dnn_hidden_units", "dnn_activation_fn", "dnn_dropout", "label_dimension|n_classes",
                 "weight_column", "input_layer_partitioner|label_vocabulary", "config|input_layer_partitioner",
                 "warm_start_from|config", "loss_reduction|warm_start_from", "batch_norm|loss_reduction",
                 "linear_sparse_combiner|batch_norm", "linear_sparse_combiner"),
    "baseline": ("model_dir", "label_dimension|n_classes", "weight_column", "optimizer|label_vocabulary",
                 "config|optimizer", "loss_reduction|config"),
}
UNREAD = ("partitioner", "input_layer_partitioner", "warm_start_from", "loss_reduction")  # only None is mapped
COMBINERS = tuple(f"{q}{c}{q}" for c in ("sum", "mean", "sqrtn") for q in "'\"")  # a linear model's, written out
DEFAULTS = {"batch_norm": ("False",), "sparse_combiner": COMBINERS, "linear_sparse_combiner": COMBINERS}
ACTIVATIONS = {"nn.relu": "relu", "nn.tanh": "tanh", "nn.sigmoid": "sigmoid", "nn.elu": "elu", "nn.selu": "selu",
               "nn.softplus": "softplus"}


def _given(f: Facts, item: Built, family: str, notes) -> Dict[str, cst.BaseExpression]:
    names = [n.split("|")[0 if "Regressor" in item.kind else -1] for n in ARGS[family]]
    given = {}
    for index, arg in enumerate(item.call.args):
        key = arg.keyword.value if arg.keyword is not None else (names[index] if index < len(names) else None)
        if key is None or arg.star:
            raise Unsupported(item.call, f"tf.{item.kind} with arguments not mapped")
        given[key] = arg.value
    for key, value in given.items():
        if key in ("model_dir", "config"):
            kept = specs.run_configuration(f, f"tf.{item.kind}", key, value, notes, item.call)
            if "train_distribute" in kept:
                f.strategies[id(item.call)] = kept["train_distribute"]
            if "tf_random_seed" in kept:
                f.seeds[id(item.call)] = kept["tf_random_seed"]
        elif key in UNREAD and f.s.code(value) != "None":
            raise Unsupported(value, f"tf.{item.kind}({key}=...) is not mapped")
        elif key in DEFAULTS and f.s.code(value) not in DEFAULTS[key]:
            raise Unsupported(value, f"tf.{item.kind}({key}={f.s.code(value)}) is not mapped")
        if key not in names:
            raise Unsupported(value, f"tf.{item.kind}({key}=...) is not mapped")
    return given


@dataclass
class _Part:
    """The linear or the DNN half of a canned model: its layers, how it computes its logits, its variables."""

    init: List[str]
    call: List[str]  # lines of call() computing ``net`` up to its logits layer
    logits: str  # the attribute of its logits layer
    optimizer: str
    variables: Dict[str, str]
    keys: Optional[str] = None  # the list of keys its numeric columns were appended to in a loop
    output: Optional[str] = None  # what call() returns, when it is not its logits layer applied to ``net``
    params: Dict[str, str] = field(default_factory=dict)  # __init__ parameter -> its value where the model is built


def _weight_key(f: Facts, item: Built, given) -> Optional[str]:
    """``weight_column``: the key of the feature that weighs each example (a string, or a numeric column of it)."""
    value = given.get("weight_column")
    if value is None or f.s.code(value) == "None":
        return None
    value = f.value_of(value) or value if isinstance(value, cst.Name) else value
    if f.call_name(value) == "feature_column.numeric_column" and len(value.args) == 1 and not value.args[0].star \
            and (value.args[0].keyword is None or value.args[0].keyword.value == "key"):
        value = value.args[0].value
        value = f.value_of(value) or value if isinstance(value, cst.Name) else value
    if not isinstance(value, cst.SimpleString):
        raise Unsupported(item.call, f"tf.{item.kind}(weight_column=...) that is not a feature's key or its "
                                     "numeric_column(key)")
    if f.added_metrics.get(item.name):
        raise Unsupported(item.call, f"tf.{item.kind}(weight_column=...) with add_metrics (TF1 weighed only "
                                     "its own metrics)")
    return json.dumps(value.evaluated_value)


def _units(f: Facts, given, classifier: bool) -> int:
    n = given.get("n_classes") if classifier else given.get("label_dimension")
    n = f.value_of(n) or n if isinstance(n, cst.Name) else n  # `n_classes = 10` at module level
    n_code = f.s.code(n) if n is not None else ("2" if classifier else "1")
    if not n_code.isdigit():
        raise Unsupported(n, "n_classes or label_dimension that is not an integer literal")
    return 1 if classifier and n_code == "2" else int(n_code)


def _linear(f: Facts, item: Built, given, builder, units: int, prefix: str, rate: float, logits: str) -> _Part:
    """TF1's linear model: a zero-initialised weight per feature value and a bias (FTRL by default)."""
    key = prefix + "feature_columns"
    if key not in given:
        raise Unsupported(item.call, f"tf.{item.kind} without {key}")
    combiner = given.get(prefix + "sparse_combiner")  # how the weights of an example's several ids combine
    combiner = combiner.evaluated_value if combiner else "sum"
    columns = combiners.combined(builder, builder.columns(given[key]), combiner, item.call)
    keys = columns[0].keys
    # a linear estimator's default optimizer is the name "Ftrl", at 0.2 (1 / sqrt(columns) bounds the rate of
    # optimizer=None only); the linear half of a combined model bounds its rate by it for a name too
    default = repr(rate) if not prefix else f"min({rate}, 1 / len(keys) ** 0.5)" if keys else repr(
        min(rate, 1.0 / math.sqrt(len(columns))))
    params: Dict[str, str] = {}
    optimizer = optimizers.chosen(f, item, given, prefix + "optimizer", "Ftrl", default, rate, params)
    init = [line for column in columns for line in column.init(f.tf, f.module.default_indent)]
    init.append(f'self.{logits} = {f.tf}.keras.layers.Dense({units}, kernel_initializer="zeros", name="linear_model")')
    variables, start = {}, 0
    for column in columns if not keys else ():
        variables[f"linear/linear_model/{column.name}/weights"] = f"{logits}.kernel[{start}:{start + column.width}]"
        variables.update((f"linear/linear_model/{k}", v) for k, v in column.variables.items())
        start += column.width
    variables["linear/linear_model/bias_weights"] = f"{logits}.bias"
    net = builder.concatenation(columns, f.module.default_indent, "self.keys")
    return _Part(init, [f"{'net' if logits == 'logits' else 'linear'} = {net[0]}", *net[1:]], logits, optimizer,
                 variables, keys, params=params)


def _dnn(f: Facts, item: Built, given, builder, units: int, prefix: str, rate: str, logits: str) -> _Part:
    """TF1's DNN: hidden Dense layers (relu by default, dropout while training), then the logits layer."""
    tf = f.tf
    for key in ("feature_columns", "hidden_units"):
        if prefix + key not in given:
            raise Unsupported(item.call, f"tf.{item.kind} without {prefix + key}")
    columns = builder.columns(given[prefix + "feature_columns"])
    params: Dict[str, str] = {}
    optimizer = optimizers.chosen(f, item, given, prefix + "optimizer", "Adagrad", rate, rate, params)
    variables = {}
    for column in columns:
        if column.kind == "categorical":
            raise Unsupported(given[prefix + "feature_columns"], f"a DNN over the categorical column {column.name} "
                                                                 "(TF1 takes it wrapped in indicator_column or "
                                                                 "embedding_column)")
        variables.update((f"dnn/input_from_feature_columns/input_layer/{k}", v) for k, v in column.variables.items())
    activation = given.get(prefix + "activation_fn")
    act = ACTIVATIONS.get(f.name(activation)) if activation is not None else "relu"
    if act is None:
        raise Unsupported(activation, "an activation_fn other than a tf.nn activation")
    init = [line for column in columns for line in column.init(tf, f.module.default_indent)]
    init.append(f'self.hidden = [{tf}.keras.layers.Dense(units, activation="{act}", name=f"hiddenlayer_{{i}}")')
    hidden_units = _setting(f, item, given, prefix + "hidden_units", params)
    init.append(f"               for i, units in enumerate({hidden_units})]")
    net = builder.concatenation(columns, f.module.default_indent, "self.keys")
    call = [f"net = {net[0]}", *net[1:], "for layer in self.hidden:"]
    dropout = given.get(prefix + "dropout")
    if dropout is not None and f.s.code(dropout) != "None":
        init.append(f"self.dropout = {tf}.keras.layers.Dropout({_setting(f, item, given, prefix + 'dropout', params)})")
        call.append("    net = self.dropout(layer(net), training=training)")
    else:
        call.append("    net = layer(net)")
    init.append(f'self.{logits} = {tf}.keras.layers.Dense({units}, name="logits")')
    variables["dnn/logits/kernel"] = f"{logits}.kernel"
    variables["dnn/logits/bias"] = f"{logits}.bias"
    return _Part(init, call, logits, optimizer, variables, columns[0].keys, params=params)


def _setting(f: Facts, item: Built, given, key: str, params: Dict[str, str]) -> str:
    """The code of a setting of an estimator built in a function (``hidden_units=args['hidden_units']``): as
    written when it reads only module-level names, else a parameter of the model's ``__init__`` (the model
    class is written at module level), given that value where the model is built."""
    value = given[key]
    if item.scope is None or not queries.names_in(value) & function_locals(item.scope):
        return f.s.code(value)
    params[key] = f.s.code(value)
    return key


def _free_locals(f: Facts, item: Built, statement: cst.BaseStatement) -> List[str]:
    """Names the model class reads that are locals of the function the estimator is built in (not bound at
    module level): the class, written at module level, cannot see them."""
    if item.scope is None:
        return []
    wrapper = cst.metadata.MetadataWrapper(cst.Module(body=[statement]))
    free = {access.node.value for scope in set(wrapper.resolve(cst.metadata.ScopeProvider).values())
            if scope is not None for access in scope.accesses
            if isinstance(access.node, cst.Name) and not access.referents}
    module_level = {name for stmt in f.module.body for name in queries.bound_names(stmt)} | set(f.functions)
    return sorted(free & function_locals(item.scope) - module_level)


def _baseline(f: Facts, item: Built, given, units: int) -> _Part:
    """TF1's baseline: a zero-initialised bias per output, the same for every example (FTRL at 0.3 by default)."""
    tf = f.tf
    params: Dict[str, str] = {}
    optimizer = optimizers.chosen(f, item, given, "optimizer", "Ftrl", "0.3", "0.3", params)
    init = [f'self.bias = self.add_weight(name="bias", shape=({units},), initializer="zeros")']
    call = [f"batch = {tf}.shape({tf}.nest.flatten(features)[0])[0]  # the features only give the batch size"]
    return _Part(init, call, "bias", optimizer, {"baseline/bias": "bias"},
                 output=f"self.bias * {tf}.ones([batch, {units}])", params=params)


def convert(f: Facts, item: Built, taken, notes) -> Tuple[str, str, Dict[str, str], cst.BaseStatement]:
    kind = item.kind.rsplit(".", 1)[1]
    family = ("combined" if "DNNLinearCombined" in kind else "dnn" if kind.startswith("DNN")
              else "baseline" if kind.startswith("Baseline") else "linear")
    given = _given(f, item, family, notes)
    reserved = {"hidden", "dropout", "logits", "linear_logits", "dnn_logits", "linear_optimizer", "loss_mean",
                "average_loss", "accuracy", "label_mean", "prediction_mean", "label_ids", "label_vocabulary"}
    builder = features.Builder(f, "features", lambda base: fresh_name(reserved, base))
    classifier = kind.endswith("Classifier")
    units = _units(f, given, classifier)
    if family == "linear":
        parts = [_linear(f, item, given, builder, units, "", 0.2, "logits")]
    elif family == "baseline":
        parts = [_baseline(f, item, given, units)]
    elif family == "dnn":
        parts = [_dnn(f, item, given, builder, units, "", "0.05", "logits")]
    else:  # TF1's defaults for the two halves differ from the single estimators'
        parts = [_dnn(f, item, given, builder, units, "dnn_", "0.001", "dnn_logits"),
                 _linear(f, item, given, builder, units, "linear_", 0.005, "linear_logits")]
    keys = [part.keys for part in parts if part.keys]
    if len(parts) == 2 and keys:
        raise Unsupported(item.call, f"tf.{item.kind} over feature columns appended in a loop")
    cls = fresh_name(taken, kind if kind not in taken else camel(item.name) + kind)  # named after its variable
    variables = {k: v for part in parts for k, v in part.variables.items()}
    vocabulary = given.get("label_vocabulary")  # string labels: TF1 read them as their index in this list
    vocabulary = None if vocabulary is None or f.s.code(vocabulary) == "None" else f.s.code(vocabulary)
    settings = {key: code for part in parts for key, code in part.params.items()}
    added = added_metrics.for_class(f, item.name, classifier, units, lambda base: fresh_name(reserved, base))
    weight = _weight_key(f, item, given)
    text = _class_text(f, cls, kind, parts, classifier, units, vocabulary is not None, list(settings), added, weight,
                       combiners.methods(builder))
    statement = cst.parse_statement(text, config=f.module.config_for_parsing)
    local = _free_locals(f, item, statement)
    if local:
        raise Unsupported(item.call, f"tf.{item.kind} configured with {local[0]}, a local of "
                                     f"{item.scope.name.value} (its Keras model is a class at module level)")
    args = [*keys[:1], *([f"label_vocabulary={vocabulary}"] if vocabulary else []),
            *(f"{key}={code}" for key, code in settings.items())]
    return cls, f"{cls}({', '.join(args)})", variables, statement


def _class_text(f, cls, kind, parts: List[_Part], classifier, units, vocabulary: bool, settings=(),
                added=((), ()), weight: Optional[str] = None, methods: Sequence[str] = ()) -> str:
    tf = f.tf
    init = features.once(line for part in parts for line in part.init)  # a column's layers once
    if len(parts) == 2:
        init.append(f"self.linear_optimizer = {parts[1].optimizer}")
    if not classifier:
        losses = f"tf.square(logits - labels)"
        prepare = f"labels = {tf}.reshape({tf}.cast(labels, {tf}.float32), (-1, {units}))"
        predict = 'return {"predictions": logits}'
        metrics = [("label/mean", "label_mean", "labels"), ("prediction/mean", "prediction_mean", "logits")]
    elif units == 1:
        losses = f"tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)"
        prepare = f"labels = {tf}.reshape({tf}.cast(labels, {tf}.float32), (-1, 1))"
        predict = _CLASSES.format(ids="tf.cast(logits > 0, tf.int64)", units=2, first=(
            '"logits": logits, "logistic": tf.sigmoid(logits),\n'
            '                "probabilities": tf.concat([1 - tf.sigmoid(logits), tf.sigmoid(logits)], axis=1),'))
        metrics = [("accuracy", "accuracy", "labels, predicted"), ("auc", "auc", "labels, probabilities"),
                   ("auc_precision_recall", "auc_precision_recall", "labels, probabilities"),
                   ("label/mean", "label_mean", "labels"), ("precision", "precision", "labels, predicted"),
                   ("prediction/mean", "prediction_mean", "probabilities"), ("recall", "recall", "labels, predicted")]
    else:
        losses = f"tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)[:, None]"
        prepare = f"labels = {tf}.reshape({tf}.cast(labels, {tf}.int64), (-1,))"
        predict = _CLASSES.format(ids="tf.argmax(logits, axis=1)[:, None]", units=units,
                                  first='"logits": logits, "probabilities": tf.nn.softmax(logits),')
        metrics = [("accuracy", "accuracy", "labels, tf.argmax(logits, axis=1)")]
    if weight is not None:  # TF1's head weighed the loss and each of its metrics by the example's weight
        prepare += f"\n        weights = {tf}.reshape({tf}.cast(features[{weight}], {tf}.float32), (-1, 1))"
        sample = "weights[:, 0]" if classifier and units > 1 else "weights"  # (a class per example there)
        metrics = [(key, attribute, f"{values}, sample_weight={sample}") for key, attribute, values in metrics]
    params = ["self", *(["keys"] if parts[0].keys else []), *(["label_vocabulary"] if vocabulary else []),
              *settings]
    lines = [
        f"class {cls}({tf}.keras.Model):",
        f'    """The canned Estimator {kind} as a Keras 3 model, TF1\'s defaults written out: the training loss is',
        '    summed over the batch (TF1\'s losses.Reduction.SUM); evaluate reports the mean of the batch',
        '    losses (loss) and of the example losses (average_loss)' + (
            f'; each example\'s loss and metrics are\n    weighted by features[{weight}], TF1\'s weight_column."""'
            if weight else '."""'),
        "",
        f"    def __init__({', '.join(params)}):",
        "        super().__init__()",
        *(["        self.keys = sorted(keys)  # the numeric features' keys, in TF1's order"] if parts[0].keys else []),
        *(["        self.label_vocabulary = list(label_vocabulary)  # the labels are strings: their index is the class",
           f"        self.label_ids = {tf}.keras.layers.StringLookup(vocabulary=self.label_vocabulary, "
           "num_oov_indices=0)"] if vocabulary else []),
        *[f"        {line}" for line in init],
        f'        self.loss_mean = {tf}.keras.metrics.Mean(name="loss")',
        f'        self.average_loss = {tf}.keras.metrics.Mean(name="average_loss")',
    ]
    if classifier:
        lines.append(f'        self.accuracy = {tf}.keras.metrics.Accuracy(name="accuracy")')
    if classifier and units == 1:  # TF1's binary head: areas under 200 thresholds, as Keras has them
        lines.append(f'        self.auc = {tf}.keras.metrics.AUC(curve="ROC", name="auc")')
        lines.append(f'        self.auc_precision_recall = {tf}.keras.metrics.AUC(curve="PR", name="auc_precision_recall")')
        lines.append(f'        self.precision = {tf}.keras.metrics.Precision(name="precision")')
        lines.append(f'        self.recall = {tf}.keras.metrics.Recall(name="recall")')
    if not classifier or units == 1:
        lines.append(f'        self.label_mean = {tf}.keras.metrics.Mean(name="label/mean")')
        lines.append(f'        self.prediction_mean = {tf}.keras.metrics.Mean(name="prediction/mean")')
    lines += [f"        {line}" for line in added[0]]  # add_metrics's (added_metrics.py)
    metrics = [*metrics, *added[1]]
    lines += [
        f"        self.compile(optimizer={parts[0].optimizer})",
        "",
        "    def call(self, features, training=False):",
        *[f"        {line}" for part in parts for line in part.call],
        "        return " + (parts[0].output or f"self.{parts[0].logits}(net)" if len(parts) == 1
                            else f"self.{parts[0].logits}(net) + self.{parts[1].logits}(linear)"),
        "",
        *[f"    {line}".rstrip() for method in methods for line in [*method.split("\n"), ""]],
        "",
    ]
    if vocabulary:  # class ids from the string labels, and the strings back in the predictions
        prepare = prepare.replace(f"{tf}.cast(labels,", f"{tf}.cast(self.label_ids(labels),")
        predict = predict.replace('tf.strings.as_string(class_ids)', "tf.gather(self.label_vocabulary, class_ids)")
        predict = predict.replace('tf.strings.as_string(all_class_ids)',
                                  "tf.gather(self.label_vocabulary, all_class_ids)")
    text = "\n".join(lines)
    return _finish(f, text, tf, prepare, losses, predict, metrics, len(parts) == 2, classifier and units == 1,
                   weight is not None)


_APPLY_ONE = """\
        variables = self.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
"""

_APPLY_TWO = """\
        linear = self.linear_logits.trainable_variables  # each half has its own optimizer, as in TF1
        dnn = [v for v in self.trainable_variables if all(v is not w for w in linear)]
        dnn_gradients, linear_gradients = tape.gradient(loss, (dnn, linear))
        self.optimizer.apply_gradients(zip(dnn_gradients, dnn))
        self.linear_optimizer.apply_gradients(zip(linear_gradients, linear))
"""
# An Embedding's gradient holds a row per id read, repeated ids too: TF1's optimizers summed the repeats
# before their update, Keras 3's apply each in turn (Adagrad and Adam then square them one by one).
SUMMED = "        # an embedding's gradient summed over the ids repeated in the batch, as TF1's optimizers did\n"
_DENSE = "[tf.convert_to_tensor(gradient) for gradient in {}]"


def apply_code(combined: bool, embedded: bool, tf: str = "tf") -> str:
    """The lines of a train step that apply the gradients (the DNN half's summed where it embeds ids)."""
    if not embedded:
        return _APPLY_TWO if combined else _APPLY_ONE
    dense = _DENSE.replace("tf.", f"{tf}.")
    if combined:
        return _APPLY_TWO.replace("        self.optimizer.apply_gradients(zip(dnn_gradients, dnn))\n",
                                  SUMMED + f"        dnn_gradients = {dense.format('dnn_gradients')}\n"
                                  "        self.optimizer.apply_gradients(zip(dnn_gradients, dnn))\n")
    return ("        variables = self.trainable_variables\n" + SUMMED
            + f"        gradients = {dense.format('tape.gradient(loss, variables)')}\n"
            "        self.optimizer.apply_gradients(zip(gradients, variables))\n")


# A classifier's predictions, with TF1's keys in TF1's order (classes: the class ids as strings).
_CLASSES = """class_ids = {ids}
        all_class_ids = tf.tile(tf.range({units})[None], [tf.shape(logits)[0], 1])
        return {{{first}
                "class_ids": class_ids, "classes": tf.strings.as_string(class_ids),
                "all_class_ids": all_class_ids, "all_classes": tf.strings.as_string(all_class_ids)}}"""


# TF1's head summed its precision-recall curve by trapezoids (tf.metrics.auc's default), Keras's AUC interpolates.
_TRAPEZOIDAL = '''
    @staticmethod
    def trapezoidal_auc(metric):
        """TF1's area under the precision-recall curve: trapezoids over the AUC metric's thresholds."""
        recall = (metric.true_positives + 1e-6) / (metric.true_positives + metric.false_negatives + 1e-6)
        precision = (metric.true_positives + 1e-6) / (metric.true_positives + metric.false_positives + 1e-6)
        return tf.reduce_sum((recall[:-1] - recall[1:]) * (precision[:-1] + precision[1:]) / 2.0)
'''


# Why the loss of a batch is counted once the batch is read.
_AFTER_THE_BATCH = "once the batch is read (Keras reads past the end of the data)"


def _finish(f, text, tf, prepare, losses, predict, metrics, combined, binary, weighted=False) -> str:
    head = text
    losses = losses.replace("tf.", f"{tf}.")
    weighed, example = ("weights * ", ", sample_weight=weights") if weighted else ("", "")
    predict = predict.replace("tf.", f"{tf}.")
    updates = "".join(f"        self.{attribute}.update_state({values})\n" for _, attribute, values in metrics)
    if binary:  # the class and the probability the binary head's metrics read
        updates = ("        predicted = tf.cast(logits > 0, tf.float32)\n"
                   "        probabilities = tf.sigmoid(logits)\n") + updates
    results = [("loss", "self.loss_mean.result()"), ("average_loss", "self.average_loss.result()"),
               *((key, f"self.{attribute}.result()" if key != "auc_precision_recall" else
                  f"self.trapezoidal_auc(self.{attribute})") for key, attribute, _ in metrics)]
    if binary:  # TF1's binary head also reports the accuracy of always predicting the more frequent label
        results.append(("accuracy_baseline", "tf.maximum(self.label_mean.result(), 1 - self.label_mean.result())"))
    updates = updates.replace("tf.", f"{tf}.")
    returned = "".join(f'            "{key}": {value.replace("tf.", f"{tf}.")},\n' for key, value in results)
    body = f'''    def train_step(self, data):
        features, labels = data
        {prepare}
        with {tf}.GradientTape() as tape:
            logits = self(features, training=True)
            loss = {tf}.reduce_sum({weighed}{losses})
{apply_code(combined, ".layers.Embedding(" in text, tf)}        return {{"loss": loss}}

    def test_step(self, data):
        features, labels = data
        {prepare}
        logits = self(features)
        losses = {losses}
        with {tf}.control_dependencies([losses]):  # {_AFTER_THE_BATCH}
            self.loss_mean.update_state({tf}.reduce_sum({weighed}losses))
        self.average_loss.update_state(losses{example})
{updates}        return {{
{returned}        }}

    def predict_step(self, data):
        logits = self(data[0] if isinstance(data, tuple) else data)
        {predict}

    def predictions(self, dataset):
        """Estimator.predict: an iterator over the predictions of each example."""
        outputs = self.predict(dataset, verbose=0)
        return iter([dict(zip(outputs, values)) for values in zip(*outputs.values())])
''' + (_TRAPEZOIDAL.replace("tf.", f"{tf}.") if binary else "")
    text = head + body
    indent = f.module.default_indent
    return text.replace("    ", indent) if indent != "    " else text

