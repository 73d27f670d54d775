"""Text in drawings: DOT quoting that Graphviz shows verbatim, TF's short `dtype[shape]`, values
and durations as short labels and full tooltips. Pure functions of their arguments.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..graph import Tensor

__all__ = ["quote_label", "quote_tooltip", "attributes", "shorten", "dtype_abbrev",
           "spec_text", "tensor_spec", "value_brief", "value_full", "duration", "heat",
           "LABEL_WIDTH", "SMALL_VALUE"]

LABEL_WIDTH = 32
SMALL_VALUE = 6
_TOOLTIP_LIMIT = 3000
_VALUE_LIMIT = 2000


# --- escaping -------------------------------------------------------------------------------

def _escape_table(backslash: str) -> dict:
    table = {code: " " for code in range(32)}
    table.update({ord("\n"): "\\n", ord("\r"): "", 127: " ", 0xFFFE: "\ufffd", 0xFFFF: "\ufffd"})
    table.update({code: "\ufffd" for code in range(0xD800, 0xE000)})
    # NOTE: Graphviz reads `&lt;`-style entities in every string, and in tooltips undoes one more
    # level of backslashes (so `\N`, `\G` would become names there); these make text verbatim.
    table.update({ord("&"): "&amp;", ord('"'): '\\"', ord("\\"): backslash})
    return table


_LABEL_ESCAPES = _escape_table("\\\\")
_TOOLTIP_ESCAPES = _escape_table("\\\\\\\\")


def quote_label(text: str, left: bool = False) -> str:
    """`text` as a DOT double-quoted label that Graphviz shows verbatim (its lines centred, or
    left-aligned)."""
    if left:  # NOTE: `\l` ends a left-aligned line; each line is escaped on its own
        return '"' + "".join(line.translate(_LABEL_ESCAPES) + "\\l"
                             for line in text.split("\n")) + '"'
    return '"' + text.translate(_LABEL_ESCAPES) + '"'


def quote_tooltip(text: str) -> str:
    """`text` as a DOT double-quoted tooltip that Graphviz shows verbatim."""
    return '"' + shorten(text, _TOOLTIP_LIMIT).translate(_TOOLTIP_ESCAPES) + '"'


def shorten(text: str, limit: int, keep_end: bool = False) -> str:
    if len(text) <= limit:
        return text
    return "…" + text[-(limit - 1):] if keep_end else text[:limit - 1] + "…"


def name_lines(name: str, limit: int) -> list:
    """A long name over two lines, broken after a `_`, `/` or `.` (never mid-word); cut at
    the front with `…` only when even two lines cannot hold it."""
    if len(name) <= limit:
        return [name]
    breaks = [i + 1 for i, char in enumerate(name[:limit]) if char in "_/."]
    for cut in reversed(breaks):
        if len(name) - cut <= limit:
            return [name[:cut], name[cut:]]
    return [shorten(name, limit, keep_end=True)]


def attributes(attrs: dict) -> str:
    parts = []
    for key, value in attrs.items():
        if key == "label":
            parts.append(f"label={quote_label(value)}")
        elif key == "caption":  # NOTE: a graph's own label, its lines left-aligned
            parts.append(f"label={quote_label(value, left=True)}")
        elif key == "tooltip":
            parts.append(f"tooltip={quote_tooltip(value)}")
        else:
            parts.append(f'{key}="{value}"')  # our own constants and numbers, never graph text
    return ", ".join(parts)


# --- text for tensors and values ------------------------------------------------------------

_DTYPE_ABBREVIATIONS = {
    "float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64", "int8": "i8",
    "int16": "i16", "int32": "i32", "int64": "i64", "uint8": "u8", "uint16": "u16",
    "uint32": "u32", "uint64": "u64", "bool": "b", "string": "str", "complex64": "c64",
    "complex128": "c128"}


def dtype_abbrev(name: str) -> str:
    """TF-style short dtype: float32 -> f32, bool -> b, string -> str."""
    return _DTYPE_ABBREVIATIONS.get(name, name)


def spec_text(dtype_name: str, dims: Any) -> str:
    """`f32[?,3]`, `i32[]` for a scalar, `f32[*]` for unknown rank."""
    if dims is None:
        return dtype_abbrev(dtype_name) + "[*]"
    return f"{dtype_abbrev(dtype_name)}[{','.join('?' if d is None else str(d) for d in dims)}]"


def tensor_spec(tensor: Tensor) -> str:
    index = f":{tensor._value_index} " if tensor._value_index else ""
    return index + spec_text(tensor._dtype.name, tensor._dims)


def _array_dtype_name(array: np.ndarray) -> str:
    if array.dtype.kind in "OSU":
        return "string"
    return array.dtype.name


def value_brief(value: Any) -> str:
    """A short label line: the value itself when small, else its spec and mean."""
    try:
        array = np.asarray(value)
        if array.size <= SMALL_VALUE:
            # NOTE: NumPy pads columns to align rows ("[  -1, 1568]"); one line needs none
            text = re.sub(r"\[\s+", "[", re.sub(r"\s+", " ", _array_text(array, SMALL_VALUE)))
            return shorten(text, LABEL_WIDTH)
        spec = spec_text(_array_dtype_name(array), array.shape)
        if array.dtype.kind in "iuf":
            with np.errstate(all="ignore"):
                return f"{spec} mean={float(np.mean(array)):.3g}"
        return spec
    except Exception:  # noqa: BLE001 - a value we cannot summarise must not cost the picture
        return shorten(repr(value), LABEL_WIDTH)


def value_full(value: Any) -> str:
    try:
        text = _array_text(np.asarray(value), threshold=200)
    except Exception:  # noqa: BLE001 - as above
        text = repr(value)
    return shorten(text, _VALUE_LIMIT)


def _array_text(array: np.ndarray, threshold: int) -> str:
    if array.ndim == 0:
        item = array.item()
        return _float_text(item) if isinstance(item, float) else repr(item)
    return np.array2string(array, separator=", ", precision=4, threshold=threshold,
                           max_line_width=80)


def _float_text(number: float) -> str:
    text = f"{number:.4g}"
    return text if any(c in text for c in ".eni") else text + ".0"  # 1.0, not 1 (an int)


def duration(seconds: float) -> str:
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def heat(fraction: float) -> str:
    """White (0) to red (1)."""
    level = round(255 - 185 * min(max(fraction, 0.0), 1.0))
    return f"#ff{level:02x}{level:02x}"
