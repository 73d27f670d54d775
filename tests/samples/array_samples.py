"""Samples for the op blocks of ops/array_ops.py: creation, shapes, reshaping, joining and
splitting, gathering, slicing and indexing, masks, reversal and diagonals."""
from __future__ import annotations

import numpy as np

import session_magic as sm
from session_magic.ops import array_ops
from session_magic.ops.registry import apply_op

from . import Sample, booleans, f32, f64, i32

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int32)


def _scalar(value: object, dtype: type = np.int32) -> np.ndarray:
    return np.array(value, dtype=dtype)


_CUBE = f32(2, 3, 4)
_MATRIX = f32(3, 4)
_COMPLEX = (f32(2, 3) + 1j * f32(2, 3, seed=1)).astype(np.complex64)


# --- creation ------------------------------------------------------------------------------------

def _one_hot(indices: np.ndarray, depth: int, axis: int = -1) -> np.ndarray:
    hot = (indices[..., None] == np.arange(depth)).astype(np.float32)
    return np.moveaxis(hot, -1, axis)


_add(
    Sample("Fill", lambda v: sm.fill([2, 3], v), [f32()], lambda v: np.full((2, 3), v),
           label="list dims"),
    Sample("Fill", lambda dims, v: sm.fill(dims, v), [_ints(3, 1, 2), _scalar(7)],
           lambda dims, v: np.full((3, 1, 2), 7, np.int32), label="run-time dims"),
    Sample("Fill", lambda: sm.zeros([40, 30], sm.int64), [],
           lambda: np.zeros((40, 30), np.int64), label="large zeros"),
    Sample("Fill", lambda x: sm.ones(sm.shape(x), sm.bool), [_MATRIX],
           lambda x: np.ones(x.shape, bool), label="ones of a shape tensor",
           grad_check=False),  # NOTE: a bool result has no gradient to check.
    Sample("ZerosLike", lambda x: sm.zeros_like(x, optimize=False), [_CUBE], np.zeros_like),
    Sample("ZerosLike", lambda x: sm.zeros_like(x, optimize=False), [i32(5)], np.zeros_like,
           label="int32"),
    # NOTE: TF 2's ones_like is a Fill; the OnesLike op remains for graphs that hold one
    Sample("OnesLike", lambda x: apply_op("OnesLike", [x]).outputs[0], [_MATRIX], np.ones_like),
    Sample("OnesLike", lambda x: apply_op("OnesLike", [x]).outputs[0], [booleans(4)],
           np.ones_like, label="bool"),
    Sample("Fill", lambda x: sm.ones_like(x, optimize=False), [booleans(4)], np.ones_like,
           label="ones_like of bool"),
    Sample("Range", lambda: sm.range(5), [], lambda: np.arange(5, dtype=np.int32),
           label="range(5)"),
    Sample("Range", lambda a, b, c: sm.range(a, b, c),
           [_scalar(10), _scalar(-3), _scalar(-4)],
           lambda a, b, c: np.arange(10, -3, -4, dtype=np.int32), label="negative delta"),
    Sample("Range", lambda a, b: sm.range(a, b, 0.25),
           [_scalar(0.0, np.float32), _scalar(1.0, np.float32)],
           lambda a, b: np.arange(0, 1, 0.25, dtype=np.float32), label="float32"),
    Sample("Range", lambda: sm.range(1, 2.5, 0.5, dtype=sm.float64), [],
           lambda: np.arange(1, 2.5, 0.5), label="float64"),
    Sample("LinSpace", lambda a, b, n: sm.linspace(a, b, n),
           [_scalar(-1.0, np.float32), _scalar(2.0, np.float32), _scalar(7)],
           lambda a, b, n: np.linspace(-1, 2, 7, dtype=np.float32), rtol=1e-5),
    Sample("LinSpace", lambda: sm.lin_space(3.0, 3.0, 1), [], lambda: np.array([3.0], np.float32),
           label="one point"),
    Sample("OneHot", lambda i: sm.one_hot(i, 4), [_ints(0, 3, -1, 4, 2)],
           lambda i: _one_hot(i, 4), label="out of range is all off"),
    Sample("OneHot", lambda i: sm.one_hot(i, 3, on_value=5, off_value=-1, axis=0),
           [_ints(1, 0, 2, 2).reshape(2, 2)],
           lambda i: np.where(_one_hot(i, 3, axis=0) > 0, 5, -1).astype(np.int32),
           label="axis 0 with int values"),
    Sample("OneHot", lambda i, d: sm.one_hot(i, d, dtype=sm.float64),
           [np.array([[2], [0]], np.int64), _scalar(3)],
           lambda i, d: _one_hot(i, 3).astype(np.float64), label="run-time depth"),
)


# --- shapes --------------------------------------------------------------------------------------

_add(
    # NOTE: of an input of known shape, TF's shape, size and rank are Consts, so the ops run
    # only where the shape is known at run time
    Sample("Shape", lambda x: sm.shape(x), [_CUBE], lambda x: np.array(x.shape, np.int32),
           modes=("unknown_shape",)),
    Sample("Shape", lambda x: sm.shape(x, out_type=sm.int64), [f32()],
           lambda x: np.zeros(0, np.int64), label="scalar int64", modes=("unknown_shape",)),
    Sample("ShapeN", lambda x, y: sm.shape_n([x, y]), [_MATRIX, f32(5)],
           lambda x, y: [np.array([3, 4], np.int32), np.array([5], np.int32)]),
    Sample("Size", lambda x: sm.size(x), [_CUBE], lambda x: np.int32(24),
           modes=("unknown_shape",)),
    Sample("Size", lambda x: sm.size(x, out_type=sm.int64), [f32(0, 3)],
           lambda x: np.int64(0), label="empty int64", modes=("unknown_shape",)),
    Sample("Rank", lambda x: sm.rank(x), [_CUBE], lambda x: np.int32(3),
           modes=("unknown_shape",)),
    Sample("Rank", lambda x: sm.rank(x), [f32()], lambda x: np.int32(0), label="scalar",
           modes=("unknown_shape",)),
)


# --- reshaping -----------------------------------------------------------------------------------

_add(
    Sample("Reshape", lambda x: sm.reshape(x, [4, -1]), [_CUBE], lambda x: x.reshape(4, -1),
           label="-1"),
    Sample("Reshape", lambda x, s: sm.reshape(x, s), [_CUBE, _ints(6, 4)],
           lambda x, s: x.reshape(6, 4), label="run-time shape"),
    Sample("Reshape", lambda x: sm.reshape(x, [sm.shape(x)[0], -1]), [_CUBE],
           lambda x: x.reshape(2, -1), label="flatten with shape(x)[0]"),
    Sample("Reshape", lambda x: sm.reshape(x, []), [f32(1, 1)], lambda x: x.reshape(()),
           label="to scalar"),
    Sample("Reshape", lambda x, y: sm.meshgrid(x, y), [f32(3), i32(2).astype(np.float32)],
           lambda x, y: list(np.meshgrid(x, y)), label="meshgrid"),
    Sample("Reshape", lambda x, y: sm.meshgrid(x, y, indexing="ij"), [i32(3), i32(4)],
           lambda x, y: list(np.meshgrid(x, y, indexing="ij")), label="meshgrid ij"),
    Sample("ExpandDims", lambda x: sm.expand_dims(x, 1), [_MATRIX],
           lambda x: np.expand_dims(x, 1)),
    Sample("ExpandDims", lambda x: sm.expand_dims(x, -1), [i32(2, 2)],
           lambda x: x[..., None], label="negative axis"),
    Sample("ExpandDims", lambda x, a: sm.expand_dims(x, a), [_MATRIX, _scalar(0)],
           lambda x, a: x[None], label="run-time axis"),
    Sample("Squeeze", lambda x: sm.squeeze(x), [f32(1, 3, 1, 2)], np.squeeze, label="all"),
    Sample("Squeeze", lambda x: sm.squeeze(x, [-2]), [f32(1, 3, 1, 2)],
           lambda x: np.squeeze(x, 2), label="one axis"),
    Sample("Transpose", lambda x: sm.transpose(x), [_CUBE], lambda x: x.T, label="reversed"),
    Sample("Transpose", lambda x: sm.transpose(x, [1, 0, 2]), [_CUBE],
           lambda x: x.transpose(1, 0, 2), label="perm"),
    Sample("Transpose", lambda x, p: sm.transpose(x, p), [i32(2, 3), _ints(1, 0)],
           lambda x, p: x.T, label="run-time perm"),
    Sample("Transpose", lambda x: sm.matrix_transpose(x), [_CUBE],
           lambda x: np.swapaxes(x, -1, -2), label="matrix_transpose"),
    Sample("ConjugateTranspose", lambda x: sm.transpose(x, conjugate=True), [_COMPLEX],
           lambda x: np.conj(x.T)),
    # NOTE: the builder picks Transpose for real inputs; the raw op takes them too, which gives
    # its gradient rule a real sample to check.
    Sample("ConjugateTranspose",
           lambda x: apply_op("ConjugateTranspose", [x, np.array([1, 0], np.int32)]).outputs[0],
           [f32(2, 3)], lambda x: x.T, label="real input, the raw op"),
    Sample("InvertPermutation", lambda p: sm.invert_permutation(p), [_ints(2, 0, 3, 1)],
           lambda p: np.argsort(p).astype(np.int32)),
    Sample("InvertPermutation", lambda p: sm.invert_permutation(p),
           [np.array([0, 3, 1, 4, 2], np.int64)], lambda p: np.argsort(p), label="int64"),
    Sample("BroadcastTo", lambda x: sm.broadcast_to(x, [2, 3, 4]), [f32(3, 1)],
           lambda x: np.broadcast_to(x, (2, 3, 4))),
    Sample("BroadcastTo", lambda x, s: sm.broadcast_to(x, s), [i32(4), _ints(2, 4)],
           lambda x, s: np.broadcast_to(x, (2, 4)), label="run-time shape"),
    Sample("Tile", lambda x: sm.tile(x, [2, 1, 3]), [_CUBE], lambda x: np.tile(x, (2, 1, 3))),
    Sample("Tile", lambda x, m: sm.tile(x, m), [i32(2, 3), _ints(3, 0)],
           lambda x, m: np.tile(x, (3, 0)), label="run-time multiples with a zero"),
    Sample("Pad", lambda x: sm.pad(x, [[1, 2], [0, 3]]), [_MATRIX],
           lambda x: np.pad(x, [(1, 2), (0, 3)])),
    Sample("Pad", lambda x, p: sm.pad(x, p), [i32(2, 2), _ints(0, 1, 2, 0).reshape(2, 2)],
           lambda x, p: np.pad(x, [(0, 1), (2, 0)]), label="run-time paddings"),
    Sample("PadV2", lambda x: sm.pad(x, [[1, 1], [2, 0]], constant_values=-1.5), [_MATRIX],
           lambda x: np.pad(x, [(1, 1), (2, 0)], constant_values=-1.5)),
    Sample("MirrorPad", lambda x: sm.pad(x, [[1, 2], [3, 0]], "REFLECT"), [_MATRIX],
           lambda x: np.pad(x, [(1, 2), (3, 0)], mode="reflect"), label="reflect"),
    Sample("MirrorPad", lambda x: sm.pad(x, [[2, 3], [0, 4]], "symmetric"), [i32(3, 4)],
           lambda x: np.pad(x, [(2, 3), (0, 4)], mode="symmetric"), label="symmetric"),
    Sample("MirrorPad", lambda x: sm.pad(x, [[1, 1], [2, 3]], "SYMMETRIC"), [f32(2, 3)],
           lambda x: np.pad(x, [(1, 1), (2, 3)], mode="symmetric"), label="symmetric float"),
    Sample("MirrorPadGrad", lambda g: array_ops.mirror_pad_grad(g, [[1, 2], [3, 0]], "REFLECT"),
           [f32(6, 7)], lambda g: _mirror_pad_transposed(g, (3, 4), [(1, 2), (3, 0)], "reflect"),
           rtol=1e-5),
    Sample("MirrorPadGrad",
           lambda g, p: array_ops.mirror_pad_grad(g, p, "SYMMETRIC"),
           [f32(4, 8), _ints(1, 1, 2, 3).reshape(2, 2)],
           lambda g, p: _mirror_pad_transposed(g, (2, 3), [(1, 1), (2, 3)], "symmetric"),
           rtol=1e-5, label="symmetric, run-time paddings"),
)


def _mirror_pad_transposed(g: np.ndarray, shape: tuple, widths: list, mode: str) -> np.ndarray:
    """The transpose of MirrorPad (a linear map) applied to `g`, built column by column."""
    columns = [np.pad(unit.reshape(shape), widths, mode=mode).reshape(-1)
               for unit in np.eye(int(np.prod(shape)))]
    return (np.stack(columns, axis=1).T @ g.reshape(-1)).reshape(shape).astype(g.dtype)


# --- joining and splitting -----------------------------------------------------------------------

def _split(x: np.ndarray, sizes: list, axis: int) -> list:
    return np.split(x, np.cumsum(sizes)[:-1], axis=axis)


_add(
    Sample("ConcatV2", lambda x, y: sm.concat([x, y], 0), [_MATRIX, f32(2, 4, seed=1)],
           lambda x, y: np.concatenate([x, y])),
    Sample("ConcatV2", lambda x, y: sm.concat([x, y, x], -1), [i32(2, 3), i32(2, 1)],
           lambda x, y: np.concatenate([x, y, x], -1), label="negative axis"),
    Sample("ConcatV2", lambda x, a: sm.concat([x, [[1.0, 2.0, 3.0, 4.0]]], a),
           [_MATRIX, _scalar(0)],
           lambda x, a: np.concatenate([x, [[1, 2, 3, 4]]]).astype(np.float32),
           label="run-time axis and a Python value"),
    Sample("Pack", lambda x, y: sm.stack([x, y]), [_MATRIX, f32(3, 4, seed=1)],
           lambda x, y: np.stack([x, y])),
    Sample("Pack", lambda x, y: sm.stack([x, y, x], axis=-1), [i32(2), i32(2, seed=1)],
           lambda x, y: np.stack([x, y, x], -1), label="axis -1"),
    Sample("Pack", lambda x: sm.convert_to_tensor([[x, 1.0], [2.0, x]]), [f32()],
           lambda x: np.array([[x, 1], [2, x]], np.float32), label="tensors and Python values"),
    Sample("Unpack", lambda x: sm.unstack(x, num=2), [_CUBE], lambda x: list(x)),
    Sample("Unpack", lambda x: sm.unstack(x, num=4, axis=-1), [i32(3, 4)],
           lambda x: list(x.T), label="last axis"),
    Sample("Split", lambda x: sm.split(x, 2, axis=2), [_CUBE],
           lambda x: np.split(x, 2, axis=2)),
    Sample("Split", lambda x, a: sm.split(x, 3, axis=a), [i32(6, 2), _scalar(0)],
           lambda x, a: np.split(x, 3), label="run-time axis"),
    Sample("SplitV", lambda x: sm.split(x, [1, -1, 1], axis=-1), [_CUBE],
           lambda x: _split(x, [1, 2, 1], -1)),
    Sample("SplitV", lambda x, s: sm.split(x, s, num=2), [i32(5, 2), _ints(2, 3)],
           lambda x, s: _split(x, [2, 3], 0), label="run-time sizes"),
    Sample("IdentityN", lambda x, y: sm.identity_n([x, y]), [_MATRIX, i32(2)],
           lambda x, y: [x, y]),
)


# --- gathering, slicing, indexing ----------------------------------------------------------------

_INDICES = np.array([[2, 0], [1, 1]], np.int32)


def _batched_gather(params: np.ndarray, indices: np.ndarray) -> np.ndarray:
    return np.stack([p[:, i] for p, i in zip(params, indices, strict=True)])


_add(
    Sample("GatherV2", lambda p, i: sm.gather(p, i), [_MATRIX, _INDICES],
           lambda p, i: p[i]),
    Sample("GatherV2", lambda p, i: sm.gather(p, i, axis=-1), [_CUBE, _ints(3, 0)],
           lambda p, i: p[..., i], label="last axis"),
    Sample("GatherV2", lambda p, i: sm.gather(p, i, axis=1), [i32(4, 3), _scalar(2)],
           lambda p, i: p[:, 2], label="scalar index"),
    Sample("GatherV2", lambda p, i: sm.gather(p, i, axis=2, batch_dims=1),
           [_CUBE, np.array([[0, 3], [2, 2]], np.int64)],
           lambda p, i: _batched_gather(p, i), label="batch_dims"),
    Sample("GatherNd", lambda p, i: sm.gather_nd(p, i), [_MATRIX, _INDICES],
           lambda p, i: p[i[:, 0], i[:, 1]]),
    Sample("GatherNd", lambda p, i: sm.gather_nd(p, i), [_CUBE, np.array([[1], [0]], np.int64)],
           lambda p, i: p[[1, 0]], label="slices"),
    Sample("GatherNd", lambda p, i: sm.gather_nd(p, i), [_MATRIX, _ints(1, 2, 1, 2).reshape(2, 2)],
           lambda p, i: p[[1, 1], [2, 2]], label="repeated index"),
    Sample("GatherV2", lambda p, i: sm.gather(p, i, axis=1), [_MATRIX, _ints(3, 1, 3)],
           lambda p, i: p[:, [3, 1, 3]], label="axis 1, repeated index"),
    Sample("UnsortedSegmentSum", lambda x, i: sm.unsorted_segment_sum(x, i, 4),
           [f32(5, 3), _ints(0, 2, 0, -1, 1)], lambda x, i: _segment_sums(x, i, 4),
           label="repeated and dropped ids"),
    Sample("UnsortedSegmentSum", lambda x, i, n: sm.unsorted_segment_sum(x, i, n),
           [f32(2, 3, 2), _ints(0, 1, 1, 3, 0, 3).reshape(2, 3), _scalar(5)],
           lambda x, i, n: _segment_sums(x, i, 5), label="2-D ids, run-time count"),
    Sample("UnsortedSegmentSum", lambda x, i: sm.unsorted_segment_sum(x, i, 3),
           [i32(4), np.array([2, 2, 0, 1], np.int64)], lambda x, i: _segment_sums(x, i, 3),
           label="int32 data, int64 ids"),
    Sample("ScatterNd", lambda u: sm.scatter_nd([[0, 1], [2, 3], [0, 1]], u, [3, 4]), [f32(3)],
           lambda u: _scattered(_ints(0, 1, 2, 3, 0, 1).reshape(3, 2), u, (3, 4)),
           label="repeated index accumulates"),
    Sample("ScatterNd", lambda i, u: sm.scatter_nd(i, u, [2, 4]),
           [np.array([[1], [0], [1]], np.int64), f32(3, 4)],
           lambda i, u: _scattered(i, u, (2, 4)), label="slices, int64 indices"),
    Sample("ScatterNd", lambda i, u, s: sm.scatter_nd(i, u, s),
           [_ints(2, 0).reshape(2, 1), i32(2, 3), _ints(3, 3)],
           lambda i, u, s: _scattered(i, u, (3, 3)), label="run-time shape"),
    Sample("Slice", lambda x: sm.slice(x, [1, 0, 2], [1, -1, 2]), [_CUBE],
           lambda x: x[1:2, :, 2:4]),
    Sample("Slice", lambda x, b, s: sm.slice(x, b, s), [i32(4, 3), _ints(1, 1), _ints(2, 2)],
           lambda x, b, s: x[1:3, 1:3], label="run-time begin and size"),
    Sample("StridedSlice", lambda x: x[1], [_CUBE], lambda x: x[1], label="int"),
    Sample("StridedSlice", lambda x: x[-1, ::-2, 1:], [_CUBE], lambda x: x[-1, ::-2, 1:],
           label="negative index and step"),
    Sample("StridedSlice", lambda x: x[..., None, 0:3:2], [_CUBE],
           lambda x: x[..., None, 0:3:2], label="ellipsis and newaxis"),
    Sample("StridedSlice", lambda x: x[None, 5:, :-10], [_MATRIX],
           lambda x: x[None, 5:, :-10], label="empty ranges"),
    Sample("StridedSlice", lambda x, i: x[i, i:], [_MATRIX, _scalar(1)],
           lambda x, i: x[1, 1:], label="tensor index"),
    Sample("StridedSlice", lambda x: x[()], [i32(3)], lambda x: x, label="empty spec"),
    Sample("StridedSlice", lambda x: sm.strided_slice(x, [0, 1], [2, -1], [1, 2], end_mask=1,
                                                       shrink_axis_mask=0), [_CUBE],
           lambda x: x[0:, 1:-1:2], label="strided_slice with end_mask"),
    Sample("StridedSlice", lambda x: sm.strided_slice(x, [2, 0], [0, 1], [-1, 1],
                                                       shrink_axis_mask=2), [_MATRIX],
           lambda x: x[2:0:-1, 0], label="strided_slice shrink"),
    Sample("StridedSliceGrad",
           lambda dy: array_ops.strided_slice_grad([2, 3, 4], [-1, 0, 1], [0, 0, 0], [1, -2, 1], dy,
                                            begin_mask=2, end_mask=6, shrink_axis_mask=1),
           [f32(2, 3)], lambda dy: _placed(dy, (2, 3, 4), np.s_[-1, ::-2, 1:]),
           label="x[-1, ::-2, 1:]"),
    Sample("StridedSliceGrad",
           lambda s, dy: array_ops.strided_slice_grad(s, [0, 0, 0], [0, 0, 3], [1, 1, 2], dy,
                                               ellipsis_mask=1, new_axis_mask=2),
           [_ints(2, 3, 4), f32(2, 3, 1, 2)], lambda s, dy: _placed(dy, (2, 3, 4),
                                                                   np.s_[..., None, 0:3:2]),
           label="x[..., None, 0:3:2], run-time shape"),
    Sample("BooleanMask", lambda x, m: sm.boolean_mask(x, m), [_CUBE, booleans(2, 3)],
           lambda x, m: x[m], unknown_shapes=False),  # NOTE: TF needs the mask's rank.
    Sample("BooleanMask", lambda x, m: sm.boolean_mask(x, m, axis=1), [i32(3, 4), booleans(4)],
           lambda x, m: x[:, m], unknown_shapes=False, label="axis 1"),
    Sample("BooleanMask", lambda x, m: x[m], [f32(5), booleans(5, seed=2)],
           lambda x, m: x[m], unknown_shapes=False, label="bool tensor index"),
    Sample("BooleanMask", lambda x, m: sm.boolean_mask(x, m, axis=1), [_CUBE, booleans(3, 4)],
           lambda x, m: x[:, m], unknown_shapes=False, label="2-D mask at axis 1"),
)


def _segment_sums(data: np.ndarray, ids: np.ndarray, count: int) -> np.ndarray:
    result = np.zeros((count,) + data.shape[ids.ndim:], data.dtype)
    for position in np.ndindex(*ids.shape):
        if ids[position] >= 0:
            result[ids[position]] += data[position]
    return result


def _scattered(indices: np.ndarray, updates: np.ndarray, shape: tuple) -> np.ndarray:
    result = np.zeros(shape, updates.dtype)
    for position in np.ndindex(*indices.shape[:-1]):
        result[tuple(indices[position])] += updates[position]
    return result


def _placed(dy: np.ndarray, shape: tuple, index: tuple) -> np.ndarray:
    result = np.zeros(shape, dy.dtype)
    result[index] = dy
    return result


# --- reversal and diagonals ----------------------------------------------------------------------

def _reverse_sequence(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    result = x.copy()
    for b, n in enumerate(lengths):
        result[:n, b] = x[:n, b][::-1]
    return result


_add(
    Sample("ReverseV2", lambda x: sm.reverse(x, [0, -1]), [_CUBE], lambda x: x[::-1, :, ::-1]),
    Sample("ReverseV2", lambda x, a: sm.reverse_v2(x, a), [i32(4), _ints(0)],
           lambda x, a: x[::-1], label="run-time axis"),
    Sample("ReverseSequence",
           lambda x, n: sm.reverse_sequence(x, n, seq_axis=0, batch_axis=1),
           [i32(4, 3, 2), np.array([4, 0, 2], np.int64)],
           lambda x, n: _reverse_sequence(x, n)),
    Sample("ReverseSequence",
           lambda x, n: sm.reverse_sequence(x, n, seq_axis=0, batch_axis=1),
           [f32(3, 2), _ints(2, 3)], lambda x, n: _reverse_sequence(x, n), label="float32"),
    Sample("Diag", lambda x: sm.diag(x), [f32(3)], np.diag),
    Sample("Diag", lambda x: sm.diag(x), [i32(2, 2)],
           lambda x: np.diagflat(x).reshape(2, 2, 2, 2), label="rank 2"),
    Sample("DiagPart", lambda x: sm.diag_part(x), [f32(3, 3)], np.diagonal),
    Sample("DiagPart", lambda x: sm.diag_part(sm.diag(x)), [i32(2, 3)], lambda x: x,
           label="rank 4"),
    Sample("MatrixDiag", lambda x: sm.matrix_diag(x), [f32(2, 3)],
           lambda x: np.stack([np.diag(v) for v in x])),
    Sample("MatrixDiag", lambda: sm.eye(3, dtype=sm.int32), [],
           lambda: np.eye(3, dtype=np.int32), label="eye"),
    Sample("MatrixSetDiag", lambda x, v: sm.matrix_set_diag(x, v), [f32(2, 3, 4), f32(2, 3)],
           lambda x, v: _set_diagonal(x, v)),
    Sample("MatrixSetDiag", lambda: sm.eye(2, 3, batch_shape=[2]), [],
           lambda: np.stack([np.eye(2, 3, dtype=np.float32)] * 2), label="eye batch"),
    Sample("MatrixDiagPart", lambda x: sm.matrix_diag_part(x), [f64(2, 4, 3)],
           lambda x: np.diagonal(x, axis1=-2, axis2=-1)),
)


def _set_diagonal(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    result = x.copy()
    for b in np.ndindex(*x.shape[:-2]):
        np.fill_diagonal(result[b], values[b])
    return result
SAMPLES.extend([
    Sample("Unique", lambda x: list(sm.unique(x)), [np.array([3, 1, 3, 2, 1], np.int32)],
           lambda x: [np.array([3, 1, 2], np.int32), np.array([0, 1, 0, 2, 1], np.int32)],
           label="order of first occurrence, as TF"),
    Sample("UniqueWithCounts", lambda x: list(sm.unique_with_counts(x, out_idx=sm.int64)),
           [np.array([2.5, -1.0, 2.5], np.float32)],
           lambda x: [np.array([2.5, -1.0], np.float32), np.array([0, 1, 0], np.int64),
                      np.array([2, 1], np.int64)]),
])
SAMPLES.extend([
    Sample("ParallelConcat", lambda x, y: sm.parallel_stack([x, y]), [f32(2, 3), f32(2, 3, seed=1)],
           lambda x, y: np.stack([x, y]), modes=("constant", "placeholder")),
    Sample("Less", lambda x: sm.sequence_mask(x, 4), [np.array([1, 3, 0], np.int32)],
           lambda x: np.arange(4) < x[:, None], label="sequence_mask"),
])
