"""Graph to eager: rewrite a TensorFlow 1 graph program into idiomatic TF2.

The program is read statement by statement, in order, as TF1 builds its graph:

- a placeholder becomes a parameter of the functions that use it, with its
  dtype and shape kept in their ``tf.TensorSpec`` input signature;
- a tensor computed from placeholders, variables or other tensors becomes a
  function computing it (a variable may change between two runs);
- ``opt.minimize(loss)`` becomes a ``tf.function`` train step with
  ``tf.GradientTape`` and ``apply_gradients``, returning the loss;
- sessions and variable initializers disappear: the body runs eagerly;
- ``sess.run(fetches, feed_dict=...)`` calls the functions with the fed
  values and takes ``.numpy()`` of what they return.

Three stages, each passing data to the next:

1. ``program.analyse``: facts about the whole program (``Program``), read-only.
2. ``interpret.plan``: walks the blocks with a binding table (name -> what
   it is bound to now, ``bindings.py``) and asks the handler of each TF1 concept
   what a statement becomes; the result is a plan (``plan.py``). Handlers, one
   module per concept: ``feeds`` (placeholders and feeds), ``tensors`` (tensors
   as functions), ``training`` (optimizers, train ops, decays), ``fetches``
   (runs), ``sessions`` (sessions, graphs, initializers), ``summaries``,
   ``checkpoints``, ``layers``, ``batch_norm`` (its layers and UPDATE_OPS,
   checked against the runs); ``statements`` routes each simple statement to
   them. Anything outside what they understand raises ``Unsupported`` with the
   reason: the caller then keeps the program on ``tensorflow.compat.v1``.
3. ``plan.emit``: the plan as a module (comments, blank lines, ``pass``); it
   makes no decision and cannot fail.

A script of several graph programs, ``tf.reset_default_graph()`` between them, is rewritten
one section after the other (``sections.py``).

Last, ``audit.check`` refuses a rewrite that would keep a TensorFlow name
TensorFlow 2 does not have (in code kept as written).

Shared: the TF1 vocabulary (``rules/_vocab.py``) and the tree queries (``queries.py``).
"""
from __future__ import annotations

from typing import FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.traverse import Visitor, walk

from .. import _tf
from . import audit, functions, input_functions, interpret, model_class, queues, sections, seeds, variable_renames
from .plan import emit
from .program import analyse
from .state import Rewrite, Unsupported

__all__ = ["Unsupported", "to_eager", "tf_names"]


def to_eager(module: cst.Module, imports, text: Optional[str] = None, moved=frozenset(),
             audited: bool = True, whole: Optional[cst.Module] = None, renaming: bool = True,
             staged: bool = False) -> Tuple[cst.Module, List[Tuple[cst.CSTNode, str]], FrozenSet[int]]:
    """The eager rewrite of ``module``, notes on numerics, and the ids of the calls and names of test
    code it keeps as written (it runs eagerly as it is); raises Unsupported.

    ``moved``: TF1 names other rules rewrite into TF2 code of their own (they may stay). ``audited``:
    False for a part of a module (a model class's program), audited with the module it goes into.
    ``whole``: the module a section of a script comes from (the names the rewrite must not take).
    ``renaming``: False once variables bound again under one name are renamed (variable_renames.py).
    ``staged``: the module is the stages' output already (input_functions.staged)."""
    if renaming and whole is None and audited:
        piped = input_functions.staged(module, imports) if not staged else None
        if piped is not None:  # queue pipelines and input functions, read as tf.data datasets first
            return _from_datasets(module, imports, text, moved, *piped)
        renames = variable_renames.find(module, imports)
        if renames:  # variables whose Python name is bound again, renamed after their TF1 names first
            new_module = variable_renames.renamed(module, renames)
            try:
                new, notes, kept = to_eager(new_module, imports, text, moved, audited, whole=None, renaming=False)
            except Unsupported:
                pass  # the program as written says why
            else:
                back = variable_renames.originals(module, new_module)
                return (new, [(back.get(id(node), node), note) for node, note in notes],
                        frozenset(id(back[i]) for i in kept if i in back))
    program = analyse(module, imports, text, frozenset(moved), whole)
    parts = sections.split(program) if whole is None else None
    if parts is not None:  # graph programs one after the other, tf.reset_default_graph() between them
        done = [to_eager(module.with_changes(header=module.header if i == 0 else [], body=part,
                                             footer=module.footer if i == len(parts) - 1 else []),
                         imports, text, moved, audited=False, whole=module) for i, part in enumerate(parts)]
        new = sections.joined(module, [part for part, _, _ in done])
        if audited:
            audit.check(new, program)  # (the whole module's facts)
        return new, [note for _, notes, _ in done for note in notes], frozenset().union(*(k for _, _, k in done))
    state = Rewrite(program)
    steps = interpret.plan(state)
    if state.deferred or program.models.in_classes:  # model classes, rewritten now that the rest of the file
        steps = model_class.finish(state, steps)  # is known to be rewritable
    functions.finish(state, steps)
    seeds.finish(state, steps, lambda: emit(module, steps).code)
    new = emit(module, steps)
    if audited:
        audit.check(new, program)
    return new, state.notes, frozenset(state.kept_tests)


def _from_datasets(module, imports, text, moved, new_module, back, shuffles):
    """The rewrite of ``new_module`` (``module``'s queue pipelines as datasets, queues.py), its notes, kept
    nodes and reasons told on the nodes of ``module``."""
    try:
        new, notes, kept = to_eager(new_module, imports, text, moved, staged=True)
    except Unsupported as problem:
        problem.node = back.get(id(problem.node), problem.node)
        problem.statement = back.get(id(problem.statement), problem.statement)
        raise
    notes = [(back.get(id(node), node), note) for node, note in notes]
    if shuffles is not None:
        notes.append((shuffles, queues.SHUFFLED))
    return new, notes, frozenset(id(back[i]) if i in back else i for i in kept)


class _Names(Visitor):
    def __init__(self, imports) -> None:
        self.imports = imports
        self.found: Set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        name = _tf.relative(self.imports.qualify(node))
        if name is None:
            return True  # `f(x).attr`: the chain is not a name; look inside
        self.found.add(name)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        name = _tf.relative(self.imports.qualify(node))
        if name:
            self.found.add(name)


def tf_names(module: cst.Module, imports) -> Set[str]:
    """The TensorFlow names (TF-relative, whole attribute chains) that ``module`` uses."""
    finder = _Names(imports)
    walk(module, finder)
    return finder.found
