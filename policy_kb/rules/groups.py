"""The hardship groups the documents name, and the words residents use for them.

Group ids are the keys of the facts' values (``pension.government_pays``,
``medical.government_pays.full``); the source check refuses any other key. Each group is
named as narrowly as its documents name it: Qingdao's 脱贫享受政策 and Shanting's 返贫致贫人口
are different groups, so an ordinary 脱贫户 is not read into Shanting's list.
"""

from __future__ import annotations

from typing import Any

from policy_kb.data.hardship import HARDSHIP_GROUPS, SEVERE_DISABILITY
from policy_kb.text.normalize import normalize_text

# Longest alias first when matching: "防止返贫监测帮扶" must not be read as "返贫".
_ALIASES = {
    "低保户": "低保",
    "最低生活保障": "低保",
    "特困人员": "特困",
    "脱贫户": "脱贫",
    "脱贫享受政策": "脱贫",
    "脱贫人口": "脱贫",
    "返贫": "返贫致贫",
    "致贫": "返贫致贫",
    "防止返贫监测帮扶": "监测帮扶",
    "监测对象": "监测帮扶",
    "低保边缘户": "低保边缘",
    "重度残疾人": SEVERE_DISABILITY,
    "重残": SEVERE_DISABILITY,
}
UNKNOWN = "unknown"


def parse_group(value: Any) -> str | None:
    """A group id for what a person says they are; ``UNKNOWN`` for unrecognised text."""
    if not value:
        return None
    text = normalize_text(str(value))
    if text in HARDSHIP_GROUPS:
        return text
    for alias, group in sorted(_ALIASES.items(), key=lambda a: -len(a[0])):
        if alias in text:
            return group
    for group in sorted(HARDSHIP_GROUPS, key=len, reverse=True):
        if group in text:
            return group
    return UNKNOWN


def group_label(group: str | None) -> str:
    return HARDSHIP_GROUPS.get(group or "", group or "")


# The person groups residents name (the NLU's person_group values, also the staff console's
# choices) as the calculator's Profile fields.
GROUP_PROFILE = {
    "大学生": {"student": "college"},
    "中小学生": {"student": "school"},
    "少年儿童": {"student": "school"},
    "新生儿": {"newborn": True},
    "低保": {"hardship": "低保"},
    "特困": {"hardship": "特困"},
    "脱贫": {"hardship": "脱贫"},
    "低保边缘": {"hardship": "低保边缘"},
    "监测帮扶": {"hardship": "监测帮扶"},
    "返贫致贫": {"hardship": "返贫致贫"},
    "重度残疾": {"hardship": "重度残疾"},
    # a grade is not 重度残疾 everywhere: the calculator reads it by region
    "一二级残疾": {"disability_grade": 1},
}
