"""TF 1's learning-rate schedules (`tf.train.exponential_decay`, `cosine_decay`...): each builds
TF's graph of ops on `global_step`, so the rate is a tensor that follows the step when run.

The formulas and their order of operations are those of TF's LearningRateSchedule classes, which
TF 1's functions call.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from .graph import Tensor
from .ops import math_ops
from .ops.conversion import convert_to_tensor
from .ops.registry import op_scope

__all__ = ["exponential_decay", "piecewise_constant", "polynomial_decay", "natural_exp_decay",
           "inverse_time_decay", "cosine_decay", "cosine_decay_restarts", "linear_cosine_decay"]


def _required(global_step: Any, schedule: str) -> None:
    if global_step is None:
        raise ValueError(f"global_step is required for {schedule}.")


def _start(learning_rate: Any, global_step: Any) -> tuple:
    """The initial rate as a tensor, and the step cast to its dtype."""
    rate = convert_to_tensor(learning_rate, name="initial_learning_rate")
    return rate, math_ops.cast(global_step, rate.dtype)


def _exponential(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                 staircase: bool, name: Optional[str], default_name: str) -> Tensor:
    with op_scope(name, default_name, [learning_rate, global_step, decay_rate]) as scope:
        rate, step = _start(learning_rate, global_step)
        exponent = math_ops.truediv(step, math_ops.cast(decay_steps, rate.dtype))
        if staircase:
            exponent = math_ops.floor(exponent)
        return math_ops.multiply(rate, math_ops.pow(math_ops.cast(decay_rate, rate.dtype),
                                                    exponent), name=scope)


def exponential_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: Optional[str] = None) -> Tensor:
    """`learning_rate * decay_rate ** (global_step / decay_steps)` (the exponent floored when
    `staircase`)."""
    _required(global_step, "exponential_decay")
    return _exponential(learning_rate, global_step, decay_steps, decay_rate, staircase, name,
                        "ExponentialDecay")


def natural_exp_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: Optional[str] = None) -> Tensor:
    """`learning_rate * exp(-decay_rate * global_step / decay_steps)` (the exponent's step
    fraction floored when `staircase`)."""
    _required(global_step, "natural_exp_decay")
    # NOTE: as TF: an exponential decay by exp(-decay_rate), so the floats round as TF's do.
    natural_rate = math_ops.exp(math_ops.negative(convert_to_tensor(decay_rate)))
    return _exponential(learning_rate, global_step, decay_steps, natural_rate, staircase, name,
                        "ExponentialDecay")


def inverse_time_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                       staircase: bool = False, name: Optional[str] = None) -> Tensor:
    """`learning_rate / (1 + decay_rate * global_step / decay_steps)` (floored when
    `staircase`)."""
    _required(global_step, "inverse_time_decay")
    with op_scope(name, "InverseTimeDecay", [learning_rate, global_step, decay_rate]) as scope:
        rate, step = _start(learning_rate, global_step)
        fraction = math_ops.truediv(step, math_ops.cast(decay_steps, rate.dtype))
        if staircase:
            fraction = math_ops.floor(fraction)
        denominator = math_ops.add(math_ops.cast(1, rate.dtype),
                                   math_ops.multiply(math_ops.cast(decay_rate, rate.dtype),
                                                     fraction))
        return math_ops.truediv(rate, denominator, name=scope)


def polynomial_decay(learning_rate: Any, global_step: Any, decay_steps: Any,
                     end_learning_rate: Any = 0.0001, power: Any = 1.0, cycle: bool = False,
                     name: Optional[str] = None) -> Tensor:
    """`(learning_rate - end) * (1 - step / decay_steps) ** power + end`, the step held at
    `decay_steps` (with `cycle`, `decay_steps` grows to the next multiple past the step)."""
    _required(global_step, "polynomial_decay")
    with op_scope(name, "PolynomialDecay", [learning_rate, global_step, decay_steps,
                                            end_learning_rate, power]) as scope:
        rate, step = _start(learning_rate, global_step)
        end = math_ops.cast(end_learning_rate, rate.dtype)
        steps = math_ops.cast(decay_steps, rate.dtype)
        if cycle:
            cycles = math_ops.where(math_ops.equal(step, 0.0), convert_to_tensor(1.0, rate.dtype),
                                    math_ops.ceil(step / steps))
            steps = math_ops.multiply(steps, cycles)
        else:
            step = math_ops.minimum(step, steps)
        fraction = math_ops.truediv(step, steps)
        scale = math_ops.pow(1 - fraction, math_ops.cast(power, rate.dtype))
        return math_ops.add(math_ops.multiply(rate - end, scale), end, name=scope)


def piecewise_constant(x: Any, boundaries: Sequence[Any], values: Sequence[Any],
                       name: Optional[str] = None) -> Tensor:
    """`values[0]` while `x <= boundaries[0]`, `values[i]` while `boundaries[i-1] < x <=
    boundaries[i]`, `values[-1]` past the last boundary."""
    boundaries, values = list(boundaries), list(values)
    if len(values) != len(boundaries) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with op_scope(name, "PiecewiseConstant", [x, *boundaries, *values]):
        x = convert_to_tensor(x)
        values = [convert_to_tensor(v) for v in values]
        if any(v.dtype is not values[0].dtype for v in values):
            raise ValueError(f"Values must have elements all with the same dtype "
                             f"({[v.dtype.name for v in values]}).")
        result = values[0]
        for boundary, value in zip(boundaries, values[1:], strict=True):
            boundary = convert_to_tensor(boundary)
            if boundary.dtype.is_floating != x.dtype.is_floating:  # NOTE: as TF: a cast would
                raise ValueError(                                    # move a float boundary
                    f"Boundaries ({boundary.dtype.name}) must have the same dtype as x "
                    f"({x.dtype.name}).")
            boundary = math_ops.cast(boundary, x.dtype)
            result = math_ops.where(math_ops.greater(x, boundary), value, result)
        return result


def cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any, alpha: Any = 0.0,
                 name: Optional[str] = None) -> Tensor:
    """`learning_rate * ((1 - alpha) * (1 + cos(pi * step / decay_steps)) / 2 + alpha)`, the
    step held at `decay_steps`."""
    _required(global_step, "cosine_decay")
    with op_scope(name, "CosineDecay", [learning_rate, global_step]) as scope:
        rate, step = _start(learning_rate, global_step)
        steps = math_ops.cast(decay_steps, rate.dtype)
        fraction = math_ops.minimum(step, steps) / steps
        cosine = 0.5 * (1.0 + math_ops.cos(convert_to_tensor(math.pi, rate.dtype) * fraction))
        return math_ops.multiply(rate, (1 - alpha) * cosine + alpha, name=scope)


def cosine_decay_restarts(learning_rate: Any, global_step: Any, first_decay_steps: Any,
                          t_mul: float = 2.0, m_mul: float = 1.0, alpha: Any = 0.0,
                          name: Optional[str] = None) -> Tensor:
    """Cosine decay restarted (SGDR): each period `t_mul` times the last, each restart's peak
    `m_mul` times the last."""
    _required(global_step, "cosine_decay_restarts")
    with op_scope(name, "SGDRDecay", [learning_rate, global_step]) as scope:
        rate, step = _start(learning_rate, global_step)
        dtype = rate.dtype
        fraction = step / math_ops.cast(first_decay_steps, dtype)
        t_mul_t, m_mul_t = math_ops.cast(t_mul, dtype), math_ops.cast(m_mul, dtype)
        alpha_t = math_ops.cast(alpha, dtype)
        if t_mul == 1.0:
            restart = math_ops.floor(fraction)
            fraction = fraction - restart
        else:
            restart = math_ops.floor(math_ops.log(1.0 - fraction * (1.0 - t_mul_t)) /
                                     math_ops.log(t_mul_t))
            done = (1.0 - math_ops.pow(t_mul_t, restart)) / (1.0 - t_mul_t)
            fraction = (fraction - done) / math_ops.pow(t_mul_t, restart)
        peak = math_ops.pow(m_mul_t, restart)
        cosine = 0.5 * peak * (1.0 + math_ops.cos(convert_to_tensor(math.pi, dtype) * fraction))
        return math_ops.multiply(rate, (1 - alpha_t) * cosine + alpha_t, name=scope)


def linear_cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any,
                        num_periods: float = 0.5, alpha: float = 0.0, beta: float = 0.001,
                        name: Optional[str] = None) -> Tensor:
    """`learning_rate * ((alpha + linear) * cosine + beta)`: a linear decay to zero times
    `num_periods` cosine periods over `decay_steps`."""
    _required(global_step, "linear_cosine_decay")
    with op_scope(name, "LinearCosineDecay", [learning_rate, global_step]) as scope:
        rate, step = _start(learning_rate, global_step)
        dtype = rate.dtype
        steps = math_ops.cast(decay_steps, dtype)
        step = math_ops.minimum(step, steps)
        linear = (steps - step) / steps
        fraction = 2.0 * math_ops.cast(num_periods, dtype) * (step / steps)
        cosine = 0.5 * (1.0 + math_ops.cos(convert_to_tensor(math.pi, dtype) * fraction))
        decayed = (math_ops.cast(alpha, dtype) + linear) * cosine + math_ops.cast(beta, dtype)
        return math_ops.multiply(rate, decayed, name=scope)
