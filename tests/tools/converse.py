"""Replays YAML conversation cases against the assistant's REST channel.

Case format (one YAML file holds ``cases:``)::

    - id: qd-med-tier            # unique; a fresh sender id per case
      turns:
        - user: "青岛居民医保一档每年交多少钱？"
          must: ["462", "2024年度"]   # every regex must match the joined reply texts
          must_not: ["450"]           # no regex may match
          any: ["来源", "出处"]        # at least one must match (optional)
          repeat: 300                 # send the text repeated N times (long input)
          buttons: ["青岛"]            # regexes every one of which must match a button title
          lead: ["462"]               # the decisive figure or word (default: the `must` list)
      known_failure: "why"           # optional: a known wrong answer, reported as xfail
      lead_known_failure: "why"      # optional: the answer is right but not said first

Answer first: the lead of every reply (its first paragraph without 来源 lines,
policy_kb.answering.render.lead) is at most LEAD_MAX_CHARS long and matches one of the turn's `lead`
patterns, or when it names none, one of its `must` patterns: the figure, 可以/不能, the date.

Usage: python -m tests.tools.converse tests/conversations [--url URL] [--only PREFIX]
Prints failures and a closing "N passed, N failed" line; exit 1 when a case failed.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
import time
import urllib.request
import uuid

import yaml

from policy_kb.answering.render import LEAD_MAX_CHARS, lead

DEFAULT_URL = "http://127.0.0.1:5005/webhooks/rest/webhook"


def load_cases(path: pathlib.Path) -> list[dict]:
    files = sorted(path.glob("*.yml")) if path.is_dir() else [path]
    cases = []
    for file in files:
        for case in (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("cases") or []:
            case["_file"] = file.name
            cases.append(case)
    return cases


def send(url: str, sender: str, text: str, timeout: float = 30.0) -> tuple[list[dict], float]:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        payload = json.loads(response.read().decode("utf-8") or "[]")
    return payload, time.perf_counter() - started


def check_turn(turn: dict, messages: list[dict]) -> list[str]:
    reply = "\n".join(m.get("text", "") for m in messages if m.get("text"))
    titles = [b.get("title", "") for m in messages for b in m.get("buttons") or []]
    problems = []
    if not reply.strip():
        problems.append("empty reply")
    for pattern in turn.get("must") or []:
        if not re.search(pattern, reply):
            problems.append(f"missing /{pattern}/")
    for pattern in turn.get("must_not") or []:
        if re.search(pattern, reply):
            problems.append(f"forbidden /{pattern}/")
    anys = turn.get("any") or []
    if anys and not any(re.search(p, reply) for p in anys):
        problems.append("none of /" + "|".join(anys) + "/")
    for pattern in turn.get("buttons") or []:
        if not any(re.search(pattern, t) for t in titles):
            problems.append(f"no button /{pattern}/")
    return problems


def check_lead(turn: dict, messages: list[dict]) -> list[str]:
    """The answer-first rule: a short lead that says the decisive figure or word."""
    said = lead("\n\n".join(m.get("text", "") for m in messages if m.get("text")))
    problems = []
    if len(said) > LEAD_MAX_CHARS:
        problems.append(f"lead of {len(said)} characters")
    decisive = turn.get("lead") or turn.get("must") or []
    if decisive and not any(re.search(p, said) for p in decisive):
        problems.append("lead says none of /" + "|".join(decisive) + "/")
    return [f"{p} (lead: {said[:80]})" for p in problems]


def run_case(url: str, case: dict, leads: list[str] | None = None) -> list[str]:
    """Plays one case in a fresh conversation; returns its problems (empty when it passed).
    The answer-first problems go to ``leads`` when given."""
    sender = f"case-{case.get('id', 'x')}-{uuid.uuid4().hex[:8]}"
    problems = []
    for n, turn in enumerate(case.get("turns") or [], 1):
        text = str(turn.get("user", "")) * int(turn.get("repeat", 1) or 1)
        messages, _ = send(url, sender, text)
        reply = " / ".join(m.get("text", "") for m in messages)[:300]
        problems += [
            f"turn {n} {text[:40]!r}: {p} (reply: {reply})" for p in check_turn(turn, messages)
        ]
        if leads is not None:
            leads += [f"turn {n} {text[:40]!r}: {p}" for p in check_lead(turn, messages)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=pathlib.Path)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv)
    passed = failed = 0
    for case in load_cases(args.cases):
        if not str(case.get("id", "")).startswith(args.only):
            continue
        problems = run_case(args.url, case)
        if problems:
            failed += 1
            print(f"FAIL {case['_file']}:{case.get('id')}")
            for problem in problems:
                print("   ", problem)
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
