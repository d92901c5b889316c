"""Parquet results: read back as written (raw text and offsets, legs, claims, evidence); older folders refused in one line."""
from __future__ import annotations

import pandas as pd
import pytest

from geo.errors import ResultsError
from geo.export import PARQUET_VERSION, read_parquet, to_json, write_parquet


def _without_run_notes(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in ("problems", "warnings")}


def test_parquet_round_trip_keeps_raw_offsets_and_legs(seed_analysis, tmp_path):
    write_parquet(seed_analysis, tmp_path)
    loaded = read_parquet(tmp_path)
    raw = {a.id: a.raw for a in loaded.articles}
    for before, after in zip(seed_analysis.articles, loaded.articles):
        assert (after.raw, after.text, after.segments) == (before.raw, before.text, before.segments)
        assert after.raw != after.text  # the seeds carry page chrome, so a raw=text shortcut could not pass
    mentions = [m for p in loaded.places for m in p.mentions]
    assert mentions and all(raw[m.article][m.raw_start:m.raw_end] == m.text for m in mentions)
    assert loaded.entities and all(raw[e.article][e.raw_start:e.raw_end] == e.text for e in loaded.entities)
    assert [r.legs for r in loaded.routes] == [r.legs for r in seed_analysis.routes]
    assert any(leg.days is not None for r in loaded.routes for leg in r.legs)
    assert [(r.trip, r.claims, [s.evidence for s in r.stops]) for r in loaded.routes] == \
           [(r.trip, r.claims, [s.evidence for s in r.stops]) for r in seed_analysis.routes]
    assert _without_run_notes(to_json(loaded)) == _without_run_notes(to_json(seed_analysis))


def test_results_of_an_older_version_are_refused_in_one_line(tmp_path):
    pd.DataFrame([{"id": "a", "path": "a.txt", "title": "T", "outlet": None, "date": None, "author": None, "text": "T"}]) \
        .to_parquet(tmp_path / "articles.parquet", index=False)
    with pytest.raises(ResultsError, match="format 1.*--parquet") as info:
        read_parquet(tmp_path)
    assert "\n" not in str(info.value)


def test_results_missing_a_table_are_refused_in_one_line(tmp_path):
    (tmp_path / "version.txt").write_text(PARQUET_VERSION + "\n", encoding="utf-8")
    with pytest.raises(ResultsError, match="lack articles.parquet.*--parquet") as info:
        read_parquet(tmp_path)
    assert "\n" not in str(info.value)


def test_json_written_piece_by_piece_is_the_same_text(tmp_path):
    from geo.export import dump, dumps

    data = {"model": "m", "articles": [{"text": "Łódź – “quoted”", "entities": [{"raw_start": 0, "lat": 51.77}], "none": None}],
            "warnings": (), "nested": {"a": [1, 2.5, True, {"b": []}]}}
    dump(data, tmp_path / "out.json")
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == dumps(data) + "\n"
    assert "Łódź" in dumps(data)  # written as UTF-8, not escaped
