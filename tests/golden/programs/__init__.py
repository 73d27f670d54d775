"""The golden program tables, one module per topic. Each module has `programs()`, the list of its
`harness.Program`s; none imports TensorFlow or session_magic at module level (a program receives
its `tf`, and the tables reused from tests/ are imported when `programs()` is called)."""
from __future__ import annotations

import importlib

from ..harness import Program

TOPICS = ("samples", "dtypes", "names", "control_deps", "control_flow", "gradients",
          "optimizers", "dynamic", "bad_inputs", "nn_more", "image", "rnn", "linalg",
          "array_more", "conv", "layers", "queues", "feature_columns", "monitored",
          "devices")


def not_recordable(topic: str) -> dict:
    """What a topic leaves out on purpose (program or row name -> reason); may be empty."""
    module = importlib.import_module(f"{__name__}.{topic}")
    return module.not_recordable() if hasattr(module, "not_recordable") else {}


def programs(topic: str) -> list[Program]:
    """The programs of one topic, checked for unique names."""
    table = importlib.import_module(f"{__name__}.{topic}").programs()
    names = [p.name for p in table]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"programs/{topic}.py repeats the names {repeated}")
    return table
