"""Conversation cases (tests/conversations/*.yml) replayed through the REST channel."""

import pathlib

import pytest

from tests.tools.converse import load_cases, run_case

CASES = load_cases(pathlib.Path(__file__).parent / "conversations")


def test_there_are_enough_cases_and_ids_are_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 150 and len(ids) == len(set(ids))


@pytest.mark.server
@pytest.mark.parametrize("case", CASES, ids=[f"{c['_file']}:{c['id']}" for c in CASES])
def test_conversation(assistant, case):
    problems = run_case(assistant["url"], case)
    assert not problems, "\n".join(problems)
