"""Device strings as TF 1 parsed, printed and merged them: `DeviceSpec`, and the rule of nested
`tf.device` scopes (an inner partial spec overrides only the fields it names; `None` cuts off
the scopes around it; a device function sees the device found so far and answers a new one).
Nothing here places or runs anything: an op's device is a recorded request.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

__all__ = ["DeviceSpec", "MergeDevice", "merge_device", "device_scope_entry", "device_for",
           "canonical_device"]

# NOTE: TF 2.21's DeviceSpec accepts these short types (`/cpu:0`, `gpu:*`) besides plugin ones
VALID_DEVICE_TYPES = frozenset({"CPU", "GPU", "TPU", "CUSTOM", "EPU"})

Components = tuple  # (job, replica, task, device_type, device_index), each possibly None


def _as_int_or_none(value: Any) -> Optional[int]:
    return None if value is None else int(value)


def _as_str_or_none(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _as_device_type(value: Any) -> Optional[str]:
    # NOTE: only lower-case "cpu"/"gpu" are upper-cased; "Gpu" stays as written, as in TF
    return value.upper() if value in ("cpu", "gpu") else _as_str_or_none(value)


def parse_device(spec: Optional[str]) -> Components:
    """TF's reading of `/job:J/replica:R/task:T/device:TYPE:N` (every part optional, short
    `/cpu:0` too); ValueError with TF's message for an unknown part."""
    job = replica = task = device_type = device_index = None
    for part in (spec or "").split("/"):
        fields = part.split(":")
        head = fields[0]
        if len(fields) == 2 and head in ("job", "replica", "task"):
            if head == "job":
                job = fields[1]
            elif head == "replica":
                replica = int(fields[1])
            else:
                task = int(fields[1])
        elif len(fields) in (1, 2) and head.upper() in VALID_DEVICE_TYPES:
            _refuse_second_type(device_type, spec)
            device_type = head.upper()
            device_index = int(fields[1]) if len(fields) == 2 and fields[1] != "*" else None
        elif len(fields) == 3 and head == "device":
            _refuse_second_type(device_type, spec)
            device_type = _as_device_type(fields[1])
            device_index = None if fields[2] == "*" else int(fields[2])
        elif head != "":
            raise ValueError(f"Unknown attribute '{head}' is encountered while parsing the "
                             f"device spec: '{spec}'.")
    return job, replica, task, device_type, device_index


def task_of_device(device: Optional[str]) -> str:
    """The task a device names, in TF's full spelling (`/job:ps/replica:0/task:0`), or "" when
    it names no job (a device of the session's own task). Replica and task default to 0."""
    job, replica, task, _, _ = parse_device(device)
    if job is None:
        return ""
    return f"/job:{job}/replica:{replica or 0}/task:{task or 0}"


def _refuse_second_type(device_type: Optional[str], spec: Optional[str]) -> None:
    if device_type is not None:
        raise ValueError("Multiple device types are not allowed while parsing the device spec: "
                         f"{spec}.")


def format_device(job: Optional[str], replica: Optional[int], task: Optional[int],
                  device_type: Optional[str], device_index: Optional[int]) -> str:
    """TF's canonical spelling: fields in order, `/device:TYPE:N` (`*` for any index)."""
    parts = []
    if job is not None:
        parts.append(f"/job:{job}")
    if replica is not None:
        parts.append(f"/replica:{replica}")
    if task is not None:
        parts.append(f"/task:{task}")
    if device_type is not None:
        parts.append(f"/device:{device_type}:{'*' if device_index is None else device_index}")
    return "".join(parts)


def canonical_device(spec: Optional[str]) -> str:
    """`"/cpu:0"` -> `"/device:CPU:0"`; ValueError for a malformed string."""
    return format_device(*parse_device(spec))


class DeviceSpec:
    """`tf.DeviceSpec` (TF 1's mutable form): a possibly partial device.

    >>> DeviceSpec.from_string("/job:ps/task:1/cpu:0").to_string()
    '/job:ps/task:1/device:CPU:0'
    """

    __slots__ = ("_job", "_replica", "_task", "_device_type", "_device_index")

    def __init__(self, job: Optional[str] = None, replica: Optional[int] = None,
                 task: Optional[int] = None, device_type: Optional[str] = None,
                 device_index: Optional[int] = None) -> None:
        self.job, self.replica, self.task = job, replica, task
        self.device_type, self.device_index = device_type, device_index

    job = property(lambda self: self._job,
                   lambda self, value: setattr(self, "_job", _as_str_or_none(value)))
    replica = property(lambda self: self._replica,
                       lambda self, value: setattr(self, "_replica", _as_int_or_none(value)))
    task = property(lambda self: self._task,
                    lambda self, value: setattr(self, "_task", _as_int_or_none(value)))
    device_type = property(lambda self: self._device_type,
                           lambda self, value: setattr(self, "_device_type",
                                                       _as_device_type(value)))
    device_index = property(lambda self: self._device_index,
                            lambda self, value: setattr(self, "_device_index",
                                                        _as_int_or_none(value)))

    def _components(self) -> Components:
        return self._job, self._replica, self._task, self._device_type, self._device_index

    @classmethod
    def from_string(cls, spec: Optional[str]) -> DeviceSpec:
        return cls(*parse_device(spec))

    def parse_from_string(self, spec: Optional[str]) -> DeviceSpec:
        """Replace every field with those of `spec` (unnamed ones become None); returns self."""
        self.job, self.replica, self.task, self.device_type, self.device_index = \
            parse_device(spec)
        return self

    def to_string(self) -> str:
        return format_device(*self._components())

    def make_merged_spec(self, dev: DeviceSpec) -> DeviceSpec:
        """A new spec: the fields `dev` names, and this one's for the others."""
        return self.__class__(*[theirs if theirs is not None else mine
                                for mine, theirs in zip(self._components(), dev._components(),
                                                        strict=True)])

    def merge_from(self, dev: DeviceSpec) -> None:
        """Take in place the fields `dev` names."""
        self.job, self.replica, self.task, self.device_type, self.device_index = \
            self.make_merged_spec(dev)._components()

    def replace(self, **kwargs: Any) -> DeviceSpec:
        """A copy with the given fields replaced (`task=None` clears one)."""
        fields = dict(zip(("job", "replica", "task", "device_type", "device_index"),
                          self._components(), strict=True))
        fields.update(kwargs)
        return self.__class__(**fields)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, self.__class__) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())

    def __repr__(self) -> str:
        return (f"<DeviceSpec(job={self._job}, replica={self._replica}, task={self._task}, "
                f"device_type={self._device_type}, device_index={self._device_index})>")


class MergeDevice:
    """The device function of a device string or spec in `tf.device`: the op's device so far
    (from inner scopes) over this spec's fields."""

    __slots__ = ("_spec",)

    def __init__(self, spec: Any) -> None:
        if isinstance(spec, DeviceSpec):
            self._spec = DeviceSpec(*spec._components())  # NOTE: a snapshot: specs are mutable
        else:
            self._spec = DeviceSpec.from_string(spec)

    @property
    def is_null_merge(self) -> bool:
        """An empty spec (`tf.device("")`) changes nothing: the scope is skipped."""
        return not self._spec.to_string()

    def __call__(self, op: Any) -> DeviceSpec:
        return self._spec.make_merged_spec(DeviceSpec.from_string(op.device or ""))

    def __repr__(self) -> str:
        return f"MergeDevice(spec: {self._spec.to_string()})"


def merge_device(spec: Any) -> MergeDevice:
    """TF's `device.merge_device`: a device function merging `spec` under inner scopes."""
    return spec if isinstance(spec, MergeDevice) else MergeDevice(spec)


def device_scope_entry(device_name_or_function: Any) -> Any:
    """What `tf.device(x)` pushes: None (a cut), a device function, or a MergeDevice for a
    string or DeviceSpec (parsed now, so a malformed string fails at the `with`)."""
    value = device_name_or_function
    if value is None or isinstance(value, MergeDevice):
        return value
    if callable(value):
        return value
    if isinstance(value, (str, DeviceSpec)):
        return MergeDevice(value)
    raise TypeError("tf.device expects a device string, a DeviceSpec, a function of the op or "
                    f"None; got {value!r} of type {type(value).__name__}")


def device_for(stack: list, op: Any, set_device: Callable[[str], None]) -> None:
    """Apply a `tf.device` stack to a new op, innermost scope first, as TF 1 does: each device
    function sees `op.device` as set by the scopes inside it; None stops the walk."""
    for entry in reversed(stack):
        if entry is None:
            break
        if isinstance(entry, MergeDevice) and entry.is_null_merge:
            continue
        set_device(device_string(entry(op)))


def device_string(device: Any) -> str:
    """A device function's answer as the string an op records (a string is kept as given)."""
    if isinstance(device, DeviceSpec):
        return device.to_string()
    if isinstance(device, str):
        return device
    if isinstance(device, bytes):
        return device.decode()
    raise TypeError("A device function must return a device string or a DeviceSpec, got "
                    f"{device!r} of type {type(device).__name__}")
