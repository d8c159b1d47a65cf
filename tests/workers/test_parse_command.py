"""``storywire parse``: JSON lines from a file or a URL, exit 1 with one line when it fails."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import orjson

from storywire.adapters.http import FetchPolicy
from storywire.feeds import parse_feed
from storywire.identity import entry_keys
from storywire.models import Source
from storywire.processing import build_article
from tests.support.httpserver import Reply, http_server
from tests.support.pipes import into_a_reader_that_stops
from tests.support.site import FRONT, site_routes
from workers.commands.parse import do_parse

RECORDED = Path(__file__).resolve().parents[2] / "seeds" / "recorded"
NOW = datetime(2026, 11, 26, tzinfo=UTC)
POLICY = FetchPolicy(user_agent="t", read_timeout=2.0, deadline=5.0, allow_private=True)


def _run(target: str, policy: FetchPolicy = POLICY) -> tuple[int, list[dict[str, object]], str]:
    out, err = io.StringIO(), io.StringIO()
    code = do_parse(target, policy, out, err, now=NOW)
    return code, [orjson.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_file_prints_one_object_per_entry_then_a_summary() -> None:
    """Each entry has the published fields; the summary counts them and names the format."""
    code, lines, err = _run(str(RECORDED / "guardian" / "1.xml"))
    *entries, summary = lines
    assert code == 0
    assert err == ""
    assert entries
    for entry in entries:
        assert set(entry) == {"id", "url", "title", "text", "published", "author"}
    assert summary["summary"]["entries"] == len(entries)  # type: ignore[index]
    assert summary["summary"]["format"] == "atom10"  # type: ignore[index]


def test_output_matches_what_process_publishes() -> None:
    """Titles and texts are build_article's: parse shows exactly what would be published."""
    path = RECORDED / "reuters" / "1.xml"
    _, lines, _ = _run(str(path))
    feed = parse_feed(path.read_bytes(), now=NOW, url=path.resolve().as_uri())
    source = Source(id="parse", url=path.resolve().as_uri(), outlet=feed.title or "feed",
                    domain="local")  # fmt: skip
    key = entry_keys(feed.entries)[0]
    article = build_article(source, key, feed.entries[0], fetched_at=NOW)
    assert (lines[0]["title"], lines[0]["text"]) == (article.title, article.text)


def test_url_is_fetched_under_the_limits() -> None:
    """A URL is fetched like a poll; an HTTP error or garbage is exit 1 with one line."""
    feed = (RECORDED / "npr" / "1.json").read_bytes()
    routes = {
        "/ok": lambda h: Reply(200, feed, {"Content-Type": "application/feed+json"}),
        "/gone": lambda h: Reply(410),
        "/html": lambda h: Reply(200, b"<html><body>hi</body></html>"),
    }
    with http_server(routes) as base:
        ok = _run(base + "/ok")
        gone = _run(base + "/gone")
        html = _run(base + "/html")
    assert ok[0] == 0
    assert ok[1][-1]["summary"]["format"] == "json11"  # type: ignore[index]
    assert gone[0] == 1
    assert gone[2].count("\n") == 1
    assert "http_410" in gone[2]
    assert html[0] == 1
    assert "not a feed" in html[2]


def test_a_203_is_read_as_a_poll_reads_it() -> None:
    """203 (a 200 through a transforming proxy or CDN) is the feed, as a poll takes it
    (``OK_STATUSES``): `parse` on the source's URL said http_203 while its polls succeeded."""
    feed = (RECORDED / "npr" / "1.json").read_bytes()
    routes = {"/proxied": lambda h: Reply(203, feed, {"Content-Type": "application/feed+json"})}
    with http_server(routes) as base:
        code, lines, err = _run(base + "/proxied")
    assert (code, err) == (0, "")
    assert lines[-1]["summary"]["format"] == "json11"  # type: ignore[index]


def test_missing_file_and_blocked_url() -> None:
    """A missing file and a loopback URL without --allow-private both fail with a reason."""
    assert "no such file" in _run("/nonexistent/feed.xml")[2]
    blocked = _run("http://127.0.0.1:9/feed", FetchPolicy(user_agent="t"))
    assert blocked[0] == 1
    assert "ssrf_blocked" in blocked[2]


def test_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    """A reader that stops early (``| head``) ends the command quietly with exit 0."""
    items = "".join(
        f"<item><guid>g{i}</guid><title>Title {i}</title><link>https://x.com/{i}</link>"
        f"<description>{'words ' * 50}</description></item>"
        for i in range(2000)
    )
    feed = tmp_path / "big.xml"
    feed.write_text(f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>')
    stderr = into_a_reader_that_stops(["parse", str(feed)])
    assert "Traceback" not in stderr


def test_timezone_reads_zone_less_dates_as_the_outlet_would_be_configured(tmp_path: Path) -> None:
    """`--timezone` is a source's `timezone`: an operator checks a Xinhua feed before adding it."""
    feed = tmp_path / "xinhua.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>Xinhua</title><item><title>Talks resume</title>'
        "<link>https://english.news.cn/20261125/a/c.htm</link><description>Talks resumed in Beijing on Wednesday.</description>"
        "<pubDate>2026-11-25 15:00:00</pubDate></item></channel></rss>"
    )
    out, err = io.StringIO(), io.StringIO()
    assert do_parse(str(feed), POLICY, out, err, now=NOW, timezone="Asia/Shanghai") == 0
    assert orjson.loads(out.getvalue().splitlines()[0])["published"] == "2026-11-25T07:00:00Z"
    out, err = io.StringIO(), io.StringIO()
    # A malformed option, as an unknown zone in a sources file is: exit 2, not 1 (unreadable).
    assert do_parse(str(feed), POLICY, out, err, now=NOW, timezone="Asia/Beijing") == 2
    assert "IANA" in err.getvalue()
    assert err.getvalue().count("\n") == 1


def test_an_html_page_names_the_feeds_it_advertises(tmp_path: Path) -> None:
    """A site's page given in place of its feed: exit 1 with one line naming the feeds the page
    advertises (absolute, comments feed left out), or saying it advertises none; the feeds it
    names parse. A page saved to a file names its absolute links."""
    routes = site_routes()
    # Moved pages resolve their relative links against where they were found.
    routes["/moved"] = lambda h: Reply(301, b"", {"Location": "/en/"})
    routes["/en/"] = routes["/"]
    with http_server(routes) as base:
        page = _run(base + "/")
        moved = _run(base + "/moved")
        wall = _run(base + "/wall")
        feeds = [_run(f"{base}/rss.xml"), _run(f"{base}/atom.xml")]
    assert page == (
        1,
        [],
        f"storywire parse: not a feed: an HTML page ('Site news'); it advertises feeds: "
        f"{base}/rss.xml, {base}/atom.xml\n",
    )
    assert moved[2].endswith(f"it advertises feeds: {base}/rss.xml, {base}/en/atom.xml\n")
    assert wall == (
        1,
        [],
        "storywire parse: not a feed: an HTML page ('Sign in') and advertises no feed\n",
    )
    assert [code for code, _, _ in feeds] == [0, 0]
    saved = tmp_path / "page.html"
    saved.write_bytes(FRONT.replace(b'href="/rss.xml"', b'href="https://site.example/rss.xml"'))
    assert _run(str(saved))[2] == (
        "storywire parse: not a feed: an HTML page ('Site news'); it advertises feeds: "
        "https://site.example/rss.xml\n"
    )


def test_a_paid_feeds_credentials_are_never_printed() -> None:
    """`storywire parse` of a paid feed's URL (user:pass@, ?token=) printed the URL whole in its
    summary and in its error line: both show it masked."""
    feed = (RECORDED / "npr" / "1.json").read_bytes()
    routes = {
        "/ok": lambda h: Reply(200, feed, {"Content-Type": "application/feed+json"}),
        "/loop": lambda h: Reply(302, headers={"Location": h.path}),
    }
    with http_server(routes) as base:
        paid = base.replace("http://", "http://reader:s3cret-pw@") + "/{}?token=s3cret-tk"
        ok = _run(paid.format("ok"))
        gone = _run(paid.format("gone"))
        loop = _run(paid.format("loop"))
    assert (ok[0], gone[0], loop[0]) == (0, 1, 1)
    assert "redirect_loop" in loop[2]
    for _, lines, err in (ok, gone, loop):
        assert "s3cret" not in err + str(lines[-1:])
    assert ok[1][-1]["summary"]["source"] == paid.format("ok").replace(  # type: ignore[index]
        "s3cret-pw", "***"
    ).replace("s3cret-tk", "***")
