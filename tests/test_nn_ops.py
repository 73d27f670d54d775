"""Builder-level behaviour of `tf.nn`: TF 1's op names, argument rules, error texts, and the
composites (cross entropies, dropout, moments, l2_normalize) against NumPy."""
from __future__ import annotations

import numpy as np
import pytest

import session_magic as tf


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


# --- names ---------------------------------------------------------------------------------------

def test_activations_are_named_after_their_op_types():
    x = tf.constant([1.0, -2.0])
    names = [tf.nn.relu(x).op.name, tf.nn.relu6(x).op.name, tf.nn.elu(x).op.name,
             tf.nn.softplus(x).op.name, tf.nn.softmax(x).op.name, tf.nn.log_softmax(x).op.name,
             tf.nn.l2_loss(x).op.name, tf.nn.leaky_relu(x).op.name]
    assert names == ["Relu", "Relu6", "Elu", "Softplus", "Softmax", "LogSoftmax", "L2Loss",
                     "LeakyRelu"]


def test_bias_add_is_named_BiasAdd_with_its_inputs_inside():
    out = tf.nn.bias_add([[1.0, 2.0]], [0.5, 0.5])
    assert out.op.name == "BiasAdd"
    assert [t.op.name for t in out.op.inputs] == ["BiasAdd/input", "BiasAdd/bias"]


def test_cross_entropies_use_TF1_scopes():
    logits = tf.constant([[1.0, 2.0, 3.0]])
    sigmoid = tf.nn.sigmoid_cross_entropy_with_logits(labels=[[0.0, 1.0, 0.0]], logits=logits)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0.0, 1.0, 0.0]], logits=logits)
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0, 0.0]], logits=logits)
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2], logits=logits)
    assert sigmoid.name == "logistic_loss:0"
    assert v2.name == "softmax_cross_entropy_with_logits:0"
    assert v1.name == "softmax_cross_entropy_with_logits_sg:0"
    assert sparse.name == ("SparseSoftmaxCrossEntropyWithLogits/"
                           "SparseSoftmaxCrossEntropyWithLogits:0")
    assert v1.op.inputs[1].op.type == "StopGradient"  # TF 1's v1 sends no gradient to labels


def test_softmax_cross_entropy_op_has_loss_and_backprop_outputs():
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0.0, 1.0]], logits=[[0.0, 0.0]])
    assert loss.op.type == "SoftmaxCrossEntropyWithLogits"
    assert [t.shape.as_list() for t in loss.op.outputs] == [[1], [1, 2]]
    loss_value, backprop = _run(list(loss.op.outputs))
    np.testing.assert_allclose(loss_value, [np.log(2.0)], rtol=1e-6)
    np.testing.assert_allclose(backprop, [[0.5, -0.5]])


# --- argument rules and errors -------------------------------------------------------------------

@pytest.mark.parametrize("builder", [
    tf.nn.sigmoid_cross_entropy_with_logits,
    tf.nn.softmax_cross_entropy_with_logits,
    tf.nn.sparse_softmax_cross_entropy_with_logits,
])
def test_cross_entropies_refuse_positional_arguments(builder):
    with pytest.raises(ValueError, match=r"Only call `.*` with named arguments \(labels=\.\.\., "
                                         r"logits=\.\.\., \.\.\.\)"):
        builder([1.0], [1.0])


def test_cross_entropy_without_logits_says_both_are_needed():
    with pytest.raises(ValueError, match="Both labels and logits must be provided."):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[1.0]])


def test_relu_rejects_strings_with_TF_type_error():
    with pytest.raises(TypeError, match="Value passed to parameter 'features' has DataType "
                                        "string not in list of allowed values"):
        tf.nn.relu(tf.constant(["a"]))


def test_softmax_of_a_scalar_is_a_shape_error():
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0 for "
                                         "'Softmax' \\(op: 'Softmax'\\)"):
        tf.nn.softmax(tf.constant(1.0))


def test_softmax_axis_and_dim_together_are_refused():
    with pytest.raises(ValueError, match="Cannot specify both 'axis' and 'dim'"):
        tf.nn.softmax([[1.0]], axis=0, dim=0)


def test_softmax_axis_out_of_range_is_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Dimension \(2\) must be in the "
                                                             r"range \[-2, 2\)"):
        tf.nn.softmax(np.zeros((2, 3), np.float32), axis=2)


def test_bias_add_checks_bias_length_against_the_last_dimension():
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for "
                                         r"'BiasAdd' \(op: 'BiasAdd'\) with input shapes: "
                                         r"\[2,3\], \[4\]\."):
        tf.nn.bias_add(np.ones((2, 3), np.float32), [1.0] * 4)


def test_bias_add_mismatch_found_at_run_time_names_both_shapes():
    value = tf.placeholder(tf.float32)
    out = tf.nn.bias_add(value, tf.placeholder(tf.float32))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Must provide as many biases as the last dimension of the input "
                             r"tensor: \[4\] vs\. \[2,3\]"):
        _run(out, {value: np.ones((2, 3), np.float32),
                   out.op.inputs[1]: np.ones(4, np.float32)})


def test_bias_add_rejects_a_bad_data_format():
    with pytest.raises(ValueError, match="data_format must be of the form `N...C` or `NC...`"):
        tf.nn.bias_add([[1.0]], [1.0], data_format="CHWN")


def test_sparse_cross_entropy_names_an_out_of_range_label():
    labels = tf.placeholder(tf.int32, [3])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=np.zeros(
        (3, 4), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Received a label value of 7 which is outside the valid range of "
                             r"\[0, 4\)\.  Label values: 1 7 2"):
        _run(loss, {labels: [1, 7, 2]})


def test_sparse_cross_entropy_checks_label_rank_while_building():
    with pytest.raises(ValueError, match=r"Rank mismatch: Rank of labels \(received 2\) should "
                                         r"equal rank of logits minus 1 \(received 2\)\."):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[1]], logits=[[1.0, 2.0]])


def test_sparse_cross_entropy_refuses_float_labels():
    with pytest.raises(TypeError, match="parameter 'labels' has DataType float32"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1.0], logits=[[1.0, 2.0]])


def test_sigmoid_cross_entropy_checks_shapes():
    with pytest.raises(ValueError, match=r"logits and labels must have the same shape "
                                         r"\(\(2,\) vs \(3,\)\)"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0, 1.0], logits=[1.0, 2.0])


# --- values --------------------------------------------------------------------------------------

def test_softmax_rows_sum_to_one_even_for_huge_logits():
    logits = np.array([[1e4, -1e4, 0.0], [3.0, 3.0, 3.0]], np.float32)
    probabilities = _run(tf.nn.softmax(logits))
    np.testing.assert_allclose(probabilities.sum(axis=1), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(probabilities, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


def test_sigmoid_cross_entropy_matches_the_definition_and_stays_finite():
    x = np.array([-800.0, -2.0, 0.0, 3.0, 800.0], np.float32)
    z = np.array([0.0, 1.0, 0.5, 0.0, 1.0], np.float32)
    loss = _run(tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x))
    sigmoid = 1 / (1 + np.exp(-x[1:4].astype(np.float64)))
    expected = -z[1:4] * np.log(sigmoid) - (1 - z[1:4]) * np.log(1 - sigmoid)
    np.testing.assert_allclose(loss[1:4], expected, rtol=1e-5)
    np.testing.assert_allclose(loss[[0, 4]], [0.0, 0.0], atol=1e-6)


def test_nn_sigmoid_and_tanh_are_the_math_ops():
    x = np.array([-1.0, 0.0, 2.0], np.float32)
    sigmoid, tanh = _run([tf.nn.sigmoid(x), tf.nn.tanh(x)])
    np.testing.assert_allclose(sigmoid, 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(tanh, np.tanh(x), rtol=1e-6)


def test_xw_plus_b_is_matmul_then_bias_add():
    x, w, b = np.ones((2, 3), np.float32), np.arange(12, dtype=np.float32).reshape(3, 4), \
        np.arange(4, dtype=np.float32)
    out = tf.nn.xw_plus_b(x, w, b)
    assert out.op.type == "BiasAdd" and out.op.name == "xw_plus_b"
    np.testing.assert_allclose(_run(out), x @ w + b)


def test_moments_are_mean_and_population_variance():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) ** 1.5
    mean, variance = tf.nn.moments(tf.constant(x), axes=[0, 2])
    assert mean.shape.as_list() == [3] and variance.shape.as_list() == [3]
    got_mean, got_variance = _run([mean, variance])
    np.testing.assert_allclose(got_mean, x.mean(axis=(0, 2)), rtol=1e-5)
    np.testing.assert_allclose(got_variance, x.var(axis=(0, 2)), rtol=1e-5)


def test_moments_keep_dims():
    mean, variance = tf.nn.moments(tf.constant(np.ones((2, 3), np.float32)), [1], keep_dims=True)
    assert mean.shape.as_list() == [2, 1] and variance.shape.as_list() == [2, 1]


def test_l2_normalize_divides_by_the_norm_along_the_axis():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], np.float32)
    out = tf.nn.l2_normalize(x, axis=1)
    assert out.op.name == "l2_normalize"
    np.testing.assert_allclose(_run(out), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)


# --- dropout -------------------------------------------------------------------------------------

def test_dropout_keeps_about_keep_prob_and_scales_kept_units():
    values = _run(tf.nn.dropout(np.ones((200, 100), np.float32), keep_prob=0.25, seed=3))
    assert set(np.unique(values)) <= {0.0, 4.0}
    assert abs((values == 4.0).mean() - 0.25) < 0.02
    assert values.dtype == np.float32


def test_dropout_with_rate_keeps_one_minus_rate():
    values = _run(tf.nn.dropout(np.ones((200, 100), np.float32), rate=0.2, seed=4))
    np.testing.assert_allclose(np.unique(values), [0.0, 1.25])
    assert abs((values > 0).mean() - 0.8) < 0.02


def test_dropout_with_keep_prob_one_returns_x_itself():
    x = tf.constant([1.0, 2.0])
    assert tf.nn.dropout(x, keep_prob=1.0) is x


def test_dropout_keep_prob_placeholder_fed_one_is_the_identity():
    keep = tf.placeholder(tf.float32)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = tf.nn.dropout(x, keep_prob=keep)
    assert out.shape.as_list() == [2, 3] and out.op.name == "dropout/mul"
    np.testing.assert_array_equal(_run(out, {keep: 1.0}), x)


def test_dropout_argument_errors_use_TF1_texts():
    with pytest.raises(ValueError, match=r"keep_prob must be a scalar tensor or a float in the "
                                         r"range \(0, 1\], got 1\.5"):
        tf.nn.dropout([1.0], keep_prob=1.5)
    with pytest.raises(ValueError, match="x has to be a floating point tensor"):
        tf.nn.dropout([1, 2], keep_prob=0.5)
    with pytest.raises(ValueError, match="Cannot specify both 'rate' and 'keep_prob'"):
        tf.nn.dropout([1.0], keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="You must provide a rate to dropout."):
        tf.nn.dropout([1.0])


def test_dropout_noise_shape_drops_whole_columns():
    values = _run(tf.nn.dropout(np.ones((50, 40), np.float32), keep_prob=0.5,
                                noise_shape=[1, 40], seed=5))
    assert (values == values[0]).all()  # every row shares the column mask
