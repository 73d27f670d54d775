"""Samples for the op blocks of ops/parsing_ops.py: ParseExampleV2 (serialized tf.train.Example
protos), DecodeCSV, DecodeRaw and StringToNumber, against the values the
records were made from."""
from __future__ import annotations

import numpy as np

import session_magic as sm

from . import Sample

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _strings(*texts: str) -> np.ndarray:
    return np.array([t.encode() for t in texts], object)


# NOTE: tf.train.Example protos as bytes (label 3, pixels [0.5, -1], name "cat"; label -7,
# pixels [2, 4.25]), spelled out because the recorder runs samples without session_magic.proto
# (TF parses these same bytes when the samples are recorded)
_EXAMPLES = ("0a390a0e0a056c6162656c12051a030a01030a0f0a046e616d6512070a050a036361740a160a0670"
             "6978656c73120c120a0a080000003f000080bf",
             "0a310a170a056c6162656c120e1a0c0a0af9ffffffffffffffff010a160a06706978656c73120c"
             "120a0a080000004000008840")


_FEATURES = {"label": sm.io.FixedLenFeature([], sm.int64),
             "pixels": sm.io.FixedLenFeature([2], sm.float32),
             "name": sm.io.FixedLenFeature([], sm.string, default_value="none")}
_BATCH = np.array([bytes.fromhex(e) for e in _EXAMPLES], object)


def _parsed(parsed: dict) -> list:
    return [parsed["label"], parsed["name"], parsed["pixels"]]


_add(
    Sample("ParseExampleV2", lambda s: _parsed(sm.io.parse_example(s, _FEATURES)), [_BATCH],
           lambda s: [np.array([3, -7], np.int64), _strings("cat", "none"),
                      np.array([[0.5, -1.0], [2.0, 4.25]], np.float32)]),
    Sample("ParseExampleV2", lambda s: _parsed(sm.io.parse_single_example(s, _FEATURES)),
           [np.array(_BATCH[0], object)],
           lambda s: [np.int64(3), np.array(b"cat", object), np.array([0.5, -1.0], np.float32)],
           label="single example"),
    Sample("DecodeCSV", lambda r: sm.io.decode_csv(r, [[0.0], [0], ["-"]]),
           [_strings("1.5,2,a", ',,"b,""c"""', "-3,4,")],
           lambda r: [np.array([1.5, 0.0, -3.0], np.float32), np.array([2, 0, 4], np.int32),
                      _strings("a", 'b,"c"', "-")]),
    Sample("DecodeCSV", lambda r: sm.io.decode_csv(r, [[0], [""]], field_delim=";",
                                                   select_cols=[0, 2]),
           [_strings("1;x;y", "2;z;w")],
           lambda r: [np.array([1, 2], np.int32), _strings("y", "w")],
           label="delimiter, selected columns"),
    Sample("DecodeRaw", lambda b: sm.io.decode_raw(b, sm.int16),
           [np.array([np.array([1, -2], "<i2").tobytes(), np.array([300, 4], "<i2").tobytes()],
                     object)],
           lambda b: np.array([[1, -2], [300, 4]], np.int16)),
    Sample("StringToNumber", lambda s: sm.strings.to_number(s),
           [_strings("1.5", "-2", "1e3", "inf")],
           lambda s: np.array([1.5, -2.0, 1000.0, np.inf], np.float32)),
    Sample("StringToNumber", lambda s: sm.strings.to_number(s, out_type=sm.int64),
           [_strings("7", "-9000000000")],
           lambda s: np.array([7, -9000000000], np.int64), label="int64"),
)
