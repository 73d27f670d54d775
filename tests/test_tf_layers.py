"""`tf.layers`: TF 1's variable names and scopes, outputs against NumPy, batch normalization's
moving averages, dropout's switch, convolution and pooling layers, and two small networks trained
end to end (an MLP and a LeNet-style CNN) on synthetic data."""
import numpy as np
import pytest

import session_magic as tf

X = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 1.0, 1.0], [-1.0, 0.5, 2.0]],
             np.float32)
KERNEL = np.arange(12, dtype=np.float32).reshape(3, 4) / 10.0 - 0.5


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        return sess.run(fetches, feed)


def _names(variables):
    return [v.name for v in variables]


def test_unnamed_dense_layers_are_numbered_as_tf_numbers_them():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 4)
    tf.layers.dense(x, 2)
    assert _names(tf.global_variables()) == ["dense/kernel:0", "dense/bias:0",
                                             "dense_1/kernel:0", "dense_1/bias:0"]
    assert [v.shape.as_list() for v in tf.global_variables()] == [[3, 4], [4], [3, 2], [2]]


def test_dense_computes_activation_of_x_kernel_plus_bias():
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.layers.dense(x, 4, activation=tf.nn.relu,
                          kernel_initializer=tf.constant_initializer(KERNEL),
                          bias_initializer=tf.constant_initializer(0.25))
    assert out.name == "dense/Relu:0"
    np.testing.assert_allclose(_run(out, {x: X}), np.maximum(X @ KERNEL + 0.25, 0), rtol=1e-6)


def test_dense_default_kernel_is_glorot_uniform_and_bias_zero():
    out = tf.layers.dense(tf.zeros([1, 300]), 200)
    kernel, bias = _run(tf.global_variables())
    limit = np.sqrt(6.0 / (300 + 200))
    assert np.all(np.abs(kernel) <= limit) and np.abs(kernel).max() > 0.9 * limit
    assert np.all(bias == 0) and out.shape.as_list() == [1, 200]


def test_dense_on_rank_3_applies_the_kernel_to_the_last_axis():
    x = tf.placeholder(tf.float32, [None, 2, 3])
    out = tf.layers.dense(x, 4, kernel_initializer=tf.constant_initializer(KERNEL))
    assert out.shape.as_list() == [None, 2, 4]
    np.testing.assert_allclose(_run(out, {x: X.reshape(2, 2, 3)}),
                               X.reshape(2, 2, 3) @ KERNEL, rtol=1e-6)


def test_one_layer_object_called_twice_shares_its_variables():
    layer = tf.layers.Dense(4, kernel_initializer=tf.constant_initializer(KERNEL))
    x = tf.placeholder(tf.float32, [None, 3])
    first, second = layer(x), layer(x * 2.0)
    assert _names(tf.global_variables()) == ["dense/kernel:0", "dense/bias:0"]
    assert _names(layer.trainable_weights) == ["dense/kernel:0", "dense/bias:0"]
    assert (first.name, second.name) == ("dense/BiasAdd:0", "dense/BiasAdd_1:0")
    a, b = _run([first, second], {x: X})
    np.testing.assert_allclose(b, 2 * a, rtol=1e-6)


def test_reentering_a_variable_scope_with_reuse_shares_the_dense_variables():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("model"):
        a = tf.layers.dense(x, 4)
    with tf.variable_scope("model", reuse=True):
        b = tf.layers.dense(x, 4)
    assert _names(tf.global_variables()) == ["model/dense/kernel:0", "model/dense/bias:0"]
    assert (a.name, b.name) == ("model/dense/BiasAdd:0", "model_1/dense/BiasAdd:0")
    first, second = _run([a, b], {x: X})
    np.testing.assert_array_equal(first, second)


def test_name_and_reuse_share_variables_and_a_repeated_name_without_reuse_fails():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 4, name="d")
    shared = tf.layers.dense(x, 4, name="d", reuse=True)
    assert shared.name == "d_1/BiasAdd:0"
    assert _names(tf.global_variables()) == ["d/kernel:0", "d/bias:0"]
    with pytest.raises(ValueError, match="d/kernel already exists"):
        tf.layers.dense(x, 4, name="d")


def test_dense_needs_a_known_last_dimension():
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense`"):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 3)


def test_use_bias_false_and_trainable_false():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 4, use_bias=False)
    frozen = tf.layers.Dense(2, trainable=False)
    frozen(x)
    assert _names(tf.global_variables()) == ["dense/kernel:0", "dense_1/kernel:0",
                                             "dense_1/bias:0"]
    assert _names(tf.trainable_variables()) == ["dense/kernel:0"]
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2


def test_regularizers_add_their_losses_to_the_regularization_collection():
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.layers.dense(x, 4, kernel_initializer=tf.constant_initializer(KERNEL),
                          bias_initializer=tf.constant_initializer(0.5),
                          kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1),
                          bias_regularizer=tf.contrib.layers.l1_regularizer(0.2),
                          activity_regularizer=lambda a: tf.reduce_sum(tf.abs(a)))
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 3
    kernel_loss, bias_loss, activity, total, value = _run(
        losses + [tf.losses.get_regularization_loss(), out], {x: X})
    assert kernel_loss == pytest.approx(0.1 * np.sum(KERNEL ** 2) / 2, rel=1e-6)
    assert bias_loss == pytest.approx(0.2 * 4 * 0.5, rel=1e-6)
    assert activity == pytest.approx(np.abs(value).sum() / len(X), rel=1e-6)  # per example
    assert total == pytest.approx(kernel_loss + bias_loss + activity, rel=1e-6)


def test_a_reused_layer_adds_no_second_regularization_loss():
    x = tf.placeholder(tf.float32, [None, 3])
    layer = tf.layers.Dense(2, kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1))
    layer(x)
    layer(x)
    assert len(tf.losses.get_regularization_losses()) == 1


def test_batch_normalization_training_normalizes_with_the_batch_statistics():
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.layers.batch_normalization(x, training=True, epsilon=1e-3)
    assert _names(tf.global_variables()) == [
        "batch_normalization/gamma:0", "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
    assert _names(tf.trainable_variables()) == ["batch_normalization/gamma:0",
                                                "batch_normalization/beta:0"]
    expected = (X - X.mean(0)) / np.sqrt(X.var(0) + 1e-3)
    np.testing.assert_allclose(_run(out, {x: X}), expected, rtol=1e-5, atol=1e-6)


def test_batch_normalization_updates_the_moving_averages_through_update_ops():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.batch_normalization(x, training=True, momentum=0.9)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    mean, variance = tf.global_variables()[2:]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(updates, {x: X})
        moving_mean, moving_variance = sess.run([mean, variance])
    expected_mean, expected_variance = np.zeros(3), np.ones(3)
    for _ in range(3):
        expected_mean = expected_mean * 0.9 + X.mean(0) * 0.1
        expected_variance = expected_variance * 0.9 + X.var(0) * 0.1
    np.testing.assert_allclose(moving_mean, expected_mean, rtol=1e-5)
    np.testing.assert_allclose(moving_variance, expected_variance, rtol=1e-5)


def test_batch_normalization_of_images_updates_with_the_unbiased_variance():
    """TF takes the fused kernel for 4-D inputs; its variance for the update has n / (n - 1)."""
    images = np.arange(24, dtype=np.float32).reshape(2, 2, 2, 3) % 5
    x = tf.placeholder(tf.float32, [None, 2, 2, 3])
    tf.layers.batch_normalization(x, training=True, momentum=0.0)
    _, variance = _run(tf.get_collection(tf.GraphKeys.UPDATE_OPS), {x: images})
    np.testing.assert_allclose(variance, images.reshape(-1, 3).var(0, ddof=1), rtol=1e-5)


def test_batch_normalization_inference_uses_the_moving_statistics():
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.layers.batch_normalization(
        x, moving_mean_initializer=tf.constant_initializer(0.5),
        moving_variance_initializer=tf.constant_initializer(4.0),
        gamma_initializer=tf.constant_initializer(2.0), beta_initializer=tf.ones_initializer())
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    np.testing.assert_allclose(_run(out, {x: X}), 2 * (X - 0.5) / np.sqrt(4.001) + 1, rtol=1e-5)


def test_batch_normalization_training_tensor_switches_at_run_time():
    x = tf.placeholder(tf.float32, [None, 3])
    training = tf.placeholder(tf.bool, [])
    out = tf.layers.batch_normalization(x, training=training, momentum=0.5)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    moving_mean = tf.global_variables()[2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(updates, {x: X, training: False})
        assert np.all(sess.run(moving_mean) == 0)
        trained = sess.run(out, {x: X, training: True})
        sess.run(updates, {x: X, training: True})
        np.testing.assert_allclose(sess.run(moving_mean), X.mean(0) / 2, rtol=1e-5)
        inferred = sess.run(out, {x: X, training: False})
    np.testing.assert_allclose(trained, (X - X.mean(0)) / np.sqrt(X.var(0) + 1e-3), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(inferred, (X - X.mean(0) / 2) / np.sqrt(0.5 + X.var(0) / 2 +
                                                                       1e-3), rtol=1e-5)


def test_batch_normalization_along_axis_1_keeps_one_parameter_per_channel():
    x = tf.placeholder(tf.float32, [None, 3, 2])
    out = tf.layers.batch_normalization(x, axis=1, training=True, epsilon=0.0)
    data = np.arange(12, dtype=np.float32).reshape(2, 3, 2) % 4
    assert tf.global_variables()[0].shape.as_list() == [3]
    mean, var = data.mean((0, 2), keepdims=True), data.var((0, 2), keepdims=True)
    np.testing.assert_allclose(_run(out, {x: data}), (data - mean) / np.sqrt(var), rtol=1e-5)


def test_dropout_is_the_identity_unless_training():
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.layers.dropout(x, 0.5)
    np.testing.assert_array_equal(_run(out, {x: X}), X)


def test_dropout_training_drops_at_rate_and_scales_the_rest():
    ones = tf.ones([200, 50])
    training = tf.placeholder(tf.bool, [])
    out = tf.layers.dropout(ones, rate=0.3, training=training, seed=1)
    fixed = tf.layers.Dropout(0.3, noise_shape=[None, 1])(ones, training=True)
    dropped, kept, rows = _run([out, out, fixed], {training: True})
    assert set(np.unique(dropped)) <= {0.0, np.float32(1 / 0.7)}
    assert 0.27 < np.mean(dropped == 0) < 0.33
    assert np.all((rows == rows[:, :1]))  # noise_shape [None, 1]: whole rows kept or dropped
    np.testing.assert_array_equal(_run(out, {training: False}), np.ones([200, 50]))


def test_flatten_keeps_the_batch_and_multiplies_the_rest():
    x = tf.placeholder(tf.float32, [None, 2, 3])
    flat = tf.layers.flatten(x)
    assert flat.shape.as_list() == [None, 6] and flat.name == "flatten/Reshape:0"
    assert tf.layers.Flatten()(tf.zeros([4, 2, 3])).shape.as_list() == [4, 6]
    np.testing.assert_array_equal(_run(flat, {x: X.reshape(2, 2, 3)}), X.reshape(2, 6))


def test_a_layer_subclass_builds_its_weights_on_the_first_call():
    class Scale(tf.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight("scale", [input_shape.as_list()[-1]],
                                         initializer=tf.constant_initializer(3.0))
            super().build(input_shape)

        def call(self, inputs):
            return inputs * self.scale

    layer = Scale()
    out = layer(tf.constant(X))
    assert layer.built and _names(layer.variables) == ["scale/scale:0"]
    np.testing.assert_allclose(_run(out), 3 * X)


def test_get_and_set_weights_use_the_default_session():
    layer = tf.layers.Dense(2, kernel_initializer=tf.ones_initializer())
    out = layer(tf.constant(X))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = layer.get_weights()
        np.testing.assert_array_equal(kernel, np.ones((3, 2)))
        layer.set_weights([2 * kernel, bias + 1])
        np.testing.assert_allclose(sess.run(out), 2 * X.sum(1, keepdims=True).repeat(2, 1) + 1)
        with pytest.raises(ValueError, match="expecting 2 weights"):
            layer.set_weights([kernel])


# --- convolution and pooling --------------------------------------------------------------------

def _numpy_conv2d_valid(images, kernel):
    kh, kw = kernel.shape[:2]
    h, w = images.shape[1] - kh + 1, images.shape[2] - kw + 1
    out = np.zeros((images.shape[0], h, w, kernel.shape[3]), np.float64)
    for i in range(h):
        for j in range(w):
            patch = images[:, i:i + kh, j:j + kw, :]
            out[:, i, j, :] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return out


IMAGES = (np.arange(2 * 5 * 5 * 2, dtype=np.float32).reshape(2, 5, 5, 2) % 7) / 7.0


def test_conv2d_layer_names_and_values():
    x = tf.placeholder(tf.float32, [None, 5, 5, 2])
    kernel = np.linspace(-1, 1, 3 * 3 * 2 * 4).astype(np.float32).reshape(3, 3, 2, 4)
    out = tf.layers.conv2d(x, 4, 3, kernel_initializer=tf.constant_initializer(kernel),
                           bias_initializer=tf.constant_initializer(0.1))
    assert _names(tf.global_variables()) == ["conv2d/kernel:0", "conv2d/bias:0"]
    assert out.shape.as_list() == [None, 3, 3, 4]
    np.testing.assert_allclose(_run(out, {x: IMAGES}), _numpy_conv2d_valid(IMAGES, kernel) + 0.1,
                               rtol=1e-5, atol=1e-5)


def test_conv2d_same_padding_and_strides_shape():
    x = tf.placeholder(tf.float32, [None, 5, 5, 2])
    layer = tf.layers.Conv2D(6, (3, 2), strides=2, padding="same")
    out = layer(x)
    assert out.shape.as_list() == [None, 3, 3, 6]
    assert layer.kernel.shape.as_list() == [3, 2, 2, 6]
    assert _run(out, {x: IMAGES}).shape == (2, 3, 3, 6)


def test_pooling_layers_take_the_max_and_mean_of_each_window():
    x = tf.placeholder(tf.float32, [None, 4, 4, 1])
    images = np.arange(32, dtype=np.float32).reshape(2, 4, 4, 1)
    windows = images.reshape(2, 2, 2, 2, 2, 1).transpose(0, 1, 3, 2, 4, 5).reshape(2, 2, 2, 4, 1)
    pooled = tf.layers.max_pooling2d(x, 2, 2)
    averaged = tf.layers.AveragePooling2D(2, 2)(x)
    assert pooled.name == "max_pooling2d/MaxPool:0"
    got_max, got_mean = _run([pooled, averaged], {x: images})
    np.testing.assert_array_equal(got_max, windows.max(3))
    np.testing.assert_allclose(got_mean, windows.mean(3))


def test_conv1d_and_pooling1d_run_over_sequences():
    x = tf.placeholder(tf.float32, [None, 6, 2])
    seq = np.arange(24, dtype=np.float32).reshape(2, 6, 2) / 10
    conv = tf.layers.conv1d(x, 3, 2, kernel_initializer=tf.ones_initializer())
    pooled = tf.layers.max_pooling1d(x, 2, 2)
    averaged = tf.layers.average_pooling1d(x, 3, 3)
    assert tf.global_variables()[0].shape.as_list() == [2, 2, 3]
    got_conv, got_max, got_mean = _run([conv, pooled, averaged], {x: seq})
    expected = (seq[:, :-1].sum(2) + seq[:, 1:].sum(2))[..., None].repeat(3, axis=2)
    np.testing.assert_allclose(got_conv, expected, rtol=1e-5)
    np.testing.assert_array_equal(got_max, seq.reshape(2, 3, 2, 2).max(2))
    np.testing.assert_allclose(got_mean, seq.reshape(2, 2, 3, 2).mean(2), rtol=1e-6)


def test_conv2d_transpose_grows_the_image_by_the_stride():
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    out = tf.layers.conv2d_transpose(x, 4, 3, strides=2)
    same = tf.layers.conv2d_transpose(x, 4, 3, strides=2, padding="same")
    assert tf.global_variables()[0].shape.as_list() == [3, 3, 4, 2]
    assert out.shape.as_list() == [None, 7, 7, 4] and same.shape.as_list() == [None, 6, 6, 4]
    assert _run(out, {x: np.ones((1, 3, 3, 2))}).shape == (1, 7, 7, 4)


def test_separable_conv2d_is_a_depthwise_then_a_pointwise_convolution():
    x = tf.placeholder(tf.float32, [None, 5, 5, 2])
    out = tf.layers.separable_conv2d(x, 3, 3, depthwise_initializer=tf.ones_initializer(),
                                     pointwise_initializer=tf.ones_initializer())
    assert [(v.name, v.shape.as_list()) for v in tf.global_variables()] == [
        ("separable_conv2d/depthwise_kernel:0", [3, 3, 2, 1]),
        ("separable_conv2d/pointwise_kernel:0", [1, 1, 2, 3]), ("separable_conv2d/bias:0", [3])]
    expected = _numpy_conv2d_valid(IMAGES, np.ones((3, 3, 2, 1))).repeat(3, axis=3)
    np.testing.assert_allclose(_run(out, {x: IMAGES}), expected, rtol=1e-5)


def test_conv3d_and_pooling3d_over_volumes():
    x = tf.placeholder(tf.float32, [None, 3, 3, 3, 1])
    volume = np.arange(27, dtype=np.float32).reshape(1, 3, 3, 3, 1)
    conv = tf.layers.conv3d(x, 2, 2, kernel_initializer=tf.ones_initializer())
    pooled = tf.layers.max_pooling3d(x, 2, 1)
    averaged = tf.layers.average_pooling3d(x, 3, 3)
    upsampled = tf.layers.conv3d_transpose(x, 4, 2, strides=2)
    assert tf.global_variables()[0].shape.as_list() == [2, 2, 2, 1, 2]
    assert upsampled.shape.as_list() == [None, 6, 6, 6, 4]
    got_conv, got_max, got_mean = _run([conv, pooled, averaged], {x: volume})
    v = volume[0, :, :, :, 0]
    cubes = np.array([[[v[i:i + 2, j:j + 2, k:k + 2].sum() for k in range(2)] for j in range(2)]
                      for i in range(2)])
    np.testing.assert_allclose(got_conv[0, :, :, :, 1], cubes)
    np.testing.assert_array_equal(got_max[0, :, :, :, 0], v[1:, 1:, 1:])  # increasing volume
    assert got_mean.item() == pytest.approx(v.mean())


def test_conv2d_rejects_bad_arguments_naming_them():
    x = tf.placeholder(tf.float32, [None, 5, 5, 2])
    with pytest.raises(ValueError, match="padding"):
        tf.layers.conv2d(x, 4, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size"):
        tf.layers.conv2d(x, 4, (3, 3, 3))
    with pytest.raises(ValueError, match="expected ndim=4"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 5, 2]), 4, 3)


# --- end to end ---------------------------------------------------------------------------------

def _blobs(n, seed):
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 3, n)
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]], np.float32)
    return (centers[labels] + rng.normal(0, 0.6, (n, 2))).astype(np.float32), labels


def test_an_mlp_of_tf_layers_learns_three_blobs():
    """Bar: the loss falls by half and accuracy on held-out points passes 0.9."""
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.int64, [None])
    training = tf.placeholder_with_default(False, [])
    hidden = tf.layers.dense(x, 16, activation=tf.nn.relu)
    hidden = tf.layers.dropout(hidden, 0.1, training=training)
    logits = tf.layers.dense(hidden, 3)
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    predictions = tf.argmax(logits, 1)
    accuracy, update_accuracy = tf.metrics.accuracy(y, predictions)
    train_x, train_y = _blobs(300, 1)
    test_x, test_y = _blobs(200, 2)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        first = sess.run(loss, {x: train_x, y: train_y})
        for _ in range(60):
            sess.run(train, {x: train_x, y: train_y, training: True})
        last = sess.run(loss, {x: train_x, y: train_y})
        for start in range(0, 200, 50):  # streaming over four batches
            sess.run(update_accuracy, {x: test_x[start:start + 50], y: test_y[start:start + 50]})
        streamed = sess.run(accuracy)
        whole = np.mean(sess.run(predictions, {x: test_x}) == test_y)
    assert last < first / 2
    assert streamed == pytest.approx(whole) and whole > 0.9


def _bars(n, seed):
    """8x8 images with one horizontal (class 0) or vertical (class 1) bar, plus noise."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 2, n)
    images = rng.uniform(0, 0.3, (n, 8, 8, 1)).astype(np.float32)
    for image, label, where in zip(images, labels, rng.randint(1, 7, n), strict=True):
        if label:
            image[:, where, 0] += 1.0
        else:
            image[where, :, 0] += 1.0
    return images, labels


def test_a_lenet_style_cnn_learns_bar_orientation():
    """Bar: the loss falls below half its start and held-out accuracy passes 0.95."""
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    y = tf.placeholder(tf.int64, [None])
    training = tf.placeholder_with_default(False, [])
    net = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    net = tf.layers.max_pooling2d(net, 2, 2)
    net = tf.layers.conv2d(net, 8, 3, activation=tf.nn.relu)
    net = tf.layers.batch_normalization(net, momentum=0.8, training=training)
    net = tf.layers.flatten(net)
    logits = tf.layers.dense(net, 2)
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.AdamOptimizer(0.02).minimize(loss)
    assert _names(tf.trainable_variables())[:4] == ["conv2d/kernel:0", "conv2d/bias:0",
                                                    "conv2d_1/kernel:0", "conv2d_1/bias:0"]
    train_x, train_y = _bars(200, 3)
    test_x, test_y = _bars(100, 4)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: train_x, y: train_y})
        for _ in range(40):
            sess.run(train, {x: train_x, y: train_y, training: True})
        last = sess.run(loss, {x: train_x, y: train_y})
        accuracy = np.mean(np.argmax(sess.run(logits, {x: test_x}), 1) == test_y)
    assert last < first / 2 and accuracy > 0.95


@pytest.mark.parametrize("training", [True, False])
def test_batch_normalization_of_float16_computes_in_float32_and_returns_float16(training):
    images = np.random.default_rng(5).normal(size=(4, 3, 3, 2)).astype(np.float16)
    outputs = tf.layers.batch_normalization(tf.constant(images), training=training)
    assert outputs.dtype == tf.float16
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(outputs)
    wide = images.astype(np.float32)
    mean, variance = (wide.mean((0, 1, 2)), wide.var((0, 1, 2))) if training else (0.0, 1.0)
    np.testing.assert_allclose(got, (wide - mean) / np.sqrt(variance + 1e-3), atol=2e-3)


def test_scope_on_a_layers_first_call_names_its_variables_as_tf1():
    layer = tf.layers.Dense(3)
    layer(tf.zeros([2, 4]), scope="head")
    assert [v.name for v in layer.variables] == ["head/kernel:0", "head/bias:0"]
