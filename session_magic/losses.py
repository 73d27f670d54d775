"""`tf.losses`: TF 1's losses with its exact arithmetic: each computes per-element losses, weighs
them (`weights`, a scalar or broadcastable), reduces them (`Reduction`, TF 1's default dividing
by the number of non-zero weights), and adds the result to `loss_collection` (LOSSES).
"""
from __future__ import annotations

from typing import Any, Optional

from . import dtypes as d
from .graph import (GraphKeys, Tensor, add_to_collection, control_dependencies, get_collection,
                    name_scope)
from .ops.array_ops import ones_like, rank, size, squeeze, zeros_like
from .ops.constant_ops import constant
from .ops.conversion import convert_to_tensor
from .ops.math_ops import (abs as _abs, add_n, cast, div_no_nan, equal, log, maximum, minimum,
                           logical_or, multiply, reduce_all, reduce_sum, square, squared_difference,
                           subtract, where)
from .ops.nn_ops import (relu, sigmoid_cross_entropy_with_logits,
                         softmax_cross_entropy_with_logits_v2,
                         sparse_softmax_cross_entropy_with_logits)
from .ops.array_ops import range as _range, shape as _shape
from .ops.constant_ops import stop_gradient
from .ops.script_ops import Assert

__all__ = ["Reduction", "compute_weighted_loss", "absolute_difference", "cosine_distance",
           "hinge_loss", "huber_loss", "log_loss", "mean_pairwise_squared_error",
           "mean_squared_error", "sigmoid_cross_entropy", "softmax_cross_entropy",
           "sparse_softmax_cross_entropy", "add_loss", "get_losses", "get_regularization_loss",
           "get_regularization_losses", "get_total_loss"]


class Reduction:
    """How a weighted loss is reduced (the values are TF 1's strings)."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key: str) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


def _safe_mean(losses: Tensor, num_present: Tensor) -> Tensor:
    return div_no_nan(reduce_sum(losses), num_present, name="value")


def _num_elements(losses: Tensor) -> Tensor:
    with name_scope(None, "num_elements", [losses]) as scope:
        return cast(size(losses, name=scope), losses.dtype)


def _num_present(losses: Tensor, weights: Tensor, per_batch: bool = False) -> Tensor:
    """How many of `losses` carry a non-zero weight (per batch entry when asked)."""
    with name_scope(None, "num_present", [losses, weights]) as scope:
        weights = cast(weights, d.float32)
        present = where(equal(weights, 0.0), zeros_like(weights), ones_like(weights))
        present = present * ones_like(losses)
        if per_batch:
            return reduce_sum(present, axis=_range(1, rank(present)), keepdims=True, name=scope)
        return reduce_sum(present, name=scope)


def _check_broadcastable(weights: Tensor, losses: Tensor) -> list:
    """TF's `assert_broadcastable`: weights of rank 0, or of losses' rank with each dim 1 or
    equal. A ValueError when the static shapes decide it, else an Assert op run with the loss."""
    w_rank, l_rank = weights.shape.ndims, losses.shape.ndims
    if w_rank == 0 or w_rank is None or l_rank is None:
        return []
    if w_rank != l_rank:
        raise ValueError(f"weights can not be broadcast to values. values.rank={l_rank}. "
                         f"weights.rank={w_rank}. values.shape={losses.shape}. "
                         f"weights.shape={weights.shape}.")
    if weights.shape.is_fully_defined() and losses.shape.is_fully_defined():
        pairs = zip(weights.shape.as_list(), losses.shape.as_list(), strict=True)
        if any(w not in (1, v) for w, v in pairs):
            raise ValueError(f"weights can not be broadcast to values. values.shape="
                             f"{losses.shape}. weights.shape={weights.shape}.")
        return []
    with name_scope(None, "assert_broadcastable", [weights, losses]):
        w_shape, l_shape = _shape(weights), _shape(losses)
        fits = reduce_all(logical_or(equal(w_shape, 1), equal(w_shape, l_shape)))
        return [Assert(fits, ["weights can not be broadcast to values.", "weights.shape=",
                              w_shape, "values.shape=", l_shape])]


def compute_weighted_loss(losses: Any, weights: Any = 1.0, scope: Optional[str] = None,
                          loss_collection: Any = GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """`losses * weights`, reduced as `reduction` says, computed in float32 as TF 1 does."""
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = cast(losses, d.float32)
        weights = cast(weights, d.float32)
        with control_dependencies(_check_broadcastable(weights, losses)):
            weighted_losses = multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted_losses
        else:
            loss = reduce_sum(weighted_losses)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, reduce_sum(ones_like(losses) * weights))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(losses))
        loss = cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def _required(**arguments: Any) -> None:
    for name, value in arguments.items():
        if value is None:
            raise ValueError(f"{name} must not be None.")


def _pair(labels: Any, predictions: Any, predictions_name: str = "predictions") -> tuple:
    """Both as float32, with shapes checked compatible (a build-time ValueError otherwise)."""
    predictions = cast(predictions, d.float32)
    labels = cast(labels, d.float32)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible "
                         f"({predictions_name} and labels)")
    return labels, predictions


def absolute_difference(labels: Any, predictions: Any, weights: Any = 1.0,
                        scope: Optional[str] = None, loss_collection: Any = GraphKeys.LOSSES,
                        reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "absolute_difference", [predictions, labels, weights]) as scope:
        labels, predictions = _pair(labels, predictions)
        losses = _abs(subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def cosine_distance(labels: Any, predictions: Any, axis: Optional[int] = None,
                    weights: Any = 1.0, scope: Optional[str] = None,
                    loss_collection: Any = GraphKeys.LOSSES,
                    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
                    dim: Optional[int] = None) -> Tensor:
    """1 - sum(labels * predictions, axis): both are expected unit-normalized along `axis`."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _pair(labels, predictions)
        radial_diffs = multiply(predictions, labels)
        losses = 1 - reduce_sum(radial_diffs, axis=(axis,), keepdims=True)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def hinge_loss(labels: Any, logits: Any, weights: Any = 1.0, scope: Optional[str] = None,
               loss_collection: Any = GraphKeys.LOSSES,
               reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """relu(1 - (2 * labels - 1) * logits), labels in {0, 1}."""
    _required(labels=labels, logits=logits)
    with name_scope(scope, "hinge_loss", [logits, labels, weights]) as scope:
        logits = cast(logits, d.float32)
        labels = cast(labels, logits.dtype)
        if not logits.shape.is_compatible_with(labels.shape):
            raise ValueError(f"Shapes {logits.shape} and {labels.shape} are incompatible "
                             "(logits and labels)")
        all_ones = ones_like(labels)
        labels = subtract(2 * labels, all_ones)
        losses = relu(subtract(all_ones, multiply(labels, logits)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def huber_loss(labels: Any, predictions: Any, weights: Any = 1.0, delta: float = 1.0,
               scope: Optional[str] = None, loss_collection: Any = GraphKeys.LOSSES,
               reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Quadratic within `delta` of the label, linear beyond it."""
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "huber_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _pair(labels, predictions)
        abs_error = _abs(subtract(predictions, labels))
        quadratic = minimum(abs_error, delta)
        linear = subtract(abs_error, quadratic)
        losses = multiply(0.5, multiply(quadratic, quadratic)) + multiply(delta, linear)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def log_loss(labels: Any, predictions: Any, weights: Any = 1.0, epsilon: float = 1e-7,
             scope: Optional[str] = None, loss_collection: Any = GraphKeys.LOSSES,
             reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Binary cross-entropy of probabilities, `epsilon` inside the logs."""
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "log_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _pair(labels, predictions)
        losses = -multiply(labels, log(predictions + epsilon)) - multiply(
            (1 - labels), log(1 - predictions + epsilon))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def mean_squared_error(labels: Any, predictions: Any, weights: Any = 1.0,
                       scope: Optional[str] = None, loss_collection: Any = GraphKeys.LOSSES,
                       reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as scope:
        labels, predictions = _pair(labels, predictions)
        losses = squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def mean_pairwise_squared_error(labels: Any, predictions: Any, weights: Any = 1.0,
                                scope: Optional[str] = None,
                                loss_collection: Any = GraphKeys.LOSSES) -> Tensor:
    """Mean over pairs (i, j) within each batch entry of ((p_i - p_j) - (l_i - l_j))**2."""
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "mean_pairwise_squared_error", [predictions, labels, weights]):
        labels, predictions = _pair(labels, predictions)
        weights = cast(convert_to_tensor(weights), d.float32)
        diffs = subtract(predictions, labels)
        axis = _range(1, rank(diffs))
        sum_squares_diff_per_batch = reduce_sum(square(diffs), axis=axis, keepdims=True)
        num_present_per_batch = _num_present(diffs, weights, per_batch=True)
        term1 = 2.0 * div_no_nan(sum_squares_diff_per_batch,
                                 maximum(num_present_per_batch - 1, 0), name="value")
        sum_diff = reduce_sum(diffs, axis=axis, keepdims=True)
        term2 = 2.0 * div_no_nan(square(sum_diff),
                                 maximum(multiply(num_present_per_batch,
                                                  num_present_per_batch - 1), 0), name="value")
        loss = reduce_sum(multiply(term1 - term2, weights))
        mean_loss = where(reduce_sum(num_present_per_batch) > 0, loss, zeros_like(loss),
                          name="value")
        add_loss(mean_loss, loss_collection)
        return mean_loss


def sigmoid_cross_entropy(multi_class_labels: Any, logits: Any, weights: Any = 1.0,
                          label_smoothing: float = 0, scope: Optional[str] = None,
                          loss_collection: Any = GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Sigmoid cross-entropy; labels smoothed towards 1/2 by `label_smoothing`."""
    _required(multi_class_labels=multi_class_labels, logits=logits)
    with name_scope(scope, "sigmoid_cross_entropy_loss",
                    [logits, multi_class_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        multi_class_labels = cast(multi_class_labels, logits.dtype)
        if not logits.shape.is_compatible_with(multi_class_labels.shape):
            raise ValueError(f"Shapes {logits.shape} and {multi_class_labels.shape} are "
                             "incompatible (logits and multi_class_labels)")
        if label_smoothing > 0:
            multi_class_labels = (multi_class_labels * (1 - label_smoothing) +
                                  0.5 * label_smoothing)
        losses = sigmoid_cross_entropy_with_logits(labels=multi_class_labels, logits=logits,
                                                   name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels: Any, logits: Any, weights: Any = 1.0,
                          label_smoothing: float = 0, scope: Optional[str] = None,
                          loss_collection: Any = GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Softmax cross-entropy per example; labels smoothed towards 1/num_classes."""
    _required(onehot_labels=onehot_labels, logits=logits)
    with name_scope(scope, "softmax_cross_entropy_loss",
                    [logits, onehot_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        onehot_labels = cast(onehot_labels, logits.dtype)
        if not logits.shape.is_compatible_with(onehot_labels.shape):
            raise ValueError(f"Shapes {logits.shape} and {onehot_labels.shape} are "
                             "incompatible (logits and onehot_labels)")
        if label_smoothing > 0:
            num_classes = cast(_shape(onehot_labels)[-1], logits.dtype)
            smooth_positives = 1.0 - label_smoothing
            smooth_negatives = label_smoothing / num_classes
            onehot_labels = onehot_labels * smooth_positives + smooth_negatives
        onehot_labels = stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = softmax_cross_entropy_with_logits_v2(labels=onehot_labels, logits=logits,
                                                      name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def _squeeze_last_if_one(tensor: Tensor, target_rank: Optional[int]) -> Tensor:
    """Drop a trailing size-1 dim when `tensor` has one more dim than `target_rank`."""
    ndims = tensor.shape.ndims
    if ndims is None or target_rank is None or ndims != target_rank + 1:
        return tensor
    return squeeze(tensor, [-1]) if tensor.shape.as_list()[-1] in (1, None) else tensor


def sparse_softmax_cross_entropy(labels: Any, logits: Any, weights: Any = 1.0,
                                 scope: Optional[str] = None,
                                 loss_collection: Any = GraphKeys.LOSSES,
                                 reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Softmax cross-entropy from class indices; labels [batch] or [batch, 1]."""
    _required(labels=labels, logits=logits)
    with name_scope(scope, "sparse_softmax_cross_entropy_loss",
                    [logits, labels, weights]) as scope:
        logits, labels = convert_to_tensor(logits), convert_to_tensor(labels)
        target = None if logits.shape.ndims is None else logits.shape.ndims - 1
        labels = _squeeze_last_if_one(labels, target)
        weights = convert_to_tensor(weights)
        if weights.shape.ndims:
            weights = _squeeze_last_if_one(weights, labels.shape.ndims)
        losses = sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                          name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def add_loss(loss: Any, loss_collection: Any = GraphKeys.LOSSES) -> None:
    """Add `loss` to `loss_collection` (nothing when that is None or empty)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope: Optional[str] = None, loss_collection: Any = GraphKeys.LOSSES) -> list:
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope: Optional[str] = None) -> list:
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope: Optional[str] = None,
                            name: str = "total_regularization_loss") -> Tensor:
    """The sum of the regularization losses, or a 0.0 constant when there are none."""
    losses = get_regularization_losses(scope)
    return add_n(losses, name=name) if losses else constant(0.0)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss",
                   scope: Optional[str] = None) -> Tensor:
    """The sum of the LOSSES collection (and of the regularization losses)."""
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("No losses to sum: get_total_loss found an empty LOSSES collection"
                         + (" and no regularization losses" if add_regularization_losses
                            else ""))
    return add_n(losses, name=name)
