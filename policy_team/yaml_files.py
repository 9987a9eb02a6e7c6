"""Reading and writing the team's YAML files with ruamel.yaml's round-trip mode.

Every command that edits a file loads it here and dumps it back here, so the comments and
blank lines the team wrote, the order of keys, flow lists like ``[300, 500]`` and quotes like
``version: "3.1"`` survive, and a value containing ": " or " #" is quoted instead of breaking
the file. The layout of sequences is each file's own: ``policy_kb/sources`` and ``bot/`` indent
their items ("  - id:"), Rasa's NLU files do not ("- intent:").
"""

from __future__ import annotations

import dataclasses
import io
import os
import pathlib
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

# no folding: a Chinese answer is one long line and must stay one line
WIDTH = 10_000
# the first block-sequence item under a key: how far its dash is indented from the key
_ITEM_UNDER_KEY = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*\n(?:[ \t]*(?:#[^\n]*)?\n)*( *)- ", re.M)


@dataclasses.dataclass(frozen=True)
class Style:
    """ruamel's indents: ``mapping`` for keys, ``offset`` of the dash, ``sequence`` of items."""

    mapping: int
    sequence: int
    offset: int


# "  - id:" under "documents:": policy_kb/sources, bot/domain, bot/data
INDENTED = Style(mapping=2, sequence=4, offset=2)
# "- intent:" under "nlu:": nlu_data, as Rasa writes it
FLUSH = Style(mapping=2, sequence=2, offset=0)


def style_of(text: str, default: Style = INDENTED) -> Style:
    """The sequence layout ``text`` already uses, else ``default`` (an empty or new file)."""
    match = _ITEM_UNDER_KEY.search(text)
    if not match:
        return default
    offset = len(match.group(2)) - len(match.group(1))
    return Style(mapping=2, sequence=offset + 2, offset=offset)


class _Representer(RoundTripRepresenter):
    """ruamel's own, but a None is "null" as the files spell it, not an empty value. A
    subclass: add_representer on ruamel's class would change how Rasa writes YAML too."""


_Representer.add_representer(
    type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
)


def _yaml(style: Style = INDENTED) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.allow_unicode = True
    yaml.width = WIDTH
    yaml.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    return yaml


def loads(text: str) -> Any:
    return _yaml().load(text)


def load(path: str | os.PathLike) -> Any:
    return loads(pathlib.Path(path).read_text(encoding="utf-8"))


def dumps(data: Any, style: Style = INDENTED) -> str:
    out = io.StringIO()
    _yaml(style).dump(data, out)
    return out.getvalue()


def dump(data: Any, path: str | os.PathLike, default: Style = INDENTED) -> None:
    """Writes ``data`` to ``path`` in the layout the file already has (``default`` if new)."""
    path = pathlib.Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(dumps(data, style_of(old, default)), encoding="utf-8")


def quoted(text: str) -> DoubleQuotedScalarString:
    """A string written in double quotes, e.g. Rasa's ``version: "3.1"``."""
    return DoubleQuotedScalarString(text)


def flow(items: list) -> CommentedSeq:
    """A list written on one line, like the files' keyword lists: ``[缴费凭证, 缴费证明]``."""
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def examples_block(texts: list[str], before: str = "") -> LiteralScalarString:
    """Rasa's ``examples: |`` block: ``before`` (an existing block, kept as written) followed
    by one "- text" line per text."""
    head = str(before).rstrip("\n")
    lines = ([head] if head else []) + [f"- {text}" for text in texts]
    return LiteralScalarString("\n".join(lines) + "\n")


def set_comment_before(seq: CommentedSeq, index: int, comment: str, indent: int) -> None:
    """Puts ``# comment``, after a blank line, above item ``index`` of ``seq``."""
    seq.yaml_set_comment_before_after_key(index, before="\n" + comment, indent=indent)


def insert_first(parent: CommentedMap, key: str, item: Any) -> None:
    """Inserts ``item`` at the start of the list ``parent[key]``, below the comment lines that
    led the list: they are about its first item, which stays right under them."""
    seq = parent[key]
    lead = _take_lead_comment(parent, key)
    seq.insert(0, item)
    if lead:
        entry = seq.ca.items.setdefault(1, [None, None, None, None])
        entry[1] = lead + (entry[1] or [])


def _take_lead_comment(parent: CommentedMap, key: str) -> list:
    """Removes and returns the comment lines between ``key:`` and its first item (ruamel keeps
    them both on the key and on the list)."""
    seq = parent[key]
    lead = []
    if seq.ca.comment and seq.ca.comment[1]:
        lead = seq.ca.comment[1]
        seq.ca.comment[1] = []
    entry = parent.ca.items.get(key)
    if entry and entry[3]:
        lead = lead or entry[3]
        entry[3] = None
    return lead


def replace(parent: CommentedMap, key: str, value: Any) -> None:
    """``parent[key] = value``, keeping the blank lines and comments that followed the old
    value (ruamel hangs them on the old value's last scalar, which is going away)."""
    trailing = _take_trailing(parent[key])
    parent[key] = value
    if trailing is not None and isinstance(value, (CommentedMap, CommentedSeq)) and len(value):
        _set_trailing(value, trailing)


def _last(node: CommentedBase) -> tuple[CommentedBase, Any]:
    """The innermost collection holding the node's last scalar, and that scalar's key."""
    key = list(node.keys())[-1] if isinstance(node, dict) else len(node) - 1
    child = node[key]
    if isinstance(child, (CommentedMap, CommentedSeq)) and len(child):
        return _last(child)
    return node, key


def _take_trailing(node: Any) -> Any:
    """Removes and returns the comment token after the node's last scalar, if any."""
    if not isinstance(node, (CommentedMap, CommentedSeq)) or not len(node):
        return None
    holder, key = _last(node)
    slot = 2 if isinstance(holder, dict) else 0  # where ruamel keeps a scalar's end comment
    entry = holder.ca.items.get(key)
    token = entry[slot] if entry else None
    if token is not None:
        entry[slot] = None
    return token


def _set_trailing(node: CommentedBase, token: Any) -> None:
    holder, key = _last(node)
    slot = 2 if isinstance(holder, dict) else 0
    holder.ca.items.setdefault(key, [None, None, None, None])[slot] = token
