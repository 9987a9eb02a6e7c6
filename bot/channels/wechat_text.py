"""Text helpers of the WeChat channel: fixed replies, numbered options, the 2048-byte limit.

A reply's 来源 lines become one short tag line ("来源：山亭方案 五（一）") and a numbered option
(also chosen by sending “来源”) whose reply is the full title, clause and quoted sentences.

Pure functions with no dependency on Rasa or wechatpy, so they are unit-tested directly. The
fixed replies name what is covered from the knowledge base, never typed here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from policy_kb import KnowledgeBase
from policy_kb.answering import introduction
from policy_kb.answering.source_tags import SourceRef, split_sources, tag_line

# WeChat refuses a text reply (passive or customer-service) whose content exceeds 2048 bytes.
MAX_REPLY_BYTES = 2048


@functools.lru_cache(maxsize=1)
def welcome() -> str:
    """The reply to a new follower: what is covered (places, years, schemes from the KB)."""
    kb = KnowledgeBase.open()
    examples = introduction.examples(kb, ("tiers", "channels", "hotline"))
    return (
        f"您好，欢迎关注！我是居民社保缴费助手，可以回答{introduction.scope(kb, districts=True)}的问题：\n"
        "· 缴费标准和档次、政府补贴\n"
        "· 缴费时间和截止日期\n"
        "· 缴费渠道（微信、支付宝、银行、税务大厅等）\n"
        "· 咨询电话和办理地点\n"
        "· 新生儿、学生、老年人等参保办法\n"
        f"直接发文字提问即可，例如：{introduction.quoted(examples)}。\n"
        "我查不到个人缴费记录，请不要发送身份证号、手机号或银行卡号。"
    )


@functools.lru_cache(maxsize=1)
def ask_for_text() -> str:
    """The reply to an image, a location or a link."""
    examples = introduction.examples(KnowledgeBase.open(), ("tiers", "channels"))
    return f"抱歉，我暂时只能看懂文字消息。请直接发文字问题，例如：{introduction.quoted(examples)}。"


@functools.lru_cache(maxsize=1)
def voice_unrecognised() -> str:
    """The reply to a voice message WeChat could not turn into text."""
    examples = introduction.examples(KnowledgeBase.open(), ("deadline",))
    return f"抱歉，没能听清这段语音。请直接发文字问题，例如：{introduction.quoted(examples)}。"


NO_ANSWER = "抱歉，这个问题我暂时答不上来，请换个说法再问一次，或发送“人工”查看咨询电话。"
SHORTENED = "（回答较长，只显示了前一部分；可以换个更具体的问法，或发送“人工”查看咨询电话。）"
BUSY = "抱歉，系统暂时繁忙，请稍后再发一次您的问题。"

_FULL_WIDTH_DIGITS = {ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}
_CHOICE = re.compile(r"^\s*(?:回复|选|选择|第)?\s*(\d{1,2})\s*(?:号|个|项)?\s*[。.！!]?\s*$")
# A number as a resident reads it: 0532-66035833, 400-123-4567, 1,000, 0.5, 2024-08-20, 12333.
_NUMBER = re.compile(r"[0-9０-９]+(?:[-－.,:：/][0-9０-９]+)*")
_STRONG_BREAKS = "。！？；!?;"
_WEAK_BREAKS = "，、：,: 　）)》】"
# Characters XML 1.0 does not allow in a document (a reply would be refused by WeChat).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Option:
    """A Rasa button as the resident sees it: "回复 1：青岛市" selects ``payload``."""

    title: str
    payload: str


def nbytes(text: str) -> int:
    return len(text.encode("utf-8"))


def clean_for_xml(text: str) -> str:
    """Text safe inside wechatpy's CDATA reply template (no ``]]>``, no control characters)."""
    return _XML_INVALID.sub("", text).replace("]]>", "]] >")


SOURCE_OPTION = "看来源原文"
SOURCE_WORDS = ("来源", "出处", "原文", "看来源", SOURCE_OPTION)
# the payload of the source option: the reply itself, after a mark no option of Rasa's has
_SOURCE_MARK = "来源原文::"


@functools.lru_cache(maxsize=1)
def _kb() -> KnowledgeBase:
    return KnowledgeBase.open()


def source_reply(payload: str | None) -> str | None:
    """The text to send back when the chosen option is the source option, else None."""
    if payload and payload.startswith(_SOURCE_MARK):
        return payload[len(_SOURCE_MARK) :]
    return None


def _sources_text(refs: list[SourceRef]) -> str:
    """《full title》clause and its quoted sentences, one block per cited clause."""
    blocks = [f"《{r.title}》{r.clause}" + "".join(f"\n“{q}”" for q in r.quotes) for r in refs]
    return "来源原文：\n" + "\n\n".join(blocks)


def render_messages(messages: Iterable[dict[str, Any]]) -> tuple[str, list[Option]]:
    """Rasa's collected bot messages as one WeChat text, buttons as numbered options; the
    来源 lines as one short tag line and an option that sends the sources in full."""
    blocks: list[str] = []
    options: list[Option] = []
    refs: list[SourceRef] = []
    for message in messages:
        text, cited = split_sources(str(message.get("text") or ""), _kb())
        refs += [r for r in cited if r not in refs]
        lines = [text] if text else []
        if message.get("image"):
            lines.append(str(message["image"]))
        for button in message.get("buttons") or []:
            title = str(button.get("title") or "").strip()
            payload = str(button.get("payload") or title).strip()
            if not title:
                continue
            options.append(Option(title, payload))
            lines.append(f"回复 {len(options)}：{title}")
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
    if refs:
        options.append(Option(SOURCE_OPTION, _SOURCE_MARK + _sources_text(refs)))
        blocks.append(f"{tag_line(refs)}\n回复 {len(options)} 或“来源”：{SOURCE_OPTION}")
    return "\n\n".join(blocks), options


def select_option(text: str, options: list[Option] | None) -> str | None:
    """The payload the resident chose by typing an option's number, else None."""
    if not options or not text:
        return None
    if text.strip(" 。.！!？?") in SOURCE_WORDS:
        return next((o.payload for o in options if source_reply(o.payload) is not None), None)
    match = _CHOICE.match(text.translate(_FULL_WIDTH_DIGITS))
    if not match:
        return None
    number = int(match.group(1))
    return options[number - 1].payload if 1 <= number <= len(options) else None


def split_reply(text: str, limit: int = MAX_REPLY_BYTES) -> list[str]:
    """Parts of at most ``limit`` UTF-8 bytes, split at paragraph, then line boundaries.

    Lines (a "来源：" line included) stay whole; only a single line longer than the limit is
    cut, after punctuation where possible and never inside a number or phone number.
    """
    text = text.strip()
    if not text:
        return []
    if nbytes(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        for piece in _fit(paragraph.strip("\n"), limit, "\n"):
            joined = f"{current}\n\n{piece}" if current else piece
            if nbytes(joined) <= limit:
                current = joined
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def shorten_reply(text: str, limit: int = MAX_REPLY_BYTES) -> str:
    """The first part of a long text with a note saying it was shortened, within ``limit``."""
    parts = split_reply(text, limit)
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return split_reply(text, limit - nbytes(SHORTENED) - 1)[0] + "\n" + SHORTENED


def _fit(block: str, limit: int, separator: str) -> list[str]:
    """The block as pieces within the limit: whole lines packed together, long lines cut."""
    if nbytes(block) <= limit:
        return [block] if block else []
    pieces: list[str] = []
    current = ""
    for line in block.split(separator):
        for unit in _cut_line(line, limit):
            joined = f"{current}{separator}{unit}" if current else unit
            if nbytes(joined) <= limit:
                current = joined
            else:
                if current:
                    pieces.append(current)
                current = unit
    if current:
        pieces.append(current)
    return pieces


def _cut_line(line: str, limit: int) -> list[str]:
    units = []
    while nbytes(line) > limit:
        cut = _cut_position(line, limit)
        units.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    if line:
        units.append(line)
    return units


def _cut_position(line: str, limit: int) -> int:
    """The best place to cut a line too long for one part (an index into ``line``)."""
    fits = 0
    size = 0
    for index, char in enumerate(line):
        size += nbytes(char)
        if size > limit:
            break
        fits = index + 1
    inside = set()
    for match in _NUMBER.finditer(line):
        inside.update(range(match.start() + 1, match.end()))
    safe = [i for i in range(fits, 0, -1) if i not in inside]
    floor = fits * 2 // 3  # do not make a part much shorter than it could be
    for breaks in (_STRONG_BREAKS, _WEAK_BREAKS):
        for i in safe:
            if i < floor:
                break
            if line[i - 1] in breaks:
                return i
    return safe[0] if safe and safe[0] > 0 else max(fits, 1)
