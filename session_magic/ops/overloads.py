"""Python operators on Tensors (and Variables), as one explicit table.

TF 1 names operator-built ops after the operator (`a + b` -> `add`, `a / b` -> `truediv`, a
Python scalar operand -> Const `add/y`), while `tf.add(a, b)` is named after the op type (`Add`).
`==` and `!=` stay identity comparisons, as in TF 1, so tensors can be dict keys.
"""
from __future__ import annotations

from typing import Any, Callable, Final

from ..graph import Tensor
from . import array_ops, math_ops
from .registry import apply_op, op_scope

# dunder -> (op type built directly, or a builder called inside a scope, scope name)
_SIMPLE: Final = {"add": "Add", "sub": "Sub", "mul": "Mul", "floordiv": "FloorDiv",
                  "mod": "FloorMod", "pow": "Pow", "and": "LogicalAnd", "or": "LogicalOr"}
_COMPOSITE: Final = {"truediv": "truediv", "matmul": "matmul", "xor": "logical_xor"}
_COMPARISONS: Final = {"__lt__": "less", "__le__": "less_equal", "__gt__": "greater",
                       "__ge__": "greater_equal"}
_UNARY: Final = {"__neg__": "negative", "__abs__": "abs", "__invert__": "logical_not"}


def _simple(op_type: str, scope: str, reflected: bool) -> Callable:
    def operator(self: Any, other: Any) -> Tensor:
        inputs = [other, self] if reflected else [self, other]
        return apply_op(op_type, inputs, default_name=scope, same_dtype=True)._outputs[0]
    return operator


def _composite(builder_name: str, scope: str, reflected: bool) -> Callable:
    def operator(self: Any, other: Any) -> Tensor:
        x, y = (other, self) if reflected else (self, other)
        with op_scope(None, scope, [x, y]) as name:
            return getattr(math_ops, builder_name)(x, y, name=name)
    return operator


def _binary_methods() -> dict[str, Callable]:
    methods: dict[str, Callable] = {}
    for scope, op_type in _SIMPLE.items():
        methods[f"__{scope}__"] = _simple(op_type, scope, reflected=False)
        methods[f"__r{scope}__"] = _simple(op_type, scope, reflected=True)
    for scope, builder in _COMPOSITE.items():
        methods[f"__{scope}__"] = _composite(builder, scope, reflected=False)
        methods[f"__r{scope}__"] = _composite(builder, scope, reflected=True)
    methods["__div__"], methods["__rdiv__"] = methods["__truediv__"], methods["__rtruediv__"]
    return methods


def _other_methods() -> dict[str, Callable]:
    methods: dict[str, Callable] = {}
    for dunder, name in _COMPARISONS.items():
        methods[dunder] = lambda self, other, name=name: getattr(math_ops, name)(self, other)
    for dunder, name in _UNARY.items():
        methods[dunder] = lambda self, name=name: getattr(math_ops, name)(self)
    methods["__getitem__"] = lambda self, key: array_ops._slice_helper(self, key)
    return methods


OPERATORS: Final = _binary_methods() | _other_methods()


def attach(cls: type) -> None:
    """Give `cls` every Tensor operator (Variables get them through conversion to a Tensor)."""
    for dunder, method in OPERATORS.items():
        setattr(cls, dunder, method)


attach(Tensor)
