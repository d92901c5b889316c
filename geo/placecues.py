"""What the words just before a place name say about it: a country adjective and a kind word naming its country
("the Maltese port of X")."""
from __future__ import annotations

import re

from .gazetteer import Gazetteer

# "the northern Maltese port of", "Italy's eastern county of": an adjective, a kind word, "of", right before the name.
KIND_OF = re.compile(r"((?:[A-Z][\w'’-]+\s)*[A-Z][\w'’-]+?)(?:['’]s)?\s+(?:(?:[a-z][\w-]*)\s+){0,2}?(port|city|town|village|county|province|"
                     r"region|district|state|island|capital|harbou?r)\s+of\s+(?:the\s+)?$")


def country_before(text: str, start: int, gazetteer: Gazetteer) -> str | None:
    """The country a country adjective or possessive names right before "<kind word> of" and the name ("the Maltese
    port of X", "Peru's northern region of X"): its gazetteer name, else None."""
    window = text[max(0, start - 80):start]
    if not window.rstrip().endswith(("of", "the")):  # what KIND_OF ends with: a cheap test before the search
        return None
    m = KIND_OF.search(window)
    if m is None:
        return None
    names = m.group(1).split()
    for word in (" ".join(names[i:]) for i in range(len(names))):  # "The South Korea's": the longest country name
        place = gazetteer.demonym(word)
        if place is not None and place.feature == "country":
            return place.name
        if gazetteer.is_country(word):
            return word
    return None
