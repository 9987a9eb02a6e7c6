"""One question per turn: what a resident's message asks, read once, in one place.

``read_question(kb, text)`` turns a message as residents type it (spoken style, dialect words,
no punctuation) into a :class:`Question`: the regions (one, several or all), the schemes, the
medical tiers and pension amounts named, the people and their attributes, and what kind of
answer is wanted (yes/no, comparison, difference, total, minimum…). The chat, the staff console
and the CLI all read questions this way; ``policy_kb.answering.compose`` answers them. The words it looks
for are data (``sources/questions.yml``), not code.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re

from policy_kb.data import vocabulary
from policy_kb.data.kb import KnowledgeBase
from policy_kb.data.vocabulary import words
from policy_kb.reading.household import read_members
from policy_kb.reading.spoken import read_spoken
from policy_kb.text.normalize import normalize_text

_AMOUNT = re.compile(r"(\d{3,5})(?:元|块)?(?:档|的档|元档)")
# "2023年青岛养老交的300档": a choice made in an earlier year
_PAST_CHOICE = re.compile(r"(20\d\d)年.{0,8}?(?:交的|选的|缴的|交了|选了)")
_AMOUNT_CHOICE = re.compile(r"(?:选|交|缴|按)(?:的)?(\d{3,5})(?![\d岁年月日号])")


@dataclasses.dataclass
class Question:
    """What one message asks. Empty fields mean the message did not say."""

    text: str
    # the message as typed (normalised) before the spoken reader joined its pauses: where one
    # question ends and the next begins ("二档多少钱 什么时候截止"), for answering each in turn
    typed: str = ""
    regions: list[str] = dataclasses.field(default_factory=list)
    all_regions: bool = False
    schemes: list[str] = dataclasses.field(default_factory=list)
    kinds: set[str] = dataclasses.field(default_factory=set)
    med_tiers: list[str] = dataclasses.field(default_factory=list)
    amounts: list[int] = dataclasses.field(default_factory=list)
    members: list[dict] = dataclasses.field(default_factory=list)
    not_hardship: bool = False
    channel: dict | None = None
    last_year_choice: bool = False
    other_year: bool = False  # 明年, 后年: a year said relative to now
    # the topic (topics.yml id): the NLU's when the chat sets it, else the KB's keywords
    topic: str | None = None
    mixed_language: bool = False  # English or pinyin words read as Chinese (translate_mixed)

    def wants(self, *kinds: str) -> bool:
        return any(k in self.kinds for k in kinds)

    @property
    def scheme(self) -> str | None:
        return self.schemes[0] if len(self.schemes) == 1 else None

    @property
    def household(self) -> bool:
        """Several people, or one person's total across both schemes."""
        return len(self.members) > 1


def _found(text: str, terms: list[str]) -> bool:
    return any(t in text for t in terms)


def _kinds(text: str) -> set[str]:
    kinds = {kind for kind, terms in words()["kinds"].items() if _found(text, terms)}
    if not _found(re.sub(r"最.", "", text), words()["kinds"]["difference"]):
        kinds.discard("difference")  # "最高多少" asks the highest, not a difference (高多少)
    if re.search(r"比.{1,10}(贵|便宜|高|低)", text):
        kinds.add("compare")  # "青岛的医保比威海贵吗"
    if re.search(r"(能|可以|行|要|用|让|给).{0,12}不[？?。！!]?$", text) or re.search(
        r"(?:能|可以|行|用|让|给|要.).{0,12}不[，,\s]", text  # not "要不，先交一档"
    ):
        kinds.add("yes_no")  # spoken "能交不", "让交不" (then, maybe, why: "我身体好好的")
    if "yes_no" in kinds and not re.search(
        r"(能|可以|可不可以|行|要|用|需|有|是|算|还能|交|缴|参加|参保|办).{0,12}(吗|么|不)?", text
    ):
        kinds.discard("yes_no")
    if re.search(r"多少|几|啥时候|什么|哪些|哪个|怎么|咋|多钱|哪里|哪儿|谁", text):
        # "能交多少" asks an amount, "哪个贵吗" still compares: not a yes/no
        kinds.discard("yes_no")
    return kinds


def _regions(kb: KnowledgeBase, text: str) -> list[str]:
    """Covered regions in the order the message names them (districts name Qingdao)."""
    found: list[tuple[int, str]] = []
    for alias, region, _district in kb.aliases:
        at = text.find(alias)
        if at >= 0 and region not in [r for _, r in found]:
            found.append((at, region))
    return [region for _, region in sorted(found)]


def _schemes(kb: KnowledgeBase, text: str) -> list[str]:
    found = []
    for scheme, (_, keywords) in kb.schemes.items():
        positions = [text.find(k) for k in keywords if k in text]
        if positions:
            found.append((min(positions), scheme))
    return [scheme for _, scheme in sorted(found)]


def _channel(text: str) -> dict | None:
    """The payment channel, or the other yes/no subject (subjects.yml), a message asks about."""
    for channel in words()["channels"]:
        if _found(text, channel["words"]):
            return channel
    for subject in words().get("subjects", []):
        patterns = subject.get("patterns", [])
        if _found(text, subject["words"]) or any(re.search(p, text) for p in patterns):
            return subject
    return None


def _negated_groups(text: str) -> list[str]:
    """The hardship groups a message says someone is not ("非低保", "也不是低保户")."""
    negations, groups = words()["negations"], words()["hardship_words"]
    return [
        m.group(0)
        for n in negations
        for g in groups
        for m in [re.search(re.escape(n) + r".{0,4}" + re.escape(g), text)]
        if m
    ]


def _not_hardship(text: str) -> bool:
    return bool(_negated_groups(text))


def _topic(kb: KnowledgeBase, text: str) -> str | None:
    """The topic the words point at (topic_words)."""
    return kb.detect_topic(topic_words(kb, text))


def topic_words(kb: KnowledgeBase, text: str) -> str:
    """The words that may name a topic: the groups said not to apply left out ("非低保 非特困
    咨询…个人缴费金额" asks an amount, not about the hardship groups), and so is the place's own
    household registration."""
    for negation in words()["negations"]:
        for group in words()["hardship_words"]:
            text = re.sub(re.escape(negation) + r".{0,4}?" + re.escape(group), " ", text)
    # "儿子十七 不上学了": no longer a student, so not the students' topic
    text = re.sub(r"(?:不|没|没有|不再)(?:上学|念书|读书|上了)", " ", text)
    # "公公婆婆青岛户口": the place's own household registration is who they are, not a
    # question about who may enrol (外地户口, 户口不在… still are)
    places = "|".join(re.escape(a) for a, _region, _district in kb.aliases) + "|本地|本市|本区"
    text = re.sub(rf"(?:{places})(?:的)?(?:户口|户籍)(?!不)", " ", text)
    text = re.sub(rf"(?:户口|户籍)(?:就)?(?:落|在|落在|落到|上在|迁到|是)(?:了)?(?:{places})", " ", text)
    return text


def read_question(kb: KnowledgeBase, text: str) -> Question:
    """Reads a message into a :class:`Question` (no NLU needed: the words are data).

    A turn reads its message several times (the form, the answer, the follow-up check): the
    reading is cached per text and handed out as a copy the caller may change.
    """
    return copy.deepcopy(_read(kb, text or ""))


def translate_mixed(text: str) -> str:
    """ "how much is Qingdao college student 医保" → "多少 Qingdao 大学生 医保": the English
    and pinyin words of ``mixed_language`` (questions.yml) read as Chinese."""
    if not re.search(r"[A-Za-z]{2,}", text):
        return text
    table = words().get("mixed_language") or {}
    for phrase in sorted(table, key=len, reverse=True):
        pattern = r"(?<![A-Za-z])" + re.escape(phrase).replace(r"\ ", r"\s*") + r"(?![A-Za-z])"
        text = re.sub(pattern, table[phrase], text, flags=re.IGNORECASE)
    # "65 sui" → "65岁", "300 吗" → "300吗": a translated word joins the number it follows
    return re.sub(r"(\d)\s+(?=[岁吗档])", r"\1", text)


@functools.lru_cache(maxsize=512)
def _read(kb: KnowledgeBase, text: str) -> Question:
    original = text
    said = read_spoken(text).text  # a voice transcript as the typed text it stands for
    text = translate_mixed(said)
    lowered = text.lower()
    question = Question(
        text=text, typed=translate_mixed(normalize_text(original)), mixed_language=text != said
    )
    question.regions = _regions(kb, lowered)
    question.all_regions = _found(text, words()["all_regions"])
    question.schemes = _schemes(kb, lowered)
    # "能交100的不 想先交个最低的": the clause's end is seen only where the pauses are kept
    question.kinds = _kinds(text) | (_kinds(question.typed) & {"yes_no"})
    question.med_tiers = vocabulary.medical_tiers_in(text)
    amounts = [int(a) for a in _AMOUNT.findall(text) + _AMOUNT_CHOICE.findall(text)]
    lowest = kb.lowest_pension_tier() or 0  # a smaller number is no pension tier
    question.amounts = list(dict.fromkeys(a for a in amounts if a >= lowest))
    question.members = read_members(text)
    question.not_hardship = _not_hardship(text)
    question.channel = _channel(text)
    question.last_year_choice = _found(text, words()["last_year_choice"]) or any(
        int(year) < (kb.default_year or 0) for year in _PAST_CHOICE.findall(text)
    )
    question.other_year = _found(text, words()["other_years"])
    question.topic = _topic(kb, text)
    return question


def strip_names(kb: KnowledgeBase, text: str) -> str:
    """The text without its place and scheme names (what else does it say?)."""
    for alias, _region, _district in kb.aliases:
        text = text.replace(alias, "")
    for _scheme, (_label, keywords) in kb.schemes.items():
        for keyword in sorted(keywords, key=len, reverse=True):
            text = text.replace(keyword, "")
    return text


def is_follow_up(kb: KnowledgeBase, text: str) -> bool:
    """ "那威海呢", "养老呢", "威海可以这样吗": another region or scheme and nothing else."""
    text = normalize_text(text).lower()
    question = read_question(kb, text)
    if not question.regions and not question.schemes:
        return False
    if question.regions and question.schemes and not re.search(r"呢|那|这样|也|一样", text):
        return False  # "山亭医保" on its own is a new question: the headline amounts
    rest = strip_names(kb, text)
    for filler in sorted(words()["follow_up_fillers"], key=len, reverse=True):
        rest = rest.replace(filler, "")
    return not re.sub(r"[\s，,。.？?！!~～]", "", rest)


def ask_again(kb: KnowledgeBase, previous: str, follow_up: str) -> str:
    """The previous question asked again for the region(s) and scheme a follow-up names."""
    new = read_question(kb, follow_up)
    old = read_question(kb, previous)
    text = normalize_text(previous)
    if new.regions:
        names = "和".join(new.regions)
        for alias, _region, _district in kb.aliases:
            if alias in text.lower():
                text = re.sub(re.escape(alias), "\0", text, flags=re.IGNORECASE)
        text = re.sub("\0(?:(?:和|跟|与|、)\0)*", names, text, count=1).replace("\0", "")
        if not old.regions:
            text = names + text
    if new.schemes and old.schemes and new.schemes != old.schemes:
        label = kb.schemes[new.schemes[0]][1][0]
        for keyword in sorted(kb.schemes[old.schemes[0]][1], key=len, reverse=True):
            text = text.replace(keyword, label)
    elif new.schemes and not old.schemes:
        text = kb.schemes[new.schemes[0]][1][0] + text
    return text


def _shows_doubt(question: Question) -> bool:
    return question.topic in words()["verdict_topics"] or any(
        w in question.text for w in words()["verdict_signs"]
    )


def answer_topic(question: Question, nlu_topic: str | None) -> str | None:
    """The topic to answer: the classifier's, unless the words say plainly what is wanted.

    "威海养老咋交" asks how (channels) even when the classifier hears an amount; "俺老伴七十三了
    山亭医保还交不" asks whether (and what) the person pays, not who may enrol.
    """
    if question.topic in words()["word_topics"]:
        return question.topic
    if nlu_topic in words()["verdict_topics"] and not _shows_doubt(question):
        return question.topic  # "本人45岁也交 问三人合计" is never told "不正常"
    if question.mixed_language and question.topic:
        return question.topic  # the classifier reads Chinese: the words read as Chinese decide
    if question.topic in ("waiting", "benefit") and nlu_topic == "deadline":
        # "过了截止日期还能交吗": late payment and its waiting period; "什么时候开始享受":
        # when cover starts, not when to pay
        return "benefit"
    if question.topic == "hotline" and nlu_topic in ("tiers", "channels"):
        return "hotline"  # "电话多少": phone words are unambiguous
    if nlu_topic in ("students", "newborn") and question.wants("where"):
        return "channels"  # "青岛小学生医保在哪交": who collects it (the school)
    if nlu_topic == "household" and not question.members and not question.wants("family"):
        return "tiers"  # "一共有几个档" is about the tiers, not a family
    if nlu_topic == "tiers" and question.wants("how") and not question.wants("amount"):
        return "channels"
    if nlu_topic in ("eligibility", "registration") and question.wants("must_pay"):
        return "tiers"
    return nlu_topic
