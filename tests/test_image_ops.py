"""tf.image, space_to_depth / depth_to_space and random_crop beyond the registry samples and the
TF goldens (tests/golden/programs/image.py): seeded random image ops, adjoint identities of the
resize gradients, NCHW blocks, and the errors bad arguments raise."""
import numpy as np
import pytest

import session_magic as tf

RNG = np.random.default_rng(4)
IMAGE = RNG.uniform(0, 1, (5, 6, 3)).astype(np.float32)
BATCH = RNG.uniform(-1, 1, (3, 4, 5, 2)).astype(np.float32)


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _seeded_twice(build):
    """The values of two runs in each of two fresh sessions of a graph with a seed."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(11)
        out = build()
    runs = []
    for _ in range(2):
        with tf.Session(graph=graph) as sess:
            runs.append([sess.run(out), sess.run(out)])
    return runs


def test_random_crop_is_a_window_replayed_under_a_graph_seed():
    runs = _seeded_twice(lambda: tf.random_crop(tf.constant(IMAGE), [3, 4, 3]))
    np.testing.assert_array_equal(runs[0], runs[1])
    windows = [IMAGE[i:i + 3, j:j + 4] for i in range(3) for j in range(3)]
    for crop in runs[0]:
        assert crop.shape == (3, 4, 3) and crop.dtype == np.float32
        assert any(np.array_equal(crop, w) for w in windows)


def test_image_random_crop_of_a_batch_keeps_the_batch():
    crop = tf.image.random_crop(tf.constant(BATCH), [3, 2, 2, 2], seed=2)
    assert crop.shape.as_list() == [3, 2, 2, 2]
    value = _run(crop)
    assert any(np.array_equal(value, BATCH[:, i:i + 2, j:j + 2])
               for i in range(3) for j in range(4))


def test_random_crop_larger_than_the_value_fails_when_run():
    crop = tf.random_crop(tf.constant(IMAGE), [6, 6, 3], seed=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
        _run(crop)


def test_random_flip_left_right_either_flips_or_keeps_each_image():
    runs = _seeded_twice(lambda: tf.image.random_flip_left_right(tf.constant(BATCH)))
    np.testing.assert_array_equal(runs[0], runs[1])
    for image, result in zip(BATCH, runs[0][0], strict=True):
        assert np.array_equal(result, image) or np.array_equal(result, image[:, ::-1])


def test_random_flip_up_down_of_one_image_is_the_image_or_its_flip():
    flipped = tf.image.random_flip_up_down(tf.constant(IMAGE), seed=3)
    assert flipped.shape.as_list() == [5, 6, 3]
    draws = [_run(flipped) for _ in range(6)]
    for value in draws:
        assert np.array_equal(value, IMAGE) or np.array_equal(value, IMAGE[::-1])


def test_random_brightness_shifts_every_pixel_by_one_delta_within_range():
    out = tf.image.random_brightness(tf.constant(IMAGE), 0.25, seed=5)
    shift = _run(out) - IMAGE
    np.testing.assert_allclose(shift, shift.flat[0], atol=1e-6)
    assert -0.25 <= shift.flat[0] < 0.25


def test_random_contrast_scales_each_channel_about_its_mean():
    out = _run(tf.image.random_contrast(tf.constant(IMAGE), 0.5, 1.5, seed=6))
    mean = IMAGE.mean(axis=(0, 1))
    factor = (out - mean) / (IMAGE - mean)
    assert 0.5 <= factor.flat[0] < 1.5
    np.testing.assert_allclose(factor, factor.flat[0], rtol=1e-3)


@pytest.mark.parametrize("method", [0, 1, 2])
def test_resize_gradient_is_the_adjoint_of_the_resize(method):
    """<resize(x), g> = <x, dresize/dx^T g> for these linear maps, in exact float64 sums."""
    x = tf.placeholder(tf.float32, BATCH.shape)
    out = tf.image.resize_images(x, [7, 3], method=method)
    g = RNG.normal(size=(3, 7, 3, 2)).astype(np.float32)
    grad = tf.gradients(out, x, grad_ys=tf.constant(g))[0]
    resized, back = _run([out, grad], {x: BATCH})
    forward = np.sum(resized.astype(np.float64) * g)
    np.testing.assert_allclose(np.sum(BATCH.astype(np.float64) * back), forward, rtol=1e-5)


def test_resize_area_has_no_gradient_as_in_tf():
    x = tf.placeholder(tf.float32, BATCH.shape)
    with pytest.raises(LookupError, match="ResizeArea"):
        tf.gradients(tf.image.resize_images(x, [2, 2], method=3), x)


def test_resize_to_the_same_known_size_adds_no_resize_op():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [5, 6, 3])
        out = tf.image.resize_images(x, [5, 6])
        assert "ResizeBilinear" not in {op.type for op in graph.get_operations()}
        np.testing.assert_array_equal(_run(out, {x: IMAGE}), IMAGE)


def test_resize_method_takes_tf2_names_with_tf1_sampling():
    by_name = tf.image.resize(tf.constant(IMAGE), [3, 4], method="bilinear")
    by_enum = tf.image.resize_images(tf.constant(IMAGE), [3, 4], tf.image.ResizeMethod.BILINEAR)
    np.testing.assert_array_equal(*_run([by_name, by_enum]))


@pytest.mark.parametrize("op", [tf.space_to_depth, tf.depth_to_space])
def test_blocks_in_nchw_are_the_nhwc_result_transposed(op):
    x = np.arange(2 * 4 * 4 * 4, dtype=np.float32).reshape(2, 4, 4, 4)
    nhwc = op(tf.constant(x), 2)
    nchw = op(tf.constant(x.transpose(0, 3, 1, 2)), 2, data_format="NCHW")
    expected, got = _run([nhwc, nchw])
    np.testing.assert_array_equal(got, expected.transpose(0, 3, 1, 2))
    assert nchw.shape.as_list() == list(expected.transpose(0, 3, 1, 2).shape)


def test_space_to_depth_then_depth_to_space_is_the_identity():
    round_trip = tf.nn.depth_to_space(tf.nn.space_to_depth(tf.constant(BATCH[:, :4, :4]), 2), 2)
    np.testing.assert_array_equal(_run(round_trip), BATCH[:, :4, :4])


@pytest.mark.parametrize("scale", [4.0, 0.1, 0.0])
def test_per_image_standardization_uses_the_adjusted_stddev(scale):
    """Wide, narrow (stddev below 1/sqrt(N)) and flat images."""
    images = (BATCH[:, :3, :3] * scale + 3.0).astype(np.float32)
    out = _run(tf.image.per_image_standardization(tf.constant(images)))
    for image, result in zip(images, out, strict=True):
        adjusted = max(image.std(dtype=np.float64), 1 / np.sqrt(image.size))
        np.testing.assert_allclose(result, (image - image.mean()) / adjusted, rtol=1e-4,
                                   atol=1e-5)


def test_convert_image_dtype_round_trips_uint8_through_float():
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16, 1)
    as_float = tf.image.convert_image_dtype(tf.constant(pixels), tf.float32)
    back = tf.image.convert_image_dtype(as_float, tf.uint8)
    floats, again = _run([as_float, back])
    np.testing.assert_allclose(floats, pixels / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(again, pixels)


@pytest.mark.parametrize("build, error, text", [
    (lambda: tf.image.resize_images(tf.constant(IMAGE), [2, 2], method="lanczos3"),
     ValueError, "Resize method is not implemented: lanczos3"),
    (lambda: tf.image.resize_images(tf.constant(IMAGE[0]), [2, 2]), ValueError,
     "must have either 3 or 4 dimensions"),
    (lambda: tf.image.resize_images(tf.constant(IMAGE), [2, 2, 2]), ValueError,
     "'size' must be a 1-D Tensor of 2 elements"),
    (lambda: tf.image.resize_bilinear(tf.constant(IMAGE), [2, 2]), ValueError,
     "Shape must be rank 4 but is rank 3"),
    (lambda: tf.space_to_depth(tf.constant(BATCH), 2), ValueError,
     "evenly divisible by 2 but is 5"),
    (lambda: tf.space_to_depth(tf.constant(BATCH), 1), ValueError,
     "Attr 'block_size' of 'SpaceToDepth' Op passed 1 less than minimum 2"),
    (lambda: tf.depth_to_space(tf.constant(BATCH), 2.0), TypeError, "'block_size'"),
    (lambda: tf.image.central_crop(tf.constant(IMAGE), 1.5), ValueError, "central_fraction"),
    (lambda: tf.image.crop_to_bounding_box(tf.constant(IMAGE), 3, 0, 3, 2), ValueError,
     r"height must be >= target \+ offset"),
    (lambda: tf.image.pad_to_bounding_box(tf.constant(IMAGE), 0, 1, 5, 6), ValueError,
     "width must be <= target - offset"),
    (lambda: tf.image.convert_image_dtype(tf.constant(IMAGE), tf.bool), AttributeError,
     "dtype must be either floating point or integer"),
    (lambda: tf.image.random_brightness(tf.constant(IMAGE), -1.0), ValueError, "max_delta"),
    (lambda: tf.image.rot90(tf.constant(IMAGE), tf.placeholder(tf.int32, [])), ValueError,
     "k must be known"),
])
def test_bad_arguments_raise_naming_what_was_wrong(build, error, text):
    with pytest.raises(error, match=text):
        build()


def test_resize_to_a_zero_size_fails_when_run():
    size = tf.placeholder(tf.int32, [2])
    out = tf.image.resize_bilinear(tf.constant(BATCH), size)
    assert out.shape.as_list() == [3, None, None, 2]
    with pytest.raises(tf.errors.InvalidArgumentError, match="output dimensions must be positive"):
        _run(out, {size: [0, 3]})


@pytest.mark.parametrize("call, message", [
    (lambda img: tf.image.crop_to_bounding_box(img, "a", 0, 2, 2),
     "offset_height must be an integer"),
    (lambda img: tf.image.pad_to_bounding_box(img, 0, 1.5, 6, 6),
     "offset_width must be an integer"),
    (lambda img: tf.image.central_crop(img, "0.5"), "central_fraction must be a number"),
])
def test_crop_arguments_of_the_wrong_type_name_themselves(call, message):
    with pytest.raises(TypeError, match=message):
        call(tf.zeros([4, 4, 3]))
