"""Samples for the lookup-table ops: each builds a table, initializes it and (by control
dependency) looks keys up. The registry tests run a graph more than once in one session, and a
second initialization with the same data is accepted (as TF does). Nothing runs at import: the
golden recorder imports this module with TF standing in for session_magic."""
from __future__ import annotations

import os
import tempfile

import numpy as np

import session_magic as tf
from session_magic.ops.lookup_ops import hash_table_v2, initialize_table_v2, lookup_table_find_v2

from . import Sample

WORDS = np.array([b"b", b"zz", b"a", b"c"], object)
VOCABULARY = ["a", "b", "c"]


def _static_table(keys):
    initializer = tf.lookup.KeyValueTensorInitializer(VOCABULARY, np.array([7, 8, 9], np.int64))
    table = tf.lookup.StaticHashTable(initializer, np.int64(-1))
    with tf.control_dependencies([table.initializer]):
        return table.lookup(keys)


def _initialize_table_v2(keys):
    table = hash_table_v2(key_dtype=tf.int64, value_dtype=tf.float32)
    init = initialize_table_v2(table, tf.constant([1, 3], tf.int64),
                               tf.constant([0.5, 1.5], tf.float32))
    with tf.control_dependencies([init]):
        return lookup_table_find_v2(table, keys, tf.constant(-2.0))


def _vocabulary_file() -> str:
    path = os.path.join(tempfile.gettempdir(), "session_magic_lookup_sample_vocabulary.txt")
    with open(path, "w", encoding="utf-8") as file:
        file.write("a\nb\nc\n")
    return path


def _text_file_table(keys):
    initializer = tf.lookup.TextFileInitializer(
        _vocabulary_file(), tf.string, tf.lookup.TextFileIndex.WHOLE_LINE, tf.int64,
        tf.lookup.TextFileIndex.LINE_NUMBER)
    table = tf.lookup.StaticHashTable(initializer, np.int64(-1))
    with tf.control_dependencies([table.initializer]):
        return table.lookup(keys)


def _size(keys):
    initializer = tf.lookup.KeyValueTensorInitializer(keys, tf.ones_like(keys, tf.int64))
    table = tf.lookup.StaticHashTable(initializer, np.int64(0))
    with tf.control_dependencies([table.initializer]):
        return table.size()


def _vocabulary_ids(words):
    return np.array([{b"a": 7, b"b": 8, b"c": 9}.get(w, -1) for w in words], np.int64)


SAMPLES = [
    Sample("HashTableV2", _static_table, [WORDS], _vocabulary_ids, grad_check=False),
    Sample("LookupTableImportV2", _static_table, [WORDS[::-1]], _vocabulary_ids,
           grad_check=False),
    Sample("LookupTableFindV2", _static_table, [WORDS.reshape(2, 2)],
           lambda w: _vocabulary_ids(w.ravel()).reshape(2, 2), grad_check=False),
    Sample("InitializeTableV2", _initialize_table_v2, [np.array([3, 2, 1], np.int64)],
           lambda k: np.array([1.5, -2.0, 0.5], np.float32), grad_check=False),
    Sample("InitializeTableFromTextFileV2", _text_file_table, [WORDS],
           lambda w: _vocabulary_ids(w) - 7 + (_vocabulary_ids(w) < 0) * 7, grad_check=False),
    Sample("LookupTableSizeV2", _size, [np.array([4, 1, 2], np.int64)],
           lambda k: np.int64(3), grad_check=False),
]
