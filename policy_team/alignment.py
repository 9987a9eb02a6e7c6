"""Entity annotations off jieba's token boundaries, which Rasa drops without an error.

The text is tokenised as the assistant's NLU pipeline does (bot.components.normalizing_tokenizer:
Rasa's JiebaTokenizer over ``normalize_same_length`` text), without importing the bot.
"""

from __future__ import annotations

import logging
import pathlib

from policy_kb.text.normalize import normalize_same_length


def misaligned_sentences(files: list[pathlib.Path], jieba_dir: pathlib.Path) -> list[str]:
    """Sentences of these NLU files with an entity annotation off jieba's token boundaries."""
    import warnings

    import jieba
    from rasa.nlu.extractors.extractor import EntityExtractorMixin
    from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    jieba.setLogLevel(logging.WARNING)
    config = {**JiebaTokenizer.get_default_config(), "dictionary_path": str(jieba_dir)}
    tokenizer = JiebaTokenizer.create(config, None, None, None)
    data = TrainingData().merge(*(load_data(str(f)) for f in files))
    for message in data.training_examples:  # as bot.components.normalizing_tokenizer does
        if isinstance(message.get(TEXT), str):
            message.set(TEXT, normalize_same_length(message.get(TEXT)))
    tokenizer.process_training_data(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        EntityExtractorMixin.check_correct_entity_annotations(data)
    return [str(w.message).split("'")[1] for w in caught if "Misaligned" in str(w.message)]
