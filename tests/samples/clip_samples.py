"""Samples for the compositions of ops/clip_ops.py (no op types of their own: each sample names
the op that gives its result), against NumPy's formulas; their gradients are the gradients of
the ops TF composes them from."""
from __future__ import annotations

import numpy as np

import session_magic as sm

from . import Sample, f32, f64

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _clip(x: np.ndarray, clip: float, axes: tuple | None = None) -> np.ndarray:
    norm = np.sqrt((x * x).sum(axis=axes, keepdims=True))
    return (x * clip / np.maximum(norm, clip)).astype(x.dtype)


def _global_norm(*arrays: np.ndarray) -> np.ndarray:
    return np.sqrt(sum((a.astype(np.float64) ** 2).sum() for a in arrays))


_SMALL = np.array([[0.1, -0.2], [0.0, 0.0]], np.float32)

_add(
    Sample("Identity", lambda x: sm.clip_by_norm(x, 1.5), [f32(3, 4)],
           lambda x: _clip(x, 1.5), rtol=1e-5),
    Sample("Identity", lambda x: sm.clip_by_norm(x, 1.0, axes=[1]), [f64(3, 4)],
           lambda x: _clip(x, 1.0, (1,)), label="per row"),
    Sample("Identity", lambda x: sm.clip_by_norm(x, 1.0, axes=1), [_SMALL],
           lambda x: _clip(x, 1.0, (1,)), label="norms below the bound, a zero row",
           grad_check=False),
    Sample("Sqrt", lambda x, y: sm.global_norm([x, None, y]), [f32(3, 2), f32(4)],
           lambda x, y: np.float32(_global_norm(x, y)), rtol=1e-5, label="global_norm"),
    Sample("Identity", lambda x, y: sm.clip_by_global_norm([x, y], 1.0)[0], [f32(3, 2), f32(4)],
           lambda x, y: [(a / max(_global_norm(x, y), 1.0)).astype(np.float32) for a in (x, y)],
           rtol=1e-5, label="clip_by_global_norm"),
    Sample("Identity", lambda x, n: sm.clip_by_global_norm([x], 10.0, use_norm=n)[0],
           [f64(5), np.float64(4.0)], lambda x, n: [x], label="use_norm below the bound"),
    Sample("Identity", lambda x: sm.clip_by_average_norm(x, 0.1), [f32(2, 3)],
           lambda x: (x * 0.1 / max(np.sqrt((x * x).sum()) / x.size, 0.1)).astype(np.float32),
           rtol=1e-5, label="clip_by_average_norm (float32 only, as TF's)", grad_check=False),
)
