"""Dynamic shapes: reshapes computed from `tf.shape`, empty batches, broadcasting of unknown
against known dims, static shapes through ops fed at run time, and the cross-entropy losses with
labels and logits of partly known shapes."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..harness import Program


def _empty_batch_reshape(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 2, 3], name="x")
    flat = tf.reshape(x, [tf.shape(x)[0], -1])
    return {"fetch": flat, "feeds": [{x: np.zeros((0, 2, 3))}, {x: np.ones((2, 2, 3))}]}


def _empty_batch_reshape_2d(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 6], name="x")
    return {"fetch": tf.reshape(x, [tf.shape(x)[0], -1]),
            "feeds": [{x: np.zeros((0, 6))}, {x: np.ones((1, 6))}]}


def _reshape_minus_one_of_empty(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 6], name="x")
    return {"fetch": tf.reshape(x, [-1, 3]), "feeds": [{x: np.zeros((0, 6))}]}


def _reshape_unknown_rank(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, name="x")
    return {"static": {"[-1]": tf.reshape(x, [-1]), "[2, -1]": tf.reshape(x, [2, -1]),
                       "shape of x": tf.reshape(x, tf.shape(x)),
                       "[shape[0], 3]": tf.reshape(x, [tf.shape(x)[0], 3])}}


def _reshape_static(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 3, 4], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    return {"static": {"[-1]": tf.reshape(x, [-1]), "[-1, 12]": tf.reshape(x, [-1, 12]),
                       "[-1, 5]": tf.reshape(x, [-1, 6]),
                       "[n, -1]": tf.reshape(x, [n, -1]),
                       "[shape[0], 12]": tf.reshape(x, [tf.shape(x)[0], 12]),
                       "[shape[0] * 3, 4]": tf.reshape(x, [tf.shape(x)[0] * 3, 4]),
                       "stack shape": tf.reshape(x, tf.stack([tf.shape(x)[0], 12])),
                       "shape tensor": tf.reshape(x, tf.shape(x))}}


def _broadcast_unknown_and_zero(tf: Any) -> dict:
    a = tf.placeholder(tf.float32, [None], name="a")
    b = tf.placeholder(tf.float32, [0], name="b")
    return {"fetch": a + b, "feeds": [{a: [1.0], b: []}, {a: [], b: []}, {a: [1.0, 2.0], b: []}]}


def _shape_ops_static(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, name="y")
    return {"static": {
        "zeros(shape(x))": tf.zeros(tf.shape(x)),
        "ones_like(x)": tf.ones_like(x),
        "fill": tf.fill(tf.shape(x), 2.0),
        "tile": tf.tile(x, [2, 1]),
        "tile fed": tf.tile(x, tf.stack([tf.shape(x)[0], 1])),
        "concat axis 0": tf.concat([x, x], 0),
        "concat axis 1": tf.concat([x, x], 1),
        "concat with unknown rank": tf.concat([x, y], 0),
        "stack": tf.stack([x, x], 1),
        "expand_dims": tf.expand_dims(x, -1),
        "squeeze": tf.squeeze(tf.expand_dims(x, 1), [1]),
        "transpose": tf.transpose(x),
        "matmul": tf.matmul(x, tf.ones([3, 4])),
        "range of a dim": tf.range(tf.shape(x)[0]),
        "slice to dim - 1": x[:, :tf.shape(x)[1] - 1],
        "strided x[1:]": x[1:],
        "strided x[:, 1]": x[:, 1],
        "gather": tf.gather(x, [0, 0, 1]),
        "gather of unknown": tf.gather(y, [0, 1]),
        "reduce_sum keepdims": tf.reduce_sum(x, 1, keepdims=True),
        "reduce_sum unknown rank": tf.reduce_sum(y, 0),
        "reduce_sum unknown rank all": tf.reduce_sum(y),
        "boolean_mask": tf.boolean_mask(x, x[:, 0] > 0.0),
        "where": tf.where(x > 0.0),
        "split": tf.split(x, 3, 1)[0],
        "pad": tf.pad(x, [[1, 1], [0, 2]]),
        "one_hot of unknown": tf.one_hot(tf.cast(y, tf.int32), 4),
        "broadcast_to": tf.broadcast_to(tf.reshape(x, [-1, 1, 3]), [2, tf.shape(x)[0], 3]),
        "shape": tf.shape(x),
        "shape of unknown rank": tf.shape(y),
        "size": tf.size(x),
        "argmax": tf.argmax(x, 1),
        "softmax": tf.nn.softmax(x),
        "cumsum": tf.cumsum(x, 1),
        "placeholder_with_default": tf.placeholder_with_default(tf.zeros([2, 3]), [None, 3]),
        "cond": tf.cond(tf.constant(True), lambda: x, lambda: tf.zeros([5, 3])),
    }}


def _shape_values(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    return {"fetch": [tf.shape(x), tf.size(x), tf.zeros(tf.shape(x)), tf.range(tf.shape(x)[0]),
                      tf.reduce_mean(x), tf.reduce_max(x, 0)],
            "feeds": [{x: np.zeros((0, 3))}, {x: np.ones((2, 3))}]}


def _unstack_unknown(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    return {"fetch": tf.unstack(x), "feed": {x: np.ones((2, 3))}}


def _split_unknown(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    parts = tf.split(x, 2, 0)
    return {"fetch": parts, "feed": {x: np.arange(8, dtype=np.float32).reshape(2, 4)}}


def _set_shape(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, None], name="x")
    x.set_shape([None, 3])
    before = x.shape.as_list()
    y = tf.placeholder(tf.float32, name="y")
    y.set_shape([2, None])
    return {"python": {"x": before, "y": y.shape.as_list()}, "static": {"x + y": x + y}}


def _set_shape_conflict(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    x.set_shape([3, 3])
    return {}


def _xent_labels_rank_3(v2: bool) -> Any:
    def build(tf: Any) -> dict:
        labels = tf.placeholder(tf.float32, [1, None, 7], name="labels")
        logits = tf.placeholder(tf.float32, [None, 7], name="logits")
        xent = tf.nn.softmax_cross_entropy_with_logits_v2 if v2 else \
            tf.nn.softmax_cross_entropy_with_logits
        loss = xent(labels=labels, logits=logits)
        feed = {labels: np.full((1, 2, 7), 1 / 7, np.float32),
                logits: np.arange(14, dtype=np.float32).reshape(2, 7)}
        return {"fetch": loss, "feed": feed}
    return build


def _xent_dynamic(tf: Any) -> dict:
    labels = tf.placeholder(tf.float32, [None, None], name="labels")
    logits = tf.placeholder(tf.float32, [None, 3], name="logits")
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.placeholder(tf.int32, [None], name="ids"), logits=logits)
    value = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], np.float32)
    return {"fetch": [loss, sparse],
            "feed": {labels: np.eye(3, dtype=np.float32)[[2, 0]], logits: value, "ids:0": [2, 0]}}


def _xent_unknown_rank(tf: Any) -> dict:
    labels = tf.placeholder(tf.float32, name="labels")
    logits = tf.placeholder(tf.float32, name="logits")
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    value = np.ones((2, 2, 3), np.float32)
    return {"fetch": loss, "feed": {labels: value / 3.0, logits: value}}


def _sparse_xent_rank_3(tf: Any) -> dict:
    logits = tf.placeholder(tf.float32, [None, None, 4], name="logits")
    labels = tf.placeholder(tf.int64, [None, None], name="labels")
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return {"fetch": loss, "feed": {logits: np.arange(16, dtype=np.float32).reshape(2, 2, 4),
                                    labels: [[0, 3], [1, 2]]}}


def _sigmoid_xent_broadcast(tf: Any) -> dict:
    logits = tf.placeholder(tf.float32, [None, 3], name="logits")
    labels = tf.placeholder(tf.float32, [None, 3], name="labels")
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return {"fetch": loss, "feed": {logits: [[0.0, 1.0, -1.0]], labels: [[1.0, 0.0, 0.5]]}}


def _matmul_unknown(tf: Any) -> dict:
    a = tf.placeholder(tf.float32, name="a")
    b = tf.placeholder(tf.float32, [None, None], name="b")
    product = tf.matmul(a, b)
    return {"fetch": product, "feed": {a: np.ones((2, 3)), b: np.ones((3, 2))},
            "ops": True}


def _feeding_shapes(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    return {"fetch": tf.reduce_sum(x, 0), "feeds": [{x: [[1.0, 2.0]]}, {x: np.zeros((3, 2))},
                                                    {x: [1.0, 2.0]}]}


def _fed_intermediate(tf: Any) -> dict:
    """Feeding a tensor that is not a placeholder, with another shape than it would have."""
    x = tf.constant([[1.0, 2.0, 3.0]])
    y = x * 2.0
    z = tf.reduce_sum(y)
    return {"fetch": z, "feeds": [{}, {y: np.full((1, 3), 5.0)}, {y: [[1.0]]}]}


def programs() -> list[Program]:
    builds = [
        ("reshape [shape[0], -1] of empty batch (0, 2, 3)", _empty_batch_reshape),
        ("reshape [shape[0], -1] of empty batch (0, 6)", _empty_batch_reshape_2d),
        ("reshape [-1, 3] of empty batch", _reshape_minus_one_of_empty),
        ("reshape static shapes", _reshape_static),
        ("reshape of unknown rank", _reshape_unknown_rank),
        ("broadcast [None] with [0]", _broadcast_unknown_and_zero),
        ("static shapes through ops", _shape_ops_static),
        ("shape values of empty and full batches", _shape_values),
        ("unstack of unknown dim", _unstack_unknown),
        ("split of unknown dim", _split_unknown),
        ("set_shape", _set_shape),
        ("set_shape conflict", _set_shape_conflict),
        ("softmax_cross_entropy labels [1,?,7] logits [?,7]", _xent_labels_rank_3(False)),
        ("softmax_cross_entropy_v2 labels [1,?,7] logits [?,7]", _xent_labels_rank_3(True)),
        ("softmax_cross_entropy_v2 dynamic", _xent_dynamic),
        ("softmax_cross_entropy_v2 unknown rank", _xent_unknown_rank),
        ("sparse_softmax_cross_entropy rank 3", _sparse_xent_rank_3),
        ("sigmoid_cross_entropy dynamic", _sigmoid_xent_broadcast),
        ("matmul of unknown rank", _matmul_unknown),
        ("feeding other shapes", _feeding_shapes),
        ("feeding an intermediate", _fed_intermediate),
    ]
    return [Program(name, build) for name, build in builds]
