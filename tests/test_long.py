"""Long articles: cut points, parsing in pieces as if whole, texts near and past the model's max_length."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from geo import chunks
from geo.articles import article_from_text
from geo.chunks import piece_bounds
from geo.parsing import parse_articles
from geo.pipeline import analyze

from .longtext import PARAGRAPHS, long_article


def _check_cover(text: str, bounds: list[tuple[int, int]], limit: int) -> None:
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert all(0 < end - start <= limit for start, end in bounds) or text == ""


@hsettings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab .\n!?Z\t"), max_size=3000), limit=st.integers(1, 800))
def test_pieces_cover_the_text_and_respect_the_limit(text, limit):
    _check_cover(text, piece_bounds(text, limit), limit)


@hsettings(max_examples=60, deadline=None)
@given(paragraphs=st.lists(st.text(alphabet=st.sampled_from("abc .,"), min_size=1, max_size=120), min_size=2, max_size=60))
def test_cuts_fall_on_paragraph_breaks_when_there_are_any(paragraphs):
    text = "\n\n".join(p.strip() or "x" for p in paragraphs)
    limit = 300
    for start, end in piece_bounds(text, limit)[:-1]:
        # a paragraph break in the second half of the window was available: the cut is right after one
        if "\n\n" in text[start + limit // 2:end]:
            assert text[end - 1] == "\n" or text[end - 2:end].isspace()


def test_a_single_200000_character_paragraph_is_cut_at_sentence_ends():
    text = _one_paragraph(200_000)
    assert "\n" not in text and len(text) >= 200_000
    bounds = piece_bounds(text, chunks.PIECE_CHARS)
    _check_cover(text, bounds, chunks.PIECE_CHARS)
    assert len(bounds) >= 200_000 // chunks.PIECE_CHARS
    for _, end in bounds[:-1]:
        assert re.search(r"[.!?\"”)]\s+$", text[max(0, end - 5):end]), text[end - 40:end + 10]


def _one_paragraph(chars: int) -> str:
    sentences = [p.replace("\n", " ") for p in PARAGRAPHS]
    text, n = "", 0
    while len(text) < chars:
        text += sentences[n % len(sentences)] + " "
        n += 1
    return text


@pytest.mark.slow
def test_one_huge_paragraph_and_ten_thousand_one_line_paragraphs_are_analysed(nlp, gazetteer, settings):
    huge = article_from_text("huge", "huge.txt", "One paragraph\n\n" + _one_paragraph(200_000))
    lines = article_from_text("lines", "lines.txt", "Many lines\n\n" + "\n".join(f"Item {i}: ferries left Tallinn for Helsinki." for i in range(10_000)))
    result = analyze([huge, lines], nlp, gazetteer, settings)
    assert not result.problems and [a.label for a in result.articles] == ["huge", "lines"]
    names = {a.label: {p.name for p in result.places if a.id in p.articles} for a in (huge, lines)}
    assert {"Nairobi", "Arusha", "Kampala"} <= names["huge"] and {"Tallinn", "Helsinki"} <= names["lines"]
    by_id = {huge.id: huge, lines.id: lines}
    for e in result.entities:
        assert by_id[e.article].raw[e.raw_start:e.raw_end] == e.text
    assert max(e.raw_start for e in result.entities if e.article == huge.id) > 190_000


def test_a_word_longer_than_a_piece_gets_a_hard_cut():
    text = "x" * 12_345
    bounds = piece_bounds(text, 5_000)
    assert bounds == [(0, 5_000), (5_000, 10_000), (10_000, 12_345)]


def test_ten_thousand_one_line_paragraphs_are_cut_at_line_ends():
    text = "\n".join(f"Line {i}: officials met in Oslo." for i in range(10_000))
    bounds = piece_bounds(text, chunks.PIECE_CHARS)
    _check_cover(text, bounds, chunks.PIECE_CHARS)
    assert all(text[end - 1] == "\n" for _, end in bounds[:-1])


# --------------------------------------------------------------------------- parsed in pieces, as if whole

def _near(offset: int, cuts: list[int], margin: int) -> bool:
    return any(abs(offset - c) <= margin for c in cuts)


def test_a_long_article_in_pieces_matches_the_whole_parse(nlp, gazetteer, settings, monkeypatch):
    text = long_article(40_000)
    article = article_from_text("tour", "tour.txt", text)
    monkeypatch.setattr(chunks, "PIECE_CHARS", 10**6)
    whole = analyze([article], nlp, gazetteer, settings)
    monkeypatch.setattr(chunks, "PIECE_CHARS", 3_000)
    cuts = [end for _, end in piece_bounds(article.text, 3_000)[:-1]]
    assert len(cuts) >= 10
    pieces = analyze([article], nlp, gazetteer, settings)
    assert not whole.problems and not pieces.problems

    def ents(result):
        return {(e.label, e.raw_start, e.raw_end, e.text) for e in result.entities}

    differ = ents(whole) ^ ents(pieces)
    margin = 300  # a paragraph or so on either side of a cut
    assert all(_near(raw_start, [article.raw_offset(c) for c in cuts], margin) for _, raw_start, _, _ in differ), sorted(differ)[:5]
    assert len(differ) < 0.02 * len(ents(whole))
    for e in pieces.entities:  # offsets carried back to the raw file
        assert article.raw[e.raw_start:e.raw_end] == e.text
    assert {p.name for p in pieces.places} == {p.name for p in whole.places}
    assert {p.name: len(p.mentions) for p in pieces.places} == pytest.approx({p.name: len(p.mentions) for p in whole.places}, rel=0.05)
    assert {(r.subject, tuple(s.name for s in r.stops)) for r in pieces.routes} == \
        {(r.subject, tuple(s.name for s in r.stops)) for r in whole.routes}


@pytest.mark.slow
@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.integers(-50, 50), body=st.sampled_from(["paragraphs", "one paragraph", "lines", "no spaces"]))
def test_texts_near_and_past_max_length_are_analysed(extra, body, nlp, gazetteer, settings):
    max_length = 4_000
    size = max_length + extra
    if body == "paragraphs":
        text = long_article(size)[:size]
    elif body == "one paragraph":
        text = long_article(size).replace("\n", " ")[:size]
    elif body == "lines":
        text = ("Rain fell in Oslo on Monday.\n" * (size // 29 + 1))[:size]
    else:
        text = ("Oslo" * size)[:size]
    article = article_from_text("edge", "edge.txt", "Edge case\n\n" + text)
    good = article_from_text("good", "good.txt", "Floods in Bangladesh\n\nHeavy rain flooded streets in Dhaka on Monday.")
    saved = nlp.max_length
    nlp.max_length = max_length
    try:
        result = analyze([article, good], nlp, gazetteer, settings)
        docs = list(parse_articles([article], nlp))
    finally:
        nlp.max_length = saved
    assert not result.problems, result.problems
    assert docs[0][1].text == article.text
    assert any(p.name == "Dhaka" for p in result.places)
    for e in result.entities:
        assert {article.id: article, good.id: good}[e.article].raw[e.raw_start:e.raw_end] == e.text


@pytest.mark.slow
def test_an_article_past_spacys_own_max_length_is_analysed(nlp, gazetteer, settings):
    """The failure reported in the issue: spaCy's E088 for a text over 1,000,000 characters."""
    text = long_article(nlp.max_length + 20_000)
    article = article_from_text("huge", "huge.txt", text)
    assert len(article.text) > nlp.max_length
    result = analyze([article], nlp, gazetteer, settings)
    assert not result.problems
    assert {"Nairobi", "Arusha", "Addis Ababa"} <= {p.name for p in result.places}
    last = max(result.entities, key=lambda e: e.raw_start)
    assert last.raw_start > nlp.max_length and article.raw[last.raw_start:last.raw_end] == last.text
