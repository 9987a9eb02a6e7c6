"""The channels' masking of personal numbers: it lives in ``policy_kb.text.personal_data``.

Kept here so the channels' imports stay as they were; the policy team's review imports the
same functions from policy_kb without importing any Rasa channel.
"""

from policy_kb.text.personal_data import contains_personal_data, mask_personal_data

__all__ = ["contains_personal_data", "mask_personal_data"]
