"""Trains the classifier of model.py, evaluates it and prints its predictions."""
import numpy as np
import tensorflow as tf

import model

features, labels = model.make_data()
classifier = model.ModelFn(params={"hidden_units": model.HIDDEN_UNITS, "learning_rate": 0.05})
classifier.fit(model.input_fn(features, labels, 16), epochs=1, steps_per_epoch=200, verbose=0)
metrics = {**classifier.evaluate(model.input_fn(features, labels, 16, repeat=False), verbose=0, return_dict=True), "global_step": int(classifier.optimizer.iterations)}
print("loss", round(float(metrics["loss"]), 4), "accuracy", metrics["accuracy"], "step", metrics["global_step"])
new = {"age": np.array([25.0, 60.0], np.float32), "hours": np.array([15.0, 45.0], np.float32)}
for prediction in classifier.predictions(tf.data.Dataset.from_tensor_slices(new).batch(2)):
    print("class", prediction["class"], "p", np.round(prediction["probabilities"], 4))
