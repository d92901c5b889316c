"""Saved results queried in place with DuckDB: the SQL answers equal the same figures computed from the analysis, and
the dashboard's large-results view searches and filters a partitioned dataset."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.dask_tasks import CORPUS_TABLES, PARTITION_TABLES
from geo.export import write_parquet_part
from geo.pipeline import Analysis
from geo.resultsdb import ResultsDB, ResultsFilter

ROOT = Path(__file__).resolve().parent.parent


def _partitioned(analysis: Analysis, folder: Path) -> Path:
    """The analysis as a Dask run writes it: one part per article for the per-article tables, one for the corpus ones."""
    for k, article in enumerate(analysis.articles):
        ents = [e for e in analysis.entities if e.article == article.id]
        part = Analysis([article], [], ents, [], analysis.assignment, [], [u for u in analysis.unresolved if u.article == article.id], [],
                        analysis.model, quotes=[q for q in analysis.quotes if q.article == article.id])
        write_parquet_part(part, folder, PARTITION_TABLES, k)
    write_parquet_part(analysis, folder, CORPUS_TABLES, 0)
    return folder


@pytest.fixture(scope="module")
def dataset(seed_analysis, tmp_path_factory) -> Path:
    return _partitioned(seed_analysis, tmp_path_factory.mktemp("results") / "dataset")


def test_sql_answers_equal_the_analysis(seed_analysis, dataset):
    db = ResultsDB(dataset)
    everything = ResultsFilter()
    assert db.count(everything) == len(seed_analysis.articles)
    word = "cosmodrome"
    expected = {a.id for a in seed_analysis.articles if word in (a.title or "").lower() or word in a.text.lower()}
    assert 0 < len(expected) < len(seed_analysis.articles)
    assert {r.id for r in db.articles(ResultsFilter(text=word.upper()))} == expected
    outlet = seed_analysis.articles[0].outlet
    assert db.count(ResultsFilter(outlets=(outlet,))) == sum(a.outlet == outlet for a in seed_analysis.articles)
    cluster = next(c for c in seed_analysis.clusters if 1 < len(c.articles) < len(seed_analysis.articles))
    assert {r.id for r in db.articles(ResultsFilter(cluster=cluster.id))} == set(cluster.articles)

    literal = Counter()
    articles: dict[str, set[str]] = {}
    for p in seed_analysis.places:
        for m in p.mentions:
            if not m.embedded and not m.metonym:
                literal[p.id] += 1
                articles.setdefault(p.id, set()).add(m.article)
    totals = db.place_totals(everything)
    assert {t.id: (t.mentions, t.articles) for t in totals} == {pid: (n, len(articles[pid])) for pid, n in literal.items()}
    assert [t.mentions for t in totals] == sorted((t.mentions for t in totals), reverse=True)

    matrix = db.entity_matrix(everything, ("PERSON", "GPE"), articles=10, clusters=5)
    counts = Counter((e.article, seed_analysis.cluster_of(e)) for e in seed_analysis.entities
                     if e.label in ("PERSON", "GPE") and seed_analysis.cluster_of(e))
    top = Counter()
    for (_, cid), n in counts.items():
        top[cid] += n
    assert [cid for cid, _, _ in matrix.clusters] == [cid for cid, _ in sorted(top.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
    assert len(matrix.articles) == len(seed_analysis.articles)
    assert matrix.counts == {(a, c): n for (a, c), n in counts.items() if c in {cid for cid, _, _ in matrix.clusters}}
    db.close()


def test_the_dashboard_searches_a_partitioned_dataset_in_place(dataset, monkeypatch, cache_dir):
    monkeypatch.setenv("GEO_RESULTS_DIR", str(dataset))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.query_params["corpus"] = "results"
    at.run()
    assert not at.exception and not at.error
    assert any("5 articles match" in c.value for c in at.caption)
    next(t for t in at.text_input if t.label == "Search titles and texts").set_value("cosmodrome")
    at.run()
    assert not at.exception
    [caption] = [c.value for c in at.caption if "articles match" in c.value]
    assert not caption.startswith("5 ") and not caption.startswith("0 ")
    assert len(at.dataframe[0].value) == int(caption.split()[0])


def test_the_aggregated_map_draws_every_place_in_one_element_with_names_escaped():
    from panels.results import aggregated_map
    from geo.resultsdb import PlaceTotal

    places = [PlaceTotal("p1", "<img src=x onerror=alert(1)>", "P", 1.5, 2.5, 4, 2), PlaceTotal("p2", "Lakeside", "P", 3.5, 4.5, 1, 1)]
    page = aggregated_map(places).get_root().render()
    assert page.count("L.circleMarker(") == 1  # one loop over the rows, not one template per place
    assert "[1.5, 2.5, 20.0, " in page and "[3.5, 4.5, 11.5, " in page  # radius 3 + 17 * sqrt(mentions / most)
    assert "<img src=x" not in page and "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;: 4 mentions in 2 articles" in page
