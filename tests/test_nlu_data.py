"""Training data and held-out set: size, independence, entity alignment, entity values."""

import pathlib
import re
import warnings

import pytest
import yaml
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.normalizing_tokenizer import NormalizingJiebaTokenizer
from bot.components.quantities import find_quantities
from policy_kb.data.sources import load_sources
from policy_kb.text.normalize import normalize_same_length

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRAIN_FILES = sorted((ROOT / "nlu_data").glob("*.yml"))
HOLDOUT = ROOT / "tests" / "data" / "nlu_holdout.yml"


def load(files) -> TrainingData:
    return TrainingData().merge(*(load_data(str(f)) for f in files))


@pytest.fixture(scope="module")
def tokenizer():
    config = {
        **NormalizingJiebaTokenizer.get_default_config(),
        "dictionary_path": str(ROOT / "nlu_data" / "jieba"),
    }
    return NormalizingJiebaTokenizer.create(config, None, None, None)


@pytest.fixture(scope="module")
def train():
    return load(TRAIN_FILES)


@pytest.fixture(scope="module")
def holdout():
    return load([HOLDOUT])


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def test_at_least_40_examples_per_intent(train):
    counts = train.number_of_examples_per_intent
    assert len(counts) >= 25
    assert min(counts.values()) >= 40, counts


def test_holdout_is_large_and_never_trained_on(train, holdout):
    assert len(holdout.intent_examples) >= 300
    assert set(holdout.intents) <= set(train.intents)
    seen = {_plain(m.get("text")) for m in train.intent_examples}
    overlap = [m.get("text") for m in holdout.intent_examples if _plain(m.get("text")) in seen]
    assert not overlap


@pytest.mark.parametrize("which", ["train", "holdout"])
def test_entity_annotations_fall_on_jieba_token_boundaries(which, tokenizer, request):
    # Rasa silently drops misaligned entities; its own check only warns. Make it fail here.
    data = request.getfixturevalue(which)
    tokenizer.process_training_data(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EntityExtractorMixin.check_correct_entity_annotations(data)


def test_region_synonyms_map_to_knowledge_base_regions():
    regions = {r["id"] for r in load_sources().regions}
    synonyms = yaml.safe_load((ROOT / "nlu_data" / "synonyms.yml").read_text(encoding="utf-8"))
    region_lookup = yaml.safe_load(
        (ROOT / "nlu_data" / "lookups" / "region.yml").read_text(encoding="utf-8")
    )
    surface = {
        line.strip("- ").strip()
        for item in region_lookup["nlu"]
        for line in item["examples"].splitlines()
        if line.strip()
    }
    mapped = {
        s["synonym"]
        for s in synonyms["nlu"]
        if any(line.strip("- ").strip() in surface for line in s["examples"].splitlines())
    }
    assert mapped and mapped <= regions | set()


@pytest.mark.parametrize(
    "text, expected",
    [
        # Chinese numerals for ages and amounts
        ("我六十五岁，在山亭", [("age", "65")]),
        ("选两千档政府补多少", [("amount", "2000")]),
        ("交五百块", [("amount", "500")]),
        # unit-less amounts; hotline numbers are not amounts
        ("是462吗", [("amount", "462")]),
        ("打12333能问医保吗", []),
        # dates inherit the year of an earlier date; roles from what follows
        ("孩子2024年3月10号出生，8月20号交的", [("date", "2024-03-10"), ("date", "2024-08-20")]),
        ("2024年度的标准", [("year", "2024")]),
        ("2025年青岛医保多少钱", [("year", "2025")]),
        # 一档 is a medical tier, not an amount; "交满15年" is not a year
        ("青岛一档多少", []),
        ("职工养老交满15年", []),
        ("886", []),
    ],
)
def test_quantity_extraction(text, expected):
    assert [(e["entity"], e["value"]) for e in find_quantities(text)] == expected


def test_date_roles():
    roles = [e.get("role") for e in find_quantities("孩子2024年3月10号出生，8月20号交的医保")]
    assert roles == ["birth", "payment"]


def test_normalisation_keeps_offsets():
    # Traditional and full-width input is folded character by character
    assert normalize_same_length("青島醫保６５歲") == "青岛医保65岁"
    assert len(normalize_same_length("…①ＡＢ")) == len("…①ＡＢ")


@pytest.mark.parametrize(
    "text, nothing",
    [
        ("", True),
        ("😂😂😂", True),
        ("？？？！！！。。。", True),
        ("<script>alert(1)</script>", True),
        # Latin words the training data does not teach
        ("hello", True),
        ("asdfgh", True),
        # pinyin place names and any Chinese are left to the classifier
        ("qingdao yibao", False),
        ("<b>医保</b>多少钱", False),
        ("医保", False),
    ],
)
def test_input_guard(text, nothing):
    from bot.components.input_guard import nothing_to_understand

    assert nothing_to_understand(text) is nothing


@pytest.mark.parametrize(
    "text, nothing",
    [
        # phrases the training data teaches, however they are typed
        ("hello", False),
        ("Bye~~", False),
        ("88！", False),
        ("<b>thx</b>", False),
        # anything else without Chinese still goes to the fallback
        ("hello world", True),
        ("8888", True),
        ("😂", True),
        ("<script>alert(1)</script>", True),
    ],
)
def test_input_guard_known_phrases(text, nothing):
    from bot.components.input_guard import nothing_to_understand, phrase_key

    known = {phrase_key(t) for t in ["hello", "bye", "88", "thx"]}
    assert nothing_to_understand(text, known) is nothing


def test_no_out_of_scope_example_without_chinese(train):
    # Messages without Chinese are the input guard's (topic suggestions); an out_of_scope
    # example like "666666" would also pull "88" (goodbye) towards out_of_scope.
    texts = [m.get("text") for m in train.intent_examples if m.get("intent") == "out_of_scope"]
    assert [t for t in texts if not re.search(r"[\u4e00-\u9fff]", t)] == []


def test_input_guard_learns_the_training_data_phrases(train, tmp_path):
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message

    from bot.components.input_guard import FALLBACK, InputGuard

    # Trained on the real data, persisted and loaded back as `rasa run` would.
    storage = LocalModelStorage(tmp_path)
    resource = Resource("input_guard")
    InputGuard.create({}, storage, resource, None).train(train)
    guard = InputGuard.load({}, storage, resource, None)

    def intent(text):
        message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 0.9}})
        return guard.process([message])[0].get("intent")["name"]

    assert intent("Hello!") == "greet"  # "hello" is a greet example: left to the classifier
    assert intent("bye") == "greet"
    assert intent("zzzz") == FALLBACK
    assert intent("🙂🙂") == FALLBACK


def test_input_guard_sends_chinese_without_a_known_word_to_the_fallback(train, tokenizer, tmp_path):
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message

    from bot.components.input_guard import FALLBACK, InputGuard

    storage = LocalModelStorage(tmp_path)
    resource = Resource("input_guard")
    InputGuard.create({}, storage, resource, None).train(tokenizer.process_training_data(train))
    guard = InputGuard.load({}, storage, resource, None)

    def intent(text, entities=()):
        message = Message(data={"text": text, "intent": {"name": "ask_tiers", "confidence": 0.9}})
        message.set("entities", list(entities))
        tokenizer.process([message])
        return guard.process([message])[0].get("intent")["name"]

    # babble DIET would still place under a topic
    assert intent("阿巴阿巴") == FALLBACK
    assert intent("咕噜咕噜咕噜") == FALLBACK
    # one word the training data has is enough; so are known characters only, or an entity
    assert intent("早安") == "ask_tiers"
    assert intent("青岛医保多少钱") == "ask_tiers"
    assert intent("俺嘞个天 医保") == "ask_tiers"
    assert intent("呱呱呱", [{"entity": "region", "value": "青岛"}]) == "ask_tiers"
