"""One failing article never takes the corpus down; progress stages and the time left; the CLI's exit codes."""
from __future__ import annotations

import io

import pytest

import geo.pipeline
from geo import cli
from geo.articles import article_from_text
from geo.errors import failure_reason
from geo.pipeline import analyze
from geo.progress import Estimate, Progress, TerminalProgress

GOOD = "Floods in Bangladesh\n\nHeavy rain flooded streets in Dhaka on Monday, officials said."
OTHER = "Storm in Norway\n\nA storm hit Oslo and Bergen on Tuesday, the police said."
MARKER = "Zanzibar"  # the forced failures below pick the article that names it


def _articles():
    return [article_from_text("good", "good.txt", GOOD),
            article_from_text("bad", "bad.txt", f"Trouble\n\nA ferry sailed to {MARKER} on Monday."),
            article_from_text("other", "other.txt", OTHER)]


def _raise_for_marker(real):
    def wrapped(article, *args, **kwargs):
        if MARKER in article.text:
            raise RuntimeError("forced failure with\na second line")
        return real(article, *args, **kwargs)
    return wrapped


@pytest.mark.parametrize("step, what", [("entities_from_doc", "could not be analysed"),
                                        ("propagate_people", "short names of people were not looked for"),
                                        ("resolve_article", "places, movements and quotations could not be extracted"),
                                        ("extract_events", "places, movements and quotations could not be extracted")])
def test_a_failing_step_of_one_article_is_one_line_and_the_rest_is_analysed(step, what, nlp, gazetteer, settings, monkeypatch):
    monkeypatch.setattr(geo.pipeline, step, _raise_for_marker(getattr(geo.pipeline, step)))
    result = analyze(_articles(), nlp, gazetteer, settings)
    assert [str(p) for p in result.problems] == [f"bad.txt: {what} (RuntimeError: forced failure with)"]
    assert {"Dhaka", "Oslo"} <= {p.name for p in result.places}
    assert (MARKER in {p.name for p in result.places}) == (step == "propagate_people")  # only that step keeps its places
    assert ("bad" in {a.label for a in result.articles}) == (step != "entities_from_doc")


def test_a_spacy_failure_inside_a_batch_names_the_article(nlp, gazetteer, settings):
    from spacy.language import Language

    name = "test_explode_on_marker"
    if not Language.has_factory(name):
        @Language.component(name)
        def explode(doc):
            if MARKER in doc.text:
                raise ValueError("[E999] the component could not handle this text")
            return doc

    nlp.add_pipe(name, last=True)
    try:
        result = analyze(_articles() * 1, nlp, gazetteer, settings)
    finally:
        nlp.remove_pipe(name)
    assert [str(p) for p in result.problems] == ["bad.txt: could not be analysed (ValueError: [E999] the component could not handle this text)"]
    assert [a.label for a in result.articles] == ["good", "other"]
    assert {"Dhaka", "Oslo"} <= {p.name for p in result.places}


def test_failure_reason_is_one_short_line():
    reason = failure_reason(ValueError("x" * 1000 + "\nsecond line"))
    assert "\n" not in reason and len(reason) < 260 and reason.startswith("could not be analysed (ValueError: xxx")
    assert failure_reason(KeyboardInterrupt()) == "could not be analysed (KeyboardInterrupt)"


# --------------------------------------------------------------------------- progress


def test_progress_reports_every_stage_in_order(nlp, gazetteer, settings):
    seen: list[Progress] = []
    analyze(_articles(), nlp, gazetteer, settings, on_progress=seen.append)
    stages = [p.stage for p in seen]
    assert stages == sorted(stages, key=["parsing", "corpus", "geocoding", "routes"].index)
    assert [(p.done, p.total) for p in seen if p.stage == "parsing"] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert [(p.done, p.total) for p in seen if p.stage == "geocoding"] == [(1, 3), (2, 3), (3, 3)]
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_long_article_reports_the_pieces_parsed(nlp, gazetteer, settings):
    from .longtext import long_article

    seen: list[Progress] = []
    analyze([article_from_text("long", "long.txt", long_article(30_000))], nlp, gazetteer, settings, on_progress=seen.append)
    parts = [p for p in seen if p.stage == "parsing" and p.part]
    assert len(parts) >= 5 and [p.part for p in parts] == sorted(p.part for p in parts) and all(0 < p.part < 1 for p in parts)
    assert parts[0].describe().startswith("parsing 0 of 1 articles (") and parts[0].describe().endswith("% of article 1)")
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions)


def test_time_left_is_estimated_from_the_share_done():
    now = [100.0]
    estimate = Estimate(clock=lambda: now[0])
    half_parsed = Progress("parsing", 5, 10)  # reading (3 %) + half of parsing (35 %) = 38 %
    assert estimate.seconds_left(half_parsed) is None  # no time spent yet
    now[0] = 138.0
    assert estimate.seconds_left(half_parsed) == pytest.approx(62.0)
    assert estimate.line(half_parsed) == "parsing 5 of 10 articles · about 1 min left"
    assert estimate.line(Progress("routes", 1, 1)) == "building routes"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_progress_draws_on_a_terminal_and_is_quiet_otherwise():
    piped = io.StringIO()
    quiet = TerminalProgress(piped)
    quiet(Progress("parsing", 1, 2))
    quiet.close()
    assert piped.getvalue() == ""
    term = _Terminal()
    bar = TerminalProgress(term)
    bar(Progress("geocoding", 2, 4))
    bar.close()
    out = term.getvalue()
    assert out.startswith("\r") and "geocoding 2 of 4 articles" in out and "[" + "#" * 20 in out and out.endswith("\r\x1b[K")


# --------------------------------------------------------------------------- the CLI


@pytest.mark.model
@pytest.mark.full
def test_cli_reports_the_failing_file_and_exits_zero(tmp_path, cache_dir, monkeypatch, capsys):
    for a in _articles():
        (tmp_path / a.path).write_text(a.raw, encoding="utf-8")
    monkeypatch.setattr(geo.pipeline, "entities_from_doc", _raise_for_marker(geo.pipeline.entities_from_doc))
    code = cli.main(["analyze", str(tmp_path)])
    out = capsys.readouterr()
    assert code == 0
    lines = [line for line in out.err.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "bad.txt: could not be analysed (RuntimeError" in lines[0]
    assert "Traceback" not in out.err and out.out.startswith("2 articles")


@pytest.mark.model
@pytest.mark.full
def test_cli_exits_non_zero_only_when_nothing_could_be_analysed(tmp_path, cache_dir, monkeypatch, capsys):
    (tmp_path / "bad.txt").write_text(f"Trouble\n\nA ferry sailed to {MARKER} on Monday.", encoding="utf-8")
    monkeypatch.setattr(geo.pipeline, "entities_from_doc", _raise_for_marker(geo.pipeline.entities_from_doc))
    code = cli.main(["analyze", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[-1] == "error: no article could be analysed (1 problems, listed above)"
    assert "Traceback" not in err


@pytest.mark.model
@pytest.mark.full
def test_cli_turns_a_bug_into_one_line(tmp_path, cache_dir, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr(geo.pipeline, "build_routes", lambda *a, **k: 1 / 0)
    code = cli.main(["analyze", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1 and err.strip() == "error: internal error (ZeroDivisionError: division by zero); run with -v for the traceback"


@pytest.mark.model
@pytest.mark.full
def test_cli_draws_progress_on_a_terminal_stderr(tmp_path, cache_dir):
    import os
    import pty
    import subprocess
    import sys

    from .conftest import ROOT, SEEDS

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "geo", "analyze", str(SEEDS)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=follower, env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode()
    assert proc.wait(timeout=300) == 0
    err = b"".join(chunks).decode(errors="replace")
    for stage in ("reading 5 of 5 files", "parsing 5 of 5 articles", "corpus steps", "geocoding 5 of 5 articles", "building routes"):
        assert stage in err, (stage, err[-500:])
    assert err.endswith("\r\x1b[K") and out.startswith("5 articles")
