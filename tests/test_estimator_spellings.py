"""An Estimator program written with TF1's other spellings of the same objects: TensorFlow's
private estimator modules (``from tensorflow.python.estimator import model_fn as model_fn_lib``,
``numpy_io.numpy_input_fn``) and TF 1.2's ``import tensorflow.contrib.keras as K``.

TFM114 writes the private names as the public ones (``rules/data/tf_private.json`` has the
estimator's since tensorflow_estimator's modules are read too) and TFM120 imports Keras from
TensorFlow; the Estimator rewrite reads them as those names. Each case checks that the rewrite
is, line for line, the rewrite of the program written with the public names.
"""
from __future__ import annotations

import textwrap

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
