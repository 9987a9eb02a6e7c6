"""What a household (or one person with both schemes) pays in a year, member by member.

Every member is counted at the rate that applies to them — the calculator decides it — and the
arithmetic is shown. A member whose category the resident left open is asked about, never
dropped; when every category would cost the same (威海: children and college students alike),
the member is counted without asking.
"""

from __future__ import annotations

import dataclasses

from policy_kb.answering.answers import Answer, adult_tiers, heading, unique
from policy_kb.data.kb import KnowledgeBase, source_line
from policy_kb.reading.household import describe_member
from policy_kb.reading.question import Question
from policy_kb.rules.calculator import Profile, Result, calculate
from policy_kb.rules.profile import build_profile

ADULT_ROLES = ("self", "adult", "elderly")


# topics whose question a household's sum answers ("医保什么时候交" with a family is not one)
SUM_TOPICS = (None, "tiers", "subsidy", "hardship", "students", "newborn")


def _wanted(question: Question) -> bool:
    if len(question.regions) != 1:
        return False
    if question.topic not in SUM_TOPICS and not question.wants("total"):
        return False
    if len(question.members) > 1:
        return True
    both = len(question.schemes) == 2 and (question.amounts or question.med_tiers)
    return bool(both and question.wants("total"))


def _med_profile(
    kb: KnowledgeBase, question: Question, member: dict, student: str | None = None
) -> Profile:
    """A member's medical profile, from the one builder (``build_profile``)."""
    tiers = set(question.med_tiers)
    tier = member.get("tier") or (tiers.pop() if len(tiers) == 1 else None)
    stage = student or member.get("stage")
    if stage is None and member.get("minor") and member.get("age") is None:
        stage = "school"  # "小孩": the minors' (少年儿童) rate, as for a pupil
    adult = member["role"] in ADULT_ROLES or (member.get("age") or 0) >= 18
    return build_profile(
        kb,
        question.regions[0],
        "medical",
        age=member.get("age"),
        # a newborn pays the children's rate: a pupil's profile, aged 0 unless said
        group="新生儿" if stage == "newborn" else None,
        student="school" if stage == "newborn" else stage,
        tier=tier if adult else None,
        hardship=member.get("group"),
        disability_grade=member.get("disability_grade"),
    )


def _pension_profile(kb: KnowledgeBase, question: Question, member: dict) -> Profile:
    amounts = question.amounts
    amount = member.get("amount") or (amounts[0] if len(amounts) == 1 else None)
    return build_profile(
        kb,
        question.regions[0],
        "pension",
        age=member.get("age"),
        tier=amount,
        hardship=member.get("group"),
        disability_grade=member.get("disability_grade"),
    )


def _age_matters(kb: KnowledgeBase, region: str) -> dict | None:
    """The region's age rule for medical contributions (山亭: 60–69 half, 70+ paid), if any."""
    fact = kb.fact(region, "medical.government_pays")
    value = fact.value if fact and fact.status != "not_stated" else None
    return value if isinstance(value, dict) and "half_from_age" in value else None


def _medical_member(kb: KnowledgeBase, question: Question, member: dict) -> tuple[Result, str]:
    """The member's result, and a question to ask about them when their category is open."""
    region = question.regions[0]
    if member["role"] == "unknown":
        return Result(status="need_more"), "家里每个人的情况（大人、老人的年龄、孩子上学的阶段）"
    if member["role"] == "elderly" and member.get("age") is None and _age_matters(kb, region):
        rule = _age_matters(kb, region)
        return Result(status="need_more"), (
            f"{describe_member(member)}多大年纪（{kb.region_name(region)}{rule['half_from_age']}岁以上"
            f"老年人个人缴费有减免）"
        )
    if member.get("unclear") and member.get("not_student"):
        return Result(status="need_more"), f"{describe_member(member)}多大年纪"
    if member.get("unclear"):
        options = _student_options(kb, question, member)
        amounts = {r.personal_amount for r in options.values()}
        if len(amounts) == 1 and None not in amounts:
            return options["school"], ""
        if all(r.status == "ok" for r in options.values()):
            return options["school"], ""  # counted as a pupil, the college rate said beside
        return Result(status="need_more"), f"{describe_member(member)}在上幼儿园到高中，还是上大学"
    return calculate(kb, _med_profile(kb, question, member)), ""


def _student_options(kb: KnowledgeBase, question: Question, member: dict) -> dict[str, Result]:
    """A child of unsaid school stage at the pupils' and at the college students' rate."""
    return {s: calculate(kb, _med_profile(kb, question, member, s)) for s in ("school", "college")}


def _college_instead(kb: KnowledgeBase, question: Question, member: dict) -> Result | None:
    """ "俺两口子加一个孩子": a child is most likely at school, so the pupils' rate is counted;
    the college students' rate, when it differs, is given beside it (both are short) instead of
    a question the resident must answer before seeing any sum."""
    if not member.get("unclear") or member.get("not_student") or member["role"] != "child":
        return None
    options = _student_options(kb, question, member)
    if any(r.status != "ok" for r in options.values()):
        return None
    school, college = options["school"], options["college"]
    return college if college.personal_amount != school.personal_amount else None


def _line(kb: KnowledgeBase, member: dict, result: Result) -> str:
    category = {"居民": "城乡居民"}.get(result.category or "", result.category or "")
    if result.category in adult_tiers(kb, result.region):
        category = f"成年居民{result.category}"
    extra = ""
    if result.government_amount and result.personal_amount == 0:
        extra = f"（由政府代缴{result.government_amount}元，个人不用交）"
    elif result.government_amount:
        extra = f"（政府承担{result.government_amount}元）"
    return f"· {describe_member(member)}：{category}个人缴费{result.personal_amount}元{extra}"


def _scheme_section(kb, question, scheme) -> tuple[list[str], list, list[int], list[str], list]:
    """Lines, facts, the members' amounts, what to ask about members still open and, for a
    child of unsaid stage, (label, where its amount is counted, the college students' amount)."""
    lines, facts, asks, amounts, instead = [], [], [], [], []
    members = question.members or [{"role": "self", "label": "本人"}]
    for member in members:
        if scheme == "pension":
            if member["role"] not in ADULT_ROLES:
                lines.append(f"· {describe_member(member)}：只计算医保")
                continue
            result, ask = calculate(kb, _pension_profile(kb, question, member)), ""
        else:
            result, ask = _medical_member(kb, question, member)
        facts += result.facts
        college = _college_instead(kb, question, member) if scheme == "medical" else None
        if result.status == "ok" and college is not None:
            facts += college.facts
            lines.append(
                _line(kb, member, result).replace("：", "：如在上幼儿园到高中，按", 1)
                + f"；如在上大学，按大学生个人缴费{college.personal_amount}元"
            )
            instead.append((describe_member(member), len(amounts), college.personal_amount))
            amounts.append(result.personal_amount)
            continue
        if result.status == "ok":
            lines.append(_line(kb, member, result))
            amounts.append(result.personal_amount)
            continue
        if result.status in ("invalid", "not_covered"):
            lines.append(f"· {describe_member(member)}：" + "；".join(result.problems))
        else:
            lines.append(f"· {describe_member(member)}：还不能确定")
        asks.append(ask or _tier_ask(kb, question, scheme, member))
    return lines, facts, amounts, asks, instead


def _tier_ask(kb: KnowledgeBase, question: Question, scheme: str, member: dict) -> str:
    region = question.regions[0]
    if scheme == "pension":
        tiers = kb.fact(region, "pension.tiers").value["tiers"]
        return f"{describe_member(member)}养老保险选哪一档（{'、'.join(str(t) for t in tiers)}元）"
    rates = kb.fact(region, "medical.personal").value
    tiers = adult_tiers(kb, region)
    options = "、".join(f"{k}{rates[k]}元" for k in tiers)
    return f"{describe_member(member)}医保选{'还是'.join(tiers)}（{options}）"


def _sections(kb: KnowledgeBase, question: Question) -> tuple[str, list, list, list[str]]:
    """The region's blocks (one per scheme), facts, (scheme, total) pairs and open asks."""
    region = question.regions[0]
    schemes = question.schemes or ["medical"]
    blocks, facts, totals, asks = [], [], [], []
    for scheme in schemes:
        lines, used, amounts, ask, instead = _scheme_section(kb, question, scheme)
        facts += used
        asks += ask
        head = heading(kb, region, scheme, "按您说的人数和档次")
        # the answer first: the sum right under the heading, then whom it counted
        if amounts and not ask:
            total = sum(amounts)
            sum_text = "＋".join(str(a) for a in amounts)
            lines.insert(0, f"合计：{sum_text}＝{total}元。" if len(amounts) > 1 else f"合计：{total}元。")
            if instead:
                lines.insert(1, _college_total(amounts, instead))
            totals.append((scheme, total))
        elif amounts:
            lines.append(f"已能算出的{len(amounts)}人合计：{sum(amounts)}元。")
        blocks.append("\n".join([head, *lines]))
    return "\n\n".join(blocks), facts, totals, asks


def _college_total(amounts: list[int], instead: list[tuple[str, int, int]]) -> str:
    """The sum again with the children of unsaid stage at the college students' rate."""
    changed = list(amounts)
    for _label, at, college in instead:
        changed[at] = college
    who = "、".join(dict.fromkeys(label for label, _, _ in instead))
    return f"（上面按{who}在上幼儿园到高中算；如果{who}在上大学：{'＋'.join(map(str, changed))}" f"＝{sum(changed)}元。）"


def _regional_groups(question: Question) -> dict[str, list[dict]]:
    """ "我在青岛 爸妈在山亭老家": the members by the region each lives in (read_members sets
    ``region`` only when a message places people in two or more regions)."""
    groups: dict[str, list[dict]] = {}
    for member in question.members:
        if member.get("region"):
            groups.setdefault(member["region"], []).append(member)
    return groups if len(groups) > 1 else {}


def answer(kb: KnowledgeBase, question: Question) -> Answer | None:
    """The household's (or the person's two schemes') yearly contributions, added up."""
    groups = _regional_groups(question)
    if not groups and not _wanted(question):
        return None
    parts = [
        _sections(kb, dataclasses.replace(question, regions=[r], members=m))
        for r, m in (groups.items() if groups else [(question.regions[0], question.members)])
    ]
    text = "\n\n".join(p[0] for p in parts)
    facts = unique([f for p in parts for f in p[1]])
    totals = [t for p in parts for t in p[2]]
    asks = [a for p in parts for a in p[3]]
    if len(totals) >= 2 and not asks:
        grand = sum(t for _, t in totals)
        if groups:
            parts_text = "＋".join(str(t) for _, t in totals)
            text = f"各地加起来一年一共：{parts_text}＝{grand}元。\n\n" + text
        else:
            parts_text = "＋".join(f"{t}（{kb.scheme_label(s)}）" for s, t in totals)
            text = f"两项一年一共：{parts_text}＝{grand}元。\n\n" + text
    if asks:  # what is missing is the first thing to say
        text = "还需要知道：" + "；".join(dict.fromkeys(asks)) + "。\n\n" + text
    facts = unique(facts)
    return Answer(text + "\n" + source_line(facts), facts, ["members"] if asks else [])
