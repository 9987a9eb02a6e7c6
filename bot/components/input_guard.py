"""Messages with nothing to understand go straight to the fallback.

DIET always picks some intent, even for "😂😂😂", "？？？" or "<script>alert(1)</script>".
A message without a single Chinese character, and without a covered place written in pinyin,
cannot be a question this assistant answers: its intent becomes ``nlu_fallback``, so the
resident gets the topic suggestions instead of a confident wrong answer.

The exceptions are the Latin-letter and digit phrases the training data itself teaches
("hi", "thx", "88" for goodbye): the guard learns them at training time, so a policy team
adding "ok" to an intent's examples is enough for it to be understood.

Chinese with no word the training data has, a character it never has, and no entity
("阿巴阿巴", "咕噜咕噜咕噜") is nothing to understand either: DIET would still give it a
confident topic. The guard learns the training examples' words (jieba's tokens) and characters
at training time; one known word is enough, and so are known characters only ("早安": a new
word of known ones is left to the classifier).
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
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TAGS = re.compile(r"<[^>]{0,200}>")
_PINYIN_PLACES = re.compile(r"qing\s*dao|wei\s*hai|shan\s*ting|zao\s*zhuang", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
FALLBACK = "nlu_fallback"
_KNOWN_FILE = "known_phrases.json"
_WORDS_FILE = "known_words.json"


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


def chinese_words(message: Message) -> list[str]:
    """The message's tokens that hold a Chinese character."""
    return [t.text for t in message.get(TOKENS_NAMES[TEXT]) or [] if _CJK.search(t.text)]


def no_known_word(message: Message, words: Collection[str]) -> bool:
    """Chinese without a word or an entity the training data has, and with a character it
    never has (``words`` holds both its words and its characters)."""
    said = chinese_words(message)
    unseen = {c for w in said for c in w if _CJK.match(c)} - set(words)
    return bool(words and unseen) and not message.get(ENTITIES) and not set(said) & set(words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class InputGuard(GraphComponent):
    """Overrides the intent of messages with nothing to understand (see module docstring)."""

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        known: Iterable[str] = (),
        words: Iterable[str] = (),
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.known = frozenset(known)
        self.words = frozenset(words)

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
        known, words = [], []  # a model trained before the guard learned them: as before
        try:
            with model_storage.read_from(resource) as directory:
                known = json.loads((directory / _KNOWN_FILE).read_text(encoding="utf-8"))
                if (directory / _WORDS_FILE).exists():
                    words = json.loads((directory / _WORDS_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            pass
        return cls(model_storage, resource, known, words)

    def train(self, training_data: TrainingData) -> Resource:
        """Remembers the training examples written without Chinese characters, and the
        Chinese words and characters of all of them."""
        examples = training_data.intent_examples
        texts = (example.get(TEXT) or "" for example in examples)
        known = sorted({phrase_key(t) for t in texts if not _CJK.search(t)} - {""})
        said = [w for example in examples for w in chinese_words(example)]
        words = sorted({*said, *(c for w in said for c in w if _CJK.match(c))})
        self.known, self.words = frozenset(known), frozenset(words)
        with self._model_storage.write_to(self._resource) as directory:
            for name, values in ((_KNOWN_FILE, known), (_WORDS_FILE, words)):
                (directory / name).write_text(
                    json.dumps(values, ensure_ascii=False), encoding="utf-8"
                )
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if nothing_to_understand(text, self.known) or no_known_word(message, self.words):
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
