"""TF1's queues, queue runners, producers, batching and readers, run in threads.

Every run that could block has a deadline (the session's operation_timeout_in_ms, or RunOptions)
and every thread is joined with a timeout, so a regression fails a test instead of hanging it.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import session_magic as sm
from session_magic import input_pipeline as ip
from session_magic.interop.event_writer import tfrecord
from session_magic.queues import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue

ROOT = Path(__file__).resolve().parents[1]
SAFETY_MS = 20_000  # NOTE: never reached by a passing test; turns a hang into a failure


def _session(graph=None) -> sm.Session:
    return sm.Session(graph=graph, config=sm.ConfigProto(operation_timeout_in_ms=SAFETY_MS))


def _in_thread(function, *args) -> threading.Thread:
    thread = threading.Thread(target=function, args=args, daemon=True)
    thread.start()
    return thread


def _joined(thread: threading.Thread) -> None:
    thread.join(SAFETY_MS / 1000)
    assert not thread.is_alive(), "the thread did not end"


# --- queues -------------------------------------------------------------------------------------

def test_fifo_queue_dequeues_in_enqueue_order() -> None:
    queue = FIFOQueue(10, [sm.int32, sm.string], shapes=[[], []])
    enqueue = queue.enqueue_many([[1, 2, 3], [b"a", b"b", b"c"]])
    number, text = queue.dequeue()
    with _session() as sess:
        sess.run(enqueue)
        assert sess.run(queue.size()) == 3
        assert [tuple(sess.run([number, text])) for _ in range(3)] == \
            [(1, b"a"), (2, b"b"), (3, b"c")]


def test_a_dequeue_waits_for_an_enqueue_from_another_thread() -> None:
    queue = FIFOQueue(2, sm.float32)
    value = sm.placeholder(sm.float32, [])
    enqueue, dequeue = queue.enqueue(value), queue.dequeue()
    results = []
    with _session() as sess:
        reader = _in_thread(lambda: results.extend(sess.run(dequeue) for _ in range(3)))
        for x in (1.0, 2.0, 3.0):
            sess.run(enqueue, {value: x})
        _joined(reader)
    assert results == [1.0, 2.0, 3.0]


def test_an_enqueue_into_a_full_queue_waits_for_a_dequeue() -> None:
    queue = FIFOQueue(1, sm.int32, shapes=[[]])
    value = sm.placeholder(sm.int32, [])
    enqueue, dequeue = queue.enqueue(value), queue.dequeue()
    with _session() as sess:
        writer = _in_thread(lambda: [sess.run(enqueue, {value: i}) for i in range(4)])
        assert [sess.run(dequeue) for _ in range(4)] == [0, 1, 2, 3]
        _joined(writer)


def test_a_closed_queue_drains_then_raises_out_of_range() -> None:
    queue = FIFOQueue(5, sm.int32, shapes=[[]])
    with _session() as sess:
        sess.run(queue.enqueue_many([[7, 8]]))
        sess.run(queue.close())
        assert sess.run(queue.is_closed())
        assert sess.run(queue.dequeue()) == 7
        with pytest.raises(sm.errors.OutOfRangeError, match="insufficient elements"):
            sess.run(queue.dequeue_many(2))
        assert sess.run(queue.dequeue_up_to(2)).tolist() == [8]
        with pytest.raises(sm.errors.OutOfRangeError, match="is closed"):
            sess.run(queue.dequeue())


def test_closing_wakes_a_blocked_dequeue_with_out_of_range() -> None:
    queue = FIFOQueue(5, sm.int32, shapes=[[]])
    dequeue, close = queue.dequeue(), queue.close()
    failures = []

    def dequeue_once():
        try:
            sess.run(dequeue)
        except sm.errors.OutOfRangeError as error:
            failures.append(error)
    with _session() as sess:
        waiting = _in_thread(dequeue_once)
        time.sleep(0.1)
        sess.run(close)
        _joined(waiting)
    assert len(failures) == 1


def test_an_enqueue_on_a_closed_queue_is_cancelled() -> None:
    queue = FIFOQueue(5, sm.int32, shapes=[[]])
    with _session() as sess:
        sess.run(queue.close())
        with pytest.raises(sm.errors.CancelledError, match="is already closed"):
            sess.run(queue.enqueue(1))


def test_cancel_pending_enqueues_wakes_an_enqueue_into_a_full_queue() -> None:
    queue = FIFOQueue(1, sm.int32, shapes=[[]])
    enqueue, cancel = queue.enqueue(1), queue.close(cancel_pending_enqueues=True)
    failures = []

    def enqueue_twice():
        try:
            sess.run(enqueue)
            sess.run(enqueue)
        except sm.errors.CancelledError as error:
            failures.append(error)
    with _session() as sess:
        writer = _in_thread(enqueue_twice)
        time.sleep(0.1)
        sess.run(cancel)
        _joined(writer)
        assert sess.run(queue.dequeue()) == 1
    assert len(failures) == 1


def test_two_sessions_have_separate_queues() -> None:
    queue = FIFOQueue(5, sm.int32, shapes=[[]])
    first, second = _session(), _session()
    try:
        first.run(queue.enqueue(1))
        assert first.run(queue.size()) == 1 and second.run(queue.size()) == 0
    finally:
        first.close()
        second.close()


def test_run_options_timeout_gives_deadline_exceeded() -> None:
    queue = FIFOQueue(5, sm.int32, shapes=[[]])
    with sm.Session() as sess:
        with pytest.raises(sm.errors.DeadlineExceededError, match="Timed out"):
            sess.run(queue.dequeue(), options=sm.RunOptions(timeout_in_ms=50))


def test_operation_timeout_in_config_gives_deadline_exceeded() -> None:
    queue = FIFOQueue(5, sm.int32, shapes=[[]])
    config = sm.ConfigProto(operation_timeout_in_ms=50)
    with sm.Session(config=config) as sess:
        with pytest.raises(sm.errors.DeadlineExceededError):
            sess.run(queue.dequeue())


def test_closing_the_session_ends_a_blocked_dequeue() -> None:
    queue = FIFOQueue(5, sm.int32, shapes=[[]])
    dequeue = queue.dequeue()
    sess, failures = _session(), []

    def dequeue_once():
        try:
            sess.run(dequeue)
        except RuntimeError as error:
            failures.append(error)
    waiting = _in_thread(dequeue_once)
    time.sleep(0.1)
    sess.close()
    _joined(waiting)
    assert "closed Session" in str(failures[0])


def test_a_failed_run_does_not_give_the_dequeued_element_back() -> None:
    # NOTE: as TF: a dequeue takes effect at once, outside the run's commit of variable writes
    queue = FIFOQueue(5, sm.int32, shapes=[[]])
    checked = sm.gather([10, 20, 30], queue.dequeue())  # NOTE: fails for index -1
    with _session() as sess:
        sess.run(queue.enqueue_many([[-1, 2]]))
        with pytest.raises(sm.errors.InvalidArgumentError):
            sess.run(checked)
        assert sess.run(queue.size()) == 1


def test_random_shuffle_queue_keeps_the_multiset_and_its_seeded_order() -> None:
    def drained_order() -> list:
        graph = sm.Graph()
        with graph.as_default():
            queue = RandomShuffleQueue(20, 0, sm.int32, shapes=[[]], seed=7)
            enqueue, dequeue = queue.enqueue_many([list(range(10))]), queue.dequeue_many(10)
        with _session(graph) as sess:
            sess.run(enqueue)
            return sess.run(dequeue).tolist()
    first, second = drained_order(), drained_order()
    assert sorted(first) == list(range(10)) and first == second and first != sorted(first)


def test_random_shuffle_queue_keeps_min_after_dequeue_until_closed() -> None:
    queue = RandomShuffleQueue(10, 3, sm.int32, shapes=[[]], seed=1)
    with _session() as sess:
        sess.run(queue.enqueue_many([[1, 2, 3, 4]]))
        first = sess.run(queue.dequeue())
        with pytest.raises(sm.errors.DeadlineExceededError):
            sess.run(queue.dequeue(), options=sm.RunOptions(timeout_in_ms=50))
        sess.run(queue.close())
        rest = sess.run(queue.dequeue_many(3)).tolist()
    assert sorted([first, *rest]) == [1, 2, 3, 4]


def test_padding_fifo_queue_pads_each_batch_to_its_longest() -> None:
    queue = PaddingFIFOQueue(5, [sm.int32, sm.string], shapes=[[None], [None]])
    with _session() as sess:
        sess.run(queue.enqueue([[1], [b"a"]]))
        sess.run(queue.enqueue([[1, 2, 3], [b"a", b"b"]]))
        numbers, texts = sess.run(queue.dequeue_many(2))
    assert numbers.tolist() == [[1, 0, 0], [1, 2, 3]]
    assert texts.tolist() == [[b"a", b""], [b"a", b"b"]]


def test_queue_names_and_a_dict_of_components() -> None:
    queue = FIFOQueue(5, [sm.int32, sm.float32], shapes=[[], []], names=["i", "x"])
    with _session() as sess:
        sess.run(queue.enqueue({"i": 1, "x": 2.5}))
        assert sess.run(queue.dequeue()) == {"i": 1, "x": 2.5}
    assert queue.dequeue().keys() == {"i", "x"}


def test_bad_queue_arguments_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="capacity"):
        FIFOQueue(0, sm.int32)
    with pytest.raises(ValueError, match="min_after_dequeue"):
        RandomShuffleQueue(5, 5, sm.int32)
    queue = FIFOQueue(5, sm.int32, shapes=[[2]])
    with _session() as sess:
        with pytest.raises(sm.errors.InvalidArgumentError, match="Shape mismatch"):
            sess.run(queue.enqueue([[1, 2, 3]]))


# --- Coordinator and QueueRunner ----------------------------------------------------------------

def test_coordinator_join_reraises_a_threads_exception() -> None:
    coord = ip.Coordinator()

    def fail():
        with coord.stop_on_exception():
            raise ValueError("from the thread")
    thread = _in_thread(fail)
    assert coord.wait_for_stop(SAFETY_MS / 1000)
    with pytest.raises(ValueError, match="from the thread"):
        coord.join([thread], stop_grace_period_secs=5)


def test_coordinator_treats_out_of_range_as_a_clean_stop() -> None:
    coord = ip.Coordinator()
    coord.request_stop(sm.errors.OutOfRangeError(None, None, "done"))
    assert coord.should_stop()
    coord.join([], stop_grace_period_secs=1)


def test_queue_runner_fills_a_queue_until_the_coordinator_stops() -> None:
    queue = FIFOQueue(4, sm.int32, shapes=[[]])
    runner = ip.QueueRunner(queue, [queue.enqueue(5)] * 2)
    coord = ip.Coordinator()
    with _session() as sess:
        threads = runner.create_threads(sess, coord, daemon=True, start=True)
        assert [sess.run(queue.dequeue()) for _ in range(6)] == [5] * 6
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
    assert not any(t.is_alive() for t in threads)


def test_a_runners_failure_reaches_the_coordinators_join() -> None:
    queue = FIFOQueue(4, sm.int32, shapes=[[]])
    runner = ip.QueueRunner(queue, [queue.enqueue(sm.gather([1, 2], 5))])
    coord = ip.Coordinator()
    with _session() as sess:
        threads = runner.create_threads(sess, coord, daemon=True, start=True)
        assert coord.wait_for_stop(SAFETY_MS / 1000)
        with pytest.raises(sm.errors.InvalidArgumentError):
            coord.join(threads, stop_grace_period_secs=10)
    assert len(runner.exceptions_raised) == 1


def test_looper_thread_calls_its_target_until_the_coordinator_stops() -> None:
    coord, calls = ip.Coordinator(), []

    def count():
        calls.append(1)
        if len(calls) == 3:
            coord.request_stop()
    looper = ip.LooperThread(coord, 0.01, target=count)
    looper.start()
    coord.join([looper], stop_grace_period_secs=10)
    assert len(calls) == 3


def test_closing_the_session_stops_its_runners_without_hanging() -> None:
    value = sm.constant([1.0, 2.0])
    batched = ip.batch([value], batch_size=3, capacity=4)
    sess = _session()
    threads = ip.start_queue_runners(sess)
    assert sess.run(batched).shape == (3, 2)
    sess.close()
    for thread in threads:
        _joined(thread)


# --- producers and batching ---------------------------------------------------------------------

def _drained(fetch, sess) -> list:
    results = []
    try:
        while True:
            results.append(sess.run(fetch))
    except sm.errors.OutOfRangeError:
        return results


def test_the_classic_csv_program_sees_every_row_once_per_epoch(tmp_path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("id,value\n" + "".join(f"{i},{i / 4}\n" for i in range(13)))
    filenames = ip.string_input_producer([str(path)], num_epochs=2)
    key, line = ip.TextLineReader(skip_header_lines=1).read(filenames)
    row_id, row_value = sm.decode_csv(line, record_defaults=[[0], [0.0]])
    ids, values = ip.shuffle_batch([row_id, row_value], batch_size=4, capacity=10,
                                   min_after_dequeue=3, seed=5, allow_smaller_final_batch=True)
    seen = []
    with _session() as sess:
        sess.run([sm.global_variables_initializer(), sm.local_variables_initializer()])
        coord = ip.Coordinator()
        threads = ip.start_queue_runners(sess=sess, coord=coord)
        try:
            while not coord.should_stop():
                batch_ids, batch_values = sess.run([ids, values])
                np.testing.assert_allclose(batch_values, batch_ids / 4)
                seen.extend(batch_ids.tolist())
        except sm.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
    assert sorted(seen) == sorted(list(range(13)) * 2)
    assert str(key.name) == "ReaderReadV2:0"


def test_limit_epochs_needs_its_local_variable_initialized() -> None:
    limited = ip.limit_epochs(sm.constant(3), num_epochs=2)
    with _session() as sess:
        with pytest.raises(sm.errors.FailedPreconditionError, match="epochs"):
            sess.run(limited)
        sess.run(sm.local_variables_initializer())
        assert [sess.run(limited) for _ in range(2)] == [3, 3]
        with pytest.raises(sm.errors.OutOfRangeError, match="limit of 2"):
            sess.run(limited)
    with pytest.raises(ValueError, match="num_epochs"):
        ip.limit_epochs(sm.constant(3), num_epochs=0)


def test_slice_input_producer_keeps_rows_together() -> None:
    features = np.arange(10, dtype=np.float32).reshape(5, 2)
    labels = np.arange(5, dtype=np.int32)
    feature, label = ip.slice_input_producer([features, labels], num_epochs=1, seed=3)
    with _session() as sess:
        sess.run(sm.local_variables_initializer())
        coord = ip.Coordinator()
        threads = ip.start_queue_runners(sess, coord)
        rows = _drained([feature, label], sess)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
    assert sorted(int(lab) for _, lab in rows) == list(range(5))
    assert all(f.tolist() == features[lab].tolist() for f, lab in rows)


def test_batch_gives_a_smaller_final_batch_when_allowed() -> None:
    numbers = ip.range_input_producer(5, num_epochs=1, shuffle=False).dequeue()
    batched = ip.batch([numbers], batch_size=2, allow_smaller_final_batch=True)
    with _session() as sess:
        sess.run(sm.local_variables_initializer())
        coord = ip.Coordinator()
        threads = ip.start_queue_runners(sess, coord)
        batches = _drained(batched, sess)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
    assert [b.tolist() for b in batches] == [[0, 1], [2, 3], [4]]


def test_batch_join_and_shuffle_batch_join_take_every_list() -> None:
    joined = ip.batch_join([[sm.constant(1)], [sm.constant(2)]], batch_size=6)
    shuffled = ip.shuffle_batch_join([{"v": sm.constant(3)}, {"v": sm.constant(4)}], 6,
                                     capacity=10, min_after_dequeue=2, seed=1)
    with _session() as sess:
        coord = ip.Coordinator()
        threads = ip.start_queue_runners(sess, coord)
        assert set(sess.run(joined).tolist()) <= {1, 2}
        assert set(sess.run(shuffled)["v"].tolist()) <= {3, 4}
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)


# --- readers ------------------------------------------------------------------------------------

def _files_queue(*paths) -> FIFOQueue:
    queue = FIFOQueue(10, sm.string, shapes=[[]])
    return queue, queue.enqueue_many([[str(p) for p in paths]]), queue.close()


def test_text_line_reader_keys_name_file_and_line(tmp_path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("head\nx\ny\n")
    second.write_text("head\nz\n")
    queue, fill, close = _files_queue(first, second)
    key, value = ip.TextLineReader(skip_header_lines=1).read(queue)
    with _session() as sess:
        sess.run([fill, close])
        pairs = _drained([key, value], sess)
    assert pairs == [[f"{first}:2".encode(), b"x"], [f"{first}:3".encode(), b"y"],
                     [f"{second}:2".encode(), b"z"]]


def test_read_up_to_crosses_files_and_gives_a_short_last_batch(tmp_path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("1\n2\n")
    second.write_text("3\n")
    queue, fill, close = _files_queue(first, second)
    keys, values = ip.TextLineReader().read_up_to(queue, 2)
    with _session() as sess:
        sess.run([fill, close])
        batches = [v.tolist() for _, v in _drained([keys, values], sess)]
    assert batches == [[b"1", b"2"], [b"3"]]


def test_whole_file_tfrecord_and_fixed_length_readers(tmp_path) -> None:
    whole, records, fixed = tmp_path / "w.bin", tmp_path / "r.tfrecord", tmp_path / "f.bin"
    whole.write_bytes(b"all of it")
    records.write_bytes(tfrecord(b"one") + tfrecord(b"three"))
    fixed.write_bytes(b"HHabcdefF")
    readers = [(ip.WholeFileReader(), whole), (ip.TFRecordReader(), records),
               (ip.FixedLengthRecordReader(3, header_bytes=2, footer_bytes=1), fixed)]
    results = []
    with _session() as sess:
        for reader, path in readers:
            queue, fill, close = _files_queue(path)
            sess.run([fill, close])
            results.append(_drained(list(reader.read(queue)), sess))
    assert results[0] == [[str(whole).encode(), b"all of it"]]
    assert results[1] == [[f"{records}:0".encode(), b"one"], [f"{records}:19".encode(), b"three"]]
    assert results[2] == [[f"{fixed}:0".encode(), b"abc"], [f"{fixed}:1".encode(), b"def"]]


# --- Ctrl-C -------------------------------------------------------------------------------------

_INTERRUPTED_PROGRAM = """
import session_magic as tf
from session_magic import input_pipeline as ip
from session_magic.queues import FIFOQueue

full = FIFOQueue(1, tf.int32, shapes=[[]])
ip.add_queue_runner(ip.QueueRunner(full, [full.enqueue(1)]))
empty = FIFOQueue(1, tf.int32, shapes=[[]])
with tf.Session() as sess:
    coord = ip.Coordinator()
    threads = ip.start_queue_runners(sess, coord)
    try:
        print("blocked", flush=True)
        sess.run(empty.dequeue())
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    finally:
        coord.request_stop()
    coord.join(threads, stop_grace_period_secs=10)
print("stopped", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
def test_ctrl_c_while_a_run_blocks_on_a_dequeue_stops_cleanly() -> None:
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(_INTERRUPTED_PROGRAM)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert process.stdout.readline().strip() == "blocked"
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=SAFETY_MS / 1000)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out.split() == ["interrupted", "stopped"]
