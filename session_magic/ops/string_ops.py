"""Op blocks that make strings, as TF1 programs print them: AsString (numbers as text, with
printf's width, fill and precision), StringJoin (elementwise concatenation) and StringFormat
(tensors placed into a template as `tf.print` writes them). String tensors hold `bytes`.
"""
from __future__ import annotations

from typing import Any, Callable, Final, Optional, Sequence

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Operation, Tensor
from .common import FLOATS, INTS, int_arg, single
from .conversion import convert_to_tensor
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, op_scope, register
from .script_ops import summarize_v2

__all__ = ["as_string", "string_join", "string_format"]

_AS_STRING_TYPES: Final = FLOATS + INTS + (d.complex64, d.complex128, d.bool)
_FILLS: Final = (" ", "+", "-", "0", "#")


def _encoded(texts: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda s: s.encode(), otypes=[object])(texts) if texts.size else \
        np.empty(texts.shape, object)


# --- AsString ------------------------------------------------------------------------------------

def _printf_spec(dtype: d.DType, attrs: dict) -> str:
    """TF's format: % then fill, width and precision as given, then the dtype's conversion;
    TF's errors for options a dtype does not take."""
    precision, scientific, shortest = attrs["precision"], attrs["scientific"], attrs["shortest"]
    width, fill = attrs["width"], attrs["fill"]
    if fill and (len(fill) > 1 or fill not in _FILLS):
        raise ValueError(f'Fill argument not supported: "{fill}"')
    if scientific and shortest:
        raise ValueError("Cannot select both scientific and shortest notation")
    is_float = dtype in FLOATS or dtype.is_complex
    if not is_float and (precision > -1 or scientific or shortest):
        option = "precision" if precision > -1 else "scientific" if scientific else "shortest"
        raise ValueError(f"Cannot select {option} notation... {option} not supported for "
                         f"datatype {dtype.name}")
    spec = "%" + fill + (str(width) if width > -1 else "")
    if is_float:
        spec += (f".{precision}" if precision > -1 else "")
        spec += "e" if scientific else "g" if shortest else "f"
    elif dtype is not d.bool:
        spec += "d"
    return spec


def _as_string_infer(inputs: list, attrs: dict) -> list:
    x = inputs[0]
    if x._dtype not in _AS_STRING_TYPES:
        names = ", ".join(t.name for t in _AS_STRING_TYPES)
        raise TypeError(f"Value passed to parameter 'input' has DataType {x._dtype.name} not in "
                        f"list of allowed values: {names}")
    return [(d.string, x._dims)]


def _as_string_kernel(op: Operation) -> Callable:
    dtype = op._inputs[0]._dtype
    try:
        spec = _printf_spec(dtype, op._attrs)
    except ValueError as error:  # NOTE: as TF, bad attrs fail when the op runs
        return _refuse(str(error))

    def text(value: Any) -> str:
        if dtype is d.bool:
            return (spec + "s") % ("true" if value else "false")
        if dtype.is_complex:
            return f"({_printf(spec, value.real)},{_printf(spec, value.imag)})"
        return _printf(spec, value)

    def as_string(x: Any) -> np.ndarray:
        x = np.asarray(x)
        texts = np.empty(x.shape, object)
        for index, value in np.ndenumerate(x):
            texts[index] = text(value)
        return _encoded(texts)
    return as_string


def _printf(spec: str, value: Any) -> str:
    """C's printf of one number: as Python's %, but a NaN with its sign bit set is `-nan`."""
    text = spec % value
    if isinstance(value, np.floating) and np.isnan(value) and np.signbit(value):
        text = text.replace("nan", "-nan")
        text = text[1:] if text.startswith(" ") and "-" not in spec else text
    return text


def _refuse(message: str) -> Callable:
    def refuse(x: Any) -> np.ndarray:
        raise errors.InvalidArgumentError(None, None, message)
    return refuse


register("AsString", _as_string_infer, _as_string_kernel, grad=NOT_DIFFERENTIABLE)


def as_string(input: Any, precision: int = -1, scientific: bool = False,  # noqa: A002
              shortest: bool = False, width: int = -1, fill: str = "",
              name: Optional[str] = None) -> Tensor:
    """Each element as text, as C's printf writes it (`%f` for floats by default, `%d` for
    ints, true/false for bools), with optional `precision`, `width` and `fill` character."""
    attrs = {"precision": int_arg(precision, "precision"), "scientific": bool(scientific),
             "shortest": bool(shortest), "width": int_arg(width, "width"), "fill": str(fill)}
    return single(apply_op("AsString", [input], attrs, name, arg_names=("input",)))


# --- StringJoin ----------------------------------------------------------------------------------

def _string_join_infer(inputs: list, attrs: dict) -> list:
    dims: Any = ()
    for i, t in enumerate(inputs):
        if t._dtype is not d.string:
            raise TypeError(f"Input 'inputs' of 'StringJoin' Op has type {t._dtype.name} that "
                            "does not match expected type of string.")
        if t._dims is None:
            dims = None if dims == () else dims
        elif t._dims:
            if dims not in ((), None) and len(dims) == len(t._dims) and any(
                    a is not None and b is not None and a != b
                    for a, b in zip(dims, t._dims, strict=True)):
                raise ShapeError(f"Input {i} has shape {list(t._dims)} but the others have "
                                 f"{list(dims)}")
            dims = t._dims if dims in ((), None) else dims
    return [(d.string, dims)]


def _string_join_kernel(op: Operation) -> Callable:
    separator = op._attrs["separator"].encode()

    def string_join(*values: Any) -> np.ndarray:
        arrays = [np.asarray(v, object) for v in values]
        shapes = {a.shape for a in arrays if a.ndim}
        if len(shapes) > 1:
            raise ValueError(f"Input shapes do not match: {sorted(shapes)}")
        shape = shapes.pop() if shapes else ()
        result = np.empty(shape, object)
        for index in np.ndindex(shape):
            result[index] = separator.join(a[index] if a.ndim else a[()] for a in arrays)
        return result
    return string_join


register("StringJoin", _string_join_infer, _string_join_kernel, grad=NOT_DIFFERENTIABLE)


def string_join(inputs: Sequence[Any], separator: str = "", name: Optional[str] = None) -> Tensor:
    """The strings of `inputs` joined elementwise with `separator` (scalars are repeated)."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(f"Expected list for 'inputs' argument to 'StringJoin' Op, not {inputs!r}.")
    with op_scope(name, "StringJoin", inputs) as scope:
        tensors = [convert_to_tensor(x, None if isinstance(x, Tensor) else d.string,
                                     name=f"inputs_{i}") for i, x in enumerate(inputs)]
        attrs = {"separator": str(separator), "N": len(tensors)}
        return single(apply_op("StringJoin", tensors, attrs, name=scope))


# --- StringFormat --------------------------------------------------------------------------------

def _string_format_kernel(op: Operation) -> Callable:
    pieces, summarize = op._attrs["template"], op._attrs["summarize"]

    def string_format(*values: Any) -> np.ndarray:
        texts = [summarize_v2(v, summarize) for v in values] + [""]
        return np.array("".join(p + texts[i] for i, p in enumerate(pieces)).encode(), object)
    return string_format


register("StringFormat", lambda inputs, attrs: [(d.string, ())], _string_format_kernel,
         grad=NOT_DIFFERENTIABLE)


def string_format(template: str, inputs: Any, placeholder: str = "{}", summarize: int = 3,
                  name: Optional[str] = None) -> Tensor:
    """A scalar string: `template` with each `placeholder` replaced by the next input, written
    as `tf.print` writes tensors (`summarize` entries at each end of each axis)."""
    listed = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    pieces = str(template).split(placeholder)
    if len(pieces) - 1 != len(listed):
        raise ValueError(f"num placeholders in template and num inputs must match: "
                         f"{len(pieces) - 1} placeholders in {template!r}, {len(listed)} inputs")
    attrs = {"template": pieces, "placeholder": placeholder,
             "summarize": int_arg(summarize, "summarize")}
    with op_scope(name, "StringFormat", listed) as scope:
        tensors = [convert_to_tensor(x) for x in listed]
        return single(apply_op("StringFormat", tensors, attrs, name=scope))
