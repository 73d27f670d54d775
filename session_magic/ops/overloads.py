"""Python operators on Tensors (and Variables), as one explicit table.

TF 1 names operator-built ops after the operator (`a + b` -> `add`, `a / b` -> `truediv`, a
Python scalar operand -> Const `add/y`), while `tf.add(a, b)` is named after the op type (`Add`).
An operator converts its Python operand to the tensor's dtype, on either side. `&`, `|`, `^` and
`~` are logical on booleans and bitwise on integers (`x & y` -> `and/BitwiseAnd`); `*` of
booleans is their logical and, through int32 as TF computes it.
`==` and `!=` stay identity comparisons, as in TF 1, so tensors can be dict keys.
"""
from __future__ import annotations

from typing import Any, Callable, Final

from .. import dtypes as d
from ..graph import Tensor
from . import array_ops, bitwise_ops, math_ops
from .conversion import common_dtype, convert_to_tensor
from .registry import apply_op, op_scope

# dunder -> (op type built directly, or a function of the operands choosing it, or a builder
# called inside a scope, scope name)
_SIMPLE: Final = {"add": math_ops.add_op_type, "sub": "Sub", "floordiv": "FloorDiv",
                  "mod": "FloorMod", "pow": "Pow"}
_COMPOSITE: Final = {"truediv": "truediv", "matmul": "matmul"}
# dunder -> (the op type for booleans, the bitwise builder for integers)
_LOGICAL: Final = {"and": ("LogicalAnd", bitwise_ops.bitwise_and),
                   "or": ("LogicalOr", bitwise_ops.bitwise_or),
                   "xor": (math_ops.logical_xor, bitwise_ops.bitwise_xor)}
_COMPARISONS: Final = {"__lt__": "less", "__le__": "less_equal", "__gt__": "greater",
                       "__ge__": "greater_equal"}
_UNARY: Final = {"__neg__": "negative", "__abs__": "abs"}


def _is_integer(inputs: list) -> bool:
    dtype = common_dtype(inputs)
    return dtype is not None and dtype.is_integer


def _simple(op_type: Any, scope: str, reflected: bool) -> Callable:
    def operator(self: Any, other: Any) -> Tensor:
        inputs = [other, self] if reflected else [self, other]
        kind = op_type(*inputs) if callable(op_type) else op_type
        return apply_op(kind, inputs, default_name=scope, dtype=common_dtype(inputs))._outputs[0]
    return operator


def _composite(builder_name: str, scope: str, reflected: bool) -> Callable:
    def operator(self: Any, other: Any) -> Tensor:
        x, y = (other, self) if reflected else (self, other)
        with op_scope(None, scope, [x, y]) as name:
            x, y = _same_typed(x, y)
            return getattr(math_ops, builder_name)(x, y, name=name)
    return operator


def _same_typed(x: Any, y: Any) -> tuple:
    """The operands with a Python one converted to the tensor's dtype (named `x` or `y`)."""
    dtype = common_dtype([x, y])
    return tuple(v if isinstance(v, Tensor) or hasattr(v, "_to_tensor") else
                 convert_to_tensor(v, dtype, name=n) for v, n in ((x, "x"), (y, "y")))


def _logical(scope: str, reflected: bool) -> Callable:
    boolean, bitwise = _LOGICAL[scope]

    def operator(self: Any, other: Any) -> Tensor:
        inputs = [other, self] if reflected else [self, other]
        if _is_integer(inputs):
            with op_scope(None, scope, inputs):
                return bitwise(*_same_typed(*inputs))
        if callable(boolean):
            with op_scope(None, scope, inputs) as name:
                return boolean(*_same_typed(*inputs), name=name)
        return apply_op(boolean, inputs, default_name=scope,
                        dtype=common_dtype(inputs))._outputs[0]
    return operator


def _multiply(reflected: bool) -> Callable:
    def operator(self: Any, other: Any) -> Tensor:
        inputs = [other, self] if reflected else [self, other]
        if common_dtype(inputs) is not d.bool:
            return apply_op("Mul", inputs, default_name="mul",
                            dtype=common_dtype(inputs))._outputs[0]
        with op_scope(None, "mul", inputs):  # NOTE: TF multiplies booleans as int32
            x, y = (math_ops.cast(t, d.int32) for t in _same_typed(*inputs))
            return math_ops.cast(math_ops.multiply(x, y), d.bool)
    return operator


def _invert(self: Any) -> Tensor:
    if _is_integer([self]):
        return bitwise_ops.invert(self)
    return math_ops.logical_not(self)


def _binary_methods() -> dict[str, Callable]:
    methods: dict[str, Callable] = {}
    for scope, op_type in _SIMPLE.items():
        methods[f"__{scope}__"] = _simple(op_type, scope, reflected=False)
        methods[f"__r{scope}__"] = _simple(op_type, scope, reflected=True)
    for scope, builder in _COMPOSITE.items():
        methods[f"__{scope}__"] = _composite(builder, scope, reflected=False)
        methods[f"__r{scope}__"] = _composite(builder, scope, reflected=True)
    for scope in _LOGICAL:
        methods[f"__{scope}__"] = _logical(scope, reflected=False)
        methods[f"__r{scope}__"] = _logical(scope, reflected=True)
    methods["__mul__"], methods["__rmul__"] = _multiply(False), _multiply(True)
    methods["__div__"], methods["__rdiv__"] = methods["__truediv__"], methods["__rtruediv__"]
    return methods


def _other_methods() -> dict[str, Callable]:
    methods: dict[str, Callable] = {}
    for dunder, name in _COMPARISONS.items():
        methods[dunder] = lambda self, other, name=name: getattr(math_ops, name)(self, other)
    for dunder, name in _UNARY.items():
        methods[dunder] = lambda self, name=name: getattr(math_ops, name)(self)
    methods["__invert__"] = _invert
    methods["__getitem__"] = lambda self, key: array_ops._slice_helper(self, key)
    return methods


OPERATORS: Final = _binary_methods() | _other_methods()


def attach(cls: type) -> None:
    """Give `cls` every Tensor operator (Variables get them through conversion to a Tensor)."""
    for dunder, method in OPERATORS.items():
        setattr(cls, dunder, method)


attach(Tensor)
