"""``sanitize_html`` resolves only the links nh3 keeps (href, src); its output must be what
resolving every link as lxml's ``make_links_absolute`` does gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement

from storywire.clean import sanitize, sanitize_html

BASE = "https://www.example.com/news/2024/story.html"


def _every_link(root: HtmlElement, base_url: str) -> None:
    # What sanitize_html did before: every link attribute of every element, CSS url()s too.
    root.make_links_absolute(base_url, resolve_base_href=False, handle_failures="discard")


def _as_lxml_would(html: str, base_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patched:
        patched.setattr(sanitize, "_absolute_links", _every_link)
        return sanitize_html(html, base_url=base_url)


@pytest.mark.parametrize(
    "html",
    [
        '<p><a href="../report.pdf">report</a> and <a href="  /padded  ">padded</a></p>',
        '<p><a href="//cdn.example.net/x">cdn</a> <a href="?page=2">next</a></p>',
        '<p><a href="#fn1">note</a> <a href="mailto:desk@example.com">mail</a></p>',
        '<p><a href="javascript:alert(1)">js</a> <a href="">empty</a> <a>none</a></p>',
        # urljoin raises on a bracket that opens no IPv6 host: lxml's "discard" drops it.
        '<p><a href="http://[::1/x">broken</a> <img src="http://[::1/y.jpg" alt="b"></p>',
        # nh3 would keep these relative forms; urljoin refuses them (a bracket, and a host that
        # NFKC turns into one holding "/"), so they go.
        '<p><a href="//[::1/x">broken</a> <a href="//ex\u2100ample.com/">nfkc</a></p>',
        '<p><img src="/img/photo.jpg" alt="Flooded street"> <img src="photo 2.jpg"></p>',
        # html5ever (nh3's parser) reads <image> as <img>: its src is kept.
        '<p><image src="/img/photo.jpg" alt="an image"> text</p>',
        '<p style="background:url(/bg.png)"><a href="/a" style="x:url(b.png)">a</a></p>',
        '<blockquote cite="/source"><p><q cite="/q">quoted</q></p></blockquote>',
        '<form action="/post"><p>form</p></form><p><a href="HTTPS://WWW.EXAMPLE.COM/A?">up</a></p>',
        '<p><a href="https://www.example.com/a?#">empty query and fragment</a></p>',
        '<p><a href="https://other.example/x\t/y">tab</a> <a href="\u3000/ideographic">sp</a></p>',
        '<p><img srcset="a.jpg 1x, b.jpg 2x"> <img data-src="/lazy.jpg"></p>',
        '<p><a href="/x"><img src="/y.gif" width="1" height="1"></a>text</p>',
    ],
)
def test_links_resolved_as_lxml_resolves_them(html: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sanitize_html(html, base_url=BASE) == _as_lxml_would(html, BASE, monkeypatch)


_URLS = st.one_of(
    st.sampled_from(
        ["/a", "../b", "//c.example/d", "?q=1", "#f", "//[::1", "//a\u2100b/", "mailto:x@y"]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20),
)
_TAGS = st.sampled_from(["a", "img", "image", "p", "blockquote", "span", "area", "link"])
_ATTRIBUTES = st.sampled_from(["href", "src", "cite", "style", "action", "background", "alt"])


@st.composite
def _linked_markup(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        tag = draw(_TAGS)
        attributes = " ".join(
            f'{name}="{draw(_URLS).replace(chr(34), "&quot;")}"'
            for name in draw(st.lists(_ATTRIBUTES, max_size=3, unique=True))
        )
        parts.append(f"<p><{tag} {attributes}>word</{tag}> more</p>")
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_linked_markup(), st.sampled_from([BASE, "http://example.org", "https://h.example/a/b/"]))
def test_any_links_resolved_as_lxml_resolves_them(html: str, base_url: str) -> None:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(sanitize, "_absolute_links", _every_link)
        expected = sanitize_html(html, base_url=base_url)
    assert sanitize_html(html, base_url=base_url) == expected
