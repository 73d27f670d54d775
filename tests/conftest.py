"""Each test starts with a fresh default graph and no default session on its thread."""
import pytest

from session_magic import defaults
from session_magic import graph as _graph
from session_magic import session as _session


@pytest.fixture(autouse=True)
def fresh_default_graph():
    defaults.graph_stack.stack.clear()
    defaults.session_stack.stack.clear()
    _graph.reset_default_graph()
    yield
    defaults.graph_stack.stack.clear()
    defaults.session_stack.stack.clear()
    _session.InteractiveSession._active_session_count = 0
