"""Drawing graphs: DOT text from render.dot (fitted to a notebook by render.fit), SVG from
render.backends, and GraphView to show it: as `image/svg+xml`, and as `text/html` with the SVG
inline and themed (render.inline), which JupyterLab prefers.

Never runs a graph and never raises where a picture belongs: without a renderer a view shows its
DOT source and one line on how to get pictures. Imports neither IPython nor wasmtime until a
picture is actually asked for (nothing imports this package until something is drawn).
"""
from __future__ import annotations

import html
import os
import sys
from typing import Any, Optional

from .backends import RendererUnavailable, RenderFailed, config, render_svg
from .dot import DrawOptions, outline, select_ops, to_dot
from .fit import fitted
from .inline import html_form

__all__ = ["GraphView", "draw", "mimebundle", "SVG_MIME"]

SVG_MIME = "image/svg+xml"
HTML_MIME = "text/html"


class GraphView:
    """A drawing of (part of) a graph: `.source` is its DOT text, `.svg()` the picture."""

    def __init__(self, source: str, text: str = "", format: str = "svg") -> None:
        if format not in ("svg", "dot"):
            raise ValueError(f"format must be 'svg' or 'dot', got {format!r}")
        self._source = source
        self._text = text or "<graph drawing>"
        self._format = format

    @property
    def source(self) -> str:
        return self._source

    def svg(self) -> str:
        """The SVG text (raises RendererUnavailable / RenderFailed when it cannot be drawn)."""
        return render_svg(self._source)

    def save(self, path: Any) -> str:
        """Write the drawing: `.svg` as a picture, `.dot`/`.gv` as DOT source. Returns the path."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower()
        if suffix not in (".svg", ".dot", ".gv"):
            raise ValueError(f"Cannot save a drawing as {suffix or 'a file without a suffix'!r}: "
                             "use a .svg or .dot file name.")
        content = self.svg() if suffix == ".svg" else self._source
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
        return path

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        if self._format == "dot":
            return {"text/plain": self._source}
        return _bundle(self, self._text, include)

    def __repr__(self) -> str:
        return self._text


def _bundle(view: GraphView, text: str, include: Any) -> dict:
    if not _wants_svg(include):
        return {"text/plain": text}
    try:
        svg = view.svg()
    except (RendererUnavailable, RenderFailed) as problem:
        return _source_bundle(view, text, str(problem))
    bundle = {"text/plain": text, SVG_MIME: svg}
    if include is None or HTML_MIME in include:
        bundle[HTML_MIME] = html_form(svg, text.split("\n", 1)[0])
    return bundle


def _source_bundle(view: GraphView, text: str, problem: str) -> dict:
    plain = f"{text}\n{problem}\n{view.source}"
    page = (f"<p>{html.escape(problem)}</p><details><summary>DOT source</summary>"
            f"<pre>{html.escape(view.source)}</pre></details>")
    return {"text/plain": plain, "text/html": page}


def _wants_svg(include: Any) -> bool:
    """Does the front end show SVG? A terminal IPython shows text only, so no layout runs."""
    if include is not None:
        return SVG_MIME in include
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return True
    return SVG_MIME in getattr(shell.display_formatter, "active_types", (SVG_MIME,))


def draw(target: Any, *, max_nodes: Optional[int] = None, fit: Optional[bool] = None,
         with_outline: bool = False, **options: Any) -> GraphView:
    """A view of `target` (a Graph, Tensor, Operation, Variable, or a list of them).

    Unless the layout is pinned (`max_nodes`, `depth`, `expand`) or `fit=False`, a drawing
    wider or taller than a notebook shows is collapsed further until it fits (fit.py). With
    `with_outline` its text form (what a terminal shows) is an outline of the graph, not the
    target's repr.
    """
    graph, ops, fetched = select_ops(target)
    hidden = frozenset(options.pop("hidden", ()))
    fetched = frozenset(options.pop("fetched", ())) or fetched
    if fit is None:
        fit = max_nodes is None and options.get("depth") is None and not options.get("expand")
    settings = DrawOptions(max_nodes=max_nodes or config.max_nodes, hidden=hidden,
                           fetched=fetched, **options)

    def dot_for(variant: DrawOptions) -> str:
        return to_dot(graph, ops, variant)
    source = fitted(settings, dot_for) if fit else dot_for(settings)
    text = outline(graph, ops, settings) if with_outline else _describe(target, graph, ops)
    return GraphView(source, text=text)


def _describe(target: Any, graph: Any, ops: list) -> str:
    if isinstance(target, (list, tuple, dict)):
        return f"<drawing of {len(target)} fetches: {len(ops)} ops of {graph!r}>"
    return repr(target)


def mimebundle(obj: Any, text: str, include: Any = None, exclude: Any = None,
               **options: Any) -> dict:
    """The display bundle of a Graph, Tensor, Operation or Variable: its drawing (with `draw`'s
    `options`) and TF's repr."""
    if not _wants_svg(include) or (exclude is not None and SVG_MIME in exclude):
        return {"text/plain": text}
    try:
        view = draw(obj, **options)
    except Exception as problem:  # noqa: BLE001 - a display must show text, never a traceback
        return {"text/plain": f"{text}\n(could not draw: {type(problem).__name__}: {problem})"}
    return _bundle(view, text, include)
