"""Control dependencies on a variable update: `inc = tf.assign_add(v, 1)`, then every way of
reading `v` inside `tf.control_dependencies([inc])`, run three times. TF 2's resource variables
read after the update for every read made inside the block. (A read made before the block races
with the update in TF, so no program has one.)"""
from __future__ import annotations

from typing import Any, Callable

from ..harness import Program

READS: dict[str, Callable[[Any, Any], Any]] = {
    "identity(v)": lambda tf, v: tf.identity(v),
    "v + 0": lambda tf, v: v + 0.0,
    "v * 1": lambda tf, v: v * 1.0,
    "reduce_sum(v)": lambda tf, v: tf.reduce_sum(v),
    "v.value()": lambda tf, v: v.value(),
    "convert_to_tensor(v)": lambda tf, v: tf.convert_to_tensor(v),
    "v.read_value()": lambda tf, v: v.read_value(),
    "identity(v.read_value())": lambda tf, v: tf.identity(v.read_value()),
    "assign(v, v * 2)": lambda tf, v: tf.assign(v, v * 2.0),
    "v.assign(v * 2)": lambda tf, v: v.assign(v * 2.0),
    "assign_add(v, v)": lambda tf, v: tf.assign_add(v, v),
    "stack([v, v])": lambda tf, v: tf.stack([v, v]),
    "cast(v, float64)": lambda tf, v: tf.cast(v, tf.float64),
    "v itself": lambda tf, v: v,
    "no_op, then fetch v": lambda tf, v: tf.no_op(),
    "cond reading v": lambda tf, v: tf.cond(tf.constant(True), lambda: v + 0.0, lambda: v - 1.0),
    "gradient of v * v": lambda tf, v: tf.gradients(v * v, v)[0],
}


def _read_after_increment(read: Callable, scalar: bool) -> Callable:
    def build(tf: Any) -> dict:
        v = tf.Variable(1.0 if scalar else [1.0, 10.0], name="v")
        inc = tf.assign_add(v, 1.0 if scalar else [1.0, 1.0])
        with tf.control_dependencies([inc]):
            out = read(tf, v)
        if isinstance(out, tf.Operation):
            return {"step": out, "fetch": {"v": v}, "runs": 3}
        return {"fetch": {"out": out}, "runs": 3, "names": {"v": v}}
    return build


def _chain(tf: Any) -> dict:
    """Two updates ordered by control dependencies, and a read after both."""
    v = tf.Variable(1.0, name="v")
    double = tf.assign(v, v * 2.0)
    with tf.control_dependencies([double]):
        inc = tf.assign_add(v, 1.0)
    with tf.control_dependencies([inc]):
        out = tf.identity(v)
    return {"fetch": out, "runs": 3}


def _group(tf: Any) -> dict:
    v = tf.Variable(1.0, name="v")
    w = tf.Variable(5.0, name="w")
    step = tf.group(tf.assign_add(v, 1.0), tf.assign_sub(w, 1.0))
    with tf.control_dependencies([step]):
        total = v + w
    return {"fetch": [total], "runs": 3}


def _with_dependencies(tf: Any) -> dict:
    v = tf.Variable(1.0, name="v")
    inc = tf.assign_add(v, 1.0)
    with tf.control_dependencies([inc]):
        read = tf.identity(v)
    with tf.control_dependencies(None):
        free = tf.identity(v)
    return {"fetch": {"read": read}, "runs": 3, "before": [free]}


def _int_counter(tf: Any) -> dict:
    v = tf.Variable(0, name="counter")
    inc = tf.assign_add(v, 1)
    with tf.control_dependencies([inc]):
        out = v * 10
    return {"fetch": out, "runs": 3}


def programs() -> list[Program]:
    table = [Program(f"{name} after inc", _read_after_increment(read, scalar=True))
             for name, read in READS.items()]
    table += [Program(f"{name} after inc (vector)", _read_after_increment(read, scalar=False))
              for name, read in list(READS.items())[:8]]
    table += [Program("assign then assign_add then read", _chain),
              Program("group of two updates", _group),
              Program("control_dependencies(None) clears", _with_dependencies),
              Program("int counter", _int_counter)]
    return table
