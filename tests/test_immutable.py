"""Results are values: what one dashboard session computed and another reads cannot be changed in place."""
from __future__ import annotations

import dataclasses
import sys

import pytest
from streamlit.testing.v1 import AppTest

from geo.articles import article_from_text
from geo.export import write_parquet
from geo.pipeline import analyze

STORY = ("Ferry talks move on\n\nMinister Ana Costa left Paris for Washington on Monday. She arrived in Washington on "
         "Tuesday and will travel to Pingxiang next week, officials said.\n")


def _session(folder: str, edit: bool) -> None:
    """One browser session: reads the shared analysis the way the dashboard does (st.cache_resource)."""
    import dataclasses

    import streamlit as st

    import dashboard

    analysis = dashboard.load_results(folder, 0.0)
    if edit:
        attempts = {
            "stop status": lambda: setattr(analysis.routes[0].stops[0], "status", "denied"),
            "route stops": lambda: setattr(analysis.routes[0], "stops", ()),
            "places": lambda: analysis.places.append(analysis.places[0]),
            "assignment": lambda: analysis.assignment.clear(),
            "analysis": lambda: setattr(analysis, "routes", ()),
        }
        for name, attempt in attempts.items():
            try:
                attempt()
            except (dataclasses.FrozenInstanceError, AttributeError, TypeError):
                st.write(f"refused: {name}")
        # The session's own change is a new value beside the shared one.
        first = analysis.routes[0]
        corrected = dataclasses.replace(first, stops=first.stops[:1])
        st.session_state["mine"] = dataclasses.replace(analysis, routes=(corrected,) + analysis.routes[1:])
        st.write(f"mine: {len(st.session_state['mine'].routes[0].stops)} stops")
    route = analysis.routes[0]
    st.write(f"shared: {len(route.stops)} stops, first {route.stops[0].status}, {len(analysis.places)} places, "
             f"{len(analysis.assignment)} mentions")


@pytest.fixture(autouse=True)
def _main_module_restored():
    """AppTest runs a script as `__main__` and leaves it there; a later spawned process (geo.jobs) would re-run it."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture
def saved(tmp_path, nlp, tiny_gazetteer, settings):
    result = analyze([article_from_text("ferry", "ferry.txt", STORY)], nlp, tiny_gazetteer, settings)
    assert result.routes and len(result.routes[0].stops) >= 2, result.routes
    write_parquet(result, tmp_path / "saved")
    return str(tmp_path / "saved"), result


def test_a_change_made_in_one_session_is_not_seen_by_another(saved):
    folder, result = saved
    route = result.routes[0]
    expected = (f"shared: {len(route.stops)} stops, first {route.stops[0].status}, {len(result.places)} places, "
                f"{len(result.assignment)} mentions")
    first = AppTest.from_function(_session, args=(folder, True), default_timeout=60)
    first.run()
    assert not first.exception, [e.value for e in first.exception]
    said = [m.value for m in first.markdown]
    assert said[:5] == ["refused: stop status", "refused: route stops", "refused: places", "refused: assignment",
                        "refused: analysis"]
    assert "mine: 1 stops" in said and expected in said

    second = AppTest.from_function(_session, args=(folder, False), default_timeout=60)
    second.run()
    assert not second.exception, [e.value for e in second.exception]
    assert [m.value for m in second.markdown] == [expected]
    assert "mine" not in second.session_state


def test_analysis_fields_are_tuples_and_its_assignment_refuses_changes(saved):
    _folder, result = saved
    assert all(isinstance(getattr(result, f.name), tuple) for f in dataclasses.fields(result)
               if f.name not in ("assignment", "model"))
    with pytest.raises(TypeError):
        result.assignment[next(iter(result.assignment))] = "another-cluster"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.routes[0].legs[0].km = 0.0  # type: ignore[misc]
