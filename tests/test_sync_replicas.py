"""SyncReplicasOptimizer and ConditionalAccumulator, locally: one replica trains as plain
gradient descent, two replicas' gradients are averaged (stale ones dropped), and two replica
threads of one session train without deadlock (TF 2.21's behaviour; the two-replica program is
also recorded in tests/golden/programs/monitored.py)."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import session_magic as tf

WAIT_SECONDS = 20  # NOTE: a safety bound on polls and joins, never reached by a passing test
GRACE = 0.2  # NOTE: the chief's runner waits in take_grad at the end, as in TF: joined this long


def _model(replicas, total=None):
    step = tf.train.get_or_create_global_step()
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.Variable(1.0, name="w")
    loss = tf.square(w - x)
    opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                         replicas_to_aggregate=replicas,
                                         total_num_replicas=total)
    train = opt.minimize(loss, global_step=step)
    return step, x, w, opt, train


def _sgd(w, targets):
    """Plain gradient descent on the mean of (w - t)^2 over `targets`, rate 0.1, in float32."""
    w = np.float32(w)
    mean = np.float32(np.mean([np.float32(2.0) * (w - np.float32(t)) for t in targets]))
    return np.float32(w - np.float32(0.1) * mean)


def _until(condition):
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the chief's update never came"
        time.sleep(0.005)


def test_one_replica_trains_as_plain_gradient_descent():
    step, x, w, opt, train = _model(1)
    hooks = [opt.make_session_run_hook(is_chief=True), tf.train.StopAtStepHook(last_step=5)]
    with tf.train.SingularMonitoredSession(hooks=hooks, stop_grace_period_secs=GRACE) as sess:
        while not sess.should_stop():
            sess.run(train, {x: 3.0})
        final_step, final_w = sess.raw_session().run([step, w])
    expected = np.float32(1.0)
    for _ in range(final_step):
        expected = _sgd(expected, [3.0])
    assert final_step == 5
    np.testing.assert_allclose(final_w, expected, rtol=1e-6)


def test_two_replicas_are_averaged_and_stale_gradients_dropped():
    step, x, w, opt, train = _model(2)
    with tf.train.SingularMonitoredSession(hooks=[opt.make_session_run_hook(True)],
                                           stop_grace_period_secs=GRACE) as sess:
        raw = sess.raw_session()
        raw.run(train, {x: 1.0})
        raw.run(train, {x: 5.0})
        _until(lambda: raw.run(step) == 1)
        w1 = raw.run(w)
        np.testing.assert_allclose(w1, _sgd(1.0, [1.0, 5.0]), rtol=1e-6)
        raw.run(train, {x: 1.0})  # NOTE: computed for step 0, now stale: dropped
        raw.run(train, {x: 5.0})
        assert raw.run(step) == 1 and raw.run(w) == w1
        raw.run(train, {x: 1.0})
        raw.run(train, {x: 5.0})
        _until(lambda: raw.run(step) == 2)
        np.testing.assert_allclose(raw.run(w), _sgd(w1, [1.0, 5.0]), rtol=1e-6)


def test_two_replica_threads_train_one_model():
    step, x, w, opt, train = _model(2)
    last_step = 4
    with tf.train.SingularMonitoredSession(hooks=[opt.make_session_run_hook(True)],
                                           stop_grace_period_secs=GRACE) as sess:
        raw = sess.raw_session()

        def replica():
            # NOTE: at the end a replica may wait for a token that never comes (as in TF):
            # closing the session ends that wait
            try:
                while raw.run(step) < last_step:
                    raw.run(train, {x: 3.0})
            except RuntimeError:
                pass
        threads = [threading.Thread(target=replica, daemon=True) for _ in range(2)]
        for thread in threads:
            thread.start()
        _until(lambda: raw.run(step) >= last_step)
        final_step, final_w = raw.run([step, w])
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    expected = np.float32(1.0)
    for _ in range(final_step):
        expected = _sgd(expected, [3.0])
    np.testing.assert_allclose(final_w, expected, rtol=1e-6)


def test_apply_gradients_needs_a_global_step_and_variables():
    _, _, w, opt, _ = _model(1)
    with pytest.raises(ValueError, match="Global step is required"):
        opt.apply_gradients([(tf.constant(1.0), w)])
    with pytest.raises(ValueError, match="Must supply at least one variable"):
        opt.apply_gradients([], global_step=tf.train.get_global_step())


def test_chief_pieces_come_after_apply_gradients():
    opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1), 2)
    with pytest.raises(ValueError, match="Should be called after apply_gradients"):
        opt.get_chief_queue_runner()
    with pytest.raises(ValueError, match="should be called after apply_gradients"):
        opt.get_init_tokens_op()


def test_too_few_init_tokens_are_refused():
    _, _, _, opt, _ = _model(3, total=1)
    with pytest.raises(ValueError, match=r"Too few tokens to finish the first step: 1 \(given\) "
                                         r"vs 2 \(needed\)"):
        opt.get_init_tokens_op(num_tokens=1)


def test_accumulator_refuses_a_gradient_of_another_shape():
    accumulator = tf.ConditionalAccumulator(tf.float32, shape=[2])
    with pytest.raises(ValueError):
        accumulator.apply_grad(tf.constant([1.0, 2.0, 3.0]))


def test_take_grad_needs_a_positive_count():
    accumulator = tf.ConditionalAccumulator(tf.float32, shape=[2])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Argument num_required must be positive, but was 0"):
            sess.run(accumulator.take_grad(0))


def test_take_grad_waits_until_its_deadline():
    accumulator = tf.ConditionalAccumulator(tf.float32, shape=[])
    with tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=50)) as sess:
        with pytest.raises(tf.errors.DeadlineExceededError, match="conditional_accumulator"):
            sess.run(accumulator.take_grad(1))


def test_closing_the_session_cancels_a_waiting_take():
    accumulator = tf.ConditionalAccumulator(tf.float32, shape=[])
    taken = accumulator.take_grad(1)
    sess = tf.Session()
    failures = []

    def take():
        try:
            sess.run(taken)
        except RuntimeError as error:  # NOTE: the session's answer to a run it closed under
            failures.append(error)
    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    _until(lambda: "conditional_accumulator" in sess._resources)
    sess.close()
    thread.join(WAIT_SECONDS)
    assert [str(f) for f in failures] == ["Attempted to use a closed Session."]
