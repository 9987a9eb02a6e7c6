"""The knowledge base's search tokens: the text layer's tokenizer, given the vocabulary's names
(places, schemes) to keep whole, so 居民医保 or 山亭区 is one token in the index and the query."""

from __future__ import annotations

import functools

from policy_kb.data import vocabulary
from policy_kb.text import tokenize


@functools.lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    """tokenize.DOMAIN_WORDS and every Chinese name of a place or a scheme (sources/*.yml)."""
    schemes = [w for s in vocabulary.schemes().values() for w in (s.name, s.short, *s.keywords)]
    names = [n for n in (*vocabulary.place_names(), *schemes) if not n.isascii() and len(n) > 1]
    return tuple(dict.fromkeys((*tokenize.DOMAIN_WORDS, *names)))


def search_tokens(text: str) -> list[str]:
    """Tokens for indexing and querying, the KB's names kept whole."""
    return tokenize.search_tokens(text, domain_words())


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where the words of ``text`` start and end, the KB's names kept whole."""
    return tokenize.word_spans(text, domain_words())
