"""The benchmark workloads W1-W12: each written once against the TF1 API, beside its NumPy floor.

An implementation is a factory: called once, untimed, it builds the graph, session, feeds or
compiled function and returns a `Bench` whose `step` is what gets timed. The graph versions take
the module (`session_magic` or `tensorflow.compat.v1`), so the same code runs on both. Peers
(dask.delayed, PyTensor) appear where the workload fits them.
"""
from __future__ import annotations

import importlib
import os
import sys
import warnings
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Callable, Optional

import numpy as np

F32 = np.float32


@dataclass(frozen=True)
class Bench:
    """What the runner times (`step`) and what it checks against the floor first (`value`);
    a graph version also keeps its `session` and, when its steps change variables, `reset`,
    which puts them back as built (the jit rows run a step before they are checked)."""

    step: Callable[[], Any]
    value: Callable[[], Any]
    session: Any = None
    reset: Optional[Callable[[], Any]] = None
    remark: str = ""  # a note on how this row was set up, shown under the workload's table


def bench(step: Callable[[], Any], session: Any = None,
          reset: Optional[Callable[[], Any]] = None) -> Bench:
    """A bench whose checked value is the step's own result."""
    return Bench(step, step, session, reset)


@dataclass(frozen=True)
class Implementation:
    """One row of a workload's table: a label, the package it needs, and its factory."""

    name: str
    needs: str
    factory: Callable[[], Bench]


@dataclass(frozen=True)
class Target:
    """The issue's target: `subject`'s time over `reference`'s at most `limit`, or with
    `speedup`, `reference`'s time over `subject`'s at least `limit`."""

    subject: str
    reference: str
    limit: float
    speedup: bool = False

    def text(self) -> str:
        """The target in words."""
        if self.speedup:
            return f"{self.subject} ≥ {self.limit:g}× faster than {self.reference}"
        return f"{self.subject} ≤ {self.limit:g}× {self.reference}"

    def figure(self, times: dict, framework: str = "session_magic") -> Optional[float]:
        """The target's ratio from per-call times, for session_magic or for `framework`'s
        rows in the same places; None when a row is missing."""
        subject = self.subject.replace("session_magic", framework)
        reference = self.reference.replace("session_magic", framework)
        if subject not in times or reference not in times:
            return None
        if self.speedup:
            return times[reference] / times[subject]
        return times[subject] / times[reference]

    def met(self, figure: float) -> bool:
        """Whether `figure` meets the target."""
        return figure >= self.limit if self.speedup else figure <= self.limit


@dataclass(frozen=True)
class Workload:
    """A named piece of work, its implementations and the issue's target and TF1 reference."""

    key: str
    title: str
    measures: str
    implementations: list
    target: Target
    reported_tf: str = ""
    baseline: str = "numpy"
    rtol: float = 1e-4
    notes: list = field(default_factory=list)
    more_targets: list = field(default_factory=list)  # (label, Target): later issues' targets


# --- targets -----------------------------------------------------------------------------------

def ratio_at_most(limit: float, impl: str = "session_magic", base: str = "numpy") -> Target:
    """impl's time over base's time must not exceed `limit`."""
    return Target(impl, base, limit)


def speedup_at_least(limit: float, slow: str, fast: str) -> Target:
    """`fast` must be at least `limit` times faster than `slow`."""
    return Target(fast, slow, limit, speedup=True)


# --- modules and sessions ----------------------------------------------------------------------

def tf1(name: str) -> Any:
    """session_magic, or tensorflow.compat.v1 in graph mode, as the workloads' `tf`."""
    if name != "tensorflow":
        return importlib.import_module(name)
    import tensorflow.compat.v1 as tf  # noqa: PLC0415 - only when TF is benchmarked
    tf.disable_eager_execution()
    tf.logging.set_verbosity(tf.logging.ERROR)
    return tf


def blas_threads() -> int:
    """The BLAS thread count run.py set; TF's intra-op pool gets the same."""
    return int(os.environ.get("OPENBLAS_NUM_THREADS", "1"))


def session(tf: Any, graph: Any, inter_op: int = 1, jit: bool = False) -> Any:
    """A session on `graph` with `inter_op` executor threads (1 unless a workload needs more);
    session_magic's jit tier is off (TF's `global_jit_level` knob) unless `jit`, so the plain
    session_magic rows measure Tier 1 even where numba is installed."""
    config = tf.ConfigProto(inter_op_parallelism_threads=inter_op,
                            intra_op_parallelism_threads=blas_threads())
    if not jit and getattr(tf, "__name__", "") == "session_magic":
        # NOTE: TF's OptimizerOptions.OFF is -1 (session_magic/plan/jit.py reads the same value)
        level = getattr(tf.OptimizerOptions, "OFF", -1)
        config.graph_options.optimizer_options.global_jit_level = level
    return tf.Session(graph=graph, config=config)


def graph_rows(build: Callable, label: str = "", **kwargs: Any) -> list:
    """The session_magic and TensorFlow rows of one TF1-style `build(tf, ...)`."""
    return [Implementation(name + label, name, partial(_with_module, build, name, kwargs))
            for name in ("session_magic", "tensorflow")]


def _with_module(build: Callable, name: str, kwargs: dict) -> Bench:
    return build(tf1(name), **kwargs)


def add_n(arrays: list) -> np.ndarray:
    """Sum of equally shaped arrays, accumulated in place (the floor's add_n)."""
    total = arrays[0].copy()
    for array in arrays[1:]:
        total += array
    return total


def dask_sync(*delayed_values: Any) -> Any:
    """Compute delayed values on dask's single-threaded scheduler."""
    import dask  # noqa: PLC0415
    results = dask.compute(*delayed_values, scheduler="sync")
    return results[0] if len(results) == 1 else list(results)


def pytensor_function(inputs: list, outputs: Any, **kwargs: Any) -> Callable:
    """A compiled PyTensor function (C backend when a compiler is available)."""
    import pytensor  # noqa: PLC0415
    return pytensor.function(inputs, outputs, **kwargs)


# --- W1: constant(1) + constant(2) -------------------------------------------------------------

def w1_graph(tf: Any) -> Bench:
    """Run a two-constant add: all session overhead, no real kernel."""
    graph = tf.Graph()
    with graph.as_default():
        total = tf.constant(1) + tf.constant(2)
    sess = session(tf, graph)
    return bench(lambda: sess.run(total))


def w1_numpy() -> Bench:
    """np.add on two int32 scalars."""
    one, two = np.array(1, np.int32), np.array(2, np.int32)
    return bench(lambda: np.add(one, two))


def w1_dask() -> Bench:
    """A delayed np.add, computed each step."""
    from dask import delayed  # noqa: PLC0415
    total = delayed(np.add)(np.int32(1), np.int32(2))
    return bench(lambda: dask_sync(total))


def w1_pytensor() -> Bench:
    """A compiled function of no inputs returning 1 + 2."""
    import pytensor.tensor as pt  # noqa: PLC0415
    function = pytensor_function([], pt.constant(1, dtype="int32") + pt.constant(2, dtype="int32"))
    return bench(function)


# --- W2 / W7: a chain of 100 elementwise ops on a fed float32[16] ------------------------------

CHAIN = (("add", 0.5), ("multiply", 0.9), ("subtract", 0.25), ("maximum", -1.0))
CHAIN_LENGTH = 100


def chain_input() -> np.ndarray:
    """The fed vector of W2 and W7."""
    return np.random.default_rng(2).standard_normal(16).astype(F32)


def build_chain(tf: Any, x: Any) -> Any:
    """CHAIN_LENGTH elementwise ops cycling through CHAIN, on four shared constants."""
    constants = [tf.constant(F32(value)) for _, value in CHAIN]
    for i in range(CHAIN_LENGTH):
        x = getattr(tf, CHAIN[i % 4][0])(x, constants[i % 4])
    return x


def chain_graph(tf: Any, jit: bool = False) -> tuple:
    """The W2 graph, its session and its placeholder and output."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [16])
        y = build_chain(tf, x)
    return session(tf, graph, jit=jit), x, y


def w2_graph(tf: Any, jit: bool = False) -> Bench:
    """sess.run of the chain's end with the vector fed."""
    sess, x, y = chain_graph(tf, jit)
    feed = {x: chain_input()}
    return bench(lambda: sess.run(y, feed), sess)


def w7_graph(tf: Any, jit: bool = False) -> Bench:
    """The W2 chain through sess.make_callable."""
    sess, x, y = chain_graph(tf, jit)
    call, value = sess.make_callable(y, [x]), chain_input()
    return bench(lambda: call(value), sess)


def chain_numpy() -> Bench:
    """The same 100 ufunc calls written out as a loop over (ufunc, constant) pairs."""
    steps = [(getattr(np, name), F32(value)) for name, value in CHAIN]
    pairs = [steps[i % 4] for i in range(CHAIN_LENGTH)]
    x = chain_input()

    def step() -> np.ndarray:
        y = x
        for ufunc, constant in pairs:
            y = ufunc(y, constant)
        return y
    return bench(step)


def w2_dask() -> Bench:
    """The chain as 100 delayed ufunc calls on the bound input, computed each step."""
    from dask import delayed  # noqa: PLC0415
    y = chain_input()
    for i in range(CHAIN_LENGTH):
        name, value = CHAIN[i % 4]
        y = delayed(getattr(np, name))(y, F32(value))
    return bench(lambda: dask_sync(y))


def w2_pytensor() -> Bench:
    """The chain compiled by PyTensor (which fuses it into one loop)."""
    import pytensor.tensor as pt  # noqa: PLC0415
    ops = {"add": pt.add, "multiply": pt.mul, "subtract": pt.sub, "maximum": pt.maximum}
    x = pt.vector("x", dtype="float32")
    y = x
    for i in range(CHAIN_LENGTH):
        name, value = CHAIN[i % 4]
        y = ops[name](y, pt.constant(F32(value)))
    function, value = pytensor_function([x], y), chain_input()
    return bench(lambda: function(value))


# --- W3: a 3-layer 256x256 MLP on a fed [64, 256] batch ----------------------------------------

def mlp_data() -> tuple:
    """The batch and three (weights, bias) pairs, scaled so activations stay near 1."""
    rng = np.random.default_rng(3)
    batch = rng.standard_normal((64, 256)).astype(F32)
    layers = [((rng.standard_normal((256, 256)) / 16).astype(F32),
               (rng.standard_normal(256) / 10).astype(F32)) for _ in range(3)]
    return batch, layers


def w3_graph(tf: Any) -> Bench:
    """relu(x W1 + b1) -> relu(. W2 + b2) -> . W3 + b3 with variables, the batch fed."""
    batch, layers = mlp_data()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 256])
        y = x
        for i, (weights, bias) in enumerate(layers):
            y = tf.matmul(y, tf.Variable(weights)) + tf.Variable(bias)
            y = tf.nn.relu(y) if i < 2 else y
        init = tf.global_variables_initializer()
    sess = session(tf, graph)
    sess.run(init)
    return bench(lambda: sess.run(y, {x: batch}))


def w3_numpy() -> Bench:
    """The MLP as three `np.maximum(y @ w + b, 0)` lines."""
    batch, layers = mlp_data()
    (w1, b1), (w2, b2), (w3, b3) = layers

    def step() -> np.ndarray:
        y = np.maximum(batch @ w1 + b1, 0)
        y = np.maximum(y @ w2 + b2, 0)
        return y @ w3 + b3
    return bench(step)


def w3_dask() -> Bench:
    """The MLP as delayed matmul/add/maximum calls on the bound batch."""
    from dask import delayed  # noqa: PLC0415
    y, layers = mlp_data()
    for i, (weights, bias) in enumerate(layers):
        y = delayed(np.add)(delayed(np.matmul)(y, weights), bias)
        y = delayed(np.maximum)(y, F32(0)) if i < 2 else y
    return bench(lambda: dask_sync(y))


def w3_pytensor() -> Bench:
    """The MLP compiled by PyTensor with shared weights."""
    import pytensor  # noqa: PLC0415
    import pytensor.tensor as pt  # noqa: PLC0415
    batch, layers = mlp_data()
    x = pt.matrix("x", dtype="float32")
    y = x
    for i, (weights, bias) in enumerate(layers):
        y = y @ pytensor.shared(weights) + pytensor.shared(bias)
        y = pt.maximum(y, 0) if i < 2 else y
    function = pytensor_function([x], y)
    return bench(lambda: function(batch))


# --- W4: linear regression 256x10, one gradient-descent step -----------------------------------

LEARNING_RATE = 0.1


def regression_data() -> tuple:
    """Inputs [256, 10] and noisy targets [256, 1] of a known linear model."""
    rng = np.random.default_rng(4)
    inputs = rng.standard_normal((256, 10)).astype(F32)
    truth = rng.standard_normal((10, 1)).astype(F32)
    targets = (inputs @ truth + 0.5 + 0.1 * rng.standard_normal((256, 1))).astype(F32)
    return inputs, targets


def w4_graph(tf: Any, jit: bool = False) -> Bench:
    """sess.run([train_op, loss]) of GradientDescentOptimizer(0.1).minimize(mean squared error)."""
    inputs, targets = regression_data()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 10])
        y = tf.placeholder(tf.float32, [None, 1])
        weights, bias = tf.Variable(tf.zeros([10, 1])), tf.Variable(tf.zeros([1]))
        loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) + bias - y))
        train = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
        init = tf.global_variables_initializer()
    sess = session(tf, graph, jit=jit)
    sess.run(init)
    feed = {x: inputs, y: targets}
    return bench(lambda: sess.run([train, loss], feed)[1], sess, lambda: sess.run(init))


def w4_numpy() -> Bench:
    """The same step with the gradient written by hand; returns the loss before the update."""
    inputs, targets = regression_data()
    weights, bias = np.zeros((10, 1), F32), np.zeros(1, F32)
    scale = F32(2 / len(inputs))

    def step() -> Any:
        error = inputs @ weights + bias - targets
        gradient = scale * error
        weights[...] -= LEARNING_RATE * (inputs.T @ gradient)
        bias[...] -= LEARNING_RATE * gradient.sum(axis=0)
        return np.mean(np.square(error))
    return bench(step)


def w4_pytensor() -> Bench:
    """pytensor.grad and a function with updates, the data passed each call."""
    import pytensor  # noqa: PLC0415
    import pytensor.tensor as pt  # noqa: PLC0415
    inputs, targets = regression_data()
    x, y = pt.matrix("x", dtype="float32"), pt.matrix("y", dtype="float32")
    weights = pytensor.shared(np.zeros((10, 1), F32))
    bias = pytensor.shared(np.zeros(1, F32))
    loss = pt.mean(pt.square(x @ weights + bias - y))
    updates = [(p, p - F32(LEARNING_RATE) * g)
               for p, g in zip((weights, bias), pytensor.grad(loss, [weights, bias]), strict=True)]
    function = pytensor_function([x, y], loss, updates=updates)
    return bench(lambda: function(inputs, targets))


# --- W5: 200 independent small branches joined by add_n ----------------------------------------

def branch_scales() -> np.ndarray:
    """One scale per branch."""
    return np.linspace(0.5, 1.5, 200, dtype=F32)


def w5_graph(tf: Any, jit: bool = False) -> Bench:
    """add_n of 200 branches tanh(x * scale_i) on a fed float32[16]."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [16])
        total = tf.add_n([tf.tanh(x * scale) for scale in branch_scales()])
    sess = session(tf, graph, jit=jit)
    feed = {x: chain_input()}
    return bench(lambda: sess.run(total, feed), sess)


def w5_numpy() -> Bench:
    """The 200 branches in a list comprehension, summed in place."""
    scales, x = branch_scales(), chain_input()
    return bench(lambda: add_n([np.tanh(x * scale) for scale in scales]))


def w5_dask() -> Bench:
    """200 delayed branches and one delayed add_n."""
    from dask import delayed  # noqa: PLC0415
    x = chain_input()
    branches = [delayed(np.tanh)(delayed(np.multiply)(x, scale)) for scale in branch_scales()]
    total = delayed(add_n)(branches)
    return bench(lambda: dask_sync(total))


def w5_pytensor() -> Bench:
    """The 200 branches compiled by PyTensor."""
    import pytensor.tensor as pt  # noqa: PLC0415
    x = pt.vector("x", dtype="float32")
    total = pt.add(*[pt.tanh(x * scale) for scale in branch_scales()])
    function, value = pytensor_function([x], total), chain_input()
    return bench(lambda: function(value))


# --- W6: building a 5,000-op chain -------------------------------------------------------------

BUILD_LENGTH = 5000


def w6_graph(tf: Any) -> Bench:
    """A fresh Graph with constants 0 and 1 and 5,000 `tf.add(x, one)` ops; checked by running."""
    def step() -> Any:
        with tf.Graph().as_default():
            one, x = tf.constant(1.0), tf.constant(0.0)
            for _ in range(BUILD_LENGTH):
                x = tf.add(x, one)
        return x
    return Bench(step, lambda: _run_alone(tf, step()))


def _run_alone(tf: Any, tensor: Any) -> Any:
    with session(tf, tensor.graph) as sess:
        return sess.run(tensor)


def w6_numpy() -> Bench:
    """The floor: a list of 5,000 `(np.add, previous, one)` tuples; checked by interpreting it."""
    def step() -> list:
        one, x = (np.asarray, 1.0), (np.asarray, 0.0)
        nodes = [one, x]
        for _ in range(BUILD_LENGTH):
            x = (np.add, x, one)
            nodes.append(x)
        return nodes
    return Bench(step, lambda: _interpret_nodes(step()))


class _Node:
    """The smallest node object a NumPy program would build: a function and its inputs."""

    __slots__ = ("function", "inputs")

    def __init__(self, function: Callable, inputs: tuple) -> None:
        self.function = function
        self.inputs = inputs


def w6_numpy_objects() -> Bench:
    """The floor the target is judged against ("NumPy-node-object construction"): 5,000
    `_Node(np.add, (previous, one))` objects; TF1's 175 µs per op is about 1,100x this."""
    def step() -> list:
        one, x = _Node(np.asarray, (1.0,)), _Node(np.asarray, (0.0,))
        nodes = [one, x]
        for _ in range(BUILD_LENGTH):
            x = _Node(np.add, (x, one))
            nodes.append(x)
        return nodes
    return Bench(step, lambda: _interpret_objects(step()))


def _interpret_objects(nodes: list) -> Any:
    values: dict = {}
    for node in nodes:
        inputs = [values[id(i)] if isinstance(i, _Node) else i for i in node.inputs]
        values[id(node)] = node.function(*inputs)
    return values[id(nodes[-1])]


def _interpret_nodes(nodes: list) -> Any:
    values: dict = {}
    for node in nodes:
        function, *inputs = node
        arguments = [values[id(i)] if isinstance(i, tuple) else i for i in inputs]
        values[id(node)] = function(*arguments)
    return values[id(nodes[-1])]


def w6_dask() -> Bench:
    """5,000 chained `delayed(np.add)` calls; checked by computing the end."""
    from dask import delayed  # noqa: PLC0415

    def step() -> Any:
        x = delayed(np.asarray)(0.0)
        for _ in range(BUILD_LENGTH):
            x = delayed(np.add)(x, 1.0)
        return x
    return Bench(step, lambda: dask_sync(step()))


def w6_pytensor() -> Bench:
    """5,000 chained `pt.add` variables; checked through an unoptimized Python-linker function."""
    import pytensor.tensor as pt  # noqa: PLC0415
    from pytensor.compile.mode import Mode  # noqa: PLC0415

    def step() -> Any:
        one, x = pt.constant(1.0), pt.constant(0.0)
        for _ in range(BUILD_LENGTH):
            x = pt.add(x, one)
        return x
    mode = Mode(linker="py", optimizer=None)
    return Bench(step, lambda: deeply(lambda: pytensor_function([], step(), mode=mode)()))


def deeply(function: Callable[[], Any]) -> Any:
    """`function()` with room for recursion 5,000 levels deep (PyTensor's graph walks)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20 * BUILD_LENGTH))
    try:
        return function()
    finally:
        sys.setrecursionlimit(limit)


# --- W8: a small fetch inside a 100,000-op graph -----------------------------------------------

SMALL_OPS = ("tanh", "negative", "sin")
BIG_GRAPH_OPS = 100_000


def build_small(tf: Any) -> tuple:
    """A placeholder and nine unary ops after it: the 10-op graph, returned as (input, fetch)."""
    x = tf.placeholder(tf.float32, [16])
    y = x
    for i in range(9):
        y = getattr(tf, SMALL_OPS[i % 3])(y)
    return x, y


def add_filler(tf: Any, start: Any, graph: Any) -> None:
    """Chains of 100 `tf.negative` ops hanging off `start` until the graph has 100,000 ops."""
    missing = BIG_GRAPH_OPS - len(graph.get_operations())
    y = start
    for i in range(missing):
        y = tf.negative(start if i % 100 == 0 else y)


def w8_graph(tf: Any, big: bool) -> Bench:
    """sess.run of the small fetch, alone in its graph or inside 100,000 ops."""
    graph = tf.Graph()
    with graph.as_default():
        x, y = build_small(tf)
        if big:
            add_filler(tf, y, graph)
    sess, feed = session(tf, graph), {x: chain_input()}
    return bench(lambda: sess.run(y, feed))


def w8_numpy() -> Bench:
    """The nine unary ufuncs in a loop."""
    ufuncs = [getattr(np, SMALL_OPS[i % 3]) for i in range(9)]
    x = chain_input()

    def step() -> np.ndarray:
        y = x
        for ufunc in ufuncs:
            y = ufunc(y)
        return y
    return bench(step)


# --- W9: two independent chains of 1024x1024 matmuls -------------------------------------------

MATMULS_PER_CHAIN = 3


def matmul_data() -> tuple:
    """Two [1024, 1024] inputs and two chains of weights scaled to keep values near 1."""
    rng = np.random.default_rng(9)
    inputs = [rng.standard_normal((1024, 1024), F32) for _ in range(2)]
    chains = [[rng.standard_normal((1024, 1024), F32) / F32(32) for _ in range(MATMULS_PER_CHAIN)]
              for _ in range(2)]
    return inputs, chains


def w9_graph(tf: Any, threads: int) -> Bench:
    """Both chains fetched in one run, on a session with `threads` inter-op threads."""
    inputs, chains = matmul_data()
    graph = tf.Graph()
    with graph.as_default():
        placeholders = [tf.placeholder(tf.float32, [1024, 1024]) for _ in inputs]
        ends = []
        for y, weights in zip(placeholders, chains, strict=True):
            for matrix in weights:
                y = tf.matmul(y, tf.constant(matrix))
            ends.append(y)
    sess, feed = session(tf, graph, inter_op=threads), dict(zip(placeholders, inputs, strict=True))
    return bench(lambda: sess.run(ends, feed))


def w9_numpy() -> Bench:
    """The floor: the two chains one after the other."""
    inputs, chains = matmul_data()

    def step() -> list:
        ends = []
        for y, weights in zip(inputs, chains, strict=True):
            for matrix in weights:
                y = y @ matrix
            ends.append(y)
        return ends
    return bench(step)


def w9_dask() -> Bench:
    """The two chains as delayed matmuls on dask's threaded scheduler with two workers."""
    import dask  # noqa: PLC0415
    inputs, chains = matmul_data()
    ends = []
    for y, weights in zip(inputs, chains, strict=True):
        for matrix in weights:
            y = dask.delayed(np.matmul)(y, matrix)
        ends.append(y)
    return bench(lambda: list(dask.compute(*ends, scheduler="threads", num_workers=2)))


# --- W10: a small CNN, one training step --------------------------------------------------------

CNN_RATE = 0.05


def cnn_data() -> tuple:
    """A batch of 32 images 28×28×1, one-hot labels of 10 classes, and the starting weights:
    conv 5×5 1→8, conv 5×5 8→16 (each ReLU and 2×2 max-pool), dense 784→10."""
    rng = np.random.default_rng(10)
    images = rng.standard_normal((32, 28, 28, 1)).astype(F32)
    labels = np.eye(10, dtype=F32)[rng.integers(0, 10, 32)]
    weights = [(rng.standard_normal(shape) * scale).astype(F32)
               for shape, scale in (((5, 5, 1, 8), 0.2), ((8,), 0.0), ((5, 5, 8, 16), 0.07),
                                    ((16,), 0.0), ((784, 10), 0.03), ((10,), 0.0))]
    return images, labels, weights


def w10_graph(tf: Any) -> Bench:
    """conv2d/relu/max_pool twice, a dense layer, softmax cross-entropy, one GD step."""
    images, labels, start = cnn_data()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 28, 28, 1])
        y = tf.placeholder(tf.float32, [None, 10])
        w1, b1, w2, b2, w3, b3 = (tf.Variable(value) for value in start)
        h = x
        for kernel, bias in ((w1, b1), (w2, b2)):
            h = tf.nn.relu(tf.nn.conv2d(h, kernel, [1, 1, 1, 1], "SAME") + bias)
            h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        logits = tf.matmul(tf.reshape(h, [-1, 784]), w3) + b3
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
        train = tf.train.GradientDescentOptimizer(CNN_RATE).minimize(loss)
        init = tf.global_variables_initializer()
    sess = session(tf, graph)
    sess.run(init)
    feed = {x: images, y: labels}
    return bench(lambda: sess.run([train, loss], feed)[1])


def _conv_same(x: np.ndarray, kernel: np.ndarray) -> tuple:
    """A 'SAME' stride-1 convolution as one matmul over 5×5 patches; returns it and the patches."""
    size, pad = kernel.shape[0], kernel.shape[0] // 2
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size), axis=(1, 2))
    patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, size * size * x.shape[3])
    out = patches @ kernel.reshape(-1, kernel.shape[3])
    return out.reshape(*x.shape[:3], kernel.shape[3]), patches


def _conv_same_input_grad(grad_out: np.ndarray, kernel: np.ndarray, shape: tuple) -> np.ndarray:
    size, pad = kernel.shape[0], kernel.shape[0] // 2
    grad_patches = (grad_out.reshape(-1, kernel.shape[3]) @ kernel.reshape(-1, kernel.shape[3]).T)
    grad_patches = grad_patches.reshape(*shape[:3], size, size, shape[3])
    padded = np.zeros((shape[0], shape[1] + 2 * pad, shape[2] + 2 * pad, shape[3]), F32)
    for i in range(size):
        for j in range(size):
            padded[:, i:i + shape[1], j:j + shape[2]] += grad_patches[:, :, :, i, j]
    return padded[:, pad:pad + shape[1], pad:pad + shape[2]]


def _max_pool(x: np.ndarray) -> tuple:
    n, h, w, c = x.shape
    blocks = x.reshape(n, h // 2, 2, w // 2, 2, c)
    pooled = blocks.max(axis=(2, 4))
    return pooled, blocks == pooled[:, :, None, :, None]


def _max_pool_grad(grad: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n, h, _, w, _, c = mask.shape
    return (mask * grad[:, :, None, :, None]).reshape(n, 2 * h, 2 * w, c)


def w10_numpy() -> Bench:
    """The same step written by hand: im2col convolutions, their gradients, in-place updates."""
    images, labels, weights = cnn_data()
    w1, b1, w2, b2, w3, b3 = weights

    def step() -> Any:
        c1, p1 = _conv_same(images, w1)
        a1 = np.maximum(c1 + b1, 0)
        h1, m1 = _max_pool(a1)
        c2, p2 = _conv_same(h1, w2)
        a2 = np.maximum(c2 + b2, 0)
        h2, m2 = _max_pool(a2)
        flat = h2.reshape(len(images), -1)
        logits = flat @ w3 + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -np.mean(np.sum(labels * log_probs, axis=1))
        grad_logits = (np.exp(log_probs) - labels) / F32(len(images))
        grad_h2 = (grad_logits @ w3.T).reshape(h2.shape)
        grad_a2 = _max_pool_grad(grad_h2, m2) * (a2 > 0)
        grad_h1 = _conv_same_input_grad(grad_a2, w2, h1.shape)
        grad_a1 = _max_pool_grad(grad_h1, m1) * (a1 > 0)
        updates = ((w3, flat.T @ grad_logits), (b3, grad_logits.sum(axis=0)),
                   (w2, (p2.T @ grad_a2.reshape(-1, 16)).reshape(w2.shape)),
                   (b2, grad_a2.sum(axis=(0, 1, 2))),
                   (w1, (p1.T @ grad_a1.reshape(-1, 8)).reshape(w1.shape)),
                   (b1, grad_a1.sum(axis=(0, 1, 2))))
        for variable, gradient in updates:
            variable -= F32(CNN_RATE) * gradient
        return loss
    return bench(step)


# --- W11: a small LSTM, one training step -------------------------------------------------------

LSTM_STEPS, LSTM_BATCH, LSTM_INPUT, LSTM_UNITS, CLASSES = 10, 32, 32, 64, 10
LSTM_RATE = 0.1


def lstm_data() -> tuple:
    """Inputs [10 steps, 32, 32], one-hot labels [32, 10] and the starting weights: the cell's
    kernel [32 + 64, 4 × 64] and bias (TF's gate order i, j, f, o), the dense layer 64→10."""
    rng = np.random.default_rng(11)
    inputs = rng.standard_normal((LSTM_STEPS, LSTM_BATCH, LSTM_INPUT)).astype(F32)
    labels = np.eye(CLASSES, dtype=F32)[rng.integers(0, CLASSES, LSTM_BATCH)]
    depth = LSTM_INPUT + LSTM_UNITS
    weights = [(rng.standard_normal(shape) * scale).astype(F32)
               for shape, scale in (((depth, 4 * LSTM_UNITS), depth ** -0.5),
                                    ((4 * LSTM_UNITS,), 0.0),
                                    ((LSTM_UNITS, CLASSES), LSTM_UNITS ** -0.5), ((CLASSES,), 0.0))]
    return inputs, labels, weights


def softmax_cross_entropy(tf: Any, labels: Any, logits: Any) -> Any:
    """The batch mean of TF's softmax cross-entropy."""
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels,
                                                                     logits=logits))


def w11_graph(tf: Any, jit: bool = False) -> Bench:
    """BasicLSTMCell(64) through static_rnn over 10 steps, dense to 10 classes, softmax
    cross-entropy, one GradientDescentOptimizer step; the cell's weights loaded after init."""
    inputs, labels, (kernel, bias, dense, dense_bias) = lstm_data()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [LSTM_STEPS, None, LSTM_INPUT])
        y = tf.placeholder(tf.float32, [None, CLASSES])
        with warnings.catch_warnings():  # NOTE: TF 2.x warns the TF1 cell is deprecated
            warnings.simplefilter("ignore", UserWarning)
            cell = tf.nn.rnn_cell.BasicLSTMCell(LSTM_UNITS)
        outputs, _ = tf.nn.static_rnn(cell, tf.unstack(x), dtype=tf.float32)
        logits = tf.matmul(outputs[-1], tf.Variable(dense)) + tf.Variable(dense_bias)
        loss = softmax_cross_entropy(tf, y, logits)
        train = tf.train.GradientDescentOptimizer(LSTM_RATE).minimize(loss)
        init = tf.global_variables_initializer()
    sess = session(tf, graph, jit=jit)
    cell_variables = sorted(cell.variables, key=lambda variable: "bias" in variable.name)

    def reset() -> None:
        sess.run(init)
        for variable, value in zip(cell_variables, (kernel, bias), strict=True):
            variable.load(value, sess)
    reset()
    feed = {x: inputs, y: labels}
    return bench(lambda: sess.run([train, loss], feed)[1], sess, reset)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return F32(0.5) * np.tanh(F32(0.5) * x) + F32(0.5)


def _softmax_loss(logits: np.ndarray, labels: np.ndarray) -> tuple:
    """Mean softmax cross-entropy and its gradient with respect to the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.mean(np.sum(labels * log_probs, axis=1))
    return loss, (np.exp(log_probs) - labels) / F32(len(labels))


def w11_numpy() -> Bench:
    """The LSTM step by hand: the forward pass keeps each step's gates, backpropagation through
    time walks them back, the weight gradients are one matmul over all steps, updates in place."""
    inputs, labels, (kernel, bias, dense, dense_bias) = lstm_data()
    units, batch = LSTM_UNITS, LSTM_BATCH
    rate = F32(LSTM_RATE)

    def step() -> Any:
        h, c = np.zeros((batch, units), F32), np.zeros((batch, units), F32)
        joined, cache = np.empty((LSTM_STEPS, batch, LSTM_INPUT + units), F32), []
        for t in range(LSTM_STEPS):
            joined[t, :, :LSTM_INPUT], joined[t, :, LSTM_INPUT:] = inputs[t], h
            gates = joined[t] @ kernel + bias
            i, j = _sigmoid(gates[:, :units]), np.tanh(gates[:, units:2 * units])
            f, o = _sigmoid(gates[:, 2 * units:3 * units] + F32(1)), _sigmoid(gates[:, 3 * units:])
            previous, c = c, c * f + i * j
            tanh_c = np.tanh(c)
            h = tanh_c * o
            cache.append((i, j, f, o, previous, tanh_c))
        loss, grad_logits = _softmax_loss(h @ dense + dense_bias, labels)
        grad_dense = h.T @ grad_logits
        grad_h, grad_c = grad_logits @ dense.T, np.zeros_like(c)
        grad_gates = np.empty((LSTM_STEPS, batch, 4 * units), F32)
        for t in reversed(range(LSTM_STEPS)):
            i, j, f, o, previous, tanh_c = cache[t]
            grad_c = grad_c + grad_h * o * (F32(1) - tanh_c * tanh_c)
            out = grad_gates[t]
            out[:, :units] = grad_c * j * i * (F32(1) - i)
            out[:, units:2 * units] = grad_c * i * (F32(1) - j * j)
            out[:, 2 * units:3 * units] = grad_c * previous * f * (F32(1) - f)
            out[:, 3 * units:] = grad_h * tanh_c * o * (F32(1) - o)
            grad_c = grad_c * f
            grad_h = out @ kernel[LSTM_INPUT:].T
        flat_gates = grad_gates.reshape(-1, 4 * units)
        grad_kernel = joined.reshape(-1, LSTM_INPUT + units).T @ flat_gates
        for variable, gradient in ((kernel, grad_kernel), (bias, flat_gates.sum(axis=0)),
                                   (dense, grad_dense), (dense_bias, grad_logits.sum(axis=0))):
            variable -= rate * gradient
        return loss
    return bench(step)


def w11_pytensor() -> Bench:
    """The LSTM unrolled over 10 steps in PyTensor, pytensor.grad and a function with updates."""
    import pytensor  # noqa: PLC0415
    import pytensor.tensor as pt  # noqa: PLC0415
    inputs, labels, start = lstm_data()
    kernel, bias, dense, dense_bias = (pytensor.shared(value) for value in start)
    x, y = pt.tensor3("x", dtype="float32"), pt.matrix("y", dtype="float32")
    units = LSTM_UNITS
    h = c = pt.zeros((x.shape[1], units), dtype="float32")
    for t in range(LSTM_STEPS):
        gates = pt.concatenate([x[t], h], axis=1) @ kernel + bias
        i, j = pt.sigmoid(gates[:, :units]), pt.tanh(gates[:, units:2 * units])
        f = pt.sigmoid(gates[:, 2 * units:3 * units] + F32(1))
        c = c * f + i * j
        h = pt.tanh(c) * pt.sigmoid(gates[:, 3 * units:])
    loss = pytensor_softmax_loss(h @ dense + dense_bias, y)
    parameters = [kernel, bias, dense, dense_bias]
    updates = [(p, p - F32(LSTM_RATE) * g)
               for p, g in zip(parameters, pytensor.grad(loss, parameters), strict=True)]
    function = pytensor_function([x, y], loss, updates=updates)
    return bench(lambda: function(inputs, labels))


def pytensor_softmax_loss(logits: Any, labels: Any) -> Any:
    """Mean softmax cross-entropy in PyTensor, written with a stable log-softmax."""
    import pytensor.tensor as pt  # noqa: PLC0415
    shifted = logits - pt.max(logits, axis=1, keepdims=True)
    log_probs = shifted - pt.log(pt.sum(pt.exp(shifted), axis=1, keepdims=True))
    return -pt.mean(pt.sum(labels * log_probs, axis=1))


# --- W12: the classic MNIST MLP, one Adam step --------------------------------------------------

MNIST_BATCH, MNIST_PIXELS, MNIST_HIDDEN = 128, 784, 256
ADAM = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}


def mnist_data() -> tuple:
    """A fixed random batch of 128 'images' (784 values in [0, 1)), one-hot labels and the
    starting weights of 784-256-10 (He-scaled)."""
    rng = np.random.default_rng(12)
    images = rng.random((MNIST_BATCH, MNIST_PIXELS), dtype=F32)
    labels = np.eye(CLASSES, dtype=F32)[rng.integers(0, CLASSES, MNIST_BATCH)]
    weights = [(rng.standard_normal(shape) * scale).astype(F32)
               for shape, scale in (((MNIST_PIXELS, MNIST_HIDDEN), (2 / MNIST_PIXELS) ** 0.5),
                                    ((MNIST_HIDDEN,), 0.0),
                                    ((MNIST_HIDDEN, CLASSES), MNIST_HIDDEN ** -0.5),
                                    ((CLASSES,), 0.0))]
    return images, labels, weights


def w12_graph(tf: Any, jit: bool = False) -> Bench:
    """relu(x W1 + b1) W2 + b2, softmax cross-entropy, one AdamOptimizer(1e-3) step."""
    images, labels, start = mnist_data()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, MNIST_PIXELS])
        y = tf.placeholder(tf.float32, [None, CLASSES])
        w1, b1, w2, b2 = (tf.Variable(value) for value in start)
        logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
        loss = softmax_cross_entropy(tf, y, logits)
        train = tf.train.AdamOptimizer(ADAM["learning_rate"]).minimize(loss)
        init = tf.global_variables_initializer()
    sess = session(tf, graph, jit=jit)
    sess.run(init)
    feed = {x: images, y: labels}
    return bench(lambda: sess.run([train, loss], feed)[1], sess, lambda: sess.run(init))


def w12_numpy() -> Bench:
    """The MLP step by hand, with TF's Adam update (bias-corrected rate, in place)."""
    images, labels, parameters = mnist_data()
    w1, b1, w2, b2 = parameters
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in parameters]
    beta1, beta2 = F32(ADAM["beta1"]), F32(ADAM["beta2"])
    epsilon = F32(ADAM["epsilon"])
    powers = [F32(1), F32(1)]

    def step() -> Any:
        hidden = images @ w1 + b1
        active = np.maximum(hidden, 0)
        loss, grad_logits = _softmax_loss(active @ w2 + b2, labels)
        grad_hidden = (grad_logits @ w2.T) * (hidden > 0)
        gradients = (images.T @ grad_hidden, grad_hidden.sum(axis=0),
                     active.T @ grad_logits, grad_logits.sum(axis=0))
        powers[0], powers[1] = powers[0] * beta1, powers[1] * beta2
        rate = F32(ADAM["learning_rate"] * np.sqrt(1 - powers[1]) / (1 - powers[0]))
        for variable, gradient, (m, v) in zip(parameters, gradients, moments, strict=True):
            m += (F32(1) - beta1) * (gradient - m)
            v += (F32(1) - beta2) * (gradient * gradient - v)
            variable -= rate * m / (np.sqrt(v) + epsilon)
        return loss
    return bench(step)


def w12_pytensor() -> Bench:
    """The MLP in PyTensor, pytensor.grad and Adam's updates written out as shared updates."""
    import pytensor  # noqa: PLC0415
    import pytensor.tensor as pt  # noqa: PLC0415
    images, labels, start = mnist_data()
    parameters = [pytensor.shared(value) for value in start]
    w1, b1, w2, b2 = parameters
    x, y = pt.matrix("x", dtype="float32"), pt.matrix("y", dtype="float32")
    loss = pytensor_softmax_loss(pt.maximum(x @ w1 + b1, 0) @ w2 + b2, y)
    beta1, beta2 = F32(ADAM["beta1"]), F32(ADAM["beta2"])
    power1, power2 = pytensor.shared(F32(1)), pytensor.shared(F32(1))
    new1, new2 = power1 * beta1, power2 * beta2
    rate = F32(ADAM["learning_rate"]) * pt.sqrt(F32(1) - new2) / (F32(1) - new1)
    updates = [(power1, new1), (power2, new2)]
    for parameter, gradient in zip(parameters, pytensor.grad(loss, parameters), strict=True):
        m = pytensor.shared(np.zeros_like(parameter.get_value()))
        v = pytensor.shared(np.zeros_like(parameter.get_value()))
        new_m = m + (F32(1) - beta1) * (gradient - m)
        new_v = v + (F32(1) - beta2) * (gradient * gradient - v)
        updates += [(m, new_m), (v, new_v),
                    (parameter, parameter - rate * new_m / (pt.sqrt(new_v) + F32(ADAM["epsilon"])))]
    function = pytensor_function([x, y], loss, updates=updates)
    return bench(lambda: function(images, labels))


# --- the jit tier (issue 16's optional Tier 2) ---------------------------------------------------

JIT_MODULE = "session_magic.plan.jit"
JIT = "session_magic + jit"


def session_plans(sess: Any) -> list:
    """The plans `sess` has compiled so far (NOTE: a private attribute: no public list)."""
    return list(sess._plans.values())


def promote(plans: list) -> int:
    """Compile `plans` with the jit tier now (`compile_now(plan)`, which returns once the plan
    runs its fused kernels); how many fused groups they got."""
    jit = importlib.import_module(JIT_MODULE)
    compile_now = getattr(jit, "compile_now", None)
    if compile_now is None:
        raise RuntimeError(f"{JIT_MODULE} has no compile_now(plan) to promote a plan with")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        groups = sum(len(compile_now(plan)) for plan in plans)
    if caught:  # NOTE: the jit falls back to Tier 1 with a warning; this row must not hide it
        raise RuntimeError(str(caught[0].message))
    return groups


def _jitted(build: Callable) -> Bench:
    """`build` on session_magic with the jit on, the plan its step runs made by one run and
    promoted, then its variables put back, so its first checked values are the floor's first
    ones; its remark says how many fused groups the jit made."""
    result = build(tf1("session_magic"), jit=True)
    before = {id(plan) for plan in session_plans(result.session)}
    result.value()
    plans = session_plans(result.session)
    # NOTE: the plan the step runs: the one its first run made (make_callable made W7's before)
    plans = [plan for plan in plans if id(plan) not in before] or plans
    groups = promote(plans)
    if result.reset is not None:
        result.reset()
    remark = (f"the jit fused {groups} group(s) of elementwise ops in the step's plan"
              if groups else "the jit found no group to fuse in the step's plan, so this row "
              "runs Tier 1's code")
    return replace(result, remark=remark)


def jit_row(build: Callable) -> Implementation:
    """The "session_magic + jit" row: needs numba (the `[jit]` extra), so run.py skips it where
    numba is not installed; without session_magic/plan/jit.py it fails to set up, saying so."""
    return Implementation(JIT, "numba", partial(_jitted, build))


def issue16(limit: float, jit: bool = False) -> tuple:
    """An issue-16 target beside a workload's own: its Tier-1 ratio, or with `jit` the
    jit row's."""
    label = "issue 16, jit" if jit else "issue 16, no jit"
    return label, ratio_at_most(limit, impl=JIT if jit else "session_magic")


# --- the registry ------------------------------------------------------------------------------

def numpy_row(factory: Callable[[], Bench], label: str = "numpy") -> Implementation:
    """The floor's row."""
    return Implementation(label, "numpy", factory)


def peer_rows(dask: Callable | None = None, pytensor: Callable | None = None) -> list:
    """The dask.delayed and PyTensor rows a workload has."""
    rows = [Implementation("dask", "dask", dask)] if dask else []
    return rows + ([Implementation("pytensor", "pytensor", pytensor)] if pytensor else [])


NO_FIGURE = ("The issue sets no figure for this workload (\"each against NumPy, TF and "
             "PyTensor\"); the target row asks for session_magic at or ahead of PyTensor in the "
             "same run, the issue's steady-state goal.")
W8_SMALL, W8_BIG = "session_magic, 10-op graph", "session_magic, 100k-op graph"
W9_ONE, W9_TWO = "session_magic, 1 thread", "session_magic, 2 threads"

WORKLOADS = [
    Workload("W1", "constant(1) + constant(2), run repeatedly", "pure per-run overhead",
             [numpy_row(w1_numpy), *graph_rows(w1_graph), *peer_rows(w1_dask, w1_pytensor)],
             ratio_at_most(12), "223×"),
    Workload("W2", "a chain of 100 elementwise ops on a fed float32[16]", "per-op overhead, deep",
             [numpy_row(chain_numpy), *graph_rows(w2_graph), jit_row(w2_graph),
              *peer_rows(w2_dask, w2_pytensor)],
             ratio_at_most(1.3), "4.2×", more_targets=[issue16(0.7), issue16(0.35, jit=True)]),
    Workload("W3", "a 3-layer 256×256 MLP on a fed [64, 256] batch", "kernel-dominated run",
             [numpy_row(w3_numpy), *graph_rows(w3_graph), *peer_rows(w3_dask, w3_pytensor)],
             ratio_at_most(1.05), "1.41×", rtol=1e-3),
    Workload("W4", "linear regression 256×10, one GradientDescentOptimizer(0.1) step",
             "a training step: gradient ops and variable updates",
             [numpy_row(w4_numpy), *graph_rows(w4_graph), jit_row(w4_graph),
              *peer_rows(pytensor=w4_pytensor)],
             ratio_at_most(2.0), "20×", rtol=1e-3,
             more_targets=[issue16(1.3), issue16(1.0, jit=True)]),
    Workload("W5", "200 independent small branches joined by add_n", "per-op overhead, wide",
             [numpy_row(w5_numpy), *graph_rows(w5_graph), jit_row(w5_graph),
              *peer_rows(w5_dask, w5_pytensor)],
             ratio_at_most(1.3), "1.03×", more_targets=[issue16(0.9), issue16(0.07, jit=True)]),
    Workload("W6", "building a 5,000-op chain", "graph construction per op",
             [numpy_row(w6_numpy_objects, "numpy node objects"),
              numpy_row(w6_numpy, "numpy node tuples"), *graph_rows(w6_graph),
              *peer_rows(w6_dask, w6_pytensor)],
             ratio_at_most(40, base="numpy node objects"), "1,118×",
             baseline="numpy node objects"),
    Workload("W7", "the W2 chain through make_callable", "the make_callable fast path",
             [numpy_row(chain_numpy), *graph_rows(w7_graph), jit_row(w7_graph)],
             ratio_at_most(1.2), more_targets=[issue16(0.7), issue16(0.33, jit=True)]),
    Workload("W8", "a small fetch inside a 100,000-op graph",
             "per-run cost independent of graph size",
             [numpy_row(w8_numpy),
              Implementation(W8_SMALL, "session_magic",
                             partial(_with_module, w8_graph, "session_magic", {"big": False})),
              Implementation(W8_BIG, "session_magic",
                             partial(_with_module, w8_graph, "session_magic", {"big": True}))],
             ratio_at_most(1.1, impl=W8_BIG, base=W8_SMALL)),
    Workload("W9", "two independent chains of three 1024×1024 matmuls",
             "inter-op parallelism with 2 threads, BLAS single-threaded",
             [numpy_row(w9_numpy, "numpy, sequential"),
              *graph_rows(w9_graph, ", 1 thread", threads=1),
              *graph_rows(w9_graph, ", 2 threads", threads=2),
              Implementation("dask threads, 2 workers", "dask", w9_dask)],
             speedup_at_least(1.6, slow=W9_ONE, fast=W9_TWO), baseline="numpy, sequential",
             rtol=1e-3),
    Workload("W10", "a small CNN (two conv 5×5 + max-pool, dense 784→10), one GD step on a "
             "[32, 28, 28, 1] batch", "a convolutional training step",
             [numpy_row(w10_numpy), *graph_rows(w10_graph)],
             speedup_at_least(1.0, slow="tensorflow", fast="session_magic"), rtol=1e-3,
             notes=["No PyTensor row: PyTensor 3 has no batched 4-D conv2d or pooling "
                    "(pytensor.tensor.conv and signal.pool are gone; only 2-D signal "
                    "convolve2d remains)."]),
    Workload("W11", "a small LSTM (BasicLSTMCell(64), static_rnn over 10 steps, dense 64→10), "
             "one GD step on a [32, 32] batch per step", "a recurrent training step: many "
             "small ops per unrolled step",
             [numpy_row(w11_numpy), *graph_rows(w11_graph), jit_row(w11_graph),
              *peer_rows(pytensor=w11_pytensor)],
             ratio_at_most(1.0, base="pytensor"), rtol=1e-3, notes=[NO_FIGURE]),
    Workload("W12", "the classic MNIST MLP (784-256-10, ReLU), one AdamOptimizer(1e-3) step on "
             "a [128, 784] batch", "a training step with Adam's slot variables",
             [numpy_row(w12_numpy), *graph_rows(w12_graph), jit_row(w12_graph),
              *peer_rows(pytensor=w12_pytensor)],
             ratio_at_most(1.0, base="pytensor"), rtol=1e-3, notes=[NO_FIGURE]),
]
