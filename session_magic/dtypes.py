"""DType objects and TF1's conversion rules for Python and NumPy values.

Imports NumPy only. Every other module asks this one what dtype a value has.
"""
from __future__ import annotations

import builtins
from typing import Any, Final

import numpy as np

__all__ = [
    "DType", "as_dtype", "infer_dtype", "float16", "half", "float32", "float64", "double",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool",
    "string", "complex64", "complex128", "variant",
]


_PyBool = builtins.bool


class DType:
    """A tensor element type, compared by identity with TF's spellings accepted."""

    __slots__ = ("name", "as_numpy_dtype", "_proto_name")

    def __init__(self, name: str, numpy_dtype: Any, proto_name: str) -> None:
        self.name = name
        self.as_numpy_dtype = np.dtype(numpy_dtype).type if numpy_dtype is not object else object
        self._proto_name = proto_name

    @property
    def numpy_dtype(self) -> np.dtype:
        return np.dtype(self.as_numpy_dtype)

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def real_dtype(self) -> DType:
        return {complex64: float32, complex128: float64}.get(self, self)

    @property
    def is_floating(self) -> bool:
        return self.name.startswith("float")

    @property
    def is_integer(self) -> bool:
        return self.name.startswith(("int", "uint"))

    @property
    def is_unsigned(self) -> bool:
        return self.name.startswith("uint") or self.name == "bool"

    @property
    def is_complex(self) -> bool:
        return self.name.startswith("complex")

    @property
    def is_bool(self) -> bool:
        return self.name == "bool"

    @property
    def is_numeric(self) -> bool:
        return self.is_floating or self.is_integer or self.is_complex

    @property
    def size(self) -> int:
        return 0 if self.as_numpy_dtype is object else self.numpy_dtype.itemsize

    @property
    def min(self) -> Any:
        return self._limits().min

    @property
    def max(self) -> Any:
        return self._limits().max

    def _limits(self) -> Any:
        if self.is_floating:
            return np.finfo(self.numpy_dtype)
        if self.is_integer:
            return np.iinfo(self.numpy_dtype)
        raise TypeError(f"Cannot find minimum/maximum value of {self!r}.")

    def is_compatible_with(self, other: Any) -> bool:
        return self == as_dtype(other)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DType):
            return self is other
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"

    def __reduce__(self) -> tuple:
        return as_dtype, (self.name,)


float16 = half = DType("float16", np.float16, "half")
float32 = DType("float32", np.float32, "float")
float64 = double = DType("float64", np.float64, "double")
int8 = DType("int8", np.int8, "int8")
int16 = DType("int16", np.int16, "int16")
int32 = DType("int32", np.int32, "int32")
int64 = DType("int64", np.int64, "int64")
uint8 = DType("uint8", np.uint8, "uint8")
uint16 = DType("uint16", np.uint16, "uint16")
uint32 = DType("uint32", np.uint32, "uint32")
uint64 = DType("uint64", np.uint64, "uint64")
bool = DType("bool", np.bool_, "bool")  # noqa: A001 - TF's public name
string = DType("string", object, "string")
complex64 = DType("complex64", np.complex64, "complex64")
complex128 = DType("complex128", np.complex128, "complex128")
variant = DType("variant", object, "variant")

ALL_DTYPES: Final = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16,
                     uint32, uint64, bool, string, complex64, complex128)
_BY_NAME: Final = {d.name: d for d in ALL_DTYPES} | {"half": float16, "double": float64,
                                                      "float": float32, "variant": variant}
_BY_NUMPY: Final = {np.dtype(d.as_numpy_dtype): d for d in ALL_DTYPES if d is not string}
_BY_PYTHON_TYPE: Final = {float: float32, int: int32, _PyBool: bool,
                          complex: complex128, str: string, bytes: string}


def as_dtype(value: Any) -> DType:
    """Convert a DType, NumPy dtype or type, TF/NumPy name, or Python type into a DType."""
    if isinstance(value, DType):
        return value
    if value is None:  # NOTE: np.dtype(None) is float64; TF refuses a missing dtype
        raise TypeError("Cannot convert value None to a TensorFlow DType.")
    if isinstance(value, str):
        found = _BY_NAME.get(value)
        if found is not None:
            return found
    elif isinstance(value, type) and value in _BY_PYTHON_TYPE:
        return _BY_PYTHON_TYPE[value]
    try:
        numpy_dtype = np.dtype(value)
    except TypeError:
        numpy_dtype = None
    if numpy_dtype is not None:
        if numpy_dtype.kind in "OSU":
            return string
        if numpy_dtype in _BY_NUMPY:
            return _BY_NUMPY[numpy_dtype]
    raise TypeError(f"Cannot convert value {value!r} to a TensorFlow DType.")


_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def infer_dtype(value: Any) -> DType:
    """The dtype TF1 gives a Python or NumPy value with no dtype requested.

    Python ints are int32 (int64 when one does not fit), floats float32, NumPy arrays and
    scalars keep their own dtype; nested lists take the widest kind of their elements.
    """
    if isinstance(value, (np.ndarray, np.generic)):
        return as_dtype(value.dtype)
    kind = _python_kind(value)
    if kind is int:
        return int32 if _ints_fit_int32(value) else int64
    return _BY_PYTHON_TYPE[kind]


def _python_kind(value: Any) -> type:
    if isinstance(value, (list, tuple)):
        kinds = {_python_kind(item) for item in value}
        for kind in (str, complex, float, int, _PyBool):
            if kind in kinds:
                if kind is str and len(kinds) > 1:
                    raise TypeError(f"Can't convert a mixed list of strings and numbers: {value!r}")
                return kind
        return float  # an empty list: TF makes float32
    if isinstance(value, (np.ndarray, np.generic)):
        return {"b": _PyBool, "i": int, "u": int, "f": float,
                "c": complex}.get(value.dtype.kind, str)
    for kind in (_PyBool, int, float, complex, str, bytes):
        if isinstance(value, kind):
            return str if kind is bytes else kind
    raise TypeError(f"Can't convert {type(value).__name__} {value!r} to a Tensor.")


def _ints_fit_int32(value: Any) -> _PyBool:
    if isinstance(value, (list, tuple)):
        return all(_ints_fit_int32(item) for item in value)
    if isinstance(value, int) and not isinstance(value, _PyBool):
        return _INT32_MIN <= value <= _INT32_MAX
    return True
