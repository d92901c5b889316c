"""A workspace's own gazetteer rows (promoted place corrections seen by every later analysis as candidates), the
candidates the resolver considered as records on the analysis, and corrections imported from a file, all or none."""
from __future__ import annotations

import json
import pickle

import pytest
import sqlalchemy as sa

from geo.articles import content_id, read_article_bytes
from geo.config import load_settings
from geo.considered import Considered
from geo.corrections import CorrectionError, export_corrections, import_into, record_correction, workspace_corrections
from geo.disambiguate import km
from geo.errors import ConflictError, EditorKeyError, WorkspaceError
from geo.pipeline import analyze
from geo.workspace_gazetteer import WORKSPACE_SOURCE, RowGazetteer
from geo.workspace_places import place_rows, promote, remove_place_row
from geo.workspaces import WorkspaceStore, correction_json

KEY = "k"
FIRST = b"Talks in Paris\n\nEnvoy Jana Novak arrived in Paris on Monday for talks with French officials.\n"
LATER = b"Novak again\n\nNovak returned to Paris on Friday, her office said, after a week of French talks.\n"
MOVE = {"article": "x", "start": 1, "end": 6, "place": "tiny:paris-tx", "name": "Paris", "lat": 33.66, "lon": -95.56}


@pytest.fixture
def store(tmp_path):
    s = WorkspaceStore(f"sqlite:///{tmp_path / 'w.sqlite'}", editor_key=KEY)
    yield s
    s.close()


def _analyse(store, ws_id, nlp, gazetteer, tmp_path):
    settings = load_settings(cache_dir=tmp_path)
    articles = [read_article_bytes(a.label, a.data, settings) for a in store.articles(ws_id)]
    return analyze(articles, nlp, RowGazetteer.over(gazetteer, place_rows(store, ws_id)), settings)


def _paris(analysis, article_id):
    return {m.key: p for p in analysis.places for m in p.mentions if m.article == article_id and m.text == "Paris"}


def test_the_resolver_s_candidates_are_records_with_its_scores_and_distances(nlp, tiny_gazetteer, tmp_path):
    settings = load_settings(cache_dir=tmp_path)
    analysis = analyze([read_article_bytes("talks.txt", FIRST, settings)], nlp, tiny_gazetteer, settings)
    records = [c for c in analysis.considered if c.text == "Paris"]
    assert len(records) == 2 and all(isinstance(c, Considered) for c in records)
    placed = _paris(analysis, records[0].article)
    assert {r.key for r in records} == set(placed)
    record = records[0]
    assert record.chosen == placed[record.key].id == "tiny:paris"
    ids = [c.place_id for c in record.candidates]
    assert set(ids) == {"tiny:paris", "tiny:paris-tx"} and ids[0] == record.chosen  # best first: what it chose
    assert record.candidates[0].score > record.candidates[1].score
    chosen, other = tiny_gazetteer.get("tiny:paris"), tiny_gazetteer.get("tiny:paris-tx")
    assert record.candidates[0].km_from_chosen == 0.0
    assert record.candidates[1].km_from_chosen == pytest.approx(km(chosen, other), abs=0.1)
    assert records[1].candidates is record.candidates  # one name's mentions share their candidates


def test_a_promoted_correction_resolves_the_name_in_a_later_article_and_can_be_removed(store, nlp, tiny_gazetteer, tmp_path):
    ws = store.create("talks", KEY)
    store.add_articles(ws.id, [("talks.txt", FIRST)], KEY)
    first = _analyse(store, ws.id, nlp, tiny_gazetteer, tmp_path)
    key = next(iter(_paris(first, first.articles[0].id)))
    correction = record_correction(store, ws.id, "place_move", {**MOVE, "article": key[0], "start": key[1], "end": key[2]}, "Ana", KEY)
    with pytest.raises(EditorKeyError):
        promote(store, ws.id, correction, "Paris", tiny_gazetteer, "Eve", "guess")
    row = promote(store, ws.id, correction, "Paris", tiny_gazetteer, "Ana", KEY)
    assert (row.name, row.place_id, row.country, row.population, row.correction) == ("Paris", "tiny:paris-tx", "US", 25_000, correction.id)
    with pytest.raises(ConflictError, match="already has"):
        promote(store, ws.id, correction, "Paris", tiny_gazetteer, "Ana", KEY)
    with pytest.raises(CorrectionError, match="only a place move"):
        promote(store, ws.id, record_correction(store, ws.id, "not_a_place", {"article": "x", "start": 1, "end": 2}, "Ana", KEY),
                "Paris", tiny_gazetteer, "Ana", KEY)

    store.add_articles(ws.id, [("later.txt", LATER)], KEY)
    second = _analyse(store, ws.id, nlp, tiny_gazetteer, tmp_path)
    later_id = content_id(LATER)
    assert later_id in {a.id for a in second.articles}
    assert {p.id for p in _paris(second, later_id).values()} == {"tiny:paris-tx"}  # no correction names this mention
    record = next(c for c in second.considered if c.article == later_id and c.text == "Paris")
    assert record.candidates[0].place_id == "tiny:paris-tx" and record.candidates[0].source == WORKSPACE_SOURCE
    assert "tiny:paris" in {c.place_id for c in record.candidates}  # the gazetteer's other reading is still weighed

    document = store.export(ws.id)
    assert [(r["name"], r["place_id"]) for r in document["gazetteer"]] == [("Paris", "tiny:paris-tx")]
    copy = store.import_(json.loads(json.dumps(document)), KEY).workspace
    assert [(r.name, r.place_id) for r in place_rows(store, copy.id)] == [("Paris", "tiny:paris-tx")]

    remove_place_row(store, ws.id, row.id, KEY)
    with pytest.raises(ConflictError):
        remove_place_row(store, ws.id, row.id, KEY)
    third = _analyse(store, ws.id, nlp, tiny_gazetteer, tmp_path)
    assert {p.id for p in _paris(third, later_id).values()} == {"tiny:paris"}
    store.delete(copy.id, KEY)
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM place_rows WHERE workspace_id = :w"), {"w": copy.id}).scalar_one() == 0


def test_the_row_gazetteer_adds_the_row_travels_to_a_worker_and_keeps_the_name_notable(store, tiny_gazetteer):
    ws = store.create("rows", KEY)
    correction = record_correction(store, ws.id, "place_move", {**MOVE, "place": "tiny:washington-dc", "name": "Washington",
                                                                "lat": 38.895, "lon": -77.036}, "Ana", KEY)
    promote(store, ws.id, correction, "Capitol Town", tiny_gazetteer, "Ana", KEY)
    rows = place_rows(store, ws.id)
    assert RowGazetteer.over(tiny_gazetteer, ()) is tiny_gazetteer
    g = pickle.loads(pickle.dumps(RowGazetteer.over(tiny_gazetteer, rows)))
    assert [(c.id, c.source, c.primary) for c in g.candidates("Capitol Town")] == [("tiny:washington-dc", WORKSPACE_SOURCE, True)]
    assert g.is_notable("Capitol Town") and not tiny_gazetteer.is_notable("Capitol Town")
    assert [c.id for c in g.candidates("Paris")] == [c.id for c in tiny_gazetteer.candidates("Paris")]


def test_corrections_import_from_a_file_all_or_none(store):
    ws = store.create("target", KEY)
    record_correction(store, ws.id, "stop_edit", {"subject": "c:a", "place": "p:x", "status": "planned"}, "Ana", KEY)
    good = export_corrections([{"kind": "stop_edit", "payload": {"subject": "c:b", "place": "p:y", "status": "visited", "date": "2031-01-02"},
                                "author": "Ben"},
                               {"kind": "not_a_place", "payload": {"article": "a", "start": 1, "end": 4}, "author": ""}])
    bad_row = json.loads(good)
    bad_row["corrections"].append({"kind": "stop_edit", "payload": {"subject": "c:b", "place": "p:y", "status": "teleported"}})
    for data, message in [(b"\xff\xfe\x00garbage", "not UTF-8"), (b"{not json", "not JSON"), (b'{"format": "other"}', "not a corrections export"),
                          (json.dumps(bad_row).encode(), "is not one of"), (b'{"format": "geo-corrections", "corrections": []}', "no active"),
                          (b'{"format": "geo-corrections", "corrections": [{"kind": "not_a_place", "payload": [1]}]}', "lacks its payload")]:
        with pytest.raises(CorrectionError, match=message):
            import_into(store, ws.id, data, "Cy", KEY)
    with pytest.raises(EditorKeyError):
        import_into(store, ws.id, good.encode(), "Eve", "guess")
    assert len(workspace_corrections(store, ws.id)) == 1  # nothing of the refused files was stored
    imported = import_into(store, ws.id, good.encode(), "Cy", KEY)
    assert [(c.kind, c.author) for c in imported] == [("stop_edit", "Ben"), ("not_a_place", "Cy")]
    stored = store.corrections(ws.id)
    assert [(c.kind, c.author) for c in stored] == [("stop_edit", "Ana"), ("stop_edit", "Ben"), ("not_a_place", "Cy")]
    assert stored[1].payload["date"] == "2031-01-02"
    again = export_corrections([correction_json(c) for c in stored])
    assert len(import_into(store, store.create("other", KEY).id, again.encode(), "Cy", KEY)) == 3


def test_a_damaged_gazetteer_row_in_a_workspace_export_is_refused(store):
    ws = store.create("src", KEY)
    document = store.export(ws.id)
    document["gazetteer"] = [{"name": "Somewhere", "place_id": "p:1", "place_name": "Somewhere", "lat": "north", "lon": 3}]
    with pytest.raises(WorkspaceError, match="gazetteer row"):
        store.import_(document, KEY)
