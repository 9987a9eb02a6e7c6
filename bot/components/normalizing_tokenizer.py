"""A jieba tokenizer that first normalises what residents type.

Traditional characters (醫保, 青島) become Simplified and full-width forms (６５, ＡＢ) become
half-width, character by character, so that the text keeps its length and every entity offset
(annotated or extracted) still points at the same characters (``normalize_same_length``, in
policy_kb's text layer so that the policy team's alignment check reads text the same way).

Before that, a message is read as the typed text it stands for (``policy_kb.reading.spoken``: fillers,
stutters, numbers in words, domain words spelled by sound), here so that every later component
and the actions (which read the parse's text) see the same text. Training examples are read the
same way, except those with annotated entities: their offsets must keep pointing at the words.
What was understood by sound alone travels in the parse as ``spoken``; the last component puts
the resident's own text back (bot/components/spoken_text.py).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from policy_kb.reading.sounds import warm_up
from policy_kb.reading.spoken import read_spoken
from policy_kb.text.normalize import normalize_same_length

SPOKEN = "spoken"
ORIGINAL_TEXT = "spoken_original_text"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class NormalizingJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer over normalised text (see module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        warm_up()  # the spoken reader's data, loaded with the model

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if isinstance(text, str) and text and not example.get(ENTITIES):
                example.set(TEXT, read_spoken(text).text)
        return super().process_training_data(training_data)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                spoken = read_spoken(text)
                # the last component (spoken_text.py) puts the resident's words back
                message.set(ORIGINAL_TEXT, normalize_same_length(text))
                message.set(TEXT, spoken.text)
                if spoken.heard:
                    message.set(SPOKEN, spoken.summary(), add_to_output=True)
        return super().process(messages)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        if attribute == TEXT and isinstance(message.get(TEXT), str):
            message.set(TEXT, normalize_same_length(message.get(TEXT)))
        return super().tokenize(message, attribute)
