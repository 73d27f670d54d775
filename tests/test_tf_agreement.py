"""Regressions for the disagreements with TensorFlow found by differential testing (issue 10).

Every expected value here was recorded from TensorFlow 2.21's `tf.compat.v1` with eager execution
disabled; the golden suite (tests/test_tf_golden.py) covers the same ground more widely.
"""
import numpy as np
import pytest

import session_magic as tf


def _run_three_times(build_read):
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    with tf.control_dependencies([inc]):
        out = build_read(v)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return [float(sess.run(out)) for _ in range(3)]


@pytest.mark.parametrize("build_read", [
    tf.identity, lambda v: v + 0, tf.reduce_sum, lambda v: v.value(), tf.convert_to_tensor,
    lambda v: v.read_value()], ids=["identity", "plus-0", "reduce_sum", "value",
                                    "convert_to_tensor", "read_value"])
def test_a_read_inside_control_dependencies_sees_the_update(build_read):
    assert _run_three_times(build_read) == [1.0, 2.0, 3.0]


def test_an_assign_inside_control_dependencies_reads_the_updated_value():
    assert _run_three_times(lambda v: tf.assign(v, v * 2)) == [2.0, 6.0, 14.0]


def test_reads_outside_control_dependencies_share_the_variables_snapshot():
    v = tf.Variable(1.0)
    assert tf.identity(v).op.inputs[0] is (v + 0).op.inputs[0] is v.value()


def _run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


# --- gradients at tie points and singular points (items 2 and 6) -----------------------------

def test_sigmoid_cross_entropy_gradient_at_zero_logits_is_sigmoid_minus_label():
    logits = tf.placeholder(tf.float32, [3])
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([1.0, 0.0, 0.3]),
                                                   logits=logits)
    grad = _run(tf.gradients(loss, logits)[0], {logits: [0.0, 0.0, 0.0]})
    np.testing.assert_allclose(grad, [-0.5, 0.5, 0.2], rtol=1e-6)


def test_a_masked_sqrt_has_a_zero_gradient_where_it_is_masked():
    x = tf.placeholder(tf.float32, [3])
    masked = tf.where(x > 0, tf.sqrt(x), tf.zeros_like(x))
    masked_v2 = tf.where_v2(x > 0, tf.sqrt(x), 0.0)
    feed = {x: [0.0, 1.0, 4.0]}
    for y in (masked, masked_v2):
        np.testing.assert_allclose(_run(tf.gradients(y, x)[0], feed), [0.0, 0.5, 0.25])
    assert _run(tf.gradients(tf.sqrt(x), x)[0], feed)[0] == np.inf  # TF: unmasked, inf


@pytest.mark.parametrize("build", [tf.sqrt, tf.rsqrt, tf.reciprocal])
def test_gradient_ops_give_zero_where_the_incoming_gradient_is_zero(build):
    x = tf.placeholder(tf.float32, [4])
    grad = tf.gradients(build(x), x, grad_ys=tf.zeros([4]))[0]
    assert _run(grad, {x: [0.0, -1.0, np.nan, 2.0]}).tolist() == [0.0] * 4


def test_cumprod_gradient_divides_with_zero_for_zero_as_tf():
    x = tf.placeholder(tf.float32, [3])
    grad = tf.gradients(tf.cumprod(x), x)[0]
    assert _run(grad, {x: [2.0, 0.0, 3.0]}).tolist() == [1.0, 0.0, 0.0]
    assert _run(grad, {x: [0.0, 0.0, 3.0]}).tolist() == [0.0, 0.0, 0.0]


def test_max_and_min_split_the_gradient_among_ties():
    x = tf.placeholder(tf.float32, [3])
    assert _run(tf.gradients(tf.reduce_max(x), x)[0], {x: [1.0, 3.0, 3.0]}).tolist() == \
        [0.0, 0.5, 0.5]
    assert _run(tf.gradients(tf.reduce_min(x), x)[0], {x: [1.0, 1.0, 3.0]}).tolist() == \
        [0.5, 0.5, 0.0]


# --- reductions in a wide type; NaN, casts and floor division (items 3, 8 and 9) --------------

@pytest.mark.parametrize("values, dtype, expected", [
    (np.full((4, 4), 200), tf.uint8, 200), ([100, 100, -100], tf.int8, 33),
    ([2**31 - 1, 2**31 - 1], tf.int32, 2**31 - 1), ([-3, 0], tf.int32, -1),
    ([-5, 0, 1], tf.int8, -1), ([2**62] * 3, tf.int64, -1537228672809129301),
    ([60000, 60000], tf.float16, np.inf)])
def test_integer_means_accumulate_wide_and_half_means_overflow_as_tf(values, dtype, expected):
    result = _run(tf.reduce_mean(tf.constant(values, dtype)))
    assert result == expected and result.dtype == dtype.as_numpy_dtype


def test_arg_reductions_pass_over_nan():
    assert _run([tf.argmax([1.0, np.nan, 2.0]), tf.argmin([1.0, np.nan, 2.0]),
                 tf.argmax([np.nan, 1.0, 2.0]), tf.argmax([np.nan, np.nan]),
                 tf.argmin([np.nan, 1.0, np.nan, 0.0])]) == [2, 0, 2, 0, 3]


def test_saturate_cast_clamps_infinities_to_the_dtype_range():
    to_int = tf.saturate_cast(tf.constant([np.inf, -np.inf, np.nan, 300.0]), tf.int32)
    to_byte = tf.saturate_cast(tf.constant([np.inf, -np.inf, 300.0, -5.0]), tf.uint8)
    to_half = tf.saturate_cast(tf.constant([1e10, -1e10]), tf.float16)
    ints, bytes_, halves = _run([to_int, to_byte, to_half])
    assert ints.tolist() == [2147483520, -2147483648, -2147483648, 300]
    assert bytes_.tolist() == [255, 0, 255, 0] and halves.tolist() == [65504.0, -65504.0]


def test_float_floor_division_is_floor_of_the_quotient():
    quotient = tf.constant([1.0, np.inf], tf.float32) // tf.constant([0.1, -2.5], tf.float32)
    assert _run(quotient).tolist() == [10.0, -np.inf]


def test_numpy_warnings_never_reach_the_user(recwarn):
    values = [np.inf, np.nan, 3e9]
    _run([tf.cast(tf.constant(values), tf.int32), tf.constant([1.0]) / 0.0,
          tf.reduce_mean(tf.constant([60000, 60000], tf.float16)),
          tf.constant(1e40, tf.float32), tf.constant(70000.0, tf.float16)])  # TF: inf, inf
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# --- dtype rules of mixed Python and tensor arguments (item 10) -------------------------------

def test_op_functions_convert_a_leading_python_number_by_itself():
    x64, f64 = tf.constant([1, 2], tf.int64), tf.constant([1.0], tf.float64)
    with pytest.raises(TypeError, match="Input 'y' of 'AddV2' Op has type int64"):
        tf.add(1, x64)
    with pytest.raises(TypeError, match="Input 'y' of 'Maximum' Op has type float64"):
        tf.maximum(0.0, f64)
    assert tf.add(x64, 1).dtype == tf.int64 and (1 + x64).dtype == tf.int64
    assert tf.divide(1, f64).dtype == tf.float64  # TF's divide adopts the tensor's dtype


def test_grad_ys_must_have_its_ys_dtype():
    x = tf.placeholder(tf.float64, [2])
    with pytest.raises(TypeError, match=r"grad_ys\[0\] has dtype float32"):
        tf.gradients(tf.reduce_sum(x * x), x, grad_ys=2.0)


def test_what_tf_accepts_is_accepted():
    ints = tf.constant([5, 3])
    results = [r.tolist() for r in _run([~ints, ints & 6, ints | 8, ints ^ 1])]
    assert results == [[-6, -4], [4, 2], [13, 11], [4, 2]]
    assert _run(tf.constant([5], tf.int64) - True).tolist() == [4]
    uints = tf.constant([3, 4], tf.uint32)
    quotient = uints / tf.constant([2, 8], tf.uint32)
    assert quotient.dtype == tf.float64 and _run(quotient).tolist() == [1.5, 0.5]
    spaced = tf.linspace(0, 10, 5)
    assert spaced.dtype == tf.float64 and _run(spaced).tolist() == [0, 2.5, 5, 7.5, 10]
    assert _run(tf.constant([[]], shape=[4])).tolist() == [0.0] * 4
    assert _run(tf.constant([True, False]) * tf.constant([True, True])).tolist() == [True, False]


@pytest.mark.parametrize("build", [
    lambda: tf.negative(tf.constant([1], tf.uint16)), lambda: -tf.constant([1], tf.uint8),
    lambda: tf.pow(tf.constant([1], tf.uint8), tf.constant([1], tf.uint8)),
    lambda: tf.truncatemod(tf.constant([1], tf.int8), tf.constant([1], tf.int8)),
    lambda: tf.real(tf.constant([True]))])
def test_what_tf_refuses_is_refused(build):
    with pytest.raises(TypeError):
        build()


# --- implicit ops and names (item 11) ---------------------------------------------------------

def test_reductions_and_arg_reductions_make_their_axis_constants_as_tf():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    unknown = tf.placeholder(tf.float32, name="u")
    tf.reduce_sum(x), tf.reduce_sum(unknown), tf.reduce_max(x, 1), tf.argmax(x)
    tf.cumsum(x), tf.constant(1.0)
    names = [f"{op.name}:{op.type}" for op in tf.get_default_graph().get_operations()]
    assert names == [  # recorded from TF 2.21
        "x:Placeholder", "u:Placeholder", "Const:Const", "Sum:Sum", "Rank:Rank",
        "range/start:Const", "range/delta:Const", "range:Range", "Sum_1:Sum",
        "Max/reduction_indices:Const", "Max:Max", "ArgMax/dimension:Const", "ArgMax:ArgMax",
        "Cumsum/axis:Const", "Cumsum:Cumsum", "Const_1:Const"]
    assert tf.reduce_sum(unknown).shape.as_list() == []


# --- compiled plans (item 4) -----------------------------------------------------------------

def test_a_gradient_fanning_out_through_a_dynamic_broadcast_runs():
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(2.0)
    h = y * w
    grad = tf.gradients(tf.reduce_sum(y * h + h), [w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(grad, {y: np.ones((3, 1), np.float32)}) == [6.0]  # TF: 6.0


def test_gradients_over_partly_known_and_unknown_shapes_run():
    x = tf.placeholder(tf.float32, [3, None])
    grad = _run(tf.gradients(tf.reduce_min(x), x)[0], {x: [[1, 2], [3, 0], [5, 6]]})
    assert grad.tolist() == [[0, 0], [0, 1], [0, 0]]
    c, p = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    grads = _run(tf.gradients(tf.reduce_sum(c * p), [c, p]), {c: [1.0, 2.0], p: [3.0, 4.0]})
    assert [g.tolist() for g in grads] == [[3.0, 4.0], [1.0, 2.0]]


def test_an_internal_failure_in_a_plan_is_an_internal_error(monkeypatch):
    from session_magic import errors, plan

    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.exp(x, name="grow")

    def broken(*args):
        raise NameError("name 't9_0' is not defined")
    compiled = plan.Plan([y], [x])
    monkeypatch.setattr(compiled, "_compiled", (broken, *compiled._compiled[1:]))
    with pytest.raises(errors.InternalError, match=r"compiled plan for 'grow:0'.*NameError"):
        compiled.run([np.zeros(2, np.float32)], None)
    assert errors.error_class_for(UnboundLocalError("t163_0")) is errors.InternalError


# --- shape inference (item 12) -------------------------------------------------------------------

def test_an_unknown_dim_broadcast_with_zero_stays_unknown():
    unknown, empty = tf.placeholder(tf.float32, [None]), tf.placeholder(tf.float32, [0])
    assert (unknown + empty).shape.as_list() == [None] == (empty + unknown).shape.as_list()
    assert (unknown + tf.placeholder(tf.float32, [3])).shape.as_list() == [3]


# --- var_list (item 13) ----------------------------------------------------------------------

@pytest.mark.parametrize("as_given", [lambda vs: vs.values(), lambda vs: (v for v in vs.values()),
                                      lambda vs: tuple(vs.values())],
                         ids=["dict-values", "generator", "tuple"])
def test_var_list_takes_any_iterable_of_variables(as_given):
    variables = {"w": tf.Variable(3.0), "b": tf.Variable(1.0)}
    loss = tf.square(variables["w"] * 2.0 + variables["b"])
    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=as_given(variables))
    pairs = tf.train.GradientDescentOptimizer(0.1).compute_gradients(
        loss, var_list=as_given(variables))
    assert [v for _, v in pairs] == list(variables.values())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        assert sess.run(list(variables.values())) == pytest.approx([0.2, -0.4])  # TF's values


def test_a_var_list_holding_something_else_names_var_list():
    with pytest.raises(TypeError, match="var_list must hold only Variables.*'nope'"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.Variable(1.0) * 2.0,
                                                        var_list=[tf.Variable(2.0), "nope"])


# --- softmax cross entropy over leading dimensions (item 14) ---------------------------------

@pytest.mark.parametrize("build", [tf.nn.softmax_cross_entropy_with_logits,
                                   tf.nn.softmax_cross_entropy_with_logits_v2])
def test_softmax_cross_entropy_flattens_leading_dims_as_tf(build):
    labels = tf.placeholder(tf.float32, [1, None, 7])
    logits = tf.placeholder(tf.float32, [None, 7])
    loss = build(labels=labels, logits=logits)
    assert loss.shape.as_list() == [None]
    rng = np.random.default_rng(0)
    feed = {labels: rng.random((1, 3, 7)), logits: rng.random((3, 7))}
    values, grad = _run([loss, tf.gradients(loss, logits)[0]], feed)
    np.testing.assert_allclose(values, [6.5137005, 7.3680596, 5.799174], rtol=1e-6)  # TF 2.21
    np.testing.assert_allclose(grad[0][:3], [-0.5542695, -0.12698366, 0.09852184], rtol=1e-5)


# --- sparse gradients and sparse optimizer updates (item 7) ----------------------------------

# NOTE: each optimizer's embedding after five steps of the same batches, recorded from TF 2.21;
# row 3 is never in a batch and keeps its initial value under every optimizer.
_SPARSE_EXPECTED = {
    'gd': [[0.488, 0.5392, 0.5904], [0.664, 0.712, 0.76], [0.808, 0.856, 0.904], [0.9, 1.0, 1.1]],
    'mom': [[0.938, 0.9442, 0.9504], [0.79, 0.82, 0.85], [0.952, 0.964, 0.976], [0.9, 1.0, 1.1]],
    'nest': [
        [1.108352, 1.097517, 1.086682],
        [1.00924, 1.00792, 1.0066],
        [1.07008, 1.05256, 1.03504],
        [0.9, 1.0, 1.1],
    ],
    'adagrad': [
        [0.217701, 0.316207, 0.414263],
        [0.483459, 0.581826, 0.679268],
        [0.732821, 0.827835, 0.91714],
        [0.9, 1.0, 1.1],
    ],
    'rms': [
        [0.068735, 0.164511, 0.259754],
        [0.340876, 0.436872, 0.532296],
        [0.629667, 0.723462, 0.816307],
        [0.9, 1.0, 1.1],
    ],
    'rmsc': [
        [0.071659, 0.166961, 0.26173],
        [0.342087, 0.437801, 0.532949],
        [0.630084, 0.723667, 0.816376],
        [0.9, 1.0, 1.1],
    ],
    'adam': [
        [0.406967, 0.506156, 0.605041],
        [0.54654, 0.646588, 0.746562],
        [0.918872, 1.010782, 1.091961],
        [0.9, 1.0, 1.1],
    ],
}
_OPTIMIZERS = {
    "gd": lambda: tf.train.GradientDescentOptimizer(0.1),
    "mom": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "nest": lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "rms": lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5),
    "rmsc": lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
    "adam": lambda: tf.train.AdamOptimizer(0.1)}


@pytest.mark.parametrize("name", sorted(_OPTIMIZERS))
def test_optimizers_apply_sparse_gradients_as_tf(name):
    emb = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3) / 10)
    ids = tf.placeholder(tf.int32, [None])
    loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(emb, ids) - 1.0))
    step = _OPTIMIZERS[name]().minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for batch in ([0, 2, 2], [1], [0], [2, 0], [1, 1]):
            sess.run(step, {ids: batch})
        np.testing.assert_allclose(sess.run(emb), _SPARSE_EXPECTED[name], rtol=2e-5)


def test_a_gather_gradient_runs_as_an_indexed_slices_value_and_converts_to_dense():
    params = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    grad = tf.gradients(tf.reduce_sum(tf.gather(params, [2, 0, 2])), params)[0]
    assert isinstance(grad, tf.IndexedSlices)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value, dense = sess.run([grad, tf.convert_to_tensor(grad)])
    assert isinstance(value, tf.IndexedSlicesValue) and value.indices.tolist() == [2, 0, 2]
    assert value.values.tolist() == [[1.0, 1.0]] * 3 and value.dense_shape.tolist() == [3, 2]
    assert dense.tolist() == [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]]


def test_a_cond_made_inside_control_dependencies_reads_the_updated_variable():
    v = tf.Variable(1.0)
    inc = tf.assign_add(v, 1.0)
    with tf.control_dependencies([inc]):
        out = tf.cond(tf.constant(True), lambda: v + 0.0, lambda: v - 1.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert [float(sess.run(out)) for _ in range(3)] == [2.0, 3.0, 4.0]  # TF 2.21
    assert tf.gradients(out, v)[0] is not None
