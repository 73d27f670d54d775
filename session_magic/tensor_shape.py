"""TensorShape and Dimension: static shapes that may be partly or wholly unknown.

Internally a shape is a plain tuple of ints and Nones, or None for unknown rank; these classes are
the public face of that tuple, printed as TF 1 printed them (`(?, 3)`).
"""
from __future__ import annotations

from collections.abc import Iterator as _Iterator
from collections.abc import Mapping, Set
from typing import Any, Iterator, Optional

__all__ = ["Dimension", "TensorShape", "as_shape", "unknown_shape", "as_dims"]

Dims = Optional[tuple]  # tuple[int | None, ...] or None for unknown rank


class Dimension:
    """One dimension of a TensorShape: a non-negative int or unknown (None)."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        if isinstance(value, Dimension):
            value = value.value
        if value is not None:
            value = _dimension_value(value)
            if value < 0:
                raise ValueError(f"Dimension {value} must be >= 0")
        self._value = value

    @property
    def value(self) -> Optional[int]:
        return self._value

    def __int__(self) -> int:
        if self._value is None:
            raise TypeError("Cannot convert an unknown Dimension to an int.")
        return self._value

    __index__ = __int__

    def __eq__(self, other: object) -> Any:
        try:
            other_value = _dim_value(other)
        except (TypeError, ValueError):
            return NotImplemented
        if self._value is None or other_value is None:
            return None
        return self._value == other_value

    def __ne__(self, other: object) -> Any:
        equal = self.__eq__(other)
        return equal if equal is None or equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._value)

    def __lt__(self, other: Any) -> Any:
        return _compare(self, other, lambda a, b: a < b)

    def __le__(self, other: Any) -> Any:
        return _compare(self, other, lambda a, b: a <= b)

    def __gt__(self, other: Any) -> Any:
        return _compare(self, other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> Any:
        return _compare(self, other, lambda a, b: a >= b)

    def __add__(self, other: Any) -> Dimension:
        return _arith(self, other, lambda a, b: a + b)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Dimension:
        return _arith(self, other, lambda a, b: a - b)

    def __rsub__(self, other: Any) -> Dimension:
        return _arith(self, other, lambda a, b: b - a)

    def __mul__(self, other: Any) -> Dimension:
        return _arith(self, other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __floordiv__(self, other: Any) -> Dimension:
        return _arith(self, other, lambda a, b: a // b)

    def __mod__(self, other: Any) -> Dimension:
        return _arith(self, other, lambda a, b: a % b)

    def is_compatible_with(self, other: Any) -> bool:
        other_value = _dim_value(other)
        return self._value is None or other_value is None or self._value == other_value

    def merge_with(self, other: Any) -> Dimension:
        other_value = _dim_value(other)
        if not self.is_compatible_with(other_value):
            raise ValueError(f"Dimensions {self} and {Dimension(other_value)} are not compatible")
        return Dimension(self._value if self._value is not None else other_value)

    def __repr__(self) -> str:
        return f"Dimension({self._value})"

    def __str__(self) -> str:
        return "?" if self._value is None else str(self._value)


def _dimension_value(value: Any) -> int:
    """An int from an int-like value; an integral float (`n / 2`) is accepted, as in TF 1."""
    index = getattr(value, "__index__", None)
    if index is not None:
        return index()
    try:
        integer = int(value) if not isinstance(value, (str, bytes)) else None
    except (TypeError, ValueError, OverflowError):
        integer = None
    if integer is None:
        raise TypeError(f"Dimension value must be integer or None, got {value!r}")
    if integer != value:
        raise ValueError(f"Ambiguous dimension: {value}")
    return integer


def _dim_value(other: Any) -> Optional[int]:
    return other.value if isinstance(other, Dimension) else Dimension(other).value


def _compare(left: Dimension, right: Any, test: Any) -> Any:
    right_value = _dim_value(right)
    if left.value is None or right_value is None:
        return None
    return test(left.value, right_value)


def _arith(left: Dimension, right: Any, combine: Any) -> Dimension:
    right_value = _dim_value(right)
    if left.value is None or right_value is None:
        return Dimension(None)
    return Dimension(combine(left.value, right_value))


class TensorShape:
    """The static shape of a tensor, as TF 1 exposes it (`shape.as_list()`, `shape[0].value`)."""

    __slots__ = ("_dims",)

    def __init__(self, dims: Any) -> None:
        self._dims = as_dims(dims)

    @property
    def dims(self) -> Optional[list]:
        return None if self._dims is None else [Dimension(d) for d in self._dims]

    @property
    def ndims(self) -> Optional[int]:
        return None if self._dims is None else len(self._dims)

    rank = ndims

    def as_list(self) -> list:
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def as_tuple(self) -> Dims:
        """The plain tuple form (ints and Nones), or None for unknown rank."""
        return self._dims

    def is_fully_defined(self) -> bool:
        return self._dims is not None and None not in self._dims

    def num_elements(self) -> Optional[int]:
        if not self.is_fully_defined():
            return None
        count = 1
        for d in self._dims:
            count *= d
        return count

    def is_compatible_with(self, other: Any) -> bool:
        return dims_compatible(self._dims, as_dims(other))

    def merge_with(self, other: Any) -> TensorShape:
        other_dims = as_dims(other)
        if not dims_compatible(self._dims, other_dims):
            raise ValueError(f"Shapes {self} and {TensorShape(other_dims)} are not compatible")
        return TensorShape(merge_dims(self._dims, other_dims))

    def assert_is_compatible_with(self, other: Any) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def assert_has_rank(self, rank: int) -> None:
        if self._dims is not None and len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")

    def with_rank(self, rank: int) -> TensorShape:
        return self.merge_with(unknown_shape(rank))

    def concatenate(self, other: Any) -> TensorShape:
        other_dims = as_dims(other)
        if self._dims is None or other_dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other_dims)

    def __add__(self, other: Any) -> TensorShape:
        return self.concatenate(other)

    def __radd__(self, other: Any) -> TensorShape:
        return as_shape(other).concatenate(self)

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __iter__(self) -> Iterator[Dimension]:
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter([Dimension(d) for d in self._dims])

    def __getitem__(self, key: Any) -> Any:
        if self._dims is None:
            return TensorShape(None) if isinstance(key, slice) else Dimension(None)
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return Dimension(self._dims[key])

    def __bool__(self) -> bool:
        return self._dims is not None

    def __eq__(self, other: object) -> bool:
        try:
            return self._dims == as_dims(other)
        except (TypeError, ValueError):
            return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._dims)

    def __repr__(self) -> str:
        if self._dims is None:
            return "TensorShape(None)"
        return f"TensorShape([{', '.join(repr(Dimension(d)) for d in self._dims)}])"

    def __str__(self) -> str:
        return format_dims(self._dims)


def as_dims(value: Any) -> Dims:
    """Normalise a shape-like value (TensorShape, list, tuple, int, None) to the tuple form."""
    if value is None:
        return None
    if isinstance(value, TensorShape):
        return value._dims
    if isinstance(value, Dimension):
        return (value.value,)
    if hasattr(value, "__index__") and not hasattr(value, "__len__"):
        return (Dimension(value).value,)
    if type(value) is not tuple and type(value) is not list:
        _refuse_unordered(value)
    try:
        return tuple(Dimension(d).value for d in value)
    except TypeError:
        raise TypeError(f"Cannot convert {value!r} to a TensorShape.") from None


def _refuse_unordered(value: Any) -> None:
    """Iterables that are not a list of dims: a string's characters, a set's or a dict's keys in
    no fixed order, an iterator used up by the first read."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"Cannot convert {value!r} to a TensorShape. A string has ambiguous "
                        "TensorShape, please wrap in a list or convert to an int.")
    if isinstance(value, (Set, Mapping, _Iterator)):
        raise TypeError(f"Cannot convert {value!r} to a TensorShape: a {type(value).__name__} "
                        "has no fixed order or can be read only once; pass a list or a tuple.")


def as_shape(value: Any) -> TensorShape:
    return value if isinstance(value, TensorShape) else TensorShape(value)


def unknown_shape(rank: Optional[int] = None) -> TensorShape:
    return TensorShape(None if rank is None else (None,) * rank)


def format_dims(dims: Dims) -> str:
    """TF 1's text for a shape: `(?, 3)`, `(3,)`, `()`, or `<unknown>`."""
    if dims is None:
        return "<unknown>"
    text = ", ".join("?" if d is None else str(d) for d in dims)
    return f"({text},)" if len(dims) == 1 else f"({text})"


def dims_compatible(left: Dims, right: Dims) -> bool:
    if left is None or right is None:
        return True
    if len(left) != len(right):
        return False
    for a, b in zip(left, right, strict=True):  # NOTE: a loop, not all(): every feed is checked
        if a is not None and b is not None and a != b:
            return False
    return True


def merge_dims(left: Dims, right: Dims) -> Dims:
    if left is None:
        return right
    if right is None:
        return left
    return tuple(a if a is not None else b for a, b in zip(left, right, strict=False))
