"""An answer as a hotline operator reads it aloud to a caller.

The written answer is for reading: 【region year】 headers, 来源 lines, figures in digits. Said
over the phone, a header and a source line are noise and "1020元" is easy to misread, so the
spoken version leaves them out and writes every figure as it is said: amounts and counts in
Chinese numerals (一千零二十元), years digit by digit (二〇二四年), phone numbers digit by digit
with 一 said as 幺 (幺二三三三), ranges with 至.
"""

from __future__ import annotations

import re

from policy_kb.answering.render import SOURCE_PREFIX

DIGITS = "零一二三四五六七八九"
PHONE_DIGITS = "零幺二三四五六七八九"
YEAR_DIGITS = "〇一二三四五六七八九"
_HEADER = re.compile(r"【[^】]*】")
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
_PHONE_MIN_DIGITS = 5  # 12333: a number this long, not an amount or a count, is dialled
_UNITS_AFTER = "元人岁个周月日天档年次号"
_SIGNS = {"＋": "加", "＝": "等于", "—": "至", "～": "至", "~": "至", "·": ""}


def read_aloud(text: str, phones: tuple[str, ...] = ()) -> str:
    """The text without headers and source lines, its figures written as they are said."""
    lines = []
    for line in text.split("\n"):
        if line.startswith(SOURCE_PREFIX):
            continue
        line = _HEADER.sub("", line).strip()
        for sign, word in _SIGNS.items():
            line = line.replace(sign, word)
        lines.append(_NUMBER.sub(lambda m: _say(m, phones), line).strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _say(match: re.Match, phones: tuple[str, ...]) -> str:
    figure, after = match.group(), match.string[match.end() : match.end() + 1]
    if figure in phones or (
        figure.isdigit() and len(figure) >= _PHONE_MIN_DIGITS and after not in _UNITS_AFTER
    ):
        return "".join(PHONE_DIGITS[int(d)] for d in figure)
    if len(figure) == 4 and after == "年":
        return "".join(YEAR_DIGITS[int(d)] for d in figure)
    if figure.endswith("%"):
        return "百分之" + _decimal(figure[:-1])
    return _decimal(figure)


def _decimal(figure: str) -> str:
    whole, _, fraction = figure.partition(".")
    said = number(int(whole))
    return said + ("点" + "".join(DIGITS[int(d)] for d in fraction) if fraction else "")


def number(n: int) -> str:
    """462 → 四百六十二, 1020 → 一千零二十, 10 → 十, 15000 → 一万五千."""
    if n == 0:
        return "零"
    high, low = divmod(n, 10000)
    if not high:
        said = _below_10000(low)
    else:
        said = number(high) + "万" + ("零" if 0 < low < 1000 else "") + _below_10000(low)
    return said[1:] if said.startswith("一十") else said


def _below_10000(n: int) -> str:
    said, zero = "", False
    for power, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // power % 10
        if digit:
            said += ("零" if zero else "") + DIGITS[digit] + unit
            zero = False
        elif said:
            zero = True
    return said
