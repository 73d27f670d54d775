"""tf.data iterators by string handle (one get_next switching iterators) and iterator positions
saved by a Saver (`make_saveable_from_iterator`). Expected values and messages are TF 2.21's
(tf.compat.v1, graph mode) where TF is deterministic."""
import os

import numpy as np
import pytest

import session_magic as tf
from session_magic import errors


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def handle_reader(dataset):
    handle = tf.placeholder(tf.string, [])
    iterator = tf.data.Iterator.from_string_handle(handle, dataset.output_types,
                                                   dataset.output_shapes)
    return handle, iterator.get_next()


# --- string handles ---------------------------------------------------------------------------

def test_one_get_next_switches_between_iterators_each_keeping_its_place():
    train = tf.data.Dataset.range(5)
    valid = tf.data.Dataset.range(100, 103)
    handle, element = handle_reader(train)
    train_it = train.make_one_shot_iterator()
    valid_it = valid.make_initializable_iterator()
    with tf.Session() as sess:
        train_handle = sess.run(train_it.string_handle())
        sess.run(valid_it.initializer)
        valid_handle = sess.run(valid_it.string_handle())
        assert isinstance(train_handle, bytes)
        got = [sess.run(element, {handle: train_handle}) for _ in range(2)]
        got += [sess.run(element, {handle: valid_handle}),
                sess.run(element, {handle: train_handle})]
        assert got == [0, 1, 100, 2]  # TF 2.21
        assert sess.run(train_it.get_next()) == 3  # the same iterator, read directly
        sess.run(valid_it.initializer)  # restarting validation leaves training where it was
        assert sess.run(element, {handle: valid_handle}) == 100
        assert sess.run(element, {handle: train_handle}) == 4
        with pytest.raises(errors.OutOfRangeError):
            sess.run(element, {handle: train_handle})


def test_classic_train_and_validation_loop_by_handle():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    train = tf.data.Dataset.from_tensor_slices(x).repeat().batch(2)
    valid = tf.data.Dataset.from_tensor_slices(-x[:2]).batch(2)
    handle, batch = handle_reader(train)
    total = tf.reduce_sum(batch)
    train_it, valid_it = train.make_one_shot_iterator(), valid.make_initializable_iterator()
    with tf.Session() as sess:
        h_train, h_valid = sess.run([train_it.string_handle(), valid_it.string_handle()])
        sums = []
        for _ in range(2):
            sums += [sess.run(total, {handle: h_train}) for _ in range(2)]
            sess.run(valid_it.initializer)
            sums.append(sess.run(total, {handle: h_valid}))
        assert sums == [6.0, 22.0, -6.0, 38.0, 6.0, -6.0]


def test_bad_handles_fail_with_tfs_error_classes():
    ints = tf.data.Dataset.range(3)
    floats = tf.data.Dataset.from_tensor_slices(np.arange(3, dtype=np.float32))
    handle, element = handle_reader(ints)
    float_it, uninitialized = floats.make_one_shot_iterator(), ints.make_initializable_iterator()
    ints_it = ints.make_one_shot_iterator()
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="Could not parse string_handle"):
            sess.run(element, {handle: b"junk"})
        with pytest.raises(errors.InvalidArgumentError,
                           match="Data type mismatch at component 0: expected int64"):
            sess.run(element, {handle: sess.run(float_it.string_handle())})
        with pytest.raises(errors.FailedPreconditionError, match="has not been initialized"):
            sess.run(element, {handle: sess.run(uninitialized.string_handle())})
        from_first = sess.run(ints_it.string_handle())
    with tf.Session() as other:
        with pytest.raises(errors.NotFoundError, match="does not exist in this session"):
            other.run(element, {handle: from_first})
    with pytest.raises(ValueError, match="requested dtype string"):
        tf.data.Iterator.from_string_handle(tf.constant(1), ints.output_types)


def test_shape_mismatch_and_misuse_are_refused():
    vectors = tf.data.Dataset.from_tensor_slices(np.zeros((4, 3), np.float32))
    handle = tf.placeholder(tf.string, [])
    it = tf.data.Iterator.from_string_handle(handle, tf.float32, tf.TensorShape([2]))
    element = it.get_next()
    with pytest.raises(TypeError, match="initialize that iterator instead"):
        it.make_initializer(vectors)
    assert it.string_handle() is handle
    source = vectors.make_one_shot_iterator()
    with tf.Session() as sess, pytest.raises(errors.InvalidArgumentError,
                                             match="Incompatible shapes at component 0"):
        sess.run(element, {handle: sess.run(source.string_handle())})


def test_a_failed_run_does_not_advance_the_iterator_read_by_handle():
    handle, element = handle_reader(tf.data.Dataset.range(4))
    source = tf.data.Dataset.range(4).make_one_shot_iterator()
    x = tf.placeholder(tf.float32, [None])
    bad = tf.reshape(tf.cast(element, tf.float32) + x, [2])  # runs after get_next
    with tf.Session() as sess:
        h = sess.run(source.string_handle())
        with pytest.raises(errors.InvalidArgumentError):
            sess.run([element, bad], {handle: h, x: [1.0, 2.0, 3.0]})
        assert sess.run(element, {handle: h}) == 0


# --- saving positions ---------------------------------------------------------------------------

def saved_and_restored(dataset, reads_before, reads_after, tmp_path, policy=None,
                       initialize=True):
    """The elements read after saving, and those read after restoring in a new session."""
    it = dataset.make_initializable_iterator()
    element = it.get_next()
    saveable = tf.data.experimental.make_saveable_from_iterator(it, policy)
    tf.add_to_collection(tf.GraphKeys.SAVEABLE_OBJECTS, saveable)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(it.initializer)
        for _ in range(reads_before):
            sess.run(element)
        prefix = saver.save(sess, str(tmp_path / "model"))
        after_save = [sess.run(element) for _ in range(reads_after)]
    with tf.Session() as sess:
        if initialize:
            sess.run(it.initializer)  # NOTE: TF requires this; the restore replaces it
        saver.restore(sess, prefix)
        after_restore = [sess.run(element) for _ in range(reads_after)]
    return after_save, after_restore, prefix


def test_saver_saves_and_restores_a_seeded_pipelines_position(tmp_path):
    dataset = tf.data.Dataset.range(10).shuffle(4, seed=1).map(lambda x: x * 2).batch(2)
    after_save, after_restore, prefix = saved_and_restored(dataset, 2, 3, tmp_path)
    np.testing.assert_array_equal(after_save, after_restore)
    names = dict(tf.train.list_variables(prefix))
    assert "Iterator:0_STATE" in names


@pytest.mark.parametrize("initialize", [True, False])
def test_unseeded_shuffles_and_repeats_restore_exactly(tmp_path, initialize):
    dataset = tf.data.Dataset.range(7).shuffle(5).repeat(3).batch(3)
    after_save, after_restore, _ = saved_and_restored(dataset, 3, 4, tmp_path,
                                                      initialize=initialize)
    np.testing.assert_array_equal(after_save, after_restore)


def test_restoring_past_the_end_keeps_the_end(tmp_path):
    dataset = tf.data.Dataset.from_tensor_slices(np.arange(3))
    it = dataset.make_one_shot_iterator()
    element = it.get_next()
    saver = tf.train.Saver([tf.data.experimental.make_saveable_from_iterator(it)])
    with tf.Session() as sess:
        assert [sess.run(element) for _ in range(3)] == [0, 1, 2]
        prefix = saver.save(sess, str(tmp_path / "end"))
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        with pytest.raises(errors.OutOfRangeError):
            sess.run(element)


def test_a_fed_initializer_is_restored_with_its_values(tmp_path):
    x = tf.placeholder(tf.float32, [None])
    it = tf.data.Dataset.from_tensor_slices(x).make_initializable_iterator()
    element = it.get_next()
    saver = tf.train.Saver([tf.data.experimental.make_saveable_from_iterator(it)])
    with tf.Session() as sess:
        sess.run(it.initializer, {x: [5.0, 6.0, 7.0]})
        sess.run(element)
        prefix = saver.save(sess, str(tmp_path / "fed"))
    with tf.Session() as sess:
        saver.restore(sess, prefix)  # no feed: the values fed then were saved
        assert [sess.run(element) for _ in range(2)] == [6.0, 7.0]


def test_variables_and_iterator_restore_together(tmp_path):
    it = tf.data.Dataset.range(5).make_initializable_iterator()
    element = it.get_next()
    counter = tf.Variable(0, dtype=tf.int64)
    step = tf.assign_add(counter, element)
    saver = tf.train.Saver([counter, tf.data.experimental.make_saveable_from_iterator(it)])
    with tf.Session() as sess:
        sess.run([it.initializer, counter.initializer])
        sess.run(step), sess.run(step)  # 0 + 1
        prefix = saver.save(sess, str(tmp_path / "both"))
        sess.run(step)
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        assert sess.run(step) == 1 + 2


def test_external_state_is_refused_unless_the_policy_allows(tmp_path):
    generated = tf.data.Dataset.from_generator(lambda: iter([1, 2, 3]), tf.int64)
    with pytest.raises(errors.FailedPreconditionError, match="Python generator"):
        saved_and_restored(generated, 1, 1, tmp_path)
    tf.reset_default_graph()
    random = tf.data.Dataset.range(5).map(lambda v: v + tf.random_uniform([], 0, 3, tf.int64))
    with pytest.raises(errors.FailedPreconditionError, match="stateful op"):
        saved_and_restored(random, 1, 1, tmp_path)
    tf.reset_default_graph()
    generated = tf.data.Dataset.from_generator(lambda: iter([1, 2, 3]), tf.int64)
    after_save, after_restore, _ = saved_and_restored(generated, 1, 2, tmp_path, "ignore")
    assert after_save == after_restore == [2, 3]  # this generator replays the same
    tf.reset_default_graph()
    with pytest.warns(UserWarning, match="external state"):
        saved_and_restored(tf.data.Dataset.from_generator(lambda: iter([1, 2]), tf.int64),
                           1, 1, tmp_path, "warn")


def test_saving_an_uninitialized_iterator_and_bad_arguments_fail_clearly(tmp_path):
    it = tf.data.Dataset.range(3).make_initializable_iterator()
    saver = tf.train.Saver([tf.data.experimental.make_saveable_from_iterator(it)])
    with tf.Session() as sess, pytest.raises(errors.FailedPreconditionError,
                                             match=r"Save\(\) failed because the iterator"):
        saver.save(sess, str(tmp_path / "none"))
    assert not os.path.exists(str(tmp_path / "none.index"))
    with pytest.raises(ValueError, match="Invalid `external_state_policy`"):
        tf.data.experimental.make_saveable_from_iterator(it, "sometimes")
    with pytest.raises(TypeError, match="needs a tf.data Iterator"):
        tf.data.experimental.make_saveable_from_iterator(tf.constant(1))


def test_restoring_into_a_graph_without_the_starting_op_names_it(tmp_path):
    dataset = tf.data.Dataset.range(4)
    it = tf.data.Iterator.from_structure(dataset.output_types, dataset.output_shapes)
    start = it.make_initializer(dataset, name="start_training")
    element = it.get_next()
    saver = tf.train.Saver([tf.data.experimental.make_saveable_from_iterator(it)])
    with tf.Session() as sess:
        sess.run(start)
        sess.run(element)
        prefix = saver.save(sess, str(tmp_path / "renamed"))
    tf.reset_default_graph()
    dataset = tf.data.Dataset.range(4)
    it = tf.data.Iterator.from_structure(dataset.output_types, dataset.output_shapes)
    it.make_initializer(dataset, name="start_other")
    element = it.get_next()
    saver = tf.train.Saver([tf.data.experimental.make_saveable_from_iterator(it)])
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="no op 'start_training'"):
            saver.restore(sess, prefix)
        with pytest.raises(errors.FailedPreconditionError):  # nothing was half-restored
            sess.run(element)
