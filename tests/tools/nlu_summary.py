"""Prints the headline figures of a `rasa test nlu` report folder.

Rasa reports each entity extractor against all entity labels, so an extractor that only
handles ages looks bad on regions. The combined entity figure takes, for each label, the
extractor responsible for it (the one with the best F1 on that label) and adds up its true
positives, predictions and gold annotations (micro average).

Usage: python -m tests.tools.nlu_summary reports/nlu
"""

import json
import pathlib
import sys

SUMMARY_ROWS = {"micro avg", "macro avg", "weighted avg", "accuracy"}


def summary(folder: pathlib.Path) -> dict:
    intents = json.loads((folder / "intent_report.json").read_text(encoding="utf-8"))
    out = {
        "intent_accuracy": intents["accuracy"],
        "intent_macro_f1": intents["macro avg"]["f1-score"],
    }
    best: dict[str, dict] = {}
    for report in sorted(folder.glob("*Extractor_report.json")):
        data = json.loads(report.read_text(encoding="utf-8"))
        for label, row in data.items():
            if label in SUMMARY_ROWS or not isinstance(row, dict) or "support" not in row:
                continue
            if label not in best or row["f1-score"] > best[label]["f1-score"]:
                best[label] = row
    tp = predicted = gold = 0.0
    for row in best.values():
        hits = row["recall"] * row["support"]
        tp += hits
        gold += row["support"]
        predicted += hits / row["precision"] if row["precision"] else 0
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    out["entity_precision"] = precision
    out["entity_recall"] = recall
    out["entity_micro_f1"] = 2 * precision * recall / (precision + recall) if tp else 0.0
    for label, row in sorted(best.items()):
        out[f"entity_f1[{label}]"] = row["f1-score"]
    return out


def main(argv=None) -> int:
    folder = pathlib.Path((argv or sys.argv[1:] or ["reports/nlu"])[0])
    for key, value in summary(folder).items():
        print(f"{key}: {value:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
