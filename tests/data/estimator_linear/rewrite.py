# The Estimator program of original.py in Keras 3, written by hand: one Dense
# unit from zero, full-batch gradient descent at the same rate and step count.
import numpy as np
import keras
import tensorflow as tf

x_train = np.linspace(-1.0, 1.0, 64).astype(np.float32).reshape(-1, 1)
y_train = 2.0 * x_train - 1.0

model = keras.Sequential([keras.Input((1,)),
                          keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer="zeros")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
batches = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(64).repeat()
model.fit(batches, epochs=1, steps_per_epoch=300, verbose=0)
kernel, bias = model.layers[0].get_weights()
print("w", kernel[0, 0])
print("b", bias[0])
