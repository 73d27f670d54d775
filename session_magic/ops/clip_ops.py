"""Clipping by norms, as TF's clip_ops composes it from existing ops (so the gradients are those
ops' gradients, as in TF): `clip_by_norm`, `global_norm`, `clip_by_global_norm` (None entries
pass through, IndexedSlices are clipped by their values) and `clip_by_average_norm`.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from .. import dtypes as d
from ..graph import Tensor
from . import array_ops, math_ops
from .constant_ops import identity
from .conversion import convert_to_tensor
from .indexed_slices import IndexedSlices
from .nn_ops import l2_loss
from .registry import op_scope

__all__ = ["clip_by_norm", "global_norm", "clip_by_global_norm", "clip_by_average_norm"]


def _values_of(t: Any, name: str) -> Tensor:
    return convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t, name=name)


def _like(t: Any, clipped: Tensor) -> Any:
    """`clipped` as the kind of value `t` was: IndexedSlices stay IndexedSlices."""
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clipped, t.indices, t.dense_shape)
    return clipped


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: Optional[str] = None) -> Any:
    """`t * clip_norm / max(l2norm(t, axes), clip_norm)`: `t` scaled down to an L2 norm of at
    most `clip_norm` (over all of `t`, or each slice along `axes`)."""
    with op_scope(name, "clip_by_norm", [t, clip_norm]) as scope:
        values = _values_of(t, "t")
        squares = math_ops.reduce_sum(values * values, axes, keepdims=True)
        positive = squares > 0
        # NOTE: TF's two-tap where: sqrt never sees a 0, so its gradient has no NaN at t = 0.
        safe = math_ops.where(positive, squares, array_ops.ones_like(squares))
        norm = math_ops.where(positive, math_ops.sqrt(safe), squares)
        scaled = values * clip_norm
        values.shape.merge_with(scaled.shape)  # NOTE: clip_norm may not broadcast t wider
        return _like(t, identity(scaled / math_ops.maximum(norm, clip_norm), name=scope))


def _listed(t_list: Any) -> list:
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return list(t_list)


def global_norm(t_list: Sequence[Any], name: Optional[str] = None) -> Tensor:
    """`sqrt(sum(l2norm(t) ** 2 for t in t_list))`, None entries skipped."""
    t_list = _listed(t_list)
    with op_scope(name, "global_norm", [t for t in t_list if t is not None]):
        values = [_values_of(t, f"t_{i}") for i, t in enumerate(t_list) if t is not None]
        half_squares = math_ops.reduce_sum(array_ops.stack([l2_loss(v) for v in values]))
        two = convert_to_tensor(2.0, half_squares._dtype)
        return math_ops.sqrt(half_squares * two, name="global_norm")


def clip_by_global_norm(t_list: Sequence[Any], clip_norm: Any, use_norm: Any = None,
                        name: Optional[str] = None) -> tuple:
    """(list_clipped, global_norm): every tensor scaled by `clip_norm / max(global_norm,
    clip_norm)`; all NaN when the norm is not finite, as in TF."""
    t_list = _listed(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    present = [t for t in t_list if t is not None]
    with op_scope(name, "clip_by_global_norm", present + [clip_norm]) as scope:
        one = convert_to_tensor(1.0, use_norm.dtype)
        finite_scale = clip_norm * math_ops.minimum(1.0 / use_norm, one / clip_norm)
        scale = finite_scale + (use_norm - use_norm)  # NOTE: NaN when the norm is inf or NaN
        clipped = []
        for i, t in enumerate(t_list):
            if t is None:
                clipped.append(None)
                continue
            value = _values_of(t, f"t_{i}")
            clipped.append(_like(t, identity(value * scale, name=f"{scope}_{i}")))
        return clipped, use_norm


def clip_by_average_norm(t: Any, clip_norm: Any, name: Optional[str] = None) -> Tensor:
    """`t * clip_norm / max(l2norm(t) / size(t), clip_norm)`: the norm per element clipped."""
    with op_scope(name, "clip_by_average_norm", [t, clip_norm]) as scope:
        t = convert_to_tensor(t, name="t")
        elements = math_ops.cast(array_ops.size(t), d.float32)
        inverse_norm = math_ops.rsqrt(math_ops.reduce_sum(t * t, array_ops.range(
            array_ops.rank(t))))
        one = convert_to_tensor(1.0)
        return identity(t * clip_norm * math_ops.minimum(inverse_norm * elements, one / clip_norm),
                        name=scope)
