"""What a Dask worker keeps between the engine's passes: packed Docs, the partition file and pass 2's entities, each
read back only by the process that wrote it (else found again, the same); and the corpus-wide tables cut into slices
that the workers write, which read back as one table."""
from __future__ import annotations

import pickle
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from geo.articles import article_from_text
from geo.dask_tasks import (RunContext, _entities, _load, _names_file, _slices, pack_doc, parse_partition, propagate_partition,
                            reparsed, unpack_doc)
from geo.entities import defined_acronyms, titled_names

# Written for these tests.
TEXTS = {
    "harbour": "Harbour works resume\n\nThe port authority of Valparaiso said on Monday that dredging would resume in March. "
               "Its director, Camila Rojas, flew to Concepcion to meet the transport minister. Rojas said the Pacific "
               "Ports Association (PPA) backed the plan.\n",
    "orchestra": "Orchestra on tour\n\nThe Vienna Chamber Orchestra left Salzburg for Ljubljana on Thursday. "
                 "Its conductor, Anton Weber, said the orchestra would play in Zagreb next week. Weber thanked the city.\n",
}


@pytest.fixture()
def articles():
    return [article_from_text(name, f"{name}.txt", text) for name, text in TEXTS.items()]


@pytest.fixture()
def ctx(articles, settings, gazetteer, tmp_path) -> RunContext:
    return RunContext(settings, gazetteer.path, gazetteer.custom_path, frozenset(titled_names(a.text for a in articles)),
                      frozenset(defined_acronyms(a.text for a in articles)), str(tmp_path / "out"), uuid.uuid4().hex)


@pytest.mark.model
def test_a_packed_doc_comes_back_as_spacy_parsed_it(nlp, articles):
    for article in articles:
        doc = nlp(article.text)
        back = unpack_doc(nlp.vocab, pack_doc(doc), article.text)
        assert back.to_json() == doc.to_json()
        assert [(e.start, e.end, e.label_) for e in back.ents] == [(e.start, e.end, e.label_) for e in doc.ents]
        assert [(s.start, s.end) for s in back.sents] == [(s.start, s.end) for s in doc.sents]
        assert [t.lemma_ for t in back] == [t.lemma_ for t in doc]


@pytest.mark.model
def test_a_partition_file_is_read_back_only_by_the_process_that_wrote_it(articles, ctx):
    handle = parse_partition(0, articles, ctx)
    mine = _load(handle)
    assert mine is not None and [a.id for a in mine.articles] == [a.id for a in articles]
    foreign = replace(handle, pid=handle.pid + 1)  # another worker's file: its Docs' strings are not in this vocab
    assert _load(foreign) is None
    again = reparsed(foreign, articles, ctx)  # parsed again here, with the same entities
    assert again.entities == mine.entities and again.tokens == mine.tokens
    Path(handle.path).unlink()
    assert _load(handle) is None


@pytest.mark.model
def test_pass_two_entities_come_from_their_file_or_are_found_again_the_same(articles, ctx):
    handle = parse_partition(0, articles, ctx)
    parsed = _load(handle)
    assert parsed is not None
    summary = propagate_partition(handle, articles, ctx, handle.person_tokens)
    short = [e for e in summary.entities if e.text in ("Rojas", "Weber")]
    assert short, summary.entities  # the short forms of the people named in full were added
    path = _names_file(ctx, 0)
    assert path.exists()
    assert _entities(parsed, ctx, handle.person_tokens) == summary.entities
    assert not path.exists()  # read once, then removed
    assert _entities(parsed, ctx, handle.person_tokens) == summary.entities  # no file: found again
    with open(path, "wb") as fh:  # a file another process wrote is not trusted
        pickle.dump((handle.pid + 1, ()), fh)
    assert _entities(parsed, ctx, handle.person_tokens) == summary.entities


def test_corpus_tables_are_cut_into_slices_of_bounded_rows_in_order():
    rows = {"a": 3, "b": 4, "c": 1, "d": 9, "e": 2}
    slices = _slices(list(rows), rows.get, limit=5)
    assert slices == [("a",), ("b", "c"), ("d",), ("e",)]  # "d" alone is over the limit: a slice of its own
    assert [x for s in slices for x in s] == list(rows)
    assert _slices([], rows.get, limit=5) == [()]  # an empty table still gets its part
    assert _slices(list(rows), rows.get, limit=100) == [tuple(rows)]
