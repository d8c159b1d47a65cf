"""cluster_file: JSON lines in, {"id", "story"} lines out, clear errors on bad input."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from storywire.stories import MemoryStoryStore, StoryEngine, cluster_file

from .conftest import labelled_docs


def _write_input(path: Path, extra: list[bytes] | None = None) -> list[str]:
    lines = []
    ids = []
    for _, doc in labelled_docs():
        ids.append(doc.id)
        row = {"id": doc.id, "title": doc.title, "text": doc.text, "outlet": doc.outlet}
        if doc.published is not None:
            row["date"] = doc.published.isoformat()
        lines.append(orjson.dumps(row))
    path.write_bytes(b"\n".join(lines + (extra or [])) + b"\n")
    return ids


def test_cluster_file_round_trip(tmp_path: Path) -> None:
    """Every input line yields one output line, same order, same stories as direct assignment."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = _write_input(src)
    report = cluster_file(src, dst, StoryEngine(MemoryStoryStore()), progress=False)
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert report.clustered == len(ids) == len(rows)
    assert report.rejected == 0
    assert [r["id"] for r in rows] == ids
    direct = StoryEngine(MemoryStoryStore()).assign_many([d for _, d in labelled_docs()])
    assert [r["story"] for r in rows] == [a.story_id for a in direct]


def test_cluster_file_progress_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The progress line is written to stderr, never into the output file or stdout."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(src)
    cluster_file(src, dst, StoryEngine(MemoryStoryStore()), progress=True)
    captured = capsys.readouterr()
    assert "docs" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("bad", "bad_id", "message"),
    [
        (b"{not json", None, "line 9: not valid JSON"),
        (b'{"title": "no id", "text": ""}', None, "line 9: missing or invalid 'id'"),
        (b'{"id": "x", "title": "t", "text": "", "date": "yesterday"}', "x", "line 9: bad 'date'"),
        # an integer id is a usable id (it is clustered as its string), so its error row names it
        (b'{"id": 17, "title": 5, "text": ""}', "17", "line 9: 'title' and 'text' must be"),
        (b'{"id": true, "title": "t", "text": ""}', None, "line 9: missing or invalid 'id'"),
        (b'["a list"]', None, "line 9: expected a JSON object"),
    ],
)
def test_a_bad_line_is_reported_in_place_and_the_rest_is_clustered(
    tmp_path: Path, bad: bytes, bad_id: str | None, message: str
) -> None:
    """A malformed line gets an output line of its own (story null, the reason naming its line
    number) and every other line is clustered as if it were not there."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = _write_input(src, extra=[bad])
    good = src.read_bytes().splitlines()
    src.write_bytes(b"\n".join([*good[:4], bad, *good[4:-1]]) + b"\n")  # line 5, not last
    report = cluster_file(src, dst, StoryEngine(MemoryStoryStore()), progress=False)
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert (report.clustered, report.rejected) == (len(ids), 1)
    assert rows[4]["id"] == bad_id
    assert rows[4]["story"] is None
    assert rows[4]["error"].startswith(message.replace("line 9", "line 5"))
    assert report.first_errors == (rows[4]["error"],)
    assert [r["id"] for r in rows[:4] + rows[5:]] == ids
    direct = StoryEngine(MemoryStoryStore()).assign_many([d for _, d in labelled_docs()])
    assert [r["story"] for r in rows[:4] + rows[5:]] == [a.story_id for a in direct]


def test_cluster_file_output_follows_merges(tmp_path: Path) -> None:
    """When stories merge later, earlier lines are rewritten to the surviving story."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [
        {"id": "a", "title": "Volcano Katla erupts in Iceland", "text": ""},
        {"id": "b", "title": "Airlines cancel flights over ash cloud from Katla", "text": ""},
        {"id": "c", "title": "Katla volcano eruption: ash cloud halts Iceland flights", "text": ""},
    ]
    src.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    engine = StoryEngine(MemoryStoryStore())
    cluster_file(src, dst, engine, progress=False)
    out = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    live = set(engine.store.load([r["story"] for r in out]))
    assert {r["story"] for r in out} <= live
