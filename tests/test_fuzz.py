"""Differential fuzzing: random graphs against NumPy, random programs against their own re-run.

Hypothesis draws a random DAG of 1-12 ops from `_TABLE` (each entry: a builder, a NumPy oracle and
its dtype/shape constraints) over random leaves (constants, placeholders of known, partly known
or unknown static shape, placeholders with a default), random feeds (sometimes of an intermediate
tensor, which short-circuits its producers) and a random nested fetch structure. `Session.run`
must return the oracle's values in the same structure, each value of the tensor's static dtype,
of a shape compatible with its static shape, 0-d values as NumPy scalars. A second test builds
random programs with seeded random ops twice and checks that they run identically.

Budget: in CI the differential test runs 300 examples and the determinism test 150
(`_CI_EXAMPLES`, `_CI_DETERMINISM_EXAMPLES`; the file takes about 12 s on 2 cores), derandomized
and without the example database, so every CI run is the same and stateless. A larger budget
runs by hand, freshly random each time (a failure prints a `@reproduce_failure` blob):

    SESSION_MAGIC_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py

sets both tests to N examples.

Bugs the fuzzer found are kept, shrunk, as regular tests at the end of this file.
"""
from __future__ import annotations

import collections
import contextlib
import functools
import math
import operator
import os
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import session_magic as tf
from session_magic.plan import codegen as plan_codegen
from session_magic.ops.registry import OPS

_CI_EXAMPLES = 300              # differential test; about 9 s on 2 cores
_CI_DETERMINISM_EXAMPLES = 150  # determinism test; about 2 s
_BY_HAND = os.environ.get("SESSION_MAGIC_FUZZ_EXAMPLES")
settings.register_profile(
    "session_magic_fuzz", max_examples=int(_BY_HAND or _CI_EXAMPLES), deadline=None,
    derandomize=_BY_HAND is None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_FUZZ = settings.get_profile("session_magic_fuzz")
_FUZZ_DETERMINISM = settings(_FUZZ, max_examples=int(_BY_HAND or _CI_DETERMINISM_EXAMPLES))

FLOATS = ("float32", "float64")
INTS = ("int32", "int64")
NUMERIC = FLOATS + INTS
ALL = NUMERIC + ("bool",)
_TF_DTYPES = {"float32": tf.float32, "float64": tf.float64, "int32": tf.int32,
              "int64": tf.int64, "bool": tf.bool}
_OPERAND_SIZE_LIMIT = 200  # NOTE: keeps tile/broadcast/one_hot chains from growing huge.


# --- values ----------------------------------------------------------------------------------

_DIM = st.sampled_from([1, 2, 3, 2, 4, 0, 3, 5])
_NONZERO_DIM = st.sampled_from([1, 2, 3, 4])


def _shapes(min_rank: int = 0, max_rank: int = 3, nonempty: bool = False) -> st.SearchStrategy:
    dims = _NONZERO_DIM if nonempty else _DIM
    return st.lists(dims, min_size=min_rank, max_size=max_rank).map(tuple)


def _float_elements(dtype: str) -> st.SearchStrategy:
    width = 32 if dtype == "float32" else 64
    tame = st.sampled_from([0.0, 1.0, -1.0, 0.5, -2.5, 3.0])
    finite = st.floats(-4, 4, width=width)
    wild = st.sampled_from([np.nan, np.inf, -np.inf, -0.0, 1e30 if width == 64 else 3e38])
    return st.one_of(tame, finite, finite, tame, finite, finite, finite, finite, wild)


def _elements(dtype: str) -> st.SearchStrategy:
    if dtype == "bool":
        return st.booleans()
    if dtype in FLOATS:
        return _float_elements(dtype)
    info = np.iinfo(dtype)
    small = st.integers(-6, 6)
    return st.one_of(small, small, small, small, small, small, small,
                     st.sampled_from([int(info.min), int(info.max)]))


def _finite(dtype: str) -> st.SearchStrategy:
    return st.floats(-4, 4, width=32 if dtype == "float32" else 64)


def _nonzero_ints() -> st.SearchStrategy:
    return st.one_of(st.integers(1, 5), st.integers(-5, -1))


def _scalar(dtype: str) -> st.SearchStrategy:
    """A Python scalar of `dtype`'s kind (TF converts it to the tensor's dtype)."""
    if dtype == "bool":
        return st.booleans()
    if dtype in INTS:
        return st.integers(-5, 5)
    return st.one_of(st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0]), st.floats(-4, 4))


def _array(dtype: str, shape: tuple, elements: Optional[st.SearchStrategy] = None) -> Any:
    return hnp.arrays(np.dtype(dtype), shape,
                      elements=_elements(dtype) if elements is None else elements)


# --- programs ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Literal:
    """A Python or NumPy operand of a binary op: it takes the tensor operand's dtype."""

    value: Any
    reflected: bool = False


@dataclass
class Leaf:
    kind: str                     # "const", "placeholder" or "default" (placeholder_with_default)
    static: Any                   # the static shape the placeholder declares (None: unknown rank)
    values: st.SearchStrategy     # arrays that may be fed to it


@dataclass
class Node:
    label: str
    inputs: tuple
    build: Callable
    oracle: Callable
    value: np.ndarray
    leaf: Optional[Leaf] = None
    terminal: bool = False        # its shape depends on values: never an operand
    random: bool = False          # it or an input draws random numbers
    tensor: Any = None

    def describe(self, index: int) -> str:
        text = f"n{index} = {self.label}  -> {self.value.dtype}{list(self.value.shape)}"
        if self.leaf is not None:
            text += "  value=" + np.array2string(self.value, threshold=30).replace("\n", "")
        return text


def _evaluate(oracle: Callable, values: list) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(oracle(*values))


class Program:
    """A random DAG, built into `graph` node by node as it is drawn; replayable into new graphs."""

    def __init__(self, draw: Callable, seed: Optional[int] = None) -> None:
        self.draw = draw
        self.seed = seed
        self.nodes: list[Node] = []
        self.graph, self.owner = self._fresh_graph(), {}

    def _fresh_graph(self) -> tf.Graph:
        graph = tf.Graph()
        if self.seed is not None:
            with graph.as_default():
                tf.set_random_seed(self.seed)
        return graph

    def add(self, label: str, inputs: tuple, build: Callable, oracle: Callable,
            **flags: Any) -> int:
        value = _evaluate(oracle, [self.nodes[i].value for i in inputs])
        random = flags.pop("random", False) or any(self.nodes[i].random for i in inputs)
        node = Node(label, tuple(inputs), build, oracle, value, random=random, **flags)
        self.nodes.append(node)
        with self.graph.as_default():
            node.tensor = build(*[self.nodes[i].tensor for i in inputs])
        self.owner.setdefault(node.tensor, len(self.nodes) - 1)
        return len(self.nodes) - 1

    def canon(self, index: int) -> int:
        """The first node holding the same tensor (a builder may return its input unchanged)."""
        return self.owner[self.nodes[index].tensor]

    def generate(self, count: int, table: list) -> None:
        for _ in range(count):
            entry = self.draw(st.sampled_from(table))
            entry.make(self)

    def rebuild(self) -> tuple:
        """The same program built again into a fresh graph: (graph, tensors)."""
        graph, tensors = self._fresh_graph(), []
        with graph.as_default():
            for node in self.nodes:
                tensors.append(node.build(*[tensors[i] for i in node.inputs]))
        return graph, tensors

    def evaluate(self, fed: dict) -> list:
        """Every node's oracle value, with `fed` ({canonical index: array}) replacing nodes."""
        values: list = []
        for i, node in enumerate(self.nodes):
            source = self.canon(i)
            values.append(fed[source] if source in fed else
                          _evaluate(node.oracle, [values[j] for j in node.inputs]))
        return values

    def listing(self) -> str:
        return "\n".join(node.describe(i) for i, node in enumerate(self.nodes))

    # --- leaves and operands ---------------------------------------------------------------

    def leaf(self, dtype: str, shape: tuple, elements: Optional[st.SearchStrategy] = None,
             static_rank: bool = False, values: Optional[st.SearchStrategy] = None,
             kinds: tuple = ("const", "placeholder", "placeholder", "default")) -> int:
        """A new constant or placeholder; `values` (whole arrays) or `elements` constrain it."""
        values = _array(dtype, shape, elements) if values is None else values
        value = self.draw(values)
        kind = self.draw(st.sampled_from(kinds))
        static = self.draw(_static_shapes(shape, static_rank)) if kind != "const" else shape
        leaf = Leaf(kind, static, values)
        label = kind if kind == "const" else f"{kind}(static={_shape_text(static)})"
        return self.add(label, (), _leaf_builder(kind, value, static), lambda: value, leaf=leaf)

    def _usable(self, dtypes: tuple, min_rank: int, max_rank: int, nonempty: bool) -> list:
        return [i for i, n in enumerate(self.nodes)
                if not n.terminal and n.value.dtype.name in dtypes
                and min_rank <= n.value.ndim <= max_rank and n.value.size <= _OPERAND_SIZE_LIMIT
                and (n.value.size > 0 or not nonempty)]

    def operand(self, dtypes: tuple, min_rank: int = 0, max_rank: int = 4,
                nonempty: bool = False) -> int:
        """An existing node of one of `dtypes` within the ranks, or a new leaf."""
        usable = self._usable(dtypes, min_rank, max_rank, nonempty)
        if usable and self.draw(st.integers(0, 2)):
            return self.draw(st.sampled_from(usable))
        dtype = self.draw(st.sampled_from(dtypes))
        return self.leaf(dtype, self.draw(_shapes(min_rank, min(max_rank, 3), nonempty)))

    def shaped(self, dtype: str, shape: tuple, static_rank: bool = False) -> int:
        """An existing node of exactly `dtype` and `shape`, or a new leaf."""
        usable = [i for i in self._usable((dtype,), len(shape), len(shape), False)
                  if self.nodes[i].value.shape == tuple(shape)
                  and (not static_rank or self.nodes[i].tensor.shape.ndims is not None)]
        if usable and self.draw(st.integers(0, 2)):
            return self.draw(st.sampled_from(usable))
        return self.leaf(dtype, tuple(shape), static_rank=static_rank)

    def partner(self, x: int, elements: Optional[st.SearchStrategy] = None) -> Any:
        """A second operand for `x`: a Literal, or a node whose shape broadcasts with it.

        With `elements` (constrained values: divisors, exponents) only literals and new leaves.
        """
        value = self.nodes[x].value
        dtype, choice = value.dtype.name, self.draw(st.integers(0, 4))
        if choice == 0:
            scalar = self.draw(_scalar(dtype) if elements is None else elements)
            return Literal(scalar, reflected=elements is None and self.draw(st.booleans()))
        if choice == 1 and elements is None:
            shape = self.draw(_broadcast_partner(value.shape))
            return Literal(self.draw(_array(dtype, shape)), reflected=self.draw(st.booleans()))
        if elements is None and choice == 2:
            usable = [i for i in self._usable((dtype,), 0, 4, False)
                      if _broadcasts(value.shape, self.nodes[i].value.shape)]
            if usable:
                return self.draw(st.sampled_from(usable))
        return self.leaf(dtype, self.draw(_broadcast_partner(value.shape)), elements)

    def binary(self, label: str, x: int, y: Any, build: Callable, oracle: Callable) -> int:
        if not isinstance(y, Literal):
            return self.add(f"{label}(n{x}, n{y})", (x, y), build, oracle)
        value, dtype = y.value, self.nodes[x].value.dtype
        text = np.array2string(value) if isinstance(value, np.ndarray) else repr(value)
        if y.reflected:
            # NOTE: TF's op functions convert a leading Python value by itself (int32/float32),
            # so `tf.add(1.0, x_f64)` is refused; only an operator adopts the tensor's dtype.
            first = np.asarray(value, dtype) if label.startswith("tf.") else value
            return self.add(f"{label}({text}, n{x})", (x,), lambda a: build(first, a),
                            lambda a: oracle(np.asarray(value, dtype), a))
        return self.add(f"{label}(n{x}, {text})", (x,), lambda a: build(a, value),
                        lambda a: oracle(a, np.asarray(value, dtype)))

    def op_seed(self) -> Optional[int]:
        """An op seed; always one without a graph seed, so every draw is reproducible."""
        seeds = st.integers(0, 2**31 - 1)
        return self.draw(seeds if self.seed is None else st.none() | seeds)


def _shape_text(static: Any) -> str:
    return "?" if static is None else "[" + ", ".join(map(str, static)) + "]"


@st.composite
def _static_shapes(draw: Callable, shape: tuple, static_rank: bool) -> Any:
    kind = draw(st.sampled_from(["known", "partial", "unknown"]))
    if kind == "unknown" and not static_rank:
        return None
    if kind == "known":
        return list(shape)
    return [None if draw(st.booleans()) else n for n in shape]


def _leaf_builder(kind: str, value: np.ndarray, static: Any) -> Callable:
    dtype = _TF_DTYPES[value.dtype.name]
    if kind == "const":
        return lambda: tf.constant(value, dtype=dtype)
    if kind == "placeholder":
        return lambda: tf.placeholder(dtype, static)
    return lambda: tf.placeholder_with_default(value, static)


@st.composite
def _broadcast_partner(draw: Callable, shape: tuple) -> tuple:
    """A shape that broadcasts with `shape`: a suffix of it, some dims 1, maybe leading dims."""
    start = draw(st.integers(0, len(shape)))
    dims = [draw(st.sampled_from([n, 1]) if n != 1 else _DIM) for n in shape[start:]]
    if start == 0 and len(shape) < 3:
        dims = draw(st.lists(_DIM, max_size=3 - len(shape))) + dims
    return tuple(dims)


def _broadcasts(a: tuple, b: tuple) -> bool:
    try:
        return len(np.broadcast_shapes(a, b)) <= 4
    except ValueError:
        return False


# --- the op table: builders, NumPy oracles, constraints -----------------------------------------

class Entry:
    """One kind of table entry: `make(program)` draws its operands and adds the node."""

    def __init__(self, name: str, types: tuple, make: Callable) -> None:
        self.name, self.types, self.make = name, types, make  # types: op types it builds

    def __repr__(self) -> str:
        return self.name


_TABLE: list[Entry] = []


def entry(*types: str, weight: int = 1) -> Callable:
    def register(make: Callable) -> Callable:
        _TABLE.extend([Entry(make.__name__.removeprefix("make_"), types, make)] * weight)
        return make
    return register


def _same_dtype(fn: Callable) -> Callable:
    return lambda x: np.asarray(fn(x)).astype(x.dtype)


_UNARY_FLOAT = [
    ("tf.exp", tf.exp, np.exp), ("tf.tanh", tf.tanh, np.tanh),
    ("tf.sigmoid", tf.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    ("tf.sqrt", tf.sqrt, np.sqrt), ("tf.rsqrt", tf.rsqrt, lambda x: 1 / np.sqrt(x)),
    ("tf.log", tf.log, np.log), ("tf.log1p", tf.log1p, np.log1p),
    ("tf.expm1", tf.expm1, np.expm1), ("tf.sin", tf.sin, np.sin), ("tf.cos", tf.cos, np.cos),
    ("tf.atan", tf.atan, np.arctan), ("tf.tan", tf.tan, np.tan), ("tf.asin", tf.asin, np.arcsin),
    ("tf.acos", tf.acos, np.arccos), ("tf.sinh", tf.sinh, np.sinh), ("tf.cosh", tf.cosh, np.cosh),
    ("tf.asinh", tf.asinh, np.arcsinh), ("tf.acosh", tf.acosh, np.arccosh),
    ("tf.atanh", tf.atanh, np.arctanh), ("tf.floor", tf.floor, np.floor),
    ("tf.ceil", tf.ceil, np.ceil), ("tf.round", tf.round, np.rint),
    ("tf.rint", tf.rint, np.rint), ("tf.reciprocal", tf.reciprocal, np.reciprocal),
    ("tf.erf", tf.erf, _same_dtype(np.vectorize(math.erf, otypes=[np.float64]))),
    ("tf.nn.softplus", tf.nn.softplus, _same_dtype(lambda x: np.logaddexp(0, x))),
    ("tf.nn.softsign", tf.nn.softsign, _same_dtype(lambda x: x / (1 + np.abs(x)))),
    ("tf.nn.elu", tf.nn.elu, _same_dtype(lambda x: np.where(x > 0, x, np.expm1(x)))),
    ("tf.nn.selu", tf.nn.selu, _same_dtype(
        lambda x: 1.0507009873554804934193349852946 * np.where(
            x > 0, x, 1.6732632423543772848170429916717 * np.expm1(x)))),
    ("tf.is_nan", tf.is_nan, np.isnan), ("tf.is_inf", tf.is_inf, np.isinf),
    ("tf.is_finite", tf.is_finite, np.isfinite),
]
_UNARY_NUMERIC = [
    ("tf.abs", tf.abs, np.abs), ("abs", abs, np.abs),
    ("tf.negative", tf.negative, np.negative), ("neg", operator.neg, np.negative),
    ("tf.square", tf.square, np.square), ("tf.sign", tf.sign, np.sign),
    ("tf.nn.relu", tf.nn.relu, lambda x: np.maximum(x, x.dtype.type(0))),
    ("tf.nn.relu6", tf.nn.relu6, lambda x: np.minimum(np.maximum(x, x.dtype.type(0)),
                                                       x.dtype.type(6))),
]


def _unary(name: str, table: list, dtypes: tuple) -> Callable:
    def make(p: Program) -> int:
        label, build, oracle = p.draw(st.sampled_from(table))
        x = p.operand(dtypes)
        return p.add(f"{label}(n{x})", (x,), build, oracle)
    make.__name__ = name
    return make


entry("Exp", "Tanh", "Sigmoid", "Sqrt", "Rsqrt", "Log", "Log1p", "Expm1", "Sin", "Cos", "Atan",
      "Tan", "Asin", "Acos", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Floor", "Ceil", "Round",
      "Rint", "Reciprocal", "Erf", "Softplus", "Softsign", "Elu", "Selu", "IsNan", "IsInf",
      "IsFinite")(_unary("unary_float", _UNARY_FLOAT, FLOATS))
entry("Abs", "Neg", "Square", "Sign", "Relu", "Relu6")(
    _unary("unary_numeric", _UNARY_NUMERIC, NUMERIC))
entry("LogicalNot")(_unary("logical_not", [("tf.logical_not", tf.logical_not, np.logical_not),
                                           ("invert", operator.invert, np.logical_not)],
                            ("bool",)))


def _squared_difference(x: Any, y: Any) -> Any:
    return np.square(x - y)


_ARITHMETIC = [
    ("tf.add", tf.add, np.add), ("add", operator.add, np.add),
    ("tf.subtract", tf.subtract, np.subtract), ("sub", operator.sub, np.subtract),
    ("tf.multiply", tf.multiply, np.multiply), ("mul", operator.mul, np.multiply),
    ("tf.maximum", tf.maximum, np.maximum), ("tf.minimum", tf.minimum, np.minimum),
    ("tf.squared_difference", tf.squared_difference, _squared_difference),
]
_ORDERING = [
    ("tf.less", tf.less, np.less), ("lt", operator.lt, np.less),
    ("tf.less_equal", tf.less_equal, np.less_equal), ("le", operator.le, np.less_equal),
    ("tf.greater", tf.greater, np.greater), ("gt", operator.gt, np.greater),
    ("tf.greater_equal", tf.greater_equal, np.greater_equal),
    ("ge", operator.ge, np.greater_equal),
]
_EQUALITY = [("tf.equal", tf.equal, np.equal), ("tf.not_equal", tf.not_equal, np.not_equal)]
_LOGICAL = [
    ("tf.logical_and", tf.logical_and, np.logical_and), ("and", operator.and_, np.logical_and),
    ("tf.logical_or", tf.logical_or, np.logical_or), ("or", operator.or_, np.logical_or),
    ("tf.logical_xor", tf.logical_xor, np.logical_xor), ("xor", operator.xor, np.logical_xor),
]


def _div_no_nan(x: Any, y: Any) -> Any:
    return np.where(y == 0, np.zeros((), x.dtype), x / y)


def _truncate_divide(x: Any, y: Any) -> Any:
    """C's integer division, which truncates toward zero (exact, via Python ints)."""
    pairs = np.broadcast_arrays(x, y)
    flat = [int(a) // int(b) if (a < 0) == (b < 0) else -(abs(int(a)) // abs(int(b)))
            for a, b in zip(pairs[0].reshape(-1), pairs[1].reshape(-1), strict=True)]
    bits = np.iinfo(x.dtype).bits  # NOTE: MIN / -1 wraps around, as the machine does.
    wrapped = [(q + 2**(bits - 1)) % 2**bits - 2**(bits - 1) for q in flat]
    return np.array(wrapped, dtype=x.dtype).reshape(pairs[0].shape)


def _float_floordiv(x: Any, y: Any) -> Any:
    """TF's float FloorDiv is floor(x / y): inf // 1 is inf where NumPy's floor_divide says nan."""
    with np.errstate(all="ignore"):
        return np.floor(np.true_divide(x, y))


def _float_truediv(x: Any, y: Any) -> Any:
    return np.true_divide(x.astype(np.float64), y.astype(np.float64))


_FLOAT_DIVISION = [
    ("tf.divide", tf.divide, np.true_divide), ("truediv", operator.truediv, np.true_divide),
    ("tf.realdiv", tf.realdiv, np.true_divide), ("tf.div", tf.div, np.true_divide),
    ("tf.div_no_nan", tf.div_no_nan, _div_no_nan), ("tf.atan2", tf.atan2, np.arctan2),
    ("tf.pow", tf.pow, np.power), ("pow", operator.pow, np.power),
    ("tf.floordiv", tf.floordiv, _float_floordiv), ("floordiv", operator.floordiv,
                                                     _float_floordiv),
    ("tf.floormod", tf.floormod, np.remainder), ("mod", operator.mod, np.remainder),
    ("tf.truncatemod", tf.truncatemod, np.fmod),
]
_INT_TRUEDIV = [("tf.truediv", tf.truediv, _float_truediv),
                ("truediv", operator.truediv, _float_truediv)]
_INT_DIVISION = [
    ("tf.floordiv", tf.floordiv, np.floor_divide), ("floordiv", operator.floordiv,
                                                     np.floor_divide),
    ("tf.floormod", tf.floormod, np.remainder), ("mod", operator.mod, np.remainder),
    ("tf.div", tf.div, np.floor_divide), ("tf.truncatediv", tf.truncatediv, _truncate_divide),
    ("tf.truncatemod", tf.truncatemod, np.fmod),
]
_INT_POWER = [("tf.pow", tf.pow, np.power), ("pow", operator.pow, np.power)]


def _binary(name: str, table: list, dtypes: tuple,
            elements: Optional[st.SearchStrategy] = None) -> Callable:
    def make(p: Program) -> int:
        label, build, oracle = p.draw(st.sampled_from(table))
        x = p.operand(dtypes)
        return p.binary(label, x, p.partner(x, elements), build, oracle)
    make.__name__ = name
    return make


entry("AddV2", "Sub", "Mul", "Maximum", "Minimum", "SquaredDifference")(
    _binary("arithmetic", _ARITHMETIC, NUMERIC))
entry("Less", "LessEqual", "Greater", "GreaterEqual")(_binary("ordering", _ORDERING, NUMERIC))
entry("Equal", "NotEqual")(_binary("equality", _EQUALITY, ALL))
entry("LogicalAnd", "LogicalOr", "LogicalNot")(_binary("logical", _LOGICAL, ("bool",)))
entry("RealDiv", "DivNoNan", "Atan2", "Pow", "FloorDiv", "FloorMod", "TruncateMod")(
    _binary("float_division", _FLOAT_DIVISION, FLOATS))
entry("Cast", "RealDiv")(_binary("int_truediv", _INT_TRUEDIV, INTS))
entry("FloorDiv", "FloorMod", "TruncateDiv", "TruncateMod")(
    _binary("int_division", _INT_DIVISION, INTS, _nonzero_ints()))
entry("Pow")(_binary("int_power", _INT_POWER, INTS, st.integers(0, 3)))


# --- reductions ------------------------------------------------------------------------------

def _np_axis(axis: Any, rank: int) -> Any:
    if axis is None or isinstance(axis, int):
        return axis
    return tuple(a % rank for a in axis)


def _reduced_count(shape: tuple, axis: Any) -> int:
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    return math.prod(shape[a] for a in axes)


def _mean(x: np.ndarray, axis: Any, keep: bool) -> Any:
    total = np.sum(x, axis=axis, keepdims=keep, dtype=x.dtype)
    count = _reduced_count(x.shape, axis)
    if x.dtype.kind == "f":
        return np.asarray(total / count).astype(x.dtype)
    # NOTE: TF's integer mean truncates toward zero; over no elements it is 0 here.
    return _truncate_divide(np.asarray(total), np.asarray(max(count, 1), x.dtype))


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype: np.dtype) -> Any:
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


def _logsumexp(x: np.ndarray, axis: Any, keep: bool) -> Any:
    """TF 1's composite: the max (0 where not finite) is shifted out, then added back."""
    raw = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    shift = np.where(np.isfinite(raw), raw, x.dtype.type(0))
    result = np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=keep, dtype=x.dtype))
    if not keep:
        shift = np.max(shift, axis=axis, keepdims=False, initial=-np.inf)
    return result + shift


_REDUCTIONS = [
    ("tf.reduce_sum", tf.reduce_sum, NUMERIC,
     lambda x, a, k: np.sum(x, axis=a, keepdims=k, dtype=x.dtype)),
    ("tf.reduce_prod", tf.reduce_prod, NUMERIC,
     lambda x, a, k: np.prod(x, axis=a, keepdims=k, dtype=x.dtype)),
    ("tf.reduce_mean", tf.reduce_mean, NUMERIC, _mean),
    ("tf.reduce_max", tf.reduce_max, NUMERIC,
     lambda x, a, k: np.max(x, axis=a, keepdims=k, initial=_lowest(x.dtype))),
    ("tf.reduce_min", tf.reduce_min, NUMERIC,
     lambda x, a, k: np.min(x, axis=a, keepdims=k, initial=_highest(x.dtype))),
    ("tf.reduce_any", tf.reduce_any, ("bool",), lambda x, a, k: np.any(x, axis=a, keepdims=k)),
    ("tf.reduce_all", tf.reduce_all, ("bool",), lambda x, a, k: np.all(x, axis=a, keepdims=k)),
    ("tf.reduce_logsumexp", tf.reduce_logsumexp, FLOATS, _logsumexp),
    ("tf.count_nonzero", tf.count_nonzero, ALL,
     lambda x, a, k: np.sum(x != 0, axis=a, keepdims=k, dtype=np.int64)),
]


def _axes(rank: int) -> st.SearchStrategy:
    """None, one axis, or a list of distinct axes (negative ones too)."""
    if rank == 0:
        return st.sampled_from([None, []])
    one = st.integers(-rank, rank - 1)
    return st.one_of(st.none(), one, st.lists(one, max_size=rank, unique_by=lambda a: a % rank))


@entry("Sum", "Prod", "Mean", "Max", "Min", "Any", "All", "Exp", "Log", "IsFinite", "SelectV2",
       "StopGradient", "NotEqual", "Cast")
def make_reduction(p: Program) -> int:
    label, build, dtypes, oracle = p.draw(st.sampled_from(_REDUCTIONS))
    x = p.operand(dtypes)
    rank = p.nodes[x].value.ndim
    axis, keep = p.draw(_axes(rank)), p.draw(st.booleans())
    return p.add(f"{label}(n{x}, axis={axis}, keepdims={keep})", (x,),
                 lambda t: build(t, axis=axis, keepdims=keep),
                 lambda v: oracle(v, _np_axis(axis, rank), keep))


def _arg_skipping_nan(best: np.ufunc) -> Callable:
    """TF's arg-reductions pass over NaN: the first index of the best number, 0 when all are
    NaN (recorded from TF 2.21: argmax([1, nan, 2]) == 2, argmin([nan, 1, nan, 0]) == 3)."""
    def find(v: np.ndarray, axis: int) -> np.ndarray:
        if v.dtype.kind != "f":
            return np.argmax(v == best.reduce(v, axis=axis, keepdims=True), axis=axis)
        target = best.reduce(v, axis=axis, keepdims=True)
        return np.argmax(v == target, axis=axis)
    return find


@entry("ArgMax", "ArgMin")
def make_arg_reduction(p: Program) -> int:
    label, build, find = p.draw(st.sampled_from([
        ("tf.argmax", tf.argmax, _arg_skipping_nan(np.fmax)),
        ("tf.argmin", tf.argmin, _arg_skipping_nan(np.fmin))]))
    x = p.operand(NUMERIC, min_rank=1, nonempty=True)
    rank = p.nodes[x].value.ndim
    axis = p.draw(st.integers(-rank, rank - 1))
    out = p.draw(st.sampled_from(INTS))
    return p.add(f"{label}(n{x}, axis={axis}, output_type={out})", (x,),
                 lambda t: build(t, axis=axis, output_type=_TF_DTYPES[out]),
                 lambda v: find(v, axis=axis).astype(out))


# --- products ----------------------------------------------------------------------------------

def _swap_last(x: np.ndarray, swap: bool) -> np.ndarray:
    return np.swapaxes(x, -1, -2) if swap else x


@entry("MatMul", "BatchMatMulV2")
def make_matmul(p: Program) -> int:
    a = p.operand(NUMERIC, min_rank=2, max_rank=3)
    value = p.nodes[a].value
    ta, tb = p.draw(st.booleans()), p.draw(st.booleans())
    inner, n = value.shape[-2 if ta else -1], p.draw(_DIM)
    batch = p.draw(st.sampled_from([(), (1,), value.shape[:-2]]) if value.ndim == 3
                   else st.sampled_from([(), (p.draw(_DIM),)]))
    b = p.shaped(value.dtype.name, batch + ((n, inner) if tb else (inner, n)))
    use_operator = not (ta or tb) and p.draw(st.booleans())
    label = "matmul" if use_operator else f"tf.matmul(transpose_a={ta}, transpose_b={tb})"
    build = operator.matmul if use_operator else functools.partial(
        tf.matmul, transpose_a=ta, transpose_b=tb)
    return p.add(f"{label}(n{a}, n{b})", (a, b), build,
                 lambda x, y: np.matmul(_swap_last(x, ta), _swap_last(y, tb)))


@entry("Tensordot")
def make_tensordot(p: Program) -> int:
    a = p.operand(NUMERIC, max_rank=3)
    value = p.nodes[a].value
    k = p.draw(st.integers(0, value.ndim))
    shape = value.shape[value.ndim - k:] + p.draw(_shapes(0, 3 - k))
    b = p.shaped(value.dtype.name, shape)
    return p.add(f"tf.tensordot(n{a}, n{b}, axes={k})", (a, b),
                 lambda x, y: tf.tensordot(x, y, k), lambda x, y: np.tensordot(x, y, axes=k))


# --- shapes --------------------------------------------------------------------------------------

def _divisors(n: int) -> list:
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def _reshape_targets(draw: Callable, size: int) -> list:
    """A shape of `size` elements, maybe with one -1 where it can be solved."""
    if size == 0:
        dims = draw(st.lists(_DIM, min_size=1, max_size=3))
        dims[draw(st.integers(0, len(dims) - 1))] = 0
    else:
        dims, rest = [], size
        for _ in range(draw(st.integers(0 if size == 1 else 1, 3)) - 1):
            dims.append(draw(st.sampled_from(_divisors(rest))))
            rest //= dims[-1]
        dims = dims + [rest] if size > 1 or draw(st.booleans()) else dims
    others = [i for i in range(len(dims)) if math.prod(dims[:i] + dims[i + 1:]) > 0]
    if others and draw(st.booleans()):
        dims[draw(st.sampled_from(others))] = -1
    return dims


def _solved(dims: list, size: int) -> tuple:
    known = math.prod(n for n in dims if n != -1)
    return tuple(size // known if n == -1 else n for n in dims)


@entry("Reshape")
def make_reshape(p: Program) -> int:
    x = p.operand(ALL)
    size = p.nodes[x].value.size
    dims = p.draw(_reshape_targets(size))
    shape = p.draw(st.sampled_from([dims, np.array(dims, np.int64), np.array(dims, np.int32)]))
    return p.add(f"tf.reshape(n{x}, {dims!r})", (x,), lambda t: tf.reshape(t, shape),
                 lambda v: np.reshape(v, _solved(dims, size)))


@entry("Transpose")
def make_transpose(p: Program) -> int:
    x = p.operand(ALL)
    rank = p.nodes[x].value.ndim
    perm = p.draw(st.none() | st.permutations(range(rank)))
    return p.add(f"tf.transpose(n{x}, perm={perm})", (x,), lambda t: tf.transpose(t, perm),
                 lambda v: np.transpose(v, perm))


@entry("ExpandDims")
def make_expand_dims(p: Program) -> int:
    x = p.operand(ALL, max_rank=3)
    rank = p.nodes[x].value.ndim
    axis = p.draw(st.integers(-rank - 1, rank))
    return p.add(f"tf.expand_dims(n{x}, {axis})", (x,), lambda t: tf.expand_dims(t, axis),
                 lambda v: np.expand_dims(v, axis))


@entry("Squeeze")
def make_squeeze(p: Program) -> int:
    x = p.operand(ALL)
    shape = p.nodes[x].value.shape
    ones = [i for i, n in enumerate(shape) if n == 1]
    picked = p.draw(st.lists(st.sampled_from(ones), min_size=1, unique=True)) if ones else []
    axis = [a - len(shape) if p.draw(st.booleans()) else a for a in picked] or None
    if axis is not None and p.draw(st.booleans()):
        axis = None
    return p.add(f"tf.squeeze(n{x}, axis={axis})", (x,), lambda t: tf.squeeze(t, axis),
                 lambda v: np.squeeze(v, None if axis is None else tuple(axis)))


@entry("ConcatV2", "Identity")
def make_concat(p: Program) -> int:
    x = p.operand(ALL, min_rank=1)
    value = p.nodes[x].value
    rank = value.ndim
    axis = p.draw(st.integers(-rank, rank - 1))
    parts = [x]
    for _ in range(p.draw(st.integers(0, 2))):
        shape = list(value.shape)
        shape[axis] = p.draw(st.integers(0, 3))
        parts.insert(p.draw(st.integers(0, len(parts))), p.shaped(value.dtype.name, shape))
    return p.add(f"tf.concat({['n%d' % i for i in parts]}, axis={axis})", tuple(parts),
                 lambda *ts: tf.concat(list(ts), axis),
                 lambda *vs: np.concatenate(vs, axis=axis))


@entry("Pack")
def make_stack(p: Program) -> int:
    x = p.operand(ALL, max_rank=3)
    value = p.nodes[x].value
    axis = p.draw(st.integers(-value.ndim - 1, value.ndim))
    parts = [x] + [p.shaped(value.dtype.name, value.shape) for _ in
                   range(p.draw(st.integers(0, 2)))]
    return p.add(f"tf.stack({['n%d' % i for i in parts]}, axis={axis})", tuple(parts),
                 lambda *ts: tf.stack(list(ts), axis), lambda *vs: np.stack(vs, axis=axis))


@entry("Unpack")
def make_unstack(p: Program) -> int:
    x = p.operand(ALL, min_rank=1, nonempty=True)
    value = p.nodes[x].value
    axis = p.draw(st.integers(-value.ndim, value.ndim - 1))
    k = p.draw(st.integers(0, value.shape[axis] - 1))
    static = p.nodes[x].tensor.shape
    known = static.ndims is not None and static.as_list()[axis] is not None
    num = None if known and p.draw(st.booleans()) else value.shape[axis]
    return p.add(f"tf.unstack(n{x}, num={num}, axis={axis})[{k}]", (x,),
                 lambda t: tf.unstack(t, num=num, axis=axis)[k],
                 lambda v: np.take(v, k, axis=axis))


@st.composite
def _split_sizes(draw: Callable, length: int) -> Any:
    """An int dividing `length`, or sizes summing to it (maybe with one -1)."""
    if draw(st.booleans()):
        return draw(st.sampled_from(_divisors(length) if length else [1, 2, 3]))
    sizes, rest = [], length
    for _ in range(draw(st.integers(0, 2))):
        sizes.append(draw(st.integers(0, rest)))
        rest -= sizes[-1]
    sizes.append(rest)
    if draw(st.booleans()):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    return sizes


@entry("Split", "SplitV")
def make_split(p: Program) -> int:
    x = p.operand(ALL, min_rank=1)
    value = p.nodes[x].value
    axis = p.draw(st.integers(-value.ndim, value.ndim - 1))
    length = value.shape[axis]
    splits = p.draw(_split_sizes(length))
    count = splits if isinstance(splits, int) else len(splits)
    k = p.draw(st.integers(0, count - 1))
    if isinstance(splits, int):
        cuts = splits
    else:
        known = [length - sum(s for s in splits if s != -1) if s == -1 else s for s in splits]
        cuts = list(np.cumsum(known)[:-1])
    return p.add(f"tf.split(n{x}, {splits}, axis={axis})[{k}]", (x,),
                 lambda t: tf.split(t, splits, axis=axis)[k],
                 lambda v: np.split(v, cuts, axis=axis)[k])


@entry("Tile")
def make_tile(p: Program) -> int:
    x = p.operand(ALL)
    rank = p.nodes[x].value.ndim
    multiples = p.draw(st.lists(st.integers(0, 2), min_size=rank, max_size=rank))
    return p.add(f"tf.tile(n{x}, {multiples})", (x,), lambda t: tf.tile(t, multiples),
                 lambda v: np.tile(v, multiples) if rank else v.copy())


@st.composite
def _dimension_index(draw: Callable, length: int) -> Any:
    bound = st.none() | st.integers(-6, 6)
    if length and draw(st.booleans()):
        return draw(st.integers(-length, length - 1))
    step = draw(st.sampled_from([None, 1, 2, -1, 3, -2]))
    return slice(draw(bound), draw(bound), step)


@st.composite
def _index_keys(draw: Callable, shape: tuple) -> Any:
    """A Python index: ints, slices with steps, an Ellipsis and tf.newaxis (None)."""
    rank = len(shape)
    count = draw(st.integers(0, rank))
    ellipsis = draw(st.booleans())
    head = draw(st.integers(0, count)) if ellipsis else count
    dims = list(range(head)) + list(range(rank - (count - head), rank))
    key = [draw(_dimension_index(shape[d])) for d in dims]
    if ellipsis:
        key.insert(head, Ellipsis)
    for _ in range(draw(st.integers(0, 2))):
        key.insert(draw(st.integers(0, len(key))), None)
    if len(key) == 1 and draw(st.booleans()):
        return key[0]
    return tuple(key)


@entry("StridedSlice")
def make_getitem(p: Program) -> int:
    x = p.operand(ALL, max_rank=3)
    key = p.draw(_index_keys(p.nodes[x].value.shape))
    return p.add(f"n{x}[{key!r}]", (x,), lambda t: t[key], lambda v: np.array(v[key]))


@entry("Slice")
def make_slice(p: Program) -> int:
    x = p.operand(ALL)
    shape = p.nodes[x].value.shape
    begin = [p.draw(st.integers(0, n)) for n in shape]
    size = [p.draw(st.sampled_from([-1, n - b]) | st.integers(0, n - b))
            for n, b in zip(shape, begin, strict=True)]
    index = tuple(slice(b, None if s == -1 else b + s) for b, s in zip(begin, size, strict=True))
    return p.add(f"tf.slice(n{x}, {begin}, {size})", (x,), lambda t: tf.slice(t, begin, size),
                 lambda v: np.array(v[index]))


@entry("ReverseV2")
def make_reverse(p: Program) -> int:
    x = p.operand(ALL)
    rank = p.nodes[x].value.ndim
    axes = p.draw(st.lists(st.integers(-rank, rank - 1), max_size=rank,
                           unique_by=lambda a: a % rank)) if rank else []
    return p.add(f"tf.reverse(n{x}, {axes})", (x,), lambda t: tf.reverse(t, axes),
                 lambda v: np.flip(v, tuple(axes)) if axes else v.copy())


@st.composite
def _paddings(draw: Callable, shape: tuple, mode: str) -> list:
    def bound(n: int) -> int:
        return {"CONSTANT": 2, "REFLECT": min(2, n - 1), "SYMMETRIC": min(2, n)}[mode]
    return [[draw(st.integers(0, max(bound(n), 0))), draw(st.integers(0, max(bound(n), 0)))]
            for n in shape]


@entry("Pad", "PadV2", "MirrorPad")
def make_pad(p: Program) -> int:
    x = p.operand(ALL, max_rank=3)
    value = p.nodes[x].value
    # NOTE: as TF's MirrorPad, REFLECT refuses an empty dimension even with no padding.
    modes = ["CONSTANT", "SYMMETRIC"] + (["REFLECT"] if 0 not in value.shape else [])
    mode = p.draw(st.sampled_from(modes))
    paddings = p.draw(_paddings(value.shape, mode))
    if not paddings:  # NOTE: a scalar's paddings have shape [0, 2]; `[]` has shape [0].
        paddings = np.zeros((0, 2), np.int32)
    fill = 0
    if mode == "CONSTANT" and value.dtype != bool:
        fill = p.draw(_scalar(value.dtype.name))
    numpy_mode = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}[mode]
    extra = {"constant_values": np.asarray(fill, value.dtype)} if mode == "CONSTANT" else {}
    return p.add(f"tf.pad(n{x}, {paddings!r}, {mode}, constant_values={fill!r})", (x,),
                 lambda t: tf.pad(t, paddings, mode, constant_values=fill),
                 lambda v: np.pad(v, paddings, numpy_mode, **extra) if v.ndim else v.copy())


@entry("BroadcastTo")
def make_broadcast_to(p: Program) -> int:
    x = p.operand(ALL, max_rank=3)
    shape = p.nodes[x].value.shape
    dims = [p.draw(_DIM) if n == 1 else n for n in shape]
    target = p.draw(st.lists(_DIM, max_size=3 - len(shape))) + dims
    return p.add(f"tf.broadcast_to(n{x}, {target})", (x,), lambda t: tf.broadcast_to(t, target),
                 lambda v: np.broadcast_to(v, target).copy())


# --- gathers, one_hot, selection -----------------------------------------------------------------

@entry("GatherV2")
def make_gather(p: Program) -> int:
    x = p.operand(ALL, min_rank=1, nonempty=True)
    shape = p.nodes[x].value.shape
    axis = p.draw(st.integers(-len(shape), len(shape) - 1))
    indices = p.leaf(p.draw(st.sampled_from(INTS)), p.draw(_shapes(0, 2)),
                     st.integers(0, shape[axis] - 1))
    return p.add(f"tf.gather(n{x}, n{indices}, axis={axis})", (x, indices),
                 lambda t, i: tf.gather(t, i, axis=axis),
                 lambda v, i: np.take(v, i, axis=axis))


@entry("GatherNd")
def make_gather_nd(p: Program) -> int:
    x = p.operand(ALL, min_rank=1, max_rank=3, nonempty=True)
    shape = p.nodes[x].value.shape
    depth = p.draw(st.integers(1, len(shape)))
    outer = p.draw(_shapes(0, 2))
    indices = p.leaf(p.draw(st.sampled_from(INTS)), outer + (depth,),
                     st.integers(0, min(shape[:depth]) - 1))
    return p.add(f"tf.gather_nd(n{x}, n{indices})", (x, indices), tf.gather_nd,
                 lambda v, i: np.array(v[tuple(np.moveaxis(i, -1, 0))]))


def _one_hot(indices: Any, depth: int, on: Any, off: Any, axis: int, dtype: str) -> Any:
    hot = np.where(indices[..., None] == np.arange(depth), on, off).astype(dtype)
    return np.moveaxis(hot, -1, axis) if axis != -1 else hot


@entry("OneHot")
def make_one_hot(p: Program) -> int:
    depth = p.draw(st.integers(0, 4))
    indices = p.leaf(p.draw(st.sampled_from(INTS)), p.draw(_shapes(0, 2)),
                     st.integers(-1, depth))
    rank = p.nodes[indices].value.ndim
    axis = p.draw(st.sampled_from([-1]) | st.integers(0, rank))
    dtype = p.draw(st.sampled_from(["float32", None] + list(ALL)))
    on, off = (1.0, 0.0) if dtype is None else (p.draw(_scalar(dtype)), p.draw(_scalar(dtype)))
    kwargs = {} if dtype is None else {"on_value": on, "off_value": off,
                                       "dtype": _TF_DTYPES[dtype]}
    return p.add(f"tf.one_hot(n{indices}, {depth}, axis={axis}, {kwargs})", (indices,),
                 lambda i: tf.one_hot(i, depth, axis=axis, **kwargs),
                 lambda i: _one_hot(i, depth, on, off, axis, dtype or "float32"))


def _select(condition: Any, x: Any, y: Any) -> Any:
    """TF 1's Select: a vector condition picks whole rows of x and y."""
    if condition.ndim == 1 and x.ndim > 1:
        condition = condition.reshape(condition.shape + (1,) * (x.ndim - 1))
    return np.where(condition, x, y)


@entry("Select")
def make_where(p: Program) -> int:
    x = p.operand(ALL)
    value = p.nodes[x].value
    shapes = [value.shape, ()] + ([value.shape[:1]] if value.ndim else [])
    condition = p.shaped("bool", p.draw(st.sampled_from(shapes)))
    y = p.shaped(value.dtype.name, value.shape)
    return p.add(f"tf.where(n{condition}, n{x}, n{y})", (condition, x, y), tf.where, _select)


@entry("SelectV2")
def make_where_v2(p: Program) -> int:
    x = p.operand(ALL)
    y = p.partner(x)
    other = np.shape(y.value) if isinstance(y, Literal) else p.nodes[y].value.shape
    shape = np.broadcast_shapes(p.nodes[x].value.shape, other)
    condition = p.shaped("bool", p.draw(_broadcast_partner(shape)))
    if isinstance(y, Literal):
        value, dtype = y.value, p.nodes[x].value.dtype
        return p.add(f"tf.where_v2(n{condition}, n{x}, {value!r})", (condition, x),
                     lambda c, t: tf.where_v2(c, t, value),
                     lambda c, v: np.where(c, v, np.asarray(value, dtype)))
    return p.add(f"tf.where_v2(n{condition}, n{x}, n{y})", (condition, x, y), tf.where_v2,
                 np.where)


@entry("Where")
def make_where_coordinates(p: Program) -> int:
    x = p.operand(ALL, min_rank=1)  # NOTE: TF's kernel refuses a scalar
    return p.add(f"tf.where(n{x})", (x,), tf.where,
                 lambda v: np.argwhere(v).astype(np.int64), terminal=True)


@entry("BooleanMask")
def make_boolean_mask(p: Program) -> int:
    x = p.operand(ALL, min_rank=1, max_rank=3)
    shape = p.nodes[x].value.shape
    mask = p.shaped("bool", shape[:p.draw(st.integers(1, len(shape)))], static_rank=True)
    return p.add(f"tf.boolean_mask(n{x}, n{mask})", (x, mask), tf.boolean_mask,
                 lambda v, m: v[m], terminal=True)


# --- elementwise miscellany ----------------------------------------------------------------------

@entry("Cast")
def make_cast(p: Program) -> int:
    x = p.operand(ALL)
    target = p.draw(st.sampled_from(ALL))
    return p.add(f"tf.cast(n{x}, {target})", (x,), lambda t: tf.cast(t, _TF_DTYPES[target]),
                 lambda v: v.astype(target))


def _scan(accumulate: Callable, start: int) -> Callable:
    def scan(x: np.ndarray, axis: int, exclusive: bool, reverse: bool) -> np.ndarray:
        x = np.flip(x, axis) if reverse else x
        result = accumulate(x, axis=axis, dtype=x.dtype)
        length = x.shape[axis]
        if exclusive and length:
            first = np.full(x.shape[:axis % x.ndim] + (1,) + x.shape[axis % x.ndim + 1:],
                            start, x.dtype)
            result = np.concatenate([first, np.take(result, range(length - 1), axis)], axis)
        return np.flip(result, axis) if reverse else result
    return scan


@entry("Cumsum", "Cumprod")
def make_scan(p: Program) -> int:
    label, build, oracle = p.draw(st.sampled_from([
        ("tf.cumsum", tf.cumsum, _scan(np.cumsum, 0)),
        ("tf.cumprod", tf.cumprod, _scan(np.cumprod, 1))]))
    x = p.operand(NUMERIC, min_rank=1)
    rank = p.nodes[x].value.ndim
    axis = p.draw(st.integers(-rank, rank - 1))
    exclusive, reverse = p.draw(st.booleans()), p.draw(st.booleans())
    return p.add(f"{label}(n{x}, {axis}, exclusive={exclusive}, reverse={reverse})", (x,),
                 lambda t: build(t, axis, exclusive=exclusive, reverse=reverse),
                 lambda v: oracle(v, axis, exclusive, reverse))


@entry("Shape", "Size", "Rank")
def make_shape(p: Program) -> int:
    x = p.operand(ALL)
    out = p.draw(st.sampled_from(INTS))
    label, build, oracle = p.draw(st.sampled_from([
        ("tf.shape", lambda t: tf.shape(t, out_type=_TF_DTYPES[out]),
         lambda v: np.array(v.shape, out)),
        ("tf.size", lambda t: tf.size(t, out_type=_TF_DTYPES[out]),
         lambda v: np.array(v.size, out)),
        ("tf.rank", tf.rank, lambda v: np.array(v.ndim, np.int32))]))
    return p.add(f"{label}(n{x}, out_type={out})", (x,), build, oracle)


@entry("Shape", "Fill")
def make_fill(p: Program) -> int:
    x = p.operand(ALL)
    kind = p.draw(st.sampled_from(["float32", "int32", "bool"]))
    value = p.draw(_scalar(kind))
    return p.add(f"tf.fill(tf.shape(n{x}), {value!r})", (x,),
                 lambda t: tf.fill(tf.shape(t), value), lambda v: np.full(v.shape, value, kind))


@entry("Identity", "StopGradient", "ZerosLike", "OnesLike", weight=2)
def make_identity(p: Program) -> int:
    label, build, oracle = p.draw(st.sampled_from([
        ("tf.identity", tf.identity, np.copy), ("tf.stop_gradient", tf.stop_gradient, np.copy),
        ("tf.zeros_like", tf.zeros_like, np.zeros_like),
        ("tf.ones_like", tf.ones_like, np.ones_like)]))
    x = p.operand(ALL)
    return p.add(f"{label}(n{x})", (x,), build, oracle)


@entry("IdentityN", "ShapeN")
def make_identity_n(p: Program) -> int:
    label, build, oracle = p.draw(st.sampled_from([
        ("tf.identity_n", tf.identity_n, np.copy),
        ("tf.shape_n", tf.shape_n, lambda v: np.array(v.shape, np.int32))]))
    parts = [p.operand(ALL) for _ in range(p.draw(st.integers(1, 3)))]
    if label == "tf.shape_n":  # NOTE: as TF, ShapeN's inputs share one dtype
        first = p.nodes[parts[0]].value.dtype
        parts = [i for i in parts if p.nodes[i].value.dtype == first]
    k = p.draw(st.integers(0, len(parts) - 1))
    return p.add(f"{label}({['n%d' % i for i in parts]})[{k}]", tuple(parts),
                 lambda *ts: build(list(ts))[k], lambda *vs: oracle(vs[k]))


@entry("ZerosLike")
def make_complex_parts(p: Program) -> int:
    """On real tensors TF 1 gives the tensor itself (real, conj) or zeros (imag)."""
    label, build, oracle = p.draw(st.sampled_from([
        ("tf.real", tf.real, np.copy), ("tf.conj", tf.conj, np.copy),
        ("tf.imag", tf.imag, np.zeros_like)]))
    x = p.operand(NUMERIC)
    return p.add(f"{label}(n{x})", (x,), build, oracle)


@entry()
def make_twin(p: Program) -> int:
    """The same expression built again (as re-running a notebook cell does): plans merge it."""
    ops = [i for i, n in enumerate(p.nodes) if n.leaf is None and not n.random]
    if not ops:
        return make_identity(p)
    node = p.nodes[p.draw(st.sampled_from(ops))]
    return p.add(node.label, node.inputs, node.build, node.oracle, terminal=node.terminal)


@entry("AddN", "AccumulateNV2")
def make_add_n(p: Program) -> int:
    label, build = p.draw(st.sampled_from([("tf.add_n", tf.add_n),
                                           ("tf.accumulate_n", tf.accumulate_n)]))
    x = p.operand(NUMERIC)
    value = p.nodes[x].value
    parts = [x] + [p.shaped(value.dtype.name, value.shape) for _ in
                   range(p.draw(st.integers(1, 2)))]
    return p.add(f"{label}({['n%d' % i for i in parts]})", tuple(parts),
                 lambda *ts: build(list(ts)), lambda *vs: functools.reduce(np.add, vs))


@entry("Minimum", "Maximum")
def make_clip(p: Program) -> int:
    x = p.operand(NUMERIC)
    dtype = p.nodes[x].value.dtype
    low, high = p.draw(_scalar(dtype.name)), p.draw(_scalar(dtype.name))
    return p.add(f"tf.clip_by_value(n{x}, {low!r}, {high!r})", (x,),
                 lambda t: tf.clip_by_value(t, low, high),
                 lambda v: np.maximum(np.minimum(v, dtype.type(high)), dtype.type(low)))


@entry("PyFunc")
def make_py_func(p: Program) -> int:
    """NumPy code inside the graph; its result's static shape is unknown."""
    label, build = p.draw(st.sampled_from([("tf.py_func", tf.py_func),
                                           ("tf.numpy_function", tf.numpy_function)]))
    x = p.operand(ALL)
    dtype = _TF_DTYPES[p.nodes[x].value.dtype.name]
    return p.add(f"{label}(np.flip, [n{x}])", (x,),
                 lambda t: build(lambda a: np.flip(a).copy(), [t], dtype),
                 lambda v: np.flip(v).copy())


@entry("CheckNumerics")
def make_check_numerics(p: Program) -> int:
    dtype = p.draw(st.sampled_from(FLOATS))
    x = p.leaf(dtype, p.draw(_shapes()), _finite(dtype))
    return p.add(f"tf.check_numerics(n{x})", (x,), lambda t: tf.check_numerics(t, "fuzz"),
                 np.copy)


@entry("L2Loss")
def make_l2_loss(p: Program) -> int:
    x = p.operand(FLOATS)
    return p.add(f"tf.nn.l2_loss(n{x})", (x,), tf.nn.l2_loss,
                 lambda v: np.asarray(np.sum(np.square(v)) / 2).astype(v.dtype))


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    if x.size == 0:
        return x.copy()
    exps = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return exps / np.sum(exps, axis=axis, keepdims=True)


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    if x.size == 0:
        return x.copy()
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@entry("Softmax", "LogSoftmax", "Transpose")
def make_softmax(p: Program) -> int:
    label, build, oracle = p.draw(st.sampled_from([
        ("tf.nn.softmax", tf.nn.softmax, _softmax),
        ("tf.nn.log_softmax", tf.nn.log_softmax, _log_softmax)]))
    x = p.operand(FLOATS, min_rank=1)
    rank = p.nodes[x].value.ndim
    # NOTE: another axis than the last needs the rank while building (TF 1 transposes).
    known = p.nodes[x].tensor.shape.ndims is not None
    axis = p.draw(st.integers(-rank, rank - 1)) if known else -1
    return p.add(f"{label}(n{x}, axis={axis})", (x,), lambda t: build(t, axis=axis),
                 lambda v: oracle(v, axis))


@entry("LeakyRelu", "Cast")
def make_leaky_relu(p: Program) -> int:
    x = p.operand(NUMERIC)
    alpha = p.draw(st.sampled_from([0.2, 0.1, 0.5, 1.5]))
    dtype = p.nodes[x].value.dtype if p.nodes[x].value.dtype.kind == "f" else np.float32
    return p.add(f"tf.nn.leaky_relu(n{x}, alpha={alpha})", (x,),
                 lambda t: tf.nn.leaky_relu(t, alpha=alpha),
                 lambda v: np.where(v > 0, v, v.astype(dtype) * float(np.float32(alpha)))
                 .astype(dtype))  # NOTE: TF's alpha is a float32 attr


@entry("BiasAdd")
def make_bias_add(p: Program) -> int:
    x = p.operand(NUMERIC, min_rank=2)
    value = p.nodes[x].value
    bias = p.shaped(value.dtype.name, value.shape[-1:])
    return p.add(f"tf.nn.bias_add(n{x}, n{bias})", (x, bias), tf.nn.bias_add, np.add)


# --- diagonals, permutations, scatters, losses, sequences ----------------------------------------

def _diag(x: np.ndarray) -> np.ndarray:
    """TF's diag: rank 2k, with x[i...] at [i..., i...] and zeros elsewhere."""
    result = np.zeros(x.shape + x.shape, x.dtype)
    for index in np.ndindex(x.shape):
        result[index + index] = x[index]
    return result


def _matrix_diag(x: np.ndarray) -> np.ndarray:
    result = np.zeros(x.shape + x.shape[-1:], x.dtype)
    n = x.shape[-1]
    result[..., range(n), range(n)] = x
    return result


def _matrix_set_diag(x: np.ndarray, diagonal: np.ndarray) -> np.ndarray:
    result = x.copy()
    n = min(x.shape[-2:])
    result[..., range(n), range(n)] = diagonal
    return result


@entry("Diag", "DiagPart", "MatrixDiag", "MatrixDiagPart", "MatrixSetDiag")
def make_diagonals(p: Program) -> int:
    kind = p.draw(st.sampled_from(["diag", "diag_part", "matrix_diag", "matrix_diag_part",
                                   "matrix_set_diag"]))
    if kind == "diag":
        x = p.operand(ALL, min_rank=1, max_rank=2)
        return p.add(f"tf.diag(n{x})", (x,), tf.diag, _diag)
    if kind == "matrix_diag":
        x = p.operand(ALL, min_rank=1, max_rank=3)
        return p.add(f"tf.matrix_diag(n{x})", (x,), tf.matrix_diag, _matrix_diag)
    if kind == "diag_part":
        n = p.draw(_DIM)
        x = p.shaped(p.draw(st.sampled_from(ALL)), (n, n))
        return p.add(f"tf.diag_part(n{x})", (x,), tf.diag_part, np.diagonal)
    x = p.operand(ALL, min_rank=2, max_rank=3)
    value = p.nodes[x].value
    if kind == "matrix_diag_part":
        return p.add(f"tf.matrix_diag_part(n{x})", (x,), tf.matrix_diag_part,
                     lambda v: np.diagonal(v, axis1=-2, axis2=-1).copy())
    diagonal = p.shaped(value.dtype.name, value.shape[:-2] + (min(value.shape[-2:]),))
    return p.add(f"tf.matrix_set_diag(n{x}, n{diagonal})", (x, diagonal), tf.matrix_set_diag,
                 _matrix_set_diag)


@entry("InvertPermutation")
def make_invert_permutation(p: Program) -> int:
    n, dtype = p.draw(_DIM), p.draw(st.sampled_from(INTS))
    permutations = st.permutations(range(n)).map(lambda perm: np.array(perm, dtype))
    x = p.leaf(dtype, (n,), values=permutations)
    return p.add(f"tf.invert_permutation(n{x})", (x,), tf.invert_permutation,
                 lambda v: np.argsort(v).astype(v.dtype))


def _reverse_sequence(x: np.ndarray, lengths: np.ndarray, seq_axis: int,
                      batch_axis: int) -> np.ndarray:
    result = x.copy()
    for b, length in enumerate(lengths):
        index = [slice(None)] * x.ndim
        index[batch_axis], index[seq_axis] = b, slice(0, int(length))
        result[tuple(index)] = np.flip(x[tuple(index)], seq_axis - (batch_axis < seq_axis))
    return result


@entry("ReverseSequence")
def make_reverse_sequence(p: Program) -> int:
    x = p.operand(ALL, min_rank=2, max_rank=3)
    shape = p.nodes[x].value.shape
    seq_axis, batch_axis = p.draw(st.permutations(range(len(shape))))[:2]
    lengths = p.leaf(p.draw(st.sampled_from(INTS)), (shape[batch_axis],),
                     st.integers(0, shape[seq_axis]))
    return p.add(f"tf.reverse_sequence(n{x}, n{lengths}, {seq_axis}, {batch_axis})",
                 (x, lengths),
                 lambda t, n: tf.reverse_sequence(t, n, seq_axis=seq_axis, batch_axis=batch_axis),
                 lambda v, n: _reverse_sequence(v, n, seq_axis, batch_axis))


def _scatter_nd(indices: np.ndarray, updates: np.ndarray, shape: list) -> np.ndarray:
    result = np.zeros(shape, updates.dtype)
    np.add.at(result, tuple(np.moveaxis(indices, -1, 0)), updates)
    return result


@entry("ScatterNd")
def make_scatter_nd(p: Program) -> int:
    shape = list(p.draw(_shapes(1, 3, nonempty=True)))
    depth = p.draw(st.integers(1, len(shape)))
    outer = p.draw(_shapes(0, 2))
    indices = p.leaf(p.draw(st.sampled_from(INTS)), outer + (depth,),
                     st.integers(0, min(shape[:depth]) - 1))
    updates = p.shaped(p.draw(st.sampled_from(NUMERIC)), outer + tuple(shape[depth:]))
    return p.add(f"tf.scatter_nd(n{indices}, n{updates}, {shape})", (indices, updates),
                 lambda i, u: tf.scatter_nd(i, u, shape), lambda i, u: _scatter_nd(i, u, shape))


def _segment_sum(data: np.ndarray, ids: np.ndarray, count: int) -> np.ndarray:
    result = np.zeros((count,) + data.shape[ids.ndim:], data.dtype)
    kept = ids >= 0  # NOTE: as TF, a negative id drops its row.
    np.add.at(result, ids[kept], data[kept])
    return result


@entry("UnsortedSegmentSum")
def make_unsorted_segment_sum(p: Program) -> int:
    data = p.operand(NUMERIC, min_rank=1, max_rank=3)
    shape = p.nodes[data].value.shape
    count = p.draw(st.integers(0, 4))
    ids = p.leaf(p.draw(st.sampled_from(INTS)), shape[:p.draw(st.integers(1, len(shape)))],
                 st.integers(-1, count - 1))
    return p.add(f"tf.unsorted_segment_sum(n{data}, n{ids}, {count})", (data, ids),
                 lambda t, i: tf.unsorted_segment_sum(t, i, count),
                 lambda v, i: _segment_sum(v, i, count))


def _cross_entropy(labels: np.ndarray, logits: np.ndarray) -> np.ndarray:
    return -np.sum(labels * _log_softmax(logits, -1), axis=-1)


@entry("SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits", "Reshape")
def make_cross_entropy(p: Program) -> int:
    """Losses on fresh finite logits (their inf and nan behaviour is the formula's, not TF's)."""
    dtype = p.draw(st.sampled_from(FLOATS))
    if p.draw(st.booleans()):
        shape = p.draw(_shapes(1, 3, nonempty=True))
        logits, labels = (p.leaf(dtype, shape, _finite(dtype)) for _ in range(2))
        return p.add(f"tf.nn.softmax_cross_entropy_with_logits_v2(n{labels}, n{logits})",
                     (labels, logits),
                     lambda y, t: tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=t),
                     _cross_entropy)
    batch, classes = p.draw(_DIM), p.draw(_NONZERO_DIM)
    logits = p.leaf(dtype, (batch, classes), _finite(dtype))
    labels = p.leaf(p.draw(st.sampled_from(INTS)), (batch,), st.integers(0, classes - 1))
    return p.add(f"tf.nn.sparse_softmax_cross_entropy_with_logits(n{labels}, n{logits})",
                 (labels, logits),
                 lambda y, t: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=t),
                 lambda y, v: -_log_softmax(v, -1)[np.arange(len(y)), y])


@entry("Range", "LinSpace")
def make_range(p: Program) -> int:
    """tf.range's length follows its (fed) limit, so its result is never an operand."""
    if p.draw(st.booleans()):
        dtype = p.draw(st.sampled_from(FLOATS))
        start, stop = (p.leaf(dtype, (), _finite(dtype)) for _ in range(2))
        num = p.draw(st.integers(1, 4))
        return p.add(f"tf.linspace(n{start}, n{stop}, {num})", (start, stop),
                     lambda a, b: tf.linspace(a, b, num),
                     lambda a, b: np.linspace(a, b, num, dtype=dtype))
    dtype = p.draw(st.sampled_from(INTS))
    start, delta = p.draw(st.integers(-3, 3)), p.draw(st.sampled_from([1, 2, 3, -1, -2]))
    limits = st.integers(start, start + 6) if delta > 0 else st.integers(start - 6, start)
    # NOTE: not a Const: feeding one would contradict the static shape inferred from it (TF too).
    limit = p.leaf(dtype, (), limits, kinds=("placeholder", "default"))
    return p.add(f"tf.range({start}, n{limit}, {delta})", (limit,),
                 lambda t: tf.range(start, t, delta),
                 lambda v: np.arange(start, v, delta, dtype=dtype), terminal=True)


# --- control flow ------------------------------------------------------------------------------

_BRANCHES = {  # dtype kind -> (label, builder, oracle) of shape- and dtype-keeping functions
    "numeric": [("tf.negative", tf.negative, np.negative), ("tf.square", tf.square, np.square),
                ("tf.identity", tf.identity, np.copy), ("tf.abs", tf.abs, np.abs)],
    "bool": [("tf.logical_not", tf.logical_not, np.logical_not),
             ("tf.identity", tf.identity, np.copy)],
}


def _branch(p: Program, dtype: np.dtype) -> tuple:
    return p.draw(st.sampled_from(_BRANCHES["bool" if dtype.kind == "b" else "numeric"]))


@entry("If")
def make_cond(p: Program) -> int:
    """tf.cond whose branches use x, and maybe a second captured tensor."""
    x = p.operand(ALL)
    value = p.nodes[x].value
    predicate = p.shaped("bool", ())
    (then_label, then_fn, then_np), (else_label, else_fn, else_np) = (
        _branch(p, value.dtype), _branch(p, value.dtype))
    if p.draw(st.booleans()):
        return p.add(f"tf.cond(n{predicate}, {then_label}(n{x}), {else_label}(n{x}))",
                     (predicate, x),
                     lambda c, t: tf.cond(c, lambda: then_fn(t), lambda: else_fn(t)),
                     lambda c, v: then_np(v) if c else else_np(v))
    y = p.shaped(value.dtype.name, value.shape)
    return p.add(f"tf.cond(n{predicate}, {then_label}(n{x}), n{y})", (predicate, x, y),
                 lambda c, t, u: tf.cond(c, lambda: then_fn(t), lambda: u),
                 lambda c, v, w: then_np(v) if c else w.copy())


def _repeat(fn: Callable, times: int, value: np.ndarray) -> np.ndarray:
    for _ in range(times):
        value = fn(value)
    return np.array(value)


@entry("While", "Less", "AddV2")
def make_while_loop(p: Program) -> int:
    """A counted tf.while_loop applying one function to x; the count may be fed."""
    x = p.operand(ALL)
    label, body, oracle = _branch(p, p.nodes[x].value.dtype)
    count = p.leaf("int32", (), st.integers(0, 3))
    return p.add(f"tf.while_loop(i < n{count}: {label}(n{x}))", (x, count),
                 lambda t, n: tf.while_loop(lambda i, v: i < n, lambda i, v: (i + 1, body(v)),
                                            [tf.constant(0), t])[1],
                 lambda v, n: _repeat(oracle, int(n), v))


# --- random ops (determinism only: no oracle, their values are placeholders of their shape) ----

_RANDOM_TABLE: list[Entry] = []


def random_entry(*types: str) -> Callable:
    def register(make: Callable) -> Callable:
        _RANDOM_TABLE.append(Entry(make.__name__.removeprefix("make_"), types, make))
        return make
    return register


@random_entry("RandomStandardNormal", "TruncatedNormal", "RandomUniform", "Mul", "AddV2")
def make_random_float(p: Program) -> int:
    label, build = p.draw(st.sampled_from([("tf.random_normal", tf.random_normal),
                                           ("tf.truncated_normal", tf.truncated_normal),
                                           ("tf.random_uniform", tf.random_uniform)]))
    shape, dtype, seed = p.draw(_shapes()), p.draw(st.sampled_from(FLOATS)), p.op_seed()
    return p.add(f"{label}({list(shape)}, {dtype}, seed={seed})", (),
                 lambda: build(list(shape), dtype=_TF_DTYPES[dtype], seed=seed),
                 lambda: np.zeros(shape, dtype), random=True)


@random_entry("RandomUniformInt")
def make_random_int(p: Program) -> int:
    shape, dtype, seed = p.draw(_shapes()), p.draw(st.sampled_from(INTS)), p.op_seed()
    low, high = p.draw(st.integers(-5, 0)), p.draw(st.integers(1, 6))
    return p.add(f"tf.random_uniform({list(shape)}, {low}, {high}, {dtype}, seed={seed})", (),
                 lambda: tf.random_uniform(list(shape), low, high, _TF_DTYPES[dtype], seed),
                 lambda: np.zeros(shape, dtype), random=True)


@random_entry("RandomShuffle")
def make_random_shuffle(p: Program) -> int:
    x, seed = p.operand(ALL), p.op_seed()
    return p.add(f"tf.random_shuffle(n{x}, seed={seed})", (x,),
                 lambda t: tf.random_shuffle(t, seed=seed), np.copy, random=True)


@random_entry("Multinomial")
def make_multinomial(p: Program) -> int:
    dtype = p.draw(st.sampled_from(FLOATS))
    logits = p.leaf(dtype, (p.draw(_DIM), p.draw(_NONZERO_DIM)), _finite(dtype))
    count, seed = p.draw(st.integers(0, 3)), p.op_seed()
    rows = p.nodes[logits].value.shape[0]
    return p.add(f"tf.multinomial(n{logits}, {count}, seed={seed})", (logits,),
                 lambda t: tf.multinomial(t, count, seed=seed),
                 lambda v: np.zeros((rows, count), np.int64), random=True)


@random_entry("RandomUniform", "Floor", "RealDiv", "Mul")
def make_dropout(p: Program) -> int:
    x, seed = p.operand(FLOATS), p.op_seed()
    keep = p.draw(st.sampled_from([0.5, 0.9]))
    return p.add(f"tf.nn.dropout(n{x}, {keep}, seed={seed})", (x,),
                 lambda t: tf.nn.dropout(t, keep, seed=seed), np.copy, random=True)


# --- fetches and feeds -----------------------------------------------------------------------

Pair = collections.namedtuple("Pair", "first second")
_OP_MODES = ("op", "op name")


@dataclass(frozen=True)
class Fetch:
    """One leaf of a fetch structure: node `index` as a tensor, its name, its op or op name."""

    index: int
    mode: str


def _fetchable_modes(p: Program, index: int) -> list:
    node = p.nodes[index]
    modes = ["tensor", "tensor", "tensor name"]
    # NOTE: a placeholder's op as a target fails even when its tensor is fed (as in TF).
    if p.canon(index) == index and node.tensor.op.type != "Placeholder":
        modes += list(_OP_MODES)
    return modes


@st.composite
def _fetch_leaves(draw: Callable, p: Program) -> Fetch:
    index = draw(st.integers(0, len(p.nodes) - 1))
    return Fetch(index, draw(st.sampled_from(_fetchable_modes(p, index))))


def _fetch_structures(p: Program) -> st.SearchStrategy:
    def containers(children: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(
            st.lists(children, max_size=3),
            st.lists(children, max_size=3).map(tuple),
            st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), children, max_size=3),
            st.dictionaries(st.sampled_from(["x", "y", "z"]), children,
                            max_size=3).map(collections.OrderedDict),
            st.tuples(children, children).map(lambda pair: Pair(*pair)))
    return st.recursive(_fetch_leaves(p), containers, max_leaves=8)


def _retyped(structure: Any, top: bool = True) -> Any:
    """`structure` with its inner containers swapped for equal-looking ones (tuple and
    namedtuple, list and tuple, dict and OrderedDict): a second run must not get the first's."""
    if isinstance(structure, Fetch):
        return structure
    if isinstance(structure, dict):
        items = [(k, _retyped(v, False)) for k, v in structure.items()]
        swapped = dict if isinstance(structure, collections.OrderedDict) else \
            collections.OrderedDict
        return type(structure)(items) if top else swapped(items)
    children = [_retyped(v, False) for v in structure]
    if top:
        return type(structure)(*children) if hasattr(structure, "_fields") else \
            type(structure)(children)
    if hasattr(structure, "_fields"):
        return tuple(children)
    if isinstance(structure, tuple):
        return Pair(*children) if len(children) == 2 else list(children)
    return tuple(children)


@st.composite
def _with_every_op(draw: Callable, p: Program, structure: Any) -> Any:
    """`structure` next to a list fetching every op node, so every result is checked."""
    every = [Fetch(i, draw(st.sampled_from(["tensor", "tensor", "tensor name"])))
             for i, node in enumerate(p.nodes) if node.leaf is None]
    container = draw(st.sampled_from([list, tuple, dict]))
    if container is dict:
        return {"fetches": structure, "every op": every}
    return container([structure, every])


def _map_structure(fn: Callable, structure: Any) -> Any:
    if isinstance(structure, Fetch):
        return fn(structure)
    if isinstance(structure, dict):
        return type(structure)((k, _map_structure(fn, v)) for k, v in structure.items())
    if hasattr(structure, "_fields"):
        return type(structure)(*[_map_structure(fn, v) for v in structure])
    return type(structure)(_map_structure(fn, v) for v in structure)


def _leaves(structure: Any) -> list:
    found: list = []
    _map_structure(found.append, structure)
    return found


def _fetch_object(tensors: list, leaf: Fetch) -> Any:
    tensor = tensors[leaf.index]
    return {"tensor": tensor, "tensor name": tensor.name, "op": tensor.op,
            "op name": tensor.op.name}[leaf.mode]


def _needed_placeholders(p: Program, fetches: list, fed: set) -> set:
    """The placeholders a run of `fetches` reads, stopping at fed tensors (TF's pruning)."""
    pending, seen, needed = [], set(), set()
    for leaf in fetches:
        pending.extend(p.nodes[leaf.index].inputs if leaf.mode in _OP_MODES else [leaf.index])
    while pending:
        i = pending.pop()
        if i in seen or p.canon(i) in fed:
            continue
        seen.add(i)
        node = p.nodes[i]
        if node.leaf is not None and node.leaf.kind == "placeholder":
            needed.add(i)
        pending.extend(node.inputs)
    return needed


def _draw_fed(p: Program, fetches: list) -> set:
    """Which nodes to feed: some intermediates, constants and defaults, every needed placeholder
    and some that are not needed."""
    draw = p.draw
    optional = [i for i, n in enumerate(p.nodes) if p.canon(i) == i and
                (n.leaf is None or n.leaf.kind != "placeholder")]
    # NOTE: a fed node that is also fetched, or whose consumer is, is where feeds meet plans.
    near = [i for i in optional if any(i == f.index or i in p.nodes[f.index].inputs
                                       for f in fetches)]
    choices = st.sampled_from(near) | st.sampled_from(optional) if near else \
        st.sampled_from(optional)
    fed = set(draw(st.lists(choices, max_size=2, unique=True))) if optional else set()
    fed |= _needed_placeholders(p, fetches, fed)
    placeholders = [i for i, n in enumerate(p.nodes) if n.leaf and n.leaf.kind == "placeholder"]
    if placeholders:
        fed |= set(draw(st.lists(st.sampled_from(placeholders), max_size=2)))
    return fed


def _feed_value(p: Program, index: int) -> np.ndarray:
    node = p.nodes[index]
    if node.leaf is not None and node.leaf.kind == "placeholder":
        return node.value
    if node.leaf is not None:
        return p.draw(node.leaf.values)
    return p.draw(_array(node.value.dtype.name, node.value.shape))


_WIDER = {"float32": np.float64, "int32": np.int64, "bool": np.int8}


def _strided(value: np.ndarray) -> np.ndarray:
    """The same values as a non-contiguous view."""
    return np.repeat(value, 2, axis=-1)[..., ::2] if value.ndim else value


def _feed_forms(value: np.ndarray) -> st.SearchStrategy:
    """`value` as fed: itself, a Python list or scalar, an array of a wider dtype or of the
    other byte order, a strided or Fortran-ordered array (the session converts feeds to the
    tensor's dtype)."""
    forms = [value, value, _strided(value)]
    if value.ndim:  # NOTE: asfortranarray makes a 0-d array 1-d.
        forms.append(np.asfortranarray(value))
    if value.size:  # NOTE: `[]` would lose the shape of an empty array.
        forms.append(value.tolist())
    if value.dtype.name in _WIDER:
        forms.append(value.astype(_WIDER[value.dtype.name]))
    if value.dtype.kind != "b":
        forms.append(value.astype(value.dtype.newbyteorder()))
    return st.sampled_from(forms)


def _feed_dict(p: Program, values: dict, tensors: list) -> dict:
    """Keys as tensors or names (two of them sometimes as one tuple key)."""
    keys, plain = [], []
    for i, value in values.items():
        keys.append(tensors[i] if p.draw(st.booleans()) else tensors[i].name)
        plain.append(p.draw(_feed_forms(value)))
    if len(keys) >= 2 and p.draw(st.booleans()):
        return {(keys[0], keys[1]): (plain[0], plain[1]), **dict(zip(keys[2:], plain[2:],
                                                                     strict=True))}
    return dict(zip(keys, plain, strict=True))


# --- checking results --------------------------------------------------------------------------

def _assert_values_equal(actual: Any, expected: np.ndarray, where: str) -> None:
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected, err_msg=where, strict=True)
        return
    tolerance = 1e-5 if expected.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance,
                               equal_nan=True, err_msg=where, strict=True)


def _check_leaf(actual: Any, leaf: Fetch, expected: np.ndarray, tensor: Any, where: str) -> None:
    if leaf.mode in _OP_MODES:
        assert actual is None, f"{where}: an Operation fetch gave {actual!r}, not None"
        return
    static = np.dtype(tensor.dtype.as_numpy_dtype)
    assert expected.dtype == static, (
        f"{where}: static dtype {static} of {tensor.name}, the oracle says {expected.dtype}")
    if expected.ndim == 0:
        assert isinstance(actual, np.generic), f"{where}: 0-d result {actual!r} not a NumPy scalar"
    else:
        assert type(actual) is np.ndarray, f"{where}: result of type {type(actual)}"
    assert actual.dtype == static, f"{where}: dtype {actual.dtype}, static dtype {static}"
    assert tensor.shape.is_compatible_with(actual.shape), (
        f"{where}: shape {actual.shape} not compatible with static shape {tensor.shape}")
    _assert_values_equal(actual, expected, f"{where} ({tensor.name})")


def _check_structure(actual: Any, structure: Any, values: list, tensors: list,
                     where: str = "result") -> None:
    if isinstance(structure, Fetch):
        _check_leaf(actual, structure, values[structure.index], tensors[structure.index], where)
        return
    assert type(actual) is type(structure), f"{where}: {type(actual)} for {type(structure)}"
    if isinstance(structure, dict):
        assert list(actual) == list(structure), f"{where}: keys {list(actual)}"
        for key, child in structure.items():
            _check_structure(actual[key], child, values, tensors, f"{where}[{key!r}]")
        return
    assert len(actual) == len(structure), f"{where}: length {len(actual)}"
    for i, (got, child) in enumerate(zip(actual, structure, strict=True)):
        _check_structure(got, child, values, tensors, f"{where}[{i}]")


def _config(draw: Callable) -> Any:
    threads = draw(st.sampled_from([1, 2]))
    return tf.ConfigProto(inter_op_parallelism_threads=threads) if threads > 1 else None


def _run(sess: tf.Session, fetches: Any, feed_dict: dict, callable_form: bool) -> Any:
    """`sess.run`, or the same through `make_callable` (for flat feeds)."""
    if not callable_form or any(isinstance(k, tuple) for k in feed_dict):
        return sess.run(fetches, feed_dict)
    return sess.make_callable(fetches, feed_list=list(feed_dict))(*feed_dict.values())


# --- the fuzz tests ----------------------------------------------------------------------------

def _draw_run(program: Program, draw: Callable, previous: Any = None) -> tuple:
    """(fetch structure, {fed node: value}); after a first run, sometimes the same leaves in
    re-typed containers."""
    if previous is not None and draw(st.booleans(), label="re-typed fetches"):
        structure = _retyped(previous)
    else:
        structure = draw(_fetch_structures(program), label="fetches")
        if draw(st.integers(0, 3), label="fetch every op too"):
            structure = draw(_with_every_op(program, structure))
    fed = _draw_fed(program, _leaves(structure))
    return structure, {i: _feed_value(program, i) for i in sorted(fed)}


def _run_and_check(program: Program, sess: tf.Session, draw: Callable, run: tuple) -> None:
    structure, feed_values = run
    tensors = [node.tensor for node in program.nodes]
    feed_dict = _feed_dict(program, feed_values, tensors)
    fetches = _map_structure(functools.partial(_fetch_object, tensors), structure)
    callable_form = draw(st.integers(0, 3), label="make_callable") == 0
    actual = _run(sess, fetches, feed_dict, callable_form)
    _check_structure(actual, structure, program.evaluate(feed_values), tensors)


@_FUZZ
@given(data=st.data())
def test_session_run_matches_numpy_on_random_graphs(data: Any) -> None:
    program = Program(data.draw)
    count = data.draw(st.integers(1, 12), label="ops")
    before = data.draw(st.integers(0, count - 1), label="ops built before the session runs")
    large = data.draw(st.booleans(), label="every value counts as large")
    try:
        with _every_value_large(large), \
                tf.Session(graph=program.graph, config=_config(data.draw)) as sess:
            if before:  # NOTE: the graph grows after a run, as in a notebook.
                program.generate(before, _TABLE)
                _run_and_check(program, sess, data.draw, _draw_run(program, data.draw))
            program.generate(count - before, _TABLE)
            first = _draw_run(program, data.draw)
            _run_and_check(program, sess, data.draw, first)
            for _ in range(data.draw(st.integers(0, 2), label="more runs")):
                _run_and_check(program, sess, data.draw,
                               _draw_run(program, data.draw, first[0]))
    finally:
        note(program.listing())


@contextlib.contextmanager
def _every_value_large(on: bool) -> Any:
    """With the plan's size threshold at 0 every dead value is freed early and every eligible
    step writes into its input, so the fuzzer's small arrays exercise both."""
    saved = plan_codegen._SMALL_ELEMENTS
    if on:
        plan_codegen._SMALL_ELEMENTS = 0
    try:
        yield
    finally:
        plan_codegen._SMALL_ELEMENTS = saved


def _assert_identical(first: list, second: list, what: str) -> None:
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        assert type(a) is type(b) and np.shape(a) == np.shape(b), f"{what}: fetch {i}"
        assert np.array_equal(a, b, equal_nan=np.asarray(a).dtype.kind == "f"), (
            f"{what}: fetch {i} differs: {a!r} != {b!r}")


def _snapshot(results: list) -> list:
    """Copies of `results`; then the originals are scribbled over, so a later run that hands
    back the same buffers (an aliasing bug) shows up as a difference."""
    copies = [np.copy(r) if isinstance(r, np.ndarray) else r for r in results]
    for r in results:
        if isinstance(r, np.ndarray) and r.size and r.flags.writeable:
            r[...] = np.ones((), r.dtype) if r.dtype != bool else ~r
    return copies


def _runs_twice(graph: tf.Graph, config: Any, fetches: list, feed_dict: dict) -> tuple:
    with tf.Session(graph=graph, config=config) as sess:
        first = _snapshot(sess.run(fetches, feed_dict))
        return first, sess.run(fetches, feed_dict)


@_FUZZ_DETERMINISM
@given(data=st.data())
def test_random_programs_rerun_identically(data: Any) -> None:
    seed = data.draw(st.none() | st.integers(0, 2**31 - 1), label="graph seed")
    program = Program(data.draw, seed)
    try:
        program.generate(data.draw(st.integers(1, 8), label="ops"), _TABLE + _RANDOM_TABLE * 6)
    finally:
        note(program.listing())
    other_graph, other_tensors = program.rebuild()
    placeholders = [i for i, n in enumerate(program.nodes) if n.leaf and n.leaf.kind !=
                    "const" and (n.leaf.kind == "placeholder" or data.draw(st.booleans()))]
    tensors = [n.tensor for n in program.nodes]
    runs = [_runs_twice(graph, _config(data.draw), fetches,
                        {fetches[i]: program.nodes[i].value for i in placeholders})
            for graph, fetches in ((program.graph, tensors), (other_graph, other_tensors),
                                   (program.graph, tensors))]
    (first, again), (other_first, other_again), (fresh_first, fresh_again) = runs
    _assert_identical(first, other_first, "first runs of two builds")
    _assert_identical(again, other_again, "second runs of two builds")
    _assert_identical(first, fresh_first, "first runs of two sessions on one graph")
    _assert_identical(again, fresh_again, "second runs of two sessions on one graph")
    steady = [i for i, n in enumerate(program.nodes) if not n.random]
    _assert_identical([first[i] for i in steady], [again[i] for i in steady],
                      "two runs in one session (nodes without random inputs)")


def test_fuzz_table_builds_only_registered_op_types() -> None:
    leaves = {"Const", "Placeholder", "PlaceholderWithDefault"}
    covered = leaves | {t for e in _TABLE + _RANDOM_TABLE for t in e.types}
    assert covered <= set(OPS), sorted(covered - set(OPS))
    assert len(covered) == 143
