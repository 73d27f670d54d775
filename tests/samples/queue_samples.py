"""Samples for the queue and reader ops: each run enqueues, then (by control dependency) dequeues.

The registry tests run a sample's graph more than once in one session, so every sample leaves
its queue as it found it (or only grows a queue of ample capacity), and the reader samples check
what a second read may give too. Nothing runs at import: the golden recorder imports this module
with TF standing in for session_magic.
"""
from __future__ import annotations

import os
import tempfile

import numpy as np

import session_magic as sm
from session_magic.input_pipeline import (FixedLengthRecordReader, TextLineReader,
                                          TFRecordReader, WholeFileReader, count_up_to)
from session_magic.interop.event_writer import tfrecord
from session_magic.queues import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue

from . import Sample, f32, i32

ROWS = f32(3, 2)
SHUFFLED = np.arange(6, dtype=np.int32)


def _enqueue_dequeue(x):
    queue = FIFOQueue(100, [x.dtype])
    with sm.control_dependencies([queue.enqueue(x)]):
        return queue.dequeue()


def _enqueue_many_dequeue_many(x):
    queue = FIFOQueue(100, [x.dtype], shapes=[[2]])
    with sm.control_dependencies([queue.enqueue_many([x])]):
        return queue.dequeue_many(3)


def _dequeue_up_to(x):
    queue = FIFOQueue(100, [x.dtype], shapes=[[2]])
    with sm.control_dependencies([queue.enqueue_many([x])]):
        return queue.dequeue_up_to(3)


def _shuffled(x):
    queue = RandomShuffleQueue(100, 0, [x.dtype], shapes=[[]], seed=3)
    with sm.control_dependencies([queue.enqueue_many([x])]):
        return queue.dequeue_many(6)


def _same_multiset(result):
    assert sorted(np.asarray(result).tolist()) == SHUFFLED.tolist()


def _padded(x):
    queue = PaddingFIFOQueue(100, [x.dtype], shapes=[[None]])
    with sm.control_dependencies([queue.enqueue([x[:1]])]):
        with sm.control_dependencies([queue.enqueue([x])]):
            return queue.dequeue_many(2)


def _closed(x):
    queue = FIFOQueue(100, [x.dtype])
    with sm.control_dependencies([queue.close()]):
        return queue.is_closed()


def _size(x):
    queue = FIFOQueue(100, [x.dtype])
    with sm.control_dependencies([queue.enqueue_many([x])]):
        return queue.size()


def _count_up_to(x):
    # NOTE: a ref variable: TF's CountUpTo refuses a resource variable's handle
    variable = sm.Variable(np.int32(0), name="count", use_resource=False)
    with sm.control_dependencies([variable.initializer]):
        return count_up_to(variable, 5)


_DIRECTORY: list = []  # NOTE: one temporary directory, made on first use, removed at exit


def _written(contents: bytes) -> str:
    if not _DIRECTORY:
        _DIRECTORY.append(tempfile.TemporaryDirectory(prefix="queue_samples_"))
    handle, path = tempfile.mkstemp(dir=_DIRECTORY[0].name)
    with os.fdopen(handle, "wb") as file:
        file.write(contents)
    return path


def _read(reader_class, contents: bytes, up_to: bool = False, **options):
    def build(x):
        files = FIFOQueue(100, [sm.string], shapes=[[]])
        reader = reader_class(**options)
        data = contents() if callable(contents) else contents
        with sm.control_dependencies([files.enqueue([_written(data)])]):
            return reader.read_up_to(files, 2) if up_to else reader.read(files)
    return build


def _value_is(*allowed: bytes):
    def check(result):
        value = result[1]
        values = value.tolist() if isinstance(value, np.ndarray) and value.ndim else [value]
        assert values and all(np.asarray(v, object).item() in allowed for v in values), result
    return check


_LINES = b"header\nfirst\nsecond\n"

SAMPLES = [
    Sample("FIFOQueueV2", _enqueue_dequeue, [ROWS], lambda x: x),
    Sample("QueueEnqueueV2", _enqueue_dequeue, [i32(4)], lambda x: x),
    Sample("QueueDequeueV2", _enqueue_dequeue, [ROWS], lambda x: x),
    Sample("QueueEnqueueManyV2", _enqueue_many_dequeue_many, [ROWS], lambda x: x,
           unknown_shapes=False),
    Sample("QueueDequeueManyV2", _enqueue_many_dequeue_many, [ROWS], lambda x: x,
           unknown_shapes=False),
    Sample("QueueDequeueUpToV2", _dequeue_up_to, [ROWS], lambda x: x, unknown_shapes=False),
    Sample("RandomShuffleQueueV2", _shuffled, [SHUFFLED], check=_same_multiset,
           unknown_shapes=False),
    Sample("PaddingFIFOQueueV2", _padded, [np.array([1, 2, 3], np.int32)],
           lambda x: np.array([[1, 0, 0], [1, 2, 3]], np.int32)),
    Sample("QueueCloseV2", _closed, [ROWS], lambda x: np.bool_(True)),
    Sample("QueueIsClosedV2", _closed, [ROWS], lambda x: np.bool_(True)),
    Sample("QueueSizeV2", _size, [ROWS], lambda x: np.int32(3), unknown_shapes=False),
    Sample("CountUpTo", _count_up_to, [ROWS], lambda x: np.int32(0)),
    Sample("TextLineReaderV2", _read(TextLineReader, _LINES, skip_header_lines=1), [ROWS],
           check=_value_is(b"first", b"second")),
    Sample("ReaderReadV2", _read(TextLineReader, _LINES), [ROWS],
           check=_value_is(b"header", b"first", b"second")),
    Sample("ReaderReadUpToV2", _read(TextLineReader, _LINES, up_to=True), [ROWS],
           check=_value_is(b"header", b"first", b"second")),
    Sample("WholeFileReaderV2", _read(WholeFileReader, _LINES), [ROWS],
           check=_value_is(_LINES)),
    Sample("TFRecordReaderV2", _read(TFRecordReader, lambda: tfrecord(b"one") + tfrecord(b"two")),
           [ROWS], check=_value_is(b"one", b"two")),
    Sample("FixedLengthRecordReaderV2", _read(FixedLengthRecordReader, b"HHabcdefF",
                                              record_bytes=3, header_bytes=2, footer_bytes=1),
           [ROWS], check=_value_is(b"abc", b"def")),
]
