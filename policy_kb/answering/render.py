"""Chinese text for facts and calculator results, shared by the assistant and the CLI.

Every rendered answer names the policy year and ends with a source line, so a resident or a
hotline operator can always tell where a number comes from.
"""

from __future__ import annotations

import re

from policy_kb.data import search, vocabulary
from policy_kb.data.kb import Fact, KnowledgeBase, source_line
from policy_kb.reading.household import describe_household
from policy_kb.rules.calculator import Result
from policy_kb.text.dates import cn_date


def fact_text(fact: Fact, kb: KnowledgeBase | None = None, quotes: bool = False) -> str:
    """One fact as a paragraph: region and year, the answer, the source line."""
    region = kb.region_name(fact.region) if kb else fact.region
    lines = [f"【{region} {fact.year}年度】{fact.answer}"]
    if quotes:
        lines += [f"  原文（{c.clause}）：{c.quote}" for c in fact.citations]
    lines.append(source_line([fact]))
    return "\n".join(lines)


def facts_text(facts: list[Fact], kb: KnowledgeBase | None = None) -> str:
    """Several facts, grouped by region, with one source line per fact."""
    return "\n\n".join(fact_text(f, kb) for f in facts)


def _regions_choice() -> str:
    ids = [r["id"] for r in vocabulary.regions()]
    return "、".join(ids[:-1]) + "还是" + ids[-1]


MISSING_LABELS = {
    "region": f"您在哪个地区（{_regions_choice()}）",
    "scheme": "问的是" + "还是".join(s.short for s in vocabulary.schemes().values()),
    "tier": "选择的缴费档次",
    "members": "家里每个人的情况",
}


def household_text(household: list[dict], result: Result) -> str:
    """A household's sum, saying whom it counted: "按两个大人、一个小学生计算（居民医保）：…"."""
    scheme = vocabulary.scheme(result.scheme or "medical").name
    return f"按{describe_household(household)}计算（{scheme}）：\n" + result_text(result)


def _differs(result: Result, first: list[str]) -> bool:
    """Whether the reasoning's first line states an amount other than the person's own."""
    if result.status != "ok" or result.personal_amount is None or not first:
        return False
    amounts = re.findall(r"(\d+)元", first[0])
    return bool(amounts) and str(result.personal_amount) not in amounts


def result_text(result: Result, way_first: bool = False) -> str:
    """A calculator result as a reply: the figures, the reasoning, what to do, the source;
    the person's own way to pay first when that is what was asked (``way_first``)."""
    if result.status in ("not_covered", "invalid"):
        return "\n".join(result.problems)
    head = f"【{result.region_name or ''} {result.year or ''}年度"
    head += f" {vocabulary.scheme(result.scheme).name}】" if result.scheme else "】"
    way = [result.way_to_pay] if way_first and result.way_to_pay else []
    lines = [head] + way
    reasoning = list(result.reasoning)
    own_first = _differs(result, reasoning[:1])
    if own_first:
        # "山亭 俺65 医保交多少": the standard's 380 would lead; the person pays 190, so that
        # and the rule that makes it lead, the standard after them
        said = re.compile(rf"(?<!\d){result.personal_amount}元")
        rule = [line for line in reasoning[1:] if said.search(line)][:1]
        lines.append(f"个人缴费：{result.personal_amount}元。")
        reasoning = rule + [line for line in reasoning if line not in rule]
    lines += reasoning
    if result.status == "need_more":
        wanted = "、".join(MISSING_LABELS.get(m.split(".")[-1], m) for m in result.missing)
        lines.append(f"还需要知道：{wanted}。")
    else:
        if result.personal_amount is not None and not own_first:
            lines.append(f"个人缴费：{result.personal_amount}元。")
        if result.benefit_start:
            lines.append(f"待遇起始：{cn_date(result.benefit_start)}。")
    lines += [step for step in result.next_steps if step not in way]
    lines += [f"提示：{n}" for n in result.notes]
    if result.facts:
        lines.append(source_line([result]))
    return "\n".join(lines)


def benefit_text(result: Result) -> str:
    """Only when cover starts, for a person whose amount is not known yet."""
    lines = [f"【{result.region_name} {result.year}年度 {vocabulary.scheme('medical').name}】按您说的日期："]
    lines += [line for line in result.reasoning if "享受" in line]
    lines.append(f"待遇起始：{cn_date(result.benefit_start)}。")
    lines.append(source_line([result]))
    return "\n".join(lines)


# a hotline's purpose: a scheme's policy questions (pension_policy, medical_policy) or payment
def _purpose_label(purpose: str) -> str:
    scheme = purpose.removesuffix("_policy")
    return f"{vocabulary.scheme(scheme).short}政策" if scheme in vocabulary.schemes() else "缴费事宜"


def hotline_summary(kb: KnowledgeBase, region: str, purposes: tuple[str, ...] = ()) -> str:
    """One line per channel of a region: phones, official accounts or the responsible office.

    Only the facts' own values are used: a region whose documents list no phone number (山亭)
    gets the departments the document names, never another region's number.
    """
    lines, facts = [], []
    for fact in kb.hotlines(region):
        value = fact.value or {}
        purpose = value.get("purpose")
        if not purpose or (purposes and purpose not in purposes):
            continue
        facts.append(fact)
        parts = []
        if value.get("phones"):
            parts.append("电话" + "、".join(value["phones"]))
        if value.get("accounts"):
            parts.append("公众号" + "、".join(f"“{a}”" for a in value["accounts"]))
        if value.get("department"):
            parts.append(f"{value['department']}（文件未公布电话）")
        lines.append(f"· {_purpose_label(purpose)}：" + "，".join(parts))
    head = f"【{kb.region_name(region)} {kb.year_for(region)}年度咨询渠道】"
    source = source_line([c for f in facts for c in f.citations])
    return "\n".join([head, *lines, source])


# Said whenever the documents are silent on a question; the policy team's review finds these
# answers by this phrase (and by vocabulary.status_mark("not_stated") in rendered facts).
NOT_STATED_PHRASE = "我不能替文件下结论"
SILENCE = "没有写明"  # in a note or a refusal: the documents do not state what was asked


def not_stated_text(kb: KnowledgeBase, region: str, topic_label: str) -> str:
    """What to say when a region's documents have nothing on a topic."""
    # the documents by their short names, as residents see them in source tags
    titles = "、".join(d["short"] or f"《{d['title']}》" for d in kb.documents(region))
    return (
        f"【{kb.region_name(region)} {kb.year_for(region)}年度】{titles}中没有关于“{topic_label}”的规定，"
        f"{NOT_STATED_PHRASE}。可以通过下面的渠道咨询：\n" + hotline_summary(kb, region)
    )


# ---------------------------------------------------------------------- answer first
# A reply leads with its answer in one or two short sentences; the details follow after a
# blank line (the web chat folds them away in 长辈模式; WeChat and REST send them along).
LEAD_MAX_CHARS = 120
SOURCE_PREFIX = "来源："
_SENTENCE_ENDS = re.compile(r"[。！？\n]")
_CLAUSE_ENDS = re.compile(r"[；：]")


def lead(text: str) -> str:
    """A reply's lead: its first paragraph without the 来源 lines."""
    first = text.strip().split("\n\n")[0]
    return "\n".join(line for line in first.split("\n") if not line.startswith(SOURCE_PREFIX))


def lead_first(text: str, asked: tuple[str, ...] = ()) -> str:
    """The reply with a lead of at most LEAD_MAX_CHARS: a longer first paragraph is cut after
    its last whole sentence that fits (after a clause when one sentence is longer); the rest of
    it, and its 来源 lines, follow as the details. ``asked``: the question's distinctive words
    (relevance.distinctive_tokens); when a later sentence says more of them than the lead,
    that sentence leads (asked_lead)."""
    shaped = _short_lead(_short_ones_joined(text))
    if asked and not _NUMBERED.match(shaped):  # several answers lead together (numbered_lead)
        moved = asked_lead(text, asked, lead(shaped))
        if moved is not None:
            return _short_lead(moved)
    return shaped


def _short_ones_joined(text: str) -> str:
    """Two short facts under the same heading lead together when both fit ("…1月1日起享受待遇。
    1月1日后缴费的，设置3个月的等待期。"): the second is often the answer's other half."""
    paragraphs = text.strip().split("\n\n")
    if len(paragraphs) < 2:
        return text
    heads = [_HEADING.match(p) for p in paragraphs[:2]]
    if not all(heads) or heads[0].group(0) != heads[1].group(0):
        return text
    bodies = [lead(p)[len(h.group(0)) :] for p, h in zip(paragraphs, heads)]
    if (
        any("\n" in b or not b for b in bodies)
        or len(heads[0].group(0) + "".join(bodies)) > LEAD_MAX_CHARS
    ):
        return text  # a card, a list or a long fact leads alone
    sources = [
        line for p in paragraphs[:2] for line in p.split("\n") if line.startswith(SOURCE_PREFIX)
    ]
    joined = "\n".join([heads[0].group(0) + "".join(bodies), *dict.fromkeys(sources)])
    return "\n\n".join([joined, *paragraphs[2:]])


def _short_lead(text: str) -> str:
    first, blank, rest = text.strip().partition("\n\n")
    body = lead(first)
    if len(body) <= LEAD_MAX_CHARS:
        return text
    cut = _lead_end(body)
    if cut is None:
        return text
    sources = [line for line in first.split("\n") if line.startswith(SOURCE_PREFIX)]
    details = "\n".join([body[cut:].strip(), *sources])
    return body[:cut].rstrip() + "\n\n" + details + (blank + rest if blank else "")


LEAD_MIN_CHARS = 12  # "可以。" alone is a verdict without its reason: the lead goes on


def _lead_end(body: str, most: int = LEAD_MAX_CHARS) -> int | None:
    """Where the lead ends: after the last sentence within ``most`` characters, or after the
    last clause when sentences leave less than LEAD_MIN_CHARS after the 【heading】; never
    inside brackets or quotation marks."""
    start = body.find("】") + 1 if body.startswith("【") else 0

    def ends(pattern: re.Pattern) -> list[int]:
        return [
            m.end()
            for m in pattern.finditer(body, start)
            if m.end() <= most and _outside_brackets(body[: m.end()])
        ]

    sentences, clauses = ends(_SENTENCE_ENDS), ends(_CLAUSE_ENDS)
    for candidates in (sentences, sentences + clauses):
        if candidates and max(candidates) - start >= LEAD_MIN_CHARS:
            return max(candidates)
    return max(sentences + clauses, default=None)


def _outside_brackets(head: str) -> bool:
    return head.count("（") == head.count("）") and head.count("“") == head.count("”")


_NUMBERED = re.compile(r"^\d+）")
_HEADING = re.compile(r"^【[^】]*】")


def short_answer(text: str, most: int) -> str | None:
    """One answer's first words, for a lead that gives several answers at once: its first
    line after the number and the 【heading】, cut after the last sentence (or clause) within
    ``most`` characters; None when not even a clause fits (a heading-only line, a title)."""
    body = _HEADING.sub("", _NUMBERED.sub("", lead(text).strip()))
    first = next((line for line in body.split("\n") if line and not line.startswith("【")), "")
    if len(first) <= most:
        return first
    cut = _lead_end(first, most)
    # a lead cut after a clause still ends as a sentence
    return re.sub("；$", "。", first[:cut]) if cut else None


def numbered_lead(answers: list[str]) -> str | None:
    """The lead of several numbered answers: "1）不能，…。2）补贴30元。" — each answer's first
    words, all within LEAD_MAX_CHARS; None when they do not fit."""
    most = LEAD_MAX_CHARS // max(len(answers), 1) - 2
    parts = [short_answer(a, most) for a in answers]
    if not all(parts):
        return None
    return "".join(f"{n}）{p}" for n, p in enumerate(parts, 1))


# a sentence or a clause of a paragraph, with its end mark
_UNIT = re.compile(r"[^。！？；\n]+[。！？；]?")
_VERDICT = re.compile(r"(?:不|没|原则上不)?(?:可以|能|会|用|要|需要|应该|是|行|有)\w?[。，]")


def said_words(text: str, asked: tuple[str, ...]) -> frozenset[str]:
    """The asked words a text says as words. A word inside a longer one is said where it ends
    it (a compound names its kind last: 参保登记 says 登记) or begins a compound of two words
    (农村居民 says 农村); not where one more character makes another word (户口本 is not 户口).
    A number is said only as a whole number."""
    low = text.lower()
    spans = search.word_spans(low)
    ends = {end for _start, end in spans}
    starting = {start: end for start, end in spans}
    said = set()
    for word in asked:
        for m in re.finditer(re.escape(word.lower()), low):
            whole = m.start() in starting and m.end() in ends
            if whole or (
                not word.isdigit()
                and (m.end() in ends or starting.get(m.start(), 0) - m.end() >= 2)
            ):
                said.add(word)
                break
    return frozenset(said)


def _units(body: str) -> list[tuple[int, int]]:
    """Where a paragraph's sentences and clauses are, never cut inside brackets or quotes."""
    spans, start = [], 0
    for m in _UNIT.finditer(body):
        if _outside_brackets(body[: m.end()]) and body[start : m.end()].strip():
            spans.append((start, m.end()))
            start = m.end()
    return spans


def _whole_sentence(paragraph: str, start: int, skip: int) -> bool:
    """Whether the unit at ``start`` begins a sentence (not a clause after a ；)."""
    before = paragraph[:start].rstrip()
    return start <= skip or not before or before[-1] in "。！？】\n"


_NOTE = re.compile(r"^(?:注意|提示|说明|备注)：")
_LABEL = re.compile(r"^[^，。：；]{1,6}：")


def _aside(unit: str, field: bool) -> bool:
    """A card's field ("发布单位：…" on a line of its own) or a note beside the answer
    ("注意：两篇报道说法不一…") never leads, unless the note says the documents are silent: that
    is the answer to a question they do not answer. A label inside a sentence ("…。居民医保：
    村居管理的农村居民由村居集中办理") is the sentence's own."""
    if _NOTE.match(unit):
        return SILENCE not in unit
    return field


def _said_units(paragraphs: list[str], asked: tuple[str, ...]) -> list[tuple]:
    """Each sentence or clause that may lead, as (asked words said, may lead alone, paragraph,
    start, end). One of a sentence's conditions ("18周岁以上的…，需…") leads alone only when no
    number asked for is in it: "18" matches 18周岁以上 and 18周岁以下（含） alike."""
    found = []
    for n, paragraph in enumerate(paragraphs):
        heading = _HEADING.match(paragraph)
        skip = heading.end() if heading else 0
        for start, end in _units(paragraph[skip:]):
            start, end = start + skip, end + skip
            unit = paragraph[start:end].strip()
            begins = paragraph[:end].rindex(unit)  # after the line break _units keeps
            field = _LABEL.match(unit) and paragraph[:begins].endswith(("\n", "】"))
            if unit.startswith(("【", "·", SOURCE_PREFIX)) or _aside(unit, bool(field)):
                continue  # a heading, a list's item, a 来源 line, a card's field, a note
            words = said_words(unit, asked)
            alone = (
                _whole_sentence(paragraph, start, skip)
                or "，" not in unit
                or not any(w.isdigit() for w in words)
            )
            found.append((words, alone, n, start, end))
    return found


def asked_lead(text: str, asked: tuple[str, ...], said: str = "") -> str | None:
    """The reply with the sentence (or clause) that says most of the asked words first, after
    its paragraph's short verdict (可以。/不能。) when it has one; moved, not copied: it leaves its
    paragraph, which keeps its other sentences and its 来源 lines. A word counts more the fewer
    sentences say it (户籍 in every sentence tells them apart no better than none). None when
    no sentence says more than ``said`` (the lead as it is), when the best ones say different
    asked words, or when the best one is too long to lead; of sentences saying the same
    words, the first."""
    paragraphs = text.strip().split("\n\n")
    if not paragraphs[0].startswith("【"):
        return None  # a lead said before the facts ("不要转。", "还需要知道：…") stays first
    if NOT_STATED_PHRASE in lead(paragraphs[0]).split("。")[0]:
        return None  # the documents' silence on what was asked is the answer, said first
    found = _said_units(paragraphs, asked)
    having = {w: sum(w in f[0] for f in found) for w in asked}

    def score(unit: tuple) -> float:
        said = sum(1 / having[w] for w in unit[0] if having[w])
        # "威海医保二档政府给补贴吗": that the documents do not state the 补助 answers it
        silent = said and SILENCE in paragraphs[unit[2]][unit[3] : unit[4]]
        return said + (len(asked) if silent else 0)

    top = max((score(f) for f in found), default=0)
    best = [f for f in found if score(f) == top]
    # the best sentences saying different asked words ("外地户口": 户口本 or 外地), or the
    # best one a condition that cannot lead alone: which one answers is not clear, and the
    # reply's own order stands
    if (
        top <= score((said_words(said, asked), True, 0, 0, 0))
        or len({f[0] for f in best}) > 1
        or not best[0][1]
    ):
        return None
    return _moved_first(paragraphs, *best[0][2:])


def _moved_first(paragraphs: list[str], n: int, start: int, end: int) -> str | None:
    """The reply with paragraph n's unit start:end first, with the paragraph's heading and
    verdict; None when that is longer than a lead."""
    paragraph = paragraphs[n]
    heading = _HEADING.match(paragraph)
    head = heading.group(0) if heading else ""
    # the paragraph's own verdict (可以。) goes with it; another fact's verdict never does
    verdict = _VERDICT.match(paragraph[len(head) :])
    said = verdict.group(0) if verdict and len(head) + verdict.end() <= start else ""
    unit = re.sub("；$", "。", paragraph[start:end].strip())
    if len(head + said + unit) > LEAD_MAX_CHARS:
        return None
    left = paragraph[:start] + paragraph[end:]
    if said:
        left = head + left[len(head) + len(said) :]
    left = re.sub(r"\n{2,}", "\n", left).strip()
    rest = paragraphs[:n] + paragraphs[n + 1 :]
    said_lead = head + said + unit
    if _HEADING.sub("", lead(left)).strip():
        rest.insert(n, left)
    else:  # nothing left but the heading: its 来源 lines go with the lead
        sources = [line for line in left.split("\n") if line.startswith(SOURCE_PREFIX)]
        said_lead = "\n".join([said_lead, *sources])
    return said_lead + "".join("\n\n" + p for p in rest if p.strip())


def phones_lead(kb: KnowledgeBase, regions: list[str], purposes: tuple[str, ...] = ()) -> str:
    """The numbers to call, region by region, in one short line ("青岛市：电话12333、12366。"):
    a list of hotlines leads with the numbers; a region whose documents give no number names
    its offices (山亭). The accounts and what each number is for follow in hotline_summary."""
    parts = []
    for region in regions:
        values = [f.value or {} for f in kb.hotlines(region)]
        values = [
            v for v in values if v.get("purpose") and (not purposes or v["purpose"] in purposes)
        ]
        phones = list(dict.fromkeys(p for v in values for p in v.get("phones") or []))
        offices = [v["department"] for v in values if v.get("department") and not v.get("phones")]
        said = ("电话" + "、".join(phones) if phones else "") or "、".join(offices)
        if said:
            parts.append(f"{kb.region_name(region)}：{said}")
    return "；".join(parts) + "。" if parts else ""
