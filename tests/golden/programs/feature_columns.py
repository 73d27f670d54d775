"""tf.feature_column's input_layer (numeric, bucketized, indicator and embedding columns with
fixed initializers: values, names of variables, combiners, multivalent inputs with '' and -1
dropped) and lookup tables (index_table_from_tensor/_file, default values, tables_initializer,
an uninitialized table, a second initialization, a missing vocabulary file)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..harness import Program

_WEIGHTS = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def _contrib_lookup(tf: Any) -> Any:
    """tf.contrib.lookup; TF 2 dropped tf.contrib, but the functions it re-exported live on in
    tensorflow.python.ops.lookup_ops."""
    if not tf.__name__.startswith("tensorflow"):
        return tf.contrib.lookup
    # NOTE: local: only under TF (the recorder); session_magic never imports TensorFlow
    from tensorflow.python.ops import lookup_ops
    return lookup_ops


def _words(tf: Any, rows: list, name: str) -> Any:
    return tf.placeholder(tf.string, [None, len(rows[0])], name=name)


def _input_layer(tf: Any) -> dict:
    fc = tf.feature_column
    age = fc.numeric_column("age")
    color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
    columns = [fc.embedding_column(color, 2, initializer=tf.constant_initializer(_WEIGHTS)),
               fc.bucketized_column(age, [18.0, 30.0, 50.0]), fc.indicator_column(color),
               fc.numeric_column("hw", shape=(2,)), age]
    ages = tf.placeholder(tf.float32, [None], name="ages")
    colors = tf.placeholder(tf.string, [None, 2], name="colors")
    heights = tf.placeholder(tf.float32, [None, 2], name="heights")
    out = fc.input_layer({"age": ages, "color": colors, "hw": heights}, columns)
    feed = {ages: np.array([10.0, 20.0, 60.0], np.float32),
            colors: np.array([["red", "blue"], ["green", ""], ["zzz", ""]], object),
            heights: np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)}
    weights = tf.global_variables()[0]
    return {"before": [tf.tables_initializer()], "fetch": out, "feed": feed,
            "static": {"out": out},
            "python": {"globals": [v.name for v in tf.global_variables()],
                       "trainable": [v.name for v in tf.trainable_variables()],
                       "weights": weights.name}}


def _combiners(tf: Any) -> dict:
    fc = tf.feature_column
    ident = fc.categorical_column_with_identity("ident", 4)
    initializer = tf.constant_initializer(np.arange(12.0).reshape(4, 3))
    columns = [fc.embedding_column(ident, 3, combiner="sqrtn", initializer=initializer),
               fc.indicator_column(ident)]
    ids = tf.placeholder(tf.int64, [None, 3], name="ids")
    summed = fc.embedding_column(fc.categorical_column_with_identity("other", 4), 3,
                                 combiner="sum", initializer=initializer)
    out = fc.input_layer({"ident": ids, "other": ids}, columns + [summed])
    feed = {ids: np.array([[1, -1, 2], [3, 3, 3], [-1, -1, -1]], np.int64)}
    return {"fetch": out, "feed": feed}


def _training_names(tf: Any) -> dict:
    fc = tf.feature_column
    color = fc.categorical_column_with_vocabulary_list("color", ["a", "b"])
    out = fc.input_layer({"color": tf.constant([["a"], ["b"]])},
                         [fc.embedding_column(color, 3)])
    again = fc.input_layer({"color": tf.constant([["b"], ["b"]])},
                           [fc.embedding_column(color, 3)])
    return {"fetch": [tf.shape(out), tf.shape(again)],
            "python": {"variables": [v.name for v in tf.global_variables()]}}


def _integers_and_normalizer(tf: Any) -> dict:
    fc = tf.feature_column
    codes = fc.categorical_column_with_vocabulary_list("code", [30, 10, 20], default_value=1)
    size = fc.numeric_column("size", normalizer_fn=lambda x: x * 2.0 - 1.0)
    initializer = tf.constant_initializer(np.arange(6.0).reshape(3, 2))
    columns = [fc.indicator_column(codes), size,
               fc.embedding_column(fc.bucketized_column(size, [0.0, 2.0]), 2,
                                   initializer=initializer)]
    code = tf.placeholder(tf.int32, [None, 2], name="code")
    sizes = tf.placeholder(tf.float32, [None], name="sizes")
    out = fc.input_layer({"code": code, "size": sizes}, columns)
    feed = {code: np.array([[10, -1], [99, 30], [-1, -1]], np.int32),
            sizes: np.array([0.0, 1.0, 3.0], np.float32)}
    return {"before": [tf.tables_initializer()], "fetch": out, "feed": feed,
            "static": {"out": out}}


def _unknown_feature(tf: Any) -> dict:
    tf.feature_column.input_layer({"a": tf.constant([1.0])},
                                  [tf.feature_column.numeric_column("b")])
    return {}


def _words_for_integers(tf: Any) -> dict:
    fc = tf.feature_column
    codes = fc.categorical_column_with_vocabulary_list("code", [1, 2])
    fc.input_layer({"code": tf.constant([["a"]])}, [fc.indicator_column(codes)])
    return {}


def _vocabulary_file(tf: Any) -> dict:
    with open("vocabulary.txt", "w", encoding="utf-8") as file:
        file.write("red\ngreen\nblue\n")
    fc = tf.feature_column
    color = fc.categorical_column_with_vocabulary_file("color", "vocabulary.txt",
                                                       vocabulary_size=3)
    colors = tf.placeholder(tf.string, [None], name="colors")
    out = fc.input_layer({"color": colors}, [fc.indicator_column(color)])
    return {"before": [tf.tables_initializer()], "fetch": out,
            "feed": {colors: np.array(["blue", "nope", "red"], object)}}


def _index_table_from_tensor(tf: Any) -> dict:
    table = _contrib_lookup(tf).index_table_from_tensor(["a", "b", "c"], default_value=7)
    words = tf.placeholder(tf.string, [None], name="words")
    ids = table.lookup(words)
    init = tf.tables_initializer()
    return {"before": [init], "fetch": [ids, table.size()],
            "feed": {words: np.array(["c", "x", "a"], object)},
            "names": {"ids": ids, "init": init, "table": table.resource_handle}}


def _index_table_from_file(tf: Any) -> dict:
    with open("words.txt", "w", encoding="utf-8") as file:
        file.write("x\ny\nz\n")
    table = _contrib_lookup(tf).index_table_from_file("words.txt")
    words = tf.placeholder(tf.string, [None, 2], name="words")
    ids = table.lookup(words)
    return {"before": [tf.tables_initializer()], "fetch": ids,
            "feed": {words: np.array([["z", "q"], ["x", "y"]], object)},
            "names": {"ids": ids, "init": table.initializer}}


def _index_to_string(tf: Any) -> dict:
    table = _contrib_lookup(tf).index_to_string_table_from_tensor(["a", "b"])
    indices = tf.placeholder(tf.int64, [None], name="indices")
    return {"before": [tf.tables_initializer()], "fetch": table.lookup(indices),
            "feed": {indices: np.array([1, 5, 0], np.int64)}}


def _uninitialized(tf: Any) -> dict:
    table = _contrib_lookup(tf).index_table_from_tensor(["a", "b"])
    return {"fetch": [table.lookup(tf.constant(["a"]))]}


def _uninitialized_size(tf: Any) -> dict:
    table = _contrib_lookup(tf).index_table_from_tensor(["a", "b"])
    return {"fetch": table.size()}


def _initialized_twice(tf: Any) -> dict:
    table = _contrib_lookup(tf).index_table_from_tensor(["a", "b"])
    init = tf.tables_initializer()
    return {"before": [init], "fetch": [init, table.lookup(tf.constant(["b"]))], "runs": 2}


def _other_data(tf: Any) -> dict:
    keys = tf.placeholder(tf.string, [None], name="keys")
    values = tf.placeholder(tf.int64, [None], name="values")
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(keys, values), -1)
    with tf.control_dependencies([table.initializer]):
        found = table.lookup(tf.constant(["a", "b", "c"]))
    feeds = [{keys: np.array(words, object), values: np.arange(len(words), dtype=np.int64)}
             for words in (["a", "b"], ["a", "c"], ["a", "b", "c"])]
    return {"fetch": found, "feeds": feeds}


def _missing_file(tf: Any) -> dict:
    table = _contrib_lookup(tf).index_table_from_file("no_such_vocabulary.txt")
    return {"fetch": table.initializer}


def programs() -> list[Program]:
    return [Program("input_layer numeric bucketized indicator embedding", _input_layer),
            Program("identity embedding combiners and multi-hot", _combiners),
            Program("embedding variables of two input_layers", _training_names,
                    shapes_only=True),
            Program("integer vocabulary, normalizer, embedded buckets", _integers_and_normalizer),
            Program("a feature input_layer lacks", _unknown_feature),
            Program("words for an integer vocabulary", _words_for_integers),
            Program("indicator of a vocabulary file", _vocabulary_file, in_tmpdir=True),
            Program("index_table_from_tensor with default", _index_table_from_tensor),
            Program("index_table_from_file 2-D keys", _index_table_from_file, in_tmpdir=True),
            Program("index_to_string_table_from_tensor", _index_to_string),
            Program("lookup in an uninitialized table", _uninitialized),
            Program("size of an uninitialized table", _uninitialized_size),
            Program("tables_initializer twice", _initialized_twice),
            Program("second initializations: same size kept, other size refused", _other_data),
            Program("missing vocabulary file", _missing_file, in_tmpdir=True)]
