"""Chinese tokenisation for full-text search (jieba, with the words it is given kept whole).

The KB's own names (places, schemes) are data: policy_kb.data.search hands them in."""

from __future__ import annotations

import functools
import logging
import re

from policy_kb.text.normalize import normalize_text

# Words jieba's default dictionary splits badly; adding them keeps e.g. 居民医保 one token
# both when the index is built and when a query is tokenised. The names of places and schemes
# are added by the caller (policy_kb.data.search.domain_words).
DOMAIN_WORDS = (
    "一档",
    "二档",
    "集中缴费期",
    "等待期",
    "批扣",
    "参保登记",
    "新参保",
    "大学生",
    "少年儿童",
    "新生儿",
    "低保",
    "特困",
    "低保边缘",
    "监测帮扶",
    "重度残疾",
    "代缴",
    "补缴",
    "退费",
    "改档",
    "数字人民币",
    "农金通",
    "裕农通",
    "惠农通",
    "爱山东",
    "小程序",
    "公众号",
    "个人账户",
    "居住证",
    "港澳台",
    "电话",
    "补贴",
    "补助",
)
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


@functools.lru_cache(maxsize=4)
def _jieba(words: tuple[str, ...]):
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in words:
        jieba.add_word(word, freq=100000)
    return jieba


def search_tokens(text: str, words: tuple[str, ...] = DOMAIN_WORDS) -> list[str]:
    """Tokens for indexing and querying: jieba search-mode words, punctuation dropped; each of
    ``words`` is kept whole."""
    text = normalize_text(text).lower()
    tokens = []
    for token in _jieba(tuple(words)).cut_for_search(text):
        token = _PUNCT.sub("", token)
        if token:
            tokens.append(token)
    return tokens


def word_spans(text: str, words: tuple[str, ...] = DOMAIN_WORDS) -> list[tuple[int, int]]:
    """Where jieba's words start and end in ``text`` (offsets, ``words`` kept whole)."""
    return [(start, end) for _word, start, end in _jieba(tuple(words)).tokenize(text)]
