"""``policy-team validate``: everything that must hold before a change is trained and shipped.

Each check returns readable problems (Chinese or the validator's own words) instead of
raising, so the command prints all of them at once.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import subprocess
import sys

import yaml

from policy_kb.data.sources import FAQ_INTENT, load_sources, validate
from policy_team import examples as ex
from policy_team.alignment import misaligned_sentences
from policy_team.project import RASA_DATA_ARGS, Project


@dataclasses.dataclass
class Check:
    """One named check and what it found."""

    name: str
    problems: list[str]
    skipped: str | None = None


def check_knowledge_base(project: Project) -> Check:
    """Schema, citations (each quote occurs in its seed), numbers in answers and values (each
    value checked against its key's schema and its quotes), required facts, FAQ answers."""
    source = load_sources(project.sources_dir)
    return Check(
        "知识库：格式、引文、数值（value）、必备事实、每个FAQ每个地区都有答复",
        validate(source, project.seeds_dir),
    )


def training_conflicts(project: Project) -> Check:
    """The same sentence under two intents, twice in one, or taken from the held-out set."""
    examples = ex.load_examples(project.nlu_dir)
    by_key: dict[str, list[ex.Example]] = collections.defaultdict(list)
    for example in examples:
        by_key[example.key].append(example)
    problems = []
    for same in by_key.values():
        intents = sorted({e.intent for e in same})
        if len(intents) > 1:
            problems.append(f"同一句话标注了不同意图 {'、'.join(intents)}：{same[0].text}")
        elif len(same) > 1:
            problems.append(f"意图 {intents[0]} 里重复了：{same[0].text}")
    if project.holdout.exists():
        held = {h.key for h in ex.read_examples(project.holdout)}
        leaked = [e for e in examples if e.key in held]
        if leaked:
            # not listed one by one: the held-out sentences are not for reading
            problems.append(f"训练数据里有{len(leaked)}句与留出测试集相同，必须删除。")
    return Check("训练例句：重复、冲突、测试集泄漏", problems)


def faq_wiring(project: Project) -> Check:
    """Every FAQ topic has examples, is in the domain and has its rule."""
    intents = {
        t["intent"]: t["id"]
        for t in load_sources(project.sources_dir).topics
        if FAQ_INTENT.fullmatch(str(t.get("intent")))
    }
    trained = {e.intent for e in ex.load_examples(project.nlu_dir)}
    domain = _yaml(project.faq_domain).get("intents") or []
    rules = project.faq_rules.read_text(encoding="utf-8") if project.faq_rules.exists() else ""
    problems = []
    for intent, topic in intents.items():
        if intent not in trained:
            problems.append(f"FAQ {topic}：nlu_data 里没有意图 {intent} 的例句。")
        if intent not in domain:
            problems.append(f"FAQ {topic}：bot/domain/faq.yml 没有列出意图 {intent}。")
        if f"intent: {intent}\n" not in rules:
            problems.append(f"FAQ {topic}：bot/data/faq.yml 没有意图 {intent} 的规则。")
    for intent in sorted(trained):
        if intent.startswith("faq_") and intent not in intents:
            problems.append(f"意图 {intent} 有例句，但 topics.yml 里没有对应的FAQ。")
    return Check("FAQ：例句、domain、规则齐全", problems)


MISALIGNED_HINT = "——把标注扩到整个词，或把这个词加进 nlu_data/jieba/userdict.txt"


def entity_alignment(project: Project) -> Check:
    """Entity annotations on jieba token boundaries: Rasa drops the others without an error."""
    files = sorted(project.nlu_dir.glob("*.yml"))
    problems = [
        f"实体标注没有落在分词边界上（标注会被忽略）：{sentence}{MISALIGNED_HINT}"
        for sentence in misaligned_sentences(files, project.nlu_dir / "jieba")
    ]
    return Check("实体标注与分词对齐", problems)


def rasa_data(project: Project) -> Check:
    """``rasa data validate --fail-on-warnings`` on the project's domain, data and config."""
    rasa = os.path.join(os.path.dirname(sys.executable), "rasa")
    if not os.path.exists(rasa):
        return Check("rasa data validate", [], skipped="没有找到 rasa 命令（先运行 make install）")
    done = subprocess.run(
        [rasa, "data", "validate", "--fail-on-warnings", *RASA_DATA_ARGS],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
        timeout=600,
    )
    if done.returncode == 0:
        return Check("rasa data validate", [])
    lines = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if "WARNING" in line or "ERROR" in line or "error" in line.lower()
    ]
    return Check("rasa data validate", lines[-20:] or [f"退出码 {done.returncode}"])


def _yaml(path) -> dict:
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def run_all(project: Project, with_rasa: bool = True) -> list[Check]:
    checks = [check_knowledge_base(project), training_conflicts(project), faq_wiring(project)]
    if with_rasa:
        checks += [entity_alignment(project), rasa_data(project)]
    else:
        checks += [
            Check("实体标注与分词对齐", [], skipped="--quick：未运行"),
            Check("rasa data validate", [], skipped="--quick：未运行"),
        ]
    return checks
