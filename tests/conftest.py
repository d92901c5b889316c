"""Shared fixtures: one full gazetteer index and one spaCy model per test session, tiny gazetteers built from rows
written here, real files in tmp paths.

Tiers: a test that uses the spaCy model is marked `model`, one that uses the full gazetteer index `full` (both found
from its fixtures, or marked by hand when a subprocess needs them); the fast tier is -m "not full and not model and not browser".
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from geo.articles import article_from_text, content_id, read_corpus
from geo.config import load_settings
from geo.parsing import load_model
from geo.gazetteer import Gazetteer, build_index, open_gazetteer
from geo.pipeline import analyze
from geo.sources import Entry, PlaceRow
from geo.sources import index as index_module

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
GOLD_FILE = SHARED / "gold" / "seeds.json"


def seed_id(label: str) -> str:
    """The article id of the seed file `label`.txt (its content hash; links may still name the label)."""
    return content_id((SEEDS / f"{label}.txt").read_bytes())


# Fixtures that make a test need the spaCy model or the full gazetteer index (directly or through other fixtures).
MODEL_FIXTURES = {"nlp"}
FULL_INDEX_FIXTURES = {"gazetteer"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & MODEL_FIXTURES:
            item.add_marker(pytest.mark.model)
        if used & FULL_INDEX_FIXTURES:
            item.add_marker(pytest.mark.full)


# A tiny gazetteer with deliberate ambiguities (two Washingtons, two Pingxiangs, Paris the capital and Paris the
# Texas town), as the index's rows; then the names the row is found by.
TINY_ROWS = [
    (PlaceRow("tiny:us", "United States", "country", "country", "US", "", 39.8, -98.6, 331_000_000, 0, "test", "base"),
     ["United States", "USA", "America"]),
    (PlaceRow("tiny:cn", "China", "country", "country", "CN", "", 35.0, 103.0, 1_400_000_000, 0, "test", "base"), ["China"]),
    (PlaceRow("tiny:fr", "France", "country", "country", "FR", "", 46.6, 2.4, 68_000_000, 0, "test", "base"), ["France"]),
    (PlaceRow("tiny:us-wa", "Washington", "region", "state", "US", "WA", 47.4, -120.5, 0, 0, "test", "base"),
     ["Washington", "Washington State"]),
    (PlaceRow("tiny:washington-dc", "Washington", "city", "capital", "US", "DC", 38.895, -77.036, 690_000, 1, "test", "base"),
     ["Washington", "Washington DC"]),
    (PlaceRow("tiny:pingxiang-gx", "Pingxiang", "city", "populated place", "CN", "16", 22.1, 106.75, 120_000, 0, "test", "base"),
     ["Pingxiang"]),
    (PlaceRow("tiny:pingxiang-jx", "Pingxiang", "city", "populated place", "CN", "03", 27.6, 113.85, 890_000, 0, "test", "base"),
     ["Pingxiang"]),
    (PlaceRow("tiny:paris", "Paris", "city", "capital", "FR", "11", 48.857, 2.352, 2_100_000, 1, "test", "base"), ["Paris"]),
    (PlaceRow("tiny:paris-tx", "Paris", "town", "populated place", "US", "TX", 33.66, -95.56, 25_000, 0, "test", "base"), ["Paris"]),
]


def _tiny_entries():
    return (Entry(row, names) for row, names in TINY_ROWS)


@pytest.fixture
def tiny_sources(monkeypatch):
    """Index builds in this test read TINY_ROWS instead of the pip-installed data (the curated tables stay)."""
    monkeypatch.setattr(index_module, "_source_entries", _tiny_entries)


@pytest.fixture(scope="session")
def tiny_index(tmp_path_factory) -> Path:
    """A built index (real build code, current fingerprint) of TINY_ROWS plus the curated tables; copy it to change it."""
    path = tmp_path_factory.mktemp("tiny-gazetteer") / "gazetteer.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(index_module, "_source_entries", _tiny_entries)
        build_index(path)
    return path


@pytest.fixture
def tiny_gazetteer(tiny_index):
    g = Gazetteer(tiny_index)
    yield g
    g.close()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("geo-cache")
    os.environ["GEO_CACHE_DIR"] = str(path)  # subprocesses (CLI, streamlit) share the session's index
    os.environ["GEO_DATA_DIR"] = str(path / "data")  # and keep their workspaces database in the session's folder
    return path


@pytest.fixture(scope="session")
def settings(cache_dir):
    return load_settings(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def gazetteer(settings):
    g = open_gazetteer(settings)
    yield g
    g.close()


@pytest.fixture(scope="session")
def nlp():
    return load_model()


@pytest.fixture(scope="session")
def gold() -> dict:
    if not GOLD_FILE.exists():
        pytest.fail(f"gold file {GOLD_FILE} is missing: tests expect ../shared beside the checkout")
    return json.loads(GOLD_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_corpus(settings):
    articles, problems = read_corpus([SEEDS], settings)
    assert not problems
    return articles


@pytest.fixture(scope="session")
def seed_analysis(seed_corpus, nlp, gazetteer, settings):
    return analyze(seed_corpus, nlp, gazetteer, settings)


@pytest.fixture(scope="session")
def run_text(nlp, gazetteer, settings):
    """Analyse short texts written in the tests: run_text(text, ...) or run_text({"id": text, ...}, dates={...})."""

    def run(texts, dates: dict | None = None):
        if isinstance(texts, str):
            texts = {"story": texts}
        articles = []
        for aid, text in texts.items():
            a = article_from_text(aid, f"{aid}.txt", text)
            if dates and aid in dates:
                from dataclasses import replace

                a = replace(a, date=dates[aid], date_source="test")
            articles.append(a)
        return analyze(articles, nlp, gazetteer, settings)

    return run
