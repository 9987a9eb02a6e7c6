"""Shared fixtures: a knowledge base built fresh from the sources into a temporary file."""

import pathlib

import pytest

from policy_kb import KnowledgeBase, store

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb(tmp_path_factory):
    db = tmp_path_factory.mktemp("kb") / "policy_kb.db"
    store.build(db)
    knowledge_base = KnowledgeBase(db)
    yield knowledge_base
    knowledge_base.close()
