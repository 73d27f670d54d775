"""`tf.train.ExponentialMovingAverage` and `assign_moving_average`: shadow variables that follow
others (or tensors) as `shadow -= (1 - decay) * (shadow - value)` on each run of an update op.

The shadow of `W` is the non-trainable variable `W/ExponentialMovingAverage`, as TF names it, so
`variables_to_restore()` maps a checkpoint's averages onto the model's own variables.
"""
from __future__ import annotations

from typing import Any, Optional

from . import dtypes as d
from .graph import GraphKeys, Operation, Tensor, get_default_graph
from .initializers import zeros_initializer
from .ops import array_ops, math_ops, state_ops
from .ops.control_flow_ops import group
from .ops.conversion import convert_to_tensor
from .ops.registry import op_scope
from .variables import (Variable, get_variable, global_variables, moving_average_variables,
                        trainable_variables, variable_scope)

__all__ = ["ExponentialMovingAverage", "assign_moving_average"]

_AVERAGED_DTYPES = (d.float16, d.float32, d.float64)


def assign_moving_average(variable: Variable, value: Any, decay: Any, zero_debias: bool = True,
                          name: Optional[str] = None) -> Tensor:
    """`variable -= (variable - value) * (1 - decay)`; with `zero_debias` (for a shadow that starts
    at zero) the average of a hidden biased variable divided by `1 - decay**t`."""
    with op_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        decay = convert_to_tensor(1.0 - convert_to_tensor(decay), name="decay")
        if decay.dtype is not variable.dtype:
            decay = math_ops.cast(decay, variable.dtype)
        if zero_debias:
            return _zero_debiased(variable, value, decay, scope)
        return state_ops.assign_sub(variable, (variable - value) * decay, name=scope)


def _zero_debiased(shadow: Variable, value: Any, one_minus_decay: Tensor, scope: str) -> Tensor:
    """TF's zero-debiasing: a `biased` average from zero and a `local_step` count, named under
    the shadow's name."""
    graph = get_default_graph()
    with graph.control_dependencies(None), variable_scope(shadow.op.name):
        biased = get_variable("biased", shape=shadow.shape, dtype=shadow.dtype,
                              initializer=zeros_initializer(), trainable=False)
        local_step = get_variable("local_step", shape=[], dtype=shadow.dtype,
                                  initializer=zeros_initializer(), trainable=False)
    update_biased = state_ops.assign_sub(biased, (biased - value) * one_minus_decay)
    update_step = state_ops.assign_add(local_step, convert_to_tensor(1, shadow.dtype))
    bias_factor = 1 - math_ops.pow(1.0 - one_minus_decay, update_step)
    return state_ops.assign(shadow, update_biased / bias_factor, name=scope)


def _shadow(item: Any, initial_value: Any, name: str) -> Variable:
    """A non-trainable variable `<item>/<name>` starting at `initial_value()`, made outside any
    name scope or control dependencies in effect."""
    graph = item.graph
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
        value = initial_value()
        return Variable(value, trainable=False, name=f"{item.op.name}/{name}",
                        validate_shape=value.shape.is_fully_defined())


class ExponentialMovingAverage:
    """Moving averages of variables: `apply(var_list)` makes their shadows and returns the op
    that moves each shadow toward its variable by `1 - decay` (with `num_updates`, the decay
    is at most `(1 + num_updates) / (10 + num_updates)`, so early averages move faster)."""

    def __init__(self, decay: Any, num_updates: Any = None, zero_debias: bool = False,
                 name: str = "ExponentialMovingAverage") -> None:
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}
        self._debiased: set = set()

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list: Any = None) -> Operation:
        """The op updating the averages of `var_list` (default: the trainable variables),
        creating a shadow (initialised to the variable's value) for each one new here."""
        var_list = trainable_variables() if var_list is None else list(var_list)
        for item in var_list:
            self._ensure_shadow(item)
        with get_default_graph().name_scope(self._name) as scope:
            decay = self._decay_tensor()
            updates = [assign_moving_average(self._averages[item], item, decay,
                                             zero_debias=self._averages[item] in self._debiased)
                       for item in var_list]
            return group(*updates, name=scope)

    def _ensure_shadow(self, item: Any) -> None:
        if not isinstance(item, (Variable, Tensor)):
            raise TypeError(f"var_list must hold Variables or Tensors, got {item!r}")
        if item.dtype not in _AVERAGED_DTYPES:
            raise TypeError(f"The variables must be half, float, or double: {item.name}")
        if item in self._averages:
            return
        if isinstance(item, Variable):
            shadow = _shadow(item, item.initialized_value, self._name)
            get_default_graph().add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, item)
        else:
            shadow = _shadow(item, lambda: array_ops.zeros_like(item), self._name)
            if self._zero_debias:
                self._debiased.add(shadow)
        self._averages[item] = shadow

    def _decay_tensor(self) -> Tensor:
        decay = convert_to_tensor(self._decay, name="decay")
        if self._num_updates is None:
            return decay
        num_updates = math_ops.cast(self._num_updates, d.float32, name="num_updates")
        return math_ops.minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))

    def average(self, var: Any) -> Optional[Variable]:
        """The shadow variable of `var`, or None if `apply` has not seen it."""
        return self._averages.get(var)

    def average_name(self, var: Any) -> str:
        """The name of `var`'s shadow (`W/ExponentialMovingAverage`), made or not yet."""
        if var in self._averages:
            return self._averages[var].op.name
        return f"{var.op.name}/{self._name}"

    def variables_to_restore(self, moving_avg_variables: Any = None) -> dict:
        """{checkpoint name: variable}: each averaged variable restored from its shadow's name,
        every other global variable from its own."""
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        averaged = set(moving_avg_variables)
        name_map = {self.average_name(v): v for v in averaged}
        for v in global_variables():
            if v not in averaged and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map
