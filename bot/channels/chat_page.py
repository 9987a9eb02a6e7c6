"""A WeChat-style web chat (H5 page) for the assistant, served by Rasa itself.

Configured in credentials.yml as ``bot.channels.chat_page.WebChatInput``; the channel is called
``webchat``, so everything lives under ``/webhooks/webchat/``:

``GET  /webhooks/webchat/``
    The chat page (``bot/web/index.html``); its script, style sheet and avatars come from
    ``/webhooks/webchat/static/<file>``. Nothing is loaded from any other host.
``POST /webhooks/webchat/webhook``  ``{"sender": "...", "message": "..."}``
    The bot's messages for one user message, as Rasa's REST channel returns them:
    ``[{"recipient_id": ..., "text": ..., "buttons": [{"title": ..., "payload": ...}],
    "sources": [...]}]``. Each message is one bubble (a reply's paragraphs are not split into
    several, so a reload shows the same bubbles); its 来源 lines become ``sources``
    (``{"tag": "山亭方案 五（一）", "title", "clause", "quotes"}``, policy_kb.answering.source_tags): the
    page shows the short tag and opens the rest on a tap.
``GET  /webhooks/webchat/history?sender=...``
    ``{"sender": ..., "messages": [{"role": "user"|"bot", "text", "buttons", "sources",
    "timestamp"}]}``, the conversation's past messages from the tracker store, so a reload shows
    them. A user message that was a quick-reply payload is shown with the button's title.

The browser makes up its own conversation id (a random UUID kept in localStorage); the server
accepts only ``[A-Za-z0-9_-]{8,64}``. Inside Rasa the conversation is ``webchat-<id>``, so
this public endpoint can neither read nor continue a conversation of another channel (a
WeChat OpenID has the same alphabet). Every text passes through ``mask_personal_data`` before
Rasa sees it. Bad input gets a 4xx answer ``{"error": "<a sentence for the resident>"}``,
never a stack trace.
"""

from __future__ import annotations

import functools
import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import outage
from bot.channels.http_shared import (
    CONTENT_TYPES,
    INPUT_ERRORS,
    SECURITY_HEADERS,
    STATIC_NAME,
    WEB_DIR,
    InputError,
    clean_message,
    json_response,
    static_file,
    valid_sender,
)
from policy_kb import KnowledgeBase
from policy_kb.answering import introduction
from policy_kb.answering.source_tags import split_sources
from policy_kb.data.kb import knowledge_base

logger = logging.getLogger(__name__)

SENDER_PREFIX = "webchat-"
MAX_BODY_BYTES = 128 * 1024  # 5,000 characters, each escaped as \\uXXXX (or a surrogate pair)
HISTORY_LIMIT = 200  # the latest messages a reload shows

ERRORS = {
    **INPUT_ERRORS,
    "failure": "抱歉，助手暂时出了点问题，请稍后再试。",
    "not_ready": "助手正在启动，请稍后再试。",
    "not_found": "没有这个文件。",
}


def error(key: str, status: int = 400) -> HTTPResponse:
    return json_response({"error": ERRORS[key]}, status)


def parse_body(request: Request) -> tuple[str, str]:
    """(sender, text) from a webhook request, or InputError."""
    if len(request.body or b"") > MAX_BODY_BYTES:
        raise InputError("too_long", 413)
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise InputError("json") from None
    if not isinstance(body, dict):
        raise InputError("json")
    return valid_sender(body.get("sender")), clean_message(body.get("message"))


def _buttons(raw: Any) -> list[dict]:
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in raw or []
        if isinstance(b, dict)
    ]


def history_messages(events: list, limit: int = HISTORY_LIMIT) -> list[dict]:
    """The user and bot messages among a tracker's events (as dicts or Event objects)."""
    titles: dict[str, str] = {}  # quick-reply payload → the title the resident clicked
    messages = []
    for event in events:
        data = event if isinstance(event, dict) else event.as_dict()
        kind, text = data.get("event"), data.get("text")
        if kind == "bot":
            buttons = _buttons((data.get("data") or {}).get("buttons"))
            titles.update((b["payload"], b["title"]) for b in buttons if b["payload"])
            if text or buttons:
                messages.append(
                    {
                        "role": "bot",
                        "text": text or "",
                        "buttons": buttons,
                        "timestamp": data.get("timestamp"),
                    }
                )
        elif kind == "user" and text:
            messages.append(
                {
                    "role": "user",
                    "text": titles.get(text, text),
                    "buttons": [],
                    "timestamp": data.get("timestamp"),
                }
            )
    return messages[-limit:]


def with_sources(message: dict) -> dict:
    """A bot message as the page shows it: the text without its 来源 lines, which become
    ``sources`` (short tag, title, clause, quoted sentences)."""
    text, refs = split_sources(message.get("text") or "", knowledge_base())
    return dict(message, text=text, sources=[r.as_dict() for r in refs])


class WholeMessages(CollectingOutputChannel):
    """Collects each bot message whole: Rasa's collector splits a text at blank lines into
    several messages, while the tracker store keeps it as one, so a reload merged bubbles."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class WebChatInput(InputChannel):
    """The web chat page and its JSON endpoints."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @staticmethod
    def conversation_id(sender: str) -> str:
        return SENDER_PREFIX + sender

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat_channel", __name__)

        @webchat.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):  # relative URLs in the page need the slash
                return response.redirect(request.path + "/")
            page = (WEB_DIR / "index.html").read_text(encoding="utf-8")
            return response.raw(
                page.replace("{{scope}}", scope_line())
                .replace("{{intro}}", intro_json())
                .encode("utf-8"),
                content_type=CONTENT_TYPES[".html"],
                headers=dict(SECURITY_HEADERS),
            )

        @webchat.route("/static/<name>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            path = WEB_DIR / name
            if not STATIC_NAME.fullmatch(name) or not path.is_file():
                return error("not_found", 404)
            return static_file(path)

        @webchat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text = parse_body(request)
            except InputError as refused:
                return error(refused.key, refused.status)
            collector = WholeMessages()
            message = UserMessage(
                text, collector, self.conversation_id(sender), input_channel=self.name()
            )
            try:
                await on_new_message(message)
            except (CancelledError, Exception) as failure:
                seconds = outage.retry_after(failure)
                if seconds is not None:  # Redis away (logged once by the lock store)
                    return outage.unavailable(seconds, SECURITY_HEADERS)
                # the text is not logged: it is the resident's, masked or not
                logger.exception("webchat: handling a message failed")
                if not collector.messages:
                    return error("failure", 503)
            replies = [with_sources(dict(m, recipient_id=sender)) for m in collector.messages]
            return json_response(replies)

        @webchat.route("/history", methods=["GET"])
        async def history(request: Request) -> HTTPResponse:
            try:
                sender = valid_sender(request.args.get("sender"))
            except InputError as refused:
                return error(refused.key, refused.status)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or agent.tracker_store is None:
                return error("not_ready", 503)
            try:
                tracker = await agent.tracker_store.retrieve_full_tracker(
                    self.conversation_id(sender)
                )
            except Exception:
                logger.exception("webchat: reading the tracker store failed")
                return error("failure", 503)
            events = list(tracker.events) if tracker else []
            messages = [
                with_sources(m) if m["role"] == "bot" else m for m in history_messages(events)
            ]
            return json_response({"sender": sender, "messages": messages})

        return webchat


@functools.lru_cache(maxsize=1)
def scope_line() -> str:
    """The regions and policy years the assistant covers, from the KB, for the page header."""
    kb = KnowledgeBase.open()
    return " · ".join(kb.regions.values()) + f" ｜ {introduction.years(kb)}"


@functools.lru_cache(maxsize=1)
def intro_json() -> str:
    """The welcome's scope and example questions, as JSON safe inside a <script> element."""
    kb = KnowledgeBase.open()
    intro = {
        "scope": introduction.scope(kb),
        "examples": introduction.examples(kb, ("tiers",), each=2)
        + introduction.examples(kb, ("channels", "household")),
        # the hotline numbers exactly as the documents write them: the page makes them tel: links
        "phones": phone_numbers(kb),
    }
    # "<" escaped: no text can close the element or open a comment
    return json.dumps(intro, ensure_ascii=False).replace("<", "\\u003c")


def phone_numbers(kb: KnowledgeBase) -> list[str]:
    """Every phone number the hotline facts list, longest first (so none hides in another)."""
    phones = {
        p for r in kb.regions for f in kb.hotlines(r) for p in (f.value or {}).get("phones", [])
    }
    return sorted(phones, key=lambda p: (-len(p), p))
