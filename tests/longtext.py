"""Long article texts built from paragraphs written for these tests (used by the tests and by bench/run.py)."""
from __future__ import annotations

PARAGRAPHS = (
    "The delegation led by Foreign Minister Amara Okafor left Lagos on Monday and flew to Nairobi for two days of talks, "
    "officials said.",
    "In Nairobi, the ministers discussed grain prices and a new rail link to Kampala. Ms Okafor told reporters the talks "
    "had been useful.",
    "On Wednesday the delegation travelled by road to Arusha, where it met business leaders from Tanzania and Rwanda.",
    "Analysts in Johannesburg said the tour showed a shift in regional trade policy. \"This is a long game,\" said "
    "economist Pieter Nel of the University of Cape Town.",
    "Ms Okafor is expected to visit Addis Ababa on Friday before returning to Abuja at the weekend.",
    "Heavy rain flooded streets in Dhaka and Chittagong, and the port of Mombasa closed for a day as a storm passed.",
    "The Danube rose near Budapest while engineers in Vienna checked the barriers along the river.",
)


def long_article(chars: int, title: str = "A long tour of East Africa") -> str:
    """A headline and numbered paragraphs from PARAGRAPHS until the text reaches `chars` characters."""
    parts = [title, ""]
    size = len(title) + 2
    n = 0
    while size < chars:
        para = f"{PARAGRAPHS[n % len(PARAGRAPHS)]} (Part {n}.)"
        parts.append(para)
        parts.append("")
        size += len(para) + 2
        n += 1
    return "\n".join(parts)
