"""Samples for the op blocks of ops/script_ops.py: PyFunc, Print, PrintV2, CheckNumerics and
Assert. What they print is checked in tests/test_script_ops.py; here, the values they pass on."""
from __future__ import annotations

import io

import numpy as np

import session_magic as sm

from . import Sample, f32, f64, i32

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _nothing(*arrays: np.ndarray) -> None:
    return None


_add(
    Sample("PyFunc", lambda x: sm.py_func(np.sin, [x], sm.float32), [f32(3, 4)], np.sin,
           rtol=1e-6),
    Sample("PyFunc", lambda x, y: sm.py_func(lambda a, b: (a + b, (a * b).astype(np.int64)),
                                             [x, y], [sm.int32, sm.int64]),
           [i32(2, 3), i32(2, 3, seed=1)],
           lambda x, y: [x + y, (x * y).astype(np.int64)], label="two outputs"),
    Sample("PyFunc", lambda x: sm.numpy_function(lambda a: a.sum(), [x], sm.float64),
           [f64(5)], lambda x: x.sum(), label="numpy_function, Python float to float64"),
    Sample("PyFunc", lambda x: sm.py_func(lambda a: [a.upper()], [x], [sm.string]),
           [np.array(b"abc", dtype=object)], lambda x: [np.array(b"ABC", dtype=object)],
           label="strings"),
    Sample("Print", lambda x, y: sm.Print(x, [x, y], "values: ", summarize=2),
           [f32(3), i32(2, 2)], lambda x, y: x),
    Sample("PrintV2", lambda x: sm.print("x =", x, output_stream=io.StringIO()), [f32(4)],
           _nothing),
    Sample("CheckNumerics", lambda x: sm.check_numerics(x, "x is finite"), [f32(2, 3)],
           lambda x: x),
    Sample("CheckNumerics", lambda x: sm.verify_tensor_all_finite(x, "x is finite"), [f64(4)],
           lambda x: x, label="verify_tensor_all_finite"),
    Sample("Assert", lambda x: sm.Assert(sm.reduce_all(x > -3.0), [x]), [f32(3)], _nothing),
)
