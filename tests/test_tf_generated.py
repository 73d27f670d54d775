"""session_magic against real TensorFlow on generated programs: the programs of
tests/golden/generated.py's seeds SEED .. SEED + COUNT - 1, as recorded from TF 2 (`tf.compat.v1`,
graph mode) in tests/golden/data/generated.json, run here under session_magic. A failure prints
the program's source, the first difference, the op that made the differing tensor and both
errors' messages. TensorFlow is not needed; re-record with

    /work/tfenv/bin/python tests/golden/record.py --only generated

The differences kept on purpose (docs/differences.md) are `generated.deliberate`'s; the large
run over fresh seeds is tests/golden/agreement.py, by hand.
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import pytest

import session_magic as tf

from .golden import generated

GOLDEN = Path(__file__).parent / "golden" / "data" / generated.DATA_FILE


@lru_cache(maxsize=None)
def _golden() -> dict:
    if not GOLDEN.exists():
        return {"seed": generated.SEED, "count": 0, "programs": {}}
    return json.loads(GOLDEN.read_text())


def _params() -> list:
    return [pytest.param(generated.Case.from_dict(entry), entry["record"], id=name)
            for name, entry in _golden()["programs"].items()]


@pytest.mark.parametrize("case, expected", _params())
def test_session_magic_agrees_with_tensorflow(case: generated.Case, expected: dict) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        actual = generated.run_case(tf, case)
    found = generated.differences(case, actual, expected)
    found += [f"warning (TF is silent): {w.category.__name__}: {w.message}" for w in caught]
    if found:
        pytest.fail(generated.failure_message(case, actual, expected, found), pytrace=False)


def test_every_generated_program_is_recorded() -> None:
    golden = _golden()
    seeds = sorted(entry["seed"] for entry in golden["programs"].values())
    assert (golden["seed"], golden["count"]) == (generated.SEED, generated.COUNT) and \
        seeds == list(range(generated.SEED, generated.SEED + generated.COUNT)), \
        "tests/golden/data/generated.json is not generated.py's; re-record with " \
        "/work/tfenv/bin/python tests/golden/record.py --only generated"


def test_the_generator_still_writes_the_recorded_programs() -> None:
    stale = [name for name, entry in _golden()["programs"].items()
             if generated.generate(entry["seed"]).as_dict() !=
             {k: v for k, v in entry.items() if k != "record"}]
    assert not stale, (f"generated.py no longer writes {len(stale)} recorded programs (first: "
                       f"{stale[:5]}); re-record with /work/tfenv/bin/python "
                       f"tests/golden/record.py --only generated")


def test_every_deliberate_difference_has_its_section_in_the_docs() -> None:
    import inspect
    import re
    named = set(re.findall(r'return "([a-z0-9-]+)"', inspect.getsource(generated.deliberate)))
    doc = (Path(__file__).parent.parent / "docs" / "differences.md").read_text()
    sections = {line[3:].strip() for line in doc.splitlines() if line.startswith("## ")}
    assert named and not named - sections, f"docs/differences.md lacks {named - sections}"
