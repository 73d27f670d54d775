"""Record how TF's own protobuf classes encode a set of messages, for tests/test_proto.py.

    /work/tfenv/bin/python tests/golden/record_proto.py

Each case is a message type and its text format; TF parses the text with its generated class
and records the serialized bytes (hex) and its own text format of them. The test checks that
session_magic.proto encodes the same text to the same bytes and reads the bytes back.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

OUT = Path(__file__).resolve().parent / "interop" / "proto" / "messages.json"

CASES = [
    ("GraphDef", 'node { name: "x" op: "Placeholder" device: "/job:worker/task:0" '
                 'attr { key: "dtype" value { type: DT_FLOAT } } '
                 'attr { key: "shape" value { shape { dim { size: -1 } dim { size: 3 } } } } } '
                 'node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } } '
                 'attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { '
                 'size: 3 } } tensor_content: "\\000\\000\\200?\\000\\000\\000@\\000\\000@@" } '
                 '} } } '
                 'node { name: "y" op: "MatMul" input: "x" input: "w:0" input: "^init" '
                 'attr { key: "T" value { type: DT_FLOAT } } '
                 'attr { key: "transpose_a" value { b: false } } '
                 'attr { key: "axis" value { i: 0 } } attr { key: "neg" value { i: -7 } } '
                 'attr { key: "strides" value { list { i: [1, 2, 2, 1] } } } '
                 'attr { key: "empty" value { list { } } } '
                 'attr { key: "eps" value { f: 0.001 } } '
                 'attr { key: "padding" value { s: "SAME" } } } '
                 'versions { producer: 27 min_consumer: 12 }'),
    ("Event", 'wall_time: 1234.5 step: 7 summary { value { tag: "loss" simple_value: 0.25 } '
              'value { tag: "zero" simple_value: 0 } '
              'value { tag: "h" histo { min: -1 max: 2.5 num: 3 sum: 1.5 sum_squares: 7.25 '
              'bucket_limit: [-1, 0, 2.5, 1.7976931348623157e308] bucket: [1, 0, 2, 0] } } }'),
    ("Event", 'wall_time: 1.0 file_version: "brain.Event:2"'),
    ("Event", 'step: -3 tagged_run_metadata { tag: "step3" run_metadata: "\\n\\002\\010\\001" }'),
    ("Summary", 'value { tag: "img" image { height: 2 width: 3 colorspace: 3 '
                'encoded_image_string: "\\211PNG" } } value { tag: "t" metadata { plugin_data '
                '{ plugin_name: "text" } } tensor { dtype: DT_STRING tensor_shape { } '
                'string_val: "h\\303\\251llo" } }'),
    ("TensorProto", 'dtype: DT_INT64 tensor_shape { dim { size: 2 } } int64_val: [-1, '
                    '9223372036854775807]'),
    ("TensorProto", 'dtype: DT_DOUBLE tensor_shape { unknown_rank: true } double_val: [-0.0]'),
    ("BundleEntryProto", 'dtype: DT_FLOAT shape { dim { size: 4 } dim { size: 16 } } '
                         'shard_id: 0 offset: 256 size: 256 crc32c: 3735928559'),
    ("BundleHeaderProto", 'num_shards: 1 endianness: LITTLE version { producer: 1 }'),
    ("Example", 'features { feature { key: "label" value { int64_list { value: [3] } } } '
                'feature { key: "pixels" value { float_list { value: [0.5, -1, 2] } } } '
                'feature { key: "name" value { bytes_list { value: ["a", "bc"] } } } }'),
    ("RunMetadata", 'step_stats { dev_stats { device: "/job:localhost/replica:0/task:0/'
                    'device:CPU:0" node_stats { node_name: "MatMul" all_start_micros: '
                    '1700000000000000 op_start_rel_micros: 1 op_end_rel_micros: 15 '
                    'all_end_rel_micros: 16 timeline_label: "MatMul = MatMul(x, w)" '
                    'thread_id: 3 } } }'),
    ("MetaGraphDef", 'meta_info_def { meta_graph_version: "v1" tags: "serve" } '
                     'saver_def { filename_tensor_name: "save/Const:0" version: V2 '
                     'max_to_keep: 5 keep_checkpoint_every_n_hours: 10000 } '
                     'collection_def { key: "variables" value { bytes_list { value: "w" } } } '
                     'collection_def { key: "train_op" value { node_list { value: "Adam" } } }'),
]


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from google.protobuf import text_format
    from tensorflow.core.example import example_pb2
    from tensorflow.core.framework import graph_pb2, summary_pb2, tensor_pb2
    from tensorflow.core.protobuf import config_pb2, meta_graph_pb2, tensor_bundle_pb2
    from tensorflow.core.util import event_pb2
    classes = {"GraphDef": graph_pb2.GraphDef, "Event": event_pb2.Event,
               "Summary": summary_pb2.Summary, "TensorProto": tensor_pb2.TensorProto,
               "BundleEntryProto": tensor_bundle_pb2.BundleEntryProto,
               "BundleHeaderProto": tensor_bundle_pb2.BundleHeaderProto,
               "Example": example_pb2.Example, "RunMetadata": config_pb2.RunMetadata,
               "MetaGraphDef": meta_graph_pb2.MetaGraphDef}
    records = []
    for name, text in CASES:
        message = text_format.Parse(text, classes[name]())
        records.append({"type": name, "text": text,
                        "bytes": message.SerializeToString(deterministic=True).hex(),
                        "tf_text": text_format.MessageToString(message)})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(records, indent=1) + "\n")
    print(f"wrote {len(records)} messages to {OUT}")


if __name__ == "__main__":
    main()
