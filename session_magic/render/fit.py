"""Fitting a drawing to the notebook: lay it out, and while it is wider than the output area
(about 1,000 px at natural size) or taller than about 1,600 px, collapse one more level or turn
its rank direction and lay it out again, rather than make the reader scroll sideways.

Lays out with the configured renderer (each layout is cached there, so showing the fitted
drawing costs nothing more); without one the first drawing is kept as it is.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Optional

from .backends import RendererUnavailable, RenderFailed, render_svg
from .dot import DrawOptions

__all__ = ["fitted", "svg_size", "MAX_WIDTH_PX", "MAX_HEIGHT_PX"]

MAX_WIDTH_PX = 1000   # NOTE: JupyterLab's output area is about 1,220 px, 968 with the file browser
MAX_HEIGHT_PX = 1600
_SIZE = re.compile(r'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"', re.S)
_BUDGETS = (20, 10, 5)


def svg_size(svg: str) -> Optional[tuple]:
    """(width, height) in CSS pixels of an SVG Graphviz wrote (in points), or None."""
    match = _SIZE.search(svg)
    if match is None:
        return None
    return float(match.group(1)) * 4 / 3, float(match.group(2)) * 4 / 3


def fitted(options: DrawOptions, dot_for: Callable[[DrawOptions], str]) -> str:
    """The DOT of the first of `options`' tightening variants whose layout fits, or of the one
    that overflows least; `dot_for(options)` writes the DOT for one variant."""
    source = dot_for(options)
    size = _laid_out(source)
    if size is None or _fits(size):
        return source
    best = (_overflow(size), source)
    for variant in _variants(options, size):
        candidate = dot_for(variant)
        size = _laid_out(candidate)
        if size is None:
            break
        if _fits(size):
            return candidate
        best = min(best, (_overflow(size), candidate), key=lambda pair: pair[0])
    return best[1]


def _variants(options: DrawOptions, size: tuple) -> list:
    """Smaller budgets (fewer open scopes and series); for a wide and short drawing first its
    rank direction turned, which trades width for height."""
    variants = [replace(options, max_nodes=budget) for budget in _BUDGETS
                if budget < options.max_nodes]
    width, height = size
    if options.rankdir in ("TB", "BT") and height * 2 < MAX_HEIGHT_PX:
        turned = "LR" if options.rankdir == "TB" else "RL"
        variants.insert(0, replace(options, rankdir=turned))
    return variants


def _laid_out(source: str) -> Optional[tuple]:
    try:
        return svg_size(render_svg(source))
    except (RendererUnavailable, RenderFailed):
        return None


def _fits(size: tuple) -> bool:
    return size[0] <= MAX_WIDTH_PX and size[1] <= MAX_HEIGHT_PX


def _overflow(size: tuple) -> float:
    return max(size[0] / MAX_WIDTH_PX, size[1] / MAX_HEIGHT_PX)
