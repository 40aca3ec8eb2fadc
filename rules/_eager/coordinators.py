"""The coordinator and the queue runners' threads of queue pipelines read as datasets (queues.py).

``coord = tf.train.Coordinator()``, ``threads = tf.train.start_queue_runners(...)``, ``coord.request_stop()`` and
``coord.join(threads)`` go with the queues; ``coord.should_stop()`` is False (a dataset repeated forever never
stops; one of ``num_epochs`` ends as TF1's queue did). Where a loop asks the coordinator to stop (``if step >=
20: coord.request_stop()``) and a loop reads ``should_stop()``, the coordinator is a flag that loop sets:
``stop_requested = False`` where it was made, ``stop_requested = True`` where it was asked to stop.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from . import queries
from .state import Unsupported


def removed(module: cst.Module, new: cst.Module, call_name, fresh, back: Dict[int, cst.CSTNode]) -> cst.Module:
    """``new`` (``module`` with its pipelines as datasets) without the coordinators and threads of
    ``module``; ``back`` learns the nodes it changes. ``call_name(node)``: a call's TensorFlow name;
    ``fresh(base)``: a name the program does not use."""
    coordinators, flags = _coordinators(call_name, fresh, module)
    return new.visit(_Threads(call_name, coordinators, flags, back))


def names_bound(target) -> Optional[List[str]]:
    """``a, b`` / ``[a, b]`` / ``a``: the names bound, or None for other targets."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)) and all(
            isinstance(e.value, cst.Name) and not isinstance(e, cst.StarredElement) for e in target.elements):
        return [e.value.value for e in target.elements]
    return None


class _Threads(cst.CSTTransformer):
    """Removes the coordinator and the queue runners' threads; ``coord.should_stop()`` is False, or the flag
    a loop sets where it asked the coordinator to stop."""

    def __init__(self, call_name, coordinators: Set[str], flags: Dict[str, str],
                 back: Dict[int, cst.CSTNode]) -> None:
        self.call_name = call_name
        self.coordinators = coordinators
        self.flags = flags  # coordinator -> the bool that says a loop asked it to stop
        self.back = back

    def _flagged(self, small):
        """``stop_requested = False`` for ``coord = tf.train.Coordinator()``, ``stop_requested = True`` for
        ``coord.request_stop()``, of a coordinator with a flag; None otherwise."""
        value = small.value if isinstance(small, (cst.Assign, cst.Expr)) else None
        if isinstance(small, cst.Assign) and self.call_name(value) == "train.Coordinator":
            flag, state = self.flags.get(small.targets[0].target.value), "False"
        elif queries.is_method_call(value, ("request_stop",)) and isinstance(value.func.value, cst.Name):
            flag, state = self.flags.get(value.func.value.value), "True"
        else:
            return None
        return None if flag is None else cst.parse_statement(f"{flag} = {state}\n").body[0]

    def _stops(self, node) -> bool:
        return queries.is_method_call(node, ("should_stop",)) and isinstance(node.func.value, cst.Name) \
            and node.func.value.value in self.coordinators

    def _goes(self, small) -> bool:
        value = small.value if isinstance(small, (cst.Assign, cst.Expr)) else None
        if not isinstance(value, cst.Call):
            return False
        if self.call_name(value) in _THREADS:
            return True
        return queries.is_method_call(value, ("request_stop", "join")) and isinstance(value.func.value, cst.Name) \
            and value.func.value.value in self.coordinators

    def _kept(self, body) -> list:
        return [self._flagged(small) or small for small in body if self._flagged(small) or not self._goes(small)]

    def leave_SimpleStatementLine(self, original, updated):
        kept = self._kept(updated.body)
        return updated.with_changes(body=kept) if kept else cst.RemovalSentinel.REMOVE

    def leave_SimpleStatementSuite(self, original, updated):
        return updated.with_changes(body=self._kept(updated.body) or [cst.Pass()])

    def leave_UnaryOperation(self, original, updated):
        if isinstance(updated.operator, cst.Not) and self._stops(original.expression) and \
                original.expression.func.value.value not in self.flags:
            return cst.Name("True")  # `while not coord.should_stop():`
        return updated

    def leave_Call(self, original, updated):
        if not self._stops(updated):
            return updated
        return cst.Name(self.flags.get(updated.func.value.value, "False"))

    def leave_IndentedBlock(self, original, updated):
        if not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated

    def leave_Try(self, original, updated):
        final = updated.finalbody
        if final is not None and updated.handlers and _only_pass(final.body):
            return updated.with_changes(finalbody=None)
        return updated

    def on_leave(self, original, updated):
        result = super().on_leave(original, updated)
        if isinstance(result, cst.CSTNode) and result is not original:
            self.back.setdefault(id(result), original)
        return result


_THREADS = ("train.start_queue_runners", "train.Coordinator")


def _only_pass(block) -> bool:
    return isinstance(block, cst.IndentedBlock) and all(
        isinstance(s, cst.SimpleStatementLine) and all(isinstance(x, cst.Pass) for x in s.body) for s in block.body)


def _coordinators(call_name, fresh, module: cst.Module) -> Tuple[Set[str], Dict[str, str]]:
    """The names of the coordinators, and {coordinator: its flag} for those a loop asks to stop (a Python
    bool the loop sets, where it asked the coordinator); refused where they or the queue runners' threads
    are used for more than starting, stopping and joining them."""
    held: Dict[str, str] = {}
    allowed: Set[int] = set()
    for assign in queries.find(module, cst.Assign):
        kind = call_name(assign.value) if isinstance(assign.value, cst.Call) else None
        if kind in _THREADS:
            names = names_bound(assign.targets[0].target) if len(assign.targets) == 1 else None
            if names is None or len(names) != 1:
                raise Unsupported(assign, f"tf.{kind} bound to something other than a name")
            held[names[0]] = kind
            allowed |= {id(n) for n in queries.find(assign.targets[0].target, cst.Name)}
    coordinators = {name for name, kind in held.items() if kind == "train.Coordinator"}
    for call in queries.find(module, cst.Call):
        kind = call_name(call)
        if kind in ("train.QueueRunner", "train.batch_join", "train.shuffle_batch_join", "train.input_producer",
                    "train.range_input_producer"):
            raise Unsupported(call, f"tf.{kind} (a queue this rewrite does not read as a dataset)")
        if kind in _THREADS or (queries.is_method_call(call, ("request_stop", "join", "should_stop")) and isinstance(
                call.func.value, cst.Name) and call.func.value.value in coordinators):
            allowed |= {id(n) for n in queries.find(call, cst.Name)}
    flags: Dict[str, str] = {}
    for loop in queries.find(module, (cst.While, cst.For)):  # `if step >= 20: coord.request_stop()`
        for stop in queries.find(loop.body, cst.Call, lambda c: queries.is_method_call(c, ("request_stop",))):
            coord = stop.func.value.value if isinstance(stop.func.value, cst.Name) else None
            if coord in coordinators and coord not in flags:
                flags[coord] = _flag(fresh, module, coord, stop)
    for name in queries.find(module, cst.Name, lambda n: n.value in held):
        if id(name) not in allowed:
            raise Unsupported(name, f"{name.value} (a coordinator or the queue runners' threads) used for more than "
                                 "starting, stopping and joining them")
    return coordinators, flags


def _flag(fresh, module: cst.Module, coord: str, stop: cst.Call) -> str:
    """The name of the flag that says coordinator ``coord`` was asked to stop, where a loop asks it to (and a
    loop reads ``should_stop()``): refused where its uses are in more than one function."""
    parents = queries.parents(module)

    def function_of(node):
        while node is not None and not isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            node = parents.get(id(node))
        return node

    uses = queries.find(module, cst.Name, lambda n: n.value == coord)
    if len({id(function_of(n)) for n in uses}) != 1:
        raise Unsupported(stop, f"coordinator {coord} asked to stop inside a loop, and used in another function")
    return fresh("stop_requested")
