"""dtype and broadcasting rules: operators on every dtype, Python scalars beside tensors,
reductions of small ints and halves, casts, floor division's corners, argmax of NaN, and
broadcasting of static and fed shapes. Inputs are fed to placeholders so that every value is
computed when run, never folded while building."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..harness import Program

SIGNED = ("int8", "int16", "int32", "int64")
UNSIGNED = ("uint8", "uint16", "uint32", "uint64")
FLOATS = ("float16", "float32", "float64")
COMPLEX = ("complex64", "complex128")
DTYPES = SIGNED + UNSIGNED + FLOATS + ("bool",) + COMPLEX

_X = {"signed": [-7, 3, 0, 5, 100], "unsigned": [7, 3, 0, 200, 5],
      "float": [-7.5, 3.25, 0.0, 5.0, 100.0], "bool": [True, False, True, False, True],
      "complex": [1 + 2j, -3 + 0.5j, 0j, 2 + 0j, 1j]}
_Y = {"signed": [2, -3, 1, 4, 7], "unsigned": [2, 3, 1, 4, 7],
      "float": [2.0, -3.0, 0.5, 4.0, 7.0], "bool": [True, True, False, False, False],
      "complex": [2 - 1j, 1j, 1 + 0j, -1 + 0j, 0.5 + 0j]}
_EXPONENTS = [2, 3, 0, 1, 1]


def _family(dtype: str) -> str:
    if dtype in SIGNED:
        return "signed"
    if dtype in UNSIGNED:
        return "unsigned"
    if dtype in FLOATS:
        return "float"
    return "complex" if dtype in COMPLEX else "bool"


def _fed(tf: Any, values: Any, dtype: str, name: str) -> tuple:
    """A placeholder of `dtype` and shape [len(values)] and the array it is fed."""
    array = np.array(values, dtype=dtype)
    return tf.placeholder(tf.as_dtype(dtype), array.shape, name=name), array


def _binary(dtype: str, operate: Callable, y_values: Any = None) -> Callable:
    def build(tf: Any) -> dict:
        x, x_value = _fed(tf, _X[_family(dtype)], dtype, "x")
        y, y_value = _fed(tf, y_values or _Y[_family(dtype)], dtype, "y")
        return {"fetch": operate(tf, x, y), "feed": {x: x_value, y: y_value}}
    return build


def _unary(dtype: str, operate: Callable, values: Any = None) -> Callable:
    def build(tf: Any) -> dict:
        x, x_value = _fed(tf, _X[_family(dtype)] if values is None else values, dtype, "x")
        return {"fetch": operate(tf, x), "feed": {x: x_value}}
    return build


BINARY = {
    "add": lambda tf, x, y: x + y,
    "sub": lambda tf, x, y: x - y,
    "mul": lambda tf, x, y: x * y,
    "truediv": lambda tf, x, y: x / y,
    "floordiv": lambda tf, x, y: x // y,
    "mod": lambda tf, x, y: x % y,
    "and": lambda tf, x, y: x & y,
    "or": lambda tf, x, y: x | y,
    "xor": lambda tf, x, y: x ^ y,
    "less": lambda tf, x, y: x < y,
    "greater_equal": lambda tf, x, y: x >= y,
    "equal": lambda tf, x, y: tf.equal(x, y),
    "maximum": lambda tf, x, y: tf.maximum(x, y),
    "div": lambda tf, x, y: tf.div(x, y),
    "truncatediv": lambda tf, x, y: tf.truncatediv(x, y),
    "squared_difference": lambda tf, x, y: tf.squared_difference(x, y),
}

UNARY = {
    "neg": lambda tf, x: -x,
    "abs": lambda tf, x: abs(x),
    "invert": lambda tf, x: ~x,
    "sign": lambda tf, x: tf.sign(x),
    "square": lambda tf, x: tf.square(x),
    "getitem": lambda tf, x: x[1:4:2],
    "reduce_sum": lambda tf, x: tf.reduce_sum(x),
    "reduce_mean": lambda tf, x: tf.reduce_mean(x),
    "reduce_max": lambda tf, x: tf.reduce_max(x),
    "reduce_prod": lambda tf, x: tf.reduce_prod(x),
    "cumsum": lambda tf, x: tf.cumsum(x),
    "argmax": lambda tf, x: tf.argmax(x),
    "cast_float32": lambda tf, x: tf.cast(x, tf.float32),
    "cast_int32": lambda tf, x: tf.cast(x, tf.int32),
    "cast_bool": lambda tf, x: tf.cast(x, tf.bool),
    "cast_uint8": lambda tf, x: tf.cast(x, tf.uint8),
}

# Python scalars beside a tensor: converted to the tensor's dtype, or refused.
WITH_SCALARS = {
    "x+1": lambda tf, x: x + 1,
    "1-x": lambda tf, x: 1 - x,
    "x*2.5": lambda tf, x: x * 2.5,
    "2.5*x": lambda tf, x: 2.5 * x,
    "x-True": lambda tf, x: x - True,
    "x+300": lambda tf, x: x + 300,
    "x+(-1)": lambda tf, x: x + (-1),
    "x/2": lambda tf, x: x / 2,
    "x//2": lambda tf, x: x // 2,
    "x**2": lambda tf, x: x ** 2,
    "add(1,x)": lambda tf, x: tf.add(1, x),
    "maximum(0.0,x)": lambda tf, x: tf.maximum(0.0, x),
    "maximum(x,0)": lambda tf, x: tf.maximum(x, 0),
    "x+np.float64": lambda tf, x: x + np.float64(1.5),
    "x+np.int64": lambda tf, x: x + np.int64(2),
}


def _operator_programs() -> list[Program]:
    table = []
    for dtype in DTYPES:
        for name, operate in BINARY.items():
            table.append(Program(f"{name}/{dtype}", _binary(dtype, operate)))
        exponents = _EXPONENTS if _family(dtype) in ("signed", "unsigned") else None
        table.append(Program(f"pow/{dtype}", _binary(dtype, lambda tf, x, y: x ** y,
                                                     exponents)))
        for name, operate in UNARY.items():
            table.append(Program(f"{name}/{dtype}", _unary(dtype, operate)))
        for name, operate in WITH_SCALARS.items():
            table.append(Program(f"scalar {name}/{dtype}", _unary(dtype, operate)))
    return table


def _constant(value: Any, *args: Any, **kwargs: Any) -> Callable:
    return lambda tf: {"fetch": tf.constant(value, *args, **kwargs)}


def _small_int_reductions() -> list[Program]:
    image = np.full((2, 3), 200, np.uint8)
    hundreds = np.array([100, 100, 100], np.int8)
    halves = np.array([60000.0, 60000.0, 60000.0], np.float16)
    cases = {
        "reduce_mean uint8 image of 200s": (image, lambda tf, x: tf.reduce_mean(x)),
        "reduce_mean uint8 image axis 1": (image, lambda tf, x: tf.reduce_mean(x, 1)),
        "reduce_sum uint8 image of 200s": (image, lambda tf, x: tf.reduce_sum(x)),
        "reduce_mean int8 of 100s": (hundreds, lambda tf, x: tf.reduce_mean(x)),
        "reduce_sum int8 of 100s": (hundreds, lambda tf, x: tf.reduce_sum(x)),
        "reduce_prod int8 of 100s": (hundreds, lambda tf, x: tf.reduce_prod(x)),
        "reduce_mean int16 near max": (np.array([30000, 30000], np.int16),
                                       lambda tf, x: tf.reduce_mean(x)),
        "reduce_mean uint16 near max": (np.array([65000, 65000, 1], np.uint16),
                                        lambda tf, x: tf.reduce_mean(x)),
        "reduce_mean int32 truncates": (np.array([-3, 0, 1, 1], np.int32),
                                        lambda tf, x: tf.reduce_mean(x)),
        "reduce_mean float16 near max": (halves, lambda tf, x: tf.reduce_mean(x)),
        "reduce_sum float16 near max": (halves, lambda tf, x: tf.reduce_sum(x)),
        "reduce_mean float16 of 3 thirds": (np.array([0.1, 0.2, 0.3], np.float16),
                                            lambda tf, x: tf.reduce_mean(x)),
        "reduce_sum bool": (np.array([True, True]), lambda tf, x: tf.reduce_sum(x)),
        "reduce_any int": (np.array([0, 2], np.int32), lambda tf, x: tf.reduce_any(x)),
        "reduce_all bool": (np.array([True, False]), lambda tf, x: tf.reduce_all(x)),
        "count_nonzero float": (np.array([0.0, 1.5, -0.0, np.nan], np.float32),
                                lambda tf, x: tf.count_nonzero(x)),
        "reduce_logsumexp int": (np.array([1, 2], np.int32),
                                 lambda tf, x: tf.reduce_logsumexp(x)),
        "reduce_max empty int8": (np.zeros(0, np.int8), lambda tf, x: tf.reduce_max(x)),
        "reduce_min empty uint16": (np.zeros(0, np.uint16), lambda tf, x: tf.reduce_min(x)),
        "reduce_prod empty float16": (np.zeros(0, np.float16),
                                      lambda tf, x: tf.reduce_prod(x)),
    }
    return [Program(name, _array_program(array, operate)) for name, (array, operate)
            in cases.items()]


def _array_program(array: np.ndarray, operate: Callable) -> Callable:
    def build(tf: Any) -> dict:
        x = tf.placeholder(tf.as_dtype(array.dtype), array.shape, name="x")
        return {"fetch": operate(tf, x), "feed": {x: array}}
    return build


_F32 = np.float32
_CORNERS = {
    # floor division and modulo of floats: TF takes floor(x / y), Python and NumPy do not
    "floordiv 1.0 // 0.1 float32": (np.array([1.0], _F32), np.array([0.1], _F32),
                                    lambda tf, x, y: x // y),
    "floordiv 1.0 // 0.1 float64": (np.array([1.0]), np.array([0.1]), lambda tf, x, y: x // y),
    "floordiv inf // -2.5": (np.array([np.inf, -np.inf], _F32), np.array([-2.5, 2.5], _F32),
                             lambda tf, x, y: x // y),
    "floordiv by zero float": (np.array([1.0, -1.0, 0.0], _F32), np.zeros(3, _F32),
                               lambda tf, x, y: x // y),
    "floordiv negative zero": (np.array([-0.0, 0.0], _F32), np.array([1.0, -1.0], _F32),
                               lambda tf, x, y: x // y),
    "floormod 1.0 % 0.1": (np.array([1.0], _F32), np.array([0.1], _F32),
                           lambda tf, x, y: x % y),
    "floormod signs float": (np.array([-7.5, 7.5, -7.5, 7.5], _F32),
                             np.array([2.0, -2.0, -2.0, 2.0], _F32), lambda tf, x, y: x % y),
    "floormod inf and by zero": (np.array([np.inf, 1.0, 3.0], _F32),
                                 np.array([2.0, 0.0, np.inf], _F32), lambda tf, x, y: x % y),
    "floordiv int min by -1": (np.array([-128], np.int8), np.array([-1], np.int8),
                               lambda tf, x, y: x // y),
    "floormod signs int": (np.array([-7, 7, -7, 7], np.int32), np.array([2, -2, -2, 2], np.int32),
                           lambda tf, x, y: x % y),
    "truncatemod signs int": (np.array([-7, 7, -7, 7], np.int32),
                              np.array([2, -2, -2, 2], np.int32),
                              lambda tf, x, y: tf.truncatemod(x, y)),
    "floordiv uint by zero": (np.array([3], np.uint8), np.array([0], np.uint8),
                              lambda tf, x, y: x // y),
    "truediv int by zero": (np.array([3, -3, 0], np.int32), np.zeros(3, np.int32),
                            lambda tf, x, y: x / y),
    "div_no_nan int": (np.array([3, 4], np.int32), np.array([0, 2], np.int32),
                       lambda tf, x, y: tf.div_no_nan(x, y)),
    "pow int negative exponent": (np.array([2, 1], np.int32), np.array([-1, -2], np.int32),
                                  lambda tf, x, y: x ** y),
    "pow float 0 ** -1": (np.array([0.0, -8.0], _F32), np.array([-1.0, 1.0 / 3.0], _F32),
                          lambda tf, x, y: x ** y),
    "atan2 signed zeros": (np.array([0.0, -0.0, 0.0, -0.0], _F32),
                           np.array([0.0, 0.0, -0.0, -0.0], _F32),
                           lambda tf, x, y: tf.atan2(x, y)),
    "maximum with nan": (np.array([np.nan, 1.0, np.nan], _F32),
                         np.array([1.0, np.nan, np.nan], _F32), lambda tf, x, y: tf.maximum(x, y)),
    "minimum with nan": (np.array([np.nan, 1.0], _F32), np.array([1.0, np.nan], _F32),
                         lambda tf, x, y: tf.minimum(x, y)),
    "equal nan": (np.array([np.nan, 1.0], _F32), np.array([np.nan, 1.0], _F32),
                  lambda tf, x, y: tf.equal(x, y)),
}


def _corner(x: np.ndarray, y: np.ndarray, operate: Callable) -> Callable:
    def build(tf: Any) -> dict:
        px = tf.placeholder(tf.as_dtype(x.dtype), x.shape, name="x")
        py = tf.placeholder(tf.as_dtype(y.dtype), y.shape, name="y")
        return {"fetch": operate(tf, px, py), "feed": {px: x, py: y}}
    return build


_ONE_ARGUMENT = {
    "argmax with nan": (np.array([1.0, np.nan, 3.0], _F32), lambda tf, x: tf.argmax(x)),
    "argmin with nan": (np.array([1.0, np.nan, -3.0], _F32), lambda tf, x: tf.argmin(x)),
    "argmax with nan first": (np.array([np.nan, 5.0, 1.0], _F32), lambda tf, x: tf.argmax(x)),
    "argmax all nan rows": (np.array([[np.nan, np.nan], [2.0, 2.0]], _F32),
                            lambda tf, x: tf.argmax(x, 1)),
    "argmax ties": (np.array([3, 1, 3], np.int32), lambda tf, x: tf.argmax(x)),
    "reduce_max with nan": (np.array([1.0, np.nan, 3.0], _F32), lambda tf, x: tf.reduce_max(x)),
    "reduce_min with nan": (np.array([1.0, np.nan, -3.0], _F32), lambda tf, x: tf.reduce_min(x)),
    "saturate_cast float32 to uint8": (np.array([-3.0, 7.5, 300.0, 255.5], _F32),
                                       lambda tf, x: tf.saturate_cast(x, tf.uint8)),
    "saturate_cast int32 to int8": (np.array([-1000, 1000, 5], np.int32),
                                    lambda tf, x: tf.saturate_cast(x, tf.int8)),
    "saturate_cast uint8 to int8": (np.array([200, 100], np.uint8),
                                    lambda tf, x: tf.saturate_cast(x, tf.int8)),
    "saturate_cast int64 to uint32": (np.array([-5, 2**40, 7], np.int64),
                                      lambda tf, x: tf.saturate_cast(x, tf.uint32)),
    "saturate_cast float64 to int32": (np.array([1e10, -1e10, 2.7]),
                                       lambda tf, x: tf.saturate_cast(x, tf.int32)),
    "saturate_cast float64 to float16": (np.array([1e6, -1e6, 1.5]),
                                         lambda tf, x: tf.saturate_cast(x, tf.float16)),
    "saturate_cast complex to float32": (np.array([1e40 + 1j, 2 - 1j]),
                                         lambda tf, x: tf.saturate_cast(x, tf.float32)),
    "cast float to int truncates": (np.array([-1.7, -0.5, 0.5, 2.9], _F32),
                                    lambda tf, x: tf.cast(x, tf.int32)),
    "cast int64 to int32 wraps": (np.array([2**33 + 5, -(2**31) - 1], np.int64),
                                  lambda tf, x: tf.cast(x, tf.int32)),
    "cast negative to uint8 wraps": (np.array([-1, 300], np.int32),
                                     lambda tf, x: tf.cast(x, tf.uint8)),
    "cast float32 to float16 overflows": (np.array([70000.0, 1e-8], _F32),
                                          lambda tf, x: tf.cast(x, tf.float16)),
    "cast complex to int": (np.array([2.7 - 1j], np.complex64), lambda tf, x: tf.cast(x, tf.int32)),
    "cast float to bool": (np.array([0.0, -0.0, 0.1, np.nan], _F32),
                           lambda tf, x: tf.cast(x, tf.bool)),
    "negative uint16": (np.array([1, 0, 65535], np.uint16), lambda tf, x: tf.negative(x)),
    "negative uint8 operator": (np.array([1, 0, 255], np.uint8), lambda tf, x: -x),
    "int64 - True": (np.array([5, -2], np.int64), lambda tf, x: x - True),
    "int64 + np.True_": (np.array([5], np.int64), lambda tf, x: x + np.True_),
    "float16 + 1e5": (np.array([1.0], np.float16), lambda tf, x: x + 1e5),
    "int8 + 1000": (np.array([1], np.int8), lambda tf, x: x + 1000),
    "uint8 - 2": (np.array([1], np.uint8), lambda tf, x: x - 2),
    "int32 + 2**31": (np.array([1], np.int32), lambda tf, x: x + 2**31),
    "int32 / int32 is float64": (np.array([7, -7], np.int32), lambda tf, x: x / 2),
    "int16 / is float32": (np.array([7, -7], np.int16), lambda tf, x: x / 2),
    "uint32 truediv": (np.array([7], np.uint32), lambda tf, x: tf.truediv(x, x)),
    "float16 / 3": (np.array([1.0], np.float16), lambda tf, x: x / 3),
    "bool / bool": (np.array([True]), lambda tf, x: x / x),
    "abs int8 min": (np.array([-128, 5], np.int8), lambda tf, x: tf.abs(x)),
    "neg int32 min": (np.array([-(2**31)], np.int32), lambda tf, x: -x),
    "sign of nan and zeros": (np.array([np.nan, -0.0, 0.0, -3.0], _F32),
                              lambda tf, x: tf.sign(x)),
    "round half to even": (np.array([0.5, 1.5, 2.5, -0.5, -2.5], _F32),
                           lambda tf, x: tf.round(x)),
    "rint float16": (np.array([0.5, 1.5, 2.5], np.float16), lambda tf, x: tf.rint(x)),
    "sqrt negative": (np.array([-1.0, -0.0], _F32), lambda tf, x: tf.sqrt(x)),
    "log zero and negative": (np.array([0.0, -1.0], _F32), lambda tf, x: tf.log(x)),
    "exp float16 overflows": (np.array([12.0, -20.0], np.float16), lambda tf, x: tf.exp(x)),
    "reciprocal zero": (np.array([0.0, -0.0], _F32), lambda tf, x: tf.reciprocal(x)),
    "square int8 wraps": (np.array([16, -12], np.int8), lambda tf, x: tf.square(x)),
    "cumsum uint8 wraps": (np.array([200, 100], np.uint8), lambda tf, x: tf.cumsum(x)),
    "cumprod int32": (np.array([2, -3, 0, 4], np.int32), lambda tf, x: tf.cumprod(x)),
}


def _one_argument(array: np.ndarray, operate: Callable) -> Callable:
    return _array_program(array, operate)


_BUILDS = {
    # constants: Python values to dtypes
    "constant [[]] shape [4]": _constant([[]], shape=[4]),
    "constant [] shape [0]": _constant([], shape=[0]),
    "constant [1,2] shape [2,2]": _constant([1, 2], shape=[2, 2]),
    "constant 7 shape [2]": _constant(7, shape=[2]),
    "constant [1,2,3] shape [5]": _constant([1, 2, 3], shape=[5]),
    "constant [1, 2.5]": _constant([1, 2.5]),
    "constant [True, 1]": _constant([True, 1]),
    "constant 2**31": _constant(2**31),
    "constant -(2**31)": _constant(-(2**31)),
    "constant 2**63": _constant(2**63),
    "constant 1e40": _constant(1e40),
    "constant 1e40 float32": _constant(1e40, np.float32),
    "constant 1.5 int32": _constant(1.5, np.int32),
    "constant 3.0 int32": _constant(3.0, np.int32),
    "constant -1 uint8": _constant(-1, np.uint8),
    "constant 256 uint8": _constant(256, np.uint8),
    "constant True int32": _constant(True, np.int32),
    "constant 1 bool": _constant(1, np.bool_),
    "constant np.float64": _constant(np.float64(1.5)),
    "constant np.int64 list": _constant([np.int64(1), 2]),
    "constant np.float16 array": _constant(np.array([1.5], np.float16)),
    "constant complex": _constant(1 + 2j),
    "constant bytes and str": _constant([b"a", "b"]),
    "constant nan int": _constant(float("nan"), np.int32),
    "constant None": _constant(None),
    "constant empty list": _constant([]),
    "constant nested empty": _constant([[], []]),
    "constant uint64 max": _constant(2**64 - 1, np.uint64),
    # creation ops
    "linspace ints": lambda tf: {"fetch": tf.linspace(0, 10, 5)},
    "linspace int start float stop": lambda tf: {"fetch": tf.linspace(0, 10.0, 5)},
    "linspace float64": lambda tf: {"fetch": tf.linspace(np.float64(0), np.float64(1), 3)},
    "linspace num 1": lambda tf: {"fetch": tf.linspace(2.0, 5.0, 1)},
    "range mixed": lambda tf: {"fetch": tf.range(1, 2.5, 0.5)},
    "range int dtype float32": lambda tf: {"fetch": tf.range(3, dtype=tf.float32)},
    "range int64 limit": lambda tf: {"fetch": tf.range(np.int64(3))},
    "range empty": lambda tf: {"fetch": tf.range(5, 2)},
    "zeros uint16": lambda tf: {"fetch": tf.zeros([2], tf.uint16)},
    "ones bool": lambda tf: {"fetch": tf.ones([2], tf.bool)},
    "ones string": lambda tf: {"fetch": tf.ones([2], tf.string)},
    "zeros string": lambda tf: {"fetch": tf.zeros([2], tf.string)},
    "fill int with float": lambda tf: {"fetch": tf.fill([2], 1.5)},
    "eye int": lambda tf: {"fetch": tf.eye(2, dtype=tf.int32)},
    "one_hot default dtype": lambda tf: {"fetch": tf.one_hot([0, 2], 3)},
    "one_hot int on value": lambda tf: {"fetch": tf.one_hot([0, 2], 3, on_value=5)},
    "one_hot mixed values": lambda tf: {"fetch": tf.one_hot([0], 2, on_value=1, off_value=0.5)},
    "zeros_like string": lambda tf: {"fetch": tf.zeros_like(tf.constant(["a"]))},
    "ones_like bool": lambda tf: {"fetch": tf.ones_like(tf.constant([False]))},
    # tensors of different dtypes: never promoted
    "int32 + float32 tensors": lambda tf: {"fetch": tf.constant(1) + tf.constant(1.0)},
    "int32 + int64 tensors": lambda tf: {"fetch": tf.constant(1) + tf.constant(1, tf.int64)},
    "float32 + float64 tensors": lambda tf: {
        "fetch": tf.constant(1.0) + tf.constant(1.0, tf.float64)},
    "add(1.5, 2)": lambda tf: {"fetch": tf.add(1.5, 2)},
    "add(2, 1.5)": lambda tf: {"fetch": tf.add(2, 1.5)},
    "maximum(0.0, float64)": lambda tf: {"fetch": tf.maximum(0.0, tf.constant([-1.0, 2.0],
                                                                           tf.float64))},
    "maximum(float64, 0.0)": lambda tf: {"fetch": tf.maximum(tf.constant([-1.0, 2.0],
                                                                      tf.float64), 0.0)},
    "add(1, int64)": lambda tf: {"fetch": tf.add(1, tf.constant([5], tf.int64))},
    "add(int64, 1)": lambda tf: {"fetch": tf.add(tf.constant([5], tf.int64), 1)},
    "multiply(2.5, int32)": lambda tf: {"fetch": tf.multiply(2.5, tf.constant([2]))},
    "where_v2 with Python scalars": lambda tf: {
        "fetch": tf.where_v2(tf.constant([True, False]), 1, 2.5)},
    "concat int and float": lambda tf: {"fetch": tf.concat([[1], [2.5]], 0)},
    "stack tensor and Python float": lambda tf: {
        "fetch": tf.stack([tf.constant(1.0, tf.float64), 2.0])},
    "stack int tensor and Python float": lambda tf: {"fetch": tf.stack([tf.constant(1), 2.5])},
    "add_n of ints and a float": lambda tf: {"fetch": tf.add_n([tf.constant(1), 2])},
    "matmul int8": lambda tf: {"fetch": tf.matmul(tf.constant([[100]], tf.int8),
                                                  tf.constant([[3]], tf.int8))},
    "matmul bool": lambda tf: {"fetch": tf.matmul(tf.constant([[True]]), tf.constant([[True]]))},
    "matmul float16": lambda tf: {"fetch": tf.matmul(tf.constant([[300.0, 300.0]], tf.float16),
                                                     tf.constant([[300.0], [300.0]], tf.float16))},
    "string + string": lambda tf: {"fetch": tf.constant("a") + tf.constant("b")},
    "string + Python str": lambda tf: {"fetch": tf.constant(["a", "b"]) + "c"},
    "string == string": lambda tf: {"fetch": tf.equal(tf.constant(["a", "b"]), "a")},
    "string < string": lambda tf: {"fetch": tf.constant("a") < tf.constant("b")},
    "bool + bool": lambda tf: {"fetch": tf.constant(True) + tf.constant(False)},
    "bool < bool": lambda tf: {"fetch": tf.constant(True) < tf.constant(False)},
    "bool maximum": lambda tf: {"fetch": tf.maximum(tf.constant(True), tf.constant(False))},
    "complex less": lambda tf: {"fetch": tf.constant(1j) < tf.constant(2j)},
    "complex abs dtype": lambda tf: {"fetch": tf.abs(tf.constant([3 + 4j], tf.complex128))},
    "complex * 1.5": lambda tf: {"fetch": tf.constant([1 + 1j]) * 1.5},
    "complex + 1": lambda tf: {"fetch": tf.constant([1 + 1j], tf.complex64) + 1},
    "real of float": lambda tf: {"fetch": tf.real(tf.constant([1.5]))},
    "imag of float": lambda tf: {"fetch": tf.imag(tf.constant([1.5]))},
    "conj of int": lambda tf: {"fetch": tf.conj(tf.constant([1]))},
    "complex(float32, float32)": lambda tf: {"fetch": tf.complex(1.0, 2.0)},
    "to_float of int64": lambda tf: {"fetch": tf.to_float(tf.constant([2**40], tf.int64))},
    "sqrt of int": lambda tf: {"fetch": tf.sqrt(tf.constant(4))},
    "log of float16": lambda tf: {"fetch": tf.log(tf.constant([2.0], tf.float16))},
    "sigmoid float16": lambda tf: {"fetch": tf.sigmoid(tf.constant([-20.0, 20.0], tf.float16))},
    "softmax float16": lambda tf: {"fetch": tf.nn.softmax(tf.constant([[10.0, 11.0]],
                                                                      tf.float16))},
    "relu uint8": lambda tf: {"fetch": tf.nn.relu(tf.constant([3], tf.uint8))},
    "logical_and of ints": lambda tf: {"fetch": tf.logical_and(tf.constant(1), tf.constant(0))},
    "bitwise invert uint8": lambda tf: {"fetch": ~tf.constant([0, 5], tf.uint8)},
    "bitwise and int vs bool": lambda tf: {"fetch": tf.constant([3]) & True},
}

_BROADCASTS = {
    "[3,1] + [4]": ([3, 1], [4], None),
    "[2,3] + [3,2]": ([2, 3], [3, 2], None),
    "[None,3] + [3]": ([None, 3], [3], ((2, 3), (3,))),
    "[None] + [1]": ([None], [1], ((4,), (1,))),
    "[None] + [0]": ([None], [0], ((1,), (0,))),
    "[None] + [0] fed 2": ([None], [0], ((2,), (0,))),
    "[None,1] + [1,None]": ([None, 1], [1, None], ((2, 1), (1, 3))),
    "[None,None] + [2,3]": ([None, None], [2, 3], ((1, 3), (2, 3))),
    "unknown rank + [3]": (None, [3], ((2, 3), (3,))),
    "[0,3] + [1,3]": ([0, 3], [1, 3], ((0, 3), (1, 3))),
    "[2,0] + [2,1]": ([2, 0], [2, 1], ((2, 0), (2, 1))),
    "[None,2] + [None,2] fed 3 and 4 rows": ([None, 2], [None, 2], ((3, 2), (4, 2))),
    "[None,2] + [None,2] fed 1 and 4 rows": ([None, 2], [None, 2], ((1, 2), (4, 2))),
    "[] + [None,None,None]": ([], [None, None, None], ((), (1, 2, 1))),
}


def _broadcast(x_shape: Any, y_shape: Any, fed: Any) -> Callable:
    def build(tf: Any) -> dict:
        x = tf.placeholder(tf.float32, x_shape, name="x")
        y = tf.placeholder(tf.float32, y_shape, name="y")
        total = x + y
        spec = {"static": {"x + y": total, "maximum": tf.maximum(x, y),
                           "select": tf.where_v2(x > 0, x, y)}}
        if fed:
            x_value = np.arange(np.prod(fed[0]), dtype=np.float32).reshape(fed[0])
            y_value = np.arange(np.prod(fed[1]), dtype=np.float32).reshape(fed[1]) * 10
            spec.update(fetch=[total, tf.shape(total)], feed={x: x_value, y: y_value})
        return spec
    return build


def programs() -> list[Program]:
    table = _operator_programs() + _small_int_reductions()
    table += [Program(name, _corner(x, y, f)) for name, (x, y, f) in _CORNERS.items()]
    table += [Program(name, _one_argument(x, f)) for name, (x, f) in _ONE_ARGUMENT.items()]
    table += [Program(name, build) for name, build in _BUILDS.items()]
    table += [Program(f"broadcast {name}", _broadcast(*case))
              for name, case in _BROADCASTS.items()]
    return table
