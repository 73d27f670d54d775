"""A session's runs on a dask cluster: regions sent to the task actors, level by level.

A Session whose target is a cluster (`dask://host:port`, a scheduler address, a Server's
`grpc://` target, or a `distributed.Client`) hands each run here. Each run's regions (regions.py)
go, in order of level, to the actor of their task (one per TF task, created once per cluster and
shared by every client); the regions of one level run at once. Values cross between tasks
through this client. A region of the session's own task, or of ops with no device, runs here,
in this process, against the session's own store.
"""
from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid
from typing import Any

from .. import errors
from ..graph import Operation
from ..plan import Plan, RunContext, fetch_value
from .actor import TaskActor
from .regions import check_tasks, own_region_fetches, partition, task_of_device
from .wire import region_payload

__all__ = ["ClusterRunner"]

_ACTOR_PREFIX = "session_magic task "
_CHECK_SECONDS = 2.0  # NOTE: how often a run waiting on a task checks the task is still there


class ClusterRunner:
    """Runs plans' regions on a dask cluster through `client`; `own_task` is the session's."""

    def __init__(self, client: Any, own_task: str = "", device_filters: Any = (),
                 server: Any = None) -> None:
        self.client = client
        self.own_task = own_task
        self.server = server  # NOTE: the tf.train.Server of own_task, in this process
        self.filters = [_fields(f) for f in device_filters]
        self._regions: dict[tuple, list] = {}
        self._local_plans: dict[str, tuple] = {}
        self._actors: dict[str, Any] = {}
        self._sent: set = set()  # (task, region key) pairs whose region the actor holds
        self._lock = threading.Lock()
        # NOTE: tasks in other processes get regions as GraphDefs; in-process ones, as they are
        self._remote = not str(client.scheduler.address).startswith("inproc://")

    # --- the cluster's tasks ---------------------------------------------------------------

    def tasks(self) -> list:
        """The tasks (worker names) the cluster has now that the device filters let through."""
        workers = self.client.scheduler_info().get("workers", {})
        names = sorted(str(w.get("name")) for w in workers.values())
        if not self.filters:
            return names
        return [n for n in names if any(_matches(f, _fields(n)) for f in self.filters)]

    def actor(self, task: str) -> Any:
        """The actor holding `task`'s state, made once per cluster and found by its published
        name afterwards (of two clients making it at once, the first to publish wins)."""
        actor = self._actors.get(task)
        if actor is not None:
            return actor
        # NOTE: named after the worker's id too: a restarted worker (same name, same address)
        # has lost the old actor and its state, and gets a new one
        name = f"{_ACTOR_PREFIX}{task} {self._worker_id(task)}"
        with self._lock, self.client.as_current():  # NOTE: actor handles bind to this client
            actor = self._published(name + " handle")
            if actor is None:
                made = self.client.submit(TaskActor, task, workers=[task], actor=True,
                                          pure=False, allow_other_workers=False,
                                          key=f"{name} {uuid.uuid4().hex}")
                try:
                    # NOTE: the future keeps the actor alive; its handle is what clients use
                    self.client.publish_dataset(made, name=name)
                    actor = made.result()
                    self.client.publish_dataset(actor, name=name + " handle")
                except (KeyError, ValueError):  # NOTE: another client published first
                    made.release()
                    actor = self._wait_published(name + " handle")
        self._actors[task] = actor
        return actor

    def _worker_id(self, task: str) -> str:
        """What tells this worker named `task` from an earlier one of that name (its scratch
        directory: dask's worker id is its name); UnavailableError when there is none."""
        workers = self.client.scheduler_info().get("workers", {})
        found = next((w for w in workers.values() if w.get("name") == task), None)
        if found is None:
            raise errors.UnavailableError(None, None, f"Task {task} has no worker in the "
                                                      "cluster now")
        instance = f"{found.get('local_directory')}|{found.get('nanny')}"
        return hashlib.sha256(instance.encode()).hexdigest()[:16]

    def _wait_published(self, name: str) -> Any:
        for _ in range(200):
            found = self._published(name)
            if found is not None:
                return found
            time.sleep(0.05)
        raise errors.UnavailableError(None, None, f"The actor {name!r} was never published")

    def _published(self, name: str) -> Any:
        try:
            return self.client.get_dataset(name)
        except KeyError:
            return None

    # --- running ---------------------------------------------------------------------------

    def regions_for(self, plan: Plan) -> list:
        key = (plan.fetches, plan.feeds)
        regions = self._regions.get(key)
        if regions is None:
            regions = partition(plan.fetches, plan.feeds, self.own_task)
            missing = check_tasks(regions, self.tasks(), self.own_task)
            if missing is not None:
                op = next(op for r in regions if r.task == missing for op in r.ops)
                if missing in self._actors:  # NOTE: it was there: its worker was lost
                    raise errors.UnavailableError(
                        None, op, f"Task {missing} is unavailable: its dask worker left the "
                        "cluster")
                raise errors.InvalidArgumentError(
                    None, op, f"Cannot assign a device for operation {op.name}: {op.name} was "
                    f"explicitly assigned to {op._device} but available devices are "
                    f"[ {', '.join(self.tasks())} ]. Make sure the device specification refers "
                    "to a valid device.")
            for region in regions:
                if region.task and region.task != self.own_task:
                    _content_key(region, self._remote)
            self._regions[key] = regions
        return regions

    def run(self, session: Any, plan: Plan, feed_values: tuple) -> list:
        """The fetches' values of one step of `plan` on the cluster."""
        values = dict(zip(plan.feeds, feed_values, strict=True))
        regions = self.regions_for(plan)
        start = 0
        while start < len(regions):
            level = regions[start].level
            end = start
            while end < len(regions) and regions[end].level == level:
                end += 1
            self._run_level(session, regions[start:end], values)
            start = end
        return [None if isinstance(fetch, Operation) else fetch_value(values[fetch])
                for fetch in plan.fetches]

    def _run_level(self, session: Any, regions: list, values: dict) -> None:
        pending = []
        for region in regions:
            arguments = [values[t] for t in region.inputs]
            if self.server is not None and region.task == self.own_task:
                # NOTE: the task of this process's server: its actor, called directly, so every
                # session on the server shares the task's variables
                outcome = self._checked(region, self._own_actor().run(region.key, region,
                                                                      arguments))
                values.update(zip(region.outputs, outcome[1], strict=True))
                continue
            if not region.task or region.task == self.own_task:
                values.update(zip(region.outputs, self._run_here(session, region, arguments),
                                  strict=True))
                continue
            pending.append((region, self._send(region, arguments)))
        for region, future in pending:
            outcome = self._outcome(region, future)
            if outcome[0] == "missing":  # NOTE: the task's actor is new: it lost the region
                self._sent.discard((region.task, region.key))
                outcome = self._outcome(region, self._send(region, [values[t] for t in
                                                                    region.inputs]))
            values.update(zip(region.outputs, outcome[1], strict=True))

    def _send(self, region: Any, arguments: list) -> Any:
        sent = (region.task, region.key) in self._sent
        self._sent.add((region.task, region.key))
        carried = None if sent else region.payload if self._remote else region
        try:
            return self.actor(region.task).run(region.key, carried, arguments)
        except (OSError, ValueError, RuntimeError) as failure:
            raise _unavailable(region, failure) from None

    def _outcome(self, region: Any, future: Any) -> tuple:
        while True:
            try:
                outcome = future.result(timeout=_CHECK_SECONDS)
                break
            except TimeoutError:
                # NOTE: a long region is fine; a task that left the cluster never answers
                if region.task not in self.tasks():
                    raise _unavailable(region, TimeoutError("its worker left the cluster")) \
                        from None
            except (OSError, ValueError, RuntimeError) as failure:
                raise _unavailable(region, failure) from None
        return self._checked(region, outcome)

    def _checked(self, region: Any, outcome: tuple) -> tuple:
        """A task's answer, or the error it reports raised as TF's class."""
        if outcome[0] == "error":
            _, kind, message, op_name = outcome
            op = next((op for op in region.ops if op.name == op_name), None)
            raise getattr(errors, kind, errors.UnknownError)(None, op, message)
        return outcome

    def _own_actor(self) -> Any:
        own = self._actors.get(("own", self.own_task))
        if own is None:
            own = self._actors[("own", self.own_task)] = \
                self.server.task_actor(self.actor(self.own_task))
        return own

    def _run_here(self, session: Any, region: Any, arguments: list) -> list:
        """A region of the session's own task, on its own store, committed when it ends."""
        known = self._local_plans.get(region.key)
        if known is None:
            plan = Plan(own_region_fetches(region), region.inputs, within=frozenset(region.ops))
            known = self._local_plans[region.key] = (plan, len(region.outputs))
        plan, count = known
        ctx = RunContext(session)
        with session._write_lock:
            results = plan.run(arguments, ctx)
            session._variable_store.update(ctx.pending)
        return results[:count]

    # --- state -------------------------------------------------------------------------------

    def set_values(self, session: Any, values: dict) -> None:
        """Assign variables (VariableV2 op -> array) on the tasks holding them: a restore.
        Those of the session's own task go to its server's task, or without one to its
        store."""
        by_task: dict[str, dict] = {}
        for op, value in values.items():
            by_task.setdefault(_home(op, self.own_task), {})[op] = value
        local = by_task.pop(self.own_task, {})
        for task, assigned in by_task.items():
            self.actor(task).set_values({op.name: v for op, v in assigned.items()}).result()
        if local and self.server is not None:
            self._own_actor().set_values({op.name: v for op, v in local.items()})
        elif local:
            with session._write_lock:
                session._variable_store.update(local)

    def has_value(self, session: Any, op: Operation) -> bool:
        task = _home(op, self.own_task)
        if task == self.own_task and self.server is not None:
            return self._own_actor().has_values([op.name])[0]
        if task == self.own_task:
            return op in session._variable_store
        return bool(self.actor(task).has_values([op.name]).result()[0])


_FIELD = re.compile(r"/(job|replica|task):([^/]+)")


def _fields(device: str) -> dict:
    """The job, replica and task a device string or filter names."""
    return dict(_FIELD.findall(device))


def _matches(wanted: dict, task: dict) -> bool:
    return all(task.get(name) == value for name, value in wanted.items())


def _content_key(region: Any, remote: bool) -> None:
    """Key a region by a digest of its GraphDef: the same region built by two clients (one
    program's replicas) shares the task's compiled plan, and two different regions never do.
    A region that cannot be written as a GraphDef keeps its per-graph key (in-process only)."""
    try:
        region.payload = region_payload(region)
    except ValueError:
        if remote:
            raise
        return
    region.key = f"{region.task}|{hashlib.sha256(region.payload).hexdigest()}"


def _home(op: Operation, own_task: str) -> str:
    return task_of_device(op._device) or own_task


def _unavailable(region: Any, failure: Exception) -> errors.OpError:
    return errors.UnavailableError(
        None, region.ops[0], f"Task {region.task} is unavailable (its dask worker was lost or "
        f"cannot be reached): {type(failure).__name__}: {failure}")

