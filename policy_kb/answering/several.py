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

from policy_kb.answering import declines, documents_answer, yes_no
from policy_kb.answering.answers import Answer, unique
from policy_kb.answering.relevance import most_relevant, relevant
from policy_kb.answering.render import facts_text, numbered_lead, result_text
from policy_kb.data.kb import KnowledgeBase
from policy_kb.data.vocabulary import scheme
from policy_kb.reading.household import speaker_age
from policy_kb.reading.question import Question, read_question, topic_words, words

_SAME_AGAIN = re.compile(r"呢[？?]?$")
_CLAUSE = re.compile(r"[，,。；;！!？?\s]+")
# a birth year said ("24年3月份生的", "2024年2月出生")
_BORN = re.compile(r"(?<!\d)(20\d{2}|\d{2})年[^，,。\s]{0,6}?(?:出生|生的|生了|生)")


# "从哪天 到哪天": one question of a span, said in two pieces
_SPAN = re.compile(r"(从\S{1,6}?)[，,\s]+(到|至)")


def _spans(text: str) -> str:
    return _SPAN.sub(r"\1\2", text)


# the start of a calculator's "what is still needed" line (render.result_text)
_NEEDS_MORE = "还需要知道"
# "好几年", "十几个": 几 that counts, not asks
_COUNTING = re.compile(r"(好|十|二十|几十)几")


def _asks(clause: str) -> bool:
    clause = _COUNTING.sub("", clause)
    if re.sub(r"^(亲|哎|喂|您好|你好|请问)+", "", clause) in words()["calls"]:
        return False  # "亲 在吗": a call, not a question
    return any(re.search(mark, clause) for mark in words()["question_marks"])


def _joined(kb: KnowledgeBase, question: Question, asked: list[str]) -> bool:
    """Whether the clauses make one question together: the message asks about them together
    ("哪个贵，差多少", "小孩医保多少 大人一档多少" added up) and every clause asks an amount.
    "医保俩人一共交多少 交完过了年…能退吗" is two questions: the refund clause asks none."""
    if not question.wants(*words()["joined_kinds"]):
        return False
    amounts = [*words()["joined_kinds"], "amount", "minimum", "maximum"]
    read = [read_question(kb, c) for c in asked]
    # "能交最低那档吗" is a yes/no of its own, even about an amount
    return all(q.wants(*amounts) and not q.wants("yes_no") for q in read)


def _tells(kb: KnowledgeBase, clause: str) -> bool:
    """Whether a clause that asks nothing tells something the questions need (a place, a
    scheme, a person with a detail, a number, a group): "俺问俩事", "还有", "俺怕错过了" only
    talk, and their bare 俺 would make the speaker one more person to pay for."""
    own = read_question(kb, clause)
    told = [m for m in own.members if set(m) - {"role", "label"}]
    return bool(
        own.regions
        or own.schemes
        or own.med_tiers
        or own.amounts
        or own.not_hardship
        or told
        or [m for m in own.members if m["role"] != "self"]
        or re.search(r"\d|[一二三四五六七八九十]{1,3}(岁|十)", clause)
        or own.topic
    )


def _tails_joined(clauses: list[str]) -> list[str]:
    """A short clause that asks nothing after one that asks ends it ("打哪个 电话": a spoken
    pause inside one question, not a clause of its own)."""
    joined: list[str] = []
    for clause in clauses:
        if joined and _asks(joined[-1]) and not _asks(clause) and len(clause) <= 3:
            joined[-1] += clause
        else:
            joined.append(clause)
    return joined


def sub_questions(kb: KnowledgeBase, question: Question) -> list[str]:
    """The message's questions, each with the clauses that only tell who and where."""
    clauses = _tails_joined(
        [c for c in _CLAUSE.split(_spans(question.typed or question.text)) if c]
    )
    asked = [c for c in clauses if _asks(c)]
    if len(asked) < 2 or _joined(kb, question, asked):
        return []
    context = " ".join(c for c in clauses if c not in asked and _tells(kb, c))
    texts = []
    for clause in asked:
        texts.append(_placed(kb, question, clause, f"{context} {clause}".strip()))
    return texts


def _placed(kb: KnowledgeBase, question: Question, clause: str, text: str) -> str:
    """The text with the message's place and scheme before it when the clause names none."""
    own = read_question(kb, clause)
    names = "".join(kb.region_name(r) for r in question.regions)
    short = scheme(question.scheme).short if question.scheme else ""
    if not own.regions and names and not read_question(kb, text).regions:
        text = f"{names} {text}"
    if not own.schemes and short:
        text = f"{short} {text}"
    return text


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
    if person.get("age") is None and not person.get("stage"):
        born = _BORN.search(question.text)  # "孩子24年3月份生的": a child of the policy year's age
        if born:
            year = int(born.group(1)) % 100 + 2000
            policy = kb.year_for(question.regions[0])
            person = {**person, "age": max(0, policy - year)} if year <= policy else person
    result = _child_result(kb, question, person) or yes_no.person_result(
        kb, question, person, "medical"
    )
    if result.status != "ok" or result.personal_amount is None:
        return None
    return Answer(result_text(result), list(result.facts))


def _child_result(kb: KnowledgeBase, question: Question, person: dict):
    """ "小孩医保多少" with no age or school said: the share when a pupil's and a college
    student's are the same (威海), else None (青岛's differ: the stage must be asked)."""
    if person["role"] != "child" or person.get("age") is not None or person.get("stage"):
        return None
    results = [
        yes_no.person_result(kb, question, {**person, "stage": stage}, "medical")
        for stage in ("school", "college")
    ]
    shares = {r.personal_amount for r in results if r.status == "ok"}
    return results[0] if len(shares) == 1 and None not in shares and len(results) == 2 else None


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
    # a clause whose words name another topic too ("银行批扣是几号到几号": channels and
    # deadline): the fact its words point at most, of either topic
    detected = kb.detect_topics(topic_words(kb, question.text))
    others = [t for t in detected if t != question.topic]
    if others and question.topic in detected:  # not when the topic was set from elsewhere
        more = [
            f
            for r in question.regions
            for t in others
            for ft in kb.topic(t).fact_topics
            for f in kb.facts(r, topic=ft, scheme=question.scheme)
        ]
        facts = most_relevant(kb, facts + [f for f in more if f not in facts], question.text)
    facts = relevant(kb, facts, question.text)
    return Answer(facts_text(facts, kb), facts) if facts else None


def _sub_question(kb: KnowledgeBase, question: Question, text: str, clause: str) -> Question:
    """One question of several: its own topic when its clause names one, else the message's
    ("…出生4个月 从啥时候开始能报" is the newborn question, not the deadline of "7月份")."""
    sub = read_question(kb, text)
    sub.regions = sub.regions or list(question.regions)
    if sub.topic and not kb.detect_topics(clause) and question.topic:
        # the topic came from the context's words ("7月份"), not from what the clause asks
        sub.topic = question.topic
    if not kb.detect_topics(clause) and not sub.wants("amount") and _born_this_year(kb, sub):
        sub.topic = "newborn"  # "闺女2024年5月生的 …从什么时候能报": the newborn's rule
    return sub


def _born_this_year(kb: KnowledgeBase, question: Question) -> bool:
    """Whether the message says a child was born in the policy year (a newborn)."""
    born = _BORN.search(question.text)
    if not born or not question.regions:
        return False
    return int(born.group(1)) % 100 + 2000 == kb.year_for(question.regions[0])


def _one(kb: KnowledgeBase, sub: Question, compose_one: Callable[..., Answer | None]):
    return compose_one(kb, sub) or _personal_answer(kb, sub) or _topic_answer(kb, sub)


def answer(
    kb: KnowledgeBase, question: Question, compose_one: Callable[..., Answer | None]
) -> Answer | None:
    """Each question of the message answered in order, or None for a single question."""
    if documents_answer.names_document(kb, question.text):
        return None  # "山政办发〔2023〕10号是哪个单位发的 啥时候发的": one document's card answers all
    texts = sub_questions(kb, question)
    if _follows_a_decline(kb, question):
        return None  # "灵活就业人员医保咋交 一年多少钱": the second asks about the same thing
    if texts and all(declines.asked(read_question(kb, t)) for t in texts):
        return None  # "起付线多少 最高能报多少": one answer names all the documents do not say
    answers = []
    previous = None
    text_ = _spans(question.typed or question.text)
    clauses = [c for c in _CLAUSE.split(text_) if c and _asks(c)]
    for text, clause in zip(texts, clauses):
        sub = _sub_question(kb, question, text, clause)
        if previous is not None and not sub.kinds and _SAME_AGAIN.search(text):
            sub.kinds = set(previous.kinds)  # "…交多少 70以上的呢": asked the same way
        previous = sub
        found = _one(kb, sub, compose_one)
        if found is not None and any(a.text == found.text for a in answers):
            # the same answer again: the context (who, how old) answered, not this clause
            # ("…一共交多少 交完过了年…能退吗"): the clause is read with its place and scheme only
            alone = _sub_question(kb, question, _placed(kb, question, clause, clause), clause)
            found = _one(kb, alone, compose_one)
        if found is None or _NEEDS_MORE in found.text:
            # one part not understood, or it needs what the message did not say (a tier):
            # the message is answered whole, as before, and asks once
            return None
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
