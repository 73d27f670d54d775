"""Linear algebra as TF1 programs use it: the names and op lists the builders make (tf.linalg.*
and the top-level names), values and gradients of whole computations (least squares, Gaussian
log-likelihoods, norms of every ord, einsum with broadcasting), static shapes from partly known
inputs, and the errors: non-square or mismatched shapes while building, singular matrices when
run."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..harness import Program

_RNG = np.random.default_rng(13)
_A = (_RNG.uniform(-1, 1, (3, 3)) + 3 * np.eye(3)).astype(np.float32)
_B = _RNG.uniform(-1, 1, (3, 2)).astype(np.float32)
_TALL = _RNG.uniform(-1, 1, (5, 3)).astype(np.float32)
_BATCH = (_RNG.uniform(-1, 1, (2, 3, 3)) + 3 * np.eye(3)).astype(np.float64)


def _fed(tf: Any, value: np.ndarray, name: str, shape: Any = "same") -> tuple:
    x = tf.placeholder(tf.as_dtype(value.dtype), value.shape if shape == "same" else shape,
                       name=name)
    return x, {x: value}


def _names(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [2, 3, 3], name="x")
    y = tf.placeholder(tf.float32, [2, 3, 2], name="y")
    e, v = tf.self_adjoint_eig(x)
    s, u, w = tf.svd(x)
    q, r = tf.qr(x)
    sign, log_abs = tf.linalg.slogdet(x)
    tensors = {
        "matrix_inverse": tf.matrix_inverse(x), "linalg.inv": tf.linalg.inv(x, adjoint=True),
        "matrix_determinant": tf.matrix_determinant(x), "slogdet sign": sign,
        "slogdet log": log_abs, "logdet": tf.linalg.logdet(x), "cholesky": tf.cholesky(x),
        "cholesky_solve": tf.cholesky_solve(x, y), "matrix_solve": tf.matrix_solve(x, y),
        "triangular_solve": tf.matrix_triangular_solve(x, y),
        "linalg.triangular_solve": tf.linalg.triangular_solve(x, y, lower=False),
        "matrix_solve_ls": tf.matrix_solve_ls(x, y),
        "matrix_solve_ls slow": tf.matrix_solve_ls(x, y, fast=False),
        "eig e": e, "eig v": v, "eigvals": tf.self_adjoint_eigvals(x), "svd s": s, "svd u": u,
        "svd v": w, "svd s only": tf.svd(x, compute_uv=False), "qr q": q, "qr r": r,
        "trace": tf.trace(x), "linalg.trace": tf.linalg.trace(x),
        "band_part": tf.matrix_band_part(x, 1, 0),
        "linalg.band_part": tf.linalg.band_part(x, -1, 0),
        "cross": tf.cross(x, x), "einsum": tf.einsum("bij,bjk->bik", x, y),
        "linalg.einsum": tf.linalg.einsum("bij->bj", x), "matvec": tf.linalg.matvec(x, y[..., 0]),
        "adjoint": tf.linalg.adjoint(x), "norm 2": tf.linalg.norm(x, ord=2, axis=[-2, -1]),
        "linalg.diag": tf.linalg.diag(y[..., 0]), "linalg.diag_part": tf.linalg.diag_part(x),
        "linalg.set_diag": tf.linalg.set_diag(x, y[..., 0]),
        "linalg.transpose": tf.linalg.transpose(x), "linalg.eye": tf.linalg.eye(2),
        "linalg.matmul": tf.linalg.matmul(x, y),
        "linalg.tensordot": tf.linalg.tensordot(x, y, [[2], [1]]),
    }
    # NOTE: array_ops' matrix_diag, matrix_diag_part, matrix_set_diag and eye name their ops
    # after TF 1's V1 ops (MatrixDiag:0); TF 2's are V3 in scopes (diag:0): only shapes compared
    borrowed = ("linalg.diag", "linalg.diag_part", "linalg.set_diag", "linalg.eye")
    names = {key: t for key, t in tensors.items() if key not in borrowed}
    return {"names": names, "static": tensors}


def _op_list(build: Callable) -> Callable:
    def program(tf: Any) -> dict:
        x = tf.placeholder(tf.float32, [3, 3], name="x")
        y = tf.placeholder(tf.float32, [3, 2], name="y")
        build(tf, x, y)
        return {"ops": True}
    return program


# NOTE: not compared: logdet and trace (TF's matrix_diag_part builds MatrixDiagPartV3 and two
# Consts, array_ops here the one-input MatrixDiagPart) and matrix_solve_ls (TF builds its
# regularising identity from 20-odd shape ops; here zeros_like and matrix_set_diag).
_OP_LISTS = {
    "ops of cholesky_solve": lambda tf, x, y: tf.cholesky_solve(x, y),
    "ops of matvec": lambda tf, x, y: tf.linalg.matvec(x, y[:, 0]),
    "ops of einsum": lambda tf, x, y: tf.einsum("ij,jk->ik", x, y),
    "ops of band_part": lambda tf, x, y: tf.matrix_band_part(x, 0, -1),
}


def _least_squares_fit(tf: Any) -> dict:
    """Ridge regression in closed form, and d(residual)/d(data), as a TF1 program writes it."""
    a, feeds = _fed(tf, _TALL, "a")
    b, more = _fed(tf, _TALL[:, :1] * 2.0 - 0.5, "b")
    w = tf.matrix_solve_ls(a, b, l2_regularizer=0.1)
    residual = tf.reduce_sum(tf.square(tf.matmul(a, w) - b))
    return {"fetch": {"w": w, "residual": residual, "d/da": tf.gradients(residual, a)[0],
                      "d/db": tf.gradients(residual, b)[0]}, "feed": {**feeds, **more}}


def _gaussian_log_likelihood(tf: Any) -> dict:
    """-0.5 (x^T S^-1 x + log det S) for S = L L^T + I, and its gradient with respect to L."""
    chol, feeds = _fed(tf, _A.astype(np.float64), "l")
    x, more = _fed(tf, _B[:, :1].astype(np.float64), "x")
    cov = tf.matmul(chol, chol, transpose_b=True) + tf.eye(3, dtype=tf.float64)
    factor = tf.cholesky(cov)
    mahalanobis = tf.reduce_sum(x * tf.cholesky_solve(factor, x))
    loglik = -0.5 * (mahalanobis + tf.linalg.logdet(cov))
    return {"fetch": {"loglik": loglik, "d/dl": tf.gradients(loglik, chol)[0],
                      "d/dx": tf.gradients(loglik, x)[0]}, "feed": {**feeds, **more}}


def _grads(build: Callable, value: np.ndarray = _BATCH) -> Callable:
    def program(tf: Any) -> dict:
        x, feeds = _fed(tf, value, "x")
        y = build(tf, x)
        return {"fetch": {"y": y, "dy/dx": tf.gradients(tf.reduce_sum(y), x)[0]}, "feed": feeds}
    return program


_GRADIENTS = {
    "inverse": lambda tf, x: tf.matrix_inverse(x),
    "inverse adjoint": lambda tf, x: tf.matrix_inverse(x, adjoint=True),
    "determinant": lambda tf, x: tf.matrix_determinant(x),
    "slogdet": lambda tf, x: tf.linalg.slogdet(x)[1] * 2.0,
    "logdet": lambda tf, x: tf.linalg.logdet(tf.matmul(x, x, adjoint_b=True)),
    "solve": lambda tf, x: tf.matrix_solve(x, x[..., :1] * 2.0),
    "triangular solve broadcast": lambda tf, x: tf.matrix_triangular_solve(x, x[0, :, :2]),
    "eigh values": lambda tf, x: tf.self_adjoint_eigvals(x),
    "eigh values and vectors": lambda tf, x: tf.reduce_sum(
        tf.square(tf.self_adjoint_eig(x)[1]) * tf.constant([1.0, 2.0, 3.0], tf.float64), -1),
    "svd values": lambda tf, x: tf.svd(x, compute_uv=False),
    "nuclear norm of a tall matrix": lambda tf, x: tf.reduce_sum(tf.svd(x[:, :, :2])[0]),
    "qr r diagonal": lambda tf, x: tf.abs(tf.linalg.diag_part(tf.qr(x)[1])),
    "band part": lambda tf, x: tf.matrix_band_part(x, 1, 0) * x,
    "cross": lambda tf, x: tf.cross(x, tf.square(x)),
    "trace": lambda tf, x: tf.trace(tf.matmul(x, x)),
    "einsum broadcast": lambda tf, x: tf.einsum("...ij,jk->...ik", x, x[0] * 2.0),
    "einsum batch broadcast": lambda tf, x: tf.einsum(
        "...ij,...jk->...ik", x[:1], tf.square(x)),
    "einsum named batch labels must match": lambda tf, x: tf.einsum(
        "bij,bjk->bik", x[:1], tf.square(x)),
    "einsum reduce and diagonal": lambda tf, x: tf.einsum("bii->b", x) * tf.einsum("bij->", x),
    "einsum three": lambda tf, x: tf.einsum("ij,jk,kl->il", x[0], x[1], x[0]),
    "matvec": lambda tf, x: tf.linalg.matvec(x, x[:, 0]),
    "norm 2 of matrices": lambda tf, x: tf.linalg.norm(x, ord=2, axis=[1, 2]),
}


def _norms(tf: Any) -> dict:
    x, feeds = _fed(tf, _BATCH.astype(np.float32) - 3.0, "x")
    fetch = {}
    for ord_ in ("euclidean", "fro", 1, 2, np.inf):
        fetch[f"matrix {ord_}"] = tf.linalg.norm(x, ord=ord_, axis=[-2, -1])
        fetch[f"matrix {ord_} kept"] = tf.linalg.norm(x, ord=ord_, axis=(1, 2), keepdims=True)
    for ord_ in ("euclidean", 1, 2, np.inf, 3):
        fetch[f"vector {ord_}"] = tf.linalg.norm(x, ord=ord_, axis=-1)
    fetch["all"] = tf.linalg.norm(x)
    fetch["matrix 2 over axes 2, 0"] = tf.norm(x, ord=2, axis=[2, 0])
    return {"fetch": fetch, "feed": feeds}


def _pseudo_inverse_and_rank(tf: Any) -> dict:
    deficient = np.array(TALL_DEFICIENT)
    x, feeds = _fed(tf, deficient, "x", shape=[None, 5, 3])
    pinv = tf.linalg.pinv(x)
    normalized, size = tf.linalg.normalize(x, ord=1, axis=-1)
    return {"fetch": {"pinv": pinv, "rank": tf.linalg.matrix_rank(x),
                      "rank tol 0.5": tf.linalg.matrix_rank(x, tol=0.5),
                      "pinv rcond 0.3": tf.linalg.pinv(x, rcond=0.3),
                      "normalized": normalized, "norm": size,
                      "d pinv": tf.gradients(tf.reduce_sum(pinv), x)[0]},
            "feed": feeds}


TALL_DEFICIENT = np.stack([_TALL, _TALL[:, [0, 1, 0]] * [1.0, 2.0, -1.0]])


def _static_shapes(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [None, 4, 3], name="x")
    square = tf.placeholder(tf.float32, [None, None, 3], name="square")
    unknown = tf.placeholder(tf.float32, name="unknown")
    return {"static": {
        "svd s": tf.svd(x)[0], "svd u": tf.svd(x)[1], "svd v full": tf.svd(x, True)[2],
        "qr": tf.qr(x)[0], "qr full": tf.qr(x, full_matrices=True)[1],
        "inverse": tf.matrix_inverse(square), "det": tf.matrix_determinant(square),
        "eig": tf.self_adjoint_eig(square)[0], "inverse unknown": tf.matrix_inverse(unknown),
        "solve unknown": tf.matrix_solve(unknown, x), "einsum unknown": tf.einsum(
            "ij,jk->ik", unknown, x[0]), "einsum ellipsis unknown": tf.einsum(
            "...ij->...ji", unknown), "cross": tf.cross(x, x),
        "lstsq": tf.matrix_solve_ls(x, x[:, :, :1]),
        "triangular broadcast": tf.matrix_triangular_solve(square, x[0, :3]),
    }}


def _error(build: Callable) -> Callable:
    def program(tf: Any) -> dict:
        build(tf)
        return {}
    return program


_BUILD_ERRORS = {
    "inverse of a non-square matrix": lambda tf: tf.matrix_inverse(tf.zeros([2, 3])),
    "determinant of a vector": lambda tf: tf.matrix_determinant(tf.zeros([3])),
    "cholesky of a non-square batch": lambda tf: tf.cholesky(tf.zeros([2, 3, 4])),
    "solve with rows that do not match": lambda tf: tf.matrix_solve(tf.zeros([3, 3]),
                                                                    tf.zeros([2, 1])),
    "solve with batches that differ": lambda tf: tf.matrix_solve(tf.zeros([2, 3, 3]),
                                                                tf.zeros([3, 3, 1])),
    "eig of a non-square matrix": lambda tf: tf.self_adjoint_eig(tf.zeros([2, 3])),
    "svd of a vector": lambda tf: tf.svd(tf.zeros([3])),
    "qr of a vector": lambda tf: tf.qr(tf.zeros([3])),
    "cross of 2-vectors": lambda tf: tf.cross(tf.zeros([2]), tf.zeros([2])),
    "cross of different shapes": lambda tf: tf.cross(tf.zeros([2, 3]), tf.zeros([3])),
    "inverse of int32": lambda tf: tf.matrix_inverse(tf.zeros([2, 2], tf.int32)),
    "einsum inner dims differ": lambda tf: tf.einsum("ij,jk", tf.zeros([2, 3]),
                                                     tf.zeros([2, 3])),
    "einsum bad subscripts": lambda tf: tf.einsum("ij-k", tf.zeros([2, 3])),
    "einsum wrong operand count": lambda tf: tf.einsum("ij,jk->ik", tf.zeros([2, 3])),
    "einsum repeated output label": lambda tf: tf.einsum("ij->ii", tf.zeros([2, 2])),
    "einsum output label not in inputs": lambda tf: tf.einsum("ij->k", tf.zeros([2, 2])),
    "norm ord 3 of matrices": lambda tf: tf.norm(tf.zeros([2, 2]), ord=3, axis=[0, 1]),
    "norm ord -1": lambda tf: tf.norm(tf.zeros([2]), ord=-1),
    "gradient of matrix_solve_ls fast=False": lambda tf: tf.gradients(
        tf.matrix_solve_ls(tf.ones([3, 2]) + tf.eye(3, 2), tf.ones([3, 1]), fast=False),
        tf.ones([1])),
}


def _run_error(build: Callable, value: np.ndarray) -> Callable:
    def program(tf: Any) -> dict:
        x, feeds = _fed(tf, value, "x", shape=[None, None])
        return {"fetch": build(tf, x), "feed": feeds}
    return program


_SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
_RUN_ERRORS = {
    "inverse of a singular matrix": (lambda tf, x: tf.matrix_inverse(x), _SINGULAR),
    "solve with a singular matrix": (lambda tf, x: tf.matrix_solve(x, x), _SINGULAR),
    "inverse of a fed non-square matrix": (lambda tf, x: tf.matrix_inverse(x), np.ones((2, 3))),
    "determinant of a singular matrix": (lambda tf, x: tf.matrix_determinant(x), _SINGULAR),
    "slogdet of a singular matrix": (lambda tf, x: list(tf.linalg.slogdet(x)), _SINGULAR),
    "cholesky of a matrix that is not positive definite": (lambda tf, x: tf.cholesky(x),
                                                           -np.eye(2)),
    "triangular solve with a zero on the diagonal": (
        lambda tf, x: tf.matrix_triangular_solve(x, tf.ones([2, 1], tf.float64)),
        np.array([[0.0, 0.0], [1.0, 1.0]])),
    "empty inverse and determinant": (lambda tf, x: [tf.matrix_inverse(x),
                                                     tf.matrix_determinant(x)], np.zeros((0, 0))),
}


def programs() -> list[Program]:
    table = [Program("names and static shapes", _names),
             Program("least squares fit", _least_squares_fit),
             Program("gaussian log likelihood", _gaussian_log_likelihood),
             Program("norms of every ord", _norms),
             Program("pinv, matrix_rank and normalize", _pseudo_inverse_and_rank),
             Program("static shapes", _static_shapes)]
    table += [Program(name, _op_list(build)) for name, build in _OP_LISTS.items()]
    table += [Program(f"gradient of {name}", _grads(build), rtol=1e-6)
              for name, build in _GRADIENTS.items()]
    table += [Program(f"error: {name}", _error(build)) for name, build in _BUILD_ERRORS.items()]
    table += [Program(f"run: {name}", _run_error(build, value))
              for name, (build, value) in _RUN_ERRORS.items()]
    return table
