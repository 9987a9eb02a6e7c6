"""The REST channel with personal numbers masked on arrival (see personal_data.py).

Configured in credentials.yml as ``bot.channels.rest.MaskedRestInput``; it keeps Rasa's
``rest`` name, so the URL stays ``/webhooks/rest/webhook``.
"""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request

from bot.channels import outage
from bot.channels.personal_data import mask_personal_data


class MaskedRestInput(RestInput):
    """Rasa's RestInput whose incoming text never carries an ID, phone or bank card number."""

    def _extract_message(self, req: Request) -> str | None:
        message = super()._extract_message(req)
        return mask_personal_data(message) if isinstance(message, str) else message

    def blueprint(self, on_new_message) -> Blueprint:
        # a Redis outage longer than a message may wait: 503 + Retry-After (channels/outage.py)
        blueprint = super().blueprint(outage.guarded(on_new_message))
        outage.install(blueprint)
        return blueprint
