"""The hardship groups' ids, the keys of the facts' values (``pension.government_pays``,
``medical.government_pays.full``), with the documents' names for them.

Data, not rules: the source check (value_schemas) refuses any other key, and the rules
(policy_kb.rules.groups) read residents' words into these ids.
"""

SEVERE_DISABILITY = "重度残疾"
HARDSHIP_GROUPS = {
    "低保": "低保对象",
    "特困": "特困人员",
    "脱贫": "脱贫享受政策人员",
    "返贫致贫": "返贫致贫人口",
    "低保边缘": "低保边缘家庭成员",
    "监测帮扶": "防止返贫监测帮扶对象",
    SEVERE_DISABILITY: "重度残疾人",
}
