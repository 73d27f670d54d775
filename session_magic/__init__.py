"""session_magic: TensorFlow 1's graph-and-session model on NumPy, for Jupyter and IPython.

    import session_magic as tf          # classic TF1 programs run unchanged
    x = tf.constant(1); y = tf.constant(2); z = x + y
    with tf.Session() as sess:
        print(sess.run(z))               # 3

`%load_ext session_magic` adds the `%graph` and `%%session` magics and an interactive default
session. Importing this package never imports IPython, graphviz or wasmtime.
"""
from __future__ import annotations

import sys as _sys

from . import dtypes, errors
from .dtypes import *  # noqa: F401,F403 - float32, int32, ... as TF exposes them
from .dtypes import DType, as_dtype
from .graph import (Graph, GraphKeys, Operation, Tensor, add_to_collection,
                    add_to_collections, control_dependencies, get_collection,
                    get_collection_ref, get_default_graph, get_name_scope, is_tensor,
                    name_scope, reset_default_graph)
from .ops import OPS
from .ops.array_ops import *  # noqa: F401,F403
from .ops.constant_ops import *  # noqa: F401,F403
from .ops.control_flow_ops import *  # noqa: F401,F403
from .ops.functional import cond, while_loop
from .ops.tensor_array_ops import TensorArray
from .ops.map_ops import foldl, foldr, map_fn, scan
from .gradients import gradients, hessians
from .ops.math_ops import *  # noqa: F401,F403
from .ops.linalg_ops import *  # noqa: F401,F403
from .ops.random_ops import *  # noqa: F401,F403
from .ops.image_ops import *  # noqa: F401,F403
from .ops.indexed_slices import IndexedSlices, IndexedSlicesValue
from .ops.conversion import convert_to_tensor
from .ops.script_ops import *  # noqa: F401,F403
from .ops.special_ops import *  # noqa: F401,F403
from .ops.segment_ops import *  # noqa: F401,F403
from .ops.clip_ops import *  # noqa: F401,F403
from .ops.nn_ops import dynamic_partition, dynamic_stitch  # noqa: F401
from .ops.sort_ops import argsort, sort  # noqa: F401
from .ops.string_ops import as_string, string_join  # noqa: F401
from .ops.state_ops import *  # noqa: F401,F403
from .device_spec import DeviceSpec  # noqa: F401
from .protos import (ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, RunMetadata,
                     RunOptions)
from .session import InteractiveSession, Session, get_default_session
from .tensor_shape import Dimension, TensorShape
from .variables import *  # noqa: F401,F403
from .initializers import *  # noqa: F401,F403
from . import initializers  # noqa: E402
from . import random  # noqa: E402
from . import bitwise  # noqa: E402
from . import strings  # noqa: E402
from . import nn  # noqa: E402  (namespaces after the ops they re-export)
from . import image  # noqa: E402
from . import math  # noqa: E402,A004
from . import linalg  # noqa: E402
from . import train  # noqa: E402
from . import compat  # noqa: E402
from . import layers, losses, metrics, contrib  # noqa: E402
from .aliases import *  # noqa: F401,F403,E402
from .unsupported import install as _name_missing_in  # noqa: E402
from .unsupported import install_everywhere as _name_missing_tf1_names  # noqa: E402

__version__ = "0.1.0"
newaxis = None

# NOTE: loaded on first use, so `import session_magic` stays fast: name -> (module, attribute;
# None for the module itself)
_LAZY = {
    "summary": ("session_magic.summary", None),
    "graph_util": ("session_magic.graph_util", None),
    "gfile": ("session_magic.gfile", None),
    "io": ("session_magic.io", None),
    "app": ("session_magic.app", None),
    "data": ("session_magic.data", None),
    "lookup": ("session_magic.lookup", None),
    "feature_column": ("session_magic.feature_column", None),
    "tables_initializer": ("session_magic.lookup", "tables_initializer"),
    "initialize_all_tables": ("session_magic.lookup", "initialize_all_tables"),
    "python_io": ("session_magic.python_io", None),
    **{name: ("session_magic.queues", name) for name in (
        "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue", "QueueBase")},
    **{name: ("session_magic.input_pipeline", name) for name in (
        "TextLineReader", "WholeFileReader", "TFRecordReader", "FixedLengthRecordReader",
        "ReaderBase", "count_up_to")},
    **{name: ("session_magic.ops.parsing_ops", name) for name in (
        "parse_example", "parse_single_example", "decode_csv", "decode_raw", "string_to_number",
        "FixedLenFeature", "VarLenFeature", "FixedLenSequenceFeature")},
    "flags": ("session_magic.flags", None),
    "import_graph_def": ("session_magic.interop.graph_def", "import_graph_def"),
    "Summary": ("session_magic.proto", "Summary"),
    "SummaryMetadata": ("session_magic.proto", "SummaryMetadata"),
    "LogMessage": ("session_magic.proto", "LogMessage"),
    "HistogramProto": ("session_magic.proto", "HistogramProto"),
    "Event": ("session_magic.proto", "Event"),
    "SessionLog": ("session_magic.proto", "SessionLog"),
    "GraphDef": ("session_magic.proto", "GraphDef"),
    "NodeDef": ("session_magic.proto", "NodeDef"),
    "AttrValue": ("session_magic.proto", "AttrValue"),
    "TensorProto": ("session_magic.proto", "TensorProto"),
    "MetaGraphDef": ("session_magic.proto", "MetaGraphDef"),
    "ConditionalAccumulator": ("session_magic.ops.accumulator_ops", "ConditionalAccumulator"),
}


def __getattr__(name: str):
    """A name of `_LAZY`, imported on first use and kept."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib  # NOTE: lazy: only when a lazily loaded name is first asked for

    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    if attribute is None:
        _name_missing_in(module, name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))


def load_ipython_extension(ipython):  # pragma: no cover - exercised through IPython
    """`%load_ext session_magic`: magics, an interactive default session, inline drawings."""
    from .magics import load_ipython_extension as load  # NOTE: lazy: IPython only when loaded
    load(ipython)


def unload_ipython_extension(ipython):  # pragma: no cover - exercised through IPython
    """`%unload_ext session_magic`: undo everything loading did."""
    from .magics import unload_ipython_extension as unload  # NOTE: lazy, as above
    unload(ipython)


# NOTE: last, after every namespace: `tf.summary`, `tf.nn.nce_loss`, ... say they are TF1 names
# not here yet (unsupported.py)
_name_missing_tf1_names(_sys.modules[__name__])
