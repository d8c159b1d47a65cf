"""Story engine behaviour on small hand-made inputs, in-memory store."""

from __future__ import annotations

import os
import subprocess
import sys
from array import array
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from storywire.stories import (
    Doc,
    MemoryStoryStore,
    Params,
    StoryEngine,
    StoryState,
    story_id_for,
)
from storywire.stories.store import CLOCK_RANK, LockLost, shared_most

from .conftest import MERGE_PARAMS, T0, bridged_docs, labelled_docs


def _partition(labels: list[str], stories: list[str]) -> set[frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for i, s in enumerate(stories):
        groups.setdefault(s, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def test_same_event_joins_and_same_kind_event_stays_apart() -> None:
    """Differently worded articles on one event share a story; the other quake/rehab does not."""
    pairs = labelled_docs()
    engine = StoryEngine(MemoryStoryStore())
    stories = [a.story_id for a in engine.assign_many([d for _, d in pairs])]
    labels = [label for label, _ in pairs]
    expected: dict[str, set[int]] = {}
    for i, label in enumerate(labels):
        expected.setdefault(label, set()).add(i)
    assert _partition(labels, stories) == {frozenset(g) for g in expected.values()}


def test_first_doc_creates_story_with_deterministic_id() -> None:
    """The first document starts a story whose id derives from the document id alone."""
    _, doc = labelled_docs()[0]
    first = StoryEngine(MemoryStoryStore()).assign(doc)
    again = StoryEngine(MemoryStoryStore()).assign(doc)
    assert first.created
    assert first.story_id == again.story_id == story_id_for(doc.id)
    assert first.story_id.startswith("st_")
    assert len(first.story_id) == 3 + 16


def test_wire_copy_is_marked_copy_of_and_joins() -> None:
    """A syndicated near-identical text is marked as a copy of the original and joins its story."""
    _, original = labelled_docs()[0]
    engine = StoryEngine(MemoryStoryStore())
    a = engine.assign(original)
    copy = replace(
        original,
        id="copy",
        title=original.title + " - Reuters",
        text=original.text + " (Reporting by a wire desk)",
        outlet="other.example",
    )
    b = engine.assign(copy)
    assert b.copy_of == original.id
    assert b.story_id == a.story_id
    assert not b.created


_WIRE = (
    "A magnitude 6.1 earthquake struck off the coast of Sumatra on Tuesday, the US Geological "
    "Survey said. Indonesia's meteorology agency issued no tsunami warning, and there were no "
    "immediate reports of damage or casualties in the coastal towns near Padang."
)


def _republished(gap: timedelta) -> tuple[Doc, Doc]:
    """The wire's story, and a site's republication of it ``gap`` later (the site's copy
    carries a credit line of its own after the wire's text)."""
    wire = Doc("ap", "Quake hits off Sumatra", _WIRE, T0, outlet="AP", url="https://ap/1")
    site = Doc(
        "site",
        "Strong quake off Sumatra, no tsunami warning",
        _WIRE + " Copyright the wire; republished with permission by the site's news desk.",
        T0 + gap,
        outlet="Site",
        url="https://site/1",
    )
    return wire, site


def test_a_copy_published_before_the_article_that_arrived_first_is_the_original() -> None:
    """Polling order put the site's republication first: the wire's earlier article is the
    original, and the site's, not the wire's, is the copy; later copies name the wire's."""
    wire, site = _republished(timedelta(minutes=30))
    engine = StoryEngine(MemoryStoryStore())
    first = engine.assign(site)
    original = engine.assign(wire)
    assert original.copy_of is None
    assert original.copied == ("site",)
    assert original.story_id == first.story_id
    assert not original.created
    # Word for word the site's text, so the site's is its nearest match: it still names the
    # group's original, the wire's article.
    later = replace(site, id="later", outlet="Later", published=T0 + timedelta(hours=2))
    assert engine.assign(later).copy_of == "ap"
    assert engine.assign(wire) == original  # a redelivery: the same answer


@pytest.mark.parametrize("gap", [timedelta(seconds=30), timedelta(0)])
def test_copies_published_within_a_minute_keep_their_arrival_order(gap: timedelta) -> None:
    """Feeds' clocks and minute-rounded times cannot order two copies a minute apart."""
    wire, site = _republished(gap)
    engine = StoryEngine(MemoryStoryStore())
    engine.assign(site)
    copy = engine.assign(wire)
    assert (copy.copy_of, copy.copied) == ("site", ())


def test_copies_of_unknown_time_keep_their_arrival_order() -> None:
    """A document without a publication time is placed at the engine's clock: no order."""
    wire, site = _republished(timedelta(hours=1))
    engine = StoryEngine(MemoryStoryStore(), clock=(T0 + timedelta(hours=3)).timestamp)
    engine.assign(site)
    copy = engine.assign(replace(wire, published=None))
    assert (copy.copy_of, copy.copied) == ("site", ())


_SUMMARY = (
    "A magnitude 6.1 earthquake struck off the coast of Sumatra on Tuesday, the US Geological "
    "Survey said; no tsunami warning was issued."
)


def test_a_wire_summary_under_a_rewritten_headline_is_a_copy() -> None:
    """Summary feeds carry the wire's one-line summary under their own headline: the body
    decides, so the second outlet's item is a copy of the first."""
    engine = StoryEngine(MemoryStoryStore())
    engine.assign(Doc("ap", "Quake hits off Sumatra", _SUMMARY, T0, outlet="AP"))
    copy = Doc("cbs", "Indonesia spared tsunami after strong tremor", _SUMMARY, T0, outlet="CBS")
    assert engine.assign(copy).copy_of == "ap"


@pytest.mark.parametrize("outlet", ["Daily", None])
def test_a_stock_line_under_every_item_does_not_make_them_copies(outlet: str | None) -> None:
    """One feed's items on unrelated events, each with the same stock line for a body, stay
    apart: copies are looked for across outlets, and where outlets are unknown the headline
    is part of the copy sketch."""
    stock = (
        "Get the latest breaking news, analysis and video from around the world on our website "
        "every day."
    )
    titles = [
        "Magnitude 6.1 earthquake strikes off Sumatra",
        "Central bank raises interest rates to 5 percent",
        "Striker scores twice as United beat Chelsea",
        "Wildfire forces evacuations near Athens",
    ]
    engine = StoryEngine(MemoryStoryStore())
    docs = [Doc(f"x{i}", t, stock, T0 + timedelta(minutes=i), outlet) for i, t in enumerate(titles)]
    results = engine.assign_many(docs)
    assert [a.copy_of for a in results] == [None] * len(titles)
    assert len({a.story_id for a in results}) == len(titles)


def test_expired_story_is_evicted_and_not_joined() -> None:
    """A story last seen beyond the window is not joined: a later article starts a new story.
    It is evicted once the stream's clock has passed: ``CLOCK_RANK`` later documents."""
    store = MemoryStoryStore()
    engine = StoryEngine(store, Params(window_hours=72))
    pairs = labelled_docs()
    first = engine.assign(pairs[0][1])
    late = replace(pairs[3][1], published=T0 + timedelta(hours=100))
    second = engine.assign(late)
    assert second.created
    assert second.story_id != first.story_id
    for i in range(CLOCK_RANK):
        engine.assign(replace(late, id=f"late-{i}"))
    assert first.story_id not in store.stories
    assert store.live_stories() == 1


def test_a_mistyped_date_does_not_age_the_live_stories_out() -> None:
    """One document dated centuries ahead (a typo in a backfill, a broken feed) does not move
    the stream's clock: the stories it would have expired stay live and keep being joined."""
    store = MemoryStoryStore()
    engine = StoryEngine(store, Params(window_hours=72))
    docs = [d for _, d in labelled_docs()]
    first = engine.assign(docs[0])
    typo = replace(docs[1], id="typo", published=T0.replace(year=2204))
    assert engine.assign(typo).created
    later = [replace(d, published=T0 + timedelta(hours=1)) for d in docs[2:]]
    assert [a.story_id for a in engine.assign_many(later)] == [
        a.story_id for a in StoryEngine(MemoryStoryStore()).assign_many([docs[0], *later])[1:]
    ]
    assert first.story_id in store.stories
    assert store.clock() == T0.timestamp()


def test_redelivered_doc_gets_same_story() -> None:
    """Assigning the same document id twice (a redelivery) returns its story, changes nothing."""
    store = MemoryStoryStore()
    engine = StoryEngine(store)
    _, doc = labelled_docs()[0]
    a = engine.assign(doc)
    assert engine.repeats == 0
    b = engine.assign(doc)
    assert b == a
    assert a.created
    assert store.n_docs == 1
    assert engine.repeats == 1


def test_redelivery_gets_the_merge_it_first_found() -> None:
    """A worker that dies after the store's commit but before the ledger's write is retried: the
    redelivered documents get their first assignments, merge included, so the retry announces
    what the store already did."""
    store = MemoryStoryStore()
    engine = StoryEngine(store, MERGE_PARAMS)
    first = engine.assign_many(bridged_docs())
    assert any(a.merged for a in first)
    n_docs = store.n_docs
    assert engine.assign_many(bridged_docs()) == first
    assert store.n_docs == n_docs


def test_titles_only_input_keeps_events_apart() -> None:
    """Headline-only input with default params still separates the same-kind events."""
    pairs = labelled_docs(titles_only=True)
    engine = StoryEngine(MemoryStoryStore())
    stories = [a.story_id for a in engine.assign_many([d for _, d in pairs])]
    for i, (li, _) in enumerate(pairs):
        for j, (lj, _) in enumerate(pairs):
            if li != lj:
                assert stories[i] != stories[j]


def test_undated_doc_uses_engine_clock() -> None:
    """A document without a date is placed at the engine's clock time."""
    store = MemoryStoryStore()
    engine = StoryEngine(store, clock=lambda: 1_000_000.0)
    engine.assign(Doc(id="x", title="Something happened in Oslo", text="", published=None))
    assert store.clock() == 1_000_000.0


def test_merge_reports_absorbed_story_and_keeps_older_id() -> None:
    """Two stories bridged by later reports merge into the older one; the other is reported."""
    store = MemoryStoryStore()
    engine = StoryEngine(store, MERGE_PARAMS)
    results = engine.assign_many(bridged_docs())
    assert results[0].created
    assert results[1].created
    merged = [a for a in results if a.merged]
    assert len(merged) == 1
    assert merged[0].merged == (story_id_for("b"),)
    assert merged[0].story_id == story_id_for("a")
    assert store.load([story_id_for("b")]) == {}
    survivor = store.load([story_id_for("a")])[story_id_for("a")]
    assert survivor.size == len(bridged_docs())


_RUN = """
import sys
sys.path.insert(0, sys.argv[1])
from conftest import labelled_docs
from storywire.stories import MemoryStoryStore, StoryEngine
engine = StoryEngine(MemoryStoryStore())
for a in engine.assign_many([d for _, d in labelled_docs()]):
    print(a.story_id, a.score, a.copy_of)
"""


def test_assignments_do_not_depend_on_the_string_hash_salt() -> None:
    """Workers with different PYTHONHASHSEED make identical decisions (shared-store safety)."""
    here = str(Path(__file__).parent)
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _RUN, here], env=env, capture_output=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_story_state_counts_members_and_spans_their_times() -> None:
    """A story's state counts its members and spans their publication times."""
    pairs = labelled_docs()
    engine = StoryEngine(MemoryStoryStore())
    first = engine.assign(pairs[0][1])
    engine.assign(pairs[3][1])
    state = engine.story(first.story_id)
    assert state is not None
    assert state.size == 2
    first_time, last_time = pairs[0][1].published, pairs[3][1].published
    assert first_time is not None
    assert last_time is not None
    assert (state.first_seen, state.last_seen) == (first_time.timestamp(), last_time.timestamp())


def test_merge_folds_the_documents_story_in_once() -> None:
    """When an older candidate absorbs the document's own story, meeting that story again in
    the candidate list must not absorb it a second time (it would count its members twice)."""

    def story(sid: str, first: float) -> StoryState:
        return StoryState(
            id=sid,
            first_seen=first,
            last_seen=first,
            size=3,
            c_terms=("quake", "#4.4", "sonoma"),
            c_weights=array("f", [1.5, 1.2, 1.2]),
            e_terms=("#4.4", "sonoma"),
            e_weights=array("f", [1.5, 1.5]),
        )

    engine = StoryEngine(MemoryStoryStore(), MERGE_PARAMS)
    older, joined = story("older", 0.0), story("joined", 1.0)
    feats = engine.features(Doc(id="d", title="Quake near Sonoma", text="", published=None))
    merged: list[str] = []
    survivor = engine._merge_close(joined, [older, joined], merged, feats)
    assert survivor is older
    assert merged == ["joined"]
    assert older.size == 6


@pytest.mark.parametrize(("decay_hours", "falls"), [(96.0, True), (0.0, False)])
def test_time_decay_lowers_the_score_of_a_story_further_away(
    decay_hours: float, falls: bool
) -> None:
    """The same follow-up joins, but scores lower the longer after the story it comes."""
    pairs = labelled_docs()
    scores = []
    for hours in (1, 20, 40):
        engine = StoryEngine(MemoryStoryStore(), Params(decay_hours=decay_hours))
        first = engine.assign(replace(pairs[0][1], published=T0))
        later = engine.assign(replace(pairs[3][1], published=T0 + timedelta(hours=hours)))
        assert later.story_id == first.story_id
        scores.append(later.score)
    if falls:
        assert scores[0] > scores[1] > scores[2]
    else:
        assert scores[0] == scores[1] == scores[2]


def test_a_document_without_names_or_numbers_is_scored_on_its_text_alone() -> None:
    """Caseless scripts (Korean, Arabic, ...) and lowercase feeds yield no entities: the entity
    half of the score must not count as a mismatch, or such reports could score at most half
    of their text similarity and never join."""
    words = "flood river streets rain homes evacuated water rescue boats overnight residents"
    first = Doc("a", "river flood", words, T0)
    second = Doc("b", "flood river", " ".join(reversed(words.split())), T0)
    engine = StoryEngine(MemoryStoryStore())
    engine.assign(first)
    joined = engine.assign(second)
    assert joined.copy_of is None
    assert joined.story_id == story_id_for("a")
    assert joined.score > 0.9


class _LosesLockOnFirstRotation(MemoryStoryStore):
    """The Redis store's behaviour when its lock ran out between eviction and rotation."""

    def __init__(self) -> None:
        super().__init__(clock_rank=1)
        self.rotations: list[bool] = []

    def rotate_frequencies(self, now: float, every: float) -> bool:
        if self._df_started is not None and not self.rotations:
            self.rotations.append(False)
            raise LockLost("ran out")
        rotated = super().rotate_frequencies(now, every)
        if rotated:
            self.rotations.append(True)
        return rotated


def test_a_lock_lost_during_rotation_does_not_put_rotation_off() -> None:
    """The retried assignment rotates; it is not left to the next eviction, window / 8 later."""
    store = _LosesLockOnFirstRotation()
    params = replace(Params(), df_generation_hours=50.0)
    engine = StoryEngine(store, params)
    docs = [d for _, d in labelled_docs()]
    for i, hours in enumerate([0, 80, 160]):
        engine.assign(replace(docs[i], id=f"d{i}", published=T0 + timedelta(hours=hours)))
    assert store.rotations == [False, True]


@pytest.mark.parametrize(
    ("most", "kept"),
    [(1, {"a", "b", "c"}), (3, {"a", "b", "c", "top"}), (4, {"b", "top"}), (9, {"b", "top"})],
)
def test_candidates_share_half_the_most_query_features_or_two(most: int, kept: set[str]) -> None:
    """A story sharing one query feature cannot win against one sharing four: with full
    posting lists that is hundreds of stories not scored. Below 4, every story stays."""
    votes = {"a": 1, "b": 2, "c": 1, "top": most} if most > 1 else {"a": 1, "b": 1, "c": 1}
    assert set(shared_most(votes)) == kept
