"""Questions about the documents themselves (issue 18 item 6).

"山政办发〔2023〕10号是哪个单位发的 啥时候发的" → the document, its number, issuer and date, the
offices it names for questions, and the one policy year it covers; from the knowledge base's
documents table (each row is its own citation) and the region's hotline facts.
"""

from __future__ import annotations

import re

from policy_kb.answering.answers import Answer
from policy_kb.answering.render import hotline_summary
from policy_kb.data.kb import KnowledgeBase
from policy_kb.reading.question import Question, words
from policy_kb.text.dates import cn_date, parse_date, read_date

# a document's number as its title gives it: "（山政办发〔2023〕10号）", "（2023年第1号）"
_NUMBER = re.compile(r"（([^（）]*?号)）")


def _loose(text: str) -> str:
    """Brackets and spaces dropped: "山政办发[2023]10号" finds "山政办发〔2023〕10号"."""
    return re.sub(r"[\s〔〕\[\]【】()（）]", "", text)


def number(document: dict) -> str | None:
    found = _NUMBER.search(document["title"])
    return found.group(1) if found else None


def _named(kb: KnowledgeBase, text: str) -> list[dict]:
    """The documents whose number the message names."""
    loose = _loose(text)
    found = []
    for region in kb.regions:
        for document in kb.documents(region):
            key = number(document)
            if key and (_loose(key) in loose or _loose(key).split("发")[-1] in loose):
                found.append(document)
    return found


def names_document(kb: KnowledgeBase, text: str) -> bool:
    """Whether a message names a document by its number (its year is no policy year)."""
    return bool(_named(kb, text))


def _noun_asked(text: str) -> bool:
    """ "那个通告是哪几个部门发的", "那个报道是哪天的": a document named by what it is, and asked
    who issued it or when."""
    vocabulary = words()
    return any(w in text for w in vocabulary["document_nouns"]) and any(
        w in text for w in vocabulary["document_noun_questions"]
    )


def asked(kb: KnowledgeBase, question: Question) -> bool:
    return (
        bool(_named(kb, question.text))
        or any(w in question.text for w in words()["document_questions"])
        or _noun_asked(question.text)
    )


def _of_kind(documents: list[dict], text: str) -> list[dict]:
    """The documents of the kind the message names ("报道": the newspapers' reports), else all."""
    kinds = words()["document_kinds"]
    marks = [m for noun, titled in kinds.items() if noun in text for m in titled]
    return [d for d in documents if any(m in d["title"] for m in marks)] or documents


def _dated(documents: list[dict], text: str, year: int, fallback=True) -> list[dict]:
    """The documents issued on a day the message names ("2023年8月29日那个通告"), else all."""
    days = {parse_date(d["date"]) for d in documents}
    said = set()
    for clause in re.split(r"[，,。；;！!？?\s]+", text):
        day = read_date(clause, year) if clause else None
        if day in days:
            said.add(day)
    found = [d for d in documents if parse_date(d["date"]) in said]
    return found or (documents if fallback else [])


def _document_text(kb: KnowledgeBase, document: dict) -> str:
    day = parse_date(document["date"])
    lines = [f"《{document['title']}》"]
    if number(document):
        lines.append(f"文号：{number(document)}")
    lines.append(f"发布单位：{document['issuer']}")
    if day:
        lines.append(f"发布日期：{cn_date(day)}")
    return "\n".join(lines)


def answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """Which document, its number, issuer and date, the offices it names, the year it covers."""
    if not asked(kb, question):
        return None
    named = _named(kb, question.text)
    regions = list(dict.fromkeys(d["region"] for d in named)) or question.regions
    regions = regions or list(kb.regions)
    # "二零二三年八月二十九号那个通告": the regions whose document was issued that day
    dated = [r for r in regions if _dated(kb.documents(r), question.text, kb.year_for(r) - 1, None)]
    regions = dated or regions
    blocks = []
    for region in regions:
        year = kb.year_for(region)
        documents = [d for d in named if d["region"] == region] or kb.documents(region)
        documents = _dated(_of_kind(documents, question.text), question.text, year - 1)
        head = f"【{kb.region_name(region)} {year}年度 依据的文件】"
        texts = "\n\n".join(_document_text(kb, d) for d in documents)
        scope = f"适用年度：这些文件只管{year}年度的缴费；其他年度以当年发布的文件为准。"
        if any(w in question.text for w in words()["document_validity"]) or question.other_year:
            scope = f"适用年度：只管{year}年度，不适用于其他年度；其他年度请以当年发布的文件为准。"
        blocks.append("\n".join([head, texts, scope, hotline_summary(kb, region)]))
    return Answer("\n\n".join(blocks), [f for r in regions for f in kb.hotlines(r)])
