"""``policy-team``: the policy team's commands, a thin layer over the policy_team library.

Examples::

    policy-team add-examples ask_deadline "威海医保最晚几号交" "山亭养老啥时候截止"
    policy-team add-examples ask_deadline --file 新例句.txt --dry-run
    policy-team add-faq faq_cards/payment_proof.yml
    policy-team new-year --region 威海 --from 2024 --to 2025 --document 新通告.txt --title 标题
    policy-team validate            # rasa data validate, KB schema, citations, conflicts
    policy-team validate --quick    # the same without rasa (a few seconds)
    policy-team diff --from 2024 --to 2025 --region 威海
    policy-team regression          # the new model against the previous one
    policy-team ask 威海医保一档多少钱  # ask the running assistant (after make run)
    policy-team review [--accept G1a2b3c --intent ask_amount | --reject G… | --summary]

Every command works on the current checkout, or on another copy with ``--root DIR``.
"""

from __future__ import annotations

import argparse
import logging
import os
import pathlib
import sys
import warnings

# rasa (imported by some checks) pulls in TensorFlow: keep its start-up chatter off the screen
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from policy_kb.data import vocabulary
from policy_team import checks, faq, new_year, review
from policy_team import decisions as dec
from policy_team import examples as ex
from policy_team.project import Project


def _print_verdicts(verdicts: list[ex.Verdict]) -> None:
    for verdict in verdicts:
        mark = "✓ 可以添加" if verdict.ok else "✗ 拒绝"
        print(f"{mark}：{verdict.text}")
        if verdict.problem:
            print(f"    原因：{verdict.problem}")
        if verdict.closest:
            print("    最接近的已有例句（相似度 意图 例句）：")
            for score, example in verdict.closest:
                print(f"      {score:4.0%}  {example.intent:<20} {ex.plain(example.text)}")


def cmd_add_examples(args, project: Project) -> int:
    texts = list(args.texts)
    if args.file:
        texts += [
            line.strip().removeprefix("- ").strip()
            for line in pathlib.Path(args.file).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
    if not texts:
        print("请给出要添加的例句（写在命令后面，或用 --file 指定一个每行一句的文件）。", file=sys.stderr)
        return 2
    addition = add_examples_reporting(project, args.intent, texts, args.dry_run)
    return 2 if addition is None else 0 if addition.ok else 1


def add_examples_reporting(
    project: Project, intent: str, texts: list[str], dry_run: bool = False
) -> ex.Addition | None:
    """add-examples with its printed verdicts (also used by review --accept); None: no intent."""
    try:
        addition = ex.add_examples(project, intent, texts, dry_run)
    except KeyError:
        known = sorted({e.intent for e in ex.load_examples(project.nlu_dir)})
        print(f"没有意图 {intent}。已有的意图：{'、'.join(known)}", file=sys.stderr)
        print("要新建一个问题类别，请用 add-faq。", file=sys.stderr)
        return None
    _print_verdicts(addition.verdicts)
    for sentence in addition.misaligned:
        print(f"✗ 拒绝：{sentence}\n    原因：实体标注没有落在分词边界上{checks.MISALIGNED_HINT}")
    if not addition.ok:
        print("\n没有写入任何内容：请修改或删掉被拒绝的句子后重新运行。")
    elif dry_run:
        print(f"\n检查通过（--dry-run，未写入）：{len(texts)}句。")
    else:
        print(f"\n已添加{len(texts)}句到 {addition.path.relative_to(project.root)}（意图 {intent}）。")
        print("下一步：policy-team validate，然后 make train，再 policy-team regression。")
    return addition


def cmd_add_faq(args, project: Project) -> int:
    try:
        outcome = faq.add_faq(project, pathlib.Path(args.card), dry_run=args.dry_run)
    except (OSError, ValueError) as error:  # a missing or malformed card
        print(f"读不了FAQ卡片：{error}", file=sys.stderr)
        return 2
    _print_verdicts([v for v in outcome.verdicts if not v.ok])
    for problem in outcome.problems:
        print(f"✗ {problem}")
    if not outcome.ok:
        print("\n没有写入任何内容：请修改卡片后重新运行。")
        return 1
    if args.dry_run:
        print(f"检查通过（--dry-run，未写入）：{len(outcome.verdicts)}句例句，每个地区都有答复。")
        return 0
    print(f"已添加FAQ（{len(outcome.verdicts)}句例句），写入：")
    for path in outcome.written:
        print(f"  {path.relative_to(project.root)}")
    print("下一步：policy-team validate，然后 make train，再 policy-team regression。")
    return 0


def cmd_validate(args, project: Project) -> int:
    failed = 0
    for check in checks.run_all(project, with_rasa=not args.quick):
        if check.skipped:
            print(f"－ {check.name}：跳过（{check.skipped}）")
        elif check.problems:
            failed += 1
            print(f"✗ {check.name}：{len(check.problems)}个问题")
            for problem in check.problems:
                print(f"    {problem}")
        else:
            print(f"✓ {check.name}")
    print("\n全部通过。" if not failed else f"\n{failed}项检查没有通过。")
    return 1 if failed else 0


def cmd_new_year(args, project: Project) -> int:
    try:
        started = new_year.start_year(
            project, args.region, args.from_year, args.to_year, args.document, args.title
        )
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"已生成 {started.path.relative_to(project.root)}（年份已顺延，文件指向 {args.document}）。")
    if not started.problems:
        print("每条引文都能在新通告里找到。请仍然逐条核对数字。")
        return 0
    print(f"下面{len(started.problems)}处在新通告里找不到，请逐条对照新通告修改：")
    for problem in started.problems:
        print(f"  {problem}")
    return 1


def cmd_ask(args, project: Project) -> int:
    import json
    import urllib.error
    import urllib.request

    body = json.dumps({"sender": args.sender, "message": " ".join(args.words)}).encode()
    request = urllib.request.Request(args.url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            messages = json.loads(reply.read())
    except (urllib.error.URLError, OSError) as error:
        print(f"连不上助手（{args.url}）：请先在另一个窗口运行 make run。（{error}）", file=sys.stderr)
        return 2
    for message in messages:
        print(message.get("text") or "")
        for button in message.get("buttons") or []:
            print(f"  [{button.get('title')}]")
    return 0


def cmd_review(args, project: Project) -> int:
    """``policy-team review``: lists, shows, accepts or rejects groups, or the weekly summary."""
    try:
        loaded = review.load(
            project,
            args.date_from,
            args.date_to,
            args.days,
            args.tracker_db,
            args.endpoints,
            args.decisions,
            args.threshold,
        )
        try:
            if args.accept:
                return _review_accept(loaded, args, project)
            if args.reject:
                return _review_reject(loaded, args)
            if args.group:
                print("\n".join(review.shown_group(loaded, args.group)))
                return 0
            if args.summary:
                return _review_summary(loaded, args, project)
            print("\n".join(review.listing(loaded, args.all)))
            return 0
        finally:
            loaded.decisions.close()
    except (review.ReviewError, dec.AlreadyDecided) as error:
        print(error, file=sys.stderr)
        return 2


def _review_accept(loaded: review.Review, args, project: Project) -> int:
    if not args.intent:
        raise review.ReviewError("采纳时要用 --intent 指明这些说法属于哪个意图，例如 --intent ask_amount。")
    group = review.open_group(loaded, args.accept)
    texts = review.picked(group, args.pick)
    print(f"分组 {group.id}：{len(texts)}句，交给 add-examples 检查（意图 {args.intent}）。\n")
    with loaded.decisions.deciding(group.id) as store:
        addition = add_examples_reporting(project, args.intent, texts, args.dry_run)
        if addition is None:
            return 2
        if not addition.ok:
            print(f"分组 {group.id} 仍待处理：可用 --pick 只选通过检查的说法。")
            return 1
        if args.dry_run:
            return 0
        store.record(
            group.id,
            group.anchor,
            "accepted",
            dec.officer_name(args.officer),
            intent=args.intent,
            examples=len(texts),
            note=args.note,
        )
    print(f"分组 {group.id} 已记为“已采纳”，以后的审阅不再列出。")
    return 0


def _review_reject(loaded: review.Review, args) -> int:
    group = review.reject(loaded, args.reject, args.officer, args.note)
    print(f"分组 {group.id}（{group.count}次）已记为“已拒绝”，以后的审阅不再列出。")
    return 0


def _review_summary(loaded: review.Review, args, project: Project) -> int:
    report = review.summary_report(loaded, project, args.chart)
    print(report.table)
    path = report.chart
    print(f"\n图表：{path.relative_to(project.root) if path.is_relative_to(project.root) else path}")
    if report.warning:
        print(report.warning)
    return 0


def add_review_parser(sub) -> None:
    p = sub.add_parser("review", help="审阅助手没能解答的居民消息：分组、采纳为例句、拒绝、周报")
    p.add_argument("--from", dest="date_from", help="开始日期，年-月-日（默认：最近7天）")
    p.add_argument("--to", dest="date_to", help="结束日期（含），默认今天")
    p.add_argument("--days", type=int, default=review.DEFAULT_DAYS, help="没有 --from 时往前看几天")
    p.add_argument("--tracker-db", help="对话数据库的 SQLAlchemy 地址（默认按 bot/endpoints.yml）")
    p.add_argument("--endpoints", help="助手使用的 endpoints 文件（默认 $ENDPOINTS 或 bot/endpoints.yml）")
    p.add_argument("--threshold", type=float, help="置信度低于它算“没把握”（默认取 config.yml）")
    p.add_argument("--decisions", help="审阅记录文件（默认 data/review.db 或 $REVIEW_DB）")
    p.add_argument("--all", action="store_true", help="也列出已处理的分组")
    p.add_argument("--group", help="列出一个分组的全部说法（带序号）")
    p.add_argument("--accept", metavar="分组", help="把分组里的说法加为训练例句（经过 add-examples 的全部检查）")
    p.add_argument("--intent", help="采纳到哪个意图")
    p.add_argument("--pick", help="只采纳这些序号的说法，如 1,3")
    p.add_argument("--dry-run", action="store_true", help="采纳时只检查，不写入")
    p.add_argument("--reject", metavar="分组", help="拒绝一个分组（以后不再列出）")
    p.add_argument("--note", help="备注（拒绝的理由等）")
    p.add_argument("--officer", help="经办人（默认 $REVIEW_OFFICER 或登录名）")
    p.add_argument("--summary", action="store_true", help="汇总表和图表")
    p.add_argument("--chart", help="图表文件（默认 reports/review/summary_<开始>_<结束>.png）")
    p.set_defaults(func=cmd_review)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policy-team", description="政策团队：添加例句和FAQ、检查、对比")
    parser.add_argument("--root", help="项目目录（默认：当前目录）")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("add-examples", help="给已有意图添加训练例句（查重、查冲突）")
    p.add_argument("intent", help="意图名，如 ask_deadline")
    p.add_argument("texts", nargs="*", help="例句，可以写多句")
    p.add_argument("--file", help="每行一句的文本文件")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.set_defaults(func=cmd_add_examples)

    p = sub.add_parser("add-faq", help="用一张FAQ卡片新增一个问题类别（例句＋各地区答复＋引文）")
    p.add_argument("card", help="FAQ卡片文件（YAML）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.set_defaults(func=cmd_add_faq)

    p = sub.add_parser("new-year", help="从上一年度的文件开始新年度（年份顺延，列出要核对的事实）")
    p.add_argument("--region", required=True, help="地区，如 " + vocabulary.regions()[1]["id"])
    p.add_argument(
        "--from",
        dest="from_year",
        type=int,
        required=True,
        help=f"上一年度，如 {vocabulary.latest_year()}",
    )
    p.add_argument(
        "--to",
        dest="to_year",
        type=int,
        required=True,
        help=f"新年度，如 {vocabulary.latest_year() + 1}",
    )
    p.add_argument("--document", required=True, help="新通告在 policy_kb/seeds/ 里的文件名")
    p.add_argument("--title", required=True, help="新通告的标题")
    p.set_defaults(func=cmd_new_year)

    p = sub.add_parser("validate", help="检查全部数据：rasa data validate、知识库、引文、冲突")
    p.add_argument("--quick", action="store_true", help="不运行 rasa data validate")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("ask", help="向正在运行的助手提一个问题（先运行 make run）")
    p.add_argument("words", nargs="+", help="问题")
    # the port `make run` serves on: RASA_PORT, as bot/serving/serve.sh reads it
    port = os.environ.get("RASA_PORT") or "5005"
    p.add_argument("--url", default=f"http://127.0.0.1:{port}/webhooks/rest/webhook")
    p.add_argument("--sender", default="policy-team", help="会话编号（同一编号可以追问）")
    p.set_defaults(func=cmd_ask)

    add_review_parser(sub)

    # diff and regression belong to other modules: their own parsers read the rest
    p = sub.add_parser("diff", help="知识库变化：两个年度或两个版本之间（同 shebao diff）", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_diff)
    p = sub.add_parser("regression", help="重新训练后与上一版模型对比（留出测试集）", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_regression)
    return parser


def cmd_diff(args, project: Project) -> int:
    from policy_kb import cli as kb_cli

    return kb_cli.main(["diff", *args.rest])


def cmd_regression(args, project: Project) -> int:
    from policy_team import regression

    return regression.main(args.rest)


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    argv = list(sys.argv[1:] if argv is None else argv)
    # diff and regression belong to other modules: everything after the word is theirs
    # (argparse would stop at their options)
    rest = argv[2:] if argv[:1] == ["--root"] else argv
    if rest[:1] in (["diff"], ["regression"]):
        args = argparse.Namespace(rest=rest[1:])
        if rest is not argv:
            os.chdir(Project.find(argv[1]).root)
        return {"diff": cmd_diff, "regression": cmd_regression}[rest[0]](args, None)
    args = build_parser().parse_args(argv)
    try:
        project = Project.find(args.root)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    return args.func(args, project)


if __name__ == "__main__":
    sys.exit(main())
