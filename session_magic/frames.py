"""Which stack frames are the user's: not this package's (nor a plan's generated code), not the
Python machinery between a user and their code, not the shell or kernel above it.

The graph records each op's user frames as it is built (`user_traceback`); the session and the
notebook glue cut a traceback down to the user's frames (`traceback_of` with `is_user_file` or
`outside_package`), so an error shows the user's code and none of ours.
"""
from __future__ import annotations

import functools
import os
import sys
import types
from typing import Any, Callable

import numpy as np

__all__ = ["PLAN_FILE_PREFIX", "user_traceback", "is_user_file", "outside_package",
           "is_package_file", "traceback_of"]

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
PLAN_FILE_PREFIX = "<session_magic plan"  # NOTE: the file name of every plan's generated code
# NOTE: frames from these places are the machinery between a user and their code; an op's
# definition site is the innermost frame outside them, and its stack stops where they begin.
_MACHINERY = ("contextlib.py", "functools.py", "threading.py")
_STACK_STOPS = (os.sep + "IPython" + os.sep, os.sep + "ipykernel" + os.sep, "runpy.py",
                os.sep + "asyncio" + os.sep, os.sep + "_pytest" + os.sep,
                os.sep + "pluggy" + os.sep, os.sep + "tornado" + os.sep)
_MAX_USER_FRAMES = 5
_STDLIB_DIR = os.path.dirname(os.__file__) + os.sep
_SITE_PACKAGES = os.sep + "site-packages" + os.sep
_OURS = (PACKAGE_DIR, PLAN_FILE_PREFIX)
_LIBRARIES = _OURS + (os.path.dirname(np.__file__) + os.sep,)
_USER, _LIBRARY, _STOP = 0, 1, 2


def user_traceback(skip: int = 1) -> tuple:
    """The frames (outermost first) of user code that led to this call, library frames cut:
    (filename, lineno, function) each, at most five; the innermost `skip` frames (the caller's
    own, and more that are known to be ours) are not looked at."""
    frame = sys._getframe(skip)
    frames = []
    while frame is not None and len(frames) < _MAX_USER_FRAMES:
        code = frame.f_code
        kind = _frame_kind(code.co_filename)
        if kind == _STOP:
            break
        if kind == _USER:
            frames.append((code.co_filename, frame.f_lineno, code.co_name))
        frame = frame.f_back
    frames.reverse()
    return tuple(frames)


# NOTE: file names are few and fixed, and this runs for every op built: remember each answer.
@functools.lru_cache(maxsize=4096)
def _frame_kind(filename: str) -> int:
    if filename.startswith(PACKAGE_DIR) or filename.endswith(_MACHINERY):
        return _LIBRARY
    if any(stop in filename for stop in _STACK_STOPS):
        return _STOP
    if filename.startswith(_STDLIB_DIR) and _SITE_PACKAGES not in filename:
        return _STOP  # NOTE: timeit, runpy, threading...: machinery above the user's code
    return _USER


def is_user_file(filename: str) -> bool:
    """Is a frame of `filename` the user's own code (not ours, NumPy's or the machinery's)?"""
    return not filename.startswith(_LIBRARIES) and _frame_kind(filename) == _USER


def is_package_file(filename: str) -> bool:
    """Is a frame of `filename` this package's, or a plan's generated code?"""
    return filename.startswith(_OURS)


def outside_package(filename: str) -> bool:
    return not is_package_file(filename)


def traceback_of(traceback: Any, keep: Callable[[str], bool]) -> Any:
    """`traceback` with only the entries whose file name `keep` accepts (None if none is)."""
    kept = []
    while traceback is not None:
        if keep(traceback.tb_frame.f_code.co_filename):
            kept.append(traceback)
        traceback = traceback.tb_next
    trimmed = None
    for entry in reversed(kept):
        trimmed = types.TracebackType(trimmed, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return trimmed
