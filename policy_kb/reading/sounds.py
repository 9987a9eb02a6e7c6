"""The domain's words matched by how they sound, for transcripts of speech.

Speech recognition writes a place or a policy word it does not know as another word that sounds
the same: 清岛 for 青岛, 为海 for 威海, 一当 for 一档, 一宝 for 医保. This module finds such
spellings in a message segmented by jieba and says which domain word each one stands for.

- The words come from :mod:`policy_kb.data.vocabulary` (regions.yml, topics.yml, questions.yml and
  the facts' tier names); nothing is typed here but the sound rules and the context words.
- Sound: toneless pinyin (pypinyin, every reading of a character) with the confusions of
  recognisers and regional accents folded together: n/l, zh/z, ch/c, sh/s, h/f, an/ang,
  en/eng, in/ing.
- Which spellings are ordinary words is read from jieba's packaged dictionary in a tokenizer of
  the matcher's own, never from jieba's shared one (which other readers extend at run time).
- A sound-only match is taken only when the context fits its kind (a place where a place is
  expected, a tier next to a payment verb or a person, …). A word of jieba's dictionary ("请到",
  "一旦", "老山") is never taken on a folded sound, and as a place only between a place's words
  on both sides ("我是老山的") or on its own: a typed message keeps its meaning.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from policy_kb.data import vocabulary
from policy_kb.data.vocabulary import words

_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
# What separates the words a resident said on their own: a pause, a comma.
_PAUSES = " ，,、。？?！!"
# A span that is a word of jieba's dictionary (老山, 一旦, even 请到 with frequency 3) may be meant
# as written: it is read by sound only when it sounds exactly like the domain word and, for a
# place, with a place's words on both sides ("我是成阳的"), never with the confusions folded.
COMMON_WORD_FREQ = 1
_INITIALS = (
    ("zh", "z"),
    ("ch", "c"),
    ("sh", "s"),
    ("n", "l"),
    ("f", "h"),
)
_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))

# Context words: what is said next to a word of each kind. Sentence grammar, not policy data.
_PLACE_BEFORE = ("在", "是", "住", "俺们", "我们", "咱们", "咱", "那", "回", "去", "户口", "老家")
_PLACE_AFTER = (
    "的",
    "市",
    "区",
    "这边",
    "那边",
    "这里",
    "那里",
    "本地",
    "人",
    "呢",
    "吗",
    "户口",
    "户籍",
    "城乡",
    "居民",
)
_TIER_NEAR = re.compile(r"[交缴选按买是都也上][了的]?$|[俺我他她]$")
_AMOUNT_AFTER = re.compile(r"(?:也|还|就)?(?:是|要|交)?\d")
_TIER_AFTER = ("的", "还是", "和", "或", "呢", "吗", "多少", "是多少", "交多少")
_SCHEME_MONEY = re.compile(r"[交缴钱费档]|多少|报销|一共|几")
_GROUP_BEFORE = re.compile(r"(是|属于|有|家|算|俺|我|他|她)$")
_GROUP_AFTER = ("户", "人员", "对象", "家庭", "证", "的")
_NOUN_ASKED_AFTER = re.compile(r"^(?:是|的)?(?:多少|几号|号码|是啥|是什么)")
_NOUN_ASKED_BEFORE = re.compile(r"打(?:哪个|什么|啥)?$")
_CHANNEL_BEFORE = re.compile(r"(用|在|通过|上|去|拿|走)$")
_CHANNEL_AFTER = re.compile(r"^.{0,3}(交|缴|付|支付|扣)")


@dataclasses.dataclass(frozen=True)
class Term:
    """A domain word: its text, its kind and how an answer names what was understood."""

    text: str
    kind: str  # place, scheme, tier, group, channel, term
    shown: str


@dataclasses.dataclass(frozen=True)
class Heard:
    """A span of a message read as a domain word by its sound only."""

    start: int
    end: int
    said: str
    term: Term


# ---------------------------------------------------------------------- sound
def fold(syllable: str) -> str:
    """A toneless syllable with the confusable initials and finals folded together."""
    for long, short in _INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


@functools.lru_cache(maxsize=4096)
def word_sound(word: str) -> tuple[str, ...]:
    """The toneless pinyin of a text, one syllable per character ("?" for what is no Chinese).

    pypinyin's usual readings, phrase readings first: rare readings (百 "mo", 有 "wei") would
    hear domain words everywhere.
    """
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(word, style=Style.NORMAL, errors=lambda chars: ["?"] * len(chars)))


def sounds_like(said: str, term: str, heard: tuple[str, ...] | None = None) -> str | None:
    """ "exact" when the span reads as the term's syllables, "folded" when only with the
    confusions, None when the sounds differ. ``heard``: the span's syllables as read in its
    sentence (default: read on its own)."""
    sound, heard = word_sound(term), heard or word_sound(said)
    if len(said) != len(term) or len(sound) != len(heard):
        return None
    # a character the term itself has sounds as in the term (会 of 会计 is kuai, not hui)
    heard = tuple(t if a == b else h for a, b, h, t in zip(said, term, heard, sound))
    if heard == sound:
        return "exact"
    if all(fold(a) == fold(b) for a, b in zip(heard, sound)):
        return "folded"
    return None


# ---------------------------------------------------------------------- vocabulary
def _cjk(names) -> list[str]:
    return [str(n) for n in names if _CJK_WORD.match(str(n))]


def _place_terms() -> list[Term]:
    terms = []
    for region in vocabulary.regions():
        for name in _cjk([region["id"], region["name"], *region.get("aliases", [])]):
            terms.append(Term(name, "place", str(region["name"])))
        for district in region.get("districts", []):
            shown = max(_cjk([district["id"], *district.get("aliases", [])]) or [""], key=len)
            for name in _cjk([district["id"], *district.get("aliases", [])]):
                terms.append(Term(name, "place", shown))
        part_of = region.get("part_of") or {}
        for name in _cjk([part_of.get("name"), *part_of.get("aliases", [])]):
            terms.append(Term(name, "place", str(part_of["name"])))
    return terms


def _other_terms() -> list[Term]:
    terms = []
    for scheme in vocabulary.schemes().values():
        for name in _cjk([scheme.name, scheme.short, *scheme.keywords]):
            terms.append(Term(name, "scheme", scheme.name))
    for tier in vocabulary.medical_tiers():
        terms.append(Term(tier, "tier", tier))
    for group in _cjk(words()["hardship_words"]):
        terms.append(Term(group, "group", group))
    for channel in words()["channels"]:
        for name in _cjk(channel["words"]):
            terms.append(Term(name, "channel", str(channel["label"])))
    return terms + _word_terms()


def _word_terms() -> list[Term]:
    """Topic keywords and household words of three characters or more that are words of
    jieba's dictionary (居住证, 新生儿, 大学生; not phrases such as 交多少): read by their exact
    sound only, in a message about the domain, and not named in the answer's note."""
    members = [w for entry in words()["members"] for w in entry["words"]]
    return [
        Term(word, "term", "")
        for word in _cjk([*vocabulary.topic_keywords(), *members])
        if len(word) >= 3 and common_word(word)
    ] + [
        Term(word, "noun", "")
        for word in _cjk(vocabulary.topic_keywords())
        if len(word) == 2 and common_word(word) and _word_tags().get(word, "").startswith("n")
    ]


@functools.lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """The part of speech of the words of jieba's packaged dictionary (n… for nouns)."""
    import jieba.posseg

    _dictionary()
    own = jieba.posseg.POSTokenizer(_tokenizer())
    return own.word_tag_tab


def _folded(text: str) -> tuple[str, ...]:
    return tuple(fold(s) for s in word_sound(text))


@functools.lru_cache(maxsize=1)
def domain_terms() -> tuple[Term, ...]:
    """Every domain word, longest first (a longer name wins an overlap)."""
    seen: dict[str, Term] = {}
    for term in _place_terms() + _other_terms():
        seen.setdefault(term.text, term)
    return tuple(sorted(seen.values(), key=lambda t: -len(t.text)))


@functools.lru_cache(maxsize=1)
def sound_targets() -> tuple[Term, ...]:
    """The domain words a misheard span is written as: of the names that sound the same (青岛
    and the typo alias 青到, 医保 and 医宝), the one jieba knows best, so a transcript gets the
    proper spelling."""
    freq = _dictionary()
    best: dict[tuple, Term] = {}
    for term in domain_terms():
        key = (term.kind, term.shown, _folded(term.text))
        kept = best.get(key)
        if kept is None or freq.get(term.text, 0) > freq.get(kept.text, 0):
            best[key] = term
    return tuple(sorted(best.values(), key=lambda t: -len(t.text)))


@functools.lru_cache(maxsize=1)
def _dictionary() -> dict[str, int]:
    """The word frequencies of jieba's own dictionary, in a tokenizer of the matcher's own.

    Not jieba's shared tokenizer: the NLU's tokenizer and the search index add their words to
    it at run time (add_word, load_userdict), so what the matcher takes for a common word would
    depend on what ran before in the same process."""
    return _tokenizer().FREQ


@functools.lru_cache(maxsize=1)
def _tokenizer():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    own = jieba.Tokenizer()  # jieba's packaged dictionary, nothing added
    own.initialize()
    return own


def warm_up() -> None:
    """Loads jieba's dictionary and pypinyin's data now, not on a resident's first message."""
    _dictionary()
    _by_first_sound()


def common_word(text: str) -> bool:
    """True for a word of jieba's dictionary (see COMMON_WORD_FREQ)."""
    return _dictionary().get(text, 0) >= COMMON_WORD_FREQ


# ---------------------------------------------------------------------- context
def _around(text: str, start: int, end: int) -> tuple[str, str]:
    """The words before and after a span, the pauses between them left out (as typed)."""
    return text[:start].replace(" ", "").rstrip("，,、"), text[end:].replace(" ", "")


def said_alone(text: str, start: int, end: int) -> bool:
    """True when the span is said on its own: a pause (or the message's edge) on both sides,
    as residents name their region first ("为海 一当多少", "…问问 清岛 小孩的医保")."""
    before = start == 0 or text[start - 1] in _PAUSES
    after = end == len(text) or text[end] in _PAUSES
    return before and after


def _named_by_text(text: str, kinds: tuple[str, ...]) -> bool:
    return any(t.kind in kinds and t.text in text for t in domain_terms())


def _place_fits(text: str, left: str, right: str, common: bool, alone_here: bool) -> bool:
    before = left.endswith(_PLACE_BEFORE)
    # before a scheme, a tier or a place's other name ("为海如山 乳山的")
    after = right.startswith(_PLACE_AFTER) or _named_by_text(right[:4], ("scheme", "tier", "place"))
    alone = not re.sub(r"[\s，,。.？?！!呢吗那的啊呀]", "", left + right)
    if common:  # a common word is a place only where nothing else could be meant
        return (before and after) or alone
    return before or after or alone or alone_here


def _tier_fits(left: str, right: str) -> bool:
    members = [w for entry in words()["members"] for w in entry["words"]]
    return bool(
        _TIER_NEAR.search(left)
        or left.endswith(tuple(members))
        or right.startswith(_TIER_AFTER)
        or _AMOUNT_AFTER.match(right)  # "一当 450", "二当是395", "一当也是450"
        or _named_by_text(left[-4:] + right[:4], ("scheme", "place"))
    )


def _scheme_fits(text: str, left: str, right: str) -> bool:
    if left.endswith(("家", "的", "个", "大", "二", "三")):
        return False  # "我家一宝", "二宝": a child, not the scheme
    rest = left + " " + right
    return bool(_SCHEME_MONEY.search(rest) or _named_by_text(rest, ("place", "tier")))


def fits(term: Term, text: str, start: int, end: int, common: bool) -> bool:
    """True when the words around the span expect a word of the term's kind."""
    left, right = _around(text, start, end)
    if term.kind == "place":
        return _place_fits(text, left, right, common, said_alone(text, start, end))
    if term.kind == "tier":
        return _tier_fits(left, right)
    if term.kind == "scheme":
        return _scheme_fits(text, left, right)
    if term.kind == "group":
        return bool(
            _GROUP_BEFORE.search(left)
            or right.startswith(_GROUP_AFTER)
            or _named_by_text(right[:2], ("scheme",))  # "低包 养老"
        )
    if term.kind == "term":  # a word of the domain's questions, in a question about it
        return not common and _named_by_text(text, ("place", "scheme"))
    if term.kind == "noun":  # a thing asked for: "店话多少", "打哪个 店话"
        asked = _NOUN_ASKED_AFTER.match(right) or _NOUN_ASKED_BEFORE.search(left)
        return bool(asked) and not common and _named_by_text(text, ("place", "scheme"))
    if term.kind == "channel":
        return bool(_CHANNEL_BEFORE.search(left) or _CHANNEL_AFTER.search(right))
    return False


# ---------------------------------------------------------------------- matching
def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every span of two to six Chinese characters.

    A span may start or end inside a jieba token: jieba joins a misheard syllable with its
    neighbour ("地保户" is 地 + 保户, "用典制" is 用典 + 制). jieba's dictionary decides what
    a span may mean as written (:func:`common_word`).
    """
    spans = []
    for start in range(len(text)):
        for end in range(start + 2, min(start + 6, len(text)) + 1):
            if _CJK_WORD.match(text[start:end]):
                spans.append((start, end))
    return spans


def _typed(text: str) -> list[range]:
    """Where the message names a domain word in writing (those are not read again)."""
    found = []
    for term in domain_terms():
        for match in re.finditer(re.escape(term.text), text):
            found.append(range(match.start(), match.end()))
    return found


def _members(text: str) -> list[range]:
    """Where the message names a household member ("为孩子交": 孩子 is a child, not half of a
    misheard 威海): a span that cuts such a word is not read by sound."""
    found = []
    for word in _member_words():
        for match in re.finditer(re.escape(word), text):
            found.append(range(match.start(), match.end()))
    return found


@functools.lru_cache(maxsize=1)
def _member_words() -> tuple[str, ...]:
    """The words of two characters or more naming household members (questions.yml)."""
    return tuple({w for entry in words()["members"] for w in entry["words"] if len(w) > 1})


@functools.lru_cache(maxsize=1)
def _by_first_sound() -> dict[tuple, list[Term]]:
    """The targets by (length, first syllable folded) and (length, first character): only
    these are compared with a span in full."""
    index: dict[tuple, list[Term]] = {}
    for term in sound_targets():
        size = len(term.text)
        for key in ((size, fold(word_sound(term.text)[0])), (size, term.text[0])):
            index.setdefault(key, []).append(term)
    return index


def _candidate(text: str, start: int, end: int, sound: tuple[str, ...]) -> Heard | None:
    said, heard = text[start:end], sound[start:end]
    index, size = _by_first_sound(), end - start
    terms = index.get((size, fold(heard[0])), []) + index.get((size, said[0]), [])
    if not terms:
        return None
    common = common_word(said)  # whatever jieba made of it here ("请" + "到")
    for term in dict.fromkeys(terms):
        if said == term.text:
            continue
        closeness = sounds_like(said, term.text, heard)
        exact_only = common or term.kind in ("term", "noun")
        if closeness is None or (exact_only and closeness != "exact"):
            continue
        if fits(term, text, start, end, common):
            return Heard(start, end, said, term)
    return None


def heard_terms(text: str) -> list[Heard]:
    """The spans of a message read as domain words by sound only, left to right."""
    if not re.search(r"[\u4e00-\u9fff]", text or ""):
        return []
    taken = _typed(text) + _members(text)
    sound = word_sound(text)
    found: list[Heard] = []
    for start, end in sorted(_spans(text), key=lambda s: (s[0], -(s[1] - s[0]))):
        if any(start < r.stop and r.start < end for r in taken):
            continue
        heard = _candidate(text, start, end, sound)
        if heard:
            found.append(heard)
            taken.append(range(start, end))
    return found


def replace_heard(text: str, heard: list[Heard]) -> str:
    """The text with every heard span written as the domain word it stands for."""
    for item in sorted(heard, key=lambda h: -h.start):
        text = text[: item.start] + item.term.text + text[item.end :]
    return text


def known_word(text: str) -> bool:
    """True for a word in jieba's dictionary or a domain word."""
    return _dictionary().get(text, 0) > 0 or any(t.text == text for t in domain_terms())
