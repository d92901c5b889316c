"""The benchmark commands run (figures are measured by bench/, never asserted as timings here)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geo.bench import Report, country_contains, load_corpus, run_geoparse

from .conftest import ROOT

GWN_SAMPLE = """<?xml version="1.0" ?>
<articles>
 <article file="1"><title>t</title><link>l</link>
  <text>Officials in Paris met envoys from Kenya on Monday.</text>
  <toponyms>
   <toponym><extractedName>Paris</extractedName><normalisedName>Paris</normalisedName><type>Literal</type><modifierType/>
    <nonLocational>No</nonLocational><start>13</start><end>18</end><geonamesID>2988507</geonamesID>
    <latitude>48.85341</latitude><longitude>2.3488</longitude></toponym>
   <toponym><extractedName>Kenya</extractedName><normalisedName>Kenya</normalisedName><type>Literal</type><modifierType/>
    <nonLocational>No</nonLocational><start>37</start><end>42</end><geonamesID>192950</geonamesID>
    <latitude>1.0</latitude><longitude>38.0</longitude></toponym>
   <toponym><extractedName>envoys</extractedName><normalisedName/><type>Non_Toponym</type><modifierType/>
    <nonLocational>Yes</nonLocational><start>24</start><end>30</end></toponym>
  </toponyms>
 </article>
</articles>
"""


def test_geoparse_benchmark_scores_a_small_corpus(tmp_path, settings, nlp, gazetteer):
    path = tmp_path / "GWN.xml"
    path.write_text(GWN_SAMPLE, encoding="utf-8")
    name, docs, demonyms = load_corpus(path)
    assert name == "GeoWebNews" and len(docs[0].gold) == 2  # the helper span is not a toponym
    suite = run_geoparse([str(tmp_path)], settings, nlp=nlp, gazetteer=gazetteer)
    [report] = suite.reports
    assert report.matched == 2 and report.recall == 1.0
    assert report.acc161 == 1.0  # Paris within 161 km; Kenya's centroid within 161 km of (1, 38)
    assert "GeoWebNews" in suite.table() and "by outline" in suite.table()


GWN_REGION = """<?xml version="1.0" ?>
<articles>
 <article file="2"><title>t</title><link>l</link>
  <text>Wildfires spread across Texas on Monday.</text>
  <toponyms>
   <toponym><extractedName>Texas</extractedName><normalisedName>Texas</normalisedName><type>Literal</type><modifierType/>
    <nonLocational>No</nonLocational><start>24</start><end>29</end><geonamesID>1</geonamesID>
    <latitude>29.76</latitude><longitude>-95.37</longitude></toponym>
  </toponyms>
 </article>
</articles>
"""


def test_a_region_is_right_by_outline_when_the_gold_point_is_inside_it(tmp_path, settings, nlp, gazetteer):
    # The gold point is Houston: far from Texas's centre, inside its outline.
    (tmp_path / "GWN.xml").write_text(GWN_REGION, encoding="utf-8")
    [report] = run_geoparse([str(tmp_path)], settings, nlp=nlp, gazetteer=gazetteer).reports
    d = report.as_dict()
    assert d["acc161"] == 0.0 and d["acc161_by_outline"] == 1.0 and d["acc161_countries_by_outline"] == 0.0


def test_report_metrics():
    r = Report("x", 1, gold=4, predicted=5, matched=3, errors_km=[0.0, 10.0, 200.0, 20039.0])
    assert r.precision == pytest.approx(0.6) and r.recall == pytest.approx(0.75)
    assert r.acc161 == 0.5 and r.median_km == 105.0
    assert 0 < r.auc < 1


def test_countries_by_outline_is_reported_beside_acc161_not_in_it():
    assert country_contains("US", 39.76, -98.5) and not country_contains("CA", 39.76, -98.5)
    assert country_contains("JP", 35.69, 139.75) and not country_contains("JP", 37.57, 126.98)  # Tokyo, not Seoul
    r = Report("x", 1, gold=3, predicted=3, matched=3, errors_km=[10.0, 234.0, 300.0], area_errors_km=[234.0, 300.0],
               areas_inside_outline=2, countries_off_point=1)
    d = r.as_dict()
    assert d["acc161"] == pytest.approx(0.333, abs=0.001)
    assert d["acc161_countries_by_outline"] == pytest.approx(0.667, abs=0.001) and d["acc161_by_outline"] == 1.0


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.full
def test_bench_suite_runs_on_a_tiny_corpus(cache_dir):
    out = subprocess.run([sys.executable, "bench/run.py", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ratio" in out.stdout and "gazetteer:" in out.stdout
    data = json.loads((ROOT / "bench" / "results" / "quick.json").read_text())
    assert data["pipeline"][0]["ratio"] > 0 and data["pipeline"][0]["cpu_ratio"] > 0 and data["gazetteer"]["places"] > 100_000


def test_parquet_export(seed_analysis, tmp_path):
    import pandas as pd

    from geo.export import write_parquet

    files = write_parquet(seed_analysis, tmp_path)
    assert {f.name for f in files} == {f"{name}.parquet" for name in ("articles", "entities", "clusters", "places", "routes", "stops", "unresolved", "quotes", "claims")}
    stops = pd.read_parquet(tmp_path / "stops.parquet")
    assert "Khasan" in set(stops["name"])
    assert len(pd.read_parquet(tmp_path / "articles.parquet")) == 5
    from geo.export import read_parquet

    loaded = read_parquet(tmp_path)  # the dashboard's way to show a large corpus without re-analysis
    assert [a.id for a in loaded.articles] == [a.id for a in seed_analysis.articles]
    assert {p.id for p in loaded.places} == {p.id for p in seed_analysis.places}
    kim = next(r for r in loaded.routes if r.subject == "Kim Jong Un" and r.current)
    assert [s.name for s in kim.stops] == [s.name for s in next(r for r in seed_analysis.routes if r.subject == "Kim Jong Un" and r.current).stops]
    assert len(loaded.entities) == len(seed_analysis.entities)
