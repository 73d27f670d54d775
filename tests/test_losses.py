"""`tf.losses`: TF 1's per-element losses and its weighted reductions written out in NumPy, the
LOSSES collection, total and regularization losses, and bad arguments."""
import numpy as np
import pytest

import session_magic as tf

LABELS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]],
                  np.float32)
PREDICTIONS = np.array([[0.7, 0.2, 0.1], [0.3, 0.5, 0.2], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]],
                       np.float32)
WEIGHTS = np.array([[1.0], [0.0], [2.0], [0.5]], np.float32)


def _run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def _reduce(losses, weights, reduction):
    """TF 1's compute_weighted_loss in NumPy."""
    weighted = losses * weights
    broadcast = np.ones_like(losses) * weights
    if reduction == "none":
        return weighted
    total = weighted.sum()
    if reduction == "weighted_sum":
        return total
    if reduction == "weighted_mean":
        return total / broadcast.sum() if broadcast.sum() else 0.0
    if reduction == "weighted_sum_over_batch_size":
        return total / losses.size
    present = np.count_nonzero(broadcast)
    return total / present if present else 0.0


def _sigmoid_xent(labels, logits):
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


ELEMENTWISE = {
    "mean_squared_error": (lambda y, p, **k: tf.losses.mean_squared_error(y, p, **k),
                           lambda y, p: (p - y) ** 2),
    "absolute_difference": (lambda y, p, **k: tf.losses.absolute_difference(y, p, **k),
                            lambda y, p: np.abs(p - y)),
    "huber_loss": (lambda y, p, **k: tf.losses.huber_loss(y, 3 * p, delta=0.5, **k),
                   lambda y, p: np.where(np.abs(3 * p - y) <= 0.5, 0.5 * (3 * p - y) ** 2,
                                         0.5 * 0.5 ** 2 + 0.5 * (np.abs(3 * p - y) - 0.5))),
    "log_loss": (lambda y, p, **k: tf.losses.log_loss(y, p, **k),
                 lambda y, p: -y * np.log(p + 1e-7) - (1 - y) * np.log(1 - p + 1e-7)),
    "hinge_loss": (lambda y, p, **k: tf.losses.hinge_loss(y, 4 * p - 2, **k),
                   lambda y, p: np.maximum(0, 1 - (2 * y - 1) * (4 * p - 2))),
    "sigmoid_cross_entropy": (
        lambda y, p, **k: tf.losses.sigmoid_cross_entropy(y, 4 * p - 2, label_smoothing=0.2,
                                                          **k),
        lambda y, p: _sigmoid_xent(y * 0.8 + 0.1, 4 * p - 2)),
}
REDUCTIONS = ["none", "weighted_sum", "weighted_mean", "weighted_sum_over_batch_size",
              "weighted_sum_by_nonzero_weights"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_each_loss_reduces_its_weighted_elements_as_tf1_does(name, reduction):
    build, numpy_loss = ELEMENTWISE[name]
    value = build(tf.constant(LABELS), tf.constant(PREDICTIONS), weights=WEIGHTS,
                  reduction=reduction)
    expected = _reduce(numpy_loss(LABELS, PREDICTIONS), WEIGHTS, reduction)
    np.testing.assert_allclose(_run(value), expected, rtol=2e-5, atol=1e-6)


def test_the_default_reduction_divides_by_the_nonzero_weights():
    assert tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS == "weighted_sum_by_nonzero_weights"
    loss = tf.losses.mean_squared_error(LABELS, PREDICTIONS, WEIGHTS)
    expected = ((PREDICTIONS - LABELS) ** 2 * WEIGHTS).sum() / 9  # three rows of weight != 0
    assert _run(loss) == pytest.approx(expected, rel=1e-6)
    assert loss.name == "mean_squared_error/value:0"


def test_all_zero_weights_give_zero_not_nan():
    loss = tf.losses.absolute_difference(LABELS, PREDICTIONS, weights=0.0)
    assert _run(loss) == 0.0


def test_softmax_cross_entropy_smooths_labels_towards_uniform():
    logits = PREDICTIONS * 3
    loss = tf.losses.softmax_cross_entropy(LABELS, logits, label_smoothing=0.3)
    smoothed = LABELS * 0.7 + 0.1
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    assert _run(loss) == pytest.approx(-(smoothed * log_softmax).sum(1).mean(), rel=1e-5)


def test_sparse_softmax_cross_entropy_takes_class_indices_and_a_column_of_them():
    logits = PREDICTIONS * 3
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    per_example = -log_softmax[np.arange(4), [0, 1, 2, 1]]
    flat = tf.losses.sparse_softmax_cross_entropy([0, 1, 2, 1], logits)
    column = tf.losses.sparse_softmax_cross_entropy([[0], [1], [2], [1]], logits, WEIGHTS)
    got_flat, got_column = _run([flat, column])
    assert got_flat == pytest.approx(per_example.mean(), rel=1e-5)
    assert got_column == pytest.approx((per_example * WEIGHTS[:, 0]).sum() / 3, rel=1e-5)


def test_cosine_distance_needs_an_axis_and_takes_dim_for_it():
    unit = PREDICTIONS / np.linalg.norm(PREDICTIONS, axis=1, keepdims=True)
    loss = tf.losses.cosine_distance(LABELS, unit, dim=1)
    assert _run(loss) == pytest.approx((1 - (LABELS * unit).sum(1)).mean(), rel=1e-5)
    with pytest.raises(ValueError, match="You must specify 'axis'"):
        tf.losses.cosine_distance(LABELS, unit)


def test_mean_pairwise_squared_error_averages_over_pairs_within_each_example():
    loss = tf.losses.mean_pairwise_squared_error(LABELS, PREDICTIONS)
    diffs = PREDICTIONS - LABELS
    pairs = [np.mean([(d[i] - d[j]) ** 2 for i in range(3) for j in range(3) if i != j])
             for d in diffs]
    assert _run(loss) == pytest.approx(np.sum(pairs), rel=1e-5)


def test_losses_join_the_losses_collection_and_the_total():
    a = tf.losses.mean_squared_error(LABELS, PREDICTIONS)
    b = tf.losses.absolute_difference(LABELS, PREDICTIONS, scope="mine")
    tf.losses.hinge_loss(LABELS, PREDICTIONS, loss_collection=None)
    penalty = tf.reduce_sum(tf.constant(2.0))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, penalty)
    assert tf.losses.get_losses() == [a, b]
    assert tf.losses.get_losses(scope="mine") == [b]
    total, without, regularization = _run([tf.losses.get_total_loss(),
                                           tf.losses.get_total_loss(False),
                                           tf.losses.get_regularization_loss()])
    first, second = _run([a, b])
    assert total == pytest.approx(first + second + 2.0)
    assert without == pytest.approx(first + second) and regularization == 2.0


def test_add_loss_and_an_empty_regularization_loss():
    tf.losses.add_loss(tf.constant(1.5))
    assert _run(tf.losses.get_total_loss()) == 1.5
    assert _run(tf.losses.get_regularization_loss()) == 0.0


def test_bad_arguments_fail_naming_what_was_wrong():
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.mean_squared_error(LABELS, PREDICTIONS, reduction="average")
    with pytest.raises(ValueError, match="labels must not be None"):
        tf.losses.mean_squared_error(None, PREDICTIONS)
    with pytest.raises(ValueError, match="incompatible"):
        tf.losses.mean_squared_error(LABELS, PREDICTIONS[:, :2])
    with pytest.raises(ValueError, match="weights can not be broadcast"):
        tf.losses.mean_squared_error(LABELS, PREDICTIONS, weights=np.ones((4, 2), np.float32))


def test_weights_that_do_not_broadcast_fail_at_run_time_when_the_shape_is_dynamic():
    labels = tf.placeholder(tf.float32, [None, 1])
    loss = tf.losses.mean_squared_error(labels, labels, weights=np.ones((4, 3), np.float32))
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="weights can not be broadcast"):
        sess.run(loss, {labels: np.ones((4, 1))})


def test_the_loss_keeps_its_input_dtype():
    loss = tf.losses.mean_squared_error(LABELS.astype(np.float64),
                                        tf.constant(PREDICTIONS, tf.float64))
    assert loss.dtype == tf.float32  # NOTE: TF 1 casts labels and predictions to float32 first
