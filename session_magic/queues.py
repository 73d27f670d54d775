"""TF1's queues: FIFOQueue, RandomShuffleQueue and PaddingFIFOQueue, builders of queue ops.

A queue object names one queue op in the graph; its elements live in each session that runs it
(ops/queue_ops.py). Every method adds an op: `enqueue`, `enqueue_many`, `dequeue`,
`dequeue_many`, `dequeue_up_to`, `close`, `size`, `is_closed`, with TF1's names and signatures.
"""
from __future__ import annotations

from typing import Any, Optional

from . import dtypes as _dtypes
from .graph import Operation, Tensor, get_default_graph, name_scope
from .ops import queue_ops  # noqa: F401  (registers the queue ops)
from .ops.conversion import convert_to_tensor
from .ops.random_ops import get_seed
from .ops.registry import apply_op
from .tensor_shape import TensorShape, as_dims

__all__ = ["QueueBase", "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue"]


def _dtype_list(dtypes: Any) -> list:
    if not isinstance(dtypes, (list, tuple)):
        dtypes = [dtypes]
    if not dtypes:
        raise ValueError("dtypes must name at least one component type")
    return [_dtypes.as_dtype(t) for t in dtypes]


def _shape_list(shapes: Any, count: int, unknown_allowed: bool) -> Optional[list]:
    if shapes is None:
        if not unknown_allowed:
            raise ValueError("shapes must be given: every component needs a fully defined shape")
        return None
    if isinstance(shapes, (TensorShape, tuple)) or (
            isinstance(shapes, list) and (not shapes or not isinstance(shapes[0], (list, tuple,
                                                                                  TensorShape)))
            and count == 1):
        shapes = [shapes]
    dims = [as_dims(s) for s in shapes]
    if len(dims) != count:
        raise ValueError(f"Queue shapes must have the same length as dtypes: {len(dims)} shapes "
                         f"for {count} dtypes")
    if any(s is None or None in s for s in dims) and not unknown_allowed:
        raise ValueError(f"All shapes must be fully defined: {shapes}")
    return [None if s is None else tuple(s) for s in dims]


class QueueBase:
    """What every queue shares: its op, component types and shapes, and the op builders."""

    def __init__(self, op_type: str, capacity: int, dtypes: Any, shapes: Any, names: Any,
                 shared_name: Optional[str], name: str, attrs: dict,
                 unknown_allowed: bool = True) -> None:
        self._dtypes = _dtype_list(dtypes)
        self._shapes = _shape_list(shapes, len(self._dtypes), unknown_allowed)
        if names is not None:
            names = list(names) if isinstance(names, (list, tuple)) else [names]
            if len(names) != len(self._dtypes):
                raise ValueError("Queue names must have the same length as dtypes")
        self._names = names
        if not isinstance(capacity, int) or capacity <= 0:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        attrs = dict(attrs, capacity=capacity, component_types=self._dtypes,
                     shapes=self._shapes, shared_name=shared_name or "")
        self._queue_ref = apply_op(op_type, [], attrs, name).outputs[0]
        self._name = self._queue_ref.op.name.split("/")[-1]  # NOTE: TF's prefix of op names

    queue_ref = property(lambda self: self._queue_ref)
    name = property(lambda self: self._queue_ref.op.name)
    dtypes = property(lambda self: list(self._dtypes))
    names = property(lambda self: self._names)

    @property
    def shapes(self) -> list:
        return [TensorShape(s) for s in (self._shapes or [None] * len(self._dtypes))]

    def _components(self, vals: Any) -> list:
        if self._names is not None:
            if not isinstance(vals, dict) or set(vals) != set(self._names):
                raise ValueError(f"Queue with names {self._names} needs a dict with exactly "
                                 f"those keys, got {vals!r}")
            vals = [vals[n] for n in self._names]
        elif not isinstance(vals, (list, tuple)):
            vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Expected {len(self._dtypes)} components to enqueue, got "
                             f"{len(vals)}")
        return [convert_to_tensor(v, t, name=f"component_{i}")
                for i, (v, t) in enumerate(zip(vals, self._dtypes, strict=True))]

    def _attrs(self, **extra: Any) -> dict:
        return dict(component_types=self._dtypes, shapes=self._shapes, **extra)

    def enqueue(self, vals: Any, name: Optional[str] = None) -> Operation:
        with name_scope(name, f"{self._name}_enqueue") as scope:
            components = self._components(vals)
            return apply_op("QueueEnqueueV2", [self._queue_ref, *components], self._attrs(),
                            scope)

    def enqueue_many(self, vals: Any, name: Optional[str] = None) -> Operation:
        with name_scope(name, f"{self._name}_EnqueueMany") as scope:
            components = self._components(vals)
            return apply_op("QueueEnqueueManyV2", [self._queue_ref, *components],
                            self._attrs(), scope)

    def _result(self, op: Operation) -> Any:
        tensors = list(op.outputs)
        if self._names is not None:
            return dict(zip(self._names, tensors, strict=True))
        return tensors[0] if len(tensors) == 1 else tensors

    def dequeue(self, name: Optional[str] = None) -> Any:
        name = name or f"{self._name}_Dequeue"
        return self._result(apply_op("QueueDequeueV2", [self._queue_ref], self._attrs(), name))

    def _dequeue_batch(self, op_type: str, n: Any, name: str) -> Any:
        with name_scope(name) as scope:
            count = convert_to_tensor(n, _dtypes.int32, name="n")
            batch = n if isinstance(n, int) and op_type == "QueueDequeueManyV2" else None
            return self._result(apply_op(op_type, [self._queue_ref, count],
                                         self._attrs(batch_size=batch), scope))

    def dequeue_many(self, n: Any, name: Optional[str] = None) -> Any:
        return self._dequeue_batch("QueueDequeueManyV2", n, name or f"{self._name}_DequeueMany")

    def dequeue_up_to(self, n: Any, name: Optional[str] = None) -> Any:
        return self._dequeue_batch("QueueDequeueUpToV2", n, name or f"{self._name}_DequeueUpTo")

    def close(self, cancel_pending_enqueues: bool = False,
              name: Optional[str] = None) -> Operation:
        return apply_op("QueueCloseV2", [self._queue_ref],
                        {"cancel_pending_enqueues": bool(cancel_pending_enqueues)},
                        name or f"{self._name}_Close")

    def size(self, name: Optional[str] = None) -> Tensor:
        return apply_op("QueueSizeV2", [self._queue_ref], {}, name or f"{self._name}_Size") \
            .outputs[0]

    def is_closed(self, name: Optional[str] = None) -> Tensor:
        return apply_op("QueueIsClosedV2", [self._queue_ref], {},
                        name or f"{self._name}_IsClosed").outputs[0]


class FIFOQueue(QueueBase):
    """A queue that dequeues in the order of enqueueing."""

    def __init__(self, capacity: int, dtypes: Any, shapes: Any = None, names: Any = None,
                 shared_name: Optional[str] = None, name: str = "fifo_queue") -> None:
        super().__init__("FIFOQueueV2", capacity, dtypes, shapes, names, shared_name, name, {})


class PaddingFIFOQueue(QueueBase):
    """A FIFOQueue whose `dequeue_many` pads each component to the batch's largest shape."""

    def __init__(self, capacity: int, dtypes: Any, shapes: Any, names: Any = None,
                 shared_name: Optional[str] = None, name: str = "padding_fifo_queue") -> None:
        super().__init__("PaddingFIFOQueueV2", capacity, dtypes, shapes, names, shared_name,
                         name, {})


class RandomShuffleQueue(QueueBase):
    """A queue that dequeues a random element, keeping `min_after_dequeue` until it closes."""

    def __init__(self, capacity: int, min_after_dequeue: int, dtypes: Any, shapes: Any = None,
                 names: Any = None, seed: Optional[int] = None,
                 shared_name: Optional[str] = None, name: str = "random_shuffle_queue") -> None:
        if not isinstance(min_after_dequeue, int) or not 0 <= min_after_dequeue < capacity:
            raise ValueError(f"min_after_dequeue must be an integer in [0, capacity), got "
                             f"{min_after_dequeue!r} for capacity {capacity!r}")
        with get_default_graph().as_default():
            seed1, seed2 = get_seed(seed)
        super().__init__("RandomShuffleQueueV2", capacity, dtypes, shapes, names, shared_name,
                         name, {"min_after_dequeue": min_after_dequeue, "seed": seed1,
                                "seed2": seed2})

