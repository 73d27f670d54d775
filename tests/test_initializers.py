"""TF 1's initializers through `get_variable`: values, bounds, spreads, seeds and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import session_magic as tf
from session_magic import initializers as init


def _initialized(*variables):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(variables))


def test_zeros_initializer_gives_zeros_named_like_TF1():
    w = tf.get_variable("w", [3, 4], initializer=init.zeros_initializer())
    assert w.initial_value.op.name == "w/Initializer/zeros"
    [value] = _initialized(w)
    np.testing.assert_array_equal(value, np.zeros((3, 4), np.float32))


def test_initializer_class_itself_is_accepted():
    w = tf.get_variable("w", [2], initializer=init.ones_initializer)
    np.testing.assert_array_equal(_initialized(w)[0], [1.0, 1.0])


def test_zeros_and_ones_follow_the_variable_dtype():
    a = tf.get_variable("a", [2], dtype=tf.int64, initializer=init.zeros_initializer())
    b = tf.get_variable("b", [2], dtype=tf.bool, initializer=init.ones_initializer())
    a_value, b_value = _initialized(a, b)
    assert a_value.dtype == np.int64 and b_value.dtype == np.bool_
    np.testing.assert_array_equal(b_value, [True, True])


def test_large_zeros_are_a_fill():
    w = tf.get_variable("big", [40, 30], initializer=init.zeros_initializer())
    assert w.initial_value.op.type == "Fill"
    np.testing.assert_array_equal(_initialized(w)[0], np.zeros((40, 30)))


@pytest.mark.parametrize("value, expected", [
    (0.5, np.full((2, 3), 0.5)),
    ([1, 2, 3, 4, 5, 6], np.arange(1, 7).reshape(2, 3)),
    (np.arange(6).reshape(2, 3), np.arange(6).reshape(2, 3)),
    ([7, 8], [[7, 8, 8], [8, 8, 8]]),  # TF 1 fills the rest with the last value
])
def test_constant_initializer_takes_scalars_lists_and_arrays(value, expected):
    w = tf.get_variable("w", [2, 3], initializer=init.constant_initializer(value))
    np.testing.assert_array_equal(_initialized(w)[0], np.asarray(expected, np.float32))


def test_constant_initializer_rejects_other_values():
    with pytest.raises(TypeError, match="Invalid type for initial value"):
        init.constant_initializer({"a": 1})


def test_constant_initializer_with_too_many_values_fails():
    with pytest.raises(ValueError, match="Too many elements provided. Needed at most 2"):
        init.constant_initializer([1, 2, 3])([2])


def test_glorot_uniform_stays_within_its_limit():
    w = tf.get_variable("w", [60, 40], initializer=init.glorot_uniform_initializer(seed=1))
    values = _initialized(w)[0]
    limit = math.sqrt(6.0 / (60 + 40))
    assert values.min() >= -limit and values.max() < limit
    assert abs(values.std() - limit / math.sqrt(3)) < 0.01


def test_get_variable_without_initializer_uses_glorot_uniform_for_floats():
    w = tf.get_variable("w", [50, 30])
    values = _initialized(w)[0]
    limit = math.sqrt(6.0 / 80)
    assert np.abs(values).max() <= limit and values.std() > limit / 3
    assert isinstance(init.default_initializer(tf.float32), init.GlorotUniform)


def test_default_initializer_for_ints_and_bools_is_zeros():
    n = tf.get_variable("n", [3], dtype=tf.int32)
    np.testing.assert_array_equal(_initialized(n)[0], [0, 0, 0])
    assert isinstance(init.default_initializer(tf.bool), init.Zeros)


def test_default_initializer_refuses_complex():
    with pytest.raises(ValueError, match="An initializer for variable v of complex64 is required"):
        init.default_initializer(tf.complex64, "v")


def test_random_normal_and_truncated_normal_initializers_have_their_spread():
    a = tf.get_variable("a", [100, 100], initializer=init.random_normal_initializer(1.0, 0.5))
    b = tf.get_variable("b", [100, 100],
                        initializer=init.truncated_normal_initializer(stddev=0.5))
    a_value, b_value = _initialized(a, b)
    assert abs(a_value.mean() - 1.0) < 0.02 and abs(a_value.std() - 0.5) < 0.02
    assert np.abs(b_value).max() <= 1.0
    assert abs(b_value.std() - 0.5 * 0.87962566103423978) < 0.02


def test_random_uniform_initializer_draws_from_its_range():
    w = tf.get_variable("w", [1000], initializer=init.random_uniform_initializer(-3, 2))
    values = _initialized(w)[0]
    assert values.min() >= -3 and values.max() < 2


def test_variance_scaling_uses_fan_in_of_a_conv_kernel():
    shape = [3, 3, 16, 32]  # fan_in = 3 * 3 * 16 = 144
    he = tf.get_variable("he", shape, initializer=init.he_uniform(seed=2))
    values = _initialized(he)[0]
    limit = math.sqrt(6.0 / 144)
    assert np.abs(values).max() <= limit and abs(values.std() - limit / math.sqrt(3)) < 0.01


def test_variance_scaling_truncated_normal_is_rescaled_to_the_asked_spread():
    w = tf.get_variable("w", [200, 100],
                        initializer=init.variance_scaling_initializer(2.0, "fan_avg", seed=3))
    values = _initialized(w)[0]
    assert abs(values.std() - math.sqrt(2.0 / 150)) < 0.005


def test_variance_scaling_rejects_bad_arguments():
    with pytest.raises(ValueError, match="`scale` must be positive float."):
        init.variance_scaling_initializer(scale=0.0)
    with pytest.raises(ValueError, match="Invalid `mode` argument: fan_sum"):
        init.variance_scaling_initializer(mode="fan_sum")
    with pytest.raises(ValueError, match="Invalid `distribution` argument: gamma"):
        init.variance_scaling_initializer(distribution="gamma")


def test_random_initializers_need_float_dtypes():
    with pytest.raises(ValueError, match="Expected floating point type, got <dtype: 'int32'>."):
        init.random_normal_initializer(dtype=tf.int32)


def test_seeded_initializer_repeats_in_every_session():
    w = tf.get_variable("w", [4], initializer=init.glorot_normal_initializer(seed=11))
    first, second = _initialized(w)[0], _initialized(w)[0]
    np.testing.assert_array_equal(first, second)


def test_config_round_trips():
    original = init.variance_scaling_initializer(0.5, "fan_out", "uniform", seed=4)
    config = original.get_config()
    copy = init.VarianceScaling.from_config(config)
    assert copy.get_config() == config
