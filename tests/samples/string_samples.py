"""Samples for the op blocks of ops/string_ops.py: AsString, StringJoin and StringFormat, against
Python's printf-style formatting (C's, which TF uses) and joins of bytes."""
from __future__ import annotations

import numpy as np

import session_magic as sm

from . import Sample, i32

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _texts(fmt: str, x: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda v: (fmt % v).encode(), otypes=[object])(x)


def _strings(*texts: str) -> np.ndarray:
    return np.array([t.encode() for t in texts], object)


_FLOATS = np.array([[1.5, -2.25, 0.0], [1e-7, 123456.789, -0.5]], np.float32)

_add(
    Sample("AsString", lambda x: sm.as_string(x), [_FLOATS], lambda x: _texts("%f", x)),
    Sample("AsString", lambda x: sm.as_string(x, precision=2, width=9), [_FLOATS],
           lambda x: _texts("%9.2f", x), label="precision and width"),
    Sample("AsString", lambda x: sm.as_string(x, scientific=True), [_FLOATS.astype(np.float64)],
           lambda x: _texts("%e", x), label="scientific"),
    Sample("AsString", lambda x: sm.strings.as_string(x, shortest=True), [_FLOATS],
           lambda x: _texts("%g", x), label="shortest"),
    Sample("AsString", lambda x: sm.as_string(x, width=4, fill="0"), [i32(2, 3)],
           lambda x: _texts("%04d", x), label="int32, zero fill"),
    Sample("AsString", lambda x: sm.as_string(x), [np.array([True, False])],
           lambda x: _strings("true", "false"), label="bool"),
    Sample("StringJoin", lambda a, b: sm.string_join([a, "-", b]),
           [_strings("ab", "c"), _strings("x", "yz")],
           lambda a, b: _strings("ab-x", "c-yz")),
    Sample("StringJoin", lambda a, b: sm.strings.join([a, b], separator=", "),
           [np.array(b"total", object), _strings("1", "2", "3")],
           lambda a, b: _strings("total, 1", "total, 2", "total, 3"),
           label="a scalar repeated, separator"),
    Sample("StringFormat", lambda x, y: sm.strings.format("x = {}, y = {}", [x, y]),
           [np.arange(8, dtype=np.int32).reshape(2, 4), np.float32(0.5)],
           lambda x, y: np.array(b"x = [[0 1 2 3]\n [4 5 6 7]], y = 0.5", object)),
    Sample("StringFormat", lambda x: sm.strings.format("{}", x, summarize=2),
           [np.arange(10, dtype=np.int64)],
           lambda x: np.array(b"[0 1 ... 8 9]", object), label="summarize"),
)
