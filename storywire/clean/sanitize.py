"""Sanitised HTML for re-publishing (an optional field of the article event).

lxml applies the rules and makes links absolute; nh3 (the Rust ammonia sanitiser) enforces the
allow-list, so the security boundary is a maintained sanitiser, not our code. Before nh3, tags
outside the list are mapped to their nearest allowed form (b -> strong, a heading -> a paragraph
in bold, a leaf div or table cell -> a paragraph) so text from separate blocks is not glued
together when nh3 unwraps them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Final
from urllib.parse import urlsplit

import nh3
from lxml import etree
from lxml.html import HtmlElement

from storywire.clean.repair import repair
from storywire.clean.rules import Rule, apply_element_rules, compiled
from storywire.clean.text import TooDeepError, html_to_text, parse_html

ALLOWED_TAGS: Final = frozenset({"p", "a", "em", "strong", "ul", "ol", "li", "blockquote", "img"})
ALLOWED_ATTRIBUTES: Final = {"a": {"href"}, "img": {"src", "alt"}}
URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})

_RENAME: Final = {"b": "strong", "i": "em", "cite": "em", "dfn": "em", "var": "em"}
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LEAF_BLOCKS: Final = frozenset(
    [
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "figure",
        "figcaption",
        "address",
        "center",
        "pre",
        "dd",
        "dt",
        "td",
        "th",
        "caption",
        "details",
        "summary",
    ]
)
_BLOCKS: Final = _LEAF_BLOCKS | _HEADINGS | {"p", "ul", "ol", "li", "blockquote", "table", "dl"}
_BLANK_RUN: Final = re.compile(r"\n\s*\n\s*")


def _has_block_inside(el: HtmlElement) -> bool:
    return any(child.tag in _BLOCKS for child in el.iterdescendants())


def _reshape(el: HtmlElement) -> None:
    tag = el.tag
    if tag in _RENAME:
        el.tag = _RENAME[tag]
    elif tag in _HEADINGS:
        strong = etree.Element("strong")
        strong.text, el.text = el.text, None
        strong.extend(list(el))
        el.append(strong)
        el.tag = "p"
    elif tag in _LEAF_BLOCKS and not _has_block_inside(el):
        el.tag = "p"
    elif tag == "br":
        # br is outside the allow-list; a space keeps the words on both sides apart.
        el.tail = "\n" + (el.tail or "")
    elif tag == "img":
        scheme = urlsplit(el.get("src") or "").scheme.lower()
        if not el.get("src") or scheme not in {"", "http", "https"}:
            el.drop_tree()


def sanitize_html(
    html: str, *, base_url: str | None = None, rules: Sequence[Rule] | None = None
) -> str:
    """Allow-listed HTML: p, a[href], em, strong, ul/ol/li, blockquote, img[src, alt].

    Rules run first (tracking pixels, share links, ads, empty wrappers go), links become
    absolute against ``base_url``, and only http(s)/mailto URLs survive. Text is repaired like
    ``html_to_text``'s (entities, mojibake, invisible characters).
    """
    try:
        root = parse_html(html)
    except TooDeepError:
        text = html_to_text(html, rules=rules)
        return "".join(f"<p>{escape(p, quote=False)}</p>" for p in text.split("\n\n") if p)
    if root is None:
        return ""
    apply_element_rules(root, compiled(rules), drop_empty=True)
    if base_url:
        root.make_links_absolute(base_url, resolve_base_href=False, handle_failures="discard")
    for el in list(root.iter()):
        if not isinstance(el, HtmlElement):
            continue
        # Repair first: lxml refuses to set text with the control characters repair removes.
        if el.text:
            el.text = repair(el.text)
        if el.tail:
            el.tail = repair(el.tail)
        _reshape(el)
    body = root.find("body")
    container = body if body is not None else root
    # The container's own text is text: escaped like the text lxml serialises below.
    markup = escape(container.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode", with_tail=True) for child in container
    )
    cleaned = nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    return _BLANK_RUN.sub("\n", cleaned).strip()
