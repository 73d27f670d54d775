"""`session_magic.compat.v1` (and `.v2` for code that asks): the whole TF 1 surface."""
from . import v1  # noqa: F401

v2 = v1
