"""`rasa data validate`: domain, NLU data, rules and stories are consistent."""

from tests.tools.servers import PROJECT_DATA, run_rasa


def test_rasa_data_validate():
    done = run_rasa("data", "validate", "--fail-on-warnings", *PROJECT_DATA, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
