"""One turn of a conversation, one path: ``answer_turn(kb, text, state) -> Turn``.

The message is read once (``read_question``) and then merged with what the conversation knows
(``TurnState``): read first as the answer to the question the assistant asked ("一档", "她72",
"上初中", "青岛的", "5000", "3月10号", "对"), else as a correction or change of one part of the
previous question ("不对 我问的是养老", "换成二档呢", "那俺爹呢 他都83了", "再加上我老伴"), else as a
new question (the pending one is dropped). The merged question is composed once; what the
answer still needs becomes the next state's ``waiting``, each piece asked at most once.

No Rasa here: the chat's actions, the staff console and ``shebao ask`` all call this.
"""

from __future__ import annotations

import copy
import dataclasses
import re

from policy_kb.answering import declines, documents_answer, render
from policy_kb.answering.answers import adult_tiers, facts_naming
from policy_kb.answering.compose import compose
from policy_kb.answering.relevance import asked_first, relevant
from policy_kb.answering.state import TurnState, Waiting, build_profile, iso
from policy_kb.data import vocabulary
from policy_kb.data.kb import Fact, KnowledgeBase, source_line
from policy_kb.data.vocabulary import latest_fact_values, words
from policy_kb.reading.household import read_members
from policy_kb.reading.question import (
    Question,
    answer_topic,
    ask_again,
    is_follow_up,
    read_question,
)
from policy_kb.reading.spoken import read_spoken
from policy_kb.rules.calculator import calculate
from policy_kb.rules.groups import GROUP_PROFILE
from policy_kb.text.dates import read_date
from policy_kb.text.normalize import cn_to_int, normalize_text

ADULT_ROLES = ("self", "adult", "elderly")
MEMBERS_QUESTION = "请说说家里每个人的情况，例如：“两个大人选一档，一个上小学的孩子”。"
# the pieces a short message may add to the previous question on their own
DETAILS = {"tier", "amount", "age", "stage", "date", "members"}
# a person's school stage, as the calculator's group
STAGE_GROUPS = {"college": "大学生", "school": "中小学生", "newborn": "新生儿"}
# groups that pay one rate whatever the tier: a tier said after them is another person's
FIXED_RATE_GROUPS = ("大学生", "中小学生", "少年儿童", "新生儿")
_BARE_NUMBER = re.compile(r"^\D{0,8}?(\d{1,5}|[一二三四五六七八九十百千万]{1,5})\s*(?:岁|周岁|元|块|了)?\D{0,4}$")
# a policy year named ("2024年", "2025年度"), not a date's year ("2024年3月10号")
_YEAR = re.compile(r"(20\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_NOT_X = re.compile(r"不是([^，,。\s]{1,8})")
_NOT_BUT = re.compile(r"不是(.{1,12}?)[，,\s]*(?:而)?是(.+)")


@dataclasses.dataclass
class Turn:
    """One turn's reply: its parts (text with the facts behind each), the new state, and how
    the message was read (``new``, ``answer``, ``correct``, ``change``, ``add`` or ``remove``)."""

    parts: list[tuple[str, list[Fact]]]
    state: TurnState
    move: str = "new"
    asks: list[str] = dataclasses.field(default_factory=list)  # pieces asked for

    @property
    def text(self) -> str:
        return "\n\n".join(text for text, _ in self.parts)

    @property
    def facts(self) -> list[Fact]:
        out: list[Fact] = []
        for _, facts in self.parts:
            out += [f for f in facts if f not in out]
        return out


def _turn_words(key: str) -> list[str]:
    return sorted(words()["turn"][key], key=len, reverse=True)


# ---------------------------------------------------------------------- what a message gives
def _stage(text: str) -> str | None:
    stages = words()["stages"]
    for stage in ("newborn", "college", "school"):
        if any(w in text for w in stages[stage]):
            return stage
    return None


def _bare_number(text: str) -> int | None:
    for word in _turn_words("corrections"):
        text = text.replace(word, " ")  # "哦 记错了 去年是500": the number is the message
    match = _BARE_NUMBER.match(text.strip())
    return cn_to_int(match.group(1)) if match else None


_AGE_YEARS = re.compile(r"(?<![\d.])(\d{1,3})\s*(?:周岁|岁)")
_SAID_AGE = re.compile(r"(?:今年|已经|都|也)整?(\d{1,3})(?![\d元块档])")
# "来电人 男 63": an operator's note of the caller's sex and age
_NOTED_AGE = re.compile(r"(?<![男女])[男女]\s*(\d{1,3})(?![\d元块档多])")
# an age said in Chinese numerals after its cue ("今年整七十", "她七十二了")
_CN_AGE = re.compile(r"(今年|已经|都|也|[她他])(整?)([一二三四五六七八九十]{1,3})(?=岁|了|\s|[，,。]|$)")


def _digit_ages(text: str) -> str:
    return _CN_AGE.sub(lambda m: m.group(1) + m.group(2) + str(cn_to_int(m.group(3))), text)


_PRONOUN_AGE = re.compile(r"[她他](?:都|今年|已经|也)?(\d{1,3})(?![\d元块档])")


def said_ages(text: str, members: list[dict]) -> None:
    """Ages the household reader leaves out: "他65" after a relative, "老两口都65" (no 岁)."""
    text = _digit_ages(normalize_text(text))
    others = [m for m in members if m["role"] != "self"]
    pronoun = _PRONOUN_AGE.search(text)
    if pronoun and others and others[-1].get("age") is None:
        others[-1]["age"] = int(pronoun.group(1))
    together = re.search(r"都(\d{1,3})(?![\d元块档])", text)
    if together and len(members) > 1:
        for member in members:
            member.setdefault("age", int(together.group(1)))
    for member in members:
        label = member.get("label")
        after = re.search(re.escape(label) + r"\s*(\d{1,3})(?![\d元块档])", text) if label else None
        if after and member.get("age") is None:
            member["age"] = int(after.group(1))  # "再加上俺 俺61"
    said = _SAID_AGE.search(text)
    if said and len(members) == 1:
        members[0].setdefault("age", int(said.group(1)))


def pieces(
    kb: KnowledgeBase, text: str, message: Question, waiting: Waiting | None, pension=False
) -> dict:
    """Every piece of a question the message supplies, by name (see ``state.PIECES``); a bare
    number is an amount when the question is about pension, an age when an age is awaited."""
    wanted = waiting.pieces if waiting else []
    found: dict = {}
    if message.regions:
        found["region"] = message.regions
    if message.schemes:
        found["scheme"] = message.schemes
    if message.med_tiers:
        found["tier"] = message.med_tiers
    number = None if message.med_tiers else _bare_number(text)  # "都一档" says no age
    lowest = kb.lowest_pension_tier() or 0
    if message.amounts:
        found["amount"] = message.amounts
    elif ("amount" in wanted or pension) and number and number >= lowest:
        found["amount"] = [number]
    ages = [p["age"] for p in message.members if p.get("age") is not None]
    if ages:
        found["age"] = ages[0]
    elif _AGE_YEARS.search(text) and not message.members[1:]:
        found["age"] = int(_AGE_YEARS.search(text).group(1))  # "山亭72岁医保个人交多少"
    elif _SAID_AGE.search(text) and not message.members[1:]:
        found["age"] = int(_SAID_AGE.search(text).group(1))  # "山亭医保交多少 我今年65"
    elif _NOTED_AGE.search(text) and all(p["role"] == "self" for p in message.members):
        found["age"] = int(_NOTED_AGE.search(text).group(1))  # the caller's own age
    elif number is not None and 0 <= number <= 120 and "amount" not in found:
        # "她72", "我今年67": a person and a number; a number alone only when an age is awaited
        person = message.members or any(w in text for w in words()["turn"]["pronouns"])
        if "age" in wanted or person or re.search(r"岁|今年|了$", text):
            found["age"] = number
    stage = _stage(text)
    if stage:
        found["stage"] = stage
    if [p for p in message.members if p["role"] != "self"]:
        found["members"] = message.members
    found.update(said_dates(kb, text))
    if is_yes(text):
        found["yes"] = True
    group = _hardship_group(text)
    if message.not_hardship:
        found["group"] = ""  # "家里不是低保户": no group any more
    elif group:
        found["group"] = group
    return found


def _hardship_group(text: str) -> str | None:
    """The hardship group a message names ("低保", "特困"), the longest name first."""
    names = [g for g, fields in GROUP_PROFILE.items() if "hardship" in fields]
    return next((g for g in sorted(names, key=len, reverse=True) if g in text), None)


def is_yes(text: str) -> bool:
    """A message that only confirms: "对", "是的", "嗯对", "对对对 是的"."""
    rest = normalize_text(text)
    for word in _turn_words("confirmations"):
        rest = rest.replace(word, "")
    return bool(text.strip()) and not re.sub(r"[\s，。！!~,.、]", "", rest)


def said_dates(kb: KnowledgeBase, text: str) -> dict:
    """The dates a message says, clause by clause: a birth date where the clause says so
    ("2024年3月10日出生"), else the payment date ("11月15日交的")."""
    found: dict = {}
    for clause in re.split(r"[，,。；;！!？?\s]+", text):
        day = read_date(clause, kb.default_year) if clause else None
        if day is None or isinstance(day, str):
            continue
        key = "born" if any(w in clause for w in ("出生", "生的", "生于")) else "date"
        found.setdefault(key, day)
    return found


# the topics a payment date is part of
DATE_TOPICS = ("benefit", "waiting", "newborn")
# what a message may tell about a person besides their age, tier and stage
PERSON_DETAILS = ("group", "disability_grade")


def _speaker_details(message: Question, previous: Question) -> dict:
    """Details of the speaker alone, in a message that asks nothing ("一级的 重度"), when the
    previous question was about the speaker: the details, to be added to that person."""
    people = message.members
    if len(people) != 1 or people[0]["role"] != "self" or message.kinds or message.schemes:
        return {}
    if message.topic not in (None, previous.topic, "hardship") or message.regions:
        return {}
    if previous.members and [m["role"] for m in previous.members] != ["self"]:
        return {}
    return {k: people[0][k] for k in PERSON_DETAILS if people[0].get(k)}


def _polite_ask(kb: KnowledgeBase, question: Question) -> bool:
    """A hotline read from "咨询" alone ("想咨询下") in a question of what a tier costs."""
    if question.topic != "hotline" or not question.wants("amount"):
        return False
    if not (question.med_tiers or question.amounts):
        return False
    said = normalize_text(question.text)
    return not any(w in said for w in kb.topic("hotline").keywords if w != "咨询")


def _carry_person(question: Question, previous: Question | None) -> None:
    """A new question about what the speaker pays keeps what the speaker said of themselves
    before ("俺是残疾人", "一级的 重度", then "山亭养老保险还用自己交吗")."""
    if previous is None or [m["role"] for m in previous.members] != ["self"]:
        return
    known = {k: previous.members[0][k] for k in PERSON_DETAILS if previous.members[0].get(k)}
    if not known or question.topic not in (None, "tiers", "hardship", "subsidy"):
        return
    if not question.members:
        question.members = [{"role": "self", "label": "本人", **known}]
    elif [m["role"] for m in question.members] == ["self"]:
        for key, value in known.items():
            question.members[0].setdefault(key, value)


def _leaves_the_question(text: str, said: str) -> bool:
    """ "另外问下 …", "换个问题 …", "对了 …": the resident says a new question follows (an
    addition, "另外还有俺娘", stays one)."""
    if any(w in said for w in _turn_words("additions")):
        return False
    said = normalize_text(text)
    marker = next((w for w in words()["turn"].get("new_questions", []) if w in said[:8]), None)
    # the marker and a question of its own after it ("对了" alone may still be a yes)
    return marker is not None and len(said.split(marker, 1)[1].strip(" ，,。")) >= 5


def _names_new_topic(message: Question, previous: Question) -> bool:
    """A message that asks its own question ("青岛医保什么时候交") rather than answering."""
    topic = message.topic
    return topic is not None and topic not in (previous.topic, "tiers", "household")


def _asks_its_own(message: Question, previous: Question, said: str) -> bool:
    """A whole question of its own, even where it names a piece the assistant asked for:
    another scheme than the one asked about ("俺爹的医保" → "威海养老过了年还能交不"), or a
    yes/no about a subject ("山亭 过了年以后交的医保费还能退不")."""
    other = bool(message.schemes and previous.schemes) and not set(message.schemes) & set(
        previous.schemes
    )
    return (other and len(said) > 8) or bool(message.channel and message.wants("yes_no"))


def awaited(state: TurnState) -> Waiting | None:
    """What the next message may answer: the assistant's question, else the age of the one
    person the previous question named without it ("俺娘" then "六十八")."""
    if state.waiting:
        return state.waiting
    members = state.members
    person = members[0] if len(members) == 1 else {}
    if person and person["role"] != "self" and not (person.get("age") or person.get("stage")):
        return Waiting(["age"], member=0)
    return None


def read_move(kb: KnowledgeBase, text: str, message: Question, state: TurnState) -> str:
    """How a message relates to the previous question: answer, correct, add, change or new."""
    previous = state.previous()
    if previous is None:
        return "new"
    said = normalize_text(text)
    if any(w in said for w in _turn_words("corrections")) or _NOT_BUT.search(said):
        return "correct"
    if _leaves_the_question(text, said):
        return "new"
    if declines.asked(message):
        return "new"  # "山亭村里代办员让俺把医保钱转他个人卡上 这样中不": its own question
    waiting = awaited(state)
    if waiting and _asks_its_own(message, previous, said):
        return "new"
    given = pieces(kb, said, message, waiting, "pension" in previous.schemes)
    if _removed(said, message, previous):
        return "remove"
    if any(w in said for w in _turn_words("additions")) and message.members:
        return "add"  # "再加上我老伴", "再加上俺 俺61"
    also = any(w in said for w in _turn_words("also_with_total"))
    if also and message.members and "total" in message.kinds and previous.members:
        return "add"  # "本人45岁也交 问三人合计" after the parents' question
    if waiting and (len(said) <= 8 or not _names_new_topic(message, previous)):
        wanted = set(waiting.pieces)
        if wanted & set(given) or (given.get("yes") and waiting.offer):
            return "answer"
    if "group" in given and not message.kinds - {"family"} and len(said) <= 12:
        return "change"  # "家里不是低保户", "俺是低保户": the same question for that group
    if _speaker_details(message, previous) and len(said) <= 12:
        return "change"  # "一级的 重度" after "俺是残疾人": more about the same person
    changing = any(w in said for w in _turn_words("changes")) or re.search(r"^那.{0,10}呢", said)
    parts = set(given) & {"region", "scheme", "tier", "amount", "members", "age", "stage", "date"}
    if parts and not _names_new_topic(message, previous):
        # "换成二档呢", "那俺爹呢", and a short message of details only ("我今年67", "一档")
        if changing or (len(said) <= 12 and not message.kinds and parts <= DETAILS):
            return "change"
    if is_follow_up(kb, said):
        return "change"
    if waiting and is_yes(said):
        # "对", "嗯" after the assistant asked: its question stands, answered with what is
        # known (a piece asked once is not asked again), never a new "您想了解什么？"
        return "answer"
    return "new"


# ---------------------------------------------------------------------- merging
def _targets(question: Question, waiting: Waiting | None, role: str | None = None) -> list[dict]:
    """The members an answer is about: the one asked about, else those of a role named."""
    members = question.members
    if waiting and waiting.member is not None and waiting.member < len(members):
        return [members[waiting.member]]
    if role:
        return [m for m in members if m["role"] == role]
    return members


def _set_tier(question: Question, message: Question, waiting: Waiting | None) -> None:
    tier = message.med_tiers[0]
    if len(question.members) <= 1 and not message.members:
        question.med_tiers = list(message.med_tiers)  # one person's tier is the question's
        if not question.members:
            return
    named = [p for p in message.members if p.get("tier")]
    if named:
        for person in named:
            # "大人都一档": 大人 stands for every adult named before, the speaker too
            grown = person.get("generic") and person["role"] == "adult"
            targets = [m for m in question.members if m["role"] in ADULT_ROLES] if grown else []
            targets = targets or _targets(question, None, person["role"])
            if not targets and len(question.members) == 1 and person["role"] == "self":
                question.med_tiers = [person["tier"]]  # "那俺自己呢 交一档" after one pupil's
            for member in targets or question.members[:1]:
                member["tier"] = person["tier"]
        return
    open_ones = [m for m in question.members if m["role"] in ADULT_ROLES and not m.get("tier")]
    for member in _targets(question, waiting) if waiting and waiting.member else open_ones:
        member["tier"] = tier
    if not open_ones:  # "换成二档呢": everyone who had a tier takes the new one
        for member in question.members:
            if member.get("tier"):
                member["tier"] = tier
        question.med_tiers = [tier]


def _own_ages(text: str, message: Question, question: Question) -> bool:
    """Ages said person by person ("俺65 她71"): the speaker's to the speaker, a "她/他" age to
    the one other member without one. True when the message's ages were all placed so."""
    selves = [m for m in question.members if m["role"] == "self"]
    own = [p for p in message.members if p["role"] == "self" and p.get("age") is not None]
    if not own or not selves or message.members[len(own) :]:
        return False
    selves[0]["age"] = own[0]["age"]
    pronoun = _PRONOUN_AGE.search(normalize_text(text))
    others = [m for m in question.members if m["role"] != "self"]
    if pronoun:
        open_ones = [m for m in others if m.get("age") is None] or others
        if len(open_ones) != 1:
            return False
        open_ones[0]["age"] = int(pronoun.group(1))
    return True


def _set_age(question: Question, age: int, waiting: Waiting | None, state: TurnState) -> None:
    if not question.members:
        state.age = age
        return
    targets = _targets(question, waiting)
    if not (waiting and waiting.member is not None):
        # the composer asks an elder's age first, then an open member's; "她72" is not "我"
        open_ones = [m for m in question.members if m.get("age") is None]
        ranked = sorted(open_ones, key=lambda m: (m["role"] != "elderly", not m.get("unclear")))
        targets = [m for m in ranked if m["role"] != "self"][:1] or ranked[:1] or targets[:1]
    for member in targets:
        member["age"] = age
        member.pop("age_said", None)


def _set_stage(question: Question, stage: str, waiting: Waiting | None, state: TurnState) -> None:
    unclear = [m for m in question.members if m.get("unclear")]
    targets = _targets(question, waiting) if waiting and waiting.member is not None else unclear
    if not question.members:
        state.group = STAGE_GROUPS[stage]
        return
    for member in targets[:1] or [m for m in question.members if m["role"] == "child"][:1]:
        member["stage"] = stage
        member.pop("unclear", None)


def _apply(kb, question: Question, message: Question, given: dict, waiting, state) -> None:
    """Writes what the message gives into the question, part by part."""
    if "region" in given:
        question.regions, question.all_regions = list(given["region"]), False
    if "scheme" in given and not _names_a_part(question, given):
        question.schemes = list(given["scheme"])
    if "tier" in given:
        _set_tier(question, message, waiting)
        person = question.members[0] if len(question.members) == 1 else {}
        adult = _is_adult(person.get("age", state.age))
        if state.group in FIXED_RATE_GROUPS and not question.members[1:] and not adult:
            state.group = None  # "那一档呢" after "大学生": an adult's question now
        if person.get("stage") and not adult:
            question.members = []
    if "amount" in given:
        question.amounts = list(given["amount"])
        for member in question.members:
            if member.get("amount"):
                member["amount"] = given["amount"][0]
    if "stage" in given and "members" not in given:
        _set_stage(question, given["stage"], waiting, state)
    if "age" in given and "members" not in given:
        if not _own_ages(message.text, message, question):
            _set_age(question, given["age"], waiting, state)
    if "date" in given:
        state.payment_date = iso(given["date"])
    if "born" in given:
        state.birth_date = iso(given["born"])
    if "group" in given:
        state.group = given["group"] or None
    if given.get("yes") and waiting and waiting.offer:
        offer = waiting.offer
        if offer.get("region"):
            question.regions = [offer["region"]]
        if offer.get("scheme"):
            question.schemes = [offer["scheme"]]


def _names_a_part(question: Question, given: dict) -> bool:
    """ "医保换成二档呢" after both schemes added up: the scheme names the part that changes,
    the total stays."""
    both = len(question.schemes) > 1 and len(given["scheme"]) == 1
    return both and bool({"tier", "amount"} & set(given))


def _replace_members(question: Question, people: list[dict], dropped_roles: set[str]) -> None:
    """The people a correction names take the place of those it means: the member of the
    same name ("说错了 俺爹83了": 俺爹 only, 俺娘 stays), else every member of the role
    ("说错了 是俩孩子": both children instead of the one)."""
    same = [m for m in question.members if people[:1] and m.get("label") == people[0].get("label")]
    if len(people) == 1 and len(same) == 1 and people[0].get("label"):
        same[0].update({k: v for k, v in people[0].items() if k != "role"})
        return
    kept = [m for m in question.members if m["role"] not in dropped_roles]
    question.members = kept + [dict(p) for p in people]


def _removed(said: str, message: Question, previous: Question) -> list[dict]:
    """The members a message takes out of the previous household ("去掉孩子呢"): those of the
    name or role it names; none when it would take out nobody or everybody."""
    removals = _turn_words("removals")
    if not any(w in said for w in removals) or len(previous.members) < 2:
        return []
    # the people of the clause that takes them out ("妻子和孩子先不报了 只报他自己": not 他)
    clauses = [c for c in re.split(r"[，,。；;\s]+", said) if any(w in c for w in removals)]
    people = [p for c in clauses for p in read_members(c)] or message.members
    named = {p["label"] for p in people} | {p["role"] for p in people}
    gone = [m for m in previous.members if m.get("label") in named or m["role"] in named]
    return gone if 0 < len(gone) < len(previous.members) else []


def _answered(kb, question: Question, message: Question, given: dict, waiting, state):
    _apply(kb, question, message, given, waiting, state)
    return question


def merge(kb: KnowledgeBase, text: str, message: Question, state: TurnState, move: str):
    """The question this turn asks: the previous one with the message's parts written in."""
    previous = state.previous()
    if move == "new" or previous is None:
        return message
    question = copy.deepcopy(previous)
    said = normalize_text(text)
    if declines.asked(message):
        return "new"  # "山亭村里代办员让俺把医保钱转他个人卡上 这样中不": its own question
    waiting = awaited(state)
    if waiting and _asks_its_own(message, previous, said):
        return "new"
    given = pieces(kb, said, message, waiting, "pension" in previous.schemes)
    names_a_part = bool(given) or bool(message.members)
    if move == "remove":
        gone = _removed(said, message, previous)
        question.members = [m for m in question.members if m not in gone]
        return question
    if move == "answer":
        if "members" in given and any(m["role"] == "unknown" for m in question.members):
            _replace_members(question, given.pop("members"), {"unknown"})
        elif "members" in given:
            _merge_people(question, given.pop("members"))
        else:
            return _answered(kb, question, message, given, waiting, state)
        # "俺娘70了": the age and stage are that person's, told with them
        given.pop("age", None)
        given.pop("stage", None)
        return _answered(kb, question, message, given, waiting, state)
    names = said
    if move == "correct":
        not_but = _NOT_BUT.search(said)
        denied = _NOT_X.search(said)
        if denied and not not_but and "region" in given:
            # "说错了 是青岛 不是威海": the place after 不是 is the wrong one
            wrong = read_question(kb, denied.group(1)).regions
            given["region"] = [r for r in given["region"] if r not in wrong] or given["region"]
            names = _NOT_X.sub("", said)
        if not_but:
            names = not_but.group(2)
            wrong = read_members(not_but.group(1))
            roles = {p["role"] for p in wrong}
            right = read_question(kb, not_but.group(2))
            if right.members:
                _replace_members(question, right.members, roles or {"self"})
                given.pop("members", None)
                given.pop("age", None)
            message = right
            # "不是1000 是3000": what follows 是 wins over the whole message's reading
            pension = "pension" in previous.schemes
            given = {**given, **pieces(kb, not_but.group(2), right, None, pension)}
            given.pop("members", None)
    if move == "add" and message.members:
        given["members"] = message.members  # the speaker added too ("再加上俺")
    details = _speaker_details(message, previous) if move == "change" else {}
    if details:
        if not question.members:
            question.members = [{"role": "self", "label": "本人"}]
        question.members[0].update(details)
    if "members" in given:
        people = given.pop("members")
        if move == "add":
            for member in question.members:
                if member["role"] == "self" and state.age is not None:
                    member.setdefault("age", state.age)  # "我今年66" said before
            _merge_people(question, people, add=True)
        elif move == "correct":
            _replace_members(question, people, {p["role"] for p in people} or {"self"})
        elif _the_speakers_pair(question, people):  # "那俺俩换成二档呢": the two already named
            _merge_people(question, people)
        elif _same_adults(question, people):
            # "那俺俩换成二档呢": the household's own adults take the new tier, the rest stays
            adults = [m for m in question.members if m["role"] in ADULT_ROLES]
            for member, person in zip(adults, people, strict=True):
                member.update({k: person[k] for k in ("tier", "amount") if person.get(k)})
        else:  # "那俺爹呢": the question is asked again about them
            question.members = [dict(p) for p in people]
        if len(people) == 1 and "age" in given:  # "那俺爹呢 他都83了"
            question.members[-1].setdefault("age", given["age"])
        given.pop("age", None)
        given.pop("stage", None)
    _apply(kb, question, message, given, None, state)
    child_topic = question.topic in ("students", "newborn")
    for_someone = bool(message.members)  # a bare "一档" is the pupil's own choice
    if child_topic and "tier" in given and for_someone and not _staged(question):
        question.topic = "tiers"  # "那俺自己呢 交一档" after a pupil's: an adult's amount now
    if "date" in given and not message.topic and question.topic not in DATE_TOPICS:
        # "3月10号" after "再交的话啥时候能开始报": what a payment date decides is when the
        # cover starts (and the wait before it), whatever the first reading of the question
        question.topic = "benefit"
    said_topic = message.topic in words()["word_topics"] and message.topic != previous.topic
    if said_topic and "group" not in given:  # "不是低保户" names the group, not a topic
        question.topic = message.topic
    part = "scheme" in given and _names_a_part(previous, given)
    if {"region", "scheme"} & set(given) and not part:
        # the previous words asked again with the place or scheme now named ("不对 我问的是
        # 养老": 青岛养老分几个档): a composer that re-reads them reads the corrected question
        question.text = question.typed = ask_again(kb, previous.text, names)
    elif move == "correct" and not names_a_part:
        # "不对 我要问的是缴费的事": no part named, the words say which of the answer's facts
        # was meant (relevance reads them with the previous question's)
        question.text = question.typed = f"{previous.text} {said}"
    return question


def _staged(question: Question) -> bool:
    return any(m.get("stage") for m in question.members)


def _same_adults(question: Question, people: list[dict]) -> bool:
    """People of one group word ("俺俩", "老两口") with a tier or amount, as many as the
    question's adults: those adults, not new people."""
    adults = [m for m in question.members if m["role"] in ADULT_ROLES]
    one_word = len({p.get("label") for p in people}) == 1 and len(people) > 1
    chosen = all(p.get("tier") or p.get("amount") for p in people)
    grown = all(p["role"] in ADULT_ROLES for p in people)
    return one_word and chosen and grown and len(adults) == len(people) < len(question.members)


def _is_adult(age: int | None) -> bool:
    """A pupil this old pays an adult's tier ("18岁的高中生" + "一档"): medical.personal's
    adult_age."""
    ages = [v["adult_age"] for v in latest_fact_values("medical.personal") if "adult_age" in v]
    return age is not None and bool(ages) and age >= min(ages)


def _the_speakers_pair(question: Question, people: list[dict]) -> bool:
    """ "俺俩" said alone (the speaker and one more, read_members) after a household with the
    speaker and another adult: those two, told more."""
    pair = len(people) == 2 and all(p["role"] == "self" or p.get("with_self") for p in people)
    adults = [m for m in question.members if m["role"] in ADULT_ROLES]
    return pair and len(adults) >= 2 and any(m["role"] == "self" for m in adults)


def _merge_people(question: Question, people: list[dict], add: bool = False) -> None:
    """People the message names: told more about ("那我自己选一档呢", "孩子上初中": the member
    of that role, the open one first), or added ("再加上我老伴")."""
    couple = [m for m in question.members if m.get("label") in words()["couples"]]
    roles = sorted(p["role"] for p in people)
    if len(couple) == 2 and len(people) == 2 and roles[-1] == "self" and not add:
        # "俺老两口…" then "俺今年66 老伴…71了": the couple is the speaker and the spouse
        at = question.members.index(couple[0])
        rest = [m for m in question.members if m not in couple]
        question.members = rest[:at] + [dict(p) for p in people] + rest[at:]
        return
    for person in people:
        told = {k: v for k, v in person.items() if k not in ("role", "label", "generic")}
        everyone = _everyone_of(question, person) if not add else []
        if everyone:
            for member in everyone:  # "大人都一档": every adult of the household
                member.update(told)
            continue
        # the member of that name first ("婆婆68" is not 公公), else of that role
        same = [m for m in question.members if m.get("label") == person.get("label")]
        same = same or [m for m in question.members if m["role"] == person["role"]]
        same.sort(key=lambda m: not m.get("unclear"))
        if same and (person["role"] == "self" or not add):
            same[0].update(told)
            if person.get("stage"):
                same[0].pop("unclear", None)
        else:
            question.members.append(dict(person))


def _everyone_of(question: Question, person: dict) -> list[dict]:
    """The members a word for a kind of person means when it is not one of them ("大人都一档",
    "老人都七十多"): every member of that kind; none when the word names a member itself."""
    if not person.get("generic") or any(
        m.get("label") == person.get("label") for m in question.members
    ):
        return []
    roles = ADULT_ROLES if person["role"] == "adult" else (person["role"],)
    return [m for m in question.members if m["role"] in roles]


# ---------------------------------------------------------------------- answering
def _scheme(kb: KnowledgeBase, question: Question, person: dict, state: TurnState):
    if question.scheme:
        return question.scheme
    implied = kb.topic(question.topic).implies if question.topic else None
    if implied:
        return implied
    group = STAGE_GROUPS.get(person.get("stage")) or state.group
    if question.med_tiers or person.get("tier") or group in ("大学生", "中小学生", "新生儿"):
        return "medical"
    if question.amounts or person.get("amount"):
        return "pension"
    return None


def _person(question: Question) -> dict:
    return question.members[0] if len(question.members) == 1 else {}


def profile_for(
    kb, question: Question, state: TurnState, region: str, scheme: str | None, year=None
):
    """The one person this question is about, as the calculator's profile."""
    person = _person(question)
    tier = person.get("tier") or (question.med_tiers[0] if len(question.med_tiers) == 1 else None)
    if scheme == "pension":
        amounts = question.amounts
        tier = person.get("amount") or (amounts[0] if len(amounts) == 1 else None)
    return build_profile(
        kb,
        region,
        scheme,
        year=year,
        age=person.get("age", state.age),
        group=STAGE_GROUPS.get(person.get("stage")) or state.group,
        tier=tier,
        birth_date=state.birth_date,
        payment_date=state.payment_date,
    )


def _has_details(question: Question, state: TurnState, scheme: str | None = None) -> bool:
    """Whether the calculator has anything to go on; a medical tier says nothing about a
    pension question ("最高一档" is not 一档), nor a pension amount about a medical one."""
    person = _person(question)
    if len(question.med_tiers) > 1 and not person.get("tier") and not question.members:
        return False  # "青岛医保一档二档都多少": both tiers' figures, nobody's own
    tier = (person.get("tier") or question.med_tiers) if scheme != "pension" else None
    amount = (person.get("amount") or question.amounts) if scheme != "medical" else None
    said = (person.get("age"), person.get("stage"), tier, amount)
    return any(said) or bool(state.age or state.group or state.payment_date)


def topic_facts(
    kb: KnowledgeBase,
    topic: str,
    region: str,
    scheme: str | None,
    *,
    year: int | None = None,
    said: str = "",
    asked: str = "",
    district: str | None = None,
) -> tuple[str, list[Fact]]:
    """A region's facts on a topic, or a plain statement that its documents are silent; the
    facts rendered (or, when silent, the hotlines to ask)."""
    if topic == "hotline":
        place = kb.resolve_place(district) if district else None
        in_region = district if place and place.region == region else None
        facts = kb.hotlines(region, scheme, in_region, year)
    else:
        spec = kb.topic(topic)
        facts = [
            f for t in spec.fact_topics for f in kb.facts(region, year, topic=t, scheme=scheme)
        ]
        if not facts:
            # no rules of its own (山亭's students): the facts topics.yml names still answer it
            facts = [f for f in (kb.fact(region, k, year) for k in spec.fallback_keys) if f]
        if not facts or all(f.status == "not_stated" for f in facts):
            facts += [
                f for t in spec.fallback for f in kb.facts(region, year, topic=t, scheme=scheme)
            ]
        if topic == "hardship" and all(f.status == "not_stated" for f in facts):
            # another fact of the region may still cover the group (威海's 300 tier)
            named = [w for w in words()["hardship_words"] if w in said]
            facts += facts_naming(kb, region, named or words()["hardship_words"], scheme, year)
    if not facts:
        return render.not_stated_text(kb, region, kb.topic(topic).title), kb.hotlines(region)
    if not kb.topic(topic).whole:
        facts = relevant(kb, facts, asked)  # "怎么用支付宝交": that channel
    else:
        facts = asked_first(kb, facts, asked)  # "缴费问题找谁": the tax office first
    return render.facts_text(facts, kb), facts


def _tier_question(kb: KnowledgeBase, region: str, scheme: str) -> str:
    if scheme == "medical":
        rates = kb.fact(region, "medical.personal").value
        tiers = adult_tiers(kb, region)
        options = "、".join(f"{k}{rates[k]}元" for k in tiers)
        name = vocabulary.scheme("medical").name
        count = "两" if len(tiers) == 2 else str(len(tiers))
        return (
            f"{kb.region_name(region)}{kb.year_for(region)}年度成年{name}分{count}档"
            f"（{options}），您选的是哪一档？"
        )
    tiers = kb.fact(region, "pension.tiers").value["tiers"]
    options = "、".join(f"{t}元" for t in tiers)
    name = vocabulary.scheme("pension").name
    return f"{kb.region_name(region)}{name}可选档次：{options}。您选哪一档？"


def _ask(turn_parts, state: TurnState, piece: str, text: str, **waiting) -> Waiting | None:
    """Asks for one piece once: a piece asked before is not asked again."""
    if piece in state.asked_for:
        return None
    turn_parts.append((text, []))
    return Waiting([piece], **waiting)


def _region_question(kb: KnowledgeBase) -> str:
    names = list(kb.regions.values())
    return f"请问您问的是哪个地区？{'、'.join(names[:-1])}还是{names[-1]}？"


def _year_for(kb: KnowledgeBase, state: TurnState, region: str, parts: list) -> int | None:
    """The asked policy year when the region has it; else a note that it has not, and None
    (the region's latest year answers)."""
    if state.year is None:
        return None
    if state.year in kb.region_years(region):
        return state.year
    parts.append(
        (
            f"{kb.region_name(region)}还没有{state.year}年度的资料，" f"下面是{kb.year_for(region)}年度的规定。",
            [],
        )
    )
    return None


def _topic_answer(kb, question: Question, state: TurnState, parts: list) -> Waiting | None:
    """An ordinary topic question: the person's figure when the calculator can say it, the
    region's facts otherwise; asks for the scheme or the tier when that is all that is missing."""
    topic = question.topic
    spec = kb.topic(topic)
    waiting = None
    for region in question.regions:
        year = _year_for(kb, state, region, parts)
        person = _person(question)
        scheme = _scheme(kb, question, person, state)
        personal, way_first = None, False
        if spec.personal and _has_details(question, state, scheme):
            if scheme is None and len(question.regions) == 1:
                names = "还是".join(kb.scheme_label(s) for s in kb.schemes)
                asked = _ask(parts, state, "scheme", f"您问的是{names}？")
                if asked:
                    return asked
            elif scheme == "pension" and len(question.amounts) > 1:
                # "交八百 补多少 交一千呢": each amount said, not a question which one
                personal = _each_amount(kb, question, state, region, year)
            elif scheme:
                profile = profile_for(kb, question, state, region, scheme, year)
                result = calculate(kb, profile)
                if result.status in ("ok", "invalid", "not_covered"):
                    # "威海23岁的大学生医保怎么交": the person's own way to pay is the answer
                    way_first = question.wants("how", "where") and bool(result.way_to_pay)
                    personal = (render.result_text(result, way_first), result.facts)
                elif result.benefit_start and not spec.asks_amount:
                    personal = (render.benefit_text(result), result.facts)
                elif "tier" in result.missing and spec.asks_amount and len(question.regions) == 1:
                    waiting = _ask(parts, state, "tier", _tier_question(kb, region, scheme))
                    if waiting:
                        return waiting
        if personal and spec.asks_amount:
            parts.append(personal)
            continue
        facts = topic_facts(
            kb,
            topic,
            region,
            scheme,
            year=year,
            said=question.text,
            asked=question.text,
            district=state.district,
        )
        dated = bool(state.birth_date or state.payment_date)
        # the person's own figure leads when a date, their way to pay or an amount was asked
        # ("how much is Qingdao college student 医保": 150 before who collects it)
        own_first = dated or way_first or question.wants("amount")
        first, then = (personal, facts) if own_first else (facts, personal)
        parts.extend([p for p in (first, then) if p])
    return waiting


def _each_amount(kb, question: Question, state: TurnState, region: str, year):
    """The calculator's answer for each pension amount the message said, one after another."""
    texts, facts = [], []
    for amount in question.amounts:
        one = dataclasses.replace(question, amounts=[amount])
        result = calculate(kb, profile_for(kb, one, state, region, "pension", year))
        if result.status in ("ok", "invalid", "not_covered"):
            texts.append(render.result_text(result))
            facts += [f for f in result.facts if f not in facts]
    return ("\n\n".join(texts), facts) if texts else None


def household_waiting(question: Question) -> Waiting:
    """What a household answer asked about: any member's piece answers it (the composer asks
    about the open members and the adults' tiers together)."""
    pieces_ = ["tier", "age", "stage", "members"]
    return Waiting(pieces_ + (["amount"] if "pension" in question.schemes else []))


def _needs_no_region(kb: KnowledgeBase, question: Question) -> bool:
    """A look-alike question ("职工医保", outside what the documents cover), an unsafe payment
    or a question about the documents: answered for every region at once, none asked first (a
    warning must not wait for a place; the answer offers each region's own rule)."""
    return declines.asked(question) or documents_answer.asked(kb, question)


def _family_total(question: Question) -> bool:
    if any(w in question.text for w in words()["turn"].get("one_person", [])):
        return False  # "总共 一个人 多少": one person's total
    return question.topic == "household" or question.wants("family") and question.wants("total")


def _ask_missing(kb, question: Question, state: TurnState, parts: list) -> Waiting | None:
    """Once the place is known, the pieces a total cannot do without, each asked once: who is
    in the family ("威海医保一家多少"), or the tiers of both schemes added up ("养老和医保一共
    多少"); whatever order they come in, the next message is read as their answer."""
    if len(question.regions) != 1:
        return None
    region = question.regions[0]
    both = len(question.schemes) > 1
    if _family_total(question) and not question.members and not both:
        return _ask(parts, state, "members", MEMBERS_QUESTION)
    chosen = any(m.get("tier") or m.get("amount") for m in question.members)
    said = question.amounts or question.med_tiers or chosen or len(question.members) > 1
    if both and question.wants("total") and not said:
        if {"tier", "amount"} & set(state.asked_for):
            return None
        text = _tier_question(kb, region, "pension") + "\n" + _tier_question(kb, region, "medical")
        parts.append((text, []))
        return Waiting(["amount", "tier"])
    return None


def _answer(kb, question: Question, state: TurnState, parts: list):
    no_region = _needs_no_region(kb, question)
    if not question.regions and not question.all_regions and not no_region:
        waiting = _ask(parts, state, "region", _region_question(kb))
        if waiting:
            return waiting
        question.all_regions = True  # asked once already: every region's answer
    waiting = _ask_missing(kb, question, state, parts)
    if waiting:
        return waiting
    if question.topic == "household":
        question.topic = "tiers"  # a household's question is what it pays
    composed = compose(kb, question)
    if composed is not None:
        parts.append((composed.text, composed.facts))
        return household_waiting(question) if composed.missing else None
    if question.all_regions and len(question.regions) < 2:
        question.regions = list(kb.regions)
    if not question.topic:
        if _has_details(question, state) or question.schemes or state.asked_for:
            # after the assistant's own question the reply answers it: what one pays
            question.topic = "tiers"
        else:
            names = "、".join(kb.region_name(r) for r in question.regions)
            parts.append((f"好的，{names}。您想了解什么？", []))
            return Waiting(["topic"])
    return _topic_answer(kb, question, state, parts)


def answer_turn(
    kb: KnowledgeBase, text: str, state: TurnState | None = None, topic: str | None = None
) -> Turn:
    """Answers one message in a conversation; ``topic`` is the classifier's, when there is one.

    Returns the reply and the conversation's new state (the caller keeps it for the next turn).
    """
    state = copy.deepcopy(state) if state else TurnState()
    message = read_question(kb, text)
    said_ages(text, message.members)
    move = read_move(kb, text, message, state)
    place = kb.resolve_place(read_spoken(text).text) if text else None
    if place:
        # "莱西的医保电话": its own hotline; "那即墨呢": 即墨's, not 莱西's; a question that
        # names no place keeps the region, and the district with it ("电话呢")
        state.district = place.district
    question = merge(kb, text, message, state, move)
    if move == "new":
        previous = state.previous()
        if previous and not question.regions and not question.all_regions:
            question.regions = list(previous.regions)
        if previous and not question.schemes and previous.scheme:
            question.schemes = [previous.scheme]
        question.topic = answer_topic(question, topic) or question.topic
        if _polite_ask(kb, question):
            question.topic = "tiers"  # "我想咨询下医保一档一年多少钱": the amount, not a phone
        _carry_person(question, previous)
        if previous and not question.topic and _asks_again(text):
            # "那交钱的事呢", "养老政策呢", "那给俺老丈人交呢": the previous question's topic
            question.topic = previous.topic
        state.asked_for = []
        state.year = asked_year(kb, text)
        _personal_details(kb, text, message, state)
    elif asked_year(kb, text):
        state.year = asked_year(kb, text)  # "那2024年呢"
    parts: list = []
    state.waiting = None
    waiting = _answer(kb, question, state, parts)
    state.remember(question)
    state.waiting = waiting
    if waiting:
        state.asked_for = list(dict.fromkeys(state.asked_for + waiting.pieces))
    return Turn(parts, state, move, waiting.pieces if waiting else [])


def asked_year(kb: KnowledgeBase, text: str) -> int | None:
    """A policy year the message names that the knowledge base holds, else None."""
    years = [int(y) for y in _YEAR.findall(normalize_text(text)) if int(y) in kb.years]
    return years[0] if years else None


def _asks_again(text: str) -> bool:
    """A short "…呢" that names no topic of its own asks the previous one about something else."""
    said = re.sub(r"[\s，,。.？?！!~～]", "", normalize_text(text))
    return len(said) <= 14 and said.endswith("呢")


def set_aside(kb: KnowledgeBase, text: str, state: TurnState | None = None) -> TurnState:
    """The state after a message answered outside the turn (another place, another year):
    the question is kept as asked, so "打错了 是威海" corrects it; nothing is waited for."""
    state = copy.deepcopy(state) if state else TurnState()
    state.remember(read_question(kb, text))
    state.waiting, state.asked_for = None, []
    return state


def _personal_details(kb: KnowledgeBase, text: str, message: Question, state: TurnState) -> None:
    """A new question's own details of the speaker ("我今年67", "3月10号交的")."""
    given = pieces(kb, normalize_text(text), message, None)
    if "age" in given and len(message.members) <= 1:
        state.age = given["age"]
    if "date" in given:
        state.payment_date = iso(given["date"])
    if "born" in given:
        state.birth_date = iso(given["born"])
    if "group" in given:
        state.group = given["group"] or None


def source_of(turn: Turn) -> str:
    """The source line of every fact the turn used."""
    return source_line(turn.facts)
