"""Entity mentions the model missed, found after its spans are cleaned up: names with a role, acronyms defined in the
corpus, dateline places, known places after a place preposition, facilities named by their head noun."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from . import entities  # a cycle: entities.fix_entities calls this module; names are read at call time
from .parsing import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .entities import SpanFix

ROLE_NOUNS = {"analyst", "spokesperson", "spokesman", "spokeswoman", "professor", "expert", "researcher", "president",
              "director", "minister", "official", "head", "chief", "founder", "author", "editor", "correspondent",
              "reporter", "economist", "adviser", "advisor", "ambassador", "governor", "mayor", "lawyer", "senator",
              "secretary", "chairman", "chairwoman", "ceo", "fellow", "scholar", "commander", "diplomat", "lecturer",
              "scientist", "historian", "student", "resident", "witness", "activist", "journalist", "specialist"}
ORG_WORDS = {"department", "ministry", "army", "council", "agency", "committee", "office", "institute", "university",
             "party", "bank", "group", "forces", "force", "corporation", "company", "news", "service", "command"}
# "SEOUL/WASHINGTON –", "LYON, France —": all-caps places, then their country or state in ordinary case.
DATELINE_RE = re.compile(r"^(?P<places>[A-Z][A-Z.'’ -]{2,}(?:/[A-Z][A-Z.'’ -]{2,})*)(?:,\s*[A-Z][\w.'’ -]{1,30})?"
                         r"\s*(?:\([^)]{1,40}\))?\s*[–—-]\s")
PARAGRAPH_RE = re.compile(r"(?:^|\n\n)([^\n]+)")
# "Minister of Natural Resources Alexander Kozlov": a title, an "of" phrase, then the name.
TITLE_OF_NAME_RE = re.compile(r"\b(?:Minister|Secretary|Director|Head|Chairman|Governor) of (?:[A-Z][\w’'-]+ ){1,4}?"
                              r"([A-Z][\w’'-]+ [A-Z][\w’'-]+)(?=[.,;]| and | said| told)")
# "Yonhap news agency", "Asahi newspaper": a name right before what it is.
NAME_BEFORE_ORG_TYPE_RE = re.compile(r"\b([A-Z][\w-]+(?: [A-Z][\w-]+)?) (?:news agency|news service|newspaper|daily|broadcaster|wire service)\b")


def acronyms(doc: Doc, spans: list[SpanFix], defined: Iterable[str]) -> list[SpanFix]:
    """Tokens written as an acronym defined in the corpus, outside the spans found so far."""
    wanted = {doc.vocab.strings[a] for a in defined}  # a string's id, added to the vocabulary or not
    covered = {i for s, e, _, _ in spans for i in range(s, e)}
    return [(i, i + 1, "ORG", "acronym defined in the corpus") for i, orth in enumerate(doc.to_array("ORTH").tolist())
            if orth in wanted and i not in covered]


def _name_run(toks: Sequence[Token], i: int, limit: int = 4) -> int:
    """End of a run of capitalised proper-noun tokens starting at i (hyphenated parts included)."""
    j = i
    while j < len(toks) and j - i < limit + 2:
        tok = toks[j]
        if tok.tag_ == "NNP" and tok.text[:1].isupper() and tok.lower_ not in ORG_WORDS and tok.lower_ not in entities.TITLES:
            j += 1
        elif tok.text == "-" and j > i and not toks[j - 1].whitespace_ and j + 1 < len(toks) and toks[j + 1].is_alpha:
            j += 2
        else:
            break
    return j


def people(doc: Doc, toks: Sequence[Token], text_of: Callable[[int, int], str],
           is_place: Callable[[str], bool]) -> list[SpanFix]:
    """Names the model missed: after a rank or role ("Marshal Pak Jong Chon", "Minister of X Y Name"),
    or before an appositive role ("Hong Min, an analyst")."""
    out: list[SpanFix] = []
    text = doc_text(doc)
    tags, nnp = doc.to_array("TAG").tolist(), doc.vocab.strings["NNP"]
    for i, tok in enumerate(toks):
        if tags[i] != nnp or not tok.text[:1].isupper() or (i > 0 and tags[i - 1] == nnp and toks[i - 1].lower_ not in entities.TITLES):
            continue
        j = _name_run(toks, i)
        if j - i < 2:
            continue
        after = toks[j:j + 4]
        appositive = len(after) >= 2 and after[0].text == "," and any(t.lower_ in ROLE_NOUNS for t in after[1:4])
        after_title = i > 0 and toks[i - 1].lower_ in entities.TITLES and toks[i - 1].lower_ not in entities.HONORIFICS
        if (appositive or after_title) and not entities._is_place_name(is_place, text_of(i, j)):
            start = i - 1 if i > 0 and toks[i - 1].lower_ in entities.HONORIFICS else i
            out.append((start, j, "PERSON", "added (name with a role)"))
    for m in TITLE_OF_NAME_RE.finditer(text):
        span = doc.char_span(m.start(1), m.end(1))
        if span is not None and not entities._is_place_name(is_place, span.text) and not any(t.lower_ in ORG_WORDS for t in span):
            out.append((span.start, span.end, "PERSON", "added (name after a title)"))
    for m in NAME_BEFORE_ORG_TYPE_RE.finditer(text):
        span = doc.char_span(m.start(1), m.end(1))
        if span is not None and not entities._is_place_name(is_place, span.text) and span[0].tag_ == "NNP":
            out.append((span.start, span.end, "ORG", "added (name before an organisation type)"))
    return out


def dateline_places(doc: Doc, is_place: Callable[[str], bool]) -> list[SpanFix]:
    """All-caps datelines at the start of a paragraph ("SEOUL/WASHINGTON –") name places the model misses."""
    out: list[SpanFix] = []
    for para in PARAGRAPH_RE.finditer(doc_text(doc)):
        m = DATELINE_RE.match(para.group(1))
        if not m:
            continue
        base = para.start(1)
        pos = 0
        for part in m["places"].split("/"):
            name = part.strip()
            offset = m["places"].index(part, pos)
            pos = offset + len(part)
            if name and entities._is_place_name(is_place, name.title()):
                lead = len(part) - len(part.lstrip())
                span = doc.char_span(base + offset + lead, base + offset + lead + len(name), alignment_mode="expand")
                if span is not None:
                    out.append((span.start, span.end, "GPE", "dateline (gazetteer)"))
    return out


def places(doc: Doc, toks: Sequence[Token], text_of: Callable[[int, int], str], spans: list[SpanFix],
           is_place: Callable[[str], bool], is_known: Callable[[str], bool] | None = None) -> list[SpanFix]:
    """Capitalised words after a locative preposition that the model left untagged but the gazetteer knows."""
    covered: set[int] = set()
    for s, e, _, _ in spans:
        covered.update(range(s, e))
    out: list[SpanFix] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        after_verb = tok.pos_ == "VERB" and tok.lemma_ in entities.PLACE_OBJECT_VERBS
        if (tok.lower_ in entities.LOCATIVE_PREPS or after_verb) and i + 1 < len(toks) and toks[i + 1].is_title and i + 1 not in covered:
            j = i + 1
            while j < len(toks) and toks[j].is_title and j not in covered and j - i <= 3:
                j += 1
            for end in range(j, i + 1, -1):
                text = text_of(i + 1, end)
                if entities._is_place_name(is_place, text) or (is_known is not None and entities.after_movement(doc, i + 1) and entities._is_place_name(is_known, text)):
                    label = entities.PLACE_HEADS.get(toks[end].lower_, "GPE") if end < len(toks) else "GPE"
                    out.append((i + 1, end, label, "added (gazetteer, geographic context)"))
                    break
            i = j
        else:
            i += 1
    return out


def facilities(toks: Sequence[Token], spans: list[SpanFix]) -> list[SpanFix]:
    """Untagged capitalised names ending in a facility's head noun after a locative preposition ("at the X Air Base")."""
    covered = {i for s, e, _, _ in spans for i in range(s, e)}
    out: list[SpanFix] = []
    for tok in toks:
        if tok.lower_ not in entities.LOCATIVE_PREPS:
            continue
        k = tok.i + 1 + (tok.i + 1 < len(toks) and toks[tok.i + 1].lower_ == "the")
        j = k
        while j < len(toks) and toks[j].is_title and j not in covered and j - k < 5:
            j += 1
        if j - k >= 2 and entities.PLACE_HEADS.get(toks[j - 1].lower_) == "FAC":
            out.append((k, j, "FAC", "added (facility head noun, geographic context)"))
    return out
