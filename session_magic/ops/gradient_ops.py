"""SumToShape: the op the gradient walker inserts to sum a broadcast gradient back down to the
shape of the input it belongs to (NumPy broadcasting, undone)."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..graph import Tensor
from .array_ops import broadcast_to, shape
from .constant_ops import make_constant
from .known import constant_value
from .registry import apply_op, register

__all__ = ["sum_to_shape"]


def _sum_to_shape(gradient: Any, shape: Any) -> np.ndarray:
    target = tuple(shape.tolist())
    if np.shape(gradient) == target:
        return gradient  # NOTE: the common case at run time: nothing was broadcast
    gradient = np.asarray(gradient)
    lead = gradient.ndim - len(target)
    axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(target)
                                       if d == 1 and gradient.shape[lead + i] != 1)
    if axes:
        gradient = np.add.reduce(gradient, axes, gradient.dtype)
    return gradient.reshape(target)


def _infer(inputs: list, attrs: dict) -> list:
    known = constant_value(inputs[1])
    dims = attrs.get("dims")
    if known is not None:
        dims = tuple(int(d) for d in known)
    return [(inputs[0]._dtype, dims)]


def _grad(op: Any, gradient: Tensor) -> list:
    return [broadcast_to(gradient, shape(op.inputs[0])), None]


register("SumToShape", _infer, lambda op: _sum_to_shape, grad=_grad)


def sum_to_shape(gradient: Tensor, like: Tensor, name: Optional[str] = None) -> Tensor:
    """`gradient` summed over the axes along which `like` was broadcast to reach its shape."""
    dims = like._dims
    if dims is not None and None not in dims:
        target = make_constant(np.array(dims, dtype=np.int32), name="shape")
    else:
        target = shape(like)
    return apply_op("SumToShape", [gradient, target], {"dims": dims}, name)._outputs[0]
