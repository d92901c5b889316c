"""Movement events from the dependency parse, their dates and status, and routes merged across articles."""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Sequence

from geopy.distance import geodesic

from .articles import Article, MONTHS, WEEKDAYS, parse_full_date
from .entities import Entity
from .gazetteer import Candidate

MOVE_VERBS = {"arrive", "depart", "leave", "cross", "enter", "reach", "head", "travel", "pass", "stop", "return", "visit",
              "land", "fly", "board", "go", "come", "move", "drive", "sail", "journey", "continue", "proceed", "transit",
              "tour", "embark", "disembark", "exit", "ride", "steam", "roll", "fly", "set", "take", "make", "pull", "get"}
PRESENCE_VERBS = {"meet", "attend", "greet", "receive", "stay", "spend", "hold", "welcome", "speak", "address", "inspect"}
SEND_VERBS = {"send", "bring", "take", "escort", "fly", "drive", "dispatch"}
MOVE_NOUNS = {"send-off", "departure", "arrival", "trip", "visit", "journey", "stop", "stopover", "layover", "flight",
              "voyage", "tour", "ride", "crossing", "return", "way", "send"}
LIGHT_VERBS = {"make", "pay", "take", "begin", "start", "continue", "end", "complete", "give", "be", "get"}
VEHICLES = {"train", "plane", "jet", "motorcade", "convoy", "ferry", "ship", "vessel", "aircraft", "helicopter", "car",
            "limousine", "delegation", "entourage", "flight", "yacht", "boat", "bus", "cortege", "carriage", "locomotive",
            "airplane", "airliner", "coach", "liner", "cruise", "caravan", "procession"}
ROLE_BY_PREP = {"from": "origin", "out": "origin", "to": "destination", "for": "destination", "towards": "destination",
                "toward": "destination", "into": "destination", "onto": "destination", "at": "stop", "in": "stop",
                "through": "via", "via": "via", "past": "via", "across": "via", "over": "via"}
DOBJ_ROLE = {"leave": "origin", "depart": "origin", "exit": "origin", "reach": "destination", "enter": "destination",
             "visit": "stop", "tour": "stop", "cross": "via", "pass": "via", "board": "origin", "attend": "stop"}
FOR_VERBS = {"leave", "depart", "head", "set", "sail", "fly", "bound", "embark", "board"}
SPEECH_VERBS = {"say", "tell", "add", "note", "quote", "report", "write", "state", "explain", "claim"}
HEDGES = {"might", "may", "could", "possibly", "perhaps", "speculation", "speculate", "speculated", "rumour", "rumor",
          "rumoured", "rumored", "presumed", "presumably", "believe", "believed", "likely", "unconfirmed", "reportedly",
          "suggest", "suspected", "apparently", "purportedly"}
PLAN_WORDS = {"plan", "intend", "schedule", "prepare", "aim", "decide", "arrange", "want", "hope", "promise"}
EXPECT_WORDS = {"expect", "set", "due", "will", "would", "shall", "soon", "going", "anticipate"}
CANCEL_WORDS = {"cancel", "cancelled", "canceled", "postpone", "postponed", "scrap", "scrapped", "call off", "called off",
                "abandon", "abandoned", "shelve", "shelved"}
DONE_STATUS = {"departed", "arrived", "visited", "passed"}
STATUS_RANK = {"arrived": 7, "departed": 7, "visited": 6, "passed": 5, "planned": 4, "expected": 3, "speculated": 2,
               "cancelled": 1, "denied": 0}
ROLE_RANK = {"origin": 0, "via": 1, "stop": 2, "destination": 3}
STOP_FEATURES = {"city", "town", "village", "station", "facility", "landmark"}
SAME_PLACE_KM = 25.0
TRIP_GAP_DAYS = 14
GENERIC_PLACE_NOUNS = {"city", "town", "village", "capital", "port", "station", "cosmodrome", "spaceport", "airport",
                       "region", "province", "base", "resort", "island", "harbour", "harbor"}


@dataclass(frozen=True)
class Event:
    """One sentence's claim that a subject moved to, from, through or was at a place."""

    subject: str  # person cluster id
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
    start: int  # raw offsets of the sentence
    end: int
    order: int  # position in the article's cleaned text


@dataclass
class Stop:
    place_id: str
    name: str
    lat: float
    lon: float
    date: str | None
    time: str | None
    status: str
    roles: list[str]
    articles: list[str]
    evidence: list[dict]


@dataclass
class Route:
    subject: str
    subject_id: str
    trip: dict
    stops: list[Stop]
    legs: list[dict]
    current: bool
    claims: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable id of this subject's trip."""
        return f"{self.subject_id}-{self.trip.get('start') or 'undated'}"


# --------------------------------------------------------------------------- dates


def resolve_date(text: str, article_date: str | None, future: bool) -> str | None:
    """ISO date (or YYYY-MM / YYYY) of a DATE entity's text, relative words resolved against the article's date."""
    full = parse_full_date(text)
    if full:
        return full.isoformat()
    anchor = dt.date.fromisoformat(article_date) if article_date else None
    low = text.lower()
    m = re.search(r"\b(\d{1,2})\s+([a-z]{3,9})\b|\b([a-z]{3,9})\.?\s+(\d{1,2})\b", low)
    if m:
        day, mon = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if mon.rstrip(".") in MONTHS and anchor:
            try:
                d = dt.date(anchor.year, MONTHS[mon.rstrip(".")], int(day))
            except ValueError:
                d = None
            if d:
                if (d - anchor).days > 180:
                    d = d.replace(year=d.year - 1)
                return d.isoformat()
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", low)
    for name, wd in WEEKDAYS.items():
        if re.search(rf"\b{name}\b", low) and anchor:
            if future:
                return (anchor + dt.timedelta(days=(wd - anchor.weekday()) % 7)).isoformat()
            return (anchor - dt.timedelta(days=(anchor.weekday() - wd) % 7)).isoformat()
    if anchor:
        if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", low):
            return anchor.isoformat()
        if re.search(r"\b(yesterday|last night)\b", low):
            return (anchor - dt.timedelta(days=1)).isoformat()
        if "day after tomorrow" in low:
            return (anchor + dt.timedelta(days=2)).isoformat()
        if "tomorrow" in low:
            return (anchor + dt.timedelta(days=1)).isoformat()
        if "last year" in low:
            return str(anchor.year - 1)
        for name, num in MONTHS.items():
            if len(name) > 3 and re.search(rf"\b{name}\b", low) and not year:
                y = anchor.year if (num <= anchor.month) != future or num == anchor.month else anchor.year + (1 if future else -1)
                return f"{y}-{num:02d}"
    if year:
        for name, num in MONTHS.items():
            if len(name) > 3 and re.search(rf"\b{name}\b", low):
                return f"{year.group(1)}-{num:02d}"
        return year.group(1)
    return None


def _time_of(text: str, sentence: str) -> str | None:
    m = re.search(r"\b(\d{1,2})[:.](\d{2})\b", text)
    if not m:
        m2 = re.search(r"\b(morning|afternoon|evening|night|noon|midnight|dawn)\b", text.lower())
        return m2.group(1) if m2 else None
    value = f"{int(m.group(1)):02d}:{m.group(2)}"
    tz = re.search(re.escape(m.group(0)) + r"\s*\(\s*(\d{1,2})[:.](\d{2})\s*(GMT|UTC)\s*\)", sentence)
    if tz:
        local = int(m.group(1)) * 60 + int(m.group(2))
        utc = int(tz.group(1)) * 60 + int(tz.group(2))
        offset = (local - utc + 12 * 60) % (24 * 60) - 12 * 60
        sign = "+" if offset >= 0 else "-"
        value += f" (UTC{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d})"
    else:
        zone = re.search(re.escape(m.group(0)) + r"\s*(GMT|UTC|[A-Z]{2,4}T)\b", sentence)
        if zone:
            value += f" {zone.group(1)}"
    return value


# --------------------------------------------------------------------------- parse helpers


def _clause_chain(token) -> list:
    """The token and the verbs that govern it through open clauses (xcomp, advcl, conj, ccomp, relcl)."""
    chain = [token]
    cur = token
    while cur.dep_ in ("xcomp", "advcl", "conj", "ccomp", "relcl", "acl", "pcomp", "prep", "pobj", "dobj", "attr") and cur.head.i != cur.i:
        cur = cur.head
        chain.append(cur)
        if len(chain) > 8:
            break
    return chain


class _Resolver:
    """Maps tokens of one doc to person clusters, vehicles and resolved places."""

    def __init__(self, doc, entities: Sequence[Entity], resolved, assignment):
        self.doc = doc
        self.person_at: dict[int, tuple[str, Entity]] = {}
        self.place_at: dict[int, Candidate] = {}
        self.mentions: Counter = Counter()
        self.person_mentions: list[tuple[int, str, object]] = []  # (token index, cluster, token)
        for e in entities:
            span = doc.char_span(e.start, e.end, alignment_mode="expand")
            if span is None:
                continue
            if e.label == "PERSON":
                cid = assignment.get((e.article, e.index))
                if cid:
                    for t in span:
                        self.person_at[t.i] = (cid, e)
                    self.mentions[cid] += 1
                    self.person_mentions.append((span.root.i, cid, span.root))
        for t_, cand, _conf, _met in resolved:
            span = doc.char_span(t_.entity.start, t_.entity.end, alignment_mode="expand")
            if span is not None and not t_.demonym:
                for t in span:
                    self.place_at[t.i] = cand
        self.person_mentions.sort()
        self.sents = list(doc.sents)
        self.sent_starts = [s.start for s in self.sents]

    def _sent_index(self, token) -> int:
        import bisect

        return max(0, bisect.bisect_right(self.sent_starts, token.i) - 1)

    def place(self, token) -> Candidate | None:
        if token.i in self.place_at:
            return self.place_at[token.i]
        for child in token.children:
            if child.dep_ in ("compound", "nmod", "amod") and child.i in self.place_at:
                return self.place_at[child.i]
        if token.lower_ in GENERIC_PLACE_NOUNS or token.lemma_ in GENERIC_PLACE_NOUNS:
            for child in token.children:
                if child.dep_ == "appos" and child.i in self.place_at:
                    return self.place_at[child.i]
                if child.dep_ == "prep" and child.lower_ == "of":
                    for pobj in child.children:
                        if pobj.i in self.place_at:
                            return self.place_at[pobj.i]
        if token.lower_ in ("which", "that", "where"):
            cur = token
            while cur.head.i != cur.i and cur.dep_ != "relcl":
                cur = cur.head
            if cur.dep_ == "relcl":
                return self.place(cur.head)
        return None

    def _speaker(self, token) -> bool:
        return token.dep_ in ("nsubj",) and token.head.lemma_ in SPEECH_VERBS

    def pronoun(self, token) -> str | None:
        """Antecedent cluster of a personal pronoun: the subject governing it in the same sentence, else the
        most salient recent person, passing over speakers of earlier sentences."""
        sent = token.sent
        for anc in token.ancestors:
            for child in anc.children:
                if child.dep_ in ("nsubj", "nsubjpass") and child.i < token.i and child.i in self.person_at:
                    return self.person_at[child.i][0]
        window_start = self.sents[max(0, self._sent_index(token) - 3)].start
        best, best_score = None, -1e9
        for pos, cid, root in self.person_mentions:
            if pos >= token.i or pos < window_start:
                continue
            score = math.log1p(self.mentions[cid]) + 0.3 * (pos - window_start) / max(1, token.i - window_start)
            if root.sent.start != sent.start and self._speaker(root):
                score -= 1.5
            if root.dep_ == "appos" or root.head.dep_ == "appos":
                score -= 0.5
            if score > best_score:
                best, best_score = cid, score
        return best

    def owner_of_vehicle(self, token) -> str | None:
        for child in token.children:
            if child.dep_ == "poss":
                return self.subject_of_token(child)
        for child in token.children:
            if child.dep_ in ("acl", "relcl") and child.lemma_ in ("carry", "transport", "bring"):
                for obj in child.subtree:
                    if obj.i in self.person_at:
                        return self.person_at[obj.i][0]
                for obj in child.children:
                    if obj.dep_ == "dobj":
                        return self.pronoun(obj) if obj.lower_ in ("him", "her") else None
            if child.dep_ == "prep" and child.lower_ in ("of", "with", "carrying"):
                for obj in child.subtree:
                    if obj.i in self.person_at:
                        return self.person_at[obj.i][0]
        return self.pronoun(token)

    def vehicle_before(self, token):
        lo = self.sents[max(0, self._sent_index(token) - 1)].start
        for i in range(token.i - 1, lo - 1, -1):
            if self.doc[i].lemma_.lower() in VEHICLES and self.doc[i].pos_ == "NOUN":
                return self.doc[i]
        return None

    def subject_of_token(self, token) -> str | None:
        if token.i in self.person_at:
            return self.person_at[token.i][0]
        low = token.lower_
        if low in ("he", "she", "him", "her", "his", "hers"):
            return self.pronoun(token)
        if low in ("it", "its"):
            vehicle = self.vehicle_before(token)
            return self.owner_of_vehicle(vehicle) if vehicle is not None else None
        if token.lemma_.lower() in VEHICLES:
            return self.owner_of_vehicle(token)
        for child in token.children:
            if child.dep_ == "compound" and child.i in self.person_at:
                return self.person_at[child.i][0]
        return None

    def subject(self, verb) -> str | None:
        """The person who moves: the subject of the verb or of the clause that governs it."""
        if verb.lemma_ in SEND_VERBS:
            for child in verb.children:
                if child.dep_ == "dobj":
                    who = self.subject_of_token(child)
                    if who:
                        return who
        for tok in _clause_chain(verb):
            if tok.pos_ not in ("VERB", "AUX", "NOUN"):
                continue
            for child in tok.children:
                if child.dep_ in ("nsubj", "nsubjpass", "poss", "agent") and child.dep_ != "agent":
                    who = self.subject_of_token(child)
                    if who:
                        return who
                    if child.dep_ in ("nsubj", "nsubjpass"):
                        break
            else:
                continue
            break
        return None


def _status(verb, role: str, sentence_text: str) -> str:
    """done/expected/planned/speculated/denied/cancelled from tense, modality and hedges around the verb."""
    chain = _clause_chain(verb)
    words = {t.lower_ for t in verb.sent} | {t.lemma_.lower() for t in verb.sent}
    near = set()
    for tok in chain:
        near.add(tok.lemma_.lower())
        near.update(c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass", "neg", "advmod", "acomp", "mark"))
        near.update(c.lemma_.lower() for c in tok.children if c.dep_ in ("aux", "auxpass", "neg", "advmod", "acomp"))
    if any(c.dep_ == "neg" for tok in chain[:2] for c in tok.children):
        return "denied"
    low = sentence_text.lower()
    if any(w in low for w in CANCEL_WORDS):
        return "cancelled"
    hedged = bool(near & HEDGES) or bool(words & {"speculation", "speculate", "rumour", "rumor", "believe", "presumed", "likely", "might"})
    planned = bool(near & PLAN_WORDS)
    expected = bool(near & EXPECT_WORDS)
    past = any(t.tag_ in ("VBD",) for t in chain) or any(c.lower_ in ("has", "had", "have") for t in chain[:2] for c in t.children if c.dep_ == "aux")
    ongoing = verb.tag_ == "VBG" and any(c.dep_ == "aux" and c.lemma_ == "be" for c in verb.children)
    if hedged and not (past and not (near & {"might", "may", "could", "likely"})):
        return "speculated"
    if planned:
        return "planned"
    if expected or (ongoing and role == "destination"):
        return "expected"
    if role == "origin":
        return "departed"
    if role == "via":
        return "passed"
    if verb.lemma_ in ("visit", "tour") or verb.lemma_ in PRESENCE_VERBS:
        return "visited"
    return "arrived"


def _dates_for(verb, entities_by_token: dict[int, Entity], article_date: str | None, future: bool) -> tuple[str | None, str | None]:
    """Date and time from DATE/TIME entities governed by the event's verb (not by a speech verb above it)."""
    date = time = None
    best_date = best_time = 99
    scope = {verb.i: 0}
    for rank, t in enumerate(_clause_chain(verb)[1:3], start=1):
        if t.lemma_ in SPEECH_VERBS:
            break
        if t.pos_ in ("NOUN", "VERB", "AUX"):
            scope[t.i] = rank
    for tok in verb.sent:
        ent = entities_by_token.get(tok.i)
        if ent is None and re.fullmatch(r"\d{1,2}[:.]\d{2}", tok.text):
            ent = Entity("", -1, "TIME", tok.text, tok.text, tok.idx, tok.idx + len(tok.text), 0, 0, 0, 0)  # clock times the model missed
        if ent is None or ent.label not in ("DATE", "TIME"):
            continue
        hops = 0
        cur = tok
        while cur.head.i != cur.i and cur.i not in scope and hops < 6:
            if cur.head.lemma_ in SPEECH_VERBS and cur.head.i not in scope:
                hops = 99
                break
            cur = cur.head
            hops += 1
        if cur.i not in scope:
            continue
        hops += 3 * scope[cur.i]  # a date on the governing clause counts less than one on the event's own verb
        if ent.label == "DATE" and hops < best_date:
            value = resolve_date(ent.text, article_date, future)
            if value:
                date, best_date = value, hops
        if hops < best_time:
            t = _time_of(ent.text, verb.sent.text)
            if t:
                time, best_time = t, hops
    return date, time


def extract_events(article: Article, doc, entities: Sequence[Entity], resolved, assignment) -> list[Event]:
    """Movement events of one article, from the dependency parse."""
    res = _Resolver(doc, entities, resolved, assignment)
    ents_by_token: dict[int, Entity] = {}
    for e in entities:
        if e.label in ("DATE", "TIME"):
            span = doc.char_span(e.start, e.end, alignment_mode="expand")
            if span is not None:
                for t in span:
                    ents_by_token[t.i] = e
    events: list[Event] = []
    for tok in doc:
        lemma = tok.lemma_.lower()
        if tok.i >= 2 and doc[tok.i - 1].text == "-" and not doc[tok.i - 1].whitespace_ and not doc[tok.i - 2].whitespace_:
            lemma = f"{doc[tok.i - 2].lower_}-{tok.lower_}"  # "send-off" is tokenized send / - / off
        is_verb = tok.pos_ in ("VERB", "AUX") and (lemma in MOVE_VERBS or lemma in PRESENCE_VERBS or lemma in SEND_VERBS)
        is_noun = tok.pos_ in ("NOUN", "PROPN") and lemma in MOVE_NOUNS
        if not (is_verb or is_noun):
            continue
        args: list[tuple[str, Candidate]] = []
        presence = lemma in PRESENCE_VERBS
        children = list(tok.children)
        if is_noun and tok.head.pos_ == "VERB" and tok.head.lemma_ in LIGHT_VERBS | {"give", "show"}:
            # "given a send-off ... at X station": the place may hang off the light verb or a modifier of it.
            children += [c for c in tok.head.children if c.dep_ == "prep"]
            children += [g for c in tok.head.children if c.dep_ in ("advcl", "acomp") for g in c.children if g.dep_ == "prep"]
        for child in children:
            if child.dep_ == "prep" and child.lower_ in ROLE_BY_PREP:
                role = ROLE_BY_PREP[child.lower_]
                if child.lower_ == "for" and lemma not in FOR_VERBS and not is_noun:
                    continue
                if presence and role != "stop":
                    continue
                if is_noun and child.lower_ in ("in", "at") and lemma not in ("stop", "stopover", "layover", "send-off", "arrival", "visit", "departure"):
                    continue
                if child.lower_ == "out":
                    child = next((c for c in child.children if c.lower_ == "of"), child)
                for pobj in [c for c in child.children if c.dep_ == "pobj"]:
                    for target in [pobj] + [c for c in pobj.children if c.dep_ == "conj"]:
                        place = res.place(target)
                        if place is not None:
                            args.append((role, place))
            elif child.dep_ in ("dobj", "obj") and is_verb:
                if lemma in DOBJ_ROLE:
                    place = res.place(child)
                    if place is not None:
                        args.append((DOBJ_ROLE[lemma], place))
                if presence:
                    for prep in child.children:
                        if prep.dep_ == "prep" and prep.lower_ in ("in", "at"):
                            for pobj in prep.children:
                                place = res.place(pobj)
                                if place is not None:
                                    args.append(("stop", place))
        if not args:
            continue
        if is_noun:
            subject = None
            for child in tok.children:
                if child.dep_ == "poss":
                    subject = res.subject_of_token(child)
            if subject is None and tok.head.lemma_ in LIGHT_VERBS | {"give", "show"} | PRESENCE_VERBS:
                subject = res.subject(tok.head)
            if subject is None:
                for anc in tok.ancestors:
                    for child in anc.children:
                        if child.dep_ in ("nsubj", "nsubjpass") and child.i != tok.i:
                            subject = res.subject_of_token(child)
                            break
                    if subject:
                        break
            anchor = tok.head if tok.head.pos_ in ("VERB", "AUX") else tok
        else:
            subject = res.subject(tok)
            anchor = tok
        if not subject:
            continue
        sent = tok.sent
        for role, place in args:
            if lemma in ("send-off", "departure", "send"):
                role = "origin"
            if lemma in ("arrival",) and role == "stop":
                role = "destination"
            if lemma in ("stopover", "layover", "transit") and role == "stop":
                role = "via"
            status = _status(anchor, role, sent.text)
            if is_noun and status == "arrived" and role == "origin":
                status = "departed"
            future = status in ("expected", "planned", "speculated")
            date, time = _dates_for(anchor, ents_by_token, article.date, future)
            raw_start, raw_end = article.raw_span(sent.start_char, sent.end_char)
            events.append(Event(subject, place.id, place.name, place.lat, place.lon, place.feature, role, lemma, status,
                                date, time, article.id, article.date, sent.text.strip(), raw_start, raw_end, tok.idx))
    return events


# --------------------------------------------------------------------------- routes


def _effective_date(e: Event) -> dt.date | None:
    value = e.date if e.date else e.article_date
    if not value:
        return None
    parts = value.split("-")
    try:
        return dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return None


def _trips(events: list[Event]) -> list[list[Event]]:
    dated = sorted(events, key=lambda e: (_effective_date(e) or dt.date.min, e.article, e.order))
    trips: list[list[Event]] = []
    last: dt.date | None = None
    for e in dated:
        d = _effective_date(e)
        if trips and (d is None or last is None or (d - last).days <= TRIP_GAP_DAYS):
            trips[-1].append(e)
        else:
            trips.append([e])
        last = d or last
    return trips


def _merge_stops(events: list[Event]) -> list[Stop]:
    groups: list[list[Event]] = []
    for e in events:
        for g in groups:
            if g[0].place_id == e.place_id or geodesic((g[0].lat, g[0].lon), (e.lat, e.lon)).km <= SAME_PLACE_KM:
                g.append(e)
                break
        else:
            groups.append([e])
    stops = []
    for g in groups:
        statuses = Counter(e.status for e in g)
        best = max(statuses, key=lambda s: (STATUS_RANK[s], statuses[s]))
        done = [s for s in statuses if s in DONE_STATUS]
        if done:
            best = max(done, key=lambda s: (statuses[s], STATUS_RANK[s]))
        articles = sorted({e.article for e in g})
        if best == "speculated" and len({e.article for e in g if e.status == "speculated"}) >= 2:
            best = "expected"  # the same likely destination from independent sources
        dated = [e for e in g if e.date and len(e.date) == 10 and (e.status in DONE_STATUS) == (best in DONE_STATUS)]
        dated = dated or [e for e in g if e.date and len(e.date) == 10]
        date = min(e.date for e in dated) if dated else None
        times = [e.time for e in g if e.time and re.match(r"\d", e.time)] or [e.time for e in g if e.time]
        head = max(g, key=lambda e: (e.feature in ("station", "facility"), len(e.place)))
        stops.append(Stop(head.place_id, head.place, head.lat, head.lon, date, times[0] if times else None, best,
                          sorted({e.role for e in g}, key=ROLE_RANK.get), articles,
                          [{"article": e.article, "sentence": e.sentence, "start": e.start, "end": e.end, "status": e.status,
                            "verb": e.verb, "role": e.role, "date": e.date} for e in g]))
    return stops


def _stop_key(stop: Stop, first_order: dict[str, tuple]) -> tuple:
    future = stop.status not in DONE_STATUS
    if "origin" in stop.roles and stop.status == "departed":
        role = 0
    elif stop.roles == ["via"] or stop.status == "passed":
        role = 1
    else:
        role = max(ROLE_RANK[r] for r in stop.roles)
    return (future, stop.date or "9999", stop.time or "", role, first_order[stop.place_id])


def build_routes(events: Sequence[Event], subject_names: dict[str, str], article_dates: dict[str, str | None]) -> list[Route]:
    """Routes of every subject with two or more stops in one trip, stops in time order, with legs."""
    routes: list[Route] = []
    by_subject: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.feature in STOP_FEATURES and e.status not in ("denied", "cancelled"):
            by_subject[e.subject].append(e)
    latest_article = max((d for d in article_dates.values() if d), default=None)
    for subject, evs in by_subject.items():
        for trip in _trips(evs):
            # Forward-looking claims are superseded by newer articles' claims about where the subject is heading.
            future = [e for e in trip if e.status not in DONE_STATUS]
            claims = []
            if future:
                newest = max((e.article_date or "") for e in future)
                done_places = {e.place_id for e in trip if e.status in DONE_STATUS}
                kept = []
                for e in trip:
                    if e.status in DONE_STATUS or (e.article_date or "") >= newest or e.place_id in done_places:
                        kept.append(e)
                    else:
                        claims.append({"place": e.place, "status": e.status, "article": e.article, "sentence": e.sentence,
                                       "superseded_by": "newer reports of the destination"})
                trip = kept
            stops = _merge_stops(trip)
            if len(stops) < 2:
                continue
            first_order = {}
            for e in sorted(trip, key=lambda e: (e.article, e.order)):
                for s in stops:
                    if s.place_id not in first_order and (s.place_id == e.place_id):
                        first_order[s.place_id] = (e.article, e.order)
            for s in stops:
                first_order.setdefault(s.place_id, ("~", 0))
            stops.sort(key=lambda s: _stop_key(s, first_order))
            legs = []
            for a, b in zip(stops, stops[1:]):
                km = geodesic((a.lat, a.lon), (b.lat, b.lon)).km
                leg = {"from": a.name, "to": b.name, "km": round(km, 1),
                       "status": "done" if a.status in DONE_STATUS and b.status in DONE_STATUS else "expected"}
                if a.date and b.date:
                    leg["days"] = (dt.date.fromisoformat(b.date) - dt.date.fromisoformat(a.date)).days
                legs.append(leg)
            dates = sorted(s.date for s in stops if s.date) or sorted(e.date for e in trip if e.date)
            trip_dates = sorted(d for d in (_effective_date(e) for e in trip) if d)
            current = bool(latest_article and trip_dates and abs((dt.date.fromisoformat(latest_article) - trip_dates[-1]).days) <= TRIP_GAP_DAYS)
            routes.append(Route(subject_names.get(subject, subject), subject,
                                {"start": dates[0] if dates else None, "end": dates[-1] if dates else None},
                                stops, legs, current, claims))
    routes.sort(key=lambda r: (not r.current, -len(r.stops), r.subject))
    return routes
