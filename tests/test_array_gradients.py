"""Gradient rules of the array and script ops against hand-computed NumPy derivatives, including
the paths the registry's finite-difference test does not take: unknown shapes, run-time axes
and sizes, repeated indices, and the new ops UnsortedSegmentSum, ScatterNd, StridedSliceGrad,
MirrorPadGrad and InvertPermutation."""
import numpy as np
import pytest

import session_magic as tf
from session_magic.ops import array_ops

WEIGHTS = np.arange(1.0, 25.0).reshape(2, 3, 4)


def run(*fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(list(fetches), feed)


def gradient(y, x, feed=None, weights=None):
    """d sum(weights * y) / dx, run."""
    loss = tf.reduce_sum(y if weights is None else y * weights)
    grad = tf.gradients(loss, x)[0]
    assert grad is not None
    return run(grad, feed=feed)[0]


# --- gathers and masks ---------------------------------------------------------------------------

def test_gather_gradient_is_indexed_slices_that_sum_repeated_rows_when_dense():
    params = tf.constant(np.ones((4, 3)))
    picked = tf.gather(params, [[0, 2], [0, 0]])
    weights = np.arange(12.0).reshape(2, 2, 3)
    slices = tf.gradients(tf.reduce_sum(picked * weights), params)[0]
    assert isinstance(slices, tf.IndexedSlices) and slices.shape.as_list() == [4, 3]
    value, dense = run(slices, tf.convert_to_tensor(slices))
    assert isinstance(value, tf.IndexedSlicesValue)
    np.testing.assert_array_equal(value.values, weights.reshape(4, 3))
    assert value.indices.tolist() == [0, 2, 0, 0] and value.dense_shape.tolist() == [4, 3]
    expected = np.zeros((4, 3))
    expected[0] = weights[0, 0] + weights[1, 0] + weights[1, 1]
    expected[2] = weights[0, 1]
    np.testing.assert_array_equal(dense, expected)


def test_gather_gradient_along_a_later_axis_of_unknown_shape():
    params = tf.placeholder(tf.float64, None)
    picked = tf.gather(params, [3, 1, 3], axis=-1)
    weights = np.array([1.0, 10.0, 100.0])
    grad = gradient(picked, params, {params: np.zeros((2, 4))}, weights)
    np.testing.assert_array_equal(grad, [[0, 10, 0, 101]] * 2)


def test_gather_gradient_with_batch_dims():
    params = tf.constant(np.zeros((2, 3)))
    picked = tf.gather(params, [[2, 2], [0, 1]], axis=1, batch_dims=1)
    grad = gradient(picked, params, weights=np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(grad, [[0, 0, 3], [3, 4, 0]])


def test_gather_indices_get_no_gradient():
    params = tf.constant([1.0, 2.0])
    indices = tf.constant([1, 0])
    assert tf.gradients(tf.gather(params, indices), indices) == [None]


def test_boolean_mask_gradient_at_axis_one_with_a_two_dimensional_mask():
    x = tf.constant(np.zeros((2, 3, 4)))
    mask = np.array([[True, False, False, True], [False, True, False, False],
                     [False, False, False, True]])
    kept = tf.boolean_mask(x, mask, axis=1)
    weights = np.arange(1.0, 9.0).reshape(2, 4)
    expected = np.zeros((2, 3, 4))
    expected[:, mask] = weights
    np.testing.assert_array_equal(gradient(kept, x, weights=weights), expected)


def test_gather_nd_gradient_scatters_and_accumulates():
    params = tf.constant(np.zeros((3, 2)))
    picked = tf.gather_nd(params, [[2, 1], [0, 0], [2, 1]])
    np.testing.assert_array_equal(gradient(picked, params, weights=np.array([1.0, 2.0, 4.0])),
                                  [[2, 0], [0, 0], [0, 5]])


# --- slices --------------------------------------------------------------------------------------

@pytest.mark.parametrize("index", [np.s_[-1, ::-2, 1:], np.s_[..., None, 0:3:2],
                                   np.s_[1:, 2, None, ::-1], np.s_[:, 5:]])
def test_strided_slice_gradient_puts_g_where_the_slice_took_it(index):
    x = tf.constant(np.zeros((2, 3, 4)))
    y = x[index]
    weights = np.arange(1.0, 1.0 + np.zeros((2, 3, 4))[index].size).reshape(
        np.zeros((2, 3, 4))[index].shape)
    expected = np.zeros((2, 3, 4))
    expected[index] = weights
    np.testing.assert_array_equal(gradient(y, x, weights=weights), expected)


def test_strided_slice_gradient_of_an_input_of_unknown_shape():
    x = tf.placeholder(tf.float32, None)
    grad = gradient(x[1, ::-1], x, {x: np.zeros((3, 2), np.float32)}, np.array([5.0, 7.0]))
    np.testing.assert_array_equal(grad, [[0, 0], [7, 5], [0, 0]])


def test_strided_slice_grad_op_checks_the_shape_of_dy():
    dy = tf.constant(np.ones(3))
    wrong = array_ops.strided_slice_grad([4], [0], [2], [1], dy)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape of dy was \[3\]"):
        run(wrong)


def test_slice_gradient_pads_with_run_time_begin():
    x = tf.placeholder(tf.float64, [None, 3])
    begin = tf.placeholder(tf.int32, [2])
    y = tf.slice(x, begin, [1, 2])
    grad = gradient(y, x, {x: np.zeros((2, 3)), begin: [1, 0]}, np.array([[3.0, 4.0]]))
    np.testing.assert_array_equal(grad, [[0, 0, 0], [3, 4, 0]])


# --- reshaping, joining, splitting ---------------------------------------------------------------

def test_reshape_gradient_of_an_unknown_shape_is_reshaped_at_run_time():
    x = tf.placeholder(tf.float64, None)
    grad = gradient(tf.reshape(x, [-1]), x, {x: np.zeros((2, 3))}, np.arange(6.0))
    np.testing.assert_array_equal(grad, np.arange(6.0).reshape(2, 3))


def test_transpose_gradient_with_a_run_time_perm_inverts_it():
    x = tf.constant(np.zeros((2, 3, 4)))
    perm = tf.placeholder(tf.int32, [3])
    y = tf.transpose(x, perm)
    weights = np.arange(24.0).reshape(4, 2, 3)
    grad_op = tf.gradients(tf.reduce_sum(y * weights), x)[0]
    grad = run(grad_op, feed={perm: [2, 0, 1]})[0]
    np.testing.assert_array_equal(grad, weights.transpose(1, 2, 0))
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert "InvertPermutation" in types


def test_concat_gradient_with_unknown_sizes_and_a_run_time_axis():
    a = tf.placeholder(tf.float64, None)
    b = tf.placeholder(tf.float64, None)
    axis = tf.placeholder(tf.int32, [])
    joined = tf.concat([a, b], axis)
    weights = tf.placeholder(tf.float64, None)
    grads = tf.gradients(tf.reduce_sum(joined * weights), [a, b])
    feed = {a: np.zeros((2, 1)), b: np.zeros((2, 2)), axis: 1,
            weights: np.arange(6.0).reshape(2, 3)}
    grad_a, grad_b = run(*grads, feed=feed)
    np.testing.assert_array_equal(grad_a, [[0], [3]])
    np.testing.assert_array_equal(grad_b, [[1, 2], [4, 5]])


def test_unused_outputs_of_unstack_and_split_get_zeros():
    x = tf.constant(np.zeros((3, 2)))
    first = tf.unstack(x)[0]
    last = tf.split(x, [2, 1])[1]
    np.testing.assert_array_equal(gradient(first, x), [[1, 1], [0, 0], [0, 0]])
    np.testing.assert_array_equal(gradient(last, x), [[0, 0], [0, 0], [1, 1]])


def test_stack_gradient_unstacks_along_the_axis():
    a, b = tf.constant([0.0, 0.0]), tf.constant([0.0, 0.0])
    stacked = tf.stack([a, b], axis=1)
    weights = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(gradient(stacked, b, weights=weights), [2, 4])


def test_tile_gradient_sums_the_tiles_even_with_run_time_multiples():
    x = tf.constant(np.zeros((1, 2)))
    multiples = tf.placeholder(tf.int32, [2])
    tiled = tf.tile(x, multiples)
    weights = tf.placeholder(tf.float64, [None, None])
    grad = tf.gradients(tf.reduce_sum(tiled * weights), x)[0]
    feed = {multiples: [2, 3], weights: np.arange(12.0).reshape(2, 6)}
    np.testing.assert_array_equal(run(grad, feed=feed)[0],
                                  np.arange(12.0).reshape(2, 3, 2).sum(axis=(0, 1))[None])


def test_tile_gradient_of_unknown_rank():
    x = tf.placeholder(tf.float64, None)
    multiples = tf.placeholder(tf.int64, None)
    tiled = tf.tile(x, multiples)
    grad = tf.gradients(tf.reduce_sum(tiled * np.arange(8.0).reshape(2, 4)), x)[0]
    feed = {x: np.zeros((1, 2)), multiples: [2, 2]}
    np.testing.assert_array_equal(run(grad, feed=feed)[0], [[0 + 2 + 4 + 6, 1 + 3 + 5 + 7]])


def test_pad_gradient_with_run_time_int64_paddings():
    x = tf.placeholder(tf.float64, None)
    paddings = tf.placeholder(tf.int64, [1, 2])
    grad = gradient(tf.pad(x, paddings), x, {x: np.zeros(2), paddings: [[1, 2]]},
                    np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    np.testing.assert_array_equal(grad, [2, 3])


def test_strided_slice_gradient_with_an_int64_tensor_index():
    x = tf.constant(np.zeros((3, 2)))
    row = tf.constant(2, tf.int64)
    np.testing.assert_array_equal(gradient(x[row], x, weights=np.array([4.0, 5.0])),
                                  [[0, 0], [0, 0], [4, 5]])


def test_broadcast_to_gradient_is_summed_back():
    x = tf.constant(np.zeros((3, 1)))
    grad = gradient(tf.broadcast_to(x, [2, 3, 4]), x, weights=WEIGHTS)
    np.testing.assert_array_equal(grad, WEIGHTS.sum(axis=(0, 2))[:, None])


def test_fill_value_gets_the_sum_and_dims_get_none():
    value = tf.constant(2.0)
    dims = tf.constant([2, 3])
    filled = tf.fill(dims, value)
    assert tf.gradients(filled, dims) == [None]
    assert gradient(filled, value, weights=np.arange(6.0).reshape(2, 3)) == 15.0


# --- padding -------------------------------------------------------------------------------------

def test_pad_gradient_is_the_inner_block_and_the_fill_value_gets_the_rest():
    x = tf.constant(np.zeros((2, 2)))
    fill = tf.constant(0.0, tf.float64)
    padded = tf.pad(x, [[1, 0], [0, 2]], constant_values=fill)
    weights = np.arange(12.0).reshape(3, 4)
    grad_x, grad_fill = run(*tf.gradients(tf.reduce_sum(padded * weights), [x, fill]))
    np.testing.assert_array_equal(grad_x, weights[1:, :2])
    assert grad_fill == weights.sum() - weights[1:, :2].sum()


def test_mirror_pad_gradient_folds_the_reflections_back():
    x = tf.constant([0.0, 0.0, 0.0])
    reflect = tf.pad(x, [[2, 1]], "REFLECT")       # [c, b, a, b, c, b]
    symmetric = tf.pad(x, [[2, 1]], "SYMMETRIC")   # [b, a, a, b, c, c]
    np.testing.assert_array_equal(gradient(reflect, x), [1, 3, 2])
    np.testing.assert_array_equal(gradient(symmetric, x), [2, 2, 2])


def test_mirror_pad_grad_rejects_paddings_too_large_for_the_result():
    with pytest.raises(ValueError, match="paddings must be less than the dimension size"):
        array_ops.mirror_pad_grad(tf.constant(np.zeros(4)), [[2, 1]], "REFLECT")


# --- reversal and diagonals ----------------------------------------------------------------------

def test_reverse_sequence_gradient_reverses_the_same_prefixes():
    x = tf.constant(np.zeros((2, 3)))
    y = tf.reverse_sequence(x, [3, 2], seq_axis=1, batch_axis=0)
    weights = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(gradient(y, x, weights=weights), [[3, 2, 1], [5, 4, 6]])


def test_matrix_set_diag_gradient_splits_between_input_and_diagonal():
    x = tf.constant(np.zeros((2, 3)))
    diagonal = tf.constant(np.zeros(2))
    y = tf.matrix_set_diag(x, diagonal)
    weights = np.arange(1.0, 7.0).reshape(2, 3)
    grad_x, grad_diagonal = run(*tf.gradients(tf.reduce_sum(y * weights), [x, diagonal]))
    np.testing.assert_array_equal(grad_x, [[0, 2, 3], [4, 0, 6]])
    np.testing.assert_array_equal(grad_diagonal, [1, 5])


def test_matrix_diag_part_gradient_of_a_non_square_matrix():
    x = tf.constant(np.zeros((2, 3)))
    grad = gradient(tf.matrix_diag_part(x), x, weights=np.array([7.0, 8.0]))
    np.testing.assert_array_equal(grad, [[7, 0, 0], [0, 8, 0]])


# --- UnsortedSegmentSum, ScatterNd, InvertPermutation --------------------------------------------

def test_unsorted_segment_sum_drops_negative_ids_and_is_named_after_its_type():
    data = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    sums = tf.unsorted_segment_sum(data, [1, -1, 1], 3)
    assert sums.op.name == "UnsortedSegmentSum"
    assert sums.shape.as_list() == [3, 2]
    np.testing.assert_array_equal(run(sums)[0], [[0, 0], [6, 8], [0, 0]])


def test_unsorted_segment_sum_gradient_gathers_rows_and_zeros_dropped_entries():
    data = tf.constant(np.zeros((3, 2)))
    sums = tf.unsorted_segment_sum(data, [2, -1, 0], 3)
    weights = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(gradient(sums, data, weights=weights),
                                  [[5, 6], [0, 0], [1, 2]])


def test_unsorted_segment_sum_errors():
    with pytest.raises(ValueError, match="does not start with segment_ids.shape"):
        tf.unsorted_segment_sum(tf.zeros([3, 2]), [0, 1], 2)
    bad = tf.unsorted_segment_sum(tf.zeros([2]), [0, 4], 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"out of range \[0, 3\)"):
        run(bad)


def test_scatter_nd_accumulates_and_its_gradient_gathers():
    updates = tf.constant([1.0, 2.0, 4.0], tf.float64)
    scattered = tf.scatter_nd([[0, 1], [1, 0], [0, 1]], updates, [2, 2])
    assert scattered.op.name == "ScatterNd"
    np.testing.assert_array_equal(run(scattered)[0], [[0, 5], [2, 0]])
    grad = gradient(scattered, updates, weights=np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(grad, [2, 3, 2])


def test_scatter_nd_rejects_an_index_outside_the_shape():
    bad = tf.scatter_nd([[3]], [1.0], [2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into shape"):
        run(bad)


def test_invert_permutation_and_its_errors():
    assert run(tf.invert_permutation([2, 0, 1]))[0].tolist() == [1, 2, 0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="1 is duplicated"):
        run(tf.invert_permutation([1, 1, 0]))
    with pytest.raises(TypeError, match="DataType float32"):
        tf.invert_permutation(tf.constant([0.0]))


def test_second_order_gradient_through_gather():
    x = tf.constant([1.0, 2.0, 3.0])
    y = tf.reduce_sum(tf.gather(x, [2, 2, 0]) ** 2)
    first = tf.convert_to_tensor(tf.gradients(y, x)[0])  # NOTE: IndexedSlices, as in TF
    second = tf.gradients(tf.reduce_sum(first * [1.0, 10.0, 100.0]), x)[0]
    # d/dx of (2x0, 0, 4x2) weighted by (1, 10, 100) is (2, 0, 400).
    np.testing.assert_array_equal(run(first, tf.convert_to_tensor(second))[1], [2, 0, 400])


def test_gradient_ops_live_under_the_op_grad_scope():
    x = tf.constant([1.0, 2.0])
    tf.gradients(tf.reduce_sum(tf.gather(x, [1])), x)
    names = [op.name for op in tf.get_default_graph().get_operations() if op.type == "Reshape"]
    assert names and all(name.startswith("gradients/") for name in names)
    assert any(name.startswith("gradients/GatherV2_grad/") for name in names)


# --- script and random ops -----------------------------------------------------------------------

def test_print_passes_the_gradient_to_its_input_only():
    x = tf.constant(2.0)
    data = tf.constant(3.0)
    printed = tf.Print(x, [data, x], "x and data: ")
    grads = tf.gradients(printed * data, [x, data])
    assert run(grads[0]) == [3.0]
    assert grads[1] is not None  # NOTE: data reaches the loss through the product only.
    assert run(grads[1]) == [2.0]


def test_check_numerics_checks_the_gradient_too():
    x = tf.constant([1.0, 0.0])
    checked = tf.check_numerics(x, "x is finite")
    grad = tf.gradients(tf.reduce_sum(tf.sqrt(checked)), x)[0]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Not a number \(NaN\) or infinity \(Inf\) values detected in "
                             r"gradient. x is finite : Tensor had Inf values"):
        run(grad)


def test_py_func_is_not_differentiable_as_in_tf():
    x = tf.constant([1.0])
    y = tf.py_func(np.square, [x], tf.float32, name="square")
    assert tf.gradients(y, x) == [None]  # TF registers PyFunc as NotDifferentiable


def test_random_ops_pass_no_gradient():
    x = tf.constant([1.0, 2.0])
    assert tf.gradients(tf.random_shuffle(x), x) == [None]
