"""The analysis of a corpus as Dask tasks over partitions of articles, written by the workers as a partitioned Parquet dataset.

The passes of `pipeline.analyze`, distributed: (1) each partition is parsed once on a worker, which writes its Docs
(compressed spaCy bytes), entities and name tokens to a file in its scratch folder, so its memory holds one partition
at a time; (2) per-partition summaries (person name tokens, then the entities with their short forms, titles before
person names) are gathered for the corpus-level steps (label votes, alias clusters); (3) each partition is resolved on
the worker that holds its file (parsed again only where the file is not on that machine) and its tables are written as
`<table>/part-<n>.parquet`; a last task merges places and builds routes and claims from the partitions' results,
which travel between workers, never through the client. A lost worker's partitions are recomputed from their
inputs by Dask, so a run survives it with the same output.
"""
from __future__ import annotations

import json
import logging
import pickle
import resource
import tempfile
import time
import uuid
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from .aliases import Cluster, cluster_aliases, person_titles
from .articles import Article, Problem
from .claims import build_claims
from .facts import Fact
from .config import Settings
from .corrections import NO_CORRECTIONS
from .entities import Entity, MentionKey, defined_acronyms, entities_from_doc, titled_names
from .errors import ConfigError, failure_reason
from .export import write_parquet_part, write_parquet_stamp
from .gazetteer import Gazetteer
from .geocode import Geocoder, Place, Resolution, Unresolved, collect_places, make_geocoder
from .movement import Event
from .parsing import load_model, model_name, parse_articles
from .people import NameToken, name_tokens, person_tokens, propagate_people, vote_place_labels
from .pipeline import Analysis, CorpusEntities, FrozenMap, events, resolve, routes
from .progress import OnProgress, Progress
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


def write_run_report(folder: Path, articles: int, partition_size: int, timings: dict[str, float], costs: Sequence[float],
                     worker_peaks: dict[str, float]) -> None:
    """`run.json` beside the tables: phase times, each partition's worker seconds (parse + resolve), workers' peak memory."""
    report = {"articles": articles, "partition_size": partition_size, "workers": len(worker_peaks),
              **{k: round(v, 2) for k, v in timings.items()}, "partition_seconds": [round(c, 3) for c in costs],
              "worker_peak_mb": {addr: round(mb) for addr, mb in sorted(worker_peaks.items())}}
    (folder / "run.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def partitions(articles: Sequence[Article], size: int) -> list[list[Article]]:
    """Consecutive runs of `size` articles."""
    return [list(articles[i:i + size]) for i in range(0, len(articles), size)]


def connect(settings: Settings) -> Any:
    """A Dask client of the scheduler in the settings, else of a new LocalCluster of `workers` single-threaded processes."""
    from distributed import Client, LocalCluster

    if settings.scheduler:
        try:
            return Client(settings.scheduler, timeout=30)
        except OSError as exc:
            raise ConfigError(f"setting scheduler: no Dask scheduler answers at {settings.scheduler} ({exc}); "
                              f"start one with `dask scheduler` or leave --scheduler out for a local cluster") from exc
    cluster = LocalCluster(n_workers=settings.workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster)


def analyze_dask(articles: Sequence[Article], gazetteer: Gazetteer, settings: Settings, out: str | Path,
                 problems: Sequence[Problem] = (), on_progress: OnProgress | None = None,
                 client_factory: Callable[[Settings], Any] = connect) -> RunSummary:
    """Run the three passes over partitions of `articles` on Dask; the workers write the Parquet dataset into `out`."""
    from distributed import as_completed

    report = on_progress or (lambda progress: None)
    folder = Path(out).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*/part-*.parquet"):  # parts of an earlier run with more partitions would join this one's
        stale.unlink()
    run = uuid.uuid4().hex
    titled = frozenset(titled_names(a.text for a in articles))
    acronym_names = defined_acronyms(a.text for a in articles)
    acronyms = frozenset(acronym_names)
    chunks = partitions(articles, settings.partition_size)
    clock = time.perf_counter()
    client = client_factory(settings)
    timings = {"connect_s": time.perf_counter() - clock}
    try:
        # A partition's inputs are given again to the later passes, which re-parse only if its file is not on their machine.
        inputs = [(chunk, settings, gazetteer, titled, acronyms, run) for chunk in chunks]
        parsed = [client.submit(parse_partition, k, *args[:5], run, key=f"geo-parse-{run}-{k}") for k, args in enumerate(inputs)]
        done = 0
        report(Progress("parsing", 0, len(articles)))
        for _ in as_completed(parsed):
            done += 1
            report(Progress("parsing", min(done * settings.partition_size, len(articles)), len(articles)))
        timings["parse_s"] = time.perf_counter() - clock - timings["connect_s"]
        handles: list[PartitionFile] = client.gather(parsed)
        names: set[str] = set().union(*(h.person_tokens for h in handles))
        # Later passes go to the worker that wrote the partition's file; elsewhere only if it is gone (then they parse again).
        home = {key: list(addresses) for key, addresses in client.who_has(parsed).items()}

        def near(p: Any) -> dict[str, Any]:
            return {"workers": home[p.key], "allow_other_workers": True} if home.get(p.key) else {}

        summaries: list[EntitySummary] = client.gather([client.submit(propagate_partition, p, args, names, gazetteer, **near(p))
                                                        for p, args in zip(parsed, inputs)])
        report(Progress("corpus", 0, 1))
        mark = time.perf_counter()
        voted = vote_place_labels([e for s in summaries for e in s.entities], set(titled))
        titles = {k: v for s in summaries for k, v in s.titles.items()}
        clusters, assignment = cluster_aliases(voted, titles, acronym_names)
        log.info("corpus steps: %d entities, %d clusters", len(voted), len(clusters))
        report(Progress("corpus", 1, 1))
        timings["corpus_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        resolved = []
        start = 0
        cluster_by_id = {c.id: c for c in clusters}
        for k, (p, found) in enumerate(zip(parsed, summaries)):
            ents = voted[start:start + len(found.entities)]
            start += len(found.entities)
            part_assignment = {e.key: assignment[e.key] for e in ents if e.key in assignment}
            part_clusters = [cluster_by_id[cid] for cid in sorted(set(part_assignment.values()))]
            resolved.append(client.submit(resolve_partition, p, inputs[k], ents, part_assignment, part_clusters, settings, gazetteer,
                                          str(folder), run, key=f"geo-resolve-{run}-{k}", **near(p)))
        done = 0
        for _ in as_completed(resolved):
            done += 1
            report(Progress("geocoding", min(done * settings.partition_size, len(articles)), len(articles)))
        timings["resolve_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        report(Progress("routes", 0, 1))
        early = (*problems, *(p for h in handles for p in h.problems), *(p for s in summaries for p in s.problems))
        summary: RunSummary = client.submit(finish_corpus, resolved, clusters, early, settings.geocoder, str(folder),
                                            key=f"geo-finish-{run}").result()
        timings["finish_s"] = time.perf_counter() - mark
        report(Progress("routes", 1, 1))
        costs = [h.seconds + r for h, r in zip(handles, client.gather([client.submit(resolve_seconds, r) for r in resolved]))]
        write_run_report(folder, len(articles), settings.partition_size, timings, costs, client.run(peak_memory_mb))
        return summary
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None and not settings.scheduler:
            cluster.close()
