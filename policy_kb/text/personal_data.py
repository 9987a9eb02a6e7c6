"""Masking of personal numbers before a message reaches NLU, the tracker store or a log.

Residents paste ID card numbers, mobile numbers and bank card numbers when they ask whether
they have paid. The assistant cannot look anything up with them, so they are replaced by a
label as soon as a channel receives the text: nothing downstream ever sees the digits.

It lives in policy_kb (plain Python, no Rasa) so the policy team's review of the tracker store
masks with the very same patterns, without importing the Rasa channels.
"""

from __future__ import annotations

import re

# Separators residents type inside long numbers: spaces, hyphens, full-width spaces.
_SEP = r"[ \-\u3000]?"
_ID_CARD = re.compile(
    rf"(?<!\d)\d{{6}}{_SEP}(?:19|20)\d{{2}}{_SEP}\d{{4}}{_SEP}\d{{3}}[\dXx](?![\dXx])"
)
_ID_CARD_15 = re.compile(r"(?<!\d)\d{15}(?!\d)")
_MOBILE = re.compile(rf"(?<!\d)(?:\+?86{_SEP})?1[3-9]\d{_SEP}?\d{{4}}{_SEP}?\d{{4}}(?!\d)")
_BANK_CARD = re.compile(
    r"(?<!\d)(?:\d{16,19}|\d{4}([ \-\u3000])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?)(?!\d)"
)
_FULL_WIDTH_DIGITS = {ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}

LABELS = (
    (_ID_CARD, "（身份证号）"),
    (_ID_CARD_15, "（身份证号）"),
    (_BANK_CARD, "（银行卡号）"),
    (_MOBILE, "（手机号）"),
)


def mask_personal_data(text: str | None) -> str | None:
    """The text with ID card, bank card and mobile numbers replaced by labels."""
    if not text:
        return text
    text = text.translate(_FULL_WIDTH_DIGITS)  # "１３８…" is a mobile number too
    for pattern, label in LABELS:
        text = pattern.sub(label, text)
    return text


def contains_personal_data(text: str | None) -> bool:
    return bool(text) and mask_personal_data(text) != text.translate(_FULL_WIDTH_DIGITS)
