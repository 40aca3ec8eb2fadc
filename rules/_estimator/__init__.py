"""tf.estimator to Keras 3: rewrite an Estimator program into Keras models.

TensorFlow 2.16 removed ``tf.estimator``. A program built on it becomes:

- a custom ``model_fn(features, labels, mode, params)``: a ``tf.keras.Model``
  subclass whose method of the same name is the model_fn's code (the layers,
  variables, metrics and optimizer it made are built once in ``__init__``),
  run by ``train_step`` / ``test_step`` / ``predict_step`` in the mode each needs;
- a canned estimator (``LinearRegressor``, ``DNNClassifier``, ...): a Keras
  model with the canned defaults written out (initializers, optimizer and its
  learning rate, the head's loss summed over the batch as TF1 did);
- ``numpy_input_fn``: a ``tf.data`` pipeline; input functions stay as written, except
  that one returning an iterator's ``get_next()`` returns the dataset itself;
- ``est.train(input_fn, steps=N)`` ``fit(..., epochs=1, steps_per_epoch=N)``
  (N optimizer steps, fewer when the data ends), ``max_steps`` the steps left to
  it, ``evaluate`` a dict with ``loss`` and ``global_step``, ``predict`` one dict
  per example, ``get_variable_value`` the variable itself.

The same three stages as the graph rewrite: ``program.analyse`` finds the
Estimator pieces, ``interpret`` (``model_fn`` with its helpers ``modes``, ``loops``,
``keras_layers``, ``train_ops`` and ``metrics``; ``canned`` with ``features``; ``driver``
and ``specs``) decides what each becomes or raises ``Unsupported``, ``emit`` writes the
module (``custom`` a model_fn's class) and ``columns`` drops what only the estimators read.
Before them, ``experiments`` reads contrib.learn's ``learn_runner.run`` of an Experiment as the
``train_and_evaluate`` it ran, and ``tpu`` a TPUEstimator program as the Estimator program it is.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

# The rewrite's modules (and the graph rewrite they build on) are imported by the first file
# that uses tf.estimator: a check of any other file never loads them.
__all__ = ["to_keras", "uses_estimator"]


def uses_estimator(context) -> bool:
    """Does the file use tf.estimator (or numpy_input_fn)? Cached per file."""
    cached = context.shared.get("uses-estimator")
    if cached is None:
        text = context.text
        cached = text is None or "estimator" in text or "Estimator" in text or "ModelFnOps" in text
        if cached:
            from . import program

            cached = program.uses_estimator(context.module, context.imports)
        context.shared["uses-estimator"] = cached
    return cached


def to_keras(module: cst.Module, imports, text: Optional[str] = None,
             moved=frozenset()) -> Tuple[cst.Module, List[Tuple[cst.CSTNode, str]]]:
    """The Keras 3 rewrite of an Estimator program, and notes; raises Unsupported."""
    from .._eager import audit
    from .._eager.program import analyse as analyse_graph
    from .._eager.state import Unsupported
    from . import emit, experiments, learn_estimators, program, tpu

    module, origin = experiments.normalized(module, imports, text)  # learn_runner.run: train_and_evaluate
    module, learned = learn_estimators.normalized(module, imports, text)  # contrib.learn.Estimator: tf.estimator's
    origin.update(learned)
    normalized = tpu.normalized(module, imports)  # a TPUEstimator program as the Estimator program it is
    normalized.origin.update(origin)
    try:
        facts = program.analyse(normalized.module, imports, text, frozenset(moved))
        facts.tpus, facts.per_mode, facts.notes[:0] = normalized.tpus, normalized.per_mode, normalized.notes
        new, notes = emit.rewrite(facts)
    except Unsupported as problem:
        if problem.node is not None and id(problem.node) in normalized.origin:
            problem.node = normalized.origin[id(problem.node)]  # where the finding reports it
        raise
    audit.check(new, analyse_graph(module, imports, text, frozenset(moved)))
    return new, notes
