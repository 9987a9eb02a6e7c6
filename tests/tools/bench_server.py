"""Benchmark of the running assistant, as `make run` starts it. Prints figures, asserts nothing.

Starts both servers on benchmark ports with a fresh tracker store, then measures:
  - time from launch until both servers answer and are warmed (serve.sh prints "assistant ready"),
  - the first reply after ready (the servers warm themselves at start-up),
  - latency per REST message over N messages (p50, p99, max), with the action server,
  - whether latency grows with the conversation: p50 of each conversation's turns 1–10 against
    turns 31–40 (and the last ten), and their ratio (needs --turns 40 or more),
  - the staff console: answer + cited facts + region tables per question (p50, p99, max),
  - resident memory (RSS) of both server processes and their children together,
  - with --train: a full `rasa train --force` into a temporary folder.

Usage: python -m tests.tools.bench_server [-n 1000] [--turns 10] [--train]
                                          [--rasa-port 5025] [--action-port 5075]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time
import uuid

from tests.tools.converse import send
from tests.tools.servers import PROJECT_DATA, run_rasa, serving

RASA_PORT, ACTION_PORT = 5025, 5075
CONSOLE_LOGIN = ("bench", "bench-console-password")
CONSOLE_QUESTIONS = (
    ("威海 医保 电话", ""),
    ("65岁医保交多少", "山亭"),
    ("二档多少钱", "威海"),
    ("养老批扣什么时候", "青岛"),
    ("交了能退吗", "山亭"),
)
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


def console_timings(base: str, n: int) -> list[float]:
    """Milliseconds per console question, each a new call (session), sorted."""
    import base64
    import json
    import urllib.request

    auth = "Basic " + base64.b64encode(":".join(CONSOLE_LOGIN).encode()).decode()
    timings = []
    for i in range(n):
        question, region = CONSOLE_QUESTIONS[i % len(CONSOLE_QUESTIONS)]
        body = json.dumps({"session": f"bench{i:06d}", "question": question, "region": region})
        request = urllib.request.Request(
            base + "/webhooks/console/api/ask",
            body.encode(),
            {"Content-Type": "application/json", "Authorization": auth},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert json.loads(reply.read())["answer_text"]
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def turn_growth(by_turn: dict[int, list[float]]) -> list[str]:
    """Lines comparing p50 of turns 1–10 with turns 31–40 (and the last ten) of conversations."""
    turns = max(by_turn, default=0)
    if turns < 40:
        return []
    first = statistics.median(t for n in range(1, 11) for t in by_turn[n])
    lines = [f"p50 of turns 1–10 of each conversation: {first:.0f} ms"]
    for low in sorted({31, turns - 9}):
        late = statistics.median(t for n in range(low, low + 10) for t in by_turn[n])
        lines.append(f"p50 of turns {low}–{low + 9}: {late:.0f} ms, {late / first:.2f}× turns 1–10")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--train", action="store_true")
    parser.add_argument(
        "--turns", type=int, default=10, help="messages per conversation before a new sender starts"
    )
    parser.add_argument("--rasa-port", type=int, default=RASA_PORT)
    parser.add_argument("--action-port", type=int, default=ACTION_PORT)
    args = parser.parse_args(argv)

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-"))
    console_env = {
        "STAFF_CONSOLE_USER": CONSOLE_LOGIN[0],
        "STAFF_CONSOLE_PASSWORD": CONSOLE_LOGIN[1],
    }
    with serving(tmp, args.rasa_port, args.action_port, console_env) as info:
        url = info["url"]
        _, first = send(url, "bench-first", "威海医保二档多少钱")
        print(f"servers ready after launch: {info['ready_seconds']:.1f} s")
        print(f"first reply after ready: {first * 1000:.0f} ms")
        timings, by_turn = [], {}
        sender = f"bench-{uuid.uuid4().hex[:6]}"
        for n in range(args.n):
            if n % args.turns == 0:
                sender = f"bench-{uuid.uuid4().hex[:6]}"
            _, seconds = send(url, sender, MESSAGES[n % len(MESSAGES)])
            timings.append(seconds * 1000)
            by_turn.setdefault(n % args.turns + 1, []).append(seconds * 1000)
        timings.sort()
        p99 = timings[max(0, int(len(timings) * 0.99) - 1)]
        print(
            f"REST latency over {len(timings)} messages ({args.turns} per conversation): p50 {statistics.median(timings):.0f} ms, "
            f"p99 {p99:.0f} ms, max {timings[-1]:.0f} ms"
        )
        for line in turn_growth(by_turn):
            print(line)
        console = console_timings(info["base"], max(50, args.n // 10))
        print(
            f"staff console over {len(console)} questions (answer, cited facts, tables): "
            f"p50 {statistics.median(console):.0f} ms, p99 {console[int(len(console) * 0.99) - 1]:.0f} ms, "
            f"max {console[-1]:.0f} ms"
        )
        print(f"resident memory of both servers: {rss_mb(info['pid']):.0f} MB")
    if args.train:
        started = time.perf_counter()
        done = run_rasa("train", "--force", *PROJECT_DATA, "--out", str(tmp / "models"))
        if done.returncode:
            print("training failed:", done.stderr[-2000:])
            return 1
        print(f"full training: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
