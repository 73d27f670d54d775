"""Gradient rules of the math ops, checked against hand-computed NumPy derivatives: ties in
max/min, pow at 0, matmul flags, means, casts, clipping, selection and scans."""
import itertools
import math

import numpy as np
import pytest

import session_magic as tf

FLAG_PAIRS = list(itertools.product([False, True], repeat=2))


def grads(y, xs, feed=None):
    """The gradients of sum(y) with respect to each of xs, evaluated (None stays None)."""
    found = tf.gradients(y, xs)
    with tf.Session() as sess:
        values = sess.run([g for g in found if g is not None], feed)
    it = iter(values)
    return [None if g is None else next(it) for g in found]


def weighted(y, seed=0):
    """sum(y * w) for fixed random weights w, so every output element matters differently."""
    weights = np.random.default_rng(seed).normal(size=y.shape.as_list())
    return tf.reduce_sum(y * tf.constant(weights, y.dtype)), weights


def test_reduce_max_splits_the_gradient_equally_among_ties():
    values = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    x = tf.constant(values)
    by_row, overall = grads(tf.reduce_max(x, 1), x)[0], grads(tf.reduce_max(x), x)[0]
    np.testing.assert_array_equal(by_row, [[0, 0.5, 0.5], [0.5, 0.5, 0]])
    np.testing.assert_array_equal(overall, [[0, 0.5, 0.5], [0, 0, 0]])


def test_reduce_min_with_keepdims_splits_ties_and_keeps_the_weights():
    x = tf.constant([[4.0, 1.0, 1.0, 1.0], [0.0, 5.0, 6.0, 7.0]])
    y = tf.reduce_min(x, 1, keepdims=True) * tf.constant([[3.0], [2.0]])
    np.testing.assert_allclose(grads(y, x)[0], [[0, 1, 1, 1], [2, 0, 0, 0]])


def test_reduce_max_gradient_with_shapes_known_only_at_run_time():
    x = tf.placeholder(tf.float64, [None, None])
    values = np.array([[1.0, 5.0], [7.0, 7.0], [0.0, -1.0]])
    np.testing.assert_array_equal(grads(tf.reduce_max(x, -1), x, {x: values})[0],
                                  [[0, 1], [0.5, 0.5], [1, 0]])


def test_pow_gradient_at_zero_base_is_finite():
    x, y = tf.constant([0.0, 2.0, 0.0]), tf.constant([2.0, 3.0, 1.0])
    dx, dy = grads(tf.pow(x, y), [x, y])
    # d/dx = y x^(y-1); d/dy = x^y log(x), taken as 0 where x <= 0 (TF's rule).
    np.testing.assert_allclose(dx, [0.0, 12.0, 1.0])
    np.testing.assert_allclose(dy, [0.0, 8.0 * math.log(2.0), 0.0], rtol=1e-6)


@pytest.mark.parametrize("transpose_a, transpose_b", FLAG_PAIRS)
def test_matmul_gradient_honours_transpose_flags(transpose_a, transpose_b):
    rng = np.random.default_rng(1)
    a_value = rng.normal(size=(3, 2) if transpose_a else (2, 3))
    b_value = rng.normal(size=(4, 3) if transpose_b else (3, 4))
    a, b = tf.constant(a_value), tf.constant(b_value)
    loss, w = weighted(tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b))
    da, db = grads(loss, [a, b])
    used_a = a_value.T if transpose_a else a_value
    used_b = b_value.T if transpose_b else b_value
    expected_a, expected_b = w @ used_b.T, used_a.T @ w
    np.testing.assert_allclose(da, expected_a.T if transpose_a else expected_a)
    np.testing.assert_allclose(db, expected_b.T if transpose_b else expected_b)


def test_batch_matmul_gradient_sums_over_a_broadcast_batch():
    rng = np.random.default_rng(2)
    x_value, y_value = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5))
    x, y = tf.constant(x_value), tf.constant(y_value)
    loss, w = weighted(tf.matmul(x, y))
    dx, dy = grads(loss, [x, y])
    np.testing.assert_allclose(dx, w @ y_value.T)
    np.testing.assert_allclose(dy, np.einsum("bij,bik->jk", x_value, w))


def test_mean_of_a_2x3_gives_a_sixth_to_each_element():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(grads(tf.reduce_mean(x), x)[0], np.full((2, 3), 1 / 6))


def test_mean_over_an_axis_of_unknown_length_divides_by_the_fed_length():
    x = tf.placeholder(tf.float32, [None, 3])
    result = grads(tf.reduce_mean(x, 0), x, {x: np.ones((4, 3), np.float32)})[0]
    np.testing.assert_allclose(result, np.full((4, 3), 0.25))
    assert result.dtype == np.float32


def test_sum_gradient_broadcasts_back_to_a_shape_known_at_run_time():
    x = tf.placeholder(tf.float64)
    y = tf.reduce_sum(x, [0, 2]) * tf.constant([1.0, 2.0], tf.float64)
    fed = np.zeros((3, 2, 4))
    np.testing.assert_array_equal(grads(y, x, {x: fed})[0],
                                  np.broadcast_to([[1.0], [2.0]], (3, 2, 4)))


def test_prod_gradient_is_the_product_of_the_others_even_with_zeros():
    x = tf.constant([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 5.0]])
    np.testing.assert_array_equal(grads(tf.reduce_prod(x, 1), x)[0],
                                  [[6, 0, 0], [0, 0, 0], [10, 5, 2]])


def test_prod_gradient_with_unknown_dims():
    x = tf.placeholder(tf.float64, [None, 2, None])
    values = np.arange(1.0, 13.0).reshape(3, 2, 2)
    expected = np.prod(values, (0, 2), keepdims=True) / values
    np.testing.assert_allclose(grads(tf.reduce_prod(x, [0, 2]), x, {x: values})[0], expected)
    y = tf.placeholder(tf.float64)
    np.testing.assert_allclose(grads(tf.reduce_prod(y), y, {y: values})[0],
                               np.prod(values) / values)


def test_truediv_of_ints_has_no_gradient_past_the_casts():
    x, y = tf.constant([3, 4]), tf.constant([2, 8])
    quotient = x / y
    assert quotient.op.inputs[0].op.type == "Cast"
    assert tf.gradients(quotient, [x, y]) == [None, None]
    cast_x = quotient.op.inputs[0]
    np.testing.assert_allclose(grads(quotient, cast_x)[0], [0.5, 0.125])


def test_cast_passes_gradients_between_floats_only():
    x = tf.constant([1.5, -2.0], tf.float32)
    through_double = grads(tf.cast(x, tf.float64) * 3.0, x)[0]
    np.testing.assert_array_equal(through_double, [3.0, 3.0])
    assert through_double.dtype == np.float32
    through_int = tf.cast(tf.cast(x, tf.int32), tf.float32)
    assert tf.gradients(through_int, x) == [None]


def test_clip_by_value_passes_the_gradient_only_inside_the_range():
    x = tf.constant([-2.0, -0.5, 0.0, 0.7, 3.0])
    np.testing.assert_array_equal(grads(tf.clip_by_value(x, -1.0, 1.0), x)[0], [0, 1, 1, 1, 0])


def test_maximum_and_minimum_give_ties_to_the_first_operand():
    x, y = tf.constant([1.0, 2.0, 3.0]), tf.constant([2.0, 2.0, 2.0])
    np.testing.assert_array_equal(grads(tf.maximum(x, y), [x, y]), [[0, 1, 1], [1, 0, 0]])
    np.testing.assert_array_equal(grads(tf.minimum(x, y), [x, y]), [[1, 1, 0], [0, 0, 1]])


def test_where_routes_the_gradient_by_the_condition():
    condition = tf.constant([True, False, True])
    x, y = tf.constant([1.0, 2.0, 3.0]), tf.constant([4.0, 5.0, 6.0])
    loss = tf.reduce_sum(tf.where(condition, x, y) * tf.constant([10.0, 20.0, 30.0]))
    dx, dy, dc = grads(loss, [x, y, condition])
    np.testing.assert_array_equal(dx, [10, 0, 30])
    np.testing.assert_array_equal(dy, [0, 20, 0])
    assert dc is None


def test_where_with_a_vector_condition_routes_whole_rows():
    x, y = tf.constant(np.ones((2, 3))), tf.constant(np.ones((2, 3)))
    dx, dy = grads(tf.where(tf.constant([False, True]), x, y), [x, y])
    np.testing.assert_array_equal(dx, [[0, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(dy, [[1, 1, 1], [0, 0, 0]])


def test_where_v2_sums_the_gradient_of_a_broadcast_operand():
    condition = tf.constant([[True, False, True], [True, True, False]])
    x, y = tf.constant([1.0, 2.0, 3.0]), tf.constant(0.0)
    dx, dy = grads(tf.where_v2(condition, x, y), [x, y])
    np.testing.assert_array_equal(dx, [2, 1, 1])
    assert dy == 2


def _cumsum_matrix(n, exclusive, reverse):
    """M with cumsum(x) == M @ x, built from the definition."""
    i, j = np.indices((n, n))
    included = (j >= i) if reverse else (j <= i)
    return (included & (i != j) if exclusive else included).astype(float)


@pytest.mark.parametrize("exclusive, reverse", FLAG_PAIRS)
def test_cumsum_gradient_is_the_transposed_scan(exclusive, reverse):
    x = tf.constant(np.arange(4.0))
    loss, w = weighted(tf.cumsum(x, exclusive=exclusive, reverse=reverse))
    np.testing.assert_allclose(grads(loss, x)[0], _cumsum_matrix(4, exclusive, reverse).T @ w)


def test_floormod_gradient_is_minus_the_floored_quotient_for_the_divisor():
    x, y = tf.constant([7.5, -7.5]), tf.constant([2.0, 2.0])
    dx, dy = grads(tf.floormod(x, y), [x, y])
    np.testing.assert_array_equal(dx, [1, 1])
    np.testing.assert_array_equal(dy, [-3, 4])


def test_rounding_and_floor_division_have_no_gradient():
    x = tf.constant([1.3, -2.7])
    for y in (tf.floor(x), tf.ceil(x), tf.round(x), tf.rint(x), x // 2.0):
        assert tf.gradients(y, x) == [None], y.op.type


def test_sign_gradient_is_zero_not_none():
    x = tf.constant([-2.0, 3.0])
    np.testing.assert_array_equal(grads(tf.sign(x), x)[0], [0, 0])


def test_abs_and_sqrt_gradients():
    x = tf.constant([-4.0, 9.0])
    np.testing.assert_array_equal(grads(tf.abs(x), x)[0], [-1, 1])
    y = tf.constant([4.0, 9.0])
    np.testing.assert_allclose(grads(tf.sqrt(y), y)[0], [0.25, 1 / 6])


def test_atan2_gradient():
    y, x = tf.constant([1.0, -2.0]), tf.constant([3.0, 0.5])
    dy, dx = grads(tf.atan2(y, x), [y, x])
    radius = np.array([10.0, 4.25])
    np.testing.assert_allclose(dy, np.array([3.0, 0.5]) / radius)
    np.testing.assert_allclose(dx, -np.array([1.0, -2.0]) / radius)


def test_add_n_gives_each_input_the_whole_gradient():
    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    np.testing.assert_array_equal(grads(tf.add_n([a, b, a]), [a, b]), [[2, 2], [1, 1]])


def test_gradient_ops_are_named_after_the_op_they_differentiate():
    x = tf.constant([1.0, 2.0], name="x")
    y = tf.exp(x, name="e")
    assert tf.gradients(y, x)[0].op.name.startswith("gradients/e_grad/")


def test_tensordot_gradient_with_int_axes_matches_einsum():
    rng = np.random.default_rng(4)
    a_value, b_value = rng.normal(size=(2, 3, 4)), rng.normal(size=(3, 4, 5))
    a, b = tf.constant(a_value), tf.constant(b_value)
    loss, w = weighted(tf.tensordot(a, b, 2))
    da, db = grads(loss, [a, b])
    np.testing.assert_allclose(da, np.einsum("ik,jlk->ijl", w, b_value))
    np.testing.assert_allclose(db, np.einsum("ijl,ik->jlk", a_value, w))
