"""`tf.metrics`: streaming metrics. Each returns `(value, update_op)`: running `update_op` on a
batch adds it to local variables (`accuracy/total`, `accuracy/count`, in LOCAL_VARIABLES and
METRIC_VARIABLES, zeroed by `local_variables_initializer()`); `value` reads the running result.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from . import dtypes as d
from .graph import GraphKeys, Tensor, add_to_collections, control_dependencies
from .ops.array_ops import (expand_dims, eye, one_hot, ones_like, reshape, size, squeeze,
                            transpose, zeros, zeros_like)
from .ops.array_ops import rank as array_rank
from .ops.functional import cond
from .ops.constant_ops import constant, identity
from .ops.conversion import convert_to_tensor
from .ops.math_ops import greater_equal, less
from .ops.math_ops import (abs as _abs, cast, div, div_no_nan, equal, greater, logical_and,
                           log, logical_not, matmul, maximum, minimum, multiply, not_equal,
                           reduce_all, reduce_mean, reduce_sum, sqrt, squared_difference,
                           subtract, where)
from .ops.script_ops import Assert
from .variables import Variable, variable_scope

__all__ = ["accuracy", "mean", "precision", "recall", "auc", "mean_squared_error",
           "mean_absolute_error", "root_mean_squared_error", "mean_iou", "true_positives",
           "false_positives", "false_negatives", "true_negatives", "true_positives_at_thresholds",
           "false_positives_at_thresholds", "true_negatives_at_thresholds",
           "false_negatives_at_thresholds", "precision_at_thresholds", "recall_at_thresholds",
           "percentage_below", "mean_relative_error", "mean_cosine_distance", "mean_tensor",
           "mean_per_class_accuracy", "METRIC_VARIABLES"]

METRIC_VARIABLES = GraphKeys.METRIC_VARIABLES


def metric_variable(shape: list, dtype: Any, name: str) -> Variable:
    """A zero-initialized, non-trainable local variable holding a running sum."""
    return Variable(lambda: zeros(shape, dtype), trainable=False, name=name, dtype=dtype,
                    collections=[GraphKeys.LOCAL_VARIABLES, METRIC_VARIABLES])


def _add_to(collections: Any, tensor: Tensor) -> None:
    if collections:
        add_to_collections(collections, tensor)


def _squeeze_one(tensor: Tensor, other: Tensor) -> Tensor:
    """`tensor` without a trailing size-1 dim when it has one more dim than `other`; decided
    while running when a rank is unknown, as TF does."""
    rank, other_rank = tensor.shape.ndims, other.shape.ndims
    if rank is None or other_rank is None:
        if rank is not None and (rank == 0 or tensor.shape.as_list()[-1] not in (1, None)):
            return tensor
        squeezable = equal(array_rank(tensor) - array_rank(other), 1)
        return cond(squeezable, lambda: squeeze(tensor, [-1]), lambda: identity(tensor))
    if rank != other_rank + 1:
        return tensor
    return squeeze(tensor, [-1]) if tensor.shape.as_list()[-1] in (1, None) else tensor


def _remove_squeezable_dimensions(predictions: Any, labels: Any, weights: Any) -> tuple:
    """TF's static rule: drop a trailing 1 that makes labels/predictions/weights ranks differ."""
    predictions = convert_to_tensor(predictions)
    if labels is not None:
        labels = convert_to_tensor(labels)
        predictions, labels = _squeeze_one(predictions, labels), _squeeze_one(labels, predictions)
        if not predictions.shape.is_compatible_with(labels.shape):
            raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible "
                             "(predictions and labels)")
    if weights is None:
        return predictions, labels, None
    weights = convert_to_tensor(weights)
    w_rank, p_rank = weights.shape.ndims, predictions.shape.ndims
    if w_rank and p_rank is not None:
        if w_rank - p_rank == 1:
            weights = squeeze(weights, [-1])
        elif p_rank - w_rank == 1:
            weights = expand_dims(weights, -1)
    return predictions, labels, weights


def _broadcast_weights(weights: Any, values: Tensor) -> Tensor:
    weights = cast(weights, d.float32)
    if weights.shape.is_fully_defined() and weights.shape == values.shape:
        return weights
    return multiply(weights, ones_like(values))


def mean(values: Any, weights: Any = None, metrics_collections: Any = None,
         updates_collections: Any = None, name: Optional[str] = None) -> tuple:
    """The (weighted) mean of every value seen: variables `total` and `count`."""
    with variable_scope(name, "mean", [values, weights]):
        values = cast(values, d.float32)
        total = metric_variable([], d.float32, "total")
        count = metric_variable([], d.float32, "count")
        if weights is None:
            num_values = cast(size(values), d.float32)
        else:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(weights, values)
            values = multiply(values, weights)
            num_values = reduce_sum(weights)
        update_total_op = total.assign_add(reduce_sum(values))
        update_count_op = count.assign_add(num_values)
        mean_t = div_no_nan(total, maximum(count, 0), name="value")
        update_op = div_no_nan(update_total_op, maximum(update_count_op, 0), name="update_op")
        _add_to(metrics_collections, mean_t)
        _add_to(updates_collections, update_op)
        return mean_t, update_op


def accuracy(labels: Any, predictions: Any, weights: Any = None, metrics_collections: Any = None,
             updates_collections: Any = None, name: Optional[str] = None) -> tuple:
    """How often `predictions` equals `labels`: the mean of `equal` (variables total, count)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    if labels.dtype != predictions.dtype:
        predictions = cast(predictions, labels.dtype)
    is_correct = cast(equal(predictions, labels), d.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")


def mean_squared_error(labels: Any, predictions: Any, weights: Any = None,
                       metrics_collections: Any = None, updates_collections: Any = None,
                       name: Optional[str] = None) -> tuple:
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    squared_error = squared_difference(labels, predictions)
    return mean(squared_error, weights, metrics_collections, updates_collections,
                name or "mean_squared_error")


def mean_absolute_error(labels: Any, predictions: Any, weights: Any = None,
                        metrics_collections: Any = None, updates_collections: Any = None,
                        name: Optional[str] = None) -> tuple:
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    absolute_errors = _abs(predictions - labels)
    return mean(absolute_errors, weights, metrics_collections, updates_collections,
                name or "mean_absolute_error")


def root_mean_squared_error(labels: Any, predictions: Any, weights: Any = None,
                            metrics_collections: Any = None, updates_collections: Any = None,
                            name: Optional[str] = None) -> tuple:
    mse, update_mse_op = mean_squared_error(labels, predictions, weights, None, None,
                                            name or "root_mean_squared_error")
    rmse, update_rmse_op = sqrt(mse), sqrt(update_mse_op)
    _add_to(metrics_collections, rmse)
    _add_to(updates_collections, update_rmse_op)
    return rmse, update_rmse_op


def _count_condition(values: Tensor, weights: Any, metrics_collections: Any,
                     updates_collections: Any) -> tuple:
    count = metric_variable([], d.float32, "count")
    values = cast(values, d.float32)
    if weights is not None:
        values = multiply(values, cast(weights, d.float32))
    value_tensor = identity(count)
    update_op = count.assign_add(reduce_sum(values))
    _add_to(metrics_collections, value_tensor)
    _add_to(updates_collections, update_op)
    return value_tensor, update_op


def _condition_metric(default_name: str, want_label: bool, want_prediction: bool) -> Callable:
    def metric(labels: Any, predictions: Any, weights: Any = None,
               metrics_collections: Any = None, updates_collections: Any = None,
               name: Optional[str] = None) -> tuple:
        with variable_scope(name, default_name, [predictions, labels, weights]):
            predictions, labels, weights = _remove_squeezable_dimensions(
                cast(predictions, d.bool), cast(labels, d.bool), weights)
            label = labels if want_label else logical_not(labels)
            prediction = predictions if want_prediction else logical_not(predictions)
            return _count_condition(logical_and(label, prediction), weights,
                                    metrics_collections, updates_collections)
    metric.__name__ = default_name
    metric.__doc__ = f"The (weighted) count of {default_name.replace('_', ' ')}."
    return metric


true_positives = _condition_metric("true_positives", True, True)
false_positives = _condition_metric("false_positives", False, True)
false_negatives = _condition_metric("false_negatives", True, False)
true_negatives = _condition_metric("true_negatives", False, False)


def _ratio(hits: Tensor, misses: Tensor, name: str) -> Tensor:
    """hits / (hits + misses), 0 where there are none (TF's precision and recall)."""
    total = hits + misses
    return where(greater(total, 0), div(hits, total), zeros_like_scalar(hits), name=name)


def zeros_like_scalar(tensor: Tensor) -> Tensor:
    return constant(0.0, tensor.dtype)


def _ratio_metric(default_name: str, other: Callable) -> Callable:
    def metric(labels: Any, predictions: Any, weights: Any = None,
               metrics_collections: Any = None, updates_collections: Any = None,
               name: Optional[str] = None) -> tuple:
        with variable_scope(name, default_name, [predictions, labels, weights]):
            predictions, labels, weights = _remove_squeezable_dimensions(
                cast(predictions, d.bool), cast(labels, d.bool), weights)
            hits, update_hits = true_positives(labels, predictions, weights)
            misses, update_misses = other(labels, predictions, weights)
            value = _ratio(hits, misses, "value")
            update_op = _ratio(update_hits, update_misses, "update_op")
            _add_to(metrics_collections, value)
            _add_to(updates_collections, update_op)
            return value, update_op
    metric.__name__ = default_name
    return metric


precision = _ratio_metric("precision", false_positives)
precision.__doc__ = "true_positives / (true_positives + false_positives), 0 before any."
recall = _ratio_metric("recall", false_negatives)
recall.__doc__ = "true_positives / (true_positives + false_negatives), 0 before any."


def _confusion_at_thresholds(labels: Any, predictions: Any, thresholds: list, weights: Any,
                             includes: tuple = ("tp", "fn", "tn", "fp")) -> tuple:
    """Per threshold, running counts tp, fn, tn, fp of `predictions > threshold`."""
    predictions = cast(predictions, d.float32)
    in_range = logical_and(reduce_all(predictions >= 0.0), reduce_all(predictions <= 1.0))
    with control_dependencies([Assert(in_range, ["predictions must be in [0, 1]",
                                                 predictions])]):
        predictions, labels, weights = _remove_squeezable_dimensions(
            identity(predictions, name="checked_predictions"), cast(labels, d.bool), weights)
    predictions_2d = reshape(predictions, [-1, 1])
    labels_2d = reshape(labels, [1, -1])
    pred_is_pos = greater(transpose(predictions_2d),
                          constant([[t] for t in thresholds], d.float32))
    label_is_pos = labels_2d & ones_like(pred_is_pos)
    weights_tiled = None
    if weights is not None:
        weights = _broadcast_weights(weights, predictions)
        weights_tiled = reshape(weights, [1, -1])
    kinds = {"tp": ("true_positives", True, True), "fn": ("false_negatives", True, False),
             "tn": ("true_negatives", False, False), "fp": ("false_positives", False, True)}
    values, updates = {}, {}
    for key in [k for k in kinds if k in includes]:
        name, positive_label, positive_prediction = kinds[key]
        variable = metric_variable([len(thresholds)], d.float32, name)
        hits = cast(logical_and(label_is_pos if positive_label else logical_not(label_is_pos),
                                pred_is_pos if positive_prediction else
                                logical_not(pred_is_pos)), d.float32)
        if weights_tiled is not None:
            hits *= weights_tiled
        updates[key] = variable.assign_add(reduce_sum(hits, 1))
        values[key] = variable.value()
    return values, updates


def _count_at_thresholds(key: str, default_name: str) -> Callable:
    def metric(labels: Any, predictions: Any, thresholds: list, weights: Any = None,
               metrics_collections: Any = None, updates_collections: Any = None,
               name: Optional[str] = None) -> tuple:
        with variable_scope(name, default_name, [predictions, labels, weights]):
            values, updates = _confusion_at_thresholds(labels, predictions, list(thresholds),
                                                       weights, (key,))
            value = identity(values[key])
            _add_to(metrics_collections, value)
            _add_to(updates_collections, updates[key])
            return value, updates[key]
    metric.__name__ = f"{default_name}_at_thresholds"
    metric.__doc__ = f"The (weighted) {default_name.replace('_', ' ')} at each threshold."
    return metric


true_positives_at_thresholds = _count_at_thresholds("tp", "true_positives")
false_positives_at_thresholds = _count_at_thresholds("fp", "false_positives")
true_negatives_at_thresholds = _count_at_thresholds("tn", "true_negatives")
false_negatives_at_thresholds = _count_at_thresholds("fn", "false_negatives")


def _ratio_at_thresholds(default_name: str, other: str, prefix: str) -> Callable:
    def metric(labels: Any, predictions: Any, thresholds: list, weights: Any = None,
               metrics_collections: Any = None, updates_collections: Any = None,
               name: Optional[str] = None) -> tuple:
        with variable_scope(name, default_name, [predictions, labels, weights]):
            values, updates = _confusion_at_thresholds(labels, predictions, list(thresholds),
                                                       weights, ("tp", other))
            epsilon = 1e-7  # NOTE: TF's guard against 0 / 0

            def ratio(counts: dict, suffix: str) -> Tensor:
                return div(counts["tp"], epsilon + counts["tp"] + counts[other],
                           name=f"{prefix}_{suffix}")
            value, update_op = ratio(values, "value"), ratio(updates, "update_op")
            _add_to(metrics_collections, value)
            _add_to(updates_collections, update_op)
            return value, update_op
    metric.__name__ = default_name
    return metric


precision_at_thresholds = _ratio_at_thresholds("precision_at_thresholds", "fp", "precision")
precision_at_thresholds.__doc__ = "tp / (tp + fp) at each threshold of `predictions >`."
recall_at_thresholds = _ratio_at_thresholds("recall_at_thresholds", "fn", "recall")
recall_at_thresholds.__doc__ = "tp / (tp + fn) at each threshold of `predictions >`."


def percentage_below(values: Any, threshold: float, weights: Any = None,
                     metrics_collections: Any = None, updates_collections: Any = None,
                     name: Optional[str] = None) -> tuple:
    is_below_threshold = cast(convert_to_tensor(values) < threshold, d.float32)
    return mean(is_below_threshold, weights, metrics_collections, updates_collections,
                name or "percentage_below_threshold")


def mean_relative_error(labels: Any, predictions: Any, normalizer: Any, weights: Any = None,
                        metrics_collections: Any = None, updates_collections: Any = None,
                        name: Optional[str] = None) -> tuple:
    """The mean of |labels - predictions| / normalizer (0 where the normalizer is 0)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    normalizer = convert_to_tensor(normalizer, dtype=predictions.dtype)
    predictions, normalizer = _squeeze_one(predictions, normalizer), \
        _squeeze_one(normalizer, predictions)
    relative_errors = where(equal(normalizer, 0.0), zeros_like(labels),
                            div(_abs(labels - predictions), normalizer))
    return mean(relative_errors, weights, metrics_collections, updates_collections,
                name or "mean_relative_error")


def mean_cosine_distance(labels: Any, predictions: Any, dim: int, weights: Any = None,
                         metrics_collections: Any = None, updates_collections: Any = None,
                         name: Optional[str] = None) -> tuple:
    """1 - the mean of sum(labels * predictions, dim) (unit vectors expected)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    radial_diffs = reduce_sum(multiply(predictions, labels), axis=[dim], keepdims=True)
    mean_distance, update_op = mean(radial_diffs, weights, None, None,
                                    name or "mean_cosine_distance")
    mean_distance, update_op = subtract(1.0, mean_distance), subtract(1.0, update_op)
    _add_to(metrics_collections, mean_distance)
    _add_to(updates_collections, update_op)
    return mean_distance, update_op


def mean_tensor(values: Any, weights: Any = None, metrics_collections: Any = None,
                updates_collections: Any = None, name: Optional[str] = None) -> tuple:
    """The element-wise (weighted) mean of every `values` seen (a fully defined shape)."""
    with variable_scope(name, "mean", [values, weights]):
        values = cast(values, d.float32)
        if not values.shape.is_fully_defined():
            raise ValueError(f"mean_tensor needs values of a fully defined shape, got "
                             f"{values.shape}")
        total = metric_variable(values.shape.as_list(), d.float32, "total_tensor")
        count = metric_variable(values.shape.as_list(), d.float32, "count_tensor")
        num_values = ones_like(values)
        if weights is not None:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(weights, values)
            values, num_values = multiply(values, weights), multiply(num_values, weights)
        update_total_op = total.assign_add(values)
        update_count_op = count.assign_add(num_values)
        mean_t = div_no_nan(total, maximum(count, 0), name="value")
        update_op = div_no_nan(update_total_op, maximum(update_count_op, 0), name="update_op")
        _add_to(metrics_collections, mean_t)
        _add_to(updates_collections, update_op)
        return mean_t, update_op


def mean_per_class_accuracy(labels: Any, predictions: Any, num_classes: int, weights: Any = None,
                            metrics_collections: Any = None, updates_collections: Any = None,
                            name: Optional[str] = None) -> tuple:
    """The mean over classes of each class's accuracy; the update op is the per-class vector."""
    with variable_scope(name, "mean_accuracy", [predictions, labels, weights]):
        labels = reshape(cast(labels, d.int64), [-1])
        predictions = reshape(cast(predictions, d.int64), [-1])
        inside = logical_and(greater_equal(labels, 0), less(labels, num_classes))
        with control_dependencies([Assert(reduce_all(inside), [  # NOTE: TF's scatter_add fails
                f"`labels` out of bound: must be in [0, {num_classes})", labels])]):
            labels = identity(labels)
        total = metric_variable([num_classes], d.float32, "total")
        count = metric_variable([num_classes], d.float32, "count")
        per_class = one_hot(labels, num_classes, dtype=d.float32)
        is_correct = cast(equal(predictions, labels), d.float32)
        ones = ones_like(is_correct)
        if weights is not None:
            weights = reshape(cast(weights, d.float32), [-1])
            is_correct, ones = is_correct * weights, ones * weights
        update_total_op = total.assign_add(reduce_sum(per_class * expand_dims(ones, 1), 0))
        update_count_op = count.assign_add(reduce_sum(per_class * expand_dims(is_correct, 1), 0))
        value = reduce_mean(div_no_nan(count, maximum(total, 0)), name="mean_accuracy")
        update_op = div_no_nan(update_count_op, maximum(update_total_op, 0), name="update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def _interpolate_pr_auc(tp: Tensor, fp: Tensor, fn: Tensor, n: int) -> Tensor:
    """Davis & Goadrich's interpolation of the PR curve between thresholds (TF's rule)."""
    dtp = tp[:n - 1] - tp[1:]
    p = tp + fp
    prec_slope = div_no_nan(dtp, maximum(p[:n - 1] - p[1:], 0), name="prec_slope")
    intercept = tp[1:] - multiply(prec_slope, p[1:])
    safe_p_ratio = where(logical_and(p[:n - 1] > 0, p[1:] > 0),
                         div_no_nan(p[:n - 1], maximum(p[1:], 0), name="recall_relative_ratio"),
                         ones_like(p[1:]))
    return reduce_sum(div_no_nan(prec_slope * (dtp + intercept * log(safe_p_ratio)),
                                 maximum(tp[1:] + fn[1:], 0), name="pr_auc_increment"),
                      name="interpolate_pr_auc")


def auc(labels: Any, predictions: Any, weights: Any = None, num_thresholds: int = 200,
        metrics_collections: Any = None, updates_collections: Any = None, curve: str = "ROC",
        name: Optional[str] = None, summation_method: str = "trapezoidal",
        thresholds: Any = None) -> tuple:
    """Area under the ROC or PR curve, from counts at `num_thresholds` thresholds in [0, 1]."""
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
    if summation_method not in ("trapezoidal", "careful_interpolation", "minoring", "majoring"):
        raise ValueError(f"Invalid summation_method: {summation_method}")
    with variable_scope(name, "auc", [labels, predictions, weights]):
        if thresholds is not None:
            thresholds = [0.0 - 1e-7] + sorted(float(t) for t in thresholds) + [1.0 + 1e-7]
            num_thresholds = len(thresholds)
        else:
            if num_thresholds < 2:
                raise ValueError(f"num_thresholds must be > 1, got {num_thresholds}")
            kepsilon = 1e-7  # NOTE: so 0 and 1 predictions fall on the right side of the ends
            thresholds = ([0.0 - kepsilon] +
                          [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
                          + [1.0 + kepsilon])
        values, updates = _confusion_at_thresholds(labels, predictions, thresholds, weights)
        area = _area(curve, summation_method, num_thresholds)
        value = area(values["tp"], values["fn"], values["tn"], values["fp"], "value")
        update_op = area(updates["tp"], updates["fn"], updates["tn"], updates["fp"], "update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def _area(curve: str, summation_method: str, n: int) -> Callable:
    epsilon = 1.0e-6

    def compute(tp: Tensor, fn: Tensor, tn: Tensor, fp: Tensor, name: str) -> Tensor:
        if curve == "PR" and summation_method == "careful_interpolation":
            return _interpolate_pr_auc(tp, fp, fn, n)  # NOTE: as TF, not named `name`
        rec = div(tp + epsilon, tp + fn + epsilon)
        if curve == "ROC":
            x, y = div(fp, fp + tn + epsilon), rec
        else:
            x, y = rec, div(tp + epsilon, tp + fp + epsilon)
        if summation_method in ("trapezoidal", "careful_interpolation"):
            heights = (y[:n - 1] + y[1:]) / 2.
        elif summation_method == "minoring":
            heights = minimum(y[:n - 1], y[1:])
        else:
            heights = maximum(y[:n - 1], y[1:])
        return reduce_sum(multiply(x[:n - 1] - x[1:], heights), name=name)
    return compute


def mean_iou(labels: Any, predictions: Any, num_classes: int, weights: Any = None,
             metrics_collections: Any = None, updates_collections: Any = None,
             name: Optional[str] = None) -> tuple:
    """Mean intersection-over-union of the classes seen; the update op returns the running
    confusion matrix (float64), as TF's does."""
    with variable_scope(name, "mean_iou", [predictions, labels, weights]):
        predictions, labels = convert_to_tensor(predictions), convert_to_tensor(labels)
        if not predictions.shape.is_compatible_with(labels.shape):
            raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible "
                             "(predictions and labels)")
        total_cm = metric_variable([num_classes, num_classes], d.float64,
                                   "total_confusion_matrix")
        update_op = total_cm.assign_add(_confusion_matrix(labels, predictions, num_classes,
                                                          weights))
        value = _mean_iou_of(total_cm.value(), num_classes)
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def _confusion_matrix(labels: Tensor, predictions: Tensor, num_classes: int,
                      weights: Any) -> Tensor:
    """[num_classes, num_classes] float64 counts, rows the labels, columns the predictions;
    a label or prediction outside [0, num_classes) fails the run, as TF's confusion_matrix."""
    checks = []
    for name, values in (("labels", labels), ("predictions", predictions)):
        values = reshape(cast(values, d.int64), [-1])
        inside = logical_and(greater_equal(values, 0), less(values, num_classes))
        checks.append(Assert(reduce_all(inside), [f"`{name}` out of bound: must be in "
                                                  f"[0, {num_classes})", values]))
    with control_dependencies(checks):
        labels = one_hot(reshape(cast(labels, d.int64), [-1]), num_classes, dtype=d.float64)
        predictions = one_hot(reshape(cast(predictions, d.int64), [-1]), num_classes,
                              dtype=d.float64)
    if weights is not None:
        labels *= expand_dims(reshape(cast(weights, d.float64), [-1]), 1)
    return matmul(labels, predictions, transpose_a=True)


def _mean_iou_of(total_cm: Tensor, num_classes: int) -> Tensor:
    sum_over_row = cast(reduce_sum(total_cm, 0), d.float32)
    sum_over_col = cast(reduce_sum(total_cm, 1), d.float32)
    cm_diag = cast(reduce_sum(total_cm * eye(num_classes, dtype=d.float64), 1), d.float32)
    denominator = sum_over_row + sum_over_col - cm_diag
    num_valid_entries = reduce_sum(cast(not_equal(denominator, 0), d.float32))
    denominator = where(greater(denominator, 0), denominator, ones_like(denominator))
    iou = div(cm_diag, denominator)
    return where(greater(num_valid_entries, 0),
                 reduce_sum(iou, name="mean_iou") / num_valid_entries, constant(0.0))
