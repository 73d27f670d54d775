"""`tf.contrib`: the few helpers TF 1 programs import (fully_connected, flatten, Xavier and
variance-scaling initializers, regularizers, the RNN cell aliases), the orthogonal initializer,
and the clear error for every other contrib name."""
import numpy as np
import pytest

import session_magic as tf
from session_magic.unsupported import NotSupportedYet

X = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]], np.float32)
W = np.arange(6, dtype=np.float32).reshape(3, 2) / 4 - 0.5


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_fully_connected_names_weights_and_biases_and_defaults_to_relu():
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.contrib.layers.fully_connected(
        x, 2, weights_initializer=tf.constant_initializer(W),
        biases_initializer=tf.constant_initializer(0.1))
    tf.contrib.layers.fully_connected(x, 4, activation_fn=None, scope="logits")
    assert [v.name for v in tf.trainable_variables()] == [
        "fully_connected/weights:0", "fully_connected/biases:0", "logits/weights:0",
        "logits/biases:0"]
    assert tf.model_variables() == tf.trainable_variables()
    assert out.name == "fully_connected/Relu:0"
    np.testing.assert_allclose(_run(out, {x: X}), np.maximum(X @ W + 0.1, 0), rtol=1e-6)


def test_fully_connected_reuses_a_named_scope_and_collects_its_regularization():
    x = tf.placeholder(tf.float32, [None, 3])
    fc = tf.contrib.layers.fully_connected
    fc(x, 2, scope="fc", weights_initializer=tf.constant_initializer(W),
       weights_regularizer=tf.contrib.layers.l2_regularizer(0.5))
    fc(x, 2, scope="fc", reuse=True, weights_regularizer=tf.contrib.layers.l2_regularizer(0.5))
    assert len(tf.global_variables()) == 2
    (penalty,) = tf.losses.get_regularization_losses()
    assert _run(penalty) == pytest.approx(0.5 * np.sum(W ** 2) / 2, rel=1e-6)


def test_contrib_conv2d_names_conv_weights_and_pools_by_two():
    x = tf.placeholder(tf.float32, [None, 6, 6, 2])
    conv = tf.contrib.layers.conv2d(x, 4, 3, weights_initializer=tf.ones_initializer())
    pooled = tf.contrib.layers.max_pool2d(conv, 2)
    averaged = tf.contrib.layers.avg_pool2d(conv, [3, 3], stride=1, padding="SAME")
    assert [(v.name, v.shape.as_list()) for v in tf.trainable_variables()] == [
        ("Conv/weights:0", [3, 3, 2, 4]), ("Conv/biases:0", [4])]
    assert (conv.name, pooled.name) == ("Conv/Relu:0", "MaxPool2D/MaxPool:0")
    assert pooled.shape.as_list() == [None, 3, 3, 4] and averaged.shape.as_list()[1:3] == [6, 6]
    images = np.ones((1, 6, 6, 2), np.float32)
    got = _run(conv, {x: images})[0, :, :, 0]
    rows = np.array([2, 3, 3, 3, 3, 2])  # SAME padding: border windows see fewer pixels
    np.testing.assert_allclose(got, 2 * np.outer(rows, rows))


def test_contrib_batch_norm_has_no_gamma_by_default_and_updates_through_update_ops():
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.contrib.layers.batch_norm(x, decay=0.0, epsilon=0.0)
    assert [v.name for v in tf.global_variables()] == [
        "BatchNorm/beta:0", "BatchNorm/moving_mean:0", "BatchNorm/moving_variance:0"]
    assert tf.trainable_variables() == tf.global_variables()[:1]
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    data = np.array([[1.0, 2.0, 0.0], [3.0, -2.0, 1.0], [2.0, 0.0, 5.0]], np.float32)
    got, mean, variance = _run([out] + updates, {x: data})
    np.testing.assert_allclose(got, (data - data.mean(0)) / data.std(0), rtol=1e-5)
    np.testing.assert_allclose(mean, data.mean(0), rtol=1e-6)
    # NOTE: TF 1 runs rank 2 through its fused kernel: the moving variance gets n / (n - 1)
    np.testing.assert_allclose(variance, data.var(0, ddof=1), rtol=1e-5)


def test_contrib_batch_norm_inference_scales_by_gamma_with_the_moving_statistics():
    x = tf.placeholder(tf.float32, [None, 2, 2, 3])
    out = tf.contrib.layers.batch_norm(x, scale=True, is_training=False, param_initializers={
        "gamma": tf.constant_initializer(2.0), "moving_mean": tf.constant_initializer(1.0)})
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    data = np.arange(24, dtype=np.float32).reshape(2, 2, 2, 3)
    np.testing.assert_allclose(_run(out, {x: data}), 2 * (data - 1) / np.sqrt(1.001), rtol=1e-5)


def test_contrib_flatten():
    flat = tf.contrib.layers.flatten(tf.zeros([2, 3, 4]))
    assert flat.shape.as_list() == [2, 12]


def test_regularizers_compute_tf1_penalties():
    w = tf.constant(W)
    contrib = tf.contrib.layers
    l1, l2, both = _run([contrib.l1_regularizer(0.3)(w), contrib.l2_regularizer(0.3)(w),
                         contrib.l1_l2_regularizer(0.3, 0.2)(w)])
    assert l1 == pytest.approx(0.3 * np.abs(W).sum(), rel=1e-6)
    assert l2 == pytest.approx(0.3 * np.sum(W ** 2) / 2, rel=1e-6)
    assert both == pytest.approx(0.3 * np.abs(W).sum() + 0.2 * np.sum(W ** 2) / 2, rel=1e-6)
    assert contrib.l2_regularizer(0.0)(w) is None
    assert contrib.sum_regularizer([None]) is None


def test_regularizer_scales_are_checked():
    with pytest.raises(ValueError, match="scale cannot be an integer: 1"):
        tf.contrib.layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        tf.contrib.layers.l1_regularizer(-0.1)


def test_apply_regularization_sums_over_the_weights_and_collects_it():
    a, b = tf.Variable(W), tf.Variable([[1.0, -1.0]])
    penalty = tf.contrib.layers.apply_regularization(tf.contrib.layers.l1_regularizer(0.1),
                                                     [a, b])
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == [penalty]
    assert _run(penalty) == pytest.approx(0.1 * (np.abs(W).sum() + 2), rel=1e-6)
    with pytest.raises(ValueError, match="No weights to regularize"):
        tf.contrib.layers.apply_regularization(tf.contrib.layers.l1_regularizer(0.1))


def test_xavier_and_contrib_variance_scaling_have_their_spreads():
    tf.set_random_seed(3)
    uniform = tf.get_variable("u", [400, 600], initializer=tf.contrib.layers.xavier_initializer())
    normal = tf.get_variable("n", [400, 600], initializer=tf.contrib.layers.
                             variance_scaling_initializer())
    u, n = _run([uniform, normal])
    limit = np.sqrt(6.0 / 1000)
    assert np.abs(u).max() <= limit and np.abs(u).max() > 0.99 * limit
    # NOTE: contrib's normal is truncated at 2 stddev of sqrt(1.3 * 2 / fan_in)
    stddev = np.sqrt(1.3 * 2.0 / 400)
    assert np.abs(n).max() <= 2 * stddev
    assert n.std() == pytest.approx(stddev * 0.8796, rel=0.02)
    with pytest.raises(TypeError, match="Unknown mode"):
        tf.contrib.layers.variance_scaling_initializer(mode="fan_in")


def test_orthogonal_initializer_gives_orthonormal_rows_or_columns_times_gain():
    tall = tf.get_variable("tall", [6, 4], initializer=tf.orthogonal_initializer(gain=2.0))
    wide = tf.get_variable("wide", [2, 2, 6], initializer=tf.orthogonal_initializer())
    t, w = _run([tall, wide])
    np.testing.assert_allclose(t.T @ t, 4 * np.eye(4), atol=1e-5)
    flat = w.reshape(4, 6)
    np.testing.assert_allclose(flat @ flat.T, np.eye(4), atol=1e-5)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        tf.get_variable("v", [3], initializer=tf.orthogonal_initializer())


def test_he_and_lecun_initializers_scale_by_fan_in():
    tf.set_random_seed(1)
    he = tf.get_variable("he", [500, 300], initializer=tf.initializers.he_uniform())
    lecun = tf.get_variable("lecun", [500, 300], initializer=tf.initializers.lecun_uniform())
    h, lc = _run([he, lecun])
    assert np.abs(h).max() == pytest.approx(np.sqrt(6 / 500), rel=0.01)
    assert np.abs(lc).max() == pytest.approx(np.sqrt(3 / 500), rel=0.01)


def test_contrib_rnn_names_the_rnn_cells():
    assert tf.contrib.rnn.BasicLSTMCell is tf.nn.rnn_cell.BasicLSTMCell
    assert tf.contrib.rnn.LSTMStateTuple is tf.nn.rnn_cell.LSTMStateTuple


@pytest.mark.parametrize("dotted", ["slim", "learn", "layers.optimize_loss", "rnn.NotACell",
                                    "layers.embed_sequence"])
def test_other_contrib_names_fail_with_an_error_naming_them(dotted):
    module, _, name = ("contrib." + dotted).rpartition(".")
    parent = tf
    for part in module.split("."):
        parent = getattr(parent, part)
    with pytest.raises(NotSupportedYet, match=f"tf.contrib.{dotted} is not supported"):
        getattr(parent, name)
    assert not hasattr(parent, name)
    assert issubclass(NotSupportedYet, AttributeError)


def test_batch_norm_fused_false_updates_with_the_biased_variance_as_tf1():
    rng = np.random.default_rng(3)
    images = rng.normal(size=(4, 3, 3, 2)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.constant(images)
        tf.contrib.layers.batch_norm(x, decay=0.0, fused=False, is_training=True)
        updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        variance = [v for v in tf.global_variables() if "moving_variance" in v.name][0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(updates)
            np.testing.assert_allclose(sess.run(variance), images.var(axis=(0, 1, 2)),
                                       rtol=1e-5)
