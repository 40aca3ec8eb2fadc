"""What each file of a run becomes once fixed, for the run as a whole (tfmigrate/project.py): an eager
program, a file kept on tensorflow.compat.v1 with TF2 behaviour off, an Estimator program whose model_fn is
another file's, or a file of model and input functions that builds no Estimator."""
from __future__ import annotations

from typing import Tuple

from tfmigrate import merge
from tfmigrate.rule import Context

from . import _compat, _estimator
from ._eager import summaries
from ._runs import executes
from .graph import plan


def program_mode(context: Context) -> Tuple[str, str]:
    """("eager", "") for a file whose fix is an eager program, ("compat", reason) for one the fix
    leaves on tensorflow.compat.v1 with TF2 behaviour off, ("estimator-program", "") for an
    Estimator program whose model_fn is another file's, ("estimator-library", "") for a file that
    uses tf.estimator and builds no Estimator, ("variable-library", function) for a file of definitions whose
    functions make tf.Variables for a TF1 program to share (the first of them), else ("", ""): what a run over several files
    needs to know of each (tfmigrate/project.py)."""
    if _estimator.uses_estimator(context):
        plan(context)
        problem = context.shared.get("estimator-problem")
        if problem is not None and context.merged is None:
            from ._estimator.program import LIBRARY, PROGRAM

            if problem.reason in LIBRARY:
                return "estimator-library", ""
            if problem.reason in PROGRAM:
                return "estimator-program", ""
    elif _compat.uses_graph(context):
        result = plan(context)
        if result.eager is not None:  # (a switch the file calls itself goes with the rewrite)
            return ("eager" if executes(context) else ""), ""
        if result.reason == summaries.MERGED_NONE:  # what it merges may be made by a library of the run's
            return "eager", ""  # (read with it, the two are one program; else this file stays on compat anyway)
        if result.reason is not None and not result.manual:
            return "compat", result.reason
    elif _variable_functions(context):
        return "variable-library", _variable_functions(context)
    if _compat.switches_off(context.module):
        return "compat", "it calls disable_v2_behavior() itself"
    return "", ""


def _variable_functions(context: Context) -> str:
    """A file of definitions whose functions make variables (``tf.Variable``, a name TensorFlow 2 still
    has) and return what they compute from them, which nothing in the file calls: TF1 made those
    variables once, when its graph was built; called by a program's eager rewrite, each call would make
    new ones. The first such function, else "": a program of the run importing it is rewritten together
    with it."""
    if "Variable" not in (context.text or "Variable") or not merge.definitions_only(context.module):
        return ""
    cached = context.shared.get("variable-functions")
    if cached is None:
        from ._eager import scopes
        from ._eager.program import Program

        library = sorted(scopes.find(Program(context.module, context.imports, context.text), context.module).library)
        cached = context.shared["variable-functions"] = library[0] if library else ""
    return cached
