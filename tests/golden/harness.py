"""One golden program, run under a given `tf` module: real TensorFlow's `compat.v1` in the recorder,
`session_magic` in the tests. Imports neither; both hand their module in.

A program's `build(tf)` runs inside a fresh graph and returns a dict (or None: nothing to run):
  fetch    what each run fetches: a tensor, op or variable, or a list/tuple/dict of them
  feed     {tensor or "name:0": value}, fed to every run (and to `before` and `step`)
  feeds    one such dict per run, instead of `feed` and `runs`
  runs     how many recorded runs (default 1)
  before   fetches run once each, in order, after the variables are initialized
  step     a fetch run, unrecorded, before each recorded run (a train op)
  names    {key: tensor, op or variable}: their `.name`
  static   {key: tensor}: its static dtype and shape (default: every tensor fetched)
  ops      True: the graph's ops as "name:type", in creation order
  python   {key: JSON-able value}: what the build found out in Python (static shapes, ...)
  initialize  False: do not run the variables' initializers first (default True)
The record holds the aspects "build" (a build-time error), "runs", "static", "names", "ops" and
"python"; `compare_records` compares two of them aspect by aspect.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from .encoding import compare, encode
from .encoding import error_record as _class_record

__all__ = ["Program", "run", "compare_records", "static_of", "is_variable", "ASPECTS",
           "quiet_stderr"]

ASPECTS = ("build", "runs", "static", "names", "ops", "python")


@dataclass(frozen=True)
class Program:
    name: str                           # unique within its topic; the test id is "topic/name"
    build: Callable[[Any], Optional[dict]]
    rtol: float = 1e-5
    atol: float = 1e-6
    ignore: tuple = ()                  # aspects not compared (say why in `note`)
    note: str = ""
    fresh: str = "graph"                # "graph": a new tf.Graph(); "reset": reset_default_graph()
    in_tmpdir: bool = False             # run in an empty scratch directory (checkpoints)
    shapes_only: bool = False           # random values: compare dtype and shape, not the numbers
    # a clear TypeError/ValueError where TF raises nothing or a raw Python error also agrees
    # (for tables whose stated purpose is that improvement on TF)
    accept_stricter: bool = False
    # recorded with TF1's ref variables (the layout session_magic keeps), not TF2's resource ones
    ref_variables: bool = False
    tags: dict = field(default_factory=dict)  # free-form facts for the tables (op type, ...)


def run(tf: Any, program: Program) -> dict:
    """The record of `program` under `tf`: what the build raised, or every aspect it asked for."""
    with _scratch_directory(program.in_tmpdir), _fresh_graph(tf, program.fresh) as graph:
        try:
            spec = program.build(tf) or {}
        except Exception as error:  # noqa: BLE001 - the failure is what gets recorded
            return {"build": error_record(error)}
        graph = graph or tf.get_default_graph()
        record = _static_aspects(tf, graph, spec)
        if "fetch" in spec or "before" in spec:
            record["runs"] = _runs(tf, graph, spec, program.shapes_only)
    # NOTE: as the golden file holds it (tuples become lists), so that both sides compare alike
    return json.loads(json.dumps(record, default=repr))


@contextlib.contextmanager
def _fresh_graph(tf: Any, fresh: str) -> Iterator[Any]:
    if fresh == "reset":
        tf.reset_default_graph()
        yield None
        return
    graph = tf.Graph()
    with graph.as_default():
        yield graph


@contextlib.contextmanager
def _scratch_directory(wanted: bool) -> Iterator[None]:
    if not wanted:
        yield
        return
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            yield
        finally:
            os.chdir(before)


def _static_aspects(tf: Any, graph: Any, spec: dict) -> dict:
    record: dict = {}
    static = spec.get("static")
    if static is None and "fetch" in spec:
        static = dict(_flatten(spec["fetch"]))
    if static:
        record["static"] = {key: static_of(tf, t) for key, t in static.items()}
    if "names" in spec:
        record["names"] = {key: item.name for key, item in spec["names"].items()}
    if spec.get("ops"):
        record["ops"] = [f"{op.name}:{op.type}" for op in graph.get_operations()]
    if "python" in spec:
        record["python"] = spec["python"]
    return record


def _flatten(fetch: Any, path: str = "") -> Iterator[tuple]:
    if isinstance(fetch, dict):
        for key, item in fetch.items():
            yield from _flatten(item, f"{path}[{key!r}]")
    elif isinstance(fetch, (list, tuple)):
        for i, item in enumerate(fetch):
            yield from _flatten(item, f"{path}[{i}]")
    else:
        yield path or "fetch", fetch


def static_of(tf: Any, item: Any) -> Any:
    """A tensor's dtype and shape as lists (None for an unknown dim or rank), or what it is."""
    if isinstance(item, tf.Tensor) or is_variable(item):
        ndims = item.shape.ndims
        # NOTE: base dtypes: TF1's ref dtypes (float32_ref) belong to the variable layout, which
        # session_magic keeps from TF1 where TF2 has resource variables.
        return {"dtype": item.dtype.base_dtype.name,
                "shape": None if ndims is None else list(item.shape.as_list())}
    if isinstance(item, tf.Operation):
        return "operation"
    if all(hasattr(item, a) for a in ("values", "indices", "dense_shape")):
        return {"slices": item.values.dtype.name}
    return type(item).__name__


def is_variable(item: Any) -> bool:
    # NOTE: duck-typed: TF2's ResourceVariable is no instance of tf.compat.v1.Variable.
    return hasattr(item, "initializer") and hasattr(item, "read_value")


def _runs(tf: Any, graph: Any, spec: dict, shapes_only: bool) -> list:
    feeds = spec.get("feeds") or [spec.get("feed")] * spec.get("runs", 1)
    results = []
    with tf.Session(graph=graph) as sess:
        try:
            if spec.get("initialize", True):
                _initialize(tf, graph, sess, feeds[0])
            for fetch in spec.get("before", ()):
                sess.run(fetch, feeds[0])
        except Exception as error:  # noqa: BLE001
            return [error_record(error)]
        for feed in feeds:
            try:
                if "step" in spec:
                    sess.run(spec["step"], feed)
                if "fetch" not in spec:
                    continue
                value = encode(sess.run(spec["fetch"], feed))
            except Exception as error:  # noqa: BLE001
                results.append(error_record(error))
                break
            results.append(_shape_summary(value) if shapes_only else value)
    return results


def _initialize(tf: Any, graph: Any, sess: Any, feed: Optional[dict]) -> None:
    with graph.as_default():
        variables = tf.global_variables() + tf.local_variables()
        if variables:
            sess.run(tf.variables_initializer(variables), feed)


def error_record(error: BaseException) -> dict:
    """encoding's error record, with the class's bases: a subclass of TF's class (ValueError
    for session_magic's ShapeError) is what `except TheClass` catches, so it agrees."""
    bases = [c.__name__ for c in type(error).__mro__[1:] if c not in (BaseException, object)]
    return {**_class_record(error), "isa": bases}


def _same_error(actual: dict, expected: dict) -> bool:
    return expected["class"] == actual["class"] or expected["class"] in actual.get("isa", ())


def _shape_summary(value: dict) -> dict:
    """An encoded value without its numbers: kinds, dtypes and shapes only."""
    if value["kind"] == "array":
        return {"kind": "array", "dtype": value["dtype"], "shape": value["shape"]}
    if value["kind"] in ("list", "dict"):
        items = value["items"]
        items = {k: _shape_summary(v) for k, v in items.items()} if isinstance(items, dict) \
            else [_shape_summary(v) for v in items]
        return {"kind": value["kind"], "items": items}
    if value["kind"] == "slices":
        return {**value, **{p: _shape_summary(value[p]) for p in ("values", "indices")}}
    return value


def compare_records(actual: dict, expected: dict, program: Program) -> list[str]:
    """One line per aspect in which `actual` (session_magic) differs from `expected` (TF)."""
    if program.accept_stricter and _stricter(actual.get("build"), expected.get("build")):
        return []
    differences = []
    for aspect in ASPECTS:
        if aspect in program.ignore:
            continue
        found = _compare_aspect(aspect, actual.get(aspect), expected.get(aspect), program)
        if found:
            differences.append(found)
        if found and aspect == "build":
            break  # NOTE: the other aspects of a build that failed on one side say nothing more
    return differences


def _compare_aspect(aspect: str, actual: Any, expected: Any, program: Program) -> Optional[str]:
    if aspect == "build":
        if (actual is None) != (expected is None) or (actual and not _same_error(actual,
                                                                                  expected)):
            return f"build: {_raised(actual)}, TF {_raised(expected)}"
        return None
    if aspect == "runs" and actual is not None and expected is not None:
        return _compare_runs(actual, expected, program)
    if aspect == "static" and isinstance(actual, dict) and isinstance(expected, dict) and \
            set(actual) == set(expected) and all(_refines(actual[k], expected[k])
                                                 for k in expected):
        return None
    if actual == expected:
        return None
    if isinstance(actual, list) and isinstance(expected, list):
        return f"{aspect}: {_list_difference(actual, expected)}"
    if isinstance(actual, dict) and isinstance(expected, dict):
        keys = [k for k in {**expected, **actual} if actual.get(k) != expected.get(k)]
        actual = {k: actual.get(k, "<absent>") for k in keys}
        expected = {k: expected.get(k, "<absent>") for k in keys}
    return f"{aspect}: got {_short(actual)}\n       TF gave {_short(expected)}"


def _refines(actual: Any, expected: Any) -> bool:
    """Is session_magic's static dtype and shape TF's, or TF's with some unknown dims known?
    (docs/differences.md, static-shapes: it never contradicts TF or the values.)"""
    if not (isinstance(actual, dict) and isinstance(expected, dict)):
        return actual == expected
    if actual.get("dtype") != expected.get("dtype"):
        return False
    mine, theirs = actual.get("shape"), expected.get("shape")
    if theirs is None:
        return True
    if mine is None or len(mine) != len(theirs):
        return False
    return all(t is None or m == t for m, t in zip(mine, theirs, strict=True))


def _list_difference(actual: list, expected: list) -> str:
    """Where two lists (op lists) part: the first differing position and a few items from it."""
    start = next((i for i, (a, e) in enumerate(zip(actual, expected, strict=False))
                  if a != e),
                 min(len(actual), len(expected)))
    return (f"{len(actual)} items, TF {len(expected)}; from item {start}:\n"
            f"       got     {_short(actual[start:start + 6])}\n"
            f"       TF gave {_short(expected[start:start + 6])}")


def _compare_runs(actual: list, expected: list, program: Program) -> Optional[str]:
    for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
        where = f"run {i}"
        if a["kind"] == e["kind"] == "error" and _same_error(a, e):
            found = None
        elif program.shapes_only:
            found = None if a == e else f"{where}: got {_short(a)}, TF gave {_short(e)}"
        else:
            found = compare(a, e, program.rtol, program.atol, where)
        if found:
            return found
    if len(actual) != len(expected):
        return f"runs: {len(actual)} recorded, TF recorded {len(expected)}"
    return None


RAW_PYTHON_ERRORS = ("AttributeError", "IndexError", "KeyError", "OverflowError",
                     "AssertionError", "RecursionError", "NotImplementedError",
                     "ZeroDivisionError", "OperatorNotAllowedInGraphError")


def _stricter(actual: Optional[dict], expected: Optional[dict]) -> bool:
    """session_magic raised TypeError or ValueError where TF raised nothing or a raw error."""
    clear = actual is not None and any(_same_error(actual, {"class": c})
                                       for c in ("TypeError", "ValueError"))
    return clear and (expected is None or expected["class"] in RAW_PYTHON_ERRORS)


def _raised(build: Optional[dict]) -> str:
    return "no error" if build is None else f"raised {build['class']}"


def _short(value: Any, limit: int = 600) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """TF's kernels (Print, PrintV2) and deprecation notices write to file descriptor 2; a
    recording's summary should not drown in them."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
