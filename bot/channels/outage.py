"""A shared store away for longer than a message may wait: 503 with Retry-After, no trace.

The lock store (bot/serving/lock_store.py) retries Redis within a message's own time budget and then
raises a ``LockError`` carrying ``retry_after`` (seconds). The channels answer that with
HTTP 503 and a Retry-After header, so REST callers, the web chat and nginx see a clear "try
again in N s" instead of an empty 200 or a 500. The lock store has logged the outage once
already, so the channels log nothing per message.
"""

from __future__ import annotations

import contextvars
import json

from sanic import response
from sanic.response import HTTPResponse

from bot.channels.wechat_text import BUSY as UNAVAILABLE  # one wording on every channel

# set by the REST channel's wrapped on_new_message; read by its response middleware, both in
# the request's own task
_retry_after: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "retry_after", default=None
)


def retry_after(error: BaseException) -> int | None:
    """Seconds after which to retry, when ``error`` says a shared store is away; else None."""
    seconds = getattr(error, "retry_after", None)
    return int(seconds) if isinstance(seconds, (int, float)) else None


def unavailable(seconds: int, headers: dict | None = None) -> HTTPResponse:
    return response.json(
        {"error": UNAVAILABLE},
        status=503,
        headers={**(headers or {}), "Retry-After": str(seconds)},
        dumps=json.dumps,
        ensure_ascii=False,
    )


def guarded(on_new_message):
    """``on_new_message`` that records a store outage instead of raising it (for Rasa's REST
    receive, which would log a stack trace and answer 200 with no message)."""

    async def handle(message):
        try:
            return await on_new_message(message)
        except Exception as error:
            seconds = retry_after(error)
            if seconds is None:
                raise
            _retry_after.set(seconds)

    return handle


def install(blueprint) -> None:
    """Turns the answer of a request whose message met an outage into 503 + Retry-After."""

    @blueprint.middleware("request")
    async def forget(request) -> None:
        _retry_after.set(None)  # a keep-alive connection serves several requests in one task

    @blueprint.middleware("response")
    async def answer(request, reply) -> HTTPResponse | None:
        seconds = _retry_after.get()
        return unavailable(seconds) if seconds is not None else None
