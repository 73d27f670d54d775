"""RESULTS.md: the machine, a summary of every target, then one table per workload.

Everything here formats measurements that run.py made; nothing is measured in this module.
"""
from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

REPOSITORY = Path(__file__).resolve().parent.parent
MEMORY_LIMIT_MIB = 10.0
IMPORT_LIMIT_SECONDS = 0.3
FIRST_LIMIT = 20.0  # PyTensor's time to first result over session_magic's, at least
LATENCY_LIMIT_SECONDS = 0.005  # what a background jit compile may add to a run's p99
REPORTED_TF_IMPORT = "2.0 s"


@dataclass
class WorkloadResult:
    """A workload's samples per implementation and the reason each missing row is missing."""

    workload: Any
    samples: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    remarks: dict = field(default_factory=dict)  # how a row was set up (e.g. what the jit did)

    def medians(self) -> dict:
        """Median seconds per call, by implementation."""
        return {name: sample.median for name, sample in self.samples.items()}


@dataclass
class Run:
    """Everything one run of the suite found, ready to be written out."""

    command: str
    mode: str
    seconds: float = 0.0
    notes: list = field(default_factory=list)
    results: list = field(default_factory=list)
    memory: dict = field(default_factory=dict)
    imports: dict = field(default_factory=dict)
    first: dict = field(default_factory=dict)
    latency: dict = field(default_factory=dict)
    distributed: dict = field(default_factory=dict)


# --- numbers -----------------------------------------------------------------------------------

def duration(seconds: float) -> str:
    """Seconds in the unit that gives 3-4 significant figures."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def ratio(value: Optional[float]) -> str:
    """A ratio with enough digits to tell it from a target (`1.053×`, `5.81×`), or a dash."""
    if value is None:
        return "—"
    for bound, text in ((100, f"{value:,.0f}×"), (10, f"{value:.1f}×"), (2, f"{value:.2f}×")):
        if value >= bound:
            return text
    return f"{value:.3f}×"


def verdict(met: Optional[bool]) -> str:
    """**met**, NOT MET or not measured."""
    if met is None:
        return "not measured"
    return "**met**" if met else "NOT MET"


# --- the machine -------------------------------------------------------------------------------

def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (the platform's processor string elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(*distributions: str) -> str:
    """The installed version of the first of `distributions` found, or 'not installed'."""
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


def blas_name() -> str:
    """The BLAS NumPy was built with, as NumPy reports it."""
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - older NumPy has no dict mode; the name is decoration
        return "unknown"


def git_revision() -> str:
    """The repository's commit, marked when session_magic/ has uncommitted changes."""
    def git(*arguments: str) -> str:
        done = subprocess.run(["git", "-C", str(REPOSITORY), *arguments], capture_output=True,
                              text=True, check=False)
        return done.stdout.strip()
    revision = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "session_magic")
    return revision + (" + uncommitted changes in session_magic/" if dirty else "")


def machine_rows() -> list:
    """(label, value) pairs describing this machine and the software measured."""
    threads = ", ".join(f"{name}={os.environ.get(name, 'unset')}" for name in
                        ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"))
    return [("platform", platform.platform()), ("CPU", cpu_model()),
            ("cores", str(os.cpu_count())),
            ("Python", f"{platform.python_version()} ({sys.executable})"),
            ("NumPy", f"{np.__version__} ({blas_name()})"), ("BLAS threads", threads),
            ("session_magic", f"{package_version('session_magic')} at {git_revision()}"),
            ("dask", package_version("dask")), ("PyTensor", package_version("pytensor")),
            ("TensorFlow", package_version("tensorflow-cpu", "tensorflow"))]


# --- sections ----------------------------------------------------------------------------------

def header(run: Run) -> list:
    """Title, date, command and the machine table."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# session_magic benchmark results", "",
             f"Written by `{run.command}` on {now} ({run.mode}; took {run.seconds:.0f} s).",
             "Medians of per-call times over interleaved rounds; ratios are to the workload's "
             "NumPy floor measured in the same run. See README.md for what each workload does.",
             "", "| machine | |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in machine_rows()]
    return lines + [""] + [f"- {note}" for note in run.notes] + ([""] if run.notes else [])


def summary(run: Run) -> list:
    """One line per target of the issue, met or not."""
    lines = ["## Summary", "", "| | workload | target | session_magic | status | TF1 reported "
             "| TF1 measured here |", "|---|---|---|---|---|---|---|"]
    for result in run.results:
        lines.append(summary_row(result))
        lines += more_target_rows(result)
    for key, memory in run.memory.items():
        lines += memory_summary(key, memory)
    lines += import_summary(run.imports) + first_summary(run.first)
    lines += latency_summary(run.latency) + distributed_summary(run.distributed)
    return lines + [""]


def summary_row(result: WorkloadResult) -> str:
    """The summary line of one workload."""
    workload, medians = result.workload, result.medians()
    figure = workload.target.figure(medians)
    tf_figure = workload.target.figure(medians, "tensorflow")
    met = None if figure is None else workload.target.met(figure)
    return (f"| {workload.key} | {workload.title} | {workload.target.text()} | {ratio(figure)} "
            f"| {verdict(met)} | {workload.reported_tf or '—'} | {ratio(tf_figure)} |")


def more_target_rows(result: WorkloadResult) -> list:
    """The summary lines of a workload's later targets (issue 16's, with and without the jit)."""
    workload, medians = result.workload, result.medians()
    lines = []
    for label, target in workload.more_targets:
        figure = target.figure(medians)
        met = None if figure is None else target.met(figure)
        lines.append(f"| {workload.key} ({label}) | {workload.title} | {target.text()} "
                     f"| {ratio(figure)} | {verdict(met)} | — | — |")
    return lines


def memory_summary(key: str, memory: dict) -> list:
    """The peak-memory line of workload `key`, when it was measured."""
    if any("traced_peak" not in memory.get(name, {}) for name in ("numpy", "session_magic")):
        return []
    excess = memory["session_magic"]["traced_peak"] - memory["numpy"]["traced_peak"]
    return [f"| {key} memory | peak traced memory over NumPy's | ≤ {MEMORY_LIMIT_MIB:g} MiB more "
            f"| {excess:+.2f} MiB | {verdict(excess <= MEMORY_LIMIT_MIB)} | — | "
            f"{_tf_memory(memory)} |"]


def _tf_memory(memory: dict) -> str:
    if "rss_growth" not in memory.get("tensorflow", {}):
        return "—"
    growth = memory["tensorflow"]["rss_growth"] - memory["numpy"]["rss_growth"]
    return f"{growth:+.1f} MiB RSS"


def import_summary(imports: dict) -> list:
    """The import-time line, when it was measured."""
    if "seconds" not in imports.get("session_magic", {}):
        return []
    entry = imports["session_magic"]
    seconds, heavy = entry["seconds"], entry["heavy"]
    met = seconds < IMPORT_LIMIT_SECONDS and not heavy
    imported = ", ".join(heavy) if heavy else "none of IPython, graphviz, wasmtime"
    tf = imports.get("tensorflow", {})
    tf_seconds = f"{tf['seconds']:.2f} s" if "seconds" in tf else "—"
    return [f"| import | `import session_magic` ({imported} imported) "
            f"| < {IMPORT_LIMIT_SECONDS:g} s, none of those | {seconds:.3f} s | {verdict(met)} "
            f"| {REPORTED_TF_IMPORT} | {tf_seconds} |"]


def workload_section(result: WorkloadResult) -> list:
    """A workload's heading, table, skipped rows and target."""
    workload = result.workload
    lines = [f"## {workload.key}: {workload.title}", "", f"Measures {workload.measures}.", "",
             f"| implementation | per call | quartiles | ratio to {workload.baseline} "
             "| calls × rounds |", "|---|---|---|---|---|"]
    base = result.samples.get(workload.baseline)
    for name, sample in result.samples.items():
        to_base = ratio(sample.median / base.median) if base else "—"
        lines.append(f"| {name} | {duration(sample.median)} | {duration(sample.low)} – "
                     f"{duration(sample.high)} | {to_base} | {sample.calls:,} × {sample.rounds} |")
    bullets = [f"- {name}: {reason}"
               for name, reason in [*result.skipped.items(), *result.remarks.items()]]
    bullets += [f"- {note}" for note in workload.notes]
    return lines + [""] + bullets + ([""] if bullets else []) + [target_line(result), ""]


def target_line(result: WorkloadResult) -> str:
    """The target sentence under a workload's table."""
    workload = result.workload
    figure = workload.target.figure(result.medians())
    met = None if figure is None else workload.target.met(figure)
    reported = f" TF1 reported: {workload.reported_tf}." if workload.reported_tf else ""
    more = ""
    for label, target in workload.more_targets:
        more_figure = target.figure(result.medians())
        more_met = None if more_figure is None else target.met(more_figure)
        more += f" **{label}** {target.text()}: {ratio(more_figure)}, {verdict(more_met)}."
    return (f"**Target** {workload.target.text()}: {ratio(figure)}, {verdict(met)}."
            + reported + more)


def memory_section(key: str, memory: dict) -> list:
    """Workload `key`'s memory per implementation, each in its own interpreter."""
    if not memory:
        return []
    lines = [f"## {key} peak memory", "",
             "Each implementation in a fresh interpreter: after the imports, build "
             f"{key} and run 20 steps (RSS growth: Linux's VmHWM, reset after the imports, "
             "less the RSS then); then "
             "build a second copy and run 20 steps under tracemalloc (traced peak: NumPy's "
             "buffers are traced, TensorFlow's C++ allocations are not, so read its RSS growth). "
             "The target compares traced peaks.", "",
             "| implementation | traced peak | RSS after import | RSS peak | RSS growth |",
             "|---|---|---|---|---|"]
    for name, entry in memory.items():
        lines.append(_memory_row(name, entry))
    return lines + [""]


def _memory_row(name: str, entry: dict) -> str:
    if "error" in entry:
        return f"| {name} | {entry['error']} | | | |"
    return (f"| {name} | {entry['traced_peak']:.2f} MiB | {entry['rss_after_import']:.1f} MiB "
            f"| {entry['rss_peak']:.1f} MiB | {entry['rss_growth']:+.1f} MiB |")


def import_section(imports: dict) -> list:
    """Import time per module, median of fresh interpreters."""
    if not imports:
        return []
    lines = ["## Import time", "", "Seconds spent in the import statement (interpreter start-up "
             "excluded), median of fresh interpreters.", "",
             "| module | median | all runs | imports IPython / graphviz / wasmtime |",
             "|---|---|---|---|"]
    for name, entry in imports.items():
        if "error" in entry:
            lines.append(f"| {name} | {entry['error']} | | |")
            continue
        runs = ", ".join(f"{seconds:.3f}" for seconds in entry["all_seconds"])
        lines.append(f"| {name} | {entry['seconds']:.3f} s | {runs} "
                     f"| {', '.join(entry['heavy']) or 'none'} |")
    return lines + [""]


def render(run: Run) -> str:
    """The whole RESULTS.md text."""
    lines = header(run) + summary(run)
    for result in run.results:
        lines += workload_section(result)
    for key, memory in run.memory.items():
        lines += memory_section(key, memory)
    lines += import_section(run.imports) + first_section(run.first)
    lines += latency_section(run.latency) + distributed_section(run.distributed)
    return "\n".join(lines)


# --- time to first result ----------------------------------------------------------------------

def first_ratio(entries: dict) -> Optional[float]:
    """PyTensor's time to first result over session_magic's; None unless both were measured."""
    if any("seconds" not in entries.get(name, {}) for name in ("session_magic", "pytensor")):
        return None
    return entries["pytensor"]["seconds"] / entries["session_magic"]["seconds"]


def first_summary(first: dict) -> list:
    """The time-to-first-result line: the smallest PyTensor / session_magic ratio."""
    ratios = {key: first_ratio(entries) for key, entries in first.items()}
    ratios = {key: value for key, value in ratios.items() if value is not None}
    if not ratios:
        return []
    worst = min(ratios, key=ratios.get)
    met = all(value >= FIRST_LIMIT for value in ratios.values())
    return [f"| first result | graph build + compile + first run, fresh interpreter "
            f"({', '.join(ratios)}); worst: {worst} | PyTensor's ≥ {FIRST_LIMIT:g}× ours on every "
            f"workload | {ratio(ratios[worst])} | {verdict(met)} | — | — |"]


def first_section(first: dict) -> list:
    """Time to first result per workload and implementation, and PyTensor's over ours."""
    if not first:
        return []
    names = ["numpy", "session_magic", "tensorflow", "pytensor"]
    lines = ["## Time to first result", "",
             "Each figure is a fresh interpreter that imports the package (not counted), then "
             "builds the workload's graph, session or compiled function (the same factory the "
             "timed rows use, fixed random data included) and computes its first result; median "
             "of the runs, every run after it. PyTensor compiles through its on-disk cache, "
             "which earlier runs have filled (a warm cache, its best case); the first of its "
             "runs in a run of only FIRST may include cold compiles.", "",
             "| workload | " + " | ".join(names) + " | PyTensor ÷ session_magic "
             f"(target ≥ {FIRST_LIMIT:g}×) |", "|---" * (len(names) + 2) + "|"]
    for key, entries in first.items():
        cells = [_first_cell(entries.get(name)) for name in names]
        figure = first_ratio(entries)
        met = None if figure is None else figure >= FIRST_LIMIT
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {ratio(figure)} ({verdict(met)}) |")
    return lines + [""]


def _first_cell(entry: Optional[dict]) -> str:
    if entry is None:
        return "—"
    if "error" in entry:
        return entry["error"]
    runs = ", ".join(duration(seconds) for seconds in entry["all_seconds"])
    return f"{duration(entry['seconds'])} ({runs})" if len(entry["all_seconds"]) > 1 else \
        duration(entry["seconds"])


# --- run latency during a background jit compile -----------------------------------------------

def latency_added(latency: dict) -> Optional[float]:
    """How much the p99 of W2's run latency grew while the jit compiled; None if not measured."""
    try:
        return latency["during"]["p99"] - latency["before"]["p99"]
    except (KeyError, TypeError):
        return None


def latency_summary(latency: dict) -> list:
    """The jit-latency line, when it was measured (or why not)."""
    if not latency:
        return []
    added = latency_added(latency)
    if added is None:
        state = f"not measured: the compile ended {latency['state']}" if "state" in latency \
            else "not measured"
        figure, met = latency.get("error", state), None
    else:
        during = latency["during"]
        figure = (f"{added * 1e3:+.2f} ms (max {duration(during['max'])}; "
                  f"{during.get('slow', 0):,} of {during['runs']:,} runs over 5 ms)")
        met = added <= LATENCY_LIMIT_SECONDS
    return [f"| jit latency | p99 of W2's run latency while the jit compiles in the background, "
            f"over Tier 1's | ≤ {LATENCY_LIMIT_SECONDS * 1e3:g} ms more | {figure} "
            f"| {verdict(met)} | — | — |"]


def latency_section(latency: dict) -> list:
    """W2's run latency before, during and after a background jit compile."""
    if not latency:
        return []
    lines = ["## Run latency while the jit compiles", "",
             "W2 on session_magic in a fresh interpreter with an empty kernel cache: runs on "
             "Tier 1 first, then the hot-plan policy's background compile (`jit.HotPlan`) is "
             "started as when a plan has paid for its compile, and every run is timed until the "
             "fused kernels are swapped in, then for 0.5 s more. The issue's bound is on what "
             "the compile adds to a run: the target compares the p99 during the compile with "
             "the p99 before it; the maximum and the runs over 5 ms are shown beside.", ""]
    if "error" in latency:
        return lines + [f"Not measured: {latency['error']}", ""]
    lines += [f"The compile ended `{latency['state']}` after "
              f"{duration(latency['compile_seconds'])}.", "",
              "| span | runs | median | p99 | max | runs over 5 ms |", "|---|---|---|---|---|---|"]
    for span in ("before", "during", "after"):
        entry = latency[span]
        cells = [duration(entry[name]) if entry[name] is not None else "—"
                 for name in ("median", "p99", "max")]
        lines.append(f"| {span} | {entry['runs']:,} | " + " | ".join(cells)
                     + f" | {entry.get('slow', '—')} |")
    added = latency_added(latency)
    if added is not None:
        met = added <= LATENCY_LIMIT_SECONDS
        lines += ["", f"**Target** the jit adds ≤ {LATENCY_LIMIT_SECONDS * 1e3:g} ms to the p99 "
                  f"of a run: {added * 1e3:+.2f} ms, {verdict(met)}."]
    return lines + [""]


# --- one machine to a cluster (issue 17) --------------------------------------------------------

def distributed_summary(figures: dict) -> list:
    """The cluster lines: a step's overhead and a sweep's scaling over two worker tasks."""
    if not figures:
        return []
    if "error" in figures:
        return [f"| cluster | a training step on a dask cluster | — | not measured: "
                f"{figures['error']} | — | — | — |"]
    step, sweep = figures["step"], figures["sweep"]
    speedup = sweep["sequential"] / sweep["parallel"]
    return [f"| cluster | W4's step, ps + worker tasks on a local dask cluster | (reported) | "
            f"{duration(step['threads'])} in threads, {duration(step['processes'])} in "
            f"processes (local {duration(step['local'])}) | — | — | — |",
            f"| sweep | two training runs on two worker tasks vs one after the other | "
            f"(reported) | {speedup:.2f}× faster | — | — | — |"]


def distributed_section(figures: dict) -> list:
    """Issue 17's figures (benchmarks/distributed_probe.py)."""
    if not figures:
        return []
    lines = ["## From one machine to a cluster", "",
             "`benchmarks/distributed_probe.py` in a fresh interpreter: W4's model with its "
             "variables on `/job:ps/task:0` and its gradient on `/job:worker/task:0` (three "
             "regions a step: ps reads, worker gradient, ps update), on a local dask cluster "
             "of named task workers in threads (values passed in-process) and in processes "
             "(regions sent once as GraphDefs, values over TCP on 127.0.0.1); and a sweep of "
             "two learning rates, each run's model on its own worker task, the two clients on "
             "two threads, against the same two runs one after the other in-process.", ""]
    if "error" in figures:
        return lines + [f"Not measured: {figures['error']}", ""]
    step, sweep = figures["step"], figures["sweep"]
    lines += ["| a training step | median |", "|---|---|",
              f"| in-process executor | {duration(step['local'])} |",
              f"| cluster, workers in threads | {duration(step['threads'])} |",
              f"| cluster, workers in processes | {duration(step['processes'])} |", "",
              "| sweep of 2 runs × "
              f"{sweep['steps']} steps | seconds |", "|---|---|",
              f"| one after the other, in-process | {sweep['sequential']:.3f} |",
              f"| at once, on two worker tasks (processes) | {sweep['parallel']:.3f} |", "",
              f"Same final losses on the cluster as in-process: "
              f"{sweep['local_losses'] == sweep['cluster_losses']} "
              f"({', '.join(f'{v:.6g}' for v in sweep['cluster_losses'])}).", ""]
    return lines
