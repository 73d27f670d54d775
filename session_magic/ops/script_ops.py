"""Op blocks that run user Python or talk to the user: PyFunc, Print, PrintV2, CheckNumerics and
Assert. All are stateful, so they run every time and are never folded or deduplicated.

Tensor values print in TF's own formats: `tf.Print` flat (`[1 2 3...]`, the first `summarize`
elements), `tf.print` NumPy-like (`[1 2 3 ... 8 9 10]`, the first and last `summarize`).
"""
from __future__ import annotations

import logging
import pprint
import sys
from typing import Any, Callable, Final, Optional, Sequence

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Operation, Tensor
from .common import FLOATS, bool_arg, check_dtype, int_arg, single
from .control_flow_ops import with_dependencies
from .conversion import convert_to_tensor
from .known import constant_value
from .math_ops import equal, reduce_all
from .registry import NOT_DIFFERENTIABLE, ShapeError, apply_op, op_scope, register

__all__ = ["py_func", "numpy_function", "py_function", "Print", "print", "check_numerics",
           "verify_tensor_all_finite", "Assert", "assert_equal"]

_DEFAULT_SUMMARIZE: Final = 3
_ESCAPES: Final = {10: "\\n", 13: "\\r", 9: "\\t", 34: '\\"', 39: "\\'", 92: "\\\\"}


# --- formatting values as TF's SummarizeValue does ----------------------------------------------

def _escape(raw: Any) -> str:
    """C-style escaping of a string element, as TF's Utf8SafeCEscape (UTF-8 passes through)."""
    data = raw.encode() if isinstance(raw, str) else bytes(raw)
    text = "".join(_ESCAPES.get(byte) or (f"\\{byte:03o}" if byte < 32 or byte == 127 else
                                          chr(byte)) for byte in data)
    return text.encode("latin-1").decode("utf-8", "replace")


def _float_text(value: Any) -> str:
    """Shortest of %.6g / %.9g that round-trips (float32), %.15g / %.17g for float64."""
    number = float(value)
    if np.isnan(number):
        return "nan" if not np.signbit(number) else "-nan"
    short, full = (15, 17) if np.asarray(value).dtype.itemsize >= 8 else (6, 9)
    text = f"{number:.{short}g}"
    if np.asarray(value).dtype.type(text) != value:
        text = f"{number:.{full}g}"
    return text


def _element_text(value: Any, quote: bool) -> str:
    if isinstance(value, (bytes, str, np.bytes_, np.str_)):
        return f'"{_escape(value)}"' if quote else _escape(value)
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"  # NOTE: TF prints bools as 1 and 0.
    if isinstance(value, np.floating):
        return _float_text(value)
    if isinstance(value, np.complexfloating):
        return f"({_float_text(value.real)},{_float_text(value.imag)})"
    return str(value)


def summarize_v1(value: Any, summarize: int) -> str:
    """`tf.Print`'s text for one tensor: its first `summarize` elements, nested by dimension."""
    array = np.asarray(value)
    flat = array.reshape(-1)
    limit = flat.size if summarize < 0 else min(summarize, flat.size)
    if array.ndim == 0:
        text = " ".join(_element_text(x, False) for x in flat[:limit])
    else:
        parts: list[str] = []
        _flat_dimension(0, array.shape, limit, flat, [0], parts)
        text = "".join(parts)
    return text + "..." if flat.size > limit else text


def _flat_dimension(dim: int, shape: tuple, limit: int, flat: np.ndarray, cursor: list,
                    parts: list) -> None:
    """TF's PrintOneDim: elements in order until `limit`, with brackets for outer dimensions."""
    if cursor[0] >= limit:
        return
    if dim == len(shape) - 1:
        for i in range(shape[dim]):
            if cursor[0] >= limit:
                if dim != 0:
                    parts.append("...")
                return
            parts.append((" " if i else "") + _element_text(flat[cursor[0]], False))
            cursor[0] += 1
        return
    for _ in range(shape[dim]):
        opened = cursor[0] < limit
        if opened:
            parts.append("[")
        _flat_dimension(dim + 1, shape, limit, flat, cursor, parts)
        if opened:
            parts.append("]")


def summarize_v2(value: Any, summarize: int) -> str:
    """`tf.print`'s text for one tensor: NumPy-like, `summarize` elements at each end per axis."""
    array = np.asarray(value)
    if array.ndim == 0:
        return _element_text(array[()], True)
    at_ends = array.size if summarize < 0 else min(summarize, array.size)
    return _nested_dimension(array, 0, at_ends)


def _dimension_spacing(dim: int, rank: int) -> str:
    return " " if dim == rank - 1 else "\n" * (rank - dim - 1) + " " * (dim + 1)


def _nested_dimension(array: np.ndarray, dim: int, at_ends: int) -> str:
    """TF's PrintOneDimV2 for the sub-array `array`, which is dimension `dim` of the tensor."""
    if not isinstance(array, np.ndarray):  # NOTE: an element of an object (string) array
        return _element_text(array, True)
    if array.ndim == 0:
        return _element_text(array[()], True)
    rank = dim + array.ndim
    spacing = _dimension_spacing(dim, rank)
    count = array.shape[0]
    shown = [_nested_dimension(array[i], dim + 1, at_ends) for i in range(min(at_ends, count))]
    if count > 2 * at_ends:
        shown.append("...")
    tail_start = max(at_ends, count - at_ends)
    shown += [_nested_dimension(array[i], dim + 1, at_ends) for i in range(tail_start, count)]
    return "[" + spacing.join(shown) + "]"


# --- PyFunc --------------------------------------------------------------------------------------

def _py_func_infer(inputs: list, attrs: dict) -> list:
    return [(dtype, None) for dtype in attrs["Tout"]]


def _token(op: Operation) -> str:
    """TF's name for the function, `pyfunc_<n>` (here n counts the PyFuncs of the graph)."""
    same = [other for other in op._graph.get_operations() if other._type == "PyFunc"]
    return f"pyfunc_{same.index(op)}"


def _argument(array: Any) -> Any:
    """As TF passes values: a 0-d value as a NumPy scalar (a scalar string as bytes), others as
    writable arrays (constants and variable values are read-only; the function may write)."""
    array = np.asarray(array)
    if array.ndim == 0:
        return array[()]
    return array if array.flags.writeable else array.copy()


def _converted(value: Any, dtype: d.DType, index: int, token: str) -> np.ndarray:
    """A result as a new array: copied, as TF copies it into a tensor, since the function may
    keep the array it returned and fill it again on its next call. As in TF, its own dtype must
    be the declared one (a Python float is a double, a Python int an int64); only strings
    convert."""
    if dtype is d.string:
        array = np.asarray(value, dtype=object)
        encode = np.vectorize(lambda s: s.encode() if isinstance(s, str) else bytes(s),
                              otypes=[object])
        return encode(array) if array.size else array
    array = np.array(value)
    if array.dtype != dtype.as_numpy_dtype:
        given = d.as_dtype(array.dtype) if array.dtype.kind in "biufc" else None
        raise errors.InvalidArgumentError(
            None, None, f"{index}-th value returned by {token} is "
            f"{given._proto_name if given else array.dtype}, but expects {dtype._proto_name}")
    return array


def _results(result: Any, dtypes: Sequence[d.DType], token: str) -> tuple:
    if result is None:
        values: list = []
    elif isinstance(result, (list, tuple)):
        values = list(result)
    else:
        values = [result]
    if len(values) != len(dtypes):
        raise errors.InvalidArgumentError(
            None, None, f"{token} returns {len(values)} values, but expects to see "
            f"{len(dtypes)} values.")
    return tuple(_converted(v, dtype, i, token)
                 for i, (v, dtype) in enumerate(zip(values, dtypes, strict=True)))


class _EagerValue(np.ndarray):
    """What `py_function` passes its function: an array that also answers `.numpy()`, as the
    EagerTensors TF passes do, so both `x * 2` and `x.numpy() * 2` work."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self)


def _eager_result(value: Any, dtype: d.DType) -> Any:
    """py_function's results convert to their declared dtype, as `convert_to_tensor` does."""
    if dtype is d.string or isinstance(value, (str, bytes)):
        return value
    return np.asarray(value).astype(dtype.as_numpy_dtype, copy=False)


def _py_func_kernel(op: Operation) -> Callable:
    func, dtypes, token = op._attrs["func"], op._attrs["Tout"], _token(op)
    if op._attrs.get("eager"):
        def call_eager(*arrays: Any) -> tuple:
            result = func(*[np.array(a).view(_EagerValue) for a in arrays])
            listed = result if isinstance(result, (list, tuple)) else [result]
            if result is not None and len(listed) == len(dtypes):
                result = [_eager_result(v, t) for v, t in zip(listed, dtypes, strict=True)]
            return _results(result, dtypes, token)
        return call_eager

    def call(*arrays: Any) -> tuple:
        return _results(func(*[_argument(a) for a in arrays]), dtypes, token)
    return call


# NOTE: TF 1 registers no gradient for PyFunc: differentiating through one is an error.
# NOTE: as TF, a py_func is not differentiable: its gradients are None, not an error.
register("PyFunc", _py_func_infer, _py_func_kernel, stateful=True, multi_output=True,
         grad=NOT_DIFFERENTIABLE, runs_user_code=True, holds_functions=True)


def py_func(func: Callable, inp: Sequence[Any], Tout: Any, stateful: bool = True,
            name: Optional[str] = None, _eager: bool = False) -> Any:
    """Run `func` on the NumPy values of `inp` when the op runs; its results become `Tout`."""
    if not callable(func):
        raise ValueError(f"Expected func to be callable, got func of type {type(func)}")
    if isinstance(inp, Tensor) or hasattr(inp, "_to_tensor"):
        raise TypeError(f"inp must be a list of tensors (the arguments of func), got {inp!r}; "
                        "write [x] for a single argument.")
    listed = isinstance(Tout, (list, tuple))
    dtypes = [d.as_dtype(t) for t in (Tout if listed else [Tout])]
    inputs = list(inp)
    attrs = {"func": func, "Tout": dtypes, "stateful": bool_arg(stateful, "stateful")}
    if _eager:
        attrs["eager"] = True
    op = apply_op("PyFunc", inputs, attrs, name, arg_names=("input",) * len(inputs))
    if not dtypes:
        return op
    return list(op._outputs) if listed else op._outputs[0]


def numpy_function(func: Callable, inp: Sequence[Any], Tout: Any,
                   name: Optional[str] = None) -> Any:
    """`py_func` by its later name."""
    return py_func(func, inp, Tout, stateful=True, name=name)


def py_function(func: Callable, inp: Sequence[Any], Tout: Any, name: Optional[str] = None) -> Any:
    """`py_func` as TF 2 names it: `func` gets arrays that also have `.numpy()` (TF passes
    EagerTensors) and its results convert to `Tout`. Not differentiable (TF's is)."""
    return py_func(func, inp, Tout, stateful=True, name=name, _eager=True)


def _int_or(value: Any, default: int, name: str) -> int:
    return default if value is None else int_arg(value, name)


def _summarize_arg(summarize: Any) -> int:
    return _int_or(summarize, _DEFAULT_SUMMARIZE, "summarize")


# --- Print ---------------------------------------------------------------------------------------

def _print_kernel(op: Operation) -> Callable:
    message, first_n = op._attrs["message"], op._attrs["first_n"]
    summarize = op._attrs["summarize"]
    printed = [0]  # NOTE: counted per compiled plan, i.e. per session and fetch signature.

    def print_values(value: Any, *data: Any) -> Any:
        if first_n < 0 or printed[0] < first_n:
            printed[0] += 1
            text = "".join(f"[{summarize_v1(x, summarize)}]" for x in data)
            sys.stderr.write(f"{message}{text}\n")
        return value
    return print_values


def _print_grad(op: Operation, g: Tensor) -> list:
    return [g] + [None] * (len(op.inputs) - 1)  # NOTE: the printed data get no gradient.


register("Print", lambda inputs, attrs: [(inputs[0]._dtype, inputs[0]._dims)], _print_kernel,
         grad=_print_grad, stateful=True)


def Print(input_: Any, data: Sequence[Any], message: Optional[str] = None,
          first_n: Optional[int] = None, summarize: Optional[int] = None,
          name: Optional[str] = None) -> Tensor:
    """`input_` unchanged; running it writes `message` and the values of `data` to stderr."""
    data = list(data)
    attrs = {"message": message or "", "first_n": _int_or(first_n, -1, "first_n"),
             "summarize": _summarize_arg(summarize)}
    return single(apply_op("Print", [input_, *data], attrs, name,
                           arg_names=("input",) + ("data",) * len(data)))


# --- PrintV2 (tf.print) --------------------------------------------------------------------------

_LOG_LEVELS: Final = {logging.INFO: "log(info)", logging.WARNING: "log(warning)",
                      logging.ERROR: "log(error)"}
_LOG_FUNCTIONS: Final = {logging.info: "log(info)", logging.warning: "log(warning)",
                         logging.error: "log(error)"}


def _stream_target(output_stream: Any) -> Any:
    """"stdout"/"stderr" (looked up when the op runs, so captured output sees it), a logging
    level, or a file-like object written as given."""
    if output_stream is None:
        return "stderr"
    for name in ("stdout", "stderr"):
        standard = (getattr(sys, name), getattr(sys, f"__{name}__"))
        if any(output_stream is s for s in standard) or _stream_name(output_stream) == name:
            return name
    if isinstance(output_stream, int) and output_stream in _LOG_LEVELS:
        return _LOG_LEVELS[output_stream]
    if callable(output_stream) and output_stream in _LOG_FUNCTIONS:
        return _LOG_FUNCTIONS[output_stream]
    if callable(getattr(output_stream, "write", None)):
        return output_stream
    raise ValueError(f"Unsupported output stream or logging level {output_stream}. Supported "
                     "streams and logging levels are sys.stdout, sys.stderr, logging.INFO, "
                     "logging.WARNING, logging.ERROR, or an object with a write() method")


def _stream_name(stream: Any) -> Optional[str]:
    """'stdout' for Python's and IPython's standard output objects (even replaced ones)."""
    name = getattr(stream, "name", None)
    if name in ("<stdout>", "<stderr>"):
        return name.strip("<>")
    return name if type(stream).__name__ == "OutStream" else None  # ipykernel's streams


def _write(target: Any, text: str) -> None:
    if target == "stdout":
        sys.stdout.write(text)
    elif target == "stderr":
        sys.stderr.write(text)
    elif isinstance(target, str):
        level = target[len("log("):-1].upper()
        logging.getLogger("tensorflow").log(getattr(logging, level), text.rstrip("\n"))
    else:
        target.write(text)


def _print_v2_kernel(op: Operation) -> Callable:
    pieces, target = op._attrs["template"], op._attrs["output_stream"]
    end, summarize = op._attrs["end"], op._attrs["summarize"]
    raw_string = op._attrs["raw_string"]

    def print_values(*values: Any) -> None:
        if raw_string:
            text = _escape(np.asarray(values[0])[()])
        else:
            texts = [summarize_v2(v, summarize) for v in values] + [""]
            text = "".join(piece + texts[i] for i, piece in enumerate(pieces))
        _write(target, text + end)
    return print_values


register("PrintV2", lambda inputs, attrs: [], _print_v2_kernel, grad=NOT_DIFFERENTIABLE,
         stateful=True)


def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "_to_tensor")


def _with_placeholders(value: Any, tensors: list, placeholder: str) -> Any:
    """`value` with each tensor inside it (lists, tuples, dicts) replaced by the placeholder."""
    if _is_tensor_like(value):
        tensors.append(value)
        return placeholder
    if isinstance(value, (list, tuple)):
        items = [_with_placeholders(v, tensors, placeholder) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: _with_placeholders(value[k], tensors, placeholder) for k in sorted(value)}
    return value


def _template(inputs: Sequence[Any], sep: str, placeholder: str) -> tuple:
    """TF's `print_v2` template: strings as they are, other values pretty-printed, tensors as
    placeholders; returns the template split at the placeholders, and the tensors in order."""
    tensors: list = []
    parts = []
    for value in inputs:
        packed = _with_placeholders(value, tensors, placeholder)
        parts.append(packed if isinstance(packed, str) else pprint.pformat(packed))
    template = sep.join(parts).replace(f"'{placeholder}'", placeholder)
    return template.split(placeholder), tensors


def print_v2(*inputs: Any, output_stream: Any = None, summarize: Optional[int] = None,
             sep: str = " ", end: str = "\n", name: Optional[str] = None) -> Operation:
    """An op that prints `inputs` (tensors by value, others as Python prints them) when run;
    `output_stream` is sys.stderr (the default), sys.stdout, a logging level or a file."""
    target = _stream_target(output_stream)
    summarize = _summarize_arg(summarize)
    placeholder = "{}"
    while any(isinstance(x, str) and placeholder in x for x in inputs):
        placeholder = "{" + placeholder + "}"
    pieces, tensors = _template(inputs, sep, placeholder)
    tensors = [convert_to_tensor(t) for t in tensors]
    raw_string = len(inputs) == 1 and len(tensors) == 1 and tensors[0]._dims == () and \
        tensors[0]._dtype is d.string
    attrs = {"template": pieces, "output_stream": target, "end": end, "summarize": summarize,
             "raw_string": raw_string}
    return apply_op("PrintV2", tensors, attrs, name)


print = print_v2  # noqa: A001 - TF's name, `tf.print`


# --- CheckNumerics -------------------------------------------------------------------------------

def _check_numerics_kernel(op: Operation) -> Callable:
    message = op._attrs["message"]

    def check(tensor: Any) -> Any:
        has_inf, has_nan = bool(np.isinf(tensor).any()), bool(np.isnan(tensor).any())
        if has_inf or has_nan:
            found = "Inf and NaN" if has_inf and has_nan else "Inf" if has_inf else "NaN"
            raise errors.InvalidArgumentError(None, None,
                                              f"{message} : Tensor had {found} values")
        return tensor
    return check


def _check_numerics_grad(op: Operation, g: Tensor) -> list:
    return [check_numerics(g, "Not a number (NaN) or infinity (Inf) values detected in "
                              f"gradient. {op.get_attr('message')}")]


register("CheckNumerics",
         lambda inputs, attrs: [(check_dtype(inputs[0], FLOATS, "tensor"), inputs[0]._dims)],
         _check_numerics_kernel, grad=_check_numerics_grad, stateful=True)


def check_numerics(tensor: Any, message: str, name: Optional[str] = None) -> Tensor:
    """`tensor` unchanged; running it fails with InvalidArgumentError if it holds NaN or Inf."""
    return single(apply_op("CheckNumerics", [tensor], {"message": str(message)}, name,
                           arg_names=("tensor",)))


def verify_tensor_all_finite(t: Any = None, msg: Optional[str] = None,
                             name: Optional[str] = None, x: Any = None,
                             message: Optional[str] = None) -> Tensor:
    """`t`, available only after a `check_numerics` of it has passed."""
    x = x if x is not None else t
    message = message if message is not None else msg
    with op_scope(name, "VerifyFinite", [x]):
        x = convert_to_tensor(x, name="x")
        return with_dependencies([check_numerics(x, message=message)], x)


# --- Assert --------------------------------------------------------------------------------------

def _assert_infer(inputs: list, attrs: dict) -> list:
    condition = inputs[0]
    check_dtype(condition, (d.bool,), "condition")
    if condition._dims is not None and len(condition._dims) != 0:
        raise ShapeError(f"Shape must be rank 0 but is rank {len(condition._dims)}")
    return []


def _assert_kernel(op: Operation) -> Callable:
    summarize = op._attrs["summarize"]

    def check(condition: Any, *data: Any) -> None:
        condition = np.asarray(condition)
        if condition.ndim != 0:
            raise errors.InvalidArgumentError(
                None, None, f"In[0] should be a scalar: [{','.join(map(str, condition.shape))}]")
        if not condition:
            shown = " ".join(f"[{summarize_v1(x, summarize)}]" for x in data)
            raise errors.InvalidArgumentError(None, None, f"assertion failed: {shown}")
    return check


register("Assert", _assert_infer, _assert_kernel, grad=NOT_DIFFERENTIABLE, stateful=True)


def Assert(condition: Any, data: Sequence[Any], summarize: Optional[int] = None,
           name: Optional[str] = None) -> Operation:
    """An op that fails with InvalidArgumentError, showing `data`, when `condition` is False."""
    summarize = _summarize_arg(summarize)
    with op_scope(name, "Assert", [condition, data]):
        condition = convert_to_tensor(condition, name="Condition")
        tensors = [convert_to_tensor(x) for x in data]
        return apply_op("Assert", [condition, *tensors], {"summarize": summarize}, "Assert")


def _static_text(value: Any) -> str:
    if not _is_tensor_like(value):
        return str(value)
    known = constant_value(convert_to_tensor(value))
    return str(value) if known is None else str(known)


def assert_equal(x: Any, y: Any, data: Optional[Sequence[Any]] = None,
                 summarize: Optional[int] = None, message: Optional[str] = None,
                 name: Optional[str] = None) -> Operation:
    """An Assert op checking `x == y` element-wise; fails at once when both are constants."""
    summarize = _summarize_arg(summarize)  # NOTE: checked before any op is built
    with op_scope(name, "assert_equal", [x, y, data]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y")
        if data is None:
            data = [message or "", "Condition x == y did not hold element-wise:",
                    f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        x_known, y_known = constant_value(x), constant_value(y)
        if x_known is not None and y_known is not None and \
                not np.all(np.equal(x_known, y_known)):
            raise errors.InvalidArgumentError(None, None,
                                              "\n".join(_static_text(v) for v in data))
        return Assert(reduce_all(equal(x, y)), data, summarize=summarize)
