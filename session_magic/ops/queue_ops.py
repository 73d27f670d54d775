"""Op blocks for TF1's queues and readers: their contents live in the session, not the graph.

A queue op (FIFOQueueV2, ...) names its queue: its value is the queue's name (TF's handle is a
resource; ours a string scalar) and the session holds the queue under that name, so two sessions
have separate queues. Enqueue and dequeue block across threads, as TF's; they take effect at
once, outside the run's commit: a run that dequeues and then fails does not give the element back
(TF does not either). Closing the session cancels every blocked op.
"""
from __future__ import annotations

import threading
import time
import weakref
from typing import Any, Callable, Iterator, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from .registry import NOT_DIFFERENTIABLE, register

__all__ = ["BlockingResource", "QueueState", "ReaderState"]

# NOTE: a blocked op wakes this often to see a deadline, a cancel or a Ctrl-C in the main thread
_POLL_SECONDS = 0.05


class BlockingResource:
    """Session state that ops wait on (a queue, an accumulator): a condition to wait on, and
    the rules a wait ends by: the session closing (CancelledError) or the run's deadline."""

    kind = "resource"  # NOTE: how a timeout names it

    def __init__(self, name: str, session: Any) -> None:
        self.name = name
        # NOTE: weak, so a session's resources do not keep it alive; one made by a run that
        # raced with the session's close is never cancelled, so a wait asks the session too.
        self.session = weakref.ref(session)
        self.cancelled = False
        self.changed = threading.Condition()

    def cancel(self) -> None:
        with self.changed:
            self.cancelled = True
            self.changed.notify_all()

    def _wait(self, ready: Callable[[], bool], deadline: Optional[float]) -> None:
        """Wait (holding `changed`) until `ready()`, the session closes or the deadline."""
        while not ready():
            session = self.session()
            if self.cancelled or session is None or session._closed:
                raise errors.CancelledError(None, None, "Session has been closed.")
            left = _POLL_SECONDS if deadline is None else deadline - time.monotonic()
            if left <= 0:
                raise errors.DeadlineExceededError(
                    None, None, f"Timed out waiting on {self.kind} '{self.name}'")
            self.changed.wait(min(left, _POLL_SECONDS))


class QueueState(BlockingResource):
    """One queue's elements (tuples of arrays) in one session, with TF's blocking rules."""

    kind = "queue"

    def __init__(self, name: str, capacity: int, min_after_dequeue: int,
                 shuffle: Optional[np.random.Generator], pad: bool, session: Any) -> None:
        super().__init__(name, session)
        self.capacity, self.min_after_dequeue = capacity, min_after_dequeue
        self.shuffle, self.pad = shuffle, pad
        self.items: list = []
        self.closed = self.enqueues_cancelled = False

    def close(self, cancel_pending_enqueues: bool) -> None:
        with self.changed:
            self.closed = True
            self.enqueues_cancelled |= cancel_pending_enqueues
            self.changed.notify_all()

    def enqueue(self, rows: list, deadline: Optional[float] = None) -> None:
        with self.changed:
            for row in rows:
                self._wait(lambda: self.closed or len(self.items) < self.capacity, deadline)
                if self.closed:
                    raise errors.CancelledError(
                        None, None, f"Queue '{self.name}' is already closed.")
                self.items.append(row)
                self.changed.notify_all()

    def dequeue(self, count: int, up_to: bool = False, deadline: Optional[float] = None) -> list:
        """`count` rows (fewer with `up_to` once the queue is closed); OutOfRangeError when a
        closed queue holds too few."""
        keep = self.min_after_dequeue

        def ready() -> bool:
            return self.closed or len(self.items) >= count + keep
        with self.changed:
            self._wait(ready, deadline)
            available = len(self.items)
            if available < count and not (up_to and available > 0):
                kind = "RandomShuffleQueue" if self.shuffle is not None else "FIFOQueue"
                raise errors.OutOfRangeError(
                    None, None, f"{kind} '{self.name}' is closed and has insufficient elements "
                    f"(requested {count}, current size {available})")
            rows = [self._take() for _ in range(min(count, available))]
            self.changed.notify_all()
            return rows

    def _take(self) -> tuple:
        if self.shuffle is None:
            return self.items.pop(0)
        index = int(self.shuffle.integers(len(self.items)))
        self.items[index], self.items[-1] = self.items[-1], self.items[index]
        return self.items.pop()


def _handle_name(handle: Any) -> str:
    value = np.asarray(handle, object).item()
    return value.decode() if isinstance(value, bytes) else str(value)


def _resource(ctx: Any, handle: Any) -> Any:
    found = ctx.session._resources.get(_handle_name(handle))
    if found is None:
        raise errors.FailedPreconditionError(None, None, f"No queue or reader named "
                                             f"'{_handle_name(handle)}' in this session")
    return found


def _deadline(ctx: Any) -> Optional[float]:
    return ctx.deadline


def _resource_name(op: Any) -> str:
    return op._attrs.get("shared_name") or op.name


def _queue_kernel(op: Any) -> Callable:
    attrs, name = op._attrs, _resource_name(op)

    def make(ctx: Any) -> np.ndarray:
        resources = ctx.session._resources
        if name not in resources:
            shuffle = ctx.random_generator(op) if op._type == "RandomShuffleQueueV2" else None
            queue = QueueState(name, attrs["capacity"], attrs.get("min_after_dequeue", 0),
                               shuffle, op._type == "PaddingFIFOQueueV2", ctx.session)
            resources.setdefault(name, queue)
        return np.asarray(name.encode(), object)
    return make


_HANDLE = [(d.string, ())]
_QUEUE = dict(grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True)
for _queue_type in ("FIFOQueueV2", "RandomShuffleQueueV2", "PaddingFIFOQueueV2"):
    register(_queue_type, lambda inputs, attrs: _HANDLE, _queue_kernel, **_QUEUE)


def _checked_row(op: Any, components: tuple, batched: bool) -> list:
    """The rows of an enqueue: each component converted and checked against the queue's shapes."""
    dtypes, shapes = op._attrs["component_types"], op._attrs.get("shapes")
    arrays = [np.asarray(c, t.as_numpy_dtype) for c, t in zip(components, dtypes, strict=True)]
    count = None
    if batched:
        sizes = {a.shape[0] if a.ndim else None for a in arrays}
        if None in sizes or len(sizes) != 1:
            raise errors.InvalidArgumentError(
                None, None, "Shape mismatch in tuple component 0. Expected [n,...] with the same "
                f"n for every component, got {[list(a.shape) for a in arrays]}")
        count = sizes.pop()
    for i, (array, dims) in enumerate(zip(arrays, shapes or [None] * len(arrays), strict=True)):
        element = array.shape[1:] if batched else array.shape
        if dims is not None and not _fits(element, dims):
            raise errors.InvalidArgumentError(
                None, None, f"Shape mismatch in tuple component {i}. Expected "
                f"{list(dims)}, got {list(element)}")
    if not batched:
        return [tuple(arrays)]
    return [tuple(np.array(a[j], a.dtype) for a in arrays) for j in range(count)]


def _fits(shape: tuple, dims: Any) -> bool:
    return len(shape) == len(dims) and all(w is None or w == s for s, w in zip(shape, dims,
                                                                               strict=True))


def _enqueue_kernel(batched: bool) -> Callable:
    def make(op: Any) -> Callable:
        def enqueue(ctx: Any, handle: Any, *components: Any) -> None:
            _resource(ctx, handle).enqueue(_checked_row(op, components, batched), _deadline(ctx))
        return enqueue
    return make


def _no_outputs(inputs: list, attrs: dict) -> list:
    return []


register("QueueEnqueueV2", _no_outputs, _enqueue_kernel(False), **_QUEUE)
register("QueueEnqueueManyV2", _no_outputs, _enqueue_kernel(True), **_QUEUE)


def _dequeue_infer(batched: bool) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        shapes = attrs.get("shapes") or [None] * len(attrs["component_types"])
        batch = attrs.get("batch_size")
        return [(t, None if s is None else ((batch,) + tuple(s) if batched else tuple(s)))
                for t, s in zip(attrs["component_types"], shapes, strict=True)]
    return infer


def _stacked(rows: list, component: int, dtype: Any, pad: bool, dims: Any) -> np.ndarray:
    arrays = [row[component] for row in rows]
    if not arrays:
        return np.zeros((0, *[n or 0 for n in (dims or ())]), dtype)
    if not pad:
        return np.stack(arrays)
    widest = np.max([a.shape for a in arrays], axis=0) if arrays[0].ndim else ()
    filler = b"" if dtype is object else 0
    result = np.full((len(arrays), *widest), filler, dtype)
    for i, array in enumerate(arrays):
        result[(i, *(slice(0, n) for n in array.shape))] = array
    return result


def _dequeue_kernel(batched: bool, up_to: bool = False) -> Callable:
    def make(op: Any) -> Callable:
        dtypes = [t.as_numpy_dtype for t in op._attrs["component_types"]]
        shapes = op._attrs.get("shapes") or [None] * len(dtypes)

        def dequeue(ctx: Any, handle: Any, count: Any = 1) -> list:
            queue = _resource(ctx, handle)
            if batched and int(count) < 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Dequeue count must be non-negative, got {int(count)}")
            rows = queue.dequeue(int(count), up_to, _deadline(ctx))
            if not batched:
                return list(rows[0])
            return [_stacked(rows, i, t, queue.pad, shapes[i]) for i, t in enumerate(dtypes)]
        return dequeue
    return make


_DEQUEUE = dict(_QUEUE, multi_output=True)
register("QueueDequeueV2", _dequeue_infer(False), _dequeue_kernel(False), **_DEQUEUE)
register("QueueDequeueManyV2", _dequeue_infer(True), _dequeue_kernel(True), **_DEQUEUE)
register("QueueDequeueUpToV2", _dequeue_infer(True), _dequeue_kernel(True, up_to=True),
         **_DEQUEUE)


def _close_kernel(op: Any) -> Callable:
    cancel = op._attrs["cancel_pending_enqueues"]
    return lambda ctx, handle: _resource(ctx, handle).close(cancel)


register("QueueCloseV2", _no_outputs, _close_kernel, **_QUEUE)
register("QueueSizeV2", lambda inputs, attrs: [(d.int32, ())],
         lambda op: lambda ctx, handle: np.int32(len(_resource(ctx, handle).items)), **_QUEUE)
register("QueueIsClosedV2", lambda inputs, attrs: [(d.bool, ())],
         lambda op: lambda ctx, handle: np.bool_(_resource(ctx, handle).closed), **_QUEUE)


# --- CountUpTo ----------------------------------------------------------------------------------

def _count_up_to_kernel(op: Any) -> Callable:
    variable, limit = op._inputs[0]._op, op._attrs["limit"]

    def count_up_to(ctx: Any) -> Any:
        # NOTE: committed at once under the session's counter lock, not at the run's end: a
        # queue runner's enqueue counts epochs while another run (a training step blocked on a
        # dequeue) may hold the session's write lock; TF's CountUpTo is not atomic with its run.
        lock = ctx.session._resources.setdefault(("CountUpTo", variable), threading.Lock())
        with lock:
            current = ctx.read(variable)
            if current >= limit:
                raise errors.OutOfRangeError(None, None, f"Reached limit of {limit}")
            ctx.session._variable_store[variable] = np.asarray(current + 1, current.dtype)
        return current
    return count_up_to


register("CountUpTo", lambda inputs, attrs: [(inputs[0]._dtype, ())], _count_up_to_kernel,
         grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True, ref_inputs=(0,),
         stateless_in_tf=True)


# --- readers ------------------------------------------------------------------------------------

class ReaderState:
    """One reader in one session: the file it is reading and the records left in it."""

    def __init__(self, records_of: Callable[[str], Iterator[tuple]]) -> None:
        self.records_of = records_of
        self.current: Optional[Iterator[tuple]] = None
        self.produced = 0

    def read(self, queue: QueueState, count: int, deadline: Optional[float]) -> list:
        """Up to `count` (key, value) pairs, taking files from `queue` as each one ends."""
        pairs: list = []
        while len(pairs) < count:
            if self.current is None:
                try:
                    filename = queue.dequeue(1, deadline=deadline)[0][0]
                except errors.OutOfRangeError:
                    if pairs:
                        break
                    raise
                self.current = self.records_of(_text(np.asarray(filename).item()))
            pair = next(self.current, None)
            if pair is None:
                self.current = None
                continue
            pairs.append(pair)
        self.produced += len(pairs)
        return pairs


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _lines(skip: int) -> Callable:
    def records(path: str) -> Iterator[tuple]:
        with open(path, "rb") as file:
            for number, line in enumerate(file, start=1):
                if number > skip:
                    yield f"{path}:{number}".encode(), line.rstrip(b"\n").rstrip(b"\r")
    return records


def _whole_file(path: str) -> Iterator[tuple]:
    with open(path, "rb") as file:
        yield path.encode(), file.read()


def _tfrecords(path: str) -> Iterator[tuple]:
    # NOTE: python_io imports the interop codecs, which only a TFRecord reader needs.
    from ..python_io import tf_record_iterator
    offset = 0
    for record in tf_record_iterator(path):
        yield f"{path}:{offset}".encode(), record
        offset += len(record) + 16  # NOTE: length (8), its CRC (4), the payload, its CRC (4)


def _fixed_length(attrs: dict) -> Callable:
    header, size, footer = attrs["header_bytes"], attrs["record_bytes"], attrs["footer_bytes"]
    hop = attrs["hop_bytes"] or size

    def records(path: str) -> Iterator[tuple]:
        with open(path, "rb") as file:
            data = file.read()
        body = data[header:len(data) - footer]
        for number, start in enumerate(range(0, len(body) - size + 1, hop)):
            yield f"{path}:{number}".encode(), body[start:start + size]
    return records


_READERS = {"TextLineReaderV2": lambda attrs: _lines(attrs["skip_header_lines"]),
            "WholeFileReaderV2": lambda attrs: _whole_file,
            "TFRecordReaderV2": lambda attrs: _tfrecords,
            "FixedLengthRecordReaderV2": _fixed_length}


def _reader_kernel(op: Any) -> Callable:
    name, records_of = _resource_name(op), _READERS[op._type](op._attrs)

    def make(ctx: Any) -> np.ndarray:
        ctx.session._resources.setdefault(name, ReaderState(records_of))
        return np.asarray(name.encode(), object)
    return make


for _reader_type in _READERS:
    register(_reader_type, lambda inputs, attrs: _HANDLE, _reader_kernel, **_QUEUE)


def _read_kernel(op: Any) -> Callable:
    def read(ctx: Any, reader: Any, queue: Any) -> list:
        key, value = _resource(ctx, reader).read(_resource(ctx, queue), 1, _deadline(ctx))[0]
        return [np.asarray(key, object), np.asarray(value, object)]
    return read


def _read_up_to_kernel(op: Any) -> Callable:
    def read_up_to(ctx: Any, reader: Any, queue: Any, count: Any) -> list:
        pairs = _resource(ctx, reader).read(_resource(ctx, queue), int(count), _deadline(ctx))
        keys, values = np.empty(len(pairs), object), np.empty(len(pairs), object)
        for i, (key, value) in enumerate(pairs):
            keys[i], values[i] = key, value
        return [keys, values]
    return read_up_to


register("ReaderReadV2", lambda inputs, attrs: [(d.string, ()), (d.string, ())], _read_kernel,
         **_DEQUEUE)
register("ReaderReadUpToV2", lambda inputs, attrs: [(d.string, (None,)), (d.string, (None,))],
         _read_up_to_kernel, **_DEQUEUE)
