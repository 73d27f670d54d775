"""What the notebook extension does, as plain classes: the auto-installed interactive session,
`%graph`'s drawing with values and traces, `%%session`'s cell graph, the display of graphs,
tensors, ops and variables, and the history of which cell built which ops (whose superseded
copies every drawing hides). Knows nothing of IPython: magics.py parses and delegates here.
"""
from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from . import snapshot
from .defaults import get_default_session
from .graph import Graph, Operation, Tensor, get_default_graph, reset_default_graph
from .render import GraphView, draw, mimebundle
from .render.dot import select_ops
from .session import InteractiveSession, Session
from .variables import Variable

__all__ = ["Notebook", "CellHistory", "GraphRequest", "DRAWN_TYPES"]

DRAWN_TYPES = (Graph, Tensor, Operation, Variable)  # what displays as a drawing

_REPEAT_NOTICE = ("session_magic: this cell ran again and built {new} new op(s); %graph now "
                  "hides the {old} op(s) its earlier run built (%graph --all shows them).")


class CellHistory:
    """Which ops each cell execution built, so a re-run cell's older copies can be hidden."""

    def __init__(self) -> None:
        self._built: dict[Any, tuple[Graph, list[Operation]]] = {}
        self._pending: Optional[tuple[Any, Graph, int]] = None
        self._noticed = False
        # NOTE: weak, so a graph reset away is freed with its ops
        self._superseded: weakref.WeakSet = weakref.WeakSet()

    def before_cell(self, key: Any) -> None:
        graph = get_default_graph()
        self._pending = (key, graph, graph.version)

    def after_cell(self) -> Optional[str]:
        """Record the finished cell; returns a one-time notice when it superseded older ops."""
        if self._pending is None:
            return None
        key, graph, start = self._pending
        self._pending = None
        if get_default_graph() is not graph:
            graph, start = get_default_graph(), 0
        built = graph.get_operations()[start:]
        if not built:
            return None
        earlier = self._built.get(key)
        self._built[key] = (graph, built)
        if earlier is None or earlier[0] is not graph:
            return None
        self._superseded.update(earlier[1])
        if self._noticed:
            return None
        self._noticed = True
        return _REPEAT_NOTICE.format(new=len(built), old=len(earlier[1]))

    def superseded(self) -> frozenset:
        """The ops that re-run cells replaced: drawings hide them."""
        return frozenset(self._superseded)

    def clear(self) -> None:
        self._built.clear()
        self._superseded.clear()
        self._pending = None


@dataclass
class GraphRequest:
    """What `%graph` was asked to draw, already parsed."""

    target: Any = None
    values: bool = False
    trace: bool = False
    depth: Optional[int] = None
    expand: tuple = ()
    rankdir: str = "TB"
    format: str = "svg"
    output: Optional[str] = None
    show_all: bool = False
    max_nodes: Optional[int] = None
    feed_dict: Optional[dict] = None   # None: the feeds of the session's last run
    file: Optional[str] = None         # a GraphDef file to draw instead of a graph here


class Notebook:
    """The extension's state: its interactive session and cell history."""

    def __init__(self) -> None:
        self.history = CellHistory()
        self.auto_session: Optional[InteractiveSession] = None

    def install_session(self) -> Optional[InteractiveSession]:
        """An InteractiveSession on the default graph, unless the user already has a default."""
        if get_default_session() is None:
            self.auto_session = InteractiveSession(_counted=False)
        return self.auto_session

    def release_session(self) -> None:
        if self.auto_session is not None:
            self.auto_session.close()
            self.auto_session = None

    def reset(self) -> InteractiveSession:
        """A new empty default graph and a fresh interactive session on it; refused, changing
        nothing, inside a `%%session` cell or a `with graph.as_default():` block."""
        try:
            reset_default_graph()
        except AssertionError:
            raise ValueError("--reset starts a new default graph, which cannot be done inside a "
                             "%%session cell or a `with graph.as_default():` block: run it in a "
                             "cell of its own.") from None
        self.release_session()
        default = get_default_session()
        if isinstance(default, InteractiveSession):
            default.close()
        self.history.clear()
        self.auto_session = InteractiveSession(_counted=False)
        return self.auto_session

    def draw(self, request: GraphRequest) -> GraphView:
        """The view `%graph` shows (and saves, with an output path)."""
        target = request.target if request.target is not None else get_default_graph()
        if request.file is not None:
            if request.target is not None or request.values or request.trace:
                raise ValueError("--file draws the file's graph as it is: give no target, "
                                 "--values or --trace with it")
            target = graph_from_file(request.file)
        hidden = frozenset() if request.show_all else self.history.superseded()
        options = dict(rankdir=request.rankdir, depth=request.depth, expand=request.expand,
                       hidden=hidden, max_nodes=request.max_nodes)
        if request.values or request.trace:
            look = self._evaluate(target, request)
            options.update(values=look.values if request.values else None,
                           timings=look.seconds if request.trace else None,
                           unevaluated=look.skipped)
        view = draw(target, with_outline=True, **options)
        if request.format == "dot":
            view = GraphView(view.source, repr(view), format="dot")
        if request.output:
            view.save(request.output)
        return view

    def display_bundle(self, target: Any) -> dict:
        """How a Graph, Tensor, Operation or Variable shows itself in the notebook: its
        drawing without the ops re-run cells superseded, and TF's repr."""
        return mimebundle(target, repr(target), hidden=self.history.superseded())

    def _evaluate(self, target: Any, request: GraphRequest) -> snapshot.Snapshot:
        """One uncommitted run of the drawing's tensors with the default session, fed what the
        request names or else what the session's last run was fed."""
        graph, ops, _ = select_ops(target)
        session = get_default_session()
        if session is None or session.graph is not graph or session.closed:
            problem = ("there is none" if session is None else "it is closed" if session.closed
                       else "its graph is another one")
            raise ValueError(f"--values and --trace evaluate with the default session, but "
                             f"{problem}: use %graph --reset, or build this graph's session "
                             "first.")
        tensors = [t for op in ops for t in op.outputs]
        if not tensors:
            return snapshot.Snapshot()
        feed_dict = request.feed_dict
        if feed_dict is None:
            feed_dict = {t: value for t, value in session.last_feed_dict().items()
                         if t.graph is graph}
        return snapshot.evaluate(session, tensors, feed_dict or None, trace=request.trace)

    @contextlib.contextmanager
    def cell_session(self, trace: bool = False) -> Iterator[Session]:
        """A fresh graph and a Session on it as the defaults, for one `%%session` cell."""
        graph = Graph()
        session = Session(graph=graph)
        if trace:
            session.collect_timings()
        with graph.as_default(), session.as_default():
            yield session

    def cell_view(self, session: Session) -> Optional[GraphView]:
        """The `%%session` drawing: fetched tensors stand out, ops no run needed are faded."""
        graph = session.graph
        if graph.version == 0:
            return None
        fetched, ran = _runs_of(session)
        faded = frozenset(op for op in graph.get_operations() if op not in ran)
        return draw(graph, fetched=fetched, faded=faded, timings=session.timings or None,
                    hidden=self.history.superseded())


def _runs_of(session: Session) -> tuple[frozenset, set]:
    fetched: set = set()
    ran: set = set()
    for run in session.compiled_runs():
        fetched.update(run.fetches)
        ran.update(run.ops)
        ran.update(t.op for t in run.fetches if isinstance(t, Tensor))
        ran.update(t.op for t in run.feeds)
    return frozenset(fetched), ran


def graph_from_file(path: str) -> Graph:
    """A GraphDef file (`.pb` binary or `.pbtxt` text, e.g. a frozen model) imported into a
    graph of its own, names unprefixed."""
    # NOTE: lazy: the protobuf codec and importer load only when a file is drawn
    from .interop.graph_def import import_graph_def, load_graph_def
    try:
        graph_def = load_graph_def(path)
    except ValueError as problem:
        raise ValueError(f"{path} is not a GraphDef file (.pb or .pbtxt): {problem}") from None
    graph = Graph()
    with graph.as_default():
        import_graph_def(graph_def, name="")
    return graph
