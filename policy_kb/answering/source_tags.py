"""Short source tags: a rendered answer's 来源 lines read back into documents and clauses.

Every answer ends its paragraphs with 来源 lines naming full document titles (kb.source_line).
A phone screen has no room for them in every bubble, so a channel shows a short tag
("山亭方案 五（一）", the document's ``short`` name from its source file) and opens the full
title, clause and quoted sentences on demand. The lines are parsed with the knowledge base's
own titles and clauses, so a clause with a "、" in it (三、1) is never cut in two, and a line
naming a title the KB does not know stays in the text as it was (no source is ever dropped).
"""

from __future__ import annotations

import dataclasses
import re

from policy_kb.data.kb import KnowledgeBase

SOURCE_PREFIX = "来源："
_TITLED = re.compile(r"《(?P<title>[^《》]+)》(?P<clauses>[^《》；]*)")


@dataclasses.dataclass(frozen=True)
class SourceRef:
    """One cited clause of one document, with the sentences the answer quotes from it."""

    short: str
    title: str
    clause: str
    quotes: tuple[str, ...]

    @property
    def tag(self) -> str:
        """山亭方案 五（一）"""
        return f"{self.short} {self.clause}".strip()

    def as_dict(self) -> dict:
        return {
            "tag": self.tag,
            "title": self.title,
            "clause": self.clause,
            "quotes": list(self.quotes),
        }


def split_sources(text: str, kb: KnowledgeBase) -> tuple[str, list[SourceRef]]:
    """(the text without its 来源 lines, the clauses they cite in order, each once)."""
    kept, refs = [], []
    for line in text.split("\n"):
        parsed = _parse_line(line, kb, text) if line.startswith(SOURCE_PREFIX) else None
        if parsed is None:
            kept.append(line)
        else:
            refs += [r for r in parsed if r not in refs]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return body, refs


def tag_line(refs: list[SourceRef]) -> str:
    """来源：山亭方案 四、五（一）；威海通告 一 — the tags of one reply, document by document."""
    by_short: dict[str, list[str]] = {}
    for ref in refs:
        by_short.setdefault(ref.short, []).append(ref.clause)
    return SOURCE_PREFIX + "；".join(f"{s} {'、'.join(c)}" for s, c in by_short.items())


def _parse_line(line: str, kb: KnowledgeBase, text: str) -> list[SourceRef] | None:
    """The clauses of one 来源 line, or None when it names a title the KB does not know."""
    shorts, cited = kb.short_names(), _citing_facts(kb)
    refs = []
    for match in _TITLED.finditer(line.removeprefix(SOURCE_PREFIX)):
        title = match["title"]
        if title not in shorts:
            return None
        known = sorted({c for t, c in cited if t == title}, key=len, reverse=True)
        for clause in _clauses(match["clauses"], known):
            quotes = _quotes(cited.get((title, clause), []), text)
            refs.append(SourceRef(shorts[title], title, clause, quotes))
    return refs or None


def _clauses(listed: str, known: list[str]) -> list[str]:
    """ "三、1、五（一）" → ["三、1", "五（一）"]: the longest known clause first at each place."""
    out, rest = [], listed.strip()
    while rest:
        clause = next((c for c in known if rest.startswith(c)), rest.split("、")[0])
        out.append(clause)
        rest = rest[len(clause) :].removeprefix("、")
    return out


def _quotes(citing: list[tuple[str, str]], text: str) -> tuple[str, ...]:
    """The sentences quoted by the facts this text renders (their answer is in it), each once;
    all the clause's quoted sentences when the text words its answer otherwise."""
    chosen = [quote for answer, quote in citing if answer in text] or [q for _, q in citing]
    return tuple(dict.fromkeys(chosen))


def _citing_facts(kb: KnowledgeBase) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(title, clause) → (answer, quote) of every fact citing it; read once per KB."""
    cached = getattr(kb, "_citing_facts", None)
    if cached is None:
        cached = {}
        for fact in kb.all_facts():
            for cite in fact.citations:
                cached.setdefault((cite.title, cite.clause), []).append((fact.answer, cite.quote))
        kb._citing_facts = cached
    return cached
