"""Classic TensorFlow 1 programs, run unchanged on session_magic (`import ... as tf`).

Until the notebook tour lands, this is the project's main job: every block below is a TF1
program as tutorials wrote it, and prints what TensorFlow 1 printed.
"""
import numpy as np

import session_magic as tf

print("== The seed program, with a Session ==")
x = tf.constant(1)
y = tf.constant(2)
z = x + y
with tf.Session() as sess:
    print(sess.run(x))
    print(sess.run(y))
    print(sess.run(z))

print("== The same, with an InteractiveSession ==")
sess = tf.InteractiveSession()
print(x.eval())
print(y.eval())
print(z.eval())
sess.close()

print("== Placeholders and feeds ==")
a = tf.placeholder(tf.float32, shape=[None, 3], name="a")
s = tf.reduce_sum(a * 2.0, axis=1)
print(a)
with tf.Session() as sess:
    print(sess.run(s, feed_dict={a: [[1, 2, 3], [4, 5, 6]]}))

print("== A counter variable ==")
state = tf.Variable(0, name="counter")
one = tf.constant(1)
update = tf.assign(state, state + one)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(state))
    for _ in range(3):
        sess.run(update)
        print(sess.run(state))

print("== Name scopes and a small model ==")
tf.reset_default_graph()
with tf.name_scope("layer"):
    inputs = tf.placeholder(tf.float32, [None, 4], name="inputs")
    weights = tf.Variable(tf.ones([4, 2]), name="weights")
    bias = tf.Variable(tf.zeros([2]), name="bias")
    logits = tf.matmul(inputs, weights) + bias
    probabilities = tf.nn.softmax(logits)
print([op.name for op in tf.get_default_graph().get_operations()][:6], "...")
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(probabilities, {inputs: np.eye(4, dtype=np.float32)[:2]}))

print("== cond and while_loop ==")
i = tf.constant(0)
total = tf.while_loop(lambda i, t: i < 10, lambda i, t: (i + 1, t + i), [i, tf.constant(0)])
pick = tf.cond(tf.constant(True), lambda: tf.constant("taken"), lambda: tf.constant("not"))
with tf.Session() as sess:
    print(*sess.run(total))
    print(sess.run(pick))

print("== A runtime error names the op and where it was defined ==")
tf.reset_default_graph()
unfed = tf.placeholder(tf.float32, [None, 3], name="unfed")
doubled = unfed * 2
with tf.Session() as sess:
    try:
        sess.run(doubled)
    except tf.errors.InvalidArgumentError as error:
        print(type(error).__name__ + ":", str(error).splitlines()[0])
        print(str(error).splitlines()[1])
