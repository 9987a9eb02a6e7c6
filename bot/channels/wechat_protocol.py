"""WeChat's callback protocol: configuration, signatures, safe-mode crypto, safe XML parsing.

Signatures, message parsing and AES are wechatpy's (``check_signature``, ``parse_message``,
``WeChatCrypto``); this module decides what to accept. Every request body is parsed with
defusedxml first (no DTD, so no entity expansion and no external entities) before wechatpy's
own parser (xmltodict) sees it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

logger = logging.getLogger(__name__)

MODES = ("plain", "compatible", "safe")
MAX_BODY_BYTES = 64 * 1024
MAX_CLOCK_SKEW = 300  # seconds between WeChat's timestamp and our clock
# Fields the channel reads: each must be plain text when present (not nested, not repeated).
TEXT_FIELDS = (
    "ToUserName",
    "FromUserName",
    "MsgType",
    "CreateTime",
    "MsgId",
    "Content",
    "Recognition",
    "Event",
    "EventKey",
)


class Refused(Exception):
    """A request that is answered with ``status`` and passed on to nobody."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class WeChatConfig:
    """The channel's settings, from environment variables (never from code or the repo)."""

    token: str | None = None
    appid: str | None = None
    aes_key: str | None = None
    mode: str = "plain"
    secret: str | None = None
    reply_timeout: float = 4.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WeChatConfig:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            return (env.get(name) or "").strip() or None

        aes_key = get("WECHAT_AES_KEY")
        mode = (get("WECHAT_MODE") or ("safe" if aes_key else "plain")).lower()
        timeout = float(get("WECHAT_REPLY_TIMEOUT") or 4.0)
        config = cls(
            get("WECHAT_TOKEN"), get("WECHAT_APPID"), aes_key, mode, get("WECHAT_SECRET"), timeout
        )
        config.validate()
        return config

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    def validate(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"WECHAT_MODE must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not 0.5 <= self.reply_timeout <= 4.5:
            raise ValueError("WECHAT_REPLY_TIMEOUT must be between 0.5 and 4.5 seconds")
        if self.enabled and self.mode != "plain":
            if not (self.aes_key and self.appid):
                raise ValueError(f"WECHAT_MODE={self.mode} needs WECHAT_AES_KEY and WECHAT_APPID")
            self.crypto()  # a malformed EncodingAESKey fails at start, not on the first message

    def crypto(self) -> WeChatCrypto:
        try:
            return WeChatCrypto(self.token, self.aes_key, self.appid)
        except Exception as error:  # wechatpy asserts the key length; base64 errors too
            raise ValueError("WECHAT_AES_KEY is not a 43-character EncodingAESKey") from error


@dataclass
class Incoming:
    """A verified, decrypted and parsed message, and how to answer it."""

    message: BaseMessage
    encrypted: bool
    nonce: str
    fields: dict[str, str]


def check_request(config: WeChatConfig, args: Mapping[str, str], now: float | None = None):
    """Checks the query's signature and timestamp; raises Refused(403). Returns (ts, nonce)."""
    signature = args.get("signature") or ""
    timestamp = args.get("timestamp") or ""
    nonce = args.get("nonce") or ""
    try:
        check_signature(config.token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Refused(403, "bad signature") from None
    now = time.time() if now is None else now
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_CLOCK_SKEW:
        raise Refused(403, "stale or invalid timestamp")
    return timestamp, nonce


def verify_url(config: WeChatConfig, args: Mapping[str, str], now: float | None = None) -> str:
    """WeChat's server URL check: the ``echostr`` back, unchanged, when the signature is right."""
    check_request(config, args, now)
    echostr = args.get("echostr")
    if not echostr:
        raise Refused(400, "no echostr")
    return echostr


def read_xml(data: bytes | str) -> tuple[str, dict[str, Any]]:
    """The document's text and top-level fields, refusing anything that is not WeChat XML.

    A field that is nested or repeated has the value None.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, UnicodeDecodeError, ValueError) as error:
        raise Refused(400, f"unsafe or malformed XML ({type(error).__name__})") from None
    if root.tag != "xml":
        raise Refused(400, "root element is not <xml>")
    fields: dict[str, Any] = {}
    for child in root:
        fields[child.tag] = None if child.tag in fields or len(child) else (child.text or "")
    return text, fields


def open_message(
    config: WeChatConfig, args: Mapping[str, str], body: bytes, now: float | None = None
) -> Incoming:
    """Verifies, decrypts (safe/compatible mode) and parses one POSTed message."""
    if len(body) > MAX_BODY_BYTES:
        raise Refused(400, "body too large")
    timestamp, nonce = check_request(config, args, now)
    text, outer = read_xml(body)
    encrypted = args.get("encrypt_type") == "aes" or "Encrypt" in outer
    if encrypted:
        if config.mode == "plain":
            raise Refused(400, "encrypted message but WECHAT_MODE=plain")
        encrypt = outer.get("Encrypt")
        if not encrypt:
            raise Refused(400, "no Encrypt field")
        try:
            inner = config.crypto().decrypt_message(
                {"Encrypt": encrypt}, args.get("msg_signature") or "", timestamp, nonce
            )
        except InvalidSignatureException:
            raise Refused(403, "bad msg_signature") from None
        except InvalidAppIdException:
            raise Refused(403, "AppID in the payload does not match WECHAT_APPID") from None
        except Exception as error:  # bad base64, padding or length: not a WeChat payload
            raise Refused(400, f"cannot decrypt ({type(error).__name__})") from None
        text, fields = read_xml(inner)
    else:
        if config.mode == "safe":
            raise Refused(403, "plain message but WECHAT_MODE=safe")
        fields = outer
    for name in TEXT_FIELDS:
        if name in fields and not isinstance(fields[name], str):
            raise Refused(400, f"field {name} is not plain text")
    if not (fields.get("MsgType") and fields.get("FromUserName")):
        raise Refused(400, "no MsgType or FromUserName")
    try:
        message = parse_message(text)
    except Exception as error:
        raise Refused(400, f"not a WeChat message ({type(error).__name__})") from None
    return Incoming(message, encrypted, nonce, fields)


def render_reply(
    config: WeChatConfig, incoming: Incoming, content: str, now: float | None = None
) -> str:
    """The passive reply XML, encrypted and signed when the request was."""
    xml = TextReply(message=incoming.message, content=content).render()
    if not incoming.encrypted:
        return xml
    timestamp = str(int(time.time() if now is None else now))
    return config.crypto().encrypt_message(xml, incoming.nonce, timestamp)
