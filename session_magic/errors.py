"""The OpError family (TF's runtime error classes) and "defined at" interpolation.

A runtime error names the op that failed and the user's file (or notebook cell) and line that
created it (frames.py decides which frames are the user's). Imports nothing from the package.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Optional

__all__ = [
    "OpError", "CancelledError", "UnknownError", "InvalidArgumentError", "DeadlineExceededError",
    "NotFoundError", "AlreadyExistsError", "PermissionDeniedError", "UnauthenticatedError",
    "ResourceExhaustedError", "FailedPreconditionError", "AbortedError", "OutOfRangeError",
    "UnimplementedError", "InternalError", "UnavailableError", "DataLossError",
    "InaccessibleTensorError", "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "UNAUTHENTICATED",
    "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
    "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "describe_location", "set_location_formatter",
]

OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED = 0, 1, 2, 3, 4
NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED = 5, 6, 7, 8
FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL = 9, 10, 11, 12, 13
UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED = 14, 15, 16


class OpError(Exception):
    """A failure while running an operation: `.op`, `.node_def`, `.message`, `.error_code`."""

    error_code = UNKNOWN

    def __init__(self, node_def: Any, op: Any, message: str, error_code: Optional[int] = None):
        super().__init__(message)
        self._node_def = node_def
        self._op = op
        self._message = message
        if error_code is not None:
            self.error_code = error_code

    @property
    def message(self) -> str:
        return self._message

    @property
    def op(self) -> Any:
        return self._op

    @property
    def node_def(self) -> Any:
        return self._node_def

    def __str__(self) -> str:
        return self._message

    def __reduce__(self) -> tuple:
        return type(self), (None, None, self._message)


def _subclass(name: str, code: int) -> type:
    def __init__(self: OpError, node_def: Any, op: Any, message: str, *args: Any) -> None:
        OpError.__init__(self, node_def, op, message, code)
    return type(name, (OpError,), {"__init__": __init__, "error_code": code,
                                   "__doc__": f"TF's {name} (error code {code})."})


CancelledError = _subclass("CancelledError", CANCELLED)
UnknownError = _subclass("UnknownError", UNKNOWN)
InvalidArgumentError = _subclass("InvalidArgumentError", INVALID_ARGUMENT)
DeadlineExceededError = _subclass("DeadlineExceededError", DEADLINE_EXCEEDED)
NotFoundError = _subclass("NotFoundError", NOT_FOUND)
AlreadyExistsError = _subclass("AlreadyExistsError", ALREADY_EXISTS)
PermissionDeniedError = _subclass("PermissionDeniedError", PERMISSION_DENIED)
UnauthenticatedError = _subclass("UnauthenticatedError", UNAUTHENTICATED)
ResourceExhaustedError = _subclass("ResourceExhaustedError", RESOURCE_EXHAUSTED)
FailedPreconditionError = _subclass("FailedPreconditionError", FAILED_PRECONDITION)
AbortedError = _subclass("AbortedError", ABORTED)
OutOfRangeError = _subclass("OutOfRangeError", OUT_OF_RANGE)
UnimplementedError = _subclass("UnimplementedError", UNIMPLEMENTED)
InternalError = _subclass("InternalError", INTERNAL)
UnavailableError = _subclass("UnavailableError", UNAVAILABLE)
DataLossError = _subclass("DataLossError", DATA_LOSS)


class InaccessibleTensorError(ValueError):
    """A tensor defined inside a control-flow function was used outside it."""


# NOTE: TF's py_func table (python/lib/core/py_func.cc): anything else is UnknownError.
_USER_CODE_CLASSES = {
    ValueError: InvalidArgumentError, TypeError: InvalidArgumentError,
    StopIteration: OutOfRangeError, MemoryError: ResourceExhaustedError,
    NotImplementedError: UnimplementedError,
}
_TOO_BIG = ("array is too big", "Maximum allowed dimension exceeded")


_INTERNAL_FAULTS = (NameError, AttributeError, AssertionError, RecursionError, SyntaxError)


def error_class_for(exc: BaseException, user_code: bool = False) -> type:
    """The OpError subclass that stands for a Python exception raised inside a kernel: for the
    user's code (a py_func) TF's table; for a NumPy kernel, the input it was given was bad
    (InvalidArgumentError), unless memory ran out."""
    if isinstance(exc, OpError):
        return type(exc)
    if isinstance(exc, MemoryError) or (
            isinstance(exc, ValueError) and str(exc).startswith(_TOO_BIG)):
        return ResourceExhaustedError  # NOTE: NumPy's ValueError for a size beyond memory
    if not user_code:
        if isinstance(exc, _INTERNAL_FAULTS):
            return InternalError  # NOTE: our own code failed, whatever the inputs were
        return UnimplementedError if isinstance(exc, NotImplementedError) \
            else InvalidArgumentError
    for python_class in type(exc).__mro__:
        if python_class in _USER_CODE_CLASSES:
            return _USER_CODE_CLASSES[python_class]
    return UnknownError


# --- where an op was defined ------------------------------------------------------------------

_location_formatter: list[Callable[[str, int], Optional[str]]] = []


def set_location_formatter(formatter: Optional[Callable[[str, int], Optional[str]]]) -> None:
    """Install how file names print (the notebook extension names cells); None restores."""
    _location_formatter.clear()
    if formatter is not None:
        _location_formatter.append(formatter)


def describe_location(filename: str, lineno: int) -> str:
    """`file.py:12`, or what the installed formatter says (e.g. `cell [3], line 2`)."""
    for formatter in _location_formatter:
        text = formatter(filename, lineno)
        if text:
            return text
    return f"{_short_path(filename)}:{lineno}"


def _short_path(filename: str) -> str:
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return relative if not relative.startswith("..") else filename


def op_location(op: Any) -> str:
    site = getattr(op, "defined_at", None)
    return describe_location(site[0], site[1]) if site else "an unknown location"


def interpolate(message: str, op: Any) -> str:
    """Append TF 1.14's `[[node X (defined at ...) ]]` line and the user's stack for `op`."""
    text = f"{message}\n\t [[node {op.name} (defined at {op_location(op)}) ]]"
    frames = getattr(op, "traceback", None) or []
    if len(frames) > 1:
        lines = [f"  {describe_location(f, n)}, in {fn}" for f, n, fn in frames]
        text += f"\n\nOriginal stack trace for {op.name!r}:\n" + "\n".join(lines)
    return text


def raise_op_error(error_class: type, op: Any, message: str, cause: Optional[BaseException]
                   = None) -> None:
    """Raise `error_class` for `op` with the definition site interpolated into the message."""
    error = error_class(getattr(op, "node_def", None), op, interpolate(message, op))
    raise error from cause
