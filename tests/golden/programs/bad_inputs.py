"""The bad-input matrices of tests/test_bad_inputs.py and tests/test_bad_builder_arguments.py,
reused as they are: each row's call is run, and what it raises (its class) or that it raises
nothing is what TF and session_magic must agree on. The tables' modules are imported when
`programs()` is called (under the recorder, with `session_magic` bound to TF's compat.v1).
The TOLERATED rows of test_bad_inputs.py (NaN, Inf and empty inputs TF accepts) compare values.

`_run_with_update` of test_bad_inputs.py asserts that a failed run commits no variable write,
which is session_magic's promise beyond TF (TF may apply the update before the failing op):
for both frameworks its rows run through the same update without that assertion.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from ..encoding import encode
from ..harness import Program

# Rows TF cannot express: id -> reason.
NOT_RECORDABLE = {
    "Session/unknown-target": "TF accepts any grpc:// target when the Session is made and then "
                              "blocks connecting on first use; session_magic has no such target",
}
_MAGICS = "the magics %graph and %%session are session_magic's own"
# NOTE: test_bad_builder_arguments.py exists to raise "TF's TypeError or ValueError at build
# time ... instead of a silently wrong graph or a raw Python error from deep inside"; so there a
# TypeError/ValueError where TF raises nothing or AttributeError/IndexError/... agrees with TF.
_STRICTER = ("session_magic's TypeError/ValueError where TF builds a wrong graph or raises a raw "
             "Python error is the table's purpose")


# Rows about variables' checks, recorded with TF1's ref variables (session_magic's layout): TF2's
# resource variables accept a shape-changing assign or restore, an initial value of unknown shape,
# and raise ValueError for an int assigned to a float variable where TF1's Assign op says TypeError.
REF_VARIABLES = ("runtime/assign-shape", "Saver.restore/shape-mismatch", "Variable/unknown-shape",
                 "assign/dtype-int-tensor")


def programs() -> list[Program]:
    from tests import test_bad_builder_arguments as builders
    from tests import test_bad_inputs as inputs

    table = []
    for name, call, *_ in inputs.ROWS:
        if name not in NOT_RECORDABLE and not name.startswith("%"):
            table.append(Program(f"inputs/{name}", _raising(inputs, call), fresh="reset",
                                 in_tmpdir=True, ref_variables=name in REF_VARIABLES))
    for name, call, *_ in builders.ROWS:
        if name not in NOT_RECORDABLE:
            table.append(Program(f"builders/{name}", _raising_given(builders, call),
                                 fresh="reset", accept_stricter=True, note=_STRICTER))
    for name, call, *_ in inputs.TOLERATED:
        table.append(Program(f"tolerated/{name}", _returning(inputs, call), fresh="reset",
                             in_tmpdir=True))
    return table


def not_recordable() -> dict:
    """Every row left out, with the reason (for the README and the report)."""
    from tests import test_bad_inputs as inputs

    magics = {name: _MAGICS for name, *_ in inputs.ROWS if name.startswith("%")}
    return {**NOT_RECORDABLE, **magics}


def _raising(table: Any, call: Callable) -> Callable:
    def build(tf: Any) -> None:
        with _unchecked_updates(table):
            call()
    return build


def _raising_given(table: Any, call: Callable) -> Callable:
    def build(tf: Any) -> None:
        call(table._Given())
    return build


def _returning(table: Any, call: Callable) -> Callable:
    def build(tf: Any) -> dict:
        return {"python": {"value": encode(call())}}
    return build


@contextlib.contextmanager
def _unchecked_updates(table: Any) -> Iterator[None]:
    """Within: the table's `_run_with_update` runs its fetch beside the variable update and lets
    a failure through, without checking that the update was not committed."""
    tf, saved = table.tf, table._run_with_update

    def run_with_update(build: Callable, feeds: Any = None) -> Any:
        counter = tf.Variable(0, name="counter")
        bump = counter.assign_add(1)
        fetch = build()
        with tf.Session() as sess:
            sess.run(counter.initializer)
            return sess.run([bump, fetch], feeds)

    table._run_with_update = run_with_update
    try:
        yield
    finally:
        table._run_with_update = saved
