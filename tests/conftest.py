"""Shared fixtures: one gazetteer index and one spaCy model per test session, real files in tmp paths."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from geo.articles import article_from_text, read_corpus
from geo.config import load_settings
from geo.entities import load_model
from geo.gazetteer import open_gazetteer
from geo.pipeline import analyze

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
GOLD_FILE = SHARED / "gold" / "seeds.json"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("geo-cache")
    os.environ["GEO_CACHE_DIR"] = str(path)  # subprocesses (CLI, streamlit) share the session's index
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
