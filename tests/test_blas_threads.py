"""ConfigProto(intra_op_parallelism_threads=N) holds the BLAS/OpenMP pools at N threads while the
session is open, from its first run (threadpoolctl), and gives them back when it closes."""
import numpy as np
import pytest

import session_magic as tf

threadpoolctl = pytest.importorskip("threadpoolctl")


def pool_sizes():
    return [lib.get_num_threads() for lib in threadpoolctl.ThreadpoolController().lib_controllers]


def test_a_session_limits_blas_threads_while_it_is_open():
    if not pool_sizes():
        pytest.skip("no BLAS or OpenMP library with a thread pool is loaded")
    before = pool_sizes()
    seen = []

    def look(x):
        seen.append(pool_sizes())
        return x
    x = tf.placeholder(tf.float32, [2, 2])
    y = tf.matmul(tf.py_func(look, [x], tf.float32), x)
    config = tf.ConfigProto(intra_op_parallelism_threads=1)
    with tf.Session(config=config) as sess:
        value = sess.run(y, {x: np.eye(2, dtype=np.float32)})
        assert pool_sizes() == [1] * len(before)  # NOTE: held between runs: a run pays nothing
    np.testing.assert_array_equal(value, np.eye(2))
    assert seen == [[1] * len(before)]
    assert pool_sizes() == before  # given back when the session closes


def test_sessions_without_the_option_leave_the_pools_alone():
    before = pool_sizes()
    seen = []

    def look(x):
        seen.append(pool_sizes())
        return x
    x = tf.placeholder(tf.float32, [2])
    with tf.Session() as sess:
        sess.run(tf.py_func(look, [x], tf.float32), {x: [1.0, 2.0]})
    assert seen == [before]


def test_a_failed_run_leaves_nothing_behind_once_closed():
    before = pool_sizes()
    x = tf.placeholder(tf.float32, [None])
    bad = tf.reshape(x, [2])
    with tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=1)) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(bad, {x: [1.0, 2.0, 3.0]})
    assert pool_sizes() == before


def test_the_option_must_be_a_whole_number():
    with pytest.raises((TypeError, ValueError)):
        tf.ConfigProto(intra_op_parallelism_threads="two")
