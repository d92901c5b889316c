"""Entity mentions of one parsed article: spaCy's spans cleaned up, labels fixed from the gazetteer, keyed by raw offsets."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from . import missed
from .articles import Article
from .facilitynames import lowercase_head_facilities
from .gazetteer import normalize
from .lexicon import LEXICON
from .parsing import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

log = logging.getLogger(__name__)

SpanFix = tuple[int, int, str, "str | None"]  # token start, token end, label, what the clean-up changed (None: the model's span)

CLUSTER_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "mr.", "mrs.", "ms.", "dr.", "prof."}
TITLES = HONORIFICS | {"president", "comrade", "chairman", "governor", "general", "gen", "minister", "marshal", "director",
                       "secretary", "senator", "sen", "rep", "premier", "chancellor", "pm", "leader", "supreme", "spokesman", "spokeswoman", "spokesperson",
                       "ambassador", "mayor", "judge", "justice", "colonel", "col", "captain", "capt", "lt", "sgt", "admiral",
                       "broadcaster", "analyst", "professor", "marshal"}
NAME_TITLES = {"pope", "king", "queen", "prince", "princess", "sheikh", "emperor", "sultan", "emir", "crown"}
# Verbs whose direct object is usually a place ("left Marseille", "reached Lyon").
PLACE_OBJECT_VERBS = {"leave", "reach", "enter", "visit", "depart", "tour", "cross", "exit", "evacuate", "bomb", "shell",
                      "hit", "strike", "flood", "raid", "capture", "liberate", "besiege", "occupy"}
LOCATIVE_PREPS = {"in", "at", "to", "from", "into", "towards", "toward", "near", "via", "through", "outside", "across",
                  "inside", "around", "past", "between"}
PLACE_HEADS = {"station": "FAC", "cosmodrome": "FAC", "spaceport": "FAC", "airport": "FAC", "port": "FAC", "base": "FAC",
               "harbour": "FAC", "harbor": "FAC",
               "border": "LOC", "river": "LOC", "region": "LOC", "province": "GPE", "city": "GPE", "oblast": "GPE",
               "krai": "GPE", "county": "GPE", "district": "GPE", "state": "GPE", "prefecture": "GPE"}
MOVEMENT_PREPS = {"to", "in", "at", "into", "from", "for", "via", "through", "towards", "toward"}
CREDIT_RE = re.compile(r"(?:credit|photo|picture|image)s?\s*:\s*$|/\s*$", re.I)
NON_PLACE_WORDS = {normalize(w) for w in ("January February March April May June July August September October November December "
                                          "Monday Tuesday Wednesday Thursday Friday Saturday Sunday").split()}


@dataclass(frozen=True)
class Entity:
    """One entity mention; clean_* offsets index the article's cleaned text, raw_* the raw file."""

    article: str
    label: str
    text: str
    norm: str
    clean_start: int
    clean_end: int
    raw_start: int
    raw_end: int
    clean_sent_start: int  # the sentence holding it
    clean_sent_end: int
    fixed: str | None = None  # what the clean-up changed, e.g. "relabelled ORG -> FAC"

    @property
    def key(self) -> MentionKey:
        """The mention's stable key: (article id, raw_start, raw_end)."""
        return (self.article, self.raw_start, self.raw_end)


MentionKey = tuple[str, int, int]  # (article id, raw_start, raw_end): what a correction or a link stores


# --------------------------------------------------------------------------- span clean-up


def _trim(toks: Sequence[Token], start: int, end: int) -> tuple[int, int]:
    """Token bounds without a leading 'the', a trailing possessive or punctuation."""
    while start < end and (toks[start].lower_ == "the" or toks[start].is_punct or toks[start].is_space):
        start += 1
    while end > start and (toks[end - 1].lower_ in ("'s", "’s", "'", "’") or toks[end - 1].is_punct or toks[end - 1].is_space):
        end -= 1
    return start, end


def _split_on_breaks(toks: Sequence[Token], start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    cur = start
    for i in range(start, end):
        tok = toks[i]
        if "\n" in tok.text or tok.is_space and "\n" in tok.text_with_ws:
            if i > cur:
                pieces.append((cur, i))
            cur = i + 1
        elif "\n" in tok.whitespace_ and i + 1 < end:
            pieces.append((cur, i + 1))
            cur = i + 1
    if cur < end:
        pieces.append((cur, end))
    return pieces


def _is_place_name(is_place: Callable[[str], bool], text: str) -> bool:
    key = normalize(text)
    return bool(key) and key not in NON_PLACE_WORDS and is_place(text)


def after_movement(doc: Doc, s: int) -> bool:
    """Whether token s follows a movement verb and a place preposition ("will fly to X", "touched down in X"),
    or a verb whose object is a place and "the" ("crossed the X")."""
    if s >= 2 and doc[s - 1].lower_ == "the" and doc[s - 2].pos_ == "VERB" and doc[s - 2].lemma_.lower() in LEXICON.role_by_object:
        return True  # "crossed the X", "left the X"
    if s < 2 or doc[s - 1].lower_ not in MOVEMENT_PREPS:
        return False
    for i in range(s - 2, max(-1, s - 4), -1):
        tok = doc[i]
        if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in LEXICON.move_verbs:
            return True
        if tok.pos_ not in ("ADV", "ADP", "PART"):
            return False
    return False


def travel_place(doc: Doc, s: int) -> bool:
    """Whether token s is where someone travels: after a movement verb and a place preposition, the object of a
    travel verb that takes a place ("reached X", "visited X"), or a departure's "for" ("left X for Y")."""
    if after_movement(doc, s):
        return True
    prev = doc[s - 1] if s >= 1 else None
    if prev is not None and prev.lower_ == "for" and prev.head.pos_ == "VERB" and prev.head.lemma_.lower() in LEXICON.for_verbs:
        return True  # "left X for Y", "set off for Y": Y is the destination
    return prev is not None and prev.pos_ == "VERB" and prev.lemma_.lower() in PLACE_OBJECT_VERBS & LEXICON.move_verbs


def _span_texts(doc: Doc, toks: Sequence[Token]) -> Callable[[int, int], str]:
    """doc[s:e].text without building the Span: a slice of the Doc's text."""
    text, n = doc_text(doc), len(toks)

    def text_of(s: int, e: int) -> str:
        e = min(e, n)
        return text[toks[s].idx:toks[e - 1].idx + len(toks[e - 1])] if s < e else ""

    return text_of


def fix_entities(doc: Doc, is_place: Callable[[str], bool], titled_people: set[str],
                 is_country: Callable[[str], bool] = lambda name: False,
                 acronyms: Iterable[str] = (), is_known: Callable[[str], bool] | None = None,
                 is_area: Callable[[str], bool] = lambda name: False) -> list[SpanFix]:
    """Cleaned (start_token, end_token, label, fix-note) spans for a doc's entities.

    `is_place(text)` tells whether the gazetteer knows a notable place of that name, `is_country(text)` whether
    it names a country, `is_area(text)` whether it is the main name of a country or first-level region; `titled_people` are
    normalized names seen after an honorific ("Mr X"), which are never relabelled as places.
    """
    toks = list(doc)  # Doc[i] builds a new Token object on every read
    text_of = _span_texts(doc, toks)
    spans: list[SpanFix] = []
    for ent in doc.ents:
        for s, e in _split_on_breaks(toks, ent.start, ent.end):
            s, e = _trim(toks, s, e)
            if s >= e:
                continue
            label, note = ent.label_, None
            # "Japan's Kyodo", "Lagos's Nigeria Institute": a place's possessive in front of another name.
            poss = [i for i in range(s + 1, e - 1) if toks[i].lower_ in ("'s", "’s")]
            if poss and _is_place_name(is_place, text_of(s, poss[0])):
                spans.append((s, poss[0], "GPE", "split possessive place"))
                s, label, note = poss[0] + 1, ("ORG" if label == "GPE" else label), "split possessive place"
            text = text_of(s, e)
            if label == "PERSON":
                before = text_of(max(0, s - 3), s)
                if CREDIT_RE.search(before) or "/" in text or "getty" in text.lower():
                    continue
                # Hyphenated given names split by the tokenizer ("Yoon Suk" + "-yeol").
                while e + 1 < len(toks) and toks[e].text == "-" and not toks[e - 1].whitespace_ and not toks[e].whitespace_ and toks[e + 1].is_alpha:
                    e += 2
                while e - s > 1 and toks[s].lower_ in TITLES and toks[s].lower_ not in HONORIFICS:
                    s += 1
                if s > 0 and (toks[s - 1].lower_ in HONORIFICS or toks[s - 1].lower_ in NAME_TITLES):
                    s -= 1
                if e - s >= 2 and toks[s].lower_ not in HONORIFICS and is_country(toks[e - 1].text):
                    continue  # "N. Korea" in a headline is not a person
                if e - s >= 2 and toks[s].lower_ not in HONORIFICS | NAME_TITLES and is_area(text_of(s, e)):
                    spans.append((s, e, "GPE", "relabelled PERSON -> GPE (the whole name is a country or region)"))
                    continue  # "Tamil Nadu said": a region speaking, not a person
                # Headline Title Case fools the model ("Dahl Amid Strained Relations"): a name has no
                # prepositions or verbs in it and does not end in a place.
                if any(t.pos_ in ("ADP", "VERB", "AUX", "DET") and t.lower_ not in HONORIFICS for t in toks[s:e]):
                    continue
                # "Dahl-Costa summit": two names joined by a hyphen are two people.
                if e - s == 3 and toks[s + 1].text == "-" and toks[s].is_title and toks[s + 2].is_title:
                    spans.append((s, s + 1, label, "split hyphenated pair"))
                    spans.append((s + 2, e, label, "split hyphenated pair"))
                    continue
            if label in ("GPE", "LOC"):
                # "New South" + "Wales": capitalised words just before a place that make a longer known place name.
                for k in (2, 1):
                    if s - k >= 0 and all(t.is_title and not t.ent_type_ for t in toks[s - k:s]) and _is_place_name(is_place, text_of(s - k, e)):
                        s, note = s - k, "extended to a longer place name (gazetteer)"
                        break
            if label == "ORG" and e - s >= 2 and toks[e - 1].lower_ in TITLES:
                e -= 1  # "Korean People's Army Marshal" + name: the rank belongs to the person
            spans.append((s, e, label, note))

    fixed: list[SpanFix] = []
    for s, e, label, note in spans:
        text = text_of(s, e)
        if label in ("PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT") and normalize(text) not in titled_people:
            prev = toks[s - 1].lower_ if s > 0 else ""
            prev_verb = s > 0 and toks[s - 1].pos_ == "VERB" and toks[s - 1].lemma_ in PLACE_OBJECT_VERBS
            nxt = toks[e].lower_ if e < len(toks) else ""
            head_label = PLACE_HEADS.get(nxt)
            # After a movement verb and a place preposition any place the gazetteer knows counts, however small.
            known = is_known is not None and after_movement(doc, s) and _is_place_name(is_known, text)
            # "Tarnby airport": a name and its head noun that the gazetteer knows together, however small the name.
            headed = bool(head_label) and is_known is not None and _is_place_name(is_known, text_of(s, e + 1))
            if toks[s].lower_ not in HONORIFICS and (known or headed or (prev in LOCATIVE_PREPS or prev_verb or head_label) and _is_place_name(is_place, text)):
                new_label = head_label or "GPE"
                if head_label and (headed or _is_place_name(is_place, text_of(s, e + 1))):
                    e += 1
                fixed.append((s, e, new_label, f"relabelled {label} -> {new_label} (gazetteer, geographic context)"))
                continue
            listed = s >= 2 and toks[s - 1].lower_ in (",", "and", "or") and toks[s - 2].ent_type_ == "GPE"
            if label == "PERSON" and e - s == 1 and listed and is_known is not None and _is_place_name(is_known, text):
                # "Ashby and Milton": a lone name in a list of places that the gazetteer knows is one more place.
                fixed.append((s, e, "GPE", "relabelled PERSON -> GPE (in a list of places, gazetteer)"))
                continue
            if label in ("PERSON", "PRODUCT", "WORK_OF_ART", "NORP") and e - s >= 2 and PLACE_HEADS.get(toks[e - 1].lower_) == "FAC":
                # "Jon Doe International Airport" tagged PERSON: a name ending in a facility's head noun is the facility.
                fixed.append((s, e, "FAC", f"relabelled {label} -> FAC (facility head noun)"))
                continue
        fixed.append((s, e, label, note))

    fixed.extend(missed.people(doc, toks, text_of, is_place))
    fixed.extend(missed.acronyms(doc, fixed, acronyms))
    fixed.extend(missed.dateline_places(doc, is_place))
    fixed.extend(missed.places(doc, toks, text_of, fixed, is_place, is_known))
    fixed.extend(missed.facilities(toks, fixed))
    fixed.extend(lowercase_head_facilities(doc, is_known))
    return _non_overlapping(fixed)


def _non_overlapping(spans: list[SpanFix]) -> list[SpanFix]:
    # Corrections (with a note) win over the model's spans they overlap; then longer spans win.
    ordered = sorted(spans, key=lambda x: (x[3] is None, -(x[1] - x[0]), x[0]))
    taken: set[int] = set()
    out = []
    for s, e, label, note in ordered:
        if any(i in taken for i in range(s, e)):
            continue
        taken.update(range(s, e))
        out.append((s, e, label, note))
    return sorted(out)


# --------------------------------------------------------------------------- extraction


ACRONYM_DEF_RE = re.compile(r"((?:the\s+)?[A-Z][\w&’'.-]*(?:\s+(?:of|the|and|for|[A-Z][\w&’'.-]*)){1,8})\s+\(([A-Z][A-Za-z.&]{1,9})\)")


def defined_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms defined in the texts as "Full Name (ACR)": ACR -> full name."""
    found = {}
    for text in texts:
        for m in ACRONYM_DEF_RE.finditer(text):
            found[m.group(2)] = re.sub(r"^the\s+", "", m.group(1))
    return found


def titled_names(texts: Iterable[str]) -> set[str]:
    """Normalized names written after an honorific anywhere in the texts ("Mr Kim" -> "kim")."""
    names = set()
    for text in texts:
        for m in re.finditer(r"\b(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+((?:[A-Z][\w’'-]+\s?){1,3})", text):
            names.add(normalize(m.group(1)))
            names.add(normalize(m.group(1).split()[-1]))
            names.add(normalize(m.group(1).split()[0]))
    return names


def entities_from_doc(article: Article, doc: Doc, is_place: Callable[[str], bool], titled_people: set[str],
                      is_country: Callable[[str], bool] = lambda name: False, acronyms: Iterable[str] = (),
                      is_known: Callable[[str], bool] | None = None, is_area: Callable[[str], bool] = lambda name: False) -> list[Entity]:
    """Entity records of one parsed article, after span clean-up and gazetteer-driven label fixes.

    `is_known(text)` tells whether the gazetteer has any place of that name (used only right after a movement verb).
    """
    spans = fix_entities(doc, is_place, titled_people, is_country, acronyms, is_known, is_area)
    ents = []
    text, has_sents = doc_text(doc), doc.has_annotation("SENT_START")
    for s, e, label, note in spans:
        span = doc[s:e]
        raw_start, raw_end = article.raw_span(span.start_char, span.end_char)
        sent = span.sent if has_sents else span
        name = text[span.start_char:span.end_char]  # span.text would join its tokens again
        ents.append(Entity(article.id, label, name, normalize(name) if label != "PERSON" else person_key(name),
                           span.start_char, span.end_char, raw_start, raw_end, sent.start_char, sent.end_char, note))
    return ents


# --------------------------------------------------------------------------- aliases


def person_key(text: str) -> str:
    """Name without honorifics or titles, hyphens as spaces: "Mr Lee Sung-ho" -> "lee sung ho"."""
    tokens = [t for t in re.split(r"[\s\-‐]+", normalize(text.replace("-", " "))) if t]
    while tokens and (tokens[0] in TITLES or (tokens[0] == "lady" and len(tokens) >= 3)):  # "(First) Lady Ana Ruiz"
        tokens = tokens[1:]
    return " ".join(tokens)
