"""tf.metrics in a graph program become Keras metrics: exact rewrites and what keeps them on compat.

The numbers are proven by the fixture metrics_streaming_accuracy (tests/test_fixtures.py).
"""
from __future__ import annotations

import textwrap

import pytest

from tfmigrate.engine import Options, process_text

PROGRAM = """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.int64, [None])
W = tf.Variable(tf.ones([2, 2]))
logits = tf.matmul(x, W)
acc, acc_op = tf.metrics.accuracy(labels=y, predictions=tf.argmax(logits, 1))
sess = tf.Session()
sess.run(tf.group(tf.global_variables_initializer(), tf.local_variables_initializer()))
for batch in range(2):
    print(sess.run(acc_op, {x: [[1., 2.]], y: [batch]}))
print(sess.run(acc))
"""


def fixed(source: str):
    return process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True))


def test_a_streaming_metric_is_a_keras_metric_its_update_op_and_value_functions():
    outcome = fixed(PROGRAM)
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf

        W = tf.Variable(tf.ones([2, 2]))

        def logits(x):
            return tf.matmul(x, W)

        acc_metric = tf.keras.metrics.Accuracy()

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None], tf.int64)])
        def acc_op(x, y):
            acc_metric.update_state(y, tf.argmax(logits(x), 1))
            return acc_metric.result()

        def acc():
            return acc_metric.result()

        for batch in range(2):
            print(acc_op([[1., 2.]], [batch]).numpy())
        print(acc().numpy())
        """)


@pytest.mark.parametrize("old, new, reason", [
    ("acc, acc_op = tf.metrics.accuracy(labels=y, predictions=tf.argmax(logits, 1))",
     "acc, acc_op = tf.metrics.accuracy(labels=y, predictions=tf.argmax(logits, 1), weights=[1.])",
     "tf.metrics.accuracy with weights or options"),
    ("print(sess.run(acc))", "print(sess.run(acc_op * 100, {x: [[1., 2.]], y: [0]}))",
     "the metric update op acc_op read by another tensor (it would update the metric again)"),
    ("acc, acc_op = tf.metrics.accuracy(labels=y, predictions=tf.argmax(logits, 1))",
     "pair = tf.metrics.accuracy(labels=y, predictions=tf.argmax(logits, 1))\nacc, acc_op = pair",
     "the result of tf.metrics.accuracy(...) is not unpacked into its value and update op"),
])
def test_what_keeps_a_metric_on_compat(old, new, reason):
    assert old in PROGRAM
    outcome = fixed(PROGRAM.replace(old, new))
    assert outcome.status.value == "compat-only"
    assert [f.message for f in outcome.remaining if f.code == "TFM090"][0] == "kept on tensorflow.compat.v1: " + reason


PROBABILITIES = """\
import tensorflow as tf

labels = tf.constant([1, 0, 1, 0])
scores = tf.placeholder(tf.float32, [None])
precision, precision_op = tf.metrics.precision(labels, scores)
recall, recall_op = tf.metrics.recall(labels, scores)
sess = tf.Session()
sess.run(tf.local_variables_initializer())
sess.run([precision_op, recall_op], {scores: [0.3, 0.2, 0.9, 0.0]})
print(sess.run([precision, recall]))
"""


def test_precision_and_recall_count_every_nonzero_prediction_as_tf1_did():
    """TF1 cast the predictions to bool; Keras's metrics count those above 0.5 unless told otherwise:
    probabilities 0.3 and 0.2 were positive to TF1 (precision 2/3, recall 1), not to Keras (1, 1/2)."""
    from conftest import run_in_tensorflow

    outcome = fixed(PROBABILITIES)
    assert outcome.status.value == "idiomatic"
    assert "precision_metric = tf.keras.metrics.Precision(thresholds=0.0)\n" in outcome.new_text
    assert "recall_metric = tf.keras.metrics.Recall(thresholds=0.0)\n" in outcome.new_text
    from tfmigrate.comparison import extract_numbers

    for mode, program in (("tf1", PROBABILITIES), ("tf2", outcome.new_text)):
        printed = extract_numbers(run_in_tensorflow(mode, program))
        assert [round(float(number), 6) for number in printed] == [0.666667, 1.0], (mode, printed)


UNEVEN = """\
import tensorflow as tf

labels = tf.placeholder(tf.float32, [None])
predictions = tf.placeholder(tf.float32, [None])
mse, mse_op = tf.metrics.mean_squared_error(labels, predictions)
mae, mae_op = tf.metrics.mean_absolute_error(labels, predictions)
sess = tf.Session()
sess.run(tf.local_variables_initializer())
sess.run([mse_op, mae_op], {labels: [1.0, 2.0], predictions: [1.0, 2.0]})
sess.run([mse_op, mae_op], {labels: [4.0], predictions: [3.0]})
print(sess.run([mse, mae]))
"""


def test_squared_and_absolute_errors_are_averaged_over_every_value_as_tf1_did():
    """Keras's metrics average each example's mean over its last axis: 1-D values are one example per batch,
    and the last batch of one value weighs as much as the first of two (1/2, where TF1 gave 1/3)."""
    from conftest import run_in_tensorflow
    from tfmigrate.comparison import extract_numbers

    outcome = fixed(UNEVEN)
    assert outcome.status.value == "idiomatic"
    assert "    mse_metric.update_state(tf.reshape(labels, [-1, 1]), tf.reshape(predictions, [-1, 1]))\n" in \
        outcome.new_text
    for mode, program in (("tf1", UNEVEN), ("tf2", outcome.new_text)):
        printed = extract_numbers(run_in_tensorflow(mode, program))
        assert [round(float(number), 6) for number in printed] == [0.333333, 0.333333], (mode, printed)
