"""``storywire stories show|article|recent``: the story state the workers keep in Redis, read only.

For operators and consumer engineers asking "what does storywire think this story is": a story
with its outlets and merges, an article's story, the stories active last. Each ``do_*``
function takes a ``StoryInspector`` and an output stream, so tests drive them against a real
Redis. ``--json`` prints one JSON object (``recent``: one array) whose keys docs/stories.md
lists; a story or article that is not there is one line on stderr and exit status 1, as for
``sources show``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

import orjson

from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.adapters.story_views import ArticleView, StoryInspector, StoryView
from storywire.settings import Settings
from storywire.stories.redis_store import RedisStoryStore
from workers.commands import at_least_one, checked_number, service_redis

NAME = "storywire stories"


def do_show(inspector: StoryInspector, story_id: str, out: TextIO, *, json: bool) -> int:
    view = inspector.story(story_id)
    if view is None:
        return _not_found(f"no story {story_id!r}")
    if json:
        _json(view.to_dict(), out)
        return 0
    shown = view.to_dict()["story"]
    out.write(_summary_lines(view))
    out.write(_merged_line(view, view.asked))
    if shown["top_entities"]:
        out.write(_line("entities", ", ".join(shown["top_entities"])))
    out.write(_line("engine", _engine_text(shown["engine"])))
    out.write("\n" + _table(shown["articles"], credited=shown["credited_outlet"]["article_id"]))
    return 0


def do_article(inspector: StoryInspector, ref: str, out: TextIO, *, json: bool) -> int:
    found = inspector.article(ref)
    if not found:
        if ref.startswith(("http://", "https://")):
            where = "looked up under every outlet of the sources in Redis"
            return _not_found(f"no article with URL {ref!r} ({where})")
        return _not_found(f"no article {ref!r}")
    view, *others = found
    for other in others:  # an outlet's link that another outlet's feed also carried
        sys.stderr.write(f"{NAME}: also at that URL: {_article_name(other)}\n")
    if json:
        _json(view.to_dict(), out)
        return 0
    shown = view.to_dict()
    article = shown["article"]
    out.write(_line("article", f"{view.article_id} ({view.state})"))
    for label in ("outlet", "url", "title", "published"):
        if article[label] is not None:
            out.write(_line(label, article[label]))
    if view.story is None:
        out.write(_line("story", "none yet: held for the engine's later decision"))
        return 0
    out.write(_summary_lines(view.story))
    out.write(_merged_line(view.story, f"its story {view.story_id}"))
    return 0


def do_recent(
    inspector: StoryInspector, limit: int, outlet: str | None, out: TextIO, *, json: bool
) -> int:
    views = inspector.recent(limit, outlet)
    if json:
        _json([v.summary() for v in views], out)
        return 0
    out.write(f"{'updated':<21} {'story':<20} {'arts':>4} {'outs':>4}  {'credited':<14} headline\n")
    for view in views:
        summary = view.summary()
        out.write(
            f"{summary['last_updated']:<21} {summary['id']:<20} {summary['article_count']:>4} "
            f"{len(summary['outlets']):>4}  {_cut(summary['credited_outlet']['outlet'], 14):<14} "
            f"{_cut(summary['headline'], 70)}\n"
        )
    return 0


def _summary_lines(view: StoryView) -> str:
    summary = view.summary()
    credited = summary["credited_outlet"]
    kept, outlets = len(view.record.members), len(summary["outlets"])
    return "".join(
        (
            _line("story", summary["id"]),
            _line("headline", summary["headline"]),
            _line("summary", _cut(summary["summary"], 200)),
            _line("language", f"{summary['language'] or '-'}  version {summary['version']}"),
            _line("seen", f"{summary['first_seen']} .. {summary['last_updated']}"),
            _line("articles", f"{summary['article_count']} ({kept} kept), {outlets} outlets"),
            _line("credited", f"{credited['outlet']}  {credited['published']}  {credited['url']}"),
        )
    )


def _merged_line(view: StoryView, asked: str) -> str:
    """Where the story ``asked`` went, when merges folded it into another ("": nowhere)."""
    if not view.merged_into:
        return ""
    return _line("merged", f"{asked} was merged into {' then '.join(view.merged_into)}")


def _engine_text(engine: dict[str, Any] | None) -> str:
    if engine is None:
        return "evicted (past the story window): no terms kept"
    state = f"live, active {engine['active']}" if engine["live"] else "not live"
    terms = ", ".join(t["term"] for t in engine["top_terms"])
    return f"{state}; {engine['size']} documents; terms: {terms}"


def _table(articles: list[dict[str, Any]], *, credited: str) -> str:
    width = max([6, *(len(a["outlet"]) for a in articles)])
    rows = [f"{'published':<21} {'outlet':<{width}}   {'article':<24} url\n"]
    rows += [
        f"{a['published']:<21} {a['outlet']:<{width}} {'*' if a['article_id'] == credited else ' '}"
        f" {a['article_id']:<24} {a['url']}\n"
        for a in articles
    ]
    return "".join(rows)


def _article_name(view: ArticleView) -> str:
    outlet = view.member.outlet if view.member else "?"
    return f"{view.article_id} ({outlet})"


def _line(label: str, value: str) -> str:
    return f"{label:<9} {value}\n"


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json(value: Any, out: TextIO) -> None:
    out.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def _not_found(reason: str) -> int:
    sys.stderr.write(f"{NAME}: {reason}\n")
    return 1


def _inspector(settings: Settings) -> StoryInspector:
    # Read-only: with no URL set, the Redis a `storywire run` serves, never a new empty one.
    client = service_redis(settings, "stories")
    return StoryInspector(RedisLedger(client), RedisStoryStore(client), RedisSourceStore(client))


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    return do_show(_inspector(settings), args.story_id, sys.stdout, json=args.json)


def cmd_article(args: argparse.Namespace, settings: Settings) -> int:
    return do_article(_inspector(settings), args.ref, sys.stdout, json=args.json)


def cmd_recent(args: argparse.Namespace, settings: Settings) -> int:
    return do_recent(_inspector(settings), args.limit, args.outlet, sys.stdout, json=args.json)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stories = sub.add_parser(
        "stories", help="read the stories the workers keep in Redis (writes nothing)"
    )
    actions = stories.add_subparsers(dest="action", required=True)
    json = argparse.ArgumentParser(add_help=False)
    json.add_argument("--json", action="store_true", help="one JSON document (docs/stories.md)")
    show = actions.add_parser(
        "show", parents=[json], help="a story: outlets, articles, merges, engine state"
    )
    show.add_argument("story_id", metavar="STORY_ID")
    show.set_defaults(func=cmd_show)
    article = actions.add_parser(
        "article", parents=[json], help="the story an article (id or URL) belongs to"
    )
    article.add_argument("ref", metavar="ARTICLE_ID_OR_URL")
    article.set_defaults(func=cmd_article)
    recent = actions.add_parser(
        "recent", parents=[json], help="the live stories most recently active, newest first"
    )
    recent.add_argument(
        "--limit", type=checked_number(int, at_least_one), default=20, help="how many (default 20)"
    )
    recent.add_argument("--outlet", help="only stories this outlet (name or source id) reported")
    recent.set_defaults(func=cmd_recent)
