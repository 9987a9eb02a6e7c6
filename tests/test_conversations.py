"""Conversation cases (tests/conversations/*.yml) replayed through the REST channel."""

import pathlib

import pytest

from tests.tools.converse import load_cases, run_case

CASES = load_cases(pathlib.Path(__file__).parent / "conversations")


def test_there_are_enough_cases_and_ids_are_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 150 and len(ids) == len(set(ids))


def _param(case):
    # A case may carry `known_failure: "<why>"`: a wrong answer we know of and have not fixed.
    # It is reported as xfail (and as XPASS once it passes), never hidden.
    marks = (
        [pytest.mark.xfail(reason=case["known_failure"], strict=False)]
        if case.get("known_failure")
        else []
    )
    return pytest.param(case, id=f"{case['_file']}:{case['id']}", marks=marks)


def test_known_failures_are_few():
    known = [c["id"] for c in CASES if c.get("known_failure")]
    assert len(known) <= len(CASES) // 10, known


def test_known_lead_failures_are_few():
    known = [c["id"] for c in CASES if c.get("lead_known_failure")]
    assert len(known) <= len(CASES) // 10, known


@pytest.mark.server
@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_conversation_answers_right_and_says_the_answer_first(assistant, case):
    leads: list[str] = []
    problems = run_case(assistant["url"], case, leads)
    assert not problems, "\n".join(problems)
    # answer first (tests/tools/converse.py): a known exception is reported, never hidden
    if case.get("lead_known_failure"):
        assert leads, "the answer now comes first: remove its lead_known_failure"
        pytest.xfail(case["lead_known_failure"] + "\n" + "\n".join(leads))
    assert not leads, "\n".join(leads)
