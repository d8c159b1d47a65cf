"""Cleaning throughput on realistic feed entries, beside BeautifulSoup on the same inputs.

Run: .venv/bin/python bench/clean_bench.py [--entries N] [--rounds R] [--seed S]

Entries (1-50 KB of HTML, sizes log-uniform) are generated here, not downloaded: paragraphs
with inline links and emphasis, headings, lists, figures, tables, non-ASCII copy, and the
boilerplate our rules remove (share bars, tracking pixels, ad slots, "appeared first on"),
with 5% of entries carrying mojibake and double-escaped entities. One process, so the figures
are per core. Each timing is the best of R rounds over the whole set.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import statistics
import sys
import time
from collections.abc import Callable

from bs4 import BeautifulSoup

from storywire.clean import DEFAULT_RULES, detect_language, html_to_text, sanitize_html

WORDS = (
    "the government said on tuesday it would raise interest rates to curb inflation which has "
    "reached its highest level in a decade officials warned that prices for food and energy "
    "could climb further before the central bank meets again next month analysts expect "
    "growth to slow as households cut spending and businesses delay investment"
).split()
ACCENTED = "café naïve déjà Zürich São Paulo Málaga Kraków Ærø smörgåsbord".split()
BOILERPLATE = [
    '<div class="sharedaddy"><h3>Share this:</h3><ul><li><a href="https://twitter.com/intent/'
    'tweet?url=x">Twitter</a></li><li><a href="https://www.facebook.com/sharer/sharer.php?u=x">'
    "Facebook</a></li></ul></div>",
    '<img src="http://feeds.feedburner.com/~r/Example/~4/abc" height="1" width="1" alt=""/>',
    '<div class="ad"><p>Advertisement</p></div>',
    '<p>The post <a href="https://example.org/x">A headline</a> appeared first on '
    '<a href="https://example.org">Example News</a>.</p>',
    '<p><a href="https://example.org/x">Continue reading...</a></p>',
    "<p>Sign up for our daily newsletter to get the news in your inbox.</p>",
]


def _sentence(rng: random.Random, accented: bool) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
    if accented:
        words[rng.randrange(len(words))] = rng.choice(ACCENTED)
    for i in range(len(words)):
        roll = rng.random()
        if roll < 0.04:
            words[i] = f'<a href="https://example.com/{words[i]}?ref=rss&amp;x=1">{words[i]}</a>'
        elif roll < 0.06:
            words[i] = f"<em>{words[i]}</em>"
        elif roll < 0.07:
            words[i] = f"<strong>{words[i]}</strong>"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", " &#8230;"])


def _block(rng: random.Random, accented: bool) -> str:
    roll = rng.random()
    if roll < 0.70:
        sentences = " ".join(_sentence(rng, accented) for _ in range(rng.randint(2, 5)))
        return f"<p>{sentences}</p>\n"
    if roll < 0.80:
        return f"<h2>{_sentence(rng, accented).rstrip('.')}</h2>\n"
    if roll < 0.90:
        items = "".join(f"<li>{_sentence(rng, accented)}</li>" for _ in range(rng.randint(2, 6)))
        return f"<ul>\n{items}\n</ul>\n"
    if roll < 0.95:
        return (
            f'<figure><img src="https://cdn.example.com/{rng.randrange(10**6)}.jpg" alt="'
            f'{rng.choice(WORDS)} photo" width="800"><figcaption>{_sentence(rng, accented)}'
            "</figcaption></figure>\n"
        )
    rows = "".join(
        f"<tr><td>{rng.choice(WORDS)}</td><td>{rng.randint(1, 999)}</td></tr>"
        for _ in range(rng.randint(3, 8))
    )
    return f"<table><tbody>{rows}</tbody></table>\n"


def make_entry(rng: random.Random, size: int) -> str:
    """One entry of about ``size`` bytes of HTML."""
    accented = rng.random() < 0.3
    parts = ['<div class="entry-content">\n']
    length = 0
    while length < size:
        block = _block(rng, accented)
        parts.append(block)
        length += len(block)
    parts.extend(rng.sample(BOILERPLATE, rng.randint(0, 3)))
    parts.append("</div>")
    html = "".join(parts)
    if rng.random() < 0.05:
        # UTF-8 read as cp1252 upstream, and entities escaped twice
        html = html.replace("é", "Ã©").replace("…", "â€¦").replace("&amp;", "&amp;amp;")
    return html


def make_entries(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    low, high = math.log(1024), math.log(50 * 1024)
    return [make_entry(rng, int(math.exp(rng.uniform(low, high)))) for _ in range(count)]


def best_of(rounds: int, func: Callable[[str], object], entries: list[str]) -> float:
    timings = []
    for _ in range(rounds):
        start = time.process_time()
        for html in entries:
            func(html)
        timings.append(time.process_time() - start)
    return min(timings)


def bs4_html_parser(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text()


def bs4_lxml(html: str) -> str:
    return BeautifulSoup(html, "lxml").get_text()


# 100,000-character lines built to make a backtracking line rule try every split of a long run
# (tests/storywire/clean/test_world_boilerplate.py checks what the rules answer on them).
LONG_LINES = [
    "Lesen Sie auch " * 7000,
    "Foto: " + "dpa/" * 25000,
    "Редакция: " + "а " * 50000,
    "相关阅读：" + "阅" * 100000,
    "사진=" + "연합뉴스 " * 20000,
    "Edited by " + "Jane Doe, " * 10000,
    "(" + "dpa/AFP/" * 12500,
    "x" * 100000 + " (dpa)",
    ":" * 100000,
]


def long_lines() -> tuple[float, str]:
    """The slowest default line rule's regex on one of LONG_LINES (searched on its own, as
    drops_line would never: it skips lines past MAX_RULE_LINE): seconds and the rule."""
    worst = (0.0, "")
    for rule in DEFAULT_RULES:
        if rule.kind not in ("drop_paragraph_matching", "cut_after"):
            continue
        regex = re.compile(rule.pattern, re.IGNORECASE)
        for line in LONG_LINES:
            start = time.process_time()
            regex.search(line)
            worst = max(worst, (time.process_time() - start, rule.note[:60]))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    entries = make_entries(args.entries, args.seed)
    megabytes = sum(len(html.encode()) for html in entries) / 1e6
    sizes = sorted(len(html.encode()) for html in entries)
    print(
        f"{len(entries)} entries, {megabytes:.2f} MB of HTML, median "
        f"{statistics.median(sizes) / 1024:.1f} KB (min {sizes[0] / 1024:.1f}, "
        f"max {sizes[-1] / 1024:.1f}); best of {args.rounds} rounds; Python "
        f"{sys.version.split()[0]}, one process (per core)"
    )
    for html in entries[:5]:  # warm caches: compiled rules, parser, language model
        html_to_text(html)
        detect_language(html_to_text(html))

    texts = [html_to_text(html) for html in entries]
    ours, bs4_hp, bs4_lx = (
        "storywire html_to_text",
        'BeautifulSoup(html, "html.parser").get_text()',
        'BeautifulSoup(html, "lxml").get_text()',
    )
    candidates: list[tuple[str, Callable[[str], object], list[str]]] = [
        (ours, html_to_text, entries),
        (bs4_hp, bs4_html_parser, entries),
        (bs4_lx, bs4_lxml, entries),
        ("storywire sanitize_html", sanitize_html, entries),
        ("storywire detect_language (on the text)", detect_language, texts),
    ]
    seconds: dict[str, float] = {}
    print(f"\n{'what':50} {'entries/s':>10} {'MB/s':>7} {'ms/entry':>9}")
    for name, func, inputs in candidates:
        elapsed = best_of(args.rounds, func, inputs)
        seconds[name] = elapsed
        print(
            f"{name:50} {len(inputs) / elapsed:10.0f} {megabytes / elapsed:7.2f} "
            f"{elapsed / len(inputs) * 1000:9.2f}"
        )
    slowest, rule = long_lines()
    print(f"\nslowest line rule on a 100,000-character line: {slowest * 1000:.1f} ms ({rule}…)")
    print(
        f"\nhtml_to_text is {seconds[bs4_hp] / seconds[ours]:.1f}x as fast as {bs4_hp}\n"
        f"and {seconds[bs4_lx] / seconds[ours]:.1f}x as fast as {bs4_lx}\n"
        "on the same inputs (their output still carries boilerplate and mojibake)."
    )


if __name__ == "__main__":
    main()
