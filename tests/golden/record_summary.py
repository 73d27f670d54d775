"""Record TF's summaries for tests/test_summary.py (run with TF's venv):

    /work/tfenv/bin/python tests/golden/record_summary.py

Every case of CASES (scalar, histogram, image, audio, text, tensor and merged summaries of fixed
inputs) is built with `tf.compat.v1.summary` and run; tests/golden/interop/summary/summary.json
holds the serialized Summary TF's kernels produced (hex) and, for images, the pixels TF's PNGs
decode to (PNG bytes depend on libpng's filter choices; the pixels must agree). TF's FileWriter
also writes a small events file (tf_events/) that the tests read with session_magic's reader.
The same CASES build session_magic's summaries in the tests.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
from typing import Any, Callable

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interop", "summary")
RNG = np.random.default_rng(14)
NORMAL = (RNG.standard_normal(600) * 3).astype(np.float32)
INTS = RNG.integers(-50, 50, size=(7, 9)).astype(np.int32)
RGB = RNG.integers(0, 256, size=(3, 3, 4, 3)).astype(np.uint8)
GRAY = RNG.uniform(0, 5, size=(2, 4, 3, 1)).astype(np.float32)
SIGNED = RNG.uniform(-2, 1, size=(1, 3, 3, 4)).astype(np.float32)
BROKEN = np.array([[[[0.5, 1.0, 0.0], [np.nan, 0.2, 0.1]], [[0.3, np.inf, 0.1], [1.0, 0.9, 0.0]]]],
                  np.float32)
CLIPS = RNG.uniform(-1.2, 1.2, size=(2, 50)).astype(np.float32)
STEREO = RNG.uniform(-1, 1, size=(1, 20, 2)).astype(np.float32)


def _scoped_scalar(tf: Any, summary: Any) -> Any:
    with tf.name_scope("train"):
        return summary.scalar("lr", tf.constant(np.int64(3)), family="opt")


def _merged(tf: Any, summary: Any) -> Any:
    parts = [summary.scalar("a", tf.constant(1.25)), summary.histogram("b", tf.constant(INTS)),
             summary.text("c", tf.constant("note"))]
    return summary.merge(parts, name="all")


# name -> build(tf, summary): the summary tensor; tf is TF's compat.v1 or session_magic
CASES: dict[str, Callable[[Any, Any], Any]] = {
    "scalar float32": lambda tf, s: s.scalar("loss", tf.constant(np.float32(0.1))),
    "scalar float64": lambda tf, s: s.scalar("third", tf.constant(1 / 3)),
    "scalar int64, scope and family": _scoped_scalar,
    "scalar name cleaned": lambda tf, s: s.scalar("my loss:1", tf.constant(2.0)),
    "histogram normal": lambda tf, s: s.histogram("normal", tf.constant(NORMAL)),
    "histogram int32": lambda tf, s: s.histogram("ints", tf.constant(INTS)),
    "histogram empty": lambda tf, s: s.histogram("empty", tf.constant(np.zeros(0, np.float32))),
    "histogram signs and extremes": lambda tf, s: s.histogram(
        "edges", tf.constant(np.array([0.0, -0.0, 1e-13, -1e-13, 1e-12, 1e19, -1e21, 5.0]))),
    "histogram uint8": lambda tf, s: s.histogram("bytes", tf.constant(RGB[0])),
    "image uint8, 2 of 3": lambda tf, s: s.image("rgb", tf.constant(RGB), max_outputs=2),
    "image float gray": lambda tf, s: s.image("gray", tf.constant(GRAY)),
    "image float RGBA signed, one": lambda tf, s: s.image("signed", tf.constant(SIGNED),
                                                          max_outputs=1),
    "image non-finite pixels": lambda tf, s: s.image("broken", tf.constant(BROKEN)),
    "image float64": lambda tf, s: s.image("double", tf.constant(GRAY.astype(np.float64))),
    "image float16": lambda tf, s: s.image("half", tf.constant(SIGNED.astype(np.float16))),
    "image all zeros": lambda tf, s: s.image("zeros", tf.constant(np.zeros((1, 2, 2, 1),
                                                                             np.float32))),
    "audio mono": lambda tf, s: s.audio("mono", tf.constant(CLIPS), 16000),
    "audio stereo, odd rate": lambda tf, s: s.audio("stereo", tf.constant(STEREO), 22050.5,
                                                    max_outputs=1),
    "text scalar": lambda tf, s: s.text("note", tf.constant("hello **world**")),
    "text matrix": lambda tf, s: s.text("table", tf.constant([["a", "é"], ["c", "d"]])),
    "tensor int32": lambda tf, s: s.tensor_summary("ints", tf.constant(INTS)),
    "tensor float64, described": lambda tf, s: s.tensor_summary(
        "vec", tf.constant(np.array([1.5, -2.0])), summary_description="a vector",
        display_name="Vector"),
    "tensor bool scalar": lambda tf, s: s.tensor_summary("flag", tf.constant(True)),
    "tensor strings": lambda tf, s: s.tensor_summary("words", tf.constant(["x", "yz"])),
    "merge": _merged,
}


def record() -> None:
    import tensorflow as tf  # NOTE: TF only in the side environment that records

    v1 = tf.compat.v1
    v1.disable_eager_execution()
    cases = {}
    for name, build in CASES.items():
        with v1.Graph().as_default():
            value = build(v1, v1.summary)
            with v1.Session() as sess:
                serialized = sess.run(value)
                cases[name] = {"hex": serialized.hex(), "op": value.op.name,
                               "pixels": _pixels(v1, serialized)}
    os.makedirs(HERE, exist_ok=True)
    with open(os.path.join(HERE, "summary.json"), "w") as handle:
        json.dump({"tensorflow": tf.__version__, "cases": cases}, handle, indent=1)
    _write_events(v1)
    print(f"summary: {len(cases)} cases recorded in {HERE}")


def _pixels(v1: Any, serialized: bytes) -> list:
    """What TF's PNGs in a Summary decode to, by TF's decoder."""
    images = [v.image.encoded_image_string for v in v1.Summary.FromString(serialized).value
              if v.HasField("image")]
    with v1.Graph().as_default(), v1.Session() as sess:
        return [sess.run(v1.image.decode_png(data)).tolist() for data in images]


def _write_events(v1: Any) -> None:
    """A small events file from TF's FileWriter: three steps of a scalar, a histogram, a graph."""
    logdir = os.path.join(HERE, "tf_events")
    shutil.rmtree(logdir, ignore_errors=True)
    with v1.Graph().as_default() as graph:
        x = v1.placeholder(v1.float32, [], name="x")
        loss = v1.square(x, name="loss")
        merged = v1.summary.merge([v1.summary.scalar("loss", loss),
                                   v1.summary.histogram("x", v1.stack([x, loss]))])
        writer = v1.summary.FileWriter(logdir, graph)
        with v1.Session() as sess:
            for step in range(3):
                writer.add_summary(sess.run(merged, {x: step + 0.5}), global_step=step)
        writer.close()
    assert len(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))) == 1


if __name__ == "__main__":
    record()
