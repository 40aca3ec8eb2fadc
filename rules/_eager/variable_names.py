"""TF1 variable names at module level: layers shared by name, collections read by scope.

TF1 named each variable after the variable scopes open where it was made
(``Discriminator/l/kernel``), and two things read those names back:

- ``tf.layers.dense(x, 128, name="l", reuse=True)`` shares the variables of the layer
  made before under the same name: the rewrite calls that Keras layer again;
- ``tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="Discriminator")`` (and
  ``tf.trainable_variables(scope)``, ``tf.global_variables(scope)``) lists the variables whose
  names start with the scope: the rewrite lists those that its layers and variables hold.

A module-level ``with tf.variable_scope("Generator"):`` (one literal name, no sharing)
becomes a name scope (``interpret.with_statement``) and puts its name in front of what is
made inside. Names the rewrite cannot know (a scope named by a variable) make a lookup
that depends on them unsupported, never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import libcst as cst

from .. import _tf
from . import queries, scopes
from .state import Rewrite, Unsupported

COLLECTIONS = {"get_collection", "trainable_variables", "global_variables"}
_KEYS = {"GraphKeys.TRAINABLE_VARIABLES": True, "GraphKeys.GLOBAL_VARIABLES": False}


@dataclass
class Made:
    """Something that holds variables: its TF1 name as far as known, and how the rewrite lists them."""

    known: Optional[str]  # the name (``D/l``), the scope prefix only (``D/``) when the rest is TF1's
    # default, or None under a scope named by a variable
    exact: bool  # ``known`` is the whole name
    trainable: str  # code of the list of its trainable variables
    every: str  # code of the list of all its variables
    parts: Optional[List[Part]] = None  # what it holds one by one, where a filter by name needs that


@dataclass
class Part:
    """One variable, or the variables of one Keras layer, that a module holds."""

    known: Optional[str]  # a variable's whole TF1 name (``D/l1/w``), the scopes above a layer (``D/``), or None
    variable: bool  # a variable (``known`` is its name), else a layer (``known`` starts its variables' names)
    trainable: str  # code of the list of its trainable variables ("[]": none)
    every: str


@dataclass
class Names:
    path: List[Optional[str]] = field(default_factory=list)  # module-level scopes open now (None: not a literal)
    layers: Dict[str, str] = field(default_factory=dict)  # TF1 name of a layer -> its Keras layer
    made: List[Made] = field(default_factory=list)
    every: Dict[str, cst.Call] = field(default_factory=dict)  # `t_vars = tf.trainable_variables()`, filtered only


def _names(s: Rewrite) -> Names:
    if s.variable_names is None:
        s.variable_names = Names()
    return s.variable_names


def enter(s: Rewrite, call: cst.Call) -> None:
    """A module-level naming scope opens (``with tf.variable_scope("G"):``)."""
    _names(s).path.append(scopes.literal(call.args[0].value) if call.args else None)


def leave(s: Rewrite) -> None:
    _names(s).path.pop()


def _prefix(s: Rewrite) -> Optional[str]:
    path = _names(s).path
    return None if None in path else "".join(f"{p}/" for p in path)


def reuse_value(s: Rewrite, node: cst.BaseExpression) -> Optional[str]:
    """A ``reuse=`` value (of a variable scope, a model function's parameter or a layer call): "True",
    "AUTO_REUSE", or None for False and None; raises Unsupported for any other."""
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return "True" if node.value == "True" else None
    if s.tf_name(node) == "AUTO_REUSE":
        return "AUTO_REUSE"
    raise Unsupported(node, f"reuse={s.code(node)} (the rewrite reads True, False, None and tf.AUTO_REUSE)")


def shared_layer(s: Rewrite, call: cst.Call, name: str) -> Tuple[Optional[str], Optional[str]]:
    """For ``tf.layers.<name>(...)``: the Keras layer it shares (or None), and its TF1 name when known."""
    given = _tf.argument(call, None, "reuse")
    reuse = reuse_value(s, given.value) if given is not None else None
    arg = _tf.argument(call, None, "name")
    literal = scopes.literal(arg.value) if arg is not None else None
    prefix = _prefix(s)
    full = f"{prefix}{literal}" if literal is not None and prefix is not None else None
    if reuse is None:
        return None, full
    if full is None:
        raise Unsupported(call, f"tf.{name}(reuse=...) under a name the rewrite cannot read")
    layer = _names(s).layers.get(full)
    if layer is None and reuse == "True":
        raise Unsupported(call, f"tf.{name} reuses the variables of layer '{full}', which no earlier layer made")
    return layer, full


def made_layer(s: Rewrite, full: Optional[str], layer: str) -> None:
    """A Keras layer the rewrite built for a tf.layers call (``full``: its TF1 name, when known)."""
    names = _names(s)
    if full is not None:
        names.layers[full] = layer
    known = full if full is not None else _prefix(s)
    part = Part(f"{full}/" if full is not None else known, False, f"{layer}.trainable_variables", f"{layer}.variables")
    names.made.append(Made(known, full is not None, part.trainable, part.every, [part]))


def made_module(s: Rewrite, key: str, listing: Optional[List[Part]]) -> None:
    """The instance of a model function's module made for the calls under scope ``key`` ("" when the calls
    run under no scope: TF1 named its variables by default); ``listing``: its variables and layers one by
    one (None where the rewrite cannot list them)."""
    if not key or listing is None:
        _names(s).made.append(Made(None, False, "", ""))
        return
    trainable, every = (" + ".join(p for p in parts if p != "[]") or "[]"
                        for parts in ([p.trainable for p in listing], [p.every for p in listing]))
    _names(s).made.append(Made(f"{key}/", False, trainable, every, listing))


def made_variable(s: Rewrite, call: cst.Call, name: str, target: str) -> None:
    """``target = tf.Variable(...)`` or ``tf.get_variable(...)`` at module level."""
    arg = scopes.name_argument(name, call)
    literal = scopes.literal(arg.value) if arg is not None else ("Variable" if name != "get_variable" else None)
    prefix = _prefix(s)
    kept = trainable(call)
    if literal is None or prefix is None or kept is None:
        _names(s).made.append(Made(None, False, "", ""))
        return
    listed = f"[{target}]" if kept else "[]"
    _names(s).made.append(Made(f"{prefix}{literal}", True, listed, f"[{target}]",
                               [Part(f"{prefix}{literal}", True, listed, f"[{target}]")]))


def renamed(s: Rewrite, old: str, new: str) -> None:
    """The variable made as ``old`` is listed as ``new`` (``graph_loops``: a name the rewrite gives it)."""
    for made in _names(s).made:
        if made.trainable == f"[{old}]" or made.every == f"[{old}]":
            made.trainable, made.every = (f"[{new}]" if code == f"[{old}]" else code
                                          for code in (made.trainable, made.every))
            for part in made.parts or ():
                part.trainable, part.every = made.trainable, made.every


def trainable(call: cst.Call) -> Optional[bool]:
    """The ``trainable=`` a variable is made with (True when not given); None when it is not a literal."""
    arg = _tf.argument(call, None, "trainable")
    if arg is None:
        return True
    if isinstance(arg.value, cst.Name) and arg.value.value in ("True", "False"):
        return arg.value.value == "True"
    return None


def made_container(s: Rewrite, value: cst.BaseExpression, target: str) -> None:
    """``target = {"h1": tf.Variable(...), ...}`` (or a list of variables) at module level."""
    prefix = _prefix(s)
    listed = f"list({target}.values())" if isinstance(value, cst.Dict) else f"list({target})"
    trainable = any(a.keyword is not None and a.keyword.value == "trainable"
                    for call in _calls(value) for a in call.args)
    if prefix is None or trainable:
        _names(s).made.append(Made(None, False, "", ""))
        return
    _names(s).made.append(Made(prefix, False, listed, listed))


def made_in_passes(s: Rewrite, lists: List[str]) -> None:
    """Variables a module-level loop made pass by pass into ``lists`` (``graph_loops``), listed in TF1's
    order: pass by pass."""
    prefix = _prefix(s)
    listed = f"list({lists[0]})" if len(lists) == 1 else f"[v for made in zip({', '.join(lists)}) for v in made]"
    _names(s).made.append(Made(prefix, False, listed, listed) if prefix is not None else Made(None, False, "", ""))


def _calls(value: cst.BaseExpression) -> List[cst.Call]:
    elements = value.elements if isinstance(value, (cst.Dict, cst.List, cst.Tuple)) else ()
    return [e.value for e in elements if isinstance(getattr(e, "value", None), cst.Call)]


def is_collection(s: Rewrite, node) -> bool:
    return isinstance(node, cst.Call) and s.call_name(node) in COLLECTIONS


def _read(s: Rewrite, call: cst.Call) -> Tuple[bool, Optional[str]]:
    """(trainable only, scope filter or None) of a collection call; raises Unsupported."""
    name = s.call_name(call)
    if any(a.star for a in call.args):
        raise Unsupported(call, f"tf.{name}(*args)")
    if name == "get_collection":
        key = _tf.argument(call, 0, "key")
        scope = _tf.argument(call, 1, "scope")
        if key is None or s.tf_name(key.value) not in _KEYS or len(call.args) > 2:
            raise Unsupported(call, "tf.get_collection of a collection other than the trainable or global variables")
        trainable = _KEYS[s.tf_name(key.value)]
    else:
        scope = _tf.argument(call, 0, "scope")
        if len(call.args) > 1:
            raise Unsupported(call, f"tf.{name} with arguments beyond scope")
        trainable = name == "trainable_variables"
    if scope is None or (isinstance(scope.value, cst.Name) and scope.value.value == "None"):
        return trainable, None
    literal = scopes.literal(scope.value)
    if literal is None or re.search(r"[.^$*+?{}\[\]\\|()]", literal):
        raise Unsupported(call, f"tf.{name} with a scope that is not a plain string")
    return trainable, literal


def whole(s: Rewrite, call: cst.Call) -> bool:
    """``tf.trainable_variables()`` (every trainable variable): what a train step's tape watches."""
    trainable, scope = _read(s, call)
    return trainable and scope is None


def _by_name(made: cst.ListComp) -> Optional[Tuple[cst.BaseExpression, str, bool]]:
    """(what it iterates, the text, whether the name contains it rather than starts with it) of
    ``[v for v in ... if v.name.startswith("gen")]`` or ``[v for v in ... if "g_" in v.name]``, else None."""
    loop = made.for_in
    if not (isinstance(made.elt, cst.Name) and isinstance(loop.target, cst.Name) and made.elt.value == loop.target.value
            and loop.inner_for_in is None and len(loop.ifs) == 1):
        return None
    test = loop.ifs[0].test

    def name_of_target(node) -> bool:
        return (isinstance(node, cst.Attribute) and node.attr.value == "name" and isinstance(node.value, cst.Name)
                and node.value.value == loop.target.value)

    if (isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and test.func.attr.value == "startswith"
            and len(test.args) == 1 and not test.args[0].keyword and not test.args[0].star
            and isinstance(test.args[0].value, cst.SimpleString) and name_of_target(test.func.value)):
        text, contains = scopes.literal(test.args[0].value), False
    elif (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
          and isinstance(test.comparisons[0].operator, cst.In) and name_of_target(test.comparisons[0].comparator)):
        text, contains = scopes.literal(test.left), True
    else:
        return None
    if not text or (not contains and re.search(r"[.^$*+?{}\[\]\\|()]", text)):
        return None
    return loop.iter, text, contains


def filtered(s: Rewrite, made: cst.ListComp) -> Optional[cst.BaseExpression]:
    """``[v for v in tf.trainable_variables() if v.name.startswith("gen")]`` (a GAN's var_list; also over
    ``t_vars = tf.trainable_variables()``): the variables whose TF1 names start so, as
    ``tf.trainable_variables("gen")`` lists them (TF1 matched a scope at the start of the name too);
    ``if "g_" in v.name``: those whose TF1 names hold the text; None for another comprehension."""
    found = _by_name(made)
    if found is None:
        return None
    listing, text, contains = found
    through_name = isinstance(listing, cst.Name)  # `t_vars`, which goes (every_filtered)
    if through_name:
        listing = _names(s).every.get(listing.value)
    if not is_collection(s, listing):
        return None
    trainable, scope = _read(s, listing)
    if scope is not None:
        return None
    if not contains:
        return _listed(s, listing, trainable, text)
    try:
        return _containing(s, listing, trainable, text)
    except Unsupported:
        if through_name:
            raise
        # names the rewrite does not know decide: the list of the program's variables is filtered where it is
        # read, by their TF2 names (a Keras 3 layer's `kernel`, `moving_mean`)
        return None


# The variables TF1's layers make, by the name each takes below the layer's.
_LAYER_VARIABLES = ("kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance", "depthwise_kernel",
                    "pointwise_kernel", "embeddings", "recurrent_kernel")


def _containing(s: Rewrite, call: cst.Call, trainable: bool, text: str) -> cst.BaseExpression:
    """The variables made so far whose TF1 names (``D/d_fc1/w:0``) hold ``text``, in TF1's order, as one list
    expression; Unsupported where a name the rewrite does not know decides."""
    head = f"[v for v in tf.{s.call_name(call)}() if {text!r} in v.name]"
    if s.rnn_used:
        raise Unsupported(call, f"{head} in a program whose RNNs make variables the rewrite does not list by name")
    parts = []
    for made in _names(s).made:
        for part in made.parts if made.parts is not None else [Part(None, True, "?", "?")]:
            listing = part.trainable if trainable else part.every
            if listing == "[]":
                continue
            if part.known is None:
                raise Unsupported(call, f"{head} after variables whose TF1 names the rewrite does not know")
            names = [f"{part.known}:0"] if part.variable else [f"{part.known}{v}:0" for v in _LAYER_VARIABLES]
            holds = {text in name for name in names}
            if len(holds) > 1 or (not part.variable and not made.exact and text not in part.known):
                raise Unsupported(call, f"{head}: whether the names TF1 gave the variables of layer "
                                        f"'{part.known}...' hold the text depends on names the rewrite does not know")
            if holds == {True}:
                parts.append(listing)
    if not parts:
        raise Unsupported(call, f"{head} matches no variable of this program")
    return s.expr(" + ".join(_merged(parts)))


def is_listing(s: Rewrite, node: cst.Name, tensor) -> bool:
    """Is a graph tensor a list of the program's variables (``[v for v in t_vars if v.name.startswith("g")]``,
    ``tf.get_collection(..., scope="g")``) that Python code may read (``len(g_vars)``) as a list? Only of
    variables made where TF1 made them: a Keras layer makes its own at its first call."""
    source = tensor.source
    listing = filtered(s, source) if isinstance(source, cst.ListComp) else (
        listed(s, source) if is_collection(s, source) else None)
    if listing is None or tensor.params:
        return False
    if re.search(r"\.(trainable_)?variables\b", s.code(listing)):
        raise Unsupported(node, f"the variable list {node.value} is read in Python code, where the Keras layers "
                                  "it lists may not have made their variables yet")
    return True


def every_filtered(s: Rewrite, name: str, call: cst.Call) -> bool:
    """``t_vars = tf.trainable_variables()`` read only by such comprehensions: it goes, they list by name."""
    uses = [n for n in queries.find(s.module, cst.Name, lambda n: n.value == name, values=True)]
    iterated = [c for c in queries.find(s.module, cst.ListComp) if _by_name(c) is not None
                and isinstance(c.for_in.iter, cst.Name) and c.for_in.iter.value == name]
    if len(uses) != len(iterated) + 1 or _read(s, call)[1] is not None:
        return False
    _names(s).every[name] = call
    return True


def listed(s: Rewrite, call: cst.Call) -> cst.BaseExpression:
    """The variables of this program's layers and variables whose TF1 names the scope matches,
    as one list expression (read where it is used: a Keras layer has variables once called)."""
    trainable, scope = _read(s, call)
    return _listed(s, call, trainable, scope)


def _listed(s: Rewrite, call: cst.Call, trainable: bool, scope: Optional[str]) -> cst.BaseExpression:
    """``scope`` None: every variable made so far (``tf.trainable_variables()`` in an L2 penalty), in the
    order TF1 made them."""
    if s.rnn_used:
        raise Unsupported(call, f"tf.{s.call_name(call)}(...) in a program whose RNNs make variables the "
                                "rewrite does not list by name")
    parts = []
    for made in _names(s).made:
        if scope is None:
            if not made.trainable and not made.every:
                raise Unsupported(call, f"tf.{s.call_name(call)}() after variables the rewrite cannot list")
            listing = made.trainable if trainable else made.every
            parts += [listing] if listing != "[]" else []
            continue
        if made.known is None:
            raise Unsupported(call, f"tf.{s.call_name(call)}(scope=...) after variables made under a scope the "
                                    "rewrite cannot name")
        if made.exact and scope.startswith(f"{made.known}/"):
            raise Unsupported(call, f"tf.{s.call_name(call)}(scope='{scope}') picks variables inside layer "
                                    f"'{made.known}'")
        if made.known.startswith(scope) and (made.trainable if trainable else made.every) != "[]":
            parts.append(made.trainable if trainable else made.every)
        elif scope.startswith(made.known) and not made.exact:
            raise Unsupported(call, f"tf.{s.call_name(call)}(scope='{scope}') names a layer TF1 named by default")
    if not parts and scope is None:
        raise Unsupported(call, f"tf.{s.call_name(call)}() before any {'trainable ' if trainable else ''}"
                                "variable of this program is made")
    if not parts:
        raise Unsupported(call, f"tf.{s.call_name(call)}(scope='{scope}') matches no "
                                f"{'trainable ' if trainable else ''}variable of this program")
    return s.expr(" + ".join(_merged(parts)))


def _merged(parts: List[str]) -> List[str]:
    """``[W] + [b] + layer.variables`` as ``[W, b] + layer.variables``."""
    merged: List[str] = []
    for part in parts:
        if merged and part != "[]" and all(re.fullmatch(r"\[[\w., ]+\]", p) for p in (merged[-1], part)):
            merged[-1] = f"{merged[-1][:-1]}, {part[1:]}"
        else:
            merged.append(part)
    return merged
