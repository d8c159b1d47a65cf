"""Which URLs a change to canonical_url re-spells: the old rules (at a git revision) against the
working tree's, over every URL in the feed fixtures and the recorded seeds.

Run: .venv/bin/python bench/url_identity_diff.py [--rev REV]   (REV: main by default)

A guid-less entry's key is its canonical link and its article id derives from the key, so an
entry link that changes here is announced once more as new after the deploy. Two counts:
entry links as storywire parses them (what keys are made of), and every http(s) string in the
files (links in article HTML too, a wider net for what the rules touch).
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storywire.feeds import parse_feed  # noqa: E402
from storywire.urls import canonical_url  # noqa: E402

_URL = re.compile(r"https?://[^\s\"'<>\[\])]+")


def old_canonical_url(rev: str) -> Callable[[str], str]:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:storywire/urls.py"],
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.NamedTemporaryFile(suffix=".py", delete=False) as handle:
        handle.write(source)
    try:
        spec = importlib.util.spec_from_file_location("urls_at_rev", handle.name)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        Path(handle.name).unlink()
    function: Callable[[str], str] = module.canonical_url
    return function


def fixture_urls() -> tuple[set[str], set[str]]:
    now = datetime(2026, 11, 28, tzinfo=UTC)
    links: set[str] = set()
    anywhere: set[str] = set()
    for folder in ("tests/storywire/feeds", "seeds/recorded"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".xml", ".json", ".toml"):
                continue
            raw = path.read_bytes()
            # unescaped first: a URL inside escaped HTML ends at its &quot;
            anywhere.update(_URL.findall(html.unescape(raw.decode("utf-8", "replace"))))
            if path.suffix != ".toml":
                links.update(e.link for e in parse_feed(raw, now=now).entries if e.link)
    return links, anywhere


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--rev", default="main", help="git revision of the old rules (default: main)"
    )
    old = old_canonical_url(parser.parse_args().rev)
    links, anywhere = fixture_urls()
    for name, urls in (("entry links", links), ("URL strings anywhere", anywhere)):
        changed = sorted(url for url in urls if old(url) != canonical_url(url))
        print(
            f"{name}: {len(urls)} distinct, {len({old(u) for u in urls})} canonical before, "
            f"{len({canonical_url(u) for u in urls})} after, {len(changed)} re-spelled"
        )
        for url in changed:
            print(f"  {url}\n    before {old(url)}\n    after  {canonical_url(url)}")


if __name__ == "__main__":
    main()
