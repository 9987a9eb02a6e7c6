"""Several questions in one message, each answered, in order (issue 18 item 1).

"山亭 俺这种能交100的不 要是交350的话政府给补多少" asks two things: whether 100 may be chosen,
and the subsidy at 350. Each clause that asks something (``question_marks`` in
sources/questions.yml) is read with the message's other clauses (who, where, which scheme) and
answered on its own — by the composer, else from its topic's facts — and the answers are given
in the order asked. A message whose clauses make one question together ("哪个贵，差多少",
"加起来多少") is left whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from policy_kb.answering import declines, yes_no
from policy_kb.answering.answers import Answer, unique
from policy_kb.answering.relevance import relevant
from policy_kb.answering.render import facts_text, numbered_lead, result_text
from policy_kb.data.kb import KnowledgeBase
from policy_kb.data.vocabulary import scheme
from policy_kb.reading.household import speaker_age
from policy_kb.reading.question import Question, read_question, words

_SAME_AGAIN = re.compile(r"呢[？?]?$")
_CLAUSE = re.compile(r"[，,。；;！!？?\s]+")


def _asks(clause: str) -> bool:
    return any(re.search(mark, clause) for mark in words()["question_marks"])


def _joins(kb: KnowledgeBase, clause: str) -> bool:
    """A clause that asks about the others together ("差多少", "加起来多少" after "哪个贵"):
    it wants a joining kind and names nothing of its own. "医保俩人一共交多少" names its scheme
    and people: it is one question of several ("…能退吗" after it is another)."""
    own = read_question(kb, clause)
    if not own.wants(*words()["joined_kinds"]):
        return False
    return not (own.schemes or own.members or own.med_tiers or own.amounts or own.regions)


def sub_questions(kb: KnowledgeBase, question: Question) -> list[str]:
    """The message's questions, each with the clauses that only tell who and where."""
    clauses = [c for c in _CLAUSE.split(question.typed or question.text) if c]
    asked = [c for c in clauses if _asks(c)]
    if len(asked) < 2 or any(_joins(kb, c) for c in asked):
        return []
    context = " ".join(c for c in clauses if c not in asked)
    names = "".join(kb.region_name(r) for r in question.regions)
    short = scheme(question.scheme).short if question.scheme else ""
    texts = []
    for clause in asked:
        own = read_question(kb, clause)
        text = f"{context} {clause}".strip()
        if not own.regions and names and not read_question(kb, text).regions:
            text = f"{names} {text}"
        if not own.schemes and short:
            text = f"{short} {text}"
        texts.append(text)
    return texts


def _follows_a_decline(kb: KnowledgeBase, question: Question) -> bool:
    """Whether a question the documents do not answer is followed by one that names nothing of
    its own ("一年多少钱"): that one asks about the same thing, and is declined with it."""
    clauses = [c for c in _CLAUSE.split(question.typed or question.text) if c and _asks(c)]
    declined = False
    for clause in clauses:
        own = read_question(kb, clause)
        if declines.asked(own):
            declined = True
        elif declined and not (own.members or own.med_tiers or own.amounts or own.schemes):
            return True
    return False


def _personal_answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """ "山亭 63岁 医保交多少" as one of several questions: the one person's medical share,
    computed (a pension amount is chosen, not computed)."""
    if len(question.regions) != 1 or question.scheme != "medical" or not question.wants("amount"):
        return None
    if len(question.members) > 1:
        return None
    person = question.members[0] if question.members else None
    if person is None:
        age = speaker_age(question.text)
        person = {"role": "self", "age": age} if age is not None else None
    if person is None:
        return None
    result = yes_no.person_result(kb, question, person, "medical")
    if result.status != "ok" or result.personal_amount is None:
        return None
    return Answer(result_text(result), list(result.facts))


def _topic_answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """An ordinary topic question: the facts of its topic its own words point at."""
    if not question.topic or not question.regions:
        return None
    spec = kb.topic(question.topic)
    facts = [
        f
        for r in question.regions
        for t in spec.fact_topics
        for f in kb.facts(r, topic=t, scheme=question.scheme)
    ]
    facts = relevant(kb, facts, question.text)
    return Answer(facts_text(facts, kb), facts) if facts else None


def answer(
    kb: KnowledgeBase, question: Question, compose_one: Callable[..., Answer | None]
) -> Answer | None:
    """Each question of the message answered in order, or None for a single question."""
    texts = sub_questions(kb, question)
    if _follows_a_decline(kb, question):
        return None  # "灵活就业人员医保咋交 一年多少钱": the second asks about the same thing
    if texts and all(declines.asked(read_question(kb, t)) for t in texts):
        return None  # "起付线多少 最高能报多少": one answer names all the documents do not say
    answers = []
    previous = None
    for text in texts:
        sub = read_question(kb, text)
        sub.regions = sub.regions or list(question.regions)
        if previous is not None and not sub.kinds and _SAME_AGAIN.search(text):
            sub.kinds = set(previous.kinds)  # "…交多少 70以上的呢": asked the same way
        previous = sub
        found = compose_one(kb, sub) or _personal_answer(kb, sub) or _topic_answer(kb, sub)
        if found is None:
            return None  # one part not understood: the message is answered as before
        answers.append(found)
    if len({a.text for a in answers}) < 2:
        return None
    # numbered, the first answer first: a "you asked N things" preamble would push it out of
    # the lead (answer first, issue 20)
    blocks = [f"{n}）{a.text}" for n, a in enumerate(answers, 1)]
    # each answer's first words lead together, the numbered answers follow as the details
    said = numbered_lead(blocks)
    text = "\n\n".join(([said] if said else []) + blocks)
    return Answer(text, unique([f for a in answers for f in a.facts]))
