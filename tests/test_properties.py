"""Properties of `fix --unsafe-fixes` on generated TF1 programs and plain Python.

The programs are written the many ways people write them: both TF1 imports,
every tf.train optimizer with minimize, sessions as `with` blocks or as
assignments, runs of lists and single fetches with feeds, and random layout
(blank lines, comments everywhere, tabs or spaces, CRLF, extra parentheses).
Each `# comment-N` marker in an input is unique, so a lost comment is named.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import List

import libcst
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status

GRAPH_FAMILY = {"TFM001", "TFM002", "TFM003", "TFM004", "TFM005", "TFM006"}
MARKER = re.compile(r"# comment-\d+\b")
# No shrinking: a failure names the lost comment or the bad line itself, and
# shrinking a 30-line program costs minutes.
FAST = settings(
    max_examples=60,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
TF1_LEFTOVERS = ("tf.placeholder", "Session(", "feed_dict", ".minimize(", "global_variables_initializer")


def fix(text: str):
    return process_text(text, "generated.py", Options(fix=True, unsafe_fixes=True))


# --- layout ----------------------------------------------------------------

@dataclass
class Stmt:
    """One logical line: `parts` are its physical lines (continuations inside brackets)."""

    level: int
    parts: List[str]
    inner_comments: List[int] = field(default_factory=list)  # continuation lines that end in a comment


@dataclass
class Layout:
    """How one generated file is laid out: drawn once per program."""

    indent: str
    newline: str
    final_newline: bool
    blank_rate: float
    comment_rate: float
    parens_rate: float
    bracket_comments: bool
    counter: int = 0

    def marker(self) -> str:
        self.counter += 1
        return f"# comment-{self.counter}"


@st.composite
def layouts(draw, bracket_comments: bool = False) -> Layout:
    return Layout(
        indent=draw(st.sampled_from(["    ", "  ", "\t", "        "])),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        final_newline=draw(st.booleans()),
        blank_rate=draw(st.sampled_from([0.0, 0.2, 0.5])),
        comment_rate=0.0 if bracket_comments else draw(st.sampled_from([0.0, 0.3, 0.7])),
        parens_rate=draw(st.sampled_from([0.0, 0.3])),
        bracket_comments=bracket_comments,
    )


def render(draw, layout: Layout, stmts: List[Stmt]) -> str:
    """The source text of `stmts`, with blank lines and comments drawn at random places."""
    lines: List[str] = []
    if draw(st.floats(0, 1)) < layout.comment_rate:
        lines.append(layout.marker())
    for stmt in stmts:
        pad = layout.indent * stmt.level
        for _ in range(draw(st.integers(0, 2)) if draw(st.floats(0, 1)) < layout.blank_rate else 0):
            lines.append(draw(st.sampled_from(["", pad, " "])) if stmt.level else "")
        if draw(st.floats(0, 1)) < layout.comment_rate:
            lines.append(pad + layout.marker())
        for i, part in enumerate(stmt.parts):
            line = (pad if i == 0 else pad + layout.indent + "    ") + part
            last = i == len(stmt.parts) - 1
            if (last and draw(st.floats(0, 1)) < layout.comment_rate) or (not last and i in stmt.inner_comments):
                line += draw(st.sampled_from(["  ", " ", "\t"])) + layout.marker()
            lines.append(line)
    if draw(st.floats(0, 1)) < layout.comment_rate:
        lines.append(layout.marker())
    text = layout.newline.join(lines)
    return text + layout.newline if layout.final_newline else text


def wrap(draw, layout: Layout, expr: str) -> str:
    """`expr`, sometimes in (redundant) parentheses."""
    if draw(st.floats(0, 1)) < layout.parens_rate:
        return f"({expr})"
    return expr


# --- TF1 programs ----------------------------------------------------------

OPTIMIZERS = [
    ("GradientDescentOptimizer", ["{lr}", "learning_rate={lr}"]),
    ("AdamOptimizer", ["{lr}", "learning_rate={lr}, beta1=0.8", "{lr}, 0.9, 0.99, 1e-6"]),
    ("MomentumOptimizer", ["{lr}, 0.9", "{lr}, momentum=0.5, use_nesterov=True"]),
    ("RMSPropOptimizer", ["{lr}", "{lr}, decay=0.8", "learning_rate={lr}, momentum=0.1"]),
    ("AdagradOptimizer", ["{lr}", "{lr}, initial_accumulator_value=0.2"]),
    ("AdadeltaOptimizer", ["{lr}", "learning_rate={lr}, rho=0.9"]),
    ("FtrlOptimizer", ["{lr}"]),
]
SESSION_NAMES = ["sess", "session", "s", "tf_session"]
LOOP_NAMES = ["i", "step", "epoch", "_"]


@dataclass
class Placeholder:
    name: str
    data: str  # the name of the NumPy array fed to it
    width: int  # columns of a 2-D feed; 0 for a scalar feed


def placeholder_call(draw, ph: Placeholder) -> str:
    dtype = draw(st.sampled_from(["tf.float32", '"float32"', "tf.float32", "'float'", "dtype=tf.float32"]))
    if ph.width == 0:
        shapes = ["", "[]", "shape=[]", "None", "shape=()"]
    else:
        shapes = [f"[None, {ph.width}]", f"shape=[None, {ph.width}]", "None", f"(None, {ph.width})", f"[8, {ph.width}]", ""]
    shape = draw(st.sampled_from(shapes))
    name = draw(st.sampled_from(["", f'name="{ph.name}"']))
    if dtype.startswith("dtype=") and shape and not shape.startswith("shape=") and shape != "None":
        shape = "shape=" + shape  # a keyword dtype forces keyword arguments after it
    if dtype.startswith("dtype=") and shape == "None":
        shape = "shape=None"
    args = ", ".join(a for a in (dtype, shape, name) if a)
    return f"tf.placeholder({args})"


def feed_dict(draw, layout: Layout, placeholders: List[Placeholder]) -> str:
    """The feed in any key order, values sometimes parenthesised, sometimes a trailing comma."""
    items = [f"{ph.name}: {wrap(draw, layout, ph.data)}" for ph in draw(st.permutations(placeholders))]
    return "{" + ", ".join(items) + draw(st.sampled_from(["", ","])) + "}"


@st.composite
def tf1_programs(draw, bracket_comments: bool = False) -> str:
    layout = draw(layouts(bracket_comments))
    stmts: List[Stmt] = []

    def add(level: int, *parts: str, inner: tuple = ()) -> None:
        stmts.append(Stmt(level, list(parts), list(inner)))

    compat = draw(st.booleans())
    if draw(st.booleans()):
        add(0, '"""A TF1 training script."""')
    add(0, "import numpy as np")
    add(0, "import tensorflow.compat.v1 as tf" if compat else "import tensorflow as tf")
    if compat and draw(st.booleans()):
        add(0, "tf.disable_v2_behavior()")

    count = draw(st.integers(1, 3))
    names = draw(st.permutations(["x", "y", "inputs", "labels", "X", "Y_true"]))[:2]
    width = draw(st.integers(1, 4))
    placeholders = [Placeholder(names[0], f"{names[0].lower()}_data", width)]
    if count >= 2:
        placeholders.append(Placeholder(names[1], f"{names[1].lower()}_data", 1))
    if count == 3:
        placeholders.append(Placeholder("scale", "scale_value", 0))
    for ph in placeholders:
        if ph.width:
            add(0, f"{ph.data} = " + wrap(draw, layout, f"np.linspace(0.0, 1.0, {8 * ph.width}).reshape(8, {ph.width}).astype(np.float32)"))
        else:
            add(0, f"{ph.data} = {draw(st.sampled_from(['1.0', '0.5', 'np.float32(2.0)']))}")
    for ph in placeholders:
        add(0, f"{ph.name} = " + wrap(draw, layout, placeholder_call(draw, ph)))

    w_init = draw(st.sampled_from([
        f"tf.zeros([{width}, 1])",
        f"tf.ones([{width}, 1]), name='w'",
        f"tf.random_normal([{width}, 1], seed=1)",
        f"np.zeros(({width}, 1), dtype=np.float32)",
        f"tf.constant(0.1, shape=[{width}, 1])",
    ]))
    add(0, f"w = tf.Variable({w_init})")
    add(0, "b = tf.Variable(" + draw(st.sampled_from(["0.0", "0.0, dtype=tf.float32", "tf.zeros([1])"])) + ")")

    x = placeholders[0].name
    pred = draw(st.sampled_from(["pred", "y_hat", "logits", "output", "grads"]))
    add(0, f"{pred} = " + wrap(draw, layout, draw(st.sampled_from([f"tf.matmul({x}, w) + b", f"tf.add(tf.matmul({x}, w), b)"]))))
    if count >= 2:
        y = placeholders[1].name
        error = draw(st.sampled_from([
            f"tf.reduce_mean(tf.square({pred} - {y}))",
            f"tf.reduce_sum(({pred} - {y}) ** 2) / 8",
            f"tf.losses.mean_squared_error({y}, {pred})",
            f"tf.reduce_mean(tf.abs({y} - {pred}))",
        ]))
    else:
        error = draw(st.sampled_from([f"tf.reduce_mean(tf.square({pred}))", f"tf.reduce_sum({pred} * {pred})"]))
    if count == 3:
        error = f"scale * {error}"
    cost = draw(st.sampled_from(["cost", "loss", "error", "objective", "tape", "variables"]))
    add(0, f"{cost} = " + wrap(draw, layout, error))

    opt_name, arg_forms = draw(st.sampled_from(OPTIMIZERS))
    args = draw(st.sampled_from(arg_forms)).format(lr=draw(st.sampled_from(["0.01", "0.1", "1e-3"])))
    var_list = draw(st.sampled_from(["", ", var_list=[w, b]"]))
    train = draw(st.sampled_from(["train", "train_op", "optimizer_step", "update"]))
    if draw(st.booleans()):
        opt = draw(st.sampled_from(["opt", "optimizer"]))
        add(0, f"{opt} = tf.train.{opt_name}({args})")
        add(0, f"{train} = {opt}.minimize({cost}{var_list})")
    else:
        add(0, f"{train} = " + wrap(draw, layout, f"tf.train.{opt_name}({args}).minimize({cost}{var_list})"))

    init_form = draw(st.sampled_from(["named", "inline"]))
    if init_form == "named":
        add(0, "init = tf.global_variables_initializer()")
    sess = draw(st.sampled_from(SESSION_NAMES))
    with_block = draw(st.booleans())
    if with_block:
        add(0, f"with {wrap(draw, layout, 'tf.Session()')} as {sess}:")
        level = 1
    else:
        add(0, f"{sess} = {draw(st.sampled_from(['tf.Session()', 'tf.InteractiveSession()']))}")
        level = 0
    add(level, f"{sess}.run(" + ("init" if init_form == "named" else "tf.global_variables_initializer()") + ")")

    loop = draw(st.sampled_from(LOOP_NAMES))
    steps = draw(st.sampled_from(["10", "100", "1000"]))
    add(level, f"for {loop} in range({steps}):")
    feeds = feed_dict(draw, layout, placeholders)
    forms = ["list"] if layout.bracket_comments else ["single", "single_positional", "list", "list_reversed", "tuple"]
    fetch_form = draw(st.sampled_from(forms))
    c = "c" if loop != "c" else "value"
    printed = False
    if fetch_form == "single":
        add(level + 1, f"{sess}.run({train}, feed_dict={feeds})")
    elif fetch_form == "single_positional":
        add(level + 1, f"{sess}.run({wrap(draw, layout, train)}, {feeds})")
    elif fetch_form == "list" and layout.bracket_comments:
        add(level + 1, f"_, {c} = {sess}.run([{train}, {cost}],", f"feed_dict={feeds})", inner=(0,))
        printed = True
    elif fetch_form == "list":
        add(level + 1, f"_, {c} = {sess}.run([{train}, {cost}], feed_dict={feeds})")
        printed = True
    elif fetch_form == "list_reversed":
        add(level + 1, f"{c}, _ = {sess}.run([{cost}, {train}], feed_dict={feeds})")
        printed = True
    else:
        add(level + 1, f"_, {c} = {sess}.run(({train}, {cost}), feed_dict={feeds})")
        printed = True
    loop_var = loop if loop != "_" else "0"
    if printed and draw(st.booleans()):
        add(level + 1, f"if {loop_var} % 10 == 0:")
        add(level + 2, f"print({loop_var}, {c})")
    elif draw(st.booleans()):
        add(level + 1, f"print({loop_var}, {sess}.run({cost}, feed_dict={feeds}))")

    final = draw(st.sampled_from(["w", "both", "unpacked", "cost", "fstring", "dict"]))
    if final == "w":
        add(level, f"print({sess}.run(w))")
    elif final == "both":
        add(level, f'print("w:", {sess}.run(w), "b:", {sess}.run(b))')
    elif final == "unpacked":
        add(level, f"w_value, b_value = {sess}.run([w, b])")
        add(level, "print(w_value, b_value)")
    elif final == "fstring":
        add(level, f'print(f"w = {{{sess}.run(w)}}, cost = {{{sess}.run({cost}, feed_dict={feeds})!r}}")')
    elif final == "dict":
        add(level, f'values = {sess}.run({{"w": w, "b": b}})')
        add(level, 'print(values["w"], values["b"])')
    else:
        add(level, f"print({sess}.run({cost}, feed_dict={feeds}))")
    if not with_block and draw(st.booleans()):
        add(0, f"{sess}.close()")
    return render(draw, layout, stmts)


# --- plain Python that looks like TF1 but imports no TensorFlow --------------

@st.composite
def plain_programs(draw) -> str:
    layout = draw(layouts())
    stmts: List[Stmt] = []

    def add(level: int, *parts: str) -> None:
        stmts.append(Stmt(level, list(parts)))

    add(0, draw(st.sampled_from(["import numpy as np", "import math", "import numpy as tf  # not tensorflow"])))
    if draw(st.booleans()):
        add(0, "class Session:")
        add(1, "def run(self, fetches, feed_dict=None):")
        add(2, "return fetches")
        add(1, "def close(self):")
        add(2, "pass")
    else:
        add(0, "from mylib import Session, placeholder, Variable")
    add(0, "tf = " + draw(st.sampled_from(["None", "object()", "__import__('math')"])))
    add(0, "x = " + wrap(draw, layout, draw(st.sampled_from(["placeholder('float32', [None, 3])", "[1.0, 2.0]", "3"]))))
    add(0, "w = " + draw(st.sampled_from(["Variable(0.0)", "0.5", "{'a': 1}"])))
    add(0, "cost = " + wrap(draw, layout, "x * w if isinstance(x, float) else w"))
    add(0, "def minimize(value):")
    add(1, "return value")
    add(0, "train = minimize(cost)")
    if draw(st.booleans()):
        add(0, "with Session() as sess:")
        level = 1
    else:
        add(0, "sess = Session()")
        level = 0
    add(level, "for i in range(3):")
    add(level + 1, "_, c = sess.run([train, cost], feed_dict={x: 1.0})")
    add(level + 1, f"print(f\"step {{i}}: {{c!r:>{draw(st.integers(1, 9))}}}\")")
    add(level, "print(sess.run(w))")
    if draw(st.booleans()):
        add(0, "if (n := len(str(w))) > 2:")
        add(1, "print(n)")
    if draw(st.booleans()):
        add(0, "async def fetch(session: 'Session') -> list[int]:")
        add(1, "return [await_value async for await_value in session]")
    return render(draw, layout, stmts)


# --- properties ------------------------------------------------------------

def lost_comments(source: str, new_text: str) -> List[str]:
    """The source lines whose `# comment-N` marker is missing from `new_text`."""
    kept = set(MARKER.findall(new_text))
    return [line for line in source.splitlines() for m in MARKER.findall(line) if m not in kept]


@FAST
@given(tf1_programs())
def test_fixed_program_parses(source):
    ast.parse(source)  # the generator's own output must be valid Python
    outcome = fix(source)
    ast.parse(outcome.new_text)
    libcst.parse_module(outcome.new_text)


@FAST
@given(tf1_programs())
def test_fix_is_idempotent_and_leaves_no_fixable_graph_finding(source):
    once = fix(source).new_text
    again = fix(once)
    assert again.new_text == once
    left = [(f.code, f.start.line, f.message) for f in again.findings if f.code in GRAPH_FAMILY and f.fixable]
    assert left == []


@FAST
@given(plain_programs())
@example("# ported from tensorflow\nfrom mylib import Session\nsess = Session()\nsess.run(1, feed_dict={})\n")
def test_program_without_tensorflow_comes_back_byte_for_byte(source):
    ast.parse(source)
    outcome = fix(source)
    assert [(f.code, f.start.line, f.message) for f in outcome.findings] == []
    assert outcome.new_text == source
    assert outcome.status is Status.CLEAN
    assert outcome.error is None


@FAST
@given(tf1_programs())
@example("import tensorflow as tf\nsess = tf.Session()  # comment-1\nprint(sess.run(tf.constant(1.0)))\n")
def test_every_comment_line_and_trailing_comment_survives(source):
    assert lost_comments(source, fix(source).new_text) == []


@FAST
@given(tf1_programs(bracket_comments=True))
def test_comment_inside_a_fetch_call_survives(source):
    assert lost_comments(source, fix(source).new_text) == []


@FAST
@given(tf1_programs())
def test_generated_program_reaches_tf2_or_runnable_compat(source):
    outcome = fix(source)
    assert outcome.error is None
    assert {f.code for f in outcome.findings} & GRAPH_FAMILY
    if outcome.status is Status.IDIOMATIC:
        assert [word for word in TF1_LEFTOVERS if word in outcome.new_text] == []
    else:
        assert outcome.status is Status.COMPAT
        assert "import tensorflow.compat.v1 as tf" in outcome.new_text
        assert "tf.disable_v2_behavior()" in outcome.new_text


@FAST
@given(tf1_programs())
def test_line_endings_and_indentation_of_the_input_are_kept(source):
    new_text = fix(source).new_text
    if "\r\n" in source:
        assert re.findall(r"[^\r\n]*(?<!\r)\n", new_text) == [], "bare LF in a CRLF file"
    else:
        assert "\r" not in new_text
    if any(line.startswith("\t") for line in source.splitlines()):
        spaced = [line for line in new_text.splitlines() if re.match(r" +[^ #]", line)]
        assert spaced == [], "space indentation in a tab-indented file"
