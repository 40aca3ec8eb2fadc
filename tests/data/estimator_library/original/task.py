"""Trains the classifier of model.py, evaluates it and prints its predictions."""
import numpy as np
import tensorflow as tf

import model

features, labels = model.make_data()
classifier = tf.estimator.Estimator(
    model_fn=model.model_fn,
    params={"hidden_units": model.HIDDEN_UNITS, "learning_rate": 0.05})
classifier.train(input_fn=lambda: model.input_fn(features, labels, 16), steps=200)
metrics = classifier.evaluate(input_fn=lambda: model.input_fn(features, labels, 16, repeat=False))
print("loss", round(float(metrics["loss"]), 4), "accuracy", metrics["accuracy"], "step", metrics["global_step"])
new = {"age": np.array([25.0, 60.0], np.float32), "hours": np.array([15.0, 45.0], np.float32)}
for prediction in classifier.predict(input_fn=lambda: tf.data.Dataset.from_tensor_slices(new).batch(2)):
    print("class", prediction["class"], "p", np.round(prediction["probabilities"], 4))
