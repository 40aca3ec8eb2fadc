# A trainer's model.py: the feature columns, the function that builds and returns the canned
# estimator (its optimizer made from the learning rate it is given), the input function.
import tensorflow as tf

FEATURE_KEYS = ["x1", "x2"]


def get_feature_columns():
    return list(FEATURE_KEYS)


class DNNClassifier(tf.keras.Model):
    """The canned Estimator DNNClassifier as a Keras 3 model, TF1's defaults written out: the training loss is
    summed over the batch (TF1's losses.Reduction.SUM); evaluate reports the mean of the batch
    losses (loss) and of the example losses (average_loss)."""

    def __init__(self, keys, optimizer, hidden_units):
        super().__init__()
        self.keys = sorted(keys)  # the numeric features' keys, in TF1's order
        self.hidden = [tf.keras.layers.Dense(units, activation="relu", name=f"hiddenlayer_{i}")
                       for i, units in enumerate(hidden_units)]
        self.logits = tf.keras.layers.Dense(1, name="logits")
        self.loss_mean = tf.keras.metrics.Mean(name="loss")
        self.average_loss = tf.keras.metrics.Mean(name="average_loss")
        self.accuracy = tf.keras.metrics.Accuracy(name="accuracy")
        self.auc = tf.keras.metrics.AUC(curve="ROC", name="auc")
        self.auc_precision_recall = tf.keras.metrics.AUC(curve="PR", name="auc_precision_recall")
        self.precision = tf.keras.metrics.Precision(name="precision")
        self.recall = tf.keras.metrics.Recall(name="recall")
        self.label_mean = tf.keras.metrics.Mean(name="label/mean")
        self.prediction_mean = tf.keras.metrics.Mean(name="prediction/mean")
        self.compile(optimizer=optimizer)

    def call(self, features, training=False):
        net = tf.concat([tf.reshape(tf.cast(features[key], tf.float32), (-1, 1)) for key in self.keys], axis=1)
        for layer in self.hidden:
            net = layer(net)
        return self.logits(net)

    def train_step(self, data):
        features, labels = data
        labels = tf.reshape(tf.cast(labels, tf.float32), (-1, 1))
        with tf.GradientTape() as tape:
            logits = self(features, training=True)
            loss = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
        variables = self.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return {"loss": loss}

    def test_step(self, data):
        features, labels = data
        labels = tf.reshape(tf.cast(labels, tf.float32), (-1, 1))
        logits = self(features)
        losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        with tf.control_dependencies([losses]):  # once the batch is read (Keras reads past the end of the data)
            self.loss_mean.update_state(tf.reduce_sum(losses))
        self.average_loss.update_state(losses)
        predicted = tf.cast(logits > 0, tf.float32)
        probabilities = tf.sigmoid(logits)
        self.accuracy.update_state(labels, predicted)
        self.auc.update_state(labels, probabilities)
        self.auc_precision_recall.update_state(labels, probabilities)
        self.label_mean.update_state(labels)
        self.precision.update_state(labels, predicted)
        self.prediction_mean.update_state(probabilities)
        self.recall.update_state(labels, predicted)
        return {
            "loss": self.loss_mean.result(),
            "average_loss": self.average_loss.result(),
            "accuracy": self.accuracy.result(),
            "auc": self.auc.result(),
            "auc_precision_recall": self.trapezoidal_auc(self.auc_precision_recall),
            "label/mean": self.label_mean.result(),
            "precision": self.precision.result(),
            "prediction/mean": self.prediction_mean.result(),
            "recall": self.recall.result(),
            "accuracy_baseline": tf.maximum(self.label_mean.result(), 1 - self.label_mean.result()),
        }

    def predict_step(self, data):
        logits = self(data[0] if isinstance(data, tuple) else data)
        class_ids = tf.cast(logits > 0, tf.int64)
        all_class_ids = tf.tile(tf.range(2)[None], [tf.shape(logits)[0], 1])
        return {"logits": logits, "logistic": tf.sigmoid(logits),
                "probabilities": tf.concat([1 - tf.sigmoid(logits), tf.sigmoid(logits)], axis=1),
                "class_ids": class_ids, "classes": tf.strings.as_string(class_ids),
                "all_class_ids": all_class_ids, "all_classes": tf.strings.as_string(all_class_ids)}

    def predictions(self, dataset):
        """Estimator.predict: an iterator over the predictions of each example."""
        outputs = self.predict(dataset, verbose=0)
        return iter([dict(zip(outputs, values)) for values in zip(*outputs.values())])

    @staticmethod
    def trapezoidal_auc(metric):
        """TF1's area under the precision-recall curve: trapezoids over the AUC metric's thresholds."""
        recall = (metric.true_positives + 1e-6) / (metric.true_positives + metric.false_negatives + 1e-6)
        precision = (metric.true_positives + 1e-6) / (metric.true_positives + metric.false_positives + 1e-6)
        return tf.reduce_sum((recall[:-1] - recall[1:]) * (precision[:-1] + precision[1:]) / 2.0)


def build_estimator(hidden_units=None, learning_rate=1e-3):
    optimizer = tf.optimizers.Adam(learning_rate=learning_rate, epsilon=1e-08)
    tf.keras.utils.set_random_seed(3)
    return DNNClassifier(get_feature_columns(), optimizer=optimizer, hidden_units=hidden_units or [10, 10])


def input_fn(features, labels, batch_size, repeat):
    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    if repeat:
        dataset = dataset.repeat()
    return dataset.batch(batch_size)
