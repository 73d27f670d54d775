"""Samples for the op blocks of ops/summary_ops.py. Each output is a serialized Summary: the
oracles build the expected protobuf (scalar, tensor, merge), or parse the result and check it
against NumPy (histogram counts, image pixels, WAV samples). Byte-for-byte agreement with TF's
kernels is tests/test_summary.py's golden test."""
from __future__ import annotations

import struct
import zlib

import numpy as np

from session_magic import proto, summary

from . import Sample, f32

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _summary_of(*values: proto.Summary.Value) -> np.ndarray:
    return np.array(proto.Summary(value=list(values)).SerializeToString(), object)


def _parsed(result: bytes) -> proto.Summary:
    assert isinstance(result, bytes), "a string scalar is fetched as bytes"
    return proto.Summary.FromString(result)


def _scalar(x: np.ndarray) -> np.ndarray:
    return _summary_of(proto.Summary.Value(tag="loss", simple_value=float(x)))


def _check_histogram(result: np.ndarray, values: np.ndarray) -> None:
    (value,) = _parsed(result).value
    histo = value.histo
    assert value.tag == "weights"
    assert (histo.min, histo.max, histo.num) == (values.min(), values.max(), values.size)
    np.testing.assert_allclose(histo.sum, values.astype(np.float64).sum(), rtol=1e-12)
    limits = np.array(histo.bucket_limit)
    edges = np.concatenate([[-np.inf], limits])
    counts, _ = np.histogram(values.astype(np.float64), edges)  # NOTE: [a, b) as TF's buckets
    np.testing.assert_array_equal(counts, histo.bucket)


def _png_pixels(data: bytes) -> np.ndarray:
    """The pixels of an unfiltered 8-bit PNG (what ops/summary_ops.py writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, _, color_type = struct.unpack(">IIBB", data[16:26])
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    length = struct.unpack(">I", data[33:37])[0]
    rows = np.frombuffer(zlib.decompress(data[41:41 + length]), np.uint8).reshape(height, -1)
    assert not rows[:, 0].any(), "every row unfiltered"
    return rows[:, 1:].reshape(height, width, channels)


_IMAGES = np.arange(2 * 3 * 4 * 3, dtype=np.uint8).reshape(2, 3, 4, 3) * 2


def _check_uint8_images(result: np.ndarray) -> None:
    values = _parsed(result).value
    assert [v.tag for v in values] == ["pictures/image/0", "pictures/image/1"]
    for v, expected in zip(values, _IMAGES, strict=True):
        assert (v.image.height, v.image.width, v.image.colorspace) == (3, 4, 3)
        np.testing.assert_array_equal(_png_pixels(v.image.encoded_image_string), expected)


_SIGNED = f32(1, 2, 3, 1)


def _check_float_image(result: np.ndarray) -> None:
    (value,) = _parsed(result).value
    assert value.tag == "signed/image"
    scale = np.float32(127.0) / np.abs(_SIGNED).max()
    expected = (_SIGNED[0] * scale + np.float32(128.0)).astype(np.uint8)
    np.testing.assert_array_equal(_png_pixels(value.image.encoded_image_string), expected)


_CLIPS = np.array([[0.0, 0.5, -1.0, 1.0, 0.25], [2.0, -0.75, 1e-5, -1e-5, -2.0]], np.float32)


def _check_audio(result: np.ndarray) -> None:
    values = _parsed(result).value
    assert [v.tag for v in values] == ["voice/audio"]
    audio = values[0].audio
    assert (audio.sample_rate, audio.num_channels, audio.length_frames) == (8000, 1, 5)
    assert audio.content_type == "audio/wav"
    wav = audio.encoded_audio_string
    assert wav[:4] == b"RIFF" and wav[8:16] == b"WAVEfmt "
    samples = np.frombuffer(wav[44:], "<i2")
    np.testing.assert_array_equal(samples, [0, 16384, -32768, 32767, 8192])


def _tensor(x: np.ndarray) -> np.ndarray:
    shape = proto.TensorShapeProto(dim=[proto.TensorShapeProto.Dim(size=n) for n in x.shape])
    tensor = proto.TensorProto(dtype=proto.DATA_TYPES["DT_INT32"], tensor_shape=shape,
                               tensor_content=x.astype("<i4").tobytes())
    metadata = proto.SummaryMetadata(summary_description="counted")
    value = proto.Summary.Value(tag="counts", tensor=tensor, metadata=metadata)
    # NOTE: protobuf writes fields by number: tag (1), tensor (8), metadata (9)
    data = b"".join([b"\x0a", _length(b"counts"), b"counts",
                     b"\x42", _length(tensor.SerializeToString()), tensor.SerializeToString(),
                     b"\x4a", _length(metadata.SerializeToString()), metadata.SerializeToString()])
    assert proto.Summary.Value.FromString(data) == value
    return np.array(b"\x0a" + _length(data) + data, object)


def _length(data: bytes) -> bytes:
    assert len(data) < 128
    return bytes([len(data)])


def _merged(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _summary_of(proto.Summary.Value(tag="a", simple_value=float(a)),
                       proto.Summary.Value(tag="b", simple_value=float(b)))


_WEIGHTS = f32(40, 3, low=-3.0, high=3.0)

_add(
    Sample("ScalarSummary", lambda x: summary.scalar("loss", x), [np.float32(2.75)], _scalar,
           grad_check=False),
    Sample("ScalarSummary", lambda x: summary.scalar("loss", x), [np.int64(-7)], _scalar,
           label="int64", grad_check=False),
    Sample("HistogramSummary", lambda x: summary.histogram("weights", x), [_WEIGHTS],
           check=lambda r: _check_histogram(r, _WEIGHTS), grad_check=False),
    Sample("ImageSummary", lambda x: summary.image("pictures", x), [_IMAGES],
           check=_check_uint8_images, grad_check=False),
    Sample("ImageSummary", lambda x: summary.image("signed", x, max_outputs=1), [_SIGNED],
           check=_check_float_image, label="float, max_outputs=1", grad_check=False),
    Sample("AudioSummaryV2", lambda x: summary.audio("voice", x, 8000, max_outputs=1), [_CLIPS],
           check=_check_audio, grad_check=False),
    Sample("TensorSummaryV2", lambda x: summary.tensor_summary("counts", x, "counted"),
           [np.arange(6, dtype=np.int32).reshape(2, 3)], _tensor),
    Sample("MergeSummary", lambda a, b: summary.merge([summary.scalar("a", a),
                                                        summary.scalar("b", b)]),
           [np.float32(1.5), np.float32(-4.0)], _merged, grad_check=False),
)
