"""The journey in time: a day-by-day control for the map and the route timeline with the focused stop."""
from __future__ import annotations

import streamlit as st

from geo.mapstate import MapView, day_events, stop_key
from geo.render import escape
from geo.status import Status
from panels.urlstate import url_from_widget

ALL_DAYS = ""
TABLE_CSS = (".geo-timeline{max-height:420px;overflow:auto;font-size:0.85rem}.geo-timeline table{border-collapse:collapse;width:100%}"
             ".geo-timeline th{position:sticky;top:0;background:#f0f2f6;text-align:left}"
             ".geo-timeline th,.geo-timeline td{padding:2px 6px;border-bottom:1px solid #e6e6e6}"
             ".geo-timeline tr.geo-focused td{background-color:#fff3b0;font-weight:bold}")


def _step(days: list[str], by: int) -> None:
    """on_click callback of the day steps: the previous or next day with a dated stop ("all days" before the first)."""
    at = days.index(st.session_state.get("w_day", ALL_DAYS)) if st.session_state.get("w_day", ALL_DAYS) in days else 0
    day = days[min(max(at + by, 0), len(days) - 1)]
    if day:
        st.query_params["day"] = day
    else:
        st.query_params.pop("day", None)


def day_control(days: list[str], routes) -> None:
    """Day steps over the days with a dated stop ("all days" first) and the chosen day's events listed under them.

    A select box with previous/next buttons rather than a slider: the slider's code (a date library among it) was
    fetched and built before the map on every first load, while the select box and buttons are on the page anyway."""
    if not days:
        return
    steps = [ALL_DAYS, *days]
    pick, back, forward = st.columns([4, 1, 1], vertical_alignment="bottom")
    pick.selectbox("Day: routes drawn up to", steps, key="w_day", on_change=url_from_widget, args=("day", "w_day"),
                   format_func=lambda d: "all days" if d == ALL_DAYS else d)
    back.button("◀ day", key="day_back", on_click=_step, args=(steps, -1), help="The previous day with a dated stop")
    forward.button("day ▶", key="day_forward", on_click=_step, args=(steps, 1), help="The next day with a dated stop")
    day = st.session_state.get("w_day")
    if day:
        events = day_events(routes, day)
        st.markdown(f"**{escape(day)}**: " + ("; ".join(f"{escape(r.subject)} — {n}. {escape(s.name)} ({escape(s.status)}"
                                                         + (f", {escape(s.time)}" if s.time else "") + ")" for r, n, s in events)
                                              or "no dated stop"), help="Stops dated on this day; legs done are solid, expected dashed.")


def timeline(routes, view: MapView, titles: dict[str, str], focused_stop: str | None) -> None:
    """One row per stop of the shown routes; the focused stop (a click on the map) highlighted and described."""
    rows, keys = [], []
    for r in routes:
        if view.subjects is not None and r.subject not in view.subjects:
            continue
        for n, s in enumerate(r.stops, start=1):
            kind = Status(s.status).phase
            if kind not in view.statuses:
                continue
            keys.append(stop_key(r, n))
            rows.append({"subject": r.subject, "trip": r.label, "#": n, "stop": s.name, "date": s.date or "", "time": s.time or "",
                         "status": str(s.status),
                         "corrected": "corrected" if "corrected" in s.roles else "", "sources": ", ".join(titles.get(a, a)[:30] for a in s.articles)})
            if keys[-1] == focused_stop:
                evidence = "; ".join(escape(e.sentence.strip()[:160]) for e in s.evidence[:3])
                st.info(f"**Stop {n} of {escape(r.subject)}'s trip: {escape(s.name)}** — {escape(s.status)}"
                        + (f", {escape(s.date)}" if s.date else "") + (f". {evidence}" if evidence else ""))
    if not rows:
        st.write("No routes: no subject has two or more known stops.")
        return
    # An HTML table, not st.dataframe: the data grid's code (the page's largest) was fetched and built on every first
    # load, since this tab opens by default; a timeline has tens of rows, not thousands.
    head = "".join(f"<th>{escape(c)}</th>" for c in rows[0])
    body = "".join(("<tr class='geo-focused'>" if key == focused_stop else "<tr>") + "".join(f"<td>{escape(str(v))}</td>" for v in row.values())
                   + "</tr>" for key, row in zip(keys, rows))
    st.html(f"<style>{TABLE_CSS}</style><div class='geo-timeline'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
    claims = [(r.subject, c) for r in routes for c in r.claims]
    if claims:
        st.caption("Superseded claims, kept with their sources: " + "; ".join(
            f"{escape(s)} → {escape(c.place)} ({escape(c.status)}, {escape(titles.get(c.article, c.article)[:30])})" for s, c in claims))
