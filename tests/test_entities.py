"""spaCy entities: clean spans, label fixes from the gazetteer, alias clusters."""
from __future__ import annotations

import pytest

from geo.entities import person_key
from geo.parsing import load_model
from geo.errors import ModelNotInstalled


def _cluster_with(analysis, text, label="PERSON"):
    hits = [c for c in analysis.clusters if c.label == label and (c.name == text or text in c.aliases)]
    assert len(hits) == 1, (text, [(c.name, c.aliases) for c in hits])
    return hits[0]


def test_all_gold_people_found(seed_analysis, gold):
    for person in gold["people"]:
        _cluster_with(seed_analysis, person)


def test_gold_alias_groups_are_one_cluster_each(seed_analysis, gold):
    for group in gold["aliases"]:
        cluster = _cluster_with(seed_analysis, group[0])
        assert set(group) <= {cluster.name, *cluster.aliases}, (group, cluster)
        assert cluster.name == group[0]


def test_similar_names_stay_different_people(seed_analysis):
    kim = _cluster_with(seed_analysis, "Kim Jong Un")
    father = _cluster_with(seed_analysis, "Kim Jong Il")
    assert kim.id != father.id
    assert "Kim Jong Il" not in kim.aliases


def test_gold_organisations_found(seed_analysis, gold):
    names = {n for c in seed_analysis.clusters if c.label == "ORG" for n in (c.name, *c.aliases)}
    for org in gold["organizations"]:
        assert any(org in n for n in names), org


def test_acronym_joins_its_organisation(seed_analysis):
    kcna = _cluster_with(seed_analysis, "Korean Central News Agency", "ORG")
    assert "KCNA" in kcna.aliases


def test_entity_offsets_point_into_the_raw_file(seed_analysis):
    raw = {a.id: a.raw for a in seed_analysis.articles}
    for e in seed_analysis.entities:
        assert raw[e.article][e.raw_start:e.raw_end] == e.text, e


def test_spans_are_clean(seed_analysis):
    for e in seed_analysis.entities:
        assert "\n" not in e.text, e
        assert not e.text.endswith(("’s", "'s")), e
        if e.label in ("GPE", "ORG", "LOC"):
            assert not e.text.lower().startswith("the "), e
    people = {c.name for c in seed_analysis.clusters if c.label == "PERSON"}
    assert not any("Getty" in p or "Mogg" in p for p in people)


def test_model_errors_fixed_by_gazetteer_context(seed_analysis):
    labels = {}
    for e in seed_analysis.entities:
        labels.setdefault(e.norm, set()).add(e.label)
    for place in ("vladivostok", "khasan", "kyiv"):
        assert "PERSON" not in labels.get(place, set()) and "ORG" not in labels.get(place, set()), (place, labels.get(place))
    datelines = [e for e in seed_analysis.entities if e.text in ("SEOUL", "WASHINGTON", "MOSCOW")]
    assert {e.label for e in datelines} == {"GPE"} and len(datelines) >= 3


def test_alias_rules_on_another_story(run_text):
    text = ("Rishi Sunak met Olaf Scholz in Berlin on Monday. Mr Sunak said the talks were useful. "
            "Scholz later told reporters that Sunak had agreed to more aid. Prime Minister Sunak flew home at night. "
            "Separately, Lisa Scholz, a cellist, played at the concert hall.\n\n"
            "The International Atomic Energy Agency (IAEA) said its inspectors would return. The IAEA gave no date.")
    result = run_text(text)
    sunak = _cluster_with(result, "Rishi Sunak")
    assert {"Mr Sunak", "Sunak"} <= set(sunak.aliases)
    olaf = _cluster_with(result, "Olaf Scholz")
    lisa = _cluster_with(result, "Lisa Scholz")
    assert olaf.id != lisa.id
    assert "Scholz" in olaf.aliases  # the salient Scholz, not the cellist named once
    iaea = _cluster_with(result, "International Atomic Energy Agency", "ORG")
    assert "IAEA" in iaea.aliases


def test_family_name_first_joins_the_full_name(run_text):
    text = ("Xi Jinping arrived in Moscow on Monday. Mr Xi was greeted at the airport. "
            "Xi said ties were strong. Xi Mingze did not travel.")
    result = run_text(text)
    xi = _cluster_with(result, "Xi Jinping")
    assert {"Xi", "Mr Xi"} <= set(xi.aliases)


def test_possessive_and_credit_cleanup(run_text):
    result = run_text("Residents of Kyiv's suburbs fled. The photo was taken on Tuesday. Credit: Getty/John Smith\n\n"
                      "Kyiv's mayor said the city would rebuild.")
    texts = {e.text for e in result.entities}
    assert "Kyiv" in texts and "Kyiv's" not in texts
    assert not any(e.label == "PERSON" and "Smith" in e.text for e in result.entities)


def test_person_key_folds_titles_and_hyphens():
    assert person_key("Mr Kim Jong-un") == person_key("Kim Jong Un") == "kim jong un"
    assert person_key("Dr Andrei Lankov") == "andrei lankov"


def test_missing_model_names_the_fix():
    with pytest.raises(ModelNotInstalled, match="pip install -r requirements.txt"):
        load_model("en_core_web_nonexistent")


@pytest.mark.parametrize("memory_tokens", [0, 25, 10_000])  # all on disk, the first in memory and the second on disk, all in memory
def test_spilled_docs_come_back_with_everything_the_later_passes_read(nlp, memory_tokens):
    from geo.pipeline import DocSpill

    texts = ["Kim Jong Un left Pyongyang by train on Sunday.\n\nHe arrived in Russia two days later.",
             "Putin flew to Vladivostok, where he met officials."]
    docs = list(nlp.pipe(texts))
    expected = [[(t.text, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.is_sent_start) for t in d] for d in docs]
    ents = [[(e.text, e.label_) for e in d.ents] for d in docs]
    spill = DocSpill(nlp.vocab, memory_tokens=memory_tokens)
    for d in docs:
        spill.add(d)
    assert [len(d) for d in docs] == [19, 10]
    assert len(spill.held) == {0: 0, 25: 1, 10_000: 2}[memory_tokens]  # in order: once one is on disk, so are the rest
    back = list(spill)
    spill.close()
    assert len(back) == 2
    for want, want_ents, b in zip(expected, ents, back):
        assert want == [(t.text, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.is_sent_start) for t in b]
        assert want_ents == [(e.text, e.label_) for e in b.ents]
        assert b.tensor.size == 0  # the spill keeps no tensors: they are what made memory grow with the corpus
    assert spill.file.closed


def test_bare_family_name_goes_to_the_storys_principal_when_two_of_that_name_are_named(run_text):
    texts = {
        "visit": ("President Mikko Korhonen and First Lady Anna Korhonen arrived in Tallinn on Monday. "
                  "Anna Korhonen visited a school and Anna Korhonen read to pupils. "
                  "Korhonen then met the prime minister."),
        "talks": ("Mikko Korhonen said the talks went well. Mikko Korhonen will return next year. "
                  "Aides to Mikko Korhonen gave no details."),
    }
    result = run_text(texts)
    mikko = _cluster_with(result, "Mikko Korhonen")
    anna = _cluster_with(result, "Anna Korhonen")
    assert mikko.id != anna.id
    assert "Korhonen" in mikko.aliases and "Korhonen" not in anna.aliases  # not the wife this article repeats
    assert not [c for c in result.clusters if c.label == "PERSON" and c.name.startswith("Lady")]  # "First Lady" is a title


def test_tokens_where_reads_each_attribute_of_the_doc(nlp):
    from geo.parsing import span_text, tokens_where

    doc = nlp("The ferry sailed to Bergen - then it sailed on. The crew said nothing.")
    assert [doc[i].text for i in tokens_where(doc, "LEMMA", lambda lemma: lemma == "sail")] == ["sailed", "sailed"]
    assert [doc[i].text for i in tokens_where(doc, "ORTH", lambda text: text == "-")] == ["-"]
    assert [doc[i].text for i in tokens_where(doc, "POS", lambda pos: pos == "PROPN")] == ["Bergen"]
    assert tokens_where(doc, "LEMMA", lambda lemma: lemma == "fly") == []
    assert [span_text(s) for s in doc.sents] == [s.text for s in doc.sents]
