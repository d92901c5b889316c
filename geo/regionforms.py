"""Region names written other ways: without the article of their official name ("Rioja"), with an ethnic
qualifier and "Autonomous Region", as a country's share of a wider region ("the Canadian Arctic"), and a compass part of
a region ("Southern Ontario")."""
from __future__ import annotations

import re
from dataclasses import replace

from .gazetteer import Candidate, Gazetteer, normalize
from .lexicon import words

AUTONOMOUS = re.compile(r"\s+autonomous\s+(?:region|prefecture|county|oblast|okrug|republic|province|community|area)$", re.I)
# "Chairman of the X Autonomous Region Y Z": the model ran the region's name on into the person named after it.
AUTONOMOUS_THEN_NAME = re.compile(r"\s+autonomous\s+(?:region|prefecture|county|oblast|okrug|republic|province|community|area)"
                                  r"(?:\s+[A-Z][\w'’-]*){1,3}$", re.I)
WIDE_CATEGORIES = {"macro_region", "sea", "ocean", "strait", "river", "peninsula"}


def with_leading_article(gazetteer: Gazetteer, name: str) -> list[Candidate]:
    """Regions and districts whose official name starts with an article the text dropped ("Rioja" for "La Rioja")."""
    if " " in name.strip() or not name[:1].isupper():
        return []
    for article in sorted(words("leading_articles")):
        found = [c for c in gazetteer.candidates(f"{article} {name}") if c.feature in ("region", "district")]
        if found:
            return found
    return []


def autonomous(gazetteer: Gazetteer, rest: str) -> list[Candidate]:
    """Regions of "X [ethnic qualifier] Autonomous Region": "X Y" first, then "X" alone, then the region X is the adjective of."""
    parts = rest.split()
    for end in (len(parts), len(parts) - 1):
        if end >= 1:
            found = [c for c in gazetteer.region_candidates(" ".join(parts[:end])) if c.feature in ("region", "district")]
            if found:
                return found
    region = gazetteer.demonym(rest)  # "the Zhuang Autonomous Region": the people's adjective of the region
    return [region] if region is not None and region.feature == "region" else []


def country_part(gazetteer: Gazetteer, name: str) -> Candidate | None:
    """A country's share of a wider region, written with the country's adjective ("the Canadian Arctic"): the country's
    first-level region nearest the wider region's point, under the mention's name."""
    parts = name.split()
    if len(parts) < 2 or parts[0].lower() == "the" and len(parts) < 3:
        return None
    if parts[0].lower() == "the":
        parts = parts[1:]
    country = gazetteer.demonym(parts[0])
    if country is None or country.feature != "country":
        return None
    wide = [c for c in gazetteer.candidates(" ".join(parts[1:])) if c.category in WIDE_CATEGORIES or c.feature in ("water", "continent")]
    regions = gazetteer.places_in(country.country, ("region",))
    if not wide or not regions:
        return None
    from .disambiguate import km

    nearest = min(regions, key=lambda r: km(r, wide[0]))
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(name)).strip("-")
    return replace(nearest, id=f"{nearest.id}#{slug}", name=" ".join(parts), category=wide[0].category or "macro_region",
                   source=f"{nearest.source} (the part of {country.name} nearest {wide[0].name})")


def compass_part(region: Candidate, name: str) -> Candidate | None:
    """The part of a region a compass word names ("Southern Ontario"): the centre of that half (or quarter) of the
    region's outline, under the mention's name; None when the region has no outline or the name no compass word."""
    from shapely.geometry import box

    from .outlines import outline_of

    first = normalize(name).split()[0] if normalize(name) else ""
    sides = {side for side in ("north", "south", "east", "west") if side in first}
    geom = outline_of(region) if sides and first in words("directions") else None
    if geom is None:
        return None
    minx, miny, maxx, maxy = geom.bounds
    midx, midy = (minx + maxx) / 2, (miny + maxy) / 2
    part = geom.intersection(box(midx if "east" in sides else minx, midy if "north" in sides else miny,
                                 midx if "west" in sides else maxx, midy if "south" in sides else maxy))
    if part.is_empty:
        return None
    centre = part.centroid
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(name)).strip("-")
    return replace(region, id=f"{region.id}#{slug}", name=name, lat=round(centre.y, 4), lon=round(centre.x, 4),
                   source=f"{region.source} (the {first} part of {region.name}'s outline)")
