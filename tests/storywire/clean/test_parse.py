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
