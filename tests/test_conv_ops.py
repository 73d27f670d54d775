"""Convolution and pooling as TF 1 programs use them: the builders' op names and shapes, their
values against loop references, bad arguments (ValueError while building, InvalidArgumentError
when a fed shape is wrong), the tie rule of the max-pool gradient, and a LeNet-style network
whose gradient matches finite differences."""
from __future__ import annotations

import numpy as np
import pytest

import session_magic as tf

from .samples import f32, f64
from .samples.conv_samples import (conv_input_grad_reference, conv_reference,
                                   depthwise_reference, pool_reference)


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def _op_list(graph=None) -> list:
    graph = graph or tf.get_default_graph()
    return [f"{op.name}:{op.type}" for op in graph.get_operations()
            if op.type != "Placeholder"]


# --- names, as TF 1 builds them ------------------------------------------------------------------

def test_conv1d_is_expand_dims_conv2d_named_after_its_scope_and_squeeze():
    x = tf.placeholder(tf.float32, [2, 8, 3], name="x")
    out = tf.nn.conv1d(x, np.ones([3, 3, 4], np.float32), 1, "SAME")
    assert out.name == "conv1d/Squeeze:0"
    assert out.shape.as_list() == [2, 8, 4]
    assert _op_list() == ["conv1d/ExpandDims/dim:Const", "conv1d/ExpandDims:ExpandDims",
                          "conv1d/ExpandDims_1/input:Const", "conv1d/ExpandDims_1/dim:Const",
                          "conv1d/ExpandDims_1:ExpandDims", "conv1d:Conv2D",
                          "conv1d/Squeeze:Squeeze"]


def test_conv2d_transpose_is_a_backprop_input_op_named_after_its_scope():
    x = tf.placeholder(tf.float32, [2, 8, 8, 3], name="x")
    out = tf.nn.conv2d_transpose(x, np.ones([3, 3, 5, 3], np.float32), [2, 16, 16, 5],
                                 [1, 2, 2, 1])
    assert out.name == "conv2d_transpose:0"
    assert out.shape.as_list() == [2, 16, 16, 5]
    assert _op_list() == ["conv2d_transpose/input_sizes:Const", "conv2d_transpose/filter:Const",
                          "conv2d_transpose:Conv2DBackpropInput"]


def test_conv1d_transpose_inserts_a_unit_height_into_its_output_shape():
    x = tf.placeholder(tf.float32, [2, 4, 5], name="x")
    out = tf.nn.conv1d_transpose(x, np.ones([3, 3, 5], np.float32), [2, 8, 3], 2)
    assert out.name == "conv1d_transpose/Squeeze:0"
    assert out.shape.as_list() == [2, 8, 3]
    assert "conv1d_transpose/concat:ConcatV2" in _op_list()


def test_conv3d_transpose_is_the_input_gradient_of_conv3d():
    dy, w = f32(1, 2, 3, 2, 3), f32(2, 3, 2, 2, 3, seed=1)
    out = tf.nn.conv3d_transpose(dy, w, [1, 4, 5, 4, 2], [1, 2, 2, 2, 1], "SAME")
    assert out.op.type == "Conv3DBackpropInputV2" and out.shape.as_list() == [1, 4, 5, 4, 2]
    np.testing.assert_allclose(_run(out), conv_input_grad_reference(
        (1, 4, 5, 4, 2), w, dy, (2, 2, 2), "SAME"), rtol=1e-5, atol=1e-5)


def test_separable_conv2d_is_depthwise_then_a_pointwise_conv2d():
    x = tf.placeholder(tf.float32, [2, 8, 8, 3], name="x")
    out = tf.nn.separable_conv2d(x, np.ones([3, 3, 3, 2], np.float32),
                                 np.ones([1, 1, 6, 5], np.float32), [1, 1, 1, 1], "SAME")
    assert out.name == "separable_conv2d:0"
    assert out.shape.as_list() == [2, 8, 8, 5]
    assert "separable_conv2d/depthwise:DepthwiseConv2dNative" in _op_list()


def test_pools_are_named_as_TF1_names_them():
    x = tf.placeholder(tf.float32, [2, 8, 8, 3], name="x")
    names = [tf.nn.max_pool(x, 2, 2, "SAME").name, tf.nn.max_pool2d(x, 2, 2, "SAME").name,
             tf.nn.avg_pool(x, 2, 2, "SAME").name, tf.nn.avg_pool2d(x, 2, 2, "SAME").name,
             tf.nn.pool(x, [2, 2], "MAX", "SAME").name, tf.nn.pool(x, [2, 2], "AVG", "SAME").name]
    assert names == ["MaxPool:0", "MaxPool2d:0", "AvgPool:0", "AvgPool_1:0", "max_pool:0",
                     "avg_pool:0"]


def test_conv_gradient_uses_TF_backprop_ops():
    x = tf.placeholder(tf.float32, [2, 8, 8, 3], name="x")
    w = tf.placeholder(tf.float32, [3, 3, 3, 4], name="w")
    loss = tf.reduce_sum(tf.nn.max_pool(tf.nn.conv2d(x, w, 1, "SAME"), 2, 2, "SAME"))
    dx, dw = tf.gradients(loss, [x, w])
    assert dx.op.type == "Conv2DBackpropInput" and dw.op.type == "Conv2DBackpropFilter"
    assert "gradients/MaxPool_grad/MaxPoolGrad:MaxPoolGrad" in _op_list()
    assert dx.shape.as_list() == [2, 8, 8, 3] and dw.shape.as_list() == [3, 3, 3, 4]


# --- values against the loop references ----------------------------------------------------------

def test_conv2d_accepts_filters_keyword_and_int_strides():
    x, w = f32(1, 6, 5, 2), f32(3, 3, 2, 3, seed=1)
    out = _run(tf.nn.conv2d(x, filters=w, strides=2, padding="SAME"))
    np.testing.assert_allclose(out, conv_reference(x, w, (2, 2), "SAME"), rtol=1e-5, atol=1e-5)


def test_conv1d_in_NCW_strides_over_the_width():
    x, w = f32(2, 3, 9), f32(3, 3, 4, seed=1)
    out = _run(tf.nn.conv1d(x, w, 2, "VALID", data_format="NCW"))
    expected = conv_reference(np.moveaxis(x, 1, -1)[:, None], w[None], (1, 2), "VALID")[:, 0]
    np.testing.assert_allclose(out, np.moveaxis(expected, -1, 1), rtol=1e-5, atol=1e-5)


def test_conv2d_NCHW_equals_NHWC_transposed():
    x, w = f32(2, 7, 6, 3), f32(3, 2, 3, 4, seed=1)
    nhwc = tf.nn.conv2d(x, w, [1, 2, 1, 1], "SAME", dilations=[1, 1, 2, 1])
    nchw = tf.nn.conv2d(np.moveaxis(x, -1, 1), w, [1, 1, 2, 1], "SAME", data_format="NCHW",
                        dilations=[1, 1, 1, 2])
    assert nchw.shape.as_list() == [2, 4, 4, 6]
    a, b = _run([nhwc, nchw])
    np.testing.assert_allclose(np.moveaxis(b, 1, -1), a, rtol=1e-6)


def test_atrous_and_dilated_convolution_equal_a_dilated_conv2d():
    x, w = f32(1, 9, 9, 2), f32(3, 3, 2, 2, seed=1)
    expected = conv_reference(x, w, (1, 1), "SAME", (2, 2))
    atrous = tf.nn.atrous_conv2d(x, w, 2, "SAME")
    convolution = tf.nn.convolution(x, w, "SAME", dilation_rate=[2, 2])
    for out in _run([atrous, convolution]):
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_depthwise_conv2d_with_rate():
    x, w = f32(2, 7, 7, 3), f32(3, 3, 3, 2, seed=1)
    out = _run(tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID", rate=2))
    np.testing.assert_allclose(out, depthwise_reference(x, w, (1, 1), "VALID", (2, 2)),
                               rtol=1e-5, atol=1e-5)


def test_conv2d_transpose_is_the_input_gradient_of_conv2d():
    dy, w = f32(2, 4, 3, 5), f32(3, 3, 2, 5, seed=1)
    out = _run(tf.nn.conv2d_transpose(dy, w, [2, 8, 6, 2], [1, 2, 2, 1], "SAME"))
    np.testing.assert_allclose(out, conv_input_grad_reference((2, 8, 6, 2), w, dy, (2, 2),
                                                              "SAME"), rtol=1e-5, atol=1e-5)


def test_avg_pool_same_does_not_count_the_padding():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    out = _run(tf.nn.avg_pool(x, 3, 3, "SAME"))
    np.testing.assert_allclose(out, pool_reference(x, (3, 3), (3, 3), "SAME", "AVG"))
    # NOTE: the last window holds x[2:4, 2:4] and one padded row and column: (10+11+14+15) / 4
    assert out[0, 1, 1, 0] == 12.5


def test_max_pool_explicit_padding_never_picks_a_pad():
    x = -np.ones((1, 2, 2, 1), np.float32)
    out = _run(tf.nn.max_pool(x, 2, 1, [[0, 0], [1, 0], [1, 0], [0, 0]]))
    np.testing.assert_array_equal(out, -np.ones((1, 2, 2, 1)))


def test_max_pool_gradient_goes_to_the_first_maximum_of_a_window():
    x = tf.constant([[3.0, 3.0], [3.0, 1.0]], shape=[1, 2, 2, 1])
    grad = _run(tf.gradients(tf.nn.max_pool(x, 2, 2, "VALID"), x)[0])
    np.testing.assert_array_equal(grad.reshape(2, 2), [[1.0, 0.0], [0.0, 0.0]])


def test_overlapping_max_pool_windows_add_their_gradients():
    x = tf.constant([[0.0, 5.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], shape=[1, 3, 3, 1])
    grad = _run(tf.gradients(tf.nn.max_pool(x, 2, 1, "VALID"), x)[0])
    assert grad.reshape(3, 3)[0, 1] == 2.0 and grad.sum() == 4.0


def test_pool_3d_and_conv3d_shapes():
    x = tf.placeholder(tf.float32, [1, 4, 6, 8, 2])
    assert tf.nn.max_pool3d(x, 2, 2, "SAME").shape.as_list() == [1, 2, 3, 4, 2]
    assert tf.nn.avg_pool3d(x, [1, 3, 3, 3, 1], 1, "VALID").shape.as_list() == [1, 2, 4, 6, 2]
    w = np.ones([2, 2, 2, 2, 5], np.float32)
    assert tf.nn.conv3d(x, w, [1, 1, 2, 2, 1], "SAME").shape.as_list() == [1, 4, 3, 4, 5]


def test_unknown_spatial_sizes_keep_batch_and_channels():
    x = tf.placeholder(tf.float32, [None, None, None, 3])
    out = tf.nn.conv2d(x, np.ones([3, 3, 3, 8], np.float32), 1, "SAME")
    assert out.shape.as_list() == [None, None, None, 8]
    result = _run(out, {x: np.ones((2, 5, 4, 3), np.float32)})
    assert result.shape == (2, 5, 4, 8)


# --- bad arguments -------------------------------------------------------------------------------

_X = np.ones([2, 8, 8, 3], np.float32)
_W = np.ones([3, 3, 3, 4], np.float32)


@pytest.mark.parametrize("build, words", [
    (lambda: tf.nn.conv2d(np.ones([8, 8, 3], np.float32), _W, 1, "SAME"), "rank 4"),
    (lambda: tf.nn.conv2d(_X, np.ones([3, 3, 2, 4], np.float32), 1, "SAME"), "input depth"),
    (lambda: tf.nn.conv2d(_X, _W, 1, "FULL"), "'padding'"),
    (lambda: tf.nn.conv2d(_X, _W, [2, 1, 1, 1], "SAME"), "strides on the batch"),
    (lambda: tf.nn.conv2d(_X, _W, [1, 1, 1, 2], "SAME"), "channel"),
    (lambda: tf.nn.conv2d(_X, _W, 1, "SAME", data_format="NWHC"), "'data_format'"),
    (lambda: tf.nn.conv2d(_X, _W, [1, 1, 1], "SAME"), "strides should be of length"),
    (lambda: tf.nn.conv2d(_X, _W, 1, "EXPLICIT"), "must be a list"),
    (lambda: tf.nn.conv2d(_X, _W, 1, [[1, 1], [1, 1], [1, 1], [0, 0]]), "padding"),
    (lambda: tf.nn.conv2d(_X, _W, 1, "SAME", dilations=0), "dilations"),
    (lambda: tf.nn.conv2d(np.ones([1, 2, 2, 3], np.float32), _W, 1, "VALID"), "negative"),
    (lambda: tf.nn.conv1d(_X[0], _W[0], 1, "SAME", data_format="NHW"), "data_format"),
    (lambda: tf.nn.max_pool(_X, [1, 2, 2, 2], 1, "SAME"), "ksize on the batch"),
    (lambda: tf.nn.max_pool(_X, 2, 1, "same"), "'padding'"),
    (lambda: tf.nn.pool(_X, [2, 2], "MIN", "SAME"), "pooling_type"),
    (lambda: tf.nn.conv2d_transpose(_X, np.ones([3, 3, 5, 4], np.float32), [2, 8, 8, 5], 1),
     "input channels"),
])
def test_bad_arguments_are_refused_while_building_naming_the_argument(build, words):
    with pytest.raises(ValueError, match=words):
        build()


def test_avg_pool_refuses_explicit_padding_as_TF():
    with pytest.raises(TypeError, match="padding"):
        tf.nn.avg_pool(_X, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]])


@pytest.mark.parametrize("fed, words", [
    (np.ones([8, 8, 3], np.float32), "input must be 4-dimensional"),
    (np.ones([2, 8, 8, 2], np.float32), "filter depth"),
    (np.ones([2, 2, 2, 3], np.float32), "output size would be negative"),
])
def test_a_fed_shape_that_does_not_fit_is_an_invalid_argument_error(fed, words):
    x = tf.placeholder(tf.float32)
    out = tf.nn.conv2d(x, _W, 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match=words):
        _run(out, {x: fed})


def test_max_pool_of_a_fed_tensor_of_wrong_rank_is_an_invalid_argument_error():
    x = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="4-dimensional"):
        _run(tf.nn.max_pool(x, 2, 2, "SAME"), {x: np.ones([3, 3], np.float32)})


# --- a LeNet-style network -----------------------------------------------------------------------

def _lenet(x, w1, w2, w3):
    """conv -> relu -> max_pool -> conv -> max_pool -> reshape -> matmul -> softmax loss."""
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, w1, 1, "SAME")), 2, 2, "SAME")
    h = tf.nn.max_pool(tf.nn.conv2d(h, w2, [1, 1, 1, 1], "VALID"), [1, 2, 2, 1], [1, 2, 2, 1],
                       "VALID")
    logits = tf.matmul(tf.reshape(h, [-1, 2 * 2 * 4]), w3)
    labels = tf.constant(np.eye(3)[[0, 2]], tf.float64)
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels,
                                                                    logits=logits))


def test_lenet_gradient_matches_finite_differences():
    values = [f64(2, 12, 12, 1), f64(5, 5, 1, 3, seed=1), f64(3, 3, 3, 4, seed=2),
              f64(16, 3, seed=3)]
    places = [tf.placeholder(tf.float64, v.shape) for v in values]
    loss = _lenet(*places)
    grads = tf.gradients(loss, places)
    rng = np.random.default_rng(0)
    with tf.Session() as sess:
        feed = dict(zip(places, values, strict=True))
        analytic = sess.run(grads, feed)
        for place, value, grad in zip(places, values, analytic, strict=True):
            for _ in range(6):
                index = tuple(rng.integers(0, n) for n in value.shape)
                up, down = value.copy(), value.copy()
                up[index] += 1e-6
                down[index] -= 1e-6
                numeric = (sess.run(loss, {**feed, place: up})
                           - sess.run(loss, {**feed, place: down})) / 2e-6
                np.testing.assert_allclose(grad[index], numeric, rtol=1e-4, atol=1e-7)


def test_lenet_training_step_lowers_the_loss():
    values = [f64(2, 12, 12, 1), f64(5, 5, 1, 3, seed=1) / 5, f64(3, 3, 3, 4, seed=2) / 5,
              f64(16, 3, seed=3) / 5]
    x = tf.constant(values[0])
    weights = [tf.Variable(v) for v in values[1:]]
    loss = _lenet(x, *weights)
    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss)
        for _ in range(5):
            sess.run(step)
        assert sess.run(loss) < before


def _bars(count: int, seed: int) -> tuple:
    """10x10 noisy images of a horizontal (0), vertical (1) or diagonal (2) bar."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, count)
    images = rng.normal(0, 0.3, (count, 10, 10, 1)).astype(np.float32)
    for image, label in zip(images, labels, strict=True):
        at = rng.integers(1, 9)
        if label == 0:
            image[at, 1:9, 0] += 1.0
        elif label == 1:
            image[1:9, at, 0] += 1.0
        else:
            image[np.arange(1, 9), np.arange(1, 9), 0] += 1.0
    return images, labels.astype(np.int32)


def test_a_raw_nn_cnn_learns_to_tell_bars_apart():
    """The classic TF 1 MNIST-style program on synthetic images: 60 Adam steps of 50 images
    take held-out accuracy above 90% (a chance guess is 33%)."""
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 10, 10, 1])
    y = tf.placeholder(tf.int32, [None])
    w1 = tf.Variable(rng.normal(0, 0.3, (3, 3, 1, 8)).astype(np.float32))
    w2 = tf.Variable(rng.normal(0, 0.2, (3, 3, 8, 8)).astype(np.float32))
    w3 = tf.Variable(rng.normal(0, 0.2, (3 * 3 * 8, 3)).astype(np.float32))
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, w1, 1, "SAME")), 2, 2, "SAME")
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(h, w2, [1, 1, 1, 1], "SAME")), [1, 2, 2, 1],
                       [1, 2, 2, 1], "SAME")
    logits = tf.matmul(tf.reshape(h, [-1, 72]), w3)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    hits = tf.equal(tf.argmax(logits, 1, output_type=tf.int32), y)
    accuracy = tf.reduce_mean(tf.cast(hits, tf.float32))
    step = tf.train.AdamOptimizer(0.02).minimize(loss)
    (images, labels), (held_images, held_labels) = _bars(600, 1), _bars(200, 2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, {x: held_images, y: held_labels})
        for i in range(60):
            batch = slice(i * 50 % 600, i * 50 % 600 + 50)
            sess.run(step, {x: images[batch], y: labels[batch]})
        after, held_accuracy = sess.run([loss, accuracy], {x: held_images, y: held_labels})
    assert after < before / 4
    assert held_accuracy > 0.9
