"""TF 1's weight regularizers (`tf.contrib.layers.l1_regularizer`, `l2_regularizer`, ...): each
returns a function `weights -> scalar penalty` for `kernel_regularizer=` and `get_variable`."""
from __future__ import annotations

import numbers
from typing import Any, Callable, Optional

from .graph import GraphKeys, Tensor, add_to_collection, get_collection, name_scope
from .ops.constant_ops import constant
from .ops.conversion import convert_to_tensor
from .ops.math_ops import abs as _abs, add_n, multiply, reduce_sum
from .ops.nn_ops import l2_loss

__all__ = ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
           "apply_regularization"]


def _checked_scale(scale: Any) -> float:
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale}")
    if not isinstance(scale, numbers.Real):
        raise ValueError(f"scale must be a float, got {scale!r}")
    if scale < 0.:
        raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}")
    return float(scale)


def _scaled(scale: Any, scope: Optional[str], default_name: str, penalty: Callable) -> Callable:
    scale = _checked_scale(scale)
    if scale == 0.:
        return lambda _: None

    def regularizer(weights: Any, name: Optional[str] = None) -> Tensor:
        with name_scope(scope, default_name, [weights]) as name:
            weights = convert_to_tensor(weights)
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return multiply(my_scale, penalty(weights), name=name)
    return regularizer


def l1_regularizer(scale: float, scope: Optional[str] = None) -> Callable:
    """`scale * sum(|w|)`."""
    return _scaled(scale, scope, "l1_regularizer", lambda w: reduce_sum(_abs(w)))


def l2_regularizer(scale: float, scope: Optional[str] = None) -> Callable:
    """`scale * sum(w ** 2) / 2` (TF's `nn.l2_loss`, with its half)."""
    return _scaled(scale, scope, "l2_regularizer", l2_loss)


def sum_regularizer(regularizer_list: list, scope: Optional[str] = None) -> Optional[Callable]:
    """The sum of several regularizers' penalties (None entries skipped)."""
    regularizer_list = [r for r in regularizer_list if r is not None]
    if not regularizer_list:
        return None

    def summed(weights: Any) -> Optional[Tensor]:
        with name_scope(scope, "sum_regularizer", [weights]) as name:
            tensors = [t for t in (r(weights) for r in regularizer_list) if t is not None]
            return add_n(tensors, name=name) if tensors else None
    return summed


def l1_l2_regularizer(scale_l1: float = 1.0, scale_l2: float = 1.0,
                      scope: Optional[str] = None) -> Callable:
    """`scale_l1 * sum(|w|) + scale_l2 * sum(w ** 2) / 2`."""
    if isinstance(scale_l1, numbers.Real) and isinstance(scale_l2, numbers.Real) \
            and scale_l1 == 0. and scale_l2 == 0.:
        return lambda _: None
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer: Callable, weights_list: Optional[list] = None,
                         scope: Optional[str] = None) -> Tensor:
    """The summed penalty over `weights_list` (default: the WEIGHTS collection), also added to
    REGULARIZATION_LOSSES."""
    if not weights_list:
        weights_list = get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with name_scope(scope, "get_regularization_penalty", weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else constant(0.0) for p in penalties]
        for penalty in penalties:
            if penalty.shape.ndims != 0:
                raise ValueError("regularizer must return a scalar Tensor instead of a Tensor "
                                 f"with rank {penalty.shape.ndims}.")
        summed_penalty = add_n(penalties, name=scope)
        add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed_penalty)
        return summed_penalty
