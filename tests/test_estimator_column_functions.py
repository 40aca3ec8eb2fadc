"""Feature columns a function of the file returns, as the estimator tutorials write them:
``def get_feature_columns(): return {name: tf.feature_column.numeric_column(name) for name in NAMES}``,
read by a model_fn's input layer (``list(get_feature_columns().values())``) or given to a canned
estimator. The program that runs on TensorFlow 2.15 and 2.21 is the fixture estimator_columns_function."""
from __future__ import annotations

import textwrap

from test_estimator import GONE, manual_reason, outcomes

PROGRAM = """\
    import numpy as np
    import tensorflow as tf

    FEATURE_NAMES = ["x", "y"]
    data = {"x": np.ones(8, np.float32), "y": np.zeros(8, np.float32)}

    def get_feature_columns():
        feature_columns = {name: tf.feature_column.numeric_column(name) for name in FEATURE_NAMES}
        return feature_columns

    def model_fn(features, labels, mode, params):
        feature_columns = list(get_feature_columns().values())
        net = tf.feature_column.input_layer(features=features, feature_columns=feature_columns)
        predictions = tf.layers.dense(net, 1)
        loss = tf.losses.mean_squared_error(labels, predictions)
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    est = tf.estimator.Estimator(model_fn)
    est.train(lambda: tf.data.Dataset.from_tensors((data, np.ones((8, 1), np.float32))), steps=1)
"""


def test_the_columns_a_function_returns_as_a_dict_are_read_by_key_and_the_function_goes():
    _, check, fixed = outcomes(PROGRAM)
    assert check.status.value == fixed.status.value == "idiomatic"
    assert "get_feature_columns" not in fixed.new_text and "FEATURE_NAMES" not in fixed.new_text
    assert textwrap.indent(textwrap.dedent("""\
        def model_fn(self, features, labels, mode):
            net = tf.concat([tf.reshape(tf.cast(features[key], tf.float32), (-1, 1)) for key in ("x", "y")], axis=1)
            predictions = self.dense(net)
    """), "    ") in fixed.new_text


def test_a_canned_estimator_given_the_columns_a_function_returns():
    program = PROGRAM.split("    def model_fn")[0] + """\
    est = tf.estimator.LinearRegressor(feature_columns=list(get_feature_columns().values()))
    est.train(lambda: tf.data.Dataset.from_tensors((data, np.ones((8, 1), np.float32))), steps=1)
    """
    _, check, fixed = outcomes(program)
    assert check.status.value == fixed.status.value == "idiomatic"
    assert "get_feature_columns" not in fixed.new_text
    assert "est = LinearRegressor()\n" in fixed.new_text


def test_columns_of_a_function_that_does_more_than_return_them_stay_refused():
    grown = PROGRAM.replace("        return feature_columns\n",
                            '        feature_columns["z"] = tf.feature_column.numeric_column("z")\n'
                            "        return feature_columns\n")
    assert manual_reason(grown) == (14, "not rewritten to Keras 3: feature columns the model_fn computes" + GONE)
    taking = PROGRAM.replace("def get_feature_columns():", "def get_feature_columns(names=FEATURE_NAMES):")
    assert manual_reason(taking) == (13, "not rewritten to Keras 3: feature columns the model_fn computes" + GONE)
    listed = PROGRAM.replace("list(get_feature_columns().values())", "list(get_feature_columns())")
    assert manual_reason(listed) == (13, "not rewritten to Keras 3: feature columns the model_fn computes" + GONE)


def test_a_vocabulary_file_column_reads_the_files_first_lines_and_needs_their_count():
    program = """\
        import numpy as np
        import tensorflow as tf
        from tensorflow import feature_column as fc

        device = fc.categorical_column_with_vocabulary_file("device", "devices.txt", vocabulary_size=3)
        model = tf.estimator.LinearClassifier([device])
        model.train(tf.estimator.inputs.numpy_input_fn({"device": np.array(["a"])}, np.ones(1), shuffle=False))
    """
    _, check, fixed = outcomes(program)
    assert check.status.value == fixed.status.value == "idiomatic"
    assert "feature_column" not in fixed.new_text
    assert ('        self.device = tf.keras.layers.StringLookup(\n'
            '            vocabulary=tf.io.gfile.GFile("devices.txt").read().split("\\n")[:3], output_mode="count")\n'
            ) in fixed.new_text
    counted = program.replace(', vocabulary_size=3', '')
    assert manual_reason(counted) == (
        5, "not rewritten to Keras 3: categorical_column_with_vocabulary_file without vocabulary_size" + GONE)
