"""TF1's loss functions (TFM108): exact rewrites, and the same numbers as TF1 computed."""
from __future__ import annotations

import json

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status


PROGRAM = '''\
import numpy as np
import tensorflow as tf

y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
p = np.array([[0.2, 0.5, 0.3], [0.1, 0.7, 0.2]], dtype=np.float32)
digits = np.array([0, 1], dtype=np.int32)
x = tf.placeholder(tf.float32, [None, 3])
losses = [
    tf.losses.mean_squared_error(y, x),
    tf.losses.absolute_difference(labels=y, predictions=x),
    tf.losses.softmax_cross_entropy(y, x),
    tf.losses.sparse_softmax_cross_entropy(digits, x, scope="sparse"),
    tf.losses.sigmoid_cross_entropy(y, logits=x, weights=1.0),
    tf.losses.huber_loss(y, x, delta=0.25),
    tf.losses.log_loss(y, x),
]
with tf.Session() as sess:
    print(json.dumps([float(v) for v in sess.run(losses, feed_dict={x: p})]))
'''.replace("import numpy as np\n", "import json\n\nimport numpy as np\n")

LOSSES = '''\
losses = [
    tf.reduce_mean(tf.math.squared_difference(x, y)),
    tf.reduce_mean(tf.abs(x - y)),
    tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x)),
    tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=digits, logits=x)),
    tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x)),
    tf.reduce_mean(tf.keras.losses.huber(y, x, delta=0.25)),
    tf.reduce_mean(-tf.cast(y, tf.float32) * tf.math.log(tf.cast(x, tf.float32) + 1e-07) - (1 - tf.cast(y, tf.float32)) * tf.math.log(1 - tf.cast(x, tf.float32) + 1e-07)),
]'''


def findings(source: str):
    return [(f.code, f.start.line) for f in process_text(source, "case.py", Options()).findings]


def test_each_loss_becomes_the_mean_of_its_per_element_op():
    source = "import tensorflow as tf\n\nx = y = digits = None\n" + PROGRAM.split("x = tf.placeholder(tf.float32, [None, 3])\n")[1].split("with")[0]
    outcome = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.new_text == "import tensorflow as tf\n\nx = y = digits = None\n" + LOSSES + "\n"
    assert outcome.status == Status.IDIOMATIC
    assert findings(source) == [("TFM108", line) for line in range(5, 12)]


def test_weights_or_a_reduction_stay_tfm105_and_compat_files_are_left_alone():
    weighted = "import tensorflow as tf\nloss = tf.losses.mean_squared_error(y, p, weights=w)\n"
    assert ("TFM105", 2) in findings(weighted) and "TFM108" not in [code for code, _ in findings(weighted)]
    compat = "import tensorflow.compat.v1 as tf\nloss = tf.losses.mean_squared_error(y, p)\n"
    assert "TFM108" not in [code for code, _ in findings(compat)]


def test_a_graph_program_on_compat_v1_as_written_gets_the_loss_once_the_rewrite_makes_it_tensorflow_2():
    source = PROGRAM.replace("import tensorflow as tf\n", "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")
    assert process_text(source, "case.py", Options()).status == Status.IDIOMATIC
    fixed = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))
    assert fixed.status == Status.IDIOMATIC and "import tensorflow as tf\n" in fixed.new_text
    assert "tf.losses" not in fixed.new_text and "tf.reduce_mean(tf.math.squared_difference(x, y))" in fixed.new_text


def test_the_graph_program_rewrite_computes_what_tf1_computed():
    fixed = process_text(PROGRAM, "losses.py", Options(fix=True, unsafe_fixes=True))
    assert fixed.status == Status.IDIOMATIC and "tf.losses" not in fixed.new_text
    results = {mode: json.loads(run_in_tensorflow(mode, text, "losses.py").strip().splitlines()[-1])
               for mode, text in (("tf1", PROGRAM), ("tf2", fixed.new_text))}
    assert len(results["tf1"]) == 7
    assert results["tf2"] == results["tf1"]


def test_a_loss_tfm108_leaves_is_still_reported():
    """Reached through tf.compat.v1 or an imported `losses` module, TFM108 has no `tf` to write
    `tf.reduce_mean` on: TFM105 reports the call, as for any TF1-only name."""
    for source in ("import tensorflow as tf\nloss = tf.compat.v1.losses.mean_squared_error(y, p)\n",
                   "import tensorflow as tf\nfrom tensorflow import losses\nloss = losses.mean_squared_error(y, p)\n"):
        line = source.count("\n")
        assert ("TFM105", line) in findings(source) and "TFM108" not in [code for code, _ in findings(source)]


def test_contribs_sequence_loss_in_a_graph_program_and_a_rebound_tensor_named_after_its_last_op():
    source = '''\
import tensorflow as tf
X = tf.placeholder(tf.float32, [None, 6, 5])
Y = tf.placeholder(tf.int32, [None, 6])
outputs = tf.layers.dense(X, 5)
flat = tf.argmax(outputs, 2)
outputs = tf.layers.dense(outputs, 5)
outputs = tf.reshape(outputs, [1, 6, 5])
weights = tf.ones([1, 6])
loss = tf.contrib.seq2seq.sequence_loss(logits=outputs, targets=Y, weights=weights)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([loss, flat], feed_dict={X: [[[0.0] * 5] * 6], Y: [[1] * 6]}))
'''
    assert [code for code, _ in findings(source) if code in ("TFM090", "TFM107", "TFM108")] == ["TFM108"]
    outcome = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))
    assert outcome.status == Status.IDIOMATIC
    assert outcome.new_text == '''\
import tensorflow as tf
outputs_layer = tf.keras.layers.Dense(5)

def outputs(X):
    return outputs_layer(X)

@tf.function(input_signature=[tf.TensorSpec([None, 6, 5], tf.float32)])
def flat(X):
    return tf.argmax(outputs(X), 2)

outputs_dense = tf.keras.layers.Dense(5)

def outputs_reshape(X):
    outputs_value = outputs_dense(outputs(X))
    outputs_value = tf.reshape(outputs_value, [1, 6, 5])
    return outputs_value

weights = tf.ones([1, 6])

@tf.function(input_signature=[tf.TensorSpec([None, 6, 5], tf.float32), tf.TensorSpec([None, 6], tf.int32)])
def loss(X, Y):
    return tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=Y, logits=outputs_reshape(X)) * weights) / (tf.reduce_sum(weights) + 1e-12)

print([loss([[[0.0] * 5] * 6], [[1] * 6]).numpy(), flat([[[0.0] * 5] * 6]).numpy()])
'''
    # the chain's local does not hide the function `outputs` it reads: the rewrite runs
    printed = run_in_tensorflow("tf2", outcome.new_text, "chain.py")
    assert printed.startswith("[np.float32(1.609")  # ln 5: uniform logits over 5 classes
