"""Quick-reply buttons. Payloads use Rasa's intent syntax so a click needs no NLU."""

from __future__ import annotations

import json

from actions.context import knowledge_base

TOPIC_CHOICES = (
    ("ask_amount", "缴费标准"),
    ("ask_deadline", "缴费时间"),
    ("ask_channels", "怎么交"),
    ("ask_hotline", "咨询电话"),
)
INTENT_LABELS = {
    "ask_amount": "缴费标准和档次",
    "ask_subsidy": "政府补贴",
    "ask_household": "全家一共交多少",
    "ask_deadline": "缴费时间",
    "ask_benefit_start": "什么时候能享受待遇",
    "ask_channels": "缴费渠道",
    "ask_hotline": "咨询电话",
    "ask_registration": "参保登记",
    "ask_tier_change": "变更档次",
    "ask_refund": "退费",
    "ask_back_payment": "补缴",
    "ask_eligibility": "谁能参保",
    "ask_family_account": "职工医保个人账户给家人交",
    "ask_newborn": "新生儿参保",
    "ask_student": "学生参保",
    "ask_special_groups": "困难群体和老年人",
    "check_record": "查询缴费记录",
    "ask_fraud": "防骗提醒",
    "request_human": "人工咨询",
}


def intent_label(intent: str) -> str | None:
    """A button title for an intent: a built-in one, or an FAQ the policy team added."""
    if intent in INTENT_LABELS:
        return INTENT_LABELS[intent]
    kb = knowledge_base()
    topic = kb.topic_intents().get(intent)
    return kb.topic_label(topic) if topic else None


def _payload(intent: str, **entities: str) -> str:
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")


def ask_region_text() -> str:
    """The question for the region, naming every region of the knowledge base."""
    names = list(knowledge_base().regions.values())
    return f"请问您问的是哪个地区？{'、'.join(names[:-1])}还是{names[-1]}？"


def region_buttons() -> list[dict]:
    kb = knowledge_base()
    return [
        {"title": kb.region_name(r), "payload": _payload("inform", region=r)} for r in kb.regions
    ]


def scheme_buttons() -> list[dict]:
    return [
        {"title": "居民养老保险", "payload": _payload("inform", scheme="养老")},
        {"title": "居民医保", "payload": _payload("inform", scheme="医保")},
    ]


def topic_buttons(intents: list[str] | None = None) -> list[dict]:
    if intents:
        return [{"title": intent_label(i) or i, "payload": _payload(i)} for i in intents]
    return [{"title": title, "payload": _payload(intent)} for intent, title in TOPIC_CHOICES]
