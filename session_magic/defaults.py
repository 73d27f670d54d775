"""The only global state, per thread as in TF 1: the default-graph and default-session stacks,
and evaluation with the default session (`Tensor.eval`, `Operation.run`).

TF 1 kept both stacks in its framework module; here they sit below graph.py and session.py,
which both build on them, so the graph never imports the executor. Knows neither class.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator, Optional

__all__ = ["DefaultStack", "graph_stack", "session_stack", "get_default_session",
           "session_for", "GRAPH_HINT"]

GRAPH_HINT = (" (This usually means the tensor was built after `reset_default_graph()` or "
              "inside another graph's `with graph.as_default():` block.)")


class DefaultStack(threading.local):
    """A thread's stack of defaults; the innermost entered is the default."""

    def __init__(self) -> None:
        self.stack: list = []
        self.global_default: Any = None  # the graph stack's default when nothing is entered

    def current(self) -> Any:
        stack = self.stack
        return stack[-1] if stack else None

    @contextlib.contextmanager
    def entered(self, item: Any) -> Iterator[Any]:
        """Make `item` the default inside the `with` block (`Graph.as_default()`)."""
        stack = self.stack
        stack.append(item)
        try:
            yield item
        finally:
            if stack:  # NOTE: empty after a reset, as TF allows.
                if stack[-1] is not item:
                    raise AssertionError("Nesting violated for default stack of "
                                         f"{type(item)} objects")
                stack.pop()

    def remove_last(self, item: Any) -> None:
        """Take the innermost entry of `item` off the stack (a closed InteractiveSession)."""
        stack = self.stack
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is item:
                del stack[i]
                return


graph_stack = DefaultStack()
session_stack = DefaultStack()


def get_default_session() -> Any:
    """The innermost session entered with `as_default()` on this thread, or None."""
    return session_stack.current()


def session_for(element: Any, session: Any, method: str) -> Any:
    """The session `element.eval()` (method "eval") or `element.run()` should use: `session`,
    else the default one; TF's errors when there is none that fits."""
    _check_session(session, method)
    what, verb = ("tensor", "evaluate") if method == "eval" else ("operation", "execute")
    if session is None:
        session = get_default_session()
        if session is None:
            colon = "" if what == "tensor" else ":"
            raise ValueError(f"Cannot {verb} {what} using `{method}()`: No default session is "
                             f"registered. Use `with sess.as_default(){colon}` or pass an explicit "
                             f"session to `{method}(session=sess)`")
        if session.graph is not element.graph:
            quote = "`" if what == "tensor" else ""  # NOTE: TF's two texts differ just so.
            raise ValueError(f"Cannot use the default session to {verb} {what}: the "
                             f"{what}'s graph is different from the session's graph. Pass an "
                             f"explicit session to {quote}{method}(session=sess){quote}."
                             + GRAPH_HINT)
    elif session.graph is not element.graph:
        raise ValueError(f"Cannot use the given session to {verb} {what}: the {what}'s "
                         "graph is different from the session's graph." + GRAPH_HINT)
    return session


def _check_session(session: Optional[Any], method: str) -> None:
    """`session=` is a session or None; anything else would fail deep inside with an
    AttributeError naming no argument. A session is what runs a graph: TF 1's wrapped
    sessions (a MonitoredSession) pass as well as Session itself."""
    if session is not None and not (callable(getattr(session, "run", None))
                                    and hasattr(session, "graph")):
        raise TypeError(f"The session passed to `{method}(session=...)` must be a tf.Session, "
                        f"got {session!r} of type {type(session).__name__}")
