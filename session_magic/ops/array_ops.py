"""Op blocks that make, reshape, join, split and index tensors, as TF 1's array_ops.

Each op is one block: its gradient rule and registration (inference + NumPy kernel) next to
its TF 1 builder. Gathers and masks have dense gradients (UnsortedSegmentSum, ScatterNd), not
TF's IndexedSlices.
Shape-like arguments that TF takes as tensors (a reshape's shape, fill's dims, a perm) stay op
inputs, so they may be computed at run time; while building, `known.partial_vector` reads what
is already known of them, as TF's `constant_value_as_shape` does (the Shape, Pack, ConcatV2 and
StridedSlice blocks say what they know). `Tensor.__getitem__` lands in `_slice_helper`, which
builds one StridedSlice op.
"""
from __future__ import annotations

import builtins
import math
import numbers
import sys
from typing import Any, Callable, Final, Optional, Sequence

import numpy as np

from .. import dtypes as d
from ..graph import Operation, Tensor
from ..tensor_shape import Dimension, TensorShape, as_dims, format_dims
from .common import (axis_arg, bool_arg, check_dtype, check_same_dtype, count_arg, merged_shape,
                     normalize_axis, scalar_input, single, static_int_list)
from .constant_ops import identity, make_constant
from .conversion import convert_to_tensor, holds_tensor, register_conversion
from .indexed_slices import IndexedSlices
from .known import SameAs, constant_value, known_ints, partial_scalar, partial_vector, scalar_value
from .registry import (NO_GRADIENT_REGISTERED, NOT_DIFFERENTIABLE, ShapeError, apply_op, bracketed,
                       op_scope, register)

__all__ = [
    "fill", "zeros", "ones", "zeros_like", "ones_like", "range", "linspace", "lin_space", "eye",
    "shape", "shape_n", "size", "rank", "reshape", "expand_dims", "squeeze", "transpose",
    "matrix_transpose", "broadcast_to", "tile", "pad", "concat", "stack", "unstack", "split",
    "identity_n", "gather", "gather_nd", "slice", "strided_slice", "boolean_mask", "one_hot",
    "invert_permutation", "unsorted_segment_sum", "scatter_nd", "unique", "unique_with_counts",
    "parallel_stack", "sequence_mask",
    "reverse", "reverse_v2", "reverse_sequence", "diag", "diag_part", "matrix_diag",
    "matrix_set_diag", "matrix_diag_part", "meshgrid", "roll", "batch_gather",
]

# NOTE: this module defines TF's `range` and `slice`; its own code uses the built-ins by these.
_py_range = builtins.range
_py_slice = builtins.slice

INDEX_TYPES: Final = (d.int32, d.int64)
_PREFER_INT32: Final = "prefer int32"  # an argument spec: Python ints become int32 (or int64)


# --- converting arguments ----------------------------------------------------------------------

def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, Tensor) or (hasattr(value, "_to_tensor")
                                         and not isinstance(value, type))


def _contains_tensor(value: Any) -> bool:
    if _is_tensor_like(value):
        return True
    return isinstance(value, (list, tuple)) and any(_contains_tensor(v) for v in value)


def _to_tensor(value: Any, dtype: Any, name: str) -> Tensor:
    """One op argument as a tensor; only Python/NumPy values take `dtype`."""
    if _is_tensor_like(value):
        return convert_to_tensor(value)
    if dtype is _PREFER_INT32:
        return convert_to_tensor(value, name=name, preferred_dtype=d.int32)
    return convert_to_tensor(value, dtype, name=name)


def _apply(op_type: str, name: Optional[str], args: Sequence[tuple], attrs: Optional[dict] = None,
           default_name: Optional[str] = None) -> Operation:
    """Build `op_type` as TF's generated wrappers do: arguments convert inside the op's scope.

    Each arg is (name, value, dtype): dtype None infers, a DType is required, _PREFER_INT32
    prefers int32, and an int i gives Python values the dtype of arg i (a shared type attr).
    """
    with op_scope(name, default_name or op_type, [arg[1] for arg in args]) as scope:
        tensors: list = []
        for arg_name, value, dtype in args:
            if isinstance(dtype, int):
                dtype = tensors[dtype]._dtype
            tensors.append(_to_tensor(value, dtype, arg_name))
        return apply_op(op_type, tensors, attrs, name=scope)


def _first_dtype(values: Sequence[Any]) -> Optional[d.DType]:
    for value in values:
        if _is_tensor_like(value):
            return d.as_dtype(value.dtype)
        if isinstance(value, (list, tuple)):
            found = _first_dtype(value)
            if found is not None:
                return found
    return None


def _tensor_list(values: Any, op_type: str, arg: str = "values") -> list:
    """A list input: Python values take the dtype of the first tensor, as in TF."""
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"Expected list for '{arg}' argument to '{op_type}' Op, not {values!r}.")
    dtype = _first_dtype(values)
    return [_to_tensor(value, dtype, f"{arg}_{i}") for i, value in enumerate(values)]


def _dimension_int(value: Dimension) -> int:
    if value.value is None:
        raise ValueError("Cannot convert an unknown Dimension to a Tensor: ?")
    return value.value


def _shape_arg(value: Any) -> Any:
    """A shape argument as TF accepts it: TensorShape and Dimension entries become ints."""
    if isinstance(value, TensorShape):
        if not value.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape to a Tensor: {value}")
        return value.as_list()
    if isinstance(value, Dimension):
        return _dimension_int(value)
    if isinstance(value, (list, tuple)):
        return [_dimension_int(v) if isinstance(v, Dimension) else v for v in value]
    return value


# --- what is known while building --------------------------------------------------------------

def _vector_dims(t: Tensor) -> Any:
    """The static dims a shape tensor describes."""
    known = known_ints(partial_vector(t))
    return None if known is None else tuple(known)


def _rank(t: Tensor) -> Optional[int]:
    return None if t._dims is None else len(t._dims)


def _check_rank(t: Tensor, rank: int) -> None:
    if t._dims is not None and len(t._dims) != rank:
        raise ShapeError(f"Shape must be rank {rank} but is rank {len(t._dims)}")


def _at_least_rank(array: np.ndarray, rank: int, name: str) -> None:
    """A kernel's check of an input whose rank was unknown while building (TF's text)."""
    if array.ndim < rank:
        raise ValueError(f"{name} must be at least {rank}-dim, received shape: "
                         f"{bracketed(array.shape)}")


def _int_tuple(array: Any) -> tuple:
    flat = np.asarray(array).reshape(-1)
    if flat.dtype.kind in "iu":
        return tuple(flat.tolist())
    return tuple(int(v) for v in flat)


def _axis_int(axis: Any, rank: int) -> int:
    value = int(np.reshape(axis, -1)[0])
    if not -rank <= value < max(rank, 1):
        raise ValueError(f"Expected axis in the range [{-rank}, {rank}), but got {value}")
    return value % max(rank, 1)


def _same_spec(inputs: list, attrs: dict) -> list:
    return [(inputs[0]._dtype, inputs[0]._dims)]


def _same_list_dtype(op_type: str, tensors: Sequence[Tensor], arg: str = "values") -> d.DType:
    dtypes = [t._dtype for t in tensors]
    if any(dtype is not dtypes[0] for dtype in dtypes):
        names = ", ".join(dtype.name for dtype in dtypes)
        raise TypeError(f"Tensors in list passed to '{arg}' of '{op_type}' Op have types "
                        f"[{names}] that don't all match.")
    return dtypes[0]


# --- shared by the gradient rules --------------------------------------------------------------

def _shape_of(t: Tensor, out_type: d.DType = d.int32) -> Any:
    """`t`'s shape for a gradient rule: a NumPy vector when known while building, else Shape."""
    if t._dims is not None and None not in t._dims:
        return np.array(t._dims, dtype=out_type.as_numpy_dtype)
    return shape(t, out_type=out_type)


def _size_of(t: Tensor) -> Any:
    if t._dims is not None and None not in t._dims:
        return int(np.prod(t._dims, dtype=np.int64))
    return size(t)


def _scatter_back(op: Operation, g: Tensor) -> Tensor:
    """The gradient of an op that picks entries of its input 0 (a gather, a mask): `g` summed
    into zeros of the input's shape, each entry where it was picked from.

    NOTE: the same op applied to the input's flat positions (0, 1, ... in the input's shape)
    says where each entry of its result came from, so one rule serves every axis, mask and
    batch layout; repeated picks accumulate in the segment sum.
    """
    x = op._inputs[0]
    count, dims = _size_of(x), _shape_of(x)
    positions = reshape(_range(0, count, 1, name="positions"), dims)
    picked = single(apply_op(op._type, [positions, *op._inputs[1:]], dict(op._attrs)))
    return reshape(unsorted_segment_sum(g, picked, count), dims)


# --- Fill, zeros, ones, ZerosLike, OnesLike ----------------------------------------------------

def _fill_infer(inputs: list, attrs: dict) -> list:
    dims, value = inputs
    check_dtype(dims, INDEX_TYPES, "dims")
    _check_rank(dims, 1)
    _check_rank(value, 0)
    shape_dims = _vector_dims(dims)
    if shape_dims is not None and any(v is not None and v < 0 for v in shape_dims):
        raise ShapeError(f"Fill dimensions must be >= 0, got {bracketed(shape_dims)}")
    return [(value._dtype, shape_dims)]


def _fill(dims: Any, value: Any) -> np.ndarray:
    if np.ndim(value) != 0:
        raise ValueError(f"value must be a scalar, got shape {list(np.shape(value))}")
    return np.full(_int_tuple(dims), value, dtype=np.asarray(value).dtype)


def _fill_grad(op: Operation, g: Tensor) -> list:
    return [None, math_ops.reduce_sum(g)]


register("Fill", _fill_infer, lambda op: _fill, grad=_fill_grad)


def fill(dims: Any, value: Any, name: Optional[str] = None) -> Tensor:
    """A tensor of shape `dims` (a list or a run-time int32 tensor) with every entry `value`."""
    args = [("dims", _shape_arg(dims), _PREFER_INT32), ("value", value, None)]
    return single(_apply("Fill", name, args))


_SMALL_CONSTANT: Final = 1000  # NOTE: TF 1 stores smaller zeros/ones as a Const, larger as Fill.


def zeros(shape: Any, dtype: Any = d.float32, name: Optional[str] = None) -> Tensor:
    """A tensor of `shape` full of zeros of `dtype` (float32 by default)."""
    dtype = d.as_dtype(dtype)
    zero = "" if dtype is d.string else False if dtype.is_bool else 0
    return _filled(shape, dtype, zero, name, "zeros")


def ones(shape: Any, dtype: Any = d.float32, name: Optional[str] = None) -> Tensor:
    """A tensor of `shape` full of ones of `dtype` (float32 by default)."""
    dtype = d.as_dtype(dtype)
    return _filled(shape, dtype, True if dtype.is_bool else 1, name, "ones")


def _filled(dims: Any, dtype: d.DType, value: Any, name: Optional[str], default: str) -> Tensor:
    with op_scope(name, default, [dims]) as scope:
        if not _is_tensor_like(dims):
            static = _static_shape(dims)
            # NOTE: math.prod: np.prod of huge dims wraps around int64 and can look small.
            if static is not None and math.prod(static) < _SMALL_CONSTANT:
                return make_constant(value, dtype, shape=static, name=scope)
            dims = (convert_to_tensor(dims, d.int32) if static is None else
                    make_constant(static, name="shape_as_tensor"))
        dims = convert_to_tensor(dims)
        if dims._dims == ():
            dims = reshape(dims, [-1])
        return fill(dims, make_constant(value, dtype, name="Const"), name=scope)


def _static_shape(dims: Any) -> Optional[list]:
    """A shape given as Python values as a list of ints; None if it holds tensors."""
    dims = _shape_arg(dims)
    if _contains_tensor(dims):
        return None
    static = as_dims(np.asarray(dims).tolist() if isinstance(dims, np.ndarray) else dims)
    if None in static:
        raise ValueError("Cannot convert a partially known TensorShape to a Tensor: "
                         f"{format_dims(static)}")
    return list(static)


register("ZerosLike", _same_spec, lambda op: np.zeros_like, grad=NOT_DIFFERENTIABLE)
register("OnesLike", _same_spec, lambda op: np.ones_like, grad=NOT_DIFFERENTIABLE)


def zeros_like(tensor: Any, dtype: Any = None, name: Optional[str] = None,
               optimize: bool = True) -> Tensor:
    """Zeros with the shape of `tensor` (and its dtype unless `dtype` is given)."""
    return _filled_like(tensor, dtype, name, optimize, "zeros_like")


def ones_like(tensor: Any, dtype: Any = None, name: Optional[str] = None,
              optimize: bool = True) -> Tensor:
    """Ones with the shape of `tensor` (and its dtype unless `dtype` is given): as TF 2 builds
    it, a Fill of the tensor's shape (a Const `Shape/shape_as_tensor` when it is known)."""
    with op_scope(name, "ones_like", [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        dtype = tensor._dtype if dtype is None else d.as_dtype(dtype)
        if optimize and tensor.shape.is_fully_defined():
            with op_scope(None, "Shape", [tensor]):
                dims = make_constant(np.array(tensor._dims, np.int32), name="shape_as_tensor")
        else:
            dims = shape_op(tensor)
        one = True if dtype is d.bool else 1
        result = fill(dims, make_constant(one, dtype, name="Const"), name=scope)
        result.set_shape(tensor._dims)
        return result


def _filled_like(tensor: Any, dtype: Any, name: Optional[str], optimize: bool,
                 default: str) -> Tensor:
    make = zeros if default == "zeros_like" else ones
    with op_scope(name, default, [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        dtype = tensor._dtype if dtype is None else d.as_dtype(dtype)
        if optimize and tensor.shape.is_fully_defined():
            return make(list(tensor._dims), dtype, name=scope)  # NOTE: TF 1 folds to a Const.
        if dtype is not tensor._dtype:
            result = make(shape(tensor), dtype, name=scope)
            result.set_shape(tensor._dims)
            return result
        op_type = "ZerosLike" if default == "zeros_like" else "OnesLike"
        return single(apply_op(op_type, [tensor], name=scope))


# --- Range and LinSpace ------------------------------------------------------------------------

_RANGE_TYPES: Final = (d.int32, d.int64, d.float32, d.float64)  # in the order inference picks
_RANGE_ALLOWED: Final = _RANGE_TYPES + (d.int8, d.int16, d.uint16, d.uint32, d.float16)
_INT64_MAX: Final = 2**63 - 1


def _check_range(start: Any, limit: Any, delta: Any) -> None:
    """TF's checks of a range's bounds; an inf or nan would otherwise fail in `int()`."""
    for name, value in (("start", start), ("limit", limit), ("delta", delta)):
        if np.asarray(value).dtype.kind == "f" and not np.isfinite(value):
            raise ShapeError(f"Requires start, limit and delta to be finite, got {name} = {value}")
    if delta == 0:
        raise ShapeError("Requires delta != 0")
    if delta > 0 and start > limit:
        raise ShapeError(f"Requires start <= limit when delta > 0: {start}/{limit}")
    if delta < 0 and start < limit:
        raise ShapeError(f"Requires start >= limit when delta < 0: {start}/{limit}")


def _range_size(start: Any, limit: Any, delta: Any) -> int:
    _check_range(start, limit, delta)
    if np.asarray(start).dtype.kind in "iu":
        span, step = abs(int(limit) - int(start)), abs(int(delta))
        return (span + step - 1) // step
    size = int(np.ceil(np.abs((limit - start) / delta)))
    if size > _INT64_MAX:
        raise ShapeError(f"Requires ((limit - start) / delta) <= {_INT64_MAX}: {start}/{limit}/"
                         f"{delta}")
    return size


def _range_infer(inputs: list, attrs: dict) -> list:
    dtype = check_same_dtype("Range", inputs, ("start", "limit", "delta"))
    check_dtype(inputs[0], _RANGE_ALLOWED, "start")
    if dtype is d.float16:  # NOTE: TF registers it and its shape function refuses it
        raise ShapeError("Unsupported dtype float16 for Range")
    for t in inputs:
        _check_rank(t, 0)
    values = [constant_value(t) for t in inputs]
    if any(v is None for v in values):
        return [(dtype, (None,))]
    return [(dtype, (_range_size(*values),))]


def _range_kernel(op: Operation) -> Any:
    numpy_type = op._attrs["Tidx"].as_numpy_dtype

    def arange(start: Any, limit: Any, delta: Any) -> np.ndarray:
        # NOTE: TF's kernel also takes a vector of one entry for each
        start, limit, delta = (_one_value(value, name) for value, name in
                               ((start, "start"), (limit, "limit"), (delta, "delta")))
        count = _range_size(start, limit, delta)
        return (start + np.arange(count, dtype=numpy_type) * delta).astype(numpy_type,
                                                                           copy=False)
    return arange


def _one_value(value: Any, name: str) -> Any:
    if np.shape(value) == (1,):
        return np.asarray(value)[0]
    return scalar_input(value, name)


register("Range", _range_infer, _range_kernel, grad=NOT_DIFFERENTIABLE)


def _value_dtype(value: Any) -> d.DType:
    return d.as_dtype(value.dtype) if _is_tensor_like(value) else d.infer_dtype(value)


def _range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None,
           name: str = "range") -> Tensor:
    """`[start, start + delta, ...)` below `limit`; `range(5)` is 0..4 (ints give int32)."""
    if limit is None:
        start, limit = 0, start
    if all(isinstance(v, numbers.Real) for v in (start, limit, delta)):
        _check_range(start, limit, delta)  # NOTE: a bad range fails before any op is built
    with op_scope(name, "Range", [start, limit, delta]) as scope:
        args = {"start": start, "limit": limit, "delta": delta}
        target = d.as_dtype(dtype) if dtype is not None else max(
            (_value_dtype(v) for v in args.values()),
            key=lambda t: _RANGE_TYPES.index(t) if t in _RANGE_TYPES else -1)
        tensors = [_range_arg(value, target, arg, dtype is None) for arg, value in args.items()]
        return single(apply_op("Range", tensors, {"Tidx": target}, name=scope))


def _range_arg(value: Any, dtype: d.DType, name: str, may_cast: bool) -> Tensor:
    if not _is_tensor_like(value):
        return convert_to_tensor(value, dtype, name=name)
    tensor = convert_to_tensor(value)
    if may_cast and tensor._dtype is not dtype and tensor._dtype in _RANGE_TYPES:
        return math_ops.cast(tensor, dtype)
    return tensor if may_cast else convert_to_tensor(tensor, dtype)


def _linspace_infer(inputs: list, attrs: dict) -> list:
    start, stop, num = inputs
    dtype = check_same_dtype("LinSpace", [start, stop], ("start", "stop"))
    check_dtype(start, (d.float32, d.float64), "start")
    check_dtype(num, INDEX_TYPES, "num")
    for t in inputs:
        _check_rank(t, 0)
    count = scalar_value(num)
    if count is not None and count <= 0:
        raise ShapeError(f"Requires num > 0: {count}")
    return [(dtype, (count,))]


def _linspace(start: Any, stop: Any, num: Any) -> np.ndarray:
    count = int(num)
    if count <= 0:
        raise ValueError(f"Requires num > 0: {count}")
    numpy_type = np.asarray(start).dtype.type
    if count == 1:
        return np.full(1, start, dtype=numpy_type)
    step = (stop - start) / numpy_type(count - 1)
    values = (start + np.arange(count, dtype=numpy_type) * step).astype(numpy_type, copy=False)
    values[-1] = stop  # NOTE: as TF's kernel: the last value is `stop` exactly, never rounded
    return values


def _linspace_grad(op: Operation, g: Tensor) -> list:
    """value[i] = start + i * (stop - start) / (num - 1): start gets the gradient weighted by
    1 - i / (num - 1), stop by i / (num - 1) (with one value, all of it goes to start)."""
    num = math_ops.cast(op._inputs[2], g._dtype)
    fraction = math_ops.cast(range(0, op._inputs[2]), g._dtype) / math_ops.maximum(num - 1, 1)
    to_stop = math_ops.reduce_sum(g * fraction)
    return [math_ops.reduce_sum(g) - to_stop, to_stop, None]


register("LinSpace", _linspace_infer, lambda op: _linspace, grad=_linspace_grad)


def linspace(start: Any, stop: Any, num: Any, name: Optional[str] = None) -> Tensor:
    """`num` evenly spaced floats from `start` to `stop`, both included; integer ends give
    float64, as TF 2's compat.v1 linspace divides them (one LinSpace op, not TF 2's several)."""
    with op_scope(name, "LinSpace", [start, stop, num]) as scope:
        start = _to_tensor(start, None, "start")
        if start.dtype.is_integer:
            stop = _to_tensor(stop, start.dtype, "stop")  # NOTE: TF refuses a float stop here
            start, stop = math_ops.cast(start, d.float64), math_ops.cast(stop, d.float64)
        args = [("start", start, None), ("stop", stop, 0), ("num", num, _PREFER_INT32)]
        return single(_apply("LinSpace", scope, args))


lin_space = linspace


# --- Shape, ShapeN, Size, Rank -----------------------------------------------------------------

def _out_type(attrs: dict) -> d.DType:
    out_type = attrs["out_type"]
    if out_type not in INDEX_TYPES:
        raise TypeError(f"Value for attr 'out_type' of {out_type.name} is not in the list of "
                        "allowed values: int32, int64")
    return out_type


def _shape_infer(inputs: list, attrs: dict) -> list:
    out_type = _out_type(attrs)
    if any(t._dtype is not inputs[0]._dtype for t in inputs):
        names = ", ".join(t._dtype.name for t in inputs)
        raise TypeError(f"Tensors in list passed to 'input' of 'ShapeN' Op have types "
                        f"[{names}] that don't all match.")
    return [(out_type, (_rank(t),)) for t in inputs]


def _shape_kernel(op: Operation) -> Any:
    numpy_type = op._attrs["out_type"].as_numpy_dtype
    return lambda x: np.array(np.shape(x), dtype=numpy_type)


def _shape_n_kernel(op: Operation) -> Any:
    numpy_type = op._attrs["out_type"].as_numpy_dtype
    return lambda *xs: tuple(np.array(np.shape(x), dtype=numpy_type) for x in xs)


def _known_shape(t: Tensor) -> Optional[np.ndarray]:
    dims = t._op._inputs[0]._dims
    if dims is None or None in dims:
        return None
    return np.array(dims, dtype=t._dtype.as_numpy_dtype)


def _partial_shape(t: Tensor) -> Optional[list]:
    source = t._op._inputs[0]
    if source._dims is None:
        return None
    return [SameAs(source, i) if v is None else v for i, v in enumerate(source._dims)]


register("Shape", _shape_infer, _shape_kernel, grad=NOT_DIFFERENTIABLE, reads_shape_only=True,
         static_value=_known_shape, partial_value=_partial_shape)
register("ShapeN", _shape_infer, _shape_n_kernel, grad=NOT_DIFFERENTIABLE, multi_output=True,
         reads_shape_only=True)


def _known_while_building(input: Any, name: Optional[str], default_name: str,  # noqa: A002
                          value: Callable, dtype: d.DType) -> Optional[Tensor]:
    """TF's `optimize`: a Const named as the op would be when `value(dims)` is already known
    (the shape of a fully known input, its size, its rank), else None."""
    if not _is_tensor_like(input):
        return None
    dims = _to_tensor(input, None, "input")._dims
    known = value(dims)
    if known is None:
        return None
    with op_scope(name, default_name, [input]) as scope:
        return make_constant(np.asarray(known, dtype.as_numpy_dtype), name=scope)


def shape_op(input: Any, name: Optional[str] = None,  # noqa: A002 - TF's name
             out_type: Any = d.int32) -> Tensor:
    """A Shape op even when the shape is known while building (TF's `gen_array_ops.shape`)."""
    attrs = {"out_type": d.as_dtype(out_type)}
    return single(_apply("Shape", name, [("input", input, None)], attrs))


def _fully_known_dims(dims: Any) -> Optional[list]:
    return list(dims) if dims is not None and None not in dims else None


def shape(input: Any, name: Optional[str] = None, out_type: Any = d.int32) -> Tensor:  # noqa: A002
    """The shape of `input` as a 1-D int32 tensor (a Const when the shape is known, as TF)."""
    out_type = d.as_dtype(out_type)
    if out_type in INDEX_TYPES:
        known = _known_while_building(input, name, "Shape", _fully_known_dims, out_type)
        if known is not None:
            return known
    return shape_op(input, name, out_type)


def shape_n(input: Sequence[Any], out_type: Any = d.int32,  # noqa: A002 - TF's name
            name: Optional[str] = None) -> list:
    """The shapes of the tensors in `input`, one 1-D tensor each."""
    with op_scope(name, "ShapeN", input) as scope:
        tensors = [_to_tensor(v, None, f"input_{i}") for i, v in enumerate(input)]
        attrs = {"out_type": d.as_dtype(out_type), "N": len(tensors)}
        return list(apply_op("ShapeN", tensors, attrs, name=scope)._outputs)


def _size_kernel(op: Operation) -> Any:
    numpy_type = op._attrs["out_type"].as_numpy_dtype
    return lambda x: np.asarray(np.size(x), dtype=numpy_type)


def _known_size(t: Tensor) -> Optional[int]:
    dims = t._op._inputs[0]._dims
    return None if dims is None or None in dims else int(np.prod(dims, dtype=np.int64))


def _known_rank(t: Tensor) -> Optional[int]:
    return _rank(t._op._inputs[0])


register("Size", lambda inputs, attrs: [(_out_type(attrs), ())], _size_kernel,
         grad=NOT_DIFFERENTIABLE, reads_shape_only=True, partial_value=_known_size)
register("Rank", lambda inputs, attrs: [(d.int32, ())],
         lambda op: (lambda x: np.asarray(np.ndim(x), dtype=np.int32)), grad=NOT_DIFFERENTIABLE,
         reads_shape_only=True, partial_value=_known_rank)


def size(input: Any, name: Optional[str] = None, out_type: Any = d.int32) -> Tensor:  # noqa: A002
    """The number of elements of `input`, as a scalar (a Const when the shape is known)."""
    out_type = d.as_dtype(out_type)
    if out_type in INDEX_TYPES:
        count = _known_while_building(
            input, name, "Size", lambda dims: None if _fully_known_dims(dims) is None else
            int(np.prod(dims, dtype=np.int64)), out_type)
        if count is not None:
            return count
    attrs = {"out_type": out_type}
    return single(_apply("Size", name, [("input", input, None)], attrs))


def rank(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002 - TF's name
    """The number of dimensions of `input`, as an int32 scalar (a Const when it is known)."""
    known = _known_while_building(input, name, "Rank",
                                  lambda dims: None if dims is None else len(dims), d.int32)
    if known is not None:
        return known
    return single(_apply("Rank", name, [("input", input, None)]))


# --- Reshape -----------------------------------------------------------------------------------

def _reshape_infer(inputs: list, attrs: dict) -> list:
    x, wanted = inputs
    check_dtype(wanted, INDEX_TYPES, "shape")
    _check_rank(wanted, 1)
    vector = partial_vector(wanted)
    if vector is None:
        return [(x._dtype, None)]
    return [(x._dtype, _reshaped_dims(x, vector))]


def _reshaped_dims(x: Tensor, vector: list) -> tuple:
    """TF's reshape shape function: one -1 (or unknown entry) is solved from the input's size
    when every input dim is known. (`reshape(x, [tf.shape(x)[0], -1])` of an x of shape
    [?, 2, 3] is [?, ?] in TF: its -1 could be anything for an empty batch.)"""
    _check_reshape_entries(vector)
    out = [v if isinstance(v, int) and v >= 0 else None for v in vector]
    if x._dims is None:
        return tuple(out)
    if None in x._dims and 0 not in x._dims:  # NOTE: a known 0 dim makes the size known: 0
        _check_divisible(x._dims, out)
        return tuple(out)
    total = int(np.prod([n for n in x._dims if n is not None], dtype=np.int64)) \
        if 0 not in x._dims else 0
    product = int(np.prod([v for v in out if v is not None], dtype=np.int64))
    rest = [i for i, v in enumerate(out) if v is None]
    mismatch = total % product if rest and product else total != product
    if mismatch and len(rest) <= 1:
        raise ShapeError(f"Cannot reshape a tensor with {total} elements to shape "
                         f"{bracketed(out)} ({product} elements)")
    if len(rest) == 1 and product and not mismatch:
        out[rest[0]] = total // product
    return tuple(out)


def _check_divisible(dims: tuple, out: list) -> None:
    """TF's check of a fully known target against an input with one unknown dim: the target's
    size must be a multiple of the input's known dims (a [?, 3] input cannot become [5])."""
    if None in out or dims.count(None) != 1:
        return
    known = int(np.prod([n for n in dims if n is not None], dtype=np.int64))
    total = int(np.prod(out, dtype=np.int64))
    if known > 0 and total % known:
        raise ShapeError(f"Dimension size must be evenly divisible by {known} but is {total}")


def _check_reshape_entries(vector: list) -> None:
    wild = [i for i, v in enumerate(vector) if isinstance(v, int) and v == -1]
    if len(wild) > 1:
        raise ShapeError(f"Only one input size may be -1, not both {wild[0]} and {wild[1]}")
    for i, v in enumerate(vector):
        if isinstance(v, int) and v < -1:
            raise ShapeError(f"Size {i} must be non-negative, not {v}")


def _reshape(x: Any, wanted: Any) -> Any:
    target = _int_tuple(wanted)
    count = int(np.size(x))
    known = int(np.prod([v for v in target if v != -1], dtype=np.int64))
    if target.count(-1) > 1:
        first, second = [i for i, v in enumerate(target) if v == -1][:2]
        raise ValueError(f"Only one input size may be -1, not both {first} and {second}")
    if -1 not in target and known != count:
        raise ValueError(f"Input to reshape is a tensor with {count} values, but the requested "
                         f"shape has {known}")
    if -1 in target and known == 0:
        return np.reshape(x, _solved_from_nonzero_dims(np.shape(x), target))
    if -1 in target and count % known:
        raise ValueError(f"Input to reshape is a tensor with {count} values, but the requested "
                         f"shape requires a multiple of {known}")
    return np.reshape(x, target)


def _solved_from_nonzero_dims(shape: tuple, target: tuple) -> tuple:
    """TF's kernel for a -1 beside a 0: the -1 is the product of the input's non-zero dims over
    the target's non-zero sizes (an empty batch of [0, 2, 3] to [0, -1] is [0, 6])."""
    present = int(np.prod([n for n in shape if n > 0], dtype=np.int64))
    product = int(np.prod([v for v in target if v > 0], dtype=np.int64))
    if present % product:
        raise ValueError(f"Reshape cannot infer the missing input size for an empty tensor "
                         f"unless all specified input sizes are non-zero: {list(target)}")
    return tuple(present // product if v == -1 else v for v in target)


def _reshape_back(op: Operation, g: Tensor) -> list:
    """Reshape, ExpandDims, Squeeze: the gradient is `g` in the input's shape."""
    return [reshape(g, _shape_of(op._inputs[0]))] + [None] * (len(op._inputs) - 1)


register("Reshape", _reshape_infer, lambda op: _reshape, grad=_reshape_back)


def reshape(tensor: Any, shape: Any, name: Optional[str] = None) -> Tensor:
    """`tensor`'s elements in a new `shape`; one entry may be -1 (solved from the size)."""
    args = [("tensor", tensor, None), ("shape", _shape_arg(shape), _PREFER_INT32)]
    return single(_apply("Reshape", name, args))


# --- ExpandDims and Squeeze --------------------------------------------------------------------

def _expand_dims_infer(inputs: list, attrs: dict) -> list:
    x, axis_tensor = inputs
    check_dtype(axis_tensor, INDEX_TYPES, "dim")
    axis, rank_ = scalar_value(axis_tensor), _rank(x)
    if rank_ is None or axis is None:  # NOTE: as TF, a run-time axis leaves even the rank open
        return [(x._dtype, None)]
    if not -rank_ - 1 <= axis <= rank_:
        raise ShapeError(f"Tried to expand dim index {axis} for tensor with {rank_} dimensions.")
    dims = list(x._dims)
    dims.insert(axis % (rank_ + 1), 1)
    return [(x._dtype, tuple(dims))]


def _expand_dims(x: Any, axis: Any) -> Any:
    rank_ = np.ndim(x)
    where = int(np.reshape(axis, -1)[0])
    if not -rank_ - 1 <= where <= rank_:
        raise ValueError(f"Tried to expand dim index {where} for tensor with {rank_} dimensions.")
    return np.expand_dims(x, where % (rank_ + 1))


register("ExpandDims", _expand_dims_infer, lambda op: _expand_dims, grad=_reshape_back)


def expand_dims(input: Any, axis: Any = None, name: Optional[str] = None,  # noqa: A002
                dim: Any = None) -> Tensor:
    """`input` with a new dimension of size 1 inserted at `axis`."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return single(_apply("ExpandDims", name, [("input", input, None),
                                              ("dim", axis, _PREFER_INT32)]))


def _squeezed_axes(dims: Sequence[Any], axes: Sequence[int]) -> Optional[set]:
    """The dimensions Squeeze removes; None when that is unknown (an unknown dim, no axes)."""
    rank_ = len(dims)
    if not axes:
        if None in dims:
            return None
        return {i for i, v in enumerate(dims) if v == 1}
    chosen = set()
    for axis in axes:
        if not -rank_ <= axis < rank_:
            raise ShapeError(f"Tried to squeeze dim index {axis} for tensor with {rank_} "
                             "dimensions.")
        axis %= rank_
        if dims[axis] not in (None, 1):
            raise ShapeError(f"Can not squeeze dim[{axis}], expected a dimension of 1, got "
                             f"{dims[axis]}")
        chosen.add(axis)
    return chosen


def _squeeze_infer(inputs: list, attrs: dict) -> list:
    x = inputs[0]
    if x._dims is None:
        return [(x._dtype, None)]
    chosen = _squeezed_axes(x._dims, attrs["squeeze_dims"])
    if chosen is None:
        return [(x._dtype, None)]
    return [(x._dtype, tuple(v for i, v in enumerate(x._dims) if i not in chosen))]


def _squeeze_kernel(op: Operation) -> Any:
    axes = op._attrs["squeeze_dims"]

    def squeeze_(x: Any) -> Any:
        return np.squeeze(x, axis=tuple(_squeezed_axes(np.shape(x), axes)))
    return squeeze_


register("Squeeze", _squeeze_infer, _squeeze_kernel, grad=_reshape_back)


def squeeze(input: Any, axis: Any = None, name: Optional[str] = None,  # noqa: A002
            squeeze_dims: Any = None) -> Tensor:
    """`input` without its size-1 dimensions (only those in `axis`, if given)."""
    if axis is not None and squeeze_dims is not None:
        raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
    axis = squeeze_dims if axis is None else axis
    axes = [] if axis is None else static_int_list(axis, "axis")
    return single(_apply("Squeeze", name, [("input", input, None)], {"squeeze_dims": axes}))


# --- Transpose, ConjugateTranspose, BroadcastTo, Tile ------------------------------------------

def _transpose_infer(inputs: list, attrs: dict) -> list:
    x, perm_tensor = inputs
    check_dtype(perm_tensor, INDEX_TYPES, "perm")
    _check_rank(perm_tensor, 1)
    perm, rank_ = known_ints(partial_vector(perm_tensor)), _rank(x)
    if perm is None:
        return [(x._dtype, None if rank_ is None else (None,) * rank_)]
    if rank_ is not None and len(perm) != rank_:
        raise ShapeError(f"Dimension must be {rank_} but is {len(perm)}")
    if not perm and x._dims is None:  # NOTE: as TF, an empty perm tells nothing of the rank
        return [(x._dtype, None)]
    if None in perm or x._dims is None:
        return [(x._dtype, (None,) * len(perm))]
    _check_perm(perm, len(perm))
    return [(x._dtype, tuple(x._dims[p] for p in perm))]


def _check_perm(perm: Sequence[int], rank_: int) -> None:
    if len(perm) != rank_:
        raise ShapeError(f"transpose expects a vector of size {rank_}. But input(1) is a "
                         f"vector of size {len(perm)}")
    for p in perm:
        if not 0 <= p < rank_:
            raise ShapeError(f"{p} is out of range [0 .. {rank_})")
    missing = sorted(set(_py_range(rank_)) - set(perm))
    if missing:
        raise ShapeError(f"{missing[0]} is missing from {{{','.join(map(str, perm))}}}.")


def _transpose_kernel(op: Operation) -> Any:
    conjugate = op._type == "ConjugateTranspose"

    def transpose_(x: Any, perm: Any) -> Any:
        order = _int_tuple(perm)
        _check_perm(order, np.ndim(x))
        result = np.transpose(x, order)
        return np.conj(result) if conjugate else result
    return transpose_


def _transpose_grad(op: Operation, g: Tensor) -> list:
    perm = constant_value(op._inputs[1])
    inverse = (invert_permutation(op._inputs[1]) if perm is None
               else np.argsort(np.reshape(perm, -1)).astype(np.int32))
    return [transpose(g, inverse, conjugate=op._type == "ConjugateTranspose"), None]


register("Transpose", _transpose_infer, _transpose_kernel, grad=_transpose_grad)
register("ConjugateTranspose", _transpose_infer, _transpose_kernel, grad=_transpose_grad)


def _invert_permutation_infer(inputs: list, attrs: dict) -> list:
    x = inputs[0]
    check_dtype(x, INDEX_TYPES)
    _check_rank(x, 1)
    return [(x._dtype, (None,) if x._dims is None else x._dims)]


def _invert_permutation(x: Any) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"invert_permutation expects a 1D vector, got shape {bracketed(x.shape)}")
    result = np.full(x.shape, -1, dtype=x.dtype)
    for position, value in enumerate(x.tolist()):
        if not 0 <= value < x.size:
            raise ValueError(f"{value} is not between 0 and {x.size}")
        if result[value] >= 0:
            raise ValueError(f"{value} is duplicated in the input.")
        result[value] = position
    return result


register("InvertPermutation", _invert_permutation_infer, lambda op: _invert_permutation,
         grad=NOT_DIFFERENTIABLE)


def invert_permutation(x: Any, name: Optional[str] = None) -> Tensor:
    """The inverse of the permutation `x`: `y[x[i]] = i` (int32 or int64)."""
    return single(_apply("InvertPermutation", name, [("x", x, _PREFER_INT32)]))


def transpose(a: Any, perm: Any = None, name: str = "transpose",
              conjugate: bool = False) -> Tensor:
    """`a` with its dimensions permuted by `perm` (reversed by default)."""
    conjugate = bool_arg(conjugate, "conjugate")
    with op_scope(name, "transpose", [a]) as scope:
        a = convert_to_tensor(a, name="a")
        if perm is None:
            perm = _reversed_axes(a)
        op_type = "ConjugateTranspose" if conjugate and a._dtype.is_complex else "Transpose"
        return single(apply_op(op_type, [a, _to_tensor(perm, _PREFER_INT32, "perm")],
                               name=scope))


def _reversed_axes(a: Tensor) -> Any:
    if a._dims is not None:
        return np.arange(len(a._dims) - 1, -1, -1, dtype=np.int32)
    dynamic_rank = rank(a)
    return (dynamic_rank - 1) - _range(0, dynamic_rank, 1, name="Range")


def matrix_transpose(a: Any, name: str = "matrix_transpose", conjugate: bool = False) -> Tensor:
    """`a` with its last two dimensions swapped (every matrix of a batch transposed)."""
    conjugate = bool_arg(conjugate, "conjugate")
    with op_scope(name, "matrix_transpose", [a]):
        a = convert_to_tensor(a, name="a")
        if a._dims is None:
            dynamic_rank = rank(a)
            perm = concat([_range(0, dynamic_rank - 2, 1, name="Range"),
                           [dynamic_rank - 1, dynamic_rank - 2]], 0)
        elif len(a._dims) < 2:
            raise ValueError("Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: "
                             f"{a.shape}")
        else:
            count = len(a._dims)
            perm = list(_py_range(count - 2)) + [count - 1, count - 2]
        return transpose(a, perm=perm, conjugate=conjugate)


def _broadcast_to_infer(inputs: list, attrs: dict) -> list:
    x, target_tensor = inputs
    check_dtype(target_tensor, INDEX_TYPES, "shape")
    _check_rank(target_tensor, 1)
    target = _vector_dims(target_tensor)
    if target is None or x._dims is None:
        return [(x._dtype, target)]
    if len(x._dims) > len(target):
        raise ShapeError(f"Rank of input ({len(x._dims)}) must be no greater than rank of "
                         f"output shape ({len(target)}).")
    out = list(target)
    for i in _py_range(1, len(x._dims) + 1):
        have, want = x._dims[-i], target[-i]
        if have is None or have == 1:
            continue
        if want is not None and want != have:
            raise ShapeError(f"Dimensions must be equal, but are {have} and {want}")
        out[-i] = have
    return [(x._dtype, tuple(out))]


_COPIED_BROADCAST_LIMIT = 4096  # elements


def _broadcast_to(x: Any, target: Any) -> Any:
    wanted = _int_tuple(target)
    x = np.asarray(x)
    try:
        if x.ndim > len(wanted) or math.prod(wanted) > _COPIED_BROADCAST_LIMIT:
            return np.broadcast_to(x, wanted)  # NOTE: a read-only view with zero strides
        # NOTE: a small result is copied out: np.broadcast_to's setup costs more than that.
        out = np.empty(wanted, x.dtype)
        out[...] = x
        return out
    except ValueError:
        raise ValueError(f"Unable to broadcast tensor of shape {bracketed(np.shape(x))} to "
                         f"tensor of shape {bracketed(wanted)}") from None


def _broadcast_to_grad(op: Operation, g: Tensor) -> list:
    return [g, None]  # NOTE: the walker sums g down to the input's shape (broadcasts=True).


register("BroadcastTo", _broadcast_to_infer, lambda op: _broadcast_to, grad=_broadcast_to_grad,
         broadcasts=True)


def broadcast_to(input: Any, shape: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`input` broadcast (as NumPy does) to `shape`."""
    args = [("input", input, None), ("shape", _shape_arg(shape), _PREFER_INT32)]
    return single(_apply("BroadcastTo", name, args))


def _tile_infer(inputs: list, attrs: dict) -> list:
    x, multiples_tensor = inputs
    check_dtype(multiples_tensor, INDEX_TYPES, "multiples")
    _check_rank(multiples_tensor, 1)
    multiples, rank_ = _vector_dims(multiples_tensor), _rank(x)
    if multiples is None:
        return [(x._dtype, None if rank_ is None else (None,) * rank_)]
    _check_multiples(multiples, len(multiples) if rank_ is None else rank_)
    dims = x._dims or (None,) * len(multiples)
    return [(x._dtype, tuple(None if a is None or m is None else a * m
                             for a, m in zip(dims, multiples, strict=True)))]


def _check_multiples(multiples: Sequence[Any], rank_: int) -> None:
    if len(multiples) != rank_:
        raise ShapeError(f"Expected multiples argument to be a vector of length {rank_} but got "
                         f"length {len(multiples)}")
    for i, m in enumerate(multiples):
        if m is not None and m < 0:
            raise ShapeError(f"Expected multiples[{i}] >= 0, but got {m}")


def _tile(x: Any, multiples: Any) -> Any:
    reps = _int_tuple(multiples)
    _check_multiples(reps, np.ndim(x))
    return np.tile(x, reps)


def _tile_grad(op: Operation, g: Tensor) -> list:
    """`g` seen as [m0, d0, m1, d1, ...] (multiples m, input dims d), summed over the m's."""
    x, multiples = op._inputs
    rank_ = _rank(x) if _rank(x) is not None else (multiples._dims or (None,))[0]
    known, dims = constant_value(multiples), _shape_of(x, multiples._dtype)
    if known is not None and isinstance(dims, np.ndarray):
        split_shape = np.stack([np.reshape(known, -1), dims], axis=1).reshape(-1)
    else:
        split_shape = reshape(stack([multiples, dims], axis=1), [-1])
    if rank_ is None:
        return [_sum_of_tiles(reshape(g, split_shape), multiples, dims), None]
    return [math_ops.reduce_sum(reshape(g, split_shape), list(_py_range(0, 2 * rank_, 2))), None]


def _sum_of_tiles(split: Tensor, multiples: Tensor, dims: Tensor) -> Tensor:
    """For an unknown rank: the m axes of [m0, d0, m1, d1, ...] moved first, joined, summed."""
    count = size(multiples)
    perm = concat([_range(0, 2 * count, 2), _range(1, 2 * count, 2)], 0)
    tiles = concat([reshape(math_ops.reduce_prod(multiples), [1]), dims], 0)
    return math_ops.reduce_sum(reshape(transpose(split, perm), tiles), 0)


register("Tile", _tile_infer, lambda op: _tile, grad=_tile_grad)


def tile(input: Any, multiples: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`input` repeated `multiples[i]` times along each dimension i."""
    args = [("input", input, None), ("multiples", _shape_arg(multiples), _PREFER_INT32)]
    return single(_apply("Tile", name, args))


# --- Pad, PadV2, MirrorPad ---------------------------------------------------------------------

def _pad_infer(inputs: list, attrs: dict) -> list:
    x, paddings = inputs[:2]
    check_dtype(paddings, INDEX_TYPES, "paddings")
    if len(inputs) == 3:
        check_same_dtype("PadV2", [x, inputs[2]], ("input", "constant_values"))
        _check_rank(inputs[2], 0)
    _check_rank(paddings, 2)
    rank_ = _pad_rank(x, paddings)
    if rank_ is None:
        return [(x._dtype, None)]
    value = constant_value(paddings)
    dims = x._dims or (None,) * rank_
    if value is None:
        return [(x._dtype, (None,) * rank_)]
    widths = _check_paddings(dims, value, attrs.get("mode", "CONSTANT"))
    grown = [None if v is None else v + a + b for v, (a, b) in zip(dims, widths, strict=True)]
    return [(x._dtype, tuple(grown))]


def _pad_rank(x: Tensor, paddings: Tensor) -> Optional[int]:
    rank_, rows = _rank(x), None if paddings._dims is None else paddings._dims[0]
    if paddings._dims is not None and paddings._dims[1] not in (None, 2):
        raise ShapeError(f"Dimension 1 in both shapes must be equal, but are "
                         f"{paddings._dims[1]} and 2")
    if rank_ is not None and rows is not None and rows != rank_:
        raise ShapeError(f"The first dimension of paddings must be the rank of inputs"
                         f"[{rows},2] {bracketed(x._dims)}")
    return rank_ if rank_ is not None else rows


def _check_paddings(dims: Sequence[Any], paddings: Any, mode: str) -> list:
    widths = np.asarray(paddings).reshape(-1, 2).tolist() if np.size(paddings) else []
    if len(widths) != len(dims):
        raise ValueError(f"The first dimension of paddings must be the rank of inputs"
                         f"[{len(widths)},2] {bracketed(dims)}")
    for (before, after), dim in zip(widths, dims, strict=True):
        if before < 0 or after < 0:
            raise ShapeError(f"Paddings must be non-negative: {before} {after}")
        if dim is None:
            continue
        if mode == "REFLECT" and max(before, after) >= dim:
            raise ShapeError(f"paddings must be less than the dimension size: {before}, {after} "
                             f"not less than {dim}")
        if mode == "SYMMETRIC" and max(before, after) > dim:
            raise ShapeError(f"paddings must be no greater than the dimension size: {before}, "
                             f"{after} greater than {dim}")
    return widths


def _pad_kernel(op: Operation) -> Any:
    mode = op._attrs.get("mode", "CONSTANT")

    def pad_(x: Any, paddings: Any, constant: Any = 0) -> Any:
        widths = _check_paddings(np.shape(x), paddings, mode)
        if not widths:
            return np.array(x, copy=True)
        if mode == "CONSTANT":
            return np.pad(x, widths, mode="constant", constant_values=constant)
        return np.pad(x, widths, mode=mode.lower())
    return pad_


def _pad_grad(op: Operation, g: Tensor) -> list:
    """The input's block of `g`; the fill value (PadV2) gets the sum of the rest of `g`.

    NOTE: TF 1 gives the fill value no gradient; its true one costs two sums.
    """
    x, paddings = op._inputs[:2]
    known = constant_value(paddings)
    before = convert_to_tensor(np.asarray(known)[:, 0]) if known is not None else paddings[:, 0]
    x_grad = _slice_builder(g, before, _shape_of(x, before._dtype))
    if len(op._inputs) == 2:
        return [x_grad, None]
    return [x_grad, None, math_ops.reduce_sum(g) - math_ops.reduce_sum(x_grad)]


def _mirror_pad_grad(op: Operation, g: Tensor) -> list:
    return [mirror_pad_grad(g, op._inputs[1], op._attrs["mode"]), None]


register("Pad", _pad_infer, _pad_kernel, grad=_pad_grad)
register("PadV2", _pad_infer, _pad_kernel, grad=_pad_grad)
register("MirrorPad", _pad_infer, _pad_kernel, grad=_mirror_pad_grad)


def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", name: Optional[str] = None,
        constant_values: Any = 0) -> Tensor:
    """`tensor` padded by `paddings[i] = [before, after]` (CONSTANT, REFLECT or SYMMETRIC)."""
    if not isinstance(mode, str):
        raise TypeError(f"mode must be a string (CONSTANT, REFLECT or SYMMETRIC), got {mode!r}")
    mode = mode.upper()
    args = [("input", tensor, None), ("paddings", paddings, _PREFER_INT32)]
    if mode == "CONSTANT":
        if not _is_tensor_like(constant_values) and np.all(np.asarray(constant_values) == 0):
            return single(_apply("Pad", name, args))
        return single(_apply("PadV2", name, args + [("constant_values", constant_values, 0)]))
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}")
    return single(_apply("MirrorPad", name, args, {"mode": mode}))


def _mirror_pad_grad_infer(inputs: list, attrs: dict) -> list:
    g, paddings = inputs
    check_dtype(paddings, INDEX_TYPES, "paddings")
    _check_rank(paddings, 2)
    rank_ = _pad_rank(g, paddings)
    value = constant_value(paddings)
    if rank_ is None or value is None:
        return [(g._dtype, None if rank_ is None else (None,) * rank_)]
    widths = np.asarray(value).reshape(-1, 2).tolist()
    dims = [None if v is None else v - a - b
            for v, (a, b) in zip(g._dims or (None,) * rank_, widths, strict=True)]
    _check_paddings(dims, value, attrs["mode"])
    return [(g._dtype, tuple(dims))]


def _mirror_pad_grad_kernel(op: Operation) -> Any:
    mode = op._attrs["mode"]

    def fold(g: Any, paddings: Any) -> np.ndarray:
        """Each entry of `g` added onto the input entry it mirrors (or is)."""
        g = np.asarray(g)
        widths = np.asarray(paddings).reshape(-1, 2).tolist() if np.size(paddings) else []
        dims = tuple(n - a - b for n, (a, b) in zip(g.shape, widths, strict=True))
        _check_paddings(dims, paddings, mode)
        if not dims:
            return g.copy()
        count = int(np.prod(dims, dtype=np.int64))
        sources = np.pad(np.arange(count).reshape(dims), widths, mode=mode.lower())
        result = np.zeros(count, dtype=g.dtype)
        np.add.at(result, sources.reshape(-1), g.reshape(-1))
        return result.reshape(dims)
    return fold


def _mirror_pad_grad_grad(op: Operation, g: Tensor) -> list:
    return [pad(g, op._inputs[1], op._attrs["mode"]), None]


register("MirrorPadGrad", _mirror_pad_grad_infer, _mirror_pad_grad_kernel,
         grad=_mirror_pad_grad_grad)


def mirror_pad_grad(input: Any, paddings: Any, mode: str,  # noqa: A002 - TF's name
                    name: Optional[str] = None) -> Tensor:
    """MirrorPad's gradient: `input` (a padded gradient) with its mirrored parts folded back."""
    args = [("input", input, None), ("paddings", paddings, _PREFER_INT32)]
    return single(_apply("MirrorPadGrad", name, args, {"mode": mode.upper()}))


# --- ConcatV2, Pack, Unpack, Split, SplitV, IdentityN ------------------------------------------

def _concat_infer(inputs: list, attrs: dict) -> list:
    values, axis_tensor = inputs[:-1], inputs[-1]
    dtype = _same_list_dtype("ConcatV2", values)
    check_dtype(axis_tensor, INDEX_TYPES, "axis")
    ranks = {len(t._dims) for t in values if t._dims is not None}
    if not ranks:
        return [(dtype, None)]
    rank_ = len(values[0]._dims) if values[0]._dims is not None else min(ranks)
    for t in values:
        _check_rank(t, rank_)
    if rank_ == 0:
        raise ShapeError("Can't concatenate scalars (use tf.stack instead)")
    axis = scalar_value(axis_tensor)
    if axis is None:
        return [(dtype, (None,) * rank_)]
    if not -rank_ <= axis < rank_:
        raise ShapeError(f"ConcatOp : Expected concatenating dimensions in the range "
                         f"[{-rank_}, {rank_}), but got {axis}")
    return [(dtype, _concat_dims([t._dims for t in values], axis % rank_, rank_))]


def _concat_dims(shapes: list, axis: int, rank_: int) -> tuple:
    known = [s for s in shapes if s is not None]
    merged = None
    for dims in known:
        merged = merged_shape(merged, dims[:axis] + (None,) + dims[axis + 1:])
    if merged is None:
        merged = (None,) * rank_
    sizes = [s[axis] if s is not None else None for s in shapes]
    total = None if None in sizes else sum(sizes)
    return merged[:axis] + (total,) + merged[axis + 1:]


def _concat(*arrays: Any) -> np.ndarray:
    return np.concatenate(arrays[:-1], axis=int(arrays[-1]))


def _concat_grad(op: Operation, g: Any) -> list:
    """`g` split back into the inputs' extents along the axis; rows of an IndexedSlices along
    axis 0 go, as IndexedSlices, to the inputs they came from (as TF, so an optimizer still
    updates only the rows a batch used)."""
    values, axis = op._inputs[:-1], op._inputs[-1]
    where = scalar_value(axis)
    if where is not None and where < 0 and values[0]._dims is not None:
        where %= len(values[0]._dims)
    if isinstance(g, IndexedSlices):
        if where == 0:
            return _rows_of_each_input(values, g) + [None]
        if where is not None and where > 0:  # NOTE: every input keeps the rows, sliced
            parts = _concat_grad(op, g.values)[:-1]
            return [IndexedSlices(part, g.indices, shape(v))
                    for part, v in zip(parts, values, strict=True)] + [None]
        g = convert_to_tensor(g)
    sizes = [None if where is None or v._dims is None else v._dims[where] for v in values]
    if where is None or None in sizes:
        sizes = stack([shape(v)[axis] for v in values])
    if where is None and axis._dtype is not d.int32:
        axis = math_ops.cast(axis, d.int32)
    return split(g, sizes, axis if where is None else where, num=len(values)) + [None]


def _rows_of_each_input(values: Sequence[Tensor], g: IndexedSlices) -> list:
    grads, start = [], convert_to_tensor(0, g.indices.dtype)
    for value in values:
        size = shape(value)
        end = start + math_ops.cast(size[0], g.indices.dtype)
        inside = math_ops.logical_and(math_ops.greater_equal(g.indices, start),
                                      math_ops.less(g.indices, end))
        chosen = squeeze(math_ops.where(inside), axis=[1])
        grads.append(IndexedSlices(gather(g.values, chosen), gather(g.indices, chosen) - start,
                                   size))
        start = end
    return grads


def _partial_concat(t: Tensor) -> Optional[list]:
    """The entries of a shape vector joined from parts (`tf.concat([[2], tf.shape(x)], 0)`)."""
    op = t._op
    if scalar_value(op._inputs[-1]) not in (0, -1):
        return None
    parts = [partial_vector(x) for x in op._inputs[:-1]]
    if any(part is None for part in parts):
        return None
    return [v for part in parts for v in part]


register("ConcatV2", _concat_infer, lambda op: _concat, grad=_concat_grad, passes_slices=True,
         partial_value=_partial_concat)


def concat(values: Any, axis: Any, name: str = "concat") -> Tensor:
    """`values` joined along the existing dimension `axis`."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:  # NOTE: TF 1 returns an Identity for a single value.
        with op_scope(name, "concat", values):
            _check_rank(_to_tensor(axis, d.int32, "concat_dim"), 0)
            return identity(values[0], name=name)
    if not values:
        raise ValueError("List argument 'values' to 'ConcatV2' Op with length 0 shorter than "
                         "minimum length 2.")
    with op_scope(name, "concat", list(values) + [axis]) as scope:
        tensors = _tensor_list(values, "ConcatV2")
        axis_tensor = _to_tensor(axis, _PREFER_INT32, "axis")
        attrs = {"N": len(tensors)}
        return single(apply_op("ConcatV2", tensors + [axis_tensor], attrs, name=scope))


def _pack_infer(inputs: list, attrs: dict) -> list:
    dtype = _same_list_dtype("Pack", inputs)
    dims = None
    for t in inputs:
        dims = merged_shape(dims, t._dims)
    if dims is None:
        return [(dtype, None)]
    axis = attrs["axis"]
    if not -len(dims) - 1 <= axis <= len(dims):
        raise ShapeError(f"axis = {axis} not in [{-len(dims) - 1}, {len(dims) + 1})")
    axis %= len(dims) + 1
    return [(dtype, dims[:axis] + (len(inputs),) + dims[axis:])]


def _pack_kernel(op: Operation) -> Any:
    axis = op._attrs["axis"]
    return lambda *arrays: np.stack(arrays, axis=axis)


def _pack_grad(op: Operation, g: Tensor) -> list:
    return unstack(g, num=op._attrs["N"], axis=op._attrs["axis"])


def _partial_pack(t: Tensor) -> Optional[list]:
    """The entries of a shape vector stacked from scalars (`tf.stack([n, tf.shape(x)[1]])`)."""
    op = t._op
    if op._attrs["axis"] != 0:
        return None
    return [partial_scalar(x) for x in op._inputs]


register("Pack", _pack_infer, _pack_kernel, grad=_pack_grad, partial_value=_partial_pack)


def stack(values: Any, axis: int = 0, name: str = "stack") -> Tensor:
    """Tensors of one shape (or Python values) stacked along a new dimension `axis`."""
    if _is_tensor_like(values):
        return convert_to_tensor(values)
    axis = axis_arg(axis)
    if axis == 0 and not _contains_tensor(values):
        try:  # NOTE: as TF 1, a list of Python values is one Const.
            return convert_to_tensor(values, name=name)
        except (TypeError, ValueError):
            pass
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"Expected list for 'values' argument to 'Pack' Op, not {values!r}.")
    _check_stack_axis(values, axis)
    with op_scope(name, "stack", values) as scope:
        tensors = _tensor_list(values, "Pack")
        return single(apply_op("Pack", tensors, {"axis": axis, "N": len(tensors)}, name=scope))


def _autopacking_conversion(value: Any, dtype: Any, name: Optional[str],
                            preferred_dtype: Any) -> Any:
    """A list or tuple holding tensors converts to their stack, as TF autopacks it."""
    if not holds_tensor(value):
        return NotImplemented
    packed = stack(list(value), name=name or "packed")
    if dtype is not None and d.as_dtype(dtype) is not packed.dtype:
        raise TypeError(f"Cannot convert a list containing a tensor of dtype "
                        f"{packed.dtype.name} to {d.as_dtype(dtype).name}")
    return packed


register_conversion((list, tuple), _autopacking_conversion, priority=99)


# NOTE: TF's ParallelConcat: a stack along a new first axis, with no gradient registered
register("ParallelConcat", lambda inputs, attrs: _pack_infer(inputs, {"axis": 0}),
         lambda op: lambda *arrays: np.stack(arrays), grad=NO_GRADIENT_REGISTERED)


def parallel_stack(values: Sequence[Any], name: str = "parallel_stack") -> Tensor:
    """Tensors of one known shape stacked along a new first axis (TF's ParallelConcat)."""
    with op_scope(name, "parallel_stack", values) as scope:
        tensors = _tensor_list(values, "ParallelConcat")
        if any(t._dims is None or None in t._dims for t in tensors):
            raise ValueError("parallel_stack needs inputs of fully known shape, got "
                             f"{[str(t.shape) for t in tensors]}")
        return single(apply_op("ParallelConcat", tensors, {"N": len(tensors)}, name=scope))


def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = d.bool,
                  name: Optional[str] = None) -> Tensor:
    """A mask of `lengths.shape + [maxlen]`: row i is True in its first lengths[i] places
    (maxlen defaults to the longest length), as TF builds it: range(maxlen) < lengths."""
    with op_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths, name="lengths")
        if maxlen is None:
            longest = math_ops.reduce_max(lengths)
            maxlen = math_ops.maximum(convert_to_tensor(0, longest.dtype), longest)
        else:
            maxlen = convert_to_tensor(maxlen, name="maxlen")
            if maxlen._dims is not None and maxlen._dims:
                raise ValueError("maxlen must be scalar for sequence_mask")
        row = range(convert_to_tensor(0, maxlen.dtype), maxlen,
                    convert_to_tensor(1, maxlen.dtype))
        mask = math_ops.less(row, math_ops.cast(expand_dims(lengths, -1), maxlen.dtype))
        dtype = d.as_dtype(dtype)
        return mask if dtype is d.bool else math_ops.cast(mask, dtype)


def _check_stack_axis(values: Sequence[Any], axis: int) -> None:
    if not values:
        return
    first = values[0]
    if _is_tensor_like(first):
        rank_ = _rank(convert_to_tensor(first))
    else:
        rank_ = None if _contains_tensor(first) else np.ndim(first)
    if rank_ is not None and not -rank_ - 1 <= axis <= rank_:
        raise ValueError(f"axis = {axis} not in [{-rank_ - 1}, {rank_ + 1})")


def _unpack_infer(inputs: list, attrs: dict) -> list:
    x, num, axis = inputs[0], attrs["num"], attrs["axis"]
    if x._dims is None:
        return [(x._dtype, None)] * num
    rank_ = len(x._dims)
    if not -rank_ <= axis < rank_:
        raise ShapeError(f"axis = {axis} not in [{-rank_}, {rank_})")
    axis %= rank_
    if x._dims[axis] not in (None, num):
        raise ShapeError(f"Dimension {axis} in both shapes must be equal, but are "
                         f"{x._dims[axis]} and {num}")
    return [(x._dtype, x._dims[:axis] + x._dims[axis + 1:])] * num


def _unpack_kernel(op: Operation) -> Any:
    num, axis = op._attrs["num"], op._attrs["axis"]

    def unstack_(x: Any) -> tuple:
        moved = np.moveaxis(np.asarray(x), axis, 0)
        if moved.shape[0] != num:
            raise ValueError(f"Input shape axis {axis} must equal {num}, got shape "
                             f"{bracketed(np.shape(x))}")
        return tuple(moved)
    return unstack_


def _unpack_grad(op: Operation, *grads: Tensor) -> list:
    return [stack(list(grads), axis=op._attrs["axis"])]


register("Unpack", _unpack_infer, _unpack_kernel, grad=_unpack_grad, multi_output=True)


def unstack(value: Any, num: Optional[int] = None, axis: int = 0,
            name: str = "unstack") -> list:
    """The slices of `value` along `axis`, as a list of `num` tensors."""
    axis = axis_arg(axis)
    if num is not None:
        num = count_arg(num, "num", "Unpack", 0)
    if num is None:
        value = convert_to_tensor(value)
        dims = value._dims
        if dims is not None:
            if not -len(dims) <= axis < len(dims):
                raise ValueError(f"axis = {axis} not in [{-len(dims)}, {len(dims)})")
            num = dims[axis]
        if num is None:
            raise ValueError(f"Cannot infer num from shape {format_dims(dims)}")
    attrs = {"num": num, "axis": axis}
    return list(_apply("Unpack", name, [("value", value, None)], attrs)._outputs)


def _split_infer(inputs: list, attrs: dict) -> list:
    axis_tensor, x = inputs
    check_dtype(axis_tensor, (d.int32,), "split_dim")
    num = attrs["num_split"]
    dims, axis = x._dims, scalar_value(axis_tensor)
    if dims is None or axis is None:
        return [(x._dtype, None if dims is None else (None,) * len(dims))] * num
    axis = normalize_axis(axis, len(dims), "split_dim")
    if dims[axis] is not None and dims[axis] % num:
        raise ShapeError(f"Dimension size must be evenly divisible by {num} but is "
                         f"{dims[axis]}")
    part = None if dims[axis] is None else dims[axis] // num
    return [(x._dtype, dims[:axis] + (part,) + dims[axis + 1:])] * num


def _split_kernel(op: Operation) -> Any:
    num = op._attrs["num_split"]

    def split_(axis: Any, x: Any) -> tuple:
        where = _axis_int(axis, np.ndim(x))
        length = np.shape(x)[where]
        if length % num:
            raise ValueError(f"Number of ways to split should evenly divide the split "
                             f"dimension, but got split_dim {where} (size = {length}) and "
                             f"num_split {num}")
        return tuple(np.split(x, num, axis=where))
    return split_


def _split_grad(op: Operation, *grads: Tensor) -> list:
    return [None, concat(list(grads), op._inputs[0])]


register("Split", _split_infer, _split_kernel, grad=_split_grad, multi_output=True)

_SPLIT_SIZES_MESSAGE: Final = (
    "Determined shape must either match input shape along split_dim exactly if fully "
    "specified, or be less than the size of the input along split_dim if not fully "
    "specified.  Got: ")


def _split_sizes(sizes: list, length: Optional[int]) -> list:
    """Sizes along the split dimension with the one -1 solved (None where not known)."""
    wild = [i for i, v in enumerate(sizes) if v == -1]
    if len(wild) > 1:
        raise ShapeError(f"Only one dimensions can have a value of -1. Second one found at "
                         f"dimension {wild[1]}")
    known = [v for v in sizes if v is not None and v != -1]
    if length is None or None in sizes:
        return [None if v is None or v == -1 else v for v in sizes]
    if wild and sum(known) <= length:
        return [length - sum(known) if v == -1 else v for v in sizes]
    if wild or sum(known) != length:
        raise ShapeError(_SPLIT_SIZES_MESSAGE + str(sum(known)))
    return list(sizes)


def _split_v_infer(inputs: list, attrs: dict) -> list:
    x, sizes_tensor, axis_tensor = inputs
    check_dtype(sizes_tensor, INDEX_TYPES, "size_splits")
    check_dtype(axis_tensor, (d.int32,), "split_dim")
    num = attrs["num_split"]
    sizes = known_ints(partial_vector(sizes_tensor)) or [None] * num
    if len(sizes) != num:
        raise ShapeError(f"Length of size_splits ({len(sizes)}) must equal num_split ({num})")
    dims, axis = x._dims, scalar_value(axis_tensor)
    if dims is None or axis is None:
        return [(x._dtype, None if dims is None else (None,) * len(dims))] * num
    axis = normalize_axis(axis, len(dims), "split_dim")
    parts = _split_sizes(sizes, dims[axis])
    return [(x._dtype, dims[:axis] + (part,) + dims[axis + 1:]) for part in parts]


def _split_v_kernel(op: Operation) -> Any:
    num = op._attrs["num_split"]

    def split_v(x: Any, sizes: Any, axis: Any) -> tuple:
        where = _axis_int(axis, np.ndim(x))
        parts = _split_sizes(list(_int_tuple(sizes)), np.shape(x)[where])
        if len(parts) != num:
            raise ValueError(f"Length of size_splits ({len(parts)}) must equal num_split "
                             f"({num})")
        return tuple(np.split(x, np.cumsum(parts)[:-1], axis=where))
    return split_v


def _split_v_grad(op: Operation, *grads: Tensor) -> list:
    return [concat(list(grads), op._inputs[2]), None, None]


register("SplitV", _split_v_infer, _split_v_kernel, grad=_split_v_grad, multi_output=True)


def split(value: Any, num_or_size_splits: Any, axis: Any = 0, num: Optional[int] = None,
          name: str = "split") -> list:
    """`value` cut along `axis` into equal parts (an int) or parts of the sizes given."""
    splits = num_or_size_splits
    if isinstance(splits, Dimension):
        splits = _dimension_int(splits)
    if isinstance(splits, numbers.Integral) and not isinstance(splits, bool):
        attrs = {"num_split": count_arg(splits, "num_split", "Split", 1)}
        args = [("split_dim", axis, d.int32), ("value", value, None)]
        return list(_apply("Split", name, args, attrs)._outputs)
    scalar = (_rank(convert_to_tensor(splits)) == 0 if _is_tensor_like(splits)
              else np.ndim(splits) == 0)
    if scalar:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument "
                         f"to split. Argument provided: {splits}")
    num = _split_count(splits) if num is None else count_arg(num, "num_split", "SplitV", 1)
    args = [("value", value, None), ("size_splits", splits, _PREFER_INT32),
            ("split_dim", axis, d.int32)]
    return list(_apply("SplitV", name, args, {"num_split": num})._outputs)


def _split_count(splits: Any) -> int:
    if _is_tensor_like(splits):
        dims = convert_to_tensor(splits)._dims
        count = dims[0] if dims else None
    else:
        count = len(splits)
    if count is None:
        raise ValueError(f"Cannot infer num from shape {splits}")
    return count


def _identity_n_grad(op: Operation, *grads: Tensor) -> list:
    return list(grads)


register("IdentityN", lambda inputs, attrs: [(t._dtype, t._dims) for t in inputs],
         lambda op: (lambda *arrays: arrays), grad=_identity_n_grad, multi_output=True)


def identity_n(input: Sequence[Any], name: Optional[str] = None) -> list:  # noqa: A002
    """Identities of all tensors in `input`, as one op."""
    with op_scope(name, "IdentityN", input) as scope:
        tensors = [_to_tensor(v, None, f"input_{i}") for i, v in enumerate(input)]
        return list(apply_op("IdentityN", tensors, {"T": [t._dtype for t in tensors]},
                             name=scope)._outputs)


# --- GatherV2 and GatherNd ---------------------------------------------------------------------

def _gather_infer(inputs: list, attrs: dict) -> list:
    params, indices, axis_tensor = inputs
    check_dtype(indices, INDEX_TYPES, "indices")
    check_dtype(axis_tensor, INDEX_TYPES, "axis")
    p, i = params._dims, indices._dims
    if p is None or i is None:
        return [(params._dtype, None)]
    batch = attrs["batch_dims"] + (len(i) if attrs["batch_dims"] < 0 else 0)
    axis = scalar_value(axis_tensor)
    if axis is None:
        return [(params._dtype, (None,) * (len(p) - 1 + len(i) - batch))]
    if not p:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    axis = normalize_axis(axis, len(p))
    if batch > axis:
        raise ShapeError(f"batch_dims ({batch}) must be less than or equal to axis ({axis}).")
    merged_shape(p[:batch], i[:batch])
    return [(params._dtype, p[:axis] + i[batch:] + p[axis + 1:])]


def _check_indices(indices: np.ndarray, limit: int) -> None:
    bad = (indices < 0) | (indices >= limit)
    if bad.any():
        where = tuple(int(v) for v in np.argwhere(bad)[0])
        position = f"[{','.join(map(str, where))}]" if where else ""
        raise ValueError(f"indices{position} = {indices[where]} is not in [0, {limit})")


def _gather_kernel(op: Operation) -> Any:
    batch_dims = op._attrs["batch_dims"]

    def gather_(params: Any, indices: Any, axis: Any) -> np.ndarray:
        params, indices = np.asarray(params), np.asarray(indices)
        if params.ndim == 0:
            raise ValueError("params must be at least 1 dimensional")  # NOTE: TF's text
        where = _axis_int(axis, params.ndim)
        _check_indices(indices, params.shape[where])
        batch = batch_dims + indices.ndim if batch_dims < 0 else batch_dims
        if batch == 0:
            return np.take(params, indices, axis=where)
        return _batched_take(params, indices, where, batch)
    return gather_


def _batched_take(params: np.ndarray, indices: np.ndarray, axis: int, batch: int) -> np.ndarray:
    out_shape = params.shape[:axis] + indices.shape[batch:] + params.shape[axis + 1:]
    flat_params = params.reshape((-1,) + params.shape[batch:])
    flat_indices = indices.reshape((-1,) + indices.shape[batch:])
    parts = [np.take(p, i, axis=axis - batch)
             for p, i in zip(flat_params, flat_indices, strict=True)]
    if not parts:
        return np.empty(out_shape, dtype=params.dtype)
    return np.stack(parts).reshape(out_shape)


def _gather_grad(op: Operation, g: Tensor) -> list:
    """Along axis 0, TF's IndexedSlices: `g`'s slices as values, the flattened indices, the
    params' shape; along another axis, `g`'s slices summed into the places they came from."""
    params, indices, axis = op._inputs
    if scalar_value(axis) == 0 and op._attrs["batch_dims"] == 0:
        params_shape = shape(params)
        dims = params._dims
        if dims is not None and None not in dims[1:]:
            values = reshape(g, [-1, *dims[1:]])
        else:
            values = reshape(g, concat([[-1], params_shape[1:]], 0))
        return [IndexedSlices(values, reshape(indices, [-1]), params_shape), None, None]
    return [_scatter_back(op, g), None, None]


register("GatherV2", _gather_infer, _gather_kernel, grad=_gather_grad)


def gather(params: Any, indices: Any, validate_indices: Any = None, name: Optional[str] = None,
           axis: Any = None, batch_dims: int = 0) -> Tensor:
    """Slices of `params` along `axis` at `indices`; an index out of range fails at run time."""
    args = [("params", params, None), ("indices", indices, _PREFER_INT32),
            ("axis", batch_dims if axis is None else axis, _PREFER_INT32)]
    return single(_apply("GatherV2", name, args, {"batch_dims": batch_dims}))


def _gather_nd_infer(inputs: list, attrs: dict) -> list:
    params, indices = inputs
    check_dtype(indices, INDEX_TYPES, "indices")
    p, i = params._dims, indices._dims
    if i is not None and not i:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    if p is None or i is None or i[-1] is None:
        return [(params._dtype, None)]
    if i[-1] > len(p):
        raise ShapeError(f"indices.shape[-1] must be <= params.rank, but saw indices shape: "
                         f"{bracketed(i)} and params shape: {bracketed(p)}")
    return [(params._dtype, i[:-1] + p[i[-1]:])]


def _gather_nd(params: Any, indices: Any) -> np.ndarray:
    params, indices = np.asarray(params), np.asarray(indices)
    _at_least_rank(params, 1, "params")
    _at_least_rank(indices, 1, "indices")
    depth = indices.shape[-1]
    if depth > params.ndim:
        raise ValueError(f"index innermost dimension length must be <= params rank; saw: "
                         f"{depth} vs. {params.ndim}")
    bad = ((indices < 0) | (indices >= np.array(params.shape[:depth], dtype=np.int64))).any(-1)
    if bad.any():
        where = tuple(int(v) for v in np.argwhere(bad)[0])
        raise ValueError(f"indices[{','.join(map(str, where))}] = "
                         f"[{', '.join(map(str, indices[where]))}] does not index into param "
                         f"shape {bracketed(params.shape)}")
    if depth == 0:
        return np.array(np.broadcast_to(params, indices.shape[:-1] + params.shape))
    return params[tuple(np.moveaxis(indices, -1, 0))]


def _gather_nd_grad(op: Operation, g: Tensor) -> list:
    """As TF: an IndexedSlices when `indices` is a [n, 1] matrix of rows, else a ScatterNd."""
    params, indices = op._inputs
    if indices._dims is not None and len(indices._dims) == 2 and indices._dims[-1] == 1:
        rows = squeeze(indices, [-1])
        return [IndexedSlices(g, rows, shape(params, out_type=indices._dtype)), None]
    return [scatter_nd(indices, g, _shape_of(params, indices._dtype)), None]


register("GatherNd", _gather_nd_infer, lambda op: _gather_nd, grad=_gather_nd_grad)


def gather_nd(params: Any, indices: Any, name: Optional[str] = None,
              batch_dims: int = 0) -> Tensor:
    """Entries (or slices) of `params` at the index vectors in the last axis of `indices`."""
    if batch_dims:
        raise NotImplementedError("gather_nd supports batch_dims=0 only")
    args = [("params", params, None), ("indices", indices, _PREFER_INT32)]
    return single(_apply("GatherNd", name, args))


# --- UnsortedSegmentSum and ScatterNd: the gathers' gradients -----------------------------------

def _segment_sum_infer(inputs: list, attrs: dict) -> list:
    data, ids, num = inputs
    check_dtype(ids, INDEX_TYPES, "segment_ids")
    check_dtype(num, INDEX_TYPES, "num_segments")
    _check_rank(num, 0)
    count = scalar_value(num)
    if count is not None and count < 0:
        raise ShapeError(f"num_segments must be non-negative, got {count}")
    if data._dims is None or ids._dims is None:
        return [(data._dtype, None)]
    prefix = data._dims[:len(ids._dims)]
    if len(prefix) < len(ids._dims) or any(a is not None and b is not None and a != b
                                            for a, b in zip(prefix, ids._dims, strict=True)):
        raise ShapeError(f"data.shape = {bracketed(data._dims)} does not start with "
                         f"segment_ids.shape = {bracketed(ids._dims)}")
    return [(data._dtype, (count,) + data._dims[len(ids._dims):])]


def _unsorted_segment_sum(data: Any, ids: Any, num: Any) -> np.ndarray:
    return reduce_unsorted_segments(data, ids, num, np.add, 0)


def reduce_unsorted_segments(data: Any, ids: Any, num: Any, reduce: np.ufunc,
                             identity: Any) -> np.ndarray:
    """`num` segments of `data`, each the `reduce` of the entries whose id names it (`identity`
    where none does): the kernel of every UnsortedSegment op."""
    count = int(scalar_input(num, "num_segments"))
    data, ids = np.asarray(data), np.asarray(ids)
    if data.shape[:ids.ndim] != ids.shape:
        raise ValueError(f"data.shape = {bracketed(data.shape)} does not start with "
                         f"segment_ids.shape = {bracketed(ids.shape)}")
    if np.any(ids >= count):
        where = tuple(int(v) for v in np.argwhere(ids >= count)[0])
        raise ValueError(f"segment_ids[{','.join(map(str, where))}] = {ids[where]} is out of "
                         f"range [0, {count})")
    result = np.full((count,) + data.shape[ids.ndim:], identity, dtype=data.dtype)
    kept = ids >= 0  # NOTE: as in TF, entries with a negative segment id are dropped.
    reduce.at(result, ids[kept], data[kept])
    return result


def _segment_sum_grad(op: Operation, g: Tensor) -> list:
    """Each entry of `data` gets its segment's row of `g` (zeros for a dropped entry)."""
    ids = op._inputs[1]
    rows = gather(g, math_ops.maximum(ids, 0))
    ids_dims = _shape_of(ids)
    if isinstance(ids_dims, np.ndarray) and g._dims is not None:
        target = np.concatenate([ids_dims, np.ones(len(g._dims) - 1, np.int32)])
    else:
        target = concat([shape(ids), ones_like(shape(g))[1:]], 0)
    kept = reshape(math_ops.greater_equal(ids, 0), target)
    return [math_ops.where_v2(kept, rows, zeros_like(rows)), None, None]


register("UnsortedSegmentSum", _segment_sum_infer, lambda op: _unsorted_segment_sum,
         grad=_segment_sum_grad)


def unsorted_segment_sum(data: Any, segment_ids: Any, num_segments: Any,
                         name: Optional[str] = None) -> Tensor:
    """`result[i]` = the sum of the slices `data[j...]` with `segment_ids[j...] == i`."""
    args = [("data", data, None), ("segment_ids", segment_ids, _PREFER_INT32),
            ("num_segments", num_segments, _PREFER_INT32)]
    return single(_apply("UnsortedSegmentSum", name, args))


def _scatter_nd_infer(inputs: list, attrs: dict) -> list:
    indices, updates, dims_tensor = inputs
    check_dtype(indices, INDEX_TYPES, "indices")
    check_same_dtype("ScatterNd", [indices, dims_tensor], ("indices", "shape"))
    _check_rank(dims_tensor, 1)
    dims, i, u = _vector_dims(dims_tensor), indices._dims, updates._dims
    if i is not None and not i:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    if dims is None or i is None or i[-1] is None or u is None:
        return [(updates._dtype, dims)]
    if i[-1] > len(dims):
        raise ShapeError(f"indices.shape[-1] must be <= shape.rank, but saw indices shape: "
                         f"{bracketed(i)} and shape: {bracketed(dims)}")
    expected = i[:-1] + dims[i[-1]:]
    if len(expected) != len(u) or any(a is not None and b is not None and a != b
                                      for a, b in zip(expected, u, strict=True)):
        raise ShapeError(f"updates.shape {bracketed(u)} must be indices.shape[:-1] + "
                         f"shape[indices.shape[-1]:] = {bracketed(expected)}")
    return [(updates._dtype, dims)]


def _scatter_nd(indices: Any, updates: Any, dims: Any) -> np.ndarray:
    indices, updates = np.asarray(indices), np.asarray(updates)
    if np.ndim(dims) != 1:
        raise ValueError(f"Shape must be a 1-D tensor. Got: {bracketed(np.shape(dims))}")
    _at_least_rank(indices, 1, "indices")
    dims = _int_tuple(dims)
    depth = indices.shape[-1]
    expected = indices.shape[:-1] + dims[depth:]
    if depth > len(dims) or updates.shape != expected:
        raise ValueError(f"updates.shape {bracketed(updates.shape)} must be indices.shape[:-1] "
                         f"+ shape[indices.shape[-1]:] = {bracketed(expected)}")
    flat = indices.reshape(-1, depth)
    bad = ((flat < 0) | (flat >= np.array(dims[:depth], dtype=np.int64))).any(-1)
    if bad.any():
        where = int(np.argmax(bad))
        raise ValueError(f"indices[{where}] = [{', '.join(map(str, flat[where]))}] does not "
                         f"index into shape {bracketed(dims)}")
    result = np.zeros(dims, dtype=updates.dtype)
    values = updates.reshape((-1,) + dims[depth:])
    if depth == 0:
        return result + values.sum(axis=0, dtype=result.dtype)
    np.add.at(result, tuple(flat.T), values)  # NOTE: repeated indices accumulate, as in TF.
    return result


def _scatter_nd_grad(op: Operation, g: Tensor) -> list:
    return [None, gather_nd(g, op._inputs[0]), None]


register("ScatterNd", _scatter_nd_infer, lambda op: _scatter_nd, grad=_scatter_nd_grad)


def scatter_nd(indices: Any, updates: Any, shape: Any, name: Optional[str] = None) -> Tensor:
    """Zeros of `shape` with `updates` added at the index vectors in the last axis of `indices`."""
    args = [("indices", indices, _PREFER_INT32), ("updates", updates, None),
            ("shape", _shape_arg(shape), 0)]
    return single(_apply("ScatterNd", name, args))


# --- Unique and UniqueWithCounts ----------------------------------------------------------------

def _unique_infer(with_counts: bool) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        x, out_idx = inputs[0], attrs["out_idx"]
        _check_rank(x, 1)
        if out_idx not in INDEX_TYPES:
            raise TypeError(f"Value for attr 'out_idx' of {out_idx.name} is not in the list of "
                            "allowed values: int32, int64")
        specs = [(x._dtype, (None,)), (out_idx, x._dims)]
        return specs + [(out_idx, (None,))] if with_counts else specs
    return infer


def _unique_kernel(with_counts: bool) -> Callable:
    """TF's order: the values as they first occur (NumPy's unique sorts them)."""
    def make(op: Operation) -> Callable:
        index_type = op._attrs["out_idx"].as_numpy_dtype

        def unique(x: Any) -> tuple:
            x = np.asarray(x)
            if x.ndim != 1:
                raise ValueError(f"unique expects a 1D vector, got shape {list(x.shape)}")
            values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                                       return_counts=True)
            order = np.argsort(first, kind="stable")
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            result = (x[np.sort(first)], rank[inverse.reshape(-1)].astype(index_type))
            return result + (counts[order].astype(index_type),) if with_counts else result
        return unique
    return make


register("Unique", _unique_infer(False), _unique_kernel(False), grad=NOT_DIFFERENTIABLE,
         multi_output=True)
register("UniqueWithCounts", _unique_infer(True), _unique_kernel(True), multi_output=True,
         grad=NO_GRADIENT_REGISTERED)


def unique(x: Any, out_idx: Any = d.int32, name: Optional[str] = None) -> tuple:
    """(y, idx): the distinct values of the 1-D `x` in order of first occurrence, and for each
    element of `x` the position of its value in y."""
    op = _apply("Unique", name, [("x", x, None)], {"out_idx": d.as_dtype(out_idx)})
    return tuple(op._outputs)


def unique_with_counts(x: Any, out_idx: Any = d.int32, name: Optional[str] = None) -> tuple:
    """(y, idx, count): as `unique`, with how many times each value occurs."""
    op = _apply("UniqueWithCounts", name, [("x", x, None)], {"out_idx": d.as_dtype(out_idx)})
    return tuple(op._outputs)


# --- Slice -------------------------------------------------------------------------------------

def _slice_infer(inputs: list, attrs: dict) -> list:
    x, begin_tensor, size_tensor = inputs
    check_same_dtype("Slice", [begin_tensor, size_tensor], ("begin", "size"))
    check_dtype(begin_tensor, INDEX_TYPES, "begin")
    begin = known_ints(partial_vector(begin_tensor))
    sizes = known_ints(partial_vector(size_tensor))
    rank_ = _rank(x)
    for vector in (begin, sizes):
        rank_ = len(vector) if rank_ is None and vector is not None else rank_
    if rank_ is None:
        return [(x._dtype, None)]
    begin, sizes = begin or [None] * rank_, sizes or [None] * rank_
    if not len(begin) == len(sizes) == rank_:
        raise ShapeError(f"Expected begin and size arguments to be 1-D tensors of size {rank_}, "
                         f"but got shapes [{len(begin)}] and [{len(sizes)}] instead.")
    dims = x._dims or (None,) * rank_
    return [(x._dtype, tuple(_slice_length(i, *entry)
                             for i, entry in enumerate(zip(dims, begin, sizes, strict=True))))]


def _slice_length(i: int, dim: Any, begin: Any, length: Any) -> Optional[int]:
    if begin is not None and dim is not None and not 0 <= begin <= dim:
        raise ShapeError(f"Expected begin[{i}] in [0, {dim}], but got {begin}")
    if length == -1:
        return None if dim is None or begin is None else dim - begin
    if length is None:
        return None
    limit = None if dim is None or begin is None else dim - begin
    if length < 0 or (limit is not None and length > limit):
        raise ShapeError(f"Expected size[{i}] in [0, {'?' if limit is None else limit}], but "
                         f"got {length}")
    return length


def _slice(x: Any, begin: Any, sizes: Any) -> Any:
    dims, begin, sizes = np.shape(x), _int_tuple(begin), _int_tuple(sizes)
    if not len(begin) == len(sizes) == len(dims):
        raise ValueError(f"Expected begin and size arguments to be 1-D tensors of size "
                         f"{len(dims)}, but got shapes [{len(begin)}] and [{len(sizes)}] instead.")
    index = []
    for i, entry in enumerate(zip(dims, begin, sizes, strict=True)):
        length = _slice_length(i, *entry)
        index.append(_py_slice(entry[1], entry[1] + length))
    return np.asarray(x)[tuple(index)]


def _slice_grad(op: Operation, g: Tensor) -> list:
    """`g` padded with zeros back to the input's shape."""
    x, begin = op._inputs[:2]
    before = constant_value(begin)
    whole, part = _shape_of(x, begin._dtype), _shape_of(op._outputs[0], begin._dtype)
    if before is not None and isinstance(whole, np.ndarray) and isinstance(part, np.ndarray):
        paddings = np.stack([before, whole - part - before], axis=1)
    else:
        paddings = stack([begin, convert_to_tensor(whole) - part - begin], axis=1)
    return [pad(g, paddings), None, None]


register("Slice", _slice_infer, lambda op: _slice, grad=_slice_grad)


def _slice_builder(input_: Any, begin: Any, size: Any, name: Optional[str] = None) -> Tensor:
    """The block of `input_` starting at `begin` of `size` (an entry -1 means "to the end")."""
    args = [("input", input_, None), ("begin", begin, _PREFER_INT32), ("size", size, 1)]
    return single(_apply("Slice", name, args))


# --- StridedSlice and Tensor.__getitem__ -------------------------------------------------------

_MASKS: Final = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _slice_plan(rank_: int, count: int, masks: dict) -> list:
    """TF's dense slice spec: (kind, spec position, input dimension) per resulting entry.

    Kinds: "new" (tf.newaxis), "all" (a dimension an ellipsis covers), "index" (an int index,
    the dimension is removed) and "range". Without an ellipsis, one is implied at the end.
    """
    ellipses = [i for i in _py_range(count) if masks["ellipsis_mask"] >> i & 1]
    if len(ellipses) > 1:
        raise ShapeError("Multiple ellipses in slice spec not allowed")
    at = ellipses[0] if ellipses else count
    new_axis, shrink = masks["new_axis_mask"], masks["shrink_axis_mask"]
    real_after = sum(1 for i in _py_range(at + 1, count) if not new_axis >> i & 1)
    plan, dim = [], 0
    for i in _py_range(max(count, at + 1)):
        if i == at:
            stop = max(dim, rank_ - real_after)
            plan.extend(("all", i, k) for k in _py_range(dim, stop))
            dim = stop
        elif new_axis >> i & 1:
            plan.append(("new", i, None))
        else:
            if dim >= rank_:
                raise ShapeError(f"Index out of range using input dim {dim}; input has only "
                                 f"{rank_} dims")
            plan.append(("index" if shrink >> i & 1 else "range", i, dim))
            dim += 1
    return plan


def _range_size_of(dim: Optional[int], k: int, begin: Any, end: Any, stride: Any,
                   masked: tuple) -> Optional[int]:
    """The length of one strided range of a dimension, as TF canonicalizes it."""
    if stride == 0:
        raise ShapeError(f"strides[{k}] must be non-zero")
    if dim is None or stride is None:
        return None
    bounds = (0, dim) if stride > 0 else (-1, dim - 1)

    def canonical(value: Any, which: int) -> Optional[int]:
        if masked[which]:
            return bounds[which] if stride > 0 else bounds[1 - which]
        if value is None:
            return None
        forward = value + dim if value < 0 else value
        return min(max(forward, bounds[0]), bounds[1])
    start, stop = canonical(begin, 0), canonical(end, 1)
    if start is None or stop is None:
        return None
    interval = stop - start
    if interval == 0 or (interval < 0) != (stride < 0):
        return 0
    return -(-interval // stride)


def _shrunk_index(dim: Optional[int], k: int, begin: Any, stride: Any) -> Optional[int]:
    """The one position an int index picks (checked against the dimension when known)."""
    if stride is not None and stride <= 0:
        raise ShapeError("only stride 1 allowed on non-range indexing.")
    if dim is None or begin is None:
        return None
    forward = begin + dim if begin < 0 else begin
    if not 0 <= forward < dim:
        raise ShapeError(f"slice index {forward} of dimension {k} out of bounds.")
    return forward


def _sliced_dims(dims: tuple, begin: list, end: list, strides: list, masks: dict) -> tuple:
    result = []
    for kind, i, k in _slice_plan(len(dims), len(begin), masks):
        if kind == "new":
            result.append(1)
        elif kind == "all":
            result.append(dims[k])
        elif kind == "index":
            _shrunk_index(dims[k], k, begin[i], strides[i])
        else:
            masked = (masks["begin_mask"] >> i & 1, masks["end_mask"] >> i & 1)
            result.append(_range_size_of(dims[k], k, begin[i], end[i], strides[i], masked))
    return tuple(result)


def _strided_slice_infer(inputs: list, attrs: dict) -> list:
    x, bounds = inputs[0], inputs[1:]
    check_same_dtype("StridedSlice", bounds, ("begin", "end", "strides"))
    check_dtype(bounds[0], INDEX_TYPES, "begin")
    for t in bounds:
        _check_rank(t, 1)
    vectors = [known_ints(partial_vector(t)) for t in bounds]
    lengths = {len(v) for v in vectors if v is not None}
    if len(lengths) > 1:
        raise ShapeError("Expected begin, end, and strides to be 1D equal size tensors, but got "
                         "shapes " + ", ".join(f"[{len(v)}]" for v in vectors if v is not None))
    if x._dims is None or not lengths:
        return [(x._dtype, None)]
    count = lengths.pop()
    begin, end, strides = (v if v is not None else [None] * count for v in vectors)
    return [(x._dtype, _sliced_dims(x._dims, begin, end, strides, attrs))]


def _numpy_index(dims: tuple, begin: tuple, end: tuple, strides: tuple, masks: dict) -> tuple:
    index: list = []
    for kind, i, k in _slice_plan(len(dims), len(begin), masks):
        if kind == "new":
            index.append(None)
        elif kind == "all":
            index.append(_py_slice(None))
        elif kind == "index":
            index.append(_shrunk_index(dims[k], k, begin[i], strides[i]))
        else:
            if strides[i] == 0:
                raise ValueError(f"strides[{k}] must be non-zero")
            start = None if masks["begin_mask"] >> i & 1 else begin[i]
            stop = None if masks["end_mask"] >> i & 1 else end[i]
            index.append(_py_slice(start, stop, strides[i]))
    return tuple(index)


def _strided_slice_kernel(op: Operation) -> Any:
    masks = {key: op._attrs[key] for key in _MASKS}

    def strided_slice_(x: Any, begin: Any, end: Any, strides: Any) -> Any:
        bounds = [_int_tuple(v) for v in (begin, end, strides)]
        if len({len(v) for v in bounds}) > 1:
            raise ValueError("Expected begin, end, and strides to be 1D equal size tensors")
        x = np.asarray(x)
        return x[_numpy_index(x.shape, *bounds, masks)]
    return strided_slice_


def _strided_slice_grad(op: Operation, g: Tensor) -> list:
    x, begin, end, strides = op._inputs
    masks = {key: op._attrs[key] for key in _MASKS}
    dims = _shape_of(x, begin._dtype)
    return [strided_slice_grad(dims, begin, end, strides, g, **masks), None, None, None]


def _picks_one_entry(op: Operation) -> bool:
    """Is `op` a StridedSlice taking one constant entry of a vector (`shape[0]`)?"""
    begin, strides = constant_value(op._inputs[1]), constant_value(op._inputs[3])
    attrs = op._attrs
    return (attrs["shrink_axis_mask"] == 1 and attrs["ellipsis_mask"] == 0
            and attrs["new_axis_mask"] == 0 and begin is not None and begin.shape == (1,)
            and strides is not None and strides.tolist() == [1])


def _partial_entry(t: Tensor) -> Any:
    """One entry of a partly known shape vector (`tf.shape(x)[0]`)."""
    op = t._op
    if not _picks_one_entry(op):
        return None
    vector = partial_vector(op._inputs[0])
    position = int(constant_value(op._inputs[1])[0])
    if vector is not None and -len(vector) <= position < len(vector):
        return vector[position]
    return None


register("StridedSlice", _strided_slice_infer, _strided_slice_kernel, grad=_strided_slice_grad,
         partial_value=_partial_entry)


def strided_slice(input_: Any, begin: Any, end: Any, strides: Any = None, begin_mask: int = 0,
                  end_mask: int = 0, ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0, var: Any = None,
                  name: Optional[str] = None) -> Tensor:
    """`input_[begin:end:strides]` per dimension, with TF's masks for `:`, `...`, newaxis, ints."""
    if strides is None:
        strides = ones_like(begin)
    attrs = {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
             "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}
    args = [("input", input_, None), ("begin", begin, _PREFER_INT32), ("end", end, 1),
            ("strides", strides, 1)]
    return single(_apply("StridedSlice", name, args, attrs))


def _strided_slice_grad_infer(inputs: list, attrs: dict) -> list:
    dims, begin, end, strides, dy = inputs
    check_same_dtype("StridedSliceGrad", inputs[:4], ("shape", "begin", "end", "strides"))
    check_dtype(dims, INDEX_TYPES, "shape")
    _check_rank(dims, 1)
    return [(dy._dtype, _vector_dims(dims))]


def _strided_slice_grad_kernel(op: Operation) -> Any:
    masks = {key: op._attrs[key] for key in _MASKS}

    def strided_slice_grad_(dims: Any, begin: Any, end: Any, strides: Any, dy: Any) -> Any:
        dims, dy = _int_tuple(dims), np.asarray(dy)
        index = _numpy_index(dims, *(_int_tuple(v) for v in (begin, end, strides)), masks)
        taken = np.broadcast_to(0, dims)[index]
        if np.shape(taken) != dy.shape:
            raise ValueError(f"shape of dy was {bracketed(dy.shape)} instead of "
                             f"{bracketed(np.shape(taken))}")
        result = np.zeros(dims, dtype=dy.dtype)
        result[index] = dy
        return result
    return strided_slice_grad_


def _strided_slice_grad_grad(op: Operation, g: Tensor) -> list:
    masks = {key: op._attrs[key] for key in _MASKS}
    return [None, None, None, None, strided_slice(g, *op._inputs[1:4], **masks)]


register("StridedSliceGrad", _strided_slice_grad_infer, _strided_slice_grad_kernel,
         grad=_strided_slice_grad_grad)


def strided_slice_grad(shape: Any, begin: Any, end: Any, strides: Any, dy: Any,
                       begin_mask: int = 0, end_mask: int = 0, ellipsis_mask: int = 0,
                       new_axis_mask: int = 0, shrink_axis_mask: int = 0,
                       name: Optional[str] = None) -> Tensor:
    """StridedSlice's gradient: `dy` put into zeros of `shape` where the slice took its entries."""
    attrs = {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
             "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}
    index_type = _first_dtype([shape, begin, end, strides]) or _PREFER_INT32
    args = [("shape", _shape_arg(shape), index_type), ("begin", begin, index_type),
            ("end", end, index_type), ("strides", strides, index_type), ("dy", dy, None)]
    return single(_apply("StridedSliceGrad", name, args, attrs))


_SLICE_TYPE_ERROR: Final = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                            "and scalar tf.int32/tf.int64 tensors are valid indices")


def _check_index(index: Any) -> None:
    """TF's TypeError for anything but an int or a scalar int32/int64 tensor."""
    if isinstance(index, (numbers.Integral, Dimension)):
        return
    dtype = getattr(index, "dtype", None)
    try:
        dtype = None if dtype is None else d.as_dtype(dtype)
    except TypeError:
        dtype = None
    index_shape = getattr(index, "shape", None)
    dims = None if index_shape is None else as_dims(index_shape)
    if dtype not in INDEX_TYPES or (dims is not None and len(dims) != 0):
        raise TypeError(f"{_SLICE_TYPE_ERROR}, got {index!r}")


def _index_value(index: Any) -> Any:
    _check_index(index)
    return _dimension_int(index) if isinstance(index, Dimension) else index


def _parse_slice_spec(spec: tuple) -> tuple:
    """(begin, end, strides, masks) for a Python index tuple, as TF's `_slice_helper`."""
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASKS, 0)
    for position, item in enumerate(spec):
        bit = 1 << position
        if isinstance(item, _py_slice):
            start, stop = _slice_bound(item.start), _slice_bound(item.stop)
            masks["begin_mask"] |= bit if start is None else 0
            masks["end_mask"] |= bit if stop is None else 0
            begin.append(0 if start is None else start)
            end.append(0 if stop is None else stop)
            strides.append(1 if item.step is None else _index_value(item.step))
        elif item is Ellipsis or item is None:
            _extend((begin, end, strides), (0, 0, 1))
            masks["ellipsis_mask" if item is Ellipsis else "new_axis_mask"] |= bit
        else:
            item = _index_value(item)
            _extend((begin, end, strides), (item, item + 1, 1))
            masks["shrink_axis_mask"] |= bit
    return begin, end, strides, masks


def _extend(lists: tuple, values: tuple) -> None:
    for target, value in zip(lists, values, strict=True):
        target.append(value)


def _slice_bound(value: Any) -> Any:
    # NOTE: Python gives `a[:]` as slice(None, sys.maxsize) in some paths; both mean "open".
    if value is None or (not _is_tensor_like(value) and value == sys.maxsize):
        return None
    return _index_value(value)


def _is_boolean_index(spec: Any) -> bool:
    if isinstance(spec, bool):
        return True
    if isinstance(spec, np.ndarray):
        return spec.dtype == np.bool_
    return _is_tensor_like(spec) and d.as_dtype(spec.dtype) is d.bool


def _slice_helper(tensor: Tensor, slice_spec: Any) -> Tensor:
    """`tensor[slice_spec]`: one StridedSlice op named "strided_slice", as TF builds it."""
    if _is_boolean_index(slice_spec):
        return boolean_mask(tensor, slice_spec)
    if isinstance(slice_spec, list):  # NOTE: NumPy's fancy indexing; TF has no equivalent.
        raise TypeError(f"{_SLICE_TYPE_ERROR}, got {slice_spec!r}")
    spec = slice_spec if isinstance(slice_spec, tuple) else (slice_spec,)
    begin, end, strides, masks = _parse_slice_spec(spec)
    with op_scope(None, "strided_slice", [tensor] + begin + end + strides) as scope:
        if begin:
            packed = [stack(values) for values in (begin, end, strides)]
            if any(t._dtype is d.int64 for t in packed):
                packed = [math_ops.cast(t, d.int64) for t in packed]
        else:
            packed = [make_constant([], d.int32)] * 3
        return strided_slice(tensor, *packed, name=scope, **masks)


# --- BooleanMask, OneHot -----------------------------------------------------------------------

def _boolean_mask_infer(inputs: list, attrs: dict) -> list:
    x, mask = inputs
    check_dtype(mask, (d.bool,), "mask")
    axis = attrs["axis"]
    if x._dims is None or mask._dims is None:
        return [(x._dtype, None)]
    _check_mask_shape(x._dims, mask._dims, axis)
    return [(x._dtype, x._dims[:axis] + (None,) + x._dims[axis + len(mask._dims):])]


def _check_mask_shape(dims: tuple, mask_dims: tuple, axis: int) -> None:
    if not mask_dims:
        raise ShapeError("mask cannot be scalar.")
    covered = dims[axis:axis + len(mask_dims)]
    compatible = len(covered) == len(mask_dims) and all(
        a is None or b is None or a == b for a, b in zip(covered, mask_dims, strict=True))
    if not compatible:
        raise ShapeError(f"Shapes {format_dims(covered)} and {format_dims(mask_dims)} are "
                         "incompatible")


def _boolean_mask_kernel(op: Operation) -> Any:
    axis = op._attrs["axis"]

    def boolean_mask_(x: Any, mask: Any) -> np.ndarray:
        x, mask = np.asarray(x), np.asarray(mask)
        _check_mask_shape(x.shape, mask.shape, axis)
        return x[(_py_slice(None),) * axis + (mask,)]
    return boolean_mask_


def _boolean_mask_grad(op: Operation, g: Tensor) -> list:
    return [_scatter_back(op, g), None]


register("BooleanMask", _boolean_mask_infer, _boolean_mask_kernel, grad=_boolean_mask_grad)


def boolean_mask(tensor: Any, mask: Any, name: str = "boolean_mask", axis: Any = None) -> Tensor:
    """The entries of `tensor` where `mask` is True (their count is unknown while building)."""
    where = 0 if axis is None else axis_arg(axis)
    with op_scope(name, "boolean_mask", [tensor, mask]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        if mask._dims is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None.  E.g. shape=[None] is ok, but shape=None is "
                             "not.")
        if where < 0 and tensor._dims is not None:
            where += len(tensor._dims)
        if tensor._dims is not None:
            try:
                _check_mask_shape(tensor._dims, mask._dims, where)
            except ShapeError as error:
                raise ValueError(str(error)) from None
        return single(apply_op("BooleanMask", [tensor, mask], {"axis": where}, name=scope))


def _one_hot_infer(inputs: list, attrs: dict) -> list:
    indices, depth_tensor, on, off = inputs
    check_dtype(indices, (d.uint8, d.int32, d.int64), "indices")
    check_dtype(depth_tensor, (d.int32,), "depth")
    dtype = check_same_dtype("OneHot", [on, off], ("on_value", "off_value"))
    for t in (depth_tensor, on, off):
        _check_rank(t, 0)
    depth = scalar_value(depth_tensor)
    if depth is not None and depth < 0:
        raise ShapeError(f"depth must be non-negative, got: {depth}")
    if indices._dims is None:
        return [(dtype, None)]
    dims = list(indices._dims)
    dims.insert(_one_hot_axis(attrs["axis"], len(dims) + 1), depth)
    return [(dtype, tuple(dims))]


def _one_hot_axis(axis: int, rank_: int) -> int:
    if axis != -1 and not 0 <= axis < rank_:
        raise ShapeError(f"Expected axis to be -1 or between [0, {rank_}).  But received: {axis}")
    return rank_ - 1 if axis == -1 else axis


def _one_hot_kernel(op: Operation) -> Any:
    axis = op._attrs["axis"]

    def one_hot_(indices: Any, depth: Any, on: Any, off: Any) -> np.ndarray:
        for value, name in ((depth, "depth"), (on, "on_value"), (off, "off_value")):
            scalar_input(value, name)
        count = int(depth)
        if count < 0:
            raise ValueError(f"depth must be non-negative, got: {count}")
        indices = np.asarray(indices)
        where = _one_hot_axis(axis, indices.ndim + 1)
        hot = np.where(indices[..., None] == np.arange(count), on, off)
        return np.moveaxis(hot, -1, where).astype(np.asarray(on).dtype, copy=False)
    return one_hot_


register("OneHot", _one_hot_infer, _one_hot_kernel, grad=NOT_DIFFERENTIABLE)


def one_hot(indices: Any, depth: Any, on_value: Any = None, off_value: Any = None,
            axis: Optional[int] = None, dtype: Any = None, name: Optional[str] = None) -> Tensor:
    """A new `depth`-long axis: `on_value` at `indices`, `off_value` elsewhere (float32 1/0)."""
    values = [indices, depth, on_value, off_value]
    axis = -1 if axis is None else axis_arg(axis)
    with op_scope(name, "one_hot", [v for v in values if v is not None]) as scope:
        dtype = _one_hot_dtype(on_value, off_value, dtype)
        on = _to_tensor(1 if on_value is None else on_value, dtype, "on_value")
        off = _to_tensor(0 if off_value is None else off_value, dtype, "off_value")
        if on._dtype is not off._dtype:
            raise TypeError(f"dtype {on._dtype} of on_value does not match dtype {off._dtype} "
                            "of off_value")
        args = [_to_tensor(indices, None, "indices"), _to_tensor(depth, d.int32, "depth")]
        attrs = {"axis": axis, "T": on._dtype}
        return single(apply_op("OneHot", args + [on, off], attrs, name=scope))


def _one_hot_dtype(on_value: Any, off_value: Any, dtype: Any) -> d.DType:
    given = [(label, _value_dtype(v)) for label, v in (("on_value", on_value),
                                                      ("off_value", off_value)) if v is not None]
    if dtype is None:
        return given[0][1] if given else d.float32
    dtype = d.as_dtype(dtype)
    for label, found in given:
        if found is not dtype and _is_tensor_like(on_value if label == "on_value" else off_value):
            raise TypeError(f"dtype {found} of {label} does not match dtype parameter {dtype}")
    return dtype


# --- ReverseV2, ReverseSequence ----------------------------------------------------------------

def _reverse_axes(axes: Sequence[int], rank_: int, error: type) -> tuple:
    normalized = []
    for axis in axes:
        if not -rank_ <= axis < rank_:
            raise error(f"'axis'[{len(normalized)}] = {axis} is out of valid range [{-rank_}, "
                        f"{rank_ - 1}]")
        if axis % rank_ in normalized:
            raise error(f"axis {axis % rank_} specified more than once.")
        normalized.append(axis % rank_)
    return tuple(normalized)


def _reverse_infer(inputs: list, attrs: dict) -> list:
    x, axis_tensor = inputs
    check_dtype(axis_tensor, INDEX_TYPES, "axis")
    _check_rank(axis_tensor, 1)
    axes = constant_value(axis_tensor)
    if axes is not None and x._dims is not None:
        _reverse_axes(_int_tuple(axes), len(x._dims), ShapeError)
    return [(x._dtype, x._dims)]


def _reverse(x: Any, axes: Any) -> Any:
    return np.flip(x, axis=_reverse_axes(_int_tuple(axes), np.ndim(x), ValueError))


def _reverse_grad(op: Operation, g: Tensor) -> list:
    return [reverse(g, op._inputs[1]), None]


register("ReverseV2", _reverse_infer, lambda op: _reverse, grad=_reverse_grad)


def reverse(tensor: Any, axis: Any, name: Optional[str] = None) -> Tensor:
    """`tensor` with the order of entries along each dimension in `axis` reversed."""
    args = [("tensor", tensor, None), ("axis", axis, _PREFER_INT32)]
    return single(_apply("ReverseV2", name, args))


reverse_v2 = reverse


def _reverse_sequence_infer(inputs: list, attrs: dict) -> list:
    x, lengths = inputs
    check_dtype(lengths, INDEX_TYPES, "seq_lengths")
    _check_rank(lengths, 1)
    seq, batch = attrs["seq_dim"], attrs["batch_dim"]
    if seq == batch:
        raise ShapeError(f"seq_dim and batch_dim must not be the same: {seq}")
    if x._dims is None:
        return [(x._dtype, None)]
    for what, axis in (("seq_dim", seq), ("batch_dim", batch)):
        if not 0 <= axis < len(x._dims):
            raise ShapeError(f"{what} must be < input rank: {axis} vs. {len(x._dims)}")
    count = None if lengths._dims is None else lengths._dims[0]
    merged_shape((x._dims[batch],), (count,))
    return [(x._dtype, x._dims)]


def _reverse_sequence_kernel(op: Operation) -> Any:
    seq, batch = op._attrs["seq_dim"], op._attrs["batch_dim"]

    def reverse_sequence_(x: Any, lengths: Any) -> np.ndarray:
        result = np.moveaxis(np.array(x, copy=True), (batch, seq), (0, 1))
        if len(lengths) != result.shape[0]:
            raise ValueError(f"len(seq_lens) != input.dims({batch}), ({len(lengths)} vs. "
                             f"{result.shape[0]})")
        for b, length in enumerate(_int_tuple(lengths)):
            if not 0 <= length <= result.shape[1]:
                raise ValueError(f"seq_lens({b}) > input.dims({seq})")
            result[b, :length] = result[b, :length][::-1].copy()
        return np.moveaxis(result, (0, 1), (batch, seq))
    return reverse_sequence_


def _reverse_sequence_grad(op: Operation, g: Tensor) -> list:
    seq, batch = op._attrs["seq_dim"], op._attrs["batch_dim"]
    return [reverse_sequence(g, op._inputs[1], seq_axis=seq, batch_axis=batch), None]


register("ReverseSequence", _reverse_sequence_infer, _reverse_sequence_kernel,
         grad=_reverse_sequence_grad)


def reverse_sequence(input: Any, seq_lengths: Any, seq_axis: Optional[int] = None,  # noqa: A002
                     batch_axis: Optional[int] = None, name: Optional[str] = None,
                     seq_dim: Optional[int] = None, batch_dim: Optional[int] = None) -> Tensor:
    """For each batch entry b, its first `seq_lengths[b]` entries along `seq_axis` reversed."""
    seq = seq_dim if seq_axis is None else seq_axis
    batch = batch_dim if batch_axis is None else batch_axis
    if seq is None:
        raise ValueError("reverse_sequence needs seq_axis")
    attrs = {"seq_dim": seq, "batch_dim": 0 if batch is None else batch}
    args = [("input", input, None), ("seq_lengths", seq_lengths, d.int64)]
    return single(_apply("ReverseSequence", name, args, attrs))


# --- Roll, batch_gather ------------------------------------------------------------------------

def _roll_infer(inputs: list, attrs: dict) -> list:
    x, shift, axis = inputs
    check_dtype(shift, INDEX_TYPES, "shift")
    check_dtype(axis, INDEX_TYPES, "axis")
    for t, what in ((shift, "shift"), (axis, "axis")):
        if t._dims is not None and len(t._dims) > 1:
            raise ShapeError(f"{what} must be a scalar or a 1-D vector, got rank {len(t._dims)}")
    if x._dims is not None and not x._dims:
        raise ShapeError("input must be 1-D or higher")
    return [(x._dtype, x._dims)]


def _roll(x: Any, shift: Any, axis: Any) -> np.ndarray:
    x, shifts, axes = np.asarray(x), np.reshape(shift, -1), np.reshape(axis, -1)
    if x.ndim == 0:
        raise ValueError("input must be 1-D or higher")
    if shifts.shape != axes.shape:
        raise ValueError(f"shift and axis must have the same size, got {shifts.size} and "
                         f"{axes.size}")
    for a in axes:
        if not -x.ndim <= a < x.ndim:
            raise ValueError(f"axis {a} is out of range for a tensor of rank {x.ndim}")
    # NOTE: as TF, shifts along a repeated axis add up (np.roll does the same).
    return np.roll(x, tuple(int(s) for s in shifts), tuple(int(a) for a in axes))


def _roll_grad(op: Operation, g: Tensor) -> list:
    return [roll(g, math_ops.negative(op._inputs[1]), op._inputs[2]), None, None]


register("Roll", _roll_infer, lambda op: _roll, grad=_roll_grad)


def roll(input: Any, shift: Any, axis: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`input` with its entries moved `shift` places along `axis` (each a scalar or a list),
    the ones shifted off one end entering at the other."""
    args = [("input", input, None), ("shift", shift, _PREFER_INT32), ("axis", axis, _PREFER_INT32)]
    return single(_apply("Roll", name, args))


def batch_gather(params: Any, indices: Any, name: Optional[str] = None) -> Tensor:
    """`params[b..., indices[b..., j]]`: a gather per batch entry, the leading dims of
    `indices` (all but its last) being batch dims of `params`."""
    with op_scope(name, "BatchGather", [params, indices]):
        indices = _to_tensor(indices, _PREFER_INT32, "indices")
        params = _to_tensor(params, None, "params")
        if indices._dims is None:
            raise ValueError("batch_gather does not allow indices with unknown shape.")
        batch = len(indices._dims) - 1
        return gather(params, indices, axis=batch, batch_dims=batch)


# --- Diag, DiagPart, MatrixDiag, MatrixSetDiag, MatrixDiagPart; eye, meshgrid -------------------

def _diag_infer(inputs: list, attrs: dict) -> list:
    x = inputs[0]
    if x._dims is not None and not x._dims:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    return [(x._dtype, None if x._dims is None else x._dims + x._dims)]


def _diag(x: Any) -> np.ndarray:
    x = np.asarray(x)
    count = x.size
    result = np.zeros((count, count), dtype=x.dtype)
    result[np.arange(count), np.arange(count)] = x.reshape(-1)
    return result.reshape(x.shape + x.shape)


def _diag_part_infer(inputs: list, attrs: dict) -> list:
    x = inputs[0]
    if x._dims is None:
        return [(x._dtype, None)]
    half = len(x._dims) // 2
    if len(x._dims) % 2 or not half:
        raise ShapeError(f"Input must have even and non-zero rank, input rank is {len(x._dims)}")
    return [(x._dtype, merged_shape(x._dims[:half], x._dims[half:]))]


def _diag_part(x: Any) -> np.ndarray:
    x = np.asarray(x)
    half = x.shape[:x.ndim // 2]
    if x.ndim % 2 or not half or x.shape[x.ndim // 2:] != half:
        raise ValueError(f"Invalid shape {bracketed(x.shape)}: dimensions must match")
    count = int(np.prod(half, dtype=np.int64))
    return np.diagonal(x.reshape(count, count)).reshape(half)


def _diag_grad(op: Operation, g: Tensor) -> list:
    return [diag_part(g)]


def _diag_part_grad(op: Operation, g: Tensor) -> list:
    return [diag(g)]


register("Diag", _diag_infer, lambda op: _diag, grad=_diag_grad)
register("DiagPart", _diag_part_infer, lambda op: _diag_part, grad=_diag_part_grad)


def diag(diagonal: Any, name: Optional[str] = None) -> Tensor:
    """A tensor with `diagonal` on its diagonal, zeros elsewhere (rank doubles)."""
    return single(_apply("Diag", name, [("diagonal", diagonal, None)]))


def diag_part(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002 - TF's name
    """The diagonal of `input` (the inverse of `diag`)."""
    return single(_apply("DiagPart", name, [("input", input, None)]))


def _matrix_diag_infer(inputs: list, attrs: dict) -> list:
    x = inputs[0]
    if x._dims is None:
        return [(x._dtype, None)]
    if not x._dims:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    return [(x._dtype, x._dims + x._dims[-1:])]


def _matrix_diag(x: Any) -> np.ndarray:
    x = np.asarray(x)
    _at_least_rank(x, 1, "input")
    count = x.shape[-1]
    result = np.zeros(x.shape + (count,), dtype=x.dtype)
    result[..., np.arange(count), np.arange(count)] = x
    return result


def _matrix_set_diag_infer(inputs: list, attrs: dict) -> list:
    x, diagonal = inputs
    check_same_dtype("MatrixSetDiag", inputs, ("input", "diagonal"))
    if x._dims is not None and len(x._dims) < 2:
        raise ShapeError(f"Shape must be at least rank 2 but is rank {len(x._dims)}")
    if x._dims is not None and diagonal._dims is not None:
        rows, columns = x._dims[-2:]
        length = None if rows is None or columns is None else min(rows, columns)
        merged_shape(x._dims[:-2] + (length,), diagonal._dims)
    return [(x._dtype, x._dims)]


def _matrix_set_diag(x: Any, diagonal: Any) -> np.ndarray:
    result = np.array(x, copy=True)
    _at_least_rank(result, 2, "input")
    length = min(result.shape[-2:])
    if np.shape(diagonal) != result.shape[:-2] + (length,):
        raise ValueError(f"diagonal must have shape {bracketed(result.shape[:-2] + (length,))}, "
                         f"got {bracketed(np.shape(diagonal))}")
    result[..., np.arange(length), np.arange(length)] = diagonal
    return result


def _matrix_diag_part_infer(inputs: list, attrs: dict) -> list:
    x = inputs[0]
    if x._dims is None:
        return [(x._dtype, None)]
    if len(x._dims) < 2:
        raise ShapeError(f"Shape must be at least rank 2 but is rank {len(x._dims)}")
    rows, columns = x._dims[-2:]
    length = None if rows is None or columns is None else min(rows, columns)
    return [(x._dtype, x._dims[:-2] + (length,))]


def _matrix_diag_grad(op: Operation, g: Tensor) -> list:
    return [matrix_diag_part(g)]


def _matrix_set_diag_grad(op: Operation, g: Tensor) -> list:
    return [matrix_set_diag(g, zeros_like(op._inputs[1])), matrix_diag_part(g)]


def _matrix_diag_part_grad(op: Operation, g: Tensor) -> list:
    dims = op._inputs[0]._dims
    if dims is not None and dims[-1] is not None and dims[-1] == dims[-2]:
        return [matrix_diag(g)]
    return [matrix_set_diag(zeros_like(op._inputs[0]), g)]


register("MatrixDiag", _matrix_diag_infer, lambda op: _matrix_diag, grad=_matrix_diag_grad)
register("MatrixSetDiag", _matrix_set_diag_infer, lambda op: _matrix_set_diag,
         grad=_matrix_set_diag_grad)
register("MatrixDiagPart", _matrix_diag_part_infer,
         lambda op: (lambda x: np.diagonal(x, axis1=-2, axis2=-1)), grad=_matrix_diag_part_grad)


def matrix_diag(diagonal: Any, name: Optional[str] = None) -> Tensor:
    """A batch of square matrices with the last axis of `diagonal` on their diagonals."""
    return single(_apply("MatrixDiag", name, [("diagonal", diagonal, None)]))


def matrix_set_diag(input: Any, diagonal: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`input` (a batch of matrices) with its main diagonals replaced by `diagonal`."""
    args = [("input", input, None), ("diagonal", diagonal, 0)]
    return single(_apply("MatrixSetDiag", name, args))


def matrix_diag_part(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """The main diagonals of a batch of matrices."""
    return single(_apply("MatrixDiagPart", name, [("input", input, None)]))


def _count_arg(value: Any, what: str) -> int:
    if isinstance(value, Dimension):
        value = _dimension_int(value)
    count = static_int_list(value, what)
    if count is None or len(count) != 1 or count[0] < 0:
        raise TypeError("num_rows and num_columns must be positive integer values.")
    return count[0]


def eye(num_rows: Any, num_columns: Any = None, batch_shape: Any = None, dtype: Any = d.float32,
        name: Optional[str] = None) -> Tensor:
    """An identity matrix (`num_rows` x `num_columns`, or a batch of them)."""
    with op_scope(name, "eye", [v for v in (num_rows, num_columns, batch_shape)
                               if v is not None]):
        rows = _count_arg(num_rows, "num_rows")
        columns = rows if num_columns is None else _count_arg(num_columns, "num_columns")
        batch = [] if batch_shape is None else static_int_list(_shape_arg(batch_shape),
                                                               "batch_shape")
        diagonal = ones(batch + [min(rows, columns)], dtype)
        if rows == columns:
            return matrix_diag(diagonal)
        return matrix_set_diag(zeros(batch + [rows, columns], dtype), diagonal)


def meshgrid(*args: Any, **kwargs: Any) -> list:
    """Coordinate grids from 1-D tensors; `indexing="xy"` (the default) or `"ij"`."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for this "
                        "function")
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    with op_scope(name, "meshgrid", args):
        count, unit = len(args), (1,) * len(args)
        grids = [reshape(stack(x), unit[:i] + (-1,) + unit[i + 1:]) for i, x in enumerate(args)]
        sizes = [size(x) for x in args]
        if indexing == "xy" and count > 1:
            grids[0] = reshape(grids[0], (1, -1) + (1,) * (count - 2))
            grids[1] = reshape(grids[1], (-1, 1) + (1,) * (count - 2))
            sizes[0], sizes[1] = sizes[1], sizes[0]
        factor = ones(sizes, grids[0]._dtype) if grids else None
        return [grid * factor for grid in grids]


# NOTE: TF's public names that shadow built-ins, bound last so the code above keeps the
# built-ins under `_py_range` / `_py_slice`.
range = _range  # noqa: A001
slice = _slice_builder  # noqa: A001


# NOTE: last, as math_ops builds on this module (a cycle): its builders are used inside function
# bodies only, once both modules are whole.
from . import math_ops  # noqa: E402
