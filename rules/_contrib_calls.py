"""`tf.contrib.layers`' initializers and regularizers (and TF1's core `tf.variance_scaling_initializer`)
written as the Keras initializer or regularizer of the same computation, contrib's defaults written out."""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import libcst as cst

from tfmigrate.rule import Context

from . import _tf

# contrib initializer / regularizer -> (the Keras class, the contrib parameters in order)
CALLS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "contrib.layers.xavier_initializer": ("keras.initializers.GlorotUniform", ("uniform", "seed", "dtype")),
    "contrib.layers.xavier_initializer_conv2d": ("keras.initializers.GlorotUniform", ("uniform", "seed", "dtype")),
    "contrib.layers.variance_scaling_initializer": ("keras.initializers.VarianceScaling", (
        "factor", "mode", "uniform", "seed", "dtype")),
    "contrib.layers.l1_regularizer": ("keras.regularizers.L1", ("scale", "scope")),
    "contrib.layers.l2_regularizer": ("keras.regularizers.L2", ("scale", "scope")),
    "contrib.layers.l1_l2_regularizer": ("keras.regularizers.L1L2", ("scale_l1", "scale_l2", "scope")),
}
# TF1's core variance_scaling_initializer: only tf.compat.v1 has it, Keras has the same initializer
CORE = "variance_scaling_initializer"
CORE_PARAMETERS = ("scale", "mode", "distribution", "seed", "dtype")
_FLOAT32 = ("tensorflow.float32", "tensorflow.dtypes.float32", "tensorflow.compat.v1.float32")
_ATOMS = (cst.Name, cst.Attribute, cst.Integer, cst.Float, cst.Call, cst.Subscript)


def _literal(node: cst.BaseExpression) -> Optional[str]:
    """The value of a string, True/False literal, as Python source; None otherwise."""
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value if isinstance(node.evaluated_value, str) else None
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value
    return None


def _zero(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Integer, cst.Float)) and float(node.value.replace("_", "")) == 0.0


def _half(code: str, node: cst.BaseExpression) -> str:
    return f"{code} / 2" if isinstance(node, _ATOMS) else f"({code}) / 2"


def call_code(context: Context, call: cst.Call, name: str, prefix: str) -> Tuple[Optional[str], str]:
    """(the TensorFlow 2 code of a contrib initializer or regularizer call, its message), or (None, why not)."""
    keras, parameters = (("keras.initializers.VarianceScaling", CORE_PARAMETERS) if name == CORE else CALLS[name])
    args = _tf.by_parameter(call, parameters)
    given = {key: arg.value for key, arg in args}
    if None in given or len(given) != len(args):
        return None, "its arguments (*args, **kwargs or more than it takes) are not the ones it documents"
    dtype = given.pop("dtype", None)
    if dtype is not None and context.imports.qualify(dtype) not in _FLOAT32 and _literal(dtype) != "float32":
        return None, "dtype= other than float32: a Keras initializer takes the dtype when it is called"
    given.pop("scope", None)  # the name scope of the regularizer's ops
    code = {key: context.code_for(value) for key, value in given.items()}
    new, kwargs, note = f"{prefix}.{keras}", [], ""
    if "seed" in code:
        note = "; the random draws are Keras's, not TF1's"
    if name.startswith("contrib.layers.xavier"):
        uniform = _literal(given["uniform"]) if "uniform" in given else "True"
        if uniform not in ("True", "False"):
            return None, "uniform= is not a literal True or False"
        if uniform == "False":
            new = f"{prefix}.keras.initializers.GlorotNormal"
            note += ("; TF1 drew from a normal truncated at two deviations with variance 1.3 * 2 / (fan_in + fan_out), "
                     "Keras's differs by 0.6%")
        kwargs = [f"seed={code['seed']}"] if "seed" in code else []
    elif name == CORE:
        distribution = _literal(given["distribution"]) if "distribution" in given else "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform", "normal"):
            return None, "distribution= is not a literal: TF1's \"normal\" is Keras's \"truncated_normal\""
        kwargs = [f"{key}={code[key]}" for key in ("scale", "mode") if key in code]
        if "distribution" in code:
            kwargs.append('distribution="truncated_normal"' if distribution == "normal" else
                          f"distribution={code['distribution']}")
        kwargs += [f"seed={code['seed']}"] if "seed" in code else []
    elif keras.endswith("VarianceScaling"):
        mode = _literal(given["mode"]) if "mode" in given else "FAN_IN"
        uniform = _literal(given["uniform"]) if "uniform" in given else "False"
        if mode is None or mode.upper() not in ("FAN_IN", "FAN_OUT", "FAN_AVG") or uniform not in ("True", "False"):
            return None, "mode= or uniform= is not a literal"
        kwargs = [f"scale={code.get('factor', '2.0')}", f'mode="{mode.lower()}"',
                  f'distribution="{"uniform" if uniform == "True" else "truncated_normal"}"']
        kwargs += [f"seed={code['seed']}"] if "seed" in code else []
        if uniform == "False":
            note += "; TF1's truncated normal had variance 1.3 * factor / fan, Keras's differs by 0.6%"
    else:
        scales = [key for key in parameters if key.startswith("scale")]
        if any(key in given and _zero(given[key]) for key in scales):
            return None, "a scale of 0: contrib's regularizer then returned no loss at all"
        if name.endswith("l1_l2_regularizer"):
            kwargs = [f"l1={code.get('scale_l1', '1.0')}", "l2=" + (
                _half(code["scale_l2"], given["scale_l2"]) if "scale_l2" in given else "0.5")]
            note = ": contrib's l2 term was scale_l2 * sum(w ** 2) / 2, Keras's is l2 * sum(w ** 2)"
        elif "scale" not in given:
            return None, "no scale given"
        elif name.endswith("l2_regularizer"):
            kwargs = [_half(code["scale"], given["scale"])]
            note = ": contrib's was scale * sum(w ** 2) / 2, Keras's is l2 * sum(w ** 2)"
        else:
            kwargs = [code["scale"]]
    shown = new.split(".", 1)[1] if "." in new else new
    return f"{new}({', '.join(kwargs)})", f"`tf.{name}` is `tf.{shown}` in TensorFlow 2{note}"
