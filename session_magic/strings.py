"""`sm.strings`: string ops, as `tf.strings` (the ones TF1 programs print with)."""
from .ops.string_ops import as_string, string_join as join  # noqa: F401
from .ops.string_ops import string_format as format  # noqa: F401,A004
from .ops.parsing_ops import string_to_number as to_number  # noqa: F401

__all__ = ["as_string", "join", "format", "to_number"]
