"""Outlines and containment: countries, first-level regions, macro-regions and continents from the committed file."""
from __future__ import annotations

import pytest

from geo.outlines import contains, default_outlines, outline_of

HOUSTON, DALLAS_TX, SEOUL, CAIRO, LIMA, PORTLAND_OR, PORTLAND_ME = ((29.76, -95.37), (32.78, -96.80), (37.57, 126.98),
                                                                    (30.04, 31.24), (-12.05, -77.04), (45.52, -122.68),
                                                                    (43.66, -70.26))


def _one(gazetteer, name, feature, country=None):
    [c] = [c for c in gazetteer.candidates(name) if c.feature == feature and (country is None or c.country == country)]
    return c


def test_countries_and_first_level_regions_contain_their_own_points(gazetteer):
    texas = _one(gazetteer, "Texas", "region", "US")
    assert contains(texas, *HOUSTON) and contains(texas, *DALLAS_TX) and not contains(texas, *PORTLAND_OR)
    korea = _one(gazetteer, "South Korea", "country")
    assert contains(korea, *SEOUL) and not contains(korea, *CAIRO)
    amur = _one(gazetteer, "Amur Oblast", "region")
    assert contains(amur, amur.lat, amur.lon)


def test_macro_regions_are_unions_of_their_members(gazetteer):
    middle_east = _one(gazetteer, "Middle East", "region")
    assert contains(middle_east, *CAIRO) and not contains(middle_east, *SEOUL)
    latin_america = _one(gazetteer, "Latin America", "region")
    assert contains(latin_america, *LIMA) and not contains(latin_america, *HOUSTON)
    west_coast = [c for c in gazetteer.candidates("West Coast") if c.id.startswith("curated:")][0]
    assert contains(west_coast, *PORTLAND_OR) and not contains(west_coast, *PORTLAND_ME)
    assert contains(west_coast, west_coast.lat, west_coast.lon)


def test_continents_have_outlines_and_towns_have_none(gazetteer):
    africa = _one(gazetteer, "Africa", "continent")
    assert contains(africa, *CAIRO) and not contains(africa, *LIMA)
    town = max(gazetteer.candidates("Houston"), key=lambda c: c.population)
    assert outline_of(town) is None and contains(town, *HOUSTON) is None


def test_most_first_level_regions_have_an_outline(gazetteer):
    outlines = default_outlines()
    regions = [c for name in ("California", "Bavaria", "Ontario", "Sichuan", "Queensland", "Maharashtra", "Krasnodar Krai")
               for c in gazetteer.region_candidates(name) if c.feature == "region"]
    assert len(regions) >= 7
    assert all(outlines.outline_of(c) is not None for c in regions), [c.name for c in regions if outlines.outline_of(c) is None]


@pytest.mark.parametrize("code", ["FR", "NO", "US", "RU", "XK"])
def test_countries_whose_natural_earth_code_is_often_missing_have_outlines(code):
    assert default_outlines().shape(f"country:{code}") is not None


@pytest.mark.parametrize("name, category, lat, lon", [
    ("Middle East", "macro_region", 29, 42), ("North Africa", "macro_region", 27, 12),
    ("Latin America", "macro_region", -10, -60), ("West Coast", "macro_region", 39, -121),
])
def test_macro_regions_have_a_point_inside_their_outline(gazetteer, name, category, lat, lon):
    [region] = [c for c in gazetteer.candidates(name) if c.category == category]
    assert (region.lat, region.lon) == (pytest.approx(lat, abs=2), pytest.approx(lon, abs=2))
    assert outline_of(region) is not None and contains(region, region.lat, region.lon)


@pytest.mark.parametrize("name, category, lat, lon", [
    ("Atlantic", "ocean", 0, -30), ("Pacific", "ocean", 0, -160), ("Indian Ocean", "ocean", -20, 80),
    ("Mediterranean", "sea", 35, 18), ("Black Sea", "sea", 43, 34),
])
def test_water_bodies_have_a_point_and_no_outline(gazetteer, name, category, lat, lon):
    [water] = [c for c in gazetteer.candidates(name) if c.feature == "water"]
    assert water.category == category
    assert (water.lat, water.lon) == (pytest.approx(lat, abs=2), pytest.approx(lon, abs=2))
    assert outline_of(water) is None


def test_an_outline_file_laid_out_otherwise_reads_the_same(tmp_path):
    import gzip
    import json

    from geo.outlines import OUTLINES_PATH, Outlines

    square = {"type": "Polygon", "coordinates": [[[10.0, 10.0], [12.0, 10.0], [12.0, 12.0], [10.0, 12.0], [10.0, 10.0]]]}
    features = [{"type": "Feature", "properties": {"kind": "country", "code": "ZZ", "name": "Squareland {test}"}, "geometry": square},
                {"type": "Feature", "properties": {"kind": "region", "code": "ZZ-01", "name": "One"}, "geometry": square}]
    for n, separators in enumerate(((",", ":"), (", ", ": "))):  # compact, as derive writes it, and spaced
        path = tmp_path / f"outlines{n}.geojson.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(json.dumps({"type": "FeatureCollection", "features": features}, separators=separators, indent=n or None))
        outlines = Outlines(path)
        assert outlines.contains_point("country:ZZ", 11.0, 11.0) and not outlines.contains_point("country:ZZ", 13.0, 11.0)
        assert outlines.contains_point("region:ZZ-01", 11.0, 11.0) and outlines.shape("country:YY") is None
    committed = Outlines(OUTLINES_PATH)
    assert len(committed._raw) > 4000 and all(json.loads(g)["type"] in ("Polygon", "MultiPolygon") for g in committed._raw["country:FR"])
