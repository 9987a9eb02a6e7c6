"""The hotline staff console: the assistant's answer, the facts behind it, tables, a calculator.

Configured in credentials.yml as ``bot.channels.console.StaffConsoleInput``; everything lives
under ``/webhooks/console/`` and needs HTTP basic auth:

``GET  /webhooks/console/``                 the page (``bot/web/console.html``) and its static files
``GET  /webhooks/console/api/regions``      the regions and the policy year
``POST /webhooks/console/api/ask``          ``{"session", "question", "region"?}`` → the answer
                                            (as the assistant gives it), the facts it rests on
                                            with their citations, the region's tables
``GET  /webhooks/console/api/tables?region=``  the region's facts as tables
``POST /webhooks/console/api/calc``         a personal case → the calculator's answer
``GET  /webhooks/console/api/review?from=&to=``  the policy team's review summary of a date
                                            range (read-only; policy_team.summary)

The login comes from the environment (``STAFF_CONSOLE_USER``, default ``staff``, and
``STAFF_CONSOLE_PASSWORD``) or from the channel's entry in credentials.yml. There is no
default password: without one the console answers 503 and says how to enable it. Repeated
failed logins from one address are refused for a while (429).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import hmac
import logging
import os
import time
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import review_panel, staff_desk
from bot.channels.http_shared import (
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

logger = logging.getLogger(__name__)

SENDER_PREFIX = "console-"
MIN_PASSWORD_CHARS = 8
MAX_FAILURES, FAILURE_WINDOW = 10, 300.0  # failed logins per address, seconds
REALM = 'Basic realm="shebao-console", charset="UTF-8"'
STATIC_FILES = {"console.js", "console.css"}
ERRORS = {
    "disabled": "坐席控制台未启用：请设置环境变量 STAFF_CONSOLE_PASSWORD（至少8位）后重启助手。",
    "login": "需要登录：请输入坐席账号和密码。",
    "throttled": "登录失败次数过多，请5分钟后再试。",
    "json": "请求格式不正确。",
    "failure": "抱歉，助手暂时出了点问题，请稍后再试。",
    "not_found": "没有这个页面。",
}


class ConsoleOutputChannel(CollectingOutputChannel):
    """Collects the replies together with the ids of the facts each one rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.fact_ids: list[str] = []

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.fact_ids += [i for i in kwargs.get("fact_ids") or [] if i not in self.fact_ids]
        await super().send_text_message(recipient_id, text, **kwargs)

    async def send_text_with_buttons(self, recipient_id, text, buttons, **kwargs) -> None:
        self.fact_ids += [i for i in kwargs.get("fact_ids") or [] if i not in self.fact_ids]
        await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)


class LoginGuard:
    """HTTP basic auth against one configured login, with a per-address failure limit."""

    def __init__(self, username: str, password: str | None) -> None:
        self.username = username
        self.password = password if password and len(password) >= MIN_PASSWORD_CHARS else None
        self._failures: dict[str, collections.deque] = {}

    @property
    def enabled(self) -> bool:
        return self.password is not None

    def check(self, request: Request) -> str | None:
        """None when the request may pass, else the key of the refusal in ERRORS."""
        if not self.enabled:
            return "disabled"
        # behind the scaled mode's nginx: the caller's address from X-Real-IP (bot/serving/scaled.py)
        address = request.remote_addr or request.ip or "?"
        failures = self._failures.setdefault(address, collections.deque())
        now = time.monotonic()
        while failures and now - failures[0] > FAILURE_WINDOW:
            failures.popleft()
        if len(failures) >= MAX_FAILURES:
            return "throttled"
        header = request.headers.get("authorization", "")
        if not header:
            return "login"  # the browser's first request, before it asks for the login
        if self._matches(header):
            failures.clear()
            return None
        failures.append(now)
        logger.warning("console: failed login from %s", address)
        return "login"

    def _matches(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        # both compared in constant time, so the answer time says nothing about either
        user_ok = hmac.compare_digest(user.encode(), self.username.encode())
        password_ok = hmac.compare_digest(password.encode(), self.password.encode())
        return user_ok and password_ok


def refusal(key: str) -> HTTPResponse:
    status = {"disabled": 503, "login": 401, "throttled": 429}[key]
    headers = dict(SECURITY_HEADERS)
    if key == "login":
        headers["WWW-Authenticate"] = REALM
    body = f'<!doctype html><meta charset="utf-8"><title>坐席控制台</title><p>{ERRORS[key]}</p>'
    return response.html(body, status=status, headers=headers)


def _body(request: Request) -> dict:
    if len(request.body or b"") > 64 * 1024:
        raise InputError("json", 413)
    try:
        body = request.json
    except Exception:  # sanic raises its own error type for malformed JSON
        raise InputError("json") from None
    if not isinstance(body, dict):
        raise InputError("json")
    return body


class StaffConsoleInput(InputChannel):
    """The staff console page and its JSON endpoints, behind a login."""

    def __init__(self, username: str | None = None, password: str | None = None) -> None:
        self.guard = LoginGuard(
            username or os.environ.get("STAFF_CONSOLE_USER") or "staff",
            password or os.environ.get("STAFF_CONSOLE_PASSWORD"),
        )
        if not self.guard.enabled:
            logger.info("console: disabled (STAFF_CONSOLE_PASSWORD is not set or too short)")

    @classmethod
    def name(cls) -> str:
        return "console"

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> StaffConsoleInput:
        credentials = credentials or {}
        return cls(credentials.get("username"), credentials.get("password"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        console = Blueprint("console_channel", __name__)
        guard = self.guard

        @console.middleware("request")
        async def login(request: Request):
            refused = guard.check(request)
            if refused:
                return refusal(refused)

        @console.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                return response.redirect(request.path + "/")
            return static_file(WEB_DIR / "console.html")

        @console.route("/static/<name>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            if name not in STATIC_FILES and not (
                STATIC_NAME.fullmatch(name) and name.endswith(".svg")
            ):
                return json_response({"error": ERRORS["not_found"]}, 404)
            return static_file(WEB_DIR / name)

        @console.route("/api/regions", methods=["GET"])
        async def regions(request: Request) -> HTTPResponse:
            return json_response(staff_desk.regions())

        @console.route("/api/tables", methods=["GET"])
        async def tables(request: Request) -> HTTPResponse:
            region = staff_desk.region_id(request.args.get("region"))
            if region is None:
                return json_response({"error": staff_desk.ERRORS["region"]}, 400)
            return json_response({"region": region, "tables": staff_desk.tables(region)})

        @console.route("/api/ask", methods=["POST"])
        async def ask(request: Request) -> HTTPResponse:
            try:
                body = _body(request)
                sender = valid_sender(body.get("session"))
                question = clean_message(body.get("question"))
            except InputError as refused:
                return json_response({"error": _error_text(refused.key)}, refused.status)
            region = staff_desk.region_id(body.get("region"))
            text = staff_desk.with_region(question, region)
            collector = ConsoleOutputChannel()
            message = UserMessage(
                text, collector, SENDER_PREFIX + sender, input_channel=self.name()
            )
            try:
                await on_new_message(message)
            except (CancelledError, Exception):
                logger.exception("console: handling a question failed")
                if not collector.messages:
                    return json_response({"error": ERRORS["failure"]}, 503)
            return json_response(
                staff_desk.answer(text, collector.messages, collector.fact_ids, region)
            )

        @console.route("/api/review", methods=["GET"])
        async def review(request: Request) -> HTTPResponse:
            # read-only; the database work runs off the event loop so residents never wait
            engine = review_panel.tracker_engine(request.app)
            body, status = await asyncio.get_running_loop().run_in_executor(
                None,
                review_panel.review_summary,
                engine,
                request.args.get("from"),
                request.args.get("to"),
            )
            return json_response(body, status)

        @console.route("/api/calc", methods=["POST"])
        async def calc(request: Request) -> HTTPResponse:
            try:
                body = _body(request)
            except InputError as refused:
                return json_response({"error": ERRORS["json"]}, refused.status)
            result = staff_desk.calculate_case(body)
            return json_response(result, 200 if "error" not in result else 400)

        return console


def _error_text(key: str) -> str:
    return INPUT_ERRORS.get(key) or ERRORS.get(key) or ERRORS["json"]
