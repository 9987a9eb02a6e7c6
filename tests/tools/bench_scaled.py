"""`make bench-scaled`: the scaled mode under load, one replica against two. Prints figures.

It starts the scaled mode (bot/serving/scaled.py, one action server, nginx in front) once per replica
count, side by side on benchmark ports, with a fresh PostgreSQL database and Redis key prefix,
warms them, then sends 50 concurrent residents × 20 messages through each balancer (each
resident waits for its answer before the next message, as a person does). The load goes in
slices (--rounds, default 4: 5 messages per resident each), alternating between the
deployments, so that what the rest of a shared machine does weighs on both alike; a
resident's conversation continues from slice to slice. Figures: messages per second, latency
p50 / p99, errors (HTTP errors or empty answers), lost messages (sent, but not in the tracker
store), the CPU share of each process and the machine's load. Then the ratios two : one.

Usage: python -m tests.tools.bench_scaled [--residents 50] [--messages 20] [--replicas 1 2]
       [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time
import uuid

import aiohttp

from bot.serving import shared_stores
from tests.tools.bench_server import MESSAGES
from tests.tools.scaled import processes, scaled_serving
from tests.tools.stores import drop_keys, fresh_database, unavailable, unique_name

RASA_PORT, ACTION_PORT = 5220, 5270


async def resident(session, url, sender, count, offset, results):
    for n in range(count):
        text = MESSAGES[(offset + n) % len(MESSAGES)]
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as reply:
                body = await reply.text()
                ok = reply.status == 200 and any(m.get("text") for m in json.loads(body))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            ok = False
        results.append((sender, time.perf_counter() - started, ok))


async def run_load(url: str, residents: int, messages: int, label: str, offset: int = 0):
    results: list[tuple[str, float, bool]] = []
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=residents)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                resident(session, url, f"{label}-{i}", messages, i + offset, results)
                for i in range(residents)
            )
        )
        seconds = time.perf_counter() - started
    return results, seconds


def stored_user_events(database: str, prefix: str) -> int:
    env = {**shared_stores.environment(), "PGDATABASE": database}
    conn = shared_stores.pg_connect(env, database)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM events WHERE type_name = 'user' AND sender_id LIKE %s",
                (prefix + "-%",),
            )
            return cursor.fetchone()[0]
    finally:
        conn.close()


def cpu_seconds(run_dir: pathlib.Path) -> dict[str, float]:
    """CPU time used so far by each process the launcher started (nginx: master + workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    used = {}
    for name, child in processes(run_dir).items():
        pid = child["pid"]
        family = {pid} | {p for p, parent in parents.items() if parent == pid}
        used[name] = sum(times.get(p, 0.0) for p in family)
    return used


# balancer, action balancer per replica count; BENCH_SCALED_PORT moves them (checkouts side by side)
BASE = int(os.environ.get("BENCH_SCALED_PORT") or 5220)
PORTS = {1: (BASE, BASE + 50), 2: (BASE + 20, BASE + 60), 3: (BASE + 30, BASE + 70)}


def run_slice(info, label, residents, count, offset, totals) -> None:
    """One slice of the load on one deployment; adds its results, time and CPU to totals."""
    before, load_before = cpu_seconds(info["run_dir"]), os.getloadavg()[0]
    results, seconds = asyncio.run(run_load(info["url"], residents, count, label, offset))
    after, load_after = cpu_seconds(info["run_dir"]), os.getloadavg()[0]
    totals["results"] += results
    totals["seconds"] += seconds
    totals["loads"] += [load_before, load_after]
    for name, used in after.items():
        totals["cpu"][name] = totals["cpu"].get(name, 0.0) + used - before.get(name, 0.0)


def measure_all(counts, residents: int, messages: int, rounds: int, database: str) -> list[dict]:
    """All deployments up at once; the load is sent in ``rounds`` slices, alternating between
    them, so that whatever else the machine does weighs on each the same way."""
    prefix = unique_name("bench")
    env = {"PGDATABASE": database, "REDIS_KEY_PREFIX": prefix}
    labels = {n: f"r{n}{uuid.uuid4().hex[:6]}" for n in counts}
    totals = {n: {"results": [], "seconds": 0.0, "loads": [], "cpu": {}} for n in counts}
    try:
        with contextlib.ExitStack() as stack:
            infos = {}
            for n in counts:
                run_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"bench-scaled-{n}-"))
                rasa_port, action_port = PORTS[n]
                infos[n] = stack.enter_context(
                    scaled_serving(run_dir, rasa_port, action_port, n, 1, env)
                )
                asyncio.run(run_load(infos[n]["url"], 10, 2, f"warm{n}"))
            per_slice = messages // rounds
            for slice_ in range(rounds):
                order = counts if slice_ % 2 == 0 else list(reversed(counts))
                for n in order:
                    print(f"  slice {slice_ + 1}/{rounds}: {n} replica(s)", flush=True)
                    run_slice(
                        infos[n], labels[n], residents, per_slice, slice_ * per_slice, totals[n]
                    )
            stored = {n: stored_user_events(database, labels[n]) for n in counts}
    finally:
        drop_keys(prefix)
    return [_figures(n, totals[n], residents * per_slice * rounds, stored[n]) for n in counts]


def _figures(replicas: int, totals: dict, sent: int, stored: int) -> dict:
    results, seconds = totals["results"], totals["seconds"]
    latencies = sorted(t for _, t, _ in results)
    return {
        "replicas": replicas,
        "messages": len(results),
        "seconds": seconds,
        "per_second": sum(ok for *_, ok in results) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": sum(not ok for *_, ok in results),
        "lost": sent - stored,
        # share of one core each process used while loaded: a replica near 100 % is bound by
        # its own single thread; the machine's load says how much CPU there was to share
        "cpu": {name: used / seconds for name, used in totals["cpu"].items()},
        "load": statistics.mean(totals["loads"]),
    }


def report(figures: list[dict]) -> None:
    print(
        f"{'replicas':>8} {'messages':>8} {'msg/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} {'lost':>5}"
    )
    for f in figures:
        print(
            f"{f['replicas']:>8} {f['messages']:>8} {f['per_second']:>7.1f} {f['p50']:>7.0f} "
            f"{f['p99']:>7.0f} {f['errors']:>6} {f['lost']:>5}"
        )
    for f in figures:
        busy = ", ".join(f"{name} {share:.0%}" for name, share in sorted(f["cpu"].items()))
        print(
            f"{f['replicas']} replica(s): CPU per process (one core = 100 %): {busy}; "
            f"machine load average {f['load']:.1f} on {os.cpu_count()} cores"
        )
    if len(figures) >= 2:
        one, two = figures[0], figures[-1]
        print(
            f"{two['replicas']} : {one['replicas']} replicas — throughput "
            f"{two['per_second'] / one['per_second']:.2f}×, p50 {two['p50'] / one['p50']:.2f}×, "
            f"p99 {two['p99'] / one['p99']:.2f}× (target: throughput ≥ 1.3×, 0 errors, 0 lost)"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2], choices=sorted(PORTS))
    parser.add_argument("--rounds", type=int, default=4, help="slices, alternating deployments")
    args = parser.parse_args(argv)
    reason = unavailable()
    if reason:
        print(f"bench-scaled needs PostgreSQL and Redis: {reason}", file=sys.stderr)
        return 1
    with fresh_database("shebaobench") as database:
        print(f"starting {args.replicas} replica(s) side by side…", flush=True)
        figures = measure_all(args.replicas, args.residents, args.messages, args.rounds, database)
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
