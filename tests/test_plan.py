"""The executor: pruning, the plan cache, freeing dead values, atomic commits, tracing."""
import dataclasses
import gc
import inspect
import time
import weakref

import numpy as np
import pytest

import session_magic as tf
from session_magic.ops.registry import OPS
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


def test_the_plan_cache_keeps_the_newest_signatures_only(monkeypatch):
    from session_magic import session as session_module
    monkeypatch.setattr(session_module, "_PLAN_CACHE_SIZE", 8)
    x = tf.placeholder(tf.float32, [], name="x")
    outputs = [x * float(k) for k in range(12)]
    with tf.Session() as sess:
        for k, output in enumerate(outputs):  # a new fetch each step, as a careless loop does
            assert sess.run(output, {x: 2.0}) == 2.0 * k
        assert sess.cache_info() == (0, 12, 8)
        assert sess.run(outputs[-1], {x: 1.0}) == 11.0  # the newest is still compiled
        assert sess.run(outputs[0], {x: 1.0}) == 0.0  # the oldest is compiled again
        assert sess.cache_info() == (1, 13, 8)


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
        with pytest.raises(tf.errors.InvalidArgumentError, match="AddV2 failed") as caught:
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
    assert sorted(op.type for op in plan.steps) == ["AddV2", "Exp"]
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


def _slowly(value):
    time.sleep(0.02)  # NOTE: long enough for an unordered read on another worker to overtake
    return value


@pytest.mark.parametrize("through", ["group", "identity"])
def test_inter_op_threads_wait_for_what_a_group_or_an_identity_depends_on(through):
    v = tf.Variable(0.0, name="v")
    shadow = tf.Variable(0.0, name="shadow")
    update = v.assign_add(tf.py_func(_slowly, [tf.constant(1.0)], tf.float32))
    stand_in = tf.group(update) if through == "group" else tf.identity(update)
    with tf.control_dependencies([stand_in]):
        copy = shadow.assign(v.read_value())
    config = tf.ConfigProto(inter_op_parallelism_threads=2)
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, 6):
            assert sess.run(copy) == float(step)  # the copy always sees this run's update


def test_inter_op_threads_run_ops_without_outputs():
    x = tf.placeholder(tf.float32, [], name="x")
    check = tf.Assert(x > 0.0, [x], name="positive")
    with tf.control_dependencies([check]):
        y = x * 2.0
    config = tf.ConfigProto(inter_op_parallelism_threads=2)
    with tf.Session(config=config) as sess:
        assert sess.run(y, {x: 1.0}) == 2.0
        assert sess.run(check, {x: 1.0}) is None
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"assertion failed: \[-1\]"):
            sess.run(y, {x: -1.0})


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



# --- shape blocks: values that follow from shapes alone, computed once per shape --------------

def _counting(monkeypatch, op_type):
    """The names of the ops of `op_type` whose kernel runs, in plans compiled from now on."""
    calls = []
    opdef = OPS[op_type]

    def kernel(op):
        inner = opdef.kernel(op)

        def counted(*args):
            calls.append(op.name)
            return inner(*args)
        return counted
    monkeypatch.setitem(OPS, op_type, dataclasses.replace(opdef, kernel=kernel))
    return calls


def _shape_caches(plan):
    return [value for name, value in inspect.unwrap(plan._compiled[0]).__globals__.items()
            if name.startswith("S") and isinstance(value, dict)]


def test_shape_arithmetic_runs_once_per_distinct_shape(monkeypatch):
    sizes = _counting(monkeypatch, "Size")
    x = tf.placeholder(tf.float32, [None, 2])
    grad = tf.gradients(tf.reduce_mean(x), x)[0]  # ones(shape(x)) / (size(x) // size(mean))
    with tf.Session() as sess:
        for rows in (4, 4, 4, 8, 8, 4, 1):
            value = sess.run(grad, {x: np.ones((rows, 2), np.float32)})
            np.testing.assert_allclose(value, np.full((rows, 2), 1 / (2 * rows)), rtol=1e-6)
    # NOTE: one Size op (the mean's size is a Const, as in TF), run for 4, 8 and 1 rows only
    assert len(sizes) == 3


def test_training_with_changing_batch_sizes_matches_numpy():
    x = tf.placeholder(tf.float64, [None, 3])
    y = tf.placeholder(tf.float64, [None, 1])
    w = tf.Variable(tf.zeros([3, 1], tf.float64))
    b = tf.Variable(tf.zeros([1], tf.float64))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    rng = np.random.default_rng(0)
    weights, bias = np.zeros((3, 1)), np.zeros(1)
    rate = float(np.float32(0.1))  # NOTE: as TF1, the rate is a float32 tensor cast up
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for rows in (5, 7, 5, 1, 7, 5):
            inputs, targets = rng.standard_normal((rows, 3)), rng.standard_normal((rows, 1))
            error = inputs @ weights + bias - targets
            expected = np.mean(error ** 2)
            gradient = 2 * error / rows
            weights = weights - rate * (inputs.T @ gradient)
            bias = bias - rate * gradient.sum(axis=0)
            _, got = sess.run([train, loss], {x: inputs, y: targets})
            np.testing.assert_allclose(got, expected, rtol=1e-12)
            np.testing.assert_allclose(sess.run(w), weights, rtol=1e-12)
            np.testing.assert_allclose(sess.run(b), bias, rtol=1e-12)


def test_a_shape_cache_holds_few_entries_and_only_small_read_only_values():
    x = tf.placeholder(tf.float64, [None])
    out = tf.fill(tf.shape(x), np.float64(2.0)) * x  # the Fill follows from x's shape
    with tf.Session() as sess:
        for n in range(1, 30):
            np.testing.assert_array_equal(sess.run(out, {x: np.arange(n, dtype=float)}),
                                          2.0 * np.arange(n))
        sess.run(out, {x: np.ones(100_000)})  # a large result is recomputed, never kept
        plan = next(p for p in sess._plans.values() if len(p.steps) > 1)
        caches = _shape_caches(plan)
    assert caches and all(1 <= len(cache) <= 8 for cache in caches)
    for cache in caches:
        for values in cache.values():
            assert all(np.size(v) <= 1 << 16 and not v.flags.writeable for v in values)


def test_a_fetched_shape_value_is_the_callers_to_change():
    x = tf.placeholder(tf.float32, [None, 3])
    shape = tf.shape(x) * 2
    with tf.Session() as sess:
        first = sess.run(shape, {x: np.zeros((2, 3))})
        first[0] = 99
        np.testing.assert_array_equal(sess.run(shape, {x: np.zeros((2, 3))}), [4, 6])


def test_a_failing_shape_step_names_itself_each_time_and_is_never_remembered():
    x = tf.placeholder(tf.float32, [None])
    wide = tf.broadcast_to(tf.constant([1.0, 2.0, 3.0]), tf.shape(x), name="wide")
    out = wide * x
    with tf.Session() as sess:
        for _ in range(2):
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"node wide"):
                sess.run(out, {x: np.ones(2, np.float32)})
        np.testing.assert_array_equal(sess.run(out, {x: np.ones(3, np.float32)}), [1, 2, 3])
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"node wide"):
            sess.run(out, {x: np.ones(4, np.float32)})


def test_a_shape_step_only_a_control_dependency_needs_still_runs_and_can_fail():
    x = tf.placeholder(tf.float32, [None])
    check = tf.broadcast_to(tf.constant([1.0, 2.0]), tf.shape(x), name="check")
    with tf.control_dependencies([check]):
        out = tf.identity(x * 2.0)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {x: np.ones(2, np.float32)}), [2, 2])
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"node check"):
            sess.run(out, {x: np.ones(3, np.float32)})


def test_traced_runs_report_every_shape_step():
    x = tf.placeholder(tf.float32, [None, 2])
    grad = tf.gradients(tf.reduce_mean(x), x)[0]
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    with tf.Session() as sess:
        sess.run(grad, {x: np.ones((3, 2), np.float32)})  # the shape block's cache is warm
        metadata = tf.RunMetadata()
        sess.run(grad, {x: np.ones((3, 2), np.float32)}, options=options,
                 run_metadata=metadata)
    names = {s.node_name for s in metadata.step_stats.dev_stats[0].node_stats}
    assert {"gradients/Mean_grad/Shape", "gradients/Mean_grad/Size"} <= names


# --- buffer reuse: a step writes into a dead input, as TF forwards input buffers --------------

def _mlp(batch_dims=(None, 64)):
    x = tf.placeholder(tf.float64, batch_dims)
    w = tf.constant(np.linspace(-1, 1, 64 * 64).reshape(64, 64))
    b = tf.constant(np.linspace(-0.5, 0.5, 64))
    hidden = tf.matmul(x, w)
    return x, w, b, hidden, tf.nn.relu(hidden + b)


def _mlp_oracle(inputs):
    w = np.linspace(-1, 1, 64 * 64).reshape(64, 64)
    hidden = inputs @ w
    return hidden, np.maximum(hidden + np.linspace(-0.5, 0.5, 64), 0)


def test_an_add_and_a_relu_write_into_the_matmul_result_nothing_else_reads():
    x, _, _, hidden, out = _mlp()
    plan = Plan([out], [x])
    assert sorted(op.type for op in plan.in_place) == ["AddV2", "Relu"]
    inputs = np.linspace(-2, 2, 100 * 64).reshape(100, 64)
    with tf.Session() as sess:
        for _ in range(2):
            np.testing.assert_allclose(sess.run(out, {x: inputs}), _mlp_oracle(inputs)[1])


def test_a_fetched_value_is_never_written_into():
    x, _, _, hidden, out = _mlp()
    plan = Plan([hidden, out], [x])
    assert [op.type for op in plan.in_place] == ["Relu"]  # the Add's result is fresh and dead
    inputs = np.linspace(-2, 2, 100 * 64).reshape(100, 64)
    with tf.Session() as sess:
        got_hidden, got_out = sess.run([hidden, out], {x: inputs})
    want_hidden, want_out = _mlp_oracle(inputs)
    np.testing.assert_allclose(got_hidden, want_hidden)
    np.testing.assert_allclose(got_out, want_out)


def test_feeds_variables_constants_and_values_read_twice_are_never_written_into():
    x = tf.placeholder(tf.float64, [None, 64])
    v = tf.Variable(np.ones((100, 64)))
    c = tf.constant(np.full((100, 64), 3.0))
    twice = tf.matmul(x, tf.eye(64, dtype=tf.float64))
    outs = [tf.exp(x), v + 1.0, c * 2.0, twice + 1.0, twice * 2.0, tf.identity(v) - 1.0]
    assert Plan(outs, [x]).in_place == frozenset()
    inputs = np.linspace(-1, 1, 100 * 64).reshape(100, 64)
    kept = inputs.copy()
    with tf.Session() as sess:
        sess.run(v.initializer)
        for _ in range(2):
            results = sess.run(outs, {x: inputs})
            np.testing.assert_array_equal(inputs, kept)
            np.testing.assert_array_equal(sess.run(v), np.ones((100, 64)))
            np.testing.assert_allclose(results[0], np.exp(kept))
            np.testing.assert_array_equal(results[1], 2.0)
            np.testing.assert_array_equal(results[2], 6.0)
            np.testing.assert_allclose(results[3], kept + 1.0)
            np.testing.assert_allclose(results[4], kept * 2.0)
            np.testing.assert_array_equal(results[5], 0.0)


def test_an_input_a_broadcast_would_widen_is_not_written_into():
    x = tf.placeholder(tf.float64, [None, 1])
    wide = tf.placeholder(tf.float64, [None, 5])
    column = tf.matmul(x, tf.ones([1, 1], tf.float64))  # [?, 1]: the sum below is [?, 5]
    out = column + wide
    assert Plan([out], [x, wide]).in_place == frozenset()
    with tf.Session() as sess:
        result = sess.run(out, {x: np.ones((3, 1)), wide: np.zeros((3, 5))})
    np.testing.assert_array_equal(result, np.ones((3, 5)))


def test_writing_into_a_dtype_mismatch_or_a_scalar_result_is_avoided():
    x = tf.placeholder(tf.float32, [None, None])
    product = tf.matmul(x, x)
    compared = product > 1.0  # a bool result cannot go into a float buffer
    total = tf.reduce_sum(product)
    scalar = tf.exp(total) * 0.0 + total  # 0-d values: a NumPy scalar cannot be written into
    plan = Plan([compared, scalar], [x])
    assert all(op.type not in ("Greater",) for op in plan.in_place)
    with tf.Session() as sess:
        flags, value = sess.run([compared, scalar], {x: np.eye(3, dtype=np.float32) * 2})
    np.testing.assert_array_equal(flags, np.eye(3) * 4 > 1)
    assert value == np.float32(12.0)


def test_a_value_another_step_may_hold_is_never_written_into():
    x = tf.placeholder(tf.float64, [None, 64])
    product = tf.matmul(x, tf.eye(64, dtype=tf.float64))
    flat = tf.reshape(product, [-1])  # a view of the product
    kept = []
    held = tf.py_func(lambda a: kept.append(a) or np.float64(0.0), [product], tf.float64)
    v = tf.Variable(tf.zeros([100, 64], tf.float64), validate_shape=False)
    with tf.control_dependencies([held, tf.assign(v, product, validate_shape=False)]):
        later = product + 1.0  # the last reader, but not the only one
    fetches = [flat, later]
    assert Plan(fetches, [x]).in_place == frozenset()
    with tf.Session() as sess:
        sess.run(v.initializer)
        got_flat, got_later = sess.run(fetches, {x: np.ones((100, 64))})
        np.testing.assert_array_equal(got_flat, 1.0)
        np.testing.assert_array_equal(got_later, 2.0)
        np.testing.assert_array_equal(kept[0], 1.0)
        np.testing.assert_array_equal(sess.run(v), 1.0)


# --- found by the fuzzer (tests/test_fuzz.py), shrunk -----------------------------------------

def test_fed_identity_that_is_also_a_target_gives_the_fed_value() -> None:
    y = tf.identity(tf.constant(0.0))
    with tf.Session() as sess:
        assert sess.run([y, y.op], {y: 1.0}) == [1.0, None]


def test_fed_repeated_expression_that_is_also_a_target_gives_the_fed_value() -> None:
    x = tf.placeholder(tf.float32, [])
    first, again = tf.exp(x), tf.exp(x)
    with tf.Session() as sess:
        assert sess.run([first, again, again.op], {x: 0.0, again: 5.0}) == [1.0, 5.0, None]


def test_a_fused_group_replaces_its_ops_with_one_kernel_call():
    from session_magic.plan import Plan
    from session_magic.plan.codegen import FusedGroup
    x = tf.placeholder(tf.float32, [3])
    a = tf.add(x, 1.0)
    b = tf.multiply(a, 2.0)
    c = tf.subtract(b, x)
    y = tf.exp(c)
    plan = Plan([y, a], [x])
    calls = []

    def fused(x_value, a_value):
        calls.append(1)
        return (a_value * 2.0 - x_value).astype(np.float32)
    plan.use_fused((FusedGroup([b.op, c.op], [x, a], c, fused),))
    value = np.array([1.0, 2.0, 3.0], np.float32)
    y_value, a_value = plan.run([value], None)
    np.testing.assert_allclose(y_value, np.exp((value + 1) * 2 - value), rtol=1e-6)
    assert calls == [1] and "F" in plan.source
    assert "K" + str(b.op._id) not in plan.source  # the group's ops run no kernel of their own


def test_small_arrays_are_written_into_through_the_positional_out_but_never_a_feed():
    x = tf.placeholder(tf.float32, [16])
    a = tf.add(x, 0.5)
    b = tf.multiply(a, 0.9)
    kept_fetch = tf.subtract(b, 0.25)
    c = tf.maximum(kept_fetch, -1.0)  # NOTE: NumPy 2.4 deprecates its positional out
    d = tf.tanh(c)
    plan = Plan([d, kept_fetch], [x])
    assert sorted(op.type for op in plan.in_place) == ["Mul", "Sub", "Tanh"]
    assert f"K{b.op._id}(t{a.op._id}_0, " in plan.source  # a dead intermediate as `out`
    assert plan.guarded_feeds == (False,)  # only new arrays come of x: no read-only view
    value = np.linspace(-2, 2, 16, dtype=np.float32)
    kept = value.copy()
    with tf.Session() as sess:
        for _ in range(2):
            got_d, got_fetch = sess.run([d, kept_fetch], {x: value})
            np.testing.assert_array_equal(value, kept)
            np.testing.assert_allclose(got_fetch, (kept + 0.5) * 0.9 - 0.25, rtol=1e-6)
            np.testing.assert_allclose(got_d, np.tanh(np.maximum(got_fetch, -1)), rtol=1e-6)


def test_one_element_arrays_and_fetched_feeds_are_not_written_into():
    x = tf.placeholder(tf.float32, [1])
    y = tf.exp(tf.add(x, 1.0))
    plan = Plan([y, x], [x])
    assert plan.in_place == frozenset()  # NOTE: NumPy writes a one-element array into
    assert plan.guarded_feeds == (True,)  # itself at twice the cost; x itself is fetched
    value = np.array([1.0], np.float32)
    with tf.Session() as sess:
        got_y, got_x = sess.run([y, x], {x: value})
    got_x[0] = 7.0  # NOTE: the fetched feed is a copy: the caller's array is untouched
    assert value[0] == 1.0 and got_y[0] == np.exp(np.float32(2.0))
