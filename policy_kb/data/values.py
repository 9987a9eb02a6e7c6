"""The ``value`` of a fact — what the calculator reads — held to the same rule as its answer.

Two checks, both run by ``shebao check`` and ``policy-team validate`` through
``sources.validate``:

1. A JSON Schema per fact key (``SCHEMAS``, fnmatch patterns): a mistyped field, a missing
   rate or a date written as text is reported before anything is built, not at run time. A
   fact that carries a value must have a schema; the facts the calculator reads must carry one.
2. Every number in the value (dates, amounts, ages, digit keys, phone numbers) must occur in a
   quote of the fact (or be the policy year), or be declared under ``derived:`` with the
   formula that gives it. A formula is a small expression::

       derived:
         start: month_start("2023年9月")  # "2023年9月至12月": the first day of September
         late_from: day_after("2023年12月31日")   # the day after the collection period
         half_share: percent(50)         # "承担50%"
         lowest: min(tiers)              # another field of the same value
         end: year_end(year)             # the last day of the policy year
         disability_grades: [cn("一级"), cn("二级")]   # Chinese numerals of a quote

   Its numbers and quoted words must occur in the fact's quotes like any other number; the
   formula's result must equal the value it declares. ``statute(18, "民法典第十七条")`` is a
   number set by a law the documents rely on without quoting it; it names the law.
"""

from __future__ import annotations

import ast
import calendar
import datetime as dt
import fnmatch
import re
from collections.abc import Iterator
from typing import Any

import jsonschema

from policy_kb.data.value_schemas import SCHEMAS
from policy_kb.text.dates import parse_date
from policy_kb.text.numbers import NUMERAL, cn_to_int


def schema_for(key: str) -> tuple[dict, bool] | None:
    """The schema of a fact key (exact names before patterns), or None."""
    if key in SCHEMAS:
        return SCHEMAS[key]
    for pattern, entry in SCHEMAS.items():
        if fnmatch.fnmatchcase(key, pattern):
            return entry
    return None


def as_json(value: Any) -> Any:
    """A YAML value as it is stored: dates as ISO strings, mapping keys as strings."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


# ---------------------------------------------------------------------- checks
def check_value(label: str, fact: dict, quotes: list[str], year: Any) -> list[str]:
    """Every problem of one fact's value and ``derived:`` block, readable, none raised."""
    key, value = str(fact.get("key", "?")), fact.get("value")
    derived = fact.get("derived") or {}
    entry = schema_for(key)
    problems = []
    if value is None:
        if entry and entry[1] and fact.get("status", "verified") == "verified":
            problems.append(f"{label}: value is missing (the calculator or the answers read it)")
        if derived:
            problems.append(f"{label}: derived: without a value")
        return problems
    if entry is None:
        return [
            f"{label}: no schema for the value of {key!r} (add one to policy_kb/data/value_schemas.py)"
        ]
    data = as_json(value)
    validator = jsonschema.Draft7Validator(entry[0])
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        where = "".join(f".{p}" for p in error.path)
        problems.append(f"{label}: value{where}: {_message(error)}")
    ground = Grounding(quotes, year)
    problems += _cross_checks(label, key, data, ground)
    if not isinstance(derived, dict):
        return problems + [f"{label}: derived: must map a value field to its formula"]
    for path, item in _leaves(data):
        if re.split(r"[.[]", path)[0] in derived or ground.holds(item):
            continue
        problems.append(
            f"{label}: value.{path} = {item} occurs in no quote of the fact "
            "(quote the sentence that states it, or declare it under derived: with its formula)"
        )
    for path, formula in derived.items():
        problems += _check_formula(label, str(path), str(formula), data, ground, year)
    return problems


def _message(error: jsonschema.ValidationError) -> str:
    """The validator's message, or the schema's own description where that says more."""
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator in ("anyOf", "oneOf") and description:
        return f"{error.instance!r}: {description}"
    return error.message


# How strictly a tier is reserved, and the words a quote must use to say so.
RESTRICTION_WORDS = {"only": "只适用于", "in_principle": "原则上只适用于"}


def _cross_checks(label: str, key: str, data: Any, ground: Grounding) -> list[str]:
    if not isinstance(data, dict):
        return []
    problems = []
    if key == "medical.personal":
        if "少年儿童" in data and "adult_age" not in data:
            problems.append(f"{label}: value.adult_age is missing (who pays the 少年儿童 rate?)")
        for name in data.get("adult_tiers") or []:
            if name not in data:  # a wrong type is the schema's finding
                problems.append(f"{label}: value.adult_tiers names {name!r}, which has no amount")
    if key == "pension.tiers" and isinstance(data.get("tiers"), list):
        for tier in data.get("restricted") or {}:
            if tier.isdigit() and int(tier) not in data["tiers"]:
                problems.append(f"{label}: value.restricted names {tier}, which is not a tier")
        restriction = data.get("restriction")
        if data.get("restricted") and restriction is None:
            problems.append(f"{label}: value.restriction (only | in_principle) is missing")
        words = RESTRICTION_WORDS.get(restriction)
        softened = restriction == "only" and ground.words(RESTRICTION_WORDS["in_principle"])
        if words and (not ground.words(words) or softened):
            problems.append(
                f"{label}: value.restriction is {restriction!r}, the quotes do not say so"
            )
    return problems


def _leaves(data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, item) for every number-bearing item, digit keys of mappings included."""
    if isinstance(data, dict):
        for name, item in data.items():
            here = f"{path}.{name}" if path else str(name)
            if str(name).isdigit():
                yield here, int(name)
            yield from _leaves(item, here)
    elif isinstance(data, list):
        for n, item in enumerate(data):
            yield from _leaves(item, f"{path}[{n}]")
    elif isinstance(data, bool) or data is None:
        return
    elif isinstance(data, (int, float)) or re.search(r"\d", str(data)):
        yield path, data


class Grounding:
    """Whether a number, date or string with digits occurs in a fact's quotes."""

    def __init__(self, quotes: list[str], year: Any):
        self.text = "\n".join(quotes)
        self.year = str(year)

    def number(self, number: Any) -> bool:
        token = str(number)
        if token == self.year:
            return True
        return re.search(rf"(?<![\d.]){re.escape(token)}(?![\d]|\.\d)", self.text) is not None

    def words(self, words: str) -> bool:
        return words in self.text

    def holds(self, item: Any) -> bool:
        if isinstance(item, (int, float)):
            return self.number(item)
        text = str(item)
        day = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if day:
            y, m, d = (int(g) for g in day.groups())
            return f"{y}年{m}月{d}日" in self.text or (f"{m}月{d}日" in self.text and self.number(y))
        month_day = re.fullmatch(r"(\d{2})-(\d{2})", text)
        if month_day:
            return f"{int(month_day.group(1))}月{int(month_day.group(2))}日" in self.text
        if text in self.text:
            return True
        return all(self.number(run) for run in re.findall(r"\d+", text))


# ---------------------------------------------------------------------- derived formulas
def _day(*args) -> dt.date:
    """date(2023, 12, 31) or date("2023年12月31日") (a string moves with `new-year`)."""
    if len(args) == 1:
        day = parse_date(str(args[0]))
        if day is None:
            raise FormulaError(f"not a date: {args[0]}")
        return day
    return dt.date(*args)


def _month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})年(\d{1,2})月", str(text))
    if not match:
        raise FormulaError(
            f'write the month as in the documents, e.g. "9月" after a four-digit year and 年: {text}'
        )
    return int(match.group(1)), int(match.group(2))


def _month_start(text: str) -> dt.date:
    y, m = _month(text)
    return dt.date(y, m, 1)


def _month_end(text: str) -> dt.date:
    y, m = _month(text)
    return dt.date(y, m, calendar.monthrange(y, m)[1])


FUNCTIONS = {
    "min": min,
    "max": max,
    "percent": lambda n: n / 100,
    "date": _day,
    "month_start": _month_start,
    "month_end": _month_end,
    "year_start": lambda y: dt.date(y, 1, 1),
    "year_end": lambda y: dt.date(y, 12, 31),
    "day_after": lambda day: _day(day) + dt.timedelta(days=1),
    "cn": lambda words: cn_to_int(re.match(NUMERAL, words).group(0)),
    "statute": lambda number, law: number,
}


class FormulaError(ValueError):
    pass


def _check_formula(label, path, formula, data, ground: Grounding, year) -> list[str]:
    where = f"{label}: derived {path}"
    if not isinstance(data, dict) or path not in data:
        return [f"{where}: the value has no field {path!r}"]
    try:
        tree = ast.parse(formula, mode="eval")
        unground = [lit for lit in _literals(tree) if not _literal_holds(lit, ground)]
        result = _evaluate(tree.body, {**data, "year": year})
    except (SyntaxError, FormulaError, TypeError, ValueError, AttributeError) as error:
        return [f"{where}: cannot read the formula {formula!r} ({error})"]
    problems = [f"{where}: {lit!r} in the formula occurs in no quote" for lit in unground]
    if as_json(result) != data[path]:
        problems.append(f"{where}: {formula} gives {as_json(result)}, not {data[path]}")
    return problems


def _literals(tree: ast.AST) -> list[Any]:
    """The numbers and words a formula takes from the documents (a statute's are its own)."""
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "statute":
            law = node.args[1] if len(node.args) == 2 else None
            if not (isinstance(law, ast.Constant) and isinstance(law.value, str) and law.value):
                raise FormulaError('write statute(number, "the law it comes from")')
            exempt.update(id(arg) for arg in node.args)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and id(node) not in exempt
    ]


def _literal_holds(literal: Any, ground: Grounding) -> bool:
    if not isinstance(literal, str):
        return ground.number(literal)
    day = parse_date(literal)
    if day is not None:  # "2023年12月31日" holds where "2023年9月1日至12月31日" is quoted
        return ground.holds(day.isoformat())
    return ground.words(literal)


def _evaluate(node: ast.AST, names: dict) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise FormulaError(f"unknown name {node.id}")
        return names[node.id]
    if isinstance(node, ast.List):
        return [_evaluate(item, names) for item in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand, names)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left, names), _evaluate(node.right, names))
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in FUNCTIONS:
        return FUNCTIONS[node.func.id](*(_evaluate(arg, names) for arg in node.args))
    raise FormulaError(f"not allowed in a formula: {ast.dump(node)[:40]}")


_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
