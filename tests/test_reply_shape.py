"""How a reply is shaped for residents and operators: short source tags read back from 来源
lines, documents' short names as validated data, the answer-first lead, the 朗读版."""

from __future__ import annotations

import copy

import pytest

from policy_kb.answering import render
from policy_kb.answering.read_aloud import number, read_aloud
from policy_kb.answering.source_tags import split_sources, tag_line
from policy_kb.data.sources import load_sources, validate


def test_source_lines_become_tags_with_title_clause_and_quote(kb):
    fact = kb.fact("山亭", "pension.tiers")
    text = render.fact_text(fact, kb)
    body, refs = split_sources(text, kb)
    assert "来源" not in body and fact.answer in body
    (plan,) = kb.documents("山亭")
    assert [r.tag for r in refs] == [f"{plan['short']} {c.clause}" for c in fact.citations[:1]]
    assert refs[0].title == plan["title"] and fact.citations[0].quote in refs[0].quotes
    assert tag_line(refs) == f"来源：{plan['short']} {fact.citations[0].clause}"


def test_a_clause_with_a_comma_of_its_own_stays_whole(kb):
    cited = [f for f in kb.all_facts() if any(c.clause == "三、1" for c in f.citations)]
    assert cited, "a fact citing clause 三、1 (Qingdao's channels)"
    _, refs = split_sources(render.fact_text(cited[0], kb), kb)
    assert "三、1" in [r.clause for r in refs] and "1" not in [r.clause for r in refs]


def test_a_source_line_naming_an_unknown_document_is_kept(kb):
    text = "答复。\n来源：《一份不在知识库里的文件》第三条"
    body, refs = split_sources(text, kb)
    assert body == text and refs == []


def every_document(source):
    return [d for data in source.region_files for d in data.get("documents") or []]


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d, others: d.pop("short"), "document without short"),
        (lambda d, others: d.update(short="一个很长很长的简称"), "longer than"),
        (lambda d, others: d.update(short=others[1]["short"]), "already names"),
    ],
    ids=["missing", "too long", "names two documents of one year"],
)
def test_a_documents_short_name_is_checked(change, problem):
    source = copy.deepcopy(load_sources())
    documents = every_document(source)
    assert validate(source) == []
    change(documents[0], documents)
    assert any(problem in p for p in validate(source))


@pytest.mark.parametrize(
    "text, lead",
    [
        # short already: unchanged
        ("【威海市 2024年度】可以。\n来源：x", "【威海市 2024年度】可以。"),
        # a verdict alone is too short: the lead goes on to the next clause
        ("【青岛市】可以。" + "甲" * 60 + "；" + "乙" * 80 + "。", "【青岛市】可以。" + "甲" * 60 + "；"),
        # several sentences: as many as fit
        ("答" * 50 + "。" + "细" * 50 + "。" + "长" * 50 + "。", "答" * 50 + "。" + "细" * 50 + "。"),
    ],
    ids=["short", "verdict and a clause", "sentences that fit"],
)
def test_the_lead_is_the_answer_in_at_most_120_characters(text, lead):
    shaped = render.lead_first(text)
    assert render.lead(shaped) == lead and len(render.lead(shaped)) <= render.LEAD_MAX_CHARS
    # nothing is lost: the rest follows as the details
    assert shaped.replace("\n", "") == text.replace("\n", "") or "来源" in text


def test_the_lead_never_ends_inside_brackets():
    text = "【青岛市】线上渠道：" + "甲" * 50 + "（“个人办税”；说明）" + "乙" * 80 + "；丙。"
    assert render.lead(render.lead_first(text)).count("（") == render.lead(
        render.lead_first(text)
    ).count("）")


@pytest.mark.parametrize(
    "n, said",
    [(10, "十"), (15, "十五"), (105, "一百零五"), (462, "四百六十二"), (1020, "一千零二十"),
     (15000, "一万五千"), (100500, "十万零五百")],
)  # fmt: skip
def test_numbers_are_written_as_they_are_said(n, said):
    assert number(n) == said


def test_the_spoken_version_has_no_headers_sources_or_digits():
    text = (
        "【青岛市 2024年度】2024年度成年居民一档每年462元，集中缴费期2023年9月1日—12月31日，"
        "电话12333。\n合计：462＋395＝857元。\n来源：《通告》二（二）"
    )
    said = read_aloud(text, ("12333",))
    assert said == (
        "二〇二四年度成年居民一档每年四百六十二元，集中缴费期二〇二三年九月一日至十二月三十一日，" "电话幺二三三三。\n合计：四百六十二加三百九十五等于八百五十七元。"
    )


def test_several_answers_lead_together_each_with_its_first_words():
    blocks = [
        "1）【山亭区 2024年度】不能，除非是重度残疾人：100元档次只适用于他们。" + "档" * 40 + "。\n来源：x",
        "2）【山亭区 2024年度】补贴：缴费标准为350元的，补贴30元；500元的，补贴60元" + "元" * 30 + "。",
    ]
    said = render.numbered_lead(blocks)
    assert said == "1）不能，除非是重度残疾人：100元档次只适用于他们。2）补贴：缴费标准为350元的，补贴30元。"
    assert len(said) <= render.LEAD_MAX_CHARS
    # a block whose first line is a long title has no short first words: no joint lead
    assert render.numbered_lead(["1）" + "《" + "长" * 80 + "》", blocks[1]]) is None


def test_the_sentence_that_says_what_was_asked_leads_moved_not_copied():
    text = (
        "【山亭区 2024年度】可以。代办员上门收费；" + "也" * 110 + "。使用移动POS机收费的，按步骤操作。\n来源：甲"
        "\n\n【山亭区 2024年度】会。缴费后在村居公示。\n来源：乙"
    )
    shaped = render.lead_first(text, ("pos", "移动"))
    assert render.lead(shaped) == "【山亭区 2024年度】可以。使用移动POS机收费的，按步骤操作。"
    assert shaped.count("POS") == 1 and "代办员上门收费；" + "也" * 110 + "。" in shaped
    # a whole paragraph moved keeps its 来源 line and its own verdict, never another fact's
    shaped = render.lead_first(text, ("公示",))
    assert render.lead(shaped) == "【山亭区 2024年度】会。缴费后在村居公示。"
    assert shaped.split("\n\n")[0].endswith("来源：乙") and shaped.count("会。") == 1
    # a lead said before the facts (a safety verdict) stays first; so does a list's item
    assert render.lead_first("不要转。\n\n" + text, ("公示",)).startswith("不要转。")
    listed = "【青岛市】合计800元。\n· 孩子：公示395元\n来源：丙"
    assert render.lead_first(listed, ("公示",)) == listed


def test_a_whole_topic_comes_with_the_fact_asked_for_first(kb):
    from policy_kb.answering.relevance import asked_first

    ordered = asked_first(kb, kb.hotlines("山亭"), "山亭区缴费问题找谁咨询")
    assert (ordered[0].value or {})["purpose"] == "payment" and len(ordered) == 3
    ordered = asked_first(kb, kb.hotlines("山亭"), "山亭社保咨询电话")
    assert ordered == kb.hotlines("山亭")  # nothing tells them apart: the topic's order


def test_a_list_of_hotlines_leads_with_the_numbers(kb):
    said = render.phones_lead(kb, list(kb.regions))
    for region in kb.regions:
        assert kb.region_name(region) in said
        for fact in kb.hotlines(region):
            for phone in (fact.value or {}).get("phones") or []:
                if (fact.value or {}).get("purpose"):
                    assert phone in said
    assert len(said) <= render.LEAD_MAX_CHARS


REGISTRATION = (
    "【威海市 2024年度】首次参保人员需先办理参保登记再缴费。" + "先" * 100 + "。"
    "本地户籍居民持户口本，到户籍地办理登记；外地户籍居民持居住证，到居住地办理登记。\n来源：甲"
)


def test_sentences_saying_different_asked_words_leave_the_order_as_it_was():
    # 本地 and 外地 each said by one clause: which one answers is not clear
    assert render.lead_first(REGISTRATION, ("本地", "外地")) == render.lead_first(REGISTRATION)
    # the same words said twice: the first says them
    text = "【甲】办理登记。" + "先" * 110 + "。外地户籍居民持居住证办理登记。外地户籍居民持居住证即可。\n来源：甲"
    assert render.lead(render.lead_first(text, ("居住证",))).endswith("外地户籍居民持居住证办理登记。")


@pytest.mark.parametrize(
    "text, asked, said",
    [
        # a compound names its kind last: 参保登记 is a 登记
        ("办理参保登记", ("登记",), {"登记"}),
        # one more character makes another word: 户口本 is not 户口
        ("持户口本办理", ("户口",), set()),
        # a compound of two words says its first: 农村居民 are 农村 residents
        ("村居管理的农村居民", ("农村",), {"农村"}),
        # a number only as a whole number: 218 does not say 18
        ("满218天", ("18",), set()),
        ("18周岁以下", ("18",), {"18"}),
    ],
)
def test_an_asked_word_is_said_only_as_a_word(text, asked, said):
    assert render.said_words(text, asked) == said


def test_the_clause_naming_the_rarer_asked_word_leads():
    # "外地户口怎么办登记": 登记 is in every clause, 户口 in none (户口本), 外地 in one
    shaped = render.lead_first(REGISTRATION, ("外地", "户口", "登记"))
    assert render.lead(shaped) == "【威海市 2024年度】外地户籍居民持居住证，到居住地办理登记。"
    assert shaped.count("居住证") == 1


def test_one_of_a_sentences_conditions_never_leads_alone_on_a_number():
    # "18" matches 18周岁以下（含） and 18周岁以上 alike: the over-18 clause never leads alone
    text = (
        "【威海市 2024年度】18周岁以下（含）在校学生，通过“居民医疗”缴费" + "细" * 60 + "；" "18周岁以上的高中在校学生，通过“社保费补缴”缴费。\n来源：甲"
    )
    assert "社保费补缴" not in render.lead(render.lead_first(text, ("18", "高中")))


def test_the_documents_silence_on_what_was_asked_leads():
    text = "【威海市】二档个人缴费650元。\n提示：威海市的文件没有写明居民医保的财政补助金额。\n来源：甲"
    assert render.lead(render.lead_first(text, ("二档", "补助"))).endswith("没有写明居民医保的财政补助金额。")
    # a note that is not a silence never leads
    text = "【青岛市】港澳台居民持通行证办理。\n注意：两篇报道一篇写“港澳台居民”。\n来源：甲"
    assert render.lead_first(text, ("港澳台", "报道")) == text


@pytest.mark.parametrize(
    "region, age, own",
    [
        # 山亭 60–69: the government pays half of 380 (方案 五（一）); 190 leads, not 380
        ("山亭", 65, 190),
        # 山亭 70 and over pay nothing
        ("山亭", 72, 0),
    ],
)
def test_a_persons_own_amount_leads_when_the_standard_differs(kb, region, age, own):
    from policy_kb.rules.calculator import Profile, calculate

    result = calculate(kb, Profile(region=region, scheme="medical", age=age))
    first = render.result_text(result).split("\n")[1]
    assert first == f"个人缴费：{own}元。", first


def test_the_amount_is_not_said_twice_when_the_standard_is_the_persons(kb):
    from policy_kb.rules.calculator import Profile, calculate

    result = calculate(kb, Profile(region="山亭", scheme="medical", age=40))
    assert render.result_text(result).count("个人缴费：") == 1


def test_two_short_facts_under_one_heading_lead_together():
    text = "【青岛市】甲期内缴费的，1月1日起享受待遇。\n来源：甲\n\n【青岛市】1月1日后缴费的，设3个月等待期。\n来源：甲"
    said = render.lead(render.lead_first(text))
    assert said == "【青岛市】甲期内缴费的，1月1日起享受待遇。1月1日后缴费的，设3个月等待期。"
    assert render.lead_first(text).count("来源：甲") == 1
    # another heading, or a card of several lines, leads alone
    other = text.replace("【青岛市】1月1日后", "【威海市】1月1日后")
    assert render.lead(render.lead_first(other)) == "【青岛市】甲期内缴费的，1月1日起享受待遇。"
    card = text.replace("设3个月等待期。", "设3个月等待期。\n发布单位：乙")
    assert "等待期" not in render.lead(render.lead_first(card))


@pytest.mark.parametrize(
    "text, tier_asked",
    [
        # when cover starts is asked; 一档 only says whose
        ("青岛医保一档 什么时候开始享受", False),
        # the amount of the tier is asked
        ("青岛医保一档多少钱", True),
    ],
)
def test_the_tier_a_question_is_about_is_asked_only_with_its_amount(kb, text, tier_asked):
    from policy_kb.answering.relevance import asked_words
    from policy_kb.reading.question import read_question

    assert ("一档" in asked_words(kb, read_question(kb, text))) is tier_asked
