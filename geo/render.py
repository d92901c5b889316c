"""HTML for article text with entities highlighted by type; every character taken from an article is escaped."""
from __future__ import annotations

import html
from typing import Iterable

from .entities import Entity, MentionKey

LABEL_COLOURS = {"PERSON": "#fde2e4", "ORG": "#e2ece9", "GPE": "#cfe1f7", "LOC": "#d7f0d2", "FAC": "#ffe5b4",
                 "NORP": "#eadcf8", "DATE": "#f1f1f1", "TIME": "#f1f1f1", "EVENT": "#fff3b0"}


# Characters that Markdown (and Streamlit's LaTeX and emoji shortcodes) would interpret, as numeric entities, so the
# HTML can go through st.markdown without an article's "[x](javascript:...)" or "$...$" becoming markup.
_ENTITIES = {ch: f"&#{ord(ch)};" for ch in "\\`*_{}[]()#+-.!|~$:<>&\"'"}


# Bidirectional controls (e.g. U+202E RIGHT-TO-LEFT OVERRIDE) would silently reorder what an analyst reads.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


_VISIBLE = str.maketrans({ch: f"[U+{ord(ch):04X}]" for ch in BIDI_CONTROLS})
_ESCAPE = str.maketrans(_ENTITIES)


def visible_controls(text: str) -> str:
    """Bidirectional control characters replaced by a visible [U+XXXX] marker."""
    return text.translate(_VISIBLE)


def escape(text: str) -> str:
    """HTML-escape, neutralise Markdown syntax and make bidirectional controls visible."""
    return text.translate(_ESCAPE).translate(_VISIBLE)


def highlight_html(text: str, entities: Iterable[Entity], selected: set[MentionKey], labels: set[str]) -> str:
    """The article's text with <mark> around entities of the chosen labels; entities whose key is `selected` are outlined
    (class ent-selected) whatever their label."""
    out, pos = [], 0
    for e in sorted(entities, key=lambda x: x.clean_start):
        if (e.label not in labels and e.key not in selected) or e.clean_start < pos:
            continue
        out.append(escape(text[pos:e.clean_start]))
        style = f"background:{LABEL_COLOURS.get(e.label, '#eee')};padding:0 2px;border-radius:3px"
        focus = ""
        if e.key in selected:
            style += ";outline:2px solid #d62728"
            focus = " ent-selected"
        label = html.escape(e.label)
        out.append(f"<mark class='ent ent-{label}{focus}' title='{label}' style='{style}'>{escape(e.text)}"
                   f"<sub style='font-size:0.6em;color:#555'> {label}</sub></mark>")
        pos = e.clean_end
    out.append(escape(text[pos:]))
    body = "".join(out).replace("\n\n", "</p><p>").replace("\n", "<br>")
    return f"<div class='article-text' style='line-height:1.6'><p>{body}</p></div>"
