"""Speaker attribution scored against hand-annotated quotations: precision, recall and agreement on the kind."""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .quotes import Quote

SEARCH_CHARS = 100  # the annotated first words may follow a lead-in the extractor keeps ("Making a trip, X waved")
MARKS_RE = re.compile(r"[“”\"‘]")


@dataclass(frozen=True)
class GoldQuote:
    """One annotated quotation: its article (id or id prefix), kind, first words and acceptable speaker words."""

    article: str
    kind: str
    starts: str
    speaker: tuple[str, ...]


@dataclass(frozen=True)
class QuoteScore:
    gold: int
    found: int
    matched: int  # extracted quotations that match an annotated one
    correct: int  # ... and name its speaker
    same_kind: int
    misses: tuple[GoldQuote, ...]
    wrong: tuple[tuple[GoldQuote, Quote], ...]

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.same_kind / self.matched if self.matched else 0.0


def load_gold(path: str | Path) -> list[GoldQuote]:
    """The annotated quotations in a JSON file ({"quotes": [{article, kind, starts, speaker: [...]}, ...]})."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [GoldQuote(q["article"], q["kind"], q["starts"], tuple(q["speaker"])) for q in data["quotes"]]


def _norm(text: str) -> str:
    text = MARKS_RE.sub("", text.replace("’", "'")).lower()
    text = re.sub(r"^that\s+", "", re.sub(r"\s+", " ", text).strip())
    return text


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w'-]+", text.replace("’", "'").lower()))


def _same_article(article_id: str, gold_article: str) -> bool:
    return article_id == gold_article or article_id.startswith(gold_article + "_")


def speaker_matches(quote: Quote, gold: GoldQuote, names: Mapping[str, str]) -> bool:
    """Whether every word of one of the gold speaker's alternatives is in the speaker's cluster name or written words."""
    said = _words(quote.speaker) | _words(names.get(quote.speaker_id or "", ""))
    return any(_words(alt) <= said for alt in gold.speaker)


def score_quotes(quotes: Sequence[Quote], gold: Sequence[GoldQuote], names: Mapping[str, str],
                 labels: Mapping[str, str] | None = None) -> QuoteScore:
    """Match extracted to annotated quotations (same article, annotated first words near the start of the text),
    then count the speakers that agree; gold names articles by file label, `labels` maps article ids to theirs."""
    labels = labels or {}
    free = list(range(len(quotes)))
    matched = correct = same_kind = 0
    misses, wrong = [], []
    for g in gold:
        starts = _norm(g.starts)
        hit = next((k for k in free if _same_article(labels.get(quotes[k].article, quotes[k].article), g.article)
                    and starts in _norm(quotes[k].text)[:len(starts) + SEARCH_CHARS]), None)
        if hit is None:
            misses.append(g)
            continue
        free.remove(hit)
        q = quotes[hit]
        matched += 1
        same_kind += q.kind == g.kind
        if speaker_matches(q, g, names):
            correct += 1
        else:
            wrong.append((g, q))
    return QuoteScore(len(gold), len(quotes), matched, correct, same_kind, tuple(misses), tuple(wrong))


def main(argv: Sequence[str] | None = None) -> int:
    """python -m geo.bench_quotes FOLDER GOLD.json: analyse FOLDER and print the attribution figures."""
    from .articles import read_corpus
    from .config import load_settings
    from .parsing import load_model
    from .gazetteer import open_gazetteer
    from .pipeline import analyze

    parser = argparse.ArgumentParser(prog="python -m geo.bench_quotes", description=main.__doc__)
    parser.add_argument("folder")
    parser.add_argument("gold")
    args = parser.parse_args(argv)
    settings = load_settings()
    articles, problems = read_corpus([args.folder], settings)
    gazetteer = open_gazetteer(settings)
    try:
        analysis = analyze(articles, load_model(settings.spacy_model), gazetteer, settings, problems)
    finally:
        gazetteer.close()
    names = {c.id: c.name for c in analysis.clusters}
    score = score_quotes(analysis.quotes, load_gold(args.gold), names, {a.id: a.label for a in analysis.articles})
    print(f"quotes: gold {score.gold}, found {score.found}, matched {score.matched}, speaker right {score.correct}; "
          f"precision {score.precision:.3f}, recall {score.recall:.3f}, kind agreement {score.kind_accuracy:.3f}")
    for g in score.misses:
        print(f"  missed   {g.article} {g.kind:8} {g.starts!r} ({'/'.join(g.speaker)})")
    for g, q in score.wrong:
        print(f"  speaker  {g.article} {g.starts!r}: gold {'/'.join(g.speaker)}, found {q.speaker!r} -> {names.get(q.speaker_id or '', '-')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
