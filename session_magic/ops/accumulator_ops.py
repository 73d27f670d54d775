"""Op blocks for TF's ConditionalAccumulator (gradient aggregation), and its builder class.

As a queue's, an accumulator's contents live in the session, under its name (the handle is a
string scalar; TF's a resource): a sum of the gradients applied at or after its time step, their
count, and the time step. `take_grad` blocks until enough gradients arrived, then hands out their
mean (or sum), resets the sum and advances the time step; a gradient computed before that step is
dropped as stale. Effects happen at once, outside the run's commit, as a queue's.

`SyncReplicasLocalStepAssign` is session_magic's own: SyncReplicasOptimizer's worker sets its
local step with it (committed at once, as CountUpTo), so that a worker blocked on its token never
holds the session's write lock the chief's update needs (docs/differences.md).
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Tensor
from ..tensor_shape import TensorShape
from .conversion import convert_to_tensor
from .queue_ops import BlockingResource
from .registry import NOT_DIFFERENTIABLE, apply_op, register

__all__ = ["AccumulatorState", "ConditionalAccumulator", "sync_replicas_local_step_assign"]

_log = logging.getLogger("session_magic")


class AccumulatorState(BlockingResource):
    """One accumulator in one session: the running sum, the count and the time step."""

    kind = "accumulator"

    def __init__(self, name: str, shape: Optional[tuple], reduction: str, session: Any) -> None:
        super().__init__(name, session)
        self.shape, self.reduction = shape, reduction
        self.global_step = 0
        self.total: Optional[np.ndarray] = None
        self.count = 0

    def apply(self, gradient: np.ndarray, local_step: int) -> None:
        """Add `gradient` unless it is stale (computed before the accumulator's time step)."""
        with self.changed:
            if local_step < self.global_step:
                _log.warning("Stale gradients: local_step %d < global_step %d for accumulator %s",
                             local_step, self.global_step, self.name)
                return
            self._check_shape(gradient)
            self.total = gradient.copy() if self.total is None else self.total + gradient
            self.count += 1
            self.changed.notify_all()

    def _check_shape(self, gradient: np.ndarray) -> None:
        expected = self.total.shape if self.total is not None else self.shape
        if expected is not None and not _fits(gradient.shape, expected):
            raise errors.InvalidArgumentError(
                None, None, f"Shape mismatch: expected shape {list(expected)} for the gradient "
                f"of accumulator '{self.name}', got {list(gradient.shape)}")

    def take(self, num_required: int, deadline: Optional[float]) -> np.ndarray:
        """The mean (or sum) of at least `num_required` gradients, waiting for them."""
        if num_required < 1:
            raise errors.InvalidArgumentError(
                None, None, f"Argument num_required must be positive, but was {num_required}")
        with self.changed:
            self._wait(lambda: self.count >= num_required, deadline)
            total, count = self.total, self.count
            self.total, self.count = None, 0
            self.global_step += 1
            self.changed.notify_all()
        return total / np.asarray(count, total.dtype) if self.reduction == "MEAN" else total


    def set_global_step(self, step: int) -> None:
        with self.changed:
            if step < self.global_step:
                _log.warning("ConditionalAccumulator %s: setting the time step to %d, below its "
                             "current %d", self.name, step, self.global_step)
            self.global_step = step


def _fits(shape: tuple, dims: tuple) -> bool:
    return len(shape) == len(dims) and all(w is None or w == s for s, w in zip(shape, dims,
                                                                               strict=True))


def _name_of(handle: Any) -> str:
    value = np.asarray(handle, object).item()
    return value.decode() if isinstance(value, bytes) else str(value)


def _accumulator(ctx: Any, handle: Any) -> AccumulatorState:
    found = ctx.session._resources.get(_name_of(handle))
    if not isinstance(found, AccumulatorState):
        raise errors.FailedPreconditionError(
            None, None, f"No accumulator named '{_name_of(handle)}' in this session")
    return found


# --- the op blocks ------------------------------------------------------------------------------

def _make_kernel(op: Any) -> Callable:
    attrs = op._attrs
    name = attrs.get("shared_name") or op.name

    def make(ctx: Any) -> np.ndarray:
        if name not in ctx.session._resources:
            ctx.session._resources.setdefault(name, AccumulatorState(
                name, attrs["shape"], attrs["reduction_type"], ctx.session))
        return np.asarray(name.encode(), object)
    return make


_STATE = dict(grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True)


def _no_outputs(inputs: list, attrs: dict) -> list:
    return []


def _apply_kernel(op: Any) -> Callable:
    dtype = op._attrs["dtype"].as_numpy_dtype

    def apply(ctx: Any, handle: Any, local_step: Any, gradient: Any) -> None:
        _accumulator(ctx, handle).apply(np.asarray(gradient, dtype), int(local_step))
    return apply


def _take_infer(inputs: list, attrs: dict) -> list:
    return [(attrs["dtype"], None)]


def _take_kernel(op: Any) -> Callable:
    def take(ctx: Any, handle: Any, num_required: Any) -> np.ndarray:
        return _accumulator(ctx, handle).take(int(num_required), ctx.deadline)
    return take


register("ResourceConditionalAccumulator", lambda inputs, attrs: [(d.string, ())], _make_kernel,
         **_STATE)
register("ResourceAccumulatorApplyGradient", _no_outputs, _apply_kernel, **_STATE)
register("ResourceAccumulatorTakeGradient", _take_infer, _take_kernel, **_STATE)
register("ResourceAccumulatorSetGlobalStep", _no_outputs,
         lambda op: lambda ctx, handle, step: _accumulator(ctx, handle).set_global_step(int(step)),
         **_STATE)
register("ResourceAccumulatorNumAccumulated", lambda inputs, attrs: [(d.int32, ())],
         lambda op: lambda ctx, handle: np.int32(_accumulator(ctx, handle).count), **_STATE)


def _local_step_kernel(op: Any) -> Callable:
    variable = op._inputs[0]._op

    def assign(ctx: Any, value: Any) -> np.ndarray:
        # NOTE: committed at once (as CountUpTo), not with the run: see the module docstring
        stored = np.asarray(value, variable._outputs[0]._dtype.as_numpy_dtype)
        stored.flags.writeable = False
        ctx.session._variable_store[variable] = stored
        return stored
    return assign


register("SyncReplicasLocalStepAssign", lambda inputs, attrs: [(inputs[1]._dtype, ())],
         _local_step_kernel, grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True,
         ref_inputs=(0,))


# --- the builder ----------------------------------------------------------------------------------

class ConditionalAccumulator:
    """`tf.ConditionalAccumulator`: averages the gradients applied for its current time step."""

    def __init__(self, dtype: Any, shape: Any = None, shared_name: Optional[str] = None,
                 name: str = "conditional_accumulator", reduction_type: str = "MEAN") -> None:
        if reduction_type not in ("MEAN", "SUM"):
            raise ValueError(f"reduction_type must be 'MEAN' or 'SUM', got {reduction_type!r}")
        self._dtype = d.as_dtype(dtype)
        self._shape = TensorShape(shape)
        dims = None if self._shape.ndims is None else tuple(self._shape.as_list())
        self._accumulator_ref = apply_op("ResourceConditionalAccumulator", [], {
            "dtype": self._dtype, "shape": dims, "shared_name": shared_name or "",
            "container": "", "reduction_type": reduction_type}, name)._outputs[0]
        self._name = self._accumulator_ref.op.name.split("/")[-1]

    accumulator_ref = property(lambda self: self._accumulator_ref)
    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)

    def num_accumulated(self, name: Optional[str] = None) -> Tensor:
        return apply_op("ResourceAccumulatorNumAccumulated", [self._accumulator_ref], {},
                        name or f"{self._name}_NumAccumulated")._outputs[0]

    def set_global_step(self, new_global_step: Any, name: Optional[str] = None) -> Any:
        step = _as_int64(new_global_step)
        return apply_op("ResourceAccumulatorSetGlobalStep", [self._accumulator_ref, step], {},
                        name, default_name="ResourceAccumulatorSetGlobalStep")

    def apply_grad(self, grad: Any, local_step: Any = 0, name: Optional[str] = None) -> Any:
        """An op adding `grad` unless `local_step` is older than the accumulator's time step."""
        grad = convert_to_tensor(grad, self._dtype)
        grad.get_shape().assert_is_compatible_with(self._shape)
        return apply_op("ResourceAccumulatorApplyGradient",
                        [self._accumulator_ref, _as_int64(local_step), grad],
                        {"dtype": self._dtype}, name,
                        default_name="ResourceAccumulatorApplyGradient")

    def take_grad(self, num_required: Any, name: Optional[str] = None) -> Tensor:
        """The average of `num_required` (or more) gradients, once they have arrived."""
        out = apply_op("ResourceAccumulatorTakeGradient", [self._accumulator_ref, num_required],
                       {"dtype": self._dtype}, name, default_name="ResourceAccumulatorTakeGradient",
                       arg_names=("handle", "num_required"), dtype=d.int32)._outputs[0]
        out.set_shape(self._shape)
        return out


def _as_int64(value: Any) -> Tensor:
    from .math_ops import cast  # NOTE: lazy: math_ops imports many op modules
    return cast(convert_to_tensor(value), d.int64)


def sync_replicas_local_step_assign(ref: Any, value: Any, name: Optional[str] = None) -> Tensor:
    """`ref = value`, committed at once (SyncReplicasOptimizer's worker local step)."""
    tensor = getattr(ref, "_variable_ref", lambda: ref)()
    value = convert_to_tensor(value, tensor.dtype.base_dtype)
    return apply_op("SyncReplicasLocalStepAssign", [tensor, value], {}, name,
                    default_name="Assign")._outputs[0]
