"""Device placement as TF 1 records it (no execution): DeviceSpec parsing, printing and merging,
nested `tf.device` scopes and device functions, `colocate_with` (devices and `_class` groups),
the ops of a Variable, ClusterSpec, and `replica_device_setter` placing a between-graph training
program over 2 ps and 2 worker tasks (variables, optimizer slots, global step)."""
from __future__ import annotations

from typing import Any, Callable

from ..harness import Program

# NOTE: where session_magic's graph differs from TF's for reasons outside placement, those ops
# are left out of the comparison: `tf.group` making one NoOp per device (TF's `update/NoOp`,
# `update/NoOp_1`), Adam's fresh reads inside control_dependencies (`Adam/read`), and the
# gradient ops, whose structure differs (only their devices' set is compared).
_NOT_COMPARED = ("Adam/update/NoOp", "Adam/update/NoOp_1", "Adam/read", "Adam/read_1")

SPECS = ("/job:ps/replica:1/task:2/device:CPU:0", "/cpu:0", "/device:GPU:1", "CPU:*", "/GPU:*",
         "gpu:1", "/job:ps/task:0/cpu:0", "", "/", "//job:ps", "job:ps", "/device:cpu:0",
         "/device:foo:3", "/foo:0", "/job:ps/foo:1", "/cpu:x", "/task:x", "/replica:a",
         "/cpu:0/gpu:1", "/Cpu:0", "/tpu:2", "/job:a:b", "/job:", "/task:", "/device:CPU",
         "/device:CPU:*", "/job:ps/job:w", "/task:-1", " /cpu:0", "/job:ps/task:01", "/xpu:0",
         "/custom:0", None)


def _outcome(make: Callable[[], Any]) -> Any:
    """A value, or the error class and message (TF's messages are part of the contract)."""
    try:
        return make()
    except Exception as error:  # noqa: BLE001 - the error is what gets compared
        return f"{type(error).__name__}: {error}"


def _class(op: Any) -> Any:
    try:
        return [group.decode() for group in op.get_attr("_class")]
    except ValueError:
        return None


def _placements(graph: Any, skip: tuple = ()) -> dict:
    """Every op's device and colocation groups, by name (gradients: the set of devices)."""
    placed = {op.name: [op.device, _class(op)] for op in graph.get_operations()
              if not op.name.startswith("gradients/") and op.name not in skip}
    gradients = {op.device for op in graph.get_operations() if op.name.startswith("gradients/")}
    return {"ops": placed, "gradient devices": sorted(gradients)}


def _parsing(tf: Any) -> dict:
    return {"python": {str(spec): _outcome(lambda s=spec: tf.DeviceSpec.from_string(s).to_string())
                       for spec in SPECS}}


def _spec_methods(tf: Any) -> dict:
    spec = tf.DeviceSpec.from_string("/job:ps/task:1/cpu:0")
    out = {"fields": [spec.job, spec.replica, spec.task, spec.device_type, spec.device_index],
           "constructed": tf.DeviceSpec(job="w", replica="3", task=2, device_type="gpu",
                                        device_index=1).to_string(),
           "bad task": _outcome(lambda: tf.DeviceSpec(task="x")),
           "mixed case type": tf.DeviceSpec(device_type="Gpu").to_string(),
           "merged any index": tf.DeviceSpec.from_string("/device:GPU:1").make_merged_spec(
               tf.DeviceSpec.from_string("/cpu:*")).to_string()}
    spec.merge_from(tf.DeviceSpec.from_string("/gpu:*"))
    out["merge_from"] = spec.to_string()
    out["replace"] = spec.replace(job="x", task=None).to_string()
    parsed = tf.DeviceSpec()
    out["parse 1"] = parsed.parse_from_string("/job:q/task:3").to_string()
    out["parse 2"] = parsed.parse_from_string("/gpu:1").to_string()
    parsed.job, parsed.task, parsed.device_type = "zz", "5", "cpu"
    out["setters"] = parsed.to_string()
    out["equal"] = tf.DeviceSpec.from_string("/cpu:0") == tf.DeviceSpec.from_string(
        "/device:CPU:0")
    out["repr"] = repr(tf.DeviceSpec.from_string("/job:a/cpu:0"))
    out["from int"] = _outcome(lambda: tf.DeviceSpec.from_string(3))
    return {"python": out}


def _nested_scopes(tf: Any) -> dict:
    def device_of(name: str) -> str:
        return tf.constant(0, name=name).op.device

    out = {}
    with tf.device("/job:ps/task:0"):
        out["outer"] = device_of("a")
        with tf.device("/cpu:0"):
            out["inner cpu"] = device_of("b")
        with tf.device("/job:worker"):
            out["inner job"] = device_of("c")
        with tf.device(None):
            out["None clears"] = device_of("d")
        with tf.device(""):
            out["empty string"] = device_of("e")
        with tf.device(lambda op: "/gpu:1"):
            out["function inside"] = device_of("f")
        with tf.device(lambda op: ""):
            out["function answering empty"] = device_of("g")
        with tf.device(lambda op: tf.DeviceSpec(task=5)):
            out["function answering a spec"] = device_of("h")
        with tf.device(lambda op: "/cpu:0"), tf.device("/task:3"):
            out["spec inside a function"] = device_of("i")
    with tf.device(lambda op: "/cpu:0"):
        out["outermost function kept as written"] = device_of("j")
    with tf.device(lambda op: "/job:ps/garbage:0"):
        out["outermost function unparsed"] = device_of("k")
    with tf.device(tf.DeviceSpec(job="j", task=1)):
        out["DeviceSpec"] = device_of("l")
    with tf.device("/device:GPU:1"), tf.device("/cpu:*"):
        out["index kept"] = device_of("m")
    with tf.device("CPU:0"):
        out["no slash"] = device_of("n")
    with tf.device(lambda op: b"/job:b"):
        out["function answering bytes"] = device_of("bytes")
    with tf.device("/job:w"):
        branch = tf.cond(tf.constant(True), lambda: tf.constant(1.0), lambda: tf.constant(2.0))
        out["cond"] = branch.device
    with tf.device("/cpu:0"), tf.device(lambda op: op.device + "x"):
        out["function answer parsed by outer"] = _outcome(lambda: device_of("o"))
    out["bad spec"] = _outcome(lambda: tf.device("/job:ps/foo:1").__enter__())
    out["bad index"] = _outcome(lambda: tf.device("/cpu:x").__enter__())
    return {"python": out}


def _colocation(tf: Any) -> dict:
    def placed(name: str) -> list:
        op = tf.constant(0, name=name).op
        return [op.device, _class(op)]

    out = {}
    plain = tf.constant(1, name="plain")
    with tf.device("/job:w/task:1"):
        pinned = tf.constant(1, name="pinned")
    with tf.colocate_with(pinned):
        out["with a placed op"] = placed("k")
        with tf.device("/job:x"):
            out["device scope inside is ignored"] = placed("l")
        with tf.colocate_with(plain):
            out["nested: groups sorted, device kept"] = placed("m")
        with tf.colocate_with(plain, ignore_existing=True):
            out["ignore_existing"] = placed("n")
    with tf.device("/job:z"):
        with tf.colocate_with(plain):
            out["outer device scope set aside"] = placed("o")
        with tf.colocate_with(pinned.op):
            out["with an Operation"] = placed("p")
    with tf.device("/job:x"), tf.colocate_with(None, ignore_existing=True):
        out["None with ignore_existing"] = placed("q")
    out["None alone"] = _outcome(lambda: tf.colocate_with(None).__enter__())
    out["groups of a colocated op"] = [
        g.decode() for g in tf.get_default_graph().get_operation_by_name("k").colocation_groups()]
    return {"python": out}


def _variables(tf: Any) -> dict:
    with tf.device("/job:x/task:2"):
        v = tf.Variable(1.0, name="v")
        u = tf.get_variable("u", [], initializer=tf.zeros_initializer())
        c = tf.Variable(2.0, name="c", caching_device="/job:cache")
        tf.Variable(lambda: 1.0, dtype=tf.float32, name="from_python")
        tf.Variable(lambda: tf.ones([2]) * 3.0, dtype=tf.float32, name="from_ops")
    with tf.colocate_with(v):
        r = tf.identity(1.0, name="r")
    return {"python": {**_placements(tf.get_default_graph()),
                       "devices": [v.device, u.device, c.device, v.initializer.device, r.device]}}


def _between_graph(tf: Any) -> dict:
    cluster = tf.train.ClusterSpec({"ps": ["ps0:2222", "ps1:2222"],
                                    "worker": ["w0:2222", "w1:2222"]})
    setter = tf.train.replica_device_setter(worker_device="/job:worker/task:1", cluster=cluster)
    with tf.device(setter):
        step = tf.train.get_or_create_global_step()
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(tf.zeros([3, 2]), name="w")
        b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
        with tf.device("/job:ps/task:1"):
            pinned = tf.Variable(tf.ones([2]), name="pinned")
        with tf.device("/cpu:0"):
            hidden = tf.nn.relu(tf.matmul(x, w) + b + pinned, name="hidden")
        loss = tf.reduce_mean(tf.square(hidden), name="loss")
        train = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=step)
    # NOTE: not run: TF's local session has no ps or worker devices to run it on
    return {"python": {**_placements(tf.get_default_graph(), _NOT_COMPARED),
                       "train op": train.name}}


def _setter_options(tf: Any) -> dict:
    setter = tf.train.replica_device_setter(ps_tasks=3, ps_device="/job:ps/cpu:0",
                                            worker_device="/job:trainer/task:0")
    with tf.device(setter):
        first = tf.Variable(0.0, name="first")
        with tf.device("/job:ps/task:2"):
            explicit = tf.Variable(0.0, name="explicit")
        with tf.device("/job:other"):
            elsewhere = tf.Variable(0.0, name="elsewhere")
        after = tf.Variable(0.0, name="after")
        total = tf.add_n([first, explicit, elsewhere, after], name="total")
    not_merged = tf.train.replica_device_setter(ps_tasks=2, merge_devices=False)
    with tf.device(not_merged):
        kept = tf.Variable(0.0, name="kept")
        with tf.device("/job:mine"):
            mine = tf.constant(1.0, name="mine")
    only_consts = tf.train.replica_device_setter(ps_tasks=2, ps_ops=["Const"],
                                                 worker_device="")
    with tf.device(only_consts):
        c0, c1 = tf.constant(1.0, name="c0"), tf.constant(2.0, name="c1")
        summed = tf.add(c0, c1, name="summed")
    ops = [first, explicit, elsewhere, after, total, kept, mine, c0, c1, summed]
    return {"python": {op.op.name: op.op.device for op in ops}}


def _setter_none(tf: Any) -> dict:
    setter = tf.train.replica_device_setter
    return {"python": {
        "no ps tasks": setter() is None,
        "no ps job": setter(cluster={"worker": ["a:1"]}) is None,
        "empty ps job": setter(cluster={"ps": []}) is None,
        "bad strategy": _outcome(lambda: setter(ps_tasks=2, ps_strategy=3)),
        "bad cluster": _outcome(lambda: setter(cluster=3)),
        "strategy called": _strategy_calls(tf)}}


def _strategy_calls(tf: Any) -> list:
    seen = []

    def strategy(op: Any) -> int:
        seen.append(op.type)
        return len(seen) % 2

    with tf.device(tf.train.replica_device_setter(ps_tasks=2, ps_strategy=strategy)):
        tf.Variable(0.0, name="s0")
        tf.get_variable("s1", [], initializer=tf.zeros_initializer())
    return seen + [op.device for op in tf.get_default_graph().get_operations()]


def _cluster_spec(tf: Any) -> dict:
    spec = tf.train.ClusterSpec
    sparse = spec({"ps": ["a:1", "b:2"], "worker": {1: "w1", 3: "w3"}})
    return {"python": {
        "as_dict": sparse.as_dict(),
        "string keys": spec({"ps": ["a:1"], "worker": {"1": "w1"}}).as_dict(),
        "queries": [sparse.jobs, sparse.num_tasks("worker"), sparse.task_indices("worker"),
                    sparse.job_tasks("worker"), sparse.task_address("worker", 3)],
        "repr": repr(sparse),
        "bool": [bool(sparse), bool(spec({}))],
        "equality": [spec(sparse) == sparse, sparse == sparse.as_dict(),
                     sparse == spec(sparse.as_dict()), sparse != spec({})],
        "copy": spec(sparse).as_dict(),
        "empty job": spec({"ps": []}).as_dict(),
        "errors": [_outcome(make) for make in (
            lambda: spec({"ps": "a:1"}), lambda: spec(["a"]), lambda: spec({"ps": [3]}),
            lambda: spec({3: ["a"]}), lambda: sparse.num_tasks("x"),
            lambda: sparse.task_address("worker", 0), lambda: sparse.task_address("x", 0),
            lambda: sparse.job_tasks("q"), lambda: sparse.task_indices("q"),
            lambda: spec({"ps": []}).job_tasks("ps"))]}}


def _device_filters(tf: Any) -> dict:
    config = tf.ConfigProto(device_filters=["/job:ps", "/job:worker/task:1"])
    return {"python": {"filters": list(config.device_filters)}}


def programs() -> list[Program]:
    return [
        Program("DeviceSpec parsing", _parsing),
        Program("DeviceSpec methods", _spec_methods),
        Program("nested device scopes", _nested_scopes),
        Program("colocate_with", _colocation),
        Program("variable ops placement", _variables, ref_variables=True),
        Program("between-graph replica_device_setter", _between_graph, ref_variables=True,
                note="TF's per-device group NoOps and Adam's extra reads are left out"),
        Program("replica_device_setter options", _setter_options, ref_variables=True),
        Program("replica_device_setter None and errors", _setter_none, ref_variables=True),
        Program("ClusterSpec", _cluster_spec),
        Program("ConfigProto device_filters", _device_filters),
    ]
