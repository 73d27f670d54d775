"""Shared pieces of op blocks: dtype checks with TF's texts, broadcasting, axes, elementwise
op factories, and the checks of builders' Python arguments (flags, ints, axes) that
turn a bad value into TF's TypeError or ValueError naming it before any op is built.
Everything here works on static specs (dtype, dims); nothing runs a graph.
"""
from __future__ import annotations

import operator
from typing import Any, Callable, Final, Optional, Sequence

import numpy as np

from .. import dtypes as d
from ..graph import Tensor
from .known import constant_value
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, bracketed, register, ufunc_into

FLOATS: Final = (d.float16, d.float32, d.float64)
COMPLEX: Final = (d.complex64, d.complex128)
SIGNED_INTS: Final = (d.int8, d.int16, d.int32, d.int64)
INTS: Final = SIGNED_INTS + (d.uint8, d.uint16, d.uint32, d.uint64)
REAL: Final = FLOATS + INTS
NUMERIC: Final = REAL + COMPLEX
FLOAT_COMPLEX: Final = FLOATS + COMPLEX
SIGNED_NUMERIC: Final = FLOATS + SIGNED_INTS + COMPLEX
ANY: Final = None


def check_dtype(t: Tensor, allowed: Optional[Sequence[d.DType]], arg: str = "x") -> d.DType:
    """TF's TypeError when `t`'s dtype is not one an op accepts."""
    if allowed is not None and t._dtype not in allowed:
        names = ", ".join(a.name for a in allowed)
        raise TypeError(f"Value passed to parameter '{arg}' has DataType {t._dtype.name} not in "
                        f"list of allowed values: {names}")
    return t._dtype


def check_same_dtype(op_type: str, tensors: Sequence[Tensor],
                     arg_names: Sequence[str] = ("x", "y", "z")) -> d.DType:
    """TF's TypeError for operands of different dtypes (there is no implicit promotion)."""
    first = tensors[0]._dtype
    for i, t in enumerate(tensors[1:], start=1):
        if t._dtype is not first:
            name = arg_names[i] if i < len(arg_names) else f"input_{i}"
            raise TypeError(f"Input '{name}' of '{op_type}' Op has type {t._dtype.name} that does "
                            f"not match type {first.name} of argument '{arg_names[0]}'.")
    return first


def broadcast_dims(left: Any, right: Any) -> Any:
    """NumPy broadcasting of static dims; unknown dims stay unknown where they could matter."""
    if left is None or right is None:
        return None
    result = []
    for i in range(1, max(len(left), len(right)) + 1):
        a = left[-i] if i <= len(left) else 1
        b = right[-i] if i <= len(right) else 1
        result.append(_broadcast_dim(a, b))
    return tuple(reversed(result))


def _broadcast_dim(a: Optional[int], b: Optional[int]) -> Optional[int]:
    if a == 1:
        return b
    if b == 1:
        return a
    if a is None or b is None:  # NOTE: as TF, only a dim above 1 decides an unknown one
        known = a if b is None else b
        return known if known is not None and known > 1 else None
    if a != b:
        raise ShapeError(f"Dimensions must be equal, but are {a} and {b}")
    return a


def merged_shape(left: Any, right: Any) -> Any:
    """Two static shapes that must be the same (not broadcast), merged; TF's texts on conflict."""
    if left is None or right is None:
        return right if left is None else left
    if len(left) != len(right):
        raise ShapeError(f"Shapes must be equal rank, but are {len(left)} and {len(right)}")
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        if a is not None and b is not None and a != b:
            raise ShapeError(f"Dimension {i} in both shapes must be equal, but are {a} and {b}. "
                             f"Shapes are {bracketed(left)} and {bracketed(right)}.")
    return tuple(a if a is not None else b for a, b in zip(left, right, strict=True))


def normalize_axis(axis: int, rank: Optional[int], what: str = "axis") -> int:
    if rank is None:
        if axis < 0:
            raise ShapeError(f"Negative {what} {axis} needs a known rank")
        return axis
    if not -rank <= axis < max(rank, 1):
        raise ShapeError(f"{what} {axis} is out of bounds for a tensor of rank {rank}")
    return axis % max(rank, 1)


def static_int_list(value: Any, what: str, max_rank: Optional[int] = None) -> Optional[list]:
    """A Python list of ints from an int, a list, or a Const tensor; None if only known later.
    With `max_rank`, a value nested deeper (`axis=[[0]]`) is TF's ValueError, not flattened."""
    if value is None:
        return None
    if isinstance(value, Tensor) or hasattr(value, "_to_tensor"):
        tensor = value if isinstance(value, Tensor) else value._to_tensor()
        known = constant_value(tensor)
        if known is None:
            raise ValueError(f"{what} must be known while building the graph (a Python int or "
                             f"list, or a constant); got the computed tensor {tensor.name!r}.")
        value = known
    array = np.asarray(value)
    if max_rank is not None and array.ndim > max_rank:
        raise ValueError(f"Shape must be at most rank {max_rank} but is rank {array.ndim} for "
                         f"{what} {value!r}")
    if array.size == 0:
        return []
    if array.dtype.kind not in "iu":
        raise TypeError(f"{what} must be integers, got {value!r}")
    return [int(v) for v in array.reshape(-1)]


def axis_arg(value: Any, what: str = "axis") -> int:
    """One axis given while building: an int, or a constant int tensor or list of one entry.
    The one check for a single-axis argument, so `axis=1.5`, `{}` or `[]` name themselves."""
    if type(value) is int:
        return value
    values = static_int_list(value, what, max_rank=1)
    if values is None or len(values) != 1:  # NOTE: a list of another length: TF's TypeError
        raise TypeError(f"{what} must be a single integer, got {value!r}")
    return values[0]


# --- attrs as TF's generated wrappers check them (`make_bool`, `make_int`) ---------------------

def bool_arg(value: Any, name: str) -> bool:
    """A flag attr: a Python or NumPy bool only.

    NOTE: truthiness would read `keepdims="False"` as True and fail on an array; TF refuses both.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"Expected bool for argument '{name}' not {value!r}.")


def int_arg(value: Any, name: str) -> int:
    """An int attr: anything with `__index__` (int, NumPy integer, a known Dimension) but a bool.

    NOTE: `int()` would truncate 2.5, and fail on inf or nan with a message naming nothing.
    """
    if not isinstance(value, (bool, np.bool_)):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise TypeError(f"Expected int for argument '{name}' not {value!r}.")


def keepdims_arg(keepdims: Any, keep_dims: Any) -> bool:
    """A reduction's `keepdims`, or its old name `keep_dims` (not both); neither means False."""
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
    if keep_dims is not None:
        return bool_arg(keep_dims, "keep_dims")
    return False if keepdims is None else bool_arg(keepdims, "keepdims")


def count_arg(value: Any, name: str, op_type: str, minimum: int) -> int:
    """An int attr with a lower bound, such as Split's `num_split`: TF's texts for both checks."""
    count = int_arg(value, name)
    if count < minimum:
        raise ValueError(f"Attr '{name}' of '{op_type}' Op passed {count} less than minimum "
                         f"{minimum}.")
    return count


def scalar_input(value: Any, name: str) -> Any:
    """A kernel's input that must be a scalar, as TF's kernels check it at run time (a tensor of
    unknown rank can be fed anything)."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a scalar, not shape {bracketed(np.shape(value))}")
    return value


def quiet(fn: Callable) -> Callable:
    """Mark a kernel that may produce inf/nan. The executor runs every plan with NumPy's
    floating-point warnings silenced (TF is silent), so this returns `fn` itself: a kernel call
    stays a direct NumPy call."""
    return fn


def same_as_input(allowed: Optional[Sequence[d.DType]]) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        return [(check_dtype(inputs[0], allowed), inputs[0]._dims)]
    return infer


def unary(op_type: str, fn: Callable, allowed: Optional[Sequence[d.DType]] = FLOAT_COMPLEX,
          grad: Any = None, silent: bool = True, scalar: Any = None) -> Callable:
    """Register an elementwise one-input op and return its builder `f(x, name=None)`."""
    kernel_fn = quiet(fn) if silent else fn
    register(op_type, same_as_input(allowed), lambda op: kernel_fn, grad=grad, scalar=scalar,
             **_ufunc_options(fn))

    def build(x: Any, name: Optional[str] = None) -> Tensor:
        return apply_op(op_type, [x], name=name)._outputs[0]
    build.__name__ = op_type.lower()
    build.__doc__ = f"Elementwise `{op_type}` of `x`."
    return build


def _ufunc_options(fn: Callable) -> dict:
    """A NumPy ufunc's result is fresh, and it can write into its first input."""
    if not isinstance(fn, np.ufunc):
        return {}
    into = ufunc_into(fn)
    return {"fresh": True, "in_place": lambda op: into}


def broadcast_infer(op_type: str, allowed: Optional[Sequence[d.DType]],
                    out_dtype: Optional[d.DType] = None) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        dtype = check_same_dtype(op_type, inputs)
        check_dtype(inputs[0], allowed)
        dims = inputs[0]._dims
        for t in inputs[1:]:
            if t._dims != dims or dims is None or None in dims:
                dims = broadcast_dims(dims, t._dims)
        return [(out_dtype or dtype, dims)]
    return infer


def binary(op_type: str, fn: Callable, allowed: Optional[Sequence[d.DType]] = NUMERIC,
           out_dtype: Optional[d.DType] = None, grad: Any = None,
           silent: bool = False, infix: Optional[str] = None, scalar: Any = None) -> Callable:
    """Register an elementwise broadcasting two-input op; returns `f(x, y, name=None)`."""
    kernel_fn = quiet(fn) if silent else fn
    register(op_type, broadcast_infer(op_type, allowed, out_dtype), lambda op: kernel_fn,
             grad=NOT_DIFFERENTIABLE if out_dtype is d.bool else grad, broadcasts=True,
             elementwise=True, infix=infix, scalar=scalar, **_ufunc_options(fn))

    def build(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
        return apply_op(op_type, [x, y], name=name, same_dtype=True)._outputs[0]
    build.__name__ = op_type.lower()
    build.__doc__ = f"Elementwise `{op_type}` of `x` and `y`, with NumPy broadcasting."
    return build


def single(op: Any) -> Tensor:
    return op._outputs[0]
