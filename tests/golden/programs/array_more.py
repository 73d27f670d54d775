"""Everyday array ops of issue 13 as whole programs: sorting (top_k ties, sort/argsort along axes
and directions, in_top_k's ties and non-finite rows), segment reductions (empty segments,
dropped ids, ties in the max/min gradients, zeros in the prod gradients, bad ids), counting
(bincount, histogram_fixed_width), clipping by norms (gradients, None entries, IndexedSlices, a
non-finite norm, names), roll, batch_gather, reverse_sequence, sequence_mask, cumprod, unique,
strings (as_string, string_join, strings.format) and py_function."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..harness import Program

_TIES = np.array([[2.0, 1.0, 2.0, 3.0, 1.0], [0.0, 0.0, -1.0, 0.0, 5.0]], np.float32)
_WEIGHTS = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]], np.float32)


def _fed(array: Any, dtype: str = "float32", shape: Any = "fed", name: str = "x") -> Callable:
    """A placeholder for `array` (of its shape, or `shape`) and its feed."""
    values = np.asarray(array, dtype)

    def make(tf: Any) -> tuple:
        x = tf.placeholder(tf.as_dtype(dtype), values.shape if shape == "fed" else shape,
                           name=name)
        return x, {x: values}
    return make


def _grad_of(tf: Any, y: Any, x: Any, seed: int = 0) -> Any:
    """d sum(y * w) / dx for fixed weights w of y's (static) shape."""
    weights = np.random.default_rng(seed).normal(size=y.shape.as_list()).astype(np.float32)
    return tf.gradients(tf.reduce_sum(y * weights), x)[0]


# --- sorting -------------------------------------------------------------------------------------

def _top_k_ties(tf: Any) -> dict:
    x, feed = _fed(_TIES)(tf)
    values, indices = tf.nn.top_k(x, k=3)
    return {"fetch": {"values": values, "indices": indices, "grad": _grad_of(tf, values, x)},
            "feed": feed, "names": {"values": values, "indices": indices}}


def _top_k_unknown_shape(tf: Any) -> dict:
    x, feed = _fed(_TIES, shape=None)(tf)
    k = tf.placeholder(tf.int32, [], name="k")
    values, indices = tf.math.top_k(x, k)
    return {"fetch": [values, indices], "feeds": [{**feed, k: 2}, {**feed, k: 5}],
            "static": {"values": values, "indices": indices}}


def _top_k_too_large(tf: Any) -> dict:
    x, feed = _fed(_TIES, shape=[2, None])(tf)
    return {"fetch": tf.nn.top_k(x, 6)[0], "feed": feed}


def _top_k_too_large_static(tf: Any) -> dict:
    x, _ = _fed(_TIES)(tf)
    return {"fetch": tf.nn.top_k(x, 6)[0]}


def _sort_directions(tf: Any) -> dict:
    x, feed = _fed(_TIES)(tf)
    ints, int_feed = _fed([[3, -2147483648, 7], [0, 0, -1]], "int32", name="ints")(tf)
    fetch = {"asc": tf.sort(x), "desc axis 0": tf.sort(x, axis=0, direction="DESCENDING"),
             "argsort": tf.argsort(x), "argsort desc": tf.argsort(x, direction="DESCENDING"),
             "argsort axis 0": tf.argsort(x, axis=0), "ints": tf.sort(ints),
             "ints argsort": tf.argsort(ints, axis=-1, stable=True),
             "grad asc": _grad_of(tf, tf.sort(x), x)}
    return {"fetch": fetch, "feed": {**feed, **int_feed},
            "names": {"sort": fetch["asc"], "argsort": fetch["argsort"]}}


def _nan_last(tf: Any) -> dict:
    x, feed = _fed([1.0, np.nan, 3.0, np.nan, -np.inf])(tf)
    values, indices = tf.nn.top_k(x, 5)
    return {"fetch": {"values": values, "indices": indices, "sort": tf.sort(x),
                      "argsort": tf.argsort(x), "desc": tf.sort(x, direction="DESCENDING")},
            "feed": feed}


def _sort_bad_direction(tf: Any) -> dict:
    return {"fetch": tf.sort(tf.constant([1.0, 2.0]), direction="UP")}


def _in_top_k(tf: Any) -> dict:
    predictions = np.array([[0.1, 0.7, 0.2], [0.3, 0.4, 0.4], [0.5, np.nan, 0.1],
                            [np.inf, 0.1, 0.2], [0.2, 0.6, 0.2], [0.2, 0.6, 0.2]], np.float32)
    p, feed = _fed(predictions, name="p")(tf)
    t = tf.placeholder(tf.int32, [6], name="t")
    result = {k: tf.nn.in_top_k(p, t, k) for k in (1, 2, 3)}
    return {"fetch": {str(k): v for k, v in result.items()},
            "feed": {**feed, t: np.array([1, 2, 0, 0, 0, 7], np.int32)},
            "names": {"k=1": result[1]}}


# --- segments ------------------------------------------------------------------------------------

_DATA = np.array([[1.0, 5.0], [3.0, 5.0], [3.0, 0.0], [2.0, 0.0], [0.0, 0.0], [4.0, -1.0]],
                 np.float32)


def _sorted_segments(tf: Any) -> dict:
    x, feed = _fed(_DATA)(tf)
    ids = tf.constant([0, 0, 2, 2, 2, 3])
    fetch = {}
    for op in ("segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod"):
        y = getattr(tf.math, op)(x, ids)
        fetch[op] = y
        fetch[f"{op} grad"] = tf.gradients(tf.reduce_sum(y * y), x)[0]
    return {"fetch": fetch, "feed": feed, "names": {"max": fetch["segment_max"]}}


def _sorted_segments_int(tf: Any) -> dict:
    x, feed = _fed([[5, -7], [2, 3], [-9, 4]], "int32")(tf)
    ids = tf.constant([1, 1, 3], tf.int64)
    ops = ("segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod")
    return {"fetch": {op: getattr(tf, op)(x, ids) for op in ops}, "feed": feed}


def _segment_ids_not_sorted(tf: Any) -> dict:
    x, feed = _fed(_DATA[:3])(tf)
    ids = tf.placeholder(tf.int32, [3], name="ids")
    return {"fetch": tf.segment_sum(x, ids), "feeds": [{**feed, ids: [0, 2, 1]},
                                                       {**feed, ids: [-1, 0, 0]}]}


def _unsorted_segments(tf: Any) -> dict:
    x, feed = _fed(_DATA)(tf)
    ids = tf.constant([3, 0, -1, 3, 0, 3])
    fetch = {}
    for op in ("unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod",
               "unsorted_segment_mean", "unsorted_segment_sqrt_n", "unsorted_segment_sum"):
        y = getattr(tf.math, op)(x, ids, 5)
        fetch[op] = y
        finite = tf.where(tf.abs(y) < 1e30, y, tf.zeros_like(y))
        fetch[f"{op} grad"] = tf.gradients(tf.reduce_sum(finite * finite), x)[0]
    return {"fetch": fetch, "feed": feed}


def _unsorted_segments_int(tf: Any) -> dict:
    x, feed = _fed([[5, -7], [2, 3], [-9, 4]], "int64")(tf)
    n = tf.placeholder(tf.int32, [], name="n")
    ops = ("unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod")
    return {"fetch": {op: getattr(tf, op)(x, [2, 0, 2], n) for op in ops},
            "feed": {**feed, n: 4}}


def _unsorted_segment_id_too_large(tf: Any) -> dict:
    x, feed = _fed(_DATA[:3])(tf)
    return {"fetch": tf.unsorted_segment_max(x, [0, 5, 1], 3), "feed": feed}


def _unsorted_segment_2d_ids(tf: Any) -> dict:
    x, feed = _fed(np.arange(12, dtype=np.float32).reshape(2, 3, 2))(tf)
    ids = tf.constant([[0, 1, 1], [-1, 0, 2]])
    fetch = {"max": tf.unsorted_segment_max(x, ids, 3), "min": tf.unsorted_segment_min(x, ids, 3),
             "mean": tf.unsorted_segment_mean(x, ids, 3)}
    return {"fetch": fetch, "feed": feed, "static": fetch}


# --- counting ------------------------------------------------------------------------------------

def _bincount(tf: Any) -> dict:
    arr, feed = _fed([1, 1, 3, 7, 0, 3], "int32", name="arr")(tf)
    w, w_feed = _fed([0.5, 1.0, 2.0, 1.0, 3.0, -1.0], name="w")(tf)
    fetch = {"plain": tf.bincount(arr), "minlength": tf.math.bincount(arr, minlength=10),
             "maxlength": tf.bincount(arr, maxlength=3),
             "weights": tf.bincount(arr, weights=w),
             "float64": tf.bincount(arr, dtype=tf.float64, minlength=2, maxlength=5),
             "empty": tf.bincount(tf.zeros([0], tf.int32), minlength=3),
             "empty no minlength": tf.bincount(tf.zeros([0], tf.int32))}
    return {"fetch": fetch, "feed": {**feed, **w_feed}}


def _bincount_negative(tf: Any) -> dict:
    arr, feed = _fed([1, -1], "int32", name="arr")(tf)
    return {"fetch": tf.bincount(arr, minlength=3), "feed": feed}


def _histogram(tf: Any) -> dict:
    v, feed = _fed([-1.0, 0.0, 1.5, 2.0, 4.999, 5.0, 15.0, 2.5], name="v")(tf)
    ints, int_feed = _fed([[0, 3, 9], [10, -4, 6]], "int64", name="ints")(tf)
    fetch = {"5 bins": tf.histogram_fixed_width(v, [0.0, 5.0], nbins=5),
             "default 100": tf.histogram_fixed_width(v, [0.0, 5.0]),
             "int64 counts": tf.histogram_fixed_width(v, [-1.0, 1.0], 3, dtype=tf.int64),
             "int values": tf.histogram_fixed_width(ints, tf.constant([0, 9], tf.int64), 4)}
    return {"fetch": fetch, "feed": {**feed, **int_feed}, "names": {"5 bins": fetch["5 bins"]}}


def _histogram_bad(tf: Any) -> dict:
    v, feed = _fed([1.0, 2.0], name="v")(tf)
    n = tf.placeholder(tf.int32, [], name="n")
    r = tf.placeholder(tf.float32, [2], name="r")
    return {"fetch": tf.histogram_fixed_width(v, r, n),
            "feeds": [{**feed, n: 0, r: [0.0, 1.0]}, {**feed, n: 3, r: [1.0, 1.0]}]}


# --- clipping by norms ---------------------------------------------------------------------------

def _clip_by_norm(tf: Any) -> dict:
    x, feed = _fed([[3.0, 4.0, 0.0], [0.1, -0.2, 0.0], [0.0, 0.0, 0.0]])(tf)
    whole = tf.clip_by_norm(x, 2.0)
    rows = tf.clip_by_norm(x, 1.0, axes=[1])
    cols = tf.clip_by_norm(x, 1.0, axes=0, name="cols")
    fetch = {"whole": whole, "rows": rows, "cols": cols,
             "grad whole": _grad_of(tf, whole, x), "grad rows": _grad_of(tf, rows, x, 1),
             "grad cols": _grad_of(tf, cols, x, 2)}
    return {"fetch": fetch, "feed": feed,
            "names": {"whole": whole, "rows": rows, "cols": cols}}


def _clip_by_global_norm(tf: Any) -> dict:
    params = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    x, feed = _fed([[0.5, -1.0, 2.0], [1.0, 1.0, 1.0]])(tf)
    rows = tf.gather(params, [2, 0])
    sparse_grad = tf.gradients(tf.reduce_sum(rows * 3.0), params)[0]
    clipped, norm = tf.clip_by_global_norm([x, None, sparse_grad], 1.5)
    loss = tf.reduce_sum(clipped[0] * _WEIGHTS)
    return {"fetch": {"x": clipped[0], "slices values": clipped[2].values,
                      "slices indices": clipped[2].indices, "norm": norm,
                      "grad": tf.gradients(loss, x)[0]},
            "feed": feed,
            "names": {"x": clipped[0], "norm": norm, "slices": clipped[2].values},
            "python": {"None stays None": clipped[1] is None,
                       "slices stay slices": type(clipped[2]).__name__}}


def _clip_by_global_norm_use_norm(tf: Any) -> dict:
    x, feed = _fed([3.0, 4.0])(tf)
    n = tf.placeholder(tf.float32, [], name="n")
    clipped, norm = tf.clip_by_global_norm([x, x * 2.0], 1.0, use_norm=n)
    return {"fetch": [clipped, norm],
            "feeds": [{**feed, n: 10.0}, {**feed, n: 0.5}, {**feed, n: np.inf},
                      {**feed, n: np.nan}]}


def _clip_non_finite(tf: Any) -> dict:
    x, feed = _fed([np.inf, 1.0])(tf)
    clipped, norm = tf.clip_by_global_norm([x], 1.0)
    return {"fetch": {"clipped": clipped[0], "norm": norm, "by norm": tf.clip_by_norm(x, 1.0)},
            "feed": feed}


def _global_norm(tf: Any) -> dict:
    a, feed_a = _fed([[1.0, 2.0], [2.0, 4.0]], name="a")(tf)
    b, feed_b = _fed([0.0, 0.0, 0.0], name="b")(tf)
    norm = tf.global_norm([a, None, b])
    named = tf.global_norm([a], name="mine")
    return {"fetch": {"norm": norm, "named": named, "grad a": tf.gradients(norm, a)[0],
                      "grad b": tf.gradients(norm, b)[0]},
            "feed": {**feed_a, **feed_b}, "names": {"norm": norm, "named": named}}


def _global_norm_bad(tf: Any) -> dict:
    return {"fetch": tf.global_norm(tf.constant([1.0]))}


def _clip_by_average_norm(tf: Any) -> dict:
    x, feed = _fed([[3.0, 4.0], [0.0, 12.0]])(tf)
    clipped = tf.clip_by_average_norm(x, 1.0)
    loose = tf.clip_by_average_norm(x, 10.0)
    return {"fetch": {"clipped": clipped, "loose": loose, "grad": _grad_of(tf, clipped, x),
                      "grad loose": _grad_of(tf, loose, x, 3)},
            "feed": feed, "names": {"clipped": clipped}}


# --- moving entries ------------------------------------------------------------------------------

def _roll(tf: Any) -> dict:
    x, feed = _fed(np.arange(12, dtype=np.float32).reshape(3, 4))(tf)
    shift = tf.placeholder(tf.int32, [2], name="shift")
    fetch = {"one axis": tf.roll(x, 1, 1), "two axes": tf.roll(x, [1, -1], [0, 1]),
             "repeated axis": tf.roll(x, [2, 3], [1, 1]), "negative axis": tf.roll(x, 5, -1),
             "run-time shift": tf.roll(x, shift, [0, 1])}
    fetch["grad"] = _grad_of(tf, fetch["two axes"], x)
    fetch["grad run-time"] = _grad_of(tf, fetch["run-time shift"], x, 4)
    return {"fetch": fetch, "feed": {**feed, shift: [7, -2]},
            "names": {"roll": fetch["one axis"]}}


def _roll_mismatch(tf: Any) -> dict:
    x, feed = _fed(np.arange(4, dtype=np.float32))(tf)
    shift = tf.placeholder(tf.int32, [None], name="shift")
    return {"fetch": tf.roll(x, shift, [0]), "feed": {**feed, shift: [1, 2]}}


def _batch_gather(tf: Any) -> dict:
    x, feed = _fed(np.arange(24, dtype=np.float32).reshape(2, 3, 4))(tf)
    picked = tf.batch_gather(x, [[2, 0], [1, 1]])
    deep = tf.batch_gather(x, [[[3], [0], [1]], [[1], [1], [2]]])
    return {"fetch": {"picked": picked, "deep": deep, "grad": _grad_of(tf, picked, x),
                      "grad deep": _grad_of(tf, deep, x, 5)},
            "feed": feed, "static": {"picked": picked, "deep": deep}}


def _reverse_sequence(tf: Any) -> dict:
    x, feed = _fed(np.arange(24, dtype=np.float32).reshape(2, 4, 3))(tf)
    lengths = tf.placeholder(tf.int64, [None], name="lengths")
    time_major = tf.reverse_sequence(x, [2, 1, 0], seq_axis=0, batch_axis=2)
    batch_major = tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0)
    old_names = tf.reverse_sequence(x, [3, 4], seq_dim=1, batch_dim=0)
    return {"fetch": {"time major": time_major, "batch major": batch_major,
                      "seq_dim": old_names, "grad": _grad_of(tf, batch_major, x)},
            "feed": {**feed, lengths: [3, 0]}, "names": {"reverse": batch_major}}


def _sequence_mask(tf: Any) -> dict:
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    grid = tf.placeholder(tf.int64, [2, 2], name="grid")
    maxlen = tf.placeholder(tf.int32, [], name="maxlen")
    fetch = {"default": tf.sequence_mask(lengths), "maxlen 5": tf.sequence_mask(lengths, 5),
             "float": tf.sequence_mask(lengths, maxlen, dtype=tf.float32),
             "2-D": tf.sequence_mask(grid, 3)}
    return {"fetch": fetch, "feed": {lengths: [1, 3, 0], grid: [[1, 0], [3, 2]], maxlen: 4},
            "static": fetch, "names": {"default": fetch["default"]}}


def _sequence_mask_matrix_maxlen(tf: Any) -> dict:
    return {"fetch": tf.sequence_mask([1, 2], [3, 4])}


def _cumprod(tf: Any) -> dict:
    x, feed = _fed([[2.0, 0.0, 3.0], [1.5, -1.0, 4.0]])(tf)
    fetch = {}
    for exclusive in (False, True):
        for reverse in (False, True):
            key = f"exclusive={exclusive} reverse={reverse}"
            y = tf.cumprod(x, axis=1, exclusive=exclusive, reverse=reverse)
            fetch[key] = y
            fetch[f"grad {key}"] = _grad_of(tf, y, x)
    fetch["math.cumprod axis 0"] = tf.math.cumprod(x, 0)
    return {"fetch": fetch, "feed": feed}


def _unique(tf: Any) -> dict:
    x, feed = _fed([1.0, -0.0, 0.0, 2.0, 1.0, -3.5])(tf)
    ints, int_feed = _fed([7, 7, 1, 7, 2], "int64", name="ints")(tf)
    y, idx = tf.unique(x)
    y64, idx64, count = tf.unique_with_counts(ints, out_idx=tf.int64)
    return {"fetch": {"y": y, "idx": idx, "ints y": y64, "ints idx": idx64, "count": count},
            "feed": {**feed, **int_feed}, "names": {"y": y, "idx": idx, "count": count}}


# --- strings and py_function ---------------------------------------------------------------------

def _as_string(tf: Any) -> dict:
    f, feed = _fed([1.5, -2.25, 0.0, 1e-7, 123456.789, np.inf, -np.nan])(tf)
    d, d_feed = _fed([3.14159, -1e300], "float64", name="d")(tf)
    i, i_feed = _fed([3, -42, 0], "int32", name="i")(tf)
    b, b_feed = _fed([True, False], "bool", name="b")(tf)
    fetch = {"float": tf.as_string(f), "precision": tf.as_string(f, precision=2),
             "scientific": tf.as_string(f, scientific=True),
             "shortest": tf.as_string(f, shortest=True),
             "width": tf.as_string(f, width=12), "fill 0": tf.as_string(d, width=15, fill="0"),
             "fill -": tf.as_string(i, width=5, fill="-"), "plus": tf.as_string(i, fill="+"),
             "int": tf.as_string(i), "int width": tf.as_string(i, width=6),
             "bool": tf.as_string(b), "double": tf.as_string(d, precision=3),
             "int64": tf.as_string(tf.constant([2 ** 40], tf.int64))}
    return {"fetch": fetch, "feed": {**feed, **d_feed, **i_feed, **b_feed},
            "names": {"float": fetch["float"]}}


def _as_string_bad_fill(tf: Any) -> dict:
    return {"fetch": tf.as_string(tf.constant([1.0]), width=4, fill="x")}


def _as_string_int_precision(tf: Any) -> dict:
    return {"fetch": tf.as_string(tf.constant([1]), precision=2)}


def _string_join(tf: Any) -> dict:
    words = tf.placeholder(tf.string, [3], name="words")
    counts = tf.as_string(tf.constant([1, 22, 333]))
    joined = tf.string_join([words, "=", counts])
    fetch = {"joined": joined, "separator": tf.strings.join([words, counts], separator=": "),
             "scalars": tf.string_join(["a", "b", "c"], separator="/")}
    return {"fetch": fetch, "feed": {words: [b"x", b"yy", b""]},
            "names": {"joined": joined}, "static": fetch}


def _strings_format(tf: Any) -> dict:
    x, feed = _fed(np.arange(12, dtype=np.float32).reshape(3, 4) / 4)(tf)
    s = tf.placeholder(tf.string, [2], name="s")
    fetch = {"default": tf.strings.format("x: {}, s: {}", [x, s]),
             "summarize": tf.strings.format("x: {}", x, summarize=1),
             "placeholder": tf.strings.format("<%> and <%>", [s, tf.constant(7)],
                                              placeholder="%")}
    return {"fetch": fetch, "feed": {**feed, s: [b"a", b"b c"]}}


def _py_function(tf: Any) -> dict:
    x, feed = _fed([1.0, 2.0, 3.0])(tf)
    doubled = tf.py_function(lambda a: a.numpy() * 2, [x], tf.float32)
    pair = tf.py_function(lambda a, b: (a + b, 3.0), [x, x], [tf.float32, tf.float32])
    return {"fetch": {"doubled": doubled, "pair": pair}, "feed": feed,
            "static": {"doubled": doubled, "pair 0": pair[0]},
            "python": {"list for a list Tout": isinstance(pair, list)}}


def programs() -> list[Program]:
    table = [
        Program("top_k ties, indices and gradient", _top_k_ties),
        Program("top_k of unknown shape, run-time k", _top_k_unknown_shape),
        Program("top_k with k past the last dim (run time)", _top_k_too_large),
        Program("top_k with k past the last dim (static)", _top_k_too_large_static),
        Program("sort and argsort: axes, directions, ints, gradient", _sort_directions),
        Program("sort with a bad direction", _sort_bad_direction),
        Program("top_k and sort with NaN", _nan_last),
        Program("in_top_k: ties, non-finite rows, targets out of range", _in_top_k),
        Program("segment reductions and gradients (ties, zeros, empty)", _sorted_segments),
        Program("segment reductions of ints, int64 ids", _sorted_segments_int),
        Program("segment ids not sorted or negative", _segment_ids_not_sorted),
        Program("unsorted segment reductions and gradients", _unsorted_segments),
        Program("unsorted segment reductions of int64, run-time count", _unsorted_segments_int),
        Program("unsorted segment id past num_segments", _unsorted_segment_id_too_large),
        Program("unsorted segment reductions with 2-D ids", _unsorted_segment_2d_ids),
        Program("bincount: weights, minlength, maxlength, dtype, empty", _bincount),
        Program("bincount of a negative value", _bincount_negative),
        Program("histogram_fixed_width", _histogram),
        Program("histogram_fixed_width with bad nbins and range", _histogram_bad),
        Program("clip_by_norm: whole, rows, columns, gradients, names", _clip_by_norm),
        Program("clip_by_global_norm with None and IndexedSlices", _clip_by_global_norm),
        Program("clip_by_global_norm with use_norm", _clip_by_global_norm_use_norm),
        Program("clipping a non-finite tensor", _clip_non_finite),
        Program("global_norm, names and gradient", _global_norm),
        Program("global_norm of a tensor, not a list", _global_norm_bad),
        Program("clip_by_average_norm and gradient", _clip_by_average_norm),
        Program("roll: axes, repeated axis, run-time shift, gradient", _roll),
        Program("roll with shift and axis of different sizes", _roll_mismatch),
        Program("batch_gather and gradient", _batch_gather),
        Program("reverse_sequence: axes, old names, gradient", _reverse_sequence),
        Program("sequence_mask: maxlen, dtype, 2-D lengths", _sequence_mask),
        Program("sequence_mask with a matrix maxlen", _sequence_mask_matrix_maxlen),
        Program("cumprod: exclusive, reverse, gradient through a zero", _cumprod),
        Program("unique and unique_with_counts", _unique),
        Program("as_string options", _as_string),
        Program("as_string with an unsupported fill", _as_string_bad_fill),
        Program("as_string of ints with a precision", _as_string_int_precision),
        Program("string_join and strings.join", _string_join),
        Program("strings.format", _strings_format),
        Program("py_function", _py_function),
    ]
    return table
