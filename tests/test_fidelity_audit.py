"""Issue 21, the second fidelity audit: 13 points, each held by a case that cites its clause.

000 Qingdao notice, 001/003 the Qingdao press reports, 002 Weihai notice, 004 Shanting plan.
Calculator cases run ``shebao calc`` with the flags outside evaluation sets use, and check what
the output says (the silence named) and what it must not say (a subsidy or date no document
gives).
"""

from __future__ import annotations

import copy

import pytest

from policy_kb import cli
from policy_kb.data.sources import SEEDS_DIR, load_sources, validate
from policy_kb.text.normalize import compact
from policy_kb.text.paragraphs import CITATION, seed_paragraphs


@pytest.fixture
def calc(kb, capsys):
    def _calc(*flags: str) -> str:
        cli.main(["--db", str(kb.db_path), "calc", *flags])  # 2 for a refusal: the text counts
        return capsys.readouterr().out

    return _calc


def quotes(fact) -> str:
    return "".join(compact(c.quote) for c in fact.citations)


# ---------------------------------------------------------------------- point 1
def report_citations(kb, file_name: str):
    for fact in kb.all_facts():
        for cite in fact.citations:
            if cite.file == file_name:
                yield fact.key, cite


@pytest.mark.parametrize(
    "file_name, paragraphs",
    [
        # 001: one block whose only breaks fall mid-word ("实施补/助"): one paragraph
        ("001_4c8884ade9bbb4b3.txt", 1),
        # 003: seven paragraphs, the sixth the family-account example, the seventh the byline
        ("003_67a858a48ec04839.txt", 7),
    ],
)
def test_press_report_citations_lie_in_the_paragraph_they_name(kb, file_name, paragraphs):
    paras = seed_paragraphs(str(SEEDS_DIR / file_name))
    assert len(paras) == paragraphs
    cited = list(report_citations(kb, file_name))
    assert cited
    for key, cite in cited:
        number = int(CITATION.match(cite.clause).group(1))
        assert compact(cite.quote) in paras[number - 1], (key, cite.clause)


def test_003s_citations_keep_their_paragraph_numbers(kb):
    # 003 报道第2段 rates and subsidy, 第3段 benefit and waiting, 第4段 permits, 第6段 family account
    clauses = {key: cite.clause for key, cite in report_citations(kb, "003_67a858a48ec04839.txt")}
    assert clauses["medical.personal"] == "报道第2段"
    assert clauses["medical.waiting_period"] == "报道第3段"
    assert clauses["eligibility.hk_macau_taiwan"] == "报道第4段"
    assert clauses["medical.family_account"] == "报道第6段"


@pytest.mark.parametrize(
    "fact_key, doc, clause, expected",
    [
        # 003's rates are in its second paragraph, not its third
        ("medical.personal", "qd-report-2", "报道第3段", "the quote is in 第2段"),
        # 001 has one paragraph: a second one does not exist
        ("eligibility.residence_permit", "qd-report-1", "报道第2段", "(1 in all)"),
    ],
)
def test_shebao_check_refuses_a_wrong_paragraph_number(fact_key, doc, clause, expected):
    broken = copy.deepcopy(load_sources())
    qingdao = next(d for d in broken.region_files if d["region"] == "青岛")
    fact = next(f for f in qingdao["facts"] if f["key"] == fact_key)
    next(s for s in fact["sources"] if s["doc"] == doc)["clause"] = clause
    assert any(expected in p and fact_key in p for p in validate(broken))


# ---------------------------------------------------------------------- points 2-9, 13
CALC_CASES = [
    # point 2 — 004 五（三）3: 集中征缴期外补缴 is 特殊情形缴费; 六（二）5: 人社 verifies 补缴;
    # no clause gives a late payment the 五（一） subsidy
    pytest.param(
        ["--region", "山亭", "--scheme", "养老", "--tier", "1000", "--paid", "2024-03-01"],
        ["特殊情形缴费", "区人社局核定", "不报补贴金额"],
        ["政府补贴80元", "没有写之后能否再缴"],
        id="2-shanting-late-pension-gets-no-subsidy",
    ),
    # point 3 — 004 五（二）: 10月1日 starts the MEDICAL period; 七（二）: 10月16日—12月31日 both
    pytest.param(
        ["--region", "山亭", "--scheme", "养老", "--tier", "1000", "--paid", "2023-09-20"],
        ["只针对居民医保", "2023年10月16日", "不报补贴金额"],
        ["不在2024年度的缴费时间内"],
        id="3-shanting-pension-is-not-refused-by-the-medical-start",
    ),
    pytest.param(
        ["--region", "山亭", "--scheme", "养老", "--tier", "1000", "--paid", "2025-01-10"],
        ["不在2024年度的缴费时间内", "2024年12月31日结束"],
        ["2023年10月1日"],
        id="3-shanting-pension-after-the-year-is-refused-without-the-medical-start",
    ),
    pytest.param(
        ["--region", "山亭", "--scheme", "养老", "--tier", "1000", "--paid", "2023-10-05"],
        ["只针对居民医保", "2023年10月5日"],
        ["政府补贴80元"],
        id="3-shanting-pension-in-the-preparation-stage-is-noted",
    ),
    pytest.param(
        ["--region", "山亭", "--scheme", "养老", "--tier", "1000", "--paid", "2023-11-05"],
        ["政府补贴80元"],
        ["只针对居民医保", "不报补贴金额"],
        id="3-shanting-pension-in-the-collection-phase-keeps-its-subsidy",
    ),
    # point 4 — 002 五（三）: from birth only for 缴纳出生当年 (2023) premium, not in this notice
    pytest.param(
        ["--region", "威海", "--scheme", "医保", "--born", "2023-11-15", "--paid", "2024-02-01"],
        ["出生当年", "不给待遇起始日"],
        ["待遇起始：", "2023年11月15日起"],
        id="4-weihai-child-born-in-2023-gets-no-cover-date",
    ),
    # point 5 — only 004 四 states an age (年满16周岁); 000 and 002 state none
    pytest.param(
        ["--region", "青岛", "--scheme", "养老", "--age", "10", "--tier", "500"],
        ["没有写参加居民养老保险的年龄条件", "10岁能否参加"],
        [],
        id="5-qingdao-names-no-pension-age",
    ),
    pytest.param(
        ["--region", "威海", "--scheme", "养老", "--age", "10", "--tier", "500"],
        ["没有写参加居民养老保险的年龄条件"],
        [],
        id="5-weihai-names-no-pension-age",
    ),
    pytest.param(
        ["--region", "山亭", "--scheme", "养老", "--age", "10", "--tier", "500"],
        ["须年满16周岁"],
        ["没有写参加居民养老保险的年龄条件"],
        id="5-shanting-states-16",
    ),
    # point 6 — 000 二（一）: 重度残疾人 由政府按500元标准代缴; 也可再自行选择100元以上 —
    # how the two relate is not said
    pytest.param(
        ["--region", "青岛", "--scheme", "养老", "--hardship", "重度残疾", "--tier", "350"],
        ["按500元标准代缴", "代缴是否计入所选档次", "本助手的理解"],
        [],
        id="6-qingdao-hardship-lower-tier-says-what-is-not-stated",
    ),
    # point 7 — 002 二（二）: 300元 for 未成年居民以及高校学生 only; 五（四）: 18/22周岁以下（含）
    # and 18/22周岁以上 overlap
    pytest.param(
        ["--region", "威海", "--scheme", "医保", "--student", "school", "--age", "18"],
        ["年满18周岁的在校中小学生", "按成年居民计算"],
        [],
        id="7-weihai-pupil-of-18-is-not-silently-an-adult",
    ),
    pytest.param(
        ["--region", "威海", "--scheme", "医保", "--student", "college", "--age", "22"],
        ["恰好22周岁的两处都包括"],
        [],
        id="7-weihai-college-student-of-22-names-the-overlap",
    ),
    # point 8 — 000 二（二）: 一档 is for 成年居民; 少年儿童 395元
    pytest.param(
        ["--region", "青岛", "--scheme", "医保", "--age", "17", "--tier", "一档"],
        ["少年儿童按395元计算", "能否选择“一档”"],
        [],
        id="8-qingdao-minor-asking-for-tier-one-is-told",
    ),
    # point 9 — 004 五（三）3: 符合政府代缴社保费条件的低保、残疾、特困等人群 (both schemes)
    pytest.param(
        ["--region", "山亭", "--scheme", "养老", "--hardship", "低保", "--tier", "350"],
        ["符合政府代缴社保费条件的低保", "没有写低保对象养老保险的代缴条件和标准", "五（三）3"],
        ["没有写政府为低保对象代缴养老保险费"],
        id="9-shanting-pension-cites-the-special-groups-clause",
    ),
    # point 13 — 002 五（三）: 出生后第7个月至12个月（含）参保缴费的，自缴费次月起享受待遇
    pytest.param(
        ["--region", "威海", "--scheme", "医保", "--born", "2024-03-10", "--paid", "2025-02-01"],
        ["自缴费次月", "2025年3月1日", "哪一年度"],
        ["不在2024年度的缴费时间内"],
        id="13-weihai-newborn-paid-in-month-11-is-not-refused",
    ),
    # point 13 — 001/003: "2024年1月1日后缴费的" — 1月1日 itself is not said
    pytest.param(
        ["--region", "青岛", "--scheme", "医保", "--tier", "一档", "--paid", "2024-01-01"],
        ["当天缴费算不算"],
        [],
        id="13-qingdao-first-of-january-names-the-open-question",
    ),
]


@pytest.mark.parametrize("flags, says, never", CALC_CASES)
def test_the_calculator_names_each_silence_and_gives_no_unstated_figure(calc, flags, says, never):
    out = calc(*flags)
    for words in says:
        assert words in out, (words, out)
    for words in never:
        assert words not in out, (words, out)


# ---------------------------------------------------------------------- points 10-12
FACT_CASES = [
    # point 10 — only 000 二（一） states a cap: 个人年缴费额不得超过最高缴费档次
    pytest.param("威海", "pension.tiers", lambda f: "cap" not in f.value, id="10-weihai-no-cap"),
    pytest.param("山亭", "pension.tiers", lambda f: "cap" not in f.value, id="10-shanting-no-cap"),
    pytest.param(
        "青岛",
        "pension.tiers",
        lambda f: f.value["cap"] == 12000 and "不得超过最高缴费档次" in quotes(f),
        id="10-qingdao-cap-is-quoted",
    ),
    # point 10 — 001/003: 市、区(市)两级财政继续对居民医保实施补助
    pytest.param(
        "青岛",
        "medical.subsidy",
        lambda f: "两级财政" in f.answer and "市、区(市)两级财政" in quotes(f),
        id="10-qingdao-two-levels-of-finance-are-quoted",
    ),
    # point 11 — 004 六（九）: 审计局 监督…全程 — an oversight duty, not a complaint channel
    pytest.param(
        "山亭",
        "supervision",
        lambda f: "向区审计局反映" not in f.answer and "没有写居民" in f.answer,
        id="11-shanting-audit-office-is-no-complaint-desk",
    ),
    # point 11 — 004 六（四）2、6: the tax office's duties; no quote names 代办人员 for questions
    pytest.param(
        "山亭",
        "hotline.payment",
        lambda f: "代办人员" not in f.answer and "代办人员" not in quotes(f),
        id="11-shanting-payment-hotline-names-no-collectors",
    ),
    # point 12 — 004 五（一）: 鼓励有条件的用人单位、镇（街）、村（居）集体经济组织…资助
    pytest.param(
        "山亭",
        "medical.assistance",
        lambda f: "集体经济组织" in quotes(f) and "不是对某个人的承诺" in f.answer,
        id="12-shanting-assistance-is-encouraged",
    ),
    # point 12 — 004 六（六）: 10月31日前将资助人员基本信息…发至各镇（街）
    pytest.param(
        "山亭",
        "hardship_lists",
        lambda f: "10月31日前" in quotes(f) and "六（六）" in [c.clause for c in f.citations],
        id="12-shanting-departments-send-the-lists",
    ),
    # point 12 — 004 二（二）: 推行小程序、银行网点、办费窗口征缴渠道
    pytest.param(
        "山亭",
        "channels.offline",
        lambda f: "银行网点、办费窗口" in quotes(f) and f.value["listed"][1:] == ["银行网点", "办费窗口"],
        id="12-shanting-bank-branches-and-windows",
    ),
    # point 12 — 004 附件1: 领导小组下设办公室，办公室设在区税务局
    pytest.param(
        "山亭",
        "leading_group",
        lambda f: "办公室设在区税务局" in quotes(f) and "附件1" in [c.clause for c in f.citations],
        id="12-shanting-leading-groups-office",
    ),
    # point 12 — 004 六（四）6: 按照职责开具相应缴费凭证和证明
    pytest.param(
        "山亭",
        "payment_proof",
        lambda f: "缴费凭证和证明" in quotes(f) and "区税务局" in f.answer,
        id="12-shanting-receipts",
    ),
]


@pytest.mark.parametrize("region, key, holds", FACT_CASES)
def test_each_fact_says_only_what_its_quotes_say(kb, region, key, holds):
    fact = kb.fact(region, key)
    assert fact is not None and holds(fact)


def test_the_sources_still_validate():
    assert validate(load_sources()) == []
