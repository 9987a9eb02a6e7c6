"""Which of a topic's facts the question's own words point at.

"青岛怎么用支付宝交" is a channels question, but only one of 青岛's three channel facts names
支付宝: that one answers it. Words common to every question (places, schemes, 怎么, 多少 —
``generic_words`` in sources/questions.yml) are ignored; when no distinctive word matches any
fact, every fact of the topic is kept, as before.
"""

from __future__ import annotations

from policy_kb.data.kb import Fact, KnowledgeBase
from policy_kb.data.search import search_tokens
from policy_kb.reading.question import words


def distinctive_tokens(kb: KnowledgeBase, text: str) -> list[str]:
    ignored = set(words()["generic_words"])
    ignored |= {alias for alias, _region, _district in kb.aliases}
    ignored |= {k for _label, keywords in kb.schemes.values() for k in keywords}
    return [t for t in dict.fromkeys(search_tokens(text)) if len(t) >= 2 and t not in ignored]


def relevant(kb: KnowledgeBase, facts: list[Fact], text: str) -> list[Fact]:
    """The facts the question's distinctive words occur in (best first), else all of them."""
    if len(facts) < 2:
        return facts
    tokens = distinctive_tokens(kb, text)
    scores = [(sum(t in f.question + f.answer for t in tokens), n, f) for n, f in enumerate(facts)]
    best = [f for score, _n, f in sorted(scores, key=lambda s: (-s[0], s[1])) if score > 0]
    return best or facts
