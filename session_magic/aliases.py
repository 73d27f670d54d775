"""TF 1's aliases and no-ops that classic programs call."""
from __future__ import annotations

__all__ = ["disable_eager_execution", "disable_v2_behavior", "enable_eager_execution",
           "executing_eagerly"]


def disable_eager_execution() -> None:
    """A no-op: session_magic is always in graph mode, as TF 1 was."""


def disable_v2_behavior() -> None:
    """A no-op: TF1 behaviour is the only behaviour."""


def enable_eager_execution(*args, **kwargs) -> None:
    raise NotImplementedError("session_magic has graph mode only; build a graph and run it in a "
                              "Session (or call `.eval()` under an InteractiveSession).")


def executing_eagerly() -> bool:
    return False
