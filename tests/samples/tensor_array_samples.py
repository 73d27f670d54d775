"""Samples for the TensorList ops behind TensorArray (ops/tensor_array_ops.py): each built as
TF 1 code builds it, through a TensorArray method."""
from __future__ import annotations

import numpy as np

import session_magic as sm

from . import Sample, f32, i32

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _written(x, y):
    return sm.TensorArray(x.dtype, size=3).write(0, x).write(2, y * 2).stack()


def _scattered(x):
    return sm.TensorArray(x.dtype, size=4).scatter([3, 1], x).stack()


def _split_concat(x):
    return sm.TensorArray(x.dtype, size=3, infer_shape=False).split(x, [1, 0, 2]).concat()


_add(
    Sample("TensorListReserve", _written, [f32(2, 3), f32(2, 3, seed=1)],
           lambda x, y: np.stack([x, np.zeros_like(x), y * 2])),
    Sample("TensorListSetItem", _written, [f32(4), f32(4, seed=2)],
           lambda x, y: np.stack([x, np.zeros_like(x), y * 2]), label="vectors"),
    Sample("TensorListStack", lambda x: sm.TensorArray(x.dtype, size=3).unstack(x).stack(),
           [f32(3, 2, 2)], lambda x: x),
    Sample("TensorListFromTensor",
           lambda x: sm.TensorArray(x.dtype, size=4).unstack(x).read(2), [f32(4, 3)],
           lambda x: x[2]),
    Sample("TensorListGetItem",
           lambda x: sm.TensorArray(x.dtype, size=2).unstack(x).read(1) * 3,
           [f32(2, 5).astype(np.float64)], lambda x: x[1] * 3),
    Sample("TensorListGetItem",
           lambda x: sm.TensorArray(x.dtype, size=3).unstack(x).read(0), [i32(3, 2)],
           lambda x: x[0], label="int32"),
    Sample("TensorListLength",
           lambda x: sm.TensorArray(x.dtype, size=0, dynamic_size=True).unstack(x).size(),
           [f32(5, 2)], lambda x: np.int32(5)),
    Sample("TensorListGather",
           lambda x: sm.TensorArray(x.dtype, size=4).unstack(x).gather([2, 0, 2]),
           [f32(4, 3)], lambda x: x[[2, 0, 2]]),
    Sample("TensorListScatterIntoExistingList", _scattered, [f32(2, 3)],
           lambda x: np.stack([np.zeros(3), x[1], np.zeros(3), x[0]]).astype(np.float32)),
    Sample("TensorListConcatV2", _split_concat, [f32(3, 2)], lambda x: x),
    Sample("TensorListSplit",
           lambda x: sm.TensorArray(x.dtype, size=2, infer_shape=False)
           .split(x, [2, 2]).read(1), [f32(4, 3)], lambda x: x[2:]),
)
