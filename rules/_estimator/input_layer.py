"""``tf.feature_column.input_layer(features, columns)`` in a model_fn: the columns' values, computed by Keras
layers the model makes in ``__init__`` (``features.Builder``), from the columns the Estimator's ``params``
hold or the model_fn names."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Set

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported
from . import column_lists, combiners
from .features import Builder, once
from .program import Facts, arguments, string_key, subscript_key


@dataclass
class InputLayer:
    """What ``tf.feature_column.input_layer`` in a model_fn became."""

    value: cst.BaseExpression
    init: List[str]  # lines of __init__
    variables: Dict[str, str]
    params_key: Optional[str]  # the params entry it read its columns from
    methods: List[str]  # methods of the model the value calls (their code, at class level)


def input_layer(f: Facts, call: cst.Call, params: str, params_value: Optional[cst.BaseExpression], local: Set[str],
                attribute: Callable[[str], str]) -> InputLayer:
    """``tf.feature_column.input_layer(features, columns)`` in a model_fn whose parameter ``params`` is the
    Estimator's ``params_value``: the columns' values, from Keras layers built in __init__."""
    given = arguments(call, ("features", "feature_columns"), "tf.feature_column.input_layer with arguments not mapped")
    features, value = given.get("features"), given.get("feature_columns")
    if not isinstance(features, cst.Name) or value is None:
        raise Unsupported(call, "tf.feature_column.input_layer of something other than the model_fn's features")
    key = subscript_key(value, params)
    if key is not None:
        value = _dict_value(f, params_value, key)
        if value is None:
            raise Unsupported(call, f"feature columns read from {params}[{key!r}], which the Estimator's params do "
                                    "not hold as a literal dict entry")
    elif queries.names_in(value) & local and not (
            isinstance(value, cst.Name) and column_lists.returned(f, f.value_of(value)) is not None):
        raise Unsupported(call, "feature columns the model_fn computes")  # not `list(get_feature_columns().values())`
    builder = Builder(f, features.value, attribute)
    columns = builder.columns(value)
    indent = f.module.default_indent
    init = once(line for column in columns for line in column.init(f.tf, indent))
    variables = {f"input_layer/{k}": v for column in columns for k, v in column.variables.items()}
    keys = ""
    if columns[0].keys is not None:  # the list holds the keys now: the params entry stays
        keys = f"sorted({params}[{json.dumps(key)}])" if key is not None else f"sorted({columns[0].keys})"
        key = None
    # continuation lines of a parsed expression are relative to the indentation of the block it goes in
    return InputLayer(f.s.expr("\n".join(builder.concatenation(columns, indent, keys))), init, variables, key,
                      combiners.methods(builder))


def _dict_value(f: Facts, value: Optional[cst.BaseExpression], key: str) -> Optional[cst.BaseExpression]:
    """``value[key]`` when value is a dict literal (or a name bound once to one) with that string key."""
    literal = value if isinstance(value, cst.Dict) else f.value_of(value)
    if not isinstance(literal, cst.Dict):
        return None
    return next((element.value for element in literal.elements if string_key(element) == key), None)
