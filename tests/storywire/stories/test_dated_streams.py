"""The story engine on dated streams: documents out of order, late, future-dated or undated,
window edges, long streams. Each behaviour is checked in both stores (the contract)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
import redis

from storywire.stories import (
    Doc,
    MemoryStoryStore,
    Params,
    RedisStoryStore,
    StoryEngine,
    StoryStore,
    cluster_file,
)
from storywire.stories.store import CLOCK_RANK

from .conftest import MERGE_PARAMS, T0, bridged_docs, labelled_docs

H = timedelta(hours=1)
DOCS = [d for _, d in labelled_docs()]
CHILE, NEPAL, LANE, CHILE_2, RAY, NEPAL_2, LANE_2, RAY_2 = DOCS

StoreFactory = Callable[..., StoryStore]


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest) -> Iterator[StoreFactory]:
    """A fresh store of each kind (Redis: the test's flushed database, one prefix per store)."""
    if request.param == "memory":
        yield MemoryStoryStore
        return
    client: redis.Redis = request.getfixturevalue("redis_client")
    made = iter(range(100))
    yield lambda **kw: RedisStoryStore(client, prefix=f"t{next(made)}", **kw)


def at(doc: Doc, hours: float, **changes: object) -> Doc:
    return replace(doc, published=T0 + hours * H, **changes)  # type: ignore[arg-type]


# -- late documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("gap", [100, 150])
def test_a_late_document_does_not_join_a_story_that_began_a_window_after_it(
    make_store: StoreFactory, gap: int
) -> None:
    """A report dated four days before a story's first article is another event of the same
    words (a backfill of a new source, a file whose dates go backwards): the window bounds
    both sides, not only the story's past. It joined, decayed but above the threshold."""
    engine = StoryEngine(make_store())
    current = engine.assign(at(CHILE, 240))
    late = engine.assign(at(CHILE_2, 240 - gap))
    assert late.created
    assert late.story_id != current.story_id


def test_a_late_copy_does_not_join_a_story_that_began_a_window_after_it(
    make_store: StoreFactory,
) -> None:
    """The copy level has the same bound: the same wire body under another outlet, dated
    200 hours before the story began, joined it as a copy (score 1, no window, no decay)."""
    engine = StoryEngine(make_store())
    engine.assign(at(CHILE, 240))
    late = engine.assign(at(CHILE, 40, id="late-copy", outlet="other.example"))
    assert late.created
    assert late.copy_of is None


def test_a_late_document_still_joins_a_story_live_at_its_own_time(
    make_store: StoreFactory,
) -> None:
    """Within a window of the story's span a late report joins it, and the story's first seen
    time moves back to it (the span, the decay and eviction then count from there)."""
    store = make_store()
    engine = StoryEngine(store)
    first = engine.assign(at(CHILE, 50))
    late = engine.assign(at(CHILE_2, 10))
    assert late.story_id == first.story_id
    story = store.load([first.story_id])[first.story_id]
    assert (story.first_seen, story.last_seen) == (
        (T0 + 10 * H).timestamp(),
        (T0 + 50 * H).timestamp(),
    )


# -- future-dated documents ----------------------------------------------------------------


def fillers(start: float, count: int, step: float = 1.0, tag: str = "f") -> list[Doc]:
    """Unrelated one-off reports (each its own story), ``step`` hours apart: they move the
    stream's clock on."""
    return [
        Doc(f"{tag}{i}", f"Qz{tag}{i}x Vb{tag}{i}y opens", "", T0 + (start + i * step) * H)
        for i in range(count)
    ]


# -- undated documents -----------------------------------------------------------------------


def test_a_held_undated_document_is_decided_at_its_arrival_time(make_store: StoreFactory) -> None:
    """An undated document takes the engine's clock when it arrives. Held, it took the clock
    again when released: 100 hours later it found its event's story out of the window and
    started one of its own."""
    store = make_store()
    now = [T0.timestamp()]
    engine = StoryEngine(store, Params(defer_below=1.0, defer_arrivals=2), clock=lambda: now[0])
    first = engine.place_many([CHILE]).assigned[0]
    assert first is not None
    assert engine.place_many([replace(CHILE_2, published=None)]).assigned == [None]
    now[0] += 100 * 3600.0
    placed = engine.place_many(fillers(100, 3))
    [(doc_id, decided)] = placed.released
    assert doc_id == CHILE_2.id
    assert decided.story_id == first.story_id
    assert store.load([first.story_id])[first.story_id].last_seen == T0.timestamp()


def _write_lines(path: Path, docs: list[Doc]) -> None:
    rows = [
        {
            "id": d.id,
            "title": d.title,
            "text": d.text,
            "date": d.published.isoformat() if d.published else None,
        }
        for d in docs
    ]
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))


def test_an_undated_line_takes_the_time_of_the_dated_line_before_it_in_a_backwards_file(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    """``storywire cluster`` replays a file as a stream: an undated line is placed at the
    previous dated line's time. It took the latest time of the whole file so far, which in a
    file whose dates go backwards (newest first, as feeds and archives list) is days away from
    its neighbours: here it missed the story of the line just before it."""
    store = make_store()
    engine = StoryEngine(store, clock=store.latest)  # as ``storywire cluster`` builds it
    _write_lines(
        tmp_path / "in.jsonl",
        [at(NEPAL, 240), at(CHILE, 0), replace(CHILE_2, published=None), at(LANE, 239)],
    )
    cluster_file(tmp_path / "in.jsonl", tmp_path / "out.jsonl", engine, progress=False)
    out = [orjson.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert out[2]["story"] == out[1]["story"]
    assert len({row["story"] for row in out}) == 3


# -- eviction and determinism -----------------------------------------------------------------


def test_eviction_runs_at_the_same_points_of_the_stream_whichever_engine_assigns(
    make_store: StoreFactory,
) -> None:
    """Whether a late document finds a story depends on whether eviction has reached it. Each
    engine (each worker process, each restart) kept its own note of its last sweep, and a fresh
    one swept on its first document: the same stream through one worker or through two gave
    the late Lane report two different stories. The note now lives in the store."""
    seq = [at(LANE, 5), *fillers(76, 1, tag="a"), *fillers(78, 1, tag="b"), at(LANE_2, 6)]
    results = []
    for engines in (1, 2):
        store = make_store(clock_rank=1)
        first = StoryEngine(store)
        placed = first.assign_many(seq[:3])
        placed += (
            StoryEngine(store).assign_many(seq[3:]) if engines == 2 else first.assign_many(seq[3:])
        )
        results.append(placed)
    assert results[0] == results[1]
    assert results[0][3].story_id == results[0][0].story_id  # not yet evicted: it joins


def _day(day: int) -> list[Doc]:
    """One day of news: three events of their own words, a wire copy, and two stories that
    later reports bridge (a merge, so an alias). Each day's words are new (the frequency
    tables grow unless old generations go)."""
    start = 48.0 * day
    docs: list[Doc] = []
    for e in range(3):
        words = [f"w{day}e{e}k{k}" for k in range(24)]
        for r in range(3):
            body = " ".join(words[r : r + 18])
            docs.append(
                Doc(
                    f"{day}-{e}-{r}",
                    f"{words[r]} {words[r + 1]} {words[r + 2]}",
                    body,
                    T0 + (start + e + r / 4) * H,
                    outlet=f"o{r}.example",
                )
            )
    docs.append(replace(docs[0], id=f"{day}-copy", outlet="wire.example"))
    place = f"Katla{day}x"
    for i, d in enumerate(bridged_docs()):
        docs.append(
            replace(
                d,
                id=f"{day}-b{i}",
                title=d.title.replace("Katla", place),
                text=d.text.replace("Katla", place),
                published=T0 + (start + 5 + i) * H,
            )
        )
    return docs


def _sizes(store: StoryStore, client: redis.Redis | None) -> dict[str, int]:
    if isinstance(store, MemoryStoryStore):
        return {
            "stories": len(store.stories),
            "index": len(store.index),
            "docs": len(store.docs),
            "copies": len(store.copy_index),
            "aliases": len(store.aliases),
            "df": len(store.df) + len(store.df_old),
            "heaps": len(store._story_heap) + len(store._doc_heap) + len(store._alias_heap),
        }
    assert client is not None
    assert isinstance(store, RedisStoryStore)
    p = store.p
    return {
        "keys": client.dbsize(),
        "live": client.zcard(f"{p}:live"),
        "docs": client.zcard(f"{p}:docs"),
        "aliases": client.hlen(f"{p}:alias"),
        "df": client.hlen(f"{p}:df") + client.hlen(f"{p}:df:old"),
    }


def test_a_stream_over_many_windows_keeps_the_state_of_a_few(
    make_store: StoreFactory, request: pytest.FixtureRequest
) -> None:
    """Forty windows of news, one every other day: at the end the store holds what it held
    after ten, give or take (stories, index, document records, copy lists, merge aliases, frequency tables),
    in both stores."""
    client = request.getfixturevalue("redis_client") if "redis" in request.node.name else None
    store = make_store()
    params = replace(MERGE_PARAMS, window_hours=24.0, df_generation_hours=96.0)
    engine = StoryEngine(store, params)
    sizes = []
    for day in range(40):
        engine.assign_many(_day(day))
        if day in (9, 19, 29, 39):
            sizes.append(_sizes(store, client))
    assert all(v > 0 for v in sizes[0].values())
    # Equal but for the copy lists, whose number of keys varies with sketch collisions.
    for later in sizes[1:]:
        assert all(later[k] <= 1.1 * v for k, v in sizes[0].items()), (sizes[0], later)


# -- long coverage: chained events against one long event ------------------------------------

_CITIES = ("Kharkiv", "Odesa", "Kherson", "Zaporizhzhia", "Dnipro", "Lviv", "Sumy", "Mykolaiv")
_OUTLETS = ("reuters.com", "bbc.co.uk", "apnews.com", "aljazeera.com", "cnn.com")


def _strike(rng: random.Random, n: int, hours: float) -> Doc:
    """One report of one of many strikes of a long war: the same kind of event every few
    hours, told in a varying choice of the sentences such reports are made of."""
    city, dead = rng.choice(_CITIES), rng.randint(2, 40)
    pool = [
        f"A Russian missile and drone attack on the Ukrainian city of {city} killed {dead} people.",
        f"Dozens more were wounded overnight in {city}, the regional governor said.",
        "Ukraine's air force said it shot down most of the drones launched overnight.",
        "President Volodymyr Zelensky called for more air defence systems from Western allies.",
        "Russia's defence ministry said it struck military and energy targets.",
        "Rescue workers searched the rubble of an apartment block.",
        f"Power was cut to {rng.randint(2, 90)},000 homes, the energy ministry said.",
        "Moscow denies targeting civilians.",
    ]
    rng.shuffle(pool)
    return Doc(
        id=f"s{n}",
        title=f"Russian strike on {city} kills {dead}, Ukrainian officials say",
        text=" ".join(pool[: rng.randint(3, 6)]),
        published=T0 + hours * H,
        outlet=rng.choice(_OUTLETS),
        url=f"https://example.com/s{n}",
    )


def _spans_days(store: StoryStore, docs: list[Doc]) -> list[float]:
    """Each story's span in days, shortest first, with the engine's defaults."""
    times: dict[str, list[float]] = {}
    for doc, got in zip(docs, StoryEngine(store).assign_many(docs), strict=True):
        assert doc.published is not None
        times.setdefault(got.story_id, []).append(doc.published.timestamp())
    return sorted((max(t) - min(t)) / 86400 for t in times.values())


def test_reports_of_one_kind_of_event_for_weeks_do_not_chain_into_one_story(
    make_store: StoreFactory,
) -> None:
    """Forty days of strikes, three reports a day, each joining the story of the day before:
    the story spanned the whole 40 days (120 articles). Once a story spans more than a window,
    a newcomer's time counts from its centre, so a chain of events ends within days."""
    rng = random.Random(5)
    docs = [_strike(rng, n, n * 8 + rng.random()) for n in range(120)]
    spans = _spans_days(make_store(), docs)
    assert spans[-1] < 15, spans[-5:]


def test_one_event_reported_over_ten_days_stays_one_story(make_store: StoreFactory) -> None:
    """A trial: opening, testimony every other day, verdict on day 9, sentence on day 10. The
    same names all along; the gaps between days are the usual decay, and the span rule must
    not end the story before the verdict."""
    days = [0, 0, 0, 2, 2, 3, 5, 5, 7, 9, 9, 9, 10, 10]
    facts = [
        "Former Acme Bank chief Martin Keller is on trial in Frankfurt over the bank's collapse.",
        "Prosecutors say Keller hid losses of 2.1 billion euros from the Acme Bank board.",
        "Keller, 61, denies fraud and breach of trust.",
        "Witnesses told the Frankfurt regional court Keller ordered the losses kept quiet.",
        "The collapse of Acme Bank cost German taxpayers billions.",
    ]
    rng = random.Random(2)
    docs = []
    for n, day in enumerate(days):
        rng.shuffle(facts)
        docs.append(Doc(
            id=f"k{n}",
            title=f"Martin Keller trial, day {day + 1}: Acme Bank fraud case in Frankfurt",
            text=" ".join(facts[:4]),
            published=T0 + (24 * day + rng.random() * 8) * H,
            outlet=_OUTLETS[n % len(_OUTLETS)],
            url=f"https://example.com/k{n}",
        ))  # fmt: skip
    assert len(_spans_days(make_store(), docs)) == 1


# -- an outlet's series ------------------------------------------------------------------------

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_CLUES = ("a tropical fruit", "not trimmed", "a glowing coal", "a meat sauce", "to hatch")


def _puzzle(
    day: int, *, outlet: str = "mashable.com", hours: float = 0.5, **changes: object
) -> Doc:
    """One day's edition of an outlet's daily puzzle page: the same headline but for the
    number and the date, the same stock paragraphs, that day's clue."""
    doc = Doc(
        id=f"{outlet}-{day}",
        title=f"Wordle today: Hint and answer #{1906 + day} for {_WEEKDAYS[day % 7]}, "
        f"September {7 + day}",
        text=(
            "Looking for the most recent Wordle answer? Click here for today's Wordle hints, "
            "as well as our daily answers and hints for The New York Times Mini Crossword, "
            f"Connections and Strands puzzles. Today's clue: {_CLUES[day % len(_CLUES)]}. "
            "Wordle is a daily word game that challenges players to guess a five-letter word "
            "in six tries."
        ),
        published=T0 + (24 * day + hours) * H,
        outlet=outlet,
        url=f"https://{outlet}/wordle-{1906 + day}",
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("order", ["in order", "a day late"])
def test_an_outlets_daily_puzzle_is_a_story_a_day(make_store: StoreFactory, order: str) -> None:
    """Each day's puzzle page is its own story. Their stock paragraphs outweighed the changed
    number and date, and the pages chained into one story for as long as the series ran. A
    page polled after the next day's is not that day's story either."""
    docs = [_puzzle(day) for day in range(5)]
    if order == "a day late":
        docs[1], docs[2] = docs[2], docs[1]
    got = StoryEngine(make_store()).assign_many(docs)
    assert len({a.story_id for a in got}) == 5


def test_without_the_edition_rule_the_daily_puzzle_chains(make_store: StoreFactory) -> None:
    """The rule is what keeps the days apart (``edition_gap_hours=0`` disables it)."""
    engine = StoryEngine(make_store(), Params(edition_gap_hours=0))
    assert len({a.story_id for a in engine.assign_many([_puzzle(day) for day in range(5)])}) == 1


def test_another_outlets_page_for_the_same_day_joins_that_days_story(
    make_store: StoreFactory,
) -> None:
    """Two outlets' pages for one day's puzzle are one story; the next day's page of either
    outlet is not."""
    engine = StoryEngine(make_store())
    first = engine.assign(_puzzle(0))
    other = engine.assign(
        _puzzle(0, outlet="usatoday.com", hours=1.0, title="Wordle #1906 hints and answer today")
    )
    later = engine.assign(_puzzle(1))
    assert other.story_id == first.story_id
    assert later.story_id != first.story_id


_FORECASTS = (
    "Met Office forecast for London {day}: grey skies and drizzle with highs of {c}C",
    "London weather forecast: Heavy showers expected as temperatures reach {c}C",
    "London weather: Sunny spells and highs of {c}C on {day}",
)


def _forecast(day: int, link: str = "london-weather-forecast-{day}-met-office") -> Doc:
    """One day's weather column: a headline worded anew each day (one of three forms, the day
    named or not), one stock line, and a link made from one template with the day in it."""
    name = _WEEKDAYS[day % 7]
    sky = ("grey", "showery", "sunny")[day % 3]
    slug = link.format(day=name.lower(), sky=sky)
    return Doc(
        id=f"weather-{day}",
        title=_FORECASTS[day % 3].format(day=name, c=15 + day % 9),
        text=f"Londoners can expect changeable weather on {name}, according to the Met Office.",
        published=T0 + (24 * day + 6.5) * H,
        outlet="standard.co.uk",
        url=f"https://www.standard.co.uk/news/weather/{slug}-{day}-b58514{day:02d}.html",
    )


def test_a_daily_column_worded_anew_each_day_is_a_story_a_day(make_store: StoreFactory) -> None:
    """A weather column's headlines share too little to be the same headline, and its stock
    line too little for the copy index to find yesterday's: it chained for 16 days of the
    long stream. Its link's template, the same but for the day it names, tells the editions."""
    got = StoryEngine(make_store()).assign_many([_forecast(day) for day in range(6)])
    assert len({a.story_id for a in got}) == 6


@pytest.mark.parametrize(
    "link", ["london-weather-forecast-met-office", "london-weather-{sky}-{day}-forecast"]
)
def test_links_that_name_no_day_or_change_their_words_tell_no_edition(
    make_store: StoreFactory, link: str
) -> None:
    """A link with no day word in it (the date only in figures), and links whose other words
    change from one day to the next, are no template: the column chains as before (as one
    continuing story's links, "hurricane-marisol-live-...", must not be told apart)."""
    got = StoryEngine(make_store()).assign_many([_forecast(day, link) for day in range(6)])
    assert len({a.story_id for a in got}) < 6


@pytest.mark.parametrize(
    ("label", "changes"),
    [
        ("re-posted a day later", {"id": "again", "url": "https://mashable.com/again"}),
        ("updated hours later", {"id": "update", "published": T0 + 6.5 * H}),
        ("undated", {"id": "undated", "dated": False}),
        ("no outlet", {"id": "anonymous", "outlet": None}),
    ],
)
def test_what_is_not_the_next_edition_joins_as_before(
    make_store: StoreFactory, label: str, changes: dict[str, object]
) -> None:
    """The same headline again (a re-post), the next number within hours (an update), an
    item whose time is when it was fetched, an item of no known outlet: none is an edition."""
    engine = StoryEngine(make_store())
    first = engine.assign(_puzzle(0))
    if label == "re-posted a day later":
        doc = replace(_puzzle(0), published=T0 + 24.5 * H, **changes)  # type: ignore[arg-type]
    else:
        doc = _puzzle(1, **changes)
    assert engine.assign(doc).story_id == first.story_id, label


# -- window edges --------------------------------------------------------------------------


@pytest.mark.parametrize(("offset", "joins"), [(0.0, True), (1.0, False)])
def test_a_story_exactly_a_window_old_is_still_joined_and_kept(
    make_store: StoreFactory, offset: float, joins: bool
) -> None:
    """The window is inclusive at both ends, alike for candidates and eviction: a story last
    seen exactly 72 h before a report is joined by it (and not evicted by the sweep the clock
    makes then); a second later it is neither joined nor kept."""
    store = make_store(clock_rank=1)
    engine = StoryEngine(store)
    first = engine.assign(at(LANE, 0))
    edge = 72 + offset / 3600
    engine.assign(fillers(edge, 1)[0])  # the clock reaches the edge
    follow = engine.assign(at(LANE_2, edge))
    assert (follow.story_id == first.story_id) is joins
    assert (first.story_id in store.load([first.story_id])) is joins


@pytest.mark.parametrize(("offset", "joins"), [(0.0, True), (1.0, False)])
def test_a_late_report_exactly_a_window_before_a_story_still_joins_it(
    make_store: StoreFactory, offset: float, joins: bool
) -> None:
    engine = StoryEngine(make_store())
    first = engine.assign(at(LANE, 72 + offset / 3600))
    late = engine.assign(at(LANE_2, 0))
    assert (late.story_id == first.story_id) is joins


def test_a_shorter_window_on_a_store_with_state_applies_from_the_next_document(
    make_store: StoreFactory,
) -> None:
    """The window is a parameter of the engine, not of the stored state: a store kept by a run
    with 72 h and opened with 24 h evicts what is older than 24 h at the next document, and a
    report 30 h after its story no longer joins it. Opened with 72 h again, nothing evicted
    comes back."""
    store = make_store(clock_rank=1)
    first = StoryEngine(store).assign_many([at(LANE, 0), *fillers(29, 1)])[0]
    short = StoryEngine(store, Params(window_hours=24))
    follow = short.assign(at(LANE_2, 30))
    assert follow.created
    assert store.load([first.story_id]) == {}
    again = StoryEngine(store).assign(at(LANE_2, 31, id="lane-3"))
    assert again.story_id == follow.story_id


# -- future-dated documents ----------------------------------------------------------------


def test_a_burst_of_reports_a_day_ahead_does_not_evict_the_live_stories(
    make_store: StoreFactory,
) -> None:
    """A source whose times are a day ahead (a wrong zone, a skewed clock) sends fifteen items
    at once: the stream's clock is the 16th latest time, so it does not follow them, and a
    story 71 hours old is still there for its follow-up (eviction by the latest time would have
    dropped it 24 hours early)."""
    store = make_store()
    engine = StoryEngine(store)
    first = engine.assign(at(LANE, 0))
    engine.assign_many(fillers(40, 30))  # 40 h .. 69 h
    engine.assign_many(fillers(70 + 24, CLOCK_RANK - 1, tag="skew"))
    assert engine.assign(at(LANE_2, 71)).story_id == first.story_id


# -- determinism -----------------------------------------------------------------------------


def _messy_stream() -> list[Doc]:
    """Ten days of the labelled reports, shuffled within hours of their time, with a puzzle
    page and a weather column a day (editions), every seventh undated, and on day 5 a
    backfill of day 1 (120 hours late)."""
    rng = random.Random(5)
    docs: list[Doc] = []
    for day in range(10):
        batch = [
            at(d, 30 * day + i + rng.uniform(-10, 10), id=f"{day}-{d.id}")
            for i, d in enumerate(DOCS)
        ] + [_puzzle(day), _forecast(day)]
        rng.shuffle(batch)
        docs += batch
        if day == 5:
            docs += [at(d, 30 + i, id=f"backfill-{d.id}") for i, d in enumerate(DOCS)]
    return [replace(d, published=None) if i % 7 == 6 else d for i, d in enumerate(docs)]


def _decisions(store: StoryStore, engines: int, step: int = 5) -> dict[str, str]:
    """Every document's story, the stream placed ``step`` documents at a time by ``engines``
    engines in turn (as workers take batches), the rest released at the end."""
    now = [T0.timestamp()]
    made = [StoryEngine(store, clock=lambda: now[0]) for _ in range(engines)]
    stream = _messy_stream()
    out: dict[str, str] = {}
    for n, start in enumerate(range(0, len(stream), step)):
        batch = stream[start : start + step]
        now[0] = max([now[0], *(d.published.timestamp() for d in batch if d.published)])
        placed = made[n % engines].place_many(batch)
        out.update(
            (d.id, a.story_id) for d, a in zip(batch, placed.assigned, strict=True) if a is not None
        )
        out.update((doc_id, a.story_id) for doc_id, a in placed.released)
    out.update((doc_id, a.story_id) for doc_id, a in made[0].release_held(0))
    return out


def test_a_messy_dated_stream_gets_the_same_stories_every_run_store_and_worker_count(
    make_store: StoreFactory,
) -> None:
    """Out of order, undated, late and held documents: the same stories (ids included) on
    every run and whether one engine or three take the batches in turn, in both stores."""
    once = _decisions(make_store(), 1)
    assert len(once) == len(_messy_stream())
    assert _decisions(make_store(), 1) == once
    assert _decisions(make_store(), 3) == once
    assert _decisions(MemoryStoryStore(), 1) == once


def test_a_late_document_redelivered_after_a_sweep_gets_its_first_assignment(
    make_store: StoreFactory,
) -> None:
    """A document's record (what makes a redelivery harmless) was evicted at its own time: a
    late one's at the next sweep, however soon after it came. Redelivered after that sweep
    (a worker died before acking), a backfilled report that had joined its week-old story
    started a story of its own, and its words were counted twice. A record now lives a window
    past the later of its time and the clock when it came."""
    store = make_store()
    engine = StoryEngine(store)
    engine.assign_many(fillers(200, 20))
    first, joined = engine.assign_many([at(LANE, 20), at(LANE_2, 21)])
    assert joined.story_id == first.story_id
    n_docs = store.stats("nobody", (), ())[0]
    engine.assign_many(fillers(230, 20, tag="later"))  # the clock moves on: a sweep
    assert engine.assign(at(LANE_2, 21)) == joined
    assert store.stats("nobody", (), ())[0] == n_docs + 20


def test_a_backfill_of_week_old_reports_clusters_them_together_after_a_sweep(
    make_store: StoreFactory,
) -> None:
    """A new source's first poll brings items a week old, among the live news. Their stories
    were evicted at their own time, so the first report of an old event starts a story; the
    sweep that came next (the live stream moving on) evicted it at once, and the second report
    of that event, a few minutes of stream later, started another. A story is now kept a
    window past the later of its last article's time and the clock when that article came."""
    store = make_store()
    engine = StoryEngine(store)
    engine.assign_many(fillers(200, 20))
    first = engine.assign(at(LANE, 20))
    engine.assign_many(fillers(215, 20, tag="later"))  # the clock moves on: a sweep
    assert engine.assign(at(LANE_2, 21)).story_id == first.story_id
    # and once the stream is a window past the backfill, its stories go
    engine.assign_many(fillers(300, 20, tag="much-later"))
    assert store.load([first.story_id]) == {}


def test_a_line_dated_by_its_neighbour_orders_no_copies(tmp_path: Path) -> None:
    """The time an undated line borrows places it in the stream, but is no publication time:
    a wire copy in it is the copy of the dated original, never its original for being
    'published' earlier (``Doc.dated``)."""
    store = MemoryStoryStore()
    engine = StoryEngine(store, clock=store.latest)
    wire = at(CHILE, 50, id="wire", outlet="wire.example")
    copy = replace(CHILE, id="copy", outlet="paper.example", published=None)
    path = tmp_path / "in.jsonl"
    rows = [wire, at(NEPAL, 10), copy]
    path.write_bytes(
        b"".join(
            orjson.dumps(
                {
                    "id": d.id,
                    "title": d.title,
                    "text": d.text,
                    "outlet": d.outlet,
                    "date": d.published.isoformat() if d.published else None,
                }
            )
            + b"\n"
            for d in rows
        )
    )
    cluster_file(path, tmp_path / "out.jsonl", engine, progress=False)
    record = store.docs["copy"][0]
    assert (record.copy_of, record.dated, record.time) == (
        "wire",
        False,
        at(NEPAL, 10).published.timestamp(),
    )  # type: ignore[union-attr]
