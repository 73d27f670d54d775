"""Builder-level behaviour of ops/array_ops.py: TF 1's default names, dtypes, static shapes,
indexing semantics and error texts (the registry test covers each kernel against NumPy)."""
from __future__ import annotations

import numpy as np
import pytest

import session_magic as tf

CUBE = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
VECTOR = np.arange(10, dtype=np.int32)


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


# --- Tensor.__getitem__ ------------------------------------------------------------------------

INDEXINGS = {
    "x[0]": lambda x: x[0],
    "x[-1]": lambda x: x[-1],
    "x[1:5:2]": lambda x: x[1:5:2],
    "x[::-1]": lambda x: x[::-1],
    "x[..., 0]": lambda x: x[..., 0],
    "x[:, None]": lambda x: x[:, None],
    "x[-1, ::-2, 1:]": lambda x: x[-1, ::-2, 1:],
    "x[None, ..., 3:0:-1, None]": lambda x: x[None, ..., 3:0:-1, None],
    "x[1, 5:, :-10]": lambda x: x[1, 5:, :-10],
}


RANK_3_ONLY = {"x[-1, ::-2, 1:]", "x[1, 5:, :-10]"}
CASES = [(index, "cube") for index in sorted(INDEXINGS)] + [
    (index, "vector") for index in sorted(INDEXINGS) if index not in RANK_3_ONLY]


@pytest.mark.parametrize("index, which", CASES)
def test_indexing_matches_numpy_value_and_static_shape(index, which):
    array = CUBE if which == "cube" else VECTOR
    expected = INDEXINGS[index](array)
    result = INDEXINGS[index](tf.constant(array))
    assert result.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(result), expected)


def test_indexing_with_a_scalar_int32_tensor_shrinks_the_axis():
    i = tf.placeholder(tf.int32, shape=[])
    row = tf.constant(CUBE)[i]
    assert row.shape.as_list() == [3, 4]
    np.testing.assert_array_equal(run(row, {i: 1}), CUBE[1])


def test_indexing_with_an_int64_tensor_slice_bound():
    start = tf.constant(1, dtype=tf.int64)
    tail = tf.constant(VECTOR)[start:]
    assert tail.op.inputs[1].dtype == tf.int64
    np.testing.assert_array_equal(run(tail), VECTOR[1:])


def test_indexing_builds_one_strided_slice_named_strided_slice():
    x = tf.constant(CUBE, name="x")
    y = x[0, 1:, ::2]
    slices = [op for op in tf.get_default_graph().get_operations() if op.type == "StridedSlice"]
    assert [op.name for op in slices] == ["strided_slice"]
    assert y.name == "strided_slice:0"
    assert y.op.get_attr("shrink_axis_mask") == 1
    assert y.op.get_attr("begin_mask") == 4 and y.op.get_attr("end_mask") == 6


def test_list_index_is_a_type_error_with_tf_text():
    x = tf.constant(VECTOR)
    with pytest.raises(TypeError, match=r"Only integers, slices \(`:`\), ellipsis \(`\.\.\.`\), "
                                        r"tf\.newaxis \(`None`\) and scalar tf\.int32/tf\.int64 "
                                        r"tensors are valid indices, got \[1, 2\]"):
        x[[1, 2]]


@pytest.mark.parametrize("bad", [1.5, "a", np.array([1, 2])], ids=["float", "str", "ndarray"])
def test_other_non_integer_indices_are_type_errors(bad):
    with pytest.raises(TypeError, match="are valid indices, got"):
        tf.constant(VECTOR)[bad]


def test_vector_tensor_index_is_a_type_error():
    with pytest.raises(TypeError, match="are valid indices"):
        tf.constant(CUBE)[tf.constant([0, 1])]


def test_constant_index_out_of_a_known_dimension_fails_while_building():
    with pytest.raises(ValueError, match="slice index 5 of dimension 0 out of bounds"):
        tf.constant([1, 2, 3])[5]


def test_run_time_index_out_of_range_is_invalid_argument():
    i = tf.placeholder(tf.int32, shape=[])
    with pytest.raises(tf.errors.InvalidArgumentError, match="slice index 12 of dimension 0"):
        run(tf.constant(VECTOR)[i], {i: 12})


def test_boolean_tensor_index_is_a_boolean_mask():
    mask = np.array([True, False, True, True, False, False, True, False, False, True])
    picked = tf.constant(VECTOR)[tf.constant(mask)]
    assert picked.op.type == "BooleanMask"
    np.testing.assert_array_equal(run(picked), VECTOR[mask])


def test_strided_slice_masks_follow_tf():
    x = tf.constant(CUBE)
    y = tf.strided_slice(x, [1, 0, 9], [2, 3, 0], [1, 1, -1], begin_mask=4, shrink_axis_mask=1,
                         new_axis_mask=2)
    expected = CUBE[1, None, :0:-1]
    assert y.op.name == "StridedSlice"
    assert y.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(y), expected)


# --- creation ----------------------------------------------------------------------------------

def test_zeros_is_float32_named_zeros():
    z = tf.zeros([2, 3])
    assert z.dtype == tf.float32 and z.name == "zeros:0"
    np.testing.assert_array_equal(run(z), np.zeros((2, 3), np.float32))


def test_large_ones_is_a_fill_named_ones():
    big = tf.ones([100, 20], tf.int32)
    assert big.op.type == "Fill" and big.op.name == "ones"
    assert big.shape.as_list() == [100, 20]
    assert run(big).sum() == 2000


def test_zeros_with_a_partly_computed_shape():
    p = tf.placeholder(tf.float32, [None, 3])
    z = tf.zeros([tf.shape(p)[0], 2], tf.int64)
    assert z.shape.as_list() == [None, 2]
    assert run(z, {p: np.ones((4, 3))}).shape == (4, 2)


def test_fill_takes_run_time_dims():
    dims = tf.placeholder(tf.int32, [2])
    filled = tf.fill(dims, 7.5)
    assert filled.op.name == "Fill" and filled.dtype == tf.float32
    np.testing.assert_array_equal(run(filled, {dims: [2, 1]}), np.full((2, 1), 7.5))


def test_zeros_like_of_a_known_shape_is_constant_and_of_unknown_is_zeros_like():
    known = tf.zeros_like(tf.constant(CUBE))
    p = tf.placeholder(tf.int32)
    unknown = tf.zeros_like(p)
    assert known.op.type == "Const" and known.op.name == "zeros_like"
    assert unknown.op.type == "ZerosLike" and unknown.op.name == "zeros_like_1"
    np.testing.assert_array_equal(run(unknown, {p: [[1, 2]]}), [[0, 0]])


def test_ones_like_with_another_dtype():
    p = tf.placeholder(tf.int32, [None])
    result = tf.ones_like(p, dtype=tf.float64)
    assert result.dtype == tf.float64 and result.shape.as_list() == [None]
    np.testing.assert_array_equal(run(result, {p: [4, 5, 6]}), np.ones(3))


def test_range_of_ints_is_int32_named_range():
    r = tf.range(5)
    assert r.dtype == tf.int32 and r.name == "range:0" and r.shape.as_list() == [5]
    np.testing.assert_array_equal(run(r), np.arange(5))


def test_range_of_floats_is_float32():
    r = tf.range(0., 1., .25)
    assert r.dtype == tf.float32 and r.shape.as_list() == [4]
    np.testing.assert_allclose(run(r), [0, .25, .5, .75])


def test_range_with_a_float_limit_and_int_start_promotes():
    r = tf.range(1, 2.5, 0.5)
    assert r.dtype == tf.float32
    np.testing.assert_allclose(run(r), [1.0, 1.5, 2.0])


def test_range_with_zero_delta_fails_while_building():
    with pytest.raises(ValueError, match="Requires delta != 0"):
        tf.range(0, 5, 0)


def test_linspace_includes_both_ends():
    points = tf.linspace(0.0, 1.0, 5)
    assert points.op.name == "LinSpace" and points.shape.as_list() == [5]
    np.testing.assert_allclose(run(points), np.linspace(0, 1, 5))


def test_linspace_ends_exactly_at_stop_as_tf():
    # NOTE: found by tests/test_fuzz.py: 1 + (1e-157 - 1) * 1 rounds to 0; TF writes `stop` last.
    points = tf.linspace(tf.constant(1.0, tf.float64), tf.constant(1.32325497e-157, tf.float64), 2)
    assert run(points).tolist() == [1.0, 1.32325497e-157]
    thirds = run(tf.linspace(0.1, 0.7, 4)).tolist()
    assert thirds == [0.10000000149011612, 0.29999998211860657, 0.4999999701976776,
                      0.699999988079071]  # TF 2.21's compat.v1 values, bit for bit


def test_eye_rectangular_and_batched():
    identity = tf.eye(2, 3, batch_shape=[2], dtype=tf.int32)
    assert identity.shape.as_list() == [2, 2, 3]
    np.testing.assert_array_equal(run(identity), np.stack([np.eye(2, 3, dtype=np.int32)] * 2))


def test_one_hot_defaults_to_float32_and_ignores_out_of_range():
    hot = tf.one_hot([0, 2, -1, 3], 3)
    assert hot.dtype == tf.float32 and hot.op.name == "one_hot"
    assert hot.shape.as_list() == [4, 3]
    expected = np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]], np.float32)
    np.testing.assert_array_equal(run(hot), expected)


def test_one_hot_mismatched_on_and_off_dtypes():
    with pytest.raises(TypeError, match="dtype"):
        tf.one_hot([0], 2, on_value=tf.constant(1.0), off_value=tf.constant(0))


# --- shapes ------------------------------------------------------------------------------------

def test_shape_of_partly_known_placeholder_at_run_time():
    p = tf.placeholder(tf.float32, [None, 3])
    s = tf.shape(p)
    assert s.op.name == "Shape" and s.dtype == tf.int32 and s.shape.as_list() == [2]
    np.testing.assert_array_equal(run(s, {p: np.zeros((5, 3))}), [5, 3])


def test_size_and_rank_are_int32_scalars():
    p = tf.placeholder(tf.float32)
    size, rank = tf.size(p), tf.rank(p)
    assert size.dtype == rank.dtype == tf.int32
    assert size.shape.as_list() == rank.shape.as_list() == []
    assert run([size, rank], {p: np.zeros((2, 5))}) == [10, 2]


# --- reshaping ---------------------------------------------------------------------------------

def test_reshape_solves_minus_one_while_building():
    r = tf.reshape(tf.constant(CUBE), [-1, 6])
    assert r.op.name == "Reshape" and r.shape.as_list() == [4, 6]
    np.testing.assert_array_equal(run(r), CUBE.reshape(-1, 6))


def test_reshape_by_the_batch_dim_of_the_input_infers_as_tf_and_runs_on_empty_batches():
    p = tf.placeholder(tf.float32, [None, 3, 4])
    flat = tf.reshape(p, [tf.shape(p)[0], -1])
    assert flat.shape.as_list() == [None, None]  # TF 2.21: the -1 is unknown while building
    assert run(flat, {p: CUBE.reshape(2, 3, 4)}).shape == (2, 12)
    assert run(flat, {p: np.zeros((0, 3, 4), np.float32)}).shape == (0, 12)  # TF: (0, 12)
    assert run(tf.reshape(p, [-1, 0]), {p: np.zeros((0, 3, 4), np.float32)}).shape == (12, 0)


def test_reshape_to_incompatible_size_is_value_error_with_tf_text():
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor with 6 elements to shape \[4\] "
                                         r"\(4 elements\) for 'Reshape' \(op: 'Reshape'\)"):
        tf.reshape(tf.zeros([2, 3]), [4])


def test_reshape_of_indivisible_size_with_minus_one():
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor with 6 elements to shape "
                                         r"\[4,\?\] \(4 elements\)"):
        tf.reshape(tf.zeros([2, 3]), [4, -1])


def test_reshape_with_two_minus_ones_fails():
    with pytest.raises(ValueError, match="Only one input size may be -1"):
        tf.reshape(tf.zeros([2, 3]), [-1, -1])


def test_reshape_mismatch_at_run_time_is_invalid_argument():
    p = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Input to reshape is a tensor with 6 values, but the requested "
                             "shape has 4"):
        run(tf.reshape(p, [4]), {p: np.zeros((2, 3))})


def test_transpose_reverses_axes_by_default():
    t = tf.transpose(tf.constant(CUBE))
    assert t.op.name == "transpose" and t.shape.as_list() == [4, 3, 2]
    np.testing.assert_array_equal(run(t), CUBE.T)


def test_transpose_of_unknown_rank_reverses_at_run_time():
    p = tf.placeholder(tf.float32)
    np.testing.assert_array_equal(run(tf.transpose(p), {p: CUBE}), CUBE.T)


def test_expand_dims_and_default_name():
    e = tf.expand_dims(tf.constant(CUBE), -1)
    assert e.op.name == "ExpandDims" and e.shape.as_list() == [2, 3, 4, 1]


def test_expand_dims_out_of_range_axis():
    with pytest.raises(ValueError, match="Tried to expand dim index 4 for tensor with 2 "
                                         "dimensions"):
        tf.expand_dims(tf.zeros([2, 3]), 4)


def test_squeeze_of_a_dim_that_is_not_one_fails():
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[1\], expected a dimension of 1, "
                                         "got 3"):
        tf.squeeze(tf.zeros([1, 3]), axis=[1])


def test_squeeze_removes_only_size_one_dims():
    s = tf.squeeze(tf.zeros([1, 3, 1]))
    assert s.op.name == "Squeeze" and s.shape.as_list() == [3]


def test_broadcast_to_incompatible_shape_fails():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.broadcast_to(tf.zeros([3]), [2, 2])


def test_pad_reflect_larger_than_dimension_fails():
    with pytest.raises(ValueError, match="paddings must be less than the dimension size"):
        tf.pad(tf.zeros([3]), [[3, 0]], mode="REFLECT")


def test_pad_with_a_constant_is_pad_v2():
    padded = tf.pad(tf.constant([1, 2]), [[1, 1]], constant_values=9)
    assert padded.op.type == "PadV2"
    np.testing.assert_array_equal(run(padded), [9, 1, 2, 9])


# --- joining and splitting ---------------------------------------------------------------------

def test_concat_default_name_and_shape():
    c = tf.concat([tf.zeros([2, 3]), tf.ones([1, 3])], 0)
    assert c.op.name == "concat" and c.op.type == "ConcatV2" and c.shape.as_list() == [3, 3]
    np.testing.assert_array_equal(run(c), np.concatenate([np.zeros((2, 3)), np.ones((1, 3))]))


def test_concat_of_mismatched_ranks_is_value_error():
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([3])], 0)


def test_concat_of_mismatched_other_dimension_is_value_error():
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal, but are 3 "
                                         "and 4"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0)


def test_concat_of_mismatched_dtypes_is_type_error():
    with pytest.raises(TypeError, match="don't all match"):
        tf.concat([tf.zeros([2]), tf.constant([1, 2])], 0)


def test_concat_of_one_value_is_an_identity():
    x = tf.constant([1, 2])
    c = tf.concat([x], 0)
    assert c.op.type == "Identity"
    np.testing.assert_array_equal(run(c), [1, 2])


def test_stack_default_name_and_mixed_python_values():
    x = tf.placeholder(tf.float32, [])
    s = tf.stack([x, 2, 3.5])
    assert s.op.name == "stack" and s.dtype == tf.float32 and s.shape.as_list() == [3]
    np.testing.assert_array_equal(run(s, {x: 1.0}), [1.0, 2.0, 3.5])


def test_stack_of_python_values_is_a_constant():
    s = tf.stack([[1, 2], [3, 4]])
    assert s.op.type == "Const" and s.dtype == tf.int32


def test_stack_axis_out_of_range():
    with pytest.raises(ValueError, match=r"axis = 3 not in \[-3, 3\)"):
        tf.stack([tf.zeros([2, 2])] * 2, axis=3)


def test_convert_to_tensor_of_a_list_of_tensors_packs_them():
    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    packed = tf.convert_to_tensor([a, b])
    assert packed.op.type == "Pack" and packed.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(run(packed), [[1, 2], [3, 4]])


def test_unstack_returns_a_list_named_unstack():
    parts = tf.unstack(tf.constant(CUBE), axis=1)
    assert isinstance(parts, list) and len(parts) == 3
    assert parts[0].op.name == "unstack" and parts[2].name == "unstack:2"
    assert parts[0].shape.as_list() == [2, 4]
    for got, want in zip(run(parts), np.moveaxis(CUBE, 1, 0), strict=True):
        np.testing.assert_array_equal(got, want)


def test_unstack_without_num_needs_a_known_dimension():
    with pytest.raises(ValueError, match=r"Cannot infer num from shape \(\?, 3\)"):
        tf.unstack(tf.placeholder(tf.float32, [None, 3]))


def test_split_returns_a_list_of_equal_parts():
    parts = tf.split(tf.constant(CUBE), 2, axis=2)
    assert isinstance(parts, list) and [p.name for p in parts] == ["split:0", "split:1"]
    assert parts[0].op.type == "Split" and parts[0].shape.as_list() == [2, 3, 2]


def test_split_by_sizes_uses_split_v_and_solves_minus_one():
    parts = tf.split(tf.constant(VECTOR), [3, -1, 2])
    assert parts[0].op.type == "SplitV"
    assert [p.shape.as_list() for p in parts] == [[3], [5], [2]]
    np.testing.assert_array_equal(run(parts[1]), VECTOR[3:8])


def test_split_into_unequal_parts_fails():
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 3 but is 10"):
        tf.split(tf.constant(VECTOR), 3)


def test_split_by_a_scalar_tensor_is_rejected():
    with pytest.raises(ValueError, match="Rank-0 tensors are not supported"):
        tf.split(tf.constant(VECTOR), tf.constant(2))


# --- gathering ---------------------------------------------------------------------------------

def test_gather_default_name_and_shape():
    g = tf.gather(tf.constant(CUBE), [[0, 1]], axis=1)
    assert g.op.name == "GatherV2" and g.shape.as_list() == [2, 1, 2, 4]
    np.testing.assert_array_equal(run(g), CUBE[:, [[0, 1]]])


def test_gather_out_of_range_index_fails_naming_the_index():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"indices\[1\] = 5 is not in \[0, 3\)"):
        run(tf.gather(tf.constant([1, 2, 3]), [0, 5]))


def test_boolean_mask_has_an_unknown_masked_dimension():
    x = tf.constant(CUBE)
    picked = tf.boolean_mask(x, [[True, False, True], [False, False, True]])
    assert picked.op.name == "boolean_mask" and picked.shape.as_list() == [None, 4]
    mask = np.array([[True, False, True], [False, False, True]])
    np.testing.assert_array_equal(run(picked), CUBE[mask])


def test_boolean_mask_of_wrong_shape_fails():
    with pytest.raises(ValueError, match="incompatible"):
        tf.boolean_mask(tf.zeros([3]), [True, False])


def test_reverse_default_name():
    r = tf.reverse(tf.constant(CUBE), [1])
    assert r.op.name == "ReverseV2"
    np.testing.assert_array_equal(run(r), CUBE[:, ::-1])
