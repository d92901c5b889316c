"""Short articles in legacy encodings are read as written: UTF-8 first, cp1252 for short Western text the detector is
unsure of, the detector's answer otherwise; each non-UTF-8 file gets one note."""
from __future__ import annotations

import pytest

from geo.articles import decode_bytes, read_corpus
from geo.config import load_settings

SAMPLES = [
    ("Talks in Zürich\n\nThe délégation met in Zürich on Tuesday.\n", "latin-1", "cp1252"),
    ("Talks in Zürich\n\n“Progress,” she said — the talks in Genève went well.\n", "cp1252", "cp1252"),
    ("Переговоры в Москве\n\nДелегация прибыла в Москву во вторник для переговоров.\n", "cp1251", "cp1251"),
    ("Talks in Zürich\n\nThe delegation arrived on Tuesday.\n", "utf-16", "utf_16"),
    ("東京での会談\n\n代表団は火曜日に東京に到着した。\n", "shift_jis", "cp932"),
    ("Talks in Zürich\n\nThe delegation arrived on Tuesday.\n", "utf-8", "utf-8"),
]


@pytest.mark.parametrize("text,written_as,read_as", SAMPLES, ids=[s[1] for s in SAMPLES])
def test_short_samples_are_read_as_written(text, written_as, read_as):
    decoded, encoding = decode_bytes("sample.txt", text.encode(written_as), load_settings())
    assert decoded.lstrip("\ufeff") == text
    assert encoding == read_as


def test_latin1_file_gets_one_note_and_keeps_its_umlaut(tmp_path):
    (tmp_path / "zurich.txt").write_bytes("Talks in Zürich\n\nDiplomats met in Zürich on Tuesday.\n".encode("latin-1"))
    articles, problems = read_corpus([tmp_path], load_settings())
    assert "Zürich" in articles[0].text and "Z³rich" not in articles[0].text
    assert [p.reason for p in problems] == ["not UTF-8; read as cp1252"]
