"""tf.summary and FileWriter, checked as a user checks them: the summaries are TF's bytes (goldens
recorded by tests/golden/record_summary.py), and what FileWriter writes is read back by
TensorBoard's own EventAccumulator and served by the `tensorboard` server."""
from __future__ import annotations

import glob
import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request
import warnings

import numpy as np
import pytest

import session_magic as sm
from session_magic import proto, summary
from session_magic.interop.event_writer import crc32c, masked_crc32c, read_tfrecords, tfrecord

from .golden.record_summary import CASES
from .samples.summary_samples import _png_pixels

GOLDEN = pathlib.Path(__file__).parent / "golden" / "interop" / "summary"
RECORDED = json.loads((GOLDEN / "summary.json").read_text())["cases"]
IMAGE_CASES = [name for name in CASES if name.startswith("image")]


def _run(build):
    graph = sm.Graph()
    with graph.as_default():
        value = build(sm, summary)
        with sm.Session(graph=graph) as sess:
            return value, sess.run(value)


def _events(logdir) -> list:
    """Every Event in the one events file of `logdir`, parsed by session_magic's codec."""
    (path,) = glob.glob(os.path.join(str(logdir), "events.out.tfevents.*"))
    return [proto.Event.FromString(payload) for payload in read_tfrecords(path)]


def _accumulator(logdir):
    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    accumulator = event_accumulator.EventAccumulator(str(logdir), size_guidance={
        kind: 0 for kind in (event_accumulator.SCALARS, event_accumulator.HISTOGRAMS,
                             event_accumulator.IMAGES, event_accumulator.AUDIO,
                             event_accumulator.TENSORS)})
    return accumulator.Reload()


# --- summaries: TF's bytes ----------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in CASES if n not in IMAGE_CASES])
def test_summary_is_tensorflows_bytes(name: str) -> None:
    value, serialized = _run(CASES[name])
    assert value.op.name == RECORDED[name]["op"]
    assert serialized.hex() == RECORDED[name]["hex"]


@pytest.mark.parametrize("name", IMAGE_CASES)
def test_image_summary_decodes_to_tensorflows_pixels(name: str) -> None:
    value, serialized = _run(CASES[name])
    ours = proto.Summary.FromString(serialized).value
    theirs = proto.Summary.FromString(bytes.fromhex(RECORDED[name]["hex"])).value
    assert value.op.name == RECORDED[name]["op"]
    assert [(v.tag, v.image.height, v.image.width, v.image.colorspace) for v in ours] == \
        [(v.tag, v.image.height, v.image.width, v.image.colorspace) for v in theirs]
    for mine, pixels in zip(ours, RECORDED[name]["pixels"], strict=True):
        np.testing.assert_array_equal(_png_pixels(mine.image.encoded_image_string), pixels)


def test_summaries_join_the_summaries_collection_and_merge_all_merges_them() -> None:
    with sm.Graph().as_default():
        with sm.name_scope("train"):
            loss = summary.scalar("loss", sm.constant(1.0))
        hist = summary.histogram("w", sm.constant([1.0, 2.0]), collections=["mine"])
        assert loss.name == "train/loss:0" and loss.dtype is sm.string and loss.shape == ()
        assert sm.get_collection(sm.GraphKeys.SUMMARIES) == [loss]
        assert sm.get_collection("mine") == [hist]
        merged = summary.merge_all()
        assert merged.op.name == "Merge/MergeSummary" and list(merged.op.inputs) == [loss]
        assert summary.merge_all("nothing here") is None
        with sm.Session() as sess:
            (value,) = proto.Summary.FromString(sess.run(merged)).value
        assert (value.tag, value.simple_value) == ("train/loss", 1.0)


def test_histogram_buckets_agree_with_numpy() -> None:
    values = np.random.default_rng(3).standard_normal(5000) * 10
    with sm.Graph().as_default(), sm.Session() as sess:
        histo = proto.Summary.FromString(
            sess.run(summary.histogram("x", sm.constant(values)))).value[0].histo
    limits = np.array(histo.bucket_limit)
    counts, _ = np.histogram(values, np.concatenate([[-np.inf], limits]))
    np.testing.assert_array_equal(counts, histo.bucket)
    assert (histo.min, histo.max, histo.num) == (values.min(), values.max(), 5000)
    np.testing.assert_allclose([histo.sum, histo.sum_squares],
                               [values.sum(), (values ** 2).sum()], rtol=1e-12)
    assert np.all(np.diff(limits) > 0) and sum(histo.bucket) == 5000


def test_a_hand_built_summary_is_tfs_message() -> None:
    built = summary.Summary(value=[summary.Summary.Value(tag="loss", simple_value=0.5)])
    # NOTE: value (1) { tag (1) "loss", simple_value (2) 0.5 as a little-endian float32 }
    assert built.SerializeToString().hex() == "0a0b0a046c6f7373150000003f"
    assert summary.Summary.FromString(built.SerializeToString()) == built


# --- bad inputs ---------------------------------------------------------------------------------

def _fails_at_run_time(build, message: str) -> None:
    with sm.Graph().as_default():
        value = build()
        with sm.Session() as sess, pytest.raises(sm.errors.InvalidArgumentError, match=message):
            sess.run(value)


def test_bad_summary_inputs_fail_with_tfs_messages() -> None:
    _fails_at_run_time(lambda: summary.histogram("h", sm.constant([1.0, np.nan])),
                       "Nan in summary histogram for: h")
    _fails_at_run_time(lambda: summary.histogram("h", sm.constant([np.inf])),
                       "Infinity in summary histogram for: h")
    _fails_at_run_time(lambda: summary.scalar("s", sm.constant([1.0, 2.0])),
                       r"tags and values are not the same shape: \[\] != \[2\] \(tag 's'\)")
    _fails_at_run_time(lambda: summary.image("i", sm.constant(np.zeros((2, 3), np.float32))),
                       r"Tensor must be 4-D with last dim 1, 3, or 4, not \[2,3\]")
    _fails_at_run_time(lambda: summary.audio("a", sm.constant(np.zeros(3, np.float32)), 8000),
                       r"Tensor must be 3-D or 2-D, got: \[3\]")
    _fails_at_run_time(lambda: summary.audio("a", sm.zeros([1, 4]), 0.0),
                       "sample_rate must be > 0")
    _fails_at_run_time(lambda: summary.merge([summary.scalar("s", 1.0), sm.constant(b"\xff")]),
                       "Could not parse one of the summary inputs")


def test_duplicate_tags_in_a_merge_fail() -> None:
    def build():
        first = summary.scalar("same", 1.0)
        second = summary.Summary(value=[summary.Summary.Value(tag="same", simple_value=2.0)])
        return summary.merge([first, sm.constant(second.SerializeToString())])
    _fails_at_run_time(build, "Duplicate tag same found in summary inputs")


def test_builders_refuse_bad_arguments_when_building(tmp_path) -> None:
    with sm.Graph().as_default():
        with pytest.raises(ValueError, match="Expected tensor .* to have dtype string"):
            summary.text("t", sm.constant(1.0))
        with pytest.raises(ValueError, match="max_images"):
            summary.image("i", sm.zeros([1, 2, 2, 3]), max_outputs=0)
        with pytest.raises(TypeError, match="'values'"):
            summary.histogram("h", sm.constant(["a"]))
        with pytest.raises(TypeError, match="Summary protobuf or its serialized bytes"):
            with summary.FileWriter(str(tmp_path)) as writer:
                writer.add_summary(3.0)


# --- event files ----------------------------------------------------------------------------------

def test_crc32c_and_record_framing_are_tfrecords() -> None:
    assert crc32c(b"123456789") == 0xE3069283  # NOTE: CRC-32C's published check value
    assert masked_crc32c(b"") == ((0 >> 15 | 0 << 17) + 0xA282EAD8) & 0xFFFFFFFF
    record = tfrecord(b"payload")
    assert record[:8] == (7).to_bytes(8, "little") and record[12:19] == b"payload"
    assert len(record) == 8 + 4 + 7 + 4


def test_reads_the_events_file_tensorflow_wrote() -> None:
    events = _events(GOLDEN / "tf_events")
    assert events[0].file_version == "brain.Event:2"
    graph = proto.GraphDef.FromString(next(e.graph_def for e in events if e.HasField("graph_def")))
    assert {"x", "loss"} <= {node.name for node in graph.node}
    # NOTE: the op named `loss` (a Square) came first, so the summary's scope is loss_1
    losses = [(e.step, v.simple_value) for e in events if e.HasField("summary")
              for v in e.summary.value if v.tag == "loss_1"]
    assert losses == [(step, (step + 0.5) ** 2) for step in range(3)]


def test_file_writer_output_reads_back_in_tensorboard(tmp_path) -> None:
    graph = sm.Graph()
    with graph.as_default():
        x = sm.placeholder(sm.float32, [None], name="x")
        with sm.device("/cpu:0"), sm.name_scope("train"):
            loss = sm.reduce_mean(sm.square(x), name="loss")
        summary.scalar("loss", loss)
        summary.histogram("inputs", x)
        summary.image("picture", sm.reshape(x[:12], [1, 2, 2, 3]))
        summary.audio("sound", sm.reshape(sm.tanh(x), [1, -1]), 8000)
        summary.text("note", sm.constant("hello"))
        merged = summary.merge_all()
        writer = summary.FileWriter(str(tmp_path), graph)
        values = np.linspace(-1, 1, 16).astype(np.float32)
        with sm.Session() as sess:
            for step in range(3):
                writer.add_summary(sess.run(merged, {x: values * (step + 1)}), step)
        writer.close()
    accumulator = _accumulator(tmp_path)
    scalars = accumulator.Scalars("loss")
    assert [s.step for s in scalars] == [0, 1, 2]
    np.testing.assert_allclose([s.value for s in scalars],
                               [np.mean((values * k) ** 2) for k in (1, 2, 3)], rtol=1e-6)
    histogram = accumulator.Histograms("inputs")[2].histogram_value
    counts, _ = np.histogram(values * 3, np.concatenate([[-np.inf], histogram.bucket_limit]))
    np.testing.assert_array_equal(counts, histogram.bucket)
    image = accumulator.Images("picture/image/0")[0]
    assert (image.width, image.height) == (2, 2)
    assert _png_pixels(image.encoded_image_string).shape == (2, 2, 3)
    assert accumulator.Audio("sound/audio/0")[0].sample_rate == 8000
    assert accumulator.Tensors("note")[0].tensor_proto.string_val == [b"hello"]
    nodes = {node.name: node for node in accumulator.Graph().node}
    assert nodes["train/loss"].op == "Mean" and nodes["train/loss"].device.endswith("CPU:0")
    assert nodes["train/loss"].input[0] == "train/Square"
    assert "x" in nodes and nodes["x"].op == "Placeholder"


def test_run_metadata_of_a_traced_run_reads_back(tmp_path) -> None:
    with sm.Graph().as_default() as graph:
        a = sm.placeholder(sm.float32, [20, 20], name="a")
        product = sm.matmul(a, a, name="product")
        metadata = sm.RunMetadata()
        with sm.Session() as sess:
            sess.run(product, {a: np.ones((20, 20), np.float32)},
                     options=sm.RunOptions(trace_level=sm.RunOptions.FULL_TRACE),
                     run_metadata=metadata)
    with summary.FileWriter(str(tmp_path), graph) as writer:
        writer.add_run_metadata(metadata, "step 0", global_step=0)
        with pytest.raises(ValueError, match="tag was already used"):
            writer.add_run_metadata(metadata, "step 0")
    read = _accumulator(tmp_path).RunMetadata("step 0")
    stats = {n.node_name: n for d in read.step_stats.dev_stats for n in d.node_stats}
    assert "product" in stats
    assert stats["product"].memory[0].total_bytes == 20 * 20 * 4
    assert stats["product"].all_end_rel_micros >= 0
    # as TF: start times are microseconds since the epoch, so a timeline places the run in time
    assert abs(stats["product"].all_start_micros / 1e6 - time.time()) < 600


def test_hand_built_summaries_session_logs_and_repeated_metadata(tmp_path) -> None:
    with summary.FileWriter(str(tmp_path), filename_suffix=".mine") as writer:
        assert writer.get_logdir() == str(tmp_path)
        for step, loss in enumerate([0.5, 0.25]):
            writer.add_summary(summary.Summary(value=[summary.Summary.Value(
                tag="loss", simple_value=loss)]), global_step=step)
        with sm.Graph().as_default(), sm.Session() as sess:
            text = sess.run(summary.text("note", sm.constant("hi")))
        writer.add_summary(text, 0)
        writer.add_summary(text, 1)
        writer.add_session_log(summary.SessionLog(status=summary.SessionLog.START), 2)
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    assert path.endswith(f".{socket.gethostname()}.mine")
    events = _events(tmp_path)
    losses = [(e.step, e.summary.value[0].simple_value) for e in events[1:3]]
    assert losses == [(0, 0.5), (1, 0.25)]
    # NOTE: as TF, a tag's metadata is written with its first value only
    assert [e.summary.value[0].HasField("metadata") for e in events[3:5]] == [True, False]
    assert events[5].session_log.status == summary.SessionLog.START


def test_flush_writes_and_reopen_starts_a_new_file(tmp_path) -> None:
    writer = summary.FileWriter(str(tmp_path), flush_secs=1000)
    writer.add_summary(summary.Summary(value=[summary.Summary.Value(tag="a", simple_value=1)]))
    writer.flush()
    assert [e.summary.value[0].tag for e in _events(tmp_path)[1:]] == ["a"]
    writer.close()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        writer.add_event(proto.Event(step=5))
    assert "closed FileWriter" in str(caught[0].message)
    writer.reopen()
    writer.add_summary(summary.Summary(value=[summary.Summary.Value(tag="b", simple_value=2)]))
    writer.close()
    # NOTE: a file's name has the second it was opened in: one file, or two, per second
    events = [proto.Event.FromString(payload)
              for path in sorted(glob.glob(str(tmp_path / "events.out.tfevents.*")))
              for payload in read_tfrecords(path)]
    assert [e.WhichOneof("what") for e in events] == ["file_version", "summary"] * 2
    assert [e.summary.value[0].tag for e in events if e.HasField("summary")] == ["a", "b"]


def test_file_writer_cache_shares_one_writer_per_logdir(tmp_path) -> None:
    with sm.Graph().as_default():
        first = summary.FileWriterCache.get(str(tmp_path))
        assert summary.FileWriterCache.get(str(tmp_path)) is first
        summary.FileWriterCache.clear()
        assert summary.FileWriterCache.get(str(tmp_path)) is not first
        summary.FileWriterCache.clear()
    assert any(e.HasField("graph_def") for e in _events_of_first_file(tmp_path))


def _events_of_first_file(logdir) -> list:
    path = sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*")))[0]
    return [proto.Event.FromString(payload) for payload in read_tfrecords(path)]


def test_events_are_written_at_interpreter_exit(tmp_path) -> None:
    script = ("import session_magic as tf\nfrom session_magic import summary\n"
              f"w = summary.FileWriter({str(tmp_path)!r}, flush_secs=1000)\n"
              "w.add_summary(summary.Summary(value=[summary.Summary.Value(tag='end', "
              "simple_value=3.0)]), 7)\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    (last,) = [e for e in _events(tmp_path) if e.HasField("summary")]
    assert (last.step, last.summary.value[0].tag) == (7, "end")


def test_importing_session_magic_loads_no_summary_machinery() -> None:
    lazy = ("session_magic.summary", "session_magic.proto", "session_magic.interop",
            "session_magic.ops.summary_ops")
    loaded = subprocess.run([sys.executable, "-c", "import sys, session_magic\n"
                             "print('\\n'.join(sys.modules))"],
                            capture_output=True, text=True, check=True, timeout=120).stdout.split()
    assert not [m for m in loaded if any(m == n or m.startswith(n + ".") for n in lazy)]


# --- the TensorBoard server -----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch_json(url: str, deadline: float):
    """The JSON at `url` once the server has loaded something there (None before the deadline
    passes means it never did)."""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                data = json.loads(response.read())
            if data:
                return data
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    return None


def _fetch_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_tensorboard_server_serves_scalars_graph_and_run_metadata(tmp_path) -> None:
    pytest.importorskip("tensorboard")
    with sm.Graph().as_default() as graph:
        step_value = sm.placeholder(sm.float32, [], name="value")
        with sm.device("/cpu:0"):
            doubled = sm.multiply(step_value, 2.0, name="doubled")
        loss = summary.scalar("loss", step_value)
        metadata = sm.RunMetadata()
        with summary.FileWriter(str(tmp_path), graph) as writer, sm.Session() as sess:
            for step in range(4):
                writer.add_summary(sess.run(loss, {step_value: 1.0 / (step + 1)}), step)
            sess.run(doubled, {step_value: 1.0}, run_metadata=metadata,
                     options=sm.RunOptions(trace_level=sm.RunOptions.FULL_TRACE))
            writer.add_run_metadata(metadata, "traced")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path), "--host",
         "127.0.0.1", "--port", str(port), "--load_fast=false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/data/plugin"
    try:
        data = _fetch_json(f"{base}/scalars/scalars?run=.&tag=loss", time.monotonic() + 90)
        graph_text = _fetch_text(f"{base}/graphs/graph?run=.&conceptual=false")
        traced = _fetch_text(f"{base}/graphs/run_metadata?run=.&tag=traced")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert data is not None, "TensorBoard never served the scalars"
    assert [row[1] for row in data] == [0, 1, 2, 3]
    np.testing.assert_allclose([row[2] for row in data], [1, 1 / 2, 1 / 3, 1 / 4], rtol=1e-6)
    assert 'name: "doubled"' in graph_text and 'op: "Mul"' in graph_text
    assert 'device: "/device:CPU:0"' in graph_text
    assert 'node_name: "doubled"' in traced


def test_summary_iterator_reads_back_what_a_file_writer_wrote_and_refuses_damage(tmp_path):
    with sm.Graph().as_default():
        loss = sm.placeholder(sm.float32, [], name="loss")
        scalar = sm.summary.scalar("loss", loss)
        with sm.Session() as sess, sm.summary.FileWriter(str(tmp_path)) as writer:
            for step in range(3):
                writer.add_summary(sess.run(scalar, {loss: step / 2}), step)
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    events = list(sm.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    assert [(e.step, e.summary.value[0].simple_value) for e in events[1:]] == \
        [(0, 0.0), (1, 0.5), (2, 1.0)]
    data = bytearray(pathlib.Path(path).read_bytes())
    data[-3] ^= 0xFF
    pathlib.Path(path).write_bytes(bytes(data))
    with pytest.raises(sm.errors.DataLossError, match="corrupt record"):
        list(sm.train.summary_iterator(path))
