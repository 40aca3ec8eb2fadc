"""contrib.learn's Experiment run by learn_runner.run: the Estimator rewrite reads it as the
tf.estimator.train_and_evaluate it is (rules/_estimator/experiments.py).

contrib.learn is in no TensorFlow 2 release, so the originals cannot run; each case
checks that the rewrite of the learn_runner program is, line for line, the rewrite of
the same program written with train_and_evaluate (whose numbers the fixture
estimator_train_and_evaluate checks on TensorFlow 2.15 and 2.21).
"""
from __future__ import annotations

import textwrap

from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)

MODEL = '''\
import numpy as np
import tensorflow as tf
{imports}
x_train = np.linspace(-2.0, 2.0, 25).astype(np.float32).reshape(-1, 1)
y_train = 0.5 * x_train - 1.0


def input_fn():
    return {{"x": x_train}}, y_train


def line_fn(features, labels, mode):
    y = tf.layers.dense(features["x"], 1, kernel_initializer=tf.zeros_initializer(), name="line")
    loss = tf.losses.mean_squared_error(labels, y)
    if mode == tf.estimator.ModeKeys.EVAL:
        return tf.estimator.EstimatorSpec(mode, loss=loss)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

'''
RUNNER = "from tensorflow.contrib.learn.python.learn import learn_runner\n"


def fixed(source: str):
    result = process_text(textwrap.dedent(source), "case.py", FIX)
    return result.status.value, "\n".join(line for line in result.new_text.splitlines() if line.strip())


def test_an_experiment_function_run_with_a_run_config_is_train_and_evaluate():
    runner = MODEL.format(imports=RUNNER) + '''
def experiment_fn(run_config, hparams):
    del hparams  # unused
    estimator = tf.estimator.Estimator(line_fn, config=run_config)
    return tf.contrib.learn.Experiment(estimator, train_input_fn=input_fn, eval_input_fn=input_fn,
                                       train_steps=30, eval_steps=1, min_eval_frequency=10)


learn_runner.run(experiment_fn, run_config=tf.contrib.learn.RunConfig(model_dir="/tmp/line", save_checkpoints_steps=20))
'''
    plain = MODEL.format(imports="") + '''
run_config = tf.estimator.RunConfig(model_dir="/tmp/line", save_checkpoints_steps=20)
estimator = tf.estimator.Estimator(line_fn, config=run_config)
tf.estimator.train_and_evaluate(estimator, tf.estimator.TrainSpec(input_fn, max_steps=30), tf.estimator.EvalSpec(input_fn, steps=1))
'''
    status, text = fixed(runner)
    assert (status, text) == fixed(plain)
    assert status == "idiomatic" and "estimator.fit(" in text and "contrib" not in text


def test_a_factory_of_experiment_functions_run_in_main_with_a_config_bound_above():
    runner = MODEL.format(imports=RUNNER) + '''
def make_experiment_fn(steps):
    def _experiment_fn(run_config, hparams):
        estimator = tf.estimator.Estimator(model_fn=line_fn, config=run_config)
        return tf.contrib.learn.Experiment(estimator, train_input_fn=input_fn, eval_input_fn=input_fn,
                                           train_steps=steps)
    return _experiment_fn


def main():
    config = tf.contrib.learn.RunConfig(model_dir="/tmp/line")
    learn_runner.run(make_experiment_fn(30), run_config=config)


main()
'''
    plain = MODEL.format(imports="") + '''
def main():
    config = tf.estimator.RunConfig(model_dir="/tmp/line")
    steps = 30
    run_config = config
    estimator = tf.estimator.Estimator(model_fn=line_fn, config=run_config)
    tf.estimator.train_and_evaluate(estimator, tf.estimator.TrainSpec(input_fn, max_steps=steps), tf.estimator.EvalSpec(input_fn))


main()
'''
    status, text = fixed(runner)
    assert (status, text) == fixed(plain)
    assert status == "idiomatic" and "contrib" not in text


def test_an_experiment_function_of_an_output_dir_with_contrib_learn_names_imported():
    imports = RUNNER + "from tensorflow.contrib.learn import Experiment\n"
    runner = MODEL.format(imports=imports) + '''
def experiment_fn(output_dir):
    estimator = tf.estimator.Estimator(line_fn, model_dir=output_dir)
    return Experiment(estimator, input_fn, input_fn, train_steps=30)


learn_runner.run(experiment_fn, "/tmp/line")
'''
    plain = MODEL.format(imports="") + '''
output_dir = "/tmp/line"
estimator = tf.estimator.Estimator(line_fn, model_dir=output_dir)
tf.estimator.train_and_evaluate(estimator, tf.estimator.TrainSpec(input_fn, max_steps=30), tf.estimator.EvalSpec(input_fn))
'''
    status, text = fixed(runner)
    assert (status, text) == fixed(plain)
    assert status == "idiomatic" and "contrib" not in text and "Experiment" not in text


def test_an_experiment_given_what_train_and_evaluate_has_no_place_for_stays_as_written():
    source = MODEL.format(imports=RUNNER) + '''
def experiment_fn(output_dir):
    estimator = tf.estimator.Estimator(line_fn, model_dir=output_dir)
    return tf.contrib.learn.Experiment(estimator, train_input_fn=input_fn, eval_input_fn=input_fn,
                                       eval_metrics={"mae": tf.contrib.metrics.streaming_mean_absolute_error})


learn_runner.run(experiment_fn, "/tmp/line")
'''
    result = process_text(source, "case.py", FIX)
    assert result.status.value == "manual"
    assert result.new_text == source
    assert [f.message for f in result.remaining if f.code == "TFM010"] == [
        "not rewritten to Keras 3: estimator (an estimator) is used beyond train, evaluate, predict and "
        "get_variable_value (tf.estimator is gone from TensorFlow 2.21, tf.compat.v1.estimator too: the file is "
        "left as it is)"]


def test_an_optimize_loss_the_estimator_rewrite_replaces_is_not_reported_as_broken():
    """tf_slim's optimize_loss fails on TensorFlow 2.21 (TFM109), but in a model_fn the Estimator rewrite
    replaces it: check predicts what fix makes (idiomatic), and TFM105 says who replaces it."""
    source = MODEL.format(imports="").replace(
        "tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=tf.train.get_global_step())",
        "tf.contrib.layers.optimize_loss(loss, tf.train.get_global_step(), learning_rate=0.1, optimizer='SGD')") + '''
estimator = tf.estimator.Estimator(line_fn)
estimator.train(input_fn, steps=30)
'''
    check = process_text(source, "case.py", Options())
    fix = process_text(source, "case.py", FIX)
    assert check.status.value == fix.status.value == "idiomatic"
    assert [f.code for f in check.findings if "optimize_loss" in f.message] == ["TFM105"]
    assert "optimize_loss" not in fix.new_text
