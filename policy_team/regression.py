"""Compares the previous and the current trained model on the held-out NLU set.

Writes ``report.md``, ``report.json`` and ``confusion_matrix.png`` and prints a short summary
in Chinese. Usage: ``python -m policy_team.regression [--previous MODEL] [--current MODEL]
[--nlu FILE] [--out DIR] [--fail-on-worse] [--developer]``.

The officers' report shows intents, counts and F1 only: the guide tells officers never to read
the held-out sentences (what they read ends up in training data, and the figures would lie).
``--developer`` adds the changed sentences to the report and writes ``worse.yml``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import pathlib
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from policy_team import yaml_files

# Before rasa is imported; rasa, sklearn and matplotlib are imported lazily, which also keeps
# compare/write_report and --help fast.
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

DEFAULT_PREVIOUS = "models/previous.tar.gz"


@contextlib.contextmanager
def third_party_quiet():
    """Rasa, TensorFlow, jax and SQLAlchemy warn about their own deprecations while Rasa is
    imported and a model loads, and jieba logs its dictionary loading; the officer needs only
    the summary. Silenced where they come from: a warning raised in an installed library's
    file is dropped (some of them switch filters on while importing, so filters alone do not
    hold), one of the project's own code still shows."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not _installed(filename):
            shown(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.showwarning = show
        yield


def _installed(filename: str) -> bool:
    """Whether a file belongs to an installed library or Python itself, not to the project."""
    path = os.path.abspath(filename)
    return "site-packages" in path or path.startswith(os.path.abspath(sys.base_prefix))


_EPS = 1e-9  # F1 and accuracy are floats; a "drop" smaller than this is rounding noise


@dataclass
class Prediction:
    """The classifier's intent for one message; ``fallback``: the pipeline answered nlu_fallback."""

    intent: str
    confidence: float
    fallback: bool = False


@dataclass
class Scores:
    """Precision, recall and F1 of one intent for one model."""

    precision: float
    recall: float
    f1: float


@dataclass
class ModelScores:
    """Headline figures of one model."""

    accuracy: float
    macro_f1: float
    fallbacks: int


@dataclass
class IntentRow:
    """One gold intent; ``previous`` and ``f1_delta`` are None without a previous model."""

    intent: str
    support: int
    current: Scores
    previous: Scores | None = None
    f1_delta: float | None = None


@dataclass
class Change:
    """A message that was right before and wrong now, or the other way round."""

    text: str
    gold: str
    previous: str
    current: str
    previous_confidence: float
    current_confidence: float


@dataclass
class Report:
    """The comparison; ``previous`` is None when there was no previous model."""

    total: int
    current: ModelScores
    previous: ModelScores | None
    intents: list[IntentRow]  # biggest F1 drop (or, alone, lowest F1) first
    worse: list[Change]
    better: list[Change]
    dropped: list[str]  # intents whose F1 dropped, biggest drop first
    matrix_labels: list[str]
    matrix: list[list[int]]  # current model; rows gold, columns predicted


def predict(model_path: str | os.PathLike, texts: Sequence[str]) -> list[Prediction]:
    """Parses every text with the trained model archive at ``model_path``, in order."""
    import structlog

    with third_party_quiet():
        from rasa.core.agent import Agent
        from rasa.nlu.classifiers import fallback_classifier

    async def parse_all() -> list[dict]:
        agent = Agent.load(str(model_path))
        return [await agent.parse_message(text) for text in texts]

    # Unless the rasa CLI configured logging, rasa prints every parsed message (text included)
    # to stdout at debug level, which would bury the summary under hundreds of lines.
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    try:
        with third_party_quiet():
            results = asyncio.run(parse_all())
    finally:
        structlog.configure(**saved)
    predictions = []
    for result in results:
        fallback = fallback_classifier.is_fallback_classifier_prediction(result)
        if fallback:
            # As `rasa test nlu` does: scoring "nlu_fallback" would hide which intent the
            # classifier confused the message with, and make figures differ from nlu-eval's.
            result = fallback_classifier.undo_fallback_prediction(result)
        intent = result.get("intent") or {}
        confidence = float(intent.get("confidence") or 0.0)
        predictions.append(Prediction(intent.get("name") or "", confidence, fallback))
    return predictions


def _score(gold: list[str], predictions: Sequence[Prediction], labels: list[str]):
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    predicted = [p.intent for p in predictions]
    precision, recall, f1, _ = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    rows = {
        k: Scores(float(precision[i]), float(recall[i]), float(f1[i])) for i, k in enumerate(labels)
    }
    fallbacks = sum(p.fallback for p in predictions)
    return ModelScores(float(accuracy_score(gold, predicted)), float(f1.mean()), fallbacks), rows


def compare(
    examples: Sequence[tuple[str, str]],
    previous: Sequence[Prediction] | None,
    current: Sequence[Prediction],
) -> Report:
    """Scores both models against the gold intents and lists what changed.

    Macro F1 averages over the gold intents only, so an intent only one model invents does
    not lower the other model's score.

    Args:
        examples: ``(text, gold intent)`` pairs.
        previous: The previous model's predictions, aligned with ``examples``, or None.
        current: The current model's predictions, aligned with ``examples``.

    Raises:
        ValueError: No examples, or predictions not aligned with them.
    """
    if not examples:
        raise ValueError("no examples to compare")
    if len(current) != len(examples) or (previous is not None and len(previous) != len(examples)):
        raise ValueError("predictions and examples differ in length")
    from sklearn.metrics import confusion_matrix

    gold = [intent for _, intent in examples]
    labels = sorted(set(gold))
    new_scores, new_rows = _score(gold, current, labels)
    old_scores, old_rows = _score(gold, previous, labels) if previous is not None else (None, {})
    rows = []
    for label in labels:
        old = old_rows.get(label)
        delta = new_rows[label].f1 - old.f1 if old else None
        rows.append(IntentRow(label, gold.count(label), new_rows[label], old, delta))
    rows.sort(key=lambda r: (r.current.f1 if r.f1_delta is None else r.f1_delta, r.intent))

    worse, better = [], []
    for (text, truth), old, new in zip(examples, previous or [], current):
        change = Change(text, truth, old.intent, new.intent, old.confidence, new.confidence)
        if old.intent == truth != new.intent:
            worse.append(change)
        elif old.intent != truth == new.intent:
            better.append(change)

    # Intents outside the held-out set still get a column, or those errors would vanish.
    matrix_labels = labels + sorted({p.intent for p in current} - set(labels))
    matrix = confusion_matrix(gold, [p.intent for p in current], labels=matrix_labels)
    return Report(
        total=len(examples),
        current=new_scores,
        previous=old_scores,
        intents=rows,
        worse=worse,
        better=better,
        dropped=[r.intent for r in rows if r.f1_delta is not None and r.f1_delta < -_EPS],
        matrix_labels=matrix_labels,
        matrix=matrix.tolist(),
    )


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _prf(s: Scores | None) -> str:
    return "—" if s is None else f"{s.precision:.2f} / {s.recall:.2f} / {s.f1:.2f}"


def _markdown(report: Report, sentences: bool = False) -> str:
    old, new = report.previous, report.current
    acc_delta = "—" if old is None else f"{(new.accuracy - old.accuracy) * 100:+.1f} 个百分点"
    f1_delta = "—" if old is None else f"{new.macro_f1 - old.macro_f1:+.3f}"
    lines = [
        "# NLU 回归报告\n\n## 总体\n",
        "没有上一版模型，本报告只评估本版模型。\n" if old is None else "",
        f"留出集共 {report.total} 条消息、{len(report.intents)} 个意图。\n",
        "| 指标 | 上一版 | 本版 | 变化 |\n| --- | --- | --- | --- |",
        f"| 准确率 | {old and _pct(old.accuracy) or '—'} | {_pct(new.accuracy)} | {acc_delta} |",
        f"| 宏平均 F1 | {old and f'{old.macro_f1:.3f}' or '—'} | {new.macro_f1:.3f} | {f1_delta} |",
        f"| 转兜底（nlu_fallback）的消息 | {old.fallbacks if old else '—'} | {new.fallbacks} | — |",
        f"\n变差的消息 {len(report.worse)} 条，变好的消息 {len(report.better)} 条。" if old else "",
        "\n## 各意图\n\n精确率 / 召回率 / F1；"
        + ("F1 最低的意图在前。\n" if old is None else "F1 下降最多的意图在前，下降的加粗。\n"),
        "| 意图 | 样本数 | 上一版 | 本版 | 变化 |\n| --- | --- | --- | --- | --- |",
    ]
    for row in report.intents:
        delta = "—" if row.f1_delta is None else f"{row.f1_delta:+.2f}"
        name = f"**{row.intent}**" if row.intent in report.dropped else row.intent
        lines.append(
            f"| {name} | {row.support} | {_prf(row.previous)} | {_prf(row.current)} | {delta} |"
        )
    for title, changes in (("变差的消息", report.worse), ("变好的消息", report.better)):
        lines.append(f"\n## {title}\n")
        if old is None or not changes:
            lines.append("没有上一版模型，无从比较。" if old is None else "没有。")
            continue
        if not sentences:  # officers see how many, per intent; never the held-out sentences
            lines.append(_counts_by_intent(changes))
            continue
        lines.append("| 消息 | 正确意图 | 上一版（置信度） | 本版（置信度） |\n| --- | --- | --- | --- |")
        for c in changes:
            text = c.text.replace("|", "\\|").replace("\n", " ")
            old_guess = f"{c.previous}（{c.previous_confidence:.2f}）"
            lines.append(
                f"| {text} | {c.gold} | {old_guess} | {c.current}（{c.current_confidence:.2f}） |"
            )
    lines.append("\n## 本版混淆矩阵\n\n![本版混淆矩阵](confusion_matrix.png)\n")
    return "\n".join(line for line in lines if line)


def _counts_by_intent(changes) -> str:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.gold] = counts.get(change.gold, 0) + 1
    rows = [f"| {intent} | {n} |" for intent, n in sorted(counts.items(), key=lambda c: -c[1])]
    head = f"共 {len(changes)} 条（例句只在开发人员版报告里：--developer）。\n"
    return "\n".join([head, "| 正确意图 | 条数 |\n| --- | --- |", *rows])


def _confusion_png(report: Report, path: pathlib.Path) -> None:
    # The object-oriented API on the Agg canvas: no pyplot global state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels, counts = report.matrix_labels, report.matrix
    size = max(6.0, 0.42 * len(labels) + 3)
    figure = Figure(figsize=(size, size * 0.92), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # Colour by share of the gold row so errors stand out in big and small intents alike.
    shares = [[c / (sum(row) or 1) for c in row] for row in counts]
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            if count:  # hundreds of zeros would bury the few errors
                colour = "white" if shares[i][j] > 0.5 else "black" if i == j else "firebrick"
                axes.text(j, i, str(count), ha="center", va="center", fontsize=7, color=colour)
    axes.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set(
        xlabel="predicted intent",
        ylabel="gold intent",
        title="Intent confusion matrix, current model",
    )
    figure.colorbar(image, ax=axes, fraction=0.04, label="share of the gold intent's messages")
    figure.tight_layout()
    figure.savefig(path)


def write_report(
    report: Report, out_dir: str | os.PathLike, sentences: bool = False
) -> dict[str, pathlib.Path]:
    """Writes report.md, report.json and confusion_matrix.png into ``out_dir``; with
    ``sentences`` (developers only) also worse.yml, and the changed sentences in all of them.

    Args:
        report: The result of ``compare``.
        out_dir: The folder; created when missing, its report files are overwritten.
        sentences: Whether the held-out sentences may appear (never in the officers' report).

    Returns:
        The paths, keyed ``markdown``, ``json``, ``confusion_matrix`` (and ``worse``).
    """
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = {"markdown": "report.md", "json": "report.json", "worse": "worse.yml"}
    paths = {key: out / name for key, name in names.items()}
    paths["confusion_matrix"] = out / "confusion_matrix.png"
    paths["markdown"].write_text(_markdown(report, sentences), encoding="utf-8")
    data = dataclasses.asdict(report)
    if not sentences:  # which intents changed and how often, not what was said
        for key in ("worse", "better"):
            data[key] = [{k: v for k, v in c.items() if k != "text"} for c in data[key]]
    as_json = json.dumps(data, ensure_ascii=False, indent=2)
    paths["json"].write_text(as_json + "\n", encoding="utf-8")
    if sentences:
        worse = [dataclasses.asdict(change) for change in report.worse]
        paths["worse"].write_text(yaml_files.dumps(worse, yaml_files.FLUSH), encoding="utf-8")
    else:
        paths.pop("worse").unlink(missing_ok=True)  # a developer's earlier list goes
    _confusion_png(report, paths["confusion_matrix"])
    return paths


def summary(report: Report, out_dir: str | os.PathLike) -> str:
    """The Chinese summary ``main`` prints."""
    old, new = report.previous, report.current
    if old is None:
        worst = sorted(report.intents, key=lambda r: (r.current.f1, r.intent))[:5]
        lines = [
            "没有上一版模型，只评估了本版模型。",
            f"准确率：{_pct(new.accuracy)}",
            f"宏平均 F1：{new.macro_f1:.3f}",
            "F1 最低的意图：" + "、".join(f"{r.intent}（{r.current.f1:.2f}）" for r in worst),
        ]
    else:
        deltas = {r.intent: r.f1_delta for r in report.intents}
        dropped = "、".join(f"{i}（{deltas[i]:+.2f}）" for i in report.dropped[:5])
        lines = [
            f"准确率：{_pct(old.accuracy)} → {_pct(new.accuracy)}"
            f"（{(new.accuracy - old.accuracy) * 100:+.1f} 个百分点）",
            f"宏平均 F1：{old.macro_f1:.3f} → {new.macro_f1:.3f}",
            f"变差的消息：{len(report.worse)} 条；变好的消息：{len(report.better)} 条",
            f"F1 下降最多的意图：{dropped or '无'}",
        ]
    return "\n".join([*lines, f"报告目录：{out_dir}"])


def load_examples(path: str | os.PathLike) -> list[tuple[str, str]]:
    """``(text, intent)`` pairs of a Rasa NLU file, entity annotations stripped."""
    with third_party_quiet():
        from rasa.shared.nlu.training_data.loading import load_data

        examples = load_data(str(path), language="zh").training_examples
    return [(m.get("text"), m.get("intent")) for m in examples if m.get("text") and m.get("intent")]


def _error(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m policy_team.regression",
        description="比较上一版和本版模型在留出集上的意图识别，写出回归报告。",
    )
    parser.add_argument("--previous", help=f"上一版模型（默认 {DEFAULT_PREVIOUS}；没有则只评估本版）")
    parser.add_argument("--current", default="models/current.tar.gz", help="本版模型（%(default)s）")
    parser.add_argument("--nlu", default="tests/data/nlu_holdout.yml", help="留出集（%(default)s）")
    parser.add_argument("--out", default="reports/regression", help="报告目录（%(default)s）")
    parser.add_argument("--fail-on-worse", action="store_true", help="有消息变差或准确率下降时退出码为 1")
    parser.add_argument(
        "--developer",
        action="store_true",
        help="开发人员用：报告里列出变差、变好的留出集例句并写 worse.yml（政策团队不看留出集）",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: 0 done, 1 worse with --fail-on-worse, 2 unusable input."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help or a usage error, already explained by argparse
        return int(stop.code or 0)

    current = pathlib.Path(args.current)
    if not current.is_file():
        return _error(f"找不到本版模型 {current}。请先运行 `make train`，或用 --current 指定模型文件。")
    # A mistyped --previous must not quietly turn the comparison (and --fail-on-worse) off.
    if args.previous is not None and not pathlib.Path(args.previous).is_file():
        return _error(f"找不到上一版模型 {args.previous}。")
    if not pathlib.Path(args.nlu).is_file():
        return _error(f"找不到留出集文件 {args.nlu}。")
    try:
        examples = load_examples(args.nlu)
    except Exception as error:  # rasa raises several unrelated types for a broken file
        return _error(f"无法读取留出集 {args.nlu}：{error}")
    if not examples:
        return _error(f"留出集 {args.nlu} 里没有带意图的例句。")
    previous: pathlib.Path | None = pathlib.Path(args.previous or DEFAULT_PREVIOUS)
    if not previous.is_file():
        print(f"没有找到上一版模型 {previous}，本次只评估本版模型，不做比较。")
        previous = None

    texts = [text for text, _ in examples]
    parsed: dict[pathlib.Path, list[Prediction]] = {}
    for model in (previous, current):
        # Loading takes 10-20 s; comparing a model with itself needs only one load.
        if model is not None and model.resolve() not in parsed:
            try:
                parsed[model.resolve()] = predict(model, texts)
            except Exception as error:  # a corrupt or incompatible archive, whatever the type
                return _error(f"无法用模型 {model} 解析消息：{error}")
    old = parsed[previous.resolve()] if previous else None
    report = compare(examples, old, parsed[current.resolve()])
    try:
        write_report(report, args.out, sentences=args.developer)
    except OSError as error:
        return _error(f"无法写入报告目录 {args.out}：{error}")
    print(summary(report, args.out))

    if args.fail_on_worse and report.previous is None:
        print("没有上一版模型可比较，--fail-on-worse 没有可检查的内容。")
    elif args.fail_on_worse and (
        report.worse or report.current.accuracy < report.previous.accuracy - _EPS
    ):
        print("有消息变差或准确率下降（--fail-on-worse），退出码 1。")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
