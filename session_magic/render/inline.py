"""The `text/html` form of a drawing, for front ends that would show `image/svg+xml` as an
`<img>` (JupyterLab, Notebook 7): the SVG inline, so its tooltips work, in the front end's
theme colours (JupyterLab's `--jp-*` variables, VS Code's dark body class), light otherwise.

A notebook opened untrusted has its HTML sanitized: the `<style>` and the inline `<svg>` go,
so the SVG sits in a `hidden` block that only the style shows, beside a `data:` image of the
same drawing that the style hides; sanitized, the image is what remains.
"""
from __future__ import annotations

import base64
import html
import re

__all__ = ["html_form"]

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# NOTE: Graphviz titles each node and edge with its DOT id (`n3`, `n3->n5`); the words a
# reader wants are the `xlink:title` tooltips, which a browser shows only without these.
_ID_TITLE = re.compile(r"<title>[^<]*</title>")
_DARK = ('body[data-jp-theme-light="false"] .sm-drawing', "body.vscode-dark .sm-drawing")
_DARK_RULES = {
    "svg .graph > polygon": "fill: var(--jp-layout-color0, #1e1e1e)",
    "svg .graph > text": "fill: var(--jp-ui-font-color2, #b8b8b8)",
    "svg .cluster path, {d} svg .cluster polygon":
        "fill: var(--jp-layout-color1, #20262e); stroke: #4d6587",
    "svg .cluster text": "fill: var(--jp-ui-font-color1, #dddddd)",
    "svg .node text": "fill: var(--jp-ui-font-color1, #e6e6e6)",
    "svg .edge path": "stroke: var(--jp-ui-font-color2, #a8a8a8)",
    "svg .edge polygon": "fill: var(--jp-ui-font-color2, #a8a8a8); "
                         "stroke: var(--jp-ui-font-color2, #a8a8a8)",
    "svg .edge text": "fill: var(--jp-ui-font-color2, #b8b8b8)",
}
_DARK_FILLS = {  # node class: (fill, stroke)
    "sm-op": ("var(--jp-layout-color2, #2e2e2e)", "#9a9a9a"),
    "sm-placeholder": ("#1d3a5c", "#6fa8e6"), "sm-variable": ("#5a4220", "#d39a52"),
    "sm-const": ("#3a3a3a", "#8a8a8a"), "sm-control": ("#3d2f57", "#a98ad6"),
    "sm-state": ("#4a3119", "#e08a3c"), "sm-scope": ("#22354d", "#7d9cc6"),
    "sm-series": ("#26313f", "#7d9cc6"), "sm-aside": ("#2b2b2b", "#8a8a8a"),
}


def html_form(svg: str, alt: str) -> str:
    """The drawing `svg` as HTML: inline and themed, with a sanitizer-proof image fallback."""
    inline = _ID_TITLE.sub("", _COMMENT.sub("", _PROLOG.sub("", svg, count=1)))
    image = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<div class="sm-drawing"><style>{_STYLE}</style>'
            f'<div class="sm-live" hidden="hidden">{inline}</div>'
            f'<img class="sm-fallback" alt="{html.escape(alt)}" '
            f'src="data:image/svg+xml;base64,{image}"/></div>')


def _dark_style() -> str:
    rules = []
    for scope in _DARK:
        for selector, body in _DARK_RULES.items():
            rules.append(f"{scope} {selector.format(d=scope)} {{{body}}}")
        for kind, (fill, stroke) in _DARK_FILLS.items():
            shapes = ", ".join(f"{scope} svg .node.{kind}:not(.sm-timed) {shape}"
                               for shape in ("polygon", "path", "ellipse"))
            rules.append(f"{shapes} {{fill: {fill}; stroke: {stroke}}}")
        rules.append(f"{scope} svg .node.sm-timed text {{fill: #1e1e1e}}")
        rules.append(", ".join(f"{scope} svg .node.sm-fetched {shape}"
                               for shape in ("polygon", "path", "ellipse"))
                     + " {stroke: #ff5c93 !important}")
        rules.append(f"{scope} svg .node.sm-faded text {{fill: #8a8a8a}}")
    return "".join(rules)


_STYLE = (".sm-drawing .sm-live {display: block !important; overflow-x: auto}"
          ".sm-drawing .sm-live + img.sm-fallback {display: none}" + _dark_style())
