"""Write demo.ipynb (without outputs) from the cells below; run_demo.py executes and saves it.

The notebook is a tour of session_magic in Jupyter. Edit the tour here, then run
`python examples/make_demo.py && python examples/run_demo.py --save`.
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip())


def code(text: str, *tags: str) -> nbformat.NotebookNode:
    cell = new_code_cell(text.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


CELLS = [
    md("""
# session_magic: TensorFlow 1's graphs and sessions, on NumPy, drawn inline

`%load_ext session_magic` registers `%graph` and `%%session`, installs an interactive default
session (so `t.eval()` works at once), and makes graphs, tensors and operations draw themselves.
"""),
    code("""
%load_ext session_magic
import numpy as np
import session_magic as tf
"""),
    md("""
## The two classic programs, side by side

Building computes nothing: `z = x + y` adds a node. A `Session` evaluates nodes; an
`InteractiveSession` installs itself as the default so `z.eval()` works.
"""),
    code("""
x = tf.constant(1)
y = tf.constant(2)
z = x + y

with tf.Session() as sess:
    print(sess.run(x))
    print(sess.run(y))
    print(sess.run(z))
"""),
    code("""
sess = tf.InteractiveSession()
print(x.eval())
print(y.eval())
print(z.eval())
sess.close()
"""),
    md("A tensor shows the graph that computes it (in a terminal, its TF repr):"),
    code("z"),
    md("`%graph` draws the whole default graph; `%graph t` the part that computes `t`."),
    code("%graph"),
    md("""
## `%%session`: a fresh graph and session for one cell

The cell gets a new `Graph` as default and a `Session` named `sess` (closed after the cell).
Its graph is drawn below the output: fetched tensors stand out, ops no run needed are faded.
"""),
    code("""
%%session
a = tf.placeholder(tf.float32, shape=[None, 3], name="a")
scale = tf.placeholder_with_default(2.0, shape=[], name="scale")
s = tf.reduce_sum(a * scale, axis=1, name="row_sums")
unused = tf.reduce_max(a, name="never_fetched")
sess.run(s, feed_dict={a: [[1, 2, 3], [4, 5, 6]]})
"""),
    md("## Variables live in the session"),
    code("""
%graph --reset
counter = tf.Variable(0, name="counter")
increment = tf.assign_add(counter, 1)
tf.global_variables_initializer().run()
for _ in range(3):
    increment.eval()
counter.eval()
"""),
    md("""
## Name scopes on a small model

Name scopes become clusters; edges carry `dtype[shape]` (`f32[?,4]`: float32, any batch size).
"""),
    code("""
%graph --reset
with tf.name_scope("inputs"):
    features = tf.placeholder(tf.float32, [None, 4], name="features")
with tf.name_scope("hidden"):
    w1 = tf.Variable(tf.random_normal([4, 8], seed=1), name="weights")
    b1 = tf.Variable(tf.zeros([8]), name="bias")
    h = tf.nn.relu(tf.matmul(features, w1) + b1)
with tf.name_scope("output"):
    w2 = tf.Variable(tf.random_normal([8, 3], seed=2), name="weights")
    probabilities = tf.nn.softmax(tf.matmul(h, w2), name="probabilities")
tf.global_variables_initializer().run()
%graph probabilities
"""),
    md("`--depth 0` closes every scope: each becomes one node with its op count."),
    code("%graph probabilities --depth 0 --rankdir LR"),
    md("""
## A large graph stays readable

Above the node budget, name scopes collapse to one node each and numbered series
(`add_1 … add_n`) collapse into one node, as TensorBoard does.
"""),
    code("""
big = tf.Graph()
with big.as_default():
    signal = tf.placeholder(tf.float32, [None, 16], name="signal")
    for block in range(40):
        with tf.name_scope(f"block{block}"):
            for _ in range(50):
                signal = tf.tanh(signal * 0.5 + 0.1)
print(len(big.get_operations()), "ops")
%graph big
"""),
    md("""
## Values and timings on the nodes

`--values` evaluates with the default session, without changing any variable, and draws values
on the nodes (small ones in the label, full ones in the tooltip). `--trace` runs once and colours
nodes by measured time.
"""),
    code("""
%graph --reset
m = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="m")
v = tf.Variable([[1.0], [1.0]], name="v")
product = tf.matmul(m, v, name="product")
total = tf.reduce_sum(product, name="total")
tf.global_variables_initializer().run()
%graph total --values
"""),
    code("""
large = tf.random_normal([300, 300], seed=3, name="large")
heavy = tf.matmul(large, large, name="heavy")
light = tf.reduce_mean(heavy, name="light")
%graph light --trace
"""),
    md("""
## Training: gradients are graph ops

`minimize` builds gradient ops (under `gradients/`, drawn collapsed) and the optimizer's
updates into the graph; the classic loop runs `sess.run(train_op, feed_dict)`.
"""),
    code("""
%%session
rng = np.random.default_rng(0)
points = rng.normal(size=(400, 2)).astype(np.float32)
classes = (points[:, 0] * points[:, 1] > 0).astype(np.int32)   # the four quadrants, XOR-style

x = tf.placeholder(tf.float32, [None, 2], name="x")
y = tf.placeholder(tf.int32, [None], name="y")
with tf.variable_scope("model"):
    w1 = tf.get_variable("w1", [2, 16], initializer=tf.random_normal_initializer(seed=1))
    b1 = tf.get_variable("b1", [16], initializer=tf.zeros_initializer())
    w2 = tf.get_variable("w2", [16, 2], initializer=tf.random_normal_initializer(seed=2))
    b2 = tf.get_variable("b2", [2], initializer=tf.zeros_initializer())
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
loss = tf.reduce_mean(
    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
correct = tf.equal(tf.argmax(logits, 1, output_type=tf.int32), y)
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")

sess.run(tf.global_variables_initializer())
for step in range(301):
    _, value = sess.run([train_op, loss], {x: points, y: classes})
    if step % 75 == 0:
        print(f"step {step:3d}   loss {value:.4f}")
print("accuracy", sess.run(accuracy, {x: points, y: classes}))
"""),
    md("""
## A convolutional network, as TF1 tutorials wrote it

`tf.layers`, `tf.losses` and `tf.metrics` build the same variables and ops TF1 did
(`conv2d/kernel`, `dense/bias`, `accuracy/count`). The task: tell vertical bars from horizontal
ones in noisy 12×12 images. The drawing keeps the model in front: Adam, its slots and the
initializers are set aside and noted on the variables they touch.
"""),
    code("""
%%session
rng = np.random.default_rng(1)

def bars(count):
    images = rng.normal(0.0, 1.0, size=(count, 12, 12, 1)).astype(np.float32)
    labels = rng.integers(0, 2, count)
    for image, label, where in zip(images, labels, rng.integers(2, 10, count)):
        if label:
            image[:, where] += 1.5   # a vertical bar
        else:
            image[where, :] += 1.5   # a horizontal bar
    return images, labels

train_images, train_labels = bars(400)
test_images, test_labels = bars(200)

images = tf.placeholder(tf.float32, [None, 12, 12, 1], name="images")
labels = tf.placeholder(tf.int64, [None], name="labels")
h = tf.layers.conv2d(images, 8, 3, padding="same", activation=tf.nn.relu)
h = tf.layers.max_pooling2d(h, 2, 2)
h = tf.layers.conv2d(h, 16, 3, padding="same", activation=tf.nn.relu)
h = tf.layers.max_pooling2d(h, 2, 2)
logits = tf.layers.dense(tf.layers.flatten(h), 2)
loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
accuracy, update_accuracy = tf.metrics.accuracy(labels, tf.argmax(logits, 1))

sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
for step in range(61):
    _, value = sess.run([train_op, loss], {images: train_images, labels: train_labels})
    if step % 20 == 0:
        print(f"step {step:2d}   loss {value:.4f}")
for start in range(0, 200, 50):   # tf.metrics accumulate over batches
    batch = slice(start, start + 50)
    sess.run(update_accuracy, {images: test_images[batch], labels: test_labels[batch]})
print("held-out accuracy", sess.run(accuracy))
print([v.name for v in tf.trainable_variables()][:4])
"""),
    md("""
## TensorBoard: summaries and event files

`tf.summary` ops produce the same `Summary` bytes TensorFlow's do, and `FileWriter` writes real
TensorBoard event files in the background: `tensorboard --logdir` (or `%tensorboard`) shows
them, no TensorFlow needed. `tf.train.summary_iterator` reads them back.
"""),
    code("""
%%session
import glob, os, tempfile
logdir = tempfile.mkdtemp(prefix="logs-")
x = tf.placeholder(tf.float32, [None], name="x")
w = tf.Variable(0.0, name="w")
loss = tf.reduce_mean(tf.square(x * w - 2 * x), name="loss")
train_op = tf.train.GradientDescentOptimizer(0.2).minimize(loss)
tf.summary.scalar("loss", loss)
tf.summary.histogram("w", w)
merged = tf.summary.merge_all()

writer = tf.summary.FileWriter(logdir, sess.graph)
sess.run(tf.global_variables_initializer())
for step in range(20):
    summary, _ = sess.run([merged, train_op], {x: np.linspace(-1, 1, 32)})
    writer.add_summary(summary, step)
writer.close()

(events,) = glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
losses = [event.summary.value[0].simple_value for event in tf.train.summary_iterator(events)
          if event.HasField("summary")]
print(f"{len(losses)} losses logged, {losses[0]:.3f} -> {losses[-1]:.5f}")
print("view them with: tensorboard --logdir", logdir)
"""),
    md("""
## Input pipelines: tf.data, epochs until OutOfRangeError

A dataset fed through a placeholder, shuffled with a seed and batched; its initializable
iterator is re-run each epoch, and `get_next()` ends the epoch with `OutOfRangeError`, as TF1
training loops expect. The drawing shows the pipeline as one node with its chain of steps.
"""),
    code("""
%graph --reset
features = tf.placeholder(tf.float32, [None, 3], name="features")
targets = tf.placeholder(tf.float32, [None], name="targets")
dataset = tf.data.Dataset.from_tensor_slices((features, targets)).shuffle(64, seed=1).batch(16)
iterator = dataset.make_initializable_iterator()
x, y = iterator.get_next()
w = tf.Variable(tf.zeros([3, 1]), name="w")
loss = tf.reduce_mean(tf.square(tf.squeeze(tf.matmul(x, w), 1) - y), name="loss")
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

data_x = np.random.default_rng(1).normal(size=(64, 3)).astype(np.float32)
data_y = data_x @ np.array([1.0, -2.0, 0.5], np.float32)
sess = tf.get_default_session()   # the interactive session %graph --reset installed
sess.run(tf.global_variables_initializer())
for epoch in range(30):
    sess.run(iterator.initializer, {features: data_x, targets: data_y})
    while True:
        try:
            _, value = sess.run([train_op, loss])
        except tf.errors.OutOfRangeError:
            break
print("last batch loss", round(float(value), 5), "weights", sess.run(w).ravel().round(2))
%graph
"""),
    md("""
## A frozen model TensorFlow wrote

A GraphDef TensorFlow froze (here a MobileNet-style block: depthwise convolution, batch norm,
ReLU6) loads with `tf.import_graph_def` and runs with TF's results; `%graph --file model.pb`
draws one without importing it.
"""),
    code("""
%graph --reset
frozen = tf.GraphDef()
with tf.gfile.GFile("examples/models/mobilenet_block.pb", "rb") as stream:
    frozen.ParseFromString(stream.read())
image, probabilities = tf.import_graph_def(frozen, return_elements=["input:0", "output:0"],
                                           name="")
batch = np.random.default_rng(0).normal(size=(2, 6, 6, 3)).astype(np.float32)
print(probabilities.eval({image: batch}).round(3))
%graph --file examples/models/mobilenet_block.pb
"""),
    md("""
## Errors point at the cell and line that built the op

A runtime error names the failing op and where it was defined, without kernel frames.
"""),
    code("""
images = tf.placeholder(tf.float32, [None, 784], name="images")
doubled = images * 2
doubled.eval()
""", "raises-exception"),
]


def main() -> None:
    notebook = new_notebook(cells=CELLS, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.write(notebook, ROOT / "demo.ipynb")
    print(f"wrote {ROOT / 'demo.ipynb'} ({len(CELLS)} cells)")


if __name__ == "__main__":
    main()
