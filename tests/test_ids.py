"""Stable identities: articles by content hash, mentions by raw offsets, clusters by a key that survives re-analysis."""
from __future__ import annotations

import hashlib

from geo.aliases import Cluster, cluster_id, keep_cluster_ids, legacy_id
from geo.articles import article_from_text, read_corpus
from geo.pipeline import analyze
from geo.viewstate import Choices, read_view

# Three short stories written for this test. DEFINES spells out the acronym that ONLY_ACRONYM uses alone.
DEFINES = ("Grain strike spreads\n\nThe National Grain Board (NGB) said on Monday that Tomas Varga, its chairman, "
           "would meet union leaders in Paris. Varga said the talks would be hard.\n")
ONLY_ACRONYM = ("Talks resume\n\nThe NGB said on Tuesday that Tomas Varga had arrived in Paris. Mr Varga declined to comment. "
                "Union leader Ines Moreau said the NGB must pay.\n")
LATER = ("Strike ends\n\nInes Moreau told reporters in Paris on Friday that the strike was over. Moreau thanked the "
         "workers.\n")


def _articles(*stories: tuple[str, str]):
    return [article_from_text(label, f"{label}.txt", text) for label, text in stories]


def _clusters_of(result, article_id: str) -> dict[tuple[str, int, int], str]:
    return {e.key: result.cluster_of(e) for e in result.entities if e.article == article_id and result.cluster_of(e)}


def test_article_id_is_the_content_hash_and_the_file_name_is_its_label(tmp_path, settings):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    data = DEFINES.encode("utf-8")
    (tmp_path / "one" / "strike.txt").write_bytes(data)
    (tmp_path / "two" / "renamed.txt").write_bytes(data)
    (tmp_path / "one" / "talks.txt").write_bytes(ONLY_ACRONYM.encode("utf-8"))
    articles, problems = read_corpus([tmp_path / "one", tmp_path / "two"], settings)
    assert [a.label for a in articles] == ["strike", "talks"]  # the renamed copy is the same article
    assert articles[0].id == hashlib.sha256(data).hexdigest()[:16]
    assert [str(p) for p in problems] == [f"{tmp_path / 'two' / 'renamed.txt'}: same content as {tmp_path / 'one' / 'strike.txt'}; analysed once"]


def test_same_stem_gets_distinct_labels_and_ids(tmp_path, settings):
    (tmp_path / "a.txt").write_text(DEFINES, encoding="utf-8")
    (tmp_path / "a.md").write_text(LATER, encoding="utf-8")
    articles, problems = read_corpus([tmp_path], settings)
    assert not problems
    assert sorted(a.label for a in articles) == ["a", "a-2"] and len({a.id for a in articles}) == 2


def test_reanalysis_with_articles_added_and_removed_keeps_ids(nlp, tiny_gazetteer, settings):
    first = analyze(_articles(("strike", DEFINES), ("talks", ONLY_ACRONYM)), nlp, tiny_gazetteer, settings)
    talks = next(a for a in first.articles if a.label == "talks")
    board = {cid for key, cid in _clusters_of(first, talks.id).items() if first.cluster_by_id()[cid].label == "ORG"}
    assert len(board) == 1  # "NGB" joined the full name defined in the other article

    # "strike" removed, "later" added: the acronym is now grouped under its own key, yet keeps its id.
    second = analyze(_articles(("talks", ONLY_ACRONYM), ("later", LATER)), nlp, tiny_gazetteer, settings,
                     previous=first.assignment)
    assert talks.id in {a.id for a in second.articles}
    assert {e.key for e in second.entities if e.article == talks.id} == {e.key for e in first.entities if e.article == talks.id}
    assert _clusters_of(second, talks.id) == _clusters_of(first, talks.id)
    assert board <= {c.id for c in second.clusters}

    # Without the earlier assignment the acronym's cluster is keyed by "ngb" alone: another id (what `previous` fixes).
    fresh = analyze(_articles(("talks", ONLY_ACRONYM), ("later", LATER)), nlp, tiny_gazetteer, settings)
    fresh_org = {cid for cid in _clusters_of(fresh, talks.id).values() if fresh.cluster_by_id()[cid].label == "ORG"}
    assert fresh_org and fresh_org != board
    # People keep their id whatever else is loaded: it depends on the label and the full name only.
    people = {cid for cid in _clusters_of(first, talks.id).values() if cid.startswith("person-")}
    assert people and people <= set(_clusters_of(fresh, talks.id).values())


def test_cluster_ids_hash_label_and_key_and_differ_for_other_scripts():
    assert cluster_id("PERSON", "ana-costa") == cluster_id("PERSON", "ana-costa") != cluster_id("ORG", "ana-costa")
    assert cluster_id("PERSON", "иван-петров") != cluster_id("PERSON", "пётр-иванов")  # the old slug made both "person-x"


def test_a_new_cluster_takes_the_earlier_id_it_shares_most_mentions_with():
    a, b = ("doc", 0, 3), ("doc", 10, 13)
    renamed = Cluster("org-new", "ORG", "NRA", (), ("doc",), 2, "nra")
    other = Cluster("org-kept", "ORG", "Union", (), ("doc",), 1, "union")
    clusters, assignment = keep_cluster_ids([renamed, other], {a: "org-new", b: "org-new", ("doc", 20, 25): "org-kept"},
                                            {a: "org-old", b: "org-old", ("doc", 20, 25): "org-kept"})
    assert [c.id for c in clusters] == ["org-old", "org-kept"]
    assert assignment[a] == assignment[b] == "org-old"


def test_old_links_by_file_label_and_readable_entity_id_still_open():
    entity = Cluster(cluster_id("PERSON", "ana-costa"), "PERSON", "Ana Costa", (), ("f00d",), 1, "ana-costa")
    choices = Choices(["f00d", "beef"], {}, {entity.id: ["beef"]}, [], article_labels={"lisbon-talks": "f00d", "other": "beef"},
                      entity_aliases={legacy_id(entity): entity.id})
    view = read_view({"article": "lisbon-talks", "entity": "person-ana-costa", "articles": "other"}, choices)
    assert (view.article, view.entity, view.articles, view.notes) == ("f00d", entity.id, ("beef",), ())
