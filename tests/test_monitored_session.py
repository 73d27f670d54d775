"""MonitoredTrainingSession, MonitoredSession, SingularMonitoredSession, Scaffold and the session
creators: TF1's classic training loop, checkpoints and resumption, clean ends, recovery from
preemption errors, and waiting workers (TF 2.21's behaviour: tests/golden/programs/
monitored.py records the same programs under TF)."""
from __future__ import annotations

import os
import threading

import numpy as np
import pytest

import session_magic as tf
from session_magic import monitored_session
from session_magic.summary import FileWriterCache


@pytest.fixture(autouse=True)
def no_cached_writers():
    yield
    FileWriterCache.clear()  # NOTE: TF's cache is process-wide; close this test's writers


def _model():
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(1.0, name="w")
    loss = tf.square(w - 3.0)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return step, w, loss, train


def _w_after(steps):
    """Plain gradient descent on (w - 3)^2 from w = 1 at rate 0.1: the oracle."""
    w = np.float32(1.0)
    for _ in range(steps):
        w = np.float32(w - np.float32(0.1) * np.float32(2.0) * (w - np.float32(3.0)))
    return w


def _classic_loop(directory, last_step):
    with tf.Graph().as_default():
        step, w, _, train = _model()
        hooks = [tf.train.StopAtStepHook(last_step=last_step)]
        with tf.train.MonitoredTrainingSession(checkpoint_dir=directory, hooks=hooks) as sess:
            runs = 0
            while not sess.should_stop():
                sess.run(train)
                runs += 1
        return runs


def test_classic_loop_trains_checkpoints_and_resumes(tmp_path):
    directory = str(tmp_path)
    assert _classic_loop(directory, 3) == 3
    assert tf.train.load_variable(directory, "global_step") == 3
    assert _classic_loop(directory, 7) == 4  # NOTE: resumed at step 3
    assert tf.train.load_variable(directory, "global_step") == 7
    np.testing.assert_allclose(tf.train.load_variable(directory, "w"), _w_after(7), rtol=1e-6)
    assert os.path.basename(tf.train.latest_checkpoint(directory)) == "model.ckpt-7"


def test_graph_is_finalized_only_while_the_session_lives():
    _model()
    graph = tf.get_default_graph()
    with tf.train.MonitoredSession():
        assert graph.finalized
        with pytest.raises(RuntimeError, match="Graph is finalized"):
            tf.constant(1)
    assert not graph.finalized


def test_a_graph_finalized_before_stays_finalized():
    _model()
    tf.train.Scaffold().finalize()
    with tf.train.MonitoredSession():
        pass
    assert tf.get_default_graph().finalized


def test_out_of_range_error_ends_the_loop_cleanly():
    queue = tf.FIFOQueue(3, tf.int32, shapes=[[]])
    fill, close, item = queue.enqueue_many([[1, 2, 3]]), queue.close(), queue.dequeue()
    final = tf.train.FinalOpsHook(tf.constant(7))
    got = []
    with tf.train.SingularMonitoredSession(hooks=[final]) as sess:
        sess.raw_session().run(fill)
        sess.raw_session().run(close)
        while not sess.should_stop():
            got.append(int(sess.run(item)))
    assert got == [1, 2, 3]
    assert final.final_ops_values == 7  # NOTE: a clean end: the hooks' end() ran


def test_another_error_propagates_and_skips_the_hooks_end():
    x = tf.placeholder(tf.float32, [2])
    y = x + 1.0
    final = tf.train.FinalOpsHook(tf.constant(7))
    with pytest.raises(tf.errors.InvalidArgumentError, match="placeholder"):
        with tf.train.MonitoredSession(hooks=[final]) as sess:
            sess.run(y, {x: np.zeros(2)})
            sess.run(y)
    assert final.final_ops_values is None


def test_run_after_a_stop_request_is_refused():
    step, _, _, train = _model()
    with tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=1)]) as sess:
        sess.run(train)
        assert sess.should_stop()
        with pytest.raises(RuntimeError, match="Run called even after should_stop requested"):
            sess.run(train)


def test_closing_twice_is_an_error():
    _model()
    sess = tf.train.MonitoredSession()
    sess.close()
    assert sess.should_stop()
    with pytest.raises(RuntimeError, match="Session is already closed"):
        sess.close()


class _FailOnce(tf.train.SessionRunHook):
    """Raises `error` in the run that takes the global step to `at`, once."""

    def __init__(self, step, at, error):
        self.step, self.at, self.error, self.created = step, at, error, []

    def after_create_session(self, session, coord):
        self.created.append(int(session.run(self.step)))

    def after_run(self, run_context, run_values):
        if self.error is not None and run_context.session.run(self.step) == self.at:
            error, self.error = self.error, None
            raise error(None, None, "the worker restarted")


@pytest.mark.parametrize("error", [tf.errors.AbortedError, tf.errors.UnavailableError])
def test_a_preempted_session_is_remade_from_the_last_checkpoint(tmp_path, error):
    step, w, _, train = _model()
    failing = _FailOnce(step, 3, error)
    hooks = [failing, tf.train.StopAtStepHook(last_step=5)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), hooks=hooks,
                                           save_checkpoint_steps=2) as sess:
        while not sess.should_stop():
            sess.run(train)
    assert failing.created == [0, 2]  # NOTE: the second session restored model.ckpt-2
    assert tf.train.load_variable(str(tmp_path), "global_step") == 5
    np.testing.assert_allclose(tf.train.load_variable(str(tmp_path), "w"), _w_after(5), rtol=1e-6)


def test_a_singular_session_does_not_recover():
    step, _, _, train = _model()
    hooks = [_FailOnce(step, 1, tf.errors.AbortedError)]
    with pytest.raises(tf.errors.AbortedError, match="the worker restarted"):
        with tf.train.SingularMonitoredSession(hooks=hooks) as sess:
            sess.run(train)


def test_a_worker_gives_up_waiting_for_an_uninitialized_model():
    _model()
    with pytest.raises(tf.errors.DeadlineExceededError, match="not ready after waiting 0 secs"):
        tf.train.MonitoredTrainingSession(is_chief=False, max_wait_secs=0)


def test_a_worker_joins_a_model_that_needs_no_initialization():
    x = tf.constant(2.0) * 3.0
    with tf.train.MonitoredTrainingSession(is_chief=False, max_wait_secs=0) as sess:
        assert sess.run(x) == 6.0


def test_session_manager_reports_the_uninitialized_variables():
    tf.Variable(1.0, name="v")
    manager = tf.train.SessionManager(ready_op=tf.report_uninitialized_variables(),
                                      recovery_wait_secs=0)
    with pytest.raises(RuntimeError, match="Variables not initialized: v"):
        manager.prepare_session("", init_op=tf.no_op())


def test_master_and_config_make_the_session(monkeypatch):
    _model()
    made = []

    def session(target, graph=None, config=None):
        made.append((target, config))
        return tf.Session(graph=graph, config=config)
    monkeypatch.setattr(monitored_session, "Session", session)
    config = tf.ConfigProto(inter_op_parallelism_threads=1)
    with tf.train.MonitoredTrainingSession(master="grpc://localhost:2222", config=config):
        pass
    assert made == [("grpc://localhost:2222", config)]


def test_scaffold_takes_its_pieces_from_the_collections():
    _model()
    init = tf.global_variables_initializer()
    tf.add_to_collection(tf.GraphKeys.INIT_OP, init)
    scaffold = tf.train.Scaffold().finalize()
    assert scaffold.init_op is init
    assert tf.get_collection(tf.GraphKeys.SAVERS) == [scaffold.saver]


def test_scaffold_refuses_two_candidates():
    _model()
    for _ in range(2):
        tf.add_to_collection(tf.GraphKeys.INIT_OP, tf.no_op())
    with pytest.raises(RuntimeError, match='More than one item in the collection "init_op"'):
        tf.train.Scaffold().finalize()


def test_scaffold_copies_another():
    with pytest.raises(TypeError, match="copy_from_scaffold is not a Scaffold"):
        tf.train.Scaffold(copy_from_scaffold=object())
    start = tf.placeholder(tf.float32, [])
    v = tf.Variable(start)
    base = tf.train.Scaffold(init_feed_dict={start: 4.0})
    with tf.train.SingularMonitoredSession(scaffold=tf.train.Scaffold(
            copy_from_scaffold=base)) as sess:
        assert sess.run(v) == 4.0


def test_queue_runners_start_and_stop_with_the_session():
    produced = tf.train.string_input_producer(["a", "b"], shuffle=False)
    name = produced.dequeue()
    with tf.train.MonitoredSession() as sess:
        assert [sess.run(name) for _ in range(3)] == [b"a", b"b", b"a"]
    assert not [t for t in threading.enumerate() if "QueueRunner" in type(t).__name__]


def test_step_fn_must_take_a_step_context():
    _model()
    with tf.train.MonitoredSession() as sess:
        with pytest.raises(ValueError, match="`step_fn` may either have one `step_context`"):
            sess.run_step_fn(lambda context: None)


def test_default_hooks_of_a_chief(tmp_path):
    step, _, _, train = _model()
    hooks = [tf.train.StopAtStepHook(last_step=2)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), hooks=hooks,
                                           save_summaries_steps=None) as sess:
        kinds = [type(h).__name__ for h in sess._hooks]
        while not sess.should_stop():
            sess.run(train)
    assert kinds == ["StepCounterHook", "CheckpointSaverHook", "StopAtStepHook"]


def test_a_restored_chief_skips_its_initializers(tmp_path):
    calls = []
    for _ in range(2):
        with tf.Graph().as_default():
            step, _, _, train = _model()
            scaffold = tf.train.Scaffold(init_fn=lambda scaffold, sess: calls.append("init"))
            with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path),
                                                   scaffold=scaffold) as sess:
                sess.run(train)
    assert calls == ["init"]  # NOTE: the second session restored model.ckpt-1 instead
    assert tf.train.load_variable(str(tmp_path), "global_step") == 2


def test_recover_session_reports_whether_it_restored(tmp_path):
    step, _, _, train = _model()
    saver = tf.train.Saver()
    manager = tf.train.SessionManager()
    sess, restored = manager.recover_session("", saver=saver, checkpoint_dir=str(tmp_path))
    assert not restored
    sess.run(tf.global_variables_initializer())
    sess.run(train)
    saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)
    again, restored = manager.recover_session("", saver=saver, checkpoint_dir=str(tmp_path))
    assert restored and again.run(step) == 1
