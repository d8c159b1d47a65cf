"""OPML import at subscription-list scale: 1k and 10k outlines.

    .venv/bin/python bench/opml_bench.py                  # 1k and 10k outlines
    .venv/bin/python bench/opml_bench.py --sizes 2000 --rounds 5

For each size, a reader-style export (folders of 100 feeds, ``type="rss"``, text, title,
xmlUrl, htmlUrl) is imported with ``read_opml`` into an empty store, best of ``--rounds``, in
two shapes: every title distinct, and every title the same (one name, so each new id must
find its free suffix: "news", "news-2", ...). Baselines in the same run: a plain
``xml.etree.ElementTree`` parse of the same file reading each outline's xmlUrl (the floor any
import pays), and ``read_opml`` with ids found as they were before (each id trying every
suffix from 2 again: quadratic in outlines of one name).
"""

from __future__ import annotations

import argparse
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storywire import opml  # noqa: E402


class QuadraticIds(opml.Ids):
    """The id search as it was: every suffix from 2 tried again for each outline."""

    def unique(self, candidate: str) -> str:
        unique, n = candidate, 2
        while unique in self.taken:
            unique = f"{candidate}-{n}"
            n += 1
        self.taken.add(unique)
        return unique


def document(size: int, *, same_title: bool) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="1.0"><head>',
             "<title>bench</title></head><body>"]  # fmt: skip
    for folder in range(0, size, 100):
        lines.append(f'<outline text="Folder {folder // 100}" title="Folder {folder // 100}">')
        for n in range(folder, min(folder + 100, size)):
            title = "News" if same_title else f"Outlet {n}"
            lines.append(
                f'<outline type="rss" text="{title}" title="{title}" '
                f'xmlUrl="https://site{n}.example.com/feed.xml" '
                f'htmlUrl="https://site{n}.example.com/"/>'
            )
        lines.append("</outline>")
    lines.append("</body></opml>")
    return "\n".join(lines).encode()


def best(rounds: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def etree_floor(data: bytes) -> int:
    # The bench's own document: nothing untrusted is parsed here.
    root = ET.fromstring(data)  # noqa: S314
    return sum(1 for e in root.iter("outline") if e.get("xmlUrl"))


def quadratic_read(data: bytes) -> opml.OpmlRead:
    linear = opml.Ids
    opml.Ids = QuadraticIds  # type: ignore[misc]
    try:
        return opml.read_opml(data)
    finally:
        opml.Ids = linear  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{'outlines':>8} {'titles':>9} {'read_opml':>10} {'ElementTree':>12} "
          f"{'ratio':>6} {'ids as before':>14}")  # fmt: skip
    for size in args.sizes:
        for same in (False, True):
            data = document(size, same_title=same)
            read = opml.read_opml(data)
            assert len(read.sources) == size == etree_floor(data), "every feed imports"
            ours = best(args.rounds, partial(opml.read_opml, data))
            floor = best(args.rounds, partial(etree_floor, data))
            # One round: at 10k outlines of one name it takes seconds.
            before = best(1, partial(quadratic_read, data))
            print(f"{size:>8} {'one' if same else 'distinct':>9} {ours:>9.3f}s {floor:>11.3f}s "
                  f"{ours / floor:>5.0f}x {before:>13.3f}s")  # fmt: skip


if __name__ == "__main__":
    main()
