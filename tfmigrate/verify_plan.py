"""From files to a verdict: what ``tfmigrate verify`` does.

`prepare` reads both programs (the rewrite: what ``fix --unsafe-fixes``
writes, when not given) and chooses where the original runs: on the installed
TensorFlow, or on the TensorFlow 2.15.1 reference runtime (``runtimes``) when
it needs ``tf.estimator`` or Keras 2. `run_plan` runs both sides
(``verify.verify_programs``); an original that fails for want of the reference
runtime, or of a package the reference runtime lacks and this environment
has, runs again once that is had.
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import List, Optional, Set

from .comparison import DEFAULT_ATOL, DEFAULT_RTOL
from .programs import runnable
from .verify import _MISSING_MODULE, RunResult, Side, VerifyResult, verify_programs

REFERENCE_NAME = "TF 2.15.1"
ORIGINAL_RUNTIMES = ("auto", "installed", "tf2.15")


@dataclass
class Plan:
    """Both sides, ready to run, and what is known about them before they do."""

    original: Side
    rewrite: Side
    notes: List[str]
    known: List[str]
    random_hint: Optional[str]
    runtime_choice: str
    location: Optional[str]


def prepare(original_path: str, rewrite_path: Optional[str] = None, *, original_mode: str = "auto",
            original_runtime: str = "auto", reference_runtime: Optional[str] = None) -> Plan:
    """Read both programs (the rewrite: what `fix --unsafe-fixes` writes, when not given) and choose the runtimes.

    Raises programs.ProgramError for a file that cannot be read or parsed and
    runtimes.RuntimeUnavailable when the original needs the reference runtime
    and it cannot be had (both one line, to show as they are).
    """
    from . import programs, runtimes

    original = programs.load(original_path)
    if rewrite_path is None:
        rewrite, findings = programs.rewrite_of(original)
    else:
        rewrite, findings = programs.load(rewrite_path), programs.findings_of(original)
    mode = programs.original_mode(findings) if original_mode == "auto" else original_mode
    notes = [f"original {line}" for line in original.skipped]
    notes += [f"rewrite {line}" for line in rewrite.skipped if rewrite_path is not None]
    side = Side(original, mode)
    reason = None
    if original_runtime == "tf2.15":
        reason = "--original-runtime tf2.15"
    elif original_runtime == "auto":
        reason = runtimes.reference_reason(runnable(original), importlib.util.find_spec("tf_keras") is not None)
    location = os.path.abspath(reference_runtime or runtimes.default_location())
    if reason is not None:
        side = Side(original, mode, runtimes.ensure_runtime(location), REFERENCE_NAME)
        notes.append(f"the original runs on TensorFlow 2.15.1 ({location}): {reason}")
    known = programs.known_differences(original, findings, rewrite) + programs.imported_known(original, rewrite_path)
    hint = programs.random_hint(original) or programs.random_hint(rewrite)
    rewrite_mode = "tf2"
    if programs.needs_keras2(rewrite):
        rewrite_mode = "keras2"
        notes.append("the rewrite runs with tf-keras (TF_USE_LEGACY_KERAS=1): it keeps tf.compat.v1 names that "
                     "need Keras 2 (TFM106)")
    return Plan(side, Side(rewrite, rewrite_mode), notes, known, hint, original_runtime, location)


def run_plan(plan: Plan, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, timeout: float = 300,
             deterministic: bool = False, seed: int = 0) -> VerifyResult:
    """Run a prepared plan. In `auto`, an original that fails on the installed TensorFlow with an error
    only TF >= 2.16 gives (no tf.estimator, no tf.layers on Keras 3) runs again on the reference runtime."""
    from . import runtimes

    notes = list(plan.notes)
    installed: Set[str] = set()  # modules installed into the reference runtime for this run: each once

    def fallback(run: RunResult) -> Optional[Side]:
        if run.runtime:
            return _with_module(plan, run, notes, installed)
        if plan.original.runtime or not runtimes.telltale(run.error):
            return None
        if plan.runtime_choice != "auto":
            notes.append("the original needs TensorFlow 2.15.1: --original-runtime auto or tf2.15 runs it there")
            return None
        try:
            python = runtimes.ensure_runtime(plan.location)
        except runtimes.RuntimeUnavailable as error:
            notes.append(f"the original may need TensorFlow 2.15.1, which cannot be had here: {error}")
            return None
        notes.append(f"the original failed on the installed TensorFlow ({run.error}): it runs on TensorFlow "
                     f"2.15.1 ({plan.location})")
        return Side(plan.original.program, plan.original.mode, python, REFERENCE_NAME)

    result = verify_programs(plan.original, plan.rewrite, rtol=rtol, atol=atol, timeout=timeout,
                             deterministic=deterministic, seed=seed, fallback=fallback)
    result.notes = notes + result.notes
    result.known = plan.known
    result.random_hint = None if deterministic else plan.random_hint
    return result


def _with_module(plan: Plan, run: RunResult, notes: List[str], installed: Set[str]) -> Optional[Side]:
    """The original again on the reference runtime, once a module its run there lacked and this environment
    has is installed into it (`runtimes.add_module`); None when that is not the failure or it cannot be."""
    from . import runtimes

    missing = _MISSING_MODULE.search(run.error or "")
    top = missing.group(1).split(".")[0] if missing else None
    if top in (None, "tensorflow", "tf_keras") or top in installed or importlib.util.find_spec(top) is None:
        return None
    installed.add(top)
    try:
        requirement = runtimes.add_module(plan.location, top)
    except runtimes.RuntimeUnavailable as error:
        notes.append(f"the reference runtime lacks '{top}': {error}")
        return None
    notes.append(f"the reference runtime lacked '{top}', which this environment has: installed {requirement} into it")
    return Side(plan.original.program, plan.original.mode, runtimes.python_in(plan.location), run.runtime)
