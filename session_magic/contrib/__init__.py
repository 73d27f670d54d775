"""`tf.contrib`: only the helpers TF 1 programs commonly import (`contrib.layers`,
`contrib.rnn`, `contrib.lookup`); any other attribute (`contrib.slim`, `contrib.learn`, ...) raises
NotSupportedYet, an AttributeError naming it."""
from __future__ import annotations

from typing import Any

from ..unsupported import NotSupportedYet
from . import layers, rnn

__all__ = ["layers", "rnn"]


def not_supported(dotted: str, module: Any) -> NotSupportedYet:
    name = dotted.rpartition(".")[2]
    return NotSupportedYet(f"tf.{dotted} is not supported by session_magic yet", name=name,
                           obj=module)


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    if name in ("lookup", "training"):
        import importlib  # NOTE: lazy: `import session_magic` does not load lookup tables
        return importlib.import_module(f"{__name__}.{name}")
    import sys  # NOTE: local: only a missing name needs the module object
    raise not_supported(f"contrib.{name}", sys.modules[__name__])
