"""Gradients where the rules must choose: ties and kinks (relu, abs, maximum, minimum, where,
reduce_max/min with ties, clip_by_value at its bounds), the NaNs TF's rules produce (where of a
sqrt at 0, cumprod over a zero, norm at 0), broadcasting against fed shapes, unknown shapes,
unconnected and integer inputs, and gradient arguments (grad_ys, stop_gradients, lists)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..harness import Program


def _grad(values: Any, loss: Callable, dtype: str = "float32", shape: Any = "fed",
          extra: dict | None = None) -> Callable:
    """d loss(x) / dx at x = values, x a placeholder of `shape` (default: the values' shape)."""
    array = np.array(values, dtype=dtype)

    def build(tf: Any) -> dict:
        x = tf.placeholder(tf.as_dtype(dtype), array.shape if shape == "fed" else shape,
                           name="x")
        y = loss(tf, x)
        grads = tf.gradients(y, x)
        spec = {"feed": {x: array}, "python": {"gradient is None": grads[0] is None}}
        if grads[0] is not None:
            spec["fetch"] = {"y": y, "dy/dx": grads[0]}
        return spec
    return build


def _grads_of_two(x_values: Any, y_values: Any, loss: Callable,
                  dtype: str = "float32") -> Callable:
    """d loss(x, y) / dx and / dy."""
    def build(tf: Any) -> dict:
        x_array, y_array = np.array(x_values, dtype), np.array(y_values, dtype)
        x = tf.placeholder(tf.as_dtype(dtype), x_array.shape, name="x")
        y = tf.placeholder(tf.as_dtype(dtype), y_array.shape, name="y")
        grads = tf.gradients(loss(tf, x, y), [x, y])
        return {"fetch": [g if g is not None else tf.constant("None") for g in grads],
                "feed": {x: x_array, y: y_array}}
    return build


_TIES = [0.0, -1.0, 2.0, 0.0]

_ONE_INPUT = {
    "relu at 0": (_TIES, lambda tf, x: tf.nn.relu(x)),
    "relu6 at 0 and 6": ([0.0, 6.0, 3.0, 7.0], lambda tf, x: tf.nn.relu6(x)),
    "leaky_relu at 0": ([0.0, -1.0, 1.0], lambda tf, x: tf.nn.leaky_relu(x)),
    "elu at 0": ([0.0, -1.0, 1.0], lambda tf, x: tf.nn.elu(x)),
    "selu at 0": ([0.0, -1.0, 1.0], lambda tf, x: tf.nn.selu(x)),
    "abs at 0": (_TIES, lambda tf, x: tf.abs(x)),
    "sign at 0": (_TIES, lambda tf, x: tf.sign(x)),
    "maximum(x, 0) at 0": (_TIES, lambda tf, x: tf.maximum(x, 0.0)),
    "minimum(x, 0) at 0": (_TIES, lambda tf, x: tf.minimum(x, 0.0)),
    "maximum(x, x)": ([1.0, -2.0], lambda tf, x: tf.maximum(x, x)),
    "where(x > 0, x, -x) at 0": (_TIES, lambda tf, x: tf.where(x > 0.0, x, -x)),
    "where(x > 0, sqrt(x), 0) at 0": ([0.0, 1.0, 4.0],
                                      lambda tf, x: tf.where(x > 0.0, tf.sqrt(x), 0)),
    "where(x > 0, sqrt(x), zeros) at 0": ([0.0, 1.0, 4.0], lambda tf, x: tf.where(
        x > 0.0, tf.sqrt(x), tf.zeros_like(x))),
    "where_v2(x > 0, sqrt(x), 0) at 0": ([0.0, 1.0, 4.0], lambda tf, x: tf.where_v2(
        x > 0.0, tf.sqrt(x), 0.0)),
    "sqrt at 0": ([0.0, 4.0], lambda tf, x: tf.sqrt(x)),
    "rsqrt at 0": ([0.0, 4.0], lambda tf, x: tf.rsqrt(x)),
    "log at 0": ([0.0, 2.0], lambda tf, x: tf.log(x)),
    "pow(x, 2) at 0": ([0.0, -3.0], lambda tf, x: tf.pow(x, 2.0)),
    "pow(x, 0.5) at 0": ([0.0, 4.0], lambda tf, x: tf.pow(x, 0.5)),
    "pow(2, x)": ([0.0, -1.0], lambda tf, x: tf.pow(2.0, x)),
    "pow(0, x)": ([0.0, 1.0, 2.0], lambda tf, x: tf.pow(tf.zeros_like(x), x)),
    "norm at 0": ([0.0, 0.0], lambda tf, x: tf.norm(x)),
    "l2_normalize at 0": ([0.0, 0.0], lambda tf, x: tf.reduce_sum(tf.nn.l2_normalize(x, 0))),
    "cumprod over a zero": ([2.0, 0.0, 3.0, 4.0], lambda tf, x: tf.reduce_sum(tf.cumprod(x))),
    "cumprod over two zeros": ([0.0, 2.0, 0.0], lambda tf, x: tf.reduce_sum(tf.cumprod(x))),
    "cumprod exclusive reverse": ([2.0, 0.0, 3.0], lambda tf, x: tf.reduce_sum(
        tf.cumprod(x, exclusive=True, reverse=True))),
    "reduce_prod over a zero": ([[2.0, 0.0, 3.0], [1.0, 2.0, 3.0]],
                                lambda tf, x: tf.reduce_sum(tf.reduce_prod(x, 1))),
    "reduce_prod over two zeros": ([0.0, 2.0, 0.0], lambda tf, x: tf.reduce_prod(x)),
    "reduce_max with ties": ([1.0, 3.0, 3.0, 2.0], lambda tf, x: tf.reduce_max(x)),
    "reduce_min with ties": ([1.0, 3.0, 1.0, 1.0], lambda tf, x: tf.reduce_min(x)),
    "reduce_max with ties axis 1": ([[1.0, 1.0], [2.0, 0.0]],
                                    lambda tf, x: tf.reduce_sum(tf.reduce_max(x, 1) * [1.0, 3.0])),
    "reduce_max keepdims ties": ([[5.0, 5.0, 5.0]], lambda tf, x: tf.reduce_sum(
        tf.reduce_max(x, 1, keepdims=True))),
    "reduce_max with nan": ([1.0, np.nan, 3.0], lambda tf, x: tf.reduce_max(x)),
    "reduce_logsumexp of -inf": ([-np.inf, -np.inf], lambda tf, x: tf.reduce_logsumexp(x)),
    "argmax gradient": ([1.0, 2.0], lambda tf, x: tf.cast(tf.argmax(x), tf.float32)),
    "clip_by_value at bounds": ([-1.0, 0.0, 0.5, 1.0, 2.0],
                                lambda tf, x: tf.clip_by_value(x, 0.0, 1.0)),
    "sigmoid_cross_entropy at logits 0": ([0.0, 0.0, 1.0, -1.0], lambda tf, x: (
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[0.0, 1.0, 0.5, 1.0], logits=x))),
    "softplus extremes": ([-100.0, 0.0, 100.0], lambda tf, x: tf.nn.softplus(x)),
    "softmax one-hot": ([[0.0, 0.0, 0.0]], lambda tf, x: tf.reduce_sum(
        tf.nn.softmax(x) * [1.0, 2.0, 3.0])),
    "log_softmax extremes": ([[1000.0, 0.0]], lambda tf, x: tf.reduce_sum(
        tf.nn.log_softmax(x) * [1.0, 2.0])),
    "sparse xent logits": ([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], lambda tf, x: tf.reduce_sum(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2, 0], logits=x))),
    "div_no_nan by 0": ([0.0, 2.0], lambda tf, x: tf.div_no_nan(1.0, x)),
    "atan2 at (0, 0)": ([0.0, 1.0], lambda tf, x: tf.atan2(x, tf.zeros_like(x))),
    "floor and round": ([0.5, 1.5], lambda tf, x: tf.floor(x) + tf.round(x)),
    "floordiv and mod": ([5.0, -3.5], lambda tf, x: x // 2.0 + x % 2.0),
    "stop_gradient": ([1.0, 2.0], lambda tf, x: x * tf.stop_gradient(x)),
    "identity of an int cast": ([1.5, 2.5], lambda tf, x: tf.cast(tf.cast(x, tf.int32),
                                                                   tf.float32)),
    "cast to float64 and back": ([1.5], lambda tf, x: tf.cast(tf.cast(x, tf.float64) ** 2,
                                                               tf.float32)),
    "gather with repeated indices": ([1.0, 2.0, 3.0], lambda tf, x: tf.reduce_sum(
        tf.gather(x, [0, 0, 2]) * [1.0, 2.0, 3.0])),
    "concat and split": ([1.0, 2.0, 3.0, 4.0], lambda tf, x: tf.reduce_sum(
        tf.split(tf.concat([x, x], 0), 4)[1] * 3.0)),
    "tile": ([1.0, 2.0], lambda tf, x: tf.reduce_sum(tf.tile(x, [3]) * tf.range(6.0))),
    "x * x aggregated": ([3.0], lambda tf, x: x * x + x),
    "square of unknown shape": ([[1.0, 2.0]], lambda tf, x: tf.reduce_sum(tf.square(x))),
}

_UNKNOWN = {  # placeholder shapes other than the fed values'
    "reduce_min over [3, None]": ([[1.0, 2.0], [0.0, 0.0], [3.0, 3.0]],
                                  lambda tf, x: tf.reduce_sum(tf.reduce_min(x, 1)), [3, None]),
    "reduce_max over unknown rank": ([[1.0, 4.0], [4.0, 2.0]],
                                     lambda tf, x: tf.reduce_max(x), None),
    "reduce_mean over [None, 2]": ([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
                                   lambda tf, x: tf.reduce_mean(x), [None, 2]),
    "reduce_mean axis 0 over unknown rank": ([[1.0, 2.0], [3.0, 4.0]],
                                             lambda tf, x: tf.reduce_sum(
                                                 tf.reduce_mean(x, 0) * [1.0, 2.0]), None),
    "softmax over [None, None]": ([[1.0, 2.0, 3.0]], lambda tf, x: tf.reduce_sum(
        tf.nn.softmax(x) * [1.0, 0.0, 0.0]), [None, None]),
    "x + b broadcast over [None, 3]": ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], lambda tf, x: (
        tf.reduce_sum((x + tf.constant([1.0, 2.0, 3.0])) ** 2)), [None, 3]),
    "reshape of unknown rank": ([[1.0, 2.0], [3.0, 4.0]], lambda tf, x: tf.reduce_sum(
        tf.reshape(x, [-1]) * [1.0, 2.0, 3.0, 4.0]), None),
    "transpose of unknown rank": ([[1.0, 2.0], [3.0, 4.0]], lambda tf, x: tf.reduce_sum(
        tf.transpose(x) * [[1.0, 2.0], [3.0, 4.0]]), None),
    "gather of [None, 2]": ([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], lambda tf, x: tf.reduce_sum(
        tf.gather(x, [2, 0])), [None, 2]),
    "matmul of [None, 2]": ([[1.0, 2.0], [3.0, 4.0]], lambda tf, x: tf.reduce_sum(
        tf.matmul(x, [[1.0], [2.0]])), [None, 2]),
}


def _broadcast_through_variable(tf: Any) -> dict:
    """Y = placeholder([None, 1]); W = Variable(2.0); h = Y * W;
    d reduce_sum(Y * h + h) / dW = sum(Y^2 + Y)."""
    y = tf.placeholder(tf.float32, [None, 1], name="Y")
    w = tf.Variable(2.0, name="W")
    h = y * w
    grads = tf.gradients(tf.reduce_sum(y * h + h), [w])
    return {"fetch": grads, "feeds": [{y: [[1.0], [2.0], [3.0]]}, {y: np.zeros((0, 1))}]}


def _unshaped_placeholder(tf: Any) -> dict:
    """gradients(reduce_sum(c * p), [c, p]) with p of unknown shape, fed a scalar and a row."""
    c = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="c")
    p = tf.placeholder(tf.float32, name="p")
    grads = tf.gradients(tf.reduce_sum(c * p), [c, p])
    return {"fetch": grads, "feeds": [{p: 3.0}, {p: [1.0, -1.0]}, {p: [[2.0], [5.0]]}],
            "static": {"dc": grads[0], "dp": grads[1]}}


def _broadcast_both_ways(tf: Any) -> dict:
    a = tf.placeholder(tf.float32, [None, 1], name="a")
    b = tf.placeholder(tf.float32, [1, None], name="b")
    grads = tf.gradients(tf.reduce_sum((a - b) ** 2), [a, b])
    return {"fetch": grads, "feed": {a: [[1.0], [2.0]], b: [[0.0, 1.0, 3.0]]}}


def _unconnected(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [2], name="x")
    z = tf.placeholder(tf.float32, [2], name="z")
    i = tf.placeholder(tf.int32, [2], name="i")
    y = tf.reduce_sum(x * 2.0) + tf.cast(tf.reduce_sum(i), tf.float32)
    grads = tf.gradients(y, [x, z, i])
    zero = tf.gradients(y, [x, z], unconnected_gradients="zero")
    return {"fetch": [grads[0], zero[1]], "feed": {x: [1.0, 2.0], z: [0.0, 0.0], i: [1, 2]},
            "python": {"None at": [k for k, g in enumerate(grads) if g is None]}}


def _grad_ys(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [3], name="x")
    y = x * x
    return {"fetch": tf.gradients(y, x, grad_ys=tf.constant([1.0, 10.0, 100.0])),
            "feed": {x: [1.0, 2.0, 3.0]}}


def _several_ys(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [2], name="x")
    return {"fetch": tf.gradients([x * 2.0, tf.reduce_sum(x * x)], x), "feed": {x: [1.0, 3.0]}}


def _stop_gradients(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [], name="x")
    a = x * 2.0
    b = a * a + x
    grads = tf.gradients(b, [x, a], stop_gradients=[a])
    return {"fetch": [g for g in grads if g is not None], "feed": {x: 3.0},
            "python": {"None at": [k for k, g in enumerate(grads) if g is None]}}


def _int_input(tf: Any) -> dict:
    i = tf.placeholder(tf.int32, [2], name="i")
    grads = tf.gradients(tf.cast(i, tf.float32) * 2.0, i)
    return {"python": {"gradient is None": grads[0] is None}}


def _gather_slices(tf: Any) -> dict:
    """The gradient of a gather: TF's sess.run gives an IndexedSlicesValue."""
    params = tf.placeholder(tf.float32, [4, 2], name="params")
    loss = tf.reduce_sum(tf.gather(params, [3, 1, 3]) * [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    return {"fetch": tf.gradients(loss, params)[0],
            "feed": {params: np.arange(8, dtype=np.float32).reshape(4, 2)}}


def _embedding_slices(tf: Any) -> dict:
    table = tf.Variable(np.arange(10, dtype=np.float32).reshape(5, 2), name="table")
    loss = tf.reduce_sum(tf.nn.embedding_lookup(table, [[0, 4], [4, 4]]))
    return {"fetch": tf.gradients(loss, table)}


def _gather_slices_added(tf: Any) -> dict:
    """A gather's gradient added to a dense one: TF sums them into a dense tensor."""
    params = tf.placeholder(tf.float32, [3, 2], name="params")
    loss = tf.reduce_sum(tf.gather(params, [2])) + tf.reduce_sum(params * params)
    return {"fetch": tf.gradients(loss, params)[0], "feed": {params: np.ones((3, 2))}}


def _two_gathers(tf: Any) -> dict:
    params = tf.placeholder(tf.float32, [3, 2], name="params")
    loss = tf.reduce_sum(tf.gather(params, [2])) + tf.reduce_sum(tf.gather(params, [0, 2]))
    return {"fetch": tf.gradients(loss, params)[0], "feed": {params: np.ones((3, 2))}}


def _hessian(tf: Any) -> dict:
    x = tf.placeholder(tf.float64, [2], name="x")
    y = tf.reduce_sum(x ** 3) + x[0] * x[1]
    return {"fetch": tf.hessians(y, x), "feed": {x: [1.0, 2.0]}}


def _second_order(tf: Any) -> dict:
    x = tf.placeholder(tf.float64, [], name="x")
    y = tf.sin(x) * x
    dy = tf.gradients(y, x)[0]
    return {"fetch": [dy, tf.gradients(dy, x)[0]], "feed": {x: 0.7}}


def programs() -> list[Program]:
    table = [Program(name, _grad(values, loss)) for name, (values, loss) in _ONE_INPUT.items()]
    table += [Program(name, _grad(values, loss, shape=shape))
              for name, (values, loss, shape) in _UNKNOWN.items()]
    table += [
        Program("maximum ties x and y", _grads_of_two(
            [1.0, 2.0, 3.0], [1.0, 0.0, 3.0], lambda tf, x, y: tf.maximum(x, y))),
        Program("minimum ties x and y", _grads_of_two(
            [1.0, 2.0, 3.0], [1.0, 0.0, 3.0], lambda tf, x, y: tf.minimum(x, y))),
        Program("maximum broadcast ties", _grads_of_two(
            [[1.0, 2.0], [2.0, 0.0]], [2.0], lambda tf, x, y: tf.maximum(x, y))),
        Program("squared_difference broadcast", _grads_of_two(
            [[1.0, 2.0], [2.0, 0.0]], [0.5, -1.0],
            lambda tf, x, y: tf.squared_difference(x, y))),
        Program("where picks x or y", _grads_of_two(
            [1.0, -2.0], [3.0, 4.0], lambda tf, x, y: tf.where(x > 0.0, x * y, y))),
        Program("sigmoid_cross_entropy labels and logits", _grads_of_two(
            [0.0, 0.0, 2.0], [0.0, 1.0, 0.3],
            lambda tf, x, y: tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x))),
        Program("softmax_cross_entropy_v2 labels and logits", _grads_of_two(
            [[1.0, 2.0, 0.0]], [[0.2, 0.3, 0.5]],
            lambda tf, x, y: tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x))),
        Program("softmax_cross_entropy v1 stops labels", _grads_of_two(
            [[1.0, 2.0, 0.0]], [[0.2, 0.3, 0.5]],
            lambda tf, x, y: tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x))),
        Program("pow both at 0", _grads_of_two([0.0, 2.0], [0.0, 0.0],
                                               lambda tf, x, y: tf.pow(x, y))),
        Program("atan2 both at 0", _grads_of_two([0.0], [0.0], lambda tf, x, y: tf.atan2(x, y))),
        Program("div_no_nan both", _grads_of_two([1.0, 2.0], [0.0, 4.0],
                                                 lambda tf, x, y: tf.div_no_nan(x, y))),
        Program("matmul broadcast batch", _grads_of_two(
            np.arange(12).reshape(2, 2, 3).tolist(), np.arange(6).reshape(3, 2).tolist(),
            lambda tf, x, y: tf.matmul(x, y))),
        Program("broadcast through a variable, fed batch", _broadcast_through_variable),
        Program("unshaped placeholder c * p", _unshaped_placeholder),
        Program("broadcast [None,1] against [1,None]", _broadcast_both_ways),
        Program("unconnected and int inputs", _unconnected),
        Program("grad_ys", _grad_ys),
        Program("several ys", _several_ys),
        Program("stop_gradients argument", _stop_gradients),
        Program("int input", _int_input),
        Program("gather gradient is IndexedSlices", _gather_slices),
        Program("embedding_lookup gradient", _embedding_slices),
        Program("gather gradient plus dense", _gather_slices_added),
        Program("two gathers", _two_gathers),
        Program("hessians", _hessian),
        Program("second order", _second_order),
    ]
    return table
