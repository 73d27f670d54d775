"""Samples for the op blocks of ops/math_ops.py: arithmetic, math functions, comparisons, casts,
products, scans, reductions, arg-reductions and selection."""
from __future__ import annotations

import math

import numpy as np

import session_magic as sm
from session_magic.ops import math_ops
from session_magic.ops.registry import apply_op

from . import Sample, booleans, f32, f64, i32

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


# --- arithmetic ----------------------------------------------------------------------------------

_NONZERO_INTS = np.array([[-7, 7, -2, 3], [5, -5, 1, -1]], np.int32)
_DIVISORS = np.array([[2, 2, 3, -2], [-3, 3, 4, 1]], np.int32)
_FLOAT_DIVISORS = np.array([[2.5, -1.5, 0.75, 3.0]], np.float32)


def _truncate_divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.trunc(x / y).astype(x.dtype)


_add(
    Sample("AddV2", lambda x, y: sm.add(x, y), [f32(2, 3), f32(3, seed=1)], np.add,
           label="broadcast"),
    Sample("AddV2", lambda x, y: x + y, [i32(2, 1), i32(1, 4)], np.add, label="int32 operator"),
    Sample("AddV2", lambda x: x + 1.5, [f64(3)], lambda x: x + 1.5, label="python scalar"),
    Sample("Add", lambda x, y: sm.add(x, y), [np.array([b"ab", b"c"], object),
                                               np.array([b"d", b""], object)],
           lambda x, y: np.array([b"abd", b"c"], object), label="strings join"),
    Sample("Add", lambda x, y: apply_op("Add", [x, y]).outputs[0], [f32(2, 3), f32(3, seed=1)],
           np.add, label="numbers, as TF 1 graphs hold them"),
    Sample("Sub", lambda x, y: sm.subtract(x, y), [f32(4), f32(4, seed=1)], np.subtract),
    Sample("Sub", lambda x: 1 - x, [i32(2, 2)], lambda x: 1 - x, label="reflected int"),
    Sample("Mul", lambda x, y: sm.multiply(x, y), [f32(2, 3), f32(2, 1)], np.multiply),
    Sample("Mul", lambda x: sm.scalar_mul(3, x), [i32(5)], lambda x: 3 * x, label="scalar_mul"),
    Sample("RealDiv", lambda x, y: sm.realdiv(x, y), [f32(2, 4), _FLOAT_DIVISORS], np.divide),
    Sample("RealDiv", lambda x, y: x / y, [_NONZERO_INTS, _DIVISORS],
           lambda x, y: x / y, label="int32 truediv via float64 casts"),
    Sample("RealDiv", lambda x, y: sm.div(x, y), [f64(3), f64(3, seed=2)], np.divide,
           label="legacy div of floats"),
    Sample("FloorDiv", lambda x, y: x // y, [_NONZERO_INTS, _DIVISORS], np.floor_divide,
           label="negative ints"),
    Sample("FloorDiv", lambda x, y: sm.floordiv(x, y), [f32(2, 4), _FLOAT_DIVISORS],
           np.floor_divide, label="floats"),
    Sample("FloorDiv", lambda x, y: sm.div(x, y), [_NONZERO_INTS, _DIVISORS], np.floor_divide,
           label="legacy div of ints"),
    Sample("FloorMod", lambda x, y: x % y, [_NONZERO_INTS, _DIVISORS], np.mod,
           label="negative ints"),
    Sample("FloorMod", lambda x, y: sm.floormod(x, y), [f64(2, 4), _FLOAT_DIVISORS.astype(
        np.float64)], np.mod, label="floats"),
    Sample("TruncateDiv", lambda x, y: sm.truncatediv(x, y), [_NONZERO_INTS, _DIVISORS],
           _truncate_divide, label="ints round toward zero"),
    Sample("TruncateDiv", lambda x, y: sm.truncatediv(x, y), [f32(2, 4), _FLOAT_DIVISORS],
           lambda x, y: np.trunc(x / y), label="floats"),
    Sample("TruncateMod", lambda x, y: sm.truncatemod(x, y), [_NONZERO_INTS, _DIVISORS],
           np.fmod, label="ints"),
    Sample("TruncateMod", lambda x, y: sm.truncatemod(x, y), [f32(2, 4), _FLOAT_DIVISORS],
           np.fmod, label="floats"),
    Sample("DivNoNan", lambda x, y: sm.div_no_nan(x, y),
           [f32(2, 3), np.array([0.0, 2.0, -0.5], np.float32)],
           lambda x, y: np.where(y == 0, 0, x / np.where(y == 0, 1, y)).astype(np.float32),
           grad_check=False),  # NOTE: a step at y = 0; the sample below checks the gradient.
    Sample("DivNoNan", lambda x, y: sm.div_no_nan(x, y), [f64(2, 3), f64(3, low=0.5)],
           np.divide, label="no zero divisor"),
    Sample("Pow", lambda x, y: sm.pow(x, y), [f32(3, low=0.5), f32(3, seed=3)], np.power),
    Sample("Pow", lambda x: x ** 2, [i32(2, 3)], lambda x: x ** 2, label="int operator"),
    Sample("Neg", lambda x: sm.negative(x), [f32(2, 2)], np.negative),
    Sample("Neg", lambda x: -x, [i32(4)], np.negative, label="int operator"),
    Sample("Maximum", lambda x, y: sm.maximum(x, y), [f32(2, 3), f32(3, seed=4)], np.maximum),
    Sample("Minimum", lambda x, y: sm.minimum(x, y), [i32(2, 3), i32(1, 3, seed=4)],
           np.minimum),
    Sample("Minimum", lambda x: sm.clip_by_value(x, -0.5, 0.5), [f32(3, 3)],
           lambda x: np.clip(x, -0.5, 0.5), label="clip_by_value"),
    Sample("SquaredDifference", lambda x, y: sm.squared_difference(x, y),
           [f32(2, 3), f32(2, 3, seed=5)], lambda x, y: (x - y) ** 2),
    Sample("SquaredDifference", lambda x, y: sm.squared_difference(x, y),
           [i32(4), i32(4, seed=5)], lambda x, y: (x - y) ** 2, label="int32"),
    Sample("Atan2", lambda y, x: sm.atan2(y, x), [f32(2, 3), f32(2, 3, seed=6)], np.arctan2),
    Sample("AddN", lambda x, y, z: sm.add_n([x, y, z]), [f32(2, 3), f32(2, 3, seed=1),
                                                         f32(2, 3, seed=2)],
           lambda x, y, z: x + y + z),
    Sample("AddN", lambda x, y: sm.add_n([x, y]), [i32(4), i32(4, seed=1)], np.add,
           label="int32"),
    Sample("AddN", lambda x, y: sm.accumulate_n([x, y], shape=[3]),
           [f64(3), f64(3, seed=1)], np.add, label="accumulate_n, an AddN as in TF 2"),
    Sample("AccumulateNV2", lambda x, y: apply_op("AccumulateNV2", [x, y],
                                                   {"N": 2, "shape": (3,)}).outputs[0],
           [f64(3), f64(3, seed=1)], np.add, label="as TF 1 graphs hold it"),
)


# --- elementwise functions -----------------------------------------------------------------------

_UNARY = [  # (op type, builder, NumPy oracle, input)
    ("Square", sm.square, np.square, f32(2, 3)),
    ("Sqrt", sm.sqrt, np.sqrt, f32(2, 3, low=0.1)),
    ("Rsqrt", sm.rsqrt, lambda x: 1 / np.sqrt(x), f32(2, 3, low=0.1)),
    ("Exp", sm.exp, np.exp, f32(2, 3)),
    ("Expm1", sm.expm1, np.expm1, f32(4)),
    ("Log", sm.log, np.log, f32(2, 3, low=0.1)),
    ("Log1p", sm.log1p, np.log1p, f32(4, low=-0.9)),
    ("Sin", sm.sin, np.sin, f32(5)),
    ("Cos", sm.cos, np.cos, f32(5)),
    ("Tan", sm.tan, np.tan, f32(5, low=-1.0, high=1.0)),
    ("Asin", sm.asin, np.arcsin, f32(5, low=-0.9, high=0.9)),
    ("Acos", sm.acos, np.arccos, f32(5, low=-0.9, high=0.9)),
    ("Atan", sm.atan, np.arctan, f32(5)),
    ("Sinh", sm.sinh, np.sinh, f32(5)),
    ("Cosh", sm.cosh, np.cosh, f32(5)),
    ("Tanh", sm.tanh, np.tanh, f64(2, 3)),
    ("Asinh", sm.asinh, np.arcsinh, f32(5)),
    ("Acosh", sm.acosh, np.arccosh, f32(5, low=1.0, high=3.0)),
    ("Atanh", sm.atanh, np.arctanh, f32(5, low=-0.9, high=0.9)),
    ("Sigmoid", sm.sigmoid, lambda x: 1 / (1 + np.exp(-x)), f32(2, 3, low=-6.0, high=6.0)),
    ("Reciprocal", sm.reciprocal, np.reciprocal, f32(4, low=0.5)),
    ("Floor", sm.floor, np.floor, f32(2, 3)),
    ("Ceil", sm.ceil, np.ceil, f32(2, 3)),
    ("Rint", sm.rint, np.rint, np.array([0.5, 1.5, 2.5, -0.5, -1.7], np.float32)),
    ("Erf", sm.erf, np.vectorize(math.erf), f64(2, 3)),
    ("Sign", sm.sign, np.sign, f32(2, 3, low=0.5) * np.array([1, -1, 1], np.float32)),
    ("IsNan", sm.is_nan, np.isnan, np.array([1.0, np.nan, np.inf, -np.inf], np.float32)),
    ("IsInf", sm.is_inf, np.isinf, np.array([1.0, np.nan, np.inf, -np.inf], np.float32)),
    ("IsFinite", sm.is_finite, np.isfinite, np.array([1.0, np.nan, np.inf], np.float64)),
    ("LogicalNot", sm.logical_not, np.logical_not, booleans(2, 3)),
]
_add(*[Sample(op_type, lambda x, build=build: build(x), [array], oracle)
       for op_type, build, oracle, array in _UNARY])

_COMPLEX = np.array([[1 + 2j, -3 + 0.5j], [0j, -1 - 1j]], np.complex64)

_add(
    Sample("Square", lambda x: sm.square(x), [i32(2, 3)], np.square, label="int32"),
    # NOTE: TF's gradient ops give 0 where the incoming gradient is 0, even where the
    # derivative is inf or nan (values recorded from TF 2.21)
    Sample("SqrtGrad", lambda y, dy: math_ops.sqrt_grad(y, dy),
           [np.array([0.0, 0.0, 4.0, -1.0, np.nan], np.float32),
            np.array([0.0, 1.0, 2.0, 0.0, 0.0], np.float32)],
           lambda y, dy: np.array([0.0, np.inf, 0.25, 0.0, 0.0], np.float32), grad_check=False),
    Sample("SqrtGrad", lambda y, dy: math_ops.sqrt_grad(y, dy), [f64(2, 3, low=0.5), f64(2, 3)],
           lambda y, dy: 0.5 * dy / y, label="smooth"),
    Sample("RsqrtGrad", lambda y, dy: math_ops.rsqrt_grad(y, dy), [f64(2, 3, low=0.5), f64(2, 3)],
           lambda y, dy: -0.5 * dy * y ** 3),
    Sample("RsqrtGrad", lambda y, dy: math_ops.rsqrt_grad(y, dy),
           [np.array([np.inf, np.nan, 2.0], np.float32), np.array([0.0, 0.0, 1.0], np.float32)],
           lambda y, dy: np.array([0.0, 0.0, -4.0], np.float32), grad_check=False,
           label="zero gradient"),
    Sample("ReciprocalGrad", lambda y, dy: math_ops.reciprocal_grad(y, dy),
           [f64(2, 3, low=0.5), f64(2, 3)], lambda y, dy: -dy * y * y),
    Sample("ReciprocalGrad", lambda y, dy: math_ops.reciprocal_grad(y, dy),
           [np.array([np.inf, np.nan, 2.0], np.float32), np.array([0.0, 0.0, 1.0], np.float32)],
           lambda y, dy: np.array([0.0, 0.0, -4.0], np.float32), grad_check=False,
           label="zero gradient"),
    Sample("Sign", lambda x: sm.sign(x), [np.array([-2.5, 0.0, 3.0], np.float32)], np.sign,
           grad_check=False, label="zero"),  # NOTE: a step at 0, where differences blow up.
    Sample("Sign", lambda x: sm.sign(x), [i32(2, 3)], np.sign, label="int32"),
    Sample("Sign", lambda x: sm.sign(x), [_COMPLEX],
           lambda x: np.where(x == 0, 0, x / np.where(x == 0, 1, np.abs(x))), label="complex"),
    Sample("Abs", lambda x: sm.abs(x), [f32(2, 3)], np.abs),
    Sample("Abs", lambda x: abs(x), [i32(5)], np.abs, label="int32 operator"),
    Sample("ComplexAbs", lambda x: sm.abs(x), [_COMPLEX], np.abs),
    Sample("Round", lambda x: sm.round(x), [np.array([0.5, 1.5, 2.5, -2.5, 0.4], np.float32)],
           np.rint, label="half to even"),
    Sample("Round", lambda x: apply_op("Round", [x])._outputs[0], [i32(4)], lambda x: x,
           label="int32 kernel"),
    Sample("Exp", lambda x: sm.exp(x), [_COMPLEX], np.exp, rtol=1e-5, label="complex"),
    Sample("Conj", lambda x: sm.conj(x), [_COMPLEX], np.conj),
    Sample("Complex", lambda x, y: sm.complex(x, y), [f32(2, 3), f32(3, seed=1)],
           lambda x, y: (x + 1j * y).astype(np.complex64), grad_check=False),
    Sample("Real", lambda x: sm.real(x), [_COMPLEX], np.real),
    Sample("Imag", lambda x: sm.imag(x), [_COMPLEX.astype(np.complex128)], np.imag),
)


# --- comparisons and logic -----------------------------------------------------------------------

_add(
    Sample("Equal", lambda x, y: sm.equal(x, y), [i32(3, 4), i32(4, seed=1)], np.equal),
    Sample("Equal", lambda x, y: sm.equal(x, y), [booleans(3), booleans(3, seed=1)], np.equal,
           label="bool"),
    Sample("NotEqual", lambda x, y: sm.not_equal(x, y), [f32(3), f32(3)], np.not_equal),
    Sample("Less", lambda x: x < 2, [i32(2, 3)], lambda x: x < 2),
    Sample("LessEqual", lambda x, y: x <= y, [f32(2, 3), f32(3, seed=1)], np.less_equal),
    Sample("Greater", lambda x, y: sm.greater(x, y), [i32(4), i32(4, seed=2)], np.greater),
    Sample("GreaterEqual", lambda x: x >= 0.0, [f64(2, 2)], lambda x: x >= 0.0),
    Sample("LogicalAnd", lambda x, y: sm.logical_and(x, y), [booleans(2, 3),
                                                              booleans(3, seed=1)],
           np.logical_and),
    Sample("LogicalOr", lambda x, y: x | y, [booleans(4), booleans(4, seed=1)], np.logical_or),
    Sample("LogicalAnd", lambda x, y: sm.logical_xor(x, y), [booleans(2, 3),
                                                              booleans(2, 3, seed=2)],
           np.logical_xor, label="logical_xor"),
    Sample("LogicalAnd", lambda x, y: x ^ y, [booleans(3), booleans(3, seed=3)],
           np.logical_xor, label="xor operator"),
    Sample("BitwiseAnd", lambda x, y: x & y, [i32(2, 3), i32(3, seed=1)], np.bitwise_and),
    Sample("BitwiseOr", lambda x, y: sm.bitwise.bitwise_or(x, y),
           [i32(4).astype(np.uint8), i32(4, seed=1).astype(np.uint8)], np.bitwise_or),
    Sample("BitwiseXor", lambda x, y: x ^ y, [i32(4).astype(np.int64), i32(4, seed=2)
                                              .astype(np.int64)], np.bitwise_xor),
    Sample("Invert", lambda x: ~x, [i32(2, 2).astype(np.int8)], np.invert),
    Sample("PopulationCount", lambda x: sm.bitwise.population_count(x),
           [np.array([0, 1, 7, -1, -128], np.int8)],
           lambda x: np.array([0, 1, 3, 8, 1], np.uint8)),
    # NOTE: TF clamps a shift into [0, bits - 1]: int8 1 << 8 is -128 (recorded from TF 2.21)
    Sample("LeftShift", lambda x, y: sm.bitwise.left_shift(x, y),
           [np.array([1, 1, 1, -8], np.int8), np.array([7, 8, -1, 1], np.int8)],
           lambda x, y: np.array([-128, -128, 1, -16], np.int8)),
    Sample("RightShift", lambda x, y: sm.bitwise.right_shift(x, y),
           [np.array([-128, 64, 1, -8], np.int8), np.array([7, 8, -1, 1], np.int8)],
           lambda x, y: np.array([-1, 0, 1, -4], np.int8)),
)


# --- Cast ----------------------------------------------------------------------------------------

_add(
    # NOTE: grad_check=False where the result is an integer: no gradient flows back from it.
    Sample("Cast", lambda x: sm.cast(x, sm.int32), [np.array([-1.7, -0.5, 0.5, 2.9], np.float32)],
           lambda x: np.trunc(x).astype(np.int32), label="float to int truncates",
           grad_check=False),
    Sample("Cast", lambda x: sm.to_double(x), [i32(2, 3)], lambda x: x.astype(np.float64),
           label="to_double"),
    Sample("Cast", lambda x: sm.cast(x, sm.float64), [f32(2, 3)], lambda x: x.astype(np.float64),
           label="float32 to float64"),
    # NOTE: float -> complex -> float keeps float64's precision for the gradient check.
    Sample("Cast", lambda x: sm.cast(sm.cast(x, sm.complex128), x.dtype), [f32(2, 3)],
           lambda x: x, label="through complex and back"),
    Sample("Cast", lambda x: sm.to_float(x), [booleans(4)], lambda x: x.astype(np.float32),
           label="bool to float"),
    Sample("Cast", lambda x: sm.cast(x, sm.float32), [_COMPLEX], np.real,
           label="complex drops the imaginary part"),
    Sample("Cast", lambda x: sm.cast(x, sm.bool), [np.array([0, 3, -1], np.int64)],
           lambda x: x != 0, label="int to bool"),
    Sample("Cast", lambda x: sm.saturate_cast(x, sm.uint8), [np.array([-3.0, 7.5, 300.0],
                                                                       np.float32)],
           lambda x: np.clip(x, 0, 255).astype(np.uint8), label="saturate_cast", grad_check=False),
)


# --- MatMul, BatchMatMulV2, Tensordot ------------------------------------------------------------

# NOTE: unknown_shapes=False for MatMul: with an input of unknown rank TF (and so tf.matmul here)
# builds BatchMatMulV2 instead, so that mode cannot build the MatMul op under test.
_add(
    Sample("MatMul", lambda a, b: sm.matmul(a, b), [f32(2, 3), f32(3, 4, seed=1)], np.matmul,
           rtol=1e-5, unknown_shapes=False),
    Sample("MatMul", lambda a, b: sm.matmul(a, b, transpose_a=True, transpose_b=True),
           [f32(3, 2), f32(4, 3, seed=1)], lambda a, b: a.T @ b.T, rtol=1e-5,
           unknown_shapes=False, label="transposes"),
    Sample("MatMul", lambda a, b: a @ b, [i32(2, 2), i32(2, 3, seed=1)], np.matmul,
           unknown_shapes=False, label="int32 operator"),
    Sample("MatMul", lambda a, b: sm.matmul(a, b, adjoint_b=True),
           [_COMPLEX, _COMPLEX * 1j], lambda a, b: a @ np.conj(b).T, rtol=1e-5,
           unknown_shapes=False, label="complex adjoint"),
    Sample("BatchMatMulV2", lambda a, b: sm.matmul(a, b), [f32(2, 3, 4), f32(4, 5, seed=1)],
           np.matmul, rtol=1e-5, label="broadcast batch"),
    Sample("BatchMatMulV2", lambda a, b: sm.matmul(a, b, transpose_a=True, adjoint_b=True),
           [f64(2, 1, 4, 3), f64(3, 5, 4, seed=1)],
           lambda a, b: np.swapaxes(a, -1, -2) @ np.swapaxes(b, -1, -2), label="adjoints"),
    Sample("Tensordot", lambda a, b: sm.tensordot(a, b, 1), [f32(2, 3), f32(3, 4, seed=1)],
           lambda a, b: np.tensordot(a, b, 1), rtol=1e-5),
    Sample("Tensordot", lambda a, b: sm.tensordot(a, b, [[0, 2], [1, 0]]),
           [f64(3, 2, 4), f64(4, 3, 5, seed=1)],
           lambda a, b: np.tensordot(a, b, ([0, 2], [1, 0])), label="axis lists"),
    Sample("Tensordot", lambda a, b: sm.tensordot(a, b, 0), [i32(2), i32(3, seed=1)],
           np.outer, label="outer product"),
    Sample("Tensordot", lambda a, b: sm.tensordot(a, b, [-1, 0]), [i32(2, 3), i32(3, 2)],
           lambda a, b: a @ b, label="int pair with a negative axis"),
)


# --- Cumsum and Cumprod --------------------------------------------------------------------------

def _exclusive(values: np.ndarray, axis: int, fill: int) -> np.ndarray:
    moved = np.moveaxis(values, axis, 0)
    shifted = np.concatenate([np.full((1,) + moved.shape[1:], fill, values.dtype), moved[:-1]])
    return np.moveaxis(shifted, 0, axis)


_add(
    Sample("Cumsum", lambda x: sm.cumsum(x), [f32(3, 4)], lambda x: np.cumsum(x, 0), rtol=1e-5),
    Sample("Cumsum", lambda x: sm.cumsum(x, axis=1, exclusive=True), [i32(2, 4)],
           lambda x: _exclusive(np.cumsum(x, 1, dtype=np.int32), 1, 0), label="exclusive"),
    Sample("Cumsum", lambda x: sm.cumsum(x, axis=-1, reverse=True), [f64(2, 3)],
           lambda x: np.flip(np.cumsum(np.flip(x, -1), -1), -1), label="reverse"),
    Sample("Cumsum", lambda x: sm.cumsum(x, 0, exclusive=True, reverse=True), [i32(5)],
           lambda x: np.flip(_exclusive(np.cumsum(np.flip(x)), 0, 0)).astype(np.int32),
           label="exclusive reverse"),
    Sample("Cumprod", lambda x: sm.cumprod(x, axis=1), [f32(2, 4)],
           lambda x: np.cumprod(x, 1), rtol=1e-5),
    Sample("Cumprod", lambda x: sm.cumprod(x, exclusive=True), [i32(4)],
           lambda x: _exclusive(np.cumprod(x, dtype=np.int32), 0, 1), label="exclusive"),
)


# --- reductions ----------------------------------------------------------------------------------

_EMPTY = np.zeros((0, 3), np.float32)

_add(
    Sample("Sum", lambda x: sm.reduce_sum(x), [f32(2, 3)], np.sum, rtol=1e-5, label="all"),
    Sample("Sum", lambda x: sm.reduce_sum(x, 1), [i32(2, 3)],
           lambda x: np.sum(x, 1, dtype=np.int32), label="int32 keeps its dtype"),
    Sample("Sum", lambda x: sm.reduce_sum(x, axis=-1, keepdims=True), [f32(2, 3, 4)],
           lambda x: np.sum(x, -1, keepdims=True), rtol=1e-5, label="negative axis keepdims"),
    Sample("Sum", lambda x: sm.reduce_sum(x, reduction_indices=[0, 2], keep_dims=True),
           [f64(2, 3, 4)], lambda x: np.sum(x, (0, 2), keepdims=True), label="TF1 aliases"),
    Sample("Sum", lambda x: sm.reduce_sum(x, sm.constant([0])), [f32(3, 2)],
           lambda x: np.sum(x, 0), rtol=1e-5, label="axis as a constant"),
    Sample("Sum", lambda x: sm.reduce_sum(x, None, keepdims=True), [i32(2, 2)],
           lambda x: np.sum(x, keepdims=True, dtype=np.int32), label="all keepdims"),
    Sample("Mean", lambda x: sm.reduce_mean(x, 0), [f32(4, 3)], lambda x: np.mean(x, 0),
           rtol=1e-5),
    Sample("Mean", lambda x: sm.reduce_mean(x, 1),
           [np.array([[-3, 0], [3, 0], [-7, 2], [7, -2]], np.int32)],
           lambda x: np.array([-1, 1, -2, 2], np.int32), label="int mean truncates toward 0"),
    Sample("Mean", lambda x: sm.reduce_mean(x), [i32(3, 3)],
           lambda x: np.int32(np.trunc(np.sum(x) / x.size)), label="int32 all"),
    Sample("Max", lambda x: sm.reduce_max(x, 1), [f32(3, 4)], lambda x: np.max(x, 1)),
    Sample("Max", lambda x: sm.reduce_max(x, 0), [_EMPTY],
           lambda x: np.full(3, -np.inf, np.float32), label="empty gives -inf"),
    Sample("Max", lambda x: sm.reduce_max(x), [i32(2, 5)], np.max, label="int32"),
    Sample("Min", lambda x: sm.reduce_min(x, [0, 1]), [f64(2, 3, 2)],
           lambda x: np.min(x, (0, 1))),
    Sample("Min", lambda x: sm.reduce_min(x, 1), [np.zeros((2, 0), np.int32)],
           lambda x: np.full(2, np.iinfo(np.int32).max, np.int32), label="empty int"),
    Sample("Prod", lambda x: sm.reduce_prod(x, -2), [f32(2, 3)], lambda x: np.prod(x, -2),
           rtol=1e-5),
    Sample("Prod", lambda x: sm.reduce_prod(x), [i32(5, low=1, high=4)],
           lambda x: np.prod(x, dtype=np.int32), label="int32"),
    Sample("Prod", lambda x: sm.reduce_prod(x, 1),
           [np.array([[0.0, 2.0, -3.0], [0.0, 0.0, 1.5], [1.0, 0.5, 2.0]], np.float32)],
           lambda x: np.prod(x, 1), label="zeros"),
    Sample("Prod", lambda x: sm.reduce_prod(x, [0, 2], keepdims=True), [f64(2, 3, 2)],
           lambda x: np.prod(x, (0, 2), keepdims=True), label="axes moved to the front"),
    Sample("Prod", lambda x: sm.reduce_prod(x), [f64(2, 3)], np.prod, label="all"),
    Sample("Any", lambda x: sm.reduce_any(x, 1), [booleans(3, 4)], lambda x: np.any(x, 1)),
    Sample("All", lambda x: sm.reduce_all(x, keepdims=True), [booleans(3, 4)],
           lambda x: np.all(x, keepdims=True)),
    Sample("Max", lambda x: sm.reduce_logsumexp(x, 1), [f32(3, 4)],
           lambda x: np.log(np.sum(np.exp(x), 1)), rtol=1e-5, label="reduce_logsumexp"),
    Sample("Sum", lambda x: sm.count_nonzero(x, 0), [np.array([[0, 1], [2, 0], [3, 4]],
                                                              np.int32)],
           lambda x: np.count_nonzero(x, 0).astype(np.int64), label="count_nonzero"),
)


# --- ArgMax and ArgMin ---------------------------------------------------------------------------

_add(
    Sample("ArgMax", lambda x: sm.argmax(x), [f32(4, 3)],
           lambda x: np.argmax(x, 0).astype(np.int64), label="default axis 0"),
    Sample("ArgMax", lambda x: sm.argmax(x, 1, output_type=sm.int32), [i32(3, 5)],
           lambda x: np.argmax(x, 1).astype(np.int32), label="int32 output"),
    Sample("ArgMax", lambda x: sm.argmax(x, dimension=-1), [f64(2, 3, 4)],
           lambda x: np.argmax(x, -1).astype(np.int64), label="dimension alias"),
    Sample("ArgMin", lambda x: sm.argmin(x, 1), [f32(3, 4)],
           lambda x: np.argmin(x, 1).astype(np.int64)),
    Sample("ArgMin", lambda x: sm.arg_min(x, 0), [i32(5)],
           lambda x: np.argmin(x).astype(np.int64), label="arg_min"),
)


# --- Where, Select, SelectV2 ---------------------------------------------------------------------

_add(
    Sample("Where", lambda c: sm.where(c), [booleans(3, 4)],
           lambda c: np.argwhere(c).astype(np.int64)),
    Sample("Where", lambda x: sm.where(x), [i32(5)],
           lambda x: np.argwhere(x).astype(np.int64), label="numeric input"),
    Sample("Select", lambda c, x, y: sm.where(c, x, y), [booleans(2, 3), f32(2, 3),
                                                         f32(2, 3, seed=1)], np.where),
    Sample("Select", lambda c, x, y: sm.where(c, x, y), [booleans(3), i32(3, 2),
                                                         i32(3, 2, seed=1)],
           lambda c, x, y: np.where(c[:, None], x, y), label="vector condition picks rows"),
    Sample("Select", lambda c, x, y: sm.where(c, x, y), [np.array(False), f32(2),
                                                         f32(2, seed=2)],
           np.where, label="scalar condition"),
    Sample("SelectV2", lambda c, x, y: sm.where_v2(c, x, y), [booleans(2, 1), f32(3),
                                                              f32(2, 3, seed=1)], np.where),
)


# --- special functions and TF's safe arithmetic (ops/special_ops.py) -----------------------------
# NOTE: expected values at the poles and elsewhere were recorded from TF 2.21.

_add(
    Sample("Lgamma", lambda x: sm.lgamma(x), [np.array([0.1, 0.5, 2.5, 30.0, -2.5], np.float64)],
           lambda x: np.array([2.2527126517342055, 0.5723649429247001, 0.2846828704729192,
                               71.25703896716801, -0.05624371649767407]), rtol=1e-12),
    Sample("Lgamma", lambda x: sm.lgamma(x), [np.array([0.0, -1.0], np.float32)],
           lambda x: np.array([np.inf, np.inf], np.float32), label="poles", grad_check=False),
    Sample("Digamma", lambda x: sm.digamma(x),
           [np.array([0.1, 1.0, 7.0, 1e4, -0.5, -3.7], np.float64)],
           lambda x: np.array([-10.423754940411076, -0.5772156649015323, 1.8727843350984674,
                               9.21029037, 0.03648997397857645, -0.84507686]), rtol=1e-8),
    Sample("Digamma", lambda x: sm.digamma(x), [np.array([0.0, -1.0], np.float32)],
           lambda x: np.array([np.nan, np.nan], np.float32), label="poles", grad_check=False),
    Sample("Polygamma", lambda x: sm.math.polygamma(sm.ones_like(x) * 2.0, x),
           [np.array([0.1, 1.0, 2.5, 30.0, -0.5], np.float64)],
           lambda x: np.array([-2001.8614573783439, -2.404113806319188, -0.23620405164172736,
                               -0.0011487652037285997, -0.82879664423432]), rtol=1e-10),
    Sample("Erfc", lambda x: sm.erfc(x), [f64(2, 3, low=-3.0, high=3.0)],
           lambda x: np.vectorize(math.erfc)(x)),
    Sample("Xlogy", lambda x, y: sm.math.xlogy(x, y),
           [np.array([0.0, 1.5, 2.0, 0.0], np.float32), np.array([0.0, 2.0, 3.0, -1.0],
                                                                 np.float32)],
           lambda x, y: np.array([0.0, 1.5 * np.log(2.0), 2 * np.log(3.0), 0.0], np.float32),
           grad_check=False, label="zero x"),
    Sample("Xlogy", lambda x, y: sm.math.xlogy(x, y), [f64(2, 3), f64(3, low=0.5, seed=1)],
           lambda x, y: x * np.log(y)),
    Sample("Xdivy", lambda x, y: sm.math.xdivy(x, y), [f64(2, 3), f64(3, low=0.5, seed=1)],
           lambda x, y: x / y),
    Sample("MulNoNan", lambda x, y: sm.math.multiply_no_nan(x, y),
           [np.array([np.inf, np.nan, 2.0], np.float32), np.array([0.0, 0.0, 3.0], np.float32)],
           lambda x, y: np.array([0.0, 0.0, 6.0], np.float32), grad_check=False,
           label="zero y"),
    Sample("MulNoNan", lambda x, y: sm.math.multiply_no_nan(x, y), [f64(2, 3), f64(3, seed=1)],
           np.multiply),
    Sample("EuclideanNorm", lambda x: sm.math.reduce_euclidean_norm(x, 1), [f64(3, 4)],
           lambda x: np.sqrt((x * x).sum(1))),
    Sample("EuclideanNorm", lambda x: sm.math.reduce_euclidean_norm(x, 1),
           [np.array([[3, 4], [1, 1]], np.int32)], lambda x: np.array([5, 1], np.int32),
           label="int32 truncates"),
    Sample("Angle", lambda x: sm.angle(x), [_COMPLEX], np.angle),
)
