"""Samples for the op blocks of ops/image_ops.py: the resize ops and their gradient ops,
AdjustContrastv2, SpaceToDepth and DepthToSpace. Bilinear and nearest-neighbour resizing are
checked against per-pixel loops written from TF's kernels; bicubic and area values against TF's
goldens (tests/golden/data/samples.json), here by properties that hold for any weights."""
from __future__ import annotations

import numpy as np

import session_magic as sm
from session_magic.ops.registry import apply_op

from . import Sample, f32, f64, i32

SAMPLES: list[Sample] = []

# NOTE: TF's resize ops return float32 whatever the input, so the finite-difference check
# (float64 inputs) runs through float32 outputs; the ops are linear, so tiny inputs keep float32
# rounding far below the difference step without changing the derivative.
_TINY = 1e-7


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _coordinate(i: int, in_size: int, out_size: int, align: bool, half: bool) -> float:
    scale = np.float32((in_size - 1) / (out_size - 1) if align and out_size > 1
                       else np.float32(in_size) / np.float32(out_size))
    return float(np.float32((i + 0.5) * scale - 0.5) if half else np.float32(i * scale))


def _bilinear(x: np.ndarray, height: int, width: int, align: bool = False,
              half: bool = False) -> np.ndarray:
    """TF's bilinear kernel, one output pixel at a time: lerp the rows, then the columns."""
    out = np.zeros((x.shape[0], height, width, x.shape[3]))
    for i in range(height):
        y = _coordinate(i, x.shape[1], height, align, half)
        top, bottom = max(int(np.floor(y)), 0), min(int(np.ceil(y)), x.shape[1] - 1)
        for j in range(width):
            v = _coordinate(j, x.shape[2], width, align, half)
            left, right = max(int(np.floor(v)), 0), min(int(np.ceil(v)), x.shape[2] - 1)
            dy, dx = y - np.floor(y), v - np.floor(v)
            upper = x[:, top, left] + (x[:, top, right] - x[:, top, left]) * dx
            lower = x[:, bottom, left] + (x[:, bottom, right] - x[:, bottom, left]) * dx
            out[:, i, j] = upper + (lower - upper) * dy
    return out.astype(np.float32)


def _nearest(x: np.ndarray, height: int, width: int, align: bool = False,
             half: bool = False) -> np.ndarray:
    def source(i: int, in_size: int, out_size: int) -> int:
        where = _coordinate(i, in_size, out_size, align, False)
        if half:
            scale = np.float32(in_size) / np.float32(out_size)
            where = float(np.float32((i + 0.5) * scale))
        index = int(np.floor(where + 0.5)) if align else int(np.floor(where))
        return min(max(index, 0), in_size - 1)
    rows = [source(i, x.shape[1], height) for i in range(height)]
    columns = [source(j, x.shape[2], width) for j in range(width)]
    return x[:, rows][:, :, columns]


def _shaped(shape: tuple, dtype: type = np.float32):
    def check(result: np.ndarray) -> None:
        assert result.shape == shape and result.dtype == dtype, (result.shape, result.dtype)
    return check


def _constant_stays(height: int, width: int):
    """A check for interpolating resizes: an image of one value per channel keeps it."""
    def check(result: np.ndarray) -> None:
        assert result.shape[1:3] == (height, width) and result.dtype == np.float32
        np.testing.assert_allclose(result, np.broadcast_to([[[[1.5, -2.0]]]], result.shape),
                                   rtol=1e-5)
    return check


_FLAT = np.broadcast_to(np.array([1.5, -2.0], np.float32), (2, 4, 5, 2)).copy()

# --- ResizeBilinear, ResizeNearestNeighbor --------------------------------------------------------

_add(
    Sample("ResizeBilinear", lambda x: sm.image.resize_bilinear(x, [5, 7]), [f32(2, 3, 4, 2)],
           lambda x: _bilinear(x, 5, 7), rtol=1e-5, grad_check=False, label="up, legacy"),
    Sample("ResizeBilinear", lambda x: sm.image.resize_bilinear(x, [5, 7], align_corners=True),
           [f32(1, 3, 4, 2)], lambda x: _bilinear(x, 5, 7, align=True), rtol=1e-5,
           grad_check=False, label="align_corners"),
    Sample("ResizeBilinear",
           lambda x: sm.image.resize_bilinear(x, [4, 3], half_pixel_centers=True),
           [f32(1, 6, 5, 1)], lambda x: _bilinear(x, 4, 3, half=True), rtol=1e-5,
           grad_check=False, label="down, half_pixel_centers"),
    Sample("ResizeBilinear", lambda x: sm.image.resize_bilinear(x, [3, 5]), [i32(1, 2, 3, 1)],
           lambda x: _bilinear(x.astype(np.float64), 3, 5), label="int32 to float32"),
    Sample("ResizeBilinear", lambda x: sm.image.resize_bilinear(x, [3, 5]),
           [f64(1, 2, 3, 2) * _TINY], lambda x: _bilinear(x, 3, 5), atol=1e-12,
           label="gradient, legacy"),
    Sample("ResizeBilinear",
           lambda x: sm.image.resize_bilinear(x, [2, 5], half_pixel_centers=True),
           [f64(1, 3, 3, 1) * _TINY], lambda x: _bilinear(x, 2, 5, half=True), atol=1e-12,
           label="gradient, half_pixel_centers"),
    Sample("ResizeNearestNeighbor", lambda x: sm.image.resize_nearest_neighbor(x, [5, 7]),
           [f32(2, 3, 4, 2)], lambda x: _nearest(x, 5, 7), label="up, legacy"),
    Sample("ResizeNearestNeighbor",
           lambda x: sm.image.resize_nearest_neighbor(x, [5, 3], align_corners=True),
           [f64(1, 3, 4, 1)], lambda x: _nearest(x, 5, 3, align=True), label="align_corners"),
    Sample("ResizeNearestNeighbor",
           lambda x: sm.image.resize_nearest_neighbor(x, [4, 3], half_pixel_centers=True),
           [f64(1, 6, 5, 2)], lambda x: _nearest(x, 4, 3, half=True),
           label="down, half_pixel_centers"),
    Sample("ResizeNearestNeighbor", lambda x: sm.image.resize_nearest_neighbor(x, [4, 2]),
           [i32(1, 2, 3, 1)], lambda x: _nearest(x, 4, 2), label="int32 stays int32"),
)

# --- ResizeBicubic, ResizeArea ------------------------------------------------------------------

_add(
    Sample("ResizeBicubic", lambda x: sm.image.resize_bicubic(x, [6, 9]), [f32(1, 4, 5, 2)],
           check=_shaped((1, 6, 9, 2)), grad_check=False, label="legacy"),
    Sample("ResizeBicubic", lambda x: sm.image.resize_bicubic(x, [6, 9], align_corners=True),
           [f32(1, 4, 5, 1)], check=_shaped((1, 6, 9, 1)),
           grad_check=False, label="align_corners"),
    Sample("ResizeBicubic",
           lambda x: sm.image.resize_bicubic(x, [3, 7], half_pixel_centers=True),
           [f32(2, 5, 4, 1)], check=_shaped((2, 3, 7, 1)),
           grad_check=False, label="half_pixel_centers"),
    Sample("ResizeBicubic", lambda x: sm.image.resize_bicubic(x, [7, 3]), [_FLAT],
           check=_constant_stays(7, 3), grad_check=False,
           label="constant image, legacy"),
    Sample("ResizeBicubic",
           lambda x: sm.image.resize_bicubic(x, [7, 3], half_pixel_centers=True), [_FLAT],
           check=_constant_stays(7, 3), grad_check=False,
           label="constant image, half_pixel_centers"),
    Sample("ResizeBicubic", lambda x: sm.image.resize_bicubic(x, [3, 4]),
           [f64(1, 2, 3, 1) * _TINY], check=_shaped((1, 3, 4, 1)), label="gradient, legacy"),
    Sample("ResizeBicubic",
           lambda x: sm.image.resize_bicubic(x, [4, 2], half_pixel_centers=True),
           [f64(1, 3, 3, 1) * _TINY], check=_shaped((1, 4, 2, 1)), label="gradient, half_pixel"),
    Sample("ResizeArea", lambda x: sm.image.resize_area(x, [2, 3]), [f32(1, 4, 6, 2)],
           lambda x: x.reshape(1, 2, 2, 3, 2, 2).mean(axis=(2, 4)), rtol=1e-5,
           label="whole blocks: their means"),
    Sample("ResizeArea", lambda x: sm.image.resize_area(x, [3, 4]), [f32(2, 5, 6, 1)],
           check=_shaped((2, 3, 4, 1)), label="partial cells"),
    Sample("ResizeArea", lambda x: sm.image.resize_area(x, [5, 7], align_corners=True),
           [i32(1, 3, 4, 1)], check=_shaped((1, 5, 7, 1)),
           label="up, align_corners, int32"),
    Sample("ResizeArea", lambda x: sm.image.resize_area(x, [7, 3]), [_FLAT],
           check=_constant_stays(7, 3), label="constant image"),
)

# --- the gradient ops, as the gradient rules build them ---------------------------------------

_FLAGS = {"align_corners": False, "half_pixel_centers": False}
_HALF = {"align_corners": False, "half_pixel_centers": True}

_add(
    Sample("ResizeBilinearGrad",
           lambda g, x: apply_op("ResizeBilinearGrad", [g, x], _FLAGS).outputs[0],
           [f32(2, 5, 7, 2), f32(2, 3, 4, 2)], check=_shaped((2, 3, 4, 2)),
           label="legacy"),
    Sample("ResizeBilinearGrad",
           lambda g, x: apply_op("ResizeBilinearGrad", [g, x], _HALF).outputs[0],
           [f32(1, 2, 3, 1), f64(1, 5, 4, 1)], check=_shaped((1, 5, 4, 1), np.float64),
           label="half_pixel_centers, float64 image"),
    Sample("ResizeBicubicGrad",
           lambda g, x: apply_op("ResizeBicubicGrad", [g, x], _FLAGS).outputs[0],
           [f32(1, 6, 7, 2), f32(1, 4, 5, 2)], check=_shaped((1, 4, 5, 2)),
           label="legacy"),
    Sample("ResizeBicubicGrad",
           lambda g, x: apply_op("ResizeBicubicGrad", [g, x], _HALF).outputs[0],
           [f32(1, 3, 2, 1), f32(1, 5, 4, 1)], check=_shaped((1, 5, 4, 1)),
           label="half_pixel_centers"),
    Sample("ResizeNearestNeighborGrad",
           lambda g: apply_op("ResizeNearestNeighborGrad",
                              [g, np.array([3, 4], np.int32)], _FLAGS).outputs[0],
           [f32(2, 5, 7, 1)], check=_shaped((2, 3, 4, 1)), label="legacy"),
    Sample("ResizeNearestNeighborGrad",
           lambda g: apply_op("ResizeNearestNeighborGrad",
                              [g, np.array([5, 4], np.int32)], _HALF).outputs[0],
           [f64(1, 3, 2, 2)], check=_shaped((1, 5, 4, 2), np.float64),
           label="half_pixel_centers"),
)

# --- AdjustContrastv2, SpaceToDepth, DepthToSpace ---------------------------------------------


def _contrast(x: np.ndarray, factor: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=(-3, -2), keepdims=True)
    return ((x - mean) * factor + mean).astype(x.dtype)


def _space_to_depth(x: np.ndarray, block: int) -> np.ndarray:
    batch, height, width, depth = x.shape
    out = np.zeros((batch, height // block, width // block, block * block * depth), x.dtype)
    for i in range(height):
        for j in range(width):
            channel = ((i % block) * block + j % block) * depth
            out[:, i // block, j // block, channel:channel + depth] = x[:, i, j]
    return out


def _depth_to_space(x: np.ndarray, block: int) -> np.ndarray:
    batch, height, width, depth = x.shape
    inner = depth // (block * block)
    out = np.zeros((batch, height * block, width * block, inner), x.dtype)
    for i in range(height * block):
        for j in range(width * block):
            channel = ((i % block) * block + j % block) * inner
            out[:, i, j] = x[:, i // block, j // block, channel:channel + inner]
    return out


_add(
    Sample("AdjustContrastv2",
           lambda x, f: apply_op("AdjustContrastv2", [x, f]).outputs[0],
           [f32(2, 3, 4, 3), np.array(1.7, np.float32)], _contrast, rtol=1e-5, atol=1e-5),
    Sample("AdjustContrastv2",
           lambda x, f: apply_op("AdjustContrastv2", [x, f]).outputs[0],
           [f32(3, 2, 1), np.array(-0.5, np.float32)], _contrast, rtol=1e-5, atol=1e-5,
           label="one image"),
    Sample("SpaceToDepth", lambda x: sm.space_to_depth(x, 2), [f64(2, 4, 6, 3)],
           lambda x: _space_to_depth(x, 2)),
    Sample("SpaceToDepth", lambda x: sm.nn.space_to_depth(x, 3), [i32(1, 3, 6, 2)],
           lambda x: _space_to_depth(x, 3), label="int32, block 3"),
    Sample("DepthToSpace", lambda x: sm.depth_to_space(x, 2), [f64(2, 2, 3, 8)],
           lambda x: _depth_to_space(x, 2)),
    Sample("DepthToSpace", lambda x: sm.nn.depth_to_space(x, 3), [i32(1, 2, 1, 9)],
           lambda x: _depth_to_space(x, 3), label="int32, block 3"),
)
