"""The model regression report (policy_team.regression): compare and write_report on hand-made
predictions, the command line with a stand-in for the model, and one run with the real model."""

import json

import pytest
import yaml

from policy_team import regression
from policy_team.regression import Prediction, compare, main, summary, write_report
from tests.tools.servers import MODEL

EXAMPLES = [
    ("威海医保一档多少钱", "ask_amount"),
    ("一档一年交多少", "ask_amount"),
    ("什么时候截止交费", "ask_deadline"),
    ("青岛医保电话多少", "ask_hotline"),
    ("在哪里交养老保险", "ask_channels"),
    ("你好", "greet"),
]
GOLD = [intent for _, intent in EXAMPLES]
HOTLINE = 3  # index of the ask_hotline example


def guesses(intents, confidence=0.9):
    return [Prediction(intent, confidence) for intent in intents]


def but(index, intent):
    """The gold intents with one message predicted as ``intent``."""
    return [intent if i == index else gold for i, gold in enumerate(GOLD)]


def write_nlu(path, examples):
    """A Rasa NLU YAML file; the first example carries an entity annotation, as real ones do."""
    by_intent = {}
    for text, intent in examples:
        by_intent.setdefault(intent, []).append(text.replace("威海", "[威海](region)", 1))
    blocks = [
        f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {t}\n" for t in texts)
        for intent, texts in by_intent.items()
    ]
    path.write_text('version: "3.1"\nnlu:\n' + "".join(blocks), encoding="utf-8")
    return path


# ---------------------------------------------------------------------- compare


@pytest.mark.parametrize(
    "previous, current, worse, better",
    [
        # right before, wrong now: listed as worse with both predictions
        (GOLD, but(HOTLINE, "greet"), [("青岛医保电话多少", "ask_hotline", "greet")], []),
        # wrong before, right now: listed as better
        (but(0, "ask_deadline"), GOLD, [], [("威海医保一档多少钱", "ask_deadline", "ask_amount")]),
        # wrong both times, just differently: neither worse nor better
        (but(HOTLINE, "greet"), but(HOTLINE, "ask_amount"), [], []),
        # nothing changed
        (GOLD, GOLD, [], []),
    ],
)
def test_changed_messages_are_listed_with_both_predictions(previous, current, worse, better):
    report = compare(EXAMPLES, guesses(previous, 0.8), guesses(current, 0.6))
    assert [(c.text, c.previous, c.current) for c in report.worse] == worse
    assert [(c.text, c.previous, c.current) for c in report.better] == better
    for change in report.worse + report.better:
        assert change.gold == dict(EXAMPLES)[change.text]
        assert (change.previous_confidence, change.current_confidence) == (0.8, 0.6)


@pytest.mark.parametrize(
    "current, dropped, deltas",
    [
        # hotline question sent to greet: ask_hotline loses recall, greet precision
        (but(HOTLINE, "greet"), ["ask_hotline", "greet"], {"ask_hotline": -1.0, "greet": -1 / 3}),
        # one of two ask_amount messages missed: recall 1/2, F1 2/3
        (but(1, "ask_channels"), ["ask_amount", "ask_channels"], {"ask_amount": -1 / 3}),
        # an intent outside the held-out set: only the gold intent's F1 drops
        (but(HOTLINE, "thank"), ["ask_hotline"], {"ask_hotline": -1.0, "greet": 0.0}),
        # no change: nothing flagged
        (GOLD, [], {"ask_amount": 0.0, "greet": 0.0}),
    ],
)
def test_intents_whose_f1_dropped_are_flagged(current, dropped, deltas):
    report = compare(EXAMPLES, guesses(GOLD), guesses(current))
    assert report.dropped == dropped
    rows = {row.intent: row for row in report.intents}
    assert set(rows) == set(GOLD)  # gold intents only, never "thank"
    for intent, delta in deltas.items():
        assert rows[intent].f1_delta == pytest.approx(delta)
    assert [row.intent for row in report.intents[: len(dropped)]] == dropped  # worst first
    assert rows["ask_amount"].support == 2


@pytest.mark.parametrize(
    "previous, current, accuracies, macro_f1s",
    [
        # both perfect
        (GOLD, GOLD, (1.0, 1.0), (1.0, 1.0)),
        # one of six wrong now; F1 ask_hotline 0, greet 2/3, the other three 1
        (GOLD, but(HOTLINE, "greet"), (1.0, 5 / 6), (1.0, (3 + 2 / 3) / 5)),
        # two of six wrong before (both to greet), all right now; F1 before: ask_amount 2/3,
        # greet 1/2 (precision 1/3), ask_hotline 0, the other two 1
        (
            ["greet", "ask_amount", "ask_deadline", "greet", "ask_channels", "greet"],
            GOLD,
            (4 / 6, 1.0),
            ((2 / 3 + 1 / 2 + 0 + 2) / 5, 1.0),
        ),
    ],
)
def test_accuracy_and_macro_f1_are_exact(previous, current, accuracies, macro_f1s):
    report = compare(EXAMPLES, guesses(previous), guesses(current))
    assert (report.previous.accuracy, report.current.accuracy) == pytest.approx(accuracies)
    assert (report.previous.macro_f1, report.current.macro_f1) == pytest.approx(macro_f1s)
    assert report.total == len(EXAMPLES)


def test_without_a_previous_model_the_report_covers_the_current_one_only(tmp_path):
    report = compare(EXAMPLES, None, guesses(but(HOTLINE, "greet")))
    assert report.previous is None
    assert report.worse == report.better == report.dropped == []
    assert all(row.previous is None and row.f1_delta is None for row in report.intents)
    assert report.current.accuracy == pytest.approx(5 / 6)
    assert report.intents[0].intent == "ask_hotline"  # lowest F1 first
    paths = write_report(report, tmp_path, sentences=True)
    assert "没有上一版模型" in paths["markdown"].read_text(encoding="utf-8")
    assert yaml.safe_load(paths["worse"].read_text(encoding="utf-8")) == []
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["previous"] is None
    text = summary(report, tmp_path)
    assert "只评估了本版模型" in text and "83.3%" in text and "→" not in text


def test_predictions_must_match_the_examples():
    with pytest.raises(ValueError):
        compare(EXAMPLES, None, guesses(GOLD[:-1]))
    with pytest.raises(ValueError):
        compare([], None, [])


# ---------------------------------------------------------------------- write_report


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A developer's report with one worse and one better message, written once."""
    previous = guesses(but(0, "greet"))
    current = guesses(but(HOTLINE, "ask_amount"))
    report = compare(EXAMPLES, previous, current)
    return report, write_report(report, tmp_path_factory.mktemp("report"), sentences=True)


def test_the_officers_report_shows_intents_counts_and_f1_never_sentences(tmp_path):
    report = compare(EXAMPLES, guesses(but(0, "greet")), guesses(but(HOTLINE, "ask_amount")))
    (tmp_path / "worse.yml").write_text("- an old developer's list\n", encoding="utf-8")
    paths = write_report(report, tmp_path)
    markdown = paths["markdown"].read_text(encoding="utf-8")
    as_json = paths["json"].read_text(encoding="utf-8")
    for text, _ in EXAMPLES:
        assert text not in markdown and text not in as_json
    assert "| 意图 | 样本数 | 上一版 | 本版 | 变化 |" in markdown and "ask_hotline" in markdown
    worse = markdown.split("## 变差的消息")[1].split("## 变好的消息")[0]
    assert "| ask_hotline | 1 |" in worse and "--developer" in worse
    assert not (tmp_path / "worse.yml").exists() and "worse" not in paths


def test_report_files_are_written_into_the_folder(written):
    # (the developer's version: --developer)
    _, paths = written
    assert {path.name for path in paths.values()} == {
        "report.md",
        "report.json",
        "worse.yml",
        "confusion_matrix.png",
    }
    assert all(path.is_file() for path in paths.values())


def test_confusion_matrix_is_a_real_png(written):
    data = written[1]["confusion_matrix"].read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000


def test_markdown_has_the_chinese_headings_and_the_changed_messages(written):
    markdown = written[1]["markdown"].read_text(encoding="utf-8")
    for heading in ("## 总体", "## 各意图", "## 变差的消息", "## 变好的消息"):
        assert heading in markdown
    assert "| 意图 | 样本数 | 上一版 | 本版 | 变化 |" in markdown
    worse = markdown.split("## 变差的消息")[1].split("## 变好的消息")[0]
    assert "青岛医保电话多少 | ask_hotline | ask_hotline（0.90） | ask_amount（0.90）" in worse


def test_json_and_worse_yml_hold_the_worse_message(written):
    report, paths = written
    worse = yaml.safe_load(paths["worse"].read_text(encoding="utf-8"))
    assert worse == [
        {
            "text": "青岛医保电话多少",
            "gold": "ask_hotline",
            "previous": "ask_hotline",
            "current": "ask_amount",
            "previous_confidence": 0.9,
            "current_confidence": 0.9,
        }
    ]
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["worse"] == worse and data["dropped"] == report.dropped


# ---------------------------------------------------------------------- main, model stood in


@pytest.fixture
def fake_models(tmp_path, monkeypatch):
    """Model files whose predictions come from their name: previous.tar.gz right, current wrong
    on the hotline question. Runs in tmp_path so that the default paths point nowhere."""
    models = tmp_path / "models"
    models.mkdir()
    for name in ("previous.tar.gz", "current.tar.gz"):
        (models / name).write_bytes(b"not a model")
    answers = {"previous.tar.gz": GOLD, "current.tar.gz": but(HOTLINE, "greet")}
    monkeypatch.setattr(regression, "predict", lambda path, texts: guesses(answers[path.name]))
    monkeypatch.chdir(tmp_path)
    write_nlu(tmp_path / "nlu.yml", EXAMPLES)
    return tmp_path


@pytest.mark.parametrize(
    "flags, code",
    [
        # a worse message is reported, not a failure
        ([], 0),
        # ... unless asked for
        (["--fail-on-worse"], 1),
    ],
)
def test_main_compares_previous_and_current(fake_models, capsys, flags, code):
    assert main(["--nlu", "nlu.yml", *flags]) == code
    out = capsys.readouterr().out
    assert "准确率：100.0% → 83.3%" in out and "变差的消息：1 条" in out
    assert "ask_hotline" in out and "reports/regression" in out
    # the officers' report: no held-out sentences, so no worse.yml
    assert not (fake_models / "reports" / "regression" / "worse.yml").exists()
    assert main(["--nlu", "nlu.yml", "--developer"]) == 0
    assert (fake_models / "reports" / "regression" / "worse.yml").is_file()


def test_main_without_previous_model_says_so(fake_models, capsys):
    (fake_models / "models" / "previous.tar.gz").unlink()
    assert main(["--nlu", "nlu.yml", "--out", "out", "--fail-on-worse"]) == 0
    out = capsys.readouterr().out
    assert "没有找到上一版模型 models/previous.tar.gz" in out and "只评估了本版模型" in out
    assert json.loads((fake_models / "out" / "report.json").read_text())["previous"] is None


@pytest.mark.parametrize(
    "argv, message",
    [
        # no trained model
        (["--current", "models/missing.tar.gz"], "找不到本版模型"),
        # a mistyped --previous must not silently skip the comparison
        (["--previous", "models/typo.tar.gz"], "找不到上一版模型"),
        # no held-out file
        (["--nlu", "missing.yml"], "找不到留出集"),
        # a file that is not Rasa NLU data
        (["--nlu", "broken.yml"], "留出集"),
        # unknown option: argparse's usage message
        (["--bogus"], "unrecognized arguments"),
    ],
)
def test_main_explains_unusable_input_without_traceback(fake_models, capsys, argv, message):
    (fake_models / "broken.yml").write_text("nlu:\n- intent: [unclosed\n", encoding="utf-8")
    assert main(["--nlu", "nlu.yml", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# ---------------------------------------------------------------------- the trained model


@pytest.mark.server
@pytest.mark.skipif(
    not MODEL.exists(), reason="no trained model at models/current.tar.gz (run `make train`)"
)
def test_trained_model_compared_with_itself_changes_nothing(tmp_path, capsys, monkeypatch):
    loads = []
    real_predict = regression.predict
    monkeypatch.setattr(
        regression, "predict", lambda path, texts: loads.append(path) or real_predict(path, texts)
    )
    nlu = write_nlu(
        tmp_path / "nlu.yml",
        [
            ("威海医保一档多少钱", "ask_amount"),
            ("山亭养老保险一年交多少钱", "ask_amount"),
            ("什么时候截止交费", "ask_deadline"),
            ("青岛医保电话多少", "ask_hotline"),
            ("在哪里交养老保险", "ask_channels"),
            ("你好", "greet"),
        ],
    )
    out = tmp_path / "report"
    argv = ["--previous", str(MODEL), "--current", str(MODEL), "--nlu", str(nlu), "--out", str(out)]
    argv.append("--developer")
    assert main([*argv, "--fail-on-worse"]) == 0
    assert len(loads) == 1  # the same archive twice is loaded once
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["worse"] == [] and data["better"] == []
    assert data["previous"]["accuracy"] == data["current"]["accuracy"]
    assert data["total"] == 6
    for name in ("report.md", "report.json", "worse.yml", "confusion_matrix.png"):
        assert (out / name).stat().st_size > 0
    assert "变差的消息：0 条" in capsys.readouterr().out
