"""Where a turn's time goes, early in a conversation and late: cProfile of the Rasa server.

Loads the model in this process (with bot.serving.rasa_patches' patches, as `bot/serving/serve.sh` does), starts the
action server beside it, plays one resident's conversation of N turns through Rasa's
MessageProcessor with a fresh SQL tracker store, and prints, for turns 1–10 and for the last ten,
the time per turn and the functions whose cumulative time grew most. Prints, asserts nothing.

Usage: python -m tests.tools.profile_turns [--turns 40] [--action-port 5085] [--top 25]
                                          [--endpoints FILE]  (e.g. a PostgreSQL tracker store;
                                          its action_endpoint must use --action-port)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pathlib
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from tests.tools.bench_server import MESSAGES
from tests.tools.servers import MODEL, ROOT, write_endpoints


def _start_actions(port: int) -> subprocess.Popen:
    rasa = os.path.join(os.path.dirname(sys.executable), "rasa")
    process = subprocess.Popen(
        [rasa, "run", "actions", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
            return process
        except OSError:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("the action server did not start")


def _cumulative(profile: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profile).stats  # (file, line, name) → (cc, nc, tt, ct, callers)
    return {
        f"{pathlib.Path(f).name}:{line} {name}": row[3] for (f, line, name), row in stats.items()
    }


async def _play(agent, turns: int) -> tuple[list[float], dict[str, float], dict[str, float]]:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    sender = f"profile-{os.getpid()}"
    timings, early, late = [], cProfile.Profile(), cProfile.Profile()
    for n in range(turns):
        profile = early if n < 10 else late if n >= turns - 10 else None
        message = UserMessage(MESSAGES[n % len(MESSAGES)], CollectingOutputChannel(), sender)
        started = time.perf_counter()
        if profile:
            profile.enable()
        await agent.handle_message(message)
        if profile:
            profile.disable()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, _cumulative(early), _cumulative(late)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--action-port", type=int, default=5085)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--endpoints", type=pathlib.Path, help="default: a fresh SQLite store")
    args = parser.parse_args(argv)

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.serving import rasa_patches as runtime

    # as `rasa run` does: no debug logs, which would be profiled too
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    runtime.apply()
    from rasa.core.agent import Agent
    from rasa.core.utils import AvailableEndpoints

    if args.endpoints is None:
        tmp = pathlib.Path(tempfile.mkdtemp(prefix="profile-"))
        args.endpoints = write_endpoints(tmp, args.action_port)
    endpoints = AvailableEndpoints.read_endpoints(str(args.endpoints))
    actions = _start_actions(args.action_port)
    try:
        from rasa.core.tracker_store import TrackerStore

        agent = Agent.load(
            str(MODEL),
            tracker_store=TrackerStore.create(endpoints.tracker_store),
            action_endpoint=endpoints.action,
        )
        timings, early, late = asyncio.run(_play(agent, args.turns))
    finally:
        os.killpg(actions.pid, signal.SIGTERM)
    first, last = timings[:10], timings[-10:]
    print(f"p50 turns 1–10: {statistics.median(first):.0f} ms (profiled)")
    print(f"p50 last 10 turns: {statistics.median(last):.0f} ms (profiled)")
    print(f"cumulative ms per turn, last 10 turns vs turns 1–10 (top {args.top} by growth):")
    growth = sorted(late, key=lambda k: late[k] - early.get(k, 0.0), reverse=True)
    for key in growth[: args.top]:
        print(f"  {late[key] * 100:8.1f} {early.get(key, 0.0) * 100:8.1f}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
