"""The staff console in a real browser (Debian's chromium, Playwright): login, ask, read, copy.

A hotline operator's path: log in, type a caller's question, read the answer and the quoted
clauses behind it, read a region's tables aloud, calculate a personal case, copy the answer.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from policy_kb import KnowledgeBase
from tests.tools.browser import SCREENSHOTS, axe_violations, chromium, console_error

pytestmark = pytest.mark.server

DESK = {"viewport": {"width": 1366, "height": 900}}
TABLET = {"viewport": {"width": 768, "height": 1024}, "is_mobile": True, "has_touch": True}
TIMEOUT = 30_000  # ms


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def console_url(assistant):
    return assistant["base"] + "/webhooks/console/"


@pytest.fixture
def open_console(browser, console_url, assistant):
    """open_console(login=..., **context_options) → (page, response of the first request)."""
    contexts, problems = [], []

    def open_page(login=assistant["console"], size=DESK, expect_ready=True):
        options = dict(size, locale="zh-CN")
        if login is not None:
            options["http_credentials"] = login
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        if expect_ready:
            page.on("console", lambda m: expected_or_error(m, problems))
        if login is None:
            # a browser without a login shows its own prompt (headless chromium cancels it):
            # what the server sends is what matters
            first = context.request.get(console_url)
            page.set_content(first.text())
            return page, first
        first = page.goto(console_url)
        if expect_ready:
            page.wait_for_selector("body[data-ready=true]")
        return page, first

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, problems


def expected_or_error(message, problems: list) -> None:
    # the calculator answers bad input with 400 and a sentence; chromium logs the status
    if "status of 400" not in message.text:
        console_error(message, problems)


def ask(page: Page, question: str, region: str = "") -> str:
    answered = int(page.get_attribute("body", "data-answers") or 0)
    page.select_option("#ask-region", region)
    page.fill("#question", question)
    page.click("#ask-button")
    page.wait_for_selector(f"body[data-answers='{answered + 1}']")
    expect(page.locator("#answer")).to_be_visible()
    return page.inner_text("#answer-text")


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.mark.parametrize(
    "login",
    [
        # a wrong password: refused, and the page shows nothing of the knowledge base
        {"username": "hotline", "password": "wrong-password"},
        # the right password for another user name
        {"username": "resident", "password": "console-test-password"},
        # no login at all (a resident who found the address)
        None,
    ],
)
def test_failed_login_shows_nothing(open_console, console_url, login):
    page, first = open_console(login=login, expect_ready=False)
    assert first.status == 401
    body = page.inner_text("body")
    assert "需要登录" in body
    assert "助手答复" not in body and "462" not in body
    # the data endpoints are closed too, not only the page
    api = page.request.get(console_url + "api/tables?region=青岛")
    assert api.status == 401 and "462" not in api.text()


def test_operator_asks_reads_the_clauses_and_copies_the_answer(open_console, browser):
    page, first = open_console()
    assert first.status == 200
    expect(page.locator("#year")).to_have_text("2024年度")

    answer = ask(page, "65岁医保交多少", region="山亭")
    assert "个人缴费：190元" in answer and "来源：" in answer
    # the facts behind the answer, each with the quoted sentence and its clause
    facts = page.locator("#fact-list > li")
    expect(facts.first).to_be_visible()
    text = page.inner_text("#fact-list")
    assert "60-69岁" in text or "60—69" in text or "50%" in text
    assert "五（一）" in text and "山政办发" in text
    assert page.locator("#fact-list blockquote").count() >= 2
    # the region's tables, ready to be read aloud
    expect(page.locator("#tables caption").first).to_have_text("金额一览（元/年）")
    assert "380" in page.inner_text("#tables")
    expect(page.locator("#region-tabs button[aria-pressed=true]")).to_have_text("枣庄市山亭区")

    # copy to the clipboard: exactly the answer text
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#copy")
    expect(page.locator("#copy-status")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == answer
    shoot(page, "console-desk.png")


def test_keywords_a_follow_up_and_another_region_table(open_console):
    page, _ = open_console()
    # keywords the way an operator types them: hotline facts, with the numbers from the notice
    answer = ask(page, "威海 医保 电话")
    assert "5190857" in answer
    assert "5190857" in page.inner_text("#fact-list")
    # a follow-up in the same call keeps the context
    assert "12333" in ask(page, "那养老呢") or "12333" in page.inner_text("#fact-list")
    # a table of another region on demand
    page.click("#region-tabs button:has-text('青岛市')")
    expect(page.locator("#region-tabs button[aria-pressed=true]")).to_have_text("青岛市")
    tables = page.inner_text("#tables")
    assert "462" in tables and "395" in tables
    # a new call starts without the previous caller's context
    page.click("#new-call")
    expect(page.locator("#answer")).to_be_hidden()
    assert "哪个地区" in ask(page, "医保多少钱")


def test_a_call_holds_across_a_clarification_until_the_next_call(open_console):
    page, _ = open_console()
    rates = KnowledgeBase.open().fact("青岛", "medical.personal").value
    total = rates["一档"] + rates["少年儿童"]
    assert "还需要知道" in ask(page, "我在青岛，孩子上初中，医保交多少")
    assert f"＝{total}元" in ask(page, "那我自己选一档呢")
    page.click("#new-call")  # the next caller's "一档" is no answer to the previous question
    assert f"＝{total}元" not in ask(page, "那我自己选一档呢")


def test_calculator_on_a_tablet(open_console):
    page, _ = open_console(size=TABLET)
    # one column on a tablet: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.select_option("#calc-region", "青岛")
    page.fill("#calc-household", "两个大人选一档，一个上小学的孩子")
    page.click("#calc-button")
    expect(page.locator("#calc-result")).to_contain_text("1319")
    # a personal case: a Weihai college student
    page.fill("#calc-household", "")
    page.select_option("#calc-region", "威海")
    page.select_option("#calc-scheme", "medical")
    page.select_option("#calc-group", "大学生")
    page.click("#calc-button")
    expect(page.locator("#calc-result")).to_contain_text("300")
    # bad input: a friendly sentence, no result
    page.fill("#calc-age", "二百")
    page.click("#calc-button")
    expect(page.locator("#calc-error")).to_contain_text("年龄")
    expect(page.locator("#calc-result")).to_be_hidden()
    shoot(page, "console-tablet.png")


HANDOFFS = "#review-body tr:has(td:text-is('要求人工')) td:nth-child(2)"


def refreshed_handoffs(page: Page, reviews: int) -> int:
    page.click("#review-button")
    page.wait_for_selector(f"body[data-reviews='{reviews}']")
    return int(page.inner_text(HANDOFFS))


def test_the_review_summary_panel_is_read_only(open_console, assistant):
    page, _ = open_console()
    page.click("#review summary")
    page.wait_for_selector("body[data-reviews='1']")
    body = page.locator("#review-body")
    expect(body).to_contain_text("会话数")
    expect(body).to_contain_text("要求人工")
    expect(body).to_contain_text("最常见的未解答问题")
    before = int(page.inner_text(HANDOFFS))
    # the operator's own question is marked by its channel and not counted as a resident's
    ask(page, "我要找人工客服")
    assert refreshed_handoffs(page, 2) == before
    # a resident's request for a human (web chat) is counted
    resident = {"sender": "resident-asks-human-1", "message": "我要找人工客服"}
    sent = page.request.post(assistant["base"] + "/webhooks/webchat/webhook", data=resident)
    assert sent.ok
    assert refreshed_handoffs(page, 3) == before + 1
    # read-only: the only control refreshes; deciding stays with policy-team review
    assert page.locator("#review button").all_inner_texts() == ["刷新"]
    shoot(page, "console-review.png")


# ---------------------------------------------------------------------- layout, 朗读版, a11y
TABLE_FITS = """() => [...document.querySelectorAll('#tables table')].map(t => ({
    caption: t.caption ? t.caption.textContent : '',
    overflow: t.scrollWidth - t.parentElement.clientWidth,
    narrowest: Math.min(...[...t.querySelectorAll('th')].map(th => th.getBoundingClientRect().width)),
    em: parseFloat(getComputedStyle(t).fontSize)}))"""


@pytest.mark.parametrize("size", [DESK, TABLET], ids=["1366 px", "768 px tablet"])
@pytest.mark.parametrize("region", ["青岛市", "威海市", "枣庄市山亭区"])
def test_every_table_fits_its_column(open_console, size, region):
    page, _ = open_console(size=size)
    page.locator("#region-tabs button", has_text=region).click()
    expect(page.locator("#region-tabs button[aria-pressed=true]")).to_have_text(region)
    expect(page.locator("#tables table").first).to_be_visible()
    for table in page.evaluate(TABLE_FITS):
        assert table["overflow"] <= 1, table  # nothing cut off at the right (条款)
        assert table["narrowest"] >= 2.5 * table["em"], table  # no one-character columns


def test_the_spoken_version_reads_aloud_beside_the_cited_one(open_console):
    page, _ = open_console()
    cited = ask(page, "青岛医保多少钱")
    assert "【" in cited and "来源：" in cited and "462" in cited
    said = page.inner_text("#answer-spoken")
    assert said and "【" not in said and "来源" not in said and "《" not in said
    assert "四百六十二元" in said and not any(c.isdigit() for c in said)
    spoken_box, cited_box = (
        page.locator(s).bounding_box() for s in ("#answer-spoken", "#answer-text")
    )
    assert abs(spoken_box["y"] - cited_box["y"]) < 40  # side by side at the desk
    # a hotline number is said digit by digit, as the documents write it
    ask(page, "威海医保电话")
    phones = [p for f in KnowledgeBase.open().hotlines("威海") for p in f.value.get("phones", [])]
    assert "5190857" in phones and "五幺九零八五七" in page.inner_text("#answer-spoken")


@pytest.mark.parametrize("size", [DESK, TABLET], ids=["1366 px", "768 px tablet"])
def test_axe_finds_no_accessibility_violations_in_the_console(open_console, size):
    page, _ = open_console(size=size)
    ask(page, "青岛医保多少钱")
    page.locator("#region-tabs button", has_text="青岛市").click()
    expect(page.locator("#tables table").first).to_be_visible()
    page.locator("#review summary").click()
    assert axe_violations(page) == []
