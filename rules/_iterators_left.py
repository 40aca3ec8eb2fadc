"""A TF1 iterator the graph rewrite leaves: the file is compat-only, and `check` says so before `fix` does.

The queue rewrite (``_eager/queues.py``) reads a pipeline as the tf.data dataset of a one-shot iterator,
``ds.make_one_shot_iterator().get_next()``, which the iterator rewrite turns into Python iteration where
the file's runs read it. In a function that returns the next batch to code the file does not call (a
library's ``create_input_pipeline``), it stays: TensorFlow 2's datasets have no such method, the next pass
writes ``tf.compat.v1.data.make_one_shot_iterator`` (TFM305), and the file is compat-only.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from . import _tf

MESSAGE = ("kept on tensorflow.compat.v1: a function returns the next element of its input pipeline to code this "
           "file does not call (TF1's queues or iterator gave the next batch at each run): the rewrite reads the "
           "tf.data pipeline through a TF1 iterator, tf.compat.v1.data.make_one_shot_iterator; in TensorFlow 2 its "
           "callers would iterate over the dataset itself")
_ENDS = frozenset({"train.batch", "train.shuffle_batch", "train.batch_join", "train.shuffle_batch_join"})
_METHODS = ("make_one_shot_iterator", "make_initializable_iterator")


def found(rule, module: cst.Module, eager: Optional[cst.Module]) -> Optional[cst.CSTNode]:
    """Where the original's pipeline ends (its first batch call, else its first statement) when the
    rewrite ``eager`` makes a TF1 iterator the original did not; else None (an iterator the program
    made itself is TFM305's)."""
    from ._eager import queries

    text = rule.context.text or module.code
    if eager is None or any(method in text for method in _METHODS) or not any(
            word in text for word in ("batch(", "input_producer(", "Reader(")):  # no queue pipeline
        return None
    if not queries.find(eager, cst.Call, lambda c: isinstance(c.func, cst.Attribute) and not c.args
                        and c.func.attr.value in _METHODS, first=True):
        return None
    ends = queries.find(module, cst.Call, lambda c: _tf.call_name(rule, c) in _ENDS, first=True)
    return ends[0] if ends else (module.body[0] if module.body else module)
