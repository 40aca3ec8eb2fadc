"""``tf.nn.ctc_loss`` called with TF1's parameters, which TensorFlow 2's namesake does not take (TFM125)."""
from __future__ import annotations

import libcst as cst

from tfmigrate.rule import Applicability, Invalid

from . import _tf
from .renames import _TFNames

# TF1's parameters, in order
_TF1 = ("labels", "inputs", "sequence_length", "preprocess_collapse_repeated", "ctc_merge_repeated",
        "ignore_longer_outputs_than_inputs", "time_major", "logits")
# TF1 settings TensorFlow 2's CTC loss has no counterpart for, and the value that needs none
_DEFAULTS = {"preprocess_collapse_repeated": "False", "ctc_merge_repeated": "True",
             "ignore_longer_outputs_than_inputs": "False"}
_TF2_ONLY = {"label_length", "logit_length", "logits_time_major", "unique", "blank_index"}


class CTCLossArguments(_TFNames):
    """`tf.nn.ctc_loss(labels, inputs, sequence_length)`: TF1's CTC loss.

    What it finds: `tf.nn.ctc_loss` called with TF1's parameters (sparse
    `labels`, `inputs`, `sequence_length`, `time_major`). TensorFlow 2's
    function of the same name takes `(labels, logits, label_length,
    logit_length, logits_time_major, unique, blank_index)`: the call raises
    (a missing argument), or binds the sequence lengths to `label_length`.

    Fix (safe): TensorFlow 2's keywords, with `label_length=None` (the labels
    are sparse) and `blank_index=-1`, the last class, which TF1 took as the
    blank: the same loss (`tf.nn.ctc_loss(labels=labels, logits=inputs,
    label_length=None, logit_length=sequence_length, blank_index=-1)`).

    Known limits: `preprocess_collapse_repeated=True`,
    `ctc_merge_repeated=False` or `ignore_longer_outputs_than_inputs=True`
    have no TensorFlow 2 counterpart: reported, not rewritten.
    """

    code = "TFM125"
    name = "ctc-loss-arguments"
    fix_applicability = Applicability.SAFE
    VALID = ["import tensorflow as tf\nloss = tf.nn.ctc_loss(labels, logits, None, lengths, blank_index=-1)\n",
             "import tensorflow as tf\nloss = tf.nn.ctc_loss(labels=y, logits=x, label_length=None, logit_length=n)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nloss = tf.nn.ctc_loss(y, x, n)\n",
                "import tensorflow as tf\n"
                "loss = tf.nn.ctc_loss(labels=y, logits=x, label_length=None, logit_length=n, blank_index=-1)\n",
                unsafe=False),
        Invalid("import tensorflow as tf\nloss = tf.nn.ctc_loss(y, x, n, time_major=False)\n",
                "import tensorflow as tf\nloss = tf.nn.ctc_loss(labels=y, logits=x, label_length=None, "
                "logit_length=n, logits_time_major=False, blank_index=-1)\n", unsafe=False),
        Invalid("import tensorflow as tf\nloss = tf.nn.ctc_loss(y, x, n, ctc_merge_repeated=False)\n"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if not _tf.may_call(node, ("ctc_loss",)) or _tf.call_name(self, node) != "nn.ctc_loss" or self.compat_file(
                node.func):
            return
        bound = _tf.by_parameter(node, _TF1)
        keys = [key for key, _ in bound]
        if None in keys or len(set(keys)) != len(keys) or set(keys) & _TF2_ONLY or len(
                [a for a in node.args if a.keyword is None]) > 3 or "sequence_length" not in keys or not (
                {"inputs", "logits"} & set(keys)):
            return  # TensorFlow 2's call, or one this rule cannot read
        message = "`tf.nn.ctc_loss` with TF1's parameters: TensorFlow 2's takes (labels, logits, label_length, " \
                  "logit_length)"
        code = {key: self.context.code_for(arg.value) for key, arg in bound}
        if any(key in _DEFAULTS and code[key] != _DEFAULTS[key] for key in code):
            self.report(node, message + "; a TF1 setting it has no counterpart for is passed", fixable=False)
            return
        parts = [f"labels={code['labels']}", f"logits={code.get('inputs', code.get('logits'))}", "label_length=None",
                 f"logit_length={code['sequence_length']}"]
        if "time_major" in code:
            parts.append(f"logits_time_major={code['time_major']}")
        parts.append("blank_index=-1")
        new = cst.parse_expression(f"{self.context.code_for(node.func)}({', '.join(parts)})")
        self.report(node, message + ": TF2's keywords, the last class as the blank (TF1's)", replacement=new)
