"""A JSON Schema per fact key for the facts' ``value`` (fnmatch patterns; exact names first).

Each entry is (schema, required): required means the calculator or the answers read the value,
so a verified fact with that key must carry one. Dates are checked in their stored form (ISO
strings); amounts and ages are integers; Chinese keys name tiers and groups, English keys rules.
"""

from __future__ import annotations

from policy_kb.data.hardship import HARDSHIP_GROUPS

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
MONTH_DAY = {"type": "string", "pattern": r"^\d{2}-\d{2}$"}
AMOUNT = {"type": "integer", "minimum": 0}
AGE = {"type": "integer", "minimum": 0, "maximum": 120}
TEXT = {"type": "string", "minLength": 1}
TEXTS = {"type": "array", "items": TEXT}
CHINESE_KEY = r"^[^\x00-\x7f]+$"
GROUP = {"enum": sorted(HARDSHIP_GROUPS)}


def _obj(properties: dict, required: tuple = (), chinese: dict | None = None) -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }
    if chinese is not None:
        schema["patternProperties"] = {CHINESE_KEY: chinese}
    return schema


HOTLINE = _obj(
    {
        "phones": {"type": "array", "items": {"type": "string", "pattern": r"^[\d-]+$"}},
        "accounts": TEXTS,
        "department": TEXT,
        "purpose": {"enum": ["pension_policy", "medical_policy", "payment"]},
    },
    ("phones", "purpose"),
)
CHANNELS = _obj({"menu": TEXT, "listed": TEXTS, "self_service": TEXTS, "preferred": TEXTS})

# (schema, the calculator or the answers read it: a verified fact must carry a value)
SCHEMAS: dict[str, tuple[dict, bool]] = {
    "collection_period": (
        _obj(
            {
                "start": DATE,
                "end": DATE,
                "age_on": DATE,
                "preparation": {"type": "array", "items": MONTH_DAY, "minItems": 2, "maxItems": 2},
                "collection_phase": {
                    "type": "array",
                    "items": MONTH_DAY,
                    "minItems": 2,
                    "maxItems": 2,
                },
                "pension_open_all_year": {"type": "integer"},
                # the schemes ``start`` is stated for (absent: both)
                "start_schemes": {"type": "array", "items": {"enum": ["pension", "medical"]}},
            },
            ("start", "end", "age_on"),
        ),
        True,
    ),
    "pension.bank_batch": (
        _obj(
            {
                "start": MONTH_DAY,
                "end": MONTH_DAY,
                "confirm_tier_before": MONTH_DAY,
                "schemes": {"type": "array", "items": {"enum": ["pension", "medical"]}},
            },
            ("start", "end", "schemes"),
        ),
        True,
    ),
    "pension.tiers": (
        _obj(
            {
                "tiers": {"type": "array", "items": AMOUNT, "minItems": 1},
                "restricted": {
                    "type": "object",
                    "patternProperties": {r"^\d+$": TEXT},
                    "additionalProperties": False,
                },
                "restriction": {"enum": ["only", "in_principle"]},
                "cap": AMOUNT,
                "lowest": AMOUNT,
            },
            ("tiers", "restricted", "lowest"),
        ),
        True,
    ),
    "pension.subsidy": (
        _obj(
            {
                "by_tier": {
                    "type": "object",
                    "patternProperties": {r"^\d+$": AMOUNT},
                    "additionalProperties": False,
                },
                "from_tier": AMOUNT,
                "from_tier_subsidy": AMOUNT,
            },
            ("by_tier",),
        ),
        True,
    ),
    "pension.government_pays": (
        {
            "type": "object",
            "propertyNames": {
                "anyOf": [
                    GROUP,
                    {"const": "disability_grades"},
                    {"const": "named_without_standard"},
                ],
                "description": "not a group id (" + "、".join(sorted(HARDSHIP_GROUPS)) + ")",
            },
            "properties": {
                "disability_grades": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 1, "maximum": 4},
                },
                # groups a document names among those paid for, without a standard for them
                "named_without_standard": {"type": "array", "items": GROUP},
            },
            "additionalProperties": AMOUNT,
            "minProperties": 1,
        },
        True,
    ),
    "pension.tier_change": (_obj({"retired_tiers": {"type": "array", "items": AMOUNT}}), False),
    "pension.back_payment": (_obj({"menu": TEXT}, ("menu",)), False),
    "medical.personal": (
        _obj(
            {
                "total": AMOUNT,
                "adult_age": AGE,
                "adult_tiers": {"type": "array", "items": TEXT},
            },
            chinese=AMOUNT,
        ),
        True,
    ),
    "medical.subsidy": (_obj({}, chinese=AMOUNT), True),
    "medical.government_pays": (
        _obj(
            {
                "full": {"type": "array", "items": GROUP},
                "full_from_age": AGE,
                "half_from_age": AGE,
                "half_to_age": AGE,
                "half_share": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            },
            ("full", "full_from_age", "half_from_age", "half_to_age", "half_share"),
        ),
        True,
    ),
    "medical.tier_change": (
        _obj({"default": {"enum": ["previous_year"]}, "change_after_payment": {"type": "boolean"}}),
        False,
    ),
    "medical.benefit_period": (_obj({"start": DATE, "end": DATE}, ("start", "end")), True),
    "medical.waiting_period": (
        {
            **_obj(
                {
                    "late_from": DATE,
                    "months": {"type": "integer", "minimum": 1},
                    "days": {"type": "integer", "minimum": 1},
                    "exempt": TEXTS,
                    # the document does not say whether late_from itself is late ("1月1日后")
                    "late_from_day_unstated": {"type": "boolean"},
                },
                ("late_from",),
            ),
            "oneOf": [{"required": ["months"]}, {"required": ["days"]}],
            "description": "give the waiting period as months or as days (one of them)",
        },
        True,
    ),
    "medical.newborn": (
        _obj(
            {
                "from_birth_within_months": {"type": "integer", "minimum": 1},
                "next_month_within_months": {"type": "integer", "minimum": 1},
                "waiting_months_after": {"type": "integer", "minimum": 1},
                # cover from birth is stated for paying the birth year's premium only
                "from_birth_premium": {"enum": ["birth_year"]},
            },
            ("from_birth_within_months", "next_month_within_months", "waiting_months_after"),
        ),
        True,
    ),
    "medical.students": (
        _obj(
            {
                "regular_menu": TEXT,
                "over_age_menu": TEXT,
                "school_max_age": AGE,
                "college_max_age": AGE,
                # "N周岁以下（含）" and "N周岁以上" both name age N
                "limits_overlap": {"type": "boolean"},
            },
            ("regular_menu", "over_age_menu", "school_max_age", "college_max_age"),
        ),
        True,
    ),
    "medical.family_account": (_obj({"relatives": TEXTS, "menu": TEXT}), False),
    "medical.collector": (
        _obj({"adults_and_children_not_in_school": TEXT, "students_and_children_in_school": TEXT}),
        False,
    ),
    "medical.rates_unchanged": (
        _obj({"since": {"type": "integer"}, "years": {"type": "integer"}}, ("since", "years")),
        False,
    ),
    "eligibility": (
        _obj(
            {
                "pension_min_age": AGE,
                "pension_excludes_students": {"type": "boolean"},
                "excludes_employee_insurance": {"type": "boolean"},
            }
        ),
        False,
    ),
    "refund": (_obj({"no_refund_from": DATE}, ("no_refund_from",)), False),
    "publicity": (_obj({"until": DATE}, ("until",)), False),
    "channels.*": (CHANNELS, False),
    "hotline.pension": (HOTLINE, True),
    "hotline.medical": (HOTLINE, True),
    "hotline.payment": (HOTLINE, True),
    "hotline.medical_office.*": (_obj({"office": TEXT, "phone": TEXT}, ("office", "phone")), True),
    "hotline.medical_offices_unpaired": (
        _obj({"offices": TEXTS, "unpaired_numbers": TEXTS}, ("offices", "unpaired_numbers")),
        False,
    ),
}
