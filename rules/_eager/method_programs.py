"""A class whose methods are programs of their own (a data loader that reads a dataset into NumPy once).

    class MnistData(object):
        def __init__(self, tf_dataset, one_hot, reshape):
            self.images = None
            features, labels = tf_dataset.batch(10000).make_one_shot_iterator().get_next()
            with tf.Session() as sess:
                while True:
                    try:
                        feats, labs = sess.run([features, labels])
                        self.images = feats if self.images is None else np.concatenate([self.images, feats])
                    except tf.errors.OutOfRangeError:
                        break

Each method that builds graph code makes its own session and runs it there, and the instance keeps no
graph object (what it stores are the values runs returned). Such a method is read as any function that
runs its own program: its graph becomes eager code in its place, its runs the values. Anything else (a
session or a tensor kept on the instance, graph code run by another method) is for session_class.py and
model_class.py, or stays on compat with their reason.
"""
from __future__ import annotations

import libcst as cst

from .. import _vocab
from . import queries
from .model_lift import self_attr
from .state import Rewrite


def applies(s: Rewrite, cls: cst.ClassDef) -> bool:
    """Every method that names TensorFlow makes its session and runs it itself, and nothing TensorFlow makes
    is stored on the instance or on the class."""
    if not isinstance(cls.body, cst.IndentedBlock):
        return False
    running = False
    for stmt in cls.body.body:
        if not isinstance(stmt, cst.FunctionDef):
            if s.mentions_graph(stmt) or _tf_calls(s, stmt):
                return False  # graph code in the class body itself
            continue
        if not (_tf_calls(s, stmt) or s.mentions_graph(stmt)):
            continue
        if not _makes_session(s, stmt) or _stores_graph(s, stmt) or queries.holds(stmt.body, cst.ClassDef):
            return False
        running = True
    return running


def _tf_calls(s: Rewrite, node) -> bool:
    return queries.holds(node, cst.Call, lambda c: s.call_name(c) is not None)


def _makes_session(s: Rewrite, func: cst.FunctionDef) -> bool:
    return queries.holds(func.body, cst.Call, lambda c: s.call_name(c) in _vocab.SESSIONS)


def _stores_graph(s: Rewrite, func: cst.FunctionDef) -> bool:
    """An attribute of ``self`` bound to a graph object (a TensorFlow call's result, a session, or a value
    computed from one; a run's result aside) or as a ``with`` target; a global or nonlocal statement."""
    if queries.holds(func.body, (cst.Global, cst.Nonlocal)):
        return True
    for item in queries.find(func.body, cst.WithItem):
        if item.asname is not None and not isinstance(item.asname.name, cst.Name):
            return True
    assigns = [(a, [t.target for t in a.targets] if isinstance(a, cst.Assign) else [a.target])
               for a in queries.find(func.body, (cst.Assign, cst.AugAssign, cst.AnnAssign)) if a.value is not None]
    graph: set = set()  # locals bound to graph objects, or to values computed from them
    while True:
        more = {n.value for a, targets in assigns if _graph_value(s, a.value, graph)
                for t in targets for n in _bound(t)} - graph
        if not more:
            break
        graph |= more
    return any(_graph_value(s, a.value, graph) and any(
        queries.holds(t, cst.Attribute, lambda n: self_attr(n) is not None) for t in targets) for a, targets in assigns)


def _graph_value(s: Rewrite, value: cst.BaseExpression, graph: set) -> bool:
    """A value that holds a graph object: a TensorFlow call's result, an iterator's, or a name of
    ``graph``, outside the runs of a session (whose results are NumPy values)."""
    runs = [c for c in queries.find(value, cst.Call) if queries.is_method_call(c, ("run", "eval"))]
    inside = {id(n) for run in runs for n in queries.every_node(run)}
    return queries.holds(value, cst.Call, lambda c: id(c) not in inside and (
        s.call_name(c) is not None or queries.is_method_call(c, _DATASET_CALLS))) or any(
        id(n) not in inside and n.value in graph for n in queries.find(value, cst.Name, values=True))


_DATASET_CALLS = ("make_one_shot_iterator", "make_initializable_iterator", "get_next")


def _bound(target) -> list:
    """The names a target binds (``x``, ``a, b``), not the objects whose attributes or items it sets."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _bound(e.value)]  # (a starred element's value too)
    return []
