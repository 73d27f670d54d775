"""`tf.layers`, `tf.losses` and `tf.metrics` as TF 1 programs use them: the variables' names and
shapes (`dense/kernel`, `dense_1/bias`, reuse through a layer object, `name=`/`reuse=` and a
re-entered variable scope), outputs from constant initializers, regularization losses,
batch normalization's moving averages after several update steps, every loss under every
reduction with weights, and streaming metrics over several batches.

TF 2.21 has `tf.compat.v1.layers` only with legacy Keras: record with `TF_USE_LEGACY_KERAS=1`
and `tf_keras` installed in the side environment. `tf.contrib` has no TF 2 counterpart, so it is
tested in tests/test_contrib.py instead."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..harness import Program

_X = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 1.0, 1.0], [-1.0, 0.5, 2.0]],
              np.float32)
_KERNEL = np.array([[0.1, -0.2, 0.3, 0.4], [0.5, 0.6, -0.7, 0.8], [-0.9, 1.0, 1.1, -1.2]],
                   np.float32)


def _x(tf: Any, shape: Any = (None, 3)) -> Any:
    return tf.placeholder(tf.float32, list(shape), name="x")


def _const(tf: Any, value: Any) -> Any:
    return tf.constant_initializer(np.asarray(value, np.float32))


def _dense_names(tf: Any) -> dict:
    x = _x(tf)
    first = tf.layers.dense(x, 4, kernel_initializer=_const(tf, _KERNEL))
    second = tf.layers.dense(x, 2, activation=tf.nn.relu,
                             kernel_initializer=tf.ones_initializer())
    layer = tf.layers.Dense(4, kernel_initializer=_const(tf, _KERNEL),
                            bias_initializer=tf.constant_initializer(0.5))
    again = [layer(x), layer(x * 2.0)]
    with tf.variable_scope("model"):
        scoped = tf.layers.dense(x, 4, kernel_initializer=_const(tf, _KERNEL))
    with tf.variable_scope("model", reuse=True):
        reused = tf.layers.dense(x, 4)
    named = tf.layers.dense(x, 4, name="d", kernel_initializer=_const(tf, _KERNEL))
    named_again = tf.layers.dense(x, 4, name="d", reuse=True)
    outputs = [first, second] + again + [scoped, reused, named, named_again]
    variables = tf.global_variables()
    names = {f"out {i}": t for i, t in enumerate(outputs)}
    names.update({f"var {i}": v for i, v in enumerate(variables)})
    return {"fetch": outputs, "feed": {x: _X}, "names": names,
            "python": {"variables": [[v.name, v.shape.as_list()] for v in variables],
                       "trainable": [v.name for v in tf.trainable_variables()],
                       "layer variables": [v.name for v in layer.variables]}}


def _dense_rank3(tf: Any) -> dict:
    x = _x(tf, (None, 2, 3))
    out = tf.layers.dense(x, 4, activation=tf.nn.sigmoid,
                          kernel_initializer=_const(tf, _KERNEL))
    return {"fetch": out, "feed": {x: _X[:4].reshape(2, 2, 3)}}


def _dense_options(tf: Any) -> dict:
    x = _x(tf)
    no_bias = tf.layers.dense(x, 4, use_bias=False, kernel_initializer=_const(tf, _KERNEL))
    frozen = tf.layers.dense(x, 4, trainable=False, kernel_initializer=_const(tf, _KERNEL))
    return {"fetch": [no_bias, frozen], "feed": {x: _X},
            "python": {"global": [v.name for v in tf.global_variables()],
                       "trainable": [v.name for v in tf.trainable_variables()]}}


def _regularizers(tf: Any) -> dict:
    x = _x(tf)
    out = tf.layers.dense(x, 4, kernel_initializer=_const(tf, _KERNEL),
                          bias_initializer=tf.constant_initializer(0.25),
                          kernel_regularizer=lambda w: 0.1 * tf.reduce_sum(tf.square(w)),
                          bias_regularizer=lambda b: 0.5 * tf.reduce_sum(tf.abs(b)),
                          activity_regularizer=lambda a: 0.01 * tf.reduce_sum(tf.square(a)))
    mse = tf.losses.mean_squared_error(tf.zeros_like(out), out)
    regularization = tf.losses.get_regularization_losses()
    return {"fetch": {"losses": regularization, "mse": mse,
                      "total regularization": tf.losses.get_regularization_loss(),
                      "total": tf.losses.get_total_loss(),
                      "total without": tf.losses.get_total_loss(False)},
            "feed": {x: _X},
            "python": {"count": len(regularization), "losses": len(tf.losses.get_losses())}}


def _batch_norm_training(tf: Any) -> dict:
    x = _x(tf)
    out = tf.layers.batch_normalization(x, training=True, momentum=0.9)
    layer = tf.layers.BatchNormalization(momentum=0.5, epsilon=0.01, center=False,
                                         gamma_initializer=tf.constant_initializer(2.0))
    scaled = layer(x, training=True)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    variables = tf.global_variables()
    return {"fetch": [out, scaled] + variables, "feed": {x: _X}, "runs": 3,
            "step": updates,
            "python": {"variables": [[v.name, v.shape.as_list()] for v in variables],
                       "trainable": [v.name for v in tf.trainable_variables()],
                       "updates": len(updates)}}


def _batch_norm_switch(tf: Any) -> dict:
    x = _x(tf)
    training = tf.placeholder(tf.bool, [], name="training")
    out = tf.layers.batch_normalization(
        x, training=training, momentum=0.8,
        moving_mean_initializer=tf.constant_initializer(0.5),
        moving_variance_initializer=tf.constant_initializer(2.0))
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    return {"fetch": [out] + tf.global_variables(), "step": updates,
            "feeds": [{x: _X, training: t} for t in (True, False, True, False)]}


def _batch_norm_inference(tf: Any) -> dict:
    x = _x(tf)
    out = tf.layers.batch_normalization(
        x, moving_mean_initializer=tf.constant_initializer(0.5),
        moving_variance_initializer=tf.constant_initializer(4.0),
        beta_initializer=tf.constant_initializer(1.0))
    return {"fetch": out, "feed": {x: _X},
            "python": {"updates": len(tf.get_collection(tf.GraphKeys.UPDATE_OPS))}}


def _batch_norm_images(tf: Any) -> dict:
    images = tf.placeholder(tf.float32, [None, 2, 2, 3], name="images")
    out = tf.layers.batch_normalization(images, training=True)
    sequence = tf.placeholder(tf.float32, [None, 3, 2], name="sequence")
    along_1 = tf.layers.batch_normalization(sequence, axis=1, training=True)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    feed = {images: np.arange(24, dtype=np.float32).reshape(2, 2, 2, 3) % 5,
            sequence: np.arange(12, dtype=np.float32).reshape(2, 3, 2) % 4}
    return {"fetch": [out, along_1] + tf.global_variables(), "feed": feed, "runs": 2,
            "step": updates}


def _dropout_flatten(tf: Any) -> dict:
    x = _x(tf, (None, 2, 3))
    kept = tf.layers.dropout(x, 0.5, training=False)
    layer = tf.layers.Dropout(0.3)
    kept_again = layer(x)
    flat = tf.layers.flatten(x)
    fixed = tf.layers.flatten(tf.zeros([4, 2, 3]))
    return {"fetch": [kept, kept_again, flat, fixed], "feed": {x: _X[:4].reshape(2, 2, 3)},
            "names": {"flat": flat, "fixed": fixed}}


_IMAGES = (np.arange(2 * 5 * 5 * 2, dtype=np.float32).reshape(2, 5, 5, 2) % 7) / 7.0


def _convolutions(tf: Any) -> dict:
    images = tf.placeholder(tf.float32, [None, 5, 5, 2], name="images")
    kernel = tf.constant_initializer(np.linspace(-1, 1, 3 * 3 * 2 * 4).astype(np.float32))
    conv = tf.layers.conv2d(images, 4, 3, padding="same", activation=tf.nn.relu,
                            kernel_initializer=kernel, bias_initializer=_const(tf, 0.1))
    valid = tf.layers.Conv2D(3, (2, 3), strides=(2, 1), kernel_initializer=tf.ones_initializer())
    strided = valid(images)
    pooled = tf.layers.max_pooling2d(conv, 2, 2)
    averaged = tf.layers.average_pooling2d(conv, 3, 2, padding="same")
    pool_layer = tf.layers.MaxPooling2D(2, 1, padding="same")(conv)
    transposed = tf.layers.conv2d_transpose(pooled, 2, 3, strides=2, kernel_initializer=kernel)
    outputs = [conv, strided, pooled, averaged, pool_layer, transposed]
    return {"fetch": outputs, "feed": {images: _IMAGES},
            "names": {f"{i}": t for i, t in enumerate(outputs + tf.global_variables())}}


def _separable(tf: Any) -> dict:
    images = tf.placeholder(tf.float32, [None, 5, 5, 2], name="images")
    depthwise = tf.constant_initializer(np.linspace(-1, 1, 3 * 3 * 2 * 2).astype(np.float32))
    pointwise = tf.constant_initializer(np.linspace(1, -1, 4 * 3).astype(np.float32))
    out = tf.layers.separable_conv2d(images, 3, 3, depth_multiplier=2, padding="same",
                                     depthwise_initializer=depthwise,
                                     pointwise_initializer=pointwise, activation=tf.nn.tanh)
    strided = tf.layers.SeparableConv2D(2, 2, strides=2)(images)
    sequence = tf.reshape(images, [-1, 25, 2])
    one_d = tf.layers.separable_conv1d(
        sequence, 3, 4, strides=2, depth_multiplier=2, padding="same",
        depthwise_initializer=tf.constant_initializer(np.linspace(-1, 1, 16, dtype=np.float32)),
        pointwise_initializer=pointwise)
    return {"fetch": [out, one_d], "feed": {images: _IMAGES},
            "names": {f"{i}": t for i, t in enumerate([out, one_d] + tf.global_variables())},
            "python": {"shapes": [v.shape.as_list() for v in tf.global_variables()],
                       "strided": strided.shape.as_list()}}


def _convolutions_3d(tf: Any) -> dict:
    volumes = tf.placeholder(tf.float32, [None, 4, 4, 4, 2], name="volumes")
    kernel = tf.constant_initializer(np.linspace(-1, 1, 2 * 2 * 2 * 2 * 3).astype(np.float32))
    conv = tf.layers.conv3d(volumes, 3, 2, padding="same", kernel_initializer=kernel,
                            activation=tf.nn.relu)
    pooled = tf.layers.max_pooling3d(conv, 2, 2)
    averaged = tf.layers.average_pooling3d(conv, 2, 1)
    transposed = tf.layers.conv3d_transpose(pooled, 2, 3, strides=2,
                                            kernel_initializer=kernel)
    feed = {volumes: (np.arange(2 * 4 * 4 * 4 * 2, dtype=np.float32).reshape(2, 4, 4, 4, 2)
                      % 5) / 5.0}
    outputs = [conv, pooled, averaged, transposed]
    return {"fetch": outputs, "feed": feed,
            "names": {f"{i}": t for i, t in enumerate(outputs + tf.global_variables())}}


def _convolutions_1d(tf: Any) -> dict:
    sequence = tf.placeholder(tf.float32, [None, 7, 2], name="sequence")
    kernel = tf.constant_initializer(np.linspace(-1, 1, 3 * 2 * 4).astype(np.float32))
    conv = tf.layers.conv1d(sequence, 4, 3, strides=2, padding="same", kernel_initializer=kernel)
    pooled = tf.layers.max_pooling1d(conv, 2, 1)
    averaged = tf.layers.average_pooling1d(conv, 2, 2)
    feed = {sequence: _IMAGES[:, :, :, 0].reshape(2, 5, 5)[:, :, :2].repeat(2, axis=1)[:, :7]}
    return {"fetch": [conv, pooled, averaged], "feed": feed,
            "names": {f"{i}": t for i, t in enumerate(tf.global_variables())}}


_LABELS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]],
                   np.float32)
_PROBABILITIES = np.array([[0.7, 0.2, 0.1], [0.3, 0.5, 0.2], [0.1, 0.1, 0.8],
                           [0.6, 0.3, 0.1]], np.float32)
_WEIGHTS = {"scalar": 2.0, "per example": np.array([[1.0], [0.0], [2.0], [0.5]], np.float32),
            "per element": (np.arange(12, dtype=np.float32).reshape(4, 3) % 3)}

_LOSSES: dict[str, Callable] = {
    "mean_squared_error": lambda tf, y, p, **k: tf.losses.mean_squared_error(y, p, **k),
    "absolute_difference": lambda tf, y, p, **k: tf.losses.absolute_difference(y, p, **k),
    "huber_loss": lambda tf, y, p, **k: tf.losses.huber_loss(y, p * 3.0, delta=0.5, **k),
    "log_loss": lambda tf, y, p, **k: tf.losses.log_loss(y, p, epsilon=1e-5, **k),
    "hinge_loss": lambda tf, y, p, **k: tf.losses.hinge_loss(y, p * 4.0 - 2.0, **k),
    "sigmoid_cross_entropy": lambda tf, y, p, **k: tf.losses.sigmoid_cross_entropy(
        y, p * 4.0 - 2.0, label_smoothing=0.1, **k),
    "cosine_distance": lambda tf, y, p, **k: tf.losses.cosine_distance(
        y, tf.nn.l2_normalize(p, 1), axis=1, **k),
}


def _loss_program(loss: Callable, weights: Any, reduction: Any) -> Callable:
    def build(tf: Any) -> dict:
        labels = tf.placeholder(tf.float32, [None, 3], name="labels")
        predictions = tf.placeholder(tf.float32, [None, 3], name="predictions")
        kwargs = {} if reduction is None else {"reduction": getattr(tf.losses.Reduction,
                                                                    reduction)}
        if weights is not None:  # NOTE: per-element weights do not fit cosine's [n, 1] losses
            kwargs["weights"] = weights
        value = loss(tf, labels, predictions, **kwargs)
        return {"fetch": value, "feed": {labels: _LABELS, predictions: _PROBABILITIES},
                "names": {"loss": value},
                "python": {"collected": len(tf.get_collection(tf.GraphKeys.LOSSES))}}
    return build


def _loss_programs() -> list[Program]:
    table = []
    for name, loss in _LOSSES.items():
        table.append(Program(f"loss {name}", _loss_program(loss, None, None)))
        for weight_name, weights in _WEIGHTS.items():
            table.append(Program(f"loss {name} weights {weight_name}",
                                 _loss_program(loss, weights, None)))
        for reduction in ("NONE", "SUM", "MEAN", "SUM_OVER_BATCH_SIZE"):
            table.append(Program(f"loss {name} {reduction} weighted",
                                 _loss_program(loss, _WEIGHTS["per example"], reduction)))
    return table


def _softmax_losses(tf: Any) -> dict:
    logits = tf.placeholder(tf.float32, [None, 3], name="logits")
    labels = tf.placeholder(tf.float32, [None, 3], name="labels")
    classes = tf.placeholder(tf.int32, [None], name="classes")
    column = tf.placeholder(tf.int64, [None, 1], name="column")
    weights = _WEIGHTS["per example"]
    values = {"softmax": tf.losses.softmax_cross_entropy(labels, logits),
              "softmax smoothed": tf.losses.softmax_cross_entropy(labels, logits,
                                                                 label_smoothing=0.2),
              "softmax weighted": tf.losses.softmax_cross_entropy(labels, logits, weights[:, 0]),
              "softmax none": tf.losses.softmax_cross_entropy(
                  labels, logits, reduction=tf.losses.Reduction.NONE, loss_collection=None),
              "sparse": tf.losses.sparse_softmax_cross_entropy(classes, logits),
              "sparse column": tf.losses.sparse_softmax_cross_entropy(column, logits, weights),
              "sparse sum": tf.losses.sparse_softmax_cross_entropy(
                  classes, logits, 3.0, reduction=tf.losses.Reduction.SUM),
              "pairwise": tf.losses.mean_pairwise_squared_error(labels, logits),
              "pairwise weighted": tf.losses.mean_pairwise_squared_error(labels, logits,
                                                                         weights)}
    values["total"] = tf.losses.get_total_loss()
    feed = {logits: _PROBABILITIES * 3.0, labels: _LABELS, classes: [0, 1, 2, 1],
            column: [[0], [1], [2], [1]]}
    return {"fetch": values, "feed": feed, "names": values,
            "python": {"collected": len(tf.losses.get_losses())}}


def _zero_weights(tf: Any) -> dict:
    labels = tf.placeholder(tf.float32, [None, 3], name="labels")
    values = [tf.losses.mean_squared_error(labels, labels * 2.0, weights=0.0),
              tf.losses.absolute_difference(labels, labels * 2.0,
                                            weights=np.zeros((4, 1), np.float32))]
    return {"fetch": values, "feed": {labels: _LABELS}}


_BATCHES = [
    {"labels": [0, 1, 1, 0], "predictions": [0, 1, 0, 0], "scores": [0.1, 0.9, 0.4, 0.3],
     "weights": [1.0, 2.0, 0.0, 1.0]},
    {"labels": [1, 1, 0, 0], "predictions": [1, 0, 0, 1], "scores": [0.8, 0.35, 0.2, 0.6],
     "weights": [0.5, 1.0, 1.0, 1.0]},
    {"labels": [1, 0, 1, 1], "predictions": [1, 0, 1, 0], "scores": [0.7, 0.05, 0.95, 0.45],
     "weights": [1.0, 1.0, 3.0, 0.0]},
]


def _metrics(weighted: bool) -> Callable:
    def build(tf: Any) -> dict:
        labels = tf.placeholder(tf.int64, [None], name="labels")
        predictions = tf.placeholder(tf.int64, [None], name="predictions")
        scores = tf.placeholder(tf.float32, [None], name="scores")
        weights = tf.placeholder(tf.float32, [None], name="weights") if weighted else None
        m = tf.metrics
        real_labels = tf.cast(labels, tf.float32)
        metrics = {
            "accuracy": m.accuracy(labels, predictions, weights),
            "mean": m.mean(scores, weights),
            "precision": m.precision(labels, predictions, weights),
            "recall": m.recall(labels, predictions, weights),
            "true_positives": m.true_positives(labels, predictions, weights),
            "false_positives": m.false_positives(labels, predictions, weights),
            "false_negatives": m.false_negatives(labels, predictions, weights),
            "auc": m.auc(labels, scores, weights),
            "auc 10 thresholds": m.auc(labels, scores, weights, num_thresholds=10),
            "auc PR": m.auc(labels, scores, weights, curve="PR"),
            "auc PR careful": m.auc(labels, scores, weights, curve="PR",
                                    summation_method="careful_interpolation"),
            "auc minoring": m.auc(labels, scores, weights, summation_method="minoring"),
            "auc majoring": m.auc(labels, scores, weights, summation_method="majoring"),
            "mean_squared_error": m.mean_squared_error(real_labels, scores, weights),
            "mean_absolute_error": m.mean_absolute_error(real_labels, scores, weights),
            "root_mean_squared_error": m.root_mean_squared_error(real_labels, scores, weights),
            "mean_iou": m.mean_iou(labels, predictions, 2, weights),
        }
        updates = {f"{key} update": pair[1] for key, pair in metrics.items()}
        values = {f"{key} value": pair[0] for key, pair in metrics.items()}
        feeds = []
        for batch in _BATCHES:
            feed = {labels: batch["labels"], predictions: batch["predictions"],
                    scores: batch["scores"]}
            if weighted:
                feed[weights] = batch["weights"]
            feeds.append(feed)
        # NOTE: an update that is a bare assign_add is an op on TF 2's resource variables
        bare = ("true_positives", "false_positives", "false_negatives", "mean_iou")
        names = {k: v for k, v in updates.items() if k[:-len(" update")] not in bare}
        names.update(values)
        names.update({v.name: v for v in tf.local_variables()})
        return {"fetch": updates, "feeds": feeds, "names": names,
                "python": {"local": [v.name for v in tf.local_variables()],
                           "metric": [v.name for v in tf.get_collection("metric_variables")]}}
    return build


def _streaming_values(tf: Any) -> dict:
    labels = tf.placeholder(tf.int64, [None], name="labels")
    predictions = tf.placeholder(tf.int64, [None], name="predictions")
    accuracy, update = tf.metrics.accuracy(labels, predictions)
    precision, precision_update = tf.metrics.precision(labels, predictions, name="p")
    feeds = [{labels: b["labels"], predictions: b["predictions"]} for b in _BATCHES]
    return {"fetch": [accuracy, precision], "step": [update, precision_update], "feeds": feeds,
            "names": {"accuracy": accuracy, "update": update, "precision": precision}}


def _more_metrics(weighted: bool, values_after_updates: bool) -> Callable:
    def build(tf: Any) -> dict:
        labels = tf.placeholder(tf.int64, [None], name="labels")
        predictions = tf.placeholder(tf.int64, [None], name="predictions")
        scores = tf.placeholder(tf.float32, [None], name="scores")
        weights = tf.placeholder(tf.float32, [None], name="weights") if weighted else None
        real_labels = tf.cast(labels, tf.float32)
        thresholds = [0.0, 0.3, 0.5, 0.9]
        m = tf.metrics
        pairs = {
            "tp": m.true_positives_at_thresholds(labels, scores, thresholds, weights),
            "fp": m.false_positives_at_thresholds(labels, scores, thresholds, weights),
            "tn": m.true_negatives_at_thresholds(labels, scores, thresholds, weights),
            "fn": m.false_negatives_at_thresholds(labels, scores, thresholds, weights),
            "precision": m.precision_at_thresholds(labels, scores, thresholds, weights),
            "recall": m.recall_at_thresholds(labels, scores, thresholds, weights),
            "true_negatives": m.true_negatives(labels, predictions, weights),
            "below": m.percentage_below(scores, 0.5, weights),
            "relative": m.mean_relative_error(real_labels, scores, scores + 0.5, weights),
            "cosine": m.mean_cosine_distance(tf.stack([real_labels, 1 - real_labels], 1),
                                             tf.stack([scores, tf.sqrt(1 - scores ** 2)], 1),
                                             1, None if weights is None else
                                             tf.expand_dims(weights, 1)),
            "per class": m.mean_per_class_accuracy(labels, predictions, 2, weights),
        }
        tensor = tf.placeholder(tf.float32, [4], name="tensor")
        pairs["tensor"] = m.mean_tensor(tf.reshape(tensor, [2, 2]), None if weights is None
                                        else tf.reshape(weights, [2, 2]))
        updates = {f"{k} update": v[1] for k, v in pairs.items()}
        values = {f"{k} value": v[0] for k, v in pairs.items()}
        feeds = []
        for batch in _BATCHES:
            feed = {labels: batch["labels"], predictions: batch["predictions"],
                    scores: batch["scores"], tensor: batch["scores"]}
            if weighted:
                feed[weights] = batch["weights"]
            feeds.append(feed)
        names = {k: v for k, v in values.items() if not k.startswith("true_negatives")}
        record = {"feeds": feeds, "names": names,
                  "python": {"local": [v.name for v in tf.local_variables()]}}
        if values_after_updates:  # NOTE: a value fetched beside its update would race with it
            return dict(record, fetch=values, step=list(updates.values()))
        return dict(record, fetch=updates)
    return build


def _auc_out_of_range(tf: Any) -> dict:
    scores = tf.placeholder(tf.float32, [None], name="scores")
    _, update = tf.metrics.auc([0, 1, 1], scores)
    return {"fetch": update, "feed": {scores: [0.2, 1.5, 0.7]}}


def programs() -> list[Program]:
    table = [
        Program("dense names and values", _dense_names),
        Program("dense on rank 3", _dense_rank3),
        Program("dense use_bias and trainable", _dense_options),
        Program("dense regularizers", _regularizers),
        Program("batch_normalization training", _batch_norm_training),
        Program("batch_normalization training placeholder", _batch_norm_switch),
        Program("batch_normalization inference", _batch_norm_inference),
        Program("batch_normalization images and axis 1", _batch_norm_images),
        Program("dropout off and flatten", _dropout_flatten),
        Program("conv2d pooling conv2d_transpose", _convolutions, rtol=1e-4, atol=1e-5),
        Program("conv1d pooling1d", _convolutions_1d, rtol=1e-4, atol=1e-5),
        Program("separable_conv2d", _separable, rtol=1e-4, atol=1e-5),
        Program("conv3d pooling3d conv3d_transpose", _convolutions_3d, rtol=1e-4, atol=1e-5),
        Program("softmax and sparse losses", _softmax_losses),
        Program("losses of zero weights", _zero_weights),
        Program("metrics streaming", _metrics(False)),
        Program("metrics streaming weighted", _metrics(True)),
        Program("metrics values after updates", _streaming_values),
        Program("auc of predictions out of [0, 1]", _auc_out_of_range),
        Program("more metrics streaming", _more_metrics(False, False)),
        Program("more metrics streaming weighted", _more_metrics(True, False)),
        Program("more metrics values", _more_metrics(False, True)),
        Program("more metrics values weighted", _more_metrics(True, True)),
    ]
    return table + _loss_programs()
