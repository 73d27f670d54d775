"""TF1's distributed model on dask.distributed: sessions whose target is a cluster.

    cluster = session_magic.distributed.local_cluster({"ps": 1, "worker": 2})
    with tf.Session(cluster.target) as sess: ...     # or tf.Session(cluster.client)

Each TF task is a dask worker named after it (`/job:ps/replica:0/task:0`) holding one actor:
the task's variables and its compiled regions of the graph (actor.py). A session cuts each run
into regions by device (regions.py) and sends them level by level (runner.py). dask (the
optional extra `session_magic[distributed]`) loads when a cluster, a server or a session on one
is made; `import session_magic` never loads it.
"""
from __future__ import annotations

import threading
from typing import Any

from .. import errors
from .cluster_setup import LocalTFCluster, local_cluster
from .runner import ClusterRunner

__all__ = ["local_cluster", "LocalTFCluster", "ClusterRunner", "connect"]

_CLIENTS: dict[str, Any] = {}  # scheduler address -> the Client this process uses for it
_LOCK = threading.Lock()


def connect(target: Any, own_task: str = "", device_filters: tuple = ()) -> ClusterRunner:
    """The runner for a session target: a `distributed.Client`, a LocalTFCluster, a scheduler
    address (`dask://`, `tcp://`, `inproc://`) or a Server's `grpc://` target; with
    `device_filters` (ConfigProto's), the session sees only the tasks they match."""
    from distributed import Client  # NOTE: this package's one dependency, loaded with it
    from .server import server_for_target
    if isinstance(target, LocalTFCluster):
        target = target.client
    if isinstance(target, Client):
        return ClusterRunner(target, own_task, device_filters)
    text = target.decode() if isinstance(target, bytes) else str(target)
    if text.startswith("grpc://"):
        server = server_for_target(text)
        if server is None:
            raise errors.NotFoundError(
                None, None, f"No tf.train.Server in this process has the target {text!r}: a "
                "grpc:// target names a server started in this process (tf.train.Server("
                "cluster, job_name, task_index)); another process's cluster is reached through "
                "its dask scheduler's address (dask://host:port)")
        return ClusterRunner(server.client(), server.task, device_filters, server)
    address = "tcp://" + text[len("dask://"):] if text.startswith("dask://") else text
    with _LOCK:
        client = _CLIENTS.get(address)
        if client is None or client.status in ("closed", "closing"):
            client = _CLIENTS[address] = Client(address, set_as_default=False)
    return ClusterRunner(client, own_task, device_filters)
