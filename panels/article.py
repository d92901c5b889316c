"""The article panel: metadata, the focused place's mentions across the corpus, and the text with entities marked."""
from __future__ import annotations

import streamlit as st

from geo.render import escape, highlight_html

MENTIONS_LISTED = 8
# Runs in the component's same-origin iframe: brings the first outlined mention of the focused place into view.
SCROLL_SCRIPT = """<script>
const doc = window.parent.document;
let tries = 0;
const look = () => { const m = doc.querySelector("mark.ent-selected");
  if (m) { m.scrollIntoView({block: "center"}); } else if (tries++ < 40) { setTimeout(look, 100); } };
look();
</script>"""


def place_mentions(place, titles: dict[str, str], article_id: str) -> None:
    """The focused place's mentions with their articles: the open article's first, each with its sentence."""
    mentions = sorted(place.mentions, key=lambda m: (m.article != article_id, titles.get(m.article, m.article), m.raw_start))
    lines = [f"- **{escape(titles.get(m.article, m.article)[:60])}**: “{escape(m.text)}” — {escape(m.sentence.strip()[:200])}"
             for m in mentions[:MENTIONS_LISTED]]
    more = f"\n- ... {len(mentions) - MENTIONS_LISTED} more" if len(mentions) > MENTIONS_LISTED else ""
    st.info(f"**{escape(place.name)}** ({escape(place.feature)}): {len(mentions)} mentions in "
                f"{len({m.article for m in mentions})} articles\n\n" + "\n".join(lines) + more)


def article_text(article, entities, marked: set[int], labels: set[str], scroll: bool) -> None:
    """The article's text with entities marked; the marked (focused) mentions outlined, the first scrolled into view."""
    # st.html, not st.markdown: the browser takes the escaped HTML as it is instead of parsing it as Markdown with raw
    # HTML into one React element per mark, which was the costliest element of the page (Chromium's profile).
    st.html(highlight_html(article.text, entities, marked, labels))
    if article.comments or article.captions:
        st.caption(f"Removed: {len(article.comments)} reader comments, {len(article.captions)} photo captions, {article.removed_lines} chrome lines.")
    if scroll and marked:
        st.iframe(SCROLL_SCRIPT, height=1)  # a fixed script, nothing from the article
