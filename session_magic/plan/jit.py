"""Tier 2 of execution (optional, needs numba): each fused group of a plan (fusion.py) becomes one
compiled loop over its flat output, swapped in with `Plan.use_fused` once the plan is hot.

A kernel's Python source is written to an on-disk cache directory under a hash of the source
and compiled by numba with its own disk cache, so a kernel compiles once per machine, reused
across plans, sessions and processes. Constants are typed kernel arguments, never literals, so
float32 stays float32; every step's result is converted to its dtype (int32 wraps); no
fast-math; division by zero gives inf or nan (numba's `error_model="numpy"`). Each call checks
its inputs' shapes; values the loop cannot read as planned run the group's NumPy kernels.

Fixed per plan (`HotPlan`): a countdown to the next timed run. Changing: the estimated time
spent in the plan; once it has paid for the compile, a background thread has a subprocess
compile the kernels (numba's compiler holds the GIL, a thread of ours would stall the runs),
loads them and swaps them in; until then runs stay on Tier 1.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib.util
import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import numpy as np

from ..protos import OptimizerOptions
from ..ops.registry import OPS
from .codegen import FusedGroup
from .fusion import Group, fusable_groups, scalar_rule

__all__ = ["HotPlan", "promote_when_hot", "compile_now", "enabled", "cache_directory",
           "KernelSource", "kernel_source", "kernel_sources", "fused_call", "SAMPLE_EVERY"]

SAMPLE_EVERY = 32            # NOTE: one run in 32 is timed, so a cold plan pays almost nothing.
LOAD_SECONDS = 0.5           # NOTE: measured: importing numba and loading a cached kernel
COMPILE_SECONDS_PER_OP = 0.008   # NOTE: measured: ~0.4-0.8 s for a 100-op chain
_NEVER = 1 << 62              # NOTE: a countdown that does not reach zero: decided once
SWITCH_VARIABLE = "SESSION_MAGIC_JIT"
CACHE_VARIABLE = "SESSION_MAGIC_CACHE"

_NUMBA_TYPES = {"float32": "float32", "float64": "float64", "int32": "int32",
                "int64": "int64", "bool": "boolean"}
_CONSTRUCTORS = {"float32": "np.float32", "float64": "np.float64", "int32": "np.int32",
                 "int64": "np.int64", "bool": "np.bool_"}

_PRELUDE = "import numpy as np\nfrom numba import njit, types\n\n\n"

# NOTE: the child lowers its priority, so on a busy machine the runs keep their cores.
_CHILD = """import importlib.util, os, pathlib, sys
getattr(os, "nice", lambda increment: None)(10)
for path in sys.argv[1:]:
    name = "session_magic_" + pathlib.Path(path).stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
"""


def enabled(session: Any) -> bool:
    """Is Tier 2 wanted: not turned off by SESSION_MAGIC_JIT=0 or by the session's
    `OptimizerOptions.global_jit_level` of OFF."""
    if os.environ.get(SWITCH_VARIABLE, "1").strip() in ("0", "false", "off"):
        return False
    config = getattr(session, "_config", None)
    options = getattr(getattr(config, "graph_options", None), "optimizer_options", None)
    return getattr(options, "global_jit_level", 0) != OptimizerOptions.OFF


def cache_directory() -> Path:
    """Where kernels' sources and numba's compiled code live: $SESSION_MAGIC_CACHE, else
    ~/.cache/session_magic/jit."""
    configured = os.environ.get(CACHE_VARIABLE)
    return Path(configured) if configured else Path.home() / ".cache" / "session_magic" / "jit"


# --- kernels ------------------------------------------------------------------------------------

class KernelSource:
    """One group's loop as Python source, and what its wrapper passes beside the run's values
    (`runtime`: (tensor, read mode) of each): `known_arrays`, known inputs read elementwise;
    `constants`, known one-element inputs packed per dtype (typed arguments, so a float32
    constant stays float32); `known`: every known input's value (for the NumPy fallback)."""

    __slots__ = ("group", "text", "digest", "runtime", "known_arrays", "constants", "known")

    def __init__(self, group: Group, text: str, runtime: list, known_arrays: list,
                 constants: dict, known: dict) -> None:
        self.group, self.text, self.runtime = group, text, runtime
        self.known_arrays, self.constants, self.known = known_arrays, constants, known
        self.digest = hashlib.sha256(text.encode()).hexdigest()[:24]

    def path(self, directory: Path) -> Path:
        return directory / f"fused_{self.digest}.py"


def kernel_source(group: Group, known: dict) -> KernelSource:
    """The group's kernel: a loop over the flat output computing each member's scalar rule,
    converted to the member's dtype, into a local. Its arguments: the output, of the group's
    rank; the run's inputs (`a0`...), those read whole of the output's rank, the others flat;
    known arrays, flat; one array of known one-element values per dtype (`k_float32`)."""
    rank = len(group.dims)
    reads = list(zip(group.inputs, group.reads, strict=True))
    runtime = [(t, mode) for t, mode in reads if t not in known]
    fixed = [(t, mode) for t, mode in reads if t in known and mode != "one"]
    read: dict = {}
    flatten = ["    o = out.reshape(out.size)" if rank > 1 else "    o = out"]
    signature = [_array_type(group.output._dtype.name, max(rank, 1), readonly=False)]
    for number, (t, mode) in enumerate(runtime + fixed):
        nd = rank if mode == "whole" and number < len(runtime) else 1
        signature.append(_array_type(t._dtype.name, nd))
        name = f"a{number}"
        if nd > 1:
            flatten.append(f"    b{number} = a{number}.reshape(a{number}.size)")
            name = f"b{number}"
        read[t] = f"{name}[{_INDEX.get(mode, f'i % {mode}')}]"
    constants: dict = {}
    for t, mode in reads:
        if t in known and mode == "one":
            values = constants.setdefault(t._dtype.name, [])
            read[t] = f"k_{t._dtype.name}[{len(values)}]"
            values.append(known[t])
    signature += [_array_type(dtype, 1) for dtype in constants]
    body = []
    for number, (op, operands) in enumerate(zip(group.ops, group.operands, strict=True)):
        constructor = _CONSTRUCTORS[op._outputs[0]._dtype.name]
        expression = scalar_rule(op).format(*(read[t] for t in operands), t=constructor)
        read[op._outputs[0]] = f"v{number}"
        body.append(f"        v{number} = {constructor}({expression})")
    parameters = ["out"] + [f"a{i}" for i in range(len(runtime) + len(fixed))] + \
        [f"k_{dtype}" for dtype in constants]
    text = (_PRELUDE + f"@njit(types.void({', '.join(signature)}), cache=True, "
            "error_model=\"numpy\")\n"
            f"def kernel({', '.join(parameters)}):\n" + "\n".join(flatten) + "\n"
            "    for i in range(o.shape[0]):\n" + "\n".join(body) +
            f"\n        o[i] = v{len(body) - 1}\n")
    known_arrays = [_flat(known[t], t._dtype.name) for t, _ in fixed]
    packed = {dtype: np.array([np.asarray(v).reshape(-1)[0] for v in values], dtype=dtype)
              for dtype, values in constants.items()}
    return KernelSource(group, text, runtime, known_arrays, packed,
                        {t: known[t] for t in group.inputs if t in known})


_INDEX = {"whole": "i", "one": "0"}


def _array_type(dtype: str, rank: int, readonly: bool = True) -> str:
    # NOTE: inputs are typed read-only, which also takes writable arrays: a frozen constant or
    # a shape block's remembered value never makes numba compile a second signature.
    flag = ", readonly=True" if readonly else ""
    return f"types.Array(types.{_NUMBA_TYPES[dtype]}, {rank}, \"C\"{flag})"


def _flat(value: Any, dtype: Any) -> np.ndarray:
    return np.ascontiguousarray(value, dtype=dtype).reshape(-1)


def fused_call(kernel: Callable, source: KernelSource) -> Callable:
    """The FusedGroup's kernel, generated per group: it checks the run's values first, as the
    compiled loop reads without bounds checks (the inputs read whole share one shape, which
    fits the group's static dims; the others have their element counts), allocates the output
    and calls the loop. Values that do not fit (a broadcast that unknown dims hid, a dtype or
    memory layout the loop does not take) run the group's NumPy kernels instead, as Tier 1."""
    group = source.group
    dims, rank = group.dims, len(group.dims)
    names = [f"v{n}" for n in range(len(source.runtime))]
    namespace = {"_kernel": kernel, "_fallback": numpy_steps(source), "_flat": _flat,
                 "_asarray": np.ascontiguousarray, "_ndarray": np.ndarray, "_empty": np.empty,
                 "_out": np.dtype(group.output._dtype.name)}
    lines, unfit, arguments = [], [], ["out"]
    whole = [n for n, (_, mode) in enumerate(source.runtime) if mode == "whole"]
    for n, (t, mode) in enumerate(source.runtime):
        namespace[f"_d{n}"] = np.dtype(t._dtype.name)
        if mode == "whole":
            lines.append(f"    a{n} = v{n} if type(v{n}) is _ndarray else _asarray(v{n}, _d{n})")
        else:
            lines.append(f"    a{n} = _flat(v{n}, _d{n})")
            unfit.append(f"a{n}.shape[0] != {1 if mode == 'one' else mode}")
        arguments.append(f"a{n}")
    if whole:
        lines.append(f"    shape = a{whole[0]}.shape")
        unfit += [f"a{n}.shape != shape" for n in whole[1:]] + [f"len(shape) != {rank}"]
        unfit += [f"shape[{axis}] != {size}" for axis, size in enumerate(dims) if size is not None]
    else:
        lines.append(f"    shape = {tuple(dims) if rank else (1,)!r}")
    for n, value in enumerate(source.known_arrays + list(source.constants.values())):
        namespace[f"_f{n}"] = value
        arguments.append(f"_f{n}")
    if unfit:
        lines.append(f"    if {' or '.join(unfit)}:")
        lines.append(f"        return _fallback({', '.join(names)})")
    lines += ["    out = _empty(shape, _out)", "    try:",
              f"        _kernel({', '.join(arguments)})",
              "    except TypeError:  # no signature takes this dtype or layout",
              f"        return _fallback({', '.join(names)})",
              f"    return out{'' if rank else '.reshape(())'}"]
    text = f"def call({', '.join(names)}):\n" + "\n".join(lines) + "\n"
    exec(compile(text, f"<fused kernel {source.digest}>", "exec"), namespace)  # noqa: S102
    return namespace["call"]


def numpy_steps(source: KernelSource) -> Callable:
    """The group run as Tier 1 runs it: each member's NumPy kernel in order."""
    group = source.group
    kernels = [OPS[op._type].kernel(op) for op in group.ops]
    runtime = [t for t, _ in source.runtime]

    def run(*values: Any) -> Any:
        computed = dict(source.known)
        computed.update(zip(runtime, values, strict=True))
        for op, kernel, operands in zip(group.ops, kernels, group.operands, strict=True):
            computed[op._outputs[0]] = kernel(*(computed[t] for t in operands))
        return computed[group.output]
    return run


def kernel_sources(plan: Any, smallest: Optional[int] = None) -> list[KernelSource]:
    """The kernels of the plan's fusable groups (see `fusable_groups` for `smallest`)."""
    known = plan._builder.analysis.known
    return [kernel_source(group, known) for group in fusable_groups(plan, smallest)]


def numba_available() -> bool:
    return importlib.util.find_spec("numba") is not None


def write_source(source: KernelSource, directory: Path) -> Path:
    """The kernel's file in the cache directory, written once (atomically: other processes may
    be writing the same file; rewriting it would make numba's cache stale)."""
    path = source.path(directory)
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_text(source.text)
        os.replace(partial, path)
    return path


def is_compiled(source: KernelSource, directory: Path) -> bool:
    """Does numba's disk cache hold the kernel already (compiled by any process)?"""
    return any((directory / "__pycache__").glob(f"fused_{source.digest}.kernel-*.nbi"))


def load_kernel(source: KernelSource, directory: Path) -> Callable:
    """The compiled loop, imported from its file (numba loads it from its disk cache, or
    compiles it here)."""
    name = f"session_magic_fused_{source.digest}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, write_source(source, directory))
        module = sys.modules[name] = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return module.kernel


def compile_elsewhere(paths: list) -> None:
    """Compile kernels' files in a child process, which writes numba's disk cache (numba's
    compiler holds the GIL: in a thread here it would stall the runs)."""
    done = subprocess.run([sys.executable, "-c", _CHILD, *map(str, paths)],
                          capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise RuntimeError(lines[-1])


def fused_groups(sources: list, directory: Path) -> list[FusedGroup]:
    """The groups' FusedGroups, each kernel called once on zeros (NOTE: numba's first call of
    a loaded kernel takes milliseconds: here, not in a user's run)."""
    result = []
    for source in sources:
        call = fused_call(load_kernel(source, directory), source)
        dims = tuple(1 if n is None else n for n in source.group.dims)
        call(*(np.zeros(dims if mode == "whole" else 1 if mode == "one" else mode,
                        t._dtype.name) for t, mode in source.runtime))
        result.append(FusedGroup(source.group.ops, [t for t, _ in source.runtime],
                                 source.group.output, call))
    return result


def compile_now(plan: Any, smallest: Optional[int] = None) -> tuple:
    """Compile the plan's fused kernels (groups as `fusable_groups` finds them) here and now, in
    this process, and swap them in; the FusedGroups (none without numba, without groups, or
    after a failure, which warns)."""
    if not numba_available():
        return ()
    try:
        directory = cache_directory()
        groups = tuple(fused_groups(kernel_sources(plan, smallest), directory))
    except Exception as failure:  # noqa: BLE001 - any failure leaves the plan on Tier 1
        _warn_fallback(failure)
        return ()
    if groups:
        plan.use_fused(groups)
    return groups


def _warn_fallback(failure: BaseException) -> None:
    reason = (str(failure).strip().splitlines() or [type(failure).__name__])[0]
    warnings.warn(f"session_magic: could not compile fused kernels, this plan keeps running "
                  f"on NumPy ({type(failure).__name__}: {reason})", RuntimeWarning,
                  stacklevel=3)


# --- the hot-plan policy ------------------------------------------------------------------------

class HotPlan:
    """Decides when a plan is worth compiling, and compiles it in the background.

    `count()` per run (a decrement): true on every SAMPLE_EVERY-th run, which the caller times
    through `timed`. Each sample stands for SAMPLE_EVERY runs; once the time spent in the plan
    reaches the estimated cost of compiling it, a thread has a child process compile the
    kernels, loads them and calls `plan.use_fused`. A plan that runs a few times never gets
    there; a failure warns once and leaves the plan on Tier 1.
    """

    def __init__(self, plan: Any) -> None:
        self.plan = plan
        self.countdown = SAMPLE_EVERY
        self.spent = 0.0            # estimated seconds spent in the plan's runs so far
        # NOTE: an upper bound: not every step fuses, and a kernel may be on disk already
        self.cost = COMPILE_SECONDS_PER_OP * len(plan.steps) + \
            (0.0 if "numba" in sys.modules else LOAD_SECONDS)
        self.state = "cold"         # cold, compiling, fused, absent (nothing to do), failed
        self._thread: Optional[threading.Thread] = None

    def count(self) -> bool:
        """Called once per run: is this run one to time?"""
        self.countdown -= 1
        return self.countdown <= 0

    def timed(self, function: Callable) -> Callable:
        """`function`, its duration recorded as a sample."""
        def run(*args: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args)
            finally:
                self.sampled(time.perf_counter() - start)
        return run

    def sampled(self, seconds: float) -> None:
        """One timed run: add its share of the time spent; start the compile once paid for."""
        self.spent += seconds * SAMPLE_EVERY
        if self.spent < self.cost:
            self.countdown = SAMPLE_EVERY
            return
        self.countdown = _NEVER
        self.state = "compiling"
        self._thread = threading.Thread(target=self.promote, name="session_magic-jit",
                                        daemon=True)
        self._thread.start()

    def promote(self) -> None:
        """Compile (in a child process), load and swap in the plan's kernels."""
        try:
            sources = kernel_sources(self.plan) if numba_available() else []
            if not sources:
                self.state = "absent"
                return
            directory = cache_directory()
            paths = [write_source(s, directory) for s in sources]
            missing = [p for s, p in zip(sources, paths, strict=True)
                       if not is_compiled(s, directory)]
            if missing:
                compile_elsewhere(missing)
            with _collector_paused():
                fused = tuple(fused_groups(sources, directory))
            self.plan.use_fused(fused)
            self.state = "fused"
        except Exception as failure:  # noqa: BLE001 - any failure leaves the plan on Tier 1
            self.state = "failed"
            _warn_fallback(failure)

    def wait(self, timeout: Optional[float] = None) -> str:
        """The state once a started compile has finished (for tests and benchmarks)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.state


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection meanwhile. NOTE: loading numba allocates heavily, and a full
    collection it triggers in a large process holds the GIL for tens of ms, stalling the runs
    (measured: the longest stall of the run loop fell from ~40 ms to ~10 ms)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def promote_when_hot(plan: Any, session: Any) -> Optional[HotPlan]:
    """The plan's HotPlan, or None when the jit is off for this session or cannot apply (a plan
    run by the inter-op thread pool, which does not run fused groups)."""
    if not enabled(session) or getattr(plan, "_parallel", None) is not None or not plan.steps:
        return None
    return HotPlan(plan)
