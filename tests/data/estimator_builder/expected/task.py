# A trainer's task.py: builds the estimator with model.build_estimator, trains and evaluates it.
import numpy as np
import tensorflow as tf

import model


def train_and_evaluate(learning_rate, steps):
    rng = np.random.RandomState(7)
    points = rng.uniform(-1, 1, (400, 2)).astype(np.float32)
    features = {"x1": points[:, 0], "x2": points[:, 1]}
    labels = (points[:, 0] + 2.0 * points[:, 1] > 0.2).astype(np.int32)
    estimator = model.build_estimator(hidden_units=[16], learning_rate=learning_rate)
    estimator.fit(model.input_fn(features, labels, 40, True), epochs=1, steps_per_epoch=steps, verbose=0)
    metrics = {**estimator.evaluate(model.input_fn(features, labels, 100, False), verbose=0, return_dict=True), "global_step": int(estimator.optimizer.iterations)}
    print(int(metrics["accuracy"] > 0.95))


if __name__ == "__main__":
    train_and_evaluate(0.05, 400)
