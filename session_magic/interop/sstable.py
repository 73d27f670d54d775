"""LevelDB's table format (an SSTable, as TF's checkpoint `.index` files are), read-only, and
the CRC-32C (Castagnoli) that LevelDB tables and TF's tensor bundles are checksummed with.

A table is data blocks of prefix-compressed key/value entries, an index block mapping each
data block's last key to its place, and a 48-byte footer ending in a magic number; every block
is followed by a compression byte and the masked CRC-32C of the block and that byte.
"""
from __future__ import annotations

import struct

import numpy as np

try:  # NOTE: an optional C implementation, used when installed; NumPy's lanes otherwise
    from google_crc32c import value as _native_crc32c
except ImportError:
    _native_crc32c = None

__all__ = ["TableError", "read_table", "crc32c", "masked_crc32c", "unmask_crc32c"]

_MAGIC = struct.pack("<Q", 0xdb4775248b80fb57)
_FOOTER_SIZE = 48
_TRAILER_SIZE = 5  # the compression byte and the masked CRC-32C
_UNCOMPRESSED, _SNAPPY = 0, 1


class TableError(ValueError):
    """Bytes that are not a readable LevelDB table (the message says what is wrong)."""


def read_table(data: bytes) -> list:
    """Every (key, value) of a table, in key order; TableError when it is damaged."""
    if len(data) < _FOOTER_SIZE or data[-8:] != _MAGIC:
        raise TableError("not an sstable (bad magic number)")
    footer = data[-_FOOTER_SIZE:]
    _, position = _block_handle(footer, 0)  # NOTE: the metaindex block: TF writes none we need
    index_handle, _ = _block_handle(footer, position)
    entries = []
    for _, handle in _block_entries(_block(data, index_handle)):
        entries += _block_entries(_block(data, _block_handle(handle, 0)[0]))
    return entries


def _block(data: bytes, handle: tuple) -> bytes:
    """The contents of the block at (offset, size), its checksum verified."""
    offset, size = handle
    end = offset + size
    if end + _TRAILER_SIZE > len(data) - _FOOTER_SIZE:
        raise TableError(f"block at {offset} of {size} bytes runs past the end of the table "
                         "(truncated)")
    compression = data[end]
    stored, = struct.unpack_from("<I", data, end + 1)
    if unmask_crc32c(stored) != crc32c(data[offset:end + 1]):
        raise TableError("block checksum mismatch")
    if compression == _SNAPPY:
        raise TableError("block is Snappy-compressed, which this reader does not decompress "
                         "(TF writes checkpoint indexes uncompressed)")
    if compression != _UNCOMPRESSED:
        raise TableError(f"block has unknown compression type {compression}")
    return data[offset:end]


def _block_entries(block: bytes) -> list:
    """A block's (key, value) pairs: each key shares a prefix with the one before it."""
    if len(block) < 4:
        raise TableError("block too short for its restart count")
    restarts, = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 * (restarts + 1)
    if end < 0:
        raise TableError("bad block contents: restart array larger than the block")
    entries, key, position = [], b"", 0
    while position < end:
        shared, position = _varint(block, position)
        unshared, position = _varint(block, position)
        value_size, position = _varint(block, position)
        value_start = position + unshared
        if shared > len(key) or value_start + value_size > end:
            raise TableError("bad entry in block")
        key = key[:shared] + block[position:value_start]
        position = value_start + value_size
        entries.append((key, block[value_start:position]))
    return entries


def _block_handle(data: bytes, position: int) -> tuple:
    offset, position = _varint(data, position)
    size, position = _varint(data, position)
    return (offset, size), position


def _varint(data: bytes, position: int) -> tuple:
    """The unsigned LEB128 integer at `position`, and the position after it."""
    value = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise TableError("bad varint (truncated)")
        byte = data[position]
        value |= (byte & 0x7F) << shift
        position, shift = position + 1, shift + 7
        if byte < 0x80:
            return value, position


# --- CRC-32C -------------------------------------------------------------------------------------

_MASK_DELTA = 0xa282ead8
_POLYNOMIAL = 0x82f63b78  # NOTE: Castagnoli's, bit-reversed (the CRC is reflected)


def _byte_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(_POLYNOMIAL), table >> 1)
    return table.astype(np.uint32)


_TABLE = _byte_table()
_TABLE_LIST = _TABLE.tolist()
_SMALL = 4096  # bytes below which a plain loop beats NumPy's set-up


def masked_crc32c(data: bytes) -> int:
    """The CRC as LevelDB and TF store it: rotated and offset, so a CRC of data holding CRCs
    is not degenerate."""
    crc = crc32c(data)
    return ((crc >> 15 | crc << 17) + _MASK_DELTA) & 0xFFFFFFFF


def unmask_crc32c(masked: int) -> int:
    rotated = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return (rotated >> 17 | rotated << 15) & 0xFFFFFFFF


def crc32c(data: bytes) -> int:
    """CRC-32C of `data` (0xE3069283 for b"123456789")."""
    if _native_crc32c is not None:
        return _native_crc32c(bytes(data))
    if len(data) < _SMALL:
        crc, table = 0xFFFFFFFF, _TABLE_LIST
        for byte in data:
            crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
        return crc ^ 0xFFFFFFFF
    return _crc32c_lanes(data)


def _crc32c_lanes(data: bytes) -> int:
    """CRC-32C over many equal chunks at once (one NumPy lane each), the chunks' CRCs then
    joined pairwise: a chunk's register is carried over the bytes after it by a linear map.

    NOTE: with the register starting at 0, zero bytes in front change nothing, so the data is
    front-padded to whole chunks; starting at 0xFFFFFFFF is the same as inverting the first four
    bytes (the CRC is reflected), which is done to the data instead.
    """
    lanes = 1 << min(14, (len(data) // 512).bit_length() - 1)
    width = -(-len(data) // lanes)
    padded = np.zeros(lanes * width, np.uint8)
    start = padded.size - len(data)
    padded[start:] = np.frombuffer(data, np.uint8)
    padded[start:start + 4] ^= 0xFF
    registers = np.zeros(lanes, np.uint32)
    for column in padded.reshape(lanes, width).T.copy():
        registers = (registers >> 8) ^ _TABLE[(registers ^ column) & 0xFF]
    carry = _zeros_map(width)
    while registers.size > 1:
        registers = _apply(carry, registers[0::2]) ^ registers[1::2]
        carry = _apply(carry, carry)  # NOTE: carrying over twice the bytes: the map squared
    return int(registers[0]) ^ 0xFFFFFFFF


def _zeros_map(count: int) -> np.ndarray:
    """The linear map on a register of feeding it `count` zero bytes, as the images of the
    32 one-bit registers."""
    images = np.uint32(1) << np.arange(32, dtype=np.uint32)
    for _ in range(count):
        images = (images >> 8) ^ _TABLE[images & 0xFF]
    return images


def _apply(images: np.ndarray, registers: np.ndarray) -> np.ndarray:
    """The linear map given by `images` applied to each register, a byte at a time."""
    result = np.zeros(registers.shape, np.uint32)
    for byte in range(4):
        table = np.zeros(256, np.uint32)
        for bit in range(8):
            table[1 << bit:2 << bit] = table[:1 << bit] ^ images[8 * byte + bit]
        result ^= table[(registers >> np.uint32(8 * byte)) & 0xFF]
    return result
