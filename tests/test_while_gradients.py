"""Gradients through tf.while_loop: values recorded from TensorFlow 2.21 (tf.compat.v1, eager
disabled) on the same programs, finite differences, and the forward run never repeated."""
import numpy as np
import pytest

import session_magic as tf

W0 = np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]])
B0 = np.array([0.1, -0.2, 0.05])
H0 = np.array([[1.0, -1.0, 0.5], [0.2, 0.3, -0.4]])


def _power_loop(x, y0, times=4):
    """y0 * x**times, one multiplication per iteration."""
    return tf.while_loop(lambda i, y: i < times, lambda i, y: (i + 1, y * x), [0, y0])[1]


def _rnn(h0, w, b, steps=5, maximum_iterations=None):
    """h <- tanh(h @ w + b), `steps` times (or fewer, with maximum_iterations)."""
    return tf.while_loop(lambda i, h: i < steps,
                         lambda i, h: (i + 1, tf.tanh(tf.matmul(h, w) + b)),
                         [tf.constant(0), h0], maximum_iterations=maximum_iterations)[1]


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feeds)


def _numeric_gradient(sess, loss, feeds, x, epsilon=1e-6):
    """Central differences of `loss` w.r.t. the fed array of `x`."""
    grad = np.zeros_like(feeds[x])
    for index in np.ndindex(grad.shape):
        values = []
        for step in (epsilon, -epsilon):
            changed = {**feeds, x: feeds[x].copy()}
            changed[x][index] += step
            values.append(sess.run(loss, changed))
        grad[index] = (values[0] - values[1]) / (2 * epsilon)
    return grad


# --- TensorFlow's values ----------------------------------------------------------------------

def test_d_x4_dx_through_a_loop_is_tfs_13_5():
    x, y0 = tf.constant(1.5), tf.constant(1.0)
    y = _power_loop(x, y0)
    # NOTE: from TF 2.21: y = 5.0625, dy/dx = 13.5, dy/dy0 = 5.0625 (float32).
    assert _run([y, *tf.gradients(y, [x, y0])]) == [5.0625, 13.5, 5.0625]


# NOTE: from TF 2.21 on the same program (loss, dW, db, dh0), float64 and float32.
RNN_TF = {
    "5 steps": (0.49805874305447184,
                [[0.47359962774892717, -0.2646885912608324, -0.0813802684671821],
                 [-0.6670849303964335, 0.7692924985858306, -0.3740445761971857],
                 [0.4715998506162214, -1.1276713404830465, 1.1956100461475192]],
                [1.5779314958119814, -2.16942577755876, 1.7140412890746237],
                [[0.05781950110490486, 0.03447087896008535, -0.05187015304754024],
                 [-0.00825303739399855, 0.13896469789631488, -0.10409743648661025]]),
    "maximum_iterations=3": (0.8249179620910192,
                             [[0.5953745706220437, -0.7657396414990318, 0.3072150282477743],
                              [-0.4525585783633318, 0.9218501235050401, -0.6967038486579086],
                              [-0.18278686036773545, -0.3910236769672762, 0.7256188942184233]],
                             [1.4834821097970836, -2.294118499932133, 1.5971107022938407],
                             [[0.1568978958140905, -0.03667175737345088, -0.10581590886912448],
                              [0.24012834152316678, 0.01311471451245651, -0.22681886766487663]]),
}
RNN_TF_FLOAT32 = (0.4980588,
                  [[0.4735996, -0.26468858, -0.08138031], [-0.667085, 0.7692925, -0.37404457],
                   [0.47159985, -1.1276714, 1.1956102]],
                  [1.5779314, -2.1694257, 1.7140411],
                  [[0.057819493, 0.03447089, -0.051870156],
                   [-0.008253051, 0.13896473, -0.10409745]])


@pytest.mark.parametrize("dtype, limit, expected, rtol", [
    (tf.float64, None, RNN_TF["5 steps"], 1e-12),
    (tf.float64, 3, RNN_TF["maximum_iterations=3"], 1e-12),
    (tf.float32, None, RNN_TF_FLOAT32, 2e-6),
])
def test_rnn_loop_gradients_for_variables_read_in_the_body_match_tf(dtype, limit, expected,
                                                                   rtol):
    numpy_dtype = dtype.as_numpy_dtype
    w = tf.Variable(W0.astype(numpy_dtype), name="W")
    b = tf.Variable(B0.astype(numpy_dtype), name="b")
    h0 = tf.placeholder(dtype, [2, 3], name="h0")
    h = _rnn(h0, w, b, maximum_iterations=limit)
    loss = tf.reduce_sum(h * h)
    results = _run([loss, *tf.gradients(loss, [w, b, h0])], {h0: H0.astype(numpy_dtype)})
    for result, want in zip(results, expected, strict=True):
        assert np.asarray(result).dtype == numpy_dtype
        np.testing.assert_allclose(result, want, rtol=rtol, atol=rtol * 1e-2)


def test_nested_structure_of_loop_variables():
    x, y, z = (tf.constant(v, tf.float64) for v in (1.2, 0.7, -0.4))

    def body(i, state):
        a, (p, q) = state["a"], state["b"]
        return i + 1, {"a": a * p, "b": (p + a, q * 2.0 + a)}
    _, state = tf.while_loop(lambda i, state: i < 3, body,
                             [tf.constant(0), {"a": x, "b": (y, z)}])
    loss = state["a"] + 2.0 * state["b"][0] + 3.0 * state["b"][1]
    results = _run([loss, *tf.gradients(loss, [x, y, z])])
    # NOTE: from TF 2.21: loss and d/dx, d/dy, d/dz.
    np.testing.assert_allclose(results, [27.67304, 39.109, 39.26, 24.0], rtol=1e-12)


@pytest.mark.parametrize("taken, expected", [(True, [2.197, 5.07]), (False, [1.69, 2.6])])
def test_loop_inside_a_cond(taken, expected):
    x = tf.placeholder(tf.float64, [], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    one = tf.constant(1.0, tf.float64)
    result = tf.cond(p, lambda: _power_loop(x, one, times=3), lambda: x * x)
    # NOTE: from TF 2.21 at x = 1.3: (result, d/dx) for each branch.
    np.testing.assert_allclose(_run([result, tf.gradients(result, x)[0]], {x: 1.3, p: taken}),
                               expected, rtol=1e-12)


def test_cond_inside_a_loop_body_capturing_an_outer_tensor():
    x = tf.placeholder(tf.float64, [], name="x")
    step = lambda y: tf.cond(y > 2.0, lambda: y * 0.5, lambda: y * x)  # noqa: E731
    _, y = tf.while_loop(lambda i, y: i < 5, lambda i, y: (i + 1, step(y)),
                         [0, tf.constant(1.0, tf.float64)])
    # NOTE: from TF 2.21 at x = 1.7: (y, dy/dx).
    np.testing.assert_allclose(_run([y, tf.gradients(y, x)[0]], {x: 1.7}), [1.22825, 2.1675],
                               rtol=1e-12)


def test_loop_inside_a_loop_body():
    x = tf.placeholder(tf.float64, [], name="x")

    def body(i, y):
        inner = tf.while_loop(lambda j, y: j < 2, lambda j, y: (j + 1, y * x + 0.1), [0, y])
        return i + 1, inner[1]
    _, y = tf.while_loop(lambda i, y: i < 3, body, [0, tf.constant(1.0, tf.float64)])
    # NOTE: from TF 2.21 at x = 1.1: (y, dy/dx).
    np.testing.assert_allclose(_run([y, tf.gradients(y, x)[0]], {x: 1.1}),
                               [2.543122, 11.61051], rtol=1e-12)


def test_loop_variable_that_grows_under_a_shape_invariant():
    x = tf.placeholder(tf.float64, [], name="x")
    y0 = tf.constant([1.0, 2.0], tf.float64)
    _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, tf.concat([y, y * x], 0)),
                         [0, y0], shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])
    loss = tf.reduce_sum(y * tf.range(1, 17, dtype=tf.float64))
    loss_value, grad_x, grad_y0 = _run([loss, *tf.gradients(loss, [x, y0])], {x: 0.9})
    # NOTE: from TF 2.21 at x = 0.9: loss, d/dx, d/dy0.
    np.testing.assert_allclose([loss_value, grad_x], [170.753, 349.41], rtol=1e-12)
    np.testing.assert_allclose(grad_y0, [52.345, 59.204], rtol=1e-12)


def test_loop_that_never_iterates_passes_gradients_straight_through():
    x = tf.placeholder(tf.float64, [], name="x")
    y0 = tf.constant(2.0, tf.float64)
    y = tf.while_loop(lambda i, y: i < 0, lambda i, y: (i + 1, y * x), [0, y0])[1]
    # NOTE: from TF 2.21: y = 2, dy/dx = 0 (not None: x is captured), dy/dy0 = 1.
    assert _run([y, *tf.gradients(y, [x, y0])], {x: 3.0}) == [2.0, 0.0, 1.0]


def test_tensor_read_only_by_the_condition_gets_a_zero_gradient():
    x = tf.placeholder(tf.float64, [], name="x")
    y0 = tf.constant(1.0, tf.float64)
    y = tf.while_loop(lambda i, y: y < x, lambda i, y: (i + 1, y * 2.0), [0, y0])[1]
    # NOTE: from TF 2.21 at x = 5: y = 8, dy/dx = 0, dy/dy0 = 8.
    assert _run([y, *tf.gradients(y, [x, y0])], {x: 5.0}) == [8.0, 0.0, 8.0]


def test_gradients_of_each_and_both_loop_outputs():
    x = tf.placeholder(tf.float64, [], name="x")
    _, a, b = tf.while_loop(lambda i, a, b: i < 3, lambda i, a, b: (i + 1, a * x, a + b),
                            [0, tf.constant(1.0, tf.float64), tf.constant(0.0, tf.float64)])
    grads = [tf.gradients(b, x)[0], tf.gradients([a, b], x)[0], tf.gradients(a, x)[0]]
    # NOTE: from TF 2.21 at x = 2: d b/dx, d(a + b)/dx, d a/dx.
    assert _run(grads, {x: 2.0}) == [5.0, 17.0, 12.0]


def test_bodies_that_pass_values_through_swap_or_replace_them():
    x = tf.placeholder(tf.float64, [], name="x")
    y0 = tf.constant(3.0, tf.float64)
    loop = lambda body, start: tf.while_loop(lambda i, *v: i < 3, body, [0, *start])[1:]  # noqa
    replaced = loop(lambda i, y: (i + 1, x), [y0])
    kept = loop(lambda i, y: (i + 1, y), [y0])
    constant = loop(lambda i, y: (i + 1, tf.constant(1.0, tf.float64)), [y0])
    swapped = loop(lambda i, y, z: (i + 1, z, y * x), [y0, x])
    grads = [tf.gradients(tf.add_n(ys), [x, y0]) for ys in (replaced, kept, constant, swapped)]
    # NOTE: from TF 2.21 at x = 2: d/dx and d/dy0 of each (None where TF gives None).
    assert [[g is None for g in pair] for pair in grads] == [[False, False], [True, False],
                                                             [True, False], [False, False]]
    values = _run([[g for g in pair if g is not None] for pair in grads], {x: 2.0})
    assert values == [[1.0, 0.0], [1.0], [0.0], [16.0, 4.0]]


def test_back_prop_false_and_integer_loops_carry_no_gradient():
    x = tf.placeholder(tf.float64, [], name="x")
    stopped = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x), [0, x],
                            back_prop=False)[1]
    counted = tf.while_loop(lambda i: i < 3, lambda i: i + tf.cast(x, tf.int32), [0])
    # NOTE: TF 2.21 gives None for both.
    assert tf.gradients(stopped, x) == [None] and tf.gradients(counted, x) == [None]


# --- finite differences -------------------------------------------------------------------------

def test_rnn_gradients_match_finite_differences():
    h0, w, b = (tf.placeholder(tf.float64, shape) for shape in ([2, 3], [3, 3], [3]))
    loss = tf.reduce_sum(tf.sin(_rnn(h0, w, b, steps=4)) * [1.0, -2.0, 0.5])
    feeds = {h0: H0.copy(), w: W0.copy(), b: B0.copy()}
    analytic = tf.gradients(loss, [h0, w, b])
    with tf.Session() as sess:
        for x, grad in zip([h0, w, b], sess.run(analytic, feeds), strict=True):
            np.testing.assert_allclose(grad, _numeric_gradient(sess, loss, feeds, x),
                                       rtol=1e-6, atol=1e-9)


def test_loop_gradient_equals_the_unrolled_graphs():
    x = tf.placeholder(tf.float64, [4], name="x")
    w = tf.placeholder(tf.float64, [4], name="w")
    looped = tf.while_loop(lambda i, a: i < 6, lambda i, a: (i + 1, tf.sin(a) * w + a * a * 0.1),
                           [0, x])[1]
    unrolled = x
    for _ in range(6):
        unrolled = tf.sin(unrolled) * w + unrolled * unrolled * 0.1
    feeds = {x: np.array([0.3, -0.7, 1.1, 0.2]), w: np.array([0.9, -0.4, 0.6, 1.3])}
    first, second = _run([tf.gradients(tf.reduce_sum(y), [x, w]) for y in (looped, unrolled)],
                         feeds)
    np.testing.assert_allclose(first, second, rtol=1e-12)


# --- the forward run is recorded, never repeated ----------------------------------------------

def test_random_values_of_the_forward_run_are_the_ones_differentiated():
    x = tf.placeholder(tf.float64, [], name="x")
    noise = lambda: tf.random_uniform([], 0.5, 1.5, dtype=tf.float64)  # noqa: E731
    y = tf.while_loop(lambda i, y: i < 4, lambda i, y: (i + 1, y * x * noise()),
                      [0, tf.constant(1.0, tf.float64)])[1]
    grad = tf.gradients(y, x)[0]
    with tf.Session() as sess:
        for _ in range(3):
            value, slope = sess.run([y, grad], {x: 1.3})
            assert slope == pytest.approx(4 * value / 1.3, rel=1e-12)


def test_variable_writes_in_the_body_happen_once_per_iteration_of_one_run():
    x = tf.placeholder(tf.float64, [], name="x")
    count = tf.Variable(0.0, dtype=tf.float64, name="count")

    def body(i, y):
        with tf.control_dependencies([count.assign_add(1.0)]):
            return i + 1, y * x
    y = tf.while_loop(lambda i, y: i < 3, body, [0, tf.constant(1.0, tf.float64)])[1]
    grad = tf.gradients(y, x)[0]
    with tf.Session() as sess:
        sess.run(count.initializer)
        assert sess.run([y, grad], {x: 2.0}) == [8.0, 12.0] and sess.run(count) == 3.0
        assert sess.run(grad, {x: 2.0}) == 12.0 and sess.run(count) == 6.0


def test_plan_compiled_before_the_gradient_existed_still_runs():
    x = tf.placeholder(tf.float64, [], name="x")
    y = _power_loop(x, tf.constant(1.0, tf.float64), times=3)
    with tf.Session() as sess:
        assert sess.run(y, {x: 2.0}) == 8.0
        grad = tf.gradients(y, x)[0]
        assert sess.run(y, {x: 2.0}) == 8.0
        assert sess.run(grad, {x: 2.0}) == 12.0
        again = tf.gradients(y * y, x)[0]
        assert sess.run([grad, again], {x: 2.0}) == [12.0, 2 * 8.0 * 12.0]


def test_maximum_iterations_fed_at_run_time():
    x = tf.placeholder(tf.float64, [], name="x")
    limit = tf.placeholder(tf.int32, [], name="limit")
    y = tf.while_loop(lambda i, y: i < 10, lambda i, y: (i + 1, y * x), [0, x],
                      maximum_iterations=limit)[1]
    grad = tf.gradients(y, x)[0]
    with tf.Session() as sess:
        assert sess.run([y, grad], {x: 2.0, limit: 3}) == [16.0, 32.0]
        assert sess.run([y, grad], {x: 2.0, limit: 0}) == [2.0, 1.0]


def test_gradient_descent_through_a_loop_trains_like_the_unrolled_graph():
    h0 = tf.constant(H0)
    results = []
    for unrolled in (False, True):
        w = tf.Variable(W0)
        h = h0
        if unrolled:
            for _ in range(5):
                h = tf.tanh(tf.matmul(h, w) + B0)
        else:
            h = _rnn(h0, w, tf.constant(B0))
        loss = tf.reduce_sum(h * h)
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        with tf.Session() as sess:
            sess.run(w.initializer)
            for _ in range(3):
                sess.run(train)
            results.append(sess.run([w, loss]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    assert results[0][1] == pytest.approx(results[1][1], rel=1e-12)


# --- what cannot be differentiated says why ---------------------------------------------------

def test_an_op_without_a_gradient_in_the_body_names_itself_and_the_loop():
    x = tf.placeholder(tf.float64, [], name="x")
    remainder = lambda y: tf.truncatemod(y, 5.0) * 2.0  # noqa: E731 - TF has no gradient for it
    y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, remainder(y)), [0, x],
                      name="doubling")[1]
    with pytest.raises(LookupError, match=r"No gradient defined for operation "
                                          r"'body/TruncateMod' .*body of the while loop "
                                          r"'doubling'"):
        tf.gradients(y, x)


def test_second_derivative_through_a_loop_is_a_clear_lookup_error():
    x = tf.placeholder(tf.float64, [], name="x")
    grad = tf.gradients(_power_loop(x, tf.constant(1.0, tf.float64), times=3), x)[0]
    with pytest.raises(LookupError, match="gradient of a tf.while_loop are not supported .*"
                                          "unroll the loop"):
        tf.gradients(grad, x)
