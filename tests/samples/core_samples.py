"""Samples for the graph's leaves, variables' state ops and control flow."""
import numpy as np

import session_magic as tf
from session_magic.ops import training_ops
from session_magic.ops.gradient_ops import sum_to_shape

from . import Sample, f32, i32


def _initialized(variable):
    """A read of `variable` that runs after its initializer, so the sample needs no set-up."""
    with tf.control_dependencies([variable.initializer]):
        return variable.read_value()


def _after_init(update, x):
    variable = tf.Variable(x, validate_shape=False)
    with tf.control_dependencies([variable.initializer]):
        return update(variable, x)


def _counting_loop(x):
    return tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc * 2.0),
                         [tf.constant(0), x])[1]


def _damped_loop(x, w):
    """Three steps of a <- sin(a) * w + a, w captured from outside the loop."""
    return tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, tf.sin(a) * w + a),
                         [tf.constant(0), x])[1]


def _damped_numpy(x, w):
    for _ in range(3):
        x = np.sin(x) * w + x
    return x


def _damped_gradients(x, w):
    """d(sum of the loop's result)/dx and /dw, by the chain rule over the three steps."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    values = [x]
    for _ in range(2):
        values.append(np.sin(values[-1]) * w + values[-1])
    grad_x, grad_w = np.ones_like(x), np.zeros_like(w)
    for a in reversed(values):
        grad_w += grad_x * np.sin(a)
        grad_x = grad_x * (np.cos(a) * w + 1.0)
    return [grad_x, grad_w]


def _checked_loop(x):
    """A loop whose body runs an op TF calls stateful (CheckNumerics): a While, not a
    StatelessWhile."""
    return tf.while_loop(lambda i, acc: i < 2,
                         lambda i, acc: (i + 1, tf.check_numerics(acc * 2.0, "bad")),
                         [tf.constant(0), x])[1]


def _scattered(update, rows, x):
    """`update` of rows [2, 0, 2] of a variable holding `rows`, after its initializer."""
    variable = tf.Variable(rows)
    with tf.control_dependencies([variable.initializer]):
        return update(variable, tf.constant([2, 0, 2]), x)


_ROWS = np.arange(12, dtype=np.float32).reshape(4, 3)


def _scattered_numpy(apply):
    def expect(x):
        result = _ROWS.copy()
        apply(result, np.array([2, 0, 2]), x)
        return result
    return expect


def _sparse_applied(apply, slot_values, hyper):
    """A sparse optimizer update of rows [1, 3] of a variable holding _ROWS, with slots."""
    def build(g):
        variables = [tf.Variable(v) for v in [_ROWS, *slot_values]]
        with tf.control_dependencies([v.initializer for v in variables]):
            refs = [v._variable_ref() for v in variables]
            return apply(*refs, *[tf.constant(h) for h in hyper[:-1]], g,
                         tf.constant([1, 3]), *([tf.constant(hyper[-1])] if hyper[-1] else []))
    return build


def _rows_updated(step):
    """The NumPy oracle: rows 1 and 3 of _ROWS moved by `step(var_rows, grad)`."""
    def expect(g):
        result = _ROWS.copy()
        result[[1, 3]] = step(_ROWS[[1, 3]], g)
        return result
    return expect


SAMPLES = [
    Sample("Const", lambda: tf.constant([[1, 2], [3, 4]]), expect=lambda: np.array([[1, 2], [3, 4]],
                                                                                   np.int32)),
    Sample("Const", lambda: tf.constant(2.5, shape=[2, 3]), expect=lambda: np.full((2, 3), 2.5,
                                                                                   np.float32),
           label="broadcast to shape"),
    Sample("Const", lambda: tf.constant("text"), expect=lambda: np.array(b"text", dtype=object),
           label="string"),
    Sample("Placeholder", lambda x: x * 2.0, [f32(2, 3)], expect=lambda x: x * 2,
           modes=("placeholder", "unknown_shape")),
    Sample("PlaceholderWithDefault", lambda x: tf.placeholder_with_default(x, shape=None) + 1.0,
           [f32(3)], expect=lambda x: x + 1),
    Sample("Identity", lambda x: tf.identity(x), [i32(4)], expect=lambda x: x),
    Sample("Identity", lambda x: tf.identity(x), [f32(2, 3)], expect=lambda x: x, label="float"),
    Sample("SumToShape", lambda g, like: sum_to_shape(g, like), [f32(4, 2, 3), f32(2, 1)],
           expect=lambda g, like: g.sum(axis=(0, 2), keepdims=True)[0]),
    Sample("StopGradient", lambda x: tf.stop_gradient(x), [f32(2, 2)], expect=lambda x: x),
    Sample("NoOp", lambda x: [tf.identity(x), tf.no_op()], [f32(2)], expect=lambda x: [x, None]),
    Sample("VariableV2", lambda x: _initialized(tf.Variable(x, validate_shape=False)),
           [f32(2, 3)], expect=lambda x: x),
    Sample("Assign", lambda x: tf.assign(tf.Variable(x, validate_shape=False), x * 2.0,
                                         validate_shape=False), [f32(3)], expect=lambda x: 2 * x),
    Sample("AssignAdd", lambda x: _after_init(tf.assign_add, x), [f32(3)],
           expect=lambda x: 2 * x),
    Sample("AssignSub", lambda x: _after_init(tf.assign_sub, x), [i32(3)],
           expect=lambda x: 0 * x),
    Sample("ScatterUpdate", lambda x: _scattered(tf.scatter_update, _ROWS, x), [f32(3, 3)],
           expect=_scattered_numpy(lambda r, i, u: r.__setitem__(i, u)), grad_check=False),
    Sample("ScatterAdd", lambda x: _scattered(tf.scatter_add, _ROWS, x), [f32(3, 3)],
           expect=_scattered_numpy(np.add.at), label="repeated rows add up"),
    Sample("ScatterSub", lambda x: _scattered(tf.scatter_sub, _ROWS, x), [f32(3, 3)],
           expect=_scattered_numpy(np.subtract.at)),
    Sample("ScatterMul", lambda x: _scattered(tf.scatter_mul, _ROWS, x), [f32(3, 3)],
           expect=_scattered_numpy(np.multiply.at)),
    Sample("ScatterMax", lambda x: _scattered(tf.scatter_max, _ROWS, x), [f32(3, 3, high=9.0)],
           expect=_scattered_numpy(np.maximum.at)),
    Sample("ScatterMin", lambda x: _scattered(tf.scatter_min, _ROWS, x), [f32(3, 3, high=9.0)],
           expect=_scattered_numpy(np.minimum.at)),
    Sample("SparseApplyMomentum",
           _sparse_applied(training_ops.sparse_apply_momentum, [np.ones((4, 3), np.float32)],
                           [np.float32(0.1), np.float32(0.9)]),
           [f32(2, 3)], expect=_rows_updated(lambda var, g: var - 0.1 * (0.9 + g))),
    Sample("SparseApplyAdagrad",
           _sparse_applied(training_ops.sparse_apply_adagrad, [np.ones((4, 3), np.float32)],
                           [np.float32(0.1), None]),
           [f32(2, 3)], expect=_rows_updated(lambda var, g: var - 0.1 * g / np.sqrt(1 + g * g)),
           rtol=1e-5),
    Sample("SparseApplyRMSProp",
           _sparse_applied(training_ops.sparse_apply_rms_prop,
                           [np.ones((4, 3), np.float32), np.zeros((4, 3), np.float32)],
                           [np.float32(0.01), np.float32(0.9), np.float32(0.5),
                            np.float32(1e-7), None]),
           [f32(2, 3)], rtol=1e-5, expect=_rows_updated(
               lambda var, g: var - 0.01 * g / np.sqrt(1 + (g * g - 1) * 0.1 + 1e-7))),
    Sample("SparseApplyCenteredRMSProp",
           _sparse_applied(training_ops.sparse_apply_centered_rms_prop,
                           [np.zeros((4, 3), np.float32), np.ones((4, 3), np.float32),
                            np.zeros((4, 3), np.float32)],
                           [np.float32(0.01), np.float32(0.9), np.float32(0.5),
                            np.float32(1e-7), None]),
           [f32(2, 3)], rtol=1e-5, expect=_rows_updated(
               lambda var, g: var - 0.01 * g / np.sqrt(1 + (g * g - 1) * 0.1 - (0.1 * g) ** 2
                                                        + 1e-7))),
    Sample("IsVariableInitialized",
           lambda x: tf.is_variable_initialized(tf.Variable(x, validate_shape=False)),
           [f32(2)], expect=lambda x: np.bool_(False)),
    Sample("ReportUninitializedVariables",
           lambda x: tf.report_uninitialized_variables([tf.Variable(x, validate_shape=False)]),
           [f32(2)], expect=lambda x: np.array([b"Variable"], dtype=object)),
    Sample("StatelessIf",
           lambda x: tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0),
           [f32(3)], expect=lambda x: x * 2 if x.sum() > 0 else x - 1),
    Sample("StatelessIf", lambda x: tf.cond(tf.reduce_sum(x) > 100, lambda: x * 2, lambda: x - 1),
           [i32(2, 2)], expect=lambda x: x - 1, label="false branch"),
    Sample("If", lambda x: tf.cond(tf.reduce_sum(x) > 0, lambda: tf.check_numerics(x * 2.0, "bad"),
                                   lambda: x - 1.0),
           [f32(3)], expect=lambda x: x * 2 if x.sum() > 0 else x - 1, label="stateful branch"),
    Sample("StatelessWhile", _counting_loop, [f32(2)], expect=lambda x: x * 8),
    Sample("StatelessWhile", _damped_loop, [f32(3), f32(3, seed=1)], expect=_damped_numpy,
           label="captured weight", rtol=1e-5),
    Sample("While", _checked_loop, [f32(2)], expect=lambda x: x * 4, label="stateful body"),
    Sample("WhileGrad", lambda x, w: tf.gradients(_damped_loop(x, w), [x, w]),
           [f32(3), f32(3, seed=1)], expect=_damped_gradients, rtol=1e-5),
]
