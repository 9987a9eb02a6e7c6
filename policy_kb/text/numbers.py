"""Chinese numbers in words, read in one place for every reader.

Residents say and type numbers in words: amounts and ages by value ("六百五" 650, "一万二"
12000, "两千八" 2800, "四百六十二" 462, "六十五" 65) and years and phone numbers digit by
digit ("二零二四" 2024, "幺二三三三" 12333). The value of a numeral is cn2an's reading; this
module holds the numeral characters and the digit-by-digit table, which the spoken-form reader
(policy_kb.reading.spoken) and the NLU's quantity extractor (bot/components/quantities.py)
build their patterns from.
"""

from __future__ import annotations

import re

import cn2an

# Digits as said one by one; 两 is "two" before a unit (两千), 〇 the typed zero.
DIGIT_CHARS = "零〇一二两三四五六七八九"
# A digit that can lead a number (零 cannot: "零花钱"; 两 can: "两千八").
LEADING_DIGITS = "一二两三四五六七八九"
UNIT_CHARS = "十百千万"
NUMERAL_CHARS = DIGIT_CHARS + UNIT_CHARS
# A run of numeral characters that cn2an can read ("六十五", "两千", "一万二").
NUMERAL = f"[{NUMERAL_CHARS}]+"
_NUMERAL = re.compile(NUMERAL)
# Said digit by digit: 幺 is how a 1 is said in phone numbers (幺二三三三).
_ONE_BY_ONE = str.maketrans("零〇一二两三四五六七八九幺", "0012234567891")


def digit_by_digit(words: str) -> str:
    """A number said one digit at a time as digits ("二零二四" → "2024"); other characters
    are left as they are."""
    return words.translate(_ONE_BY_ONE)


def cn_to_int(token: str) -> int | None:
    """Reads an Arabic or Chinese numeral ("65", "六十五", "两千", "六百五") as an int, or None."""
    token = token.strip()
    if not token:
        return None
    if token.isdigit():
        return int(token)
    if not _NUMERAL.fullmatch(token):
        return None
    try:
        value = cn2an.cn2an(token, "smart")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None
