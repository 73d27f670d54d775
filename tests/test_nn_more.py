"""tf.nn's normalisation, sharded embeddings, candidate samplers and sampled losses: values
against NumPy, samplers against their distributions and seeds, word2vec-style training, and the
errors bad arguments raise. TF's own values are in tests/golden (topic nn_more)."""
from __future__ import annotations

import numpy as np
import pytest

import session_magic as tf
from session_magic.ops import nn_ops


@pytest.fixture(autouse=True)
def _fresh_graph():
    with tf.Graph().as_default():
        yield


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


# --- candidate samplers --------------------------------------------------------------------------

def _log_uniform_probabilities(range_max: int) -> np.ndarray:
    k = np.arange(range_max)
    return np.log((k + 2) / (k + 1)) / np.log(range_max + 1)


def test_log_uniform_draws_follow_zipf_and_expected_counts_are_p_times_n():
    sampled, true_expected, sampled_expected = tf.nn.log_uniform_candidate_sampler(
        tf.constant([[0], [9]], tf.int64), 1, 40000, False, 10, seed=5)
    values, true_counts, counts = _run([sampled, true_expected, sampled_expected])
    p = _log_uniform_probabilities(10)
    frequencies = np.bincount(values, minlength=10) / values.size
    np.testing.assert_allclose(frequencies, p, atol=0.01)  # 4 standard errors at 40000 draws
    np.testing.assert_allclose(counts, p[values] * 40000, rtol=1e-6)
    np.testing.assert_allclose(true_counts[:, 0], p[[0, 9]] * 40000, rtol=1e-6)


def test_unique_uniform_draws_are_distinct_with_the_tries_formula():
    sampled, true_expected, sampled_expected = tf.nn.uniform_candidate_sampler(
        tf.constant([[3]], tf.int64), 1, 15, True, 20, seed=2)
    values, true_counts, counts = _run([sampled, true_expected, sampled_expected])
    assert len(set(values.tolist())) == 15 and values.min() >= 0 and values.max() < 20
    # NOTE: the tries it took are hidden, but every count is 1 - (1 - p) ** tries, so tries is
    # the same for all and at least the 15 draws kept.
    tries = np.log1p(-counts) / np.log1p(-1 / 20)
    np.testing.assert_allclose(tries, np.round(tries[0]), rtol=1e-4)
    assert tries[0] >= 15 - 1e-3 and np.isclose(true_counts[0, 0], counts[0])


def test_unique_log_uniform_sampling_without_replacement_prefers_small_classes():
    sampled = tf.nn.log_uniform_candidate_sampler(tf.constant([[1]], tf.int64), 1, 5, True,
                                                  1000, seed=1)[0]
    with tf.Session() as sess:
        draws = np.stack([sess.run(sampled) for _ in range(400)])
    assert all(len(set(row)) == 5 for row in draws.tolist())
    # P(k < 10) is log(11) / log(1001), 0.35 a draw; most rows hold a class below 10
    assert np.mean((draws < 10).any(axis=1)) > 0.8


def test_samplers_replay_under_seeds_and_differ_between_runs():
    def draws():
        with tf.Graph().as_default():
            tf.set_random_seed(7)
            sampled = tf.nn.uniform_candidate_sampler(tf.constant([[1]], tf.int64), 1, 6,
                                                      True, 100)[0]
            with tf.Session() as sess:
                return [sess.run(sampled).tolist() for _ in range(2)]
    first, second = draws(), draws()
    assert first == second and first[0] != first[1]


def test_unique_sampling_needs_enough_classes():
    sampled = tf.nn.uniform_candidate_sampler(tf.constant([[1]], tf.int64), 1, 6, True, 5)[0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="range is too small"):
        _run(sampled)


def test_sampler_checks_true_classes_while_building():
    with pytest.raises(ValueError, match="num_true columns, expected: 2 was: 1"):
        tf.nn.log_uniform_candidate_sampler(tf.constant([[1]], tf.int64), 2, 3, True, 10)
    with pytest.raises(TypeError, match="int32"):
        tf.nn.log_uniform_candidate_sampler(tf.constant([[1]]), 1, 3, True, 10)
    with pytest.raises(ValueError, match="num_sampled must be at least 1"):
        tf.nn.uniform_candidate_sampler([[1]], 1, 0, True, 10)


def test_accidental_hits_name_the_last_position_of_a_repeated_candidate():
    indices, ids, weights = _run(list(tf.nn.compute_accidental_hits(
        tf.constant([[4, 2], [7, 7]], tf.int64), tf.constant([2, 7, 2], tf.int64), 2)))
    assert indices.tolist() == [0, 1, 1] and ids.tolist() == [2, 1, 1]
    assert np.all(weights == -np.finfo(np.float32).max)


# --- sampled losses ------------------------------------------------------------------------------

def _fixed_values(sampled, true_expected, sampled_expected):
    return (tf.constant(sampled, tf.int64), tf.constant(true_expected, tf.float32),
            tf.constant(sampled_expected, tf.float32))


def test_nce_loss_is_the_sum_of_logistic_losses_over_true_and_sampled_classes():
    rng = np.random.default_rng(0)
    weights, biases = rng.normal(size=(8, 3)), rng.normal(size=8)
    inputs, labels = rng.normal(size=(2, 3)), np.array([[1], [6]])
    sampled, q_true, q_sampled = [0, 3, 6], [[0.2], [0.4]], [0.5, 0.3, 0.1]
    loss = tf.nn.nce_loss(tf.constant(weights, tf.float32), tf.constant(biases, tf.float32),
                          labels, tf.constant(inputs, tf.float32), 3, 8,
                          sampled_values=_fixed_values(sampled, q_true, q_sampled))
    true_logits = np.sum(inputs * weights[labels[:, 0]], 1) + biases[labels[:, 0]] - \
        np.log(np.array(q_true)[:, 0])
    sampled_logits = inputs @ weights[sampled].T + biases[sampled] - np.log(q_sampled)
    expected = np.logaddexp(0, -true_logits) + np.logaddexp(0, sampled_logits).sum(1)
    np.testing.assert_allclose(_run(loss), expected, rtol=1e-5)


def test_sampled_softmax_removes_accidental_hits():
    weights, inputs = np.eye(4, 3, dtype=np.float32), np.ones((1, 3), np.float32)
    values = _fixed_values([2, 0], [[1.0]], [1.0, 1.0])
    with_hits = tf.nn.sampled_softmax_loss(weights, tf.zeros([4]), [[2]], inputs, 2, 4,
                                           sampled_values=values, remove_accidental_hits=False)
    without = tf.nn.sampled_softmax_loss(weights, tf.zeros([4]), [[2]], inputs, 2, 4,
                                         sampled_values=values)
    kept, removed = _run([with_hits, without])
    np.testing.assert_allclose(kept, np.log(3.0) - 0.0, rtol=1e-6)  # logits [1, 1, 1]
    np.testing.assert_allclose(removed, np.log(2.0), rtol=1e-6)  # the hit's logit drops out


def test_word2vec_with_nce_loss_trains_sharded_embeddings():
    tf.set_random_seed(3)
    vocabulary, size = 20, 8
    shards = [tf.Variable(tf.random_uniform([vocabulary // 2, size], -1.0, 1.0))
              for _ in range(2)]
    nce_weights = tf.Variable(tf.truncated_normal([vocabulary, size], stddev=0.3))
    nce_biases = tf.Variable(tf.zeros([vocabulary]))
    centre = tf.placeholder(tf.int32, [None])
    context = tf.placeholder(tf.int32, [None, 1])
    embedded = tf.nn.embedding_lookup(shards, centre)
    loss = tf.reduce_mean(tf.nn.nce_loss(nce_weights, nce_biases, context, embedded, 5,
                                         vocabulary))
    grads = tf.gradients(loss, shards + [nce_weights])
    assert all(type(g).__name__ == "IndexedSlices" for g in grads)
    step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    words = np.arange(vocabulary)
    feed = {centre: words, context: ((words + 1) % vocabulary)[:, None]}  # a ring of neighbours
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([loss, step], feed)[0] for _ in range(300)]
    assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[:20])


# --- embeddings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("strategy", ["mod", "div"])
@pytest.mark.parametrize("rows", [10, 11, 3])
def test_sharded_lookup_finds_the_rows_of_the_whole_table(strategy, rows):
    table = np.arange(rows * 2, dtype=np.float32).reshape(rows, 2)
    count = 3
    if strategy == "mod":
        shards = [table[p::count] for p in range(count)]
    else:
        bounds = np.cumsum([0] + [rows // count + (p < rows % count) for p in range(count)])
        shards = [table[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    ids = np.array([[0, rows - 1], [rows // 2, 1]], np.int64)
    found = tf.nn.embedding_lookup([tf.constant(s) for s in shards], ids,
                                   partition_strategy=strategy)
    assert found.shape.as_list() == [2, 2, 2]
    np.testing.assert_array_equal(_run(found), table[ids])


def test_div_lookup_of_shards_of_unknown_size_counts_rows_at_run_time():
    shards = [tf.placeholder(tf.float32, [None, 2]) for _ in range(2)]
    table = np.arange(14, dtype=np.float32).reshape(7, 2)
    found = tf.nn.embedding_lookup(shards, [6, 0, 3], partition_strategy="div")
    np.testing.assert_array_equal(
        _run(found, {shards[0]: table[:4], shards[1]: table[4:]}), table[[6, 0, 3]])


def test_sharded_lookup_gradient_is_one_indexed_slices_per_shard():
    shards = [tf.Variable(np.ones((3, 2), np.float32)) for _ in range(2)]
    found = tf.nn.embedding_lookup(shards, [1, 4, 4])
    grads = tf.gradients(tf.reduce_sum(found), shards)
    dense = _run([tf.convert_to_tensor(g) for g in grads])
    np.testing.assert_array_equal(dense[0], [[0, 0], [0, 0], [2, 2]])  # id 4: shard 0, row 2
    np.testing.assert_array_equal(dense[1], [[1, 1], [0, 0], [0, 0]])  # id 1: shard 1, row 0


def test_max_norm_clips_each_embedding():
    table = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], np.float32)
    found = _run(tf.nn.embedding_lookup(table, [0, 1, 2], max_norm=1.0))
    np.testing.assert_allclose(found, [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]], rtol=1e-6)


def test_embedding_lookup_refuses_an_unknown_strategy_or_no_params():
    with pytest.raises(ValueError, match="Unrecognized partition strategy: modulo"):
        tf.nn.embedding_lookup([tf.ones([2, 2])] * 2, [0], partition_strategy="modulo")
    with pytest.raises(ValueError, match="Need at least one param"):
        tf.nn.embedding_lookup([], [0])


def test_dynamic_partition_names_a_partition_out_of_range():
    parts = nn_ops.dynamic_partition(tf.constant([1.0, 2.0]), tf.constant([0, 2]), 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"partitions\[1\] = 2 is not in"):
        _run(parts)


# --- normalisation -------------------------------------------------------------------------------

def test_fused_batch_norm_nchw_is_nhwc_transposed():
    x = np.random.default_rng(1).normal(size=(2, 3, 3, 4)).astype(np.float32)
    scale, offset = np.linspace(0.5, 2, 4, dtype=np.float32), np.arange(4, dtype=np.float32)
    nhwc = tf.nn.fused_batch_norm(x, scale, offset)
    nchw = tf.nn.fused_batch_norm(x.transpose(0, 3, 1, 2), scale, offset, data_format="NCHW")
    a, b = _run([list(nhwc), list(nchw)])
    np.testing.assert_allclose(a[0], b[0].transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a[2], x.reshape(-1, 4).var(0, ddof=1), rtol=1e-5)


def test_fused_batch_norm_raises_a_tiny_epsilon_to_cudnns_minimum():
    y, _, _ = tf.nn.fused_batch_norm(tf.ones([1, 1, 1, 2]), [1.0, 1.0], [0.0, 0.0],
                                     epsilon=1e-9)
    assert y.op.get_attr("epsilon") == pytest.approx(1.001e-5)


def test_fused_batch_norm_argument_errors():
    with pytest.raises(ValueError, match="'mean' and 'variance' must be a 1D tensor"):
        tf.nn.fused_batch_norm(tf.ones([1, 2, 2, 3]), tf.ones([3]), tf.zeros([3]),
                               is_training=False)
    with pytest.raises(ValueError, match="rank 4"):
        tf.nn.fused_batch_norm(tf.ones([2, 3]), tf.ones([3]), tf.zeros([3]))
    with pytest.raises(ValueError, match="scale must have 3 elements"):
        tf.nn.fused_batch_norm(tf.ones([1, 2, 2, 3]), tf.ones([4]), tf.zeros([3]))
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.fused_batch_norm(tf.ones([1, 2, 2, 3]), tf.ones([3]), tf.zeros([3]),
                               data_format="NDHWC")


def test_fused_batch_norm_checks_fed_shapes_at_run_time():
    x = tf.placeholder(tf.float32)
    y, _, _ = tf.nn.fused_batch_norm(x, tf.ones([3]), tf.zeros([3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="4-dimensional"):
        _run(y, {x: np.ones((2, 3))})
    with pytest.raises(tf.errors.InvalidArgumentError, match="channels"):
        _run(y, {x: np.ones((1, 2, 2, 5))})


def test_second_derivative_of_fused_batch_norm_is_refused_by_name():
    x = tf.placeholder(tf.float32, [2, 2, 2, 3])
    y, _, _ = tf.nn.fused_batch_norm(x, tf.ones([3]), tf.zeros([3]))
    grad = tf.gradients(tf.reduce_sum(y * y), x)[0]
    with pytest.raises(LookupError, match="FusedBatchNormGradV3"):
        tf.gradients(tf.reduce_sum(grad), x)


def test_batch_normalization_builds_tf_ops_and_matches_the_formula():
    x = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32)
    mean, variance = x.mean(0), x.var(0)
    y = tf.nn.batch_normalization(x, mean, variance, offset=1.0, scale=2.0,
                                  variance_epsilon=1e-3)
    assert y.op.name == "batchnorm/add"  # NOTE: variance + epsilon is NumPy's, as in TF
    assert {op.type for op in tf.get_default_graph().get_operations()} >= {"Rsqrt", "Mul", "Sub"}
    np.testing.assert_allclose(_run(y), (x - mean) / np.sqrt(variance + 1e-3) * 2 + 1,
                               rtol=1e-5, atol=1e-6)


def test_lrn_matches_the_loop_definition():
    x = np.random.default_rng(3).normal(size=(1, 2, 1, 7)).astype(np.float32)
    y = _run(tf.nn.lrn(x, depth_radius=2, bias=0.5, alpha=0.2, beta=0.6))
    expected = np.empty_like(x)
    for c in range(7):
        window = x[..., max(0, c - 2):c + 3]
        expected[..., c] = x[..., c] / (0.5 + 0.2 * np.sum(window ** 2, -1)) ** 0.6
    np.testing.assert_allclose(y, expected, rtol=1e-5)
    with pytest.raises(ValueError, match="rank 4"):
        tf.nn.lrn(tf.ones([2, 3]))


def test_weighted_moments_with_zero_weights_are_zero_and_weights_broadcast():
    x = np.array([[1.0, 2.0, 6.0], [3.0, 4.0, 5.0]], np.float32)
    mean, variance = _run(list(tf.nn.weighted_moments(x, [1], [[1.0, 1.0, 2.0], [0, 0, 0]])))
    np.testing.assert_allclose(mean, [3.75, 0.0])
    np.testing.assert_allclose(variance, [(2.75 ** 2 + 1.75 ** 2 + 2 * 2.25 ** 2) / 4, 0.0])


def test_normalize_moments_undo_the_shift():
    x = np.array([1.0, 2.0, 4.0], np.float32)
    mean, variance = _run(list(tf.nn.normalize_moments(3.0, np.sum(x - 1), np.sum((x - 1) ** 2),
                                                       1.0)))
    np.testing.assert_allclose([mean, variance], [x.mean(), x.var()], rtol=1e-6)


def test_moments_of_float16_are_taken_in_float32():
    x = tf.constant(np.full(4096, 300.0, np.float16))
    mean, variance = tf.nn.moments(x, [0])
    assert mean.dtype == tf.float16
    assert _run(mean) == 300.0  # NOTE: a float16 sum would overflow to inf


# --- activations and losses ----------------------------------------------------------------------

def test_swish_gradient_is_tf_rule():
    x = np.linspace(-4, 4, 9).astype(np.float32)
    t = tf.constant(x)
    grad = _run(tf.gradients(tf.reduce_sum(tf.nn.swish(t)), t)[0])
    sigmoid = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(grad, sigmoid * (1 + x * (1 - sigmoid)), rtol=1e-5, atol=1e-6)
    assert tf.nn.silu is tf.nn.swish


def test_crelu_doubles_the_axis():
    y = tf.nn.crelu(tf.constant([[1.0, -2.0]]), axis=0)
    assert y.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(_run(y), [[1, 0], [0, 2]])


def test_log_poisson_full_loss_adds_stirling_above_one():
    targets = np.array([0.0, 1.0, 3.0], np.float32)
    log_input = np.array([0.5, -1.0, 1.0], np.float32)
    loss = _run(tf.nn.log_poisson_loss(targets, log_input, compute_full_loss=True))
    stirling = targets * np.log(targets + 1e-30) - targets + 0.5 * np.log(2 * np.pi * targets +
                                                                          1e-30)
    expected = np.exp(log_input) - log_input * targets + np.where(targets > 1, stirling, 0)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    with pytest.raises(ValueError, match="must have the same shape"):
        tf.nn.log_poisson_loss(tf.ones([2]), tf.ones([3]))


def test_relu_layer_is_relu_of_xw_plus_b():
    y = tf.nn.relu_layer([[1.0, -1.0]], [[1.0], [2.0]], [0.5])
    assert y.op.name == "relu_layer" and y.op.type == "Relu"
    np.testing.assert_array_equal(_run(y), [[0.0]])


def test_fixed_unigram_draws_follow_distorted_counts_of_this_shard():
    # ids 0 (reserved), 1..6 with counts 1..6; shard 1 of 2 holds ids 1, 3, 5: counts 1, 3, 5
    sampled, _, expected = tf.nn.fixed_unigram_candidate_sampler(
        tf.constant([[0]], tf.int64), 1, 30000, False, 3, distortion=0.5, num_reserved_ids=1,
        num_shards=2, shard=1, unigrams=[1, 2, 3, 4, 5, 6], seed=4)
    values, counts = _run([sampled, expected])
    p = np.sqrt([1.0, 3.0, 5.0]) / np.sqrt([1.0, 3.0, 5.0]).sum()
    np.testing.assert_allclose(np.bincount(values, minlength=3) / values.size, p, atol=0.012)
    np.testing.assert_allclose(counts, p[values] * 30000, rtol=1e-5)


def test_fixed_unigram_reads_a_vocab_file_and_checks_range_max(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("the,100\nof,0\nend,50\n")
    sampled = tf.nn.fixed_unigram_candidate_sampler(
        tf.constant([[0]], tf.int64), 1, 2, True, 3, vocab_file=str(vocab), seed=1)[0]
    assert sorted(_run(sampled).tolist()) == [0, 2]  # "of" is never drawn
    wrong = tf.nn.fixed_unigram_candidate_sampler(
        tf.constant([[0]], tf.int64), 1, 2, True, 5, vocab_file=str(vocab))[0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="range_max must be equal"):
        _run(wrong)
    with pytest.raises(ValueError, match="exactly one of vocab_file and unigrams"):
        tf.nn.fixed_unigram_candidate_sampler([[0]], 1, 2, True, 3)
