"""Op blocks for bitwise arithmetic on integers: and, or, xor, invert and shifts (`tf.bitwise`).

The Python operators `&`, `|`, `^` and `~` build these for integer tensors and the logical ops
for booleans, as TF does.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from .. import dtypes as d
from ..graph import Tensor
from .common import INTS, binary, same_as_input, single
from .registry import NOT_DIFFERENTIABLE, apply_op, register

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift",
           "population_count"]

bitwise_and = binary("BitwiseAnd", np.bitwise_and, INTS, grad=NOT_DIFFERENTIABLE)
bitwise_or = binary("BitwiseOr", np.bitwise_or, INTS, grad=NOT_DIFFERENTIABLE)
bitwise_xor = binary("BitwiseXor", np.bitwise_xor, INTS, grad=NOT_DIFFERENTIABLE)

register("Invert", same_as_input(INTS), lambda op: np.invert, grad=NOT_DIFFERENTIABLE)


def invert(x: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise bitwise NOT of an integer tensor (`~x`)."""
    return single(apply_op("Invert", [x], name=name))


def _shift(shift: np.ufunc) -> Callable:
    """TF's shift kernels: a shift below 0 or at least the width is clamped into [0, bits - 1]
    (`int8(1) << 8` is -128, not 0)."""
    def kernel(x: Any, y: Any) -> Any:
        x, y = np.asarray(x), np.asarray(y)
        bits = x.dtype.itemsize * 8
        return shift(x, np.clip(y, 0, bits - 1).astype(x.dtype))
    return kernel


left_shift = binary("LeftShift", _shift(np.left_shift), INTS, grad=NOT_DIFFERENTIABLE)
right_shift = binary("RightShift", _shift(np.right_shift), INTS, grad=NOT_DIFFERENTIABLE)
for _builder, _name in ((bitwise_and, "bitwise_and"), (bitwise_or, "bitwise_or"),
                        (bitwise_xor, "bitwise_xor"), (left_shift, "left_shift"),
                        (right_shift, "right_shift")):
    _builder.__name__ = _name


def _population_count(x: Any) -> Any:
    """The number of set bits of each element, as uint8 (two's complement for negatives)."""
    x = np.asarray(x)
    unsigned = x.view(np.dtype(f"u{x.dtype.itemsize}"))
    if hasattr(np, "bitwise_count"):  # NOTE: NumPy 2
        return np.bitwise_count(unsigned).astype(np.uint8)
    as_bytes = unsigned.reshape(x.shape + (1,)).view(np.uint8)
    return np.unpackbits(as_bytes, axis=-1).sum(axis=-1, dtype=np.uint8)


register("PopulationCount", lambda inputs, attrs: [(_int_input(inputs[0]), inputs[0]._dims)],
         lambda op: _population_count, grad=NOT_DIFFERENTIABLE)


def _int_input(x: Tensor) -> d.DType:
    same_as_input(INTS)([x], {})
    return d.uint8


def population_count(x: Any, name: Optional[str] = None) -> Tensor:
    """The number of set bits in each element of an integer tensor (uint8)."""
    return single(apply_op("PopulationCount", [x], name=name))
