"""tf.nn's normalisation, embeddings, sampled losses and activations as TF1 programs wrote them:
batch_normalization, fused_batch_norm (training and inference), lrn, moments, embedding_lookup
over sharded params, nce_loss and sampled_softmax_loss with fixed sampled values, and the
activations built from ops, each with gradients."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..harness import Program

_RNG = np.random.default_rng(13)
_X = _RNG.uniform(-2, 2, (2, 3, 2, 4)).astype(np.float32)
_SCALE = _RNG.uniform(0.5, 1.5, 4).astype(np.float32)
_OFFSET = _RNG.uniform(-1, 1, 4).astype(np.float32)
_MEAN = _RNG.uniform(-1, 1, 4).astype(np.float32)
_VARIANCE = _RNG.uniform(0.5, 2, 4).astype(np.float32)
_TABLE = _RNG.uniform(-1, 1, (10, 3)).astype(np.float32)
_INPUTS = _RNG.uniform(-1, 1, (3, 3)).astype(np.float32)


def _placeholder(tf: Any, value: np.ndarray, name: str, unknown: bool = False) -> Any:
    dtype = tf.float32 if value.dtype == np.float32 else tf.as_dtype(value.dtype)
    return tf.placeholder(dtype, None if unknown else value.shape, name=name)


def _batch_normalization(tf: Any) -> dict:
    x = _placeholder(tf, _X, "x")
    mean, variance = tf.nn.moments(x, [0, 1, 2])
    y = tf.nn.batch_normalization(x, mean, variance, _OFFSET, _SCALE, 1e-3)
    plain = tf.nn.batch_normalization(x, mean, variance, None, None, 1e-3)
    return {"fetch": [y, plain, mean, variance], "feed": {x: _X}, "ops": True,
            "names": {"y": y, "plain": plain}}


def _batch_normalization_gradient(tf: Any) -> dict:
    x = _placeholder(tf, _X, "x")
    scale, offset = tf.constant(_SCALE), tf.constant(_OFFSET)
    mean, variance = tf.nn.moments(x, [0, 1, 2])
    y = tf.nn.batch_normalization(x, mean, variance, offset, scale, 1e-3)
    return {"fetch": tf.gradients(tf.reduce_sum(y * y * x), [x, scale, offset]), "feed": {x: _X}}


def _fused_training(data_format: str) -> Any:
    def build(tf: Any) -> dict:
        value = _X if data_format == "NHWC" else _X.transpose(0, 3, 1, 2).copy()
        x = _placeholder(tf, value, "x")
        scale, offset = tf.constant(_SCALE), tf.constant(_OFFSET)
        y, mean, variance = tf.nn.fused_batch_norm(x, scale, offset, data_format=data_format)
        weights = tf.constant(np.linspace(-1, 1, value.size).reshape(value.shape), tf.float32)
        grads = tf.gradients(tf.reduce_sum(y * weights), [x, scale, offset])
        return {"fetch": [y, mean, variance, *grads], "feed": {x: value},
                "static": {"y": y, "mean": mean, "variance": variance},
                "names": {"y": y}}
    return build


def _fused_inference(tf: Any) -> dict:
    x = _placeholder(tf, _X, "x")
    scale, offset = tf.constant(_SCALE), tf.constant(_OFFSET)
    y, mean, variance = tf.nn.fused_batch_norm(x, scale, offset, _MEAN, _VARIANCE, epsilon=1e-6,
                                               is_training=False)
    grads = tf.gradients(tf.reduce_sum(y * y), [x, scale, offset])
    return {"fetch": [y, mean, variance, *grads], "feed": {x: _X}}


def _fused_unknown_shape(tf: Any) -> dict:
    x = _placeholder(tf, _X, "x", unknown=True)
    y, mean, variance = tf.nn.fused_batch_norm(x, tf.constant(_SCALE), tf.constant(_OFFSET))
    return {"fetch": [y, mean, variance], "feed": {x: _X},
            "static": {"y": y, "mean": mean, "variance": variance}}


def _fused_missing_moments(tf: Any) -> dict:
    tf.nn.fused_batch_norm(tf.zeros([1, 2, 2, 3]), tf.ones([3]), tf.zeros([3]),
                           is_training=False)
    return {}


def _lrn(tf: Any) -> dict:
    x = _placeholder(tf, _X, "x")
    y = tf.nn.local_response_normalization(x, depth_radius=1, bias=2.0, alpha=0.3, beta=0.6)
    default = tf.nn.lrn(x)
    grad = tf.gradients(tf.reduce_sum(y * x), x)[0]
    return {"fetch": [y, default, grad], "feed": {x: _X}, "names": {"y": y}}


def _moments(tf: Any) -> dict:
    x = _placeholder(tf, _X, "x")
    mean, variance = tf.nn.moments(x, [0, 2], keep_dims=True)
    half = tf.nn.moments(tf.cast(x, tf.float16), [1])
    weighted = tf.nn.weighted_moments(x, [0, 1], tf.constant([[[[1.0], [2.0]]]]))
    kept = tf.nn.weighted_moments(x, [3], 0.5 + x * x, keepdims=True)
    normalized = tf.nn.normalize_moments(tf.constant(4.0), tf.reduce_sum(x, [0, 1]),
                                         tf.reduce_sum(x * x, [0, 1]), tf.constant(0.5))
    grads = tf.gradients(tf.reduce_sum(weighted[1]) + tf.reduce_sum(variance), x)
    return {"fetch": [mean, variance, *half, *weighted, *kept, *normalized, *grads],
            "feed": {x: _X}, "rtol": 1e-3, "atol": 1e-4,
            "static": {"mean": mean, "half": half[0], "weighted": weighted[0]}}


def _l2_normalize(tf: Any) -> dict:
    x = _placeholder(tf, _X, "x")
    return {"fetch": [tf.nn.l2_normalize(x, axis=3), tf.nn.l2_normalize(x, dim=[1, 2]),
                      tf.nn.l2_normalize(x * 1e-8, 3, epsilon=1e-4)], "feed": {x: _X}}


def _embedding(strategy: str, shard_rows: tuple) -> Any:
    def build(tf: Any) -> dict:
        starts = np.cumsum((0,) + shard_rows)
        if strategy == "mod":
            shards = [_TABLE[p::len(shard_rows)] for p in range(len(shard_rows))]
        else:
            shards = [_TABLE[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]
        params = [tf.Variable(s, name=f"shard_{i}") for i, s in enumerate(shards)]
        ids = tf.placeholder(tf.int32, [2, None], name="ids")
        found = tf.nn.embedding_lookup(params, ids, partition_strategy=strategy)
        grads = tf.gradients(tf.reduce_sum(found * found), params)
        return {"fetch": [found, *[tf.convert_to_tensor(g) for g in grads]],
                "feed": {ids: np.array([[0, 9, 4], [3, 3, 7]], np.int32)},
                "static": {"found": found}, "python": {"grad types": [
                    type(g).__name__ for g in grads]}}
    return build


def _embedding_max_norm(tf: Any) -> dict:
    params = tf.constant(_TABLE * 3)
    ids = tf.placeholder(tf.int64, [None], name="ids")
    clipped = tf.nn.embedding_lookup(params, ids, max_norm=1.5)
    sharded = tf.nn.embedding_lookup([params[:5], params[5:]], ids, max_norm=1.5,
                                     partition_strategy="div")
    return {"fetch": [clipped, sharded], "feed": {ids: np.array([1, 8, 2], np.int64)}}


def _embedding_names(tf: Any) -> dict:
    params = tf.placeholder(tf.float32, [10, 3], name="params")
    ids = tf.placeholder(tf.int32, [4], name="ids")
    single = tf.nn.embedding_lookup(params, ids)
    sharded = tf.nn.embedding_lookup([params, params], ids, name="sharded")
    return {"ops": True, "names": {"single": single, "sharded": sharded}}


def _sampled_values(tf: Any) -> tuple:
    sampled = tf.constant([2, 7, 5, 0], tf.int64)
    true_expected = tf.constant([[0.3], [0.6], [0.45]])
    sampled_expected = tf.constant([0.5, 0.2, 0.35, 0.9])
    return sampled, true_expected, sampled_expected


def _sampled_loss(kind: str, **options: Any) -> Any:
    def build(tf: Any) -> dict:
        weights = tf.Variable(_TABLE, name="weights")
        biases = tf.Variable(np.linspace(-0.5, 0.5, 10).astype(np.float32), name="biases")
        labels = tf.placeholder(tf.int32, [3, 1], name="labels")
        inputs = tf.placeholder(tf.float32, [3, 3], name="inputs")
        loss_fn = tf.nn.nce_loss if kind == "nce" else tf.nn.sampled_softmax_loss
        loss = loss_fn(weights, biases, labels, inputs, 4, 10,
                       sampled_values=_sampled_values(tf), **options)
        grads = tf.gradients(tf.reduce_sum(loss), [weights, biases, inputs])
        return {"fetch": [loss, *[tf.convert_to_tensor(g) for g in grads]],
                "feed": {labels: np.array([[5], [1], [2]], np.int32), inputs: _INPUTS},
                "static": {"loss": loss},
                # NOTE: TF's softmax cross entropy ends in reshapes that session_magic skips
                "names": {"loss": loss} if kind == "nce" else {}}
    return build


def _sampled_loss_sharded(tf: Any) -> dict:
    shards = [tf.constant(_TABLE[p::2]) for p in range(2)]
    labels = tf.placeholder(tf.int64, [3, 2], name="labels")
    loss = tf.nn.sampled_softmax_loss(shards, tf.zeros([10]), labels, tf.constant(_INPUTS), 4, 10,
                                      num_true=2, sampled_values=_sampled_values(tf)[:1] + (
                                          tf.constant([[0.3, 0.2], [0.6, 0.1], [0.45, 0.5]]),
                                          tf.constant([0.5, 0.2, 0.35, 0.9])))
    return {"fetch": loss, "feed": {labels: np.array([[5, 2], [1, 0], [2, 3]], np.int64)}}


def _accidental_hits(tf: Any) -> dict:
    true_classes = tf.placeholder(tf.int64, [3, 2], name="true_classes")
    sampled = tf.placeholder(tf.int64, [None], name="sampled")
    hits = tf.nn.compute_accidental_hits(true_classes, sampled, num_true=2)
    return {"fetch": list(hits), "static": {"indices": hits[0], "ids": hits[1]},
            "feed": {true_classes: np.array([[1, 3], [4, 5], [3, 9]]),
                     sampled: np.array([3, 8, 5, 1, 3])}}


def _sampler_shapes(tf: Any) -> dict:
    true_classes = tf.constant([[1, 2], [7, 3]], tf.int64)
    log_uniform = tf.nn.log_uniform_candidate_sampler(true_classes, 2, 5, True, 30, seed=3)
    uniform = tf.nn.uniform_candidate_sampler(true_classes, 2, 6, False, 8, seed=3)
    unigram = tf.nn.fixed_unigram_candidate_sampler(true_classes, 2, 3, True, 4,
                                                    unigrams=[5.0, 1.0, 2.0, 3.0], seed=3)
    return {"static": {f"{kind} {i}": t for kind, outputs in
                       (("log_uniform", log_uniform), ("uniform", uniform),
                        ("unigram", unigram))
                       for i, t in enumerate(outputs)},
            "names": {"sampler": log_uniform[0]}}


def _activations(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    w = tf.constant(_TABLE[:3].T.copy())
    outputs = {"swish": tf.nn.swish(x), "silu beta": tf.nn.silu(x, beta=1.5),
               "crelu": tf.nn.crelu(x), "crelu axis 0": tf.nn.crelu(x, axis=0),
               "relu_layer": tf.nn.relu_layer(x, w, tf.constant([0.1, -0.2, 0.3])),
               "softsign": tf.nn.softsign(x), "selu": tf.nn.selu(x)}
    grads = {f"d {k}": tf.gradients(tf.reduce_sum(v * v), x)[0] for k, v in outputs.items()}
    value = np.array([[-3.0, -0.5, 0.0], [0.25, 1.0, 4.0]], np.float32)
    return {"fetch": {**outputs, **grads}, "feed": {x: value}, "static": outputs,
            "names": {k: v for k, v in outputs.items() if k in ("crelu", "relu_layer")}}


def _losses(tf: Any) -> dict:
    logits = tf.placeholder(tf.float32, [2, 3], name="logits")
    targets = tf.placeholder(tf.float32, [2, 3], name="targets")
    outputs = {
        "log_poisson": tf.nn.log_poisson_loss(targets, logits),
        "log_poisson full": tf.nn.log_poisson_loss(targets, logits, compute_full_loss=True),
        "weighted": tf.nn.weighted_cross_entropy_with_logits(targets, logits, 2.5),
        "weighted labels=": tf.nn.weighted_cross_entropy_with_logits(
            labels=targets, logits=logits, pos_weight=0.5),
        "sigmoid": tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits),
        "softmax": tf.nn.softmax_cross_entropy_with_logits(labels=targets / 3, logits=logits),
    }
    grads = {f"d {k}": tf.gradients(tf.reduce_sum(v), logits)[0] for k, v in outputs.items()}
    feed = {logits: np.array([[-2.0, 0.0, 0.5], [1.0, 3.0, -0.25]], np.float32),
            targets: np.array([[0.0, 0.5, 1.0], [2.0, 5.0, 1.5]], np.float32)}
    return {"fetch": {**outputs, **grads}, "feed": feed,
            "names": {"log_poisson full": outputs["log_poisson full"]}}


def _dropout(tf: Any) -> dict:
    x = tf.ones([4, 6])
    outputs = {"keep_prob": tf.nn.dropout(x, keep_prob=0.5, seed=1),
               "rate": tf.nn.dropout(x, rate=0.25, noise_shape=[4, 1], seed=2),
               "rate tensor": tf.nn.dropout(x, rate=tf.constant(0.5), seed=3)}
    return {"static": outputs}


def _dropout_both(tf: Any) -> dict:
    tf.nn.dropout(tf.ones([2]), keep_prob=0.5, rate=0.5)
    return {}


def _dropout_rate_one(tf: Any) -> dict:
    tf.nn.dropout(tf.ones([2]), rate=1.0)
    return {}


def programs() -> list[Program]:
    return [
        Program("batch_normalization", _batch_normalization, rtol=1e-4, atol=1e-5),
        Program("batch_normalization gradient", _batch_normalization_gradient, rtol=1e-4,
                atol=1e-5),
        Program("fused_batch_norm training NHWC", _fused_training("NHWC"), rtol=1e-4, atol=1e-5),
        Program("fused_batch_norm training NCHW", _fused_training("NCHW"), rtol=1e-4, atol=1e-5),
        Program("fused_batch_norm inference", _fused_inference, rtol=1e-4, atol=1e-5),
        Program("fused_batch_norm unknown shape", _fused_unknown_shape, rtol=1e-4, atol=1e-5),
        Program("fused_batch_norm inference without moments", _fused_missing_moments),
        Program("lrn", _lrn, rtol=1e-4, atol=1e-5),
        Program("moments", _moments, rtol=1e-3, atol=1e-4),
        Program("l2_normalize", _l2_normalize),
        Program("embedding_lookup mod", _embedding("mod", (4, 3, 3))),
        Program("embedding_lookup div", _embedding("div", (4, 3, 3))),
        Program("embedding_lookup div uneven", _embedding("div", (3, 5, 2))),
        Program("embedding_lookup max_norm", _embedding_max_norm),
        Program("embedding_lookup names", _embedding_names),
        Program("nce_loss", _sampled_loss("nce"), rtol=1e-4, atol=1e-5),
        Program("nce_loss accidental hits", _sampled_loss("nce", remove_accidental_hits=True),
                rtol=1e-4, atol=1e-5),
        Program("sampled_softmax_loss", _sampled_loss("softmax"), rtol=1e-4, atol=1e-5),
        Program("sampled_softmax_loss keeps hits",
                _sampled_loss("softmax", remove_accidental_hits=False), rtol=1e-4, atol=1e-5),
        Program("sampled_softmax_loss sharded num_true 2", _sampled_loss_sharded, rtol=1e-4,
                atol=1e-5),
        Program("compute_accidental_hits", _accidental_hits),
        Program("candidate sampler shapes", _sampler_shapes),
        Program("activations", _activations, rtol=1e-5, atol=1e-6),
        Program("losses", _losses, rtol=1e-5, atol=1e-6),
        Program("dropout static", _dropout),
        Program("dropout keep_prob and rate", _dropout_both),
        Program("dropout rate 1", _dropout_rate_one),
    ]
