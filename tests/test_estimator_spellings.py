"""An Estimator program written with TF1's other spellings of the same objects: TensorFlow's
private estimator modules (``from tensorflow.python.estimator import model_fn as model_fn_lib``,
``numpy_io.numpy_input_fn``), TF 1.2's ``import tensorflow.contrib.keras as K``, and
contrib.learn's Estimator, the first version of tf.estimator's (``ModelFnOps``, ``fit``).

TFM114 writes the private names as the public ones (``rules/data/tf_private.json`` has the
estimator's since tensorflow_estimator's modules are read too), TFM120 imports Keras from
TensorFlow, and ``rules/_estimator/learn_estimators.py`` writes contrib.learn's Estimator with
tf.estimator's names; the Estimator rewrite reads them as those. contrib.learn is in no TensorFlow
2 release, and the private modules in none since 1.13, so these originals cannot run: each case
checks that the rewrite is, line for line, the rewrite of the program written with tf.estimator's
public names (whose numbers verify checks on TensorFlow 2.15 and 2.21 for the fixtures).
"""
from __future__ import annotations

import textwrap

import pytest

from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)

PROGRAM = '''\
import numpy as np
import tensorflow as tf
{imports}

x_train = np.linspace(-2.0, 2.0, 25).astype(np.float32).reshape(-1, 1)
y_train = 0.5 * x_train - 1.0


def line_fn(features, labels, mode, params):
    y = {keras}.layers.Dense(1, kernel_initializer="zeros")(features["x"])
    if mode == {modes}.PREDICT:
        return {spec}(mode, predictions={{"y": y}})
    loss = tf.losses.mean_squared_error(labels, y)
    train_op = tf.train.GradientDescentOptimizer(params["rate"]).minimize(
        loss, global_step=tf.train.get_global_step())
    return {spec}(mode, loss=loss, train_op=train_op)


train_input_fn = {numpy_input_fn}({{"x": x_train}}, y_train, batch_size=25, num_epochs=None, shuffle=False)
estimator = {estimator}(line_fn, params={{"rate": 0.1}})
estimator.train(train_input_fn, steps=50)
predict_input_fn = {numpy_input_fn}({{"x": x_train[:3]}}, shuffle=False)
print([p["y"] for p in estimator.predict(predict_input_fn)])
'''
PUBLIC = dict(imports="", keras="tf.keras", modes="tf.estimator.ModeKeys", spec="tf.estimator.EstimatorSpec",
              numpy_input_fn="tf.estimator.inputs.numpy_input_fn", estimator="tf.estimator.Estimator")


def fixed(source: str):
    result = process_text(textwrap.dedent(source), "case.py", FIX)
    return result.status.value, [line for line in result.new_text.splitlines() if line.strip()]


def test_private_estimator_modules_and_contrib_keras_rewrite_as_the_public_names():
    spelled = PROGRAM.format(
        imports="import tensorflow.contrib.keras as K\n"
                "from tensorflow.python.estimator import estimator as estimator_lib\n"
                "from tensorflow.python.estimator import model_fn as model_fn_lib\n"
                "from tensorflow.python.estimator.inputs import numpy_io",
        keras="K", modes="model_fn_lib.ModeKeys", spec="model_fn_lib.EstimatorSpec",
        numpy_input_fn="numpy_io.numpy_input_fn", estimator="estimator_lib.Estimator")
    status, lines = fixed(spelled)
    public_status, public_lines = fixed(PROGRAM.format(**PUBLIC))
    assert (status, public_status) == ("idiomatic", "idiomatic")
    assert process_text(spelled, "case.py", Options()).status.value == "idiomatic"  # check predicts it
    assert lines[:3] == ["import numpy as np", "import tensorflow as tf", "from tensorflow import keras as K"]
    assert [line.replace("K.layers", "tf.keras.layers") for line in lines[3:]] == public_lines[2:]
    # the layer the model_fn made at each call is made once, in the model's __init__
    assert "        self.dense = K.layers.Dense(1, kernel_initializer=\"zeros\")" in lines
    assert "        y = self.dense(features[\"x\"])" in lines


def test_a_contrib_keras_module_with_a_member_tensorflow_2_lacks_is_left_to_tfm107():
    source = PROGRAM.format(**{**PUBLIC, "imports": "import tensorflow.contrib.keras as K", "keras": "K"}).replace(
        "estimator.train(", "K.backend.set_session(None)\nestimator.train(")
    result = process_text(source, "case.py", FIX)
    assert "import tensorflow.contrib.keras as K" in result.new_text
    assert result.status.value == "manual"


LEARN = '''\
import numpy as np
import tensorflow as tf
{imports}

x_train = np.linspace(-2.0, 2.0, 25).astype(np.float32).reshape(-1, 1)
y_train = 0.5 * x_train - 1.0


def line_fn(features, {labels}, mode, params):
    y = tf.layers.dense(features["x"], 1, kernel_initializer=tf.zeros_initializer(), name="line")
    if mode == {modes}:
        return {spec}(mode, predictions={{"y": y}})
    loss = tf.losses.mean_squared_error({labels}, y)
    train_op = tf.train.GradientDescentOptimizer(params["rate"]).minimize(
        loss, global_step=tf.train.get_global_step())
    return {spec}(mode=mode, loss=loss, train_op=train_op)


train_input_fn = tf.estimator.inputs.numpy_input_fn({{"x": x_train}}, y_train, batch_size=25, num_epochs=None,
                                                    shuffle=False)
test_input_fn = tf.estimator.inputs.numpy_input_fn({{"x": x_train}}, y_train, batch_size=25, shuffle=False)
estimator = {estimator}(model_fn=line_fn, params={{"rate": 0.1}}, config={config}(model_dir="/tmp/line"))
estimator.{fit}(input_fn=train_input_fn, steps=50)
print(estimator.evaluate(input_fn=test_input_fn)["loss"])
print([p["y"] for p in estimator.predict(input_fn=test_input_fn{iterable})][:3])
'''


def test_a_contrib_learn_estimator_is_the_tf_estimator_program_it_was_the_first_version_of():
    learn = LEARN.format(
        imports="from tensorflow.contrib import learn\n"
                "from tensorflow.contrib.learn.python.learn.estimators import model_fn as model_fn_lib",
        labels="targets", modes="learn.ModeKeys.INFER", spec="model_fn_lib.ModelFnOps",
        estimator="tf.contrib.learn.Estimator", config="tf.contrib.learn.RunConfig", fit="fit",
        iterable=", as_iterable=True")
    public = LEARN.format(imports="", labels="labels", modes="tf.estimator.ModeKeys.PREDICT",
                          spec="tf.estimator.EstimatorSpec", estimator="tf.estimator.Estimator",
                          config="tf.estimator.RunConfig", fit="train", iterable="")
    status, lines = fixed(learn)
    assert (status, lines) == fixed(public)
    assert status == "idiomatic"
    assert "    def line_fn(self, features, labels, mode):" in lines


def test_a_contrib_learn_estimator_fed_numpy_arrays_stays_as_written():
    learn = LEARN.format(imports="from tensorflow.contrib import learn", labels="targets",
                         modes="learn.ModeKeys.INFER", spec="learn.ModelFnOps", estimator="learn.Estimator",
                         config="learn.RunConfig", fit="fit", iterable="").replace(
        "fit(input_fn=train_input_fn, steps=50)", "fit(x={\"x\": x_train}, y=y_train, steps=50)")
    result = process_text(learn, "case.py", FIX)
    assert result.new_text.count("learn.Estimator(model_fn=line_fn") == 1
    assert result.status.value == "manual"


def test_contrib_learns_mode_constants_in_a_tf_estimator_model_fn_are_the_same_strings():
    public = dict(imports="", labels="labels", spec="tf.estimator.EstimatorSpec", estimator="tf.estimator.Estimator",
                  config="tf.estimator.RunConfig", fit="train", iterable="")
    status, lines = fixed(LEARN.format(modes="tf.contrib.learn.ModeKeys.INFER", **public))
    assert (status, lines) == fixed(LEARN.format(modes="tf.estimator.ModeKeys.PREDICT", **public))
    assert '        if mode == "infer":' in lines


@pytest.mark.parametrize("bound", [False, True])
def test_contrib_learns_run_config_given_to_a_tf_estimator_is_tf_estimators(bound):
    public = dict(imports="", labels="labels", modes="tf.estimator.ModeKeys.PREDICT", spec="tf.estimator.EstimatorSpec",
                  estimator="tf.estimator.Estimator", fit="train", iterable="")

    def program(config):
        text = LEARN.format(config=config, **public)
        if bound:
            text = text.replace("estimator = tf.estimator.Estimator(", f'run_config = {config}(model_dir="/tmp/line")\n'
                                "estimator = tf.estimator.Estimator(").replace(
                f'config={config}(model_dir="/tmp/line")', "config=run_config")
        return text

    status, lines = fixed(program("tf.contrib.learn.RunConfig"))
    assert (status, lines) == fixed(program("tf.estimator.RunConfig"))
    assert status == "idiomatic"
