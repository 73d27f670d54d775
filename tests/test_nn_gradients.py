"""Gradient rules of the tf.nn ops against hand-computed NumPy derivatives: activations, softmax,
L2Loss, BiasAdd (both data formats, unknown rank) and the cross entropies (labels' gradients,
second derivatives through the backprop output)."""
import numpy as np
import pytest

import session_magic as tf

X = np.array([[-2.0, -0.5, 0.5], [1.5, 7.0, -7.0]])
W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def run(*fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(list(fetches), feed)


def gradient_at(build, x_value=X, weights=W):
    """d sum(weights * build(x)) / dx at `x_value`, run."""
    x = tf.constant(x_value)
    grad = tf.gradients(tf.reduce_sum(build(x) * weights), x)[0]
    return run(grad)[0]


def softmax(x):
    exps = np.exp(x - x.max(-1, keepdims=True))
    return exps / exps.sum(-1, keepdims=True)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SIGMOID = 1 / (1 + np.exp(-X))


@pytest.mark.parametrize("build, derivative", [
    (tf.nn.relu, (X > 0) * 1.0),
    (tf.nn.relu6, ((X > 0) & (X < 6)) * 1.0),
    (tf.nn.elu, np.where(X > 0, 1.0, np.exp(X))),
    (tf.nn.selu, SELU_SCALE * np.where(X > 0, 1.0, SELU_ALPHA * np.exp(X))),
    # NOTE: TF's alpha is a float32 attr, so 0.1 is float32's 0.1 even for float64 features
    (lambda x: tf.nn.leaky_relu(x, alpha=0.1), np.where(X > 0, 1.0, float(np.float32(0.1)))),
    (tf.nn.softplus, SIGMOID),
    (tf.nn.softsign, 1 / (1 + np.abs(X)) ** 2),
], ids=["relu", "relu6", "elu", "selu", "leaky_relu", "softplus", "softsign"])
def test_activation_gradient_is_g_times_the_derivative(build, derivative):
    np.testing.assert_allclose(gradient_at(build), W * derivative, rtol=1e-12)


def test_softmax_gradient():
    y = softmax(X)
    expected = (W - (W * y).sum(-1, keepdims=True)) * y
    np.testing.assert_allclose(gradient_at(tf.nn.softmax), expected, rtol=1e-12)


def test_softmax_gradient_along_axis_zero_goes_through_the_transposes():
    y = softmax(X.T).T
    expected = (W - (W * y).sum(0, keepdims=True)) * y
    np.testing.assert_allclose(gradient_at(lambda x: tf.nn.softmax(x, axis=0)), expected,
                               rtol=1e-12)


def test_log_softmax_gradient():
    expected = W - W.sum(-1, keepdims=True) * softmax(X)
    np.testing.assert_allclose(gradient_at(tf.nn.log_softmax), expected, rtol=1e-12)


def test_l2_loss_gradient_is_the_input():
    np.testing.assert_allclose(gradient_at(tf.nn.l2_loss, weights=3.0), 3.0 * X)


def test_bias_add_gradients_for_both_data_formats():
    value = tf.constant(np.zeros((2, 3, 4, 5)))
    bias = tf.constant(np.zeros(3))
    weights = np.arange(120.0).reshape(2, 3, 4, 5)
    added = tf.nn.bias_add(value, bias, data_format="NCHW")
    grad_value, grad_bias = run(*tf.gradients(tf.reduce_sum(added * weights), [value, bias]))
    np.testing.assert_array_equal(grad_value, weights)
    np.testing.assert_array_equal(grad_bias, weights.sum(axis=(0, 2, 3)))


@pytest.mark.parametrize("data_format, channel", [("NHWC", 3), ("NCHW", 1)])
def test_bias_add_gradient_of_unknown_rank(data_format, channel):
    value = tf.placeholder(tf.float64, None)
    bias = tf.placeholder(tf.float64, [None])
    weights = np.arange(120.0).reshape(2, 3, 4, 5)
    added = tf.nn.bias_add(value, bias, data_format=data_format)
    grad = tf.gradients(tf.reduce_sum(added * weights), bias)[0]
    feed = {value: np.zeros((2, 3, 4, 5)), bias: np.zeros(weights.shape[channel])}
    other_axes = tuple(i for i in range(4) if i != channel)
    np.testing.assert_array_equal(run(grad, feed=feed)[0], weights.sum(axis=other_axes))


LABELS = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
LOG_PROBABILITIES = np.log(softmax(X))


def test_softmax_cross_entropy_v2_gradients_for_logits_and_labels():
    logits, labels = tf.constant(X), tf.constant(LABELS)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    grad_logits, grad_labels = run(*tf.gradients(loss * [2.0, 3.0], [logits, labels]))
    scale = np.array([[2.0], [3.0]])
    np.testing.assert_allclose(grad_logits, scale * (softmax(X) - LABELS), rtol=1e-12)
    np.testing.assert_allclose(grad_labels, scale * -LOG_PROBABILITIES, rtol=1e-12)


def test_softmax_cross_entropy_v1_gives_labels_no_gradient():
    logits, labels = tf.constant(X), tf.constant(LABELS)
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    grad_logits, grad_labels = tf.gradients(loss, [logits, labels])
    assert grad_labels is None
    np.testing.assert_allclose(run(grad_logits)[0], softmax(X) - LABELS, rtol=1e-12)


def test_sparse_softmax_cross_entropy_gradient_and_its_second_derivative():
    logits = tf.constant(X)
    labels = tf.constant([2, 0])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    first = tf.gradients(loss, [logits, labels])
    assert first[1] is None
    second = tf.gradients(tf.reduce_sum(first[0] * W), logits)[0]
    probabilities = softmax(X)
    np.testing.assert_allclose(run(first[0])[0], probabilities - np.eye(3)[[2, 0]], rtol=1e-12)
    # The Hessian of the loss row is diag(p) - p p^T, applied to W's rows.
    expected = (W - (W * probabilities).sum(-1, keepdims=True)) * probabilities
    np.testing.assert_allclose(run(second)[0], expected, rtol=1e-12)


def test_gradient_ops_are_named_after_the_op_they_differentiate():
    x = tf.constant(X)
    tf.gradients(tf.nn.relu(x, name="activation"), x)
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert any(name.startswith("gradients/activation_grad/") for name in names)
