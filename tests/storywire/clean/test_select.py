"""The one-pass selector matcher finds exactly what lxml.cssselect's XPath finds."""

from __future__ import annotations

import pytest
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement, document_fromstring

from storywire.clean.select import compile_selectors, parse_selector

DOC = """
<div id="main" class="entry  content"><p class="lead">One <a href="https://x.com/intent/post">x</a>
<a href="/files/report.pdf" data-track="1">pdf</a></p>
<ul class="share-buttons"><li><a href="mailto:?subject=hi">mail</a></li><li class="keep">k</li></ul>
<div class="ad ad-slot" data-ad-slot="7"><img src="http://feeds.feedburner.com/~r/a" width="1"></div>
<div id="div-gpt-ad-123"><span lang="en-GB">ad</span></div><section><div><p>deep</p></div></section>
<img src="/photo.jpg" width="10" alt="photo"><p class="adjust">not an ad</p></div>
"""

SELECTORS = [
    "a",
    "div.ad",
    ".ad-slot",
    ".content.entry",
    "#main",
    '[id^="div-gpt-ad"]',
    "[data-ad-slot]",
    '[data-track="1"]',
    'a[href*="x.com/intent/"]',
    'a[href^="mailto:?"]',
    'a[href$=".pdf"]',
    'img[width="1"]',
    '[class~="keep"]',
    '[lang|="en"]',
    "ul > li",
    "section p",
    "li:not(.keep)",
    "p:first-child",
    ".ad, .adjust, nav",
    "*",
    "p, div, span, li, a",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_matches_like_cssselect(selector: str) -> None:
    """select() and predicate() agree with cssselect's XPath on each selector."""
    root = document_fromstring(DOC)
    found = CSSSelector(selector, translator="html")(root)
    assert isinstance(found, list)
    expected = {el for el in found if isinstance(el, HtmlElement)}
    matcher = compile_selectors([selector])
    assert matcher is not None
    assert set(matcher.select(root)) == expected
    test = matcher.predicate(root)
    assert {el for el in root.iter() if isinstance(el, HtmlElement) and test(el)} == expected


@pytest.mark.parametrize("selector", ["", "p[[", "a::before", "div >", "##x"])
def test_bad_selectors_are_value_errors(selector: str) -> None:
    """A selector that cannot match anything is rejected with the reason."""
    with pytest.raises(ValueError, match="bad CSS selector"):
        parse_selector(selector)


def test_tag_groups_select_in_document_order() -> None:
    """drop_empty removes inner wrappers first by reading the list backwards."""
    root = document_fromstring(DOC)
    tags = {"p", "div", "span", "li", "a", "ul", "section"}
    matcher = compile_selectors([", ".join(sorted(tags))])
    assert matcher is not None
    expected = [el for el in root.iter() if isinstance(el, HtmlElement) and el.tag in tags]
    assert matcher.select(root) == expected
