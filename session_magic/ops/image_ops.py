"""Op blocks for images: ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic, ResizeArea (with
the gradient ops TF has), AdjustContrastv2, SpaceToDepth and DepthToSpace; and `random_crop`.

Every resize is separable: each output row is a fixed weighted sum of input rows, and each
column of columns. A kernel builds the two weight matrices from TF's sampling rules (its
float32 coordinates, its bicubic coefficient table) and applies them with two tensordots; the
gradient ops apply the transposed matrices.
"""
from __future__ import annotations

from typing import Any, Callable, Final, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Tensor
from .array_ops import shape as shape_of
from .array_ops import slice as slice_
from .common import FLOATS, bool_arg, check_dtype, count_arg, single
from .constant_ops import make_constant
from .control_flow_ops import with_dependencies
from .conversion import convert_to_tensor
from .known import constant_value
from .math_ops import add, floormod, greater_equal, reduce_all, subtract
from .random_ops import random_uniform
from .registry import (NO_GRADIENT_REGISTERED, NOT_DIFFERENTIABLE, ShapeError, apply_op,
                       op_scope, register)
from .script_ops import Assert

__all__ = ["space_to_depth", "depth_to_space", "random_crop"]

_RESIZE_INPUTS: Final = (d.int8, d.uint8, d.int16, d.uint16, d.int32, d.int64, d.float16,
                         d.float32, d.float64)
_TABLE_SIZE: Final = 1024


# --- sampling weights along one axis (TF's image_resizer_state.h and resize_*_op.cc) --------

def _scale(in_size: int, out_size: int, align_corners: bool) -> np.float32:
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def _positions(out_size: int, scale: np.float32, half_pixel: bool, shift: float) -> np.ndarray:
    """Input coordinates of the output samples, in float32 as TF computes them: `i * scale`, or
    `(i + 0.5) * scale - shift` with half-pixel centers."""
    index = np.arange(out_size, dtype=np.float32)
    if not half_pixel:
        return index * scale
    return (index + np.float32(0.5)) * scale - np.float32(shift)


def _bilinear_taps(in_size: int, out_size: int, align: bool, half: bool) -> list:
    """[(input index, float32 weight)] for the two neighbours of each output sample."""
    where = _positions(out_size, _scale(in_size, out_size, align), half, 0.5)
    floor = np.floor(where)
    lower = np.maximum(floor, 0).astype(int)
    upper = np.minimum(np.ceil(where), in_size - 1).astype(int)
    lerp = where - floor
    return [(lower, np.float32(1) - lerp), (upper, lerp)]


def _bilinear_weights(in_size: int, out_size: int, align: bool, half: bool) -> np.ndarray:
    weights = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    for index, weight in _bilinear_taps(in_size, out_size, align, half):
        np.add.at(weights, (rows, index), weight)
    return weights


def _nearest_indices(in_size: int, out_size: int, align: bool, half: bool) -> np.ndarray:
    # NOTE: nearest neighbour's half-pixel coordinate is (i + 0.5) * scale, without the - 0.5.
    where = _positions(out_size, _scale(in_size, out_size, align), half, 0.0).astype(np.float64)
    index = np.floor(where + 0.5) if align else np.floor(where)  # NOTE: C's roundf, where >= 0
    return np.clip(index, 0, in_size - 1).astype(int)


def _nearest_weights(in_size: int, out_size: int, align: bool, half: bool) -> np.ndarray:
    weights = np.zeros((out_size, in_size))
    weights[np.arange(out_size), _nearest_indices(in_size, out_size, align, half)] = 1
    return weights


def _cubic_table(a: float) -> np.ndarray:
    """TF's table of Keys' cubic coefficients: [i, 0] for distance i/1024, [i, 1] for 1 + i/1024."""
    x = np.arange(_TABLE_SIZE + 1, dtype=np.float64) / _TABLE_SIZE
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a
    return np.stack([near, far], axis=1).astype(np.float32).astype(np.float64)


def _bicubic_weights(in_size: int, out_size: int, align: bool, half: bool) -> np.ndarray:
    """NOTE: TF quantizes the fractional position to 1/1024. With half-pixel centers it uses
    Keys' a = -0.5 and drops taps outside the image, renormalizing; else a = -0.75 and clamps."""
    table = _cubic_table(-0.5 if half else -0.75)
    where = _positions(out_size, _scale(in_size, out_size, align), half, 0.5)
    start = np.floor(where)
    offset = np.rint((where - start) * np.float32(_TABLE_SIZE)).astype(int)
    start = start.astype(int)
    taps = [table[offset, 1], table[offset, 0], table[_TABLE_SIZE - offset, 0],
            table[_TABLE_SIZE - offset, 1]]
    weights = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    for k, tap in enumerate(taps):
        index = start - 1 + k
        bounded = np.clip(index, 0, in_size - 1)
        np.add.at(weights, (rows, bounded), np.where(bounded == index, tap, 0) if half else tap)
    if half:
        weights /= weights.sum(axis=1, keepdims=True)
    return weights


def _area_weights(in_size: int, out_size: int, align: bool, half: bool) -> np.ndarray:
    """Each output cell averages the input cells it covers, partly covered ones by their share."""
    scale = np.float64(_scale(in_size, out_size, align))
    low = np.arange(out_size) * scale
    high = (np.arange(out_size) + 1) * scale
    weights = np.zeros((out_size, in_size))
    for row in range(out_size):
        for cell in range(int(np.floor(low[row])), int(np.ceil(high[row]))):
            share = min(cell + 1, high[row]) - max(cell, low[row])
            weights[row, min(max(cell, 0), in_size - 1)] += share / scale
    return weights


# --- the resize ops ----------------------------------------------------------------------------

def _size_dims(size: Tensor) -> tuple:
    check_dtype(size, (d.int32,), "size")
    if size._dims is not None and len(size._dims) != 1:
        raise ShapeError(f"Shape must be rank 1 but is rank {len(size._dims)}")
    if size._dims is not None and size._dims[0] not in (None, 2):
        raise ShapeError(f"Dimension must be 2 but is {size._dims[0]}")
    known = constant_value(size)
    return (None, None) if known is None else tuple(int(n) for n in known)


def _images_dims(images: Tensor) -> tuple:
    if images._dims is None:
        return (None,) * 4
    if len(images._dims) != 4:
        raise ShapeError(f"Shape must be rank 4 but is rank {len(images._dims)}")
    return images._dims


def _resize_infer(out_dtype: Optional[d.DType]) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        images, size = inputs
        dtype = check_dtype(images, _RESIZE_INPUTS, "images")
        batch, _, _, channels = _images_dims(images)
        return [(out_dtype or dtype, (batch, *_size_dims(size), channels))]
    return infer


def _checked_size(images: np.ndarray, size: Any) -> tuple:
    if images.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional, got shape "
                                          f"{list(images.shape)}")
    height, width = (int(n) for n in np.asarray(size).reshape(-1))
    if height <= 0 or width <= 0:
        raise errors.InvalidArgumentError(None, None, "output dimensions must be positive, got "
                                          f"[{height}, {width}]")
    if images.shape[1] == 0 or images.shape[2] == 0:
        raise errors.InvalidArgumentError(None, None, "input image must be of non-zero size")
    return height, width


def _taps(weights: np.ndarray) -> tuple:
    """A weight matrix as taps: output i is the sum over k of weight[i, k] * input[index[i, k]],
    the nonzero entries of each row padded with zero weights (2 for bilinear, 4 for bicubic)."""
    count = max(int((weights != 0).sum(axis=1).max(initial=0)), 1)
    index = np.argsort(weights == 0, axis=1, kind="stable")[:, :count]
    return index, np.take_along_axis(weights, index, axis=1)


def _mix(x: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    """`weights` applied along `axis` of `x`: gathers, not a dense matrix product, so the work
    grows with the taps, not with the input size."""
    index, weight = _taps(weights.astype(x.dtype))
    shape = [1] * x.ndim
    shape[axis] = -1
    out = np.take(x, index[:, 0], axis=axis) * weight[:, 0].reshape(shape)
    for k in range(1, index.shape[1]):
        out += np.take(x, index[:, k], axis=axis) * weight[:, k].reshape(shape)
    return out


def _apply(images: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """out[b, i, j, c] = sum over p, q of rows[i, p] * columns[j, q] * images[b, p, q, c]."""
    return _mix(_mix(images, rows, 1), columns, 2)


def _working_type(dtype: np.dtype) -> type:
    """NOTE: TF's resize kernels compute in float32; float64 keeps int64 and float64 exact."""
    return np.float32 if dtype in (np.float16, np.float32, np.uint8, np.int8) else np.float64


def _resize_kernel(weights: Callable, out_type: Any) -> Callable:
    def kernel(op: Any) -> Callable:
        align = op._attrs["align_corners"]
        half = op._attrs.get("half_pixel_centers", False)
        numpy_type = out_type or op._outputs[0]._dtype.as_numpy_dtype

        def resize(images: Any, size: Any) -> np.ndarray:
            images = np.asarray(images)
            height, width = _checked_size(images, size)
            rows = weights(images.shape[1], height, align, half)
            columns = weights(images.shape[2], width, align, half)
            working = images.astype(_working_type(images.dtype))
            return _apply(working, rows, columns).astype(numpy_type)
        return resize
    return kernel


def _nearest_kernel(op: Any) -> Callable:
    align, half = op._attrs["align_corners"], op._attrs["half_pixel_centers"]

    def resize(images: Any, size: Any) -> np.ndarray:
        images = np.asarray(images)
        height, width = _checked_size(images, size)
        rows = _nearest_indices(images.shape[1], height, align, half)
        columns = _nearest_indices(images.shape[2], width, align, half)
        return images[:, rows][:, :, columns]
    return resize


def _resize_grad_kernel(weights: Callable) -> Callable:
    """grads [b, h, w, c] back onto the original image's [b, H, W, c]: the transposed weights."""
    def kernel(op: Any) -> Callable:
        align = op._attrs["align_corners"]
        half = op._attrs["half_pixel_centers"]
        numpy_type = op._outputs[0]._dtype.as_numpy_dtype

        def backward(grads: Any, original: Any) -> np.ndarray:
            grads = np.asarray(grads, dtype=np.float64)
            height, width = np.shape(original)[1:3]
            rows = weights(height, grads.shape[1], align, half)
            columns = weights(width, grads.shape[2], align, half)
            return _apply(grads, rows.T, columns.T).astype(numpy_type)
        return backward
    return kernel


def _bilinear_grad_kernel(op: Any) -> Callable:
    """NOTE: as TF's kernel, each share of a gradient is a float32 product, summed in the
    image's dtype; the matrix form would differ from TF in float64 by float32 rounding."""
    align, half = op._attrs["align_corners"], op._attrs["half_pixel_centers"]
    numpy_type = op._outputs[0]._dtype.as_numpy_dtype

    def backward(grads: Any, original: Any) -> np.ndarray:
        grads = np.asarray(grads, dtype=np.float32)
        batch, height, width, channels = np.shape(original)
        total = np.zeros((batch, height, width, channels), np.result_type(numpy_type, np.float32))
        rows = _bilinear_taps(height, grads.shape[1], align, half)
        columns = _bilinear_taps(width, grads.shape[2], align, half)
        for row, row_weight in rows:
            for column, column_weight in columns:
                share = grads * row_weight[:, None, None] * column_weight[None, :, None]
                total += _apply(share.astype(total.dtype), _one_hot(row, height).T,
                                _one_hot(column, width).T)
        return total.astype(numpy_type)
    return backward


def _one_hot(index: np.ndarray, size: int) -> np.ndarray:
    return np.eye(size)[index]


def _nearest_grad_kernel(op: Any) -> Callable:
    backward = _resize_grad_kernel(_nearest_weights)(op)
    return lambda grads, size: backward(grads, np.empty((0, *np.asarray(size).reshape(-1))))


def _resize_grad_infer(allowed: tuple) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        grads, original = inputs
        check_dtype(grads, (d.float32,), "grads")
        dtype = check_dtype(original, allowed, "original_image")
        _images_dims(grads)
        return [(dtype, _images_dims(original))]
    return infer


def _nearest_grad_infer(inputs: list, attrs: dict) -> list:
    grads, size = inputs
    dtype = check_dtype(grads, (d.uint8, d.int8, d.int32, d.float16, d.float32, d.float64),
                        "grads")
    batch, _, _, channels = _images_dims(grads)
    return [(dtype, (batch, *_size_dims(size), channels))]


def _resize_attrs(op: Any) -> dict:
    return {"align_corners": op._attrs["align_corners"],
            "half_pixel_centers": op._attrs["half_pixel_centers"]}


def _bilinear_grad(op: Any, g: Tensor) -> list:
    return [single(apply_op("ResizeBilinearGrad", [g, op.inputs[0]], _resize_attrs(op))), None]


def _bicubic_grad(op: Any, g: Tensor) -> list:
    if op.inputs[0].dtype not in (d.float32, d.float64):  # NOTE: TF differentiates floats only
        return [None, None]
    return [single(apply_op("ResizeBicubicGrad", [g, op.inputs[0]], _resize_attrs(op))), None]


def _nearest_grad(op: Any, g: Tensor) -> list:
    image = op.inputs[0]
    dims = image._dims
    if dims is not None and None not in dims[1:3]:
        size = make_constant(list(dims[1:3]), d.int32)
    else:
        size = shape_of(image)[1:3]
    return [single(apply_op("ResizeNearestNeighborGrad", [g, size], _resize_attrs(op))), None]


register("ResizeBilinear", _resize_infer(d.float32),
         _resize_kernel(_bilinear_weights, np.float32), grad=_bilinear_grad)
register("ResizeBicubic", _resize_infer(d.float32),
         _resize_kernel(_bicubic_weights, np.float32), grad=_bicubic_grad)
register("ResizeArea", _resize_infer(d.float32), _resize_kernel(_area_weights, np.float32),
         grad=NO_GRADIENT_REGISTERED)
register("ResizeNearestNeighbor", _resize_infer(None), _nearest_kernel, grad=_nearest_grad)
register("ResizeBilinearGrad", _resize_grad_infer(FLOATS), _bilinear_grad_kernel,
         grad=NOT_DIFFERENTIABLE)
register("ResizeBicubicGrad", _resize_grad_infer((d.float32, d.float64)),
         _resize_grad_kernel(_bicubic_weights), grad=NO_GRADIENT_REGISTERED)
register("ResizeNearestNeighborGrad", _nearest_grad_infer, _nearest_grad_kernel,
         grad=NO_GRADIENT_REGISTERED)


def _resize_op(op_type: str, images: Any, size: Any, align_corners: bool, half_pixel: bool,
               name: Optional[str]) -> Tensor:
    images = convert_to_tensor(images, name="images")
    attrs = {"align_corners": bool_arg(align_corners, "align_corners")}
    if op_type != "ResizeArea":
        attrs["half_pixel_centers"] = bool_arg(half_pixel, "half_pixel_centers")
    with op_scope(name, op_type, [images, size]) as scope:
        size = convert_to_tensor(size, d.int32, name="size")
        return single(apply_op(op_type, [images, size], attrs, scope))


def resize_bilinear(images: Any, size: Any, align_corners: bool = False,
                    name: Optional[str] = None, half_pixel_centers: bool = False) -> Tensor:
    """`images` [batch, height, width, channels] resized to `size` by bilinear interpolation
    (a float32 result)."""
    return _resize_op("ResizeBilinear", images, size, align_corners, half_pixel_centers, name)


def resize_nearest_neighbor(images: Any, size: Any, align_corners: bool = False,
                            name: Optional[str] = None,
                            half_pixel_centers: bool = False) -> Tensor:
    """`images` resized to `size` by picking the nearest pixel (the dtype of `images`)."""
    return _resize_op("ResizeNearestNeighbor", images, size, align_corners, half_pixel_centers,
                      name)


def resize_bicubic(images: Any, size: Any, align_corners: bool = False,
                   name: Optional[str] = None, half_pixel_centers: bool = False) -> Tensor:
    """`images` resized to `size` by bicubic interpolation (a float32 result)."""
    return _resize_op("ResizeBicubic", images, size, align_corners, half_pixel_centers, name)


def resize_area(images: Any, size: Any, align_corners: bool = False,
                name: Optional[str] = None) -> Tensor:
    """`images` resized to `size` by averaging the area each output pixel covers (float32)."""
    return _resize_op("ResizeArea", images, size, align_corners, False, name)


# --- AdjustContrastv2 ----------------------------------------------------------------------------

def _adjust_contrast_infer(inputs: list, attrs: dict) -> list:
    images, factor = inputs
    dtype = check_dtype(images, (d.float16, d.float32), "images")
    check_dtype(factor, (d.float32,), "contrast_factor")
    if images._dims is not None and len(images._dims) < 3:
        raise ShapeError(f"Shape must be at least rank 3 but is rank {len(images._dims)}")
    if factor._dims is not None and len(factor._dims) != 0:
        raise ShapeError(f"Shape must be rank 0 but is rank {len(factor._dims)}")
    return [(dtype, images._dims)]


def _adjust_contrast(images: Any, factor: Any) -> np.ndarray:
    """Each channel's pixels moved from their mean by `factor`, computed in float32."""
    images = np.asarray(images)
    values = images.astype(np.float32)
    mean = values.mean(axis=(-3, -2), keepdims=True, dtype=np.float32)
    return ((values - mean) * np.float32(factor) + mean).astype(images.dtype)


register("AdjustContrastv2", _adjust_contrast_infer, lambda op: _adjust_contrast,
         grad=NO_GRADIENT_REGISTERED)


def adjust_contrastv2(images: Any, contrast_factor: Any, name: Optional[str] = None) -> Tensor:
    return single(apply_op("AdjustContrastv2", [images, contrast_factor], name=name,
                           arg_names=("images", "contrast_factor"), dtype=d.float32))


# --- SpaceToDepth, DepthToSpace ------------------------------------------------------------------

def _block_infer(to_depth: bool) -> Callable:
    def infer(inputs: list, attrs: dict) -> list:
        block = attrs["block_size"]
        dims = _images_dims(inputs[0])
        batch, height, width, depth = dims
        if attrs["data_format"] == "NCHW":
            batch, depth, height, width = dims
        if to_depth:
            height, width = (_divided(n, block) for n in (height, width))
            depth = None if depth is None else depth * block * block
        else:
            depth = _divided(depth, block * block)
            height, width = (None if n is None else n * block for n in (height, width))
        if attrs["data_format"] == "NCHW":
            return [(inputs[0]._dtype, (batch, depth, height, width))]
        return [(inputs[0]._dtype, (batch, height, width, depth))]
    return infer


def _divided(size: Optional[int], block: int) -> Optional[int]:
    if size is None:
        return None
    if size % block:
        raise ShapeError(f"Dimension size must be evenly divisible by {block} but is {size}")
    return size // block


def _space_to_depth(x: np.ndarray, block: int) -> np.ndarray:
    batch, height, width, depth = x.shape
    blocks = x.reshape(batch, height // block, block, width // block, block, depth)
    return blocks.transpose(0, 1, 3, 2, 4, 5).reshape(batch, height // block, width // block,
                                                      block * block * depth)


def _depth_to_space(x: np.ndarray, block: int) -> np.ndarray:
    batch, height, width, depth = x.shape
    blocks = x.reshape(batch, height, width, block, block, depth // (block * block))
    return blocks.transpose(0, 1, 3, 2, 4, 5).reshape(batch, height * block, width * block,
                                                      depth // (block * block))


def _block_kernel(to_depth: bool) -> Callable:
    def kernel(op: Any) -> Callable:
        block, channels_first = op._attrs["block_size"], op._attrs["data_format"] == "NCHW"

        def rearrange(x: Any) -> np.ndarray:
            x = np.asarray(x)
            if x.ndim != 4:
                raise errors.InvalidArgumentError(None, None, "Input rank should be: 4 instead "
                                                  f"of: {x.ndim}")
            if channels_first:
                x = x.transpose(0, 2, 3, 1)
            _check_divisible(x.shape, block, to_depth)
            out = _space_to_depth(x, block) if to_depth else _depth_to_space(x, block)
            return out.transpose(0, 3, 1, 2) if channels_first else out
        return rearrange
    return kernel


def _check_divisible(shape: tuple, block: int, to_depth: bool) -> None:
    sizes, divisor = ((shape[1], shape[2]), block) if to_depth else ((shape[3],), block * block)
    for size in sizes:
        if size % divisor:
            what = "Image width and height" if to_depth else "Input depth dimension"
            raise errors.InvalidArgumentError(None, None, f"{what} ({size}) should be divisible "
                                              f"by: {divisor}")


def _space_to_depth_grad(op: Any, g: Tensor) -> list:
    return [depth_to_space(g, op._attrs["block_size"], data_format=op._attrs["data_format"])]


def _depth_to_space_grad(op: Any, g: Tensor) -> list:
    return [space_to_depth(g, op._attrs["block_size"], data_format=op._attrs["data_format"])]


register("SpaceToDepth", _block_infer(True), _block_kernel(True), grad=_space_to_depth_grad)
register("DepthToSpace", _block_infer(False), _block_kernel(False), grad=_depth_to_space_grad)


def _block_op(op_type: str, input: Any, block_size: int, name: Optional[str],  # noqa: A002
              data_format: str) -> Tensor:
    block_size = count_arg(block_size, "block_size", op_type, 2)
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}")
    attrs = {"block_size": block_size, "data_format": data_format}
    return single(apply_op(op_type, [input], attrs, name, arg_names=("input",)))


def space_to_depth(input: Any, block_size: int, name: Optional[str] = None,  # noqa: A002
                   data_format: str = "NHWC") -> Tensor:
    """Each block_size x block_size block of pixels moved into the depth dimension."""
    return _block_op("SpaceToDepth", input, block_size, name, data_format)


def depth_to_space(input: Any, block_size: int, name: Optional[str] = None,  # noqa: A002
                   data_format: str = "NHWC") -> Tensor:
    """The inverse of `space_to_depth`: depth spread over block_size x block_size blocks."""
    return _block_op("DepthToSpace", input, block_size, name, data_format)


# --- random_crop ---------------------------------------------------------------------------------

def random_crop(value: Any, size: Any, seed: Optional[int] = None,
                name: Optional[str] = None) -> Tensor:
    """A slice of `value` of shape `size` at a uniformly random offset (as TF builds it)."""
    with op_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, d.int32, name="size")
        shape = shape_of(value)
        check = Assert(reduce_all(greater_equal(shape, size)),
                       ["Need value.shape >= size, got ", shape, size], summarize=1000)
        shape = with_dependencies([check], shape)
        limit = add(subtract(shape, size), 1)
        offset = floormod(random_uniform(shape_of(shape), dtype=d.int32, maxval=d.int32.max,
                                         seed=seed), limit)
        return slice_(value, offset, size, name=scope)

