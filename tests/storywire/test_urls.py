"""Canonical URLs collapse tracking and spelling variants of one article, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storywire.urls import (
    article_link,
    canonical_url,
    clean_link,
    redacted_text,
    redacted_url,
    registrable_domain,
    without_amp,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://www.Example.com/a/b/?utm_source=rss&utm_medium=x", "https://example.com/a/b"),
        ("https://example.com:443/a?b=2&a=1#frag", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?fbclid=XYZ&id=7&gclid=1", "https://example.com/a?id=7"),
        ("https://EXAMPLE.com//news//x", "https://example.com/news/x"),
        # A URL in the path keeps its "//" (Folha's redirects, archive links)
        (
            "https://redir.folha.com.br/redir/online/rss091/*https://www1.folha.uol.com.br/a.shtml",
            "https://redir.folha.com.br/redir/online/rss091/*https://www1.folha.uol.com.br/a.shtml",
        ),
        (
            "http://web.archive.org/web/20201101000000/https://example.com//a",
            "https://web.archive.org/web/20201101000000/https://example.com/a",
        ),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("mailto:x@example.com", "mailto:x@example.com"),
    ],
)
def test_canonical_url(given: str, expected: str) -> None:
    """Scheme, host, port, slashes, fragments and tracking parameters are normalised."""
    assert canonical_url(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # Le Monde, Le Figaro, franceinfo: AT Internet's campaign marker
        (
            "https://www.lemonde.fr/politique/article/2026/11/27/x_6543210_823448.html"
            "?xtor=RSS-3208",
            "https://lemonde.fr/politique/article/2026/11/27/x_6543210_823448.html",
        ),
        (
            "https://www.nytimes.com/2026/11/27/world/x.html?emc=rss",
            "https://nytimes.com/2026/11/27/world/x.html",
        ),
        ("https://example.com/a?WT.mc_id=rss&s_cid=feed&id=3", "https://example.com/a?id=3"),
        ("https://example.com/a?_ga=2.1.2&_gl=1*abc*", "https://example.com/a"),
        ("https://example.com/a?feedType=RSS&feedName=topNews", "https://example.com/a"),
    ],
)
def test_publishers_campaign_parameters(given: str, expected: str) -> None:
    """Outlets' own feed-campaign parameters go like utm_*: the same article from two feeds is
    one URL."""
    assert canonical_url(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "https://medium.com/@dev/why-i-moved-3f2a1b4c5d6e?source=rss-abc123------2",
            "https://medium.com/@dev/why-i-moved-3f2a1b4c5d6e",
        ),
        (
            "https://www.nytimes.com/2026/x.html?partner=rss&emc=rss",
            "https://nytimes.com/2026/x.html",
        ),
        (
            "https://www.wsj.com/articles/x-1234?mod=rss_Technology",
            "https://wsj.com/articles/x-1234",
        ),
        # the same names with other values can select content: kept
        (
            "https://example.com/list?source=archive&from=2026",
            "https://example.com/list?from=2026&source=archive",
        ),
        ("https://example.com/a?mod=article&id=5", "https://example.com/a?id=5&mod=article"),
    ],
)
def test_generic_names_carrying_a_feed_campaign(given: str, expected: str) -> None:
    """source, partner, from, mod… are campaign markers when their value says the click came
    from the feed (Medium's source=rss-…, NYT's partner=rss, WSJ's mod=rss_…)."""
    assert canonical_url(given) == expected


def test_canonical_url_is_idempotent() -> None:
    """Canonicalising a canonical URL changes nothing."""
    url = canonical_url("http://www.bbc.co.uk/news/world-1?at_medium=RSS&page=2")
    assert canonical_url(url) == url


def test_registrable_domain() -> None:
    """Two- and three-label registrable domains are recognised."""
    assert registrable_domain("https://feeds.bbci.co.uk/news/rss.xml") == "bbci.co.uk"
    assert registrable_domain("https://www.aljazeera.com/xml/rss/all.xml") == "aljazeera.com"


@pytest.mark.parametrize("bad", ["http://[::1/x", "https://[not-an-address]/a", "http://]x[/"])
def test_a_link_urllib_cannot_split_is_kept_as_written(bad: str) -> None:
    """An entry's malformed link must not cost the poll or the batch it came in."""
    assert canonical_url(f" {bad} ") == bad
    assert registrable_domain(bad) == ""


def test_an_address_is_its_own_registrable_domain() -> None:
    """Last two labels of an address would put unrelated hosts under one politeness budget."""
    assert registrable_domain("http://127.0.0.1:8080/feed.xml") == "127.0.0.1"
    assert registrable_domain("10.1.0.1") == "10.1.0.1"
    assert registrable_domain("https://[2001:db8::1]/rss") == "2001:db8::1"


_GN = "https://news.google.com/rss/articles/"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # the id carries the article's URL (and its AMP twin after it)
        (
            _GN + "CBMiLmh0dHBzOi8vd3d3LmJiYy5jb20vbmV3cy9hcnRpY2xlcy9jNGdsMXd4bDNrbG_SATJodHRwczov"
            "L3d3dy5iYmMuY29tL25ld3MvYXJ0aWNsZXMvYzRnbDF3eGwza2xvLmFtcA?oc=5",
            "https://bbc.com/news/articles/c4gl1wxl3klo",
        ),
        # a URL of more than 127 bytes (a two-byte length), tracking inside it dropped too
        (
            "https://news.google.com/__i/rss/rd/articles/CBMinAFodHRwczovL3d3dy5yZXV0ZXJzLmNvbS9tY"
            "XJrZXRzL3VzL2ZlZC1ob2xkcy1pbnRlcmVzdC1yYXRlcy1zdGVhZHktaW5mbGF0aW9uLWNvb2xzLTIwMjYtMT"
            "EtMjcvP3V0bV9zb3VyY2U9Z29vZ2xlJnV0bV9tZWRpdW09bmV3cy1hZ2dyZWdhdG9yLXdpdGgtYS1sb25nLXR"
            "haWw?oc=5&hl=en-US&gl=US&ceid=US:en",
            "https://reuters.com/markets/us/fed-holds-interest-rates-steady-inflation-cools-2026-11-27",
        ),
        (
            "https://news.google.com/articles/CAIiMWh0dHBzOi8vZWxwYWlzLmNvbS9lc3BhbmEvMjAyNi0xMS0y"
            "Ny9sYS1kYW5hLmh0bWw?hl=es&gl=ES&ceid=ES:es",
            "https://elpais.com/espana/2026-11-27/la-dana.html",
        ),
        # an opaque id (since 2024) needs Google to resolve it: kept, without its parameters
        (_GN + "CBMiDEFVX3lxTE93aUZndA?oc=5&hl=en-US&gl=US&ceid=US:en", _GN + "CBMiDEFVX3lxTE93aUZndA"),
        (_GN + "not-base64!?oc=5", _GN + "not-base64!"),
        # other Google News pages keep their edition
        ("https://news.google.com/topics/CAAq?hl=en-US&gl=US", "https://news.google.com/topics/CAAq?gl=US&hl=en-US"),
    ],
)  # fmt: skip
def test_a_google_news_redirect_is_the_article_it_names(given: str, expected: str) -> None:
    """Google News links every item through its own redirect: the article URL was
    news.google.com's for every outlet, with its ?oc=5. An id that carries the outlet's URL
    (base64 protobuf, field 4) is that URL."""
    assert canonical_url(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # Yonhap marks where a click came from with input=<code> (1195m: its feeds, 1179m…)
        (
            "https://en.yna.co.kr/view/AEN20261127001200315?input=1195m",
            "https://en.yna.co.kr/view/AEN20261127001200315",
        ),
        (
            "https://www.yna.co.kr/view/AKR20261127012300001?input=1179m",
            "https://yna.co.kr/view/AKR20261127012300001",
        ),
        (
            "https://en.yna.co.kr/view/AEN20261127003151315?input=rss",
            "https://en.yna.co.kr/view/AEN20261127003151315",
        ),
        # Spiegel's SARA campaign ids, El País's social-media marker
        (
            "https://www.spiegel.de/politik/x-a-1234?sara_ecid=soci_upd_wbMbjhOSvViISjc8RPU89NcCvtlFcJ&sara_ref=re-so-app-sh",
            "https://spiegel.de/politik/x-a-1234",
        ),
        (
            "https://elpais.com/internacional/2026-11-27/x.html?ssm=TW_CC",
            "https://elpais.com/internacional/2026-11-27/x.html",
        ),
        # an input that is not such a code may be what the page shows: kept
        ("https://example.com/convert?input=42", "https://example.com/convert?input=42"),
        ("https://example.com/search?input=seoul", "https://example.com/search?input=seoul"),
    ],
)
def test_outlets_click_source_markers(given: str, expected: str) -> None:
    """One Yonhap article from its feed and from its home page is one URL."""
    assert canonical_url(given) == expected


_BING = (
    "http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=6747A1B2C3D44E5F9A0B1C2D3E4F5A6B"
)
_REUTERS = "https%3a%2f%2fwww.reuters.com%2fworld%2feurope%2fprisoner-talks-2026-11-27%2f"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            f"{_BING}&url={_REUTERS}&c=12345678901234567890&mkt=en-us",
            "https://reuters.com/world/europe/prisoner-talks-2026-11-27",
        ),
        # Google Alerts: google.com/url?rct=j&sa=t&url=…&ct=ga&cd=…&usg=…
        (
            "https://www.google.com/url?rct=j&sa=t&url=https://www.dawn.com/news/1912345/x%3Futm_source%3Dga"
            "&ct=ga&cd=CAIyGjE2&usg=AOvVaw0abc",
            "https://dawn.com/news/1912345/x",
        ),
        # a redirect that names no page of its own, or one inside another: kept as written
        (
            "https://www.bing.com/news/apiclick.aspx?url=javascript%3aalert(1)&mkt=en-us",
            "https://bing.com/news/apiclick.aspx?mkt=en-us&url=javascript%3Aalert%281%29",
        ),
        ("https://www.bing.com/news/search?q=ukraine", "https://bing.com/news/search?q=ukraine"),
    ],
)
def test_an_aggregators_click_redirect_is_the_article_it_carries(given: str, expected: str) -> None:
    """Bing News and Google Alerts link each item through a click counter whose query carries
    the outlet's URL: every outlet's article was bing.com's (or google.com's)."""
    assert canonical_url(given) == expected
    assert canonical_url(canonical_url(given)) == expected


def test_the_page_of_an_aggregators_click_redirect_is_the_outlets() -> None:
    """The full-text fetcher asks the outlet for the page, not the click counter."""
    assert article_link(f"{_BING}&url={_REUTERS}&mkt=en-us") == (
        "https://www.reuters.com/world/europe/prisoner-talks-2026-11-27/"
    )
    assert article_link("https://www.bing.com/news/search?q=x") == (
        "https://www.bing.com/news/search?q=x"
    )


def test_cnns_external_referrer_from_its_feeds() -> None:
    """CNN's feed links carry eref=rss_<feed>: one article from two of its feeds is one URL."""
    assert canonical_url(
        "https://www.cnn.com/2026/11/27/world/video/orca-digvid?eref=rss_world"
    ) == ("https://cnn.com/2026/11/27/world/video/orca-digvid")
    assert canonical_url("https://example.com/a?eref=home") == "https://example.com/a?eref=home"


# Quirks feed readers, link-dedup tools and URL-cleaning libraries have reported, that the
# canonicaliser already handled when they were collected (each with where it was reported).
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # utm_* on feed links (wallabag#1102: Lifehacker's ?utm_source=feedburner)
        ("https://lifehacker.com/x-1682628702?utm_source=feedburner&utm_medium=feed", "https://lifehacker.com/x-1682628702"),
        # click ids: fbclid (idlewan/link_cleaner#44), gclid/dclid/msclkid (ClearURLs/Rules#50)
        ("https://montrealgazette.com/news/x?fbclid=IwAR1ZdsDmTlmIV8", "https://montrealgazette.com/news/x"),
        ("https://example.com/a?gclid=1&dclid=2&msclkid=3&yclid=4", "https://example.com/a"),
        # Mailchimp, Instagram (goodwebtools#237's list), Google's linker (ClearURLs/Rules#19)
        ("https://example.com/a?mc_cid=1a&mc_eid=2b&igshid=abc", "https://example.com/a"),
        ("https://example.com/a?_ga=2.1.2&_gl=1*x*", "https://example.com/a"),
        # referrer markers on feed links
        ("https://example.com/a?ref=rss&ref_src=twsrc%5Etfw", "https://example.com/a"),
        # outlets' campaign ids: cmpid, MSN's ocid, BBC's ito / ns_mchannel / ns_source
        ("https://example.com/a?cmpid=rss&ocid=msnnews&ito=1", "https://example.com/a"),
        ("https://www.bbc.co.uk/news/x-1?ns_mchannel=rss&ns_source=PublicRSS20-sa", "https://bbc.co.uk/news/x-1"),
        # The Guardian's CMP (brave/adblock-lists#2991), with Echobox's fragment (privacybadger#2905)
        ("http://theguardian.com/world/2026/aug/12/x?CMP=fb_gu#Echobox=1786529569", "https://theguardian.com/world/2026/aug/12/x"),
        # AT Internet's marker as a fragment (wallabag#1102: #xtor=RSS-)
        ("https://www.lemonde.fr/x_6543210_823448.html#xtor=RSS-3208", "https://lemonde.fr/x_6543210_823448.html"),
        # feed markers ?rss=1, ?from=rss
        ("https://example.com/a?rss=1", "https://example.com/a"),
        ("https://example.com/a?from=rss", "https://example.com/a"),
        # default ports, trailing dot in the host, upper-case scheme and host (RFC 3986 6.2.2.1,
        # 6.2.3; urltools' normalize; crawler-commons#292 for the trailing dot)
        ("http://example.com:80/a", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://Example.COM./a", "https://example.com/a"),
        ("HTTPS://EXAMPLE.COM/a", "https://example.com/a"),
        # an empty query, repeated slashes, query order (normalize_url gem's README)
        ("https://example.com/products/?", "https://example.com/products"),
        ("https://example.com//products//x", "https://example.com/products/x"),
        ("https://example.com/p?product_id=1&b=2", "https://example.com/p?b=2&product_id=1"),
        # http and https of one outlet (jeffgeerling-com#145: Miniflux duplicates)
        ("http://www.jeffgeerling.com/blog/2022/x", "https://jeffgeerling.com/blog/2022/x"),
        # %7E and percent-encoding case inside the query (RFC 3986 6.2.2.1, 6.2.2.2)
        ("https://example.com/a?q=%7e%3a", "https://example.com/a?q=~%3A"),
    ],
)  # fmt: skip
def test_reported_quirks_already_handled(given: str, expected: str) -> None:
    """Each of these made duplicates in some feed reader or link-dedup tool; here they are one
    URL."""
    assert canonical_url(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # content selectors stay: an id, a WordPress post, a Facebook story
        ("https://example.com/article?id=123&utm_source=rss", "https://example.com/article?id=123"),
        ("https://blog.example.com/?p=456", "https://blog.example.com/?p=456"),
        (
            "https://www.facebook.com/permalink.php?story_fbid=123&id=4",
            "https://facebook.com/permalink.php?id=4&story_fbid=123",
        ),
        # path case stays: /Product and /product may be two pages (crawlee-python#2021)
        ("https://example.com/News/Item-A", "https://example.com/News/Item-A"),
        # a directory index is not its directory on every server (ukwa-pywb#43, lobsters#1127)
        ("https://example.com/a/index.html", "https://example.com/a/index.html"),
        # mobile and AMP spellings are other documents, related only by the page's own
        # <link rel="canonical"> (hypothesis/h#977: mobile.nytimes.com; stacker.news#138)
        ("https://m.example.com/2026/x", "https://m.example.com/2026/x"),
        ("https://mobile.example.com/2026/x", "https://mobile.example.com/2026/x"),
        ("https://example.com/2026/x/amp", "https://example.com/2026/x/amp"),
        ("https://example.com/2026/x?amp=1", "https://example.com/2026/x?amp=1"),
        ("https://amp.example.com/2026/x", "https://amp.example.com/2026/x"),
        # '+' and '%2B' in a query are a space and a plus
        ("https://example.com/s?q=a+b", "https://example.com/s?q=a+b"),
        ("https://example.com/s?q=a%2Bb", "https://example.com/s?q=a%2Bb"),
    ],
)
def test_what_names_another_page_stays(given: str, expected: str) -> None:
    """A rule that merged these would make two articles one."""
    assert canonical_url(given) == expected


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        # percent-encoding case (RFC 3986 6.2.2.1; w3lib's canonicalize_url)
        (["https://example.com/a%2fb", "https://example.com/a%2Fb"], "https://example.com/a%2Fb"),
        # unreserved characters percent-encoded (RFC 3986 6.2.2.2: %7E is ~)
        (["https://example.com/%7Efoo/%41bc", "https://example.com/~foo/Abc"], "https://example.com/~foo/Abc"),
        # a raw non-ASCII path and its UTF-8 encoding (wallabag#2126), in either case
        (
            ["https://example.com/caf\u00e9", "https://example.com/caf%C3%A9", "https://example.com/caf%c3%a9"],
            "https://example.com/caf%C3%A9",
        ),
        # a space a CMS left in the link
        (["https://example.com/a b", "https://example.com/a%20b"], "https://example.com/a%20b"),
        # dot segments (RFC 3986 6.2.2.3), also percent-encoded ones
        (["https://example.com/a/./b/../c", "https://example.com/a/%2E/b/%2e%2E/c"], "https://example.com/a/c"),
    ],
)  # fmt: skip
def test_spellings_of_one_path_are_one_url(spellings: list[str], expected: str) -> None:
    """RFC 3986's semantics-preserving normalisations of a path: every server reads these
    spellings as one path (browsers send the encoded form)."""
    assert {canonical_url(url) for url in spellings} == {expected}
    assert canonical_url(expected) == expected


def test_reserved_characters_keep_their_encoding() -> None:
    """%2F is not a '/', nor %3F a '?': decoding them would name another path."""
    assert canonical_url("https://example.com/a%2fb%3Fc%23d") == "https://example.com/a%2Fb%3Fc%23d"


@pytest.mark.parametrize(
    "spellings",
    [
        # an IDN host as Unicode and as its punycode (crawler-commons#248, stormcrawler#522)
        [
            "https://b\u00fccher.de/neu",
            "https://xn--bcher-kva.de/neu",
            "https://B\u00dcCHER.de/neu",
        ],
        # ß is its own letter (IDNA 2008, DENIC): straße.de is not strasse.de
        ["https://stra\u00dfe.de/a", "https://xn--strae-oqa.de/a"],
        [
            "https://www.\u043f\u0440\u0430\u0432\u0434\u0430.\u0440\u0444/a",
            "https://xn--80aafi6cg.xn--p1ai/a",
        ],
    ],
)
def test_an_idn_host_is_one_host_however_spelled(spellings: list[str]) -> None:
    """A feed may write its outlet's internationalised host in Unicode, another in punycode."""
    assert len({canonical_url(url) for url in spellings}) == 1
    assert canonical_url(spellings[0]).isascii()


def test_an_idn_host_is_not_mapped_to_another_host() -> None:
    """IDNA 2003 (Python's idna codec) maps ß to ss: straße.de would have been strasse.de, a
    domain of someone else's."""
    assert canonical_url("https://stra\u00dfe.de/a") != canonical_url("https://strasse.de/a")


def test_a_host_dns_cannot_hold_is_kept_as_written() -> None:
    """A label over 63 octets has no punycode form; the link is still the item's identity."""
    host = "\u00fc" * 70 + ".example"
    assert canonical_url(f"http://www.{host}/a/") == f"https://{host}/a"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # a Java servlet's session in the path (Norconex/crawler#311, apache/stormcrawler#366,
        # web-monitoring-processing#391), with a dot in the id, before a query
        ("https://example.com/news/story.do;jsessionid=E460A97852FA769CD9AD387095C680A9.tpdila09v_2?p=v", "https://example.com/news/story.do?p=v"),
        ("https://example.com/homr/api;JSESSIONID=A2DECB66D2648BFED11FC721FC3043A1", "https://example.com/homr/api"),
        # other path parameters are the server's to read: kept
        ("https://example.com/a;v=2", "https://example.com/a;v=2"),
        # TechCrunch's feed links carry ncid=rss (rss-reader#215, wallabag#3045)
        ("https://techcrunch.com/2016/09/23/which-social-media-metrics-matter/?ncid=rss", "https://techcrunch.com/2016/09/23/which-social-media-metrics-matter"),
        ("https://example.com/a?ncid=7", "https://example.com/a?ncid=7"),
        # Twitter's embed marks the page a link was clicked on (ref_src's sibling)
        ("https://example.com/a?ref_src=twsrc%5Etfw&ref_url=https%3A%2F%2Fnews.example.org%2Fx", "https://example.com/a"),
    ],
)  # fmt: skip
def test_session_and_feed_markers_go(given: str, expected: str) -> None:
    """A session id or a feed's click marker names no article."""
    assert canonical_url(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "https://example.com/shop/;jsessionid=0A1B2C3D4E/news/a.html",
        "https://example.com/shop;jsessionid=0A1B2C3D4E//news/a.html",
        "https://example.com/shop/;JSESSIONID=x;jsessionid=y/news/a.html",
    ],
)
def test_a_session_alone_in_its_segment_leaves_no_empty_one(given: str) -> None:
    """A servlet's session as a segment of its own ("/shop/;jsessionid=…/news") left "//" once
    dropped: the canonical URL was "/shop//news/a.html", which canonicalised again to
    "/shop/news/a.html", so two spellings of one article were two articles, and the
    canonical form was not a fixed point."""
    assert canonical_url(given) == "https://example.com/shop/news/a.html"
    assert canonical_url(canonical_url(given)) == canonical_url(given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # a single-page app's route is the page (sentry#2299; url-normalize keeps #! URLs)
        ("https://example.com/#!/story/123", "https://example.com/#!/story/123"),
        (
            "https://example.com/app/?utm_source=rss#/article/5",
            "https://example.com/app#/article/5",
        ),
        # an anchor inside a page, or a marker, is not
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a#xtor=RSS-1", "https://example.com/a"),
    ],
)
def test_a_fragment_that_routes_a_single_page_app_stays(given: str, expected: str) -> None:
    """example.com/#!/story/1 and #!/story/2 were one URL, the site's home page."""
    assert canonical_url(given) == expected
    assert canonical_url(expected) == expected


def test_an_ipv6_host_keeps_its_brackets() -> None:
    """Without them the canonical URL named another host, or none."""
    assert canonical_url("http://[2001:DB8::1]:80/a") == "https://[2001:db8::1]/a"
    assert canonical_url("http://[2001:db8::1]:8080/a") == "https://[2001:db8::1]:8080/a"


@settings(max_examples=300, deadline=None)
@given(
    host=st.sampled_from(
        ["Example.com", "WWW.B\u00fccher.de", "[2001:DB8::1]", "xn--bcher-kva.de.", "a.b:8080"]
    ),
    rest=st.text(st.sampled_from(list("aZ09-._~%/?#&=;:@!'()*+, \u00e9\u00dfAF2e7E")), max_size=30),
)
def test_canonicalising_twice_changes_nothing(host: str, rest: str) -> None:
    """A stored canonical URL compared with a fresh one must not drift."""
    once = canonical_url(f"http://{host}/{rest}")
    assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # An article's url was its canonical URL: https and no www. opened nothing on a site
        # serving only http, or whose bare domain has no server. The outlet's spelling stays.
        ("http://www3.nhk.or.jp/news/k1.html", "http://www3.nhk.or.jp/news/k1.html"),
        ("http://www.Asahi.com:80/articles/A1.html#top", "http://www.asahi.com/articles/A1.html"),
        (
            "https://www.example.com/a//b/?utm_source=rss&id=3&b=2&fbclid=X",
            "https://www.example.com/a//b/?id=3&b=2",
        ),
        (
            "https://user:pw@www.example.com/a;jsessionid=F00/b?q=a+b%26c",
            "https://www.example.com/a/b?q=a+b%26c",
        ),
        ("http://example.com/#!/story/7", "http://example.com/#!/story/7"),
        ("http://example.com/caf\u00e9/./x", "http://example.com/caf%C3%A9/x"),
        # An aggregator's redirect around it is not the article's link; the outlet's is.
        (
            "https://www.bing.com/news/apiclick.aspx?ref=FexRss&url=http%3a%2f%2fwww.x.com%2fa%2f%3futm_source%3dz",
            "http://www.x.com/a/",
        ),
        ("mailto:x@example.com", "mailto:x@example.com"),
    ],
)
def test_an_articles_link_is_cleaned_not_respelled(given: str, expected: str) -> None:
    assert clean_link(given) == expected
    assert canonical_url(expected) == canonical_url(given)  # one article, as its key says


@given(
    host=st.sampled_from(
        ["Example.com", "WWW.B\u00fccher.de", "[2001:DB8::1]", "xn--bcher-kva.de.", "a.b:8080"]
    ),
    rest=st.text(st.sampled_from(list("aZ09-._~%/?#&=;:@!'()*+, \u00e9\u00dfAF2e7E")), max_size=30),
)
def test_a_clean_link_is_the_same_article_and_stays_clean(host: str, rest: str) -> None:
    """The ledger finds an outlet's article in two feeds by the canonical URL of the clean
    link events carry; it must be the entry link's, and cleaning twice must not drift."""
    link = f"http://{host}/{rest}"
    once = clean_link(link)
    assert canonical_url(once) == canonical_url(link)
    assert clean_link(once) == once


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("redis://:s3cret@redis:6379/0", "redis://:***@redis:6379/0"),
        ("amqp://app:s3cret@rabbit:5672/%2F", "amqp://app:***@rabbit:5672/%2F"),
        ("https://TOKEN123@example.com/feed", "https://***@example.com/feed"),
        ("https://u:p@ss@example.com/feed", "https://u:***@example.com/feed"),
        (
            "https://news.example/feed?token=abc&page=2&api_key=k1&author=jane#top",
            "https://news.example/feed?token=***&page=2&api_key=***&author=jane#top",
        ),
        (
            "https://x.example/rss?apiKey=1&X-Amz-Signature=2&sig=3",
            "https://x.example/rss?apiKey=***&X-Amz-Signature=***&sig=***",
        ),
        ("redis://redis:6379/0?password=s3cret", "redis://redis:6379/0?password=***"),
        ("https://news.example/feed.xml", "https://news.example/feed.xml"),
        ("https://news.example/a@b?q=1", "https://news.example/a@b?q=1"),
        ("not a url", "not a url"),
    ],
)
def test_redacted_url_masks_credentials_and_keeps_the_rest(given: str, expected: str) -> None:
    assert redacted_url(given) == expected


def test_redacted_text_masks_every_url_in_a_message() -> None:
    text = "redirect_loop: https://u:pw@a.example/f?token=t visited twice; see 'redis://:x@r/0'"
    assert redacted_text(text) == (
        "redirect_loop: https://u:***@a.example/f?token=*** visited twice; see 'redis://:***@r/0'"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://example.com/2026/x/amp", "https://example.com/2026/x"),
        ("https://example.com/2026/x?amp=1&id=2", "https://example.com/2026/x?id=2"),
        ("https://example.com/2026/x?outputType=amp", "https://example.com/2026/x"),
        ("https://example.com/2026/x?amp=", "https://example.com/2026/x"),
        ("https://example.com/amp", "https://example.com/amp"),  # a site's AMP section
        ("https://example.com/2026/camp", "https://example.com/2026/camp"),
        ("https://example.com/2026/x?amp=2", "https://example.com/2026/x?amp=2"),
        ("https://amp.example.com/2026/x", "https://amp.example.com/2026/x"),
    ],
)
def test_an_entrys_key_leaves_out_its_links_amp_spelling(given: str, expected: str) -> None:
    """Only for keying entries: a feed linking an item's AMP page at one poll and its page
    at the next made it new. The article's URL keeps it (``canonical_url``)."""
    assert without_amp(canonical_url(given)) == expected
