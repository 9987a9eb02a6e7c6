"""``answer_form``: kept open for no slot; the turn's state asks instead.

Every question the assistant asks (the region with its buttons too) is asked by
``policy_kb.answering.turn.answer_turn`` and recorded in the conversation's state with what
would answer it. A region asked by Rasa's form would be a second writer of that state and a
second reading of the answer (the form fills its slot, the turn reads the message): one
path is simpler, and the buttons are the same (``actions.replies.ask_buttons``). The form
stays in the rules only so that the trained stories keep their shape; it completes at once
and ``action_answer`` runs. (Its ``action_ask_*`` entries and ``required_slots`` in the
domain can go at the next retraining.)
"""

from __future__ import annotations

from rasa_sdk import FormValidationAction


class ValidateAnswerForm(FormValidationAction):
    """The form needs nothing: ``action_answer`` answers, or asks, on the turn's state."""

    def name(self) -> str:
        return "validate_answer_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        return []
