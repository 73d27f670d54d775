"""Run the benchmark suite: every workload, W3's memory and import time; write RESULTS.md.

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
EXTRA_KEYS = ("MEM", "IMPORT")


def parse(argv: list) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few short rounds (smoke run)")
    parser.add_argument("--only", default="", help="comma-separated keys: W1..W10, MEM, IMPORT")
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

def prepare(workload, skipped: dict) -> dict:
    """Set every installed implementation up; failures land in `skipped` with their reason."""
    benches = {}
    for implementation in workload.implementations:
        if not installed(implementation.needs):
            skipped[implementation.name] = f"skipped: {implementation.needs} is not installed"
            continue
        try:
            benches[implementation.name] = implementation.factory()
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
    benches = prepare(workload, result.skipped)
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
    skipped = "".join(f"\n    {name}: {reason}" for name, reason in result.skipped.items())
    return (f"{workload.key}: {rows}{skipped}\n    target {workload.target.text()}: "
            f"{ratio(figure)} ({verdict(met)}) [{seconds:.1f} s]")


# --- memory and import -------------------------------------------------------------------------

def run_memory() -> dict:
    """W3 memory per installed implementation, each in a fresh interpreter."""
    import probes  # noqa: PLC0415
    import workloads  # noqa: PLC0415
    w3 = next(workload for workload in workloads.WORKLOADS if workload.key == "W3")
    memory = {}
    for implementation in w3.implementations:
        if installed(implementation.needs):
            memory[implementation.name] = attempt(probes.peak_memory, implementation.name)
    return memory


def run_imports(repeats: int) -> dict:
    """Import time of NumPy, session_magic and each installed peer."""
    import probes  # noqa: PLC0415
    modules = ["numpy", "session_magic", *[peer for peer in PEERS if installed(peer)]]
    return {module: attempt(probes.import_time, module, repeats) for module in modules}


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
        print(f"MEM: {run.memory}", flush=True)
    if selected("IMPORT", options.only):
        run.imports = run_imports(2 if options.quick else 5)
        print(f"IMPORT: {run.imports}", flush=True)


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
