"""The graph-to-eager pipeline as a whole: one verdict for check and fix, loud internal
errors, output that does not depend on where libcst's nodes live, comments kept."""
from __future__ import annotations

import concurrent.futures
import random
import subprocess
import sys
import textwrap

import libcst as cst
import pytest

import tfmigrate.engine as engine
import tfmigrate.traverse as traverse
from conftest import ROOT
from tfmigrate.api import Job, process_file
from tfmigrate.engine import Options, process_text

FIXTURES = sorted(p.parent for p in (ROOT / "fixtures").glob("*/original.py"))
FIX = Options(fix=True, unsafe_fixes=True)


def fix(source: str) -> str:
    outcome = process_text(textwrap.dedent(source), "case.py", FIX)
    assert outcome.error is None
    return outcome.new_text


def statuses(source: str):
    """(what check predicts, what fix --unsafe-fixes reaches)."""
    text = textwrap.dedent(source)
    return process_text(text, "case.py", Options()).status.value, process_text(text, "case.py", FIX).status.value


def test_output_does_not_depend_on_node_addresses(monkeypatch):
    """Every node built while rewriting is kept alive, so no address is ever reused: a
    rewrite that remembered nodes by id() would lose track of them."""
    alive = []
    check = traverse._NODE_CHECK

    def keep_alive(node) -> None:
        alive.append(node)
        if check is not None:
            check(node)

    parse = engine.parse
    monkeypatch.setattr(traverse, "_NODE_CHECK", keep_alive)
    monkeypatch.setattr(traverse, "_no_check", lambda node: alive.append(node))  # (a parser's nodes, unchecked)
    monkeypatch.setattr(cst.CSTNode, "__post_init__", keep_alive)
    monkeypatch.setattr(engine, "parse", lambda text: alive.append(parse(text)) or alive[-1])
    for folder in FIXTURES:
        outcome = process_text((folder / "original.py").read_text(encoding="utf-8"), "original.py", FIX)
        assert outcome.new_text == (folder / "expected.py").read_text(encoding="utf-8"), folder.name
    assert len(alive) > 10_000


SCOPED = """\
    import tensorflow as tf{comment}

    x = tf.placeholder(tf.float32, [None, 2])
    with tf.variable_scope("layer"):
        W = tf.get_variable("W", [2, 1], initializer=tf.zeros_initializer())
        y = tf.matmul(x, W)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run(y, feed_dict={{x: [[1.0, 2.0]]}}))
"""


@pytest.mark.parametrize("comment", ["", "  # no reuse here: each layer has its own variables"])
def test_variable_scope_without_reuse_is_a_name_scope_whatever_the_comments_say(comment):
    source = SCOPED.format(comment=comment)
    assert statuses(source) == ("idiomatic", "idiomatic")
    assert fix(source) == textwrap.dedent(f"""\
        import tensorflow as tf{comment}

        with tf.name_scope("layer"):
            W = tf.Variable(tf.zeros_initializer()(shape=[2, 1]), name="W")

            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
            def y(x):
                return tf.matmul(x, W)
        print(y([[1.0, 2.0]]).numpy())
    """)


@pytest.mark.parametrize("sharing", [
    'with tf.variable_scope("layer", reuse=True):\n    pass',
    'with tf.variable_scope("layer", reuse=tf.AUTO_REUSE):\n    pass',
    'tf.get_variable_scope().reuse_variables()',
])
def test_shared_variables_keep_the_program_on_compat(sharing):
    source = textwrap.dedent(SCOPED.format(comment="")) + sharing + "\n"
    assert statuses(source) == ("compat-only", "compat-only")


def test_comments_of_removed_statements_at_the_end_of_blocks_survive():
    assert fix("""\
        import tensorflow as tf

        w = tf.Variable(1.0)
        init = tf.global_variables_initializer()
        with tf.Session() as sess:
            print(sess.run(w))
            sess.run(init)  # note
        for i in range(2):
            print(sess.run(w))
            sess.run(init)  # again
        if i:
            print(i)
        else:
            sess.run(init)  # start over
    """) == textwrap.dedent("""\
        import tensorflow as tf

        w = tf.Variable(1.0)
        print(w.numpy())
        # note
        for i in range(2):
            print(w.numpy())
            # again
        if i:
            print(i)
        else:
            # start over
            pass
    """)


def test_a_comment_after_the_last_statement_of_the_program_stays_last():
    assert fix("""\
        import tensorflow as tf
        w = tf.Variable(1.0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())  # init
    """) == "import tensorflow as tf\nw = tf.Variable(1.0)\n# init\n"


QUIZ = "import tensorflow as tf\nx = tf.placeholder(tf.float32, [3])\nwith tf.Session() as s:\n    print(s.run(x, feed_dict={x: [1, 2, 3]}))\n"


def _broken(*args, **kwargs):
    raise KeyError("a bug")


def test_an_exception_inside_a_rule_is_an_internal_error_of_that_rule(tmp_path, monkeypatch):
    import tfmigrate.rules._eager.interpret as interpret

    monkeypatch.setattr(interpret, "statement", _broken)
    path = tmp_path / "quiz.py"
    path.write_text(QUIZ, encoding="utf-8")
    report = process_file(str(path), Job(FIX, write=True))
    assert report.error is not None
    assert report.error.reason == "internal error in rule TFM090 (kept-on-compat): KeyError: 'a bug'"
    assert path.read_text(encoding="utf-8") == QUIZ


def test_the_command_exits_2_on_an_internal_error_and_leaves_the_file(tmp_path):
    path = tmp_path / "quiz.py"
    path.write_text(QUIZ, encoding="utf-8")
    code = ("import tfmigrate.rules._eager.interpret as i\n"
            "def boom(*a, **k):\n    raise KeyError('a bug')\n"
            "i.statement = boom\nimport sys\nsys.argv = ['tfmigrate', 'fix', '--unsafe-fixes', '--no-cache', '-j', '1', "
            f"{str(path)!r}]\nfrom tfmigrate.cli import main\nmain()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"{path}: error: internal error in rule TFM090 (kept-on-compat): KeyError: 'a bug'" in done.stderr + done.stdout
    assert path.read_text(encoding="utf-8") == QUIZ


# --- one verdict -------------------------------------------------------------------

def _programs():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import tf1_script

    rng = random.Random(0)
    programs = [(f"benchmark {i}", tf1_script(rng)) for i in range(400)]
    programs += [(f.name, (f / "original.py").read_text(encoding="utf-8")) for f in FIXTURES]
    seed = ROOT.parent / "shared" / "seed" / "programs"
    programs += [(p.name, p.read_text(encoding="utf-8")) for p in sorted(seed.glob("*.py"))]
    return programs


def _verdicts(program):
    name, text = program
    return name, process_text(text, name, Options()).status.value, process_text(text, name, FIX).status.value


def test_check_predicts_the_status_fix_reaches_on_every_fixture_and_benchmark_program():
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_verdicts, _programs(), chunksize=16))
    assert len(results) >= 440
    assert [r for r in results if r[1] != r[2]] == []
    assert {r[2] for r in results} >= {"idiomatic", "compat-only"}


@pytest.mark.parametrize("source, status", [
    # kept on compat.v1 for a tf.logging call no rewrite moves: the logging calls run there
    ("import tensorflow as tf\nlevel = tf.logging.get_verbosity()\nx = tf.placeholder(tf.float32)\n"
     "with tf.Session() as sess:\n    tf.logging.info('%s', sess.run(x, {x: 1.0}))\n", "compat-only"),
    # a rename the safe fix cannot write (reached through an imported module) runs on compat.v1
    ("import tensorflow as tf\nfrom tensorflow import gfile\nx = tf.placeholder(tf.float32)\n"
     "y = tf.contrib.framework.nest.flatten(x)\nprint(gfile.Exists('a'))\n", None),
])
def test_check_predicts_the_status_of_a_file_the_fallback_keeps_on_compat(source, status):
    check, fixed = statuses(source)
    assert check == fixed and (status is None or check == status)


def test_the_fallback_writes_compat_v1_names_spelled_out_under_the_new_alias():
    source = ("import tensorflow as tf\ng = tf.compat.v1.get_default_graph()\ny = tf.compat.v1.layers.dense\n"
              "x = tf.placeholder(tf.float32)\nwith tf.Session() as sess:\n    print(sess.run(x, {x: 1.0}))\n")
    text = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True)).new_text
    assert text.startswith("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n"
                           "g = tf.get_default_graph()\ny = tf.layers.dense\n")
