"""Sessions on a dask cluster (issue 17): the same programs give the same results on a local
cluster of named task workers as in-process, state lives on its task, and failures are TF's."""
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import session_magic as tf
from session_magic import errors

distributed = pytest.importorskip("distributed")
from session_magic.distributed import local_cluster  # noqa: E402
from session_magic.distributed.regions import partition, task_of_device  # noqa: E402

PS, W0, W1 = "/job:ps/replica:0/task:0", "/job:worker/replica:0/task:0", \
    "/job:worker/replica:0/task:1"


@pytest.fixture(scope="module")
def cluster():
    with local_cluster({"ps": 1, "worker": 2}) as made:
        yield made


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def regression(ps="/job:ps/task:0", worker="/job:worker/task:0"):
    with tf.device(ps):
        w = tf.Variable(tf.zeros([3, 1]), name="w")
        b = tf.Variable(0.0, name="b")
        step = tf.Variable(0, name="global_step")
    with tf.device(worker):
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.placeholder(tf.float32, [None, 1], name="y")
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        grads = tf.gradients(loss, [w, b])
    with tf.device(ps):
        train = tf.group(tf.assign_sub(w, 0.1 * grads[0]), tf.assign_sub(b, 0.1 * grads[1]),
                         tf.assign_add(step, 1))
    rng = np.random.default_rng(0)
    data = rng.normal(size=(32, 3)).astype(np.float32)
    feed = {x: data, y: data @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3}
    return train, loss, step, feed


def train_steps(sess, train, loss, feed, steps=20):
    sess.run(tf.global_variables_initializer())
    return [sess.run([train, loss], feed)[1] for _ in range(steps)]


def test_device_strings_name_tasks():
    assert task_of_device("/job:ps/task:0/device:CPU:0") == PS
    assert task_of_device("/job:worker/replica:0/task:1") == W1
    assert task_of_device("/job:worker") == W0
    assert task_of_device("/device:CPU:0") == "" and task_of_device("") == ""


def test_regions_follow_task_changes_and_writers_run_with_their_variable():
    train, loss, _, feed = regression()
    regions = partition([train, loss], list(feed))
    # NOTE: the group (a no-op) runs on the session's own task: no call of its own
    assert [(r.level, r.task) for r in regions] == [(0, PS), (1, W0), (2, PS), (3, "")]
    writers = {op.type: r.task for r in regions for op in r.ops if op.type.startswith("Assign")}
    assert writers == {"AssignSub": PS, "AssignAdd": PS}
    assert "AssignSub" in [op.type for op in regions[2].ops]  # after the worker's gradient
    assert {t.name for t in regions[0].outputs} == {"w/read:0", "b/read:0"}


def test_a_training_loop_on_the_cluster_matches_the_local_one(cluster):
    train, loss, step, feed = regression()
    with tf.Session() as local:
        expected = train_steps(local, train, loss, feed)
    with tf.Session(cluster.target) as remote:
        got = train_steps(remote, train, loss, feed)
        assert remote.run(step) == 20
        assert not remote.graph.get_operations()[0].name.startswith("_")
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_a_client_object_and_the_cluster_itself_are_targets(cluster):
    train, loss, _, feed = regression()
    with tf.Session(cluster.client) as by_client:
        first = train_steps(by_client, train, loss, feed, 3)
    with tf.Session(cluster) as by_cluster:
        second = train_steps(by_cluster, train, loss, feed, 3)
    np.testing.assert_allclose(first, second, rtol=1e-6)


def test_variables_live_on_their_task_and_are_shared_by_sessions(cluster):
    with tf.device("/job:ps/task:0"):
        shared = tf.Variable(5.0, name="shared_counter")
        bump = tf.assign_add(shared, 1.0)
    with tf.Session(cluster.target) as first:
        first.run(shared.initializer)
        first.run(bump)
    with tf.Session(cluster.target) as second:  # NOTE: TF's ps variables outlive a session
        assert second.run(shared) == 6.0
        assert second.has_value(shared)


def test_n_workers_times_m_increments_end_at_exactly_n_m(cluster):
    workers, steps = 4, 25
    with tf.device("/job:ps/task:0"):
        counter = tf.Variable(0, name="nm_counter")
    with tf.Session(cluster.target) as sess:
        sess.run(counter.initializer)
    graphs = []
    for _ in range(workers):  # NOTE: between-graph: each worker builds the same graph
        graph = tf.Graph()
        with graph.as_default(), tf.device("/job:ps/task:0"):
            mine = tf.Variable(0, name="nm_counter")
            graphs.append((graph, tf.assign_add(mine, 1)))
    failures = []

    def worker(graph, increment):
        try:
            with tf.Session(cluster.target, graph=graph) as sess:
                for _ in range(steps):
                    sess.run(increment)
        except Exception as failure:  # noqa: BLE001 - reported below
            failures.append(failure)
    threads = [threading.Thread(target=worker, args=pair) for pair in graphs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    with tf.Session(cluster.target) as sess:
        assert sess.run(counter) == workers * steps


def test_an_unknown_task_fails_fast_with_tfs_message(cluster):
    with tf.device("/job:ps/task:7"):
        far = tf.Variable(1.0, name="far")
    with tf.Session(cluster.target) as sess:
        with pytest.raises(errors.InvalidArgumentError, match="Cannot assign a device for "
                           "operation far.*available devices"):
            sess.run(far.initializer)


def test_a_failed_region_changes_nothing_on_its_task(cluster):
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(1.0, name="atomic_v")
        x = tf.placeholder(tf.float32, [None])
        checked = tf.reshape(x, [2])
        update = tf.assign_add(v, tf.reduce_sum(checked))
    with tf.Session(cluster.target) as sess:
        sess.run(v.initializer)
        with pytest.raises(errors.InvalidArgumentError):
            sess.run(update, {x: [1.0, 2.0, 3.0]})
        assert sess.run(v) == 1.0
        sess.run(update, {x: [1.0, 2.0]})
        assert sess.run(v) == 4.0


def test_a_writer_runs_where_its_variable_lives(cluster):
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(1.0, name="placed_v")
    with tf.device("/job:worker/task:1"):
        moved = tf.assign(v, 2.0)  # NOTE: colocated with its variable, as TF1's ref ops are
    assert moved.op.device == v.op.device
    with tf.Session(cluster.target) as sess:
        sess.run(moved)
        assert sess.run(v) == 2.0
    moved.op._device = "/job:worker/task:1"  # NOTE: what no builder makes: an explicit clash
    with pytest.raises(errors.InvalidArgumentError, match="writes the variable placed_v"):
        partition([moved.op], [])


def test_saver_saves_and_restores_variables_held_by_tasks(cluster, tmp_path):
    train, loss, step, feed = regression()
    saver = tf.train.Saver()
    with tf.Session(cluster.target) as sess:
        train_steps(sess, train, loss, feed, 5)
        prefix = saver.save(sess, str(tmp_path / "model"))
        trained = sess.run(tf.global_variables())
        sess.run(tf.global_variables_initializer())
        saver.restore(sess, prefix)
        for got, want in zip(sess.run(tf.global_variables()), trained, strict=True):
            np.testing.assert_array_equal(got, want)
        assert sess.run(step) == 5


TASKS = ["/job:ps/task:0", "/job:worker/task:0", "/job:worker/task:1", ""]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(choices=st.lists(st.sampled_from(TASKS), min_size=40, max_size=40),
       depth=st.integers(1, 3))
def test_random_device_assignments_give_the_local_results(cluster, choices, depth):
    tf.reset_default_graph()
    placed = iter(choices * 20)
    with tf.device(lambda op: next(placed)):
        x = tf.placeholder(tf.float32, [4, 4], name="x")
        v = tf.Variable(tf.ones([4, 4]), name="v")
        h = x
        for _ in range(depth):
            h = tf.nn.relu(tf.matmul(h, v) - 1.0)
        s = tf.reduce_sum(tf.tanh(h) * 2.0 + tf.transpose(h), axis=1)
        grad = tf.gradients(tf.reduce_mean(s), [v])[0]
    update = tf.assign_sub(v, 0.5 * grad)
    value = np.random.default_rng(len(choices)).normal(size=(4, 4)).astype(np.float32)
    results = []
    for target in ("", cluster.target):
        with tf.Session(target) as sess:
            sess.run(v.initializer)
            results.append([sess.run([s, update], {x: value}) for _ in range(3)])
    for (local_s, local_v), (remote_s, remote_v) in zip(*results, strict=True):
        np.testing.assert_allclose(remote_s, local_s, rtol=1e-5)
        np.testing.assert_allclose(remote_v, local_v, rtol=1e-5)


def test_a_cluster_in_processes_gets_regions_as_graph_defs():
    with local_cluster({"ps": 1, "worker": 1}, processes=True, dashboard=False) as made:
        train, loss, step, feed = regression()
        with tf.Session() as local:
            expected = train_steps(local, train, loss, feed, 5)
        with tf.Session(made.target) as sess:
            got = train_steps(sess, train, loss, feed, 5)
            assert sess.run(step) == 5
        np.testing.assert_allclose(got, expected, rtol=1e-6)
        with tf.device("/job:ps/task:0"):
            carried = tf.py_func(lambda a: a, [tf.constant(1.0)], tf.float32)
        with tf.Session(made.target) as sess, pytest.raises(
                (errors.InternalError, ValueError), match="holds Python functions"):
            sess.run(carried)


def test_device_filters_hide_the_other_tasks(cluster):
    with tf.device("/job:worker/task:1"):
        elsewhere = tf.constant(2.0) * 3.0
    config = tf.ConfigProto(device_filters=["/job:ps", "/job:worker/task:0"])
    with tf.Session(cluster.target, config=config) as sess:
        with pytest.raises(errors.InvalidArgumentError, match="available devices are"):
            sess.run(elsewhere)
    with tf.Session(cluster.target) as sess:
        assert sess.run(elsewhere) == 6.0


def test_a_lost_worker_is_unavailable():
    with local_cluster({"ps": 1}, dashboard=False) as doomed:
        with tf.device("/job:ps/task:0"):
            v = tf.Variable(1.0, name="lost_v")
            bump = tf.assign_add(v, 1.0)
        with tf.Session(doomed.target) as sess:
            sess.run(v.initializer)
            sess.run(bump)
            worker = doomed.cluster.workers["/job:ps/replica:0/task:0"]
            doomed.cluster.sync(worker.close)
            with pytest.raises(errors.UnavailableError, match="unavailable"):
                sess.run(bump)  # NOTE: a region the task had compiled
            with pytest.raises(errors.UnavailableError, match="unavailable"):
                sess.run(v)  # NOTE: a new region for the lost task


def test_a_server_checks_its_job_and_task_against_the_cluster():
    from session_magic.distributed.server import Server
    spec = {"ps": ["127.0.0.1:1"], "worker": ["127.0.0.1:2", "127.0.0.1:3"]}
    with pytest.raises(ValueError, match="job_name must be given: the cluster has"):
        Server(spec, start=False)
    with pytest.raises(ValueError, match="job_name 'chief' is not in the cluster spec"):
        Server(spec, job_name="chief", start=False)
    with pytest.raises(ValueError, match="task_index must be given: job 'worker' has"):
        Server(spec, job_name="worker", start=False)
    with pytest.raises(ValueError, match="task_index 5 is not in the cluster spec"):
        Server(spec, job_name="worker", task_index=5, start=False)
    server = Server(spec, job_name="ps", start=False)
    assert (server.task, server.target) == ("/job:ps/replica:0/task:0", "grpc://127.0.0.1:1")
    assert server.scheduler_address == "tcp://127.0.0.1:1"


def test_a_local_server_serves_a_session():
    server = tf.train.Server.create_local_server()
    try:
        with tf.device("/job:localhost/task:0"):
            v = tf.Variable(3.0, name="served")
            bump = tf.assign_add(v, 1.0)
        with tf.Session(server.target) as sess:
            sess.run(v.initializer)
            assert sess.run(bump) == 4.0
    finally:
        server.stop()


def test_sessions_on_one_server_share_its_tasks_variables():
    server = tf.train.Server.create_local_server()
    try:
        v = tf.Variable(1.0, name="server_v")  # NOTE: no device: the server's own task
        with tf.Session(server.target) as first:
            first.run(v.initializer)
            first.run(tf.assign_add(v, 1.0))
        with tf.Session(server.target) as second:
            assert second.has_value(v) and second.run(v) == 2.0
    finally:
        server.stop()
