"""Training examples: reading them, checking a new one against all others, adding it.

A new example is refused when it repeats an existing one (exactly or nearly), when the same
words are already labelled with another intent, or when it is (nearly) a message of the
held-out test set, which must never be trained on. Every check reports the closest existing
examples, so confusable intents are seen at once.
"""

from __future__ import annotations

import dataclasses
import difflib
import pathlib
import re

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from policy_kb.text.normalize import normalize_text
from policy_team import yaml_files
from policy_team.alignment import misaligned_sentences

NEAR = 0.9  # character similarity from which two examples count as the same sentence
SHOW_CLOSEST = 5
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_NOISE = re.compile(r"[\s\W_]+")


@dataclasses.dataclass(frozen=True)
class Example:
    """One training example: its text as written (with annotations), intent and file."""

    text: str
    intent: str
    path: pathlib.Path | None = None

    @property
    def key(self) -> str:
        return comparable(self.text)


@dataclasses.dataclass
class Verdict:
    """The outcome of checking one new example."""

    text: str
    intent: str
    problem: str | None
    closest: list[tuple[float, Example]]

    @property
    def ok(self) -> bool:
        return self.problem is None


def plain(text: str) -> str:
    """The words of an example without its entity annotations: "[青岛](region)医保" → "青岛医保"."""
    return _ANNOTATION.sub(r"\1", text)


def comparable(text: str) -> str:
    """What two examples are compared on: simplified, half-width, no spaces or punctuation."""
    return _NOISE.sub("", normalize_text(plain(text)).lower())


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def read_examples(path: pathlib.Path) -> list[Example]:
    """The intent examples of one Rasa NLU YAML file (synonyms and lookups are skipped)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append(Example(line[2:].strip(), block["intent"], path))
    return out


def load_examples(nlu_dir: pathlib.Path) -> list[Example]:
    return [e for path in sorted(nlu_dir.glob("*.yml")) for e in read_examples(path)]


def closest(
    text: str, examples: list[Example], n: int = SHOW_CLOSEST
) -> list[tuple[float, Example]]:
    """The ``n`` most similar examples, best first."""
    key = comparable(text)
    scored = []
    for example in examples:
        other = example.key
        # quick_ratio is an upper bound: skip the exact computation when it cannot matter
        matcher = difflib.SequenceMatcher(None, key, other, autojunk=False)
        if len(scored) >= n and matcher.quick_ratio() < scored[-1][0]:
            continue
        scored.append((matcher.ratio(), example))
        scored.sort(key=lambda item: -item[0])
        del scored[n:]
    return scored


def check(text: str, intent: str, examples: list[Example], holdout: list[Example]) -> Verdict:
    """Whether ``text`` may be added to ``intent``; the reason in Chinese when it may not."""
    near = closest(text, examples)
    key = comparable(text)
    problem = None
    if len(key) < 2:
        problem = "太短了：至少写两个字的完整问法。"
    elif any(h.key == key or similarity(h.key, key) >= NEAR for h in holdout):
        # the held-out sentence is not shown: nobody may write training data from it
        problem = "与留出测试集里的一句话相同或几乎相同；测试集的句子不能用作训练数据，请换一种问法。"
    else:
        for score, example in near:
            if example.key == key and example.intent == intent:
                problem = f"重复：意图 {intent} 里已经有这句话（{example.text}）。"
            elif example.key == key:
                problem = f"冲突：同样的话已经标注为意图 {example.intent}（{example.text}）。"
            elif score >= NEAR and example.intent == intent:
                problem = f"几乎重复：与意图 {intent} 的例句“{example.text}”相似度{score:.0%}。"
            elif score >= NEAR:
                problem = f"冲突：与意图 {example.intent} 的例句“{example.text}”相似度{score:.0%}，" "模型会分不清。"
            if problem:
                break
    return Verdict(text, intent, problem, near)


def check_all(
    texts: list[str], intent: str, examples: list[Example], holdout: list[Example]
) -> list[Verdict]:
    """Checks each text against the existing examples and against the texts before it."""
    verdicts: list[Verdict] = []
    accepted: list[Example] = []
    for text in texts:
        verdict = check(text, intent, examples + accepted, holdout)
        verdicts.append(verdict)
        if verdict.ok:
            accepted.append(Example(text, intent))
    return verdicts


def append_examples(path: pathlib.Path, intent: str, texts: list[str]) -> None:
    """Adds examples at the end of the intent's block in ``path``, creating either if needed.

    The file is edited in ruamel's round-trip mode, so its comments and layout stay as the
    team wrote them.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    data = yaml_files.loads(text) if text.strip() else None
    if data is None:
        data = CommentedMap(version=yaml_files.quoted("3.1"), nlu=CommentedSeq())
    blocks = data.setdefault("nlu", CommentedSeq())
    block = next((b for b in blocks if b.get("intent") == intent), None)
    if block is None:
        blocks.append(CommentedMap(intent=intent, examples=yaml_files.examples_block(texts)))
    else:
        block["examples"] = yaml_files.examples_block(texts, before=block.get("examples") or "")
    yaml_files.dump(data, path, default=yaml_files.FLUSH)


def intent_file(examples: list[Example], intent: str) -> pathlib.Path | None:
    """The file holding an intent's examples (where new ones go), or None for a new intent."""
    for example in examples:
        if example.intent == intent:
            return example.path
    return None


@dataclasses.dataclass
class Addition:
    """The outcome of adding examples: every verdict, the refusals, where they were written."""

    intent: str
    verdicts: list[Verdict]
    misaligned: list[str]
    path: pathlib.Path | None = None
    written: bool = False

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts) and not self.misaligned


def add_examples(project, intent: str, texts: list[str], dry_run: bool = False) -> Addition:
    """Every guard of ``policy-team add-examples``, then the write: all sentences or none.

    Guards: exact and near duplicates, the same words under another intent, held-out
    sentences, entity annotations off jieba's token boundaries. Raises KeyError for an
    unknown intent (a new one needs add-faq).
    """
    existing = load_examples(project.nlu_dir)
    path = intent_file(existing, intent)
    if path is None:
        raise KeyError(intent)
    holdout = read_examples(project.holdout) if project.holdout.exists() else []
    addition = Addition(intent, check_all(texts, intent, existing, holdout), [], path)
    if not all(v.ok for v in addition.verdicts):
        return addition
    addition.misaligned = _misaligned(texts, intent, project)
    if addition.ok and not dry_run:
        append_examples(path, intent, texts)
        addition.written = True
    return addition


def _misaligned(texts: list[str], intent: str, project) -> list[str]:
    """New sentences whose entity annotations Rasa would silently drop."""
    if not any("](" in t or "]{" in t for t in texts):
        return []
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        scratch = pathlib.Path(tmp) / "new.yml"
        append_examples(scratch, intent, texts)
        return misaligned_sentences([scratch], project.nlu_dir / "jieba")
