"""The scaled mode: N Rasa replicas and M action servers behind nginx (``make run-scaled``).

``python -m bot.serving.scaled`` (REPLICAS, ACTION_SERVERS, RASA_PORT, ACTION_PORT from the
environment) checks that PostgreSQL and Redis answer (bot/serving/shared_stores.py) and that every
port is free, writes an nginx configuration into the run directory and starts, all on
127.0.0.1:

- M action servers on ACTION_SERVER_PORT_BASE, +1… (default ACTION_PORT + 1…);
- N Rasa replicas (``bot.serving.runtime run``, ``bot/endpoints.scaled.yml``) on REPLICA_PORT_BASE,
  +1… (default RASA_PORT + 1…), each calling the action servers through nginx;
- nginx on RASA_PORT (all channels, round robin over the replicas) and on ACTION_PORT (the
  action servers).

It prints "assistant ready" once every process it started holds its port and answers, then
restarts a replica or action server that exits (as systemd's Restart=on-failure or
Kubernetes would), and stops everything on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from bot.serving import ports, shared_stores
from bot.serving.balancer import nginx_config

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BIN = ROOT / ".venv" / "bin"
READY_TIMEOUT = 600.0
CRASH_LOOP = 3  # exits within a minute of starting before the launcher gives up


@dataclass
class Layout:
    replicas: int
    action_servers: int
    rasa_port: int
    action_port: int
    run_dir: pathlib.Path

    @property
    def replica_ports(self) -> list[int]:
        base = int(os.environ.get("REPLICA_PORT_BASE") or self.rasa_port + 1)
        return [base + i for i in range(self.replicas)]

    @property
    def action_ports(self) -> list[int]:
        base = int(os.environ.get("ACTION_SERVER_PORT_BASE") or self.action_port + 1)
        return [base + i for i in range(self.action_servers)]

    @classmethod
    def from_env(cls) -> Layout:
        env = os.environ
        return cls(
            replicas=max(1, int(env.get("REPLICAS") or 2)),
            action_servers=max(1, int(env.get("ACTION_SERVERS") or 1)),
            rasa_port=int(env.get("RASA_PORT") or 5005),
            action_port=int(env.get("ACTION_PORT") or 5055),
            run_dir=pathlib.Path(env.get("SCALED_RUN_DIR") or ROOT / "data" / "scaled"),
        )


@dataclass
class Child:
    name: str
    port: int
    command: list[str]
    health: str  # URL that answers 200 once the process serves
    process: subprocess.Popen | None = None
    started: float = 0.0
    exits: list[float] = field(default_factory=list)


class Launcher:
    def __init__(self, layout: Layout, env: dict[str, str]) -> None:
        self.layout = layout
        self.env = env
        self.logs = layout.run_dir / "logs"
        self.token = os.environ.get("RASA_AUTH_TOKEN") or secrets.token_hex(24)
        self.children = self._children()
        self.stopping = False

    def _children(self) -> list[Child]:
        layout, run = self.layout, self.layout.run_dir
        model = os.environ.get("MODEL") or str(ROOT / "models" / "current.tar.gz")
        children = [
            Child(
                f"actions-{i + 1}",
                port,
                [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
                f"http://127.0.0.1:{port}/health",
            )
            for i, port in enumerate(layout.action_ports)
        ]
        # the HTTP API, behind a token, for `make deploy-model` (bot/serving/deploy_model.py)
        # one argument: a token starting with "-" would otherwise read as an option
        api = ["--enable-api", f"--auth-token={self.token}"]
        for i, port in enumerate(layout.replica_ports):
            command = [str(BIN / "python"), "-m", "bot.serving.runtime", "run", "--model", model]
            command += ["--interface", "127.0.0.1", "--port", str(port)]
            command += ["--credentials", "bot/credentials.yml"]
            command += ["--endpoints", "bot/endpoints.scaled.yml", *api]
            children.append(Child(f"rasa-{i + 1}", port, command, f"http://127.0.0.1:{port}/"))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        conf = run / "nginx.conf"
        command = [nginx, "-p", str(run), "-c", str(conf), "-e", str(self.logs / "nginx-error.log")]
        health = f"http://127.0.0.1:{layout.rasa_port}/"
        children.append(Child("nginx", layout.rasa_port, command, health))
        return children

    # ------------------------------------------------------------------ lifecycle
    def prepare(self) -> None:
        layout = self.layout
        every = [layout.rasa_port, layout.action_port, *layout.replica_ports, *layout.action_ports]
        taken = [p for p in every if not ports.is_free(p)]
        if taken:
            raise SystemExit(ports.taken_message(taken))
        if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
            raise SystemExit(
                "没有安装 nginx：请运行 make nginx（用 apt 安装 Debian 的 nginx）。\n"
                "nginx is not installed: run `make nginx` (installs Debian's nginx with apt)."
            )
        try:
            for line in shared_stores.check(self.env):
                print(line, flush=True)
        except shared_stores.StoreUnavailable as error:
            raise SystemExit(str(error)) from None
        self.logs.mkdir(parents=True, exist_ok=True)
        token = layout.run_dir / "api-token"  # for make deploy-model; the owner's eyes only
        token.touch(mode=0o600)
        token.chmod(0o600)
        token.write_text(self.token)
        (layout.run_dir / "tmp").mkdir(exist_ok=True)  # nginx's temp dirs (never written to)
        (layout.run_dir / "nginx.conf").write_text(
            nginx_config(
                layout.run_dir,
                layout.rasa_port,
                layout.replica_ports,
                layout.action_port,
                layout.action_ports,
            ),
            encoding="utf-8",
        )

    def start(self, child: Child) -> None:
        log = open(self.logs / f"{child.name}.log", "ab")
        child.process = subprocess.Popen(
            child.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        child.started = time.monotonic()

    def wait_ready(self) -> None:
        pending = list(self.children)
        deadline = time.monotonic() + READY_TIMEOUT
        while pending:
            if self.stopping:
                raise SystemExit(1)
            for child in list(pending):
                if child.process.poll() is not None:
                    tail = (self.logs / f"{child.name}.log").read_text(errors="replace")[-2000:]
                    raise SystemExit(f"{child.name} exited during start-up:\n{tail}")
                if _answers(child.health) and ports.owns(child.process.pid, child.port):
                    pending.remove(child)
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"not ready after {READY_TIMEOUT:.0f} s: {[c.name for c in pending]}"
                )
            time.sleep(0.5)
        if not ports.owns(self.children[-1].process.pid, self.layout.action_port):
            raise SystemExit("the action port is not held by this launch's nginx")

    def warm(self) -> None:
        """One message through each replica (model graph, actions, knowledge base)."""
        for child in self.children:
            if child.name.startswith("rasa-"):
                _post(child.port, {"sender": f"__warmup__{child.name}", "message": "医保咨询电话"})

    def write_state(self) -> None:
        state = {c.name: {"pid": c.process.pid, "port": c.port} for c in self.children}
        (self.layout.run_dir / "processes.json").write_text(json.dumps(state, indent=1))

    def supervise(self) -> int:
        while not self.stopping:
            for child in self.children:
                code = child.process.poll()
                if code is None or self.stopping:
                    continue
                if child.name == "nginx":
                    print(f"nginx exited ({code}); stopping", file=sys.stderr, flush=True)
                    return 1
                now = time.monotonic()
                child.exits = [t for t in child.exits if now - t < 60] + [now]
                if len(child.exits) > CRASH_LOOP:
                    print(f"{child.name} keeps exiting; stopping", file=sys.stderr, flush=True)
                    return 1
                print(f"{child.name} exited ({code}); restarting it", flush=True)
                self.start(child)
                self.write_state()
            time.sleep(0.5)
        return 0

    def stop(self, *_args) -> None:
        self.stopping = True
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def _post(port: int, body: dict) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            answered = any(m.get("text") for m in json.loads(reply.read() or b"[]"))
    except (OSError, ValueError) as error:
        raise SystemExit(f"the warm-up message failed on port {port}: {error}") from None
    if not answered:
        raise SystemExit(f"the warm-up message got no answer on port {port}: see the logs")


def child_environment(layout: Layout) -> dict[str, str]:
    env = shared_stores.environment()
    env.update(
        TRACKER_STORE="postgres",
        ACTION_PORT=str(layout.action_port),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        SANIC_HOST="127.0.0.1",
        # the resident's address from nginx's X-Real-IP (the console's login throttling)
        SANIC_REAL_IP_HEADER="x-real-ip",
        SANIC_PROXIES_COUNT="1",
    )
    # a replica that dies mid-message leaves its resident's lock in Redis until the ticket
    # expires: 20 s instead of Rasa's 60 (a message takes well under a second here)
    env.setdefault("TICKET_LOCK_LIFETIME", "20")
    return env


def main() -> int:
    os.chdir(ROOT)
    layout = Layout.from_env()
    launcher = Launcher(layout, child_environment(layout))
    launcher.prepare()
    signal.signal(signal.SIGTERM, launcher.stop)
    signal.signal(signal.SIGINT, launcher.stop)
    try:
        for child in launcher.children:
            launcher.start(child)
        launcher.write_state()
        launcher.wait_ready()
        launcher.warm()
        print(
            f"assistant ready: {layout.replicas} replicas, {layout.action_servers} action "
            f"servers behind nginx, REST channel "
            f"http://127.0.0.1:{layout.rasa_port}/webhooks/rest/webhook (Ctrl-C stops)",
            flush=True,
        )
        return launcher.supervise()
    finally:
        launcher.stop()


if __name__ == "__main__":
    sys.exit(main())
