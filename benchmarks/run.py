"""Run the benchmark suite (workloads and fresh-interpreter probes) and write RESULTS.md.

The probes: peak memory (MEM), import time (IMPORT), time to first result (FIRST) and W2's run
latency while the jit compiles in the background (LATENCY).

    python benchmarks/run.py                  # full run, writes benchmarks/RESULTS.md
    python benchmarks/run.py --quick          # smoke run: few rounds, prints, writes nothing
    python benchmarks/run.py --only W1,W3,MEM,IMPORT
    python benchmarks/run.py --python /tmp/tfvenv/bin/python   # rerun under an interpreter
                                                               # that also has TensorFlow
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import traceback
from pathlib import Path

# NOTE: NumPy (imported by the modules below) reads the BLAS thread variables once, at import:
# they are set in main() before those imports, which is why they happen inside functions.
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
PEERS = {"tensorflow": "install tensorflow-cpu, or rerun with --python PATH as README.md shows",
         "dask": "install benchmarks/requirements.txt",
         "pytensor": "install benchmarks/requirements.txt"}
EXTRA_KEYS = ("MEM", "IMPORT", "FIRST", "LATENCY", "DIST")
MEMORY_WORKLOADS = ("W3", "W10")
# NOTE: the workloads with a PyTensor row (the target compares with it) and the two new training
# steps' kin W10; W6 is itself graph building, W7 is W2 through make_callable, W8 and W9 compare
# session_magic with itself.
FIRST_WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W10", "W11", "W12")
FIRST_IMPLEMENTATIONS = ("numpy", "session_magic", "tensorflow", "pytensor")


def parse(argv: list) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few short rounds (smoke run)")
    parser.add_argument("--only", default="",
                        help="comma-separated keys: W1..W12, MEM, IMPORT, FIRST, LATENCY")
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--python", help="rerun this command under that interpreter")
    parser.add_argument("--onednn", action="store_true",
                        help="let TensorFlow use its oneDNN kernels (TF >= 2.9's default); "
                             "without it TF runs its Eigen kernels, as TF1 did")
    parser.add_argument("--output", type=Path, help="where to write the results (default: "
                        "benchmarks/RESULTS.md for a full run, nowhere otherwise)")
    return parser.parse_args(argv)


def without_python_option(argv: list) -> list:
    """`argv` with its --python option removed, for the re-executed command."""
    kept, skip = [], False
    for argument in argv:
        if skip or argument.startswith("--python="):
            skip = False
            continue
        skip = argument == "--python"
        if not skip:
            kept.append(argument)
    return kept


def configure_environment(blas_threads: int, onednn: bool) -> None:
    """BLAS threads for NumPy (and TF's intra-op pool), TF's kernels, quiet TF logging."""
    for variable in BLAS_VARIABLES:
        os.environ[variable] = str(blas_threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # NOTE: the TF rows stand for TF1, whose pip wheels computed with Eigen; oneDNN (TF 2.9+'s
    # default on x86) is about 4× faster on W10's convolutions: --onednn measures it.
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if onednn else "0"
    # NOTE: TF1's RNN cells (W11's BasicLSTMCell) exist only with Keras 2: TF 2.16+ needs the
    # tf_keras package and this variable, set before TensorFlow is imported.
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    sys.path.insert(0, str(HERE))


def installed(package: str) -> bool:
    """Whether `package` can be imported here."""
    return importlib.util.find_spec(package) is not None


def selected(key: str, only: str) -> bool:
    """Whether `--only` lets `key` run."""
    return not only or key in {part.strip().upper() for part in only.split(",")}


def tf_kernels(options: argparse.Namespace) -> str:
    if options.onednn:
        return "TensorFlow ran its oneDNN kernels (TF 2.9+'s default on x86; --onednn)."
    return ("TensorFlow ran its Eigen kernels (TF_ENABLE_ONEDNN_OPTS=0), as TF1's pip wheels "
            "did; `--onednn` measures TF 2.21's default oneDNN kernels instead.")


def missing_peer_notes() -> list:
    """One note per peer that is not installed."""
    notes = [f"{peer} is not installed, so its rows are skipped ({how})."
             for peer, how in PEERS.items() if not installed(peer)]
    if not installed("tensorflow"):
        notes.append("TF1 figures are the issue's reported numbers, not measured here.")
    return notes


# --- one workload ------------------------------------------------------------------------------

def prepare(workload, skipped: dict, remarks: dict) -> dict:
    """Set every installed implementation up; failures land in `skipped` with their reason,
    what a bench says of its set-up in `remarks`."""
    benches = {}
    for implementation in workload.implementations:
        if not installed(implementation.needs):
            skipped[implementation.name] = f"skipped: {implementation.needs} is not installed"
            continue
        try:
            benches[implementation.name] = implementation.factory()
            if benches[implementation.name].remark:
                remarks[implementation.name] = benches[implementation.name].remark
        except Exception as error:  # noqa: BLE001 - recorded in the results, never hidden
            skipped[implementation.name] = f"failed to set up: {describe(error)}"
            traceback.print_exc()
    return benches


def describe(error: BaseException) -> str:
    """An exception as one short line."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}"


def check(workload, benches: dict, skipped: dict) -> dict:
    """Keep the benches whose first two values match the floor's: a benchmark never times
    wrong work. The floor's own values come first; if it fails, nothing is timed."""
    floor_name = workload.implementations[0].name
    try:
        expected = [benches[floor_name].value() for _ in range(2)]
    except Exception as error:  # noqa: BLE001 - recorded in the results
        skipped[floor_name] = f"failed: {describe(error)}"
        return {}
    kept = {floor_name: benches[floor_name]}
    for name, bench in benches.items():
        if name != floor_name:
            problem = mismatch(bench, expected, workload.rtol)
            if problem:
                skipped[name] = f"not timed, its result is wrong: {problem}"
            else:
                kept[name] = bench
    return kept


def mismatch(bench, expected: list, rtol: float) -> str:
    """Why `bench`'s first two values differ from `expected`; empty when they match."""
    import numpy as np  # noqa: PLC0415
    try:
        for wanted in expected:
            np.testing.assert_allclose(np.asarray(bench.value(), dtype=np.float64),
                                       np.asarray(wanted, dtype=np.float64), rtol=rtol, atol=rtol)
    except Exception as error:  # noqa: BLE001 - a wrong answer is reported, not timed
        return describe(error)
    return ""


def run_workload(workload, plan):
    """Set up, check and time one workload."""
    from report import WorkloadResult  # noqa: PLC0415
    from timing import measure  # noqa: PLC0415
    result = WorkloadResult(workload)
    benches = prepare(workload, result.skipped, result.remarks)
    if workload.implementations[0].name not in benches:
        return result
    benches = check(workload, benches, result.skipped)
    if not benches:
        return result
    result.samples = measure({name: bench.step for name, bench in benches.items()}, plan)
    return result


def progress_line(result, seconds: float) -> str:
    """What the terminal shows after a workload."""
    from report import ratio, verdict  # noqa: PLC0415
    workload = result.workload
    figure = workload.target.figure(result.medians())
    met = None if figure is None else workload.target.met(figure)
    rows = ", ".join(f"{name} {ratio(sample.median / result.samples[workload.baseline].median)}"
                     for name, sample in result.samples.items()) if result.samples else "no rows"
    skipped = "".join(f"\n    {name}: {reason}"
                      for name, reason in [*result.skipped.items(), *result.remarks.items()])
    more = ""
    for label, target in workload.more_targets:
        more_figure = target.figure(result.medians())
        more_met = None if more_figure is None else target.met(more_figure)
        more += f"\n    {label}: {target.text()}: {ratio(more_figure)} ({verdict(more_met)})"
    return (f"{workload.key}: {rows}{skipped}\n    target {workload.target.text()}: "
            f"{ratio(figure)} ({verdict(met)}) [{seconds:.1f} s]{more}")


# --- memory and import -------------------------------------------------------------------------

def workload_named(key: str):
    """The workload whose key is `key`."""
    import workloads  # noqa: PLC0415
    return next(workload for workload in workloads.WORKLOADS if workload.key == key)


def run_memory() -> dict:
    """Memory of W3 and W10 per installed implementation, each in a fresh interpreter:
    {workload key: {implementation: figures}}."""
    import probes  # noqa: PLC0415
    memory = {}
    for key in MEMORY_WORKLOADS:
        memory[key] = {implementation.name: attempt(probes.peak_memory, key, implementation.name)
                       for implementation in workload_named(key).implementations
                       if installed(implementation.needs)}
        print(f"MEM {key}: {memory[key]}", flush=True)
    return memory


def run_first(repeats: int) -> dict:
    """Time to first result per workload and installed implementation, each in fresh
    interpreters: {workload key: {implementation: figures}}."""
    import probes  # noqa: PLC0415
    from report import duration  # noqa: PLC0415
    first = {}
    for key in FIRST_WORKLOADS:
        rows = [i for i in workload_named(key).implementations
                if i.name in FIRST_IMPLEMENTATIONS and installed(i.needs)]
        first[key] = {i.name: attempt(probes.first_result, key, i.name, repeats) for i in rows}
        figures = ", ".join(f"{name} {duration(entry['seconds'])}" if "seconds" in entry
                            else f"{name} {entry.get('error')}"
                            for name, entry in first[key].items())
        print(f"FIRST {key}: {figures}", flush=True)
    return first


def run_imports(repeats: int) -> dict:
    """Import time of NumPy, session_magic and each installed peer."""
    import probes  # noqa: PLC0415
    modules = ["numpy", "session_magic", *[peer for peer in PEERS if installed(peer)]]
    return {module: attempt(probes.import_time, module, repeats) for module in modules}


def run_latency(quick: bool) -> dict:
    """W2's run latency while the jit compiles in the background, or why it was not measured."""
    import probes  # noqa: PLC0415
    import workloads  # noqa: PLC0415
    if not installed(workloads.JIT_MODULE):
        return {"error": f"not measured: {workloads.JIT_MODULE} does not exist"}
    if not installed("numba"):
        return {"error": "not measured: numba is not installed (the jit tier is absent)"}
    return attempt(probes.compile_latency, 0.5 if quick else 2.0)


def run_distributed(quick: bool) -> dict:
    """Issue 17's cluster figures (benchmarks/distributed_probe.py in a fresh interpreter:
    this one, or the project's .venv when only that one has dask.distributed, as when this
    is TensorFlow's side venv)."""
    python = sys.executable
    if not installed("distributed"):
        project = HERE.parent / ".venv" / "bin" / "python"
        if not project.exists():
            return {"error": "dask.distributed is not installed (session_magic[distributed])"}
        python = str(project)

    def measure() -> dict:
        import json  # noqa: PLC0415
        import subprocess  # noqa: PLC0415
        command = [python, str(HERE / "distributed_probe.py")] + \
            (["--quick"] if quick else [])
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
        return json.loads(lines[-1])
    return attempt(measure)


def attempt(function, *arguments) -> dict:
    """`function(*arguments)`, or its error as the entry."""
    try:
        return function(*arguments)
    except Exception as error:  # noqa: BLE001 - recorded in the results
        return {"error": describe(error)}


# --- the whole run -----------------------------------------------------------------------------

def timing_plan(quick: bool):
    """Batch length and round bounds for a quick or a full run."""
    from timing import Plan  # noqa: PLC0415
    if quick:
        return Plan(batch_seconds=0.005, max_rounds=3, min_rounds=2, budget_seconds=1.0)
    return Plan(batch_seconds=0.02, max_rounds=101, min_rounds=5, budget_seconds=8.0)


def run_suite(options: argparse.Namespace, run) -> None:
    """Every selected workload, then memory and import probes, into `run`."""
    import workloads  # noqa: PLC0415
    plan = timing_plan(options.quick)
    for workload in workloads.WORKLOADS:
        if selected(workload.key, options.only):
            start = time.perf_counter()
            run.results.append(run_workload(workload, plan))
            print(progress_line(run.results[-1], time.perf_counter() - start), flush=True)
    if selected("MEM", options.only):
        run.memory = run_memory()
    if selected("IMPORT", options.only):
        run.imports = run_imports(2 if options.quick else 5)
        print(f"IMPORT: {run.imports}", flush=True)
    if selected("FIRST", options.only):
        run.first = run_first(1 if options.quick else 3)
    if selected("LATENCY", options.only):
        run.latency = run_latency(options.quick)
        print(f"LATENCY: {run.latency}", flush=True)
    if selected("DIST", options.only):
        run.distributed = run_distributed(options.quick)
        print(f"DIST: {run.distributed}", flush=True)


def mode_text(options: argparse.Namespace) -> str:
    """A full run, a quick run, or which keys a partial run had."""
    kind = "quick run" if options.quick else "full run"
    return f"{kind}, only {options.only}" if options.only else kind


def main(argv: list) -> None:
    """Parse, set the environment, run everything and write the results."""
    options = parse(argv)
    if options.python:
        os.execv(options.python, [options.python, __file__, *without_python_option(argv)])
    configure_environment(options.blas_threads, options.onednn)
    import report  # noqa: PLC0415 - after the environment is set
    run = report.Run(command=" ".join(["python benchmarks/run.py", *argv]),
                     mode=mode_text(options), notes=missing_peer_notes() + [tf_kernels(options)])
    for note in run.notes:
        print(f"note: {note}", flush=True)
    start = time.perf_counter()
    run_suite(options, run)
    run.seconds = time.perf_counter() - start
    output = options.output or (None if options.quick or options.only else RESULTS)
    text = report.render(run)
    if output:
        output.write_text(text + "\n")
        print(f"wrote {output} ({run.seconds:.0f} s)")
    print("\n".join(report.summary(run)))


if __name__ == "__main__":
    main(sys.argv[1:])
