"""``storywire cluster`` runs the engine over a file, in memory or on a real Redis."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from storywire.adapters.embedded_redis import EmbeddedRedis
from tests.support.processes import children, gone, reap
from workers.cli import main

DOCS = [
    {
        "id": "a",
        "title": "Magnitude 6.1 earthquake strikes Sumatra coast",
        "text": "A magnitude 6.1 earthquake struck off Sumatra, Indonesia, on Tuesday, the USGS said. No tsunami warning was issued.",
    },
    {
        "id": "b",
        "title": "Strong quake hits Indonesia's Sumatra",
        "text": "An earthquake of magnitude 6.1 shook Sumatra on Tuesday, according to the USGS. Indonesia issued no tsunami warning.",
    },
    {
        "id": "c",
        "title": "Lindsay Lohan checks into rehab",
        "text": "Actress Lindsay Lohan has entered a rehab facility in California, her lawyer said.",
    },
]


def _write(path: Path) -> None:
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in DOCS))


@pytest.mark.parametrize(("store", "jobs"), [("memory", "1"), ("redis", "1"), ("redis", "2")])
def test_cluster_writes_one_story_per_line(
    tmp_path: Path,
    store: str,
    jobs: str,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Output has the input's ids in order; the two quake reports share a story, rehab does not
    (``--jobs 2``: features made by a second process)."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(src)
    args = ["--store", store, "--jobs", jobs, "--quiet"]
    code = main(["cluster", "--input", str(src), "--output", str(dst), *args])
    assert code == 0
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["story"] == rows[1]["story"] != rows[2]["story"]


@pytest.mark.parametrize(("decay", "joined"), [("0", True), ("1", False)])
def test_cluster_decay_hours_option(tmp_path: Path, decay: str, joined: bool) -> None:
    """--decay-hours sets the similarity half-life: a follow-up 60 h later joins its story
    without decay and not with a one-hour half-life."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    dated = [
        {**DOCS[0], "date": "2026-01-05T08:00:00Z"},
        {**DOCS[1], "date": "2026-01-07T20:00:00Z"},
    ]
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in dated))
    args = ["cluster", "--input", str(src), "--output", str(dst), "--quiet"]
    assert main([*args, "--decay-hours", decay]) == 0
    first, second = (orjson.loads(line)["story"] for line in dst.read_bytes().splitlines())
    assert (first == second) is joined


def test_cluster_undated_lines_take_the_time_of_the_dated_ones_before(tmp_path: Path) -> None:
    """An undated follow-up of a dated report (say from 2013) joins it: undated lines follow
    the file's own clock, not today's date, which would put them years past the window."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [{**DOCS[0], "date": "2013-01-05T08:00:00Z"}, DOCS[1]]
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in lines))
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 0
    first, second = (orjson.loads(line)["story"] for line in dst.read_bytes().splitlines())
    assert first == second


def test_cluster_reports_a_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed line makes the exit status 1 with a message naming the line; the lines
    around it are clustered all the same."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    good = '{"id": "%s", "title": "Storm floods Chile coast", "text": "x"}\n'
    src.write_text(good % "a" + "not json\n" + good % "b")
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 1
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert [(r["id"], r["story"] is None) for r in rows] == [
        ("a", False),
        (None, True),
        ("b", False),
    ]
    err = capsys.readouterr().err
    assert "line 2: not valid JSON" in err
    assert "1 lines rejected" in err


def test_cluster_reads_text_that_is_not_utf8_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Latin-1 byte in a title is read as U+FFFD, the line clustered (exit 0), and the summary
    counts it, so a file in another encoding does not pass unnoticed."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(
        b'\xef\xbb\xbf{"id": "a", "title": "Storm floods Chile coast", "text": "x"}\n'
        b'{"id": "b", "title": "Storm floods Chile coast \xe9", "text": "x"}\n'
    )
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 0
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["story"] == rows[1]["story"]
    assert "1 lines had text that was not UTF-8" in capsys.readouterr().err


def test_cluster_reads_gzipped_standard_input_and_writes_standard_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """`storywire cluster --input - --output - < docs.jsonl.gz`: gzip is told by its first
    bytes (a pipe has no name); the stories come out once the last line is decided."""
    dst = tmp_path / "out.jsonl"
    data = gzip.compress(b"".join(orjson.dumps(d) + b"\n" for d in DOCS))
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(data)))
    assert main(["cluster", "--input", "-", "--output", str(dst), "--quiet"]) == 0
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert [r["id"] for r in rows] == [d["id"] for d in DOCS]
    assert all(r["story"] for r in rows)
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(data)))
    capsysbinary.readouterr()
    assert main(["cluster", "--input", "-", "--output", "-", "--quiet"]) == 0
    out, err = capsysbinary.readouterr()
    assert out == dst.read_bytes()
    assert b"clustered into standard output" in err


def test_cluster_reports_repeated_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A line repeating an earlier line's id is a redelivery of that document: it gets the
    first line's story (even with another text), and the summary counts it."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [*DOCS, {**DOCS[2], "id": "a"}]  # the rehab text under the quake report's id
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in lines))
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 0
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c", "a"]
    assert rows[3]["story"] == rows[0]["story"] != rows[2]["story"]
    assert "1 lines repeated an earlier line's id" in capsys.readouterr().err


def test_run_with_a_missing_sources_file_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`storywire run` with no sources file exits 1 (a path that cannot be read, as for every
    command) with a one-line reason, starting nothing; a malformed one is a bad value: 2."""
    assert main(["run", "--sources", str(tmp_path / "missing.toml")]) == 1
    assert "cannot load sources" in capsys.readouterr().err
    (tmp_path / "bad.toml").write_text('[[source]]\nid = "a"\nurl = "ftp://a/f"\n')
    assert main(["run", "--sources", str(tmp_path / "bad.toml")]) == 2
    assert "cannot load sources" in capsys.readouterr().err


@pytest.mark.parametrize("timeout", ["0", "-5", "nan"])
def test_demo_refuses_a_timeout_that_is_no_time(
    timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--timeout 0` started the whole pipeline only to report it not idle after 0 s."""
    with pytest.raises(SystemExit) as caught:
        main(["demo", "--timeout", timeout])
    assert caught.value.code == 2
    assert "--timeout" in capsys.readouterr().err


def test_cluster_refuses_to_write_over_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--output naming the input file (by any path) is a usage error: opened for writing
    first, the input was emptied and the run 'clustered' 0 documents with exit 0."""
    src = tmp_path / "in.jsonl"
    _write(src)
    before = src.read_bytes()
    (tmp_path / "sub").mkdir()
    for output in (src, tmp_path / "sub" / ".." / "in.jsonl"):
        assert main(["cluster", "--input", str(src), "--output", str(output), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("storywire cluster: ")
        assert err.count("\n") == 1
    assert src.read_bytes() == before


def test_cluster_refuses_to_write_over_the_file_on_its_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--input - --output docs.jsonl < docs.jsonl` emptied the input before reading it."""
    src = tmp_path / "in.jsonl"
    _write(src)
    before = src.read_bytes()
    with src.open() as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        assert main(["cluster", "--input", "-", "--output", str(src), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("storywire cluster: --output is the --input")
    assert src.read_bytes() == before


def test_cluster_on_standard_streams_beside_a_file_named_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """`--input - --output -` was refused as writing over its input where a file named "-"
    was in the working directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_bytes(b"")
    data = b"".join(orjson.dumps(d) + b"\n" for d in DOCS)
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(data)))
    assert main(["cluster", "--input", "-", "--output", "-", "--quiet"]) == 0
    assert len(capsysbinary.readouterr().out.splitlines()) == len(DOCS)


class _StoppedMidway(io.RawIOBase):
    """Standard input that gives some lines, then is stopped as a user or a supervisor stops
    the command: Ctrl-C (KeyboardInterrupt) or SIGTERM (the command's own handler)."""

    def __init__(self, data: bytes, stop: str) -> None:
        self.data, self.stop = data, stop

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.data:
            if self.stop == "ctrl-c":
                raise KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises first
        size = min(len(buffer), len(self.data))
        buffer[:size], self.data = self.data[:size], self.data[size:]
        return size


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
@pytest.mark.parametrize("output", ["file", "-"])
def test_a_stopped_cluster_says_so_and_what_became_of_the_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stop: str,
    output: str,
) -> None:
    """Stopped mid-file, the command ended with exit status 130 or 143 and not a word: the
    user could not tell whether the output was there, half there or the earlier one."""
    status, said = (130, "Ctrl-C") if stop == "ctrl-c" else (143, "SIGTERM")
    dst = tmp_path / "out.jsonl"
    dst.write_bytes(b"earlier\n")
    data = b"".join(orjson.dumps(d) + b"\n" for d in DOCS)
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=_StoppedMidway(data, stop)))
    target = str(dst) if output == "file" else "-"
    assert main(["cluster", "--input", "-", "--output", target, "--quiet"]) == status
    out, err = capsys.readouterr()
    assert out == ""
    assert dst.read_bytes() == b"earlier\n"
    where = f"{dst} was not written (the earlier file is left as it was)"
    if output == "-":
        where = "nothing was written to standard output"
    assert err == f"storywire cluster: stopped by {said}: {where}\n"


def test_a_cluster_stopped_on_a_redis_of_the_user_s_says_what_stays_there(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    redis_server: EmbeddedRedis,
) -> None:
    """The stories of the lines read before Ctrl-C stay under the prefix, where a run again
    would meet those lines as repeats: the message says so."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    data = b"".join(orjson.dumps(d) + b"\n" for d in DOCS)
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=_StoppedMidway(data, "ctrl-c")))
    args = ["--store", "redis", "--prefix", "test:stopped", "--quiet"]
    dst = tmp_path / "out.jsonl"
    assert main(["cluster", "--input", "-", "--output", str(dst), *args]) == 130
    assert capsys.readouterr().err == (
        f"storywire cluster: stopped by Ctrl-C: {dst} was not written; the stories of the "
        "lines read so far stay in Redis under test:stopped (a new --prefix starts afresh)\n"
    )


def test_cluster_into_a_directory_that_does_not_exist_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "No such file or directory: '.../out.jsonl'" read as if the input were missing. The
    run stops before it reads anything."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "no" / "such" / "out.jsonl"
    _write(src)
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 1
    assert capsys.readouterr().err == (
        f"storywire cluster: [Errno 2] No such directory to write the output in: "
        f"'{tmp_path / 'no' / 'such'}'\n"
    )
    assert sorted(tmp_path.iterdir()) == [src]


@pytest.mark.timeout(60)
def test_a_cluster_stopped_with_sigterm_leaves_the_earlier_output(tmp_path: Path) -> None:
    """SIGTERM mid-run (a `timeout`, an orchestrator): the output was the lines written so
    far, in place of the earlier output; now the earlier output stays, no draft is left and
    the exit status is 128 + 15. The input is a FIFO kept open, so the run waits mid-file."""
    fifo, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    dst.write_bytes(b"earlier\n")
    command = [sys.executable, "-m", "workers.cli", "cluster", "--quiet"]
    command += ["--input", str(fifo), "--output", str(dst)]
    proc = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        with fifo.open("wb") as feed:
            feed.write(b"".join(orjson.dumps(d) + b"\n" for d in DOCS) * 200)
            feed.flush()
            deadline = time.monotonic() + 30
            while len(list(tmp_path.iterdir())) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)  # until the run has its draft
            time.sleep(0.5)
            proc.terminate()
            assert proc.wait(timeout=20) == 128 + 15
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert dst.read_bytes() == b"earlier\n"
    assert sorted(tmp_path.iterdir()) == [fifo, dst]


@pytest.mark.timeout(90)
@pytest.mark.parametrize("wait", [0.1, 3.0])
def test_ctrl_c_stops_a_cluster_with_feature_processes_without_a_traceback(
    tmp_path: Path, wait: float
) -> None:
    """Ctrl-C reaches the whole process group: each feature process printed a traceback of
    its own under the command's exit, also while it was still importing (``wait`` 0.1 s after
    it started; 3 s: it waits for batches). The input is a FIFO kept open: the run waits
    mid-file."""
    fifo, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "workers.cli", "cluster", "--quiet", "--jobs", "2"]
    command += ["--input", str(fifo), "--output", str(dst)]
    proc = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        process_group=0,
        # A shell's background job ignores SIGINT, and so would the command it starts.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    try:
        with fifo.open("wb") as feed:
            feed.write(b"".join(orjson.dumps(d) + b"\n" for d in DOCS) * 200)
            feed.flush()
            deadline = time.monotonic() + 60
            while not children(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(wait)
            os.killpg(proc.pid, signal.SIGINT)
            _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert b"Traceback" not in err
    assert not dst.exists()


@pytest.mark.parametrize(
    "option",
    [
        ["--window-hours", "0"],
        ["--window-hours", "-1"],
        ["--window-hours", "nan"],
        ["--decay-hours", "-1"],
        ["--decay-hours", "nan"],
        ["--jobs", "0"],
    ],
)
def test_cluster_refuses_a_window_or_half_life_out_of_range(
    tmp_path: Path, option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A window must be hours above 0 and a half-life 0 (off) or more, as in the settings:
    --window-hours 0 used to mean the default 72 and a negative value ran anyway."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(src)
    with pytest.raises(SystemExit) as exit_:
        main(["cluster", "--input", str(src), "--output", str(dst), "--quiet", *option])
    assert exit_.value.code == 2
    assert option[0] in capsys.readouterr().err
    assert not dst.exists()


def test_cluster_on_an_embedded_redis_starts_from_nothing_each_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without STORYWIRE_REDIS_URL, --store redis runs on a throwaway redis-server: it kept
    the last run's stories in the service's own data directory (where `make run`'s Redis
    lives), so a second run of a file found every id 'repeated'."""
    monkeypatch.delenv("STORYWIRE_REDIS_URL", raising=False)
    monkeypatch.setenv("STORYWIRE_DATA_DIR", str(tmp_path / "var"))
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(src)
    args = ["cluster", "--input", str(src), "--output", str(dst), "--store", "redis", "--quiet"]
    assert main(args) == 0
    first = dst.read_bytes()
    capsys.readouterr()
    assert main(args) == 0
    assert "repeated" not in capsys.readouterr().err
    assert dst.read_bytes() == first
    assert not (tmp_path / "var").exists()


def test_cluster_counts_lines_with_neither_title_nor_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Such lines are clustered (each alone) and counted on stderr; the exit status stays 0."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [*DOCS, {"id": "d"}, {"id": "e", "title": None, "text": None}]
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in lines))
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 0
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert rows[3]["story"] != rows[4]["story"]
    assert "storywire cluster: 2 lines had neither title nor text" in capsys.readouterr().err


def test_cluster_help_describes_the_input_fields(capsys: pytest.CaptureFixture[str]) -> None:
    """--help says what the README says: title and text are optional, null is empty."""
    with pytest.raises(SystemExit):
        main(["cluster", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert '{"id","title"?,"text"?,"date"?,"outlet"?,"url"?}' in text
    assert "null" in text


def test_cluster_reports_lines_dated_before_the_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file listed newest first replays as a stream whose every line is late: each is
    compared only with the stories of its own time that the store still keeps (docs/stories.md,
    Bounded memory). The summary says how many lines came that late, so an out-of-order file
    does not pass unnoticed."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    days = [f"2024-03-{day:02d}T08:00:00+00:00" for day in range(30, 0, -1)]  # backwards
    lines = [
        {"id": f"n{i}", "title": f"Qzn{i}x report {i}", "date": day} for i, day in enumerate(days)
    ]
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in lines))
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 0
    # The clock is the 16th latest time (2024-03-15 once 16 lines are in): the 11 lines dated
    # before 03-12 are more than 72 hours behind it.
    assert "11 lines were dated more than a window (72 h) before" in capsys.readouterr().err
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in reversed(lines)))
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 0
    assert "window" not in capsys.readouterr().err


def test_cluster_names_lines_dated_after_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped year ("2204") or a month and day swapped is accepted and keeps its date (its
    story stays live until the stream reaches it; docs/stories.md, Known gaps), and passed
    without a word. Nothing is news from after the run: such lines are counted and named, and
    clustered as before (exit status unchanged)."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    days = [f"2024-03-{day:02d}T08:00:00+00:00" for day in range(1, 21)]
    days[10] = "2204-03-11T08:00:00+00:00"
    days[12] = "9999-12-03T08:00:00"
    lines = [
        {"id": f"n{i}", "title": f"Qzn{i}x report {i}", "date": day} for i, day in enumerate(days)
    ]
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in lines))
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "storywire cluster: 2 lines were dated more than a day after this run began " in err
    assert "(lines 11, 13)" in err
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert len({r["story"] for r in rows}) == len(lines)
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in lines if "2024" in d["date"]))
    assert main(["cluster", "--input", str(src), "--output", str(dst), "--quiet"]) == 0
    assert "after this run began" not in capsys.readouterr().err


def _command(pid: int) -> str:
    # redis-server replaces its command line with its title: binary and address.
    return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()


@pytest.mark.timeout(60)
def test_a_cluster_killed_with_sigkill_leaves_no_redis_server(tmp_path: Path) -> None:
    """`cluster --store redis` without STORYWIRE_REDIS_URL runs a throwaway redis-server; the
    command killed with SIGKILL left it running for ever in its temporary directory. Its input
    is a FIFO nobody writes to, so the command waits with its server up until it is killed."""
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    env = {k: v for k, v in os.environ.items() if k != "STORYWIRE_REDIS_URL"}
    command = [sys.executable, "-m", "workers.cli", "cluster", "--store", "redis", "--quiet"]
    command += ["--input", str(fifo), "--output", str(tmp_path / "out.jsonl")]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    server = 0
    directory = tmp_path / "unknown"
    try:
        deadline = time.monotonic() + 30
        while not server and time.monotonic() < deadline and proc.poll() is None:
            for pid in children(proc.pid):
                with suppress(OSError):
                    if "redis-server" in _command(pid):
                        directory = Path(os.readlink(f"/proc/{pid}/cwd"))
                        server = pid
            time.sleep(0.05)
        assert server, "the command started no redis-server"
        assert directory.name.startswith("storywire-redis-")
        proc.kill()
        proc.wait(timeout=10)
        assert gone(server, directory)
    finally:
        reap(proc, server)
        if directory.name.startswith("storywire-redis-"):
            shutil.rmtree(directory, ignore_errors=True)
