"""Full articles for title-only feeds: fetch the entry's page and keep its main text.

Optional per source (``full_text = true``). The page goes through the same fetcher as feeds, so
the same SSRF guard, timeouts, deadline and size caps apply; trafilatura, a maintained main-text
extractor, drops navigation, comments and boilerplate. Any failure keeps the feed's own text,
or the text the page gave an earlier poll. A page its site's robots.txt disallows to our
User-Agent's product token is not asked for (``storywire.robots``).
"""

from __future__ import annotations

import codecs
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from html import escape
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.settings import Document
from trafilatura.utils import detect_encoding, load_html

from storywire.adapters.http import REDIRECTS, FetchError, FetchPolicy, FetchResult
from storywire.clean import Rule, cut_from, drop_from_page, html_to_text
from storywire.feedcharsets import BYTES_AS_WINDOWS_1252, browser_name, charset_param
from storywire.feeds import names_byline
from storywire.fetching import OK_STATUSES, Fetcher, domain_block
from storywire.models import Entry, Source
from storywire.processing import article_title, source_rules
from storywire.robots import (
    RULES,
    Robots,
    allows,
    crawl_delay,
    from_failure,
    from_response,
    is_due,
    origin,
    product_token,
    robots_url,
)
from storywire.stories.features import STOPWORDS, tokens
from storywire.urls import article_link, canonical_url, registrable_domain, web_url

# A feed item with less text than this is a teaser: worth fetching its page.
TEASER_CHARS = 400
PAGE_MAX_BYTES = 5 * 1024 * 1024
# Elements of a page trafilatura reads, from its top: its time grows faster than their number
# (45,000 paragraphs took 8 s of CPU, 5 MB of them minutes); a news page has a few thousand.
PAGE_MAX_ELEMENTS = 20_000
# And inside paragraphs, where it grows with their square (libxml2 merging "//p//text()"): a
# 190 KB page of 10,000 links in one paragraph took 15 s. An article has a few hundred.
PARAGRAPH_MAX_ELEMENTS = 5_000
# All of one poll's pages together: the feed's own deadline plus this stays under the fetch
# task's soft time limit, whose expiry would lose the whole poll, not only its pages.
PAGES_SECONDS = 30.0
# A page fetched this recently is not asked for again when its entry changes: an aggregator
# that rewrites its items on every poll (hnrss's points, Google News' related coverage) had
# every page asked for on every poll, and one refused for budget lost its text again.
REFETCH_AFTER = 3600.0
# How long the text of a page is kept for that (tasks.fetch): a day of edits to its entry.
PAGE_KEPT = 86400.0
NOT_ASKED = "not_asked"  # a page whose earlier text is recent enough
# An outlet that negotiates content may answer an article URL with its feed when asked the
# way the feed fetcher asks; a page is asked for as a browser asks.
PAGE_ACCEPT = "text/html, application/xhtml+xml, */*;q=0.1"
ROBOTS_ACCEPT = "text/plain, */*;q=0.5"
# robots.txt refused by our own fetcher says nothing of the site (and another source, allowed
# private addresses, may reach it): the page fails for that reason, and nothing is recorded.
OWN_REFUSALS = frozenset({"ssrf_blocked", "bad_url"})


@dataclass(frozen=True, slots=True)
class Enrichment:
    entries: tuple[Entry, ...]
    fetched: int = 0
    failed: tuple[tuple[str, str], ...] = ()  # (link, reason)
    # (domain, seconds): sites that answered 429 / 503 asking to be left alone (as for feeds)
    blocked: tuple[tuple[str, float], ...] = ()
    reused: int = 0  # entries given the text an earlier poll fetched (``earlier``)
    # (page key, page): pages fetched now whose text an entry took, to keep for later polls
    pages: tuple[tuple[str, Page], ...] = ()
    # (origin, record): robots.txt files asked for now, to keep for later polls
    robots: tuple[tuple[str, Robots], ...] = ()
    # (origin, pages, why): the pages robots.txt kept from being asked for, per site
    disallowed: tuple[tuple[str, int, str], ...] = ()


# schema.org types whose articleBody is the article's text.
ARTICLE_TYPES = frozenset({"Article", "NewsArticle", "ReportageNewsArticle", "BlogPosting"})


# The JSON-LD articleBody wins over the extracted text when it is this many times as long.
JSON_LD_WINS = 2


class Page(NamedTuple):
    """What an article page gives its entry: its main text, the lead image it names
    (``og:image`` and the like: a title-only feed names none), absolute http(s) or None, and
    its byline (meta author, ``article:author``, JSON-LD ``author``, a rel=author link), or
    None."""

    text: str
    image: str | None = None
    author: str | None = None


def read_page(
    page: bytes, url: str, content_type: str = "", rules: Sequence[Rule] = ()
) -> Page | None:
    """The page's main text and lead image, or None when no article text is found.

    ``content_type``: the response's Content-Type, whose charset says how the page is encoded
    (``page_utf8``). ``rules``: the source's extra cleaning rules; the page's elements they
    and the default rules leave out of an entry's text are removed before its text is
    extracted (``clean.drop_from_page``).

    A page rendered by JavaScript has no article in its HTML for trafilatura, but news sites
    put the text in their schema.org JSON-LD for search engines: that stands in. Such a page
    still has some text in its HTML (a cookie notice, "please enable JavaScript", the
    standfirst alone, a paywall's first paragraphs), which trafilatura returns: a JSON-LD
    body more than twice as long is the article, not that. A shorter one (BBC's is the
    summary) leaves the page's own text, with its paragraphs, in place.
    """
    page = page_utf8(page, content_type)
    # One parse for the text and the page's metadata, where its lead image is named.
    tree = load_html(page)
    if tree is not None:
        _cut_after(tree)
        drop_from_page(tree, rules)
        _tables_as_rows(tree)
        _drop_teaser_cards(tree, url)
    found = trafilatura.bare_extraction(
        tree if tree is not None else page,
        url=url,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        with_metadata=True,
    )
    if not isinstance(found, Document):  # None: nothing found (a dict only when asked for)
        found = Document()
    text, image, author = found.text, found.image, found.author
    body = json_ld_body(page)
    if body is not None and (not text or len(body) > JSON_LD_WINS * len(text)):
        if not text and (tree := load_html(page)) is not None:
            # Nothing extracted, no metadata read either: an app shell names its image and
            # byline too.
            _cut_after(tree)
            meta = trafilatura.extract_metadata(tree, default_url=url)
            image, author = meta.image, meta.author
        text = body
    if not text:
        return None
    lead = web_url(image, url)
    if lead is None:
        lead = web_url(json_ld_image(page), url)
    return Page(text, lead, _byline(author))


# A charset a page names in its head: <meta charset> or an http-equiv Content-Type's, which
# browsers obey wherever the head has it (a late one makes them start over).
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_HEAD_BYTES = 64 * 1024
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# Codecs whose labels browsers read as a superset (WHATWG Encoding Standard): Latin-1 and
# ASCII as windows-1252 (curly quotes, dashes, "…" and "€" at 0x80-0x9F, where Latin-1 has
# controls), GB2312 as GBK, Latin-5 as windows-1254.
_SUPERSETS = {"iso8859-1": "cp1252", "ascii": "cp1252",
              "gb2312": "gb18030", "gbk": "gb18030", "iso8859-9": "cp1254"}  # fmt: skip


def page_utf8(page: bytes, content_type: str = "") -> bytes:
    """``page`` as UTF-8, read as a browser reads it: by its byte order mark, else as UTF-8 when
    it is valid UTF-8, else in the charset its Content-Type names, else the one its head names
    (a ``<meta>``), else as its bytes suggest; a Latin-1 or ASCII name read as windows-1252.

    trafilatura reads the bytes alone and guesses: an English page in windows-1252 with a few
    curly quotes was guessed Latin-1, as one declared ISO-8859-1 (whose name browsers read as
    windows-1252) is read, and its quotes and dashes were controls, dropped ("the citys
    budget"); the page's declared charset was never asked."""
    for bom, unicode in _BOMS:
        if page.startswith(bom):
            return page[len(bom) :].decode(unicode, "replace").encode("utf-8")
    try:
        page.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return page
    head = _META_CHARSET.search(page, 0, _HEAD_BYTES)
    labels = [charset_param(content_type), head.group(1).decode("ascii") if head else ""]
    # A Content-Type's charset first, as browsers; then trafilatura's guesses.
    for label in [*labels, *detect_encoding(page)]:
        if (codec := _page_codec(label)) is not None:
            # windows-1252's five undefined bytes are their Latin-1 characters, as in WHATWG.
            errors = BYTES_AS_WINDOWS_1252 if codec == "cp1252" else "replace"
            return page.decode(codec, errors).encode("utf-8")
    return page.decode("cp1252", BYTES_AS_WINDOWS_1252).encode("utf-8")


def _page_codec(label: str) -> str | None:
    """The codec a browser reads ``label`` with, or None for no label, an unknown one, or one
    of UTF-16 or UTF-8 (the page is neither: its bytes said so)."""
    if not label.strip():
        return None
    try:
        name = codecs.lookup(browser_name(label) or label).name
    except LookupError:
        return None
    if name.startswith("utf"):
        return None
    return _SUPERSETS.get(name, name)


def _byline(author: object) -> str | None:
    # trafilatura joins several authors with "; " and drops a leading "By"; what is left is
    # cleaned as a feed's byline is, so consumers see one form whichever gave it.
    return names_byline(author.split(";")) if isinstance(author, str) else None


# A teaser card of another story: a headline and a line or two. An article is longer.
CARD_CHARS = 500
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _drop_teaser_cards(tree: lxml.html.HtmlElement, url: str) -> None:
    """Remove the ``<article>`` elements that are teasers of other stories: at most
    ``CARD_CHARS`` of text under a heading that links another page, and no headline (``h1``)
    of their own.

    trafilatura takes a page's first ``<article>`` for its article: a "breaking news" banner
    or a rail of related stories marked up as articles (as themes mark each card) before the
    story, or beside one not in an ``<article>`` of its own, put another story's headline and
    teaser into the text, first, where the lead is taken from. A link to the page itself, to
    another query or fragment of it, or below its path (a live blog's post, a next page) is no
    other story."""
    here = _page_path(url)
    for card in list(tree.iter("article")):
        if card.getparent() is None or card.find(".//h1") is not None or not _short(card):
            continue
        for heading in card.iter(*_HEADINGS):
            link = heading.find(".//a[@href]")
            if link is None:
                link = next((a for a in heading.iterancestors("a") if a.get("href")), None)
            if link is not None and _elsewhere(link.get("href", ""), url, here):
                card.drop_tree()
                break


def _short(element: lxml.html.HtmlElement) -> bool:
    # Read to the bound, no further: cards nested in cards would each read all below them.
    chars = 0
    for piece in element.itertext():
        chars += len(piece.strip())
        if chars > CARD_CHARS:
            return False
    return True


def _page_path(url: str) -> str:
    """``url``'s host and path, without a trailing slash, lower-cased."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.netloc}{parts.path}".rstrip("/").lower()


def _elsewhere(href: str, url: str, here: str) -> bool:
    try:
        target = urljoin(url, href.strip())
    except ValueError:
        return False
    if web_url(target, url) is None:  # javascript:, mailto:
        return False
    there = _page_path(target)
    return bool(there) and there != here and not there.startswith(here + "/")


# A data table's cell holds a figure, a name, a short phrase; one longer than this is prose,
# and its table lays a page out (an old site's article in a cell beside its menu).
TABLE_CELL_CHARS = 200


def _tables_as_rows(tree: lxml.html.HtmlElement) -> None:
    """Each data table of the page as a paragraph per row (its caption first), cells
    separated by a space as the clean stage reads a table ("Electric buses $310m $480m").

    trafilatura reads tables or none (``include_tables``): with them, a layout table gave its
    menu and the whole article as one line; without them, which we ask, an article's table of
    results, figures or a budget was lost, the text around it pointing at nothing. A layout
    table (a table inside it, a cell of prose) is left as it is, out of the text as before."""
    for table in list(tree.iter("table")):
        # One inside a layout table is read so, and goes with that table.
        if table.getparent() is None or table.find(".//table") is not None:
            continue
        rows = [
            [" ".join(cell.text_content().split()) for cell in row.iter("td", "th")]
            for row in table.iter("tr")
        ]
        cells = [cell for row in rows for cell in row]
        if (
            len(rows) < 2
            or max(map(len, rows)) < 2
            or any(len(c) > TABLE_CELL_CHARS for c in cells)
        ):
            continue
        block = lxml.html.Element("div")
        caption = table.find("caption")
        lines = [" ".join(caption.text_content().split())] if caption is not None else []
        lines += [" ".join(cell for cell in row if cell) for row in rows]
        for line in lines:
            if line:
                lxml.etree.SubElement(block, "p").text = line
        block.tail = table.tail
        table.getparent().replace(table, block)


def _cut_after(tree: lxml.html.HtmlElement) -> None:
    """Remove everything from the first element past ``PAGE_MAX_ELEMENTS``, or past
    ``PARAGRAPH_MAX_ELEMENTS`` inside paragraphs, in document order: the page's top, where
    its article is, which trafilatura reads in bounded time."""
    seen = inside = paragraphs = 0
    last = None
    for event, el in lxml.etree.iterwalk(tree, events=("start", "end")):
        if el.tag == "p":
            paragraphs += 1 if event == "start" else -1
        if event == "end":
            continue
        seen += 1
        inside += paragraphs > 0 and el.tag != "p"
        if seen > PAGE_MAX_ELEMENTS or inside > PARAGRAPH_MAX_ELEMENTS:
            last = el
            break
    if last is not None:
        cut_from(last, tree)


def json_ld_body(page: bytes) -> str | None:
    """The ``articleBody`` of the first article object in the page's JSON-LD, as text."""
    if b"articleBody" not in page:  # most pages: no second parse of the whole page
        return None
    for doc in _json_ld(page):
        try:
            body = _in_article(doc, _article_body)
        except RecursionError:  # nested thousands deep, hostile
            continue
        text = html_to_text(body) if body else ""  # some sites put markup and entities in it
        if text.strip():
            return text
    return None


def json_ld_image(page: bytes) -> str | None:
    """The ``image`` of the first article object in the page's JSON-LD naming one (a URL, an
    ImageObject's, the first of a list), as written: an AMP page names its lead image there
    alone, with no ``og:image``."""
    if _LD_JSON.search(page) is None:  # most pages: no second parse of the whole page
        return None
    for doc in _json_ld(page):
        try:
            image = _in_article(doc, _article_image)
        except RecursionError:
            continue
        if image:
            return image
    return None


_LD_JSON = re.compile(rb"ld\+json", re.IGNORECASE)
# The page is UTF-8 by then (page_utf8): libxml2 would read it in the charset its meta names.
_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def _json_ld(page: bytes) -> Iterator[object]:
    """The page's JSON-LD documents, parsed; invalid ones passed over."""
    try:
        tree = lxml.html.fromstring(page, parser=_UTF8_PARSER)
    except (lxml.etree.ParserError, ValueError):  # an empty or undecodable page
        return
    for script in tree.iter("script"):
        kind = (script.get("type") or "").split(";", 1)[0].strip().lower()
        if kind != "application/ld+json" or not script.text:
            continue
        try:
            # strict=False: pages put raw newlines and tabs inside JSON strings.
            yield json.loads(script.text, strict=False)
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep, hostile
            continue


def _in_article(node: object, pick: Callable[[dict[str, object]], str | None]) -> str | None:
    """What ``pick`` finds in the first article object that has it: depth-first through lists,
    ``@graph`` and ``mainEntity``, where sites nest articles."""
    if isinstance(node, list):
        return next((found for found in (_in_article(n, pick) for n in node) if found), None)
    if not isinstance(node, dict):
        return None
    types = node.get("@type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    # "NewsArticle", "schema:NewsArticle" and "https://schema.org/NewsArticle" alike.
    short = {name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names if isinstance(name, str)}
    if short & ARTICLE_TYPES and (found := pick(node)):
        return found
    return _in_article(node.get("@graph"), pick) or _in_article(node.get("mainEntity"), pick)


def _article_body(article: dict[str, object]) -> str | None:
    body = article.get("articleBody")
    return body if isinstance(body, str) and body.strip() else None


def _article_image(article: dict[str, object]) -> str | None:
    images = article.get("image")
    for named in images if isinstance(images, list) else [images]:
        image = named.get("url") or named.get("contentUrl") if isinstance(named, dict) else named
        if isinstance(image, str) and image.strip():
            return image
    return None


def as_paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def _teaser(entry: Entry) -> str:
    return html_to_text(entry.content_html or entry.summary_html)


# The words consent walls, paywall stubs and "page not found" pages answered with 200 are made
# of, in English, German, French and Spanish: an article shares its entry's names and facts.
WALL_WORDS = frozenset(
    """
    accept access account advertising agree audience consent content cookie cookies data device
    identifiers information partners personal personalised personalized preferences privacy
    processing purposes reject settings store vendors subscribe subscriber subscribers
    subscription unlimited login register page found sorry moved removed deleted exist exists
    error requested homepage search address server
    datenschutz daten personenbezogene einwilligung zustimmung partner gerät informationen
    werbung inhalte akzeptieren ablehnen einstellungen abonnieren seite gefunden existiert
    verschoben gelöscht fehler suche startseite
    données personnelles partenaires consentement appareil informations publicité contenu
    accepter refuser paramètres confidentialité abonnez abonnement introuvable existe déplacée
    supprimée erreur recherche accueil
    datos personales socios consentimiento dispositivo información publicidad contenido aceptar
    rechazar configuración privacidad suscríbete suscripción página encontrada movida eliminada
    búsqueda inicio
    """.split()
)


def about_the_entry(entry: Entry, text: str) -> bool:
    """Whether a page's text shares a word, name or figure with its entry's headline or teaser
    (or they have none), one of ``WALL_WORDS`` aside. A consent wall, a paywall stub, a "page
    not found" or a "please enable JavaScript" page shares none, and the same wall behind
    several outlets would make their unrelated articles one story: the story level cannot tell
    a shared wall from a shared wire text."""
    own = _words(entry.title) | _words(_teaser(entry))
    # A word of such pages' own (an entry about a hiker found alive, or about personal data,
    # shares "found" or "data" with them) proves nothing, unless the entry has no other.
    own = own - WALL_WORDS or own
    return not own or not own.isdisjoint(_words(text))


def _words(text: str) -> set[str]:
    # The story engine's tokens, not its features: those would load its word lists into every
    # fetch worker for a yes-or-no question.
    lowered = (token.strip(".,'’").lower() for token in tokens(text))
    return {word for word in lowered if len(word) > 2 and word not in STOPWORDS}


def enrich(
    source: Source,
    entries: Sequence[Entry],
    fetcher: Fetcher,
    policy: FetchPolicy,
    *,
    may_fetch: Callable[[str], bool] = lambda domain: True,
    seconds: float = PAGES_SECONDS,
    earlier: Mapping[str, tuple[Page, float]] = MappingProxyType({}),
    now: float | None = None,
    robots: Mapping[str, Robots] = MappingProxyType({}),
    may_crawl: Callable[[str, float], bool] = lambda site, seconds: True,
) -> Enrichment:
    """Replace teaser entries' content with their page's main text where it can be had.

    ``may_fetch`` is asked before each page with the page's ``page_domain`` (whose politeness
    budget pays for it): a page it refuses keeps the feed's text rather than hammer the
    outlet. Past ``seconds`` the remaining teasers keep it too.

    ``earlier``: what each page gave (and when, epoch s) when an earlier poll fetched it,
    by ``page_keys``. Fetched under ``REFETCH_AFTER`` ago, it is not asked for again; asked
    and not had, it stands in for the page rather than the teaser.

    ``robots``: the robots.txt records of page origins (``robots_origins``) kept by earlier
    polls; an origin with none, or a stale one, has its robots.txt asked for first, paid from
    the page's domain budget like a page, and returned in ``Enrichment.robots``. A page it
    disallows is the failure ``robots``. ``may_crawl(origin, seconds)`` is asked before a
    page whose robots.txt sets a Crawl-delay: whether the origin's last page was that long ago.
    """
    if not source.full_text:
        return Enrichment(entries=tuple(entries))
    page_policy = replace(
        policy,
        max_body_bytes=min(policy.max_body_bytes, PAGE_MAX_BYTES),
        accept=PAGE_ACCEPT,
        cross_origin_redirects=False,  # robots.txt is per origin: _page_text asks each one
    )
    started = time.monotonic()
    now = time.time() if now is None else now
    # Keyed by canonical URL: entries sharing an article (tracking parameters and all) cost
    # the outlet one request.
    pages: dict[str, tuple[Page | None, str]] = {}
    out: list[Entry] = []
    fetched = reused = 0
    failed: list[tuple[str, str]] = []
    kept: dict[str, Page] = {}
    gate = _PageGate(
        source, robots, fetcher, replace(page_policy, accept=ROBOTS_ACCEPT), now=now,
        may_fetch=may_fetch, may_crawl=may_crawl,
    )  # fmt: skip

    def ask(link: str) -> tuple[Page | None, str]:
        left = seconds - (time.monotonic() - started)
        if left <= 0:  # checked first: a page never fetched must not spend the budget
            return None, "over_time"
        # A Google News item links Google's redirect: its page is the outlet's.
        page = article_link(link)
        domain = page_domain(source, page)
        if refusal := gate.refusal(page, domain, left):
            return None, refusal
        # The time left asked again: its robots.txt may have taken some of it, or all of it.
        deadline = min(policy.deadline, seconds - (time.monotonic() - started))
        answer, block = _page_text(
            page,
            fetcher,
            replace(page_policy, deadline=deadline, allow_private=gate.private(page)),
            lambda target: gate.redirect_refusal(
                target, domain, seconds - (time.monotonic() - started)
            ),
            source_rules(source.rules),
        )
        if block is not None:
            gate.blocked[domain] = block
        return answer

    for entry in entries:
        teaser = _teaser(entry)
        if not entry.link or len(teaser) >= TEASER_CHARS:
            out.append(entry)
            continue
        key = canonical_url(entry.link)
        known = earlier.get(key)
        if key not in pages:
            recent = known is not None and now - known[1] < REFETCH_AFTER
            pages[key] = (None, NOT_ASKED) if recent else ask(entry.link)
        page, reason = pages[key]
        body, reason = _judged(source, entry, teaser, page.text) if page else (None, reason)
        stand_in = body is None and known is not None
        if known is not None and stand_in:
            if reason != NOT_ASKED:  # asked for and not had: reported, though it is covered
                failed.append((entry.link, reason))
            page = known[0]
            body, reason = _judged(source, entry, teaser, page.text)
        if body is not None and page is not None:
            if stand_in:
                reused += 1
            else:
                fetched += 1
                kept[key] = page
            # The feed's own image and byline stay; a title-only feed names neither.
            image, author = entry.image or page.image, entry.author or page.author
            out.append(replace(entry, content_html=as_paragraphs(body), image=image, author=author))
            continue
        if not stand_in:
            failed.append((entry.link, reason))
        out.append(entry)
    return Enrichment(
        entries=tuple(out),
        fetched=fetched,
        failed=tuple(failed),
        blocked=tuple(gate.blocked.items()),
        reused=reused,
        pages=tuple(kept.items()),
        robots=tuple(gate.read.items()),
        disallowed=gate.disallowed(),
    )


class _PageGate:
    """Whether one ``enrich``'s pages may be asked for: their domain's block and budget, and
    their origin's robots.txt, each asked for at most once."""

    def __init__(
        self,
        source: Source,
        known: Mapping[str, Robots],
        fetcher: Fetcher,
        policy: FetchPolicy,
        *,
        now: float,
        may_fetch: Callable[[str], bool],
        may_crawl: Callable[[str, float], bool],
    ) -> None:
        self._source = source
        self._known = known
        self._fetcher = fetcher
        self._policy = policy
        self._agent = product_token(policy.user_agent)
        self._now = now
        self._may_fetch = may_fetch
        self._may_crawl = may_crawl
        # (domain, seconds): sites that asked to be left alone, by a page's or robots.txt's 429
        self.blocked: dict[str, float] = {}
        self.read: dict[str, Robots] = {}  # asked for now, by origin
        self._refused: Counter[str] = Counter()  # pages robots.txt kept us from, by origin

    def private(self, page: str) -> bool:
        """Whether ``page`` (and its robots.txt) may be on a private address. A source's
        allow_private vouches for its own site only: its items may link anywhere (a feed
        bridge on a private network relays what others wrote), and a page's text is published
        as its article's."""
        source = self._source
        return self._policy.allow_private or (source.allow_private and on_own_site(source, page))

    def refusal(self, page: str, domain: str, left: float, *, pay: bool = True) -> str:
        """Why ``page`` may not be asked for now (``domain_busy``, ``robots``, ``crawl_delay``,
        ``over_budget``, or why its robots.txt could not be asked for), or "" when it may; it
        is then paid for from ``domain``'s budget, unless ``pay`` is False (a redirect's
        target on the domain that paid for its link: a redirect within a domain costs none)."""
        if domain in self.blocked:
            return "domain_busy"
        site = origin(page)
        if site is not None:  # else not an http(s) URL: the fetcher refuses it (bad_url)
            rules = self._rules(site, domain, left, self.private(page))
            if isinstance(rules, str):
                return rules
            if not allows(rules, page, self._agent):
                self._refused[site] += 1
                return "robots"
            delay = crawl_delay(rules, self._agent)
            if delay is not None and not self._may_crawl(site, delay):
                return "crawl_delay"
        return "" if not pay or self._may_fetch(domain) else "over_budget"

    def redirect_refusal(self, target: str, domain: str, left: float) -> str:
        """``refusal`` for the target of a page's redirect to another origin, whose robots.txt
        (and budget, when it is another domain than the page's) decides too."""
        there = page_domain(self._source, target)
        return self.refusal(target, there, left, pay=there != domain)

    def _rules(self, site: str, domain: str, left: float, private: bool) -> Robots | str:
        known = self.read.get(site) or self._known.get(site)
        if known is not None and not is_due(known, self._now):
            return known
        if not self._may_fetch(domain):
            return "over_budget"
        deadline = min(self._policy.deadline, left)
        try:
            response = self._fetcher.fetch(
                robots_url(site), replace(self._policy, deadline=deadline, allow_private=private)
            )
        except FetchError as exc:
            if exc.reason in OWN_REFUSALS:
                return exc.reason
            if exc.reason == "deadline" and deadline < self._policy.deadline:
                return "over_time"  # the poll's time for pages ran out, not the site's
            record = from_failure(exc.reason, now=self._now, previous=known)
        else:
            record = from_response(response.status, response.body, now=self._now, previous=known)
            if (block := domain_block(response, time.time())) is not None:
                self.blocked[domain] = block
                self.read[site] = record
                return "domain_busy"
        self.read[site] = record
        return record

    def disallowed(self) -> tuple[tuple[str, int, str], ...]:
        """(origin, pages, why) for the pages robots.txt kept us from."""
        return tuple(
            (site, n, _refusal(self.read.get(site) or self._known[site]))
            for site, n in self._refused.items()
        )


def _refusal(rules: Robots) -> str:
    """Why robots.txt kept an origin's pages, for the poll's log line."""
    if rules.kind != RULES:
        return f"robots.txt unreachable ({rules.error})"
    return "disallowed by robots.txt" + (f" (kept copy: now {rules.error})" if rules.error else "")


def robots_origins(entries: Iterable[Entry]) -> list[str]:
    """The origins whose robots.txt ``enrich`` may read for the entries' pages, for its
    ``robots`` records."""
    sites = (origin(article_link(entry.link)) for entry in entries if entry.link)
    return sorted({site for site in sites if site is not None})


def _judged(source: Source, entry: Entry, teaser: str, text: str) -> tuple[str | None, str]:
    """The page text the entry takes (its headline lines dropped), or None and why not."""
    body = _without_headline(text, source, entry)
    if not about_the_entry(entry, body):
        return None, "unrelated_text"
    # Measured as the article would carry it: a paywall's "Get unlimited access … Cancel
    # anytime" under its first paragraph is the clean stage's to drop, not more text.
    published = html_to_text(as_paragraphs(body), rules=source_rules(source.rules))
    if len(published) <= len(teaser):
        # A paywall's first paragraph, a page cut short: the feed said more.
        return None, "less_text"
    return body, ""


def page_keys(entries: Iterable[Entry]) -> list[str]:
    """The keys ``enrich`` knows the entries' pages by, for their ``earlier`` texts."""
    return [canonical_url(entry.link) for entry in entries if entry.link]


def on_own_site(source: Source, link: str) -> bool:
    """Whether ``link`` is on the source's own site: its registrable domain (or address)."""
    return registrable_domain(link) == registrable_domain(source.url)


def page_domain(source: Source, link: str) -> str:
    """The politeness key a page is charged to: the source's own ``domain`` for a page on the
    source's site, else the page's registrable domain (an aggregator links many outlets)."""
    domain = registrable_domain(link)
    return source.domain if domain == registrable_domain(source.url) else domain


def _page_text(
    link: str,
    fetcher: Fetcher,
    policy: FetchPolicy,
    elsewhere: Callable[[str], str],
    rules: Sequence[Rule] = (),
) -> tuple[tuple[Page | None, str], float | None]:
    """The page's main text (``read_page`` with the source's ``rules``), or None and the
    reason it has none; and how long its domain asked to be left alone (``domain_block``), if
    it did."""
    if policy.deadline <= 0:
        return (None, "over_time"), None
    try:
        response = _page_response(link, fetcher, policy, elsewhere)
    except FetchError as exc:
        return (None, exc.reason), None
    if response.status not in OK_STATUSES:
        return (None, f"http_{response.status}"), domain_block(response, time.time())
    content_type = response.headers.get("content-type", "")
    page = read_page(response.body, response.url, content_type, rules)
    return (page, "" if page is not None else "no_text"), None


def _page_response(
    link: str, fetcher: Fetcher, policy: FetchPolicy, elsewhere: Callable[[str], str]
) -> FetchResult:
    """The page's response, through its redirects: one to another origin (which the page
    ``policy`` has the fetcher answer with) is followed only when ``elsewhere``, given its
    target, has no reason against it (that origin's robots.txt), within the policy's hops and
    deadline for the whole chain."""
    started = time.monotonic()
    url, hops, seen = link, policy.max_redirects, {link}
    while True:
        left = policy.deadline - (time.monotonic() - started)
        if left <= 0:
            raise FetchError("deadline", f"no complete response within {policy.deadline:g} s")
        response = fetcher.fetch(url, replace(policy, deadline=left, max_redirects=hops))
        target = response.headers.get("location")
        if response.status not in REDIRECTS or not target:
            target = refresh_target(response) if response.status in OK_STATUSES else None
            if target is None:
                return response
            if hops - len(response.redirects) <= 0:
                raise FetchError("redirect_limit", f"more than {policy.max_redirects} hops")
        hops -= len(response.redirects) + 1  # past none left, the fetcher says redirect_limit
        if target in seen:
            raise FetchError("redirect_loop", f"{target} visited twice", transient=False)
        if refusal := elsewhere(target):
            raise FetchError(refusal, f"redirected to {target}")
        url = target
        seen.add(url)


# A refresh this soon is a redirect (an interstitial, "you are being redirected"); a later
# one is a page that reloads itself, or sends an idle reader to the home page after a while.
REFRESH_SECONDS = 5
_REFRESH = re.compile(rb"refresh", re.IGNORECASE)
_REFRESH_CONTENT = re.compile(
    r"\s*(\d+)[\d.]*\s*(?:[;,]\s*)?(?:url\s*=\s*)?(.*)", re.IGNORECASE | re.DOTALL
)


def refresh_target(response: FetchResult) -> str | None:
    """Where a page sends its reader at once with a ``Refresh`` header or a ``<meta
    http-equiv="refresh">`` (not one in ``<noscript>``, which sends a browser without
    JavaScript to its "please enable JavaScript" page), absolute; None when it does not, or
    only after more than ``REFRESH_SECONDS``, or to itself.

    An outlet's interstitial (a consent or region redirect, a link tracker's page) has nothing
    but that refresh: its text, "If you are not redirected, click here", was all the page gave
    and the article was lost, where a browser shows the article."""
    if not _REFRESH.search(response.body, 0, _HEAD_BYTES):
        found = None
    else:
        found = _meta_refresh(page_utf8(response.body, response.headers.get("content-type", "")))
    content = response.headers.get("refresh") or found
    if content is None or (match := _REFRESH_CONTENT.match(content)) is None:
        return None
    seconds, target = int(match[1]), match[2].strip()
    if target[:1] in ("'", '"'):
        target = target[1:].partition(target[0])[0]
    if seconds > REFRESH_SECONDS or not target.strip():
        return None
    try:
        target = urljoin(response.url, target.strip())
    except ValueError:
        return None
    return None if canonical_url(target) == canonical_url(response.url) else target


def _meta_refresh(page: bytes) -> str | None:
    try:
        tree = lxml.html.fromstring(page, parser=_UTF8_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        if any(el.tag == "noscript" for el in meta.iterancestors()):
            continue
        return meta.get("content")
    return None


def _without_headline(text: str, source: Source, entry: Entry) -> str:
    """The page's text without the lines that are its entry's headline, as the feed spells it
    or without the outlet's name (a Google News title ends "- Reuters", the page's h1 not).

    A paywall or "subscribe to continue" stub repeats the headline above its wall: the
    headline alone must not make the page about its entry. And the article carries the
    headline as its title: in its text, where an extractor may even put it after the first
    paragraph (an article split into sections), it would run into the lead."""
    headlines = {_line(entry.title), _line(article_title(source, entry))}
    return "\n".join(line for line in text.splitlines() if _line(line) not in headlines)


def _line(text: str) -> str:
    return " ".join(text.split()).casefold()
