"""The pure parts of benchmarks/real_code.py, and its name resolver against the installed TensorFlow."""
import ast
import importlib.util
import sys
import textwrap

import pytest

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("real_code", ROOT / "benchmarks" / "real_code.py")
real_code = importlib.util.module_from_spec(_spec)
sys.modules["real_code"] = real_code  # dataclasses look their module up there
_spec.loader.exec_module(real_code)


def refs_of(source):
    return [(r.line, r.mode, real_code.short_name(r.dotted)) for r in
            real_code.tf_references(ast.parse(textwrap.dedent(source)))]


def test_references_follow_every_kind_of_tensorflow_import():
    source = """
        import tensorflow as tf
        import tensorflow.compat.v1 as v1
        from tensorflow.compat import v1 as tfv1
        import tensorflow.contrib.slim as slim
        from tensorflow.examples.tutorials.mnist import input_data
        import numpy as np
        x = tf.placeholder(tf.float32)
        y = v1.layers.dense(x, 3).shape
        z = tfv1.nn.rnn_cell.LSTMCell(4)
        w = slim.conv2d(x, 3)
        d = input_data.read_data_sets("MNIST")
        n = np.zeros(3)
    """
    assert sorted(refs_of(source)) == [
        (2, "import", "tf"),
        (3, "import", "tf.compat.v1"),
        (4, "from", "tf.compat.v1"),
        (5, "import", "tf.contrib.slim"),
        (6, "from", "tf.examples.tutorials.mnist.input_data"),
        (8, "attr", "tf.float32"),
        (8, "attr", "tf.placeholder"),
        (9, "attr", "tf.compat.v1.layers.dense"),
        (10, "attr", "tf.compat.v1.nn.rnn_cell.LSTMCell"),
        (11, "attr", "tf.contrib.slim.conv2d"),
        (12, "attr", "tf.examples.tutorials.mnist.input_data.read_data_sets"),
    ]


def test_bare_import_binds_the_package_and_relative_imports_are_not_tensorflow():
    source = """
        import tensorflow.contrib.layers
        from . import tensorflow
        a = tensorflow.contrib.layers.xavier_initializer()
    """
    assert sorted(refs_of(source)) == [(2, "import", "tf.contrib.layers"),
                                       (4, "attr", "tf.contrib.layers.xavier_initializer")]


def test_an_import_binds_in_its_own_scope():
    source = """
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()

        @tf.function(input_signature=[tf.TensorSpec([2], tf.float32)])
        def step(x, y=tf.zeros([2])):
            return tf.random_uniform([2])

        def test():
            import tensorflow as tf
            return tf.random.uniform([2])

        z = lambda a: tf.log(a)
    """
    assert sorted(refs_of(source)) == [
        (2, "import", "tf.compat.v1"),
        (3, "attr", "tf.compat.v1.disable_v2_behavior"),
        (5, "attr", "tf.compat.v1.TensorSpec"),
        (5, "attr", "tf.compat.v1.float32"),
        (5, "attr", "tf.compat.v1.function"),
        (6, "attr", "tf.compat.v1.zeros"),
        (7, "attr", "tf.compat.v1.random_uniform"),
        (10, "import", "tf"),
        (11, "attr", "tf.random.uniform"),
        (13, "attr", "tf.compat.v1.log"),
    ]


def test_the_last_import_before_the_line_wins():
    source = """
        import tensorflow as tf
        a = tf.nn.relu
        import tensorflow.compat.v1 as tf
        b = tf.placeholder
    """
    assert sorted(refs_of(source)) == [(2, "import", "tf"), (3, "attr", "tf.nn.relu"),
                                       (4, "import", "tf.compat.v1"), (5, "attr", "tf.compat.v1.placeholder")]


@pytest.mark.parametrize("source, expected", [
    ("import tensorflow as tf\nx = tf.placeholder(tf.float32)", True),
    ("import tensorflow as tf\nwith tf.variable_scope('a'): pass", True),
    ("import tensorflow as tf\nopt = tf.train.AdamOptimizer(0.1)", True),
    ("import tensorflow as tf\ny = tf.layers.dense(x, 3)", True),
    ("import tensorflow.compat.v1 as tf\ny = tf.constant(1)", True),
    ("import tensorflow as tf\ny = tf.losses.softmax_cross_entropy(a, b)", True),
    ("import tensorflow as tf\ny = tf.keras.layers.Dense(3)(tf.zeros([1, 2]))", False),
    ("import tensorflow as tf\nm = tf.metrics.Mean()\nl = tf.losses.mean_squared_error(a, b)", False),
    ("import numpy as np\nx = np.placeholder", False),
])
def test_tf1_file_definition(source, expected):
    assert real_code.is_tf1_file(real_code.tf_references(ast.parse(source))) is expected


def test_api_tail_takes_off_the_compat_prefix():
    assert real_code.api_tail("tensorflow.compat.v1.layers.dense") == ("layers.dense", True)
    assert real_code.api_tail("tensorflow.nn.relu") == ("nn.relu", False)
    assert real_code.api_tail("tensorflow") == ("", False)


def test_name_group():
    assert real_code.name_group("tf.compat.v1.layers.dense") == "tf.compat.v1.layers"
    assert real_code.name_group("tf.contrib.rnn.LSTMCell") == "tf.contrib.rnn"
    assert real_code.name_group("tf.compat.v1.contrib.layers.xavier_initializer") == "tf.compat.v1.contrib.layers"
    assert real_code.name_group("tf.placeholder") == "tf.placeholder"


def test_category_of_a_name_that_does_not_resolve():
    assert real_code.category("tensorflow.contrib", "AttributeError", False) == "gone"
    assert real_code.category("tensorflow.compat.v1.estimator", "AttributeError", False) == "gone"
    assert real_code.category("tensorflow.compat.v1.layers.dense", "not available with Keras 3", True) == "keras2-only"
    assert real_code.category("tensorflow.compat.v1.layers.dense", "not available with Keras 3", None) == "keras2-only"
    assert real_code.category("tensorflow.placeholder", "AttributeError", False) == "missing"


def test_new_suffixed_names_are_those_the_original_did_not_have():
    original = ast.parse("optimizer = 1\nlayer_1 = 2\n")
    fixed = ast.parse("optimizer = 1\noptimizer_2 = 1\nlayer_1 = 2\ndef loss_3(x_1): return x_1\nconv2d = 4\n")
    assert real_code.new_suffixed_names(original, fixed) == ["loss_3", "optimizer_2", "x_1"]


def test_most_repeated_input_signature():
    source = textwrap.dedent("""
        import tensorflow as tf
        S = None
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def a(x): return x
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def b(x): return x
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def c(x): return x
        @tf.function(input_signature=[tf.TensorSpec([2], tf.int32)])
        def d(x): return x
    """)
    assert real_code.max_repeated_signature(ast.parse(source)) == 3
    assert real_code.max_repeated_signature(ast.parse("x = 1")) == 0
    shared = "\n".join(f"@tf.function(input_signature=SIGNATURE{part})\ndef f{i}(x): return x"
                       for i, part in enumerate(["", "", "[:1]", "[:1]"]))
    assert real_code.max_repeated_signature(ast.parse(shared)) == 0  # one constant, written once


def test_file_status_after_the_fix():
    assert real_code.file_status(False, "clean") == "clean"
    assert real_code.file_status(True, "clean") == "idiomatic"
    assert real_code.file_status(True, "compat-only") == "compat-only"
    assert real_code.file_status(True, "manual") == "manual"


@pytest.mark.parametrize("output, code, verdict", [
    ("original ...\nmatch: 3 numbers agree within rtol 1e-05", 0, "match"),
    ("mismatch: 1 of 3 numbers differ", 1, "mismatch"),
    ("error: the original did not run: URLError", 2, "original fails"),
    ("error: neither program ran: the original: x; the rewrite: y", 2, "original fails"),
    ("error: the rewrite did not run: AttributeError", 2, "rewrite fails"),
    ("error: the original did not run: timed out after 120 s", 2, "original times out"),
    ("error: the rewrite did not run: timed out after 120 s", 2, "rewrite times out"),
    ("error: neither program printed a number: nothing to compare", 2, "no numbers"),
    ("could not run: the original needs the module 'sklearn', which is not installed here (pip install "
     "scikit-learn)", 2, "could not run here"),
    ("something else went wrong", 2, "verify error"),
])
def test_classify_verify(output, code, verdict):
    assert real_code.classify_verify(output, code) == verdict


def test_group_message_takes_out_the_specifics():
    assert (real_code.group_message("kept on tensorflow.compat.v1: `tf.app.flags` has no TensorFlow 2 equivalent")
            == "kept on tensorflow.compat.v1: `…` has no TensorFlow 2 equivalent")
    assert (real_code.group_message("kept on tensorflow.compat.v1: tf.summary.merge_all at line 12 in TensorFlow 2")
            == "kept on tensorflow.compat.v1: tf.… at line N in TensorFlow 2")
    assert (real_code.group_message("kept on tensorflow.compat.v1: graph tensor pnet is used outside a session run")
            == "kept on tensorflow.compat.v1: graph tensor … is used outside a session run")
    assert (real_code.group_message("kept on tensorflow.compat.v1: class Vgg19 holds TensorFlow graph objects")
            == "kept on tensorflow.compat.v1: class … holds TensorFlow graph objects")


def test_resolver_asks_the_installed_tensorflow(tmp_path):
    pytest.importorskip("tensorflow")
    source = textwrap.dedent("""
        import tensorflow as tf
        import tensorflow.compat.v1 as v1
        from tensorflow.examples.tutorials.mnist import input_data
        a = tf.float32.max
        b = tf.app
        c = v1.app.flags.FLAGS.batch_size
        d = tf.contrib.layers.xavier_initializer
        e = v1.layers.dense
        f = v1.placeholder
        g = tf.nn.relu
        h = v1.estimator.Estimator
    """)
    refs = real_code.tf_references(ast.parse(source))
    resolver = real_code.Resolver(real_code.sys.executable, str(tmp_path / "names.json"))
    resolver.resolve(r.key for r in refs)
    got = {real_code.short_name(r.dotted): resolver.answer(r)[0] for r in refs}
    expected = {
        "tf": "ok", "tf.compat.v1": "ok", "tf.examples.tutorials.mnist.input_data": "missing",
        "tf.float32.max": "ok", "tf.app": "missing", "tf.compat.v1.app.flags.FLAGS.batch_size": "ok",
        "tf.contrib.layers.xavier_initializer": "gone", "tf.compat.v1.placeholder": "ok", "tf.nn.relu": "ok",
        "tf.compat.v1.estimator.Estimator": "gone",
        "tf.compat.v1.layers.dense": "keras2-only",
    }
    assert got == expected
    estimator = next(r for r in refs if r.parts[:1] == ("estimator",))
    assert resolver.answer(estimator)[1] == "tensorflow.compat.v1.estimator"
    # The answers are kept: a second resolver with the same versions asks no TensorFlow child.
    again = real_code.Resolver(real_code.sys.executable, str(tmp_path / "names.json"))
    again.resolve(r.key for r in refs)
    assert again.child_runs == 0 and {k: again.answers[k] for k in resolver.answers} == resolver.answers


def test_compare_runs_lists_the_files_that_changed_and_counts_them(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("compare_runs", ROOT / "benchmarks" / "compare_runs.py")
    compare_runs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare_runs)

    def record(path, files):
        import json

        rows = [{"path": name, "tf1": True, "parsed": True, "status": status, "all_resolve": resolves}
                for name, status, resolves in files]
        rows.append({"path": "plain.py", "tf1": False, "parsed": True, "status": "idiomatic", "all_resolve": True})
        path.write_text(json.dumps({"sets": [{"name": "real", "files": rows}]}))
        return str(path)

    before = record(tmp_path / "a.json", [("a.py", "manual", False), ("b.py", "compat-only", True),
                                          ("c.py", "idiomatic", True), ("gone.py", "manual", False)])
    after = record(tmp_path / "b.json", [("a.py", "compat-only", True), ("b.py", "compat-only", False),
                                         ("c.py", "idiomatic", True), ("new.py", "idiomatic", True)])
    assert compare_runs.main([before, after]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "real  a.py: manual (unresolved names) -> compat-only",
        "real  b.py: compat-only -> compat-only (unresolved names)",
        "resolve now: 1; resolved before, not now: 1",
        "manual -> compat-only: 1"]
    compare_runs.main([before, after, "--all"])
    assert "real  gone.py: manual (unresolved names) -> absent" in capsys.readouterr().out.splitlines()
