"""The resident's own words back in the parse, after the NLU read their typed equivalent.

The normalising tokenizer hands every later component a message read as typed text
(``policy_kb.reading.spoken``: "呃 清岛的 六百五" → "青岛的650"). This last component puts the resident's
text back and moves every entity's offsets onto it, so that the parse (and the tracker's
history, the review tools, the held-out evaluation) shows what was said and where each entity
is in it. The actions read the message through ``policy_kb.reading.spoken`` themselves.
"""

from __future__ import annotations

import difflib
from typing import Any

import jieba
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT, TEXT_TOKENS
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.normalizing_tokenizer import ORIGINAL_TEXT
from policy_kb.reading.spoken import FILLER_WORDS


def offset_map(read: str, said: str) -> tuple[list[int], list[int]]:
    """For each position of ``read`` (and its end), where an entity starting or ending there
    starts or ends in ``said``; a changed stretch ("650" for "六百五") maps as a whole."""
    starts, ends = [0] * (len(read) + 1), [0] * (len(read) + 1)
    matcher = difflib.SequenceMatcher(None, read, said, autojunk=False)
    for tag, r1, r2, s1, s2 in matcher.get_opcodes():
        for i in range(r1, r2 + 1):
            if tag == "equal":
                starts[i] = ends[i] = s1 + (i - r1)
            else:
                starts[i], ends[i] = (s1 if i < r2 else s2), (s2 if i > r1 else s1)
    starts[len(read)] = ends[len(read)] = len(said)
    return starts, ends


def _trim(said: str, start: int, end: int) -> tuple[int, int]:
    """A mapped span without the pauses and filler words around it ("呃 清岛" → "清岛")."""
    changed = True
    while changed and start < end:
        changed = False
        span = said[start:end]
        for word in (" ", "，", ",", *FILLER_WORDS):
            if span.startswith(word) and len(span) > len(word):
                start, changed = start + len(word), True
                break
            if span.endswith(word) and len(span) > len(word):
                end, changed = end - len(word), True
                break
    return start, end


def restore(message: Message) -> None:
    """The message's original text, its tokens and its entities' offsets on that text."""
    said, read = message.get(ORIGINAL_TEXT), message.get(TEXT)
    if not isinstance(said, str) or said == read:
        return
    starts, ends = offset_map(read, said)
    for entity in message.get(ENTITIES) or []:
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(read):
            mapped = starts[start], max(ends[end], starts[start])
            entity["start"], entity["end"] = _trim(said, *mapped)
    message.set(TEXT, said)
    tokens = [Token(word, start) for word, start, _ in jieba.tokenize(said) if word.strip()]
    message.set(TEXT_TOKENS, tokens)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class SpokenTextRestorer(GraphComponent):
    """Puts the resident's text back into the parse (see module docstring)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpokenTextRestorer:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            restore(message)
        return messages
