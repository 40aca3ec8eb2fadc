"""The tree index: walks and searches read from it give what walking the tree gives."""
from __future__ import annotations

import libcst as cst
import pytest

from tfmigrate import traverse
from tfmigrate.rules._eager import queries
from tfmigrate.traverse import Index, StopWalk, Visitor, walk

from test_positions import SOURCES

SOURCES = dict(SOURCES, nested=(
    "import tensorflow as tf\n"
    "def model(x, reuse=False):\n"
    "    with tf.variable_scope('m', reuse=reuse):\n"
    "        h = tf.layers.dense(x, 3, name='h')\n"
    "        return tf.nn.relu(h.op.outputs[0]) + f(g(x), key=x.key)\n"
    "y = model(tf.constant([[1.0]]), reuse=True)\n"
))


class _Events(Visitor):
    """Every visit and leave, in order; children of `If` and `Call` skipped."""

    def __init__(self, stop_at: str = "") -> None:
        self.events = []
        self.stop_at = stop_at

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        if isinstance(node, cst.Name) and node.value == self.stop_at:
            raise StopWalk
        return not isinstance(node, (cst.If, cst.Call))

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


def _recursive(node, visitor) -> None:
    try:
        traverse._walk(node, visitor, traverse._MAIN_FIELDS)
    except StopWalk:
        pass


@pytest.fixture(autouse=True)
def _no_index_left_behind():
    yield
    traverse._recent.clear()


@pytest.mark.parametrize("name", sorted(SOURCES))
@pytest.mark.parametrize("stop_at", ["", "x"])
def test_the_index_walks_every_subtree_as_the_tree_walk_does(name, stop_at):
    module = cst.parse_module(SOURCES[name])
    index = traverse.index(module)
    for node in index.nodes[:200]:
        flat, recursive = _Events(stop_at), _Events(stop_at)
        walk(node, flat)  # from the index
        _recursive(node, recursive)
        assert flat.events == recursive.events


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_find_from_the_index_is_find_by_walking(name):
    module = cst.parse_module(SOURCES[name])
    asked = [(cst.Name, None), ((cst.Call, cst.Attribute), None), (cst.Name, lambda n: n.value in ("x", "tf")),
             ((cst.Name, cst.Arg), lambda n: not isinstance(n, cst.Arg) or n.keyword is not None)]
    for node in traverse.index(module).nodes:
        for types, test in asked:
            for first in (False, True):
                for values in (False, True):
                    traverse._recent.clear()
                    walked = queries.find(node, types, test, first=first, values=values)
                    traverse.index(module)
                    indexed = queries.find(node, types, test, first=first, values=values)
                    assert [id(n) for n in indexed] == [id(n) for n in walked]


def test_values_leaves_out_attribute_and_keyword_names_but_not_the_node_asked_about():
    module = cst.parse_module("f(a.b, key=c)\n")
    traverse.index(module)
    assert [n.value for n in queries.find(module, cst.Name, values=True)] == ["f", "a", "c"]
    assert [n.value for n in queries.find(module, cst.Name)] == ["f", "a", "b", "key", "c"]
    attribute_name = queries.find(module, cst.Attribute)[0].attr
    assert queries.find(attribute_name, cst.Name, values=True) == [attribute_name]


def test_nodes_of_another_tree_are_walked():
    indexed = cst.parse_module("a = 1\n")
    other = cst.parse_module("b = c\n")
    index = traverse.index(indexed)
    assert index.find(other, (cst.Name,), None, False, False) is None
    assert not index.walk(other, _Events())
    assert [n.value for n in queries.find(other, cst.Name)] == ["b", "c"]
    assert traverse.index(indexed) is index  # built once per tree
    assert traverse.index(other) is not index


def test_the_trees_indexed_last_keep_their_index_and_answer_for_their_nodes():
    file_tree = cst.parse_module("a = f(b)\n")
    kept = traverse.index(file_tree)
    for code in ("c = 1\n", "d = 2\n"):  # a rewrite's trees, indexed while the file's is being walked
        traverse.index(cst.parse_module(code))
    call = file_tree.body[0].body[0].value
    assert traverse.index_of(call) is kept
    assert kept.find(file_tree, (cst.Call,), None, False, False) == [call]
    assert queries.find(file_tree, cst.Call) == [call]
    assert traverse.index(file_tree) is kept  # not built again
    for code in ("e = 3\n", "g = 4\n", "h = 5\n"):
        traverse.index(cst.parse_module(code))
    assert traverse.index_of(call) is None  # three other trees since: dropped
    assert traverse.index(file_tree) is not kept


def test_a_tree_that_holds_one_node_twice_is_not_answered_from_the_index():
    name = cst.Name("x")
    module = cst.Module(body=[cst.SimpleStatementLine([cst.Expr(name)]), cst.SimpleStatementLine([cst.Expr(name)])])
    index = Index(module)
    assert index.shared
    assert index.find(module, (cst.Name,), None, False, False) is None
    traverse._recent[:] = [index]
    assert queries.find(module, cst.Name) == [name, name]  # walked
    events = _Events()
    walk(module, events)
    assert events.events.count(("visit", id(name))) == 2
