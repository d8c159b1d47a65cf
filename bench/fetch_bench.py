"""Fetch + parse throughput of recorded feeds on loopback: storywire beside feedparser's defaults.

Every recorded poll in seeds/recorded/ (RSS 2.0, RSS 1.0, Atom 1.0, JSON Feed) is replicated to
``--items`` entries (unique ids and links) and served by a separate process on 127.0.0.1, so the
measured process is one core doing client work. Each round fetches every feed once through
storywire's fetcher (the same limits as production, SSRF check on loopback allowed) and parses it
with ``storywire.feeds.parse_feed``; the baseline fetches the same URLs with the same fetcher and
parses the same bytes with ``feedparser.parse`` and its default options. Figures are entries per
CPU-second of this process (entries/s per core), medians of ``--repeat`` runs, in the same run.

    .venv/bin/python bench/fetch_bench.py [--items 50] [--seconds 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storywire.adapters.http import FetchPolicy, HttpFetcher  # noqa: E402
from storywire.feedfast import parse_fast  # noqa: E402
from storywire.feeds import parse_feed  # noqa: E402
from storywire.models import Source  # noqa: E402
from storywire.sources import PollOutcome, next_interval, update_rate  # noqa: E402

RECORDED = ROOT / "seeds" / "recorded"
ATOM = "{http://www.w3.org/2005/Atom}"
RSS10 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
TYPES = {"xml": "application/xml", "json": "application/feed+json"}


def replicate(body: bytes, suffix: str, items: int) -> bytes:
    """The feed with its entries repeated (ids, links made unique) up to ``items`` entries."""
    if suffix == "json":
        doc = json.loads(body)
        originals = doc["items"]
        doc["items"] = [
            {**item, "id": f"{item['id']}-{n}", "url": f"{item.get('url', '')}?n={n}"}
            for n, item in ((i, originals[i % len(originals)]) for i in range(items))
        ]
        return json.dumps(doc).encode()
    root = etree.fromstring(body)
    channel = root.find("channel")
    if root.tag == f"{ATOM}feed":
        parent, originals = root, root.findall(f"{ATOM}entry")
    elif root.tag == f"{RDF}RDF":
        parent, originals = root, root.findall(f"{RSS10}item")
    elif channel is not None:
        parent, originals = channel, channel.findall("item")
    else:
        raise ValueError("not a feed this bench knows how to replicate")
    for element in originals:
        parent.remove(element)
    for i in range(items):
        clone = copy.deepcopy(originals[i % len(originals)])
        for element in clone.iter():
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag.endswith(("guid", "}id", "link")) and element.text:
                element.text = f"{element.text.strip()}?n={i}"
            if element.get("href"):
                element.set("href", f"{element.get('href')}?n={i}")
            if element.get(f"{RDF}about"):
                element.set(f"{RDF}about", f"{element.get(f'{RDF}about')}?n={i}")
        parent.append(clone)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def build_feeds(items: int) -> dict[str, tuple[bytes, str]]:
    feeds = {}
    for path in sorted(RECORDED.glob("*/*.*")):
        suffix = path.suffix.lstrip(".")
        if suffix in TYPES:
            body = replicate(path.read_bytes(), suffix, items)
            feeds[f"/{path.parent.name}/{path.name}"] = (body, TYPES[suffix])
    return feeds


def serve(feeds: dict[str, tuple[bytes, str]], port_out: multiprocessing.Queue[int]) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as CDNs serve feeds

        def do_GET(self) -> None:
            body, kind = feeds[self.path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


def measure(work: Callable[[], int], seconds: float) -> float:
    """Entries per CPU-second of this process, running ``work`` (one round) for ``seconds``."""
    work()  # warm-up: connections, imports, caches
    entries = 0
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    while time.perf_counter() - wall_start < seconds:
        entries += work()
    return entries / (time.process_time() - cpu_start)


def simulate(
    mean_gap: float, *, adaptive: bool, days: float = 7.0, seed: int = 7
) -> tuple[float, float]:
    """Polls per day and mean seconds from publication to pickup, for one simulated feed.

    Entries arrive as a Poisson process; the feed shows its newest 20. ``adaptive`` polls with
    ``next_interval``/``update_rate`` (min 5 min, max 6 h); otherwise every 5 minutes.
    """
    rng = random.Random(seed)
    arrivals, t = [], 0.0
    while t < days * 86400:
        t += rng.expovariate(1 / mean_gap)
        arrivals.append(t)
    source = Source(id="s", url="https://x/", outlet="X", domain="x", min_interval=300.0,
                    max_interval=21600.0)  # fmt: skip
    now, polls, interval = 0.0, 0, None
    gap: float | None = None
    newest: float | None = None
    latencies: list[float] = []
    while now < days * 86400:
        polls += 1
        visible = [a for a in arrivals if a <= now][-20:]
        fresh = [a for a in visible if newest is None or a > newest]
        latencies += [now - a for a in fresh]
        if adaptive:
            gap, newest = update_rate(gap, visible, newest, now)
            outcome = PollOutcome(ok=True, new_entries=len(fresh), rate_gap=gap)
            interval = next_interval(source, outcome, interval, rng)
        else:
            newest = max([*visible, newest or 0.0]) if visible else newest
            interval = 300.0
        now += interval
    return polls / days, statistics.fmean(latencies) if latencies else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # feedparser's own deprecation chatter is not the subject
    feeds = build_feeds(args.items)
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(feeds, ports), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=10)}"
    policy = FetchPolicy(user_agent="storywire-bench", allow_private=True)
    now = datetime.now(UTC)
    # feedparser cannot read JSON Feed, so the comparison runs on the RSS/Atom polls only.
    urls = [base + path for path, (_, kind) in feeds.items() if kind.endswith("xml")]
    fast = sum(
        1
        for body, kind in feeds.values()
        if kind.endswith("xml") and parse_fast(body, {"content-type": kind})
    )
    try:
        with HttpFetcher() as fetcher:

            def ours() -> int:
                total = 0
                for url in urls:
                    response = fetcher.fetch(url, policy)
                    feed = parse_feed(response.body, now=now, headers=response.headers, url=url)
                    total += len(feed.entries)
                return total

            def baseline() -> int:
                total = 0
                for url in urls:
                    response = fetcher.fetch(url, policy)
                    parsed = feedparser.parse(
                        response.body, response_headers=dict(response.headers)
                    )
                    total += len(parsed.entries)
                return total

            def feedparser_parse_only() -> int:
                return sum(
                    len(feedparser.parse(body, response_headers={"content-type": kind}).entries)
                    for body, kind in feeds.values()
                    if kind.endswith("xml")
                )

            def feedparser_fallback_parse_only() -> int:
                return sum(
                    len(
                        feedparser.parse(
                            body,
                            response_headers={"content-type": kind},
                            sanitize_html=False,
                            resolve_relative_uris=False,
                        ).entries
                    )
                    for body, kind in feeds.values()
                    if kind.endswith("xml")
                )

            def ours_xml_parse_only() -> int:
                return sum(
                    len(parse_feed(body, now=now, headers={"content-type": kind}).entries)
                    for body, kind in feeds.values()
                    if kind.endswith("xml")
                )

            runs: dict[str, list[float]] = {}
            for _ in range(args.repeat):
                for name, work in (
                    ("storywire fetch+parse", ours),
                    ("feedparser defaults fetch+parse", baseline),
                    ("storywire parse only (XML feeds)", ours_xml_parse_only),
                    ("feedparser defaults parse only (XML feeds)", feedparser_parse_only),
                    (
                        "feedparser, sanitiser+URI rewrite off (fallback)",
                        feedparser_fallback_parse_only,
                    ),
                ):
                    runs.setdefault(name, []).append(measure(work, args.seconds))
    finally:
        server.terminate()
        server.join(5)
    xml_feeds = sum(1 for _, kind in feeds.values() if kind.endswith("xml"))
    print(
        f"fetch_bench: {len(feeds)} recorded polls replicated to {args.items} entries each "
        f"({xml_feeds} RSS/Atom compared, {len(feeds) - xml_feeds} JSON Feed skipped; "
        f"{fast}/{xml_feeds} on the lxml fast path), loopback, median of {args.repeat} x "
        f"{args.seconds:g} s"
    )
    medians = {name: statistics.median(values) for name, values in runs.items()}
    for name, value in medians.items():
        print(f"  {name:<44} {value:>10,.0f} entries/s per core")
    ratio = medians["storywire fetch+parse"] / medians["feedparser defaults fetch+parse"]
    parse_ratio = (
        medians["storywire parse only (XML feeds)"]
        / medians["feedparser defaults parse only (XML feeds)"]
    )
    print(f"  fetch+parse: {ratio:.1f}x feedparser defaults (target 3x)")
    print(f"  parse only: {parse_ratio:.1f}x feedparser defaults")
    print("adaptive polling, simulated week per feed (Poisson entries; fixed = every 5 min):")
    for label, gap in (("an entry every 10 min", 600.0), ("every 2 h", 7200.0),
                       ("every 12 h", 43200.0)):  # fmt: skip
        fixed_polls, fixed_delay = simulate(gap, adaptive=False)
        polls, delay = simulate(gap, adaptive=True)
        print(
            f"  {label:<22} adaptive {polls:6.0f} polls/day, pickup {delay / 60:5.1f} min   "
            f"fixed {fixed_polls:4.0f} polls/day, pickup {fixed_delay / 60:4.1f} min"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
