"""`tf.contrib.training`: only the parameter-server load balancing TF 1 programs passed to
`replica_device_setter(ps_strategy=...)`; any other name raises NotSupportedYet."""
from __future__ import annotations

from typing import Any

from ..cluster import GreedyLoadBalancingStrategy, byte_size_load_fn

__all__ = ["GreedyLoadBalancingStrategy", "byte_size_load_fn"]


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    import sys  # NOTE: local: only a missing name needs the module object

    from . import not_supported  # NOTE: local: the package imports its modules first
    raise not_supported(f"contrib.training.{name}", sys.modules[__name__])
