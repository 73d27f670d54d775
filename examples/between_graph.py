"""The classic TF1 between-graph replication skeleton, unchanged but for its import: one ps and
two workers, each a process started with --job_name and --task_index, the variables placed by
replica_device_setter, training under MonitoredTrainingSession with a checkpoint directory.

    python examples/between_graph.py --job_name=ps --task_index=0 &
    python examples/between_graph.py --job_name=worker --task_index=0 --logdir=/tmp/run &
    python examples/between_graph.py --job_name=worker --task_index=1 --logdir=/tmp/run

Each worker prints `worker <i> step <global step> loss <loss>` every 20 of its steps and, at
the end, `worker <i> done loss <last loss>`.
"""
import numpy as np

import session_magic as tf

flags = tf.app.flags
flags.DEFINE_string("job_name", "", "ps or worker")
flags.DEFINE_integer("task_index", 0, "index of the task within its job")
flags.DEFINE_string("ps_hosts", "127.0.0.1:22221", "comma-separated ps host:port")
flags.DEFINE_string("worker_hosts", "127.0.0.1:22222,127.0.0.1:22223",
                    "comma-separated worker host:port")
flags.DEFINE_string("logdir", "/tmp/between_graph", "checkpoint directory")
flags.DEFINE_integer("steps", 200, "global steps to train")
FLAGS = flags.FLAGS


def main(_):
    cluster = tf.train.ClusterSpec({"ps": FLAGS.ps_hosts.split(","),
                                    "worker": FLAGS.worker_hosts.split(",")})
    server = tf.train.Server(cluster, job_name=FLAGS.job_name, task_index=FLAGS.task_index)
    if FLAGS.job_name == "ps":
        server.join()
        return
    rng = np.random.default_rng(FLAGS.task_index)
    with tf.device(tf.train.replica_device_setter(
            worker_device=f"/job:worker/task:{FLAGS.task_index}", cluster=cluster)):
        global_step = tf.train.get_or_create_global_step()
        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.placeholder(tf.float32, [None, 1])
        w = tf.Variable(tf.zeros([3, 1]), name="w")
        b = tf.Variable(tf.zeros([1]), name="b")
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        train_op = tf.train.GradientDescentOptimizer(0.05).minimize(
            loss, global_step=global_step)
    hooks = [tf.train.StopAtStepHook(last_step=FLAGS.steps)]
    value, local_steps = None, 0
    with tf.train.MonitoredTrainingSession(master=server.target,
                                           is_chief=(FLAGS.task_index == 0),
                                           checkpoint_dir=FLAGS.logdir, hooks=hooks,
                                           save_checkpoint_steps=20) as sess:
        while not sess.should_stop():
            data = rng.normal(size=(32, 3)).astype(np.float32)
            target = data @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3
            _, value, step = sess.run([train_op, loss, global_step], {x: data, y: target})
            local_steps += 1
            if local_steps % 20 == 0:  # NOTE: the workers' global steps interleave
                print(f"worker {FLAGS.task_index} step {step} loss {value:.5f}", flush=True)
    print(f"worker {FLAGS.task_index} done loss {value:.5f}", flush=True)


if __name__ == "__main__":
    tf.app.run()
