"""Op blocks for graph leaves: Const, Placeholder, PlaceholderWithDefault, plus Identity and
StopGradient, the pass-through ops.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Tensor
from ..tensor_shape import as_dims, dims_compatible, format_dims
from .conversion import register_conversion, to_array
from .known import constant_value
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, register

__all__ = ["constant", "placeholder", "placeholder_with_default", "identity", "stop_gradient"]


# --- Const ---------------------------------------------------------------------------------------

def _const_kernel(op: Any) -> Any:
    value = op._attrs["value"]
    return lambda: value


register("Const", lambda inputs, attrs: [(attrs["dtype"], attrs["value"].shape)], _const_kernel,
         grad=NOT_DIFFERENTIABLE, role="const", static_value=lambda t: t._op._attrs["value"])


def make_constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const",
                  verify_shape: bool = False) -> Tensor:
    """Build a Const op holding `value` (see `constant`)."""
    array = to_array(value, dtype)
    if shape is not None:
        array = _fit_to_shape(array, _constant_dims(shape), verify_shape)
    array.flags.writeable = False
    op = apply_op("Const", [], {"value": array, "dtype": d.as_dtype(array.dtype)}, name)
    return op._outputs[0]


def _constant_dims(shape: Any) -> tuple:
    """`constant`'s shape read as every shape is (`as_dims`), so 2.5 is ambiguous, not 2."""
    dims = as_dims(shape)
    if dims is None or None in dims:
        raise ValueError(f"A constant's shape must be fully defined, got {format_dims(dims)}")
    return dims


def _fit_to_shape(array: np.ndarray, shape: tuple, verify_shape: bool) -> np.ndarray:
    wanted = int(np.prod(shape))
    if array.shape == shape:
        return array
    if verify_shape:
        raise TypeError(f"Expected Tensor's shape: {shape}, got {array.shape}.")
    if array.size == 1:
        return np.full(shape, array.reshape(()), dtype=array.dtype)
    if array.size > wanted:
        raise ValueError(f"Too many elements provided. Needed at most {wanted}, but received "
                         f"{array.size}")
    if array.size == 0:  # NOTE: TF fills a shape from no values with zeros
        return np.zeros(shape, array.dtype)
    flat = array.reshape(-1)
    if array.size < wanted:  # NOTE: TF 1 fills the rest with the last element given.
        flat = np.concatenate([flat, np.repeat(flat[-1:], wanted - array.size)])
    return flat.reshape(shape)


def _constant_conversion(value: Any, dtype: Any, name: Optional[str],
                         preferred_dtype: Any) -> Tensor:
    """A plain Python or NumPy value becomes a Const: of `preferred_dtype` when it converts to
    that, else of `dtype` or its own."""
    if dtype is None and preferred_dtype is not None:
        try:
            return make_constant(value, d.as_dtype(preferred_dtype), name=name or "Const")
        except (TypeError, ValueError):
            pass
    return make_constant(value, dtype, name=name or "Const")


# NOTE: last in line: any value no other conversion took
register_conversion(object, _constant_conversion, priority=1000)


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const",
             verify_shape: bool = False) -> Tensor:
    """A tensor holding `value`, e.g. `constant([1, 2])` (int32) or `constant(1.0)` (float32).

    With `shape`, a scalar is broadcast and a shorter list is filled with its last element.
    """
    return make_constant(value, dtype, shape, name, verify_shape)


# --- Placeholder ---------------------------------------------------------------------------------

def _placeholder_message(op: Any) -> str:
    dtype = op._attrs["dtype"]
    dims = op._attrs["shape"]
    text = (f"You must feed a value for placeholder tensor '{op.name}' with dtype "
            f"{dtype._proto_name}")
    if dims:  # NOTE: TF omits the shape clause for unknown and scalar shapes.
        text += " and shape [" + ",".join("?" if x is None else str(x) for x in dims) + "]"
    return text


def _placeholder_kernel(op: Any) -> Any:
    def unfed() -> None:
        raise errors.InvalidArgumentError(None, op, _placeholder_message(op))
    return unfed


register("Placeholder", lambda inputs, attrs: [(attrs["dtype"], attrs["shape"])],
         _placeholder_kernel, grad=NOT_DIFFERENTIABLE, stateful=True, role="placeholder",
         stateless_in_tf=True)


def placeholder(dtype: Any, shape: Any = None, name: Optional[str] = None) -> Tensor:
    """A tensor whose value must be fed at run time; `shape=None` accepts any shape."""
    dtype = d.as_dtype(dtype)
    attrs = {"dtype": dtype, "shape": as_dims(shape)}
    return apply_op("Placeholder", [], attrs, name)._outputs[0]


def _with_default_infer(inputs: list, attrs: dict) -> list:
    wanted = attrs["shape"]
    if not dims_compatible(inputs[0]._dims, wanted):
        raise ShapeError("Shapes must be compatible: the default value does not fit the shape")
    return [(inputs[0]._dtype, wanted)]


# NOTE: as TF, the gradient reaches the default
register("PlaceholderWithDefault", _with_default_infer, lambda op: _identity,
         grad=lambda op, g: [g], role="placeholder")


def placeholder_with_default(input: Any, shape: Any, name: Optional[str] = None) -> Tensor:
    """A placeholder that evaluates to `input` when it is not fed."""
    return apply_op("PlaceholderWithDefault", [input], {"shape": as_dims(shape)}, name,
                    arg_names=("input",))._outputs[0]


# --- Identity and StopGradient -------------------------------------------------------------------

def _identity(x: Any) -> Any:
    return x


def _same_spec(inputs: list, attrs: dict) -> list:
    return [(inputs[0]._dtype, inputs[0]._dims)]


def _input_value(t: Tensor) -> Any:
    return constant_value(t._op._inputs[0])


register("Identity", _same_spec, lambda op: _identity, grad=lambda op, g: [g],
         passes_slices=True, pass_through=True, static_value=_input_value)
register("StopGradient", _same_spec, lambda op: _identity, grad=NOT_DIFFERENTIABLE,
         pass_through=True, static_value=_input_value)


def identity(input: Any, name: Optional[str] = None) -> Tensor:
    """A tensor with the same value as `input` (a new node, e.g. to name or to order reads)."""
    return apply_op("Identity", [input], name=name, arg_names=("input",))._outputs[0]


def stop_gradient(input: Any, name: Optional[str] = None) -> Tensor:
    """The value of `input`; gradients do not flow through it."""
    return apply_op("StopGradient", [input], name=name, arg_names=("input",))._outputs[0]
