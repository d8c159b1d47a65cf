"""The benchmark scripts still run (tiny sizes): a bench that rots is found by CI, not later."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize(
    ("script", "args", "expect"),
    [
        ("fetch_bench.py", ("--items", "20", "--seconds", "0.5", "--repeat", "1"), "entries/s"),
        ("clean_bench.py", ("--entries", "20", "--rounds", "1"), "entries/s"),
        ("process_bench.py", ("--copies", "1", "--rounds", "1"), "x the time of v1"),
        (
            "process_bench.py",
            ("--copies", "1", "--rounds", "1", "--stories", "redis", "--rtt-ms", "0.1"),
            "Redis round trips",
        ),
        ("events_bench.py", ("--events", "200", "--rounds", "1"), "events/s"),
        ("cluster_speed.py", ("--docs", "300", "--live", "2000", "--probe", "50"), "docs/s"),
        ("cluster_speed.py", ("--docs", "600", "--live", "", "--jobs", "2"), "same stories: True"),
        ("dispatch_bench.py", ("--sizes", "1500", "--rounds", "5", "--load", "300"), "p99 ms"),
        ("stream_quality.py", (), "multiday parts: election-ecuador"),
        ("seen_bench.py", ("--sources", "40", "--rounds", "4"), "new / baseline"),
        ("hot_story.py", ("--points", "5,40", "--sample", "2"), "ledger, outlet/article"),
        (
            "domain_bench.py",
            tuple("--big 150 --others 100 --minutes 6 --interval 300 --cap 20".split()),
            "big polls",
        ),
    ],
)
def test_bench_script_runs(script: str, args: tuple[str, ...], expect: str) -> None:
    assert expect in _run(script, *args)


def _labelled_file(tmp_path: Path, *, numbered: bool = False) -> Path:
    """Two topics of two events each, in the dev set's format (``numbered``: integer ids)."""
    events = {
        "1a": "Magnitude 7.1 earthquake strikes Chile near Iquique",
        "1b": "Magnitude 6.4 earthquake hits Nepal, Jajarkot villages flattened",
        "2a": "Actor Tom Lane checks into Malibu rehab clinic",
        "2b": "Singer Mia Ray enters Arizona treatment centre, cancels tour",
    }
    data = tmp_path / "dev.jsonl"
    with data.open("w", encoding="utf-8") as fh:
        for n in range(3):
            for label, text in events.items():
                row = {
                    "id": 10 * n + "1a 1b 2a 2b".split().index(label)
                    if numbered
                    else f"{label}-{n}",
                    "title": f"{text} ({n})",
                    "text": f"{text}. Report {n}.",
                    "date": None,
                    "outlet": None,
                    "cluster": label,
                    "topic": label[0],
                }
                fh.write(json.dumps(row) + "\n")
    return data


def test_cluster_quality_scores_a_labelled_file(tmp_path: Path) -> None:
    data = str(_labelled_file(tmp_path))
    out = _run("cluster_quality.py", "--data", data, "--holdout", "--orders", "3")
    assert "full text   file order engine" in out
    assert "titles only" in out
    # Four well-separated events: every order finds them.
    assert "full text   3 orders engine   pairwise F1 min 1.000 mean 1.000" in out


def test_cluster_quality_scores_a_corpus_of_integer_ids_and_its_cluster_output(
    tmp_path: Path,
) -> None:
    """A corpus that numbers its documents is scored as one named by strings, in the engine
    and from ``storywire cluster``'s output (which writes each id back as its input gave it)."""
    data = _labelled_file(tmp_path, numbered=True)
    out = _run("cluster_quality.py", "--data", str(data), "--full-only")
    assert "pairwise P 1.000 R 1.000 F1 1.000" in out
    stories = tmp_path / "stories.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "workers.cli", "cluster", "--quiet", "--input", str(data),
         "--output", str(stories)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert all(isinstance(json.loads(line)["id"], int) for line in stories.read_text().splitlines())
    scored = _run("cluster_quality.py", "--data", str(data), "--stories", str(stories))
    assert "F1 1.000" in scored


def test_copy_quality_measures_a_labelled_file(tmp_path: Path) -> None:
    out = _run("copy_quality.py", "--data", str(_labelled_file(tmp_path)))
    assert "outlets known  : copy recall under another headline: full body" in out
    assert "false copies" in out
