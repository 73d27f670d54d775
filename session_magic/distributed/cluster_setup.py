"""A dask cluster in this process with one named worker per TF task: a notebook can try a
ps/worker program without starting processes."""
from __future__ import annotations

from typing import Any

__all__ = ["LocalTFCluster", "local_cluster", "tasks_of"]


def tasks_of(cluster_spec: Any) -> list:
    """The full task names of a ClusterSpec, a dict {job: [addresses] | {index: address} |
    count}, in TF's order: jobs sorted, tasks by index."""
    spec = cluster_spec.as_dict() if hasattr(cluster_spec, "as_dict") else cluster_spec
    if not isinstance(spec, dict) or not spec:
        raise ValueError(f"cluster_spec must be a tf.train.ClusterSpec or a non-empty dict of "
                         f"jobs, got {cluster_spec!r}")
    names = []
    for job in sorted(spec):
        tasks = spec[job]
        if isinstance(tasks, int):
            indices: Any = range(tasks)
        elif isinstance(tasks, dict):
            indices = sorted(tasks)
        elif isinstance(tasks, (list, tuple)):
            indices = range(len(tasks))
        else:
            raise ValueError(f"The tasks of job {job!r} must be a list of addresses, a dict "
                             f"{{index: address}} or a count, got {tasks!r}")
        names += [f"/job:{job}/replica:0/task:{index}" for index in indices]
    return names


class LocalTFCluster:
    """A dask LocalCluster whose workers are named after the tasks of a cluster spec.
    `target` (or the object itself, or `client`) opens sessions on it; `dashboard_link` is
    dask's dashboard; `close()` (or `with`) stops it."""

    def __init__(self, cluster_spec: Any, processes: bool = False,
                 dashboard: bool = True) -> None:
        # NOTE: lazy: dask loads only when a cluster is made
        from distributed import Client, LocalCluster
        self.tasks = tasks_of(cluster_spec)
        # NOTE: in processes, workers listen on 127.0.0.1 only; in threads they talk in-process
        where = {"host": "127.0.0.1"} if processes else {}
        self.cluster = LocalCluster(n_workers=0, processes=processes, threads_per_worker=1,
                                    dashboard_address=":0" if dashboard else None,
                                    silence_logs=40, **where)
        template = next(iter(self.cluster.new_worker_spec().values()))
        for task in self.tasks:
            self.cluster.worker_spec[task] = {
                "cls": template["cls"],
                "options": dict(template["options"], name=task, nthreads=1)}
        self.cluster.sync(self.cluster._correct_state)
        self.client = Client(self.cluster, set_as_default=False)
        self.client.wait_for_workers(len(self.tasks))

    @property
    def target(self) -> str:
        """The scheduler's address as a session target."""
        address = self.cluster.scheduler_address
        return "dask://" + address[len("tcp://"):] if address.startswith("tcp://") else address

    @property
    def dashboard_link(self) -> str:
        return self.cluster.dashboard_link

    def _repr_html_(self) -> str:
        import html  # NOTE: only a notebook's display needs it
        rows = "".join(f"<li><code>{html.escape(t)}</code></li>" for t in self.tasks)
        link = html.escape(self.dashboard_link or "")
        board = f' · <a href="{link}" target="_blank">dask dashboard</a>' if link else ""
        return (f"<div><b>session_magic local cluster</b> · target "
                f"<code>{html.escape(self.target)}</code>{board}<ul>{rows}</ul></div>")

    def __repr__(self) -> str:
        return f"<LocalTFCluster {self.target} tasks={self.tasks}>"

    def close(self) -> None:
        self.client.close()
        self.cluster.close()

    def __enter__(self) -> LocalTFCluster:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def local_cluster(cluster_spec: Any, processes: bool = False,
                  dashboard: bool = True) -> LocalTFCluster:
    """A local dask cluster with one worker per task of `cluster_spec` (threads in this process
    unless `processes`), for sessions: `tf.Session(cluster.target)`."""
    return LocalTFCluster(cluster_spec, processes=processes, dashboard=dashboard)
