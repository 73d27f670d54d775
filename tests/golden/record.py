"""Re-record every golden file under real TensorFlow (never needed by the tests themselves):

    /work/tfenv/bin/python tests/golden/record.py [--only TOPIC ...]     # from the repo root

TOPIC is one of programs.TOPICS, "generated" (tests/golden/generated.py's own programs) or
"op_defs" (each TF op's statefulness, which the op traits test checks `stateless_in_tf` against).

Runs each program of tests/golden/programs/ with `tf.compat.v1` (eager execution disabled, TF2's
other defaults kept: resource variables, control flow v2; programs marked `ref_variables` get
TF1's ref variables) and writes tests/golden/data/TOPIC.json. The tables reused from tests/ (op
samples, bad-input matrices) say `import session_magic as tf`; here that name is bound to a
stand-in that resolves every name to TF's compat.v1, `apply_op` and the internal builders the
samples call (`session_magic.ops.math_ops.sqrt_grad`) to TF's raw ops of the same names, and a
public name TF's API lacks to TF's raw op of that name if there is one (printed). A program that
needs a name TF lacks altogether is listed under "not_recordable" with the name. Last,
tests/golden/generated.py's `record(tf, data_dir)` runs, if that module exists.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.abc
import importlib.util
import json
import os
import sys
import time
import types
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "golden" / "data"

MISSING: list[str] = []  # the session_magic names TF lacked while the current program ran
STOOD_IN: list[str] = []  # public session_magic names TF lacks, recorded with TF's raw op


class NotInTF(AttributeError):
    """A session_magic name with no TensorFlow counterpart: the program cannot be recorded."""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", metavar="TOPIC",
                        help="re-record only this topic (repeatable)")
    args = parser.parse_args(argv)
    tf = _tensorflow()
    sys.path.insert(0, str(ROOT))
    _bind_session_magic_to(tf)
    _stub_test_only_imports()
    from tests.golden import programs

    every = list(programs.TOPICS) + ["generated", "op_defs"]
    topics = args.only or every
    unknown = sorted(set(topics) - set(every))
    if unknown:
        parser.error(f"unknown topics {unknown}; the topics are {every}")
    DATA.mkdir(exist_ok=True)
    for topic in topics:
        if topic == "generated":
            _record_generated(tf)
        elif topic == "op_defs":
            _record_op_defs()
        else:
            _record_topic(tf, topic, programs.programs(topic), programs.not_recordable(topic))
    return 0


def _tensorflow() -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # NOTE: oneDNN's fused kernels round differently from machine to machine; the plain kernels
    # make the recording reproducible.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    # NOTE: TF 2.21 builds tf.compat.v1.layers and nn.rnn_cell only on Keras 2 (tf_keras)
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    warnings.filterwarnings("ignore")
    import tensorflow as real_tf

    real_tf.get_logger().setLevel("ERROR")
    tf = real_tf.compat.v1
    tf.disable_eager_execution()
    return tf


def _record_topic(tf: Any, topic: str, table: list, left_out: dict) -> None:
    from tests.golden import harness

    started = time.perf_counter()
    records, not_recordable, errors, stood_in = {}, {}, 0, set()
    for program in table:
        MISSING.clear()
        STOOD_IN.clear()
        with harness.quiet_stderr(), _variables_of(tf, program):
            record = harness.run(tf, program)
        if "build" in record and MISSING:
            not_recordable[program.name] = "TF has no " + ", ".join(sorted(set(MISSING)))
            continue
        records[program.name] = record
        stood_in.update(STOOD_IN)
        errors += "build" in record or any(r.get("kind") == "error"
                                           for r in record.get("runs", []))
    path = DATA / f"{topic}.json"
    _write(path, {"tensorflow": tf.VERSION, "topic": topic, "programs": records,
                  "not_recordable": {**left_out, **not_recordable}})
    print(f"{topic:14} {len(records):5} recorded ({errors} of them raise in TF), "
          f"{len(left_out):3} left out by the table, {len(not_recordable):3} need names TF "
          f"lacks, {path.stat().st_size / 1e3:5.0f} kB, {time.perf_counter() - started:4.1f} s")
    for name, reason in not_recordable.items():
        print(f"    not recordable: {name}: {reason}")
    for name in sorted(stood_in):
        print(f"    TF's raw op stood in for {name}, a name TF's API lacks")


@contextlib.contextmanager
def _variables_of(tf: Any, program: Any) -> Iterator[None]:
    """TF1's ref variables for the programs that ask for them, TF2's resource variables else."""
    if not program.ref_variables:
        yield
        return
    tf.disable_resource_variables()
    try:
        yield
    finally:
        tf.enable_resource_variables()


def _write(path: Path, content: dict) -> None:
    """JSON with one program per line, so that a re-recording diffs program by program."""
    lines = []
    for key, value in content.items():
        if isinstance(value, dict) and value:
            items = [f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}"
                     for k, v in value.items()]
            lines.append(f"{json.dumps(key)}: {{\n" + ",\n".join(items) + "\n}")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value)}")
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n")


def _record_generated(tf: Any) -> None:
    try:
        generated = importlib.import_module("tests.golden.generated")
    except ModuleNotFoundError as error:
        if error.name != "tests.golden.generated":
            raise
        print("generated      (tests/golden/generated.py does not exist yet: skipped)")
        return
    started = time.perf_counter()
    generated.record(tf, DATA)
    print(f"generated      recorded by tests/golden/generated.py, "
          f"{time.perf_counter() - started:5.1f} s")


def _record_op_defs() -> None:
    """TF's op registry: for every raw op, whether its op def is stateful."""
    import tensorflow as real_tf
    from tensorflow.python.framework import op_def_registry

    stateful = {}
    for name in dir(real_tf.raw_ops):
        op_def = op_def_registry.get(name)
        if op_def is not None:
            stateful[name] = op_def.is_stateful
    path = DATA / "op_defs.json"
    path.write_text(json.dumps({"tensorflow": real_tf.__version__, "is_stateful": stateful},
                               indent=0, sort_keys=True) + "\n")
    print(f"op_defs        {len(stateful)} op defs")


# --- session_magic's names, resolved to TF's -----------------------------------------------------

class _Missing:
    """What a name TF lacks resolves to: using it raises NotInTF (and notes the name)."""

    def __init__(self, name: str):
        self._name = name

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        MISSING.append(self._name)
        raise NotInTF(f"TensorFlow has no {self._name}")

    __call__ = _fail

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return self._fail()


class _Namespace(types.ModuleType):
    """A TF module under session_magic's name: its names are TF's; submodules wrapped alike."""

    def __init__(self, name: str, resolve: Callable[[str], Any]):
        super().__init__(name)
        self._resolve = resolve

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        value = self._resolve(attribute)
        if isinstance(value, types.ModuleType):
            return _namespace_of(value, f"{self.__name__}.{attribute}")
        return value


def _namespace_of(module: Any, name: str) -> _Namespace:
    """TF's names; a name TF lacks whose op TF has (`bitwise.population_count`) is that raw op,
    noted in STOOD_IN; any other is missing."""
    def resolve(attribute: str) -> Any:
        try:
            return getattr(module, attribute)
        except AttributeError:
            pass
        op_type = _op_type_named(attribute)
        if op_type:
            STOOD_IN.append(f"{name}.{attribute}")
            return _raw_op_builder(op_type)
        return _Missing(f"{name}.{attribute}")
    return _Namespace(name, resolve)


_ACRONYMS = {"rms": "RMS"}  # NOTE: apply_rms_prop is TF's ApplyRMSProp, not ApplyRmsProp


def _op_type_named(attribute: str) -> Optional[str]:
    """The raw op a snake_case builder name stands for (`sqrt_grad`: SqrtGrad), if TF has it."""
    op_type = "".join(_ACRONYMS.get(part, part.capitalize()) for part in attribute.split("_"))
    return op_type if attribute.islower() and hasattr(_raw_ops(), op_type) else None


def _bind_session_magic_to(tf: Any) -> None:
    """`import session_magic as sm` gives TF's compat.v1. Its internal modules
    (`session_magic.ops.<module>`, imported or reached as attributes) give `apply_op` and
    builders named after TF's raw ops (`sqrt_grad` is `tf.raw_ops.SqrtGrad`); any other
    internal name is missing."""
    package = _namespace_of(tf, "session_magic")
    package.__path__ = []  # NOTE: a package to the import system, so submodules import
    sys.modules["session_magic"] = package
    sys.meta_path.insert(0, _InternalsFinder())


class _InternalsFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes `session_magic.<anything>` under the stand-in package an internals namespace."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if not fullname.startswith("session_magic."):
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec: Any) -> Any:
        return _internals(spec.name)

    def exec_module(self, module: Any) -> None:
        module.__path__ = []


_INTERNAL_MODULES = ("registry", "common", "functional", "overloads")  # and every "*_ops"


def _internals(name: str) -> _Namespace:
    def resolve(attribute: str) -> Any:
        if attribute == "apply_op":
            return _apply_op
        if attribute.endswith("_ops") or attribute in _INTERNAL_MODULES:
            return importlib.import_module(f"{name}.{attribute}")
        op_type = _op_type_named(attribute)
        if op_type:
            return _raw_op_builder(op_type)
        return _Missing(f"{name}.{attribute} (session_magic-internal)")
    return _Namespace(name, resolve)


def _raw_ops() -> Any:
    import tensorflow

    return tensorflow.raw_ops


def _raw_op_builder(op_type: str) -> Callable:
    """A builder of TF's raw op: positional arguments are its inputs, then its non-type attrs,
    in the op definition's order; keywords are attrs."""
    from tensorflow.python.framework import op_def_registry

    op_def = op_def_registry.get(op_type)
    names = [arg.name for arg in op_def.input_arg] + [
        attr.name for attr in op_def.attr if attr.type != "type"]

    def build(*args: Any, name: Any = None, **attrs: Any) -> Any:
        named = dict(zip(names, args, strict=False))
        return getattr(_raw_ops(), op_type)(**named, **attrs, name=name)
    return build


def _apply_op(op_type: str, inputs: Any, attrs: Any = None, name: Any = None, **_: Any) -> Any:
    """session_magic's `apply_op(op_type, inputs, attrs)`, as TF's raw op of that type."""
    return _OpOf(_raw_op_builder(op_type)(*inputs, name=name, **(attrs or {})))


class _OpOf:
    """The Operation-like result of `apply_op`: what the samples read of it."""

    def __init__(self, outputs: Any):
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self.outputs = self._outputs = outputs
        self.op = outputs[0].op


def _stub_test_only_imports() -> None:
    """The bad-input tables' modules import pytest, IPython and traitlets for their own tests;
    where the side environment lacks them, inert stand-ins let the tables be read."""
    for name in ("pytest", "IPython", "traitlets"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            pass
        else:
            continue
        for module_name in _STUBS[name]:
            stub = types.ModuleType(module_name)
            stub.__dict__.update(_stub_contents(module_name))
            sys.modules[module_name] = stub


_STUBS = {"pytest": ["pytest"],
          "IPython": ["IPython", "IPython.core", "IPython.core.error",
                      "IPython.core.interactiveshell"],
          "traitlets": ["traitlets", "traitlets.config"]}


class _Inert:
    """Accepts any attribute and call; as a decorator, returns what it decorates."""

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return self


def _stub_contents(module_name: str) -> dict:
    inert = _Inert()
    return {"pytest": {"mark": inert, "param": inert, "fixture": inert, "raises": inert},
            "IPython.core.error": {"UsageError": type("UsageError", (Exception,), {})},
            "IPython.core.interactiveshell": {"InteractiveShell": inert},
            "traitlets.config": {"Config": inert}}.get(module_name, {})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
