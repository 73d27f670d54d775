"""IndexedSlices: a gradient that touches some rows of a tensor only (TF's sparse gradient).

`tf.gather` and `embedding_lookup` have IndexedSlices gradients: `values[i]` belongs to row
`indices[i]` of a tensor of shape `dense_shape`. Optimizers apply them to those rows only;
anything else that reads one converts it to a dense tensor (an UnsortedSegmentSum, once per
IndexedSlices), as TF does. `Session.run` of one returns an IndexedSlicesValue.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Optional

from ..graph import Tensor
from ..tensor_shape import TensorShape
from .known import constant_value

__all__ = ["IndexedSlices", "IndexedSlicesValue"]


class IndexedSlicesValue(NamedTuple):
    """What `Session.run` returns for an IndexedSlices: NumPy values, indices and dense_shape."""

    values: Any
    indices: Any
    dense_shape: Any = None


class IndexedSlices:
    """Rows `indices` of a tensor of shape `dense_shape`, holding `values` (TF's IndexedSlices)."""

    __slots__ = ("_values", "_indices", "_dense_shape", "_dense")

    def __init__(self, values: Tensor, indices: Tensor, dense_shape: Optional[Tensor] = None):
        if not isinstance(values, Tensor) or not isinstance(indices, Tensor):
            raise TypeError(f"IndexedSlices needs tensors for values and indices, got "
                            f"{values!r} and {indices!r}")
        if dense_shape is not None and not isinstance(dense_shape, Tensor):
            raise TypeError(f"IndexedSlices needs a tensor (or None) for dense_shape, got "
                            f"{dense_shape!r}")
        self._values, self._indices, self._dense_shape = values, indices, dense_shape
        self._dense: Optional[Tensor] = None

    values = property(lambda self: self._values)
    indices = property(lambda self: self._indices)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)
    graph = property(lambda self: self._values.graph)
    op = property(lambda self: self._values.op)
    name = property(lambda self: self._values.name)
    device = property(lambda self: self._values.device)

    @property
    def shape(self) -> TensorShape:
        """The static shape of the dense tensor these slices stand for."""
        known = None if self._dense_shape is None else constant_value(self._dense_shape)
        if known is not None:
            return TensorShape([int(n) for n in known])
        dims = self._values._dims
        return TensorShape(None if dims is None else (None,) + tuple(dims[1:]))

    def _graph_of(self) -> Any:
        return self._values.graph

    def _to_tensor(self) -> Tensor:
        """The dense tensor: the values summed into their rows (made once)."""
        if self._dense is None:
            if self._dense_shape is None:
                raise ValueError(f"Cannot convert {self!r} to a dense Tensor: it has no "
                                 "dense_shape.")
            from .array_ops import unsorted_segment_sum  # NOTE: a cycle: array_ops makes these
            with self.graph.as_default():
                self._dense = unsorted_segment_sum(self._values, self._indices,
                                                   self._dense_shape[0])
                self._dense.set_shape(self.shape)
        return self._dense

    def __neg__(self) -> IndexedSlices:
        from .math_ops import negative  # NOTE: a cycle: math_ops builds on array_ops
        return IndexedSlices(negative(self._values), self._indices, self._dense_shape)

    def __repr__(self) -> str:
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape.name!r}"
        return (f"IndexedSlices(indices={self._indices.name!r}, values={self._values.name!r}"
                f"{shape})")
