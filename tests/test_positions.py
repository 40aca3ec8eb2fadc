"""The read-only traversal and the positions of reported nodes agree with libcst's own."""
from __future__ import annotations

import random

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from tfmigrate.traverse import Visitor, walk
from tfmigrate.positions import code_for, module_code, spans

SOURCES = {
    "graph": (
        "import tensorflow as tf  # the graph\n"
        "\n"
        "x = tf.placeholder(tf.float32, [None, 3])\n"
        "w = tf.Variable(tf.random_normal([3, 1]), name='w')\n"
        "cost = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))\n"
        "train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)\n"
        "with tf.Session() as sess:\n"
        "    sess.run(tf.global_variables_initializer())\n"
        "    for step in range(3):\n"
        "        _, c = sess.run([train, cost],\n"
        "                        feed_dict={x: [[1.0, 2.0, 3.0]]})  # one batch\n"
        "        print(step, c)\n"
    ),
    "crlf-tabs": "import tensorflow as tf\r\nif True:\r\n\tx = tf.constant(1)\r\n\tif x:\r\n\t\ty = (x +\r\n\t\t     2)\r\n",
    "compound": (
        "@decorator(1)\n"
        "# a comment between\n"
        "@other\n"
        "def f(a, *, b=2) -> int:\n"
        "    '''doc'''\n"
        "    try:\n"
        "        return a[1:2, ::3]\n"
        "    except (ValueError, KeyError) as e:\n"
        "        raise RuntimeError from e\n"
        "    else:\n"
        "        pass\n"
        "    finally:\n"
        "        del a\n"
        "\n"
        "class C(Base, metaclass=M):\n"
        "    x: int = 1\n"
        "    def g(self): return [i for i in range(3) if i] or {k: v for k, v in {}.items()}\n"
        "while (n := 3) > 0: n -= 1\n"
        "else:\n"
        "    print(f'{n!r:>10}', *args, **kw)\n"
        "if a: b()\n"
        "elif c:\n"
        "    lambda q, *r: q\n"
        "else:\n"
        "    async def h():\n"
        "        async with x as (y, z):\n"
        "            await y\n"
        "match command:\n"
        "    case [x, *rest] if x:\n"
        "        pass\n"
        "    case {'k': 1, **kw} | Point(x=0):\n"
        "        pass\n"
        "x = \\\n"
        "    1; y = 2;\n"
    ),
}


class _All(Visitor):
    TRIVIA = True

    def __init__(self) -> None:
        self.nodes = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        return None


class _LibcstOrder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.nodes = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_walk_visits_what_libcst_visits_in_its_order(name):
    module = cst.parse_module(SOURCES[name])
    ours, theirs = _All(), _LibcstOrder()
    walk(module, ours)
    module.visit(theirs)
    assert [type(n).__name__ for n in ours.nodes] == [type(n).__name__ for n in theirs.nodes]


def test_walk_order_does_not_depend_on_the_first_node_of_a_kind_it_met():
    # libcst visits an f-string's format spec only when there is one
    module = cst.parse_module("a = f'{x}'\nb = f'{y:>{width}}'\n")
    ours, theirs = _All(), _LibcstOrder()
    walk(module, ours)
    module.visit(theirs)
    assert [type(n).__name__ for n in ours.nodes] == [type(n).__name__ for n in theirs.nodes]


def test_walk_skips_trivia_unless_asked_and_honours_false():
    module = cst.parse_module("f(a,  b)  # c\nif x:\n    g()\n")

    class Names(Visitor):
        def __init__(self) -> None:
            self.seen = []

        def visit_Name(self, node: cst.Name) -> None:
            self.seen.append(node.value)

        def visit_If(self, node: cst.If) -> bool:
            return False

        def visit_Comment(self, node: cst.Comment) -> None:
            self.seen.append(node.value)

    names = Names()
    walk(module, names)
    assert names.seen == ["f", "a", "b"]  # no comment (trivia), nothing under the `if`

    class WithTrivia(Names):
        TRIVIA = True

    names = WithTrivia()
    walk(module, names)
    assert names.seen == ["f", "a", "b", "# c"]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_spans_equal_position_provider_for_every_node_and_for_samples(name):
    module = cst.parse_module(SOURCES[name])
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    every = _All()
    walk(module, every)

    def as_tuple(r):
        return (r.start.line, r.start.column, r.end.line, r.end.column)

    got = spans(module, every.nodes)
    assert {id(n): got[id(n)].start + got[id(n)].end for n in every.nodes} == {
        id(n): as_tuple(expected[n]) for n in every.nodes
    }
    rng = random.Random(0)
    for _ in range(20):  # a few wanted nodes: hoisted bounds must still come out right
        sample = rng.sample(every.nodes, 3)
        got = spans(module, sample)
        assert [got[id(n)].start + got[id(n)].end for n in sample] == [as_tuple(expected[n]) for n in sample]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_spans_from_the_statements_that_hold_the_nodes_equal_position_provider(name):
    from tfmigrate import positions

    source = SOURCES[name] + "\n# the end\n@dec\n\n@dec2\nclass D: pass\nx = 1; y = (\n    2)\n"
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    every = _nodes_of(module)[1:]  # not the module itself: that one is generated whole
    rng = random.Random(1)
    for sample in [every[len(every) // 2:]] + [rng.sample(every, 3) for _ in range(20)]:
        wanted = {id(n) for n in sample}
        fast = positions._by_statement(module, wanted, source)
        if "\r" in source:
            assert fast is None  # lines counted otherwise by the two parsers: the whole module is generated
        else:
            assert fast is not None
            assert {key: s.start + s.end for key, s in fast.items()} == {
                id(n): (expected[n].start.line, expected[n].start.column, expected[n].end.line, expected[n].end.column)
                for n in sample}
        assert spans(module, sample, source) == spans(module, sample)


def _nodes_of(module):
    every = _All()
    every.TRIVIA = False
    walk(module, every)
    return every.nodes


def test_spans_of_code_that_occurs_more_than_once_come_from_the_statements_lines():
    from tfmigrate import positions

    source = (
        "def f():\n    sess.run(init)\n\n\ndef g():\n    sess.run(init)\n"
        "sess.run(x)\nsess.run(x)\nif a:\n    pass\nelse:\n    y = [\n        sess.run(x)]\n"
    )
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    calls = [n for n in _nodes_of(module) if isinstance(n, cst.Call)]
    assert len(calls) == 5
    for call in calls:  # each alone, and all together
        got = positions._by_statement(module, {id(call)}, source)
        assert got[id(call)] == positions.Span(
            (expected[call].start.line, expected[call].start.column),
            (expected[call].end.line, expected[call].end.column))
    every = positions._by_statement(module, {id(call) for call in calls}, source)
    assert [every[id(call)].start for call in calls] == [(2, 4), (6, 4), (7, 0), (8, 0), (13, 8)]


def test_spans_from_statements_fall_back_where_the_text_differs_or_the_node_is_the_module():
    from tfmigrate import positions

    module = cst.parse_module("a = 1\nb = f(2)\n")
    call = module.body[1].body[0].value
    # a statement that is not the text at the line Python's parser gives it: the whole module is generated
    assert positions._by_statement(module, {id(call)}, "a = 1\nb = f(3)\n") is None
    assert positions._by_statement(module, {id(module)}, "a = 1\nb = f(2)\n") is None  # the module itself
    assert positions._by_statement(module, {id(call)}, "a = 1\nb = f(2)\n") == {id(call): positions.Span((2, 4), (2, 8))}
    assert spans(module, [call], "a = 1\nb = f(2)\n")[id(call)] == positions.Span((2, 4), (2, 8))


def test_spans_skip_nodes_not_in_the_module_and_code_is_libcsts():
    module = cst.parse_module(SOURCES["compound"])
    stranger = cst.Name("nowhere")
    assert spans(module, [stranger, None]) == {}
    assert module_code(module) == module.code == SOURCES["compound"]
    statement = module.body[1]
    assert code_for(module, statement) == module.code_for_node(statement)


def test_parse_skips_node_checks_only_while_parsing():
    from tfmigrate.engine import parse

    module = parse("x = f(a, b=1)  # c\n")
    assert module.deep_equals(cst.parse_module("x = f(a, b=1)  # c\n"))
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")  # nodes built by rules and fixes are still checked
    with pytest.raises(cst.ParserSyntaxError):
        parse("x = (\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("still checked after a parse error")
