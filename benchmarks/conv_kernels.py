"""Which NumPy formulation should the convolution kernels use? Times each candidate on the two
convolutions of a LeNet-style MNIST network and prints a table. Run by hand (never a test):

    .venv/bin/python benchmarks/conv_kernels.py [--rounds 7]

Candidates for the forward pass (all on a `sliding_window_view` of the padded input):
  tensordot   the strided view [N, H, W, C, kh, kw] against the filter (NumPy copies it, im2col)
  im2col      the view transposed to [N, H, W, kh, kw, C], copied, then one matmul
  einsum      `einsum` with a path found once by `einsum_path`
  shifts      kh * kw matmuls of shifted input slices, summed (no im2col copy)
and the two gradients as session_magic computes them (ops/conv_ops.py), beside their
alternatives; plus max_pool and its gradient. "(used)" marks what the kernels do. Numbers
measured are in RESULTS at the bottom, with the machine they were measured on.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # NOTE: as benchmarks/run.py: one thread
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

from session_magic.ops import conv_ops  # noqa: E402

CASES = {  # name: (input [N, H, W, C], filter [kh, kw, C, O]), SAME padding, stride 1
    "conv1 64x28x28x1 * 5x5x1x32": ((64, 28, 28, 1), (5, 5, 1, 32)),
    "conv2 64x14x14x32 * 5x5x32x64": ((64, 14, 14, 32), (5, 5, 32, 64)),
}


def _padded_view(x: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """SAME padding at stride 1, and the [N, H, W, C, kh, kw] view of every window."""
    padded = np.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))
    return sliding_window_view(padded, (kh, kw), axis=(1, 2))


def forward_candidates(x: np.ndarray, w: np.ndarray) -> dict[str, Callable]:
    kh, kw, c, o = w.shape
    flat_w = w.reshape(-1, o)
    path = np.einsum_path("nhwcij,ijco->nhwo", _padded_view(x, kh, kw), w, optimize="optimal")[0]

    def tensordot() -> np.ndarray:
        return np.tensordot(_padded_view(x, kh, kw), w, axes=((3, 4, 5), (2, 0, 1)))

    def im2col() -> np.ndarray:
        cols = _padded_view(x, kh, kw).transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * c)
        return (cols @ flat_w).reshape(x.shape[:3] + (o,))

    def einsum() -> np.ndarray:
        return np.einsum("nhwcij,ijco->nhwo", _padded_view(x, kh, kw), w, optimize=path)

    def shifts() -> np.ndarray:
        padded = np.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))
        out = np.zeros(x.shape[:3] + (o,), x.dtype)
        for i in range(kh):
            for j in range(kw):
                out += padded[:, i:i + x.shape[1], j:j + x.shape[2], :] @ w[i, j]
        return out

    return {"tensordot": tensordot, "im2col (used)": im2col, "einsum": einsum, "shifts": shifts}


def gradient_candidates(x: np.ndarray, w: np.ndarray, dy: np.ndarray) -> dict[str, Callable]:
    """The input and filter gradients as the kernels compute them, and alternatives."""
    window = conv_ops._Window(w.shape[:2], (1, 1), (1, 1), "SAME", ())
    kh, kw = w.shape[:2]

    def input_col2im() -> np.ndarray:
        patches = np.tensordot(dy, w, axes=([3], [3]))      # [N, H, W, kh, kw, C]
        padded_shape = (x.shape[0], x.shape[1] + kh - 1, x.shape[2] + kw - 1, x.shape[3])
        pads = (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2))
        return conv_ops._add_windows(patches, window, padded_shape, pads)

    def input_shifts() -> np.ndarray:
        return conv_ops._conv_input_grad(dy, w, x.shape, window)

    def input_as_full_conv() -> np.ndarray:
        # NOTE: stride 1 only: the input gradient is a SAME conv of dy with the flipped filter
        flipped = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2))
        view = np.pad(dy, ((0, 0), (kh // 2, (kh - 1) // 2), (kw // 2, (kw - 1) // 2), (0, 0)))
        view = sliding_window_view(view, (kh, kw), axis=(1, 2))
        return np.tensordot(view, flipped, axes=((3, 4, 5), (2, 0, 1)))

    def filter_tensordot() -> np.ndarray:
        view = _padded_view(x, kh, kw)
        grad = np.tensordot(view, dy, axes=((0, 1, 2), (0, 1, 2)))
        return np.moveaxis(grad, 0, 2)

    def filter_im2col() -> np.ndarray:
        return conv_ops._conv_filter_grad(x, dy, w.shape, window)

    return {"input: col2im": input_col2im, "input: shifts (used)": input_shifts,
            "input: flipped-filter conv": input_as_full_conv,
            "filter: tensordot": filter_tensordot, "filter: im2col matmul (used)": filter_im2col}


class _PoolOp:
    """Just enough of an Operation for the pool kernels: a 2x2, stride-2 SAME max pool."""

    _attrs = {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME",
              "explicit_paddings": [], "data_format": "NHWC"}


def pool_candidates(x: np.ndarray) -> dict[str, Callable]:
    forward = conv_ops._max_pool_kernel(_PoolOp())
    backward = conv_ops._max_pool_grad_kernel(_PoolOp())
    y = forward(x)
    dy = np.ones_like(y)

    def reshape_max() -> np.ndarray:  # NOTE: only for even sizes, stride == ksize
        n, h, w, c = x.shape
        return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))

    return {"max_pool (used)": lambda: forward(x), "max_pool: reshape-max": reshape_max,
            "max_pool grad (used)": lambda: backward(x, y, dy)}


def best_of(fn: Callable, rounds: int) -> float:
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    rng = np.random.default_rng(0)
    print(f"{'case':32} {'candidate':28} {'ms (best of ' + str(rounds) + ')':>16}")
    for case, (x_shape, w_shape) in CASES.items():
        x = rng.standard_normal(x_shape).astype(np.float32)
        w = rng.standard_normal(w_shape).astype(np.float32)
        dy = rng.standard_normal(x_shape[:3] + w_shape[-1:]).astype(np.float32)
        candidates = forward_candidates(x, w)
        reference = conv_ops._conv_forward(x, w, conv_ops._Window(
            w_shape[:2], (1, 1), (1, 1), "SAME", ()))
        for name, fn in {**candidates, **gradient_candidates(x, w, dy)}.items():
            if name in candidates:
                np.testing.assert_allclose(fn(), reference, rtol=1e-3, atol=1e-3)
            print(f"{case:32} {name:28} {best_of(fn, rounds) * 1e3:16.2f}")
        for name, fn in pool_candidates(x).items():
            print(f"{case:32} {name:28} {best_of(fn, rounds) * 1e3:16.2f}")


if __name__ == "__main__":
    main()


# NOTE: measured 2026-12-06 on the shared 2-core development machine (NumPy 2.4.6, OpenBLAS, one
# BLAS thread, float32, SAME, stride 1; best of 5-21 per run, five runs). Other jobs ran
# meanwhile, so a figure moved by up to 2x between runs: the ranges are over the runs.
RESULTS = """
candidate (ms)              conv1 64x28x28x1*5x5x1x32   conv2 64x14x14x32*5x5x32x64
forward tensordot                  1.6 - 1.7                   20 - 42
forward im2col (used)              1.6 - 1.7                   15 - 27
forward einsum (path)              1.4 - 1.5                   20 - 40
forward shifts                     40 - 84                     16 - 39
input col2im                       2.2 - 2.3                   19 - 46
input shifts (used)                2.4 - 3.5                   20 - 25
input flipped-filter conv          34 - 68                     32 - 66
filter tensordot                   1.1 - 1.2                   20 - 42
filter im2col matmul (used)        1.9                         14 - 27
max_pool 2x2/2 (used)              0.03                        0.08
max_pool grad, offset masks (used) 0.11                        0.43
max_pool grad, argmax of windows   0.41 - 0.47                 3.0 - 3.4   (replaced)

A whole LeNet training step (batch 64: conv 5x5x32, relu, pool, conv 5x5x64, relu, pool,
dense 10, sparse softmax loss, SGD) through Session.run, median of 10 steps:
session_magic 70 - 100 ms (one BLAS thread; two threads were slower on the busy machine);
TF 2.21 with oneDNN (its default) 8.6 - 30 ms; TF 2.21 with TF_ENABLE_ONEDNN_OPTS=0 (Eigen,
as the goldens are recorded) 88 - 92 ms.
"""
