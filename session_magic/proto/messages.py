"""TF's messages, field for field as TF's .proto files declare them (proto3): tensors, attrs,
NodeDef and GraphDef, summaries and events, run metadata, checkpoints' bundle entries,
tf.train.Example, and the MetaGraphDef parts a Saver writes."""
from __future__ import annotations

from .wire import Field as F
from .wire import Message

__all__ = ["DATA_TYPES", "TensorShapeProto", "TensorProto", "AttrValue", "NameAttrList",
           "NodeDef", "VersionDef", "FunctionDefLibrary", "GraphDef", "HistogramProto",
           "SummaryMetadata", "Summary", "LogMessage", "SessionLog", "TaggedRunMetadata",
           "Event", "AllocatorMemoryUsed", "NodeOutput", "NodeExecStats", "DeviceStepStats",
           "StepStats", "RunMetadata", "BundleHeaderProto", "BundleEntryProto",
           "TensorSliceProto", "BytesList", "FloatList", "Int64List", "Feature", "Features",
           "FeatureList", "FeatureLists", "Example", "SequenceExample", "SaverDef",
           "CollectionDef", "MetaInfoDef", "MetaGraphDef"]

# NOTE: types.proto's DataType numbers; a reference type is its base + 100
DATA_TYPES = {"DT_INVALID": 0, "DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3, "DT_UINT8": 4,
              "DT_INT16": 5, "DT_INT8": 6, "DT_STRING": 7, "DT_COMPLEX64": 8, "DT_INT64": 9,
              "DT_BOOL": 10, "DT_QINT8": 11, "DT_QUINT8": 12, "DT_QINT32": 13,
              "DT_BFLOAT16": 14, "DT_QINT16": 15, "DT_QUINT16": 16, "DT_UINT16": 17,
              "DT_COMPLEX128": 18, "DT_HALF": 19, "DT_RESOURCE": 20, "DT_VARIANT": 21,
              "DT_UINT32": 22, "DT_UINT64": 23}
DATA_TYPES.update({f"{name}_REF": number + 100 for name, number in list(DATA_TYPES.items())
                   if number})


class TensorShapeProto(Message):
    class Dim(Message):
        FIELDS = (F(1, "size", "int64"), F(2, "name", "string"))

    FIELDS = (F(2, "dim", "message", True, Dim), F(3, "unknown_rank", "bool"))


class TensorProto(Message):
    FIELDS = (F(1, "dtype", "enum", message=DATA_TYPES),
              F(2, "tensor_shape", "message", message=TensorShapeProto),
              F(3, "version_number", "int32"), F(4, "tensor_content", "bytes"),
              F(13, "half_val", "int32", True), F(5, "float_val", "float", True),
              F(6, "double_val", "double", True), F(7, "int_val", "int32", True),
              F(8, "string_val", "bytes", True), F(9, "scomplex_val", "float", True),
              F(10, "int64_val", "int64", True), F(11, "bool_val", "bool", True),
              F(12, "dcomplex_val", "double", True), F(16, "uint32_val", "uint32", True),
              F(17, "uint64_val", "uint64", True))


class NameAttrList(Message):
    FIELDS = (F(1, "name", "string"), F(2, "attr", "map", message="AttrValue"))


class AttrValue(Message):
    class ListValue(Message):
        FIELDS = (F(2, "s", "bytes", True), F(3, "i", "int64", True), F(4, "f", "float", True),
                  F(5, "b", "bool", True), F(6, "type", "enum", True, DATA_TYPES),
                  F(7, "shape", "message", True, TensorShapeProto),
                  F(8, "tensor", "message", True, TensorProto),
                  F(9, "func", "message", True, NameAttrList))

    FIELDS = (F(1, "list", "message", message=ListValue, oneof="value"),
              F(2, "s", "bytes", oneof="value"), F(3, "i", "int64", oneof="value"),
              F(4, "f", "float", oneof="value"), F(5, "b", "bool", oneof="value"),
              F(6, "type", "enum", message=DATA_TYPES, oneof="value"),
              F(7, "shape", "message", message=TensorShapeProto, oneof="value"),
              F(8, "tensor", "message", message=TensorProto, oneof="value"),
              F(9, "placeholder", "string", oneof="value"),
              F(10, "func", "message", message=NameAttrList, oneof="value"))


class NodeDef(Message):
    FIELDS = (F(1, "name", "string"), F(2, "op", "string"), F(3, "input", "string", True),
              F(4, "device", "string"), F(5, "attr", "map", message=AttrValue))


class VersionDef(Message):
    FIELDS = (F(1, "producer", "int32"), F(2, "min_consumer", "int32"),
              F(3, "bad_consumers", "int32", True))


class FunctionDefLibrary(Message):
    """Kept opaque: TF1 frozen graphs have none; a library TF wrote is carried as bytes."""

    FIELDS = ()


class GraphDef(Message):
    FIELDS = (F(1, "node", "message", True, NodeDef),
              F(2, "library", "message", message=FunctionDefLibrary),
              F(3, "version", "int32"), F(4, "versions", "message", message=VersionDef))


# --- summaries and events ---------------------------------------------------------------------

class HistogramProto(Message):
    FIELDS = (F(1, "min", "double"), F(2, "max", "double"), F(3, "num", "double"),
              F(4, "sum", "double"), F(5, "sum_squares", "double"),
              F(6, "bucket_limit", "double", True), F(7, "bucket", "double", True))


class SummaryMetadata(Message):
    class PluginData(Message):
        FIELDS = (F(1, "plugin_name", "string"), F(2, "content", "bytes"))

    FIELDS = (F(1, "plugin_data", "message", message=PluginData),
              F(2, "display_name", "string"), F(3, "summary_description", "string"),
              F(4, "data_class", "enum"))


class Summary(Message):
    class Image(Message):
        FIELDS = (F(1, "height", "int32"), F(2, "width", "int32"), F(3, "colorspace", "int32"),
                  F(4, "encoded_image_string", "bytes"))

    class Audio(Message):
        FIELDS = (F(1, "sample_rate", "float"), F(2, "num_channels", "int64"),
                  F(3, "length_frames", "int64"), F(4, "encoded_audio_string", "bytes"),
                  F(5, "content_type", "string"))

    class Value(Message):
        FIELDS = (F(7, "node_name", "string"), F(1, "tag", "string"),
                  F(9, "metadata", "message", message=SummaryMetadata),
                  F(2, "simple_value", "float", oneof="value"),
                  F(3, "obsolete_old_style_histogram", "bytes", oneof="value"),
                  F(4, "image", "message", message="Summary.Image", oneof="value"),
                  F(5, "histo", "message", message=HistogramProto, oneof="value"),
                  F(6, "audio", "message", message="Summary.Audio", oneof="value"),
                  F(8, "tensor", "message", message=TensorProto, oneof="value"))

    FIELDS = (F(1, "value", "message", True, "Summary.Value"),)


class LogMessage(Message):
    FIELDS = (F(1, "level", "enum"), F(2, "message", "string"))


class SessionLog(Message):
    STATUS_UNSPECIFIED, START, STOP, CHECKPOINT = 0, 1, 2, 3
    FIELDS = (F(1, "status", "enum", message={"STATUS_UNSPECIFIED": 0, "START": 1, "STOP": 2,
                                               "CHECKPOINT": 3}),
              F(2, "checkpoint_path", "string"), F(3, "msg", "string"))


class TaggedRunMetadata(Message):
    FIELDS = (F(1, "tag", "string"), F(2, "run_metadata", "bytes"))


class Event(Message):
    FIELDS = (F(1, "wall_time", "double"), F(2, "step", "int64"),
              F(3, "file_version", "string", oneof="what"),
              F(4, "graph_def", "bytes", oneof="what"),
              F(5, "summary", "message", message=Summary, oneof="what"),
              F(6, "log_message", "message", message=LogMessage, oneof="what"),
              F(7, "session_log", "message", message=SessionLog, oneof="what"),
              F(8, "tagged_run_metadata", "message", message=TaggedRunMetadata, oneof="what"),
              F(9, "meta_graph_def", "bytes", oneof="what"))


# --- run metadata (step_stats.proto, config.proto) ---------------------------------------------

class AllocatorMemoryUsed(Message):
    FIELDS = (F(1, "allocator_name", "string"), F(2, "total_bytes", "int64"),
              F(3, "peak_bytes", "int64"), F(4, "live_bytes", "int64"),
              F(5, "allocator_bytes_in_use", "int64"))


class NodeOutput(Message):
    FIELDS = (F(1, "slot", "int32"),)


class NodeExecStats(Message):
    FIELDS = (F(1, "node_name", "string"), F(2, "all_start_micros", "int64"),
              F(3, "op_start_rel_micros", "int64"), F(4, "op_end_rel_micros", "int64"),
              F(5, "all_end_rel_micros", "int64"),
              F(6, "memory", "message", True, AllocatorMemoryUsed),
              F(7, "output", "message", True, NodeOutput), F(8, "timeline_label", "string"),
              F(9, "scheduled_micros", "int64"), F(10, "thread_id", "uint32"),
              F(13, "all_start_nanos", "int64"), F(14, "op_start_rel_nanos", "int64"),
              F(15, "op_end_rel_nanos", "int64"), F(16, "all_end_rel_nanos", "int64"),
              F(17, "scheduled_nanos", "int64"))


class DeviceStepStats(Message):
    FIELDS = (F(1, "device", "string"), F(2, "node_stats", "message", True, NodeExecStats),
              F(3, "thread_names", "map", message="string", key_kind="uint32"))


class StepStats(Message):
    FIELDS = (F(1, "dev_stats", "message", True, DeviceStepStats),)


class RunMetadata(Message):
    FIELDS = (F(1, "step_stats", "message", message=StepStats),
              F(3, "partition_graphs", "message", True, GraphDef))


# --- checkpoints (tensor_bundle.proto, tensor_slice.proto) -------------------------------------

class TensorSliceProto(Message):
    class Extent(Message):
        FIELDS = (F(1, "start", "int64"), F(2, "length", "int64", oneof="has_length"))

    FIELDS = (F(1, "extent", "message", True, Extent),)


class BundleHeaderProto(Message):
    LITTLE, BIG = 0, 1
    FIELDS = (F(1, "num_shards", "int32"),
              F(2, "endianness", "enum", message={"LITTLE": 0, "BIG": 1}),
              F(3, "version", "message", message=VersionDef))


class BundleEntryProto(Message):
    FIELDS = (F(1, "dtype", "enum", message=DATA_TYPES),
              F(2, "shape", "message", message=TensorShapeProto), F(3, "shard_id", "int32"),
              F(4, "offset", "int64"), F(5, "size", "int64"), F(6, "crc32c", "fixed32"),
              F(7, "slices", "message", True, TensorSliceProto))


# --- tf.train.Example (feature.proto, example.proto) -------------------------------------------

class BytesList(Message):
    FIELDS = (F(1, "value", "bytes", True),)


class FloatList(Message):
    FIELDS = (F(1, "value", "float", True),)


class Int64List(Message):
    FIELDS = (F(1, "value", "int64", True),)


class Feature(Message):
    FIELDS = (F(1, "bytes_list", "message", message=BytesList, oneof="kind"),
              F(2, "float_list", "message", message=FloatList, oneof="kind"),
              F(3, "int64_list", "message", message=Int64List, oneof="kind"))


class Features(Message):
    FIELDS = (F(1, "feature", "map", message=Feature),)


class FeatureList(Message):
    FIELDS = (F(1, "feature", "message", True, Feature),)


class FeatureLists(Message):
    FIELDS = (F(1, "feature_list", "map", message=FeatureList),)


class Example(Message):
    FIELDS = (F(1, "features", "message", message=Features),)


class SequenceExample(Message):
    FIELDS = (F(1, "context", "message", message=Features),
              F(2, "feature_lists", "message", message=FeatureLists))


# --- meta graphs (meta_graph.proto, saver.proto) ------------------------------------------------

class SaverDef(Message):
    FIELDS = (F(1, "filename_tensor_name", "string"), F(2, "save_tensor_name", "string"),
              F(3, "restore_op_name", "string"), F(4, "max_to_keep", "int32"),
              F(5, "sharded", "bool"), F(6, "keep_checkpoint_every_n_hours", "float"),
              F(7, "version", "enum", message={"LEGACY": 0, "V1": 1, "V2": 2}))


class CollectionDef(Message):
    class NodeList(Message):
        FIELDS = (F(1, "value", "string", True),)

    FIELDS = (F(1, "node_list", "message", message=NodeList, oneof="kind"),
              F(2, "bytes_list", "message", message=BytesList, oneof="kind"),
              F(3, "int64_list", "message", message=Int64List, oneof="kind"),
              F(4, "float_list", "message", message=FloatList, oneof="kind"))


class MetaInfoDef(Message):
    FIELDS = (F(1, "meta_graph_version", "string"), F(4, "tags", "string", True),
              F(5, "tensorflow_version", "string"), F(6, "tensorflow_git_version", "string"),
              F(7, "stripped_default_attrs", "bool"))


class MetaGraphDef(Message):
    FIELDS = (F(1, "meta_info_def", "message", message=MetaInfoDef),
              F(2, "graph_def", "message", message=GraphDef),
              F(3, "saver_def", "message", message=SaverDef),
              F(4, "collection_def", "map", message=CollectionDef))
