"""A model class that keeps a session and builds a graph with state (variables, a train op).

    class Model:
        def __init__(self, sess, name):
            self.sess = sess
            self.name = name
            self._build_net()

        def _build_net(self):
            with tf.variable_scope(self.name):
                self.X = tf.placeholder(tf.float32, [None, 784])
                W = tf.Variable(tf.random_normal([784, 10]))
                self.logits = tf.matmul(self.X, W)
            ...
            self.optimizer = tf.train.AdamOptimizer(0.001).minimize(self.cost)

        def predict(self, x):
            return self.sess.run(self.logits, feed_dict={self.X: x})

The class is read as the program it stands for: ``__init__`` with the methods it calls to build
the graph (``self._build_net()``) inlined is a graph program, its attributes its names
(``self.X`` is ``X``), and the methods that run the session are functions of that program run
after it; the graph-to-eager rewrite of the whole program does the work. Its result is lifted
back into the class: what the program binds at its top level (variables, optimizers, Keras
layers) becomes an attribute made in ``__init__``, its functions (the tensors and train steps)
become methods, and the running methods call them:

    class Model(tf.Module):
        def __init__(self, name):
            super().__init__()
            self.name = name  # (a class that sets `name` stays a plain class)
            with tf.name_scope(self.name):
                self.W = tf.Variable(tf.random.normal([784, 10]))
            ...
        @tf.function(input_signature=...)
        def logits(self, X):
            return tf.matmul(X, self.W)

        def predict(self, x):
            return self.logits(x).numpy()

Methods that make variables under variable scopes (a GAN's ``discriminator(self, x, reuse=False)``) are
functions of that program, which the module rewrite makes ``tf.Module`` classes (``model_methods.py``);
a class whose ``__init__`` only keeps its arguments is built by the method its user calls
(``gan.build_model()``), and the state is made there.

A session passed to ``__init__`` is no longer a parameter: the code that makes the instance
drops it (``Model(sess, "m1")`` -> ``Model("m1")``, ``model_lift.without_sessions``). A class with
no session of its own (it only builds the graph) is run by the program through its instance
(``sess.run(model.loss, feed_dict={model.x: ...})``): that code is part of the program too
(``model_units.py``). Parameters of ``__init__`` that the graph reads are kept on ``self`` where a
method reads them. Anything the program reading cannot express this way (the instance read under
another name, a parameter bound again, names the lifting would confuse) returns None: the caller
keeps the class on compat with its reason. A class of variables and eager methods, as this
rewrite writes them, is left as it is (``eager_already``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name
from tfmigrate.traverse import Transformer

from .. import _tf, _vocab
from . import layout, model_aliases, model_methods, model_units, queries
from .model_lift import Read, ReturnedRuns, comprehension_names, lift, rename_locals, self_attr
from .plan import Keep, Step
from .session_class import self_first, self_reads, used_outside
from .state import Rewrite, Unsupported


@dataclass
class Done:
    """A class rewritten: the class, the program's statements that ran it, the rewrite's notes."""

    lifted: cst.ClassDef
    replaced: Dict[int, list]
    notes: List[str]


def rewrite(s: Rewrite, cls: cst.ClassDef) -> Optional[cst.ClassDef]:
    """The class as it stands until ``finish`` rewrites it, or None when it is not such a class.

    The rewrite of the class's program waits until the rest of the file has been read: until then
    the class and the code that runs it stand as written (each a step of its own), and a file that
    stays on compat for another reason costs no more than reading it."""
    if cls not in s.module.body or not isinstance(cls.body, cst.IndentedBlock):
        return None
    read = _read(s, cls)
    if read is None:
        return None
    sessions = model_units.session_names(read, read.outside, cls.name.value, s.module)
    if sessions is None:
        return _refused(s, cls, "the code that runs it uses a session beyond runs, or another session")
    s.deferred.append((cls, read, sessions))
    _register(s, cls, read)
    s.replaced.update({id(unit.stmt): [unit.stmt] for unit in read.outside.units})
    return cls


def finish(s: Rewrite, steps: list) -> list:
    """The module's steps with the classes ``rewrite`` left for the end rewritten, and the statements
    that run them; raises Unsupported for a class that cannot be."""
    new: Dict[int, list] = {}
    for cls, read, sessions in s.deferred:
        done = _rewritten(s, cls, read, sessions)
        if done is None:
            raise Unsupported(cls, refusal(s, cls))
        new[id(cls)] = [*(c.with_changes(leading_lines=[cst.EmptyLine(indent=False)] * 2) for c in read.module_classes),
                        done.lifted]
        new.update(done.replaced)
        for note in done.notes:
            s.note(cls, note)
    read_by_classes = {name for _, read, _ in s.deferred for name in read.functions}
    for name in [n for n in s.p.models.by_name if n in s.p.models.in_classes - read_by_classes][:1]:
        raise Unsupported(s.p.models[name].node.name, f"{name} makes variables under tf.variable_scope and is called "
                                                      "by classes this rewrite does not read as programs")
    out = []
    for step in steps:
        replacement = new.get(id(step.stmt)) if isinstance(step, Step) else None
        out += [step] if replacement is None else [Step(stmt, Keep(stmt)) for stmt in replacement]
    return out


def _register(s: Rewrite, cls: cst.ClassDef, read: Read) -> None:
    if read.session_param is not None:
        params = [p.name.value for p in read.init.params.params[1:]]
        s.session_classes[cls.name.value] = (params.index(read.session_param), read.session_param)


def _rewritten(s: Rewrite, cls: cst.ClassDef, read: Read, sessions: Dict[str, str]) -> Optional[Done]:
    from . import to_eager  # the whole rewrite, run on the program the class stands for

    try:  # (audited with the file it goes into)
        new, notes, _ = to_eager(_program(s, read, sessions), s.p.imports, None, s.p.moved, audited=False)
        if read.unsized and ("keras.layers." in new.code or ".is_built" in new.code):
            # a Keras layer or a module sizes its weights by its input, whose size a signature written in the
            # class body cannot give: the instance's own signatures, made in __init__ (model_lift.lift)
            new, notes, _ = to_eager(_program(s, read, sessions, sized=True), s.p.imports, None, s.p.moved,
                                     audited=False)
    except Unsupported as refused:
        return _refused(s, cls, f"its graph: {refused.reason}")
    new = model_methods.taken_out(s, read, new)
    if new is None:
        return _refused(s, cls, "a class its model methods become is named as something of the module")
    lifted = lift(s, cls, read, new)
    replaced = model_units.replacements(s, read.outside, read.lifted_units) if lifted is not None else None
    if replaced is None:
        return _refused(s, cls, "its rewrite does not lift back into the class")
    return Done(lifted, replaced, [note for _, note in notes])


def _refused(s: Rewrite, cls: cst.ClassDef, why: str) -> None:
    """None, with why the class is not rewritten (``reason``)."""
    s.class_reasons[cls.name.value] = why
    return None


def refusal(s: Rewrite, cls: cst.ClassDef) -> str:
    """The reason a class that holds graph objects stays on compat."""
    why = s.class_reasons.get(cls.name.value)
    return f"class {cls.name.value} holds TensorFlow graph objects or a session" + (f" ({why})" if why else "")


# --- reading the class ------------------------------------------------------------------------------

def _indent(s: Rewrite, block: cst.IndentedBlock) -> int:
    return len(block.indent if block.indent is not None else s.module.default_indent)


def _read(s: Rewrite, cls: cst.ClassDef) -> Optional[Read]:
    body = list(cls.body.body)
    functions = {stmt.name.value: stmt for stmt in body if isinstance(stmt, cst.FunctionDef)}
    if sum(isinstance(stmt, cst.FunctionDef) for stmt in body) != len(functions):
        return _refused(s, cls, "a method is defined twice")
    init = functions.get("__init__")
    if init is None or init.decorators or not self_first(init) or not isinstance(init.body, cst.IndentedBlock):
        return _refused(s, cls, "it has no plain __init__")
    session = _session(s, cls, init)
    own = next((self_attr(_assigned(stmt)) for stmt in init.body.body
                if self_attr(_assigned(stmt)) and s.call_name(stmt.body[0].value) == "Graph"), None)
    if own:  # `self.graph = tf.Graph()`, `with self.graph.as_default():`, `tf.Session(graph=self.graph)`
        return _refused(s, cls, f"it builds its graph in a tf.Graph of its own (self.{own}) and runs it there")
    if session is None:  # (a class without a session of its own: ("", None))
        return _refused(s, cls, "its session is not one attribute made or passed in __init__ and run by its methods")
    read = Read(init, *session)
    read.class_name = cls.name.value
    read.method_depth = _indent(s, cls.body)
    read.depth = read.method_depth + _indent(s, init.body)
    for stmt in init.body.body:
        if self_attr(_assigned(stmt)) == read.session_attr:
            if read.session_param is None:
                read.graph.append(stmt)  # `self.sess = tf.Session()`: the program's session
            continue
        built = _build_call(stmt, functions)
        if built is None:
            read.graph.append(stmt)
            continue
        method = functions[built]
        if _indent(s, method.body) != _indent(s, init.body) or _attribute_uses(cls, built) != 1:
            return _refused(s, cls, f"its build method {built} is called more than once or indented otherwise")
        read.build.add(built)
        read.graph.extend(_arguments(stmt.body[0].value, method))  # `self._build_net(learning_rate)`
        read.graph.extend(queries.without_docstring(method.body.body))
    if not read.build and not _calls_maker(s, cst.Module(body=read.graph)):
        model_methods.build_method(s, cls, functions, read)  # `gan.build_model()` after `GAN(sess, ...)`
    read.graph = _parameters_kept(read, init) if not read.outside_build else read.graph
    read.graph = model_aliases.locals_kept(cls, read.graph)  # `x = tf.placeholder(...)`, `self.x = x`
    graph_code = cst.Module(body=read.graph)
    if not _calls_maker(s, graph_code):
        return _refused(s, cls, "__init__ makes no variable, layer or placeholder")
    read.attributes = _graph_attributes(s, read.graph)
    read.train_ops = {self_attr(_assigned(stmt)) for stmt in queries.find(graph_code, cst.SimpleStatementLine)
                      if self_attr(_assigned(stmt)) and _trains(stmt.body[0].value)}
    why = model_methods.find(s, cls, functions, read)
    if why is not None:
        return _refused(s, cls, why)
    names_of_graph = read.attributes | {read.session_attr}
    for name, func in functions.items():
        if name == "__init__" or name in read.build or name in read.model_methods:
            continue
        if self_reads(func) & names_of_graph:
            if func.decorators or not self_first(func) or not isinstance(func.body, cst.IndentedBlock):
                return _refused(s, cls, f"its method {name} that reads the graph is decorated or static")
            read.runs[name] = func
    if used_outside(s.module, cls, {read.session_attr} - {""}) or _beyond_runs(cls, read.session_attr):
        return _refused(s, cls, "its session is used for more than runs")
    local = queries.bound_names(graph_code) - {"self"}
    program = local | read.attributes
    init_params = {p.name.value for p in init.params.params[1:]}
    clash = sorted(read.attributes & local | program & (init_params | set(functions)))
    if clash:
        return _refused(s, cls, f"a name of its graph is also a local, a parameter of __init__ or a method: "
                                f"{', '.join(clash[:3])}")
    taken = queries.names_in(cls) | s.p.source_names() | program
    read.session = fresh_name(taken, "sess")
    outside = model_units.find(s, cls, read, program, taken)
    if outside is None:
        return _refused(s, cls, "the program reads its instance in a way this rewrite does not follow")
    if not (read.runs or outside.units):
        return _refused(s, cls, "nothing in this file runs its graph")  # a library's class
    if read.session_param is not None and not queries.holds(s.module, cst.Call, lambda c: isinstance(
            c.func, cst.Name) and c.func.value == cls.name.value):
        return _refused(s, cls, "other files make its instances and pass it the session, which its rewrite no "
                                "longer takes")
    read.outside = outside
    read.units = {u.name for u in outside.units}
    read.instance = outside.instance
    for name, func in read.runs.items():
        params = {p.name.value for p in func.params.params}
        own = params | queries.bound_names(func.body) | comprehension_names(func)
        if (queries.names_in(func.body) - own) & program:
            return _refused(s, cls, f"its method {name} reads a global that its graph binds too")
        # `def predict(self, x, training)` feeding `self.training`: its own `training` is renamed while
        # the program is rewritten, and named so again in the method
        read.renamed[name] = {local: fresh_name(taken, f"{local}_value") for local in sorted(own & program - {"_"})}
    return read


def _parameters_kept(read: Read, init: cst.FunctionDef) -> List[cst.BaseStatement]:
    """The graph code reading ``__init__``'s parameters from ``self`` (``self.n_classes = n_classes`` first
    where the class does not keep them yet): the methods its tensors become read them there."""
    params = {p.name.value for p in init.params.params[1:]} - {read.session_param}
    graph = cst.Module(body=read.graph)
    reads = queries.names_in(graph) & params
    bound = queries.bound_names(graph) | comprehension_names(graph) | {
        p.name.value for p in queries.find(graph, cst.Param)}
    if not reads or reads & bound:
        return read.graph  # none read, or one bound again: as written
    names = [queries.names_in(stmt) for stmt in read.graph]
    kept = set()  # `self.size = size` before any other statement reads `size`
    for index, stmt in enumerate(read.graph):
        name = self_attr(_assigned(stmt))
        if name in reads and isinstance(stmt.body[0].value, cst.Name) and stmt.body[0].value.value == name and not any(
                name in other for other in names[:index]):
            kept.add(name)
    targets = [self_attr(t.target) for t in queries.find(graph, cst.AssignTarget)]
    if (reads - kept) & set(targets) or any(targets.count(name) > 1 for name in kept):
        return read.graph  # `self.size = size * 2`: another value under that name
    keeping = {id(stmt) for stmt in read.graph if self_attr(_assigned(stmt)) in kept}
    reading = model_aliases.SelfReads(reads, model_aliases.skipped(graph))
    new = [cst.parse_statement(f"self.{name} = {name}\n") for name in sorted(reads - kept)]
    read.kept_params = reads - kept
    return new + [stmt.visit(reading) if id(stmt) not in keeping and used & reads else stmt
                  for stmt, used in zip(read.graph, names)]


class _Shapes(Transformer):
    """A placeholder's dimension read from ``self`` (or from a name the graph code binds to a value read
    from it: ``bs = self.batch_size``) is None in the program: its method's input signature is written in
    the class body, where no instance is."""

    def __init__(self, s: Rewrite, graph: List[cst.BaseStatement]) -> None:
        self.s = s
        self.dropped = False  # a dimension is None in the program
        self.instance = {"self"}
        for stmt in graph:
            target = _assigned(stmt)
            if isinstance(target, cst.Name) and queries.names_in(stmt.body[0].value) & self.instance:
                self.instance.add(target.value)

    def leave_Call(self, original, updated):
        if self.s.call_name(original) != "placeholder":
            return updated
        shape = _tf.argument(updated, 1, "shape")
        if shape is None or not isinstance(shape.value, (cst.List, cst.Tuple)):
            return updated
        elements = [e.with_changes(value=cst.Name("None")) if self.instance & queries.names_in(e.value) else e
                    for e in shape.value.elements]
        self.dropped = self.dropped or elements != list(shape.value.elements)
        new = shape.with_changes(value=shape.value.with_changes(elements=elements))
        return updated.with_changes(args=[new if a is shape else a for a in updated.args])


def _session(s: Rewrite, cls: cst.ClassDef, init: cst.FunctionDef) -> Optional[Tuple[str, Optional[str]]]:
    """The attribute holding the session, and the parameter of ``__init__`` that passes it in (None
    when ``__init__`` makes it)."""
    runs = {self_attr(call.func.value) for call in queries.find(cls, cst.Call, lambda c: (
        isinstance(c.func, cst.Attribute) and c.func.attr.value == "run" and self_attr(c.func.value)))}
    if not runs and not queries.calls_of(cls, s.call_name, _vocab.SESSIONS, first=True):
        return "", None  # the graph only: the code that makes an instance runs it
    if not runs and not queries.calls_of(init, s.call_name, _vocab.SESSIONS, first=True) and _sessions_in_withs(s, cls):
        return "", None  # each method opens a session of its own (`with tf.Session() as sess:`): a program's function
    if len(runs) != 1:
        return None
    attr = runs.pop()
    params = init.params
    positional = [p.name.value for p in params.params[1:]]
    made = [stmt for stmt in init.body.body if self_attr(_assigned(stmt)) == attr]
    if len(made) != 1:
        return None
    value = made[0].body[0].value
    if isinstance(value, cst.Name) and value.value in positional and not (
            params.star_arg is not cst.MaybeSentinel.DEFAULT and params.star_arg is not None):
        param = next(p for p in params.params if p.name.value == value.value)
        uses = [n for n in queries.find(init.body, cst.Name, values=True) if n.value == value.value]
        if param.default is not None or len(uses) != 1:
            return None
        return attr, value.value
    if isinstance(value, cst.Call) and s.call_name(value) in _vocab.SESSIONS and not value.args:
        return attr, None
    return None


def _sessions_in_withs(s: Rewrite, cls: cst.ClassDef) -> bool:
    """Is every session the class makes the item of a ``with`` in a method?"""
    items = {id(item.item) for w in queries.find(cls, cst.With) for item in w.items}
    return all(id(call) in items for call in queries.calls_of(cls, s.call_name, _vocab.SESSIONS))


def _assigned(stmt) -> Optional[cst.BaseExpression]:
    """The single target of ``target = value``."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        targets = stmt.body[0].targets
        if len(targets) == 1:
            return targets[0].target
    return None


def _build_call(stmt, functions: Dict[str, cst.FunctionDef]) -> Optional[str]:
    """``self._build_net()``: the method ``__init__`` calls to build the graph."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)):
        return None
    call = stmt.body[0].value
    if not isinstance(call, cst.Call) or any(a.keyword is not None or a.star or not isinstance(a.value, cst.Name)
                                             for a in call.args):
        return None
    name = self_attr(call.func)
    method = functions.get(name) if name else None
    if method is None or method.decorators or not self_first(method) or not (
            isinstance(method.body, cst.IndentedBlock)) or queries.find(method, cst.Return, first=True):
        return None
    params = method.params
    if len(params.params) != len(call.args) + 1 or params.posonly_params or params.kwonly_params or not (
            isinstance(params.star_arg, cst.MaybeSentinel)) or params.star_kwarg is not None:
        return None
    return name


def _arguments(call: cst.Call, method: cst.FunctionDef) -> List[cst.SimpleStatementLine]:
    """The build method's parameters bound to what ``__init__`` passes (none for the same name)."""
    return [cst.parse_statement(f"{p.name.value} = {a.value.value}\n")
            for p, a in zip(method.params.params[1:], call.args) if p.name.value != a.value.value]


def _calls_maker(s: Rewrite, node) -> bool:
    makers = _vocab.PLACEHOLDERS | _vocab.VARIABLES | set(_vocab.OPTIMIZERS) | {"get_variable", *_vocab.LAYERS}
    return bool(queries.calls_of(node, s.call_name, makers, first=True))


def _graph_attributes(s: Rewrite, graph: List[cst.BaseStatement]) -> Set[str]:
    """``self.<a>`` bound in the graph code to something computed with TensorFlow or the graph."""
    module = cst.Module(body=graph)
    local = queries.bound_names(module) - {"self"}
    assignments: List[Tuple[str, cst.CSTNode]] = []
    for assign in queries.find(module, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
        targets = [t.target for t in assign.targets] if isinstance(assign, cst.Assign) else [assign.target]
        for target in targets:
            for element in queries.elements(target) if isinstance(target, (cst.Tuple, cst.List)) else [target]:
                name = self_attr(element)
                if name is not None:
                    assignments.append((name, assign.value))
    found: Set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, value in assignments:
            if name in found or value is None:
                continue
            reads = queries.names_in(value) | self_reads(value)
            if reads & (set(s.p.tf_locals) | found | local):
                found.add(name)
                changed = True
    return found


def _attribute_uses(cls: cst.ClassDef, name: str) -> int:
    return len(queries.find(cls, cst.Attribute, lambda a: a.attr.value == name))


def _beyond_runs(cls: cst.ClassDef, session: str) -> bool:
    """Is the session used for anything but ``self.<session>.run(...)`` and ``.close()``, a saver's
    ``save(self.<session>, ...)`` / ``restore(...)`` and a file writer's ``self.<session>.graph``?"""
    uses = queries.find(cls, cst.Attribute, lambda a: self_attr(a) == session)
    runs = {id(c.func.value) for c in queries.find(cls, cst.Call, lambda c: (
        isinstance(c.func, cst.Attribute) and c.func.attr.value in ("run", "close")
        and self_attr(c.func.value) == session))}
    runs |= {id(c.args[0].value) for c in queries.find(cls, cst.Call, lambda c: (
        isinstance(c.func, cst.Attribute) and c.func.attr.value in ("save", "restore") and c.args
        and self_attr(c.args[0].value) == session))}
    writers = [c for c in queries.find(cls, cst.Call) if (queries.dotted(c.func) or "").endswith("FileWriter")]
    runs |= {id(a.value) for w in writers for a in queries.find(w, cst.Attribute, lambda a: (
        a.attr.value == "graph" and self_attr(a.value) == session))}
    made = {id(t.target) for t in queries.find(cls, cst.AssignTarget, lambda t: self_attr(t.target) == session)}
    return any(id(a) not in runs | made for a in uses)


def _trains(value) -> bool:
    return isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and (
        value.func.attr.value in ("minimize", "apply_gradients"))


# --- the program the class stands for ---------------------------------------------------------------

class _Lower(Transformer):
    """``self.<attribute>`` of the graph -> ``<attribute>``; ``self.<session>`` -> the session."""

    def __init__(self, read: Read) -> None:
        self.read = read

    def leave_Attribute(self, original, updated):
        name = self_attr(updated)
        if name == self.read.session_attr:
            return cst.Name(self.read.session, lpar=updated.lpar, rpar=updated.rpar)
        if name in self.read.attributes:
            return cst.Name(name, lpar=updated.lpar, rpar=updated.rpar)
        return updated


def _program(s: Rewrite, read: Read, sessions: Dict[str, str], sized: bool = False) -> cst.Module:
    lower = _Lower(read)
    shapes = _Shapes(s, read.graph)  # (not when sized: the instance's own signatures keep the sizes)
    body: List[cst.BaseStatement] = model_methods.functions(s, read)
    for stmt in read.graph:
        stmt = stmt.visit(model_methods.Calls(read)) if read.model_methods else stmt
        if queries.calls_of(stmt, s.call_name, {"placeholder"}, first=True) and not sized:
            stmt = stmt.visit(shapes)
        if "self" in queries.names_in(stmt):
            stmt = stmt.visit(lower)
        body.append(layout.shift(stmt, -read.depth, bracketed=False))
    read.unsized = shapes.dropped
    if read.session_param is not None:
        body += [cst.parse_statement(f"{read.session} = {s.tf}.Session()\n"),
                 cst.parse_statement(f"{read.session}.run({s.tf}.global_variables_initializer())\n")]
    for func in read.runs.values():
        func = func.with_changes(params=func.params.with_changes(params=func.params.params[1:]))
        func = rename_locals(func, read.renamed[func.name.value]).visit(lower)
        if queries.find(func, cst.Return, first=True):
            func = func.visit(ReturnedRuns(read))
        body.append(layout.shift(func, -read.method_depth, bracketed=False))
    body += model_units.lower(s, read, read.outside, read.class_name, sessions)
    return cst.Module(body=body, default_indent=s.module.default_indent, default_newline=s.module.default_newline)
