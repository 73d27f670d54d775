"""`tf.contrib.lookup`: TF 1's lookup tables and `index_table_from_*` (session_magic.lookup);
any other name raises NotSupportedYet."""
from __future__ import annotations

import sys
from typing import Any

from ..lookup import (HashTable, KeyValueTensorInitializer, TextFileIdTableInitializer,
                      TextFileIndex, TextFileInitializer, TextFileStringTableInitializer,
                      index_table_from_file, index_table_from_tensor,
                      index_to_string_table_from_file, index_to_string_table_from_tensor)

__all__ = ["HashTable", "KeyValueTensorInitializer", "TextFileIdTableInitializer",
           "TextFileIndex", "TextFileInitializer", "TextFileStringTableInitializer",
           "index_table_from_file", "index_table_from_tensor", "index_to_string_table_from_file",
           "index_to_string_table_from_tensor"]


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from . import not_supported  # NOTE: local: contrib's package imports this module lazily
    raise not_supported(f"contrib.lookup.{name}", sys.modules[__name__])
