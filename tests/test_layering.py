"""The rooms of the architecture: who may import whom (read from the code's import statements)."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def imported(path: pathlib.Path) -> set[str]:
    """The top-level packages a module imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


RULES = [
    # the policy is a plain library: no Rasa, no assistant code
    ("policy_kb", {"rasa", "rasa_sdk", "actions", "bot", "policy_team"}),
    # channels, components and the launchers render policy_kb, never the actions' adapters
    # (the staff console serves the policy team's review, so bot may use policy_team)
    ("bot", {"actions"}),
    # the policy team's commands work over policy_kb and the data, not the assistant's code
    ("policy_team", {"actions"}),
    # the actions adapt the tracker to policy_kb; channels are not theirs to call
    ("actions", {"bot", "policy_team"}),
]


@pytest.mark.parametrize(
    "path, forbidden",
    [(p, forbidden) for folder, forbidden in RULES for p in sorted((ROOT / folder).rglob("*.py"))],
    ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, pathlib.Path) else "",
)
def test_each_room_imports_only_what_it_may(path, forbidden):
    assert imported(path) & forbidden == set()
