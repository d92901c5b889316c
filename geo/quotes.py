"""Quotations in one parsed article: direct quotes and reported speech, each with its speaker and raw offsets."""
from __future__ import annotations

import bisect

import hashlib
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from .articles import Article
from .entities import Entity, MentionKey
from .parsing import doc_text, tokens_where
from .referents import Referents
from .speakers import SX, Speaker, SpeakerResolver, is_speech_verb, speaker_token

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .geocode import Resolution

QuotedParts = tuple[tuple[int, int], ...]  # the clean-text pieces of one quotation, inside their marks

OPENING = "“\""
CLOSING = "”\""
QUOTE_MARK_RE = re.compile(f"[{re.escape(OPENING + CLOSING)}]")
MIN_DIRECT_WORDS = 4  # a shorter quoted fragment is a scare quote or part of reported speech
DIRECT_SHARE = 0.5  # a speech act is direct when quoted words make at least this share of what it reports
ADJACENT_GAP_CHARS = 120  # '“...,” the spokesman for X said': room for the speaker between the mark and the verb
LEAD_IN_CHARS = 60  # 'X said on Tuesday (12 May): “...”': room between the verb and the opening mark
SENTENCE_END_RE = re.compile(r"[.!?;]\s")
CONTENT_DEPS = ("ccomp",)
CLAUSE_ENDS = {".", ",", ";", "!", "?"}  # what may follow an attribution that closes its sentence
OBJECT_DEPS = ("ccomp", "dobj", "xcomp", "dative")  # an attribution with one of these says something of its own
QUOTE_HOLDING_DEPS = ("ccomp", "xcomp", "dobj", "parataxis", "advcl", "npadvmod", "attr", "oprd", "prep")
ACCORDING = "according to"
SHINGLE_WORDS = 3  # quotations are compared by their runs of three words
SAME_QUOTE_SHARE = 0.8  # share of the shorter quotation's word runs the longer must carry to be the same quotation
SAME_SPEAKER_SHARE = 0.5  # ... when both outlets name the same speaker cluster (reported speech is reworded)
CONTINUATION_BREAKS = 2  # the next paragraph at most (a blank line between paragraphs)


@dataclass(frozen=True)
class Quote:
    """One quotation: raw_* offsets index the raw file, clean_* the article's cleaned text."""

    article: str
    kind: str  # "direct" or "reported"
    text: str
    raw_start: int
    raw_end: int
    clean_start: int
    clean_end: int
    raw_parts: tuple[tuple[int, int], ...]  # raw spans of the quoted pieces (one for reported speech)
    verb: str | None  # the speech verb's lemma, "according to", or None for an unattributed quotation
    speaker: str  # as written ("" when nothing names one)
    speaker_raw_start: int | None
    speaker_raw_end: int | None
    speaker_id: str | None  # person or organisation cluster
    clean_parts: tuple[tuple[int, int], ...] = ()  # the pieces in clean-text offsets (what the dashboard highlights)

    @property
    def resolved(self) -> bool:
        return self.speaker_id is not None


@dataclass(frozen=True)
class _Act:
    """A speech act in the parse: its verb, its speaker token, and the clean-text range of what it reports."""

    verb: Token
    label: str
    who: Token | None
    content: tuple[int, int] | None


def quotation_marks(text: str) -> list[QuotedParts]:
    """Quoted spans of `text` as clean-text (start, end) inside the marks; a quotation left open at the end of a
    paragraph continues into the next paragraph when that one opens with a mark (news style for long quotes)."""
    groups: list[QuotedParts] = []
    pending: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        body = para.group()
        lead = len(body) - len(body.lstrip())
        continues = bool(pending) and body[lead:lead + 1] in OPENING
        if pending and not continues:
            groups.append(tuple(pending))
            pending = []
        open_at: int | None = None
        for mark in QUOTE_MARK_RE.finditer(body):  # only the marks change the state: no pass over every character
            ch, pos = mark.group(), para.start() + mark.start()
            if open_at is None and ch in OPENING:
                open_at = pos + 1
            elif open_at is not None and ch in CLOSING:
                part = (open_at, pos)
                if pending:
                    groups.append(tuple(pending) + (part,))
                    pending = []
                else:
                    groups.append((part,))
                open_at = None
        if open_at is not None:
            pending.append((open_at, para.end()))
    if pending:
        groups.append(tuple(pending))
    return [g for g in groups if any(e > s for s, e in g)]


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _subtree_range(token: Token, skip: set[int] | None = None) -> tuple[int, int]:
    toks = [t for t in token.subtree if skip is None or t.i not in skip]
    while toks and (toks[0].is_punct or toks[0].dep_ == "cc"):
        toks = toks[1:]
    while toks and toks[-1].is_punct:
        toks = toks[:-1]
    if not toks:
        return token.idx, token.idx
    return toks[0].idx, toks[-1].idx + len(toks[-1])


def _put_to(verb: Token) -> bool:
    """'Asked whether ..., X replied': a subjectless participle opening the sentence says what was put to someone."""
    return (verb.dep_ == "advcl" and verb.i < verb.head.i and verb.tag_ in ("VBN", "VBD") and verb.lemma_.lower() != "quote"
            and not any(c.dep_ in ("nsubj", "nsubjpass", "agent", "auxpass", "aux") for c in verb.children))


def _content_clause(verb: Token) -> Token | None:
    """The clause a speech verb reports: its complement, or a that-clause on its object ("said in a statement that")."""
    content = next((c for c in verb.children if c.dep_ in CONTENT_DEPS), None)
    if content is not None:
        return content
    for prep in (c for c in verb.children if c.dep_ == "prep"):
        for noun in (c for c in prep.children if c.dep_ == "pobj"):
            for clause in noun.children:
                if clause.dep_ in ("acl", "ccomp", "relcl") and any(m.dep_ == "mark" and m.lower_ == "that" for m in clause.children):
                    return clause
    return None


def _trailing_content(verb: Token, who: Token | None) -> tuple[int, int] | None:
    """What an attribution after its clause reports ("Kim left on Sunday, state media reported (on Monday)."): the
    words before the comma ahead of the speaker, when the parse gives the verb no clause and they hold a verb."""
    if who is None or who.i > verb.i or any(c.dep_ in OBJECT_DEPS and c.i > verb.i for c in verb.children):
        return None
    follows = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
    if follows is not None and follows.text not in CLAUSE_ENDS and follows.dep_ not in ("prep", "npadvmod", "advmod"):
        return None
    comma = who.left_edge.i - 1
    if comma <= verb.sent.start or verb.doc[comma].text != ",":
        return None
    clause = verb.doc[verb.sent.start:comma]
    if not any(t.pos_ in ("VERB", "AUX") for t in clause):
        return None
    return clause.start_char, clause.end_char


def _acts(doc: Doc, inside: Callable[[int], bool]) -> list[_Act]:
    """Speech acts outside quotation marks: speech verbs and "according to X" (unless it sources another act)."""
    acts = []
    maybe = set(tokens_where(doc, "LEMMA", lambda lemma: lemma.lower() in SX.verbs))  # what is_speech_verb can accept
    maybe.update(tokens_where(doc, "LOWER", lambda word: word in SX.according))
    for i in sorted(maybe):
        tok = doc[i]
        if inside(tok.idx):
            continue
        if is_speech_verb(tok) and not any(c.dep_ == "neg" for c in tok.children) and not _put_to(tok):
            content = _content_clause(tok)
            who = speaker_token(tok)
            reported = _subtree_range(content) if content is not None else _trailing_content(tok, who)
            acts.append(_Act(tok, tok.lemma_.lower(), who, reported))
        elif tok.lower_ in SX.according and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            to = doc[tok.i + 1]
            who = next((c for c in to.children if c.dep_ == "pobj"), None)
            if who is None:
                continue
            skip = {t.i for t in tok.subtree} | {t.i for t in to.subtree}
            head = tok.head if tok.head.i != tok.i else tok
            acts.append(_Act(tok, ACCORDING, who, _subtree_range(head, skip) if head is not tok else None))
    sourced = [a.content for a in acts if a.label != ACCORDING and a.content]
    acts = [a for a in acts if a.label != ACCORDING or not any(lo <= a.verb.idx < hi for lo, hi in sourced)]
    by_position = sorted(acts, key=lambda a: a.verb.idx)
    positions = [a.verb.idx for a in by_position]
    text = doc_text(doc)  # built once per Doc: Doc.text joins every token, so reading it per act made long articles quadratic
    return [_trimmed(a, by_position, positions, text) for a in acts]


def _trimmed(act: _Act, by_position: list[_Act], positions: list[int], text: str) -> _Act:
    """The act's content up to the next speech act inside it ("X said Y, explaining: ..." reports only "Y").

    `by_position` holds every act sorted by its verb's offset (`positions`), so only the acts inside the content are
    looked at: a long article has thousands of acts.
    """
    if not act.content:
        return act
    lo, hi = act.content
    for other in by_position[bisect.bisect_right(positions, lo):bisect.bisect_left(positions, hi)]:
        if other is not act and lo < other.verb.idx < hi and other.verb.i > act.verb.i:
            hi = min(hi, other.verb.left_edge.idx if other.verb.left_edge.idx > lo else other.verb.idx)
    while hi > lo and (text[hi - 1].isspace() or text[hi - 1] in ",;:"):
        hi -= 1
    return _Act(act.verb, act.label, act.who, (lo, hi))


def _holds(act: _Act, group: QuotedParts) -> bool:
    """Whether the quotation `group` is what `act` reports: inside its clause or an object of its verb."""
    s = group[0][0]
    if act.content and act.content[0] <= s < act.content[1]:
        return True
    for child in act.verb.children:
        if child.dep_ in QUOTE_HOLDING_DEPS:
            lo, hi = _subtree_range(child)
            if lo <= s < hi:
                return True
    return False


def _adjacent(text: str, act: _Act, group: QuotedParts) -> int | None:
    """Distance from the quotation to its attribution ('“...,” X said' or 'X said: “...”'), None if not adjacent."""
    verb = act.verb
    first = verb.idx
    if act.who is not None:
        first = min(first, act.who.left_edge.idx)
    close = group[-1][1]
    if close <= first:
        gap = text[close + 1:first]
        if "\n" not in gap and len(gap) <= ADJACENT_GAP_CHARS and not SENTENCE_END_RE.search(gap + " ") and not any(m in gap for m in OPENING + CLOSING):
            return first - close
        return None
    opening = group[0][0] - 1
    end = verb.idx + len(verb)
    if opening >= end:
        gap = text[end:opening]
        if len(gap) <= LEAD_IN_CHARS and gap.strip()[-1:] in (":", ",") and not SENTENCE_END_RE.search(gap):
            return opening - end
    return None


def extract_quotes(article: Article, doc: Doc, entities: Sequence[Entity], resolved: Sequence[Resolution], assignment: Mapping[MentionKey, str],
                   refs: Referents | None = None) -> list[Quote]:
    """Direct quotations and reported speech of one article, in text order, with speakers resolved to clusters."""
    refs = refs or Referents(doc, entities, resolved, assignment)
    speakers = SpeakerResolver(refs, entities, assignment)
    text = article.text
    groups = quotation_marks(text)
    spans = sorted(p for g in groups for p in g)
    starts = [s for s, _ in spans]
    reach = list(itertools.accumulate((e for _, e in spans), max))  # furthest end among the spans opened so far

    def inside(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1  # one binary search per token, not a scan of every quotation
        return i >= 0 and pos < reach[i]

    acts = _acts(doc, inside)
    held: dict[int, list[int]] = {k: [] for k in range(len(acts))}
    taken: set[int] = set()
    for g, group in enumerate(groups):
        holders = [(abs(act.verb.idx - group[0][0]), k) for k, act in enumerate(acts) if _holds(act, group)]
        if holders:  # the innermost act: "X said Y, explaining: “...”" quotes the explanation
            held[min(holders)[1]].append(g)
            taken.add(g)
    for g, group in enumerate(groups):
        if g in taken:
            continue
        near = [(d, k) for k, act in enumerate(acts) if (d := _adjacent(text, act, group)) is not None]
        if near:
            held[min(near)[1]].append(g)
            taken.add(g)
    for g in range(1, len(groups)):  # '“A,” she said, laughing. “B.”': B goes on with A, whoever spoke A
        owner = next((k for k, gs in held.items() if g - 1 in gs), None)
        if g not in taken and owner is not None and _same_paragraph(text, groups[g - 1][-1][1], groups[g][0][0]):
            held[owner].append(g)
            taken.add(g)
    quotes: list[Quote] = []
    for k, act in enumerate(acts):
        mine = sorted(held[k])
        parts = [p for g in mine for p in groups[g]]
        quoted = sum(_words(text[s:e]) for s, e in parts)
        if act.content and parts:  # the reported clause with every quoted piece of it ("consist of “A”, followed by “B”")
            content_words = _words(text[min(act.content[0], parts[0][0]):max(act.content[1], parts[-1][1])])
        else:
            content_words = _words(text[act.content[0]:act.content[1]]) if act.content else quoted
        speaker = speakers.resolve(act.who) if act.who is not None else None
        if parts and quoted >= MIN_DIRECT_WORDS and quoted >= DIRECT_SHARE * content_words:
            quotes.append(_quote(article, "direct", parts, act.label, speaker))
        elif act.content and act.content[1] > act.content[0] and speaker is not None:
            quotes.append(_quote(article, "reported", [act.content], act.label, speaker))
    quotes.extend(_unattributed(article, groups, taken, quotes))
    quotes.sort(key=lambda q: q.clean_start)
    return _continued(text, quotes)


def _same_paragraph(text: str, start: int, end: int) -> bool:
    return "\n" not in text[start:end]


def _quote(article: Article, kind: str, parts: list[tuple[int, int]], verb: str | None, speaker: Speaker | None) -> Quote:
    text = article.text
    body = " ".join(text[s:e].strip() for s, e in parts)
    raw_parts = tuple(article.raw_span(s, e) for s, e in parts)
    sp = article.raw_span(speaker.clean_start, speaker.clean_end) if speaker else (None, None)
    return Quote(article.id, kind, body, raw_parts[0][0], raw_parts[-1][1], parts[0][0], parts[-1][1], raw_parts, verb,
                 speaker.text if speaker else "", sp[0], sp[1], speaker.cluster if speaker else None,
                 tuple(parts))


def _unattributed(article: Article, groups: Sequence[QuotedParts], taken: set[int], quotes: list[Quote]) -> list[Quote]:
    """Quotations of a full clause no speech act claims (short ones are scare quotes and are left out)."""
    out = []
    for g, group in enumerate(groups):
        if g in taken or sum(_words(article.text[s:e]) for s, e in group) < MIN_DIRECT_WORDS:
            continue
        if any(q.clean_start <= group[0][0] < q.clean_end for q in quotes):
            continue  # inside reported speech already
        out.append(_quote(article, "direct", list(group), None, None))
    return out


def _continued(text: str, quotes: list[Quote]) -> list[Quote]:
    """'“A,” X said. “B.”': an unattributed quotation right after an attributed direct one continues it."""
    out: list[Quote] = []
    for q in quotes:
        prev = out[-1] if out else None
        if (q.verb is None and prev is not None and prev.kind == "direct" and prev.verb is not None
                and text[prev.clean_end:q.clean_start].count("\n") <= CONTINUATION_BREAKS):
            out[-1] = Quote(prev.article, prev.kind, prev.text + " " + q.text, prev.raw_start, q.raw_end, prev.clean_start, q.clean_end,
                            prev.raw_parts + q.raw_parts, prev.verb, prev.speaker, prev.speaker_raw_start, prev.speaker_raw_end, prev.speaker_id,
                            prev.clean_parts + q.clean_parts)
            continue
        out.append(q)
    return out


@dataclass(frozen=True)
class SharedQuote:
    """One quotation as every outlet carrying it has it: the longest wording, its speaker, and all its sources."""

    key: str  # stable across runs: a hash of the speaker and the wording's first words
    kind: str
    text: str
    speaker: str
    speaker_id: str | None
    sources: tuple[Quote, ...]

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q.article for q in self.sources))


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}


def _compatible(a: Quote, b: Quote) -> bool:
    """Two outlets may name one speaker differently, but never two different clusters."""
    return a.speaker_id is None or b.speaker_id is None or a.speaker_id == b.speaker_id


def shared_quotes(quotes: Sequence[Quote], names: Mapping[str, str]) -> list[SharedQuote]:
    """Quotations grouped across articles: near-identical wording (most word runs shared) from compatible speakers is
    one quotation with all its sources; the rest stand alone."""
    shingles = [_shingles(q.text) for q in quotes]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    parent = list(range(len(quotes)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for k, q in enumerate(quotes):
        seen: dict[int, int] = defaultdict(int)
        for sh in shingles[k]:
            for j in index[sh]:
                seen[j] += 1
            index[sh].append(k)
        for j, common in seen.items():
            small = min(len(shingles[j]), len(shingles[k]))
            same = q.speaker_id is not None and quotes[j].speaker_id == q.speaker_id
            share = SAME_SPEAKER_SHARE if same else SAME_QUOTE_SHARE
            if quotes[j].article != q.article and common >= share * small and _words(q.text) >= MIN_DIRECT_WORDS and _compatible(quotes[j], q):
                parent[root(j)] = root(k)
    groups: dict[int, list[Quote]] = defaultdict(list)
    for k, q in enumerate(quotes):
        groups[root(k)].append(q)
    out = []
    for members in groups.values():
        best = max(members, key=lambda q: (q.resolved, q.kind == "direct", len(q.text)))
        cluster = next((q.speaker_id for q in members if q.speaker_id), None)
        speaker = names.get(cluster, best.speaker) if cluster else best.speaker
        opening = " ".join(re.findall(r"\w+", best.text.lower())[:8])
        key = hashlib.sha1(f"{cluster or speaker}|{opening}".encode()).hexdigest()[:12]
        out.append(SharedQuote(key, best.kind, best.text, speaker, cluster, tuple(sorted(members, key=lambda q: (q.article, q.raw_start)))))
    out.sort(key=lambda s: (-len(s.articles), s.speaker, s.text))
    return out
