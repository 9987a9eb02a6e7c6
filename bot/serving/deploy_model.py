"""A newly trained model into the running assistant without downtime (``make deploy-model``).

Uses what Rasa provides: its HTTP API loads a model into a running server (``PUT /model``,
behind the auth token the launchers set and write to ``api-token`` in their run directory,
readable by their user only). The servers are updated one after the other:

- ``make run-scaled``: every replica the launcher runs (its ``processes.json``), so while one
  loads, the others answer; a replica the launcher restarts later starts with the same file;
- ``make run``: the one Rasa server on RASA_PORT.

A server loading a model does not refuse messages: they wait for the load (a few seconds; the
event loop is busy) and are then answered with the new model. Messages already being answered
finish with the old one. After each load the server's ``/status`` must name the new model, and
one message goes through it (as at start-up) before the next server is updated.

Usage: ``python -m bot.serving.deploy_model [MODEL]`` (default models/current.tar.gz, the file
``make train`` writes; ``models/previous.tar.gz`` rolls back).
"""

from __future__ import annotations

import json
import os
import pathlib
import sys
import tarfile
import urllib.error
import urllib.request

from bot.serving import ports

ROOT = pathlib.Path(__file__).resolve().parents[2]  # bot/serving/ → the project
LOAD_TIMEOUT = 600.0  # seconds: loading takes 5-30 s on a busy machine
WARM_MESSAGE = "医保咨询电话"  # the launchers' warm-up message


class DeployFailed(RuntimeError):
    """The model could not be deployed; the message says why, in plain words."""


def scaled_run_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("SCALED_RUN_DIR") or ROOT / "data" / "scaled")


def single_run_dir() -> pathlib.Path:
    return ROOT / "data"


def targets() -> tuple[list[int], pathlib.Path]:
    """The Rasa servers running now (their ports) and the file holding their API token."""
    state = scaled_run_dir() / "processes.json"
    if state.exists():
        children = json.loads(state.read_text())
        replicas = [
            c["port"]
            for name, c in sorted(children.items())
            if name.startswith("rasa-") and ports.owns(c["pid"], c["port"])
        ]
        if replicas:
            return replicas, scaled_run_dir() / "api-token"
    port = int(os.environ.get("RASA_PORT") or 5005)
    if ports.listening(port):
        return [port], single_run_dir() / "api-token"
    raise DeployFailed(
        f"没有正在运行的助手（make run 或 make run-scaled）；端口 {port} 上没有服务。\n"
        f"No running assistant found (make run or make run-scaled; nothing on port {port})."
    )


def model_id(model: pathlib.Path) -> str:
    """The id Rasa gave the model when it was trained (its metadata.json)."""
    try:
        with tarfile.open(model) as archive:
            return json.load(archive.extractfile("metadata.json"))["model_id"]
    except (OSError, KeyError, ValueError, tarfile.TarError):
        raise DeployFailed(f"{model} 不是 Rasa 模型 / is not a Rasa model") from None


def _call(port: int, path: str, token: str, method: str = "GET", body=None, timeout=30.0):
    url = f"http://127.0.0.1:{port}{path}"
    if token:
        url += ("&" if "?" in path else "?") + "token=" + token
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        raw = reply.read()
    return json.loads(raw) if raw else None


def deploy_to(port: int, model: pathlib.Path, token: str, wanted: str) -> None:
    """Loads the model into the server on ``port`` and checks that it answers with it."""
    try:
        _call(port, "/model", token, "PUT", {"model_file": str(model)}, LOAD_TIMEOUT)
        status = _call(port, "/status", token)
        reply = _call(
            port,
            "/webhooks/rest/webhook",
            "",
            "POST",
            {"sender": "__warmup__deploy", "message": WARM_MESSAGE},
            LOAD_TIMEOUT,
        )
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise DeployFailed(
                f"端口 {port} 拒绝了令牌：请用启动时的 RASA_AUTH_TOKEN 再试。\n"
                f"The server on port {port} refused the API token (HTTP {error.code})."
            ) from None
        raise DeployFailed(f"port {port}: HTTP {error.code} {error.read()[:300]!r}") from None
    except OSError as error:
        raise DeployFailed(f"port {port}: {error}") from None
    if status.get("model_id") != wanted:
        raise DeployFailed(f"port {port} still runs model {status.get('model_id')}, not {wanted}")
    if not any(m.get("text") for m in reply or []):
        raise DeployFailed(f"port {port}: the new model gave no answer to {WARM_MESSAGE!r}")


def deploy(model: pathlib.Path) -> list[int]:
    model = model.resolve()
    if not model.is_file():
        raise DeployFailed(f"没有模型文件 {model}：请先 make train。\nNo model at {model}.")
    wanted = model_id(model)
    servers, token_file = targets()
    token = os.environ.get("RASA_AUTH_TOKEN") or (
        token_file.read_text().strip() if token_file.exists() else ""
    )
    for port in servers:
        print(f"port {port}: loading {model.name} ({wanted}) …", flush=True)
        deploy_to(port, model, token, wanted)
        print(f"port {port}: answers with the new model", flush=True)
    return servers


def main(argv: list[str]) -> int:
    model = pathlib.Path(argv[0] if argv else ROOT / "models" / "current.tar.gz")
    try:
        servers = deploy(model)
    except DeployFailed as error:
        print(error, file=sys.stderr)
        return 1
    print(f"新模型已上线：{len(servers)} 个服务 / the new model is live on {len(servers)} server(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
