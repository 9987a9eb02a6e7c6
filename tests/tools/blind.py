"""Pass rates of the blind conversation sets (tests/blind), without showing a locked failure.

The blind sets were written from the policy documents alone by writers who never saw the code,
the tests or the assistant's answers (docs/testing.md). Each batch is split once, by a hash of
the case id, into a development part (its failures may be read and fixed) and a locked part (run
for its rate only: a failure read would make it development data). This command prints, per
batch and part, ``passed/total`` and the rate; for development parts ``--show-dev`` also lists
the failures. Locked failures are never printed, logged or written anywhere.

    python -m tests.tools.blind                  # starts the assistant on its test ports
    python -m tests.tools.blind --url http://127.0.0.1:5005/webhooks/rest/webhook
    python -m tests.tools.blind --show-dev       # development failures too
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import pathlib
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from tests.tools.converse import load_cases, run_case

BLIND = pathlib.Path(__file__).resolve().parents[1] / "blind"
PARTS = ("dev", "locked")
# The share of every batch that is locked (DEVELOPERS.md asks for at least 40 %).
LOCKED_SHARE = 0.45


def split(case_ids: list[str]) -> tuple[set[str], set[str]]:
    """(development ids, locked ids): the batch's cases ordered by a hash of their id, the first
    ``LOCKED_SHARE`` of them locked. Fixed by the ids alone, so nobody chooses which are locked."""
    ordered = sorted(case_ids, key=lambda i: hashlib.sha256(i.encode("utf-8")).hexdigest())
    locked = set(ordered[: math.ceil(LOCKED_SHARE * len(ordered))])
    return set(case_ids) - locked, locked


def batches(root: pathlib.Path = BLIND) -> list[pathlib.Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "locked").is_dir())


def part_cases(batch: pathlib.Path, part: str) -> list[dict]:
    folder = batch / part
    return load_cases(folder) if folder.is_dir() else []


def rates(url: str, root: pathlib.Path = BLIND, workers: int = 4) -> dict[tuple[str, str], dict]:
    """{(batch, part): {"passed": n, "total": n, "failures": {id: problems}}} for every part.

    Failures are returned only for development parts; a locked part keeps just its counts.
    """
    results = {}
    for batch in batches(root):
        for part in PARTS:
            cases = part_cases(batch, part)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                problems = list(pool.map(lambda c: run_case(url, c), cases))
            failures = {
                f"{c['_file']}:{c['id']}": p for c, p in zip(cases, problems, strict=True) if p
            }
            results[(batch.name, part)] = {
                "passed": len(cases) - len(failures),
                "total": len(cases),
                "failures": failures if part == "dev" else {},
            }
    return results


def report(results: dict[tuple[str, str], dict], show_dev: bool = False) -> str:
    lines = []
    for (batch, part), r in sorted(results.items()):
        rate = 100.0 * r["passed"] / r["total"] if r["total"] else 0.0
        lines.append(f"{batch:<24} {part:<7} {r['passed']:>4}/{r['total']:<4} {rate:5.1f} %")
        if show_dev:
            for case_id, problems in sorted(r["failures"].items()):
                lines.append(f"    FAIL {case_id}")
                lines += [f"        {p}" for p in problems]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running assistant's REST webhook (default: start one)")
    parser.add_argument("--show-dev", action="store_true", help="list development failures")
    args = parser.parse_args(argv)
    if args.url:
        print(report(rates(args.url), args.show_dev))
        return 0
    from tests.tools.servers import serving

    port = int(os.environ.get("TEST_RASA_PORT", "5015"))
    action = int(os.environ.get("TEST_ACTION_PORT", "5065"))
    with tempfile.TemporaryDirectory() as tmp, serving(pathlib.Path(tmp), port, action) as info:
        print(report(rates(info["url"]), args.show_dev))
    return 0


if __name__ == "__main__":
    sys.exit(main())
