"""Linear algebra (ops/linalg_ops.py, the tf.linalg namespace): decompositions that rebuild
their input, TF's return orders and names, every norm against numpy.linalg, gradients of whole
computations against finite differences, and the errors TF raises, with their messages."""
from __future__ import annotations

import numpy as np
import pytest

import session_magic as tf

RNG = np.random.default_rng(5)
A = RNG.uniform(-1, 1, (2, 3, 3)) + 3 * np.eye(3)
TALL = RNG.uniform(-1, 1, (2, 5, 3))


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        yield


def numeric_gradient(f, x: np.ndarray, epsilon: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += epsilon
        down[index] -= epsilon
        grad[index] = (f(up) - f(down)) / (2 * epsilon)
    return grad


def check_gradient(build, value: np.ndarray) -> None:
    """d sum(build(x))/dx by the graph against central differences of the same graph."""
    x = tf.placeholder(tf.float64, value.shape)
    y = tf.reduce_sum(build(x))
    grad = tf.gradients(y, x)[0]
    with tf.Session() as sess:
        analytic = sess.run(grad, {x: value})
        numeric = numeric_gradient(lambda v: sess.run(y, {x: v}), value)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


# --- decompositions rebuild their input ----------------------------------------------------------

def test_svd_returns_s_u_v_in_tf_order_and_rebuilds_the_matrix() -> None:
    s, u, v = tf.svd(tf.constant(TALL))
    s, u, v = run([s, u, v])
    assert s.shape == (2, 3) and u.shape == (2, 5, 3) and v.shape == (2, 3, 3)
    np.testing.assert_allclose(u @ (s[..., None] * np.swapaxes(v, -1, -2)), TALL, atol=1e-12)
    np.testing.assert_allclose(s, np.linalg.svd(TALL, compute_uv=False))


def test_svd_full_matrices_and_values_only() -> None:
    s, u, v = tf.linalg.svd(tf.constant(TALL), full_matrices=True)
    assert u.shape.as_list() == [2, 5, 5] and v.shape.as_list() == [2, 3, 3]
    only = tf.svd(tf.constant(TALL), compute_uv=False)
    assert isinstance(only, tf.Tensor) and only.shape.as_list() == [2, 3]
    np.testing.assert_allclose(run(only), run(s))


def test_svd_of_complex_matrices_gives_real_singular_values() -> None:
    x = (TALL + 1j * TALL[::-1]).astype(np.complex128)
    s = tf.svd(tf.constant(x), compute_uv=False)
    assert s.dtype == tf.float64
    np.testing.assert_allclose(run(s), np.linalg.svd(x, compute_uv=False))


def test_eigh_rebuilds_a_symmetric_matrix_from_its_lower_triangle() -> None:
    symmetric = A + np.swapaxes(A, -1, -2)
    upper_garbage = symmetric + np.triu(np.full((3, 3), 50.0), 1)
    e, v = run(list(tf.linalg.eigh(tf.constant(upper_garbage))))
    np.testing.assert_allclose(v @ (e[..., None] * np.swapaxes(v, -1, -2)), symmetric,
                               atol=1e-12)
    np.testing.assert_allclose(run(tf.linalg.eigvalsh(tf.constant(symmetric))), e)


def test_qr_rebuilds_the_matrix_with_orthonormal_q() -> None:
    q, r = run(list(tf.qr(tf.constant(TALL))))
    np.testing.assert_allclose(q @ r, TALL, atol=1e-12)
    np.testing.assert_allclose(np.swapaxes(q, -1, -2) @ q, np.broadcast_to(np.eye(3), (2, 3, 3)),
                               atol=1e-12)
    np.testing.assert_allclose(r, np.triu(r))


def test_cholesky_and_the_solves_built_on_it() -> None:
    spd = A @ np.swapaxes(A, -1, -2)
    rhs = RNG.uniform(-1, 1, (2, 3, 2))
    chol = tf.cholesky(tf.constant(spd))
    solution, logdet = run([tf.cholesky_solve(chol, rhs), tf.linalg.logdet(spd)])
    np.testing.assert_allclose(solution, np.linalg.solve(spd, rhs))
    np.testing.assert_allclose(logdet, np.linalg.slogdet(spd)[1])


def test_least_squares_fast_and_complete_agree_on_a_full_rank_problem() -> None:
    rhs = RNG.uniform(-1, 1, (2, 5, 1))
    fast, complete = run([tf.matrix_solve_ls(TALL, rhs), tf.linalg.lstsq(TALL, rhs, fast=False)])
    expected = np.stack([np.linalg.lstsq(a, b, rcond=None)[0]
                         for a, b in zip(TALL, rhs, strict=True)])
    np.testing.assert_allclose(fast, expected, atol=1e-10)
    np.testing.assert_allclose(complete, expected, atol=1e-10)


def test_triangular_solve_broadcasts_batches_and_reads_one_triangle() -> None:
    rhs = RNG.uniform(-1, 1, (3, 2))
    lower, upper = run([tf.matrix_triangular_solve(A, rhs),
                        tf.linalg.triangular_solve(A, rhs, lower=False, adjoint=True)])
    np.testing.assert_allclose(lower, np.linalg.solve(np.tril(A), rhs))
    np.testing.assert_allclose(upper, np.linalg.solve(np.swapaxes(np.triu(A), -1, -2), rhs))


def test_triangular_solve_with_a_zero_on_the_diagonal_gives_inf_as_tf() -> None:
    singular = np.array([[0.0, 0.0], [1.0, 1.0]])
    result = run(tf.matrix_triangular_solve(singular, np.ones((2, 1))))
    assert not np.isfinite(result).any()


def test_float16_inverse_is_computed_in_float32() -> None:
    x = A[0].astype(np.float16)
    result = run(tf.matrix_inverse(x))
    assert result.dtype == np.float16
    np.testing.assert_allclose(result, np.linalg.inv(x.astype(np.float32)), rtol=2e-3)


# --- the composites and the namespace ------------------------------------------------------------

@pytest.mark.parametrize("ord_", ["euclidean", "fro", 1, 2, np.inf])
def test_every_matrix_norm_matches_numpy(ord_) -> None:
    numpy_ord = "fro" if ord_ == "euclidean" else ord_
    for axis in ([-2, -1], (2, 0)):
        result = run(tf.linalg.norm(A, ord=ord_, axis=axis, keepdims=True))
        expected = np.linalg.norm(A, numpy_ord, axis=tuple(axis), keepdims=True)
        np.testing.assert_allclose(result, expected)


def test_top_level_norm_has_the_matrix_two_norm_too() -> None:
    np.testing.assert_allclose(run(tf.norm(A, ord=2, axis=[1, 2])),
                               np.linalg.norm(A, 2, axis=(1, 2)))


def test_trace_matvec_adjoint_and_band_part() -> None:
    vector = RNG.uniform(-1, 1, (2, 3))
    trace, matvec, adjoint, band = run([
        tf.trace(A), tf.linalg.matvec(A, vector), tf.linalg.adjoint(A + 1j),
        tf.matrix_band_part(A, 1, 0)])
    np.testing.assert_allclose(trace, np.trace(A, axis1=1, axis2=2))
    np.testing.assert_allclose(matvec, np.einsum("bij,bj->bi", A, vector))
    np.testing.assert_allclose(adjoint, np.conj(np.swapaxes(A + 1j, -1, -2)))
    np.testing.assert_allclose(band, np.tril(A) - np.tril(A, -2))


def test_pinv_and_matrix_rank_of_a_rank_deficient_batch() -> None:
    deficient = TALL.copy()
    deficient[1, :, 2] = 2 * deficient[1, :, 0]
    pinv, rank, (unit, size) = run([tf.linalg.pinv(deficient), tf.linalg.matrix_rank(deficient),
                                    tf.linalg.normalize(deficient, axis=-1)])
    np.testing.assert_allclose(pinv, np.linalg.pinv(deficient), atol=1e-10)
    np.testing.assert_array_equal(rank, [3, 2])
    np.testing.assert_allclose(size, np.linalg.norm(deficient, axis=-1, keepdims=True))
    np.testing.assert_allclose(unit, deficient / size)


def test_linalg_namespace_names_tf_builders() -> None:
    assert tf.linalg.inv is tf.matrix_inverse and tf.linalg.det is tf.matrix_determinant
    assert tf.linalg.solve is tf.matrix_solve and tf.linalg.lstsq is tf.matrix_solve_ls
    assert tf.linalg.eigh is tf.self_adjoint_eig and tf.linalg.band_part is tf.matrix_band_part
    assert tf.linalg.diag is tf.matrix_diag and tf.linalg.transpose is tf.matrix_transpose
    assert tf.linalg.tensordot is tf.tensordot and tf.linalg.matmul is tf.matmul
    assert tf.compat.v1.linalg.svd is tf.svd and tf.compat.v1.einsum is tf.einsum


def test_ops_are_named_as_tf_names_them() -> None:
    x = tf.placeholder(tf.float32, [3, 3], name="x")
    assert tf.matrix_inverse(x).name == "MatrixInverse:0"
    assert tf.linalg.slogdet(x)[1].name == "LogMatrixDeterminant:1"
    assert tf.matrix_triangular_solve(x, x).name == "triangular_solve/MatrixTriangularSolve:0"
    assert tf.cholesky_solve(x, x).name == "cholesky_solve/MatrixTriangularSolve_1:0"
    assert tf.einsum("ij,jk->ik", x, x).name == "einsum/Einsum:0"
    assert tf.trace(x).name == "Trace:0"
    assert tf.linalg.matvec(x, x[0]).name == "MatVec/Squeeze:0"
    band = tf.matrix_band_part(x, 1, 0)
    assert [t.dtype for t in band.op.inputs[1:]] == [tf.int64, tf.int64]


# --- einsum --------------------------------------------------------------------------------------

@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
    ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("ijk->j", [(2, 3, 4)]), ("i,j", [(2,), (3,)]),
    ("a...b,b->a...", [(2, 3, 4), (4,)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bij,bkj->bik", [(2, 2, 3), (2, 4, 3)]),
])
def test_einsum_values_and_gradients(equation: str, shapes: list) -> None:
    arrays = [RNG.uniform(-1, 1, s) for s in shapes]
    np.testing.assert_allclose(run(tf.einsum(equation, *arrays)), np.einsum(equation, *arrays))
    others = [tf.constant(a) for a in arrays[1:]]
    check_gradient(lambda x: tf.einsum(equation, x, *others), arrays[0])


def test_einsum_gradient_onto_a_diagonal() -> None:
    check_gradient(lambda x: tf.einsum("ii->", x) * tf.einsum("ij->", x), A[0])


def test_einsum_names_what_is_wrong() -> None:
    x = tf.zeros([2, 3])
    with pytest.raises(ValueError, match="Subscripts have incorrect format"):
        tf.einsum("ij-k", x)
    with pytest.raises(ValueError, match="Got 1 inputs"):
        tf.einsum("ij,jk->ik", x)
    with pytest.raises(ValueError, match="appearing more than once"):
        tf.einsum("ij->ii", x)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.einsum("ij,jk", x, x)
    with pytest.raises(TypeError, match="Invalid keyword arguments for einsum: axis"):
        tf.einsum("ij", x, axis=1)


# --- gradients of whole computations -------------------------------------------------------------

@pytest.mark.parametrize("build", [
    lambda x: tf.linalg.logdet(tf.matmul(x, x, transpose_a=True)),
    lambda x: tf.matrix_solve_ls(x, tf.ones([2, 5, 1], tf.float64), l2_regularizer=0.1),
    lambda x: tf.norm(x, ord=2, axis=[-2, -1]),
    lambda x: tf.svd(x)[1] ** 2,
    lambda x: tf.abs(tf.qr(x)[1]),
    lambda x: tf.cross(x[:, :3, 0], x[:, 2:, 1]),
], ids=["logdet", "lstsq", "norm2", "svd u squared", "qr |r|", "cross"])
def test_gradients_match_finite_differences(build) -> None:
    check_gradient(build, TALL)


def test_complete_least_squares_has_no_gradient_as_tf() -> None:
    x = tf.constant(TALL)
    with pytest.raises(ValueError, match="Gradient not defined for fast=False"):
        tf.gradients(tf.linalg.lstsq(x, tf.ones([2, 5, 1], tf.float64), fast=False), x)


# --- errors --------------------------------------------------------------------------------------

def test_non_square_matrix_is_refused_while_building_with_its_shape() -> None:
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 2 and 3.*\[2,3\]"):
        tf.matrix_inverse(tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="at least rank 2 but is rank 1"):
        tf.cholesky(tf.zeros([3]))
    with pytest.raises(ValueError, match="Dimension must be 3 but is 2"):
        tf.cross(tf.zeros([2]), tf.zeros([2]))
    with pytest.raises(TypeError, match="int32 not in list of allowed values"):
        tf.matrix_determinant(tf.zeros([2, 2], tf.int32))


@pytest.mark.parametrize("build, message", [
    (lambda x: tf.matrix_inverse(x), "Input is not invertible."),
    (lambda x: tf.matrix_solve(x, x), "Input matrix is not invertible."),
    (lambda x: tf.cholesky(x), "Cholesky decomposition was not successful"),
])
def test_singular_matrices_fail_when_run(build, message: str) -> None:
    x = tf.placeholder(tf.float64, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        run(build(x), {x: [[1.0, 2.0], [2.0, 4.0]]})


def test_band_part_counts_beyond_the_matrix_fail_when_run() -> None:
    lower = tf.placeholder(tf.int64, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"number of rows \(3\) got: 4"):
        run(tf.matrix_band_part(A, lower, 0), {lower: 4})


def test_singular_determinant_is_zero_and_slogdet_minus_inf() -> None:
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    det, (sign, log) = run([tf.matrix_determinant(singular), tf.linalg.slogdet(singular)])
    assert det == 0.0 and sign == 0.0 and log == -np.inf


def test_norm_refuses_unknown_orders_and_needs_the_rank_for_the_two_norm() -> None:
    with pytest.raises(ValueError, match="'ord' must be a supported matrix norm"):
        tf.linalg.norm(tf.zeros([2, 2]), ord=3, axis=[0, 1])
    with pytest.raises(ValueError, match="needs the rank"):
        tf.linalg.norm(tf.placeholder(tf.float32), ord=2, axis=[0, 1])
