"""tf.train.Server on dask.distributed: each TF task's process runs a dask worker named after
the task; the first task of the cluster (jobs sorted, then task index: `ps:0` in a ps/worker
cluster) also runs the dask scheduler, at its own address. `server.target` (`grpc://host:port`)
opens sessions on the cluster from this process; `join()` serves until the process is stopped.

A ClusterSpec's other addresses are where those tasks' workers listen. dask's TCP is not
authenticated: on a shared network, configure dask's TLS (`distributed.comm.tls` settings).
"""
from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any, Optional

from .cluster_setup import tasks_of

__all__ = ["Server", "server_for_target"]

_SERVERS: dict[str, Server] = {}


def server_for_target(target: str) -> Optional[Server]:
    """The Server of this process whose target is `target`, if any."""
    return _SERVERS.get(target)


def _addresses(cluster: Any) -> dict:
    """{task name: "host:port"} of a ClusterSpec or dict of jobs."""
    spec = cluster.as_dict() if hasattr(cluster, "as_dict") else cluster
    found = {}
    for job, tasks in spec.items():
        items = tasks.items() if isinstance(tasks, dict) else enumerate(tasks)
        for index, address in items:
            found[f"/job:{job}/replica:0/task:{index}"] = str(address)
    return found


def _pick(value: Any, choices: list, what: str, holder: str) -> Any:
    """`value`, checked against the cluster spec's `choices`; the only choice when None."""
    if value is None:
        if len(choices) != 1:
            raise ValueError(f"{what} must be given: {holder} has {choices}")
        return choices[0]
    if value not in choices:
        raise ValueError(f"{what} {value!r} is not in the cluster spec: {holder} has "
                         f"{choices}")
    return value


class Server:
    """An in-process server for one task of a cluster (TF1's tf.train.Server)."""

    def __init__(self, server_or_cluster_def: Any, job_name: Optional[str] = None,
                 task_index: Optional[int] = None, protocol: Optional[str] = None,
                 config: Any = None, start: bool = True) -> None:
        if protocol not in (None, "grpc"):
            raise ValueError(f"protocol {protocol!r} is not supported: session_magic serves "
                             "its tasks over dask (grpc:// targets)")
        addresses = _addresses(server_or_cluster_def)
        tasks = tasks_of(server_or_cluster_def)
        jobs = sorted({t.split("/")[1][len("job:"):] for t in tasks})
        job_name = _pick(job_name, jobs, "job_name", "the cluster")
        indices = [int(t.rsplit(":", 1)[1]) for t in tasks if t.split("/")[1] ==
                   f"job:{job_name}"]
        task_index = _pick(task_index, indices, "task_index", f"job {job_name!r}")
        self.task = f"/job:{job_name}/replica:0/task:{task_index}"
        self.tasks = tasks
        self.address = addresses[self.task]
        self.scheduler_address = "tcp://" + addresses[tasks[0]]
        self.target = "grpc://" + self.address
        self.config = config
        self._thread: Optional[threading.Thread] = None
        self._stopped: Optional[asyncio.Event] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._client: Any = None
        self._worker: Any = None
        self._ready = threading.Event()
        self._failure: Optional[BaseException] = None
        if start:
            self.start()

    @staticmethod
    def create_local_server(config: Any = None, start: bool = True) -> Server:
        """A one-task cluster on a free port of 127.0.0.1."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return Server({"localhost": [f"127.0.0.1:{port}"]}, "localhost", 0, config=config,
                      start=start)

    @property
    def server_def(self) -> dict:
        return {"task": self.task, "target": self.target, "tasks": list(self.tasks)}

    def start(self) -> None:
        """Start serving (the scheduler if this is the first task, and this task's worker)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._serve, name=f"session_magic {self.task}",
                                        daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise RuntimeError(f"tf.train.Server for {self.task} could not start: "
                               f"{self._failure}") from self._failure
        _SERVERS[self.target] = self

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        except BaseException as failure:  # noqa: BLE001 - reported by start()
            self._failure = failure
            self._ready.set()
        finally:
            self._loop.close()

    async def _main(self) -> None:
        # NOTE: lazy: dask loads only for a server
        from distributed import Scheduler, Worker
        self._stopped = asyncio.Event()
        host, port = self.address.rsplit(":", 1)
        scheduler = None
        if "tcp://" + self.address == self.scheduler_address:
            scheduler = await Scheduler(host=host, port=int(port), dashboard_address=None)
            port = "0"  # NOTE: this task's worker listens on a free port beside it
        worker = self._worker = await Worker(self.scheduler_address, name=self.task, nthreads=1,
                                             host=host, port=int(port), dashboard=False)
        self._ready.set()
        await self._stopped.wait()
        await worker.close()
        if scheduler is not None:
            await scheduler.close()

    def join(self) -> None:
        """Serve until the process ends (a ps task's whole program, as in TF1)."""
        if self._thread is None:
            self.start()
        self._thread.join()

    def client(self) -> Any:
        """The dask client this process's sessions use on the cluster."""
        if self._client is None:
            from distributed import Client  # NOTE: lazy, as above
            self._client = Client(self.scheduler_address, set_as_default=False)
        return self._client

    def task_actor(self, handle: Any) -> Any:
        """The TaskActor object behind `handle` (this task's actor, on this process's worker):
        this process's sessions call it directly, without a round trip through dask."""
        return self._worker.state.actors[handle.key]

    def stop(self) -> None:
        """Stop serving (not in TF1's API; for tests and notebooks)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
        _SERVERS.pop(self.target, None)
