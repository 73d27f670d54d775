"""A missing name says what it is: a TF1 name session_magic does not have yet raises
NotSupportedYet (an AttributeError, so `hasattr` and `getattr(tf, name, default)` still work),
naming it; any other name raises Python's usual AttributeError. Installed as the module
`__getattr__` of the package and of each namespace (tf.nn, tf.train, ...)."""
from __future__ import annotations

import functools
import os
from types import ModuleType
from typing import Any, Callable

__all__ = ["NotSupportedYet", "install", "install_everywhere", "is_tf1_name"]


class NotSupportedYet(AttributeError):
    """A name TF1 has and session_magic does not (yet)."""


@functools.lru_cache(maxsize=1)
def _tf1_names() -> frozenset:
    # NOTE: read on the first missing name only: `import session_magic` never pays for it
    path = os.path.join(os.path.dirname(__file__), "tf1_names.txt")
    with open(path, encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip()[:1].isalpha())


def is_tf1_name(dotted: str) -> bool:
    """Is `dotted` (`nn.nce_loss`, `summary`) a public name of TF1's API?"""
    names = _tf1_names()
    return dotted in names or f"{dotted}.*" in names


def install(module: ModuleType, namespace: str) -> None:
    """Give `module` (TF1's `tf.<namespace>`; "" for `tf`) a `__getattr__` for missing names,
    keeping one it already has as the first resort."""
    previous = module.__dict__.get("__getattr__")
    module.__getattr__ = _missing(module, namespace, previous)


def install_everywhere(package: ModuleType) -> None:
    """`install` on `package` and on each of its modules reachable as `tf.<a>` or `tf.<a>.<b>`
    (never on a module of another package, such as numpy)."""
    def ours(value: object) -> bool:
        return isinstance(value, ModuleType) and value.__name__.startswith(package.__name__ + ".")

    install(package, "")
    for name, value in [item for item in vars(package).items() if ours(item[1])]:
        install(value, name)
        for inner, sub in [item for item in vars(value).items() if ours(item[1])]:
            install(sub, f"{name}.{inner}")


def _missing(module: ModuleType, namespace: str, previous: Any) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if previous is not None:
            try:
                return previous(name)
            except NotSupportedYet:
                raise
            except AttributeError:
                pass
        dotted = f"{namespace}.{name}" if namespace else name
        if not name.startswith("_") and is_tf1_name(dotted):
            raise NotSupportedYet(f"tf.{dotted} is part of TF1 but not supported by "
                                  f"session_magic yet", name=name, obj=module)
        raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}",
                             name=name, obj=module)
    return __getattr__
