"""ConfigProto(intra_op_parallelism_threads=N): the BLAS and OpenMP pools NumPy's kernels use
hold N threads while a session that asks for it is open, then go back to what they were.

TF1 sized its own intra-op pool this way; here the threads are the native libraries', so on a
shared machine a session can keep its matrix products from taking every core. The pools are per
process, so the limit is too: the first run of such a session sets it (a run of another limited
session resets it to its own N), and it is undone when the last of those sessions closes. A run
then pays one comparison. The libraries are found once, through threadpoolctl (loaded only by a
session that sets the option).
"""
from __future__ import annotations

import functools
import threading

__all__ = ["BlasThreads"]


@functools.cache
def _libraries() -> tuple:
    """The thread-pool controllers of the BLAS/OpenMP libraries loaded now (once a process)."""
    # NOTE: lazy: only a session that limits its threads loads threadpoolctl
    from threadpoolctl import ThreadpoolController
    return tuple(ThreadpoolController().lib_controllers)


class BlasThreads:
    """One session's limit: `apply()` before each of its runs, `release()` when it closes."""

    _lock = threading.Lock()
    _holders = 0           # open sessions with a limit
    _saved: tuple = ()     # the sizes before the first limit, restored when the last closes
    current = None         # the limit the pools hold now, or None

    def __init__(self, count: int) -> None:
        self.count = count
        self.libraries = _libraries()
        with BlasThreads._lock:
            BlasThreads._holders += 1
        self._released = False

    def apply(self) -> None:
        """Hold the pools at this session's size (a comparison when they already are)."""
        if BlasThreads.current != self.count:
            with BlasThreads._lock:
                if BlasThreads.current is None:
                    BlasThreads._saved = tuple(lib.get_num_threads() for lib in self.libraries)
                for lib in self.libraries:
                    lib.set_num_threads(self.count)
                BlasThreads.current = self.count

    def release(self) -> None:
        """This session closed: the last one to close gives the pools their sizes back."""
        with BlasThreads._lock:
            if self._released:
                return
            self._released = True
            BlasThreads._holders -= 1
            if BlasThreads._holders == 0 and BlasThreads.current is not None:
                for lib, size in zip(self.libraries, BlasThreads._saved, strict=True):
                    lib.set_num_threads(size)
                BlasThreads.current = None
