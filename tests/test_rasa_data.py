"""`rasa data validate`: domain, NLU data, rules and stories are consistent."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_rasa_data_validate():
    rasa = os.path.join(os.path.dirname(sys.executable), "rasa")
    done = subprocess.run(
        [
            rasa,
            "data",
            "validate",
            "--fail-on-warnings",
            "--config",
            "config.yml",
            "--domain",
            "bot/domain",
            "--data",
            "nlu_data",
            "bot/data",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
