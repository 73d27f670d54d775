"""The IPython glue: `%graph`, `%%session`, cell events, error display, and load/unload.

The only module that imports IPython. It parses arguments, resolves names in the user's
namespace and delegates to notebook.Notebook; every registration it makes, unload undoes.
"""
from __future__ import annotations

import keyword
import os
import types
from typing import Any, Optional

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Float, Integer, Unicode, observe

from . import errors
from .frames import outside_package, traceback_of
from .notebook import DRAWN_TYPES, GraphRequest, Notebook
from .render import backends

__all__ = ["SessionMagics", "load_ipython_extension", "unload_ipython_extension"]



@magics_class
class SessionMagics(Magics):
    """`%graph` draws graphs; `%%session` runs a cell in a fresh graph and session."""

    renderer = Unicode("auto", help="Which renderer draws SVG: auto, wasm, dot, graphviz-pure "
                       "or none.").tag(config=True)
    max_nodes = Integer(40, help="Node budget above which name scopes and numbered series "
                        "collapse.").tag(config=True)
    timeout = Float(10.0, help="Seconds a subprocess renderer may take.").tag(config=True)

    def __init__(self, shell: Any, notebook: Notebook) -> None:
        super().__init__(shell=shell)
        self.notebook = notebook

    @observe("renderer", "max_nodes", "timeout")
    def _configure_renderer(self, change: Any) -> None:
        try:
            setattr(backends.config, change["name"], change["new"])
        except ValueError as problem:
            setattr(self, change["name"], change["old"])
            raise UsageError(str(problem)) from None

    @magic_arguments()
    @argument("target", nargs="*", help="What to draw: a tensor, op, variable, graph or a list "
              "of them (any expression). Default: the default graph.")
    @argument("--values", action="store_true", help="Evaluate with the default session (no "
              "variable changes) and draw values on the nodes.")
    @argument("--feed", default=None, metavar="NAME", help="For --values and --trace: feed "
              "the feed dict in this variable (default: the feeds of the session's last run).")
    @argument("--trace", action="store_true", help="Run once and colour nodes by measured time.")
    @argument("--depth", type=int, default=None, help="How many levels of name scopes to open.")
    @argument("--expand", action="append", default=[], metavar="SCOPE",
              help="Open this name scope (repeatable).")
    @argument("--rankdir", default="TB", choices=["TB", "LR", "BT", "RL"], metavar="DIR",
              help="Direction of the drawing: TB (default), LR, BT or RL.")
    @argument("--format", default="svg", choices=["svg", "dot"], metavar="FORMAT",
              help="svg (default) shows a picture, dot the DOT source.")
    @argument("-o", "--output", default=None, metavar="FILE", help="Also save to FILE (.svg or "
              ".dot).")
    @argument("--max-nodes", type=int, default=None, help="Node budget for this drawing.")
    @argument("--file", default=None, metavar="PATH", help="Draw the GraphDef in PATH (.pb or "
              ".pbtxt, e.g. a frozen model) instead of a graph of this session.")
    @argument("--all", action="store_true", help="Also show ops superseded by re-run cells.")
    @argument("--reset", action="store_true", help="Start a new empty default graph and a fresh "
              "interactive session.")
    @line_magic
    def graph(self, line: str = "") -> Any:
        """Draw the default graph, or the part of it that computes the given tensors or ops."""
        args = _parse(self.graph, line, "%graph")
        if args.reset:
            try:
                self.notebook.reset()
            except ValueError as problem:
                raise UsageError(f"%graph: {problem}") from None
            return None
        request = GraphRequest(target=self._target(args.target), values=args.values,
                               trace=args.trace, depth=args.depth, expand=tuple(args.expand),
                               rankdir=args.rankdir, format=args.format, output=args.output,
                               show_all=args.all, max_nodes=args.max_nodes,
                               feed_dict=self._feed(args.feed), file=args.file)
        _check_counts(args)
        try:
            view = self.notebook.draw(request)
        except (ValueError, TypeError, OSError) as problem:
            raise UsageError(f"%graph: {problem}") from None
        except (backends.RendererUnavailable, backends.RenderFailed) as problem:
            raise UsageError(f"%graph: cannot save {args.output}: {problem} (a .dot file name "
                             "saves the DOT source)") from None
        except Exception as problem:  # noqa: BLE001 - e.g. a target object's own broken method
            raise UsageError(f"%graph: {type(problem).__name__}: {problem}") from None
        if args.output:
            print(f"%graph: saved the drawing to {os.path.abspath(args.output)}")
        return view

    def _feed(self, name: Optional[str]) -> Optional[dict]:
        if name is None:
            return None
        feed = self._target([name])
        if not isinstance(feed, dict):
            raise UsageError(f"%graph: --feed {name} must name a feed dict, got "
                             f"{type(feed).__name__}")
        return feed

    def _target(self, words: list) -> Any:
        if not words:
            return None
        expression = " ".join(words)
        try:
            return self.shell.ev(expression)
        except Exception as problem:  # noqa: BLE001 - any user expression may fail
            raise UsageError(f"%graph: cannot evaluate {expression!r}: "
                             f"{type(problem).__name__}: {problem}") from None

    @magic_arguments()
    @argument("-n", "--name", default="sess", help="Name the cell's session gets (default sess).")
    @argument("--keep", action="store_true", help="Leave the session open after the cell.")
    @argument("--no-graph", action="store_true", help="Do not draw the cell's graph.")
    @argument("--trace", action="store_true", help="Draw per-op times of the cell's runs.")
    @cell_magic
    def session(self, line: str, cell: str) -> None:
        """Run the cell with a fresh Graph as default and a Session on it named sess."""
        args = _parse(self.session, line, "%%session")
        namespace = self.shell.user_ns
        _check_session_name(args.name, namespace)
        name_was_bound, before = args.name in namespace, namespace.get(args.name)
        with self.notebook.cell_session(trace=args.trace) as sess:
            namespace[args.name] = sess
            self.shell.run_cell(cell, store_history=False)
        view = None if args.no_graph else self.notebook.cell_view(sess)
        if not args.keep:
            sess.close()
            if name_was_bound and namespace.get(args.name) is sess:
                namespace[args.name] = before  # NOTE: the user's own `sess` comes back
        if view is not None:
            self.shell.display_pub.publish(view._repr_mimebundle_())

    # --- events ----------------------------------------------------------------------------

    def pre_run_cell(self, info: Any) -> None:
        self.notebook.history.before_cell(getattr(info, "cell_id", None) or info.raw_cell)

    def post_run_cell(self, result: Any) -> None:
        notice = self.notebook.history.after_cell()
        if notice:
            print(notice)

    def show_error(self, shell: Any, etype: type, value: BaseException, tb: Any,
                   tb_offset: Optional[int] = None) -> Any:
        """Show a runtime error, or an error session_magic raised about its arguments (a feed
        of the wrong shape), with the user's frames only: no library or kernel frames. Any
        other error is shown as IPython always shows it."""
        ours = isinstance(value, errors.OpError) or (
            _raised_inside_package(tb) and not isinstance(value, UsageError))
        if not ours:
            shell.showtraceback(running_compiled_code=True)
            return []
        frames = traceback_of(tb, outside_package)
        structured = shell.InteractiveTB.structured_traceback(etype, value, frames,
                                                              tb_offset=tb_offset)
        # NOTE: IPython's run_code discards what a custom handler returns: show it here.
        shell._showtraceback(etype, value, structured)
        return []

    def cell_location(self, filename: str, lineno: int) -> Optional[str]:
        named = self.shell.compile.format_code_name(filename)
        return f"cell {named[1]}, line {lineno}" if named else None


def _raised_inside_package(tb: Any) -> bool:
    """Was the error raised by session_magic's own code (its innermost frame ours)?"""
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return not outside_package(tb.tb_frame.f_code.co_filename)


def _parse(magic: Any, line: str, usage: str) -> Any:
    """The magic's arguments; a bad one is a UsageError that names the magic."""
    try:
        return parse_argstring(magic, line)
    except (UsageError, ValueError) as problem:  # NOTE: ValueError: shlex's unclosed quote
        raise UsageError(f"{usage}: {problem}") from None


def _check_session_name(name: str, namespace: dict) -> None:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("__"):
        raise UsageError(f"%%session: -n needs a Python name, got {name!r}")
    if isinstance(namespace.get(name), types.ModuleType):
        raise UsageError(f"%%session: -n {name} would replace the module {name} in your "
                         "namespace; choose another name")


def _check_counts(args: Any) -> None:
    if args.depth is not None and args.depth < 0:
        raise UsageError(f"%graph: --depth must be 0 or more, got {args.depth}")
    if args.max_nodes is not None and args.max_nodes < 1:
        raise UsageError(f"%graph: --max-nodes must be 1 or more, got {args.max_nodes}")


def _plain_help(magic: Any, usage: str) -> None:
    """`%graph?` as text a person reads: without the reST `::` that magic_arguments writes, and
    with a cell magic's own `%%`."""
    text = magic.__doc__.replace("::\n\n", "", 1)
    magic.__doc__ = text.replace(f"%{usage.lstrip('%')} ", f"{usage} ", 1)


_plain_help(SessionMagics.graph, "%graph")
_plain_help(SessionMagics.session, "%%session")


# --- load / unload --------------------------------------------------------------------------

_EVENTS = ("pre_run_cell", "post_run_cell")


def load_ipython_extension(ip: Any) -> None:
    """Register the magics and events, install an interactive session, warm the renderer."""
    magics = SessionMagics(ip, Notebook())
    ip.register_magics(magics)  # NOTE: Magics.__init__ already joined ip.configurables
    for event in _EVENTS:
        ip.events.register(event, getattr(magics, event))
    magics._previous_custom_exc = (ip.custom_exceptions, ip.CustomTB)
    ip.set_custom_exc((Exception,), magics.show_error)
    errors.set_location_formatter(magics.cell_location)
    formatter = ip.display_formatter.mimebundle_formatter
    magics._previous_printers = {kind: formatter.for_type(kind, magics.notebook.display_bundle)
                                 for kind in DRAWN_TYPES}
    magics.notebook.install_session()
    if "image/svg+xml" in ip.display_formatter.active_types:
        backends.warm_up()


def unload_ipython_extension(ip: Any) -> None:
    """Undo everything `load_ipython_extension` did."""
    magics = ip.magics_manager.registry.pop("SessionMagics", None)
    if magics is None:
        return
    ip.magics_manager.magics["line"].pop("graph", None)
    ip.magics_manager.magics["cell"].pop("session", None)
    if magics in ip.configurables:
        ip.configurables.remove(magics)
    for event in _EVENTS:
        try:
            ip.events.unregister(event, getattr(magics, event))
        except ValueError:
            pass
    custom_exceptions, custom_tb = magics._previous_custom_exc
    ip.custom_exceptions, ip.CustomTB = custom_exceptions, custom_tb
    errors.set_location_formatter(None)
    formatter = ip.display_formatter.mimebundle_formatter
    for kind, previous in magics._previous_printers.items():
        formatter.pop(kind, None)
        if previous is not None:
            formatter.for_type(kind, previous)
    magics.notebook.release_session()
