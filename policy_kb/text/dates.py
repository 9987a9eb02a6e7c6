"""Dates as residents read and write them: 2024年12月1日, never 2024-12-01.

Every date in an answer or in the CLI's output goes through ``cn_date`` (or ``cn_month_day``
for the month-day values of the sources, such as a bank batch from 12-01), so the assistant,
the staff console and the CLI say a date the same way. ``parse_date`` reads both the ISO form
the sources use and the Chinese form people type.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")


def cn_date(day: dt.date) -> str:
    """2024-12-01 → "2024年12月1日" (no leading zeros, as the documents write dates)."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month_day(text: str) -> str:
    """A month-day value of the sources ("12-01") → "12月1日"; other text is returned as is."""
    match = _MONTH_DAY.fullmatch(str(text).strip())
    if not match:
        return str(text)
    return f"{int(match.group(1))}月{int(match.group(2))}日"


def parse_date(value: Any) -> dt.date | None:
    """A date object, an ISO string ("2024-03-10") or a Chinese one ("2024年3月10日")."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = _CN_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


_CN_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_ISO_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")


def read_date(value: Any, year: int | None = None) -> dt.date | str | None:
    """The one reader of a date someone typed: ISO or Chinese, with or without the year.

    "2024-03-10", "2024年3月10日", and — read in ``year``, the policy year — "3月10号" or
    "03-10". Nothing given → None. Text that is no date is returned unchanged: the calculator
    then says, in Chinese, that it cannot read it (one error behaviour for the chat, the
    console and the CLI).
    """
    if value in (None, ""):
        return None
    day = parse_date(value)
    if day is not None or not isinstance(value, str):
        return day
    text = value.strip()
    full = _CN_DATE.search(text)
    match = full or _CN_MONTH_DAY.search(text) or _ISO_MONTH_DAY.fullmatch(text)
    if match is None or (full is None and not year):
        return text
    parts = [int(g) for g in match.groups()]
    try:
        return dt.date(*parts) if full else dt.date(year, *parts)
    except ValueError:
        return text


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date)
