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


def _sum_to_shape_kernel(op: Any) -> Any:
    """The kernel, remembering how it summed the last gradient shape for the last target (the
    target is a constant or a shape block's cached value, so most runs repeat both)."""
    last: list = [None]  # NOTE: (target array, target tuple, gradient shape, axes), replaced whole

    def sum_to_shape(gradient: Any, shape: Any) -> np.ndarray:
        known = last[0]
        given = np.shape(gradient)
        if known is None or known[0] is not shape or known[2] != given:
            target = tuple(shape.tolist())
            known = last[0] = (shape, target, given, _summed_axes(given, target))
        axes, target = known[3], known[1]
        if axes is None:
            return gradient  # NOTE: the common case at run time: nothing was broadcast
        gradient = np.asarray(gradient)
        if axes:
            gradient = np.add.reduce(gradient, axes, gradient.dtype)
        return gradient if gradient.shape == target else gradient.reshape(target)
    return sum_to_shape


def _summed_axes(given: tuple, target: tuple) -> Any:
    """The axes of a gradient of shape `given` that broadcasting made from `target`; None when
    the shapes are equal."""
    if given == target:
        return None
    lead = len(given) - len(target)
    return tuple(range(lead)) + tuple(lead + i for i, d in enumerate(target)
                                      if d == 1 and given[lead + i] != 1)


def _infer(inputs: list, attrs: dict) -> list:
    known = constant_value(inputs[1])
    dims = attrs.get("dims")
    if known is not None:
        dims = tuple(int(d) for d in known)
    return [(inputs[0]._dtype, dims)]


def _grad(op: Any, gradient: Tensor) -> list:
    return [broadcast_to(gradient, shape(op.inputs[0])), None]


register("SumToShape", _infer, _sum_to_shape_kernel, grad=_grad)


def sum_to_shape(gradient: Tensor, like: Tensor, name: Optional[str] = None) -> Tensor:
    """`gradient` summed over the axes along which `like` was broadcast to reach its shape."""
    dims = like._dims
    if dims is not None and None not in dims:
        target = make_constant(np.array(dims, dtype=np.int32), name="shape")
    else:
        target = shape(like)
    return apply_op("SumToShape", [gradient, target], {"dims": dims}, name)._outputs[0]
