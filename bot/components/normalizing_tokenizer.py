"""A jieba tokenizer that first normalises what residents type.

Traditional characters (醫保, 青島) become Simplified and full-width forms (６５, ＡＢ) become
half-width, character by character, so that the text keeps its length and every entity offset
(annotated or extracted) still points at the same characters.
"""

from __future__ import annotations

import unicodedata

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from policy_kb.text.normalize import to_simplified


def normalize_same_length(text: str) -> str:
    """Simplified, half-width text of exactly the same length as the input."""
    if not text:
        return text
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        out.append(folded if len(folded) == 1 else char)
    folded = "".join(out)
    simplified = to_simplified(folded)
    return simplified if len(simplified) == len(folded) else folded


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class NormalizingJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer over normalised text (see module docstring)."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        if attribute == TEXT and isinstance(message.get(TEXT), str):
            message.set(TEXT, normalize_same_length(message.get(TEXT)))
        return super().tokenize(message, attribute)
