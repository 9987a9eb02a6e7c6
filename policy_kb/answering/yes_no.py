"""Yes/no questions about a payment channel, answered yes or no first.

"青岛医保能银行代扣吗" → 不能 (the bank batch deduction is named for pension only);
"山亭能用微信交吗" → 可以. The answer is yes only when a fact of the region names the channel
for the scheme asked; no when the region names it only for the other scheme; otherwise the
documents' silence is said as silence, with the channels they do name and where to ask.
"""

from __future__ import annotations

import re

from policy_kb.answering.answers import Answer, heading, unique
from policy_kb.answering.render import hotline_summary
from policy_kb.data.kb import Fact, KnowledgeBase, source_line
from policy_kb.reading.question import Question, words


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
