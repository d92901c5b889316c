"""Alias clusters: mentions of one person, organisation or place grouped under one stable id across the corpus."""
from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from .entities import CLUSTER_LABELS, HONORIFICS, NAME_TITLES, TITLES, Entity, MentionKey, defined_acronyms
from .placenames import normalize

TITLE_MATCH_BONUS = 3.0  # a short name after a title joins the full name seen after the same title
CLUSTER_HEX_CHARS = 12  # hex digits of sha256 in a cluster id


@dataclass(frozen=True)
class Cluster:
    """An alias cluster; `id` hashes its label and `key`, the normalised name its members were grouped under."""

    id: str
    label: str
    name: str
    aliases: tuple[str, ...]
    articles: tuple[str, ...]
    mentions: int
    key: str = ""


def _strip_honorific(text: str) -> str:
    parts = text.split()
    while parts and (parts[0].lower().rstrip(".") in {h.rstrip(".") for h in HONORIFICS}
                     or (parts[0].lower() == "lady" and len(parts) >= 3)):  # "(First) Lady Ana Ruiz", as entities.person_key
        parts = parts[1:]
    return " ".join(parts)


def canonical(text: str) -> str:
    """The form a cluster is grouped and keyed under: normalised, any run of non-letters as one hyphen."""
    return re.sub(r"[\W_]+", "-", normalize(text)).strip("-") or "-"


def cluster_id(label: str, key: str) -> str:
    """A cluster's id from its label and canonical key alone, so it does not depend on which articles are loaded."""
    return f"{label.lower()}-{hashlib.sha256(f'{label}:{key}'.encode()).hexdigest()[:CLUSTER_HEX_CHARS]}"


def legacy_id(cluster: Cluster) -> str:
    """The readable id links used before ids were hashes ("person-jane-doe"); old links still open by it."""
    return f"{cluster.label.lower()}-{cluster.key}"


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w[0].isupper() and w.lower() not in ("of", "the", "and", "for")]
    return "".join(w[0] for w in words).lower()


def _title_before(text: str, start: int) -> str | None:
    """The title word written just before a name ("President" in "US President X"), lower case."""
    m = re.search(r"([A-Za-z]+)\.?\s+$", text[max(0, start - 20):start])
    word = m.group(1).lower() if m else ""
    return word if word in TITLES or word in NAME_TITLES or word == "lady" else None


def person_titles(entities: Sequence[Entity], texts: Mapping[str, str]) -> dict[MentionKey, str]:
    """The title written before each person mention ("President" in "US President X"), by mention key."""
    titles = {}
    for e in entities:
        if e.label == "PERSON" and e.norm:
            title = _title_before(texts.get(e.article, ""), e.clean_start)
            if title:
                titles[e.key] = title
    return titles


def cluster_entities(entities: Sequence[Entity], texts: dict[str, str],
                     previous: Mapping[MentionKey, str] | None = None) -> tuple[list[Cluster], dict[MentionKey, str]]:
    """Alias clusters across articles, and the cluster id of each mention key.

    `previous` is an earlier analysis's assignment: a cluster whose key changed keeps the id it had (`keep_cluster_ids`).
    """
    return cluster_aliases(entities, person_titles(entities, texts), defined_acronyms(texts.values()), previous)


def cluster_aliases(entities: Sequence[Entity], titles: Mapping[MentionKey, str], acronyms: Mapping[str, str],
                    previous: Mapping[MentionKey, str] | None = None) -> tuple[list[Cluster], dict[MentionKey, str]]:
    """`cluster_entities` from the entities alone, given the titles before person mentions and the corpus's acronyms.

    The split lets a distributed run gather titles and acronyms per partition instead of every article's text.
    """
    assignment: dict[MentionKey, str] = {}
    members: dict[str, list[Entity]] = defaultdict(list)
    labels: dict[str, str] = {}
    keys: dict[str, str] = {}

    def assign(e: Entity, label: str, key: str) -> None:
        key = canonical(key)
        cid = cluster_id(label, key)
        assignment[e.key] = cid
        members[cid].append(e)
        labels[cid] = label
        keys[cid] = key

    # People: full names (2+ tokens) group by key; short forms join the most salient full name that contains them.
    people = [e for e in entities if e.label == "PERSON" and e.norm]
    full_counts: Counter[str] = Counter(e.norm for e in people if len(e.norm.split()) >= 2)
    per_article: dict[str, Counter[str]] = defaultdict(Counter)
    for e in people:
        if len(e.norm.split()) >= 2:
            per_article[e.article][e.norm] += 1
    by_token: dict[str, list[str]] = defaultdict(list)
    for key in full_counts:
        toks = key.split()
        for t in {toks[0], toks[-1]}:
            by_token[t].append(key)
    full_titles: dict[str, set[str]] = defaultdict(set)  # titles written before each full name ("President")
    for e in people:
        if len(e.norm.split()) >= 2:
            title = titles.get(e.key)
            if title:
                full_titles[e.norm].add(title)
    last_full: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for e in sorted(people, key=lambda x: (x.article, x.clean_start)):
        if len(e.norm.split()) >= 2:
            last_full[e.article].append((e.clean_start, e.norm))
    for e in people:
        key = e.norm
        if len(key.split()) == 1 and by_token.get(key):
            candidates = by_token[key]
            preceding = [k for pos, k in last_full[e.article] if pos < e.clean_start and k in candidates]
            nearest = preceding[-1] if preceding else None

            title = titles.get(e.key)
            # Two people of that name in the article ("Ana Ruiz" and her husband "Luis Ruiz"): the bare name is
            # the story's principal, the one the corpus names most, not the one this article happens to repeat.
            contested = sum(per_article[e.article][k] > 0 for k in candidates) >= 2

            def salience(k: str) -> float:
                same_title = TITLE_MATCH_BONUS if title and title in full_titles[k] else 0.0
                local = 0.0 if contested else per_article[e.article][k] * 2
                return local + math.log1p(full_counts[k]) + (0.0 if contested or k != nearest else 1.0) + same_title

            key = max(candidates, key=lambda k: (salience(k), contested and k == nearest, full_counts[k], k))
        assign(e, "PERSON", key)

    # Organisations: "Full Name (ACR)" and initials join an acronym to its full name.
    orgs = [e for e in entities if e.label == "ORG" and e.norm]
    acronym_of: dict[str, str] = {}
    for acronym, full in acronyms.items():
        acronym_of[normalize(acronym)] = normalize(full)
    full_orgs: dict[str, str] = {}  # normalized full name -> its first surface form
    for e in orgs:
        if len(e.norm.split()) >= 2:
            full_orgs.setdefault(e.norm, e.text)
    for full, original in full_orgs.items():
        ini = _initials(original)
        if len(ini) >= 2:
            acronym_of.setdefault(ini, full)
    for e in orgs:
        key = acronym_of.get(e.norm, e.norm) if len(e.norm.split()) == 1 else e.norm
        assign(e, "ORG", key)

    for e in entities:
        if e.label in CLUSTER_LABELS and e.key not in assignment and e.norm:
            assign(e, e.label, e.norm)

    clusters = []
    for cid, ms in members.items():
        surface = Counter(_strip_honorific(m.text) if labels[cid] == "PERSON" else m.text for m in ms)
        multi = [s for s in surface if len(s.split()) >= 2] if labels[cid] in ("PERSON", "ORG") else []
        pool = multi or list(surface)
        name = max(pool, key=lambda s: (surface[s], len(s), s))
        aliases = sorted(({m.text for m in ms} | ({_strip_honorific(m.text) for m in ms} if labels[cid] == "PERSON" else set())) - {name})
        clusters.append(Cluster(cid, labels[cid], name, tuple(aliases), tuple(sorted({m.article for m in ms})), len(ms), keys[cid]))
    clusters.sort(key=lambda c: (-c.mentions, legacy_id(c)))
    return keep_cluster_ids(clusters, assignment, previous or {})


def keep_cluster_ids(clusters: list[Cluster], assignment: dict[MentionKey, str],
                     previous: Mapping[MentionKey, str]) -> tuple[list[Cluster], dict[MentionKey, str]]:
    """Clusters whose id is new take the earlier id they share most mentions with, unless another cluster keeps it.

    A re-analysis may group a cluster under another key (an acronym's definition was in a removed article); its
    mentions are the same, so its id should be too.
    """
    earlier = set(previous.values())
    shared: dict[str, Counter[str]] = defaultdict(Counter)
    for key, cid in assignment.items():
        if cid not in earlier and key in previous:
            shared[cid][previous[key]] += 1
    taken = {c.id for c in clusters if c.id in earlier}
    rename: dict[str, str] = {}
    for n, new, old in sorted(((n, new, old) for new, counts in shared.items() for old, n in counts.items()),
                              key=lambda t: (-t[0], t[1], t[2])):
        if new not in rename and old not in taken:
            rename[new] = old
            taken.add(old)
    if not rename:
        return clusters, assignment
    return ([replace(c, id=rename.get(c.id, c.id)) for c in clusters],
            {key: rename.get(cid, cid) for key, cid in assignment.items()})
