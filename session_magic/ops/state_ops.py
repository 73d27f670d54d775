"""Op blocks for variable state: VariableV2, Assign, AssignAdd, AssignSub, IsVariableInitialized.

Values live in the session, not the graph. A VariableV2 output is read where it is used (so a
read ordered after an assign by control dependencies sees the new value); assigns write to the
run's pending state, which the session commits only when the whole run succeeds.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Tensor
from ..tensor_shape import dims_compatible, format_dims, merge_dims
from .common import NUMERIC, bool_arg, check_dtype
from .registry import NOT_DIFFERENTIABLE, apply_op, register

__all__ = ["assign", "assign_add", "assign_sub", "is_variable_initialized", "scatter_update",
           "scatter_add", "scatter_sub", "scatter_mul", "scatter_max", "scatter_min"]


def _variable_kernel(op: Any) -> Any:
    return lambda ctx: ctx.read(op)


register("VariableV2", lambda inputs, attrs: [(attrs["dtype"], attrs["shape"])],
         _variable_kernel, grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True,
         role="variable")


def _variable_op(ref: Tensor, what: str) -> Any:
    op = ref._op
    if op._type != "VariableV2":
        raise TypeError(f"{what} needs a variable as its first argument, got {ref!r}")
    return op


def _assign_infer(inputs: list, attrs: dict) -> list:
    ref, value = inputs
    variable = _variable_op(ref, "Assign")
    if value._dtype is not ref._dtype:
        raise TypeError(f"Input 'value' of 'Assign' Op has type {value._dtype.name} that does "
                        f"not match type {ref._dtype.name} of argument 'ref'.")
    if not attrs["validate_shape"]:
        return [(ref._dtype, value._dims)]
    if not dims_compatible(ref._dims, value._dims):
        raise ValueError(f"Shapes {format_dims(ref._dims)} and {format_dims(value._dims)} are "
                         f"incompatible (assigning to variable {variable.name!r})")
    return [(ref._dtype, ref._dims)]


def _stored(value: Any, variable: Any, validate_shape: bool) -> np.ndarray:
    # NOTE: a kernel's fresh result is kept as is; anything borrowed (a feed, a constant, a
    # stored value, a view of one) is copied, so the store owns every array it holds.
    fresh = type(value) is np.ndarray and value.flags.owndata and value.flags.writeable
    array = value if fresh else np.array(value, copy=True)
    wanted = variable._attrs["shape"]
    if validate_shape and wanted is not None and array.shape != tuple(wanted):
        raise errors.InvalidArgumentError(
            None, None, "Assign requires shapes of both tensors to match. lhs shape= "
            f"{list(wanted)} rhs shape= {list(array.shape)}")
    array.flags.writeable = False
    return array


def _assign_kernel(op: Any) -> Any:
    variable = op._inputs[0]._op
    validate = op._attrs["validate_shape"]

    def assign(ctx: Any, value: Any) -> np.ndarray:
        return ctx.write(variable, _stored(value, variable, validate))
    return assign


def _update_kernel(combine: Any) -> Any:
    def make(op: Any) -> Any:
        variable = op._inputs[0]._op

        def update(ctx: Any, delta: Any) -> np.ndarray:
            current = ctx.read(variable)
            if np.shape(delta) != current.shape:  # NOTE: TF does not broadcast an update
                raise errors.InvalidArgumentError(
                    None, None, f"Parameters and update must be the same size: variable "
                    f"{variable.name!r} has shape {list(current.shape)} but the update has "
                    f"shape {list(np.shape(delta))}")
            result = combine(current, delta)
            if type(result) is np.ndarray and result.shape == current.shape:
                result.flags.writeable = False  # NOTE: a fresh array of the variable's shape
                return ctx.write(variable, result)
            return ctx.write(variable, _stored(result, variable, True))
        return update
    return make


def _update_infer(op_type: str) -> Any:
    def infer(inputs: list, attrs: dict) -> list:
        ref, value = inputs
        variable = _variable_op(ref, op_type)
        check_dtype(ref, NUMERIC, "ref")
        if value._dtype is not ref._dtype:
            raise TypeError(f"Input 'value' of '{op_type}' Op has type {value._dtype.name} that "
                            f"does not match type {ref._dtype.name} of argument 'ref'.")
        if not dims_compatible(ref._dims, value._dims):
            raise ValueError(f"Shapes {format_dims(ref._dims)} and {format_dims(value._dims)} "
                             f"are incompatible (updating variable {variable.name!r})")
        return [(ref._dtype, merge_dims(ref._dims, value._dims))]
    return infer


# NOTE: TF's op defs call the ref-variable ops stateless (a cond running one is StatelessIf).
_READ_STATE = dict(stateful=True, uses_context=True, ref_inputs=(0,), stateless_in_tf=True)
_WRITE_STATE = dict(_READ_STATE, writes_state=True)
register("Assign", _assign_infer, _assign_kernel, grad=NOT_DIFFERENTIABLE, **_WRITE_STATE)
register("AssignAdd", _update_infer("AssignAdd"), _update_kernel(np.add),
         grad=NOT_DIFFERENTIABLE, **_WRITE_STATE)
register("AssignSub", _update_infer("AssignSub"), _update_kernel(np.subtract),
         grad=NOT_DIFFERENTIABLE, **_WRITE_STATE)


def _ref_of(ref: Any, what: str) -> Tensor:
    """The variable tensor a state op's `ref` names (a Variable or its ref), checked before any
    op is built: a tensor, None, a list or an int is TF's TypeError naming it."""
    variable_ref = getattr(ref, "_variable_ref", None)
    tensor = variable_ref() if variable_ref is not None else ref
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{what} needs a variable as its first argument, got {ref!r}")
    _variable_op(tensor, what)
    return tensor


def assign(ref: Any, value: Any, validate_shape: Optional[bool] = None, use_locking: Any = None,
           name: Optional[str] = None) -> Tensor:
    """An op that stores `value` in variable `ref` when run; its output is the new value."""
    ref = _ref_of(ref, "Assign")
    validate = True if validate_shape is None else bool_arg(validate_shape, "validate_shape")
    attrs = {"validate_shape": validate}
    return apply_op("Assign", [ref, value], attrs, name, default_name="Assign",
                    arg_names=("ref", "value"), dtype=ref.dtype)._outputs[0]


def assign_add(ref: Any, value: Any, use_locking: Any = None, name: Optional[str] = None) -> Tensor:
    """An op that adds `value` to variable `ref` when run; its output is the new value."""
    ref = _ref_of(ref, "AssignAdd")
    return apply_op("AssignAdd", [ref, value], {}, name, arg_names=("ref", "value"),
                    dtype=ref.dtype)._outputs[0]


def assign_sub(ref: Any, value: Any, use_locking: Any = None, name: Optional[str] = None) -> Tensor:
    """An op that subtracts `value` from variable `ref` when run; its output is the new value."""
    ref = _ref_of(ref, "AssignSub")
    return apply_op("AssignSub", [ref, value], {}, name, arg_names=("ref", "value"),
                    dtype=ref.dtype)._outputs[0]


# --- Scatter*: updates to some rows of a variable --------------------------------------------
# NOTE: a copy of the stored value is updated, so a failed run leaves the variable as it was;
# repeated indices accumulate (ScatterUpdate: the last one wins), as in TF.

def _scatter_infer(op_type: str) -> Any:
    def infer(inputs: list, attrs: dict) -> list:
        ref, indices, updates = inputs
        variable = _variable_op(ref, op_type)
        check_dtype(indices, (d.int32, d.int64), "indices")
        if updates._dtype is not ref._dtype:
            raise TypeError(f"Input 'updates' of '{op_type}' Op has type {updates._dtype.name} "
                            f"that does not match type {ref._dtype.name} of argument 'ref'.")
        wanted = _scatter_updates_dims(ref._dims, indices._dims)
        if not dims_compatible(wanted, updates._dims) and updates._dims != ():
            raise ValueError(f"Shapes {format_dims(updates._dims)} and {format_dims(wanted)} are "
                             f"incompatible: the updates of {variable.name!r} must have shape "
                             "indices.shape + ref.shape[1:]")
        return [(ref._dtype, ref._dims)]
    return infer


def _scatter_updates_dims(ref: Any, indices: Any) -> Any:
    if ref is None or indices is None or not ref:
        return None
    return tuple(indices) + tuple(ref[1:])


def _scatter_kernel(apply: Any) -> Any:
    def make(op: Any) -> Any:
        variable = op._inputs[0]._op

        def scatter(ctx: Any, indices: Any, updates: Any) -> np.ndarray:
            current = ctx.read(variable)
            indices = np.asarray(indices)
            rows = current.shape[0] if current.ndim else 0
            bad = (indices < 0) | (indices >= rows)
            if bad.any():
                raise errors.InvalidArgumentError(
                    None, None, f"indices[{int(np.argmax(bad.reshape(-1)))}] = "
                    f"{int(indices.reshape(-1)[np.argmax(bad.reshape(-1))])} is not in "
                    f"[0, {rows})")
            wanted = indices.shape + current.shape[1:]
            updates = np.asarray(updates, current.dtype)
            if updates.shape != wanted and updates.ndim:
                raise errors.InvalidArgumentError(
                    None, None, f"updates must have shape indices.shape + params.shape[1:]: "
                    f"{list(wanted)}, got {list(updates.shape)}")
            result = current.copy()
            apply(result, indices, np.broadcast_to(updates, wanted))
            result.flags.writeable = False
            return ctx.write(variable, result)
        return scatter
    return make


def _assign_rows(result: np.ndarray, indices: np.ndarray, updates: np.ndarray) -> None:
    result[indices] = updates


_SCATTERS = {"ScatterUpdate": _assign_rows, "ScatterAdd": np.add.at,
             "ScatterSub": np.subtract.at, "ScatterMul": np.multiply.at,
             "ScatterMax": np.maximum.at, "ScatterMin": np.minimum.at}
for _op_type, _apply in _SCATTERS.items():
    register(_op_type, _scatter_infer(_op_type), _scatter_kernel(_apply),
             grad=NOT_DIFFERENTIABLE, **_WRITE_STATE)


def _scatter(op_type: str, ref: Any, indices: Any, updates: Any, name: Optional[str]) -> Tensor:
    ref = _ref_of(ref, op_type)
    return apply_op(op_type, [ref, indices, updates], {}, name,
                    arg_names=("ref", "indices", "updates"))._outputs[0]


def scatter_update(ref: Any, indices: Any, updates: Any, use_locking: Any = True,
                   name: Optional[str] = None) -> Tensor:
    """An op setting rows `indices` of variable `ref` to `updates`; its output is the value."""
    return _scatter("ScatterUpdate", ref, indices, updates, name)


def scatter_add(ref: Any, indices: Any, updates: Any, use_locking: Any = False,
                name: Optional[str] = None) -> Tensor:
    """An op adding `updates` to rows `indices` of variable `ref` (repeats accumulate)."""
    return _scatter("ScatterAdd", ref, indices, updates, name)


def scatter_sub(ref: Any, indices: Any, updates: Any, use_locking: Any = False,
                name: Optional[str] = None) -> Tensor:
    """An op subtracting `updates` from rows `indices` of variable `ref`."""
    return _scatter("ScatterSub", ref, indices, updates, name)


def scatter_mul(ref: Any, indices: Any, updates: Any, use_locking: Any = False,
                name: Optional[str] = None) -> Tensor:
    """An op multiplying rows `indices` of variable `ref` by `updates`."""
    return _scatter("ScatterMul", ref, indices, updates, name)


def scatter_max(ref: Any, indices: Any, updates: Any, use_locking: Any = False,
                name: Optional[str] = None) -> Tensor:
    """An op keeping the larger of rows `indices` of variable `ref` and `updates`."""
    return _scatter("ScatterMax", ref, indices, updates, name)


def scatter_min(ref: Any, indices: Any, updates: Any, use_locking: Any = False,
                name: Optional[str] = None) -> Tensor:
    """An op keeping the smaller of rows `indices` of variable `ref` and `updates`."""
    return _scatter("ScatterMin", ref, indices, updates, name)


def _initialized_kernel(op: Any) -> Any:
    variable = op._inputs[0]._op
    return lambda ctx: np.bool_(ctx.is_initialized(variable))


def _initialized_infer(inputs: list, attrs: dict) -> list:
    _variable_op(inputs[0], "IsVariableInitialized")
    return [(d.bool, ())]


register("IsVariableInitialized", _initialized_infer, _initialized_kernel,
         grad=NOT_DIFFERENTIABLE, **_READ_STATE)


def is_variable_initialized(variable: Any, name: Optional[str] = None) -> Tensor:
    """A scalar bool tensor: has `variable` been initialized in the running session?"""
    ref = _ref_of(variable, "IsVariableInitialized")
    return apply_op("IsVariableInitialized", [ref], {}, name, arg_names=("ref",))._outputs[0]


def _report_infer(inputs: list, attrs: dict) -> list:
    for ref in inputs:
        _variable_op(ref, "ReportUninitializedVariables")
    return [(d.string, (None,))]


def _report_kernel(op: Any) -> Any:
    variables = [t._op for t in op._inputs]

    def report(ctx: Any) -> np.ndarray:
        names = [v.name.encode() for v in variables if not ctx.is_initialized(v)]
        return np.array(names, dtype=object).reshape(len(names))
    return report


register("ReportUninitializedVariables", _report_infer, _report_kernel, grad=NOT_DIFFERENTIABLE,
         stateful=True, uses_context=True, ref_inputs="all")
