"""Properties that hold for any input: cleaning never raises and is a fixed point."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml.html import fragment_fromstring

from storywire.clean import clean_title, html_to_text, lead, sanitize_html
from storywire.clean.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

_TAGS = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "a",
    "b",
    "script",
    "style",
    "h2",
    "td",
    "tr",
    "table",
    "img",
]
_SNIPPETS = [
    "&amp;",
    "&amp;amp;",
    "&lt;",
    "&gt;",
    "&#8217;",
    "&nbsp;",
    "&#x200B;",
    "\xa0",
    "\u200d",
    "\u200c",
    "\u202b",
    "\u202c",
    "\u202e",
    "\u2067",
    "\u2069",
    "â€™",
    "Ã©",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<",
    "|<|",
    "<3",
    "a|<b|",
    "the|&lt;div&gt;|tag",
    "the|<div>|tag",
    "…",
    ".",
    "Share|on|Facebook",
    "Read|more",
    "The|post|X|appeared|first|on|Y.",
]
_PIECES = st.one_of(
    st.text(max_size=30),
    st.sampled_from([snippet.replace("|", " ") for snippet in _SNIPPETS] + ["\n\n", "\r\n", " "]),
    st.builds(lambda t: f"<{t}>", st.sampled_from(_TAGS)),
    st.builds(lambda t: f"</{t}>", st.sampled_from(_TAGS)),
    st.builds(lambda t: f'<img alt="{t}" src="x.jpg">', st.text(max_size=10)),
    st.builds(
        lambda t: f'<img data-src="{t}" srcset="{t} 2x, y.jpg" src="p.gif">', st.text(max_size=10)
    ),
)
HTMLISH = st.lists(_PIECES, max_size=40).map("".join)
ANY_TEXT = st.one_of(st.text(), HTMLISH)


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
@example("]]&gt0;")  # an escaped CDATA end decoded into text once survived the first pass
@example("Why &lt;div&gt; tags matter<p>&lt;/div&gt;</p>")  # the mention's partner comes later
@example("costÂ\xa0was Ã\xa0 Â\xa0Ã©")  # mojibake repaired before the layout, once
def test_html_to_text_is_a_fixed_point(source: str) -> None:
    """Cleaning the cleaned text again changes nothing."""
    once = html_to_text(source)
    assert html_to_text(once) == once


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_html_to_text_output_shape(source: str) -> None:
    """Output has no surrounding whitespace, no runs of blank lines, no double spaces."""
    text = html_to_text(source)
    assert text == text.strip()
    assert "\n\n\n" not in text
    assert "  " not in text
    assert "\r" not in text
    assert "\u200b" not in text
    assert "\ufeff" not in text
    text.encode("utf-8")  # no lone surrogates


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.one_of(st.none(), st.sampled_from(["BBC News", "Reuters", "The Guardian"])))
def test_clean_title_is_idempotent(title: str, outlet: str | None) -> None:
    """A cleaned title cleans to itself, and is one line."""
    once = clean_title(title, outlet=outlet)
    assert clean_title(once, outlet=outlet) == once
    assert "\n" not in once


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_sanitize_keeps_to_the_allow_list(source: str) -> None:
    """sanitize_html never raises, and its output holds only allowed tags and attributes."""
    out = sanitize_html(source, base_url="https://example.com/a/")
    if not out.strip():
        return
    wrapper = fragment_fromstring(f"<div>{out}</div>")
    for node in wrapper.iterdescendants():
        assert node.tag in ALLOWED_TAGS
        assert set(node.attrib) <= ALLOWED_ATTRIBUTES.get(str(node.tag), set())
        for name in ("href", "src"):
            assert not (node.get(name) or "").lower().startswith(("javascript:", "data:"))
        if node.tag == "a":
            assert node.get("href")  # a link that leads nowhere is its text


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=400))
def test_lead_fits(text: str, max_chars: int) -> None:
    """A lead never exceeds its budget."""
    assert len(lead(text, max_chars)) <= max_chars


# Never a boilerplate line ("AA" is an agency credit, "Comments" a comment link).
_WORD = st.integers(0, 99).map("w{}".format)
_CELL_CONTENT = st.lists(
    st.one_of(
        _WORD,
        _WORD.map("<p>{}</p>".format),
        _WORD.map("<b>{}</b>".format),
        st.tuples(_WORD, _WORD).map(lambda w: f"{w[0]}<br>{w[1]}"),
        st.tuples(_WORD, _WORD).map(lambda w: f"<div>{w[0]}</div><p>{w[1]}</p>"),
    ),
    min_size=1,
    max_size=3,
).map(" ".join)
_TABLES = st.lists(
    st.lists(_CELL_CONTENT.map("<td>{}</td>".format), min_size=1, max_size=4).map(
        lambda cells: "<tr>" + "".join(cells) + "</tr>"
    ),
    min_size=1,
    max_size=4,
).map(lambda rows: "<p>Before</p><table>" + "".join(rows) + "</table><p>After</p>")


@settings(max_examples=200, deadline=None)
@given(_TABLES)
def test_sanitized_tables_keep_the_words_in_order(html: str) -> None:
    """Whatever its cells hold, a table's words are re-published where and in the order they
    stand (nh3's parser moved cells made paragraphs out of the table, ahead of it)."""
    # Compared without whitespace: a cell's edge is a space in one and nothing in the other.
    words = "".join(fragment_fromstring(html, create_parent="div").text_content().split())
    sanitized = fragment_fromstring(sanitize_html(html), create_parent="div").text_content()
    assert "".join(sanitized.split()) == words
