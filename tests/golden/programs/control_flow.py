"""cond and while_loop: values, static shapes and gradients (TF 2's control flow v2: If and While
ops with function bodies, differentiated by `tf.gradients`)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..harness import Program


def _pred_runs(tf: Any, **extra: Any) -> tuple:
    """A fed bool `p`, and feeds that run once with True and once with False."""
    p = tf.placeholder(tf.bool, [], name="p")
    return p, [{p: True, **extra}, {p: False, **extra}]


def _cond_values(tf: Any) -> dict:
    p, feeds = _pred_runs(tf)
    x = tf.constant([1.0, 2.0])
    out = tf.cond(p, lambda: x * 2.0, lambda: x - 1.0)
    return {"fetch": out, "feeds": feeds}


def _cond_structures(tf: Any) -> dict:
    p, feeds = _pred_runs(tf)
    out = tf.cond(p, lambda: {"a": tf.constant(1), "b": (tf.constant(2.0), tf.constant([3]))},
                  lambda: {"a": tf.constant(4), "b": (tf.constant(5.0), tf.constant([6]))})
    return {"fetch": out, "feeds": feeds}


def _cond_shapes(tf: Any) -> dict:
    p, feeds = _pred_runs(tf)
    out = tf.cond(p, lambda: tf.zeros([2, 3]), lambda: tf.ones([2, 1]))
    return {"fetch": out, "feeds": feeds}


def _cond_unknown_shapes(tf: Any) -> dict:
    p, feeds = _pred_runs(tf)
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    out = tf.cond(p, lambda: x, lambda: tf.reduce_sum(x, 0, keepdims=True))
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    return {"fetch": out, "feeds": [{**f, x: value} for f in feeds]}


def _cond_constant_pred(tf: Any) -> dict:
    return {"fetch": tf.cond(tf.constant(False), lambda: tf.constant(1), lambda: tf.constant(2))}


def _cond_python_values(tf: Any) -> dict:
    p, feeds = _pred_runs(tf)
    return {"fetch": tf.cond(p, lambda: 1.5, lambda: 2.5), "feeds": feeds}


def _cond_ops_only(tf: Any) -> dict:
    p, feeds = _pred_runs(tf)
    v = tf.Variable(0.0, name="v")
    step = tf.cond(p, lambda: tf.assign_add(v, 1.0), lambda: tf.assign_sub(v, 10.0))
    with tf.control_dependencies([step]):
        out = tf.identity(v)
    return {"fetch": out, "feeds": feeds}


def _nested_cond(tf: Any) -> dict:
    p, feeds = _pred_runs(tf)
    q = tf.placeholder_with_default(True, [], name="q")
    x = tf.constant(3.0)
    out = tf.cond(p, lambda: tf.cond(q, lambda: x * 2.0, lambda: x), lambda: x - 1.0)
    return {"fetch": out, "feeds": feeds}


def _cond_gradient(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.cond(x > 0.0, lambda: x * x, lambda: x * x * x)
    return {"fetch": [y, tf.gradients(y, x)[0]], "feeds": [{x: 2.0}, {x: -2.0}]}


def _cond_gradient_unused_input(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [2], name="x")
    w = tf.placeholder(tf.float32, [2], name="w")
    p, feeds = _pred_runs(tf, **{})
    y = tf.cond(p, lambda: tf.reduce_sum(x * w), lambda: tf.reduce_sum(x))
    grads = tf.gradients(y, [x, w])
    unconnected = [i for i, g in enumerate(grads) if g is None]
    fetch = [g for g in grads if g is not None]
    values = {x: [1.0, 2.0], w: [3.0, 4.0]}
    return {"fetch": fetch, "feeds": [{**f, **values} for f in feeds],
            "python": {"unconnected": unconnected}}


def _cond_gradient_of_variable(tf: Any) -> dict:
    p, feeds = _pred_runs(tf)
    v = tf.Variable([1.0, -2.0], name="v")
    y = tf.cond(p, lambda: tf.reduce_sum(tf.square(v)), lambda: tf.reduce_sum(tf.abs(v)))
    return {"fetch": tf.gradients(y, v), "feeds": feeds}


def _power_loop(tf: Any) -> dict:
    """d(x^4)/dx through a while loop at x = 1.5 is 4 * 1.5^3 = 13.5."""
    x = tf.placeholder(tf.float32, [], name="x")
    _, y = tf.while_loop(lambda i, acc: i < 4, lambda i, acc: (i + 1, acc * x),
                         [tf.constant(0), tf.constant(1.0)])
    return {"fetch": {"y": y, "dy/dx": tf.gradients(y, x)[0]}, "feeds": [{x: 1.5}, {x: -2.0}]}


def _loop_values(tf: Any) -> dict:
    i, total = tf.while_loop(lambda i, total: i < 10, lambda i, total: (i + 1, total + i),
                             [tf.constant(0), tf.constant(0)])
    return {"fetch": [i, total]}


def _loop_fed_count(tf: Any) -> dict:
    n = tf.placeholder(tf.int32, [], name="n")
    out = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * 2.0),
                        [tf.constant(0), tf.constant([1.0, 3.0])])
    return {"fetch": out, "feeds": [{n: 0}, {n: 3}]}


def _loop_maximum_iterations(tf: Any) -> dict:
    out = tf.while_loop(lambda i: i < 100, lambda i: i + 1, [tf.constant(0)],
                        maximum_iterations=7)
    return {"fetch": out}


def _loop_single_tensor(tf: Any) -> dict:
    out = tf.while_loop(lambda x: tf.reduce_sum(x) < 50.0, lambda x: x * 2.0,
                        [tf.constant([1.0, 2.0])])
    return {"fetch": out, "python": {"is a list": isinstance(out, (list, tuple))}}


def _loop_structure(tf: Any) -> dict:
    out = tf.while_loop(lambda s: s["i"] < 3,
                        lambda s: {"i": s["i"] + 1, "v": (s["v"][0] * 2.0, s["v"][1] + 1)},
                        [{"i": tf.constant(0), "v": (tf.constant(1.0), tf.constant(5))}])
    return {"fetch": out}


def _loop_shape_invariant(tf: Any) -> dict:
    i0 = tf.constant(0)
    x0 = tf.ones([1, 2])
    _, x = tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, tf.concat([x, x], 0)),
                         [i0, x0], shape_invariants=[i0.shape, tf.TensorShape([None, 2])])
    return {"fetch": x}


def _nested_loops(tf: Any) -> dict:
    def outer_body(i, total):
        inner = tf.while_loop(lambda j, t: j < i, lambda j, t: (j + 1, t + j),
                              [tf.constant(0), total])[1]
        return i + 1, inner
    out = tf.while_loop(lambda i, t: i < 4, outer_body, [tf.constant(0), tf.constant(0)])
    return {"fetch": out}


def _loop_in_cond(tf: Any) -> dict:
    p, feeds = _pred_runs(tf)
    out = tf.cond(p, lambda: tf.while_loop(lambda i: i < 5, lambda i: i + 2, [tf.constant(0)]),
                  lambda: tf.constant(-1))
    return {"fetch": out, "feeds": feeds}


def _cond_in_loop(tf: Any) -> dict:
    out = tf.while_loop(lambda i, s: i < 6,
                        lambda i, s: (i + 1, tf.cond(tf.equal(i % 2, 0), lambda: s + i,
                                                     lambda: s - 1)),
                        [tf.constant(0), tf.constant(0)])
    return {"fetch": out}


def _loop_gradient_captured(tf: Any) -> dict:
    """A loop multiplying by a captured w: d(x * w^3)/dw and d/dx."""
    x = tf.placeholder(tf.float64, [2], name="x")
    w = tf.placeholder(tf.float64, [], name="w")
    _, y = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc * w),
                         [tf.constant(0), x])
    loss = tf.reduce_sum(y * tf.constant([1.0, -2.0], tf.float64))
    return {"fetch": tf.gradients(loss, [x, w]), "feed": {x: [1.5, 2.0], w: 0.5}}


def _loop_gradient_sin(tf: Any) -> dict:
    x = tf.placeholder(tf.float64, [3], name="x")
    _, y = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, tf.sin(a) + a * 0.5),
                         [tf.constant(0), x])
    return {"fetch": [y, tf.gradients(tf.reduce_sum(y), x)[0]],
            "feed": {x: [0.1, -1.2, 2.0]}}


def _loop_gradient_fed_count(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    _, y = tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a * x),
                         [tf.constant(0), tf.constant(1.0)])
    return {"fetch": tf.gradients(y, x), "feeds": [{x: 2.0, n: 0}, {x: 2.0, n: 1},
                                                   {x: 2.0, n: 5}]}


def _loop_gradient_max_iterations(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [], name="x")
    _, y = tf.while_loop(lambda i, a: i < 100, lambda i, a: (i + 1, a * x),
                         [tf.constant(0), tf.constant(1.0)], maximum_iterations=3)
    return {"fetch": [y, tf.gradients(y, x)[0]], "feed": {x: 1.5}}


def _loop_gradient_variable(tf: Any) -> dict:
    v = tf.Variable(2.0, name="v")
    _, y = tf.while_loop(lambda i, a: i < 2, lambda i, a: (i + 1, a * v + 1.0),
                         [tf.constant(0), tf.constant(1.0)])
    return {"fetch": [y, tf.gradients(y, v)[0]]}


def _loop_no_backprop(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [], name="x")
    _, y = tf.while_loop(lambda i, a: i < 2, lambda i, a: (i + 1, a * x),
                         [tf.constant(0), x], back_prop=False)
    grads = tf.gradients(y, x)
    return {"fetch": y, "feed": {x: 3.0}, "python": {"gradient is None": grads[0] is None}}


def _nested_loop_gradient(tf: Any) -> dict:
    x = tf.placeholder(tf.float64, [], name="x")

    def outer(i, a):
        inner = tf.while_loop(lambda j, b: j < 2, lambda j, b: (j + 1, b * x),
                              [tf.constant(0), a])[1]
        return i + 1, inner
    _, y = tf.while_loop(lambda i, a: i < 2, outer, [tf.constant(0), tf.constant(1.0, tf.float64)])
    return {"fetch": [y, tf.gradients(y, x)[0]], "feed": {x: 1.5}}


def _cond_in_loop_gradient(tf: Any) -> dict:
    x = tf.placeholder(tf.float64, [], name="x")
    _, y = tf.while_loop(
        lambda i, a: i < 4,
        lambda i, a: (i + 1, tf.cond(tf.equal(i % 2, 0), lambda: a * x, lambda: a + x)),
        [tf.constant(0), tf.constant(1.0, tf.float64)])
    return {"fetch": [y, tf.gradients(y, x)[0]], "feed": {x: 1.5}}


def _loop_static_shapes(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    out = tf.while_loop(lambda i, a: i < 2, lambda i, a: (i + 1, a * 2.0), [tf.constant(0), x])
    return {"static": {"i": out[0], "a": out[1]}}


def programs() -> list[Program]:
    builds = [
        ("cond values", _cond_values), ("cond structures", _cond_structures),
        ("cond branches of different shapes", _cond_shapes),
        ("cond unknown shapes", _cond_unknown_shapes),
        ("cond constant pred", _cond_constant_pred),
        ("cond Python values", _cond_python_values),
        ("cond of variable updates", _cond_ops_only), ("nested cond", _nested_cond),
        ("cond gradient", _cond_gradient),
        ("cond gradient unused input", _cond_gradient_unused_input),
        ("cond gradient of a variable", _cond_gradient_of_variable),
        ("while x^4 gradient", _power_loop), ("while sum", _loop_values),
        ("while fed count", _loop_fed_count),
        ("while maximum_iterations", _loop_maximum_iterations),
        ("while single tensor", _loop_single_tensor), ("while structure", _loop_structure),
        ("while shape invariant", _loop_shape_invariant), ("nested while", _nested_loops),
        ("while in cond", _loop_in_cond), ("cond in while", _cond_in_loop),
        ("while gradient captured", _loop_gradient_captured),
        ("while gradient sin", _loop_gradient_sin),
        ("while gradient fed count", _loop_gradient_fed_count),
        ("while gradient maximum_iterations", _loop_gradient_max_iterations),
        ("while gradient of a variable", _loop_gradient_variable),
        ("while back_prop False", _loop_no_backprop),
        ("nested while gradient", _nested_loop_gradient),
        ("cond in while gradient", _cond_in_loop_gradient),
        ("while static shapes", _loop_static_shapes),
    ]
    return [Program(name, build) for name, build in builds]
