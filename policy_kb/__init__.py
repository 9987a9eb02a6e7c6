"""The policy knowledge base: 2024 resident pension and medical insurance contributions.

Public API::

    from policy_kb import KnowledgeBase, Profile, calculate
    kb = KnowledgeBase.open()                 # builds build/policy_kb.db when sources changed
    kb.fact("威海", "medical.personal").value  # {"一档": 450, "二档": 650, ..., "adult_age": 18}
    calculate(kb, Profile(region="山亭", scheme="medical", age=65)).personal_amount  # 190

No dependency on Rasa: the assistant's actions, the hotline CLI and the tests share this API.
"""

from policy_kb.answering.lookup import LookupResult, lookup
from policy_kb.data.kb import Citation, Fact, KnowledgeBase, Place
from policy_kb.rules.calculator import Profile, Result, calculate, calculate_household

__all__ = [
    "Citation",
    "Fact",
    "KnowledgeBase",
    "LookupResult",
    "Place",
    "Profile",
    "Result",
    "calculate",
    "calculate_household",
    "lookup",
]
