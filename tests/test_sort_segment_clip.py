"""Sorting, segment reductions, counting, clipping by norms, roll and batch_gather: the behaviour
the registry samples and TF goldens do not pin down (errors naming what was wrong, IndexedSlices
and None entries, names, static shapes), each against NumPy or TF's documented result."""
import numpy as np
import pytest

import session_magic as tf
from session_magic import errors


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


# --- sorting -------------------------------------------------------------------------------------

def test_top_k_breaks_ties_toward_the_lower_index():
    values, indices = _run(tf.nn.top_k([[1.0, 3.0, 3.0, 0.0, 3.0]], k=3))
    np.testing.assert_array_equal(values, [[3.0, 3.0, 3.0]])
    np.testing.assert_array_equal(indices, [[1, 2, 4]])


def test_top_k_gradient_goes_to_the_chosen_positions():
    x = tf.constant([[0.5, 2.0, -1.0, 4.0]])
    values, _ = tf.math.top_k(x, 2)
    grad = tf.gradients(tf.reduce_sum(values * [[10.0, 1.0]]), x)[0]
    np.testing.assert_array_equal(_run(grad), [[0.0, 1.0, 0.0, 10.0]])


def test_top_k_with_k_past_the_last_dim_names_k():
    with pytest.raises(ValueError, match="k = 5"):
        tf.nn.top_k(tf.zeros([2, 4]), 5)
    x = tf.placeholder(tf.float32, [2, None])
    with pytest.raises(errors.InvalidArgumentError, match="at least k columns"):
        _run(tf.nn.top_k(x, 5), {x: np.zeros((2, 4))})


def test_top_k_static_shape_follows_k():
    x = tf.placeholder(tf.float32, [None, 7])
    assert tf.nn.top_k(x, 3)[0].shape.as_list() == [None, 3]
    assert tf.nn.top_k(x, 3)[1].dtype == tf.int32


def test_sort_and_argsort_match_numpy_along_any_axis():
    x = np.random.default_rng(3).normal(size=(3, 4, 5)).astype(np.float32)
    for axis in (0, 1, -1):
        np.testing.assert_array_equal(_run(tf.sort(x, axis=axis)), np.sort(x, axis))
        np.testing.assert_array_equal(_run(tf.argsort(x, axis=axis, direction="DESCENDING")),
                                      np.argsort(-x, axis, kind="stable"))


def test_sort_of_ints_keeps_the_lowest_value():
    lowest = np.iinfo(np.int64).min
    x = np.array([5, lowest, -1, 0], np.int64)
    np.testing.assert_array_equal(_run(tf.sort(x)), np.sort(x))


def test_sort_refuses_a_bad_direction_and_a_tensor_axis():
    with pytest.raises(ValueError, match="ASCENDING, DESCENDING"):
        tf.sort([1.0, 2.0], direction="up")
    with pytest.raises(ValueError, match="axis must be a constant scalar"):
        tf.sort([1.0, 2.0], axis=tf.placeholder(tf.int32, []))


def test_in_top_k_counts_ties_for_the_target_and_refuses_non_finite_rows():
    predictions = np.array([[0.2, 0.4, 0.4], [0.1, np.nan, 0.9], [0.5, 0.2, 0.3]], np.float32)
    result = _run(tf.nn.in_top_k(predictions, [2, 2, 3], 1))
    np.testing.assert_array_equal(result, [True, False, False])  # the last target is no class


# --- segments ------------------------------------------------------------------------------------

def test_segment_reductions_fill_empty_segments_as_tf():
    data = np.array([4.0, -2.0, 7.0], np.float32)
    ids = [0, 0, 2]
    assert _run(tf.segment_max(data, ids)).tolist() == [4.0, 0.0, 7.0]
    assert _run(tf.segment_prod(data, ids)).tolist() == [-8.0, 1.0, 7.0]
    lowest = np.finfo(np.float32).min
    assert _run(tf.unsorted_segment_max(data, ids, 3)).tolist() == [4.0, lowest, 7.0]
    assert _run(tf.unsorted_segment_min(data, ids, 3))[1] == np.finfo(np.float32).max
    assert _run(tf.unsorted_segment_prod(data, ids, 3))[1] == 1.0


def test_segment_max_gradient_is_shared_by_ties():
    x = tf.constant([3.0, 3.0, 1.0, 5.0])
    grad = tf.gradients(tf.reduce_sum(tf.segment_max(x, [0, 0, 0, 1])), x)[0]
    np.testing.assert_allclose(_run(grad), [0.5, 0.5, 0.0, 1.0])
    grad = tf.gradients(tf.reduce_sum(tf.unsorted_segment_min(x, [1, 1, -1, 0], 2)), x)[0]
    np.testing.assert_allclose(_run(grad), [0.5, 0.5, 0.0, 1.0])


def test_segment_prod_gradient_through_zeros():
    x = tf.constant([2.0, 0.0, 3.0, 0.0, 0.0])
    grad = tf.gradients(tf.reduce_sum(tf.segment_prod(x, [0, 0, 0, 1, 1])), x)[0]
    np.testing.assert_allclose(_run(grad), [0.0, 6.0, 0.0, 0.0, 0.0])


def test_unsorted_segment_mean_and_sqrt_n_of_empty_segments_are_zero():
    data = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    mean = tf.unsorted_segment_mean(data, [2, 2, 0], 4)
    assert mean.shape.as_list() == [4, 2]
    np.testing.assert_allclose(_run(mean), [[5, 6], [0, 0], [2, 3], [0, 0]])
    np.testing.assert_allclose(_run(tf.math.unsorted_segment_sqrt_n(data, [2, 2, 0], 3)),
                               [[5, 6], [0, 0], [4 / np.sqrt(2), 6 / np.sqrt(2)]], rtol=1e-6)


def test_segment_ids_must_be_sorted():
    ids = tf.placeholder(tf.int32, [3])
    with pytest.raises(errors.InvalidArgumentError, match="not increasing"):
        _run(tf.segment_sum([1.0, 2.0, 3.0], ids), {ids: [1, 0, 2]})


def test_unsorted_segment_id_past_num_segments_is_named():
    with pytest.raises(errors.InvalidArgumentError, match=r"segment_ids\[1\] = 5"):
        _run(tf.unsorted_segment_max([1.0, 2.0], [0, 5], 3))


def test_sparse_segment_ops_gather_then_reduce():
    data = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    indices, ids = [2, 0, 2], [0, 0, 1]
    np.testing.assert_allclose(_run(tf.sparse_segment_sum(data, indices, ids)),
                               [[6, 8], [5, 6]])
    np.testing.assert_allclose(_run(tf.sparse_segment_mean(data, indices, ids, num_segments=3)),
                               [[3, 4], [5, 6], [0, 0]])
    x = tf.constant(data)
    grad = tf.gradients(tf.reduce_sum(tf.sparse_segment_sum(x, indices, ids)), x)[0]
    np.testing.assert_allclose(_run(grad), [[1, 1], [0, 0], [2, 2]])


# --- counting ------------------------------------------------------------------------------------

def test_bincount_bounds_and_weights():
    arr = np.array([1, 1, 3, 7], np.int32)
    assert _run(tf.bincount(arr)).tolist() == np.bincount(arr).tolist()
    assert _run(tf.math.bincount(arr, minlength=10)).tolist() == np.bincount(arr, None, 10).tolist()
    assert _run(tf.bincount(arr, maxlength=2)).tolist() == [0, 2]
    weights = np.array([0.5, 1.0, 2.0, -1.0], np.float32)
    np.testing.assert_allclose(_run(tf.bincount(arr, weights)), np.bincount(arr, weights))
    assert tf.bincount(arr).shape.as_list() == [8]  # a constant arr: known while building


def test_bincount_refuses_negative_values():
    with pytest.raises(errors.InvalidArgumentError, match="non-negative"):
        _run(tf.bincount(tf.placeholder_with_default([1, -2], [2])))


def test_histogram_fixed_width_counts_outliers_in_the_end_bins():
    values = np.array([-1.0, 0.0, 0.5, 2.4, 2.5, 9.0], np.float32)
    counts = _run(tf.histogram_fixed_width(values, [0.0, 5.0], nbins=2))
    assert counts.tolist() == [4, 2]


def test_histogram_fixed_width_names_a_bad_range():
    with pytest.raises(errors.InvalidArgumentError, match="value_range"):
        _run(tf.histogram_fixed_width([1.0], [2.0, 1.0], nbins=3))


# --- clipping by norms ---------------------------------------------------------------------------

def test_clip_by_norm_scales_only_long_rows_and_names_the_result():
    x = np.array([[3.0, 4.0], [0.3, 0.4]], np.float32)
    clipped = tf.clip_by_norm(x, 1.0, axes=[1], name="clipped")
    assert clipped.name == "clipped:0"
    np.testing.assert_allclose(_run(clipped), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)


def test_clip_by_norm_of_zeros_has_a_finite_gradient():
    x = tf.zeros([3])
    grad = tf.gradients(tf.reduce_sum(tf.clip_by_norm(x, 1.0)), x)[0]
    np.testing.assert_array_equal(_run(grad), [1.0, 1.0, 1.0])


def test_clip_by_global_norm_keeps_none_and_indexed_slices():
    params = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    slices = tf.gradients(tf.reduce_sum(tf.gather(params, [1]) * 6.0), params)[0]
    dense = tf.constant([8.0, 0.0])
    clipped, norm = tf.clip_by_global_norm([dense, None, slices], 5.0)
    assert clipped[1] is None
    assert isinstance(clipped[2], tf.IndexedSlices)
    assert clipped[0].name == "clip_by_global_norm/clip_by_global_norm/_0:0"
    assert norm.name == "global_norm/global_norm:0"
    total = np.sqrt(64 + 36 + 36)
    got = _run([clipped[0], clipped[2].values, norm])
    np.testing.assert_allclose(got[0], [8.0 * 5 / total, 0.0], rtol=1e-6)
    np.testing.assert_allclose(got[1], [[6 * 5 / total, 6 * 5 / total]], rtol=1e-6)
    np.testing.assert_allclose(got[2], total, rtol=1e-6)


def test_clip_by_global_norm_of_an_infinite_norm_is_nan():
    clipped, _ = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert np.isnan(_run(clipped[0])).all()


def test_global_norm_wants_a_list():
    with pytest.raises(TypeError, match="t_list"):
        tf.global_norm(tf.constant([1.0]))


def test_clip_by_average_norm_bounds_the_norm_per_element():
    x = np.array([3.0, 4.0], np.float32)  # norm 5, 2.5 per element
    np.testing.assert_allclose(_run(tf.clip_by_average_norm(x, 1.0)), x * 1.0 / 2.5, rtol=1e-6)


# --- roll and batch_gather -----------------------------------------------------------------------

def test_roll_matches_numpy_and_adds_shifts_on_a_repeated_axis():
    x = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(_run(tf.roll(x, [1, 2], [1, 1])), np.roll(x, 3, 1))
    np.testing.assert_array_equal(_run(tf.roll(x, [-1, 5], [0, 1])), np.roll(x, (-1, 5), (0, 1)))


def test_roll_refuses_shift_and_axis_of_different_sizes():
    shift = tf.placeholder(tf.int32, [None])
    with pytest.raises(errors.InvalidArgumentError, match="shift and axis"):
        _run(tf.roll([1, 2, 3], shift, [0]), {shift: [1, 1]})


def test_batch_gather_picks_per_batch_entry():
    params = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    indices = np.array([[2, 0], [1, 1]])
    expected = np.take_along_axis(params, indices[..., None].repeat(2, -1), 1)
    np.testing.assert_array_equal(_run(tf.batch_gather(params, indices)), expected)


def test_batch_gather_needs_indices_of_known_rank():
    with pytest.raises(ValueError, match="unknown shape"):
        tf.batch_gather(tf.zeros([2, 3]), tf.placeholder(tf.int32))


def test_sequence_mask_refuses_a_matrix_maxlen():
    with pytest.raises(ValueError, match="maxlen must be scalar"):
        tf.sequence_mask([1, 2], [3, 4])
