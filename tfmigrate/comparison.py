"""What two programs printed, number by number: reading the numbers and comparing them.

A number agrees when ``|rewrite - original| <= atol + rtol * |original|``
(NumPy's ``allclose``, with the original as the reference). The verdict of a
comparison is ``exact`` (every number printed the same), ``within tolerance``
or ``differs`` (a number beyond the tolerance, or a different count).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

DEFAULT_RTOL = 1e-5
# float32 resolves about 1.2e-7 around 1: a value that cancels to near zero
# from quantities of order 1 (a converged bias, a final loss) carries an
# absolute error of a few 1e-7 in either program.
DEFAULT_ATOL = 1e-6

EXACT, WITHIN, DIFFERS = "exact", "within tolerance", "differs"

# Parts of TensorFlow and Keras reprs that are not values: shapes and the
# names of tensors and variables ('dense/kernel:0').
_METADATA = [
    (re.compile(r"\bshape=\([^)]*\)"), "shape=()"),
    (re.compile(r"\bshape=\[[^\]]*\]"), "shape=[]"),
    (re.compile(r"<tf\.Variable '[^']*'"), "<tf.Variable"),
    (re.compile(r"\bTensor\(\"[^\"]*\""), "Tensor("),
    (re.compile(r"\bname=(['\"])[^'\"]*\1"), "name="),
    (re.compile(r"\bpath=[^,\s>]*"), "path="),
]
_NUMBER = re.compile(
    r"""
    (?<![\w.])                                  # not glued to a word or a dot before it
    [-+]?
    (?: (?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?
      | nan | inf(?:inity)? )
    (?!\w)(?!\.\d)                              # nor to a word or '.digit' after it
    """,
    re.VERBOSE | re.IGNORECASE,
)


def printed_numbers(text: str) -> Tuple[List[float], List[int]]:
    """(every number in printed text, in order; the 1-based output line each stands on).

    A number is an integer, a decimal (``1.``, ``.5``, ``-4.9999886``), a
    number in scientific notation (``1e-05``, ``2.5E+3``), or ``nan``/``inf``
    (any case, with a sign), standing on its own: a number glued to a letter,
    an underscore or a version-like dot sequence is part of a word and does
    not count, so ``float32``, ``conv2d``, ``10ms`` and ``2.21.0`` give
    nothing while ``step 100``, ``loss=0.25`` and ``1/10`` do. NumPy arrays
    (``[[ 1.5 -2. ]]``, ``array([1., 2.], dtype=float32)``) give their
    elements; TensorFlow tensors and variables give their values but not
    their shape (``shape=(3, 1)``) or name (``'dense/kernel:0'``).
    """
    for pattern, replacement in _METADATA:
        # The replacement keeps the newlines it covers, so every number keeps its line.
        text = pattern.sub(lambda match, r=replacement: r + "\n" * match.group().count("\n"), text)
    values, lines = [], []
    line, counted = 1, 0
    for match in _NUMBER.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        values.append(float(match.group()))
        lines.append(line)
    return values, lines


# A TF1 graph object printed: a description without a value (`Tensor("add:0", shape=(), dtype=int32)`,
# `<tf.Variable 'w:0' shape=(1,) dtype=float32_ref>`), and what the same print shows eagerly.
_GRAPH_TENSOR = re.compile(r"(?<!tf\.)\bTensor\(\"[^\"]*\", shape=\([^)]*\), dtype=\w+\)")
_GRAPH_VARIABLE = re.compile(r"<tf\.Variable '[^']*' shape=\([^)]*\) dtype=\w+>")
_EAGER_TENSOR = re.compile(r"\btf\.Tensor\(.*?, shape=\([^)]*\), dtype=\w+\)", re.S)
_EAGER_VARIABLE = re.compile(r"<tf\.Variable '[^']*' shape=\([^)]*\) dtype=\w+, numpy=.*?>", re.S)


def without_graph_values(original: str, rewrite: str) -> Tuple[str, int]:
    """The rewrite's output without the values of the tensors and variables it printed where the
    original printed TF1 graph objects, which had none to print (the k-th eager one for the k-th
    graph one, tensors and variables apart); and how many it took out."""
    taken = 0
    for graph, eager in ((_GRAPH_TENSOR, _EAGER_TENSOR), (_GRAPH_VARIABLE, _EAGER_VARIABLE)):
        count = len(graph.findall(original))
        if count:
            # The newlines a value covers stay, so every later number keeps its line.
            rewrite, made = eager.subn(lambda match: "<value>" + "\n" * match.group().count("\n"), rewrite, count)
            taken += made
    return rewrite, taken


def extract_numbers(text: str) -> List[float]:
    """Every number in printed text, in order (see ``printed_numbers``)."""
    return printed_numbers(text)[0]


@dataclass(frozen=True)
class NumberRow:
    """One number of each program (None where one printed fewer)."""

    index: int  # 1-based
    original: Optional[float]
    rewrite: Optional[float]
    difference: float  # |a - b| / max(|a|, |b|); 0 when equal, inf when one is missing
    ok: bool
    original_line: Optional[int] = None  # the output line it stands on, 1-based
    rewrite_line: Optional[int] = None

    @property
    def exact(self) -> bool:
        return self.original is not None and self.rewrite is not None and same(self.original, self.rewrite)


@dataclass(frozen=True)
class Comparison:
    rows: List[NumberRow]
    rtol: float
    atol: float
    original_count: int
    rewrite_count: int

    @property
    def lengths_match(self) -> bool:
        return self.original_count == self.rewrite_count

    @property
    def differing(self) -> List[NumberRow]:
        return [row for row in self.rows if not row.ok]

    @property
    def ok(self) -> bool:
        return self.lengths_match and not self.differing

    @property
    def exact(self) -> bool:
        return self.lengths_match and all(row.exact for row in self.rows)

    @property
    def verdict(self) -> str:
        """`exact`, `within tolerance` or `differs`."""
        return EXACT if self.exact else WITHIN if self.ok else DIFFERS

    @property
    def first_divergence(self) -> Optional[NumberRow]:
        """The first number beyond the tolerance (or the first one missing on one side)."""
        return next(iter(self.differing), None)

    @property
    def largest(self) -> Optional[NumberRow]:
        """The number with the largest relative difference, the earliest of equals; None when all are equal."""
        rows = [row for row in self.rows if not row.exact]
        return max(rows, key=lambda row: (row.difference, -row.index)) if rows else None

    @property
    def tolerance(self) -> str:
        """`rtol=1e-05, atol=1e-06` (atol left out when it is 0)."""
        text = f"rtol={self.rtol:g}"
        return text + (f", atol={self.atol:g}" if self.atol else "")


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def relative_difference(a: float, b: float) -> float:
    if same(a, b):
        return 0.0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b))


def numbers_agree(original: float, rewrite: float, rtol: float, atol: float) -> bool:
    """|rewrite - original| <= atol + rtol * |original|, as numpy.allclose; nan equals nan, inf only inf."""
    if same(original, rewrite):
        return True
    if not (math.isfinite(original) and math.isfinite(rewrite)):
        return False
    return abs(rewrite - original) <= atol + rtol * abs(original)


def compare(a: Sequence[float], b: Sequence[float], rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
            a_lines: Sequence[int] = (), b_lines: Sequence[int] = ()) -> Comparison:
    """Compare the original's numbers `a` with the rewrite's `b`, position by position.

    `a_lines` and `b_lines` give the output line of each number, when known.
    """
    rows = []
    for index in range(max(len(a), len(b))):
        x = a[index] if index < len(a) else None
        y = b[index] if index < len(b) else None
        x_line = a_lines[index] if index < len(a_lines) else None
        y_line = b_lines[index] if index < len(b_lines) else None
        if x is None or y is None:
            rows.append(NumberRow(index + 1, x, y, math.inf, False, x_line, y_line))
        else:
            rows.append(NumberRow(index + 1, x, y, relative_difference(x, y), numbers_agree(x, y, rtol, atol),
                                  x_line, y_line))
    return Comparison(rows, rtol, atol, len(a), len(b))
