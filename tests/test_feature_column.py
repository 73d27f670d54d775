"""tf.feature_column through input_layer: values against NumPy oracles (TF's goldens are in
tests/golden/programs/feature_columns.py), column order, variables and their collections, TF's
build and run errors, and a small model that learns through an embedding."""
from __future__ import annotations

import numpy as np
import pytest

import session_magic as tf
from session_magic import errors
from session_magic.unsupported import NotSupportedYet

fc = tf.feature_column
WEIGHTS = np.arange(12.0, dtype=np.float32).reshape(4, 3)


def _run(out, feed=None):
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        return sess.run(out, feed)


def test_columns_are_concatenated_in_the_order_of_their_names():
    with tf.Graph().as_default():
        out = fc.input_layer({"b": tf.constant([[1.0], [2.0]]), "a": tf.constant([3.0, 4.0])},
                             [fc.numeric_column("b"), fc.numeric_column("a")])
        assert _run(out).tolist() == [[3.0, 1.0], [4.0, 2.0]]


def test_bucketized_values_are_one_hot_buckets_with_boundaries_inclusive_below():
    ages = np.array([[17.0, 18.0], [50.0, 99.0]], np.float32)
    with tf.Graph().as_default():
        column = fc.bucketized_column(fc.numeric_column("age", shape=2), [18.0, 50.0])
        out = _run(fc.input_layer({"age": tf.constant(ages)}, [column]))
    buckets = np.searchsorted([18.0, 50.0], ages, side="right")
    assert out.tolist() == np.eye(3)[buckets].reshape(2, 6).tolist()


def test_indicator_counts_known_words_and_drops_empty_and_unknown_ones():
    words = np.array([["b", "b"], ["", "a"], ["zz", ""]], object)
    with tf.Graph().as_default():
        color = fc.categorical_column_with_vocabulary_list("w", ["a", "b"])
        out = _run(fc.input_layer({"w": tf.constant(words)}, [fc.indicator_column(color)]))
    assert out.tolist() == [[0.0, 2.0], [1.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("combiner", ["mean", "sum", "sqrtn"])
def test_embedding_combines_the_rows_of_present_ids(combiner):
    ids = np.array([[1, -1, 2], [3, 3, 3], [-1, -1, -1]], np.int64)
    with tf.Graph().as_default():
        column = fc.embedding_column(fc.categorical_column_with_identity("ids", 4), 3,
                                     combiner=combiner,
                                     initializer=tf.constant_initializer(WEIGHTS))
        out = _run(fc.input_layer({"ids": tf.constant(ids)}, [column]))
    for row, result in zip(ids, out, strict=True):
        kept = row[row >= 0]
        total = WEIGHTS[kept].sum(0)
        scale = {"mean": len(kept), "sum": 1, "sqrtn": np.sqrt(len(kept))}[combiner]
        np.testing.assert_allclose(result, total / max(scale, 1), rtol=1e-6)


def test_identity_ids_out_of_range_fail_at_run_time_unless_defaulted():
    with tf.Graph().as_default():
        ids = tf.placeholder(tf.int64, [None])
        strict = fc.indicator_column(fc.categorical_column_with_identity("i", 3))
        lenient = fc.indicator_column(fc.categorical_column_with_identity("j", 3, 0))
        out = fc.input_layer({"i": ids, "j": ids}, [strict, lenient])
        assert _run(out, {ids: [2]}).tolist() == [[0.0, 0.0, 1.0, 0.0, 0.0, 1.0]]
        with pytest.raises(errors.InvalidArgumentError, match="Bucket index"):
            _run(out, {ids: [5]})
        lenient_only = fc.input_layer({"j": ids}, [lenient])
        assert _run(lenient_only, {ids: [5]}).tolist() == [[1.0, 0.0, 0.0]]


def test_embedding_variables_are_named_and_collected_as_tf():
    with tf.Graph().as_default():
        color = fc.categorical_column_with_vocabulary_list("color", ["a", "b"])
        features = {"color": tf.constant(["a"])}
        fc.input_layer(features, [fc.embedding_column(color, 2)], weight_collections=["mine"])
        fc.input_layer(features, [fc.embedding_column(color, 2)], trainable=False)
        names = [v.op.name for v in tf.global_variables()]
        assert names == ["input_layer/color_embedding/embedding_weights",
                         "input_layer_1/color_embedding/embedding_weights"]
        assert [v.op.name for v in tf.trainable_variables()] == names[:1]
        assert [v.op.name for v in tf.get_collection("mine")] == names[:1]
        assert len(tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)) == 2


def test_default_embedding_initializer_is_truncated_at_two_stddevs():
    with tf.Graph().as_default():
        ids = fc.categorical_column_with_identity("ids", 500)
        fc.input_layer({"ids": tf.constant([1])}, [fc.embedding_column(ids, 4)])
        weights = _run(tf.global_variables()[0])
    stddev = 1 / np.sqrt(4)
    assert np.abs(weights).max() <= 2 * stddev and 0.5 * stddev < weights.std() < stddev


def test_a_feature_the_columns_need_but_features_lack_is_named():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Feature age is not in features dictionary."):
            fc.input_layer({"h": tf.constant([1.0])}, [fc.numeric_column("age")])


def test_inputs_of_the_wrong_dtype_are_refused_while_building():
    with tf.Graph().as_default():
        words = fc.indicator_column(fc.categorical_column_with_vocabulary_list("w", ["a"]))
        with pytest.raises(ValueError, match="dtype must be compatible"):
            fc.input_layer({"w": tf.constant([1, 2])}, [words])
        with pytest.raises(ValueError, match="numeric column needs numbers"):
            fc.input_layer({"n": tf.constant(["x"])}, [fc.numeric_column("n")])


def test_bad_columns_are_refused_with_tf_messages(tmp_path):
    color = fc.categorical_column_with_vocabulary_list("c", ["a"])
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="must be a _DenseColumn"):
            fc.input_layer({"c": tf.constant(["a"])}, [color])
    with pytest.raises(ValueError, match="sorted"):
        fc.bucketized_column(fc.numeric_column("x"), [2.0, 1.0])
    with pytest.raises(ValueError, match="combiner"):
        fc.embedding_column(color, 2, combiner="max")
    with pytest.raises(NotImplementedError, match="num_oov_buckets"):
        fc.categorical_column_with_vocabulary_list("c", ["a"], num_oov_buckets=1)
    with pytest.raises(ValueError, match="does not exist"):
        fc.categorical_column_with_vocabulary_file("c", str(tmp_path / "none.txt"))


def test_a_missing_vocabulary_file_of_known_size_fails_at_run_time_naming_it(tmp_path):
    with tf.Graph().as_default():
        column = fc.categorical_column_with_vocabulary_file("c", str(tmp_path / "gone.txt"), 3)
        out = fc.input_layer({"c": tf.constant(["a"])}, [fc.indicator_column(column)])
        with pytest.raises(errors.NotFoundError, match="gone.txt"):
            _run(out)


def test_make_parse_example_spec_lists_what_each_column_reads():
    age = fc.numeric_column("age", shape=2, default_value=0.5)
    color = fc.categorical_column_with_vocabulary_list("color", ["a"])
    spec = fc.make_parse_example_spec([fc.bucketized_column(age, [1.0]),
                                       fc.embedding_column(color, 2),
                                       fc.categorical_column_with_identity("n", 3)])
    assert spec == {"age": tf.FixedLenFeature((2,), tf.float32, (0.5, 0.5)),
                    "color": tf.VarLenFeature(tf.string), "n": tf.VarLenFeature(tf.int64)}


def test_other_feature_column_names_are_not_supported_yet():
    for name in ("crossed_column", "shared_embedding_columns", "linear_model",
                 "sequence_numeric_column", "categorical_column_with_hash_bucket"):
        with pytest.raises(NotSupportedYet, match=f"feature_column.{name}"):
            getattr(fc, name)


def test_a_model_on_an_embedding_and_a_numeric_column_learns():
    words = np.array(["a", "b", "c", "a"], object)
    sizes = np.array([1.0, 2.0, 0.5, -1.0], np.float32)
    targets = np.array([[1.0], [-1.0], [0.5], [0.0]], np.float32)
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        word = fc.categorical_column_with_vocabulary_list("word", ["a", "b", "c"])
        inputs = fc.input_layer({"word": tf.constant(words), "size": tf.constant(sizes)},
                                [fc.embedding_column(word, 2), fc.numeric_column("size")])
        weights = tf.Variable(tf.ones([3, 1]))
        loss = tf.reduce_mean(tf.square(tf.matmul(inputs, weights) - targets))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
            first = sess.run(loss)
            for _ in range(50):
                sess.run(train)
            last = sess.run(loss)
    assert last < first / 4
