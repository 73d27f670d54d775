"""Samples for the op blocks of ops/random_ops.py. Random results are checked, not compared: dtype,
shape, range, and mean and spread over at least 10,000 draws (seeded, so never flaky)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import session_magic as sm

from . import Sample

SAMPLES: list[Sample] = []

_SHAPE = np.array([100, 120], np.int32)  # 12,000 draws


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _drawn(dtype: Any, shape: tuple, low: float, high: float, mean: float, std: float,
           tolerance: float = 0.05) -> Callable[[Any], None]:
    """A check: dtype, shape, every value in [low, high], and roughly the mean and spread."""
    def check(result: Any) -> None:
        values = np.asarray(result)
        assert values.dtype == dtype, values.dtype
        assert values.shape == shape, values.shape
        assert values.min() >= low and values.max() <= high, (values.min(), values.max())
        scale = max(std, 1.0)
        assert abs(values.mean() - mean) < tolerance * scale, values.mean()
        assert abs(values.std() - std) < tolerance * scale, values.std()
    return check


def _uniform_std(low: float, high: float) -> float:
    return (high - low) / np.sqrt(12)


_TRUNCATED_STD = 0.87962566103423978

_add(
    Sample("RandomStandardNormal", lambda: sm.random_normal([100, 120], seed=1),
           check=_drawn(np.float32, (100, 120), -6, 6, 0.0, 1.0)),
    Sample("RandomStandardNormal",
           lambda s: sm.random_normal(s, mean=3.0, stddev=2.0, dtype=sm.float64, seed=2),
           [_SHAPE], check=_drawn(np.float64, (100, 120), 3 - 12, 3 + 12, 3.0, 2.0),
           label="shape from a tensor, mean and stddev"),
    Sample("RandomUniform", lambda: sm.random_uniform([100, 120], seed=3),
           check=_drawn(np.float32, (100, 120), 0.0, np.nextafter(np.float32(1), 0), 0.5,
                        _uniform_std(0, 1))),
    Sample("RandomUniform",
           lambda s: sm.random_uniform(s, minval=-2.0, maxval=6.0, dtype=sm.float64, seed=4),
           [_SHAPE], check=_drawn(np.float64, (100, 120), -2.0, np.nextafter(6.0, 0), 2.0,
                                  _uniform_std(-2, 6)),
           label="shape from a tensor, [min, max)"),
    Sample("RandomUniform", lambda: sm.random_uniform([10000], dtype=sm.float16, seed=5),
           check=_drawn(np.float16, (10000,), 0.0, np.nextafter(np.float16(1), np.float16(0)),
                        0.5, _uniform_std(0, 1)), label="float16 stays below 1"),
    Sample("RandomUniformInt",
           lambda: sm.random_uniform([100, 120], minval=-3, maxval=7, dtype=sm.int32, seed=6),
           check=_drawn(np.int32, (100, 120), -3, 6, 1.5, np.sqrt((10 ** 2 - 1) / 12))),
    Sample("RandomUniformInt",
           lambda s: sm.random_uniform(s, maxval=1000, dtype=sm.int64, seed=7), [_SHAPE],
           check=_drawn(np.int64, (100, 120), 0, 999, 499.5, np.sqrt((1000 ** 2 - 1) / 12)),
           label="int64, shape from a tensor"),
    Sample("TruncatedNormal", lambda: sm.truncated_normal([100, 120], seed=8),
           check=_drawn(np.float32, (100, 120), -2.0, 2.0, 0.0, _TRUNCATED_STD)),
    Sample("TruncatedNormal",
           lambda s: sm.truncated_normal(s, mean=1.0, stddev=0.5, dtype=sm.float64, seed=9),
           [_SHAPE], check=_drawn(np.float64, (100, 120), 0.0, 2.0, 1.0, 0.5 * _TRUNCATED_STD),
           label="within two stddev of the mean"),
)


def _is_permutation_of(original: np.ndarray) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        values = np.asarray(result)
        assert values.shape == original.shape and values.dtype == original.dtype
        assert sorted(map(tuple, values)) == sorted(map(tuple, original))
        assert not np.array_equal(values, original)  # seeded: this draw does move rows
    return check


_ROWS = np.arange(40, dtype=np.int32).reshape(20, 2)

_add(
    Sample("RandomShuffle", lambda x: sm.random_shuffle(x, seed=10), [_ROWS],
           check=_is_permutation_of(_ROWS)),
    Sample("RandomShuffle", lambda x: sm.random_shuffle(x, seed=11), [np.float32(2.5)],
           check=lambda r: np.testing.assert_equal(r, np.float32(2.5)), label="scalar"),
)


_LOGITS = np.log(np.array([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]], np.float32))


def _frequencies_match(probabilities: np.ndarray, draws: int) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        values = np.asarray(result)
        assert values.dtype == np.int64 and values.shape == (len(probabilities), draws)
        for row, wanted in zip(values, probabilities, strict=True):
            counts = np.bincount(row, minlength=len(wanted)) / draws
            np.testing.assert_allclose(counts, wanted, atol=0.02)
    return check


_add(
    Sample("Multinomial", lambda x: sm.multinomial(x, 10000, seed=12), [_LOGITS],
           check=_frequencies_match(np.exp(_LOGITS), 10000)),
)
