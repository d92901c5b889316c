"""The corpora the benchmarks run on: the benchmark articles as text files, their cleaned texts, and copies under new ids."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
SOURCES = [("geowebnews/GWN.xml", "text"), ("lgl/lgl.xml", "text"), ("tr-news/TR-News.xml", "text"), ("geovirus/GeoVirus.xml", "text")]


def benchmark_texts(target: Path, limit: int | None = None) -> int:
    """Write the 1,135 benchmark article texts (the first `limit` of them) as .txt files into a temporary folder (never
    into the project)."""
    n = 0
    for rel, tag in SOURCES:
        for art in ET.parse(BENCHMARKS / rel).getroot().iter("article"):
            if limit is not None and n >= limit:
                return n
            text = art.findtext(tag) or ""
            title = art.findtext("title") or ""
            (target / f"{n:05d}.txt").write_text((title + "\n\n" + text) if title else text, encoding="utf-8")
            n += 1
    return n


def cleaned_copies(paths: list[str], target: Path) -> list[str]:
    """The cleaned article texts the pipeline feeds to spaCy, one file each, so the floor parses the same texts."""
    from geo.articles import read_corpus
    from geo.config import load_settings

    articles, _ = read_corpus(paths, load_settings())
    for n, a in enumerate(articles):
        (target / f"{n:05d}.txt").write_text(a.text, encoding="utf-8")
    return [str(target)]


def replicated(folder: Path, target: Path, copies: int) -> int:
    """`copies` copies of every text under new file names (new article ids); copy k ends with k extra newlines, so even
    content-hash ids differ while the cleaned text stays the same. Named `c<k>-<name>`, so a corpus read in file-name
    order holds the whole first copy, then the second...: each partition and spaCy batch has the mix of articles the
    original has (copies side by side would put three copies of the longest article in one batch, whose parse needs
    more memory than any batch of the original)."""
    n = 0
    for f in sorted(folder.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        for k in range(copies):
            (target / f"c{k:03d}-{f.stem}.txt").write_text(text + "\n" * k, encoding="utf-8")
            n += 1
    return n
