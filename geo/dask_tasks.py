"""What a Dask worker runs for `engine_dask`: the three passes over one partition of articles, and the last task.

(1) `parse_partition` parses each article once and writes its Docs (compressed spaCy bytes), entities and name tokens
to a file in the worker's scratch folder, so its memory holds one partition at a time; (2) `propagate_partition`
gives the corpus steps that partition's entities with short forms and its titles before person names; (3)
`resolve_partition` resolves places, movements, quotations and facts on the worker holding the file and writes the
partition's tables; `finish_corpus` merges places and builds routes and claims. Where a later pass runs on a worker
without the file, it answers `ArticlesNeeded` and the client sends it again with the articles, to parse them there.
Every task takes the run's shared inputs as one `RunContext`, which a worker receives once; each task hands the heap's
freed pages back when it ends (`worker_task`).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import pickle
import resource
import tempfile
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TypeVar, cast

from spacy.tokens import Doc

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
from .parsing import doc_text, load_model, model_name, parse_articles, remember_text
from .people import NameToken, name_tokens, person_tokens, propagate_people
from .pipeline import Analysis, CorpusEntities, FrozenMap, events, fewer_collections, resolve, routes
from .quotes import Quote

log = logging.getLogger(__name__)
T = TypeVar("T")

PARTITION_TABLES = ("articles", "entities", "unresolved", "quotes")
CORPUS_TABLES = ("clusters", "places", "routes", "stops", "claims")  # written after pass 3, in slices (`finish_corpus`)
DOC_COMPRESSION = 1  # zlib level of the Docs a worker holds between passes: fast, and about 4x smaller than raw

# Per worker process: the spaCy model, the gazetteer and the run's online geocoder, loaded by the first task that needs them.
_LOADED: dict[tuple[str, ...], Any] = {}


def worker_model(name: str) -> Any:
    """This process's spaCy model `name`, loaded once. A local cluster's workers are forked from a client that loaded it,
    so they start with it (as `nlp.pipe`'s processes do) instead of each importing spaCy and loading it again."""
    key = ("model", name)
    if key not in _LOADED:
        _LOADED[key] = load_model(name)
    return _LOADED[key]


@dataclass(frozen=True)
class RunContext:
    """What every task of one run shares: settings, the gazetteer's files (not an open connection: unpickling a
    Gazetteer reopens it), corpus-wide names, the output folder and the run id. Submitted once as a task of its own, so
    each worker receives it once, and a lost copy is rebuilt from the task."""

    settings: Settings
    gazetteer_path: Path
    gazetteer_custom: Path | None
    titled: frozenset[str]
    acronyms: frozenset[str]
    out: str
    run: str

    def model(self) -> Any:
        return worker_model(self.settings.spacy_model)

    def gazetteer(self) -> Gazetteer:
        """The worker's open gazetteer for these files (one connection and one set of caches per worker process; keyed by
        process id, so a worker forked from a process that had one opens its own: SQLite connections do not cross a fork)."""
        key = ("gazetteer", str(self.gazetteer_path), str(self.gazetteer_custom), str(os.getpid()))
        if key not in _LOADED:
            _LOADED[key] = Gazetteer(self.gazetteer_path, self.gazetteer_custom)
        opened: Gazetteer = _LOADED[key]
        return opened

    def online(self) -> Geocoder | None:
        """The worker's online geocoder for this run (None offline); its rate limit and answer cache are shared on the machine."""
        key = ("online", self.run, str(os.getpid()))
        if key not in _LOADED:
            _LOADED[key] = make_geocoder(self.settings, self.gazetteer())
        online: Geocoder | None = _LOADED[key]
        return online


def _problem(article: Article, exc: BaseException, what: str = "could not be analysed") -> Problem:
    log.info("%s: %s", article.path, what, exc_info=exc)
    return Problem(article.path, failure_reason(exc, what))


# A Doc between passes: its token attributes as one array (Doc.to_array over the attributes Doc.to_bytes keeps), zlib-
# compressed, and its span groups. Its text is the article's (spaCy's tokenisation keeps every character) and its strings
# are in the vocab of the worker process that parsed it, the only process that reads the file back (see `_load`):
# Doc.to_bytes would also walk every token for its strings and pack all of it with msgpack, a third of the pass's
# overhead on the Docs. Doc.from_dict rebuilds it as Doc.from_bytes does.
DOC_ATTRS: list[int | str] = list(Doc._get_array_attrs())  # LENGTH and SPACY first, then spaCy's DocBin attributes


def pack_doc(doc: Doc) -> tuple[int, bytes, bytes]:
    """The Doc's token count, compressed attribute array and span groups (empty when it has none)."""
    array = doc.to_array(DOC_ATTRS)
    return len(doc), zlib.compress(array.tobytes(), DOC_COMPRESSION), doc.spans.to_bytes() if doc.spans else b""


def unpack_doc(vocab: Any, packed: tuple[int, bytes, bytes], text: str) -> Doc:
    """The Doc `pack_doc` packed, on the vocab of the process that parsed it."""
    import numpy

    n, blob, spans = packed
    array = numpy.frombuffer(zlib.decompress(blob), dtype=numpy.uint64).reshape(n, len(DOC_ATTRS))
    msg: dict[str, Any] = {"text": text, "array_head": DOC_ATTRS, "array_body": array}
    if spans:
        msg["spans"] = spans
    return remember_text(Doc(vocab).from_dict(msg), text)


@dataclass(frozen=True)
class ParsedPartition:
    """A partition after parsing: its articles, packed Docs (`pack_doc`), first entities and name tokens. It lives in a
    file on the disk of the worker that parsed it, between passes, so a worker's memory holds one partition at a time;
    `pid` is that worker's process (the Docs' strings are in its vocab)."""

    part: int
    articles: tuple[Article, ...]
    docs: tuple[tuple[int, bytes, bytes], ...]
    entities: tuple[tuple[Entity, ...], ...]
    tokens: tuple[tuple[NameToken, ...], ...]
    pid: int


@dataclass(frozen=True)
class PartitionFile:
    """What Dask keeps of a parsed partition (the task's result, small): where the worker wrote it, and what went wrong."""

    part: int
    path: str
    pid: int  # the process that wrote it
    problems: tuple[Problem, ...]
    cpu: float  # the task's own CPU seconds (its thread), for the per-partition cost figures
    person_tokens: frozenset[str]


F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (macOS, musl)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def trim_heap() -> bool:
    """Hand the heap's free pages back to the system (glibc's malloc_trim(0)); False where there is no such call.

    A task's parse takes memory in many blocks of many sizes (spaCy's arrays, the Docs, their packed copies) and frees
    most of it at the end; glibc keeps the freed pages mapped in the worker's heap, scattered among the blocks that stay
    alive, and a later task reuses them only in part. Measured on 3x the 1,135 articles: a worker at the end of the
    parse pass held 509 MB resident, 244 MB after malloc_trim(0); so without it a worker's memory grew with the number
    of partitions it had parsed, not with the partition size."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def worker_task(task: F) -> F:
    """A worker's task: run with the collector's first threshold raised, as `pipeline.analyze` runs (restored after),
    and the heap's free pages handed back to the system when it ends (`trim_heap`)."""
    @functools.wraps(task)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            with fewer_collections():
                return task(*args, **kwargs)
        finally:
            trim_heap()
    return cast(F, run)


def _scratch_dir() -> Path:
    """The worker's own scratch folder (removed with the worker), else the system's temporary folder."""
    from distributed import get_worker

    try:
        return Path(get_worker().local_directory)
    except ValueError:  # not inside a Dask worker
        return Path(tempfile.gettempdir())


def _load(handle: PartitionFile) -> ParsedPartition | None:
    """The parsed partition from its file, or None when this process did not write it (another worker, on this machine
    or another, or this worker before a restart): its Docs' strings are only in the vocab of the process that parsed them."""
    if handle.pid != os.getpid():
        return None
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
    cpu: float


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
    cpu: float


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
    cpu: float  # the last task's CPU seconds


@worker_task
def parse_partition(part: int, articles: Sequence[Article], ctx: RunContext) -> PartitionFile:
    """Pass 1 on a worker: parse each article once; its first entities, name tokens and compressed Doc go to a file."""
    nlp = ctx.model()
    g = ctx.gazetteer()
    started = time.thread_time()  # after the per-worker loads, which the figures count once per worker
    titled = set(ctx.titled)
    kept, docs, found, tokens, problems = [], [], [], [], []
    for article, doc, error in parse_articles(articles, nlp, ctx.settings.batch_size, 1):
        try:
            if doc is None:
                raise error if error is not None else RuntimeError("spaCy gave no document")
            ents = entities_from_doc(article, doc, g.is_notable, titled, g.is_country, ctx.acronyms, g.has_name, g.is_area)
            toks = name_tokens(doc)
            if doc_text(doc) != article.text:  # spaCy keeps every character; a Doc that did not is not stored wrong
                raise RuntimeError("spaCy's document does not give back the article's text")
            packed = pack_doc(doc)
        except Exception as exc:  # noqa: BLE001  one article never takes the corpus down
            problems.append(_problem(article, exc))
        else:
            kept.append(article)
            docs.append(packed)
            found.append(tuple(ents))
            tokens.append(toks)
    path = _scratch_dir() / f"geo-{ctx.run}-{part:05d}.pickle"
    with open(path, "wb") as fh:
        pickle.dump(ParsedPartition(part, tuple(kept), tuple(docs), tuple(found), tuple(tokens), os.getpid()), fh,
                    protocol=pickle.HIGHEST_PROTOCOL)
    return PartitionFile(part, str(path), os.getpid(), tuple(problems), time.thread_time() - started,
                         frozenset(person_tokens([e for ents in found for e in ents])))


@dataclass(frozen=True)
class ArticlesNeeded:
    """A later pass's answer when its partition's file is not on this worker (another worker's, or lost with it) and the
    task was not given the articles: the client sends the task again with them (`engine_dask.windowed`), to parse the
    partition here. So no worker keeps a partition's articles after parsing it."""

    part: int


def reparsed(handle: PartitionFile, articles: Sequence[Article] | None, ctx: RunContext) -> ParsedPartition | None:
    """The parsed partition from its file, else parsed again here from `articles` (None without them)."""
    parsed = _load(handle)
    if parsed is None and articles is not None:
        parsed = _load(parse_partition(handle.part, articles, ctx))
        assert parsed is not None
    return parsed


def _propagated(parsed: ParsedPartition, ctx: RunContext, names: frozenset[str]) -> tuple[list[Entity], list[Problem]]:
    """The partition's entities with the short forms of people named in full anywhere in the corpus (`names`)."""
    g = ctx.gazetteer()
    wanted = set(names)
    out: list[Entity] = []
    problems = []
    for article, tokens, ents in zip(parsed.articles, parsed.tokens, parsed.entities):
        try:
            out.extend(propagate_people(article, tokens, list(ents), wanted, g.is_notable))
        except Exception as exc:  # noqa: BLE001
            problems.append(_problem(article, exc, "short names of people were not looked for"))
            out.extend(ents)
    return out, problems


def _names_file(ctx: RunContext, part: int) -> Path:
    return _scratch_dir() / f"geo-{ctx.run}-{part:05d}.names.pickle"


@worker_task
def propagate_partition(handle: PartitionFile, ctx: RunContext, names: frozenset[str],
                        articles: Sequence[Article] | None = None) -> EntitySummary | ArticlesNeeded:
    """Pass 2 on a worker: short forms of people named in full anywhere in the corpus, and the titles before person names.

    The entities also go to a file beside the partition's, which pass 3 reads on this worker: the summary itself leaves
    the worker's memory once the client has it, so a worker does not hold its share of the corpus's entities. Without
    the partition's file and the articles, it answers `ArticlesNeeded`."""
    started = time.thread_time()
    parsed = reparsed(handle, articles, ctx)
    if parsed is None:
        return ArticlesNeeded(handle.part)
    out, problems = _propagated(parsed, ctx, names)
    with open(_names_file(ctx, parsed.part), "wb") as fh:
        pickle.dump((os.getpid(), tuple(out)), fh, protocol=pickle.HIGHEST_PROTOCOL)
    titles = person_titles(out, {a.id: a.text for a in parsed.articles})
    return EntitySummary(tuple(out), titles, tuple(problems), time.thread_time() - started)


def _entities(parsed: ParsedPartition, ctx: RunContext, names: frozenset[str]) -> tuple[Entity, ...]:
    """Pass 2's entities of the partition: from its file when this process wrote it, else found again (the same)."""
    path = _names_file(ctx, parsed.part)
    try:
        with open(path, "rb") as fh:
            pid, entities = pickle.load(fh)
    except FileNotFoundError:
        pid, entities = None, ()
    path.unlink(missing_ok=True)
    if pid == os.getpid():
        return tuple(entities)
    return tuple(_propagated(parsed, ctx, names)[0])


@worker_task
def resolve_partition(handle: PartitionFile, ctx: RunContext, names: frozenset[str], relabelled: dict[int, Entity],
                      cluster_ids: Sequence[str | None], cluster_names: Mapping[str, str],
                      articles: Sequence[Article] | None = None) -> ResolvedPartition | ArticlesNeeded:
    """Pass 3 on the worker holding the partition: places, movements, quotations and facts; its tables written as parts.
    Its entities are pass 2's (kept in a file, or found again from `names`) with the corpus steps' changes: `relabelled`
    by index, each one's cluster id, and those clusters' names (all that pass 3 reads of a cluster). Without the file
    and the articles, it answers `ArticlesNeeded`."""
    g = ctx.gazetteer()
    online = ctx.online()
    vocab = ctx.model().vocab
    started = time.thread_time()
    parsed = reparsed(handle, articles, ctx)
    if parsed is None:
        return ArticlesNeeded(handle.part)
    entities = [relabelled.get(i, e) for i, e in enumerate(_entities(parsed, ctx, names))]
    assignment = {e.key: cid for e, cid in zip(entities, cluster_ids) if cid is not None}
    by_article: dict[str, list[Entity]] = {}
    for e in entities:
        by_article.setdefault(e.article, []).append(e)
    # The corpus steps' result as far as this partition needs it: its entities, their clusters.
    clusters = tuple(Cluster(cid, "", name, (), (), 0) for cid, name in cluster_names.items())
    corpus = CorpusEntities(tuple(entities), FrozenMap({k: tuple(v) for k, v in by_article.items()}), clusters, FrozenMap(assignment))
    resolutions: list[tuple[Article, list[Resolution]]] = []
    unresolved: list[Unresolved] = []
    moves: list[Event] = []
    quotes: list[Quote] = []
    facts: list[Fact] = []
    problems: list[Problem] = []
    for article, packed in zip(parsed.articles, parsed.docs):
        doc = unpack_doc(vocab, packed, article.text)
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
    kept = list(parsed.articles)
    model = model_name(ctx.model())
    partial = Analysis(tuple(kept), (), tuple(entities), (), assignment, (), tuple(unresolved), (), model, quotes=tuple(quotes))
    write_parquet_part(partial, Path(ctx.out), PARTITION_TABLES, parsed.part)
    Path(handle.path).unlink(missing_ok=True)  # a rerun of this task (its worker lost) parses the partition again
    # In order of first mention, as collect_places meets them over the whole corpus: merge_places keeps that order, so
    # its final sort breaks ties (same mentions, same name) exactly as the single-process run does.
    first: dict[str, int] = {}
    for _, items in resolutions:
        for _, cand, _, _ in items:
            first.setdefault(cand.id, len(first))
    places = sorted(collect_places(resolutions), key=lambda p: first[p.id])
    keys = {m.key for p in places for m in p.mentions}
    return ResolvedPartition(tuple(places), tuple(e for e in entities if e.key in keys), tuple(moves), tuple(facts),
                             tuple(replace(a, raw="", text="", segments=(), comments=()) for a in kept), tuple(problems),
                             {"articles": len(kept), "entities": len(entities), "unresolved": len(unresolved)},
                             getattr(online, "failed", None) if online is not None else None, model, time.thread_time() - started)


def worker_usage() -> dict[str, float]:
    """This worker process's peak resident memory (MB), its proportional share of the memory it holds now (Pss: pages
    shared with the client it was forked from count in part), its CPU and system seconds and page faults so far (run on
    each worker)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    pss = 0.0
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
            pss = next((int(line.split()[1]) / 1024 for line in fh if line.startswith("Pss:")), 0.0)
    except OSError:  # not Linux
        pass
    return {"peak_mb": usage.ru_maxrss / 1024, "pss_mb": pss, "cpu_s": usage.ru_utime + usage.ru_stime, "sys_s": usage.ru_stime,
            "faults": usage.ru_minflt + usage.ru_majflt}


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


# Rows per part of the corpus-wide tables (clusters; places, a row per mention), which workers write slice by slice, so
# none holds a whole table.
CORPUS_SLICE_ROWS = 20_000


def _slices(items: Sequence[T], rows: Any, limit: int | None = None) -> list[tuple[T, ...]]:
    """Consecutive runs of `items` of at most `limit` rows each (`rows(item)`; an item with more makes a run of its own);
    one empty run when there are no items, so the table has its part."""
    limit = CORPUS_SLICE_ROWS if limit is None else limit
    out: list[tuple[T, ...]] = []
    run: list[T] = []
    count = 0
    for item in items:
        n = rows(item)
        if run and count + n > limit:
            out.append(tuple(run))
            run, count = [], 0
        run.append(item)
        count += n
    if run or not out:
        out.append(tuple(run))
    return out


def finish_corpus(results: Sequence[ResolvedPartition], clusters: Sequence[Cluster], problems: Sequence[Problem],
                  ctx: RunContext) -> tuple[list[tuple[Analysis, tuple[str, ...], int]], RunSummary]:
    """The corpus steps after pass 3, in the client: places merged, routes and claims built from the partitions' summaries.
    Gives the corpus-wide tables as slices to write (`write_corpus_part`: analysis, tables, part) and the run's summary."""
    started = time.thread_time()
    model = results[0].model if results else ""
    places = merge_places([r.places for r in results])
    dated = [a for r in results for a in r.dated]
    found_routes = routes([e for r in results for e in r.events], clusters, dated, NO_CORRECTIONS)
    claims = build_claims([f for r in results for f in r.facts], found_routes, dated)
    mentioned = {e.key: e for r in results for e in r.mention_entities}
    slices: list[tuple[Analysis, tuple[str, ...], int]] = [
        (Analysis((), (), (), (), {}, (), (), tuple(found_routes), model, claims=tuple(claims)), ("routes", "stops", "claims"), 0)]
    for k, some in enumerate(_slices(clusters, lambda c: 1)):
        slices.append((Analysis((), (), (), some, {}, (), (), (), model), ("clusters",), k))
    for k, chunk in enumerate(_slices(places, lambda p: len(p.mentions))):
        ents = tuple(mentioned[m.key] for p in chunk for m in p.mentions if m.key in mentioned)
        slices.append((Analysis((), (), ents, (), {}, chunk, (), (), model), ("places",), k))
    failed = next((r.online_failed for r in results if r.online_failed), None)
    warnings = (f"online geocoder {ctx.settings.geocoder} failed ({failed}); places were resolved with the offline gazetteer",) if failed else ()
    summary = RunSummary(sum(r.counts["articles"] for r in results), sum(r.counts["entities"] for r in results), len(clusters),
                         len(places), sum(r.counts["unresolved"] for r in results),
                         tuple((r.subject, " -> ".join(f"{s.name} ({s.status}{', ' + s.date if s.date else ''})" for s in r.stops))
                               for r in found_routes),
                         tuple(problems) + tuple(p for r in results for p in r.problems), warnings, model, time.thread_time() - started)
    return slices, summary


@worker_task
def write_corpus_part(analysis: Analysis, tables: tuple[str, ...], part: int, ctx: RunContext) -> float:
    """On a worker: one slice of the corpus-wide tables as their part `part`; the first part of routes also stamps the
    dataset (model, format version). Gives the task's CPU seconds."""
    started = time.thread_time()
    folder = Path(ctx.out)
    write_parquet_part(analysis, folder, tables, part)
    if "routes" in tables:
        write_parquet_stamp(folder, analysis.model)
    return time.thread_time() - started


def task_input(value: T) -> T:
    """A value the cluster keeps as a task's result: sent by the client once, fetched by the workers whose tasks need it
    (not shipped again with every task), and rebuilt from the task if the worker holding it is lost."""
    return value
