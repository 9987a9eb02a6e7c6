"""A readable diff of the policy sources: between two policy years, or two versions of the tree.

The policy team reviews a new year's figures, or a colleague's edit, as one Chinese line per
change, e.g. ``威海 医保 缴费档次和标准·一档: 450 → 480``. Only what residents are told is
compared: value, answer, status, question, topic, scheme and citations of each fact, and facts
added or removed; a fact's note (for the team, not residents) and edits to regions.yml or
topics.yml are not reported.
The YAML is read directly and never validated, so a half-finished edit can still be reviewed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import pathlib
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from typing import Any

import yaml

from policy_kb.data import vocabulary
from policy_kb.data.sources import PACKAGE_DIR, SourceSet, load_sources
from policy_kb.text.dates import cn_date, cn_month_day

REPO_ROOT = PACKAGE_DIR.parent
SOURCES_SUBDIR = "policy_kb/sources"  # relative to REPO_ROOT, as git names it
KINDS = ("added", "removed", "value", "answer", "status", "sources", "question", "topic", "scheme")
NO_CHANGES = "没有变化。"
# A leaf that exists on one side only; distinct from a YAML null, which prints as （空）.
MISSING = object()


@dataclasses.dataclass
class Change:
    """One difference in one fact.

    Attributes:
        kind: One of KINDS.
        label: The topic's Chinese label, plus "·" and the value path for value changes.
        old, new: Value leaf, answer, status, question (added/removed) or citation
            (doc, clause, quote); None (MISSING for value leaves) on the side without it.
        year, old_year: The fact's year; old_year is set only when two years are compared.
    """

    region: str
    year: int
    key: str
    kind: str
    label: str
    old: Any
    new: Any
    scheme: str = ""
    district: str | None = None
    old_year: int | None = None


def format_value(value: Any) -> str:
    """A YAML value as the policy team reads it: Chinese dates, true/false, no Python quotes."""
    if value is MISSING or value is None:
        return "（无）" if value is MISSING else "（空）"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return cn_date(value)
    if isinstance(value, str) and re.fullmatch(r"\d{2}-\d{2}", value):
        return cn_month_day(value)  # a month-day rule such as a bank batch from 12-01
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def render_change(change: Change, show_year: bool = False) -> str:
    """One change as one Chinese line; show_year names the year after the region."""
    # A YAML block scalar may hold line breaks, and a diff line must stay one line.
    return " ".join(part.strip() for part in _line(change, show_year).splitlines() if part.strip())


def _line(change: Change, show_year: bool) -> str:
    place = change.region + (f"（{change.district}）" if change.district else "")
    if show_year:
        place += f" {change.year}年度"
    prefix = f"{place} {vocabulary.scheme(change.scheme).short}"
    subject = f"{prefix} {change.label}"
    old, new = change.old, change.new
    if change.kind == "added":
        return f"{prefix} 新增：{new}"
    if change.kind == "removed":
        return f"{prefix} 删除：{old}"
    if change.kind == "answer":
        return f"{subject} 答复改为：{new}"
    if change.kind == "status":
        return f"{subject} 状态: {old} → {new}"
    if change.kind == "question":
        return f"{subject} 问题改为：{new}"
    if change.kind in ("topic", "scheme"):
        name = "类别" if change.kind == "topic" else "险种"
        return f"{subject} {name}: {old} → {new}"
    if change.kind == "sources":
        if old is None:
            return f"{subject} 新增出处：{new[0]} {new[1]}"
        if new is None:
            return f"{subject} 删除出处：{old[0]} {old[1]}"
        return f"{subject} 出处 {new[0]} {new[1]} 引文改为：{new[2]}"
    return f"{subject}: {format_value(old)} → {format_value(new)}"


def render(changes: list[Change]) -> str:
    """All changes, one line each, or 没有变化。 when there are none."""
    if not changes:
        return NO_CHANGES
    # Each line must stand on its own, so the year is named once the changes span several.
    show_year = len({c.year for c in changes}) > 1
    return "\n".join(render_change(c, show_year) for c in changes)


def _value_changes(old: Any, new: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    # Dicts are walked so that one changed tier is one line; lists are compared whole, since
    # a position in a list has no name a reader would recognise.
    old_d = old if isinstance(old, dict) else {} if old is MISSING else None
    new_d = new if isinstance(new, dict) else {} if new is MISSING else None
    if old_d is not None and new_d is not None and (old_d or new_d):
        for k in [*old_d, *(k for k in new_d if k not in old_d)]:
            sub = f"{path}.{k}" if path else str(k)
            yield from _value_changes(old_d.get(k, MISSING), new_d.get(k, MISSING), sub)
    # type() too, so that 1 → true or 450 → 450.0 are not hidden by Python's equality.
    elif old != new or type(old) is not type(new):
        yield path, old, new


def _source_changes(old: dict, new: dict) -> Iterator[tuple[Any, Any]]:
    old_c, new_c = (
        [(str(c.get("doc")), str(c.get("clause")), str(c.get("quote")).strip()) for c in cites]
        for cites in (old.get("sources") or [], new.get("sources") or [])
    )
    removed = [c for c in old_c if c not in new_c]
    added = [c for c in new_c if c not in old_c]
    # A quote reworded under the same doc and clause is one change, not a removal plus an add.
    for cite in list(removed):
        match = next((a for a in added if a[:2] == cite[:2]), None)
        if match:
            removed.remove(cite)
            added.remove(match)
            yield cite, match
    yield from ((c, None) for c in removed)
    yield from ((None, c) for c in added)


def _diff_fact(old: dict | None, new: dict | None, topics: dict, **where) -> list[Change]:
    fact = new or old
    topic = fact.get("topic")
    label = topics.get(topic, str(topic))
    key = fact.get("key")
    base = dict(key=key, scheme=fact.get("scheme", ""), **where)
    base["district"] = fact.get("district")
    if old is None:
        return [Change(kind="added", label=label, old=None, new=new.get("question") or key, **base)]
    if new is None:
        return [
            Change(kind="removed", label=label, old=old.get("question") or key, new=None, **base)
        ]
    changes = [
        Change(kind="value", label=f"{label}·{path}" if path else label, old=a, new=b, **base)
        for path, a, b in _value_changes(old.get("value"), new.get("value"))
    ]
    # a changed formula under derived: changes how a value is read, so it is a line too
    changes += [
        Change(kind="value", label=f"{label}·derived.{path}", old=a, new=b, **base)
        for path, a, b in _value_changes(old.get("derived") or {}, new.get("derived") or {})
    ]
    for kind, field, default in (
        ("answer", "answer", ""),
        ("status", "status", "verified"),
        ("question", "question", ""),
        ("topic", "topic", ""),
        ("scheme", "scheme", ""),
    ):
        a, b = (str(f.get(field) or default).strip() for f in (old, new))
        if a != b:
            changes.append(Change(kind=kind, label=label, old=a, new=b, **base))
    for a, b in _source_changes(old, new):
        changes.append(Change(kind="sources", label=label, old=a, new=b, **base))
    return changes


def _diff_files(old: dict | None, new: dict | None, topics: dict, **where) -> list[Change]:
    old_facts = {f.get("key"): f for f in (old or {}).get("facts") or []}
    new_facts = {f.get("key"): f for f in (new or {}).get("facts") or []}
    changes = []
    for key in [*old_facts, *(k for k in new_facts if k not in old_facts)]:
        changes += _diff_fact(old_facts.get(key), new_facts.get(key), topics, **where)
    return changes


def _load(sources_dir: pathlib.Path) -> tuple[SourceSet, dict]:
    sources_dir = pathlib.Path(sources_dir)
    if not (sources_dir / "topics.yml").is_file():
        raise ValueError(f"{sources_dir} 不是来源目录（里面没有 topics.yml）。")
    try:
        source = load_sources(sources_dir)
    except yaml.YAMLError as error:
        raise ValueError(f"{sources_dir} 里有无法解析的 YAML 文件：{error}") from None
    return source, {(f.get("region"), f.get("year")): f for f in source.region_files}


def _resolve_region(name: str | None, *sets: SourceSet) -> str | None:
    # Accept what an operator would type (威海市, weihai), as the lookup does.
    if name is None:
        return None
    regions = [r for s in sets for r in s.regions]
    for r in regions:
        if name in (r.get("id"), r.get("name"), *(r.get("aliases") or [])):
            return r.get("id")
    known = "、".join(dict.fromkeys(str(r.get("id")) for r in regions))
    raise ValueError(f"“{name}”不是来源文件里的地区：只有{known}。")


def _topics(*sets: SourceSet) -> dict[str, str]:
    return {t.get("id"): t.get("label") for s in sets for t in s.topics}


def diff_years(
    sources_dir: pathlib.Path, old_year: int, new_year: int, region: str | None = None
) -> list[Change]:
    """Compares each region's facts, by key, between two policy years of one sources tree.

    A region with a file in only one of the years is left out: the year is not written yet,
    which is not the same as every fact being withdrawn.

    Raises:
        ValueError: Not a sources tree, an unknown region, or no file to compare (in Chinese).
    """
    source, files = _load(sources_dir)
    region = _resolve_region(region, source)
    regions = [r for r, y in files if y == old_year and region in (None, r)]
    regions = [r for r in regions if (r, new_year) in files]
    if not regions:
        years = "、".join(sorted({str(y) for r, y in files if region in (None, r)}))
        raise ValueError(f"{region or ''}只有{years}年度的来源文件，不能比较{old_year}和{new_year}年度。")
    topics, where = _topics(source), dict(year=new_year, old_year=old_year)
    return [
        change
        for r in regions
        for change in _diff_files(
            files[(r, old_year)], files[(r, new_year)], topics, region=r, **where
        )
    ]


def diff_trees(
    old_dir: pathlib.Path,
    new_dir: pathlib.Path,
    region: str | None = None,
    year: int | None = None,
) -> list[Change]:
    """Compares two versions of a sources tree, fact by (region, year, key).

    A region-year file present on one side only shows all its facts as added or removed.

    Raises:
        ValueError: A directory is not a sources tree, or the region is unknown (in Chinese).
    """
    (old_set, old_files), (new_set, new_files) = _load(old_dir), _load(new_dir)
    region = _resolve_region(region, new_set, old_set)
    changes = []
    # In file order (<year>/<region>.yml, sorted), facts of a file only the old tree has last.
    for r, y in [*new_files, *(p for p in old_files if p not in new_files)]:
        if region in (None, r) and year in (None, y):
            old, new = old_files.get((r, y)), new_files.get((r, y))
            changes += _diff_files(old, new, _topics(old_set, new_set), region=r, year=y)
    return changes


def _git(repo_root: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(repo_root), *args], capture_output=True)
    except FileNotFoundError:
        raise ValueError("找不到 git 命令，无法读取历史版本。") from None


@contextlib.contextmanager
def sources_at_revision(
    rev: str, repo_root: pathlib.Path = REPO_ROOT, subdir: str = SOURCES_SUBDIR
) -> Iterator[pathlib.Path]:
    """Yields a temporary copy of repo_root/subdir as it was at rev (HEAD, HEAD~3, a tag...).

    Raises:
        ValueError: No git, not a repository, an unknown revision, or no sources in it.
    """
    # --end-of-options keeps a "revision" like "--help" from being read as an option.
    found = _git(repo_root, "rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}")
    if found.returncode != 0:
        if _git(repo_root, "rev-parse", "--git-dir").returncode != 0:
            raise ValueError(f"{repo_root} 不是 git 仓库，无法读取版本“{rev}”。")
        raise ValueError(f"找不到 git 版本“{rev}”：请用 HEAD、HEAD~1、标签名或提交号。")
    archive = _git(repo_root, "archive", "--format=tar", found.stdout.decode().strip(), subdir)
    if archive.returncode != 0:
        raise ValueError(f"版本“{rev}”里没有 {subdir} 目录。")
    with tempfile.TemporaryDirectory(prefix="shebao-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            # The "data" filter (refuses links and paths outside tmp) needs Python >= 3.10.12.
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(tmp, **safe)
        yield pathlib.Path(tmp) / subdir
