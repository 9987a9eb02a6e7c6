"""Answers composed for the question asked, not just for its topic.

``compose(kb, question)`` answers what a :class:`~policy_kb.reading.question.Question` asks when its
shape needs more than one topic's facts: a household or both schemes added up, a yes/no about a
payment channel, a comparison or a difference between regions or tiers, the lowest or highest
tier, last year's tier asked about this year, or a bare "山亭医保" (the headline amounts). It
returns None when the question is an ordinary topic question, which the caller answers from
the topic's facts. Every figure comes from a fact; the arithmetic is shown; every answer ends
with the source lines of the facts it used.
"""

from __future__ import annotations

import dataclasses

from policy_kb.answering import (
    comparisons,
    declines,
    documents_answer,
    household_sum,
    one_region,
    several,
    yes_no,
)
from policy_kb.answering.answers import Answer
from policy_kb.data.kb import KnowledgeBase
from policy_kb.reading.question import Question

__all__ = ["Answer", "compose"]

# Tried in order; the first that answers wins.
_COMPOSERS = (
    declines.safety,  # before yes/no: "转到他个人银行卡上" is never a channel's 可以
    declines.unanswered,  # before the tiers: "最高能报多少" is not "最高档"
    documents_answer.answer,  # "山政办发〔2023〕10号是哪个单位发的"
    yes_no.cover_answer,  # "6月18号补交的 8月5号住院了 能报不": 能/不能 from the computed start
    yes_no.tier_answer,  # "山亭养老能交100的不": 不能 for a reserved tier
    yes_no.late_answer,  # "过了年还能交不": from the waiting-period and deadline facts
    yes_no.must_pay_answer,  # "俺娘72了 还用自己交吗": 不用 when the personal share is 0
    yes_no.amount_answer,  # "我60了 也是交380吗": 不是 when the computed share differs
    household_sum.answer,
    comparisons.tier_difference,
    comparisons.between_regions,
    yes_no.channel_answer,
    comparisons.lowest_or_highest_tier,
    one_region.last_year_tier,
    one_region.headline,
)


def compose(kb: KnowledgeBase, question: Question) -> Answer | None:
    """The composed answer, or None when the question is an ordinary topic question."""
    question = dataclasses.replace(question, regions=list(question.regions))
    if question.all_regions and len(question.regions) < 2:
        question.regions = list(kb.regions)
    # several questions in one message: each answered, in order
    return several.answer(kb, question, _compose_one) or _compose_one(kb, question)


def _compose_one(kb: KnowledgeBase, question: Question) -> Answer | None:
    for composer in _COMPOSERS:
        answer = composer(kb, question)
        if answer is not None:
            return answer
    return None
