"""Story quality over a long dated stream: chaining across weeks, and over-splitting.

    .venv/bin/python bench/stream_quality.py                       # the committed fixture
    .venv/bin/python bench/stream_quality.py --data other.jsonl --set decay_hours=48
    .venv/bin/python bench/stream_quality.py --no-baseline
    .venv/bin/python bench/stream_quality.py --set defer_below=0  # no deferral, as assign_many

Reads a labelled JSON-lines stream (``bench/long_stream.py`` writes the fixture
``tests/storywire/stories/fixtures/long_stream.jsonl``; each line's ``story`` is
``<category>/<event>``), sorts it by date (the order a service meets it in), runs it through
``cluster_file`` as ``storywire cluster`` does (in-memory store, the engine's clock the
store's latest time) and prints, overall and per category, pairwise and B-cubed P/R/F1; then
what chaining and splitting look like: the longest predicted story in days, the largest one,
the most gold stories one predicted story holds, and into how many parts each gold story of
the ``multiday`` category was split. The same for the reference TF-IDF centroid baseline
(``cluster_baseline.py``, which reads no dates) unless ``--no-baseline``.

Per category, a predicted story is judged from the category's side: recall over the pairs of
the category's gold stories, precision over the predicted pairs with at least one member in
the category (so a digest folded into a strike story costs the digest category and the
conflict one alike), B-cubed averaged over the category's documents with whole predicted
stories. Gold labels never cross categories.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cluster_baseline import tfidf_centroid
from cluster_metrics import Scores, score

from storywire.stories import MemoryStoryStore, Params, StoryEngine, cluster_file

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "storywire" / "stories" / "fixtures" / "long_stream.jsonl"
CATEGORIES = ("conflict", "multiday", "series", "digest", "samekind")
DAY = 86_400.0

Row = dict[str, Any]


def load(path: Path) -> list[Row]:
    """The stream's lines in time order (ties keep file order)."""
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return sorted(rows, key=lambda r: datetime.fromisoformat(r["date"]).timestamp())


def category(row: Row) -> str:
    return str(row["story"]).split("/", 1)[0]


def series_kind(story: str) -> str:
    """The series a label is a day of: ``series/wordle-1906`` -> ``wordle``,
    ``series/weather-london-2026-09-07`` -> ``weather-london``."""
    return re.sub(r"-[\d-]+$", "", story.split("/", 1)[1])


def run_engine(rows: list[Row], params: Params | None = None) -> dict[str, str]:
    """Document id -> final story id, as ``storywire cluster`` (memory store) gives them."""
    params = params or Params()
    store = MemoryStoryStore(posting_cap=params.posting_cap)
    engine = StoryEngine(store, params, clock=store.latest)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for r in rows:
                line = {k: r.get(k) for k in ("id", "title", "text", "date", "outlet", "url")}
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        report = cluster_file(src, dst, engine, progress=False)
        if report.rejected:
            raise ValueError(f"{report.rejected} lines rejected: {report.first_errors}")
        with dst.open(encoding="utf-8") as fh:
            return {str(o["id"]): str(o["story"]) for o in map(json.loads, fh)}


def run_baseline(rows: list[Row]) -> dict[str, str]:
    return tfidf_centroid((str(r["id"]), f"{r['title']}\n{r['text']}") for r in rows)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def category_scores(
    gold: Mapping[str, str], predicted: Mapping[str, str], members: set[str]
) -> Scores:
    """Pairwise and B-cubed scores of the documents ``members`` against whole predicted
    stories (see the module docstring): what joining them to other documents costs counts."""
    ids = [i for i in gold if i in predicted]
    size = Counter(predicted[i] for i in ids)
    inside = Counter(predicted[i] for i in ids if i in members)
    joint = Counter((gold[i], predicted[i]) for i in ids if i in members)
    gsize = Counter(gold[i] for i in ids if i in members)
    tp = sum(_pairs(c) for c in joint.values())
    # predicted pairs with at least one member: within the members, and members with others
    pred_pairs = sum(_pairs(a) + a * (size[s] - a) for s, a in inside.items())
    gold_pairs = sum(_pairs(c) for c in gsize.values())
    pp = tp / pred_pairs if pred_pairs else 1.0
    pr = tp / gold_pairs if gold_pairs else 1.0
    n = sum(inside.values())
    b3p = sum(c * c / size[s] for (_, s), c in joint.items()) / n if n else 0.0
    b3r = sum(c * c / gsize[g] for (g, _), c in joint.items()) / n if n else 0.0
    return Scores(pp, pr, _f1(pp, pr), b3p, b3r, _f1(b3p, b3r), len(inside))


@dataclass(frozen=True, slots=True)
class Chaining:
    """What one predicted story can grow into over a long stream, and how gold ones split."""

    longest_days: float  # the longest predicted story: last member's time - first's
    largest: int  # the most documents in one predicted story
    most_gold: int  # the most gold stories one predicted story holds
    longest_story: str  # the gold label most common in the longest predicted story
    largest_story: str  # the same for the largest


@dataclass(frozen=True, slots=True)
class StreamReport:
    overall: Scores
    by_category: dict[str, Scores]
    chaining: dict[str, Chaining]  # "all" and each category (stories with a member in it)
    parts: dict[str, int]  # each multiday gold story -> predicted stories its documents are in
    # each series (wordle, weather-london, ...) -> the most of its days one predicted story holds
    series_chains: dict[str, int]
    gold_longest_days: float  # the longest gold story (what a correct run's longest can be)


def _chaining(rows: list[Row], predicted: Mapping[str, str], keep: set[str]) -> Chaining:
    times: dict[str, list[float]] = defaultdict(list)
    golds: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        s = predicted[str(r["id"])]
        times[s].append(datetime.fromisoformat(r["date"]).timestamp())
        golds[s][str(r["story"])] += 1
    stories = [s for s in times if s in keep]
    if not stories:
        return Chaining(0.0, 0, 0, "", "")
    longest = max(stories, key=lambda s: (max(times[s]) - min(times[s]), len(times[s])))
    largest = max(stories, key=lambda s: (len(times[s]), max(times[s]) - min(times[s])))
    return Chaining(
        longest_days=(max(times[longest]) - min(times[longest])) / DAY,
        largest=len(times[largest]),
        most_gold=max(len(golds[s]) for s in stories),
        longest_story=golds[longest].most_common(1)[0][0],
        largest_story=golds[largest].most_common(1)[0][0],
    )


def evaluate(rows: list[Row], predicted: Mapping[str, str]) -> StreamReport:
    gold = {str(r["id"]): str(r["story"]) for r in rows}
    by_cat: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_cat[category(r)].add(str(r["id"]))
    cats = [c for c in CATEGORIES if c in by_cat] + sorted(set(by_cat) - set(CATEGORIES))
    chaining = {"all": _chaining(rows, predicted, set(predicted.values()))}
    for c in cats:
        chaining[c] = _chaining(rows, predicted, {predicted[i] for i in by_cat[c]})
    parts: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if category(r) == "multiday":
            parts[str(r["story"])].add(predicted[str(r["id"])])
    days: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        if category(r) == "series":
            days[series_kind(str(r["story"])), predicted[str(r["id"])]].add(str(r["story"]))
    chains: dict[str, int] = {}
    for (kind, _), held in days.items():
        chains[kind] = max(chains.get(kind, 0), len(held))
    span: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        span[str(r["story"])].append(datetime.fromisoformat(r["date"]).timestamp())
    return StreamReport(
        overall=score(gold, predicted),
        by_category={c: category_scores(gold, predicted, by_cat[c]) for c in cats},
        chaining=chaining,
        parts={g: len(p) for g, p in sorted(parts.items())},
        series_chains=dict(sorted(chains.items())),
        gold_longest_days=max(max(t) - min(t) for t in span.values()) / DAY,
    )


def render(name: str, rows: list[Row], report: StreamReport) -> list[str]:
    count = Counter(category(r) for r in rows)
    gold_n = Counter(
        str(r["story"]).split("/", 1)[0] for r in {r["story"]: r for r in rows}.values()
    )
    out = [f"{name}: {len(rows)} documents, {sum(gold_n.values())} gold stories"]
    out.append(f"  {'overall':<9} {report.overall.row()}")
    for c, s in report.by_category.items():
        out.append(f"  {c:<9} {s.row()}  ({count[c]} docs, {gold_n[c]} gold)")
    out.append(
        "  chaining: longest predicted story (days) / largest (docs) / most gold stories in "
        "one predicted story"
    )
    for c, ch in report.chaining.items():
        out.append(
            f"  {c:<9} longest {ch.longest_days:5.1f} d ({ch.longest_story})  largest "
            f"{ch.largest:3d} ({ch.largest_story})  most gold {ch.most_gold}"
        )
    out.append(f"  gold: longest story {report.gold_longest_days:.1f} d")
    out.append(
        "  multiday parts: "
        + ", ".join(f"{g.split('/', 1)[1]} {n}" for g, n in report.parts.items())
    )
    out.append(
        "  series, most days in one predicted story: "
        + ", ".join(f"{k} {n}" for k, n in report.series_chains.items())
    )
    return out


def _set(params: Params, spec: str) -> Params:
    key, _, value = spec.partition("=")
    default = getattr(params, key)
    kind = type(default)
    parsed: Any = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
    return dataclasses.replace(params, **{key: parsed})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=FIXTURE)
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="override an engine parameter (repeatable)",
    )
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args(argv)
    params = Params()
    for spec in args.set:
        params = _set(params, spec)
    rows = load(args.data)
    lines = render("engine", rows, evaluate(rows, run_engine(rows, params)))
    if not args.no_baseline:
        lines += render(
            "baseline (tfidf centroid, no dates)", rows, evaluate(rows, run_baseline(rows))
        )
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
