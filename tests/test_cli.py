"""The hotline CLI: a thin layer over the library, and every command documented."""

import argparse
import pathlib
import re

import pytest

from policy_kb import cli
from policy_kb.answering import tables

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def run(kb, capsys):
    def _run(*argv):
        code = cli.main(["--db", str(kb.db_path), *argv])
        return code, capsys.readouterr().out

    return _run


@pytest.mark.parametrize(
    "argv, code, must",
    [
        (["lookup", "威海", "医保", "电话"], 0, ["5190857", "来源：", "2024年度"]),
        (["lookup", "莱西", "医保", "电话", "--quotes"], 0, ["0532-66035833", "原文"]),
        (["calc", "--region", "山亭", "--scheme", "medical", "--age", "65"], 0, ["190元", "五（一）"]),
        (
            [
                "calc",
                "--region",
                "青岛",
                "--scheme",
                "医保",
                "--member",
                "一档",
                "--member",
                "一档",
                "--member",
                "school:8",
            ],
            0,
            ["1319"],
        ),
        (["calc", "--region", "北京", "--scheme", "medical"], 2, ["不在本助手的范围内"]),
        (["calc", "--region", "青岛", "--scheme", "pension", "--tier", "700"], 2, ["没有700元档次"]),
        (["facts", "--region", "青岛", "--topic", "tiers"], 0, ["462", "地区", "出处"]),
        (["facts", "--region", "广州"], 2, ["不在覆盖范围内"]),
        (["search", "数字人民币"], 0, ["数字人民币"]),
        # a whole question, composed as the chat composes it: 462 − 450 = 12
        (["ask", "青岛和威海医保一档哪个贵，差多少"], 0, ["462", "450", "12", "来源："]),
        # a household: 395 × 3
        (["ask", "我跟我爱人都交二档，闺女读高二，青岛医保一家多少"], 0, ["1185"]),
        # an ordinary topic question, answered from the topic's facts as the chat answers it
        (["ask", "威海", "医保", "电话"], 0, ["5190857"]),
        # keywords naming no topic: the keyword lookup
        (["ask", "数字人民币"], 0, ["数字人民币"]),
        (["check"], 0, ["0 problems"]),
        (["bench", "-n", "40"], 0, ["p50", "ms"]),
    ],
)
def test_commands(run, argv, code, must):
    got_code, out = run(*argv)
    assert got_code == code, out
    for text in must:
        assert text in out


def test_ask_goes_on_from_the_previous_question_with_a_state_file(run, kb, tmp_path):
    state = str(tmp_path / "call.json")
    _, first = run("ask", "--state", state, "我在青岛，孩子上初中，医保交多少")
    _, second = run("ask", "--state", state, "那我自己选一档呢")
    rates = kb.fact("青岛", "medical.personal").value
    assert "还需要知道" in first
    assert f"＝{rates['一档'] + rates['少年儿童']}元" in second


def test_table_columns_are_aligned_with_chinese_text():
    # Chinese characters take two columns: every cell must start at the same display offset.
    rows = [["威海市", "5190857", "医保政策"], ["枣庄市山亭区", "无", "缴费"], ["qd", "12366", "x"]]
    out = tables.render(["地区", "电话", "用途"], rows)
    lines = out.splitlines()
    offsets = {
        tables.width(lines[0][: lines[0].index("电话")]),
        tables.width(lines[0][: lines[0].index("用途")]),
    }
    for line, row in zip(lines[2:], rows):
        got = {tables.width(line[: line.index(row[1])]), tables.width(line[: line.index(row[2])])}
        assert got == offsets, line


def test_every_cli_command_is_documented_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    commands = cli.build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"shebao {name}" in readme, name


@pytest.mark.parametrize(
    "argv, dates",
    [
        # issue 10 item 8 / issue 11 finding 16: dates read aloud, 2024年5月15日, not ISO
        (
            ["calc", "--region", "青岛", "--scheme", "医保", "--tier", "一档", "--paid", "2024-02-15"],
            ["2024年2月15日", "2024年5月15日"],
        ),
        # a Chinese date is read as well as an ISO one
        (
            [
                "calc",
                "--region",
                "威海",
                "--scheme",
                "医保",
                "--born",
                "2024年3月10日",
                "--paid",
                "2024年8月20日",
            ],
            ["2024年3月10日"],
        ),
        # an unreadable date is explained with a Chinese example
        (["calc", "--region", "青岛", "--scheme", "医保", "--paid", "明天"], ["2024年3月10日"]),
    ],
)
def test_cli_output_writes_dates_in_chinese(run, argv, dates):
    _, out = run(*argv)
    for date in dates:
        assert date in out, out
    assert not re.search(r"\d{4}-\d{2}-\d{2}", out), out


def test_a_household_member_can_have_an_age_a_tier_and_a_group(run):
    # "age:65" (004 五（一）: 60-69 half) + "age:40,hardship:低保" (paid in full) + an adult
    code, out = run(
        "calc", "--region", "山亭", "--scheme", "医保",
        "--member", "age:65", "--member", "age:40,hardship:低保", "--member", "age:30",
    )  # fmt: skip
    assert code == 0 and "190＋0＋380＝570元" in out
    code, out = run("calc", "--region", "青岛", "--scheme", "医保", "--member", "age:40,一档")
    assert code == 0 and "462" in out


def test_check_reads_another_sources_directory(run, tmp_path, capsys):
    # shebao check --sources: how the tests check broken copies (tests/test_kb_values.py);
    # a directory without source files is refused in Chinese, without a stack trace
    code = cli.main(["check", "--sources", str(tmp_path)])
    assert code == 2 and "无法读取来源文件" in capsys.readouterr().err


# ---------------------------------------------------------------------- docs/cli.md
CLI_DOCS = README.parent / "docs" / "cli.md"


def _programs() -> dict[str, argparse.ArgumentParser]:
    from policy_team import cli as team_cli

    return {"shebao": cli.build_parser(), "policy-team": team_cli.build_parser()}


def _commands() -> list[tuple[str, argparse.ArgumentParser | None]]:
    """("<program> <command>", the command's parser) for every command of both CLIs."""
    from policy_team import regression

    found = []
    for prog, parser in _programs().items():
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for name, command in sub.choices.items():
            if (prog, name) == ("policy-team", "regression"):
                command = regression.build_parser()  # everything after the word is its own
            elif (prog, name) == ("policy-team", "diff"):
                command = None  # shebao diff's arguments, documented under shebao diff
            found.append((f"{prog} {name}", command))
    return found


def _flags(parser: argparse.ArgumentParser) -> list[str]:
    return [
        option
        for action in parser._actions
        if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction))
        for option in action.option_strings
    ]


def _section(heading: str) -> str:
    """docs/cli.md's text under "### <heading>", up to the next heading."""
    text = CLI_DOCS.read_text(encoding="utf-8")
    assert f"\n### {heading}\n" in text, f"docs/cli.md has no section ### {heading}"
    return re.split(r"\n##+ ", text.split(f"\n### {heading}\n", 1)[1], maxsplit=1)[0]


@pytest.mark.parametrize("heading, command", _commands(), ids=[h for h, _ in _commands()])
def test_every_command_and_its_flags_are_documented_in_docs_cli(heading, command):
    section = _section(heading)
    for flag in _flags(command) if command else []:
        assert f"| `{flag}`" in section, f"{heading} {flag}"


@pytest.mark.parametrize("prog", ["shebao", "policy-team"])
def test_each_programs_own_options_are_documented_in_docs_cli(prog):
    text = CLI_DOCS.read_text(encoding="utf-8")
    for flag in _flags(_programs()[prog]):
        assert f"| `{flag}`" in text, f"{prog} {flag}"
