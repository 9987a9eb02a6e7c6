"""The blind conversation sets (tests/blind): well-formed, split by rule, and above their floors.

Written from the documents alone by writers who never saw the code (docs/testing.md). Their
rates are measured, not tuned to: `make blind` prints them; this test only keeps them from
falling below the floors recorded in tests/blind/floors.yml when they were measured. A failure
here says a rate, never which locked case failed.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.tools.blind import BLIND, PARTS, batches, part_cases, rates, split

BATCHES = batches()
FLOORS = yaml.safe_load((BLIND / "floors.yml").read_text(encoding="utf-8"))


def all_cases(batch):
    return [c for part in PARTS for c in part_cases(batch, part)]


def test_there_is_a_blind_batch_with_a_locked_part():
    assert BATCHES and all(part_cases(b, "locked") for b in BATCHES)


@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: b.name)
def test_each_batch_is_split_by_the_hash_rule_not_by_hand(batch):
    dev, locked = split([c["id"] for c in all_cases(batch)])
    assert {c["id"] for c in part_cases(batch, "locked")} == locked
    assert {c["id"] for c in part_cases(batch, "dev")} == dev
    assert len(locked) >= 0.4 * (len(dev) + len(locked))


@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: b.name)
def test_each_case_has_a_unique_id_turns_and_patterns_that_compile(batch):
    cases = all_cases(batch)
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert case.get("turns"), case["id"]
        for turn in case["turns"]:
            assert str(turn.get("user", "")).strip(), case["id"]
            for key in ("must", "must_not", "any"):
                for pattern in turn.get(key) or []:
                    re.compile(pattern)


def test_every_part_has_a_recorded_floor():
    assert {(b.name, p) for b in BATCHES for p in PARTS} <= {
        (batch, part) for batch, parts in FLOORS.items() for part in parts
    }


@pytest.mark.server
def test_blind_rates_stay_at_or_above_their_floors(assistant):
    below = []
    for (batch, part), result in rates(assistant["url"]).items():
        rate = result["passed"] / result["total"]
        if rate < FLOORS[batch][part]:
            below.append(f"{batch} {part}: {rate:.3f} < {FLOORS[batch][part]}")
    # rates only: a locked part's failures are not to be read
    assert not below, below
