"""The executor: pruning, the plan cache, freeing dead values, atomic commits, tracing."""
import gc
import weakref

import numpy as np
import pytest

import session_magic as tf
from session_magic.plan import Plan


def test_plan_runs_only_what_the_fetches_need():
    a = tf.placeholder(tf.float32, [], name="a")
    b = tf.constant(2.0, name="b")
    needed = a * b
    unrelated = tf.placeholder(tf.float32, [], name="unrelated") + 1.0
    plan = Plan([needed], [a])
    assert {op.name for op in plan.ops} == {"b", "mul"}  # the fed placeholder is not run
    assert unrelated.op not in plan.ops


def test_feeding_an_intermediate_skips_its_producers():
    a = tf.placeholder(tf.float32, [], name="a")
    middle = a * 3.0
    out = middle + 1.0
    with tf.Session() as sess:
        assert sess.run(out, {middle: 10.0}) == 11.0


def test_repeated_signature_hits_the_cache_and_new_ops_do_not_invalidate_it():
    x = tf.placeholder(tf.float32, [])
    y = x * 2.0
    with tf.Session() as sess:
        sess.run(y, {x: 1.0})
        sess.run(y, {x: 2.0})
        assert sess.cache_info() == (1, 1, 1)
        z = y + 1.0  # graph extension after the session exists
        assert sess.run(z, {x: 1.0}) == 3.0
        sess.run(y, {x: 3.0})
        assert sess.cache_info() == (2, 2, 2)


def test_large_intermediates_are_freed_after_their_last_use():
    x = tf.placeholder(tf.float64, [1000, 1000])
    seen = []

    def remember(value):
        seen.append(weakref.ref(value))
        return value

    first = tf.py_func(remember, [x * 2.0], tf.float64)
    first.set_shape([1000, 1000])
    out = tf.reduce_sum(first * 3.0)
    with tf.Session() as sess:
        sess.run(out, {x: np.ones((1000, 1000))})
        gc.collect()
        assert seen and seen[0]() is None


def test_a_failed_run_commits_no_variable_write():
    v = tf.Variable(1.0)
    w = tf.Variable(10.0)
    bad = tf.placeholder(tf.float32, [None])
    with tf.control_dependencies([v.assign(2.0)]):
        failing = w.assign(tf.reduce_sum(tf.check_numerics(bad, "bad value")))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad value"):
            sess.run(failing, {bad: [np.nan]})
        assert sess.run([v, w]) == [1.0, 10.0]
        sess.run(failing, {bad: [3.0]})
        assert sess.run([v, w]) == [2.0, 3.0]


def test_an_interrupted_run_commits_nothing_and_the_session_goes_on():
    v = tf.Variable(0)

    def interrupt(value):
        raise KeyboardInterrupt

    step = v.assign_add(1)
    with tf.control_dependencies([step]):
        interrupted = tf.py_func(interrupt, [step], tf.int32)
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(KeyboardInterrupt):
            sess.run(interrupted)
        assert sess.run(v) == 0
        assert sess.run(step) == 1


def test_a_read_after_an_assign_in_the_same_run_sees_the_new_value():
    v = tf.Variable(1)
    assign = v.assign(5)
    with tf.control_dependencies([assign]):
        after = v.read_value()
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(after) == 5


def test_fetched_arrays_do_not_alias_constants_or_variables():
    c = tf.constant([1.0, 2.0])
    v = tf.Variable([3.0, 4.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        first_c, first_v = sess.run([c, v])
        first_c[0] = 100.0
        first_v[0] = 100.0
        np.testing.assert_array_equal(sess.run(c), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(v), [3.0, 4.0])


def test_full_trace_fills_step_stats_for_each_op_run():
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.reduce_sum(tf.exp(x), name="total")
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        value = sess.run(y, {x: [0.0, 0.0, 0.0]}, options=options, run_metadata=metadata)
    assert value == 3.0
    stats = metadata.step_stats.dev_stats[0].node_stats
    assert {s.node_name for s in stats} >= {"Exp", "total"}
    assert all(s.op_end_rel_micros >= 0 and s.output_bytes >= 0 for s in stats)


def test_runtime_error_names_the_op_and_the_line_that_created_it():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = x * 2.0  # the definition site the error must point at
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(y)
    assert caught.value.op is x.op
    assert "[[node x (defined at tests/test_plan.py:" in str(caught.value)


def test_kernel_failure_becomes_an_op_error_naming_the_op():
    a = tf.placeholder(tf.float32, [None], name="a")
    b = tf.placeholder(tf.float32, [None], name="b")
    total = tf.add(a, b, name="total")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Add failed") as caught:
            sess.run(total, {a: [1.0, 2.0], b: [1.0, 2.0, 3.0]})
    assert caught.value.op is total.op


def test_constant_subgraphs_are_folded_when_the_plan_is_compiled():
    x = tf.placeholder(tf.float32, [3])
    scale = tf.sqrt(tf.constant(4.0)) * tf.constant(3.0)
    y = x * scale
    plan = Plan([y], [x])
    assert [op.type for op in plan.steps] == ["Mul"]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0, 3.0]}), [6.0, 12.0, 18.0])


def test_folding_never_hides_a_runtime_error_or_a_fed_constant():
    c = tf.constant([1, 2])
    bad = tf.gather(c, [5])
    doubled = c * 2
    with tf.Session() as sess:
        with pytest.raises(tf.errors.OpError):
            sess.run(bad)
        np.testing.assert_array_equal(sess.run(doubled, {c: [10, 20]}), [20, 40])


def test_repeated_subexpressions_and_identities_run_once():
    x = tf.placeholder(tf.float32, [2])
    first, second = tf.exp(x), tf.exp(x)
    out = tf.identity(first) + second
    plan = Plan([out], [x])
    assert sorted(op.type for op in plan.steps) == ["Add", "Exp"]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(out, {x: [0.0, 1.0]}), 2 * np.exp([0.0, 1.0]),
                                   rtol=1e-6)


def test_stateful_ops_are_never_merged_or_folded():
    a = tf.random_uniform([3], seed=1)
    b = tf.random_uniform([3], seed=1)  # identical op, attrs and inputs: still two draws
    plan = Plan([a, b], [])
    assert [op.type for op in plan.steps].count("RandomUniform") == 2
    with tf.Session() as sess:
        first = sess.run(a)
        assert not np.array_equal(first, sess.run(a))  # a new draw each run, never a constant


def _two_chains(threads):
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float64, [8, 8])
        left, right = a, a * 2.0
        for _ in range(5):
            left, right = tf.matmul(left, a) / 8.0, tf.tanh(tf.matmul(right, a))
        total = tf.reduce_sum(left) + tf.reduce_sum(right)
    config = tf.ConfigProto(inter_op_parallelism_threads=threads)
    return tf.Session(graph=graph, config=config), a, total


def test_inter_op_threads_give_the_same_results_as_one_thread():
    values = np.random.default_rng(0).normal(size=(8, 8))
    serial, a1, t1 = _two_chains(1)
    parallel, a2, t2 = _two_chains(2)
    expected = serial.run(t1, {a1: values})
    for _ in range(50):
        assert parallel.run(t2, {a2: values}) == pytest.approx(expected)


def test_inter_op_threads_report_the_failing_op():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None])
        checked = tf.check_numerics(tf.log(x), "log went bad")
        other = tf.exp(x)
    config = tf.ConfigProto(inter_op_parallelism_threads=2)
    with tf.Session(graph=graph, config=config) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="log went bad") as caught:
            sess.run([checked, other], {x: [-1.0]})
    assert caught.value.op is checked.op


def test_inter_op_threads_commit_variable_writes_atomically():
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable(0.0)
        bump = v.assign_add(1.0)
    config = tf.ConfigProto(inter_op_parallelism_threads=2)
    with tf.Session(graph=graph, config=config) as sess:
        sess.run(v.initializer)
        for _ in range(10):
            sess.run(bump)
        assert sess.run(v) == 10.0


def test_a_repeated_flat_fetch_list_is_flattened_once():
    a = tf.constant(1.0, name="a")
    b = a * 2.0
    with tf.Session() as sess:
        assert sess.run([a, b, "a:0"]) == [1.0, 2.0, 1.0]
        first = sess._mapper_for([a, b, "a:0"])
        assert sess._mapper_for([a, b, "a:0"]) is first
        assert sess.run([[a], {"b": b}]) == [[1.0], {"b": 2.0}]  # nested: not cached, still right


def test_a_small_fetch_in_a_large_graph_compiles_to_a_small_plan():
    x = tf.placeholder(tf.float32, [], name="x")
    small = tf.exp(x) + 1.0
    noise = x
    for _ in range(20000):
        noise = noise * 1.0001
    plan = Plan([small], [x])
    assert len(plan.ops) == 3 and len(plan.steps) == 2
