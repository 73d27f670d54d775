"""Samples for the op blocks of ops/segment_ops.py: the sorted and unsorted segment reductions
(with an empty segment and dropped ids), Bincount and HistogramFixedWidth, against NumPy loops."""
from __future__ import annotations

from typing import Callable

import numpy as np

import session_magic as sm

from . import Sample, f32, f64, i32

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


_SORTED_IDS = np.array([0, 0, 2, 2, 2, 3], np.int32)   # segment 1 is empty
_UNSORTED_IDS = np.array([3, 0, -1, 3, 0, 3], np.int32)  # segments 1 and 2 empty, one dropped
_FULL_IDS = np.array([2, 0, -1, 1, 0, 2], np.int32)


def _segments(data: np.ndarray, ids: np.ndarray, count: int, reduce: Callable,
              empty: float) -> np.ndarray:
    rows = [reduce(data[ids == i], axis=0) if np.any(ids == i) else
            np.full(data.shape[ids.ndim:], empty, data.dtype) for i in range(count)]
    return np.array(rows, data.dtype)


def _sorted(op_type: str, builder: Callable, reduce: Callable, empty: float) -> list:
    count = int(_SORTED_IDS[-1]) + 1
    return [
        Sample(op_type, lambda x, i: builder(x, i), [f32(6, 3), _SORTED_IDS],
               lambda x, i: _segments(x, i, count, reduce, empty), rtol=1e-5),
        Sample(op_type, lambda x, i: builder(x, i), [i32(6, low=-3, high=4),
                                                     _SORTED_IDS.astype(np.int64)],
               lambda x, i: _segments(x, i, count, reduce, empty).astype(np.int32),
               label="int32 data, int64 ids"),
    ]


_add(*_sorted("SegmentSum", sm.segment_sum, np.sum, 0),
     *_sorted("SegmentMax", sm.math.segment_max, np.max, 0),
     *_sorted("SegmentMin", sm.segment_min, np.min, 0),
     *_sorted("SegmentProd", sm.segment_prod, np.prod, 1))
_add(
    Sample("SegmentMean", lambda x, i: sm.segment_mean(x, i), [f64(6, 2), _SORTED_IDS],
           lambda x, i: _segments(x, i, 4, np.mean, 0)),
    Sample("SegmentProd", lambda x, i: sm.segment_prod(x, i),
           [np.array([2.0, 0.0, 3.0, 0.0, 0.0, 1.5], np.float32), _SORTED_IDS],
           lambda x, i: _segments(x, i, 4, np.prod, 1), label="zeros in a segment"),
)


def _unsorted(op_type: str, builder: Callable, reduce: Callable, empty: Callable) -> list:
    def expect(x: np.ndarray, i: np.ndarray) -> np.ndarray:
        return _segments(x, i, 5, reduce, empty(x.dtype))
    return [
        Sample(op_type, lambda x, i: builder(x, i, 5), [f32(6, 2), _UNSORTED_IDS], expect,
               rtol=1e-5, grad_check=False, label="empty segments"),
        Sample(op_type, lambda x, i: builder(x, i, 3), [f32(6, 2), _FULL_IDS],
               lambda x, i: _segments(x, i, 3, reduce, 0), rtol=1e-5,
               label="no empty segment (finite for the gradient check)"),
        Sample(op_type, lambda x, i, n: builder(x, i, n),
               [i32(3, 2, low=-4, high=5), _UNSORTED_IDS.reshape(3, 2).astype(np.int64),
                np.int32(5)],
               lambda x, i, n: expect(x, i), label="int32 data, 2-D int64 ids, run-time count"),
    ]


def _lowest(dtype: np.dtype) -> float:
    return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype: np.dtype) -> float:
    return np.finfo(dtype).max if dtype.kind == "f" else np.iinfo(dtype).max


_add(*_unsorted("UnsortedSegmentMax", sm.unsorted_segment_max, np.max, _lowest),
     *_unsorted("UnsortedSegmentMin", sm.math.unsorted_segment_min, np.min, _highest),
     *_unsorted("UnsortedSegmentProd", sm.unsorted_segment_prod, np.prod, lambda t: 1))


def _mean(x: np.ndarray, i: np.ndarray, scale: Callable) -> np.ndarray:
    sums = _segments(x, i, 5, np.sum, 0)
    sizes = np.maximum(np.bincount(i[i >= 0], minlength=5), 1).reshape(5, 1)
    return (sums / scale(sizes)).astype(x.dtype)


_add(
    Sample("UnsortedSegmentSum", lambda x, i: sm.unsorted_segment_mean(x, i, 5),
           [f32(6, 2), _UNSORTED_IDS], lambda x, i: _mean(x, i, lambda n: n), rtol=1e-5,
           label="unsorted_segment_mean"),
    Sample("UnsortedSegmentSum", lambda x, i: sm.math.unsorted_segment_sqrt_n(x, i, 5),
           [f32(6, 2), _UNSORTED_IDS], lambda x, i: _mean(x, i, np.sqrt), rtol=1e-5,
           label="unsorted_segment_sqrt_n"),
)

# --- Bincount and HistogramFixedWidth ------------------------------------------------------------

_COUNTS = np.array([1, 1, 3, 7, 0, 3], np.int32)

_add(
    Sample("Bincount", lambda a: sm.bincount(a), [_COUNTS],
           lambda a: np.bincount(a).astype(np.int32)),
    Sample("Bincount", lambda a: sm.math.bincount(a, minlength=10, dtype=sm.float64), [_COUNTS],
           lambda a: np.bincount(a, minlength=10).astype(np.float64), label="minlength, float64"),
    Sample("Bincount", lambda a: sm.bincount(a, maxlength=4), [_COUNTS.reshape(2, 3)],
           lambda a: np.bincount(a.reshape(-1))[:4].astype(np.int32),
           label="2-D arr, maxlength drops the larger values"),
    Sample("UnsortedSegmentSum", lambda a, w: sm.bincount(a, weights=w), [_COUNTS, f32(6)],
           lambda a, w: np.bincount(a, w).astype(np.float32), label="bincount with weights"),
    Sample("HistogramFixedWidth",
           lambda v: sm.histogram_fixed_width(v, [0.0, 5.0], nbins=5),
           [np.array([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0, 4.99], np.float32)],
           lambda v: np.array([2, 1, 1, 0, 3], np.int32), label="outside the range: end bins"),
    Sample("HistogramFixedWidth",
           lambda v, r: sm.histogram_fixed_width(v, r, nbins=3, dtype=sm.int64),
           [i32(4, 5, low=0, high=10), np.array([0, 9], np.int32)],
           lambda v, r: np.bincount(np.minimum(v.reshape(-1) * 3 // 9, 2), minlength=3),
           label="int32 values, int64 counts"),
)

# --- SparseSegmentSum/Mean/SqrtN -----------------------------------------------------------------

_PICKED = np.array([3, 0, 3, 1], np.int32)
_PICKED_IDS = np.array([0, 0, 2, 2], np.int32)


def _sparse(x: np.ndarray, picked: np.ndarray, ids: np.ndarray, count: int,
            scale: Callable) -> np.ndarray:
    sums = _segments(x[picked], ids, count, np.sum, 0)
    sizes = np.maximum(np.bincount(ids, minlength=count), 1).reshape(-1, 1)
    return (sums / scale(sizes)).astype(x.dtype)


for _kind, _builder, _scale in (("Sum", sm.sparse_segment_sum, lambda n: 1),
                                ("Mean", sm.sparse_segment_mean, lambda n: n),
                                ("SqrtN", sm.sparse_segment_sqrt_n, np.sqrt)):
    _add(
        Sample(f"SparseSegment{_kind}",
               lambda x, i, s, build=_builder: build(x, i, s),
               [f32(4, 2), _PICKED, _PICKED_IDS],
               lambda x, i, s, scale=_scale: _sparse(x, i, s, 3, scale), rtol=1e-5,
               label="a row picked twice, an empty segment"),
        Sample(f"SparseSegment{_kind}WithNumSegments",
               lambda x, i, s, build=_builder: build(x, i, s, num_segments=5),
               [f64(4, 3), _PICKED, _PICKED_IDS.astype(np.int64)],
               lambda x, i, s, scale=_scale: _sparse(x, i, s, 5, scale),
               label="num_segments past the last id"),
    )
