"""The article reader: metadata, chrome removal, raw offsets, bad input."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from geo.articles import article_from_text, read_article_bytes, read_corpus, require_articles
from geo.errors import ArticleError, CorpusError

from .conftest import ROOT, SEEDS


def test_seed_files_are_byte_identical_to_shared(gold):
    from .conftest import SHARED

    for name in gold["articles"]:
        assert (SEEDS / name).read_bytes() == (SHARED / "seeds" / name).read_bytes()


def test_seed_titles_dates_and_authors_match_gold(seed_corpus, gold):
    by_name = {a.label + ".txt": a for a in seed_corpus}
    assert set(by_name) == set(gold["articles"])
    for name, facts in gold["articles"].items():
        article = by_name[name]
        assert article.title == facts["title"], name
        assert article.date == facts["date"], name
        if "author" in facts:
            assert article.author == facts["author"]
        if facts.get("has_reader_comments"):
            assert len(article.comments) >= 5 and all(c.date for c in article.comments)


def test_no_chrome_line_survives_in_seed_bodies(seed_corpus, gold):
    for article in seed_corpus:
        for phrase in gold["not_article_body"]:
            assert phrase not in article.text, (article.id, phrase)


def test_seed_bodies_keep_the_story(seed_corpus):
    texts = {a.label[:3]: a.text for a in seed_corpus}
    assert "Contributors: Jim Heintz in Tallinn, Estonia" in texts["001"]
    assert "crossed into Khasan Station" in texts["000"]
    assert "Frequently Asked Questions" not in texts["001"] and "What is the primary purpose" not in texts["001"]
    assert "Credit: Getty" not in texts["000"]
    # The repeated photo caption is gone, the sentence of the body with the same words is not duplicated.
    assert texts["000"].count("is reportedly travelling to meet Vladimir Putin") == 0


def test_every_segment_is_a_verbatim_copy_of_the_raw_file(seed_corpus):
    for a in seed_corpus:
        for seg in a.segments:
            assert a.raw[seg.raw_start: seg.raw_start + seg.length] == a.text[seg.clean_start: seg.clean_start + seg.length]
        # Any span of the cleaned text maps to the same characters in the raw file.
        i = a.text.index("Putin")
        rs, re_ = a.raw_span(i, i + 5)
        assert a.raw[rs:re_] == "Putin"


OTHER_STORY = """Home news Ferry to Helsinki resumes after storm
Ferry to Helsinki resumes after storm
By Anna Virtanen
Published March 3, 2024
Share Facebook Twitter WhatsApp Email
The ferry left Tallinn on Saturday morning after a two-day halt, the operator said.
Advertisement
Passengers waited at the terminal as crews checked the vessel. Photo: Lehtikuva/AFP
Passengers waited at the terminal as crews checked the vessel. Photo: Lehtikuva/AFP
The crossing usually takes two hours and carries thousands of passengers every day.
Officials said the service would return to its normal timetable on Monday.
Related stories
Storm closes ports across the Baltic
3 comments
Liisa March 3, 2024 - 9:15 am
Finally!
Reply
"""


def test_general_rules_on_another_story():
    a = article_from_text("ferry", "ferry.txt", OTHER_STORY)
    assert a.title == "Ferry to Helsinki resumes after storm"
    assert a.author == "Anna Virtanen"
    assert a.date == "2024-03-03"
    for chrome in ("Share Facebook", "Advertisement", "Photo: Lehtikuva", "Related stories", "Storm closes ports", "Reply", "Finally!"):
        assert chrome not in a.text
    assert "The ferry left Tallinn on Saturday morning" in a.text
    assert "normal timetable on Monday" in a.text
    assert [c.author for c in a.comments] == ["Liisa"]


def test_faq_block_removed_but_story_after_it_kept():
    text = ("Talks end without a deal\n\nNegotiators left Geneva on Friday without agreement, officials said on the record.\n\n"
            "They will meet again next month in Vienna, according to two diplomats familiar with the talks.\n\n"
            "The delegations exchanged drafts but disagreed on the timetable for sanctions relief and inspections.\n\n"
            "Frequently Asked Questions\n\nWhat happened in Geneva?\n\nThe talks ended without a deal.\n\n"
            "Where will they meet next?\n\nIn Vienna.\n\nAnalysis\n\nExperts said a deal remained possible before the summer recess.\n")
    a = article_from_text("talks", "talks.txt", text)
    assert "What happened in Geneva?" not in a.text and "In Vienna." not in a.text
    assert "Experts said a deal remained possible" in a.text


def test_markdown_heading_is_the_title():
    a = article_from_text("md", "md.md", "# Storm hits the coast of Chile\n\n**By Maria Lopez**\n\nWaves struck Valparaiso on Monday.\n")
    assert a.title == "Storm hits the coast of Chile"
    assert a.author == "Maria Lopez"
    i = a.text.index("Valparaiso")
    start, end = a.raw_span(i, i + len("Valparaiso"))
    assert a.raw[start:end] == "Valparaiso"


def test_html_article_extracted_without_scripts(settings):
    html = ("<html><head><title>Minister flies to Nairobi for talks</title><script>window.pwned=1</script></head><body>"
            "<nav>Home | World | Share</nav><article><h1>Minister flies to Nairobi for talks</h1>"
            "<p>The foreign minister flew to Nairobi on Tuesday for two days of talks with Kenyan officials about trade.</p>"
            "<p>She will travel on to Addis Ababa later in the week, her office said in a statement on Monday.</p></article>"
            "<footer>Copyright 2024 Example News</footer></body></html>")
    a = read_article_bytes("trip.html", html.encode(), settings)
    assert "Nairobi" in a.text and "window.pwned" not in a.text
    assert a.title and "Nairobi" in a.title


def test_corpus_dates_anchor_undated_articles():
    dated = article_from_text("a", "a.txt", "Leaders meet in Rome\nPublished May 14, 2024\n\nThe leaders met in Rome on Tuesday to discuss grain exports.\n")
    undated = article_from_text("b", "b.txt", "Rome summit ends\n\nThe summit ended in Rome on Tuesday after talks that began on Monday.\n")
    from geo.articles import infer_corpus_dates

    out = infer_corpus_dates([dated, undated])
    assert out[0].date == "2024-05-14"
    assert out[1].date == "2024-05-14" and "corpus" in out[1].date_source


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"   \n\t\n ", "no text"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        ("notes.pdf", b"%PDF-1.4 hello", "unknown extension"),
        ("chrome.txt", b"Hide Ad\nShare\nReply\n", "no article text"),
    ],
)
def test_bad_input_is_one_line_and_named(name, data, reason, settings):
    with pytest.raises(ArticleError) as exc:
        read_article_bytes(name, data, settings)
    message = str(exc.value)
    assert name in message and reason in message and "\n" not in message


def test_oversize_file_names_the_setting(settings):
    small = replace(settings, max_file_bytes=100)
    with pytest.raises(ArticleError, match="max_file_bytes"):
        read_article_bytes("big.txt", b"word " * 100, small)


def test_non_utf8_is_decoded(settings, tmp_path):
    text = "Protest in Malmö\n\nCrowds gathered in Malmö and Göteborg on Sunday, police said of the café protests."
    (tmp_path / "latin.txt").write_bytes(text.encode("cp1252"))
    articles, problems = read_corpus([tmp_path], settings)
    assert len(articles) == 1 and "Malmö" in articles[0].text
    assert len(problems) == 1 and "not UTF-8" in problems[0].reason


def test_one_bad_file_loses_nothing_else(settings, tmp_path):
    (tmp_path / "good.txt").write_text("Flood in Dhaka\n\nHeavy rain flooded Dhaka on Monday, officials said.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 50)
    (tmp_path / "empty.md").write_bytes(b"")
    articles, problems = read_corpus([tmp_path], settings)
    assert [a.label for a in articles] == ["good"]
    assert sorted(p.path.split("/")[-1] for p in problems) == ["bad.txt", "empty.md"]


def test_nothing_readable_is_an_error(settings, tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"")
    articles, problems = read_corpus([tmp_path], settings)
    with pytest.raises(CorpusError, match="no article could be read"):
        require_articles(articles, problems)


@pytest.mark.model
def test_cli_exit_codes(tmp_path, cache_dir, gazetteer):
    (tmp_path / "empty.txt").write_bytes(b"")
    bad = subprocess.run([sys.executable, "-m", "geo", "analyze", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode != 0
    assert "empty.txt: empty file" in bad.stderr and "Traceback" not in bad.stderr
    (tmp_path / "ok.txt").write_text("Quake near Lima\n\nA quake shook Lima on Friday, officials said.", encoding="utf-8")
    good = subprocess.run([sys.executable, "-m", "geo", "analyze", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert good.returncode == 0, good.stderr
    assert "warning: " in good.stderr and "1 articles" in good.stdout


def test_help_documents_the_cli():
    out = subprocess.run([sys.executable, "-m", "geo", "analyze", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and "--geojson" in out.stdout and "--json" in out.stdout


@pytest.mark.parametrize("raw, title, first_words", [
    ("date 2021-03-04\nMinister arrives in Lisbon\n\nThe minister arrived in Lisbon on Thursday after a long flight from Luanda.\n",
     "Minister arrives in Lisbon", "Minister arrives"),
    ("date 2021-03-04 The minister arrived in Lisbon on Thursday after a long flight from Luanda, officials said.\n\nShe flies on to Porto.\n",
     None, "The minister arrived"),
    ("Published: 2021-03-04T09:30:00Z\nThe minister arrived in Lisbon on Thursday after a long flight from Luanda, officials said.\n",
     None, "The minister arrived"),
    # A page's bare date line under the headline, with a clock time; a byline stamped "Updated <date>".
    ("Minister arrives in Lisbon\n\nMarch 4, 2021, 9:05 AM\n\nThe minister arrived in Lisbon on Thursday after a long flight from Luanda.\n",
     "Minister arrives in Lisbon", "Minister arrives"),
    ("Minister arrives in Lisbon\n\n11.40 4 Mar 2021\n\nThe minister arrived in Lisbon on Thursday after a long flight from Luanda.\n",
     "Minister arrives in Lisbon", "Minister arrives"),
    ("Minister arrives in Lisbon\nBy Ana Reis, Lusa Wire,Updated March 4, 2021, 5 minutes ago\n"
     "The minister arrived in Lisbon on Thursday after a long flight from Luanda.\n",
     "Minister arrives in Lisbon", "Minister arrives"),
])
def test_a_date_label_at_the_top_dates_the_article_and_is_not_story_text(raw, title, first_words):
    a = article_from_text("label", "label.txt", raw)
    assert (a.date, a.date_source, a.title) == ("2021-03-04", "stated", title)
    assert a.text.startswith(first_words) and "2021" not in a.text
    start, end = a.raw_span(0, len(first_words))
    assert raw[start:end] == first_words  # offsets still point into the raw file


def test_a_story_sentence_with_a_full_date_is_not_a_date_line():
    raw = "Minister arrives in Lisbon\n\nThe minister arrived on March 4, 2021 after a long flight from Luanda.\n"
    a = article_from_text("plain", "plain.txt", raw)
    assert a.date_source != "stated" and "March 4, 2021" in a.text


def test_a_story_line_that_starts_with_the_word_date_is_kept():
    raw = "Dated records show the ministers arrived in Lisbon on Thursday after a long flight from Luanda.\n"
    a = article_from_text("plain", "plain.txt", raw)
    assert a.text.startswith("Dated records") and a.date_source != "stated"


def test_an_undated_article_takes_the_named_weekday_nearest_the_other_articles():
    from geo.articles import infer_corpus_dates

    dated = article_from_text("a", "a.txt", "Dancers tour Lima\nPublished May 12, 2024\n\nThe troupe reached Lima on Sunday.\n")
    undated = article_from_text("b", "b.txt", "Troupe back in Cusco\n\nThe troupe travelled on Monday from Lima to Cusco.\n")
    out = infer_corpus_dates([dated, undated])
    assert out[0].date == "2024-05-12" and out[1].date == "2024-05-13"  # the Monday after, not six days before
