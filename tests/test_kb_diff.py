"""The policy diff: one Chinese line per change, between two years, two trees or a git revision."""

import datetime as dt
import pathlib
import shutil
import subprocess

import pytest
import yaml

from policy_kb import cli
from policy_kb.data import diff as kb_diff
from policy_kb.data.sources import SOURCES_DIR

TIER_LINE = "威海 医保 缴费档次和标准·一档: 450 → 480"
EXTRA_QUOTE = "参保人员可通过“山东税务社保费缴纳”小程序缴费。"


def _fact(data: dict, key: str) -> dict:
    return next(f for f in data["facts"] if f["key"] == key)


def _edit(path: pathlib.Path, change=None, **top) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(top)
    if change:
        change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def tree(tmp_path) -> pathlib.Path:
    """A copy of the real sources, free to edit."""
    root = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, root)
    return root


def _next_year(tree: pathlib.Path, change=None) -> None:
    """2025/weihai.yml: the 2024 file with year 2025 and the given edit."""
    (tree / "2025").mkdir()
    shutil.copy(tree / "2024/weihai.yml", tree / "2025/weihai.yml")
    _edit(tree / "2025/weihai.yml", change, year=2025)


def _set(key, *path, value):
    def change(data):
        target = _fact(data, key)
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _add_fact(data):
    fact = dict(_fact(data, "medical.students"), key="medical.flexible")
    data["facts"].append(dict(fact, question="威海灵活就业人员能参加居民医保吗？"))


@pytest.mark.parametrize(
    "change, expected",
    [
        # the headline case: one tier of a dict value goes up
        (_set("medical.personal", "value", "一档", value=480), [TIER_LINE]),
        # two tiers change: one line each, in the order the file lists them
        (
            lambda d: _fact(d, "medical.personal")["value"].update(一档=480, 二档=690),
            [TIER_LINE, "威海 医保 缴费档次和标准·二档: 650 → 690"],
        ),
        # a tier added to a dict value: the old side is （无）
        (
            _set("medical.personal", "value", "三档", value=900),
            ["威海 医保 缴费档次和标准·三档: （无） → 900"],
        ),
        # a list is compared as a whole
        (
            lambda d: _fact(d, "pension.tiers")["value"]["tiers"].append(10000),
            [
                "威海 养老 缴费档次和标准·tiers: [300, 500, 800, 1000, 2000, 3000, 5000, 8000]"
                " → [300, 500, 800, 1000, 2000, 3000, 5000, 8000, 10000]"
            ],
        ),
        # a nested dict with a number as key: the path is joined with "."
        (
            _set("pension.tiers", "value", "restricted", 500, value="缴费困难群体"),
            ["威海 养老 缴费档次和标准·restricted.500: （无） → 缴费困难群体"],
        ),
        # a date prints as the documents write it (issue 10 item 8); scheme both reads 养老和医保
        (
            _set("collection_period", "value", "end", value=dt.date(2024, 1, 31)),
            ["威海 养老和医保 缴费时间·end: 2023年12月31日 → 2024年1月31日"],
        ),
        # a changed formula under derived: is a change of the value it declares
        (
            _set("pension.tiers", "derived", "lowest", value="max(tiers)"),
            ["威海 养老 缴费档次和标准·derived.lowest: min(tiers) → max(tiers)"],
        ),
        # a month-day rule (a bank batch from 12-01) prints as a Chinese date too
        (
            _set("collection_period", "value", "preparation", value=["09-01", "12-20"]),
            ["威海 养老和医保 缴费时间·preparation: （无） → [9月1日, 12月20日]"],
        ),
        # a null value gets a figure: no path, the old side is （空）
        (
            _set("pension.subsidy", "value", value=30),
            ["威海 养老 政府补贴和财政补助: （空） → 30"],
        ),
        # a fact removed is named by its question
        (
            lambda d: d["facts"].remove(_fact(d, "pension.back_payment")),
            ["威海 养老 删除：威海居民养老保险怎么补缴？"],
        ),
        # a fact added is named by its question
        (_add_fact, ["威海 医保 新增：威海灵活就业人员能参加居民医保吗？"]),
        # a new answer text is printed in full
        (
            _set("hotline.payment", "answer", value="缴费问题请拨打12366。"),
            ["威海 养老和医保 咨询电话和公众号 答复改为：缴费问题请拨打12366。"],
        ),
        # an answer written over two lines still prints as one line
        (
            _set("hotline.payment", "answer", value="缴费问题\n请拨打12366。\n"),
            ["威海 养老和医保 咨询电话和公众号 答复改为：缴费问题 请拨打12366。"],
        ),
        # status: an absent status counts as verified
        (
            _set("pension.subsidy", "status", value="verified"),
            ["威海 养老 政府补贴和财政补助 状态: not_stated → verified"],
        ),
        # a citation added under a new clause
        (
            lambda d: _fact(d, "medical.personal")["sources"].append(
                {"doc": "wh-notice", "clause": "二（三）", "quote": EXTRA_QUOTE}
            ),
            ["威海 医保 缴费档次和标准 新增出处：wh-notice 二（三）"],
        ),
        # a citation removed
        (
            lambda d: _fact(d, "collection_period")["sources"].pop(),
            ["威海 养老和医保 缴费时间 删除出处：wh-notice 五（五）"],
        ),
        # a quote reworded under the same clause is one change, not a removal and an addition
        (
            _set("medical.personal", "sources", 0, "quote", value=EXTRA_QUOTE),
            [f"威海 医保 缴费档次和标准 出处 wh-notice 二（二） 引文改为：{EXTRA_QUOTE}"],
        ),
        # nothing edited but the year
        (None, ["没有变化。"]),
    ],
)
def test_diff_years(tree, change, expected):
    _next_year(tree, change)
    changes = kb_diff.diff_years(tree, 2024, 2025, region="威海")
    assert kb_diff.render(changes).splitlines() == expected
    assert all(c.kind in kb_diff.KINDS and c.old_year == 2024 for c in changes)


def test_diff_years_leaves_out_regions_without_the_new_year(tree):
    # Only 威海 has a 2025 file: 青岛 and 山亭 are not shown as 25 + 22 removed facts.
    _next_year(tree, _set("medical.personal", "value", "一档", value=480))
    assert kb_diff.render(kb_diff.diff_years(tree, 2024, 2025)) == TIER_LINE
    [change] = kb_diff.diff_years(tree, 2024, 2025, region="威海市")
    assert (change.region, change.year, change.key, change.kind) == (
        "威海",
        2025,
        "medical.personal",
        "value",
    )
    assert (change.label, change.old, change.new) == ("缴费档次和标准·一档", 450, 480)


@pytest.mark.parametrize(
    "old_year, new_year, region, message",
    [
        # no 2025 files at all
        (2024, 2025, None, "只有2024年度的来源文件，不能比较2024和2025年度"),
        # a place the knowledge base does not cover
        (2024, 2024, "北京", "“北京”不是来源文件里的地区"),
    ],
)
def test_diff_years_errors(tree, old_year, new_year, region, message):
    with pytest.raises(ValueError, match=message):
        kb_diff.diff_years(tree, old_year, new_year, region=region)


def test_diff_trees(tree, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(tree, old)
    _edit(tree / "2024/weihai.yml", _set("medical.personal", "value", "一档", value=480))
    # a district fact names its district after the region
    _edit(
        tree / "2024/qingdao.yml",
        _set("hotline.medical_office.莱西", "value", "phone", value="0532-66035834"),
    )
    assert kb_diff.render(kb_diff.diff_trees(old, tree)).splitlines() == [
        "青岛（莱西） 医保 咨询电话和公众号·phone: 0532-66035833 → 0532-66035834",
        TIER_LINE,
    ]
    assert kb_diff.render(kb_diff.diff_trees(old, tree, region="威海")) == TIER_LINE
    assert kb_diff.render(kb_diff.diff_trees(old, tree, year=2025)) == "没有变化。"
    # a new region-year file: all its facts are new, and lines name their year once the
    # changes span two years
    _next_year(tree)
    lines = kb_diff.render(kb_diff.diff_trees(old, tree, region="威海")).splitlines()
    assert lines[0] == "威海 2024年度 医保 缴费档次和标准·一档: 450 → 480"
    assert lines[1] == "威海 2025年度 养老和医保 新增：威海2024年度居民养老和医保什么时候交？"
    # the changed 2024 fact, then every fact of the new file
    new_facts = len(yaml.safe_load((tree / "2025/weihai.yml").read_text())["facts"])
    assert len(lines) == 1 + new_facts


def test_diff_trees_rejects_a_directory_without_sources(tree, tmp_path):
    with pytest.raises(ValueError, match="不是来源目录"):
        kb_diff.diff_trees(tmp_path, tree)


# ---------------------------------------------------------------------- git revisions
def _git(repo: pathlib.Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path, monkeypatch) -> pathlib.Path:
    """A git repository with the sources committed, then 一档 raised to 480 in the work tree."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "repo"
    shutil.copytree(SOURCES_DIR, root / "policy_kb/sources")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "sources")
    _edit(
        root / "policy_kb/sources/2024/weihai.yml",
        _set("medical.personal", "value", "一档", value=480),
    )
    return root


def test_sources_at_revision_against_the_working_tree(repo):
    with kb_diff.sources_at_revision("HEAD", repo) as old_dir:
        assert "一档: 450" in (old_dir / "2024/weihai.yml").read_text(encoding="utf-8")
        changes = kb_diff.diff_trees(old_dir, repo / "policy_kb/sources")
    assert kb_diff.render(changes) == TIER_LINE
    assert not old_dir.exists()  # the temporary copy is removed


@pytest.mark.parametrize(
    "rev, message",
    [
        ("nope", "找不到 git 版本“nope”"),  # no such branch or tag
        ("HEAD~5", "找不到 git 版本“HEAD~5”"),  # older than the first commit
        ("--help", "找不到 git 版本“--help”"),  # not taken for an option
    ],
)
def test_bad_revision(repo, rev, message):
    with pytest.raises(ValueError, match=message):
        with kb_diff.sources_at_revision(rev, repo):
            pass


def test_revision_without_sources(repo):
    # a commit from before the knowledge base existed
    _git(repo, "checkout", "-q", "--orphan", "empty")
    _git(repo, "rm", "-rfq", "--cached", ".")
    (repo / "README.md").write_text("x", encoding="utf-8")
    _git(repo, "add", "README.md")
    _git(repo, "commit", "-q", "-m", "empty")
    with pytest.raises(ValueError, match="版本“empty”里没有 policy_kb/sources 目录"):
        with kb_diff.sources_at_revision("empty", repo):
            pass


def test_revision_outside_a_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(ValueError, match="不是 git 仓库"):
        with kb_diff.sources_at_revision("HEAD", tmp_path):
            pass


# ---------------------------------------------------------------------- the shebao command
@pytest.fixture
def shebao(repo, monkeypatch, capsys):
    """Runs `shebao diff ...` with the temporary repository as the project."""
    monkeypatch.setattr(kb_diff, "REPO_ROOT", repo)

    def run(*argv):
        code = cli.main(["diff", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_diff(shebao, repo, tmp_path):
    sources = repo / "policy_kb/sources"
    assert shebao("--rev", "HEAD") == (0, TIER_LINE + "\n", "")
    assert shebao("--rev", "HEAD", "--region", "青岛") == (0, "没有变化。\n", "")
    _next_year(sources, _set("medical.personal", "value", "二档", value=690))
    expected = "威海 医保 缴费档次和标准·二档: 650 → 690\n"
    assert shebao("--from", "2024", "--to", "2025", "--region", "威海") == (0, expected, "")
    assert shebao("--from", "2024年", "--to", "2025年度") == (0, expected, "")
    old = tmp_path / "old"
    shutil.copytree(SOURCES_DIR, old)
    assert shebao("--old", str(old), "--new", str(sources), "--year", "2024") == (
        0,
        TIER_LINE + "\n",
        "",
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "请选一种比较方式"),  # nothing to compare
        (["--from", "2024"], "--from 和 --to 要一起用"),  # half a year pair
        (["--from", "2024", "--to", "2025", "--rev", "HEAD"], "请选一种比较方式"),  # two modes
        (["--from", "二〇二四", "--to", "2025"], "“二〇二四”不是年度"),  # not a year
        (["--from", "2024", "--to", "2026"], "只有2024年度的来源文件"),  # no such year
        (["--rev", "HEAD", "--region", "北京"], "“北京”不是来源文件里的地区"),  # unknown region
        (["--rev", "nope"], "找不到 git 版本“nope”"),  # unknown revision
        (["--old", "/nonexistent"], "--old 和 --new 要一起用"),  # half a directory pair
        (["--old", "/nonexistent", "--new", "/nonexistent"], "不是来源目录"),  # no such directory
    ],
)
def test_cli_diff_bad_arguments(shebao, argv, message):
    code, out, err = shebao(*argv)
    assert code == 2
    assert out == ""
    assert message in err and "Traceback" not in err


def test_a_fact_moved_to_another_topic_is_reported(tmp_path):
    # the one real edit of this kind in the project's history (a Shanting fact re-filed)
    import shutil

    from policy_kb.data import diff

    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(diff.REPO_ROOT / "policy_kb" / "sources", old)
    shutil.copytree(old, new)
    path = new / "2024" / "shanting.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("topic: collector", "topic: channels", 1), encoding="utf-8")
    lines = [diff.render_change(c) for c in diff.diff_trees(old, new)]
    assert any(line.endswith("类别: collector → channels") for line in lines), lines
