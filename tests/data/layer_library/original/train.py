# A classifier whose layers come from layers.py, trained on a fixed data set.
import numpy as np
import tensorflow as tf
from layers import fc_layer

x = tf.placeholder(tf.float32, shape=[None, 3], name='X')
y = tf.placeholder(tf.float32, shape=[None, 2], name='Y')

# Create the network layers
fc1 = fc_layer(x, 6, 'FC1', use_relu=True)
output_logits = fc_layer(fc1, 2, 'OUT', use_relu=False)

loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=output_logits), name='loss')
optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.5).minimize(loss)
correct_prediction = tf.equal(tf.argmax(output_logits, 1), tf.argmax(y, 1), name='correct_pred')
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32), name='accuracy')

rng = np.random.RandomState(3)
xs = rng.randn(40, 3).astype(np.float32)
ys = np.eye(2)[(xs[:, 0] - xs[:, 2] > 0).astype(int)].astype(np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(60):
        _, cost = sess.run([optimizer, loss], feed_dict={x: xs, y: ys})
        if step % 20 == 0:
            print(step, cost)
    print("accuracy", sess.run(accuracy, feed_dict={x: xs, y: ys}))
