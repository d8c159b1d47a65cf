"""Online story clustering: copy level first, then story level, under the store's lock."""

from __future__ import annotations

import math
import operator
import time
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import compress, repeat

from storywire.stories.background import doc_rate, have_background, word_rates
from storywire.stories.features import DATE_WORDS, DocFeatures, extract, sketch_similarity
from storywire.stories.model import (
    Assignment,
    Commit,
    Doc,
    DocRecord,
    HeldDoc,
    Params,
    Placement,
    StoryState,
    story_id_for,
)
from storywire.stories.store import LockLost, StoryStore

_LOG1P: list[float] = [math.log(i + 1) for i in range(4096)]


def _log1p_table(largest: int) -> list[float]:
    """log(d + 1) for every document frequency up to ``largest``: a list index beats a call."""
    if largest >= len(_LOG1P):
        _LOG1P.extend(math.log(i + 1) for i in range(len(_LOG1P), 2 * largest + 1))
    return _LOG1P


def _unit(vec: dict[str, float]) -> dict[str, float]:
    """``vec`` scaled to unit length, in place (the callers own their fresh vectors)."""
    values = vec.values()
    norm = math.hypot(*values)  # one C call; a sum of products made a float per term
    if norm == 0.0:
        return vec
    # The same products as ``{t: w * inv ...}``, multiplied in C and written over the old
    # values: no new table. Safe while iterating: no key is added, and each value is read
    # before it is replaced.
    vec.update(zip(vec, map(operator.mul, values, repeat(1.0 / norm)), strict=True))
    return vec


def _dot(vec: dict[str, float], terms: tuple[str, ...], weights: array[float]) -> float:
    """Dot product of a document vector with a packed story vector, iterated in C."""
    # Most of a story's terms are not in the document: only the shared ones are multiplied
    # (``compress`` and ``filter`` both keep the found values, which are never 0.0 in a unit
    # vector; a product skipped is one that added 0.0). 22% less than multiplying them all.
    found = list(map(vec.get, terms))
    return float(sum(map(operator.mul, compress(weights, found), filter(None, found))))


def _dated(doc: Doc) -> bool:
    """The document's time is its publication time (not the engine's clock, nor a stand-in)."""
    return doc.published is not None and doc.dated


def _is_name(term: str) -> bool:
    return term[0] != "#" and term not in DATE_WORDS


def _is_number(term: str) -> bool:
    return term[0] == "#"


def _lead(
    vec: dict[str, float], entities: tuple[str, ...], kind: Callable[[str], bool]
) -> str | None:
    """The document's most weighted entity of one kind (name or number)."""
    best: str | None = None
    best_w = 0.0
    for term in filter(kind, entities):  # features order, not set order: same in every process
        w = vec[term]
        if w > best_w:
            best, best_w = term, w
    return best


def _top(story: StoryState, kind: Callable[[str], bool]) -> str | None:
    """The story's most weighted entity of one kind (its entity vector is kept sorted)."""
    return next(filter(kind, story.e_terms), None)


def _conflict(
    lead: str, present: Collection[str], story: StoryState, kind: Callable[[str], bool]
) -> bool:
    """The document's lead entity is not in the story and the story's is not in the document
    (``present``: its features; a name it has only in lowercase, as in a link's slug, counts)."""
    if lead in story.e_terms:
        return False
    top = _top(story, kind)
    return top is not None and top not in present


def _top_name(story: StoryState) -> str | None:
    return _top(story, _is_name)


def _story_conflict(a: StoryState, b: StoryState) -> bool:
    """Neither story's main name appears in the other: two events of one kind."""
    ta, tb = _top_name(a), _top_name(b)
    return ta is not None and tb is not None and ta not in b.e_terms and tb not in a.e_terms


def _add_truncate(
    terms: tuple[str, ...],
    weights: array[float],
    vec: dict[str, float],
    keep: int,
    *,
    ranked: list[str] | None = None,
) -> tuple[tuple[str, ...], array[float]]:
    """Add ``vec`` to a packed vector and keep its ``keep`` largest entries. ``ranked``: add
    only these terms of ``vec``, which are its largest first (ties in the order sorting would
    leave them), so adding them to an empty vector needs no sort."""
    if terms:
        acc = dict(zip(terms, weights, strict=True))
        keys: Collection[str] = vec if ranked is None else ranked
        values = vec.values() if ranked is None else map(vec.__getitem__, ranked)
        # acc[t] = acc.get(t, 0.0) + w for every (t, w) of vec, the additions run in C (vec's
        # keys are distinct, so reading acc while it is updated sees only the old entries)
        sums = map(operator.add, map(acc.get, keys, repeat(0.0)), values)
        acc.update(zip(keys, sums, strict=True))
    elif ranked is not None:
        top = ranked[:keep]
        return tuple(top), array("f", map(vec.__getitem__, top))
    else:
        acc = vec
    # Always sorted, largest first (a story's main name is then its first name); stable, so
    # ties keep insertion order and every store truncates identically. Sorting the keys by
    # their weights orders them as sorting the (term, weight) pairs would, without the pairs.
    top = sorted(acc, key=acc.__getitem__, reverse=True)[:keep]
    return tuple(top), array("f", map(acc.__getitem__, top))


def features_of(doc: Doc, p: Params) -> DocFeatures:
    """What the engine with ``p`` reads of ``doc`` (pure: any process may compute it)."""
    return extract(
        doc.title,
        doc.text,
        title_weight=p.title_weight,
        body_words=p.body_words,
        shingle=p.shingle,
        sketch_k=p.sketch_k,
        headline_in_sketch=doc.outlet is None,
        url=doc.url,
    )


@dataclass(slots=True)
class _Arrivals:
    """The store's arrival count and earliest due hold, read once per lock: while it is held,
    only this worker writes them."""

    count: int
    next_due: int | None

    def due(self) -> bool:
        return self.next_due is not None and self.count >= self.next_due


class StoryEngine:
    """Assigns documents to stories, one at a time or in batches, against a shared store."""

    def __init__(
        self,
        store: StoryStore,
        params: Params = Params(),  # noqa: B008 - Params is frozen, a shared default is safe
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.params = params
        self.clock = clock
        self._prior: dict[str, float] = {}
        # Documents this engine met again after deciding or holding them (a redelivery, a
        # repeated id in a file): each keeps its first answer, the new text is not read.
        self.repeats = 0
        # Documents dated more than a window before the stream's clock when they came (a
        # backfill, a file out of time order): the stories of their own time may be evicted.
        self.late = 0

    # -- features (outside any lock) -------------------------------------------------------

    def features(self, doc: Doc) -> DocFeatures:
        return features_of(doc, self.params)

    # -- public API ------------------------------------------------------------------------

    def assign(self, doc: Doc) -> Assignment:
        """Assign one document: join the best live story above the threshold, or start one."""
        return self.assign_many([doc])[0]

    def assign_many(self, docs: Sequence[Doc]) -> list[Assignment]:
        """Assign a batch in order, every document now (none is held, and documents the store
        holds stay held)."""
        placed = self._place(docs, defer=False)
        return [a for a in placed.assigned if a is not None]

    def place_many(
        self, docs: Sequence[Doc], feats: Sequence[DocFeatures] | None = None
    ) -> Placement:
        """Assign a batch in order, holding the grey-zone documents (``Params.defer_below``):
        their entry in ``assigned`` is None. Before each arrival, the documents held (by any
        worker) that fall due are decided; they come back in ``released``. ``feats``: the
        documents' ``features``, made elsewhere (another process)."""
        return self._place(docs, defer=self.params.defer_below > 0, feats=feats)

    def release_held(self, older_than: float) -> list[tuple[str, Assignment]]:
        """Decide every document held at least ``older_than`` seconds (wall clock; 0: all of
        them): what a quiet stream, or the end of a file, would otherwise leave held."""
        held_before = self.clock() - older_than if older_than > 0 else math.inf
        released: list[tuple[str, Assignment]] = []

        def turn(arrivals: _Arrivals) -> bool:
            self._release(arrivals, held_before, released)
            return True

        self._locked_turns(turn)
        return released

    def decided(self, doc_id: str) -> Assignment | None:
        """The assignment the store remembers for ``doc_id`` (None: never decided, or expired)."""
        found = self.store.stats(doc_id, (), ()).seen
        return found.assignment() if found is not None else None

    def holding(self, doc_id: str) -> bool:
        return self.store.is_held(doc_id)

    def _place(
        self, docs: Sequence[Doc], *, defer: bool, feats: Sequence[DocFeatures] | None = None
    ) -> Placement:
        """The lock is taken once per ``batch_lock_docs`` documents (see ``_locked_turns``)."""
        if feats is None:
            feats = [self.features(d) for d in docs]
        out: list[Assignment | None] = []
        released: list[tuple[str, Assignment]] = []
        before: list[int] = []
        step = max(1, self.params.batch_lock_docs)

        def turn(arrivals: _Arrivals) -> bool:
            start = len(out)
            for doc, f in zip(docs[start : start + step], feats[start : start + step], strict=True):
                if not defer:
                    out.append(self._assign_locked(doc, f))
                    continue
                if arrivals.due():
                    try:
                        self._release(arrivals, -math.inf, released)
                    finally:
                        # Releases committed before a LockLost stand and are reported: they
                        # came before this document, whatever the next lock finds due.
                        before.extend([len(out)] * (len(released) - len(before)))
                out.append(self._assign_locked(doc, f, arrivals))
            return len(out) == len(docs)

        if docs:
            self._locked_turns(turn, counting=defer)
        return Placement(out, released, before)

    def _locked_turns(self, turn: Callable[[_Arrivals], bool], *, counting: bool = True) -> None:
        """Call ``turn`` under the store's lock, taken afresh each time, until it returns True,
        with the store's arrivals (read under each lock; not read unless ``counting``).

        If the store reports ``LockLost`` (this worker stalled past the lock's timeout, so its
        write was refused), what was already committed stands and the lock is taken again: the
        refused document is assigned afresh against what the new holder wrote. After
        ``lock_retries`` such losses ``LockLost`` propagates (the process task retries the
        batch later; committed documents then come back as redeliveries)."""
        lost = 0
        while True:
            try:
                with self.store.locked():
                    counts = self.store.arrivals() if counting else (0, None)
                    if turn(_Arrivals(*counts)):
                        return
            except LockLost:
                lost += 1
                if lost > self.params.lock_retries:
                    raise

    def _release(
        self, arrivals: _Arrivals, held_before: float, released: list[tuple[str, Assignment]]
    ) -> None:
        """Decide the held documents due by now, or held at or before ``held_before``. A
        worker that dies between a release's commit and its ``unhold`` leaves the document
        held: the next release finds its record and gives the same answer."""
        due, arrivals.next_due = self.store.due(arrivals.count, held_before)
        for held in due:
            doc = held.doc
            assignment = self._assign_locked(doc, held.features, None, fresh=False)
            assert assignment is not None  # without arrivals nothing is held
            self.store.unhold(doc.id)
            released.append((doc.id, assignment))

    def story(self, story_id: str) -> StoryState | None:
        """The live state of one story (what scoring uses: centroids, size, first/last seen).
        Story events are built from the ledger, which records every member article."""
        return self.store.load([story_id]).get(story_id)

    # -- the decision ----------------------------------------------------------------------

    def _doc_time(self, doc: Doc) -> float:
        return doc.published.timestamp() if doc.published is not None else self.clock()

    def _prior_df(self, terms: Collection[str]) -> list[float]:
        """Pseudo-document frequency (plus one) of each term under the background prior."""
        cache = self._prior  # term -> pseudo-document frequency + 1; Zipf: nearly always hits
        values = list(map(cache.get, terms))
        # A miss is None and every value is at least 1.0: all() tests truth, 4x faster than
        # ``None not in`` comparing each float with None.
        if all(values):
            return values  # type: ignore[return-value]  # no miss: all floats
        if len(cache) > 1_000_000:
            cache.clear()
        p = self.params
        missing = [t for t, v in zip(terms, values, strict=True) if v is None]
        for t, r in zip(missing, word_rates(missing), strict=True):
            cache[t] = p.idf_prior_docs * doc_rate(r, p.idf_prior_len) + 1.0
        return list(map(cache.__getitem__, terms))

    def _vectors(
        self, feats: DocFeatures, n_docs: int, df: list[int]
    ) -> tuple[dict[str, float], dict[str, float]]:
        """Unit TF-IDF vector of all features and unit IDF vector of the entity features."""
        m = self.params.idf_prior_docs
        if m > 0 and have_background():
            # Background prior: pseudo-counts added to the online document frequencies.
            # idf = 1 + log((n + m + 1) / (df + prior + 1)) >= 1, since df <= n and prior <= m.
            log_n = math.log(n_docs + m + 1.0) + 1.0
            logs: Iterable[float] = map(
                math.log, map(operator.add, df, self._prior_df(feats.terms))
            )
        else:
            log_n = math.log(n_docs + 1) + 1.0
            table = _log1p_table(max(df, default=0))
            logs = map(table.__getitem__, df)
        # idf = log_n - log(...), tf-idf = w * idf: the same operations, run in C.
        idfs = map(operator.sub, repeat(log_n), logs)
        terms = feats.terms
        # A copy of ``terms`` has their table at its final size already; the weights are then
        # written over the copy's, where building a dict grew and rehashed it several times.
        vec = terms.copy()
        vec.update(zip(terms, map(operator.mul, terms.values(), idfs), strict=True))
        boost = self.params.entity_boost
        ent: dict[str, float] = {}
        # feats.ordered_entities follows the features' order, never the set's: set order
        # follows the per-process string hash salt, and workers must build identical vectors.
        for term in feats.ordered_entities:
            w = vec[term]
            vec[term] = w * boost
            ent[term] = w / terms[term]  # the term's IDF
        return _unit(vec), _unit(ent)

    def _hold(self, doc: Doc, feats: DocFeatures, arrivals: _Arrivals, t: float) -> None:
        due = arrivals.count + self.params.defer_arrivals
        if doc.published is None:
            # An undated document is news at its arrival, not at its release: the clock has
            # moved on by then (by hours of wall time, or a file's lines by days).
            doc = replace(doc, published=datetime.fromtimestamp(t, UTC), dated=False)
        self.store.hold(HeldDoc(doc, due, self.clock(), feats))
        arrivals.count += 1
        if arrivals.next_due is None:
            arrivals.next_due = due  # earlier holds are due earlier: only the first one counts

    def _assign_locked(
        self,
        doc: Doc,
        feats: DocFeatures,
        arrivals: _Arrivals | None = None,
        *,
        fresh: bool = True,
    ) -> Assignment | None:
        """Decide ``doc``: None when it is held (only with ``arrivals``). ``fresh``: a new
        arrival, not a held document decided now."""
        p = self.params
        store = self.store
        t = self._doc_time(doc)
        now = store.clock() or t  # an empty store's clock starts at its first document
        if now - p.window > store.swept() + p.window / 8:
            # Amortised: evicting on every document would rescan the heap for nothing. Bounded:
            # after a long pause (workers down for days) a backlog drains over the next
            # assignments in batches, never in one lock-holding sweep of every story.
            evicted = store.expire(now - p.window, limit=p.expire_batch)
            if p.df_generation_hours > 0:
                store.rotate_frequencies(now, p.df_generation_hours * 3600.0)
            # Only now: a LockLost above retries this document, which must evict and rotate.
            if evicted < p.expire_batch:
                store.swept_to(now - p.window)
        terms = tuple(feats.terms)
        edition_keys = self._edition_keys(feats, doc)
        copy_keys = [f"{h:x}" for h in feats.sketch[: p.copy_keys]] + edition_keys
        n_docs, df, copies, seen, held = store.stats(doc.id, terms, copy_keys)
        if seen is not None:
            self.repeats += 1
            return seen.assignment()
        # Asked before scoring, not only for grey joins: a redelivery or an edit of a held
        # document may score otherwise now, and deciding it here too would leave its hold to
        # be decided a second time by its release (and the ledger to record the held text
        # over this decision). The first hold stands. (next_due None: nothing is held.)
        if arrivals is not None and arrivals.next_due is not None and held:
            self.repeats += 1
            return None
        if fresh and t < now - p.window:
            self.late += 1

        vec, ent = self._vectors(feats, n_docs, df)
        # sorted() is stable (ties keep the features' order) and runs in C, unlike nlargest.
        # (Sorting the terms by weight, not the (term, weight) pairs: no pair is built.)
        top = sorted(vec, key=vec.__getitem__, reverse=True)[
            : max(p.index_terms, p.query_terms, p.centroid_terms)
        ]
        index_keys = tuple(top[: p.index_terms])

        barred = self._editions(feats, doc, t, copies) if edition_keys else set()
        copy_of, copied, story, score = self._find_copy(feats, doc, t, copies)
        if story is not None and story.id in barred:
            # Another outlet's copy of an earlier edition: a copy of yesterday's page is
            # yesterday's story, which this edition is not.
            copy_of, copied, story, score = None, (), None, 0.0
        others: list[StoryState] = []
        if story is None:
            story, score, others = self._best_story(
                vec, ent, top[: p.query_terms], feats, t, barred=barred
            )
            if story is not None and arrivals is not None and score < p.defer_below:
                self._hold(doc, feats, arrivals, t)
                return None
        created = story is None
        if story is None:
            story = StoryState(
                id=story_id_for(doc.id),
                first_seen=t,
                last_seen=t,
                size=0,
                c_terms=(),
                c_weights=array("f"),
                e_terms=(),
                e_weights=array("f"),
            )
            score = 0.0
        # Only the document's strongest features can survive the centroid's truncation anyway.
        self._join(story, vec=vec, top=top, ent=ent, t=t)
        story.kept_from = max(story.kept_from, now)
        merged: list[str] = []
        if not created and p.merge:
            story = self._merge_close(story, others, merged, feats)
        record = DocRecord(
            doc_id=doc.id,
            story_id=story.id,
            sketch=feats.sketch,
            time=t,
            created=created,
            copy_of=copy_of,
            merged=tuple(merged),
            score=round(score, 6),
            outlet=doc.outlet,
            copied=copied,
            dated=_dated(doc),
            title_shape=feats.title_shape,
            title_key=feats.title_key,
            link_shape=feats.link_shape,
            link_key=feats.link_key,
        )
        store.commit(
            Commit(
                record=record,
                terms=terms,
                story=story,
                new_keys=index_keys,
                copy_keys=tuple(copy_keys),
                arrival=fresh,
                kept_from=now if now > t else None,
            )
        )
        if arrivals is not None:
            arrivals.count += 1
        return record.assignment()

    def _norms(self, story: StoryState) -> tuple[float, float]:
        """What a dot product with the story's text and entity vectors is divided by."""
        if self.params.score_mode == "centroid":
            return story.norms()
        return float(story.size), float(story.size)

    def _score(
        self,
        vec: dict[str, float],
        ent: dict[str, float],
        story: StoryState,
        numbers: list[tuple[float, str]],
        t: float,
    ) -> float:
        """Similarity of a document of time ``t`` to a story (see ``score_mode``), decayed by
        the time between them, less the number conflict; ``numbers`` are the document's
        strongest figures (``_top_numbers``)."""
        p = self.params
        mix = self._entity_mix(ent, story.e_terms)
        cn, en = self._norms(story)
        score = (1.0 - mix) * _dot(vec, story.c_terms, story.c_weights) / cn
        if mix:
            score += mix * _dot(ent, story.e_terms, story.e_weights) / en
        score *= self._decay(t, t, story)
        if numbers:
            score -= p.number_conflict * self._number_conflict(numbers, ent, story)
        return score

    def _entity_mix(self, a: Collection[str], b: Collection[str]) -> float:
        """The entity share of a score between two sides with these entities. None on one side
        (caseless scripts, lowercase feeds) is absence of evidence: scoring it as an entity
        mismatch would cap the score at half the text similarity, so text decides alone."""
        return self.params.entity_mix if a and b else 0.0

    def _decay(self, start: float, end: float, story: StoryState) -> float:
        """1 when the span ``start..end`` overlaps the story's, halving every ``decay_hours``
        of gap: an article days after a story's last one is less likely the same event (the
        same kind of event recurs; one event's coverage comes in bursts).

        A story that already spans more than a window is far from everything: the gap counts
        from its centre, less half a window. Else a war's daily strikes, or a daily puzzle's
        items, each joined the story of the day before, and one story grew for as long as
        the kind of event recurred (40 days of strikes: one story; now under 15 days)."""
        p = self.params
        half_life = p.decay_hours * 3600.0
        apart = abs(story.first_seen + story.last_seen - start - end) / 2  # centre to centre
        gap = max(start - story.last_seen, story.first_seen - end, apart - p.window / 2, 0.0)
        if not gap or half_life <= 0:
            return 1.0
        return float(0.5 ** (gap / half_life))

    def _top_numbers(self, ent: dict[str, float]) -> list[tuple[float, str]]:
        """The ``conflict_k`` most weighted number features of an entity vector (none when the
        number conflict is off)."""
        if not self.params.number_conflict:
            return []
        found = [(w, t) for t, w in ent.items() if t[0] == "#"]
        return sorted(found, reverse=True)[: self.params.conflict_k] if found else found

    def _number_conflict(
        self, mine: list[tuple[float, str]], ent: dict[str, float], story: StoryState
    ) -> float:
        """0..1: the share of the document's strongest figures the story lacks and the share
        of the story's strongest figures the document lacks, geometric mean."""
        terms = story.e_terms
        theirs = [(w, t) for t, w in zip(terms, story.e_weights, strict=True) if t[0] == "#"]
        if not theirs:
            return 0.0
        theirs = sorted(theirs, reverse=True)[: self.params.conflict_k]
        total = sum(w * w for w, _ in mine)
        miss_doc = sum(w * w for w, t in mine if t not in terms) / total
        total = sum(w * w for w, _ in theirs)
        miss_story = sum(w * w for w, t in theirs if t not in ent) / total
        return math.sqrt(miss_doc * miss_story)

    def _pair_score(self, a: StoryState, b: StoryState) -> float:
        """Similarity of two stories (cosine of their centroids, or average link: see
        ``score_mode``), less the conflicts and the small-sample margin."""
        p = self.params
        pairs = a.size * b.size
        (ac, ae), (bc, be) = self._norms(a), self._norms(b)
        text = _dot(dict(zip(a.c_terms, a.c_weights, strict=True)), b.c_terms, b.c_weights)
        mix = self._entity_mix(a.e_terms, b.e_terms)
        score = (1.0 - mix) * text / (ac * bc)
        a_ent = dict(zip(a.e_terms, a.e_weights, strict=True))
        if mix:
            score += mix * _dot(a_ent, b.e_terms, b.e_weights) / (ae * be)
        score *= self._decay(a.first_seen, a.last_seen, b)
        numbers = self._top_numbers(a_ent)
        if numbers:
            score -= p.number_conflict * self._number_conflict(numbers, a_ent, b)
        if p.conflict_penalty and _story_conflict(a, b):
            score -= p.conflict_penalty
        return score - p.small_margin / math.sqrt(pairs)

    def _merge_close(
        self,
        story: StoryState,
        others: list[StoryState],
        merged: list[str],
        feats: DocFeatures,
    ) -> StoryState:
        """Group-average agglomeration, online: once a story has grown, fold in any candidate
        story whose average-link score with it now clears ``merge_threshold`` (stricter than
        joining: two stories of one kind can look alike on average). The older story (earlier
        first article) survives, so ids stay stable; the other is reported merged (and the
        store indexes the survivor under what the other was indexed under)."""
        threshold = max(self._threshold(feats), self.params.merge_threshold)
        for other in others:
            # ``other`` may already have been folded in during this loop (the document's own
            # story, absorbed by an older candidate): absorbing it again would count it twice.
            if (
                other.id == story.id
                or other.id in merged
                or self._pair_score(story, other) < threshold
            ):
                continue
            keep, gone = sorted((story, other), key=lambda s: (s.first_seen, s.id))
            self._absorb(keep, gone)
            merged.append(gone.id)
            story = keep
        return story

    def _absorb(self, keep: StoryState, gone: StoryState) -> None:
        p = self.params
        keep.c_terms, keep.c_weights = _add_truncate(
            keep.c_terms,
            keep.c_weights,
            dict(zip(gone.c_terms, gone.c_weights, strict=True)),
            p.centroid_terms,
        )
        keep.e_terms, keep.e_weights = _add_truncate(
            keep.e_terms,
            keep.e_weights,
            dict(zip(gone.e_terms, gone.e_weights, strict=True)),
            p.centroid_entities,
        )
        keep.size += gone.size
        keep.first_seen = min(keep.first_seen, gone.first_seen)
        keep.last_seen = max(keep.last_seen, gone.last_seen)
        keep.kept_from = max(keep.kept_from, gone.kept_from)

    def _find_copy(
        self, feats: DocFeatures, doc: Doc, t: float, copies: list[DocRecord]
    ) -> tuple[str | None, tuple[str, ...], StoryState | None, float]:
        """The earlier document (within a window of ``t``, either side) this one is a
        near-identical copy of, the earlier arrival it is the original of instead (published
        before it: see ``copy_order_slack``), and the story it joins.

        Syndication crosses outlets: one outlet's items that share a body (a stock line every
        item of a feed carries, a re-post) are left to the story level, which reads their
        headlines too. (Without outlets the sketch keeps the headline: ``extract``.)"""
        p = self.params
        outlet = doc.outlet
        best: tuple[float, str] | None = None
        match: DocRecord | None = None
        since, until = t - p.window, t + p.window
        for rec in copies:
            if not since <= rec.time <= until or (outlet is not None and rec.outlet == outlet):
                continue
            sim = sketch_similarity(feats.sketch, rec.sketch, p.sketch_k)
            if sim >= p.copy_threshold and (best is None or (sim, rec.doc_id) > best):
                best, match = (sim, rec.doc_id), rec
        if match is None:
            return None, (), None, 0.0
        original = self._group_original(match, copies, outlet, since, until)
        story = self._surviving(original.story_id)
        if story is None:
            return None, (), None, 0.0
        if _dated(doc) and original.dated and t < original.time - p.copy_order_slack:
            return None, (original.doc_id,), story, 1.0
        return original.doc_id, (), story, 1.0

    @staticmethod
    def _group_original(
        match: DocRecord,
        copies: list[DocRecord],
        outlet: str | None,
        since: float,
        until: float,
    ) -> DocRecord:
        """The original of ``match``'s group of copies, as far as ``copies`` show it: what the
        match is a copy of, or what took its place as the original, and so on up. Each copy
        names the group's original rather than whichever copy its text is nearest."""
        by_id = {rec.doc_id: rec for rec in copies}
        took = {old: rec.doc_id for rec in copies for old in rec.copied}
        seen = {match.doc_id}
        rec = match
        while (up_id := took.get(rec.doc_id) or rec.copy_of) is not None:
            up = by_id.get(up_id)
            if (
                up is None
                or up_id in seen
                or not since <= up.time <= until
                or (outlet is not None and up.outlet == outlet)
            ):
                break
            seen.add(up_id)
            rec = up
        return rec

    def _editions(
        self, feats: DocFeatures, doc: Doc, t: float, copies: list[DocRecord]
    ) -> set[str]:
        """The stories of the outlet's items this document is another edition of
        (``Params.edition_gap_hours``), published before it or polled before it. Asked only of
        a document with edition keys: dated (an undated one's time is when it was fetched,
        which says nothing of a series' rhythm), of an outlet, naming a date."""
        p = self.params
        gap = p.edition_gap_hours * 3600.0
        return {
            story.id
            for rec in copies
            if (
                (rec.title_key not in (0, feats.title_key) and rec.title_shape == feats.title_shape)
                or (rec.link_key not in (0, feats.link_key) and rec.link_shape == feats.link_shape)
            )
            and rec.outlet == doc.outlet
            and rec.dated
            and gap <= abs(t - rec.time) <= p.window
            and (story := self._surviving(rec.story_id)) is not None
        }

    def _edition_keys(self, feats: DocFeatures, doc: Doc) -> list[str]:
        """Copy-index keys under which a dated item finds its outlet's other editions (and is
        found by them): one per dated shape, of its headline and of its link, and per outlet
        (editions are of one outlet: its list keeps its own last ``copy_cap``). The text's
        shingles find yesterday's edition only when the stock text is long enough; a weather
        column's is a line. Not hex, so no shingle hash's key is one of them."""
        outlet = doc.outlet
        if not (self.params.edition_gap_hours and outlet and _dated(doc)):
            return []
        keys = [f"t{feats.title_shape:x}:{outlet}"] if feats.title_key else []
        if feats.link_key:
            keys.append(f"l{feats.link_shape:x}:{outlet}")
        return keys

    def _surviving(self, story_id: str) -> StoryState | None:
        """The live story ``story_id`` is now part of: itself, or the one merges folded it
        into (a record keeps the story it joined; merges after it chain)."""
        seen = {story_id}
        while (story := self.store.load([story_id]).get(story_id)) is None:
            nxt = self.store.absorber(story_id)
            if nxt is None or nxt in seen:
                return None
            seen.add(nxt)
            story_id = nxt
        return story

    def _threshold(self, feats: DocFeatures) -> float:
        p = self.params
        if feats.length >= p.short_length:
            return p.threshold
        # Short texts share fewer words with anything, so cosines of true matches shrink too.
        return p.threshold * p.short_factor

    def _best_story(
        self,
        vec: dict[str, float],
        ent: dict[str, float],
        query: list[str],
        feats: DocFeatures,
        t: float,
        *,
        barred: Collection[str] = (),
    ) -> tuple[StoryState | None, float, list[StoryState]]:
        """The story ``vec`` joins (None: it starts one), its score, and the candidates it
        resembles (merge partners). ``barred`` stories are not candidates."""
        p = self.params
        # The window bounds both sides: a late document (a backfill, a file whose dates go
        # backwards) is not the event of a story that began more than a window after it.
        since, until = t - p.window, t + p.window
        votes = self.store.votes(query, since, prefetch=p.max_candidates, barred=barred)
        if not votes:
            return None, 0.0, []
        # Most shared query features first; ties by id, so every store ranks alike.
        # Sorted by id, then stably by votes: all in C (no Python call per story).
        ranked = sorted(votes)
        ranked.sort(key=votes.__getitem__, reverse=True)
        if barred:
            ranked = [sid for sid in ranked if sid not in barred]
        del ranked[p.max_candidates :]
        loaded = self.store.load(ranked)
        best: StoryState | None = None
        best_score = -1.0
        best_margin = -math.inf
        scored: list[StoryState] = []
        numbers = self._top_numbers(ent)
        lead = _lead(vec, feats.ordered_entities, _is_name) if p.conflict_penalty else None
        short = feats.length < p.short_length
        small_margin = p.small_margin * (p.short_factor if short else 1.0)
        lead_number = _lead(vec, feats.ordered_entities, _is_number) if p.number_penalty else None
        for sid in ranked:
            story = loaded.get(sid)
            if story is None or story.last_seen < since or story.first_seen > until:
                continue
            score = self._score(vec, ent, story, numbers, t)
            if lead_number is not None and _conflict(lead_number, feats.terms, story, _is_number):
                score -= p.number_penalty
            if lead is not None and _conflict(lead, feats.terms, story, _is_name):
                # Two reports of one event share their protagonist: when the document's main
                # name is absent from the story and the story's main name from the document,
                # these are two events of one kind (two earthquakes, two deaths).
                score -= p.conflict_penalty
            # Few members make a noisy average: ask more of a small story (a confidence margin).
            margin = score - small_margin / math.sqrt(story.size)
            if score >= p.threshold:
                # Only stories this document resembles can be merge partners of its story.
                scored.append(story)
            if margin > best_margin:
                best, best_score, best_margin = story, score, margin
        if best is None or best_margin < self._threshold(feats):
            return None, max(best_score, 0.0), scored
        return best, best_score, scored

    def _join(
        self,
        story: StoryState,
        *,
        vec: dict[str, float],
        top: list[str],
        ent: dict[str, float],
        t: float,
    ) -> None:
        """Add a document to ``story``: the ``top`` terms of its vector ``vec`` (largest first;
        only they can survive the centroid's truncation anyway) and its entity vector."""
        p = self.params
        story.c_terms, story.c_weights = _add_truncate(
            story.c_terms, story.c_weights, vec, p.centroid_terms, ranked=top
        )
        story.e_terms, story.e_weights = _add_truncate(
            story.e_terms, story.e_weights, ent, p.centroid_entities
        )
        story.size += 1
        story.first_seen = min(story.first_seen, t)
        story.last_seen = max(story.last_seen, t)
        story.kept_from = max(story.kept_from, t)
