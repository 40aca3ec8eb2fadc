"""Checkpoints: ``tf.train.Saver`` as a ``tf.train.Checkpoint`` of the program's objects.

``saver.save(sess, path)`` becomes ``checkpoint.write(path)``, ``saver.restore(sess,
path)`` ``checkpoint.read(path).assert_existing_objects_matched()``; numbered saves (``global_step=``) a
``tf.train.CheckpointManager`` that names and keeps checkpoints as the Saver did.
The new checkpoints are object-based: a finding says that TF1's cannot be read back.
"""
from __future__ import annotations

from keyword import iskeyword
from typing import List, Optional

import libcst as cst

from tfmigrate.names import dotted_name

from .. import _tf, _vocab
from . import bindings as B
from . import fetches, queries
from .state import Rewrite, Unsupported

FORMAT_NOTE = ("tf.train.Checkpoint writes object-based checkpoints: it cannot read back what TF1's "
               "tf.train.Saver wrote (start from a fresh folder, or load old values with tf.train.load_checkpoint)")


_STATE_READERS = frozenset({"train.get_checkpoint_state", "train.latest_checkpoint", "train.checkpoint_exists",
                            "train.get_checkpoint_mtimes"})


def saver(s: Rewrite, name: str, call: cst.Call, node: cst.Assign) -> cst.Assign:
    """``tf.train.Saver()`` -> a ``tf.train.Checkpoint`` of every variable built so far; ``max_to_keep``
    is how many numbered checkpoints its ``CheckpointManager`` keeps (TF1's 0 or None: all of them)."""
    keep = "5"
    chosen = None  # `tf.train.Saver({'weights': W, 'bias': b})` / `Saver([W, b])`: (key, variable) pairs
    for index, arg in enumerate(call.args):
        key = arg.keyword.value if arg.keyword is not None else ("var_list" if index == 0 else None)
        if key == "var_list" and s.call_name(arg.value) in _vocab.VARIABLE_LISTS:
            continue
        if key == "var_list" and _chosen(s, arg.value) is not None:
            chosen = _chosen(s, arg.value)
            renamed = [k for k, v in chosen if k != v]
            if renamed and len(queries.calls_of(s.module, s.call_name, {"train.Saver"})) > 1:
                s.saver_renamed[name] = renamed[0]  # its restore may read what the other Saver wrote
            continue
        literal = arg.value.value if isinstance(arg.value, (cst.Integer, cst.Name)) else None
        if key == "max_to_keep" and literal is not None and (literal == "None" or literal.isdigit()):
            keep = "None" if literal in ("None", "0") else literal
            continue
        if key == "max_to_keep" and literal is None and not queries.names_in(arg.value) & s.b.graph_names():
            # a setting (`FLAGS.max_num_checkpoint`): TF1 kept every checkpoint for 0 as for None
            code = s.code(arg.value)
            simple = isinstance(arg.value, (cst.Attribute, cst.Call, cst.Subscript))
            keep = f"{code} or None" if simple else f"({code}) or None"
            continue
        raise Unsupported(call, "tf.train.Saver with arguments (a variable list or options)")
    s.saver_keep[name] = keep
    s.note(call, FORMAT_NOTE)
    objects = _objects(s)
    if not objects:
        raise Unsupported(call, "tf.train.Saver of variables this rewrite has not seen made (by a call to code "
                                "it does not follow, or none yet)")
    s.b.rebind(name)
    s.b.bind(name, B.SAVER)
    s.saver_objects[name] = frozenset(v for _, v in chosen) if chosen else frozenset(objects)
    args = ", ".join(f"{k}={v}" for k, v in (chosen or [(o, o) for o in objects]))
    return node.with_changes(value=s.expr(f"{s.tf}.train.Checkpoint({args})"))


def _chosen(s: Rewrite, value) -> Optional[List[tuple]]:
    """The variables a Saver is given, by the names its checkpoint keeps them under: a dict whose keys are
    identifiers, or a list of the program's variables by name."""
    if isinstance(value, cst.Dict):
        pairs = [(e.key.evaluated_value, e.value) for e in value.elements
                 if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)]
    elif isinstance(value, (cst.List, cst.Tuple)):
        pairs = [(e.value.value, e.value) for e in value.elements
                 if isinstance(e, cst.Element) and isinstance(e.value, cst.Name)]
    else:
        return None
    if not pairs or len(pairs) != len(value.elements) or len({k for k, _ in pairs}) != len(pairs):
        return None
    if not all(isinstance(k, str) and k.isidentifier() and k not in ("root", "save_counter") and not iskeyword(k)
               and isinstance(v, cst.Name) and s.b.is_(v.value, B.VARIABLE) for k, v in pairs):
        return None
    return [(k, v.value) for k, v in pairs]


def _objects(s: Rewrite) -> List[str]:
    """Every variable, Keras layer, module of a model function (modules.py) and optimizer the program has
    made so far."""
    instances = [] if s.model_state is None else [i for i in s.model_state.instances.values() if i not in s.layers]
    objects = [*sorted(s.b.names(B.VARIABLE, B.CONTAINER)), *s.layers, *instances, *sorted(s.b.names(B.OPTIMIZER))]
    return objects + [o for o in s.optimizer_objects if o not in objects]


def saver_call(s: Rewrite, call: cst.Call) -> Optional[cst.BaseExpression]:
    """``saver.save(sess, path)`` / ``saver.restore(sess, path)`` on a converted saver."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and s.b.is_(func.value.value, B.SAVER)):
        return None
    method = func.attr.value
    session = _tf.argument(call, 0, "sess")
    path = _tf.argument(call, 1, "save_path")
    step = _tf.argument(call, 2, "global_step") if method == "save" else None
    extra = [a for a in call.args if a is not session and a is not path and a is not step]
    if method not in ("save", "restore") or path is None or extra:
        raise Unsupported(call, f"saver.{method}() beyond saving or restoring to a path")
    if session is None or not (isinstance(session.value, cst.Name) and s.b.is_(session.value.value, B.SESSION)):
        raise Unsupported(call, f"saver.{method}() with something other than the program's session")
    target = s.code(fetches.rewrite(s, path.value))
    if method == "save" and step is not None:
        return numbered_save(s, func.value.value, path.value, step.value)
    if method == "save":
        state = queries.calls_of(s.module, s.call_name, _STATE_READERS, first=True)
        if state:  # Saver.save wrote the folder's `checkpoint` file too, which Checkpoint.write leaves alone
            raise Unsupported(call, f"saver.save() without global_step in a program that reads a folder's "
                                    f"checkpoint state (tf.{s.call_name(state[0])}): tf.train.Checkpoint.write does "
                                    "not record the checkpoint it writes there")
        return s.expr(f"{func.value.value}.write({target})")
    if func.value.value in s.saver_renamed:  # the other Saver's checkpoint keys it by its Python name now
        raise Unsupported(call, f"a restore by tf.train.Saver keying {s.saver_renamed[func.value.value]} by a TF1 "
                                "name beside another Saver (the rewrite's checkpoints key variables by their Python "
                                "names)")
    if s.reinitialised is not None and set(_objects(s)) <= s.saver_objects.get(func.value.value, frozenset()):
        # `sess.run(init)` in a new session, then this restore: it overwrites every value the run reset
        s.reinitialised = None
    # a key the checkpoint lacks would restore nothing, silently: it raises instead
    return s.expr(f"{func.value.value}.read({target}).assert_existing_objects_matched()")


def numbered_save(s: Rewrite, saver_name: str, path: cst.BaseExpression, step: cst.BaseExpression) -> cst.BaseExpression:
    """``saver.save(sess, "dir/name", global_step=step)``: TF1 wrote ``dir/name-<step>``, kept the
    last five and recorded them in ``dir/checkpoint``; a ``tf.train.CheckpointManager`` does the same.
    The folder may be computed: ``folder + "/name"``, ``os.path.join(folder, "name")``."""
    joined = _joined(s, path)
    if joined is not None:
        folder_code, quote, name = joined
    else:
        if not isinstance(path, cst.SimpleString) or path.prefix.lower() not in ("", "r"):
            raise Unsupported(path, "saver.save(..., global_step=...) to a path that is not a plain string")
        folder, _, name = path.evaluated_value.rpartition("/")
        if not name:
            raise Unsupported(path, "saver.save(..., global_step=...) to a folder path")
        quote = path.quote
        folder = folder or "."
        if quote in folder or quote in name or "\\" in folder + name:
            raise Unsupported(path, "saver.save(..., global_step=...) to a path with quotes or escapes")
        folder_code = f"{quote}{folder}{quote}"
    step_code = s.code(fetches.rewrite(s, step))
    keep = s.saver_keep.get(saver_name, "5")
    return s.expr(f"{s.tf}.train.CheckpointManager({saver_name}, {folder_code}, max_to_keep={keep}, "
                  f"checkpoint_name={quote}{name}{quote}).save(checkpoint_number={step_code})")


def _joined(s: Rewrite, path: cst.BaseExpression):
    """``folder + "/name"`` or ``os.path.join(folder, "name")``: (the folder's code, the quote, the
    name), for a plain name without quotes, escapes or further slashes; else None."""
    if isinstance(path, cst.BinaryOperation) and isinstance(path.operator, cst.Add):
        folder, name = path.left, path.right
        if not (isinstance(name, cst.SimpleString) and (name.evaluated_value.startswith("/") or (
                _module_string(s, folder) or "").endswith("/"))):
            return None
    elif (isinstance(path, cst.Call) and dotted_name(path.func) == "os.path.join" and len(path.args) == 2
          and not any(a.star or a.keyword for a in path.args)):
        folder, name = path.args[0].value, path.args[1].value
    else:
        return None
    if not isinstance(name, cst.SimpleString) or name.prefix.lower() not in ("", "r"):
        return None
    text = name.evaluated_value.lstrip("/") if isinstance(path, cst.BinaryOperation) else name.evaluated_value
    if not text or "/" in text or name.quote in text or "\\" in text or len(name.quote) != 1:
        return None
    return s.code(fetches.rewrite(s, folder)), name.quote, text


def _module_string(s: Rewrite, node: cst.BaseExpression) -> Optional[str]:
    """The value of a name the module binds once, to a plain string (``savedir = "nets/"``)."""
    value = queries.module_constants(s.p.module).get(node.value) if isinstance(node, cst.Name) else None
    return value.evaluated_value if isinstance(value, cst.SimpleString) and isinstance(
        value.evaluated_value, str) else None


def checkpoint_exists(s: Rewrite, prefix: cst.BaseExpression) -> cst.BaseExpression:
    """``tf.train.checkpoint_exists(p)``: a checkpoint a tf.train.Checkpoint writes is known by its index file."""
    code = s.code(prefix)
    if not isinstance(prefix, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString)):
        code = f"({code})"
    return s.expr(f'{s.tf}.io.gfile.exists({code} + ".index")')
