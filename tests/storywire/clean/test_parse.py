"""The parsed tree: every element an HtmlElement (the walk and the sanitiser skip anything else,
comments and the like), classes looked up in C rather than by lxml.html's Python lookup."""

from __future__ import annotations

import lxml.html
import pytest

from storywire.clean import html_to_text, sanitize_html
from storywire.clean.text import parse_html

HTML = (
    "<div><label for='q'>Label text</label><p>One <custom-tag>two</custom-tag></p>"
    "<form><input value='x'></form><fieldset><legend>Legend</legend></fieldset>"
    "<!-- a comment --><?pi x?><math><mi>x</mi></math></div>"
)


def test_every_element_is_an_html_element() -> None:
    root = parse_html(HTML)
    assert root is not None
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    assert {el.tag for el in elements} >= {"label", "custom-tag", "fieldset", "legend", "math"}
    assert all(isinstance(el, lxml.html.HtmlElement) for el in elements)


def test_no_python_class_lookup_per_element(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("lxml.html's Python class lookup ran")

    monkeypatch.setattr(lxml.html.HtmlElementClassLookup, "lookup", refuse)
    assert html_to_text(HTML) == "Label text\n\nOne two\n\nLegend\n\nx"
    assert "Label text" in sanitize_html(HTML)


@pytest.mark.parametrize(
    "char", ["\x00", "\x08", "\x0e", "\x1f", "\ue000", "\ue002", "\ufffe", "\uffff"]
)
def test_characters_lxml_refuses_are_dropped_before_parsing(char: str) -> None:
    """A control or non-character in a feed's markup (one or a run of them) is dropped, not a
    parse failure that loses the whole entry; the text around it stays."""
    for bad in (char, char * 3):
        assert html_to_text(f"<p>Flood{bad} in Valencia</p>") == "Flood in Valencia"
        assert "Valencia" in sanitize_html(f"<p>Flood{bad} in Valencia</p>")


@pytest.mark.parametrize(
    "ref", ["&#16;", "&#6", "&#x10;", "&#X1F;", "&#0008;", "&#xE001;", "&#65535;", "&#xFFFE"]
)
@pytest.mark.parametrize(
    "html",
    [
        "<p>Flood{ref} in Valencia<br>Roads closed</p>",
        "<pre>Flood{ref} in Valencia\nRoads closed</pre>",
        "<p>Flood <a href='/news/valencia{ref}'>in Valencia</a><br>Roads closed</p>",
        "<table><tr><td><p>Flood{ref} in Valencia</p></td><td>Roads closed</td></tr></table>",
    ],
)
def test_references_to_characters_lxml_refuses_are_dropped_too(html: str, ref: str) -> None:
    """The parser decodes a character reference to a control or non-character ("&#16;",
    "&#6" without its semicolon) into the character itself, which the sanitiser then failed to
    set on the paragraph it makes of a line break, a code line or a cell: ValueError "All
    strings must be XML compatible", and the process stage rejected the whole entry. A
    reference to one of our layout markers ("&#xE001;", an icon font's glyph) made a paragraph
    break in the text where the markup has none."""
    html = html.format(ref=ref)
    assert " ".join(html_to_text(html).split()) == "Flood in Valencia Roads closed"
    sanitized = sanitize_html(html, base_url="https://example.com/")
    assert " ".join(html_to_text(sanitized).split()) == "Flood in Valencia Roads closed"


def test_inline_quotes_keep_their_quotation_marks() -> None:
    """``<q>`` is drawn with quotation marks by every browser (the marks are not in the
    markup): "He said <q>we will rebuild</q>" read "He said we will rebuild", the words no
    longer marked as his. A quote inside a quote takes single marks, as HTML's default
    stylesheet has them; the sanitised HTML (nh3 unwraps ``q``) keeps the marks too."""
    html = (
        "<p>The mayor said <q>we will rebuild, and <q>soon</q> means this year</q> on Monday.</p>"
    )
    expected = "The mayor said “we will rebuild, and ‘soon’ means this year” on Monday."
    assert html_to_text(html) == expected
    assert sanitize_html(html) == f"<p>{expected}</p>"
    assert html_to_text(sanitize_html(html)) == expected


def test_ordered_lists_keep_their_numbers() -> None:
    """An ordered list's numbers are drawn by the browser, not written in the markup: the
    steps of a how-to lost them in the text ("Repeat step 2" pointed at no step), and a list
    that goes on after a paragraph (``start="4"``) or counts down (``reversed``) read as
    another order, in the text and in the sanitised HTML (nh3 dropped ``start``). Each item
    now opens with its number as a browser shows it; an item of a list inside one with its
    parent's number before its own, the indent that tells them apart being lost in a line.
    A list whose every item opens with a link (Google News's cluster of headlines, a "most
    read" box) is a list of pointers, unnumbered."""
    html = (
        "<p>How to turn it off:</p><ol><li>Open the app.</li><li><p>Tap Settings.</p>"
        "<ol><li>Choose Privacy.</li><li>Clear <em>History</em>.</li></ol></li>"
        "<li>Repeat step 2 on each device.</li></ol><p>Then:</p>"
        '<ol start="4"><li>Restart the phone.</li><li value="9">Wait a day.</li>'
        "<li>Check again.</li></ol>"
        "<p>The countdown:</p><ol reversed><li>Bronze</li><li>Silver</li><li>Gold</li></ol>"
        "<ul><li>Plain</li><li>Bullets<ol><li>Nested step</li></ol></li></ul>"
    )
    expected = (
        "How to turn it off:\n\n1. Open the app.\n2. Tap Settings.\n2.1. Choose Privacy.\n"
        "2.2. Clear History.\n3. Repeat step 2 on each device.\n\nThen:\n\n"
        "4. Restart the phone.\n9. Wait a day.\n10. Check again.\n\nThe countdown:\n\n"
        "3. Bronze\n2. Silver\n1. Gold\n\nPlain\nBullets\n1. Nested step"
    )
    assert html_to_text(html) == expected
    out = sanitize_html(html)
    assert '<ol start="4">' in out
    assert '<li value="9">' in out
    assert "<ol reversed" in out
    assert html_to_text(out) == expected
    assert html_to_text(expected) == expected
    # A number that is none is no number, in either output.
    odd = '<ol start="x"><li value="javascript:1">One</li><li>Two</li></ol>'
    assert html_to_text(odd) == "1. One\n2. Two"
    assert sanitize_html(odd) == "<ol><li>One</li><li>Two</li></ol>"
    # Pointers, and an item left empty, carry no number.
    links = (
        '<ol><li><a href="https://news.google.com/rss/articles/A">Fed holds rates</a>&nbsp;'
        '&nbsp;<font color="#6f6f6f">Reuters</font></li><li><a href="https://news.google.com/'
        'rss/articles/B">Powell: fight not over</a></li></ol>'
    )
    assert html_to_text(links) == "Fed holds rates\nPowell: fight not over"
    assert html_to_text("<ol><li>One</li><li><img src='a.jpg'></li><li>Three</li></ol>") == (
        "1. One\n3. Three"
    )
    # What a line rule drops in a list item it still drops with a number before it.
    assert html_to_text(
        "<p>Steps follow.</p><ol><li>Open it.</li><li>Advertisement</li><li>Close it.</li></ol>"
    ) == ("Steps follow.\n\n1. Open it.\n3. Close it.")
