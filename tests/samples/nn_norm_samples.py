"""Samples for the normalisation, embedding-sharding and candidate-sampling op blocks of
ops/nn_ops.py (FusedBatchNormV3, LRN, DynamicPartition, ParallelDynamicStitch, the samplers),
each against its NumPy formula."""
from __future__ import annotations

import numpy as np

import session_magic as sm
from session_magic.ops import nn_ops

from . import Sample, f32

SAMPLES: list[Sample] = []
_EPSILON = 0.001
_MEAN, _VARIANCE = f32(3, seed=9), f32(3, low=0.5, high=2.0, seed=10)


def _batch_norm(x: np.ndarray, scale: np.ndarray, offset: np.ndarray, axes: tuple,
                shape: tuple) -> list:
    mean, variance = x.mean(axis=axes), x.var(axis=axes)
    count = x.size // scale.size
    y = (x - mean.reshape(shape)) / np.sqrt(variance.reshape(shape) + _EPSILON) * \
        scale.reshape(shape) + offset.reshape(shape)
    return [y, mean, variance * count / (count - 1)]


def _inference(x: np.ndarray, scale: np.ndarray, offset: np.ndarray, mean: np.ndarray,
               variance: np.ndarray) -> np.ndarray:
    return (x - mean) / np.sqrt(variance + _EPSILON) * scale + offset


def _batch_norm_backprop(dy: np.ndarray, x: np.ndarray, scale: np.ndarray) -> list:
    axes = (0, 1, 2)
    mean, variance = x.mean(axis=axes), x.var(axis=axes)
    normalized = (x - mean) / np.sqrt(variance + _EPSILON)
    grad_offset, grad_scale = dy.sum(axis=axes), (dy * normalized).sum(axis=axes)
    count = x.size // scale.size
    grad_x = scale / np.sqrt(variance + _EPSILON) * (
        dy - grad_offset / count - normalized * grad_scale / count)
    return [grad_x, grad_scale, grad_offset]


def _backprop_op(dy, x, scale):
    _, mean, _ = sm.nn.fused_batch_norm(x, scale, sm.zeros_like(scale))
    op = mean.op
    outputs = sm.ops.registry.apply_op(
        "FusedBatchNormGradV3", [dy, x, scale, op.outputs[3], op.outputs[4], op.outputs[5]],
        {"epsilon": _EPSILON, "data_format": "NHWC", "is_training": True})._outputs
    return list(outputs[:3])


SAMPLES.extend([
    Sample("FusedBatchNormV3", lambda x, s, o: list(sm.nn.fused_batch_norm(x, s, o)),
           [f32(2, 3, 2, 4), f32(4, low=0.5, seed=1), f32(4, seed=2)],
           lambda x, s, o: _batch_norm(x, s, o, (0, 1, 2), (4,)), rtol=1e-4, atol=1e-5,
           label="training, NHWC",
           grad_check=False),  # NOTE: TF's rule ignores the gradients of the batch moments
    Sample("FusedBatchNormV3", lambda x, s, o: sm.nn.fused_batch_norm(x, s, o)[0],
           [f32(3, 2, 2, 2, seed=14), f32(2, low=0.5, seed=15), f32(2, seed=16)],
           lambda x, s, o: _batch_norm(x, s, o, (0, 1, 2), (2,))[0], rtol=1e-4, atol=1e-5,
           label="training, NHWC, y"),
    Sample("FusedBatchNormV3",
           lambda x, s, o: sm.nn.fused_batch_norm(x, s, o, data_format="NCHW")[0],
           [f32(2, 3, 2, 2, seed=3), f32(3, low=0.5, seed=4), f32(3, seed=5)],
           lambda x, s, o: _batch_norm(x, s, o, (0, 2, 3), (1, 3, 1, 1))[0], rtol=1e-4,
           atol=1e-5, label="training, NCHW"),
    Sample("FusedBatchNormV3",
           lambda x, s, o: sm.nn.fused_batch_norm(x, s, o, sm.constant(_MEAN, x.dtype),
                                                  sm.constant(_VARIANCE, x.dtype),
                                                  is_training=False)[0],
           [f32(2, 2, 2, 3, seed=6), f32(3, low=0.5, seed=7), f32(3, seed=8)],
           lambda x, s, o: _inference(x, s, o, _MEAN, _VARIANCE), rtol=1e-4, atol=1e-5,
           label="inference"),  # NOTE: as TF, no gradient into the given mean and variance
    Sample("FusedBatchNormGradV3", _backprop_op,
           [f32(2, 2, 3, 3, seed=11), f32(2, 2, 3, 3, seed=12), f32(3, low=0.5, seed=13)],
           _batch_norm_backprop, rtol=1e-4, atol=1e-5, grad_check=False),
])


def _window_sums(values: np.ndarray, radius: int) -> np.ndarray:
    depth = values.shape[-1]
    return np.stack([values[..., max(0, c - radius):c + radius + 1].sum(-1)
                     for c in range(depth)], -1)


def _lrn(x: np.ndarray, radius: int = 2, bias: float = 1.0, alpha: float = 0.5,
         beta: float = 0.75) -> np.ndarray:
    return x / (bias + alpha * _window_sums(x * x, radius)) ** beta


def _lrn_grad(g: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Forward-mode through the formula: one finite difference per element would be slower."""
    norm = 1 + 0.5 * _window_sums(x * x, 2)
    spread = _window_sums(g * x * norm ** -1.75, 2)
    return g * norm ** -0.75 - 2 * 0.5 * 0.75 * x * spread


def _lrn_grad_op(g, x):
    y = sm.nn.lrn(x, 2, 1.0, 0.5, 0.75)
    return sm.ops.registry.apply_op(
        "LRNGrad", [g, x, y], {"depth_radius": 2, "bias": 1.0, "alpha": 0.5,
                               "beta": 0.75})._outputs[0]


SAMPLES.extend([
    Sample("LRN", lambda x: sm.nn.local_response_normalization(x, 2, 1.0, 0.5, 0.75),
           [f32(2, 2, 2, 6)], _lrn, rtol=1e-5),
    Sample("LRN", lambda x: sm.nn.lrn(x), [f32(1, 2, 1, 12, seed=1)],
           lambda x: _lrn(x, 5, 1.0, 1.0, 0.5), rtol=1e-5, label="TF's defaults"),
    Sample("LRNGrad", _lrn_grad_op, [f32(1, 2, 2, 6, seed=2), f32(1, 2, 2, 6, seed=3)],
           lambda g, x: _lrn_grad(g, x, None), rtol=1e-4, atol=1e-6, grad_check=False),
])

_PARTITIONS = np.array([1, 0, 2, 1, 1], np.int32)

SAMPLES.extend([
    Sample("DynamicPartition",
           lambda x, p: nn_ops.dynamic_partition(x, p, 3),
           [f32(5, 2), _PARTITIONS], lambda x, p: [x[p == k] for k in range(3)]),
    Sample("ParallelDynamicStitch",
           lambda a, b: nn_ops.parallel_dynamic_stitch(
               [sm.constant([0, 2]), sm.constant([3, 1])], [a, b]),
           [f32(2, 3), f32(2, 3, seed=1)],
           lambda a, b: np.stack([a[0], b[1], a[1], b[0]])),
    Sample("DynamicStitch",
           lambda a, b: sm.dynamic_stitch([sm.constant([0, 2]), sm.constant([2, 1])], [a, b]),
           [f32(2, 3), f32(2, 3, seed=1)], lambda a, b: np.stack([a[0], b[1], b[0]]),
           label="a repeated index takes the last value",
           # NOTE: TF's gradient (kept here) gathers for overwritten rows too
           grad_check=False),
    Sample("DynamicStitch",
           lambda a, b: sm.dynamic_stitch([sm.constant([0, 2]), sm.constant([3, 1])], [a, b]),
           [f32(2, 3), f32(2, 3, seed=1)], lambda a, b: np.stack([a[0], b[1], a[1], b[0]])),
])


def _candidates_check(range_max: int, unique: bool):
    def check(result) -> None:
        candidates, true_expected, sampled_expected = result
        assert candidates.dtype == np.int64 and candidates.shape == (4,)
        assert np.all((candidates >= 0) & (candidates < range_max))
        if unique:
            assert len(set(candidates.tolist())) == 4
        assert true_expected.shape == (2, 1) and sampled_expected.shape == (4,)
        assert np.all(true_expected > 0) and np.all(sampled_expected > 0)
    return check


_TRUE = np.array([[1], [7]], np.int64)

SAMPLES.extend([
    Sample("LogUniformCandidateSampler",
           lambda t: list(sm.nn.log_uniform_candidate_sampler(t, 1, 4, True, 20, seed=1)),
           [_TRUE], check=_candidates_check(20, True)),
    Sample("UniformCandidateSampler",
           lambda t: list(sm.nn.uniform_candidate_sampler(t, 1, 4, False, 10, seed=1)),
           [_TRUE], check=_candidates_check(10, False)),
    Sample("ComputeAccidentalHits",
           lambda t, s: list(sm.nn.compute_accidental_hits(t, s, num_true=2)),
           [np.array([[1, 3], [4, 5], [3, 9]], np.int64), np.array([3, 8, 5, 1], np.int64)],
           lambda t, s: [np.array([0, 0, 1, 2], np.int32), np.array([3, 0, 2, 0], np.int64),
                         np.full(4, -np.finfo(np.float32).max, np.float32)]),
])

SAMPLES.append(
    Sample("FixedUnigramCandidateSampler",
           lambda t: list(sm.nn.fixed_unigram_candidate_sampler(
               t, 1, 4, True, 20, unigrams=[float(n) for n in range(1, 21)], seed=1)),
           [_TRUE], check=_candidates_check(20, True)))
