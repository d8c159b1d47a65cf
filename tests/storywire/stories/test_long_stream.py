"""The engine over a long dated stream (45 days, nine outlets; ``bench/long_stream.py`` writes
``fixtures/long_stream.jsonl``, ``bench/stream_quality.py`` scores it).

Asserted here: the reports of one event stay together (one strike, one day's puzzle, the two
earthquakes apart), a genuine multi-day story is not cut into pieces, and a daily series no
longer grows into one story of the whole stream, nor an outlet's puzzle or draw into a story
of many days. What still fails (a forecast worded anew each day joined for days, a morning
digest folded into the story it leads with) ``bench/stream_quality.py`` prints instead."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from storywire.stories.background import have_background

BENCH = Path(__file__).resolve().parents[3] / "bench"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "long_stream.jsonl"


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    """The bench scripts import each other by name, as ``python bench/x.py`` runs them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(BENCH))
        yield {name: importlib.import_module(name) for name in ("stream_quality", "long_stream")}


@pytest.fixture(scope="module")
def rows(bench: dict[str, ModuleType]) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = bench["stream_quality"].load(FIXTURE)
    return loaded


@pytest.fixture(scope="module")
def report(bench: dict[str, ModuleType], rows: list[dict[str, Any]]) -> Any:
    if not have_background():
        pytest.skip("wordfreq not installed: the engine's figures differ without the prior")
    quality = bench["stream_quality"]
    predicted = quality.run_engine(rows)
    return quality.evaluate(rows, predicted), predicted


def test_the_fixture_is_the_generators_output(bench: dict[str, ModuleType]) -> None:
    """An edit of the fixture or of the generator alone would measure something no one can
    regenerate: ``python bench/long_stream.py`` rewrites the file."""
    with FIXTURE.open(encoding="utf-8") as fh:
        committed = [json.loads(line) for line in fh]
    assert committed == bench["long_stream"].build()


def test_the_fixture_is_a_long_dated_stream_of_every_category(
    rows: list[dict[str, Any]], bench: dict[str, ModuleType]
) -> None:
    quality = bench["stream_quality"]
    assert 400 <= len(rows) <= 800
    assert {quality.category(r) for r in rows} == set(quality.CATEGORIES)
    assert len({r["outlet"] for r in rows}) >= 8
    times = [r["date"] for r in rows]
    assert all(t[-6] in "+-" for t in times)  # every date carries its zone
    first, last = (datetime.fromisoformat(t) for t in (times[0], times[-1]))
    assert (last - first).days >= 44


def test_a_join_across_categories_costs_both(bench: dict[str, ModuleType]) -> None:
    """A digest folded into a strike story lowers the precision of both categories; the
    conflict pair it held is still a true pair."""
    gold = {"a": "conflict/x", "b": "conflict/x", "c": "digest/d"}
    predicted = {"a": "s1", "b": "s1", "c": "s1"}
    quality = bench["stream_quality"]
    conflict = quality.category_scores(gold, predicted, {"a", "b"})
    digest = quality.category_scores(gold, predicted, {"c"})
    assert (conflict.pair_p, conflict.pair_r) == (pytest.approx(1 / 3), 1.0)
    assert (digest.pair_p, digest.pair_r) == (0.0, 1.0)
    assert conflict.b3_p == pytest.approx(2 / 3)
    assert digest.b3_p == pytest.approx(1 / 3)


def test_no_multi_day_story_is_cut_into_more_than_two_parts(report: Any) -> None:
    """A trial over eleven days, a hurricane over six, an election count over four, a plane
    search over nine: one story each (today: one part each, the search two)."""
    scores, _ = report
    assert scores.parts, "no multiday stories in the fixture"
    assert all(n <= 2 for n in scores.parts.values()), scores.parts
    assert scores.by_category["multiday"].b3_r >= 0.95


def test_the_reports_of_one_event_stay_together(report: Any) -> None:
    """One strike's reports (a toll updated the next day included), one day's puzzle from two
    outlets, one earthquake's coverage: recall today 0.98, 0.99 and 1.0 (B-cubed)."""
    scores, _ = report
    for category in ("conflict", "series", "samekind"):
        assert scores.by_category[category].b3_r >= 0.95, category


def test_two_events_of_one_kind_close_in_time_stay_apart(
    report: Any, rows: list[dict[str, Any]]
) -> None:
    """Two earthquakes three days apart, two prisoner swaps six days apart, two derailments
    four days apart (docs/stories.md: "two different events of the same kind never merge")."""
    _, predicted = report
    held: dict[str, set[str]] = {}
    for r in rows:
        if r["story"].startswith("samekind/"):
            held.setdefault(predicted[r["id"]], set()).add(r["story"])
    assert all(len(golds) == 1 for golds in held.values()), held


def test_no_story_outgrows_the_stream_by_weeks(report: Any) -> None:
    """London's daily weather was one story of all 45 days and Wordle of 19 (a newcomer's gap
    counted only from a story's last article). A story spanning more than a window now counts
    it from the story's centre, and editions are told apart: the longest story is the longest
    real one, the trial (10.5 days)."""
    scores, _ = report
    assert scores.chaining["all"].longest_days <= 11, scores.chaining["all"]


def test_an_outlets_daily_series_is_not_one_story_of_many_days(report: Any) -> None:
    """Wordle pages chained over 7 days, Connections pages and Powerball draws over 2. An
    outlet's next edition (its headline but for numbers and dates, a day or more later) no
    longer joins the story of the one before: Connections and Powerball are a story a day,
    Wordle at most 2 days; series B-cubed precision 0.63 -> 0.82. London's weather, worded
    anew each day, chained for 16 days until the link's template (the same but for the day it
    names) told its editions too: a story a day, series B-cubed precision 0.99."""
    scores, _ = report
    chains = scores.series_chains
    assert chains["connections"] == chains["powerball"] == chains["weather-london"] == 1, chains
    assert chains["wordle"] <= 2, chains
    assert scores.by_category["series"].b3_p >= 0.95
