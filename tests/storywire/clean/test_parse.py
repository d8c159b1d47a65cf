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
