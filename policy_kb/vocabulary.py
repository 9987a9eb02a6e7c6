"""How residents phrase questions (``sources/questions.yml``), read once for the process.

The question reader, the household reader and the composers all take their words from here.
"""

from __future__ import annotations

import functools

import yaml

from policy_kb.sources import SOURCES_DIR


@functools.lru_cache(maxsize=1)
def words() -> dict:
    """The question vocabulary (sources/questions.yml)."""
    with open(SOURCES_DIR / "questions.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)
