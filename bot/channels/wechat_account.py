"""WeChat official account (公众号) input channel: ``/webhooks/wechat/webhook``.

Configured in credentials.yml as ``bot.channels.wechat_account.WeChatInput`` (no values there): the
settings come from environment variables, so no secret is ever in the repository.

==========================  ==================================================================
``WECHAT_TOKEN``            the Token of the server configuration; without it both endpoints
                            answer 503 and nothing is passed on
``WECHAT_APPID``            the AppID (checked inside every decrypted payload)
``WECHAT_AES_KEY``          the EncodingAESKey (43 characters)
``WECHAT_MODE``             ``plain`` | ``compatible`` | ``safe`` (default: ``safe`` when an AES
                            key is set, else ``plain``)
``WECHAT_SECRET``           the AppSecret, for customer-service messages (late or long answers)
``WECHAT_REPLY_TIMEOUT``    seconds to wait for the assistant before answering "success" and
                            sending the answer as a customer-service message (default 4.0)
==========================  ==================================================================

GET answers WeChat's URL verification; POST carries messages. Every request is signature- and
timestamp-checked, encrypted ones also by ``msg_signature`` and the AppID (wechat_protocol.py);
text and voice go to Rasa once per MsgId (wechat_dispatch.py), masked (personal_data.py);
buttons become numbered options (wechat_text.py). See docs/wechat.md.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.wechat_dispatch import (
    CustomerServiceSender,
    Dispatcher,
    UndeliverableSender,
    WeChatClientSender,
    turn_from_fields,
)
from bot.channels.wechat_protocol import (
    MAX_BODY_BYTES,
    Refused,
    WeChatConfig,
    open_message,
    render_reply,
    verify_url,
)
from bot.channels.wechat_state import state_from_env
from bot.channels.wechat_text import clean_for_xml

logger = logging.getLogger(__name__)

TEXT = "text/plain; charset=utf-8"
XML = "application/xml; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    content_type: str = TEXT


NOT_CONFIGURED = Reply(503, "wechat channel not configured (WECHAT_TOKEN is not set)")


class WeChatEndpoint:
    """The channel's request handling, independent of Sanic (unit-tested directly)."""

    def __init__(self, config: WeChatConfig, dispatcher: Dispatcher) -> None:
        self.config = config
        self.dispatcher = dispatcher

    def handle_get(self, args: Mapping[str, str]) -> Reply:
        if not self.config.enabled:
            return NOT_CONFIGURED
        try:
            return Reply(200, verify_url(self.config, args))
        except Refused as refused:
            return self._refused(refused)

    async def handle_post(self, args: Mapping[str, str], body: bytes | None) -> Reply:
        if not self.config.enabled:
            return NOT_CONFIGURED
        try:
            if body is None:
                raise Refused(400, f"body larger than {MAX_BODY_BYTES} bytes")
            incoming = open_message(self.config, args, body)
        except Refused as refused:
            return self._refused(refused)
        content = await self.dispatcher.reply(turn_from_fields(incoming.fields))
        if content is None:
            return Reply(200, "success")
        return Reply(200, render_reply(self.config, incoming, clean_for_xml(content)), XML)

    @staticmethod
    def _refused(refused: Refused) -> Reply:
        logger.warning("wechat: refused a request (%d): %s", refused.status, refused.reason)
        return Reply(refused.status, "forbidden" if refused.status == 403 else refused.reason)


class WeChatInput(InputChannel):
    """Rasa input channel for a WeChat official account (passive replies + 客服消息)."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(WeChatConfig.from_env())

    def __init__(
        self, config: WeChatConfig | None = None, sender: CustomerServiceSender | None = None
    ) -> None:
        self.config = config or WeChatConfig()
        if sender is None:
            if self.config.appid and self.config.secret:
                sender = WeChatClientSender(self.config.appid, self.config.secret)
            else:
                sender = UndeliverableSender()
        self.sender = sender
        if self.config.enabled:
            logger.info("wechat channel: %s mode", self.config.mode)
        else:
            logger.info("wechat channel: WECHAT_TOKEN not set, /webhooks/wechat answers 503")

    def endpoint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> WeChatEndpoint:
        # the scaled mode shares answered MsgIds and options through Redis (wechat_state.py)
        dispatcher = Dispatcher(
            on_new_message, self.sender, self.config.reply_timeout, state=state_from_env()
        )
        return WeChatEndpoint(self.config, dispatcher)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        endpoint = self.endpoint(on_new_message)
        webhook = Blueprint("custom_webhook_WeChatInput", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.config.enabled})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return _send(endpoint.handle_get(_args(request)))

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            body = await _read_body(request) if self.config.enabled else b""
            return _send(await endpoint.handle_post(_args(request), body))

        return webhook


def _args(request: Request) -> dict[str, str]:
    return {name: request.args.get(name) or "" for name in request.args}


async def _read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The streamed body, or None as soon as it is longer than ``limit`` (Sanic drops the rest)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


def _send(reply: Reply) -> HTTPResponse:
    return response.text(reply.body, status=reply.status, content_type=reply.content_type)
