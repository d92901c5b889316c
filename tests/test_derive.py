"""Derived tables: TopoJSON decoding and area centroids on tiny shapes, and the check of the committed files."""
from __future__ import annotations

import json
import shutil

import pytest

from geo.derive import DERIVED_DIR, _topo_polygons, area_centroid, check


def test_topojson_arcs_decode_into_rings_and_centroids():
    # A 2 x 2 square from (10, 20) in two arcs (first point absolute, then deltas); ~i walks arc i backwards.
    topo = {"transform": {"scale": [1, 1], "translate": [10, 20]},
            "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]]}
    [[ring]] = _topo_polygons(topo, {"type": "Polygon", "arcs": [[0, 1]]})
    assert ring[0] == ring[-1] == (10, 20) and (12, 22) in ring
    assert area_centroid([[ring]]) == (21.0, 11.0)
    reversed_ring = _topo_polygons(topo, {"type": "Polygon", "arcs": [[~1, ~0]]})[0][0]
    assert reversed_ring == ring[::-1]


def test_committed_tables_match_their_manifest_and_a_change_is_caught(tmp_path):
    assert check() == []
    copy = tmp_path / "derived"
    shutil.copytree(DERIVED_DIR, copy)
    manifest = json.loads((copy / "SOURCES.json").read_text())
    assert {"admin_areas.csv.gz", "stations.csv.gz", "outlines.geojson.gz"} <= set(manifest["tables"])
    assert manifest["tables"]["stations.csv.gz"]["licence"] == "ODbL-1.0"
    (copy / "stations.csv.gz").write_bytes(b"not the derived table")
    [problem] = check(copy)
    assert "stations.csv.gz" in problem and "python -m geo data derive" in problem
    (copy / "admin_areas.csv.gz").unlink()
    assert any("missing" in p for p in check(copy))


@pytest.mark.parametrize("member", ["admin_areas.csv.gz", "stations.csv.gz", "outlines.geojson.gz"])
def test_derived_tables_are_small_enough_to_commit(member):
    assert (DERIVED_DIR / member).stat().st_size < 5_000_000
