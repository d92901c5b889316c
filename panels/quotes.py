"""Quotes and claims panels: a per-article "Quotes" tab, a speaker's quotations across the corpus, claims side by side."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.quotes import Quote, shared_quotes
from geo.viewstate import quote_key
from geo.render import escape

QUOTE_STYLE = "background:#fff3b0;outline:2px solid #d62728;border-radius:3px"


def quote_html(text: str, quote: Quote | None) -> str:
    """The article's text with the pieces of the selected quotation marked; every character of the article escaped."""
    out, pos = [], 0
    for start, end in (quote.clean_parts or ((quote.clean_start, quote.clean_end),)) if quote else ():
        out.append(escape(text[pos:start]) + f"<mark class='quote' style='{QUOTE_STYLE}'>" + escape(text[start:end]) + "</mark>")
        pos = end
    body = "".join(out) + escape(text[pos:])
    body = body.replace("\n\n", "</p><p>").replace("\n", "<br>")
    return f"<div class='article-text quote-text' style='line-height:1.6'><p>{body}</p></div>"


def _speaker(quote: Quote, names: dict[str, str]) -> str:
    if quote.speaker_id:
        return names.get(quote.speaker_id, quote.speaker)
    return f"{quote.speaker or '—'} (unresolved)"


def _quote_to_url(quotes: list[Quote]) -> None:
    """on_change of the quotation picker: the chosen quotation becomes the URL's `quote`, so a copied link shows it."""
    pick = st.session_state.get("w_quote")
    if pick is not None and pick < len(quotes):
        st.query_params["quote"] = quote_key(quotes[pick].raw_start, quotes[pick].raw_end)


def quote_choices(analysis) -> dict[str, list[str]]:
    """The quotations a link may name, per article (for `geo.viewstate.read_view`)."""
    out: dict[str, list[str]] = {}
    for q in analysis.quotes:
        out.setdefault(q.article, []).append(quote_key(q.raw_start, q.raw_end))
    return out


def article_quotes(analysis, article, titles: dict[str, str], selected_entity: str = "", selected_quote: str | None = None) -> None:
    """The Quotes tab of one article: speaker, kind and quotation, the chosen one (the link's `quote`, else the first)
    highlighted in the text; then what the selected person or organisation is quoted saying across the corpus."""
    names = {c.id: c.name for c in analysis.clusters}
    quotes = [q for q in analysis.quotes if q.article == article.id]
    if not quotes:
        st.write("No quotations found in this article.")
    else:
        st.dataframe(pd.DataFrame([{"speaker": _speaker(q, names), "kind": q.kind, "verb": q.verb or "", "quotation": q.text}
                                   for q in quotes]), hide_index=True, width="stretch")
        keys = [quote_key(q.raw_start, q.raw_end) for q in quotes]
        if selected_quote in keys:
            st.session_state["w_quote"] = keys.index(selected_quote)
        elif st.session_state.get("w_quote", 0) >= len(quotes):
            st.session_state["w_quote"] = 0
        pick = st.selectbox("Highlight a quotation in the text", list(range(len(quotes))), key="w_quote", on_change=_quote_to_url,
                            args=(quotes,), format_func=lambda k: f"{_speaker(quotes[k], names)}: {quotes[k].text[:70]}")
        st.markdown(quote_html(article.text, quotes[pick]), unsafe_allow_html=True)
    if selected_entity:
        said = [s for s in shared_quotes(analysis.quotes, names) if s.speaker_id == selected_entity]
        st.markdown(f"**{escape(names.get(selected_entity, selected_entity))} across the corpus:** {len(said)} quotations")
        if said:
            st.dataframe(pd.DataFrame([{"kind": s.kind, "quotation": s.text,
                                        "sources": "; ".join(titles.get(a, a)[:40] for a in s.articles)} for s in said]),
                         hide_index=True, width="stretch")


def claims_table(analysis, titles: dict[str, str]) -> None:
    """Claims side by side: one row per source, agreement groups, conflicts marked, the map's verdict."""
    rows = [{"claim": c.subject, "kind": c.kind, "conflict": "conflict" if c.conflict else "", "source": titles.get(r.article, r.article)[:40],
             "says": r.value, "group": r.group + 1, "map check": r.check or "", "note": c.note}
            for c in analysis.claims for r in c.rows]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.write("No fact is reported by two or more articles, and no stated distance could be checked.")
