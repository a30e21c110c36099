"""Shared fixtures: the seed article and its hand-checked gold facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_bd50dbdc2ca17a54.txt"
GOLD = Path(__file__).resolve().parent / "000_bd50dbdc2ca17a54.gold.json"


@pytest.fixture(scope="session")
def gold() -> dict:
    return json.loads(GOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_doc():
    import analysis

    (doc,) = analysis.load_corpus(SEED)
    return doc
