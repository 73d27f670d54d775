"""Op blocks that order values: TopKV2 and InTopKV2, and `sort`/`argsort` built from TopKV2 as
TF builds them (ascending order sorts the negated values descending, so ties keep their order).
"""
from __future__ import annotations

from typing import Any, Callable, Final, Optional

import numpy as np

from .. import dtypes as d
from ..graph import Operation, Tensor
from . import array_ops, bitwise_ops, math_ops
from .common import FLOATS, REAL, bool_arg, check_dtype, single
from .conversion import convert_to_tensor
from .known import constant_value, partial_scalar
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, op_scope, register

__all__ = ["top_k", "in_top_k", "sort", "argsort"]

_INDEX_TYPES: Final = (d.int32, d.int64)


# --- TopKV2 --------------------------------------------------------------------------------------

def _top_k_infer(inputs: list, attrs: dict) -> list:
    x, k_tensor = inputs
    dtype = check_dtype(x, REAL, "input")
    check_dtype(k_tensor, _INDEX_TYPES, "k")
    if k_tensor._dims is not None and len(k_tensor._dims) != 0:
        raise ShapeError(f"Shape must be rank 0 but is rank {len(k_tensor._dims)}")
    k = partial_scalar(k_tensor)
    k = k if isinstance(k, int) else None
    if k is not None and k < 0:
        raise ShapeError(f"Input 'k' must be non-negative, got {k}")
    if x._dims is None:
        return [(dtype, None), (d.int32, None)]
    if not x._dims:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    if k is not None and x._dims[-1] is not None and x._dims[-1] < k:
        raise ShapeError(f"input must have last dimension >= k = {k} but is {x._dims[-1]}")
    dims = x._dims[:-1] + (k,)
    return [(dtype, dims), (d.int32, dims)]


def _top_k(x: Any, k: Any) -> tuple:
    x, k = np.asarray(x), int(k)
    if x.ndim < 1:
        raise ValueError("input must be >= 1-D, got shape []")
    if k < 0:
        raise ValueError(f"Need k >= 0, got {k}")
    if x.shape[-1] < k:
        raise ValueError(f"input must have at least k columns. Had {x.shape[-1]}, needed {k}")
    indices = _descending_order(x)[..., :k]
    return np.take_along_axis(x, indices, -1), indices.astype(np.int32)


def _descending_order(x: np.ndarray) -> np.ndarray:
    """Indices that sort the last axis largest first, equal values in index order (TF's TopK)
    and NaNs last: a stable sort of -x for floats; for ints (whose -x can overflow), a stable
    ascending sort of the reversed axis, read backwards."""
    if x.dtype.kind == "f":
        return np.argsort(-x, axis=-1, kind="stable")
    ascending = np.argsort(x[..., ::-1], axis=-1, kind="stable")
    return x.shape[-1] - 1 - ascending[..., ::-1]


def _top_k_grad(op: Operation, g: Tensor, _: Any) -> list:
    """Each value's gradient goes back to the position it came from."""
    x, indices = op._inputs[0], op._outputs[1]
    depth = array_ops.shape(x)[-1]
    spread = array_ops.one_hot(indices, depth, dtype=g._dtype)  # [..., k, n]
    return [math_ops.reduce_sum(array_ops.expand_dims(g, -1) * spread, axis=-2), None]


register("TopKV2", _top_k_infer, lambda op: _top_k, grad=_top_k_grad, multi_output=True)


def top_k(input: Any, k: Any = 1, sorted: bool = True,  # noqa: A002 - TF's names
          name: Optional[str] = None) -> tuple:
    """(values, indices) of the `k` largest entries along the last axis, largest first; equal
    values in index order. The result is always sorted (TF's `sorted=False` allows any order)."""
    attrs = {"sorted": bool_arg(sorted, "sorted")}
    op = apply_op("TopKV2", [input, k], attrs, name, arg_names=("input", "k"))
    return tuple(op._outputs)


# --- InTopKV2 ------------------------------------------------------------------------------------

def _in_top_k_infer(inputs: list, attrs: dict) -> list:
    predictions, targets, k = inputs
    check_dtype(predictions, (d.float32,), "predictions")
    check_dtype(targets, _INDEX_TYPES, "targets")
    if k._dtype is not targets._dtype:
        raise TypeError(f"Input 'k' of 'InTopKV2' Op has type {k._dtype.name} that does not "
                        f"match type {targets._dtype.name} of argument 'targets'.")
    p, t = predictions._dims, targets._dims
    if p is not None and len(p) != 2:
        raise ShapeError(f"Shape must be rank 2 but is rank {len(p)}")
    if t is not None and len(t) != 1:
        raise ShapeError(f"Shape must be rank 1 but is rank {len(t)}")
    batch = t[0] if t is not None else None
    if p is not None and p[0] is not None:
        if batch is not None and batch != p[0]:
            raise ShapeError(f"Dimensions must be equal, but are {p[0]} and {batch}")
        batch = p[0]
    return [(d.bool, (batch,))]


def _in_top_k(predictions: Any, targets: Any, k: Any) -> np.ndarray:
    """TF's rule: the target's prediction is finite, every prediction of its row is finite, and
    fewer than k predictions are strictly greater (so ties count in the target's favour)."""
    predictions, targets, k = np.asarray(predictions), np.asarray(targets), int(k)
    if predictions.ndim != 2 or targets.ndim != 1:
        raise ValueError(f"predictions must be 2-dimensional and targets 1-dimensional, got "
                         f"shapes {list(predictions.shape)} and {list(targets.shape)}")
    if predictions.shape[0] != targets.shape[0]:
        raise ValueError(f"First dimension of predictions {predictions.shape[0]} must match "
                         f"length of targets {targets.shape[0]}")
    classes = predictions.shape[1]
    valid = (targets >= 0) & (targets < classes)
    rows = np.arange(len(targets))
    target_values = predictions[rows, np.where(valid, targets, 0)][:, None]
    finite = valid & np.isfinite(predictions).all(axis=1)
    greater = (predictions > target_values).sum(axis=1)
    return finite & (greater < k)


register("InTopKV2", _in_top_k_infer, lambda op: _in_top_k, grad=NOT_DIFFERENTIABLE)


def in_top_k(predictions: Any, targets: Any, k: Any, name: Optional[str] = None) -> Tensor:
    """Whether each target is among the `k` largest predictions of its row (False where the row
    holds a non-finite prediction)."""
    with op_scope(name, "in_top_k", [predictions, targets, k]):
        targets = convert_to_tensor(targets, name="targets", preferred_dtype=d.int32)
        k = convert_to_tensor(k, targets._dtype, name="k")
        return single(apply_op("InTopKV2", [predictions, targets, k], name=name,
                               arg_names=("predictions", "targets", "k")))


# --- sort and argsort, as TF composes them ------------------------------------------------------

_DIRECTIONS: Final = ("ASCENDING", "DESCENDING")


def sort(values: Any, axis: Any = -1, direction: str = "ASCENDING",
         name: Optional[str] = None) -> Tensor:
    """`values` sorted along `axis` (a constant), ascending by default."""
    with op_scope(name, "sort", [values]):
        return _sort_or_argsort(values, axis, direction, return_argsort=False)


def argsort(values: Any, axis: Any = -1, direction: str = "ASCENDING", stable: bool = False,
            name: Optional[str] = None) -> Tensor:
    """The int32 indices that sort `values` along `axis`. Always stable, as TF's (whose
    `stable=False` allows but does not use another order)."""
    bool_arg(stable, "stable")
    with op_scope(name, "argsort", [values]):
        return _sort_or_argsort(values, axis, direction, return_argsort=True)


def _sort_or_argsort(values: Any, axis: Any, direction: str, return_argsort: bool) -> Tensor:
    if direction not in _DIRECTIONS:
        raise ValueError(f"{direction} should be one of {', '.join(_DIRECTIONS)}")
    axis_tensor = convert_to_tensor(axis, name="axis")
    static_axis = constant_value(axis_tensor)
    if axis_tensor._dims not in (None, ()) or static_axis is None:
        raise ValueError("axis must be a constant scalar")
    values = convert_to_tensor(values, name="values")
    if direction == "DESCENDING":
        return _descending_sort(values, int(static_axis), return_argsort)
    negate, restore = _negation(values._dtype)
    result = _descending_sort(negate(values), int(static_axis), return_argsort)
    return result if return_argsort else restore(result)


def _negation(dtype: d.DType) -> tuple[Callable, Callable]:
    """An order-reversing map and its inverse: -x for floats, ~x for signed ints (-x overflows
    at the most negative value), max - x for unsigned ints."""
    if dtype in FLOATS:
        return math_ops.negative, math_ops.negative
    if dtype.is_unsigned:
        top = convert_to_tensor(dtype.max, dtype)
        return (lambda x: math_ops.subtract(top, x)), (lambda x: math_ops.subtract(top, x))
    return bitwise_ops.invert, bitwise_ops.invert


def _descending_sort(values: Tensor, axis: int, return_argsort: bool) -> Tensor:
    rank = None if values._dims is None else len(values._dims)
    if rank is None and axis != -1:
        raise ValueError("sort along an axis other than -1 needs values of known rank")
    if rank is not None and not -rank <= axis < max(rank, 1):
        raise ValueError(f"axis {axis} is out of range for values of rank {rank}")
    last = axis == -1 or axis + 1 == rank
    perm = None
    if not last:
        axis = axis % rank
        perm = list(range(rank))
        perm[axis], perm[-1] = rank - 1, axis
        values = array_ops.transpose(values, perm)
    k = array_ops.shape(values)[-1]
    sorted_values, indices = top_k(values, k)
    result = indices if return_argsort else sorted_values
    return result if perm is None else array_ops.transpose(result, perm)
