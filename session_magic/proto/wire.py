"""Protocol-buffer wire format (varints, fixed 32/64-bit, length-delimited, packed repeated)
and text format for messages declared as a table of fields. Enough of protobuf's Python API
for TF1 code: keyword construction, attribute access, `repeated.add(...)`, `HasField`,
`SerializeToString`, `ParseFromString`, `FromString`, `CopyFrom`, equality."""
from __future__ import annotations

import math
import re
import struct
from typing import Any, ClassVar, NamedTuple, Optional

__all__ = ["Field", "Message", "DecodeError", "text_format", "parse_text"]

_VARINT_KINDS = {"int32", "int64", "uint32", "uint64", "bool", "enum"}
_FIXED = {"double": "<d", "fixed64": "<Q", "sfixed64": "<q", "float": "<f", "fixed32": "<I",
          "sfixed32": "<i"}
_WIRE_TYPE = {**{k: 0 for k in _VARINT_KINDS}, "double": 1, "fixed64": 1, "sfixed64": 1,
              "float": 5, "fixed32": 5, "sfixed32": 5, "string": 2, "bytes": 2, "message": 2,
              "map": 2}
_DEFAULTS = {"bool": False, "string": "", "bytes": b"", "double": 0.0, "float": 0.0}


class DecodeError(ValueError):
    """Bytes that are not a valid encoding of the message asked for."""


class Field(NamedTuple):
    number: int
    name: str
    kind: str                      # a scalar kind, "message" or "map"
    repeated: bool = False
    message: Any = None            # the message class (or its name in messages.py), or for a
                                   # map the value kind / message class
    key_kind: str = "string"       # a map's key kind
    oneof: str = ""                # the oneof it belongs to: present whenever set


def _resolve(message: Any) -> Any:
    if isinstance(message, str):
        from . import messages  # NOTE: late: message tables name classes defined after them
        found: Any = messages
        for part in message.split("."):
            found = getattr(found, part)
        return found
    return message


class Repeated(list):
    """A repeated field: a list with protobuf's `add(**fields)` for message elements."""

    def __init__(self, items: Any = (), message: Any = None) -> None:
        super().__init__(items)
        self._message = message

    def add(self, **fields: Any) -> Any:
        item = _resolve(self._message)(**fields)
        self.append(item)
        return item


class MessageMap(dict):
    """A map field: as protobuf, reading a missing key adds its default value."""

    def __init__(self, items: Any = (), value: Any = None) -> None:
        super().__init__(items)
        self._value = value

    def __missing__(self, key: Any) -> Any:
        value = _resolve(self._value)
        self[key] = value() if isinstance(value, type) else _DEFAULTS.get(value, 0)
        return self[key]


class Message:
    """A protocol-buffer message; subclasses list their fields in FIELDS."""

    FIELDS: ClassVar[tuple] = ()
    _by_name: ClassVar[dict]
    _by_number: ClassVar[dict]
    _ordered: ClassVar[tuple]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._by_name = {f.name: f for f in cls.FIELDS}
        cls._by_number = {f.number: f for f in cls.FIELDS}
        cls._ordered = tuple(sorted(cls.FIELDS, key=lambda f: f.number))  # NOTE: as protobuf
        # writes them: by field number, whatever order the .proto file declares

    def __init__(self, **fields: Any) -> None:
        self._values: dict = {}
        self._assigned: set = set()  # fields set explicitly (or parsed): present even if empty
        for name, value in fields.items():
            if name not in self._by_name:
                raise ValueError(f"Protocol message {type(self).__name__} has no {name!r} field.")
            setattr(self, name, value)

    # --- attribute access, as protobuf's generated classes -----------------------------------

    def __getattr__(self, name: str) -> Any:
        field = type(self)._by_name.get(name) if not name.startswith("_") else None
        if field is None:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        values = self.__dict__["_values"]
        if name not in values:
            if field.kind == "map":
                values[name] = MessageMap(value=field.message)
            elif field.repeated:
                values[name] = Repeated(message=field.message)
            elif field.kind == "message":
                values[name] = _resolve(field.message)()  # NOTE: as protobuf: a default
                return values[name]                       # sub-message, set only once used
            else:
                return _DEFAULTS.get(field.kind, 0)
        return values[name]

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        field = type(self)._by_name.get(name)
        if field is None:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        if field.kind == "map":
            value = MessageMap(value, field.message)
        elif field.repeated:
            value = Repeated(value, field.message)
        elif field.kind == "message" and isinstance(value, dict):
            value = _resolve(field.message)(**value)
        if field.oneof:
            for other in self.FIELDS:
                if other.oneof == field.oneof and other.name != name:
                    self._values.pop(other.name, None)
                    self._assigned.discard(other.name)
        self._values[name] = value
        self._assigned.add(name)

    def HasField(self, name: str) -> bool:  # noqa: N802 - protobuf's name
        field = self._by_name.get(name)
        if field is None:
            raise ValueError(f'Protocol message {type(self).__name__} has no field "{name}".')
        return _present(field, self)

    def WhichOneof(self, group: str) -> Optional[str]:  # noqa: N802 - protobuf's name
        return next((f.name for f in self.FIELDS if f.oneof == group and _present(f, self)),
                    None)

    def ListFields(self) -> list:  # noqa: N802 - protobuf's name
        return [(f, self._values[f.name]) for f in self._ordered if _present(f, self)]

    def ClearField(self, name: str) -> None:  # noqa: N802 - protobuf's name
        self._values.pop(name, None)
        self._assigned.discard(name)

    def CopyFrom(self, other: "Message") -> None:  # noqa: N802 - protobuf's name
        self.ParseFromString(other.SerializeToString())

    def MergeFrom(self, other: "Message") -> None:  # noqa: N802 - protobuf's name
        self.MergeFromString(other.SerializeToString())

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and self.SerializeToString() == \
            other.SerializeToString()

    def __repr__(self) -> str:
        return text_format(self)

    __str__ = __repr__

    # --- the wire format ---------------------------------------------------------------------

    def SerializeToString(self, deterministic: bool = True) -> bytes:  # noqa: N802
        out = bytearray()
        for field in self._ordered:
            if _present(field, self):
                _encode_field(out, field, self._values[field.name])
        return bytes(out)

    def ByteSize(self) -> int:  # noqa: N802 - protobuf's name
        return len(self.SerializeToString())

    def ParseFromString(self, data: bytes) -> int:  # noqa: N802 - protobuf's name
        self._values, self._assigned = {}, set()
        return self.MergeFromString(data)

    def MergeFromString(self, data: bytes) -> int:  # noqa: N802 - protobuf's name
        data = memoryview(bytes(data))
        position = 0
        while position < len(data):
            key, position = _read_varint(data, position)
            number, wire_type = key >> 3, key & 7
            field = self._by_number.get(number)
            value, position = _read_value(data, position, wire_type)
            if field is not None:
                self._merge(field, wire_type, value)
        return len(data)

    @classmethod
    def FromString(cls, data: bytes) -> "Message":  # noqa: N802 - protobuf's name
        message = cls()
        message.ParseFromString(data)
        return message

    def _merge(self, field: Field, wire_type: int, value: Any) -> None:
        if field.kind == "map":
            entry = _map_entry(field).FromString(value)
            getattr(self, field.name)[entry.key] = entry.value
        elif field.repeated and wire_type == 2 and field.kind in _WIRE_TYPE and \
                _WIRE_TYPE[field.kind] != 2:
            getattr(self, field.name).extend(_unpack(field.kind, bytes(value)))
        elif field.repeated:
            getattr(self, field.name).append(_decode_scalar(field, wire_type, value))
        elif field.kind == "message" and field.name in self._values:
            self._values[field.name].MergeFromString(value)
            self._assigned.add(field.name)
        else:
            setattr(self, field.name, _decode_scalar(field, wire_type, value))


def _present(field: Field, message: Message) -> bool:
    """Serialized or not: repeated fields when non-empty; a sub-message when assigned or
    holding anything; a oneof member whenever set; other scalars when not their default."""
    values = message._values
    if field.name not in values:
        return False
    value = values[field.name]
    if field.repeated or field.kind == "map":
        return len(value) > 0
    if field.oneof and field.name in message._assigned:
        return True
    if field.kind == "message":
        return field.name in message._assigned or bool(value.ListFields())
    return value != _DEFAULTS.get(field.kind, 0) or (field.kind in ("double", "float") and
                                                     math.copysign(1.0, value) < 0)


_MAP_ENTRIES: dict = {}


def _map_entry(field: Field) -> type:
    """The implicit `{key = 1; value = 2}` message of a map field."""
    key = (field.key_kind, field.message)
    if key not in _MAP_ENTRIES:
        value = _resolve(field.message)
        value_field = (Field(2, "value", "message", message=value) if isinstance(value, type)
                       else Field(2, "value", value))
        _MAP_ENTRIES[key] = type("MapEntry", (Message,),
                                 {"FIELDS": (Field(1, "key", field.key_kind), value_field)})
    return _MAP_ENTRIES[key]


def _encode_field(out: bytearray, field: Field, value: Any) -> None:
    if field.kind == "map":
        entry = _map_entry(field)
        for key in sorted(value):
            _put_key(out, field.number, 2)
            _put_bytes(out, entry(key=key, value=value[key]).SerializeToString())
    elif field.repeated and _WIRE_TYPE[field.kind] in (0, 1, 5):  # NOTE: proto3 packs these
        body = bytearray()
        for item in value:
            _put_scalar(body, field.kind, item)
        _put_key(out, field.number, 2)
        _put_bytes(out, body)
    elif field.repeated:
        for item in value:
            _put_one(out, field, item)
    else:
        _put_one(out, field, value)


def _put_one(out: bytearray, field: Field, value: Any) -> None:
    _put_key(out, field.number, _WIRE_TYPE[field.kind])
    if field.kind == "message":
        _put_bytes(out, value.SerializeToString())
    else:
        _put_scalar(out, field.kind, value)


def _put_scalar(out: bytearray, kind: str, value: Any) -> None:
    if kind in _VARINT_KINDS:
        _put_varint(out, int(value) & 0xFFFFFFFFFFFFFFFF)
    elif kind in _FIXED:
        out += struct.pack(_FIXED[kind], value)
    elif kind == "string":
        _put_bytes(out, value.encode("utf-8") if isinstance(value, str) else bytes(value))
    else:
        _put_bytes(out, bytes(value))


def _put_key(out: bytearray, number: int, wire_type: int) -> None:
    _put_varint(out, number << 3 | wire_type)


def _put_varint(out: bytearray, value: int) -> None:
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)


def _put_bytes(out: bytearray, data: Any) -> None:
    _put_varint(out, len(data))
    out += data


def _read_varint(data: memoryview, position: int) -> tuple:
    result = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise DecodeError("Truncated or malformed varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _read_value(data: memoryview, position: int, wire_type: int) -> tuple:
    if wire_type == 0:
        return _read_varint(data, position)
    if wire_type in (1, 5):
        size = 8 if wire_type == 1 else 4
        if position + size > len(data):
            raise DecodeError("Truncated fixed-width field")
        return bytes(data[position:position + size]), position + size
    if wire_type == 2:
        size, position = _read_varint(data, position)
        if position + size > len(data):
            raise DecodeError("Truncated length-delimited field")
        return data[position:position + size], position + size
    raise DecodeError(f"Unsupported wire type {wire_type}")


def _decode_scalar(field: Field, wire_type: int, value: Any) -> Any:
    kind = field.kind
    if kind == "message":
        return _resolve(field.message).FromString(value)
    if kind == "string":
        return bytes(value).decode("utf-8", errors="replace")
    if kind == "bytes":
        return bytes(value)
    if kind in _FIXED:
        return struct.unpack(_FIXED[kind], value)[0]
    if kind == "bool":
        return bool(value)
    if kind in ("int32", "int64", "enum") and value >= 1 << 63:
        return value - (1 << 64)
    if kind == "int32" and value >= 1 << 31:
        return value - (1 << 32)
    return value


def _unpack(kind: str, body: bytes) -> list:
    if kind in _FIXED:
        size = struct.calcsize(_FIXED[kind])
        return list(struct.unpack(f"<{len(body) // size}{_FIXED[kind][1]}", body))
    items, position, view = [], 0, memoryview(body)
    field = Field(0, "", kind)
    while position < len(body):
        value, position = _read_varint(view, position)
        items.append(_decode_scalar(field, 0, value))
    return items


# --- text format ---------------------------------------------------------------------------------

def text_format(message: Message, indent: int = 0) -> str:
    """protobuf's text format (`name: "x"`, `attr { key: "T" value { type: DT_FLOAT } }`)."""
    lines: list = []
    pad = "  " * indent
    for field, value in message.ListFields():
        if field.kind == "map":
            entry = _map_entry(field)
            for key in sorted(value):
                lines.append(f"{pad}{field.name} {{\n"
                             f"{text_format(entry(key=key, value=value[key]), indent + 1)}"
                             f"{pad}}}\n")
            continue
        for item in (value if field.repeated else [value]):
            if field.kind == "message":
                lines.append(f"{pad}{field.name} {{\n{text_format(item, indent + 1)}{pad}}}\n")
            else:
                lines.append(f"{pad}{field.name}: {_scalar_text(field, item)}\n")
    return "".join(lines)


def _scalar_text(field: Field, value: Any) -> str:
    if field.kind in ("string", "bytes"):
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return '"' + "".join(_escape(byte) for byte in raw) + '"'
    if field.kind == "bool":
        return "true" if value else "false"
    if field.kind == "enum" and isinstance(field.message, dict):
        return {v: k for k, v in field.message.items()}.get(value, str(value))
    if field.kind in ("double", "float"):
        return repr(float(value)) if math.isfinite(value) else ("nan" if value != value else
                                                                 ("inf" if value > 0 else "-inf"))
    return str(value)


def _escape(byte: int) -> str:
    special = {0x22: '\\"', 0x27: "\\'", 0x5C: "\\\\", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
    if byte in special:
        return special[byte]
    return chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}"


_TOKEN = re.compile(r'\s*(?:#[^\n]*\n\s*)*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[{}:<>\[\],;]|'
                    r'[^\s{}:<>\[\],;"\']+)', re.S)


def parse_text(text: str, message: Message) -> Message:
    """Fill `message` from protobuf text format; returns it."""
    tokens = [t for t in _TOKEN.findall(text) if t]
    position = _parse_fields(tokens, 0, message, closing=None)
    if position != len(tokens):
        raise DecodeError(f"Unexpected {tokens[position]!r} in text format")
    return message


def _parse_fields(tokens: list, position: int, message: Message, closing: Optional[str]) -> int:
    while position < len(tokens) and tokens[position] != closing:
        name = tokens[position]
        field = message._by_name.get(name)
        if field is None:
            raise DecodeError(f"{type(message).__name__} has no field {name!r}")
        position += 1
        if tokens[position] == ":":
            position += 1
        if field.kind in ("message", "map"):
            if tokens[position] not in ("{", "<"):
                raise DecodeError(f"Expected '{{' after {name}")
            close = "}" if tokens[position] == "{" else ">"
            target = _map_entry(field)() if field.kind == "map" else \
                _resolve(field.message)()
            position = _parse_fields(tokens, position + 1, target, close) + 1
            if field.kind == "map":
                getattr(message, name)[target.key] = target.value
            elif field.repeated:
                getattr(message, name).append(target)
            else:
                setattr(message, name, target)
        else:
            items, position = _scalar_tokens(tokens, position)
            values = [_parse_scalar(field, token) for token in items]
            if field.repeated:
                getattr(message, name).extend(values)
            else:
                setattr(message, name, values[-1])
        if position < len(tokens) and tokens[position] in (",", ";"):
            position += 1
    return position


def _scalar_tokens(tokens: list, position: int) -> tuple:
    if tokens[position] != "[":
        return [tokens[position]], position + 1
    items, position = [], position + 1
    while tokens[position] != "]":
        if tokens[position] != ",":
            items.append(tokens[position])
        position += 1
    return items, position + 1


def _parse_scalar(field: Field, token: str) -> Any:
    kind = field.kind
    if kind in ("string", "bytes"):
        raw = _unescape(token[1:-1])
        return raw if kind == "bytes" else raw.decode("utf-8", errors="replace")
    if kind == "bool":
        return token in ("true", "True", "1", "t")
    if kind == "enum" and isinstance(field.message, dict) and token in field.message:
        return field.message[token]
    if kind in ("double", "float"):
        return float(token.rstrip("fF")) if token.lower() not in ("inf", "-inf", "nan") \
            else float(token)
    return int(token, 0)


def _unescape(text: str) -> bytes:
    out, position = bytearray(), 0
    simple = {"n": 10, "r": 13, "t": 9, '"': 34, "'": 39, "\\": 92, "a": 7, "b": 8, "f": 12,
              "v": 11, "?": 63}
    raw = text.encode("utf-8")
    while position < len(raw):
        byte = raw[position]
        if byte != 0x5C:
            out.append(byte)
            position += 1
            continue
        escape = chr(raw[position + 1])
        if escape in simple:
            out.append(simple[escape])
            position += 2
        elif escape == "x":
            digits = re.match(rb"[0-9a-fA-F]{1,2}", raw[position + 2:]).group()
            out.append(int(digits, 16))
            position += 2 + len(digits)
        else:
            digits = re.match(rb"[0-7]{1,3}", raw[position + 1:]).group()
            out.append(int(digits, 8))
            position += 1 + len(digits)
    return bytes(out)
