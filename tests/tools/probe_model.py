"""A tiny second model for model-swap tests (tests/fixtures/probe_model): it trains in seconds,
answers PROBE_SENTENCE with PROBE_ANSWER, which the project's model never says, and gives every
other message a non-empty fallback."""

from __future__ import annotations

import pathlib
import subprocess

from tests.tools.servers import ROOT

PROBE = ROOT / "tests" / "fixtures" / "probe_model"
PROBE_SENTENCE, PROBE_ANSWER = "换模型暗号", "新模型已上线"


def train_probe(out_dir: pathlib.Path) -> pathlib.Path:
    command = [str(ROOT / ".venv" / "bin" / "rasa"), "train", "--out", str(out_dir)]
    command += ["--config", str(PROBE / "config.yml"), "--domain", str(PROBE / "domain.yml")]
    command += ["--data", str(PROBE / "data.yml"), "--fixed-model-name", "probe"]
    trained = subprocess.run(command, cwd=out_dir, capture_output=True, text=True, timeout=600)
    assert trained.returncode == 0, trained.stdout[-2000:] + trained.stderr[-2000:]
    return out_dir / "probe.tar.gz"
