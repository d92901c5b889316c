"""Geoparsing accuracy on public corpora (GeoWebNews, LGL, TR-News, GeoVirus), run from raw text through the pipeline."""
from __future__ import annotations

import math
import statistics
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geopy.distance import geodesic

from .articles import Article
from .cleaning import Segment
from .config import Settings
from .errors import GeoError
from .geocode import Place, Unresolved

if TYPE_CHECKING:
    from shapely import Point
    from spacy.language import Language

    from .gazetteer import Gazetteer
    from .pipeline import Analysis

# GeoWebNews helper annotations that are not toponyms (see the corpus README).
GWN_HELPERS = {"Non_Toponym", "Literal_Expression", "Non_Lit_Expression"}
EARTH_HALF_CIRCUMFERENCE_KM = 20039.0
# What "by outline" judges by its outline: countries and first-level regions (not continents, macro-regions, towns).
OUTLINE_FEATURES = ("country", "region")
# A predicted mention: raw start, end, lat, lon, whether an area, its outline key, and what it resolved to.
Prediction = tuple[int, int, float | None, float | None, bool, str | None, Place | Unresolved]


@dataclass(frozen=True)
class GoldToponym:
    start: int
    end: int
    text: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class BenchDoc:
    id: str
    text: str
    gold: tuple[GoldToponym, ...]
    domain: str = ""  # the outlet's web domain, when the corpus records it (LGL)


@dataclass(frozen=True)
class Outcome:
    """What became of one gold toponym: `verdict` is right, outline (right by outline only), wrong, unresolved, missed."""

    doc: str
    start: int
    gold: str
    verdict: str
    km: float | None
    resolved: str = ""
    feature: str = ""
    category: str = ""
    country: str = ""
    context: str = ""

    def line(self) -> str:
        km = "" if self.km is None else f"{self.km:.0f}"
        fields = (self.verdict, self.doc, str(self.start), self.gold, km, self.resolved, self.feature, self.category,
                  self.country, self.context)
        return "\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields)


OUTCOME_HEADER = "verdict\tdoc\tstart\tgold\tkm\tresolved\tfeature\tcategory\tcountry\tcontext"


@dataclass
class Report:
    corpus: str
    articles: int
    gold: int
    predicted: int
    matched: int
    errors_km: list[float] = field(default_factory=list)
    area_errors_km: list[float] = field(default_factory=list)  # the subset resolved to countries, regions, continents
    seconds: float = 0.0
    # Countries and first-level regions more than 161 km from the gold point although the gold point lies inside
    # their outline: the corpus uses GeoNames' representative point, the gazetteer another one. "by outline" counts
    # them as right; it is reported beside Acc@161, never in it.
    areas_inside_outline: int = 0
    countries_off_point: int = 0  # the countries among them
    outcomes: list[Outcome] = field(default_factory=list)  # one per gold toponym, for the per-miss listing

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def acc161(self) -> float:
        return sum(e <= 161 for e in self.errors_km) / len(self.errors_km) if self.errors_km else 0.0

    @property
    def median_km(self) -> float:
        return statistics.median(self.errors_km) if self.errors_km else 0.0

    @property
    def auc(self) -> float:
        """Area under the curve of sorted ln(error+1)/ln(20039) (Gritta et al.); lower is better."""
        if len(self.errors_km) < 2:
            return 0.0
        ys = sorted(math.log(e + 1) / math.log(EARTH_HALF_CIRCUMFERENCE_KM) for e in self.errors_km)
        dx = 1 / (len(ys) - 1)
        return sum((a + b) / 2 * dx for a, b in zip(ys, ys[1:]))

    def as_dict(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "articles": self.articles, "gold": self.gold, "predicted": self.predicted,
                "matched": self.matched, "precision": round(self.precision, 3), "recall": round(self.recall, 3),
                "f1": round(self.f1, 3), "resolved_with_gold_coords": len(self.errors_km), "acc161": round(self.acc161, 3),
                "median_km": round(self.median_km, 1), "auc": round(self.auc, 3), "seconds": round(self.seconds, 1),
                "area_share": round(len(self.area_errors_km) / len(self.errors_km), 3) if self.errors_km else 0.0,
                "acc161_points": round(self.acc161_points, 3), "acc161_areas": round(_acc(self.area_errors_km), 3),
                "countries_off_point": self.countries_off_point, "areas_inside_outline": self.areas_inside_outline,
                "acc161_countries_by_outline": self._with(self.countries_off_point),
                "acc161_by_outline": self._with(self.areas_inside_outline)}

    def _with(self, extra_hits: int) -> float:
        """Acc@161 with `extra_hits` more mentions counted as right."""
        if not self.errors_km:
            return 0.0
        return round((sum(e <= 161 for e in self.errors_km) + extra_hits) / len(self.errors_km), 3)

    @property
    def acc161_points(self) -> float:
        points = list(self.errors_km)
        for e in self.area_errors_km:
            points.remove(e)
        return _acc(points)


def _acc(errors: list[float]) -> float:
    return sum(e <= 161 for e in errors) / len(errors) if errors else 0.0


@dataclass
class Suite:
    reports: list[Report]

    def table(self) -> str:
        head = (f"{'corpus':<11} {'articles':>8} {'gold':>6} {'P':>6} {'R':>6} {'F1':>6} {'Acc@161':>8} {'by outline':>10} "
                f"{'median km':>10} {'AUC':>6} {'points':>7} {'areas':>6} {'countries':>9} {'seconds':>8}")
        rows = [head, "-" * len(head)]
        for r in self.reports:
            d = r.as_dict()
            rows.append(f"{d['corpus']:<11} {d['articles']:>8} {d['gold']:>6} {d['precision']:>6.3f} {d['recall']:>6.3f} {d['f1']:>6.3f} "
                        f"{d['acc161']:>8.3f} {d['acc161_by_outline']:>10.3f} {d['median_km']:>10.1f} {d['auc']:>6.3f} "
                        f"{d['acc161_points']:>7.3f} {d['acc161_areas']:>6.3f} {d['acc161_countries_by_outline']:>9.3f} {d['seconds']:>8.1f}")
        return "\n".join(rows)

    def as_dict(self) -> dict[str, Any]:
        return {"reports": [r.as_dict() for r in self.reports]}

    def misses(self) -> str:
        """Tab-separated lines, one per gold toponym not right raw and per spurious prediction, corpus first."""
        lines = ["corpus\t" + OUTCOME_HEADER]
        lines += [f"{r.corpus}\t{o.line()}" for r in self.reports for o in r.outcomes if o.verdict != "right"]
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- loaders


def _float(node: ET.Element, tag: str) -> float | None:
    el = node.find(tag)
    try:
        return float(el.text) if el is not None and el.text else None
    except ValueError:
        return None


def load_gwn(path: Path) -> list[BenchDoc]:
    docs = []
    for art in ET.parse(path).getroot().iter("article"):
        text = art.findtext("text") or ""
        gold = []
        for t in art.iter("toponym"):
            if (t.findtext("type") or "") in GWN_HELPERS:
                continue
            s, e = int(t.findtext("start", "")), int(t.findtext("end", ""))
            gold.append(GoldToponym(s, e, text[s:e], _float(t, "latitude"), _float(t, "longitude")))
        docs.append(BenchDoc(f"gwn-{art.get('file')}", text, tuple(gold)))
    return docs


def _reanchor(text: str, start: int, end: int, phrase: str) -> tuple[int, int]:
    if text[start:end] == phrase:
        return start, end
    found = text.rfind(phrase, max(0, start - 40), start + len(phrase))
    if found < 0:
        found = text.find(phrase, max(0, start - 40))
    return (found, found + len(phrase)) if found >= 0 else (start, end)


def load_lgl_like(path: Path, prefix: str) -> list[BenchDoc]:
    docs: list[BenchDoc] = []
    for art in ET.parse(path).getroot().iter("article"):
        text = art.findtext("text") or ""
        gold = []
        for t in art.iter("toponym"):
            phrase = t.findtext("phrase") or ""
            s, e = _reanchor(text, int(t.findtext("start", "")), int(t.findtext("end", "")), phrase)
            tag = t.find("gaztag")
            lat = _float(tag, "lat") if tag is not None else None
            lon = _float(tag, "lon") if tag is not None else None
            gold.append(GoldToponym(s, e, phrase, lat, lon))
        docs.append(BenchDoc(f"{prefix}-{art.get('docid') or len(docs)}", text, tuple(gold), art.findtext("domain") or ""))
    return docs


def load_geovirus(path: Path) -> list[BenchDoc]:
    docs = []
    for n, art in enumerate(ET.parse(path).getroot().iter("article")):
        text = art.findtext("text") or ""
        gold = []
        for loc in art.iter("location"):
            s, e = int(loc.findtext("start", "")) - 1, int(loc.findtext("end", "")) - 1  # offsets are off by one in this file
            gold.append(GoldToponym(s, e, text[s:e], _float(loc, "lat"), _float(loc, "lon")))
        docs.append(BenchDoc(f"geovirus-{n}", text, tuple(gold)))
    return docs


def load_corpus(path: Path) -> tuple[str, list[BenchDoc], bool]:
    """(name, documents, whether demonyms count as toponyms) for a corpus folder or file."""
    path = Path(path)
    name = path.name.lower()
    if path.is_dir():
        for candidate, loader in (("GWN.xml", "gwn"), ("lgl.xml", "lgl"), ("TR-News.xml", "trnews"), ("GeoVirus.xml", "geovirus")):
            if (path / candidate).exists():
                return load_corpus(path / candidate)
        raise GeoError(f"{path}: no GWN.xml, lgl.xml, TR-News.xml or GeoVirus.xml inside")
    if name == "gwn.xml":
        return "GeoWebNews", load_gwn(path), True
    # LGL and TR-News annotate demonyms as toponyms ("Russian", "Georgian": about four in five of the country adjectives
    # in their texts are gold spans), so predicted demonyms are scored; GeoVirus does not annotate them.
    if name == "lgl.xml":
        return "LGL", load_lgl_like(path, "lgl"), True
    if name == "tr-news.xml":
        return "TR-News", load_lgl_like(path, "trnews"), True
    if name == "geovirus.xml":
        return "GeoVirus", load_geovirus(path), False
    raise GeoError(f"{path}: not a known geoparsing corpus file")


def bench_article(doc: BenchDoc, outlet: str | None = None) -> Article:
    """The document's raw text as an article with an identity offset map (gold offsets index the same text)."""
    return Article(id=doc.id, label=doc.id, path=doc.id, raw=doc.text, text=doc.text, segments=(Segment(0, 0, len(doc.text)),),
                   outlet=outlet)


# --------------------------------------------------------------------------- scoring


def country_contains(iso2: str, lat: float, lon: float) -> bool:
    """Whether the point lies inside the country's outline (Natural Earth 10m, the committed outline file)."""
    from .outlines import default_outlines

    shape = default_outlines().shape(f"country:{iso2}")
    return shape is not None and bool(shape.contains(_point(lon, lat)))


def _point(lon: float, lat: float) -> Point:
    from shapely import Point

    return Point(lon, lat)


def _outline_key(place: Place) -> str | None:
    """The outline of a resolved country or first-level region ("country:FR", "region:RU-AMU"); None for anything else."""
    from .outlines import default_outlines

    if place.feature not in OUTLINE_FEATURES:
        return None
    key = default_outlines().key_of(place)
    return key if key and key.startswith(("country:", "region:")) else None


def score(name: str, docs: list[BenchDoc], analysis: Analysis, count_demonyms: bool, seconds: float) -> Report:
    from .outlines import default_outlines

    outlines = default_outlines()
    predicted: dict[str, list[Prediction]] = {d.id: [] for d in docs}
    for p in analysis.places:
        key = _outline_key(p)
        for m in p.mentions:
            if m.demonym and not count_demonyms:
                continue
            predicted[m.article].append((m.raw_start, m.raw_end, p.lat, p.lon, p.feature in ("country", "region", "continent"), key, p))
    for u in analysis.unresolved:
        predicted[u.article].append((u.raw_start, u.raw_end, None, None, False, None, u))
    report = Report(name, len(docs), sum(len(d.gold) for d in docs), sum(len(v) for v in predicted.values()), 0, seconds=seconds)
    for d in docs:
        preds = sorted(predicted[d.id], key=lambda t: (t[0], t[1]))
        used: set[int] = set()
        for g in d.gold:
            context = d.text[max(0, g.start - 60):g.end + 60]
            hit = next((i for i, (s, e, *_) in enumerate(preds) if i not in used and s < g.end and g.start < e), None)
            if hit is None:
                report.outcomes.append(Outcome(d.id, g.start, g.text, "missed", None, context=context))
                continue
            used.add(hit)
            report.matched += 1
            if g.lat is None or g.lon is None:
                continue
            _, _, lat, lon, area, key, what = preds[hit]
            error = EARTH_HALF_CIRCUMFERENCE_KM if lat is None else geodesic((g.lat, g.lon), (lat, lon)).km
            report.errors_km.append(error)
            if area:
                report.area_errors_km.append(error)
            verdict = "right" if error <= 161 else "unresolved" if lat is None else "wrong"
            if key and error > 161:
                shape = outlines.shape(key)
                if shape is not None and shape.contains(_point(g.lon, g.lat)):
                    report.areas_inside_outline += 1
                    report.countries_off_point += key.startswith("country:")
                    verdict = "outline"
            if isinstance(what, Unresolved):  # lat is None
                report.outcomes.append(Outcome(d.id, g.start, g.text, verdict, None, resolved=what.reason, context=context))
            else:
                report.outcomes.append(Outcome(d.id, g.start, g.text, verdict, error, what.name, what.feature, what.category,
                                               what.country, context))
        for i, (s, e, *_, what) in enumerate(preds):
            if i not in used:
                report.outcomes.append(Outcome(d.id, s, d.text[s:e], "spurious", None, getattr(what, "name", ""),
                                               getattr(what, "feature", ""), getattr(what, "category", ""),
                                               getattr(what, "country", ""), d.text[max(0, s - 60):e + 60]))
    return report


def run_geoparse(paths: list[str], settings: Settings, limit: int | None = None, nlp: Language | None = None,
                 gazetteer: Gazetteer | None = None) -> Suite:
    """Score each corpus from raw text through NER, gazetteer and disambiguation."""
    from .parsing import load_model
    from .gazetteer import open_gazetteer
    from .geocode import masthead_of_domain
    from .pipeline import analyze

    nlp = nlp or load_model(settings.spacy_model)
    gazetteer = gazetteer or open_gazetteer(settings)
    reports = []
    for path in paths:
        name, docs, demonyms = load_corpus(Path(path))
        docs = docs[:limit] if limit else docs
        started = time.perf_counter()
        def is_town(name: str) -> bool:
            return any(c.feature in ("city", "town", "village", "region") for c in gazetteer.candidates(name))

        # The outlet is known from its domain where the corpus records it, as it is from a page's masthead.
        articles = [bench_article(d, masthead_of_domain(d.domain, is_town) if d.domain else None) for d in docs]
        analysis = analyze(articles, nlp, gazetteer, settings)
        reports.append(score(name, docs, analysis, demonyms, time.perf_counter() - started))
    return Suite(reports)
