"""Measurements that need a fresh interpreter: peak memory (W3, W10), import time, time to
first result and W2's run latency while the jit compiles.

run.py calls `peak_memory`, `import_time`, `first_result` and `compile_latency`, which start
this file as a child process (`python probes.py memory WORKLOAD IMPLEMENTATION` /
`python probes.py import MODULE` / `python probes.py first WORKLOAD IMPLEMENTATION` /
`python probes.py latency SECONDS CACHE_DIRECTORY`) and read the one JSON line it prints.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

HEAVY_MODULES = ("IPython", "graphviz", "wasmtime")
MEMORY_STEPS = 20
MIB = 1024 * 1024
SLOW_RUN_SECONDS = 0.005  # the bound on what the jit may add to one run


def run_child(*arguments: str) -> dict:
    """Run this file in a fresh interpreter with `arguments`; its JSON answer."""
    command = [sys.executable, str(Path(__file__).resolve()), *arguments]
    # NOTE: as on a user's machine, bytecode is cached: with PYTHONDONTWRITEBYTECODE set, every
    # import would compile the package from source (~0.15 s of compile for session_magic)
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False,
                          env=environment)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
    return json.loads(lines[-1])


def peak_memory(key: str, implementation: str) -> dict:
    """Workload `key`'s memory under `implementation`, measured in its own interpreter."""
    return run_child("memory", key, implementation)


def first_result(key: str, implementation: str, repeats: int) -> dict:
    """Median seconds from nothing built to workload `key`'s first result under `implementation`
    (graph build, compile, first run; the imports before are not counted), over `repeats`
    fresh interpreters, each run's figure beside it."""
    answers = [run_child("first", key, implementation) for _ in range(repeats)]
    return {"seconds": statistics.median(a["seconds"] for a in answers),
            "all_seconds": [a["seconds"] for a in answers]}


def import_time(module: str, repeats: int) -> dict:
    """Median seconds to import `module` in `repeats` fresh interpreters, and what it pulled in."""
    run_child("import", module)  # NOTE: writes the bytecode cache the timed imports read
    answers = [run_child("import", module) for _ in range(repeats)]
    return {"seconds": statistics.median(a["seconds"] for a in answers),
            "all_seconds": [a["seconds"] for a in answers], "heavy": answers[-1]["heavy"]}


def memory_status(field: str) -> float:
    """A field of /proc/self/status (VmRSS: resident now, VmHWM: peak resident) in MiB.

    NOTE: not getrusage's ru_maxrss, which Linux carries over from the parent across exec, so
    a child of a big run.py process would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def reset_peak() -> None:
    """Make VmHWM start again from the current resident size (Linux's clear_refs code 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # an older kernel: the peak then also counts the imports


def compile_latency(seconds_before: float) -> dict:
    """W2's single-run latency before and while the jit compiles its plan in the background,
    in a fresh interpreter with an empty kernel cache (so the compile is a real one)."""
    with tempfile.TemporaryDirectory(prefix="session_magic_jit_") as cache:
        return run_child("latency", str(seconds_before), cache)


def imported_implementation(key: str, name: str) -> Any:
    """Workload `key`'s implementation `name`, with the package it needs already imported."""
    import workloads  # noqa: PLC0415 - imports NumPy, which the child needs before measuring
    workload = next(workload for workload in workloads.WORKLOADS if workload.key == key)
    implementation = next(i for i in workload.implementations if i.name == name)
    if implementation.needs == "pytensor":
        import pytensor.tensor  # noqa: F401,PLC0415 - the import is not what is measured
    elif implementation.needs != "numpy":
        workloads.tf1(implementation.needs)
    return implementation


def measure_memory(key: str, name: str) -> dict:
    """Workload `key` under `name`: resident growth of building it and running MEMORY_STEPS
    steps, then the traced peak of a second copy (a separate pass: tracemalloc's own tables use
    memory)."""
    implementation = imported_implementation(key, name)
    after_import = memory_status("VmRSS")
    reset_peak()
    run_steps(implementation.factory().step)
    peak = memory_status("VmHWM")
    tracemalloc.start()
    run_steps(implementation.factory().step)
    traced_peak = tracemalloc.get_traced_memory()[1] / MIB
    tracemalloc.stop()
    return {"traced_peak": traced_peak, "rss_after_import": after_import, "rss_peak": peak,
            "rss_growth": peak - after_import}


def run_steps(step: Callable[[], object]) -> None:
    """MEMORY_STEPS calls of `step`."""
    for _ in range(MEMORY_STEPS):
        step()


def measure_import(module: str) -> dict:
    """Seconds to import `module` here, and which of HEAVY_MODULES it imported."""
    start = time.perf_counter()
    if module == "tensorflow":
        import tensorflow.compat.v1  # noqa: F401,PLC0415
    else:
        __import__(module)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "heavy": [name for name in HEAVY_MODULES if name in sys.modules]}


def measure_first(key: str, name: str) -> dict:
    """Seconds from nothing built to the first result: the factory (graph, session or compiled
    function) and its first value, the imports done before."""
    implementation = imported_implementation(key, name)
    import numpy as np  # noqa: PLC0415 - loaded by the line above; warmed, as a user's would be
    np.random.default_rng(0).standard_normal(1)  # NOTE: NumPy's lazy random setup is not the
    # workload's: every implementation makes its data with it
    start = time.perf_counter()
    implementation.factory().value()
    return {"seconds": time.perf_counter() - start}


def measure_latency(seconds_before: str, cache: str) -> dict:
    """W2 on session_magic: run it for `seconds_before` on Tier 1, then start the hot-plan
    policy's background compile (`jit.HotPlan`, as when a plan has paid for its compile) and
    time every run until the kernels are swapped in, then 0.5 s more; per-run latency
    quantiles of the three spans."""
    os.environ["SESSION_MAGIC_CACHE"] = cache
    os.environ.pop("SESSION_MAGIC_JIT", None)
    import workloads  # noqa: PLC0415 - imports NumPy, which the child needs before measuring
    from session_magic.plan import jit  # noqa: PLC0415 - the module this probe measures
    if not jit.numba_available():
        raise RuntimeError("numba is not installed, so the jit tier is absent")
    # NOTE: the session's own hot-plan policy is off, so it cannot start a compile of its own
    # during the Tier-1 span; the HotPlan below is the policy's, driven by hand
    bench = workloads.w2_graph(workloads.tf1("session_magic"), jit=False)
    bench.value()
    plan = workloads.session_plans(bench.session)[-1]
    before = time_runs(bench.step, lambda elapsed: elapsed < float(seconds_before))
    hot = jit.HotPlan(plan)
    hot.spent = hot.cost  # NOTE: as if the plan had paid for its compile: the next sample starts it
    hot.sampled(0.0)
    start = time.perf_counter()
    during = time_runs(bench.step, lambda elapsed: hot.state == "compiling" and elapsed < 300)
    compile_seconds = time.perf_counter() - start
    after = time_runs(bench.step, lambda elapsed: elapsed < 0.5)
    return {"state": hot.wait(), "compile_seconds": compile_seconds,
            "before": latency_quantiles(before), "during": latency_quantiles(during),
            "after": latency_quantiles(after)}


def time_runs(step: Callable[[], object], going: Callable[[float], bool]) -> list:
    """Seconds of each call of `step`, calling it while `going(seconds since the start)`."""
    times, start = [], time.perf_counter()
    while going(time.perf_counter() - start):
        begin = time.perf_counter()
        step()
        times.append(time.perf_counter() - begin)
    return times


def latency_quantiles(times: list) -> dict:
    """Runs, median, p99 and maximum of per-run seconds, and how many runs took over 5 ms."""
    slow = sum(seconds > SLOW_RUN_SECONDS for seconds in times)
    if len(times) < 2:
        return {"runs": len(times), "median": None, "p99": None, "max": max(times, default=None),
                "slow": slow}
    percentiles = statistics.quantiles(times, n=100)
    return {"runs": len(times), "median": statistics.median(times), "p99": percentiles[98],
            "max": max(times), "slow": slow}


def main(arguments: list) -> None:
    """Child-process entry: one measurement, one JSON line on stdout."""
    kind, *subject = arguments
    measures = {"memory": measure_memory, "import": measure_import, "first": measure_first,
                "latency": measure_latency}
    print(json.dumps(measures[kind](*subject)))


if __name__ == "__main__":
    main(sys.argv[1:])
