"""`sm.linalg`: linear algebra, as `tf.linalg` (TF's names for the builders of ops/linalg_ops.py
and the matrix builders of array_ops and math_ops)."""
from .ops.array_ops import eye, matrix_diag_part, matrix_set_diag, matrix_transpose
from .ops.array_ops import diag as tensor_diag, diag_part as tensor_diag_part
from .ops.array_ops import matrix_diag
from .ops.linalg_ops import (cholesky, cholesky_solve, cross, einsum, log_matrix_determinant,
                             logdet, matrix_band_part, matrix_determinant, matrix_inverse,
                             matrix_rank, matrix_solve, matrix_solve_ls,
                             matrix_triangular_solve, matvec, norm, normalize, pinv, qr,
                             self_adjoint_eig, self_adjoint_eigvals, svd, trace, adjoint)
from .ops.math_ops import matmul, tensordot
from .ops.clip_ops import global_norm
from .ops.nn_ops import l2_normalize

band_part = matrix_band_part
det = matrix_determinant
diag = matrix_diag  # NOTE: tf.linalg.diag is matrix_diag (batched), not the top-level diag
diag_part = matrix_diag_part
eigh = self_adjoint_eig
eigvalsh = self_adjoint_eigvals
inv = matrix_inverse
lstsq = matrix_solve_ls
set_diag = matrix_set_diag
slogdet = log_matrix_determinant
solve = matrix_solve
transpose = matrix_transpose
triangular_solve = matrix_triangular_solve

__all__ = ["adjoint", "band_part", "cholesky", "cholesky_solve", "cross", "det", "diag",
           "diag_part", "eigh", "eigvalsh", "einsum", "eye", "global_norm", "inv", "l2_normalize",
           "logdet", "lstsq", "matmul", "matrix_rank", "matrix_transpose", "matvec", "norm",
           "normalize", "pinv", "qr", "set_diag", "slogdet", "solve", "svd", "tensor_diag",
           "tensor_diag_part", "tensordot", "trace", "transpose", "triangular_solve"]
