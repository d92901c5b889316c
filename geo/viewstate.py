"""The dashboard's view as URL query parameters: raw parameters in, the nearest valid view and notes on what was dropped out.

A shared or hand-edited link may name articles, places, entities, labels, subjects or statuses that the corpus does
not have (it was re-analysed, a value was mistyped, or someone pasted markup). `read_view` is the one place where
every parameter is checked against the current corpus: what does not apply is dropped, the rest is kept, and each
drop becomes a short note the dashboard shows in one line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

MAIN_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "DATE", "EVENT")
ALL_LABELS = MAIN_LABELS + ("TIME", "CARDINAL", "MONEY", "PRODUCT", "LAW", "WORK_OF_ART")
STATUSES = ("done", "expected")
FLAGS = {"1": True, "0": False}
# Longest piece of a rejected value quoted back in a note (values may be long or hostile; the note is escaped).
QUOTE_CHARS = 40


@dataclass(frozen=True)
class Choices:
    """What the current corpus offers: the values a link may name."""

    articles: Sequence[str]
    places: Mapping[str, Sequence[str]]  # place id -> ids of the articles that mention it
    entities: Mapping[str, Sequence[str]]  # cluster id -> ids of the articles that mention it
    subjects: Sequence[str]
    quotes: Mapping[str, Sequence[str]] = field(default_factory=dict)  # article id -> quote keys (see `quote_key`)
    article_labels: Mapping[str, str] = field(default_factory=dict)  # file label -> article id (links made before ids)
    entity_aliases: Mapping[str, str] = field(default_factory=dict)  # readable pre-hash cluster id -> cluster id


def quote_key(start: int, end: int) -> str:
    """How a link names one quotation of its article: its raw-file offsets, "start-end"."""
    return f"{start}-{end}"


@dataclass(frozen=True)
class View:
    """A valid view of one corpus; None for a filter means 'everything'."""

    article: str
    place: str | None = None
    entity: str | None = None
    articles: tuple[str, ...] | None = None
    labels: tuple[str, ...] = MAIN_LABELS
    subjects: tuple[str, ...] | None = None
    statuses: tuple[str, ...] = STATUSES
    metonyms: bool = True
    tiles: bool = False
    quote: str | None = None  # a quotation of `article`, by `quote_key`
    notes: tuple[str, ...] = field(default=())


def quote(value: str) -> str:
    """A rejected value for a note: shortened, control characters shown as '?'."""
    text = "".join(c if c.isprintable() else "?" for c in value)
    return "'" + (text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…") + "'"


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _subset(name: str, raw: str | None, valid: Sequence[str], notes: list[str],
            aliases: Mapping[str, str] | None = None) -> tuple[str, ...] | None:
    """The valid values of a comma-separated filter, in the corpus's order; None when absent or nothing is left."""
    wanted = [(aliases or {}).get(v, v) for v in _split(raw)]
    if not wanted:
        return None
    unknown = [v for v in wanted if v not in valid]
    if unknown:
        notes.append(f"unknown {name} {', '.join(quote(v) for v in unknown[:3])}" + (f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""))
    kept = tuple(v for v in valid if v in set(wanted))
    if not kept:
        notes.append(f"no {name} left, showing all")
        return None
    return kept


def read_corpus_choice(params: Mapping[str, str], corpora: Sequence[str], default: str = "seeds") -> tuple[str, tuple[str, ...]]:
    """The corpus a link names, or the default with a note when it names none that exists."""
    raw = params.get("corpus")
    if raw is None or raw in corpora:
        return raw or default, ()
    return default, (f"unknown corpus {quote(raw)}",)


def read_view(params: Mapping[str, str], choices: Choices) -> View:
    """The nearest valid view to what `params` ask for, with a note for everything dropped or replaced."""
    notes: list[str] = []
    place = params.get("place") or None
    if place is not None and place not in choices.places:
        notes.append(f"unknown place {quote(place)}")
        place = None
    entity = params.get("entity") or None
    entity = choices.entity_aliases.get(entity, entity) if entity is not None else None
    if entity is not None and entity not in choices.entities:
        notes.append(f"unknown entity {quote(entity)}")
        entity = None
    article = params.get("article") or None
    article = choices.article_labels.get(article, article) if article is not None else None
    if article is not None and article not in choices.articles:
        notes.append(f"unknown article {quote(article)}")
        article = None
    if article is None:  # the nearest article: one that mentions the chosen entity or place, else the first
        near = choices.entities.get(entity, ()) if entity else choices.places.get(place, ()) if place else ()
        article = next(iter(near), None) or (choices.articles[0] if choices.articles else "")
    chosen_quote = params.get("quote") or None
    if chosen_quote is not None and chosen_quote not in choices.quotes.get(article, ()):
        notes.append(f"unknown quotation {quote(chosen_quote)} in this article")
        chosen_quote = None
    articles = _subset("article", params.get("articles"), choices.articles, notes, choices.article_labels)
    labels = _subset("label", params.get("labels"), ALL_LABELS, notes)
    subjects = _subset("subject", params.get("subjects"), choices.subjects, notes)
    statuses = _subset("status", params.get("status"), STATUSES, notes)
    flags = {}
    for name, default in (("metonyms", True), ("tiles", False)):
        raw = params.get(name) or None
        if raw is not None and raw not in FLAGS:
            notes.append(f"{name} must be 1 or 0, not {quote(raw)}")
        flags[name] = FLAGS.get(raw, default) if raw is not None else default
    return View(article=article, place=place, entity=entity,
                articles=articles if articles is not None and set(articles) != set(choices.articles) else None,
                labels=labels if labels is not None else MAIN_LABELS,
                subjects=subjects if subjects is not None and set(subjects) != set(choices.subjects) else None,
                statuses=statuses if statuses is not None else STATUSES,
                metonyms=flags["metonyms"], tiles=flags["tiles"], quote=chosen_quote, notes=tuple(notes))


def note_line(notes: Sequence[str]) -> str:
    """The one line the dashboard shows for a link that did not match, e.g. 'This link ...: unknown place 'x'.'."""
    return "This link did not fully match the corpus, so the nearest view is shown: " + "; ".join(notes) + "."
