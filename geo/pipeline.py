"""The whole analysis of a corpus: articles -> entities -> places -> routes, as one typed result."""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from typing import Sequence

from .articles import Article, Problem
from .claims import Claim, Fact, build_claims, extract_facts
from .referents import Referents
from .config import Settings
from .errors import failure_reason
from .entities import (Cluster, Entity, cluster_entities, defined_acronyms, entities_from_doc, model_name, name_tokens,
                       parse_articles, person_tokens, propagate_people, titled_names, vote_place_labels)
from .gazetteer import Gazetteer
from .geocode import Geocoder, Place, Unresolved, collect_places, resolve_article
from .progress import OnProgress, Progress
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
        offset = self.file.tell()
        self.file.write(data)
        self.offsets.append((offset, len(data)))

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
            on_progress: OnProgress | None = None) -> Analysis:
    """Run NER, geocoding and route extraction over already-read articles; an article that fails becomes a Problem.

    Three passes, so memory holds the results and not the parsed corpus: (1) parse each article, keep its entities and
    title-case name tokens, spill its Doc to disk; (2) corpus-level steps on the entities alone; (3) read each Doc
    back to geocode its places and extract its movements. Any exception in an article's own steps is logged with its
    traceback and reported as one line naming the file; the other articles go on.
    """
    articles = list(articles)
    problems = list(problems)
    report = on_progress or (lambda progress: None)
    total = len(articles)

    def failed(article: Article, exc: BaseException, what: str = "could not be analysed") -> None:
        log.info("%s: %s", article.path, what, exc_info=exc)  # the traceback for the server log or `-v`
        problems.append(Problem(article.path, failure_reason(exc, what)))

    titled = titled_names(a.text for a in articles)
    acronyms = set(defined_acronyms(a.text for a in articles))
    spill = DocSpill(nlp.vocab)
    try:
        parsed: list[Article] = []
        first: list[tuple[list[Entity], tuple]] = []
        seen = 0
        report(Progress("parsing", seen, total))

        def piece_parsed(piece: int, pieces: int) -> None:
            report(Progress("parsing", seen, total, piece / pieces))

        for article, doc, error in parse_articles(articles, nlp, settings.batch_size, settings.workers, piece_parsed):
            try:
                if error is not None:
                    raise error
                found = (entities_from_doc(article, doc, gazetteer.is_notable, titled, gazetteer.is_country, acronyms, gazetteer.has_name),
                         name_tokens(doc))
                spill.add(doc)
            except Exception as exc:  # noqa: BLE001  one article never takes the corpus down
                failed(article, exc)
            else:
                parsed.append(article)
                first.append(found)
            seen += 1
            report(Progress("parsing", seen, total))
        articles = parsed

        report(Progress("corpus", 0, 1))
        names = person_tokens(e for ents, _ in first for e in ents)
        propagated: list[Entity] = []
        for article, (ents, tokens) in zip(articles, first):
            try:
                propagated.extend(propagate_people(article, tokens, ents, names, gazetteer.is_notable))
            except Exception as exc:  # noqa: BLE001
                failed(article, exc, "short names of people were not looked for")
                propagated.extend(ents)
        del first
        voted = vote_place_labels(propagated, titled)
        by_article: dict[str, list[Entity]] = {}
        for e in voted:
            by_article.setdefault(e.article, []).append(e)
        clusters, assignment = cluster_entities(voted, {a.id: a.text for a in articles})
        report(Progress("corpus", 1, 1))

        resolutions = []
        unresolved: list[Unresolved] = []
        events = []
        quotes: list[Quote] = []
        facts: list[Fact] = []
        cluster_names = {c.id: c.name for c in clusters}
        for i, (article, doc) in enumerate(zip(articles, spill), start=1):
            ents = by_article.get(article.id, [])
            try:
                resolved, missing = resolve_article(article, doc, ents, gazetteer, online)
                literal = [r for r in resolved if not r[0].embedded]
                refs = Referents(doc, ents, literal, assignment)  # built once, read by movements, quotations and facts
                moves = extract_events(article, doc, ents, literal, assignment, refs=refs)
                said = extract_quotes(article, doc, ents, literal, assignment, refs=refs)
                stated = extract_facts(article, doc, ents, literal, assignment, cluster_names, refs=refs)
            except Exception as exc:  # noqa: BLE001  the article keeps its entities; its places, moves and quotes are lost
                failed(article, exc, "places, movements and quotations could not be extracted")
            else:
                resolutions.append((article, resolved))
                unresolved.extend(missing)
                events.extend(moves)
                quotes.extend(said)
                facts.extend(stated)
            report(Progress("geocoding", i, total))
    finally:
        spill.close()
    report(Progress("routes", 0, 1))
    places = collect_places(resolutions)
    subject_names = {c.id: c.name for c in clusters}
    routes = build_routes(events, subject_names, {a.id: a.date for a in articles})
    report(Progress("routes", 1, 1))
    warnings = []
    failed_online = getattr(online, "failed", None)
    if failed_online:
        warnings.append(f"online geocoder {online.name} failed ({failed_online}); places were resolved with the offline gazetteer")
    return Analysis(articles, problems, voted, clusters, assignment, places, unresolved, routes, model_name(nlp), warnings, quotes,
                    build_claims(facts, routes, articles))
