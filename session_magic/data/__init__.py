"""The tf.data namespace of TF1 graph mode: datasets, their iterators and the output helpers.

Imported lazily (it is not loaded by `import session_magic`); the iterator ops register when
this package is first imported.
"""
from . import experimental
from .dataset import Dataset, DatasetV1, TextLineDataset, TFRecordDataset
from .iterator import (Iterator, get_output_classes, get_output_shapes, get_output_types,
                       make_initializable_iterator, make_one_shot_iterator)

AUTOTUNE = experimental.AUTOTUNE

__all__ = ["experimental", "AUTOTUNE", "Dataset", "DatasetV1", "TextLineDataset",
           "TFRecordDataset", "Iterator",
           "make_one_shot_iterator", "make_initializable_iterator", "get_output_types",
           "get_output_shapes", "get_output_classes"]
