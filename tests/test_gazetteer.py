"""The gazetteer index built from the real installed sources: airports and air bases, codes, regions by every name."""
from __future__ import annotations

import pytest

from geo.placenames import designated_forms, strip_designator


def test_airports_and_air_bases_are_facilities_with_codes(gazetteer):
    [base] = [c for c in gazetteer.candidates("Spangdahlem Air Base") if c.feature == "facility"]
    assert (base.category, base.country) == ("air_base", "DE")
    assert base.lat == pytest.approx(49.97, abs=0.05)
    [lhr] = gazetteer.by_code("lhr", "iata")
    assert lhr.name == "London Heathrow Airport" and lhr.category == "airport"
    assert gazetteer.codes(lhr.id) == {"iata": "LHR", "icao": "EGLL"}
    assert gazetteer.by_code("EGLL") == (lhr,)


def test_codes_and_bare_facility_names_are_not_general_names(gazetteer):
    assert not any(c.feature == "facility" for c in gazetteer.candidates("LHR"))
    assert not any(c.id == "airport:EGLL" for c in gazetteer.candidates("Heathrow"))
    assert any(c.id == "airport:EGLL" for c in gazetteer.facility_candidates("Heathrow"))
    assert any(c.id == "airport:EGLL" for c in gazetteer.candidates("Heathrow Airport"))


def test_a_city_airport_is_found_by_the_city_name_and_the_word(gazetteer):
    found = gazetteer.candidates("Vladivostok airport")
    assert [c.category for c in found] == ["airport"] and found[0].country == "RU"
    assert all(c.feature != "facility" for c in gazetteer.candidates("Vladivostok"))


@pytest.mark.parametrize("name", ["Amur Oblast", "Amur region", "Amur"])
def test_regions_are_found_with_or_without_designators(gazetteer, name):
    assert [c.id for c in gazetteer.candidates(name) if c.feature == "region"] == ["csc:RU-AMU"]


def test_region_lookup_strips_any_designator(gazetteer):
    assert {c.id for c in gazetteer.region_candidates("Volyn Governorate")} == {"csc:UA-07"}
    assert {c.country for c in gazetteer.region_candidates("Ningxia Hui Autonomous Region")} == {"CN"}


def test_second_level_units_know_their_parent_and_country(gazetteer):
    [suffolk] = [c for c in gazetteer.candidates("Suffolk") if c.country == "GB"]
    chain = gazetteer.ancestors(suffolk)
    assert [c.feature for c in chain][-1] == "country" and chain[-1].country == "GB"
    assert gazetteer.parent(suffolk).name == "England"


def test_designators_are_stripped_longest_first():
    assert strip_designator("Harlow International Airport")[0] == "harlow"
    assert strip_designator("Joint Base Fenwick")[0] == "fenwick"
    assert strip_designator("Upper Valley Oblast", frozenset({"airport"})) == ("upper valley oblast", None)
    assert "fenwick air base" in designated_forms("fenwick", "air_base")
    assert "amur oblast" not in designated_forms("amur", "district")


def test_us_counties_are_districts_under_their_state(gazetteer):
    found = {c.admin1: c for c in gazetteer.candidates("Morris County") if c.country == "US"}
    morris = found["NJ"]
    assert (morris.feature, morris.category) == ("district", "county")
    assert gazetteer.parent(morris).name == "New Jersey"
    assert gazetteer.by_code("US.NJ.027", "geonames-admin2") == (morris,)
    assert morris.id in {c.id for c in gazetteer.region_candidates("Morris")}
    assert morris.id not in {c.id for c in gazetteer.candidates("Morris")}


def test_us_states_sit_at_their_area_centroid(gazetteer):
    [ny] = [c for c in gazetteer.candidates("New York") if c.feature == "region"]
    assert (ny.lat, ny.lon) == (pytest.approx(42.9, abs=0.3), pytest.approx(-75.5, abs=0.4))


def test_stations_are_found_by_station_names_only(gazetteer):
    [hbf] = gazetteer.candidates("Berlin Hauptbahnhof")
    assert (hbf.feature, hbf.country) == ("station", "DE")
    assert any(c.feature == "station" and c.country == "GB" for c in gazetteer.candidates("St Pancras station"))
    assert all(c.feature != "station" for c in gazetteer.candidates("Winterthur"))
    assert any(c.feature == "station" and c.country == "CH" for c in gazetteer.facility_candidates("Winterthur"))


def test_a_country_point_lies_between_the_source_point_and_the_landmass_centroid():
    from geopy.distance import geodesic

    from geo.outlines import default_outlines
    from geo.sources.geonames import country_point

    # The Factbook's point of the contiguous United States (38 N, 97 W) is about 250 km from its geographic centre
    # near Lebanon, Kansas (39.83 N, 98.58 W); the mean with the landmass centroid is within 161 km of it.
    us = country_point("US", 38.0, -97.0)
    assert geodesic(us, (39.83, -98.58)).km < 161
    assert default_outlines().contains_point("country:US", *us)
    # A country whose two estimates agree keeps the source's point, and so does one without an outline.
    assert country_point("FR", 46.0, 2.0) == (46.0, 2.0)
    assert country_point("XX", 10.0, 20.0) == (10.0, 20.0)


@pytest.mark.parametrize("iso2", ["US", "RU", "CL", "HR", "ID", "NO", "VN", "CA"])
def test_country_points_lie_inside_the_country_even_when_its_shape_is_concave(gazetteer, iso2):
    from geo.outlines import default_outlines

    country = gazetteer.country(iso2)
    assert default_outlines().contains_point(f"country:{iso2}", country.lat, country.lon)
