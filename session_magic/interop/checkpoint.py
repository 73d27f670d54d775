"""TF's tensor-bundle checkpoints (what `tf.train.Saver` writes since TF 1.0), read without TF.

`<prefix>.index` is a LevelDB table (sstable.py) mapping each tensor's name to a
BundleEntryProto (dtype, shape, shard, offset, size, masked CRC-32C) and the empty name to a
BundleHeaderProto; the tensors are raw little-endian bytes in `<prefix>.data-<shard>-of-<n>`.
`NewCheckpointReader` reads those and this project's own checkpoints (saver.py) alike.
"""
from __future__ import annotations

import os
import struct
from typing import Any

import numpy as np

from .. import dtypes as d
from .. import errors
from ..proto import BundleEntryProto, BundleHeaderProto, DecodeError
from ..saver import _CheckpointReader
from .sstable import _MAGIC, TableError, _varint, crc32c, read_table, unmask_crc32c

__all__ = ["BundleReader", "NewCheckpointReader", "is_tensor_bundle"]

# NOTE: types.proto's DataType numbers of the types with a NumPy layout
_DTYPES = {1: d.float32, 2: d.float64, 3: d.int32, 4: d.uint8, 5: d.int16, 6: d.int8,
           7: d.string, 8: d.complex64, 9: d.int64, 10: d.bool, 17: d.uint16, 18: d.complex128,
           19: d.float16, 22: d.uint32, 23: d.uint64}
_DT_STRING = 7
_TF_NAMES = {1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16",
             6: "DT_INT8", 7: "DT_STRING", 8: "DT_COMPLEX64", 9: "DT_INT64", 10: "DT_BOOL",
             14: "DT_BFLOAT16", 17: "DT_UINT16", 18: "DT_COMPLEX128", 19: "DT_HALF",
             20: "DT_RESOURCE", 21: "DT_VARIANT", 22: "DT_UINT32", 23: "DT_UINT64"}


def is_tensor_bundle(prefix: str) -> bool:
    """Is `<prefix>.index` a LevelDB table (TF's format) rather than this project's JSON?"""
    try:
        with open(prefix + ".index", "rb") as stream:
            stream.seek(0, os.SEEK_END)
            if stream.tell() < len(_MAGIC):
                return False
            stream.seek(-len(_MAGIC), os.SEEK_END)
            return stream.read() == _MAGIC
    except OSError:
        return False


class BundleReader:
    """The tensors of one TF checkpoint: its index read once, each tensor read from its data
    file on demand and checked against its CRC-32C. TF's CheckpointReader API."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._index_path = prefix + ".index"
        self.header, self._entries = self._read_index()

    def _read_index(self) -> tuple:
        try:
            with open(self._index_path, "rb") as stream:
                table = read_table(stream.read())
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, "Unsuccessful TensorSliceReader constructor: "
                                       f"Failed to find any matching files for {self.prefix}"
                                       ) from None
        except (TableError, DecodeError) as error:
            self._index_lost(str(error))
        if not table or table[0][0] != b"":
            self._index_lost("no header entry")
        try:
            header = BundleHeaderProto.FromString(table[0][1])
            entries = {key.decode(): BundleEntryProto.FromString(value)
                       for key, value in table[1:]}
        except (DecodeError, UnicodeDecodeError) as error:
            self._index_lost(f"an entry is not a valid protocol buffer: {error}")
        return header, entries

    def _index_lost(self, reason: str) -> None:
        raise errors.DataLossError(None, None, f"Unable to read file ({self._index_path}). "
                                   "Perhaps the file is corrupt or was produced by a newer "
                                   f"version of TensorFlow with format changes ({reason})")

    # --- TF's CheckpointReader ---

    def get_variable_to_shape_map(self) -> dict:
        return {name: [dim.size for dim in entry.shape.dim]
                for name, entry in self._entries.items()}

    def get_variable_to_dtype_map(self) -> dict:
        return {name: self._dtype(name, entry) for name, entry in self._entries.items()}

    def has_tensor(self, tensor_str: str) -> bool:
        return tensor_str in self._entries

    def debug_string(self) -> bytes:
        """One line per tensor: `name (DT_FLOAT) [3,4]`, as TF's reader prints them."""
        return "".join(
            f"{name} ({_TF_NAMES.get(entry.dtype, entry.dtype)}) "
            f"[{','.join(str(dim.size) for dim in entry.shape.dim)}]\n"
            for name, entry in self._entries.items()).encode()

    def get_tensor(self, tensor_str: str) -> np.ndarray:
        entry = self._entry(tensor_str)
        if entry.slices:
            raise errors.UnimplementedError(
                None, None, f"{tensor_str} in {self.prefix} was saved in slices (a partitioned "
                "variable), which this reader does not reassemble")
        data = self._read_bytes(tensor_str, entry)
        shape = [dim.size for dim in entry.shape.dim]
        if entry.dtype == _DT_STRING:
            try:
                items, checksummed = _strings(data, int(np.prod(shape, dtype=np.int64)))
            except TableError as error:
                self._data_lost(self._data_path(entry), f"{tensor_str}: {error}")
            self._check(tensor_str, entry, checksummed)
            return items.reshape(shape)
        self._check(tensor_str, entry, data)
        dtype = np.dtype(self._dtype(tensor_str, entry).as_numpy_dtype)
        if self.header.endianness == BundleHeaderProto.BIG:
            dtype = dtype.newbyteorder(">")
        return np.frombuffer(data, dtype).astype(dtype.newbyteorder("=")).reshape(shape)

    # --- what Saver.restore asks of a reader (as of saver.py's own) ---

    @property
    def entries(self) -> dict:
        return {"variables": {name: {"dtype": _dtype_name(entry.dtype),
                                     "shape": [dim.size for dim in entry.shape.dim]}
                              for name, entry in self._entries.items()}}

    def value(self, name: str) -> np.ndarray:
        return self.get_tensor(name)

    def values(self, names: list) -> dict:
        for name in names:
            self._entry(name)
        return {name: self.get_tensor(name) for name in names}

    # --- reading one tensor ---

    def _entry(self, name: str) -> Any:
        entry = self._entries.get(name)
        if entry is None:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return entry

    def _dtype(self, name: str, entry: Any) -> d.DType:
        if entry.dtype not in _DTYPES:
            raise errors.UnimplementedError(
                None, None, f"{name} in {self.prefix} has dtype "
                f"{_TF_NAMES.get(entry.dtype, entry.dtype)}, which session_magic cannot hold")
        return _DTYPES[entry.dtype]

    def _data_path(self, entry: Any) -> str:
        return f"{self.prefix}.data-{entry.shard_id:05d}-of-{self.header.num_shards:05d}"

    def _read_bytes(self, name: str, entry: Any) -> bytes:
        path = self._data_path(entry)
        try:
            with open(path, "rb") as stream:
                stream.seek(entry.offset)
                data = stream.read(entry.size)
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, f"{path} (the data of {self.prefix}) is "
                                       "missing: No such file or directory") from None
        if len(data) != entry.size:
            self._data_lost(path, f"{name} needs {entry.size} bytes at offset {entry.offset} but "
                            f"the file ends after {len(data)} of them (truncated)")
        return data

    def _check(self, name: str, entry: Any, checksummed: bytes) -> None:
        calculated, stored = crc32c(checksummed), unmask_crc32c(entry.crc32c)
        if calculated != stored:
            self._data_lost(self._data_path(entry), f"Checksum does not match for {name}: "
                            f"stored {stored} vs. calculated on the restored bytes {calculated}")

    def _data_lost(self, path: str, reason: str) -> None:
        raise errors.DataLossError(None, None, f"Unable to read checkpoint data file {path}: "
                                   f"{reason}.")


def _dtype_name(number: int) -> str:
    return _DTYPES[number].name if number in _DTYPES else _TF_NAMES.get(number, str(number))


def _strings(data: bytes, count: int) -> tuple:
    """A string tensor's items and the bytes its CRC covers. TF's layout: each length as a
    varint, a 4-byte checksum of the lengths, then the bytes.

    NOTE: TF's CRC covers each length as 4 little-endian bytes (8 past 4 GiB), not the varints.
    """
    lengths, position = [], 0
    for _ in range(count):
        length, position = _varint(data, position)
        lengths.append(length)
    if position + 4 + sum(lengths) != len(data):
        raise TableError(f"string lengths add up to {position + 4 + sum(lengths)} bytes but the "
                         f"entry holds {len(data)}")
    packed = b"".join(struct.pack("<I" if n <= 0xFFFFFFFF else "<Q", n) for n in lengths)
    items, position = [], position + 4
    for length in lengths:
        items.append(data[position:position + length])
        position += length
    array = np.empty(count, dtype=object)
    array[:] = items  # NOTE: bytes objects kept whole (NumPy's fixed-width bytes strip b"\0")
    return array, packed + data[position - sum(lengths) - 4:]


class _NativeReader:
    """TF's CheckpointReader API over this project's own checkpoint format (saver.py)."""

    def __init__(self, prefix: str) -> None:
        self._reader = _CheckpointReader(prefix)
        self._variables = self._reader.entries["variables"]

    def get_variable_to_shape_map(self) -> dict:
        return {name: list(entry["shape"]) for name, entry in self._variables.items()}

    def get_variable_to_dtype_map(self) -> dict:
        return {name: d.as_dtype(entry["dtype"]) for name, entry in self._variables.items()}

    def has_tensor(self, tensor_str: str) -> bool:
        return tensor_str in self._variables

    def get_tensor(self, tensor_str: str) -> np.ndarray:
        return self._reader.value(tensor_str)

    def debug_string(self) -> bytes:
        return "".join(f"{name} ({entry['dtype']}) [{','.join(map(str, entry['shape']))}]\n"
                       for name, entry in sorted(self._variables.items())).encode()


def NewCheckpointReader(filepattern: Any) -> Any:  # noqa: N802 - TF's name
    """A reader of the checkpoint at prefix `filepattern`, TF's format or this project's."""
    prefix = os.fsdecode(os.fspath(filepattern))
    return BundleReader(prefix) if is_tensor_bundle(prefix) else _NativeReader(prefix)
