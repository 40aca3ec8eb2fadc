"""Layers a model_fn makes in a loop over values known when the model is built: one Keras layer per pass,
built in __init__; named as the loop names them, and read by TF1's default names when TF1's are known."""
from __future__ import annotations

import textwrap

from test_estimator import GONE, manual_reason, outcomes

PROGRAM = """\
    import numpy as np
    import tensorflow as tf

    def model_fn(features, labels, mode, params):
        net = features["x"]
        for units in params["hidden"]:
            net = tf.layers.dense(net, units)
        loss = tf.reduce_mean(tf.square(tf.squeeze(net, 1) - labels))
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    est = tf.estimator.Estimator(model_fn, params={"hidden": [4, 1]})
    est.train(lambda: tf.data.Dataset.from_tensors(({"x": np.ones((4, 2), np.float32)}, np.ones(4, np.float32))),
              steps=1)
    print(est.get_variable_value("dense/bias"), est.get_variable_value("dense_1/kernel"))
"""


def test_a_layer_made_in_each_pass_of_a_loop_over_params_is_read_by_tf1s_default_names():
    _, check, fixed = outcomes(PROGRAM)
    assert check.status.value == fixed.status.value == "idiomatic"
    assert "        self.dense_layers = [tf.keras.layers.Dense(units) for units in params[\"hidden\"]]\n" in (
        fixed.new_text)
    assert fixed.new_text.endswith("print(est.dense_layers[0].bias.numpy(), est.dense_layers[1].kernel.numpy())\n")


def test_tf1s_names_of_loop_layers_are_not_known_when_the_passes_are_not():
    # a third pass TF1 would have named dense_2; a list the program computes: how many is not known here
    computed = PROGRAM.replace('params={"hidden": [4, 1]}', 'params={"hidden": list(range(1, 3))}')
    assert manual_reason(computed)[1] == (
        'not rewritten to Keras 3: get_variable_value("dense/bias"): no variable of that name is known' + GONE)
    # two dense layers a pass: TF1 named them dense, dense_1 in the first, dense_2, dense_3 in the next
    two = PROGRAM.replace("            net = tf.layers.dense(net, units)\n",
                          "            net = tf.layers.dense(tf.layers.dense(net, units), units)\n")
    assert manual_reason(two)[1] == (
        'not rewritten to Keras 3: get_variable_value("dense/bias"): no variable of that name is known' + GONE)


def test_a_layer_named_by_the_loops_values_keeps_that_name_in_each_pass():
    named = PROGRAM.replace("for units in params[\"hidden\"]:", "for i, units in enumerate(params[\"hidden\"]):").replace(
        "tf.layers.dense(net, units)", 'tf.layers.dense(net, units, name="hidden_%d" % i)').split("\n    print(")[0]
    _, check, fixed = outcomes(named + "\n")
    assert check.status.value == fixed.status.value == "idiomatic"
    assert textwrap.indent(textwrap.dedent("""\
        self.dense_layers = [tf.keras.layers.Dense(units, name="hidden_%d" % i) for i, units in enumerate(params["hidden"])]
    """), "        ") in fixed.new_text
    read = named + '\n    print(est.get_variable_value("hidden_1/kernel"))\n'
    assert outcomes(read)[2].new_text.endswith("print(est.dense_layers[1].kernel.numpy())\n")
    computed = named.replace('name="hidden_%d" % i', "name=mode")
    assert manual_reason(computed + "\n")[1] == (
        "not rewritten to Keras 3: tf.layers.dense named by a value that is not a string literal" + GONE)
