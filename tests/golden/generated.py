"""Random TF1 programs from a seed, for the differential run against real TensorFlow.

`generate(seed)` writes one small program as Python source (a `build(tf)` for harness.py) from
`random.Random(seed)`: the same seed gives the same text on any machine. CI runs the programs of
seeds SEED .. SEED + COUNT - 1 (recorded from TF by `record`; tests/test_tf_generated.py);
agreement.py runs tens of thousands of fresh seeds in both environments, by hand.

Families (`FAMILIES`, weighted): elementwise ops and operators on every dtype with Python scalars
on either side and broadcasting against fed shapes with unknown dims; chains mixing them with
array ops, reductions, casts, where, cumsum, matmul and nn ops; gradients of every intermediate;
variables updated under control_dependencies; cond and while_loop; constructors; random ops; and
bad programs that must fail with TF's error class. Every intermediate tensor is fetched under its
own key (`t1`, `t2`, ... in creation order; `d2_` the gradients of `t2`), so the first key that
differs names the op that introduced a difference (`Case.ops`).

What a faithful port cannot match is kept out by construction, not by loose comparison:
  - ULP-level float noise. Each tensor carries `deterministic` (made by IEEE's exactly rounded
    + - * / sqrt from deterministic inputs: bitwise the same anywhere) and `exact` (no rounding
    at all: inputs are small multiples of 1/4, so their sums are exact in any order).
    Discontinuous ops (comparisons, floor, sign, casts to int, argmax, // and %, where) only
    take deterministic inputs; division-like ops (/, reciprocal, rsqrt, pow, atan2) only take a
    deterministic divisor, whose zeros have a definite sign; order-dependent ops (sums, means,
    matmul, cumsum) of inexact floats make a non-deterministic result. A program with a
    non-deterministic float result is compared at rtol = atol = 1e-4 (1e-2 with float16), else
    at harness's defaults. The sign of a zero is compared (harness cannot see it) for the
    deterministic results of elementwise ops, except max/min/relu, where IEEE leaves the tie
    of -0 and +0 open.
  - Special values (0, -0, inf, nan, the largest finite and the smallest normal number) feed
    only one op: TF flushes denormals to zero, and a denormal it flushed in a chain would part
    the results. So: no ordered reduction (huge + 0.5 - huge) and no `//` (TF floors the flushed
    quotient: -2.5 // 3.4e38 is -0 there) of special floats, complex specials only in exactly
    rounded ops (C++'s and NumPy's complex functions differ there by convention), and no erf or
    erfc of specials (TF 2.21's erf(-1e308) is NaN).
  - Undefined behaviour in C++ (float to int casts out of range or of NaN, a negative float to
    unsigned, shifts by the bit width): never generated; saturate_cast gets the specials, but not
    TF 2.21's broken cases (from int64 to 64-bit types and floats: its clamp limits overflow; from
    a special float to a 64-bit int: float(2**64 - 1) rounds up past the top).
  - TF 2 only behaviour: `*` with a bool operand (a logical and in TF 2, a TypeError in TF 1) and
    grad_ys of a dtype other than the loss's (TF checks it only where a later op happens to)
    are not generated.
  - The names of results TF builds in Python from several ops (`COMPOSITE`, and a cast or conj
    that hands such a result through) are TF 2.21's implementation detail: not compared.
  - Random ops: compared by dtype and shape only (harness's shapes_only).
"""
from __future__ import annotations

import contextlib
import json
import math
import random
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import numpy as np

from . import harness
from .encoding import decode_array
from .harness import Program

__all__ = ["SEED", "COUNT", "FAMILIES", "Case", "generate", "cases", "program", "run_case",
           "record", "compare", "differences", "deliberate", "failure_message", "first_key",
           "capture_messages"]

SEED = 1_000_000  # CI runs seeds SEED .. SEED + COUNT - 1; agreement.py starts elsewhere
COUNT = 1000
DATA_FILE = "generated.json"

SIGNED = ("int8", "int16", "int32", "int64")
UNSIGNED = ("uint8", "uint16", "uint32", "uint64")
FLOATS = ("float16", "float32", "float64")
COMPLEX = ("complex64", "complex128")
DTYPES = SIGNED + UNSIGNED + FLOATS + COMPLEX + ("bool",)
_KIND = {**{d: "S" for d in SIGNED}, **{d: "U" for d in UNSIGNED}, **{d: "F" for d in FLOATS},
         **{d: "C" for d in COMPLEX}, "bool": "B"}
# NOTE: the dtypes real programs use most are drawn most often; every dtype still appears
_DTYPE_WEIGHTS = {"float32": 8, "int32": 5, "float64": 4, "int64": 4, "bool": 2, "float16": 2,
                  "int8": 2, "int16": 1, "uint8": 2, "uint16": 1, "uint32": 1, "uint64": 1,
                  "complex64": 1, "complex128": 1}

_POOL = {"S": [-4, -3, -2, -1, 1, 2, 3, 4, 5], "U": [1, 2, 3, 4, 5, 7, 9],
         "F": [-3.0, -2.5, -1.5, -1.0, -0.5, -0.25, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0],
         "B": [False, True],
         "C": [complex(a, b) for a in (-1.5, 0.0, 0.5, 2.0) for b in (-1.0, 0.5, 1.0)]}


def _specials(dtype: str) -> list:
    kind = _KIND[dtype]
    if kind in "SU":
        info = np.iinfo(dtype)
        return [0, 1, int(info.max), int(info.max) - 1, int(info.min), int(info.min) + 1,
                -1 if kind == "S" else 0]
    if kind == "B":
        return [False, True]
    info = np.finfo(dtype if kind == "F" else {"complex64": "float32"}.get(dtype, "float64"))
    reals = [0.0, -0.0, math.inf, -math.inf, math.nan, float(info.max), -float(info.max),
             float(info.tiny), -float(info.tiny), 1.0, -1.0]
    if kind == "F":
        return reals
    return [complex(r, i) for r in reals[:5] + [1.0] for i in (0.0, 1.0)]


# NOTE: TF builds these in Python from several ops, and the name of the result is that of
# whichever op comes last in TF 2.21's implementation (`softmax_cross_entropy_with_logits_sg/
# Reshape_2`), which neither TF 1 nor a port need share: their result names are not compared.
COMPOSITE = {"tf.nn.softmax_cross_entropy_with_logits",
             "tf.nn.softmax_cross_entropy_with_logits_v2",
             "tf.nn.sparse_softmax_cross_entropy_with_logits",
             "tf.nn.sigmoid_cross_entropy_with_logits", "tf.nn.weighted_cross_entropy_with_logits",
             "tf.nn.moments", "tf.nn.l2_normalize", "tf.saturate_cast", "tf.real", "tf.imag",
             "tf.angle", "tf.sign", "tf.count_nonzero", "tf.math.reduce_std",
             "tf.math.reduce_variance", "tf.reduce_logsumexp", "tf.math.log_sigmoid",
             "tf.math.reduce_euclidean_norm", "tf.random_uniform", "tf.random_normal",
             "tf.truncated_normal", "tf.random_shuffle", "tf.multinomial", "tf.nn.leaky_relu",
             "tf.clip_by_value", "tf.math.xlogy", "tf.math.xdivy", "tf.parallel_stack",
             "tf.linspace", "tf.lin_space", "tf.eye"}
# these return their input when there is nothing to do (a cast to its own dtype): the name is
# then whatever made the input
PASSTHROUGH = {"tf.cast", "tf.to_float", "tf.to_double", "tf.to_int32", "tf.to_int64",
               "tf.conj", "tf.real"}


# --- the program being written ---------------------------------------------------------------

@dataclass(frozen=True)
class _Tensor:
    var: str                  # the variable holding it in the program's source
    dtype: str
    shape: tuple              # the shape it has when run (the fed shapes are known here)
    deterministic: bool = True  # bitwise the same under any faithful implementation
    exact: bool = True        # no rounding has happened (small multiples of 1/4)

    @property
    def kind(self) -> str:
        return _KIND[self.dtype]


class _Writer:
    """The lines of one `build(tf)` and what it feeds, fetches and names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.lines: list[str] = []
        self.feeds: list[tuple] = []          # (placeholder variable, array literal)
        self.fetch: list[str] = []
        self.ops: dict[str, str] = {}          # fetched variable -> the TF function that made it
        self.pool: list[_Tensor] = []          # tensors later ops may take as operands
        self.extra: dict[str, str] = {}        # more entries of the returned dict, as text
        self.python: dict[str, str] = {}       # the "python" entry: key -> expression
        self.variants: list[dict] = []         # one feed override per run (the "feeds" entry)
        self.tags: set[str] = set()
        self.names = True                      # record the fetched tensors' names
        self.unnamed: set[str] = set()         # fetched variables whose names are TF's detail
        self.deterministic: list[str] = []     # fetched float variables: compare zeros' signs
        self.special = False                   # fed special values: keep it to one op
        self.no_nan = False                    # special values without NaN (saturate_cast)
        self.count = 0

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def line(self, text: str) -> None:
        self.lines.append(text)

    def emit(self, op: str, expression: str, dtype: str, shape: tuple, deterministic: bool,
             exact: bool, fetch: bool = True, zero_sign: bool = False) -> _Tensor:
        tensor = _Tensor(self.fresh("t"), dtype, tuple(shape), deterministic,
                         exact and deterministic)
        self.line(f"{tensor.var} = {expression}")
        if fetch:
            self.fetch.append(tensor.var)
            self.ops[tensor.var] = op
            source = re.match(r"[\w.]+\((\w+)", expression)
            if op in COMPOSITE or (op in PASSTHROUGH and source and source.group(1) in
                                   self.unnamed):
                self.unnamed.add(tensor.var)
            if zero_sign and deterministic and _KIND[dtype] == "F":
                self.deterministic.append(tensor.var)
        if None not in tensor.shape:
            self.pool.append(tensor)
        return tensor

    def placeholder(self, dtype: str, shape: tuple, special: bool = False,
                    values: Optional[np.ndarray] = None, nonzero: bool = False,
                    static: Any = "random") -> _Tensor:
        var = self.fresh("x")
        if values is None:
            values = _values(self.rng, dtype, shape, special, nonzero, self.no_nan)
        values = np.asarray(values, dtype=dtype)
        static = _static_shape(self.rng, shape) if static == "random" else static
        self.line(f"{var} = tf.placeholder(tf.{dtype}, {static}, name={var!r})")
        self.feeds.append((var, _literal(values)))
        self.special |= special
        if special:
            self.tags.add("special")
        tensor = _Tensor(var, dtype, tuple(shape), True, not special)
        self.pool.append(tensor)
        return tensor

    def source(self) -> str:
        body = [f"    {line}" for line in self.lines]
        entries = {"fetch": "{" + ", ".join(f"{v!r}: {v}" for v in self.fetch) + "}"}
        if self.variants:
            entries["feeds"] = "[" + ", ".join(_dict_text({**dict(self.feeds), **variant})
                                               for variant in self.variants) + "]"
        elif self.feeds:
            entries["feed"] = _dict_text(dict(self.feeds))
        named = [v for v in self.fetch if v not in self.unnamed]
        if self.names and named:
            entries["names"] = "{" + ", ".join(f"{v!r}: {v}" for v in named) + "}"
        if self.python:
            entries["python"] = "{" + ", ".join(f"{k!r}: {v}" for k, v in self.python.items()) \
                + "}"
        entries.update(self.extra)
        returned = ",\n            ".join(f"{k!r}: {v}" for k, v in entries.items())
        return "def build(tf):\n" + "\n".join(body) + f"\n    return {{{returned}}}\n"


def _dict_text(items: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in items.items()) + "}"


def _static_shape(rng: random.Random, shape: tuple) -> Any:
    """The placeholder's static shape: as fed, or with unknown dims, or of unknown rank."""
    roll = rng.random()
    if roll < 0.62:
        return list(shape)
    if roll < 0.92 and shape:
        return [None if rng.random() < 0.6 else d for d in shape]
    return None


def _values(rng: random.Random, dtype: str, shape: tuple, special: bool = False,
            nonzero: bool = False, no_nan: bool = False) -> np.ndarray:
    kind = _KIND[dtype]
    pool = _POOL[kind]
    if kind == "F" and not nonzero:
        pool = pool + [0.0]
    specials = [v for v in _specials(dtype) if not (no_nan and v != v)]
    count = int(np.prod(shape)) if shape else 1
    big = _big(dtype) if rng.random() < 0.15 else []
    items = [rng.choice(specials) if special and rng.random() < 0.6 else
             rng.choice(big) if big and rng.random() < 0.5 else rng.choice(pool)
             for _ in range(count)]
    return np.array(items, dtype=dtype).reshape(shape)


def _big(dtype: str) -> list:
    """Integers near the top of their dtype (sums and means of them overflow it)."""
    if _KIND[dtype] not in "SU":
        return []
    info = np.iinfo(dtype)
    top = int(info.max)
    values = [top * 3 // 4, top - 5, top // 2 + 1]
    return values + ([-v for v in values] if _KIND[dtype] == "S" else [])


def _literal(array: np.ndarray) -> str:
    """Source text that rebuilds `array` exactly."""
    dtype = array.dtype.name
    if array.size == 0:
        return f"np.zeros({list(array.shape)}, {dtype!r})"
    text = _item_text(array.tolist(), _KIND[dtype])
    return f"np.array({text}, {dtype!r})"


def _item_text(item: Any, kind: str) -> str:
    if isinstance(item, list):
        return "[" + ", ".join(_item_text(i, kind) for i in item) + "]"
    if kind == "F":
        return _float_text(item)
    if kind == "C":
        item = complex(item)
        return f"complex({_float_text(item.real)}, {_float_text(item.imag)})"
    return repr(item)


def _float_text(x: float) -> str:
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    return repr(float(x))


# --- shapes -------------------------------------------------------------------------------------

def _shape(rng: random.Random, rank: Optional[int] = None, low: int = 1) -> tuple:
    if rank is None:
        rank = rng.choices([0, 1, 2, 3], [1, 3, 4, 2])[0]
    return tuple(rng.choice([low, 2, 2, 3, 3, 4]) for _ in range(rank))


def _broadcast_partner(rng: random.Random, shape: tuple) -> tuple:
    """A shape that broadcasts with `shape`: leading dims dropped or added, some dims 1."""
    partner = list(shape)
    if partner and rng.random() < 0.3:
        partner = partner[rng.randint(1, len(partner)):]
    elif rng.random() < 0.2 and len(partner) < 3:
        partner = [rng.randint(1, 3)] + partner
    return tuple(1 if rng.random() < 0.25 else d for d in partner)


def _broadcast(*shapes: tuple) -> Optional[tuple]:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def _pick_dtype(rng: random.Random, kinds: str = "SUFCB") -> str:
    choices = [d for d in DTYPES if _KIND[d] in kinds]
    return rng.choices(choices, [_DTYPE_WEIGHTS[d] for d in choices])[0]


# --- elementwise ops ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Elementwise:
    function: str              # "tf.add": the function form
    operator: Optional[str]    # "+" (binary), "-" or "abs" (unary): the operator form, if any
    kinds: str                 # the dtype kinds TF defines it for (S U F C B)
    result: str = "same"       # "same", "bool", "real" (complex -> its real dtype), "truediv"
    exact_kinds: str = "SUB"   # kinds on which it is exactly rounded (so deterministic)
    keeps_exact: bool = False  # small multiples of 1/4 in, no rounding out
    discontinuous: bool = False  # only on deterministic inputs
    smooth: bool = True        # differentiable almost everywhere (for the gradient family)
    # a pole at 0: "x" (unary) or "y" (the divisor) or "xy" (pow, atan2) must be deterministic,
    # as the sign of a zero or the size of a tiny value made by rounding decides the result
    pole: str = ""
    special: bool = True       # TF 2.21 gets it right on special values (erf(-1e308) is NaN)
    # the sign of a zero result is TF's rule, not a tie IEEE leaves open (max(-0, 0)): compared
    zero_sign: bool = True
    arity: int = 1


def _u(function: str, kinds: str, **facts: Any) -> _Elementwise:
    return _Elementwise(function, facts.pop("operator", None), kinds, **facts)


def _b(function: str, kinds: str, **facts: Any) -> _Elementwise:
    return _Elementwise(function, facts.pop("operator", None), kinds, arity=2, **facts)


_EXACT = dict(exact_kinds="SUFBC", keeps_exact=True)
_ROUNDED = dict(exact_kinds="SUFB")     # IEEE's exactly rounded + - * / sqrt: deterministic
_CUT = dict(exact_kinds="SUFB", keeps_exact=True, discontinuous=True, smooth=False)

UNARY = [
    _u("tf.abs", "SFC", operator="abs", result="real", exact_kinds="SUFB", keeps_exact=True),
    _u("tf.negative", "SFC", operator="-", **_EXACT),
    _u("tf.sign", "SFC", **_CUT),
    _u("tf.square", "SFC", exact_kinds="SUFB", keeps_exact=True),
    _u("tf.sqrt", "FC", exact_kinds="F"), _u("tf.rsqrt", "FC", pole="x"), _u("tf.exp", "FC"),
    _u("tf.expm1", "FC"), _u("tf.log", "FC"), _u("tf.log1p", "FC"), _u("tf.sin", "FC"),
    _u("tf.cos", "FC"), _u("tf.tan", "FC"), _u("tf.asin", "FC"), _u("tf.acos", "FC"),
    _u("tf.atan", "FC"), _u("tf.sinh", "FC"), _u("tf.cosh", "FC"), _u("tf.tanh", "FC"),
    _u("tf.asinh", "FC"), _u("tf.acosh", "FC"), _u("tf.atanh", "FC"), _u("tf.sigmoid", "FC"),
    _u("tf.math.log_sigmoid", "F"), _u("tf.erf", "F", special=False),
    _u("tf.erfc", "F", special=False),
    _u("tf.lgamma", "F", pole="x"),
    _u("tf.digamma", "F", pole="x"), _u("tf.reciprocal", "FC", exact_kinds="F", pole="x"),
    _u("tf.math.reciprocal_no_nan", "FC", exact_kinds="F"),
    _u("tf.floor", "F", **_CUT), _u("tf.ceil", "F", **_CUT), _u("tf.round", "F", **_CUT),
    _u("tf.rint", "F", **_CUT),
    _u("tf.is_nan", "F", result="bool", **_CUT), _u("tf.is_inf", "F", result="bool", **_CUT),
    _u("tf.is_finite", "F", result="bool", **_CUT),
    _u("tf.logical_not", "B", operator="~", **_CUT),
    _u("tf.bitwise.invert", "SU", operator="~", **_CUT),
    _u("tf.nn.relu", "SUF", zero_sign=False, **_CUT),
    _u("tf.nn.relu6", "SUF", zero_sign=False, **_CUT),
    _u("tf.nn.elu", "F"), _u("tf.nn.selu", "F"), _u("tf.nn.softplus", "F"),
    _u("tf.nn.softsign", "F"), _u("tf.nn.leaky_relu", "F", exact_kinds="F", zero_sign=False),
    _u("tf.real", "FC", result="real", **_EXACT), _u("tf.imag", "FC", result="real", **_EXACT),
    _u("tf.conj", "FC", **_EXACT), _u("tf.angle", "FC", result="real"),
    _u("tf.zeros_like", "SUFCB", **_EXACT), _u("tf.ones_like", "SUFCB", **_EXACT),
    _u("tf.identity", "SUFCB", **_EXACT), _u("tf.stop_gradient", "SUFCB", **_EXACT),
]
BINARY = [
    _b("tf.add", "SUFC", operator="+", **_EXACT), _b("tf.subtract", "SUFC", operator="-",
                                                     **_EXACT),
    _b("tf.multiply", "SUFC", operator="*", exact_kinds="SUFB", keeps_exact=True),
    _b("tf.truediv", "SUFC", operator="/", result="truediv", pole="y", **_ROUNDED),
    _b("tf.divide", "SUFC", result="truediv", pole="y", **_ROUNDED),
    _b("tf.div", "SUFC", pole="y", **_ROUNDED), _b("tf.realdiv", "FC", pole="y", **_ROUNDED),
    _b("tf.floordiv", "SUF", operator="//", **_CUT), _b("tf.floormod", "SUF", operator="%",
                                                       **_CUT),
    _b("tf.mod", "SUF", **_CUT), _b("tf.truncatediv", "SU", **_CUT),
    _b("tf.truncatemod", "SF", **_CUT),
    _b("tf.pow", "SFC", operator="**", exact_kinds="SU", smooth=False, pole="xy"),
    _b("tf.maximum", "SUF", exact_kinds="SUFB", keeps_exact=True, zero_sign=False),
    _b("tf.minimum", "SUF", exact_kinds="SUFB", keeps_exact=True, zero_sign=False),
    _b("tf.squared_difference", "SFC", exact_kinds="SUFB", keeps_exact=True),
    _b("tf.atan2", "F", pole="xy"), _b("tf.math.xlogy", "FC"),
    _b("tf.math.xdivy", "FC", pole="y"),
    _b("tf.math.divide_no_nan", "FC", pole="y", **_ROUNDED),
    _b("tf.math.multiply_no_nan", "FC", exact_kinds="SUFB", keeps_exact=True),
    _b("tf.equal", "SUFCB", result="bool", **_CUT),
    _b("tf.not_equal", "SUFCB", result="bool", **_CUT),
    _b("tf.less", "SUF", operator="<", result="bool", **_CUT),
    _b("tf.less_equal", "SUF", operator="<=", result="bool", **_CUT),
    _b("tf.greater", "SUF", operator=">", result="bool", **_CUT),
    _b("tf.greater_equal", "SUF", operator=">=", result="bool", **_CUT),
    _b("tf.logical_and", "B", operator="&", **_CUT), _b("tf.logical_or", "B", operator="|",
                                                        **_CUT),
    _b("tf.logical_xor", "B", operator="^", **_CUT),
    _b("tf.bitwise.bitwise_and", "SU", operator="&", **_CUT),
    _b("tf.bitwise.bitwise_or", "SU", operator="|", **_CUT),
    _b("tf.bitwise.bitwise_xor", "SU", operator="^", **_CUT),
]
_SCALARS = {"S": ["1", "2", "3", "-2", "0"], "U": ["1", "2", "3", "0"],
            "F": ["0.5", "2.0", "-1.5", "1", "2", "3.0", "0.0"],
            "C": ["1j", "(1+2j)", "2.0", "2"], "B": ["True", "False"]}
_ODD_SCALARS = ["0.5", "2", "True", "1j", "-1", "-2"]


def _literal_dtype(text: str) -> str:
    """The dtype TF gives a Python literal on its own."""
    if text in ("True", "False"):
        return "bool"
    if "j" in text:
        return "complex128"
    return "float32" if "." in text else "int32"


def _result_dtype(op: _Elementwise, dtype: str) -> str:
    if op.result == "bool":
        return "bool"
    if op.result == "real" and dtype in COMPLEX:
        return {"complex64": "float32", "complex128": "float64"}[dtype]
    if op.result == "truediv" and _KIND[dtype] in "SU":
        return "float32" if dtype in ("int8", "int16", "uint8", "uint16") else "float64"
    return dtype


def _choose(w: _Writer, table: list, tensor: _Tensor, smooth: bool = False) -> Any:
    """An op of `table` for `tensor`: one TF defines for its dtype, mostly; sometimes any.
    Complex infinities and NaNs only meet exactly rounded ops: C++'s and NumPy's complex
    functions part ways there by convention, not by error. Special floats never meet `//`: TF
    flushes a denormal quotient to zero before flooring it (-2.5 // 3.4e38 is -0 there)."""
    rng = w.rng
    usable = [op for op in table if (op.smooth or not smooth) and (tensor.deterministic or (
        not op.discontinuous and op.pole not in ("x", "xy")))
              and not (w.special and tensor.kind == "C" and "C" not in op.exact_kinds)
              and not (w.special and tensor.kind == "F" and op.function == "tf.floordiv")
              and (op.special or not w.special)]
    meant = [op for op in usable if tensor.kind in op.kinds]
    if meant and (smooth or rng.random() < 0.93):
        return rng.choice(meant)
    return rng.choice(usable) if usable and not smooth else None


def _apply_unary(w: _Writer, op: _Elementwise, x: _Tensor) -> _Tensor:
    if op.operator and w.rng.random() < 0.5:
        text = f"{op.operator}({x.var})" if op.operator == "abs" else f"{op.operator}{x.var}"
    else:
        text = f"{op.function}({x.var})"
    return _emit_elementwise(w, op, text, x, [x], x.shape)


def _emit_elementwise(w: _Writer, op: _Elementwise, text: str, x: _Tensor, inputs: list,
                      shape: tuple) -> _Tensor:
    deterministic = all(t.deterministic for t in inputs) and x.kind in op.exact_kinds
    exact = all(t.exact for t in inputs) and (op.keeps_exact or x.kind in "SUB")
    if x.dtype == "float16" and op.function in ("tf.multiply", "tf.square"):
        exact = False  # NOTE: 11 bits of mantissa run out after a few products of quarters
    return w.emit(op.function, text, _result_dtype(op, x.dtype), shape, deterministic, exact,
                  zero_sign=op.zero_sign)


def _scalar(w: _Writer, x: _Tensor) -> str:
    if w.rng.random() < 0.06:
        text = w.rng.choice(_ODD_SCALARS)
    else:
        text = w.rng.choice(_SCALARS[x.kind])
    if x.kind == "U" and text.startswith("-"):
        w.tags.add("python-int-out-of-range")
    return text


def _apply_binary(w: _Writer, op: _Elementwise, x: _Tensor) -> _Tensor:
    rng = w.rng
    pole = op.pole and x.kind in "FC"
    if rng.random() < 0.3:
        other, other_text, shape = None, _scalar(w, x), x.shape
    else:
        other = _partner(w, x, deterministic=bool(pole))
        other_text, shape = other.var, _broadcast(x.shape, other.shape)
    left, right = (x.var, other_text) if rng.random() < 0.6 else (other_text, x.var)
    if pole and not x.deterministic:
        left, right = x.var, other_text  # NOTE: a divisor made by rounding may be -0 or +0
    if op.operator and rng.random() < 0.5:
        text = f"{left} {op.operator} {right}"
        if other is None and left != x.var:
            w.tags.add("python-scalar-on-the-left")
    else:
        text = f"{op.function}({left}, {right})"
    inputs = [x] if other is None else [x, other]
    return _emit_elementwise(w, op, text, x, inputs, shape)


def _partner(w: _Writer, x: _Tensor, deterministic: bool = False) -> _Tensor:
    """A second operand for `x`: an earlier tensor of its dtype, or a new placeholder."""
    candidates = [t for t in w.pool if t.dtype == x.dtype and t.var != x.var
                  and _broadcast(t.shape, x.shape) is not None
                  and (t.deterministic or not deterministic)]
    if candidates and w.rng.random() < 0.4:
        return w.rng.choice(candidates)
    # NOTE: TF 2 (not TF 1) turns `*` with a bool operand into a logical and: not generated
    dtype = x.dtype if w.rng.random() < 0.96 or x.kind == "B" else _pick_dtype(w.rng, "SUFC")
    return w.placeholder(dtype, _broadcast_partner(w.rng, x.shape),
                         special=w.special and w.rng.random() < 0.5)


def _elementwise_step(w: _Writer, x: _Tensor, smooth: bool = False) -> Optional[_Tensor]:
    table = UNARY if w.rng.random() < 0.45 else BINARY
    op = _choose(w, table, x, smooth)
    if op is None:
        return None
    return _apply_unary(w, op, x) if op.arity == 1 else _apply_binary(w, op, x)


# --- casts --------------------------------------------------------------------------------------

def _cast_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    target = _pick_dtype(rng)
    if rng.random() < 0.35 and x.kind in "SUF" and (x.kind != "F" or w.no_nan or not w.special):
        target = _pick_dtype(rng, "SUF")
        if x.dtype == "int64" and target in ("int64", "uint64", "float32", "float64"):
            return None  # NOTE: TF 2.21's clamp limits overflow there: its result is garbage
        if w.special and x.kind == "F" and target in ("int64", "uint64"):
            return None  # NOTE: TF clamps to float(2**64 - 1) == 2**64, whose cast is undefined
        return w.emit("tf.saturate_cast", f"tf.saturate_cast({x.var}, tf.{target})", target,
                      x.shape, x.deterministic, x.exact)
    if _KIND[target] in "SUB" and x.kind in "FC" and not x.deterministic:
        return None
    if _KIND[target] in "SU" and x.kind in "FC" and (w.special or not x.exact):
        return None  # NOTE: out of range or NaN to int is undefined behaviour in C++ and NumPy
    if _KIND[target] == "U" and x.kind in "FC" and x.deterministic:
        x = w.emit("tf.abs", f"tf.abs({x.var})", _result_dtype(UNARY[0], x.dtype), x.shape,
                   x.deterministic, x.exact)  # NOTE: a negative float to unsigned is undefined
    shorthand = {"float32": "tf.to_float", "int32": "tf.to_int32", "int64": "tf.to_int64",
                 "float64": "tf.to_double"}.get(target)
    # NOTE: an int may be near its dtype's top: as a float it is no longer a safe cast source
    exact = x.exact and not (x.kind in "SU" and _KIND[target] in "FC")
    if shorthand and rng.random() < 0.2:
        return w.emit(shorthand, f"{shorthand}({x.var})", target, x.shape, x.deterministic,
                      exact)
    return w.emit("tf.cast", f"tf.cast({x.var}, tf.{target})", target, x.shape,
                  x.deterministic, exact)


# --- reductions ---------------------------------------------------------------------------------

_REDUCTIONS = {  # function: (kinds, result dtype, exact on exact inputs)
    "tf.reduce_sum": ("SUFC", None, True), "tf.reduce_mean": ("SUFC", None, False),
    "tf.reduce_max": ("SUF", None, True), "tf.reduce_min": ("SUF", None, True),
    "tf.reduce_prod": ("SUFC", None, True), "tf.reduce_any": ("B", None, True),
    "tf.reduce_all": ("B", None, True), "tf.reduce_logsumexp": ("F", None, False),
    "tf.math.reduce_std": ("F", None, False), "tf.math.reduce_variance": ("F", None, False),
    "tf.math.reduce_euclidean_norm": ("SUFC", None, False),
    "tf.count_nonzero": ("SUFB", "int64", True),
}


_ORDERED = ("tf.reduce_sum", "tf.reduce_mean", "tf.reduce_prod", "tf.math.reduce_euclidean_norm",
            "tf.reduce_logsumexp", "tf.math.reduce_std", "tf.math.reduce_variance")


def _axis(rng: random.Random, rank: int) -> Any:
    """An axis argument: None, an int (maybe negative), a list or tuple of distinct axes."""
    if rank == 0 or rng.random() < 0.2:
        return None
    axes = rng.sample(range(rank), rng.randint(1, rank))
    axes = [a - rank if rng.random() < 0.3 else a for a in axes]
    roll = rng.random()
    if roll < 0.5:
        return axes[0]
    return tuple(axes) if roll < 0.6 else axes


def _reduced_shape(shape: tuple, axis: Any, keepdims: bool) -> tuple:
    rank = len(shape)
    axes = range(rank) if axis is None else [axis] if isinstance(axis, int) else axis
    axes = {a % rank for a in axes} if rank else set()
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _reduce_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    meant = [f for f, (kinds, _, _) in _REDUCTIONS.items() if x.kind in kinds]
    if w.special and x.kind in "FC":  # NOTE: huge + 0.5 - huge depends on the order of the sum
        meant = [f for f in meant if f not in _ORDERED]
    function = rng.choice(meant if meant and rng.random() < 0.93 else list(_REDUCTIONS))
    kinds, result, keeps_exact = _REDUCTIONS[function]
    axis = _axis(rng, len(x.shape))
    keepdims = rng.random() < 0.3
    arguments = [x.var]
    v1_words = function not in ("tf.math.reduce_std", "tf.math.reduce_variance",
                                "tf.math.reduce_euclidean_norm")
    if axis is not None or rng.random() < 0.3:
        arguments.append(_axis_text(rng, axis, v1_words))
    if keepdims:
        arguments.append(rng.choice(["keepdims=True", "keep_dims=True"] if v1_words
                                    else ["keepdims=True"]))
    ordered = function in _ORDERED
    deterministic = x.deterministic and (not ordered or x.exact or x.kind in "SUB")
    deterministic &= not (ordered and x.kind == "C")
    if function == "tf.reduce_mean" and x.kind in "SU" and not w.special:
        w.tags.add("integer-mean")
    return w.emit(function, f"{function}({', '.join(arguments)})", result or x.dtype,
                  _reduced_shape(x.shape, axis, keepdims), deterministic,
                  keeps_exact and x.exact)


def _axis_text(rng: random.Random, axis: Any, v1_words: bool) -> str:
    """The axis argument as TF1 code writes it (`reduction_indices=` is TF1's older name)."""
    word = rng.choice(["axis=", "axis=", ""] + (["reduction_indices="] if v1_words else []))
    if axis is not None and rng.random() < 0.1:
        return f"{word}tf.constant({list(axis) if not isinstance(axis, int) else axis!r})"
    return f"{word}{axis!r}"


def _arg_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    if not x.shape or not x.deterministic or 0 in x.shape:
        return None
    rng = w.rng
    function = rng.choice(["tf.argmax", "tf.argmin", "tf.argmax", "tf.argmin", "tf.math.argmax",
                           "tf.arg_max", "tf.arg_min"])
    axis = rng.randrange(-len(x.shape), len(x.shape))
    if rng.random() < 0.1 and not function.startswith("tf.arg_"):
        axis = 0
        text = f"{function}({x.var})"
    else:
        words = ["", "dimension="] if function.startswith("tf.arg_") else \
            ["axis=", "axis=", "", "dimension="]
        text = f"{function}({x.var}, {rng.choice(words)}{axis})"
    dtype = "int64"
    if rng.random() < 0.25:
        dtype = rng.choice(["int32", "int64"])
        text = text[:-1] + f", output_type=tf.{dtype})"
    shape = tuple(d for i, d in enumerate(x.shape) if i != axis % len(x.shape))
    return w.emit(function, text, dtype, shape, True, True)


# --- array ops ----------------------------------------------------------------------------------

def _reshape_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    size = int(np.prod(x.shape)) if x.shape else 1
    roll = rng.random()
    if roll < 0.3:
        target, text = (size,), "[-1]"
    elif roll < 0.5 and x.shape:
        target = (x.shape[0], size // x.shape[0] if x.shape[0] else 0)
        text = f"[tf.shape({x.var})[0], -1]"
    else:
        target = _factor(rng, size)
        shown = list(target)
        if shown and rng.random() < 0.4:
            shown[rng.randrange(len(shown))] = -1
        text = repr(shown)
    return w.emit("tf.reshape", f"tf.reshape({x.var}, {text})", x.dtype, target,
                  x.deterministic, x.exact)


def _factor(rng: random.Random, size: int) -> tuple:
    dims: list[int] = []
    while size > 1 and len(dims) < 3:
        divisors = [d for d in range(2, size + 1) if size % d == 0]
        d = rng.choice(divisors)
        dims.append(d)
        size //= d
    if rng.random() < 0.3:
        dims.insert(rng.randint(0, len(dims)), 1)
    return tuple(dims) if size == 1 else tuple(dims + [size])


def _transpose_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rank = len(x.shape)
    if rank < 2 and w.rng.random() < 0.8:
        return None
    if w.rng.random() < 0.3:
        return w.emit("tf.transpose", f"tf.transpose({x.var})", x.dtype, x.shape[::-1],
                      x.deterministic, x.exact)
    perm = list(range(rank))
    w.rng.shuffle(perm)
    shape = tuple(x.shape[p] for p in perm)
    return w.emit("tf.transpose", f"tf.transpose({x.var}, {perm})", x.dtype, shape,
                  x.deterministic, x.exact)


def _concat_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    if not x.shape:
        return _stack_step(w, x)
    axis = rng.randrange(len(x.shape))
    other_shape = list(x.shape)
    other_shape[axis] = rng.randint(1, 3)
    other = w.placeholder(x.dtype, tuple(other_shape), special=w.special) \
        if rng.random() < 0.7 else x
    shape = list(x.shape)
    shape[axis] += other.shape[axis]
    shown = axis - len(x.shape) if rng.random() < 0.3 else axis
    return w.emit("tf.concat", f"tf.concat([{x.var}, {other.var}], {shown})", x.dtype,
                  tuple(shape), x.deterministic and other.deterministic, x.exact and other.exact)


def _stack_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    rank = len(x.shape)
    axis = rng.randint(-(rank + 1), rank)
    count = rng.randint(1, 3)
    operands = [x] + [w.placeholder(x.dtype, x.shape, special=w.special)
                      if rng.random() < 0.6 else x for _ in range(count - 1)]
    shape = list(x.shape)
    shape.insert(axis % (rank + 1), count)
    function = "tf.stack" if rng.random() < 0.85 else "tf.parallel_stack"
    if function == "tf.parallel_stack":
        axis_text = ""
        shape = [count] + list(x.shape)
    else:
        axis_text = f", axis={axis}"
    text = f"{function}([{', '.join(t.var for t in operands)}]{axis_text})"
    return w.emit(function, text, x.dtype, tuple(shape),
                  all(t.deterministic for t in operands), all(t.exact for t in operands))


def _slice_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    """`x[...]` with a random spec (NumPy computes the result's shape), or tf.slice."""
    if not x.shape or 0 in x.shape:
        return None
    rng = w.rng
    if rng.random() < 0.3:
        begin = [rng.randrange(d) for d in x.shape]
        size = [rng.choice([-1, rng.randint(0, d - b)])
                for d, b in zip(x.shape, begin, strict=True)]
        shape = tuple(d - b if s == -1 else s
                      for d, b, s in zip(x.shape, begin, size, strict=True))
        return w.emit("tf.slice", f"tf.slice({x.var}, {begin}, {size})", x.dtype, shape,
                      x.deterministic, x.exact)
    count = rng.randint(1, len(x.shape))
    if count < len(x.shape) and rng.random() < 0.15:
        spec = [Ellipsis] + [_slice_item(rng, d) for d in x.shape[len(x.shape) - count:]]
    else:
        spec = [_slice_item(rng, d) for d in x.shape[:count]]
    if rng.random() < 0.2:
        spec.insert(rng.randint(0, len(spec)), None)
    shape = np.empty(x.shape)[tuple(spec)].shape
    text = ", ".join(_spec_text(s) for s in spec)
    return w.emit("strided_slice", f"{x.var}[{text}]", x.dtype, shape, x.deterministic,
                  x.exact)


def _slice_item(rng: random.Random, size: int) -> Any:
    roll = rng.random()
    if roll < 0.3:
        return rng.randrange(-size, size)
    start = rng.choice([None, rng.randrange(-size, size + 1)])
    stop = rng.choice([None, rng.randrange(-size - 1, size + 2)])
    step = rng.choice([None, None, 1, 2, -1, -2])
    return slice(start, stop, step)


def _spec_text(item: Any) -> str:
    if item is None:
        return "None"
    if item is Ellipsis:
        return "..."
    if isinstance(item, int):
        return str(item)
    parts = ["" if p is None else str(p) for p in (item.start, item.stop, item.step)]
    return ":".join(parts) if item.step is not None else ":".join(parts[:2])


def _gather_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    if not x.shape or 0 in x.shape:
        return None
    rng = w.rng
    axis = rng.randrange(len(x.shape))
    count = rng.randint(1, 4)
    indices = [rng.randrange(x.shape[axis]) for _ in range(count)]
    shape = x.shape[:axis] + (count,) + x.shape[axis + 1:]
    if rng.random() < 0.3:
        index_var = w.placeholder(rng.choice(["int32", "int64"]), (count,),
                                  values=np.array(indices), static=[None])
        indices_text = index_var.var
    else:
        indices_text = repr(indices)
    axis_text = f", axis={axis}" if axis or rng.random() < 0.3 else ""
    return w.emit("tf.gather", f"tf.gather({x.var}, {indices_text}{axis_text})", x.dtype,
                  shape, x.deterministic, x.exact)


def _tile_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    multiples = [w.rng.randint(1, 2) for _ in x.shape]
    shape = tuple(d * m for d, m in zip(x.shape, multiples, strict=True))
    return w.emit("tf.tile", f"tf.tile({x.var}, {multiples})", x.dtype, shape,
                  x.deterministic, x.exact)


def _pad_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    if not x.shape:
        return None
    mode = rng.choice(["CONSTANT", "CONSTANT", "REFLECT", "SYMMETRIC"])
    limit = {"CONSTANT": lambda d: 2, "REFLECT": lambda d: d - 1, "SYMMETRIC": lambda d: d}[mode]
    paddings = [[rng.randint(0, max(0, min(2, limit(d)))) for _ in "ab"] for d in x.shape]
    shape = tuple(d + a + b for d, (a, b) in zip(x.shape, paddings, strict=True))
    extra = ""
    if mode != "CONSTANT":
        extra = f", mode={mode!r}" if rng.random() < 0.7 else f", {mode.lower()!r}"
    elif rng.random() < 0.3 and x.kind in "SUF":
        extra = f", constant_values={_scalar(w, x)}"
    return w.emit("tf.pad", f"tf.pad({x.var}, {paddings}{extra})", x.dtype, shape,
                  x.deterministic, x.exact)


def _expand_squeeze_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    ones = [i for i, d in enumerate(x.shape) if d == 1]
    if ones and rng.random() < 0.5:
        if rng.random() < 0.4:
            shape = tuple(d for d in x.shape if d != 1)
            return w.emit("tf.squeeze", f"tf.squeeze({x.var})", x.dtype, shape,
                          x.deterministic, x.exact)
        axis = rng.choice(ones)
        shape = x.shape[:axis] + x.shape[axis + 1:]
        return w.emit("tf.squeeze", f"tf.squeeze({x.var}, [{axis}])", x.dtype, shape,
                      x.deterministic, x.exact)
    rank = len(x.shape)
    axis = rng.randint(-(rank + 1), rank)
    shape = list(x.shape)
    shape.insert(axis % (rank + 1), 1)
    return w.emit("tf.expand_dims", f"tf.expand_dims({x.var}, {axis})", x.dtype, tuple(shape),
                  x.deterministic, x.exact)


def _reverse_split_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    if not x.shape:
        return None
    axis = rng.randrange(len(x.shape))
    if rng.random() < 0.5:
        return w.emit("tf.reverse", f"tf.reverse({x.var}, [{axis}])", x.dtype, x.shape,
                      x.deterministic, x.exact)
    size = x.shape[axis]
    parts = rng.choice([d for d in range(1, size + 1) if size % d == 0] or [1])
    shape = list(x.shape)
    shape[axis] = size // parts
    index = rng.randrange(parts)
    return w.emit("tf.split", f"tf.split({x.var}, {parts}, axis={axis})[{index}]", x.dtype,
                  tuple(shape), x.deterministic, x.exact)


def _shape_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    function = rng.choice(["tf.shape", "tf.size", "tf.rank", "tf.zeros", "tf.ones", "tf.fill"])
    if function == "tf.shape":
        return w.emit(function, f"tf.shape({x.var})", "int32", (len(x.shape),), True, True)
    if function in ("tf.size", "tf.rank"):
        return w.emit(function, f"{function}({x.var})", "int32", (), True, True)
    if function == "tf.fill":
        value = _scalar(w, x)
        return w.emit(function, f"tf.fill(tf.shape({x.var}), {value})", _literal_dtype(value),
                      x.shape, True, True)
    dtype = _pick_dtype(rng, "SUFB")
    return w.emit(function, f"{function}(tf.shape({x.var}), tf.{dtype})", dtype, x.shape,
                  True, True)


def _where_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    """where/where_v2 between x and a partner under a condition, or where(condition)."""
    rng = w.rng
    if not x.deterministic:
        return None
    if x.kind == "B" and rng.random() < 0.4:
        return w.emit("tf.where", f"tf.where({x.var})", "int64", (None, len(x.shape)), True,
                      True)
    conditions = [t for t in w.pool if t.kind == "B" and t.deterministic
                  and _broadcast(t.shape, x.shape) is not None]
    if conditions and rng.random() < 0.7:
        condition = rng.choice(conditions)
    else:
        condition = w.placeholder("bool", x.shape if rng.random() < 0.5 else
                                  _broadcast_partner(rng, x.shape))
    other = _partner(w, x) if rng.random() < 0.7 else x
    shape = _broadcast(condition.shape, x.shape, other.shape)
    if shape is None:
        return None
    exact = x.exact and other.exact
    deterministic = x.deterministic and other.deterministic
    if rng.random() < 0.5 or condition.shape != x.shape or other.shape != x.shape:
        text = f"tf.where_v2({condition.var}, {x.var}, {other.var})"
        return w.emit("tf.where_v2", text, x.dtype, shape, deterministic, exact)
    text = f"tf.where({condition.var}, {x.var}, {other.var})"
    return w.emit("tf.where", text, x.dtype, x.shape, deterministic, exact)


def _cumulative_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    if w.special and x.kind in "FC":
        return None
    function = rng.choice(["tf.cumsum", "tf.cumprod"])
    arguments = [x.var]
    if x.shape and rng.random() < 0.7:
        arguments.append(f"axis={rng.randrange(-len(x.shape), len(x.shape))}")
    for flag in ("exclusive", "reverse"):
        if rng.random() < 0.3:
            arguments.append(f"{flag}=True")
    deterministic = x.deterministic and (x.exact or x.kind in "SUB") and x.kind != "C"
    return w.emit(function, f"{function}({', '.join(arguments)})", x.dtype, x.shape,
                  deterministic, x.exact)


def _matmul_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    if len(x.shape) < 2 or w.special:
        return None
    transpose_a, transpose_b = rng.random() < 0.25, rng.random() < 0.25
    rows, inner = x.shape[-2:] if not transpose_a else x.shape[-2:][::-1]
    columns = rng.randint(1, 3)
    batch = x.shape[:-2]
    other_shape = batch + ((columns, inner) if transpose_b else (inner, columns))
    other = w.placeholder(x.dtype, other_shape, special=w.special)
    flags = "".join([", transpose_a=True" if transpose_a else "",
                     ", transpose_b=True" if transpose_b else ""])
    if not flags and rng.random() < 0.4:
        text = f"{x.var} @ {other.var}"
    else:
        text = f"tf.matmul({x.var}, {other.var}{flags})"
    deterministic = x.deterministic and other.deterministic and (
        x.kind in "SU" or (x.exact and other.exact and x.kind == "F"))
    return w.emit("tf.matmul", text, x.dtype, batch + (rows, columns), deterministic,
                  x.exact and other.exact)


def _clip_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    if x.kind not in "SUF" and w.rng.random() < 0.9:
        return None
    low, high = sorted(w.rng.sample([0, 1, 2, 3] if x.kind != "F" else
                                    [-1.5, -0.5, 0.0, 0.5, 1.0, 2.0], 2))
    return w.emit("tf.clip_by_value", f"tf.clip_by_value({x.var}, {low}, {high})", x.dtype,
                  x.shape, x.deterministic, x.exact)


# --- nn ops -------------------------------------------------------------------------------------

def _nn_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    if (x.kind != "F" and rng.random() < 0.9) or w.special:
        return None
    choices = [_softmax_step, _cross_entropy_step, _sparse_cross_entropy_step,
               _sigmoid_cross_entropy_step, _normalize_step, _bias_add_step, _l2_loss_step,
               _moments_step]
    return rng.choice(choices)(w, x)


def _softmax_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    function = w.rng.choice(["tf.nn.softmax", "tf.nn.log_softmax"])
    axis = ""
    if x.shape and w.rng.random() < 0.3:
        axis = f", axis={w.rng.randrange(-len(x.shape), len(x.shape))}"
    return w.emit(function, f"{function}({x.var}{axis})", x.dtype, x.shape, False, False)


def _labels(w: _Writer, shape: tuple, dtype: str) -> _Tensor:
    """Rows of probabilities (each sums to 1 exactly: quarters)."""
    rng = w.rng
    if not shape:
        return w.placeholder(dtype, shape, values=np.array(1.0, dtype))
    classes = shape[-1]
    rows = int(np.prod(shape[:-1]))
    table = []
    for _ in range(rows):
        row = [0] * classes
        for _ in range(4):
            row[rng.randrange(classes)] += 1
        table.append([r / 4 for r in row])
    return w.placeholder(dtype, shape, values=np.array(table, dtype).reshape(shape))


def _cross_entropy_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    if not x.shape or 0 in x.shape:
        return None
    function = w.rng.choice(["tf.nn.softmax_cross_entropy_with_logits_v2",
                             "tf.nn.softmax_cross_entropy_with_logits"])
    labels = _labels(w, x.shape, x.dtype)
    text = f"{function}(labels={labels.var}, logits={x.var})"
    return w.emit(function, text, x.dtype, x.shape[:-1], False, False)


def _sparse_cross_entropy_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    if not x.shape or 0 in x.shape:
        return None
    rng = w.rng
    classes = x.shape[-1]
    labels = np.array([rng.randrange(classes) for _ in range(int(np.prod(x.shape[:-1])))])
    label_var = w.placeholder(rng.choice(["int32", "int64"]), x.shape[:-1],
                              values=labels.reshape(x.shape[:-1]))
    function = "tf.nn.sparse_softmax_cross_entropy_with_logits"
    text = f"{function}(labels={label_var.var}, logits={x.var})"
    return w.emit(function, text, x.dtype, x.shape[:-1], False, False)


def _sigmoid_cross_entropy_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    rng = w.rng
    labels = w.placeholder(x.dtype, x.shape, values=np.array(
        [rng.choice([0.0, 0.25, 0.5, 1.0]) for _ in range(int(np.prod(x.shape)))],
        x.dtype).reshape(x.shape))
    if rng.random() < 0.3:
        function = "tf.nn.weighted_cross_entropy_with_logits"
        text = f"{function}(labels={labels.var}, logits={x.var}, pos_weight=1.5)"
    else:
        function = "tf.nn.sigmoid_cross_entropy_with_logits"
        text = f"{function}(labels={labels.var}, logits={x.var})"
    return w.emit(function, text, x.dtype, x.shape, False, False)


def _normalize_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    axis = w.rng.randrange(len(x.shape)) if x.shape else None
    axis_text = "" if axis is None else f", axis={axis}"
    return w.emit("tf.nn.l2_normalize", f"tf.nn.l2_normalize({x.var}{axis_text})", x.dtype,
                  x.shape, False, False)


def _bias_add_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    if len(x.shape) < 2:
        return None
    bias = w.placeholder(x.dtype, x.shape[-1:])
    return w.emit("tf.nn.bias_add", f"tf.nn.bias_add({x.var}, {bias.var})", x.dtype, x.shape,
                  x.deterministic and bias.deterministic, x.exact)


def _l2_loss_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    return w.emit("tf.nn.l2_loss", f"tf.nn.l2_loss({x.var})", x.dtype, (), False, False)


def _moments_step(w: _Writer, x: _Tensor) -> Optional[_Tensor]:
    if not x.shape:
        return None
    axes = sorted(w.rng.sample(range(len(x.shape)), w.rng.randint(1, len(x.shape))))
    index = w.rng.randrange(2)
    shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return w.emit("tf.nn.moments", f"tf.nn.moments({x.var}, {axes})[{index}]", x.dtype, shape,
                  False, False)


# --- the families -------------------------------------------------------------------------------

ARRAY_STEPS = [_reshape_step, _transpose_step, _concat_step, _stack_step, _slice_step,
               _gather_step, _tile_step, _pad_step, _expand_squeeze_step, _reverse_split_step]
OTHER_STEPS = [_cast_step, _reduce_step, _arg_step, _shape_step, _where_step, _cumulative_step,
               _matmul_step, _clip_step, _nn_step]


def _chain(w: _Writer, x: _Tensor, steps: list, depth: int, smooth: bool = False) -> _Tensor:
    """`depth` ops, each on the latest tensor or an earlier one; the last tensor made."""
    for _ in range(depth * 3):
        if depth == 0:
            break
        step = w.rng.choice(steps)
        made = step(w, x, smooth) if step is _elementwise_step else step(w, x)
        if made is None or (made.shape and None in made.shape):
            continue
        x, depth = made, depth - 1
        if w.rng.random() < 0.2:
            x = w.rng.choice([t for t in w.pool if None not in t.shape])
    return x


def _first_input(w: _Writer, kinds: str = "SUFCB", special_chance: float = 0.25) -> _Tensor:
    dtype = _pick_dtype(w.rng, kinds)
    shape = _shape(w.rng, low=0 if w.rng.random() < 0.04 else 1)
    return w.placeholder(dtype, shape, special=w.rng.random() < special_chance)


def _family_elementwise(w: _Writer) -> None:
    x = _first_input(w)
    _chain(w, x, [_elementwise_step], 1 if w.special else w.rng.randint(1, 3))


def _family_mixed(w: _Writer) -> None:
    x = _first_input(w, special_chance=0.1)
    steps = [_elementwise_step] * 4 + ARRAY_STEPS + OTHER_STEPS
    _chain(w, x, steps, 1 if w.special else w.rng.randint(1, 4))


def _family_array(w: _Writer) -> None:
    x = _first_input(w, special_chance=0)
    _chain(w, x, ARRAY_STEPS, w.rng.randint(1, 3))


def _family_reduce(w: _Writer) -> None:
    x = _first_input(w, special_chance=0.2)
    if not w.special and w.rng.random() < 0.4:
        x = _chain(w, x, [_elementwise_step], 1)
    _chain(w, x, [_reduce_step, _reduce_step, _arg_step], 1)


def _family_cast(w: _Writer) -> None:
    w.no_nan = w.rng.random() < 0.5
    x = _first_input(w, special_chance=0.2)
    _chain(w, x, [_cast_step], 1 if w.special else w.rng.randint(1, 2))


def _family_where(w: _Writer) -> None:
    x = _first_input(w, special_chance=0.1)
    if not w.special:
        condition_op = w.rng.choice([op for op in BINARY if op.result == "bool"])
        if x.kind in condition_op.kinds:
            _apply_binary(w, condition_op, x)
    _chain(w, x, [_where_step], 1)


def _family_matmul_nn(w: _Writer) -> None:
    x = _first_input(w, "SFC" if w.rng.random() < 0.3 else "F", special_chance=0)
    steps = [_matmul_step, _nn_step, _nn_step, _cumulative_step, _elementwise_step]
    _chain(w, x, steps, 1 if w.special else w.rng.randint(1, 3))


def _family_gradient(w: _Writer) -> None:
    """A random float graph; the gradients of every intermediate's sum w.r.t. the inputs."""
    rng = w.rng
    dtype = rng.choices(["float32", "float64", "float16"], [6, 3, 1])[0]
    x = w.placeholder(dtype, _shape(rng, rank=rng.choice([1, 2, 2, 3])),
                      values=None, nonzero=rng.random() < 0.8)
    steps = [_elementwise_step] * 6 + ARRAY_STEPS + [
        _reduce_step, _cumulative_step, _matmul_step, _softmax_step, _cross_entropy_step,
        _sigmoid_cross_entropy_step, _normalize_step, _where_step, _clip_step]
    _chain(w, x, steps, rng.randint(1, 3), smooth=True)
    inputs = [t.var for t in w.pool if t.var.startswith("x") and t.kind == "F"]
    for var in [v for v in w.fetch if _KIND[_dtype_of(w, v)] == "F"]:
        _gradients(w, var, _dtype_of(w, var), inputs, f"gradient of {w.ops[var]}")
    w.names = False


def _gradients(w: _Writer, var: str, dtype: str, inputs: list, op: str) -> None:
    """Fetch the gradients of sum(var) w.r.t. `inputs`; the python aspect says which are None."""
    grads = f"d{var[1:]}"
    extra = ""
    if w.rng.random() < 0.1:
        # NOTE: TF checks grad_ys' dtype only where a later op does (Mul); a Python 2.0 is
        # float32, so it weights only float32 losses here
        extra = ", grad_ys=" + w.rng.choice([f"tf.constant(2.0, tf.{dtype})",
                                             f"tf.ones_like(tf.reduce_sum({var}))"]
                                            + (["2.0"] if dtype == "float32" else []))
    w.line(f"{grads} = tf.gradients(tf.reduce_sum({var}), [{', '.join(inputs)}]{extra})")
    w.line(f"{grads}_ = [g for g in {grads} if g is not None]")
    w.fetch.append(f"{grads}_")
    w.ops[f"{grads}_"] = op
    w.python[grads] = f"[g is None for g in {grads}]"


def _dtype_of(w: _Writer, var: str) -> str:
    return next(t.dtype for t in w.pool if t.var == var)


def _family_variables(w: _Writer) -> None:
    """A variable updated under control_dependencies, read in one of TF1's forms, three runs."""
    rng = w.rng
    dtype = rng.choice(["float32", "float32", "float64", "int32", "int64"])
    shape = _shape(rng, rank=rng.choice([0, 0, 1, 2]))
    initial = _values(rng, dtype, shape)
    maker = rng.choice(["tf.Variable({init}, name='v')",
                        "tf.Variable({init}, dtype=tf.{dtype}, name='v')",
                        "tf.get_variable('v', initializer={init})"])
    w.line("v = " + maker.format(init=_literal(initial), dtype=dtype))
    w.ops["v"] = maker.format(init="<array>", dtype=dtype)
    delta = w.placeholder(dtype, shape) if rng.random() < 0.4 else None
    step = delta.var if delta else _literal(_values(rng, dtype, shape))
    update = rng.choice(["tf.assign_add(v, {d})", "v.assign_add({d})", "tf.assign_sub(v, {d})",
                         "tf.assign(v, v * 2)", "v.assign(v + {d})",
                         "tf.assign(v, tf.maximum(v, {d}))"])
    w.line(f"update = {update.format(d=step)}")
    if rng.random() < 0.2:
        w.line("update = tf.group(update)")
    read = rng.choice(["tf.identity(v)", "v + 0", "tf.reduce_sum(v)", "v.value()",
                       "tf.convert_to_tensor(v)", "v.read_value()", "v * 2", "tf.square(v)",
                       "tf.assign(v, v * 2)", "tf.assign_add(v, v)"])
    w.line("with tf.control_dependencies([update]):")
    w.line(f"    t1 = {read}")
    w.fetch.append("t1")
    w.ops["update"] = update.format(d="d")
    w.ops["t1"] = f"{read} in control_dependencies([update])"
    w.extra["runs"] = "3"
    w.names = False


def _family_control_flow(w: _Writer) -> None:
    (_cond if w.rng.random() < 0.5 else _while_loop)(w)
    w.names = False


def _cond(w: _Writer) -> None:
    """tf.cond on a fed predicate, run once each way; its gradient for float inputs."""
    rng = w.rng
    x = _first_input(w, "SF", special_chance=0)
    p = w.placeholder("bool", (), values=np.array(True), static=[])
    branches = [_branch(w, x) for _ in range(2)]
    w.line(f"t1 = tf.cond({p.var}, lambda: {branches[0]}, lambda: {branches[1]})")
    w.fetch.append("t1")
    w.ops["t1"] = "tf.cond"
    if x.kind == "F" and rng.random() < 0.5:
        _gradients(w, "t1", x.dtype, [x.var], "gradient of tf.cond")
    w.variants = [{p.var: "np.array(True)"}, {p.var: "np.array(False)"}]


def _branch(w: _Writer, x: _Tensor) -> str:
    """One op on x, as an expression (a cond branch): unary, or binary with a scalar."""
    ops = [op for op in UNARY + BINARY if x.kind in op.kinds and op.result == "same"
           and op.operator != "~"]
    op = w.rng.choice(ops)
    if op.arity == 1:
        return f"{op.function}({x.var})"
    return f"{op.function}({x.var}, {w.rng.choice(_SCALARS[x.kind])})"


def _while_loop(w: _Writer) -> None:
    rng = w.rng
    dtype = rng.choice(["float32", "float64", "int32"])
    x = w.placeholder(dtype, _shape(rng, rank=rng.choice([0, 1])))
    bound = rng.randint(0, 4)
    limit = f"{bound}" if rng.random() < 0.6 else w.placeholder("int32", (),
                                                                values=np.array(bound),
                                                                static=[]).var
    factor = rng.choice(["2", "x", "0.5"]) if dtype != "int32" else rng.choice(["2", "x"])
    factor = x.var if factor == "x" else factor
    body = rng.choice([f"a * {factor} + 1", f"a + {x.var}", "tf.square(a) - a",
                       f"tf.maximum(a, {x.var}) * {factor}"])
    w.line(f"i1, t1 = tf.while_loop(lambda i, a: i < {limit}, lambda i, a: (i + 1, {body}), "
           f"[tf.constant(0), {x.var}])")
    w.fetch += ["i1", "t1"]
    w.ops.update({"i1": "tf.while_loop", "t1": "tf.while_loop"})
    if dtype != "int32" and rng.random() < 0.6:
        _gradients(w, "t1", dtype, [x.var], "gradient of tf.while_loop")


def _family_constructors(w: _Writer) -> None:
    """Tensors made from Python values: range, linspace, constant with a shape, one_hot, eye,
    and a range of a fed length (maybe 0)."""
    rng = w.rng
    dtype = _pick_dtype(rng, "SUF")
    start, limit, count = rng.randint(-3, 2), rng.randint(2, 7), rng.randint(1, 5)
    value = rng.choice(_SCALARS[_KIND[dtype]])
    shape = list(_shape(rng, rank=rng.randint(1, 2)))
    text = rng.choice([
        f"tf.range({start}, {limit}, {rng.choice([1, 2, 3])})",
        f"tf.range({limit}, dtype=tf.{dtype})",
        f"tf.range({float(start)}, {float(limit)}, 0.5)",
        f"tf.linspace({float(start)}, {float(limit)}, {count})",
        f"tf.linspace({start}, {limit}, {count})",
        f"tf.lin_space({float(start)}, {float(limit)}, {count})",
        f"tf.constant({rng.choice(['1', '2.5', '[1, 2]', '[[]]', 'True'])}, dtype=tf.{dtype}, "
        f"shape={shape})",
        f"tf.constant({start}, shape=[2, 2])",
        f"tf.zeros([{limit}], tf.{dtype})",
        f"tf.ones([2, {limit}], dtype=tf.{dtype})",
        f"tf.fill([2, 3], {value})",
        f"tf.eye({count}, dtype=tf.{dtype})",
        f"tf.eye(2, {count})",
        f"tf.sequence_mask([1, 3, 2], {limit})",
        f"tf.one_hot([0, 2, {rng.randint(-1, 3)}], 3)",
        f"tf.one_hot([[0, 1], [2, 0]], 3, on_value={value}, off_value={value}, "
        f"axis={rng.choice([-1, 0, 1])})",
        f"tf.convert_to_tensor({rng.choice(['[1, 2.5]', '[[1], [2]]', '3', '[True]'])})",
        f"tf.convert_to_tensor([1, 2], dtype=tf.{dtype})",
        f"tf.constant(np.array([1, 2, 3], {dtype!r}))",
    ])
    w.emit(text.split("(")[0], text, dtype, (), True, True)
    if rng.random() < 0.5:
        size = w.placeholder("int32", (), values=np.array(rng.randint(0, 3)), static=[])
        w.emit("tf.range", f"tf.range({size.var})", "int32", (), True, True)


def _family_random(w: _Writer) -> None:
    rng = w.rng
    shape = list(_shape(rng, rank=rng.choice([1, 2])))
    dtype = rng.choice(["float32", "float64"])
    seed = rng.randint(0, 99)
    text = rng.choice([f"tf.random_uniform({shape}, dtype=tf.{dtype}, seed={seed})",
                       f"tf.random_normal({shape}, dtype=tf.{dtype}, seed={seed})",
                       f"tf.truncated_normal({shape}, dtype=tf.{dtype}, seed={seed})",
                       f"tf.random_uniform({shape}, maxval=10, dtype=tf.int32, seed={seed})",
                       f"tf.random_shuffle(tf.range({shape[0]}), seed={seed})",
                       f"tf.multinomial(tf.zeros([2, 3]), {shape[0]}, seed={seed})"])
    w.emit(text.split("(")[0], text, dtype, (), False, False)
    w.tags.add("random")


# --- bad programs: each must raise TF's error class, at build or at run time ------------------

def _family_bad(w: _Writer) -> None:
    w.rng.choice(_BAD)(w)
    w.tags.add("bad")


def _bad_broadcast(w: _Writer) -> None:
    rng = w.rng
    dtype = _pick_dtype(rng, "SUF")
    x = w.placeholder(dtype, (2, 3), static=rng.choice([[2, 3], [None, 3], [2, None]]))
    y = w.placeholder(dtype, (4,), static=rng.choice([[4], [None]]))
    op = rng.choice(["+", "*", "tf.maximum", "tf.equal", "tf.squared_difference"])
    text = f"{op}({x.var}, {y.var})" if op.startswith("tf.") else f"{x.var} {op} {y.var}"
    w.emit(op if op.startswith("tf.") else f"operator {op}", text, dtype, (2, 3), True, True)


def _bad_dtypes(w: _Writer) -> None:
    rng = w.rng
    first, second = rng.sample(["int32", "float32", "int64", "float64", "bool", "uint8"], 2)
    x = w.placeholder(first, (2,))
    y = w.placeholder(second, (2,))
    ops = ["+", "-", "tf.matmul", "tf.concat", "tf.where", "tf.maximum"]
    op = rng.choice(ops + ["*"] if "bool" not in (first, second) else ops)
    if op == "tf.matmul":
        text = f"tf.matmul(tf.reshape({x.var}, [1, 2]), tf.reshape({y.var}, [2, 1]))"
    elif op == "tf.concat":
        text = f"tf.concat([{x.var}, {y.var}], 0)"
    elif op == "tf.where":
        text = f"tf.where({x.var} > {x.var}, {x.var}, {y.var})"
    elif op.startswith("tf."):
        text = f"{op}({x.var}, {y.var})"
    else:
        text = f"{x.var} {op} {y.var}"
    w.emit(op, text, first, (2,), True, True)


def _bad_matmul(w: _Writer) -> None:
    rng = w.rng
    dynamic = rng.random() < 0.5
    a = w.placeholder("float32", (2, 3), static=[None, None] if dynamic else [2, 3])
    b = w.placeholder("float32", (4, 2), static=[None, 2] if dynamic else [4, 2])
    w.emit("tf.matmul", f"tf.matmul({a.var}, {b.var})", "float32", (2, 2), True, True)


def _bad_runtime_shapes(w: _Writer) -> None:
    rng = w.rng
    x = w.placeholder("float32", (2,), static=[None])
    y = w.placeholder("float32", (3,), static=[None])
    op = rng.choice(["+", "tf.maximum", "tf.where_v2", "tf.stack"])
    if op == "+":
        text = f"{x.var} + {y.var}"
    elif op == "tf.where_v2":
        text = f"tf.where_v2({x.var} > 0, {x.var}, {y.var})"
    elif op == "tf.stack":
        text = f"tf.stack([{x.var}, {y.var}])"
    else:
        text = f"tf.maximum({x.var}, {y.var})"
    w.emit(op, text, "float32", (2,), True, True)


def _bad_reshape(w: _Writer) -> None:
    static = w.rng.choice([[2, 3], [None, 3], None])
    x = w.placeholder("int32", (2, 3), static=static)
    target = w.rng.choice(["[4, -1]", "[5]", "[7, 1]", "[-1, -1]"])
    w.emit("tf.reshape", f"tf.reshape({x.var}, {target})", "int32", (6,), True, True)


def _bad_feed(w: _Writer) -> None:
    rng = w.rng
    kind = rng.choice(["shape", "rank", "unfed", "string", "fraction", "list"])
    if kind == "shape":
        x = w.placeholder("float32", (3,), static=[2])
    elif kind == "rank":
        x = w.placeholder("float32", (2, 2), static=[None])
    elif kind == "unfed":
        x = w.placeholder("float32", (2,))
        w.feeds = []
    elif kind == "string":
        x = w.placeholder("float32", (2,))
        w.feeds = [(x.var, "np.array(['a', 'b'])")]
    elif kind == "fraction":
        x = w.placeholder("int32", (2,))
        w.feeds = [(x.var, "np.array([1.5, 2.7])")]
    else:
        x = w.placeholder("int32", (2,))
        w.feeds = [(x.var, "[[1, 2], [3]]")]
    w.emit("feed", f"{x.var} * 2", x.dtype, (2,), True, True)


def _bad_gather(w: _Writer) -> None:
    x = w.placeholder("float32", (3, 2), static=w.rng.choice([[3, 2], [None, 2]]))
    index = w.rng.choice(["[3]", "[-1]", "[0, 5]"])
    w.emit("tf.gather", f"tf.gather({x.var}, {index})", "float32", (1, 2), True, True)


def _bad_static_arguments(w: _Writer) -> None:
    rng = w.rng
    static = rng.choice([[2, 3], None])
    x = w.placeholder("float32", (2, 3), static=static)
    op, text = rng.choice([
        ("tf.squeeze", f"tf.squeeze({x.var}, [0])"),
        ("tf.reduce_sum", f"tf.reduce_sum({x.var}, axis=2)"),
        ("tf.reduce_max", f"tf.reduce_max({x.var}, axis=[0, 0])"),
        ("tf.transpose", f"tf.transpose({x.var}, [0, 0])"),
        ("tf.transpose", f"tf.transpose({x.var}, [1, 0, 2])"),
        ("tf.concat", f"tf.concat([{x.var}, tf.zeros([2, 4])], 0)"),
        ("tf.concat", f"tf.concat([{x.var}, tf.zeros([3])], 0)"),
        ("tf.split", f"tf.split({x.var}, 2, axis=1)[0]"),
        ("tf.argmax", f"tf.argmax({x.var}, axis=3)"),
        ("tf.expand_dims", f"tf.expand_dims({x.var}, 4)"),
        ("tf.slice", f"tf.slice({x.var}, [0, 1], [3, 1])"),
        ("strided_slice", f"{x.var}[5]"),
        ("strided_slice", f"{x.var}[:, 3]"),
        ("tf.tile", f"tf.tile({x.var}, [2])"),
        ("tf.pad", f"tf.pad({x.var}, [[3, 3], [0, 0]], mode='REFLECT')"),
        ("tf.one_hot", f"tf.one_hot({x.var}, 3)"),
        ("tf.cumsum", f"tf.cumsum({x.var}, axis=2)"),
        ("tf.nn.softmax_cross_entropy_with_logits_v2",
         f"tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]), logits={x.var})"),
        ("tf.nn.sparse_softmax_cross_entropy_with_logits",
         f"tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[0, 1]], logits={x.var})"),
        ("tf.where", f"tf.where({x.var} > 0, {x.var}, tf.zeros([3]))"),
        ("tf.stack", f"tf.stack([{x.var}, tf.zeros([3, 2])])"),
        ("tf.reduce_sum", f"tf.reduce_sum({x.var} > 0)"),
        ("tf.sqrt", f"tf.sqrt(tf.cast({x.var}, tf.int32))"),
        ("tf.cast", f"tf.cast({x.var}, 'no-such-type')"),
        ("tf.constant", "tf.constant([[1, 2], [3]])"),
        ("tf.constant", "tf.constant([1, 2, 3], shape=[2])"),
        ("tf.fill", "tf.fill([2, -1], 1.0)"),
        ("tf.range", "tf.range(0, 10, 0)"),
    ])
    w.emit(op, text, "float32", (), True, True)


def _bad_division(w: _Writer) -> None:
    dtype = _pick_dtype(w.rng, "SU")
    x = w.placeholder(dtype, (3,))
    y = w.placeholder(dtype, (3,), values=np.array([1, 0, 2], dtype))
    op = w.rng.choice(["//", "%", "tf.truncatediv", "tf.floor_div", "tf.truncatemod"])
    text = f"{op}({x.var}, {y.var})" if op.startswith("tf.") else f"{x.var} {op} {y.var}"
    w.emit(op, text, dtype, (3,), True, True)


def _bad_variables(w: _Writer) -> None:
    rng = w.rng
    kind = rng.choice(["uninitialized", "assign-shape", "assign-dtype", "fetch-python"])
    w.line("v = tf.Variable([1.0, 2.0], name='v')")
    if kind == "uninitialized":
        w.extra["initialize"] = "False"
        w.emit("uninitialized variable", "v + 1", "float32", (2,), True, True)
    elif kind == "assign-shape":
        w.emit("tf.assign", "tf.assign(v, [1.0, 2.0, 3.0])", "float32", (2,), True, True)
    elif kind == "assign-dtype":
        w.emit("tf.assign_add", "tf.assign_add(v, [1, 2])", "float32", (2,), True, True)
    else:
        w.line("t1 = 3")
        w.fetch.append("t1")
        w.ops["t1"] = "fetch a Python int"
    w.names = False


_BAD = [_bad_broadcast, _bad_dtypes, _bad_matmul, _bad_runtime_shapes, _bad_reshape, _bad_feed,
        _bad_gather, _bad_static_arguments, _bad_static_arguments, _bad_division,
        _bad_variables]
FAMILIES: dict[str, tuple[int, Callable[[_Writer], None]]] = {
    "elementwise": (26, _family_elementwise), "mixed": (16, _family_mixed),
    "array": (10, _family_array), "reduce": (10, _family_reduce), "cast": (5, _family_cast),
    "where": (4, _family_where), "matmul_nn": (8, _family_matmul_nn),
    "gradient": (12, _family_gradient), "variables": (4, _family_variables),
    "control_flow": (4, _family_control_flow), "bad": (6, _family_bad),
    "constructors": (3, _family_constructors),
    "random": (1, _family_random),
}




# --- cases --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One generated program: its source, what each fetched key is, and how to compare it."""
    seed: int
    family: str
    source: str
    ops: dict            # fetched key -> the TF function that made it
    rtol: float
    atol: float
    shapes_only: bool
    tags: tuple          # facts the comparison reads ("python-int-out-of-range", "bad", ...)
    deterministic: tuple = ()  # fetched float keys whose zeros' signs must match TF's

    @property
    def name(self) -> str:
        return f"{self.seed}-{self.family}"

    def as_dict(self) -> dict:
        return {"seed": self.seed, "family": self.family, "source": self.source,
                "ops": self.ops, "rtol": self.rtol, "atol": self.atol,
                "shapes_only": self.shapes_only, "tags": list(self.tags),
                "deterministic": list(self.deterministic)}

    @classmethod
    def from_dict(cls, data: dict) -> "Case":
        return cls(data["seed"], data["family"], data["source"], data["ops"], data["rtol"],
                   data["atol"], data["shapes_only"], tuple(data["tags"]),
                   tuple(data["deterministic"]))


def generate(seed: int) -> Case:
    """The program of `seed` (the same text on every machine and Python)."""
    rng = random.Random(seed)
    names = list(FAMILIES)
    family = rng.choices(names, [FAMILIES[n][0] for n in names])[0]
    writer = _Writer(rng)
    FAMILIES[family][1](writer)
    rtol, atol = _tolerance(writer)
    return Case(seed, family, writer.source(), dict(writer.ops), rtol, atol,
                "random" in writer.tags, tuple(sorted(writer.tags)),
                tuple(writer.deterministic))


def _tolerance(w: _Writer) -> tuple:
    rough = [t for t in w.pool if not t.deterministic and t.kind in "FC"]
    if not rough and "gradient" not in "".join(w.ops.values()):
        return 1e-5, 1e-6
    if any(t.dtype == "float16" for t in w.pool):
        return 1e-2, 1e-2
    return 1e-4, 1e-4


_COMPILED: dict[str, Callable] = {}


def program(case: Case) -> Program:
    """The harness Program that runs `case`'s source (compiled once per source)."""
    build = _COMPILED.get(case.source)
    if build is None:
        namespace = {"np": np}
        exec(compile(case.source, f"<generated {case.seed}>", "exec"), namespace)  # noqa: S102
        build = _COMPILED[case.source] = namespace["build"]
    return Program(case.name, build, rtol=case.rtol, atol=case.atol,
                   shapes_only=case.shapes_only)


# --- differences this project keeps on purpose (docs/differences.md) ---------------------------

# Python's own messages: an error with one of them is a slip in the implementation (TF's or ours),
# not a TypeError of the API
RAW_MESSAGES = re.compile(r"unsupported operand type|object is not (subscriptable|iterable|"
                          r"callable)|'NoneType' object|object has no attribute '_")
_KERNEL_MISSING = re.compile(r"OpKernel|not supported|no kernel|Could not find|not registered|"
                             r"DataType : |unsupported", re.IGNORECASE)


def deliberate(case: Case, actual: dict, expected: dict) -> Optional[str]:
    """The section of docs/differences.md that explains session_magic's `actual` record
    differing from TF's `expected` one, or None (then the difference is a bug)."""
    mine, theirs = _build_error(actual), _build_error(expected)
    mine_run, theirs_run = _run_error(actual), _run_error(expected)
    if mine in ("TypeError", "ValueError") and (theirs in harness.RAW_PYTHON_ERRORS or (
            theirs == "TypeError" and RAW_MESSAGES.search(expected["build"].get("message", "")))):
        return "clear-errors-for-raw-errors"
    if mine == "TypeError" and "python-int-out-of-range" in case.tags:
        return "python-ints-out-of-range"
    if mine == "TypeError" and not theirs and _no_kernel(theirs_run):
        return "refused-while-building"
    if mine and not theirs and theirs_run and _same_check(actual["build"], theirs_run):
        return "refused-while-building"  # NOTE: TF's own check, made while building
    if not mine and not theirs and not mine_run and _no_kernel(theirs_run):
        return "computed-where-tf-has-no-kernel"
    if mine_run and theirs_run and mine_run["class"] == "InvalidArgumentError" and \
            "Unexpected error in binary operator" in theirs_run.get("message", ""):
        return "error-classes"
    return None


def _same_check(build_error: dict, run_error: dict) -> bool:
    """A ValueError while building that says what TF's InvalidArgumentError says at run time."""
    message, theirs = build_error.get("message", ""), run_error.get("message", "")
    text = theirs.split(" (node ")[0].removeprefix("ScanOp: ").strip()
    return build_error["class"] in ("ShapeError", "ValueError") and \
        run_error["class"] == "InvalidArgumentError" and bool(text) and text in message


def _build_error(record: dict) -> Optional[str]:
    return record["build"]["class"] if "build" in record else None


def _run_error(record: dict) -> Optional[dict]:
    return next((r for r in record.get("runs") or [] if r.get("kind") == "error"), None)


def _no_kernel(error: Optional[dict]) -> bool:
    return bool(error) and bool(_KERNEL_MISSING.search(error.get("message", "")))


def compare(case: Case, actual: dict, expected: dict) -> list[str]:
    """harness's differences between session_magic's record and TF's, and a zero of the wrong
    sign in a deterministic float result (harness compares -0 and 0 alike; 1 / x tells them
    apart, so the op that made the zero is charged, not the division that shows it)."""
    found = harness.compare_records(actual, expected, program(case))
    signs = _zero_signs(case, actual, expected)
    if signs and (not found or (found[0].startswith("run") and
                                _position(case, signs[0]) < _position(case, found[0]))):
        return signs + found
    return found


def _position(case: Case, difference: str) -> int:
    keys = list(case.ops)
    key = first_key(difference)
    return keys.index(key) if key in keys else len(keys)


def differences(case: Case, actual: dict, expected: dict) -> list[str]:
    """`compare`'s differences, unless a deliberate difference explains them."""
    found = compare(case, actual, expected)
    if found and deliberate(case, actual, expected):
        return []
    return found


def _zero_signs(case: Case, actual: dict, expected: dict) -> list[str]:
    for i, (mine, theirs) in enumerate(zip(actual.get("runs") or [], expected.get("runs") or [],
                                           strict=False)):
        if mine.get("kind") != "dict" or theirs.get("kind") != "dict":
            continue
        for key in case.deterministic:
            a, e = mine["items"].get(key), theirs["items"].get(key)
            if not (a and e and a["kind"] == e["kind"] == "array" and a["dtype"] == e["dtype"]
                    and a["shape"] == e["shape"] and a["dtype"].startswith("float")):
                continue
            a, e = decode_array(a), decode_array(e)
            wrong = np.argwhere((a == 0) & (e == 0) & (np.signbit(a) != np.signbit(e)))
            if len(wrong):
                at = tuple(int(i) for i in wrong[0])
                return [f"run {i}['{key}']: at {list(at)} got {a[at]!r}, TF gave {e[at]!r} "
                        f"(the sign of zero)"]
    return []


# --- error messages: recorded for reading, never compared ---------------------------------------

@contextlib.contextmanager
def capture_messages() -> Iterator[None]:
    """harness's error records, with the error's message and where it was raised (the line of
    the generated source, the innermost frame): for failure messages and the agreement report.
    Comparisons read only the class."""
    plain = harness.error_record

    def with_message(error: BaseException) -> dict:
        return {**plain(error), **describe_error(error)}

    harness.error_record = with_message
    try:
        yield
    finally:
        harness.error_record = plain


def describe_error(error: BaseException) -> dict:
    frames = traceback.extract_tb(error.__traceback__)
    lines = [f.lineno for f in frames if f.filename.startswith("<generated")]
    innermost = frames[-1] if frames else None
    where = f"{_short_path(innermost.filename)}:{innermost.lineno} {innermost.name}" \
        if innermost else ""
    return {"message": short_message(str(error)), "line": lines[-1] if lines else None,
            "where": where}


def short_message(text: str) -> str:
    """TF's run-time messages without the stack traces it appends: the node and the reason."""
    node = re.search(r"Node: '([^']*)'\n(.*)", text)
    if node:
        text = f"{node.group(2)} (node {node.group(1)})"
    else:
        text = text.split("\n\nOriginal stack trace")[0].split("\n\t [[")[0]
    text = " ".join(text.split())
    return text if len(text) <= 240 else text[:240] + "..."


def _short_path(path: str) -> str:
    for marker in ("site-packages/", "session_magic/", "tests/"):
        if marker in path:
            return path[path.index(marker):]
    return path


# --- reading a failure -------------------------------------------------------------------------

def first_key(difference: str) -> Optional[str]:
    """The first fetched key a difference line names (`run 0['t3']`, `{'t3': ...}`,
    `"['d3_'][0]"`): the op that made it is the first to differ."""
    match = re.search(r"'([a-z]\d+_?)'", difference)
    return match.group(1) if match else None


def failure_message(case: Case, actual: dict, expected: dict, found: list[str]) -> str:
    """What a failing test prints: the differences, the op charged, both errors, the source."""
    lines = [f"generated program {case.seed} ({case.family}) differs from TF:"]
    lines += [f"  {line}" for line in found]
    key = first_key(found[0])
    if key in case.ops:
        lines.append(f"  ({key} is made by {case.ops[key]})")
    for side, record in (("session_magic", actual), ("TF", expected)):
        error = record.get("build") or next(
            (r for r in record.get("runs", []) if r.get("kind") == "error"), None)
        if error:
            lines.append(f"  {side} raised {error['class']}: {error.get('message', '')}")
    lines += ["", "The program (run it under both: .venv/bin/python tests/golden/agreement.py "
              f"--show {case.seed}):", "", case.source]
    return "\n".join(lines)


# --- recording ----------------------------------------------------------------------------------

def run_case(tf: Any, case: Case) -> dict:
    """The harness record of `case` under `tf`, errors with their messages."""
    with capture_messages():
        return harness.run(tf, program(case))


def cases(first: int = SEED, count: int = COUNT) -> list[Case]:
    return [generate(seed) for seed in range(first, first + count)]


def record(tf: Any, data_dir: Path) -> None:
    """Run the CI's programs under `tf` (real TensorFlow) and write data_dir/generated.json:
    per program its case (source, ops, tolerance) and TF's record, errors with TF's message."""
    entries = {}
    with harness.quiet_stderr():
        for case in cases():
            entries[case.name] = {**case.as_dict(), "record": _messages_only(run_case(tf, case))}
    lines = [f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}"
             for k, v in entries.items()]
    head = json.dumps({"tensorflow": getattr(tf, "VERSION", "?"), "seed": SEED, "count": COUNT})
    (Path(data_dir) / DATA_FILE).write_text(
        head[:-1] + ', "programs": {\n' + ",\n".join(lines) + "\n}}\n")


def _messages_only(record: dict) -> dict:
    """A record without where TF raised (paths inside TF's installation)."""
    def strip(item: Any) -> Any:
        if isinstance(item, dict) and item.get("kind") == "error":
            return {k: v for k, v in item.items() if k not in ("where", "line")}
        return item
    stripped = {k: strip(v) for k, v in record.items()}
    if "runs" in stripped:
        stripped["runs"] = [strip(r) for r in stripped["runs"]]
    if "build" in stripped:
        stripped["build"] = {k: v for k, v in stripped["build"].items()
                             if k not in ("where", "line")}
    return stripped


