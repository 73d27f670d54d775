"""map_fn, scan, foldl and foldr: values against Python loops, gradients against finite
differences, nested structures, and the errors of bad arguments."""
import numpy as np
import pytest

import session_magic as tf

X = (np.arange(12, dtype=np.float64).reshape(4, 3) / 5.0) - 1.0


def _value_and_gradient(build):
    """build(x) for x fed with X; returns (value, d sum(sin(value))/dx, finite differences)."""
    x = tf.placeholder(tf.float64, [4, 3])
    result = build(x)
    flat = result if isinstance(result, (list, tuple)) else [result]
    loss = tf.add_n([tf.reduce_sum(tf.sin(t)) for t in flat])
    grad = tf.gradients(loss, x)[0]
    with tf.Session() as sess:
        value, analytic = sess.run([result, grad], {x: X})
        numeric = np.zeros_like(X)
        for index in np.ndindex(X.shape):
            up, down = X.copy(), X.copy()
            up[index] += 1e-6
            down[index] -= 1e-6
            numeric[index] = (sess.run(loss, {x: up}) - sess.run(loss, {x: down})) / 2e-6
    return value, analytic, numeric


def test_map_fn_applies_fn_to_each_row():
    value, analytic, numeric = _value_and_gradient(
        lambda x: tf.map_fn(lambda row: row * row + tf.reduce_sum(row), x))
    np.testing.assert_allclose(value, X * X + X.sum(1, keepdims=True))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_map_fn_with_nested_elements_and_dtype():
    x = tf.constant(X)
    first, second = tf.map_fn(lambda pair: (pair[0] * 2.0, tf.cast(tf.argmax(pair[1]), tf.int32)),
                              (x, x), dtype=(tf.float64, tf.int32))
    with tf.Session() as sess:
        a, b = sess.run([first, second])
    np.testing.assert_allclose(a, X * 2)
    np.testing.assert_array_equal(b, X.argmax(1))
    assert first.shape.as_list() == [4, 3] and second.shape.as_list() == [4]


def test_scan_accumulates_from_the_first_row():
    value, analytic, numeric = _value_and_gradient(
        lambda x: tf.scan(lambda a, row: a * 0.5 + row * row, x))
    expected, a = [], None
    for row in X:
        a = row if a is None else a * 0.5 + row * row
        expected.append(a)
    np.testing.assert_allclose(value, expected)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_scan_with_a_nested_initializer_in_reverse():
    value, analytic, numeric = _value_and_gradient(
        lambda x: tf.scan(lambda a, row: (a[0] + row, a[1] * row), x, reverse=True,
                          initializer=(tf.zeros([3], tf.float64), tf.ones([3], tf.float64))))
    sums = np.cumsum(X[::-1], 0)[::-1]
    products = np.cumprod(X[::-1], 0)[::-1]
    np.testing.assert_allclose(value[0], sums)
    np.testing.assert_allclose(value[1], products)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_foldl_and_foldr_fold_in_their_direction():
    value, analytic, numeric = _value_and_gradient(
        lambda x: [tf.foldl(lambda a, row: a * row + 1.0, x),
                   tf.foldr(lambda a, row: a * 0.5 + tf.tanh(row), x,
                            initializer=tf.ones([3], tf.float64))])
    left = X[0]
    for row in X[1:]:
        left = left * row + 1
    right = np.ones(3)
    for row in X[::-1]:
        right = right * 0.5 + np.tanh(row)
    np.testing.assert_allclose(value[0], left)
    np.testing.assert_allclose(value[1], right)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_map_fn_of_a_fed_length():
    x = tf.placeholder(tf.float32, [None, 2])
    doubled = tf.map_fn(lambda row: row * 2.0, x)
    assert doubled.shape.as_list() == [None, 2]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(doubled, {x: [[1, 2], [3, 4], [5, 6]]}),
                                      [[2, 4], [6, 8], [10, 12]])


def test_map_fn_ops_live_under_its_name_scope():
    result = tf.map_fn(lambda row: row + 1.0, tf.zeros([2, 2]), name="plus_one")
    assert result.name.startswith("plus_one/")


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(TypeError, match="fn must be callable"):
        tf.map_fn(3, tf.zeros([2]))
    with pytest.raises(ValueError, match="not scalars"):
        tf.map_fn(lambda v: v, tf.constant(1.0))
    with pytest.raises(ValueError, match="not compatible"):
        tf.scan(lambda a, v: a, (tf.zeros([2]), tf.zeros([3])))
    with pytest.raises(ValueError, match="same nested structure"):
        tf.map_fn(lambda v: (v, v), tf.zeros([2]))


def test_nested_map_fn_and_its_gradient():
    x = tf.placeholder(tf.float64, [3, 4, 2])
    sums = tf.map_fn(lambda matrix: tf.map_fn(lambda row: tf.reduce_sum(row * row), matrix), x)
    grad = tf.gradients(tf.reduce_sum(sums), x)[0]
    value = np.linspace(-1, 1, 24).reshape(3, 4, 2)
    with tf.Session() as sess:
        result, grad_value = sess.run([sums, grad], {x: value})
    np.testing.assert_allclose(result, (value ** 2).sum(-1))
    np.testing.assert_allclose(grad_value, 2 * value)
    assert sums.shape.as_list() == [3, 4]
