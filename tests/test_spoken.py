"""Voice transcripts read as the typed message they stand for (policy_kb.reading.spoken, .sounds)."""

import functools
import json
import pathlib
import random
import re

import pytest
import yaml
from pypinyin import lazy_pinyin

from policy_kb.data import vocabulary
from policy_kb.reading import sounds
from policy_kb.reading.household import read_members
from policy_kb.reading.question import read_question
from policy_kb.reading.spoken import (
    drop_fillers,
    drop_repeats,
    join_pauses,
    read_spoken,
    spoken_numbers,
)
from policy_kb.text.normalize import normalize_text, to_simplified

FILLERS = [
    ("呃 那个 青岛的医保多少钱", "青岛的医保多少钱"),
    ("嗯 威海 养老", "威海 养老"),
    ("喂，你好", "你好"),
    ("哎 就是 俺想问问", "俺想问问"),
    # 那个 before a noun is a word, not a filler
    ("那个档次怎么选", "那个档次怎么选"),
    ("那个 那个孙子上小学", "那个孙子上小学"),
]


@pytest.mark.parametrize("said, typed", FILLERS)
def test_filler_sounds_and_lone_interjections_are_dropped(said, typed):
    assert drop_fillers(said) == typed


REPEATS = [
    ("一共 一共得交多少钱", "一共得交多少钱"),
    ("能 能报销吗", "能报销吗"),
    ("一共，一共多少", "一共多少"),
    ("一共一共多少", "一共多少"),
    # not stutters: "能不能", a list, a word that ends one clause and starts the next
    ("能不能不交", "能不能不交"),
    ("我、我老公、闺女", "我、我老公、闺女"),
    ("刚生完孩子，孩子的医保", "刚生完孩子，孩子的医保"),
]


@pytest.mark.parametrize("said, typed", REPEATS)
def test_a_word_said_twice_is_read_once_and_real_repetitions_stay(said, typed):
    assert drop_repeats(said) == typed


NUMBERS = [
    ("六百五", "650"),
    ("四百六十二", "462"),
    ("一万二", "12000"),
    ("三千档", "3000档"),
    ("两千八", "2800"),
    ("三百八", "380"),
    ("六十五岁", "65岁"),
    ("十五号", "15号"),
    ("二零二四年 一月 十五号", "2024年1月15号"),
    ("二四年", "24年"),
    # "七十多" is kept as said: the household reader reads it (and shows it) as the resident said
    ("七十多岁", "七十多岁"),
    # counts, tiers and words with numerals are not numbers to convert
    ("三个人", "三个人"),
    ("一档二档", "一档二档"),
    ("一共", "一共"),
    ("十分感谢", "十分感谢"),
    ("千万别忘了", "千万别忘了"),
    ("我家二宝", "我家二宝"),
]


@pytest.mark.parametrize("said, typed", NUMBERS)
def test_numbers_said_in_words_become_digits(said, typed):
    assert spoken_numbers(said) == typed


PAUSES = [
    ("俺老伴 交二档", "俺老伴交二档"),
    ("威海 医保 电话", "威海医保电话"),
    # a pause before a person starts the next clause, as a comma would
    ("俺交一档 俺老伴 交二档", "俺交一档 俺老伴交二档"),
    ("一个上初中的孩子 一个上大学的孩子", "一个上初中的孩子 一个上大学的孩子"),
    ("462 395", "462 395"),
]


@pytest.mark.parametrize("said, typed", PAUSES)
def test_pauses_inside_a_clause_are_joined(said, typed):
    assert join_pauses(said) == typed


HEARD = [
    ("清岛的医保多少钱", "青岛的医保多少钱", ["青岛市"]),
    ("为海的养老最低多少", "威海的养老最低多少", ["威海市"]),
    ("我是删亭的", "我是山亭的", ["枣庄市山亭区"]),
    ("那为海呢", "那威海呢", ["威海市"]),
    ("老山区的医保", "崂山区的医保", ["崂山区"]),
    ("青岛 俺交一当", "青岛 俺交一档", ["一档"]),
    ("俺老伴交二当", "俺老伴交二档", ["二档"]),
    ("青岛 一宝 一共交多少", "青岛医保一共交多少", ["居民医保"]),
    ("俺是地保户", "俺是低保户", ["低保"]),
    # a region said on its own between pauses, first or in the middle of a message
    ("为海 孩子上大学 医保多少", "威海 孩子上大学医保多少", ["威海市"]),
    ("让我问问 清岛 小孩的医保", "让我问问青岛 小孩的医保", ["青岛市"]),
    # a word heard is context for the next: 一档 before an amount, then 青岛 before 一档
    ("清岛一当 也是四百五", "青岛一档也是450", ["一档", "青岛市"]),
    ("说二当是三百九十五", "说二档是395", ["二档"]),
    ("青岛 低包 养老 交多少", "青岛低保养老交多少", ["低保"]),
    ("清岛即墨", "青岛即墨", ["青岛市"]),
    # a thing asked for, by its exact sound; not named in the note
    ("威海医保的店话是多少", "威海医保的电话是多少", []),
    ("青岛 医保 有问题打哪个 店话", "青岛医保有问题打哪个电话", []),
]


TIER_AS_DANG = [
    ("山亭 养老 有几个当 最高多少", "山亭养老有几个档最高多少"),
    ("山亭 养老 有一万二的当吗", "山亭养老有12000的档吗"),
    # words with 当 stay; without a scheme no tier is meant
    ("山亭 养老 几个当地人一起交", "山亭养老几个当地人一起交"),
    ("300当时交的医保", "300当时交的医保"),
    ("有几个当", "有几个当"),
]


@pytest.mark.parametrize("said, typed", TIER_AS_DANG)
def test_a_tier_said_as_dang_is_read_where_a_tier_is_counted_or_priced(said, typed):
    assert read_spoken(said).text == typed


@pytest.mark.parametrize("said, typed, understood", HEARD)
def test_domain_words_spelled_by_sound_are_read_where_the_context_expects_them(
    said, typed, understood
):
    spoken = read_spoken(said)
    assert spoken.text == typed
    assert spoken.understood == understood


NOT_HEARD = [
    "请到街道办理",  # 请到 qing dao: no place is expected
    "为何要交医保",
    "请到医保窗口办理",
    "一旦断缴怎么办",  # yi dan ~ yi dang only with an/ang folded: a common word stays
    "我家一宝上小学",  # the first child, not 医保
    "我在老山",  # 老山 is a common word: a place only between a place's words on both sides
    "为孩子交医保",  # 为孩 (wei hai) cuts the word 孩子: a child, not 威海
    "为何俺要交这么多",
    "威海医保我不交多少钱",  # 不交 (bu jiao) is no noun: never 补缴
]


@pytest.mark.parametrize("said", ["山亭 为何 六十多的要交一半", "为何 俺要交这么多"])
def test_a_common_word_said_on_its_own_is_not_taken_for_a_place(said):
    assert read_spoken(said).heard == ()


@pytest.mark.parametrize("typed", NOT_HEARD)
def test_ordinary_words_that_sound_alike_are_left_as_typed(typed):
    spoken = read_spoken(typed)
    assert spoken.heard == ()
    assert spoken.text == typed


def test_the_answer_note_names_what_was_understood():
    spoken = read_spoken("呃 清岛的 俺交一当 医保多少钱")
    assert spoken.note == "（按青岛市、一档计算）"
    assert read_spoken("青岛的医保多少钱").note == ""


def test_a_transcript_is_read_like_its_typed_equivalent(kb):
    said = "呃 那个 清岛的 俺交一当 俺老伴 交二当 那个 那个孙子 上幼儿园 大班 嗯 一宝 三个人 一共 一共得交多少钱"
    typed = "青岛的，俺交一档，俺老伴交二档，孙子上幼儿园大班，医保三个人一共得交多少钱"
    heard, written = read_question(kb, said), read_question(kb, typed)
    assert heard.regions == written.regions == ["青岛"]
    assert heard.schemes == written.schemes
    summary = [(m["role"], m.get("tier"), m.get("stage")) for m in heard.members]
    assert summary == [(m["role"], m.get("tier"), m.get("stage")) for m in written.members]
    assert [m.get("tier") for m in read_members(heard.text)][:2] == ["一档", "二档"]


def test_reading_is_idempotent():
    once = read_spoken("呃 那个 清岛的 俺交一当 六百五 一共 一共多少").text
    assert read_spoken(once).text == once


# ---------------------------------------------------------------------- typed sets unchanged
ROOT = pathlib.Path(__file__).resolve().parent.parent
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\(([^)]+)\)|(\{[^}]+\}))")


def _nlu_examples():
    """(plain text, {annotated words: entity value}) of every NLU training example."""
    for path in sorted((ROOT / "nlu_data").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" not in item:
                continue  # synonyms and lookup tables: names, not messages
            for line in (item.get("examples") or "").splitlines():
                line = line.strip()[2:] if line.strip().startswith("- ") else ""
                annotated = {}
                for words, _entity, spec in _ANNOTATION.findall(line):
                    annotated[words] = json.loads(spec).get("value", words) if spec else words
                yield _ANNOTATION.sub(lambda m: m.group(1), line), annotated


def _typed_turns():
    for path in sorted((ROOT / "tests" / "conversations").glob("*.yml")):
        if path.name == "voice.yml":
            continue  # the voice transcripts themselves
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            yield from (t["user"] for t in case["turns"] if "user" in t)


def _names_of(word: str) -> set[str]:
    """Every name of the region or district (or tier) a word is one of."""
    for region in vocabulary.regions():
        for place in [region, *region.get("districts", [])]:
            names = {str(n) for n in [place["id"], place.get("name"), *place["aliases"]] if n}
            if word in names:
                return names
    return {word}


def test_a_sound_reading_of_the_typed_training_data_agrees_with_its_annotation():
    disagreements = []
    for text, annotated in _nlu_examples():
        for heard in read_spoken(text).heard:
            value = annotated.get(heard.said)
            if value is None or value not in _names_of(heard.term.text):
                disagreements.append((text, heard.said, heard.term.text, value))
    assert disagreements == []


def test_typed_conversations_name_the_same_places_and_tiers_after_reading(kb):
    def named(text):
        places = {region for alias, region, _ in kb.aliases if alias in text.lower()}
        return places, vocabulary.medical_tiers_in(text)

    changed = [t for t in _typed_turns() if named(normalize_text(t)) != named(read_spoken(t).text)]
    assert changed == []


# ---------------------------------------------------------------------- property: homophones
# Confusions of speech recognisers and regional accents, as a table of syllable rewrites; the
# generator below uses only this table and pypinyin, never the matcher.
CONFUSIONS = {
    "initial": [("n", "l"), ("l", "n"), ("zh", "z"), ("z", "zh"), ("ch", "c"), ("c", "ch")]
    + [("sh", "s"), ("s", "sh"), ("h", "f"), ("f", "h")],
    "final": [("ang", "an"), ("an", "ang"), ("eng", "en"), ("en", "eng")]
    + [("ing", "in"), ("in", "ing")],
}


def confusable(syllable: str) -> set[str]:
    """The syllable and what a recogniser may hear instead (one confusion at a time)."""
    out = {syllable}
    for old, new in CONFUSIONS["initial"]:
        if syllable.startswith(old) and not (old in "csz" and syllable[1:2] == "h"):
            out.add(new + syllable[len(old) :])
    for old, new in CONFUSIONS["final"]:
        if syllable.endswith(old) and not (old.endswith("n") and syllable.endswith("ng")):
            out.add(syllable[: -len(old)] + new)
    return out


@functools.lru_cache(maxsize=1)
def _characters_by_sound() -> dict[str, list[str]]:
    """Common characters (one-character words of jieba's dictionary) by toneless pinyin."""
    import jieba

    jieba.dt.initialize()
    chars = [w for w, f in jieba.dt.FREQ.items() if len(w) == 1 and f >= 1000]
    chars = [c for c in chars if to_simplified(c) == c]  # transcripts are in Simplified
    by_sound: dict[str, list[str]] = {}
    for char in sorted(chars):
        if "\u4e00" <= char <= "\u9fff":
            by_sound.setdefault(lazy_pinyin(char)[0], []).append(char)
    return by_sound


def homophones(word: str, count: int, seed: int = 7) -> list[str]:
    """Up to ``count`` other spellings of a word that sound the same or confusably alike."""
    rng = random.Random(seed)
    by_sound, sounds = _characters_by_sound(), lazy_pinyin(word)
    out: set[str] = set()
    for _ in range(count * 20):
        chars = []
        for char, sound in zip(word, sounds):
            pool = [c for s in sorted(confusable(sound)) for c in by_sound.get(s, [])]
            chars.append(rng.choice(pool) if pool and rng.random() < 0.7 else char)
        spelled = "".join(chars)
        if spelled != word:
            out.add(spelled)
        if len(out) >= count:
            break
    return sorted(out)


# A sentence for each kind of word, where that kind of word is expected.
CONTEXTS = {
    "place": "俺是{}的，医保一年交多少",
    "tier": "俺交{}，一年多少钱",
    "scheme": "青岛{}一年交多少钱",
    "group": "俺家是{}户，能减免吗",
    "channel": "能用{}交吗",
    "term": "威海医保 {} 怎么交",
    "noun": "威海医保{}是多少",
}


def _generated():
    for term in sounds.sound_targets():
        for spelled in homophones(term.text, 3):
            yield term, spelled


def _is_another_name(spelled: str) -> bool:
    """A spelling that contains a name as typed ("琴岛思区" holds the alias 琴岛)."""
    return any(t.text in spelled for t in sounds.domain_terms())


def test_homophones_of_the_domain_words_are_read_as_those_words():
    missed, tried = [], 0
    for term, spelled in _generated():
        if _is_another_name(spelled) or sounds.common_word(spelled):
            continue  # a dictionary word may be meant as written (see README)
        if term.kind in ("term", "noun") and lazy_pinyin(spelled) != lazy_pinyin(term.text):
            continue  # the questions' words are read by their exact sound only
        tried += 1
        heard = read_spoken(CONTEXTS[term.kind].format(spelled)).heard
        if not any(h.said == spelled and h.term.shown == term.shown for h in heard):
            missed.append((spelled, term.text, [(h.said, h.term.text) for h in heard]))
    assert tried > 100
    assert missed == []


NO_PLACE_EXPECTED = ["{}一下怎么办理", "麻烦{}告诉我", "我想{}问问", "他说{}的事要交钱"]


def all_homophones(word: str) -> list[str]:
    """Every spelling of a two-character word from the confusion table's common characters."""
    by_sound, (first, second) = _characters_by_sound(), lazy_pinyin(word)
    pools = [
        [c for s in sorted(confusable(sound)) for c in by_sound.get(s, [])]
        for sound in (first, second)
    ]
    return [a + b for a in pools[0] for b in pools[1] if a + b != word]


def _dictionary_look_alikes() -> list[str]:
    """Words of jieba's dictionary that sound like a two-character place name (请到, 老山…)."""
    places = [t.text for t in sounds.sound_targets() if t.kind == "place" and len(t.text) == 2]
    return sorted(
        {w for p in places for w in all_homophones(p) if sounds.common_word(w)}
        - {t.text for t in sounds.domain_terms()}
    )


def test_dictionary_words_that_sound_like_a_place_are_not_read_as_one_where_none_is_expected():
    look_alikes = _dictionary_look_alikes()
    assert len(look_alikes) >= 20  # the generator does find such words
    wrong = [
        sentence.format(word)
        for word in look_alikes
        for sentence in NO_PLACE_EXPECTED
        if read_spoken(sentence.format(word)).heard
    ]
    assert wrong == []


# ---------------------------------------------------------------------- the NLU's parse
RESTORED = [
    ("呃 清岛的 六百五 医保", "青岛的650医保", [(0, 2), (3, 6), (6, 8)], ["清岛", "六百五", "医保"]),
    ("那个 那个 清岛 俺交一当", "青岛俺交一档", [(0, 2), (4, 6)], ["清岛", "一当"]),
    ("青岛医保一档", "青岛医保一档", [(0, 2), (4, 6)], ["青岛", "一档"]),
]


@pytest.mark.parametrize("said, read, spans, words", RESTORED)
def test_the_parse_keeps_the_residents_words_with_entities_on_them(said, read, spans, words):
    from rasa.shared.nlu.training_data.message import Message

    from bot.components.normalizing_tokenizer import ORIGINAL_TEXT
    from bot.components.spoken_text import restore

    entities = [{"start": a, "end": b, "entity": "x", "value": read[a:b]} for a, b in spans]
    message = Message(data={"text": read, ORIGINAL_TEXT: said, "entities": entities})
    restore(message)
    assert message.get("text") == said
    assert [said[e["start"] : e["end"]] for e in message.get("entities")] == words
    assert [e["value"] for e in message.get("entities")] == [read[a:b] for a, b in spans]


# ---------------------------------------------------------------------- independence
def test_the_sound_matcher_ignores_words_added_to_jiebas_shared_dictionary():
    """The NLU's tokenizer and the search index add words to jieba's shared dictionary at run
    time; the matcher reads the same message the same way whatever ran before."""
    import jieba

    sentence, said = "我是亲岛的 医保一档多少钱", "亲岛"  # qin dao: 青岛 with in/ing confused

    def places() -> list[tuple[str, str]]:
        return [
            (h.said, h.term.text) for h in sounds.heard_terms(sentence) if h.term.kind == "place"
        ]

    before = places()
    jieba.dt.initialize()
    saved = dict(jieba.dt.FREQ), jieba.dt.total
    try:
        jieba.add_word(said, freq=100000)  # now a "common word" of the shared dictionary
        after = places()
    finally:
        jieba.dt.FREQ.clear()
        jieba.dt.FREQ.update(saved[0])
        jieba.dt.total = saved[1]
    assert before == [(said, "青岛")]
    assert after == before
