"""Op blocks for elementwise arithmetic, math functions, comparisons, reductions and matmul.

Each op is one block: its registration (inference + NumPy kernel) next to its builder. Python
operators map onto these builders in ops/overloads.py.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable, Optional, Sequence

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Tensor
from ..tensor_shape import as_dims, dims_compatible, format_dims
from . import array_ops
from .common import (COMPLEX, FLOAT_COMPLEX, FLOATS, NUMERIC, REAL, SIGNED_INTS, SIGNED_NUMERIC,
                     axis_arg, binary, bool_arg, broadcast_dims, broadcast_infer, check_dtype,
                     check_same_dtype, keepdims_arg, merged_shape, quiet, single, static_int_list,
                     unary)
from .constant_ops import identity, stop_gradient
from .conversion import convert_to_tensor
from .gradient_ops import sum_to_shape
from .known import constant_value
from .registry import (NO_GRADIENT_REGISTERED, NOT_DIFFERENTIABLE, ShapeError, apply_op,
                       no_gradient, op_scope, register)

__all__ = [
    # arithmetic
    "add", "subtract", "multiply", "scalar_mul", "truediv", "divide", "div", "realdiv",
    "floordiv", "floor_div", "mod", "floormod", "truncatediv", "truncatemod", "div_no_nan",
    "divide_no_nan", "pow", "negative", "maximum", "minimum", "squared_difference", "atan2",
    "add_n", "accumulate_n", "clip_by_value",
    # elementwise functions
    "abs", "sign", "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p", "sin", "cos",
    "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid",
    "reciprocal", "round", "rint", "floor", "ceil", "erf", "is_nan", "is_inf", "is_finite",
    "conj", "real", "imag", "complex",
    # comparisons and logic
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_not", "logical_xor",
    # casts
    "cast", "saturate_cast", "to_float", "to_double", "to_int32", "to_int64",
    # products, scans, reductions, selection
    "matmul", "tensordot", "cumsum", "cumprod", "reduce_sum", "reduce_mean", "reduce_max",
    "reduce_min", "reduce_prod", "reduce_any", "reduce_all", "reduce_logsumexp",
    "count_nonzero", "argmax", "argmin", "arg_max", "arg_min", "where", "where_v2", "norm",
]

_SIGNED_REAL = FLOATS + SIGNED_INTS
_FLOAT_INT_COMPLEX = FLOATS + (d.int32, d.int64) + COMPLEX
_ORDERED = REAL  # dtypes with <, max and min


# --- shared helpers ------------------------------------------------------------------------------

def _dtype_of(value: Any) -> Optional[d.DType]:
    if isinstance(value, Tensor):
        return value._dtype
    if hasattr(value, "_to_tensor") and getattr(value, "dtype", None) is not None:
        return d.as_dtype(value.dtype)
    return None


def _converted(value: Any, dtype: Optional[d.DType], name: str) -> Tensor:
    """`value` as a tensor; only a Python or NumPy value is converted to `dtype`."""
    if _dtype_of(value) is not None:
        return convert_to_tensor(value, name=name)
    return convert_to_tensor(value, dtype, name=name)


def _operands(x: Any, y: Any, names: Sequence[str] = ("x", "y")) -> tuple[Tensor, Tensor]:
    """Both operands as tensors, converted in order as TF's op functions do: `x` by itself (a
    Python int is int32), then a Python `y` to x's dtype. (Python operators convert their
    Python operand to the tensor's dtype on either side before calling here.)"""
    x = convert_to_tensor(x, name=names[0])
    return x, _converted(y, x.dtype, names[1])


def _operands_either_way(x: Any, y: Any) -> tuple[Tensor, Tensor]:
    """As `_operands`, but a Python `x` takes a tensor y's dtype (TF's `divide` and
    `div_no_nan`: `tf.divide(1, x_float32)` is float32)."""
    if _dtype_of(x) is None and _dtype_of(y) is not None:
        y = convert_to_tensor(y, name="y")
        return _converted(x, y.dtype, "x"), y
    return _operands(x, y)


def _deprecated_lookup(new_name: str, new_value: Any, old_name: str, old_value: Any) -> Any:
    """TF1's rule for renamed arguments (`keep_dims` -> `keepdims`): either one, not both."""
    if old_value is None:
        return new_value
    if new_value is not None:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
    return old_value


def _merge_dim(left: Optional[int], right: Optional[int]) -> Optional[int]:
    if left is not None and right is not None and left != right:
        raise ShapeError(f"Dimensions must be equal, but are {left} and {right}")
    return right if left is None else left


def _identity_kernel(x: Any) -> Any:
    return x


# --- arithmetic ----------------------------------------------------------------------------------

# NOTE: rules return gradients in the output's (broadcast) shape; the gradient walker sums each
# one down to its input's shape.

def _add_grad(op: Any, g: Tensor) -> list:
    return [g, g]


def _sub_grad(op: Any, g: Tensor) -> list:
    return [g, negative(g)]


def _mul_grad(op: Any, g: Tensor) -> list:
    x, y = op.inputs
    return [multiply(g, y), multiply(x, g)]


def _realdiv_grad(op: Any, g: Tensor) -> list:
    x, y = op.inputs
    return [realdiv(g, y), multiply(g, realdiv(realdiv(negative(x), y), y))]


def _pow_grad(op: Any, g: Tensor) -> list:
    x, y = op.inputs
    x_grad = multiply(multiply(g, y), pow(x, subtract(y, 1)))
    # NOTE: as TF, d/dy uses log(x) only where x > 0 (0 elsewhere), so x = 0 gives no nan.
    positive = greater(x, 0)
    log_x = where_v2(positive, log(where_v2(positive, x, 1)), 0)
    return [x_grad, multiply(multiply(g, op.outputs[0]), log_x)]


def _maximum_minimum_grad(x_wins: Tensor, g: Tensor) -> list:
    """The gradient goes to x where `x_wins` (ties included, as TF), else to y."""
    zeros = array_ops.zeros_like(g)
    return [where_v2(x_wins, g, zeros), where_v2(x_wins, zeros, g)]


def _maximum_grad(op: Any, g: Tensor) -> list:
    return _maximum_minimum_grad(greater_equal(*op.inputs), g)


def _minimum_grad(op: Any, g: Tensor) -> list:
    return _maximum_minimum_grad(less_equal(*op.inputs), g)


_add_numbers = binary("AddV2", np.add, NUMERIC, grad=_add_grad, infix="+", scalar="({0} + {1})")
_add_strings = binary("Add", np.add, NUMERIC + (d.string,), grad=_add_grad,  # NOTE: TF 1's Add
                      infix="+", scalar="({0} + {1})")


def add_op_type(x: Any, y: Any) -> str:
    """TF's choice for `x + y`: `AddV2`, or the older `Add` that also joins strings."""
    for value in (x, y):
        dtype = _dtype_of(value)
        if dtype is d.string or (dtype is None and isinstance(value, (str, bytes))):
            return "Add"
    return "AddV2"


def add(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise `x + y` with NumPy broadcasting; strings are joined (an op named `Add`)."""
    kind = add_op_type(x, y)
    return single(apply_op(kind, [x, y], name=name, default_name="Add", same_dtype=True))


subtract = binary("Sub", np.subtract, NUMERIC, grad=_sub_grad, infix="−", scalar="({0} - {1})")
multiply = binary("Mul", np.multiply, NUMERIC, grad=_mul_grad, infix="×", scalar="({0} * {1})")
realdiv = binary("RealDiv", np.true_divide, FLOAT_COMPLEX, grad=_realdiv_grad, silent=True,
                 infix="÷", scalar="({0} / {1})")
def _power(x: Any, y: Any) -> Any:
    """C's pow, as TF computes it. NumPy turns a constant exponent of 0.5 into a square root,
    which differs at -inf (nan, not pow's inf) and -0 (-0, not 0): those two are mended."""
    result = np.power(x, y)
    if np.ndim(y) == 0 and np.asarray(y).dtype.kind == "f" and y == 0.5:
        result = np.where(np.asarray(x) == -np.inf, np.inf, result) + 0.0  # NOTE: -0 + 0 is 0
        return result.astype(np.result_type(x), copy=False)
    return result


pow = binary("Pow", _power, SIGNED_NUMERIC, grad=_pow_grad, silent=True,  # noqa: A001
             infix="^")
# NOTE: NumPy's maximum and minimum as scalar rules: nan when either is nan, else the second
# when they are equal (so a zero's sign follows NumPy's); Python's max drops a second nan.
_NAN_MAXIMUM = "({0} if {0} > {1} or {0} != {0} else {1})"
_NAN_MINIMUM = "({0} if {0} < {1} or {0} != {0} else {1})"
maximum = binary("Maximum", np.maximum, _ORDERED, grad=_maximum_grad, scalar=_NAN_MAXIMUM)
minimum = binary("Minimum", np.minimum, _ORDERED, grad=_minimum_grad, scalar=_NAN_MINIMUM)


def _squared_difference(x: Any, y: Any) -> Any:
    difference = np.subtract(x, y)
    return difference * np.conj(difference) if difference.dtype.kind == "c" else \
        np.square(difference)


def _squared_difference_grad(op: Any, g: Tensor) -> list:
    x_grad = multiply(multiply(g, 2.0), subtract(*op.inputs))
    return [x_grad, negative(x_grad)]


squared_difference = binary("SquaredDifference", _squared_difference, _FLOAT_INT_COMPLEX,
                            grad=_squared_difference_grad, silent=True,
                            scalar="(({0} - {1}) * ({0} - {1}))")


def _atan2_grad(op: Any, g: Tensor) -> list:
    y, x = op.inputs
    scaled = realdiv(g, add(square(x), square(y)))
    return [multiply(x, scaled), multiply(negative(y), scaled)]


register("Atan2", broadcast_infer("Atan2", FLOATS), lambda op: quiet(np.arctan2),
         grad=_atan2_grad, broadcasts=True, elementwise=True)


def atan2(y: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise arctangent of `y / x`, using the signs of both to pick the quadrant."""
    return single(apply_op("Atan2", [y, x], name=name, arg_names=("y", "x"), same_dtype=True))


def _negative_infer(inputs: list, attrs: dict) -> list:
    return [(check_dtype(inputs[0], SIGNED_NUMERIC), inputs[0]._dims)]


def _negative_grad(op: Any, g: Tensor) -> list:
    return [negative(g)]


register("Neg", _negative_infer, lambda op: np.negative, grad=_negative_grad, scalar="(-{0})")


def negative(x: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise `-x`."""
    return single(apply_op("Neg", [x], name=name))


def scalar_mul(scalar: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """`scalar * x` for a scalar of `x`'s dtype (a `Mul` op)."""
    x = convert_to_tensor(x, name="x")
    scalar = _converted(scalar, x.dtype, "scalar")
    if scalar._dims != ():
        raise ValueError(f"Only scalar multiply works, got shape {format_dims(scalar._dims)}")
    return multiply(scalar, x, name=name)


# --- integer-aware division ----------------------------------------------------------------------

def _checked_integer_division(fn: Callable) -> Callable:
    def divide(x: Any, y: Any) -> Any:
        # NOTE: NumPy gives 0 and a warning; TF refuses (unless nothing is divided at all)
        if not np.logical_and.reduce(y, None) and np.size(x) and np.size(y):
            raise ZeroDivisionError("Integer division by zero")
        return fn(x, y)
    return divide


def _truncate_divide_integers(x: Any, y: Any) -> Any:
    quotient = np.floor_divide(x, y)
    rounded_down = (np.remainder(x, y) != 0) & ((np.asarray(x) < 0) != (np.asarray(y) < 0))
    return quotient + rounded_down.astype(quotient.dtype)


def _division(op_type: str, float_fn: Callable, integer_fn: Callable, grad: Any = None,
              allowed: Sequence[d.DType] = REAL) -> Callable:
    """Register a division-like op whose integer kernel refuses a zero divisor."""
    def kernel(op: Any) -> Callable:
        if op._outputs[0]._dtype.is_integer:
            return _checked_integer_division(integer_fn)
        return quiet(float_fn)
    register(op_type, broadcast_infer(op_type, allowed), kernel, grad=grad, broadcasts=True,
             elementwise=True)

    def build(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
        return single(apply_op(op_type, [x, y], name=name, same_dtype=True))
    build.__name__ = op_type.lower()
    build.__doc__ = f"Elementwise `{op_type}` of `x` and `y`, with NumPy broadcasting."
    return build


def _floormod_grad(op: Any, g: Tensor) -> list:
    return [g, multiply(g, negative(floor_div(*op.inputs)))]


def _floor_divide_floats(x: Any, y: Any) -> Any:
    """TF's float floor division, floor(x / y): float32 `1.0 // 0.1` is 10 (the rounded quotient
    is 10), `inf // -2.5` is -inf; NumPy's exact remainder-based rule gives 9 and nan."""
    return np.floor(np.true_divide(x, y))


floor_div = _division("FloorDiv", _floor_divide_floats, np.floor_divide, grad=NOT_DIFFERENTIABLE)
def _floor_mod_floats(x: Any, y: Any) -> Any:
    """TF's float floor mod: fmod, then y added when the remainder is not 0 and its sign is not
    y's; so a zero remainder keeps x's sign (NumPy's takes y's: 2.0 % -0.25 is -0.0)."""
    remainder = np.fmod(x, y)
    wrong_sign = (remainder != 0) & ((y < 0) != (remainder < 0))
    return np.where(wrong_sign, remainder + y, remainder)


floormod = _division("FloorMod", _floor_mod_floats, np.remainder, grad=_floormod_grad)
truncatediv = _division("TruncateDiv", lambda x, y: np.trunc(np.true_divide(x, y)),
                        _truncate_divide_integers, grad=NOT_DIFFERENTIABLE)
truncatemod = _division("TruncateMod", np.fmod, np.fmod, grad=NO_GRADIENT_REGISTERED,
                        allowed=FLOATS + (d.int32, d.int64))
mod = floormod


def floordiv(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`x // y`, rounding toward negative infinity (a `FloorDiv` op named 'floordiv')."""
    with op_scope(name, "floordiv", [x, y]) as scope:
        return floor_div(x, y, name=scope)


# NOTE: TF's `/` casts both integer operands to this float type before dividing.
_TRUEDIV_TABLE = {d.uint8: d.float32, d.int8: d.float32, d.uint16: d.float32,
                  d.int16: d.float32, d.int32: d.float64, d.int64: d.float64,
                  d.uint32: d.float64, d.uint64: d.float64,
                  d.float16: None, d.float32: None, d.float64: None, d.complex64: None,
                  d.complex128: None}


def _same_dtype_pair(x: Tensor, y: Tensor) -> d.DType:
    if x.dtype is not y.dtype:
        raise TypeError(f"x and y must have the same dtype, got {x.dtype!r} != {y.dtype!r}")
    return x.dtype


def _float_operands(x: Tensor, y: Tensor, what: str) -> tuple[Tensor, Tensor]:
    """Operands of one dtype, integers cast to TF's float type for true division."""
    dtype = _same_dtype_pair(x, y)
    if dtype not in _TRUEDIV_TABLE:
        raise TypeError(f"Invalid dtype {dtype!r} in {what}")
    target = _TRUEDIV_TABLE[dtype]
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    return x, y


def truediv(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Python 3 division: integer operands are cast to floating point first (int32 -> float64)."""
    with op_scope(name, "truediv", [x, y]) as scope:
        x, y = _float_operands(*_operands(x, y), "__truediv__")
        return realdiv(x, y, name=scope)


def divide(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`x / y` (true division); a Python `x` takes the dtype of a tensor `y`."""
    if _dtype_of(x) is None and _dtype_of(y) is not None:
        x = _converted(x, _dtype_of(y), "x")
    return truediv(x, y, name=name)


def div(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """TF1's legacy division: floor division for integers, true division for floats."""
    with op_scope(name, "div", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, x.dtype, name="y")
        dtype = _same_dtype_pair(x, y)
        if dtype.is_floating or dtype.is_complex:
            return realdiv(x, y, name=scope)
        return floor_div(x, y, name=scope)


def _divide_no_nan(x: Any, y: Any) -> Any:
    result = np.true_divide(x, y)
    return np.where(np.asarray(y) == 0, np.zeros((), result.dtype), result)


def _div_no_nan_grad(op: Any, g: Tensor) -> list:
    x, y = op.inputs
    return [div_no_nan(g, y), multiply(g, div_no_nan(div_no_nan(negative(x), y), y))]


register("DivNoNan", broadcast_infer("DivNoNan", FLOAT_COMPLEX), lambda op: quiet(_divide_no_nan),
         grad=_div_no_nan_grad, broadcasts=True, elementwise=True)


def div_no_nan(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`x / y`, but 0 wherever `y` is 0; integers are cast to floating point first, as `/`."""
    with op_scope(name, "div_no_nan", [x, y]) as scope:
        x, y = _float_operands(*_operands_either_way(x, y), "div_no_nan")
        return single(apply_op("DivNoNan", [x, y], name=scope))


divide_no_nan = div_no_nan


# --- AddN and AccumulateNV2 ----------------------------------------------------------------------

_INPUTS_MESSAGE = ("inputs must be a list of at least one Tensor/IndexedSlices with the same "
                   "dtype and shape")


def _list_dtype(op_type: str, inputs: list) -> d.DType:
    first = inputs[0]._dtype
    if any(t._dtype is not first for t in inputs):
        names = ", ".join(t._dtype.name for t in inputs)
        raise TypeError(f"Tensors in list passed to 'inputs' of '{op_type}' Op have types "
                        f"[{names}] that don't all match.")
    return check_dtype(inputs[0], NUMERIC, "inputs")


def _sum_list_infer(op_type: str) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        dtype = _list_dtype(op_type, inputs)
        dims = attrs.get("shape")
        for t in inputs:
            dims = merged_shape(dims, t._dims)
        return [(dtype, dims)]
    return infer


def _sum_list_scalar(op: Any) -> str:
    """AddN's fused rule: its inputs added left to right, as its kernel does."""
    return "(" + " + ".join(f"{{{i}}}" for i in range(len(op._inputs))) + ")"


def _sum_list_kernel(op: Any) -> Callable:
    # NOTE: inference merged the inputs' shapes: when all are fully known they agree, and the
    # run-time check is skipped
    checked = any(t._dims is None or None in t._dims for t in op._inputs)

    def add_all(*arrays: Any) -> Any:
        if checked:
            shape = np.shape(arrays[0])
            for i, array in enumerate(arrays[1:], start=1):
                if np.shape(array) != shape:
                    raise ValueError(
                        f"Inputs to operation {op.name} of type {op.type} must have the same "
                        f"size and shape.  Input 0: {list(shape)} != input {i}: "
                        f"{list(np.shape(array))}")
        if len(arrays) == 1:  # NOTE: a new array all the same: the result is never the input
            return np.array(arrays[0])
        total = np.add(arrays[0], arrays[1])
        if type(total) is not np.ndarray:  # NOTE: scalars: nothing to accumulate into
            return functools.reduce(np.add, arrays[2:], total)
        for array in arrays[2:]:
            np.add(total, array, total)  # NOTE: one new array, accumulated in place
        return total
    return add_all


def _sum_list_grad(op: Any, g: Tensor) -> list:
    return [g] * len(op.inputs)


register("AddN", _sum_list_infer("AddN"), _sum_list_kernel, grad=_sum_list_grad, fresh=True,
         scalar=_sum_list_scalar)
register("AccumulateNV2", _sum_list_infer("AccumulateNV2"), _sum_list_kernel, grad=_sum_list_grad,
         fresh=True)


def _tensor_list(inputs: Any) -> list:
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError(_INPUTS_MESSAGE)
    return [convert_to_tensor(value) for value in inputs]


def add_n(inputs: Sequence[Any], name: Optional[str] = None) -> Tensor:
    """The elementwise sum of a list of tensors of one dtype and shape (an `AddN` op)."""
    tensors = _tensor_list(inputs)
    if len(tensors) == 1:  # NOTE: TF adds no op for a single input unless it must be named.
        return identity(tensors[0], name=name) if name else tensors[0]
    return single(apply_op("AddN", tensors, {"N": len(tensors)}, name))


def accumulate_n(inputs: Sequence[Any], shape: Any = None, tensor_dtype: Any = None,
                 name: Optional[str] = None) -> Tensor:
    """As `add_n` (an AddN, as TF 2 builds it), checking the inputs' `shape` and
    `tensor_dtype` first. (The AccumulateNV2 op remains for graphs that hold one.)"""
    tensors = _tensor_list(inputs)
    if any(t.dtype is not tensors[0].dtype for t in tensors):
        raise ValueError(_INPUTS_MESSAGE)
    wanted = None if shape is None else as_dims(shape)
    for t in tensors:
        if not dims_compatible(wanted, t._dims):
            raise ValueError(f"Shapes {format_dims(wanted)} and {format_dims(t._dims)} are not "
                             "compatible")
    if tensor_dtype is not None and d.as_dtype(tensor_dtype) is not tensors[0].dtype:
        raise TypeError(f"tensor_dtype is {d.as_dtype(tensor_dtype)!r}, but input is of type "
                        f"{tensors[0].dtype!r}")
    if len(tensors) == 1:
        return identity(tensors[0], name=name) if name else tensors[0]
    return add_n(tensors, name=name)


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any,
                  name: Optional[str] = None) -> Tensor:
    """`t` clipped to [clip_value_min, clip_value_max] (a Minimum, then a Maximum)."""
    with op_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        t = convert_to_tensor(t, name="t")
        lowered = minimum(t, clip_value_max)
        _check_not_broadcast(t, lowered)
        clipped = maximum(lowered, clip_value_min, name=scope)
        _check_not_broadcast(t, clipped)
        return clipped


def _check_not_broadcast(t: Tensor, result: Tensor) -> None:
    # NOTE: TF merges the shapes so that a clip value cannot silently broadcast `t`.
    if not dims_compatible(t._dims, result._dims):
        raise ValueError(f"Shapes {format_dims(t._dims)} and {format_dims(result._dims)} are not "
                         "compatible")


# --- elementwise functions -----------------------------------------------------------------------

def _sign(x: Any) -> Any:
    if x.dtype.kind != "c":
        return np.sign(x)
    magnitude = np.abs(x)  # NOTE: NumPy < 2 takes the sign of the real part only.
    return np.where(magnitude == 0, np.zeros((), x.dtype), x / magnitude).astype(x.dtype)


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + np.exp(-x))


def _erf(x: Any) -> Any:
    values = np.vectorize(math.erf, otypes=[np.float64])(x)
    return values.astype(x.dtype)


def _sign_grad(op: Any, g: Tensor) -> list:
    return [array_ops.zeros_like(op.inputs[0])]


sign = unary("Sign", _sign, _SIGNED_REAL + COMPLEX, grad=_sign_grad)


def _square_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, multiply(op.inputs[0], 2.0))]


square = unary("Square", np.square, NUMERIC, grad=_square_grad, scalar="({0} * {0})")


# --- Sqrt, Rsqrt, Reciprocal and their gradient ops -------------------------------------------
# NOTE: TF's SqrtGrad, RsqrtGrad and ReciprocalGrad give 0 wherever the incoming gradient is 0,
# even where the derivative is infinite or nan: that keeps `tf.where(x > 0, tf.sqrt(x), 0)`
# differentiable at 0, where the untaken branch's gradient is 0 * inf.

def _gradient_op(op_type: str, derivative: Callable) -> Callable:
    """Register `op_type(y, dy)`: `derivative(y, dy)`, and 0 where dy is 0; returns its builder."""
    def kernel(y: Any, dy: Any) -> Any:
        result = np.asarray(derivative(y, dy))
        zero = np.asarray(dy) == 0
        return np.where(zero, np.zeros((), result.dtype), result) if zero.any() else result
    register(op_type, broadcast_infer(op_type, FLOAT_COMPLEX), lambda op: quiet(kernel),
             grad=_GRADIENT_OP_GRADS[op_type], elementwise=True)

    def build(y: Tensor, dy: Tensor, name: Optional[str] = None) -> Tensor:
        return single(apply_op(op_type, [y, dy], name=name, arg_names=("y", "dy")))
    return build


def _sqrt_grad_grad(op: Any, g: Tensor) -> list:
    """TF's rule: with a = y, d(0.5 dy / a) is -g dy / (2 a^2) for a, 0.5 g / a for dy."""
    ga = realdiv(g, op.inputs[0])
    return [multiply(negative(ga), op.outputs[0]), multiply(ga, 0.5)]


def _rsqrt_grad_grad(op: Any, g: Tensor) -> list:
    a, b = op.inputs
    return [multiply(multiply(g, -1.5), multiply(b, square(a))), rsqrt_grad(a, g)]


def _reciprocal_grad_grad(op: Any, g: Tensor) -> list:
    a, b = op.inputs
    return [multiply(multiply(g, -2.0), multiply(b, a)), reciprocal_grad(a, g)]


_GRADIENT_OP_GRADS = {"SqrtGrad": _sqrt_grad_grad, "RsqrtGrad": _rsqrt_grad_grad,
                      "ReciprocalGrad": _reciprocal_grad_grad}
sqrt_grad = _gradient_op("SqrtGrad", lambda y, dy: dy * np.asarray(0.5, y.dtype) / y)
rsqrt_grad = _gradient_op("RsqrtGrad", lambda y, dy: dy * np.asarray(-0.5, y.dtype) * y * y * y)
reciprocal_grad = _gradient_op("ReciprocalGrad", lambda y, dy: -dy * y * y)


def _sqrt_grad(op: Any, g: Tensor) -> list:
    return [sqrt_grad(op.outputs[0], g)]


sqrt = unary("Sqrt", np.sqrt, grad=_sqrt_grad, scalar="np.sqrt({0})")


def _rsqrt_grad(op: Any, g: Tensor) -> list:
    return [rsqrt_grad(op.outputs[0], g)]


rsqrt = unary("Rsqrt", lambda x: 1 / np.sqrt(x), grad=_rsqrt_grad,
              scalar="({t}(1) / np.sqrt({0}))")


def _exp_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, op.outputs[0])]


exp = unary("Exp", np.exp, grad=_exp_grad, scalar="np.exp({0})")


def _expm1_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, exp(op.inputs[0]))]


expm1 = unary("Expm1", np.expm1, grad=_expm1_grad)


def _log_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, reciprocal(op.inputs[0]))]


log = unary("Log", np.log, grad=_log_grad, scalar="np.log({0})")


def _log1p_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, reciprocal(add(op.inputs[0], 1)))]


log1p = unary("Log1p", np.log1p, grad=_log1p_grad)


def _sin_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, cos(op.inputs[0]))]


sin = unary("Sin", np.sin, grad=_sin_grad, scalar="np.sin({0})")


def _cos_grad(op: Any, g: Tensor) -> list:
    return [multiply(negative(g), sin(op.inputs[0]))]


cos = unary("Cos", np.cos, grad=_cos_grad, scalar="np.cos({0})")


def _tan_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, square(reciprocal(cos(op.inputs[0]))))]


tan = unary("Tan", np.tan, grad=_tan_grad)


def _asin_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, rsqrt(1 - square(op.inputs[0])))]


asin = unary("Asin", np.arcsin, grad=_asin_grad)


def _acos_grad(op: Any, g: Tensor) -> list:
    return [multiply(negative(g), rsqrt(1 - square(op.inputs[0])))]


acos = unary("Acos", np.arccos, grad=_acos_grad)


def _atan_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, reciprocal(add(square(op.inputs[0]), 1)))]


atan = unary("Atan", np.arctan, grad=_atan_grad)


def _sinh_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, cosh(op.inputs[0]))]


sinh = unary("Sinh", np.sinh, grad=_sinh_grad)


def _cosh_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, sinh(op.inputs[0]))]


cosh = unary("Cosh", np.cosh, grad=_cosh_grad)


def _tanh_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, 1 - square(op.outputs[0]))]


tanh = unary("Tanh", np.tanh, grad=_tanh_grad, scalar="np.tanh({0})")


def _asinh_grad(op: Any, g: Tensor) -> list:
    return [realdiv(g, cosh(op.outputs[0]))]


asinh = unary("Asinh", np.arcsinh, grad=_asinh_grad)


def _acosh_grad(op: Any, g: Tensor) -> list:
    return [realdiv(g, sinh(op.outputs[0]))]


acosh = unary("Acosh", np.arccosh, grad=_acosh_grad)


def _atanh_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, reciprocal(1 - square(op.inputs[0])))]


atanh = unary("Atanh", np.arctanh, grad=_atanh_grad)


def _sigmoid_grad(op: Any, g: Tensor) -> list:
    y = op.outputs[0]
    return [multiply(g, multiply(y, 1 - y))]


sigmoid = unary("Sigmoid", _sigmoid, grad=_sigmoid_grad,
                scalar="({t}(1) / ({t}(1) + np.exp(-{0})))")


def _reciprocal_grad(op: Any, g: Tensor) -> list:
    return [reciprocal_grad(op.outputs[0], g)]


reciprocal = unary("Reciprocal", np.reciprocal, FLOAT_COMPLEX, grad=_reciprocal_grad)


floor = unary("Floor", np.floor, FLOATS, grad=NOT_DIFFERENTIABLE)
ceil = unary("Ceil", np.ceil, FLOATS, grad=NOT_DIFFERENTIABLE)
rint = unary("Rint", np.rint, FLOATS, grad=NOT_DIFFERENTIABLE)


def _erf_grad(op: Any, g: Tensor) -> list:
    x = op.inputs[0]
    return [multiply(g, multiply(exp(negative(square(x))), 2 / math.sqrt(math.pi)))]


erf = unary("Erf", _erf, FLOATS, grad=_erf_grad)


def _test_infer(inputs: list, attrs: dict) -> list:
    check_dtype(inputs[0], FLOATS)
    return [(d.bool, inputs[0]._dims)]


def _elementwise_test(op_type: str, fn: Callable) -> Callable:
    """Register a float -> bool elementwise test (IsNan, ...) and return its builder."""
    register(op_type, _test_infer, lambda op: fn, grad=NOT_DIFFERENTIABLE)

    def build(x: Any, name: Optional[str] = None) -> Tensor:
        return single(apply_op(op_type, [x], name=name))
    build.__name__ = op_type.lower()
    build.__doc__ = f"Elementwise `{op_type}` of `x` (a bool tensor)."
    return build


is_nan = _elementwise_test("IsNan", np.isnan)
is_inf = _elementwise_test("IsInf", np.isinf)
is_finite = _elementwise_test("IsFinite", np.isfinite)


def _abs_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, sign(op.inputs[0]))]


register("Abs", lambda inputs, attrs: [(check_dtype(inputs[0], _SIGNED_REAL), inputs[0]._dims)],
         lambda op: np.abs, grad=_abs_grad, scalar="abs({0})")


def _complex_abs_infer(inputs: list, attrs: dict) -> list:
    return [(check_dtype(inputs[0], COMPLEX).real_dtype, inputs[0]._dims)]


# NOTE: complex gradients (TF's conjugate rules) are out of scope here.
register("ComplexAbs", _complex_abs_infer, lambda op: np.abs, grad=NOT_DIFFERENTIABLE)


def abs(x: Any, name: Optional[str] = None) -> Tensor:  # noqa: A001 - TF's name
    """Elementwise |x|; for complex `x`, the magnitude as a real tensor (`ComplexAbs`)."""
    with op_scope(name, "Abs", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.is_complex:
            attrs = {"Tout": x.dtype.real_dtype}
            return single(apply_op("ComplexAbs", [x], attrs, scope))
        return single(apply_op("Abs", [x], name=scope))


def _round_kernel(op: Any) -> Callable:
    return _identity_kernel if op._inputs[0]._dtype.is_integer else np.rint


register("Round", lambda inputs, attrs: [(check_dtype(inputs[0], _FLOAT_INT_COMPLEX),
                                          inputs[0]._dims)], _round_kernel,
         grad=NOT_DIFFERENTIABLE)


def round(x: Any, name: Optional[str] = None) -> Tensor:  # noqa: A001 - TF's name
    """Elementwise rounding, halves to even (`round(2.5) == 2`); integers pass through."""
    x = convert_to_tensor(x, name="x")
    if x.dtype.is_integer:
        return x
    return single(apply_op("Round", [x], name=name))


def _complex_part_infer(inputs: list, attrs: dict) -> list:
    return [(check_dtype(inputs[0], COMPLEX, "input").real_dtype, inputs[0]._dims)]


# NOTE: complex gradients are out of scope (see ComplexAbs).
register("Conj", lambda inputs, attrs: [(check_dtype(inputs[0], COMPLEX, "input"),
                                         inputs[0]._dims)], lambda op: np.conj,
         grad=NOT_DIFFERENTIABLE)
register("Real", _complex_part_infer, lambda op: np.real, grad=NOT_DIFFERENTIABLE)
register("Imag", _complex_part_infer, lambda op: np.imag, grad=NOT_DIFFERENTIABLE)


def _complex_infer(inputs: list, attrs: dict) -> list:
    real_part, imag_part = inputs
    dtype = check_same_dtype("Complex", inputs, ("real", "imag"))
    check_dtype(real_part, (d.float32, d.float64), "real")
    complex_type = d.complex64 if dtype is d.float32 else d.complex128
    return [(complex_type, broadcast_dims(real_part._dims, imag_part._dims))]


register("Complex", _complex_infer, lambda op: lambda re, im: np.asarray(re + 1j * im).astype(
    op._outputs[0]._dtype.as_numpy_dtype), grad=no_gradient(
        "No gradient defined for operation '{name}' (op type: {type}): gradients through complex "
        "numbers are not supported by session_magic yet"), broadcasts=True, elementwise=True)


def complex(real: Any, imag: Any, name: Optional[str] = None) -> Tensor:  # noqa: A001
    """The complex numbers `real + imag * 1j` (float32 parts give complex64)."""
    with op_scope(name, "Complex", [real, imag]) as scope:
        real_part, imag_part = _operands(real, imag, ("real", "imag"))
        return single(apply_op("Complex", [real_part, imag_part], name=scope))


def conj(x: Any, name: Optional[str] = None) -> Tensor:
    """The complex conjugate of `x`; real tensors are returned as they are."""
    if isinstance(x, Tensor) and (x.dtype.is_floating or x.dtype.is_integer):
        return x
    with op_scope(name, "Conj", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.is_complex:
            return single(apply_op("Conj", [x], name=scope, arg_names=("input",)))
        if x.dtype.is_floating or x.dtype.is_integer:
            return x
        raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype!r}")


def real(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002 - TF's name
    """The real part of a complex tensor; a real tensor is returned as it is."""
    with op_scope(name, "Real", [input]) as scope:
        x = convert_to_tensor(input, name="input")
        if x.dtype.is_complex:
            return single(apply_op("Real", [x], {"Tout": x.dtype.real_dtype}, scope))
        if x.dtype is d.bool or x.dtype is d.string:
            raise TypeError(f"input must be a numeric tensor, but got tensor with dtype "
                            f"{x.dtype.name}")
        return x


def imag(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002 - TF's name
    """The imaginary part of a complex tensor; zeros for a real tensor."""
    with op_scope(name, "Imag", [input]) as scope:
        x = convert_to_tensor(input, name="input")
        if not x.dtype.is_complex:
            return array_ops.zeros_like(x, name=scope)
        return single(apply_op("Imag", [x], {"Tout": x.dtype.real_dtype}, scope))


# --- comparisons and logic -----------------------------------------------------------------------

_EQUATABLE = NUMERIC + (d.bool, d.string)

equal = binary("Equal", lambda x, y: np.asarray(np.equal(x, y), dtype=bool), _EQUATABLE,
               out_dtype=d.bool)
not_equal = binary("NotEqual", lambda x, y: np.asarray(np.not_equal(x, y), dtype=bool),
                   _EQUATABLE, out_dtype=d.bool)
less = binary("Less", np.less, _ORDERED, out_dtype=d.bool, scalar="({0} < {1})")
less_equal = binary("LessEqual", np.less_equal, _ORDERED, out_dtype=d.bool,
                    scalar="({0} <= {1})")
greater = binary("Greater", np.greater, _ORDERED, out_dtype=d.bool, scalar="({0} > {1})")
greater_equal = binary("GreaterEqual", np.greater_equal, _ORDERED, out_dtype=d.bool,
                       scalar="({0} >= {1})")
logical_and = binary("LogicalAnd", np.logical_and, (d.bool,), out_dtype=d.bool)
logical_or = binary("LogicalOr", np.logical_or, (d.bool,), out_dtype=d.bool)


logical_not = unary("LogicalNot", np.logical_not, (d.bool,), grad=NOT_DIFFERENTIABLE)


def logical_xor(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise exclusive or of booleans, as TF builds it: (x or y) and not (x and y)."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)),
                       name=name or "LogicalXor")


# --- Cast ----------------------------------------------------------------------------------------

def _cast_infer(inputs: list, attrs: dict) -> list:
    source, target = inputs[0]._dtype, attrs["DstT"]
    if (source is d.string) != (target is d.string):
        raise TypeError(f"Cast {source.name} to {target.name} is not supported")
    return [(target, inputs[0]._dims)]


def _cast_kernel(op: Any) -> Callable:
    numpy_type = op._attrs["DstT"].as_numpy_dtype
    drop_imaginary = op._inputs[0]._dtype.is_complex and not op._attrs["DstT"].is_complex

    def convert(x: Any) -> Any:
        # NOTE: taking the real part first avoids NumPy's ComplexWarning; TF drops it silently.
        return np.asarray(np.real(x) if drop_imaginary else x).astype(numpy_type)
    return quiet(convert)


def _cast_scalar(op: Any) -> Optional[str]:
    """Cast's fused rule: the conversion every fused step ends with; only to a float, or
    between ints (wrapping): a float cast to an int is undefined in compiled code for nan and
    out-of-range values, where NumPy has results of its own."""
    source, target = op._inputs[0]._dtype, op._attrs["DstT"]
    if target.is_floating or (target.is_integer and (source.is_integer or source.is_bool)):
        return "{0}"
    return None


def _cast_grad(op: Any, g: Tensor) -> list:
    """As TF: the gradient is cast back between float (or complex) types, and stops at ints."""
    source = op.inputs[0]._dtype
    if _carries_gradient(source) and _carries_gradient(g._dtype):
        return [cast(g, source)]
    return [None]


def _carries_gradient(dtype: d.DType) -> bool:
    return dtype.is_floating or dtype.is_complex


register("Cast", _cast_infer, _cast_kernel, grad=_cast_grad, scalar=_cast_scalar)


def cast(x: Any, dtype: Any, name: Optional[str] = None) -> Tensor:
    """`x` converted to `dtype` (floats to ints truncate toward zero, as in TF)."""
    dtype = d.as_dtype(dtype)
    if isinstance(x, Tensor) and x.dtype is dtype:
        return x
    with op_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype is dtype:
            return x
        attrs = {"SrcT": x.dtype, "DstT": dtype, "Truncate": False}
        return single(apply_op("Cast", [x], attrs, scope))


def saturate_cast(value: Any, dtype: Any, name: Optional[str] = None) -> Tensor:
    """`value` clamped to the range of `dtype`, then cast to it; as TF 2.21, every real value is
    clamped (so `saturate_cast(-inf, float32)` is float32's lowest), and a complex value to a
    real dtype gives its real part."""
    with op_scope(name, "saturate_cast", [value]) as scope:
        value = convert_to_tensor(value, name="value")
        dtype = d.as_dtype(dtype)
        if value.dtype.is_complex and dtype.is_complex:
            parts = [saturate_cast(part(value), dtype.real_dtype) for part in (real, imag)]
            return cast(complex(*parts), dtype, name=scope)
        if value.dtype.is_complex:
            value = real(value)
        if _has_limits(value.dtype) and _has_limits(dtype):
            low, high = _clamp_limits(value.dtype, dtype)
            with op_scope(None, "clamp", [value]):
                value = minimum(maximum(value, convert_to_tensor(low, value.dtype)),
                                convert_to_tensor(high, value.dtype))
        return cast(value, dtype, name=scope)


def _has_limits(dtype: d.DType) -> bool:
    return dtype.is_floating or dtype.is_integer


def _clamp_limits(source: d.DType, target: d.DType) -> tuple:
    """TF's limits, in `source`'s type: the narrower range of the two, each end moved one step
    toward zero if rounding into `source` pushed it past `target`'s range (float32(int32 max)
    rounds up to 2**31, which would wrap to int32's minimum)."""
    kind = source.as_numpy_dtype
    with np.errstate(all="ignore"):  # NOTE: float16(int32 max) is inf, on purpose
        try:
            promoted = np.promote_types(kind, target.as_numpy_dtype)
        except TypeError:
            promoted = np.float64
        low = kind(np.maximum(source.min, target.min))
        if np.array([low, target.min], promoted)[0] < np.array([low, target.min], promoted)[1]:
            low = np.nextafter(low, kind(0), dtype=kind)
        high = kind(np.minimum(float(source.max), float(target.max)))
        if np.array([high, target.max], promoted)[0] > np.array([high, target.max], promoted)[1]:
            high = np.nextafter(high, kind(0), dtype=kind)
    return low, high


def to_float(x: Any, name: str = "ToFloat") -> Tensor:
    """`cast(x, float32)`, named 'ToFloat' (TF1)."""
    return cast(x, d.float32, name=name)


def to_double(x: Any, name: str = "ToDouble") -> Tensor:
    """`cast(x, float64)`, named 'ToDouble' (TF1)."""
    return cast(x, d.float64, name=name)


def to_int32(x: Any, name: str = "ToInt32") -> Tensor:
    """`cast(x, int32)`, named 'ToInt32' (TF1)."""
    return cast(x, d.int32, name=name)


def to_int64(x: Any, name: str = "ToInt64") -> Tensor:
    """`cast(x, int64)`, named 'ToInt64' (TF1)."""
    return cast(x, d.int64, name=name)


# --- MatMul and BatchMatMulV2 --------------------------------------------------------------------

_MATMUL_TYPES = _FLOAT_INT_COMPLEX
_BATCH_MATMUL_TYPES = _MATMUL_TYPES + (d.int16,)  # NOTE: TF's batched kernel has int16 too


def _matrix_dims(dims: Any, transpose: bool) -> tuple:
    """(rows, columns) of a matrix operand, after the optional transpose."""
    if dims is None:
        return (None, None)
    if len(dims) != 2:
        raise ShapeError(f"Shape must be rank 2 but is rank {len(dims)}")
    return (dims[1], dims[0]) if transpose else tuple(dims)


def _matmul_infer(inputs: list, attrs: dict) -> list:
    dtype = check_same_dtype("MatMul", inputs, ("a", "b"))
    check_dtype(inputs[0], _MATMUL_TYPES, "a")
    rows, inner_a = _matrix_dims(inputs[0]._dims, attrs["transpose_a"])
    inner_b, columns = _matrix_dims(inputs[1]._dims, attrs["transpose_b"])
    _merge_dim(inner_a, inner_b)
    return [(dtype, (rows, columns))]


def _matmul_kernel(op: Any) -> Callable:
    transpose_a, transpose_b = op._attrs["transpose_a"], op._attrs["transpose_b"]
    if not transpose_a and not transpose_b:
        return np.matmul

    def matmul(a: Any, b: Any) -> Any:
        return np.matmul(a.T if transpose_a else a, b.T if transpose_b else b)
    return matmul


def _matmul_grad(op: Any, g: Tensor) -> list:
    a, b = op.inputs
    transpose_a, transpose_b = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    if not transpose_a and not transpose_b:
        return [matmul(g, b, transpose_b=True), matmul(a, g, transpose_a=True)]
    if not transpose_a:
        return [matmul(g, b), matmul(g, a, transpose_a=True)]
    if not transpose_b:
        return [matmul(b, g, transpose_b=True), matmul(a, g)]
    return [matmul(b, g, transpose_a=True, transpose_b=True),
            matmul(g, a, transpose_a=True, transpose_b=True)]


register("MatMul", _matmul_infer, _matmul_kernel, grad=_matmul_grad, fresh=True)


def _last_two(dims: Any, adjoint: bool) -> tuple:
    if len(dims) < 2:
        raise ShapeError(f"Shape must be at least rank 2 but is rank {len(dims)}")
    return (dims[-1], dims[-2]) if adjoint else (dims[-2], dims[-1])


def _batch_matmul_infer(inputs: list, attrs: dict) -> list:
    x, y = inputs
    dtype = check_same_dtype("BatchMatMulV2", inputs)
    check_dtype(x, _BATCH_MATMUL_TYPES)
    if x._dims is None or y._dims is None:
        return [(dtype, None)]
    rows, inner_x = _last_two(x._dims, attrs["adj_x"])
    inner_y, columns = _last_two(y._dims, attrs["adj_y"])
    _merge_dim(inner_x, inner_y)
    return [(dtype, broadcast_dims(x._dims[:-2], y._dims[:-2]) + (rows, columns))]


def _adjoint(x: Any) -> Any:
    swapped = np.swapaxes(x, -1, -2)
    return np.conj(swapped) if swapped.dtype.kind == "c" else swapped


def _batch_matmul_kernel(op: Any) -> Callable:
    adj_x, adj_y = op._attrs["adj_x"], op._attrs["adj_y"]

    def batch_matmul(x: Any, y: Any) -> Any:
        return np.matmul(_adjoint(x) if adj_x else x, _adjoint(y) if adj_y else y)
    return batch_matmul


def _batch_matmul_grad(op: Any, g: Tensor) -> list:
    """TF's rule; the full-batch gradients are summed over broadcast batch dims unless both
    inputs' batch dims are known and equal (then, as TF, they keep the shapes they have)."""
    x, y = op.inputs
    adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
    if not adj_x and not adj_y:
        grads = [matmul(g, y, adjoint_b=True), matmul(x, g, adjoint_a=True)]
    elif not adj_x:
        grads = [matmul(g, y), matmul(g, x, adjoint_a=True)]
    elif not adj_y:
        grads = [matmul(y, g, adjoint_b=True), matmul(x, g)]
    else:
        grads = [matmul(y, g, adjoint_a=True, adjoint_b=True),
                 matmul(g, x, adjoint_a=True, adjoint_b=True)]
    batch_x, batch_y = (None if t._dims is None else t._dims[:-2] for t in (x, y))
    if batch_x is not None and batch_x == batch_y and None not in batch_x:
        return grads
    return [sum_to_shape(grad, t) for grad, t in zip(grads, (x, y), strict=True)]


register("BatchMatMulV2", _batch_matmul_infer, _batch_matmul_kernel, grad=_batch_matmul_grad)


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, name: Optional[str] = None) -> Tensor:
    """The matrix product `a @ b` (MatMul for matrices, BatchMatMulV2 for batches of them)."""
    transpose_a, transpose_b = (bool_arg(transpose_a, "transpose_a"),
                                bool_arg(transpose_b, "transpose_b"))
    adjoint_a, adjoint_b = bool_arg(adjoint_a, "adjoint_a"), bool_arg(adjoint_b, "adjoint_b")
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    with op_scope(name, "MatMul", [a, b]) as scope:
        a, b = convert_to_tensor(a, name="a"), convert_to_tensor(b, name="b")
        if _is_batch(a) or _is_batch(b):
            # NOTE: as in TF, a transpose becomes conj + adjoint (conj is a no-op for reals).
            a = conj(a) if transpose_a else a
            b = conj(b) if transpose_b else b
            attrs = {"adj_x": transpose_a or adjoint_a, "adj_y": transpose_b or adjoint_b}
            return single(apply_op("BatchMatMulV2", [a, b], attrs, scope))
        a = conj(a) if adjoint_a else a
        b = conj(b) if adjoint_b else b
        attrs = {"transpose_a": transpose_a or adjoint_a, "transpose_b": transpose_b or adjoint_b}
        return single(apply_op("MatMul", [a, b], attrs, scope, arg_names=("a", "b")))


def _is_batch(t: Tensor) -> bool:
    return t._dims is None or len(t._dims) > 2


# --- Tensordot -----------------------------------------------------------------------------------

def _contraction_axes(axes: Any, a_rank: Optional[int], b_rank: Optional[int]) -> Any:
    """(a_axes, b_axes) as non-negative lists, or None while a rank is unknown."""
    if a_rank is None or b_rank is None:
        return None
    if isinstance(axes, int):
        if axes > a_rank or axes > b_rank:
            raise ShapeError(f"'axes' ({axes}) must not be larger than the rank of either "
                             f"tensor ({a_rank} and {b_rank})")
        return list(range(a_rank - axes, a_rank)), list(range(axes))
    return ([_contraction_axis(i, a_rank) for i in axes[0]],
            [_contraction_axis(i, b_rank) for i in axes[1]])


def _contraction_axis(axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise ShapeError(f"Tensordot axis {axis} is out of range for a tensor of rank {rank}")
    return axis % rank


def _tensordot_infer(inputs: list, attrs: dict) -> list:
    a, b = inputs
    dtype = check_same_dtype("Tensordot", inputs, ("a", "b"))
    check_dtype(a, _MATMUL_TYPES, "a")
    ranks = [None if t._dims is None else len(t._dims) for t in inputs]
    pair = _contraction_axes(attrs["axes"], *ranks)
    if pair is None:
        return [(dtype, None)]
    a_axes, b_axes = pair
    for i, j in zip(a_axes, b_axes, strict=True):
        _merge_dim(a._dims[i], b._dims[j])
    free_a = [n for i, n in enumerate(a._dims) if i not in a_axes]
    free_b = [n for j, n in enumerate(b._dims) if j not in b_axes]
    return [(dtype, tuple(free_a + free_b))]


def _tensordot_kernel(op: Any) -> Callable:
    axes = op._attrs["axes"]

    def tensordot(a: Any, b: Any) -> Any:
        return np.tensordot(a, b, axes=_contraction_axes(axes, np.ndim(a), np.ndim(b)))
    return tensordot


def _tensordot_grad(op: Any, g: Tensor) -> list:
    """Contract `g` with the other operand over its free axes, then restore the axis order."""
    a, b = op.inputs
    ranks = [None if t._dims is None else len(t._dims) for t in (a, b)]
    pair = _contraction_axes(op.get_attr("axes"), *ranks)
    if pair is None:
        raise ValueError("The gradient of tensordot needs the ranks of both operands while "
                         "building the graph.")
    a_axes, b_axes = pair
    free_a = [i for i in range(ranks[0]) if i not in a_axes]
    free_b = [j for j in range(ranks[1]) if j not in b_axes]
    g_free_a = list(range(len(free_a)))
    g_free_b = list(range(len(free_a), len(free_a) + len(free_b)))
    a_grad = tensordot(g, b, [g_free_b, free_b])
    b_grad = tensordot(a, g, [free_a, g_free_a])
    a_order = free_a + [a_axes[b_axes.index(j)] for j in sorted(b_axes)]
    b_order = [b_axes[a_axes.index(i)] for i in sorted(a_axes)] + free_b
    return [_in_axis_order(a_grad, a_order), _in_axis_order(b_grad, b_order)]


def _in_axis_order(t: Tensor, order: list) -> Tensor:
    """`t`, whose axis k is the operand's axis order[k], transposed to the operand's order."""
    return _permuted(t, [int(k) for k in np.argsort(order)])


register("Tensordot", _tensordot_infer, _tensordot_kernel, grad=_tensordot_grad)


def _tensordot_axes(axes: Any, a: Tensor) -> Any:
    """TF's checks on `axes`: an int >= 0, or a pair of equally long axis lists."""
    if isinstance(axes, Tensor) or hasattr(axes, "_to_tensor"):
        known = constant_value(convert_to_tensor(axes))
        if known is None:
            raise ValueError("tensordot's axes must be known while building the graph.")
        axes = known.tolist()
    if isinstance(axes, (int, np.integer)):
        if axes < 0:
            raise ValueError("'axes' must be at least 0.")
        if a._dims is not None and axes > len(a._dims):
            raise ValueError(f"'axes' must not be larger than the number of dimensions of "
                             f"tensor {a}.")
        return int(axes)
    if len(axes) != 2:
        raise ValueError("'axes' must be an integer or have length 2.")
    a_axes, b_axes = (static_int_list(side, "axes") for side in axes)
    if len(a_axes) != len(b_axes):
        raise ValueError(f"Different number of contraction axes 'a' and 'b', {len(a_axes)} != "
                         f"{len(b_axes)}.")
    return (tuple(a_axes), tuple(b_axes))


def tensordot(a: Any, b: Any, axes: Any, name: Optional[str] = None) -> Tensor:
    """Contraction of `a` and `b` over `axes` (an int, or a pair of axis lists)."""
    with op_scope(name, "Tensordot", [a, b]) as scope:
        a, b = convert_to_tensor(a, name="a"), convert_to_tensor(b, name="b")
        attrs = {"axes": _tensordot_axes(axes, a)}
        return single(apply_op("Tensordot", [a, b], attrs, scope))


# --- Cumsum and Cumprod --------------------------------------------------------------------------

def _scan_infer(inputs: list, attrs: dict) -> list:
    x = inputs[0]
    dtype = check_dtype(x, NUMERIC)
    check_dtype(inputs[1], (d.int32, d.int64), "axis")
    known = constant_value(inputs[1])
    # NOTE: as TF, an axis out of range fails when the graph runs (the kernel checks it), and
    # not while building, except against a known nonzero rank
    if x._dims and known is not None:
        axis = int(np.reshape(known, -1)[0])
        if not -len(x._dims) <= axis < len(x._dims):
            raise ShapeError(f"Expected scan axis in the range [{-len(x._dims)}, "
                             f"{len(x._dims)}), but got {axis}")
    return [(dtype, x._dims)]


def _shifted_in(values: Any, axis: int, fill: int) -> Any:
    """`values` moved one step along `axis`, with `fill` entering first (an exclusive scan)."""
    if values.shape[axis] == 0:
        return values
    kept = [slice(None)] * values.ndim
    kept[axis] = slice(0, -1)
    first = list(values.shape)
    first[axis] = 1
    return np.concatenate([np.full(first, fill, values.dtype), values[tuple(kept)]], axis=axis)


def _scan_kernel(accumulate: Callable, fill: int) -> Callable:
    def make(op: Any) -> Callable:
        exclusive, reverse = op._attrs["exclusive"], op._attrs["reverse"]

        def scan(x: Any, axis: Any) -> Any:
            x = np.asarray(x)
            axis = int(np.reshape(axis, -1)[0])
            if not -x.ndim <= axis < x.ndim:
                raise errors.InvalidArgumentError(
                    None, None, f"ScanOp: Expected scan axis in the range [{-x.ndim}, "
                    f"{x.ndim}), but got {axis}")
            x = np.flip(x, axis) if reverse else x
            result = accumulate(x, axis=axis, dtype=x.dtype)
            if fill == 0 and result.dtype.kind in "fc":
                result += 0.0  # NOTE: as TF's scan from 0, a leading -0 sums to +0
            result = _shifted_in(result, axis, fill) if exclusive else result
            return np.flip(result, axis) if reverse else result
        return quiet(scan)
    return make


def _cumsum_grad(op: Any, g: Tensor) -> list:
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    return [cumsum(g, op.inputs[1], exclusive=exclusive, reverse=not reverse), None]


def _cumprod_grad(op: Any, g: Tensor) -> list:
    """TF's rule: the reverse running sum of prod * g divided by x, with 0 where x is 0 (so a
    zero in x gives 0 there, not nan: TF's DivNoNan)."""
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    total = cumsum(multiply(op.outputs[0], g), op.inputs[1], exclusive=exclusive,
                   reverse=not reverse)
    return [div_no_nan(total, op.inputs[0]), None]


register("Cumsum", _scan_infer, _scan_kernel(np.cumsum, 0), grad=_cumsum_grad)
register("Cumprod", _scan_infer, _scan_kernel(np.cumprod, 1), grad=_cumprod_grad)


def _scan(op_type: str, x: Any, axis: Any, exclusive: bool, reverse: bool,
          name: Optional[str]) -> Tensor:
    attrs = {"exclusive": bool_arg(exclusive, "exclusive"), "reverse": bool_arg(reverse, "reverse")}
    if not isinstance(axis, Tensor) and not hasattr(axis, "_to_tensor"):
        axis = np.asarray(axis_arg(axis), np.int32)
    return single(apply_op(op_type, [x, axis], attrs, name, arg_names=("x", "axis")))


def cumsum(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
           name: Optional[str] = None) -> Tensor:
    """Running sum of `x` along `axis` (`exclusive` starts at 0, `reverse` runs backwards)."""
    return _scan("Cumsum", x, axis, exclusive, reverse, name)


def cumprod(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
            name: Optional[str] = None) -> Tensor:
    """Running product of `x` along `axis` (`exclusive` starts at 1, `reverse` runs backwards)."""
    return _scan("Cumprod", x, axis, exclusive, reverse, name)


# --- reductions: Sum, Mean, Max, Min, Prod, Any, All ---------------------------------------------
# NOTE: as in TF, the axes are the op's second input (`Sum/reduction_indices`, or a `Const`
# arange for all axes), so a computed or fed axis works; a constant one is bound once.

def known_axes(op: Any) -> Optional[list]:
    """A reduction's axes when they are known while building (a list of ints), else None."""
    value = constant_value(op._inputs[1])
    return None if value is None else [int(a) for a in np.reshape(value, -1)]


def _reduces_all(op: Any) -> bool:
    """Does a reduction take every axis (an arange of the rank, or TF's `range(rank(x))`)?"""
    axes, x = known_axes(op), op._inputs[0]
    if axes is not None:
        return x._dims is not None and sorted({a % max(len(x._dims), 1) for a in axes}) == \
            list(range(len(x._dims)))
    maker = op._inputs[1]._op
    return maker._type == "Range" and maker._inputs[1]._op._type == "Rank" and \
        maker._inputs[1]._op._inputs[0] is x


def _reduced_dims(dims: Any, axes: Optional[list], keep: bool) -> Any:
    if dims is None:
        return None
    if axes is None:  # NOTE: axes known only at run time: the rank survives only with keepdims.
        return (None,) * len(dims) if keep else None
    rank = len(dims)
    for axis in axes:
        if not -rank <= axis < rank:
            raise ShapeError(f"Invalid reduction dimension {axis} for input with {rank} "
                             "dimensions.")
    reduced = {axis % rank for axis in axes}
    if keep:
        return tuple(1 if i in reduced else n for i, n in enumerate(dims))
    return tuple(n for i, n in enumerate(dims) if i not in reduced)


def _reduction_infer(allowed: Sequence[d.DType]) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        dtype = check_dtype(inputs[0], allowed, "input")
        check_dtype(inputs[1], (d.int32, d.int64), "reduction_indices")
        if inputs[1]._dims is not None and len(inputs[1]._dims) > 1:
            raise ShapeError(f"Shape must be at most rank 1 but is rank {len(inputs[1]._dims)}")
        value = constant_value(inputs[1])
        axes = None if value is None else [int(a) for a in np.reshape(value, -1)]
        return [(dtype, _reduced_dims(inputs[0]._dims, axes, attrs["keep_dims"]))]
    return infer


def _checked_axes(axes: Any, rank: int) -> tuple:
    """Axes as NumPy takes them, or TF's InvalidArgumentError for one out of range or
    repeated."""
    normalized = []
    for axis in np.reshape(axes, -1).tolist():
        if not -rank <= axis < rank:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({axis} for input with {rank} "
                "dimension(s)")
        if axis % rank in normalized:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction arguments: Axes contains duplicate dimension: "
                f"{axis % rank}")
        normalized.append(axis % rank)
    return tuple(normalized)


def _reduction_kernel(compute: Callable) -> Callable:
    def make(op: Any) -> Callable:
        keep, axes, dims = op._attrs["keep_dims"], known_axes(op), op._inputs[0]._dims
        if axes is not None and dims is not None:
            bound = _checked_axes(axes, len(dims)) if dims else ()
            return quiet(lambda x, _: compute(np.asarray(x), bound, keep))

        def reduce(x: Any, given: Any) -> Any:
            x = np.asarray(x)
            return compute(x, _checked_axes(given, x.ndim) if x.ndim else (), keep)
        return quiet(reduce)
    return make


# NOTE: TF's integer means add up in a wide type and divide like C, truncating toward zero
# (mean([-3, 0]) == -1, the mean of a uint8 image of 200s is 200); half precision adds up in
# half precision, so a mean near its maximum overflows to inf as TF's does.
_MEAN_ACCUMULATOR = {"i": np.int64, "u": np.uint64}


def _mean(x: np.ndarray, axis: Any, keep: bool) -> Any:
    if x.dtype.kind in "fc":  # NOTE: not np.mean, which warns through `warnings` when empty.
        total = np.add.reduce(x, axis, None, None, keep)  # NOTE: floats add up in their type
        count = x.size // total.size if total.size else 0
        # NOTE: a NumPy scalar divisor keeps the total's float type (NEP 50); `/` because a
        # ufunc call on two scalars costs 4x; astype is costly on a scalar, so only a result
        # of another type is converted
        mean = total / x.dtype.type(count)
        return mean if mean.dtype == x.dtype else mean.astype(x.dtype)
    wide = _MEAN_ACCUMULATOR.get(x.dtype.kind, x.dtype)
    total = np.add.reduce(x, axis, wide, keepdims=keep)
    count = max(x.size // total.size if total.size else 0, 1)
    quotient = np.floor_divide(total, count)
    rounded_down = (np.remainder(total, count) != 0) & (total < 0)
    return (quotient + rounded_down.astype(wide)).astype(x.dtype)


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype: np.dtype) -> Any:
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


def _fully_known(dims: Any) -> bool:
    return dims is not None and None not in dims


def _kept_shape(op: Any) -> Any:
    """The reduction's result shape with the reduced axes kept as 1s (a list when known)."""
    x, axes = op.inputs[0], known_axes(op)
    dims = _reduced_dims(x._dims, axes, True)
    if _fully_known(dims):
        return list(dims)
    # NOTE: a keepdims twin of the reduction has that shape at run time.
    return array_ops.shape(reduce_sum(x, op.inputs[1], keepdims=True))


def _sum_grad(op: Any, g: Tensor) -> list:
    kept = array_ops.reshape(g, _kept_shape(op))
    return [array_ops.broadcast_to(kept, array_ops.shape(op.inputs[0])), None]


def _mean_grad(op: Any, g: Tensor) -> list:
    return [realdiv(_sum_grad(op, g)[0], _reduced_count(op, g._dtype)), None]


def _reduced_count(op: Any, dtype: d.DType) -> Any:
    """How many input elements each result element averages (0 for an empty input, as TF)."""
    x, y = op.inputs[0], op.outputs[0]
    if _fully_known(x._dims) and _fully_known(y._dims):
        return float(math.prod(x._dims) // max(math.prod(y._dims), 1))
    return cast(floor_div(array_ops.size(x), maximum(array_ops.size(y), 1)), dtype)


def _max_min_grad(op: Any, g: Tensor) -> list:
    """As TF, the gradient is split equally among the elements equal to the result."""
    x, kept = op.inputs[0], _kept_shape(op)
    chosen = cast(equal(array_ops.reshape(op.outputs[0], kept), x), g._dtype)
    count = reduce_sum(chosen, op.inputs[1], keepdims=True)
    return [multiply(realdiv(chosen, count), array_ops.reshape(g, kept)), None]


def _prod_grad(op: Any, g: Tensor) -> list:
    """TF's zero-safe rule: each element gets the product of the others reduced with it, made
    of two exclusive cumprods over the reduced axes moved to the front and flattened."""
    x, axes = op.inputs[0], None if _reduces_all(op) else known_axes(op)
    if axes is not None and len(set(axes)) == 1:  # NOTE: one axis needs no transposes
        others = multiply(cumprod(x, axes[0], exclusive=True),
                          cumprod(x, axes[0], exclusive=True, reverse=True))
        return [multiply(array_ops.reshape(g, _kept_shape(op)), others), None]
    order, groups = _reduced_groups(x, axes)
    before = cumprod(groups, 0, exclusive=True)
    after = cumprod(groups, 0, exclusive=True, reverse=True)
    others = array_ops.reshape(multiply(before, after), array_ops.shape(_permuted(x, order)))
    kept = array_ops.reshape(g, _kept_shape(op))
    return [multiply(kept, _in_axis_order(others, order)), None]


def _reduced_groups(x: Tensor, axes: Optional[list]) -> tuple:
    """(axis order putting reduced axes first, x permuted so and reshaped to [reduced, rest]);
    `axes` None means all of them."""
    if axes is None:
        return [], array_ops.reshape(x, [-1, 1])
    if x._dims is None:
        raise ValueError("The gradient of reduce_prod over given axes needs the input's rank "
                         "while building the graph.")
    rank = len(x._dims)
    reduced = sorted({axis % rank for axis in axes})
    rest = [i for i in range(rank) if i not in reduced]
    shape = [_dims_product(x, reduced), _dims_product(x, rest)]
    return reduced + rest, array_ops.reshape(_permuted(x, reduced + rest), shape)


def _dims_product(x: Tensor, axes: list) -> Any:
    dims = [x._dims[i] for i in axes]
    if None not in dims:
        return math.prod(dims)
    return reduce_prod(array_ops.gather(array_ops.shape(x), axes))


def _permuted(t: Tensor, perm: list) -> Tensor:
    if perm == sorted(perm):
        return t
    return array_ops.transpose(t, perm=perm)


def _euclidean_norm(x: np.ndarray, axis: Any, keep: bool) -> Any:
    """sqrt of the sum of squares, in x's own type as TF computes it (small ints wrap)."""
    squares = np.abs(x) ** 2 if x.dtype.kind == "c" else x * x
    total = np.add.reduce(squares, axis, squares.dtype, keepdims=keep)
    return np.sqrt(total).astype(x.dtype)


def _euclidean_norm_grad(op: Any, g: Tensor) -> list:
    """As TF: x * g / norm, the norm and g reshaped to keep the reduced axes."""
    kept = _kept_shape(op)
    norm = array_ops.reshape(op.outputs[0], kept)
    return [realdiv(op.inputs[0], realdiv(norm, array_ops.reshape(g, kept))), None]


# NOTE: `initial` gives TF's result for an empty reduction (-inf / lowest int) instead of an error.
_REDUCERS = {  # op type: (dtypes, NumPy reduction, gradient)
    # NOTE: the ufuncs' own reduce, not np.sum & co., whose Python wrappers cost more than a
    # small reduction itself.
    # NOTE: initial=0, as TF's reducer starts: the sum of [-0.0] is +0.0
    "Sum": (NUMERIC, lambda x, axis, keep: np.add.reduce(x, axis, x.dtype, keepdims=keep,
                                                         initial=0), _sum_grad),
    "Prod": (NUMERIC, lambda x, axis, keep: np.multiply.reduce(x, axis, x.dtype, keepdims=keep),
             _prod_grad),
    "Mean": (NUMERIC, _mean, _mean_grad),
    "Max": (_ORDERED, lambda x, axis, keep: np.maximum.reduce(x, axis, keepdims=keep,
                                                              initial=_lowest(x.dtype)),
            _max_min_grad),
    "Min": (_ORDERED, lambda x, axis, keep: np.minimum.reduce(x, axis, keepdims=keep,
                                                              initial=_highest(x.dtype)),
            _max_min_grad),
    "EuclideanNorm": (NUMERIC, lambda x, axis, keep: _euclidean_norm(x, axis, keep),
                      _euclidean_norm_grad),
    "Any": ((d.bool,), lambda x, axis, keep: np.logical_or.reduce(x, axis, keepdims=keep),
            NOT_DIFFERENTIABLE),
    "All": ((d.bool,), lambda x, axis, keep: np.logical_and.reduce(x, axis, keepdims=keep),
            NOT_DIFFERENTIABLE),
}
for _op_type, (_allowed, _compute, _grad) in _REDUCERS.items():
    register(_op_type, _reduction_infer(_allowed), _reduction_kernel(_compute), grad=_grad)


def _reduce(op_type: str, input_tensor: Any, axis: Any, keepdims: Any, name: Optional[str],
            reduction_indices: Any, keep_dims: Any) -> Tensor:
    axis = _deprecated_lookup("axis", axis, "reduction_indices", reduction_indices)
    keep = keepdims_arg(keepdims, keep_dims)
    if name is not None and not isinstance(name, str):
        raise TypeError(f"An op's name must be a string, got {name!r} of type "
                        f"{type(name).__name__}")
    if axis is None:
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        axis = _all_axes(input_tensor)
    elif not isinstance(axis, Tensor) and not hasattr(axis, "_to_tensor"):
        axis = _axis_value(axis)
    result = single(apply_op(op_type, [input_tensor, axis], {"keep_dims": keep}, name,
                             arg_names=("input", "reduction_indices")))
    if result._dims is None and not keep and isinstance(axis, Tensor) and \
            axis._op._type == "Range":
        result.set_shape(())  # NOTE: all axes of an input of unknown rank: a scalar, as in TF.
    return result


def _all_axes(x: Tensor) -> Tensor:
    """Every axis of `x`, as TF builds it: a `Const` arange, or `range(rank(x))` when the rank is
    only known at run time (or is 0: TF's test is the rank's truth)."""
    if x._dims:
        return convert_to_tensor(np.arange(len(x._dims), dtype=np.int32))
    return array_ops.range(0, array_ops.rank(x))


def _axis_value(axis: Any) -> np.ndarray:
    """Python axes checked while building: ints (a list of at most rank 1), `[]` for none."""
    if isinstance(axis, (list, tuple)) and len(axis) == 0:
        return np.zeros([0], np.int32)
    values = static_int_list(axis, "axis", max_rank=1)
    return np.asarray(values if np.ndim(axis) else values[0], np.int32)


def _reduction(op_type: str, public_name: str, what: str) -> Callable:
    def reduce(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
               name: Optional[str] = None, reduction_indices: Any = None,
               keep_dims: Optional[bool] = None) -> Tensor:
        return _reduce(op_type, input_tensor, axis, keepdims, name, reduction_indices,
                       keep_dims)
    reduce.__name__ = public_name
    reduce.__doc__ = f"The {what} of `input_tensor` over `axis` (all axes for None)."
    return reduce


reduce_sum = _reduction("Sum", "reduce_sum", "sum")
reduce_mean = _reduction("Mean", "reduce_mean", "mean (integer means truncate toward zero)")
reduce_max = _reduction("Max", "reduce_max", "maximum")
reduce_min = _reduction("Min", "reduce_min", "minimum")
reduce_prod = _reduction("Prod", "reduce_prod", "product")
reduce_any = _reduction("Any", "reduce_any", "logical or")
reduce_all = _reduction("All", "reduce_all", "logical and")


def reduce_logsumexp(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
                     name: Optional[str] = None, reduction_indices: Any = None,
                     keep_dims: Optional[bool] = None) -> Tensor:
    """log(sum(exp(input_tensor))) over `axis`, computed without overflow."""
    axis = _deprecated_lookup("axis", axis, "reduction_indices", reduction_indices)
    keepdims = keepdims_arg(keepdims, keep_dims)
    with op_scope(name, "ReduceLogSumExp", [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor, name="input_tensor")
        raw_max = reduce_max(x, axis, keepdims=True)
        shift = stop_gradient(where_v2(is_finite(raw_max), raw_max, 0))
        result = log(reduce_sum(exp(subtract(x, shift)), axis, keepdims=keepdims))
        if not keepdims:
            shift = array_ops.reshape(shift, array_ops.shape_op(result))
        return add(result, shift, name=scope)


def count_nonzero(input_tensor: Any = None, axis: Any = None, keepdims: Optional[bool] = None,
                  dtype: Any = d.int64, name: Optional[str] = None,
                  reduction_indices: Any = None, keep_dims: Optional[bool] = None,
                  input: Any = None) -> Tensor:  # noqa: A002 - TF's name
    """The number of non-zero elements of `input_tensor` over `axis`, as `dtype`."""
    input_tensor = _deprecated_lookup("input_tensor", input_tensor, "input", input)
    axis = _deprecated_lookup("axis", axis, "reduction_indices", reduction_indices)
    keepdims = keepdims_arg(keepdims, keep_dims)
    with op_scope(name, "count_nonzero", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        zero = convert_to_tensor(b"" if x.dtype is d.string else  # NOTE: TF counts non-empty
                                 np.zeros((), x.dtype.as_numpy_dtype), x.dtype, name="zeros")
        nonzero = cast(not_equal(x, zero), d.int64)
        return cast(reduce_sum(nonzero, axis=axis, keepdims=keepdims), dtype)


# --- ArgMax and ArgMin ---------------------------------------------------------------------------

def _arg_infer(inputs: list, attrs: dict) -> list:
    x, output_type = inputs[0], attrs["output_type"]
    check_dtype(x, _ORDERED + (d.bool,), "input")
    check_dtype(inputs[1], (d.int32, d.int64), "dimension")
    known = constant_value(inputs[1])
    if x._dims is None or known is None:
        return [(output_type, None if x._dims is None else (None,) * (len(x._dims) - 1))]
    rank, axis = len(x._dims), int(np.reshape(known, -1)[0])
    if not -rank <= axis < rank:
        raise ShapeError(f"Expected dimension in the range [{-rank}, {rank}), but got {axis}")
    axis %= rank
    return [(output_type, x._dims[:axis] + x._dims[axis + 1:])]


def _tf_arg_reduction(find: Callable, candidate: Callable) -> Callable:
    """TF's arg-reductions: the first index of the best value among the values strictly beyond
    the dtype's extreme finite value where the scan starts (so NaN is never chosen, and 0 when
    nothing is: argmax([1, nan, 2]) == 2, argmin([inf, float32 max]) == 0)."""
    def arg(x: Any, axis: int) -> Any:
        x = np.asarray(x)
        if x.dtype.kind != "f" or x.size == 0:
            return find(x, axis=axis)
        extreme = candidate(x)
        return find(extreme, axis=axis)
    return arg


def _argmax_candidates(x: np.ndarray) -> np.ndarray:
    return np.where(x > np.finfo(x.dtype).min, x, -np.inf)


def _argmin_candidates(x: np.ndarray) -> np.ndarray:
    return np.where(x < np.finfo(x.dtype).max, x, np.inf)


def _arg_kernel(find: Callable) -> Callable:
    def make(op: Any) -> Callable:
        numpy_type = op._attrs["output_type"].as_numpy_dtype
        known = constant_value(op._inputs[1])
        if known is not None:
            axis = int(np.reshape(known, -1)[0])
            return lambda x, _: find(x, axis).astype(numpy_type)
        return lambda x, axis: find(x, _arg_axis(axis, np.ndim(x))).astype(numpy_type)
    return make


def _arg_axis(axis: Any, rank: int) -> int:
    axis = int(np.reshape(axis, -1)[0])
    if not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, f"Expected dimension in the range [{-rank}, {rank}), but got {axis}")
    return axis


register("ArgMax", _arg_infer, _arg_kernel(_tf_arg_reduction(np.argmax, _argmax_candidates)),
         grad=NOT_DIFFERENTIABLE)
register("ArgMin", _arg_infer, _arg_kernel(_tf_arg_reduction(np.argmin, _argmin_candidates)),
         grad=NOT_DIFFERENTIABLE)


def _arg_reduce(op_type: str, input_tensor: Any, axis: Any, output_type: Any,
                name: Optional[str]) -> Tensor:
    output_type = d.as_dtype(output_type)
    if output_type not in (d.int32, d.int64):
        raise TypeError(f"Value passed to parameter 'output_type' has DataType "
                        f"{output_type.name} not in list of allowed values: int32, int64")
    if not isinstance(axis, Tensor) and not hasattr(axis, "_to_tensor"):
        axis = np.asarray(axis_arg(axis), np.int32)
    return single(apply_op(op_type, [input_tensor, axis], {"output_type": output_type}, name,
                           arg_names=("input", "dimension")))


def argmax(input: Any, axis: Any = None, name: Optional[str] = None,  # noqa: A002
           dimension: Any = None, output_type: Any = d.int64) -> Tensor:
    """Index of the largest value along `axis` (default 0), as int64 unless `output_type`."""
    axis = _deprecated_lookup("axis", axis, "dimension", dimension)
    return _arg_reduce("ArgMax", input, 0 if axis is None else axis, output_type, name)


def argmin(input: Any, axis: Any = None, name: Optional[str] = None,  # noqa: A002
           dimension: Any = None, output_type: Any = d.int64) -> Tensor:
    """Index of the smallest value along `axis` (default 0), as int64 unless `output_type`."""
    axis = _deprecated_lookup("axis", axis, "dimension", dimension)
    return _arg_reduce("ArgMin", input, 0 if axis is None else axis, output_type, name)


def arg_max(input: Any, dimension: Any, output_type: Any = d.int64,  # noqa: A002
            name: Optional[str] = None) -> Tensor:
    """TF1's older spelling of `argmax`."""
    return _arg_reduce("ArgMax", input, dimension, output_type, name)


def arg_min(input: Any, dimension: Any, output_type: Any = d.int64,  # noqa: A002
            name: Optional[str] = None) -> Tensor:
    """TF1's older spelling of `argmin`."""
    return _arg_reduce("ArgMin", input, dimension, output_type, name)


# --- Where, Select and SelectV2 ------------------------------------------------------------------

def _where_infer(inputs: list, attrs: dict) -> list:
    dims = inputs[0]._dims
    check_dtype(inputs[0], NUMERIC + (d.bool,), "input")
    return [(d.int64, (None, None if dims is None else len(dims)))]


def _true_coordinates(x: Any) -> np.ndarray:
    if np.ndim(x) == 0:  # NOTE: TF's kernel, for a fed tensor of unknown rank
        raise errors.InvalidArgumentError(None, None, "WhereOp: Unhandled input dimensions: 0")
    return np.argwhere(x).astype(np.int64)


register("Where", _where_infer, lambda op: _true_coordinates, grad=NOT_DIFFERENTIABLE)


def _check_condition(op_type: str, condition: Tensor) -> None:
    if condition._dtype is not d.bool:
        raise TypeError(f"Input 'condition' of '{op_type}' Op has type "
                        f"{condition._dtype.name} that does not match expected type of bool.")


def _select_infer(inputs: list, attrs: dict) -> list:
    condition, then, other = inputs
    _check_condition("Select", condition)
    dtype = check_same_dtype("Select", [then, other], ("t", "e"))
    data = merged_shape(then._dims, other._dims)
    # NOTE: the condition is checked against the data, but as in TF the result's static shape
    # is the data's (a [0] condition does not make a [?] result [0])
    if condition._dims is None or data is None or condition._dims == ():
        return [(dtype, data)]
    if len(condition._dims) != 1 or data == ():
        return [(dtype, merged_shape(data, condition._dims))]
    # NOTE: TF1's Select takes a vector condition as a choice of whole rows of `t` and `e`;
    # as TF, the rows are checked but the result keeps the data's shape
    merged_shape(condition._dims, data[:1])
    return [(dtype, data)]


def _select(condition: Any, then: Any, other: Any) -> Any:
    condition, then = np.asarray(condition), np.asarray(then)
    if then.shape != np.shape(other):
        raise ValueError(f"'then' and 'else' must have the same size.  but received: "
                         f"{list(then.shape)} vs. {list(np.shape(other))}")
    if condition.ndim == 1 and then.ndim > 1:
        if condition.shape[0] != then.shape[0]:
            raise ValueError(f"Number of batches of 'then' must match size of 'cond', but saw: "
                             f"{then.shape[0]} vs. {condition.shape[0]}")
        condition = condition.reshape(condition.shape + (1,) * (then.ndim - 1))
    elif condition.ndim and condition.shape != then.shape:
        raise ValueError(f"'condition' and 'then' must have the same size.  but received: "
                         f"{list(condition.shape)} vs. {list(then.shape)}")
    return np.where(condition, then, other)


def _select_grad(op: Any, g: Tensor) -> list:
    condition, zeros = op.inputs[0], array_ops.zeros_like(g)
    return [None, where(condition, g, zeros), where(condition, zeros, g)]


def _select_scalar(op: Any) -> Optional[str]:
    """Select's fused rule, for a scalar condition or one of the data's shape: a vector
    condition picks whole rows, which no elementwise read gives."""
    condition, data = op._inputs[0]._dims, op._inputs[1]._dims
    if condition is not None and (condition == () or condition == data):
        return "({1} if {0} else {2})"
    return None


register("Select", _select_infer, lambda op: _select, grad=_select_grad, scalar=_select_scalar)


def _select_v2_infer(inputs: list, attrs: dict) -> list:
    condition, then, other = inputs
    _check_condition("SelectV2", condition)
    dtype = check_same_dtype("SelectV2", [then, other], ("t", "e"))
    dims = broadcast_dims(broadcast_dims(condition._dims, then._dims), other._dims)
    return [(dtype, dims)]


def _select_v2_grad(op: Any, g: Tensor) -> list:
    condition = op.inputs[0]
    zeros = array_ops.zeros_like(g)
    return [None, where_v2(condition, g, zeros), where_v2(condition, zeros, g)]


register("SelectV2", _select_v2_infer, lambda op: np.where, grad=_select_v2_grad,
         broadcasts=True, elementwise=True, scalar="({1} if {0} else {2})")


def _where_coordinates(condition: Any, name: Optional[str]) -> Tensor:
    with op_scope(name, "Where", [condition]) as scope:
        condition = convert_to_tensor(condition, preferred_dtype=d.bool, name="condition")
        return single(apply_op("Where", [condition], name=scope, arg_names=("input",)))


def _choose(op_type: str, condition: Any, x: Any, y: Any, name: Optional[str]) -> Tensor:
    with op_scope(name, op_type, [condition, x, y]) as scope:
        condition = _converted(condition, d.bool, "condition")
        x, y = _operands(x, y, ("t", "e"))
        return single(apply_op(op_type, [condition, x, y], name=scope))


def where(condition: Any, x: Any = None, y: Any = None, name: Optional[str] = None) -> Tensor:
    """Coordinates of true elements ([N, rank] int64), or elements of `x` or `y` by condition.

    TF1 rule: `x` and `y` have one shape; `condition` is a scalar, has that shape, or is a
    vector choosing whole rows (`x`'s first dimension).
    """
    if x is None and y is None:
        return _where_coordinates(condition, name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return _choose("Select", condition, x, y, name)


def where_v2(condition: Any, x: Any = None, y: Any = None, name: Optional[str] = None) -> Tensor:
    """As `where`, with `condition`, `x` and `y` broadcast together (a `SelectV2` op)."""
    if x is None and y is None:
        return _where_coordinates(condition, name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return _choose("SelectV2", condition, x, y, name)


# --- norm ----------------------------------------------------------------------------------------

_VECTOR_ORDS = ("euclidean", 1, 2, np.inf)
_MATRIX_ORDS = ("euclidean", "fro", 1, 2, np.inf)


def _norm_axis(axis: Any, ord: Any) -> tuple:  # noqa: A002 - TF's name
    """(axis as TF's norm takes it: None, (i,) or (i, j); is it a matrix norm?)"""
    if isinstance(axis, (tuple, list)) and len(axis) == 2:
        if not all(isinstance(a, int) for a in axis) or axis[0] == axis[1]:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        if ord not in _MATRIX_ORDS:
            raise ValueError(f"'ord' must be a supported matrix norm in "
                             f"{list(_MATRIX_ORDS)}, got {ord}")
        return tuple(axis), True
    if not (isinstance(axis, int) or axis is None):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                         f"got {axis}")
    if ord not in _VECTOR_ORDS and (isinstance(ord, str) or not np.isreal(ord) or ord <= 0):
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    return (None if axis is None else (axis,)), False


def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None,  # noqa: A002 - TF's names
         keepdims: Optional[bool] = None, name: Optional[str] = None,
         keep_dims: Optional[bool] = None) -> Tensor:
    """The vector norm of `tensor` (flattened, or along `axis`), or its matrix norm over a pair
    of axes: "euclidean"/"fro", 1, np.inf, or any positive p for vectors, as TF's `norm`."""
    keep = keepdims_arg(keepdims, keep_dims)
    axis, matrix = _norm_axis(axis, ord)
    if matrix and ord == 2:
        raise NotImplementedError("norm(ord=2) of a matrix needs a singular value "
                                  "decomposition, which session_magic does not support yet.")
    with op_scope(name, "norm", [tensor]):
        x = convert_to_tensor(tensor, name="tensor")
        if ord in ("fro", "euclidean", 2, 2.0):
            result = sqrt(reduce_sum(x * conj(x), axis, keepdims=True))
        elif ord == 1:
            result = reduce_sum(abs(x), None if axis is None else axis[0], keepdims=True)
            if matrix:
                result = reduce_max(result, axis[-1], keepdims=True)
        elif ord == np.inf:
            result = abs(x)
            if matrix:
                result = reduce_sum(result, axis[1], keepdims=True)
            result = reduce_max(result, None if axis is None else axis[0], keepdims=True)
        else:
            result = pow(reduce_sum(pow(abs(x), ord), axis, keepdims=True), 1.0 / ord)
        return result if keep else array_ops.squeeze(result, axis)
