"""`tf.contrib.rnn`: the RNN cells of `tf.nn.rnn_cell` under their contrib names, looked up when
asked for (the cells live in their own module)."""
from __future__ import annotations

import sys
from typing import Any

from ..unsupported import NotSupportedYet

_ELSEWHERE = {"static_rnn": "static_rnn", "static_bidirectional_rnn": "static_bidirectional_rnn"}


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from .. import nn  # NOTE: local: tf.nn imports after tf.contrib may in the package
    cells = getattr(nn, "rnn_cell", None)
    found = getattr(cells, name, None) if cells is not None else None
    if found is None and name in _ELSEWHERE:
        found = getattr(nn, _ELSEWHERE[name], None)
    if found is None:
        raise NotSupportedYet(f"tf.contrib.rnn.{name} is not supported by session_magic yet",
                              name=name, obj=sys.modules[__name__])
    return found
