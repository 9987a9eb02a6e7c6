"""Paragraph numbers of a press report (``报道第N段``), counted in its seed text by one rule.

The seeds were extracted from newspaper pages: a blank line is either a paragraph break or a
column/page break that can fall mid-sentence ("实施补" / "助，其中…"). The rule (README, "Press
reports' paragraph numbers"):

1. The report begins at the seed file's first heading line (``#``); heading lines are titles,
   not paragraphs.
2. Text between blank lines is a block. A block whose last character does not end a sentence
   (。！？；…, or a closing quotation mark or bracket) continues in the next block: its break is
   a page break, not a paragraph break.
3. The report ends with the paragraph that ends with its byline ("（…记者…）") or at the next
   heading, whichever comes first; later text belongs to another article.

So 003, whose breaks mostly fall between sentences, has seven paragraphs; 001, whose only
breaks fall mid-word, is one paragraph (its byline ends it).
"""

from __future__ import annotations

import functools
import pathlib
import re

from policy_kb.text.normalize import compact

CITATION = re.compile(r"^报道第(\d+)段$")
_SENTENCE_END = tuple("。！？；!?;…”’」』）)")
_BYLINE = re.compile(r"[（(][^（()）]*记者[^（()）]*[）)]$")


def _blocks(text: str) -> list[str | None]:
    """Blank-line separated blocks from the first heading on; None marks a heading line."""
    lines = text.splitlines()
    first = next((n for n, line in enumerate(lines) if line.lstrip().startswith("#")), None)
    blocks: list[str | None] = []
    current: list[str] = []
    for line in lines[first or 0 :]:
        if line.lstrip().startswith("#") or not line.strip():
            if current:
                blocks.append("".join(current))
                current = []
            if line.lstrip().startswith("#"):
                blocks.append(None)
            continue
        current.append(line.strip())
    if current:
        blocks.append("".join(current))
    return blocks


def paragraphs(text: str) -> list[str]:
    """The report's paragraphs (whitespace removed), first to last, by the rule above."""
    out: list[str] = []
    pending = ""
    body_started = False
    for block in _blocks(text):
        if block is None:
            if body_started:  # a heading after the body: the next article
                break
            continue
        body_started = True
        pending += compact(block)
        if pending.endswith(_SENTENCE_END):
            out.append(pending)
            pending = ""
            if _BYLINE.search(out[-1]):
                return out
    if pending:
        out.append(pending)
    return out


@functools.lru_cache(maxsize=32)
def seed_paragraphs(path: str) -> tuple[str, ...]:
    file = pathlib.Path(path)
    return tuple(paragraphs(file.read_text(encoding="utf-8"))) if file.is_file() else ()


def citation_problem(clause: str, quote: str, seed_path: str) -> str | None:
    """Why a ``报道第N段`` citation is wrong (the quote is not in paragraph N), or None."""
    match = CITATION.match(str(clause or "").strip())
    if not match:
        return None
    paras = seed_paragraphs(str(seed_path))
    if not paras:
        return None  # a missing seed is reported by the quote check
    number, quote = int(match.group(1)), compact(quote)
    if 1 <= number <= len(paras) and quote in paras[number - 1]:
        return None
    found = [n for n, para in enumerate(paras, 1) if quote in para]
    where = f"第{found[0]}段" if found else "no single paragraph of the report"
    return f"{clause} cites paragraph {number}, but the quote is in {where} ({len(paras)} in all)"
