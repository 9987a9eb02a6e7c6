"""The policy team's commands on a copy of the data: examples, FAQs, new years, validation."""

from __future__ import annotations

import pathlib
import shutil

import pytest
import yaml

from policy_kb import KnowledgeBase, Profile, calculate
from policy_kb.data import store
from policy_kb.data.sources import load_sources, validate
from policy_team import checks, cli, new_year
from policy_team import examples as ex
from policy_team.project import Project

ROOT = pathlib.Path(__file__).resolve().parent.parent
# A made-up held-out set: the real one is not read by tests that are not scoring the model.
HOLDOUT = """version: "3.1"
nlu:
- intent: ask_deadline
  examples: |
    - 明年居民医保哪天开始收钱呀
"""


@pytest.fixture
def project(tmp_path) -> Project:
    for part in ("nlu_data", "bot/domain", "bot/data", "policy_kb/sources", "policy_kb/seeds"):
        shutil.copytree(ROOT / part, tmp_path / part)
    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "nlu_holdout.yml").write_text(HOLDOUT, encoding="utf-8")
    return Project(tmp_path)


def run(project: Project, *argv: str) -> int:
    return cli.main(["--root", str(project.root), *argv])


# ---------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    "text, intent, problem",
    [
        # a new way of asking: accepted
        ("威海医保最晚拖到几号交", "ask_deadline", None),
        # exactly an existing example of the same intent (spaces and annotations ignored)
        ("威海 医保 截止", "ask_deadline", "重复"),
        # the same words are labelled with another intent
        ("威海医保电话", "ask_deadline", "冲突：同样的话已经标注为意图 ask_hotline"),
        # one character away from an existing example of another intent
        ("威海医保政策咨询电话呢", "ask_deadline", "冲突"),
        # Traditional characters are the same sentence
        ("醫保電話", "ask_hotline", "重复"),
        # (nearly) a sentence of the held-out set: refused without showing it
        ("明年居民医保哪天开始收钱啊", "ask_deadline", "留出测试集"),
        # punctuation only
        ("？？", "ask_deadline", "太短"),
    ],
)
def test_example_checks(project, text, intent, problem):
    examples = ex.load_examples(project.nlu_dir)
    verdict = ex.check(text, intent, examples, ex.read_examples(project.holdout))
    if problem is None:
        assert verdict.ok, verdict.problem
    else:
        assert problem in (verdict.problem or ""), verdict.problem
        assert "明年居民医保" not in verdict.problem  # the held-out text is never printed
    assert len(verdict.closest) == ex.SHOW_CLOSEST


def test_add_examples_writes_into_the_intents_block_and_keeps_the_file(project, capsys):
    path = project.nlu_dir / "deadlines.yml"
    before = ex.read_examples(path)
    assert run(project, "add-examples", "ask_deadline", "威海医保最晚拖到几号交") == 0
    after = ex.read_examples(path)
    assert len(after) == len(before) + 1
    assert ("威海医保最晚拖到几号交", "ask_deadline") in [(e.text, e.intent) for e in after]
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["version"] == "3.1"
    assert "已添加1句" in capsys.readouterr().out


def test_add_examples_is_all_or_nothing(project, capsys):
    path = project.nlu_dir / "deadlines.yml"
    before = path.read_bytes()
    code = run(project, "add-examples", "ask_deadline", "山亭养老几号截止呀呀", "威海医保电话")
    out = capsys.readouterr().out
    assert code == 1 and "没有写入任何内容" in out and "ask_hotline" in out
    assert path.read_bytes() == before


def test_add_examples_refuses_an_annotation_jieba_would_drop(project, capsys):
    # "居民医保" is one jieba token: an annotation on its "医保" half would be silently lost,
    # so the sentence is refused before anything is written, not only by a later validate.
    path = project.nlu_dir / "amounts.yml"
    before = path.read_bytes()
    good = "[山亭](region)[医保](scheme)今年个人到底交多少钱呢"
    bad = "俺想打听下普通居民[医保](scheme)这一年得掏几个钱"
    code = run(project, "add-examples", "ask_amount", good, bad)
    out = capsys.readouterr().out
    assert code == 1 and "分词边界" in out and "俺想打听下普通居民医保这一年得掏几个钱" in out
    assert path.read_bytes() == before
    assert run(project, "add-examples", "ask_amount", good) == 0


@pytest.mark.parametrize(
    "argv, code, message",
    [
        # an intent that does not exist: the known ones are listed
        (["add-examples", "ask_weather", "明天下雨吗"], 2, "没有意图 ask_weather"),
        # no example given
        (["add-examples", "ask_deadline"], 2, "请给出要添加的例句"),
        # dry run: checked, not written
        (["add-examples", "ask_deadline", "威海医保最晚拖到几号交", "--dry-run"], 0, "未写入"),
    ],
)
def test_add_examples_arguments(project, capsys, argv, code, message):
    before = (project.nlu_dir / "deadlines.yml").read_bytes()
    assert run(project, *argv) == code
    captured = capsys.readouterr()
    assert message in captured.out + captured.err
    assert (project.nlu_dir / "deadlines.yml").read_bytes() == before


def test_append_creates_a_new_intent_block(tmp_path):
    path = tmp_path / "faq.yml"
    ex.append_examples(path, "faq_x", ["第一句", "第二句"])
    ex.append_examples(path, "faq_x", ["第三句"])
    ex.append_examples(path, "faq_y", ["另一句"])
    found = [(e.text, e.intent) for e in ex.read_examples(path)]
    assert found == [("第一句", "faq_x"), ("第二句", "faq_x"), ("第三句", "faq_x"), ("另一句", "faq_y")]


# ---------------------------------------------------------------------- FAQ cards


def card(**changes) -> dict:
    """A valid card (the guide's), with changes; None removes a field."""
    guide = (ROOT / "docs" / "政策团队操作指南.md").read_text(encoding="utf-8")
    body = guide.split("```yaml file=faq_cards/policy_documents.yml\n", 1)[1].split("```", 1)[0]
    data = yaml.safe_load(body)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def write_card(tmp_path, data) -> pathlib.Path:
    path = tmp_path / "card.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def without_region(region: str) -> dict:
    data = card()
    del data["answers"][region]
    return data


def with_answer(region: str, **fields) -> dict:
    data = card()
    data["answers"][region].update(fields)
    return data


@pytest.mark.parametrize(
    "data, problem",
    [
        # every region needs an answer
        (without_region("山亭"), "缺少山亭的答复"),
        # a quote that is not in the notice
        (
            with_answer("威海", sources=[{"doc": "wh-notice", "clause": "一", "quote": "威海不收费。"}]),
            "quote not found",
        ),
        # a number in the answer that the quote does not contain
        (with_answer("青岛", answer="青岛的通告是2023年第9号。"), "answer states 9"),
        # a document id the region's file does not have
        (
            with_answer("山亭", sources=[{"doc": "no-such-doc", "clause": "一", "quote": "x"}]),
            "no-such-doc",
        ),
        # an id that is already a topic
        (card(id="tiers"), "已经存在"),
        # too few ways of asking
        (card(examples=["政策依据是哪个文件"]), "至少写10种"),
        # an example that belongs to another intent
        (card(examples=card()["examples"] + ["威海医保电话"]), None),
    ],
)
def test_add_faq_refuses_and_writes_nothing(project, tmp_path, capsys, data, problem):
    card_path = write_card(tmp_path, data)
    before = {p: p.read_bytes() for p in project.root.rglob("*.yml")}
    assert run(project, "add-faq", str(card_path)) == 1
    out = capsys.readouterr().out
    assert "没有写入任何内容" in out
    assert (problem or "ask_hotline") in out
    assert {p: p.read_bytes() for p in project.root.rglob("*.yml")} == before


def test_add_faq_wires_everything_and_validates(project, tmp_path):
    assert run(project, "add-faq", str(write_card(tmp_path, card()))) == 0
    topics = load_sources(project.sources_dir).topics
    # the FAQ topic comes first, so its specific keywords win
    assert topics[0] == {
        "id": "policy_documents",
        "label": "政策依据文件",
        "intent": "faq_policy_documents",
        "keywords": card()["keywords"],
    }
    assert yaml.safe_load(project.faq_domain.read_text())["intents"] == ["faq_policy_documents"]
    assert "- intent: faq_policy_documents" in project.faq_rules.read_text()
    assert len(ex.read_examples(project.faq_nlu)) == len(card()["examples"])
    assert not validate(load_sources(project.sources_dir), project.seeds_dir)
    assert all(not c.problems for c in checks.run_all(project, with_rasa=False))
    # the knowledge base built from the copy knows the intent and answers the topic per region
    db = tmp_path / "kb.db"
    store.build(db, project.sources_dir)
    kb = KnowledgeBase(db)
    assert kb.topic_intents()["faq_policy_documents"] == "policy_documents"
    for region in ("青岛", "威海", "山亭"):
        (fact,) = kb.facts(region, topic="policy_documents")
        assert fact.citations and "《" in fact.answer
    # a second card with the same id is refused
    assert run(project, "add-faq", str(write_card(tmp_path, card()))) == 1


# ---------------------------------------------------------------------- validation


def test_validate_finds_conflicts_leaks_and_missing_faq_wiring(project, capsys):
    extra = project.nlu_dir / "extra.yml"
    extra.write_text(
        'version: "3.1"\nnlu:\n- intent: ask_amount\n  examples: |\n'
        "    - 威海 医保 电话\n    - 明年居民医保哪天开始收钱呀\n"
        "- intent: faq_orphan\n  examples: |\n    - 孤儿例句\n",
        encoding="utf-8",
    )
    assert run(project, "validate", "--quick") == 1
    out = capsys.readouterr().out
    assert "同一句话标注了不同意图 ask_amount、ask_hotline" in out
    assert "训练数据里有1句与留出测试集相同" in out
    assert "明年居民医保" not in out
    assert "意图 faq_orphan 有例句，但 topics.yml 里没有对应的FAQ" in out
    extra.unlink()
    assert run(project, "validate", "--quick") == 0
    assert "全部通过" in capsys.readouterr().out


def test_validate_requires_every_faq_answered_in_each_regions_latest_year(project, tmp_path):
    assert run(project, "add-faq", str(write_card(tmp_path, card()))) == 0
    path = project.sources_dir / "2024" / "shanting.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.rindex("\n  # ---")], encoding="utf-8")  # drop the FAQ answer
    problems = validate(load_sources(project.sources_dir), project.seeds_dir)
    assert "2024/shanting.yml: no fact answers the FAQ 'policy_documents'" in problems


# ---------------------------------------------------------------------- new year


@pytest.mark.parametrize(
    "text, shifted",
    [
        ("2023年9月1日至12月31日为2024年度的集中缴费期", "2024年9月1日至12月31日为2025年度的集中缴费期"),
        ("2023\n年 9 月", "2024\n年 9 月"),  # the year and 年 split by the extraction
        ("value: {start: 2023-09-01}", "value: {start: 2024-09-01}"),
        ("year: 2024", "year: 2025"),
        ("pension_open_all_year: 2024", "pension_open_all_year: 2025"),
        # amounts are not years: the 2000元 tier and a tier list stay
        ("2000元、3000元", "2000元、3000元"),
        ("tiers: [1000, 2000, 3000]", "tiers: [1000, 2000, 3000]"),
        ("电话：5690238", "电话：5690238"),
    ],
)
def test_shift_years(text, shifted):
    assert new_year.shift_years(text, 1) == shifted


def start_2025(project: Project) -> new_year.Started:
    shutil.copy(ROOT / "docs/examples/example_2025_weihai_notice.txt", project.seeds_dir)
    return new_year.start_year(project, "威海", 2024, 2025, "example_2025_weihai_notice.txt", "示例通告")


def kb_with_weihai_2025(project: Project, tmp_path) -> KnowledgeBase:
    """The copy with the guide's Weihai 2025 file (一档 480), built into its own database."""
    start_2025(project)
    path = project.sources_dir / "2025" / "weihai.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("450", "480"), encoding="utf-8")
    db = tmp_path / "kb.db"
    store.build(db, project.sources_dir)
    return KnowledgeBase(db)


def test_new_year_lists_exactly_the_changed_quotes(project):
    started = start_2025(project)
    assert started.path == project.sources_dir / "2025" / "weihai.yml"
    assert len(started.problems) == 1 and "medical.personal" in started.problems[0]
    with pytest.raises(ValueError, match="已经存在"):
        start_2025(project)


@pytest.mark.parametrize(
    "args, message",
    [
        (("北京", 2024, 2025, "example_2025_weihai_notice.txt"), "没有地区"),
        (("威海", 2023, 2024, "example_2025_weihai_notice.txt"), "没有威海2023年度"),
        (("威海", 2024, 2025, "missing.txt"), "seeds/ 里没有文件"),
    ],
)
def test_new_year_refuses(project, args, message):
    with pytest.raises(ValueError, match=message):
        new_year.start_year(project, *args, "标题")


def test_a_region_with_a_new_year_answers_from_it_and_the_others_do_not_move(project, tmp_path):
    kb = kb_with_weihai_2025(project, tmp_path)
    assert kb.years == [2024, 2025] and kb.region_years("威海") == [2024, 2025]
    assert kb.fact("威海", "medical.personal").value["一档"] == 480
    assert kb.fact("威海", "medical.personal", 2024).value["一档"] == 450
    assert kb.fact("青岛", "medical.personal").year == 2024  # still answered, from 2024
    assert {f.year for f in kb.facts(topic="tiers")} == {2024, 2025}
    assert {f.region for f in kb.facts(year=None, topic="hotline")} == {"青岛", "威海", "山亭"}
    ok = calculate(kb, Profile(region="威海", scheme="medical", tier="一档"))
    assert ok.personal_amount == 480 and ok.year == 2025
    old = calculate(kb, Profile(region="威海", scheme="medical", tier="一档", year=2024))
    assert old.personal_amount == 450
    # Qingdao has no 2025 figures: said plainly, not another region's or year's number
    missing = calculate(kb, Profile(region="青岛", scheme="medical", tier="一档", year=2025))
    assert missing.status == "not_covered" and "没有青岛市2025年度" in missing.problems[0]


# ---------------------------------------------------------------------- documentation


def test_every_policy_team_command_is_in_the_guide_and_the_readme():
    guide = (ROOT / "docs" / "政策团队操作指南.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        assert f"policy-team {name}" in readme, name
        if name not in ("diff", "ask"):  # the guide uses shebao diff and names ask in its table
            assert f"policy-team {name}" in guide or f"make {name}" in guide, name


def test_validate_finds_an_entity_annotation_jieba_would_drop(project):
    # "居民医保" is one jieba token: an annotation on its "医保" half would be silently lost
    (project.nlu_dir / "extra.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_amount\n  examples: |\n'
        "    - 普通居民[医保](scheme)一年到底交多少钱\n",
        encoding="utf-8",
    )
    (check,) = [c for c in [checks.entity_alignment(project)]]
    assert len(check.problems) == 1 and "普通居民医保一年到底交多少钱" in check.problems[0]
    (project.nlu_dir / "extra.yml").unlink()
    assert not checks.entity_alignment(project).problems


def test_the_assistant_answers_a_year_a_region_has_and_says_when_it_lacks_it(
    project, tmp_path, monkeypatch
):

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import answer, context

    kb = kb_with_weihai_2025(project, tmp_path)
    monkeypatch.setattr(context, "knowledge_base", lambda: kb)
    monkeypatch.setattr(answer, "knowledge_base", lambda: kb)

    def reply(region: str, text: str, year: str | None) -> str:
        entities = [{"entity": "region", "value": region}, {"entity": "scheme", "value": "医保"}]
        if year:
            entities.append({"entity": "year", "value": year})
        tracker = Tracker.from_dict(
            {
                "sender_id": "t",
                "slots": {"region": region, "topic": "tiers"},
                "latest_message": {
                    "text": text,
                    "intent": {"name": "ask_amount"},
                    "entities": entities,
                },
                "events": [],
                "active_loop": {},
            }
        )
        dispatcher = CollectingDispatcher()
        answer.ActionAnswer().run(dispatcher, tracker, {})
        return "\n".join(m["text"] for m in dispatcher.messages)

    # Weihai's latest year answers by default; an asked 2024 still gets 2024
    assert "2025年度" in reply("威海", "威海医保多少钱", None)
    assert "480元" in reply("威海", "威海医保多少钱", None)
    old = reply("威海", "2024年威海医保多少钱", "2024")
    assert "450元" in old and "480" not in old
    # Qingdao has no 2025 file: it says so, then answers from 2024
    qingdao = reply("青岛", "2025年青岛医保多少钱", "2025")
    assert qingdao.startswith("青岛市还没有2025年度的资料，下面是2024年度的规定。")
    assert "462" in qingdao


@pytest.mark.parametrize(
    "argv, code, message",
    [
        # regression's own options reach it (a missing model: its friendly message, exit 2)
        (["regression", "--current", "no-such-model.tar.gz"], 2, "no-such-model.tar.gz"),
        # diff's own options reach shebao diff
        (["diff", "--from", "2024", "--to", "2024"], 0, "没有变化。"),
    ],
)
def test_forwarded_commands_get_their_options(capsys, argv, code, message):
    assert cli.main(argv) == code
    captured = capsys.readouterr()
    assert "unrecognized arguments" not in captured.err
    assert message in captured.out + captured.err
