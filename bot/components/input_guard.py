"""Messages with nothing to understand go straight to the fallback.

DIET always picks some intent, even for "😂😂😂", "？？？" or "<script>alert(1)</script>".
A message without a single Chinese character, and without a covered place written in pinyin,
cannot be a question this assistant answers: its intent becomes ``nlu_fallback``, so the
resident gets the topic suggestions instead of a confident wrong answer.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TAGS = re.compile(r"<[^>]{0,200}>")
_PINYIN_PLACES = re.compile(r"qing\s*dao|wei\s*hai|shan\s*ting|zao\s*zhuang", re.IGNORECASE)
FALLBACK = "nlu_fallback"


def nothing_to_understand(text: str | None) -> bool:
    """True for empty, punctuation-only, emoji-only and markup-only (non-Chinese) messages."""
    if not text:
        return True
    text = _TAGS.sub(" ", text)
    return not _CJK.search(text) and not _PINYIN_PLACES.search(text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class InputGuard(GraphComponent):
    """Overrides the intent of messages with nothing to understand (see module docstring)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if nothing_to_understand(message.get(TEXT)):
                message.set(
                    INTENT, {INTENT_NAME_KEY: FALLBACK, "confidence": 1.0}, add_to_output=True
                )
                ranking = message.get(INTENT_RANKING_KEY) or []
                message.set(
                    INTENT_RANKING_KEY,
                    [{INTENT_NAME_KEY: FALLBACK, "confidence": 1.0}, *ranking],
                    add_to_output=True,
                )
        return messages
