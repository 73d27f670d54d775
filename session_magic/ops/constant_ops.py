"""Op blocks for graph leaves: Const, Placeholder, PlaceholderWithDefault, plus Identity and
StopGradient, the pass-through ops.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import dtypes as d
from .. import errors
from ..graph import Tensor
from ..tensor_shape import as_dims, dims_compatible
from .known import constant_value
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, make_constant, register

__all__ = ["constant", "placeholder", "placeholder_with_default", "identity", "stop_gradient"]


# --- Const ---------------------------------------------------------------------------------------

def _const_kernel(op: Any) -> Any:
    value = op._attrs["value"]
    return lambda: value


register("Const", lambda inputs, attrs: [(attrs["dtype"], attrs["value"].shape)], _const_kernel,
         grad=NOT_DIFFERENTIABLE, role="const", static_value=lambda t: t._op._attrs["value"])


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
