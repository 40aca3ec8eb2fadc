"""tf.data iterators: Python iteration over datasets.

TF1 ran a dataset through an iterator op in sessions; TF2 iterates it in Python:

- ``it = ds.make_one_shot_iterator()`` (``tf.data.make_one_shot_iterator(ds)``) -> ``it = iter(ds)``;
- ``it = ds.make_initializable_iterator()`` goes; each ``sess.run(it.initializer)`` becomes
  ``it = iter(ds)`` (the iterator starts over); ``tf.data.Iterator.from_structure(...)`` with
  ``init = it.make_initializer(ds)`` the same, ``sess.run(init)`` -> ``it = iter(ds)``;
- ``x, y = it.get_next()`` goes: ``x`` and ``y`` are parameters of the functions that use them, as
  placeholders are, with the dataset's ``element_spec`` as their ``tf.TensorSpec``; a run that needs
  them reads the next element first (``x, y = next(it)``) and passes it, as each TF1 run did;
- a feedable iterator (``tf.data.Iterator.from_string_handle(handle, ...)``): a run that feeds
  ``handle`` the handle of another iterator (``h = sess.run(other.string_handle())``) reads that one;
- a read inside ``try: ... except tf.errors.OutOfRangeError:`` ends with ``StopIteration`` where TF1
  raised OutOfRangeError: that handler catches ``StopIteration`` instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from .. import _tf, _vocab
from . import bindings as B
from . import datasets, queries
from .bindings import Placeholder
from .plan import Out
from .state import Rewrite, Unsupported


@dataclass
class Iterator:
    name: str  # the Python iterator's name in the rewrite
    kind: str  # one-shot, initializable, structure (reinitializable) or handle (feedable)
    dataset: Optional[str]  # code of the dataset it iterates (a structure's is set by its initializer)
    spec: Optional[str]  # code of its element_spec, when known
    handle: Optional[str] = None  # feedable: the placeholder fed with the handle of the iterator to read
    fed: Optional[List[str]] = None  # a dataset of placeholders: what its initializer's run feeds, in order
    specs: Optional[List[str]] = None  # the TensorSpec of each part of its elements, when known apart
    target: Optional[str] = None  # code of what get_next() was unpacked into (``x, y``)
    structure: Optional[str] = None  # of its elements: "single" (one tensor), "tuple", "dict" or None (unknown)
    live: bool = False  # a Python iterator is bound to ``name`` now


@dataclass
class Guard:
    """A ``try`` being read whose handlers catch ``tf.errors.OutOfRangeError``."""

    node: cst.Try
    read: bool = False  # an iterator is read inside it


@dataclass
class Pipes:
    guards: List[Guard] = field(default_factory=list)
    _in_functions: Optional[Set[int]] = None
    _headers: Optional[Set[int]] = None
    _catches: Optional[bool] = None
    _sessions: Optional[bool] = None  # the program makes a session
    _statement: Optional[list] = None  # the statement whose inline runs read _read (by its pending list)
    _read: Set[str] = field(default_factory=set)
    nested: Set[str] = field(default_factory=set)  # elements that may be tuples or dicts of tensors
    # a dataset of placeholders, now a function of them: its name -> (its parameters, its elements' specs)
    # a dataset of placeholders: (what it reads, its element specs, its code, the function written for it)
    fed: Dict[str, Tuple[List[str], List[str], cst.BaseExpression, Out]] = field(default_factory=dict)


def pipes(s: Rewrite) -> Pipes:
    if s.input_pipeline is None:
        s.input_pipeline = Pipes()
    return s.input_pipeline


# --- what builds what ----------------------------------------------------------

def is_dataset(s: Rewrite, node) -> bool:
    """A tf.data dataset: made by a constructor, or by a dataset method of a dataset."""
    if isinstance(node, cst.Name):
        return s.b.is_(node.value, B.DATASET)
    if not isinstance(node, cst.Call) or isinstance(node.func, cst.Name) and node.func.value in s.p.dataset_functions:
        return isinstance(node, cst.Call)  # (a function of the program returning a dataset: input_functions.py)
    name = s.call_name(node)
    if name is not None:
        return name.startswith("data.Dataset.") or name in _vocab.DATASET_MAKERS
    func = node.func
    return isinstance(func, cst.Attribute) and func.attr.value in _vocab.DATASET_CHAINED and is_dataset(s, func.value)


def claims(s: Rewrite, value, name: Optional[str]) -> bool:
    """Is ``value`` built by this handler (a dataset, an iterator, an element, a handle, an initializer)?"""
    if name in _vocab.ITERATORS or (is_dataset(s, value) and (_plain_dataset(s, value) or datasets.fed(
            s, datasets.continued(pipes(s).fed, value)[1]))):
        return True
    if queries.is_method_call(value, _vocab.ITERATOR_METHODS):
        return True
    receiver = queries.receiver_name(value) if isinstance(value, cst.Call) else None
    return receiver is not None and s.b.is_(receiver, B.ITERATOR) and value.func.attr.value in (
        "make_initializer", "string_handle")


def assignment(s: Rewrite, node: cst.Assign, target, value: cst.Call, name: Optional[str]):
    """``ds = ...``, ``it = ...``, ``x, y = it.get_next()``, ``init = it.make_initializer(ds)``."""
    single = target.value if isinstance(target, cst.Name) else None
    state = pipes(s)  # from here on, runs may start or read iterators
    if is_dataset(s, value):
        return dataset(s, node, single, value)
    if state._sessions is None:
        state._sessions = bool(queries.calls_of(s.module, s.call_name, _vocab.SESSIONS, first=True))
    if not state._sessions:  # iterated eagerly on tensorflow.compat.v1: kept there
        raise Unsupported(value, f"tf.{name} has no TensorFlow 2 equivalent" if name in _vocab.ITERATORS
                          else "a tf.data iterator run in sessions (a TF1 input pipeline)")
    if name in ("data.make_one_shot_iterator", "data.make_initializable_iterator"):
        arg = _tf.argument(value, 0, "dataset")
        if arg is None or len(value.args) != 1:
            raise Unsupported(value, f"tf.{name} with arguments beyond the dataset")
        return made(s, node, single, arg.value, "one_shot" in name)
    if name == "data.Iterator.from_structure":
        return structure(s, node, single, value, None)
    if name == "data.Iterator.from_string_handle":
        handle = _tf.argument(value, 0, "string_handle")
        if handle is None or not (isinstance(handle.value, cst.Name) and s.b.is_(handle.value.value, B.PLACEHOLDER)):
            raise Unsupported(value, "a feedable iterator whose handle is not a placeholder")
        return structure(s, node, single, value, handle.value.value)
    method = value.func.attr.value
    receiver = value.func.value
    if method == "get_next" and not value.args and _one_shot_source(s, receiver) is not None:
        return chained(s, node, target, value, _one_shot_source(s, receiver))
    if method in ("make_one_shot_iterator", "make_initializable_iterator"):
        if value.args:
            raise Unsupported(value, f"{method}() with arguments")
        return made(s, node, single, receiver, method == "make_one_shot_iterator")
    it = _iterator(s, receiver, value)
    if method == "get_next":
        return get_next(s, node, target, it, value)
    if method == "make_initializer":
        arg = _tf.argument(value, 0, "dataset")
        if single is None or arg is None or len(value.args) != 1 or not _plain_dataset(s, arg.value):
            raise Unsupported(value, "an iterator initializer of something that is not a dataset of this program")
        s.b.rebind(single)
        s.b.bind(single, B.ITERATOR_INIT, (it.name, s.code(arg.value)))
        return None
    if single is None:  # string_handle()
        raise Unsupported(value, "an iterator handle stored in something other than a name")
    s.b.rebind(single)
    s.b.bind(single, B.HANDLE, it.name)
    return None


def _one_shot_source(s: Rewrite, node) -> Optional[cst.BaseExpression]:
    """``ds`` of ``ds.make_one_shot_iterator()`` / ``tf.data.make_one_shot_iterator(ds)``."""
    if isinstance(node, cst.Call) and s.call_name(node) == "data.make_one_shot_iterator" and len(node.args) == 1:
        arg = _tf.argument(node, 0, "dataset")
        return arg.value if arg is not None else None
    if queries.is_method_call(node, ("make_one_shot_iterator",)) and not node.args:
        return node.func.value
    return None


def chained(s: Rewrite, node, target, call, source) -> list:
    """``x, y = ds.make_one_shot_iterator().get_next()`` -> ``iterator = iter(ds)``, its elements read as a
    named iterator's are."""
    base = f"{source.value}_iterator" if isinstance(source, cst.Name) else "iterator"
    name = "iterator" if "iterator" not in s.taken else s.fresh(base)
    s.taken.add(name)
    made(s, node, name, source, True)
    get_next(s, node, target, s.b.get(name, B.ITERATOR), call)
    return [node.with_changes(targets=[cst.AssignTarget(cst.Name(name))], value=s.expr(f"iter({s.code(source)})"))]


def _iterator(s: Rewrite, receiver, node) -> Iterator:
    if isinstance(receiver, cst.Name) and s.b.is_(receiver.value, B.ITERATOR):
        return s.b.get(receiver.value, B.ITERATOR)
    raise Unsupported(node, f"`{s.code(node)}` reads something that is not an iterator of this program")


def _plain_dataset(s: Rewrite, node) -> bool:
    """A dataset that depends on nothing a session feeds or computes."""
    graph = s.b.graph_names() | s.b.names(*B.PIPELINE_KINDS)
    return is_dataset(s, node) and not (queries.names_in(node) & graph)


def dataset(s: Rewrite, node: cst.Assign, single: Optional[str], value) -> list:
    if single is None:
        raise Unsupported(node, "a dataset stored in something other than a name")
    shape = datasets.shape_of(s, value)
    earlier, value = datasets.continued(pipes(s).fed, value)  # `dataset = dataset.batch(40)`: one function
    if earlier is not None or not _plain_dataset(s, value):
        fed = datasets.fed(s, value)
        if fed is None:
            raise Unsupported(value, "a dataset built from placeholders or graph tensors")
        s.b.rebind(single)
        s.b.bind(single, B.DATASET, shape)
        out = datasets.fed_function(s, single, fed[0], value, node)
        if earlier == single:  # the function written for its first step makes it all
            first = pipes(s).fed[single][3]
            first.node = out.node
            pipes(s).fed[single] = (*fed, value, first)
            return None
        pipes(s).fed[single] = (*fed, value, out)
        return [out]
    s.b.rebind(single)
    s.b.bind(single, B.DATASET, datasets.shape_of(s, value))
    return [node]


def made(s: Rewrite, node, single: Optional[str], source, one_shot: bool) -> list:
    """``it = ds.make_one_shot_iterator()`` -> ``it = iter(ds)``; an initializable one waits for its run."""
    if single is None:
        raise Unsupported(node, "an iterator stored in something other than a name")
    fed = pipes(s).fed.get(source.value) if isinstance(source, cst.Name) and not one_shot else None
    if fed is not None:  # a dataset of placeholders: started by each run of the initializer that feeds them
        s.b.rebind(single)
        s.b.bind(single, B.ITERATOR, Iterator(single, "initializable", source.value, None, fed=fed[0],
                                              specs=fed[1], structure=datasets.shape_of(s, source)))
        return None
    if not _plain_dataset(s, source):
        what = "a dataset built from placeholders or graph tensors" if is_dataset(s, source) else (
            "something that is not a dataset of this program")
        raise Unsupported(source, f"an iterator over {what}")
    code = s.code(source)
    named = isinstance(source, cst.Name)
    spec = f"{code}.element_spec" if named else (f"{single}.element_spec" if one_shot else None)
    s.b.rebind(single)
    it = Iterator(single, "one-shot" if one_shot else "initializable", code, spec, live=one_shot,
                  structure=datasets.shape_of(s, source))
    s.b.bind(single, B.ITERATOR, it)
    if one_shot:
        return [node.with_changes(value=s.expr(f"iter({code})"))]
    return None


def structure(s: Rewrite, node, single: Optional[str], call: cst.Call, handle: Optional[str]) -> None:
    """``tf.data.Iterator.from_structure(types, shapes)`` / ``from_string_handle(handle, types, shapes)``."""
    if single is None:
        raise Unsupported(node, "an iterator stored in something other than a name")
    first = 1 if handle is not None else 0
    types = _tf.argument(call, first, "output_types")
    source = _typed_like(s, types.value if types else None)
    s.b.rebind(single)
    s.b.bind(single, B.ITERATOR, Iterator(single, "handle" if handle else "structure", None,
                                          f"{source}.element_spec" if source else None, handle,
                                          structure=s.b.get(source, B.DATASET) if source else None))
    return None


def _typed_like(s: Rewrite, types) -> Optional[str]:
    """``ds`` of ``ds.output_types`` (or ``tf.compat.v1.data.get_output_types(ds)``), a dataset of this program."""
    if isinstance(types, cst.Attribute) and types.attr.value == "output_types" and isinstance(types.value, cst.Name):
        source = types.value
    elif isinstance(types, cst.Call) and s.call_name(types) == "data.get_output_types" and len(types.args) == 1:
        source = types.args[0].value
    else:
        return None
    if isinstance(source, cst.Name) and s.b.is_(source.value, B.DATASET):
        return source.value
    return None


def get_next(s: Rewrite, node, target, it: Iterator, call) -> None:
    """``x, y = it.get_next()``: each name an element, read by the runs that need it."""
    if it.target is not None:
        raise Unsupported(call, f"get_next() called twice on iterator {it.name} (each call reads on its own)")
    if isinstance(target, cst.Name):
        names = [target.value]
        specs = [it.spec]
    elif isinstance(target, (cst.Tuple, cst.List)) and all(
            isinstance(e, cst.Element) and isinstance(e.value, cst.Name) for e in target.elements):
        names = [e.value.value for e in target.elements]
        specs = [f"{it.spec}[{i}]" if it.spec else None for i in range(len(names))]
    else:
        raise Unsupported(node, "an iterator's elements unpacked into something other than names")
    if it.specs is not None and len(it.specs) == len(names) and (len(names) > 1 or it.structure == "single"):
        specs = list(it.specs)
    elif it.spec is None:
        raise Unsupported(call, f"the elements of iterator {it.name}, whose dataset's element_spec is not known")
    if isinstance(target, cst.Name) and it.structure != "single":
        pipes(s).nested.add(target.value)
    it.target = ", ".join(names)
    for name, spec in zip(names, specs):
        dtype = s.expr(f"{spec}.dtype") if spec else cst.Name("None")
        shape = s.expr(f"{spec}.shape") if spec else None
        s.b.define(Placeholder(name, dtype, shape, source=it.name, spec=spec or ""))
    return None


# --- runs --------------------------------------------------------------------------

def before_run(s: Rewrite, call, fetched, values: Dict, targets) -> Optional[Tuple[list, Dict, bool]]:
    """What a run does to the iterators: (statements before it, the values it passes, whether that was all).

    Initializer runs become ``it = iter(ds)``; a run of ``it.string_handle()`` names the iterator; a
    run that needs elements of an iterator reads the next one first."""
    elements = queries.elements(fetched)
    inits = [_initialised(s, e) for e in elements]
    if any(inits):
        if targets is not None:
            raise Unsupported(call, "the result of an iterator initializer run is used")
        out = []
        for element, it in zip(elements, inits):
            if it is None:
                from . import fetches

                if not fetches.is_init(s, element):
                    raise Unsupported(call, "an iterator initializer run together with other tensors")
                continue
            out.append(start(s, it, values, call))
        from . import sessions

        if len(out) < len(elements):
            sessions.initialise(s, call)
        return out, values, True
    handle = _handle_of(s, fetched)
    if handle is not None:
        if not isinstance(targets, cst.Name):
            raise Unsupported(call, "an iterator handle stored in something other than a name")
        s.b.rebind(targets.value)
        s.b.bind(targets.value, B.HANDLE, handle)
        return [], values, True
    reads, values = read(s, fetched, values, call)
    return reads, values, False


def _initialised(s: Rewrite, node) -> Optional[Tuple[Iterator, Optional[str]]]:
    """(iterator, dataset code) when ``node`` is an iterator's initializer."""
    if isinstance(node, cst.Attribute) and node.attr.value == "initializer" and isinstance(node.value, cst.Name):
        it = s.b.get(node.value.value, B.ITERATOR)
        if it is not None:
            if it.kind != "initializable":
                raise Unsupported(node, f"the initializer of iterator {it.name}, which has none")
            return it, it.dataset
    if isinstance(node, cst.Name) and s.b.is_(node.value, B.ITERATOR_INIT):
        name, code = s.b.get(node.value, B.ITERATOR_INIT)
        return s.b.get(name, B.ITERATOR), code
    return None


def start(s: Rewrite, started, values: Dict, node) -> cst.BaseSmallStatement:
    """``sess.run(it.initializer)``: ``it = iter(ds)``."""
    it, code = started
    if it is None:
        raise Unsupported(node, "an initializer of an iterator this rewrite no longer knows")
    if it.fed is not None:  # `sess.run(it.initializer, feed_dict={x_ph: xs, ...})`: `it = iter(ds(xs, ...))`
        if set(values) != set(it.fed):
            raise Unsupported(node, f"the initializer of iterator {it.name} run without feeding exactly the "
                                    f"placeholders of its dataset ({', '.join(it.fed)})")
        it.live = True
        passed = ", ".join(s.code(values[p]) for p in it.fed)
        return cst.Assign([cst.AssignTarget(cst.Name(it.name))], s.expr(f"iter({code}({passed}))"))
    if values:
        raise Unsupported(node, "an iterator initializer run with a feed_dict (a dataset of placeholders)")
    it.live = True
    return cst.Assign([cst.AssignTarget(cst.Name(it.name))], s.expr(f"iter({code})"))


def _handle_of(s: Rewrite, fetched) -> Optional[str]:
    if queries.is_method_call(fetched, ("string_handle",)) and not fetched.args:
        return _iterator(s, fetched.func.value, fetched).name
    if isinstance(fetched, cst.Name) and s.b.is_(fetched.value, B.HANDLE):
        return s.b.get(fetched.value, B.HANDLE)
    return None


def needs(s: Rewrite, node) -> Set[str]:
    """The placeholders (iterator elements among them) that computing ``node`` needs."""
    found: Set[str] = set()
    for name in queries.names_in(node):
        binding = s.b.table.get(name)
        if binding is None:
            continue
        if binding.kind == B.PLACEHOLDER:
            found.add(name)
        elif binding.kind in (B.TENSOR, B.TRAIN_OP):
            found.update(binding.payload.params)
    return found


def read(s: Rewrite, fetched, values: Dict, node) -> Tuple[list, Dict]:
    """``x, y = next(it)`` for each iterator whose elements the run needs and is not fed."""
    wanted = [n for n in sorted(needs(s, fetched)) if n not in values and s.b.specs[n].source is not None]
    if not wanted:
        return [], values
    out = []
    values = dict(values)
    for source in sorted({s.b.specs[n].source for n in wanted}):
        it = s.b.get(source, B.ITERATOR)
        if it is None:
            raise Unsupported(node, f"iterator {source} is no longer bound where its elements are read")
        python = _python_iterator(s, it, values, node)
        # each element read into its own name, unless the rewrite defined something of that name
        names = [s.fresh(f"{name}_value") if name in s.defined else name for name in it.target.split(", ")]
        for name, read_as in zip(it.target.split(", "), names):
            values[name] = cst.Name(read_as)
        _guarded(s, node)
        out.append(cst.Assign([cst.AssignTarget(s.expr(", ".join(names)))], s.expr(f"next({python})")))
    return out, values


def value_of(s: Rewrite, name: str, value) -> str:
    """What fetching element ``name`` (read as ``value``) gave: its NumPy value (or structure of them)."""
    if name in pipes(s).nested:
        return f"{s.tf}.nest.map_structure(lambda t: t.numpy(), {s.code(value)})"
    return f"{s.code(value)}.numpy()"


def _python_iterator(s: Rewrite, it: Iterator, values: Dict, node) -> str:
    if it.kind != "handle":
        if not it.live:
            raise Unsupported(node, f"iterator {it.name} is read before its initializer runs")
        return it.name
    fed = values.get(it.handle)
    if not (isinstance(fed, cst.Name) and s.b.is_(fed.value, B.HANDLE)):
        raise Unsupported(node, f"feedable iterator {it.name} read with a handle this rewrite cannot follow")
    chosen = s.b.get(s.b.get(fed.value, B.HANDLE), B.ITERATOR)
    if chosen is None or not chosen.live:
        raise Unsupported(node, f"feedable iterator {it.name} reads an iterator that is not started")
    return chosen.name


def read_inline(s: Rewrite, fetched, values: Dict, call) -> Dict:
    """A run inside an expression: the reads go just before its statement."""
    if not any(s.b.specs.get(n) is not None and s.b.specs[n].source for n in needs(s, fetched) - set(values)):
        return values
    state = pipes(s)
    if state._headers is None:
        state._headers = _header_calls(s.module)
    if id(call) in state._headers:
        raise Unsupported(call, "an iterator read in a `while` or `elif` condition, a comprehension, a lambda "
                                "or a conditional expression (run a varying number of times)")
    if state._statement is not s.pending:
        state._statement, state._read = s.pending, set()
    wanted = {s.b.specs[n].source for n in needs(s, fetched) - set(values) if s.b.specs[n].source}
    if wanted & state._read:
        raise Unsupported(call, "two runs in one statement read the same iterator")
    state._read |= wanted
    out, values = read(s, fetched, values, call)
    s.pending.extend(Out(cst.SimpleStatementLine([stmt])) for stmt in out)
    return values


def _header_calls(module) -> Set[int]:
    """Calls evaluated again and again (while conditions, comprehensions, lambdas) or maybe not at all
    (elif conditions, conditional expressions, ``and`` / ``or``)."""
    tests = [n.test for n in queries.find(module, cst.While)]
    tests += [n.orelse.test for n in queries.find(module, cst.If) if isinstance(n.orelse, cst.If)]
    tests += queries.find(module, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda,
                                   cst.IfExp, cst.BooleanOperation))
    return {id(c) for test in tests for c in queries.find(test, cst.Call)}


def _guarded(s: Rewrite, node) -> None:
    """A read inside ``try ... except tf.errors.OutOfRangeError``: that handler catches StopIteration."""
    state = pipes(s)
    if state.guards:
        state.guards[-1].read = True
        return
    if state._in_functions is None:
        state._in_functions = {id(c) for f in queries.find(s.module, cst.FunctionDef) for c in queries.find(f, cst.Call)}
        state._catches = bool(queries.find(s.module, cst.ExceptHandler, lambda h: catches_end(s, h) is not None,
                                           first=True))
    if id(node) in state._in_functions and state._catches:
        raise Unsupported(node, "an iterator read inside a function, with tf.errors.OutOfRangeError caught "
                                "around its callers")


# --- try ... except tf.errors.OutOfRangeError --------------------------------------

def catches_end(s: Rewrite, handler: cst.ExceptHandler) -> Optional[cst.BaseExpression]:
    """``tf.errors.OutOfRangeError`` in what ``handler`` catches (alone or in a tuple), or None."""
    kinds = handler.type
    if kinds is None:
        return None
    for kind in queries.elements(kinds):
        if s.tf_name(kind) in ("errors.OutOfRangeError", "errors_impl.OutOfRangeError"):
            return kind
    return None


def enter_try(s: Rewrite, stmt: cst.Try) -> Optional[Guard]:
    if not any(catches_end(s, h) is not None for h in stmt.handlers):
        return None
    guard = Guard(stmt)
    pipes(s).guards.append(guard)
    return guard


def leave_try(s: Rewrite, guard: Optional[Guard], stmt: cst.Try) -> cst.Try:
    """The ``try`` statement, its OutOfRangeError handlers catching StopIteration if it read an iterator."""
    if guard is None:
        return stmt
    pipes(s).guards.remove(guard)
    if not guard.read:
        return guard.node
    handlers = []
    for handler in guard.node.handlers:
        kind = catches_end(s, handler)
        if kind is not None:
            handler = handler.with_changes(type=handler.type.deep_replace(kind, cst.Name("StopIteration")))
        handlers.append(handler)
    return guard.node.with_changes(handlers=handlers)
