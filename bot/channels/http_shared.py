"""What the channels served over HTTP share (the web chat and the staff console): the web
folder, security headers, JSON answers, the checks of a sender id and a message, static files."""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

from sanic import response
from sanic.response import HTTPResponse

from bot.channels.personal_data import mask_personal_data

WEB_DIR = pathlib.Path(__file__).resolve().parent.parent / "web"
SENDER_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_MESSAGE_CHARS = 5000

# Control characters except tab and newline, and lone UTF-16 surrogates (which JSON allows
# and UTF-8 cannot store).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
STATIC_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\.(?:js|css|svg|png|ico)")
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

# the sentences for input a channel refuses (InputError's keys)
INPUT_ERRORS = {
    "json": '请求格式不正确：请发送 JSON，例如 {"sender": "…", "message": "…"}。',
    "sender": "会话编号无效，请刷新页面后再试。",
    "not_text": "目前只能发送文字消息。",
    "empty": "请输入您想问的问题。",
    "too_long": f"消息太长了（最多{MAX_MESSAGE_CHARS}字），请精简一下再发，一次问一个问题效果更好。",
}


class InputError(ValueError):
    """Input a channel refuses; ``key`` names its sentence (INPUT_ERRORS, or the channel's)."""

    def __init__(self, key: str, status: int = 400) -> None:
        super().__init__(key)
        self.key, self.status = key, status


def json_response(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(
        body, status=status, headers=dict(SECURITY_HEADERS), dumps=json.dumps, ensure_ascii=False
    )


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


def static_file(path: pathlib.Path) -> HTTPResponse:
    return response.raw(
        path.read_bytes(),
        content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
        headers=dict(SECURITY_HEADERS),
    )
