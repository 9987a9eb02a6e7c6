"""Normalisation of text as residents type it.

Residents write Traditional characters, full-width digits and Chinese numerals; the seed texts
were extracted from PDFs with line breaks in the middle of words. Everything that compares
text goes through these functions so that both sides are normalised the same way.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Numbers in words are read in policy_kb.text.numbers; cn_to_int stays importable from here.
from policy_kb.text.numbers import cn_to_int as cn_to_int

_WHITESPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Converts Traditional Chinese to Simplified (opencc t2s)."""
    return _t2s().convert(text)


def normalize_text(text: str) -> str:
    """Normalises a user message: Simplified Chinese, half-width, single spaces, stripped.

    NFKC turns full-width digits, Latin letters and most full-width punctuation into their
    ASCII forms; Chinese punctuation such as 、 and 。 is left alone.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _WHITESPACE.sub(" ", text).strip()


def normalize_same_length(text: str) -> str:
    """Simplified, half-width text of exactly the same length as the input, character by
    character, so entity offsets still point at the same characters (the NLU tokenizer's)."""
    if not text:
        return text
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        out.append(folded if len(folded) == 1 else char)
    folded = "".join(out)
    simplified = to_simplified(folded)
    return simplified if len(simplified) == len(folded) else folded


def compact(text: str) -> str:
    """Removes all whitespace; used to compare quotes with PDF-extracted seed texts."""
    return _WHITESPACE.sub("", text or "")


def numbers_in(text: str) -> list[str]:
    """All runs of ASCII digits in a text, e.g. to check that an answer invents no number."""
    return re.findall(r"\d+", text or "")
