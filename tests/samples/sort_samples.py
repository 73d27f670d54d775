"""Samples for the op blocks of ops/sort_ops.py: TopKV2 (and sort/argsort built on it) and
InTopKV2, against NumPy's stable sorts; and Roll and batch_gather, which move entries."""
from __future__ import annotations

import numpy as np

import session_magic as sm

from . import Sample, f32, f64, i32

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _top_k(x: np.ndarray, k: int) -> list:
    order = np.argsort(-x.astype(np.float64), axis=-1, kind="stable")[..., :k]
    return [np.take_along_axis(x, order, -1), order.astype(np.int32)]


_TIES = np.array([[2.0, 1.0, 2.0, 3.0, 1.0], [0.0, 0.0, -1.0, 0.0, 5.0]], np.float32)
_PREDICTIONS = np.array([[0.1, 0.7, 0.2], [0.3, 0.4, 0.4], [0.5, np.nan, 0.1],
                         [np.inf, 0.1, 0.2], [0.2, 0.6, 0.2]], np.float32)

_add(
    Sample("TopKV2", lambda x: list(sm.nn.top_k(x, 2)), [f32(3, 5)], lambda x: _top_k(x, 2)),
    Sample("TopKV2", lambda x: list(sm.math.top_k(x, k=3)), [_TIES], lambda x: _top_k(x, 3),
           label="ties go to the lower index", grad_check=False),
    Sample("TopKV2", lambda x: list(sm.nn.top_k(x)), [i32(4, 3)], lambda x: _top_k(x, 1),
           label="int32, k=1"),
    Sample("TopKV2", lambda x, k: list(sm.nn.top_k(x, k, sorted=True)), [f64(6), np.int32(4)],
           lambda x, k: _top_k(x, 4), label="run-time k"),
    Sample("TopKV2", lambda x: sm.sort(x), [f32(3, 4)], lambda x: np.sort(x, -1),
           label="sort ascending"),
    Sample("TopKV2", lambda x: sm.sort(x, axis=0, direction="DESCENDING"), [f32(4, 3)],
           lambda x: -np.sort(-x, 0), label="sort descending along axis 0",
           unknown_shapes=False),
    Sample("TopKV2", lambda x: sm.sort(x), [np.array([3, -2147483648, 7, 0], np.int32)],
           np.sort, label="sort int32 with its lowest value"),
    Sample("TopKV2", lambda x: sm.sort(x), [np.array([3, 0, 255, 7], np.uint8)], np.sort,
           label="sort uint8"),
    Sample("TopKV2", lambda x: sm.argsort(x, stable=True), [_TIES],
           lambda x: np.argsort(x, -1, kind="stable").astype(np.int32), label="argsort, ties"),
    Sample("TopKV2", lambda x: sm.argsort(x, axis=0, direction="DESCENDING"), [_TIES],
           lambda x: np.argsort(-x, 0, kind="stable").astype(np.int32),
           label="argsort descending, axis 0", unknown_shapes=False),
    Sample("InTopKV2", lambda p, t: sm.nn.in_top_k(p, t, 1),
           [_PREDICTIONS, np.int32([1, 1, 0, 0, 2])],
           lambda p, t: np.array([True, True, False, False, False]),
           label="ties count for the target; non-finite rows are False"),
    Sample("InTopKV2", lambda p, t: sm.math.in_top_k(p, t, 2),
           [_PREDICTIONS, np.int64([2, 1, 2, 0, 0])],
           lambda p, t: np.array([True, True, False, False, True]), label="k=2, int64 targets"),
)

# --- Roll and batch_gather: entries moved rather than ordered ------------------------------------

_add(
    Sample("Roll", lambda x: sm.roll(x, 2, 1), [f32(3, 5)], lambda x: np.roll(x, 2, 1)),
    Sample("Roll", lambda x: sm.roll(x, [1, -3, 2], [0, 1, 0]), [f64(4, 3)],
           lambda x: np.roll(x, (3, -3), (0, 1)), label="shifts on a repeated axis add up"),
    Sample("Roll", lambda x, s, a: sm.roll(x, s, a), [i32(2, 3, 4), np.int64([-1, 5]),
                                                      np.int32([2, -2])],
           lambda x, s, a: np.roll(x, (-1, 5), (2, 1)), label="run-time int64 shift"),
    Sample("GatherV2", lambda p: sm.batch_gather(p, [[2, 0], [1, 1]]), [f32(2, 3)],
           lambda p: np.take_along_axis(p, np.array([[2, 0], [1, 1]]), 1),
           label="batch_gather"),
    Sample("GatherV2", lambda p: sm.batch_gather(p, [[[1]], [[0]]]), [f32(2, 1, 3, 2)],
           lambda p: np.stack([p[0, 0, [1]], p[1, 0, [0]]])[:, None],
           label="batch_gather, 2 batch dims, trailing dims of params"),
)
