"""The journeys gold set (`bench/journeys/gold.json`): typed records, parsing with one-line errors, local-copy checks."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import PROJECT_DIR
from .errors import GeoError
from .status import DONE_STATUS

DEFAULT_GOLD = PROJECT_DIR / "bench" / "journeys" / "gold.json"
PLACE_KINDS = {"point", "region", "country"}
TRAVELLER_KINDS = {"person", "group", "vessel"}


@dataclass(frozen=True)
class GoldPlace:
    name: str
    mentions: tuple[str, ...]
    lat: float
    lon: float
    kind: str = "point"
    radius_km: float = 0.0

    def tolerance(self, base_km: float) -> float:
        """Distance within which a prediction counts as this place: the base, or the place's own size if larger."""
        return max(base_km, self.radius_km)


@dataclass(frozen=True)
class GoldStop:
    place: GoldPlace
    status: str
    date: str | None

    @property
    def done(self) -> bool:
        return self.status in DONE_STATUS


@dataclass(frozen=True)
class Traveller:
    name: str
    aliases: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()
    kind: str = "person"


@dataclass(frozen=True)
class GoldExcerpt:
    id: str
    journey: str
    url: str
    query: str
    sha256: str
    date: str | None
    places: tuple[GoldPlace, ...]
    stops: tuple[GoldStop, ...]


@dataclass(frozen=True)
class GoldSet:
    travellers: dict[str, Traveller]  # by journey id
    excerpts: tuple[GoldExcerpt, ...]

    def journeys(self) -> list[str]:
        return list(dict.fromkeys(e.journey for e in self.excerpts))


def _place(raw: dict[str, Any], where: str) -> GoldPlace:
    kind = raw.get("kind", "point")
    if kind not in PLACE_KINDS:
        raise GeoError(f"{where}: place {raw.get('name')!r} has kind {kind!r}; expected one of {', '.join(sorted(PLACE_KINDS))}")
    if kind != "point" and not raw.get("radius_km"):
        raise GeoError(f"{where}: {kind} {raw.get('name')!r} needs a radius_km judged from its size")
    return GoldPlace(raw["name"], tuple(raw.get("mentions") or [raw["name"]]), float(raw["lat"]), float(raw["lon"]),
                     kind, float(raw.get("radius_km", 0.0)))


def parse_gold(data: dict[str, Any], origin: str = "gold") -> GoldSet:
    """A GoldSet from the decoded gold JSON; GeoError naming the entry for anything malformed."""
    try:
        travellers = {}
        for j in data["journeys"]:
            t = j["traveller"]
            if t.get("kind", "person") not in TRAVELLER_KINDS:
                raise GeoError(f"{origin}: journey {j['id']} has traveller kind {t.get('kind')!r}; expected one of {', '.join(sorted(TRAVELLER_KINDS))}")
            travellers[j["id"]] = Traveller(t["name"], tuple(t.get("aliases", ())), tuple(t.get("descriptions", ())), t.get("kind", "person"))
        excerpts = []
        for e in data["excerpts"]:
            where = f"{origin}: excerpt {e.get('id')}"
            if e["journey"] not in travellers:
                raise GeoError(f"{where} names unknown journey {e['journey']!r}")
            places = {p["name"]: _place(p, where) for p in e["places"]}
            if len(places) != len(e["places"]):
                raise GeoError(f"{where} lists a place name twice; give each place of an excerpt one entry")
            stops = []
            for s in e["stops"]:
                if s["place"] not in places:
                    raise GeoError(f"{where}: stop {s['place']!r} is not among its places")
                stops.append(GoldStop(places[s["place"]], s["status"], s.get("date")))
            excerpts.append(GoldExcerpt(e["id"], e["journey"], e.get("url", ""), e.get("query", ""), e["sha256"], e.get("date"),
                                        tuple(places.values()), tuple(stops)))
    except (KeyError, TypeError, ValueError) as exc:
        raise GeoError(f"{origin} is malformed ({type(exc).__name__}: {exc}): see bench/journeys/README.md") from exc
    return GoldSet(travellers, tuple(excerpts))


def load_gold(path: Path) -> GoldSet:
    """The gold set in `path`; GeoError with the path when it is missing or not JSON."""
    try:
        return parse_gold(json.loads(Path(path).read_text(encoding="utf-8")), str(path))
    except OSError as exc:
        raise GeoError(f"cannot read gold file {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise GeoError(f"gold file {path} is not valid JSON: {exc}") from exc


def text_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_copies(directory: Path, gold: GoldSet) -> list[tuple[GoldExcerpt, str]]:
    """(excerpt, "missing" or "changed") for every local copy that is absent or whose sha256 differs from the gold's."""
    out = []
    for e in gold.excerpts:
        path = Path(directory) / f"{e.id}.txt"
        if not path.is_file():
            out.append((e, "missing"))
        elif text_sha256(path) != e.sha256:
            out.append((e, "changed"))
    return out
