"""TF-Slim and contrib layers as the tf_slim package (TFM109): exact rewrites, findings, a run on TF 2.21."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROGRAM = '''\
import numpy as np
import tensorflow as tf
import tensorflow.contrib.slim as slim
from tensorflow.contrib.layers import xavier_initializer

x = tf.placeholder(tf.float32, [None, 3])
with slim.arg_scope([slim.fully_connected], activation_fn=tf.nn.relu,
                    weights_initializer=tf.ones_initializer()):
    h = slim.fully_connected(x, 2, scope="h")
    y = tf.contrib.layers.fully_connected(h, 1, activation_fn=None, weights_initializer=xavier_initializer(seed=1))
z = tf.contrib.framework.get_variables("h")
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(h, {x: np.array([[1.0, 2.0, 0.5], [-1.0, -1.0, -1.0]])}).tolist(), [v.name for v in z])
'''

FIXED = '''\
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
import tf_slim as slim
from tf_slim import xavier_initializer

x = tf.placeholder(tf.float32, [None, 3])
with slim.arg_scope([slim.fully_connected], activation_fn=tf.nn.relu,
                    weights_initializer=tf.ones_initializer()):
    h = slim.fully_connected(x, 2, scope="h")
    y = slim.fully_connected(h, 1, activation_fn=None, weights_initializer=xavier_initializer(seed=1))
z = slim.get_variables("h")
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(h, {x: np.array([[1.0, 2.0, 0.5], [-1.0, -1.0, -1.0]])}).tolist(), [v.name for v in z])
'''


def findings(source: str):
    return [(f.code, f.start.line) for f in process_text(source, "case.py", Options()).findings]


def test_a_slim_graph_program_goes_to_compat_v1_with_tf_slim_and_check_predicts_it():
    outcome = process_text(PROGRAM, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.new_text == FIXED
    assert outcome.status == Status.COMPAT
    assert process_text(PROGRAM, "case.py", Options()).status == Status.COMPAT
    found = findings(PROGRAM)
    assert [f for f in found if f[0] in ("TFM107", "TFM109")] == [
        ("TFM109", 3), ("TFM109", 4), ("TFM109", 10), ("TFM109", 11)]


def test_without_unsafe_fixes_a_file_not_yet_on_compat_v1_keeps_its_contrib_names():
    assert process_text(PROGRAM, "case.py", Options(fix=True)).new_text == PROGRAM


def test_a_file_on_compat_v1_gets_tf_slim_from_a_safe_fix_and_the_package_alias_when_it_has_one():
    source = ("import tensorflow.compat.v1 as tf\n"
              "w = tf.get_variable('w', [3], initializer=tf.contrib.layers.xavier_initializer())\n"
              "r = tf.contrib.layers.l2_regularizer(0.1)(w)\n")
    assert process_text(source, "case.py", Options(fix=True)).new_text == (
        "import tensorflow.compat.v1 as tf\nimport tf_slim\n"
        "w = tf.get_variable('w', [3], initializer=tf_slim.xavier_initializer())\n"
        "r = tf_slim.l2_regularizer(0.1)(w)\n")


def test_contribs_own_module_paths_are_the_packages_modules():
    # seq2seq and SSD imported slim's data modules by their path inside tf.contrib
    source = ("import tensorflow.compat.v1 as tf\n"
              "from tensorflow.contrib.slim.python.slim.data import tfexample_decoder\n"
              "from tensorflow.contrib.slim.python.slim.data import parallel_reader\n"
              "q = tf.contrib.slim.python.slim.queues.QueueRunners\n")
    assert process_text(source, "case.py", Options(fix=True)).new_text == (
        "import tensorflow.compat.v1 as tf\n"
        "from tf_slim import tfexample_decoder\n"
        "from tf_slim import parallel_reader\n"
        "import tf_slim\n"
        "q = tf_slim.queues.QueueRunners\n")


@pytest.mark.parametrize("source", [
    # a name tf_slim does not have: the import stays, TFM107 says so
    "import tensorflow.compat.v1 as tf\nimport tensorflow.contrib.slim as slim\nnet = slim.nets.vgg.vgg_16(x)\n",
    # eager TensorFlow 2 code: tf_slim builds graphs, TFM107 names the Keras layer instead
    "import tensorflow as tf\nlayer = tf.contrib.layers.fully_connected(tf.ones([1, 2]), 3)\n",
])
def test_names_tf_slim_lacks_and_eager_files_stay_tfm107(source):
    codes = [code for code, _ in findings(source)]
    assert "TFM109" not in codes and "TFM107" in codes
    assert "tf_slim" not in (process_text(source, "case.py", Options(fix=True, unsafe_fixes=True)).new_text or "")


def test_the_rewrite_runs_on_tensorflow_2_21_with_tf_slim():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "slim_program.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(FIXED)
        done = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tf_batch.py"), "tf2-compat", path],
                              capture_output=True, text=True, timeout=600,
                              env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])[path]
    assert result["error"] is None, result
    # arg_scope's ReLU and ones initializer reached the layer: 1 + 2 + 0.5, and 0 for the negative row
    assert result["stdout"] == "[[3.5, 3.5], [0.0, 0.0]] ['h/weights:0', 'h/biases:0']\n"


def test_the_committed_tf_slim_table_matches_the_installed_package(tmp_path):
    output = tmp_path / "tf_slim.json"
    done = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "generate_slim_table.py"),
                           "--output", str(output)], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert done.returncode == 0, done.stderr[-2000:]
    with open(os.path.join(ROOT, "rules", "data", "tf_slim.json"), encoding="utf-8") as handle:
        assert json.loads(output.read_text()) == json.load(handle)


BROKEN_USES = '''\
import tensorflow as tf
import tensorflow.contrib.slim as slim
layers = tf.contrib.layers
x = tf.placeholder(tf.float32, [None, 3])
h = tf.contrib.layers.batch_norm(slim.fully_connected(x, 4), is_training=True)
g = slim.fully_connected(x, 4, normalizer_fn=layers.batch_norm)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
'''


def test_tf_slims_batch_norm_fails_on_tensorflow_2_21_so_contrib_batch_norm_becomes_tf1s_written_into_the_file():
    found = [(f.start.line, f.message) for f in process_text(BROKEN_USES, "case.py", Options()).findings
             if f.code == "TFM109" and "fails" in f.message]
    reason = ("tf_slim's batch_norm fails on TensorFlow 2.21 (tf-slim 1.1.0 reads tensorflow.python.framework.ops."
              "Tensor, which TensorFlow no longer has): TF1's batch_norm is written into the file (a function on "
              "tensorflow.compat.v1 ops and tf_slim's model variables: the same variables, moving averages and "
              "arg_scope)")
    assert found == [(5, reason), (6, reason)]
    outcome = process_text(BROKEN_USES, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status == Status.COMPAT  # the helper: tests/test_slim_batch_norm.py
    assert outcome.new_text.endswith(
        "layers = slim\nx = tf.placeholder(tf.float32, [None, 3])\n"
        "h = batch_norm(slim.fully_connected(x, 4), is_training=True)\n"
        "g = slim.fully_connected(x, 4, normalizer_fn=batch_norm)\n"
        "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n")
    # the package itself: every form of its batch_norm fails on this TensorFlow
    pytest.importorskip("tf_slim")
    program = ("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nimport tf_slim\n"
               "for call in (lambda: tf_slim.batch_norm(tf.ones([4, 3]), is_training=True),\n"
               "             lambda: tf_slim.batch_norm(tf.ones([4, 3]), is_training=False),\n"
               "             lambda: tf_slim.conv2d(tf.ones([1, 4, 4, 3]), 2, [3, 3], normalizer_fn=tf_slim.batch_norm)):\n"
               "    try:\n        call()\n        print('ran')\n"
               "    except (AttributeError, ImportError) as error:\n        print(type(error).__name__)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert done.stdout.split() == ["AttributeError", "AttributeError", "ModuleNotFoundError"], done.stderr[-2000:]
