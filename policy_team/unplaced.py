"""Which residents' messages the assistant could not place, grouped by similar wording.

A turn is *unplaced* for one or more of these reasons, each read deterministically from what
the assistant did (its actions and texts, as stored in the tracker):

- ``fallback``: NLU fell back (``nlu_fallback``) or Rasa ran ``action_default_fallback``;
- ``low_confidence``: the classifier's best intent is below the threshold (by default the
  FallbackClassifier's own threshold in config.yml);
- ``out_of_scope``: answered by ``action_out_of_scope`` ("这个问题我回答不了…"), or
  ``action_answer`` refused another place or year (its reply carries ``out_of_scope``);
- ``rephrase``: asked to say it another way (``action_suggest_topics``, ``utter_default``,
  Rasa's ``action_default_ask_rephrase``);
- ``handoff``: asked for a human (``action_human_handoff``), or sent to the human channels after
  a second miss in a row (``action_suggest_topics``' reply carries ``handoff``; its reset of
  ``fallback_count`` is no sign: a question it rescues and answers resets the count too);
- ``not_stated``: answered that the documents do not say (``render.NOT_STATED_PHRASE``, or
  every fact the answer rendered has ``status: not_stated``).

Grouping uses character bigrams, not jieba tokens: residents' wording is short, colloquial and
full of typos and dialect ("医宝", "俺们") that jieba segments unpredictably, while two
phrasings of one question still share most character pairs; the NLU's own character n-grams
were chosen for the same reason (config.yml). Each message joins the group whose first
message (its anchor) it resembles most, if the Jaccard similarity of their bigram sets
reaches ``SIMILAR``; comparing with the anchor only keeps groups from drifting and makes a
group's id (a hash of its anchor) stable from one review to the next.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import pathlib

import yaml

from policy_kb.answering.render import NOT_STATED_PHRASE
from policy_team.examples import comparable
from policy_team.trackers import FALLBACK_INTENT, Turn

SIMILAR = 0.4  # Jaccard similarity of character bigrams from which two messages group
REASONS = {
    "fallback": "没听懂（回退）",
    "low_confidence": "意图置信度低",
    "out_of_scope": "答复超出范围",
    "rephrase": "请居民换个说法",
    "handoff": "要求人工",
    "not_stated": "答复文件没写",
}
REPHRASE_ACTIONS = {"action_suggest_topics", "utter_default", "action_default_ask_rephrase"}
SHOWN_EXAMPLES = 3


def fallback_threshold(root: pathlib.Path) -> float:
    """The FallbackClassifier's threshold in the project's config.yml (0.3, Rasa's default)."""
    config = yaml.safe_load((root / "config.yml").read_text(encoding="utf-8")) or {}
    for component in config.get("pipeline") or []:
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return 0.3


def reasons(turn: Turn, threshold: float, not_stated_facts: set[str] = frozenset()) -> list[str]:
    """Why a turn counts as unplaced (empty: it was placed)."""
    found = []
    if turn.intent == FALLBACK_INTENT or "action_default_fallback" in turn.actions:
        found.append("fallback")
    elif turn.confidence < threshold and not turn.text.startswith("/"):
        found.append("low_confidence")  # "/intent" payloads are button clicks, not NLU
    if "action_out_of_scope" in turn.actions or turn.out_of_scope_answer:
        found.append("out_of_scope")
    if REPHRASE_ACTIONS & set(turn.actions):
        found.append("rephrase")
    if handed_off(turn):
        found.append("handoff")
    if any(NOT_STATED_PHRASE in u for u in turn.utterances) or (
        turn.fact_ids and all(f in not_stated_facts for f in turn.fact_ids)
    ):
        found.append("not_stated")
    return found


def handed_off(turn: Turn) -> bool:
    """A request for a human, or the human channels after a second miss in a row (the reply
    marked ``handoff``)."""
    return (
        "action_human_handoff" in turn.actions
        or turn.intent == "request_human"
        or turn.handoff_reply
    )


@dataclasses.dataclass
class Group:
    """Messages of similar wording; ``id`` is stable while its anchor stays the same."""

    anchor: str  # comparable() form of the first message
    id: str = ""
    turns: list[Turn] = dataclasses.field(default_factory=list)
    reasons: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    def __post_init__(self) -> None:
        self.id = self.id or group_id(self.anchor)

    @property
    def count(self) -> int:
        return len(self.turns)

    def messages(self) -> list[str]:
        """The distinct (masked) messages, most frequent first: ``--pick`` numbers these."""
        counts = collections.Counter(t.text for t in self.turns)
        return sorted(counts, key=lambda text: (-counts[text], text))

    def regions(self) -> list[tuple[str, int]]:
        return collections.Counter(t.region or "未说明" for t in self.turns).most_common()

    def first_date(self):
        return min(t.date for t in self.turns)

    def last_date(self):
        return max(t.date for t in self.turns)

    def top_intents(self, n: int = 3) -> list[tuple[str, float]]:
        """The classifier's intents averaged over the group's messages, best first."""
        totals: collections.Counter = collections.Counter()
        for turn in self.turns:
            for name, confidence in turn.ranking:
                totals[name] += confidence
        return [(name, total / self.count) for name, total in totals.most_common(n)]


def group_id(anchor: str) -> str:
    return "G" + hashlib.sha1(anchor.encode("utf-8")).hexdigest()[:6]


def key(text: str) -> str:
    """What wording is compared on: simplified, half-width, no punctuation (as add-examples
    compares); a message of punctuation only ("？？？") keeps its characters."""
    return comparable(text) or text


def bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)} or {key}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def group(turns: list[Turn], known: dict[str, str] | None = None) -> list[Group]:
    """Groups unplaced turns by wording, largest first.

    ``known`` maps the ids of groups decided earlier to their anchors: they are seeded first,
    so later messages like them join them under the same id.
    """
    groups = [Group(anchor, gid) for gid, anchor in sorted((known or {}).items())]
    grams = [bigrams(g.anchor) for g in groups]
    by_key: dict[str, list[Turn]] = {}
    for turn in sorted(turns, key=lambda t: (t.timestamp, t.text)):
        by_key.setdefault(key(turn.text), []).append(turn)
    for anchor, members in by_key.items():
        mine = bigrams(anchor)
        scores = [jaccard(mine, other) for other in grams]
        best = max(range(len(scores)), key=scores.__getitem__, default=None)
        if best is None or scores[best] < SIMILAR:
            groups.append(Group(anchor))
            grams.append(mine)
            best = len(groups) - 1
        groups[best].turns += members
    return sorted(
        (g for g in groups if g.turns), key=lambda g: (-g.count, g.first_date(), g.anchor)
    )


def unplaced_groups(
    turns: list[Turn],
    threshold: float,
    not_stated_facts: set[str] = frozenset(),
    known: dict[str, str] | None = None,
) -> list[Group]:
    """The unplaced turns, grouped, with the reasons counted per group."""
    flagged = [(t, reasons(t, threshold, not_stated_facts)) for t in turns]
    groups = group([t for t, why in flagged if why], known)
    why_of = {id(t): why for t, why in flagged}
    for g in groups:
        for turn in g.turns:
            g.reasons.update(why_of[id(turn)])
    return groups
