"""TF 1's aliases and no-ops that classic programs call."""
from __future__ import annotations

import logging as _logging
import sys as _sys
from typing import Any

from .graph import colocate_with, container, device, get_all_collection_keys

__all__ = ["disable_eager_execution", "disable_v2_behavior", "enable_eager_execution",
           "executing_eagerly", "logging", "device", "colocate_with", "container",
           "get_all_collection_keys"]


def disable_eager_execution() -> None:
    """A no-op: session_magic is always in graph mode, as TF 1 was."""


def disable_v2_behavior() -> None:
    """A no-op: TF1 behaviour is the only behaviour."""


def enable_eager_execution(*args, **kwargs) -> None:
    raise NotImplementedError("session_magic has graph mode only; build a graph and run it in a "
                              "Session (or call `.eval()` under an InteractiveSession).")


def executing_eagerly() -> bool:
    return False


class logging:  # noqa: N801 - TF 1's `tf.logging` namespace
    """`tf.logging`: TF 1's verbosity switch and log functions, on Python's `logging`."""

    DEBUG, INFO, WARN, ERROR, FATAL = 10, 20, 30, 40, 50
    _logger = _logging.getLogger("session_magic")

    @staticmethod
    def set_verbosity(level: int) -> None:
        logging._logger.setLevel(level)

    @staticmethod
    def get_verbosity() -> int:
        return logging._logger.getEffectiveLevel()

    @staticmethod
    def log(level: int, msg: str, *args: Any) -> None:
        logging._logger.log(level, msg, *args)

    debug = staticmethod(lambda msg, *args: logging.log(logging.DEBUG, msg, *args))
    info = staticmethod(lambda msg, *args: logging.log(logging.INFO, msg, *args))
    warning = warn = staticmethod(lambda msg, *args: logging.log(logging.WARN, msg, *args))
    error = staticmethod(lambda msg, *args: logging.log(logging.ERROR, msg, *args))
    fatal = staticmethod(lambda msg, *args: logging.log(logging.FATAL, msg, *args))
    vlog = staticmethod(lambda level, msg, *args: logging.log(level, msg, *args))
    _counts: dict = {}

    @staticmethod
    def log_if(level: int, msg: str, condition: Any, *args: Any) -> None:
        if condition:
            logging.log(level, msg, *args)

    @staticmethod
    def log_every_n(level: int, msg: str, n: int, *args: Any) -> None:
        """Log on the 1st, (n+1)th, ... call from the same line, as TF 1 does."""
        count = logging._call_count()
        logging.log_if(level, msg, count % max(n, 1) == 0, *args)

    @staticmethod
    def log_first_n(level: int, msg: str, n: int, *args: Any) -> None:
        logging.log_if(level, msg, logging._call_count() < n, *args)

    @staticmethod
    def _call_count() -> int:
        caller = _sys._getframe(2)
        site = (caller.f_code.co_filename, caller.f_lineno)
        count = logging._counts.get(site, 0)
        logging._counts[site] = count + 1
        return count

    @staticmethod
    def flush() -> None:
        for handler in logging._logger.handlers:
            handler.flush()

    @staticmethod
    def TaskLevelStatusMessage(msg: str) -> None:  # noqa: N802 - TF 1's name
        logging.error(msg)
