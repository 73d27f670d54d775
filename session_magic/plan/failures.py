"""A failed run as the user should see it: which op failed (from the generated code's line),
the OpError class TF would raise, and a Ctrl-C that says where the run stopped.
"""
from __future__ import annotations

from typing import Any, NoReturn, Optional, Sequence

from .. import errors
from ..graph import Operation
from ..ops.registry import OPS

__all__ = ["raise_translated", "failing_op", "locate_interrupt"]


def raise_translated(failure: Exception, fetches: Sequence[Any],
                     op: Optional[Operation]) -> NoReturn:
    """Raise a run's `failure` as TF would: an OpError of the right class naming `op`, the op
    that failed (a py_func's own error chained); an InternalError when no op is to blame."""
    if already_located(failure):
        raise failure  # NOTE: a control-flow body already named its own failing op.
    if op is None:
        if isinstance(failure, errors.OpError):
            raise failure
        raise errors.InternalError(
            None, None, f"session_magic failed inside the compiled plan for "
            f"{described(fetches)}: {type(failure).__name__}: {failure}. This is a "
            "bug in session_magic; please report it with the graph.") from failure
    if isinstance(failure, errors.OpError):
        message = failure.message
    else:
        message = f"{op.type} failed: {type(failure).__name__}: {failure}"
    user_code = OPS[op._type].runs_user_code
    errors.raise_op_error(errors.error_class_for(failure, user_code), op, message,
                          failure if user_code else None)
    raise AssertionError("unreachable")  # NOTE: raise_op_error always raises


def failing_op(failure: BaseException, code: Any, line_ops: dict) -> Optional[Operation]:
    traceback = failure.__traceback__
    op = None
    while traceback is not None:
        if traceback.tb_frame.f_code is code:
            op = line_ops.get(traceback.tb_lineno)
        traceback = traceback.tb_next
    return op


def locate_interrupt(interrupt: KeyboardInterrupt, op: Optional[Operation]) -> None:
    """Say in a Ctrl-C where the run was and that it changed nothing. The innermost plan that
    knows the op it stopped in (a control-flow body's) says it first."""
    if getattr(interrupt, "_op", None) is not None:
        return
    if not hasattr(interrupt, "_op"):
        interrupt._said = f": {interrupt}" if interrupt.args else ""
    interrupt._op = op
    where = f" in {op.type} op '{op.name}' (defined at {errors.op_location(op)})" if op else ""
    interrupt.args = (f"run interrupted{where}; no variable was changed{interrupt._said}",)


def already_located(failure: Exception) -> bool:
    return isinstance(failure, errors.OpError) and "\n\t [[node " in failure.message


def described(fetches: Sequence[Any]) -> str:
    names = [f"'{fetch.name}'" for fetch in fetches[:3]]
    return ", ".join(names) + (f" and {len(fetches) - 3} more" if len(fetches) > 3 else "")
