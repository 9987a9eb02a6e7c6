"""What the staff console shows, as plain data: answers with their facts, tables, calculations.

Kept apart from the web layer (``console.py``) so that it can be tested without a server. The
knowledge base is the same one the action server reads, opened once in the Rasa process.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from policy_kb import calculate, calculate_household
from policy_kb.answering import render
from policy_kb.answering.briefing import briefing, fact_data
from policy_kb.answering.compose import compose
from policy_kb.answering.lookup import lookup
from policy_kb.answering.read_aloud import read_aloud
from policy_kb.answering.state import build_profile
from policy_kb.data import vocabulary
from policy_kb.data.kb import knowledge_base
from policy_kb.reading.household import parse_household
from policy_kb.reading.question import read_question
from policy_kb.rules.groups import GROUP_PROFILE
from policy_kb.text.dates import read_date
from policy_kb.text.normalize import cn_to_int

ERRORS = {
    "region": "请选择地区。",
    "scheme": "请选择险种：" + "或".join(s.name for s in vocabulary.schemes().values()) + "。",
    "age": "年龄请填0到120之间的整数。",
    "date": f"日期请写成{vocabulary.example_date()}这样的年月日。",
    "household": "没有读懂家庭成员，请按这样写：两个大人选一档，一个上小学的孩子。",
}


def regions() -> dict[str, Any]:
    kb = knowledge_base()
    return {
        "year": "、".join(map(str, kb.years)),
        "regions": [{"id": r, "name": name} for r, name in kb.regions.items()],
        "schemes": [kb.scheme_label(s) for s in kb.schemes],
        # the calculator's choices, medical first: most callers ask about medical cover
        "scheme_choices": [
            {"id": s.id, "name": s.name}
            for s in sorted(vocabulary.schemes().values(), key=lambda s: s.id != "medical")
        ],
        "keyword_example": vocabulary.keyword_examples()[0],
        "groups": list(GROUP_PROFILE),
    }


def region_id(value: Any) -> str | None:
    """A covered region's id from an id or any name residents use, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    place = knowledge_base().resolve_place(value)
    return place.region if place else None


def with_region(question: str, region: str | None) -> str:
    """The question as the assistant should read it: the chosen region named unless it is."""
    kb = knowledge_base()
    if region is None or kb.resolve_place(question):
        return question
    return f"{kb.region_name(region)} {question}"


@functools.lru_cache(maxsize=1)
def phone_numbers() -> tuple[str, ...]:
    """The hotline numbers of every region (the 朗读版 says them digit by digit)."""
    kb = knowledge_base()
    return tuple(
        {p for r in kb.regions for f in kb.hotlines(r) for p in (f.value or {}).get("phones", [])}
    )


def tables(region: str) -> list[dict[str, Any]]:
    return briefing(knowledge_base(), region)


def answer(
    question: str, messages: list[dict], fact_ids: list[str], region: str | None
) -> dict[str, Any]:
    """The console's reply: the assistant's words, the facts behind them, the region's tables.

    When the assistant's reply rests on no fact (it asked back, or the question was keywords
    only), a keyword lookup in the knowledge base supplies the facts, marked as such.
    """
    kb = knowledge_base()
    facts = [f for f in (kb.fact_by_id(i) for i in fact_ids) if f]
    basis = "answer"
    if not facts:
        found = lookup(kb, question)
        facts, basis = found.facts, "lookup"
    place = kb.resolve_place(question)
    shown = region or (place.region if place else None)
    if shown is None and facts and len({f.region for f in facts}) == 1:
        shown = facts[0].region
    replies = [
        {"text": m.get("text") or "", "buttons": [b.get("title") for b in m.get("buttons") or []]}
        for m in messages
    ]
    answer_text = "\n\n".join(r["text"] for r in replies if r["text"])
    return {
        "question": question,
        "replies": replies,
        "answer_text": answer_text,
        # to read aloud: no headers, no source lines, figures as they are said
        "spoken_text": read_aloud(answer_text, phone_numbers()),
        "facts": [fact_data(f, kb) for f in facts],
        "facts_basis": basis,
        "region": shown,
        "tables": tables(shown) if shown else [],
    }


def _date(value: Any) -> dt.date | None:
    """The console's form refuses a date it cannot read (``read_date``, the one reader)."""
    day = read_date(str(value), knowledge_base().default_year) if value not in (None, "") else None
    if isinstance(day, str):
        raise ValueError("date")
    return day


def calculate_case(form: dict) -> dict[str, Any]:
    """The calculator on the console's form; bad input → ``{"error": <a sentence>}``."""
    kb = knowledge_base()
    region = region_id(form.get("region"))
    if region is None:
        return {"error": ERRORS["region"]}
    try:
        birth, paid = _date(form.get("birth_date")), _date(form.get("payment_date"))
    except ValueError:
        return {"error": ERRORS["date"]}
    household_said = str(form.get("household") or "").strip()
    if household_said:
        tier = form.get("tier") or ""
        # read and summed member by member as the chat does ("我和爱人二档，闺女上高中")
        composed = compose(kb, read_question(kb, f"{region} {household_said} {tier} 医保 一共"))
        if composed is not None:
            return {
                "status": "need_more" if composed.missing else "ok",
                "text": composed.text,
                "personal_amount": None,
                "facts": [fact_data(f, kb) for f in composed.facts],
            }
        household = parse_household(household_said)
        if not household:
            return {"error": ERRORS["household"]}
        tier = form.get("tier") or None
        # each member from the one builder; adults without their own tier take the form's
        profiles = [
            build_profile(
                kb,
                region,
                "medical",
                age=m.get("age"),
                student=m.get("student"),
                tier=m.get("tier") or (tier if m.get("role") in ("adult", "elderly") else None),
            )
            for m in household
        ]
        result = calculate_household(kb, region, profiles, scheme="medical")
        text = render.household_text(household, result)
    else:
        scheme = vocabulary.scheme_id(str(form.get("scheme") or ""))
        if scheme is None:
            return {"error": ERRORS["scheme"]}
        age = None
        if str(form.get("age") or "").strip():
            age = cn_to_int(str(form["age"]))
            if age is None or not 0 <= age <= 120:
                return {"error": ERRORS["age"]}
        profile = build_profile(
            kb,
            region,
            scheme,
            age=age,
            group=str(form.get("group") or ""),
            tier=form.get("tier") or None,
            birth_date=birth,
            payment_date=paid,
        )
        result = calculate(kb, profile)
        text = render.result_text(result)
    return {
        "status": result.status,
        "text": text,
        "personal_amount": result.personal_amount,
        "facts": [fact_data(f, kb) for f in result.facts],
    }
