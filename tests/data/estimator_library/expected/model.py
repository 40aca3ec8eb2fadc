"""The census-style classifier: its columns, its input function and its model function."""
import numpy as np
import tensorflow as tf

FEATURES = ["age", "hours"]
SCALE = {"age": 1.0 / 50, "hours": 1.0 / 40}
HIDDEN_UNITS = 4


def make_data(size=64):
    """Two numeric features; the label is 1 when their scaled sum passes 2."""
    rows = np.arange(size, dtype=np.float32)
    features = {"age": 20.0 + (rows * 7) % 50, "hours": 10.0 + (rows * 11) % 40}
    labels = ((features["age"] * SCALE["age"] + features["hours"] * SCALE["hours"]) > 1.2).astype(np.int32)
    return features, labels


def input_fn(features, labels, batch_size, repeat=True):
    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    if repeat:
        dataset = dataset.repeat()
    return dataset.batch(batch_size)


class ModelFn(tf.keras.Model):
    """The Estimator model_fn `model_fn` as a Keras 3 model: `model_fn` runs one mode
    ("train", "eval" or "infer") as the model_fn did; fit, evaluate and predict run it."""

    def __init__(self, params):
        super().__init__()
        self.params = params
        self.hidden = tf.keras.layers.Dense(params["hidden_units"], activation=tf.nn.relu, kernel_initializer=tf.keras.initializers.Constant(0.3), name="hidden")
        self.logits = tf.keras.layers.Dense(2, kernel_initializer=tf.keras.initializers.Constant([[0.1, -0.1]] * params["hidden_units"]), name="logits")
        self.accuracy = tf.keras.metrics.Accuracy(name="accuracy")
        self.loss_mean = tf.keras.metrics.Mean(name="loss")
        self.compile(optimizer=tf.optimizers.Adam(params["learning_rate"], epsilon=1e-08))

    def model_fn(self, features, labels, mode):
        """A hidden layer and a logit: trained with Adam on the cross-entropy."""
        params = self.params
        inputs = tf.stack([features[name] * SCALE[name] for name in FEATURES], axis=1)
        hidden = self.hidden(inputs)
        logits = self.logits(hidden)
        predicted = tf.argmax(logits, 1)
        if mode == "infer":
            return {"class": predicted, "probabilities": tf.nn.softmax(logits)}
        loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
        if mode == "eval":
            self.accuracy.update_state(labels, predicted)
        return loss

    def train_step(self, data):
        features, labels = data if isinstance(data, tuple) else (data, None)
        with tf.GradientTape() as tape:
            loss = self.model_fn(features, labels, "train")
        variables = self.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return {"loss": loss}

    def test_step(self, data):
        features, labels = data if isinstance(data, tuple) else (data, None)
        loss = self.model_fn(features, labels, "eval")
        with tf.control_dependencies([loss]):  # once the batch is read (Keras reads past the end of the data)
            self.loss_mean.update_state(loss)
        return {"loss": self.loss_mean.result(), "accuracy": self.accuracy.result()}

    def predict_step(self, data):
        return self.model_fn(data[0] if isinstance(data, tuple) else data, None, "infer")

    def predictions(self, dataset):
        """Estimator.predict: an iterator over the predictions of each example."""
        outputs = self.predict(dataset, verbose=0)
        return iter([dict(zip(outputs, values)) for values in zip(*outputs.values())])
