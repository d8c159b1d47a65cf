"""cluster_file: JSON lines in, {"id", "story"} lines out, clear errors on bad input."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import stat
import threading
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import pytest

from storywire.stories import FileReport, MemoryStoryStore, StoryEngine, cluster_file, files

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


def test_cluster_file_progress_off_a_terminal_is_whole_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where stderr is no terminal (a log file, CI), progress comes as whole lines, spaced in
    time, never redrawn with carriage returns into one ever-growing line."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(src)
    monkeypatch.setattr(files, "_BATCH", 2)  # a progress update after every two lines
    monkeypatch.setattr(files, "_LOG_EVERY", 0.0)
    report = cluster_file(src, dst, StoryEngine(MemoryStoryStore()), progress=True)
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = err.splitlines()
    assert len(lines) > 2
    assert all(line.startswith("clustering ") for line in lines)
    assert lines[-1].startswith(f"clustering 100.0% {report.clustered} docs")


@pytest.mark.parametrize(
    ("bad", "bad_id", "message"),
    [
        (b"{not json", None, "line 9: not valid JSON"),
        (b'{"title": "no id", "text": ""}', None, "line 9: missing 'id'"),
        (b'{"id": "x", "title": "t", "text": "", "date": "yesterday"}', "x", "line 9: bad 'date'"),
        # an integer id is a usable id, so its error row names it (as the integer it was)
        (b'{"id": 17, "title": 5, "text": ""}', 17, "line 9: 'title' must be a string or null"),
        (b'{"id": "x", "text": ["a"]}', "x", "line 9: 'text' must be a string or null, got list"),
        (b'{"id": "x", "title": "t", "outlet": 3}', "x", "line 9: 'outlet' must be a string or"),
        (b'{"id": "x", "title": "t", "url": {}}', "x", "line 9: 'url' must be a string or null"),
        (b'{"id": "x", "title": "t", "date": 1700000000}', "x", "line 9: 'date' must be a string"),
        (b'{"id": "", "title": "t"}', None, "line 9: 'id' is an empty string"),
        (b'{"id": true, "title": "t", "text": ""}', None, "line 9: 'id' must be a non-empty"),
        (b'["a list"]', None, "line 9: expected a JSON object"),
    ],
)
def test_a_bad_line_is_reported_in_place_and_the_rest_is_clustered(
    tmp_path: Path, bad: bytes, bad_id: str | int | None, message: str
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


@pytest.mark.parametrize(
    ("slipped", "mended"),
    [
        # A Windows tool's byte order mark before the first line (and a file appended to it).
        (lambda line: b"\xef\xbb\xbf" + line, 0),
        # A stray byte of another encoding (Latin-1's "\xe9") in the title.
        (lambda line: line.replace(b'"title":"', b'"title":"Caf\xe9 ', 1), 1),
        # Half an emoji: a JavaScript producer cut the title inside a surrogate pair.
        (lambda line: line.replace(b'"title":"', b'"title":"\\ud83d ', 1), 1),
    ],
    ids=["byte order mark", "latin-1 byte", "half an emoji"],
)
def test_a_line_with_a_producer_s_slip_is_clustered_not_rejected(
    tmp_path: Path, slipped: Any, mended: int
) -> None:
    """orjson refused each of these lines outright, and the document was lost to a byte. They
    are read as browsers read them: no mark, U+FFFD for what is not UTF-8 (counted)."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = _write_input(src)
    first, *rest = src.read_bytes().splitlines()
    src.write_bytes(b"\n".join([slipped(first), *rest]) + b"\n")
    report = cluster_file(src, dst, StoryEngine(MemoryStoryStore()), progress=False)
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert (report.clustered, report.rejected, report.mended) == (len(ids), 0, mended)
    assert [r["id"] for r in rows] == ids
    assert all(r["story"] for r in rows)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"title": "t"}, "line 4: missing 'id'"),
        ({"id": None, "title": "t"}, "line 4: 'id' is null"),
        ({"id": "", "title": "t"}, "line 4: 'id' is an empty string"),
        # a float is no integer, not even 1.0: its digits could name another document
        ({"id": 1.0}, "line 4: 'id' must be a non-empty string or an integer, got float 1.0"),
        ({"id": 2.5}, "line 4: 'id' must be a non-empty string or an integer, got float 2.5"),
        ({"id": True}, "line 4: 'id' must be a non-empty string or an integer, got bool true"),
        ({"id": {"a": 1}}, "line 4: 'id' must be a non-empty string or an integer, got dict"),
        ({"id": ["a"]}, "line 4: 'id' must be a non-empty string or an integer, got list"),
    ],
)
def test_an_unusable_id_says_what_is_wrong_with_it(line: dict[str, object], message: str) -> None:
    """The old message, "missing or invalid 'id'", named neither which nor what an id may be."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        files.doc_from_json(line, 4)


def test_an_integer_id_past_64_bits_is_read_exactly(tmp_path: Path) -> None:
    """orjson reads an integer past 64 bits as a float: such an id (a 128-bit hash written as a
    number) was refused as "missing or invalid", and two of them a unit apart would have
    been one float. They are read digit for digit, as smaller integers are."""
    ids = [2**64, 2**64 + 1, -(2**63) - 1, 10**30]
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(f'{{"id": {i}, "title": "{QUAKE}"}}\n' for i in ids))  # orjson: none
    report = cluster_file(src, dst, StoryEngine(MemoryStoryStore()), progress=False)
    rows = [json.loads(line) for line in dst.read_bytes().splitlines()]  # orjson: floats
    assert (report.clustered, report.rejected, report.repeated) == (4, 0, 0)
    assert [r["id"] for r in rows] == ids
    assert all(r["story"] for r in rows)


def test_ids_come_back_as_the_input_wrote_them(tmp_path: Path) -> None:
    """Integer ids come back as integers, string ids as strings (a scorer joins the output
    with its labels by id: ``17`` read back as ``"17"`` matched nothing); 1 and "1" stay one
    id. The rewrite at the end (held lines decided later, stories merged) keeps them."""
    ids: list[int | str] = [17, "17b", 2**70, -3, "18", 1, "1"]
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(
        "".join(json.dumps({"id": i, "title": f"{QUAKE} {n}"}) + "\n" for n, i in enumerate(ids))
    )
    report = cluster_file(src, dst, StoryEngine(MemoryStoryStore()), progress=False)
    rows = [json.loads(line) for line in dst.read_bytes().splitlines()]
    assert [r["id"] for r in rows] == ids
    assert all(r["story"] for r in rows)
    assert report.repeated == 1
    draft = tmp_path / "draft.jsonl"
    draft.write_text(
        f'{{"id":17,"story":null}}\n{{"id":{2**70},"story":"st_a"}}\n'
        '{"id":"x","story":null}\n{"id":5,"story":null,"error":"line 4: bad"}\n'
    )
    out = io.BytesIO()
    files._complete(draft, out, merged_into={"st_a": "st_b"},
                    decided={"17": "st_c", "x": "st_d"})  # fmt: skip
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        {"id": 17, "story": "st_c"},
        {"id": 2**70, "story": "st_b"},
        {"id": "x", "story": "st_d"},
        {"id": 5, "story": None, "error": "line 4: bad"},
    ]
    assert rows[6]["story"] == rows[5]["story"]


@pytest.mark.parametrize(
    ("date", "meant"),
    [
        ("2026-11-01T10:00:00Z", "2026-11-01T10:00:00+00:00"),
        ("Sun, 01 Nov 2026 12:00:00 +0200", "2026-11-01T10:00:00+00:00"),  # an RSS pubDate
        ("01 Nov 2026 10:00:00 -0000", "2026-11-01T10:00:00+00:00"),  # no zone: UTC
        # RFC 3339 allows a lowercase "z", and a leap second (read as the second before it)
        ("2026-11-01t10:00:00z", "2026-11-01T10:00:00+00:00"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59+00:00"),
        ("2016-12-31T23:59:60.5-01:00", "2017-01-01T00:59:59.500000+00:00"),
    ],
)
def test_a_date_is_iso_8601_or_an_rss_item_s_own(date: str, meant: str) -> None:
    doc = files.doc_from_json({"id": "a", "title": "t", "date": date}, 1)
    assert doc.published is not None
    assert doc.published.isoformat() == meant


@pytest.mark.parametrize(
    "date",
    [
        "2026-13-45",
        "Sun, 45 Nov 2026 10:00:00 GMT",
        "1700000000",
        "2026-11-01T10:60:00Z",  # a minute of 60 is no leap second
        "2026-11-01T10:60Z",
        # in range as written, out of it in UTC: OverflowError ended the run
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "Fri, 31 Dec 9999 23:59:59 -0100",
    ],
)
def test_a_date_neither_reads_is_refused_not_guessed(date: str) -> None:
    with pytest.raises(ValueError, match="line 3: bad 'date'"):
        files.doc_from_json({"id": "a", "title": "t", "date": date}, 3)


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("stream", [False, True], ids=["file", "stream"])
def test_gzip_and_streamed_input_give_the_same_stories(
    tmp_path: Path, compressed: bool, stream: bool
) -> None:
    """A backfill's dump is often gzipped, or comes down a pipe: gzip is told by its first
    bytes (a pipe has no name), and a stream with no size is read to its end all the same."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(src)
    expected = cluster_file(
        src, tmp_path / "plain.jsonl", StoryEngine(MemoryStoryStore()), progress=False
    )
    data = gzip.compress(src.read_bytes()) if compressed else src.read_bytes()
    source: Path | BinaryIO = io.BytesIO(data) if stream else tmp_path / "in.data"
    if not stream:
        (tmp_path / "in.data").write_bytes(data)
    report = cluster_file(source, dst, StoryEngine(MemoryStoryStore()), progress=False)
    assert report == expected
    assert dst.read_bytes() == (tmp_path / "plain.jsonl").read_bytes()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "gzip utf-16"])
def test_a_file_in_utf_16_or_32_is_read_as_its_text(tmp_path: Path, encoding: str) -> None:
    """Windows PowerShell's ``>`` writes UTF-16 (with a byte order mark): every line was
    refused as "not valid JSON" and the last newline's second byte made a line of its own, so
    no document was clustered and the output had a line more than the input. JSON's own rule
    (RFC 4627) tells UTF-16 and UTF-32 from UTF-8 by where the first bytes' zeros fall."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(src)
    expected = cluster_file(
        src, tmp_path / "plain.jsonl", StoryEngine(MemoryStoryStore()), progress=False
    )
    data = src.read_text(encoding="utf-8").encode(encoding.removeprefix("gzip "))
    (tmp_path / "in.data").write_bytes(gzip.compress(data) if "gzip" in encoding else data)
    report = cluster_file(
        tmp_path / "in.data", dst, StoryEngine(MemoryStoryStore()), progress=False
    )
    assert report == expected
    assert dst.read_bytes() == (tmp_path / "plain.jsonl").read_bytes()


def test_a_gzip_stream_that_breaks_off_keeps_what_came_and_says_where(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = _write_input(src)
    whole = gzip.compress(src.read_bytes())
    for cut, whole_lines in ((8, len(ids)), (40, len(ids) - 1)):  # the trailer; and a line
        (tmp_path / "cut.jsonl.gz").write_bytes(whole[:-cut])
        report = cluster_file(
            tmp_path / "cut.jsonl.gz", dst, StoryEngine(MemoryStoryStore()), progress=False
        )
        rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
        assert (report.clustered, report.rejected) == (whole_lines, 1)
        assert [r["id"] for r in rows[:-1]] == ids[:whole_lines]
        assert all(r["story"] for r in rows[:-1])
        assert rows[-1]["story"] is None
        assert rows[-1]["error"].startswith(f"line {whole_lines + 1}: the input breaks off here")


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


def _cluster(tmp_path: Path, lines: list[dict[str, object]]) -> tuple[FileReport, list[Any]]:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    report = cluster_file(src, dst, StoryEngine(MemoryStoryStore()), progress=False)
    return report, [orjson.loads(line) for line in dst.read_bytes().splitlines()]


QUAKE = "Magnitude 6.1 earthquake strikes Sumatra coast"


@pytest.mark.parametrize(
    "line",
    [
        {"id": "b", "title": QUAKE},
        {"id": "b", "title": QUAKE, "text": None},
        {"id": "b", "text": QUAKE},
        {"id": "b", "title": None, "text": QUAKE},
        {"id": "b", "title": QUAKE, "text": "", "outlet": None, "url": None, "date": None},
    ],
)
def test_title_and_text_are_optional_and_null_is_empty(
    tmp_path: Path, line: dict[str, object]
) -> None:
    """Either field alone is a document; a null reads as an absent field, for every optional
    field alike."""
    report, rows = _cluster(tmp_path, [{"id": "a", "title": QUAKE, "text": QUAKE}, line])
    assert (report.clustered, report.rejected, report.empty) == (2, 0, 0)
    assert rows[0]["story"] == rows[1]["story"]


def test_a_line_with_neither_title_nor_text_gets_its_own_story_and_is_counted(
    tmp_path: Path,
) -> None:
    """Accepted (its id is still answered for), alone in a story, and counted as empty, so a
    file whose fields are misnamed ("headline", "body") does not pass for a clustered one."""
    lines: list[dict[str, object]] = [
        {"id": "a", "title": QUAKE},
        {"id": "b"},
        {"id": "c", "title": None, "text": None},
        {"id": "d", "title": "", "text": "  ", "headline": QUAKE},
    ]
    report, rows = _cluster(tmp_path, lines)
    assert (report.clustered, report.rejected, report.empty) == (4, 0, 3)
    stories = [r["story"] for r in rows]
    assert len(set(stories)) == 4


def test_an_empty_line_with_a_link_is_placed_by_the_links_words(tmp_path: Path) -> None:
    """A link's slug words count as headline words: the line is still counted as empty."""
    slug = "https://x.com/2026/01/magnitude-6-1-earthquake-strikes-sumatra-coast"
    report, rows = _cluster(tmp_path, [{"id": "a", "title": QUAKE}, {"id": "b", "url": slug}])
    assert report.empty == 1
    assert rows[0]["story"] == rows[1]["story"]


def test_features_made_by_other_processes_give_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``jobs`` 3: two more processes extract the features batches ahead; lines, stories,
    holds, merges, a bad line and the report are those of one process."""
    monkeypatch.setattr(files, "_BATCH", 40)  # 15 batches: the lookahead fills and drains
    stream = Path(__file__).parent / "fixtures" / "long_stream.jsonl"
    lines = stream.read_bytes().splitlines()
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join([*lines[:300], b"{not json", *lines[300:]]) + b"\n")
    outputs, reports = [], []
    # The feature processes number their strings afresh after every batch here (by default
    # past half a million strings), and this process must follow.
    monkeypatch.setattr(files, "_VOCABULARY", 300)
    for jobs in (1, 3):
        dst = tmp_path / f"out{jobs}.jsonl"
        engine = StoryEngine(MemoryStoryStore())
        reports.append(cluster_file(src, dst, engine, progress=False, jobs=jobs))
        outputs.append(dst.read_bytes())
    assert outputs[0] == outputs[1]
    assert reports[0] == reports[1]
    assert (reports[0].clustered, reports[0].rejected) == (len(lines), 1)
    assert reports[0].held > 0


def test_a_feature_process_failure_is_raised_in_the_parent() -> None:
    """What a feature process raises comes back and is raised where one process would have
    raised it; a process gone is a clear error, not a hang."""
    import multiprocessing  # noqa: PLC0415 - only this test drives the protocol by hand
    import threading  # noqa: PLC0415

    ours, theirs = multiprocessing.Pipe()
    serving = threading.Thread(target=files._serve, args=(theirs, None, 10))  # no params: fails
    serving.start()
    ours.send([d for _, d in labelled_docs()][:2])
    with pytest.raises(AttributeError):
        files._received(ours, [])
    ours.close()
    serving.join(timeout=10)
    assert not serving.is_alive()
    ours, theirs = multiprocessing.Pipe()
    theirs.close()
    with pytest.raises(RuntimeError, match="ended before its batch was done"):
        files._received(ours, [])


def _held_input(path: Path) -> bytes:
    """Lines of which some are held and decided later: the output is rewritten at the end."""
    stream = Path(__file__).parent / "fixtures" / "long_stream.jsonl"
    data = b"\n".join(stream.read_bytes().splitlines()[:40]) + b"\n"
    path.write_bytes(data)
    return data


def test_an_interrupted_run_leaves_the_earlier_output_and_no_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or an error) mid-run: the output was a file of the lines so far, held ones
    null, that looked like a result, in place of the earlier one. Now it is put in place only
    at the end."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(src)
    dst.write_bytes(b"earlier\n")
    engine = StoryEngine(MemoryStoryStore())

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "place_many", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cluster_file(src, dst, engine, progress=False)
    assert dst.read_bytes() == b"earlier\n"
    assert sorted(tmp_path.iterdir()) == [src, dst]


def test_the_rewrite_at_the_end_leaves_other_files_alone(tmp_path: Path) -> None:
    """The rewrite went through ``<output>.tmp``: an input of that name was renamed over the
    output, and was gone."""
    src, dst = tmp_path / "out.jsonl.tmp", tmp_path / "out.jsonl"
    data = _held_input(src)
    assert cluster_file(src, dst, StoryEngine(MemoryStoryStore()), progress=False).held
    assert src.read_bytes() == data
    assert len(dst.read_bytes().splitlines()) == data.count(b"\n")
    assert sorted(tmp_path.iterdir()) == [dst, src]


@pytest.mark.timeout(60)
def test_an_output_that_is_no_file_gets_the_whole_output_and_stays_what_it_was(
    tmp_path: Path,
) -> None:
    """A FIFO (as a shell's ``>(gzip > f)`` is) gets the rewritten output, and a link to
    /dev/null stays one: the rewrite at the end read the FIFO again (and waited for ever) and
    renamed a regular file over the link (over /dev/null itself, as root)."""
    src, plain = tmp_path / "in.jsonl", tmp_path / "plain.jsonl"
    _held_input(src)
    assert cluster_file(src, plain, StoryEngine(MemoryStoryStore()), progress=False).held
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    cluster_file(src, link, StoryEngine(MemoryStoryStore()), progress=False)
    assert link.is_symlink()
    assert os.readlink(link) == os.devnull
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    cluster_file(src, fifo, StoryEngine(MemoryStoryStore()), progress=False)
    reader.join(timeout=10)
    assert got == [plain.read_bytes()]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "in.jsonl", "null", "plain.jsonl"]
