"""Prints the headline figures of a `rasa test nlu` report folder.

Usage: python -m tests.tools.nlu_summary reports/nlu
"""

import json
import pathlib
import sys


def summary(folder: pathlib.Path) -> dict:
    intents = json.loads((folder / "intent_report.json").read_text(encoding="utf-8"))
    out = {
        "intent_accuracy": intents["accuracy"],
        "intent_macro_f1": intents["macro avg"]["f1-score"],
    }
    for report in sorted(folder.glob("*Extractor_report.json")):
        data = json.loads(report.read_text(encoding="utf-8"))
        name = report.name.removesuffix("_report.json")
        out[f"{name}_micro_f1"] = data["micro avg"]["f1-score"]
    return out


def main(argv=None) -> int:
    folder = pathlib.Path((argv or sys.argv[1:] or ["reports/nlu"])[0])
    for key, value in summary(folder).items():
        print(f"{key}: {value:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
