"""Which of a topic's facts the question's own words point at.

"青岛怎么用支付宝交" is a channels question, but only one of 青岛's three channel facts names
支付宝: that one answers it. Words common to every question (places, schemes, 怎么, 多少 —
``generic_words`` in sources/questions.yml) are ignored; when no distinctive word matches any
fact, every fact of the topic is kept, as before.
"""

from __future__ import annotations

import re

from policy_kb.data.kb import Fact, KnowledgeBase
from policy_kb.data.search import search_tokens
from policy_kb.reading.question import Question, words


def _tokens(text: str) -> list[str]:
    """The text's search tokens, each resident's word followed by the facts' word for it."""
    synonyms = words()["fact_words"]
    tokens = search_tokens(text)
    return list(dict.fromkeys(t for token in tokens for t in (token, synonyms.get(token, token))))


def distinctive_tokens(kb: KnowledgeBase, text: str) -> list[str]:
    ignored = set(words()["generic_words"])
    ignored |= {alias for alias, _region, _district in kb.aliases}
    ignored |= {k for _label, keywords in kb.schemes.values() for k in keywords}
    return [t for t in _tokens(text) if len(t) >= 2 and t not in ignored]


def asked_words(kb: KnowledgeBase, question: Question) -> tuple[str, ...]:
    """The words of what was asked, for the sentence to lead (render.asked_lead): the
    distinctive words, less the tier the question is about unless its amount is asked ("青岛医保
    一档 什么时候开始享受" asks when cover starts; 一档 only says whose)."""
    about = () if question.wants("amount", "compare", "difference", "each") else question.med_tiers
    return tuple(t for t in distinctive_tokens(kb, question.text) if t not in about)


def relevant(kb: KnowledgeBase, facts: list[Fact], text: str) -> list[Fact]:
    """The facts the question's distinctive words occur in (best first), else all of them."""
    if len(facts) < 2:
        return facts
    tokens = distinctive_tokens(kb, text)
    scores = [(sum(t in f.question + f.answer for t in tokens), n, f) for n, f in enumerate(facts)]
    best = [f for score, _n, f in sorted(scores, key=lambda s: (-s[0], s[1])) if score > 0]
    return best or facts


def most_relevant(kb: KnowledgeBase, facts: list[Fact], text: str) -> list[Fact]:
    """Only the facts the most distinctive words occur in ("银行批扣是几号到几号": the batch
    debit fact, which has both 银行 and 批扣, not every channel with a bank); none matching:
    an empty list."""
    tokens = distinctive_tokens(kb, text)
    scores = [sum(t in f.question + f.answer for t in tokens) for f in facts]
    best = max(scores, default=0)
    return [f for f, s in zip(facts, scores) if best and s == best]


def asked_first(kb: KnowledgeBase, facts: list[Fact], text: str) -> list[Fact]:
    """All the facts, the one the question's words point at first ("山亭区缴费问题找谁": the
    tax office before the other two). A word counts more the fewer facts have it: one every
    fact has (电话 in every hotline) tells them apart no better than none, nor do the words
    that only ask (多少, 怎么), nor places and schemes (the facts are of the place and scheme
    asked already); ties keep the topic's order."""
    ignored = {alias for alias, _region, _district in kb.aliases}
    ignored |= {k for _label, keywords in kb.schemes.values() for k in keywords}
    asking = words()["question_marks"]
    tokens = [
        t
        for t in _tokens(text)
        if len(t) >= 2 and t not in ignored and not any(re.search(m, t) for m in asking)
    ]
    texts = [f.question + f.answer for f in facts]
    having = {t: sum(t in x for x in texts) for t in tokens}
    telling = {t: 1 / n for t, n in having.items() if 0 < n < len(texts)}
    scores = [-sum(w for t, w in telling.items() if t in x) for x in texts]
    return [f for _score, _n, f in sorted(zip(scores, range(len(facts)), facts))]
