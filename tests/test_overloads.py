"""Every Python operator on Tensors and Variables builds TF 1's op, named as TF 1 named it."""
import numpy as np
import pytest

import session_magic as tf
from session_magic.ops.overloads import OPERATORS

BINARY = [("__add__", "add", "AddV2", np.add), ("__sub__", "sub", "Sub", np.subtract),
          ("__mul__", "mul", "Mul", np.multiply), ("__truediv__", "truediv", "RealDiv",
                                                    np.true_divide),
          ("__floordiv__", "floordiv", "FloorDiv", np.floor_divide),
          ("__mod__", "mod", "FloorMod", np.mod), ("__pow__", "pow", "Pow", np.power)]


def test_every_operator_in_the_table_is_on_tensor_and_variable():
    for dunder in OPERATORS:
        assert getattr(tf.Tensor, dunder) is OPERATORS[dunder]
        assert dunder in vars(tf.Variable)


@pytest.mark.parametrize("dunder, name, op_type, oracle", BINARY)
def test_binary_operator_and_its_reflection(dunder, name, op_type, oracle):
    x = tf.constant([3.0, -4.5])
    forward = getattr(x, dunder)(2.0)
    reflected = getattr(x, dunder.replace("__", "__r", 1))(2.0)
    assert forward.op.name == name and forward.op.type == op_type
    assert reflected.op.inputs[0].op.name == f"{reflected.op.name}/x"
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(forward), oracle(np.float32([3, -4.5]), 2))
        np.testing.assert_allclose(sess.run(reflected), oracle(2, np.float32([3, -4.5])))


def test_matmul_logical_and_unary_operators():
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    p, q = tf.constant([True, False]), tf.constant([True, True])
    built = {"matmul": a @ a, "and": p & q, "or": p | q, "xor": p ^ q, "LogicalNot": ~p,
             "Neg": -a, "Abs": abs(-a), "Less": a < 2.0, "GreaterEqual": a >= 2.0}
    assert {t.op.name for t in built.values()} >= set(built) - {"xor"}
    with tf.Session() as sess:
        values = sess.run(built)
    np.testing.assert_array_equal(values["matmul"], np.float32([[7, 10], [15, 22]]))
    assert values["xor"].tolist() == [False, True] and values["or"].tolist() == [True, True]
    assert values["Less"].tolist() == [[True, False], [False, False]]


def test_numpy_array_on_the_left_builds_an_op():
    t = tf.constant([1.0, 2.0])
    result = np.array([10.0, 20.0], dtype=np.float32) + t
    assert isinstance(result, tf.Tensor) and result.op.type == "AddV2"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(result), [11.0, 22.0])


def test_variables_forward_operators_to_their_value():
    v = tf.Variable([1.0, 2.0])
    total = v * 2.0 + v
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(total), [3.0, 6.0])
        np.testing.assert_array_equal(sess.run(v[::-1]), [2.0, 1.0])
