"""TF1's queue pipeline where TF is deterministic: no runner threads (a program runs a runner's
enqueue op itself, in `before`), no shuffling. Names of the producers' ops and variables, the
order of a FIFO queue, limit_epochs' end of data and batch shapes."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..harness import Program


def _runner_enqueue(tf: Any) -> Any:
    return tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)[-1].enqueue_ops[0]


def _limit_epochs(tf: Any) -> dict:
    limited = tf.train.limit_epochs(tf.constant([1, 2]), num_epochs=2)
    return {"fetch": limited, "runs": 3, "names": {"limited": limited}}


def _string_producer(tf: Any) -> dict:
    queue = tf.train.string_input_producer(["a", "b", "c"], shuffle=False, capacity=8)
    dequeued = queue.dequeue()
    enqueue = _runner_enqueue(tf)
    return {"before": [enqueue], "fetch": dequeued, "runs": 3,
            "names": {"queue": queue.queue_ref.op, "enqueue": enqueue, "dequeued": dequeued}}


def _epochs_of_a_producer(tf: Any) -> dict:
    queue = tf.train.range_input_producer(3, num_epochs=1, shuffle=False)
    dequeued = queue.dequeue_up_to(3)
    enqueue = _runner_enqueue(tf)
    return {"before": [enqueue], "fetch": [dequeued], "runs": 1,
            "names": {"dequeued": dequeued, "enqueue": enqueue}}


def _batch(tf: Any) -> dict:
    x = tf.placeholder(tf.float32, [2], name="x")
    batched = tf.train.batch([x], batch_size=3, capacity=5)
    enqueue = _runner_enqueue(tf)
    feed = {x: np.array([1.0, 2.0], np.float32)}
    return {"before": [enqueue] * 3, "fetch": batched, "feed": feed, "runs": 1,
            "static": {"batched": batched}, "names": {"batched": batched, "enqueue": enqueue}}


def _batch_dict(tf: Any) -> dict:
    x = tf.placeholder(tf.int32, [], name="x")
    batched = tf.train.batch({"b": x, "a": x + 1}, batch_size=2, allow_smaller_final_batch=True)
    enqueue = _runner_enqueue(tf)
    return {"before": [enqueue] * 2, "fetch": batched, "feed": {x: np.int32(4)}, "runs": 1,
            "names": {"a": batched["a"], "b": batched["b"]}}


def programs() -> list[Program]:
    return [Program("limit_epochs ends with OutOfRangeError", _limit_epochs),
            Program("string_input_producer in order", _string_producer),
            Program("range_input_producer one epoch, dequeue_up_to", _epochs_of_a_producer),
            Program("batch of fed rows", _batch),
            Program("batch of a dict", _batch_dict)]
