"""Samples for the optimizers' training ops (Apply*, SparseApply*): one update of a variable and
its slots, checked against TF's documented update written out in NumPy (float64). The training
ops have no gradient (TF registers none), so no sample asks for one."""
import numpy as np

import session_magic as tf
from session_magic.ops import training_ops as ops

from . import Sample, f32

_VAR = (np.arange(12, dtype=np.float32).reshape(4, 3) - 5.0) / 4.0
_ROWS = [1, 3]
_ONES, _ZEROS = np.ones((4, 3), np.float32), np.zeros((4, 3), np.float32)
_HALVES = np.full((4, 3), 0.5, np.float32)


def _applied(apply, slots, before, after=(), sparse=False):
    """`apply(var, *slots, *before, grad[, indices], *after)` on a variable holding _VAR, run
    after the variables' initializers; sparse updates touch rows _ROWS. TF1's ref variables
    (`use_resource=False`), so TF's own training ops record the goldens."""
    def build(g):
        variables = [tf.Variable(v, use_resource=False) for v in [_VAR, *slots]]
        with tf.control_dependencies([v.initializer for v in variables]):
            indices = [tf.constant(_ROWS)] if sparse else []
            return apply(*variables, *[tf.constant(np.float32(h)) for h in before], g, *indices,
                         *[tf.constant(np.float32(h)) for h in after])
    return build


def _expected(step, slots, sparse=False):
    """The oracle: `step(var, *slots, grad)` -> new var, in float64, on every row or on _ROWS."""
    def expect(g):
        result = _VAR.astype(np.float64)
        rows = _ROWS if sparse else slice(None)
        result[rows] = step(result[rows], *[s.astype(np.float64)[rows] for s in slots],
                            g.astype(np.float64))
        return result.astype(np.float32)
    return expect


def _shrink(prox, threshold):
    return np.sign(prox) * np.maximum(np.abs(prox) - threshold, 0.0)


def _proximal_gd(var, g):
    return _shrink(var - 0.1 * g, 0.1 * 0.2) / (1 + 0.1 * 0.3)


def _momentum(var, accum, g):
    return var - 0.1 * (accum * 0.9 + g)


def _nesterov(var, accum, g):
    accum = accum * 0.9 + g
    return var - (g * 0.1 + accum * 0.9 * 0.1)


def _adagrad(var, accum, g):
    return var - 0.1 * g / np.sqrt(accum + g * g)


def _proximal_adagrad(var, accum, g):
    rate = 0.1 / np.sqrt(accum + g * g)
    return _shrink(var - rate * g, rate * 0.05) / (1 + rate * 0.2)


def _adadelta(var, accum, accum_update, g):
    accum = 0.9 * accum + 0.1 * g * g
    update = np.sqrt(accum_update + 1e-3) / np.sqrt(accum + 1e-3) * g
    return var - 0.5 * update


def _rms_prop(var, ms, mom, g):
    ms = 0.9 * ms + 0.1 * g * g
    return var - (0.5 * mom + 0.01 * g / np.sqrt(ms + 1e-7))


def _centered_rms_prop(var, mg, ms, mom, g):
    ms = 0.9 * ms + 0.1 * g * g
    mg = 0.9 * mg + 0.1 * g
    return var - (0.5 * mom + 0.01 * g / np.sqrt(ms - mg * mg + 1e-7))


def _adam(var, m, v, g, nesterov=False):
    alpha = 0.1 * np.sqrt(1 - 0.81) / (1 - 0.8)   # beta powers 0.8 and 0.81: a third step
    m = 0.8 * m + 0.2 * g
    v = 0.9 * v + 0.1 * g * g
    moved = 0.8 * m + 0.2 * g if nesterov else m
    return var - alpha * moved / (np.sqrt(v) + 1e-4)


def _ftrl(power, shrinkage=0.0):
    """FTRL-Proximal's closed form, lr 0.3, l1 0.05, l2 0.1, `power` = -learning_rate_power."""
    def step(var, accum, linear, g):
        new_accum = accum + g * g
        sigma = (new_accum ** power - accum ** power) / 0.3
        linear = linear + g + 2 * shrinkage * var - sigma * var
        quadratic = new_accum ** power / 0.3 + 2 * 0.1
        return np.where(np.abs(linear) > 0.05, (0.05 * np.sign(linear) - linear) / quadratic, 0)
    return step


_LINEAR = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
_ADAM_SLOTS = [_VAR / 10, _HALVES]

# NOTE: each row: (op type, builder, slots, hyperparameters before grad, after, NumPy step).
_TABLE = [
    ("GradientDescent", ops.apply_gradient_descent, [], [0.1], [], lambda var, g: var - 0.1 * g),
    ("ProximalGradientDescent", ops.apply_proximal_gradient_descent, [], [0.1, 0.2, 0.3], [],
     _proximal_gd),
    ("Momentum", ops.apply_momentum, [_ONES], [0.1], [0.9], _momentum),
    ("Adagrad", ops.apply_adagrad, [_ONES], [0.1], [], _adagrad),
    ("ProximalAdagrad", ops.apply_proximal_adagrad, [_HALVES], [0.1, 0.05, 0.2], [],
     _proximal_adagrad),
    ("Adadelta", ops.apply_adadelta, [_HALVES, _ONES], [0.5, 0.9, 1e-3], [], _adadelta),
    ("RMSProp", ops.apply_rms_prop, [_ONES, _HALVES], [0.01, 0.9, 0.5, 1e-7], [], _rms_prop),
    ("CenteredRMSProp", ops.apply_centered_rms_prop, [_ZEROS, _ONES, _HALVES],
     [0.01, 0.9, 0.5, 1e-7], [], _centered_rms_prop),
    ("Ftrl", ops.apply_ftrl, [_HALVES, _LINEAR], [], [0.3, 0.05, 0.1, -0.5], _ftrl(0.5)),
    ("FtrlV2", ops.apply_ftrl_v2, [_HALVES, _LINEAR], [], [0.3, 0.05, 0.1, 0.2, -0.5],
     _ftrl(0.5, shrinkage=0.2)),
]

_SPARSE = {
    "Momentum": ops.sparse_apply_momentum,
    "Adagrad": ops.sparse_apply_adagrad,
    "ProximalGradientDescent": ops.sparse_apply_proximal_gradient_descent,
    "ProximalAdagrad": ops.sparse_apply_proximal_adagrad,
    "Adadelta": ops.sparse_apply_adadelta,
    "Ftrl": ops.sparse_apply_ftrl,
    "FtrlV2": ops.sparse_apply_ftrl_v2,
}

SAMPLES = [
    Sample("Apply" + kind, _applied(apply, slots, before, after), [f32(4, 3)],
           expect=_expected(step, slots), rtol=1e-5, atol=1e-6, grad_check=False)
    for kind, apply, slots, before, after, step in _TABLE
]
SAMPLES += [
    Sample("SparseApply" + kind, _applied(_SPARSE[kind], slots, before, after, sparse=True),
           [f32(2, 3)], expect=_expected(step, slots, sparse=True), rtol=1e-5, atol=1e-6,
           grad_check=False, label="of Variables")
    for kind, apply, slots, before, after, step in _TABLE if kind in _SPARSE
]
SAMPLES += [
    Sample("ApplyMomentum",
           _applied(lambda *a: ops.apply_momentum(*a, use_nesterov=True), [_ONES], [0.1], [0.9]),
           [f32(4, 3)], expect=_expected(_nesterov, [_ONES]), rtol=1e-5, label="nesterov",
           grad_check=False),
    Sample("ApplyFtrl", _applied(ops.apply_ftrl, [_HALVES, _LINEAR], [], [0.3, 0.05, 0.1, -1.0]),
           [f32(4, 3)], expect=_expected(_ftrl(1.0), [_HALVES, _LINEAR]), rtol=1e-5,
           label="learning_rate_power -1", grad_check=False),
    Sample("ApplyAdam", _applied(ops.apply_adam, _ADAM_SLOTS, [0.8, 0.81, 0.1, 0.8, 0.9, 1e-4]),
           [f32(4, 3)], expect=_expected(_adam, _ADAM_SLOTS), rtol=1e-5, grad_check=False),
    Sample("ApplyAdam",
           _applied(lambda *a: ops.apply_adam(*a, use_nesterov=True), _ADAM_SLOTS,
                    [0.8, 0.81, 0.1, 0.8, 0.9, 1e-4]),
           [f32(4, 3)], expect=_expected(lambda *a: _adam(*a, nesterov=True), _ADAM_SLOTS),
           rtol=1e-5, label="nesterov", grad_check=False),
]
