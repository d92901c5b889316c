"""What a Dask worker runs for `engine_dask`: the three passes over one partition of articles (parse, short forms of
people, resolve) with the records that travel between them, and the last task that builds the corpus-wide tables."""
from __future__ import annotations

import logging
import pickle
import resource
import tempfile
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

from .aliases import Cluster, person_titles
from .articles import Article, Problem
from .claims import build_claims
from .config import Settings
from .corrections import NO_CORRECTIONS
from .entities import Entity, MentionKey, entities_from_doc
from .errors import failure_reason
from .export import write_parquet_part, write_parquet_stamp
from .facts import Fact
from .gazetteer import Gazetteer
from .geocode import Geocoder, Place, Resolution, Unresolved, collect_places, make_geocoder
from .movement import Event
from .parsing import load_model, model_name, parse_articles
from .people import NameToken, name_tokens, person_tokens, propagate_people
from .pipeline import Analysis, CorpusEntities, FrozenMap, events, resolve, routes
from .quotes import Quote

log = logging.getLogger(__name__)

PARTITION_TABLES = ("articles", "entities", "unresolved", "quotes")
CORPUS_TABLES = ("clusters", "places", "routes", "stops", "claims")
DOC_COMPRESSION = 1  # zlib level of the Docs a worker holds between passes: fast, and about 4x smaller than raw

# Per worker process: the spaCy model, the gazetteer and the run's online geocoder, loaded by the first task that needs them.
_LOADED: dict[tuple[str, ...], Any] = {}


def _model(name: str) -> Any:
    key = ("model", name)
    if key not in _LOADED:
        _LOADED[key] = load_model(name)
    return _LOADED[key]


def _gazetteer(gazetteer: Gazetteer) -> Gazetteer:
    """The worker's open gazetteer for that path (it arrives pickled by path; one connection and cache per worker)."""
    opened: Gazetteer = _LOADED.setdefault(("gazetteer", str(gazetteer.path), str(gazetteer.custom_path)), gazetteer)
    return opened


def _online(settings: Settings, gazetteer: Gazetteer, run: str) -> Geocoder | None:
    """The worker's online geocoder for this run (None offline); its rate limit and answer cache are shared on the machine."""
    key = ("online", run)
    if key not in _LOADED:
        _LOADED[key] = make_geocoder(settings, gazetteer)
    online: Geocoder | None = _LOADED[key]
    return online


def _problem(article: Article, exc: BaseException, what: str = "could not be analysed") -> Problem:
    log.info("%s: %s", article.path, what, exc_info=exc)
    return Problem(article.path, failure_reason(exc, what))


@dataclass(frozen=True)
class ParsedPartition:
    """A partition after parsing: its articles, Docs (zlib-compressed Doc.to_bytes without tensors), first entities and
    name tokens. It lives in a file on the worker's disk between passes, so a worker's memory holds one partition."""

    part: int
    articles: tuple[Article, ...]
    docs: tuple[bytes, ...]
    entities: tuple[tuple[Entity, ...], ...]
    tokens: tuple[tuple[NameToken, ...], ...]


@dataclass(frozen=True)
class PartitionFile:
    """What Dask keeps of a parsed partition (the task's result, small): where the worker wrote it, and what went wrong."""

    part: int
    path: str
    problems: tuple[Problem, ...]
    seconds: float  # the worker's time for this pass, for the per-partition cost figures
    person_tokens: frozenset[str]


def _scratch_dir() -> Path:
    """The worker's own scratch folder (removed with the worker), else the system's temporary folder."""
    from distributed import get_worker

    try:
        return Path(get_worker().local_directory)
    except ValueError:  # not inside a Dask worker
        return Path(tempfile.gettempdir())


def _load(handle: PartitionFile) -> ParsedPartition | None:
    """The parsed partition from its file, or None when the file is not on this machine (another worker wrote it)."""
    try:
        with open(handle.path, "rb") as fh:
            parsed: ParsedPartition = pickle.load(fh)
    except FileNotFoundError:
        return None
    return parsed


@dataclass(frozen=True)
class EntitySummary:
    """What the corpus-level steps need of one partition: its entities with short forms, titles before person names."""

    entities: tuple[Entity, ...]
    titles: dict[MentionKey, str]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ResolvedPartition:
    """What the last task needs of one resolved partition (its own tables are already written)."""

    places: tuple[Place, ...]
    mention_entities: tuple[Entity, ...]
    events: tuple[Event, ...]
    facts: tuple[Fact, ...]
    dated: tuple[Article, ...]  # id, outlet and date of each article, without texts
    problems: tuple[Problem, ...]
    counts: dict[str, int]
    online_failed: str | None
    model: str
    seconds: float


@dataclass(frozen=True)
class RunSummary:
    """What the client prints after a run."""

    articles: int
    entities: int
    clusters: int
    places: int
    unresolved: int
    routes: tuple[tuple[str, str], ...]  # subject, stops as one line
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]
    model: str


def parse_partition(part: int, articles: Sequence[Article], settings: Settings, gazetteer: Gazetteer,
                    titled: frozenset[str], acronyms: frozenset[str], run: str) -> PartitionFile:
    """Pass 1 on a worker: parse each article once; its first entities, name tokens and compressed Doc go to a file."""
    started = time.perf_counter()
    nlp = _model(settings.spacy_model)
    g = _gazetteer(gazetteer)
    kept, docs, found, tokens, problems = [], [], [], [], []
    for article, doc, error in parse_articles(articles, nlp, settings.batch_size, 1):
        try:
            if doc is None:
                raise error if error is not None else RuntimeError("spaCy gave no document")
            ents = entities_from_doc(article, doc, g.is_notable, set(titled), g.is_country, acronyms, g.has_name, g.is_area)
            toks = name_tokens(doc)
            blob = zlib.compress(doc.to_bytes(exclude=["tensor", "user_data"]), DOC_COMPRESSION)
        except Exception as exc:  # noqa: BLE001  one article never takes the corpus down
            problems.append(_problem(article, exc))
        else:
            kept.append(article)
            docs.append(blob)
            found.append(tuple(ents))
            tokens.append(toks)
    path = _scratch_dir() / f"geo-{run}-{part:05d}.pickle"
    with open(path, "wb") as fh:
        pickle.dump(ParsedPartition(part, tuple(kept), tuple(docs), tuple(found), tuple(tokens)), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return PartitionFile(part, str(path), tuple(problems), time.perf_counter() - started,
                         frozenset(person_tokens([e for ents in found for e in ents])))


def reparsed(handle: PartitionFile, articles: Sequence[Article], settings: Settings, gazetteer: Gazetteer,
             titled: frozenset[str], acronyms: frozenset[str], run: str) -> ParsedPartition:
    """The parsed partition, parsed again here when its file stayed on another machine (its worker moved or died)."""
    parsed = _load(handle)
    if parsed is None:
        parsed = _load(parse_partition(handle.part, articles, settings, gazetteer, titled, acronyms, run))
    assert parsed is not None
    return parsed


def propagate_partition(handle: PartitionFile, inputs: tuple[Any, ...], names: set[str], gazetteer: Gazetteer) -> EntitySummary:
    """Pass 2 on a worker: short forms of people named in full anywhere in the corpus, and the titles before person names."""
    parsed = reparsed(handle, *inputs)
    g = _gazetteer(gazetteer)
    out: list[Entity] = []
    problems = []
    for article, tokens, ents in zip(parsed.articles, parsed.tokens, parsed.entities):
        try:
            out.extend(propagate_people(article, tokens, list(ents), names, g.is_notable))
        except Exception as exc:  # noqa: BLE001
            problems.append(_problem(article, exc, "short names of people were not looked for"))
            out.extend(ents)
    titles = person_titles(out, {a.id: a.text for a in parsed.articles})
    return EntitySummary(tuple(out), titles, tuple(problems))


def resolve_partition(handle: PartitionFile, inputs: tuple[Any, ...], entities: Sequence[Entity], assignment: dict[MentionKey, str],
                      clusters: Sequence[Cluster], settings: Settings, gazetteer: Gazetteer, out: str, run: str) -> ResolvedPartition:
    """Pass 3 on the worker holding the partition: places, movements, quotations and facts; its tables written as parts."""
    from spacy.tokens import Doc

    started = time.perf_counter()
    parsed = reparsed(handle, *inputs)
    g = _gazetteer(gazetteer)
    online = _online(settings, g, run)
    vocab = _model(settings.spacy_model).vocab
    by_article: dict[str, list[Entity]] = {}
    for e in entities:
        by_article.setdefault(e.article, []).append(e)
    # The corpus steps' result as far as this partition needs it: its entities, their clusters.
    corpus = CorpusEntities(tuple(entities), FrozenMap({k: tuple(v) for k, v in by_article.items()}), tuple(clusters), FrozenMap(assignment))
    resolutions: list[tuple[Article, list[Resolution]]] = []
    unresolved: list[Unresolved] = []
    moves: list[Event] = []
    quotes: list[Quote] = []
    facts: list[Fact] = []
    problems: list[Problem] = []
    for article, blob in zip(parsed.articles, parsed.docs):
        doc = Doc(vocab).from_bytes(zlib.decompress(blob))
        ents = by_article.get(article.id, [])
        try:
            resolved, missing = resolve(article, doc, ents, g, online)
            resolved = NO_CORRECTIONS.mentions(article, resolved, g)
            found = events(article, doc, ents, resolved, corpus)
        except Exception as exc:  # noqa: BLE001  the article keeps its entities; its places, moves and quotes are lost
            problems.append(_problem(article, exc, "places, movements and quotations could not be extracted"))
        else:
            resolutions.append((article, resolved))
            unresolved.extend(missing)
            moves.extend(found.moves)
            quotes.extend(found.quotes)
            facts.extend(found.facts)
    articles = list(parsed.articles)
    model = model_name(_model(settings.spacy_model))
    partial = Analysis(tuple(articles), (), tuple(entities), (), assignment, (), tuple(unresolved), (), model, quotes=tuple(quotes))
    write_parquet_part(partial, Path(out), PARTITION_TABLES, parsed.part)
    Path(handle.path).unlink(missing_ok=True)  # a rerun of this task (its worker lost) parses the partition again
    places = collect_places(resolutions)
    keys = {m.key for p in places for m in p.mentions}
    return ResolvedPartition(tuple(places), tuple(e for e in entities if e.key in keys), tuple(moves), tuple(facts),
                             tuple(replace(a, raw="", text="", segments=(), comments=()) for a in articles), tuple(problems),
                             {"articles": len(articles), "entities": len(entities), "unresolved": len(unresolved)},
                             getattr(online, "failed", None) if online is not None else None, model, time.perf_counter() - started)


def peak_memory_mb() -> float:
    """This process's peak resident memory (run on each worker)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def merge_places(partials: Sequence[Sequence[Place]]) -> list[Place]:
    """The places of the whole corpus from each partition's: mentions joined, the highest confidence, collect_places' order."""
    merged: dict[str, Place] = {}
    for places in partials:
        for p in places:
            seen = merged.get(p.id)
            merged[p.id] = p if seen is None else replace(seen, confidence=max(seen.confidence, p.confidence),
                                                          mentions=seen.mentions + p.mentions)
    out = [replace(p, mentions=tuple(sorted(p.mentions, key=lambda m: (m.article, m.raw_start)))) for p in merged.values()]
    out.sort(key=lambda p: (-len(p.mentions), p.name))
    return out


def finish_corpus(results: Sequence[ResolvedPartition], clusters: Sequence[Cluster], problems: Sequence[Problem],
                  online_name: str, out: str) -> RunSummary:
    """The last task: places merged, routes and claims built, and the corpus-wide tables written."""
    model = results[0].model if results else ""
    places = merge_places([r.places for r in results])
    dated = [a for r in results for a in r.dated]
    found_routes = routes([e for r in results for e in r.events], clusters, dated, NO_CORRECTIONS)
    claims = build_claims([f for r in results for f in r.facts], found_routes, dated)
    mention_entities = [e for r in results for e in r.mention_entities]
    corpus = Analysis((), (), tuple(mention_entities), tuple(clusters), {}, tuple(places), (), tuple(found_routes), model, claims=tuple(claims))
    folder = Path(out)
    write_parquet_part(corpus, folder, CORPUS_TABLES, 0)
    write_parquet_stamp(folder, model)
    failed = next((r.online_failed for r in results if r.online_failed), None)
    warnings = (f"online geocoder {online_name} failed ({failed}); places were resolved with the offline gazetteer",) if failed else ()
    return RunSummary(sum(r.counts["articles"] for r in results), sum(r.counts["entities"] for r in results), len(clusters),
                      len(places), sum(r.counts["unresolved"] for r in results),
                      tuple((r.subject, " -> ".join(f"{s.name} ({s.status}{', ' + s.date if s.date else ''})" for s in r.stops))
                            for r in found_routes),
                      tuple(problems) + tuple(p for r in results for p in r.problems), warnings, model)


def resolve_seconds(resolved: ResolvedPartition) -> float:
    return resolved.seconds
