"""The import graph of the project's packages, read from the code: circles and upward imports.

Every import statement counts, also one inside a function (that is how a circle hides).
``python -m tests.tools.import_graph`` prints the problems (exit 1 when there are any);
``--mermaid`` prints the graph of policy_kb's layers and the packages above them, the diagram of
docs/architecture.md.
"""

from __future__ import annotations

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
PACKAGES = ("policy_kb", "policy_team", "actions", "bot")
# Bottom to top: a package imports only packages before it (actions and bot are both on top of
# policy_kb; bot's staff console serves policy_team's review; neither of the two imports the
# other).
PACKAGE_BELOW = {
    "policy_kb": set(),
    "policy_team": {"policy_kb"},
    "actions": {"policy_kb"},
    "bot": {"policy_kb", "policy_team"},
}
# policy_kb's layers, bottom to top; a module outside them (cli, __init__) is the top.
POLICY_KB_LAYERS = ("text", "data", "rules", "reading", "answering")


def modules(root: pathlib.Path, packages=PACKAGES) -> dict[str, pathlib.Path]:
    """Each module's dotted name and its file, for the packages under ``root``."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    """The absolute module name of a (possibly relative) ``from ... import``."""
    if not node.level:
        return node.module or ""
    base = name.split(".") if is_package else name.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(name: str, path: pathlib.Path, known: dict) -> set[str]:
    """The project modules one module imports (``from a import b`` counts a.b when b is one)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, name, path.name == "__init__.py")
            targets = [
                f"{module}.{a.name}" if f"{module}.{a.name}" in known else module
                for a in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:  # import a.b.c of a non-module: its package
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph(root: pathlib.Path = ROOT, packages=PACKAGES) -> dict[str, set[str]]:
    known = modules(root, packages)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: each strongly connected group of two or more modules (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer(name: str, layers=POLICY_KB_LAYERS) -> int:
    """A policy_kb module's floor: its layer's position, or the top for cli and __init__."""
    parts = name.split(".")
    if len(parts) > 1 and parts[1] in layers:
        return layers.index(parts[1])
    return len(layers)


def upward(edges: dict[str, set[str]], below=PACKAGE_BELOW, layers=POLICY_KB_LAYERS) -> list:
    """Each import of a package not below the importer's, or of a higher policy_kb layer."""
    found = []
    for name, targets in sorted(edges.items()):
        package = name.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            if other != package and other not in below.get(package, set()):
                found.append((name, target))
            elif other == package == "policy_kb" and layer(target, layers) > layer(name, layers):
                found.append((name, target))
    return found


def _box(name: str) -> str:
    """The diagram's box for a module: policy_kb's layer (or its API, its CLI), bot's
    sub-package, or the package."""
    parts = name.split(".")
    if parts[0] == "policy_kb":
        if len(parts) > 1 and parts[1] in POLICY_KB_LAYERS:
            return parts[1]
        return "cli" if parts[1:] == ["cli"] else "api"
    if parts[0] == "bot" and len(parts) > 2:
        return f"bot_{parts[1]}"
    return parts[0]


def mermaid(edges: dict[str, set[str]]) -> str:
    """The packages and policy_kb's layers, each arrow an import seen in the code; an arrow
    into policy_kb from outside points at the library as a whole."""
    arrows = set()
    for name, targets in edges.items():
        for target in targets:
            inside = name.startswith("policy_kb")
            box = _box(target) if inside or not target.startswith("policy_kb") else "policy_kb"
            if _box(name) != box:
                arrows.add((_box(name), box))
    layers = "\n".join(f"        {layer}" for layer in ("cli", "api", *POLICY_KB_LAYERS[::-1]))
    lines = ["flowchart TD", '    subgraph policy_kb["policy_kb (no Rasa)"]', layers, "    end"]
    lines += [f"    {a} --> {b}" for a, b in sorted(arrows)]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    edges = graph()
    if argv[1:] == ["--mermaid"]:
        print(mermaid(edges))
        return 0
    problems = [" ↔ ".join(c) for c in circles(edges)]
    problems += [f"{a} imports {b} (upward)" for a, b in upward(edges)]
    print("\n".join(problems) or "no circle, no upward import")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
