"""Op blocks for special functions and TF's "safe" arithmetic: lgamma, digamma, polygamma,
erfc; xlogy, xdivy, multiply_no_nan; and the composites reciprocal_no_nan, reduce_variance,
reduce_std, reduce_euclidean_norm and angle.

The special functions are computed in NumPy (recurrences and asymptotic series), with TF's
values at the poles: lgamma(0) = inf, digamma(0) = nan, polygamma(1, 0) = inf.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional

import numpy as np

from .. import dtypes as d
from ..graph import Tensor
from . import array_ops
from .common import FLOAT_COMPLEX, FLOATS, broadcast_infer, single, unary
from .conversion import convert_to_tensor
from .math_ops import (_operands, _reduce, cast, conj, exp, less, multiply, negative, not_equal,
                       real, reduce_mean, sqrt, square, where)
from .registry import NOT_DIFFERENTIABLE, apply_op, op_scope, register

__all__ = ["lgamma", "digamma", "polygamma", "erfc", "xlogy", "xdivy", "multiply_no_nan",
           "reciprocal_no_nan", "reduce_variance", "reduce_std", "reduce_euclidean_norm",
           "angle"]

_SHIFT = 10.0  # NOTE: the series below are accurate to double precision from x = 10 on
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)  # B2, B4, ..., B14


# --- lgamma, digamma, polygamma, erfc -----------------------------------------------------------

def _lgamma(x: np.ndarray) -> np.ndarray:
    values = np.frompyfunc(_lgamma_scalar, 1, 1)(x)
    return np.asarray(values, dtype=np.float64).astype(np.asarray(x).dtype)


def _lgamma_scalar(x: float) -> float:
    if math.isnan(x):
        return math.nan
    if math.isinf(x) or (x <= 0 and x == math.floor(x)):
        return math.inf  # NOTE: TF's value at the poles and at both infinities
    try:
        return math.lgamma(x)
    except OverflowError:  # NOTE: near float64's maximum; TF says inf
        return math.inf


def _digamma(x: Any) -> np.ndarray:
    x = np.asarray(x)
    wide = x.astype(np.float64)
    with np.errstate(all="ignore"):
        pole = (wide <= 0) & (wide == np.floor(wide))
        reflect = wide < 0.5
        base = np.where(reflect, 1.0 - wide, wide)
        result = _shifted(base, lambda y: -1.0 / y, _digamma_series)
        result = np.where(reflect, result - np.pi / np.tan(np.pi * wide), result)
        result = np.where(pole, np.nan, result)
    return result.astype(x.dtype)


def _shifted(base: np.ndarray, term: Callable, series: Callable) -> np.ndarray:
    """f(base) for base >= 0.5 from f(y) = term(y) + f(y + 1), shifting every value to at least
    _SHIFT where the asymptotic series is exact."""
    total, y = np.zeros_like(base), base.copy()
    for _ in range(int(_SHIFT)):
        small = y < _SHIFT
        if not small.any():
            break
        total = total + np.where(small, term(y), 0.0)
        y = np.where(small, y + 1.0, y)
    return total + series(y)


def _digamma_series(y: np.ndarray) -> np.ndarray:
    inverse_square = 1.0 / (y * y)
    tail, power = 0.0, inverse_square
    for k, b in enumerate(_BERNOULLI, start=1):
        tail = tail + b / (2 * k) * power
        power = power * inverse_square
    return np.log(y) - 0.5 / y - tail


def _hurwitz_zeta(s: int, q: np.ndarray) -> np.ndarray:
    """zeta(s, q) = sum over k >= 0 of (q + k) ** -s, for an integer s >= 2 and q not a
    non-positive integer: direct terms up to q + k >= 10, then Euler-Maclaurin."""
    total, y = np.zeros_like(q), q.copy()
    for _ in range(int(max(0.0, np.ceil(_SHIFT - np.nanmin(q)))) if q.size else 0):
        small = y < _SHIFT
        if not small.any():
            break
        total = total + np.where(small, y ** -s, 0.0)
        y = np.where(small, y + 1.0, y)
    tail = y ** (1 - s) / (s - 1) + 0.5 * y ** -s
    factor, power = float(s), y ** (-s - 1)
    for k, b in enumerate(_BERNOULLI, start=1):
        tail = tail + b / math.factorial(2 * k) * factor * power
        factor *= (s + 2 * k - 1) * (s + 2 * k)
        power = power / (y * y)
    return total + tail


def _polygamma(n: Any, x: Any) -> np.ndarray:
    n, x = np.broadcast_arrays(np.asarray(n), np.asarray(x))
    result = np.empty(x.shape, np.float64)
    with np.errstate(all="ignore"):
        for order in np.unique(n):
            chosen = n == order
            result[chosen] = _polygamma_of_order(order, x[chosen].astype(np.float64))
    return result.astype(x.dtype)


def _polygamma_of_order(order: float, x: np.ndarray) -> np.ndarray:
    if order == 0:
        return _digamma(x)
    if order < 0 or order != math.floor(order):
        return np.full_like(x, np.nan)
    pole = (x <= 0) & (x == np.floor(x))
    safe = np.where(pole, 0.5, x)
    value = (-1.0) ** (order + 1) * math.factorial(int(order)) * \
        _hurwitz_zeta(int(order) + 1, safe)
    return np.where(pole, np.inf if order % 2 else np.nan, value)


def _erfc(x: Any) -> np.ndarray:
    x = np.asarray(x)
    values = np.frompyfunc(math.erfc, 1, 1)(x.astype(np.float64))
    return np.asarray(values, dtype=np.float64).astype(x.dtype)


def _lgamma_grad(op: Any, g: Tensor) -> list:
    return [multiply(g, digamma(op.inputs[0]))]


def _digamma_grad(op: Any, g: Tensor) -> list:
    x = op.inputs[0]
    return [multiply(g, polygamma(convert_to_tensor(1, x.dtype), x))]


def _polygamma_grad(op: Any, g: Tensor) -> list:
    n, x = op.inputs
    return [None, multiply(g, polygamma(n + 1, x))]


def _erfc_grad(op: Any, g: Tensor) -> list:
    x = op.inputs[0]
    return [multiply(g, multiply(exp(negative(square(x))), -2 / math.sqrt(math.pi)))]


lgamma = unary("Lgamma", _lgamma, FLOATS, grad=_lgamma_grad)
digamma = unary("Digamma", _digamma, FLOATS, grad=_digamma_grad)
erfc = unary("Erfc", _erfc, FLOATS, grad=_erfc_grad)
register("Polygamma", broadcast_infer("Polygamma", (d.float32, d.float64)),
         lambda op: _polygamma,
         grad=_polygamma_grad, broadcasts=True, elementwise=True)


def polygamma(a: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """The a-th derivative of digamma at x (a a non-negative integer value of x's dtype)."""
    return single(apply_op("Polygamma", [a, x], name=name, arg_names=("a", "x"),
                           same_dtype=True))


# --- xlogy, xdivy, multiply_no_nan: 0 where x (or y) is 0 --------------------------------------

def _zero_where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.where(mask, np.zeros((), values.dtype), values)


def _xlogy(x: Any, y: Any) -> np.ndarray:
    x, y = np.asarray(x), np.asarray(y)
    return _zero_where(np.broadcast_to(x == 0, np.broadcast_shapes(x.shape, y.shape)),
                       x * np.log(y))


def _xdivy(x: Any, y: Any) -> np.ndarray:
    x, y = np.asarray(x), np.asarray(y)
    return _zero_where(np.broadcast_to(x == 0, np.broadcast_shapes(x.shape, y.shape)), x / y)


def _mul_no_nan(x: Any, y: Any) -> np.ndarray:
    x, y = np.asarray(x), np.asarray(y)
    return _zero_where(np.broadcast_to(y == 0, np.broadcast_shapes(x.shape, y.shape)), x * y)


def _nonzero(x: Tensor) -> Tensor:
    """1 where x is not 0, else 0, in x's dtype (TF's `not_zero_x`)."""
    return cast(not_equal(x, array_ops.zeros_like(x)), x.dtype)


def _xlogy_grad(op: Any, g: Tensor) -> list:
    x, y = op.inputs
    return [multiply(g, xlogy(_nonzero(x), y)), multiply(g, xdivy(x, y))]


def _xdivy_grad(op: Any, g: Tensor) -> list:
    x, y = op.inputs
    return [multiply(g, xdivy(_nonzero(x), y)), multiply(g, xdivy(negative(x), square(y)))]


def _mul_no_nan_grad(op: Any, g: Tensor) -> list:
    x, y = op.inputs
    return [multiply_no_nan(g, y), multiply_no_nan(x, g)]


def _safe_binary(op_type: str, fn: Callable, grad: Callable) -> Callable:
    register(op_type, broadcast_infer(op_type, FLOAT_COMPLEX), lambda op: fn, grad=grad,
             broadcasts=True, elementwise=True)

    def build(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
        with op_scope(name, op_type, [x, y]) as scope:
            return single(apply_op(op_type, list(_operands(x, y)), name=scope))
    return build


xlogy = _safe_binary("Xlogy", _xlogy, _xlogy_grad)
xdivy = _safe_binary("Xdivy", _xdivy, _xdivy_grad)
_mul_no_nan_op = _safe_binary("MulNoNan", _mul_no_nan, _mul_no_nan_grad)


def multiply_no_nan(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """`x * y`, and 0 where y is 0 (even where x is inf or nan); as TF, y converts to x's
    dtype (a tensor of another dtype is a ValueError)."""
    with op_scope(name, "multiply_no_nan", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, x.dtype, name="y")
        return _mul_no_nan_op(x, y, name=scope)
xlogy.__doc__ = "`x * log(y)`, and 0 where x is 0 (even where log(y) is inf or nan)."
xdivy.__doc__ = "`x / y`, and 0 where x is 0 (even where y is 0)."


# --- composites, as TF builds them ---------------------------------------------------------------

def reciprocal_no_nan(x: Any, name: Optional[str] = None) -> Tensor:
    """`1 / x`, and 0 where x is 0 (a DivNoNan op, for floating and complex x as TF)."""
    with op_scope(name, "reciprocal_no_nan", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        one = convert_to_tensor(np.ones((), x.dtype.as_numpy_dtype), name="Const")
        return single(apply_op("DivNoNan", [one, x], name=scope))


def reduce_variance(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                    name: Optional[str] = None) -> Tensor:
    """The variance over `axis` (all axes for None): the mean of squared deviations."""
    with op_scope(None, name or "reduce_variance", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        means = reduce_mean(x, axis, keepdims=True)
        if means.dtype.is_integer:
            raise TypeError("Input must be either real or complex")
        deviations = x - means
        squared = real(deviations * conj(deviations)) if deviations.dtype.is_complex else \
            square(deviations)
        return reduce_mean(squared, axis, keepdims=keepdims)


def reduce_std(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: Optional[str] = None) -> Tensor:
    """The standard deviation over `axis` (all axes for None)."""
    with op_scope(None, name or "reduce_std", [input_tensor]):
        return sqrt(reduce_variance(input_tensor, axis, keepdims))


def reduce_euclidean_norm(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                          name: Optional[str] = None) -> Tensor:
    """sqrt(sum(x * conj(x))) over `axis` (TF's EuclideanNorm reduction)."""
    return _reduce("EuclideanNorm", input_tensor, axis, keepdims, name, None, None)


def angle(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002 - TF's name
    """The argument of complex numbers; for real numbers pi where negative, else 0."""
    with op_scope(name, "Angle", [input]) as scope:
        x = convert_to_tensor(input, name="input")
        if x.dtype.is_complex:
            return single(apply_op("Angle", [x], {"Tout": x.dtype.real_dtype}, scope))
        return where(less(x, array_ops.zeros_like(x)), np.pi * array_ops.ones_like(x),
                     array_ops.zeros_like(x), name=scope)


register("Angle", lambda inputs, attrs: [(inputs[0]._dtype.real_dtype, inputs[0]._dims)],
         lambda op: np.angle, grad=NOT_DIFFERENTIABLE)
