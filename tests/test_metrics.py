"""`tf.metrics`: each `(value, update_op)` pair against NumPy over several batches, the local
variables TF 1 names (`accuracy/total`, `accuracy/count`), `local_variables_initializer`
resetting them, weights, and the AUC rules against a direct computation."""
import numpy as np
import pytest

import session_magic as tf

BATCHES = [
    ([0, 1, 1, 0], [0, 1, 0, 0], [0.1, 0.9, 0.4, 0.3], [1.0, 2.0, 0.0, 1.0]),
    ([1, 1, 0, 0], [1, 0, 0, 1], [0.8, 0.35, 0.2, 0.6], [0.5, 1.0, 1.0, 1.0]),
    ([1, 0, 1, 1], [1, 0, 1, 0], [0.7, 0.05, 0.95, 0.45], [1.0, 1.0, 3.0, 0.0]),
]
ALL = [np.concatenate([np.asarray(b[i], np.float64) for b in BATCHES]) for i in range(4)]


def _placeholders():
    return (tf.placeholder(tf.int64, [None]), tf.placeholder(tf.int64, [None]),
            tf.placeholder(tf.float32, [None]), tf.placeholder(tf.float32, [None]))


def _stream(value, update, inputs):
    """Run `update` on every batch, then read `value`; the last update's result too."""
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        for batch in BATCHES:
            last = sess.run(update, dict(zip(inputs, batch, strict=True)))
        return sess.run(value), last


def test_accuracy_variables_are_local_metric_variables_named_as_tf():
    labels, predictions, _, _ = _placeholders()
    value, update = tf.metrics.accuracy(labels, predictions)
    tf.metrics.accuracy(labels, predictions)
    assert [v.name for v in tf.local_variables()] == [
        "accuracy/total:0", "accuracy/count:0", "accuracy_1/total:0", "accuracy_1/count:0"]
    assert tf.get_collection("metric_variables") == tf.local_variables()
    assert tf.global_variables() == [] and tf.trainable_variables() == []
    assert (value.name, update.name) == ("accuracy/value:0", "accuracy/update_op:0")


def test_streaming_accuracy_over_batches_equals_the_whole_set_accuracy():
    inputs = _placeholders()
    value, update = tf.metrics.accuracy(inputs[0], inputs[1])
    streamed, last = _stream(value, update, inputs)
    whole = np.mean(ALL[0] == ALL[1])
    assert streamed == pytest.approx(whole) and last == pytest.approx(whole)


def test_weighted_metrics_weigh_each_example():
    inputs = _placeholders()
    labels, predictions, scores, weights = inputs
    pairs = {"accuracy": tf.metrics.accuracy(labels, predictions, weights),
             "mean": tf.metrics.mean(scores, weights),
             "mse": tf.metrics.mean_squared_error(tf.cast(labels, tf.float32), scores, weights),
             "mae": tf.metrics.mean_absolute_error(tf.cast(labels, tf.float32), scores,
                                                   weights),
             "rmse": tf.metrics.root_mean_squared_error(tf.cast(labels, tf.float32), scores,
                                                        weights)}
    y, p, s, w = ALL
    expected = {"accuracy": np.sum((y == p) * w) / w.sum(), "mean": np.sum(s * w) / w.sum(),
                "mse": np.sum((y - s) ** 2 * w) / w.sum(),
                "mae": np.sum(np.abs(y - s) * w) / w.sum()}
    expected["rmse"] = np.sqrt(expected["mse"])
    for key, (value, update) in pairs.items():
        streamed, _ = _stream(value, update, inputs)
        assert streamed == pytest.approx(expected[key], rel=1e-5), key


def test_precision_recall_and_the_counts():
    inputs = _placeholders()
    labels, predictions, _, weights = inputs
    pairs = {"precision": tf.metrics.precision(labels, predictions, weights),
             "recall": tf.metrics.recall(labels, predictions, weights),
             "tp": tf.metrics.true_positives(labels, predictions, weights),
             "fp": tf.metrics.false_positives(labels, predictions, weights),
             "fn": tf.metrics.false_negatives(labels, predictions, weights)}
    y, p, _, w = ALL
    tp, fp, fn = (np.sum(w * (y == a) * (p == b)) for a, b in ((1, 1), (0, 1), (1, 0)))
    expected = {"precision": tp / (tp + fp), "recall": tp / (tp + fn), "tp": tp, "fp": fp,
                "fn": fn}
    for key, (value, update) in pairs.items():
        streamed, _ = _stream(value, update, inputs)
        assert streamed == pytest.approx(expected[key], rel=1e-6), key
    assert [v.name for v in tf.local_variables()][:2] == [
        "precision/true_positives/count:0", "precision/false_positives/count:0"]


def test_precision_is_zero_before_any_positive_prediction():
    value, update = tf.metrics.precision([1, 0], [0, 0])
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == 0.0 and sess.run(value) == 0.0


def _numpy_auc(labels, scores, weights, num_thresholds, curve):
    epsilon = 1e-7
    thresholds = np.array([-epsilon] + [(i + 1) / (num_thresholds - 1)
                                        for i in range(num_thresholds - 2)] + [1 + epsilon],
                          np.float32)
    above = scores[None, :].astype(np.float32) > thresholds[:, None]
    pos = labels[None, :] == 1
    tp, fn = (above & pos) @ weights, (~above & pos) @ weights
    fp, tn = (above & ~pos) @ weights, (~above & ~pos) @ weights
    rec = (tp + 1e-6) / (tp + fn + 1e-6)
    x, y = (fp / (fp + tn + 1e-6), rec) if curve == "ROC" else (rec, (tp + 1e-6) /
                                                                 (tp + fp + 1e-6))
    return np.sum((x[:-1] - x[1:]) * (y[:-1] + y[1:]) / 2)


@pytest.mark.parametrize("curve", ["ROC", "PR"])
def test_auc_integrates_the_curve_by_trapezoids(curve):
    inputs = _placeholders()
    value, update = tf.metrics.auc(inputs[0], inputs[2], inputs[3], curve=curve)
    streamed, _ = _stream(value, update, inputs)
    y, _, s, w = ALL
    assert streamed == pytest.approx(_numpy_auc(y, s, w, 200, curve), rel=1e-5)
    assert [v.name for v in tf.local_variables()] == [
        "auc/true_positives:0", "auc/false_negatives:0", "auc/true_negatives:0",
        "auc/false_positives:0"]
    assert tf.local_variables()[0].shape.as_list() == [200]


def test_a_perfect_ranking_has_roc_auc_one():
    value, update = tf.metrics.auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        assert sess.run(value) == pytest.approx(1.0, abs=1e-5)


def test_auc_rejects_an_unknown_curve_and_summation():
    with pytest.raises(ValueError, match="curve must be either ROC or PR"):
        tf.metrics.auc([0, 1], [0.2, 0.7], curve="DET")
    with pytest.raises(ValueError, match="summation_method"):
        tf.metrics.auc([0, 1], [0.2, 0.7], summation_method="simpson")


def test_mean_iou_averages_intersection_over_union_of_the_classes():
    inputs = _placeholders()
    value, update = tf.metrics.mean_iou(inputs[0], inputs[1], 2)
    streamed, matrix = _stream(value, update, inputs)
    y, p = ALL[0].astype(int), ALL[1].astype(int)
    cm = np.zeros((2, 2))
    np.add.at(cm, (y, p), 1)
    np.testing.assert_array_equal(matrix, cm)  # NOTE: TF's update op is the confusion matrix
    iou = np.diag(cm) / (cm.sum(0) + cm.sum(1) - np.diag(cm))
    assert streamed == pytest.approx(iou.mean(), rel=1e-6)


def test_local_variables_initializer_resets_a_metric():
    value, update = tf.metrics.mean(tf.constant([1.0, 3.0]))
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        sess.run(update)
        assert sess.run(tf.local_variables()) == [8.0, 4.0]  # total, count
        sess.run(tf.local_variables_initializer())
        assert sess.run(value) == 0.0


def test_metrics_and_updates_collections():
    value, update = tf.metrics.mean(tf.constant([1.0]), metrics_collections=["m"],
                                    updates_collections=[tf.GraphKeys.UPDATE_OPS])
    assert tf.get_collection("m") == [value]
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == [update]


def test_incompatible_labels_and_predictions_fail_at_build_time():
    with pytest.raises(ValueError, match="incompatible"):
        tf.metrics.accuracy([1, 2, 3], [1, 2])


def test_auc_checks_that_predictions_are_probabilities_at_run_time():
    scores = tf.placeholder(tf.float32, [None])
    _, update = tf.metrics.auc([0, 1], scores)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=r"predictions must be in \[0, 1\]"):
        sess.run(tf.local_variables_initializer())
        sess.run(update, {scores: [0.5, 1.5]})


def test_counts_and_ratios_at_thresholds():
    inputs = _placeholders()
    labels, _, scores, weights = inputs
    thresholds = [0.0, 0.3, 0.5, 0.9]
    tp = tf.metrics.true_positives_at_thresholds(labels, scores, thresholds, weights)
    precision = tf.metrics.precision_at_thresholds(labels, scores, thresholds, weights)
    recall = tf.metrics.recall_at_thresholds(labels, scores, thresholds, weights)
    y, _, s, w = ALL
    above = s[None, :] > np.array(thresholds)[:, None]
    hits = (above & (y == 1)) @ w
    expected = {"tp": hits, "precision": hits / (1e-7 + above @ w),
                "recall": hits / (1e-7 + (y == 1) @ w)}
    for key, (value, update) in {"tp": tp, "precision": precision, "recall": recall}.items():
        streamed, _ = _stream(value, update, inputs)
        np.testing.assert_allclose(streamed, expected[key], rtol=1e-5, err_msg=key)
    assert tf.local_variables()[0].name == "true_positives/true_positives:0"


def test_mean_per_class_accuracy_averages_the_accuracy_of_each_class():
    inputs = _placeholders()
    value, update = tf.metrics.mean_per_class_accuracy(inputs[0], inputs[1], 2)
    streamed, per_class = _stream(value, update, inputs)
    y, p = ALL[0], ALL[1]
    expected = [np.mean(p[y == c] == c) for c in (0, 1)]
    np.testing.assert_allclose(per_class, expected, rtol=1e-6)
    assert streamed == pytest.approx(np.mean(expected))


def test_percentage_below_and_mean_tensor():
    inputs = _placeholders()
    below = tf.metrics.percentage_below(inputs[2], 0.5)
    elementwise = tf.metrics.mean_tensor(tf.reshape(inputs[2], [2, 2]))
    s = ALL[2]
    assert _stream(*below, inputs)[0] == pytest.approx(np.mean(s < 0.5))
    np.testing.assert_allclose(_stream(*elementwise, inputs)[0],
                               s.reshape(3, 2, 2).mean(0), rtol=1e-6)


def test_a_trailing_unit_dim_is_squeezed_even_when_ranks_are_known_only_at_run_time():
    labels = tf.placeholder(tf.int64, None)
    predictions = tf.placeholder(tf.int64, None)
    accuracy, update = tf.metrics.accuracy(labels, predictions)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update, {labels: [1, 0, 1, 0], predictions: [[1], [0], [0], [0]]}) == 0.75
        assert sess.run(update, {labels: [1, 1], predictions: [1, 1]}) == pytest.approx(5 / 6)


@pytest.mark.parametrize("metric", [
    lambda: tf.metrics.mean_iou([0, 1, 5], [0, 1, 1], num_classes=2),
    lambda: tf.metrics.mean_iou([0, 1, 1], [0, -1, 1], num_classes=2),
    lambda: tf.metrics.mean_per_class_accuracy([0, -1, 1], [0, 1, 1], num_classes=2),
])
def test_class_metrics_refuse_labels_out_of_range_as_tf(metric):
    value, update = metric()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of bound"):
            sess.run(update)
