"""Starting the scaled mode (bot/serving/scaled.py) on test ports, as `make run-scaled` starts it.

Used by the scaled tests and `make bench-scaled`; each run gets its own PostgreSQL database
and Redis key prefix (tests/tools/stores.py), so runs never see each other's conversations.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

from tests.tools.servers import ROOT, ServersDidNotStart


@contextlib.contextmanager
def scaled_serving(
    run_dir: pathlib.Path,
    rasa_port: int,
    action_port: int,
    replicas: int = 2,
    action_servers: int = 1,
    extra_env: dict | None = None,
    timeout: float = 300.0,
):
    """Runs the launcher until the block ends; yields ports, paths and the processes."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_dir / "launcher.log"
    env = dict(
        os.environ,
        RASA_PORT=str(rasa_port),
        ACTION_PORT=str(action_port),
        REPLICAS=str(replicas),
        ACTION_SERVERS=str(action_servers),
        SCALED_RUN_DIR=str(run_dir),
        **(extra_env or {}),
    )
    log = open(log_path, "ab")
    started = time.perf_counter()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot.serving.scaled"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while b"assistant ready" not in log_path.read_bytes():
            if launcher.poll() is not None or time.perf_counter() - started > timeout:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise ServersDidNotStart(f"scaled mode did not start:\n{tail}")
            time.sleep(0.3)
        replica_ports = [rasa_port + 1 + i for i in range(replicas)]
        yield {
            "base": f"http://127.0.0.1:{rasa_port}",
            "url": f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            "replica_urls": [f"http://127.0.0.1:{p}/webhooks/rest/webhook" for p in replica_ports],
            "replica_ports": replica_ports,
            "run_dir": run_dir,
            "log": log_path,
            "access_log": run_dir / "logs" / "nginx-access.log",
            "launcher": launcher,
            "ready_seconds": time.perf_counter() - started,
        }
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGTERM)  # the launcher stops its children
        try:
            launcher.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
        log.close()


def processes(run_dir: pathlib.Path) -> dict:
    """{name: {"pid", "port"}} of the launcher's children (rasa-1…, actions-1…, nginx)."""
    return json.loads((run_dir / "processes.json").read_text())
