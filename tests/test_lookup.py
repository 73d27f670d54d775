"""Lookup tables: values and defaults, TF's errors (uninitialized, second initialization,
missing vocabulary file), session state (a failed run initializes nothing; sessions are
independent) and the builders' argument checks."""
from __future__ import annotations

import numpy as np
import pytest

import session_magic as tf
from session_magic import errors
from session_magic.unsupported import NotSupportedYet


def _table(words=("a", "b", "c"), default=-1):
    initializer = tf.lookup.KeyValueTensorInitializer(list(words), np.arange(len(words)) * 10)
    return tf.lookup.StaticHashTable(initializer, default)


def _vocabulary(tmp_path, text="red\ngreen\nblue\n"):
    path = tmp_path / "vocabulary.txt"
    path.write_text(text)
    return str(path)


def test_lookup_gives_values_and_the_default_for_missing_keys():
    with tf.Graph().as_default():
        table = _table(default=-5)
        keys = np.array([["c", "zz"], ["a", "b"]], object)
        found = table.lookup(tf.constant(keys))
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            result = sess.run(found)
    oracle = {"a": 0, "b": 10, "c": 20}
    assert result.tolist() == [[oracle.get(k, -5) for k in row] for row in keys.tolist()]
    assert result.dtype == np.int64 and found.shape.as_list() == [2, 2]


def test_lookup_in_an_uninitialized_table_fails_as_tf():
    with tf.Graph().as_default():
        found = _table().lookup(tf.constant(["a"]))
        with tf.Session() as sess, pytest.raises(errors.FailedPreconditionError,
                                                 match="Table not initialized."):
            sess.run(found)


def test_size_counts_entries_and_is_zero_before_initialization():
    with tf.Graph().as_default():
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(["a", "b", "a"], np.int64([1, 2, 1])), -1)
        with tf.Session() as sess:
            before = sess.run(table.size())
            sess.run(table.initializer)
            assert (before, sess.run(table.size())) == (0, 2)


def test_a_second_initialization_of_another_size_is_refused():
    with tf.Graph().as_default():
        keys = tf.placeholder(tf.string, [None])
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(keys, tf.ones_like(keys, tf.int64)), -1)
        with tf.Session() as sess:
            sess.run(table.initializer, {keys: ["a", "b"]})
            sess.run(table.initializer, {keys: ["a", "b"]})
            with pytest.raises(errors.FailedPreconditionError, match="different data"):
                sess.run(table.initializer, {keys: ["a", "b", "c"]})


def test_a_failed_run_leaves_the_table_uninitialized(tmp_path):
    with tf.Graph().as_default():
        table = _table()
        broken = tf.contrib.lookup.index_table_from_file(str(tmp_path / "missing.txt"))
        found = table.lookup(tf.constant(["b"]))
        with tf.Session() as sess:
            with pytest.raises(errors.NotFoundError):
                sess.run(tf.tables_initializer())
            with pytest.raises(errors.FailedPreconditionError):
                sess.run(found)
            sess.run(table.initializer)
            assert sess.run(found).tolist() == [10]
            assert broken.initializer.type == "InitializeTableFromTextFileV2"


def test_two_sessions_have_separate_tables():
    with tf.Graph().as_default():
        table = _table()
        found = table.lookup(tf.constant(["c"]))
        with tf.Session() as first, tf.Session() as second:
            first.run(table.initializer)
            assert first.run(found).tolist() == [20]
            with pytest.raises(errors.FailedPreconditionError):
                second.run(found)


def test_index_table_from_file_maps_lines_to_their_numbers(tmp_path):
    with tf.Graph().as_default():
        table = tf.contrib.lookup.index_table_from_file(_vocabulary(tmp_path), default_value=9)
        found = table.lookup(tf.constant(["blue", "pink", "red"]))
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            assert sess.run(found).tolist() == [2, 9, 0]


def test_a_missing_vocabulary_file_is_named_at_run_time(tmp_path):
    missing = str(tmp_path / "nowhere.txt")
    with tf.Graph().as_default():
        table = tf.contrib.lookup.index_table_from_file(missing)
        with tf.Session() as sess, pytest.raises(errors.NotFoundError, match="nowhere.txt"):
            sess.run(table.initializer)


def test_text_file_columns_delimiter_and_offset(tmp_path):
    path = _vocabulary(tmp_path, "x,5\ny,7\n")
    index = tf.lookup.TextFileIndex
    with tf.Graph().as_default():
        by_column = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            path, tf.int64, 1, tf.string, 0, delimiter=","), "?")
        numbered = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            path, tf.string, index.WHOLE_LINE, tf.int64, index.LINE_NUMBER,
            value_index_offset=3), -1)
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            words = sess.run(by_column.lookup(tf.constant([7, 6], tf.int64)))
            lines = sess.run(numbered.lookup(tf.constant(["y,7", "x,5"])))
    assert words.tolist() == [b"y", b"?"] and lines.tolist() == [4, 3]


def test_a_vocab_size_beyond_the_file_is_invalid(tmp_path):
    with tf.Graph().as_default():
        table = tf.contrib.lookup.index_table_from_file(_vocabulary(tmp_path), vocab_size=5)
        with tf.Session() as sess, pytest.raises(errors.InvalidArgumentError, match="vocab_size"):
            sess.run(table.initializer)


def test_index_to_string_table_maps_positions_to_words():
    with tf.Graph().as_default():
        table = tf.contrib.lookup.index_to_string_table_from_tensor(["a", "b"])
        found = table.lookup(tf.constant([1, 4, 0], tf.int64))
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            assert sess.run(found).tolist() == [b"b", b"UNK", b"a"]


def test_keys_of_the_wrong_dtype_are_refused_while_building():
    with tf.Graph().as_default():
        table = _table()
        with pytest.raises(TypeError, match="keys"):
            table.lookup(tf.constant([1, 2]))
        with pytest.raises(ValueError, match="scalar"):
            tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a"], [1]), [1, 2])


def test_out_of_vocabulary_buckets_are_refused_by_name():
    with tf.Graph().as_default():
        with pytest.raises(NotImplementedError, match="num_oov_buckets"):
            tf.contrib.lookup.index_table_from_tensor(["a"], num_oov_buckets=2)
        initializer = tf.lookup.KeyValueTensorInitializer(["a"], np.int64([0]))
        with pytest.raises(NotImplementedError, match="num_oov_buckets"):
            tf.lookup.StaticVocabularyTable(initializer, 3)


def test_initializers_are_collected_and_grouped_by_tables_initializer():
    with tf.Graph().as_default() as graph:
        assert tf.tables_initializer().type == "NoOp"
        first, second = _table(), tf.contrib.lookup.index_table_from_tensor(["x"])
        group = tf.tables_initializer()
        assert graph.get_collection(tf.GraphKeys.TABLE_INITIALIZERS) == [
            first.initializer, second.initializer]
        assert group.name.startswith("init_all_tables")
        assert set(group.control_inputs) == {first.initializer, second.initializer}


def test_tf1_names_the_lookup_module_lacks_say_so():
    with pytest.raises(NotSupportedYet, match="contrib.lookup.MutableHashTable"):
        tf.contrib.lookup.MutableHashTable  # noqa: B018


def test_a_key_given_two_values_is_refused_as_tf():
    with tf.Graph().as_default():
        twice = _table(("a", "a", "b"))
        same = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(["a", "a"], np.int64([1, 1])), -1)
        with tf.Session() as sess:
            with pytest.raises(errors.FailedPreconditionError,
                               match="different value for same key. Key a has 0"):
                sess.run(twice.initializer)
            sess.run(same.initializer)
            assert sess.run(same.size()) == 1
