"""Managed training sessions: MonitoredTrainingSession's loop, checkpoints and resumption, the
order of hook calls and what each hook receives, the standard hooks' effects (stops, logged
values, NaN losses, summaries written, checkpoints kept), Scaffold's finalized graph, recovery
after an AbortedError, a worker that waits in vain, Supervisor's managed session, and
SyncReplicasOptimizer's averaging of two replicas. Every
program runs its sessions while building and records what it saw under "python"."""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..harness import Program


def _num(value: Any) -> Any:
    """A fetched number as JSON, rounded so float noise is not a difference."""
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return [round(float(x), 5) for x in array.ravel()] if array.ndim else round(float(array), 5)
    return array.tolist()


def _model(tf: Any, learning_rate: float = 0.1) -> tuple:
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(1.0, name="w")
    loss = tf.square(w - 3.0, name="loss")
    train = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss, global_step=step)
    return step, w, loss, train


def _recording_hook(tf: Any, log: list, tag: str, fetch: Any = None) -> Any:
    class Recorder(tf.train.SessionRunHook):
        def begin(self):
            log.append(f"{tag}.begin")

        def after_create_session(self, session, coord):
            log.append(f"{tag}.after_create_session")

        def before_run(self, run_context):
            log.append(f"{tag}.before_run")
            return None if fetch is None else tf.train.SessionRunArgs(fetch)

        def after_run(self, run_context, run_values):
            log.append(f"{tag}.after_run {_num(run_values.results) if fetch is not None else ''}"
                       .strip())

        def end(self, session):
            log.append(f"{tag}.end")
    return Recorder()


def _step_logger(tf: Any, log: list, step: Any) -> Any:
    """A hook noting the global step after each run (read in a run of its own: no race)."""
    class StepLogger(tf.train.SessionRunHook):
        def after_run(self, run_context, run_values):
            log.append(f"step {_num(run_context.session.run(step))}")
    return StepLogger()


def _train_twice(tf: Any) -> dict:
    """The classic loop to step 3, then again in a new graph to step 5: it resumes."""
    seen = []
    for last_step in (3, 5):
        with tf.Graph().as_default():
            step, w, loss, train = _model(tf)
            hooks = [tf.train.StopAtStepHook(last_step=last_step), _step_logger(tf, seen, step)]
            with tf.train.MonitoredTrainingSession(checkpoint_dir="ckpt", hooks=hooks) as sess:
                while not sess.should_stop():
                    seen.append(_num(sess.run([loss, train])[0]))
    state = tf.train.get_checkpoint_state("ckpt")
    return {"python": {
        "runs": seen,
        "kept": [os.path.basename(p) for p in state.all_model_checkpoint_paths],
        "latest": os.path.basename(tf.train.latest_checkpoint("ckpt")),
        "w": _num(tf.train.load_variable("ckpt", "w")),
        "global_step": _num(tf.train.load_variable("ckpt", "global_step"))}}


def _hook_order(tf: Any) -> dict:
    log: list = []
    step, w, loss, train = _model(tf)
    hooks = [_recording_hook(tf, log, "a", loss), _recording_hook(tf, log, "b"),
             tf.train.StopAtStepHook(num_steps=2)]
    with tf.train.MonitoredSession(hooks=hooks) as sess:
        log.append("created")
        while not sess.should_stop():
            log.append(f"run {_num(sess.run(loss))}")
            sess.run(train)
    return {"python": {"log": log}}


def _checkpoint_every_two_steps(tf: Any) -> dict:
    step, w, loss, train = _model(tf)
    hooks = [tf.train.StopAtStepHook(last_step=5)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir="ckpt", hooks=hooks,
                                           save_checkpoint_steps=2,
                                           save_summaries_steps=None) as sess:
        while not sess.should_stop():
            sess.run(train)
    state = tf.train.get_checkpoint_state("ckpt")
    return {"python": {"kept": [os.path.basename(p) for p in state.all_model_checkpoint_paths],
                       "files": sorted(f for f in os.listdir("ckpt")
                                       if f.endswith((".index", ".meta", ".pbtxt"))
                                       or f == "checkpoint")}}


def _logging_tensor_hook(tf: Any) -> dict:
    logged: list = []
    step, w, loss, train = _model(tf)

    def formatter(values):
        logged.append({k: _num(v) for k, v in sorted(values.items())})
        return "logged"
    hooks = [tf.train.LoggingTensorHook({"loss": loss, "double": loss * 2.0}, every_n_iter=2,
                                        at_end=True,
                                        formatter=formatter),
             tf.train.StopAtStepHook(last_step=5)]
    with tf.train.MonitoredSession(hooks=hooks) as sess:
        while not sess.should_stop():
            sess.run(train)
    return {"python": {"logged": logged}}


def _nan_loss(tf: Any, fail: bool) -> dict:
    x = tf.placeholder(tf.float32, [], name="x")
    step = tf.train.get_or_create_global_step()
    loss = tf.sqrt(x, name="loss")
    advance = tf.assign_add(step, 1)
    hooks = [tf.train.NanTensorHook(loss, fail_on_nan_loss=fail)]
    runs = []
    try:
        with tf.train.MonitoredSession(hooks=hooks) as sess:
            for value in (4.0, 1.0, -1.0, 9.0):
                if sess.should_stop():
                    break
                runs.append(_num(sess.run([loss, advance], {x: value})))
        outcome = "closed"
    except Exception as error:  # noqa: BLE001 - the class is what is recorded
        outcome = f"{type(error).__name__}: {error}"
    return {"python": {"runs": runs, "outcome": outcome}}


def _out_of_range_ends_the_loop(tf: Any) -> dict:
    log: list = []
    queue = tf.FIFOQueue(3, tf.int32, shapes=[[]])
    fill = queue.enqueue_many([[1, 2, 3]])
    close = queue.close()
    item = queue.dequeue()
    got = []
    with tf.train.SingularMonitoredSession(hooks=[_recording_hook(tf, log, "h")]) as sess:
        sess.raw_session().run(fill)
        sess.raw_session().run(close)
        while not sess.should_stop():
            got.append(_num(sess.run(item)))
    return {"python": {"got": got, "log": log}}


def _feed_and_final_ops(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [], name="x")
    total = tf.Variable(0.0, name="total")
    add = tf.assign_add(total, x)
    values = iter([1.0, 2.0, 3.5])
    final = tf.train.FinalOpsHook(total * 10.0)
    feeder = tf.train.FeedFnHook(lambda: {x: next(values)})
    got = []
    with tf.train.MonitoredSession(hooks=[feeder, final]) as sess:
        for _ in range(3):
            got.append(_num(sess.run(add)))
    return {"python": {"got": got, "final": _num(final.final_ops_values)}}


def _scaffold_finalizes(tf: Any) -> dict:
    step, w, loss, train = _model(tf)
    graph = tf.get_default_graph()
    scaffold = tf.train.Scaffold()
    inside = {}
    with tf.train.MonitoredSession(
            session_creator=tf.train.ChiefSessionCreator(scaffold=scaffold)) as sess:
        inside["finalized"] = graph.finalized
        inside["ready"] = _num(len(sess.run(scaffold.ready_op)))
        inside["collections"] = {key: len(graph.get_collection(key)) for key in (
            "init_op", "ready_op", "local_init_op", "ready_for_local_init_op", "savers")}
        try:
            tf.constant(1.0)
            inside["add_op"] = "allowed"
        except RuntimeError as error:
            inside["add_op"] = str(error)
    inside["finalized_after"] = graph.finalized
    return {"python": inside}


def _init_fn_and_feed(tf: Any) -> dict:
    start = tf.placeholder(tf.float32, [], name="start")
    v = tf.Variable(start, name="v")
    calls = []

    def init_fn(scaffold, session):
        calls.append([type(scaffold).__name__, _num(session.run(v))])
    scaffold = tf.train.Scaffold(init_feed_dict={start: 5.0}, init_fn=init_fn)
    with tf.train.SingularMonitoredSession(scaffold=scaffold) as sess:
        value = _num(sess.run(v))
    return {"python": {"value": value, "calls": calls}}


def _recovers_after_aborted(tf: Any) -> dict:
    """A run that raises AbortedError: the session is made again from the last checkpoint and
    the run is tried again."""
    log: list = []
    step, w, loss, train = _model(tf)

    class AbortOnce(tf.train.SessionRunHook):
        aborted = False

        def after_create_session(self, session, coord):
            log.append(f"created at {_num(session.run(step))}")

        def after_run(self, run_context, run_values):
            if not self.aborted and _num(run_context.session.run(step)) == 3:
                self.aborted = True
                raise tf.errors.AbortedError(None, None, "preempted")

    hooks = [AbortOnce(), tf.train.StopAtStepHook(last_step=5), _step_logger(tf, log, step)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir="ckpt", hooks=hooks,
                                           save_checkpoint_steps=2,
                                           save_summaries_steps=None) as sess:
        while not sess.should_stop():
            sess.run(train)
    return {"python": {"log": log, "w": _num(tf.train.load_variable("ckpt", "w"))}}


def _worker_waits_in_vain(tf: Any) -> dict:
    _model(tf)
    try:
        tf.train.MonitoredTrainingSession(is_chief=False, max_wait_secs=0)
        return {"python": {"outcome": "created"}}
    except Exception as error:  # noqa: BLE001 - the class is what is recorded
        return {"python": {"outcome": type(error).__name__}}


def _summaries_written(tf: Any) -> dict:
    step, w, loss, train = _model(tf)
    tf.summary.scalar("w_value", w)
    hooks = [tf.train.StopAtStepHook(last_step=5)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir="logs", hooks=hooks,
                                           save_summaries_steps=2, log_step_count_steps=None,
                                           save_checkpoint_secs=None) as sess:
        while not sess.should_stop():
            sess.run(train)
    events = []
    for name in sorted(os.listdir("logs")):
        if not name.startswith("events"):
            continue
        for event in tf.train.summary_iterator(os.path.join("logs", name)):
            if event.HasField("summary"):
                events.append([int(event.step)] + [[v.tag, round(v.simple_value, 4)]
                                                   for v in event.summary.value])
            elif event.HasField("session_log"):
                events.append([int(event.step), f"session_log {event.session_log.status}"])
    return {"python": {"events": events}}


def _step_fn(tf: Any) -> dict:
    step, w, loss, train = _model(tf)
    log: list = []

    def step_fn(step_context):
        value = _num(step_context.session.run(loss))
        if value < 2.0:
            step_context.request_stop()
        return step_context.run_with_hooks([loss, train])[0]
    with tf.train.MonitoredSession(hooks=[_recording_hook(tf, log, "h")]) as sess:
        while not sess.should_stop():
            log.append(f"step {_num(sess.run_step_fn(step_fn))}")
    return {"python": {"log": log}}


def _supervisor_resumes(tf: Any) -> dict:
    """Supervisor.managed_session twice (no timed services): initialize, then restore."""
    seen = []
    for last_step in (2, 4):
        with tf.Graph().as_default():
            step, w, loss, train = _model(tf)
            sv = tf.train.Supervisor(logdir="sv", save_model_secs=0, save_summaries_secs=0)
            with sv.managed_session() as sess:
                seen.append(f"start {_num(sess.run(step))}")
                while not sv.should_stop() and sess.run(step) < last_step:
                    seen.append(_num(sess.run([loss, train])[0]))
                sv.saver.save(sess, sv.save_path, global_step=step)
    return {"python": {"seen": seen, "latest": os.path.basename(
        tf.train.latest_checkpoint("sv")), "w": _num(tf.train.load_variable("sv", "w"))}}


def _supervisor_errors(tf: Any) -> dict:
    queue = tf.FIFOQueue(2, tf.int32, shapes=[[]])
    fill, close, item = queue.enqueue_many([[1, 2]]), queue.close(), queue.dequeue()
    sv = tf.train.Supervisor(logdir="sv")
    got, outcome = [], "closed"
    with sv.managed_session() as sess:
        sess.run(fill)
        sess.run(close)
        while not sv.should_stop():
            got.append(_num(sess.run(item)))
    try:
        with sv.managed_session() as sess:
            sess.run(close)  # NOTE: a new session has a new, empty queue
            sess.run(item)
    except Exception as error:  # noqa: BLE001 - the class is what is recorded
        outcome = type(error).__name__
    try:
        with sv.managed_session() as sess:
            raise ValueError("inside")
    except Exception as error:  # noqa: BLE001 - the class is what is recorded
        outcome += f", {type(error).__name__}"
    return {"python": {"got": got, "outcome": outcome, "finalized":
                       tf.get_default_graph().finalized}}


def _sync_replicas_average(tf: Any) -> dict:
    """Two replicas' runs in turn: their gradients are averaged into one update; the next two,
    computed for the old step, are dropped; the two after are averaged again."""
    import time
    step = tf.train.get_or_create_global_step()
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.Variable(1.0, name="w")
    opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                         replicas_to_aggregate=2)
    train = opt.minimize(tf.square(w - x), global_step=step)
    seen = []
    with tf.train.SingularMonitoredSession(hooks=[opt.make_session_run_hook(True)],
                                           stop_grace_period_secs=0.2) as sess:
        raw = sess.raw_session()
        for wanted in (1, 1, 2):
            raw.run(train, {x: 1.0})
            raw.run(train, {x: 5.0})
            deadline = time.monotonic() + 20  # NOTE: the chief's runner is a thread
            while raw.run(step) < wanted and time.monotonic() < deadline:
                time.sleep(0.005)
            seen.append([_num(raw.run(step)), _num(raw.run(w))])
    return {"python": {"seen": seen}}


def programs() -> list[Program]:
    return [
        Program("classic loop checkpoints and resumes", _train_twice, in_tmpdir=True),
        Program("hook call order", _hook_order),
        Program("checkpoint every two steps", _checkpoint_every_two_steps, in_tmpdir=True),
        Program("LoggingTensorHook every 2 and at end", _logging_tensor_hook),
        Program("NanTensorHook fails", lambda tf: _nan_loss(tf, True)),
        Program("NanTensorHook stops", lambda tf: _nan_loss(tf, False)),
        Program("OutOfRangeError ends the loop", _out_of_range_ends_the_loop),
        Program("FeedFnHook and FinalOpsHook", _feed_and_final_ops),
        Program("Scaffold finalizes the graph", _scaffold_finalizes),
        Program("Scaffold init_feed_dict and init_fn", _init_fn_and_feed),
        Program("recovers after AbortedError", _recovers_after_aborted, in_tmpdir=True),
        Program("worker waits in vain", _worker_waits_in_vain),
        Program("summaries every two steps", _summaries_written, in_tmpdir=True),
        Program("run_step_fn", _step_fn),
        Program("Supervisor managed_session resumes", _supervisor_resumes, in_tmpdir=True),
        Program("Supervisor managed_session errors", _supervisor_errors, in_tmpdir=True),
        Program("SyncReplicasOptimizer averages two replicas", _sync_replicas_average),
    ]
