"""Transcripts of speech read as the typed message they stand for.

Residents who speak (WeChat's own recognition of a voice message, a phone keyboard's voice
input) send filler words, stutters, numbers in words, pauses instead of punctuation and domain
words spelled by sound:

    呃 那个 清岛的 俺交一当 俺老伴 交二当 嗯 一宝 三个人 一共 一共得交多少钱
    → 青岛的 俺交一档 俺老伴交二档医保三个人一共得交多少钱   (heard: 清岛→青岛, 一当→一档,
      二当→二档, 一宝→医保)

:func:`read_spoken` does this once; the NLU's first component (bot/components/spoken_form.py)
and the question reader both call it, so the chat, the staff console and the CLI read a
transcript the same way. A typed message comes out as it went in (the tests run every typed
example through it).
"""

from __future__ import annotations

import dataclasses
import functools
import re

from policy_kb.data.vocabulary import scheme_in, words
from policy_kb.reading.sounds import Heard, heard_terms, known_word, replace_heard
from policy_kb.text.normalize import normalize_text
from policy_kb.text.numbers import DIGIT_CHARS, LEADING_DIGITS, cn_to_int, digit_by_digit

# A pause or a comma between words: where a filler or a repeated word stands on its own.
_SEP = r"[\s，,、。！!？?…~～]"
_SEP_OR_EDGE_BEFORE = rf"(?:(?<={_SEP})|^)"
_SEP_OR_EDGE_AFTER = rf"(?={_SEP}|$)"
# Sounds that are never words (呃, 嗯 anywhere); interjections and "that / I mean" when said on
# their own between pauses (那个 before a noun is a word: "那个档次").
_ALWAYS_FILLERS = re.compile(r"[呃嗯]+")
FILLER_WORDS = ("喂", "哎呀", "哎", "唉", "那个", "这个", "就是说", "就是", "然后", "那啥", "呃", "嗯")
_ALONE_FILLERS = re.compile(
    rf"{_SEP_OR_EDGE_BEFORE}(?:{'|'.join(FILLER_WORDS)}){_SEP_OR_EDGE_AFTER}"
)
# "一共 一共得交", "能 能报销": a word said on its own, then again after a pause ("孩子，孩子的"
# ends one clause and starts the next: kept); "一共，一共": a word of two characters or more
# after a comma; "一共一共": a word jieba knows said twice in a row ("能不能" is no stutter)
_REPEATED_AFTER_PAUSE = re.compile(r"(?:(?<=[\s，,])|^)([\u4e00-\u9fff]{1,4})\s+(?=\1)")
_REPEATED_AFTER_COMMA = re.compile(r"(?:(?<=[\s，,])|^)([\u4e00-\u9fff]{2,4})[，,]\s*(?=\1)")
_REPEATED = re.compile(r"([\u4e00-\u9fff]{2,4})\1+")

# 六百五, 一万二, 三千, 四百六十二 (a leading digit: 千万 "by all means", 百姓 are words)
_BIG_NUMBER = re.compile(
    rf"[{LEADING_DIGITS}][千万百](?:[零〇]?[{LEADING_DIGITS}十][十百千]?)*"
    rf"(?:[{LEADING_DIGITS}](?![{DIGIT_CHARS}十]))?"
)
# 七十, 六十五, 十五, 二十 (十 with a digit before or after: 十分 "very" stays a word);
# "七十多" stays as said (the household reader keeps "七十多" as the resident's own words)
_TENS = re.compile(r"(?<![十百千万])(?:[一二三四五六七八九]十[一二三四五六七八九]?|十[一二三四五六七八九])(?![多来几])")
_DIGIT_RUN_YEAR = re.compile(r"[零〇一二三四五六七八九幺]{2,4}(?=\s*年)")
_DIGIT_RUN = re.compile(r"[零〇一二三四五六七八九幺]{5,}")
_MONTH = re.compile(
    r"(?<=\d年)\s*([一二三四五六七八九])(?=\s*月)|(?<![\d\u4e00-\u9fff])([一二三四五六七八九])(?=月\s*\d)"
)
_DAY = re.compile(r"(?<=月)\s*([一二三四五六七八九])(?=\s*[号日])")
_PAUSE = re.compile(r"\s+")
# "有几个当", "一万二的当吗": 档 (a tier) said as 当, where a tier is counted or priced, in a
# message about a scheme; 当时, 当地, 当天 and the like are words and stay.
_TIER_AS_DANG = re.compile(
    r"(?:(?<=\d)|(?<=\d元)|(?<=\d的)|(?<=\d元的)|(?<=几个)|(?<=哪个)|(?<=哪一个)|(?<=几))"
    r"当(?![时地然天月年中前场成做作初选日面])"
)
# Rounds of reading by sound: each may give the next its context; two suffice for a place
# next to a misheard tier, a third is a margin.
_ROUNDS = 3
_DATE_GAP = re.compile(r"(?<=\d)\s*([年月])\s*(?=\d)")


@dataclasses.dataclass(frozen=True)
class Spoken:
    """A message read as typed text, with the words understood by their sound only."""

    text: str
    heard: tuple[Heard, ...] = ()

    @property
    def understood(self) -> list[str]:
        """The names the sound-only readings stand for, as an answer shows them (青岛市, 一档)."""
        return list(dict.fromkeys(h.term.shown for h in self.heard if h.term.shown))

    @property
    def note(self) -> str:
        """ "（按青岛市、一档计算）": what the answer took the misheard words for, so that a
        wrong guess is visible; "" when nothing was read by sound."""
        return understood_note(self.understood)

    def summary(self) -> dict:
        """What the NLU passes on to the actions (plain JSON)."""
        return {
            "heard": [{"said": h.said, "as": h.term.text} for h in self.heard],
            "understood": self.understood,
        }


def understood_note(names: list[str]) -> str:
    """ "（按青岛市、一档计算）" for the names a message was understood to say."""
    return f"（按{'、'.join(names)}计算）" if names else ""


def drop_fillers(text: str) -> str:
    """Without filler sounds and interjections said on their own."""
    text = _ALWAYS_FILLERS.sub(" ", text)
    previous = None
    while previous != text:  # "那个 那个": each one stands alone once the other is gone
        previous = text
        text = _ALONE_FILLERS.sub(" ", text)
    return _squeeze(text)


def drop_repeats(text: str) -> str:
    """Without a word said twice ("一共 一共得交" → "一共得交")."""
    text = _REPEATED_AFTER_PAUSE.sub("", text)
    text = _REPEATED_AFTER_COMMA.sub("", text)
    return _REPEATED.sub(_once_if_word, text)


def _once_if_word(match: re.Match) -> str:
    word = match.group(1)
    if re.search("[不没]", word) or not known_word(word):
        return match.group(0)
    return word


def _number(match: re.Match) -> str:
    value = cn_to_int(match.group(0))
    return str(value) if value is not None else match.group(0)


def spoken_numbers(text: str) -> str:
    """Numbers in words as digits: 六百五 → 650, 一万二 → 12000, 二零二四年 一月 十五号 →
    2024年1月15号. Counts and tiers (三个人, 一档, 二宝) and words (一共, 十分) stay as said."""
    text = _DIGIT_RUN_YEAR.sub(lambda m: digit_by_digit(m.group(0)), text)
    text = _DIGIT_RUN.sub(lambda m: digit_by_digit(m.group(0)), text)
    text = _BIG_NUMBER.sub(_number, text)
    text = _TENS.sub(_number, text)
    text = _MONTH.sub(lambda m: digit_by_digit(m.group(1) or m.group(2)), text)
    text = _DAY.sub(lambda m: digit_by_digit(m.group(1)), text)
    return _DATE_GAP.sub(r"\1", text)


def join_pauses(text: str) -> str:
    """Without the pauses a transcript puts inside a clause ("俺老伴 交二档" is typed
    "俺老伴交二档"). A pause before a person ("一个上初中的孩子 一个上大学的孩子") starts the
    next clause, as a comma would, and stays; so does a space between numbers ("462 395")."""
    return _PAUSE.sub(_pause, text)


def _pause(match: re.Match) -> str:
    text, start, end = match.string, match.start(), match.end()
    if start == 0 or end == len(text):
        return ""
    if text[start - 1].isascii() and text[end].isascii():
        return " "
    following = text[end:].split(" ", 1)[0]
    return " " if any(word in following for word in _person_words()) else ""


@functools.lru_cache(maxsize=1)
def _person_words() -> tuple[str, ...]:
    """The words naming household members (questions.yml ``members``)."""
    return tuple({w for entry in words()["members"] for w in entry["words"]})


def _squeeze(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([，,、。！!？?])\s*", r"\1", text)
    text = re.sub(r"^[，,、。\s]+", "", text)
    return text.strip()


@functools.lru_cache(maxsize=1024)
def read_spoken(text: str) -> Spoken:
    """A message as typed text (see the module docstring); idempotent."""
    plain = normalize_text(text or "")
    # domain words are heard before the pauses are joined: a word said on its own between
    # pauses is a clue ("为海 一当多少": the region, named first)
    text = spoken_numbers(drop_repeats(drop_fillers(plain))) or plain
    # a word heard is context for the next ("清岛一当": 一档 read, 青岛 is a place before a tier)
    heard: list[Heard] = []
    for _ in range(_ROUNDS):
        found = heard_terms(text)
        if not found:
            break
        text, heard = replace_heard(text, found), heard + found
    if scheme_in(text):
        text = _TIER_AS_DANG.sub("档", text)
    return Spoken(join_pauses(text) or plain, tuple(heard))
