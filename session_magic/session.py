"""Session and InteractiveSession: run fetches with feeds, holding variable values per session.

`run` maps the fetch structure to unique graph elements, converts feeds, finds (or compiles) the
Plan for that signature in the session's cache, runs it and rebuilds the structure. A run that
fails or is interrupted commits no variable write. The default-session stack is in defaults.py.
"""
from __future__ import annotations

import collections
import contextlib
import reprlib
import threading
import time
import types
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator, NamedTuple, Optional, Sequence

import numpy as np

from . import defaults, errors
from . import dtypes as _dtypes
from .blas_threads import BlasThreads
from .defaults import GRAPH_HINT, get_default_session
from .frames import is_package_file, is_user_file, traceback_of
from .graph import Graph, Operation, Tensor, get_default_graph
from .ops.conversion import to_array
from .ops.indexed_slices import IndexedSlices, IndexedSlicesValue
from .plan import Plan, RunContext, jit
from .protos import ConfigProto, DeviceStepStats, NodeExecStats, RunMetadata, RunOptions
from .tensor_shape import dims_compatible, format_dims

__all__ = ["Session", "InteractiveSession", "get_default_session"]


class CompiledRun(NamedTuple):
    """One signature a session compiled: what it fetched, what was fed, the ops it runs."""

    fetches: tuple
    feeds: tuple
    ops: tuple


_MAPPER_CACHE_SIZE = 512
# NOTE: a program that builds a new fetch each step must not grow the session without bound;
# past this many signatures the oldest plan is dropped (and compiled again if asked for).
_PLAN_CACHE_SIZE = 512


# --- fetch structures ----------------------------------------------------------------------------

class _FetchMapper:
    """Flattens a nested fetch structure to unique graph elements and rebuilds the results."""

    __slots__ = ("elements", "template", "_positions", "rebuild")

    def __init__(self, graph: Graph, fetches: Any) -> None:
        elements: list[Any] = []
        self.elements = elements
        self._positions: dict[Any, int] = {}
        self.template = self._walk(graph, fetches, "fetches")
        self.elements = tuple(elements)
        # NOTE: a flat list of distinct fetches is rebuilt from the results as they are
        kind, container, children = self.template if type(self.template) is tuple else (0, 0, 0)
        flat = kind == "seq" and container in (list, tuple) and \
            children == list(range(len(self.elements)))
        self.rebuild = container if flat else self.build

    def _walk(self, graph: Graph, fetch: Any, path: str) -> Any:
        if isinstance(fetch, (list, tuple)) and not hasattr(fetch, "_as_graph_element"):
            children = [self._walk(graph, f, f"{path}[{i}]") for i, f in enumerate(fetch)]
            return ("seq", type(fetch), children)
        if isinstance(fetch, collections.abc.Mapping):
            children = [(k, self._walk(graph, v, f"{path}[{k!r}]")) for k, v in fetch.items()]
            return ("map", fetch, children)
        if isinstance(fetch, IndexedSlices):  # NOTE: its parts, rebuilt as IndexedSlicesValue
            parts = [p for p in (fetch.values, fetch.indices, fetch.dense_shape) if p is not None]
            return ("seq", IndexedSlicesValue, [self._walk(graph, p, path) for p in parts])
        element = _fetch_element(graph, fetch, path)
        position = self._positions.get(element)
        if position is None:
            position = self._positions[element] = len(self.elements)
            self.elements.append(element)
        return position

    def build(self, results: list) -> Any:
        return _rebuild(self.template, results)


_LEAVES = (Tensor, Operation)  # NOTE: what most fetches hold: no isinstance checks needed


def _connected(target: Any, config: Optional[ConfigProto]) -> Any:
    """The runner of a cluster target; NotFoundError when dask is not installed."""
    try:
        # NOTE: lazy: dask loads only for a session on a cluster
        from .distributed import connect
    except ImportError as missing:
        raise errors.NotFoundError(
            None, None, f"The session target {target!r} names a cluster, which needs dask: "
            f"pip install 'session_magic[distributed]' ({missing})") from None
    return connect(target, device_filters=list(getattr(config, "device_filters", None) or ()))


_CLUSTER_SCHEMES = ("grpc://", "dask://", "tcp://", "inproc://", "tls://")


def _names_cluster(target: Any) -> bool:
    """Does a session target name a cluster (not the in-process executor)?"""
    text = target.decode() if isinstance(target, bytes) else target
    return isinstance(text, str) and text.startswith(_CLUSTER_SCHEMES)


def _signature(fetches: Any, feed_dict: Any) -> Any:
    """A key for a run's (fetches, feed_dict keys) when both are plain: a tensor or a flat list
    or tuple of tensors and ops, and a dict (whose keys are checked before the key is kept);
    else None. A loop's repeated runs then find their plan with one dict lookup."""
    kind = type(fetches)
    if kind is Tensor:
        fetch_key: Any = fetches
    elif kind is list or kind is tuple:
        for fetch in fetches:
            if type(fetch) not in _LEAVES:
                return None
        fetch_key = (kind, *fetches)
    else:
        return None
    if not feed_dict:
        return fetch_key, None
    if type(feed_dict) is not dict:
        return None
    return fetch_key, tuple(feed_dict)


def _plain_feeds(graph: Graph, feed_dict: dict) -> bool:
    """Is every key of `feed_dict` a tensor of `graph` (so its values feed, in order, the plan's
    feeds as `_feed_items` resolved them)?"""
    return all(type(key) is Tensor and key._op._graph is graph for key in feed_dict)


def _rebuild(template: Any, results: list) -> Any:
    if type(template) is int:
        return results[template]
    kind, container, children = template
    if kind == "seq":
        values = [_rebuild(child, results) for child in children]
        if container in (list, tuple):
            return container(values)
        return container(*values) if hasattr(container, "_fields") else container(values)
    if isinstance(container, collections.defaultdict):
        rebuilt = type(container)(container.default_factory)
        rebuilt.update((k, _rebuild(child, results)) for k, child in children)
        return rebuilt
    return type(container)((k, _rebuild(child, results)) for k, child in children)


def _fetch_element(graph: Graph, fetch: Any, path: str) -> Any:
    where = "" if path == "fetches" else f" (at {path})"
    if fetch is None:
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}{where}")
    try:
        element = graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
    except TypeError as error:
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a "
                        f"string or Tensor. ({error}){where}") from None
    except (ValueError, KeyError) as error:
        hint = GRAPH_HINT if "not an element of this graph" in str(error) else ""
        raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                         f"({error.args[0]}){hint}{where}") from None
    if not graph.is_fetchable(element):
        raise errors.InaccessibleTensorError(
            f"Operation {element.name!r} has been marked as not fetchable. Typically this happens "
            "when it is defined in another function or code block. Use return values, explicit "
            "Python locals or TensorFlow collections to access it.")
    return element


# --- feeds --------------------------------------------------------------------------------------

def _tuple_feed(key: tuple, value: Any) -> Iterator[tuple]:
    """The (tensor key, value) pairs of a feed whose key is a tuple of tensors."""
    if not isinstance(value, (tuple, list)) or len(value) != len(key):
        raise ValueError(f"The feed_dict key {key!r} is a tuple of tensors, so its value "
                         "must be a tuple or list of the same length.")
    return zip(key, value, strict=True)


def _feed_tensor(graph: Graph, key: Any) -> Tensor:
    if type(key) is Tensor and key._op._graph is graph:
        tensor = key
    else:
        try:
            tensor = graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except Exception as error:
            hint = GRAPH_HINT if "not an element of this graph" in str(error) else ""
            if isinstance(key, Operation):
                hint = f" (The key is the Operation {key.name!r}: feed one of its outputs, " \
                       f"e.g. '{key.name}:0'.)"
            raise TypeError("Cannot interpret feed_dict key as Tensor: " + str(error.args[0])
                            + hint) from None
    if not graph.is_feedable(tensor):
        raise ValueError(f"Tensor {tensor} may not be fed.")
    return tensor


def _feed_value(tensor: Tensor, value: Any, guarded: bool = True,
                accepted: Optional[dict] = None) -> Any:
    """`value` converted to `tensor`'s dtype and checked against its static shape. A caller's
    array is passed as a read-only view when `guarded` (the plan may hand back or keep a view
    of it); `accepted` remembers each tensor's last shape that passed the check."""
    dtype = tensor._dtype
    if (type(value) is np.ndarray and value.dtype.type is dtype.as_numpy_dtype
            and value.dtype.isnative):
        array = value
        if guarded:
            # NOTE: a read-only view, so a result that is a view of the feed is copied when
            # fetched and never aliases the caller's array (TF always returned fresh memory).
            array = value.view()
            array.flags.writeable = False
    else:
        array = _convert_feed(tensor, value)
    dims, shape = tensor._dims, array.shape
    if dims is not None and dims != shape and (accepted is None or accepted.get(tensor) != shape):
        if not dims_compatible(dims, shape):
            raise ValueError(f"Cannot feed value of shape {shape!r} for Tensor "
                             f"{tensor.name!r}, which has shape '{format_dims(tensor._dims)}'")
        if accepted is not None:
            accepted[tensor] = shape
    return array


def _convert_feed(tensor: Tensor, value: Any) -> np.ndarray:
    dtype = tensor._dtype
    if isinstance(value, Tensor) or hasattr(value, "_to_tensor"):
        raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values "
                        "include Python scalars, strings, lists, numpy ndarrays, or TensorHandles. "
                        f"For reference, the tensor object was {value} which was passed to the "
                        f"feed with key {tensor}.")
    if dtype is _dtypes.string:
        try:
            return to_array(value, dtype)
        except (TypeError, ValueError) as error:
            raise _feed_conversion_error(tensor, value, error) from None
    if dtype.is_integer and _has_non_finite(value):
        raise ValueError(f"Cannot convert the value fed for Tensor {tensor.name!r} "
                         f"({_shown(value)}) to {dtype.name}: NaN and Inf have no integer value")
    try:
        with np.errstate(all="ignore"):
            array = np.asarray(value, dtype=dtype.as_numpy_dtype)
    except (TypeError, ValueError, OverflowError) as error:
        raise _feed_conversion_error(tensor, value, error) from None
    if isinstance(value, int) and not isinstance(value, bool) and array != value:
        raise _precision_loss_error(tensor, value)
    return array


def _has_non_finite(value: Any) -> bool:
    """Does a float feed value hold NaN or Inf (which an integer tensor cannot hold)?"""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return False
    return array.dtype.kind in "fc" and not np.all(np.isfinite(array))


# NOTE: bounded in depth and width, so a deeply nested or huge feed value cannot make the error
# message itself fail (RecursionError) or flood the screen.
_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel, _SHORT_REPR.maxlist, _SHORT_REPR.maxtuple = 3, 6, 6
_SHORT_REPR.maxstring, _SHORT_REPR.maxother = 40, 60


def _shown(value: Any) -> str:
    shown = _SHORT_REPR.repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _precision_loss_error(tensor: Tensor, value: Any) -> TypeError:
    return TypeError(f"Type of feed value {value} with type {type(value)} is not compatible with "
                     f"Tensor type {tensor._dtype.as_numpy_dtype}. Try explicitly setting the "
                     "type of the feed tensor to a larger type (e.g. int64). (fed for Tensor "
                     f"{tensor.name!r})")


def _feed_conversion_error(tensor: Tensor, value: Any, error: Exception) -> Exception:
    if isinstance(value, int):
        return _precision_loss_error(tensor, value)
    if isinstance(error, OverflowError):
        return TypeError(f"Cannot convert the value fed for Tensor {tensor.name!r} "
                         f"({_shown(value)}) to {tensor._dtype.name}: a value does not fit. Try "
                         "explicitly setting the type of the feed tensor to a larger type "
                         "(e.g. int64).")
    return type(error)(f"Cannot convert the value fed for Tensor {tensor.name!r} "
                       f"({_shown(value)}) to {tensor._dtype.name}: {error}")


# --- sessions ------------------------------------------------------------------------------------

class BaseSession:
    """What Session and InteractiveSession share: the graph, variable values and plan cache."""

    def __init__(self, target: Any = "", graph: Optional[Graph] = None,
                 config: Optional[ConfigProto] = None) -> None:
        if graph is None:
            graph = get_default_graph()
        elif not isinstance(graph, Graph):
            raise TypeError(f"graph must be a tf.Graph, but got {type(graph)}")
        cluster_object = hasattr(target, "scheduler_info") or hasattr(target, "tasks")
        if not isinstance(target, (str, bytes)) and not cluster_object:
            raise TypeError(f"target must be a string, but got {type(target)}. Did you do "
                            '"Session(config)" instead of "Session(config=config)"?')
        if config is not None and not isinstance(config, ConfigProto):
            raise TypeError(f"config must be a tf.ConfigProto, but got {type(config)}")
        self._cluster = None  # NOTE: a ClusterRunner when the target is a dask cluster
        if cluster_object or _names_cluster(target):
            self._cluster = _connected(target, config)
        elif target not in ("", b"", "local", "direct://"):
            raise errors.NotFoundError(None, None, "No session factory registered for the given "
                                       f'session options: {{target: "{target!s}"}} Registered '
                                       "factories are {DIRECT_SESSION, DASK_SESSION (grpc://, "
                                       "dask://, tcp://, inproc:// targets)}.")
        self._graph = graph
        self._target = target
        self._config = config if config is not None else ConfigProto()
        self._closed = False
        self._variable_store: dict[Operation, np.ndarray] = {}
        self._random_generators: dict[Operation, np.random.Generator] = {}
        self._plans: dict[tuple, Plan] = {}
        self._plan_hits = 0
        self._plan_misses = 0
        self._write_lock = threading.Lock()
        self._compile_lock = threading.Lock()
        self._timings: Optional[dict] = None
        self._mappers: dict[tuple, _FetchMapper] = {}
        self._threads = max(1, int(self._config.inter_op_parallelism_threads or 1))
        # NOTE: intra_op_parallelism_threads sizes the BLAS/OpenMP pools during this one's runs
        intra = int(self._config.intra_op_parallelism_threads or 0)
        self._blas_threads = BlasThreads(intra) if intra > 0 else None
        self._last_feeds: tuple = ((), ())
        self._pool: Optional[ThreadPoolExecutor] = None
        self._resources: dict = {}  # NOTE: queues and readers of this session, by name
        self._accepted_shapes: dict = {}  # fed tensor -> the last shape that passed its check
        self._signatures: dict = {}  # _signature(...) -> (plan, rebuild) of a run seen before

    graph = property(lambda self: self._graph, doc="The graph this session runs.")
    sess_str = property(lambda self: self._target)

    @property
    def graph_def(self) -> Any:
        """A GraphDef of the session's graph now (it reflects ops added after creation)."""
        return self._graph.as_graph_def()

    def list_devices(self) -> list:
        return ["/job:localhost/replica:0/task:0/device:CPU:0"]

    # --- running ---------------------------------------------------------------------------

    def run(self, fetches: Any, feed_dict: Optional[dict] = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        """Evaluate `fetches` (any nesting of tensors, ops, names, Variables) with feeds."""
        self._check_usable()
        graph = self._graph
        key = _signature(fetches, feed_dict) if not (graph._unfetchable or graph._unfeedable) \
            else None
        known = self._signatures.get(key) if key is not None else None
        if known is not None:
            plan, rebuild = known
            feed_tensors = plan.feeds
            raw_values = tuple(feed_dict.values()) if feed_tensors else ()
            self._plan_hits += 1
        else:
            plan, rebuild, feed_tensors, raw_values = self._resolve(fetches, feed_dict)
            if key is not None and (not feed_dict or _plain_feeds(graph, feed_dict)):
                if len(self._signatures) >= _PLAN_CACHE_SIZE:
                    self._signatures.clear()
                self._signatures[key] = (plan, rebuild)
        feed_values: tuple = ()
        if feed_tensors:
            accepted, values = self._accepted_shapes, []
            for tensor, value, guarded in zip(feed_tensors, raw_values, plan.guarded_feeds,
                                              strict=True):
                values.append(_feed_value(tensor, value, guarded, accepted))
            feed_values = tuple(values)
        self._last_feeds = (feed_tensors, feed_values)
        try:
            return rebuild(self._execute(plan, feed_values, options, run_metadata))
        except (errors.OpError, KeyboardInterrupt) as failure:
            raise _trimmed(failure) from failure.__cause__

    def _resolve(self, fetches: Any, feed_dict: Optional[dict]) -> tuple:
        """(plan, rebuild, feed tensors, feed values as given) of a run's arguments."""
        if type(fetches) is Tensor and fetches._op._graph is self._graph and \
                not self._graph._unfetchable:
            unique, rebuild = (fetches,), _first
        else:
            mapper = self._mapper_for(fetches)
            unique, rebuild = mapper.elements, mapper.rebuild
        feed_tensors, raw_values = self._feed_items(feed_dict)
        return self._plan_for(unique, feed_tensors), rebuild, feed_tensors, raw_values

    def _mapper_for(self, fetches: Any) -> _FetchMapper:
        """The flattened fetch structure; flat lists and tuples are flattened once and reused
        (the graph is append-only, so an element or name always resolves the same way)."""
        key = None
        # NOTE: only flat lists of leaves: a namedtuple equals a tuple of the same elements, so
        # a key holding containers could hand back another container type.
        if type(fetches) in (list, tuple) and all(type(f) in _LEAVES or not isinstance(
                f, (list, tuple, collections.abc.Mapping)) for f in fetches):
            key = (type(fetches), *fetches)
            try:
                mapper = self._mappers.get(key)
            except TypeError:  # NOTE: an unhashable leaf: flatten it each call
                key, mapper = None, None
            if mapper is not None:
                return mapper
        mapper = _FetchMapper(self._graph, fetches)
        if key is not None:
            if len(self._mappers) >= _MAPPER_CACHE_SIZE:
                self._mappers.clear()
            self._mappers[key] = mapper
        return mapper

    def _check_usable(self) -> None:
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if self._graph.version == 0:
            raise RuntimeError("The Session graph is empty.  Add operations to the graph before "
                               "calling run().")

    def _prepare_feeds(self, feed_dict: Optional[dict]) -> tuple:
        """(tensors, values) of `feed_dict`, every value converted and checked."""
        tensors, values = self._feed_items(feed_dict)
        return tensors, tuple(_feed_value(t, v) for t, v in zip(tensors, values, strict=True))

    def _feed_items(self, feed_dict: Optional[dict]) -> tuple:
        """(tensors, values as given) of `feed_dict`: its keys resolved to the tensors fed."""
        if not feed_dict:
            return (), ()
        if not isinstance(feed_dict, dict):
            raise TypeError(f"feed_dict must be a dict, got {type(feed_dict).__name__}")
        graph = self._graph
        fed: dict[Tensor, Any] = {}
        for key, value in feed_dict.items():
            if type(key) is Tensor and key._op._graph is graph and graph.is_feedable(key):
                fed[key] = value  # NOTE: the common case, resolved without a call
                continue
            if isinstance(key, IndexedSlices):
                key = tuple(p for p in (key.values, key.indices, key.dense_shape)
                            if p is not None)
            if isinstance(key, tuple):
                for part, part_value in _tuple_feed(key, value):
                    fed[_feed_tensor(graph, part)] = part_value
            else:
                fed[_feed_tensor(graph, key)] = value
        return tuple(fed), tuple(fed.values())

    def _plan_for(self, fetches: tuple, feeds: tuple) -> Plan:
        key = (fetches, feeds)
        plan = self._plans.get(key)
        if plan is not None:
            self._plan_hits += 1
            return plan
        with self._compile_lock:
            if self._closed:  # NOTE: closed by another thread since `run` checked
                raise RuntimeError("Attempted to use a closed Session.")
            plan = self._plans.get(key)
            if plan is None:
                plan = Plan(fetches, feeds, pool=self._inter_op_pool())
                plan.hot = jit.promote_when_hot(plan, self)
                if len(self._plans) >= _PLAN_CACHE_SIZE:
                    del self._plans[next(iter(self._plans))]
                self._plans[key] = plan
                self._plan_misses += 1
        return plan

    def _inter_op_pool(self) -> Optional[ThreadPoolExecutor]:
        """The session's one pool for `inter_op_parallelism_threads` > 1, shared by its plans."""
        if self._threads > 1 and self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self._threads,
                                            thread_name_prefix="session_magic")
        return self._pool

    def _execute(self, plan: Plan, feed_values: tuple, options: Any, run_metadata: Any) -> list:
        if self._cluster is not None:
            return self._cluster.run(self, plan, feed_values)
        blas = self._blas_threads
        if blas is not None and BlasThreads.current != blas.count:
            blas.apply()
        # NOTE: only a plan with a run context can block (a queue's dequeue), so only it pays
        # for its deadline: RunOptions.timeout_in_ms, else ConfigProto.operation_timeout_in_ms
        ctx = None
        if plan.uses_context:
            ctx = RunContext(self, _deadline(options, self._config)
                             if options is not None or self._config.operation_timeout_in_ms
                             else None)
        traced = self._timings is not None or (
            (options is not None or run_metadata is not None)
            and _traces(options, run_metadata))
        try:
            if not plan.writes_state:
                if not traced:  # NOTE: the common case, one call shorter
                    return plan.run(feed_values, ctx)
                return self._run_plan(plan, feed_values, ctx, traced, run_metadata)
            with self._write_lock:
                results = self._run_plan(plan, feed_values, ctx, traced, run_metadata)
                if self._closed:
                    raise RuntimeError("Attempted to use a closed Session.")
                self._variable_store.update(ctx.pending)
            return results
        except BaseException as failure:
            _forget_run(failure, ctx)
            if self._closed and isinstance(failure, errors.OpError):
                # NOTE: closed by another thread during the run, which then found no variables
                raise RuntimeError("Attempted to use a closed Session.") from None
            raise

    def _run_plan(self, plan: Plan, feed_values: tuple, ctx: Any, traced: bool,
                  run_metadata: Any) -> list:
        if not traced:
            return plan.run(feed_values, ctx)
        stats: list = []
        start = time.perf_counter()
        try:
            return plan.run_traced(feed_values, ctx, stats)
        finally:
            if run_metadata is not None:
                run_metadata.step_stats.dev_stats = [
                    DeviceStepStats(node_stats=_node_stats(stats, start))]
            if self._timings is not None:
                for op, _, duration, _ in stats:
                    self._timings[op] = self._timings.get(op, 0.0) + duration

    def _set_variable_values(self, values: dict) -> None:
        """Set variables (VariableV2 op -> read-only array) all at once, as a run commits."""
        if self._cluster is not None:
            self._cluster.set_values(self, values)
            return
        with self._write_lock:
            if self._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            self._variable_store.update(values)

    def collect_timings(self) -> dict:
        """From now on trace every run and sum each op's seconds into the returned dict."""
        if self._timings is None:
            self._timings = {}
        return self._timings

    @property
    def timings(self) -> Optional[Mapping]:
        """Each op's seconds summed over the runs since `collect_timings()` (read-only), or
        None when this session does not collect them."""
        return None if self._timings is None else types.MappingProxyType(self._timings)

    def compiled_runs(self) -> list:
        """The (fetches, feeds) signatures this session has compiled, oldest first, each with
        the ops it runs: what a drawing of the session's runs shows."""
        return [CompiledRun(plan.fetches, plan.feeds, tuple(plan.ops))
                for plan in list(self._plans.values())]

    def last_feed_dict(self) -> dict:
        """The feeds of this session's last run (tensor -> the value as fed): what a look at
        the graph uses by default (`%graph --values`). The session keeps them until its next
        run or its close."""
        tensors, values = self._last_feeds
        return dict(zip(tensors, values, strict=True))

    def has_value(self, variable: Any) -> bool:
        """Does this session hold a value for `variable` (a Variable or its VariableV2 op)?"""
        op = getattr(variable, "op", variable)
        if self._cluster is not None:
            return self._cluster.has_value(self, op)
        return op in self._variable_store

    def dry_run(self, fetches: Sequence[Any], feed_dict: Optional[dict] = None,
                trace: bool = False) -> tuple[list, dict]:
        """Run the flat list `fetches` once and commit no variable write: their values in order
        and, with `trace`, each op's seconds. For looking without changing anything (values on
        a drawing); its plan is not cached. Raises as `run` does."""
        self._check_usable()
        elements = tuple(_fetch_element(self._graph, fetch, f"fetches[{i}]")
                         for i, fetch in enumerate(fetches))
        feed_tensors, feed_values = self._prepare_feeds(feed_dict)
        plan = Plan(elements, feed_tensors)
        ctx = RunContext(self) if plan.uses_context else None
        stats: list = []
        try:
            with self._write_lock if plan.writes_state else contextlib.nullcontext():
                # NOTE: the run context's pending writes are dropped: nothing is committed.
                results = (plan.run_traced(feed_values, ctx, stats) if trace
                           else plan.run(feed_values, ctx))
        except (errors.OpError, KeyboardInterrupt) as failure:
            _forget_run(failure, ctx)
            raise _trimmed(failure) from failure.__cause__
        return results, {op: seconds for op, _, seconds, _ in stats}

    def make_callable(self, fetches: Any, feed_list: Any = None,
                      accept_options: bool = False) -> Callable:
        """A function of the feed values (in `feed_list` order) that runs `fetches`."""
        self._check_usable()
        if feed_list is not None and not isinstance(feed_list, (list, tuple)):
            raise TypeError("`feed_list` must be a list or tuple.")
        feeds = tuple(_feed_tensor(self._graph, key) for key in (feed_list or ()))
        repeated = [t.name for i, t in enumerate(feeds) if t in feeds[:i]]
        if repeated:
            raise ValueError(f"feed_list names Tensor {repeated[0]!r} more than once; each tensor "
                             "can be fed one value per call.")
        mapper = _FetchMapper(self._graph, fetches)
        plan = self._plan_for(mapper.elements, feeds)
        rebuild = mapper.rebuild
        accepted, guarded = self._accepted_shapes, plan.guarded_feeds

        def call(*feed_values: Any, options: Any = None, run_metadata: Any = None) -> Any:
            if len(feed_values) != len(feeds):
                raise TypeError(f"This callable takes {len(feeds)} feed value(s) (one per entry "
                                f"of feed_list), but {len(feed_values)} were given.")
            if self._closed:  # NOTE: TF's class here, unlike run's RuntimeError
                raise errors.CancelledError(None, None, "Session has been closed.")
            values = tuple(_feed_value(t, v, g, accepted) for t, v, g in
                           zip(feeds, feed_values, guarded, strict=True))
            self._last_feeds = (feeds, values)
            try:
                return rebuild(self._execute(plan, values, options, run_metadata))
            except (errors.OpError, KeyboardInterrupt) as failure:
                raise _trimmed(failure) from failure.__cause__
        if not accept_options:
            return lambda *feed_values: call(*feed_values)
        return call

    def cache_info(self) -> tuple:
        """(hits, misses, size) of this session's plan cache, like functools.lru_cache."""
        return self._plan_hits, self._plan_misses, len(self._plans)

    def _random_generator(self, op: Operation) -> np.random.Generator:
        generator = self._random_generators.get(op)
        if generator is None:
            seed = op._attrs.get("seed"), op._attrs.get("seed2")
            entropy = None if seed[0] is None else [s or 0 for s in seed]
            generator = self._random_generators.setdefault(op, np.random.default_rng(entropy))
        return generator

    # --- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Release the variables and plans of this session; idempotent."""
        with self._compile_lock:  # NOTE: so no compile under way adds a plan or a pool after
            self._closed = True
            self._variable_store = {}
            self._random_generators = {}
            self._plans = {}
            self._signatures = {}
            self._mappers = {}
            self._last_feeds = ((), ())
            if self._blas_threads is not None:
                self._blas_threads.release()
            resources, self._resources = self._resources, {}
            for resource in resources.values():  # NOTE: wakes ops blocked on a queue
                getattr(resource, "cancel", lambda: None)()
            # NOTE: not shut down, as a run on another thread may still use it: its workers end
            # once the last plan holding it is collected.
            self._pool = None

    @property
    def closed(self) -> bool:
        return self._closed

    @contextlib.contextmanager
    def as_default(self) -> Iterator[BaseSession]:
        """Make this the default session (for `eval()`/`run()`) without closing it on exit."""
        with defaults.session_stack.entered(self):
            yield self

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass


def _forget_run(failure: BaseException, ctx: Optional[RunContext]) -> None:
    """Drop what a failed run holds: its context's variable values and the locals of the
    finished executor frames in its tracebacks. A shell keeps the last traceback; it must not
    keep a closed session's variables or a run's intermediate arrays alive."""
    if ctx is not None:
        ctx.store, ctx.pending = {}, {}
    pending, seen = [failure], set()
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        pending += [error.__cause__, error.__context__]
        traceback = error.__traceback__
        while traceback is not None:
            if is_package_file(traceback.tb_frame.f_code.co_filename):
                with contextlib.suppress(RuntimeError):  # NOTE: a frame still running
                    traceback.tb_frame.clear()
            traceback = traceback.tb_next


def _trimmed(failure: BaseException) -> BaseException:
    """`failure` without the executor's frames: an OpError says where its op was defined
    (and chains a py_func's own error); an interrupt keeps only the frames of user code it
    stopped in, a py_func's function."""
    if isinstance(failure, errors.OpError):
        return failure.with_traceback(None)
    return failure.with_traceback(traceback_of(failure.__traceback__, is_user_file))


def _traces(options: Any, run_metadata: Any) -> bool:
    """Do `options` ask for per-op step stats, with a RunMetadata to put them in?"""
    if options is not None and not isinstance(options, RunOptions):
        raise TypeError(f"options must be a tf.RunOptions, got {_shown(options)} of type "
                        f"{type(options).__name__}")
    if run_metadata is not None and not isinstance(run_metadata, RunMetadata):
        raise TypeError(f"run_metadata must be a tf.RunMetadata, got {_shown(run_metadata)} of "
                        f"type {type(run_metadata).__name__}")
    return options is not None and run_metadata is not None and \
        options.trace_level >= RunOptions.SOFTWARE_TRACE


def _first(results: list) -> Any:
    return results[0]


def _deadline(options: Any, config: ConfigProto) -> Optional[float]:
    """When a run must end (a time.monotonic value), or None for no limit."""
    timeout = getattr(options, "timeout_in_ms", 0) or config.operation_timeout_in_ms
    return time.monotonic() + timeout / 1000 if timeout > 0 else None


def _node_stats(stats: list, start: float) -> list:
    # NOTE: as TF, start times are microseconds since the epoch (timelines line runs up by them)
    epoch = time.time() - time.perf_counter()
    result = []
    for op, begun, duration, nbytes in stats:
        micros = int(duration * 1e6)
        result.append(NodeExecStats(op.name, op.type, int((begun + epoch) * 1e6), 0, micros,
                                    micros, nbytes, f"{op.name} = {op.type}()"))
    return result


class Session(BaseSession):
    """A session; `with Session() as sess:` also makes its graph and itself the defaults."""

    def __init__(self, target: Any = "", graph: Optional[Graph] = None,
                 config: Optional[ConfigProto] = None) -> None:
        super().__init__(target, graph, config)
        self._context_managers: Optional[tuple] = None

    def __enter__(self) -> Session:
        if self._context_managers is not None:
            raise RuntimeError("Session context managers are not re-entrant. Use "
                               "`Session.as_default()` if you want to enter a session multiple "
                               "times.")
        graph_default, session_default = self._graph.as_default(), self.as_default()
        self._context_managers = (graph_default, session_default)
        graph_default.__enter__()
        return session_default.__enter__()

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        graph_default, session_default = self._context_managers
        try:
            session_default.__exit__(exc_type, exc_value, traceback)
        finally:
            graph_default.__exit__(exc_type, exc_value, traceback)
            self._context_managers = None
            self.close()


class InteractiveSession(BaseSession):
    """A session that installs itself as the default on construction, for shells and notebooks.

    Close it explicitly (`sess.close()`); it is not a context manager.
    """

    _count_lock = threading.Lock()
    _active_session_count = 0

    def __init__(self, target: Any = "", graph: Optional[Graph] = None,
                 config: Optional[ConfigProto] = None, *, _counted: bool = True) -> None:
        super().__init__(target, graph, config)
        # NOTE: the notebook extension's own session is not counted, so a classic program's
        # `tf.InteractiveSession()` in a notebook does not warn about it.
        with InteractiveSession._count_lock:
            if _counted and InteractiveSession._active_session_count > 0:
                warnings.warn("An interactive session is already active. This can cause "
                              "out-of-memory errors in some cases. You must explicitly call "
                              "`InteractiveSession.close()` to release resources held by the "
                              "other session(s).", stacklevel=2)
            InteractiveSession._active_session_count += _counted
        self._counted = _counted
        self._explicitly_closed = False
        self._explicit_graph = graph
        defaults.session_stack.stack.append(self)
        if graph is not None:
            defaults.graph_stack.stack.append(graph)

    def close(self) -> None:
        super().close()
        with InteractiveSession._count_lock:
            if getattr(self, "_explicitly_closed", True):
                return
            InteractiveSession._active_session_count -= self._counted
            self._explicitly_closed = True
        defaults.session_stack.remove_last(self)
        if self._explicit_graph is not None:
            defaults.graph_stack.remove_last(self._explicit_graph)
