"""The extension's logic without IPython: cell history, %%session views, values and traces."""
import re
import warnings

import pytest

import session_magic as tf
from session_magic.notebook import CellHistory, GraphRequest, Notebook


def node_line(source, label_start):
    """The DOT statement of the node whose label's first line is `label_start`."""
    for line in source.splitlines():
        if re.search(r'label="' + re.escape(label_start) + r'(\\n|")', line):
            return line
    raise AssertionError(f"no node labelled {label_start!r} in:\n{source}")


def test_a_rerun_cell_supersedes_its_earlier_ops_and_notices_once():
    history = CellHistory()
    notices = []
    for _ in range(3):
        history.before_cell("cell-1")
        tf.constant(1.0, name="x")
        notices.append(history.after_cell())
    assert notices[0] is None and "ran again" in notices[1] and notices[2] is None
    assert {op.name for op in history.superseded()} == {"x", "x_1"}


def test_cells_that_build_nothing_or_other_cells_supersede_nothing():
    history = CellHistory()
    for key in ("a", "b", "a"):
        history.before_cell(key)
        if key == "b":
            tf.constant(1)
        assert history.after_cell() is None
    assert not history.superseded()


def test_superseded_ops_still_used_by_live_ops_stay_drawn():
    history = CellHistory()
    history.before_cell("define")
    x = tf.constant(1.0, name="x")
    history.after_cell()
    tf.multiply(x, 2.0, name="uses_old_x")
    history.before_cell("define")
    tf.constant(1.0, name="x")
    history.after_cell()
    source = Notebook().draw(GraphRequest()).source
    assert "uses_old_x" in source and 'label="x' in source


def test_session_cell_view_emphasises_fetches_and_fades_unneeded_ops():
    notebook = Notebook()
    with notebook.cell_session() as sess:
        a = tf.constant(1.0, name="a")
        used = tf.add(a, 1.0, name="used")
        tf.multiply(a, 3.0, name="unused")
        sess.run(used)
    source = notebook.cell_view(sess).source
    assert "penwidth" in node_line(source, "used")
    assert "#a0a0a0" in node_line(source, "unused")
    assert "#a0a0a0" not in node_line(source, "used")


def test_session_cell_restores_the_defaults_even_when_the_cell_fails():
    notebook = Notebook()
    outer = tf.get_default_graph()
    with pytest.raises(ZeroDivisionError):
        with notebook.cell_session():
            tf.constant(1)
            raise ZeroDivisionError("the cell failed")
    assert tf.get_default_graph() is outer and tf.get_default_session() is None


def test_reset_replaces_graph_and_interactive_session():
    notebook = Notebook()
    first = notebook.install_session()
    old_graph = tf.get_default_graph()
    second = notebook.reset()
    assert first.closed and not second.closed
    assert tf.get_default_graph() is not old_graph
    assert tf.get_default_session() is second


def test_install_session_does_not_warn_when_a_program_makes_its_own():
    notebook = Notebook()
    notebook.install_session()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mine = tf.InteractiveSession()
    mine.close()
    assert tf.get_default_session() is notebook.auto_session
    notebook.release_session()


def test_values_and_trace_need_a_session_on_that_graph():
    tf.constant(1.0, name="c")
    with pytest.raises(ValueError, match="there is none"):
        Notebook().draw(GraphRequest(values=True))

