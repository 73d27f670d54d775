"""Measurements that need a fresh interpreter: W3's peak memory and import time.

run.py calls `peak_memory` and `import_time`, which start this file as a child process
(`python probes.py memory IMPLEMENTATION` / `python probes.py import MODULE`) and read the one
JSON line it prints.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Callable

HEAVY_MODULES = ("IPython", "graphviz", "wasmtime")
MEMORY_STEPS = 20
MIB = 1024 * 1024


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


def peak_memory(implementation: str) -> dict:
    """W3's memory under `implementation`, measured in its own interpreter."""
    return run_child("memory", implementation)


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


def measure_memory(name: str) -> dict:
    """W3 under `name`: resident growth of building it and running MEMORY_STEPS steps, then
    the traced peak of a second copy (a separate pass: tracemalloc's own tables use memory)."""
    import workloads  # noqa: PLC0415 - imports NumPy, which the child needs before measuring
    w3 = next(workload for workload in workloads.WORKLOADS if workload.key == "W3")
    implementation = next(i for i in w3.implementations if i.name == name)
    if implementation.needs != "numpy":
        workloads.tf1(implementation.needs)
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


def main(arguments: list) -> None:
    """Child-process entry: one measurement, one JSON line on stdout."""
    kind, subject = arguments
    answer = measure_memory(subject) if kind == "memory" else measure_import(subject)
    print(json.dumps(answer))


if __name__ == "__main__":
    main(sys.argv[1:])
