"""An article's outlet: its masthead from a web domain, and the place its name carries among the article's places."""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

from .articles import Article
from .candidates import POINT_FEATURES, SETTLEMENT_FEATURES, Toponym, place_inside
from .disambiguate import Weights, km, prior
from .gazetteer import Candidate, Gazetteer
from .lexicon import words


def masthead_of_domain(domain: str, is_place: Callable[[str], bool]) -> str:
    """An outlet's name from its web domain: the longest place name in its main label with masthead words
    (data/lexicons/masthead_words.txt) on either side ("www.palestineherald.com" -> "Palestine Herald"); else the label."""
    label = max(domain.lower().removeprefix("www.").split(".")[:-1] or [domain], key=len)
    hyphens = "-" in label  # "lakeville-news": the hyphens already split the words
    label = label.replace("-", "")
    spans = sorted(((i, j) for i in range(len(label)) for j in range(i + 4, len(label) + 1)), key=lambda s: s[0] - s[1])
    for i, j in spans:
        head, tail = _masthead_words(label[:i]), _masthead_words(label[j:])
        if tail is None and not hyphens:
            tail = _initials(label[j:])
        if head is not None and tail is not None and label[i:j] not in words("masthead_words") and is_place(label[i:j]):
            return " ".join(w.capitalize() for w in [*head, label[i:j], *tail])
    return label


def _initials(text: str) -> tuple[str, ...] | None:
    """Two letters after the place name are the initials of masthead words ("parispi": Post-Intelligencer)."""
    return (text.upper(),) if len(text) == 2 else None


@lru_cache(maxsize=4096)
def _masthead_words(text: str) -> tuple[str, ...] | None:
    """`text` split into masthead words, or None when it is not made of them ("dailypost" -> ("daily", "post"))."""
    if not text:
        return ()
    for word in words("masthead_words"):
        if text.startswith(word):
            rest = _masthead_words(text[len(word):])
            if rest is not None:
                return (word, *rest)
    return None


def outlet_places(article: Article, tops: list[Toponym], gazetteer: Gazetteer, w: Weights) -> list[Candidate]:
    """The entry of the place named in the outlet's name ("The Springfield Courier" -> Springfield): among namesakes,
    the one most of the article's other toponyms have an entry near; none when namesakes in several countries are
    all far from them."""
    if not article.outlet:
        return []
    found = place_inside(gazetteer, article.outlet) or (None, list(gazetteer.candidates(article.outlet)))
    cands = [c for c in found[1] if c.feature in SETTLEMENT_FEATURES or c.feature == "region"]
    if not cands:
        return []
    own = {c.id for c in cands}
    # Streets and halls carry their town's namesakes; a country's name or initials support no village that shares them.
    nearby = [[c for c in t.candidates if c.id not in own and c.feature in POINT_FEATURES | {"district"}]
              for t in tops if t.how == "name" and not t.facility and not any(c.feature == "country" for c in t.candidates)]
    nearby = [near for near in nearby if near]

    def support(home: Candidate) -> float:
        """Each other toponym's share of entries near `home`: an unambiguous neighbour counts fully."""
        return sum(sum(km(home, c) < (w.district_radius_km if c.feature == "district" else w.outlet_support_km) for c in near)
                   / len(near) for near in nearby)

    best = max(cands, key=lambda c: (support(c), prior(c, w)))
    if not support(best) and (len({c.country for c in cands}) > 1 or gazetteer.is_country(found[0] or article.outlet)):
        return []  # namesakes in several countries and none near the article's places; "The Jordan Times" is the country
    return [best]
