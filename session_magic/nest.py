"""Flatten and rebuild nested structures of lists, tuples, namedtuples and dicts (TF's `nest`)."""
from __future__ import annotations

from typing import Any, Iterator

__all__ = ["is_sequence", "flatten", "pack_sequence_as", "assert_same_structure"]


def is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple, dict))


def _children(value: Any) -> list:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return list(value)


def flatten(structure: Any) -> list:
    """The leaves of `structure` in order (dicts by sorted key, as TF does)."""
    if not is_sequence(structure):
        return [structure]
    return [leaf for child in _children(structure) for leaf in flatten(child)]


def pack_sequence_as(structure: Any, flat: list) -> Any:
    """Rebuild `structure` with the leaves taken in order from `flat`."""
    leaves = iter(flat)
    result = _pack(structure, leaves)
    if next(leaves, _END) is not _END:
        raise ValueError("Structure had fewer leaves than the flat sequence given.")
    return result


_END = object()


def _pack(structure: Any, leaves: Iterator) -> Any:
    if not is_sequence(structure):
        leaf = next(leaves, _END)
        if leaf is _END:
            raise ValueError("Structure had more leaves than the flat sequence given.")
        return leaf
    if isinstance(structure, dict):
        packed = {k: _pack(structure[k], leaves) for k in sorted(structure)}
        return type(structure)((k, packed[k]) for k in structure)
    values = [_pack(child, leaves) for child in structure]
    if hasattr(structure, "_fields"):
        return type(structure)(*values)
    return type(structure)(values)


def assert_same_structure(first: Any, second: Any) -> None:
    """ValueError unless both have the same nesting (leaf values may differ)."""
    if _shape(first) != _shape(second):
        raise ValueError("The two structures don't have the same nested structure.\n\n"
                         f"First structure: {first!r}\n\nSecond structure: {second!r}")


def _shape(structure: Any) -> Any:
    if not is_sequence(structure):
        return "."
    kind = "dict" if isinstance(structure, dict) else "seq"
    keys = sorted(structure) if isinstance(structure, dict) else None
    return kind, keys, [_shape(child) for child in _children(structure)]
