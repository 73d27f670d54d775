"""tf.data in TF1 graph mode: iterators whose position is session state, sources and
transformations, against TF's recorded elements (tests/golden/record_data.py) and NumPy."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import session_magic as tf
from session_magic import data
from session_magic.python_io import TFRecordWriter
from tests.golden.record_data import PIPELINES, run_pipeline

GOLDEN = json.loads((Path(__file__).parent / "golden" / "interop" / "data" /
                     "pipelines.json").read_text())


def _all(sess, element):
    """Every element an iterator yields until OutOfRangeError."""
    out = []
    while True:
        try:
            out.append(sess.run(element))
        except tf.errors.OutOfRangeError:
            return out


# --- TF goldens ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_matches_tf(name):
    assert run_pipeline(tf, data, PIPELINES[name]) == GOLDEN[name]


# --- iterators -----------------------------------------------------------------------------

def test_linear_regression_over_epochs_of_an_initializable_iterator():
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1, 1, size=(20, 1)).astype(np.float32)
    ys = (3.0 * xs + 0.5).astype(np.float32)
    x_in = tf.placeholder(tf.float32, [None, 1])
    y_in = tf.placeholder(tf.float32, [None, 1])
    iterator = data.make_initializable_iterator(
        data.Dataset.from_tensor_slices((x_in, y_in)).shuffle(20, seed=1).batch(8))
    x, y = iterator.get_next()
    w, b = tf.Variable([[0.0]]), tf.Variable([0.0])
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    steps = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(60):
            sess.run(iterator.initializer, {x_in: xs, y_in: ys})
            count = 0
            while True:
                try:
                    sess.run(train)
                    count += 1
                except tf.errors.OutOfRangeError:
                    break
            steps.append(count)
        learned = sess.run([w, b])
    assert steps == [3] * 60  # NOTE: 20 examples in batches of 8
    np.testing.assert_allclose(learned[0], [[3.0]], atol=1e-3)
    np.testing.assert_allclose(learned[1], [0.5], atol=1e-3)


def test_reinitialising_with_a_fed_placeholder_reads_the_new_data():
    x_in = tf.placeholder(tf.int32, [None])
    iterator = data.make_initializable_iterator(data.Dataset.from_tensor_slices(x_in))
    element = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {x_in: [1, 2, 3]})
        assert sess.run(element) == 1
        sess.run(iterator.initializer, {x_in: [7, 8]})
        assert _all(sess, element) == [7, 8]


def test_from_structure_switches_between_train_and_test_datasets():
    train = data.Dataset.from_tensor_slices(np.arange(6.0, dtype=np.float32)).batch(4)
    test = data.Dataset.from_tensor_slices(-np.arange(3.0, dtype=np.float32)).batch(4)
    iterator = data.Iterator.from_structure(train.output_types, train.output_shapes)
    element = iterator.get_next()
    train_init, test_init = iterator.make_initializer(train), iterator.make_initializer(test)
    with tf.Session() as sess:
        for _ in range(2):
            sess.run(train_init)
            got = _all(sess, element)
            assert [list(b) for b in got] == [[0, 1, 2, 3], [4, 5]]
            sess.run(test_init)
            assert [list(b) for b in _all(sess, element)] == [[0, -1, -2]]
    assert element.shape.as_list() == [None]


def test_from_structure_refuses_a_dataset_of_other_types():
    iterator = data.Iterator.from_structure(tf.float32, tf.TensorShape([]))
    with pytest.raises(TypeError, match="output types"):
        iterator.make_initializer(data.Dataset.range(3))


def test_get_next_advances_once_per_run_whatever_uses_it():
    element = data.make_one_shot_iterator(data.Dataset.range(5)).get_next()
    doubled = element * 2
    with tf.Session() as sess:
        assert sess.run([element, doubled, element]) == [0, 0, 0]
        assert sess.run([doubled, element]) == [2, 1]
        assert sess.run(element) == 2


def test_two_sessions_iterate_independently():
    element = data.make_one_shot_iterator(data.Dataset.range(4)).get_next()
    with tf.Session() as first, tf.Session() as second:
        assert [first.run(element), first.run(element)] == [0, 1]
        assert second.run(element) == 0
        assert first.run(element) == 2


def test_a_failed_run_does_not_advance_the_iterator():
    element = data.make_one_shot_iterator(data.Dataset.range(3)).get_next()
    fail = tf.placeholder(tf.bool, [])
    checked = tf.py_func(lambda v, f: 1 // 0 if f else v, [element, fail], tf.int64)
    with tf.Session() as sess:
        assert sess.run(checked, {fail: False}) == 0
        with pytest.raises(tf.errors.UnknownError):  # NOTE: TF's class for a py_func's error
            sess.run(checked, {fail: True})
        assert sess.run(checked, {fail: False}) == 1
        with pytest.raises(tf.errors.UnknownError):
            sess.run([element, checked], {fail: True})
        assert _all(sess, element) == [2]


def test_a_run_with_a_bad_feed_does_not_advance_the_iterator():
    element = data.make_one_shot_iterator(data.Dataset.range(3)).get_next()
    scale = tf.placeholder(tf.int64, [2])
    scaled = element * scale
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="shape"):
            sess.run([element, scaled], {scale: [1, 2, 3]})
        assert list(sess.run(scaled, {scale: [1, 2]})) == [0, 0]
        assert sess.run(element) == 1


def test_end_of_sequence_is_out_of_range_and_stays_so():
    element = data.make_one_shot_iterator(data.Dataset.range(1)).get_next()
    with tf.Session() as sess:
        assert sess.run(element) == 0
        for _ in range(2):
            with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence"):
                sess.run(element)


def test_an_uninitialised_iterator_is_a_failed_precondition():
    iterator = data.make_initializable_iterator(data.Dataset.range(3))
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError,
                                             match="not been initialized"):
        sess.run(iterator.get_next())


def test_output_structure_of_nested_components():
    dataset = data.Dataset.from_tensor_slices(
        {"image": np.zeros((4, 2, 3), np.float32), "label": (np.arange(4), [b"a"] * 4)})
    batched = dataset.batch(3, drop_remainder=True)
    assert data.get_output_types(batched) == {"image": tf.float32,
                                              "label": (tf.int64, tf.string)}
    shapes = data.get_output_shapes(batched)
    assert shapes["image"].as_list() == [3, 2, 3] and shapes["label"][1].as_list() == [3]
    assert data.get_output_classes(batched)["image"] is tf.Tensor
    element = data.make_one_shot_iterator(batched).get_next()
    with tf.Session() as sess:
        value = sess.run(element)
    assert value["image"].shape == (3, 2, 3) and list(value["label"][0]) == [0, 1, 2]


# --- sources ---------------------------------------------------------------------------------

def test_tfrecords_of_examples_parsed_in_map(tmp_path):
    path = str(tmp_path / "examples.tfrecord")
    with TFRecordWriter(path) as writer:
        for i in range(5):
            example = tf.train.Example(features=tf.train.Features(feature={
                "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i, i / 2])),
                "y": tf.train.Feature(int64_list=tf.train.Int64List(value=[i * 10]))}))
            writer.write(example.SerializeToString())
    features = {"x": tf.io.FixedLenFeature([2], tf.float32),
                "y": tf.io.FixedLenFeature([], tf.int64)}
    dataset = data.TFRecordDataset(path).map(
        lambda record: tf.io.parse_single_example(record, features)).batch(2)
    element = data.make_one_shot_iterator(dataset).get_next()
    with tf.Session() as sess:
        batches = _all(sess, element)
    assert [list(b["y"]) for b in batches] == [[0, 10], [20, 30], [40]]
    np.testing.assert_allclose(batches[1]["x"], [[2, 1], [3, 1.5]])


def test_text_lines_of_files_in_order(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("one\ntwo\n")
    second.write_text("three\r\nfour")
    files = data.Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
    lines = data.make_one_shot_iterator(files.flat_map(data.TextLineDataset)).get_next()
    with tf.Session() as sess:
        assert _all(sess, lines) == [b"one", b"two", b"three", b"four"]


def test_list_files_shuffles_each_epoch_by_default(tmp_path):
    for i in range(8):
        (tmp_path / f"{i}.txt").write_text("")
    element = data.make_one_shot_iterator(
        data.Dataset.list_files(str(tmp_path / "*.txt"), seed=3).repeat(2)).get_next()
    with tf.Session() as sess:
        names = _all(sess, element)
    assert sorted(names[:8]) == sorted(names[8:]) == sorted(
        str(tmp_path / f"{i}.txt").encode() for i in range(8))
    assert names[:8] != names[8:]


def test_from_generator_checks_what_it_yields():
    dataset = data.Dataset.from_generator(lambda: iter([[1, 2], [3]]), tf.int32,
                                          tf.TensorShape([2]))
    element = data.make_one_shot_iterator(dataset).get_next()
    with tf.Session() as sess:
        assert list(sess.run(element)) == [1, 2]
        with pytest.raises(tf.errors.InvalidArgumentError, match="shape"):
            sess.run(element)


# --- transformations -------------------------------------------------------------------------

def test_seeded_shuffle_is_a_new_order_each_epoch_and_reproducible():
    dataset = data.Dataset.range(20).shuffle(20, seed=7).repeat(3)
    element = data.make_one_shot_iterator(dataset).get_next()
    with tf.Session() as sess:
        first = _all(sess, element)
    with tf.Session() as sess:
        again = _all(sess, element)
    epochs = [first[i * 20:(i + 1) * 20] for i in range(3)]
    assert all(Counter(e) == Counter(range(20)) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2]
    assert first == again  # NOTE: the op seed fixes the order in every session


@pytest.mark.parametrize("seed", [2, None])
def test_shuffle_without_reshuffling_repeats_its_order(seed):
    dataset = data.Dataset.range(10).shuffle(10, seed=seed, reshuffle_each_iteration=False)
    element = data.make_one_shot_iterator(dataset.repeat(2)).get_next()
    with tf.Session() as sess:
        got = _all(sess, element)
    assert got[:10] == got[10:] and sorted(got[:10]) == list(range(10))


def test_map_traces_its_function_once_and_captures_outer_tensors():
    calls = []
    scale = tf.placeholder(tf.float32, [])

    def double(x):
        calls.append(x)
        return tf.cast(x, tf.float32) * scale
    iterator = data.make_initializable_iterator(data.Dataset.range(3).map(double))
    element = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {scale: 2.5})
        assert _all(sess, element) == [0.0, 2.5, 5.0]
    assert len(calls) == 1


def test_batch_of_unequal_shapes_names_the_component():
    dataset = data.Dataset.range(1, 3).map(lambda x: tf.fill([x], x)).batch(2)
    element = data.make_one_shot_iterator(dataset).get_next()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="different shapes in component 0"):
        sess.run(element)


def test_bad_arguments_are_refused_while_building():
    with pytest.raises(ValueError, match="Dimensions 0"):
        data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="scalar boolean"):
        data.Dataset.range(3).filter(lambda x: x + 1)
    with pytest.raises(TypeError, match="Dataset"):
        data.Dataset.range(3).flat_map(lambda x: x)
    with pytest.raises(ValueError, match="does not have an initializer"):
        _ = data.make_one_shot_iterator(data.Dataset.range(3)).initializer


def test_a_graph_seed_alone_makes_shuffles_reproducible():
    orders = []
    for _ in range(2):
        with tf.Graph().as_default():
            tf.set_random_seed(5)
            element = data.make_one_shot_iterator(
                data.Dataset.range(12).shuffle(12)).get_next()
            with tf.Session() as sess:
                orders.append(_all(sess, element))
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(12))
    assert orders[0] != list(range(12))


def test_map_passes_dicts_whole_and_spreads_tuples():
    dataset = data.Dataset.from_tensor_slices({"a": [1, 2], "b": [10, 20]})
    summed = dataset.map(lambda features: (features["a"] + features["b"], features["a"]))
    product = summed.map(lambda total, a: {"p": total * a})
    element = data.make_one_shot_iterator(product).get_next()
    with tf.Session() as sess:
        assert [v["p"] for v in _all(sess, element)] == [11, 44]


def test_a_drawing_names_the_pipeline_an_iterator_starts():
    tf.reset_default_graph()
    xs = tf.placeholder(tf.float32, [None, 2], name="xs")
    dataset = data.Dataset.from_tensor_slices(xs).shuffle(100).batch(8).repeat(2)
    iterator = dataset.make_initializable_iterator()
    one_shot = data.Dataset.range(5).map(lambda v: v * 2).make_one_shot_iterator()
    tf.add_n([tf.reduce_sum(iterator.get_next()), tf.cast(one_shot.get_next(), tf.float32)])
    from session_magic.render import draw  # NOTE: the drawing is loaded for this test only
    source = draw(tf.get_default_graph()).source
    labels = " ".join(line for line in source.splitlines() if "label=" in line)
    labels = labels.replace("\\n", " ")
    assert "from_tensor_slices → shuffle → batch → repeat" in labels
    assert "range → map" in labels  # the one-shot iterator's get_next starts it
