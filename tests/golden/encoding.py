"""Values as JSON, both ways, and the comparison the golden tests make.

This module is imported by the recorder (in a side environment holding real TensorFlow) and by
the tests (with session_magic only), so it imports neither: only NumPy and the standard library.

An encoded value is a dict:
  {"kind": "array", "dtype": "float32", "shape": [2, 3], "data": [...]}   # NumPy arrays/scalars
  {"kind": "none"}                                                       # an Operation's fetch
  {"kind": "slices", "values": <array>, "indices": <array>, "dense_shape": <array or none>}
  {"kind": "list", "items": [...]}, {"kind": "dict", "items": {key: ...}}
  {"kind": "error", "class": "InvalidArgumentError"}                     # what was raised
Floats that JSON cannot hold are the strings "nan", "inf" and "-inf"; strings are UTF-8 text
when they decode, else {"b64": ...}.
"""
from __future__ import annotations

import base64
import math
from typing import Any, Optional

import numpy as np

__all__ = ["encode", "decode_array", "compare", "error_record"]


def encode(value: Any) -> dict:
    """The JSON form of what `Session.run` returned (either framework's values)."""
    if value is None:
        return {"kind": "none"}
    if _is_indexed_slices_value(value):
        dense_shape = getattr(value, "dense_shape", None)
        return {"kind": "slices", "values": encode(value.values),
                "indices": encode(value.indices), "dense_shape": encode(dense_shape)}
    if isinstance(value, dict):
        return {"kind": "dict", "items": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"kind": "list", "items": [encode(v) for v in value]}
    array = np.asarray(value)
    return {"kind": "array", "dtype": _dtype_name(array), "shape": list(array.shape),
            "data": _data(array)}


def error_record(error: BaseException) -> dict:
    """What a failure is compared by: its class name (TF's and ours share names)."""
    return {"kind": "error", "class": type(error).__name__}


def _is_indexed_slices_value(value: Any) -> bool:
    return all(hasattr(value, a) for a in ("values", "indices")) and \
        not isinstance(value, (np.ndarray, dict))


def _dtype_name(array: np.ndarray) -> str:
    if array.dtype.kind in "OSU":
        return "string"
    return array.dtype.name


def _data(array: np.ndarray) -> Any:
    if array.dtype.kind in "OSU":
        return _nested(array, _string)
    if array.dtype.kind == "c":
        return _nested(array, lambda z: [_float(z.real), _float(z.imag)])
    if array.dtype.kind == "f":
        return _nested(array, _float)
    if array.dtype.kind == "b":
        return _nested(array, bool)
    return _nested(array, int)


def _nested(array: np.ndarray, convert: Any) -> Any:
    if not isinstance(array, np.ndarray):  # NOTE: NumPy scalars and an object array's items
        return convert(array)
    if array.ndim == 0:
        return convert(array[()])
    return [_nested(item, convert) for item in array]


def _float(x: Any) -> Any:
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _string(item: Any) -> Any:
    if isinstance(item, str):
        item = item.encode()
    try:
        return bytes(item).decode()
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(bytes(item)).decode()}


def decode_array(record: dict) -> np.ndarray:
    """The NumPy array an "array" record describes (floats restored, strings as bytes)."""
    dtype = record["dtype"]
    if dtype == "string":
        flat = [_unstring(s) for s in _flatten(record["data"])]
        return np.array(flat, dtype=object).reshape(record["shape"])
    flat = _flatten(record["data"])
    if dtype.startswith("complex"):
        flat = [complex(_unfloat(re), _unfloat(im)) for re, im in _pairs(record["data"])]
    elif dtype.startswith(("float", "bfloat")):
        flat = [_unfloat(x) for x in flat]
    numpy_dtype = np.float32 if dtype == "bfloat16" else dtype
    return np.array(flat, dtype=numpy_dtype).reshape(record["shape"])


def _flatten(data: Any) -> list:
    if isinstance(data, list):
        return [x for item in data for x in _flatten(item)]
    return [data]


def _pairs(data: Any) -> list:
    if isinstance(data, list) and len(data) == 2 and not isinstance(data[0], list):
        return [data]
    return [p for item in data for p in _pairs(item)]


def _unfloat(x: Any) -> float:
    return float(x)  # NOTE: float("nan"), float("inf"), float("-inf") read the markers


def _unstring(item: Any) -> bytes:
    if isinstance(item, dict):
        return base64.b64decode(item["b64"])
    return item.encode()


def compare(actual: dict, expected: dict, rtol: float = 1e-5, atol: float = 1e-6,
            where: str = "") -> Optional[str]:
    """None when two encoded values agree (same kind, dtype, shape; values within tolerance,
    NaN where NaN, infinities equal), else one line saying where and how they differ."""
    if actual["kind"] != expected["kind"]:
        return f"{where}: got {_describe(actual)}, TF gave {_describe(expected)}"
    kind = actual["kind"]
    if kind == "none":
        return None
    if kind == "error":
        if actual["class"] != expected["class"]:
            return f"{where}: raised {actual['class']}, TF raised {expected['class']}"
        return None
    if kind == "list":
        if len(actual["items"]) != len(expected["items"]):
            return f"{where}: {len(actual['items'])} items, TF gave {len(expected['items'])}"
        for i, (a, e) in enumerate(zip(actual["items"], expected["items"], strict=True)):
            found = compare(a, e, rtol, atol, f"{where}[{i}]")
            if found:
                return found
        return None
    if kind == "dict":
        if set(actual["items"]) != set(expected["items"]):
            return f"{where}: keys {sorted(actual['items'])}, TF gave {sorted(expected['items'])}"
        for key in expected["items"]:
            found = compare(actual["items"][key], expected["items"][key], rtol, atol,
                            f"{where}[{key!r}]")
            if found:
                return found
        return None
    if kind == "slices":
        for part in ("values", "indices", "dense_shape"):
            found = compare(actual[part], expected[part], rtol, atol, f"{where}.{part}")
            if found:
                return found
        return None
    return _compare_arrays(actual, expected, rtol, atol, where)


def _compare_arrays(actual: dict, expected: dict, rtol: float, atol: float,
                    where: str) -> Optional[str]:
    if actual["dtype"] != expected["dtype"]:
        return f"{where}: dtype {actual['dtype']}, TF gave {expected['dtype']}"
    if actual["shape"] != expected["shape"]:
        return f"{where}: shape {actual['shape']}, TF gave {expected['shape']}"
    a, e = decode_array(actual), decode_array(expected)
    if a.dtype.kind in "fc":
        if a.dtype == np.float16:  # NOTE: compare half precision at its own resolution
            rtol, atol = max(rtol, 1e-3), max(atol, 1e-3)
        same = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        if a.dtype.kind == "c":  # NOTE: C99's complex infinity: any infinite part, any other
            same |= _infinite(a) & _infinite(e)  # (docs/differences.md, complex-special-values)
        if not same.all():
            index = tuple(int(i) for i in np.argwhere(~same)[0])
            return f"{where}: at {list(index)} got {a[index]!r}, TF gave {e[index]!r}"
        return None
    if not np.array_equal(a, e):
        differ = np.argwhere(a != e) if a.ndim else [()]
        index = tuple(int(i) for i in differ[0])
        return f"{where}: at {list(index)} got {a[index]!r}, TF gave {e[index]!r}"
    return None


def _infinite(z: np.ndarray) -> np.ndarray:
    return np.isinf(z.real) | np.isinf(z.imag)


def _describe(record: dict) -> str:
    if record["kind"] == "error":
        return f"error {record['class']}"
    if record["kind"] == "array":
        return f"{record['dtype']}{record['shape']}"
    return record["kind"]
