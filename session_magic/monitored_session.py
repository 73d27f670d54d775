"""TF1's managed training session: Scaffold, SessionManager, session creators, MonitoredSession
and `MonitoredTrainingSession`.

A MonitoredSession is a stack of wrappers around one `Session`, as in TF: the recoverable layer
makes a new session (restoring the last checkpoint) when a run raises AbortedError or
UnavailableError; the coordinated layer owns a Coordinator and the queue-runner threads; the
hooked layer calls the hooks around each run. A chief initializes the model or restores it from
`checkpoint_dir`; another worker waits until the model is ready (`ready_op` reports no
uninitialized variable), which needs a shared session target (a cluster).
"""
from __future__ import annotations

import contextlib
import inspect
import time
from typing import Any, Callable, Optional

import numpy as np

from . import errors
from .aliases import logging
from .graph import GraphKeys, get_default_graph
from .hooks import (CheckpointSaverHook, SessionRunArgs, SessionRunContext, SessionRunValues,
                    StepCounterHook, SummarySaverHook)
from .input_pipeline import Coordinator, start_queue_runners
from .ops.control_flow_ops import group
from .protos import RunMetadata, RunOptions
from .saver import Saver, get_checkpoint_state
from .session import Session
from .variables import (global_variables, global_variables_initializer,
                        local_variables_initializer, report_uninitialized_variables)

__all__ = ["Scaffold", "SessionManager", "SessionCreator", "ChiefSessionCreator",
           "WorkerSessionCreator", "MonitoredSession", "SingularMonitoredSession",
           "MonitoredTrainingSession"]

_PREEMPTION_ERRORS = (errors.AbortedError, errors.UnavailableError)
USE_DEFAULT = object()


# --- Scaffold -----------------------------------------------------------------------------------

class Scaffold:
    """The ops a managed session needs (init, ready, local init, summary, saver): given here, or
    taken from the graph's collections, or made by `finalize()`, which also finalizes the graph."""

    def __init__(self, init_op: Any = None, init_feed_dict: Optional[dict] = None,
                 init_fn: Optional[Callable] = None, ready_op: Any = None,
                 ready_for_local_init_op: Any = None, local_init_op: Any = None,
                 summary_op: Any = None, saver: Any = None, copy_from_scaffold: Any = None,
                 local_init_feed_dict: Optional[dict] = None) -> None:
        given = dict(init_op=init_op, init_feed_dict=init_feed_dict, init_fn=init_fn,
                     ready_op=ready_op, ready_for_local_init_op=ready_for_local_init_op,
                     local_init_op=local_init_op, summary_op=summary_op, saver=saver,
                     local_init_feed_dict=local_init_feed_dict)
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            given = {key: value if value is not None else copy_from_scaffold._given[key]
                     for key, value in given.items()}
        self._given = given
        for key, value in given.items():
            setattr(self, "_" + key, value)

    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    local_init_op = property(lambda self: self._local_init_op)
    local_init_feed_dict = property(lambda self: self._local_init_feed_dict)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)

    @property
    def init_fn(self) -> Optional[Callable]:
        """`init_fn(scaffold, session)` bound to this scaffold: called as `init_fn(session)`."""
        user = self._given["init_fn"]
        return None if user is None else (lambda sess: user(self, sess))

    def finalize(self) -> Scaffold:
        """Make the missing ops (kept in the graph's collections) and finalize the graph."""
        if self._init_op is None:
            self._init_op = Scaffold.get_or_default("init_op", GraphKeys.INIT_OP,
                                                    _default_init_op)
        if self._ready_op is None:
            self._ready_op = Scaffold.get_or_default("ready_op", GraphKeys.READY_OP,
                                                     _default_ready_op)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = Scaffold.get_or_default(
                "ready_for_local_init_op", GraphKeys.READY_FOR_LOCAL_INIT_OP,
                _default_ready_for_local_init_op)
        if self._local_init_op is None:
            self._local_init_op = Scaffold.get_or_default(
                "local_init_op", GraphKeys.LOCAL_INIT_OP, Scaffold.default_local_init_op)
        if self._summary_op is None:
            self._summary_op = Scaffold.get_or_default("summary_op", GraphKeys.SUMMARY_OP,
                                                       _merge_all_summaries)
        if self._saver is None:
            self._saver = _saver_or_default()
        get_default_graph().finalize()
        logging.info("Graph was finalized.")
        return self

    @staticmethod
    def get_or_default(arg_name: str, collection_key: str, default_constructor: Callable) -> Any:
        """The one item of a collection, else `default_constructor()` (added to it)."""
        graph = get_default_graph()
        elements = graph.get_collection(collection_key)
        if len(elements) > 1:
            raise RuntimeError(f'More than one item in the collection "{collection_key}". '
                               "Please indicate which one to use by passing it to the "
                               f"tf.Scaffold constructor as:  tf.Scaffold({arg_name}=item to "
                               "use)")
        if elements:
            return elements[0]
        made = default_constructor()
        if made is not None:
            graph.add_to_collection(collection_key, made)
        return made

    @staticmethod
    def default_local_init_op() -> Any:
        """The local variables' and the tables' initializers, grouped."""
        from .lookup import tables_initializer  # NOTE: lazy: lookup loads on first use
        return group(local_variables_initializer(), tables_initializer())


def _default_init_op() -> Any:
    return group(global_variables_initializer())


def _default_ready_op() -> Any:
    return report_uninitialized_variables()


def _default_ready_for_local_init_op() -> Any:
    return report_uninitialized_variables(global_variables())


def _merge_all_summaries() -> Any:
    if not get_default_graph().get_collection(GraphKeys.SUMMARIES):
        return None  # NOTE: merge_all's answer then; checked first so the codec stays unloaded
    from .summary import merge_all  # NOTE: lazy: loads the protobuf codec
    return merge_all()


def _saver_or_default() -> Saver:
    """The graph's one Saver (SAVERS collection), else a new one of every variable, kept there."""
    graph = get_default_graph()
    savers = graph.get_collection(GraphKeys.SAVERS)
    if len(savers) > 1:
        raise RuntimeError(f"More than one item in collection {GraphKeys.SAVERS}. Please "
                           "indicate which one to use by passing it to the constructor.")
    if savers:
        return savers[0]
    saver = Saver(sharded=True, allow_empty=True)
    graph.add_to_collection(GraphKeys.SAVERS, saver)
    return saver


# --- SessionManager -----------------------------------------------------------------------------

class SessionManager:
    """Makes sessions that are ready to run: restored from a checkpoint, or initialized (the
    chief's `prepare_session`), or ready because another task initialized the model
    (`wait_for_session`)."""

    def __init__(self, local_init_op: Any = None, ready_op: Any = None,
                 ready_for_local_init_op: Any = None, graph: Any = None,
                 recovery_wait_secs: float = 30, local_init_run_options: Any = None,
                 local_init_feed_dict: Optional[dict] = None) -> None:
        if ready_for_local_init_op is not None and local_init_op is None:
            raise ValueError("If you pass a ready_for_local_init_op you must also pass a "
                             f"local_init_op , ready_for_local_init_op [{ready_for_local_init_op}]")
        self._local_init_op, self._ready_op = local_init_op, ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._graph = graph if graph is not None else get_default_graph()
        self._recovery_wait_secs = recovery_wait_secs
        self._local_init_run_options = local_init_run_options
        self._local_init_feed_dict = local_init_feed_dict

    def _restore_checkpoint(self, master: str, saver: Any = None,
                            checkpoint_dir: Optional[str] = None,
                            checkpoint_filename_with_path: Optional[str] = None,
                            wait_for_checkpoint: bool = False, max_wait_secs: float = 7200,
                            config: Any = None) -> tuple:
        """(a new session, whether it was restored from a checkpoint)."""
        if checkpoint_dir and checkpoint_filename_with_path:
            raise ValueError("Can not provide both checkpoint_dir and "
                             "checkpoint_filename_with_path.")
        sess = Session(master, graph=self._graph, config=config)
        if not saver or not (checkpoint_dir or checkpoint_filename_with_path):
            return sess, False
        if checkpoint_filename_with_path:
            saver.restore(sess, checkpoint_filename_with_path)
            return sess, True
        state, waited = get_checkpoint_state(checkpoint_dir), 0.0
        while not state or not state.model_checkpoint_path:
            if not (wait_for_checkpoint and waited < max_wait_secs):
                return sess, False
            logging.info("Waiting for checkpoint to be available.")
            time.sleep(self._recovery_wait_secs)
            waited += self._recovery_wait_secs
            state = get_checkpoint_state(checkpoint_dir)
        saver.restore(sess, state.model_checkpoint_path)
        saver.recover_last_checkpoints(list(state.all_model_checkpoint_paths))
        return sess, True

    def prepare_session(self, master: str, init_op: Any = None, saver: Any = None,
                        checkpoint_dir: Optional[str] = None,
                        checkpoint_filename_with_path: Optional[str] = None,
                        wait_for_checkpoint: bool = False, max_wait_secs: float = 7200,
                        config: Any = None, init_feed_dict: Optional[dict] = None,
                        init_fn: Optional[Callable] = None) -> Session:
        """A session restored from the newest checkpoint, else initialized; RuntimeError when
        the model is still not ready."""
        sess, restored = self._restore_checkpoint(
            master, saver, checkpoint_dir, checkpoint_filename_with_path, wait_for_checkpoint,
            max_wait_secs, config)
        if not restored:
            if init_op is None and not init_fn and self._local_init_op is None:
                raise RuntimeError("Model is not initialized and no init_op or init_fn or "
                                   "local_init_op was given")
            if init_op is not None:
                sess.run(init_op, feed_dict=init_feed_dict)
            if init_fn:
                init_fn(sess)
        local_ready, message = self._try_run_local_init_op(sess)
        if not local_ready:
            raise RuntimeError("Init operations did not make model ready for local_init.  "
                               f"Init op: {_name(init_op)}, init fn: {init_fn}, error: {message}")
        ready, message = self._model_ready(sess)
        if not ready:
            raise RuntimeError(f"Init operations did not make model ready.  Init op: "
                               f"{_name(init_op)}, init fn: {init_fn}, local_init_op: "
                               f"{self._local_init_op}, error: {message}")
        return sess

    def recover_session(self, master: str, saver: Any = None,
                        checkpoint_dir: Optional[str] = None,
                        checkpoint_filename_with_path: Optional[str] = None,
                        wait_for_checkpoint: bool = False, max_wait_secs: float = 7200,
                        config: Any = None) -> tuple:
        """(a session, whether it was restored and is ready); never initializes."""
        sess, restored = self._restore_checkpoint(
            master, saver, checkpoint_dir, checkpoint_filename_with_path, wait_for_checkpoint,
            max_wait_secs, config)
        local_ready, message = self._try_run_local_init_op(sess)
        if not restored:
            return sess, False
        where = checkpoint_dir or checkpoint_filename_with_path
        if not local_ready:
            logging.info("Restoring model from %s did not make model ready for local init: %s",
                         where, message)
            return sess, False
        ready, message = self._model_ready(sess)
        if not ready:
            logging.info("Restoring model from %s did not make model ready: %s", where, message)
            return sess, False
        logging.info("Restored model from %s", where)
        return sess, True

    def wait_for_session(self, master: str, config: Any = None,
                         max_wait_secs: Optional[float] = float("inf")) -> Session:
        """A session on `master` once the model is ready there; DeadlineExceededError after
        `max_wait_secs`."""
        max_wait_secs = float("inf") if max_wait_secs is None else max_wait_secs
        deadline = time.monotonic() + max_wait_secs
        while True:
            sess = Session(master, graph=self._graph, config=config)
            local_ready, local_message = self._try_run_local_init_op(sess)
            ready, message = self._model_ready(sess) if local_ready else (False, None)
            if ready:
                return sess
            with contextlib.suppress(Exception):
                sess.close()
            if deadline - time.monotonic() - self._recovery_wait_secs < 0:
                raise errors.DeadlineExceededError(
                    None, None, f"Session was not ready after waiting {max_wait_secs} secs.")
            logging.info("Waiting for model to be ready.  Ready_for_local_init_op:  %s, "
                         "ready: %s", local_message, message)
            time.sleep(self._recovery_wait_secs)

    def _model_ready(self, sess: Session) -> tuple:
        return _ready(self._ready_op, sess)

    def _try_run_local_init_op(self, sess: Session) -> tuple:
        if self._local_init_op is None:
            return True, None
        ready, message = _ready(self._ready_for_local_init_op, sess)
        if not ready:
            return False, message
        logging.info("Running local_init_op.")
        sess.run(self._local_init_op, feed_dict=self._local_init_feed_dict,
                 options=self._local_init_run_options)
        logging.info("Done running local_init_op.")
        return True, None


def _ready(op: Any, sess: Session) -> tuple:
    """(True, None) when `op` reports nothing uninitialized, else (False, what is missing)."""
    if op is None:
        return True, None
    try:
        value = np.asarray(sess.run(op))
    except errors.FailedPreconditionError as error:
        if "uninitialized" not in str(error):
            raise
        return False, str(error)
    if value.dtype == np.int32 or value.size == 0:
        return True, None
    names = ", ".join(v.decode() if isinstance(v, bytes) else str(v) for v in value.ravel())
    return False, "Variables not initialized: " + names


def _name(op: Any) -> Any:
    return getattr(op, "name", op)


# --- session creators ---------------------------------------------------------------------------

class SessionCreator:
    """A factory of sessions: `create_session()`."""

    _scaffold: Scaffold
    _session_manager: Optional[SessionManager] = None

    def create_session(self) -> Any:
        raise NotImplementedError(f"create_session is not implemented for {self}.")

    def _get_session_manager(self) -> SessionManager:
        """The chief's and the workers' one SessionManager, made from their scaffold."""
        if self._session_manager is None:
            self._session_manager = _manager_of(self._scaffold)
        return self._session_manager


class ChiefSessionCreator(SessionCreator):
    """The chief's sessions: restored from `checkpoint_dir`'s newest checkpoint, or initialized."""

    def __init__(self, scaffold: Optional[Scaffold] = None, master: str = "", config: Any = None,
                 checkpoint_dir: Optional[str] = None,
                 checkpoint_filename_with_path: Optional[str] = None) -> None:
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path
        self._scaffold = scaffold or Scaffold()
        self._master, self._config = master, config
        self._session_manager: Optional[SessionManager] = None

    def create_session(self) -> Session:
        self._scaffold.finalize()
        return self._get_session_manager().prepare_session(
            self._master, saver=self._scaffold.saver, checkpoint_dir=self._checkpoint_dir,
            checkpoint_filename_with_path=self._checkpoint_filename_with_path,
            config=self._config, init_op=self._scaffold.init_op,
            init_feed_dict=self._scaffold.init_feed_dict, init_fn=self._scaffold.init_fn)


class WorkerSessionCreator(SessionCreator):
    """A non-chief worker's sessions: wait (up to `max_wait_secs`) for the chief's model."""

    def __init__(self, scaffold: Optional[Scaffold] = None, master: str = "", config: Any = None,
                 max_wait_secs: float = 30 * 60) -> None:
        self._scaffold = scaffold or Scaffold()
        self._master, self._config, self._max_wait_secs = master, config, max_wait_secs
        self._session_manager: Optional[SessionManager] = None

    def create_session(self) -> Session:
        self._scaffold.finalize()
        return self._get_session_manager().wait_for_session(
            self._master, config=self._config, max_wait_secs=self._max_wait_secs)


def _manager_of(scaffold: Scaffold) -> SessionManager:
    return SessionManager(local_init_op=scaffold.local_init_op,
                          local_init_feed_dict=scaffold.local_init_feed_dict,
                          ready_op=scaffold.ready_op,
                          ready_for_local_init_op=scaffold.ready_for_local_init_op,
                          graph=get_default_graph())


# --- the wrapped sessions -----------------------------------------------------------------------

class _WrappedSession:
    """A session (or another wrapper) with `should_stop()`; closing never raises a preemption."""

    def __init__(self, sess: Any) -> None:
        self._sess = sess
        self._wrapped_is_stoppable = isinstance(sess, _WrappedSession)

    graph = property(lambda self: self._sess.graph)
    sess_str = property(lambda self: self._sess.sess_str)

    def should_stop(self) -> bool:
        if self._check_stop():
            return True
        if self._sess:
            return self._wrapped_is_stoppable and self._sess.should_stop()
        return True

    def _check_stop(self) -> bool:
        return False

    def close(self) -> None:
        if not self._sess:
            return
        try:
            self._sess.close()
        except _PREEMPTION_ERRORS as error:
            logging.error("An error occurred when attempting to close the session. This may be "
                          "due to a preemption in a connected worker or parameter server. "
                          "Error: %s", error)
        finally:
            self._sess = None

    def run(self, *args: Any, **kwargs: Any) -> Any:
        return self._sess.run(*args, **kwargs)

    def run_step_fn(self, step_fn: Callable, raw_session: Any, run_with_hooks: Any) -> Any:
        run_with_hooks = run_with_hooks or self.run
        return step_fn(_MonitoredSession.StepContext(raw_session, run_with_hooks))


_RECREATING = ("An error was raised. This may be due to a preemption in a connected worker or "
               "parameter server. The current session will be closed and a new session will be "
               "created. Error: %s")


class _RecoverableSession(_WrappedSession):
    """Makes a new session (through its creator) when a run raises AbortedError or
    UnavailableError, and runs again."""

    def __init__(self, sess_creator: SessionCreator) -> None:
        self._sess_creator = sess_creator
        super().__init__(self._create_session())

    def _create_session(self) -> Any:
        while True:
            try:
                return self._sess_creator.create_session()
            except _PREEMPTION_ERRORS as error:
                logging.info("An error was raised while a session was being created. This may "
                             "be due to a preemption of a connected worker or parameter server. "
                             "A new session will be created. Error: %s", error)

    def _check_stop(self) -> bool:
        try:
            return self._sess._check_stop() if self._sess else True
        except _PREEMPTION_ERRORS as error:
            logging.info(_RECREATING, error)
            self.close()
            self._sess = self._create_session()
            return False
        except Exception:  # noqa: BLE001 - TF's: any other failure means stop
            return True

    def run(self, fetches: Any, feed_dict: Optional[dict] = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        while True:
            try:
                if not self._sess:
                    self._sess = self._create_session()
                return self._sess.run(fetches, feed_dict=feed_dict, options=options,
                                      run_metadata=run_metadata)
            except _PREEMPTION_ERRORS as error:
                logging.info(_RECREATING, error)
                self.close()
                self._sess = None

    def run_step_fn(self, step_fn: Callable, raw_session: Any, run_with_hooks: Any) -> Any:
        while True:
            try:
                if not self._sess:
                    self._sess = self._create_session()
                return self._sess.run_step_fn(step_fn, raw_session, self._sess.run)
            except _PREEMPTION_ERRORS as error:
                logging.info(_RECREATING, error)
                self.close()
                self._sess = None


class _CoordinatedSession(_WrappedSession):
    """Reports a failed run to the coordinator, stops when it stops, and joins its threads on
    close."""

    def __init__(self, sess: Any, coord: Coordinator, stop_grace_period_secs: float = 120) -> None:
        super().__init__(sess)
        self._coord, self._stop_grace_period_secs = coord, stop_grace_period_secs

    def _check_stop(self) -> bool:
        self._coord.raise_requested_exception()
        return self._coord.should_stop()

    def close(self) -> None:
        self._coord.request_stop()
        try:
            self._coord.join(stop_grace_period_secs=self._stop_grace_period_secs,
                             ignore_live_threads=True)
        finally:
            with contextlib.suppress(Exception):
                _WrappedSession.close(self)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._sess.run(*args, **kwargs)
        except _PREEMPTION_ERRORS:
            raise
        except Exception as original:
            # NOTE: a thread's failure (the coordinator's) is the cause to show, if any
            try:
                self._coord.raise_requested_exception()
            except _PREEMPTION_ERRORS:
                raise
            except Exception:  # noqa: BLE001 - TF's: the original error wins
                raise original from None
            raise


class _HookedSession(_WrappedSession):
    """Calls the hooks around each run, merging what they ask for into it."""

    def __init__(self, sess: Any, hooks: list) -> None:
        super().__init__(sess)
        self._hooks, self._should_stop = hooks, False

    def _check_stop(self) -> bool:
        return self._should_stop

    def run(self, fetches: Any, feed_dict: Optional[dict] = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        if self.should_stop():
            raise RuntimeError("Run called even after should_stop requested.")
        actual_fetches: dict = {"caller": fetches}
        run_context = SessionRunContext(SessionRunArgs(fetches, feed_dict), self._sess)
        options = options or RunOptions()
        feed_dict = self._call_hook_before_run(run_context, actual_fetches, feed_dict, options)
        run_metadata = run_metadata or RunMetadata()
        outputs = _WrappedSession.run(self, fetches=actual_fetches, feed_dict=feed_dict,
                                      options=options, run_metadata=run_metadata)
        for hook in self._hooks:
            hook.after_run(run_context, SessionRunValues(
                results=outputs.get(hook), options=options, run_metadata=run_metadata))
        self._should_stop = self._should_stop or run_context.stop_requested
        return outputs["caller"]

    def _call_hook_before_run(self, run_context: Any, fetch_dict: dict,
                              user_feed_dict: Optional[dict], options: Any) -> Optional[dict]:
        hook_feeds: dict = {}
        for hook in self._hooks:
            request = hook.before_run(run_context)
            if request is None:
                continue
            if request.fetches is not None:
                fetch_dict[hook] = request.fetches
            if request.feed_dict:
                _refuse_overlap(hook_feeds, request.feed_dict, "Same tensor is fed by two hooks.")
                hook_feeds.update(request.feed_dict)
            if request.options:
                _merge_run_options(options, request.options)
        if not hook_feeds:
            return user_feed_dict
        if not user_feed_dict:
            return hook_feeds
        _refuse_overlap(user_feed_dict, hook_feeds,
                        "Same tensor is fed by a SessionRunHook and user.")
        hook_feeds.update(user_feed_dict)
        return hook_feeds


def _refuse_overlap(feeds: dict, more: dict, message: str) -> None:
    both = set(feeds) & set(more)
    if both:
        raise RuntimeError(f"{message} Conflict(s): {list(both)}")


def _merge_run_options(options: Any, incoming: Any) -> None:
    """The larger trace level and timeout of the two (TF's merge of the fields we have)."""
    options.trace_level = max(options.trace_level, incoming.trace_level)
    options.timeout_in_ms = max(options.timeout_in_ms, incoming.timeout_in_ms)


# --- the monitored sessions ---------------------------------------------------------------------

class _MonitoredSession:
    """What MonitoredSession and SingularMonitoredSession share."""

    def __init__(self, session_creator: Optional[SessionCreator], hooks: Any,
                 should_recover: bool, stop_grace_period_secs: float = 120) -> None:
        self._graph_was_finalized = get_default_graph().finalized
        self._hooks = list(hooks or [])
        for hook in self._hooks:
            hook.begin()
        self._coordinated_creator = _CoordinatedSessionCreator(
            session_creator or ChiefSessionCreator(), self._hooks, stop_grace_period_secs)
        self._sess: Any = _RecoverableSession(self._coordinated_creator) if should_recover \
            else self._coordinated_creator.create_session()

    @property
    def graph(self) -> Any:
        tf_sess = self._tf_sess()
        return None if tf_sess is None else tf_sess.graph

    def run(self, fetches: Any, feed_dict: Optional[dict] = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        """As `Session.run`, with the hooks called around it."""
        return self._sess.run(fetches, feed_dict=feed_dict, options=options,
                              run_metadata=run_metadata)

    def run_step_fn(self, step_fn: Callable) -> Any:
        """Call `step_fn(step_context)`: its `session` runs without hooks, its
        `run_with_hooks` with them, its `request_stop()` ends the loop."""
        arguments = tuple(inspect.signature(step_fn).parameters)
        if arguments not in (("step_context",), ("self", "step_context")):
            raise ValueError("`step_fn` may either have one `step_context` argument, or `self` "
                             "and `step_context` arguments if it's an instance method. Got "
                             f"{arguments} instead.")
        return self._sess.run_step_fn(step_fn, self._tf_sess(), run_with_hooks=None)

    class StepContext:
        """What a `step_fn` gets: the raw session, a run with hooks, a stop request."""

        def __init__(self, session: Any, run_with_hooks_fn: Callable) -> None:
            self._session, self._run_with_hooks_fn = session, run_with_hooks_fn

        session = property(lambda self: self._session)

        def run_with_hooks(self, *args: Any, **kwargs: Any) -> Any:
            return self._run_with_hooks_fn(*args, **kwargs)

        def request_stop(self) -> None:
            raise StopIteration("step_fn has requested the iterations to stop.")

    def should_stop(self) -> bool:
        return self._sess is None or self._sess.should_stop()

    def close(self) -> None:
        self._close_internal()

    def __enter__(self) -> _MonitoredSession:
        return self

    def __exit__(self, exception_type: Any, exception_value: Any, traceback: Any) -> bool:
        if exception_type in (errors.OutOfRangeError, StopIteration):
            exception_type = None
        self._close_internal(exception_type)
        return exception_type is None  # NOTE: TF's: OutOfRangeError ends the loop cleanly

    def _close_internal(self, exception_type: Any = None) -> None:
        try:
            if not exception_type:
                for hook in self._hooks:
                    hook.end(self._coordinated_creator.tf_sess)
        finally:
            try:
                if self._sess is None:
                    raise RuntimeError("Session is already closed.")
                self._sess.close()
            finally:
                self._sess = None
                self._coordinated_creator.tf_sess = None
                self._coordinated_creator.coord = None
                if not self._graph_was_finalized:
                    get_default_graph()._unsafe_unfinalize()

    def _is_closed(self) -> bool:
        return self._coordinated_creator.tf_sess is None

    def _tf_sess(self) -> Any:
        return self._coordinated_creator.tf_sess


class _CoordinatedSessionCreator(SessionCreator):
    """Makes a session, starts its queue runners, tells the hooks, and wraps it."""

    def __init__(self, session_creator: SessionCreator, hooks: list,
                 stop_grace_period_secs: float) -> None:
        self._session_creator, self._hooks = session_creator, hooks
        self._stop_grace_period_secs = stop_grace_period_secs
        self.coord: Optional[Coordinator] = None
        self.tf_sess: Any = None

    def create_session(self) -> _CoordinatedSession:
        self.tf_sess = self._session_creator.create_session()
        self.coord = Coordinator(clean_stop_exception_types=[])
        if get_default_graph().get_collection(GraphKeys.QUEUE_RUNNERS):
            start_queue_runners(sess=self.tf_sess, coord=self.coord)
        for hook in self._hooks:
            hook.after_create_session(self.tf_sess, self.coord)
        return _CoordinatedSession(_HookedSession(self.tf_sess, self._hooks), self.coord,
                                   self._stop_grace_period_secs)


class MonitoredSession(_MonitoredSession):
    """A session-like object that initializes or restores the model, runs the hooks, and
    recovers from AbortedError and UnavailableError by making a new session."""

    def __init__(self, session_creator: Optional[SessionCreator] = None, hooks: Any = None,
                 stop_grace_period_secs: float = 120) -> None:
        super().__init__(session_creator, hooks, should_recover=True,
                         stop_grace_period_secs=stop_grace_period_secs)


class SingularMonitoredSession(_MonitoredSession):
    """A chief's MonitoredSession without recovery, whose raw session is `raw_session()`."""

    def __init__(self, hooks: Any = None, scaffold: Optional[Scaffold] = None, master: str = "",
                 config: Any = None, checkpoint_dir: Optional[str] = None,
                 stop_grace_period_secs: float = 120,
                 checkpoint_filename_with_path: Optional[str] = None) -> None:
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                      checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, should_recover=False,
                         stop_grace_period_secs=stop_grace_period_secs)

    def raw_session(self) -> Any:
        return self._tf_sess()


# --- MonitoredTrainingSession -------------------------------------------------------------------

def _defaults(steps: Any, secs: Any, steps_default: Any, secs_default: Any) -> tuple:
    """TF's rule for a (steps, secs) pair: both unset take the defaults, one unset is None."""
    if steps is USE_DEFAULT and secs is USE_DEFAULT:
        return steps_default, secs_default
    return (None if steps is USE_DEFAULT else steps), (None if secs is USE_DEFAULT else secs)


def _positive(*values: Any) -> bool:
    return any(value is not None and value > 0 for value in values)


def MonitoredTrainingSession(master: str = "", is_chief: bool = True,  # noqa: N802 - TF's name
                             checkpoint_dir: Optional[str] = None,
                             scaffold: Optional[Scaffold] = None, hooks: Any = None,
                             chief_only_hooks: Any = None, save_checkpoint_secs: Any = USE_DEFAULT,
                             save_summaries_steps: Any = USE_DEFAULT,
                             save_summaries_secs: Any = USE_DEFAULT, config: Any = None,
                             stop_grace_period_secs: float = 120,
                             log_step_count_steps: Optional[int] = 100,
                             max_wait_secs: float = 7200, save_checkpoint_steps: Any = USE_DEFAULT,
                             summary_dir: Optional[str] = None,
                             save_graph_def: bool = True) -> MonitoredSession:
    """A MonitoredSession for training: a chief restores or initializes the model and saves
    checkpoints (every 600 s by default), summaries (every 100 steps) and the step rate into
    `checkpoint_dir`; another worker waits for the chief's model."""
    summary_steps, summary_secs = _defaults(save_summaries_steps, save_summaries_secs, 100, None)
    checkpoint_steps, checkpoint_secs = _defaults(save_checkpoint_steps, save_checkpoint_secs,
                                                  None, 600)
    scaffold = scaffold or Scaffold()
    if not is_chief:
        creator = WorkerSessionCreator(scaffold=scaffold, master=master, config=config,
                                       max_wait_secs=max_wait_secs)
        return MonitoredSession(creator, hooks or [], stop_grace_period_secs)
    all_hooks = list(chief_only_hooks or [])
    creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir,
                                  master=master, config=config)
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(StepCounterHook(output_dir=summary_dir,
                                             every_n_steps=log_step_count_steps))
        if _positive(summary_steps, summary_secs):
            all_hooks.append(SummarySaverHook(scaffold=scaffold, save_steps=summary_steps,
                                              save_secs=summary_secs, output_dir=summary_dir))
    if checkpoint_dir and _positive(checkpoint_steps, checkpoint_secs):
        all_hooks.append(CheckpointSaverHook(checkpoint_dir, save_steps=checkpoint_steps,
                                             save_secs=checkpoint_secs, scaffold=scaffold,
                                             save_graph_def=save_graph_def))
    all_hooks.extend(hooks or [])
    return MonitoredSession(creator, all_hooks, stop_grace_period_secs)
