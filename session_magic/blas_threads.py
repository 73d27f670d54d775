"""ConfigProto(intra_op_parallelism_threads=N): the BLAS and OpenMP pools NumPy's kernels use
hold N threads during a session's runs, then go back to what they were.

TF1 sized its own intra-op pool this way; here the threads are the native libraries', so on a
shared machine a session can keep its matrix products from taking every core. The libraries are
found once, through threadpoolctl (loaded only by a session that sets the option); setting a
pool's size costs about a microsecond, paid only by such sessions. The pools are per process: two
sessions with different limits running at once on two threads share the last one set.
"""
from __future__ import annotations

import functools
import threading
from typing import Any

__all__ = ["BlasThreads"]


@functools.cache
def _libraries() -> tuple:
    """The thread-pool controllers of the BLAS/OpenMP libraries loaded now (once a process)."""
    # NOTE: lazy: only a session that limits its threads loads threadpoolctl
    from threadpoolctl import ThreadpoolController
    return tuple(ThreadpoolController().lib_controllers)


class BlasThreads:
    """A context holding the native thread pools at `count` threads while a run lasts."""

    _lock = threading.Lock()
    _depth = 0            # runs inside a limit now, in any session
    _saved: tuple = ()    # the sizes to go back to when the last one ends

    def __init__(self, count: int) -> None:
        self.count = count
        self.libraries = _libraries()

    def __enter__(self) -> BlasThreads:
        with BlasThreads._lock:
            if BlasThreads._depth == 0:
                BlasThreads._saved = tuple(lib.get_num_threads() for lib in self.libraries)
            BlasThreads._depth += 1
            for lib in self.libraries:
                lib.set_num_threads(self.count)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        with BlasThreads._lock:
            BlasThreads._depth -= 1
            if BlasThreads._depth == 0:
                for lib, size in zip(self.libraries, BlasThreads._saved, strict=True):
                    lib.set_num_threads(size)

    def current(self) -> list:
        """The pools' sizes now (for tests and `%graph`-side reports)."""
        return [lib.get_num_threads() for lib in self.libraries]
