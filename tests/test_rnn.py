"""RNN cells, dynamic_rnn and friends: variables named as TF names them and made once, values
against a NumPy LSTM, sequence_length masking, gradients against finite differences, wrappers,
errors, and a small char-RNN that learns."""
import numpy as np
import pytest

import session_magic as tf

rnn_cell = tf.nn.rnn_cell


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _numpy_lstm(inputs, kernel, bias, forget_bias=1.0):
    """TF's BasicLSTMCell over [batch, time, depth]: gates i, j, f, o."""
    batch, units = inputs.shape[0], bias.shape[0] // 4
    c, h, outputs = np.zeros((batch, units)), np.zeros((batch, units)), []
    for t in range(inputs.shape[1]):
        gates = np.concatenate([inputs[:, t], h], 1) @ kernel + bias
        i, j, f, o = np.split(gates, 4, axis=1)
        c = c * _sigmoid(f + forget_bias) + _sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * _sigmoid(o)
        outputs.append(h)
    return np.stack(outputs, 1), c, h


INPUTS = np.sin(np.arange(2 * 5 * 3) * 0.9).reshape(2, 5, 3)


def test_basic_lstm_matches_numpy_and_names_its_variables_as_tf():
    x = tf.placeholder(tf.float64, [2, 5, 3])
    outputs, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(4), x, dtype=tf.float64)
    assert [v.name for v in tf.global_variables()] == ["rnn/basic_lstm_cell/kernel:0",
                                                       "rnn/basic_lstm_cell/bias:0"]
    assert outputs.shape.as_list() == [2, 5, 4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = sess.run(tf.global_variables())
        values, (c, h) = sess.run([outputs, state], {x: INPUTS})
    assert kernel.shape == (7, 16) and not bias.any()  # NOTE: TF's zeros bias
    expected, expected_c, expected_h = _numpy_lstm(INPUTS, kernel, bias)
    np.testing.assert_allclose(values, expected, rtol=1e-10)
    np.testing.assert_allclose(c, expected_c, rtol=1e-10)
    np.testing.assert_allclose(h, expected_h, rtol=1e-10)


def test_cells_in_a_loop_make_each_variable_once():
    x = tf.zeros([1, 6, 2])
    cell = rnn_cell.MultiRNNCell([rnn_cell.GRUCell(3), rnn_cell.LSTMCell(2, use_peepholes=True,
                                                                         num_proj=1)])
    tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    names = [v.name for v in tf.global_variables()]
    assert names == [
        "rnn/multi_rnn_cell/cell_0/gru_cell/gates/kernel:0",
        "rnn/multi_rnn_cell/cell_0/gru_cell/gates/bias:0",
        "rnn/multi_rnn_cell/cell_0/gru_cell/candidate/kernel:0",
        "rnn/multi_rnn_cell/cell_0/gru_cell/candidate/bias:0",
        "rnn/multi_rnn_cell/cell_1/lstm_cell/kernel:0",
        "rnn/multi_rnn_cell/cell_1/lstm_cell/bias:0",
        "rnn/multi_rnn_cell/cell_1/lstm_cell/w_f_diag:0",
        "rnn/multi_rnn_cell/cell_1/lstm_cell/w_i_diag:0",
        "rnn/multi_rnn_cell/cell_1/lstm_cell/w_o_diag:0",
        "rnn/multi_rnn_cell/cell_1/lstm_cell/projection/kernel:0"]
    assert len(tf.trainable_variables()) == len(names) == len(cell.variables)


def test_sequence_length_zeroes_outputs_and_copies_the_state_through():
    x = tf.placeholder(tf.float64, [2, 5, 3])
    cell = rnn_cell.BasicLSTMCell(4)
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=[5, 2], dtype=tf.float64)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = sess.run(tf.global_variables())
        values, (c, h) = sess.run([outputs, state], {x: INPUTS})
    short, short_c, short_h = _numpy_lstm(INPUTS[1:, :2], kernel, bias)
    np.testing.assert_allclose(values[1, :2], short[0], rtol=1e-10)
    assert not values[1, 2:].any()
    np.testing.assert_allclose(c[1], short_c[0], rtol=1e-10)
    np.testing.assert_allclose(h[1], short_h[0], rtol=1e-10)


def test_static_rnn_agrees_with_dynamic_rnn():
    x = tf.placeholder(tf.float64, [2, 5, 3])
    cell = rnn_cell.GRUCell(3)
    dynamic, dynamic_state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    static, static_state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float64)
    assert len(tf.global_variables()) == 4  # NOTE: the built cell reuses its variables
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b, sa, sb = sess.run([dynamic, static, dynamic_state, static_state], {x: INPUTS})
    np.testing.assert_allclose(a, np.stack(b, 1), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sa, sb, rtol=1e-12, atol=1e-15)


def test_dynamic_rnn_gradients_match_finite_differences():
    x = tf.placeholder(tf.float64, [2, 5, 3])
    cell = rnn_cell.LSTMCell(3, use_peepholes=True, num_proj=2,
                             initializer=tf.constant_initializer(0.3))
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=[5, 3], dtype=tf.float64)
    loss = tf.reduce_sum(tf.sin(outputs)) + tf.reduce_sum(state.c * state.c)
    grad = tf.gradients(loss, x)[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        analytic = sess.run(grad, {x: INPUTS})
        for index in [(0, 0, 0), (0, 4, 2), (1, 2, 1), (1, 4, 0)]:
            up, down = INPUTS.copy(), INPUTS.copy()
            up[index] += 1e-6
            down[index] -= 1e-6
            numeric = (sess.run(loss, {x: up}) - sess.run(loss, {x: down})) / 2e-6
            np.testing.assert_allclose(analytic[index], numeric, rtol=1e-5, atol=1e-8)
    assert analytic[1, 4, 0] == 0  # NOTE: past its length an input changes nothing


def test_bidirectional_backward_outputs_read_the_reversed_sequence():
    x = tf.placeholder(tf.float64, [2, 5, 3])
    fw, bw = rnn_cell.BasicRNNCell(2), rnn_cell.BasicRNNCell(2)
    (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, sequence_length=[5, 3],
                                                          dtype=tf.float64)
    assert [v.name for v in tf.global_variables()] == [
        f"bidirectional_rnn/{way}/basic_rnn_cell/{name}:0"
        for way in ("fw", "bw") for name in ("kernel", "bias")]
    reversed_short = tf.constant(INPUTS[1:, :3][:, ::-1].copy())
    with tf.variable_scope("bidirectional_rnn/bw", reuse=True):
        again, _ = tf.nn.dynamic_rnn(bw, reversed_short, dtype=tf.float64)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        backward, expected = sess.run([out_bw, again], {x: INPUTS})
    # NOTE: the same arithmetic on batches of 2 and 1: BLAS may round the last bit apart
    np.testing.assert_allclose(backward[1, :3], expected[0, ::-1], rtol=1e-12, atol=1e-15)
    assert not backward[1, 3:].any()


def test_wrappers():
    x = tf.constant(INPUTS)
    residual = rnn_cell.ResidualWrapper(rnn_cell.GRUCell(3))
    out, _ = tf.nn.dynamic_rnn(residual, x, dtype=tf.float64, scope="residual")
    plain, _ = tf.nn.dynamic_rnn(residual.cell, x, dtype=tf.float64, scope="residual")
    dropped = rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(3), output_keep_prob=0.5, seed=7)
    dropped_out, _ = tf.nn.dynamic_rnn(dropped, x, dtype=tf.float64, scope="dropout")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b, d = sess.run([out, plain, dropped_out])
    np.testing.assert_allclose(a, b + INPUTS, rtol=1e-12, atol=1e-15)
    assert 0 < (d == 0).mean() < 1  # NOTE: about half the outputs are dropped
    with pytest.raises(ValueError, match="output_keep_prob must be between 0 and 1"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2), output_keep_prob=1.5)


def test_zero_state_and_sizes():
    cell = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(3), rnn_cell.GRUCell(2)])
    assert cell.state_size == (rnn_cell.LSTMStateTuple(3, 3), 2)
    assert cell.output_size == 2
    state = cell.zero_state(4, tf.float32)
    assert [t.shape.as_list() for t in (state[0].c, state[0].h, state[1])] == [[4, 3], [4, 3],
                                                                              [4, 2]]
    batch = tf.placeholder(tf.int32, [])
    dynamic = rnn_cell.LSTMCell(5, num_proj=2).zero_state(batch, tf.float32)
    with tf.Session() as sess:
        c, h = sess.run(dynamic, {batch: 3})
    assert c.shape == (3, 5) and h.shape == (3, 2)


def test_bad_arguments_raise_clear_errors():
    x = tf.zeros([2, 4, 3])
    with pytest.raises(ValueError, match="you must give a dtype"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), x)
    with pytest.raises(ValueError, match="rank at least 3"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), tf.zeros([2, 3]), dtype=tf.float32,
                          time_major=True)
    with pytest.raises(ValueError, match="at least one cell"):
        rnn_cell.MultiRNNCell([])
    with pytest.raises(TypeError, match="RNNCell"):
        tf.nn.dynamic_rnn("not a cell", x, dtype=tf.float32)
    with pytest.raises(ValueError, match="sequence_length must be a vector"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), x, sequence_length=[[1]], dtype=tf.float32)


def test_a_char_rnn_learns_a_tiny_text():
    text = "hello world, hello session magic. " * 4
    chars = sorted(set(text))
    ids = np.array([chars.index(c) for c in text], np.int32)
    steps, batch, units, vocab = 12, 8, 32, len(chars)
    rng = np.random.default_rng(0)
    starts = rng.integers(0, len(ids) - steps - 1, size=64)
    inputs = np.stack([ids[s:s + steps] for s in starts])
    targets = np.stack([ids[s + 1:s + steps + 1] for s in starts])
    tf.set_random_seed(1)
    x = tf.placeholder(tf.int32, [None, steps])
    y = tf.placeholder(tf.int32, [None, steps])
    embedding = tf.get_variable("embedding", [vocab, 16])
    outputs, _ = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(units),
                                   tf.nn.embedding_lookup(embedding, x), dtype=tf.float32)
    weights = tf.get_variable("softmax_w", [units, vocab])
    bias = tf.get_variable("softmax_b", [vocab], initializer=tf.zeros_initializer())
    logits = tf.reshape(tf.matmul(tf.reshape(outputs, [-1, units]), weights) + bias,
                        [-1, steps, vocab])
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(100):
            chosen = rng.integers(0, len(inputs), size=batch)
            losses.append(sess.run([loss, train], {x: inputs[chosen], y: targets[chosen]})[0])
    assert np.mean(losses[:5]) > 2.5  # NOTE: about log(vocab) at the start
    assert np.mean(losses[-5:]) < 0.5


def test_get_variable_in_a_cond_branch_is_made_once_and_differentiates():
    p = tf.placeholder(tf.bool, [])
    x = tf.constant([1.0, 2.0])

    def branch():
        return x * tf.get_variable("w", [2], initializer=tf.constant_initializer(3.0))
    y = tf.cond(p, branch, lambda: x)
    grad = tf.gradients(tf.reduce_sum(y), tf.global_variables())[0]
    assert [v.name for v in tf.global_variables()] == ["w:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(grad, {p: True}), [1, 2])
        np.testing.assert_array_equal(sess.run(grad, {p: False}), [0, 0])


def test_a_cell_made_with_reuse_shares_the_variables_of_its_scope():
    x = tf.zeros([2, 3, 4])
    with tf.variable_scope("model"):
        trained, _ = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), x, dtype=tf.float32)
    with tf.variable_scope("model", reuse=True):
        sampled, _ = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3, reuse=True), x,
                                       dtype=tf.float32)
    assert [v.name for v in tf.global_variables()] == ["model/rnn/basic_lstm_cell/kernel:0",
                                                       "model/rnn/basic_lstm_cell/bias:0"]
