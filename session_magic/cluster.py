"""`tf.train.ClusterSpec` and `tf.train.replica_device_setter` as TF 1 had them: a cluster is
jobs of numbered tasks with addresses; the device setter is a device function that puts the ops
holding state (STANDARD_PS_OPS) on ps tasks, round-robin or by a strategy, and every other op
on the worker device. Both only describe placement: nothing here starts or contacts a task.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from .device_spec import DeviceSpec

__all__ = ["ClusterSpec", "replica_device_setter", "STANDARD_PS_OPS",
           "GreedyLoadBalancingStrategy", "byte_size_load_fn"]

STANDARD_PS_OPS = ("Variable", "VariableV2", "AutoReloadVariable",
                   "MutableHashTable", "MutableHashTableV2",
                   "MutableHashTableOfTensors", "MutableHashTableOfTensorsV2",
                   "MutableDenseHashTable", "MutableDenseHashTableV2",
                   "VarHandleOp", "BoostedTreesEnsembleResourceHandleOp",
                   "BoostedTreesQuantileStreamResourceHandleOp",
                   "ResourceConditionalAccumulator", "DecisionTreeResource")


class ClusterSpec:
    """Jobs (names) of tasks (index -> "host:port").

    >>> ClusterSpec({"ps": ["ps0:2222"], "worker": {1: "w1:2222"}}).task_address("worker", 1)
    'w1:2222'
    """

    def __init__(self, cluster: Any) -> None:
        if isinstance(cluster, ClusterSpec):
            self._jobs = {job: dict(tasks) for job, tasks in cluster._jobs.items()}
        elif isinstance(cluster, dict):
            self._jobs = {job: _job_tasks(job, tasks) for job, tasks in cluster.items()}
            _check_names(self._jobs)
        else:
            raise TypeError("`cluster` must be a dictionary mapping one or more job names to "
                            "lists of network addresses, or a `ClusterDef` protocol buffer")

    @property
    def jobs(self) -> list[str]:
        return list(self._jobs)

    def _job(self, job_name: str) -> dict:
        if job_name not in self._jobs:
            raise ValueError(f"No such job in cluster: {job_name!r}")
        return self._jobs[job_name]

    def num_tasks(self, job_name: str) -> int:
        return len(self._job(job_name))

    def task_indices(self, job_name: str) -> list[int]:
        return sorted(self._job(job_name))

    def task_address(self, job_name: str, task_index: int) -> str:
        tasks = self._job(job_name)
        if task_index not in tasks:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}")
        return tasks[task_index]

    def job_tasks(self, job_name: str) -> list:
        """Addresses by index; None where a sparse job has no task of that index."""
        tasks = self._job(job_name)
        listed = [None] * (max(tasks) + 1)  # NOTE: an empty job raises ValueError, as in TF
        for index, address in tasks.items():
            listed[index] = address
        return listed

    def as_dict(self) -> dict:
        """Each job as a list of addresses, or as {index: address} when its indices have gaps."""
        result: dict = {}
        for job, tasks in self._jobs.items():
            if not tasks:
                result[job] = {}
            elif max(tasks) + 1 == len(tasks):
                result[job] = self.job_tasks(job)
            else:
                result[job] = {i: tasks[i] for i in sorted(tasks)}
        return result

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def __eq__(self, other: Any) -> bool:
        # NOTE: as TF, a ClusterSpec equals another with the same tasks, not its as_dict()
        return self._jobs == (other._jobs if isinstance(other, ClusterSpec) else other)

    def __ne__(self, other: Any) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        described = self.as_dict()
        return "ClusterSpec({" + ", ".join(f"{job!r}: {described[job]!r}"
                                           for job in sorted(described)) + "})"


def _job_tasks(job: Any, tasks: Any) -> dict:
    if isinstance(tasks, (list, tuple)):
        return dict(enumerate(tasks))
    if isinstance(tasks, dict):
        return {int(index): address for index, address in tasks.items()}
    raise TypeError(f"The tasks for job {job!r} must be a list or a dictionary from integers "
                    "to strings.")


def _check_names(jobs: dict) -> None:
    for job, tasks in sorted(jobs.items(), key=lambda item: str(item[0])):
        if not isinstance(job, (str, bytes)):
            raise TypeError(f"Job name {job!r} must be bytes or unicode")
        for address in tasks.values():
            if not isinstance(address, (str, bytes)):
                raise TypeError(f"Task address {address!r} must be bytes or unicode")


# --- replica_device_setter -------------------------------------------------------------------

class _RoundRobinStrategy:
    """The next ps task, cycling through `num_tasks`."""

    def __init__(self, num_tasks: int) -> None:
        self._num_tasks = num_tasks
        self._next_task = 0

    def __call__(self, unused_op: Any) -> int:
        task = self._next_task
        self._next_task = (task + 1) % self._num_tasks
        return task


class _ReplicaDeviceChooser:
    """The device function replica_device_setter returns (as a bound method, as TF)."""

    def __init__(self, ps_tasks: int, ps_device: str, worker_device: str, merge_devices: bool,
                 ps_ops: Any, ps_strategy: Callable) -> None:
        self._ps_tasks, self._ps_device, self._worker_device = ps_tasks, ps_device, worker_device
        self._merge_devices, self._ps_ops, self._ps_strategy = merge_devices, ps_ops, ps_strategy

    def device_function(self, op: Any) -> str:
        """A ps op goes to the ps job (the strategy's task unless an inner scope named another
        job), everything else to the worker device; fields named by inner scopes win."""
        if not self._merge_devices and op.device:
            return op.device
        current = DeviceSpec.from_string(op.device or "")
        if self._ps_tasks and self._ps_device and op.type in self._ps_ops:
            ps_device = DeviceSpec.from_string(self._ps_device)
            if ps_device.job and (not current.job or current.job == ps_device.job):
                ps_device = ps_device.replace(task=self._ps_strategy(op))
            return ps_device.make_merged_spec(current).to_string()
        worker = DeviceSpec.from_string(self._worker_device or "")
        return worker.make_merged_spec(current).to_string()


def replica_device_setter(ps_tasks: int = 0, ps_device: str = "/job:ps",
                          worker_device: str = "/job:worker", merge_devices: bool = True,
                          cluster: Any = None, ps_ops: Optional[list] = None,
                          ps_strategy: Optional[Callable] = None) -> Optional[Callable]:
    """A device function for `tf.device` placing a replica's graph: variables (and the other
    ops of `ps_ops`) on ps tasks, the rest on `worker_device`. None when there are no ps tasks
    (no ps job in `cluster`, or `ps_tasks=0`), so `tf.device(None)` places nothing."""
    if cluster is not None:
        jobs = (cluster if isinstance(cluster, ClusterSpec) else ClusterSpec(cluster)).as_dict()
        ps_job = DeviceSpec.from_string(ps_device).job
        if jobs.get(ps_job) is None:
            return None
        ps_tasks = len(jobs[ps_job])
    if ps_tasks == 0:
        return None
    if ps_strategy is None:
        ps_strategy = _RoundRobinStrategy(ps_tasks)
    if not callable(ps_strategy):
        raise TypeError("ps_strategy must be callable")
    ps_ops = list(STANDARD_PS_OPS) if ps_ops is None else ps_ops
    return _ReplicaDeviceChooser(ps_tasks, ps_device, worker_device, merge_devices, ps_ops,
                                 ps_strategy).device_function


# --- tf.contrib.training's load balancing ------------------------------------------------------

class GreedyLoadBalancingStrategy:
    """A `ps_strategy` putting each ps op on the least-loaded ps task so far (ties: the lowest
    index), then adding `load_fn(op)` to that task's load. Sensitive to creation order."""

    def __init__(self, num_tasks: int, load_fn: Callable[[Any], float]) -> None:
        self._num_tasks = num_tasks
        self._load_fn = load_fn
        self._ps_loads = [0.0] * num_tasks

    def __call__(self, op: Any) -> int:
        task = self._ps_loads.index(min(self._ps_loads))
        self._ps_loads[task] += self._load_fn(op)
        return task


def byte_size_load_fn(op: Any) -> int:
    """The bytes of a single-output op's value (a variable's size), for
    GreedyLoadBalancingStrategy; ValueError for several outputs or a shape not fully known."""
    if len(op.outputs) != 1:
        raise ValueError(f"Op {op} must have a single output")
    output = op.outputs[0]
    shape = output.get_shape()
    if not shape.is_fully_defined():
        raise ValueError(f"Shape {shape} is not fully defined")
    return shape.num_elements() * output.dtype.size
