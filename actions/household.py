"""Reading a household out of a resident's sentence.

"我们家两个大人选一档，一个上小学的孩子" → two adults (一档) and one pupil. The result is a
list of plain dicts (kept in a slot between turns) that become calculator profiles.
"""

from __future__ import annotations

import re

from policy_kb import Profile
from policy_kb.normalize import cn_to_int, normalize_text

_COUNT = r"(\d+|[一两二三四五六七八九十])"
_NOUN = r"(大人|成年人|成人|老人|老年人|孩子|小孩|小朋友|儿子|女儿|学生|小学生|中学生|初中生|高中生|大学生|宝宝|婴儿|新生儿)"
_MEMBER = re.compile(_COUNT + r"\s*(?:个|位|口)?([^，,。；;、和还另]{0,8}?)" + _NOUN)
_COUPLE = re.compile(r"夫妻|两口子|我和(?:我)?(?:老婆|老公|爱人|媳妇|丈夫|妻子)")
_AGE = re.compile(r"(\d{1,3}|[一二三四五六七八九十]{1,3})\s*岁")
_TIER = re.compile(r"(一档|二档|1档|2档)")


def _kind(modifier: str, noun: str) -> dict:
    text = modifier + noun
    if "大学" in text:
        return {"student": "college"}
    if noun in ("老人", "老年人"):
        return {"role": "elderly"}
    if noun in ("大人", "成年人", "成人"):
        return {"role": "adult"}
    if noun in ("宝宝", "婴儿", "新生儿"):
        return {"student": "school", "role": "baby"}
    return {"student": "school"}  # children and pupils: the 少年儿童 rate


def parse_household(text: str) -> list[dict] | None:
    """Members as dicts (role, student, tier, age), or None when no member can be read."""
    text = normalize_text(text)
    members: list[dict] = []
    for clause in re.split(r"[，,。；;]", text):
        tier = _TIER.search(clause)
        tier_name = None
        if tier:
            tier_name = tier.group(1).replace("1档", "一档").replace("2档", "二档")
        for match in _MEMBER.finditer(clause):
            count = cn_to_int(match.group(1)) or 0
            if not 0 < count <= 12:
                continue
            kind = _kind(match.group(2), match.group(3))
            age = _AGE.search(clause[match.end() : match.end() + 8])
            for _ in range(count):
                member = dict(kind)
                if member.get("role") in ("adult", "elderly") and tier_name:
                    member["tier"] = tier_name
                if age:
                    member["age"] = cn_to_int(age.group(1))
                members.append(member)
        if _COUPLE.search(clause) and not _MEMBER.search(clause):
            members += [{"role": "adult", **({"tier": tier_name} if tier_name else {})}] * 2
    return members or None


def describe(members: list[dict]) -> str:
    """A short Chinese description, e.g. "成年人2人、少年儿童1人"."""
    counts: dict[str, int] = {}
    for member in members:
        if member.get("student") == "college":
            label = "大学生"
        elif member.get("student") == "school":
            label = "少年儿童"
        elif member.get("role") == "elderly":
            label = "老年人"
        else:
            label = "成年人"
        counts[label] = counts.get(label, 0) + 1
    return "、".join(f"{k}{v}人" for k, v in counts.items())


def member_profiles(members: list[dict], tier: str | None = None) -> list[Profile]:
    """Calculator profiles for the members; adults without their own tier take ``tier``."""
    return [
        Profile(
            student=member.get("student"),
            age=member.get("age"),
            tier=member.get("tier")
            or (tier if member.get("role") in ("adult", "elderly") else None),
        )
        for member in members
    ]
