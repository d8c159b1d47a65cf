"""Value types of the story engine: input documents, decisions, tunables and story state."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import xxhash

from storywire.stories.features import DocFeatures


@dataclass(frozen=True, slots=True)
class Doc:
    """One article as the engine sees it."""

    id: str
    title: str
    text: str
    published: datetime | None  # aware UTC; None: the engine's clock stands in for it
    outlet: str | None = None
    url: str | None = None
    # False: ``published`` stands in for a time the source did not give (the fetch time of an
    # undated item): it places the document in time, but orders no copies (``copy_order_slack``)
    dated: bool = True


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one document went."""

    story_id: str  # stable: derived from the id of the story's first document
    created: bool  # this document started the story
    copy_of: str | None  # an earlier document this one is a near-identical (syndicated) copy of
    merged: tuple[str, ...]  # story ids absorbed into ``story_id`` by this assignment
    score: float  # similarity to the story joined (0 when created, 1 for a copy)
    # Earlier arrivals this document turned out to be the original of: a near-identical copy
    # that arrived first but was published later (a republication polled before the wire)
    copied: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Placement:
    """What one ``StoryEngine.place_many`` call decided."""

    assigned: list[Assignment | None]  # one per input document, in order; None: held
    # documents held earlier (by any worker) and decided in this call, as (doc id, assignment)
    released: list[tuple[str, Assignment]]
    # for each release, the index in ``assigned`` of the document it was decided before: a
    # ledger that writes in this order announces each story with the document that started it
    released_before: list[int]


@dataclass(frozen=True)
class Params:
    """Every threshold, weight and window of the engine; the defaults are the tuned ones."""

    window_hours: float = 72.0
    # time decay: a document's (and a story's) similarity to a story halves for every
    # ``decay_hours`` between them (0 when their times overlap); 0 disables
    decay_hours: float = 96.0
    # features
    title_weight: float = 2.0
    body_words: int = 200  # only the first N body tokens count (the lead has the event); 0: all
    entity_boost: float = 3.0  # extra weight of name/number/date features inside the vector
    # decision: score = (1 - entity_mix) * text cosine + entity_mix * entity cosine
    entity_mix: float = 0.5
    threshold: float = 0.15
    conflict_penalty: float = 0.05  # subtracted when the main names of doc and story differ
    number_penalty: float = 0.0  # the same for the main numbers (tolls, magnitudes, years)
    merge_threshold: float = 0.4  # a merge must also clear this average-link score
    merge: bool = True  # fold a grown story and a candidate together when they clear the bar
    small_margin: float = 0.1  # the threshold rises by small_margin / sqrt(story size)
    # short documents (headline only) have lower cosines for the same event: scale the threshold
    short_length: int = 40  # documents with fewer content words than this count as short
    short_factor: float = 1.0  # 1.0: no adjustment (lower values did not help on dev data)
    # story representation
    centroid_terms: int = 96
    centroid_entities: int = 64
    # candidate retrieval
    query_terms: int = 10  # a document's most weighted features used to find candidate stories
    index_terms: int = 10  # features of each member document a story is indexed under
    posting_cap: int = 32  # most recent stories kept per feature
    max_candidates: int = 6  # candidate stories scored per document
    # copy level
    shingle: int = 4
    sketch_k: int = 32
    copy_keys: int = 4  # smallest sketch hashes indexed per document
    copy_threshold: float = 0.7
    # The original of a group of copies is the one published first; a copy that arrives later
    # takes the original's place only when published more than this many seconds before it
    # (feeds round times to the minute and servers' clocks drift: closer, arrival decides)
    copy_order_slack: float = 60.0
    # Editions: a dated document does not join the story of its own outlet's item published
    # at least this many hours before or after it whose headline has the same words but for
    # numbers and dates and names another date, or whose link's slug does (the same template,
    # another day): the outlet's next edition of a series (a daily puzzle, a lottery draw, the
    # weather), which otherwise chains day after day into one story. 0 disables
    # (docs/stories.md, Time)
    edition_gap_hours: float = 20.0
    # concurrency
    lock_timeout: float = 30.0
    batch_lock_docs: int = 64
    # times one ``assign_many`` call takes the lock again after a write found it lost (it ran
    # out while this worker stalled) before giving up with ``LockLost``
    lock_retries: int = 3
    expire_batch: int = 2000  # most stories (and as many copy records) evicted per assignment
    # Document frequencies count two generations of this many hours (the current and the
    # previous one), so the table forgets words no longer used and memory stays bounded; the
    # IDF prior carries the first documents after a rotation. 0: one generation, kept forever
    df_generation_hours: float = 720.0
    # IDF prior from background English word frequencies (background.py, ``wordfreq``):
    # ``idf_prior_docs`` pseudo-documents of ``idf_prior_len`` words are added to the online
    # document counts, so IDF is sound from the first document on; 0 disables
    idf_prior_docs: float = 10000.0
    idf_prior_len: float = 100.0
    # how a document is scored against a story: "centroid" is the cosine to the centroid
    # (centroid sum / its norm); "mean" the average cosine to the members (sum / size)
    score_mode: str = "centroid"
    # number conflict: two events of one kind differ in their figures (magnitudes, tolls,
    # model numbers, years). The share of the document's ``conflict_k`` strongest numbers the
    # story lacks and the share of the story's strongest numbers the document lacks (geometric
    # mean, 0..1) times ``number_conflict`` is subtracted from the score; 0 disables
    number_conflict: float = 0.2
    conflict_k: int = 2
    # Deferral: a document whose best story clears the join rule but scores below
    # ``defer_below`` is held, unjoined, and decided ``defer_arrivals`` arrivals later against
    # the stories as they are then (their true story has often grown by then; a weak join
    # made at once would have stayed put). ``StoryEngine.release_held`` decides what a quiet
    # stream leaves held. 0 disables.
    defer_below: float = 0.4
    defer_arrivals: int = 40

    @property
    def window(self) -> float:
        return self.window_hours * 3600.0


def story_id_for(doc_id: str) -> str:
    """The id of a story that ``doc_id`` starts: the same in every process and every run."""
    return "st_" + xxhash.xxh3_64_hexdigest(doc_id.encode("utf-8"))


@dataclass(slots=True)
class StoryState:
    """A live story: what scoring needs (members and outlets live in the ledger).

    Mutable on purpose: the engine updates it in place and hands it back to the store.
    The index features a story is posted under are the store's (``Commit.new_keys``), not
    part of its state: a story of thousands of articles is under thousands of them, and the
    state is rewritten with every article and read with every candidate it is.
    """

    id: str
    first_seen: float
    last_seen: float
    size: int
    # Sum of the members' unit TF-IDF vectors (largest entries kept), as parallel term/weight
    # sequences: a float32 array costs 4 bytes a weight where a dict of floats costs ~100.
    c_terms: tuple[str, ...]
    c_weights: array[float]
    e_terms: tuple[str, ...]  # the same for the entity vectors
    e_weights: array[float]
    # Evicted a window after this: the later of its last article's time and the stream's clock
    # when that article came (-inf: last_seen). A late article (a backfill of a new source)
    # keeps its story for the articles of its event that come with it, where evicting at
    # last_seen dropped it at the next sweep.
    kept_from: float = -math.inf
    # The vectors' norms, with the arrays they were taken of: every document scores several
    # candidate stories, and a norm changes only when a join replaces the arrays.
    _norms: tuple[array[float], array[float], float, float] | None = field(
        default=None, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        self.kept_from = max(self.kept_from, self.last_seen)

    def norms(self) -> tuple[float, float]:
        """Euclidean norms of the text and entity vectors (1.0 for an empty one)."""
        known = self._norms
        if known is None or known[0] is not self.c_weights or known[1] is not self.e_weights:
            c, e = self.c_weights, self.e_weights
            known = self._norms = (c, e, math.hypot(*c) or 1.0, math.hypot(*e) or 1.0)
        return known[2], known[3]

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "f": self.first_seen,
            "l": self.last_seen,
            "n": self.size,
            "c": [self.c_terms, self.c_weights.tolist()],
            "e": [self.e_terms, self.e_weights.tolist()],
            # The index features were listed here (the store keeps them now): an empty list
            # lets a version from before that, rolled back to, still read the state.
            "k": [],
        }
        if self.kept_from != self.last_seen:
            out["r"] = self.kept_from  # only late stories: the rest stay as small as they were
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> StoryState:
        return cls(
            id=str(raw["id"]),
            first_seen=float(raw["f"]),
            last_seen=float(raw["l"]),
            size=int(raw["n"]),
            c_terms=tuple(raw["c"][0]),
            c_weights=array("f", raw["c"][1]),
            e_terms=tuple(raw["e"][0]),
            e_weights=array("f", raw["e"][1]),
            kept_from=float(raw.get("r", -math.inf)),
        )


@dataclass(frozen=True, slots=True)
class DocRecord:
    """A document the store remembers while it is in the window: its sketch, for near-duplicate
    detection, and the assignment it got, so that a redelivery gets the same answer. A worker
    that dies between the store's commit and the ledger's write leaves the merge or copy it
    found to be announced by the retry, which would otherwise see a mere join."""

    doc_id: str
    story_id: str
    sketch: tuple[int, ...]
    time: float
    created: bool = False
    copy_of: str | None = None
    merged: tuple[str, ...] = ()
    score: float = 0.0
    outlet: str | None = None  # copies are looked for across outlets only
    copied: tuple[str, ...] = ()  # earlier arrivals this document is the original of
    dated: bool = True  # ``time`` is a publication time, not the engine's clock
    title_shape: int = 0  # see ``DocFeatures``: what ``edition_gap_hours`` compares
    title_key: int = 0
    link_shape: int = 0
    link_key: int = 0

    def assignment(self) -> Assignment:
        return Assignment(
            self.story_id, self.created, self.copy_of, self.merged, self.score, self.copied
        )


@dataclass(frozen=True, slots=True)
class HeldDoc:
    """A document held for a later decision (``Params.defer_below``)."""

    doc: Doc
    due: int  # decided before the assignment of the store's arrival number ``due``
    since: float  # wall-clock time it was held: what a time bound on holding reads
    # The features computed at hold time: a release decides with them (the document's title
    # and text are not needed again, and a store that serialises may drop them).
    features: DocFeatures


@dataclass(frozen=True, slots=True)
class Commit:
    """Everything one assignment writes, applied atomically by the store."""

    record: DocRecord  # the document, its time and its assignment (story, merges, copy)
    terms: tuple[str, ...]  # distinct features of the document: their frequencies go up by one
    story: StoryState
    # Keys under which ``story`` is (re)indexed at the record's time: the document's. A merge
    # also re-indexes it under every key each absorbed story was under, which the store keeps.
    new_keys: tuple[str, ...]
    copy_keys: tuple[str, ...]  # the sketch hashes the record is found under
    arrival: bool = True  # a newly arrived document (counted), not a held one decided now
    # The record is evicted a window after this (None: the record's time). A late document's
    # record must outlive its own time, or a redelivery after the next sweep would be
    # assigned again as a new document.
    kept_from: float | None = None

    @property
    def keep_time(self) -> float:
        return self.record.time if self.kept_from is None else self.kept_from

    @property
    def time(self) -> float:
        return self.record.time

    @property
    def merged(self) -> tuple[str, ...]:
        return self.record.merged
