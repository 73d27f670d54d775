"""Op blocks that parse serialized records: ParseExampleV2 (tf.train.Example protos into dense
tensors), DecodeCSV (CSV lines into columns), DecodeRaw (bytes as numbers) and StringToNumber.
Their builders are TF1's `tf.io.parse_example`, `parse_single_example`, `decode_csv`,
`decode_raw` and `tf.strings.to_number`; the feature specs are `FixedLenFeature` and friends.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional, Sequence

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Operation, Tensor
from .array_ops import reshape
from .common import single
from .constant_ops import constant
from .conversion import convert_to_tensor
from .registry import NOT_DIFFERENTIABLE, apply_op, op_scope, register

__all__ = ["FixedLenFeature", "VarLenFeature", "FixedLenSequenceFeature", "parse_example",
           "parse_single_example", "decode_csv", "decode_raw", "string_to_number"]

_FEATURE_DTYPES = (d.float32, d.int64, d.string)
_KIND_OF = {d.float32: "float_list", d.int64: "int64_list", d.string: "bytes_list"}


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


# --- feature specs -------------------------------------------------------------------------------

class FixedLenFeature(NamedTuple):
    """A feature of a known shape: every Example has exactly that many values, or none (then
    `default_value` is used; without one the feature is required)."""
    shape: Any
    dtype: Any
    default_value: Any = None


class FixedLenSequenceFeature(NamedTuple):
    """A feature of any number of values of `shape`: not supported here (it needs padding to the
    batch's longest, which TF does with `allow_missing`)."""
    shape: Any
    dtype: Any
    allow_missing: bool = False
    default_value: Any = None


class VarLenFeature(NamedTuple):
    """A feature of any number of values: TF parses it into a SparseTensor, which session_magic
    does not have, so parsing one raises NotImplementedError."""
    dtype: Any


# --- ParseExampleV2 ------------------------------------------------------------------------------

def _parse_infer(inputs: list, attrs: dict) -> list:
    batch = inputs[0]._dims
    return [(dtype, None if batch is None else tuple(batch) + tuple(shape))
            for dtype, shape in zip(attrs["Tdense"], attrs["dense_shapes"], strict=True)]


def _parse_kernel(op: Operation) -> Callable:
    """TF's inputs: serialized, names, sparse_keys, dense_keys, ragged_keys, dense_defaults...
    (only dense features here: the sparse and ragged keys are empty)."""
    dtypes = op._attrs["Tdense"]
    shapes = [tuple(s) for s in op._attrs["dense_shapes"]]

    def parse_example(serialized: Any, names: Any, sparse_keys: Any, dense_keys: Any,
                      ragged_keys: Any, *defaults: Any) -> list:
        keys = [bytes(k).decode() for k in np.asarray(dense_keys, object).reshape(-1)]
        serialized = np.asarray(serialized, object)
        prefix = "" if serialized.ndim == 0 else "Name: <unknown>, "
        records = serialized.reshape(-1)
        outputs = [np.empty((len(records),) + s, dtype.as_numpy_dtype)
                   for dtype, s in zip(dtypes, shapes, strict=True)]
        for index, record in enumerate(records):
            features = _example_features(record)
            for out, key, dtype, shape, default in zip(outputs, keys, dtypes, shapes, defaults,
                                                       strict=True):
                out[index] = _dense_value(features.get(key), key, dtype, shape,
                                          np.asarray(default), prefix, index)
        return [out.reshape(serialized.shape + out.shape[1:]) for out in outputs]
    return parse_example


def _example_features(record: Any) -> dict:
    # NOTE: the codec is loaded when an Example is first parsed: `import session_magic` loads
    # no protocol buffers
    from ..proto import Example
    from ..proto.wire import DecodeError

    try:
        return dict(Example.FromString(bytes(record)).features.feature)
    except (DecodeError, ValueError, TypeError) as error:
        text = bytes(record).decode(errors="replace")
        raise _invalid(f"Could not parse example input, value: '{text}'") from error


def _dense_value(feature: Any, key: str, dtype: d.DType, shape: tuple, default: np.ndarray,
                 prefix: str, index: int) -> np.ndarray:
    """One feature of one Example as an array of `shape`, as TF's fast parser checks it."""
    if feature is None or feature.WhichOneof("kind") is None:
        if default.size == 0:
            raise _invalid(f"{prefix}Feature: {key} (data type: {dtype._proto_name}) is "
                           "required but could not be found.")
        return default.reshape(shape)
    kind = feature.WhichOneof("kind")
    where = f"{prefix}Key: {key}, Index: {index}." if prefix else f"Key: {key}."
    if kind != _KIND_OF[dtype]:
        found = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}[kind]
        raise _invalid(f"{where}  Data types don't match. Data type: {found} but expected "
                       f"type: {dtype._proto_name}")
    values = list(getattr(feature, kind).value)
    if len(values) != int(np.prod(shape, dtype=np.int64)):
        raise _invalid(_length_message(where, kind, len(values), shape, bool(prefix)))
    array = np.empty(len(values), dtype.as_numpy_dtype)
    array[:] = [bytes(v) for v in values] if dtype is d.string else values
    return array.reshape(shape)


def _length_message(where: str, kind: str, count: int, shape: tuple, batch: bool) -> str:
    """TF's words for a feature of the wrong length: its fast parser's for one Example, and for
    a batch a count, or (a scalar string) a bare refusal."""
    if not batch:
        return f"{where}  Can't parse serialized Example: Some {kind} slice was not parsed."
    if kind == "bytes_list" and not shape:
        return f"{where}  Can't parse serialized Example."
    return (f"{where}  Number of {kind[:-5]} values != expected.  Values size: {count} but "
            f"output shape: [{','.join(str(s) for s in shape)}]")


register("ParseExampleV2", _parse_infer, _parse_kernel, grad=NOT_DIFFERENTIABLE,
         multi_output=True)


def _checked_spec(key: str, spec: Any) -> tuple:
    """(dtype, shape, default array or empty) of one FixedLenFeature; clear errors for others."""
    if isinstance(spec, VarLenFeature):
        raise NotImplementedError(f"VarLenFeature (feature {key!r}): TF parses it into a "
                                  "SparseTensor, which session_magic does not have; use "
                                  "FixedLenFeature")
    if isinstance(spec, FixedLenSequenceFeature):
        raise NotImplementedError(f"FixedLenSequenceFeature (feature {key!r}) is not supported "
                                  "by session_magic; use FixedLenFeature")
    if not isinstance(spec, FixedLenFeature):
        raise ValueError(f"Unsupported feature spec for {key!r}: {spec!r}")
    dtype = d.as_dtype(spec.dtype)
    if dtype not in _FEATURE_DTYPES:
        raise ValueError(f"Unsupported dtype {dtype.name} for feature {key!r}: "
                         "expected one of float32, int64, string")
    shape = tuple(int(s) for s in (spec.shape if isinstance(spec.shape, (list, tuple))
                                   else [spec.shape] if spec.shape is not None else []))
    if any(s < 0 for s in shape):
        raise ValueError(f"All dimensions of shape for feature {key} need to be known but "
                         f"received {list(shape)}.")
    if spec.default_value is None:
        return dtype, shape, np.empty((0,), dtype.as_numpy_dtype)
    default = np.asarray(spec.default_value, dtype.as_numpy_dtype)
    if default.size != int(np.prod(shape, dtype=np.int64)):  # NOTE: as TF, never broadcast
        raise ValueError(f"Shape {list(default.shape)} must have rank {len(shape)} for feature "
                         f"{key!r} default_value of shape {list(shape)}")
    return dtype, shape, default.reshape(shape)


def parse_example(serialized: Any, features: dict, name: Optional[str] = None,
                  example_names: Any = None) -> dict:
    """A batch of serialized tf.train.Example protos as a dict of dense tensors, one per key of
    `features` (FixedLenFeature only), each of shape [batch] + the feature's shape."""
    if not features:
        raise ValueError("Missing: features was {}.")
    with op_scope(name, "ParseExample", [serialized]) as scope:
        return _parse(serialized, features, scope)


def parse_single_example(serialized: Any, features: dict, name: Optional[str] = None,
                         example_names: Any = None) -> dict:
    """One serialized tf.train.Example (a scalar string) as a dict of dense tensors."""
    if not features:
        raise ValueError("Missing: features was {}.")
    with op_scope(name, "ParseSingleExample", [serialized]):
        serialized = convert_to_tensor(serialized, d.string, name="serialized")
        if serialized._dims is None:  # NOTE: as TF, a value of unknown rank is made a scalar
            serialized = reshape(serialized, [], name="serialized_scalar")
        elif len(serialized._dims) != 0:
            raise ValueError(f"Input serialized must be a scalar, got shape "
                             f"{list(serialized._dims)}")
        with op_scope(None, "ParseExample", [serialized]) as inner:
            return _parse(serialized, features, inner)


def _parse(serialized: Any, features: dict, scope: str) -> dict:
    """The ParseExampleV2 op inside `scope` (the builder's name scope, entered), its inputs as
    TF's: the keys as string constants, a default per feature (empty: required)."""
    keys = sorted(features)
    specs = [_checked_spec(key, features[key]) for key in keys]
    serialized = convert_to_tensor(serialized, d.string, name="serialized")
    defaults = [constant(default, dtype, name="Const" if default.size == 0 else f"key_{key}")
                for key, (dtype, _, default) in zip(keys, specs, strict=True)]
    nothing = np.empty((0,), object)
    attrs = {"Tdense": [s[0] for s in specs], "num_sparse": 0, "sparse_types": [],
             "ragged_value_types": [], "ragged_split_types": [],
             "dense_shapes": [tuple(s[1]) for s in specs]}
    inputs = [serialized, nothing, nothing, np.array([k.encode() for k in keys], object),
              nothing] + defaults
    op = apply_op("ParseExampleV2", inputs, attrs, name="ParseExampleV2", dtype=d.string,
                  arg_names=("serialized", "names", "sparse_keys", "dense_keys", "ragged_keys"))
    return dict(zip(keys, op.outputs, strict=True))


# --- DecodeCSV -----------------------------------------------------------------------------------

_CSV_TYPES = (d.float32, d.float64, d.int32, d.int64, d.string)


def _csv_infer(inputs: list, attrs: dict) -> list:
    return [(t._dtype, inputs[0]._dims) for t in inputs[1:]]


def _csv_kernel(op: Operation) -> Callable:
    delim, quoted = op._attrs["field_delim"], op._attrs["use_quote_delim"]
    na_value, select = op._attrs["na_value"].encode(), op._attrs["select_cols"]
    dtypes = [t._dtype for t in op._inputs[1:]]

    def decode_csv(records: Any, *defaults: Any) -> list:
        records = np.asarray(records, object)
        outputs = [np.empty(records.shape, t.as_numpy_dtype) for t in dtypes]
        for record_index, (index, record) in enumerate(np.ndenumerate(records)):
            fields = _csv_fields(bytes(record), delim.encode(), quoted, record_index)
            fields = _selected(fields, select, len(dtypes), record_index)
            for column, (field, default) in enumerate(zip(fields, defaults, strict=True)):
                outputs[column][index] = _csv_value(field, np.asarray(default), dtypes[column],
                                                    na_value, column, record_index)
        return outputs
    return decode_csv


def _csv_fields(record: bytes, delim: bytes, quoted: bool, record_index: int) -> list:
    """The fields of one CSV line, as TF's DecodeCSV splits it (RFC 4180 quotes if `quoted`)."""
    fields, position = [], 0
    while True:
        if quoted and record[position:position + 1] == b'"':
            field, position = _quoted_field(record, position + 1, delim, record_index)
        else:
            end = record.find(delim, position)
            end = len(record) if end < 0 else end
            field = record[position:end]
            if quoted and (b'"' in field or b"\n" in field or b"\r" in field):
                raise _invalid(f"Unquoted fields cannot have quotes/CRLFs inside, in record "
                               f"{record_index}")
            position = end
        fields.append(field)
        if position >= len(record):
            return fields
        position += len(delim)
        if position == len(record):
            return fields + [b""]


def _quoted_field(record: bytes, position: int, delim: bytes, record_index: int) -> tuple:
    """A quoted field starting after its quote: ("" inside is one "), and where it ends."""
    field = bytearray()
    while position < len(record):
        char = record[position:position + 1]
        if char != b'"':
            field += char
            position += 1
        elif record[position + 1:position + 2] == b'"':
            field += b'"'
            position += 2
        else:
            following = record[position + 1:position + 1 + len(delim)]
            if following and following != delim:
                raise _invalid(f"Quote inside a string has to be escaped by another quote in "
                               f"record {record_index}")
            return bytes(field), position + 1
    raise _invalid(f"Quoted field has to end with quote followed by delim or end, in record "
                   f"{record_index}")


def _selected(fields: list, select: Sequence[int], count: int, record_index: int) -> list:
    if select:
        if select[-1] >= len(fields):
            raise _invalid(f"Expect {count} fields but have {len(fields)} in record "
                           f"{record_index}")
        fields = [fields[i] for i in select]
    if len(fields) != count:
        raise _invalid(f"Expect {count} fields but have {len(fields)} in record {record_index}")
    return fields


def _csv_value(field: bytes, default: np.ndarray, dtype: d.DType, na_value: bytes, column: int,
               record_index: int) -> Any:
    if field == b"" or field == na_value:
        if default.size == 0:
            raise _invalid(f"Field {column} is required but missing in record {record_index}!")
        return default.reshape(-1)[0]
    if dtype is d.string:
        return field
    kind = {d.float32: "float", d.float64: "double"}.get(dtype, dtype.name)
    try:
        return _number(field, dtype)
    except ValueError:
        raise _invalid(f"Field {column} in record {record_index} is not a valid {kind}: "
                       f"{field.decode(errors='replace')}") from None


def _number(text: bytes, dtype: d.DType) -> Any:
    """`text` as a number of `dtype`, as TF's strto* read it (ValueError when it is not one)."""
    stripped = text.strip()
    if b"_" in stripped:  # NOTE: Python reads 1_000; C's strtod and strtol do not
        raise ValueError(text)
    if dtype in (d.float32, d.float64):
        hexadecimal = stripped.lower().lstrip(b"+-").startswith(b"0x")  # NOTE: strtod reads hex
        value = float.fromhex(stripped.decode()) if hexadecimal else float(stripped)
        with np.errstate(over="ignore"):  # NOTE: as strtof, too large a number is inf
            return dtype.as_numpy_dtype(value)
    value = int(stripped, 10)
    info = np.iinfo(dtype.as_numpy_dtype)
    if not info.min <= value <= info.max:
        raise ValueError(text)
    return value


register("DecodeCSV", _csv_infer, _csv_kernel, grad=NOT_DIFFERENTIABLE, multi_output=True)


def decode_csv(records: Any, record_defaults: Sequence[Any], field_delim: str = ",",
               use_quote_delim: bool = True, name: Optional[str] = None, na_value: str = "",
               select_cols: Optional[Sequence[int]] = None) -> list:
    """Each CSV line of `records` split into columns: one tensor per entry of `record_defaults`
    (a one-element list giving the column's dtype and default, or an empty one: required)."""
    if select_cols is not None and any(b <= a for a, b in
                                       zip(select_cols, select_cols[1:], strict=False)):
        raise ValueError("select_cols is not strictly increasing.")
    if select_cols is not None and len(select_cols) != len(record_defaults):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    if not isinstance(field_delim, str) or len(field_delim) != 1:
        raise ValueError(f"field_delim should be only 1 char, got {field_delim!r}")
    with op_scope(name, "DecodeCSV", [records]) as scope:
        records = convert_to_tensor(records, d.string, name="records")
        defaults = [_record_default(value, i) for i, value in enumerate(record_defaults)]
        attrs = {"OUT_TYPE": [t._dtype for t in defaults], "field_delim": field_delim,
                 "use_quote_delim": bool(use_quote_delim), "na_value": str(na_value),
                 "select_cols": list(select_cols or [])}
        return list(apply_op("DecodeCSV", [records] + defaults, attrs, name=scope).outputs)


def _record_default(value: Any, index: int) -> Tensor:
    tensor = value if isinstance(value, Tensor) else convert_to_tensor(
        value, d.float32 if isinstance(value, (list, tuple)) and not value else None,
        name=f"record_defaults_{index}")
    if tensor._dtype not in _CSV_TYPES:
        raise TypeError(f"record_defaults[{index}] has dtype {tensor._dtype.name}, not one of "
                        "float32, float64, int32, int64, string")
    if tensor._dims is not None and len(tensor._dims) > 1:
        raise ValueError(f"Shape must be at most rank 1 but is rank {len(tensor._dims)} for "
                         f"record_defaults[{index}]")
    return tensor


# --- DecodeRaw and StringToNumber ----------------------------------------------------------------

_RAW_TYPES = (d.float16, d.float32, d.float64, d.int8, d.int16, d.int32, d.int64, d.uint8,
              d.uint16, d.complex64, d.complex128, d.bool)


def _raw_infer(inputs: list, attrs: dict) -> list:
    dims = inputs[0]._dims
    return [(attrs["out_type"], None if dims is None else tuple(dims) + (None,))]


def _raw_kernel(op: Operation) -> Callable:
    dtype = op._attrs["out_type"]
    numpy_dtype = dtype.numpy_dtype.newbyteorder("<" if op._attrs["little_endian"] else ">")

    def decode_raw(data: Any) -> np.ndarray:
        data = np.asarray(data, object)
        flat = [bytes(v) for v in data.reshape(-1)]
        width = len(flat[0]) if flat else 0
        for i, value in enumerate(flat):
            if len(value) != width:
                raise _invalid(f"DecodeRaw requires input strings to all be the same size, but "
                               f"element {i} has size {len(value)} != {width}")
        if width % numpy_dtype.itemsize:
            raise _invalid(f"Input to DecodeRaw has length {width} that is not a multiple of "
                           f"{numpy_dtype.itemsize}, the size of {dtype._proto_name}")
        count = width // numpy_dtype.itemsize
        values = np.frombuffer(b"".join(flat), numpy_dtype).astype(dtype.numpy_dtype)
        return values.reshape(data.shape + (count,))
    return decode_raw


register("DecodeRaw", _raw_infer, _raw_kernel, grad=NOT_DIFFERENTIABLE)


def decode_raw(input_bytes: Any = None, out_type: Any = None, little_endian: bool = True,
               name: Optional[str] = None, bytes: Any = None) -> Tensor:  # noqa: A002
    """Each string's bytes read as an array of `out_type` (a new last axis)."""
    data = input_bytes if input_bytes is not None else bytes
    dtype = d.as_dtype(out_type)
    if dtype not in _RAW_TYPES:
        raise TypeError(f"Value passed to parameter 'out_type' has DataType {dtype.name} not in "
                        "list of allowed values")
    attrs = {"out_type": dtype, "little_endian": bool(little_endian)}
    return single(apply_op("DecodeRaw", [convert_to_tensor(data, d.string)], attrs, name,
                           arg_names=("bytes",)))


def _to_number_kernel(op: Operation) -> Callable:
    dtype = op._attrs["out_type"]

    def string_to_number(strings: Any) -> np.ndarray:
        strings = np.asarray(strings, object)
        result = np.empty(strings.shape, dtype.as_numpy_dtype)
        for index, text in np.ndenumerate(strings):
            try:
                result[index] = _number(bytes(text), dtype)
            except ValueError:
                raise _invalid(f"StringToNumberOp could not correctly convert string: "
                               f"{bytes(text).decode(errors='replace')}") from None
        return result
    return string_to_number


register("StringToNumber", lambda inputs, attrs: [(attrs["out_type"], inputs[0]._dims)],
         _to_number_kernel, grad=NOT_DIFFERENTIABLE)


def string_to_number(string_tensor: Any, out_type: Any = d.float32,
                     name: Optional[str] = None) -> Tensor:
    """Each string read as a number of `out_type` (float32, float64, int32 or int64)."""
    dtype = d.as_dtype(out_type)
    if dtype not in (d.float32, d.float64, d.int32, d.int64):
        raise TypeError(f"Value passed to parameter 'out_type' has DataType {dtype.name} not in "
                        "list of allowed values: float32, float64, int32, int64")
    tensor = convert_to_tensor(string_tensor, d.string)
    return single(apply_op("StringToNumber", [tensor], {"out_type": dtype}, name,
                           arg_names=("string_tensor",)))
