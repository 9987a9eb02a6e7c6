"""Starting and stopping both servers with bot/serving/serve.sh, as the README's `make run` does.

Used by the test fixtures and the benchmark, on their own ports, with their own tracker store.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import subprocess
import sys
import time

from policy_team.project import RASA_DATA_ARGS

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "current.tar.gz"


class ServersDidNotStart(RuntimeError):
    """bot/serving/serve.sh exited or did not report ready in time; the message ends with its log."""


def write_endpoints(
    tmp: pathlib.Path, action_port: int, tracker_store: str | None = None
) -> pathlib.Path:
    """An endpoints file for these ports; the tracker store is ``tmp/trackers.db`` unless
    ``tracker_store`` gives the YAML of another one (e.g. PostgreSQL)."""
    store = tracker_store or f'  type: SQL\n  dialect: "sqlite"\n  db: "{tmp / "trackers.db"}"\n'
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f"tracker_store:\n{store}",
        encoding="utf-8",
    )
    return endpoints


@contextlib.contextmanager
def serving(
    tmp: pathlib.Path,
    rasa_port: int,
    action_port: int,
    extra_env=None,
    timeout=180.0,
    tracker_store: str | None = None,
):
    """Runs both servers until the block ends; yields URLs, paths and the launch-to-ready time.

    Ready means serve.sh saw both servers answer and warmed them ("assistant ready"). The
    tracker store is ``tmp/trackers.db``: serving the same ``tmp`` again continues the
    conversations.
    """
    endpoints = write_endpoints(tmp, action_port, tracker_store)
    log_path = tmp / "serve.log"
    start_offset = log_path.stat().st_size if log_path.exists() else 0
    env = dict(
        os.environ,
        RASA_PORT=str(rasa_port),
        ACTION_PORT=str(action_port),
        ENDPOINTS=str(endpoints),
        RASA_TELEMETRY_ENABLED="false",
        **(extra_env or {}),
    )
    log = open(log_path, "ab")
    started = time.perf_counter()
    process = subprocess.Popen(
        ["bash", "bot/serving/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while True:
            with open(log_path, "rb") as fh:
                fh.seek(start_offset)
                if b"assistant ready" in fh.read():
                    break
            if process.poll() is not None or time.perf_counter() - started > timeout:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise ServersDidNotStart(f"servers did not start:\n{tail}")
            time.sleep(0.2)
        yield {
            "url": f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            "base": f"http://127.0.0.1:{rasa_port}",
            "endpoints": endpoints,
            "tmp": tmp,
            "trackers": tmp / "trackers.db",
            "log": log_path,
            "ready_seconds": time.perf_counter() - started,
            "pid": process.pid,
        }
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


# The project's data, as `make train` passes it to Rasa.
PROJECT_DATA = RASA_DATA_ARGS


def run_rasa(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Runs the venv's `rasa` command in the project root, telemetry off, output captured."""
    rasa = os.path.join(os.path.dirname(sys.executable), "rasa")
    return subprocess.run(
        [rasa, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
    )
