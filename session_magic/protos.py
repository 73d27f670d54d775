"""Plain stand-ins for TF's protocol buffers that sessions take: ConfigProto, RunOptions,
RunMetadata and their parts. Fields TF code sets are accepted; the ones we act on are noted.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .device_spec import parse_device
from .errors import InvalidArgumentError

__all__ = ["ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "RunOptions",
           "RunMetadata", "StepStats", "DeviceStepStats", "NodeExecStats"]


@dataclass
class GPUOptions:
    allow_growth: bool = False
    per_process_gpu_memory_fraction: float = 0.0
    visible_device_list: str = ""


@dataclass
class OptimizerOptions:
    """`global_jit_level` OFF turns the optional jit (fused elementwise kernels) off; DEFAULT
    and ON_1/ON_2 leave it on where numba is installed (TF's GlobalJitLevel values)."""

    DEFAULT: ClassVar[int] = 0
    OFF: ClassVar[int] = -1
    ON_1: ClassVar[int] = 1
    ON_2: ClassVar[int] = 2

    do_common_subexpression_elimination: bool = True
    do_constant_folding: bool = True
    opt_level: int = 0
    global_jit_level: int = 0


@dataclass
class GraphOptions:
    optimizer_options: OptimizerOptions = field(default_factory=OptimizerOptions)
    infer_shapes: bool = False
    place_pruned_graph: bool = False


@dataclass
class ConfigProto:
    """Session options; `inter_op_parallelism_threads` is the one the executor acts on."""

    inter_op_parallelism_threads: int = 0
    intra_op_parallelism_threads: int = 0
    allow_soft_placement: bool = False
    log_device_placement: bool = False
    operation_timeout_in_ms: int = 0
    device_count: dict = field(default_factory=dict)
    gpu_options: GPUOptions = field(default_factory=GPUOptions)
    graph_options: GraphOptions = field(default_factory=GraphOptions)
    use_per_session_threads: bool = False
    device_filters: list = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("inter_op_parallelism_threads", "intra_op_parallelism_threads",
                     "operation_timeout_in_ms"):
            setattr(self, name, _integer_field(getattr(self, name), name))
        self.device_filters = _device_filters(self.device_filters)


@dataclass
class NodeExecStats:
    """One op's execution in a traced run (times in microseconds, as TF reports them)."""

    node_name: str
    op_type: str
    all_start_micros: int
    op_start_rel_micros: int
    op_end_rel_micros: int
    all_end_rel_micros: int
    output_bytes: int
    timeline_label: str = ""


@dataclass
class DeviceStepStats:
    device: str = "/job:localhost/replica:0/task:0/device:CPU:0"
    node_stats: list = field(default_factory=list)


@dataclass
class StepStats:
    dev_stats: list = field(default_factory=list)


class RunOptions:
    """Per-run options: `trace_level=RunOptions.FULL_TRACE` asks for per-op step stats."""

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3

    _LEVELS = {"NO_TRACE": 0, "SOFTWARE_TRACE": 1, "HARDWARE_TRACE": 2, "FULL_TRACE": 3}

    def __init__(self, trace_level: Any = 0, timeout_in_ms: int = 0,
                 output_partition_graphs: bool = False, **unused: Any) -> None:
        self.trace_level = _trace_level(trace_level)
        self.timeout_in_ms = _integer_field(timeout_in_ms, "timeout_in_ms")
        self.output_partition_graphs = output_partition_graphs

    def __repr__(self) -> str:
        return f"RunOptions(trace_level={self.trace_level})"


def _trace_level(level: Any) -> int:
    """A TraceLevel by number or, as protobuf allows, by name (`"FULL_TRACE"`)."""
    if isinstance(level, str):
        if level not in RunOptions._LEVELS:
            raise ValueError(f"Enum RunOptions.TraceLevel has no value defined for name "
                             f"{level!r} (choose from {', '.join(RunOptions._LEVELS)})")
        return RunOptions._LEVELS[level]
    level = _integer_field(level, "trace_level")
    if level not in RunOptions._LEVELS.values():
        raise ValueError(f"Unknown trace_level {level}: choose from {RunOptions._LEVELS}")
    return level


def _device_filters(filters: Any) -> list:
    """`device_filters`: device strings (partial ones too, "/job:ps"), as TF checks them when
    a session starts: TypeError for a non-string, InvalidArgumentError for a malformed one."""
    if filters is None:
        return []
    if isinstance(filters, (str, bytes)):
        raise TypeError(f"device_filters must be a list of device strings, got the string "
                        f"{filters!r} (protobuf would split it into characters)")
    checked = []
    for item in filters:
        if not isinstance(item, (str, bytes)):
            raise TypeError(f"device_filters holds {item!r} of type {type(item).__name__}, "
                            "but expected a device string (for field device_filters)")
        text = item.decode() if isinstance(item, bytes) else item
        try:
            parse_device(text)
        except ValueError:
            raise InvalidArgumentError(None, None, f"Invalid device filter: {text}") from None
        checked.append(text)
    return checked


def _integer_field(value: Any, name: str) -> int:
    """An int field, checked as protobuf checks it when set."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: int "
                        f"(for field {name})")
    return int(value)


class RunMetadata:
    """Filled by a traced run: `step_stats.dev_stats[0].node_stats` lists each op's timing."""

    def __init__(self) -> None:
        self.step_stats = StepStats()
        self.partition_graphs: list = []
        self.cost_graph = None

    def __repr__(self) -> str:
        nodes = sum(len(d.node_stats) for d in self.step_stats.dev_stats)
        return f"<RunMetadata with {nodes} node stats>"
