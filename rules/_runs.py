"""Whether a program runs its graph: its eager rewrite then runs TensorFlow code and reads values, and
needs TF2 behaviour (the run's other files decide with that, tfmigrate/project.py)."""
from __future__ import annotations

import libcst as cst

from tfmigrate.rule import Context

from . import _testcase, _tf, _vocab


def executes(context: Context) -> bool:
    """Does the program run its graph (a session, a test session, a feed)? Its eager rewrite then
    runs TensorFlow code itself and reads values: it needs TF2 behaviour."""
    from ._eager.queries import find

    sessions = _testcase.session_calls(context)
    unused = _unused_sessions(context)
    return bool(find(context.module, cst.Call, lambda call: (
        id(call) in sessions or (_tf.call_name(context, call) in _vocab.SESSIONS and id(call) not in unused)
        or any(a.keyword is not None and a.keyword.value == "feed_dict" for a in call.args)), first=True))


def _unused_sessions(context: Context) -> set:
    """Ids of the ``sess = tf.Session(...)`` calls at module level whose name nothing reads (vgg.py of
    neural-style makes one to set GPU options): a session that runs nothing."""
    from ._eager.queries import find

    found = set()
    for stmt in context.module.body:
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
                and isinstance(stmt.body[0], cst.Assign) and len(stmt.body[0].targets) == 1):
            continue
        target, value = stmt.body[0].targets[0].target, stmt.body[0].value
        if isinstance(target, cst.Name) and isinstance(value, cst.Call) and _tf.call_name(context, value) in (
                _vocab.SESSIONS) and len(find(context.module, cst.Name, lambda n: n.value == target.value)) == 1:
            found.add(id(value))
    return found
