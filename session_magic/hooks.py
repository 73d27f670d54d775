"""TF1's session-run hooks: the `SessionRunHook` protocol and the standard hooks.

A MonitoredSession calls each hook's `begin()` before the graph is finalized, then
`after_create_session(session, coord)`, then around every `run`: `before_run(run_context)` (which
may return `SessionRunArgs`: extra fetches, feeds and options merged into that run) and
`after_run(run_context, run_values)`, and `end(session)` when the session closes cleanly. The
hooks here behave as TF 1's `basic_session_run_hooks` (the same timers, the same messages
through `tf.logging`, the same checkpoint and summary files).
"""
from __future__ import annotations

import os
import time
from typing import Any, Callable, NamedTuple, Optional

import numpy as np

from . import errors
from .aliases import logging
from .graph import Graph, GraphKeys, Tensor, get_default_graph

__all__ = ["SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues",
           "SecondOrStepTimer", "StopAtStepHook", "CheckpointSaverListener",
           "CheckpointSaverHook", "StepCounterHook", "NanLossDuringTrainingError",
           "NanTensorHook", "SummarySaverHook", "LoggingTensorHook", "GlobalStepWaiterHook",
           "FinalOpsHook", "FeedFnHook"]

_GLOBAL_STEP_READ_KEY = "global_step_read_op_cache"  # NOTE: TF's collection for the read


# --- the protocol -------------------------------------------------------------------------------

class SessionRunHook:
    """Hook to extend calls to MonitoredSession.run(); every method does nothing by default."""

    def begin(self) -> None:
        """Called once before the session is made; the graph may still be changed here."""

    def after_create_session(self, session: Any, coord: Any) -> None:
        """Called when a (new) session exists; the graph is finalized."""

    def before_run(self, run_context: SessionRunContext) -> Optional[SessionRunArgs]:
        """Called before each run; may return SessionRunArgs to add to it."""
        return None

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        """Called after each run, with the values of what `before_run` asked for."""

    def end(self, session: Any) -> None:
        """Called at the end of a session that closes without an exception."""


class SessionRunArgs(NamedTuple):
    """What a hook adds to a run: fetches, a feed dict and RunOptions."""

    fetches: Any
    feed_dict: Optional[dict] = None
    options: Any = None


class SessionRunValues(NamedTuple):
    """What a hook receives after a run: the results of its fetches, the options, metadata."""

    results: Any
    options: Any
    run_metadata: Any


class SessionRunContext:
    """The run being made: its original arguments, the session, and a stop request."""

    def __init__(self, original_args: SessionRunArgs, session: Any) -> None:
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    original_args = property(lambda self: self._original_args)
    session = property(lambda self: self._session)
    stop_requested = property(lambda self: self._stop_requested)

    def request_stop(self) -> None:
        """Ask the monitored session to stop after this run (`should_stop()` turns True)."""
        self._stop_requested = True


# --- timers and the global step -----------------------------------------------------------------

class SecondOrStepTimer:
    """Triggers every `every_secs` seconds or every `every_steps` steps (exactly one given)."""

    def __init__(self, every_secs: Optional[float] = None,
                 every_steps: Optional[int] = None) -> None:
        if every_secs is None and every_steps is None:
            raise ValueError("Either every_secs or every_steps should be provided.")
        if every_secs is not None and every_steps is not None:
            raise ValueError("Can not provide both every_secs and every_steps.")
        self._every_secs, self._every_steps = every_secs, every_steps
        self.reset()

    def reset(self) -> None:
        self._last_triggered_step: Optional[int] = None
        self._last_triggered_time: Optional[float] = None

    def should_trigger_for_step(self, step: int) -> bool:
        if self._last_triggered_step is None:
            return True
        if self._last_triggered_step == step:
            return False
        if self._every_secs is not None:
            return time.time() >= self._last_triggered_time + self._every_secs
        return step >= self._last_triggered_step + self._every_steps

    def update_last_triggered_step(self, step: int) -> tuple:
        """Note a trigger at `step`; (seconds, steps) since the previous one, or (None, None)."""
        now = time.time()
        elapsed = (None, None) if self._last_triggered_time is None else \
            (now - self._last_triggered_time, step - self._last_triggered_step)
        self._last_triggered_time, self._last_triggered_step = now, step
        return elapsed

    def last_triggered_step(self) -> Optional[int]:
        return self._last_triggered_step


class _NeverTriggerTimer(SecondOrStepTimer):
    def __init__(self) -> None:
        self.reset()

    def should_trigger_for_step(self, step: int) -> bool:
        return False


def _global_step_read(graph: Optional[Graph] = None) -> Optional[Tensor]:
    """A tensor of the global step's value (`global_step/add:0`, made once per graph, as TF's
    `_get_or_create_global_step_read`), or None when the graph has no global step."""
    from .train import get_global_step  # NOTE: lazy: train.py exports these hooks
    graph = graph or get_default_graph()
    cached = graph.get_collection(_GLOBAL_STEP_READ_KEY)
    if cached:
        return cached[0]
    step = get_global_step(graph)
    if step is None:
        return None
    with graph.as_default(), graph.name_scope(None), graph.name_scope(step.op.name + "/"):
        read = step + 0  # NOTE: a copy, so a fetch of it is not the variable itself
    graph.add_to_collection(_GLOBAL_STEP_READ_KEY, read)
    return read


def _required_global_step(hook: str) -> Tensor:
    read = _global_step_read()
    if read is None:
        raise RuntimeError(f"Global step should be created to use {hook}.")
    return read


# --- the standard hooks -------------------------------------------------------------------------

class StopAtStepHook(SessionRunHook):
    """Requests a stop when the global step reaches `last_step` (or `num_steps` more steps)."""

    def __init__(self, num_steps: Optional[int] = None, last_step: Optional[int] = None) -> None:
        if num_steps is None and last_step is None:
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and last_step is not None:
            raise ValueError("Only one of num_steps or last_step can be specified.")
        self._num_steps, self._last_step = num_steps, last_step

    def begin(self) -> None:
        self._global_step_tensor = _required_global_step("StopAtStepHook")

    def after_create_session(self, session: Any, coord: Any) -> None:
        if self._last_step is None:
            self._last_step = int(session.run(self._global_step_tensor)) + self._num_steps

    def before_run(self, run_context: SessionRunContext) -> SessionRunArgs:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        # NOTE: the fetched step is read before the train op's update: +1 guesses the new one
        if run_values.results + 1 >= self._last_step and \
                run_context.session.run(self._global_step_tensor) >= self._last_step:
            run_context.request_stop()


class CheckpointSaverListener:
    """Called around each checkpoint a CheckpointSaverHook writes; `after_save` returning True
    stops training."""

    def begin(self) -> None:
        pass

    def before_save(self, session: Any, global_step_value: int) -> None:
        pass

    def after_save(self, session: Any, global_step_value: int) -> Any:
        pass

    def end(self, session: Any, global_step_value: int) -> None:
        pass


class CheckpointSaverHook(SessionRunHook):
    """Saves a checkpoint when the session is made, every `save_secs` or `save_steps`, and at
    the end; writes the graph (`graph.pbtxt`) and a CHECKPOINT event beside them."""

    def __init__(self, checkpoint_dir: str, save_secs: Optional[float] = None,
                 save_steps: Optional[int] = None, saver: Any = None,
                 checkpoint_basename: str = "model.ckpt", scaffold: Any = None,
                 listeners: Optional[list] = None, save_graph_def: bool = True) -> None:
        logging.info("Create CheckpointSaverHook.")
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        self._saver, self._scaffold = saver, scaffold
        self._checkpoint_dir = checkpoint_dir
        self._save_path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)
        self._listeners = listeners or []
        self._save_graph_def = save_graph_def

    def begin(self) -> None:
        from .summary import FileWriterCache  # NOTE: lazy: loads the protobuf codec
        self._summary_writer = FileWriterCache.get(self._checkpoint_dir)
        self._global_step_tensor = _required_global_step("CheckpointSaverHook")
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session: Any, coord: Any) -> None:
        from .train import write_graph  # NOTE: lazy, as above
        global_step = int(session.run(self._global_step_tensor))
        if self._save_graph_def:
            write_graph(get_default_graph(), self._checkpoint_dir, "graph.pbtxt")
        self._summary_writer.add_graph(get_default_graph())
        self._save(session, global_step)
        self._timer.update_last_triggered_step(global_step)

    def before_run(self, run_context: SessionRunContext) -> SessionRunArgs:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        # NOTE: TF's 1_000_000 steps per run: the stale step always asks for the fresh one
        if not self._timer.should_trigger_for_step(run_values.results + 1_000_000):
            return
        global_step = int(run_context.session.run(self._global_step_tensor))
        if self._timer.should_trigger_for_step(global_step):
            self._timer.update_last_triggered_step(global_step)
            if self._save(run_context.session, global_step):
                run_context.request_stop()

    def end(self, session: Any) -> None:
        last_step = int(session.run(self._global_step_tensor))
        if last_step != self._timer.last_triggered_step():
            self._save(session, last_step)
        for listener in self._listeners:
            listener.end(session, last_step)

    def _save(self, session: Any, step: int) -> bool:
        """Write one checkpoint; True when a listener asks training to stop."""
        from . import proto  # NOTE: lazy, as above
        logging.info("Calling checkpoint listeners before saving checkpoint %d...", step)
        for listener in self._listeners:
            listener.before_save(session, step)
        logging.info("Saving checkpoints for %d into %s.", step, self._save_path)
        self._get_saver().save(session, self._save_path, global_step=step,
                               write_meta_graph=self._save_graph_def)
        self._summary_writer.add_session_log(proto.SessionLog(
            status=proto.SessionLog.CHECKPOINT, checkpoint_path=self._save_path), step)
        logging.info("Calling checkpoint listeners after saving checkpoint %d...", step)
        stops = [listener for listener in self._listeners if listener.after_save(session, step)]
        for listener in stops:
            logging.info("A CheckpointSaverListener requested that training be stopped. "
                         f"listener: {listener}")
        return bool(stops)

    def _get_saver(self) -> Any:
        if self._saver is not None:
            return self._saver
        if self._scaffold is not None:
            return self._scaffold.saver
        self._saver = _one_saver()
        return self._saver


def _one_saver() -> Any:
    savers = get_default_graph().get_collection(GraphKeys.SAVERS)
    if not savers:
        raise RuntimeError(f"No items in collection {GraphKeys.SAVERS}. Please add a saver to "
                           "the collection or provide a saver or scaffold.")
    if len(savers) > 1:
        raise RuntimeError(f"More than one item in collection {GraphKeys.SAVERS}. Please "
                           "indicate which one to use by passing it to the constructor.")
    return savers[0]


class StepCounterHook(SessionRunHook):
    """Logs (and writes as a summary `global_step/sec`) the steps per second."""

    def __init__(self, every_n_steps: Optional[int] = 100, every_n_secs: Optional[float] = None,
                 output_dir: Optional[str] = None, summary_writer: Any = None) -> None:
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be provided.")
        self._timer = SecondOrStepTimer(every_steps=every_n_steps, every_secs=every_n_secs)
        self._summary_writer, self._output_dir = summary_writer, output_dir
        self._last_global_step: Optional[int] = None

    def begin(self) -> None:
        from .train import get_global_step  # NOTE: lazy, as above
        if self._summary_writer is None and self._output_dir:
            from .summary import FileWriterCache  # NOTE: lazy: loads the protobuf codec
            self._summary_writer = FileWriterCache.get(self._output_dir)
        self._global_step_tensor = _required_global_step("StepCounterHook")
        self._summary_tag = get_global_step().op.name + "/sec"

    def before_run(self, run_context: SessionRunContext) -> SessionRunArgs:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        stale = run_values.results
        if self._timer.should_trigger_for_step(stale + 1):
            global_step = int(run_context.session.run(self._global_step_tensor))
            if self._timer.should_trigger_for_step(global_step):
                seconds, steps = self._timer.update_last_triggered_step(global_step)
                if seconds is not None:
                    self._log_and_record(steps, seconds, global_step)
        if stale == self._last_global_step:
            logging.log_first_n(
                logging.WARN, "It seems that global step (tf.train.get_global_step) has not "
                "been increased. Current value (could be stable): %s vs previous value: %s. You "
                "could increase the global step by passing tf.train.get_global_step() to "
                "Optimizer.apply_gradients or Optimizer.minimize.", 5, stale,
                self._last_global_step)
        self._last_global_step = stale

    def _log_and_record(self, steps: int, seconds: float, global_step: int) -> None:
        steps_per_sec = steps / max(seconds, 1e-12)
        if self._summary_writer is not None:
            from . import proto  # NOTE: lazy, as above
            summary = proto.Summary(value=[proto.Summary.Value(tag=self._summary_tag,
                                                               simple_value=steps_per_sec)])
            self._summary_writer.add_summary(summary, global_step)
        logging.info("%s: %g", self._summary_tag, steps_per_sec)


class NanLossDuringTrainingError(RuntimeError):
    """Raised by NanTensorHook when the loss is NaN."""

    def __str__(self) -> str:
        return "NaN loss during training."


class NanTensorHook(SessionRunHook):
    """Raises NanLossDuringTrainingError (or just stops) when `loss_tensor` is NaN."""

    def __init__(self, loss_tensor: Any, fail_on_nan_loss: bool = True) -> None:
        self._loss_tensor, self._fail_on_nan_loss = loss_tensor, fail_on_nan_loss

    def before_run(self, run_context: SessionRunContext) -> SessionRunArgs:
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        if not np.isnan(run_values.results):
            return
        message = "Model diverged with loss = NaN."
        if self._fail_on_nan_loss:
            logging.error(message)
            raise NanLossDuringTrainingError
        logging.warning(message)
        run_context.request_stop()


class SummarySaverHook(SessionRunHook):
    """Runs the summary op every `save_steps` steps or `save_secs` seconds and writes it."""

    def __init__(self, save_steps: Optional[int] = None, save_secs: Optional[float] = None,
                 output_dir: Optional[str] = None, summary_writer: Any = None,
                 scaffold: Any = None, summary_op: Any = None) -> None:
        if (scaffold is None) == (summary_op is None):
            raise ValueError("Exactly one of scaffold or summary_op must be provided.")
        self._summary_op, self._scaffold = summary_op, scaffold
        self._summary_writer, self._output_dir = summary_writer, output_dir
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self) -> None:
        if self._summary_writer is None and self._output_dir:
            from .summary import FileWriterCache  # NOTE: lazy: loads the protobuf codec
            self._summary_writer = FileWriterCache.get(self._output_dir)
        self._next_step: Optional[int] = None
        self._global_step_tensor = _required_global_step("SummarySaverHook")

    def before_run(self, run_context: SessionRunContext) -> SessionRunArgs:
        self._request_summary = self._next_step is None or \
            self._timer.should_trigger_for_step(self._next_step)
        requests = {"global_step": self._global_step_tensor}
        summary_op = self._get_summary_op()
        if self._request_summary and summary_op is not None:
            requests["summary"] = summary_op
        return SessionRunArgs(requests)

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        from . import proto  # NOTE: lazy, as above
        if not self._summary_writer:
            return
        global_step = run_values.results["global_step"] + 1
        if self._next_step is None or self._request_summary:
            global_step = int(run_context.session.run(self._global_step_tensor))
        if self._next_step is None:
            self._summary_writer.add_session_log(proto.SessionLog(status=proto.SessionLog.START),
                                                 global_step)
        if self._request_summary:
            self._timer.update_last_triggered_step(global_step)
            for summary in run_values.results.get("summary", ()):
                self._summary_writer.add_summary(summary, global_step)
        self._next_step = global_step + 1

    def end(self, session: Any = None) -> None:
        if self._summary_writer:
            self._summary_writer.flush()

    def _get_summary_op(self) -> Optional[list]:
        summary_op = self._summary_op if self._summary_op is not None else \
            self._scaffold.summary_op
        if summary_op is None:
            return None
        return summary_op if isinstance(summary_op, list) else [summary_op]


class LoggingTensorHook(SessionRunHook):
    """Logs tensors' values (`tag = value, ...`) through tf.logging every `every_n_iter` runs or
    `every_n_secs` seconds, and/or at the end."""

    def __init__(self, tensors: Any, every_n_iter: Optional[int] = None,
                 every_n_secs: Optional[float] = None, at_end: bool = False,
                 formatter: Optional[Callable[[dict], str]] = None) -> None:
        only_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not only_at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError("either at_end and/or exactly one of every_n_iter and every_n_secs "
                             "must be provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        if isinstance(tensors, dict):
            self._tag_order = sorted(tensors)
        else:
            self._tag_order, tensors = tensors, {item: item for item in tensors}
        self._tensors, self._formatter, self._log_at_end = tensors, formatter, at_end
        self._timer = _NeverTriggerTimer() if only_at_end else \
            SecondOrStepTimer(every_secs=every_n_secs, every_steps=every_n_iter)

    def begin(self) -> None:
        self._timer.reset()
        self._iter_count = 0
        self._current_tensors = {tag: _as_graph_element(tensor)
                                 for tag, tensor in self._tensors.items()}

    def before_run(self, run_context: SessionRunContext) -> Optional[SessionRunArgs]:
        self._should_trigger = self._timer.should_trigger_for_step(self._iter_count)
        return SessionRunArgs(self._current_tensors) if self._should_trigger else None

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        if self._should_trigger:
            self._log_tensors(run_values.results)
        self._iter_count += 1

    def end(self, session: Any) -> None:
        if self._log_at_end:
            self._log_tensors(session.run(self._current_tensors))

    def _log_tensors(self, tensor_values: dict) -> None:
        seconds, _ = self._timer.update_last_triggered_step(self._iter_count)
        with np.printoptions(suppress=True):
            if self._formatter:
                logging.info(self._formatter(tensor_values))
                return
            stats = ", ".join(f"{tag} = {tensor_values[tag]!s}" for tag in self._tag_order)
            if seconds is not None:
                logging.info("%s (%.3f sec)", stats, seconds)
            else:
                logging.info("%s", stats)


def _as_graph_element(item: Any) -> Any:
    """A tensor (or op) of the default graph, from itself or its name (`x` means `x:0`)."""
    graph = get_default_graph()
    if not isinstance(item, str):
        if getattr(item, "graph", None) is not graph:
            raise ValueError(f"Passed {item} should have graph attribute that is equal to "
                             f"current graph {graph}.")
        return item
    if ":" in item:
        return graph.as_graph_element(item)
    element = graph.as_graph_element(item + ":0")
    if len(element.op.outputs) > 1:
        raise ValueError(f"Name {item} is ambiguous, as this `Operation` has multiple outputs "
                         "(at least 2).")
    return element


class GlobalStepWaiterHook(SessionRunHook):
    """Holds this worker's first run until the global step reaches `wait_until_step`."""

    def __init__(self, wait_until_step: int) -> None:
        self._wait_until_step = wait_until_step

    def begin(self) -> None:
        self._worker_is_started = False
        self._global_step_tensor = _required_global_step("_GlobalStepWaiterHook")

    def before_run(self, run_context: SessionRunContext) -> None:
        if self._worker_is_started:
            return None
        if self._wait_until_step > 0:
            logging.info("Waiting for global step %d before starting training.",
                         self._wait_until_step)
            while run_context.session.run(self._global_step_tensor) < self._wait_until_step:
                time.sleep(0.5)
        self._worker_is_started = True
        return None


class FinalOpsHook(SessionRunHook):
    """Runs `final_ops` when the session ends; their values are `final_ops_values`."""

    def __init__(self, final_ops: Any, final_ops_feed_dict: Optional[dict] = None) -> None:
        self._final_ops, self._final_ops_feed_dict = final_ops, final_ops_feed_dict
        self._final_ops_values = None

    final_ops_values = property(lambda self: self._final_ops_values)

    def end(self, session: Any) -> None:
        if self._final_ops is None:
            return
        try:
            self._final_ops_values = session.run(self._final_ops,
                                                 feed_dict=self._final_ops_feed_dict)
        except (errors.OutOfRangeError, StopIteration):
            logging.warning("An OutOfRangeError or StopIteration exception is raised by the code "
                            "in FinalOpsHook. This typically means the Ops running by the "
                            "FinalOpsHook have a dependency back to some input source, which "
                            "should not happen.")
            raise


class FeedFnHook(SessionRunHook):
    """Feeds every run with `feed_fn()`."""

    def __init__(self, feed_fn: Callable[[], dict]) -> None:
        self.feed_fn = feed_fn

    def before_run(self, run_context: SessionRunContext) -> SessionRunArgs:
        return SessionRunArgs(fetches=None, feed_dict=self.feed_fn())
