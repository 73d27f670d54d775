"""TF1's threaded input pipeline: Coordinator, QueueRunner, producers, batching and readers.

Producers and batching build queues and register a QueueRunner for each in the graph's
QUEUE_RUNNERS collection; `start_queue_runners` starts their threads for one session. A runner
stops when its queue closes, when the coordinator stops, or when the session closes.
"""
from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from typing import Any, Iterator, Optional, Sequence

from . import dtypes as _dtypes
from . import errors
from .defaults import get_default_session
from .graph import GraphKeys, Operation, Tensor, control_dependencies, get_default_graph, \
    name_scope
from .ops.array_ops import gather, shape
from .ops.array_ops import range as range_
from .ops.constant_ops import identity
from .ops.conversion import convert_to_tensor
from .ops.random_ops import random_shuffle
from .ops.registry import apply_op
from .queues import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue
from .variables import Variable

__all__ = ["Coordinator", "QueueRunner", "add_queue_runner", "start_queue_runners",
           "count_up_to", "limit_epochs", "input_producer", "string_input_producer",
           "range_input_producer", "slice_input_producer", "batch", "batch_join",
           "shuffle_batch", "shuffle_batch_join",
           "ReaderBase", "TextLineReader", "WholeFileReader", "TFRecordReader",
           "FixedLengthRecordReader", "LooperThread"]

_log = logging.getLogger("session_magic")
QUEUE_RUNNERS = "queue_runners"  # NOTE: TF's GraphKeys.QUEUE_RUNNERS
_CLOSED = (errors.OutOfRangeError, errors.CancelledError)


# --- Coordinator --------------------------------------------------------------------------------

class Coordinator:
    """Lets threads ask each other to stop and hands the first failure to `join`."""

    def __init__(self, clean_stop_exception_types: Optional[Sequence[type]] = None) -> None:
        self._clean_stop = tuple(clean_stop_exception_types or (errors.OutOfRangeError,))
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info: Optional[tuple] = None
        self._registered_threads: set = set()
        self._joined = False

    def request_stop(self, ex: Any = None) -> None:
        """Ask every thread to stop; an exception (or exc_info) is re-raised by `join`."""
        with self._lock:
            if ex is not None and self._exc_info is None and not self._joined:
                info = ex if isinstance(ex, tuple) else (type(ex), ex, ex.__traceback__)
                if not issubclass(info[0], self._clean_stop):
                    self._exc_info = info
            self._stop_event.set()

    def clear_stop(self) -> None:
        with self._lock:
            self._joined, self._exc_info = False, None
            self._stop_event.clear()

    def should_stop(self) -> bool:
        return self._stop_event.is_set()

    def wait_for_stop(self, timeout: Optional[float] = None) -> bool:
        return self._stop_event.wait(timeout)

    @contextlib.contextmanager
    def stop_on_exception(self) -> Iterator[None]:
        """Request a stop, passing it the exception, when the block raises."""
        try:
            yield
        except BaseException:  # noqa: BLE001 - TF's: every exception stops the threads
            self.request_stop(sys.exc_info())

    def register_thread(self, thread: threading.Thread) -> None:
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads: Optional[Sequence[threading.Thread]] = None,
             stop_grace_period_secs: float = 120,
             ignore_live_threads: bool = False) -> None:
        """Wait for `threads` (and registered ones) to end after a stop; re-raise a thread's
        exception; RuntimeError naming threads still running after the grace period."""
        threads = set(threads or ()) | self._registered_threads
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(0.05):
            pass
        deadline = time.monotonic() + stop_grace_period_secs
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            exc_info = self._exc_info
        if exc_info is not None:
            raise exc_info[1].with_traceback(exc_info[2])
        stragglers = [t.name for t in threads if t.is_alive()]
        if stragglers and not ignore_live_threads:
            raise RuntimeError(f"Coordinator stopped with threads still running: "
                               f"{' '.join(stragglers)}")

    @property
    def joined(self) -> bool:
        return self._joined

    def raise_requested_exception(self) -> None:
        with self._lock:
            if self._exc_info is not None:
                raise self._exc_info[1].with_traceback(self._exc_info[2])


class LooperThread(threading.Thread):
    """A thread that calls `target(*args)` every `timer_interval_secs` until the coord stops."""

    def __init__(self, coord: Coordinator, timer_interval_secs: Optional[float],
                 target: Any = None, args: Any = None, kwargs: Any = None) -> None:
        super().__init__(daemon=True)
        self._coord, self._interval = coord, timer_interval_secs
        self._target_call = (target, args or (), kwargs or {})
        coord.register_thread(self)

    def run(self) -> None:
        target, args, kwargs = self._target_call
        with self._coord.stop_on_exception():
            while not self._coord.should_stop():
                target(*args, **kwargs)
                if self._interval is not None:
                    self._coord.wait_for_stop(self._interval)


# --- QueueRunner --------------------------------------------------------------------------------

class QueueRunner:
    """Threads that each run one enqueue op in a loop; the last one to finish closes the queue."""

    def __init__(self, queue: Any = None, enqueue_ops: Optional[Sequence[Operation]] = None,
                 close_op: Optional[Operation] = None, cancel_op: Optional[Operation] = None,
                 queue_closed_exception_types: Optional[Sequence[type]] = None,
                 queue_runner_def: Any = None, import_scope: Optional[str] = None) -> None:
        if queue_runner_def is not None:
            raise ValueError("queue_runner_def is not supported: pass queue and enqueue_ops")
        if queue is None or not enqueue_ops:
            raise ValueError("QueueRunner needs a queue and a non-empty list of enqueue_ops")
        self._queue, self._enqueue_ops = queue, list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else \
            queue.close(cancel_pending_enqueues=True)
        self._closed_types = tuple(queue_closed_exception_types or _CLOSED)
        self._lock = threading.Lock()
        self._runs_per_session: dict = {}
        self._exceptions_raised: list = []

    queue = property(lambda self: self._queue)
    enqueue_ops = property(lambda self: self._enqueue_ops)
    close_op = property(lambda self: self._close_op)
    cancel_op = property(lambda self: self._cancel_op)
    name = property(lambda self: self._queue.name)
    exceptions_raised = property(lambda self: list(self._exceptions_raised))

    def _run(self, sess: Any, enqueue_op: Operation, coord: Optional[Coordinator]) -> None:
        try:
            while not (coord is not None and coord.should_stop()) and not sess.closed:
                sess.run(enqueue_op)
        except self._closed_types:
            self._last_one_closes(sess)
        except Exception as error:  # noqa: BLE001 - handed to the coordinator, as TF's
            if sess.closed:
                return  # NOTE: the session closed under the run: a clean stop
            self._exceptions_raised.append(error)
            if coord is None:
                raise
            coord.request_stop(error)
        finally:
            with self._lock:
                self._runs_per_session[sess] -= 1

    def _last_one_closes(self, sess: Any) -> None:
        with self._lock:
            last = self._runs_per_session[sess] == 1
        if last:
            with contextlib.suppress(Exception):
                sess.run(self._close_op)

    def _close_on_stop(self, sess: Any, coord: Coordinator) -> None:
        """Cancel the queue when the coordinator stops, so no thread stays blocked in it."""
        while not coord.wait_for_stop(0.05) and not sess.closed:
            pass
        with contextlib.suppress(Exception):
            sess.run(self._cancel_op)

    def create_threads(self, sess: Any, coord: Optional[Coordinator] = None,
                       daemon: bool = False, start: bool = False) -> list:
        """One thread per enqueue op (and one that cancels the queue when `coord` stops)."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []  # NOTE: TF's: threads already running for this session
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord), daemon=daemon,
                                    name=f"QueueRunnerThread-{self.name}-{op.name}")
                   for op in self._enqueue_ops]
        if coord is not None:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord),
                                            daemon=daemon))
        for thread in threads:
            if coord is not None:
                coord.register_thread(thread)
            if start:
                thread.start()
        return threads


def add_queue_runner(qr: QueueRunner, collection: str = QUEUE_RUNNERS) -> None:
    get_default_graph().add_to_collection(collection, qr)


def start_queue_runners(sess: Any = None, coord: Optional[Coordinator] = None,
                        daemon: bool = True, start: bool = True,
                        collection: str = QUEUE_RUNNERS) -> list:
    """Start the threads of every QueueRunner in `collection` for `sess` (the default)."""
    if sess is None:
        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    with sess.graph.as_default():
        return [thread for qr in sess.graph.get_collection(collection)
                for thread in qr.create_threads(sess, coord, daemon, start)]


# --- producers ----------------------------------------------------------------------------------

def count_up_to(ref: Any, limit: int, name: Optional[str] = None) -> Tensor:
    """Increment the integer variable `ref` up to `limit`, giving its value before; past it,
    OutOfRangeError. The increment is kept at once, even if the run fails later."""
    ref = getattr(ref, "_as_graph_element", lambda: ref)()
    if not isinstance(limit, int):
        raise TypeError(f"limit must be an int, got {limit!r}")
    return apply_op("CountUpTo", [ref], {"limit": limit}, name or "CountUpTo").outputs[0]


def limit_epochs(tensor: Any, num_epochs: Optional[int] = None,
                 name: Optional[str] = None) -> Tensor:
    """`tensor`, yielded `num_epochs` times; then OutOfRangeError. Its counter is a local
    variable (`epochs`): run `local_variables_initializer()` first, as TF needs."""
    if num_epochs is None:
        return convert_to_tensor(tensor)
    if not isinstance(num_epochs, int) or num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    with name_scope(name, "limit_epochs", [tensor]) as scope:
        epochs = Variable(convert_to_tensor(0, _dtypes.int64), trainable=False,
                          collections=[GraphKeys.LOCAL_VARIABLES], name="epochs")
        counter = count_up_to(epochs, num_epochs)
        with control_dependencies([counter]):
            return identity(tensor, name=scope)


def input_producer(input_tensor: Any, element_shape: Any = None, num_epochs: Optional[int] = None,
                   shuffle: bool = True, seed: Optional[int] = None, capacity: int = 32,
                   shared_name: Optional[str] = None, summary_name: Optional[str] = None,
                   name: Optional[str] = None, cancel_op: Any = None) -> FIFOQueue:
    """A queue fed the rows of `input_tensor` (shuffled each epoch) by a QueueRunner."""
    with name_scope(name, "input_producer", [input_tensor]) as scope:
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        dims = input_tensor.shape
        if element_shape is None:
            if dims.rank is None or not dims[1:].is_fully_defined():
                raise ValueError("Either `input_tensor` must have a fully defined shape after "
                                 "its first dimension, or `element_shape` must be given")
            element_shape = dims[1:]
        if shuffle:
            input_tensor = random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        queue = FIFOQueue(capacity, [input_tensor.dtype], [element_shape],
                          shared_name=shared_name, name=scope)
        add_queue_runner(QueueRunner(queue, [queue.enqueue_many([input_tensor])],
                                     cancel_op=cancel_op))
        return queue


def string_input_producer(string_tensor: Any, num_epochs: Optional[int] = None,
                          shuffle: bool = True, seed: Optional[int] = None, capacity: int = 32,
                          shared_name: Optional[str] = None, name: Optional[str] = None,
                          cancel_op: Any = None) -> FIFOQueue:
    """A queue of the strings in `string_tensor` (file names), for a reader."""
    if isinstance(string_tensor, (list, tuple)) and not string_tensor:
        raise ValueError("string_input_producer requires a non-null input tensor")
    with name_scope(name, "input_producer", [string_tensor]) as scope:
        string_tensor = convert_to_tensor(string_tensor, _dtypes.string)
        return input_producer(string_tensor, [], num_epochs, shuffle, seed, capacity,
                              shared_name, None, scope, cancel_op)


def range_input_producer(limit: int, num_epochs: Optional[int] = None, shuffle: bool = True,
                         seed: Optional[int] = None, capacity: int = 32,
                         shared_name: Optional[str] = None,
                         name: Optional[str] = None) -> FIFOQueue:
    """A queue of the integers 0 .. limit - 1."""
    with name_scope(name, "input_producer", [limit]) as scope:
        values = range_(0, limit, 1, dtype=_dtypes.int32)
        return input_producer(values, [], num_epochs, shuffle, seed, capacity,
                              shared_name, None, scope)


def slice_input_producer(tensor_list: Sequence[Any], num_epochs: Optional[int] = None,
                         shuffle: bool = True, seed: Optional[int] = None, capacity: int = 32,
                         shared_name: Optional[str] = None, name: Optional[str] = None) -> list:
    """One row of each tensor of `tensor_list` at a time (the same row of each)."""
    if not tensor_list:
        raise ValueError("Expected at least one tensor in slice_input_producer().")
    with name_scope(name, "input_producer", tensor_list):
        tensors = [convert_to_tensor(t) for t in tensor_list]
        size = shape(tensors[0], out_type=_dtypes.int32)[0]
        queue = range_input_producer(size, num_epochs, shuffle, seed, capacity, shared_name)
        index = queue.dequeue()
        return [gather(t, index) for t in tensors]


# --- batching -----------------------------------------------------------------------------------

def _flat(tensors: Any) -> list:
    if isinstance(tensors, dict):
        return [convert_to_tensor(tensors[k]) for k in sorted(tensors)]
    if isinstance(tensors, (list, tuple)):
        return [convert_to_tensor(t) for t in tensors]
    return [convert_to_tensor(tensors)]


def _as_original(original: Any, dequeued: Any) -> Any:
    if isinstance(original, dict):
        dequeued = dequeued if isinstance(dequeued, list) else [dequeued]
        return {k: dequeued[i] for i, k in enumerate(sorted(original))}
    return dequeued


def _shapes(tensors: list, shapes: Any, enqueue_many: bool, dynamic_pad: bool) -> list:
    if shapes is not None:
        return list(shapes)
    found = [t.shape[1:] if enqueue_many and t.shape.rank else t.shape for t in tensors]
    if not dynamic_pad and not all(s.is_fully_defined() for s in found):
        raise ValueError(f"All shapes must be fully defined: {found}")
    return found


def _batched(tensors_list: Sequence[Any], batch_size: Any, capacity: int, enqueue_many: bool,
             shapes: Any, allow_smaller_final_batch: bool, shared_name: Optional[str],
             scope: str, num_threads: int, queue_kind: tuple) -> Any:
    """The dequeued batch of a queue that one runner thread per enqueue op fills."""
    tensors_list = list(tensors_list)
    first = _flat(tensors_list[0])
    dtypes = [t.dtype for t in first]
    kind, *options = queue_kind
    shapes = _shapes(first, shapes, enqueue_many, kind is PaddingFIFOQueue)
    if kind is RandomShuffleQueue:
        min_after_dequeue, seed = options
        queue = kind(capacity, min_after_dequeue, dtypes, shapes, seed=seed,
                     shared_name=shared_name)
    else:
        queue = kind(capacity, dtypes, shapes, shared_name=shared_name)
    enqueue = queue.enqueue_many if enqueue_many else queue.enqueue
    enqueue_ops = [enqueue(_flat(tensors)) for tensors in tensors_list] * num_threads
    add_queue_runner(QueueRunner(queue, enqueue_ops))
    dequeue = queue.dequeue_up_to if allow_smaller_final_batch else queue.dequeue_many
    return _as_original(tensors_list[0], dequeue(batch_size, name=scope))


def batch(tensors: Any, batch_size: Any, num_threads: int = 1, capacity: int = 32,
          enqueue_many: bool = False, shapes: Any = None, dynamic_pad: bool = False,
          allow_smaller_final_batch: bool = False, shared_name: Optional[str] = None,
          name: Optional[str] = None) -> Any:
    """Batches of `tensors` (a list or dict) from a FIFOQueue filled by `num_threads` threads."""
    kind = PaddingFIFOQueue if dynamic_pad else FIFOQueue
    with name_scope(name, "batch") as scope:
        return _batched([tensors], batch_size, capacity, enqueue_many, shapes,
                        allow_smaller_final_batch, shared_name, scope, num_threads, (kind,))


def batch_join(tensors_list: Sequence[Any], batch_size: Any, capacity: int = 32,
               enqueue_many: bool = False, shapes: Any = None, dynamic_pad: bool = False,
               allow_smaller_final_batch: bool = False, shared_name: Optional[str] = None,
               name: Optional[str] = None) -> Any:
    """Batches from a FIFOQueue filled by one thread per entry of `tensors_list`."""
    kind = PaddingFIFOQueue if dynamic_pad else FIFOQueue
    with name_scope(name, "batch_join") as scope:
        return _batched(tensors_list, batch_size, capacity, enqueue_many, shapes,
                        allow_smaller_final_batch, shared_name, scope, 1, (kind,))


def shuffle_batch(tensors: Any, batch_size: Any, capacity: int, min_after_dequeue: int,
                  num_threads: int = 1, seed: Optional[int] = None, enqueue_many: bool = False,
                  shapes: Any = None, allow_smaller_final_batch: bool = False,
                  shared_name: Optional[str] = None, name: Optional[str] = None) -> Any:
    """Shuffled batches of `tensors` from a RandomShuffleQueue."""
    with name_scope(name, "shuffle_batch") as scope:
        return _batched([tensors], batch_size, capacity, enqueue_many, shapes,
                        allow_smaller_final_batch, shared_name, scope, num_threads,
                        (RandomShuffleQueue, min_after_dequeue, seed))


def shuffle_batch_join(tensors_list: Sequence[Any], batch_size: Any, capacity: int,
                       min_after_dequeue: int, seed: Optional[int] = None,
                       enqueue_many: bool = False, shapes: Any = None,
                       allow_smaller_final_batch: bool = False,
                       shared_name: Optional[str] = None, name: Optional[str] = None) -> Any:
    """Shuffled batches from a RandomShuffleQueue filled by one thread per tensor list."""
    with name_scope(name, "shuffle_batch_join") as scope:
        return _batched(tensors_list, batch_size, capacity, enqueue_many, shapes,
                        allow_smaller_final_batch, shared_name, scope, 1,
                        (RandomShuffleQueue, min_after_dequeue, seed))


# --- readers ------------------------------------------------------------------------------------

class ReaderBase:
    """A reader: `read(queue)` takes file names from `queue` and gives (key, value) records."""

    def __init__(self, op_type: str, attrs: dict, name: Optional[str]) -> None:
        attrs = dict(attrs, shared_name=attrs.get("shared_name") or "")
        self._reader_ref = apply_op(op_type, [], attrs, name).outputs[0]

    reader_ref = property(lambda self: self._reader_ref)
    supports_serialize = False

    @staticmethod
    def _queue_ref(queue: Any) -> Tensor:
        return queue.queue_ref if hasattr(queue, "queue_ref") else convert_to_tensor(queue)

    def read(self, queue: Any, name: Optional[str] = None) -> tuple:
        op = apply_op("ReaderReadV2", [self._reader_ref, self._queue_ref(queue)], {},
                      name or "ReaderReadV2")
        return op.outputs[0], op.outputs[1]

    def read_up_to(self, queue: Any, num_records: Any, name: Optional[str] = None) -> tuple:
        op = apply_op("ReaderReadUpToV2", [self._reader_ref, self._queue_ref(queue),
                                           convert_to_tensor(num_records, _dtypes.int64)], {},
                      name or "ReaderReadUpToV2")
        return op.outputs[0], op.outputs[1]


class TextLineReader(ReaderBase):
    """Records are lines (without their newline); keys are `file:line_number`."""

    def __init__(self, skip_header_lines: Optional[int] = None,
                 name: Optional[str] = None) -> None:
        super().__init__("TextLineReaderV2", {"skip_header_lines": skip_header_lines or 0},
                         name)


class WholeFileReader(ReaderBase):
    """One record per file: its whole contents; the key is the file name."""

    def __init__(self, name: Optional[str] = None) -> None:
        super().__init__("WholeFileReaderV2", {}, name)


class TFRecordReader(ReaderBase):
    """Records of a TFRecord file (CRC-checked); keys are `file:byte_offset`."""

    def __init__(self, name: Optional[str] = None, options: Any = None) -> None:
        if options is not None and getattr(options, "compression_type", 0):
            raise ValueError("TFRecordReader reads uncompressed files only here")
        super().__init__("TFRecordReaderV2", {}, name)


class FixedLengthRecordReader(ReaderBase):
    """Records of `record_bytes` bytes between a header and a footer; keys `file:index`."""

    def __init__(self, record_bytes: int, header_bytes: Optional[int] = None,
                 footer_bytes: Optional[int] = None, hop_bytes: Optional[int] = None,
                 name: Optional[str] = None, encoding: Optional[str] = None) -> None:
        if encoding:
            raise ValueError("FixedLengthRecordReader reads uncompressed files only here")
        if not isinstance(record_bytes, int) or record_bytes <= 0:
            raise ValueError(f"record_bytes must be a positive integer, got {record_bytes!r}")
        super().__init__("FixedLengthRecordReaderV2", {
            "record_bytes": record_bytes, "header_bytes": header_bytes or 0,
            "footer_bytes": footer_bytes or 0, "hop_bytes": hop_bytes or 0}, name)
