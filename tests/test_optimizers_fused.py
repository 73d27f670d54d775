"""Optimizers as TF builds them: one training op per variable, atomic runs, clear errors; the
learning-rate schedules and ExponentialMovingAverage against NumPy (TF goldens: the optimizers
topic of tests/golden)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import session_magic as tf
from session_magic import errors
from session_magic.ops import training_ops

DENSE_OP = {
    "GradientDescent": (lambda: tf.train.GradientDescentOptimizer(0.1), "ApplyGradientDescent"),
    "Momentum": (lambda: tf.train.MomentumOptimizer(0.1, 0.9), "ApplyMomentum"),
    "Adagrad": (lambda: tf.train.AdagradOptimizer(0.1), "ApplyAdagrad"),
    "RMSProp": (lambda: tf.train.RMSPropOptimizer(0.1), "ApplyRMSProp"),
    "RMSProp centered": (lambda: tf.train.RMSPropOptimizer(0.1, centered=True),
                         "ApplyCenteredRMSProp"),
    "Adam": (lambda: tf.train.AdamOptimizer(0.1), "ApplyAdam"),
    "Adadelta": (lambda: tf.train.AdadeltaOptimizer(1.0), "ApplyAdadelta"),
    "Ftrl": (lambda: tf.train.FtrlOptimizer(0.1), "ApplyFtrl"),
    "Ftrl shrinkage": (lambda: tf.train.FtrlOptimizer(
        0.1, l2_shrinkage_regularization_strength=0.1), "ApplyFtrlV2"),
    "ProximalGradientDescent": (lambda: tf.train.ProximalGradientDescentOptimizer(0.1),
                                "ApplyProximalGradientDescent"),
    "ProximalAdagrad": (lambda: tf.train.ProximalAdagradOptimizer(0.1), "ApplyProximalAdagrad"),
}

SPARSE_OP = {
    "Momentum": "SparseApplyMomentum", "Adagrad": "SparseApplyAdagrad",
    "RMSProp": "SparseApplyRMSProp", "RMSProp centered": "SparseApplyCenteredRMSProp",
    "Adadelta": "SparseApplyAdadelta", "Ftrl": "SparseApplyFtrl",
    "Ftrl shrinkage": "SparseApplyFtrlV2",
    "ProximalGradientDescent": "SparseApplyProximalGradientDescent",
    "ProximalAdagrad": "SparseApplyProximalAdagrad",
}


def _types(graph: tf.Graph) -> list:
    return [op.type for op in graph.get_operations()]


@pytest.mark.parametrize("kind", list(DENSE_OP))
def test_each_variable_is_updated_by_one_training_op(kind):
    make, op_type = DENSE_OP[kind]
    with tf.Graph().as_default() as graph:
        w, b = tf.Variable([[1.0], [2.0]], name="w"), tf.Variable(0.5, name="b")
        make().minimize(tf.reduce_sum(tf.square(tf.matmul([[1.0, 2.0]], w) + b)))
        assert _types(graph).count(op_type) == 2
        assert "AssignSub" not in _types(graph)


@pytest.mark.parametrize("kind", list(SPARSE_OP))
def test_a_gathered_variable_is_updated_by_one_sparse_training_op(kind):
    make, _ = DENSE_OP[kind]
    with tf.Graph().as_default() as graph:
        table = tf.Variable(np.ones((5, 2), np.float32))
        make().minimize(tf.reduce_sum(tf.gather(table, [1, 3, 1])))
        assert _types(graph).count(SPARSE_OP[kind]) == 1
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(graph.get_collection(tf.GraphKeys.TRAIN_OP))
            moved = sess.run(table)
    untouched = [0, 2, 4]
    np.testing.assert_array_equal(moved[untouched], 1.0)
    assert (moved[[1, 3]] != 1.0).all()


@pytest.mark.parametrize("kind", ["Adam", "RMSProp centered", "Ftrl"])
def test_a_run_failing_after_the_update_changes_no_variable_or_slot(kind):
    make, _ = DENSE_OP[kind]
    w = tf.Variable([1.0, -2.0], name="w")
    optimizer = make()
    train = optimizer.minimize(tf.reduce_sum(tf.square(w)))
    with tf.control_dependencies([train]):
        failing = tf.check_numerics(tf.log(tf.constant(-1.0)), "after the update")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(optimizer.variables() + [w])
        with pytest.raises(errors.InvalidArgumentError, match="after the update"):
            sess.run(failing)
        for old, new in zip(before, sess.run(optimizer.variables() + [w]), strict=True):
            np.testing.assert_array_equal(old, new)


def test_a_fetched_value_is_not_changed_by_later_updates():
    w = tf.Variable([1.0, 2.0])
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        held = sess.run(w)
        sess.run(train)
        np.testing.assert_array_equal(held, [1.0, 2.0])
        np.testing.assert_allclose(sess.run(w), [0.8, 1.6])


def test_a_gradient_of_another_shape_is_refused_naming_grad():
    w = tf.Variable(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="var and grad do not have the same shape"):
        training_ops.apply_gradient_descent(w, tf.constant(0.1), tf.ones([3, 2]))


def test_a_hyperparameter_that_is_not_a_scalar_is_refused_naming_it():
    w, accum = tf.Variable([1.0, 2.0]), tf.Variable([0.0, 0.0])
    with pytest.raises(ValueError, match="momentum is not a scalar"):
        training_ops.apply_momentum(w, accum, tf.constant(0.1), tf.ones([2]), tf.ones([2]))


def test_a_fed_gradient_of_another_shape_fails_at_run_time():
    w = tf.Variable([1.0, 2.0])
    grad = tf.placeholder(tf.float32)
    update = training_ops.apply_gradient_descent(w, tf.constant(0.1), grad)
    with tf.Session() as sess:
        sess.run(w.initializer)
        with pytest.raises(errors.InvalidArgumentError, match="var and grad"):
            sess.run(update, {grad: [1.0, 2.0, 3.0]})
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0])


def test_a_sparse_index_out_of_range_fails_naming_it():
    w, accum = tf.Variable(np.ones((3, 2), np.float32)), tf.Variable(np.ones((3, 2), np.float32))
    update = training_ops.sparse_apply_adagrad(w, accum, tf.constant(0.1), tf.ones([1, 2]),
                                               tf.constant([7]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(errors.InvalidArgumentError, match="Index 7 .* out of range"):
            sess.run(update)


def test_an_integer_variable_is_refused():
    w = tf.Variable([1, 2])
    with pytest.raises(TypeError, match="var"):
        training_ops.apply_gradient_descent(w, tf.constant(1), tf.constant([1, 1]))


@pytest.mark.parametrize("argument, value", [
    ("learning_rate_power", 0.5), ("initial_accumulator_value", -1.0),
    ("l1_regularization_strength", -0.1), ("l2_regularization_strength", -0.1),
    ("l2_shrinkage_regularization_strength", -0.1)])
def test_ftrl_arguments_out_of_range_are_refused_naming_them(argument, value):
    with pytest.raises(ValueError, match=argument):
        tf.train.FtrlOptimizer(0.1, **{argument: value})


def test_proximal_l1_sets_small_weights_to_exactly_zero():
    w = tf.Variable([0.01, -0.02, 3.0])
    train = tf.train.ProximalGradientDescentOptimizer(
        0.1, l1_regularization_strength=1.0).minimize(tf.reduce_sum(w) * 0.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [0.0, 0.0, 2.9], rtol=1e-6)


@pytest.mark.parametrize("make, slots", [
    (lambda: tf.train.AdadeltaOptimizer(), {"accum": "w/Adadelta", "accum_update": "w/Adadelta_1"}),
    (lambda: tf.train.FtrlOptimizer(0.1), {"accum": "w/Ftrl", "linear": "w/Ftrl_1"}),
    (lambda: tf.train.ProximalAdagradOptimizer(0.1), {"accumulator": "w/ProximalAdagrad"}),
])
def test_new_optimizers_name_slots_as_tf(make, slots):
    w = tf.Variable([1.0], name="w")
    optimizer = make()
    optimizer.minimize(tf.reduce_sum(w))
    assert {n: optimizer.get_slot(w, n).op.name for n in optimizer.get_slot_names()} == slots


# --- learning-rate schedules --------------------------------------------------------------------

def _rates(schedule, steps=8):
    global_step = tf.train.get_or_create_global_step()
    rate = schedule(global_step)
    with tf.control_dependencies([rate]):
        advance = tf.assign_add(global_step, 1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return [float(sess.run([rate, advance])[0]) for _ in range(steps)]


def _cosine(fraction):
    return 0.5 * (1 + math.cos(math.pi * fraction))


@pytest.mark.parametrize("schedule, formula", [
    (lambda s: tf.train.piecewise_constant(s, [2, 4], [1.0, 0.5, 0.1]),
     lambda t: 1.0 if t <= 2 else 0.5 if t <= 4 else 0.1),
    (lambda s: tf.train.polynomial_decay(0.5, s, 4, end_learning_rate=0.1, power=2.0),
     lambda t: 0.4 * (1 - min(t, 4) / 4) ** 2 + 0.1),
    (lambda s: tf.train.polynomial_decay(0.5, s, 3, cycle=True),
     lambda t: 0.4999 * (1 - t / (3 * max(1, math.ceil(t / 3)))) + 0.0001),
    (lambda s: tf.train.natural_exp_decay(0.5, s, 2, 0.3), lambda t: 0.5 * math.exp(-0.15 * t)),
    (lambda s: tf.train.inverse_time_decay(0.5, s, 2, 0.3, staircase=True),
     lambda t: 0.5 / (1 + 0.3 * (t // 2))),
    (lambda s: tf.train.cosine_decay(0.5, s, 5, alpha=0.2),
     lambda t: 0.5 * (0.8 * _cosine(min(t, 5) / 5) + 0.2)),
    (lambda s: tf.train.cosine_decay_restarts(0.5, s, 2, t_mul=1.0, m_mul=0.5),
     lambda t: 0.5 * 0.5 ** (t // 2) * _cosine((t % 2) / 2)),
    (lambda s: tf.train.linear_cosine_decay(0.5, s, 6, num_periods=1.0, beta=0.0),
     lambda t: 0.5 * (6 - min(t, 6)) / 6 * _cosine(2 * min(t, 6) / 6)),
])
def test_learning_rate_schedules_follow_their_formulas(schedule, formula):
    np.testing.assert_allclose(_rates(schedule), [formula(t) for t in range(8)], rtol=1e-5,
                               atol=1e-7)


def test_cosine_decay_restarts_periods_grow_by_t_mul():
    rates = _rates(lambda s: tf.train.cosine_decay_restarts(1.0, s, 2, t_mul=2.0), steps=7)
    # periods of 2, then 4 steps: restarts at steps 0, 2 and 6
    assert rates[0] == rates[2] == rates[6] == 1.0
    np.testing.assert_allclose([rates[1], rates[4]], [0.5, 0.5], rtol=1e-6)
    assert rates[3] > rates[4] > rates[5] > 0.0


@pytest.mark.parametrize("name", ["polynomial_decay", "natural_exp_decay", "inverse_time_decay",
                                  "cosine_decay", "cosine_decay_restarts",
                                  "linear_cosine_decay"])
def test_schedules_need_a_global_step(name):
    with pytest.raises(ValueError, match=f"global_step is required for {name}"):
        getattr(tf.train, name)(0.1, None, 10, 0.5)


def test_piecewise_constant_needs_one_more_value_than_boundaries():
    with pytest.raises(ValueError, match="boundaries should be 1 less"):
        tf.train.piecewise_constant(tf.constant(1), [1, 2], [0.1, 0.2])


# --- ExponentialMovingAverage -------------------------------------------------------------------

def test_moving_average_follows_its_variable():
    w = tf.Variable([2.0, 4.0], name="W")
    ema = tf.train.ExponentialMovingAverage(0.75)
    with tf.control_dependencies([tf.assign_add(w, [4.0, 0.0])]):
        update = ema.apply([w])
    assert ema.average(w).op.name == ema.average_name(w) == "W/ExponentialMovingAverage"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(update)
        np.testing.assert_allclose(sess.run(ema.average(w)), [3.0, 4.0])
        sess.run(update)
        np.testing.assert_allclose(sess.run(ema.average(w)), [3.0 + 0.25 * 7.0, 4.0])


def test_variables_to_restore_maps_average_names_to_the_variables():
    w = tf.Variable(1.0, name="W")
    other = tf.Variable(2.0, name="other", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.9)
    ema.apply([w])
    assert ema.variables_to_restore() == {"W/ExponentialMovingAverage": w, "other": other}
    assert ema.average(other) is None


def test_moving_average_of_an_integer_is_refused_naming_it():
    counter = tf.Variable(1, name="counter")
    with pytest.raises(TypeError, match="counter"):
        tf.train.ExponentialMovingAverage(0.9).apply([counter])


def test_a_fed_hyperparameter_that_is_not_a_scalar_fails_at_run_time():
    w = tf.Variable([1.0, 2.0])
    rate = tf.placeholder(tf.float32)
    update = training_ops.apply_gradient_descent(w, rate, tf.constant([1.0, 1.0]))
    with tf.Session() as sess:
        sess.run(w.initializer)
        with pytest.raises(errors.InvalidArgumentError, match="alpha is not a scalar"):
            sess.run(update, {rate: [0.1, 0.2]})
        np.testing.assert_allclose(sess.run(update, {rate: 0.5}), [0.5, 1.5])


def test_piecewise_constant_refuses_float_boundaries_for_an_integer_step():
    with tf.Graph().as_default():
        step = tf.constant(-2, tf.int64)
        with pytest.raises(ValueError, match="Boundaries \\(float32\\) must have the same dtype"):
            tf.train.piecewise_constant(step, [-2.5], [1.0, 0.5])
