"""Issue 17's figures, in a fresh interpreter: one training step's time on a dask cluster of
named task workers against the in-process executor, and a two-run hyper-parameter sweep on two
worker tasks against the same runs one after the other here.

    python benchmarks/distributed_probe.py [--quick]      # one JSON line

Step: linear regression 256×10 (W4's model) with the variables on /job:ps and the gradient on
/job:worker: three regions a step (ps reads, worker gradient, ps update). Sweep: two learning
rates, each run's whole model on its own worker task (one region a step), the two clients on
two threads; each step a 512×512 MLP layer pair on a [1024, 512] batch, enough work for
parallelism to show on two cores.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time

# NOTE: one BLAS thread, as in the suite and in dask's worker processes, before NumPy loads
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import numpy as np  # noqa: E402

import session_magic as tf  # noqa: E402
from session_magic.distributed import local_cluster  # noqa: E402


def regression(ps: str, worker: str) -> tuple:
    rng = np.random.default_rng(4)
    inputs = rng.standard_normal((256, 10)).astype(np.float32)
    targets = (inputs @ rng.standard_normal((10, 1)) + 0.5).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        with tf.device(ps):
            weights = tf.Variable(tf.zeros([10, 1]), name="weights")
            bias = tf.Variable(tf.zeros([1]), name="bias")
        with tf.device(worker):
            x = tf.placeholder(tf.float32, [None, 10])
            y = tf.placeholder(tf.float32, [None, 1])
            loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) + bias - y))
            train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        init = tf.global_variables_initializer()
    return graph, init, train, loss, {x: inputs, y: targets}


def step_seconds(target: object, steps: int) -> float:
    graph, init, train, loss, feed = regression("/job:ps/task:0", "/job:worker/task:0")
    with tf.Session(target, graph=graph) as sess:
        sess.run(init)
        for _ in range(5):
            sess.run([train, loss], feed)
        times = []
        for _ in range(steps):
            start = time.perf_counter()
            sess.run([train, loss], feed)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def sweep_model(rate: float, worker: str) -> tuple:
    rng = np.random.default_rng(7)
    data = rng.standard_normal((1024, 512)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default(), tf.device(worker):
        x = tf.constant(data)
        w1 = tf.Variable(rng.standard_normal((512, 512)).astype(np.float32) * 0.05)
        w2 = tf.Variable(rng.standard_normal((512, 512)).astype(np.float32) * 0.05)
        loss = tf.reduce_mean(tf.square(tf.matmul(tf.nn.relu(tf.matmul(x, w1)), w2) - x))
        train = tf.train.GradientDescentOptimizer(rate).minimize(loss)
        init = tf.global_variables_initializer()
    return graph, init, train, loss


def sweep_run(target: object, rate: float, worker: str, steps: int, losses: dict,
              ready: threading.Barrier, spans: list) -> None:
    """One run of the sweep; only its steps are timed (after every run has built and
    initialized its model)."""
    graph, init, train, loss = sweep_model(rate, worker)
    with tf.Session(target, graph=graph) as sess:
        sess.run(init)
        sess.run(train)  # NOTE: compiles and sends the regions before the timing
        ready.wait()
        start = time.perf_counter()
        for _ in range(steps):
            _, losses[rate] = sess.run([train, loss])
        spans.append((start, time.perf_counter()))


def sweep_seconds(target: object, steps: int, parallel: bool) -> tuple:
    """Seconds from the first timed step to the last, and each run's last loss."""
    rates, losses, spans = (0.05, 0.1), {}, []
    workers = ("/job:worker/task:0", "/job:worker/task:1") if parallel else ("", "")
    if parallel:
        ready = threading.Barrier(2)
        threads = [threading.Thread(target=sweep_run,
                                    args=(target, r, w, steps, losses, ready, spans))
                   for r, w in zip(rates, workers, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return max(e for _, e in spans) - min(s for s, _ in spans), \
            [float(losses[r]) for r in rates]
    for rate in rates:
        sweep_run(target, rate, "", steps, losses, threading.Barrier(1), spans)
    return sum(e - s for s, e in spans), [float(losses[r]) for r in rates]


def main(quick: bool) -> dict:
    steps, sweep_steps = (30, 5) if quick else (300, 40)
    spec = {"ps": 1, "worker": 2}
    figures = {"local": step_seconds("", steps)}
    with local_cluster(spec, dashboard=False) as cluster:
        figures["threads"] = step_seconds(cluster.target, steps)
    with local_cluster(spec, processes=True, dashboard=False) as cluster:
        figures["processes"] = step_seconds(cluster.target, steps)
        sequential, local_losses = sweep_seconds("", sweep_steps, parallel=False)
        parallel, cluster_losses = sweep_seconds(cluster.target, sweep_steps, parallel=True)
    return {"step": figures, "sweep": {"sequential": sequential, "parallel": parallel,
                                       "steps": sweep_steps, "local_losses": local_losses,
                                       "cluster_losses": cluster_losses}}


if __name__ == "__main__":
    print(json.dumps(main("--quick" in sys.argv[1:])))
