"""What a conversation knows between two turns, as a plain value that round-trips to JSON.

``TurnState`` holds the previous question (as read, then merged with every answer and change
since), what the assistant is waiting for (the pieces its last question asked), the pieces it
has asked about already (never the same twice), and the person's own details said so far (age,
group, dates). The chat keeps it in one slot, the CLI and the tests as a plain value.

``build_profile`` (``policy_kb.rules.profile``, re-exported here) is the one builder of a
calculator ``Profile`` from loose input: the chat's state, a household's members, the staff
console's form, the CLI's options.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from policy_kb.reading.question import Question
from policy_kb.rules.profile import build_profile
from policy_kb.text.personal_data import mask_personal_data

# the pieces a question of the assistant can wait for
PIECES = ("region", "scheme", "tier", "amount", "age", "stage", "members", "date", "topic")


@dataclasses.dataclass
class Waiting:
    """A question the assistant asked: the pieces that answer it, and whom it is about."""

    pieces: list[str]
    member: int | None = None  # index into the question's members
    offer: dict | None = None  # what "对" / "是的" accepts, e.g. {"region": "qingdao"}
    # asked by the chat's form, which fills its own slots from the answer (Rasa's part)
    form: bool = False


@dataclasses.dataclass
class TurnState:
    """The conversation between two turns. Empty fields mean nothing is known."""

    question: dict | None = None  # the previous question (a Question's fields)
    waiting: Waiting | None = None
    asked_for: list[str] = dataclasses.field(default_factory=list)
    age: int | None = None
    group: str | None = None
    birth_date: str | None = None  # ISO
    payment_date: str | None = None  # ISO
    district: str | None = None  # a district named ("莱西"): its own hotline
    year: int | None = None  # a policy year the question named ("2024年威海医保多少钱")

    # ---------------------------------------------------------------- the previous question
    def previous(self) -> Question | None:
        if not self.question:
            return None
        data = dict(self.question)
        data["kinds"] = set(data.get("kinds") or [])
        return Question(**data)

    def remember(self, question: Question) -> None:
        data = dataclasses.asdict(question)
        data["kinds"] = sorted(question.kinds)
        # kept between turns (a slot, a file): never an ID card, phone or bank card number
        data["text"] = mask_personal_data(question.text)
        data["typed"] = mask_personal_data(question.typed)
        self.question = data

    @property
    def region(self) -> str | None:
        regions = (self.question or {}).get("regions") or []
        return regions[-1] if regions else None

    @property
    def scheme(self) -> str | None:
        schemes = (self.question or {}).get("schemes") or []
        return schemes[0] if len(schemes) == 1 else None

    @property
    def members(self) -> list[dict]:
        return list((self.question or {}).get("members") or [])

    # ---------------------------------------------------------------- JSON
    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | dict | None) -> TurnState:
        """The state a slot holds; an empty or unreadable slot is a fresh conversation."""
        if not text:
            return cls()
        try:
            data = json.loads(text) if isinstance(text, str) else dict(text)
        except (TypeError, ValueError):
            return cls()
        fields = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in data.items() if k in fields}
        if data.get("waiting"):
            data["waiting"] = Waiting(**data["waiting"])
        return cls(**data)


def iso(day: Any) -> str | None:
    """A date kept in the state (ISO), or None for anything else."""
    return day.isoformat() if isinstance(day, dt.date) else None


__all__ = ["PIECES", "TurnState", "Waiting", "build_profile", "iso"]
