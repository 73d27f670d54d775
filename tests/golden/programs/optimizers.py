"""Every optimizer for five steps on a small least-squares problem (the variables after each
step), and on sparse gradients: a loss through `tf.gather` / `tf.nn.embedding_lookup` touching a
few rows of a table, fed different rows at each step. TF applies such IndexedSlices sparsely:
rows a step does not touch stay exactly as they were, even for optimizers with momentum or
accumulators (Momentum, Adagrad, RMSProp, Adam)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..harness import Program

OPTIMIZERS: dict[str, Callable[[Any], Any]] = {
    "GradientDescent": lambda tf: tf.train.GradientDescentOptimizer(0.1),
    "Momentum": lambda tf: tf.train.MomentumOptimizer(0.1, 0.9),
    "Momentum nesterov": lambda tf: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "Adagrad": lambda tf: tf.train.AdagradOptimizer(0.3),
    "Adagrad initial accumulator 1": lambda tf: tf.train.AdagradOptimizer(
        0.3, initial_accumulator_value=1.0),
    "RMSProp": lambda tf: tf.train.RMSPropOptimizer(0.05),
    "RMSProp momentum": lambda tf: tf.train.RMSPropOptimizer(0.05, momentum=0.5),
    "RMSProp centered": lambda tf: tf.train.RMSPropOptimizer(0.05, centered=True),
    "RMSProp centered momentum": lambda tf: tf.train.RMSPropOptimizer(
        0.05, decay=0.8, momentum=0.5, epsilon=1e-6, centered=True),
    "Adam": lambda tf: tf.train.AdamOptimizer(0.1),
    "Adam betas": lambda tf: tf.train.AdamOptimizer(0.05, beta1=0.5, beta2=0.9, epsilon=1e-4),
}

_X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], np.float32)
_Y = np.array([[1.0], [2.0], [-1.0]], np.float32)


def _dense(make: Callable) -> Callable:
    def build(tf: Any) -> dict:
        w = tf.Variable([[0.5], [-0.5]], name="w")
        b = tf.Variable(0.1, name="b")
        loss = tf.reduce_mean(tf.square(tf.matmul(_X, w) + b - _Y))
        optimizer = make(tf)
        step = optimizer.minimize(loss)
        return {"step": step, "fetch": {"w": w, "b": b, "loss": loss}, "runs": 5,
                "python": {"slot names": sorted(optimizer.get_slot_names())},
                "names": {"w": w, "b": b}}
    return build


_TABLE = np.arange(12, dtype=np.float32).reshape(6, 2) / 4.0
_ROWS_PER_STEP = [[1, 3, 1], [0], [1], [5, 5], [3]]


def _sparse(make: Callable, lookup: str) -> Callable:
    def build(tf: Any) -> dict:
        table = tf.Variable(_TABLE, name="table")
        ids = tf.placeholder(tf.int32, [None], name="ids")
        rows = tf.gather(table, ids) if lookup == "gather" else \
            tf.nn.embedding_lookup(table, ids)
        loss = tf.reduce_sum(tf.square(rows - 1.0))
        step = make(tf).minimize(loss)
        return {"step": step, "fetch": table, "feeds": [{ids: r} for r in _ROWS_PER_STEP]}
    return build


def _gradient_value(tf: Any) -> dict:
    """What sess.run gives for a variable's gather gradient: an IndexedSlicesValue in TF."""
    table = tf.Variable(_TABLE, name="table")
    loss = tf.reduce_sum(tf.gather(table, [4, 1]) * 3.0)
    grads_and_vars = tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss)
    return {"fetch": [g for g, _ in grads_and_vars],
            "python": {"variables": [v.name for _, v in grads_and_vars]}}


def _var_list_dict_values(tf: Any) -> dict:
    """minimize(var_list=dict.values()): a view, not a list."""
    weights = {"a": tf.Variable(1.0, name="a"), "b": tf.Variable(2.0, name="b")}
    loss = tf.square(weights["a"] * weights["b"] - 1.0)
    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=weights.values())
    return {"step": step, "fetch": weights, "runs": 3}


def _var_list_subset(tf: Any) -> dict:
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    step = tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.square(a * b - 1.0), var_list=[b])
    return {"step": step, "fetch": [a, b], "runs": 3}


def _global_step(tf: Any) -> dict:
    w = tf.Variable(1.0, name="w")
    global_step = tf.train.get_or_create_global_step()
    rate = tf.train.exponential_decay(0.5, global_step, 2, 0.5, staircase=True)
    step = tf.train.GradientDescentOptimizer(rate).minimize(tf.square(w), global_step=global_step)
    return {"step": step, "fetch": {"w": w, "step": global_step, "rate": rate}, "runs": 5,
            "names": {"global_step": global_step}}


def _fed_learning_rate(tf: Any) -> dict:
    w = tf.Variable([1.0, -1.0], name="w")
    rate = tf.placeholder(tf.float32, [], name="rate")
    step = tf.train.AdamOptimizer(rate).minimize(tf.reduce_sum(tf.square(w)))
    return {"step": step, "fetch": w, "feeds": [{rate: 0.1}, {rate: 0.0}, {rate: 0.5}]}


def _compute_and_apply(tf: Any) -> dict:
    w = tf.Variable([1.0, 2.0], name="w")
    optimizer = tf.train.RMSPropOptimizer(0.1)
    grads_and_vars = optimizer.compute_gradients(tf.reduce_sum(w * w))
    clipped = [(tf.clip_by_value(g, -1.0, 1.0), v) for g, v in grads_and_vars]
    step = optimizer.apply_gradients(clipped)
    return {"step": step, "fetch": w, "runs": 3}


def _no_gradient_var(tf: Any) -> dict:
    used = tf.Variable(1.0, name="used")
    unused = tf.Variable(5.0, name="unused")
    step = tf.train.AdamOptimizer(0.1).minimize(used * 2.0, var_list=[used, unused])
    return {"step": step, "fetch": [used, unused], "runs": 2}


def _float64_problem(tf: Any) -> dict:
    w = tf.Variable(np.array([0.3, -0.7]), name="w")
    loss = tf.reduce_sum(tf.exp(w) - 2.0 * w)
    step = tf.train.AdagradOptimizer(0.5).minimize(loss)
    return {"step": step, "fetch": w, "runs": 5}


def programs() -> list[Program]:
    table = [Program(f"{name} dense", _dense(make)) for name, make in OPTIMIZERS.items()]
    table += [Program(f"{name} sparse gather", _sparse(make, "gather"))
              for name, make in OPTIMIZERS.items()]
    table += [Program(f"{name} sparse embedding_lookup", _sparse(make, "embedding_lookup"))
              for name, make in list(OPTIMIZERS.items())[::3]]
    table += [
        Program("gather gradient from compute_gradients", _gradient_value),
        Program("minimize var_list dict.values()", _var_list_dict_values),
        Program("minimize var_list subset", _var_list_subset),
        Program("global_step and exponential_decay", _global_step),
        Program("fed learning rate", _fed_learning_rate),
        Program("compute_gradients, clip, apply_gradients", _compute_and_apply),
        Program("variable without gradient", _no_gradient_var),
        Program("float64 Adagrad", _float64_problem),
    ]
    return table
