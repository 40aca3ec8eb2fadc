# A trainer's task.py: builds the estimator with model.build_estimator, trains and evaluates it.
import numpy as np
import tensorflow as tf

import model


def train_and_evaluate(learning_rate, steps):
    rng = np.random.RandomState(7)
    points = rng.uniform(-1, 1, (400, 2)).astype(np.float32)
    features = {"x1": points[:, 0], "x2": points[:, 1]}
    labels = (points[:, 0] + 2.0 * points[:, 1] > 0.2).astype(np.int32)
    run_config = tf.estimator.RunConfig(tf_random_seed=3)
    estimator = model.build_estimator(run_config, hidden_units=[16], learning_rate=learning_rate)
    estimator.train(lambda: model.input_fn(features, labels, 40, True), steps=steps)
    metrics = estimator.evaluate(lambda: model.input_fn(features, labels, 100, False))
    print(int(metrics["accuracy"] > 0.95))


if __name__ == "__main__":
    train_and_evaluate(0.05, 400)
