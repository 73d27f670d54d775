"""`tf.image` as TF 1 programs use it, and space_to_depth / random_crop: resize_images by every
method (3-D and 4-D, align_corners, preserve_aspect_ratio, TF 2 method names), flips, rot90,
crops and pads, per_image_standardization, convert_image_dtype, colour and brightness; values,
static shapes, gradients, and the random ones' dtypes and shapes."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..harness import Program

_RNG = np.random.default_rng(13)
_IMAGE = _RNG.uniform(0, 1, (5, 6, 3)).astype(np.float32)
_BATCH = _RNG.uniform(-1, 1, (2, 4, 5, 2)).astype(np.float32)
_BYTES = _RNG.integers(0, 256, (4, 5, 3)).astype(np.uint8)


def _fed(tf: Any, value: np.ndarray, build: Callable, shape: Any = "known") -> dict:
    """`build(x)` on a placeholder fed `value`; its value and static shape."""
    dims = list(value.shape) if shape == "known" else shape
    x = tf.placeholder(tf.as_dtype(value.dtype), dims, name="x")
    out = build(x)
    return {"fetch": out, "feed": {x: value}, "static": {"out": out}}


def _program(name: str, value: np.ndarray, build: Callable, **options: Any) -> Program:
    shape = options.pop("shape", "known")
    return Program(name, lambda tf: _fed(tf, value, lambda x: build(tf, x), shape), **options)


def _gradient(tf: Any, build: Callable, value: np.ndarray) -> dict:
    x = tf.placeholder(tf.float32, value.shape, name="x")
    out = build(tf, x)
    weights = tf.constant(_RNG.uniform(-1, 1, (64,)).astype(np.float32)[:1])
    loss = tf.reduce_sum(out * out * weights)
    return {"fetch": tf.gradients(loss, x)[0], "feed": {x: value}}


def _resizes() -> list[Program]:
    table = []
    for method in range(4):
        table += [
            _program(f"resize_images method {method}, 3-D up", _IMAGE,
                     lambda tf, x, m=method: tf.image.resize_images(x, [7, 9], method=m)),
            _program(f"resize_images method {method}, 4-D down", _BATCH,
                     lambda tf, x, m=method: tf.image.resize_images(x, [3, 2], method=m)),
            _program(f"resize_images method {method}, align_corners", _BATCH,
                     lambda tf, x, m=method: tf.image.resize_images(x, [6, 7], method=m,
                                                                    align_corners=True)),
        ]
    for name in ("bilinear", "nearest", "bicubic", "area"):
        table.append(_program(f"resize with method {name!r}", _IMAGE,
                              lambda tf, x, n=name: tf.image.resize(x, [4, 8], method=n)))
    table += [
        _program("resize_images uint8 bilinear", _BYTES,
                 lambda tf, x: tf.image.resize_images(x, [6, 3])),
        _program("resize_images uint8 nearest", _BYTES,
                 lambda tf, x: tf.image.resize_images(x, [6, 3], method=1)),
        _program("resize_images to its own size", _IMAGE,
                 lambda tf, x: tf.image.resize_images(x, [5, 6])),
        _program("resize_images preserve_aspect_ratio", _IMAGE,
                 lambda tf, x: tf.image.resize_images(x, [10, 10], preserve_aspect_ratio=True)),
        _program("resize_images unknown height and width", _BATCH,
                 lambda tf, x: tf.image.resize_images(x, [3, 7]), shape=[None, None, None, 2]),
        _program("resize_bilinear half_pixel_centers", _BATCH,
                 lambda tf, x: tf.image.resize_bilinear(x, [7, 3], half_pixel_centers=True)),
        _program("resize_nearest_neighbor half_pixel_centers", _BATCH,
                 lambda tf, x: tf.image.resize_nearest_neighbor(x, [7, 3],
                                                                half_pixel_centers=True)),
        Program("gradient of resize_images bilinear", lambda tf: _gradient(
            tf, lambda tf, x: tf.image.resize_images(x, [7, 8]), _BATCH), rtol=1e-5),
        Program("gradient of resize_images nearest", lambda tf: _gradient(
            tf, lambda tf, x: tf.image.resize_images(x, [3, 8], method=1), _BATCH)),
        Program("gradient of resize_images bicubic", lambda tf: _gradient(
            tf, lambda tf, x: tf.image.resize_images(x, [7, 3], method=2), _BATCH), rtol=1e-5),
    ]
    return table


def _geometry() -> list[Program]:
    return [
        _program("flip_left_right 3-D", _IMAGE, lambda tf, x: tf.image.flip_left_right(x)),
        _program("flip_left_right 4-D", _BATCH, lambda tf, x: tf.image.flip_left_right(x)),
        _program("flip_up_down 3-D", _IMAGE, lambda tf, x: tf.image.flip_up_down(x)),
        _program("flip_up_down 4-D", _BATCH, lambda tf, x: tf.image.flip_up_down(x)),
        _program("transpose_image 3-D", _IMAGE, lambda tf, x: tf.image.transpose_image(x)),
        _program("transpose_image 4-D", _BATCH, lambda tf, x: tf.image.transpose_image(x)),
        *[_program(f"rot90 k={k}", _IMAGE, lambda tf, x, k=k: tf.image.rot90(x, k))
          for k in range(-1, 5)],
        _program("rot90 4-D", _BATCH, lambda tf, x: tf.image.rot90(x)),
        _program("central_crop 0.5", _IMAGE, lambda tf, x: tf.image.central_crop(x, 0.5)),
        _program("central_crop 0.7 4-D", _BATCH, lambda tf, x: tf.image.central_crop(x, 0.7)),
        _program("crop_to_bounding_box", _IMAGE,
                 lambda tf, x: tf.image.crop_to_bounding_box(x, 1, 2, 3, 4)),
        _program("pad_to_bounding_box", _BATCH,
                 lambda tf, x: tf.image.pad_to_bounding_box(x, 1, 2, 6, 9)),
        _program("resize_image_with_crop_or_pad crop", _IMAGE,
                 lambda tf, x: tf.image.resize_image_with_crop_or_pad(x, 3, 2)),
        _program("resize_image_with_crop_or_pad pad", _BATCH,
                 lambda tf, x: tf.image.resize_image_with_crop_or_pad(x, 7, 8)),
        _program("resize_image_with_crop_or_pad both", _IMAGE,
                 lambda tf, x: tf.image.resize_image_with_crop_or_pad(x, 8, 3)),
        _program("space_to_depth", _BATCH[:, :4, :4],
                 lambda tf, x: tf.space_to_depth(x, 2)),
        _program("nn.depth_to_space", _BATCH[:, :, :, :1].reshape(2, 1, 5, 4),
                 lambda tf, x: tf.nn.depth_to_space(x, 2)),
        Program("gradient of space_to_depth", lambda tf: _gradient(
            tf, lambda tf, x: tf.space_to_depth(x, 2), _BATCH[:, :4, :4])),
    ]


def _unknown_dims() -> list[Program]:
    """The composites on images whose height and width are known only when fed."""
    unknown = [None, None, 3]
    return [_program(f"{name}, unknown height and width", _IMAGE, build, shape=unknown)
            for name, build in [
                ("central_crop", lambda tf, x: tf.image.central_crop(x, 0.6)),
                ("crop_to_bounding_box",
                 lambda tf, x: tf.image.crop_to_bounding_box(x, 1, 1, 2, 3)),
                ("pad_to_bounding_box", lambda tf, x: tf.image.pad_to_bounding_box(x, 2, 1, 8, 9)),
                ("resize_image_with_crop_or_pad",
                 lambda tf, x: tf.image.resize_image_with_crop_or_pad(x, 4, 9)),
                ("resize_images preserve_aspect_ratio",
                 lambda tf, x: tf.image.resize_images(x, [9, 9], preserve_aspect_ratio=True)),
                ("per_image_standardization", lambda tf, x: tf.image.per_image_standardization(x)),
                ("rot90", lambda tf, x: tf.image.rot90(x, 3)),
                ("flip_up_down", lambda tf, x: tf.image.flip_up_down(x)),
                ("total_variation", lambda tf, x: tf.image.total_variation(x)),
            ]]


def _values() -> list[Program]:
    return [
        _program("per_image_standardization", _IMAGE,
                 lambda tf, x: tf.image.per_image_standardization(x)),
        _program("per_image_standardization 4-D", _BATCH,
                 lambda tf, x: tf.image.per_image_standardization(x)),
        _program("per_image_standardization uniform image", np.ones((2, 3, 1), np.float32),
                 lambda tf, x: tf.image.per_image_standardization(x)),
        _program("per_image_standardization uint8", _BYTES,
                 lambda tf, x: tf.image.per_image_standardization(x)),
        *[_program(f"convert_image_dtype uint8 to {t}", _BYTES,
                   lambda tf, x, t=t: tf.image.convert_image_dtype(x, getattr(tf, t)))
          for t in ("float32", "float64", "int32", "int8", "uint16", "uint8")],
        *[_program(f"convert_image_dtype float32 to {t} saturate={s}",
                   np.array([[[-0.5], [0.0], [0.3]], [[0.999], [1.0], [1.5]]], np.float32),
                   lambda tf, x, t=t, s=s: tf.image.convert_image_dtype(x, getattr(tf, t),
                                                                        saturate=s))
          for t in ("uint8", "int16") for s in (False, True) if s or t == "int16"],
        _program("rgb_to_grayscale", _IMAGE, lambda tf, x: tf.image.rgb_to_grayscale(x)),
        _program("rgb_to_grayscale uint8", _BYTES, lambda tf, x: tf.image.rgb_to_grayscale(x)),
        _program("grayscale_to_rgb", _BATCH[..., :1],
                 lambda tf, x: tf.image.grayscale_to_rgb(x)),
        _program("adjust_brightness", _IMAGE, lambda tf, x: tf.image.adjust_brightness(x, 0.3)),
        _program("adjust_brightness uint8", _BYTES,
                 lambda tf, x: tf.image.adjust_brightness(x, 0.2)),
        _program("adjust_contrast", _BATCH, lambda tf, x: tf.image.adjust_contrast(x, 1.8)),
        _program("adjust_contrast uint8", _BYTES,
                 lambda tf, x: tf.image.adjust_contrast(x, 0.5)),
        _program("total_variation 3-D", _IMAGE, lambda tf, x: tf.image.total_variation(x)),
        _program("total_variation 4-D", _BATCH, lambda tf, x: tf.image.total_variation(x)),
    ]


def _random(tf: Any, draw: Callable) -> dict:
    """A seeded random image op: dtypes and shapes are compared (random values are not)."""
    tf.set_random_seed(5)
    out = draw(tf)
    return {"fetch": out, "runs": 2, "static": {"out": out}}


def _randoms() -> list[Program]:
    table = [
        Program("random_crop", lambda tf: _random(
            tf, lambda tf: tf.random_crop(tf.constant(_IMAGE), [3, 4, 3], seed=1))),
        Program("image.random_crop", lambda tf: _random(
            tf, lambda tf: tf.image.random_crop(tf.constant(_BATCH), [2, 2, 5, 1]))),
        Program("random_flip_left_right", lambda tf: _random(
            tf, lambda tf: tf.image.random_flip_left_right(tf.constant(_IMAGE)))),
        Program("random_flip_up_down 4-D", lambda tf: _random(
            tf, lambda tf: tf.image.random_flip_up_down(tf.constant(_BATCH), seed=3))),
        Program("random_brightness", lambda tf: _random(
            tf, lambda tf: tf.image.random_brightness(tf.constant(_BYTES), 0.2))),
        Program("random_contrast", lambda tf: _random(
            tf, lambda tf: tf.image.random_contrast(tf.constant(_IMAGE), 0.5, 1.5))),
    ]
    return [Program(p.name, p.build, shapes_only=True) for p in table]


def _bad(name: str, value: np.ndarray, build: Callable, feed: Any = None) -> Program:
    """A program whose build or run fails: the error class is compared."""
    def program(tf: Any) -> dict:
        x = tf.placeholder(tf.as_dtype(value.dtype), value.shape, name="x")
        return {"fetch": build(tf, x), "feed": {x: value if feed is None else feed}}
    return Program(f"bad: {name}", program)


def _bad_inputs() -> list[Program]:
    size = [1, 2]
    return [
        _bad("resize_images of a 2-D image", _IMAGE[0],
             lambda tf, x: tf.image.resize_images(x, size)),
        _bad("resize_images method 7", _IMAGE, lambda tf, x: tf.image.resize_images(x, size, 7)),
        _bad("resize_images size of 3", _IMAGE,
             lambda tf, x: tf.image.resize_images(x, [1, 2, 3])),
        _bad("resize_bilinear of a 3-D image", _IMAGE,
             lambda tf, x: tf.image.resize_bilinear(x, size)),
        _bad("resize_bilinear to a zero height", _BATCH,
             lambda tf, x: tf.image.resize_bilinear(x, tf.placeholder_with_default([0, 2], [2]))),
        _bad("space_to_depth of an odd width", _BATCH,
             lambda tf, x: tf.space_to_depth(x, 2)),
        _bad("space_to_depth block_size 1", _BATCH, lambda tf, x: tf.space_to_depth(x, 1)),
        _bad("depth_to_space of depth 2 by 2", _BATCH, lambda tf, x: tf.depth_to_space(x, 2)),
        _bad("central_crop 0", _IMAGE, lambda tf, x: tf.image.central_crop(x, 0.0)),
        _bad("crop_to_bounding_box past the edge", _IMAGE,
             lambda tf, x: tf.image.crop_to_bounding_box(x, 3, 0, 3, 2)),
        _bad("pad_to_bounding_box smaller target", _IMAGE,
             lambda tf, x: tf.image.pad_to_bounding_box(x, 0, 0, 4, 6)),
        _bad("flip_left_right of a 2-D image", _IMAGE[0],
             lambda tf, x: tf.image.flip_left_right(x)),
        _bad("random_crop larger than the value", _IMAGE,
             lambda tf, x: tf.random_crop(x, [6, 6, 3], seed=1)),
        _bad("random_brightness negative", _IMAGE,
             lambda tf, x: tf.image.random_brightness(x, -0.1)),
        _bad("random_contrast upper below lower", _IMAGE,
             lambda tf, x: tf.image.random_contrast(x, 0.9, 0.5)),
    ]


def programs() -> list[Program]:
    return (_resizes() + _geometry() + _unknown_dims() + _values() + _randoms()
            + _bad_inputs())
