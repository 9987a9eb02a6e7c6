"""Benchmark of the running assistant, as `make run` starts it. Prints figures, asserts nothing.

Starts both servers on benchmark ports with a fresh tracker store, then measures:
  - time from launch until both servers answer and are warmed (serve.sh prints "assistant ready"),
  - the first reply after ready (the servers warm themselves at start-up),
  - latency per REST message over N messages (p50, p99, max), with the action server,
  - resident memory (RSS) of both server processes and their children together,
  - with --train: a full `rasa train --force` into a temporary folder.

Usage: python -m tests.tools.bench_server [-n 1000] [--turns 10] [--train]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

from tests.tools.converse import send

ROOT = pathlib.Path(__file__).resolve().parents[2]
RASA_PORT, ACTION_PORT = 5025, 5075
MESSAGES = (
    "青岛居民医保一档每年交多少钱",
    "威海 医保 电话",
    "山亭养老有哪些档次",
    "那大学生呢",
    "威海呢",
    "我65岁，在山亭，医保自己交多少",
    "青岛养老批扣什么时候",
    "威海怎么用支付宝交",
    "你好",
    "山亭交了能退吗",
    "职工医保个人账户能给家里人交吗",
    "济南的医保多少钱",
    "谢谢",
)


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def rss_mb(root_pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry.name))
            except OSError:
                continue
    total_kb, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--train", action="store_true")
    parser.add_argument(
        "--turns", type=int, default=10, help="messages per conversation before a new sender starts"
    )
    args = parser.parse_args(argv)

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-"))
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{ACTION_PORT}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{tmp / "trackers.db"}"\n'
    )
    env = dict(
        os.environ,
        RASA_PORT=str(RASA_PORT),
        ACTION_PORT=str(ACTION_PORT),
        ENDPOINTS=str(endpoints),
        RASA_TELEMETRY_ENABLED="false",
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        ["bash", "bot/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=open(tmp / "serve.log", "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook"
    try:
        log = tmp / "serve.log"
        # ready = serve.sh has seen both servers answer and warmed them with one message
        while "assistant ready" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.perf_counter() - started > 300:
                print("servers did not start; see", tmp / "serve.log")
                return 1
            time.sleep(0.2)
        ready = time.perf_counter() - started
        _, first = send(url, "bench-first", "威海医保二档多少钱")
        print(f"servers ready after launch: {ready:.1f} s")
        print(f"first reply after ready: {first * 1000:.0f} ms")
        timings = []
        sender = f"bench-{uuid.uuid4().hex[:6]}"
        for n in range(args.n):
            if n % args.turns == 0:
                sender = f"bench-{uuid.uuid4().hex[:6]}"
            _, seconds = send(url, sender, MESSAGES[n % len(MESSAGES)])
            timings.append(seconds * 1000)
        timings.sort()
        p99 = timings[max(0, int(len(timings) * 0.99) - 1)]
        print(
            f"REST latency over {len(timings)} messages ({args.turns} per conversation): p50 {statistics.median(timings):.0f} ms, "
            f"p99 {p99:.0f} ms, max {timings[-1]:.0f} ms"
        )
        print(f"resident memory of both servers: {rss_mb(process.pid):.0f} MB")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    if args.train:
        started = time.perf_counter()
        subprocess.run(
            [
                os.path.join(os.path.dirname(sys.executable), "rasa"),
                "train",
                "--force",
                "--config",
                "config.yml",
                "--domain",
                "bot/domain",
                "--data",
                "nlu_data",
                "bot/data",
                "--out",
                str(tmp / "models"),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        print(f"full training: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
