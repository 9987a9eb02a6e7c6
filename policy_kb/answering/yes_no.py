"""Yes/no questions about a payment channel, answered yes or no first.

"青岛医保能银行代扣吗" → 不能 (the bank batch deduction is named for pension only);
"山亭能用微信交吗" → 可以. The answer is yes only when a fact of the region names the channel
for the scheme asked; no when the region names it only for the other scheme; otherwise the
documents' silence is said as silence, with the channels they do name and where to ask.
"""

from __future__ import annotations

import datetime as dt
import re

from policy_kb.answering.answers import Answer, heading, unique
from policy_kb.answering.render import NOT_STATED_PHRASE, hotline_summary, result_text
from policy_kb.data.kb import Fact, KnowledgeBase, source_line
from policy_kb.reading.household import describe_member
from policy_kb.reading.question import Question, words
from policy_kb.rules.calculator import calculate
from policy_kb.rules.profile import build_profile
from policy_kb.text.dates import cn_date


def _naming_facts(kb: KnowledgeBase, region: str, channel: dict) -> list[Fact]:
    """The region's facts that name the channel (in a payment-channel fact or its question)."""
    topics = channel.get("topics") or words()["channel_topics"]
    found = []
    for fact in kb.facts(region):
        if fact.status == "not_stated":
            continue
        about = fact.topic in topics or any(w in fact.question for w in channel["evidence"])
        text = fact.answer + "".join(c.quote for c in fact.citations)
        if about and any(w.lower() in text.lower() for w in channel["evidence"]):
            found.append(fact)
    return found


# a fact written as the answer to its own yes/no question ("会。集中缴费期完成后…") keeps its
# verdict only when it is said alone: joined after this answer's verdict it is a stray fragment
_OWN_VERDICT = re.compile(r"^(?:可以|不可以|能|不能|会|不会|是|不是|需要|不需要|不用)[。，]")


def _joined(facts: list) -> str:
    return "".join(_OWN_VERDICT.sub("", f.answer, count=1) for f in facts)


def _region_answer(kb: KnowledgeBase, region: str, scheme: str | None, channel: dict):
    label = channel["label"]
    naming = _naming_facts(kb, region, channel)
    fits = [f for f in naming if scheme is None or f.scheme in (scheme, "both")]
    refused = [f for f in fits if any(w in f.answer for w in channel.get("no_evidence", []))]
    if refused:
        hedge = "原则上" if any("原则上" in f.answer for f in refused) else ""
        return f"{hedge}不能。" + _joined(refused), refused
    if fits:
        return "可以。" + _joined(fits), fits
    if naming and not any("不能" in f.answer for f in naming):
        # named for the other scheme only, without a "cannot": that is silence, not a no
        other, asked = kb.scheme_label(naming[0].scheme), kb.scheme_label(scheme)
        text = f"文件只写了{other}的{label}，没有写{asked}能不能，我不能替文件下结论。"
        text += _joined(naming)
        return text + "\n" + hotline_summary(kb, region), naming
    if naming:
        other = kb.scheme_label(naming[0].scheme)
        asked = kb.scheme_label(scheme)
        ways = [
            f
            for f in kb.facts(region, topic="channels")
            if f.scheme in (scheme, "both") and not f.answer.startswith("可以")
        ]
        text = f"不能。文件写的{label}只用于{other}，{asked}不在其中。" + _joined(naming)
        if ways:
            text += f"\n{asked}可以这样交：" + _joined(ways)
        return text, naming + ways
    if "topics" in channel:  # a rule, not a channel: where to ask about it
        text = f"{kb.region_name(region)}的文件没有写明{label}的规定，我不能替文件下结论。"
        return text + "\n" + hotline_summary(kb, region), []
    ways = kb.facts(region, topic="channels")
    text = f"{kb.region_name(region)}的文件没有写明能否用{label}缴费，我不能替文件下结论。"
    if ways:
        text += "文件写明的缴费方式：" + _joined(ways)
    text += "\n" + hotline_summary(kb, region, ("payment",))
    return text, ways


def channel_answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """可以 / 不能 / the documents do not say — for each region asked about."""
    if not question.wants("yes_no") or not question.channel or not question.regions:
        return None
    blocks, facts = [], []
    for region in question.regions:
        text, used = _region_answer(kb, region, question.scheme, question.channel)
        facts += used
        source = source_line(used) if used else ""
        blocks.append(
            "\n".join(t for t in (heading(kb, region, question.scheme) + text, source) if t)
        )
    return Answer("\n\n".join(blocks), unique(facts))


# ---------------------------------------------------------------------- computed yes/no
_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})(?:日|号)?")


def _days(text: str, year: int) -> list[dt.date]:
    """The dates a message names; a date without a year takes the previous one's (else the
    policy year)."""
    found = []
    for match in _DAY.finditer(text):
        year = int(match.group(1)) if match.group(1) else year
        try:
            found.append(dt.date(year, int(match.group(2)), int(match.group(3))))
        except ValueError:
            continue
    return found


def cover_answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """ "6月18号补交的 8月5号住院了 能报不" → 能/不能 first, from the computed start of cover."""
    event = next((w for w in words()["cover_events"] if w in question.text), None)
    if len(question.regions) != 1 or not question.wants("yes_no") or not event:
        return None
    event = "住院" if "院" in event else event  # "住的院", "进医院": said as 住院
    region = question.regions[0]
    days = _days(question.text, kb.year_for(region) or dt.date.today().year)
    if len(days) < 2:
        return None
    paid, happened = days[0], days[-1]
    result = calculate(kb, build_profile(kb, region, "medical", payment_date=paid))
    start = result.benefit_start
    if not start:
        return None
    if happened >= start:
        lead = f"能。{cn_date(happened)}{event}时已在待遇享受期内（{cn_date(start)}起）。"
        lead += "具体能报多少，缴费文件没有写，请向医保部门咨询。"
    else:
        lead = f"不能。按您说的日期，{cn_date(start)}才开始享受待遇，{cn_date(happened)}{event}时还在等待期内。"
    reasons = [line for line in result.reasoning if "享受" in line]
    text = heading(kb, region, "medical") + lead + "\n" + "\n".join(reasons)
    return Answer(text + "\n" + source_line(result.facts), list(result.facts))


# what about a person decides their share: said of them, they can be computed
_DECIDING = ("age", "stage", "group", "disability_grade")


def _one_person(question: Question) -> dict | None:
    """The one person a yes/no is about, when something said of them decides their share.
    "还用自己交吗": the 自己 there is the person asked about, not one more member."""
    named = [m for m in question.members if not (m["role"] == "self" and len(m) == 2)]
    people = [m for m in named if any(m.get(k) is not None for k in _DECIDING)]
    return people[0] if len(people) == 1 and len(named) == 1 else None


def person_result(kb: KnowledgeBase, question: Question, person: dict, scheme: str):
    """The calculator's result for one person read from the message (age, stage, group)."""
    stage = person.get("stage")
    profile = build_profile(
        kb,
        question.regions[0],
        scheme,
        age=person.get("age"),
        group="新生儿" if stage == "newborn" else None,
        student="school" if stage == "newborn" else stage,
        hardship=person.get("group"),
        disability_grade=person.get("disability_grade"),
        tier=person.get("tier") or (question.med_tiers[0] if question.med_tiers else None),
    )
    return calculate(kb, profile)


def _people(question: Question) -> list[dict]:
    """Everyone a yes/no is about whose share something said of them decides (the bare 自己
    of "还用自己交吗" is the person asked about, not one more)."""
    named = [m for m in question.members if not (m["role"] == "self" and len(m) == 2)]
    people = [m for m in named if any(m.get(k) is not None for k in _DECIDING)]
    return people if len(people) == len(named) else []


def _group_silence(kb: KnowledgeBase, region: str, scheme: str, person: dict) -> str:
    """A person said to be in a group whose share still needs a tier: the group is not among
    those the documents have the government pay for, or the documents name none at all."""
    fact = kb.fact(region, f"{scheme}.government_pays")
    label = kb.scheme_label(scheme)
    if fact is None or fact.status == "not_stated":
        return (
            f"{kb.region_name(region)}的文件没有写{label}个人缴费由政府代缴的对象，"
            f"{describe_member(person)}要不要自己交，{NOT_STATED_PHRASE}。"
        )
    return (
        f"{describe_member(person)}不在{kb.region_name(region)}文件列出的{label}政府代缴对象里，"
        f"要按档次自己交。文件写的是：{fact.answer}"
    )


def _share(result) -> str:
    """ "个人缴费0元（政府承担380元）", or what is still open."""
    if result.status != "ok" or result.personal_amount is None:
        return "".join(result.reasoning)
    why = "".join(line for line in result.reasoning if "政府" in line)  # the rule that applies
    return why or f"个人缴费{result.personal_amount}元"


def must_pay_answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """ "俺娘72了 还用自己交吗", "爸妈都是低保 养老用自己交不", "政府给代缴不" → 不用 / 要交
    first, from each person's computed personal share."""
    asked = question.wants("must_pay") or any(w in question.text for w in words()["must_pay_more"])
    people = _people(question)
    if len(question.regions) != 1 or not asked or not people:
        return None
    region, scheme = question.regions[0], question.scheme or "medical"
    results = [person_result(kb, question, p, scheme) for p in people]
    leads = []
    for person, result in zip(people, results):
        if result.status == "ok" and result.personal_amount is not None:
            share = result.personal_amount
            leads.append("不用自己交" if share == 0 else f"要交，个人缴费{share}元")
        elif result.status == "need_more" and (
            person.get("group") or person.get("disability_grade")
        ):
            leads.append(_group_silence(kb, region, scheme, person))
        else:
            return None
    facts = unique([f for r in results for f in r.facts])
    if len(people) == 1:
        lead = leads[0] if leads[0].endswith("。") else leads[0] + "。"
        if results[0].status == "ok":
            return Answer(lead + "\n" + result_text(results[0]), facts)  # it ends with its source
        body = "\n".join(results[0].reasoning) + "\n" + hotline_summary(kb, region)
        return Answer(lead + "\n" + body + "\n" + source_line(facts), facts)
    if len(set(leads)) == 1 and not leads[0].endswith("。"):
        text = f"都{leads[0]}。"  # "爸妈都是低保": one answer for both
    else:
        text = "\n".join(f"· {describe_member(p)}：{lead}" for p, lead in zip(people, leads))
    lines = [f"· {describe_member(p)}：{_share(r)}" for p, r in zip(people, results)]
    body = heading(kb, region, scheme) + "\n" + "\n".join(lines)
    return Answer(text + "\n" + body + "\n" + source_line(facts), facts)


def tier_answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """ "山亭养老能交100的不" → 不能 first where the tier is reserved for a group."""
    if len(question.regions) != 1 or not question.wants("yes_no") or len(question.amounts) != 1:
        return None
    if question.scheme == "medical" or question.channel or question.last_year_choice:
        return None  # last year's tier asked about this year: one_region.last_year_tier
    if not any(re.search(p, question.text) for p in words()["tier_choice"]):
        return None  # "交100元档有补贴吗" asks the subsidy, not whether 100 may be chosen
    region, amount = question.regions[0], question.amounts[0]
    fact = kb.fact(region, "pension.tiers")
    value = (fact.value or {}) if fact else {}
    said_group = any(w in question.text for w in words()["hardship_words"])
    if not value or (said_group and not question.not_hardship):
        return None
    restricted = {int(k): v for k, v in (value.get("restricted") or {}).items()}
    if amount not in value["tiers"]:
        lead = f"没有{amount}元这个档次。"
    elif amount in restricted and value.get("restriction") == "only":
        lead = f"不能，除非是{restricted[amount]}：{amount}元档次只适用于他们。"
    elif amount in restricted:
        lead = f"原则上不能：{amount}元档次原则上只适用于{restricted[amount]}。"
    else:
        lead = f"可以，{amount}元是文件写明的档次。"
    text = heading(kb, region, "pension") + lead + fact.answer
    return Answer(text + "\n" + source_line([fact]), [fact])


def late_answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """ "过了年还能交不" → 能 first where a fact allows paying after the collection period (with
    its waiting period), else the documents' silence and where to ask."""
    spec = words()["late_payment"]
    if len(question.regions) != 1 or not question.wants("yes_no") or question.channel:
        return None
    if not any(w in question.text for w in spec["words"]):
        return None
    region, scheme = question.regions[0], question.scheme or "medical"
    if scheme == "medical":
        facts = [
            f
            for t in spec["medical_topics"]
            for f in kb.facts(region, topic=t, scheme="medical")
            if f.status != "not_stated"
        ]
        lead = "能交，但集中缴费期后交的有待遇等待期："
    else:
        facts = [
            f
            for f in kb.facts(region, topic="deadline")
            if f.scheme in ("pension", "both")
            and any(w in f.answer for w in spec["pension_evidence"])
        ]
        lead = "能。"
    if not facts:
        label = kb.scheme_label(scheme)
        text = f"{kb.region_name(region)}的文件没有写集中缴费期后还能不能交{label}，{NOT_STATED_PHRASE}。"
        return Answer(heading(kb, region, scheme) + text + "\n" + hotline_summary(kb, region), [])
    text = heading(kb, region, scheme) + lead + "".join(f.answer for f in facts)
    return Answer(text + "\n" + source_line(facts), facts)


def _checked_amount(text: str) -> int | None:
    """The figure a message puts for confirmation ("也是交380吗" → 380), else None."""
    text = re.sub(r"[？?。.!！~～\s]+$", "", text)
    if any(re.search(p, text) for p in words()["tier_choice"]):
        return None  # "能交300吗" asks whether a tier may be chosen (tier_answer)
    for pattern in words()["amount_check"]:
        found = re.search(pattern, text)
        if found:
            return int(found.group(1))
    return None


def _checked_result(kb: KnowledgeBase, question: Question):
    """The computed medical result the figure is checked against: the one person's, or, when
    nobody is described, the one adult tier's ("二档650是吧"); a child whose stage is not said
    only when every stage costs the same ("孩子是300不" in 威海)."""
    person = _one_person(question)
    if person is not None:
        return person_result(kb, question, person, "medical")
    named = [m for m in question.members if not (m["role"] == "self" and len(m) == 2)]
    region = question.regions[0]
    if not named and len(question.med_tiers) == 1:
        return calculate(kb, build_profile(kb, region, "medical", tier=question.med_tiers[0]))
    if len(named) == 1 and named[0]["role"] == "child" and named[0].get("unclear"):
        results = [
            calculate(kb, build_profile(kb, region, "medical", student=stage))
            for stage in ("school", "college")
        ]
        if len({r.personal_amount for r in results}) == 1:
            return results[0]
    return None


def amount_answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """ "山亭 我60了 也是交380吗", "二档今年要交800 这对吗" → 不是/不对 first when the computed
    medical share differs from the figure asked, 是/对 when it is the same; the computed figure
    and its reasons follow."""
    text = question.typed or question.text
    # a figure said in words ("是一百五对吧") is a number only in the spoken reading
    asked = _checked_amount(text) or _checked_amount(question.text)
    if asked is None or len(question.regions) != 1 or question.scheme == "pension":
        return None
    result = _checked_result(kb, question)
    if result is None or result.status != "ok" or result.personal_amount is None:
        return None
    share = result.personal_amount
    yes, no = ("对", "不对") if re.search(r"对(吗|吧|不对)|是真的", text) else ("是", "不是")
    if share == asked:
        lead = f"{yes}，个人缴费{share}元。"
    else:
        lead = f"{no}。按文件，个人缴费是{share}元，不是{asked}元。"
    if asked > share:  # asked for more than the standard: where to pay, and whom to tell
        lead += "不要多交：请通过文件写明的渠道缴费；有人多收，可以向这里反映：\n"
        lead += hotline_summary(kb, question.regions[0], ("payment",))
    return Answer(lead + "\n" + result_text(result), list(result.facts))
