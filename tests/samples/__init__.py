"""Samples for the registry-wide op test: every registered op type needs at least one.

A Sample builds an op from input tensors and gives a NumPy oracle for its result. The registry
test runs each sample three ways (inputs as constants, as placeholders of known shape, and as
placeholders of unknown shape), compares with the oracle, and checks that every op's static
dtype and shape agree with what its kernel produced.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import numpy as np


@dataclass
class Sample:
    op_type: str                                  # the registered op this sample exercises
    build: Callable[..., Any]                     # input Tensors -> Tensor, Operation or list
    inputs: Sequence[Any] = ()                    # NumPy arrays fed (or made constants)
    expect: Optional[Callable[..., Any]] = None   # NumPy oracle: same arrays -> result
    check: Optional[Callable[[Any], None]] = None  # or assertions on the result (random ops)
    rtol: float = 1e-6
    atol: float = 1e-6
    unknown_shapes: bool = True                   # also run with inputs of unknown shape
    label: str = ""
    modes: Optional[Sequence[str]] = None         # restrict to some of the test's input modes
    grad_check: bool = True                       # use in the finite-difference gradient test


def f32(*shape: int, low: float = -2.0, high: float = 2.0, seed: int = 0) -> np.ndarray:
    """A reproducible float32 array (a scalar for no shape)."""
    rng = np.random.default_rng(seed + 17 * len(shape) + sum(shape))
    return rng.uniform(low, high, size=shape).astype(np.float32)


def f64(*shape: int, low: float = -2.0, high: float = 2.0, seed: int = 0) -> np.ndarray:
    return f32(*shape, low=low, high=high, seed=seed).astype(np.float64)


def i32(*shape: int, low: int = -5, high: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + 31 * len(shape) + sum(shape))
    return rng.integers(low, high, size=shape).astype(np.int32)


def booleans(*shape: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + 7 * len(shape) + sum(shape))
    return rng.integers(0, 2, size=shape).astype(bool)


def all_samples() -> list[Sample]:
    """Every SAMPLES list of every module in this package."""
    found: list[Sample] = []
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        found.extend(getattr(module, "SAMPLES", []))
    return found
