"""TF 1's seed rules for random ops, op names, and argument errors."""
from __future__ import annotations

import numpy as np
import pytest

import session_magic as tf
from session_magic.ops.random_ops import DEFAULT_GRAPH_SEED


def _two_sessions(tensor):
    """(first run, second run) in one session, and the first run of a second session."""
    with tf.Session() as sess:
        first, again = sess.run(tensor), sess.run(tensor)
    with tf.Session() as sess:
        other = sess.run(tensor)
    return first, again, other


# --- get_seed ------------------------------------------------------------------------------------

def test_get_seed_without_any_seed_is_none_none():
    assert tf.get_seed(None) == (None, None)


def test_get_seed_with_only_an_op_seed_uses_the_default_graph_seed():
    assert tf.get_seed(42) == (DEFAULT_GRAPH_SEED, 42)
    assert DEFAULT_GRAPH_SEED == 87654321


def test_get_seed_with_a_graph_seed_takes_the_op_count_as_op_seed():
    tf.set_random_seed(7)
    tf.constant(1.0)
    tf.constant(2.0)
    assert tf.get_default_graph().seed == 7
    assert tf.get_seed(None) == (7, 2)
    assert tf.get_seed(5) == (7, 5)


def test_get_seed_avoids_zero_zero():
    tf.set_random_seed(0)
    assert tf.get_seed(0) == (0, 2**31 - 1)


def test_random_ops_store_seed_and_seed2():
    tf.set_random_seed(3)
    draw = tf.random_uniform([2], seed=9)
    op = tf.get_default_graph().get_operation_by_name("random_uniform/RandomUniform")
    assert (op.get_attr("seed"), op.get_attr("seed2")) == (3, 9)
    assert draw.op.type == "AddV2" and draw.op.name == "random_uniform"


# --- determinism ---------------------------------------------------------------------------------

def test_graph_seed_repeats_in_new_sessions_and_moves_on_within_one():
    tf.set_random_seed(1234)
    first, again, other = _two_sessions(tf.random_normal([5]))
    np.testing.assert_array_equal(first, other)
    assert not np.array_equal(first, again)


def test_op_seed_alone_repeats_in_new_sessions():
    first, again, other = _two_sessions(tf.random_uniform([5], seed=99))
    np.testing.assert_array_equal(first, other)
    assert not np.array_equal(first, again)


def test_without_seeds_new_sessions_draw_different_values():
    first, _, other = _two_sessions(tf.random_normal([8]))
    assert not np.array_equal(first, other)


def test_two_ops_under_one_graph_seed_draw_different_values():
    tf.set_random_seed(5)
    a, b = tf.random_normal([6]), tf.random_normal([6])
    with tf.Session() as sess:
        first, second = sess.run([a, b])
    assert not np.array_equal(first, second)


def _seeded_program():
    tf.set_random_seed(1)
    weights = tf.Variable(tf.truncated_normal([3, 4], stddev=0.1))
    noise = tf.random_uniform([4], -1.0, 1.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run([weights, noise])


def test_set_random_seed_makes_a_program_reproducible_across_reset_default_graph():
    first = _seeded_program()
    tf.reset_default_graph()
    second = _seeded_program()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_different_graph_seed_gives_different_values():
    first = _seeded_program()
    tf.reset_default_graph()
    tf.set_random_seed(2)
    values = tf.random_uniform([4], -1.0, 1.0)
    with tf.Session() as sess:
        assert not np.array_equal(sess.run(values), first[1])


# --- names, shapes, errors -----------------------------------------------------------------------

def test_random_normal_is_named_as_TF1_builds_it():
    out = tf.random_normal([2, 3], mean=1.0, stddev=2.0)
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names == ["random_normal/shape", "random_normal/mean", "random_normal/stddev",
                     "random_normal/RandomStandardNormal", "random_normal/mul", "random_normal"]
    assert out.name == "random_normal:0" and out.shape.as_list() == [2, 3]


def test_random_uniform_int_is_one_op_named_random_uniform():
    out = tf.random_uniform([4], minval=2, maxval=5, dtype=tf.int64)
    assert out.op.type == "RandomUniformInt" and out.op.name == "random_uniform"
    assert out.dtype == tf.int64


def test_random_uniform_int_needs_maxval():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf.random_uniform([2], dtype=tf.int32)


def test_random_uniform_rejects_other_dtypes():
    with pytest.raises(ValueError, match="Invalid dtype"):
        tf.random_uniform([2], dtype=tf.bool)


def test_random_uniform_int_with_empty_range_fails_at_run_time():
    low = tf.placeholder(tf.int32, [])
    out = tf.random_uniform([3], minval=low, maxval=4, dtype=tf.int32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval: 4 >= 4"):
            sess.run(out, {low: 4})


def test_random_normal_of_int_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="Expected int32, got 0.0 of type 'float' instead."):
        tf.random_normal([2], dtype=tf.int32)


def test_shape_from_a_placeholder_is_known_only_at_run_time():
    shape = tf.placeholder(tf.int32, [2])
    out = tf.random_normal(shape, seed=1)
    assert out.shape.as_list() == [None, None]
    with tf.Session() as sess:
        assert sess.run(out, {shape: [3, 5]}).shape == (3, 5)


def test_shape_must_be_a_vector():
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.random_normal(tf.constant([[2, 3]]))


def test_empty_shape_draws_a_scalar():
    out = tf.truncated_normal([], seed=3)
    assert out.shape.as_list() == []
    with tf.Session() as sess:
        assert np.ndim(sess.run(out)) == 0


def test_random_shuffle_permutes_rows_and_keeps_the_shape():
    values = np.arange(12).reshape(6, 2)
    with tf.Session() as sess:
        shuffled = sess.run(tf.random_shuffle(values, seed=2))
    assert shuffled.shape == (6, 2)
    assert sorted(map(tuple, shuffled)) == sorted(map(tuple, values))


def test_multinomial_never_draws_a_class_of_zero_probability():
    with np.errstate(divide="ignore"):
        logits = np.log(np.array([[0.5, 0.0, 0.5]]))
    draws = tf.multinomial(logits.astype(np.float32), 500, seed=1)
    assert draws.shape.as_list() == [1, 500] and draws.dtype == tf.int64
    with tf.Session() as sess:
        values = sess.run(draws)
    assert set(np.unique(values)) == {0, 2}
