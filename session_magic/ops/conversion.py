"""Python and NumPy values to tensors: `convert_to_tensor`, and `to_array` with the checks TF
makes on a value.

Which ops a value becomes is not decided here: the op modules register a conversion for the
values they build (constant_ops: a Const for any plain value; array_ops: a Pack for a list that
holds tensors), as TF registers its conversion functions, so this module depends on no op.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

from .. import dtypes as _dtypes
from ..graph import Operation, Tensor
from ..tensor_shape import Dimension, TensorShape

__all__ = ["convert_to_tensor", "register_conversion", "to_array", "common_dtype",
           "holds_tensor"]

# (priority, order registered, types, function): tried lowest priority first
_CONVERSIONS: list = []


def register_conversion(types: Any, function: Callable, priority: int = 100) -> None:
    """Let `function(value, dtype, name, preferred_dtype)` convert values of `types`; it
    returns a Tensor, or NotImplemented to leave the value to the next conversion."""
    _CONVERSIONS.append((priority, len(_CONVERSIONS), types, function))
    _CONVERSIONS.sort(key=lambda entry: entry[:2])


def convert_to_tensor(value: Any, dtype: Any = None, name: Optional[str] = None,
                      preferred_dtype: Any = None) -> Tensor:
    """A Tensor for `value`: tensors pass through, Variables read, a known TensorShape is its
    list of dims, and anything else goes to the registered conversions (a Python or NumPy value
    becomes a Const, a list holding tensors is stacked)."""
    if isinstance(value, Tensor):
        return _check_tensor_dtype(value, dtype)
    to_tensor = getattr(value, "_to_tensor", None)
    if to_tensor is not None and not isinstance(value, type):
        return _check_tensor_dtype(to_tensor(), dtype)
    if isinstance(value, Operation):
        raise TypeError(f"can't convert Operation '{value.name}' to Tensor")
    if isinstance(value, (TensorShape, Dimension)):
        value = _shape_value(value)
    for _, _, types, function in _CONVERSIONS:
        if isinstance(value, types):
            tensor = function(value, dtype, name, preferred_dtype)
            if tensor is not NotImplemented:
                return tensor
    raise TypeError(f"Cannot convert {value!r} of type {type(value).__name__} to a Tensor.")


def _shape_value(value: Any) -> Any:
    """A fully known TensorShape is a list of ints (a Dimension one int), as TF converts them."""
    if isinstance(value, Dimension):
        if value.value is None:
            raise ValueError("Cannot convert an unknown Dimension to a Tensor: ?")
        return value.value
    if not value.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape to a Tensor: {value}")
    return value.as_list()


def _check_tensor_dtype(tensor: Tensor, dtype: Any) -> Tensor:
    if dtype is not None and _dtypes.as_dtype(dtype) is not tensor._dtype:
        raise ValueError(f"Tensor conversion requested dtype {_dtypes.as_dtype(dtype).name} for "
                         f"Tensor with dtype {tensor._dtype.name}: {tensor!r}")
    return tensor


def holds_tensor(value: Any) -> bool:
    """Does a (nested) list or tuple hold a tensor or a variable?"""
    for item in value:
        if isinstance(item, Tensor) or hasattr(item, "_to_tensor"):
            return True
        if isinstance(item, (list, tuple)) and holds_tensor(item):
            return True
    return False


def common_dtype(inputs: Sequence[Any]) -> Optional[_dtypes.DType]:
    """The dtype of the first tensor (or variable) among `inputs`, if any."""
    for value in inputs:
        if isinstance(value, Tensor):
            return value._dtype
        tensor_dtype = getattr(value, "dtype", None)
        if hasattr(value, "_to_tensor") and tensor_dtype is not None:
            return _dtypes.as_dtype(tensor_dtype)
    return None



def to_array(value: Any, dtype: Any = None) -> np.ndarray:
    """Convert a Python or NumPy value to an array of `dtype` with TF's compatibility checks."""
    if isinstance(value, Tensor) or hasattr(value, "_to_tensor"):
        raise TypeError(f"Expected a Python or NumPy value, got the symbolic {value!r}.")
    if value is None:  # NOTE: TF's ValueError; a None inside a list is its TypeError below
        raise ValueError("None values not supported.")
    target = _dtypes.infer_dtype(value) if dtype is None else _dtypes.as_dtype(dtype)
    if not isinstance(value, (np.ndarray, np.generic)):
        _check_python_value(value, target)
    if target is _dtypes.string:
        return _string_array(value)
    try:
        with np.errstate(all="ignore"):  # NOTE: TF makes 1e40 a float32 inf without a word
            return np.array(value, dtype=target.as_numpy_dtype)
    except ValueError as error:
        if "inhomogeneous" in str(error) or "sequence" in str(error):
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None
        raise


def _string_array(value: Any) -> np.ndarray:
    array = np.array(value, dtype=object)
    encode = np.vectorize(_as_bytes, otypes=[object])
    return encode(array) if array.size else array


def _as_bytes(item: Any) -> bytes:
    """One entry of a string tensor; anything but str or bytes is TF's TypeError (`bytes(1)`
    would silently be one zero byte)."""
    if isinstance(item, str):
        return item.encode()
    if isinstance(item, (bytes, bytearray)):
        return bytes(item)
    raise TypeError(f"Expected binary or unicode string, got {item!r}")


_PY_KINDS_ALLOWED = {"bool": (bool,), "int": (bool, int), "float": (bool, int, float),
                     "complex": (bool, int, float, complex), "string": (str, bytes)}


def _check_python_value(value: Any, dtype: _dtypes.DType) -> None:
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_python_value(item, dtype)
        return
    kind = ("bool" if dtype.is_bool else "string" if dtype is _dtypes.string else
            "complex" if dtype.is_complex else "float" if dtype.is_floating else "int")
    ok = isinstance(value, _PY_KINDS_ALLOWED[kind])  # NOTE: as TF, True converts to 1 and 1.0
    if isinstance(value, (np.generic, np.ndarray)):
        ok = True
    if ok and kind == "int" and not (dtype.min <= value <= dtype.max):
        raise TypeError(f"Expected {dtype.name}, got {value} of type 'int' instead: it does not "
                        f"fit in {dtype.name}.")
    if not ok:
        raise TypeError(f"Expected {dtype.name}, got {value!r} of type "
                        f"'{type(value).__name__}' instead.")
