"""A WeChat-style web chat (H5 page) for the assistant, served by Rasa itself.

Configured in credentials.yml as ``bot.channels.webchat.WebChatInput``; the channel is called
``webchat``, so everything lives under ``/webhooks/webchat/``:

``GET  /webhooks/webchat/``
    The chat page (``bot/web/index.html``); its script, style sheet and avatars come from
    ``/webhooks/webchat/static/<file>``. Nothing is loaded from any other host.
``POST /webhooks/webchat/webhook``  ``{"sender": "...", "message": "..."}``
    The bot's messages for one user message, as Rasa's REST channel returns them:
    ``[{"recipient_id": ..., "text": ..., "buttons": [{"title": ..., "payload": ...}]}]``.
``GET  /webhooks/webchat/history?sender=...``
    ``{"sender": ..., "messages": [{"role": "user"|"bot", "text", "buttons", "timestamp"}]}``,
    the conversation's past messages from the tracker store, so a reload shows them. A user
    message that was a quick-reply payload is shown with the button's title.

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
import pathlib
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import outage
from bot.channels.personal_data import mask_personal_data
from policy_kb import KnowledgeBase, introduction

logger = logging.getLogger(__name__)

WEB_DIR = pathlib.Path(__file__).resolve().parent.parent / "web"
SENDER_PREFIX = "webchat-"
SENDER_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_MESSAGE_CHARS = 5000
MAX_BODY_BYTES = 128 * 1024  # 5,000 characters, each escaped as \\uXXXX (or a surrogate pair)
HISTORY_LIMIT = 200  # the latest messages a reload shows

# Control characters except tab and newline, and lone UTF-16 surrogates (which JSON allows
# and UTF-8 cannot store).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_STATIC_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\.(?:js|css|svg|png|ico)")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

ERRORS = {
    "json": '请求格式不正确：请发送 JSON，例如 {"sender": "…", "message": "…"}。',
    "sender": "会话编号无效，请刷新页面后再试。",
    "not_text": "目前只能发送文字消息。",
    "empty": "请输入您想问的问题。",
    "too_long": f"消息太长了（最多{MAX_MESSAGE_CHARS}字），请精简一下再发，一次问一个问题效果更好。",
    "failure": "抱歉，助手暂时出了点问题，请稍后再试。",
    "not_ready": "助手正在启动，请稍后再试。",
    "not_found": "没有这个文件。",
}


class InputError(ValueError):
    """Input the channel refuses; ``key`` names the sentence in ERRORS."""

    def __init__(self, key: str, status: int = 400) -> None:
        super().__init__(key)
        self.key, self.status = key, status


def json_response(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(
        body, status=status, headers=dict(SECURITY_HEADERS), dumps=json.dumps, ensure_ascii=False
    )


def error(key: str, status: int = 400) -> HTTPResponse:
    return json_response({"error": ERRORS[key]}, status)


def valid_sender(sender: Any) -> str:
    """The browser's conversation id, or InputError."""
    if not isinstance(sender, str) or not SENDER_RE.fullmatch(sender):
        raise InputError("sender")
    return sender


def clean_message(message: Any) -> str:
    """The text Rasa may see: checked, control characters removed, personal numbers masked."""
    if not isinstance(message, str):
        raise InputError("not_text")
    text = _CONTROL.sub("", message.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise InputError("empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError("too_long", 413)
    return mask_personal_data(text)


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
            if not _STATIC_NAME.fullmatch(name) or not path.is_file():
                return error("not_found", 404)
            return _file(path)

        @webchat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text = parse_body(request)
            except InputError as refused:
                return error(refused.key, refused.status)
            collector = CollectingOutputChannel()
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
            replies = [dict(m, recipient_id=sender) for m in collector.messages]
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
            return json_response({"sender": sender, "messages": history_messages(events)})

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
    }
    # "<" escaped: no text can close the element or open a comment
    return json.dumps(intro, ensure_ascii=False).replace("<", "\\u003c")


def _file(path: pathlib.Path) -> HTTPResponse:
    return response.raw(
        path.read_bytes(),
        content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
        headers=dict(SECURITY_HEADERS),
    )
