"""Movement events from the dependency parse: who moved where, in what role, with what status, date and order cues."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Mapping, Sequence

from .arguments import OBJECT_DEPS, itinerary_places, place_arguments
from .articles import Article
from .dates import YEAR_RE, narrative_offset, resolve_date, text_anchor, time_of
from .entities import Entity, MentionKey
from .lexicon import LEXICON as LX
from .parsing import span_text, tokens_where
from .referents import Referents
from .travellers import Who, clause_chain, companions, hosted, traveller_of_word
from .vehicles import Traveller

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .gazetteer import Candidate
    from .geocode import Resolution

# Verbs that describe movement only with a particle ("touched down", "wrapped up"), not alone ("touched on").
PARTICLE_ONLY_VERBS = {"touch", "wrap", "check", "drop", "show", "turn"}
DATE_MAX_HOPS = 6
DATE_CLAUSE_PENALTY = 3  # a date on the governing clause counts less than one on the event's own verb
PAST_TAGS = ("VBD", "VBN")
CONTINUATION_SENTENCES = 2  # how far back the traveller of an unowned "trip to X" may have moved
NARRATIVE_DAY_HOPS = 2  # "the next day" on the event's own verb outranks a date found farther than this
WEAK_DATE_SOURCE = "inferred from weekdays, anchored"  # articles.infer_corpus_dates: a guess from other articles
LARGE_REGION_WORDS = ("state", "macro", "country", "autonomous", "territory", "federal", "continent")
PASSAGES = {"strait", "canal"}  # waters a journey passes through ("crossed the X Strait"), unlike seas and oceans


@dataclass(frozen=True)
class Event:
    """One sentence's claim that a traveller moved to, from, through or was at a place, with its order cues."""

    subject: str  # person cluster id, or a group/vessel id
    place_id: str
    place: str
    lat: float
    lon: float
    feature: str
    role: str
    verb: str
    status: str
    date: str | None
    time: str | None
    article: str
    article_date: str | None
    sentence: str
    raw_start: int  # the sentence's raw-file offsets
    raw_end: int
    order: int  # position of the movement word in the article's cleaned text
    subject_name: str = ""  # display name of a traveller that is not a person cluster
    clause: int = -1  # cleaned offset of the verb the event hangs on (events of one clause share it)
    aspect: str = "simple"  # "pluperfect" for "had flown" (before the narrative's point), "perfect" for "has landed" (the latest)
    sequence: str | None = None  # "later" ("then", "later", "finally"), "earlier" ("earlier", "first"), "last"/"first" (final stop)
    relation: str | None = None  # "after"/"before" the clause at `relative_to` ("after visiting X, he flew to Y")
    relative_to: int = -1
    leg: str = "out"  # "return" for the way back
    date_offset: int | None = None  # days from the previous dated event ("the next day")
    date_source: str = "text"  # "text", "article" (from the article's date) or "" when undated
    headline: bool = False  # told in the headline or a programme ("a visit that spans X"), which sum up, not narrate


def status_of(verb: Token, role: str, sentence_text: str) -> str:
    """done/expected/planned/speculated/denied/cancelled from tense, modality and hedges around the verb."""
    chain = clause_chain(verb)
    words = {t.lower_ for t in verb.sent} | {t.lemma_.lower() for t in verb.sent}
    near = set()
    for k, tok in enumerate(chain):
        if k or verb.lemma_ not in LX.move_verbs:  # the movement verb itself is no modal ("set off" is not "set to")
            near.add(tok.lemma_.lower())
        near.update(c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass", "neg", "advmod", "acomp", "mark"))
        near.update(c.lemma_.lower() for c in tok.children if c.dep_ in ("aux", "auxpass", "neg", "advmod", "acomp"))
    if any(c.dep_ == "neg" for tok in chain[:2] for c in tok.children):
        return "denied"
    low = sentence_text.lower()
    if any(w in low for w in LX.cancel_words):
        return "cancelled"
    hedged = bool(near & LX.hedges) or bool(words & LX.sentence_hedges)
    past = any(t.tag_ == "VBD" for t in chain) or any(c.lower_ in ("has", "had", "have") for t in chain[:2] for c in t.children if c.dep_ == "aux")
    ongoing = verb.tag_ == "VBG" and any(c.dep_ == "aux" and c.lemma_ == "be" for c in verb.children)
    if hedged and not (past and not (near & LX.modal_hedges)):
        return "speculated"
    if near & LX.plan_words:
        return "planned"
    if near & LX.expect_words or (ongoing and role == "destination"):
        return "expected"
    if role == "origin":
        return "departed"
    if role == "via":
        return "passed"
    if verb.lemma_ in ("visit", "tour") or verb.lemma_ in LX.presence_verbs:
        return "visited"
    return "arrived"


def _dates_for(verb: Token, ents_by_token: dict[int, Entity], anchor: str | None, future: bool,
               year_hint: int | None) -> tuple[str | None, str | None, int | None]:
    """Date, time and narrative day offset from DATE/TIME entities governed by the event's verb (not by a speech verb)."""
    date: str | None = None
    time: str | None = None
    offset: int | None = None
    best_date = best_time = 99
    scope = {verb.i: 0}
    for rank, t in enumerate(clause_chain(verb)[1:3], start=1):
        if t.lemma_ in LX.speech_verbs:
            break
        if t.pos_ in ("NOUN", "VERB", "AUX"):
            scope[t.i] = rank
    sentence = span_text(verb.sent)
    for tok in verb.sent:
        ent = ents_by_token.get(tok.i)
        text, label = (ent.text, ent.label) if ent is not None else (tok.text, "TIME" if re.fullmatch(r"\d{1,2}[:.]\d{2}", tok.text) else "")
        if label not in ("DATE", "TIME"):
            continue
        if not _dates_the_verb(tok, scope):
            continue
        hops = 0
        cur = tok
        while cur.head.i != cur.i and cur.i not in scope and hops < DATE_MAX_HOPS:
            cur = cur.head
            hops += 1
        if cur.i not in scope:
            continue
        hops += DATE_CLAUSE_PENALTY * scope[cur.i]
        if label == "DATE" and hops < best_date:
            value = resolve_date(text, anchor, future, sentence, year_hint)
            if value:
                date, best_date, offset = value, hops, None
            elif narrative_offset(text) is not None:
                # "flew into X on Thursday and took a train to Y the following day": the nearer words win
                date, best_date, offset = None, hops, narrative_offset(text)
        if hops < best_time:
            clock = time_of(text, sentence)
            if clock:
                time, best_time = clock, hops
    if best_date > NARRATIVE_DAY_HOPS:
        # "... and took a train to Y the following day": the model often leaves such phrases untagged
        for c in verb.children:
            if c.dep_ in ("npadvmod", "advmod", "prep"):
                days = narrative_offset(verb.doc[c.left_edge.i:c.right_edge.i + 1].text)
                if days is not None:
                    return None, time, days
    return date, time, offset


def _dates_the_verb(tok: Token, scope: dict[int, int]) -> bool:
    """Whether a date token dates the event's clause, not a verb of its own ("where he is to meet Y on 12 June"), a
    speech verb, or an event noun it belongs to ("arrived ahead of the summit on Tuesday")."""
    cur = tok
    through_noun = False
    for _ in range(DATE_MAX_HOPS):
        if cur.i in scope or cur.head.i == cur.i:
            break
        head = cur.head
        if head.i not in scope and (head.lemma_ in LX.speech_verbs or head.pos_ in ("VERB", "AUX")):
            return False
        if head.lower_ in LX.before_marks and through_noun:
            return False
        through_noun = through_noun or (head.pos_ == "NOUN" and head.ent_type_ not in ("DATE", "TIME"))
        cur = head
    return not _after_event_noun(tok)


def _after_event_noun(tok: Token) -> bool:
    """Whether, reading back from a date to its clause's verb, an "ahead of"/"before" phrase names a noun first (the
    parser often hangs "ahead of the summit on Tuesday" on the verb)."""
    noun = False
    for t in reversed(tok.doc[tok.sent.start:tok.i]):
        if t.pos_ in ("VERB", "AUX") and t.dep_ != "amod":
            return False
        if t.lower_ in LX.before_marks:
            return noun
        noun = noun or (t.pos_ == "NOUN" and t.ent_type_ not in ("DATE", "TIME"))
    return False


def article_anchor(article: Article, today: dt.date) -> tuple[str | None, int | None, str]:
    """The date relative words resolve against, a year hint, and where the anchor came from ("article", "text", "")."""
    weak = bool(article.date_source and article.date_source.startswith(WEAK_DATE_SOURCE))
    if article.date and not weak:
        return article.date, int(article.date[:4]), "article"
    years = {int(y) for y in YEAR_RE.findall(article.text)}
    hint = int(article.date[:4]) if article.date else None
    if years and hint not in years:
        hint = max(years)  # the text's own years outrank a guess from the other articles' dates
    stated = text_anchor(article.text, hint, today)
    if stated:
        return stated.isoformat(), stated.year, "text"
    if article.date:
        return article.date, int(article.date[:4]), "article"
    return None, None, ""  # a background year ("the first since 1985") would misdate a bare "17 January"


def _order_cues(verb: Token) -> tuple[str, str | None, str | None, int]:
    """(aspect, sequence marker, relation, offset of the related clause's verb) of an event's verb."""
    aspect = "simple"
    for t in (verb, verb.head if verb.dep_ == "conj" else None):
        if t is None:
            continue
        if t.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ == "had" for c in t.children):
            aspect = "pluperfect"
        elif t.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ in ("has", "have") for c in t.children):
            aspect = "perfect"  # "has anchored off X": the latest state, told first in a lede
        elif t.tag_ == "VBG" and any(c.dep_ == "aux" and c.lower_ in ("is", "are", "am") for c in t.children):
            aspect = "perfect"  # "are currently visiting X": as the article is written, after what it tells in the past
    sequence = None
    for t in [verb] + ([verb.head] if verb.dep_ == "conj" else []):
        for c in t.children:
            low = c.lower_
            if c.dep_ in ("advmod", "prt", "npadvmod", "cc") or (c.dep_ == "prep" and low == "on"):
                if low in LX.later or (low == "on" and verb.lemma_ in LX.move_verbs):
                    sequence = "later"
                elif low in LX.earlier:
                    sequence = "earlier"
            if c.dep_ == "prep" and low in ("before", "after") and any(g.lower_ in ("that", "this") for g in c.children):
                sequence = "earlier" if low == "before" else "later"
        if sequence:
            break
    relation, relative_to = None, -1
    cur = verb
    for _ in range(3):
        marks = [c.lower_ for c in cur.children if c.dep_ in ("mark", "prep", "advmod")]
        if cur.dep_ in ("advcl", "pcomp") or cur.head.dep_ == "prep":
            head = cur.head
            word = None
            if any(m in LX.after_marks for m in marks):
                word = "after"
            elif any(m in LX.before_marks for m in marks):
                word = "before"
            elif cur.dep_ == "pcomp" and head.lower_ in LX.after_marks | LX.before_marks:
                word = "after" if head.lower_ in LX.after_marks else "before"
                head = head.head
            if word:
                relation, relative_to = word, head.idx
                break
        if cur.dep_ not in ("conj", "xcomp"):
            break
        cur = cur.head
    return aspect, sequence, relation, relative_to


def _ordinal_cue(tok: Token) -> str | None:
    """"last" for "made its final stop in X" / "the last leg", "first" for "its first stop": an end of the journey."""
    for t in [tok] + [c for c in tok.children if c.dep_ in OBJECT_DEPS]:
        for c in t.children:
            if c.dep_ == "amod" and c.lower_ in LX.last_ordinals:
                return "last"
            if c.dep_ == "amod" and c.lower_ in LX.first_ordinals:
                return "first"
    return None


def _is_return(tok: Token, particle: str | None) -> bool:
    if tok.lemma_.lower() in ("return", "homecoming") or (particle and particle.split()[-1] in LX.return_words):
        return True
    return any(c.lower_ in LX.return_words and c.dep_ in ("advmod", "prt", "npadvmod") for c in tok.children)


def _particle(tok: Token) -> str | None:
    for c in tok.children:
        if c.dep_ in ("prt", "advmod") and f"{tok.lemma_.lower()} {c.lower_}" in LX.particles:
            return f"{tok.lemma_.lower()} {c.lower_}"
    return None


def extract_events(article: Article, doc: Doc, entities: Sequence[Entity], resolved: Sequence[Resolution], assignment: Mapping[MentionKey, str],
                   today: dt.date | None = None, refs: Referents | None = None) -> list[Event]:
    """Movement events of one article, from the dependency parse (`refs`: the article's referents, when already built)."""
    refs = refs or Referents(doc, entities, resolved, assignment)
    anchor, year_hint, anchor_source = article_anchor(article, today or dt.date.today())
    ents_by_token: dict[int, Entity] = {}
    for e in entities:
        if e.label in ("DATE", "TIME"):
            span = doc.char_span(e.clean_start, e.clean_end, alignment_mode="expand")
            if span is not None:
                for t in span:
                    ents_by_token[t.i] = e
    title_end = len(article.title) if article.title and article.text.startswith(article.title) else 0
    sentence_of = {s.start: k for k, s in enumerate(doc.sents)}
    last_mover: tuple[Who, int] | None = None  # the traveller of the latest event, and its sentence's index
    events: list[Event] = []
    for i in _movement_words(doc):
        tok = doc[i]
        lemma = tok.lemma_.lower()
        if tok.i >= 2 and doc[tok.i - 1].text == "-" and not doc[tok.i - 1].whitespace_ and not doc[tok.i - 2].whitespace_:
            joined = f"{doc[tok.i - 2].lower_}-{tok.lower_}"  # "send-off" is tokenized send / - / off
            if joined in LX.move_nouns:  # "a long-journey" is a journey
                lemma = joined
        is_verb = tok.pos_ in ("VERB", "AUX") and (lemma in LX.move_verbs or lemma in LX.presence_verbs or lemma in LX.send_verbs)
        is_noun = tok.pos_ in ("NOUN", "PROPN") and lemma in LX.move_nouns
        if not (is_verb or is_noun):
            continue
        particle = _particle(tok) if is_verb else None
        if lemma in PARTICLE_ONLY_VERBS and particle is None:
            continue
        args = place_arguments(refs, tok, lemma, is_verb, is_noun, particle)
        itinerary = itinerary_places(refs, tok) if is_noun else []
        if not args and not itinerary:
            continue
        continued = bool(last_mover and _continues_journey(tok, lemma, is_noun)
                         and sentence_of[tok.sent.start] - last_mover[1] <= CONTINUATION_SENTENCES)
        mover = last_mover[0] if last_mover and continued else None
        subject, anchor_tok = traveller_of_word(refs, tok, is_noun, mover)
        if subject is None and mover:
            subject = mover  # "X landed in Y. The tour includes a trip on Thursday to Z": the trip is X's
        travellers = ([subject] if subject else []) + companions(refs, anchor_tok, subject) + ([] if is_noun else hosted(refs, tok))
        if travellers:
            last_mover = (travellers[0], sentence_of[tok.sent.start])
        for who in travellers:
            events.extend(_events_of(article, who, tok, anchor_tok, lemma, particle, args, is_noun, ents_by_token,
                                     anchor, year_hint, anchor_source, title_end))
            for verb, place in itinerary:  # "a visit that spans X and Y": planned unless told in the past
                events.extend(_events_of(article, who, tok, anchor_tok, lemma, particle, [("stop", place)], is_noun,
                                         ents_by_token, anchor, year_hint, anchor_source, title_end, itinerary=verb))
    return _narrative_dates(events)


def _movement_words(doc: Doc) -> list[int]:
    """Indexes of the tokens `extract_events` looks at: a movement, presence or sending lemma, or a word glued to a
    hyphen after another ("send-off"); the other tokens cannot start an event."""
    words = LX.move_verbs | LX.presence_verbs | LX.send_verbs | LX.move_nouns
    glued = [i + 1 for i in tokens_where(doc, "ORTH", lambda text: text == "-") if 1 <= i < len(doc) - 1]
    return sorted(set(tokens_where(doc, "LEMMA", lambda lemma: lemma.lower() in words)).union(glued))


def _continues_journey(tok: Token, lemma: str, is_noun: bool) -> bool:
    """Whether a movement noun said of no one ("a trip on Thursday to X", not "a trip by students") continues the
    journey told just before."""
    if not is_noun or lemma not in LX.journey_nouns or any(
            c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ in ("by", "of", "for")) for c in tok.children):
        return False
    for anc in tok.ancestors:  # "his father made a journey": someone else's; "the visit includes a trip": the same
        subjects = [c for c in anc.children if c.dep_ in ("nsubj", "nsubjpass") and c.i != tok.i]
        if subjects:
            return all(c.lemma_.lower() in LX.move_nouns for c in subjects)
    return True


def _events_of(article: Article, who: Who, tok: Token, anchor_tok: Token, lemma: str, particle: str | None, args: list[tuple[str, Candidate]],
               is_noun: bool,
               ents_by_token: dict[int, Entity], anchor: str | None, year_hint: int | None, anchor_source: str,
               title_end: int, itinerary: Token | None = None) -> list[Event]:
    """The events of one movement word for one traveller, one per (role, place) argument (`itinerary`: the verb
    that lists the places, "spans" in "a visit that spans X and Y")."""
    events = []
    subject_id, subject_name = (who.id, who.name) if isinstance(who, Traveller) else (who, "")
    sent = tok.sent
    aspect, sequence, relation, relative_to = _order_cues(anchor_tok)
    sequence = _ordinal_cue(tok) or sequence
    leg = "return" if _is_return(tok, particle) else "out"
    raw_start, raw_end = article.raw_span(sent.start_char, sent.end_char)
    clause = anchor_tok
    while clause.pos_ not in ("VERB", "AUX") and clause.head.i != clause.i:
        clause = clause.head  # "flew to X, with a stopover in Y": the stopover belongs to the flight's clause
    for role, place in args:
        status = status_of(anchor_tok, role, span_text(sent))
        lister = itinerary if itinerary is not None else anchor_tok
        if is_noun and lister.lemma_.lower() in LX.itinerary_verbs and lister.tag_ not in PAST_TAGS:
            status = "expected"  # "the tour includes a trip on Thursday to X", "a visit that spans X": the programme
        elif itinerary is not None:
            status = "visited"
        if is_noun and status == "arrived" and role == "origin":
            status = "departed"
        future = status in ("expected", "planned", "speculated")
        date, time, offset = _dates_for(lister, ents_by_token, anchor, future, year_hint)
        feature = place.category if place.feature == "water" and place.category in PASSAGES else place.feature
        if feature == "region" and not any(w in place.category for w in LARGE_REGION_WORDS):
            feature = "local-region"  # a capital city that is also a region, a unitary authority, a province named after its capital; not a state or macro-region
        events.append(Event(subject_id, place.id, place.name, place.lat, place.lon, feature, role, lemma, status,
                            date, time, article.id, anchor or article.date, span_text(sent).strip(), raw_start, raw_end, tok.idx,
                            subject_name, clause.idx, aspect, sequence, relation, relative_to, leg, offset,
                            "text" if date else anchor_source, tok.idx < title_end or itinerary is not None))
    return events


def _narrative_dates(events: list[Event]) -> list[Event]:
    """Dates for events told relative to the previous dated event of the same traveller ("the next day")."""
    out: list[Event] = []
    last: dict[str, str] = {}
    for e in sorted(events, key=lambda e: e.order):
        if e.date is None and e.date_offset is not None and e.subject in last:
            e = replace(e, date=(dt.date.fromisoformat(last[e.subject]) + dt.timedelta(days=e.date_offset)).isoformat(),
                        date_source="text")
        if e.date and len(e.date) == 10:
            last[e.subject] = e.date
        out.append(e)
    return out
