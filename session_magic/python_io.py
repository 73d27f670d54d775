"""`tf.python_io`: TFRecord files (length, masked CRC-32C, payload, its masked CRC-32C; the
whole file GZIP- or ZLIB-compressed if asked), written by `TFRecordWriter` and read back,
checked, by `tf_record_iterator`. `tf.io` takes the same names from here."""
from __future__ import annotations

import gzip
import struct
import zlib
from typing import Any, BinaryIO, Iterator, Optional

from . import errors
from .interop.event_writer import tfrecord
from .interop.sstable import masked_crc32c

__all__ = ["TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "tf_record_iterator"]


class TFRecordCompressionType:
    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions:
    """How a TFRecord file is compressed: "" (none), "ZLIB" or "GZIP" (or the enum values)."""

    compression_type_map = {TFRecordCompressionType.ZLIB: "ZLIB",
                            TFRecordCompressionType.GZIP: "GZIP",
                            TFRecordCompressionType.NONE: ""}

    def __init__(self, compression_type: Any = None, **_: Any) -> None:
        self.compression_type = compression_type

    @classmethod
    def get_compression_type_string(cls, options: Any) -> str:
        if options is None:
            return ""
        kind = options.compression_type if isinstance(options, TFRecordOptions) else options
        if kind is None:
            return ""
        name = cls.compression_type_map.get(kind, kind)
        if name not in ("", "ZLIB", "GZIP"):
            raise ValueError(f'compression_type must be "", "ZLIB" or "GZIP", got {kind!r}')
        return name


def _open_for_writing(path: str, compression: str) -> BinaryIO:
    if compression == "GZIP":
        return gzip.open(path, "wb")
    handle = open(path, "wb")
    return _ZlibFile(handle) if compression == "ZLIB" else handle


class _ZlibFile:
    """A write-only file that zlib-compresses what is written (TF's ZLIB record files)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle, self._compressor = handle, zlib.compressobj()

    def write(self, data: bytes) -> None:
        self._handle.write(self._compressor.compress(data))

    def flush(self) -> None:
        self._handle.write(self._compressor.flush(zlib.Z_SYNC_FLUSH))
        self._handle.flush()

    def close(self) -> None:
        self._handle.write(self._compressor.flush())
        self._handle.close()


class TFRecordWriter:
    """Writes records (bytes) to a TFRecord file; a context manager that closes it."""

    def __init__(self, path: str, options: Any = None) -> None:
        self._path = str(path)
        try:
            self._handle: Optional[Any] = _open_for_writing(
                self._path, TFRecordOptions.get_compression_type_string(options))
        except OSError as error:
            raise errors.NotFoundError(None, None, f"{self._path}; {error.strerror}") from error

    def write(self, record: Any) -> None:
        if self._handle is None:
            raise errors.FailedPreconditionError(None, None, "TFRecordWriter is closed.")
        payload = record.encode() if isinstance(record, str) else bytes(record)
        self._handle.write(tfrecord(payload))

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "TFRecordWriter":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _file_bytes(path: str, compression: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise errors.NotFoundError(None, None, f"{path}; {error.strerror}") from error
    try:
        if compression == "GZIP":
            return gzip.decompress(data)
        return zlib.decompress(data) if compression == "ZLIB" else data
    except (OSError, EOFError, zlib.error) as error:
        raise errors.DataLossError(None, None, f"{path}: not a {compression} file: {error}") \
            from error


def tf_record_iterator(path: str, options: Any = None) -> Iterator[bytes]:
    """The payloads of a TFRecord file in order, every CRC checked: DataLossError naming the
    file and the record's offset for a corrupt or truncated record."""
    data = _file_bytes(str(path), TFRecordOptions.get_compression_type_string(options))
    position = 0
    while position < len(data):
        header = data[position:position + 12]
        if len(header) < 12:
            raise _corrupt(path, position, "truncated record header")
        if struct.unpack("<I", header[8:])[0] != masked_crc32c(header[:8]):
            raise _corrupt(path, position, "corrupted record length (CRC mismatch)")
        (length,) = struct.unpack("<Q", header[:8])
        payload = data[position + 12:position + 12 + length]
        footer = data[position + 12 + length:position + 16 + length]
        if len(payload) < length or len(footer) < 4:
            raise _corrupt(path, position, "truncated record")
        if struct.unpack("<I", footer)[0] != masked_crc32c(payload):
            raise _corrupt(path, position, "corrupted record data (CRC mismatch)")
        yield payload
        position += 16 + length


def _corrupt(path: Any, position: int, what: str) -> errors.DataLossError:
    return errors.DataLossError(None, None, f"{path}: {what} at offset {position}")
