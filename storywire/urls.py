"""Canonical URLs: one spelling per article, whatever tracking a feed glued onto its links;
and which hosts are addresses outside the public internet."""

from __future__ import annotations

import base64
import binascii
import contextlib
import ipaddress
import re
import socket
import unicodedata
from functools import partial
from urllib.parse import (
    SplitResult,
    parse_qsl,
    quote,
    unquote_plus,
    urlencode,
    urljoin,
    urlsplit,
    urlunsplit,
)

# Parameters that identify a campaign or a click, never the article itself.
_TRACKING_EXACT = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid",
        "yclid", "_hsenc", "_hsmi", "mkt_tok", "ocid", "cmpid", "ito", "ns_mchannel",
        "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "rss", "cmp", "src", "smid",
        "ref", "ref_src", "ref_url", "__twitter_impression", "at_medium", "at_campaign",
        "guccounter", "traffic_source", "maca", "cid", "ftag", "taid",
        # AT Internet (Le Monde, Le Figaro, franceinfo), NYT, Webtrends, Adobe, Google's linker,
        # old Reuters feeds
        "xtor", "xtref", "emc", "wt.mc_id", "s_cid", "_ga", "_gl", "feedtype", "feedname",
        # Spiegel's SARA campaigns, El País's social-media marker
        "sara_ecid", "sara_ref", "ssm",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "ga_", "hsa_")
# Names that select content on some sites, so they go only when their value marks a click from
# a feed: Medium's source=rss-…, NYT's partner=rss, WSJ's mod=rss_…, CNN's eref=rss_world,
# TechCrunch's ncid=rss
_CAMPAIGN_NAMES = frozenset({"source", "partner", "from", "mod", "via", "origin", "eref", "ncid"})
_FEED_CAMPAIGN = re.compile(r"rss(?:[-_].*)?", re.IGNORECASE | re.DOTALL)
# Names that mark where a click came from by a code of the outlet's: Yonhap's input=1195m or
# input=rss (its feeds; 1179m its home page). Another value may be what the page shows: kept.
_CLICK_CODES = {"input": re.compile(r"\d{4}[a-z]|rss", re.ASCII | re.IGNORECASE)}
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Not after a colon: a URL carried in the path (an archive's "/web/2020/https://…", a redirect's
# "/*https://…") is the link itself, and "https:/" reaches nothing.
_MULTI_SLASH = re.compile(r"(?<!:)/{2,}")
# RFC 3986 §2.3: these never need encoding, so %7E and ~ are one path (§6.2.2.2)
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT_TRIPLET = re.compile(r"%([0-9A-Fa-f]{2})")
# What a path may carry unencoded besides the unreserved (RFC 3986 pchar, "/", and "%" for the
# triplets already there); anything else (a space, non-ASCII) is encoded as browsers send it.
_PATH_SAFE = "/%:@!$&'()*+,;="
_QUERY_SAFE = _PATH_SAFE + "?"
# A server's session, as a path parameter (a Java servlet's ;jsessionid=, others' ;sessionid=
# or ;phpsessid=): a new one per visit without a cookie (every poll), never the article.
_SESSION_PARAM = re.compile(r";(?:j|php)?sessionid=[^/;?#]*", re.IGNORECASE)
# ASP.NET's cookieless session (and forms ticket, anonymous id): a path segment "/(S(…))/",
# "/(X(1)S(…))/" before the application's path.
_ASPNET_SESSION = re.compile(r"/\((?:[A-Z]\([^()/]*\))+\)(?=/)")
# Query names that carry a session: PHP's own, and phpBB's sid= when its value is one (32 hex
# digits); PHP-Nuke's sid= is the article's number.
_SESSION_QUERY = re.compile(r"(?:^|[?&])(?:phpsessid|sid)=", re.IGNORECASE)
_SESSION_SID = re.compile(r"[0-9a-f]{32}", re.IGNORECASE)
_nfc = partial(unicodedata.normalize, "NFC")
_MAX_LABEL = 63  # octets of one DNS label (RFC 1035)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov"})

# Google News links every item through news.google.com/rss/articles/<id>. Its own parameters
# there (oc=5, the edition's hl/gl/ceid) name no article.
_GOOGLE_NEWS = "news.google.com"
_GOOGLE_NEWS_PARAMS = frozenset({"oc", "hl", "gl", "ceid"})
_GOOGLE_NEWS_ARTICLE = re.compile(r"/(?:[\w.]+/)*?(?:articles|read)/([^/]+)")

# Aggregators that link each item through a click counter carrying the outlet's URL in its
# query: Bing News (bing.com/news/apiclick.aspx?…&url=…), Google Alerts (google.com/url?url=…).
# Host, path: the parameters that may carry it.
_CLICK_REDIRECTS = {
    ("bing.com", "/news/apiclick.aspx"): ("url",),
    ("google.com", "/url"): ("url", "q"),
}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def _tracks(name: str, value: str) -> bool:
    if is_tracking_param(name):
        return True
    if _is_session(name, value):
        return True
    lowered = name.lower()
    code = _CLICK_CODES.get(lowered)
    if code is not None:
        return code.fullmatch(value) is not None
    return lowered in _CAMPAIGN_NAMES and _FEED_CAMPAIGN.fullmatch(value) is not None


def canonical_url(url: str) -> str:
    """Normalise ``url`` so two spellings of one article compare equal.

    Lower-cases scheme and host (an internationalised one as punycode), drops ``www.``, default
    ports, fragments (but a single-page app's route, ``#!/…`` or ``#/…``), session ids and
    tracking parameters, applies RFC 3986's normalisations of the path (percent-encoding, dot
    segments), sorts the remaining query and upgrades http to https (outlets serve both; the
    article is one). Anything that is not an absolute http(s) URL, or that urllib cannot split
    (a feed's ``http://[::1/x``), is returned stripped but otherwise untouched. A key, not a
    link to follow: ``clean_link`` is the article's address as events give it.
    """
    return _normalised(url, key=True)


def clean_link(url: str) -> str:
    """``url`` as an article's address to open: without what ``canonical_url`` drops that never
    chooses the page (tracking parameters, sessions, an anchor, a default port, credentials,
    an aggregator's click redirect around it), but with what may choose the server or the
    page as the outlet wrote it: the scheme (a site serving only http), ``www.`` (a bare domain
    with nothing behind it), double and trailing slashes, the query's order and spelling.
    Its ``canonical_url`` is the link's.
    """
    return _normalised(url, key=False)


def _normalised(url: str, *, key: bool) -> str:
    url = url.strip()
    parts = split_url(url)
    if parts is None or parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return url
    scheme = parts.scheme.lower()
    host = parts.hostname.lower().rstrip(".")
    with contextlib.suppress(ValueError):  # kept as written: no fetch could reach it anyway
        host = ascii_host(host)
    bare = host.removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    # urllib gives an IPv6 host without the brackets the URL needs around it
    shown = bare if key else host
    bracketed = f"[{shown}]" if ":" in shown else shown
    netloc = bracketed if port in (None, _DEFAULT_PORTS[scheme]) else f"{bracketed}:{port}"
    path = _normal_path(_MULTI_SLASH.sub("/", parts.path) or "/")
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    params = parse_qsl(parts.query, keep_blank_values=True)
    target = _redirect_target(bare, path, params)
    if target is not None:
        return _normalised(target, key=key)
    dropped = _tracks
    if bare == _GOOGLE_NEWS and (article := _GOOGLE_NEWS_ARTICLE.fullmatch(path)):
        target = google_news_target(article.group(1))
        if target is not None:
            return _normalised(target, key=key)
        dropped = _tracks_or_google_news
    # A fragment is an anchor or a marker (#xtor=RSS-3, #Echobox=…), except where a
    # single-page app routes by it: there it is the page.
    fragment = parts.fragment if parts.fragment.startswith(("!", "/")) else ""
    if key:
        query = urlencode(sorted((k, v) for k, v in params if not dropped(k, v)))
        return urlunsplit(("https", netloc, path, query, fragment))
    kept = [
        quote(pair, safe=_QUERY_SAFE)  # a raw space or non-ASCII encoded as browsers send it
        for pair in parts.query.split("&")
        if pair and not dropped(*map(unquote_plus, pair.partition("=")[::2]))
    ]
    path = _normal_path(parts.path or "/")
    return urlunsplit((scheme, netloc, path, "&".join(kept), fragment))


def _tracks_or_google_news(name: str, value: str) -> bool:
    return name.lower() in _GOOGLE_NEWS_PARAMS or _tracks(name, value)


# Query names that only mark where a click came from (an ad's, a newsletter's, an analytics
# campaign's) and never choose what a URL serves. For telling feeds apart these are the only
# names dropped: the article list above also holds names by which a feed URL picks its
# content (Sina's and XOOPS's rss.php?cid=N, ?rss=N, ?src=…, ?ref=…).
_CLICK_MARKS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid",
     "yclid", "_hsenc", "_hsmi", "mkt_tok", "_ga", "_gl"}
)  # fmt: skip


def feed_identity(url: str) -> str:
    """Who a feed URL is, so two spellings of one feed compare equal and two feeds never do.

    ``canonical_url`` for scheme, host, ``www.``, port, path and fragment, but of the query only
    click markers go (``utm_…``, ``fbclid``, …): the article list of tracking names would make
    ``rss.php?cid=1`` and ``rss.php?cid=2``, two feeds, one.
    """
    parts = split_url(url.strip())
    if parts is None or not parts.query:
        return canonical_url(url)
    base = split_url(canonical_url(urlunsplit(parts._replace(query=""))))
    if base is None:
        return canonical_url(url)
    params = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _CLICK_MARKS and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit(base._replace(query=urlencode(sorted(params))))


def ascii_host(host: str) -> str:
    """``host`` with each non-ASCII label as its punycode (``xn--…``), the form DNS, the Host
    header, TLS and most feeds use. Not Python's idna codec: IDNA 2003 maps ß to ss, another
    registered domain, where browsers (IDNA 2008) keep it. The one conversion for canonical
    URLs and the fetcher, so an article's canonical host is the host that was fetched.

    Raises ValueError for a name DNS cannot hold: an empty label (but a trailing dot's) or a
    label over 63 characters.
    """
    if host.isascii():
        return host
    labels = [
        label if label.isascii() else "xn--" + _nfc(label).encode("punycode").decode()
        for label in host.split(".")
    ]
    if "" in labels[:-1] or max(map(len, labels)) > _MAX_LABEL:
        raise ValueError(f"not a DNS name: {host[:200]!r}")
    return ".".join(labels)


def _normal_path(path: str) -> str:
    """RFC 3986 §6.2.2 on a path: what needs encoding encoded (UTF-8), percent-encoding in
    upper case, unreserved characters decoded, dot segments removed; a servlet's
    ``;jsessionid=`` dropped. Reserved characters keep their encoding: %2F is not a "/"."""
    without = _without_path_session(path)
    if without != path:  # a session alone in its segment ("/a/;jsessionid=…/b") left "//"
        without = _MULTI_SLASH.sub("/", without)
    path = quote(without, safe=_PATH_SAFE)
    path = _PERCENT_TRIPLET.sub(_triplet, path)
    segments: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if segments:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    return "/" + "/".join(segments)


def _triplet(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _redirect_target(host: str, path: str, params: list[tuple[str, str]]) -> str | None:
    """The outlet's URL an aggregator's click redirect carries, or None. One that is itself
    such a redirect is not followed: its click counter's URL stands, and canonicalising stays
    one step however a link nests them."""
    names = _CLICK_REDIRECTS.get((host, path.lower()))
    if names is None:
        return None
    for name, value in params:
        if name.lower() not in names:
            continue
        parts = split_url(value.strip())
        if parts is None or parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
            continue
        inner = parts.hostname.lower().rstrip(".").removeprefix("www.")
        if (inner, _MULTI_SLASH.sub("/", parts.path) or "/") not in _CLICK_REDIRECTS:
            return value.strip()
    return None


def article_link(link: str) -> str:
    """Where an entry's page is: the outlet's URL a Google News redirect or an aggregator's
    click redirect carries (as written, for it to be fetched), else ``link`` itself."""
    parts = split_url(link.strip())
    if parts is None:
        return link
    host = (parts.hostname or "").lower().rstrip(".").removeprefix("www.")
    params = parse_qsl(parts.query, keep_blank_values=True)
    redirected = _redirect_target(host, _MULTI_SLASH.sub("/", parts.path), params)
    if redirected is not None:
        return redirected
    if host != _GOOGLE_NEWS:
        return link
    article = _GOOGLE_NEWS_ARTICLE.fullmatch(_MULTI_SLASH.sub("/", parts.path))
    target = google_news_target(article.group(1)) if article else None
    return target or link


def google_news_target(article_id: str) -> str | None:
    """The outlet's URL that a Google News article id carries, or None.

    The id is a base64url protobuf: field 1 a number, field 4 the article's URL (field 26 its
    AMP twin). Ids minted since 2024 carry an opaque token there instead ("AU_yqL…"), which
    only Google can resolve; those stay Google's link.
    """
    try:
        data = base64.urlsafe_b64decode(article_id + "=" * (-len(article_id) % 4))
    except (binascii.Error, ValueError):
        return None
    if data[:1] != b"\x08":
        return None
    index = _varint(data, 1)[1]
    if data[index : index + 1] != b"\x22":
        return None
    length, index = _varint(data, index + 1)
    raw = data[index : index + length]
    if length < 0 or len(raw) != length or not raw.startswith((b"https://", b"http://")):
        return None
    try:
        url = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    parts = split_url(url)
    return url if parts is not None and parts.hostname else None


def _varint(data: bytes, index: int) -> tuple[int, int]:
    """A protobuf varint at ``index``: its value and the index after it (-1 when cut off)."""
    value = shift = 0
    while index < len(data) and shift < 64:
        byte = data[index]
        value |= (byte & 0x7F) << shift
        index += 1
        if not byte & 0x80:
            return value, index
        shift += 7
    return -1, len(data)


def registrable_domain(url_or_host: str) -> str:
    """A cheap registrable-domain guess (last two labels, three for ``co.uk``-style suffixes);
    an address is its own; "" when ``url_or_host`` cannot be split."""
    if "//" in url_or_host:
        parts = split_url(url_or_host)
        host = parts.hostname if parts else None
    else:
        host = url_or_host
    host = (host or "").lower().rstrip(".")
    if literal_address(host) is not None:
        return host
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


# Longer is no real image's address, and would ride along in every event of its article.
MAX_IMAGE_URL = 2048
_NOT_IN_A_URL = re.compile(r"[\x00-\x20\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def web_url(link: object, base: str | None) -> str | None:
    """``link`` made absolute against ``base`` when it is an http(s) URL, else None: another
    scheme (data:, javascript:), a relative link with no base, whitespace inside, junk, or one
    longer than ``MAX_IMAGE_URL``. For the addresses an event hands on as links to follow."""
    if not isinstance(link, str):
        return None
    link = link.strip()
    if not link or len(link) > MAX_IMAGE_URL or _NOT_IN_A_URL.search(link):
        return None
    try:
        resolved = urljoin(base, link) if base else link
    except ValueError:
        return None
    if _CONTROL.search(resolved):  # from the base: an entry link with NUL bytes in its host
        return None
    parts = split_url(resolved)
    if parts is None or parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return resolved if len(resolved) <= MAX_IMAGE_URL else None


def split_url(url: str) -> SplitResult | None:
    """``urlsplit(url)``, or None for a link urllib refuses (feeds carry such links)."""
    try:
        return urlsplit(url)
    except ValueError:  # an unbalanced "[" or "]" in the host: not a URL urllib can read
        return None


def _without_path_session(path: str) -> str:
    if ";" in path:
        path = _SESSION_PARAM.sub("", path)
    return _ASPNET_SESSION.sub("", path) if "(" in path else path


# The AMP spelling of an article's URL, as a CMS's AMP plugin (WordPress's ?amp=1, /amp/ after
# the slug) or an outlet (the Washington Post's ?outputType=amp) writes it.
_AMP_MARKS = frozenset({("amp", ""), ("amp", "1"), ("amp", "true"), ("outputtype", "amp")})
_AMP_SEGMENT = "/amp"


def without_amp(canonical: str) -> str:
    """A ``canonical_url`` without its AMP spelling (a last ``/amp`` segment after another,
    ``?amp``, ``?amp=1``, ``?outputType=amp``): what an entry is keyed by, so a feed that
    links an item's AMP page at one poll and its page at the next does not make it new. Not
    the article's URL: an AMP page is another document (see ``canonical_url``)."""
    if "amp" not in canonical.lower():
        return canonical
    parts = split_url(canonical)
    if parts is None:
        return canonical
    path = parts.path
    if len(path) > len(_AMP_SEGMENT) and path.endswith(_AMP_SEGMENT):  # not a site's /amp
        path = path[: -len(_AMP_SEGMENT)]
    params = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in params if (k.lower(), v.lower()) not in _AMP_MARKS]
    if path == parts.path and len(kept) == len(params):
        return canonical
    return urlunsplit(parts._replace(path=path, query=urlencode(kept)))


def without_session(url: str) -> str:
    """``url`` without a session id, the ones ``canonical_url`` drops from a link (a path
    parameter such as ``;jsessionid=``, ASP.NET's ``/(S(…))/``, PHP's ``PHPSESSID=``, phpBB's
    ``sid=``): a new one per visit without a cookie (every poll), in a feed's GUIDs as in its
    links. The rest stays as written: a GUID without one keeps its key."""
    if ";" not in url and "(" not in url and "sid=" not in url.lower():
        return url  # nearly every GUID (no regex: a case-blind one costs ten times as much)
    query = url.find("?")
    path, rest = (url, "") if query < 0 else (url[:query], url[query:])
    path = _without_path_session(path)
    if rest and _SESSION_QUERY.search(rest):
        rest, hash_, fragment = rest.partition("#")
        kept = [p for p in rest[1:].split("&") if not _is_session(*p.partition("=")[::2])]
        rest = ("?" + "&".join(kept) if kept else "") + hash_ + fragment
    return path + rest


def _is_session(name: str, value: str) -> bool:
    lowered = name.lower()
    if lowered == "sid":
        return _SESSION_SID.fullmatch(value) is not None
    return lowered == "phpsessid"


def as_dialled(text: str) -> Address:
    """An IP address as a socket reaches it: zone dropped, an IPv4-mapped IPv6 address as the
    IPv4 one (``::ffff:127.0.0.1`` is loopback). ValueError when ``text`` is not an address."""
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


# IPv6 prefixes that carry an IPv4 address a translator or relay delivers to: NAT64's
# well-known prefix (RFC 6052; the address in the last 32 bits) and 6to4 (RFC 3056; bits 16-48).
# NAT64's local-use prefix (RFC 8215) places it by a prefix length only its network knows.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def is_public(address: Address) -> bool:
    """Neither private, loopback, link-local, reserved nor multicast: what the fetch stage
    reaches for a source without ``allow_private``.

    ``is_global`` alone (Python 3.11) passes reserved ``::/8`` (IPv4-compatible ``::7f00:1``),
    site-local ``fec0::/10``, and NAT64 and 6to4 addresses whatever IPv4 address they carry
    (``64:ff9b::a9fe:a9fe`` is 169.254.169.254 through a NAT64 gateway): an IPv6 address that
    carries an IPv4 one is public only when that one is.
    """
    if isinstance(address, ipaddress.IPv6Address) and address in _NAT64:
        # Before the rest: ::/8 is reserved and holds 64:ff9b::, which DNS64 answers for an
        # IPv4-only feed on an IPv6-only network.
        return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if not address.is_global or address.is_multicast or address.is_reserved:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return True
    if address.is_site_local or address in _NAT64_LOCAL:
        return False
    carried = address.sixtofour
    return carried is None or is_public(carried)


def literal_address(host: str) -> Address | None:
    """The address ``host`` is by its spelling alone, or None for a name; never asks DNS.

    Beyond ipaddress's forms, the resolver's own numeric ones: ``2130706433``, ``0177.0.0.1``,
    ``0x7f.1`` dial 127.0.0.1 just the same, and inet_aton parses them as getaddrinfo does.
    """
    try:
        return as_dialled(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):  # a name; ValueError: NUL or non-ASCII in it
        return None


# Query parameters that carry a credential: a paid newsletter's feed (?token=, ?api_key=,
# ?key=, ?auth=), a signed URL's signature, redis-py's ?password=. "author" is no secret.
_SECRET_PARAM = re.compile(
    r"token|secret|passw|pwd|credential|signature|session|auth(?!or)|key$|^(?:sig|jwt|pass|pw)$",
    re.IGNORECASE,
)
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
REDACTED = "***"


def _authority_split(url: str) -> tuple[str, str, str] | None:
    """``url``'s scheme, authority and the rest, written as they are; None without "://". The
    authority ends at the first "/", "?" or "#": a path or query may hold an "@"."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    return scheme, rest[:end], rest[end:]


def redacted_url(url: str) -> str:
    """``url`` as a log line, an error or an operator's screen may show it: the password of its
    userinfo, a userinfo that is a token alone (``https://TOKEN@host/feed``), and the values of
    query parameters that carry credentials become ``***``; the rest is kept as written, so the
    operator still tells one URL from another. Never for a URL that is to be dialled."""
    split = _authority_split(url)
    if split is None:
        return url
    scheme, netloc, tail = split
    userinfo, at, host = netloc.rpartition("@")
    if at:
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{host}" if colon else f"{REDACTED}@{host}"
    tail, hash_, fragment = tail.partition("#")
    path, question, query = tail.partition("?")
    if question:
        query = "&".join(map(_redacted_param, query.split("&")))
    return f"{scheme}://{netloc}{path}{question}{query}{hash_}{fragment}"


def _redacted_param(param: str) -> str:
    name, equals, value = param.partition("=")
    if equals and value and _SECRET_PARAM.search(unquote_plus(name)):
        return f"{name}={REDACTED}"
    return param


def without_userinfo_of(text: str, feed_url: str) -> str:
    """``text`` (a link, or HTML) without ``feed_url``'s userinfo in any link.

    A feed's relative links are made absolute against the URL it was fetched from, which
    copies that URL's ``user:password@`` into every one of them. The fetch stage dials them
    as they are (full text: the site's Basic auth), but events hand them to consumers. The
    HTML of an attribute escapes ``&``, which a userinfo may contain, so both spellings go."""
    split = _authority_split(feed_url)
    userinfo, at, _ = split[1].rpartition("@") if split else ("", "", "")
    if not at:
        return text
    for spelling in {userinfo, userinfo.replace("&", "&amp;")}:
        text = text.replace(f"//{spelling}@", "//")
    return text


def redacted_text(text: str) -> str:
    """``text`` (an error message, an exception's text) with each URL in it ``redacted_url``."""
    return _URL_IN_TEXT.sub(lambda match: redacted_url(match[0]), text)
