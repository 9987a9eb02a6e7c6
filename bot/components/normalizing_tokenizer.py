"""A jieba tokenizer that first normalises what residents type.

Traditional characters (醫保, 青島) become Simplified and full-width forms (６５, ＡＢ) become
half-width, character by character, so that the text keeps its length and every entity offset
(annotated or extracted) still points at the same characters (``normalize_same_length``, in
policy_kb's text layer so that the policy team's alignment check reads text the same way).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from policy_kb.text.normalize import normalize_same_length


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class NormalizingJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer over normalised text (see module docstring)."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        if attribute == TEXT and isinstance(message.get(TEXT), str):
            message.set(TEXT, normalize_same_length(message.get(TEXT)))
        return super().tokenize(message, attribute)
