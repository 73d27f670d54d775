"""`import session_magic.compat.v1 as tf`: the same API as `import session_magic as tf`."""
import sys as _sys

import session_magic as _sm

_module = _sys.modules[__name__]
for _name in dir(_sm):
    if not _name.startswith("__"):
        setattr(_module, _name, getattr(_sm, _name))
