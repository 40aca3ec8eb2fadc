"""TFM122: positional arguments TensorFlow 2 binds to other parameters are passed by keyword; TFM123: so are
those of TensorFlow 0.x losses, which TensorFlow 1.x took by keyword only."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from tfmigrate.engine import Options, process_text

SOURCE = textwrap.dedent("""\
    import tensorflow as tf
    logits = tf.constant([[0.1, 0.9], [0.8, 0.2]])
    labels = tf.constant([1, 1])
    hit = tf.nn.in_top_k(logits, labels, 1)
    counts = tf.random_poisson(3.0, [2, 3])
    t = tf.transpose(logits, [1, 0], "t")
    with tf.Session() as sess:
        print(sess.run(hit), sess.run(counts).shape, sess.run(t)[0])
""")


def test_in_top_k_and_poisson_keep_the_arguments_tf1_bound():
    outcome = process_text(SOURCE, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf
        logits = tf.constant([[0.1, 0.9], [0.8, 0.2]])
        labels = tf.constant([1, 1])
        hit = tf.nn.in_top_k(predictions=logits, targets=labels, k=1)
        counts = tf.random.poisson(lam=3.0, shape=[2, 3])
        t = tf.transpose(logits, [1, 0], name="t")
        print(hit.numpy(), counts.numpy().shape, t.numpy()[0])
    """)
    found = [(f.start.line, f.message) for f in process_text(SOURCE, "case.py", Options()).findings
             if f.code == "TFM122"]
    assert found == [
        (4, "positional arguments of `tf.nn.in_top_k` from position 1 on are other parameters in TensorFlow 2: "
            "passed by keyword, as TF1 bound them"),
        (5, "positional arguments of `tf.random_poisson` from position 1 on are other parameters in TensorFlow 2: "
            "passed by keyword, as TF1 bound them"),
        (6, "positional arguments of `tf.transpose` from position 3 on are other parameters in TensorFlow 2: "
            "passed by keyword, as TF1 bound them")]
    pytest.importorskip("tensorflow")
    # TF1's in_top_k(predictions, targets): row 0's top class is 1 (a hit), row 1's is 0 (a miss); the
    # positional call on TF2 would read the labels as predictions and fail or answer otherwise
    done = subprocess.run([sys.executable, "-c", outcome.new_text], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.stdout.split() == ["[", "True", "False]", "(2,", "3)", "[0.1", "0.8]"], done.stderr[-2000:]


def test_positions_tf2_still_binds_alike_stay_and_one_without_a_parameter_is_reported():
    same = "import tensorflow as tf\ny = tf.nn.conv2d(x, w, [1, 1, 1, 1], 'SAME')\n"
    assert [f.code for f in process_text(same, "case.py", Options()).findings if f.code == "TFM122"] == []
    gone = "import tensorflow as tf\ny = tf.nn.conv2d(x, w, [1, 1, 1, 1], 'SAME', True)\n"
    found = [f for f in process_text(gone, "case.py", Options()).findings if f.code == "TFM122"]
    assert [f.message for f in found] == [
        "positional arguments of `tf.nn.conv2d` from position 5 on are other parameters in TensorFlow 2: pass them "
        "by keyword (one has no TensorFlow 2 parameter, or is unpacked)"]
    assert found[0].fix is None


def test_the_table_is_what_the_installed_tensorflow_signatures_give():
    pytest.importorskip("tensorflow")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate_positional_table as generator
    finally:
        sys.path.pop(0)
    api = json.loads((ROOT / "rules" / "data" / "tf_api.json").read_text(encoding="utf-8"))
    stored = json.loads((ROOT / "rules" / "data" / "tf_positional.json").read_text(encoding="utf-8"))
    assert generator.table(api) == stored


TF0 = textwrap.dedent("""\
    import tensorflow as tf
    pred = tf.constant([[2.0, 0.0], [0.0, 1.0]])
    y = tf.constant([[0.0, 1.0], [0.0, 1.0]])
    softmax = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(pred, y))
    sigmoid = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(pred, targets=y))
    sparse = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(pred, tf.argmax(y, 1)))
    with tf.Session() as sess:
        print(sess.run([softmax, sigmoid, sparse]))
""")


def test_tensorflow_0_losses_called_positionally_pass_logits_and_labels_by_keyword():
    # BinRoot's `softmax_cross_entropy_with_logits(model_op, y)`: TF 1.x raised, TF 2 would read pred as labels
    outcome = process_text(TF0, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf
        pred = tf.constant([[2.0, 0.0], [0.0, 1.0]])
        y = tf.constant([[0.0, 1.0], [0.0, 1.0]])
        softmax = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=pred, labels=y))
        sigmoid = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=pred, labels=y))
        sparse = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(logits=pred, labels=tf.argmax(y, 1)))
        print([softmax.numpy(), sigmoid.numpy(), sparse.numpy()])
    """)
    found = [(f.start.line, f.message) for f in process_text(TF0, "case.py", Options()).findings
             if f.code == "TFM123"]
    assert found == [(line, f"`tf.nn.{name}` takes its arguments by keyword only in TensorFlow 1.x (a positional call "
                            f"raises); these are TensorFlow 0.x's ({order}), and TensorFlow 2 would bind them to other "
                            "parameters: passed by keyword, as TensorFlow 0.x bound them")
                     for line, name, order in ((4, "softmax_cross_entropy_with_logits", "logits, labels"),
                                               (5, "sigmoid_cross_entropy_with_logits", "logits"),
                                               (6, "sparse_softmax_cross_entropy_with_logits", "logits, labels"))]
    pytest.importorskip("tensorflow")
    done = subprocess.run([sys.executable, "-c", outcome.new_text], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    # softmax (and sparse): row 0 -log(e^0 / (e^2 + e^0)) = 2.126928, row 1 -log(e / (1 + e)) = 0.313262;
    # sigmoid: max(x, 0) - x*y + log(1 + e^-|x|) over [2, 0, 0, 1] against [0, 1, 0, 1], averaged
    values = [round(float(v), 5) for v in re.findall(r"\d+\.\d+", done.stdout)]
    assert values == [1.22009, 0.95662, 1.22009], done.stderr[-2000:]


def test_tf1_ctc_loss_takes_tf2_keywords_and_the_last_class_as_the_blank():
    source = textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        logits = tf.constant(np.sin(np.arange(24, dtype=np.float32)).reshape(3, 2, 4))
        labels = tf.SparseTensor(indices=[[0, 0], [1, 0], [1, 1]], values=[1, 2, 0], dense_shape=[2, 2])
        loss = tf.nn.ctc_loss(labels, logits, tf.constant([3, 3]))
        with tf.Session() as sess:
            print(sess.run(loss))
    """)
    outcome = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status.value == "idiomatic"
    assert ("loss = tf.nn.ctc_loss(labels=labels, logits=logits, label_length=None, logit_length=tf.constant([3, 3]), "
            "blank_index=-1)\n") in outcome.new_text
    pytest.importorskip("tensorflow")
    done = subprocess.run([sys.executable, "-c", outcome.new_text], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    # TF1's loss of these two sequences (tf.compat.v1.nn.ctc_loss computes the same)
    assert [round(float(v), 5) for v in re.findall(r"\d+\.\d+", done.stdout)] == [2.37091, 1.86384], done.stderr[-2000:]
