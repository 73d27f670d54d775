"""`sm.image`: TF 1's `tf.image` (`tf.compat.v1.image`), built from ops as TF builds them: resizing,
flips, rotations, crops and pads, dtype conversion, colour and brightness adjustments.

Images are [height, width, channels] or batches [batch, height, width, channels]. Checks TF makes
with runtime asserts are made here while building when the shapes are known, as TF's ValueError.
"""
from __future__ import annotations

from typing import Any, Final, Optional

import numpy as np

from . import dtypes as d
from .graph import Tensor
from .ops import array_ops as array
from .ops import math_ops as math
from .ops.constant_ops import identity
from .ops.conversion import convert_to_tensor
from .ops.functional import cond
from .ops.image_ops import (adjust_contrastv2, random_crop, resize_area, resize_bicubic,  # noqa: F401
                            resize_bilinear, resize_nearest_neighbor)
from .ops.known import constant_value
from .ops.random_ops import random_uniform
from .ops.registry import op_scope
from .ops.special_ops import reduce_std

__all__ = ["ResizeMethod", "resize_images", "resize", "resize_bilinear", "resize_nearest_neighbor",
           "resize_bicubic", "resize_area", "flip_left_right", "flip_up_down",
           "random_flip_left_right", "random_flip_up_down", "transpose_image", "transpose",
           "rot90", "per_image_standardization", "central_crop", "crop_to_bounding_box",
           "pad_to_bounding_box", "resize_image_with_crop_or_pad", "resize_with_crop_or_pad",
           "convert_image_dtype", "rgb_to_grayscale", "grayscale_to_rgb", "adjust_brightness",
           "adjust_contrast", "random_brightness", "random_contrast", "total_variation",
           "random_crop"]


class ResizeMethod:
    """TF 1's resize methods; `resize_images` also takes the TF 2 names ('bilinear', ...)."""
    BILINEAR: Final = 0
    NEAREST_NEIGHBOR: Final = 1
    BICUBIC: Final = 2
    AREA: Final = 3


_RESIZERS: Final = {ResizeMethod.BILINEAR: resize_bilinear, "bilinear": resize_bilinear,
                    ResizeMethod.NEAREST_NEIGHBOR: resize_nearest_neighbor,
                    "nearest": resize_nearest_neighbor,
                    ResizeMethod.BICUBIC: resize_bicubic, "bicubic": resize_bicubic,
                    ResizeMethod.AREA: resize_area, "area": resize_area}


def _static_dims(image: Tensor) -> Optional[list]:
    return None if image._dims is None else list(image._dims)


def _as_batch(image: Tensor, what: str = "image") -> tuple:
    """A 4-D view of a 3-D or 4-D image and whether it was a batch."""
    dims = _static_dims(image)
    if dims is None:
        raise ValueError(f"'{what}' contains no shape.")
    if len(dims) == 3:
        return array.expand_dims(image, 0), False
    if len(dims) != 4:
        raise ValueError(f"'{what}' (shape {image.shape}) must have either 3 or 4 dimensions.")
    return image, True


def _unbatched(image: Tensor, is_batch: bool) -> Tensor:
    return image if is_batch else array.squeeze(image, axis=[0])


# --- resizing -------------------------------------------------------------------------------------

def resize_images(images: Any, size: Any, method: Any = ResizeMethod.BILINEAR,
                  align_corners: bool = False, preserve_aspect_ratio: bool = False,
                  name: Optional[str] = None) -> Tensor:
    """`images` (3-D or 4-D) resized to `size` = [new_height, new_width] by `method`.

    NOTE: as TF 1, half-pixel centers are off for every method (TF 2's `tf.image.resize` turns
    them on), and a resize to the image's own known size returns the images unchanged.
    """
    resizer = _RESIZERS.get(method) if isinstance(method, (int, np.integer, str)) else None
    if resizer is None:
        raise ValueError(f"Resize method is not implemented: {method}")
    with op_scope(name, "resize", [images, size]):
        images, is_batch = _as_batch(convert_to_tensor(images, name="images"), "images")
        size = _size_tensor(size)
        if preserve_aspect_ratio:
            size = _aspect_preserving_size(images, size)
        new_size = constant_value(size)
        new_size = [None, None] if new_size is None else [int(n) for n in new_size]
        if new_size == list(images._dims[1:3]) and None not in new_size:
            return _unbatched(images, is_batch)
        resized = resizer(images, size, align_corners=align_corners)
        resized.set_shape([None, *new_size, None])
        return _unbatched(resized, is_batch)


def _size_tensor(size: Any) -> Tensor:
    try:
        size = convert_to_tensor(size, d.int32, name="size")
    except (TypeError, ValueError):
        raise ValueError("'size' must be a 1-D int32 Tensor") from None
    if size._dims is not None and (len(size._dims) != 1 or size._dims[0] not in (None, 2)):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    return size


def _aspect_preserving_size(images: Tensor, size: Tensor) -> Tensor:
    """NOTE: TF's shape inference folds this computation when the sizes are known; so do we."""
    known, dims = constant_value(size), images._dims[1:3]
    if known is not None and None not in dims:
        height, width = (np.float32(n) for n in dims)
        factor = min(np.float32(known[0]) / height, np.float32(known[1]) / width)
        scaled = [int(np.round(factor * n)) for n in (height, width)]
        return convert_to_tensor(scaled, d.int32, name="size")
    height, width = (math.cast(n, d.float32) for n in _image_dims(images)[1:3])
    factor = math.minimum(math.cast(size[0], d.float32) / height,
                          math.cast(size[1], d.float32) / width)
    scaled = [math.cast(math.round(factor * n), d.int32) for n in (height, width)]
    return convert_to_tensor(array.stack(scaled), d.int32, name="size")


def _image_dims(image: Tensor) -> list:
    """Each dim as a Python int where known, else as a scalar tensor (TF's _ImageDimensions)."""
    dims = _static_dims(image)
    dynamic = array.shape(image)
    return [n if n is not None else dynamic[i] for i, n in enumerate(dims)]


resize = resize_images


# --- flips and rotations -------------------------------------------------------------------------

def _checked_image(image: Any) -> Tensor:
    image = convert_to_tensor(image, name="image")
    dims = _static_dims(image)
    if dims is not None and len(dims) < 3:
        raise ValueError(f"'image' (shape {image.shape}) must be at least three-dimensional.")
    return image


def _flip(image: Any, axis: int, scope_name: str) -> Tensor:
    with op_scope(None, scope_name, [image]):
        image = _checked_image(image)
        return array.reverse(image, [axis + _rank_3_or_4(image) - 3])


def flip_left_right(image: Any) -> Tensor:
    """Each image mirrored left to right."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image: Any) -> Tensor:
    """Each image mirrored top to bottom."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image: Any, axis: int, seed: Optional[int], scope_name: str) -> Tensor:
    with op_scope(None, scope_name, [image]) as scope:
        image, is_batch = _as_batch(_checked_image(image))
        if not is_batch:
            mirror = math.less(random_uniform([], 0, 1.0, seed=seed), 0.5)
            return cond(mirror, lambda: array.reverse(image[0], [axis]), lambda: image[0],
                        name=scope)
        batch = array.shape(image)[0]
        draws = random_uniform(array.stack([batch]), 0, 1.0, seed=seed)
        flips = math.cast(math.round(array.reshape(draws, array.stack([batch, 1, 1, 1]))),
                          image.dtype)
        return flips * array.reverse(image, [axis + 1]) + (1 - flips) * image


def random_flip_left_right(image: Any, seed: Optional[int] = None) -> Tensor:
    """Each image mirrored left to right with probability 1/2."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image: Any, seed: Optional[int] = None) -> Tensor:
    """Each image mirrored top to bottom with probability 1/2."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def _rank_3_or_4(image: Tensor) -> int:
    rank = None if image._dims is None else len(image._dims)
    if rank not in (3, 4):
        raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 dimensions.")
    return rank


def transpose_image(image: Any, name: Optional[str] = None) -> Tensor:
    """Height and width swapped."""
    with op_scope(name, "transpose", [image]):
        image = _checked_image(image)
        perm = [1, 0, 2] if _rank_3_or_4(image) == 3 else [0, 2, 1, 3]
        return array.transpose(image, perm, name="transpose")


transpose = transpose_image


def rot90(image: Any, k: Any = 1, name: Optional[str] = None) -> Tensor:
    """Each image rotated anticlockwise by k quarter turns."""
    with op_scope(name, "rot90", [image, k]):
        image = _checked_image(image)
        batch_axes = _rank_3_or_4(image) - 3
        turns = constant_value(convert_to_tensor(k, d.int32, name="k"))
        if turns is None:
            raise ValueError("rot90: k must be known while building the graph (a Python int or "
                             f"a constant); got {k!r}")
        return _rotated(image, int(turns) % 4, batch_axes)


def _rotated(image: Tensor, turns: int, batch_axes: int) -> Tensor:
    height, width = batch_axes, batch_axes + 1
    swap = [*range(batch_axes), width, height, width + 1]
    if turns == 1:
        return array.transpose(array.reverse(image, [width]), swap)
    if turns == 2:
        return array.reverse(image, [height, width])
    if turns == 3:
        return array.reverse(array.transpose(image, swap), [width])
    return image


# --- crops and pads ------------------------------------------------------------------------------

def _at_least(value: Any, minimum: int, message: str) -> None:
    if isinstance(value, Tensor):
        return
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{message.split(' ')[0]} must be an integer or an int32 tensor, got "
                        f"{value!r}")
    if value < minimum:
        raise ValueError(message)


def crop_to_bounding_box(image: Any, offset_height: Any, offset_width: Any, target_height: Any,
                         target_width: Any) -> Tensor:
    """The [target_height, target_width] window whose top-left corner is at the offsets."""
    with op_scope(None, "crop_to_bounding_box", [image]):
        image, is_batch = _as_batch(_checked_image(image))
        _, height, width, _ = _image_dims(image)
        _at_least(offset_width, 0, "offset_width must be >= 0.")
        _at_least(offset_height, 0, "offset_height must be >= 0.")
        _at_least(target_width, 1, "target_width must be > 0.")
        _at_least(target_height, 1, "target_height must be > 0.")
        _at_least(width - (target_width + offset_width), 0, "width must be >= target + offset.")
        _at_least(height - (target_height + offset_height), 0,
                  "height must be >= target + offset.")
        begin = array.stack([0, offset_height, offset_width, 0])
        size = array.stack([-1, target_height, target_width, -1])
        cropped = array.slice(image, begin, size)
        return _unbatched(_known_size(cropped, image, target_height, target_width), is_batch)


def pad_to_bounding_box(image: Any, offset_height: Any, offset_width: Any, target_height: Any,
                        target_width: Any) -> Tensor:
    """`image` placed at the offsets on a zero canvas of [target_height, target_width]."""
    with op_scope(None, "pad_to_bounding_box", [image]):
        image, is_batch = _as_batch(_checked_image(image))
        _, height, width, _ = _image_dims(image)
        after_width = target_width - offset_width - width
        after_height = target_height - offset_height - height
        _at_least(offset_height, 0, "offset_height must be >= 0")
        _at_least(offset_width, 0, "offset_width must be >= 0")
        _at_least(after_width, 0, "width must be <= target - offset")
        _at_least(after_height, 0, "height must be <= target - offset")
        paddings = [[0, 0], [offset_height, after_height], [offset_width, after_width], [0, 0]]
        if any(isinstance(n, Tensor) for n in (offset_height, after_height, offset_width,
                                               after_width)):
            paddings = array.reshape(array.stack([n for pair in paddings for n in pair]), [4, 2])
        padded = array.pad(image, paddings)
        return _unbatched(_known_size(padded, image, target_height, target_width), is_batch)


def _known_size(result: Tensor, image: Tensor, height: Any, width: Any) -> Tensor:
    """NOTE: TF sets the static shape of a crop or pad from the targets given as Python ints."""
    batch, _, _, depth = image._dims
    result.set_shape([batch, *(None if isinstance(n, Tensor) else n for n in (height, width)),
                      depth])
    return result


def resize_image_with_crop_or_pad(image: Any, target_height: Any, target_width: Any) -> Tensor:
    """`image` centrally cropped or zero-padded to [target_height, target_width]."""
    with op_scope(None, "resize_image_with_crop_or_pad", [image]):
        image, is_batch = _as_batch(_checked_image(image))
        _at_least(target_width, 1, "target_width must be > 0.")
        _at_least(target_height, 1, "target_height must be > 0.")
        _, height, width, _ = _image_dims(image)
        crop_height, pad_height = _centred(target_height - height)
        crop_width, pad_width = _centred(target_width - width)
        cropped = crop_to_bounding_box(image, crop_height, crop_width,
                                       _min(target_height, height), _min(target_width, width))
        padded = pad_to_bounding_box(cropped, pad_height, pad_width, target_height, target_width)
        return _unbatched(padded, is_batch)


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def _centred(difference: Any) -> tuple:
    """(crop offset, pad offset) for a target `difference` larger than the image."""
    if isinstance(difference, Tensor):
        return math.maximum(-difference // 2, 0), math.maximum(difference // 2, 0)
    return max(-difference // 2, 0), max(difference // 2, 0)


def _min(a: Any, b: Any) -> Any:
    return math.minimum(a, b) if isinstance(a, Tensor) or isinstance(b, Tensor) else min(a, b)


def central_crop(image: Any, central_fraction: float) -> Tensor:
    """The central `central_fraction` of each image's height and width."""
    with op_scope(None, "central_crop", [image]):
        image = _checked_image(image)
        if not isinstance(central_fraction, (int, float, np.integer, np.floating)) or \
                isinstance(central_fraction, bool):
            raise TypeError(f"central_fraction must be a number in (0, 1], got "
                            f"{central_fraction!r}")
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        batch = [0] if _rank_3_or_4(image) == 4 else []
        height, width = _image_dims(image)[-3:-1]
        top, left = (_central_start(n, central_fraction) for n in (height, width))
        return array.slice(image, array.stack([*batch, top, left, 0]),
                           array.stack([*[-1 for _ in batch], height - top * 2,
                                        width - left * 2, -1]))


def _central_start(size: Any, fraction: float) -> Any:
    if isinstance(size, Tensor):
        size = math.cast(size, d.float64)
        fraction = np.float64(np.float32(fraction))  # NOTE: TF casts the float32 constant
        return math.cast((size - size * fraction) / 2, d.int32)
    return int((float(size) - float(size) * fraction) / 2)


# --- values --------------------------------------------------------------------------------------

def per_image_standardization(image: Any) -> Tensor:
    """Each image scaled to mean 0 and variance 1: (x - mean) / max(stddev, 1/sqrt(N))."""
    with op_scope(None, "per_image_standardization", [image]) as scope:
        image = math.cast(_checked_image(image), d.float32)
        pixels = math.reduce_prod(array.shape(image)[-3:])
        mean = math.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        stddev = reduce_std(image, axis=[-1, -2, -3], keepdims=True)
        adjusted = math.maximum(stddev, math.rsqrt(math.cast(pixels, d.float32)))
        return math.divide(image - mean, adjusted, name=scope)


def convert_image_dtype(image: Any, dtype: Any, saturate: bool = False,
                        name: Optional[str] = None) -> Tensor:
    """`image` in `dtype`, rescaled: floats span [0, 1], integers [0, dtype.max]."""
    image = convert_to_tensor(image, name="image")
    dtype = d.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise AttributeError("dtype must be either floating point or integer")
    if not (image.dtype.is_floating or image.dtype.is_integer):
        raise AttributeError("image dtype must be either floating point or integer")
    if dtype == image.dtype:
        return identity(image, name=name)
    with op_scope(name, "convert_image", [image]) as scope:
        cast = math.saturate_cast if saturate else math.cast
        if image.dtype.is_integer and dtype.is_integer:
            return _integer_to_integer(image, dtype, cast, scope)
        if image.dtype.is_floating and dtype.is_floating:
            return math.cast(image, dtype, name=scope)
        if image.dtype.is_integer:
            return math.multiply(math.cast(image, dtype), 1.0 / image.dtype.max, name=scope)
        # NOTE: TF scales by max + 0.5 "to avoid rounding problems in the cast"
        return cast(math.multiply(image, dtype.max + 0.5), dtype, name=scope)


def _integer_to_integer(image: Tensor, dtype: d.DType, cast: Any, scope: str) -> Tensor:
    scale_in, scale_out = image.dtype.max, dtype.max
    if scale_in > scale_out:
        scale = (scale_in + 1) // (scale_out + 1)
        return cast(math.floordiv(image, scale), dtype, name=scope)
    scale = (scale_out + 1) // (scale_in + 1)
    return math.multiply(cast(image, dtype), scale, name=scope)


_GRAY_WEIGHTS: Final = [0.2989, 0.5870, 0.1140]


def rgb_to_grayscale(images: Any, name: Optional[str] = None) -> Tensor:
    """One luminance channel from RGB, with TF's weights [0.2989, 0.5870, 0.1140]."""
    with op_scope(name, "rgb_to_grayscale", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        as_float = convert_image_dtype(images, d.float32)
        gray = math.tensordot(as_float, np.array(_GRAY_WEIGHTS, np.float32), [-1, -1])
        return convert_image_dtype(array.expand_dims(gray, -1), images.dtype, name=scope)


def grayscale_to_rgb(images: Any, name: Optional[str] = None) -> Tensor:
    """The one channel repeated three times."""
    with op_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        dims = _static_dims(images)
        if dims is not None and (len(dims) < 2 or dims[-1] not in (None, 1)):
            raise ValueError(f"Last dimension of a grayscale image should be size 1, got shape "
                             f"{images.shape}")
        ones = array.ones(array.expand_dims(array.rank(images) - 1, 0), dtype=d.int32)
        multiples = array.concat([ones, array.expand_dims(3, 0)], 0)
        rgb = array.tile(images, multiples, name=scope)
        if dims is not None:
            rgb.set_shape([*dims[:-1], 3])
        return rgb


def _via_float(image: Any, adjust: Any, scope_name: str, values: list) -> Tensor:
    """`adjust` applied to `image` in float (float16 and float32 as they are), converted back."""
    with op_scope(None, scope_name, [image, *values]) as scope:
        image = convert_to_tensor(image, name="image")
        original = image.dtype
        as_float = image if original in (d.float16, d.float32) else \
            convert_image_dtype(image, d.float32)
        return convert_image_dtype(adjust(as_float, scope), original, saturate=True)


def adjust_brightness(image: Any, delta: Any) -> Tensor:
    """`delta` added to every value (in [0, 1] units for integer images), saturated."""
    return _via_float(image, lambda x, scope: math.add(x, math.cast(delta, x.dtype), name=scope),
                      "adjust_brightness", [delta])


def adjust_contrast(images: Any, contrast_factor: Any) -> Tensor:
    """Each channel's values moved from their mean by `contrast_factor`."""
    return _via_float(images, lambda x, scope: adjust_contrastv2(x, contrast_factor, name=scope),
                      "adjust_contrast", [contrast_factor])


def random_brightness(image: Any, max_delta: float, seed: Optional[int] = None) -> Tensor:
    """`adjust_brightness` by a delta drawn uniformly from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image: Any, lower: float, upper: float, seed: Optional[int] = None) -> Tensor:
    """`adjust_contrast` by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_contrast(image, random_uniform([], lower, upper, seed=seed))


def total_variation(images: Any, name: Optional[str] = None) -> Tensor:
    """The sum of absolute differences between neighbouring pixels, per image."""
    with op_scope(name, "total_variation", [images]):
        images = convert_to_tensor(images, name="images")
        rank = None if images._dims is None else len(images._dims)
        if rank == 3:
            rows = images[1:, :, :] - images[:-1, :, :]
            columns = images[:, 1:, :] - images[:, :-1, :]
            axis = None
        elif rank == 4:
            rows = images[:, 1:, :, :] - images[:, :-1, :, :]
            columns = images[:, :, 1:, :] - images[:, :, :-1, :]
            axis = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return (math.reduce_sum(math.abs(rows), axis=axis)
                + math.reduce_sum(math.abs(columns), axis=axis))

