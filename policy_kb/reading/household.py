"""The people in a resident's sentence, with what the sentence says about each of them.

"我跟我爱人都交二档，闺女读高二" → me (二档), my spouse (二档), a daughter at school.
"俺娘62了" → one elder aged 62. Residents name members as relatives (爱人, 俺娘, 公婆, 老两口),
children with a school stage (闺女读高二, 老大上幼儿园) or counts (两个大人, 俩孩子). Nobody is
dropped: a member whose category the sentence leaves open is kept with ``unclear`` set, so the
answer can ask about them. The words are data (``sources/questions.yml``).

Members are plain dicts (they live in a Rasa slot between turns): ``role`` (self, adult,
elderly, child), ``label`` (the word the resident used), and when said: ``stage`` (school,
college, newborn), ``age`` (int), ``age_said`` ("六十多"), ``tier`` (一档/二档), ``amount``
(a pension tier).
"""

from __future__ import annotations

import functools
import itertools
import re

from policy_kb.data.vocabulary import latest_fact_values, medical_tiers_in, regions, words
from policy_kb.rules.groups import UNKNOWN, parse_group
from policy_kb.text.normalize import cn_to_int, normalize_text

_COUNT_BEFORE = re.compile(r"(\d+|[一两二三四五六七八九十俩仨])\s*(?:个|位|口|名)?$")
# not "比俺大五岁" (a difference of ages)
_AGE = re.compile(r"(?<![大小\d一两二三四五六七八九十])(\d{1,3}|[一两二三四五六七八九十]{1,3})(多)?(?:周岁|岁|了)")
_AGE_EACH = re.compile(r"一个(\d{1,3}|[一二三四五六七八九十]{2,3})(?:周岁|岁|了)?")
_AGE_BEFORE = re.compile(r"(\d{1,3}|[一二三四五六七八九十]{1,3})(?:周岁|岁)的?$")
_AGE_DECADE = re.compile(r"([二三四五六七八九])十多")
# a bare number straight after the person is their age ("爸67", "俺娘七十二")
_AGE_RIGHT_AFTER = re.compile(
    r"(?:今年|已经|都|也|才)?(\d{1,3}|[二三四五六七八九十][一二三四五六七八九十]{0,2})"
    r"(?:周岁|岁|了)?(?![\d二三四五六七八九十元块档年月日号个多级]|一(?!共|起|块|家|年|下))"
)  # "妈70一共多少": the spoken reader joined the pause, 一共 is no digit
_AMOUNT = re.compile(r"(?:选|交|缴|按)?(\d{3,5})(?:元|块)?(?:档)?(?![\d岁年月日号])")
_CHANGED_TO = re.compile(r"换成|改成|改为|换到|改交|改选|换交")
_TOGETHER = re.compile(r"都|均|全|也|各")
# what is said of several people only with 都/也/各 ("老两口都65了", "我和老伴都是低保户")
_PERSONAL = ("age", "group", "disability_grade")
_HOUSEHOLD_SIZE = re.compile(r"一家(\d|[二三四五六七八九])口")
_DENIED_BEFORE = re.compile(r"(不是|不属于|也不是|并非|非)$")
# "我" before a relative or 们/的/家 is possessive ("我爱人", "我们家"), not a member.
_POSSESSIVE_AFTER = re.compile(r"^(们|的|家|这|那)")


@functools.lru_cache(maxsize=1)
def _vocabulary() -> tuple[list[tuple[str, dict]], dict[str, list[str]]]:
    data = words()
    entries = [(w, entry) for entry in data["members"] for w in entry["words"]]
    entries.sort(key=lambda item: -len(item[0]))
    return entries, data["stages"]


def _grown_child_age() -> int:
    return int(words()["grown_child_age"])


def _adult_age() -> int | None:
    """The youngest adult age of the regions' medical rates (a younger child's rate is known)."""
    ages = [v["adult_age"] for v in latest_fact_values("medical.personal") if "adult_age" in v]
    return min(ages) if ages else None


def _lowest_pension_tier() -> int:
    """A smaller number is no pension tier ("交了二十" is not an amount)."""
    tiers = [v["lowest"] for v in latest_fact_values("pension.tiers") if "lowest" in v]
    return min(tiers) if tiers else 1


def _stage_words(word: str, text: str) -> list[re.Match]:
    """Where a stage word stands as a stage: "选高一点的档" is no 高一."""
    return list(re.finditer(re.escape(word) + r"(?![点些档])", text))


def _stage(text: str) -> str | None:
    """The school stage a text names; newborn and college are checked before school."""
    _, stages = _vocabulary()
    for stage in ("newborn", "college", "school"):
        if any(_stage_words(w, text) for w in stages[stage]):
            return stage
    return None


def _stages_in_order(text: str) -> list[str]:
    """Every stage named in a text, in order ("一个上小学一个上大学" → school, college)."""
    _, stages = _vocabulary()
    found = []
    for stage in ("newborn", "college", "school"):
        for word in stages[stage]:
            for match in _stage_words(word, text):
                found.append((match.start(), stage, word))
    found.sort()
    kept, covered = [], -1
    for start, stage, word in found:
        if start > covered:  # "大学" inside an earlier "上大学" span is not counted twice
            kept.append(stage)
            covered = start + len(word) - 1
    return kept


_BLANK = "＿"  # stands for a word the sentence denies: it matches no vocabulary
_NUMBER_BETWEEN = re.compile(r"[\d一二三四五六七八九十两岁]")  # "不到7岁上小学" denies no stage


def _denial_targets(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every stage, group and disability grade word, left to right."""
    _, stages = _vocabulary()
    found = []
    for kind, vocabulary in (("stage", [w for ws in stages.values() for w in ws]),):
        for word in vocabulary:
            found += [(m.start(), m.end(), kind) for m in _stage_words(word, text)]
    for word in words()["person_groups"]:
        found += [(m.start(), m.end(), "group") for m in re.finditer(re.escape(word), text)]
    found += [(m.start(), m.end(), "group") for m in re.finditer(words()["disability_grade"], text)]
    return sorted(found, key=lambda f: (f[0], -f[1]))


def _unsay(clause: str) -> tuple[str, list[tuple[int, str]]]:
    """The clause with what it says a person is not blanked out ("不是一二级", "没残疾",
    "不上学了", "高中毕业了"), and (position, kind) of each denial."""
    targets = _denial_targets(clause)
    negations = sorted(words()["person_negations"], key=len, reverse=True)
    denied: list[tuple[int, int, str]] = []
    pattern = "|".join(re.escape(n) for n in negations)
    for negation in re.finditer(pattern, clause):
        reach = clause[negation.end() : negation.end() + int(words()["negation_reach"]) + 1]
        first = next((t for t in targets if t[0] >= negation.end()), None)
        gap = clause[negation.end() : first[0]] if first else ""
        if first and len(gap) < len(reach) and not _NUMBER_BETWEEN.search(gap):
            denied.append(first)
    finished = "|".join(re.escape(w) for w in words()["finished_stage"])
    for start, end, kind in targets:
        if kind == "stage" and re.match(r"[已经刚都也早就]{0,2}(?:" + finished + ")", clause[end:]):
            denied.append((start, end, kind))  # "高中毕业了": no longer at school
    for start, end, _kind in denied:
        clause = clause[:start] + _BLANK * (end - start) + clause[end:]
    return clause, [(start, kind) for start, _end, kind in denied]


def _mentions(text: str) -> list[tuple[int, int, dict]]:
    """(start, end, entry) for every member word, longest match first, left to right."""
    entries, _ = _vocabulary()
    mentions, at = [], 0
    while at < len(text):
        for word, entry in entries:
            if text.startswith(word, at):
                end = at + len(word)
                self_word = entry["role"] == "self"
                possessive = self_word and (
                    _POSSESSIVE_AFTER.match(text[end:])
                    or any(text.startswith(w, end) for w, e in entries if e["role"] != "self")
                )
                denied = _DENIED_BEFORE.search(text[max(0, at - 4) : at])  # "我不是学生"
                denied = denied or (self_word and text[:at].endswith("比"))  # "老伴比俺大五岁"
                # "就靠孩子": whom the family lives on, not one to insure
                supported = any(text[:at].endswith(w) for w in words()["supported_by"])
                if not possessive and not denied and not supported:
                    mentions.append((at, end, entry))
                at = end
                break
        else:
            at += 1
    return mentions


def _phrase_age(span: str) -> tuple[int | None, str | None]:
    """ "才64" (64, wins), "快70了" / "不到70" (69), "七十出头" (71) — age_phrases in the data."""
    phrases, number = words()["age_phrases"], r"(\d{1,3}|[一二三四五六七八九十]{1,3})"
    # "都40出头": the age after 出头 decides, before the word before it
    for word in phrases["above_after"]:
        found = re.search(r"(?<![一二三四五六七八九十\d])" + number + r"(?:岁)?" + re.escape(word), span)
        value = cn_to_int(found.group(1)) if found else None
        if value is not None and 0 < value <= 120:
            return value + 1, found.group(1) + "多"  # said "…多岁"
    for key, shift in (("exact_before", 0), ("below_before", -1)):
        for word in phrases[key]:
            found = re.search(
                re.escape(word) + number + r"(周岁|岁|了)?(?![\d一二三四五六七八九十元块档年月日号个多])", span
            )
            if (
                found
                and len(found.group(1)) == 1
                and not found.group(1).isdigit()
                and not found.group(2)
            ):
                found = None  # "今年一共": 一 is no age; "今年六十八", "才五岁" are
            value = cn_to_int(found.group(1)) if found else None
            if value is not None and 0 < value <= 120:
                return value + shift, (word + found.group(1)) if shift else None
    return None, None


# "五十五六了", "55六岁" (the spoken reader wrote the tens as digits): two ages next to each
# other, the younger one counted
_AGE_RANGE = re.compile(
    r"(?<![\d一二三四五六七八九十])(\d{2}|[二三四五六七八九]十[一二三四五六七八])([一二三四五六七八九])" r"(?=了|岁|周岁|$|[^\d一二三四五六七八九十])"
)


def _range_age(span: str) -> tuple[int | None, str | None]:
    for found in _AGE_RANGE.finditer(span):
        low, high = cn_to_int(found.group(1)), cn_to_int(found.group(2))
        if low is not None and high == low % 10 + 1 and 0 < low <= 120:
            return low, f"{low}～{low + 1}"
    return None, None


def _age(span: str) -> tuple[int | None, str | None]:
    phrase = _phrase_age(span)
    if phrase[0] is not None:
        return phrase
    ranged = _range_age(span)
    if ranged[0] is not None:
        return ranged
    decade = _AGE_DECADE.search(span)
    if decade:
        tens = cn_to_int(decade.group(1))
        return tens * 10 + 1, f"{decade.group(1)}十多"
    match = _AGE.search(span)
    if match:
        value = cn_to_int(match.group(1))
        if value is not None and 0 <= value <= 120 and match.group(2):
            return value + 1, f"{match.group(1)}多"  # "40多岁": in the forties
        if value is not None and 0 <= value <= 120:
            return value, None
    return None, None


_NOT_BEFORE = re.compile(r"(没|不|没有|未|也没|都没)(上班|工作|单位)?$")


def _insured_elsewhere(span: str) -> bool:
    """ "交职工医保", unless denied ("都没上班交职工的", "不交职工的")."""
    for word in words()["not_resident_insured"]:
        at = span.find(word)
        if at >= 0 and not _NOT_BEFORE.search(span[max(0, at - 6) : at]):
            return True
    return False


def _attributes(span: str) -> dict:
    """What a member's own stretch of the sentence says about them."""
    found: dict = {}
    age, said = _age(span)
    if age is not None:
        found["age"] = age
        if said:
            found["age_said"] = said
    tiers = medical_tiers_in(span)
    if tiers:
        found["tier"] = tiers[0]
    lowest = _lowest_pension_tier()
    changed = _CHANGED_TO.search(span)  # "之前交1000的档，今年打算换成3000的档": the new one
    amounts = _AMOUNT.findall(span[changed.end() :] if changed else span)
    amount = next((int(a) for a in amounts if int(a) >= lowest), None)
    if amount:
        found["amount"] = amount
    if _insured_elsewhere(span):
        found["employee"] = True  # "交职工医保": insured elsewhere, not in the residents' sum
    return found | _groups(span)


def _groups(span: str) -> dict:
    """The group a stretch says a person belongs to ("是低保户", "二级残疾"), as the documents'
    group id (or the resident's word when no id fits) and the disability grade."""
    found: dict = {}
    grade = re.search(words()["disability_grade"], span)
    if grade:
        found["disability_grade"] = cn_to_int(grade.group(1))
    for word in sorted(words()["person_groups"], key=len, reverse=True):
        if word not in span or (grade and word == "残疾"):
            continue  # "二级残疾" is said by its grade
        group = parse_group(word)
        found["group"] = word if group == UNKNOWN else group
        break
    return found


def _count(text: str, start: int, entry: dict) -> int:
    if not entry.get("countable"):
        return entry["count"]
    match = _COUNT_BEFORE.search(text[max(0, start - 4) : start])
    if not match:
        return entry["count"]
    value = {"俩": 2, "仨": 3}.get(match.group(1)) or cn_to_int(match.group(1))
    return value if value and 0 < value <= 12 else entry["count"]


_MENTION_IDS = itertools.count()


def _expand(text: str, start: int, span: str, prefix: str, entry: dict) -> list[dict]:
    """One dict per person a mention stands for ("两个孩子一个上小学一个上大学" → two).

    ``span`` runs from the mention to the next one; ``prefix`` is the text before it since the
    previous mention ("一个上小学的孩子": the stage comes first).
    """
    count = _count(text, start, entry)
    attrs = _attributes(span)
    tier_at = span.find(attrs.get("tier", "\0"))
    if entry["role"] == "child" and _TOGETHER.search(span[: max(tier_at, 0)]):
        attrs["_tier_shared"] = True  # "两口子加一个孩子…都交一档": the adults' tier
    word = span[: max(len(w) for w in entry["words"] if span.startswith(w))]
    after = _AGE_RIGHT_AFTER.match(span[len(word) :])
    if after and "age" not in attrs and count == 1:
        attrs["age"] = cn_to_int(after.group(1))  # "我爸78我妈75", "儿媳四十"
    before = _AGE_BEFORE.search(prefix)
    if before and "age" not in attrs:
        attrs["age"] = cn_to_int(before.group(1))  # "65岁老人", "62岁的俺娘"
    stages = [entry["stage"]] if entry.get("stage") else _stages_in_order(span)
    mother = entry["role"] == "child" and any(w in span for w in words()["gave_birth"])
    if mother:
        entry, stages = {**entry, "role": "adult"}, []  # "俺闺女…生了个小外孙": the mother
    if len(set(stages)) == 1:
        stages = stages[:1]  # "上小学二年级" is one stage named twice
    if not stages and entry["role"] == "child":
        stages = _stages_in_order(prefix)
    ages = [a for a in (cn_to_int(m.group(1)) for m in _AGE_EACH.finditer(span)) if a is not None]
    each = _each(span, count)
    people = []
    mention = next(_MENTION_IDS)
    for n in range(count):
        person = {"role": entry["role"], "label": word, **attrs, "_mention": mention}
        if entry.get("caller"):
            person["_caller"] = True
        if entry.get("generic") and entry["role"] != "self":
            person["_generic"] = True
        if mother:
            person["_parent"] = True  # named for the baby: left out when nothing else is said
        if entry.get("generic") and count == 1:
            person["generic"] = True
        if entry.get("minor"):
            person["minor"] = True  # "小孩", "未成年": a minor, whatever the stage
        if count > 1 and len(ages) == count:
            person["age"] = ages[n]  # "爸妈一个66一个72"
        if entry["role"] == "child" or (stages and entry["role"] == "self"):
            stage = stages[n] if len(stages) == count else (stages[0] if len(stages) == 1 else None)
            if stage:
                person["stage"] = stage
        if each:  # "俩孩子一个六岁上一年级 一个两岁还没上幼儿园": each one's own words
            person.pop("stage", None)
            person.update(each[n])
        people.append(person)
    return people


_EACH_AGE = re.compile(r"^(\d{1,3}|[一两二三四五六七八九十]{1,3})(?:周岁|岁|了)?(?![\d元块档年月日号个级])")


def _each(span: str, count: int) -> list[dict]:
    """ "一个…一个…": what each of ``count`` people is, in order, when each is described."""
    parts = span.split("一个")[1:]
    if count < 2 or len(parts) != count:
        return []
    found = []
    for part in parts:
        own: dict = {}
        age = _EACH_AGE.match(part)
        value = cn_to_int(age.group(1)) if age else None
        if value is not None and 0 <= value <= 120:
            own["age"] = value
        stages = _stages_in_order(part)
        if stages:
            own["stage"] = stages[0]
        found.append(own)
    return found if any(found) else []


def _share_clause_attributes(clause_people: list[dict], clause: str, known: dict) -> None:
    """ "我跟我爱人都交二档": a tier or amount said once in a clause applies to all its adults;
    an age only when said with 都 ("老两口都65了")."""
    # One tier (or amount) in a clause is everyone's choice: "我和老婆选二档" names it once.
    together = _TOGETHER.search(clause)
    keys = ("tier", "amount") + (_PERSONAL if together else ())
    for key in keys:
        # "2、我和孙子医保…（我交一档）": a value said before this clause is not shared here
        values = {p[key] for p in clause_people if key in p and key not in known.get(id(p), ())}
        if len(values) != 1:
            continue
        value = values.pop()
        said = next((p.get("age_said") for p in clause_people if p.get(key) == value), None)
        for person in clause_people:
            if (person["role"] != "child" or key in _PERSONAL) and key not in person:
                person[key] = value
                if key == "age" and said:
                    person["age_said"] = said


def _one_speaker(people: list[dict]) -> list[dict]:
    """ "我是青岛的在校大学生", "我65岁老人": the speaker described, not a second person."""
    selves = [p for p in people if p["role"] == "self"]
    others = [p for p in people if p["role"] != "self"]
    if len(selves) != 1 or len(others) != 1 or not others[0].get("generic"):
        return people
    merged = {**others[0], **{k: v for k, v in selves[0].items() if k != "role"}}
    merged["role"] = "child" if others[0].get("stage") else others[0]["role"]
    merged["label"] = selves[0]["label"]
    return [merged]


def _details_for_previous(people: list[dict], clause: str) -> None:
    """A clause naming nobody that describes the people just named: "俩孩子 一个上初中一个上
    幼儿园", "爸妈都在山亭，一个65一个71", "俺娘不到70 才64", "我爸我妈 他俩都选二档"."""
    age, said = _phrase_age(clause)
    if people and age is not None and said is None and people[-1].get("age_said"):
        people[-1]["age"] = age  # "不到70 才64": the exact age wins over the range
        people[-1].pop("age_said")
    if not _back_reference(people, clause):
        _said_after(people, clause)
    _said_of_last(people, clause)
    ages = [a for a in (cn_to_int(m.group(1)) for m in _AGE_EACH.finditer(clause)) if a is not None]
    if len(ages) >= 2 and len(people) >= len(ages):
        last = people[-len(ages) :]
        if all("age" not in p for p in last):
            for person, age in zip(last, ages):
                person["age"] = age
    stages = _stages_in_order(clause)
    children = [p for p in people if p["role"] == "child" and "stage" not in p]
    if stages and children:
        if len(stages) == len(children):
            for person, stage in zip(children, stages):
                person["stage"] = stage
        elif len(stages) == 1:
            for person in children:
                person["stage"] = stages[0]


_ENUMERATION = re.compile(r"^一个(?:\d|[一两二三四五六七八九十]|上|读|念|在|刚|还|没|不)")


def _clauses(text: str) -> list[str]:
    """The message's clauses; one that goes on describing the people just named ("俩孩子一个
    六岁 一个两岁", "爸妈都在山亭，一个65一个71") joins the clause before it."""
    clauses: list[str] = []
    for clause in re.split(r"[，,。；;！!？?\s]+", text):
        if clauses and _ENUMERATION.match(clause) and not _mentions(_unsay(clause)[0]):
            clauses[-1] += clause
        else:
            clauses.append(clause)
    return clauses


def _like_the_next(before: list[dict], span: str, people: list[dict]) -> None:
    """ "老大老二都上幼儿园了": children named with nothing said of them, straight before
    children said to be (都/也) at a school stage, are at that stage too."""
    stage = people[0].get("stage") if people else None
    if not stage or not _TOGETHER.search(span):
        return
    for person in reversed(before):
        if person["role"] != "child" or set(person) - _NOTHING_SAID:
            break
        person["stage"] = stage


def _named_again(people: list[dict], clause_people: list[dict], span: str, entry: dict):
    """People named before, named again: "爸妈在山亭老家 爸71妈66" (each of a pair, told
    more), "闺女上大学 我交一档 俺俩一共多少" (the speaker and the one named last). The people
    told more, or [] when the mention is somebody new."""
    word = max((w for w in entry["words"] if span.startswith(w)), key=len)
    told = {
        k: v
        for k, v in _expand(span, 0, span, "", entry)[0].items()
        if k not in ("role", "label", "_mention", "_caller")
    }
    parts = words()["pair_parts"]
    pairs = [p for p in people if p.get("_pair") is None and word in parts.get(p["label"], [])]
    female = not any(m in word for m in words()["male_marks"])
    # "爸妈在老家 娘66": the pair's second place is the woman's (爸妈, 公婆), as pair_labels say
    pair = pairs[1] if female and len(pairs) == 2 else (pairs[0] if pairs else None)
    if pair is not None and entry["count"] == 1:
        pair.update(told, label=word, _pair=True)
        return [pair]
    others = [p for p in people + clause_people if p["role"] != "self"]
    if not entry.get("with_self"):
        return []
    speaker = next((p for p in people + clause_people if p["role"] == "self"), None)
    if speaker is None:
        speaker = {"role": "self", "label": "本人"}
        clause_people.append(speaker)
    if not others:  # "那俺俩换成二档呢": the speaker and one more (the spouse, most often)
        others = [{"role": "adult", "label": word, "with_self": True}]
        clause_people.append(others[0])
    them = [speaker, others[-1]]
    for person in them:
        for key in ("tier", "amount"):
            if key in told:
                person.setdefault(key, told[key])
    return them


def _reflexive(span: str, named_here: list[dict]) -> bool:
    """ "自己" after somebody else named in the same clause is that person ("俺娘自己交")."""
    return span.startswith(tuple(words()["reflexive"])) and any(
        p["role"] != "self" for p in named_here
    )


_ANOTHER = re.compile(r"一个|一位|另|还有|再")  # "一个上初中的孩子 一个上大学的孩子": two


def _same_word_again(people: list[dict], clause: str, at: tuple[int, int, int], entry: dict):
    """ "我老伴55，是二级残疾 … 1、我老伴养老最低能交多少": a relative named again by the same
    word, with no count before it, is the same person, told more ([] when somebody new)."""
    if entry["role"] == "self" or entry.get("generic") or entry["count"] != 1:
        return []
    since, start, stop = at
    span = clause[start:stop]
    word = max((w for w in entry["words"] if span.startswith(w)), key=len)
    if _COUNT_BEFORE.search(clause[max(0, start - 4) : start]) or _ANOTHER.search(
        clause[since:start]
    ):
        return []  # "一个孩子上小学 一个孩子上初中": each one new
    same = [p for p in people if p.get("label") == word and p["role"] != "self"]
    if len(same) != 1:
        return []
    told = _expand(span, 0, span, "", entry)[0]
    for key, value in told.items():
        if key not in ("role", "label", "_mention"):
            same[0].setdefault(key, value)
    return same


def _last_clause(people: list[dict]) -> list[dict]:
    return [p for p in people if p.get("_clause") == people[-1].get("_clause")] if people else []


def _said_of_last(people: list[dict], clause: str) -> None:
    """ "儿子不上学了 今年28", "俺爹66 是低保户": an exact age or a group in a clause of its own
    is the person just named (everyone named in that clause with 都); a group said of the
    family ("家里是低保户") is everyone's."""
    found = _groups(clause)
    if not people and found and any(w in clause for w in words()["whole_family"]):
        people.append({"role": "family", "_clause": -1, **found})  # "家里是低保户 俺爹66"
        return
    if not people and found:  # "是重度残疾", "低保户养老还用交吗": the speaker's own group
        people.append({"role": "self", "label": "本人", "_clause": -1, "_implied": True, **found})
        return
    last = _last_clause(people)
    if not last:
        return
    age, said = _age(clause)
    if age is not None:
        found["age"] = age  # "俺娘 低保 七十出头": the range is said with the age
    if not found:
        return
    if any(w in clause for w in words()["whole_family"]):
        them = people if "age" not in found else []
    else:
        them = last if len(last) == 1 or _TOGETHER.search(clause) else []
    for person in them:
        if said and "age" not in person:
            person["age_said"] = said
        for key, value in found.items():
            person.setdefault(key, value)


def _denied_for_previous(people: list[dict], denials: list[tuple[int, str]]) -> None:
    """ "儿子 不上学了": a stage denied in a clause of its own is the person just named."""
    last = _last_clause(people)
    if len(last) == 1 and any(kind == "stage" for _at, kind in denials):
        last[0]["not_student"] = True
        last[0].pop("stage", None)


def _without_summaries(people: list[dict]) -> list[dict]:
    """ "老大上初中 老二上大学 俩孩子一共多少": the 俩孩子 are the two just described."""
    summary = [
        p
        for p in people
        if p["role"] == "child"
        and p.get("label") in words()["child_summaries"]
        and not {"stage", "age", "tier"} & set(p)
    ]
    described = [p for p in people if p["role"] == "child" and p not in summary]
    if summary and len(summary) == len(described):
        return [p for p in people if not any(p is s for s in summary)]
    return people


_NOTHING_SAID = {"role", "label", "region", "_clause", "_mention", "_generic", "generic", "_caller"}


def _without_generic_summaries(people: list[dict]) -> list[dict]:
    """ "父67 母72 问两位老人…一共": 老人 (大人) with nothing said of them, after as many people
    of their kind named before, are those people again."""
    kinds = {"elderly": ("elderly",), "adult": ("self", "adult", "elderly")}
    kept: list[dict] = []
    groups: dict = {}
    for person in people:
        groups.setdefault(person.get("_mention", id(person)), []).append(person)
    for group in groups.values():
        bare = all(p.get("_generic") and not set(p) - _NOTHING_SAID for p in group)
        earlier = [p for p in kept if p["role"] in kinds.get(group[0]["role"], ())]
        if not (bare and len(earlier) >= len(group) >= 1 and len(kept) > 0):
            kept += group
    for person in kept:
        person.pop("_generic", None)
    return kept


def _region_in(clause: str) -> str | None:
    """The covered region a clause names (its aliases and districts'), else None."""
    lowered = clause.lower()
    for region in regions():
        names = list(region.get("aliases") or [])
        names += [a for d in region.get("districts") or [] for a in d.get("aliases") or []]
        if any(n.lower() in lowered for n in names):
            return str(region["id"])
    return None


def _places(people: list[dict]) -> None:
    """A member's region is kept only when the message places people in two regions."""
    if len({p.get("region") for p in people if p.get("region")}) < 2:
        for person in people:
            person.pop("region", None)
    else:
        for person in people:
            if person.get("region") is None:
                person.pop("region", None)


def _back_reference(people: list[dict], clause: str) -> None:
    """ "他俩想选二档": a tier or amount for the last people named (two for 俩/两, else all
    others than the speaker)."""
    word = next((w for w in words()["back_references"] if w in clause), None)
    others = [p for p in people if p["role"] != "self"]
    if not word or not others:
        return False
    them = others[-2:] if ("俩" in word or "两" in word) else others
    found = _attributes(clause)
    for key in ("tier", "amount") + (("age",) if _TOGETHER.search(clause) else ()):
        if key in found:
            for person in them:
                person.setdefault(key, found[key])
    return True


def _said_after(people: list[dict], clause: str) -> None:
    """ "俺娘66 交一档": a tier or amount in a clause of its own is the last adult's; with 都
    ("我和老伴 都交二档") it is every adult's of the last clause that named people."""
    adults = [p for p in people if p["role"] != "child" and not p.get("stage")]
    found = {k: v for k, v in _attributes(clause).items() if k in ("tier", "amount")}
    if not adults or not found:
        return
    last_clause = [p for p in adults if p.get("_clause") == adults[-1].get("_clause")]
    changed = _CHANGED_TO.search(clause)  # "今年打算换成3000的档": the new choice wins
    for person in last_clause if _TOGETHER.search(clause) else adults[-1:]:
        for key, value in found.items():
            if changed:
                person[key] = value
            else:
                person.setdefault(key, value)


# an operator's note: "来电人 男 63", "来电人 女 35" — the caller's sex and age, the age bare
_CALLER_AGE = re.compile(
    r"(来电人|来电者|来电群众|来电)[\s,，:：]*([男女])?[\s,，]*(\d{1,3})(多)?(?:周岁|岁)?(?![\d年月日号元块档])"
)


def _caller_age(text: str) -> str:
    return _CALLER_AGE.sub(
        lambda m: f"{m.group(1)}{m.group(2) or ''}{m.group(3)}{m.group(4) or ''}岁", text
    )


def read_members(text: str) -> list[dict]:
    """The people a message names, in order; [] when it names nobody."""
    people: list[dict] = []
    place = None
    for number, said in enumerate(_clauses(_caller_age(normalize_text(text)))):
        clause, denials = _unsay(said)
        mentions = _mentions(clause)
        if not mentions:
            place = _region_in(clause) or place
            _details_for_previous(people, clause)
            _denied_for_previous(people, denials)
            continue
        clause_people, named_again = [], []
        known = {id(p): set(p) for p in people}  # what was said of each before this clause
        for i, (start, _end, entry) in enumerate(mentions):
            stop = mentions[i + 1][0] if i + 1 < len(mentions) else len(clause)
            since = mentions[i - 1][1] if i else 0
            speaker = next(
                (p for p in people + clause_people if p["role"] == "self" and "_implied" not in p),
                None,
            )
            if _reflexive(clause[start:stop], clause_people + named_again):
                continue  # "我妈要是想自己再多交点": 自己 is 我妈 herself
            if entry["role"] == "self" and speaker is not None:
                if not entry.get("caller"):
                    speaker.pop("_caller", None)  # "来电人…问本人及妻子": the caller counts
                # "俺在青岛 俺和老伴都一档", "我65岁……自己交多少": one person, told more
                for key, value in _attributes(clause[start:stop]).items():
                    speaker.setdefault(key, value)
                named_again.append(speaker)
                continue
            again = _same_word_again(people + clause_people, clause, (since, start, stop), entry)
            again = again or _named_again(people, clause_people, clause[start:stop], entry)
            if again:
                named_again += again
                continue
            expanded = _expand(clause, start, clause[start:stop], clause[since:start], entry)
            if any(start <= at < stop and kind == "stage" for at, kind in denials):
                for person in expanded:
                    if "stage" not in person:
                        person["not_student"] = True  # "儿子不上学了", "闺女高中毕业了"
            _like_the_next(clause_people, clause[start:stop], expanded)
            clause_people += expanded
        _share_clause_attributes(clause_people + named_again, clause, known)
        here = _region_in(clause)
        place = here or place
        for person in clause_people + named_again:
            if here or person in clause_people or "region" not in person:
                person["region"] = place  # kept only when people live in two regions (_places)
            person["_clause"] = number
        people += clause_people
    implied = next((p for p in people if p.pop("_implied", None)), None)
    if implied is not None and len(people) > 1:
        implied["role"] = "family"  # "低保户 俺爹66 俺娘70": said of the family named after
    family = next((p for p in people if p["role"] == "family"), None)
    people = [p for p in people if p["role"] != "family"]
    for person in people:
        person.pop("_clause", None)
        person.pop("_pair", None)
        for key in _PERSONAL[1:] if family else ():
            if key in family:
                person.setdefault(key, family[key])
    people = _without_summaries(_without_generic_summaries(people))
    people = _without_couple_summaries(_insured_here(people))
    _each_of_a_pair(people)
    people = _one_speaker(people)
    _places(people)
    size = _HOUSEHOLD_SIZE.search(text)
    if size:
        wanted = cn_to_int(size.group(1)) or 0
        people += [{"role": "unknown", "label": "家人"} for _ in range(wanted - len(people))]
    for person in people:
        if _unclear(person):
            person["unclear"] = True
    return people


def _without_couple_summaries(people: list[dict]) -> list[dict]:
    """ "俺家老两口 老头子71 老婆子66": the couple, with nothing said of it, is the two grown-ups
    named on their own; "俺两口子都四十多 一年自己掏多少": a bare 自己 is one of the couple."""
    couples = set(words()["couples"])
    groups: dict = {}
    for person in people:
        groups.setdefault(person.get("_mention", id(person)), []).append(person)
    pair = next((g for g in groups.values() if len(g) == 2 and g[0]["label"] in couples), None)
    if pair is None:
        return people
    others = [p for p in people if p not in pair]
    grown = [p for p in others if p["role"] in ("self", "adult", "elderly")]
    bare = all(not set(p) - _NOTHING_SAID for p in pair)
    if bare and len(grown) == 2:
        return others
    said_nothing = [p for p in grown if p["role"] == "self" and not set(p) - _NOTHING_SAID]
    if pair[0]["role"] == "adult" and len(said_nothing) == 1:
        return [p for p in people if p is not said_nothing[0]]
    return people


def _insured_here(people: list[dict]) -> list[dict]:
    """Without those insured elsewhere ("我交职工医保") and the caller of an operator's note
    who asks about others ("来电人 男 40多 问其叔…婶…")."""
    others = [p for p in people if p["role"] != "self"]
    kept = []
    for person in people:
        caller = person.pop("_caller", None)
        parent = person.pop("_parent", None) and not set(person) - _NOTHING_SAID
        if person.pop("employee", None) or (caller and others) or parent:
            continue
        kept.append(person)
    return kept


def _each_of_a_pair(people: list[dict]) -> None:
    """ "爸妈都是一档": the two people named by their own names (爸, 妈), as the answer lists them;
    one already named on their own ("爸妈在老家 爸71") keeps that name, the other takes the
    other one."""
    labels, marks = words()["pair_labels"], words()["male_marks"]
    groups: dict = {}
    for person in people:
        groups.setdefault(person.pop("_mention", None), []).append(person)
    for mention, pair in groups.items():
        word = next((p["label"] for p in pair if p["label"] in labels), None)
        if mention is None or word is None or len(pair) != 2:
            continue
        renamed = [p for p in pair if p["label"] != word]
        taken = {0 if any(m in p["label"] for m in marks) else 1 for p in renamed}
        free = [i for i in range(2) if i not in taken]
        for person in pair:
            if person["label"] == word and free:
                person["label"] = labels[word][free.pop(0)]


def _unclear(person: dict) -> bool:
    """A member whose category the sentence leaves open (asked about, never dropped)."""
    if person["role"] == "unknown":
        return True
    if person["role"] == "child" and person.get("age", 0) >= _grown_child_age():
        person["role"] = "adult"  # "儿子四十多了" is an adult
    shared = person.pop("_tier_shared", False)
    if person["role"] == "child" and shared:
        person.pop("tier", None)
    if person["role"] == "child" and person.get("tier") and not person.get("stage"):
        adult_age = _adult_age()
        if adult_age is None or person.get("age", adult_age) >= adult_age:
            person["role"] = "adult"  # "儿子二档": a tier is an adult's choice
            return False
    if person["role"] == "child" and person.get("not_student"):
        adult_age = _adult_age()
        if adult_age is not None and person.get("age", 0) >= adult_age:
            person["role"] = "adult"  # "儿子不上学了 今年19": an adult, tiers apply
            return False
        return person.get("age") is None  # how old decides it: asked
    if person["role"] == "child":
        adult_age = _adult_age()
        minor = adult_age is not None and person.get("age", adult_age) < adult_age
        minor = minor or (person.get("minor") and "age" not in person)
        return "stage" not in person and not minor
    return False


# an age group asked about: "60到69的", "70以上的", "70岁及以上" (its youngest age stands for it)
_AGE_GROUP = re.compile(
    r"(\d{1,3})(?:周岁|岁)?(?:到|至|-|～|~)\d{1,3}(?:周岁|岁)?(?:的|之间)|"
    r"(\d{1,3})(?:周岁|岁)?(?:及以上|以上|往上|开外)"
)


def speaker_age(text: str) -> int | None:
    """An age said in a clause that names nobody ("山亭 63岁 医保交多少"): the speaker's; or
    the youngest age of an age group asked about ("60到69的", "70以上的")."""
    for clause in re.split(r"[，,。；;！!？?\s]+", normalize_text(text)):
        masked, _ = _unsay(clause)
        if not clause or _mentions(masked):
            continue
        group = _AGE_GROUP.search(masked)
        if group:
            return int(group.group(1) or group.group(2))
        age, said = _age(masked)
        if age is not None and not said:
            return age
    return None


def describe_member(person: dict) -> str:
    """ "闺女（高中）", "俺娘（62岁）" — how the answer names a member."""
    label = person.get("label", "家人")
    if person.get("role") == "self":
        label = "本人"
    details = []
    if person.get("stage"):
        details.append({"school": "在校中小学生/幼儿", "college": "大学生", "newborn": "新生儿"}[person["stage"]])
    if person.get("not_student") and not person.get("stage"):
        details.append("不在上学")
    elif person.get("minor") and not person.get("stage") and "age" not in person:
        details += [] if "成年" in label else ["未成年"]  # not "未成年（未成年）"
    if person.get("age") is not None:
        details.append(f"{person.get('age_said') or person['age']}岁")
    return label + (f"（{'，'.join(details)}）" if details else "")


# ---------------------------------------------------------------------- calculator entries
def _calculator_entry(person: dict) -> dict | None:
    """A person as read, in the calculator's terms (role, student, tier, age)."""
    entry: dict = {}
    if person["role"] == "child" or person.get("stage"):
        stage = person.get("stage")
        entry["student"] = "college" if stage == "college" else "school"
        if stage == "newborn":
            entry["role"] = "baby"
    elif person["role"] == "unknown":
        return None
    else:
        entry["role"] = "elderly" if person["role"] == "elderly" else "adult"
        if person.get("tier"):
            entry["tier"] = person["tier"]
    if person.get("age") is not None:
        entry["age"] = person["age"]
    for key in ("group", "disability_grade"):
        if person.get(key):
            entry[key] = person[key]
    return entry


def parse_household(text: str) -> list[dict] | None:
    """Members as the calculator's dicts (role, student, tier, age), or None when the text
    names no one besides, at most, the speaker."""
    people = read_members(text)
    if not [p for p in people if p["role"] != "self"]:
        return None
    household = [m for m in (_calculator_entry(p) for p in people) if m is not None]
    return household or None


def describe_household(household: list[dict]) -> str:
    """A short Chinese description, e.g. "成年人2人、少年儿童1人"."""
    counts: dict[str, int] = {}
    for entry in household:
        if entry.get("student") == "college":
            label = "大学生"
        elif entry.get("student") == "school":
            label = "少年儿童"
        elif entry.get("role") == "elderly":
            label = "老年人"
        else:
            label = "成年人"
        counts[label] = counts.get(label, 0) + 1
    return "、".join(f"{k}{v}人" for k, v in counts.items())
