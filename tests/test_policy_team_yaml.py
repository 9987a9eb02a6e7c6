"""The policy team's commands edit YAML as YAML (policy_team.yaml_files, ruamel round-trip):
the comments and layout the team wrote survive, and a value containing ": " or " #" is
written so that it reads back as the same value."""

from __future__ import annotations

import pathlib
import shutil

import pytest
import yaml

from policy_kb.data.sources import load_sources, validate
from policy_team import examples as ex
from policy_team import new_year, yaml_files
from tests import test_policy_team as team
from tests.test_policy_team import ROOT, card, run, write_card

project = team.project  # the fixture: a copy of the project's data with a made-up held-out set

NOTICE = "example_2025_weihai_notice.txt"
# unquoted, ": " would start a mapping and " #" a comment: both must come back as written
TRICKY = "依据: 见原文 #附件"


def assert_kept(before: str, after: str) -> None:
    """``after`` has every line of ``before``, in order, and each comment line is still
    directly above the line it was above."""
    lines = after.splitlines()
    at = 0
    for line in before.splitlines():
        assert line in lines[at:], f"lost or moved: {line!r}"
        at = lines.index(line, at) + 1
    old = before.splitlines()
    for i, line in enumerate(old[:-1]):
        if line.lstrip().startswith("#"):
            assert (line, old[i + 1]) in zip(lines, lines[1:]), f"comment moved: {line!r}"


def edit(path: pathlib.Path, old: str | None, new: str) -> None:
    """Replaces ``old`` with ``new`` in the file; appends ``new`` when ``old`` is None."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if old is None:
        text += new
    else:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def snapshot(root: pathlib.Path) -> dict[pathlib.Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------- the files' own style


def team_files() -> list[pathlib.Path]:
    parts = ("policy_kb/sources", "nlu_data", "bot/domain", "bot/data")
    return sorted(p for part in parts for p in (ROOT / part).rglob("*.yml"))


@pytest.mark.parametrize("path", team_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_the_team_edits_is_written_back_byte_for_byte(path):
    # the configuration (indents, width, quotes, null) is the files' own: loading and dumping
    # an unchanged file changes nothing, so a command's edit is the only difference
    text = path.read_text(encoding="utf-8")
    assert yaml_files.dumps(yaml_files.loads(text), yaml_files.style_of(text)) == text


@pytest.mark.parametrize(
    "text, style",
    [
        # the knowledge base's sources indent their items under the key
        ("region: 威海\ndocuments:\n  - id: wh\n", yaml_files.INDENTED),
        # Rasa's NLU files put them flush with it
        ('version: "3.1"\nnlu:\n- intent: greet\n', yaml_files.FLUSH),
        # comment and blank lines between the key and its first item do not matter
        ("topics:\n\n  # first\n  - id: a\n", yaml_files.INDENTED),
        # nothing to go by (a new file): the default
        ("", yaml_files.INDENTED),
    ],
    ids=["sources", "nlu", "comment-first", "new-file"],
)
def test_a_files_sequence_layout_is_read_from_the_file(text, style):
    assert yaml_files.style_of(text) == style


# ---------------------------------------------------------------------- comments survive


@pytest.mark.parametrize(
    "name, old, new",
    [
        # topics.yml as written: its comment about the first topic stays above that topic,
        # the FAQ topic goes in above the comment
        pytest.param("policy_kb/sources/topics.yml", "", "", id="topics-as-written"),
        # a comment at the end of a topic's line
        pytest.param(
            "policy_kb/sources/topics.yml",
            "    label: 咨询电话和公众号\n",
            "    label: 咨询电话和公众号  # 热线和公众号放在一起\n",
            id="topics-end-of-line",
        ),
        # a comment at the end of topics.yml
        pytest.param("policy_kb/sources/topics.yml", None, "# 新类别请加在上面\n", id="topics-end"),
        # a region file as written: header, section banners, blank lines between facts
        pytest.param("policy_kb/sources/2024/weihai.yml", "", "", id="region-as-written"),
        # a comment at the end of a value and one between two sources
        pytest.param(
            "policy_kb/sources/2024/qingdao.yml",
            "    value: null\n",
            "    value: null  # 通告没有写\n",
            id="region-end-of-value",
        ),
        pytest.param(
            "policy_kb/sources/2024/shanting.yml",
            "      - doc: st-plan\n",
            "      # 第二处出处\n      - doc: st-plan\n",
            id="region-between-sources",
        ),
        # a comment at the end of a region file: the new answer goes below it
        pytest.param("policy_kb/sources/2024/weihai.yml", None, "# 以上为2024年度\n", id="region-end"),
        # the FAQ examples file the team already has, with comments above and between blocks
        pytest.param(
            "nlu_data/faq.yml",
            None,
            '# FAQ的例句\nversion: "3.1"\nnlu:\n# 旧的FAQ\n- intent: faq_old  # 已停用\n'
            "  examples: |\n    - 旧问题怎么问\n",
            id="faq-examples",
        ),
    ],
)
def test_comments_in_the_files_survive_add_faq(project, tmp_path, name, old, new):
    path = project.root / name
    edit(path, old, new)
    before = path.read_text(encoding="utf-8")
    assert run(project, "add-faq", str(write_card(tmp_path, card()))) == 0
    after = path.read_text(encoding="utf-8")
    assert after != before  # the command did write here
    assert_kept(before, after)
    assert not validate(load_sources(project.sources_dir), project.seeds_dir)


@pytest.mark.parametrize(
    "intent, text, old, new",
    [
        # a comment above the file's first line
        pytest.param(
            "ask_deadline",
            "威海医保最晚拖到几号交",
            'version: "3.1"\n',
            '# 缴费时间的问法\nversion: "3.1"\n',
            id="header",
        ),
        # a comment between two intents' blocks: the examples go above it, into the block
        pytest.param(
            "ask_deadline",
            "威海医保最晚拖到几号交",
            "- intent: ask_benefit_start\n",
            "# 待遇什么时候开始\n- intent: ask_benefit_start\n",
            id="between-blocks",
        ),
        # a comment at the end of an intent's line
        pytest.param(
            "ask_deadline",
            "威海医保最晚拖到几号交",
            "- intent: ask_deadline\n",
            "- intent: ask_deadline  # 缴费截止\n",
            id="end-of-intent-line",
        ),
        # a comment at the end of the file, after the last block the examples go into
        pytest.param("ask_benefit_start", "交完医保隔多久才能报销呀", None, "# 文件结束\n", id="end"),
    ],
)
def test_comments_in_an_nlu_file_survive_add_examples(project, intent, text, old, new):
    path = project.nlu_dir / "deadlines.yml"
    edit(path, old, new)
    before = path.read_text(encoding="utf-8")
    assert run(project, "add-examples", intent, text) == 0
    after = path.read_text(encoding="utf-8")
    assert_kept(before, after)
    assert ex.Example(text, intent, path) in ex.read_examples(path)
    # still Rasa's format: the quoted version, one literal block per intent
    assert 'version: "3.1"' in after.splitlines()
    assert after.count("  examples: |\n") == before.count("  examples: |\n") == 2


# ---------------------------------------------------------------------- values with ": " and " #"


def tricky_card(field: str) -> dict:
    """The guide's card with TRICKY in one place."""
    data = card()
    weihai = data["answers"]["威海"]
    if field == "label":
        data["label"] = TRICKY
    elif field == "keywords":
        data["keywords"] = [TRICKY, "#红头文件", "2024"]
    elif field in ("question", "answer"):
        weihai[field] += TRICKY
    elif field == "quote":
        weihai["sources"].append({"doc": "wh-notice", "clause": "附", "quote": TRICKY})
    return data


@pytest.mark.parametrize(
    "field",
    [
        # the topic's label, in topics.yml and in the banner above each answer
        "label",
        # keywords, one of which would read as a number if it were not quoted
        "keywords",
        # a region's question and answer
        "question",
        "answer",
        # a quote: the notice (here, the copy's) has to contain it
        "quote",
    ],
)
def test_a_value_with_a_colon_or_a_hash_reads_back_the_same(project, tmp_path, field):
    notice = project.seeds_dir / "002_92dc6edbfd530428.txt"
    notice.write_text(notice.read_text(encoding="utf-8") + f"\n{TRICKY}\n", encoding="utf-8")
    data = tricky_card(field)
    assert run(project, "add-faq", str(write_card(tmp_path, data))) == 0
    source = load_sources(project.sources_dir)
    assert not validate(source, project.seeds_dir)
    topic = next(t for t in source.topics if t["id"] == data["id"])
    assert (topic["label"], topic["keywords"]) == (data["label"], data["keywords"])
    (weihai_file,) = [f for f in source.region_files if f["region"] == "威海"]
    (fact,) = [f for f in weihai_file["facts"] if f["key"] == "faq.policy_documents"]
    weihai = data["answers"]["威海"]
    assert (fact["question"], fact["answer"]) == (weihai["question"], weihai["answer"])
    assert [s["quote"] for s in fact["sources"]] == [s["quote"] for s in weihai["sources"]]


# ---------------------------------------------------------------------- new year


@pytest.mark.parametrize(
    "region, file, title",
    [
        # each region's file; the title is the new notice's
        pytest.param("威海", "weihai.yml", "示例通告", id="weihai"),
        pytest.param("青岛", "qingdao.yml", "示例通告", id="qingdao"),
        pytest.param("山亭", "shanting.yml", "示例通告", id="shanting"),
        # a title with ": " and " #" is written as that title
        pytest.param("威海", "weihai.yml", TRICKY, id="weihai-tricky-title"),
    ],
)
def test_new_year_replaces_only_the_documents_and_keeps_the_facts_as_written(
    project, region, file, title
):
    shutil.copy(ROOT / "docs/examples" / NOTICE, project.seeds_dir)
    old_text = (project.sources_dir / "2024" / file).read_text(encoding="utf-8")
    started = new_year.start_year(project, region, 2024, 2025, NOTICE, title)
    text = started.path.read_text(encoding="utf-8")
    shifted = new_year.shift_years(old_text, 1)
    # the facts, their comments and blank lines: the old file's with the years moved on
    assert text.split("\nfacts:\n", 1)[1] == shifted.split("\nfacts:\n", 1)[1]
    assert "\n\nfacts:\n" in text
    # a new header, then the same region and year lines
    assert text.startswith(f"# {region} · 2025年度：由2024年度的文件生成")
    assert text.splitlines()[1:3] == ["region: " + region, "year: 2025"]
    # the documents: the same ids, each the new notice, indented like the rest of the file
    old, new = yaml.safe_load(old_text), yaml.safe_load(text)
    assert [d["id"] for d in new["documents"]] == [d["id"] for d in old["documents"]]
    assert {(d["file"], d["title"]) for d in new["documents"]} == {(NOTICE, title)}
    assert "\ndocuments:\n  - id: " in text


# ---------------------------------------------------------------------- refusals

CARDS = {
    "CARD": card,
    # a quote with ": " and " #" that the notice does not contain
    "BAD_CARD": lambda: tricky_card("quote"),
}
NEW_YEAR = ["new-year", "--region", "威海", "--from", "2024", "--title", TRICKY]


@pytest.mark.parametrize(
    "argv, code, message",
    [
        # add-faq: the knowledge base's validation (run on a copy) fails
        pytest.param(["add-faq", "BAD_CARD"], 1, "quote not found", id="add-faq-refused"),
        # add-faq --dry-run: checked only
        pytest.param(["add-faq", "CARD", "--dry-run"], 0, "未写入", id="add-faq-dry-run"),
        # add-examples: one sentence of two is labelled with another intent already
        pytest.param(
            ["add-examples", "ask_deadline", "山亭养老几号截止呀呀", "威海医保电话"],
            1,
            "没有写入任何内容",
            id="add-examples-refused",
        ),
        # add-examples --dry-run: checked only
        pytest.param(
            ["add-examples", "ask_deadline", "威海医保最晚拖到几号交", "--dry-run"],
            0,
            "未写入",
            id="add-examples-dry-run",
        ),
        # new-year: the year's file exists already
        pytest.param(
            NEW_YEAR + ["--to", "2024", "--document", "002_92dc6edbfd530428.txt"],
            2,
            "已经存在",
            id="new-year-exists",
        ),
        # new-year: the new notice is not in seeds/
        pytest.param(
            NEW_YEAR + ["--to", "2025", "--document", "missing.txt"],
            2,
            "seeds/ 里没有文件",
            id="new-year-no-notice",
        ),
    ],
)
def test_a_refused_or_checking_run_writes_nothing(project, tmp_path, capsys, argv, code, message):
    args = [str(write_card(tmp_path, CARDS[a]())) if a in CARDS else a for a in argv]
    before = snapshot(project.root)
    assert run(project, *args) == code
    captured = capsys.readouterr()
    assert message in captured.out + captured.err
    assert snapshot(project.root) == before
