"""Record TF's side of the GraphDef interop tests, with real TensorFlow:

    /work/tfenv/bin/python tests/golden/record_frozen.py [--signatures] [--models] [--check-samples]

--signatures writes session_magic/interop/tf_op_signatures.json: for every op type registered
here that TF knows, which attrs give its inputs' and outputs' dtypes (`T`, `Tidx`, `N`...) and
its other attrs' defaults, read from TF's op registry (so exported GraphDefs carry the attrs TF
requires, and imports fill defaults a GraphDef left out).
--models freezes small TF1 models (fixed seeds) with TF's convert_variables_to_constants into
tests/golden/interop/frozen/<name>.pb, with TF's outputs for fixed inputs in outputs.json, and
checks that TF's own importer reads a GraphDef session_magic exported.
--check-samples exports every op sample's graph and lists the op types TF's importer refuses
(recorded nothing; run it after adding ops, with --signatures).
"""
from __future__ import annotations

import functools
import json
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # NOTE: tf.layers needs tf_keras in TF 2.21
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "tests" / "golden" / "interop" / "frozen"
SIGNATURES = ROOT / "session_magic" / "interop" / "tf_op_signatures.json"


def _arg(arg) -> str:
    """One input or output: 'T' (type attr), 'N*T' (N of T), '[Tlist]', or '' (fixed dtype)."""
    if arg.number_attr:
        return f"{arg.number_attr}*{arg.type_attr}"
    if arg.type_list_attr:
        return f"[{arg.type_list_attr}]"
    return arg.type_attr


def _default(value):
    kind = value.WhichOneof("value")
    if kind == "list":
        lst = value.list
        return list(lst.i) or list(lst.f) or [s.decode() for s in lst.s] or list(lst.b) or []
    if kind == "s":
        return value.s.decode()
    if kind in ("i", "f", "b"):
        return getattr(value, kind)
    return None


def record_signatures() -> None:
    import importlib
    import pkgutil

    from tensorflow.python.framework import op_def_registry

    import session_magic.ops
    from session_magic.ops.registry import OPS
    for module in pkgutil.iter_modules(session_magic.ops.__path__):
        importlib.import_module(f"session_magic.ops.{module.name}")  # NOTE: some load lazily
    table = {}
    for name in sorted(OPS):
        op_def = op_def_registry.get(name)
        if op_def is None:
            continue
        inputs = tuple(_arg(a) for a in op_def.input_arg)
        outputs = tuple(_arg(a) for a in op_def.output_arg)
        defaults = {a.name: _default(a.default_value) if a.HasField("default_value") else None
                    for a in op_def.attr if a.type not in ("type", "list(type)")}
        table[name] = [list(inputs), list(outputs), defaults]
    SIGNATURES.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n")
    print(f"wrote {len(table)} signatures to {SIGNATURES}")


# --- frozen models ---------------------------------------------------------------------------

def _inputs(shape: tuple, seed: int):
    import numpy as np
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _randomize_batch_norm_statistics(tf, sess) -> None:
    """Moving means and variances away from 0 and 1, so the frozen batch norm does something."""
    import numpy as np
    rng = np.random.default_rng(7)
    for v in tf.global_variables():
        if "moving_mean" in v.name:
            sess.run(v.assign(rng.normal(size=v.shape.as_list()).astype(np.float32)))
        elif "moving_variance" in v.name:
            sess.run(v.assign(rng.uniform(0.5, 2.0, v.shape.as_list()).astype(np.float32)))


def _mlp(tf):
    x = tf.placeholder(tf.float32, [None, 4], name="input")
    h = tf.layers.dense(x, 8, activation=tf.nn.relu, name="hidden")
    h = tf.layers.dense(h, 6, activation=tf.nn.tanh, name="hidden2")
    logits = tf.layers.dense(h, 3, name="logits")
    tf.nn.softmax(logits, name="output")
    return {"input:0": (2, 4)}, ["output"]


def _cnn(tf):
    x = tf.placeholder(tf.float32, [None, 8, 8, 2], name="input")
    h = tf.layers.conv2d(x, 4, 3, padding="same", use_bias=False, name="conv1")
    h = tf.layers.batch_normalization(h, training=False, fused=True, name="bn1")
    h = tf.nn.relu(h)
    h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.conv2d(h, 4, 3, padding="valid", activation=tf.nn.relu, name="conv2")
    h = tf.nn.avg_pool(h, [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    h = tf.reshape(h, [-1, 4])
    tf.identity(tf.layers.dense(h, 3, name="logits"), name="output")
    return {"input:0": (2, 8, 8, 2)}, ["output"]


def _mobilenet_block(tf):
    x = tf.placeholder(tf.float32, [None, 6, 6, 3], name="input")
    h = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    depthwise = tf.get_variable("depthwise/weights", [3, 3, 3, 1])
    h = tf.nn.depthwise_conv2d(h, depthwise, [1, 1, 1, 1], "VALID")
    h = tf.nn.relu6(tf.layers.batch_normalization(h, training=False, name="depthwise/bn"))
    h = tf.layers.conv2d(h, 5, 1, use_bias=False, name="pointwise")
    h = tf.nn.relu6(tf.layers.batch_normalization(h, training=False, name="pointwise/bn"))
    h = tf.concat([h, x * 0.5 - 1.0], axis=3)
    pooled = tf.reduce_mean(h, [1, 2], keepdims=True)
    flat = tf.squeeze(pooled, [1, 2])
    batch = tf.shape(flat)[0]
    flat = tf.reshape(flat, tf.stack([batch, 8]))
    tf.nn.softmax(tf.layers.dense(flat, 4, name="logits"), name="output")
    return {"input:0": (2, 6, 6, 3)}, ["output"]


def _lstm(tf):
    x = tf.placeholder(tf.float32, [None, 3, 2], name="input")
    cell = tf.nn.rnn_cell.LSTMCell(4, name="lstm")
    outputs, _ = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
    tf.identity(outputs[-1], name="output")
    return {"input:0": (2, 3, 2)}, ["output"]


def _dynamic_rnn(tf):
    x = tf.placeholder(tf.float32, [None, 3, 2], name="input")
    cell = tf.nn.rnn_cell.GRUCell(2, name="gru")
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    tf.identity(outputs[:, -1], name="output")
    return {"input:0": (2, 3, 2)}, ["output"]


def _lstm_dynamic(tf):
    """dynamic_rnn over a BasicLSTMCell with sequence_length (rows past their length are zeros,
    the state is copied through): its outputs and both parts of the final state."""
    x = tf.placeholder(tf.float32, [None, 4, 3], name="input")
    lengths = tf.placeholder_with_default([4, 2], [None], name="lengths")
    cell = tf.nn.rnn_cell.BasicLSTMCell(3, name="lstm")
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
    tf.identity(outputs, name="output")
    tf.identity(state.c, name="state_c")
    tf.identity(state.h, name="state_h")
    return {"input:0": (2, 4, 3), "lengths:0": [3, 1]}, ["output", "state_c", "state_h"]


def _while_counter(tf):
    """A plain tf.while_loop: a counter, an accumulator, a tensor updated from a captured input,
    a dynamic-size TensorArray written each step (stacked, sized and read after the loop)."""
    x = tf.placeholder(tf.float32, [None, 3], name="input")
    steps = tf.placeholder_with_default(5, [], name="steps")
    history = tf.TensorArray(tf.float32, size=0, dynamic_size=True, clear_after_read=False)

    def body(i, total, h, history):
        total += tf.cast(i, tf.float32) * 0.5
        return [i + 1, total, tf.tanh(h * 0.9 + x), history.write(i, tf.reduce_sum(h) + total)]
    count, total, h, history = tf.while_loop(
        lambda i, total, h, history: i < steps, body,
        [tf.constant(0), tf.constant(1.0), tf.zeros_like(x), history], maximum_iterations=8)
    tf.identity(count, name="count")
    tf.identity(total, name="total")
    tf.identity(h, name="output")
    tf.identity(history.stack(), name="history")
    tf.identity(history.size(), name="size")
    tf.identity(history.read(1), name="second")
    outputs = ["count", "total", "output", "history", "size", "second"]
    return {"input:0": (2, 3), "steps:0": 4}, outputs


def _while_cond(tf):
    """tf.cond inside a tf.while_loop's body (its Switch and Merge in the loop's frame), and a
    cond outside, on the loop's result."""
    x = tf.placeholder(tf.float32, [None, 3], name="input")
    flag = tf.placeholder_with_default(True, [], name="flag")

    def body(i, v):
        v = tf.cond(tf.reduce_sum(v) > 0, lambda: v * 0.5 - 1.0, lambda: tf.nn.relu(-v) + 0.25)
        return [i + 1, v]
    _, v = tf.while_loop(lambda i, v: i < 5, body, [tf.constant(0), x])
    tf.identity(tf.cond(flag, lambda: tf.reduce_sum(v, 1), lambda: tf.reduce_max(v, 1)),
                name="output")
    return {"input:0": (2, 3), "flag:0": False}, ["output"]


def _while_nested(tf):
    """A while loop inside another (a frame within a frame): refused by session_magic."""
    x = tf.placeholder(tf.float32, [3], name="input")

    def outer(i, v):
        _, inner = tf.while_loop(lambda j, w: j < 2, lambda j, w: [j + 1, w * 0.5 + 1.0],
                                 [tf.constant(0), v])
        return [i + 1, inner]
    tf.identity(tf.while_loop(lambda i, v: i < 3, outer, [tf.constant(0), x])[1],
                name="output")
    return {"input:0": (3,)}, ["output"]


def _tf1_op_types(tf):
    """Op types older TF1 graphs hold (FusedBatchNorm, BatchMatMul, Snapshot)."""
    import numpy as np
    rng = np.random.default_rng(3)
    x = tf.placeholder(tf.float32, [2, 4, 4, 3], name="input")
    scale, offset, mean = (tf.constant(rng.normal(size=3).astype(np.float32)) for _ in "abc")
    variance = tf.constant(rng.uniform(0.5, 2, 3).astype(np.float32))
    h = tf.raw_ops.FusedBatchNorm(x=x, scale=scale, offset=offset, mean=mean,
                                  variance=variance, is_training=False).y
    h = tf.reshape(h, [2, 16, 3])
    h = tf.raw_ops.BatchMatMul(x=h, y=tf.constant(rng.normal(size=(2, 3, 2)).astype(np.float32)))
    tf.identity(tf.raw_ops.Snapshot(input=h), name="output")
    return {"input:0": (2, 4, 4, 3)}, ["output"]


def _tf1_cond(tf, training: bool = False):
    """tf.cond and a batch norm switched by a `training` placeholder (TF1's Switch and Merge)."""
    x = tf.placeholder(tf.float32, [None, 4], name="input")
    is_training = tf.placeholder_with_default(False, [], name="training")
    h = tf.layers.dense(x, 5, name="dense")
    h = tf.layers.batch_normalization(h, training=is_training, name="bn")
    h = tf.cond(is_training, lambda: h * 2.0 + 1.0, lambda: tf.nn.relu(h) - 0.5)
    tf.identity(tf.cond(is_training, lambda: tf.reduce_sum(h, 1), lambda: tf.reduce_max(h, 1)),
                name="output")
    feeds = {"input:0": (3, 4)}
    return ({**feeds, "training:0": True} if training else feeds), ["output"]


# NOTE: dynamic_rnn's and tf.while_loop's frozen graphs hold TF1's while loop (Enter, Merge,
# Switch, TensorArrayV3...), imported as this project's while_loop (a cond inside one too); a
# loop nested in another is recorded for the test that its import is refused, naming what is
# missing. New models go last: a model's seed is its position
MODELS = {"mlp": _mlp, "cnn_batch_norm": _cnn, "mobilenet_block": _mobilenet_block,
          "lstm_static": _lstm, "tf1_op_types": _tf1_op_types, "tf1_cond": _tf1_cond,
          "tf1_cond_training": functools.partial(_tf1_cond, training=True),
          "gru_dynamic": _dynamic_rnn, "lstm_dynamic": _lstm_dynamic,
          "while_counter": _while_counter, "while_nested": _while_nested,
          "while_cond": _while_cond}


def record_models() -> dict:
    import numpy as np
    import tensorflow.compat.v1 as tf
    tf.disable_eager_execution()
    tf.disable_control_flow_v2()  # NOTE: TF1's while loop (Enter, Switch...), as TF1 froze it
    results = {}
    for seed, (name, build) in enumerate(MODELS.items()):
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(seed + 1)
            random.seed(seed + 1)  # NOTE: tf_keras's initializers draw their seeds from `random`
            feeds, outputs = build(tf)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                _randomize_batch_norm_statistics(tf, sess)
                frozen = tf.graph_util.convert_variables_to_constants(
                    sess, graph.as_graph_def(), outputs)
        (OUT / f"{name}.pb").write_bytes(frozen.SerializeToString(deterministic=True))
        inputs = {key: _inputs(shape, seed) if isinstance(shape, tuple) else
                  np.array(shape, graph.get_tensor_by_name(key).dtype.as_numpy_dtype)
                  for key, shape in feeds.items()}
        values = _run_in_tf(frozen, inputs, [o + ":0" for o in outputs])
        fetched = zip(outputs, values, strict=True)
        results[name] = {"inputs": {k: v.tolist() for k, v in inputs.items()},
                         "outputs": {o + ":0": v.tolist() for o, v in fetched},
                         "op_types": sorted({n.op for n in frozen.node})}
        print(f"{name}: {len(frozen.node)} nodes, {frozen.ByteSize()} bytes")
    return results


def _run_in_tf(graph_def, inputs: dict, fetches: list) -> list:
    import tensorflow.compat.v1 as tf
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=graph) as sess:
            return sess.run(fetches, inputs)


def record_ours_in_tf() -> dict:
    """A graph session_magic built and froze, parsed and run by TF itself."""
    import tensorflow.compat.v1 as tf
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(exported_model_bytes())
    inputs = {"input:0": _inputs((2, 6, 6, 3), 11)}
    values = _run_in_tf(graph_def, inputs, ["output:0", "features:0"])
    return {"inputs": {k: v.tolist() for k, v in inputs.items()},
            "outputs": {"output:0": values[0].tolist(), "features:0": values[1].tolist()},
            "nodes": [[n.name, n.op, list(n.input)] for n in graph_def.node]}


def exported_model_bytes() -> bytes:
    """A small CNN built here in session_magic with fixed weights, frozen by its own
    convert_variables_to_constants: the bytes TF is given to parse and run."""
    import numpy as np

    import session_magic as sm
    from session_magic import graph_util
    rng = np.random.default_rng(5)

    def weights(*shape):
        return rng.normal(size=shape).astype(np.float32) * 0.5

    graph = sm.Graph()
    with graph.as_default():
        x = sm.placeholder(sm.float32, [None, 6, 6, 3], name="input")
        w = sm.Variable(weights(3, 3, 3, 4), name="conv/weights")
        h = sm.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        h = sm.nn.relu6(sm.nn.bias_add(h, weights(4)))
        h = sm.nn.depthwise_conv2d(h, weights(3, 3, 4, 1), [1, 2, 2, 1], "VALID")
        h, _, _ = sm.nn.fused_batch_norm(h, weights(4) + 1, weights(4), weights(4),
                                         np.abs(weights(4)) + 0.5, is_training=False)
        h = sm.nn.max_pool(sm.nn.relu(h), [1, 2, 2, 1], [1, 1, 1, 1], "SAME")
        features = sm.identity(sm.reduce_mean(h, [1, 2]), name="features")
        logits = sm.matmul(features, sm.Variable(weights(4, 3), name="dense/kernel"),
                           transpose_b=False) - sm.constant(weights(3))
        sm.nn.softmax(logits, name="output")
        with sm.Session() as sess:
            sess.run(sm.global_variables_initializer())
            frozen = graph_util.convert_variables_to_constants(
                sess, graph.as_graph_def(), ["output", "features"])
    return frozen.SerializeToString()


def check_samples() -> None:
    """Print the op types whose sample graph, exported here, TF's own importer refuses."""
    import tensorflow.compat.v1 as tf

    import session_magic as sm
    from tests.samples import all_samples
    tf.disable_eager_execution()
    refused, accepted = {}, 0
    for sample in all_samples():
        graph = sm.Graph()
        with graph.as_default():
            try:
                sample.build(*[sm.constant(value) for value in sample.inputs])
            except Exception:  # noqa: BLE001 - samples made for other input modes
                continue
        graph_def = tf.GraphDef.FromString(graph.as_graph_def().SerializeToString())
        try:
            with tf.Graph().as_default():
                tf.import_graph_def(graph_def, name="")
            accepted += 1
        except Exception as error:  # noqa: BLE001 - TF's importer raises several kinds
            refused.setdefault(sample.op_type, str(error).splitlines()[0][:160])
    print(f"TF imported {accepted} sample graphs; refused:")
    for op_type, message in sorted(refused.items()):
        print(f"  {op_type}: {message}")


if __name__ == "__main__":
    if "--check-samples" in sys.argv:
        check_samples()
    if "--signatures" in sys.argv:
        record_signatures()
    if "--models" in sys.argv:
        OUT.mkdir(parents=True, exist_ok=True)
        recorded = {"models": record_models(), "session_magic_export": record_ours_in_tf()}
        (OUT / "outputs.json").write_text(json.dumps(recorded, indent=1) + "\n")
        print(f"wrote {OUT / 'outputs.json'}")
