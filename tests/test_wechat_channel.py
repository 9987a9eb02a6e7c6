"""The WeChat official-account channel, with requests built exactly as WeChat builds them.

Unit tests (no marker) drive the channel's endpoint with a fake assistant and a fake
customer-service sender; server tests send signed (and encrypted) requests to the running
assistant's /webhooks/wechat/webhook.
"""

import asyncio
import hashlib
import json
import os
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat_account import WeChatEndpoint, WeChatInput
from bot.channels.wechat_dispatch import (
    Dispatcher,
    UndeliverableSender,
    WeChatClientSender,
    turn_from_fields,
)
from bot.channels.wechat_protocol import Refused, WeChatConfig, read_xml
from bot.channels.wechat_text import (
    SHORTENED,
    Option,
    ask_for_text,
    clean_for_xml,
    nbytes,
    render_messages,
    select_option,
    source_reply,
    split_reply,
    voice_unrecognised,
    welcome,
)
from policy_kb import KnowledgeBase
from policy_kb.answering.render import LEAD_MAX_CHARS, lead
from policy_kb.data.kb import source_line
from tests.conftest import WECHAT_TEST_ENV

# The session's servers inherit os.environ: make sure they run with the test credentials even
# when the `assistant` fixture is started by another module first (a no-op when already set).
for _name, _value in WECHAT_TEST_ENV.items():
    os.environ.setdefault(_name, _value)

ACCOUNT = "gh_test_account"
ID_NUMBER = "370402199001011234"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "lol">'
    + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefgh", "bcdefghi"))
    + "]><xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><MsgType>text</MsgType>"
    "<Content>&i;</Content></xml>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><MsgType>text</MsgType>"
    "<Content>&x;</Content></xml>"
)
MALFORMED = "<xml><ToUserName>gh</ToUserName><FromUserName>u<MsgType>text</xml>"


# ---------------------------------------------------------------- building WeChat requests
def credentials(env=None) -> dict:
    return dict(env or WECHAT_TEST_ENV)


def sign(*values: str) -> str:
    return hashlib.sha1("".join(sorted(values)).encode("utf-8")).hexdigest()


def message_xml(sender: str, msg_type: str = "text", msg_id: str | None = None, **fields) -> str:
    fields.setdefault("CreateTime", str(int(time.time())))
    body = "".join(
        f"<{k}>{v}</{k}>" if k == "CreateTime" else f"<{k}><![CDATA[{v}]]></{k}>"
        for k, v in fields.items()
    )
    msg_id = msg_id if msg_id is not None else str(uuid.uuid4().int % 10**18)
    tail = f"<MsgId>{msg_id}</MsgId>" if msg_type != "event" else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{sender}]]>"
        f"</FromUserName><MsgType><![CDATA[{msg_type}]]></MsgType>{body}{tail}</xml>"
    )


def build(creds, xml, encrypt=False, timestamp=None, appid=None, token=None, forge=""):
    """(query, body) as WeChat sends them; ``forge`` breaks "signature" or "msg_signature"."""
    timestamp = str(timestamp or int(time.time()))
    nonce = uuid.uuid4().hex[:10]
    token = token or creds["WECHAT_TOKEN"]
    query = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    body = xml
    if encrypt:
        crypto = WeChatCrypto(token, creds["WECHAT_AES_KEY"], appid or creds["WECHAT_APPID"])
        envelope = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        sealed = f"<Encrypt>{envelope['Encrypt']}</Encrypt></xml>"
        # safe mode: only the envelope; compatible mode ("both"): plain fields and the envelope
        body = (
            xml[: -len("</xml>")] + sealed
            if encrypt == "both"
            else f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>{sealed}"
        )
        query.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"], openid="o")
    if forge:
        query[forge] = "0" * 40
    return query, body.encode("utf-8") if isinstance(body, str) else body


def open_reply(creds, body: str) -> dict:
    """The reply's fields, decrypted (and its msg_signature checked) when it is encrypted."""
    fields = {child.tag: child.text for child in ET.fromstring(body)}
    if "Encrypt" in fields:
        crypto = WeChatCrypto(creds["WECHAT_TOKEN"], creds["WECHAT_AES_KEY"], creds["WECHAT_APPID"])
        inner = crypto.decrypt_message(
            body, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
        )
        fields = {child.tag: child.text for child in ET.fromstring(inner)}
        fields["_encrypted"] = True
    return fields


# ---------------------------------------------------------------------------- unit tests
def test_split_reply_keeps_numbers_and_source_lines_whole():
    phones = ["0631-5190857", "0532-66035833", "12345", "400-123-4567"]
    source = "来源：《威海市2024年度城乡居民基本医疗保险集中缴费通知》二（二）" + "、第三条" * 20
    lines = [f"第{i}条：咨询电话{phones[i % 4]}，缴费标准每人每年380元，补贴610.5元。" * 3 for i in range(40)]
    long_line = "一档缴费" + "，".join(f"档次{n}元电话0631-{5190000 + n}" for n in range(300))
    text = "\n".join(lines[:20]) + "\n\n" + long_line + "\n" + "\n".join(lines[20:]) + "\n" + source
    parts = split_reply(text)
    assert len(parts) > 2 and all(nbytes(p) <= 2048 for p in parts)
    assert sum(source in p for p in parts) == 1
    original = re.findall(r"[\d.\-]+", text)
    assert re.findall(r"[\d.\-]+", "\n".join(parts)) == original  # no number cut or lost
    assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)
    assert split_reply("短回答") == ["短回答"] and split_reply("  ") == []


def test_buttons_become_numbered_options_and_a_number_selects_one():
    text, options = render_messages(
        [
            {"text": "请问您问的是哪个地区？"},
            {
                "text": "请选择：",
                "buttons": [
                    {"title": "青岛市", "payload": '/inform{"region":"青岛"}'},
                    {"title": "威海市", "payload": '/inform{"region":"威海"}'},
                ],
            },
        ]
    )
    assert text == "请问您问的是哪个地区？\n\n请选择：\n回复 1：青岛市\n回复 2：威海市"
    assert options == [
        Option("青岛市", '/inform{"region":"青岛"}'),
        Option("威海市", '/inform{"region":"威海"}'),
    ]
    assert select_option("1", options) == '/inform{"region":"青岛"}'
    assert select_option(" ２ ", options) == '/inform{"region":"威海"}'
    assert select_option("回复2", options) == '/inform{"region":"威海"}'
    for text in ("3", "0", "12333", "1档", "青岛"):
        assert select_option(text, options) is None
    assert select_option("1", []) is None


def cited_answer(kb: KnowledgeBase, region: str, key: str) -> tuple[str, object]:
    fact = kb.fact(region, key)
    return f"【{region}】{fact.answer}\n{source_line([fact])}", fact


def test_source_lines_become_a_short_tag_and_a_source_option(kb):
    text, fact = cited_answer(kb, "山亭", "pension.tiers")
    (document,) = kb.documents("山亭")
    reply, options = render_messages([{"text": text}])
    assert "《" not in reply  # the full title is not repeated in every reply
    clause = fact.citations[0].clause
    assert f"来源：{document['short']} {clause}" in reply
    assert "回复 1 或“来源”：" in reply
    for asked in ("1", "来源", "来源。", "出处"):
        full = source_reply(select_option(asked, options))
        assert f"《{document['title']}》{clause}" in full
        assert fact.citations[0].quote in full
    # an ordinary question is not taken for the source option
    assert select_option("来源是哪个文件的规定", options) is None


def test_the_source_option_comes_after_the_buttons(kb):
    text, _ = cited_answer(kb, "威海", "medical.personal")
    reply, options = render_messages(
        [{"text": text, "buttons": [{"title": "一档", "payload": "/tier_1"}]}]
    )
    assert [o.title for o in options][0] == "一档" and "回复 1：一档" in reply
    assert "回复 2 或“来源”" in reply and source_reply(select_option("2", options))
    assert source_reply(select_option("1", options)) is None


def test_asking_for_the_source_answers_without_asking_the_assistant(kb):
    text, fact = cited_answer(kb, "青岛", "medical.personal")

    async def scenario():
        assistant = FakeAssistant(text)
        point, _, env = endpoint(assistant)
        first = await point.handle_post(*build(env, message_xml("u-src", Content="青岛医保")))
        second = await point.handle_post(*build(env, message_xml("u-src", Content="来源")))
        return open_reply(env, first.body), open_reply(env, second.body), assistant.texts

    first, second, texts = run(scenario())
    assert "来源：" in first["Content"] and "《" not in first["Content"]
    assert fact.citations[0].quote in second["Content"]
    assert texts == ["青岛医保"]


def test_turns_mask_numbers_and_answer_other_types_politely():
    def turn(**fields):
        return turn_from_fields({"FromUserName": "u", "CreateTime": "1", "MsgId": "9", **fields})

    masked = turn(MsgType="text", Content=f"帮我查下{ID_NUMBER}交了没有")
    assert masked.text == "帮我查下（身份证号）交了没有" and masked.key == "msg:u:9"
    assert turn(MsgType="voice", Recognition="威海医保电话。").text == "威海医保电话。"
    assert turn(MsgType="voice").fixed == voice_unrecognised()
    assert turn(MsgType="image").fixed == ask_for_text() == turn(MsgType="location").fixed
    subscribe = turn(MsgType="event", Event="subscribe")
    assert subscribe.fixed == welcome() and subscribe.key == "evt:u:1:event:subscribe"
    unsubscribe = turn(MsgType="event", Event="unsubscribe")
    assert unsubscribe.text is None and unsubscribe.fixed is None
    for region in ("青岛市", "威海市", "枣庄市山亭区", "养老", "医保", "电话"):
        assert region in welcome()
    assert re.findall(r"\d+", welcome()) == ["2024"]  # no policy figures in the welcome


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE, MALFORMED, "<root><a>1</a></root>", ""])
def test_unsafe_or_malformed_xml_is_refused(xml):
    with pytest.raises(Refused) as refused:
        read_xml(xml.encode("utf-8"))
    assert refused.value.status == 400
    with pytest.raises(Refused):
        read_xml(b"<xml><Content>\xff\xfe</Content></xml>")  # not UTF-8


def test_wechatpy_parser_refuses_entities_too():
    with pytest.raises(ValueError):
        xmltodict.parse(BILLION_LAUGHS)  # the second line of defence behind defusedxml


def test_config_from_environment():
    assert WeChatConfig.from_env({}).enabled is False
    assert WeChatConfig.from_env({"WECHAT_TOKEN": "t"}).mode == "plain"
    safe = WeChatConfig.from_env({**WECHAT_TEST_ENV, "WECHAT_MODE": ""})
    assert safe.mode == "safe" and safe.reply_timeout == 4.0
    for bad in (
        {"WECHAT_MODE": "open"},
        {"WECHAT_AES_KEY": "short"},
        {"WECHAT_APPID": ""},
        {"WECHAT_REPLY_TIMEOUT": "9"},
    ):
        with pytest.raises(ValueError):
            WeChatConfig.from_env({**WECHAT_TEST_ENV, **bad})


class FakeAssistant:
    def __init__(self, reply="答复", delay=0.0, buttons=None):
        self.reply, self.delay, self.buttons, self.texts = reply, delay, buttons, []

    async def __call__(self, message):
        self.texts.append(message.text)
        await asyncio.sleep(self.delay)
        if self.buttons:
            await message.output_channel.send_text_with_buttons(
                message.sender_id, self.reply, self.buttons
            )
        else:
            await message.output_channel.send_text_message(message.sender_id, self.reply)


class FakeSender:
    def __init__(self):
        self.sent = []

    async def send_text(self, openid, text):
        self.sent.append((openid, text))


def endpoint(assistant, mode="compatible", timeout=4.0, token=True):
    env = {**WECHAT_TEST_ENV, "WECHAT_MODE": mode}
    config = WeChatConfig.from_env(env if token else {})
    sender = FakeSender()
    return WeChatEndpoint(config, Dispatcher(assistant, sender, timeout)), sender, env


def run(coroutine):
    return asyncio.run(coroutine)


def test_slow_assistant_answers_success_then_customer_service_message():
    async def scenario():
        point, sender, env = endpoint(FakeAssistant("迟到的答复", delay=0.5), timeout=0.1)
        query, body = build(env, message_xml("u-slow", Content="青岛医保"))
        started = time.monotonic()
        reply = await point.handle_post(query, body)
        assert time.monotonic() - started < 0.4
        retry = await point.handle_post(*build(env, body.decode()))  # WeChat's retry
        await point.dispatcher.drain()
        return reply, retry, sender.sent, point.dispatcher.runs

    reply, retry, sent, runs = run(scenario())
    assert (reply.status, reply.body) == (200, "success") and retry.body == "success"
    assert sent == [("u-slow", "迟到的答复")] and runs == 1


def test_long_answer_first_part_passive_rest_as_messages():
    answer = "\n".join(f"第{i}段：电话0631-5190857，每人每年380元。" * 4 for i in range(30))

    async def scenario():
        point, sender, env = endpoint(FakeAssistant(answer))
        reply = await point.handle_post(*build(env, message_xml("u-long", Content="长")))
        await point.dispatcher.drain()
        return reply, sender.sent, env

    reply, sent, env = run(scenario())
    first = open_reply(env, reply.body)["Content"]
    parts = [first] + [text for _, text in sent]
    assert len(parts) > 1 and all(nbytes(p) <= 2048 for p in parts)
    assert "\n".join(parts).replace("\n", "") == answer.replace("\n", "")


def test_long_answer_shortened_when_nothing_can_send_the_rest():
    answer = "\n".join(f"第{i}段：电话0631-5190857，每人每年380元。" * 4 for i in range(30))

    async def scenario():
        point, _, env = endpoint(FakeAssistant(answer))
        point.dispatcher.sender = UndeliverableSender()
        return open_reply(
            env, (await point.handle_post(*build(env, message_xml("u", Content="长")))).body
        )

    content = run(scenario())["Content"]
    assert nbytes(content) <= 2048 and content.endswith(SHORTENED)
    assert content.startswith("第0段：电话0631-5190857，")


def test_duplicates_run_once_and_options_select_payloads():
    buttons = [{"title": "青岛市", "payload": "/inform_qd"}, {"title": "威海市", "payload": "/x"}]

    async def scenario():
        assistant = FakeAssistant("哪个地区？", delay=0.2, buttons=buttons)
        point, _, env = endpoint(assistant)
        xml = message_xml("u-dup", Content="医保多少钱")
        first, second = await asyncio.gather(
            point.handle_post(*build(env, xml)), point.handle_post(*build(env, xml))
        )
        await point.handle_post(*build(env, message_xml("u-dup", Content="1")))
        return first, second, assistant.texts

    first, second, texts = run(scenario())
    assert first == second and "回复 1：青岛市" in first.body
    assert texts == ["医保多少钱", "/inform_qd"]


def test_safe_mode_and_missing_token():
    async def scenario():
        point, _, env = endpoint(FakeAssistant("好的"), mode="safe")
        xml = message_xml("u-safe", Content="你好")
        plain = await point.handle_post(*build(env, xml))
        sealed = await point.handle_post(*build(env, xml, encrypt=True))
        forged = await point.handle_post(*build(env, xml, encrypt=True, forge="msg_signature"))
        off, _, _ = endpoint(FakeAssistant(), token=False)
        return plain, sealed, forged, off, env

    plain, sealed, forged, off, env = run(scenario())
    assert plain.status == 403 and forged.status == 403
    assert sealed.status == 200 and open_reply(env, sealed.body)["Content"] == "好的"
    assert off.handle_get({"echostr": "x"}).status == 503
    assert run(off.handle_post({}, b"<xml/>")).status == 503 and off.dispatcher.runs == 0
    assert WeChatInput.from_credentials(None).name() == "wechat"


def test_customer_service_sender_uses_wechatpy_client():
    class FakeMessageApi:
        sent = []

        def send_text(self, user_id, content):
            self.sent.append((user_id, content))

    client = type("FakeClient", (), {"message": FakeMessageApi()})()
    run(WeChatClientSender("wx0123456789abcdef", "secret", client=client).send_text("o1", "答"))
    assert client.message.sent == [("o1", "答")]
    channel = WeChatInput(WeChatConfig.from_env({**WECHAT_TEST_ENV, "WECHAT_SECRET": "s"}))
    assert isinstance(channel.sender, WeChatClientSender)  # built offline, no token fetched


def test_reply_text_is_safe_inside_cdata():
    assert clean_for_xml("a]]>b\x00c") == "a]] >bc"


# -------------------------------------------------------------------------- server tests
@pytest.fixture(scope="module")
def wechat(assistant):
    base = assistant.get("base") or assistant["url"].split("/webhooks/")[0]
    creds = credentials(assistant.get("wechat"))
    with urllib.request.urlopen(f"{base}/webhooks/wechat/", timeout=5) as response:
        assert b'"configured":true' in response.read(), "servers started without WECHAT_TOKEN"
    return {"base": base, "creds": creds, "trackers": assistant["trackers"]}


def call(wechat, query, body=None, method="POST") -> tuple[int, str]:
    url = f"{wechat['base']}/webhooks/wechat/webhook?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def ask(wechat, sender, encrypt=False, msg_type="text", **fields) -> dict:
    xml = message_xml(sender, msg_type, **fields)
    status, body = call(wechat, *build(wechat["creds"], xml, encrypt=encrypt))
    assert status == 200, body
    return open_reply(wechat["creds"], body)


def user_events(wechat, sender) -> list[str]:
    """The texts of the sender's user events in the tracker store (what Rasa was given)."""
    with sqlite3.connect(wechat["trackers"]) as db:
        rows = db.execute(
            "select data from events where sender_id = ? and type_name = 'user'", (sender,)
        )
        return [json.loads(row[0]).get("text") or "" for row in rows]


def new_sender(label):
    return f"o-{label}-{uuid.uuid4().hex[:8]}"


@pytest.mark.server
def test_url_verification(wechat):
    query, _ = build(wechat["creds"], "")
    assert call(wechat, {**query, "echostr": "8421337"}, method="GET") == (200, "8421337")
    forged = {**query, "echostr": "1", "signature": sign("wrong", query["timestamp"], "n")}
    assert call(wechat, forged, method="GET")[0] == 403
    stale, _ = build(wechat["creds"], "", timestamp=int(time.time()) - 3600)
    assert call(wechat, {**stale, "echostr": "1"}, method="GET")[0] == 403


@pytest.mark.server
@pytest.mark.parametrize("encrypt", [False, True, "both"], ids=["plain", "encrypted", "both"])
def test_text_message_gets_a_real_answer(wechat, encrypt):
    sender = new_sender("text")
    started = time.monotonic()
    reply = ask(wechat, sender, encrypt=encrypt, Content="威海 医保 电话")
    assert time.monotonic() - started < 5  # WeChat's limit for the passive reply
    assert reply.get("_encrypted", False) == bool(encrypt)
    assert reply["ToUserName"] == sender and reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text" and "5190857" in reply["Content"]


@pytest.mark.server
@pytest.mark.parametrize(
    "how", ["signature", "msg_signature", "appid", "stale", "token", "plain-encrypted-type"]
)
def test_forged_or_stale_requests_are_refused(wechat, how):
    sender = new_sender("forged")
    xml, creds = message_xml(sender, Content="威海 医保 电话"), wechat["creds"]
    build_args = {
        "signature": dict(forge="signature"),
        "msg_signature": dict(encrypt=True, forge="msg_signature"),
        "appid": dict(encrypt=True, appid="wx9999999999999999"),
        "stale": dict(encrypt=True, timestamp=int(time.time()) - 301),
        "token": dict(encrypt=True, token="someone-elses-token"),
        "plain-encrypted-type": dict(forge="msg_signature"),
    }[how]
    query, body = build(creds, xml, **build_args)
    if how == "plain-encrypted-type":
        query["encrypt_type"] = "aes"
    status, _ = call(wechat, query, body)
    assert status in ((400,) if how == "plain-encrypted-type" else (403,))
    assert user_events(wechat, sender) == []


@pytest.mark.server
def test_voice_subscribe_and_other_types(wechat):
    sender = new_sender("types")
    voice = ask(wechat, sender, msg_type="voice", MediaId="m", Format="amr", Recognition="威海医保电话。")
    assert "5190857" in voice["Content"]
    assert ask(wechat, sender, msg_type="voice", MediaId="m")["Content"] == voice_unrecognised()
    greeting = ask(wechat, sender, encrypt=True, msg_type="event", Event="subscribe")
    assert greeting["Content"] == welcome()
    for msg_type, extra in (
        ("image", {"PicUrl": "http://x/1.jpg", "MediaId": "m"}),
        ("location", {"Location_X": "36.0", "Location_Y": "120.3"}),
        ("link", {"Title": "t", "Url": "http://x"}),
    ):
        assert ask(wechat, sender, msg_type=msg_type, **extra)["Content"] == ask_for_text()
    assert len(user_events(wechat, sender)) == 1  # only the recognised voice reached Rasa


@pytest.mark.server
def test_a_voice_transcript_is_answered_like_typed_text_without_mentioning_voice(wechat):
    sender = new_sender("spoken")
    said = "呃 那个 为海的 医保 电话 电话是多少"
    voice = ask(wechat, sender, msg_type="voice", MediaId="m", Format="amr", Recognition=said)
    typed = ask(wechat, new_sender("typed"), msg_type="text", Content="威海的医保电话是多少")
    assert "5190857" in voice["Content"] and "5190857" in typed["Content"]
    assert "按威海市计算" in voice["Content"]  # the sound-only reading is shown
    assert "语音" not in voice["Content"]
    # the tracker keeps the resident's own words
    assert user_events(wechat, sender) == [said]


@pytest.mark.server
def test_duplicate_msgid_answered_once(wechat):
    sender = new_sender("dup")
    xml = message_xml(sender, msg_id="7300000000000000001", Content="青岛医保一档交多少钱")
    with ThreadPoolExecutor(2) as pool:  # WeChat's retry while the first is still processed
        first, second = pool.map(
            lambda _: call(wechat, *build(wechat["creds"], xml, encrypt=True)), range(2)
        )
    assert first[0] == second[0] == 200
    answers = [open_reply(wechat["creds"], b)["Content"] for _, b in (first, second)]
    assert answers[0] == answers[1] and "青岛" in answers[0]
    late = call(wechat, *build(wechat["creds"], xml))  # a third try after the answer
    assert open_reply(wechat["creds"], late[1])["Content"] == answers[0]
    assert len(user_events(wechat, sender)) == 1


@pytest.mark.server
def test_numbered_options_and_selection(wechat):
    sender = new_sender("options")
    question = ask(wechat, sender, Content="医保多少钱")["Content"]
    assert re.search(r"回复 1：青岛", question), question
    answer = ask(wechat, sender, Content="1")["Content"]
    assert "青岛" in answer and "2024" in answer
    assert user_events(wechat, sender)[-1].startswith("/inform")  # the payload, not "1"


@pytest.mark.server
def test_a_real_answer_leads_with_the_answer_and_opens_its_sources(wechat):
    sender = new_sender("lead")
    answer = ask(wechat, sender, Content="山亭养老有哪些档次")["Content"]
    assert len(lead(answer)) <= LEAD_MAX_CHARS and "8000" in lead(answer)
    assert "回复 1 或“来源”" in answer
    full = ask(wechat, sender, Content="来源")["Content"]
    assert full.startswith("来源原文：") and "《山亭区2024年度" in full


@pytest.mark.server
@pytest.mark.parametrize("body", ["malformed", "bomb", "xxe", "oversized", "nested", "bomb-inside"])
def test_hostile_bodies_are_refused_and_server_stays_healthy(wechat, body):
    creds = wechat["creds"]
    data = {
        "malformed": MALFORMED,
        "bomb": BILLION_LAUGHS,
        "xxe": XXE,
        "oversized": message_xml("o-big", Content="青" * 30000),
        "nested": message_xml("o-nested", Content="<b>x</b>").replace(
            "<![CDATA[<b>x</b>]]>", "<b>x</b>"
        ),
        "bomb-inside": BILLION_LAUGHS,
    }[body]
    status, _ = call(wechat, *build(creds, data, encrypt=body == "bomb-inside"))
    assert status == 400
    reply = ask(wechat, new_sender("after"), Content="威海 医保 电话", Unknown="ignored")
    assert "5190857" in reply["Content"]


@pytest.mark.server
def test_id_number_masked(wechat):
    sender = new_sender("pii")
    reply = ask(wechat, sender, encrypt=True, Content=f"帮我查下{ID_NUMBER}交了没有")
    assert ID_NUMBER not in reply["Content"] and reply["Content"]
    stored = "\n".join(user_events(wechat, sender))
    assert "（身份证号）" in stored and ID_NUMBER not in stored
    with sqlite3.connect(wechat["trackers"]) as db:
        rows = db.execute("select 1 from events where data like ?", (f"%{ID_NUMBER}%",))
        assert rows.fetchall() == []
