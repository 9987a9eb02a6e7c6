"""Messages with nothing to understand go straight to the fallback.

DIET always picks some intent, even for "😂😂😂", "？？？" or "<script>alert(1)</script>".
A message without a single Chinese character, and without a covered place written in pinyin,
cannot be a question this assistant answers: its intent becomes ``nlu_fallback``, so the
resident gets the topic suggestions instead of a confident wrong answer.

The exceptions are the Latin-letter and digit phrases the training data itself teaches
("hi", "thx", "88" for goodbye): the guard learns them at training time, so a policy team
adding "ok" to an intent's examples is enough for it to be understood.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
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
_NOT_WORD = re.compile(r"[^0-9a-z]+")
FALLBACK = "nlu_fallback"
_KNOWN_FILE = "known_phrases.json"


def phrase_key(text: str) -> str:
    """The comparable form of a non-Chinese phrase: "Bye~~" and "bye" are the same."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def nothing_to_understand(text: str | None, known: Collection[str] = frozenset()) -> bool:
    """True for empty, punctuation-only, emoji-only and markup-only (non-Chinese) messages.

    Args:
        text: the message as the resident sent it.
        known: phrase keys (see :func:`phrase_key`) the training data teaches.
    """
    if not text:
        return True
    text = _TAGS.sub(" ", text)
    if _CJK.search(text) or _PINYIN_PLACES.search(text):
        return False
    key = phrase_key(text)
    return not key or key not in known


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class InputGuard(GraphComponent):
    """Overrides the intent of messages with nothing to understand (see module docstring)."""

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        known: Iterable[str] = (),
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.known = frozenset(known)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> InputGuard:
        try:
            with model_storage.read_from(resource) as directory:
                known = json.loads((directory / _KNOWN_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            # A model trained before the guard learned phrases: the strict behaviour.
            known = []
        return cls(model_storage, resource, known)

    def train(self, training_data: TrainingData) -> Resource:
        """Remembers the training examples written without Chinese characters."""
        texts = (example.get(TEXT) or "" for example in training_data.intent_examples)
        known = sorted({phrase_key(t) for t in texts if not _CJK.search(t)} - {""})
        self.known = frozenset(known)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _KNOWN_FILE).write_text(
                json.dumps(known, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if nothing_to_understand(message.get(TEXT), self.known):
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
