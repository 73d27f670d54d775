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
    with pytest.raises(TypeError, match="must have the same type: int32, float32"):  # as TF
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


# --- the ops and names TF makes (lists recorded from TF 2.21, tf.compat.v1, eager disabled) -------

def _ops(graph):
    return [(op.name, op.type) for op in graph.get_operations()]


def _cond_with_two_results():
    x = tf.placeholder(tf.float32, name="x")
    results = tf.cond(x > 0, lambda: (x * 2, x + 1), lambda: (x, x))
    return [*results, tf.constant(3.0)]


def _nested_conds():
    x = tf.placeholder(tf.float32, [], name="x")
    inner = tf.cond(x > 0, lambda: x, lambda: -x)
    outer = tf.cond(inner > 1.0, lambda: tf.cond(x > 2.0, lambda: x * 2.0, lambda: x),
                    lambda: x)
    return [inner, outer, tf.constant(1.0)]


def _loops_with_limits():
    x = tf.constant(1.0)
    fixed = tf.while_loop(lambda x: x < 100.0, lambda x: x * 2.0, [x], maximum_iterations=3)
    m = tf.placeholder(tf.int32, [], name="m")
    fed = tf.while_loop(lambda x: x < 100.0, lambda x: x * 2.0, [x], maximum_iterations=m)
    return [fixed, fed, tf.constant(1)]


def _loops_of_python_values():
    with tf.name_scope("outer"):
        named = tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2.0), [0, 1.0],
                              name="loop")
    stopped = tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2.0), [0, 1.0],
                            back_prop=False)
    return [*named, *stopped, tf.constant(1)]


def _loop_capturing_a_placeholder():
    x = tf.placeholder(tf.float32, [], name="x")
    return [tf.while_loop(lambda i, y: i < 4, lambda i, y: (i + 1, y * x), [0, 1.0])[1]]


def _stateful_functions():
    x = tf.placeholder(tf.float32, [], name="x")
    noisy = tf.cond(x > 0, lambda: x + tf.random_uniform([]), lambda: x)
    loop = tf.while_loop(lambda y: y < 10.0, lambda y: y + tf.random_uniform([]), [x])
    checked = tf.cond(x > 0, lambda: tf.check_numerics(x, "bad"), lambda: x)
    return [noisy, loop, checked]


IDS = ["while/Identity", "while/Identity_1", "while/Identity_2"]
TF_OPS = {
    "cond, one result": (
        lambda: [tf.cond(tf.placeholder(tf.bool, name="p"), lambda: tf.constant(1.0),
                         lambda: tf.constant(2.0)), tf.constant(0)],
        ["cond/Identity:0", "Const:0"],
        [("p", "Placeholder"), ("cond/Squeeze", "Squeeze"), ("cond", "StatelessIf"),
         ("cond/Identity", "Identity"), ("Const", "Const")]),
    "cond of a NumPy bool": (
        lambda: [tf.cond(np.bool_(True), lambda: 1.0, lambda: 2.0)],
        ["cond/Identity:0"],
        [("cond/Const", "Const"), ("cond", "StatelessIf"), ("cond/Identity", "Identity")]),
    "cond, two results": (
        _cond_with_two_results, ["cond/Identity:0", "cond/Identity_1:0", "Const:0"],
        [("x", "Placeholder"), ("Greater/y", "Const"), ("Greater", "Greater"),
         ("cond/Squeeze", "Squeeze"), ("cond", "StatelessIf"), ("cond/Identity", "Identity"),
         ("cond/Identity_1", "Identity"), ("Const", "Const")]),
    "nested cond": (
        _nested_conds, ["cond/Identity:0", "cond_1/Identity:0", "Const:0"],
        [("x", "Placeholder"), ("Greater/y", "Const"), ("Greater", "Greater"),
         ("cond", "StatelessIf"), ("cond/Identity", "Identity"), ("Greater_1/y", "Const"),
         ("Greater_1", "Greater"), ("cond_1", "StatelessIf"), ("cond_1/Identity", "Identity"),
         ("Const", "Const")]),
    "while, one loop variable": (
        lambda: [tf.while_loop(lambda i: i < 10, lambda i: i + 1, [tf.constant(0)]),
                 tf.constant(1)],
        ["while/Identity_2:0", "Const_1:0"],
        [("Const", "Const"), ("while/maximum_iterations", "Const"),
         ("while/loop_counter", "Const"), ("while", "StatelessWhile"),
         *[(name, "Identity") for name in IDS], ("Const_1", "Const")]),
    "while, three loop variables": (
        lambda: [*tf.while_loop(lambda i, x, y: i < 4, lambda i, x, y: (i + 1, x * y, y),
                                [tf.constant(0), tf.constant(1.0), tf.constant(2.0)]),
                 tf.constant(1)],
        ["while/Identity_2:0", "while/Identity_3:0", "while/Identity_4:0", "Const_3:0"],
        [("Const", "Const"), ("Const_1", "Const"), ("Const_2", "Const"),
         ("while/maximum_iterations", "Const"), ("while/loop_counter", "Const"),
         ("while", "StatelessWhile"), *[(name, "Identity") for name in IDS],
         ("while/Identity_3", "Identity"), ("while/Identity_4", "Identity"),
         ("Const_3", "Const")]),
    "while, maximum_iterations": (
        _loops_with_limits, ["while/Identity_2:0", "while_1/Identity_2:0", "Const_1:0"],
        [("Const", "Const"), ("while/maximum_iterations", "Const"),
         ("while/loop_counter", "Const"), ("while", "StatelessWhile"),
         *[(name, "Identity") for name in IDS], ("m", "Placeholder"),
         ("while_1/loop_counter", "Const"), ("while_1", "StatelessWhile"),
         *[(name.replace("while", "while_1"), "Identity") for name in IDS],
         ("Const_1", "Const")]),
    "while, captured tensor": (
        _loop_capturing_a_placeholder,
        ["while/Identity_3:0"],
        [("x", "Placeholder"), ("Const", "Const"), ("Const_1", "Const"),
         ("while/maximum_iterations", "Const"), ("while/loop_counter", "Const"),
         ("while", "StatelessWhile"), *[(name, "Identity") for name in IDS],
         ("while/Identity_3", "Identity"), ("while/Identity_4", "Identity")]),
    "while of Python values, scoped and back_prop=False": (
        _loops_of_python_values,
        ["outer/loop/Identity_2:0", "outer/loop/Identity_3:0", "StopGradient:0",
         "StopGradient_1:0", "Const_2:0"],
        [("outer/Const", "Const"), ("outer/Const_1", "Const"),
         ("outer/loop/maximum_iterations", "Const"), ("outer/loop/loop_counter", "Const"),
         ("outer/loop", "StatelessWhile"),
         *[(name.replace("while", "outer/loop"), "Identity") for name in IDS],
         ("outer/loop/Identity_3", "Identity"), ("Const", "Const"), ("Const_1", "Const"),
         ("while/maximum_iterations", "Const"), ("while/loop_counter", "Const"),
         ("while", "StatelessWhile"), *[(name, "Identity") for name in IDS],
         ("while/Identity_3", "Identity"), ("StopGradient", "StopGradient"),
         ("StopGradient_1", "StopGradient"), ("Const_2", "Const")]),
    "stateful branches and bodies": (
        _stateful_functions, ["cond/Identity:0", "while/Identity_2:0", "cond_1/Identity:0"],
        [("x", "Placeholder"), ("Greater/y", "Const"), ("Greater", "Greater"), ("cond", "If"),
         ("cond/Identity", "Identity"), ("while/maximum_iterations", "Const"),
         ("while/loop_counter", "Const"), ("while", "While"),
         *[(name, "Identity") for name in IDS], ("Greater_1/y", "Const"),
         ("Greater_1", "Greater"), ("cond_1", "If"), ("cond_1/Identity", "Identity")]),
}


@pytest.mark.parametrize("program", sorted(TF_OPS))
def test_cond_and_while_loop_make_tfs_ops_and_result_names(program):
    build, result_names, expected_ops = TF_OPS[program]
    graph = tf.Graph()
    with graph.as_default():
        results = build()
    assert [t.name for t in results] == result_names
    assert _ops(graph) == expected_ops
    assert graph.get_tensor_by_name(result_names[0]) is results[0]


def test_while_loop_counter_and_limit_outputs_hold_tfs_values():
    x = tf.constant(1.0)
    tf.while_loop(lambda x: x < 100.0, lambda x: x * 2.0, [x], maximum_iterations=3)
    graph = tf.get_default_graph()
    counter, limit, result = (graph.get_tensor_by_name(f"while/Identity{suffix}:0")
                              for suffix in ("", "_1", "_2"))
    with tf.Session() as sess:
        assert sess.run([counter, limit, result]) == [3, 3, 8.0]


def test_cond_squeezes_a_one_element_predicate_as_tf_does():
    pred = tf.placeholder(tf.bool, [1], name="p")
    result = tf.cond(pred, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    with tf.Session() as sess:
        assert sess.run(result, {pred: [False]}) == 2.0
    with pytest.raises(ValueError, match="pred must be a scalar bool tensor"):
        tf.cond(tf.placeholder(tf.bool, [2]), lambda: 1.0, lambda: 2.0)


def test_maximum_iterations_must_be_an_int32_scalar_as_in_tf():
    body = (lambda x: x < 3.0, lambda x: x * 2.0, [tf.constant(1.0)])
    with pytest.raises(ValueError, match="maximum_iterations: Tensor conversion requested "
                                         "dtype int32 for Tensor with dtype int64"):
        tf.while_loop(*body, maximum_iterations=tf.constant(3, tf.int64))
    with pytest.raises(TypeError, match="maximum_iterations must be an integer scalar"):
        tf.while_loop(*body, maximum_iterations=2.5)
    with pytest.raises(ValueError, match="maximum_iterations must be a scalar"):
        tf.while_loop(*body, maximum_iterations=[1, 2])
