"""The whole analysis of a corpus: articles -> entities -> places -> routes, as one typed result."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .articles import Article, Problem
from .config import Settings
from .entities import (Cluster, Entity, cluster_entities, defined_acronyms, entities_from_doc, model_name, parse_articles,
                       person_tokens, propagate_people, titled_names, vote_place_labels)
from .gazetteer import Gazetteer
from .geocode import Geocoder, Place, Unresolved, collect_places, resolve_article
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

    def cluster_of(self, entity: Entity) -> str | None:
        return self.assignment.get((entity.article, entity.index))

    def cluster_by_id(self) -> dict[str, Cluster]:
        return {c.id: c for c in self.clusters}


def analyze(articles: Sequence[Article], nlp, gazetteer: Gazetteer, settings: Settings,
            problems: Sequence[Problem] = (), online: Geocoder | None = None,
            on_progress: Callable[[int, int], None] | None = None) -> Analysis:
    """Run NER, geocoding and route extraction over already-read articles."""
    articles = list(articles)
    titled = titled_names(a.text for a in articles)
    acronyms = set(defined_acronyms(a.text for a in articles))
    per_article: list[tuple[Article, object, list[Entity]]] = []
    all_entities: list[Entity] = []
    for i, (article, doc) in enumerate(parse_articles(articles, nlp, settings.batch_size, settings.workers), start=1):
        ents = entities_from_doc(article, doc, gazetteer.is_notable, titled, gazetteer.is_country, acronyms)
        per_article.append((article, doc, ents))
        all_entities.extend(ents)
        if on_progress:
            on_progress(i, len(articles))
    names = person_tokens(all_entities)
    all_entities = []
    for k, (article, doc, ents) in enumerate(per_article):
        ents = propagate_people(article, doc, ents, names, gazetteer.is_notable)
        per_article[k] = (article, doc, ents)
        all_entities.extend(ents)
    voted = vote_place_labels(all_entities, titled)
    by_article: dict[str, list[Entity]] = {}
    for e in voted:
        by_article.setdefault(e.article, []).append(e)
    clusters, assignment = cluster_entities(voted, {a.id: a.text for a in articles})

    resolutions = []
    unresolved: list[Unresolved] = []
    events = []
    for article, doc, _ in per_article:
        ents = by_article.get(article.id, [])
        resolved, missing = resolve_article(article, doc, ents, gazetteer, online)
        resolutions.append((article, resolved))
        unresolved.extend(missing)
        events.extend(extract_events(article, doc, ents, resolved, assignment))
    places = collect_places(resolutions)
    subject_names = {c.id: c.name for c in clusters}
    routes = build_routes(events, subject_names, {a.id: a.date for a in articles})
    warnings = []
    failed = getattr(online, "failed", None)
    if failed:
        warnings.append(f"online geocoder {online.name} failed ({failed}); places were resolved with the offline gazetteer")
    return Analysis(articles, list(problems), voted, clusters, assignment, places, unresolved, routes, model_name(nlp), warnings)
