"""Never a bubble the resident has already been sent (issue 20 item 1).

A reply's paragraphs become its bubbles (channels send each blank-line-separated part as one
message). A follow-up ("3月10号交的", "一档") is often answered with the rule it builds on
again, and two facts of one answer may end with the same note: the resident would read the
same bubble twice. ``unsent`` drops those, but never the answer itself: the first bubble, and
the bubbles up to its first 来源 line, always stay.
"""

from __future__ import annotations

import re

from policy_kb.answering.render import SOURCE_PREFIX

_SPACE = re.compile(r"\s+")


def said(paragraph: str) -> str:
    """What a bubble says: its text without 来源 lines and whitespace (the same words with
    another source line, or another line break, are the same bubble to the reader)."""
    lines = [line for line in paragraph.split("\n") if not line.startswith(SOURCE_PREFIX)]
    return _SPACE.sub("", "".join(lines))


def unsent(earlier: list[str], text: str) -> str:
    """``text`` without the paragraphs already sent in ``earlier`` replies or earlier in
    ``text`` itself. The answer stays whole: its first paragraph and the paragraphs up to the
    one carrying its first 来源 line are always kept."""
    seen = {said(p) for reply in earlier for p in reply.split("\n\n")} - {""}
    kept: list[str] = []
    sourced = False
    for paragraph in text.strip().split("\n\n"):
        words = said(paragraph)
        if not kept or not sourced or words not in seen:
            kept.append(paragraph)
        seen.add(words)
        sourced = sourced or SOURCE_PREFIX in paragraph
    return "\n\n".join(kept)
