"""Samples for the op blocks of ops/nn_ops.py: activations, softmax, L2Loss, BiasAdd and the
cross-entropy losses, each against its NumPy formula."""
from __future__ import annotations

import numpy as np

import session_magic as sm

from . import Sample, f32, f64, i32

SAMPLES: list[Sample] = []

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _stable_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    exps = np.exp(x - x.max(axis=axis, keepdims=True))
    return exps / exps.sum(axis=axis, keepdims=True)


def _stable_log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _probabilities(*shape: int, seed: int = 0) -> np.ndarray:
    """Rows that sum to one, as softmax cross-entropy labels."""
    weights = f32(*shape, low=0.0, high=1.0, seed=seed)
    return (weights / weights.sum(axis=-1, keepdims=True)).astype(np.float32)


# Extreme logits check that the kernels are stable (no overflow to inf or nan).
_EXTREME = np.array([[1000.0, -1000.0, 0.0], [-50.0, 80.0, 80.0]], np.float32)

# --- activations ---------------------------------------------------------------------------------

_add(
    Sample("Relu", lambda x: sm.nn.relu(x), [f32(3, 4)], lambda x: np.maximum(x, 0)),
    Sample("Relu", lambda x: sm.nn.relu(x), [i32(6)], lambda x: np.maximum(x, 0), label="int32"),
    Sample("Relu6", lambda x: sm.nn.relu6(x), [f32(2, 5, low=-4, high=10)],
           lambda x: np.clip(x, 0, 6)),
    Sample("Relu6", lambda x: sm.nn.relu6(x), [i32(7, low=-3, high=12)],
           lambda x: np.clip(x, 0, 6), label="int32"),
    Sample("Elu", lambda x: sm.nn.elu(x), [f32(3, 3)],
           lambda x: np.where(x > 0, x, np.exp(x) - 1), rtol=1e-5),
    Sample("Elu", lambda x: sm.nn.elu(x), [f64(4)],
           lambda x: np.where(x > 0, x, np.exp(x) - 1), label="float64"),
    Sample("Selu", lambda x: sm.nn.selu(x), [f32(3, 3)],
           lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * (np.exp(x) - 1)), rtol=1e-5),
    Sample("LeakyRelu", lambda x: sm.nn.leaky_relu(x), [f32(2, 4)],
           lambda x: np.where(x > 0, x, 0.2 * x), label="default alpha 0.2"),
    Sample("LeakyRelu", lambda x: sm.nn.leaky_relu(x, alpha=0.01), [f64(5)],
           lambda x: np.where(x > 0, x, 0.01 * x), label="alpha 0.01"),
    Sample("LeakyRelu", lambda x: sm.nn.leaky_relu(x), [i32(5)],
           lambda x: np.where(x > 0, x, 0.2 * x).astype(np.float32), label="int cast to float"),
    Sample("Softplus", lambda x: sm.nn.softplus(x), [f32(3, 4)],
           lambda x: np.log1p(np.exp(x)), rtol=1e-5),
    Sample("Softplus", lambda x: sm.nn.softplus(x), [_EXTREME],
           lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))), label="stable"),
    Sample("Softsign", lambda x: sm.nn.softsign(x), [f32(2, 3)],
           lambda x: x / (1 + np.abs(x))),
)

# --- Softmax and LogSoftmax ----------------------------------------------------------------------

_add(
    Sample("Softmax", lambda x: sm.nn.softmax(x), [f32(4, 5)], _stable_softmax, rtol=1e-5),
    Sample("Softmax", lambda x: sm.nn.softmax(x), [_EXTREME], _stable_softmax, label="stable"),
    Sample("Softmax", lambda x: sm.nn.softmax(x), [f64(6)], _stable_softmax, label="rank 1"),
    # Another axis is swapped to the end with a transpose built from the static rank (TF 1
    # does the same), so these samples need inputs of known rank.
    Sample("Softmax", lambda x: sm.nn.softmax(x, axis=0), [f32(3, 4)],
           lambda x: _stable_softmax(x, axis=0), rtol=1e-5, unknown_shapes=False,
           label="axis 0 (needs the rank to swap axes, as TF 1)"),
    Sample("Softmax", lambda x: sm.nn.softmax(x, dim=1), [f32(2, 3, 4)],
           lambda x: _stable_softmax(x, axis=1), rtol=1e-5, unknown_shapes=False,
           label="TF 1 dim alias"),
    Sample("LogSoftmax", lambda x: sm.nn.log_softmax(x), [f32(4, 5)], _stable_log_softmax,
           rtol=1e-5),
    Sample("LogSoftmax", lambda x: sm.nn.log_softmax(x), [_EXTREME], _stable_log_softmax,
           label="stable"),
)

# --- L2Loss and BiasAdd --------------------------------------------------------------------------

_add(
    Sample("L2Loss", lambda t: sm.nn.l2_loss(t), [f32(3, 4)],
           lambda t: np.float32(np.sum(t.astype(np.float64) ** 2) / 2), rtol=1e-5),
    Sample("L2Loss", lambda t: sm.nn.l2_loss(t), [f64(5)], lambda t: np.sum(t ** 2) / 2,
           label="float64"),
    Sample("BiasAdd", lambda v, b: sm.nn.bias_add(v, b), [f32(2, 3), f32(3, seed=1)],
           lambda v, b: v + b),
    Sample("BiasAdd", lambda v, b: sm.nn.bias_add(v, b), [f32(2, 3, 4), f32(4, seed=1)],
           lambda v, b: v + b, label="rank 3"),
    Sample("BiasAdd", lambda v, b: sm.nn.bias_add(v, b, data_format="NCHW"),
           [f32(2, 3, 4, 5), f32(3, seed=1)], lambda v, b: v + b.reshape(3, 1, 1),
           label="NCHW"),
    Sample("BiasAdd", lambda v, b: sm.nn.bias_add(v, b), [i32(2, 3), i32(3, seed=1)],
           lambda v, b: v + b, label="int32"),
)

# --- cross entropies -----------------------------------------------------------------------------


def _xent(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return -np.sum(labels * _stable_log_softmax(logits), axis=-1)


def _sparse_xent(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    log_probs = _stable_log_softmax(logits)
    return -np.take_along_axis(log_probs, labels[..., None].astype(np.intp), axis=-1)[..., 0]


def _sparse_backprop(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    one_hot = np.eye(logits.shape[-1], dtype=logits.dtype)[labels]
    return _stable_softmax(logits) - one_hot


def _sigmoid_xent(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


_LABELS = np.array([0, 4, 2, 1], np.int32)

_add(
    Sample("SoftmaxCrossEntropyWithLogits",
           lambda x, y: sm.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x),
           [f32(4, 5), _probabilities(4, 5)], _xent, rtol=1e-5),
    Sample("SoftmaxCrossEntropyWithLogits",
           lambda x, y: sm.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x).op.outputs,
           [f64(3, 4), _probabilities(3, 4).astype(np.float64)],
           lambda x, y: [_xent(x, y), _stable_softmax(x) - y], label="loss and backprop",
           modes=("constant", "placeholder")),  # NOTE: of unknown rank, TF's reshapes come in
    # NOTE: v1 stops the labels' gradient on purpose, which finite differences cannot know.
    Sample("SoftmaxCrossEntropyWithLogits",
           lambda x, y: sm.nn.softmax_cross_entropy_with_logits(labels=y, logits=x),
           [_EXTREME, _probabilities(2, 3)], _xent, rtol=1e-5, label="v1, stable",
           grad_check=False),
    # axis 0 is moved to the end with a transpose built from the static rank: known shapes only.
    Sample("SoftmaxCrossEntropyWithLogits",
           lambda x, y: sm.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x, axis=0),
           [f32(5, 3), _probabilities(3, 5).T.copy()],
           lambda x, y: _xent(x.T, y.T), rtol=1e-5, unknown_shapes=False, label="axis 0"),
    Sample("SoftmaxCrossEntropyWithLogits",
           lambda x, y: sm.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x),
           [f32(2, 3, 4), _probabilities(2, 3, 4)], _xent, rtol=1e-5, label="rank 3"),
    Sample("SparseSoftmaxCrossEntropyWithLogits",
           lambda x, y: sm.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x),
           [f32(4, 5), _LABELS], _sparse_xent, rtol=1e-5),
    Sample("SparseSoftmaxCrossEntropyWithLogits",
           lambda x, y: sm.nn.sparse_softmax_cross_entropy_with_logits(
               labels=y, logits=x).op.outputs,
           [f64(4, 5), _LABELS.astype(np.int64)],
           lambda x, y: [_sparse_xent(x, y), _sparse_backprop(x, y)],
           label="int64 labels, loss and backprop"),
    Sample("SparseSoftmaxCrossEntropyWithLogits",
           lambda x, y: sm.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x),
           [_EXTREME, np.array([1, 2], np.int32)], _sparse_xent, label="stable"),
    Sample("Select",
           lambda x, z: sm.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
           [np.concatenate([f32(6), _EXTREME[0]]), f32(9, low=0.0, high=1.0, seed=3)],
           _sigmoid_xent, rtol=1e-5, label="sigmoid cross entropy (a composite)",
           grad_check=False),  # NOTE: extreme logits defeat finite differences.
)
