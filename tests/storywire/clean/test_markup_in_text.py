"""A "<" in article text survives cleaning; escaped markup is still cleaned to text."""

from __future__ import annotations

import pytest

from storywire.clean import clean_title, html_to_text, sanitize_html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a &lt; b</p>", "a < b"),
        ("<p>if a&lt;b then c</p>", "if a<b then c"),
        ("<p>if a<b then c</p>", "if a<b then c"),
        ("<p>x<3 and i<j</p>", "x<3 and i<j"),
        ("<3", "<3"),
        ("5 &lt; 10 and 10 &gt; 5", "5 < 10 and 10 > 5"),
        ("<p>Why &lt;div&gt; tags matter</p>", "Why <div> tags matter"),
        ("<p>Use &lt;br&gt; for line breaks</p>", "Use <br> for line breaks"),
        ("<p>React &lt;App /&gt; components</p>", "React <App /> components"),
        (
            "<p>Tags such as &lt;div&gt;, &lt;span&gt; and &lt;p&gt;.</p>",
            "Tags such as <div>, <span> and <p>.",
        ),
        ("<p>The “&lt;img&gt;” element</p>", "The “<img>” element"),
        ("Line one\n\nThe &lt;div&gt; tag", "Line one\n\nThe <div> tag"),
    ],
)
def test_a_literal_lt_survives(html: str, expected: str) -> None:
    """A "<" that begins no tag, or a lone bare tag named in a sentence, is text."""
    assert html_to_text(html) == expected
    assert html_to_text(expected) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("&lt;p&gt;Hello&lt;/p&gt;", "Hello"),
        ("<p>&lt;b&gt;Bold&lt;/b&gt; claim</p>", "Bold claim"),
        ("<p>Line one&lt;br/&gt;Line two</p>", "Line one\nLine two"),
        ("<p>&lt;p&gt;One&lt;p&gt;Two</p>", "One\n\nTwo"),
        ('&lt;img src="x.jpg" alt="A flooded street"&gt;', "A flooded street"),
        ("&lt;script&gt;alert(1)&lt;/script&gt; Text", "Text"),
        ("&lt;!DOCTYPE html&gt;&lt;html&gt;&lt;body&gt;Hi&lt;/body&gt;&lt;/html&gt;", "Hi"),
        ('<p>Truncated summary <a href="https://exa', "Truncated summary"),
        (
            "<p>Mentions inside markup are markup: the <div> tag</p>",
            "Mentions inside markup are markup: the\n\ntag",
        ),
    ],
)
def test_escaped_markup_is_still_cleaned(html: str, expected: str) -> None:
    """Escaped markup that encloses text, carries attributes or stands between words unspaced
    is markup: it is cleaned like the rest."""
    assert html_to_text(html) == expected
    assert html_to_text(expected) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Why <div> tags matter", "Why <div> tags matter"),  # feedparser unescapes titles
        ("Why &lt;div&gt; tags matter", "Why <div> tags matter"),
        ("5 < 10 and 10 > 5", "5 < 10 and 10 > 5"),
        ("I <3 Rust", "I <3 Rust"),
        ("<b>Live:</b> a<b then c", "Live: a<b then c"),
    ],
)
def test_titles_keep_a_literal_lt(title: str, expected: str) -> None:
    """Headlines about markup keep it; real markup in a title is still removed."""
    assert clean_title(title) == expected
    assert clean_title(expected) == expected


def test_sanitize_keeps_a_literal_lt_as_escaped_text() -> None:
    """The sanitiser reads "<" the same way: text is re-published escaped."""
    assert sanitize_html("<p>if a<b then c</p>") == "<p>if a&lt;b then c</p>"
    assert sanitize_html("Why <div> tags matter") == "Why &lt;div&gt; tags matter"
