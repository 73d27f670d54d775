"""TF 1's aliases and no-ops that classic programs call."""
from __future__ import annotations

import logging as _logging
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
