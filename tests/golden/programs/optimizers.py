"""Every optimizer for five steps on a small least-squares problem (the variables after each
step, the slot variables' names), and on sparse gradients: a loss through `tf.gather` /
`tf.nn.embedding_lookup` touching a few rows of a table, fed different rows at each step. TF
applies such IndexedSlices sparsely: rows a step does not touch stay exactly as they were, even
for optimizers with momentum or accumulators (Momentum, Adagrad, RMSProp, Adam, Ftrl...).
Then the learning-rate schedules over several global steps, and ExponentialMovingAverage."""
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
    "Adadelta": lambda tf: tf.train.AdadeltaOptimizer(1.0),
    "Adadelta rho epsilon": lambda tf: tf.train.AdadeltaOptimizer(0.5, rho=0.8, epsilon=1e-4),
    "Ftrl": lambda tf: tf.train.FtrlOptimizer(0.3),
    "Ftrl l1 l2": lambda tf: tf.train.FtrlOptimizer(
        0.3, l1_regularization_strength=0.05, l2_regularization_strength=0.1),
    "Ftrl power -1 accumulator 0.5": lambda tf: tf.train.FtrlOptimizer(
        0.3, learning_rate_power=-1.0, initial_accumulator_value=0.5,
        l1_regularization_strength=0.01),
    "Ftrl l2 shrinkage": lambda tf: tf.train.FtrlOptimizer(
        0.3, l1_regularization_strength=0.01, l2_regularization_strength=0.1,
        l2_shrinkage_regularization_strength=0.2),
    "Ftrl slot names beta": lambda tf: tf.train.FtrlOptimizer(
        0.3, accum_name="acc", linear_name="lin", beta=0.5),
    "ProximalGradientDescent": lambda tf: tf.train.ProximalGradientDescentOptimizer(0.1),
    "ProximalGradientDescent l1 l2": lambda tf: tf.train.ProximalGradientDescentOptimizer(
        0.1, l1_regularization_strength=0.3, l2_regularization_strength=0.2),
    "ProximalAdagrad": lambda tf: tf.train.ProximalAdagradOptimizer(0.3),
    "ProximalAdagrad l1 l2": lambda tf: tf.train.ProximalAdagradOptimizer(
        0.3, initial_accumulator_value=0.5, l1_regularization_strength=0.2,
        l2_regularization_strength=0.1),
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
                "python": {"slot names": sorted(optimizer.get_slot_names()),
                           "variables": [v.name for v in optimizer.variables()],
                           "slots of w": {n: optimizer.get_slot(w, n).name
                                          for n in optimizer.get_slot_names()}},
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


# --- learning-rate schedules and moving averages ----------------------------------------------

SCHEDULES: dict[str, Callable[[Any, Any], Any]] = {
    "exponential_decay": lambda tf, s: tf.train.exponential_decay(0.5, s, 3, 0.5),
    "exponential_decay staircase": lambda tf, s: tf.train.exponential_decay(
        0.5, s, 3, 0.5, staircase=True),
    "piecewise_constant": lambda tf, s: tf.train.piecewise_constant(s, [2, 4], [1.0, 0.5, 0.1]),
    "polynomial_decay": lambda tf, s: tf.train.polynomial_decay(0.5, s, 4),
    "polynomial_decay power end cycle": lambda tf, s: tf.train.polynomial_decay(
        0.5, s, 3, end_learning_rate=0.01, power=2.0, cycle=True),
    "natural_exp_decay": lambda tf, s: tf.train.natural_exp_decay(0.5, s, 3, 0.5),
    "natural_exp_decay staircase": lambda tf, s: tf.train.natural_exp_decay(
        0.5, s, 2, 0.5, staircase=True),
    "inverse_time_decay": lambda tf, s: tf.train.inverse_time_decay(0.5, s, 3, 0.5),
    "inverse_time_decay staircase": lambda tf, s: tf.train.inverse_time_decay(
        0.5, s, 2, 0.5, staircase=True),
    "cosine_decay": lambda tf, s: tf.train.cosine_decay(0.5, s, 5),
    "cosine_decay alpha": lambda tf, s: tf.train.cosine_decay(0.5, s, 5, alpha=0.1),
    "cosine_decay_restarts": lambda tf, s: tf.train.cosine_decay_restarts(0.5, s, 2),
    "cosine_decay_restarts t_mul 1 m_mul": lambda tf, s: tf.train.cosine_decay_restarts(
        0.5, s, 2, t_mul=1.0, m_mul=0.5, alpha=0.1),
    "linear_cosine_decay": lambda tf, s: tf.train.linear_cosine_decay(0.5, s, 6),
    "linear_cosine_decay periods alpha beta": lambda tf, s: tf.train.linear_cosine_decay(
        0.5, s, 6, num_periods=2.0, alpha=0.1, beta=0.01),
}


def _schedule(make: Callable) -> Callable:
    """The rate at global steps 0..7 (the step advanced after each run)."""
    def build(tf: Any) -> dict:
        global_step = tf.train.get_or_create_global_step()
        rate = make(tf, global_step)
        with tf.control_dependencies([rate]):
            advance = tf.assign_add(global_step, 1)
        return {"fetch": [rate, advance], "runs": 8, "static": {"rate": rate}}
    return build


def _moving_average(tf: Any) -> dict:
    w = tf.Variable([1.0, -2.0], name="W")
    b = tf.Variable(0.5, name="b")
    other = tf.Variable(7.0, name="other", trainable=False)
    global_step = tf.train.get_or_create_global_step()
    ema = tf.train.ExponentialMovingAverage(0.9, num_updates=global_step)
    with tf.control_dependencies([tf.assign_add(w, [1.0, 0.5]), tf.assign_sub(b, 0.25)]):
        moved = tf.group(tf.assign_add(global_step, 1))
    with tf.control_dependencies([moved]):
        update = ema.apply([w, b])
    return {"step": update, "fetch": [ema.average(w), ema.average(b), w], "runs": 4,
            "names": {"average W": ema.average(w), "average b": ema.average(b)},
            "python": {"average_name": ema.average_name(w), "op": update.name,
                       "restore": sorted(ema.variables_to_restore()),
                       "collection": [v.name for v in
                                      tf.get_collection(tf.GraphKeys.MOVING_AVERAGE_VARIABLES)],
                       "unaveraged": ema.average(other) is None}}


def _moving_average_of_tensor(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [2], name="x")
    ema = tf.train.ExponentialMovingAverage(0.5, zero_debias=True, name="avg")
    update = ema.apply([x])
    return {"step": update, "fetch": ema.average(x),
            "feeds": [{x: [1.0, 2.0]}, {x: [3.0, 2.0]}, {x: [-1.0, 0.0]}],
            "python": {"variables": sorted(v.name for v in tf.global_variables())}}


def _trainable_moving_average(tf: Any) -> dict:
    """apply() of every trainable variable, then training under the averages' control deps."""
    w = tf.Variable([0.5, -0.5], name="w")
    loss = tf.reduce_sum(tf.square(w - [1.0, 2.0]))
    step = tf.train.MomentumOptimizer(0.1, 0.5).minimize(loss)
    ema = tf.train.ExponentialMovingAverage(0.7)
    with tf.control_dependencies([step]):
        train = ema.apply()
    return {"step": train, "fetch": [w, ema.average(w)], "runs": 4}


def _minimize_options(tf: Any) -> dict:
    """minimize with TF 1's optional arguments, and a callable learning rate."""
    w = tf.Variable([1.0, -1.0], name="w")
    global_step = tf.train.get_or_create_global_step()
    optimizer = tf.train.RMSPropOptimizer(lambda: 0.1, momentum=0.5)
    step = optimizer.minimize(tf.reduce_sum(tf.square(w)), global_step=global_step,
                              var_list=[w], gate_gradients=optimizer.GATE_GRAPH,
                              aggregation_method=0,
                              colocate_gradients_with_ops=True, name="train")
    return {"step": step, "fetch": [w, global_step], "runs": 3,
            "python": {"op": step.name, "slots": sorted(optimizer.get_slot_names())}}


def programs() -> list[Program]:
    table = [Program(f"{name} dense", _dense(make)) for name, make in OPTIMIZERS.items()]
    table += [Program(f"{name} sparse gather", _sparse(make, "gather"))
              for name, make in OPTIMIZERS.items()]
    table += [Program(f"{name} sparse embedding_lookup", _sparse(make, "embedding_lookup"))
              for name, make in list(OPTIMIZERS.items())[::3]]
    table += [Program(f"schedule {name}", _schedule(make)) for name, make in SCHEDULES.items()]
    table += [
        Program("ExponentialMovingAverage of variables, num_updates", _moving_average),
        Program("ExponentialMovingAverage of a tensor, zero_debias", _moving_average_of_tensor),
        Program("ExponentialMovingAverage after a training step", _trainable_moving_average),
        Program("minimize options, callable learning rate", _minimize_options),
    ]
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
