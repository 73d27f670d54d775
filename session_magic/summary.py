"""`tf.summary`: summary ops that give serialized `Summary` protobufs (scalar, histogram, image,
audio, text, tensor_summary, merge, merge_all) and FileWriter, which writes them, the graph and
run metadata to event files TensorBoard reads. Loaded on first use of `tf.summary`; needs no
TensorFlow, TensorBoard or protobuf (session_magic.proto encodes the messages)."""
from __future__ import annotations

import re
import sys
import threading
import time
import warnings
from typing import Any, ClassVar, Optional, Sequence

import numpy as np

from . import dtypes as d
from . import proto
from . import unsupported as _missing_names
from .graph import Graph, GraphKeys, Tensor, add_to_collection, get_collection, \
    get_default_graph, name_scope
from .interop.event_writer import EventFileWriter
from .ops.common import count_arg, single
from .ops.conversion import convert_to_tensor
from .ops.registry import apply_op
from .ops import summary_ops  # noqa: F401  (registers the summary ops)

__all__ = ["scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge",
           "merge_all", "all_v2_summary_ops", "FileWriter", "FileWriterCache", "Summary",
           "SummaryMetadata", "Event", "SessionLog", "TaggedRunMetadata"]

Summary = proto.Summary
SummaryMetadata = proto.SummaryMetadata
Event = proto.Event
SessionLog = proto.SessionLog
TaggedRunMetadata = proto.TaggedRunMetadata

_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")


def _clean_tag(name: Optional[str]) -> Optional[str]:
    """TF's clean_tag: characters a tag may not hold become '_', leading slashes go."""
    if name is None:
        return None
    return _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


class _SummaryScope:
    """TF's summary_scope: a name scope `[family/]name` and the tag, its name without the
    trailing '/' (prefixed by the family again, so TensorBoard shows it in the family's tab)."""

    def __init__(self, name: str, family: Optional[str], values: Sequence[Any]) -> None:
        self._name, self._family = _clean_tag(name), _clean_tag(family)
        base = self._name if self._family is None else f"{self._family}/{self._name}"
        self._scope = name_scope(base, None, values=list(values))

    def __enter__(self) -> tuple:
        scope = self._scope.__enter__()
        tag = scope.rstrip("/")
        return (tag if self._family is None else f"{self._family}/{tag}"), scope

    def __exit__(self, *exc: Any) -> None:
        self._scope.__exit__(*exc)


def _collect(value: Tensor, collections: Optional[Sequence[str]], default: Sequence[str]) -> None:
    for key in default if collections is None else collections:
        add_to_collection(key, value)


def scalar(name: str, tensor: Any, collections: Optional[Sequence[str]] = None,
           family: Optional[str] = None) -> Tensor:
    """A summary of one real number (`Summary.Value.simple_value`), tagged with the scope's
    name: `scalar('loss', x)` under name scope 'train' is tagged 'train/loss'."""
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        value = single(apply_op("ScalarSummary", [tag, tensor], {}, scope,
                                arg_names=("tags", "values")))
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def histogram(name: str, values: Any, collections: Optional[Sequence[str]] = None,
              family: Optional[str] = None) -> Tensor:
    """A histogram of every element of `values` in TF's buckets (fails at run time on NaN or
    infinity, as TF's kernel does)."""
    with _SummaryScope(name, family, [values]) as (tag, scope):
        value = single(apply_op("HistogramSummary", [tag, values], {}, scope,
                                arg_names=("tag", "values")))
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


_BAD_COLOR = np.array([255, 0, 0, 255], np.uint8)  # NOTE: TF's default: opaque red


def image(name: str, tensor: Any, max_outputs: int = 3,
          collections: Optional[Sequence[str]] = None, family: Optional[str] = None) -> Tensor:
    """PNGs of the first `max_outputs` images of a [batch, height, width, 1|3|4] tensor: uint8 as
    they are, floats scaled to 0..255 as TF scales them; tagged 'name/image/0', ... (or
    'name/image' when max_outputs is 1)."""
    count = count_arg(max_outputs, "max_images", "ImageSummary", 1)
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        value = single(apply_op("ImageSummary", [tag, tensor],
                                {"max_images": count, "bad_color": _BAD_COLOR}, scope,
                                arg_names=("tag", "tensor")))
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def audio(name: str, tensor: Any, sample_rate: Any, max_outputs: int = 3,
          collections: Optional[Sequence[str]] = None, family: Optional[str] = None) -> Tensor:
    """16-bit WAVs of the first `max_outputs` clips of a float32 [batch, frames(, channels)]
    tensor of samples in [-1, 1]."""
    count = count_arg(max_outputs, "max_outputs", "AudioSummaryV2", 1)
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        rate = convert_to_tensor(sample_rate, d.float32, name="sample_rate")
        value = single(apply_op("AudioSummaryV2", [tag, tensor, rate], {"max_outputs": count},
                                scope, arg_names=("tag", "tensor", "sample_rate")))
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def tensor_summary(name: str, tensor: Any, summary_description: Optional[str] = None,
                   collections: Optional[Sequence[str]] = None,
                   summary_metadata: Optional[proto.SummaryMetadata] = None,
                   family: Optional[str] = None, display_name: Optional[str] = None) -> Tensor:
    """A summary holding the whole tensor as a TensorProto, with `summary_metadata` (which
    TensorBoard plugin reads it)."""
    metadata = proto.SummaryMetadata() if summary_metadata is None else summary_metadata
    if summary_description is not None:
        metadata.summary_description = summary_description
    if display_name is not None:
        metadata.display_name = display_name
    serialized = metadata.SerializeToString()
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        value = single(apply_op("TensorSummaryV2", [tag, tensor, serialized], {}, scope,
                                arg_names=("tag", "tensor", "serialized_summary_metadata")))
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def text(name: str, tensor: Any, collections: Optional[Sequence[str]] = None) -> Tensor:
    """A string tensor for TensorBoard's text tab (a tensor summary of the 'text' plugin)."""
    if not isinstance(tensor, Tensor):
        tensor = convert_to_tensor(tensor)
    if tensor.dtype is not d.string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got "
                         f"{tensor.dtype.name}")
    metadata = proto.SummaryMetadata(
        plugin_data=proto.SummaryMetadata.PluginData(plugin_name="text"))
    return tensor_summary(name, tensor, summary_metadata=metadata, collections=collections)


def merge(inputs: Sequence[Any], collections: Optional[Sequence[str]] = None,
          name: Optional[str] = None) -> Tensor:
    """One Summary holding every value of `inputs` (a duplicate tag fails at run time). As in
    TF, the op is named `name` inside a scope of that name (`Merge/MergeSummary` by default)."""
    inputs = list(inputs)
    count = count_arg(len(inputs), "N", "MergeSummary", 1)
    with name_scope(name, "Merge", inputs):
        value = single(apply_op("MergeSummary", inputs, {"N": count}, name,
                                default_name="MergeSummary",
                                arg_names=tuple(f"inputs_{i}" for i in range(count))))
        _collect(value, collections, [])
    return value


def all_v2_summary_ops() -> list:
    """TF 2's summary ops of the default graph: none here (session_magic has TF 1's only)."""
    return get_collection("_SUMMARY_V2")


def merge_all(key: str = GraphKeys.SUMMARIES, scope: Optional[str] = None,
              name: Optional[str] = None) -> Optional[Tensor]:
    """`merge` of every summary in collection `key` (optionally under `scope`); None if none."""
    summaries = get_collection(key, scope=scope)
    return merge(summaries, name=name) if summaries else None


# --- writing events ------------------------------------------------------------------------------

def run_metadata_proto(run_metadata: Any) -> Any:
    """A protobuf RunMetadata: session_magic's (filled by a traced `Session.run`) converted,
    so TensorBoard's graph can colour ops by compute time and memory; a protobuf as it is."""
    if hasattr(run_metadata, "SerializeToString"):
        return run_metadata
    step_stats = proto.StepStats(dev_stats=[
        proto.DeviceStepStats(device=device.device,
                              node_stats=[_node_stats(n) for n in device.node_stats])
        for device in run_metadata.step_stats.dev_stats])
    return proto.RunMetadata(step_stats=step_stats)


def _node_stats(stats: Any) -> proto.NodeExecStats:
    nbytes = int(getattr(stats, "output_bytes", 0))
    return proto.NodeExecStats(
        node_name=stats.node_name, all_start_micros=stats.all_start_micros,
        op_start_rel_micros=stats.op_start_rel_micros, op_end_rel_micros=stats.op_end_rel_micros,
        all_end_rel_micros=stats.all_end_rel_micros, timeline_label=stats.timeline_label,
        memory=[proto.AllocatorMemoryUsed(allocator_name="cpu", total_bytes=nbytes,
                                          peak_bytes=nbytes)])


class FileWriter:
    """Writes summaries, the graph and run metadata to an events file in `logdir`, in the
    background: `add_*` queue an Event and return; `flush()` waits until they are written.

        writer = tf.summary.FileWriter("logs", sess.graph)
        writer.add_summary(sess.run(merged), global_step=step)
    """

    def __init__(self, logdir: str, graph: Any = None, max_queue: int = 10,
                 flush_secs: float = 120, graph_def: Any = None,
                 filename_suffix: Optional[str] = None, session: Any = None) -> None:
        if session is not None:
            raise NotImplementedError("FileWriter(session=...) writes through TF2's summary "
                                      "ops, which session_magic does not have; omit it")
        self.event_writer = EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        self._closed = False
        self._run_metadata_tags: set = set()
        self._seen_tags: set = set()
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)
            # NOTE: as TF, a graph given here is also written as a MetaGraphDef
            self.add_meta_graph(proto.MetaGraphDef(graph_def=self._last_graph_def))

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def get_logdir(self) -> str:
        return self.event_writer.get_logdir()

    def add_summary(self, summary: Any, global_step: Optional[int] = None) -> None:
        """A Summary (protobuf or its serialized bytes, as `sess.run` gives a summary op's
        value); metadata is kept on the first value of each tag only, as TF does."""
        if isinstance(summary, np.ndarray):
            summary = summary.item()
        if isinstance(summary, (bytes, bytearray)):
            summary = proto.Summary.FromString(bytes(summary))
        if not isinstance(summary, proto.Summary):
            raise TypeError(f"add_summary takes a Summary protobuf or its serialized bytes, "
                            f"got {type(summary).__name__}")
        for value in summary.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in self._seen_tags:
                value.ClearField("metadata")
            self._seen_tags.add(value.tag)
        self._add_event(proto.Event(summary=summary), global_step)

    def add_session_log(self, session_log: Any, global_step: Optional[int] = None) -> None:
        self._add_event(proto.Event(session_log=session_log), global_step)

    def add_graph(self, graph: Any, global_step: Optional[int] = None,
                  graph_def: Any = None) -> None:
        """The graph TensorBoard draws: a session_magic Graph (`sess.graph`), or a GraphDef."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        given = graph if graph is not None else graph_def
        if isinstance(given, Graph):
            graph_def_proto = given.as_graph_def(add_shapes=True)  # NOTE: shapes label edges
        elif hasattr(given, "SerializeToString"):
            graph_def_proto = given
        else:
            raise TypeError("The passed graph must be an instance of `Graph` or the deprecated "
                            "`GraphDef`")
        self._last_graph_def = _as_graph_def_proto(graph_def_proto)
        self._add_event(proto.Event(graph_def=graph_def_proto.SerializeToString()), global_step)

    def add_meta_graph(self, meta_graph_def: Any, global_step: Optional[int] = None) -> None:
        if not isinstance(meta_graph_def, proto.MetaGraphDef):
            raise TypeError(f"meta_graph_def must be type MetaGraphDef, saw type: "
                            f"{type(meta_graph_def)}")
        self._add_event(proto.Event(meta_graph_def=meta_graph_def.SerializeToString()),
                        global_step)

    def add_run_metadata(self, run_metadata: Any, tag: str,
                         global_step: Optional[int] = None) -> None:
        """Per-op times and memory of a traced run (`options=tf.RunOptions(trace_level=
        tf.RunOptions.FULL_TRACE), run_metadata=...`), shown by TensorBoard's graph under `tag`."""
        if tag in self._run_metadata_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._run_metadata_tags.add(tag)
        serialized = run_metadata_proto(run_metadata).SerializeToString()
        tagged = proto.TaggedRunMetadata(tag=tag, run_metadata=serialized)
        self._add_event(proto.Event(tagged_run_metadata=tagged), global_step)

    def add_event(self, event: Any) -> None:
        self._warn_if_closed()
        self.event_writer.add_event(event)

    def flush(self) -> None:
        """Wait until every event added so far is in the file."""
        self._warn_if_closed()
        self.event_writer.flush()

    def close(self) -> None:
        self.event_writer.close()
        self._closed = True

    def reopen(self) -> None:
        """After `close`: write again (into a new events file)."""
        self.event_writer.reopen()
        self._closed = False

    def _add_event(self, event: Any, step: Optional[int]) -> None:
        self._warn_if_closed()
        event.wall_time = time.time()
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def _warn_if_closed(self) -> None:
        if self._closed:
            warnings.warn("Attempting to use a closed FileWriter. The operation will be a noop "
                          "unless the FileWriter is explicitly reopened.", stacklevel=3)


def _as_graph_def_proto(graph_def: Any) -> proto.GraphDef:
    if isinstance(graph_def, proto.GraphDef):
        return graph_def
    return proto.GraphDef.FromString(graph_def.SerializeToString())


class FileWriterCache:
    """One FileWriter per logdir, shared by whoever asks for it (as TF's `FileWriterCache`)."""

    # NOTE: process-wide by TF's design: `get(logdir)` from anywhere gives the same writer
    _cache: ClassVar[dict] = {}
    _lock: ClassVar[threading.RLock] = threading.RLock()

    @staticmethod
    def get(logdir: str) -> FileWriter:
        with FileWriterCache._lock:
            if logdir not in FileWriterCache._cache:
                FileWriterCache._cache[logdir] = FileWriter(logdir, graph=get_default_graph())
            return FileWriterCache._cache[logdir]

    @staticmethod
    def clear() -> None:
        """Close every cached writer and forget them."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache = {}


# NOTE: this namespace loads lazily, after the package gave the others their missing-name rule
_missing_names.install(sys.modules[__name__], "summary")
