"""Op blocks of TF's summary ops: ScalarSummary, HistogramSummary, ImageSummary (PNG),
AudioSummaryV2 (WAV), TensorSummaryV2 and MergeSummary. Each outputs a string scalar holding a
serialized `Summary` protobuf, byte for byte as TF's kernels write it. Loaded with tf.summary,
never by `import session_magic` (the `session_magic.proto` codec comes with it)."""
from __future__ import annotations

import struct
import sys
import zlib
from typing import Any, Callable, Final

import numpy as np

from .. import dtypes as d
from .. import errors, proto
from ..graph import Operation
from .common import REAL, check_dtype
from .registry import NOT_DIFFERENTIABLE, ShapeError, bracketed, register

__all__ = ["summary_bytes", "tensor_proto", "default_bucket_limits",
           "histogram_proto", "png", "wav"]


_Value = proto.Summary.Value


def summary_bytes(values: list) -> np.ndarray:
    """A string scalar holding `Summary(value=values)`, serialized."""
    return np.array(proto.Summary(value=values).SerializeToString(), object)


def _text(tag: Any) -> str:
    return tag.decode("utf-8", "replace") if isinstance(tag, bytes) else str(tag)


def _scalar_tag(tag: Any, op: Operation) -> str:
    tag = np.asarray(tag, object)
    if tag.ndim:
        raise errors.InvalidArgumentError(
            None, op, f"tags must be scalar, got shape {bracketed(tag.shape)} for '{op.name}'")
    return _text(tag[()])


def _string_scalar_infer(*checks: tuple) -> Callable:
    """An infer rule: input i has one of the dtypes `checks[i] = (argument, allowed)`; the
    output is a string scalar."""
    def infer(inputs: list, attrs: dict) -> list:
        for t, (argument, allowed) in zip(inputs, checks, strict=False):
            check_dtype(t, allowed, argument)
        return [(d.string, ())]
    return infer


_TAG: Final = ("tag", (d.string,))

# --- ScalarSummary -------------------------------------------------------------------------------


def _scalar_summary_kernel(op: Operation) -> Callable:
    def scalar_summary(tags: Any, values: Any) -> np.ndarray:
        tags, values = np.asarray(tags, object), np.asarray(values)
        if tags.shape != values.shape:
            single = f" (tag '{_text(tags.flat[0])}')" if tags.size == 1 else ""
            raise errors.InvalidArgumentError(
                None, op, f"tags and values are not the same shape: {bracketed(tags.shape)} != "
                          f"{bracketed(values.shape)}{single}")
        return summary_bytes([_Value(tag=_text(tag), simple_value=float(value))
                              for tag, value in zip(tags.flat, values.flat, strict=True)])
    return scalar_summary


register("ScalarSummary", _string_scalar_infer(("tags", (d.string,)), ("values", REAL)),
         _scalar_summary_kernel, grad=NOT_DIFFERENTIABLE)

# --- HistogramSummary ----------------------------------------------------------------------------

_DBL_MAX: Final = sys.float_info.max


def default_bucket_limits() -> np.ndarray:
    """TF's histogram buckets (histogram.cc): limits growing by 10% from 1e-12 to 1e20, then
    DBL_MAX, their negatives mirrored, and 0 between."""
    positive, limit = [], 1.0e-12
    while limit < 1.0e20:
        positive.append(limit)
        limit *= 1.1
    positive.append(_DBL_MAX)
    return np.array([-x for x in reversed(positive)] + [0.0] + positive)


_LIMITS: Final = default_bucket_limits()


def histogram_proto(values: np.ndarray) -> proto.HistogramProto:
    """TF's Histogram of finite doubles, encoded as it encodes one: each run of empty buckets
    becomes one empty bucket ending where the run ends."""
    x = np.asarray(values, np.float64).reshape(-1)
    # NOTE: bucket b holds limits[b-1] <= x < limits[b]: C++'s upper_bound
    counts = np.bincount(np.searchsorted(_LIMITS, x, side="right"), minlength=len(_LIMITS))
    filled = counts > 0
    keep = filled | np.append(filled[1:], True)
    # NOTE: sums in order, as TF adds one value at a time (NumPy's sum is pairwise); `+ 0.0`
    # because TF's sum starts at +0.0, so a lone -0.0 sums to +0.0
    return proto.HistogramProto(
        min=float(x.min()) if x.size else _DBL_MAX, max=float(x.max()) if x.size else -_DBL_MAX,
        num=float(x.size), sum=float(np.cumsum(x)[-1]) + 0.0 if x.size else 0.0,
        sum_squares=float(np.cumsum(x * x)[-1]) + 0.0 if x.size else 0.0,
        bucket_limit=_LIMITS[keep].tolist(), bucket=counts[keep].astype(np.float64).tolist())


def _histogram_summary_kernel(op: Operation) -> Callable:
    def histogram_summary(tag: Any, values: Any) -> np.ndarray:
        x = np.asarray(values, np.float64)
        if np.isnan(x).any():
            raise errors.InvalidArgumentError(None, op, f"Nan in summary histogram for: {op.name}")
        if np.isinf(x).any():
            raise errors.InvalidArgumentError(
                None, op, f"Infinity in summary histogram for: {op.name}")
        return summary_bytes([_Value(tag=_scalar_tag(tag, op), histo=histogram_proto(x))])
    return histogram_summary


register("HistogramSummary", _string_scalar_infer(_TAG, ("values", REAL)),
         _histogram_summary_kernel, grad=NOT_DIFFERENTIABLE)

# --- ImageSummary --------------------------------------------------------------------------------

_PNG_COLOR_TYPES: Final = {1: 0, 3: 2, 4: 6}  # channels -> grayscale, RGB, RGBA


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(image: np.ndarray) -> bytes:
    """An 8-bit PNG of a uint8 [height, width, channels] image (channels 1, 3 or 4): every row
    unfiltered, zlib's default compression."""
    height, width, channels = image.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8),
                           np.ascontiguousarray(image, np.uint8).reshape(height, -1)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) +
            _png_chunk(b"IDAT", zlib.compress(rows.tobytes())) + _png_chunk(b"IEND", b""))


def _as_uint8_image(image: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """TF's scaling of a float image to uint8: by 255/max when nothing is negative, else by
    127/max|x| around 128; a pixel with a non-finite channel becomes `bad_color`."""
    finite = np.isfinite(image).all(axis=-1)
    seen = image[finite].astype(np.float32)  # NOTE: TF finds the range in float
    low = seen.min() if seen.size else np.float32(np.inf)
    high = seen.max() if seen.size else np.float32(-np.inf)
    if low < 0:
        largest = max(abs(low), abs(high))
        scale, offset = (0.0 if largest < 1e-6 else np.float32(127.0) / largest), 128.0
    else:
        scale, offset = (0.0 if high < 1e-6 else np.float32(255.0) / high), 0.0
    # NOTE: in the image's own dtype, then truncated to uint8 as C++'s cast does
    scaled = image * image.dtype.type(scale) + image.dtype.type(offset)
    result = np.where(finite[..., None], scaled, 0).astype(np.uint8)
    result[~finite] = bad_color[:image.shape[-1]]
    return result


def _image_summary_kernel(op: Operation) -> Callable:
    count, bad_color = op._attrs["max_images"], np.asarray(op._attrs["bad_color"], np.uint8)

    def image_summary(tag: Any, tensor: Any) -> np.ndarray:
        tag, tensor = _scalar_tag(tag, op), np.asarray(tensor)
        if tensor.ndim != 4 or tensor.shape[3] not in (1, 3, 4):
            raise errors.InvalidArgumentError(
                None, op, f"Tensor must be 4-D with last dim 1, 3, or 4, not "
                          f"{bracketed(tensor.shape)}")
        if tensor.dtype != np.uint8 and bad_color.size < tensor.shape[3]:
            raise errors.InvalidArgumentError(
                None, op, f"expected depth <= bad_color.size, got depth = {tensor.shape[3]}, "
                          f"bad_color.size = {bad_color.size}")
        values = []
        for i, image in enumerate(tensor[:count]):
            pixels = image if tensor.dtype == np.uint8 else _as_uint8_image(image, bad_color)
            encoded = proto.Summary.Image(height=image.shape[0], width=image.shape[1],
                                          colorspace=image.shape[2],
                                          encoded_image_string=png(pixels))
            # NOTE: TF's tag depends on how many images were asked for, not how many there are
            values.append(_Value(tag=f"{tag}/image/{i}" if count > 1 else f"{tag}/image",
                                 image=encoded))
        return summary_bytes(values)
    return image_summary


register("ImageSummary",
         _string_scalar_infer(_TAG, ("tensor", (d.uint8, d.float32, d.float16, d.float64))),
         _image_summary_kernel, grad=NOT_DIFFERENTIABLE,
         attrs_doc={"max_images": "how many images of the batch are written",
                    "bad_color": "the RGBA colour of a pixel with a non-finite channel"})

# --- AudioSummaryV2 ------------------------------------------------------------------------------


def wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """A 16-bit PCM WAV of float samples [frames, channels] in [-1, 1], as TF's wav_io writes it
    (x * 32768 rounded half away from zero, clamped to int16)."""
    frames, channels = samples.shape
    # NOTE: rounded in float64, where adding 0.5 to a float32 value is exact (C's roundf)
    scaled = (np.asarray(samples, np.float32) * np.float32(32768.0)).astype(np.float64)
    pcm = np.clip(np.trunc(scaled + np.copysign(0.5, scaled)), -32768, 32767)
    data = pcm.astype("<i2").tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 1,
                         channels, sample_rate, sample_rate * channels * 2, channels * 2, 16,
                         b"data", len(data))
    return header + data


def _audio_summary_kernel(op: Operation) -> Callable:
    count = op._attrs["max_outputs"]

    def audio_summary(tag: Any, tensor: Any, sample_rate: Any) -> np.ndarray:
        tag, tensor = _scalar_tag(tag, op), np.asarray(tensor, np.float32)
        if tensor.ndim not in (2, 3):
            raise errors.InvalidArgumentError(
                None, op, f"Tensor must be 3-D or 2-D, got: {bracketed(tensor.shape)}")
        rate = float(np.float32(sample_rate))
        if not rate > 0.0:
            raise errors.InvalidArgumentError(None, op, "sample_rate must be > 0")
        clip = tensor if tensor.ndim == 3 else tensor[..., None]
        values = []
        for i, samples in enumerate(clip[:count]):
            encoded = proto.Summary.Audio(
                sample_rate=rate, num_channels=samples.shape[1], length_frames=samples.shape[0],
                encoded_audio_string=wav(samples, max(round(rate), 1)), content_type="audio/wav")
            values.append(_Value(tag=f"{tag}/audio/{i}" if count > 1 else f"{tag}/audio",
                                 audio=encoded))
        return summary_bytes(values)
    return audio_summary


register("AudioSummaryV2", _string_scalar_infer(_TAG, ("tensor", (d.float32,)),
                                                ("sample_rate", (d.float32,))),
         _audio_summary_kernel, grad=NOT_DIFFERENTIABLE,
         attrs_doc={"max_outputs": "how many clips of the batch are written"})

# --- TensorSummaryV2 -----------------------------------------------------------------------------


def tensor_proto(array: np.ndarray, dtype: d.DType) -> proto.TensorProto:
    """A TensorProto as TF's summary kernel writes one: strings as `string_val`, anything else
    as raw little-endian `tensor_content`; the shape always present, empty for a scalar."""
    shape = proto.TensorShapeProto(dim=[proto.TensorShapeProto.Dim(size=n) for n in array.shape])
    message = proto.TensorProto(dtype=proto.DATA_TYPES[f"DT_{dtype._proto_name.upper()}"],
                                tensor_shape=shape)
    if dtype is d.string:
        message.string_val = [v if isinstance(v, bytes) else str(v).encode()
                              for v in array.reshape(-1)]
    elif array.size:
        little = array.astype(np.dtype(dtype.as_numpy_dtype).newbyteorder("<"), copy=False)
        message.tensor_content = np.ascontiguousarray(little).tobytes()
    return message


def _tensor_summary_kernel(op: Operation) -> Callable:
    dtype = op._inputs[1]._dtype

    def tensor_summary(tag: Any, tensor: Any, metadata: Any) -> np.ndarray:
        tag = _scalar_tag(tag, op)
        array = np.asarray(tensor, object if dtype is d.string else dtype.as_numpy_dtype)
        parsed = proto.SummaryMetadata.FromString(np.asarray(metadata, object)[()])
        return summary_bytes([_Value(tag=tag, tensor=tensor_proto(array, dtype),
                                           metadata=parsed)])
    return tensor_summary


register("TensorSummaryV2", _string_scalar_infer(_TAG, ("tensor", None),
                                                 ("serialized_summary_metadata", (d.string,))),
         _tensor_summary_kernel, grad=NOT_DIFFERENTIABLE)

# --- MergeSummary --------------------------------------------------------------------------------


def _merge_summary_infer(inputs: list, attrs: dict) -> list:
    if not inputs:
        raise ShapeError("MergeSummary needs at least one input summary")
    for t in inputs:
        check_dtype(t, (d.string,), "inputs")
    return [(d.string, ())]


def _merge_summary_kernel(op: Operation) -> Callable:
    def merge_summary(*summaries: Any) -> np.ndarray:
        pieces, tags = [], set()
        for serialized in (s for value in summaries for s in np.asarray(value, object).flat):
            try:
                parsed = proto.Summary.FromString(serialized)
            except (proto.DecodeError, TypeError):
                raise errors.InvalidArgumentError(
                    None, op, "Could not parse one of the summary inputs") from None
            for value in parsed.value:
                if value.tag and value.tag in tags:
                    raise errors.InvalidArgumentError(
                        None, op, f"Duplicate tag {value.tag} found in summary inputs")
                tags.add(value.tag)
            pieces.append(bytes(serialized))
        # NOTE: a Summary is one repeated field, so the concatenation of several is their merge
        return np.array(b"".join(pieces), object)
    return merge_summary


register("MergeSummary", _merge_summary_infer, _merge_summary_kernel, grad=NOT_DIFFERENTIABLE)
