"""The web chat page in a real browser: Debian's chromium driven by Playwright (sync API).

See tests/tools/browser.py for how chromium is started and where screenshots go.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from policy_kb import KnowledgeBase, introduction
from tests.tools.browser import SCREENSHOTS, chromium, console_error

MOBILE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
REPLY_TIMEOUT = 30_000  # ms
SENDER_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def chat_url(assistant):
    base = assistant.get("base") or assistant["url"].split("/webhooks/")[0]
    return base + "/webhooks/webchat/"


@pytest.fixture
def open_chat(browser, chat_url):
    """open_chat(**context_options) → a page of the chat in a fresh browser profile.

    Fails the test on any script error or console error (a CSP violation is one).
    """
    contexts, problems = [], []

    def open_page(**options) -> Page:
        context = browser.new_context(locale="zh-CN", **(options or MOBILE))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(REPLY_TIMEOUT)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda m: console_error(m, problems))
        page.goto(chat_url)
        wait_ready(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, problems


def wait_ready(page: Page) -> None:
    page.wait_for_selector("body[data-ready=true]")


def bot_rows(page: Page):
    return page.locator(".msg[data-role=bot]")


def user_rows(page: Page):
    return page.locator(".msg[data-role=user]")


def wait_for_replies(page: Page, bots_before: int) -> str:
    """Waits until the bot answered (the typing indicator gone); returns the new bot texts."""
    page.wait_for_function(
        "n => document.querySelectorAll('.msg[data-role=bot]').length > n"
        " && !document.querySelector('.msg--typing')",
        arg=bots_before,
        timeout=REPLY_TIMEOUT,
    )
    return "\n".join(bot_rows(page).all_inner_texts()[bots_before:])


def ask(page: Page, text: str) -> str:
    """Types a question, presses Enter and returns the bot's answer."""
    bots_before = bot_rows(page).count()
    page.fill("#input", text)
    page.press("#input", "Enter")
    return wait_for_replies(page, bots_before)


def sender_id(page: Page) -> str:
    return page.evaluate("localStorage.getItem('shebao.webchat.sender')")


def test_conversation_with_a_follow_up_in_context(open_chat):
    page = open_chat()
    expect(page.locator(".header")).to_contain_text("居民社保缴费助手")
    welcome = bot_rows(page).first
    # what is covered and the examples come from the knowledge base, through the page
    kb = KnowledgeBase.open()
    expect(welcome).to_contain_text(f"可以解答{introduction.scope(kb)}的问题")
    expect(welcome.locator(".quick-replies__button")).to_have_text(
        introduction.examples(kb, ("tiers",), each=2)
        + introduction.examples(kb, ("channels", "household"))
    )
    assert SENDER_RE.fullmatch(sender_id(page))

    assert "462" in ask(page, "青岛医保多少钱")
    assert "150" in ask(page, "那大学生呢")
    expect(user_rows(page).locator(".bubble")).to_have_text(["青岛医保多少钱", "那大学生呢"])
    expect(page.locator("#input")).to_have_value("")

    # WeChat look: user bubbles green on the right, bot bubbles white on the left
    user_bubble, bot_bubble = user_rows(page).last.locator(".bubble"), bot_rows(page).last
    bot_bubble = bot_bubble.locator(".bubble")
    style = "e => getComputedStyle(e).backgroundColor"
    assert user_bubble.evaluate(style) == "rgb(149, 236, 105)"
    assert bot_bubble.evaluate(style) == "rgb(255, 255, 255)"
    assert bot_bubble.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    user_box, bot_box = user_bubble.bounding_box(), bot_bubble.bounding_box()
    assert user_box["x"] + user_box["width"] > 280 and bot_box["x"] < 80
    expect(user_rows(page).last.locator("img.msg__avatar")).to_be_visible()
    # both questions within five minutes: one time label
    expect(page.locator(".time")).to_have_count(1)
    expect(page.locator(".time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    # the newest message is scrolled into view
    assert page.evaluate(
        "() => { const m = document.getElementById('messages');"
        " return m.scrollHeight - m.scrollTop - m.clientHeight < 4; }"
    )
    assert bot_rows(page).last.locator(".bubble").is_visible()


def test_conversation_holds_across_a_clarification(open_chat):
    """The assistant asks the adult's tier; the answer completes the household's total."""
    page = open_chat()
    rates = KnowledgeBase.open().fact("青岛", "medical.personal").value
    first = ask(page, "我在青岛，孩子上初中，医保交多少")
    assert "还需要知道" in first and str(rates["少年儿童"]) in first
    second = ask(page, "那我自己选一档呢")
    total = rates["一档"] + rates["少年儿童"]
    assert f"{rates['一档']}＋{rates['少年儿童']}＝{total}元" in second, second
    assert "您想了解什么" not in second


def test_quick_reply_button_sends_the_payload_and_shows_the_title(open_chat):
    page = open_chat()
    ask(page, "医保多少钱")
    buttons = bot_rows(page).last.locator(".quick-replies__button")
    expect(buttons).to_have_text(["青岛市", "威海市", "枣庄市山亭区"])
    bots_before = bot_rows(page).count()
    buttons.filter(has_text="威海市").click()
    answer = wait_for_replies(page, bots_before)
    assert "450" in answer and "650" in answer and "462" not in answer
    expect(user_rows(page).last.locator(".bubble")).to_have_text("威海市")
    assert not any("/inform" in t for t in user_rows(page).all_inner_texts())


def test_welcome_example_button_asks_its_question(open_chat):
    page = open_chat()
    bots_before = bot_rows(page).count()
    bot_rows(page).first.locator("button", has_text="山亭养老有哪些档次").click()
    answer = wait_for_replies(page, bots_before)
    assert "山亭" in answer
    expect(user_rows(page).last.locator(".bubble")).to_have_text("山亭养老有哪些档次")


def test_reload_keeps_the_conversation_and_shows_its_history(open_chat):
    page = open_chat()
    sender = sender_id(page)
    assert "462" in ask(page, "青岛医保多少钱")
    page.reload()
    wait_ready(page)
    assert sender_id(page) == sender
    expect(user_rows(page).locator(".bubble")).to_have_text(["青岛医保多少钱"])
    expect(bot_rows(page).last).to_contain_text("462")
    expect(page.locator(".time")).to_have_count(1)
    # the context survived the reload: the follow-up is still about Qingdao
    answer = ask(page, "那大学生呢")
    assert "150" in answer and "青岛" in answer
    page.reload()
    wait_ready(page)
    expect(user_rows(page).locator(".bubble")).to_have_text(["青岛医保多少钱", "那大学生呢"])


def test_enter_while_composing_chinese_does_not_send(open_chat):
    page = open_chat()
    field = page.locator("#input")
    field.dispatch_event("compositionstart")
    field.fill("威海医保电话")
    field.press("Enter")
    # the key event an input method sends when a candidate is picked (isComposing / 229)
    field.evaluate(
        "e => e.dispatchEvent(new KeyboardEvent('keydown',"
        " {key: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true}))"
    )
    page.wait_for_timeout(800)
    expect(user_rows(page)).to_have_count(0)
    # (the synthetic Enter may add a line break a real input method would not)
    expect(field).to_have_value(re.compile(r"^威海医保电话\s*$"))

    field.dispatch_event("compositionend")
    bots_before = bot_rows(page).count()
    field.press("Enter")
    expect(user_rows(page)).to_have_count(1)
    expect(field).to_have_value("")
    assert "威海" in wait_for_replies(page, bots_before)


def test_shift_enter_makes_a_new_line_and_the_send_button_sends(open_chat):
    page = open_chat()
    send = page.locator("#send")
    expect(send).to_be_disabled()
    page.fill("#input", "威海")
    page.press("#input", "Shift+Enter")
    page.locator("#input").press_sequentially("医保电话")
    expect(page.locator("#input")).to_have_value("威海\n医保电话")
    expect(send).to_be_enabled()
    bots_before = bot_rows(page).count()
    send.click()
    wait_for_replies(page, bots_before)
    bubble = user_rows(page).last.locator(".bubble")
    assert bubble.evaluate("e => e.textContent") == "威海\n医保电话"
    assert bubble.bounding_box()["height"] > 50  # the line break is shown


def test_typing_indicator_while_waiting(open_chat):
    page = open_chat()
    held = []
    page.route("**/webhooks/webchat/webhook", lambda route: held.append(route))
    page.fill("#input", "威海医保电话")
    page.press("#input", "Enter")
    expect(page.locator(".msg--typing")).to_be_visible()
    expect(page.locator(".msg--typing .typing__dot")).to_have_count(3)
    expect(page.locator("#status")).to_have_text("对方正在输入…")
    page.wait_for_function("() => true")  # let the route handler run
    assert held
    held[0].continue_()
    page.unroute("**/webhooks/webchat/webhook")
    expect(page.locator(".msg--typing")).to_have_count(0)
    expect(bot_rows(page).last).to_contain_text("威海")


def test_failed_send_is_marked_and_can_be_retried(open_chat):
    page = open_chat()
    page.route("**/webhooks/webchat/webhook", lambda route: route.abort())
    page.fill("#input", "威海医保电话")
    page.press("#input", "Enter")
    expect(page.locator(".msg__failed")).to_be_visible()
    expect(page.locator(".notice").last).to_contain_text("网络")
    page.unroute("**/webhooks/webchat/webhook")
    bots_before = bot_rows(page).count()
    page.locator(".msg__failed").click()
    assert "威海" in wait_for_replies(page, bots_before)
    expect(page.locator(".msg__failed")).to_have_count(0)
    expect(user_rows(page)).to_have_count(1)


def test_text_is_rendered_as_text_never_as_html(open_chat):
    page = open_chat()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    html = '<img src=x onerror="alert(1)"><b>粗体</b>'
    ask(page, html)
    bubble = user_rows(page).last.locator(".bubble")
    assert bubble.evaluate("e => e.textContent") == html
    expect(bubble.locator("img, b")).to_have_count(0)
    assert not dialogs


def test_time_labels_only_when_more_than_five_minutes_apart(open_chat):
    page = open_chat()
    start = datetime.datetime.now().replace(hour=9, minute=0, second=0, microsecond=0)
    page.clock.set_fixed_time(start)
    ask(page, "威海医保电话")
    page.clock.set_fixed_time(start + datetime.timedelta(minutes=3))
    ask(page, "山亭医保电话")
    expect(page.locator(".time")).to_have_text(["09:00"])
    page.clock.set_fixed_time(start + datetime.timedelta(minutes=9))
    ask(page, "青岛医保电话")
    expect(page.locator(".time")).to_have_text(["09:00", "09:09"])


def test_mobile_screenshot_at_360_px(open_chat):
    page = open_chat(**MOBILE)
    ask(page, "医保多少钱")
    bots_before = bot_rows(page).count()
    bot_rows(page).last.locator("button", has_text="威海市").click()
    wait_for_replies(page, bots_before)
    # nothing wider than the screen; the input bar stays at the bottom
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    composer = page.locator(".composer").bounding_box()
    assert abs(composer["y"] + composer["height"] - 740) < 2
    for bubble in page.locator(".bubble").all():
        box = bubble.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    save_screenshot(page, "webchat-mobile.png")


def test_desktop_screenshot_centered_column(open_chat):
    page = open_chat(**DESKTOP)
    ask(page, "青岛医保多少钱")
    ask(page, "那大学生呢")
    app = page.locator(".app").bounding_box()
    assert app["width"] <= 800
    assert abs(app["x"] - (1280 - app["x"] - app["width"])) < 2  # centred
    save_screenshot(page, "webchat-desktop.png")


def save_screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.wait_for_timeout(300)  # images decoded, animations settled
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    assert path.stat().st_size < 300_000, f"{name} is {path.stat().st_size} bytes"
