"""Starting a region's file for a new policy year from the previous year's.

Most of a notice stays the same from one year to the next except its dates, so the new file
is the old one with every year moved on and its documents pointed at the new notice. Then the
knowledge base's own validation lists each quote the new notice does not contain: those are
exactly the facts the officer must read again and correct by hand.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from policy_kb.data.sources import load_sources, validate
from policy_team import yaml_files
from policy_team.project import Project

# A year is a 20xx followed by 年 or a month-day, or the value of a "year"/"…_year" key;
# a bare 2000 may be an amount (the 2000元 pension tier) and is left alone.
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?=\s*年|-\d\d-\d\d)|(?<=year: )(20\d\d)(?!\d)")


@dataclasses.dataclass
class Started:
    """The new file and what still has to be checked in it."""

    path: pathlib.Path
    problems: list[str]


def shift_years(text: str, delta: int) -> str:
    """Every year in the text moved by ``delta`` ("2023年9月1日" → "2024年9月1日")."""
    return _YEAR.sub(lambda m: str(int(m.group(1) or m.group(2)) + delta), text)


def start_year(
    project: Project, region: str, from_year: int, to_year: int, document: str, title: str
) -> Started:
    """Writes ``sources/<to_year>/<file>.yml`` for the region; raises ValueError (Chinese)
    when the region-year is unknown, the new file exists or the document is not in seeds."""
    source = load_sources(project.sources_dir)
    place = {r["id"] for r in source.regions}
    if region not in place:
        raise ValueError(f"没有地区“{region}”。可选：{'、'.join(sorted(place))}")
    old = next(
        (f for f in source.region_files if f["region"] == region and f["year"] == from_year),
        None,
    )
    if old is None:
        raise ValueError(f"没有{region}{from_year}年度的来源文件。")
    if not (project.seeds_dir / document).is_file():
        raise ValueError(f"policy_kb/seeds/ 里没有文件 {document}：请先把新通告的全文放进去。")
    old_path = project.sources_dir / old["_path"]
    new_path = project.sources_dir / str(to_year) / old_path.name
    if new_path.exists():
        raise ValueError(f"{new_path.relative_to(project.root)} 已经存在。")
    text = shift_years(old_path.read_text(encoding="utf-8"), to_year - from_year)
    data = yaml_files.loads(text)
    # the old file's own header described the old notice
    data.yaml_set_start_comment(
        f"{region} · {to_year}年度：由{from_year}年度的文件生成（policy-team new-year），每条事实都要对照新通告核对。"
    )
    # the documents block is replaced; the facts keep their doc ids, so their sources still
    # point at a document, now the new notice
    docs = CommentedSeq(
        CommentedMap(
            id=d["id"],
            file=document,
            title=title,
            short=d.get("short", ""),
            issuer=d.get("issuer", ""),
        )
        for d in data.get("documents") or []
    )
    yaml_files.replace(data, "documents", docs)
    new_path.parent.mkdir(parents=True, exist_ok=True)
    yaml_files.dump(data, new_path, default=yaml_files.style_of(text))
    mine = str(new_path.relative_to(project.sources_dir))
    problems = [p for p in validate(load_sources(project.sources_dir), project.seeds_dir)]
    return Started(new_path, [p for p in problems if p.startswith(mine)])
