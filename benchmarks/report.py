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
REPORTED_TF_IMPORT = "2.0 s"


@dataclass
class WorkloadResult:
    """A workload's samples per implementation and the reason each missing row is missing."""

    workload: Any
    samples: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)

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
    lines += memory_summary(run.memory) + import_summary(run.imports)
    return lines + [""]


def summary_row(result: WorkloadResult) -> str:
    """The summary line of one workload."""
    workload, medians = result.workload, result.medians()
    figure = workload.target.figure(medians)
    tf_figure = workload.target.figure(medians, "tensorflow")
    met = None if figure is None else workload.target.met(figure)
    return (f"| {workload.key} | {workload.title} | {workload.target.text()} | {ratio(figure)} "
            f"| {verdict(met)} | {workload.reported_tf or '—'} | {ratio(tf_figure)} |")


def memory_summary(memory: dict) -> list:
    """The W3 peak-memory line, when it was measured."""
    if any("traced_peak" not in memory.get(name, {}) for name in ("numpy", "session_magic")):
        return []
    excess = memory["session_magic"]["traced_peak"] - memory["numpy"]["traced_peak"]
    return [f"| W3 memory | peak traced memory over NumPy's | ≤ {MEMORY_LIMIT_MIB:g} MiB more "
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
    bullets = [f"- {name}: {reason}" for name, reason in result.skipped.items()]
    bullets += [f"- {note}" for note in workload.notes]
    return lines + [""] + bullets + ([""] if bullets else []) + [target_line(result), ""]


def target_line(result: WorkloadResult) -> str:
    """The target sentence under a workload's table."""
    workload = result.workload
    figure = workload.target.figure(result.medians())
    met = None if figure is None else workload.target.met(figure)
    reported = f" TF1 reported: {workload.reported_tf}." if workload.reported_tf else ""
    return (f"**Target** {workload.target.text()}: {ratio(figure)}, {verdict(met)}."
            + reported)


def memory_section(memory: dict) -> list:
    """W3's memory per implementation, each in its own interpreter."""
    if not memory:
        return []
    lines = ["## W3 peak memory", "",
             "Each implementation in a fresh interpreter: after the imports, build W3 and run 20 "
             "steps (RSS growth: Linux's VmHWM, reset after the imports, less the RSS then); then "
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
    lines += memory_section(run.memory) + import_section(run.imports)
    return "\n".join(lines)
