"""The corpus tables under the map: entity x article counts, unresolved place names, downloads."""
from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from geo.export import claims_csv, dumps, entities_csv, places_csv, quotes_csv, to_geojson


@st.cache_data(show_spinner=False, max_entries=32)
def entity_matrix(digest: str, labels: tuple[str, ...], _analysis, max_columns: int = 30) -> pd.DataFrame:
    """Entity x article mention counts; for large corpora, aggregated to mentions and article counts."""
    clusters = _analysis.cluster_by_id()
    counts = Counter((_analysis.cluster_of(e), e.article) for e in _analysis.entities
                     if e.label in labels and _analysis.cluster_of(e))
    if not counts:
        return pd.DataFrame()
    labels_of = {a.id: a.label for a in _analysis.articles}
    frame = pd.DataFrame([{"entity": clusters[c].name, "type": clusters[c].label, "article": labels_of.get(a, a), "n": n}
                          for (c, a), n in counts.items()])
    if frame["article"].nunique() > max_columns:
        table = frame.groupby(["entity", "type"]).agg(mentions=("n", "sum"), articles=("article", "nunique"))
        return table.sort_values("mentions", ascending=False).head(200)
    matrix = frame.pivot_table(index=["entity", "type"], columns="article", values="n", aggfunc="sum", fill_value=0)
    return matrix.loc[matrix.sum(axis=1).sort_values(ascending=False).index[:60]]


@st.cache_data(show_spinner=False, max_entries=16)
def downloads(digest: str, _analysis) -> dict[str, str]:
    return {"geojson": dumps(to_geojson(_analysis)), "entities": entities_csv(_analysis), "places": places_csv(_analysis),
            "quotes": quotes_csv(_analysis), "claims": claims_csv(_analysis)}


def matrix_tab(digest: str, analysis, labels: tuple[str, ...]) -> None:
    """Entity x article mention counts for the chosen entity types."""
    matrix = entity_matrix(digest, labels, analysis)
    if not matrix.empty:
        st.dataframe(matrix, width="stretch")


def unresolved_tab(analysis, titles: dict[str, str]) -> None:
    """Place names the geocoder could not resolve, with the reason."""
    if analysis.unresolved:
        st.dataframe(pd.DataFrame([{"article": titles.get(u.article, u.article)[:40], "text": u.text, "reason": u.reason}
                                   for u in analysis.unresolved]), hide_index=True, width="stretch")
    else:
        st.write("Every place name was resolved.")


def downloads_tab(digest: str, analysis) -> None:
    """GeoJSON and CSV downloads of the whole corpus's results."""
    files_out = downloads(digest, analysis)
    st.download_button("GeoJSON of places and routes", files_out["geojson"], file_name="places-routes.geojson", mime="application/geo+json")
    st.download_button("CSV of entities", files_out["entities"], file_name="entities.csv", mime="text/csv")
    st.download_button("CSV of places", files_out["places"], file_name="places.csv", mime="text/csv")
    st.download_button("CSV of quotations", files_out["quotes"], file_name="quotes.csv", mime="text/csv")
    st.download_button("CSV of claims", files_out["claims"], file_name="claims.csv", mime="text/csv")
