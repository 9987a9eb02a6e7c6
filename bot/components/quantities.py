"""Ages, amounts, dates and years with normalised values, from a blank spaCy ``zh`` pipeline.

spaCy 3.4 has no downloadable Chinese model here (and nothing may be downloaded at run time),
so the pipeline is ``spacy.blank("zh")`` with the jieba segmenter and one rule component,
``quantity_ruler``, that marks quantities as ``doc.ents`` on token boundaries and stores their
normalised value on ``span._.value``:

    age     "65岁", "六十五周岁"             → "65"
    amount  "500元", "五百块", "两千"(档)     → "500", "2000"   (tiers written X档: the number)
    date    "2024年3月10号", "8月20日"        → "2024-03-10", "2024-08-20" (year inherited
            from an earlier date in the message; "08-20" when there is none); role "birth" when
            出生/生 follows, "payment" when 交/缴 follows
    year    "2025年" (not followed by a month) → "2025"
"""

from __future__ import annotations

import functools
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from policy_kb.text.numbers import LEADING_DIGITS, NUMERAL, NUMERAL_CHARS, cn_to_int, digit_by_digit

NUM = rf"(?:\d+|{NUMERAL})"
_AGE = re.compile(rf"({NUM})(?:周岁|岁)")
_AMOUNT_UNIT = re.compile(rf"(?<!几)({NUM})(?:块钱|元钱|元|块)(?!儿)")
# A bare amount: 100-99999 in digits, or a Chinese numeral with 百/千/万 ("三百八" = 380).
# Longer digit runs are hotline, phone or ID numbers (12333, 5190857), never amounts; "886" is
# chat slang for goodbye.
_AMOUNT_BARE = re.compile(
    rf"(?<![\d几])(\d{{3,4}}|\d{{2}}000|[{LEADING_DIGITS}]+[百千万][{NUMERAL_CHARS}]*)(?![\d年月日号岁])"
)
_AMOUNT_TIER = re.compile(rf"({NUM})(?=(?:元)?档)")
_DATE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DATE_CN = re.compile(
    r"(?:(\d{4}|[零〇一二三四五六七八九]{4})年)?(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})(?:日|号)"
)
_YEAR = re.compile(r"(?<!\d)(\d{4}|\d{2}|[零〇一二三四五六七八九]{4})年(?!\d{1,2}月|[一二三四五六七八九十]{1,3}月)(?:度)?")
_BIRTH_AFTER = re.compile(r"^.{0,3}?(出生|生的|生)")
_PAY_AFTER = re.compile(r"^.{0,3}?(交|缴|参保|办)")


def _year_value(text: str) -> int | None:
    value = int(digit_by_digit(text)) if not text.isdigit() else int(text)
    if len(text) == 2:  # "24年" is read as 2024; "交满15年" is a duration, not a year
        value = value + 2000 if 20 <= value <= 39 else 0
    return value if 1900 <= value <= 2100 else None


def _small(text: str) -> int | None:
    return int(text) if text.isdigit() else cn_to_int(text)


def find_quantities(text: str) -> list[dict[str, Any]]:
    """Regex matches as dicts (start, end, entity, value, role); no spaCy needed."""
    found: list[dict[str, Any]] = []
    taken: list[range] = []

    def add(start, end, entity, value, role=None):
        if value is None or any(start < r.stop and r.start < end for r in taken):
            return
        taken.append(range(start, end))
        item = {"start": start, "end": end, "entity": entity, "value": str(value)}
        if role:
            item["role"] = role
        found.append(item)

    last_year = None
    for match in sorted(
        list(_DATE_ISO.finditer(text)) + list(_DATE_CN.finditer(text)), key=lambda m: m.start()
    ):
        if match.re is _DATE_ISO:
            year, month, day = (int(g) for g in match.groups())
        else:
            year = _year_value(match.group(1)) if match.group(1) else last_year
            month, day = _small(match.group(2)), _small(match.group(3))
        if not month or not day or not 1 <= month <= 12 or not 1 <= day <= 31:
            continue
        last_year = year or last_year
        value = f"{year:04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"
        after = text[match.end() : match.end() + 6]
        role = (
            "birth" if _BIRTH_AFTER.match(after) else "payment" if _PAY_AFTER.match(after) else None
        )
        add(match.start(), match.end(), "date", value, role)
    for match in _YEAR.finditer(text):
        add(match.start(), match.end(), "year", _year_value(match.group(1)))
    for match in _AGE.finditer(text):
        add(match.start(), match.end(), "age", cn_to_int(match.group(1)))
    for match in _AMOUNT_UNIT.finditer(text):
        add(match.start(), match.end(), "amount", cn_to_int(match.group(1)))
    for match in _AMOUNT_TIER.finditer(text):
        value = cn_to_int(match.group(1))
        if value is not None and value >= 100:  # 一档 / 二档 are medical tiers, not amounts
            add(match.start(), match.end(), "amount", value)
    for match in _AMOUNT_BARE.finditer(text):
        value = cn_to_int(match.group(1))
        if value is not None and value >= 100 and match.group(1) != "886":
            add(match.start(), match.end(), "amount", value)
    return sorted(found, key=lambda e: e["start"])


@functools.lru_cache(maxsize=1)
def spacy_pipeline():
    """A blank zh pipeline (jieba segmenter) with the quantity_ruler component."""
    import spacy
    from spacy.language import Language
    from spacy.tokens import Span

    if not Span.has_extension("value"):
        Span.set_extension("value", default=None)
        Span.set_extension("role", default=None)

    if "quantity_ruler" not in Language.factories:

        @Language.component("quantity_ruler")
        def quantity_ruler(doc):
            spans = []
            for item in find_quantities(doc.text):
                span = doc.char_span(
                    item["start"], item["end"], label=item["entity"], alignment_mode="expand"
                )
                if span is None:
                    continue
                span._.value, span._.role = item["value"], item.get("role")
                spans.append(span)
            doc.ents = spacy.util.filter_spans(spans)
            return doc

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("quantity_ruler")
    return nlp


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class QuantityExtractor(GraphComponent, EntityExtractorMixin):
    """Rasa entity extractor wrapping the spaCy quantity pipeline (see module docstring)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuantityExtractor:
        spacy_pipeline()  # load at start-up, not on the first message
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def extract(self, text: str) -> list[dict[str, Any]]:
        doc = spacy_pipeline()(text)
        entities = []
        for span in doc.ents:
            entity = {
                "entity": span.label_,
                "start": span.start_char,
                "end": span.end_char,
                "value": span._.value,
                "confidence_entity": 1.0,
            }
            if span._.role:
                entity["role"] = span._.role
            entities.append(self.add_extractor_name([entity])[0])
        return entities

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            entities = [
                e
                for e in message.get(ENTITIES, [])
                if e.get("entity") not in ("age", "amount", "date", "year")
            ]
            message.set(ENTITIES, entities + self.extract(text[:2000]), add_to_output=True)
        return messages
