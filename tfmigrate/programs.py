"""What ``verify`` runs: each side as Python source, and what is known about its numbers.

A ``.py`` file runs as it is. A notebook (``.ipynb``) runs as its code cells
in order, one program, as a kernel runs them top to bottom: each cell after a
marker line, IPython magics and shell lines (``%matplotlib inline``,
``!pip install ...``, a ``%%time`` header) left out with a note, cells of
another language (``%%bash``, ``%%writefile``) left out with a note.

The rewrite, when none is given, is what ``fix --unsafe-fixes`` would write,
computed from the same sources without writing anything.
"""
from __future__ import annotations

import bisect
import json
import os
import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

CELL_MARKER = re.compile(r"^# tfmigrate-cell-(\d+)\r?$", re.MULTILINE)  # as notebook_files writes it
_PLACEHOLDER = re.compile(r"\b__tfmigrate_magic_\d+_\d+__\b")
_SEED = re.compile(r"\b(?:set_random_seed|random\.set_seed|utils\.set_random_seed)\s*\(")
_RANDOM_OP = re.compile(r"\b(?:random_normal|random_uniform|truncated_normal|random\.normal|random\.uniform|"
                        r"random\.truncated_normal|glorot_\w+|xavier_\w+|he_normal|he_uniform)\b")
_TF1_OPTIMIZER = re.compile(r"`tf\.train\.(\w+Optimizer)`")
_NOT_EQUIVALENT = re.compile(r"not numerically equivalent: (.*?)\)?$")

# The Keras optimizer class a TF1 optimizer becomes, and what is known to differ between them
# (measured on TF 2.21: Adam on fixtures/optimizer_adam, the numbers follow the float32 arithmetic below).
KERAS_CLASS = {"AdamOptimizer": "Adam", "RMSPropOptimizer": "RMSprop", "MomentumOptimizer": "SGD"}
KNOWN = {
    "AdamOptimizer": (
        "Keras Adam computes 1 - beta_2 in double precision and rounds it once (1 - 0.999 -> 0.001); TF1's "
        "Adam kernel computes it in float32 (1 - 0.999f = 0.00099998713), so the rewrite's second-moment average "
        "moves 1.3e-5 faster: losses drift apart by about 1e-5 relative over a few hundred steps, more as they "
        "shrink, and the trained values agree to about 1e-5"),
}


class ProgramError(Exception):
    """A program verify cannot read or make runnable: `str()` is one line, with the path."""


@dataclass
class Program:
    """One side of a verify run."""

    path: str  # the file it comes from (the rewrite runs under its original's path when it has no file)
    source: str  # Python to run
    notebook: bool = False
    skipped: List[str] = field(default_factory=list)  # what of a notebook was left out, one line each

    def cell_line(self, line: int) -> Optional[Tuple[int, int]]:
        """(cell, line in the cell) of a line of `source`, for a notebook."""
        if not self.notebook:
            return None
        markers = [(self.source.count("\n", 0, m.start()) + 1, int(m.group(1)))
                   for m in CELL_MARKER.finditer(self.source)]
        slot = bisect.bisect_right([start for start, _ in markers], line) - 1
        if slot < 0 or line == markers[slot][0]:
            return None
        return markers[slot][1], line - markers[slot][0]

    def where(self, line: int) -> str:
        """`line 7`, or `cell 3, line 2` in a notebook."""
        cell = self.cell_line(line)
        return f"cell {cell[0]}, line {cell[1]}" if cell else f"line {line}"


def load(path: str) -> Program:
    """The program in `path` (a .py file or a notebook); ProgramError if it cannot be read."""
    from .sources import SourceError, read_source

    try:
        text = read_source(path).text
    except SourceError as error:
        raise ProgramError(f"{path}: error: {error.reason}") from None
    if path.endswith(".ipynb"):
        return notebook_program(path, text)
    return Program(path, text)


def notebook_program(path: str, text: str) -> Program:
    """A notebook's Python code cells as one program, with a marker line before each."""
    from .notebook import NotebookError, load_notebook
    from .notebook_files import _combined

    try:
        notebook = load_notebook(text)
    except NotebookError as error:
        raise ProgramError(f"{path}: error: {error}") from None
    if notebook.language != "python":
        raise ProgramError(f"{path}: error: the notebook's kernel runs {notebook.language}, not Python")
    skipped = []
    python_cells = {cell.index for cell in notebook.cells}
    for index, cell in enumerate(json.loads(text)["cells"], 1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and index not in python_cells:
            source = cell.get("source", "")
            first = ("".join(source) if isinstance(source, list) else str(source)).strip().splitlines()
            skipped.append((index, f"cell {index}: `{first[0] if first else ''}` cell skipped (not Python)"))
    for cell in notebook.cells:
        for magic in cell.magics:
            line = magic.text.splitlines()[0]
            kind = ("shell command" if re.match(r"\s*(?:[\w.,\s]+=\s*)?!", line) else
                    "IPython magic" if re.match(r"\s*(?:[\w.,\s]+=\s*)?%", line) else "IPython syntax")
            skipped.append((cell.index, f"cell {cell.index}: `{line}` skipped ({kind})"))
    if not notebook.cells:
        raise ProgramError(f"{path}: error: the notebook has no Python code cells")
    program, _, _ = _combined(notebook.cells)
    return Program(path, program, True, [text for _, text in sorted(skipped, key=lambda item: item[0])])


def runnable(program: Program) -> str:
    """The source to run: a notebook's magic placeholders become `None`, which does nothing."""
    return _PLACEHOLDER.sub("None", program.source) if program.notebook else program.source


def rewrite_of(original: Program):
    """(the rewrite `fix --unsafe-fixes` would write, as a Program; the original's findings)."""
    outcome = check(original)
    return Program(original.path, outcome.new_text, original.notebook, list(original.skipped)), outcome.findings


def check(program: Program):
    """The engine's outcome on a program, fixes computed (`fix --unsafe-fixes`), nothing written."""
    from .engine import Options, parse_error_reason, process_text

    try:
        outcome = process_text(program.source, program.path, Options(fix=True, unsafe_fixes=True))
    except Exception as error:  # a syntax error is the usual one
        raise ProgramError(f"{program.path}: error: {parse_error_reason(program.source, error)}") from None
    if outcome.error is not None:
        raise ProgramError(f"{program.path}: error: {outcome.error.reason}")
    return outcome


def needs_keras2(program: Program) -> bool:
    """Does the program keep `tf.compat.v1` names that only run with Keras 2 (TFM106: `tf.layers`,
    RNN cells, ...)? On TensorFlow 2.21 they need tf-keras and TF_USE_LEGACY_KERAS=1."""
    from .engine import Options, process_text

    if "tensorflow" not in program.source:
        return False
    try:
        outcome = process_text(program.source, program.path, Options())
    except Exception:  # it does not parse: running it says why
        return False
    return any(f.code == "TFM106" for f in outcome.findings)


def findings_of(program: Program):
    """The original's findings, for the notes on numbers (empty when it does not parse)."""
    try:
        return check(program).findings
    except ProgramError:
        return []


def original_mode(findings) -> str:
    """tf1 for TF1 code; keras2 for TF2 code whose only TF1-era trait is Keras 2's `minimize` (TFM007)."""
    codes = {f.code for f in findings}
    keras2 = "TFM007" in codes and all(code == "TFM007" or code.startswith("TFM1") for code in codes)
    return "keras2" if keras2 else "tf1"


def known_differences(original: Program, findings, rewrite: Program) -> List[str]:
    """What is known to make the rewrite's numbers differ from the original's, one line each.

    From the engine's notes on the original (`not numerically equivalent: ...`)
    and the optimizers it rewrote, each kept only when the rewrite uses the
    Keras optimizer the note is about.
    """
    code = _code_only(rewrite.source)
    notes: List[str] = []
    for finding in sorted(findings, key=lambda f: f.sort_key()):
        where = original.where(finding.start.line)
        named = _TF1_OPTIMIZER.search(finding.message) if finding.code == "TFM005" else None
        texts = []
        if named and named.group(1) in KNOWN:
            texts.append((named.group(1), KNOWN[named.group(1)]))
        said = _NOT_EQUIVALENT.search(finding.message)
        if said:
            about = next((name for name in KERAS_CLASS if name.replace("Optimizer", "") in said.group(1)), None)
            texts.append((about or (named.group(1) if named else None), said.group(1)))
        for optimizer, text in texts:
            keras = KERAS_CLASS.get(optimizer or "")
            if keras and not re.search(rf"\b{keras}\s*\(", code):
                continue  # the rewrite does not use that Keras optimizer
            line = f"{where}: {text}"
            if not any(note.endswith(f": {text}") for note in notes):
                notes.append(line)
    return notes


def imported_known(original: Program, rewrite_path: Optional[str]) -> List[str]:
    """The known differences of the files the original imports from its folder, each under its name (the
    optimizer of an Estimator program's model is made in model.py), where the rewrite's folder has them too."""
    from . import project

    if rewrite_path is None or original.notebook:
        return []
    here, there = os.path.dirname(os.path.abspath(original.path)), os.path.dirname(os.path.abspath(rewrite_path))
    known: List[str] = []
    for library in project.imported_files(os.path.abspath(original.path), original.source):
        name = os.path.relpath(library, here)
        if not os.path.isfile(os.path.join(there, name)):
            continue
        try:
            old, new = load(library), load(os.path.join(there, name))
        except ProgramError:
            continue
        known += [f"{name} {line}" for line in known_differences(old, findings_of(old), new)]
    return known


def random_hint(program: Program) -> Optional[str]:
    """`line 5: tf.set_random_seed(1)` where the program seeds TensorFlow or draws random values, else None."""
    code = _code_only(program.source)
    for pattern in (_SEED, _RANDOM_OP):
        match = pattern.search(code)
        if match:
            number = code.count("\n", 0, match.start()) + 1
            return f"{program.where(number)}: {code.splitlines()[number - 1].strip()}"
    return None


def _code_only(source: str) -> str:
    """The source with comments blanked (line numbers kept): a comment may say `Adam(`."""
    return re.sub(r"#[^\n]*", lambda m: "" if not CELL_MARKER.match(m.group()) else m.group(), source)
