"""`import session_magic.compat.v1 as tf`: the same API as `import session_magic as tf`."""
import sys as _sys
from typing import Any as _Any

import session_magic as _sm

_module = _sys.modules[__name__]
for _name in dir(_sm):
    if not _name.startswith("__"):
        setattr(_module, _name, getattr(_sm, _name))


# NOTE: this module is imported while session_magic is still initializing, so names the package
# defines after that point (aliases such as disable_eager_execution, newaxis) are looked up late.
def __getattr__(name: str) -> _Any:
    if not name.startswith("__"):
        return getattr(_sm, name)  # NOTE: a TF1 name not here yet says so (unsupported.py)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | {n for n in dir(_sm) if not n.startswith("__")})
