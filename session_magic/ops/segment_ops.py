"""Op blocks that reduce the slices of `data` that share a segment id: SegmentSum/Mean/Max/Min/
Prod (sorted ids; output as long as the last id + 1, 0 for an empty segment) and
UnsortedSegmentMax/Min/Prod (`num_segments` rows; an empty segment holds the reduction's
identity: the dtype's lowest for max, highest for min, 1 for prod), with TF's gradients.
`unsorted_segment_mean` and `_sqrt_n` are TF's compositions of UnsortedSegmentSum.
"""
from __future__ import annotations

from typing import Any, Callable, Final, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Operation, Tensor
from . import array_ops, math_ops
from .array_ops import gather, unsorted_segment_sum
from .common import FLOATS, REAL, check_dtype, scalar_input, single
from .conversion import convert_to_tensor
from .known import constant_value, scalar_value
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, bracketed, op_scope, register

__all__ = ["segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod",
           "unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod",
           "unsorted_segment_mean", "unsorted_segment_sqrt_n", "bincount",
           "histogram_fixed_width", "sparse_segment_sum", "sparse_segment_mean",
           "sparse_segment_sqrt_n"]

_INDEX_TYPES: Final = (d.int32, d.int64)


def _check_prefix(data_dims: Any, ids_dims: Any) -> None:
    prefix = data_dims[:len(ids_dims)]
    if len(prefix) < len(ids_dims) or any(a is not None and b is not None and a != b
                                          for a, b in zip(prefix, ids_dims, strict=True)):
        raise ShapeError(f"data.shape = {bracketed(data_dims)} does not start with "
                         f"segment_ids.shape = {bracketed(ids_dims)}")


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


# --- sorted: SegmentSum, SegmentMean, SegmentMax, SegmentMin, SegmentProd -------------------------

def _sorted_infer(inputs: list, attrs: dict) -> list:
    data, ids = inputs
    check_dtype(data, REAL, "data")
    check_dtype(ids, _INDEX_TYPES, "segment_ids")
    if ids._dims is not None and len(ids._dims) != 1:
        raise ShapeError(f"Shape must be rank 1 but is rank {len(ids._dims)}")
    if data._dims is None:
        return [(data._dtype, None)]
    if not data._dims:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    if ids._dims is not None:
        _check_prefix(data._dims, ids._dims)
    return [(data._dtype, (None,) + data._dims[1:])]


def _sorted_kernel(reduce: np.ufunc, empty: int, mean: bool = False) -> Callable:
    def make(op: Operation) -> Callable:
        def segment(data: Any, ids: Any) -> np.ndarray:
            data, ids = np.asarray(data), np.asarray(ids)
            if ids.ndim != 1 or data.ndim < 1 or data.shape[0] != ids.shape[0]:
                raise _invalid(f"segment_ids should be the same size as dimension 0 of input, "
                               f"got shapes {bracketed(ids.shape)} and {bracketed(data.shape)}")
            if ids.size and (np.any(np.diff(ids) < 0) or ids[0] < 0):
                raise _invalid("segment ids are not increasing")
            count = int(ids[-1]) + 1 if ids.size else 0
            result = np.full((count,) + data.shape[1:], empty, data.dtype)
            if ids.size:
                starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
                reduced = reduce.reduceat(data, starts, axis=0)
                if mean:
                    sizes = np.diff(np.r_[starts, len(ids)]).reshape((-1,) + (1,) * (data.ndim - 1))
                    reduced = (reduced / sizes).astype(data.dtype)
                result[ids[starts]] = reduced
            return result
        return segment
    return make


def _gathered_back(op: Operation, g: Tensor) -> Tensor:
    return gather(g, op._inputs[1])


def _segment_sum_grad(op: Operation, g: Tensor) -> list:
    return [_gathered_back(op, g), None]


def _segment_mean_grad(op: Operation, g: Tensor) -> list:
    data, ids = op._inputs
    ones_shape = array_ops.concat([array_ops.shape(ids), array_ops.fill(
        array_ops.expand_dims(array_ops.rank(data) - 1, 0), 1)], 0)
    counts = segment_sum(array_ops.ones(ones_shape, data._dtype), ids)
    return [gather(math_ops.divide(g, counts), ids), None]


def _segment_min_or_max_grad(op: Operation, g: Tensor) -> list:
    """TF's rule: the gradient is shared equally by the entries equal to their segment's max."""
    data, ids = op._inputs
    is_selected = math_ops.equal(data, gather(op._outputs[0], ids))
    selected = segment_sum(math_ops.cast(is_selected, g._dtype), ids)
    shared = gather(math_ops.divide(g, selected), ids)
    return [math_ops.where_v2(is_selected, shared, array_ops.zeros_like(data)), None]


def _segment_prod_grad(op: Operation, g: Tensor) -> list:
    """TF's rule: product of the others, computed without dividing by a zero entry."""
    data, ids = op._inputs
    is_zero = math_ops.equal(data, 0)
    zeros = segment_sum(math_ops.cast(is_zero, d.int32), ids)
    g = math_ops.where_v2(math_ops.greater(zeros, 1), array_ops.zeros_like(g), g)
    non_zero = math_ops.where_v2(is_zero, array_ops.ones_like(data), data)
    non_zero_prod = segment_prod(non_zero, ids)
    others = math_ops.where_v2(is_zero, gather(non_zero_prod, ids),
                               gather(op._outputs[0], ids) / non_zero)
    return [gather(g, ids) * others, None]


register("SegmentSum", _sorted_infer, _sorted_kernel(np.add, 0), grad=_segment_sum_grad)
register("SegmentMean", _sorted_infer, _sorted_kernel(np.add, 0, mean=True),
         grad=_segment_mean_grad)
register("SegmentMax", _sorted_infer, _sorted_kernel(np.maximum, 0),
         grad=_segment_min_or_max_grad)
register("SegmentMin", _sorted_infer, _sorted_kernel(np.minimum, 0),
         grad=_segment_min_or_max_grad)
register("SegmentProd", _sorted_infer, _sorted_kernel(np.multiply, 1), grad=_segment_prod_grad)


def _sorted(op_type: str, data: Any, segment_ids: Any, name: Optional[str]) -> Tensor:
    with op_scope(name, op_type, [data, segment_ids]) as scope:
        ids = convert_to_tensor(segment_ids, name="segment_ids", preferred_dtype=d.int32)
        return single(apply_op(op_type, [data, ids], name=scope, arg_names=("data",)))


def segment_sum(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """`result[i]` = the sum of the rows `data[j]` with `segment_ids[j] == i` (ids sorted)."""
    return _sorted("SegmentSum", data, segment_ids, name)


def segment_mean(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """The mean of each segment's rows (ids sorted; 0 for an empty segment)."""
    return _sorted("SegmentMean", data, segment_ids, name)


def segment_max(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """The maximum of each segment's rows (ids sorted; 0 for an empty segment)."""
    return _sorted("SegmentMax", data, segment_ids, name)


def segment_min(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """The minimum of each segment's rows (ids sorted; 0 for an empty segment)."""
    return _sorted("SegmentMin", data, segment_ids, name)


def segment_prod(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """The product of each segment's rows (ids sorted; 1 for an empty segment)."""
    return _sorted("SegmentProd", data, segment_ids, name)


# --- unsorted: UnsortedSegmentMax, UnsortedSegmentMin, UnsortedSegmentProd ------------------------

def _unsorted_infer(inputs: list, attrs: dict) -> list:
    data, ids, num = inputs
    check_dtype(data, REAL, "data")
    check_dtype(ids, _INDEX_TYPES, "segment_ids")
    check_dtype(num, _INDEX_TYPES, "num_segments")
    if num._dims is not None and len(num._dims) != 0:
        raise ShapeError(f"Shape must be rank 0 but is rank {len(num._dims)}")
    count = scalar_value(num)
    if count is not None and count < 0:
        raise ShapeError(f"num_segments must be non-negative, got {count}")
    if data._dims is None or ids._dims is None:
        return [(data._dtype, None)]
    _check_prefix(data._dims, ids._dims)
    return [(data._dtype, (count,) + data._dims[len(ids._dims):])]


def _identity(reduce: np.ufunc, dtype: np.dtype) -> Any:
    if reduce is np.multiply:
        return 1
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    return info.min if reduce is np.maximum else info.max


def _unsorted_kernel(reduce: np.ufunc) -> Callable:
    def make(op: Operation) -> Callable:
        def segment(data: Any, ids: Any, num: Any) -> np.ndarray:
            identity = _identity(reduce, np.asarray(data).dtype)
            return array_ops.reduce_unsorted_segments(data, ids, num, reduce, identity)
        return segment
    return make


def _gather_drop_negatives(params: Tensor, ids: Tensor, clipped: Optional[Tensor] = None,
                           is_positive: Optional[Tensor] = None) -> tuple:
    """TF's helper: `params[ids]` with zeros where an id is negative (a dropped entry)."""
    if clipped is None:
        clipped = math_ops.maximum(ids, array_ops.zeros_like(ids))
    gathered = gather(params, clipped)
    if is_positive is None:
        is_positive = math_ops.greater_equal(ids, 0)
        ones = array_ops.ones(array_ops.expand_dims(
            array_ops.rank(gathered) - array_ops.rank(is_positive), 0), d.int32)
        is_positive = array_ops.reshape(is_positive, array_ops.concat(
            [array_ops.shape(is_positive), ones], 0))
        is_positive = math_ops.logical_and(
            is_positive, array_ops.ones_like(gathered, dtype=d.bool))
    kept = math_ops.where_v2(is_positive, gathered, array_ops.zeros_like(gathered))
    return kept, clipped, is_positive


def _unsorted_min_or_max_grad(op: Operation, g: Tensor) -> list:
    data, ids, num = op._inputs
    outputs, clipped, is_positive = _gather_drop_negatives(op._outputs[0], ids)
    is_selected = math_ops.logical_and(math_ops.equal(data, outputs), is_positive)
    selected = unsorted_segment_sum(math_ops.cast(is_selected, g._dtype), ids, num)
    shared, _, _ = _gather_drop_negatives(math_ops.divide(g, selected), None, clipped,
                                          is_positive)
    return [math_ops.where_v2(is_selected, shared, array_ops.zeros_like(shared)), None, None]


def _unsorted_prod_grad(op: Operation, g: Tensor) -> list:
    data, ids, num = op._inputs
    is_zero = math_ops.equal(data, 0)
    zeros = unsorted_segment_sum(math_ops.cast(is_zero, d.int32), ids, num)
    g = math_ops.where_v2(math_ops.greater(zeros, 1), array_ops.zeros_like(g), g)
    non_zero = math_ops.where_v2(is_zero, array_ops.ones_like(data), data)
    non_zero_prod = unsorted_segment_prod(non_zero, ids, num)
    gathered_prod, clipped, is_positive = _gather_drop_negatives(op._outputs[0], ids)
    gathered_non_zero, _, _ = _gather_drop_negatives(non_zero_prod, None, clipped, is_positive)
    others = math_ops.where_v2(is_zero, gathered_non_zero, gathered_prod / non_zero)
    gathered_g, _, _ = _gather_drop_negatives(g, None, clipped, is_positive)
    return [gathered_g * others, None, None]


register("UnsortedSegmentMax", _unsorted_infer, _unsorted_kernel(np.maximum),
         grad=_unsorted_min_or_max_grad)
register("UnsortedSegmentMin", _unsorted_infer, _unsorted_kernel(np.minimum),
         grad=_unsorted_min_or_max_grad)
register("UnsortedSegmentProd", _unsorted_infer, _unsorted_kernel(np.multiply),
         grad=_unsorted_prod_grad)


def _unsorted(op_type: str, data: Any, segment_ids: Any, num_segments: Any,
              name: Optional[str]) -> Tensor:
    with op_scope(name, op_type, [data, segment_ids, num_segments]) as scope:
        ids = convert_to_tensor(segment_ids, name="segment_ids", preferred_dtype=d.int32)
        num = convert_to_tensor(num_segments, name="num_segments", preferred_dtype=d.int32)
        return single(apply_op(op_type, [data, ids, num], name=scope, arg_names=("data",)))


def unsorted_segment_max(data: Any, segment_ids: Any, num_segments: Any,
                         name: Optional[str] = None) -> Tensor:
    """The maximum of each of `num_segments` segments (the dtype's lowest value if empty)."""
    return _unsorted("UnsortedSegmentMax", data, segment_ids, num_segments, name)


def unsorted_segment_min(data: Any, segment_ids: Any, num_segments: Any,
                         name: Optional[str] = None) -> Tensor:
    """The minimum of each of `num_segments` segments (the dtype's highest value if empty)."""
    return _unsorted("UnsortedSegmentMin", data, segment_ids, num_segments, name)


def unsorted_segment_prod(data: Any, segment_ids: Any, num_segments: Any,
                          name: Optional[str] = None) -> Tensor:
    """The product of each of `num_segments` segments (1 if empty)."""
    return _unsorted("UnsortedSegmentProd", data, segment_ids, num_segments, name)


def _segment_sizes(data: Tensor, ids: Tensor, num: Tensor) -> Tensor:
    """TF's `_unsorted_segment_N`: each segment's size (at least 1), shaped to divide sums."""
    sizes = unsorted_segment_sum(array_ops.ones(array_ops.shape(ids), data._dtype), ids, num)
    if data._dims is not None and ids._dims is not None:
        ones = array_ops.ones([len(data._dims) - len(ids._dims)], num._dtype)  # NOTE: known
    else:
        ones = array_ops.ones(array_ops.expand_dims(
            array_ops.rank(data) - array_ops.rank(ids), 0), num._dtype)
    shape = array_ops.concat([array_ops.expand_dims(num, 0), ones], 0)
    return math_ops.maximum(array_ops.reshape(sizes, shape), 1)


def _segment_average(default_name: str, data: Any, segment_ids: Any, num_segments: Any,
                     name: Optional[str], scale: Callable) -> Tensor:
    with op_scope(name, default_name, [data, segment_ids, num_segments]):
        data = convert_to_tensor(data)
        ids = convert_to_tensor(segment_ids, preferred_dtype=d.int32)
        num = convert_to_tensor(num_segments, preferred_dtype=d.int32)
        sizes = _segment_sizes(data, ids, num)
        return unsorted_segment_sum(data, ids, num) / scale(sizes)


def unsorted_segment_mean(data: Any, segment_ids: Any, num_segments: Any,
                          name: Optional[str] = None) -> Tensor:
    """The mean of each of `num_segments` segments (0 if empty)."""
    return _segment_average("UnsortedSegmentMean", data, segment_ids, num_segments, name,
                            lambda sizes: sizes)


def unsorted_segment_sqrt_n(data: Any, segment_ids: Any, num_segments: Any,
                            name: Optional[str] = None) -> Tensor:
    """Each segment's sum divided by the square root of its size (0 if empty)."""
    return _segment_average("UnsortedSegmentSqrtN", data, segment_ids, num_segments, name,
                            math_ops.sqrt)


# --- sparse: SparseSegmentSum/Mean/SqrtN (and WithNumSegments) -----------------------------------

def _sparse_infer(inputs: list, attrs: dict) -> list:
    data, indices, ids = inputs[:3]
    check_dtype(data, FLOATS, "data")
    check_dtype(indices, _INDEX_TYPES, "indices")
    check_dtype(ids, _INDEX_TYPES, "segment_ids")
    for t, what in ((indices, "indices"), (ids, "segment_ids")):
        if t._dims is not None and len(t._dims) != 1:
            raise ShapeError(f"{what} must be rank 1 but is rank {len(t._dims)}")
    count = scalar_value(inputs[3]) if len(inputs) == 4 else None
    if data._dims is None:
        return [(data._dtype, None)]
    if not data._dims:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    return [(data._dtype, (count,) + data._dims[1:])]


def _sparse_kernel(scale: Callable) -> Callable:
    def make(op: Operation) -> Callable:
        def sparse_segment(data: Any, indices: Any, ids: Any, *num: Any) -> np.ndarray:
            data, indices, ids = np.asarray(data), np.asarray(indices), np.asarray(ids)
            if indices.shape != ids.shape:
                raise _invalid(f"segment_ids and indices should have same size, got "
                               f"{bracketed(ids.shape)} and {bracketed(indices.shape)}")
            if ids.size and (np.any(np.diff(ids) < 0) or ids[0] < 0):
                raise _invalid("segment ids are not increasing")
            bad = (indices < 0) | (indices >= data.shape[0])
            if bad.any():
                where = int(np.argmax(bad))
                raise _invalid(f"Bad: indices[{where}] == {indices[where]} out of range "
                               f"[0, {data.shape[0]})")
            count = int(scalar_input(num[0], "num_segments")) if num else \
                (int(ids[-1]) + 1 if ids.size else 0)
            if ids.size and ids[-1] >= count:
                raise _invalid(f"segment ids must be < num_segments = {count}")
            result = np.zeros((count,) + data.shape[1:], data.dtype)
            np.add.at(result, ids, data[indices])
            sizes = np.bincount(ids, minlength=count).reshape((-1,) + (1,) * (data.ndim - 1))
            return (result / scale(np.maximum(sizes, 1))).astype(data.dtype)
        return sparse_segment
    return make


def _sparse_grad(scale: Optional[Callable]) -> Callable:
    """The gradient goes back to the rows of `data` that `indices` picked (dense, as TF 1)."""
    def grad(op: Operation, g: Tensor) -> list:
        data, indices, ids = op._inputs[:3]
        if scale is not None:
            ones = array_ops.ones(array_ops.shape(ids), g._dtype)
            sizes = math_ops.maximum(unsorted_segment_sum(ones, ids, array_ops.shape(g)[0]), 1)
            if g._dims is not None:
                shape = [-1] + [1] * (len(g._dims) - 1)
            else:
                shape = array_ops.concat([[-1], array_ops.ones(
                    array_ops.expand_dims(array_ops.rank(g) - 1, 0), d.int32)], 0)
            g = math_ops.divide(g, array_ops.reshape(scale(sizes), shape))
        rows = array_ops.shape(data, out_type=indices._dtype)[0]
        dense = unsorted_segment_sum(gather(g, ids), indices, rows)
        return [dense] + [None] * (len(op._inputs) - 1)
    return grad


for _name, _scale, _graph_scale in (("Sum", lambda n: 1, None),
                                    ("Mean", lambda n: n, lambda n: n),
                                    ("SqrtN", np.sqrt, math_ops.sqrt)):
    register(f"SparseSegment{_name}", _sparse_infer, _sparse_kernel(_scale),
             grad=_sparse_grad(_graph_scale))
    register(f"SparseSegment{_name}WithNumSegments", _sparse_infer, _sparse_kernel(_scale),
             grad=_sparse_grad(_graph_scale))


def _sparse(kind: str, data: Any, indices: Any, segment_ids: Any, name: Optional[str],
            num_segments: Any) -> Tensor:
    op_type = f"SparseSegment{kind}" + ("" if num_segments is None else "WithNumSegments")
    values = [data, indices, segment_ids] + ([] if num_segments is None else [num_segments])
    with op_scope(name, op_type, values) as scope:
        tensors = [convert_to_tensor(data, name="data")]
        for value, what in zip(values[1:], ("indices", "segment_ids", "num_segments"),
                               strict=False):
            tensors.append(convert_to_tensor(value, name=what, preferred_dtype=d.int32))
        return single(apply_op(op_type, tensors, name=scope))


def sparse_segment_sum(data: Any, indices: Any, segment_ids: Any, name: Optional[str] = None,
                       num_segments: Any = None) -> Tensor:
    """`segment_sum(gather(data, indices), segment_ids)` in one op."""
    return _sparse("Sum", data, indices, segment_ids, name, num_segments)


def sparse_segment_mean(data: Any, indices: Any, segment_ids: Any, name: Optional[str] = None,
                        num_segments: Any = None) -> Tensor:
    """`segment_mean(gather(data, indices), segment_ids)` in one op."""
    return _sparse("Mean", data, indices, segment_ids, name, num_segments)


def sparse_segment_sqrt_n(data: Any, indices: Any, segment_ids: Any, name: Optional[str] = None,
                          num_segments: Any = None) -> Tensor:
    """Each segment's sum of the rows `data[indices]`, divided by the root of its size."""
    return _sparse("SqrtN", data, indices, segment_ids, name, num_segments)


# --- counting: Bincount and HistogramFixedWidth ---------------------------------------------------

def _bincount_infer(inputs: list, attrs: dict) -> list:
    arr, size, weights = inputs
    check_dtype(arr, (d.int32,), "arr")
    check_dtype(size, (d.int32,), "size")
    check_dtype(weights, (d.int32, d.int64, d.float32, d.float64), "weights")
    if size._dims is not None and len(size._dims) != 0:
        raise ShapeError(f"Shape must be rank 0 but is rank {len(size._dims)}")
    return [(weights._dtype, (scalar_value(size),))]


def _bincount(arr: Any, size: Any, weights: Any) -> np.ndarray:
    count = int(scalar_input(size, "size"))
    arr, weights = np.asarray(arr).reshape(-1), np.asarray(weights)
    if count < 0:
        raise _invalid(f"size ({count}) must be non-negative")
    if np.any(arr < 0):
        raise _invalid("Input arr must be non-negative!")
    kept = arr < count  # NOTE: as TF's kernel, values past the end are not counted
    if weights.size:
        if weights.size != arr.size:
            raise _invalid(f"Input indices and weights must have the same size, got "
                           f"{arr.size} and {weights.size}")
        counted = weights.reshape(-1)[kept]
    else:
        counted = np.ones(int(kept.sum()), weights.dtype)
    result = np.zeros(count, weights.dtype)
    np.add.at(result, arr[kept], counted)
    return result


register("Bincount", _bincount_infer, lambda op: _bincount, grad=NOT_DIFFERENTIABLE)


def bincount(arr: Any, weights: Any = None, minlength: Any = None, maxlength: Any = None,
             dtype: Any = d.int32, name: Optional[str] = None) -> Tensor:
    """How often each value of the non-negative int32 `arr` occurs (or the sum of its
    `weights`), in `max(arr) + 1` bins bounded by `minlength` and `maxlength`."""
    with op_scope(name, "bincount", [arr, weights, minlength, maxlength]):
        arr = convert_to_tensor(arr, d.int32, name="arr")
        nonempty = math_ops.greater(array_ops.size(arr), 0)
        size = math_ops.cast(nonempty, d.int32) * (math_ops.reduce_max(arr) + 1)
        if minlength is not None:
            minlength = convert_to_tensor(minlength, d.int32, name="minlength")
            size = math_ops.maximum(minlength, size)
        if maxlength is not None:
            maxlength = convert_to_tensor(maxlength, d.int32, name="maxlength")
            size = math_ops.minimum(maxlength, size)
        flat = array_ops.reshape(arr, [-1])
        if weights is not None:
            weights = array_ops.reshape(convert_to_tensor(weights, name="weights"), [-1])
            counts = unsorted_segment_sum(weights, flat, size)
        else:
            empty = convert_to_tensor(np.zeros(0, d.as_dtype(dtype).as_numpy_dtype))
            counts = single(apply_op("Bincount", [flat, size, empty]))
        counts.set_shape([_known_bincount_size(arr, minlength, maxlength)])
        return counts


def _known_bincount_size(arr: Tensor, minlength: Any, maxlength: Any) -> Optional[int]:
    """The output's length when `arr` and the bounds are known while building (TF's shape
    inference evaluates that small constant subgraph)."""
    values = constant_value(arr)
    bounds = [None if b is None else constant_value(b) for b in (minlength, maxlength)]
    if values is None or any(b is None for b, given in zip(bounds, (minlength, maxlength),
                                                             strict=True) if given is not None):
        return None
    size = int(np.max(values)) + 1 if np.size(values) else 0
    if bounds[0] is not None:
        size = max(int(bounds[0]), size)
    return size if bounds[1] is None else min(int(bounds[1]), size)


def _histogram_infer(inputs: list, attrs: dict) -> list:
    values, value_range, nbins = inputs
    check_dtype(values, (d.int32, d.int64, d.float32, d.float64), "values")
    if value_range._dtype is not values._dtype:
        raise TypeError(f"Input 'value_range' of 'HistogramFixedWidth' Op has type "
                        f"{value_range._dtype.name} that does not match type "
                        f"{values._dtype.name} of argument 'values'.")
    check_dtype(nbins, (d.int32,), "nbins")
    return [(attrs["dtype"], (scalar_value(nbins),))]


def _histogram_kernel(op: Operation) -> Callable:
    out_type = op._attrs["dtype"].as_numpy_dtype

    def histogram(values: Any, value_range: Any, nbins: Any) -> np.ndarray:
        count = int(scalar_input(nbins, "nbins"))
        low, high = np.asarray(value_range).reshape(-1)[:2]
        if np.shape(value_range) != (2,):
            raise _invalid(f"value_range should be a vector of 2 elements, got shape "
                           f"{bracketed(np.shape(value_range))}")
        if count <= 0:
            raise _invalid(f"nbins should be a positive number, but got '{count}'")
        if not low < high:
            raise _invalid(f"value_range should satisfy value_range[0] < value_range[1], but "
                           f"got '[{low},{high}]'")
        # NOTE: TF's arithmetic, in double: (max(v, low) - low) / step, capped at nbins - 1.
        step = (float(high) - float(low)) / count
        shifted = (np.maximum(np.asarray(values), low) - low).astype(np.float64)
        bins = np.minimum(shifted / step, count - 1).astype(np.int64).reshape(-1)
        return np.bincount(bins, minlength=count).astype(out_type)
    return histogram


register("HistogramFixedWidth", _histogram_infer, _histogram_kernel, grad=NOT_DIFFERENTIABLE)


def histogram_fixed_width(values: Any, value_range: Any, nbins: Any = 100, dtype: Any = d.int32,
                          name: Optional[str] = None) -> Tensor:
    """How many of `values` fall in each of `nbins` equal bins spanning `value_range`; values
    outside it count in the first or last bin."""
    with op_scope(name, "histogram_fixed_width", [values, value_range, nbins]) as scope:
        values = convert_to_tensor(values, name="values")
        value_range = convert_to_tensor(value_range, values._dtype, name="value_range")
        nbins = convert_to_tensor(nbins, d.int32, name="nbins")
        attrs = {"dtype": d.as_dtype(dtype)}
        return single(apply_op("HistogramFixedWidth", [values, value_range, nbins], attrs,
                               name=scope))
