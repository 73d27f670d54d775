"""`tf.io`: the names of TF1's io namespace that exist here (`tf.io.gfile`,
`tf.io.write_graph`, TFRecord files, Example and CSV parsing); the others say so."""
from . import gfile  # noqa: F401
from .train import write_graph  # noqa: F401
from .ops.parsing_ops import (FixedLenFeature, FixedLenSequenceFeature, VarLenFeature,  # noqa: F401
                              decode_csv, decode_raw, parse_example, parse_single_example)
from .python_io import TFRecordCompressionType, TFRecordOptions, TFRecordWriter  # noqa: F401
from .python_io import tf_record_iterator  # noqa: F401

__all__ = ["gfile", "write_graph", "FixedLenFeature", "FixedLenSequenceFeature", "VarLenFeature",
           "decode_csv", "decode_raw", "parse_example", "parse_single_example",
           "TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "tf_record_iterator"]
