"""Op blocks for optimizers' updates: TF's Apply* and SparseApply* kernels, one op per variable.

Each takes the variable and its slots by reference, the scalar hyperparameters, and a gradient:
the whole of it (Apply*) or some rows of it (`grad`, `indices`: SparseApply*, which update those
rows only, so rows a batch did not touch keep their values and their slots, as in TF). A dense and
a sparse op share one update rule. The new values are fresh arrays written to the run's pending
state, so a failed run changes nothing. Repeated indices are summed first (TF's optimizers
deduplicate before calling these kernels).
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

from .. import dtypes as d
from .. import errors
from ..tensor_shape import dims_compatible, format_dims
from .common import FLOATS, check_dtype
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, register

__all__ = ["apply_gradient_descent", "apply_proximal_gradient_descent", "apply_momentum",
           "apply_adagrad", "apply_proximal_adagrad", "apply_adadelta", "apply_rms_prop",
           "apply_centered_rms_prop", "apply_adam", "apply_ftrl", "apply_ftrl_v2",
           "sparse_apply_momentum", "sparse_apply_adagrad", "sparse_apply_proximal_adagrad",
           "sparse_apply_proximal_gradient_descent", "sparse_apply_adadelta",
           "sparse_apply_rms_prop", "sparse_apply_centered_rms_prop", "sparse_apply_ftrl",
           "sparse_apply_ftrl_v2"]


# --- inference and kernels, shared by every op ---------------------------------------------------

def _infer(op_type: str, names: Sequence[str], states: int) -> Callable:
    grad_at = names.index("grad") if "grad" in names else names.index("delta")
    indices_at = names.index("indices") if "indices" in names else None

    def infer(inputs: list, attrs: dict) -> list:
        var = inputs[0]
        dtype = check_dtype(var, FLOATS, "var")
        for name, t in zip(names, inputs, strict=True):
            if name != "indices" and t._dtype is not dtype:
                raise TypeError(f"Inputs of '{op_type}' must all have type {dtype.name} (but "
                                f"indices), got {t._dtype.name} for {name} ({t.name})")
        for name, slot in zip(names[1:states], inputs[1:states], strict=True):
            if not dims_compatible(slot._dims, var._dims):
                raise ShapeError(f"var and {name} do not have the same shape "
                                 f"{format_dims(var._dims)} {format_dims(slot._dims)}")
        for i in range(states, len(names)):
            if i not in (grad_at, indices_at) and inputs[i]._dims not in (None, ()):
                raise ShapeError(f"{names[i]} is not a scalar: {format_dims(inputs[i]._dims)}")
        if indices_at is None and not dims_compatible(inputs[grad_at]._dims, var._dims):
            raise ShapeError(f"var and grad do not have the same shape "
                             f"{format_dims(var._dims)} {format_dims(inputs[grad_at]._dims)}")
        if indices_at is not None:
            check_dtype(inputs[indices_at], (d.int32, d.int64), "indices")
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


def _check_same_shapes(names: Sequence[str], stored: list, grad: Any) -> None:
    """Run-time shape checks for what inference could not see (unknown or unvalidated shapes)."""
    shape = stored[0].shape
    for name, value in zip(names[1:len(stored)], stored[1:], strict=True):
        if value.shape != shape:
            raise errors.InvalidArgumentError(
                None, None, f"var and {name} do not have the same shape{list(shape)} "
                f"{list(value.shape)}")
    if grad is not None and np.shape(grad) != shape:
        raise errors.InvalidArgumentError(
            None, None, f"var and grad do not have the same shape{list(shape)} "
            f"{list(np.shape(grad))}")


def _kernel(names: Sequence[str], states: int, rule: Callable) -> Callable:
    """A kernel updating `states` variables: `rule(op)` takes the dense op's inputs in TF's order
    (the variables' values, then the others) and returns the variables' new values. A sparse op
    hands it the rows `indices` names and their summed gradient."""
    grad_at = names.index("grad") if "grad" in names else names.index("delta")
    indices_at = names.index("indices") if "indices" in names else None

    def make(op: Any) -> Callable:
        variables = [t._op for t in op._inputs[:states]]
        variable = variables[0]
        update = rule(op)
        dtype = np.dtype(op._outputs[0]._dtype.as_numpy_dtype)
        at = grad_at - states
        unranked = [i for i in range(states, len(names)) if i not in (grad_at, indices_at)
                    and op._inputs[i]._dims is None]

        def check_scalars(values: tuple) -> None:
            for i in unranked:
                if np.ndim(values[i - states]) != 0:
                    raise errors.InvalidArgumentError(
                        None, None, f"{names[i]} is not a scalar: "
                        f"{list(np.shape(values[i - states]))}")

        def store(ctx: Any, arrays: list) -> np.ndarray:
            for variable, array in zip(variables, arrays, strict=True):
                if type(array) is not np.ndarray:  # NOTE: a 0-d result is a NumPy scalar
                    array = np.asarray(array, dtype)
                array.flags.writeable = False
                ctx.write(variable, array)
            return array if states == 1 else ctx.read(variables[0])

        def apply_one(ctx: Any, *values: Any) -> np.ndarray:
            """apply_dense for one variable (GradientDescent's): the steps of a training loop
            that are pure overhead, cut short."""
            var = ctx.read(variable)
            shape = var.shape
            if getattr(values[at], "shape", None) != shape:
                _check_same_shapes(names, [var], values[at])
            if not shape:
                return scalar_update(ctx, [var], values)
            new = update(var, *values)[0]
            new.flags.writeable = False  # NOTE: the store's arrays are never written into
            return ctx.write(variable, new)

        def apply_dense(ctx: Any, *values: Any) -> np.ndarray:
            stored = list(map(ctx.read, variables))
            grad, shape = values[at], stored[0].shape
            if getattr(grad, "shape", None) != shape or \
                    (states > 1 and any(value.shape != shape for value in stored)):
                _check_same_shapes(names, stored, grad)
            if unranked:
                check_scalars(values)
            if not shape:
                return scalar_update(ctx, stored, values)
            return store(ctx, update(*stored, *values))

        def scalar_update(ctx: Any, stored: list, values: tuple) -> np.ndarray:
            """A scalar variable's update, on arrays of one element."""
            given = list(values)
            given[at] = np.reshape(given[at], 1)
            new = update(*[value.reshape(1) for value in stored], *given)
            return store(ctx, [value.reshape(()) for value in new])

        def apply_sparse(ctx: Any, *values: Any) -> np.ndarray:
            stored = list(map(ctx.read, variables))
            _check_same_shapes(names, stored, None)
            check_scalars(values)
            rows, summed = _checked_rows(values[indices_at - states], values[grad_at - states],
                                         stored[0])
            given = [np.asarray(v, dtype) for i, v in enumerate(values, states)
                     if i not in (grad_at, indices_at)]
            given.insert(at, np.asarray(summed, dtype))
            new_rows = update(*[s[rows] for s in stored], *given)
            updated = [value.copy() for value in stored]
            for value, new in zip(updated, new_rows, strict=True):
                value[rows] = new
            return store(ctx, updated)
        if indices_at is not None:
            return apply_sparse
        if states == 1 and not unranked:
            return apply_one
        return apply_dense
    return make


def _register(op_type: str, names: Sequence[str], states: int, rule: Callable) -> None:
    # NOTE: TF's op defs call the ref-variable training ops stateless, as Assign.
    register(op_type, _infer(op_type, names, states), _kernel(names, states, rule),
             grad=NOT_DIFFERENTIABLE, stateful=True, uses_context=True,
             ref_inputs=tuple(range(states)), writes_state=True, stateless_in_tf=True)


# --- update rules (TF's training_ops.cc functors) ------------------------------------------------

def _shrunk(prox: np.ndarray, threshold: Any, l1: Any) -> np.ndarray:
    """The proximal step of an l1 penalty: `prox` moved toward zero by `threshold`, stopping at
    zero (untouched when `l1` is zero, as TF branches)."""
    if l1 > 0:
        return np.sign(prox) * np.maximum(np.abs(prox) - threshold, 0)
    return prox


def _scalars(var: Any, *values: Any) -> list:
    """Hyperparameters as NumPy scalars of the variable's dtype: arithmetic on them (`1 -
    beta1`) rounds as on the 0-d arrays the kernel is given, at a tenth of the cost."""
    scalar = var.dtype.type
    return [scalar(v) for v in values]


# NOTE: the rules below update arrays they made themselves in place (`x -= y` on a fresh
# product), never the stored values they are given: a large variable's update then allocates
# little more than its results, and each step rounds in TF's order. They get arrays of one
# dimension or more (the kernel reshapes a scalar variable), so `out=` always has an array.

def _gradient_descent(op: Any) -> Callable:
    def rule(var: Any, alpha: Any, delta: Any) -> list:
        step = delta * alpha
        if step.size == 1:  # NOTE: NumPy 2 writes a one-element array into itself at 2x the cost
            return [var - step]
        return [np.subtract(var, step, out=step)]
    return rule


def _proximal_gradient_descent(op: Any) -> Callable:
    def rule(var: Any, alpha: Any, l1: Any, l2: Any, delta: Any) -> list:
        alpha, l1, l2 = _scalars(var, alpha, l1, l2)
        prox = var - alpha * delta
        return [_shrunk(prox, alpha * l1, l1) / (1 + alpha * l2)]
    return rule


def _momentum(op: Any) -> Callable:
    nesterov = op._attrs["use_nesterov"]

    def rule(var: Any, accum: Any, lr: Any, grad: Any, momentum: Any) -> list:
        accum = accum * momentum
        accum += grad
        if nesterov:
            step = grad * lr
            ahead = accum * momentum
            ahead *= lr
            step += ahead
        else:
            step = accum * lr
        return [np.subtract(var, step, out=step), accum]
    return rule


def _adagrad(op: Any) -> Callable:
    update_slots = op._attrs.get("update_slots", True)

    def rule(var: Any, accum: Any, lr: Any, grad: Any) -> list:
        if update_slots:
            squared = grad * grad
            accum = np.add(accum, squared, out=squared)
        step = np.sqrt(accum)
        step = np.divide(grad, step, out=step)
        step *= lr
        return [np.subtract(var, step, out=step), accum]
    return rule


def _proximal_adagrad(op: Any) -> Callable:
    def rule(var: Any, accum: Any, lr: Any, l1: Any, l2: Any, grad: Any) -> list:
        lr, l1, l2 = _scalars(var, lr, l1, l2)
        accum = accum + grad * grad
        rate = lr / np.sqrt(accum)
        prox = var - grad * rate
        return [_shrunk(prox, rate * l1, l1) / (1 + rate * l2), accum]
    return rule


def _adadelta(op: Any) -> Callable:
    def rule(var: Any, accum: Any, accum_update: Any, lr: Any, rho: Any, epsilon: Any,
             grad: Any) -> list:
        lr, rho, epsilon = _scalars(var, lr, rho, epsilon)
        new_accum = accum * rho
        squared = grad * grad
        squared *= 1 - rho
        new_accum += squared
        update = accum_update + epsilon
        np.sqrt(update, out=update)
        scale = new_accum + epsilon
        np.sqrt(scale, out=scale)
        update = np.divide(update, scale, out=update)
        update *= grad
        new_accum_update = accum_update * rho
        squared = np.multiply(update, update, out=squared)
        squared *= 1 - rho
        new_accum_update += squared
        step = np.multiply(update, lr, out=scale)
        return [np.subtract(var, step, out=step), new_accum, new_accum_update]
    return rule


def _moving_mean_square(ms: Any, grad: Any, rho: Any) -> Any:
    """`ms + (grad**2 - ms) * (1 - rho)`, in a new array."""
    new_ms = grad * grad
    new_ms -= ms
    new_ms *= 1 - rho
    new_ms += ms
    return new_ms


def _momentum_step(var: Any, mom: Any, lr: Any, grad: Any, momentum: Any,
                   denominator: Any) -> list:
    """`mom = mom * momentum + grad * lr / sqrt(denominator); var -= mom`, `denominator` an
    array of this rule."""
    root = np.sqrt(denominator, out=denominator)
    step = grad * lr
    step = np.divide(step, root, out=step)
    new_mom = mom * momentum
    new_mom += step
    return [np.subtract(var, new_mom, out=root), new_mom]


def _rms_prop(op: Any) -> Callable:
    def rule(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any, epsilon: Any,
             grad: Any) -> list:
        lr, rho, momentum, epsilon = _scalars(var, lr, rho, momentum, epsilon)
        new_ms = _moving_mean_square(ms, grad, rho)
        new_var, new_mom = _momentum_step(var, mom, lr, grad, momentum, new_ms + epsilon)
        return [new_var, new_ms, new_mom]
    return rule


def _centered_rms_prop(op: Any) -> Callable:
    def rule(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any,
             epsilon: Any, grad: Any) -> list:
        lr, rho, momentum, epsilon = _scalars(var, lr, rho, momentum, epsilon)
        new_ms = _moving_mean_square(ms, grad, rho)
        new_mg = grad - mg
        new_mg *= 1 - rho
        new_mg += mg
        denominator = new_mg * new_mg
        denominator = np.subtract(new_ms, denominator, out=denominator)
        denominator += epsilon
        new_var, new_mom = _momentum_step(var, mom, lr, grad, momentum, denominator)
        return [new_var, new_mg, new_ms, new_mom]
    return rule


def _adam(op: Any) -> Callable:
    nesterov = op._attrs["use_nesterov"]

    def rule(var: Any, m: Any, v: Any, beta1_power: Any, beta2_power: Any, lr: Any, beta1: Any,
             beta2: Any, epsilon: Any, grad: Any) -> list:
        beta1_power, beta2_power, lr, beta1, beta2, epsilon = _scalars(
            var, beta1_power, beta2_power, lr, beta1, beta2, epsilon)
        alpha = lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)
        new_m = grad - m
        new_m *= 1 - beta1
        new_m += m
        new_v = _moving_mean_square(v, grad, beta2)
        if nesterov:
            step = grad * (1 - beta1)
            step += new_m * beta1
            step *= alpha
        else:
            step = new_m * alpha
        root = np.sqrt(new_v)
        root += epsilon
        step = np.divide(step, root, out=step)
        return [np.subtract(var, step, out=root), new_m, new_v]
    return rule


def _ftrl_step(var: Any, accum: Any, linear: Any, grad: Any, shrunk_grad: Any, lr: Any,
               l1: Any, l2: Any, lr_power: Any) -> list:
    lr, l1, l2, lr_power = _scalars(var, lr, l1, l2, lr_power)
    new_accum = accum + grad * grad
    if lr_power == -0.5:
        sigma = (np.sqrt(new_accum) - np.sqrt(accum)) / lr
        y = np.sqrt(new_accum) / lr + 2 * l2
    else:
        sigma = (np.power(new_accum, -lr_power) - np.power(accum, -lr_power)) / lr
        y = np.power(new_accum, -lr_power) / lr + 2 * l2
    linear = linear + shrunk_grad - sigma * var
    x = np.clip(linear, -l1, l1) - linear
    return [x / y, new_accum, linear]


def _ftrl(op: Any) -> Callable:
    def rule(var: Any, accum: Any, linear: Any, grad: Any, lr: Any, l1: Any, l2: Any,
             lr_power: Any) -> list:
        return _ftrl_step(var, accum, linear, grad, grad, lr, l1, l2, lr_power)
    return rule


def _ftrl_v2(op: Any) -> Callable:
    """FTRL with an l2 shrinkage: the linear term sees `grad + 2 * l2_shrinkage * var`, the
    accumulator the plain gradient."""
    def rule(var: Any, accum: Any, linear: Any, grad: Any, lr: Any, l1: Any, l2: Any,
             l2_shrinkage: Any, lr_power: Any) -> list:
        shrunk = grad + 2 * l2_shrinkage * var
        return _ftrl_step(var, accum, linear, grad, shrunk, lr, l1, l2, lr_power)
    return rule


# NOTE: inputs named and ordered as TF's op defs.
_RULES = {
    "GradientDescent": (("var", "alpha", "delta"), 1, _gradient_descent),
    "ProximalGradientDescent": (("var", "alpha", "l1", "l2", "delta"), 1,
                                _proximal_gradient_descent),
    "Momentum": (("var", "accum", "lr", "grad", "momentum"), 2, _momentum),
    "Adagrad": (("var", "accum", "lr", "grad"), 2, _adagrad),
    "ProximalAdagrad": (("var", "accum", "lr", "l1", "l2", "grad"), 2, _proximal_adagrad),
    "Adadelta": (("var", "accum", "accum_update", "lr", "rho", "epsilon", "grad"), 3,
                 _adadelta),
    "RMSProp": (("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"), 3, _rms_prop),
    "CenteredRMSProp": (("var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"),
                        4, _centered_rms_prop),
    "Adam": (("var", "m", "v", "beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon",
              "grad"), 3, _adam),
    "Ftrl": (("var", "accum", "linear", "grad", "lr", "l1", "l2", "lr_power"), 3, _ftrl),
    "FtrlV2": (("var", "accum", "linear", "grad", "lr", "l1", "l2", "l2_shrinkage", "lr_power"),
               3, _ftrl_v2),
}


def _sparse_names(names: Sequence[str]) -> tuple:
    """A sparse op's inputs: TF's dense ones with `indices` right after the gradient."""
    grad = "grad" if "grad" in names else "delta"
    at = names.index(grad) + 1
    return (*names[:at - 1], "grad", "indices", *names[at:])


# NOTE: TF has no SparseApplyAdam or SparseApplyGradientDescent: its optimizers scatter.
_HAS_SPARSE = ("ProximalGradientDescent", "Momentum", "Adagrad", "ProximalAdagrad", "Adadelta",
               "RMSProp", "CenteredRMSProp", "Ftrl", "FtrlV2")

for _kind, (_names, _states, _rule) in _RULES.items():
    _register("Apply" + _kind, _names, _states, _rule)
    if _kind in _HAS_SPARSE:
        _register("SparseApply" + _kind, _sparse_names(_names), _states, _rule)


# --- builders (TF's generated training_ops functions) --------------------------------------------

def _ref(ref: Any) -> Any:
    """The variable tensor of a Variable (or a ref already)."""
    variable_ref = getattr(ref, "_variable_ref", None)
    return variable_ref() if variable_ref is not None else ref


def _build(op_type: str, inputs: Sequence[Any], states: int, attrs: Optional[dict] = None,
           name: Optional[str] = None) -> Any:
    refs = [_ref(r) for r in inputs[:states]]
    return apply_op(op_type, [*refs, *inputs[states:]], attrs or {}, name,
                    default_name=op_type)._outputs[0]


def apply_gradient_descent(var: Any, alpha: Any, delta: Any, use_locking: bool = False,
                           name: Optional[str] = None) -> Any:
    """`var -= alpha * delta`."""
    return _build("ApplyGradientDescent", [var, alpha, delta], 1, name=name)


def apply_proximal_gradient_descent(var: Any, alpha: Any, l1: Any, l2: Any, delta: Any,
                                    use_locking: bool = False, name: Optional[str] = None) -> Any:
    """`prox = var - alpha * delta; var = sign(prox) * max(|prox| - alpha * l1, 0) / (1 + alpha
    * l2)`."""
    return _build("ApplyProximalGradientDescent", [var, alpha, l1, l2, delta], 1, name=name)


def apply_momentum(var: Any, accum: Any, lr: Any, grad: Any, momentum: Any,
                   use_locking: bool = False, use_nesterov: bool = False,
                   name: Optional[str] = None) -> Any:
    """`accum = accum * momentum + grad; var -= lr * accum` (Nesterov: `var -= grad * lr + accum
    * momentum * lr`)."""
    return _build("ApplyMomentum", [var, accum, lr, grad, momentum], 2,
                  {"use_nesterov": bool(use_nesterov)}, name)


def apply_adagrad(var: Any, accum: Any, lr: Any, grad: Any, use_locking: bool = False,
                  update_slots: bool = True, name: Optional[str] = None) -> Any:
    """`accum += grad**2; var -= lr * grad / sqrt(accum)`."""
    return _build("ApplyAdagrad", [var, accum, lr, grad], 2,
                  {"update_slots": bool(update_slots)}, name)


def apply_proximal_adagrad(var: Any, accum: Any, lr: Any, l1: Any, l2: Any, grad: Any,
                           use_locking: bool = False, name: Optional[str] = None) -> Any:
    """Adagrad's step, then the proximal step of the l1 and l2 penalties."""
    return _build("ApplyProximalAdagrad", [var, accum, lr, l1, l2, grad], 2, name=name)


def apply_adadelta(var: Any, accum: Any, accum_update: Any, lr: Any, rho: Any, epsilon: Any,
                   grad: Any, use_locking: bool = False, name: Optional[str] = None) -> Any:
    """Adadelta: running averages of squared gradients and of squared updates."""
    return _build("ApplyAdadelta", [var, accum, accum_update, lr, rho, epsilon, grad], 3,
                  name=name)


def apply_rms_prop(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any, epsilon: Any,
                   grad: Any, use_locking: bool = False, name: Optional[str] = None) -> Any:
    """`ms += (grad**2 - ms) * (1 - rho); mom = mom * momentum + lr * grad / sqrt(ms +
    epsilon); var -= mom`."""
    return _build("ApplyRMSProp", [var, ms, mom, lr, rho, momentum, epsilon, grad], 3,
                  name=name)


def apply_centered_rms_prop(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any,
                            momentum: Any, epsilon: Any, grad: Any, use_locking: bool = False,
                            name: Optional[str] = None) -> Any:
    """RMSProp with the mean gradient's square taken off the mean square under the root."""
    return _build("ApplyCenteredRMSProp", [var, mg, ms, mom, lr, rho, momentum, epsilon, grad],
                  4, name=name)


def apply_adam(var: Any, m: Any, v: Any, beta1_power: Any, beta2_power: Any, lr: Any,
               beta1: Any, beta2: Any, epsilon: Any, grad: Any, use_locking: bool = False,
               use_nesterov: bool = False, name: Optional[str] = None) -> Any:
    """`lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power)`; `m`, `v` moving averages of the
    gradient and its square; `var -= lr_t * m / (sqrt(v) + epsilon)`."""
    return _build("ApplyAdam", [var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon,
                                grad], 3, {"use_nesterov": bool(use_nesterov)}, name)


def apply_ftrl(var: Any, accum: Any, linear: Any, grad: Any, lr: Any, l1: Any, l2: Any,
               lr_power: Any, use_locking: bool = False, name: Optional[str] = None) -> Any:
    """FTRL-Proximal: the accumulator of squared gradients, the linear term, and the variable
    solved from them in closed form."""
    return _build("ApplyFtrl", [var, accum, linear, grad, lr, l1, l2, lr_power], 3, name=name)


def apply_ftrl_v2(var: Any, accum: Any, linear: Any, grad: Any, lr: Any, l1: Any, l2: Any,
                  l2_shrinkage: Any, lr_power: Any, use_locking: bool = False,
                  name: Optional[str] = None) -> Any:
    """FTRL-Proximal with an l2 shrinkage of the linear term."""
    return _build("ApplyFtrlV2", [var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power],
                  3, name=name)


def sparse_apply_momentum(var: Any, accum: Any, lr: Any, grad: Any, indices: Any,
                          momentum: Any, use_locking: bool = False, use_nesterov: bool = False,
                          name: Optional[str] = None) -> Any:
    """ApplyMomentum on rows `indices`."""
    return _build("SparseApplyMomentum", [var, accum, lr, grad, indices, momentum], 2,
                  {"use_nesterov": bool(use_nesterov)}, name)


def sparse_apply_adagrad(var: Any, accum: Any, lr: Any, grad: Any, indices: Any,
                         use_locking: bool = False, update_slots: bool = True,
                         name: Optional[str] = None) -> Any:
    """ApplyAdagrad on rows `indices`."""
    return _build("SparseApplyAdagrad", [var, accum, lr, grad, indices], 2,
                  {"update_slots": bool(update_slots)}, name)


def sparse_apply_proximal_adagrad(var: Any, accum: Any, lr: Any, l1: Any, l2: Any, grad: Any,
                                  indices: Any, use_locking: bool = False,
                                  name: Optional[str] = None) -> Any:
    """ApplyProximalAdagrad on rows `indices`."""
    return _build("SparseApplyProximalAdagrad", [var, accum, lr, l1, l2, grad, indices], 2,
                  name=name)


def sparse_apply_proximal_gradient_descent(var: Any, alpha: Any, l1: Any, l2: Any, grad: Any,
                                           indices: Any, use_locking: bool = False,
                                           name: Optional[str] = None) -> Any:
    """ApplyProximalGradientDescent on rows `indices`."""
    return _build("SparseApplyProximalGradientDescent", [var, alpha, l1, l2, grad, indices], 1,
                  name=name)


def sparse_apply_adadelta(var: Any, accum: Any, accum_update: Any, lr: Any, rho: Any,
                          epsilon: Any, grad: Any, indices: Any, use_locking: bool = False,
                          name: Optional[str] = None) -> Any:
    """ApplyAdadelta on rows `indices`."""
    return _build("SparseApplyAdadelta",
                  [var, accum, accum_update, lr, rho, epsilon, grad, indices], 3, name=name)


def sparse_apply_rms_prop(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any,
                          epsilon: Any, grad: Any, indices: Any, use_locking: bool = False,
                          name: Optional[str] = None) -> Any:
    """ApplyRMSProp on rows `indices`."""
    return _build("SparseApplyRMSProp", [var, ms, mom, lr, rho, momentum, epsilon, grad,
                                         indices], 3, name=name)


def sparse_apply_centered_rms_prop(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any,
                                   momentum: Any, epsilon: Any, grad: Any, indices: Any,
                                   use_locking: bool = False, name: Optional[str] = None) -> Any:
    """ApplyCenteredRMSProp on rows `indices`."""
    return _build("SparseApplyCenteredRMSProp", [var, mg, ms, mom, lr, rho, momentum, epsilon,
                                                 grad, indices], 4, name=name)


def sparse_apply_ftrl(var: Any, accum: Any, linear: Any, grad: Any, indices: Any, lr: Any,
                      l1: Any, l2: Any, lr_power: Any, use_locking: bool = False,
                      name: Optional[str] = None) -> Any:
    """ApplyFtrl on rows `indices`."""
    return _build("SparseApplyFtrl", [var, accum, linear, grad, indices, lr, l1, l2, lr_power],
                  3, name=name)


def sparse_apply_ftrl_v2(var: Any, accum: Any, linear: Any, grad: Any, indices: Any, lr: Any,
                         l1: Any, l2: Any, l2_shrinkage: Any, lr_power: Any,
                         use_locking: bool = False, name: Optional[str] = None) -> Any:
    """ApplyFtrlV2 on rows `indices`."""
    return _build("SparseApplyFtrlV2", [var, accum, linear, grad, indices, lr, l1, l2,
                                        l2_shrinkage, lr_power], 3, name=name)
