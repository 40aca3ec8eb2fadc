"""TPUEstimator programs (TFM010): the Keras model of the Estimator it is, built under a TPU strategy.

The fixture estimator_tpu_estimator runs a TPUEstimator on TensorFlow 2.15 and its rewrite on 2.21; these
cases pin the rewrite of the TPU pieces, where it stops, and that the rewrite trains over two replicas as
over one (the loss each replica minimizes is its share: Keras sums the replicas' gradients).
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

from tfmigrate.comparison import extract_numbers
from test_estimator import GONE, manual_reason, outcomes

ROOT = pathlib.Path(__file__).resolve().parent.parent

PROGRAM = """\
    import numpy as np
    import tensorflow as tf

    USE_TPU = True


    def model_fn(features, labels, mode, params):
        logits = tf.layers.dense(tf.reshape(features, [params["batch_size"], 2]), 2)
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.contrib.tpu.TPUEstimatorSpec(mode, {{"logits": logits}})
        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        train_op = tf.contrib.tpu.CrossShardOptimizer(tf.train.AdamOptimizer(0.01){reduction}).minimize(
            loss, tf.train.get_global_step())
        return tf.contrib.tpu.TPUEstimatorSpec(mode, loss=loss, train_op=train_op, scaffold_fn={scaffold})


    def input_fn(params):
        data = tf.data.Dataset.from_tensor_slices((np.ones((8, 2), np.float32), np.ones(8, np.int32)))
        return data.repeat().batch(params["batch_size"], drop_remainder=True)


    resolver = tf.distribute.cluster_resolver.TPUClusterResolver("grpc://10.0.0.2:8470")
    config = tf.contrib.tpu.RunConfig(cluster=resolver, model_dir="/tmp/model",
                                      tpu_config=tf.contrib.tpu.TPUConfig(100))
    est = tf.contrib.tpu.TPUEstimator(model_fn, config=config, use_tpu=USE_TPU, train_batch_size=4,
                                      eval_batch_size={eval_size}, params={{"rate": 0.01}})
    est.train(input_fn, max_steps=10)
"""


def program(reduction: str = "", scaffold: str = "None", eval_size: str = "4") -> str:
    return PROGRAM.format(reduction=reduction, scaffold=scaffold, eval_size=eval_size)


def test_a_tpu_estimator_is_its_model_built_under_the_tpu_strategy_where_use_tpu_holds():
    _, check, fixed = outcomes(program())
    assert check.status.value == fixed.status.value == "idiomatic"
    text = fixed.new_text
    assert "contrib" not in text and "estimator" not in text.replace("The Estimator", "").replace("Estimator.", "")
    assert text.endswith(textwrap.dedent('''\
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver("grpc://10.0.0.2:8470")


        def tpu_strategy(resolver):
            """The TPU as a distribution strategy: connect to its cluster, initialize it, replicate over its cores."""
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
            return tf.distribute.TPUStrategy(resolver)


        with (tpu_strategy(resolver) if USE_TPU else tf.distribute.get_strategy()).scope():
            est = ModelFn(params={"rate": 0.01, "batch_size": 4 // tf.distribute.get_strategy().num_replicas_in_sync})
        if est.optimizer.iterations < 10:  # max_steps: the steps left, none past it
            est.fit(input_fn(params={"rate": 0.01, "batch_size": 4}), epochs=1, steps_per_epoch=10 - int(est.optimizer.iterations.numpy()), verbose=0)
    '''))
    # the model: its predictions are what the strategy builds it with, each replica minimizes its share
    assert textwrap.indent(textwrap.dedent('''\
        def model_fn(self, features, labels, mode):
            params = self.params
            logits = self.dense(tf.reshape(features, [params["batch_size"], 2]))
            if mode == "infer":
                return {"logits": logits}
            loss = tf.reduce_mean(tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)(labels, logits))
            return loss

        def call(self, features, training=False):
            """The predictions: what a distribution strategy builds the model with."""
            return self.model_fn(features, None, "infer")

        def train_step(self, data):
            features, labels = data if isinstance(data, tuple) else (data, None)
            with tf.GradientTape() as tape:
                loss = self.model_fn(features, labels, "train")
                replica_loss = loss / self.distribute_strategy.num_replicas_in_sync  # its gradients are summed
            variables = self.trainable_variables
            self.optimizer.apply_gradients(zip(tape.gradient(replica_loss, variables), variables))
    '''), "    ") in text
    assert [(f.start.line, f.message.split(":")[0]) for f in check.findings if f.code == "TFM090"] == [
        (24, "tpu.RunConfig(tpu_config=...)"), (25, "TPUEstimator(use_tpu=...)"),
        (25, "RunConfig (model_dir, checkpoint and summary settings) is dropped")]


def test_use_tpu_false_builds_the_model_on_the_default_device_and_each_mode_reads_its_batch_size():
    text = textwrap.dedent(program()).replace("use_tpu=USE_TPU", "use_tpu=False").replace(
        "est.train(input_fn, max_steps=10)", "est.train(input_fn, max_steps=10)\nprint(est.evaluate(input_fn, steps=2))")
    _, check, fixed = outcomes(text.replace("eval_batch_size=4", "eval_batch_size=2").replace(
        'params["batch_size"], 2', "-1, 2"))
    assert check.status.value == "idiomatic"
    assert "tpu_strategy" not in fixed.new_text and ".scope()" not in fixed.new_text
    assert fixed.new_text.endswith(textwrap.dedent("""\
        est = ModelFn()
        est_checkpoints = tf.train.CheckpointManager(
            tf.train.Checkpoint(model=est, layers=est.layers, optimizer=est.optimizer), tf.io.gfile.join("/tmp/model", "keras"), max_to_keep=5)
        est_checkpoints.restore_or_initialize()
        if est.optimizer.iterations < 10:  # max_steps: the steps left, none past it
            est.fit(input_fn(params={"rate": 0.01, "batch_size": 4}), epochs=1, steps_per_epoch=10 - int(est.optimizer.iterations), verbose=0)
            est_checkpoints.save(checkpoint_number=est.optimizer.iterations)
        print({**est.evaluate(input_fn(params={"rate": 0.01, "batch_size": 2}), steps=2, verbose=0, return_dict=True), "global_step": int(est.optimizer.iterations)})
    """))
    assert "tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)" in fixed.new_text


def test_the_metric_function_is_written_before_the_spec_its_parameters_the_tensors_passed():
    _, check, fixed = outcomes("""\
        import numpy as np
        import tensorflow as tf


        def model_fn(features, labels, mode, params):
            out = tf.layers.dense(features, 2)
            if mode == tf.estimator.ModeKeys.PREDICT:
                return tf.estimator.tpu.TPUEstimatorSpec(mode, predictions=out)
            loss = tf.losses.sparse_softmax_cross_entropy(labels, out)

            def metric_fn(labels, logits):
                \"\"\"The accuracy.\"\"\"
                # the class each example is given
                predicted = tf.argmax(logits, 1)
                return {"accuracy": tf.metrics.accuracy(labels, predicted)}

            if mode == tf.estimator.ModeKeys.EVAL:
                return tf.estimator.tpu.TPUEstimatorSpec(mode, loss=loss, eval_metrics=(metric_fn, {"logits": out, "labels": labels}))
            train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
            return tf.estimator.tpu.TPUEstimatorSpec(mode, loss=loss, train_op=train_op)


        est = tf.estimator.tpu.TPUEstimator(model_fn, use_tpu=False, train_batch_size=2, eval_batch_size=2)
        data = lambda: tf.data.Dataset.from_tensor_slices((np.ones((4, 2), np.float32), np.ones(4))).batch(2)
        est.train(data, steps=1)
        print(est.evaluate(data)["accuracy"])
    """)
    assert check.status.value == fixed.status.value == "idiomatic"
    assert "def metric_fn" not in fixed.new_text
    assert textwrap.indent(textwrap.dedent("""\
        def model_fn(self, features, labels, mode):
            out = self.dense(features)
            if mode == "infer":
                return out
            loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, out)

            if mode == "eval":
                # the class each example is given
                predicted = tf.argmax(out, 1)
                self.accuracy.update_state(labels, predicted)
            return loss
    """), "    ") in fixed.new_text
    assert 'self.accuracy = tf.keras.metrics.Accuracy(name="accuracy")' in fixed.new_text


def test_what_the_tpu_rewrite_does_not_map_leaves_the_program_as_it_is():
    assert manual_reason(program(scaffold="lambda: tf.train.Scaffold()")) == (
        14, "not rewritten to Keras 3: TPUEstimatorSpec(scaffold_fn=...): what it restores or initializes is not "
            "mapped (a Keras model's weights load with load_weights or a Checkpoint)" + GONE)
    assert manual_reason(program(reduction=", reduction=tf.losses.Reduction.SUM")) == (
        12, "not rewritten to Keras 3: CrossShardOptimizer(reduction=...) other than the mean" + GONE)
    no_predictions = textwrap.dedent(program()).replace(
        '    if mode == tf.estimator.ModeKeys.PREDICT:\n        return tf.contrib.tpu.TPUEstimatorSpec(mode, {"logits": logits})\n', "")
    assert manual_reason(no_predictions) == (
        23, "not rewritten to Keras 3: a custom model_fn without predictions under a distribution strategy: Keras "
            "builds a distributed model by calling it for its predictions" + GONE)


def test_the_rewrite_trains_over_two_replicas_as_over_one(tmp_path):
    """The fixture's rewrite, its strategy a MirroredStrategy over two CPUs, and then the default one: the
    same loss after 100 steps (each replica's loss is its share: Keras sums the gradients)."""
    rewrite = (ROOT / "fixtures" / "estimator_tpu_estimator" / "expected.py").read_text()
    strategy = "(tpu_strategy(tf.distribute.cluster_resolver.TPUClusterResolver()) if USE_TPU else tf.distribute.get_strategy())"
    assert rewrite.count(strategy) == 1
    runner = tmp_path / "replicas.py"
    runner.write_text(textwrap.dedent("""\
        import contextlib, io, json, sys
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        source = open(sys.argv[1]).read()
        printed = {}
        for name, strategy in (("two", 'tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])'),
                               ("one", "tf.distribute.get_strategy()")):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(source.replace(sys.argv[2], strategy), "rewrite.py", "exec"), {"__name__": "__main__"})
            printed[name] = out.getvalue()
        print(json.dumps(printed))
    """))
    program_file = tmp_path / "rewrite.py"
    program_file.write_text(rewrite)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, str(runner), str(program_file), strategy], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = json.loads(done.stdout.strip().splitlines()[-1])
    two, one = extract_numbers(printed["two"]), extract_numbers(printed["one"])
    assert len(one) == 5 and one[1:] == [1.0, 100.0, 0.0, 1.0]  # accuracy, steps, the two classes
    assert two[1:] == one[1:] and abs(two[0] - one[0]) <= 1e-5 and one[0] < 0.05, (two, one)


def test_a_two_space_model_fn_keeps_its_docstring_and_its_layers_aligned_and_an_unread_evaluation_is_alone():
    _, check, fixed = outcomes("""\
        import tensorflow as tf


        def model_fn(features, labels, mode, params):
          \"\"\"The digits' model.\"\"\"
          del params
          y = tf.keras.layers.Conv2D(filters=32,
                                     kernel_size=5)(features)
          logits = tf.layers.Dense(10)(tf.layers.Flatten()(y))
          if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.tpu.TPUEstimatorSpec(mode, predictions={"logits": logits})
          loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
          optimizer = tf.train.GradientDescentOptimizer(0.1)
          return tf.estimator.tpu.TPUEstimatorSpec(mode, loss=loss, train_op=optimizer.minimize(loss))


        def input_fn(params):
          return tf.data.Dataset.from_tensors((tf.ones((2, 4, 4, 1)), tf.ones(2, tf.int32))).repeat()


        est = tf.estimator.tpu.TPUEstimator(model_fn=model_fn, use_tpu=False, train_batch_size=2, eval_batch_size=2)
        est.train(input_fn, max_steps=2)
        est.evaluate(input_fn, steps=1)
    """)
    assert check.status.value == fixed.status.value == "idiomatic"
    assert textwrap.indent(textwrap.dedent('''\
        def __init__(self, params):
          super().__init__()
          self.params = params
          self.conv2d = tf.keras.layers.Conv2D(filters=32,
                                               kernel_size=5)
          self.flatten = tf.keras.layers.Flatten()
          self.dense = tf.keras.layers.Dense(10)
    '''), "  ") in fixed.new_text
    assert textwrap.indent(textwrap.dedent('''\
        def model_fn(self, features, labels, mode):
          """The digits' model."""
          params = self.params
          del params
    '''), "  ") in fixed.new_text
    assert "est = ModelFn(params={})" in fixed.new_text
    assert fixed.new_text.endswith('\nest.evaluate(input_fn(params={"batch_size": 2}), steps=1, verbose=0, return_dict=True)\n')


def test_an_input_lambda_of_params_reads_the_batch_size_of_its_mode():
    program = """\
        import numpy as np
        import tensorflow as tf


        def model_fn(features, labels, mode, params):
            logits = tf.layers.dense(features, 2)
            if mode == tf.estimator.ModeKeys.PREDICT:
                return tf.estimator.tpu.TPUEstimatorSpec(mode, predictions={{"logits": logits}})
            loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
            train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
            return tf.estimator.tpu.TPUEstimatorSpec(mode, loss=loss, train_op=train_op)


        def make_dataset(x, y, batch_size):
            return tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(batch_size, drop_remainder=True)


        x, y = np.ones((8, 2), np.float32), np.ones(8, np.int32)
        est = tf.estimator.tpu.TPUEstimator(model_fn, config=tf.estimator.tpu.RunConfig(), use_tpu=False,
                                            train_batch_size=4, eval_batch_size=2, params={{"rate": 0.1}})
        est.train(input_fn=lambda params: make_dataset(x, y, params["batch_size"]), max_steps=5)
        print(est.evaluate(input_fn=lambda params: make_dataset(x, y, params["{key}"]), steps=2)["loss"])
    """
    _, check, fixed = outcomes(program.format(key="batch_size"))
    assert check.status.value == fixed.status.value == "idiomatic"
    assert "est.fit(make_dataset(x, y, 4), epochs=1, " in fixed.new_text
    assert "est.evaluate(make_dataset(x, y, 2), steps=2, " in fixed.new_text
    assert manual_reason(program.format(key="data_dir")) == (
        22, "not rewritten to Keras 3: an input function reading params['data_dir'], which the rewrite does not know"
            + GONE)


def test_a_model_fn_reading_the_batch_size_of_modes_that_differ_reads_its_mode_s():
    # measured on a regression reshaping its features by params["batch_size"] (train 16, eval 8, predict 4):
    # verify --deterministic within 3e-9
    _, check, fixed = outcomes(program(eval_size="8"))
    assert check.status.value == fixed.status.value == "idiomatic"
    assert ('        params = {**self.params, "batch_size": self.params["batch_size"][mode]}  # the batch size of the '
            'mode\n        logits = self.dense(tf.reshape(features, [params["batch_size"], 2]))\n') in fixed.new_text
    assert ('    est = ModelFn(params={"rate": 0.01, "batch_size": {"train": 4 // tf.distribute.get_strategy()'
            '.num_replicas_in_sync, "eval": 8 // tf.distribute.get_strategy().num_replicas_in_sync}})\n') in fixed.new_text
    assert 'est.fit(input_fn(params={"rate": 0.01, "batch_size": 4}), ' in fixed.new_text


def test_one_spec_for_every_mode_under_a_strategy_needs_predict_mode_to_leave_the_labels_alone():
    """Keras builds a distributed model by calling it for its predictions, without labels (the probe that
    found it crashed at the build); `loss = train_op = None` before the guarded loss goes as `loss = None`."""
    program = """\
        import numpy as np
        import tensorflow as tf


        def model_fn(features, labels, mode):
            logits = tf.layers.dense(features, 2)
            predictions = {{"cls": tf.argmax(logits, 1)}}
            loss = train_op = None
            {guard}loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
            if mode == tf.estimator.ModeKeys.TRAIN:
                train_op = tf.train.GradientDescentOptimizer(0.2).minimize(loss, tf.train.get_global_step())
            return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)


        config = tf.estimator.RunConfig(train_distribute=tf.distribute.MirroredStrategy(["/cpu:0"]))
        est = tf.estimator.Estimator(model_fn, config=config)
        est.train(lambda: tf.data.Dataset.from_tensors((np.ones((2, 2), np.float32), np.ones(2))), steps=5, max_steps=None)
    """
    _, check, fixed = outcomes(program.format(guard="if mode != tf.estimator.ModeKeys.PREDICT:\n                "))
    assert check.status.value == fixed.status.value == "idiomatic"
    assert textwrap.indent(textwrap.dedent("""\
        predictions = {"cls": tf.argmax(logits, 1)}
        loss = None
        if mode != "infer":
            loss = tf.reduce_mean(tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)(labels, logits))
        if mode == "infer":
            return predictions
        return loss
    """), " " * 8) in fixed.new_text
    assert "est.fit(tf.data.Dataset.from_tensors((np.ones((2, 2), np.float32), np.ones(2))), epochs=1, " \
        "steps_per_epoch=5, verbose=0)" in fixed.new_text
    assert manual_reason(program.format(guard="")) == (
        16, "not rewritten to Keras 3: a custom model_fn that reads its labels in PREDICT mode too, under a "
            "distribution strategy: Keras builds a distributed model by calling it for its predictions, without "
            "labels" + GONE)


HOST_CALL = """\
        host_call = None
        if not params.get("skip_host_call"):
            def host_call_fn(gs, loss):
                \"\"\"Summaries the host writes after each loop.\"\"\"
                gs = gs[0]
                with tf.contrib.summary.create_file_writer("/tmp/model").as_default():
                    with tf.contrib.summary.always_record_summaries():
                        tf.contrib.summary.scalar("loss", tf.reduce_mean(loss), step=gs)
                        return tf.contrib.summary.all_summary_ops()

            gs_t = tf.reshape(tf.train.get_global_step(), [1])
            loss_t = tf.reshape(loss, [1])
            host_call = (host_call_fn, [gs_t, loss_t])
"""


def test_a_host_call_that_only_writes_summaries_goes_with_its_function_and_its_values():
    with_host_call = textwrap.dedent(program()).replace(
        "    return tf.contrib.tpu.TPUEstimatorSpec(mode, loss=loss, train_op=train_op, scaffold_fn=None)\n",
        textwrap.indent(textwrap.dedent(HOST_CALL), "    ")
        + "    return tf.contrib.tpu.TPUEstimatorSpec(mode, loss=loss, train_op=train_op, host_call=host_call)\n")
    assert "host_call=host_call" in with_host_call
    _, check, fixed = outcomes(with_host_call)
    assert check.status.value == fixed.status.value == "idiomatic"
    assert fixed.new_text == outcomes(program())[2].new_text  # the host call, its function and its values gone
    assert [f.message for f in check.findings if f.code == "TFM090" and "host_call" in f.message] == [
        "TPUEstimatorSpec(host_call=...) is dropped, with its function: the summaries the TPU's host wrote are not "
        "written (add keras.callbacks.TensorBoard to fit for the loss and the metrics)"]
    # a host call that does more than write summaries: refused
    assigns = with_host_call.replace('            gs = gs[0]\n', '            gs = tf.assign_add(counter, 1)\n')
    assert manual_reason(assigns) == (
        27, "not rewritten to Keras 3: TPUEstimatorSpec(host_call=...): the summaries the TPU's host wrote are not "
            "mapped (write them with tf.summary in a Keras callback)" + GONE)


def test_a_tpu_config_bound_to_a_name_the_run_config_alone_reads_goes_with_it():
    source = program().replace(
        '    config = tf.contrib.tpu.RunConfig(cluster=resolver, model_dir="/tmp/model",\n'
        '                                      tpu_config=tf.contrib.tpu.TPUConfig(100))\n',
        '    tpu_config = tf.contrib.tpu.TPUConfig(num_shards=8, iterations_per_loop=100)\n'
        '    config = tf.contrib.tpu.RunConfig(cluster=resolver, model_dir="/tmp/model", tpu_config=tpu_config)\n')
    assert "tpu_config = tf.contrib.tpu.TPUConfig(" in source
    _, check, fixed = outcomes(source)
    assert check.status.value == fixed.status.value == "idiomatic"
    assert "tpu_config" not in fixed.new_text and "TPUConfig" not in fixed.new_text


def test_an_estimator_bound_in_each_branch_whose_test_cannot_be_read_again_is_refused():
    """Each branch passes its own params to the input function; the rewrite chooses them by the `if`'s test
    again (fixture estimator_tpu_or_not), which a call (`decide()`) would run twice."""
    source = (ROOT / "fixtures" / "estimator_tpu_or_not" / "original.py").read_text()
    source = source.replace("    if use_tpu:\n", "    if decide(use_tpu):\n").replace(
        "def main(use_tpu, model_dir):", "def decide(flag):\n    return flag\n\n\ndef main(use_tpu, model_dir):")
    _, check, fixed = outcomes(source)
    assert check.status.value == fixed.status.value == "manual"
    assert [f.message for f in fixed.remaining if f.code == "TFM010"] == [
        "not rewritten to Keras 3: the input functions of estimator get other params in each branch "
        "(`if decide(use_tpu):`), under a test the rewrite cannot read again" + GONE]


def test_an_estimator_name_bound_in_each_branch_and_to_something_else_is_refused():
    source = (ROOT / "fixtures" / "estimator_tpu_or_not" / "original.py").read_text()
    source = source.replace("    params = {", "    estimator = None\n    params = {")
    _, check, fixed = outcomes(source)
    assert check.status.value == fixed.status.value == "manual"
    assert [f.message for f in fixed.remaining if f.code == "TFM010"] == [
        "not rewritten to Keras 3: estimator holds an estimator and something else" + GONE]
