"""Named stages with explicit inputs, each callable on its own, and the corrections hook between resolve and events."""
from __future__ import annotations

from geo import pipeline
from geo.articles import article_from_text
from geo.corrections import MentionPlaces
from geo.pipeline import analyze

STORY = ("Delegation on the move\n\nMinister Ana Costa left Paris for Washington on Monday. She arrived in Washington "
         "on Tuesday, officials said.\n")


def _stops(result) -> list[str]:
    return [s.place_id for r in result.routes if r.subject == "Ana Costa" for s in r.stops]


def test_stages_called_one_by_one_give_what_analyze_gives(nlp, tiny_gazetteer, settings):
    article = article_from_text("trip", "trip.txt", STORY)
    lost: list[str] = []
    parsed = pipeline.parse([article], nlp, tiny_gazetteer, settings, lambda a, exc, what: lost.append(what), lambda p: None)
    corpus = pipeline.corpus_steps(parsed, tiny_gazetteer, lambda a, exc, what: lost.append(what))
    (doc,) = list(parsed.docs)
    ents = list(corpus.by_article[article.id])
    resolved, _missing = pipeline.resolve(article, doc, ents, tiny_gazetteer)
    told = pipeline.events(article, doc, ents, resolved, corpus)
    routes = pipeline.routes(told.moves, corpus.clusters, parsed.articles)
    parsed.docs.close()
    whole = analyze([article], nlp, tiny_gazetteer, settings)
    assert not lost
    assert routes == list(whole.routes) and corpus.clusters == whole.clusters
    assert [s.place_id for r in routes for s in r.stops] == ["tiny:paris", "tiny:washington-dc"]


def test_a_corrected_mention_changes_the_route_built_after_it(nlp, tiny_gazetteer, settings):
    article = article_from_text("trip", "trip.txt", STORY)
    before = analyze([article], nlp, tiny_gazetteer, settings)
    assert _stops(before) == ["tiny:paris", "tiny:washington-dc"]
    # An analyst says "Washington" is the Texas town (a made-up story): keys are raw offsets, which outlive re-analysis.
    keys = []
    for _ in range(2):
        start = article.raw.index("Washington", keys[-1][2] if keys else 0)
        keys.append((article.id, start, start + len("Washington")))
    assert set(keys) <= {e.key for e in before.entities}
    after = analyze([article], nlp, tiny_gazetteer, settings, corrections=MentionPlaces({k: "tiny:paris-tx" for k in keys}))
    moved = next(p for p in after.places if p.id == "tiny:paris-tx")
    assert [m.key for m in moved.mentions] == keys and "tiny:washington-dc" not in {p.id for p in after.places}
    assert _stops(after) == ["tiny:paris", "tiny:paris-tx"]
    # "Not a place" for both mentions: the route has no second stop left.
    dropped = analyze([article], nlp, tiny_gazetteer, settings, corrections=MentionPlaces({k: None for k in keys}))
    assert "tiny:washington-dc" not in {p.id for p in dropped.places}
    assert "tiny:washington-dc" not in _stops(dropped)
