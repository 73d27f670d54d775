"""Session and InteractiveSession: lifecycle, fetch structures, feeds, pruning, the plan cache
and make_callable, with TF 1's documented behaviour and texts as the oracle."""
import collections
import threading
import warnings

import numpy as np
import pytest

import session_magic as tf

Pair = collections.namedtuple("Pair", "first second")


@pytest.fixture
def sess():
    with tf.Session() as session:
        yield session


def _counter():
    """A variable and an op that increments it: how many times a run executed the op."""
    count = tf.Variable(0, name="count")
    return count, count.assign_add(1)


# --- the seed programs ---------------------------------------------------------------------------

def test_seed_program_with_session_prints_1_2_3(capsys):
    x = tf.constant(1)
    y = tf.constant(2)
    z = x + y
    with tf.Session() as sess:
        print(sess.run(x))
        print(sess.run(y))
        print(sess.run(z))
    assert capsys.readouterr().out == "1\n2\n3\n"


def test_seed_program_with_interactive_session_prints_1_2_3(capsys):
    x = tf.constant(1)
    y = tf.constant(2)
    z = x + y
    sess = tf.InteractiveSession()
    print(x.eval())
    print(y.eval())
    print(z.eval())
    sess.close()
    assert capsys.readouterr().out == "1\n2\n3\n"


# --- construction and lifecycle ------------------------------------------------------------------

def test_session_rejects_bad_arguments():
    with pytest.raises(TypeError, match="graph must be a tf.Graph, but got <class 'int'>"):
        tf.Session(graph=1)
    with pytest.raises(TypeError, match="config must be a tf.ConfigProto, but got <class 'str'>"):
        tf.Session(config="fast")
    with pytest.raises(TypeError, match='Did you do "Session\\(config\\)" instead of '
                                        '"Session\\(config=config\\)"\\?'):
        tf.Session(tf.ConfigProto())


def test_unknown_target_has_no_session_factory():
    with pytest.raises(tf.errors.NotFoundError, match="No session factory registered"):
        tf.Session("carrier-pigeon://nowhere")
    pytest.importorskip("distributed")
    with pytest.raises(tf.errors.NotFoundError, match="No tf.train.Server in this process"):
        tf.Session("grpc://nowhere:2222")


def test_session_uses_the_default_graph_at_construction():
    graph = tf.Graph()
    with graph.as_default():
        session = tf.Session()
    assert session.graph is graph and tf.Session().graph is tf.get_default_graph()


def test_with_block_enters_graph_and_session_and_closes_on_exit():
    graph = tf.Graph()
    with graph.as_default():
        c = tf.constant(1)
    with tf.Session(graph=graph) as session:
        assert tf.get_default_session() is session and tf.get_default_graph() is graph
        assert c.eval() == 1
    assert session.closed and tf.get_default_session() is None
    assert tf.get_default_graph() is not graph


def test_with_block_closes_the_session_when_the_body_raises():
    tf.constant(1)
    with pytest.raises(KeyError):
        with tf.Session() as session:
            raise KeyError("boom")
    assert session.closed and tf.get_default_session() is None


def test_session_context_manager_is_not_re_entrant(sess):
    with pytest.raises(RuntimeError, match="Session context managers are not re-entrant. Use "
                                           "`Session.as_default\\(\\)` if you want to enter a "
                                           "session multiple times."):
        with sess:
            pass


def test_as_default_does_not_close_or_change_the_default_graph():
    c = tf.constant(2)
    graph = tf.Graph()
    session = tf.Session(graph=graph)
    with session.as_default() as entered:
        assert entered is session and tf.get_default_session() is session
        assert tf.get_default_graph() is c.graph
    assert not session.closed and tf.get_default_session() is None


def test_close_is_idempotent_and_a_closed_session_refuses_to_run():
    c = tf.constant(1)
    session = tf.Session()
    session.close()
    session.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        session.run(c)


def test_running_an_empty_graph_raises():
    with pytest.raises(RuntimeError, match="The Session graph is empty.  Add operations to the "
                                           "graph before calling run\\(\\)."):
        tf.Session().run([])


def test_default_session_is_per_thread(sess):
    seen = []
    worker = threading.Thread(target=lambda: seen.append(tf.get_default_session()))
    worker.start()
    worker.join()
    assert tf.get_default_session() is sess and seen == [None]


# --- fetch structures ----------------------------------------------------------------------------

def test_single_fetch_returns_a_bare_value(sess):
    value = sess.run(tf.constant([1, 2]))
    assert isinstance(value, np.ndarray) and value.tolist() == [1, 2]


def test_scalar_results_are_numpy_scalars_not_0d_arrays(sess):
    value = sess.run(tf.constant(1.5))
    assert type(value) is np.float32 and value == 1.5
    assert type(sess.run(tf.constant(3))) is np.int32


def test_list_tuple_and_namedtuple_fetches_keep_their_type(sess):
    a, b = tf.constant(1), tf.constant(2)
    assert sess.run([a, b]) == [1, 2]
    assert sess.run((a, b)) == (1, 2) and type(sess.run((a, b))) is tuple
    result = sess.run(Pair(a, b))
    assert type(result) is Pair and result == Pair(1, 2)


def test_dict_and_ordered_dict_fetches_keep_type_and_key_order(sess):
    a, b = tf.constant(1), tf.constant(2)
    assert sess.run({"b": b, "a": a}) == {"b": 2, "a": 1}
    ordered = sess.run(collections.OrderedDict([("z", a), ("y", b)]))
    assert type(ordered) is collections.OrderedDict
    assert list(ordered.items()) == [("z", 1), ("y", 2)]


def test_nested_fetches_come_back_in_the_same_structure(sess):
    a, b = tf.constant(1), tf.constant(2)
    fetches = {"pair": Pair(a, [b, (a,)]), "list": [{"x": b}], "empty": []}
    assert sess.run(fetches) == {"pair": Pair(1, [2, (1,)]), "list": [{"x": 2}], "empty": []}


def test_empty_containers_come_back_empty(sess):
    tf.constant(1)
    assert sess.run([]) == [] and sess.run(()) == () and sess.run({}) == {}
    assert sess.run([[], {}]) == [[], {}]


def test_names_fetch_tensors_and_operations(sess):
    tf.constant(7, name="seven")
    assert sess.run("seven:0") == 7 and sess.run(b"seven:0") == 7
    assert sess.run("seven") is None


def test_operations_fetch_as_none(sess):
    c = tf.constant(1)
    assert sess.run(c.op) is None and sess.run([c.op, c]) == [None, 1]


def test_variables_fetch_their_value(sess):
    v = tf.Variable([1.0, 2.0])
    sess.run(v.initializer)
    assert sess.run(v).tolist() == [1.0, 2.0] and sess.run([v, {"v": v}])[1]["v"][0] == 1.0


def test_each_distinct_fetch_is_computed_once_per_run(sess):
    count, increment = _counter()
    sess.run(count.initializer)
    assert sess.run([increment, increment, {"again": increment}]) == [1, 1, {"again": 1}]
    assert sess.run([increment, increment * 10]) == [2, 20]
    assert sess.run(count) == 2


def test_an_op_needed_by_several_fetches_runs_once(sess):
    calls = []

    def record(x):
        calls.append(x)
        return x
    source = tf.py_func(record, [tf.constant(1.0)], tf.float32)
    assert sess.run([source, source + 1.0, {"again": source}]) == [1.0, 2.0, {"again": 1.0}]
    assert len(calls) == 1


# --- feeds ---------------------------------------------------------------------------------------

def test_feeds_keyed_by_tensor_or_tensor_name(sess):
    p = tf.placeholder(tf.float32, [None], name="p")
    doubled = p * 2.0
    assert sess.run(doubled, {p: [1, 2]}).tolist() == [2.0, 4.0]
    assert sess.run(doubled, {"p:0": [3]}).tolist() == [6.0]


def test_feed_keyed_by_op_name_raises(sess):
    p = tf.placeholder(tf.float32, name="p")
    with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: The name 'p' "
                                        "refers to an Operation, not a Tensor. Tensor names must "
                                        'be of the form "<op_name>:<output_index>".'):
        sess.run(p, {"p": 1.0})


def test_feed_key_from_another_graph_raises(sess):
    with tf.Graph().as_default():
        foreign = tf.placeholder(tf.float32)
    c = tf.constant(1.0)
    with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: Tensor "
                                        ".* is not an element of this graph."):
        sess.run(c, {foreign: 1.0})


def test_nested_tuple_keys_feed_tuples_of_values(sess):
    a, b = tf.placeholder(tf.int32), tf.placeholder(tf.int32)
    assert sess.run(a + b, {(a, b): (3, 4)}) == 7


def test_feeding_a_constant_or_an_intermediate_short_circuits_its_producers(sess):
    c = tf.constant(1.0)
    unfed = tf.placeholder(tf.float32, name="unfed")
    middle = unfed * 2.0
    result = middle + c
    assert sess.run(c + 1.0, {c: 10.0}) == 11.0
    assert sess.run(result, {middle: 5.0}) == 6.0


def test_fed_and_fetched_tensor_returns_the_fed_value(sess):
    count, increment = _counter()
    assert sess.run(increment, {increment: 41}) == 41
    assert sess.run([increment, increment + 1], {increment: 9}) == [9, 10]


def test_feed_values_are_converted_to_the_tensor_dtype(sess):
    p = tf.placeholder(tf.int32, name="p")
    value = sess.run(p, {p: 3.7})
    assert type(value) is np.int32 and value == 3
    wide = tf.placeholder(tf.float64, name="wide")
    assert sess.run(wide * 1.0, {"wide:0": [1]}).dtype == np.float64


def test_feed_shape_is_checked_against_the_static_shape(sess):
    p = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2, 4\) for Tensor "
                                         r"'Placeholder:0', which has shape '\(\?, 3\)'"):
        sess.run(p, {p: np.zeros((2, 4))})
    assert sess.run(p, {p: np.zeros((5, 3))}).shape == (5, 3)


def test_a_tensor_as_feed_value_raises(sess):
    p = tf.placeholder(tf.float32)
    c = tf.constant(1.0)
    with pytest.raises(TypeError, match=r'The value of a feed cannot be a tf.Tensor object\. .*'
                                        r'For reference, the tensor object was Tensor\("Const:0", '
                                        r'shape=\(\), dtype=float32\) which was passed to the feed '
                                        r'with key Tensor\("Placeholder:0", dtype=float32\)\.'):
        sess.run(p, {p: c})


def test_an_int_feed_that_does_not_fit_raises(sess):
    p = tf.placeholder(tf.int32)
    with pytest.raises(TypeError, match="Type of feed value 4294967296 with type <class 'int'> "
                                        "is not compatible with Tensor type <class "
                                        "'numpy.int32'>. Try explicitly setting the type of the "
                                        "feed tensor to a larger type \\(e.g. int64\\)."):
        sess.run(p, {p: 2**32})


def test_unfeedable_tensor_may_not_be_fed(sess):
    c = tf.constant(1.0)
    tf.get_default_graph().prevent_feeding(c)
    with pytest.raises(ValueError, match="may not be fed"):
        sess.run(c, {c: 2.0})


def test_unfetchable_op_and_its_tensors_may_not_be_fetched(sess):
    c = tf.constant(1.0, name="hidden")
    tf.get_default_graph().prevent_fetching(c.op)
    for fetch in (c, [c], c.op):
        with pytest.raises(ValueError, match="'hidden(:0)?' has been marked as not fetchable"):
            sess.run(fetch)
    assert sess.run(c + 1.0) == 2.0


# --- pruning, graph extension, the plan cache ----------------------------------------------------

def test_only_the_ops_a_fetch_needs_are_run(sess):
    tf.placeholder(tf.float32, name="never_fed") * 2.0
    count, increment = _counter()
    wanted = tf.constant(3)
    sess.run(count.initializer)
    assert sess.run(wanted) == 3 and sess.run(count) == 0


def test_ops_added_after_the_session_exists_can_run():
    a = tf.constant(1)
    session = tf.Session()
    assert session.run(a) == 1
    b = a + 41
    assert session.run(b) == 42


def test_plans_are_cached_per_fetch_and_feed_signature(sess):
    p = tf.placeholder(tf.float32)
    y = p + 1.0
    sess.run(y, {p: 1.0})
    sess.run([y], {p: 2.0})  # the same unique fetches and feeds: the same plan
    sess.run([y, p], {p: 3.0})
    assert sess.cache_info() == (1, 2, 2)


def test_runs_from_many_threads_share_one_session(sess):
    count, increment = _counter()
    sess.run(count.initializer)
    step = sess.make_callable(increment.op)

    def work():
        for _ in range(50):
            step()
    workers = [threading.Thread(target=work) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sess.run(count) == 400


# --- make_callable -------------------------------------------------------------------------------

def test_make_callable_runs_fetches_with_positional_feeds(sess):
    p, q = tf.placeholder(tf.float32, name="p"), tf.placeholder(tf.float32, name="q")
    total = p + q
    add = sess.make_callable(total, [p, "q:0"])
    assert add(1.0, 2.0) == 3.0 and add(5.0, 5.0) == 10.0
    pair = sess.make_callable(Pair(total, total.op), feed_list=[p, q])
    assert pair(1.0, 1.0) == Pair(2.0, None)


def test_make_callable_of_an_operation_returns_none(sess):
    count, increment = _counter()
    sess.run(count.initializer)
    step = sess.make_callable(increment.op)
    assert step() is None and step() is None and sess.run(count) == 2


def test_make_callable_rejects_a_non_list_feed_list(sess):
    p = tf.placeholder(tf.float32)
    with pytest.raises(TypeError, match="`feed_list` must be a list or tuple."):
        sess.make_callable(p, p)


# --- InteractiveSession --------------------------------------------------------------------------

def test_interactive_session_installs_itself_as_default():
    c = tf.constant(5)
    sess = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is sess and c.eval() == 5
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_second_interactive_session_warns():
    tf.constant(1)
    first = tf.InteractiveSession()
    with pytest.warns(UserWarning, match="An interactive session is already active. This can "
                                         "cause out-of-memory errors in some cases. You must "
                                         "explicitly call `InteractiveSession.close\\(\\)`"):
        second = tf.InteractiveSession()
    second.close()
    first.close()


def test_interactive_sessions_opened_one_after_another_do_not_warn():
    tf.constant(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tf.InteractiveSession().close()
        tf.InteractiveSession().close()


def test_interactive_close_uninstalls_in_any_order_and_is_idempotent():
    tf.constant(1)
    first = tf.InteractiveSession()
    with pytest.warns(UserWarning):
        second = tf.InteractiveSession()
    first.close()
    assert tf.get_default_session() is second
    second.close()
    second.close()
    assert tf.get_default_session() is None


def test_interactive_session_with_a_graph_makes_it_the_default_graph():
    graph = tf.Graph()
    with graph.as_default():
        c = tf.constant(3)
    sess = tf.InteractiveSession(graph=graph)
    assert tf.get_default_graph() is graph and c.eval() == 3
    sess.close()
    assert tf.get_default_graph() is not graph


def test_interactive_session_keeps_its_graph_after_a_reset():
    tf.constant(1)
    sess = tf.InteractiveSession()
    tf.reset_default_graph()
    fresh = tf.constant(2)
    with pytest.raises(ValueError, match="the tensor's graph is different from the session's "
                                         "graph"):
        fresh.eval()
    sess.close()


def test_interactive_session_is_not_a_context_manager():
    tf.constant(1)
    with pytest.raises((TypeError, AttributeError)):
        with tf.InteractiveSession():
            pass
    tf.get_default_session().close()


# --- eval() and run() without a suitable session -------------------------------------------------

def test_eval_without_a_default_session_raises():
    c = tf.constant(1)
    with pytest.raises(ValueError, match="Cannot evaluate tensor using `eval\\(\\)`: No default "
                                         "session is registered. Use `with sess.as_default\\(\\)` "
                                         "or pass an explicit session to `eval\\(session=sess\\)`"):
        c.eval()
    with pytest.raises(ValueError, match="Cannot execute operation using `run\\(\\)`: No "
                                         "default session is registered. Use `with "
                                         "sess.as_default\\(\\):`"):
        c.op.run()


def test_eval_with_a_session_of_another_graph_raises():
    c = tf.constant(1)
    with tf.Graph().as_default():
        tf.constant(2)
        other = tf.Session()
    with other.as_default():
        with pytest.raises(ValueError, match="Cannot use the default session to evaluate tensor: "
                                             "the tensor's graph is different from the session's "
                                             "graph. Pass an explicit session to "):
            c.eval()
    with pytest.raises(ValueError, match="Cannot use the given session to evaluate tensor: the "
                                         "tensor's graph is different from the session's graph."):
        c.eval(session=other)


def test_operation_run_with_a_session_of_another_graph_raises():
    c = tf.constant(1)
    with tf.Graph().as_default():
        tf.constant(2)
        other = tf.Session()
    with other.as_default():
        with pytest.raises(ValueError, match=r"Cannot use the default session to execute "
                                             r"operation: the operation's graph is different from "
                                             r"the session's graph. Pass an explicit session to "
                                             r"run\(session=sess\)."):
            c.op.run()
    with pytest.raises(ValueError, match="Cannot use the given session to execute operation: the "
                                         "operation's graph is different from the session's "
                                         "graph."):
        c.op.run(session=other)


# --- what a session shows of itself: dry runs, compiled runs, timings ---------------------------

def test_dry_run_computes_values_and_commits_no_write(sess):
    count, increment = _counter()
    x = tf.placeholder(tf.float32, [2], name="x")
    doubled = x * 2.0
    sess.run(count.initializer)
    values, seconds = sess.dry_run([increment, doubled], {x: [1.0, 2.0]})
    assert values[0] == 1 and list(values[1]) == [2.0, 4.0] and seconds == {}
    assert sess.run(count) == 0 and sess.cache_info()[2] == 2  # NOTE: the initializer, count


def test_dry_run_traces_each_op_it_ran(sess):
    a = tf.placeholder(tf.float32, [50, 50], name="a")
    product = tf.matmul(a, a, name="product")
    values, seconds = sess.dry_run([product], {a: np.ones((50, 50))}, trace=True)
    assert values[0][0, 0] == 50.0
    assert product.op in seconds and all(s >= 0.0 for s in seconds.values())


def test_dry_run_raises_as_run_does_and_checks_what_it_fetches(sess):
    x = tf.placeholder(tf.float32, name="x")
    with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value"):
        sess.dry_run([x + 1.0])
    with pytest.raises(TypeError, match=r"at fetches\[1\]"):
        sess.dry_run([x, None], {x: 1.0})
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.dry_run([x], {x: 1.0})


def test_compiled_runs_list_each_signature_with_the_ops_it_runs(sess):
    x = tf.placeholder(tf.float32, name="x")
    y = tf.add(x, 1.0, name="y")
    z = tf.multiply(y, 2.0, name="z")
    tf.negative(x, name="unused")
    sess.run(z, {x: 1.0})
    sess.run(y, {x: 2.0})
    runs = sess.compiled_runs()
    assert [run.fetches for run in runs] == [(z,), (y,)]
    assert runs[0].feeds == (x,) and {op.name for op in runs[0].ops} == {"y", "y/y", "z", "z/y"}


def test_timings_are_a_read_only_view_once_collected(sess):
    x = tf.placeholder(tf.float32, name="x")
    y = tf.square(x, name="y")
    assert sess.timings is None
    sess.collect_timings()
    sess.run(y, {x: 3.0})
    assert y.op in sess.timings
    with pytest.raises(TypeError):
        sess.timings[y.op] = 0.0


def test_has_value_says_which_variables_a_session_holds(sess):
    count, _ = _counter()
    assert not sess.has_value(count) and not sess.has_value(count.op)
    sess.run(count.initializer)
    assert sess.has_value(count) and sess.has_value(count.op)
    with tf.Session() as other:
        assert not other.has_value(count)


# --- found by the fuzzer (tests/test_fuzz.py), shrunk -----------------------------------------

def test_rerun_with_namedtuple_where_a_tuple_was_keeps_the_namedtuple() -> None:
    x, y = tf.constant(1.0), tf.constant(2.0)
    with tf.Session() as sess:
        sess.run([(x, y)])
        result = sess.run([Pair(x, y)])
    assert type(result[0]) is Pair


def test_feed_in_the_other_byte_order_is_converted_to_the_native_dtype() -> None:
    x = tf.placeholder(tf.float32, [2])
    total = tf.reduce_sum(x)
    with tf.Session() as sess:
        fed, summed = sess.run([x, total], {x: np.array([1.0, 2.0], ">f4")})
    assert fed.dtype == np.float32 and summed == 3.0
