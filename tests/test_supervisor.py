"""tf.train.Supervisor: managed_session initializes or restores the model, its services run in
threads that stop cleanly, errors inside are re-raised after the threads are joined (TF 2.21's
behaviour; the resumption program is also in tests/golden/programs/monitored.py)."""
from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

import session_magic as tf

WAIT_SECONDS = 20  # NOTE: a safety bound on polls, never reached by a passing test


def _model():
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(1.0, name="w")
    loss = tf.square(w - 3.0)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return step, w, loss, train


def _until(condition):
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the service never ran"
        time.sleep(0.01)


def _train_to(logdir, last_step):
    with tf.Graph().as_default():
        step, w, _, train = _model()
        sv = tf.train.Supervisor(logdir=logdir, save_model_secs=0)
        with sv.managed_session() as sess:
            first = int(sess.run(step))
            while not sv.should_stop() and sess.run(step) < last_step:
                sess.run(train)
            sv.saver.save(sess, sv.save_path, global_step=step)
            return first, float(sess.run(w))


def test_managed_session_initializes_then_resumes(tmp_path):
    assert _train_to(str(tmp_path), 2) == (0, pytest.approx(1.72))
    first, w = _train_to(str(tmp_path), 4)
    assert first == 2
    assert w == pytest.approx(3.0 - 2.0 * 0.8 ** 4, rel=1e-6)  # NOTE: w - 3 shrinks by 0.8
    assert (tmp_path / "graph.pbtxt").exists()


def test_the_checkpoint_service_saves_at_start(tmp_path):
    _model()
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=600)
    with sv.managed_session():
        _until(lambda: tf.train.latest_checkpoint(str(tmp_path)) is not None)
    assert os.path.basename(tf.train.latest_checkpoint(str(tmp_path))) == "model.ckpt-0"
    assert not [t for t in threading.enumerate() if t.name.startswith("Supervisor")]


def _tags(directory):
    found = []
    for name in sorted(os.listdir(directory)):
        if name.startswith("events"):
            for event in tf.train.summary_iterator(os.path.join(directory, name)):
                found += [v.tag for v in event.summary.value]
                if event.HasField("session_log"):
                    found.append(f"session_log {event.session_log.status}")
    return found


def test_the_summary_services_write_summaries_and_the_step_rate(tmp_path):
    step, w, loss, train = _model()
    tf.summary.scalar("loss", loss)
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0, save_summaries_secs=600)

    def written():
        sv.summary_writer.flush()
        return "loss" in _tags(tmp_path)
    with sv.managed_session():
        _until(written)
    tags = _tags(tmp_path)
    assert tags[0] == "session_log 1" and tags[-1] == "session_log 2"  # NOTE: START, STOP


def test_an_error_inside_is_raised_after_the_threads_stop(tmp_path):
    _model()
    sv = tf.train.Supervisor(logdir=str(tmp_path))
    with pytest.raises(ValueError, match="boom"):
        with sv.managed_session():
            raise ValueError("boom")
    assert sv.should_stop()


def test_out_of_range_error_is_a_clean_stop():
    queue = tf.FIFOQueue(2, tf.int32, shapes=[[]])
    fill, close, item = queue.enqueue_many([[1, 2]]), queue.close(), queue.dequeue()
    sv = tf.train.Supervisor()
    got = []
    with sv.managed_session() as sess:
        sess.run(fill)
        sess.run(close)
        while not sv.should_stop():
            got.append(int(sess.run(item)))
    assert got == [1, 2]


def test_loop_calls_its_target_until_stopped():
    tf.constant(1)
    sv = tf.train.Supervisor()
    calls = []
    with sv.managed_session():
        looper = sv.loop(0.001, calls.append, args=("tick",))
        _until(lambda: len(calls) >= 3)
    assert not looper.is_alive()


def test_the_supervisor_finalizes_the_graph():
    _model()
    tf.train.Supervisor()
    assert tf.get_default_graph().finalized


def test_a_worker_needs_placed_variables():
    _model()
    with pytest.raises(ValueError, match="all Variables must have their device set"):
        tf.train.Supervisor(is_chief=False)


def test_only_the_chief_starts_services():
    tf.constant(1)
    sv = tf.train.Supervisor(is_chief=False)
    with pytest.raises(RuntimeError, match="Only chief supervisor can start standard services"):
        sv.start_standard_services(None)


def test_summary_computed_needs_a_writer():
    tf.constant(1)
    sv = tf.train.Supervisor()
    with pytest.raises(RuntimeError, match="Writing a summary requires a summary writer"):
        sv.summary_computed(None, b"")


def test_defaults_come_from_the_graph():
    step, _, _, _ = _model()
    sv = tf.train.Supervisor()
    assert sv.global_step is step
    assert tf.get_collection(tf.GraphKeys.INIT_OP) == [sv.init_op]
    assert isinstance(sv.saver, tf.train.Saver)
    with sv.managed_session() as sess:
        np.testing.assert_array_equal(sess.run(sv.ready_op), np.array([], dtype=object))
