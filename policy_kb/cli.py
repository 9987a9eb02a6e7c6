"""``shebao``: the hotline lookup command, a thin layer over the policy_kb library.

Examples::

    shebao lookup 威海 医保 电话
    shebao ask 青岛和威海医保一档哪个贵，差多少   # a whole question, answered as the chat does
    shebao calc --region 山亭 --scheme medical --age 65
    shebao calc --region 青岛 --scheme medical --member 一档 --member 一档 --member school:8
    shebao facts --region 青岛 --topic tiers
    shebao search 数字人民币
    shebao check            # validate sources and citations (exit 1 on problems)
    shebao bench            # time lookups and print the figures
    shebao diff --from 2024 --to 2025 --region 威海   # what changed between two policy years
    shebao diff --rev HEAD  # the sources at a git revision vs the working tree
    shebao diff --old DIR --new DIR
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

import yaml

from policy_kb.answering import render, tables
from policy_kb.answering.lookup import lookup
from policy_kb.answering.state import TurnState, build_profile
from policy_kb.answering.turn import answer_turn
from policy_kb.data import diff as kb_diff
from policy_kb.data import store, vocabulary
from policy_kb.data.kb import KnowledgeBase, source_line
from policy_kb.data.sources import SEEDS_DIR, SOURCES_DIR, load_sources, validate
from policy_kb.reading.spoken import read_spoken
from policy_kb.rules.calculator import calculate, calculate_household


def _kb(args) -> KnowledgeBase:
    return KnowledgeBase.open(args.db)


def cmd_lookup(args) -> int:
    kb = _kb(args)
    result = lookup(kb, " ".join(args.words))
    if not result.found:
        print(f"没有找到相关内容。可以换个说法，例如：{'、'.join(vocabulary.keyword_examples()[:2])}。")
        return 1
    for fact in result.facts:
        print(render.fact_text(fact, kb, quotes=args.quotes))
        print()
    return 0


def cmd_ask(args) -> int:
    """A resident's whole question, answered by the chat's own turn (``answer_turn``); with
    ``--state FILE`` the conversation goes on from the previous question ("那威海呢", "一档")."""
    kb = _kb(args)
    text = " ".join(args.words)
    path = pathlib.Path(args.state) if args.state else None
    state = (
        TurnState.from_json(path.read_text(encoding="utf-8")) if path and path.exists() else None
    )
    turn = answer_turn(kb, text, state)
    if turn.asks == ["topic"] or (turn.asks == ["region"] and not path):
        # an operator's keywords without a topic or a place ("数字人民币"): the keyword lookup
        return cmd_lookup(argparse.Namespace(**{**vars(args), "quotes": False}))
    if path:
        path.write_text(turn.state.to_json(), encoding="utf-8")
    print(read_spoken(text).note + turn.text)
    return 0


def _number(text: str):
    return int(text) if text.lstrip("-").isdigit() else text


def _member(spec: str) -> dict:
    """A household member, one or more parts joined by commas: "一档", "school:8" (a pupil of 8),
    "college", "age:65", "hardship:低保", "disability:1" — e.g. "age:40,一档"."""
    fields: dict = {}
    for part in filter(None, (p.strip() for p in spec.replace("，", ",").split(","))):
        kind, _, arg = part.partition(":")
        if kind in ("school", "college"):
            fields["student"] = kind
            if arg:
                fields["age"] = _number(arg)
        elif kind == "age":
            fields["age"] = _number(arg)
        elif kind == "hardship":
            fields["hardship"] = arg
        elif kind == "disability":
            fields["disability_grade"] = int(arg) if arg.isdigit() else None
        else:
            fields["tier"] = _number(kind)
    return fields  # built by build_profile, with the region, as every profile


def _region(kb: KnowledgeBase, name: str) -> str:
    place = kb.resolve_place(name)
    return place.region if place else name


def cmd_calc(args) -> int:
    kb = _kb(args)
    scheme = vocabulary.scheme_id(args.scheme) or args.scheme
    if args.member:
        result = calculate_household(
            kb,
            args.region,
            [
                build_profile(
                    kb, _region(kb, args.region), scheme or "medical", year=args.year, **_member(m)
                )
                for m in args.member
            ],
            scheme=scheme or "medical",
            year=args.year,
        )
    else:
        place = kb.resolve_place(args.region)
        profile = build_profile(
            kb,
            place.region if place else args.region,
            scheme,
            year=args.year,
            age=(int(args.age) if args.age and args.age.lstrip("-").isdigit() else args.age),
            tier=args.tier,
            birth_date=args.born,
            payment_date=args.paid,
            student=args.student,
            hardship=args.hardship,
            disability_grade=args.disability,
        )
        result = calculate(kb, profile)
    print(render.result_text(result))
    return 0 if result.status in ("ok", "need_more") else 2


def cmd_facts(args) -> int:
    kb = _kb(args)
    place = kb.resolve_place(args.region) if args.region else None
    if args.region and place is None:
        print(f"“{args.region}”不在覆盖范围内：只有{'、'.join(kb.regions.values())}。")
        return 2
    scheme = vocabulary.scheme_id(args.scheme) or args.scheme
    facts = kb.facts(place.region if place else None, args.year, topic=args.topic, scheme=scheme)
    rows = [
        [
            kb.region_name(f.region),
            kb.topic_label(f.topic) + vocabulary.status_mark(f.status),
            f.answer,
            source_line([f]).removeprefix("来源："),
        ]
        for f in facts
    ]
    print(tables.render(["地区", "主题", "内容", "出处"], rows, [12, 16, 48, 30]))
    return 0 if rows else 1


def cmd_search(args) -> int:
    kb = _kb(args)
    facts = kb.search(" ".join(args.words), limit=args.limit)
    for fact in facts:
        print(render.fact_text(fact, kb))
        print()
    return 0 if facts else 1


def cmd_build(args) -> int:
    source = store.build(args.db or store.DEFAULT_DB)
    print(f"built {args.db or store.DEFAULT_DB} from {len(source.region_files)} region files")
    return 0


def cmd_check(args) -> int:
    sources = pathlib.Path(args.sources) if args.sources else SOURCES_DIR
    seeds = pathlib.Path(args.seeds) if args.seeds else SEEDS_DIR
    try:
        problems = validate(load_sources(sources), seeds)
    except (OSError, yaml.YAMLError) as error:  # a wrong directory or a file that is not YAML
        print(f"无法读取来源文件（{sources}）：{error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


def bench_queries() -> list[str]:
    """The lookup workload: an operator's keywords for every region, two districts, a topic
    word without a place (names from the vocabulary, so the workload follows the sources)."""
    districts = [d["id"] for r in vocabulary.regions() for d in r.get("districts", [])]
    ids = [r["id"] for r in vocabulary.regions()]
    return [
        *vocabulary.keyword_examples(),
        *(f"{d} 医保 电话" for d in districts[-1:]),
        *(f"{d} 缴费 渠道" for d in districts[4:5]),
        "新生儿",
        "数字人民币",
        f"{ids[-1]} 退费",
    ]


def _years_example() -> str:
    year = vocabulary.latest_year()
    return f"--from {year} --to {year + 1}"


def cmd_bench(args) -> int:
    kb = _kb(args)
    timings, queries = [], bench_queries()
    for n in range(args.n):
        started = time.perf_counter()
        lookup(kb, queries[n % len(queries)])
        timings.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    calc_n = max(1, args.n // 4)
    for _ in range(calc_n):
        calculate(kb, build_profile(kb, list(kb.regions)[-1], "medical", age=65))
    calc_ms = (time.perf_counter() - started) * 1000 / calc_n
    timings.sort()
    print(
        f"lookups: {len(timings)}  p50 {statistics.median(timings):.2f} ms  "
        f"p99 {timings[int(len(timings) * 0.99) - 1]:.2f} ms  max {timings[-1]:.2f} ms"
    )
    print(f"calculator: {calc_n} runs  mean {calc_ms:.2f} ms")
    return 0


def _year(text: str | None) -> int | None:
    digits = (text or "").removesuffix("年度").removesuffix("年")
    if text is not None and not (digits.isdigit() and len(digits) == 4):
        raise ValueError(f"“{text}”不是年度，请写成 {vocabulary.latest_year()} 这样的四位数。")
    return int(digits) if text is not None else None


def _diff_changes(args) -> list[kb_diff.Change]:
    modes = [m for m in (args.from_year or args.to_year, args.rev, args.old or args.new) if m]
    if len(modes) != 1:
        raise ValueError(
            f"请选一种比较方式：{_years_example()}（两个年度）、--rev HEAD（git 版本与当前文件）"
            "或 --old 目录 --new 目录（两个来源目录）。"
        )
    year = _year(args.year)
    if args.from_year or args.to_year:
        if not (args.from_year and args.to_year) or year:
            raise ValueError(f"--from 和 --to 要一起用（不加 --year），如：shebao diff {_years_example()}")
        old, new = _year(args.from_year), _year(args.to_year)
        sources_dir = kb_diff.REPO_ROOT / kb_diff.SOURCES_SUBDIR
        return kb_diff.diff_years(sources_dir, old, new, args.region)
    if args.rev:
        with kb_diff.sources_at_revision(args.rev, kb_diff.REPO_ROOT) as old_dir:
            new_dir = kb_diff.REPO_ROOT / kb_diff.SOURCES_SUBDIR
            return kb_diff.diff_trees(old_dir, new_dir, region=args.region, year=year)
    if not (args.old and args.new):
        raise ValueError("--old 和 --new 要一起用，例如：shebao diff --old 旧目录 --new 新目录")
    return kb_diff.diff_trees(args.old, args.new, region=args.region, year=year)


def cmd_diff(args) -> int:
    try:
        changes = _diff_changes(args)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:  # an unreadable directory given on the command line
        print(f"无法读取来源文件：{error}", file=sys.stderr)
        return 2
    print(kb_diff.render(changes))
    return 0


def build_parser() -> argparse.ArgumentParser:
    years = "、".join(f"{y}年度" for y in vocabulary.policy_years())
    parser = argparse.ArgumentParser(prog="shebao", description=f"居民社保缴费政策查询（{years}）")
    parser.add_argument(
        "--db", default=None, help="knowledge base file (default build/policy_kb.db)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("lookup", help=f"关键词查询，如：{vocabulary.keyword_examples()[0]}")
    p.add_argument("words", nargs="+")
    p.add_argument("--quotes", action="store_true", help="同时打印原文")
    p.set_defaults(func=cmd_lookup)

    p = sub.add_parser("ask", help="整句提问，回答与聊天相同")
    p.add_argument("words", nargs="+")
    p.add_argument("--state", metavar="文件", help="会话状态文件：接着上一问追问（如“那…呢”“一档”）")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("calc", help="个人或家庭缴费计算")
    p.add_argument("--region", required=True)
    p.add_argument("--scheme", help="medical/医保 or pension/养老")
    p.add_argument("--year", type=int)
    p.add_argument("--age")
    p.add_argument("--born", help=f"出生日期，如 {vocabulary.example_date()}（或 年-月-日）")
    p.add_argument("--paid", help=f"缴费日期，如 {vocabulary.example_date('8月20日')}（或 年-月-日）")
    p.add_argument("--tier", help="养老: 500; 医保: 一档/二档")
    p.add_argument("--student", choices=["school", "college"])
    p.add_argument("--hardship", help="低保/特困/脱贫/返贫致贫/低保边缘/监测帮扶/重度残疾")
    p.add_argument("--disability", type=int, help="残疾等级 1-4")
    p.add_argument(
        "--member",
        action="append",
        help="家庭成员（可重复），逗号连接多项：一档、school:8、college、age:65、hardship:低保、" "disability:1，如 age:40,一档",
    )
    p.set_defaults(func=cmd_calc)

    p = sub.add_parser("facts", help="按地区、主题列出事实表")
    p.add_argument("--region")
    p.add_argument("--topic")
    p.add_argument("--scheme")
    p.add_argument("--year", type=int)
    p.set_defaults(func=cmd_facts)

    p = sub.add_parser("search", help="全文检索")
    p.add_argument("words", nargs="+")
    p.add_argument("--limit", type=int, default=5)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("build", help="从 sources/ 重建 SQLite 知识库")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", help="校验来源文件、引文和每条事实的数值（value）")
    p.add_argument("--sources", metavar="目录", help="来源目录（默认 policy_kb/sources）")
    p.add_argument("--seeds", metavar="目录", help="原文目录（默认 policy_kb/seeds）")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("bench", help="查询耗时基准")
    p.add_argument("-n", type=int, default=2000)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("diff", help="比较两个年度或两个版本的来源文件，每处变化一行")
    p.add_argument("--from", dest="from_year", metavar="年度", help="旧年度，四位数（与 --to 一起用）")
    p.add_argument("--to", dest="to_year", metavar="年度", help="新年度，四位数")
    p.add_argument("--rev", metavar="版本", help="git 版本（HEAD、HEAD~1、标签），与当前来源文件比较")
    p.add_argument("--old", metavar="目录", help="旧来源目录（与 --new 一起用）")
    p.add_argument("--new", metavar="目录", help="新来源目录")
    p.add_argument("--region", metavar="地区", help="只看一个地区，如 " + vocabulary.regions()[-1]["id"])
    p.add_argument("--year", metavar="年度", help="只看一个年度（用于 --rev 和 --old/--new）")
    p.set_defaults(func=cmd_diff)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
