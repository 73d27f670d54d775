"""TensorBoard event files: TFRecord framing with masked CRC-32C, and EventFileWriter, which
writes Event protos from a background thread (a bounded queue, flushed every `flush_secs`, on
`flush()`, on `close()` and at interpreter exit). Loaded only when a FileWriter is made."""
from __future__ import annotations

import atexit
import os
import queue
import socket
import struct
import threading
import time
import weakref
from typing import Any, BinaryIO, Final, Optional

from .. import proto
from .sstable import crc32c, masked_crc32c  # noqa: F401 - TFRecord framing shares them

__all__ = ["crc32c", "masked_crc32c", "tfrecord", "read_tfrecords", "EventFileWriter"]


def tfrecord(payload: bytes) -> bytes:
    """One TFRecord: length, its masked CRC, the payload, the payload's masked CRC."""
    length = struct.pack("<Q", len(payload))
    return (length + struct.pack("<I", masked_crc32c(length)) + payload +
            struct.pack("<I", masked_crc32c(payload)))


def read_tfrecords(path: str) -> list:
    """The payloads of a TFRecord file, checking every CRC (ValueError on a corrupt record)."""
    with open(path, "rb") as handle:
        data = handle.read()
    payloads, position = [], 0
    while position < len(data):
        header = data[position:position + 12]
        if len(header) < 12 or struct.unpack("<I", header[8:])[0] != masked_crc32c(header[:8]):
            raise ValueError(f"{path}: corrupt record header at byte {position}")
        (length,) = struct.unpack("<Q", header[:8])
        payload = data[position + 12:position + 12 + length]
        footer = data[position + 12 + length:position + 16 + length]
        if len(footer) < 4 or struct.unpack("<I", footer)[0] != masked_crc32c(payload):
            raise ValueError(f"{path}: corrupt record payload at byte {position}")
        payloads.append(payload)
        position += 16 + length
    return payloads


# --- the writer ----------------------------------------------------------------------------------

_FLUSH, _CLOSE = object(), object()  # NOTE: queue sentinels, told apart by identity
_OPEN_WRITERS: Final = weakref.WeakSet()  # flushed at interpreter exit


class _EventsFile:
    """One events file at a time: `open` starts a new one (a writer opens one when made and
    again when reopened, as TF's does); its first record says the file's version."""

    def __init__(self, logdir: str, suffix: str) -> None:
        self._logdir, self._suffix = logdir, suffix
        self._handle: Optional[BinaryIO] = None
        self.path = ""

    def write(self, event: Any) -> None:
        self._handle.write(tfrecord(event.SerializeToString()))

    def open(self) -> None:
        now = time.time()
        # NOTE: TF's name: "%s.out.tfevents.%010lld.%s%s" (prefix "events", time, host, suffix)
        name = f"events.out.tfevents.{int(now):010d}.{socket.gethostname()}{self._suffix}"
        self.path = os.path.join(self._logdir, name)
        self._handle = open(self.path, "ab")
        self._handle.write(tfrecord(proto.Event(wall_time=now, file_version="brain.Event:2")
                                    .SerializeToString()))
        self._handle.flush()

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class EventFileWriter:
    """Writes Event protos to an events file in `logdir` from a background thread, so adding
    an event never waits for the disk (it waits only when `max_queue` events are pending)."""

    def __init__(self, logdir: str, max_queue: int = 10, flush_secs: float = 120,
                 filename_suffix: Optional[str] = None) -> None:
        self._logdir = str(logdir)
        os.makedirs(self._logdir, exist_ok=True)
        self._max_queue, self._flush_secs = max_queue, flush_secs
        self._file = _EventsFile(self._logdir, filename_suffix or "")
        self._failure: Optional[BaseException] = None
        self._closed = True
        self._start()

    def _start(self) -> None:
        self._file.open()
        self._queue: queue.Queue = queue.Queue(max(self._max_queue, 0))
        self._flushed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="EventFileWriter", daemon=True)
        self._thread.start()
        self._closed = False
        _OPEN_WRITERS.add(self)

    def get_logdir(self) -> str:
        return self._logdir

    @property
    def path(self) -> str:
        """The events file being written (or last written, once closed)."""
        return self._file.path

    def add_event(self, event: Any) -> None:
        if not self._closed:
            self._raise_failure()
            self._queue.put(event)

    def flush(self) -> None:
        """Wait until every event added so far is on disk."""
        if self._closed:
            return
        if not self._thread.is_alive():
            self._raise_failure()
            return
        self._flushed.clear()
        self._queue.put(_FLUSH)
        self._flushed.wait()
        self._raise_failure()

    def close(self) -> None:
        if self._closed:
            return
        try:
            self.flush()
        finally:
            if self._thread.is_alive():
                self._queue.put(_CLOSE)
                self._thread.join()
            self._file.close()
            self._closed = True
            _OPEN_WRITERS.discard(self)

    def reopen(self) -> None:
        """After `close`: write again, into a new events file."""
        if self._closed:
            self._start()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise OSError(f"writing events to {self._logdir} failed: {failure}") from failure

    def _run(self) -> None:
        next_flush = time.monotonic() + self._flush_secs
        try:
            while True:
                try:
                    item = self._queue.get(timeout=max(next_flush - time.monotonic(), 0.001))
                except queue.Empty:
                    item = None
                if item is _CLOSE:
                    return
                if item is not None and item is not _FLUSH:
                    self._file.write(item)
                if item is _FLUSH or time.monotonic() >= next_flush:
                    self._file.flush()
                    next_flush = time.monotonic() + self._flush_secs
                if item is _FLUSH:
                    self._flushed.set()
        except BaseException as error:  # NOTE: kept for the next flush() to raise in the caller
            self._failure = error
        finally:
            self._flushed.set()


@atexit.register
def _close_all_at_exit() -> None:
    for writer in list(_OPEN_WRITERS):
        writer.close()
