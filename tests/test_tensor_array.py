"""TensorArray: TF 1's methods, inside while_loop and cond, gradients against NumPy, and the
errors of a bad index, dtype or size."""
import numpy as np
import pytest

import session_magic as tf

X = np.arange(12, dtype=np.float32).reshape(4, 3) / 4.0 - 1.0


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


def test_unstack_read_stack_round_trip():
    x = tf.placeholder(tf.float32, [4, 3])
    ta = tf.TensorArray(tf.float32, size=4).unstack(x)
    stacked, row = _run([ta.stack(), ta.read(2)], {x: X})
    np.testing.assert_array_equal(stacked, X)
    np.testing.assert_array_equal(row, X[2])
    assert ta.element_shape.as_list() == [3]
    assert ta.stack().shape.as_list() == [4, 3]


def test_writes_in_a_while_loop_and_their_gradient():
    x = tf.placeholder(tf.float32, [4, 3])
    source = tf.TensorArray(tf.float32, size=4).unstack(x)

    def body(i, out):
        return i + 1, out.write(i, source.read(i) * tf.cast(i + 1, tf.float32))
    _, out = tf.while_loop(lambda i, _: i < 4, body, [0, tf.TensorArray(tf.float32, size=4)])
    y = out.stack()
    grad = tf.gradients(tf.reduce_sum(y * y), x)[0]
    value, grad_value = _run([y, grad], {x: X})
    scale = np.arange(1, 5, dtype=np.float32)[:, None]
    np.testing.assert_allclose(value, X * scale, rtol=1e-6)
    np.testing.assert_allclose(grad_value, 2 * X * scale ** 2, rtol=1e-6)


def test_unwritten_elements_stack_as_zeros():
    x = tf.placeholder(tf.float32, [3])
    ta = tf.TensorArray(tf.float32, size=3).write(1, x)
    np.testing.assert_array_equal(_run(ta.stack(), {x: [1, 2, 3]}),
                                  [[0, 0, 0], [1, 2, 3], [0, 0, 0]])


def test_dynamic_size_grows_and_reports_its_size():
    def body(i, out):
        return i + 1, out.write(i, tf.cast(i, tf.float32) * 2.0)
    _, out = tf.while_loop(lambda i, _: i < 5, body,
                           [0, tf.TensorArray(tf.float32, size=0, dynamic_size=True)])
    stacked, size = _run([out.stack(), out.size()])
    np.testing.assert_array_equal(stacked, [0, 2, 4, 6, 8])
    assert size == 5


def test_gather_scatter_and_their_gradients():
    x = tf.placeholder(tf.float32, [4, 3])
    ta = tf.TensorArray(tf.float32, size=4).scatter([3, 0], x[:2])
    gathered = ta.gather([0, 3, 0])
    grad = tf.gradients(tf.reduce_sum(gathered * [[1.0], [2.0], [3.0]]), x)[0]
    value, grad_value = _run([gathered, grad], {x: X})
    np.testing.assert_array_equal(value, X[[1, 0, 1]])
    expected = np.zeros_like(X)
    expected[0], expected[1] = 2.0, 4.0  # NOTE: row 1 of x was gathered twice: 1 + 3
    np.testing.assert_array_equal(grad_value, expected)


def test_split_concat_and_gradient():
    x = tf.placeholder(tf.float32, [4, 3])
    ta = tf.TensorArray(tf.float32, size=3, infer_shape=False).split(x, [1, 0, 3])
    joined, last = ta.concat(), ta.read(2)
    grad = tf.gradients(tf.reduce_sum(joined) + tf.reduce_sum(last * 2.0), x)[0]
    joined_value, last_value, grad_value = _run([joined, last, grad], {x: X})
    np.testing.assert_array_equal(joined_value, X)
    np.testing.assert_array_equal(last_value, X[1:])
    np.testing.assert_array_equal(grad_value, np.array([[1] * 3] + [[3] * 3] * 3))


def test_a_tensor_array_returned_by_cond():
    p = tf.placeholder(tf.bool, [])
    ta = tf.TensorArray(tf.float32, size=2).unstack(tf.constant([[1.0], [2.0]]))
    chosen = tf.cond(p, lambda: ta.write(0, [5.0]), lambda: ta)
    assert isinstance(chosen, tf.TensorArray)
    np.testing.assert_array_equal(_run(chosen.stack(), {p: True}), [[5], [2]])
    np.testing.assert_array_equal(_run(chosen.stack(), {p: False}), [[1], [2]])


def test_properties_identity_close_and_the_flow():
    ta = tf.TensorArray(tf.int32, size=2, element_shape=[2])
    assert ta.dtype is tf.int32
    assert ta.element_shape.as_list() == [2]
    assert isinstance(ta.identity(), tf.TensorArray)
    assert ta.flow.dtype is tf.float32  # NOTE: as TF 1's flow
    close = ta.close()
    assert _run(close) is None
    assert _run(ta.size()) == 2


def test_a_tensor_array_needs_a_size():
    with pytest.raises(ValueError, match="Size must be provided"):
        tf.TensorArray(tf.float32)


def test_writing_another_dtype_is_refused():
    ta = tf.TensorArray(tf.float32, size=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32 but Op is trying to write "
                                                              "dtype int32"):
        ta.write(0, tf.constant([1]))


def test_writes_of_inconsistent_shapes_are_refused():
    ta = tf.TensorArray(tf.float32, size=2).write(0, [1.0, 2.0])
    with pytest.raises(ValueError, match="Inconsistent shapes"):
        ta.write(1, [1.0, 2.0, 3.0])


def test_an_index_past_a_fixed_size_fails_when_run():
    i = tf.placeholder(tf.int32, [])
    ta = tf.TensorArray(tf.float32, size=2).write(i, 1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="element 5 in a list with 2"):
        _run(ta.stack(), {i: 5})
    with pytest.raises(tf.errors.InvalidArgumentError, match="element 3 in a list with 2"):
        _run(ta.read(3), {i: 0})


def test_reading_an_unwritten_element_of_unknown_shape_fails():
    ta = tf.TensorArray(tf.float32, size=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="never written"):
        _run(ta.read(0))


def test_a_tensor_array_beside_shape_invariants():
    def body(i, ta, acc):
        return i + 1, ta.write(i, acc[:1]), tf.concat([acc, acc], 0)
    _, ta, acc = tf.while_loop(
        lambda i, *_: i < 3, body, [0, tf.TensorArray(tf.float32, size=3), tf.ones([1])],
        shape_invariants=[tf.TensorShape([]), tf.TensorShape(None), tf.TensorShape([None])])
    stacked, grown = _run([ta.stack(), acc])
    np.testing.assert_array_equal(stacked, [[1], [1], [1]])
    assert grown.shape == (8,)


def test_unstacking_a_scalar_is_refused_while_building():
    with pytest.raises(ValueError, match="at least rank 1"):
        tf.TensorArray(tf.float32, size=1).unstack(tf.constant(1.0))
