# A trainer's model.py: the feature columns, the function that builds and returns the canned
# estimator (its optimizer made from the learning rate it is given), the input function.
import tensorflow as tf

FEATURE_KEYS = ["x1", "x2"]


def get_feature_columns():
    return [tf.feature_column.numeric_column(key) for key in FEATURE_KEYS]


def build_estimator(config, hidden_units=None, learning_rate=1e-3):
    optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate)
    return tf.estimator.DNNClassifier(
        feature_columns=get_feature_columns(),
        hidden_units=hidden_units or [10, 10],
        optimizer=optimizer,
        n_classes=2,
        config=config)


def input_fn(features, labels, batch_size, repeat):
    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    if repeat:
        dataset = dataset.repeat()
    return dataset.batch(batch_size)
