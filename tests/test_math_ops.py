"""Builder-level behaviour of ops/math_ops.py: TF1's op names, dtype rules and error texts."""
from __future__ import annotations

import numpy as np
import pytest

import session_magic as sm
from session_magic.ops.registry import NOT_DIFFERENTIABLE, OPS


def run(fetches, feed_dict=None):
    with sm.Session() as sess:
        return sess.run(fetches, feed_dict)


def op_types() -> list[str]:
    return [op.type for op in sm.get_default_graph().get_operations()]


# --- division ------------------------------------------------------------------------------------

def test_int32_true_division_casts_both_operands_to_float64():
    a, b = sm.constant([7, -7], name="a"), sm.constant(2, name="b")
    quotient = a / b
    graph = sm.get_default_graph()
    assert quotient.op.name == "truediv" and quotient.op.type == "RealDiv"
    assert quotient.dtype == sm.float64
    casts = [graph.get_operation_by_name(n) for n in ("truediv/Cast", "truediv/Cast_1")]
    assert [c.type for c in casts] == ["Cast", "Cast"]
    assert [c.get_attr("DstT") for c in casts] == [sm.float64, sm.float64]
    np.testing.assert_array_equal(run(quotient), [3.5, -3.5])


def test_float_tensor_divided_by_python_int_takes_the_tensor_dtype():
    quotient = sm.constant([3.0, 1.0]) / 2
    assert quotient.dtype == sm.float32
    np.testing.assert_allclose(run(quotient), [1.5, 0.5])


def test_floor_division_and_mod_round_toward_negative_infinity():
    a, b = sm.constant(-7), sm.constant(2)
    quotient, remainder = a // b, a % b
    assert (quotient.op.name, remainder.op.name) == ("floordiv", "mod")
    assert run([quotient, remainder]) == [-4, 1]


def test_tf_floordiv_is_named_floordiv_while_floor_div_is_named_after_its_op():
    quotient = sm.floordiv(sm.constant(5), 2)
    assert (quotient.op.type, quotient.op.name) == ("FloorDiv", "floordiv")
    assert quotient.op.inputs[1].op.name == "floordiv/y"
    with sm.Graph().as_default():
        assert sm.floor_div(sm.constant(5), 2).op.name == "FloorDiv"


def test_legacy_div_floors_integers_and_divides_floats():
    ints = sm.div(sm.constant(-7), 2)
    floats = sm.div(sm.constant(-7.0), 2.0)
    assert (ints.op.type, ints.op.name) == ("FloorDiv", "div")
    assert (floats.op.type, floats.op.name) == ("RealDiv", "div_1")
    assert run([ints, floats]) == [-4, -3.5]


def test_truncatediv_rounds_toward_zero():
    result = sm.truncatediv(sm.constant([-7, 7]), sm.constant([2, -2]))
    assert result.op.name == "TruncateDiv"
    np.testing.assert_array_equal(run(result), [-3, -3])


def test_integer_division_by_zero_is_an_invalid_argument_error():
    quotient = sm.constant([1, 2]) // sm.constant([1, 0])
    with pytest.raises(sm.errors.InvalidArgumentError, match="Integer division by zero"):
        run(quotient)


def test_float_division_by_zero_gives_inf_silently(recwarn):
    assert run(sm.constant(1.0) / 0.0) == np.inf
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_true_division_of_mixed_dtypes_is_a_type_error():
    with pytest.raises(TypeError, match="x and y must have the same dtype"):
        sm.truediv(sm.constant(1.0), sm.constant(1))


# --- dtype rules and names of arithmetic ---------------------------------------------------------

def test_python_float_added_to_int_tensor_is_a_type_error():
    with pytest.raises(TypeError, match=r"^Expected int32, got 1\.5 of type 'float' instead\.$"):
        sm.constant(2) + 1.5


def test_tensors_of_different_dtypes_are_not_promoted():
    x, y = sm.constant(1.0), sm.constant(1)
    expected = ("Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of "
                "argument 'x'.")
    with pytest.raises(TypeError) as info:
        x + y
    assert str(info.value) == expected


def test_operator_ops_are_named_after_the_operator_and_builders_after_the_op_type():
    a, b = sm.constant(1.0), sm.constant(2.0)
    assert (a + b).op.name == "add"
    assert (a + 1).op.inputs[1].op.name == "add_1/y"
    reflected = 1 - a
    assert reflected.op.inputs[0].op.name == "sub/x"
    assert reflected.op.inputs[1] is a
    with sm.Graph().as_default():
        assert sm.add(sm.constant(1), sm.constant(2)).op.name == "Add"


def test_python_scalar_operand_is_a_const_named_after_the_operator():
    a = sm.constant([1, 2])
    total = a + 1
    assert total.op.name == "add"
    assert total.op.inputs[1].op.name == "add/y"
    assert total.op.inputs[1].op.type == "Const"


def test_comparison_operator_builds_a_bool_less_op():
    x = sm.constant([1, 2, 3])
    below = x < 2
    assert (below.op.type, below.op.name, below.dtype) == ("Less", "Less", sm.bool)
    np.testing.assert_array_equal(run(below), [True, False, False])


def test_comparisons_and_logic_are_not_differentiable():
    for op_type in ("Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual",
                    "LogicalAnd", "LogicalOr", "LogicalNot", "ArgMax", "Where"):
        assert OPS[op_type].grad is NOT_DIFFERENTIABLE, op_type


def test_logical_ops_reject_non_bool_tensors():
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values: bool"):
        sm.logical_not(sm.constant([1, 0]))


def test_logical_xor_is_built_as_tf_builds_it():
    result = sm.logical_xor(sm.constant([True, True]), sm.constant([True, False]))
    # NOTE: TF has no LogicalXor op; recorded from TF 2.21: (x or y) and not (x and y)
    assert (result.op.type, result.op.name) == ("LogicalAnd", "LogicalXor")
    assert [op.type for op in sm.get_default_graph().get_operations()][2:] == [
        "LogicalOr", "LogicalAnd", "LogicalNot", "LogicalAnd"]
    np.testing.assert_array_equal(run(result), [False, True])


def test_abs_of_complex_is_a_real_complexabs():
    magnitude = sm.abs(sm.constant([3 + 4j]))
    assert (magnitude.op.type, magnitude.op.name, magnitude.dtype) == (
        "ComplexAbs", "Abs", sm.float64)
    np.testing.assert_allclose(run(magnitude), [5.0])


def test_round_is_half_to_even_and_passes_integers_through():
    x = sm.constant([0.5, 1.5, 2.5, -0.5])
    np.testing.assert_array_equal(run(sm.round(x)), [0.0, 2.0, 2.0, -0.0])
    ints = sm.constant([1, 2])
    assert sm.round(ints) is ints


def test_sqrt_of_int_is_a_type_error():
    with pytest.raises(TypeError, match="Value passed to parameter 'x' has DataType int32"):
        sm.sqrt(sm.constant(4))


def test_scalar_mul_rejects_a_non_scalar():
    with pytest.raises(ValueError, match=r"Only scalar multiply works, got shape \(2,\)"):
        sm.scalar_mul([1.0, 2.0], sm.constant([1.0, 2.0]))


# --- casts ---------------------------------------------------------------------------------------

def test_cast_to_the_same_dtype_returns_the_input_itself():
    x = sm.constant([1.0])
    assert sm.cast(x, sm.float32) is x
    assert sm.to_float(x) is x


def test_cast_helpers_are_named_as_in_tf1():
    x = sm.constant([1.5, -1.5])
    names = [f(x).op.name for f in (sm.to_double, sm.to_int32, sm.to_int64)]
    assert names == ["ToDouble", "ToInt32", "ToInt64"]
    assert sm.to_float(sm.constant(1)).op.name == "ToFloat"
    np.testing.assert_array_equal(run(sm.to_int32(x)), [1, -1])


def test_cast_of_a_python_value_converts_it_inside_the_cast_scope():
    result = sm.cast(1.5, sm.float64)
    assert result.op.name == "Cast"
    assert result.op.inputs[0].op.name == "Cast/x"


def test_cast_to_string_is_refused_while_building():
    with pytest.raises(TypeError, match="Cast float32 to string is not supported"):
        sm.cast(sm.constant(1.0), sm.string)


def test_saturate_cast_clamps_instead_of_wrapping_around():
    clamped = sm.saturate_cast(sm.constant([1e10, -1e10, 7.9]), sm.int32)
    value = run(clamped)
    assert value[0] > 2**31 - 200 and value[1] == -(2**31) and value[2] == 7


# --- AddN and clip_by_value ----------------------------------------------------------------------

def test_add_n_sums_its_inputs_in_one_addn_op():
    total = sm.add_n([sm.constant([1, 2]), sm.constant([3, 4]), sm.constant([5, 6])])
    assert (total.op.type, total.op.name) == ("AddN", "AddN")
    np.testing.assert_array_equal(run(total), [9, 12])


def test_add_n_of_one_input_returns_it_or_names_it_with_an_identity():
    x = sm.constant([1.0])
    assert sm.add_n([x]) is x
    named = sm.add_n([x], name="total")
    assert (named.op.type, named.op.name) == ("Identity", "total")


def test_add_n_rejects_an_empty_list_and_mixed_dtypes():
    with pytest.raises(ValueError, match="inputs must be a list of at least one"):
        sm.add_n([])
    with pytest.raises(TypeError, match=r"have types \[float32, int32\] that don't all match"):
        sm.add_n([sm.constant(1.0), sm.constant(1)])


def test_add_n_rejects_different_shapes():
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 2 "
                                         r"and 3.*for 'AddN' \(op: 'AddN'\)"):
        sm.add_n([sm.constant([1, 2]), sm.constant([1, 2, 3])])


def test_clip_by_value_is_minimum_then_maximum_in_its_scope():
    clipped = sm.clip_by_value(sm.constant([-2.0, 0.5, 3.0]), -1.0, 1.0)
    graph = sm.get_default_graph()
    assert (clipped.op.type, clipped.op.name) == ("Maximum", "clip_by_value")
    assert graph.get_operation_by_name("clip_by_value/Minimum").type == "Minimum"
    np.testing.assert_array_equal(run(clipped), [-1.0, 0.5, 1.0])


def test_clip_by_value_refuses_to_broadcast_the_clipped_tensor():
    with pytest.raises(ValueError, match="are not compatible"):
        sm.clip_by_value(sm.constant([1.0, 2.0]), 0.0, sm.constant([[1.0], [2.0]]))


# --- matmul and tensordot ------------------------------------------------------------------------

def test_matmul_dimension_mismatch_has_tf_text():
    a, b = sm.constant(np.ones((2, 3), np.float32)), sm.constant(np.ones((4, 2), np.float32))
    with pytest.raises(ValueError) as info:
        sm.matmul(a, b)
    assert str(info.value) == ("Dimensions must be equal, but are 3 and 4 for 'MatMul' (op: "
                               "'MatMul') with input shapes: [2,3], [4,2].")


def test_matmul_of_a_vector_is_a_rank_error():
    with pytest.raises(ValueError, match=r"^Shape must be rank 2 but is rank 1 for 'MatMul'"):
        sm.matmul(sm.constant([1.0, 2.0]), sm.constant([[1.0], [2.0]]))


def test_matmul_is_named_matmul_and_the_operator_matmul():
    a = sm.constant([[1, 2], [3, 4]])
    product = a @ a
    assert (product.op.type, product.op.name) == ("MatMul", "matmul")
    np.testing.assert_array_equal(run(product), [[7, 10], [15, 22]])
    with sm.Graph().as_default():
        assert sm.matmul(sm.constant([[1.0]]), sm.constant([[2.0]])).op.name == "MatMul"


def test_matmul_of_batches_or_unknown_rank_is_batchmatmulv2():
    batch = sm.matmul(sm.constant(np.ones((5, 2, 3))), sm.constant(np.ones((3, 4))))
    assert batch.op.type == "BatchMatMulV2" and batch.shape.as_list() == [5, 2, 4]
    unknown = sm.matmul(sm.placeholder(sm.float32), sm.placeholder(sm.float32, [3, 4]))
    assert unknown.op.type == "BatchMatMulV2"


def test_matmul_rejects_transpose_with_adjoint_and_bool_inputs():
    a = sm.constant([[1.0]])
    with pytest.raises(ValueError, match="Only one of transpose_a and adjoint_a can be True."):
        sm.matmul(a, a, transpose_a=True, adjoint_a=True)
    with pytest.raises(TypeError, match="DataType bool not in list of allowed values"):
        sm.matmul(sm.constant([[True]]), sm.constant([[True]]))


def test_matmul_transpose_flags_are_attrs():
    product = sm.matmul(sm.constant(np.ones((3, 2))), sm.constant(np.ones((4, 3))),
                        transpose_a=True, transpose_b=True)
    assert product.op.get_attr("transpose_a") and product.op.get_attr("transpose_b")
    assert product.shape.as_list() == [2, 4]


def test_tensordot_infers_its_shape_and_checks_axes():
    a, b = sm.constant(np.ones((2, 3, 4))), sm.constant(np.ones((4, 3, 5)))
    result = sm.tensordot(a, b, [[1, 2], [1, 0]])
    assert (result.op.name, result.shape.as_list()) == ("Tensordot", [2, 5])
    with pytest.raises(ValueError, match="'axes' must be at least 0."):
        sm.tensordot(a, b, -1)
    with pytest.raises(ValueError, match="Different number of contraction axes 'a' and 'b'"):
        sm.tensordot(a, b, [[1, 2], [0]])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        sm.tensordot(a, b, 2)


# --- reductions ----------------------------------------------------------------------------------

def test_reductions_are_named_after_their_op_type():
    x = sm.constant([[1.0, 2.0], [3.0, 4.0]])
    built = [sm.reduce_sum(x), sm.reduce_mean(x), sm.reduce_max(x), sm.reduce_min(x),
             sm.reduce_prod(x)]
    assert [t.op.name for t in built] == ["Sum", "Mean", "Max", "Min", "Prod"]
    flags = sm.constant([True, False])
    assert [sm.reduce_any(flags).op.name, sm.reduce_all(flags).op.name] == ["Any", "All"]


def test_integer_reduce_mean_truncates_toward_zero():
    mean = sm.reduce_mean(sm.constant([-3, 0]))
    assert mean.dtype == sm.int32
    assert run(mean) == -1  # NOTE: -1.5 truncated; NumPy's floor division would give -2.


def test_integer_sum_keeps_int32():
    total = sm.reduce_sum(sm.constant([[1, 2], [3, 4]]), axis=0)
    value = run(total)
    assert total.dtype == sm.int32 and value.dtype == np.int32
    np.testing.assert_array_equal(value, [4, 6])


def test_tf1_deprecated_reduction_arguments_still_work():
    x = sm.constant([[1, 2], [3, 4]])
    total = sm.reduce_sum(x, reduction_indices=[1], keep_dims=True)
    assert total.shape.as_list() == [2, 1]
    np.testing.assert_array_equal(run(total), [[3], [7]])


def test_both_new_and_deprecated_reduction_arguments_is_an_error():
    x = sm.constant([1, 2])
    with pytest.raises(ValueError, match="Cannot specify both 'axis' and 'reduction_indices'"):
        sm.reduce_sum(x, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="Cannot specify both 'keepdims' and 'keep_dims'"):
        sm.reduce_max(x, keepdims=True, keep_dims=True)


def test_reduction_axis_forms_give_the_same_shape():
    x = sm.placeholder(sm.float32, [2, 3, 4])
    shapes = [sm.reduce_sum(x, axis).shape.as_list()
              for axis in (1, -2, [1], (1,), np.array([1]), sm.constant(1))]
    assert shapes == [[2, 4]] * 6
    assert sm.reduce_sum(x).shape.as_list() == []
    assert sm.reduce_sum(sm.placeholder(sm.float32)).shape.as_list() == []


def test_reduction_axis_out_of_range_names_the_op():
    with pytest.raises(ValueError, match=r"^Invalid reduction dimension 2 for input with 2 "
                                         r"dimensions\. for 'Sum' \(op: 'Sum'\)"):
        sm.reduce_sum(sm.constant([[1, 2]]), axis=2)


def test_a_fed_reduction_axis_is_read_at_run_time_as_in_tf():
    axis = sm.placeholder(sm.int32)
    total = sm.reduce_sum(sm.constant([[1, 2], [3, 4]]), axis)
    kept = sm.reduce_max(sm.constant([[1, 2], [3, 4]]), axis, keepdims=True)
    assert total.shape.dims is None and kept.shape.as_list() == [None, None]  # TF's inference
    assert run(total, {axis: 0}).tolist() == [4, 6]
    assert run(kept, {axis: [1]}).tolist() == [[2], [4]]
    with pytest.raises(sm.errors.InvalidArgumentError, match="Invalid reduction dimension"):
        run(total, {axis: 2})
    with pytest.raises(sm.errors.InvalidArgumentError, match="duplicate dimension: 1"):
        run(total, {axis: [1, -1]})


def test_reduce_max_of_an_empty_tensor_is_minus_infinity():
    empty = sm.placeholder(sm.float32, [None])
    assert run(sm.reduce_max(empty), {empty: np.zeros(0, np.float32)}) == -np.inf


def test_reducing_over_no_axis_returns_the_values():
    x = sm.constant([[1, 2], [3, 4]])
    total = sm.reduce_sum(x, axis=[])
    assert total.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(run(total), [[1, 2], [3, 4]])


def test_mean_of_nothing_is_nan_without_a_warning(recwarn):
    assert np.isnan(run(sm.reduce_mean(sm.constant([], sm.float32))))
    assert not recwarn.list


def test_reduce_logsumexp_survives_large_values():
    x = sm.constant([[1000.0, 1000.0], [-np.inf, -np.inf]])
    result = run(sm.reduce_logsumexp(x, axis=1))
    np.testing.assert_allclose(result, [1000.0 + np.log(2.0), -np.inf])


def test_count_nonzero_is_int64_by_default():
    count = sm.count_nonzero(sm.constant([[0.0, 1.0], [2.0, 0.5]]), axis=1)
    assert count.dtype == sm.int64
    np.testing.assert_array_equal(run(count), [1, 2])


# --- argmax --------------------------------------------------------------------------------------

def test_argmax_defaults_to_axis_zero_and_int64():
    index = sm.argmax(sm.constant([[1, 9], [5, 2]]))
    assert (index.op.name, index.dtype) == ("ArgMax", sm.int64)
    np.testing.assert_array_equal(run(index), [1, 0])


def test_argmax_output_type_must_be_an_integer_type():
    assert sm.argmin(sm.constant([3, 1]), output_type=sm.int32).dtype == sm.int32
    with pytest.raises(TypeError, match="'output_type' has DataType float32"):
        sm.argmax(sm.constant([1.0]), output_type=sm.float32)


def test_argmax_axis_out_of_range_is_a_shape_error():
    with pytest.raises(ValueError, match=r"Expected dimension in the range \[-2, 2\), but got 2"):
        sm.argmax(sm.constant([[1, 2]]), 2)


# --- where ---------------------------------------------------------------------------------------

def test_where_with_one_argument_gives_int64_coordinates():
    coordinates = sm.where(sm.constant([[True, False], [False, True]]))
    assert (coordinates.op.type, coordinates.op.name) == ("Where", "Where")
    assert coordinates.dtype == sm.int64 and coordinates.shape.as_list() == [None, 2]
    np.testing.assert_array_equal(run(coordinates), [[0, 0], [1, 1]])


def test_where_with_a_vector_condition_picks_rows():
    chosen = sm.where(sm.constant([True, False]), sm.constant([[1, 2], [3, 4]]),
                      sm.constant([[5, 6], [7, 8]]))
    assert (chosen.op.type, chosen.shape.as_list()) == ("Select", [2, 2])
    np.testing.assert_array_equal(run(chosen), [[1, 2], [7, 8]])


def test_where_rejects_a_condition_that_matches_neither_rule():
    x = sm.constant(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 3 "
                                         "and 2"):
        sm.where(sm.constant([True, False, True]), x, x)
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 2 and 1"):
        sm.where(sm.constant([True, False]), x, sm.constant(np.zeros(2)))


def test_where_needs_both_x_and_y_or_neither():
    with pytest.raises(ValueError, match="x and y must both be non-None or both be None."):
        sm.where(sm.constant([True]), sm.constant([1]))


def test_where_v2_broadcasts_all_three():
    chosen = sm.where_v2(sm.constant([[True], [False]]), sm.constant([1.0, 2.0]), 0.0)
    assert chosen.op.type == "SelectV2" and chosen.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(run(chosen), [[1.0, 2.0], [0.0, 0.0]])


# --- scans ---------------------------------------------------------------------------------------

def test_cumsum_flags_and_default_name():
    x = sm.constant([1, 2, 3])
    forward = sm.cumsum(x, exclusive=True)
    backward = sm.cumsum(x, reverse=True)
    assert forward.op.name == "Cumsum" and forward.op.get_attr("exclusive")
    assert [list(v) for v in run([forward, backward])] == [[0, 1, 3], [6, 5, 3]]


def test_namespaces_expose_the_math_builders():
    for name in ("add", "subtract", "multiply", "div", "truediv", "floordiv", "mod", "pow",
                 "maximum", "reduce_sum", "argmax", "matmul", "where", "to_float", "abs"):
        assert getattr(sm.math, name) is getattr(sm, name), name
