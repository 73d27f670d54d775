"""TF1's `tf.train.Supervisor`: the managed session before MonitoredTrainingSession.

    sv = tf.train.Supervisor(logdir="train")
    with sv.managed_session() as sess:
        while not sv.should_stop():
            sess.run(train_op)

The chief prepares the session (restoring `logdir`'s newest checkpoint, or initializing) and
starts the standard services: threads that save a checkpoint every `save_model_secs` and write
the summaries and the step rate every `save_summaries_secs` (each runs once at start, as TF's),
all stopped through the Supervisor's Coordinator. Other workers wait for the chief's model.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Any, Callable, Iterator, Optional

from . import dtypes
from .aliases import logging
from .graph import GraphKeys, get_default_graph
from .input_pipeline import Coordinator
from .monitored_session import SessionManager, _merge_all_summaries
from .ops.control_flow_ops import group
from .saver import Saver
from .variables import (global_variables, global_variables_initializer,
                        local_variables_initializer, report_uninitialized_variables)

__all__ = ["Supervisor"]


class Supervisor:
    """Initializes or restores the model, runs checkpoint and summary services, and coordinates
    the threads of one training process (TF's deprecated forerunner of
    MonitoredTrainingSession)."""

    USE_DEFAULT = 0

    def __init__(self, graph: Any = None, ready_op: Any = USE_DEFAULT,
                 ready_for_local_init_op: Any = USE_DEFAULT, is_chief: bool = True,
                 init_op: Any = USE_DEFAULT, init_feed_dict: Optional[dict] = None,
                 local_init_op: Any = USE_DEFAULT, logdir: Optional[str] = None,
                 summary_op: Any = USE_DEFAULT, saver: Any = USE_DEFAULT,
                 global_step: Any = USE_DEFAULT, save_summaries_secs: float = 120,
                 save_model_secs: float = 600, recovery_wait_secs: float = 30,
                 stop_grace_secs: float = 120, checkpoint_basename: str = "model.ckpt",
                 session_manager: Optional[SessionManager] = None,
                 summary_writer: Any = USE_DEFAULT, init_fn: Optional[Callable] = None,
                 local_init_run_options: Any = None) -> None:
        graph = graph if graph is not None else get_default_graph()
        self._graph = graph
        with graph.as_default():
            self._ready_op = _or_default(ready_op, GraphKeys.READY_OP,
                                         report_uninitialized_variables)
            self._ready_for_local_init_op = _or_default(
                ready_for_local_init_op, GraphKeys.READY_FOR_LOCAL_INIT_OP, lambda: None)
            self._init_op = _or_default(init_op, GraphKeys.INIT_OP, global_variables_initializer)
            self._init_feed_dict = init_feed_dict
            self._local_init_op = _or_default(local_init_op, GraphKeys.LOCAL_INIT_OP,
                                              _default_local_init_op)
            self._saver = _or_default(saver, GraphKeys.SAVERS, _default_saver)
            self._summary_op = _or_default(summary_op, GraphKeys.SUMMARY_OP,
                                           _merge_all_summaries)
            self._global_step = _or_default(global_step, GraphKeys.GLOBAL_STEP,
                                            _default_global_step)
        self._is_chief, self._coord = is_chief, Coordinator()
        self._recovery_wait_secs, self._stop_grace_secs = recovery_wait_secs, stop_grace_secs
        self._init_fn, self._local_init_run_options = init_fn, local_init_run_options
        self._logdir = self._save_path = self._summary_writer = None
        self._save_summaries_secs = self._save_model_secs = None
        if is_chief:
            self._chief_services(logdir, save_summaries_secs, save_model_secs,
                                 checkpoint_basename, summary_writer)
        self._session_manager = session_manager or SessionManager(
            local_init_op=self._local_init_op, ready_op=self._ready_op,
            ready_for_local_init_op=self._ready_for_local_init_op, graph=graph,
            recovery_wait_secs=recovery_wait_secs,
            local_init_run_options=local_init_run_options)
        self._verify_setup()
        graph.finalize()

    def _chief_services(self, logdir: Optional[str], save_summaries_secs: float,
                        save_model_secs: float, checkpoint_basename: str,
                        summary_writer: Any) -> None:
        self._logdir = logdir
        self._save_summaries_secs, self._save_model_secs = save_summaries_secs, save_model_secs
        if logdir:
            self._save_path = os.path.join(logdir, checkpoint_basename)
        if summary_writer is not Supervisor.USE_DEFAULT:
            self._summary_writer = summary_writer
        elif logdir:
            from .summary import FileWriter  # NOTE: lazy: loads the protobuf codec
            self._summary_writer = FileWriter(logdir)
        self._graph_added_to_summary = False

    def _verify_setup(self) -> None:
        if self._is_chief:
            return
        for op in self._graph.get_operations():
            if op.type in ("Variable", "VariableV2") and not getattr(op, "device", ""):
                raise ValueError(f"When using replicas, all Variables must have their device "
                                 f"set: {op}")

    is_chief = property(lambda self: self._is_chief)
    session_manager = property(lambda self: self._session_manager)
    coord = property(lambda self: self._coord)
    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    summary_writer = property(lambda self: self._summary_writer)
    summary_op = property(lambda self: self._summary_op)
    save_summaries_secs = property(lambda self: self._save_summaries_secs)
    global_step = property(lambda self: self._global_step)
    saver = property(lambda self: self._saver)
    save_model_secs = property(lambda self: self._save_model_secs)
    save_path = property(lambda self: self._save_path)

    # --- sessions -----------------------------------------------------------------------------

    def prepare_or_wait_for_session(self, master: str = "", config: Any = None,
                                    wait_for_checkpoint: bool = False,
                                    max_wait_secs: float = 7200,
                                    start_standard_services: bool = True) -> Any:
        """The chief's prepared session (services started), or a worker's once ready."""
        self._coord.clear_stop()
        if self._summary_writer:
            self._summary_writer.reopen()
        if self._is_chief:
            sess = self._session_manager.prepare_session(
                master, init_op=self._init_op, saver=self._saver, checkpoint_dir=self._logdir,
                wait_for_checkpoint=wait_for_checkpoint, max_wait_secs=max_wait_secs,
                config=config, init_feed_dict=self._init_feed_dict, init_fn=self._init_fn)
            self._write_graph()
            if start_standard_services:
                logging.info("Starting standard services.")
                self.start_standard_services(sess)
        else:
            sess = self._session_manager.wait_for_session(master, config=config,
                                                          max_wait_secs=max_wait_secs)
        if start_standard_services:
            logging.info("Starting queue runners.")
            self.start_queue_runners(sess)
        return sess

    @contextlib.contextmanager
    def managed_session(self, master: str = "", config: Any = None,
                        start_standard_services: bool = True,
                        close_summary_writer: bool = True) -> Iterator[Any]:
        """A prepared session; on exit every service stops and an exception raised inside
        (other than OutOfRangeError, a clean stop) is re-raised once the threads are joined."""
        sess = None
        try:
            sess = self.prepare_or_wait_for_session(
                master=master, config=config, start_standard_services=start_standard_services)
            yield sess
        except Exception as error:  # noqa: BLE001 - TF's: handed to the coordinator
            self.request_stop(error)
        finally:
            try:
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                with contextlib.suppress(Exception):
                    sess.close()

    def _write_graph(self) -> None:
        if self._logdir:
            from .train import write_graph  # NOTE: lazy, as above
            write_graph(self._graph, self._logdir, "graph.pbtxt")
        if self._summary_writer and not self._graph_added_to_summary:
            self._summary_writer.add_graph(self._graph)
            self._graph_added_to_summary = True

    # --- services -----------------------------------------------------------------------------

    def start_standard_services(self, sess: Any) -> Optional[list]:
        """The chief's checkpoint, summary and step-counter threads, started."""
        if not self._is_chief:
            raise RuntimeError("Only chief supervisor can start standard services. Because only "
                               "chief supervisors can write events.")
        if not self._logdir:
            logging.warning("Standard services need a 'logdir' passed to the SessionManager")
            return None
        if self._global_step is not None and self._summary_writer:
            from . import proto  # NOTE: lazy, as above
            self._summary_writer.add_session_log(proto.SessionLog(
                status=proto.SessionLog.START), _step(sess, self._global_step))
        threads = []
        if self._save_summaries_secs and self._summary_writer:
            if self._summary_op is not None:
                threads.append(_Service(self, self._save_summaries_secs, self._write_summary,
                                        sess))
            if self._global_step is not None:
                threads.append(_StepCounter(self, sess))
        if self._saver and self._save_model_secs:
            threads.append(_Service(self, self._save_model_secs, self._save_checkpoint, sess))
        for thread in threads:
            thread.start()
        return threads

    def _write_summary(self, sess: Any) -> None:
        if self._global_step is not None:
            summary, step = sess.run([self._summary_op, self._global_step])
        else:
            summary, step = sess.run(self._summary_op), None
        logging.info("Recording summary at step %s.", step)
        self._summary_writer.add_summary(summary, None if step is None else int(step))

    def _save_checkpoint(self, sess: Any) -> None:
        logging.info("Saving checkpoint to path %s", self._save_path)
        self._saver.save(sess, self._save_path, global_step=self._global_step)
        if self._summary_writer and self._global_step is not None:
            from . import proto  # NOTE: lazy, as above
            self._summary_writer.add_session_log(proto.SessionLog(
                status=proto.SessionLog.CHECKPOINT, checkpoint_path=self._save_path),
                _step(sess, self._global_step))

    def start_queue_runners(self, sess: Any, queue_runners: Optional[list] = None) -> list:
        """Threads of the graph's queue runners (or those given), under this coordinator."""
        if queue_runners is None:
            queue_runners = self._graph.get_collection(GraphKeys.QUEUE_RUNNERS)
        threads = []
        for runner in queue_runners:
            threads.extend(runner.create_threads(sess, coord=self._coord, daemon=True,
                                                 start=True))
        return threads

    def loop(self, timer_interval_secs: Optional[float], target: Callable,
             args: Any = None, kwargs: Any = None) -> threading.Thread:
        """A started thread calling `target(*args, **kwargs)` every `timer_interval_secs`."""
        looper = _Service(self, timer_interval_secs,
                          lambda: target(*(args or ()), **(kwargs or {})))
        looper.start()
        return looper

    # --- stopping -----------------------------------------------------------------------------

    def stop(self, threads: Optional[list] = None, close_summary_writer: bool = True,
             ignore_live_threads: bool = False) -> None:
        """Stop and join every thread (re-raising one's exception); close the writer."""
        self._coord.request_stop()
        try:
            self._coord.join(threads, stop_grace_period_secs=self._stop_grace_secs,
                             ignore_live_threads=ignore_live_threads)
        finally:
            if close_summary_writer and self._summary_writer:
                from . import proto  # NOTE: lazy, as above
                self._summary_writer.add_session_log(
                    proto.SessionLog(status=proto.SessionLog.STOP))
                self._summary_writer.close()
                self._graph_added_to_summary = False

    def request_stop(self, ex: Any = None) -> None:
        self._coord.request_stop(ex=ex)

    def should_stop(self) -> bool:
        return self._coord.should_stop()

    def stop_on_exception(self) -> Any:
        return self._coord.stop_on_exception()

    def wait_for_stop(self) -> None:
        self._coord.wait_for_stop()

    def summary_computed(self, sess: Any, summary: Any, global_step: Any = None) -> None:
        """Write a summary computed by the caller, at `global_step` (default: the current)."""
        if not self._summary_writer:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self._global_step is not None:
            global_step = _step(sess, self._global_step)
        self._summary_writer.add_summary(summary, global_step)


# --- defaults and services ----------------------------------------------------------------------

def _or_default(given: Any, key: str, make: Callable[[], Any]) -> Any:
    """`given`, unless it is USE_DEFAULT: then the collection's first item, else `make()`
    (kept in the collection)."""
    if given is not Supervisor.USE_DEFAULT:
        return given
    found = get_default_graph().get_collection(key)
    if len(found) > 1:
        logging.info("Found %d %s operations. Returning the first one.", len(found), key)
    if found:
        return found[0]
    made = make()
    if made is not None:
        get_default_graph().add_to_collection(key, made)
    return made


def _default_local_init_op() -> Any:
    from .lookup import tables_initializer  # NOTE: lazy: lookup loads on first use
    return group(local_variables_initializer(), tables_initializer())


def _default_saver() -> Optional[Saver]:
    return Saver() if global_variables() else None


def _default_global_step() -> Any:
    try:
        step = get_default_graph().get_tensor_by_name("global_step:0")
    except (KeyError, ValueError):
        return None
    if step.dtype.base_dtype in (dtypes.int32, dtypes.int64):
        return step
    logging.warning("Found 'global_step' is not an int type: %s", step.dtype)
    return None


def _step(sess: Any, global_step: Any) -> int:
    return int(sess.run(global_step))


class _Service(threading.Thread):
    """Calls `work(*args)` at once and then every `interval` seconds until the coordinator
    stops (TF's LooperThread with a timer); a failure stops the coordinator."""

    def __init__(self, supervisor: Supervisor, interval: Optional[float],
                 work: Callable, *args: Any) -> None:
        super().__init__(daemon=True, name=f"Supervisor{type(self).__name__}")
        self._coord, self._interval = supervisor.coord, interval
        self._work, self._args = work, args
        self._coord.register_thread(self)

    def run(self) -> None:
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._interval is None:
                while not self._coord.should_stop():
                    self._work(*self._args)
                return
            next_time = time.monotonic()
            while not self._coord.wait_for_stop(max(0.0, next_time - time.monotonic())):
                next_time += self._interval
                self._work(*self._args)

    def start_loop(self) -> None:
        pass


class _StepCounter(_Service):
    """Writes `global_step/sec` every `save_summaries_secs` (TF's SVStepCounterThread)."""

    def __init__(self, supervisor: Supervisor, sess: Any) -> None:
        super().__init__(supervisor, supervisor.save_summaries_secs, self._count)
        self._supervisor, self._sess = supervisor, sess
        self._summary_tag = f"{supervisor.global_step.op.name}/sec"

    def start_loop(self) -> None:
        self._last_time, self._last_step = time.time(), _step(self._sess,
                                                              self._supervisor.global_step)

    def _count(self) -> None:
        from . import proto  # NOTE: lazy: loads the protobuf codec
        step, now = _step(self._sess, self._supervisor.global_step), time.time()
        elapsed, added = now - self._last_time, step - self._last_step
        self._last_time, self._last_step = now, step
        rate = added / elapsed if elapsed > 0 else float("inf")
        writer = self._supervisor.summary_writer
        if writer:
            writer.add_summary(proto.Summary(value=[proto.Summary.Value(
                tag=self._summary_tag, simple_value=rate)]), step)
        logging.log_first_n(logging.INFO, "%s: %g", 10, self._summary_tag, rate)
