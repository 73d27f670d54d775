"""Variables: TF 1's op layout and names, initialization, per-session state, assignment, and
variable_scope/get_variable reuse rules, with TF 1's texts as the oracle."""
import numpy as np
import pytest

import session_magic as tf
from session_magic import initializers


def _op_names():
    return [op.name for op in tf.get_default_graph().get_operations()]


# --- layout and identity -------------------------------------------------------------------------

def test_variable_is_four_ops_named_as_tf1():
    v = tf.Variable([1.0, 2.0])
    assert _op_names() == ["Variable/initial_value", "Variable", "Variable/Assign",
                           "Variable/read"]
    assert (v.name, v.op.name, v.op.type) == ("Variable:0", "Variable", "VariableV2")
    assert (v.initializer.name, v.initial_value.name, v.value().name) == (
        "Variable/Assign", "Variable/initial_value:0", "Variable/read:0")


def test_variable_names_are_uniquified_and_scoped():
    assert tf.Variable(1.0).name == "Variable:0" and tf.Variable(1.0).name == "Variable_1:0"
    assert tf.Variable(1.0, name="w").name == "w:0" and tf.Variable(1.0, name="w").name == "w_1:0"
    with tf.name_scope("layer"):
        assert tf.Variable(1.0).name == "layer/Variable:0"


def test_variable_shape_dtype_and_repr():
    v = tf.Variable(np.zeros((2, 3)), dtype=tf.float32)
    assert v.shape.as_list() == [2, 3] and v.get_shape() == v.shape and v.dtype is tf.float32
    assert repr(v) == "<tf.Variable 'Variable:0' shape=(2, 3) dtype=float32_ref>"
    assert tf.Variable(1).dtype is tf.int32


def test_variable_constructor_errors():
    with pytest.raises(ValueError, match="initial_value must be specified."):
        tf.Variable()
    with pytest.raises(ValueError, match="dtype must also be specified when initial_value is "
                                         "callable."):
        tf.Variable(lambda: [1.0])
    with pytest.raises(ValueError, match="initial_value must have a shape specified"):
        tf.Variable(tf.placeholder(tf.float32, [None]))


def test_variable_from_a_callable_builds_its_value_in_an_initializer_scope():
    v = tf.Variable(lambda: tf.constant([1.0, 2.0]), dtype=tf.float32, name="v")
    assert v.initial_value.op.name == "v/Initializer/Const"
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v).tolist() == [1.0, 2.0]


def test_variable_is_not_iterable():
    with pytest.raises(TypeError, match="'Variable' object is not iterable."):
        iter(tf.Variable([1, 2]))


# --- initialization ------------------------------------------------------------------------------

def test_uninitialized_read_raises_failed_precondition():
    v = tf.Variable(1.0)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value Variable") as caught:
            sess.run(v + 1.0)
    assert caught.value.op.name == "Variable/read"


def test_initializer_initial_value_and_read_value():
    v = tf.Variable([3, 4])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.initial_value).tolist() == [3, 4]
        assert sess.run(v.read_value()).tolist() == [3, 4]
        assert v.eval().tolist() == [3, 4]


def test_global_variables_initializer_is_named_init_and_sees_only_existing_variables():
    early = tf.Variable(1.0, name="early")
    init = tf.global_variables_initializer()
    late = tf.Variable(2.0, name="late")
    assert init.name == "init" and init.type == "NoOp"
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run(early) == 1.0
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value late"):
            sess.run(late)


def test_initializer_with_no_variables_is_a_no_op():
    init = tf.global_variables_initializer()
    assert init.type == "NoOp" and init.name == "init"
    with tf.Session() as sess:
        assert sess.run(init) is None


def test_variables_initializer_initializes_only_its_list():
    a, b = tf.Variable(1, name="a"), tf.Variable(2, name="b")
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([b]))
        assert sess.run(b) == 2
        assert sess.run(tf.report_uninitialized_variables()).tolist() == [b"a"]
        assert sess.run(tf.is_variable_initialized(a)) == False  # noqa: E712 - numpy bool


def test_global_and_trainable_variables():
    trained = tf.Variable(1.0, name="trained")
    frozen = tf.Variable(1.0, name="frozen", trainable=False)
    assert tf.global_variables() == [trained, frozen]
    assert tf.trainable_variables() == [trained]
    assert trained.trainable and not frozen.trainable


# --- per-session state ---------------------------------------------------------------------------

def test_two_sessions_on_one_graph_hold_separate_values():
    v = tf.Variable(0)
    increment = v.assign_add(1)
    first, second = tf.Session(), tf.Session()
    first.run(v.initializer)
    second.run(v.initializer)
    first.run(increment)
    first.run(increment)
    assert (first.run(v), second.run(v)) == (2, 0)


def test_a_new_session_after_close_starts_uninitialized():
    v = tf.Variable(5)
    with tf.Session() as sess:
        sess.run(v.initializer)
    with tf.Session() as fresh:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value"):
            fresh.run(v)


# --- assignment ----------------------------------------------------------------------------------

def test_assign_ops_return_the_new_value():
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.assign([5.0, 6.0])).tolist() == [5.0, 6.0]
        assert sess.run(v.assign_add([1.0, 1.0])).tolist() == [6.0, 7.0]
        assert sess.run(v.assign_sub([2.0, 2.0])).tolist() == [4.0, 5.0]
        assert sess.run(v).tolist() == [4.0, 5.0]


def test_assign_does_nothing_until_run():
    v = tf.Variable(1)
    assign = v.assign(10)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v) == 1
        sess.run(assign)
        assert sess.run(v) == 10


def test_load_stores_a_value_without_adding_ops():
    v = tf.Variable([0.0, 0.0])
    with tf.Session() as sess:
        version = tf.get_default_graph().version
        v.load([3.0, 4.0])
        assert sess.run(v).tolist() == [3.0, 4.0]
        v.load([1.0, 1.0], sess)
        assert v.eval(sess).tolist() == [1.0, 1.0]
        assert tf.get_default_graph().version == version


def test_load_without_a_session_raises():
    v = tf.Variable(1.0)
    with pytest.raises(ValueError, match="Either session argument should be provided or default "
                                         "session should be established"):
        v.load(2.0)


def test_assign_with_a_wrong_shape_fails_while_building():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(3,\) are incompatible"):
        v.assign([1.0, 2.0, 3.0])


def test_assign_with_a_wrong_dtype_raises_type_error():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(TypeError, match="Input 'value' of 'Assign' Op has type int32 that does "
                                        "not match type float32 of argument 'ref'."):
        v.assign(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="Expected int32, got 1.5 of type 'float' instead."):
        tf.Variable(1).assign(1.5)


def test_variables_work_with_tensor_operators():
    v = tf.Variable(3.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([v + 1.0, 2.0 * v, -v, v / 2.0]) == [4.0, 6.0, -3.0, 1.5]


# --- variable_scope and get_variable -------------------------------------------------------------

def test_get_variable_names_by_scope_and_opens_a_name_scope():
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", initializer=tf.constant([1.0, 2.0]))
        y = w * 2.0
    assert w.name == "layer/w:0" and y.op.name == "layer/mul"
    assert tf.get_variable_scope().name == ""


def test_get_variable_existing_without_reuse_raises():
    with tf.variable_scope("layer"):
        tf.get_variable("w", initializer=tf.constant(1.0))
    with pytest.raises(ValueError, match="Variable layer/w already exists, disallowed. Did you "
                                         "mean to set reuse=True or reuse=tf.AUTO_REUSE in "
                                         "VarScope\\? Originally defined at:"):
        with tf.variable_scope("layer"):
            tf.get_variable("w", initializer=tf.constant(1.0))


def test_get_variable_reuse_true_returns_the_same_variable():
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", initializer=tf.constant([1.0]))
    with tf.variable_scope("layer", reuse=True):
        again = tf.get_variable("w")
        with tf.variable_scope("inner"):
            assert tf.get_variable_scope().reuse is True
    assert again is w


def test_get_variable_reuse_of_a_missing_variable_raises():
    with pytest.raises(ValueError, match="Variable layer/missing does not exist, or was not "
                                         "created with tf.get_variable\\(\\). Did you mean to set "
                                         "reuse=tf.AUTO_REUSE in VarScope\\?"):
        with tf.variable_scope("layer", reuse=True):
            tf.get_variable("missing", [1])


def test_auto_reuse_creates_then_reuses():
    def layer():
        with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
            return tf.get_variable("w", initializer=tf.constant([1.0]))
    assert layer() is layer()
    assert len(tf.global_variables()) == 1


def test_reuse_variables_turns_reuse_on_for_the_rest_of_the_scope():
    with tf.variable_scope("layer") as scope:
        w = tf.get_variable("w", initializer=tf.constant(1.0))
        scope.reuse_variables()
        assert tf.get_variable("w") is w


def test_reuse_with_a_mismatched_shape_or_dtype_raises():
    with tf.variable_scope("layer"):
        tf.get_variable("w", initializer=tf.constant([1.0, 2.0]))
    with tf.variable_scope("layer", reuse=True):
        with pytest.raises(ValueError, match=r"Trying to share variable layer/w, but specified "
                                             r"shape \(3,\) and found shape \(2,\)."):
            tf.get_variable("w", [3])
        with pytest.raises(ValueError, match="Trying to share variable layer/w, but specified "
                                             "dtype int32 and found dtype float32."):
            tf.get_variable("w", dtype=tf.int32)


def test_reentering_a_variable_scope_keeps_names_but_uniquifies_the_name_scope():
    with tf.variable_scope("layer") as scope:
        pass
    with tf.variable_scope("layer", reuse=tf.AUTO_REUSE):
        w = tf.get_variable("w", initializer=tf.constant(1.0))
        y = w + 1.0
    with tf.variable_scope(scope):
        assert tf.get_name_scope() == "layer"
    assert w.name == "layer/w:0" and y.op.name == "layer_1/add"


def test_variable_scope_default_names_are_uniquified():
    with tf.variable_scope(None, default_name="dense") as first:
        pass
    with tf.variable_scope(None, default_name="dense") as second:
        pass
    assert (first.name, second.name) == ("dense", "dense_1")


def test_get_variable_trainable_false_is_not_trainable():
    frozen = tf.get_variable("frozen", initializer=tf.constant(1.0), trainable=False)
    assert frozen in tf.global_variables() and frozen not in tf.trainable_variables()


# --- get_variable with initializers --------------------------------------------------------------

def _initialized(*variables):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(variables))


def test_get_variable_with_constant_zeros_and_ones_initializers():
    filled = tf.get_variable("filled", [2, 3], initializer=initializers.constant_initializer(1.5))
    zeros = tf.get_variable("zeros", [2], initializer=initializers.zeros_initializer())
    ones = tf.get_variable("ones", [2], dtype=tf.int32, initializer=initializers.ones_initializer)
    values = _initialized(filled, zeros, ones)
    assert [v.tolist() for v in values] == [[[1.5] * 3] * 2, [0.0, 0.0], [1, 1]]
    assert filled.initial_value.op.name == "filled/Initializer/Const" and ones.dtype is tf.int32


def test_get_variable_with_a_seeded_random_initializer_is_reproducible():
    def draw():
        tf.reset_default_graph()
        init = initializers.random_normal_initializer(mean=2.0, stddev=0.5, seed=7)
        return _initialized(tf.get_variable("w", [4000], initializer=init))[0]
    first = draw()
    np.testing.assert_array_equal(first, draw())
    assert abs(first.mean() - 2.0) < 0.05 and abs(first.std() - 0.5) < 0.05


def test_get_variable_default_initializers_are_glorot_uniform_and_zeros():
    weights = tf.get_variable("weights", [30, 40])
    counts = tf.get_variable("counts", [3], dtype=tf.int64)
    weight_values, count_values = _initialized(weights, counts)
    limit = np.sqrt(6.0 / (30 + 40))
    assert weight_values.dtype == np.float32 and np.abs(weight_values).max() <= limit
    assert weight_values.std() > limit / 3 and count_values.tolist() == [0, 0, 0]


def test_get_variable_new_variable_needs_a_full_shape():
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("partial", [None, 3])


def test_variable_scope_sets_default_initializer_and_dtype():
    with tf.variable_scope("s", initializer=initializers.constant_initializer(3.0),
                           dtype=tf.float64):
        x = tf.get_variable("x", [2])
    assert x.dtype is tf.float64 and _initialized(x)[0].tolist() == [3.0, 3.0]


def test_get_variable_ignores_name_scopes_but_variable_does_not():
    with tf.name_scope("ns"):
        by_get = tf.get_variable("y", initializer=tf.constant(1.0))
        by_class = tf.Variable(1.0, name="z")
    assert (by_get.name, by_class.name) == ("y:0", "ns/z:0")


def test_initialized_value_orders_dependent_initializers():
    v = tf.Variable(3.0)
    doubled = tf.Variable(v.initialized_value() * 2.0)
    assert _initialized(v, doubled) == [3.0, 6.0]


def test_local_variables_have_their_own_initializer():
    local = tf.get_local_variable("step", initializer=tf.constant(0))
    assert tf.local_variables() == [local] and tf.global_variables() == []
    assert tf.global_variables_initializer().name == "init"
    init_local = tf.local_variables_initializer()
    assert init_local.name == "init_1"
    with tf.Session() as sess:
        sess.run(init_local)
        assert sess.run(local) == 0


def test_get_variable_regularizer_adds_its_loss_under_tfs_name():
    g = tf.Graph()
    with g.as_default():
        with tf.variable_scope("layer"):
            w = tf.get_variable("w", initializer=tf.constant([[1.0, -2.0]]),
                                regularizer=lambda v: 0.5 * tf.reduce_sum(tf.square(v)))
        with tf.variable_scope("other", regularizer=lambda v: tf.reduce_sum(tf.abs(v))):
            tf.get_variable("v", initializer=tf.constant([3.0, -4.0]))
            tf.get_variable("quiet", [1], regularizer=lambda v: None)
        losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        assert [loss.op.name for loss in losses] == ["layer/w/Regularizer/mul",
                                                     "other/v/Regularizer/Sum"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(losses) == [2.5, 7.0]
        assert w.name == "layer/w:0"


@pytest.mark.parametrize("argument", ["partitioner", "custom_getter", "constraint"])
def test_get_variable_refuses_what_it_cannot_do_yet(argument):
    with tf.Graph().as_default():
        with pytest.raises(NotImplementedError, match=f"get_variable\\({argument}=...\\) is not"):
            tf.get_variable("w", [2], **{argument: lambda *a, **k: None})


@pytest.mark.parametrize("argument", ["partitioner", "custom_getter", "constraint"])
def test_variable_scope_refuses_what_it_cannot_do_yet(argument):
    with tf.Graph().as_default():
        with pytest.raises(NotImplementedError, match=f"variable_scope\\({argument}=...\\)"):
            with tf.variable_scope("s", **{argument: lambda *a, **k: None}):
                pass
