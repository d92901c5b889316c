"""The whole analysis of a corpus as named stages: parse -> corpus steps -> resolve -> corrections -> events -> routes.

Each stage takes its inputs explicitly and can be called on its own; `analyze` runs them in order, one article's
failure becoming one Problem line.
"""
from __future__ import annotations

import gc
import logging
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Sequence

from .articles import Article, Problem
from .aliases import Cluster, cluster_entities
from .claims import Claim, build_claims
from .facts import Fact, extract_facts
from .config import Settings
from .considered import Considered, considered_of
from .corrections import NO_CORRECTIONS, Corrections
from .errors import failure_reason
from .entities import Entity, MentionKey, defined_acronyms, entities_from_doc, titled_names
from .gazetteer import Gazetteer
from .approximate import APPROXIMATE
from .geocode import Geocoder, Place, Resolution, Unresolved, collect_places, resolve_article
from .chunks import EMPTY_TENSOR
from .parsing import model_name, parse_articles
from .people import NameToken, name_tokens, person_tokens, propagate_people, vote_place_labels
from .progress import OnProgress, Progress
from .quotes import Quote, extract_quotes
from .movement import WEAK_DATE_SOURCE
from .referents import Referents
from .route import Event, Route, build_routes, extract_events

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

log = logging.getLogger(__name__)


class FrozenMap(dict):  # type: ignore[type-arg]
    """A dict that refuses changes after it is built (and pickles, unlike MappingProxyType, for the worker process)."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("analysis results are immutable: build a new value instead")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict]]:  # type: ignore[type-arg]
        return (FrozenMap, (dict(self),))


@dataclass(frozen=True)
class Analysis:
    """Everything the CLI writes and the dashboard shows for one corpus; immutable, so sessions can share it.

    Lists given to the constructor are stored as tuples and the assignment as a FrozenMap; a change is a new
    Analysis (`dataclasses.replace`).
    """

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    entities: tuple[Entity, ...]
    clusters: tuple[Cluster, ...]
    assignment: Mapping[MentionKey, str]
    places: tuple[Place, ...]
    unresolved: tuple[Unresolved, ...]
    routes: tuple[Route, ...]
    model: str
    warnings: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    claims: tuple[Claim, ...] = ()
    considered: tuple[Considered, ...] = ()  # per resolved mention, the candidates the resolver weighed (before corrections)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
        if not isinstance(self.assignment, FrozenMap):
            object.__setattr__(self, "assignment", FrozenMap(self.assignment))

    def cluster_of(self, entity: Entity) -> str | None:
        return self.assignment.get(entity.key)

    def cluster_by_id(self) -> dict[str, Cluster]:
        return {c.id: c for c in self.clusters}

    def labels(self) -> dict[str, str]:
        """Article id -> the article's label (its file name without extension)."""
        return {a.id: a.label for a in self.articles}


# Docs kept in memory for the steps after the corpus-level ones, up to this many tokens (about 200 bytes each without
# their tensors, so some 60 MB); the rest are spilled to disk. Writing a Doc to bytes and reading it back cost more CPU than
# the rest of the article's entity pass.
DOCS_IN_MEMORY_TOKENS = 300_000


class DocSpill:
    """Parsed Docs held for the later passes, in order: the first ones in memory, the rest in an anonymous temporary file.

    The corpus-level steps (person names, label votes, alias clusters) need every article's entities before any
    article can be geocoded, but not every article's Doc: keeping every Doc in memory until then made peak memory grow
    with the corpus, so past `memory_tokens` tokens Docs are written to disk. Docs are kept without their tensors (the
    parser and tagger have already used them); each is let go once read back.
    """

    def __init__(self, vocab: Vocab, memory_tokens: int = DOCS_IN_MEMORY_TOKENS) -> None:
        self.vocab = vocab
        self.file = tempfile.TemporaryFile(prefix="geo-docs-")
        self.memory_tokens = memory_tokens
        self.held: list[Doc | None] = []
        self.offsets: list[tuple[int, int]] = []

    def add(self, doc: Doc) -> None:
        if not self.offsets and len(doc) <= self.memory_tokens:
            self.memory_tokens -= len(doc)
            doc.tensor = EMPTY_TENSOR
            self.held.append(doc)
            return
        data = doc.to_bytes(exclude=["tensor", "user_data"])
        offset = self.file.tell()
        self.file.write(data)
        self.offsets.append((offset, len(data)))

    def __iter__(self) -> Iterator[Doc]:
        from spacy.tokens import Doc

        for k, doc in enumerate(self.held):
            self.held[k] = None  # read once: let it go
            if doc is not None:
                yield doc
        self.file.flush()
        for offset, size in self.offsets:
            self.file.seek(offset)
            yield Doc(self.vocab).from_bytes(self.file.read(size))

    def close(self) -> None:
        self.held.clear()
        self.file.close()


OnFailure = Callable[[Article, BaseException, str], None]  # (article, exception, what was lost)


@dataclass(frozen=True)
class Parsed:
    """Stage 1: the articles that parsed, each one's entities and title-case name tokens, their Docs spilled to disk."""

    articles: tuple[Article, ...]
    entities: tuple[tuple[Entity, ...], ...]
    tokens: tuple[tuple[NameToken, ...], ...]
    docs: DocSpill
    titled: frozenset[str] = frozenset()  # names written after an honorific anywhere in the corpus ("Mr Kim" -> "kim")


@dataclass(frozen=True)
class CorpusEntities:
    """Stage 2: every entity after the corpus-level steps, per article, and the alias clusters."""

    entities: tuple[Entity, ...]
    by_article: Mapping[str, tuple[Entity, ...]]
    clusters: tuple[Cluster, ...]
    assignment: Mapping[MentionKey, str]

    @cached_property
    def names(self) -> Mapping[str, str]:
        """Cluster id -> cluster name, built once for every article's events."""
        return FrozenMap({c.id: c.name for c in self.clusters})


@dataclass(frozen=True)
class ArticleEvents:
    """Stage 4: what one article tells after its places are resolved: movements, quotations and checkable facts."""

    moves: tuple[Event, ...]
    quotes: tuple[Quote, ...]
    facts: tuple[Fact, ...]


def parse(articles: Sequence[Article], nlp: Language, gazetteer: Gazetteer, settings: Settings, on_failure: OnFailure,
          report: OnProgress) -> Parsed:
    """Parse each article with spaCy and keep its entities (span clean-up, label fixes) and name tokens."""
    titled = titled_names(a.text for a in articles)
    acronyms = set(defined_acronyms(a.text for a in articles))
    spill = DocSpill(nlp.vocab)
    kept: list[Article] = []
    entities: list[tuple[Entity, ...]] = []
    tokens: list[tuple[NameToken, ...]] = []
    seen, total = 0, len(articles)
    report(Progress("parsing", seen, total))

    def piece_parsed(piece: int, pieces: int) -> None:
        report(Progress("parsing", seen, total, piece / pieces))

    for article, doc, error in parse_articles(articles, nlp, settings.batch_size, settings.workers, piece_parsed):
        try:
            if doc is None:
                raise error if error is not None else RuntimeError("spaCy gave no document")
            found = entities_from_doc(article, doc, gazetteer.is_notable, titled, gazetteer.is_country, acronyms, gazetteer.has_name,
                                      gazetteer.is_area)
            names = name_tokens(doc)
            spill.add(doc)
        except Exception as exc:  # noqa: BLE001  one article never takes the corpus down
            on_failure(article, exc, "could not be analysed")
        else:
            kept.append(article)
            entities.append(tuple(found))
            tokens.append(tuple(names))
        seen += 1
        report(Progress("parsing", seen, total))
    return Parsed(tuple(kept), tuple(entities), tuple(tokens), spill, frozenset(titled))


def corpus_steps(parsed: Parsed, gazetteer: Gazetteer, on_failure: OnFailure,
                 previous: Mapping[MentionKey, str] | None = None) -> CorpusEntities:
    """Short forms of people named in full elsewhere, one place label per name, alias clusters (ids kept from `previous`)."""
    names = person_tokens([e for ents in parsed.entities for e in ents])
    propagated: list[Entity] = []
    for article, ents, tokens in zip(parsed.articles, parsed.entities, parsed.tokens):
        try:
            propagated.extend(propagate_people(article, tokens, list(ents), names, gazetteer.is_notable))
        except Exception as exc:  # noqa: BLE001
            on_failure(article, exc, "short names of people were not looked for")
            propagated.extend(ents)
    voted = vote_place_labels(propagated, set(parsed.titled))
    by_article: dict[str, list[Entity]] = {}
    for e in voted:
        by_article.setdefault(e.article, []).append(e)
    clusters, assignment = cluster_entities(voted, {a.id: a.text for a in parsed.articles}, previous)
    return CorpusEntities(tuple(voted), FrozenMap({k: tuple(v) for k, v in by_article.items()}), tuple(clusters),
                          FrozenMap(assignment))


def resolve(article: Article, doc: Doc, entities: Sequence[Entity], gazetteer: Gazetteer,
            online: Geocoder | None = None) -> tuple[list[Resolution], list[Unresolved]]:
    """One article's place mentions resolved to gazetteer entries, and the names left unresolved."""
    return resolve_article(article, doc, entities, gazetteer, online)


def events(article: Article, doc: Doc, entities: Sequence[Entity], resolved: Sequence[Resolution],
           corpus: CorpusEntities) -> ArticleEvents:
    """Movements, quotations and facts of one article, from its literal place mentions (not metonyms or parts of names)."""
    # An approximate place (a name the gazetteer lacks, put at its town) says nothing of where anyone went.
    literal = [r for r in resolved if not r[0].embedded and r[1].feature != APPROXIMATE]
    names = corpus.names
    refs = Referents(doc, entities, literal, corpus.assignment)  # built once, read by movements, quotations and facts
    return ArticleEvents(tuple(extract_events(article, doc, entities, literal, corpus.assignment, refs=refs)),
                         tuple(extract_quotes(article, doc, entities, literal, corpus.assignment, refs=refs)),
                         tuple(extract_facts(article, doc, entities, literal, corpus.assignment, names, refs=refs)))


def routes(moves: Sequence[Event], clusters: Sequence[Cluster], articles: Sequence[Article],
           corrections: Corrections = NO_CORRECTIONS) -> list[Route]:
    """Every traveller's routes from the movement events, after the route corrections."""
    guessed = {a.id for a in articles if a.date_source and a.date_source.startswith(WEAK_DATE_SOURCE)}  # dates count less
    built = build_routes(moves, {c.id: c.name for c in clusters}, {a.id: a.date for a in articles}, guessed)
    return corrections.routes(built)


def _with_docs(parsed: Parsed) -> Iterator[tuple[Article, Doc]]:
    return zip(parsed.articles, parsed.docs)


def analyze(articles: Sequence[Article], nlp: Language, gazetteer: Gazetteer, settings: Settings,
            problems: Sequence[Problem] = (), online: Geocoder | None = None,
            on_progress: OnProgress | None = None, previous: Mapping[MentionKey, str] | None = None,
            corrections: Corrections = NO_CORRECTIONS) -> Analysis:
    """Run the stages over already-read articles; an article that fails becomes a Problem.

    Memory holds the results and not the whole parsed corpus: past a budget, parsed Docs are spilled to disk and read
    back one at a time for resolving and events. Any exception in an article's own steps is logged with its traceback and reported as
    one line naming the file; the other articles go on. `previous` (an earlier analysis's assignment of mention keys
    to cluster ids) lets a cluster regrouped under another key keep its id; `corrections` apply to each article's
    resolved places before its events are read, and to the routes.
    """
    problems = list(problems)
    report = on_progress or (lambda progress: None)

    def failed(article: Article, exc: BaseException, what: str) -> None:
        log.info("%s: %s", article.path, what, exc_info=exc)  # the traceback for the server log or `-v`
        problems.append(Problem(article.path, failure_reason(exc, what)))

    with fewer_collections():
        return _analyze(articles, nlp, gazetteer, settings, problems, failed, report, online, previous, corrections)


# Allocations between two collections of the youngest generation while a corpus is analysed (Python's default is 700).
# The analysis allocates millions of short-lived objects and keeps its results: at the default, the collector ran
# thousands of times per hundred articles, rescanning the results each time it reached the older generations.
ANALYSIS_GC_THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's first threshold for the block, as large Python services do, and restore it after."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], ANALYSIS_GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _analyze(articles: Sequence[Article], nlp: Language, gazetteer: Gazetteer, settings: Settings, problems: list[Problem],
             failed: OnFailure, report: OnProgress, online: Geocoder | None, previous: Mapping[MentionKey, str] | None,
             corrections: Corrections) -> Analysis:
    total = len(articles)
    parsed = parse(list(articles), nlp, gazetteer, settings, failed, report)
    try:
        report(Progress("corpus", 0, 1))
        corpus = corpus_steps(parsed, gazetteer, failed, previous)
        report(Progress("corpus", 1, 1))
        resolutions: list[tuple[Article, list[Resolution]]] = []
        unresolved: list[Unresolved] = []
        considered: list[Considered] = []
        told: list[ArticleEvents] = []
        for i, (article, doc) in enumerate(_with_docs(parsed), start=1):
            ents = list(corpus.by_article.get(article.id, ()))
            try:
                resolved, missing = resolve(article, doc, ents, gazetteer, online)
                weighed = considered_of(resolved)
                resolved = corrections.mentions(article, resolved, gazetteer)
                found = events(article, doc, ents, resolved, corpus)
            except Exception as exc:  # noqa: BLE001  the article keeps its entities; its places, moves and quotes are lost
                failed(article, exc, "places, movements and quotations could not be extracted")
            else:
                resolutions.append((article, resolved))
                unresolved.extend(missing)
                considered.extend(weighed)
                told.append(found)
            report(Progress("geocoding", i, total))
    finally:
        parsed.docs.close()
    report(Progress("routes", 0, 1))
    places = collect_places(resolutions)
    found_routes = routes([m for t in told for m in t.moves], corpus.clusters, parsed.articles, corrections)
    report(Progress("routes", 1, 1))
    warnings = []
    failed_online = getattr(online, "failed", None)
    if failed_online and online is not None:
        warnings.append(f"online geocoder {online.name} failed ({failed_online}); places were resolved with the offline gazetteer")
    return Analysis(parsed.articles, tuple(problems), corpus.entities, corpus.clusters, corpus.assignment, tuple(places),
                    tuple(unresolved), tuple(found_routes), model_name(nlp), tuple(warnings),
                    tuple(q for t in told for q in t.quotes),
                    tuple(build_claims([f for t in told for f in t.facts], found_routes, parsed.articles)), tuple(considered))
