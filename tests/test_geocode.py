"""Geocoding: gold places on the seeds, disambiguation rules on short texts, the gazetteer, online backends."""
from __future__ import annotations

import csv
import io
import shutil
import time
import zipfile
from dataclasses import replace

import pytest
from geopy.distance import geodesic

from geo.articles import article_from_text
from geo.errors import ConfigError
from geo.export import places_csv, read_parquet, to_geojson, write_parquet
from geo.gazetteer import build_index, import_geonames, open_gazetteer, Gazetteer
from geo.geocode import GeocodeCache, make_geocoder
from geo.pipeline import analyze

from .fake_nominatim import FakeNominatim


def _places_named(analysis, name):
    key = name.lower()
    return [p for p in analysis.places if any(key in m.text.lower() for m in p.mentions)]


def test_every_gold_place_within_tolerance(seed_analysis, gold):
    for g in gold["places"]:
        names = [g["name"], *g.get("aliases", [])]
        hits = {p.id: p for n in names for p in _places_named(seed_analysis, n) if p.feature != "country"}
        assert hits, g["name"]
        for p in hits.values():
            km = geodesic((g["lat"], g["lon"]), (p.lat, p.lon)).km
            assert km <= g["tolerance_km"], (g["name"], p.name, p.country, round(km))
        articles = {seed_analysis.labels()[m.article][:3] for p in hits.values() for m in p.mentions}
        assert set(g["articles"]) <= articles, (g["name"], articles)


def test_countries_resolve_to_countries(seed_analysis, gold):
    countries = {p.country for p in seed_analysis.places if p.feature == "country"}
    named = set(gold["countries"]) - {"VN"}  # Vietnam is only implied, through Hanoi
    assert named <= countries
    for name, iso in (("Russia", "RU"), ("China", "CN"), ("North Korea", "KP"), ("Poland", "PL")):
        exact = [p for p in seed_analysis.places if any(m.text == name for m in p.mentions)]
        assert [(p.feature, p.country) for p in exact] == [("country", iso)], name


def test_washington_is_the_capital_and_mostly_metonymic(seed_analysis):
    [washington] = [p for p in seed_analysis.places if any(m.text == "Washington" for m in p.mentions)]
    assert washington.country == "US" and washington.feature == "city"
    assert geodesic((washington.lat, washington.lon), (38.895, -77.036)).km < 25
    assert sum(m.metonym for m in washington.mentions) >= len(washington.mentions) / 2


def test_vostochny_is_the_cosmodrome(seed_analysis):
    places = _places_named(seed_analysis, "Vostochny")
    assert places
    for p in places:
        assert p.category == "spaceport" and p.country == "RU"


def test_unresolved_are_listed_with_reasons(seed_analysis):
    gj = to_geojson(seed_analysis)
    assert gj["unresolved"] and all(u["reason"] for u in gj["unresolved"])
    raw = {a.id: a.raw for a in seed_analysis.articles}
    for u in gj["unresolved"]:
        assert raw[u["article"]][u["raw_start"]:u["raw_end"]] == u["text"]


def test_geojson_points_follow_the_contract(seed_analysis):
    gj = to_geojson(seed_analysis)
    raw = {a.id: a.raw for a in seed_analysis.articles}
    points = [f for f in gj["features"] if f["properties"]["kind"] == "place"]
    assert points
    for f in points:
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        props = f["properties"]
        assert {"name", "feature", "country", "source", "confidence", "mentions"} <= set(props)
        assert 0 <= props["confidence"] <= 1
        for m in props["mentions"]:
            assert raw[m["article"]][m["raw_start"]:m["raw_end"]] == m["text"]


def _resolve(run_text, text):
    result = run_text(text)
    return {m.text: p for p in result.places for m in p.mentions}, result


@pytest.mark.parametrize(
    "text,mention,expected,km",
    [
        ("Officials in Washington warned Moscow on Monday that sanctions would follow.", "Washington", (38.895, -77.036), 25),
        ("Wildfires spread across Washington state, and firefighters from Oregon joined crews near Spokane.", "Washington", (47.3, -120.2), 300),
        ("Freight trains from Hanoi reach Pingxiang, Guangxi, after crossing the border at Dong Dang.", "Pingxiang", (22.10, 106.76), 30),
        ("Coal trains run from Pingxiang, Jiangxi, to Changsha in neighbouring Hunan province.", "Pingxiang", (27.62, 113.85), 30),
        ("Russia and China signed a grain deal in Beijing.", "Russia", (61.5, 105.3), 2500),
        ("A rocket lifted off from Plesetsk cosmodrome in northern Russia on Friday.", "Plesetsk", (62.925, 40.577), 25),
        ("The freight train reached Zabaykalsk station before crossing into China.", "Zabaykalsk", (49.633, 117.317), 25),
    ],
)
def test_disambiguation_rules(run_text, text, mention, expected, km):
    by_text, _ = _resolve(run_text, text)
    hit = next((p for t, p in by_text.items() if mention in t), None)
    assert hit is not None, (mention, list(by_text))
    assert geodesic(expected, (hit.lat, hit.lon)).km <= km, (hit.name, hit.country, hit.lat, hit.lon)


def test_country_never_resolves_to_a_namesake_town(run_text):
    by_text, _ = _resolve(run_text, "China warned Russia. Delegates from China and Russia met in Geneva.")
    assert by_text["China"].feature == "country" and by_text["China"].country == "CN"
    assert by_text["Russia"].feature == "country" and by_text["Russia"].country == "RU"


def test_country_name_beats_a_capital_that_also_carries_it(run_text):
    by_text, _ = _resolve(run_text, "MEXICO CITY (AP) — Mexico's Congress voted on Tuesday to pause the trade talks. "
                                    "One deputy added that Mexico should also review its border agreements.")
    assert by_text["Mexico"].feature == "country" and by_text["Mexico"].country == "MX"


def test_demonym_resolves_to_its_country(run_text):
    result = run_text("Syrian forces shelled villages near Idlib, the monitor said.")
    syria = [p for p in result.places if p.country == "SY" and p.feature == "country"]
    assert syria and any(m.demonym for m in syria[0].mentions)


def test_metonym_flagged_literal_not(run_text):
    result = run_text("Beijing denied the report. Thousands of tourists visited Beijing in May.")
    [beijing] = [p for p in result.places if p.name == "Beijing"]
    flags = sorted(m.metonym for m in beijing.mentions)
    assert flags == [False, True]


def test_places_inside_organisation_names_are_marked_embedded(run_text, tmp_path):
    result = run_text("The Kidney Foundation of Canada praised the nurses. Air Zimbabwe cancelled two flights, and the "
                      "Korean Central News Agency said nothing. Tourists later visited Harare.")
    mentions = {m.text: (p, m) for p in result.places for m in p.mentions}
    canada, m = mentions["Canada"]
    assert canada.feature == "country" and canada.country == "CA" and m.embedded and not m.literal and not m.metonym
    zimbabwe, m = mentions["Zimbabwe"]
    assert zimbabwe.country == "ZW" and m.embedded
    _, m = mentions["Harare"]
    assert m.literal and not m.embedded
    # Everyday words of organisation names are never read as the regions that share them.
    assert "Central" not in mentions
    feature = next(f for f in to_geojson(result)["features"] if f["properties"].get("name") == zimbabwe.name)
    assert feature["properties"]["mentions"][0]["embedded"] is True
    row = next(r for r in csv.DictReader(io.StringIO(places_csv(result))) if r["id"] == zimbabwe.id)
    assert row["embedded_mentions"] == "1" and row["metonymic_mentions"] == "0"
    write_parquet(result, tmp_path)
    back = {m.text: m for p in read_parquet(tmp_path).places for m in p.mentions}
    assert back["Zimbabwe"].embedded and back["Harare"].literal


def test_press_abbreviations_of_states_and_provinces(run_text):
    result = run_text("Flooding closed roads near Charleston, W.Va., on Monday. Crews from Sacramento, Calif., and "
                      "Kamloops, B.C., were sent to help.")
    names = {m.text: p for p in result.places for m in p.mentions}
    assert names["Charleston"].country == "US" and geodesic((38.35, -81.63), (names["Charleston"].lat, names["Charleston"].lon)).km < 30
    regions = {text.rstrip("."): p.name for text, p in names.items()}
    assert regions["W.Va"] == "West Virginia" and regions["Calif"] == "California" and regions["B.C"] == "British Columbia"


# --------------------------------------------------------------------------- gazetteer


def test_gazetteer_lookups_and_stats(gazetteer):
    stats = gazetteer.stats()
    assert stats["places"] > 200_000 and stats["names"] > stats["places"]
    ids = {c.id for c in gazetteer.candidates("Washington")}
    assert len(ids) > 10
    assert any(c.capital and c.country == "US" for c in gazetteer.candidates("Washington"))
    assert gazetteer.demonym("Syrian").country == "SY" and gazetteer.demonym("European").feature == "continent"
    assert gazetteer.candidates("Kyiv's") == gazetteer.candidates("kyiv")


def test_custom_rows_override_everything(tiny_index, tmp_path):
    custom = tmp_path / "custom.csv"
    custom.write_text("id,name,aliases,feature,category,country,lat,lon,source,note\n"
                      "camp-x,Washington,Camp Washington,facility,camp,XX,1.5,2.5,field notes,\n", encoding="utf-8")
    assert len(Gazetteer(tiny_index).candidates("Washington")) == 2
    g = Gazetteer(tiny_index, custom)
    try:
        cands = g.candidates("Washington")
        assert [(c.id, c.lat, c.lon) for c in cands] == [("custom:camp-x", 1.5, 2.5)]
    finally:
        g.close()


GEONAMES_FIXTURE = "\t".join(["9999001", "Testville Junction", "Testville Junction", "Testville Jct,Testvil",
                              "45.5", "12.25", "S", "RSTN", "IT", "", "20", "", "", "", "0", "", "12", "Europe/Rome", "2024-01-01"])


def test_import_geonames_dump(tiny_index, tiny_sources, tmp_path):
    index = tmp_path / "gz.sqlite"
    shutil.copy(tiny_index, index)
    dump = tmp_path / "IT.zip"
    with zipfile.ZipFile(dump, "w") as zf:
        zf.writestr("IT.txt", GEONAMES_FIXTURE + "\n")
        zf.writestr("readme.txt", "not data")
    assert import_geonames(index, dump) == 1
    g = Gazetteer(index)
    [cand] = g.candidates("Testville Jct")
    assert cand.feature == "station" and cand.country == "IT" and cand.lat == 45.5
    # Rebuilding keeps what was imported.
    build_index(index)
    rebuilt = Gazetteer(index)
    assert rebuilt.candidates("Testville Junction") and len(rebuilt.candidates("Pingxiang")) == 2


def test_import_rejects_other_formats(tmp_path, tiny_index):
    bad = tmp_path / "bad.txt"
    bad.write_text("name,lat,lon\nx,1,2\n", encoding="utf-8")
    index = tmp_path / "gz.sqlite"
    shutil.copy(tiny_index, index)
    from geo.errors import GazetteerError

    with pytest.raises(GazetteerError, match="not GeoNames format"):
        import_geonames(index, bad)
    assert not Gazetteer(index).candidates("x")


def test_gazetteer_cli_import(tmp_path, tiny_index, monkeypatch, capsys):
    from geo.cli import main

    dump = tmp_path / "XX.txt"
    dump.write_text(GEONAMES_FIXTURE + "\n", encoding="utf-8")
    env_dir = tmp_path / "cache"
    env_dir.mkdir()
    shutil.copy(tiny_index, env_dir / "gazetteer.sqlite")
    monkeypatch.setenv("GEO_CACHE_DIR", str(env_dir))
    assert main(["gazetteer", "import", str(dump)]) == 0
    out = capsys.readouterr()
    assert "imported 1 rows" in out.out, out.err
    main(["gazetteer", "lookup", "Testvil"])
    assert "geonames:9999001" in capsys.readouterr().out


def test_corrupted_index_is_rebuilt_with_a_warning(settings, tiny_index, tiny_sources, tmp_path, caplog):
    local = replace(settings, cache_dir=tmp_path)
    shutil.copy(tiny_index, local.gazetteer_path)
    with open(local.gazetteer_path, "r+b") as fh:
        fh.seek(0)
        fh.write(b"garbage" * 100)
    with caplog.at_level("WARNING"):
        g = open_gazetteer(local)
    assert {c.id for c in g.candidates("Paris")} == {"tiny:paris", "tiny:paris-tx"}
    assert any("rebuilding" in r.message for r in caplog.records)


# --------------------------------------------------------------------------- online backends


def _online_settings(settings, server, tmp_path, **kw):
    return replace(settings, geocoder="nominatim", geocoder_url=server.url if server else "http://127.0.0.1:9",
                   geocoder_scheme="http", user_agent="geo-dashboard-tests", geocoder_timeout=kw.get("timeout", 2.0),
                   geocoder_min_delay=0.0, cache_dir=tmp_path)


def test_online_geocoder_needs_a_user_agent(settings, tiny_gazetteer, tmp_path):
    with pytest.raises(ConfigError, match="user_agent"):
        make_geocoder(replace(settings, geocoder="nominatim", user_agent="", cache_dir=tmp_path), tiny_gazetteer)


def test_unknown_geocoder_lists_valid_names(settings, tiny_gazetteer, tmp_path):
    with pytest.raises(ConfigError, match="nominatim"):
        make_geocoder(replace(settings, geocoder="nosuchcoder", user_agent="x", cache_dir=tmp_path), tiny_gazetteer)


def test_online_answers_are_used_and_cached_for_offline_runs(settings, gazetteer, nlp, tmp_path):
    article = article_from_text("s", "s.txt", "Delegates met in Springfield on Friday, officials said.")
    with FakeNominatim() as server:
        st = _online_settings(settings, server, tmp_path)
        online = make_geocoder(st, gazetteer)
        result = analyze([article], nlp, gazetteer, st, online=online)
        [spring] = [p for p in result.places if p.name == "Springfield"]
        assert spring.source.startswith("nominatim:") and abs(spring.lat - 39.799) < 0.01
        assert server.requests == ["Springfield"]
    # The server is gone: the cached answer is reused, nothing is requested.
    online = make_geocoder(st, gazetteer)
    result = analyze([article], nlp, gazetteer, st, online=online)
    assert any(p.source.startswith("nominatim:") for p in result.places)
    assert online.requests == 0 and not result.warnings


def test_slow_answer_within_the_timeout_is_used(settings, gazetteer, nlp, tmp_path):
    article = article_from_text("s", "s.txt", "Delegates met in Springfield on Friday, officials said.")
    with FakeNominatim() as server:
        server.mode, server.delay = "slow", 0.8
        st = _online_settings(settings, server, tmp_path, timeout=3.0)
        result = analyze([article], nlp, gazetteer, st, online=make_geocoder(st, gazetteer))
    assert any(p.source.startswith("nominatim:") for p in result.places) and not result.warnings


@pytest.mark.parametrize("mode", ["refuse", "timeout", "429", "500", "malformed", "empty"])
def test_online_failures_fall_back_to_the_gazetteer(mode, settings, gazetteer, nlp, tmp_path):
    article = article_from_text("s", "s.txt", "Ministers met in Paris and later in Berlin, officials said.")
    warnings: list[str] = []
    with FakeNominatim() as server:
        server.mode = mode
        server.delay = 3.0
        st = _online_settings(settings, None if mode == "refuse" else server, tmp_path, timeout=1.0)
        online = make_geocoder(st, gazetteer, on_warning=warnings.append)
        started = time.monotonic()
        result = analyze([article], nlp, gazetteer, st, online=online)
        elapsed = time.monotonic() - started
    names = {p.name for p in result.places}
    assert {"Paris", "Berlin"} <= names
    assert all(p.source.startswith("geonames:") for p in result.places)
    if mode == "empty":
        assert not warnings  # an empty answer is an answer, not a failure
    else:
        assert len(warnings) == 1 and "using the offline gazetteer" in warnings[0]
        assert result.warnings
        assert len(GeocodeCache(tmp_path / "geocode-cache.sqlite")) == 0  # failures are never cached
    assert elapsed < 15  # bounded by one timeout, not one per place


def test_cache_survives_corruption(tmp_path, caplog):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not a database" * 50)
    with caplog.at_level("WARNING"):
        cache = GeocodeCache(path)
    cache.put("nominatim", "x", [{"lat": 1, "lon": 2}])
    assert cache.get("nominatim", "x") == [{"lat": 1, "lon": 2}]
    assert any("damaged" in r.message for r in caplog.records)


def test_gazetteer_pickles_by_path_and_answers_the_same(tiny_index, tmp_path):
    import pickle

    custom = tmp_path / "custom.csv"
    custom.write_text("id,name,aliases,feature,category,country,lat,lon,source,note\n"
                      "depot-7,Depot Seven,Depot 7,facility,depot,XX,3.5,4.5,field notes,\n", encoding="utf-8")
    g = Gazetteer(tiny_index, custom)
    before = {n: g.candidates(n) for n in ("Washington", "Pingxiang", "Paris", "Depot 7", "Nowhere")}
    data = pickle.dumps(g)
    g.close()
    copy = pickle.loads(data)
    try:
        assert (copy.path, copy.custom_path) == (tiny_index, custom)
        assert {n: copy.candidates(n) for n in before} == before
        assert len(before["Pingxiang"]) == 2 and before["Depot 7"][0].id == "custom:depot-7"
        assert copy.get("tiny:pingxiang-jx") == Gazetteer(tiny_index).get("tiny:pingxiang-jx")
    finally:
        copy.close()
