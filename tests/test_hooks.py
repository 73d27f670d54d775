"""TF1's session-run hooks under a MonitoredSession: what each receives and does, checked against
TF 2.21's compat.v1 (log lines quoted from it; whole programs in tests/golden/programs/
monitored.py)."""
from __future__ import annotations

import logging
import os

import numpy as np
import pytest

import session_magic as tf
from session_magic.summary import FileWriterCache


@pytest.fixture(autouse=True)
def no_cached_writers():
    yield
    FileWriterCache.clear()  # NOTE: TF's cache is process-wide; close this test's writers


def _model(shape_value=1.0):
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(shape_value, name="w")
    loss = tf.reduce_sum(tf.square(w - 3.0), name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return step, w, loss, train


def _train(hooks, train, **kwargs):
    with tf.train.MonitoredSession(hooks=hooks, **kwargs) as sess:
        while not sess.should_stop():
            sess.run(train)


def test_session_run_args_default_to_no_feeds_or_options():
    args = tf.train.SessionRunArgs("x")
    assert (args.fetches, args.feed_dict, args.options) == ("x", None, None)


def test_run_context_records_a_stop_request():
    context = tf.train.SessionRunContext(tf.train.SessionRunArgs(None), session="s")
    assert not context.stop_requested
    context.request_stop()
    assert context.stop_requested and context.session == "s"


def test_timer_needs_exactly_one_period():
    with pytest.raises(ValueError, match="Either every_secs or every_steps"):
        tf.train.SecondOrStepTimer()
    with pytest.raises(ValueError, match="Can not provide both"):
        tf.train.SecondOrStepTimer(every_secs=1, every_steps=1)


def test_timer_triggers_every_n_steps():
    timer = tf.train.SecondOrStepTimer(every_steps=3)
    fired = []
    for step in range(8):
        if timer.should_trigger_for_step(step):
            fired.append(step)
            timer.update_last_triggered_step(step)
    assert fired == [0, 3, 6]


def test_stop_at_step_hook_needs_a_global_step():
    tf.Variable(1.0)
    with pytest.raises(RuntimeError, match="Global step should be created to use StopAtStepHook"):
        tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=1)])


def test_stop_at_step_hook_takes_one_of_its_arguments():
    with pytest.raises(ValueError, match="One of num_steps or last_step"):
        tf.train.StopAtStepHook()
    with pytest.raises(ValueError, match="Only one of num_steps or last_step"):
        tf.train.StopAtStepHook(num_steps=1, last_step=2)


def test_stop_at_step_hook_counts_from_the_global_step_at_creation():
    step, _, _, train = _model()
    _train([tf.train.StopAtStepHook(num_steps=4)], train)
    with tf.train.SingularMonitoredSession(hooks=[tf.train.StopAtStepHook(last_step=2)]) as sess:
        while not sess.should_stop():
            sess.run(train)
        assert sess.raw_session().run(step) == 2


def test_logging_tensor_hook_logs_as_tf(caplog):
    # NOTE: TF 2.21 logs "a = 1, b = 4.25" (dict tags sorted) after the first run and
    # "loss = 1.7408" at the end of two steps of this model
    step, _, loss, train = _model([1.0, 2.5])
    hooks = [tf.train.LoggingTensorHook(["loss"], at_end=True),
             tf.train.LoggingTensorHook({"b": loss, "a": step}, every_n_iter=100),
             tf.train.StopAtStepHook(num_steps=2)]
    with caplog.at_level(logging.INFO, logger="session_magic"):
        _train(hooks, train)
    messages = [r.getMessage() for r in caplog.records]
    assert "a = 1, b = 4.25" in messages
    assert "loss = 1.7408" in messages


def test_logging_tensor_hook_formatter_gets_the_values():
    _, _, loss, train = _model()
    seen = []
    hooks = [tf.train.LoggingTensorHook({"loss": loss}, every_n_iter=2,
                                        formatter=lambda v: seen.append(v["loss"]) or "x"),
             tf.train.StopAtStepHook(num_steps=3)]
    _train(hooks, train)
    np.testing.assert_allclose(seen, [4.0, 1.6384], rtol=1e-6)  # NOTE: (1-3)^2, (1.72-3)^2


def test_logging_tensor_hook_refuses_bad_periods():
    with pytest.raises(ValueError, match="either at_end and/or exactly one"):
        tf.train.LoggingTensorHook(["x"])
    with pytest.raises(ValueError, match="invalid every_n_iter=0"):
        tf.train.LoggingTensorHook(["x"], every_n_iter=0)


def test_logging_tensor_hook_refuses_an_ambiguous_name():
    tf.train.get_or_create_global_step()
    tf.unstack(tf.constant([1, 2]), name="pair")
    hook = tf.train.LoggingTensorHook(["pair"], every_n_iter=1)
    with pytest.raises(ValueError, match="Name pair is ambiguous"):
        tf.train.MonitoredSession(hooks=[hook])


def test_nan_tensor_hook_raises_tf_error():
    x = tf.placeholder(tf.float32, [])
    loss = tf.sqrt(x)
    with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss)]) as sess:
        assert sess.run(loss, {x: 4.0}) == 2.0
        with pytest.raises(tf.train.NanLossDuringTrainingError,
                           match="NaN loss during training."):
            sess.run(loss, {x: -1.0})


def test_nan_tensor_hook_stops_when_asked_not_to_fail():
    x = tf.placeholder(tf.float32, [])
    loss = tf.sqrt(x)
    hook = tf.train.NanTensorHook(loss, fail_on_nan_loss=False)
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        sess.run(loss, {x: -1.0})
        assert sess.should_stop()


class _Listener(tf.train.CheckpointSaverListener):
    def __init__(self, stop_at=None):
        self.calls, self.stop_at = [], stop_at

    def begin(self):
        self.calls.append("begin")

    def before_save(self, session, global_step_value):
        self.calls.append(f"before {global_step_value}")

    def after_save(self, session, global_step_value):
        self.calls.append(f"after {global_step_value}")
        return global_step_value == self.stop_at

    def end(self, session, global_step_value):
        self.calls.append(f"end {global_step_value}")


def test_checkpoint_saver_hook_saves_every_n_steps_and_at_end(tmp_path):
    _, _, _, train = _model()
    listener = _Listener()
    hooks = [tf.train.CheckpointSaverHook(str(tmp_path), save_steps=2, listeners=[listener]),
             tf.train.StopAtStepHook(last_step=5)]
    _train(hooks, train)
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == [
        "model.ckpt-0", "model.ckpt-2", "model.ckpt-4", "model.ckpt-5"]
    assert listener.calls == ["begin", "before 0", "after 0", "before 2", "after 2", "before 4",
                              "after 4", "before 5", "after 5", "end 5"]
    assert (tmp_path / "graph.pbtxt").exists()


def test_checkpoint_listener_can_stop_training(tmp_path):
    step, _, _, train = _model()
    hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=1,
                                        listeners=[_Listener(stop_at=3)])
    with tf.train.SingularMonitoredSession(hooks=[hook]) as sess:
        while not sess.should_stop():
            sess.run(train)
        assert sess.raw_session().run(step) == 3


def test_checkpoint_saver_hook_refuses_saver_and_scaffold(tmp_path):
    with pytest.raises(ValueError, match="You cannot provide both saver and scaffold"):
        tf.train.CheckpointSaverHook(str(tmp_path), save_steps=1, saver=object(),
                                     scaffold=tf.train.Scaffold())


def _event_tags(directory):
    tags = []
    for name in sorted(os.listdir(directory)):
        if name.startswith("events"):
            for event in tf.train.summary_iterator(os.path.join(directory, name)):
                tags += [(int(event.step), v.tag) for v in event.summary.value]
    return tags


def test_step_counter_hook_writes_steps_per_second(tmp_path):
    _, _, _, train = _model()
    hooks = [tf.train.StepCounterHook(every_n_steps=2, output_dir=str(tmp_path)),
             tf.train.StopAtStepHook(last_step=5)]
    _train(hooks, train)
    FileWriterCache.get(str(tmp_path)).flush()
    assert [t for t in _event_tags(tmp_path) if t[1] == "global_step/sec"] == [
        (3, "global_step/sec"), (5, "global_step/sec")]


def test_summary_saver_hook_needs_one_source():
    with pytest.raises(ValueError, match="Exactly one of scaffold or summary_op"):
        tf.train.SummarySaverHook(save_steps=1)


def test_summary_saver_hook_writes_its_summary_op(tmp_path):
    _, w, _, train = _model()
    summary = tf.summary.scalar("w_value", w)
    hooks = [tf.train.SummarySaverHook(save_steps=2, output_dir=str(tmp_path),
                                       summary_op=summary),
             tf.train.StopAtStepHook(last_step=4)]
    _train(hooks, train)
    assert _event_tags(tmp_path) == [(1, "w_value"), (3, "w_value")]


def test_feed_fn_hook_feeds_and_refuses_a_second_feed_of_the_same_tensor():
    x = tf.placeholder(tf.float32, [])
    doubled = x * 2.0
    hook = tf.train.FeedFnHook(lambda: {x: 3.0})
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        assert sess.run(doubled) == 6.0
        with pytest.raises(RuntimeError, match="Same tensor is fed by a SessionRunHook and user"):
            sess.run(doubled, {x: 1.0})


def test_final_ops_hook_runs_at_the_end():
    v = tf.Variable(2.0)
    bump = tf.assign_add(v, 1.0)
    hook = tf.train.FinalOpsHook(v * 10.0)
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        sess.run(bump)
    assert hook.final_ops_values == 30.0


def test_global_step_waiter_hook_lets_a_reached_step_through():
    _, _, _, train = _model()
    hooks = [tf.train.GlobalStepWaiterHook(0), tf.train.StopAtStepHook(num_steps=1)]
    _train(hooks, train)


def test_hooks_results_are_what_before_run_asked_for():
    x = tf.constant([1, 2])
    twice = x * 2
    seen = []

    class Asker(tf.train.SessionRunHook):
        def before_run(self, run_context):
            seen.append(run_context.original_args.fetches)
            return tf.train.SessionRunArgs({"twice": twice})

        def after_run(self, run_context, run_values):
            seen.append(run_values.results["twice"].tolist())
    with tf.train.MonitoredSession(hooks=[Asker()]) as sess:
        assert sess.run(x).tolist() == [1, 2]
    assert seen == [x, [2, 4]]
