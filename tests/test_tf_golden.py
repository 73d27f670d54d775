"""session_magic against real TensorFlow: every program of tests/golden/programs/ runs here under
session_magic and must agree with what TF 2 (`tf.compat.v1`, graph mode) recorded for it in
tests/golden/data/ — errors by class, values within the program's tolerance, static dtypes and
shapes, names and op lists. TensorFlow is not needed here; tests/golden/README.md says how to
re-record."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

import session_magic as tf

from .golden import deliberate, harness
from .golden.programs import TOPICS, programs
from .golden.programs import samples as samples_table

DATA = Path(__file__).parent / "golden" / "data"
DIFFERENCES_DOC = Path(__file__).parent.parent / "docs" / "differences.md"
# NOTE: what a deliberately different program may still raise: TF's own classes, never a
# failure of session_magic's code
INTERNAL_FAILURES = harness.RAW_PYTHON_ERRORS + ("NameError", "UnboundLocalError",
                                                 "InternalError")


@lru_cache(maxsize=None)
def _golden(topic: str) -> dict:
    path = DATA / f"{topic}.json"
    if not path.exists():
        return {"programs": {}, "not_recordable": {}}
    return json.loads(path.read_text())


def _params() -> list:
    found = []
    for topic in TOPICS:
        recorded = _golden(topic)["programs"]
        for program in programs(topic):
            if program.name in recorded:
                found.append(pytest.param(program, recorded[program.name],
                                          id=f"{topic}/{program.name}"))
    return found


@pytest.mark.parametrize("program, expected", _params())
def test_session_magic_agrees_with_tensorflow(request: pytest.FixtureRequest,
                                              program: harness.Program, expected: dict) -> None:
    actual = harness.run(tf, program)
    if deliberate.section_for(request.node.callspec.id):
        raised = (actual.get("build") or {}).get("class")
        assert raised not in INTERNAL_FAILURES, f"{program.name}: session_magic raised {raised}"
        return
    differences = harness.compare_records(actual, expected, program)
    if differences:
        note = f"\n  ({program.note})" if program.note else ""
        pytest.fail(f"{program.name} differs from TF:\n  " + "\n  ".join(differences) + note,
                    pytrace=False)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_program_has_a_golden(topic: str) -> None:
    golden = _golden(topic)
    known = set(golden["programs"]) | set(golden["not_recordable"])
    unrecorded = sorted(p.name for p in programs(topic) if p.name not in known)
    assert not unrecorded, (f"programs of {topic} without a golden: {unrecorded[:10]}; re-record "
                            f"with /work/tfenv/bin/python tests/golden/record.py --only {topic}")


@pytest.mark.parametrize("topic", TOPICS)
def test_no_golden_outlives_its_program(topic: str) -> None:
    names = {p.name for p in programs(topic)}
    stale = sorted(set(_golden(topic)["programs"]) - names)
    assert not stale, (f"goldens of {topic} for programs that no longer exist: {stale[:10]}; "
                       f"re-record with /work/tfenv/bin/python tests/golden/record.py --only "
                       f"{topic}")


def test_every_sample_left_out_still_exists() -> None:
    stale = samples_table.stale_exclusions()
    assert not stale, f"tests/golden/programs/samples.py leaves out samples that are gone: {stale}"


def test_every_deliberate_difference_names_a_program_and_a_section_of_the_docs() -> None:
    ids = {p.id for p in _params()}
    assert not deliberate.stale_keys(ids), deliberate.stale_keys(ids)
    sections = {line[3:].strip() for line in DIFFERENCES_DOC.read_text().splitlines()
                if line.startswith("## ")}
    missing = sorted(set(deliberate.DIFFERENCES.values()) - sections)
    assert not missing, f"docs/differences.md has no section {missing}"
