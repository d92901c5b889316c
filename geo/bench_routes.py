"""Route accuracy on a set of annotated journey excerpts (`python -m geo bench routes`), run through the real pipeline.

A set is a gold file (`bench/journeys/gold.json`, see `bench/journeys/README.md`) plus one text file per excerpt,
`<DIR>/<excerpt id>.txt`, kept outside git. Semantics of every figure:

- Each journey's excerpts are read together as one corpus (`articles.read_corpus`, so corpus-level date inference
  applies) and analysed with `pipeline.analyze`, the way a user loads the articles of one story.
- The traveller's routes are those whose subject, normalised (case, leading "the", possessive, diacritics,
  apostrophes), equals the gold traveller's name, one of its aliases or descriptions, or contains a multi-word name or
  alias as whole words ("U.S. President Barack Obama" contains "Barack Obama"; "Melania Trump" does not claim the alias
  "Trump"). Annotators list every form the text uses.
- Per article, the predicted stops are the stops of the traveller's routes that carry evidence from that article,
  routes ordered by trip start then as the pipeline listed them, stops in route order.
- A gold stop is found when a predicted stop lies within 50 km of it (a region or country stop: within its radius_km
  when larger). Stop recall counts gold stops with a done status (arrived, departed, visited, passed); recall by
  traveller kind (person, group, vessel) is shown beside it. Stop precision counts predicted stops lying within
  tolerance of any gold stop of the same article (any status).
- Order: each gold stop is matched to its nearest predicted stop within tolerance (of a place reached twice, the visit
  that agrees on done vs not done, else the first). Over pairs of gold stops matched
  to different predicted stops, a pair is concordant when the predicted order agrees with the gold's chronological
  order. An article is fully in order when every gold stop (any status) is found and no pair is discordant (the
  headline); "in order among articles whose stops were all found" shows ordering apart from recall; Kendall
  tau is (concordant - discordant) / pairs per article, averaged over articles with at least one pair.
- Date accuracy: found gold stops with a gold date whose matched stop has that same ISO date. Status accuracy: found
  gold stops whose matched stop agrees on done vs not done (planned, expected, ...), a stop counting as done when any
  excerpt of the journey reports it done (routes merge the story: "expected" in one article, "arrived" in a later one).
- Place Acc@161: every gold place that is not a country, looked up among the resolved places with a mention in that
  article whose text equals one of the gold place's surface forms (else contains one or is contained in one, as
  whole words; the nearest such place wins); right when within 161 km, or within radius_km for a larger region.
  A gold place with no such mention counts as a miss.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from geopy.distance import geodesic

from .config import Settings
from .journey_gold import (TRAVELLER_KINDS, GoldExcerpt, GoldPlace, GoldSet, GoldStop, Traveller,
                           check_copies)
from .status import DONE_STATUS

if TYPE_CHECKING:  # the pipeline's modules load spaCy and the gazetteer; the scorer's arithmetic needs neither
    from .gazetteer import Gazetteer
    from .geocode import Place
    from .route import Route

STOP_MATCH_KM = 50.0
PLACE_MATCH_KM = 161.0


@dataclass(frozen=True)
class PredictedStop:
    name: str
    lat: float
    lon: float
    status: str
    date: str | None


@dataclass(frozen=True)
class ExcerptScore:
    id: str
    journey: str
    kind: str
    gold_done: int
    found_done: int
    predicted: int
    predicted_right: int
    in_order: bool
    all_found: bool
    concordant: int
    discordant: int
    dated: int
    dated_right: int
    statused: int
    status_right: int
    places: int
    places_right: int
    route: tuple[str, ...]
    missed: tuple[str, ...]
    missed_places: tuple[str, ...] = ()


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


@dataclass
class RoutesReport:
    scores: list[ExcerptScore] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def _sum(self, attr: str, kind: str | None = None) -> int:
        return sum(getattr(s, attr) for s in self.scores if kind is None or s.kind == kind)

    @property
    def recall(self) -> float:
        return _ratio(self._sum("found_done"), self._sum("gold_done"))

    def recall_of(self, kind: str) -> float | None:
        total = self._sum("gold_done", kind)
        return _ratio(self._sum("found_done", kind), total) if total else None

    @property
    def precision(self) -> float:
        return _ratio(self._sum("predicted_right"), self._sum("predicted"))

    @property
    def in_order(self) -> int:
        return sum(s.in_order for s in self.scores)

    @property
    def all_found(self) -> int:
        return sum(s.all_found for s in self.scores)

    @property
    def in_order_when_found(self) -> int:
        return sum(s.in_order for s in self.scores if s.all_found)

    @property
    def kendall_tau(self) -> float | None:
        taus = [(s.concordant - s.discordant) / (s.concordant + s.discordant) for s in self.scores if s.concordant + s.discordant]
        return sum(taus) / len(taus) if taus else None

    @property
    def date_accuracy(self) -> float:
        return _ratio(self._sum("dated_right"), self._sum("dated"))

    @property
    def status_accuracy(self) -> float:
        return _ratio(self._sum("status_right"), self._sum("statused"))

    @property
    def place_acc161(self) -> float:
        return _ratio(self._sum("places_right"), self._sum("places"))

    def as_dict(self) -> dict[str, Any]:
        return {"excerpts": len(self.scores), "journeys": len({s.journey for s in self.scores}), "skipped": self.skipped,
                "stop_recall": round(self.recall, 3),
                "stop_recall_by_kind": {k: round(r, 3) for k in sorted(TRAVELLER_KINDS) if (r := self.recall_of(k)) is not None},
                "stop_precision": round(self.precision, 3), "articles_in_order": self.in_order,
                "articles_in_order_share": round(_ratio(self.in_order, len(self.scores)), 3),
                "articles_all_found": self.all_found, "articles_in_order_when_found": self.in_order_when_found,
                "kendall_tau": None if self.kendall_tau is None else round(self.kendall_tau, 3),
                "date_accuracy": round(self.date_accuracy, 3), "status_accuracy": round(self.status_accuracy, 3),
                "place_acc161": round(self.place_acc161, 3),
                "counts": {k: self._sum(k) for k in ("gold_done", "found_done", "predicted", "predicted_right", "dated",
                                                      "dated_right", "statused", "status_right", "places", "places_right")},
                "per_excerpt": [s.__dict__ | {"route": list(s.route), "missed": list(s.missed), "missed_places": list(s.missed_places)}
                                for s in self.scores]}

    def missed_places_table(self) -> str:
        """One line per wrong or unfound gold place: excerpt, gold name, the mention and place chosen, distance."""
        return "\n".join(f"  {s.id}: {m}" for s in self.scores for m in s.missed_places)

    def table(self) -> str:
        n = len(self.scores)
        by_kind = ", ".join(f"{k} {r:.2f}" for k in sorted(TRAVELLER_KINDS) if (r := self.recall_of(k)) is not None)
        tau = "n/a" if self.kendall_tau is None else f"{self.kendall_tau:.2f}"
        lines = [f"{n} excerpts, {len({s.journey for s in self.scores})} journeys" + (f", {len(self.skipped)} skipped" if self.skipped else ""),
                 f"stop recall (done, {STOP_MATCH_KM:.0f} km)  {self.recall:.2f}  ({self._sum('found_done')}/{self._sum('gold_done')}; {by_kind})",
                 f"stop precision             {self.precision:.2f}  ({self._sum('predicted_right')}/{self._sum('predicted')})",
                 f"articles fully in order    {self.in_order}/{n}  ({_ratio(self.in_order, n):.0%}); mean Kendall tau {tau}",
                 f"  in order among articles whose stops were all found {self.in_order_when_found}/{self.all_found}"
                 f"  ({_ratio(self.in_order_when_found, self.all_found):.0%})",
                 f"date accuracy              {self.date_accuracy:.2f}  ({self._sum('dated_right')}/{self._sum('dated')})",
                 f"status accuracy            {self.status_accuracy:.2f}  ({self._sum('status_right')}/{self._sum('statused')})",
                 f"place Acc@161 (non-country) {self.place_acc161:.2f}  ({self._sum('places_right')}/{self._sum('places')})",
                 ""]
        journeys = list(dict.fromkeys(s.journey for s in self.scores))
        for j in journeys:
            mine = [s for s in self.scores if s.journey == j]
            found, gold = sum(s.found_done for s in mine), sum(s.gold_done for s in mine)
            lines.append(f"  {j}: stops {found}/{gold}, in order {sum(s.in_order for s in mine)}/{len(mine)}, "
                         f"places {sum(s.places_right for s in mine)}/{sum(s.places for s in mine)}")
        lines.append("")
        for s in self.scores:
            route = " -> ".join(s.route) or "(no route)"
            lines.append(f"  {s.id}: stops {s.found_done}/{s.gold_done}, predicted {s.predicted_right}/{s.predicted}, "
                         f"{'in order' if s.in_order else 'NOT in order'}{f' ({s.discordant} pairs swapped)' if s.discordant else ''}; {route}" + (f"; missed {', '.join(s.missed)}" if s.missed else ""))
        return "\n".join(lines)


# --------------------------------------------------------------------------- matching and scoring


def normalise(text: str) -> str:
    """Lower case, no diacritics, straight apostrophes, no leading "the", no possessive, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("\u2019", "'").replace("\u2018", "'").lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^\w']+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def _contains_words(outer: str, inner: str) -> bool:
    return bool(inner) and re.search(rf"(?<!\w){re.escape(inner)}(?!\w)", outer) is not None


def traveller_matches(subject: str, traveller: Traveller) -> bool:
    """Whether a route subject is the traveller: equal to a listed form, or containing a multi-word name or alias."""
    s = normalise(subject)
    if s in {normalise(f) for f in (traveller.name, *traveller.aliases, *traveller.descriptions)}:
        return True
    # Only multi-word forms are looked for inside a longer subject: "Trump" must not claim "Melania Trump".
    return any(len(f.split()) > 1 and _contains_words(s, f) for f in map(normalise, (traveller.name, *traveller.aliases)))


def predicted_stops(routes: Sequence[Route], traveller: Traveller, article_id: str) -> list[PredictedStop]:
    """The traveller's stops that carry evidence from `article_id`, routes by trip start, stops in route order."""
    mine = [(r.trip.start is None, r.trip.start or "", i, r) for i, r in enumerate(routes) if traveller_matches(r.subject, traveller)]
    out = []
    for *_, route in sorted(mine, key=lambda t: t[:3]):  # dated trips first, by start date; undated ones last
        for s in route.stops:
            if article_id in s.articles:
                out.append(PredictedStop(s.name, s.lat, s.lon, s.status, s.date))
    return out


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(geodesic((lat1, lon1), (lat2, lon2)).km)


def _nearest(stop: GoldStop, preds: Sequence[PredictedStop]) -> int | None:
    """The predicted stop nearest the gold stop within tolerance; of a place the route reaches twice (there and back),
    the visit that agrees with the gold stop on done vs not done, else the first."""
    tol = stop.place.tolerance(STOP_MATCH_KM)
    best = None
    for i, p in enumerate(preds):
        d = _km(stop.place.lat, stop.place.lon, p.lat, p.lon)
        key = (d, (p.status in DONE_STATUS) != stop.done, i)
        if d <= tol and (best is None or key < best):
            best = key
    return None if best is None else best[2]


def _place_matches(place: GoldPlace, mentions: Sequence[tuple[Any, ...]]) -> list[tuple[float, str, str]]:
    """(km, mention text, resolved name) of the mentions behind a gold place: exact surface forms, else whole-word overlaps."""
    forms = [normalise(m) for m in place.mentions]
    exact = [m for m in mentions if normalise(m[0]) in forms]
    loose = [m for m in mentions if any(_contains_words(normalise(m[0]), f) or _contains_words(f, normalise(m[0])) for f in forms)]
    return sorted((_km(place.lat, place.lon, m[1], m[2]), m[0], m[3] if len(m) > 3 else m[0]) for m in exact or loose)


def place_right(place: GoldPlace, mentions: Sequence[tuple[Any, ...]]) -> bool:
    """Whether the resolved place behind the gold place's mention lies within 161 km (or the region's own size).

    A mention is (text, lat, lon) or (text, lat, lon, resolved name).
    """
    found = _place_matches(place, mentions)
    return bool(found) and found[0][0] <= place.tolerance(PLACE_MATCH_KM)


def place_miss(place: GoldPlace, mentions: Sequence[tuple[Any, ...]]) -> str | None:
    """One line saying why a gold place is wrong ("X: no mention", "X: 'text' -> name at 812 km"), None when right."""
    found = _place_matches(place, mentions)
    if not found:
        return f"{place.name}: no mention"
    km, text, name = found[0]
    if km <= place.tolerance(PLACE_MATCH_KM):
        return None
    return f"{place.name}: {text!r} -> {name} at {km:.0f} km"


def done_in_journey(stop: GoldStop, journey_done: Sequence[GoldPlace]) -> bool:
    """Whether the stop is done by the end of the journey: done here, or reported done near it by another excerpt."""
    return stop.done or any(_km(stop.place.lat, stop.place.lon, d.lat, d.lon) <= stop.place.tolerance(STOP_MATCH_KM) for d in journey_done)


def score_excerpt(excerpt: GoldExcerpt, kind: str, preds: Sequence[PredictedStop],
                  mentions: Sequence[tuple[Any, ...]], journey_done: Sequence[GoldPlace] = ()) -> ExcerptScore:
    """Every figure of one article: its predicted stops against its gold stops, its resolved mentions against its places.

    `journey_done` are the places any excerpt of the journey reports done: a stop expected here but done by the end of
    the journey is judged done for status, since routes merge a story's articles.
    """
    matches = [_nearest(g, preds) for g in excerpt.stops]
    done = [(g, m) for g, m in zip(excerpt.stops, matches) if g.done]
    right_preds = sum(any(_km(g.place.lat, g.place.lon, p.lat, p.lon) <= g.place.tolerance(STOP_MATCH_KM) for g in excerpt.stops)
                      for p in preds)
    concordant = discordant = 0
    for i in range(len(matches)):
        for j in range(i + 1, len(matches)):
            a, b = matches[i], matches[j]
            if a is None or b is None or a == b:
                continue
            concordant += a < b
            discordant += a > b
    found = [(g, preds[m]) for g, m in zip(excerpt.stops, matches) if m is not None]
    dated = [(g, p) for g, p in found if g.date]
    scored_places = [p for p in excerpt.places if p.kind != "country"]
    return ExcerptScore(
        id=excerpt.id, journey=excerpt.journey, kind=kind,
        gold_done=len(done), found_done=sum(m is not None for _, m in done),
        predicted=len(preds), predicted_right=right_preds,
        in_order=bool(excerpt.stops) and all(m is not None for m in matches) and discordant == 0,
        all_found=bool(excerpt.stops) and all(m is not None for m in matches),
        concordant=concordant, discordant=discordant,
        dated=len(dated), dated_right=sum(p.date == g.date for g, p in dated),
        statused=len(found), status_right=sum((p.status in DONE_STATUS) == done_in_journey(g, journey_done) for g, p in found),
        places=len(scored_places), places_right=sum(place_right(p, mentions) for p in scored_places),
        missed_places=tuple(m for p in scored_places if (m := place_miss(p, mentions)) is not None),
        route=tuple(f"{p.name} ({p.status}{', ' + p.date if p.date else ''})" for p in preds),
        missed=tuple(g.place.name for g, m in zip(excerpt.stops, matches) if m is None),
    )


def _mentions_by_article(places: Iterable[Place]) -> dict[str, list[tuple[str, float, float, str]]]:
    out: dict[str, list[tuple[str, float, float, str]]] = {}
    for p in places:
        for m in p.mentions:
            out.setdefault(m.article, []).append((m.text, p.lat, p.lon, p.name))
    return out


def run_routes(directory: Path, gold: GoldSet, settings: Settings, nlp: Any = None, gazetteer: Gazetteer | None = None,
               warn: Callable[[str], None] = print) -> RoutesReport:
    """Analyse each journey's excerpts as one corpus and score every excerpt whose local copy exists."""
    from .articles import read_corpus
    from .parsing import load_model
    from .gazetteer import open_gazetteer
    from .pipeline import analyze

    directory = Path(directory)
    report = RoutesReport()
    for e, state in check_copies(directory, gold):
        if state == "missing":
            warn(f"{e.id}: no local copy at {directory / (e.id + '.txt')}; skipped (re-retrieve: {e.url})")
            report.skipped.append(e.id)
        else:
            warn(f"{e.id}: local copy differs from the annotated text (sha256); scored anyway")
    present = [e for e in gold.excerpts if e.id not in report.skipped]
    if not present:
        return report
    nlp = nlp or load_model(settings.spacy_model)
    gazetteer = gazetteer or open_gazetteer(settings)
    for journey in gold.journeys():
        excerpts = [e for e in present if e.journey == journey]
        if not excerpts:
            continue
        articles, problems = read_corpus([directory / f"{e.id}.txt" for e in excerpts], settings)
        for p in problems:
            warn(str(p))
        analysis = analyze(articles, nlp, gazetteer, settings, problems)
        mentions = _mentions_by_article(analysis.places)
        ids = {a.label: a.id for a in analysis.articles}  # excerpts are named by file stem, articles by content hash
        traveller = gold.travellers[journey]
        done = [s.place for e in excerpts for s in e.stops if s.done]
        for e in excerpts:
            article_id = ids.get(e.id, e.id)
            report.scores.append(score_excerpt(e, traveller.kind, predicted_stops(analysis.routes, traveller, article_id),
                                               mentions.get(article_id, []), done))
    return report
