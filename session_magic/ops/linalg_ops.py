"""Op blocks for linear algebra on batches of matrices: inverse, determinants, Cholesky, solves,
eigen, singular value and QR decompositions, band parts, cross products and einsum.

Every kernel is numpy.linalg (batched over leading dims, as TF's ops are); every gradient is
TF's rule (linalg_grad.py) built from graph ops. The builders are TF1's, with its names.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Optional

import numpy as np

from .. import dtypes as d
from .. import errors
from ..graph import Tensor
from . import array_ops, math_ops
from .common import (REAL, bool_arg, broadcast_dims, check_dtype, check_same_dtype, keepdims_arg,
                     merged_shape, single)
from .conversion import convert_to_tensor
from .functional import cond
from .gradient_ops import sum_to_shape
from .registry import ShapeError, apply_op, op_scope, register

__all__ = [
    "matrix_inverse", "matrix_determinant", "log_matrix_determinant", "cholesky",
    "cholesky_solve", "matrix_solve", "matrix_solve_ls", "matrix_triangular_solve",
    "self_adjoint_eig", "self_adjoint_eigvals", "svd", "qr", "norm", "trace",
    "matrix_band_part", "cross", "einsum",
]

_LAPACK_TYPES = (d.float64, d.float32, d.float16, d.complex64, d.complex128)
_NOT_INVERTIBLE = "Input is not invertible."
_CHOLESKY_FAILED = "Cholesky decomposition was not successful. The input might not be valid."


# --- shared helpers ------------------------------------------------------------------------------

def _matrices(t: Tensor, square: bool = True) -> Optional[tuple]:
    """t's dims, checked to be (a batch of) matrices, square ones if asked; None if unknown."""
    dims = t._dims
    if dims is None:
        return None
    if len(dims) < 2:
        raise ShapeError(f"Shape must be at least rank 2 but is rank {len(dims)}")
    if not square:
        return dims
    side = _merge(*dims[-2:])
    return dims[:-2] + (side, side)


def _merge(a: Optional[int], b: Optional[int]) -> Optional[int]:
    if a is not None and b is not None and a != b:
        raise ShapeError(f"Dimensions must be equal, but are {a} and {b}")
    return a if a is not None else b


def _lapack(fn: Callable, square: bool = False) -> Callable:
    """`fn` on a batch of matrices (square ones if asked: TF's run-time checks for shapes only
    known then); float16 computed in float32 (LAPACK has no half precision) and cast back."""
    def kernel(x: Any, *rest: Any) -> Any:
        x = np.asarray(x)
        if x.ndim < 2:
            raise errors.InvalidArgumentError(None, None,
                                              f"Input tensor 0 must have rank >= 2, got {x.ndim}")
        if square and x.shape[-1] != x.shape[-2]:
            raise errors.InvalidArgumentError(None, None, "Input matrix must be square.")
        try:
            if x.dtype != np.float16:
                return fn(x, *rest)
            result = fn(x.astype(np.float32), *rest)
        except np.linalg.LinAlgError as error:  # NOTE: e.g. no convergence on NaN input
            raise errors.InvalidArgumentError(None, None, str(error)) from None
        if isinstance(result, tuple):
            return tuple(np.asarray(r).astype(np.float16) for r in result)
        return np.asarray(result).astype(np.float16)
    return kernel


def _adjoint(x: Any) -> Any:
    swapped = np.swapaxes(x, -1, -2)
    return np.conj(swapped) if swapped.dtype.kind == "c" else swapped


def _square_infer(outputs: Callable) -> Callable:
    """Inference for one square-matrix input: `outputs(dtype, dims)` gives the output specs."""
    def infer(inputs: list, attrs: dict) -> list:
        dtype = check_dtype(inputs[0], _LAPACK_TYPES, "input")
        return outputs(dtype, _matrices(inputs[0]))
    return infer


def _batch(dims: Optional[tuple]) -> Optional[tuple]:
    return None if dims is None else dims[:-2]


def _adjoint_tensor(t: Tensor) -> Tensor:
    return array_ops.matrix_transpose(t, conjugate=True)


def _as_matrices(values: Tensor) -> Tensor:
    """`values` of shape batch reshaped to batch + [1, 1], to scale a batch of matrices."""
    return array_ops.expand_dims(array_ops.expand_dims(values, -1), -1)


# --- MatrixInverse, MatrixDeterminant, LogMatrixDeterminant --------------------------------------

def _inverse_kernel(op: Any) -> Callable:
    adjoint = op._attrs["adjoint"]

    def inverse(x: Any) -> Any:
        try:
            return np.linalg.inv(_adjoint(x) if adjoint else x)
        except np.linalg.LinAlgError:
            raise errors.InvalidArgumentError(None, None, _NOT_INVERTIBLE) from None
    return _lapack(inverse, square=True)


def _inverse_grad(op: Any, g: Tensor) -> list:
    inverse, adjoint = op.outputs[0], op.get_attr("adjoint")
    inner = math_ops.matmul(g, inverse, adjoint_a=adjoint, adjoint_b=not adjoint)
    return [-math_ops.matmul(inverse, inner, adjoint_a=not adjoint)]


register("MatrixInverse", _square_infer(lambda t, dims: [(t, dims)]),
         _inverse_kernel, grad=_inverse_grad)


def _determinant_grad(op: Any, g: Tensor) -> list:
    """d det(A) = det(A) inv(A)^H, scaled per matrix."""
    inverse_adjoint = matrix_inverse(op.inputs[0], adjoint=True)
    return [_as_matrices(g * op.outputs[0]) * inverse_adjoint]


register("MatrixDeterminant",
         _square_infer(lambda t, dims: [(t, _batch(dims))]),
         lambda op: _lapack(np.linalg.det, square=True), grad=_determinant_grad)


def _slogdet(x: Any) -> tuple:
    sign, log_abs = np.linalg.slogdet(x)
    return np.asarray(sign, x.dtype), np.asarray(log_abs).astype(x.dtype)


def _log_determinant_grad(op: Any, g_sign: Tensor, g_log: Tensor) -> list:
    inverse_adjoint = matrix_inverse(op.inputs[0], adjoint=True)
    return [_as_matrices(g_log) * inverse_adjoint]


register("LogMatrixDeterminant",
         _square_infer(lambda t, dims: [(t, _batch(dims))] * 2),
         lambda op: _lapack(_slogdet, square=True), grad=_log_determinant_grad, multi_output=True)


def matrix_inverse(input: Any, adjoint: bool = False, name: Optional[str] = None) -> Tensor:
    """The inverse of each square matrix (of its adjoint with `adjoint`); a singular one is
    an InvalidArgumentError when run."""
    attrs = {"adjoint": bool_arg(adjoint, "adjoint")}
    return single(apply_op("MatrixInverse", [input], attrs, name, arg_names=("input",)))


def matrix_determinant(input: Any, name: Optional[str] = None) -> Tensor:
    """The determinant of each square matrix of `input`."""
    return single(apply_op("MatrixDeterminant", [input], None, name, arg_names=("input",)))


def log_matrix_determinant(input: Any, name: Optional[str] = None) -> tuple:
    """(sign, log|det|) of each square matrix: the determinant without overflow."""
    op = apply_op("LogMatrixDeterminant", [input], None, name, arg_names=("input",))
    return tuple(op._outputs)


def logdet(matrix: Any, name: Optional[str] = None) -> Tensor:
    """log det of each Hermitian positive definite matrix, from its Cholesky factor (as TF)."""
    with op_scope(name, "logdet", [matrix]):
        chol = single(apply_op("Cholesky", [matrix], None, arg_names=("input",)))
        diagonal = math_ops.real(array_ops.matrix_diag_part(chol))
        return 2.0 * math_ops.reduce_sum(math_ops.log(diagonal), axis=[-1])


# --- Cholesky ------------------------------------------------------------------------------------

def _cholesky(x: Any) -> Any:
    try:
        # NOTE: LAPACK reads only the lower triangle, as TF's kernel does
        return np.linalg.cholesky(x)
    except np.linalg.LinAlgError:
        raise errors.InvalidArgumentError(None, None, _CHOLESKY_FAILED) from None


def _cholesky_grad(op: Any, g: Tensor) -> list:
    """TF's rule (Murray 2016): Phi(L^H g) through L^-1 on both sides, symmetrised."""
    chol = op.outputs[0]
    identity = _identity_like(chol)
    chol_inverse = matrix_triangular_solve(chol, identity)
    middle = math_ops.matmul(chol, g, adjoint_a=True)
    middle = array_ops.matrix_set_diag(middle, 0.5 * array_ops.matrix_diag_part(middle))
    middle = matrix_band_part(middle, -1, 0)
    grad = math_ops.matmul(math_ops.matmul(chol_inverse, middle, adjoint_a=True), chol_inverse)
    return [(grad + _adjoint_tensor(grad)) * 0.5]


def _identity_like(matrices: Tensor) -> Tensor:
    """Identity matrices of the shape and dtype of a batch of square `matrices`."""
    return array_ops.matrix_set_diag(array_ops.zeros_like(matrices),
                                     array_ops.ones_like(array_ops.matrix_diag_part(matrices)))


register("Cholesky", _square_infer(lambda t, dims: [(t, dims)]),
         lambda op: _lapack(_cholesky, square=True), grad=_cholesky_grad)


def cholesky(input: Any, name: Optional[str] = None) -> Tensor:
    """The lower Cholesky factor L (A = L L^H) of each Hermitian positive definite matrix; only
    the lower triangle is read. A matrix that is not positive definite fails when run."""
    return single(apply_op("Cholesky", [input], None, name, arg_names=("input",)))


def cholesky_solve(chol: Any, rhs: Any, name: Optional[str] = None) -> Tensor:
    """X with A X = rhs, given A's Cholesky factor `chol`: two triangular solves."""
    with op_scope(name, "cholesky_solve", [chol, rhs]):
        attrs = {"lower": True, "adjoint": False}
        y = single(apply_op("MatrixTriangularSolve", [chol, rhs], attrs,
                            arg_names=("matrix", "rhs")))
        attrs = {"lower": True, "adjoint": True}
        return single(apply_op("MatrixTriangularSolve", [chol, y], attrs,
                               arg_names=("matrix", "rhs")))


# --- MatrixSolve, MatrixTriangularSolve ----------------------------------------------------------

def _solve_infer(inputs: list, attrs: dict) -> list:
    matrix, rhs = inputs
    dtype = check_same_dtype("MatrixSolve", inputs, ("matrix", "rhs"))
    check_dtype(matrix, _LAPACK_TYPES, "matrix")
    a, b = _matrices(matrix), _matrices(rhs, square=False)
    if a is None and b is None:
        return [(dtype, None)]
    a = (None,) * len(b) if a is None else a
    b = (None,) * len(a) if b is None else b
    batch = merged_shape(a[:-2], b[:-2])  # NOTE: MatrixSolve does not broadcast batches
    return [(dtype, batch + (_merge(a[-2], b[-2]), b[-1]))]


def _solve_kernel(op: Any) -> Callable:
    adjoint = op._attrs["adjoint"]

    def solve(matrix: Any, rhs: Any) -> Any:
        try:
            return np.linalg.solve(_adjoint(matrix) if adjoint else matrix, rhs)
        except np.linalg.LinAlgError:
            raise errors.InvalidArgumentError(None, None,
                                              "Input matrix is not invertible.") from None
    return _lapack(solve, square=True)


def _solve_grad_pair(op: Any, g: Tensor, solve: Callable) -> tuple:
    """(grad_matrix, grad_rhs) of a solve C = A^-1 B: B' = A^-H g, A' = -B' C^H."""
    adjoint = op.get_attr("adjoint")
    solution = op.outputs[0]
    grad_rhs = solve(g, not adjoint)
    if adjoint:
        return -math_ops.matmul(solution, grad_rhs, adjoint_b=True), grad_rhs
    return -math_ops.matmul(grad_rhs, solution, adjoint_b=True), grad_rhs


def _solve_grad(op: Any, g: Tensor) -> list:
    matrix = op.inputs[0]
    return list(_solve_grad_pair(op, g, lambda rhs, adj: matrix_solve(matrix, rhs, adj)))


register("MatrixSolve", _solve_infer, _solve_kernel, grad=_solve_grad)


def _triangular_solve_infer(inputs: list, attrs: dict) -> list:
    matrix, rhs = inputs
    dtype = check_same_dtype("MatrixTriangularSolve", inputs, ("matrix", "rhs"))
    check_dtype(matrix, _LAPACK_TYPES, "matrix")
    a, b = _matrices(matrix), _matrices(rhs, square=False)
    if a is None or b is None:
        return [(dtype, None)]
    batch = broadcast_dims(a[:-2], b[:-2])  # NOTE: TF 2 broadcasts the batches
    return [(dtype, batch + (_merge(_merge(a[-2], a[-1]), b[-2]), b[-1]))]


def _triangular_solve_kernel(op: Any) -> Callable:
    lower, adjoint = op._attrs["lower"], op._attrs["adjoint"]

    def triangular_solve(matrix: Any, rhs: Any) -> Any:
        batch = np.broadcast_shapes(matrix.shape[:-2], rhs.shape[:-2])
        triangle = np.tril(matrix) if lower else np.triu(matrix)
        triangle = np.broadcast_to(_adjoint(triangle) if adjoint else triangle,
                                   batch + matrix.shape[-2:])
        rhs = np.broadcast_to(rhs, batch + rhs.shape[-2:])
        try:
            return np.linalg.solve(triangle, rhs)
        except np.linalg.LinAlgError:
            # NOTE: a zero on the diagonal: TF substitutes on and gives inf/nan, no error
            return _substitute(triangle, rhs, lower != adjoint)
    return _lapack(triangular_solve, square=True)


def _substitute(triangle: np.ndarray, rhs: np.ndarray, lower: bool) -> np.ndarray:
    """Forward (lower) or back substitution, row by row over the whole batch."""
    n = triangle.shape[-1]
    result = np.zeros(rhs.shape, np.result_type(triangle, rhs))
    for i in range(n) if lower else reversed(range(n)):
        done = slice(0, i) if lower else slice(i + 1, n)
        known = triangle[..., i:i + 1, done] @ result[..., done, :]
        result[..., i, :] = (rhs[..., i, :] - known[..., 0, :]) / triangle[..., i, i:i + 1]
    return result


def _triangular_solve_grad(op: Any, g: Tensor) -> list:
    matrix, rhs = op.inputs
    lower = op.get_attr("lower")
    grad_matrix, grad_rhs = _solve_grad_pair(
        op, g, lambda b, adj: matrix_triangular_solve(matrix, b, lower=lower, adjoint=adj))
    grad_matrix = matrix_band_part(grad_matrix, -1, 0) if lower else \
        matrix_band_part(grad_matrix, 0, -1)
    batch_a, batch_b = _batch(matrix._dims), _batch(rhs._dims)
    if batch_a is not None and batch_a == batch_b and None not in batch_a:
        return [grad_matrix, grad_rhs]
    # NOTE: summed back over the batch dims along which each input was broadcast
    return [sum_to_shape(grad_matrix, matrix), sum_to_shape(grad_rhs, rhs)]


register("MatrixTriangularSolve", _triangular_solve_infer, _triangular_solve_kernel,
         grad=_triangular_solve_grad)


def matrix_solve(matrix: Any, rhs: Any, adjoint: bool = False,
                 name: Optional[str] = None) -> Tensor:
    """X with matrix X = rhs (matrix^H X = rhs with `adjoint`), for each matrix of the batch."""
    attrs = {"adjoint": bool_arg(adjoint, "adjoint")}
    return single(apply_op("MatrixSolve", [matrix, rhs], attrs, name,
                           arg_names=("matrix", "rhs"), same_dtype=True))


def matrix_triangular_solve(matrix: Any, rhs: Any, lower: bool = True, adjoint: bool = False,
                            name: Optional[str] = None) -> Tensor:
    """X with T X = rhs for T the lower (or upper) triangle of `matrix` (or its adjoint); the
    batch dims broadcast, as in TF 2."""
    attrs = {"lower": bool_arg(lower, "lower"), "adjoint": bool_arg(adjoint, "adjoint")}
    with op_scope(name, "triangular_solve", [matrix, rhs]):
        return single(apply_op("MatrixTriangularSolve", [matrix, rhs], attrs,
                               arg_names=("matrix", "rhs"), same_dtype=True))


# --- MatrixSolveLs and the least-squares builder -------------------------------------------------

def _solve_ls_infer(inputs: list, attrs: dict) -> list:
    matrix, rhs, regularizer = inputs
    dtype = check_same_dtype("MatrixSolveLs", inputs[:2], ("matrix", "rhs"))
    check_dtype(matrix, _LAPACK_TYPES, "matrix")
    check_dtype(regularizer, (d.float64,), "l2_regularizer")
    a, b = _matrices(matrix, square=False), _matrices(rhs, square=False)
    if a is None or b is None:
        return [(dtype, None)]
    batch = merged_shape(a[:-2], b[:-2])
    _merge(a[-2], b[-2])
    return [(dtype, batch + (a[-1], b[-1]))]


def _solve_ls_kernel(op: Any) -> Callable:
    fast = op._attrs["fast"]

    def solve_ls(matrix: Any, rhs: Any, regularizer: Any) -> Any:
        if not fast:  # NOTE: TF's complete orthogonal decomposition: minimum norm, no l2
            return np.linalg.pinv(matrix) @ rhs
        rows, columns = matrix.shape[-2:]
        ridge = np.asarray(regularizer, matrix.dtype) * np.eye(min(rows, columns),
                                                               dtype=matrix.dtype)
        if rows >= columns:
            gram = _adjoint(matrix) @ matrix
            return np.linalg.solve(gram + ridge, _adjoint(matrix) @ rhs)
        return _adjoint(matrix) @ np.linalg.solve(matrix @ _adjoint(matrix) + ridge, rhs)
    return _lapack(solve_ls)


def _solve_ls_grad(op: Any, g: Tensor) -> list:
    if not op.get_attr("fast"):
        raise ValueError("Gradient not defined for fast=False")
    matrix, rhs, regularizer = op.inputs
    dims = matrix._dims
    if dims is None or None in dims[-2:]:
        raise ValueError("The gradient of MatrixSolveLs needs the matrix's last two dims while "
                         "building the graph.")
    regularizer = math_ops.cast(regularizer, matrix.dtype)
    if dims[-2] >= dims[-1]:
        chol = _regularized_gramian_cholesky(matrix, regularizer, first_kind=True)
        z = cholesky_solve(chol, g)
        xzt = math_ops.matmul(op.outputs[0], z, adjoint_b=True)
        symmetric = xzt + array_ops.matrix_transpose(xzt)
        grad_matrix = -math_ops.matmul(matrix, symmetric) + math_ops.matmul(rhs, z,
                                                                           adjoint_b=True)
        return [grad_matrix, math_ops.matmul(matrix, z), None]
    chol = _regularized_gramian_cholesky(matrix, regularizer, first_kind=False)
    grad_rhs = cholesky_solve(chol, math_ops.matmul(matrix, g))
    solved = cholesky_solve(chol, rhs)
    first = -math_ops.matmul(grad_rhs, math_ops.matmul(solved, matrix, adjoint_a=True))
    second = g - math_ops.matmul(matrix, grad_rhs, adjoint_a=True)
    return [first + math_ops.matmul(solved, second, adjoint_b=True), grad_rhs, None]


register("MatrixSolveLs", _solve_ls_infer, _solve_ls_kernel, grad=_solve_ls_grad)


def _regularized_gramian_cholesky(matrix: Tensor, regularizer: Any, first_kind: bool) -> Tensor:
    """Cholesky of A^H A + l2 I (first kind) or A A^H + l2 I (second kind), as TF builds it."""
    gramian = math_ops.matmul(matrix, matrix, adjoint_a=first_kind, adjoint_b=not first_kind)
    if isinstance(regularizer, Tensor) or regularizer != 0:
        gramian += regularizer * _identity_like(gramian)
    return cholesky(gramian)


def matrix_solve_ls(matrix: Any, rhs: Any, l2_regularizer: Any = 0.0, fast: bool = True,
                    name: Optional[str] = None) -> Tensor:
    """The least-squares solution of matrix X = rhs (ridge-regularised by `l2_regularizer`):
    with `fast`, from the normal equations by Cholesky, as TF builds it; else the MatrixSolveLs
    op's minimum-norm solution (which ignores `l2_regularizer`, as TF's)."""
    fast = bool_arg(fast, "fast")
    matrix = convert_to_tensor(matrix, name="matrix")
    if matrix.dtype == d.complex128 and not isinstance(l2_regularizer, Tensor) \
            and l2_regularizer != 0:
        raise NotImplementedError("matrix_solve_ls is currently disabled for complex128 and "
                                  "l2_regularizer != 0 due to poor accuracy.")
    if not fast:
        regularizer = l2_regularizer if isinstance(l2_regularizer, Tensor) else \
            np.float64(l2_regularizer)
        return single(apply_op("MatrixSolveLs", [matrix, rhs, regularizer], {"fast": False},
                               name, arg_names=("matrix", "rhs", "l2_regularizer")))
    with op_scope(name, "matrix_solve_ls", [matrix, rhs, l2_regularizer]):
        dims = matrix._dims
        if dims is not None and None not in dims[-2:]:
            return _least_squares(matrix, rhs, l2_regularizer, dims[-2] >= dims[-1])
        rows_and_columns = array_ops.shape(matrix)[-2:]
        return cond(rows_and_columns[0] >= rows_and_columns[1],
                    lambda: _least_squares(matrix, rhs, l2_regularizer, True),
                    lambda: _least_squares(matrix, rhs, l2_regularizer, False))


def _least_squares(matrix: Tensor, rhs: Any, regularizer: Any, overdetermined: bool) -> Tensor:
    chol = _regularized_gramian_cholesky(matrix, regularizer, first_kind=overdetermined)
    if overdetermined:
        return cholesky_solve(chol, math_ops.matmul(matrix, rhs, adjoint_a=True))
    return math_ops.matmul(matrix, cholesky_solve(chol, rhs), adjoint_a=True)


# --- SelfAdjointEigV2 ----------------------------------------------------------------------------

def _eig_infer(inputs: list, attrs: dict) -> list:
    dtype = check_dtype(inputs[0], _LAPACK_TYPES, "input")
    dims = _matrices(inputs[0])
    values = None if dims is None else dims[:-1]
    vectors = dims if attrs["compute_v"] else (0,)
    return [(dtype, values), (dtype, vectors)]


def _eig_kernel(op: Any) -> Callable:
    compute_v = op._attrs["compute_v"]

    def eigh(x: Any) -> tuple:
        if not compute_v:  # NOTE: eigh and eigvalsh read only the lower triangle, as TF
            return np.linalg.eigvalsh(x).astype(x.dtype), np.zeros((0,), x.dtype)
        values, vectors = np.linalg.eigh(x)
        return values.astype(x.dtype), vectors
    return _lapack(eigh, square=True)


def _safe_reciprocal(x: Tensor, epsilon: float = 1e-20) -> Tensor:
    return x * math_ops.reciprocal(x * x + epsilon)


def _eig_grad(op: Any, g_values: Tensor, g_vectors: Tensor) -> list:
    """TF's rule; the result is lower triangular with a halved diagonal, as the kernel reads
    only the lower triangle."""
    values = op.outputs[0]
    diag_grad = array_ops.matrix_diag(g_values)
    if op.get_attr("compute_v"):
        vectors = op.outputs[1]
        gaps = array_ops.expand_dims(values, -2) - array_ops.expand_dims(values, -1)
        f = array_ops.matrix_set_diag(_safe_reciprocal(gaps), array_ops.zeros_like(values))
        inner = diag_grad + f * math_ops.matmul(vectors, g_vectors, adjoint_a=True)
    else:
        vectors = self_adjoint_eig(op.inputs[0])[1]
        inner = diag_grad
    grad = math_ops.matmul(vectors, math_ops.matmul(inner, vectors, adjoint_b=True))
    grad = matrix_band_part(grad + _adjoint_tensor(grad), -1, 0)
    return [array_ops.matrix_set_diag(grad, 0.5 * array_ops.matrix_diag_part(grad))]


register("SelfAdjointEigV2", _eig_infer, _eig_kernel, grad=_eig_grad, multi_output=True)


def self_adjoint_eig(tensor: Any, name: Optional[str] = None) -> tuple:
    """(eigenvalues ascending, eigenvectors as columns) of each self-adjoint matrix (its lower
    triangle is read)."""
    op = apply_op("SelfAdjointEigV2", [tensor], {"compute_v": True}, name,
                  arg_names=("input",))
    return op._outputs[0], op._outputs[1]


def self_adjoint_eigvals(tensor: Any, name: Optional[str] = None) -> Tensor:
    """The eigenvalues, ascending, of each self-adjoint matrix."""
    op = apply_op("SelfAdjointEigV2", [tensor], {"compute_v": False}, name,
                  arg_names=("input",))
    return op._outputs[0]


# --- Svd -----------------------------------------------------------------------------------------

def _svd_infer(inputs: list, attrs: dict) -> list:
    dtype = check_dtype(inputs[0], _LAPACK_TYPES, "input")
    dims = _matrices(inputs[0], square=False)
    if dims is None:
        unknown = None if attrs["compute_uv"] else (0,)
        return [(dtype, None), (dtype, unknown), (dtype, unknown)]
    batch, (m, n) = dims[:-2], dims[-2:]
    p = None if m is None or n is None else min(m, n)
    if not attrs["compute_uv"]:
        return [(dtype, batch + (p,)), (dtype, (0,)), (dtype, (0,))]
    u_columns, v_columns = (m, n) if attrs["full_matrices"] else (p, p)
    return [(dtype, batch + (p,)), (dtype, batch + (m, u_columns)),
            (dtype, batch + (n, v_columns))]


def _svd_kernel(op: Any) -> Callable:
    compute_uv, full = op._attrs["compute_uv"], op._attrs["full_matrices"]

    def svd_(x: Any) -> tuple:
        if not compute_uv:
            empty = np.zeros((0,), x.dtype)
            return np.linalg.svd(x, compute_uv=False).astype(x.dtype), empty, empty
        u, s, vh = np.linalg.svd(x, full_matrices=full)
        return s.astype(x.dtype), u, _adjoint(vh)
    return _lapack(svd_)


def _svd_grad(op: Any, g_s: Tensor, g_u: Tensor, g_v: Tensor) -> list:
    """TF's rule (Townsend 2016), with TF's limits: known m and n, |m - n| <= 1 for full
    matrices; for u and v, real matrices only (TF's complex correction is not built)."""
    a = op.inputs[0]
    g_s_matrix = array_ops.matrix_diag(math_ops.cast(g_s, a.dtype))
    if not op.get_attr("compute_uv"):
        _, u, v = svd(a, compute_uv=True)
        return [math_ops.matmul(u, math_ops.matmul(g_s_matrix, v, adjoint_b=True))]
    if a._dims is None or None in a._dims[-2:]:
        raise NotImplementedError("SVD gradient has not been implemented for input with "
                                  "unknown inner matrix shape.")
    if a.dtype.is_complex:
        raise NotImplementedError("The gradient of svd's u and v is implemented for real "
                                  "matrices only in session_magic; take svd(compute_uv=False).")
    m, n = a._dims[-2:]
    s, u, v = op.outputs
    if m > n:
        m, n, u, v, g_u, g_v = n, m, v, u, g_v, g_u
    if op.get_attr("full_matrices") and abs(m - n) > 1:
        raise NotImplementedError(f"svd gradient is not implemented for abs(m - n) > 1 when "
                                  f"full_matrices is True. Received: m={m} and n={n}.")
    grad = _svd_grad_wide(s, u, v, g_s_matrix, g_u, g_v, m, n, op.get_attr("full_matrices"))
    return [_adjoint_tensor(grad) if a._dims[-2] > a._dims[-1] else grad]


def _svd_grad_wide(s: Tensor, u: Tensor, v: Tensor, g_s_matrix: Tensor, g_u: Tensor,
                   g_v: Tensor, m: int, n: int, full: bool) -> Tensor:
    """TF's rule for m <= n (the caller swaps u and v for tall matrices)."""
    s_matrix = array_ops.matrix_diag(s)
    s2 = math_ops.square(s)
    f = array_ops.matrix_set_diag(
        _safe_reciprocal(array_ops.expand_dims(s2, -2) - array_ops.expand_dims(s2, -1)),
        array_ops.zeros_like(s))
    v1, g_v1 = v[..., :, :m], g_v[..., :, :m]
    f_u = f * math_ops.matmul(u, g_u, adjoint_a=True)
    f_v = f * math_ops.matmul(v1, g_v1, adjoint_a=True)
    inner = (g_s_matrix + math_ops.matmul(f_u + _adjoint_tensor(f_u), s_matrix)
             + math_ops.matmul(s_matrix, f_v + _adjoint_tensor(f_v)))
    grad = math_ops.matmul(u, math_ops.matmul(inner, v1, adjoint_b=True))
    if m == n:
        return grad
    g_v1_t = _adjoint_tensor(g_v1)
    outside = g_v1_t - math_ops.matmul(math_ops.matmul(g_v1_t, v1), v1, adjoint_b=True)
    if full:
        v2, g_v2 = v[..., :, m:n], g_v[..., :, m:n]
        outside -= math_ops.matmul(math_ops.matmul(v1, g_v2, adjoint_a=True), v2,
                                   adjoint_b=True)
    s_inverse = array_ops.matrix_diag(_safe_reciprocal(s))
    return grad + math_ops.matmul(math_ops.matmul(u, s_inverse), outside)


register("Svd", _svd_infer, _svd_kernel, grad=_svd_grad, multi_output=True)


def svd(tensor: Any, full_matrices: bool = False, compute_uv: bool = True,
        name: Optional[str] = None) -> Any:
    """The singular values s (descending) of each matrix, and with `compute_uv` (s, u, v) with
    tensor = u diag(s) v^H: TF's order, v not transposed."""
    attrs = {"compute_uv": bool_arg(compute_uv, "compute_uv"),
             "full_matrices": bool_arg(full_matrices, "full_matrices")}
    s, u, v = apply_op("Svd", [tensor], attrs, name, arg_names=("input",))._outputs
    s = math_ops.real(s)
    return (s, u, v) if attrs["compute_uv"] else s


# --- Qr ------------------------------------------------------------------------------------------

def _qr_infer(inputs: list, attrs: dict) -> list:
    dtype = check_dtype(inputs[0], _LAPACK_TYPES, "input")
    dims = _matrices(inputs[0], square=False)
    if dims is None:
        return [(dtype, None), (dtype, None)]
    batch, (m, n) = dims[:-2], dims[-2:]
    p = m if attrs["full_matrices"] else (None if m is None or n is None else min(m, n))
    return [(dtype, batch + (m, p)), (dtype, batch + (p, n))]


def _qr_kernel(op: Any) -> Callable:
    mode = "complete" if op._attrs["full_matrices"] else "reduced"
    return _lapack(lambda x: tuple(np.linalg.qr(x, mode=mode)))


def _qr_grad(op: Any, g_q: Tensor, g_r: Tensor) -> list:
    """TF's rule, with TF's limits: known matrix dims, and not for full Q of a tall matrix."""
    q, r = op.outputs
    if q.dtype.is_complex:
        raise NotImplementedError("The gradient of qr is implemented for real matrices only in "
                                  "session_magic.")
    if r._dims is None or None in r._dims[-2:] or q._dims is None or None in q._dims[-2:]:
        raise NotImplementedError(f"QrGrad not implemented with dynamic shapes. Received "
                                  f"r.shape: {r.shape}")
    rows, columns = q._dims[-2], r._dims[-1]
    if r._dims[-2] > columns and q._dims[-2] == q._dims[-1]:
        raise NotImplementedError(f"QrGrad not implemented when nrows > ncols and "
                                  f"full_matrices is true. Received r.shape={r.shape}.")
    if rows >= columns:
        return [_qr_grad_deep(q, r, g_q, g_r)]
    a = op.inputs[0]
    y, u = a[..., :, rows:], r[..., :, :rows]
    g_v, g_u = g_r[..., :, rows:], g_r[..., :, :rows]
    dx = _qr_grad_deep(q, u, g_q + math_ops.matmul(y, g_v, adjoint_b=True), g_u)
    return [array_ops.concat([dx, math_ops.matmul(q, g_v)], axis=-1)]


def _qr_grad_deep(q: Tensor, r: Tensor, g_q: Tensor, g_r: Tensor) -> Tensor:
    """TF's rule for rows >= columns (real matrices)."""
    def times_inverse_r_adjoint(x: Tensor) -> Tensor:
        return _adjoint_tensor(matrix_triangular_solve(r, _adjoint_tensor(x), lower=False))
    qdq = math_ops.matmul(q, g_q, adjoint_a=True)
    rdr = math_ops.matmul(r, g_r, adjoint_b=True)
    tril = matrix_band_part(qdq - _adjoint_tensor(qdq) + rdr - _adjoint_tensor(rdr), -1, 0)
    grad_a = math_ops.matmul(q, g_r + times_inverse_r_adjoint(tril))
    return grad_a + times_inverse_r_adjoint(g_q - math_ops.matmul(q, qdq))


register("Qr", _qr_infer, _qr_kernel, grad=_qr_grad, multi_output=True)


def qr(input: Any, full_matrices: bool = False, name: Optional[str] = None) -> tuple:
    """(q, r) with input = q r, q orthonormal columns and r upper triangular, per matrix."""
    attrs = {"full_matrices": bool_arg(full_matrices, "full_matrices")}
    op = apply_op("Qr", [input], attrs, name, arg_names=("input",))
    return op._outputs[0], op._outputs[1]


# --- composites: norm (with the matrix 2-norm), normalize, matrix_rank, pinv, trace, matvec ------

def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None,  # noqa: A002 - TF's names
         keepdims: Optional[bool] = None, name: Optional[str] = None,
         keep_dims: Optional[bool] = None) -> Tensor:
    """TF's `norm`: math_ops.norm, plus ord=2 over a pair of axes, the largest singular value
    (the matrices' axes moved last, as TF does; their rank must be known while building)."""
    matrix_axes = isinstance(axis, (tuple, list)) and len(axis) == 2
    if not (matrix_axes and not isinstance(ord, str) and ord == 2):
        return math_ops.norm(tensor, ord, axis, keepdims, name, keep_dims)
    keep = keepdims_arg(keepdims, keep_dims)
    with op_scope(name, "norm", [tensor]):
        x = convert_to_tensor(tensor, name="tensor")
        if x._dims is None:
            raise ValueError("norm(ord=2) of matrices needs the rank of `tensor` while building "
                             "the graph.")
        rank = len(x._dims)
        ends = _matrix_axes(axis, rank)
        before = [i for i in range(rank) if i not in ends] + ends
        singular = apply_op("Svd", [array_ops.transpose(x, before)],
                            {"compute_uv": False, "full_matrices": False})._outputs[0]
        largest = math_ops.reduce_max(math_ops.abs(singular), axis=-1, keepdims=True)
        result = array_ops.transpose(array_ops.expand_dims(largest, -1),
                                     [before.index(i) for i in range(rank)])
        return result if keep else array_ops.squeeze(result, axis)


def _matrix_axes(axis: Any, rank: int) -> list:
    """A pair of distinct axes of a tensor of `rank`, non-negative; TF's ValueError if not."""
    if not all(isinstance(a, int) for a in axis) or \
            not all(-rank <= a < rank for a in axis) or axis[0] % rank == axis[1] % rank:
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers "
                         f"of a tensor of rank {rank}, got {axis}")
    return [a % rank for a in axis]


def normalize(tensor: Any, ord: Any = "euclidean", axis: Any = None,  # noqa: A002
              name: Optional[str] = None) -> tuple:
    """(tensor / its norm, the norm), the norm kept with the reduced axes of size 1."""
    with op_scope(name, "normalize", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor")
        size = math_ops.cast(norm(tensor, ord, axis, keepdims=True), tensor.dtype)
        return tensor / size, size


def _largest_matrix_dim(a: Tensor) -> Any:
    """max(rows, columns): a Python int when known while building, else a tensor."""
    dims = a._dims
    if dims is not None and None not in dims[-2:]:
        return max(dims[-2:])
    return math_ops.reduce_max(array_ops.shape(a)[-2:])


def matrix_rank(a: Any, tol: Any = None, validate_args: bool = False,
                name: Optional[str] = None) -> Tensor:
    """The number of singular values of each matrix above `tol` (by default eps * max(rows,
    columns) * the largest singular value), as TF counts them."""
    with op_scope(name, "matrix_rank", [a]):
        a = convert_to_tensor(a, name="a")
        s = svd(a, compute_uv=False)
        if tol is None:
            eps = np.finfo(a.dtype.as_numpy_dtype).eps
            largest = math_ops.cast(_largest_matrix_dim(a), a.dtype)
            tol = eps * largest * math_ops.reduce_max(s, axis=-1, keepdims=True)
        return math_ops.reduce_sum(math_ops.cast(s > tol, d.int32), axis=-1)


def pinv(a: Any, rcond: Any = None, validate_args: bool = False,
         name: Optional[str] = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each matrix, from its SVD: singular values at or
    below rcond (default 10 * max(rows, columns) * eps) times the largest are dropped."""
    with op_scope(name, "pinv", [a]):
        a = convert_to_tensor(a, name="a")
        dtype = a.dtype.as_numpy_dtype
        if rcond is None:
            largest = _largest_matrix_dim(a)
            largest = float(largest) if isinstance(largest, int) else \
                math_ops.cast(largest, a.dtype)
            rcond = 10.0 * largest * np.finfo(dtype).eps
        rcond = convert_to_tensor(rcond, a.dtype, name="rcond")
        s, u, v = svd(a, full_matrices=False, compute_uv=True)
        cutoff = rcond * math_ops.reduce_max(s, axis=-1)
        s = math_ops.where_v2(s > array_ops.expand_dims(cutoff, -1), s, np.array(np.inf, dtype))
        return math_ops.matmul(v / array_ops.expand_dims(s, -2), u, adjoint_b=True)


def trace(x: Any, name: Optional[str] = None) -> Tensor:
    """The sum of the main diagonal of each matrix of `x`."""
    with op_scope(name, "Trace", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return math_ops.reduce_sum(array_ops.matrix_diag_part(x), [-1], name=scope)


def adjoint(matrix: Any, name: Optional[str] = None) -> Tensor:
    """The conjugate transpose of each matrix of `matrix`."""
    with op_scope(name, "adjoint", [matrix]):
        return _adjoint_tensor(convert_to_tensor(matrix, name="matrix"))


def matvec(a: Any, b: Any, transpose_a: bool = False, adjoint_a: bool = False,
           a_is_sparse: bool = False, b_is_sparse: bool = False,
           name: Optional[str] = None) -> Tensor:
    """The matrix-vector product `a @ b` over the batch: b's last axis is the vector."""
    with op_scope(name, "MatVec", [a, b]):
        b = array_ops.expand_dims(convert_to_tensor(b, name="b"), -1)
        product = math_ops.matmul(a, b, transpose_a=transpose_a, adjoint_a=adjoint_a,
                                  a_is_sparse=a_is_sparse, b_is_sparse=b_is_sparse)
        return array_ops.squeeze(product, axis=-1)


# --- MatrixBandPart, Cross -----------------------------------------------------------------------

def _band_part_infer(inputs: list, attrs: dict) -> list:
    x, lower, upper = inputs
    for t, arg in ((lower, "num_lower"), (upper, "num_upper")):
        check_dtype(t, (d.int32, d.int64), arg)
        if t._dims is not None and len(t._dims) != 0:
            raise ShapeError(f"Shape must be rank 0 but is rank {len(t._dims)}")
    _matrices(x, square=False)
    return [(x._dtype, x._dims)]


def _band_part(x: Any, lower: Any, upper: Any) -> Any:
    rows, columns = x.shape[-2:]
    lower, upper = int(lower), int(upper)
    for value, what, count in ((lower, "num_lower", "rows"), (upper, "num_upper", "columns")):
        size = rows if count == "rows" else columns
        if value > size:
            raise errors.InvalidArgumentError(
                None, None, f"{what} must be negative or less or equal to number of {count} "
                f"({size}) got: {value}")
    offset = np.arange(columns)[None, :] - np.arange(rows)[:, None]
    keep = ((lower < 0) | (-offset <= lower)) & ((upper < 0) | (offset <= upper))
    return np.where(keep, x, np.zeros((), x.dtype))


def _band_part_grad(op: Any, g: Tensor) -> list:
    return [matrix_band_part(g, op.inputs[1], op.inputs[2]), None, None]


register("MatrixBandPart", _band_part_infer, lambda op: _band_part, grad=_band_part_grad)


def matrix_band_part(input: Any, num_lower: Any, num_upper: Any,  # noqa: A002 - TF's name
                     name: Optional[str] = None) -> Tensor:
    """Each matrix with everything outside its band zeroed: `num_lower` subdiagonals and
    `num_upper` superdiagonals kept (a negative count keeps the whole triangle)."""
    with op_scope(name, "MatrixBandPart", [input, num_lower, num_upper]) as scope:
        x = convert_to_tensor(input, name="input")
        # NOTE: TF's Tindex defaults to int64 for Python counts
        counts = [t if isinstance(t, Tensor) else convert_to_tensor(t, d.int64, name=arg)
                  for t, arg in ((num_lower, "num_lower"), (num_upper, "num_upper"))]
        return single(apply_op("MatrixBandPart", [x, *counts], None, scope))


def _cross_infer(inputs: list, attrs: dict) -> list:
    dtype = check_same_dtype("Cross", inputs, ("a", "b"))
    check_dtype(inputs[0], REAL, "a")
    dims = merged_shape(inputs[0]._dims, inputs[1]._dims)
    if dims is not None:
        if len(dims) < 1:
            raise ShapeError("Shape must be at least rank 1 but is rank 0")
        if dims[-1] is not None and dims[-1] != 3:
            raise ShapeError(f"Dimension must be 3 but is {dims[-1]}")
    return [(dtype, dims)]


def _cross_grad(op: Any, g: Tensor) -> list:
    a, b = op.inputs
    return [cross(b, g), cross(g, a)]


def _cross(a: Any, b: Any) -> Any:
    if np.shape(a) != np.shape(b) or np.ndim(a) < 1 or np.shape(a)[-1] != 3:
        raise errors.InvalidArgumentError(
            None, None, f"Both inputs must be of the same shape, with 3 elements in the inner-most "
            f"dimension; got {list(np.shape(a))} and {list(np.shape(b))}")
    return np.cross(a, b).astype(a.dtype)


register("Cross", _cross_infer, lambda op: _cross, grad=_cross_grad)


def cross(a: Any, b: Any, name: Optional[str] = None) -> Tensor:
    """The cross product of the 3-vectors along the last axis of `a` and `b` (same shapes)."""
    return single(apply_op("Cross", [a, b], None, name, arg_names=("a", "b"), same_dtype=True))


# --- Einsum --------------------------------------------------------------------------------------

_EINSUM_TYPES = (d.float16, d.float32, d.float64, d.int32, d.int64, d.complex64, d.complex128)
_ELLIPSIS = "..."


def _label_dims(subscripts: str, dims: tuple) -> tuple:
    """({label: dim}, the ellipsis' dims) of one operand; ShapeError if the rank is wrong."""
    before, _, after = subscripts.partition(_ELLIPSIS)
    named = len(before) + len(after)
    if (_ELLIPSIS in subscripts and len(dims) < named) or \
            (_ELLIPSIS not in subscripts and len(dims) != named):
        raise ShapeError(f"Input with subscripts {subscripts} has rank {len(dims)}, which does "
                         f"not match the number of labels")
    labels = {}
    for label, dim in zip(before + after, dims[:len(before)] + dims[len(dims) - len(after):],
                          strict=True):
        labels[label] = _merge(labels.get(label), dim)
    return labels, dims[len(before):len(dims) - len(after)]


def _einsum_infer(inputs: list, attrs: dict) -> list:
    dtype = check_same_dtype("Einsum", inputs, tuple(f"inputs_{i}" for i in range(len(inputs))))
    check_dtype(inputs[0], _EINSUM_TYPES, "inputs")
    input_subs, output_subs = attrs["equation"].split("->")
    labels, ellipsis = {}, ()
    for subscripts, t in zip(input_subs.split(","), inputs, strict=True):
        if t._dims is None:  # NOTE: its labels still fix the output's rank, as in TF
            ellipsis = None if _ELLIPSIS in subscripts else ellipsis
            continue
        found, broadcast = _label_dims(subscripts, t._dims)
        for label, dim in found.items():
            labels[label] = _merge(labels.get(label), dim)
        ellipsis = broadcast_dims(ellipsis, broadcast)
    before, _, after = output_subs.partition(_ELLIPSIS)
    if _ELLIPSIS in output_subs and ellipsis is None:
        return [(dtype, None)]
    middle = ellipsis if _ELLIPSIS in output_subs else ()
    return [(dtype, tuple(labels.get(c) for c in before) + middle
             + tuple(labels.get(c) for c in after))]


def _einsum_kernel(op: Any) -> Callable:
    equation = op._attrs["equation"]
    input_subs, output_subs = equation.split("->")
    plain = output_subs.replace(_ELLIPSIS, "")
    if len(set(plain)) == len(plain):
        return lambda *arrays: np.asarray(np.einsum(equation, *arrays, optimize=len(arrays) > 1))
    unique = "".join(dict.fromkeys(output_subs.replace(_ELLIPSIS, "*"))).replace("*", _ELLIPSIS)

    def einsum_onto_diagonals(*arrays: Any) -> Any:
        # NOTE: a repeated output label (TF's gradients build `i->ii`) writes a diagonal
        core = np.einsum(f"{input_subs}->{unique}", *arrays)
        sizes = _label_sizes(input_subs, arrays)
        shape = _output_shape(output_subs, sizes, core, unique)
        result = np.zeros(shape, core.dtype)
        np.einsum(f"{output_subs}->{unique}", result)[...] = core
        return result
    return einsum_onto_diagonals


def _label_sizes(input_subs: str, arrays: tuple) -> dict:
    sizes = {}
    for subscripts, array in zip(input_subs.split(","), arrays, strict=True):
        before, _, after = subscripts.partition(_ELLIPSIS)
        shape = array.shape
        sizes.update(zip(before, shape[:len(before)], strict=True))
        sizes.update(zip(after, shape[len(shape) - len(after):], strict=True))
    return sizes


def _output_shape(output_subs: str, sizes: dict, core: np.ndarray, unique: str) -> tuple:
    before, _, after = output_subs.partition(_ELLIPSIS)
    u_before = unique.partition(_ELLIPSIS)[0]
    middle = core.shape[len(u_before):core.ndim - (len(unique) - len(u_before) - 3)] \
        if _ELLIPSIS in unique else ()
    return tuple(sizes[c] for c in before) + tuple(middle) + tuple(sizes[c] for c in after)


def _axis_of(subscripts: str, label: str) -> int:
    """TF's axis of `label`: from the left before an ellipsis, negative after it."""
    before, _, after = subscripts.partition(_ELLIPSIS)
    if label in before:
        return before.index(label)
    return after.index(label) - len(after)


def _einsum_op(inputs: list, equation: str, name: Optional[str] = None) -> Tensor:
    return single(apply_op("Einsum", inputs, {"equation": equation, "N": len(inputs)}, name))


def _grad_reduced(g: Tensor, output_subs: str, input_subs: str, input_shape: Tensor,
                  reduced: set) -> Tensor:
    """The gradient of a one-input einsum that sums the `reduced` labels away: g broadcast
    along them, then laid out as the input (onto diagonals for repeated labels)."""
    reduced_subs = "".join(sorted(reduced))
    reduced_dims = array_ops.stack([input_shape[_axis_of(input_subs, s)] for s in reduced_subs])
    g_shape = array_ops.shape(g)
    ones = array_ops.ones([len(reduced_subs)], d.int32)
    widened = array_ops.broadcast_to(array_ops.reshape(g, array_ops.concat([ones, g_shape], 0)),
                                     array_ops.concat([reduced_dims, g_shape], 0))
    return _einsum_op([widened], f"{reduced_subs}{output_subs}->{input_subs}")


def _grad_wrt(g: Tensor, other: Tensor, input_shape: Tensor, input_subs: str, other_subs: str,
              output_subs: str) -> Tensor:
    reduced = set(input_subs) - set(output_subs + other_subs + ".")
    kept = "".join(s for s in input_subs if s not in reduced)
    grad = _einsum_op([g, other], f"{output_subs},{other_subs}->{kept}")
    if not reduced:
        return grad
    return _grad_reduced(grad, kept, input_subs, input_shape, reduced)


def _einsum_grad(op: Any, g: Tensor) -> list:
    """TF's rule: each input's gradient is an einsum of g with the other input."""
    input_subs, output_subs = op.get_attr("equation").split("->")
    if len(op.inputs) == 1:
        reduced = set(input_subs) - set(output_subs + ".")
        if not reduced:
            return [_einsum_op([g], f"{output_subs}->{input_subs}")]
        return [_grad_reduced(g, output_subs, input_subs, array_ops.shape(op.inputs[0]),
                              reduced)]
    x_subs, y_subs = input_subs.split(",")
    if _ELLIPSIS in output_subs:
        x_subs += "" if _ELLIPSIS in x_subs else _ELLIPSIS
        y_subs += "" if _ELLIPSIS in y_subs else _ELLIPSIS
    x, y = (math_ops.conj(t) for t in op.inputs)
    grad_x = _grad_wrt(g, y, array_ops.shape(x), x_subs, y_subs, output_subs)
    grad_y = _grad_wrt(g, x, array_ops.shape(y), y_subs, x_subs, output_subs)
    if _ELLIPSIS not in output_subs:
        return [grad_x, grad_y]
    return [_unbroadcast(grad_x, op.inputs[0], x_subs), _unbroadcast(grad_y, op.inputs[1],
                                                                      y_subs)]


def _unbroadcast(grad: Tensor, like: Tensor, subscripts: str) -> Tensor:
    """`grad`, whose ellipsis dims are the broadcast ones, summed back to `like`'s shape."""
    before, _, after = subscripts.partition(_ELLIPSIS)
    if like._dims is not None and grad._dims == like._dims and None not in like._dims:
        return grad
    if not before:
        return sum_to_shape(grad, like)
    if like._dims is None or grad._dims is None:
        raise ValueError("The gradient of einsum with an ellipsis after named labels needs the "
                         "ranks of its inputs while building the graph.")
    # NOTE: move the named labels in front of the ellipsis last, so broadcasting aligns right
    g_rank, rank = len(grad._dims), len(like._dims)
    g_perm = list(range(len(before), g_rank)) + list(range(len(before)))
    perm = list(range(len(before), rank)) + list(range(len(before)))
    summed = sum_to_shape(array_ops.transpose(grad, g_perm), array_ops.transpose(like, perm))
    return array_ops.transpose(summed, [perm.index(i) for i in range(rank)])


register("Einsum", _einsum_infer, _einsum_kernel, grad=_einsum_grad)


def _resolved_equation(equation: str, count: int) -> str:
    """TF's checks and normal form: no spaces, an explicit output (labels seen once, sorted)."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum's equation must be a string, got {equation!r}")
    resolved = equation.replace(" ", "")
    plain = resolved.replace(_ELLIPSIS, "0")
    match = re.match(r"^([a-zA-Z0,]*)(->[a-zA-Z0]*)?$", plain)
    if "0" in resolved or not match:
        raise ValueError(f"Subscripts have incorrect format: {resolved}")
    input_labels = match.group(1).split(",")
    if len(input_labels) != count:
        raise ValueError(f'Got {count} inputs for equation "{equation}", expecting '
                         f"{len(input_labels)}")
    if "->" not in resolved:
        counts = {c: match.group(1).count(c) for c in set(match.group(1)) - {",", "0"}}
        output = "".join(c for c in sorted(counts) if counts[c] == 1)
        ellipsis = _ELLIPSIS if "0" in match.group(1) else ""
        return f"{resolved}->{ellipsis}{output}"
    output = match.group(2)[2:]
    if len(set(output)) != len(output):
        raise ValueError(f"Output subscripts contain a label appearing more than once: "
                         f"{equation}")
    for label in output.replace("0", ""):
        if label not in match.group(1):
            raise ValueError(f"Output subscripts contain the label {label} not present in the "
                             "input subscripts.")
    return resolved


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> Tensor:
    """Einstein summation (`'ij,jk->ik'`, `'bij,bjk->bik'`, `'...ij->...ji'`, `'ii'`): one
    Einsum op for one or two inputs; more are contracted pairwise, left to right."""
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for einsum: {', '.join(kwargs)}. Valid "
                        "arguments: name, optimize, greedy.")
    resolved = _resolved_equation(equation, len(inputs))
    with op_scope(name, "einsum", list(inputs)):
        tensors = [convert_to_tensor(t, name=f"inputs_{i}") for i, t in enumerate(inputs)]
        if len(tensors) <= 2:
            return _einsum_op(tensors, resolved)
        return _pairwise(tensors, resolved)


def _pairwise(tensors: list, equation: str) -> Tensor:
    """Contract the first two operands, keeping the labels later operands or the output use."""
    input_subs, output_subs = equation.split("->")
    subs = input_subs.split(",")
    result, result_subs = tensors[0], subs[0]
    for i in range(1, len(tensors)):
        later = "".join(subs[i + 1:]) + output_subs
        joined = result_subs + subs[i]
        keep = _ELLIPSIS if _ELLIPSIS in joined else ""
        keep += "".join(c for c in dict.fromkeys(joined.replace(".", "")) if c in later)
        if i == len(tensors) - 1:
            keep = output_subs
        result = _einsum_op([result, tensors[i]], f"{result_subs},{subs[i]}->{keep}")
        result_subs = keep
    return result

