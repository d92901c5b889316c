"""Corrections: place mentions moved or removed, stops added, edited, moved, removed, clusters merged and split; stored
in a workspace, applied as a new value, undone, exported and imported, and still applied after re-analysis."""
from __future__ import annotations

import pytest

from geo.articles import article_from_text, read_article_bytes
from geo.config import load_settings
from geo.corrections import (CORRECTED_SOURCE, NO_CORRECTIONS, Correction, CorrectionError, StoredCorrections, apply_corrections, check_correction, export_corrections,
                             import_corrections, record_correction, workspace_corrections)
from geo.aliases import Cluster
from geo.entities import Entity
from geo.geocode import Place, PlaceMention
from geo.pipeline import Analysis, analyze
from geo.route import Route, Stop, Trip
from geo.status import Status
from geo.workspaces import WorkspaceStore, correction_json

TEXT = "Port talks\n\nThe envoy flew from Paris to Washington on Monday."


def _mention(article, start, end, text):
    return PlaceMention(article, start, end, text, False, False, start, end, "")


def _stop(place, name, lat, lon, status="arrived", date=None):
    return Stop(place, name, lat, lon, date, None, Status(status), (), ("a1",), ())


@pytest.fixture
def analysis():
    article = article_from_text("a1", "a1.txt", TEXT)
    paris = Place("p:paris", "Paris", "city", "capital", "FR", 48.857, 2.352, "gazetteer", 0.9, (_mention("a1", 32, 37, "Paris"),))
    wash = Place("p:wash", "Washington", "city", "capital", "US", 38.9, -77.0, "gazetteer", 0.8, (_mention("a1", 41, 51, "Washington"),))
    entities = [Entity("a1", "PERSON", "envoy", "envoy", 16, 21, 16, 21, 0, 60),
                Entity("a1", "GPE", "Paris", "paris", 32, 37, 32, 37, 0, 60),
                Entity("a1", "GPE", "Washington", "washington", 41, 51, 41, 51, 0, 60)]
    clusters = [Cluster("c:envoy", "PERSON", "envoy", (), ("a1",), 1), Cluster("c:paris", "GPE", "Paris", (), ("a1",), 1),
                Cluster("c:wash", "GPE", "Washington", (), ("a1",), 1)]
    assignment = {("a1", 16, 21): "c:envoy", ("a1", 32, 37): "c:paris", ("a1", 41, 51): "c:wash"}
    route = Route("envoy", "c:envoy", Trip(), (_stop("p:paris", "Paris", 48.857, 2.352, "departed"),
                                               _stop("p:wash", "Washington", 38.9, -77.0)), (), True)
    return Analysis([article], [], entities, clusters, assignment, [paris, wash], [], [route], "test")


def test_move_a_mention_to_another_candidate_and_mark_not_a_place(analysis):
    moved = Correction("place_move", check_correction("place_move", {
        "article": "a1", "start": 41, "end": 51, "place": "p:wash-state", "name": "Washington", "lat": 47.4, "lon": -120.5,
        "feature": "region"}), "Ana", 1)
    removed = Correction("not_a_place", check_correction("not_a_place", {"article": "a1", "start": 32, "end": 37}), "Ana", 2)
    result = apply_corrections(analysis, [moved, removed])
    places = {p.id: p for p in result.analysis.places}
    assert set(places) == {"p:wash-state"} and places["p:wash-state"].source == CORRECTED_SOURCE
    assert places["p:wash-state"].mentions[0].text == "Washington" and result.applied == (1, 2)
    assert {p.id for p in analysis.places} == {"p:paris", "p:wash"}  # the original value is unchanged


def test_stops_added_edited_moved_and_removed(analysis):
    corrections = [
        Correction("stop_add", check_correction("stop_add", {"subject": "c:envoy", "place": "p:london", "name": "London", "lat": 51.5,
                                                             "lon": -0.12, "status": "passed", "after": "p:paris"}), "Ana", 1),
        Correction("stop_edit", check_correction("stop_edit", {"subject": "c:envoy", "place": "p:wash", "status": "expected",
                                                               "date": "2031-05-06"}), "Ben", 2),
        Correction("stop_move", check_correction("stop_move", {"subject": "c:envoy", "place": "p:wash", "after": None}), "Ben", 3),
    ]
    route = apply_corrections(analysis, corrections).analysis.routes[0]
    assert [s.name for s in route.stops] == ["Washington", "Paris", "London"]
    assert (route.stops[0].status, route.stops[0].date) == ("expected", "2031-05-06") and "corrected" in route.stops[0].roles
    assert len(route.legs) == 2 and route.legs[0].origin == "Washington" and route.trip.label.startswith("Washington → London")
    removed = apply_corrections(analysis, corrections + [Correction("stop_remove", {"subject": "c:envoy", "place": "p:paris"}, "Ana", 4)])
    assert [s.name for s in removed.analysis.routes[0].stops] == ["Washington", "London"]
    assert [s.name for s in analysis.routes[0].stops] == ["Paris", "Washington"]


def test_clusters_merged_and_split(analysis):
    merged = apply_corrections(analysis, [Correction("cluster_merge", {"into": "c:wash", "other": "c:paris"}, "Ana", 1)]).analysis
    assert {c.id for c in merged.clusters} == {"c:envoy", "c:wash"} and merged.assignment[("a1", 32, 37)] == "c:wash"
    split = apply_corrections(merged, [Correction("cluster_split", {"cluster": "c:wash", "mentions": [["a1", 32, 37]]}, "Ben", 2)]).analysis
    new = next(c for c in split.clusters if c.id not in {"c:envoy", "c:wash"})
    assert new.name == "Paris" and split.assignment[("a1", 32, 37)] == new.id and split.assignment[("a1", 41, 51)] == "c:wash"


def test_a_correction_whose_target_is_gone_is_skipped_with_a_line(analysis):
    result = apply_corrections(analysis, [Correction("not_a_place", {"article": "a1", "start": 0, "end": 4}, "Ana", 7)])
    assert result.applied == () and result.skipped == ("correction 7 (not_a_place) no longer matches the analysis: its target is gone",)
    assert result.skipped[0] in result.analysis.warnings


@pytest.mark.parametrize("kind,payload,message", [
    ("rename_planet", {}, "unknown correction kind"),
    ("not_a_place", {"article": "a1", "start": 3}, "needs end"),
    ("stop_edit", {"subject": "s", "place": "p", "status": "teleported"}, "is not one of"),
    ("place_move", {"article": "a", "start": 1, "end": 2, "place": "x", "name": "X", "lat": 95, "lon": 0}, "out of range"),
])
def test_malformed_corrections_are_one_line(kind, payload, message):
    with pytest.raises(CorrectionError, match=message):
        check_correction(kind, payload)


def test_stored_undone_exported_and_imported(tmp_path, analysis):
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'w.sqlite'}", editor_key="k")
    ws = store.create("c", "k")
    first = record_correction(store, ws.id, "not_a_place", {"article": "a1", "start": 32, "end": 37}, "Ana", "k")
    record_correction(store, ws.id, "stop_edit", {"subject": "c:envoy", "place": "p:wash", "status": "planned"}, "Ben", "k")
    store.undo_correction(ws.id, first.id, "Ben", "k")
    active = workspace_corrections(store, ws.id)
    assert [c.kind for c in active] == ["stop_edit"]
    result = apply_corrections(analysis, active).analysis
    assert {p.id for p in result.places} == {"p:paris", "p:wash"} and result.routes[0].stops[1].status == "planned"
    text = export_corrections([correction_json(c) for c in store.corrections(ws.id, include_undone=True)])
    imported = import_corrections(text)
    assert [(c.kind, c.author) for c in imported] == [("stop_edit", "Ben")]
    with pytest.raises(CorrectionError, match="not a corrections export"):
        import_corrections('{"corrections": 3}')
    with pytest.raises(Exception, match="editor key"):
        record_correction(store, ws.id, "not_a_place", {"article": "a1", "start": 32, "end": 37}, "Eve", "guess")
    store.close()


def test_correct_add_articles_reanalyse_and_the_correction_still_applies(tmp_path, nlp, tiny_gazetteer):
    settings = load_settings(cache_dir=tmp_path)
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'w.sqlite'}", editor_key="k")
    ws = store.create("story", "k")
    store.add_articles(ws.id, [("talks.txt", b"Talks in Paris\n\nEnvoy Jana Novak flew from Paris to Washington on Monday, officials said.\n")], "k")

    def run(corrections=NO_CORRECTIONS):
        articles = [read_article_bytes(a.label, a.data, settings) for a in store.articles(ws.id)]
        return analyze(articles, nlp, tiny_gazetteer, settings, corrections=corrections)

    first = run()
    paris = next(p for p in first.places if p.name == "Paris")
    mention = paris.mentions[0]
    route = next(r for r in first.routes if any(s.name == "Washington" for s in r.stops))
    washington = next(s for s in route.stops if s.name == "Washington")
    record_correction(store, ws.id, "place_move", {"article": mention.article, "start": mention.raw_start, "end": mention.raw_end,
                                                   "place": "tiny:paris-tx", "name": "Paris", "lat": 33.66, "lon": -95.56}, "Ana", "k")
    record_correction(store, ws.id, "stop_edit", {"subject": route.subject_id, "place": washington.place_id, "status": "planned"}, "Ana", "k")
    store.add_articles(ws.id, [("more.txt", b"Later talks\n\nNovak returned to Paris on Friday after meetings in Washington.\n")], "k")
    second = run(StoredCorrections(workspace_corrections(store, ws.id)))  # through the pipeline's hook
    assert len(second.articles) == 2 and mention.article in {a.id for a in second.articles}
    moved = next(p for p in second.places if p.id == "tiny:paris-tx")
    assert mention.key in {m.key for m in moved.mentions} and moved.source == CORRECTED_SOURCE
    assert all(m.key != mention.key for p in second.places if p.id != "tiny:paris-tx" for m in p.mentions)
    stop = next(s for r in second.routes if r.subject_id == route.subject_id for s in r.stops if s.place_id == washington.place_id)
    assert stop.status == "planned" and "corrected" in stop.roles
    after = apply_corrections(run(), workspace_corrections(store, ws.id))  # the same corrections on a finished analysis
    assert after.skipped == () and mention.key in {m.key for p in after.analysis.places if p.id == "tiny:paris-tx" for m in p.mentions}
    store.close()


def test_corrected_places_and_stops_are_marked_on_the_map(analysis):
    from geo.mapstate import MapView
    from geo.mapview import build_map

    corrections = [Correction("stop_edit", {"subject": "c:envoy", "place": "p:wash", "status": "visited"}, "Ana", 1),
                   Correction("place_move", check_correction("place_move", {"article": "a1", "start": 32, "end": 37, "place": "p:paris",
                                                                            "name": "Paris", "lat": 1, "lon": 2}), "Ana", 2)]
    fixed = apply_corrections(analysis, corrections).analysis
    html = build_map(fixed.places, fixed.routes, MapView(), {"a1": "Port talks"}).get_root().render()
    assert html.count("geo-corrected") == 1 and "Washington — visited (corrected)" in html
    plain = build_map(analysis.places, analysis.routes, MapView(), {"a1": "Port talks"}).get_root().render()
    assert "geo-corrected" not in plain and "source correction" not in plain
    assert "source correction" in html
