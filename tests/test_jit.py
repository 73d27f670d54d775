"""Tier 2, the numba jit: fused kernels give Tier 1's results with TF's semantics, and the hot-plan
policy compiles only plans that have paid for it, in the background, falling back on failure."""
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import session_magic as tf
from session_magic.ops.registry import OPS
from session_magic.plan import Plan, jit

from .samples import all_samples

pytest.importorskip("numba")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import workloads  # noqa: E402

FUSED_SAMPLES = [s for s in all_samples() if OPS[s.op_type].scalar is not None]


@pytest.fixture(autouse=True, scope="module")
def kernel_cache(tmp_path_factory):
    """One disk cache for this module's kernels: a kernel compiled by one test is reused."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(jit.CACHE_VARIABLE, str(tmp_path_factory.mktemp("jit")))
        yield


def _both_tiers(fetches: list, feeds: dict, smallest: int = 2) -> tuple:
    """(Tier 1 values, Tier 2 values, the fused groups) of one plan."""
    plan = Plan(fetches, list(feeds))
    values = list(feeds.values())
    numpy_values = plan.run(values, None)
    groups = jit.compile_now(plan, smallest)
    return numpy_values, plan.run(values, None), groups


def _chain(x):
    return workloads.build_chain(tf, x)


@pytest.mark.parametrize("dims", ["static", "unknown"])
@pytest.mark.parametrize("sample", FUSED_SAMPLES,
                         ids=[f"{s.op_type}-{s.label or i}" for i, s in enumerate(FUSED_SAMPLES)])
def test_a_fused_op_gives_tier_1s_result_on_its_sample(sample, dims):
    arrays = [np.asarray(a) for a in sample.inputs]
    inputs = [tf.placeholder(tf.as_dtype(a.dtype), a.shape if dims == "static" else
                             [None] * a.ndim) for a in arrays]
    output = sample.build(*inputs)
    expected, fused, groups = _both_tiers([output], dict(zip(inputs, arrays, strict=True)), 1)
    if not any(op.type == sample.op_type for g in groups for op in g.ops):
        pytest.skip("not fusable: a broadcast, an unfusable dtype or a folded value")
    expected, fused = np.asarray(expected[0]), np.asarray(fused[0])
    assert fused.dtype == expected.dtype and fused.shape == expected.shape
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(fused, expected, rtol=2e-6, atol=1e-7)
    else:
        np.testing.assert_array_equal(fused, expected)


def test_the_w2_chain_runs_as_one_kernel_with_the_same_values():
    x = tf.placeholder(tf.float32, [16])
    y = _chain(x)
    value = workloads.chain_input()
    expected, fused, groups = _both_tiers([y], {x: value})
    assert len(groups) == 1 and len(groups[0].ops) == workloads.CHAIN_LENGTH
    np.testing.assert_array_equal(fused[0], expected[0])


def test_maximum_and_minimum_propagate_nan_either_side():
    x = tf.placeholder(tf.float32, [4])
    y = tf.placeholder(tf.float32, [4])
    high = tf.maximum(x, y) * 1.0
    low = tf.minimum(x, y) * 1.0
    nan = np.float32(np.nan)
    feeds = {x: np.array([nan, 1, nan, -0.0], np.float32), y: np.array([2, nan, nan, 0.0],
                                                                       np.float32)}
    expected, fused, groups = _both_tiers([high, low], feeds)
    assert len(groups) == 2
    for e, f in zip(expected, fused, strict=True):
        np.testing.assert_array_equal(f, e)
        assert np.isnan(f[:3]).all()


def test_float32_constants_stay_float32():
    x = tf.placeholder(tf.float32, [5])
    y = (x * 0.1 + 1 / 3) / 0.7 - 0.2
    value = np.linspace(-3, 3, 5, dtype=np.float32)
    expected, fused, (group,) = _both_tiers([y], {x: value})
    assert fused[0].dtype == np.float32
    np.testing.assert_array_equal(fused[0], expected[0])  # float64 constants would differ
    (source,) = jit.kernel_sources(Plan([y], [x]))
    assert "0.1" not in source.text and "k_float32[3]" in source.text
    assert source.constants["float32"].dtype == np.float32


def test_int32_arithmetic_wraps_around():
    x = tf.placeholder(tf.int32, [3])
    y = tf.square(x * 3 + 2_000_000_000) - x
    value = np.array([2**30, -(2**31), 12345], np.int32)
    expected, fused, _ = _both_tiers([y], {x: value})
    assert fused[0].dtype == np.int32
    np.testing.assert_array_equal(fused[0], expected[0])


def test_division_by_zero_gives_inf_and_nan_not_an_error():
    x = tf.placeholder(tf.float64, [3])
    y = tf.placeholder(tf.float64, [3])
    z = (x / y) + 0.0
    expected, fused, groups = _both_tiers([z], {x: np.array([1.0, -1.0, 0.0]),
                                                y: np.zeros(3)})
    assert groups
    np.testing.assert_array_equal(fused[0], [np.inf, -np.inf, np.nan])


def test_a_wrongly_sized_input_runs_the_numpy_kernels_instead_of_reading_past_the_end():
    x = tf.placeholder(tf.float32, [16])
    y = _chain(x)
    plan = Plan([y], [x])
    small = np.arange(3, dtype=np.float32)
    expected = plan.run([small], None)[0]
    assert jit.compile_now(plan)
    np.testing.assert_array_equal(plan.run([small], None)[0], expected)


def test_a_non_contiguous_input_gives_the_same_values():
    x = tf.placeholder(tf.float64, [4, 4])
    y = tf.exp(x * 0.5) - x + 1.0
    plan = Plan([y], [x])
    value = np.arange(16, dtype=np.float64).reshape(4, 4) / 7
    expected = plan.run([value.T], None)[0]
    assert jit.compile_now(plan)
    np.testing.assert_allclose(plan.run([value.T], None)[0], expected, rtol=1e-15)
    np.testing.assert_allclose(plan.run([value], None)[0], expected.T, rtol=1e-15)


def test_unknown_dims_and_a_trailing_bias_give_tier_1s_results_and_broadcasts_fall_back():
    x = tf.placeholder(tf.float32, [None, 3])
    scale = tf.placeholder(tf.float32, [None, 3])
    bias = tf.placeholder(tf.float32, [3])
    y = tf.nn.relu(x * scale + bias) - 0.5
    rng = np.random.default_rng(1)
    values = [rng.standard_normal((5, 3)).astype(np.float32) for _ in range(2)]
    values.append(np.array([0.5, -1.0, 2.0], np.float32))
    plan = Plan([y], [x, scale, bias])
    expected = [plan.run(v, None)[0] for v in (values, [values[0], values[1][:1], values[2]])]
    (group,) = jit.compile_now(plan)
    assert len(group.ops) == 4
    np.testing.assert_array_equal(plan.run(values, None)[0], expected[0])
    # NOTE: scale [1, 3] broadcasts over x [5, 3]: the kernel sees it and runs NumPy's steps
    broadcast = plan.run([values[0], values[1][:1], values[2]], None)[0]
    np.testing.assert_array_equal(broadcast, expected[1])


# --- the hot-plan policy ---------------------------------------------------------------------

def _hot_chain() -> tuple:
    x = tf.placeholder(tf.float32, [16])
    y = _chain(x)
    plan = Plan([y], [x])
    return plan, jit.HotPlan(plan), [workloads.chain_input()]


def _runs(plan, hot, feeds, count: int) -> list:
    """`count` runs as the session makes them: counted, every SAMPLE_EVERY-th timed."""
    results = []
    for _ in range(count):
        function = plan._compiled[0]
        if hot.count():
            function = hot.timed(function)
        results.append(function(None, *feeds)[0])
    return results


def test_a_cold_plan_never_compiles():
    plan, hot, feeds = _hot_chain()
    _runs(plan, hot, feeds, 3 * jit.SAMPLE_EVERY)
    assert hot.state == "cold" and hot._thread is None and "F" not in plan.source
    assert hot.spent < hot.cost


def test_a_hot_plan_compiles_in_the_background_and_swaps_in_the_same_results():
    plan, hot, feeds = _hot_chain()
    before = _runs(plan, hot, feeds, 1)[0]
    hot.cost = 0.0  # NOTE: as if the plan had run for long enough
    _runs(plan, hot, feeds, jit.SAMPLE_EVERY)
    assert hot.wait(120) == "fused"
    assert "F" in plan.source
    for value in _runs(plan, hot, feeds, 3):
        np.testing.assert_array_equal(value, before)


def test_a_compile_failure_falls_back_to_numpy_with_one_warning(monkeypatch):
    monkeypatch.setattr(jit, "_PRELUDE", "raise RuntimeError('no compiler here')\n")
    plan, hot, feeds = _hot_chain()
    before = _runs(plan, hot, feeds, 1)[0]
    hot.cost = 0.0
    with pytest.warns(RuntimeWarning, match="keeps running on NumPy") as caught:
        hot.sampled(1.0)
        assert hot.wait(120) == "failed"
        for value in _runs(plan, hot, feeds, 3 * jit.SAMPLE_EVERY):
            np.testing.assert_array_equal(value, before)
    assert len(caught) == 1 and "no compiler here" in str(caught[0].message)
    assert "F" not in plan.source


def test_the_config_knob_and_the_environment_variable_turn_the_jit_off(monkeypatch):
    off = tf.OptimizerOptions(global_jit_level=tf.OptimizerOptions.OFF)
    config = tf.ConfigProto(graph_options=tf.GraphOptions(optimizer_options=off))
    plan, _, _ = _hot_chain()
    with tf.Session(config=config) as sess:
        assert jit.promote_when_hot(plan, sess) is None
    with tf.Session() as sess:
        assert isinstance(jit.promote_when_hot(plan, sess), jit.HotPlan)
        monkeypatch.setenv(jit.SWITCH_VARIABLE, "0")
        assert jit.promote_when_hot(plan, sess) is None


def test_without_numba_the_tier_is_silently_absent(monkeypatch):
    monkeypatch.setattr(jit, "numba_available", lambda: False)
    plan, hot, feeds = _hot_chain()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jit.compile_now(plan) == ()
        hot.promote()
    assert hot.state == "absent" and "F" not in plan.source
