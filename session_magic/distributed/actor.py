"""The state and the runs of one TF task: a dask actor per task, holding that task's variables
(and queues, readers, iterators) by name, and running the regions sent to it.

A dask actor's methods run one at a time on its worker's actor thread, so each region's run is
atomic on its task: its writes are committed when it ends, and a region that fails commits
nothing. Variables are keyed by their op's name, so between-graph replicas — separate clients
that built the same graph — share them, as TF's ps tasks share a model's variables.
"""
from __future__ import annotations

import threading
from typing import Any, Optional

import numpy as np

from .. import errors
from ..plan import Plan, RunContext
from .regions import own_region_fetches
from .wire import region_from_payload

__all__ = ["TaskActor", "NamedStore"]


class NamedStore(dict):
    """A session's variable store whose entries are keyed by op name: a RunContext keyed by
    ops reads and writes it unchanged."""

    def get(self, op: Any, default: Any = None) -> Any:
        return dict.get(self, _name(op), default)

    def __contains__(self, op: Any) -> bool:
        return dict.__contains__(self, _name(op))

    def __getitem__(self, op: Any) -> Any:
        return dict.__getitem__(self, _name(op))

    def __setitem__(self, op: Any, value: Any) -> None:
        dict.__setitem__(self, _name(op), value)

    def update(self, pending: Any = ()) -> None:  # type: ignore[override]
        items = pending.items() if hasattr(pending, "items") else pending
        for op, value in items:
            dict.__setitem__(self, _name(op), value)


def _name(op: Any) -> str:
    return op if isinstance(op, str) else op.name


class _TaskSession:
    """What a RunContext reads of a session, for a task: its store, generators, resources."""

    def __init__(self) -> None:
        self._variable_store = NamedStore()
        self._resources: dict = {}
        self._generators: dict = {}

    def _random_generator(self, op: Any) -> np.random.Generator:
        generator = self._generators.get(op.name)
        if generator is None:
            seed = op._attrs.get("seed"), op._attrs.get("seed2")
            entropy = None if seed[0] is None else [s or 0 for s in seed]
            generator = self._generators.setdefault(op.name, np.random.default_rng(entropy))
        return generator


class TaskActor:
    """One TF task's state and executor (run as a dask actor on the worker named after it)."""

    def __init__(self, task: str) -> None:
        self.task = task
        self._session = _TaskSession()
        self._plans: dict[str, tuple] = {}  # region key -> (plan, how many outputs)
        self.runs = 0
        # NOTE: dask runs an actor's methods on one thread; the server of this task's own
        # process also calls it directly, so each region still runs alone
        self._lock = threading.Lock()

    def run(self, key: str, region: Any, values: list) -> tuple:
        """Run a region: ("ok", its outputs) or ("error", class name, message, op name). The
        region arrives whole the first time and is then named by `key` alone (None)."""
        try:
            with self._lock:
                return self._run(key, region, values)
        except Exception as failure:  # noqa: BLE001 - reported to the client, which raises it
            return ("error", "InternalError", f"Task {self.task} failed to run a region: "
                    f"{type(failure).__name__}: {failure}", None)

    def _run(self, key: str, region: Any, values: list) -> tuple:
        known = self._plans.get(key)
        if known is None:
            if region is None:
                return ("missing",)
            if isinstance(region, bytes):
                region = region_from_payload(region, key)
            plan = Plan(own_region_fetches(region), region.inputs, within=frozenset(region.ops))
            known = self._plans[key] = (plan, len(region.outputs))
        plan, count = known
        ctx = RunContext(self._session)
        try:
            results = plan.run(values, ctx)
        except errors.OpError as failure:
            op = getattr(failure, "op", None)
            return ("error", type(failure).__name__, failure.message,
                    getattr(op, "name", None))
        self._session._variable_store.update(ctx.pending)
        self.runs += 1
        return ("ok", results[:count])

    def has_values(self, names: list) -> list:
        """Which of the variables `names` hold a value on this task."""
        store = self._session._variable_store
        return [name in store for name in names]

    def set_values(self, values: dict) -> None:
        """Assign variables (name -> read-only array) at once: a restore."""
        with self._lock:
            self._session._variable_store.update(values)

    def value(self, name: str) -> Optional[np.ndarray]:
        return self._session._variable_store.get(name)

