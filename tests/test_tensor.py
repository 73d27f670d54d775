"""Tensor and Operation: names, static shapes and dtypes, printing and Python protocols as in
TF 1, with TF 1's documented output as the oracle."""
import numpy as np
import pytest

import session_magic as tf


# --- identity ------------------------------------------------------------------------------------

def test_tensor_name_is_op_name_and_output_index():
    c = tf.constant([1.0, 2.0], name="c")
    assert (c.name, c.op.name, c.value_index) == ("c:0", "c", 0)
    assert c.graph is tf.get_default_graph() and c.op.graph is c.graph
    assert c.dtype is tf.float32 and c.op.outputs == [c]


def test_operation_exposes_type_inputs_outputs_and_control_inputs():
    a, b = tf.constant(1, name="a"), tf.constant(2, name="b")
    with tf.control_dependencies([b]):
        total = tf.add(a, a, name="total")
    op = total.op
    assert (op.type, list(op.inputs), op.outputs, op.control_inputs) == (
        "AddV2", [a, a], [total], [b.op])


def test_consumers_lists_the_ops_reading_a_tensor():
    a = tf.constant(1.0, name="a")
    first, second = a + 1.0, tf.identity(a)
    assert a.consumers() == [first.op, second.op]
    assert first.consumers() == []


def test_get_attr_returns_attrs_and_rejects_missing_ones():
    p = tf.placeholder(tf.int64, name="p")
    assert p.op.get_attr("dtype") is tf.int64
    with pytest.raises(ValueError, match="nope"):
        p.op.get_attr("nope")


def test_tensors_hash_by_identity_and_compare_by_identity():
    a, b = tf.constant(1), tf.constant(1)
    values = {a: "a", b: "b"}
    assert values[a] == "a" and values[b] == "b"
    assert (a == a) is True and (a == b) is False and (a != b) is True


def test_converting_an_operation_to_a_tensor_raises():
    op = tf.constant(1, name="c").op
    with pytest.raises(TypeError, match="can't convert Operation 'c' to Tensor"):
        tf.identity(op)


# --- printing ------------------------------------------------------------------------------------

def test_str_and_repr_match_tf1():
    p = tf.placeholder(tf.float32, [None, 3], name="p")
    total = tf.add(tf.constant(np.zeros((2, 3)), tf.float32), 1.0)
    assert str(total) == 'Tensor("Add:0", shape=(2, 3), dtype=float32)'
    assert repr(total) == "<tf.Tensor 'Add:0' shape=(2, 3) dtype=float32>"
    assert repr(total.op) == "<tf.Operation 'Add' type=AddV2>"
    assert str(p) == 'Tensor("p:0", shape=(?, 3), dtype=float32)'


def test_unknown_rank_is_omitted_from_str_and_unknown_in_repr():
    p = tf.placeholder(tf.int32, name="p")
    assert str(p) == 'Tensor("p:0", dtype=int32)'
    assert repr(p) == "<tf.Tensor 'p:0' shape=<unknown> dtype=int32>"


def test_operator_built_op_prints_its_lower_case_name():
    a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    total = a + a
    assert str(total) == 'Tensor("add:0", shape=(2, 3), dtype=float32)'
    assert repr(total.op) == "<tf.Operation 'add' type=AddV2>"


def test_operation_str_is_its_node_def():
    a = tf.constant(1.0, name="a")
    op = tf.identity(a, name="i").op
    assert str(op) == str(op.node_def) == 'name: "i"\nop: "Identity"\ninput: "a"'
    assert (op.node_def.name, op.node_def.op, op.node_def.input) == ("i", "Identity", ["a"])


# --- static shapes -------------------------------------------------------------------------------

def test_shape_and_get_shape_give_the_static_shape():
    p = tf.placeholder(tf.float32, [None, 3])
    assert p.get_shape().as_list() == p.shape.as_list() == [None, 3] and p.shape.ndims == 2
    assert tf.constant([[1, 2]]).shape == tf.TensorShape([1, 2]) == [1, 2]
    assert str(p.shape) == "(?, 3)"
    assert repr(p.shape) == "TensorShape([Dimension(None), Dimension(3)])"


def test_unknown_rank_shape():
    shape = tf.placeholder(tf.float32).shape
    assert shape.ndims is None and str(shape) == "<unknown>"
    assert repr(shape) == "TensorShape(None)"
    with pytest.raises(ValueError, match="as_list\\(\\) is not defined on an unknown TensorShape"):
        shape.as_list()


def test_dimension_values():
    shape = tf.TensorShape([None, 3])
    assert shape[0].value is None and shape[1].value == 3
    assert str(shape[0]) == "?" and repr(shape[1]) == "Dimension(3)"
    assert int(shape[1]) == 3 and shape[1] == 3
    assert (shape[0] == 3) is None  # unknown compares as unknown, as in TF 1
    assert (shape[1] == "three") is False and (shape[1] != 4) is True


def test_integral_float_dimensions_are_accepted_as_in_tf1():
    assert tf.placeholder(tf.float32, [None, 784 / 2]).shape.as_list() == [None, 392]
    with pytest.raises(ValueError, match="Ambiguous dimension: 2.5"):
        tf.Dimension(2.5)
    with pytest.raises(TypeError, match="Dimension value must be integer or None"):
        tf.Dimension("3")


def test_shapes_concatenate_with_plus():
    assert (tf.TensorShape([1]) + [2, None]).as_list() == [1, 2, None]
    assert ([3] + tf.TensorShape([1])).as_list() == [3, 1]
    assert (tf.TensorShape(None) + [1]).ndims is None


def test_scalar_and_vector_shapes_print_as_tf1():
    assert str(tf.constant(1).shape) == "()" and str(tf.constant([1, 2]).shape) == "(2,)"
    assert tf.TensorShape([2, 3]).num_elements() == 6 and tf.TensorShape([]).ndims == 0


def test_set_shape_refines_the_static_shape():
    p = tf.placeholder(tf.float32, [None, 3])
    p.set_shape([5, None])
    assert p.shape.as_list() == [5, 3]
    unknown = tf.placeholder(tf.float32)
    unknown.set_shape([2])
    assert unknown.shape.as_list() == [2]


def test_set_shape_rejects_an_incompatible_shape():
    p = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match="not compatible"):
        p.set_shape([2, 4])
    with pytest.raises(ValueError, match="not compatible"):
        p.set_shape([3])


def test_shape_inference_through_broadcasting_ops():
    p = tf.placeholder(tf.float32, [None, 3])
    row = tf.constant([1.0, 2.0, 3.0])
    assert (p + row).shape.as_list() == [None, 3]
    assert (p * 2.0).shape.as_list() == [None, 3]


# --- dtypes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, dtype", [
    (1, tf.int32), (2**40, tf.int64), ([1, 2**31], tf.int64), (1.5, tf.float32),
    ([1, 2.5], tf.float32), (True, tf.bool), ("s", tf.string),
    (np.array([1, 2], np.int16), tf.int16), (np.float64(1.0), tf.float64),
    (np.array([1.0]), tf.float64),
])
def test_python_and_numpy_values_get_tf1_dtypes(value, dtype):
    assert tf.constant(value).dtype is dtype


def test_python_scalar_takes_the_other_operands_dtype():
    assert (tf.constant(1.0, tf.float64) + 2).dtype is tf.float64
    with pytest.raises(TypeError, match="Expected int32, got 1.5 of type 'float' instead."):
        tf.constant(2) + 1.5


def test_no_implicit_promotion_between_tensors():
    with pytest.raises(TypeError, match="Input 'y' of 'Sub' Op has type int32 that does not match "
                                        "type float32 of argument 'x'."):
        tf.constant(1.0) - tf.constant(1)


def test_true_division_of_ints_gives_floats():
    assert (tf.constant(3) / tf.constant(2)).dtype is tf.float64
    assert (tf.constant(3, tf.int16) / tf.constant(2, tf.int16)).dtype is tf.float32
    with tf.Session() as sess:
        assert sess.run(tf.constant(3) / 2) == 1.5


def test_numpy_array_on_the_left_builds_an_op():
    t = tf.constant([1.0, 2.0, 3.0])
    result = np.ones(3) + t
    assert isinstance(result, tf.Tensor) and result.op.type == "AddV2"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(result), [2.0, 3.0, 4.0])


def test_reflected_operators_keep_operand_order():
    t = tf.constant(2.0)
    with tf.Session() as sess:
        assert sess.run([10.0 - t, 10.0 / t, 3.0 * t, -t]) == [8.0, 5.0, 6.0, -2.0]


# --- Python protocols ----------------------------------------------------------------------------

def test_bool_of_a_tensor_raises_tf1_text():
    t = tf.constant(True)
    with pytest.raises(TypeError, match="Using a `tf.Tensor` as a Python `bool` is not allowed. "
                                        "Use `if t is not None:` instead of `if t:`"):
        if t:
            pass


def test_iterating_a_tensor_raises_tf1_text():
    t = tf.constant([1, 2])
    with pytest.raises(TypeError, match="Tensor objects are only iterable when eager execution "
                                        "is enabled. To iterate over this tensor use tf.map_fn."):
        first, second = t


def test_len_of_a_tensor_raises():
    with pytest.raises(TypeError, match="len is not well defined for symbolic Tensors"):
        len(tf.constant([1, 2]))


# --- eval and run --------------------------------------------------------------------------------

def test_eval_uses_the_given_session_and_feeds():
    p = tf.placeholder(tf.float32, [2])
    doubled = p * 2.0
    with tf.Session():
        np.testing.assert_array_equal(doubled.eval({p: [1, 2]}), [2.0, 4.0])
    other = tf.Session()
    np.testing.assert_array_equal(doubled.eval(feed_dict={p: [3, 4]}, session=other), [6, 8])


def test_operation_run_executes_the_op_and_returns_none():
    v = tf.Variable(5)
    with tf.Session() as sess:
        assert v.initializer.run() is None
        assert v.assign_add(1).op.run(session=sess) is None
        assert sess.run(v) == 6
