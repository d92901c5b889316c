"""The whole analysis of a corpus: articles -> entities -> places -> routes, as one typed result."""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .articles import Article, Problem
from .claims import Claim, Fact, build_claims, extract_facts
from .config import Settings
from .entities import (Cluster, Entity, cluster_entities, defined_acronyms, entities_from_doc, model_name, name_tokens,
                       parse_articles, person_tokens, propagate_people, titled_names, vote_place_labels)
from .gazetteer import Gazetteer
from .geocode import Geocoder, Place, Unresolved, collect_places, resolve_article
from .quotes import Quote, extract_quotes
from .route import Route, extract_events, build_routes

log = logging.getLogger(__name__)


@dataclass
class Analysis:
    """Everything the CLI writes and the dashboard shows for one corpus."""

    articles: list[Article]
    problems: list[Problem]
    entities: list[Entity]
    clusters: list[Cluster]
    assignment: dict[tuple[str, int], str]
    places: list[Place]
    unresolved: list[Unresolved]
    routes: list[Route]
    model: str
    warnings: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    def cluster_of(self, entity: Entity) -> str | None:
        return self.assignment.get((entity.article, entity.index))

    def cluster_by_id(self) -> dict[str, Cluster]:
        return {c.id: c for c in self.clusters}


class DocSpill:
    """Parsed Docs written to an anonymous temporary file and read back one at a time.

    The corpus-level steps (person names, label votes, alias clusters) need every article's entities before any
    article can be geocoded, but not every article's Doc: keeping Docs in memory until then made peak memory grow with
    the corpus. Docs are written without their tensors (the parser and tagger have already used them).
    """

    def __init__(self, vocab):
        self.vocab = vocab
        self.file = tempfile.TemporaryFile(prefix="geo-docs-")
        self.offsets: list[tuple[int, int]] = []

    def add(self, doc) -> None:
        data = doc.to_bytes(exclude=["tensor", "user_data"])
        self.offsets.append((self.file.tell(), len(data)))
        self.file.write(data)

    def __iter__(self):
        from spacy.tokens import Doc

        self.file.flush()
        for offset, size in self.offsets:
            self.file.seek(offset)
            yield Doc(self.vocab).from_bytes(self.file.read(size))

    def close(self) -> None:
        self.file.close()


def analyze(articles: Sequence[Article], nlp, gazetteer: Gazetteer, settings: Settings,
            problems: Sequence[Problem] = (), online: Geocoder | None = None,
            on_progress: Callable[[int, int], None] | None = None) -> Analysis:
    """Run NER, geocoding and route extraction over already-read articles.

    Three passes, so memory holds the results and not the parsed corpus: (1) parse each article, keep its entities and
    title-case name tokens, spill its Doc to disk; (2) corpus-level steps on the entities alone; (3) read each Doc
    back to geocode its places and extract its movements.
    """
    articles = list(articles)
    titled = titled_names(a.text for a in articles)
    acronyms = set(defined_acronyms(a.text for a in articles))
    spill = DocSpill(nlp.vocab)
    try:
        first: list[tuple[list[Entity], tuple]] = []
        for i, (article, doc) in enumerate(parse_articles(articles, nlp, settings.batch_size, settings.workers), start=1):
            first.append((entities_from_doc(article, doc, gazetteer.is_notable, titled, gazetteer.is_country, acronyms, gazetteer.has_name),
                          name_tokens(doc)))
            spill.add(doc)
            if on_progress:
                on_progress(i, len(articles))
        names = person_tokens(e for ents, _ in first for e in ents)
        propagated: list[Entity] = []
        for article, (ents, tokens) in zip(articles, first):
            propagated.extend(propagate_people(article, tokens, ents, names, gazetteer.is_notable))
        del first
        voted = vote_place_labels(propagated, titled)
        by_article: dict[str, list[Entity]] = {}
        for e in voted:
            by_article.setdefault(e.article, []).append(e)
        clusters, assignment = cluster_entities(voted, {a.id: a.text for a in articles})

        resolutions = []
        unresolved: list[Unresolved] = []
        events = []
        quotes: list[Quote] = []
        facts: list[Fact] = []
        cluster_names = {c.id: c.name for c in clusters}
        for article, doc in zip(articles, spill):
            ents = by_article.get(article.id, [])
            resolved, missing = resolve_article(article, doc, ents, gazetteer, online)
            resolutions.append((article, resolved))
            unresolved.extend(missing)
            events.extend(extract_events(article, doc, ents, [r for r in resolved if not r[0].embedded], assignment))
            quotes.extend(extract_quotes(article, doc, ents, [r for r in resolved if not r[0].embedded], assignment))
            facts.extend(extract_facts(article, doc, ents, [r for r in resolved if not r[0].embedded], assignment, cluster_names))
    finally:
        spill.close()
    places = collect_places(resolutions)
    subject_names = {c.id: c.name for c in clusters}
    routes = build_routes(events, subject_names, {a.id: a.date for a in articles})
    warnings = []
    failed = getattr(online, "failed", None)
    if failed:
        warnings.append(f"online geocoder {online.name} failed ({failed}); places were resolved with the offline gazetteer")
    return Analysis(articles, list(problems), voted, clusters, assignment, places, unresolved, routes, model_name(nlp), warnings, quotes,
                    build_claims(facts, routes, articles))
