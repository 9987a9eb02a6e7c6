"""The policy team's guide (docs/政策团队操作指南.md), followed to the letter on a copy.

The guide's fenced blocks are the script:

- ```` ```yaml file=PATH ```` writes that file;
- ```` ```replace file=PATH ```` applies each ``old => new`` line to that file (every
  occurrence; the old text must be there);
- ```` ```bash ```` runs each line in the copy; a ```` ```text ```` block right after it lists
  lines that must appear in what the commands printed;
- ```` ```bash server ```` starts the command in the background (``make run``) until
  ``assistant ready``; it is stopped where the guide says Ctrl-C, at the next server block.

The copy has the repository's files, the trained model and a link to the virtualenv; nothing
in the repository itself changes. The examples run in order, as an officer would do them.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import subprocess
import time

import pytest

from tests.conftest import ACTION_PORT, RASA_PORT
from tests.tools.servers import MODEL, ROOT

pytestmark = pytest.mark.server

# `make run` and `policy-team ask` in the copy use these (RASA_PORT / ACTION_PORT), never the
# default 5005 / 5055 a developer's own `make run` may hold, nor the session assistant's ports.
GUIDE_PORTS = {"RASA_PORT": str(RASA_PORT + 2), "ACTION_PORT": str(ACTION_PORT + 2)}

GUIDE = ROOT / "docs" / "政策团队操作指南.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.S | re.M)


def blocks(text: str) -> list[tuple[str, dict, str]]:
    """(kind, options, body) of every fenced block, in order."""
    out = []
    for match in BLOCK.finditer(text):
        words = match.group(2).split()
        options = dict(w.split("=", 1) if "=" in w else (w, True) for w in words)
        out.append((match.group(1), options, match.group(3)))
    return out


def copy_project(dest: pathlib.Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)  # mtimes kept: make sees nothing to rebuild
    (dest / "models").mkdir(exist_ok=True)
    shutil.copy2(MODEL, dest / "models" / MODEL.name)
    (dest / ".venv").symlink_to(ROOT / ".venv")


class Officer:
    """Runs the guide's blocks in the copy, keeping what the last commands printed."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self.env = dict(
            os.environ,
            PYTHONPATH=str(root),  # the copy's packages, not the repository's
            RASA_TELEMETRY_ENABLED="false",
            **GUIDE_PORTS,
        )
        self.output = ""
        self.server: subprocess.Popen | None = None
        self.log = root / "make-run.log"

    def run(self, script: str) -> None:
        self.output = ""
        for line in script.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            done = subprocess.run(
                line,
                shell=True,
                cwd=self.root,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            self.output += done.stdout + done.stderr
            allowed = line.startswith(
                (".venv/bin/policy-team add-faq", ".venv/bin/policy-team new-year")
            )
            # new-year and a refused card exit 1 on purpose: they list what to fix
            assert done.returncode == 0 or (allowed and done.returncode == 1), (
                line,
                done.stdout[-3000:],
                done.stderr[-3000:],
            )

    def start(self, command: str) -> None:
        self.stop()
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.server = subprocess.Popen(
            command,
            shell=True,
            cwd=self.root,
            env=self.env,
            start_new_session=True,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        started = time.monotonic()
        while b"assistant ready" not in self.log.read_bytes()[offset:]:
            assert self.server.poll() is None, self.log.read_text(errors="replace")[-3000:]
            assert time.monotonic() - started < 600, "make run did not get ready"
            time.sleep(0.5)

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGINT)  # Ctrl-C, as the guide says
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
        self.server = None


def test_the_guide_examples_work_as_written(tmp_path):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test` (it trains first) or `make train`")
    root = tmp_path / "project"
    copy_project(root)
    officer = Officer(root)
    steps = blocks(GUIDE.read_text(encoding="utf-8"))
    assert [k for k, _, _ in steps].count("bash") >= 8, "the guide lost its commands"
    try:
        previous = None
        for kind, options, body in steps:
            if kind == "yaml" and "file" in options:
                path = root / options["file"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")
            elif kind == "replace":
                path = root / options["file"]
                text = path.read_text(encoding="utf-8")
                for line in body.splitlines():
                    old, new = (part.strip() for part in line.split("=>"))
                    assert old in text, (path, old)
                    text = text.replace(old, new)
                path.write_text(text, encoding="utf-8")
            elif kind == "bash" and "server" in options:
                officer.start(body.strip())
            elif kind == "bash":
                officer.run(body)
            elif kind == "text" and previous == "bash":
                for line in body.splitlines():
                    assert line.strip() in officer.output, (line, officer.output[-3000:])
            previous = kind if not (kind == "bash" and "server" in options) else "server"
    finally:
        officer.stop()
    # what the examples changed is really in the copy, and the repository is untouched
    assert (root / "policy_kb/sources/2025/weihai.yml").exists()
    assert not (ROOT / "policy_kb/sources/2025").exists()
    assert (root / "models/previous.tar.gz").exists()
    assert (root / "reports/regression/confusion_matrix.png").stat().st_size > 10_000
    # the weekly review: accepted wording in the training data, decisions kept, a chart drawn
    assert "haizi yibao yao jiao duoshao qian" in (root / "nlu_data/amounts.yml").read_text(
        encoding="utf-8"
    )
    assert (root / "data/review.db").exists()
    assert max(p.stat().st_size for p in (root / "reports/review").glob("*.png")) > 10_000


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_the_guide_says_exactly_what_happens_after_training():
    text = GUIDE.read_text(encoding="utf-8")
    after = section(text, "**训练之后会发生什么：**", "**第6步")
    # the running assistant keeps its model until restarted, and how to restart it
    for words in ("不会自动换用新模型", "Ctrl-C", "make run", "assistant ready"):
        assert words in after
    assert "重启" in section(text, "**第6步：重新训练。**", "## 六")


def test_the_guide_never_sends_officers_to_held_out_sentences():
    text = GUIDE.read_text(encoding="utf-8")
    report = section(text, "打开 `reports/regression/report.md`", "**训练之后")
    assert "条数" in report and "不列句子" in report
    assert "--developer" in text and "开发同事" in text
