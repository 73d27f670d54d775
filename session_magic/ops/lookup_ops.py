"""Op blocks for TF1's lookup tables: HashTableV2 (the table), its initializers, Find and Size.

A table's contents are session state, like a variable's value: the session's store maps the
HashTableV2 op to a dict of keys (bytes or Python numbers) to values. Initializers write the dict
to the run's pending state, so a failed run initializes nothing and two sessions are independent.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Operation, Tensor
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, register

__all__ = ["table_op", "WHOLE_LINE", "LINE_NUMBER", "hash_table_v2", "initialize_table_v2",
           "lookup_table_find_v2"]

# NOTE: TF's TextFileIndex values for key_index / value_index
WHOLE_LINE, LINE_NUMBER = -2, -1

_STATE = dict(grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True, ref_inputs=(0,))
_WRITES = dict(_STATE, writes_state=True)


class TableHandle(NamedTuple):
    """What fetching a table gives: its name (its contents stay in the session)."""

    name: str

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        handle = np.empty((), dtype=object)
        handle[()] = self
        return handle


def _table_kernel(op: Operation) -> Callable:
    handle = TableHandle(op.name)
    return lambda: handle


register("HashTableV2", lambda inputs, attrs: [(d.variant, ())], _table_kernel,
         grad=NOT_DIFFERENTIABLE, stateful=True)


def table_op(t: Any) -> Operation:
    """The HashTableV2 op whose output `t` is; TypeError for anything else."""
    if getattr(getattr(t, "_op", None), "_type", None) != "HashTableV2":
        raise TypeError(f"expected a lookup table (a HashTableV2 op's output), got {t!r}")
    return t._op


def _plain(value: Any) -> Any:
    """A key or value as a hashable Python object: bytes for strings, else a number."""
    if isinstance(value, str):
        return value.encode()
    return value.item() if isinstance(value, np.generic) else value


def _contents(op: Operation, pairs: Any) -> dict:
    """A table's dict from (key, value) pairs; a key given two values is refused, as TF."""
    contents: dict = {}
    for key, value in pairs:
        if contents.setdefault(key, value) != value:
            shown = key.decode() if isinstance(key, bytes) else key
            raise errors.FailedPreconditionError(
                None, op, f"HashTable has different value for same key. Key {shown} has "
                f"{contents[key]} and trying to add value {value}")
    return contents


def _write_contents(ctx: Any, op: Operation, table: Operation, contents: dict,
                    entries: int) -> None:
    """Fill `table` with `contents`, made of `entries` key-value pairs (before duplicates)."""
    if ctx.is_initialized(table):
        # NOTE: TF compares only sizes: a second initialization with as many entries keeps the
        # first contents silently, one with another number is refused
        if len(ctx.read(table)) != entries:
            raise errors.FailedPreconditionError(
                None, op, "Table was already initialized with different data.")
        return
    ctx.write(table, contents)


def _import_infer(inputs: list, attrs: dict) -> list:
    table, keys, values = table_op(inputs[0]), inputs[1], inputs[2]
    if keys._dtype != table._attrs["key_dtype"] or values._dtype != table._attrs["value_dtype"]:
        raise TypeError(f"table {table.name} maps {table._attrs['key_dtype'].name} to "
                        f"{table._attrs['value_dtype'].name}, got keys of {keys._dtype.name} "
                        f"and values of {values._dtype.name}")
    if keys._dims is not None and values._dims is not None and keys._dims != values._dims:
        raise ShapeError("keys and values must have the same shape")
    return []


def _import_kernel(op: Operation) -> Callable:
    table = op._inputs[0]._op

    def import_values(ctx: Any, keys: Any, values: Any) -> None:
        keys, values = np.asarray(keys), np.asarray(values)
        if keys.shape != values.shape:
            raise errors.InvalidArgumentError(
                None, op, f"Expected shape {list(keys.shape)} for value, got "
                f"{list(values.shape)}")
        contents = _contents(op, ((_plain(k), _plain(v)) for k, v in zip(
            keys.ravel(), values.ravel(), strict=True)))
        _write_contents(ctx, op, table, contents, keys.size)
    return import_values


register("LookupTableImportV2", _import_infer, _import_kernel, **_WRITES)
register("InitializeTableV2", _import_infer, _import_kernel, **_WRITES)


def _text_file_infer(inputs: list, attrs: dict) -> list:
    table_op(inputs[0])
    if inputs[1]._dtype != d.string:
        raise TypeError(f"a vocabulary file name must be a string, got {inputs[1]._dtype.name}")
    return []


def _read_lines(op: Operation, filename: str, vocab_size: int) -> list:
    try:
        with open(filename, encoding="utf-8") as file:
            lines = file.read().splitlines()
    except OSError:
        raise errors.NotFoundError(None, op, f"{filename}; No such file or directory") from None
    if vocab_size < 0:
        return lines
    if len(lines) < vocab_size:
        raise errors.InvalidArgumentError(
            None, op, f"Invalid vocab_size in {filename}: expected {vocab_size} but got "
            f"{len(lines)}")
    return lines[:vocab_size]


def _column(op: Operation, line: str, number: int, index: int, delimiter: str,
            dtype: d.DType) -> Any:
    """One key or value of a vocabulary line, as TF's TextFileIndex `index` picks it."""
    if index == LINE_NUMBER:
        return number
    text = line if index == WHOLE_LINE else _field(op, line, index, delimiter)
    if dtype == d.string:
        return text.encode()
    try:
        return int(text) if dtype.is_integer else float(text)
    except ValueError:
        raise errors.InvalidArgumentError(
            None, op, f"Field {text} in line {number} is not a valid {dtype.name}.") from None


def _field(op: Operation, line: str, index: int, delimiter: str) -> str:
    fields = line.split(delimiter)
    if index >= len(fields):
        raise errors.InvalidArgumentError(
            None, op, f"Invalid number of columns in line '{line}' (expected at least "
            f"{index + 1}, got {len(fields)})")
    return fields[index]


def _entry(op: Operation, line: str, number: int, attrs: dict, key_dtype: d.DType,
           value_dtype: d.DType) -> tuple:
    """The (key, value) pair line `number` of a vocabulary file gives."""
    key = _column(op, line, number, attrs["key_index"], attrs["delimiter"], key_dtype)
    value = _column(op, line, number, attrs["value_index"], attrs["delimiter"], value_dtype)
    if attrs["value_index"] == LINE_NUMBER:
        value += attrs["offset"]  # NOTE: TF's value_index_offset shifts line numbers
    return key, value


def _text_file_kernel(op: Operation) -> Callable:
    table, attrs = op._inputs[0]._op, op._attrs
    key_dtype, value_dtype = table._attrs["key_dtype"], table._attrs["value_dtype"]

    def initialize(ctx: Any, filename: Any) -> None:
        name = np.asarray(filename, object).item()
        name = name.decode() if isinstance(name, bytes) else str(name)
        lines = _read_lines(op, name, attrs["vocab_size"])
        contents = _contents(op, (_entry(op, line, number, attrs, key_dtype, value_dtype)
                                  for number, line in enumerate(lines)))
        _write_contents(ctx, op, table, contents, len(lines))
    return initialize


register("InitializeTableFromTextFileV2", _text_file_infer, _text_file_kernel, **_WRITES)


def _find_infer(inputs: list, attrs: dict) -> list:
    table, keys, default = table_op(inputs[0]), inputs[1], inputs[2]
    key_dtype, value_dtype = table._attrs["key_dtype"], table._attrs["value_dtype"]
    if keys._dtype != key_dtype:
        raise TypeError(f"Signature mismatch. Keys must be dtype {key_dtype!r}, got "
                        f"{keys._dtype!r}.")
    if default._dtype != value_dtype:
        raise TypeError(f"default_value must be {value_dtype!r}, got {default._dtype!r}")
    if default._dims is not None and default._dims != ():
        raise ShapeError("default_value must be a scalar")
    return [(value_dtype, keys._dims)]


def _not_initialized(op: Operation) -> errors.OpError:
    return errors.FailedPreconditionError(None, op, "Table not initialized.")


def _find_kernel(op: Operation) -> Callable:
    table = op._inputs[0]._op
    numpy_dtype = table._attrs["value_dtype"].as_numpy_dtype

    def find(ctx: Any, keys: Any, default: Any) -> np.ndarray:
        if not ctx.is_initialized(table):
            raise _not_initialized(op)
        contents, default = ctx.read(table), _plain(np.asarray(default))
        keys = np.asarray(keys)
        found = [contents.get(_plain(key), default) for key in keys.ravel()]
        result = np.empty(len(found), dtype=numpy_dtype)
        result[:] = found
        return result.reshape(keys.shape)
    return find


register("LookupTableFindV2", _find_infer, _find_kernel, **_STATE)


def _size_infer(inputs: list, attrs: dict) -> list:
    table_op(inputs[0])
    return [(d.int64, ())]


def _size_kernel(op: Operation) -> Callable:
    table = op._inputs[0]._op

    def size(ctx: Any) -> np.ndarray:
        # NOTE: as TF: an uninitialized table has size 0 (only lookups refuse it)
        return np.int64(len(ctx.read(table)) if ctx.is_initialized(table) else 0)
    return size


register("LookupTableSizeV2", _size_infer, _size_kernel, **_STATE)


# --- raw builders (TF's gen_lookup_ops names), for programs that build the ops directly ---------

def hash_table_v2(key_dtype: Any, value_dtype: Any, container: str = "", shared_name: str = "",
                  use_node_name_sharing: bool = False, name: Optional[str] = None) -> Tensor:
    """A new, uninitialized table's handle."""
    attrs = {"key_dtype": d.as_dtype(key_dtype), "value_dtype": d.as_dtype(value_dtype),
             "shared_name": shared_name, "container": container,
             "use_node_name_sharing": use_node_name_sharing}
    return apply_op("HashTableV2", [], attrs, name=name).outputs[0]


def initialize_table_v2(table_handle: Tensor, keys: Any, values: Any,
                        name: Optional[str] = None) -> Operation:
    """An op filling the table with `keys[i] -> values[i]` (once; again only with the same)."""
    return apply_op("InitializeTableV2", [table_handle, keys, values], name=name,
                    arg_names=("table_handle", "keys", "values"))


def lookup_table_find_v2(table_handle: Tensor, keys: Any, default_value: Any,
                         name: Optional[str] = None) -> Tensor:
    """The values of `keys`, `default_value` for keys the table lacks."""
    return apply_op("LookupTableFindV2", [table_handle, keys, default_value], name=name,
                    arg_names=("table_handle", "keys", "default_value")).outputs[0]
