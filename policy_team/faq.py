"""Adding a new FAQ from one card file: examples, an answer per region, citations.

A card (YAML, written by a policy officer; see docs/政策团队操作指南.md)::

    id: payment_proof                 # letters, digits, underscores; the intent is faq_<id>
    label: 缴费凭证                    # what the topic is called in answers and buttons
    scheme: both                      # pension / medical / both
    year: 2024                        # optional: each region's latest policy year by default
    keywords: [缴费凭证, 缴费证明]     # words an operator types for it
    examples: [...]                   # at least MIN_EXAMPLES ways residents ask it
    answers:                          # one per region, each with its citation
      威海: {question, answer, status?, sources: [{doc, clause, quote}]}

Nothing is written unless everything passes: the examples' checks (policy_team.examples),
one answer per region, and the knowledge base's own validation (quotes found in the seed
files, numbers in answers found in their quotes), run on a copy first.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import shutil
import tempfile

import yaml
from ruamel.yaml.comments import CommentedMap

from policy_kb.data.sources import FAQ_INTENT, SCHEMES, STATUSES, load_sources, validate
from policy_team import examples as ex
from policy_team import yaml_files
from policy_team.project import Project

MIN_EXAMPLES = 10
_ID = re.compile(r"[a-z][a-z0-9_]{1,35}")


@dataclasses.dataclass
class Outcome:
    """What add_faq did or why it refused: problems, example verdicts, files written."""

    problems: list[str]
    verdicts: list[ex.Verdict]
    written: list[pathlib.Path]

    @property
    def ok(self) -> bool:
        return not self.problems and all(v.ok for v in self.verdicts)


def read_card(path: pathlib.Path) -> dict:
    data = yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}：不是一张FAQ卡片（应为 id、label、examples、answers 等字段）")
    return data


def card_problems(card: dict, regions: list[str], topics: list[dict]) -> list[str]:
    """The card's own mistakes, in Chinese, before anything is compared or written."""
    problems = []
    faq_id = str(card.get("id") or "")
    if not _ID.fullmatch(faq_id):
        problems.append("id 只能用小写英文字母、数字和下划线，以字母开头，例如 payment_proof。")
    if any(t.get("id") == faq_id for t in topics):
        problems.append(f"id {faq_id} 已经存在；要补充例句请用 add-examples。")
    if not str(card.get("label") or "").strip():
        problems.append("缺少 label（这个问题的中文名称）。")
    if card.get("scheme") not in SCHEMES:
        problems.append("scheme 应为 pension（养老）、medical（医保）或 both（两者）。")
    texts = card.get("examples") or []
    if not isinstance(texts, list) or len(texts) < MIN_EXAMPLES:
        problems.append(f"examples 至少写{MIN_EXAMPLES}种居民的问法（建议40种以上）。")
    answers = card.get("answers") or {}
    for region in regions:
        answer = answers.get(region)
        if not isinstance(answer, dict):
            problems.append(f"缺少{region}的答复：每个地区都要有答复，文件没写的也要写明并引用原文。")
            continue
        for field in ("question", "answer", "sources"):
            if not answer.get(field):
                problems.append(f"{region}的答复缺少 {field}。")
        if answer.get("status", "verified") not in STATUSES:
            problems.append(f"{region}的 status 应为 verified、unverified 或 not_stated。")
    for region in answers:
        if region not in regions:
            problems.append(f"answers 里的“{region}”不是知识库的地区（{'、'.join(regions)}）。")
    return problems


def _fact(card: dict, answer: dict) -> dict:
    fact = {
        "key": f"faq.{card['id']}",
        "topic": card["id"],
        "scheme": card["scheme"],
        "status": answer.get("status", "verified"),
        "question": answer["question"],
        "answer": answer["answer"],
        "value": None,
        "sources": [
            {"doc": s.get("doc"), "clause": s.get("clause"), "quote": s.get("quote")}
            for s in answer["sources"]
        ],
    }
    return fact


def _topic(card: dict) -> CommentedMap:
    return CommentedMap(
        id=card["id"],
        label=card["label"],
        intent=f"faq_{card['id']}",
        keywords=yaml_files.flow([str(k) for k in card.get("keywords") or []]),
    )


def faq_intents(topics: list[dict]) -> list[str]:
    """The FAQ intents (built-in topics' ask_* intents are declared in bot/domain/core.yml)."""
    return [t["intent"] for t in topics if FAQ_INTENT.fullmatch(str(t.get("intent")))]


_GENERATED = "FAQs added by the policy team (policy-team add-faq); edited by the command."


def _generated(key: str, value) -> CommentedMap:
    """A Rasa file the command owns: its note, the quoted version, a blank line, ``key``."""
    data = CommentedMap(version=yaml_files.quoted("3.1"))
    data[key] = value
    data.yaml_set_start_comment(_GENERATED)
    data.yaml_set_comment_before_after_key(key, before="\n")
    return data


def domain_text(intents: list[str]) -> str:
    return yaml_files.dumps(_generated("intents", list(intents)))


def rules_text(intents: list[str]) -> str:
    if len(intents) == 1:
        trigger = [{"intent": intents[0]}]
    else:
        trigger = [{"or": [{"intent": i} for i in intents]}]
    rule = {
        "rule": "an FAQ the policy team added opens the answer form, like every policy question",
        "steps": [*trigger, {"action": "answer_form"}, {"active_loop": "answer_form"}],
    }
    return yaml_files.dumps(_generated("rules", [rule]))


def _write_sources(
    sources_dir: pathlib.Path, card: dict, years: dict, files: dict
) -> list[pathlib.Path]:
    """Appends the facts to each region's file and the topic to topics.yml (FAQ topics first,
    so their specific keywords win over the general ones)."""
    written = []
    for region, answer in card["answers"].items():
        path = sources_dir / files[(region, years[region])]
        data = yaml_files.load(path)
        facts = data["facts"]
        facts.append(_fact(card, answer))
        # the same banner as the team's sections, so the answer is easy to find (and remove)
        banner = f"{'-' * 64} FAQ：{card['label']}"
        yaml_files.set_comment_before(facts, len(facts) - 1, banner, indent=2)
        yaml_files.dump(data, path)
        written.append(path)
    topics = sources_dir / "topics.yml"
    data = yaml_files.load(topics)
    yaml_files.insert_first(data, "topics", _topic(card))
    yaml_files.dump(data, topics)
    return written + [topics]


def add_faq(project: Project, card_path: pathlib.Path, dry_run: bool = False) -> Outcome:
    """Checks a card and, when everything passes, writes it into the project's data."""
    card = read_card(card_path)
    source = load_sources(project.sources_dir)
    regions = [r["id"] for r in source.regions]
    problems = card_problems(card, regions, source.topics)
    files = {(f["region"], f["year"]): f["_path"] for f in source.region_files}
    years = {}  # region → the year its answer goes into: the card's, else the region's latest
    for region in regions:
        have = sorted(y for r, y in files if r == region)
        years[region] = card.get("year") or (have[-1] if have else None)
        if (region, years[region]) not in files:
            problems.append(f"知识库里没有{region}的{years[region]}年度来源文件。")
    texts = [str(t).strip() for t in card.get("examples") or [] if str(t).strip()]
    verdicts = ex.check_all(
        texts,
        f"faq_{card.get('id')}",
        ex.load_examples(project.nlu_dir),
        ex.read_examples(project.holdout) if project.holdout.exists() else [],
    )
    outcome = Outcome(problems, verdicts, [])
    if not outcome.ok:
        return outcome
    # the knowledge base's own validation, on a copy: quotes, numbers, required facts
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "sources"
        shutil.copytree(project.sources_dir, copy)
        _write_sources(copy, card, years, files)
        outcome.problems += validate(load_sources(copy), project.seeds_dir)
    if outcome.problems or dry_run:
        return outcome
    outcome.written += _write_sources(project.sources_dir, card, years, files)
    ex.append_examples(project.faq_nlu, f"faq_{card['id']}", texts)
    intents = faq_intents(load_sources(project.sources_dir).topics)
    project.faq_domain.write_text(domain_text(intents), encoding="utf-8")
    project.faq_rules.write_text(rules_text(intents), encoding="utf-8")
    outcome.written += [project.faq_nlu, project.faq_domain, project.faq_rules]
    return outcome
