"""One reader of Chinese numbers in words (policy_kb.text.numbers), used by the spoken-form
reader and the NLU's quantity extractor alike."""

from __future__ import annotations

import pytest

from bot.components.quantities import find_quantities
from policy_kb.reading.spoken import spoken_numbers
from policy_kb.text import normalize, numbers

VALUES = [
    ("六百五", 650),
    ("四百六十二", 462),
    ("一万二", 12000),
    ("三千", 3000),
    ("两千八", 2800),
    ("三百八", 380),
    ("六十五", 65),
    ("七十", 70),
    ("十五", 15),
    ("65", 65),
    ("", None),
    ("多少", None),
    ("六十五岁", None),
]


@pytest.mark.parametrize("words, value", VALUES)
def test_numbers_in_words_are_read_by_value(words, value):
    assert numbers.cn_to_int(words) == value


def test_the_text_layers_old_name_is_the_same_reader():
    assert normalize.cn_to_int is numbers.cn_to_int


@pytest.mark.parametrize("words, digits", [("二零二四", "2024"), ("二〇二五", "2025"), ("幺二三三三", "12333")])
def test_numbers_said_digit_by_digit(words, digits):
    assert numbers.digit_by_digit(words) == digits


@pytest.mark.parametrize("words", ["六百五", "四百六十二", "一万二", "三千", "两千八", "三百八"])
def test_the_spoken_reader_and_the_quantity_extractor_read_the_same_amount(words):
    said = spoken_numbers(words + "元")
    typed = [e["value"] for e in find_quantities(said) if e["entity"] == "amount"]
    in_words = [e["value"] for e in find_quantities(words + "元") if e["entity"] == "amount"]
    assert typed == in_words == [str(numbers.cn_to_int(words))]


def test_a_year_said_digit_by_digit_is_the_same_year_for_both():
    assert spoken_numbers("二零二四年") == "2024年"
    assert [e["value"] for e in find_quantities("二零二四年")] == ["2024"]
