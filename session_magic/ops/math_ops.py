"""Op blocks for elementwise arithmetic, math functions, comparisons, reductions and matmul.

Each op is one block: its registration (inference + NumPy kernel) next to its builder. Python
operators map onto these builders in ops/overloads.py.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .. import dtypes as d
from ..graph import Tensor
from .common import (FLOAT_COMPLEX, NUMERIC, REAL, binary, check_dtype, quiet, single)
from .registry import apply_op, convert_to_tensor, op_scope, register

__all__ = ["add", "subtract", "multiply", "truediv", "divide", "realdiv", "floordiv",
           "floor_div", "mod", "floormod", "pow", "negative", "cast"]


# --- arithmetic ----------------------------------------------------------------------------------

add = binary("Add", np.add, NUMERIC + (d.string,), grad=None)
subtract = binary("Sub", np.subtract, NUMERIC, grad=None)
multiply = binary("Mul", np.multiply, NUMERIC, grad=None)
realdiv = binary("RealDiv", np.true_divide, FLOAT_COMPLEX, grad=None, silent=True)
floordiv = binary("FloorDiv", np.floor_divide, REAL, grad=None, silent=True)
floormod = binary("FloorMod", np.mod, REAL, grad=None, silent=True)
pow = binary("Pow", np.power, NUMERIC, grad=None, silent=True)  # noqa: A001 - TF's name
floor_div = floordiv
mod = floormod

# NOTE: TF's `/` casts both integer operands to this float type before dividing.
_TRUEDIV_TABLE = {d.uint8: d.float32, d.int8: d.float32, d.uint16: d.float32,
                  d.int16: d.float32, d.int32: d.float64, d.int64: d.float64,
                  d.float16: None, d.float32: None, d.float64: None, d.complex64: None,
                  d.complex128: None}


def truediv(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Python 3 division: integer operands are cast to floating point first (int32 -> float64)."""
    with op_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y")
        if x.dtype is not y.dtype:
            raise TypeError(f"x and y must have the same dtype, got {x.dtype!r} != {y.dtype!r}")
        if x.dtype not in _TRUEDIV_TABLE:
            raise TypeError(f"Invalid dtype {x.dtype!r} in __truediv__")
        target = _TRUEDIV_TABLE[x.dtype]
        if target is not None:
            x, y = cast(x, target), cast(y, target)
        return realdiv(x, y, name=scope)


def divide(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`x / y` (true division)."""
    return truediv(x, y, name=name)


def _negative_infer(inputs: list, attrs: dict) -> list:
    return [(check_dtype(inputs[0], NUMERIC), inputs[0]._dims)]


register("Neg", _negative_infer, lambda op: np.negative, grad=None)


def negative(x: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise `-x`."""
    return single(apply_op("Neg", [x], name=name))


# --- Cast ----------------------------------------------------------------------------------------

def _cast_kernel(op: Any) -> Any:
    target = op._attrs["DstT"]
    if target is d.string:
        raise TypeError("Cast to string is not supported; use tf.strings.as_string.")
    numpy_type = target.as_numpy_dtype
    if target.is_integer or target.is_bool:
        return quiet(lambda x: np.asarray(x).astype(numpy_type))
    return lambda x: np.asarray(x).astype(numpy_type)


register("Cast", lambda inputs, attrs: [(attrs["DstT"], inputs[0]._dims)], _cast_kernel,
         grad=None)


def cast(x: Any, dtype: Any, name: Optional[str] = None) -> Tensor:
    """`x` converted to `dtype` (floats to ints truncate toward zero, as in TF)."""
    dtype = d.as_dtype(dtype)
    x = convert_to_tensor(x, name="x") if not isinstance(x, Tensor) else x
    if x.dtype is dtype and name is None:
        return x
    attrs = {"SrcT": x.dtype, "DstT": dtype}
    return single(apply_op("Cast", [x], attrs, name, default_name="Cast"))
