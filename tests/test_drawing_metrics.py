"""The drawing benchmark's measuring functions (benchmarks/drawings.py) on hand-made SVG snippets:
they must not depend on session_magic's drawing rules, only on what an SVG says."""
import importlib.util
import math
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "drawings.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmarks_drawings", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # NOTE: dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


drawings = _load_script()


def svg(*edges, width="100pt", height="100pt", view_box="0.00 0.00 100.00 100.00",
        transform="scale(1 1) rotate(0) translate(0 100)", extra=""):
    """A Graphviz-shaped SVG: one <g class="edge"> per (title, d), a node for each name."""
    names = sorted({end for title, _ in edges for end in title.split("->")})
    nodes = "".join(f'<g class="node"><title>{name}</title></g>' for name in names)
    edge_groups = "".join(f'<g class="edge"><title>{title.replace(">", "&gt;")}</title>'
                          f'<path fill="none" d="{d}"/></g>' for title, d in edges)
    return (f'<svg width="{width}" height="{height}" viewBox="{view_box}" '
            f'xmlns="http://www.w3.org/2000/svg"><g id="graph0" class="graph" '
            f'transform="{transform}">{nodes}{edge_groups}{extra}</g></svg>')


def line(x0, y0, x1, y1):
    """A straight path as Graphviz writes every edge: M, then one cubic Bézier."""
    return (f"M{x0},{y0}C{x0 + (x1 - x0) / 3},{y0 + (y1 - y0) / 3} "
            f"{x0 + 2 * (x1 - x0) / 3},{y0 + 2 * (y1 - y0) / 3} {x1},{y1}")


def test_two_crossing_curves_count_one_crossing():
    drawing = svg(("a->b", "M10,-90C30,-80 60,-30 90,-10"),
                  ("c->d", "M90,-90C60,-80 30,-30 10,-10"))
    assert drawings.measure(drawing)["crossings"] == 1


def test_parallel_curves_do_not_cross():
    drawing = svg(("a->b", "M10,-90C30,-80 60,-30 80,-10"),
                  ("c->d", "M20,-90C40,-80 70,-30 90,-10"))
    assert drawings.measure(drawing)["crossings"] == 0


def test_curves_meeting_only_at_their_shared_end_node_do_not_cross():
    drawing = svg(("a->c", "M10,-90C20,-60 40,-30 50,-10"),
                  ("b->c", "M90,-90C80,-60 60,-30 50,-10"))
    assert drawings.measure(drawing)["crossings"] == 0


def test_curves_touching_within_five_px_of_an_end_do_not_cross():
    # 3 pt = 4 px from b's end: distinct nodes, but they meet at an end point.
    drawing = svg(("a->b", line(10, -50, 50, -50)), ("c->d", line(47, -90, 47, -10)))
    assert drawings.measure(drawing)["crossings"] == 0


def test_a_pair_crossing_twice_counts_once():
    drawing = svg(("a->b", line(10, -50, 90, -50)),
                  ("c->d", "M20,-90C20,20 80,20 80,-90"))
    assert drawings.measure(drawing)["crossings"] == 1


@pytest.mark.parametrize("degrees, counted", [(10, 0), (14, 0), (16, 1), (45, 1), (90, 1)])
def test_only_crossings_at_fifteen_degrees_or_more_count(degrees, counted):
    dx, dy = 40 * math.cos(math.radians(degrees)), 40 * math.sin(math.radians(degrees))
    drawing = svg(("a->b", line(0, -50, 100, -50)),
                  ("c->d", line(50 - dx, -50 - dy, 50 + dx, -50 + dy)))
    assert drawings.measure(drawing)["crossings"] == counted


def test_size_in_pt_converts_to_css_px():
    figures = drawings.measure(svg(width="138pt", height="98pt",
                                   view_box="0.00 0.00 138.00 98.00"))
    assert figures["width_px"] == pytest.approx(184.0)
    assert figures["height_px"] == pytest.approx(98 * 4 / 3)


@pytest.mark.parametrize("length, pixels", [("138pt", 184.0), ("200px", 200.0), ("1in", 96.0),
                                            ("75", 75.0)])
def test_svg_lengths_convert_to_css_px(length, pixels):
    assert drawings.length_px(length) == pytest.approx(pixels)


def test_font_size_takes_the_root_scale_and_pt_to_px_into_account():
    label = '<g class="node"><title>n</title><text font-size="10.00">n</text></g>'
    plain = svg(extra=label)
    halved = svg(width="50pt", height="50pt", view_box="0.00 0.00 50.00 50.00",
                 transform="scale(0.5 0.5) rotate(0) translate(0 100)", extra=label)
    assert drawings.measure(plain)["min_font_px"] == pytest.approx(10 * 4 / 3)
    assert drawings.measure(halved)["min_font_px"] == pytest.approx(10 * 0.5 * 4 / 3)


def test_endpoint_margin_is_in_px_after_the_root_scale():
    # 6 pt from b's end at scale 1 is 8 px (counted); at scale 0.5 it is 4 px (not counted).
    edges = (("a->b", line(10, -50, 50, -50)), ("c->d", line(44, -90, 44, -10)))
    assert drawings.measure(svg(*edges))["crossings"] == 1
    assert drawings.measure(svg(*edges, width="50pt", height="50pt",
                                view_box="0.00 0.00 50.00 50.00",
                                transform="scale(0.5 0.5) translate(0 100)"))["crossings"] == 0


def test_nodes_edges_and_clusters_are_counted():
    cluster = '<g class="cluster"><title>cluster_x</title></g>'
    figures = drawings.measure(svg(("a->b", line(0, -90, 0, -10)), ("b->c", line(0, -9, 0, -1)),
                                   extra=cluster))
    assert (figures["nodes"], figures["edges"], figures["clusters"]) == (3, 2, 1)
