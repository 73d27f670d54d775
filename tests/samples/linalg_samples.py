"""Samples for the op blocks of ops/linalg_ops.py, each against numpy.linalg. Inputs are kept
well conditioned (a multiple of the identity added) so finite differences are meaningful;
eigen- and singular vectors are compared with each column's sign fixed (they are unique only up
to sign), and Cholesky gets a symmetric positive definite matrix built in the graph (its
gradient is TF's symmetric one)."""
from __future__ import annotations

import numpy as np

import session_magic as sm
from session_magic.ops.registry import apply_op

from . import Sample, f32, f64, i32

SAMPLES: list[Sample] = []


def _add(*samples: Sample) -> None:
    SAMPLES.extend(samples)


def _well(*shape: int, seed: int = 0) -> np.ndarray:
    """Random matrices with 3 added on the diagonal: far from singular."""
    matrices = f64(*shape, low=-1.0, high=1.0, seed=seed)
    return matrices + 3.0 * np.eye(shape[-2], shape[-1])


def _spd_graph(x):
    """x x^T + 2 I, built in the graph, so perturbing x keeps it symmetric positive definite."""
    n = 3
    return sm.matmul(x, x, adjoint_b=True) + sm.constant(2.0 * np.eye(n), x.dtype)


def _spd(x: np.ndarray) -> np.ndarray:
    return x @ np.swapaxes(x, -1, -2) + 2.0 * np.eye(3)


def _signed_graph(vectors, like=None):
    """Columns with the sign of `like`'s first row (of `vectors` itself by default) made +."""
    like = vectors if like is None else like
    return vectors * sm.sign(like[..., :1, :])


def _signed(vectors: np.ndarray, like: np.ndarray = None) -> np.ndarray:
    like = vectors if like is None else like
    return vectors * np.sign(like[..., :1, :])


def _adjoint(x: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(x, -1, -2))


_COMPLEX = (np.array([[2 + 1j, 1 - 1j], [0.5j, 3 - 0.5j]])).astype(np.complex64)

# --- MatrixInverse, MatrixDeterminant, LogMatrixDeterminant --------------------------------------

_add(
    Sample("MatrixInverse", lambda x: sm.matrix_inverse(x), [_well(3, 3)], np.linalg.inv),
    Sample("MatrixInverse", lambda x: sm.linalg.inv(x, adjoint=True), [_well(2, 3, 3, seed=1)],
           lambda x: np.linalg.inv(_adjoint(x)), label="adjoint batch"),
    Sample("MatrixInverse", lambda x: sm.matrix_inverse(x), [_well(2, 2).astype(np.float32)],
           np.linalg.inv, rtol=1e-5, label="float32"),
    Sample("MatrixInverse", lambda x: sm.matrix_inverse(x), [_COMPLEX],
           lambda x: np.linalg.inv(x), rtol=1e-5, label="complex64"),
    Sample("MatrixDeterminant", lambda x: sm.matrix_determinant(x), [_well(2, 3, 3)],
           np.linalg.det),
    Sample("MatrixDeterminant", lambda x: sm.linalg.det(x), [f64(4, 4, seed=2)], np.linalg.det,
           label="any matrix"),
    Sample("MatrixDeterminant", lambda x: sm.matrix_determinant(x),
           [np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)], np.linalg.det, grad_check=False,
           label="singular (its gradient inverts it and fails, as TF's)"),
    Sample("LogMatrixDeterminant", lambda x: list(sm.linalg.slogdet(x)), [f64(3, 3, 3, seed=3)],
           lambda x: list(np.linalg.slogdet(x)), label="signs"),
    Sample("LogMatrixDeterminant", lambda x: sm.linalg.slogdet(x)[1],
           [_well(2, 2).astype(np.float32)], lambda x: np.linalg.slogdet(x)[1], rtol=1e-5,
           label="float32"),
)

# --- Cholesky, logdet, cholesky_solve ------------------------------------------------------------

_add(
    Sample("Cholesky", lambda x: sm.cholesky(_spd_graph(x)), [f64(3, 3)],
           lambda x: np.linalg.cholesky(_spd(x))),
    Sample("Cholesky", lambda x: sm.linalg.cholesky(_spd_graph(x)), [f32(2, 3, 3, seed=1)],
           lambda x: np.linalg.cholesky(_spd(x)), rtol=1e-5, label="float32 batch"),
    Sample("Cholesky", lambda x: sm.cholesky(x),
           [np.array([[4.0, 100.0], [2.0, 5.0]])], lambda x: np.linalg.cholesky(np.tril(x)
                                                                              + np.tril(x, -1).T),
           grad_check=False, label="reads the lower triangle only"),
    Sample("Cholesky", lambda x: sm.linalg.logdet(_spd_graph(x)), [f64(2, 3, 3, seed=2)],
           lambda x: np.linalg.slogdet(_spd(x))[1], label="logdet"),
    Sample("Cholesky", lambda x, b: sm.cholesky_solve(sm.cholesky(_spd_graph(x)), b),
           [f64(3, 3, seed=3), f64(3, 2, seed=4)],
           lambda x, b: np.linalg.solve(_spd(x), b), label="cholesky_solve"),
)

# --- MatrixSolve, MatrixTriangularSolve ----------------------------------------------------------

_add(
    Sample("MatrixSolve", lambda a, b: sm.matrix_solve(a, b), [_well(3, 3), f64(3, 2, seed=1)],
           np.linalg.solve),
    Sample("MatrixSolve", lambda a, b: sm.linalg.solve(a, b, adjoint=True),
           [_well(2, 3, 3, seed=2), f64(2, 3, 1, seed=3)],
           lambda a, b: np.linalg.solve(_adjoint(a), b), label="adjoint batch"),
    Sample("MatrixTriangularSolve", lambda a, b: sm.matrix_triangular_solve(a, b),
           [_well(3, 3), f64(3, 2, seed=1)], lambda a, b: np.linalg.solve(np.tril(a), b)),
    Sample("MatrixTriangularSolve",
           lambda a, b: sm.linalg.triangular_solve(a, b, lower=False, adjoint=True),
           [_well(2, 3, 3, seed=2), f64(2, 3, 2, seed=3)],
           lambda a, b: np.linalg.solve(_adjoint(np.triu(a)), b), label="upper adjoint"),
    Sample("MatrixTriangularSolve", lambda a, b: sm.matrix_triangular_solve(a, b),
           [_well(2, 3, 3, seed=4), f64(3, 2, seed=5)],
           lambda a, b: np.linalg.solve(np.tril(a), np.broadcast_to(b, (2, 3, 2))),
           label="broadcast batch"),
    Sample("MatrixTriangularSolve", lambda a, b: sm.matrix_triangular_solve(a, b),
           [_well(3, 3).astype(np.float32), f32(3, 1, seed=6)],
           lambda a, b: np.linalg.solve(np.tril(a), b), rtol=1e-5, label="float32"),
)

# --- MatrixSolveLs -------------------------------------------------------------------------------

_add(
    Sample("MatrixSolveLs", lambda a, b: sm.matrix_solve_ls(a, b, fast=False),
           [f64(4, 2), f64(4, 3, seed=1)], lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
           grad_check=False, label="fast=False: minimum norm, no gradient (as TF)"),
    Sample("MatrixSolveLs", lambda a, b: sm.linalg.lstsq(a, b, fast=False),
           [f64(2, 2, 4, seed=2), f64(2, 2, 1, seed=3)],
           lambda a, b: np.linalg.pinv(a) @ b, grad_check=False,
           label="fast=False underdetermined batch"),
    Sample("MatrixSolveLs",
           lambda a, b: apply_op("MatrixSolveLs", [a, b, np.float64(0.5)], {"fast": True})
           .outputs[0], [f64(4, 2, seed=4), f64(4, 3, seed=5)],
           lambda a, b: np.linalg.solve(a.T @ a + 0.5 * np.eye(2), a.T @ b),
           label="the op with fast=True, regularised"),
    Sample("MatrixSolveLs",
           lambda a, b: apply_op("MatrixSolveLs", [a, b, np.float64(0.0)], {"fast": True})
           .outputs[0], [f64(2, 4, seed=6), f64(2, 1, seed=7)],
           lambda a, b: a.T @ np.linalg.solve(a @ a.T, b), label="the op, underdetermined"),
    Sample("Cholesky", lambda a, b: sm.matrix_solve_ls(a, b), [f64(5, 3), f64(5, 2, seed=1)],
           lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], unknown_shapes=False,
           label="matrix_solve_ls overdetermined"),
    Sample("Cholesky", lambda a, b: sm.matrix_solve_ls(a, b, l2_regularizer=0.25),
           [f64(2, 4, seed=2), f64(2, 2, seed=3)],
           lambda a, b: a.T @ np.linalg.solve(a @ a.T + 0.25 * np.eye(2), b),
           unknown_shapes=False, label="matrix_solve_ls underdetermined regularised"),
)

# --- SelfAdjointEigV2 ----------------------------------------------------------------------------


def _eigh(x: np.ndarray) -> list:
    values, vectors = np.linalg.eigh(x)
    return [values, _signed(vectors)]


def _eigh_graph(x) -> list:
    values, vectors = sm.self_adjoint_eig(x)
    return [values, _signed_graph(vectors)]


_add(
    Sample("SelfAdjointEigV2", _eigh_graph, [f64(3, 3)], _eigh, rtol=1e-5,
           label="reads the lower triangle"),
    Sample("SelfAdjointEigV2", lambda x: _eigh_graph(x + sm.linalg.adjoint(x)),
           [f64(2, 4, 4, seed=1)], lambda x: _eigh(x + np.swapaxes(x, -1, -2)), rtol=1e-5,
           label="symmetric batch"),
    Sample("SelfAdjointEigV2", lambda x: sm.self_adjoint_eigvals(x), [f64(2, 3, 3, seed=2)],
           np.linalg.eigvalsh, label="eigvals"),
    Sample("SelfAdjointEigV2", lambda x: sm.linalg.eigvalsh(x), [f32(4, 4, seed=3)],
           np.linalg.eigvalsh, rtol=1e-4, atol=1e-5, label="float32"),
)

# --- Svd -----------------------------------------------------------------------------------------


def _svd(x: np.ndarray, full: bool = False) -> list:
    u, s, vh = np.linalg.svd(x, full_matrices=full)
    v = _adjoint(vh)
    return [s, _signed(u), _signed(v) if full else _signed(v, u)]


def _svd_graph(x, full: bool = False) -> list:
    s, u, v = sm.svd(x, full_matrices=full)
    return [s, _signed_graph(u), _signed_graph(v) if full else _signed_graph(v, u)]


_add(
    Sample("Svd", lambda x: sm.svd(x, compute_uv=False), [f64(2, 3, 3)],
           lambda x: np.linalg.svd(x, compute_uv=False), label="values"),
    Sample("Svd", lambda x: sm.linalg.svd(x, compute_uv=False), [f32(4, 3, seed=1)],
           lambda x: np.linalg.svd(x, compute_uv=False), rtol=1e-5, label="float32 tall"),
    Sample("Svd", _svd_graph, [f64(3, 3, seed=2)], _svd, rtol=1e-5, label="square"),
    Sample("Svd", _svd_graph, [f64(2, 4, 3, seed=3)], _svd, rtol=1e-5, label="tall batch"),
    Sample("Svd", _svd_graph, [f64(2, 4, seed=4)], _svd, rtol=1e-5, label="wide"),
    Sample("Svd", lambda x: _svd_graph(x, full=True), [f64(3, 4, seed=5)],
           lambda x: _svd(x, full=True), rtol=1e-5, label="full matrices, wide by one"),
    Sample("Svd", lambda x: sm.linalg.norm(x, ord=2, axis=[-2, -1]), [f64(2, 3, 4, seed=6)],
           lambda x: np.linalg.norm(x, 2, axis=(-2, -1)), unknown_shapes=False,
           label="norm ord=2"),
    Sample("Svd", lambda x: sm.norm(x, ord=2, axis=(0, 2), keepdims=True),
           [f64(3, 2, 4, seed=7)],
           lambda x: np.linalg.norm(x, 2, axis=(0, 2))[None, :, None], unknown_shapes=False,
           label="norm ord=2 over axes 0 and 2, kept"),
)

# --- Qr ------------------------------------------------------------------------------------------

_add(
    Sample("Qr", lambda x: list(sm.qr(x)), [f64(4, 3)], lambda x: list(np.linalg.qr(x)),
           label="tall"),
    Sample("Qr", lambda x: list(sm.linalg.qr(x)), [f64(2, 3, 3, seed=1)],
           lambda x: list(np.linalg.qr(x)), label="square batch"),
    Sample("Qr", lambda x: list(sm.qr(x)), [f64(2, 4, seed=2)],
           lambda x: list(np.linalg.qr(x)), label="wide"),
    Sample("Qr", lambda x: list(sm.qr(x, full_matrices=True)), [f32(4, 2, seed=3)],
           lambda x: list(np.linalg.qr(x, mode="complete")), rtol=1e-5, atol=1e-5,
           grad_check=False, label="full matrices (no gradient, as TF)"),
)

# --- MatrixBandPart, Cross -----------------------------------------------------------------------

_add(
    Sample("MatrixBandPart", lambda x: sm.matrix_band_part(x, 1, 0), [f32(4, 4)],
           lambda x: np.tril(x) - np.tril(x, -2)),
    Sample("MatrixBandPart", lambda x: sm.linalg.band_part(x, -1, 0), [f64(2, 3, 4, seed=1)],
           np.tril, label="lower triangle"),
    Sample("MatrixBandPart", lambda x: sm.linalg.band_part(x, 0, -1), [i32(3, 2, seed=2)],
           np.triu, label="upper triangle int32"),
    Sample("MatrixBandPart", lambda x: sm.matrix_band_part(x, 0, 0), [f64(3, 3, seed=3)],
           lambda x: np.diag(np.diag(x)), label="diagonal"),
    Sample("Cross", lambda a, b: sm.cross(a, b), [f32(3), f32(3, seed=1)], np.cross),
    Sample("Cross", lambda a, b: sm.linalg.cross(a, b), [f64(2, 4, 3), f64(2, 4, 3, seed=2)],
           np.cross, label="batch"),
    Sample("Cross", lambda a, b: sm.cross(a, b), [i32(2, 3), i32(2, 3, seed=3)], np.cross,
           label="int32"),
)

# --- Einsum --------------------------------------------------------------------------------------


def _einsum(equation: str, rtol: float = 1e-6, label: str = "", **options) -> Sample:
    def expect(*arrays):
        return np.einsum(equation, *arrays)
    return Sample("Einsum", lambda *xs: sm.einsum(equation, *xs), rtol=rtol, expect=expect,
                  label=label or equation, **options)


_add(
    _einsum("ij,jk->ik", inputs=[f64(2, 3), f64(3, 4, seed=1)]),
    _einsum("bij,bjk->bik", inputs=[f32(2, 2, 3), f32(2, 3, 2, seed=1)], rtol=1e-5),
    _einsum("...ij,...jk->...ik", inputs=[f64(2, 1, 2, 3), f64(3, 3, 2, seed=1)],
            label="ellipsis broadcast"),
    _einsum("ij,j->i", inputs=[f64(3, 4), f64(4, seed=1)]),
    _einsum("i,j->ij", inputs=[f64(3), f64(2, seed=1)], label="outer"),
    _einsum("i,i", inputs=[f64(4), f64(4, seed=1)], label="dot, implicit output"),
    _einsum("ij->ji", inputs=[f64(2, 3)], label="transpose"),
    _einsum("ii", inputs=[f64(3, 3)], label="trace, implicit"),
    _einsum("ii->i", inputs=[f64(3, 3)], label="diagonal"),
    _einsum("...ii->...i", inputs=[f64(2, 3, 3)], label="batch diagonal"),
    _einsum("ijk->j", inputs=[f64(2, 3, 4)], label="reduction"),
    _einsum("bij->bji", inputs=[f64(2, 2, 3)], label="batch transpose"),
    _einsum("a...b,b->a...", inputs=[f64(2, 3, 4), f64(4, seed=1)],
            label="ellipsis between labels"),
    _einsum("ij,jk,kl->il", inputs=[f64(2, 3), f64(3, 4, seed=1), f64(4, 2, seed=2)],
            label="three operands"),
    _einsum("ij,jk->ik", inputs=[i32(2, 3), i32(3, 2, seed=1)], label="int32"),
)


# --- composites on other op types: trace, matvec, adjoint ----------------------------------------

_add(
    Sample("MatrixDiagPart", lambda x: sm.trace(x), [f64(2, 3, 3)],
           lambda x: np.trace(x, axis1=-2, axis2=-1), label="trace"),
    Sample("MatrixDiagPart", lambda x: sm.linalg.trace(x), [f32(4, 3)],
           lambda x: np.trace(x), rtol=1e-5, label="trace of a non-square matrix"),
    Sample("BatchMatMulV2", lambda a, b: sm.linalg.matvec(a, b), [f64(2, 3, 4), f64(2, 4)],
           lambda a, b: np.einsum("bij,bj->bi", a, b), label="matvec"),
    Sample("MatMul", lambda a, b: sm.linalg.matvec(a, b, transpose_a=True),
           [f64(4, 3), f64(4, seed=1)], lambda a, b: a.T @ b, unknown_shapes=False,
           label="matvec transpose_a"),
)
