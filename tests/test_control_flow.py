"""cond and while_loop: TF 1's build-once semantics, only the taken branch runs, TF's texts."""
import collections

import numpy as np
import pytest

import session_magic as tf


def test_cond_runs_only_the_taken_branch():
    pred = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [None])
    calls = []

    def record(value):
        calls.append(value)
        return value

    result = tf.cond(pred, lambda: x * 2.0, lambda: tf.py_func(record, [x], tf.float32))
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(result, {pred: True, x: [1, 2]}), [2, 4])
        assert calls == []
        np.testing.assert_array_equal(sess.run(result, {pred: False, x: [1, 2]}), [1, 2])
        assert len(calls) == 1


def test_tensors_made_outside_the_branches_always_run_as_in_tf1():
    pred = tf.placeholder(tf.bool, [])
    unfed = tf.placeholder(tf.float32, [], name="unfed")
    result = tf.cond(pred, lambda: tf.constant(1.0), lambda: unfed + 1.0)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="placeholder tensor 'unfed'"):
            sess.run(result, {pred: True})


def test_cond_side_effects_happen_only_in_the_taken_branch():
    pred = tf.placeholder(tf.bool, [])
    counter = tf.Variable(0)
    result = tf.cond(pred, lambda: counter.assign_add(1), lambda: tf.identity(counter))
    with tf.Session() as sess:
        sess.run(counter.initializer)
        assert [sess.run(result, {pred: p}) for p in (True, False, True)] == [1, 1, 2]
        assert sess.run(counter) == 2


def test_cond_unpacks_a_single_element_list_unless_strict():
    pred = tf.constant(True)
    single = tf.cond(pred, lambda: [tf.constant(1)], lambda: [tf.constant(2)])
    strict = tf.cond(pred, lambda: [tf.constant(1)], lambda: [tf.constant(2)], strict=True)
    assert isinstance(single, tf.Tensor)
    assert isinstance(strict, list) and len(strict) == 1


def test_cond_keeps_nested_structure():
    pred = tf.placeholder(tf.bool, [])
    pair = collections.namedtuple("pair", "a b")
    result = tf.cond(pred, lambda: pair(tf.constant(1), [tf.constant(2.0)]),
                     lambda: pair(tf.constant(3), [tf.constant(4.0)]))
    with tf.Session() as sess:
        assert sess.run(result, {pred: False}) == pair(3, [4.0])


def test_cond_output_shape_is_the_common_shape():
    pred = tf.placeholder(tf.bool, [])
    result = tf.cond(pred, lambda: tf.zeros([2, 3]), lambda: tf.ones([2, 4]))
    assert result.shape.as_list() == [2, None]


def test_cond_rejects_python_bool_and_non_callables():
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.cond(True, lambda: 1, lambda: 2)
    with pytest.raises(TypeError, match="true_fn must be callable."):
        tf.cond(tf.constant(True), 1, lambda: 2)


def test_cond_branches_must_agree():
    pred = tf.constant(True)
    with pytest.raises(ValueError, match="true_fn must have a return value."):
        tf.cond(pred, lambda: None, lambda: tf.constant(1))
    with pytest.raises(ValueError, match="must have the same type: int32, float32"):
        tf.cond(pred, lambda: tf.constant(1), lambda: tf.constant(1.0))
    with pytest.raises(ValueError, match="Incompatible return values"):
        tf.cond(pred, lambda: [tf.constant(1)], lambda: (tf.constant(1), tf.constant(2)))


def test_nested_cond_captures_through_both_levels():
    a = tf.placeholder(tf.int32, [])
    outer_value = tf.constant(100)
    result = tf.cond(a > 0, lambda: tf.cond(a > 5, lambda: a + outer_value, lambda: a),
                     lambda: -a)
    with tf.Session() as sess:
        assert [sess.run(result, {a: v}) for v in (7, 3, -2)] == [107, 3, 2]


def test_while_loop_sums_like_python():
    i = tf.constant(0)
    total = tf.constant(0)
    final_i, final_total = tf.while_loop(lambda i, t: i < 10, lambda i, t: (i + 1, t + i),
                                         [i, total])
    with tf.Session() as sess:
        assert sess.run([final_i, final_total]) == [10, sum(range(10))]


def test_while_loop_returns_a_single_listed_variable_bare():
    result = tf.while_loop(lambda i: i < 5, lambda i: i + 1, [tf.constant(0)])
    same = tf.while_loop(lambda i: i < 5, lambda i: [i + 1], [tf.constant(0)],
                         return_same_structure=True)
    assert isinstance(result, tf.Tensor)
    assert isinstance(same, list)
    with tf.Session() as sess:
        assert sess.run(result) == 5


def test_while_loop_uses_outer_tensors_and_respects_maximum_iterations():
    step = tf.placeholder(tf.float32, [])
    result = tf.while_loop(lambda x: x < 1000.0, lambda x: x * step, [tf.constant(1.0)],
                           maximum_iterations=3)
    with tf.Session() as sess:
        assert sess.run(result, {step: 2.0}) == 8.0


def test_while_loop_shape_must_not_change_without_an_invariant():
    grow = lambda x: tf.concat([x, x], axis=0)  # noqa: E731
    with pytest.raises(ValueError, match="enters the loop with shape \\(2, 2\\), but has shape "
                                         "\\(4, 2\\) after one iteration"):
        tf.while_loop(lambda x: tf.size(x) < 64, grow, [tf.ones([2, 2])])
    result = tf.while_loop(lambda x: tf.size(x) < 64, grow, [tf.ones([2, 2])],
                           shape_invariants=[tf.TensorShape([None, 2])])
    with tf.Session() as sess:
        assert sess.run(result).shape == (32, 2)


def test_while_loop_argument_errors():
    with pytest.raises(TypeError, match="cond must be callable."):
        tf.while_loop(1, lambda x: x, [tf.constant(1)])
    with pytest.raises(TypeError, match="body must be callable."):
        tf.while_loop(lambda x: x < 1, 1, [tf.constant(1)])
    with pytest.raises(ValueError, match="No loop variables provided"):
        tf.while_loop(lambda x: x < 1, lambda x: x, [])


def test_failure_inside_a_branch_names_the_inner_op():
    pred = tf.placeholder(tf.bool, [])
    values = tf.placeholder(tf.float32, [None])
    checked = tf.cond(pred, lambda: tf.check_numerics(tf.log(values), "log went bad"),
                      lambda: values)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="log went bad") as caught:
            sess.run(checked, {pred: True, values: [-1.0]})
    assert "CheckNumerics" in caught.value.op.name
    assert "test_control_flow.py" in str(caught.value)


def test_an_update_that_a_capture_depends_on_runs_in_every_iteration_and_branch():
    # NOTE: `x` is first captured inside the control-dependency block: the update must not
    # be attached to the capture's placeholder, which is fed and so never waits for it.
    v = tf.Variable(1.0, name="v")
    x = tf.placeholder(tf.float32, [], name="x")

    def body(i):
        with tf.control_dependencies([v.assign_add(1.0)]):
            return i + x

    def branch():
        with tf.control_dependencies([v.assign_add(100.0)]):
            return x * x
    loop = tf.while_loop(lambda i: i < 4.0, body, [tf.constant(0.0)])
    taken = tf.cond(x > 0.0, branch, lambda: x)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(loop, {x: 1.0}) == 4.0 and sess.run(v) == 5.0
        sess.run(v.initializer)
        assert sess.run(taken, {x: 2.0}) == 4.0 and sess.run(v) == 101.0
