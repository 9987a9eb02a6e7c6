"""The rooms of the architecture: who may import whom (read from the code's import statements)."""

from __future__ import annotations

import ast
import pathlib

import pytest

from tests.tools import import_graph

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
    ("policy_team", {"actions", "bot"}),
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


GRAPH = import_graph.graph(ROOT)


def test_no_module_imports_itself_back_through_a_circle():
    assert import_graph.circles(GRAPH) == []


def test_no_module_imports_a_package_or_a_policy_kb_layer_above_its_own():
    assert import_graph.upward(GRAPH) == []


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("policy_kb.")))
def test_each_policy_kb_module_sits_in_a_layer_or_is_the_cli(module):
    parts = module.split(".")
    assert parts[1] in import_graph.POLICY_KB_LAYERS or parts[1:] == ["cli"]


def _package(root: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# (files of a made-up project, what the checker must say about them)
BROKEN_PROJECTS = [
    (  # a circle hidden inside a function, as policy_team's were
        {
            "policy_kb/__init__.py": "",
            "policy_kb/data/__init__.py": "",
            "policy_kb/data/a.py": "def f():\n    from policy_kb.data import b\n",
            "policy_kb/data/b.py": "from policy_kb.data.a import f\n",
        },
        {"circles": [["policy_kb.data.a", "policy_kb.data.b"]], "upward": []},
    ),
    (  # the text layer reading the answering layer
        {
            "policy_kb/__init__.py": "",
            "policy_kb/text/__init__.py": "",
            "policy_kb/text/tokens.py": "from policy_kb.answering import compose\n",
            "policy_kb/answering/__init__.py": "",
            "policy_kb/answering/compose.py": "",
        },
        {"circles": [], "upward": [("policy_kb.text.tokens", "policy_kb.answering.compose")]},
    ),
    (  # the library importing the assistant
        {
            "policy_kb/__init__.py": "",
            "policy_kb/rules/__init__.py": "",
            "policy_kb/rules/calc.py": "import bot.channels.chat_page\n",
            "bot/__init__.py": "",
            "bot/channels/__init__.py": "",
            "bot/channels/chat_page.py": "from policy_kb.rules import calc\n",
        },
        {
            "circles": [["bot.channels.chat_page", "policy_kb.rules.calc"]],
            "upward": [("policy_kb.rules.calc", "bot.channels.chat_page")],
        },
    ),
]


@pytest.mark.parametrize("files, expected", BROKEN_PROJECTS, ids=["circle", "layer", "package"])
def test_the_checker_finds_a_circle_or_an_upward_import_added_on_purpose(tmp_path, files, expected):
    edges = import_graph.graph(_package(tmp_path, files))
    assert import_graph.circles(edges) == expected["circles"]
    assert import_graph.upward(edges) == expected["upward"]


def test_the_checker_passes_a_project_that_imports_only_downward(tmp_path):
    edges = import_graph.graph(
        _package(
            tmp_path,
            {
                "policy_kb/__init__.py": "from policy_kb.answering.compose import compose\n",
                "policy_kb/text/__init__.py": "",
                "policy_kb/text/tokens.py": "import re\n",
                "policy_kb/answering/__init__.py": "",
                "policy_kb/answering/compose.py": "from policy_kb.text import tokens\n",
                "bot/__init__.py": "",
                "bot/channels.py": "from policy_kb import compose\n",
            },
        )
    )
    assert edges["policy_kb.answering.compose"] == {"policy_kb.text.tokens"}
    assert import_graph.circles(edges) == [] and import_graph.upward(edges) == []


def test_the_architecture_page_shows_the_diagram_the_code_draws():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{import_graph.mermaid(GRAPH)}\n```" in page
