"""Op blocks for optimizers' sparse updates: TF's SparseApply* kernels, one op per variable.

Each takes the variable and its slots by reference, the hyperparameters, and a gradient given as
rows (`grad`, `indices`), and updates those rows only: the rows a batch did not touch keep their
values and their slots, as in TF. The stored arrays are copied before the update, so a failed
run changes nothing. Repeated indices are summed first (TF's optimizers deduplicate before
calling these kernels).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .. import dtypes as d
from .. import errors
from ..tensor_shape import dims_compatible, format_dims
from .common import FLOATS, check_dtype
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, register

__all__ = ["sparse_apply_momentum", "sparse_apply_adagrad", "sparse_apply_rms_prop",
           "sparse_apply_centered_rms_prop"]


def _sparse_infer(op_type: str, states: int, grad_at: int, indices_at: int) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        var = inputs[0]
        dtype = check_dtype(var, FLOATS, "var")
        for i, t in enumerate(inputs):
            if i != indices_at and t._dtype is not dtype:
                raise TypeError(f"Inputs of '{op_type}' must all have type {dtype.name} (but "
                                f"indices), got {t._dtype.name} for {t.name}")
        check_dtype(inputs[indices_at], (d.int32, d.int64), "indices")
        for slot in inputs[1:states]:
            if not dims_compatible(slot._dims, var._dims):
                raise ShapeError(f"var and slot {slot.name} do not have the same shape "
                                 f"{format_dims(var._dims)} {format_dims(slot._dims)}")
        return [(dtype, var._dims)]
    return infer


def _deduplicated(indices: np.ndarray, grad: np.ndarray) -> tuple:
    rows, positions = np.unique(indices, return_inverse=True)
    if len(rows) == len(indices):
        return indices, grad
    summed = np.zeros((len(rows),) + grad.shape[1:], grad.dtype)
    np.add.at(summed, positions.reshape(-1), grad)
    return rows, summed


def _checked_rows(indices: Any, grad: Any, var: np.ndarray) -> tuple:
    indices, grad = np.asarray(indices), np.asarray(grad)
    if indices.ndim != 1:
        raise errors.InvalidArgumentError(None, None, f"indices must be one-dimensional, got "
                                          f"shape {list(indices.shape)}")
    if grad.shape != indices.shape + var.shape[1:]:
        raise errors.InvalidArgumentError(
            None, None, f"grad must be the shape of indices + var.shape[1:]: "
            f"{list(indices.shape + var.shape[1:])}, got {list(grad.shape)}")
    bad = (indices < 0) | (indices >= var.shape[0])
    if bad.any():
        first = int(np.argmax(bad))
        raise errors.InvalidArgumentError(None, None, f"Index {int(indices[first])} at offset "
                                          f"{first} in indices is out of range [0, "
                                          f"{var.shape[0]})")
    return _deduplicated(indices, grad)


def _sparse_kernel(states: int, step: Callable, grad_at: int, indices_at: int) -> Callable:
    """A kernel updating rows of `states` variables: `step(op)(rows, grad, *hyperparameters)`
    returns the new rows of each; the other inputs are the hyperparameters, in order."""
    def make(op: Any) -> Callable:
        variables = [t._op for t in op._inputs[:states]]
        update = step(op)
        hyper = [i for i in range(states, len(op._inputs)) if i not in (grad_at, indices_at)]

        def apply(ctx: Any, *values: Any) -> np.ndarray:
            given = dict(zip(range(states, len(op._inputs)), values, strict=True))
            stored = [ctx.read(v) for v in variables]
            rows, summed = _checked_rows(given[indices_at], given[grad_at], stored[0])
            new_rows = update([s[rows] for s in stored], summed,
                              *[np.asarray(given[i], stored[0].dtype) for i in hyper])
            for variable, value, new in zip(variables, stored, new_rows, strict=True):
                updated = value.copy()
                updated[rows] = new
                updated.flags.writeable = False
                ctx.write(variable, updated)
            return ctx.read(variables[0])
        return apply
    return make


def _register(op_type: str, states: int, step: Callable, grad_at: int, indices_at: int) -> None:
    register(op_type, _sparse_infer(op_type, states, grad_at, indices_at),
             _sparse_kernel(states, step, grad_at, indices_at), grad=NOT_DIFFERENTIABLE,
             stateful=True, uses_context=True, ref_inputs=tuple(range(states)), writes_state=True,
             stateless_in_tf=True)


def _momentum_step(op: Any) -> Callable:
    nesterov = op._attrs["use_nesterov"]

    def step(rows: list, g: np.ndarray, lr: Any, momentum: Any) -> list:
        var, accum = rows
        accum = accum * momentum + g
        var = var - (g * lr + accum * momentum * lr if nesterov else lr * accum)
        return [var, accum]
    return step


def _adagrad_step(rows: list, g: np.ndarray, lr: Any) -> list:
    var, accum = rows
    accum = accum + g * g
    return [var - lr * g / np.sqrt(accum), accum]


def _rms_prop_step(rows: list, g: np.ndarray, lr: Any, rho: Any, momentum: Any,
                   epsilon: Any) -> list:
    var, ms, mom = rows
    ms = ms + (g * g - ms) * (1 - rho)
    mom = mom * momentum + lr * g / np.sqrt(ms + epsilon)
    return [var - mom, ms, mom]


def _centered_rms_prop_step(rows: list, g: np.ndarray, lr: Any, rho: Any, momentum: Any,
                            epsilon: Any) -> list:
    var, mg, ms, mom = rows
    ms = ms + (g * g - ms) * (1 - rho)
    mg = mg + (g - mg) * (1 - rho)
    mom = mom * momentum + lr * g / np.sqrt(ms - mg * mg + epsilon)
    return [var - mom, mg, ms, mom]


# NOTE: inputs in TF's order: (variable and slots, hyperparameters..., grad, indices...).
_register("SparseApplyMomentum", 2, _momentum_step, grad_at=3, indices_at=4)
_register("SparseApplyAdagrad", 2, lambda op: _adagrad_step, grad_at=3, indices_at=4)
_register("SparseApplyRMSProp", 3, lambda op: _rms_prop_step, grad_at=7, indices_at=8)
_register("SparseApplyCenteredRMSProp", 4, lambda op: _centered_rms_prop_step, grad_at=8,
          indices_at=9)


def _build(op_type: str, refs: Sequence[Any], values: Sequence[Any], attrs: dict) -> Any:
    return apply_op(op_type, [*refs, *values], attrs)._outputs[0]


def sparse_apply_momentum(var: Any, accum: Any, lr: Any, grad: Any, indices: Any,
                          momentum: Any, use_nesterov: bool = False) -> Any:
    """`accum = accum * momentum + grad; var -= lr * accum` on rows `indices` (Nesterov:
    `var -= grad * lr + accum * momentum * lr`)."""
    return _build("SparseApplyMomentum", [var, accum], [lr, grad, indices, momentum],
                  {"use_nesterov": use_nesterov})


def sparse_apply_adagrad(var: Any, accum: Any, lr: Any, grad: Any, indices: Any) -> Any:
    """`accum += grad**2; var -= lr * grad / sqrt(accum)` on rows `indices`."""
    return _build("SparseApplyAdagrad", [var, accum], [lr, grad, indices], {})


def sparse_apply_rms_prop(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any,
                          epsilon: Any, grad: Any, indices: Any) -> Any:
    """TF's RMSProp update on rows `indices`: mean square, momentum, variable."""
    return _build("SparseApplyRMSProp", [var, ms, mom],
                  [lr, rho, momentum, epsilon, grad, indices], {})


def sparse_apply_centered_rms_prop(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any,
                                   momentum: Any, epsilon: Any, grad: Any, indices: Any) -> Any:
    """TF's centered RMSProp update on rows `indices` (the mean gradient under the root)."""
    return _build("SparseApplyCenteredRMSProp", [var, mg, ms, mom],
                  [lr, rho, momentum, epsilon, grad, indices], {})
