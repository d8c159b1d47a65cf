"""The HTTP port of the fetch stage: one conditional GET with every limit a hostile server needs.

urllib3 is driven by hand (no automatic redirects, no automatic decompression) so that every hop
is checked against the SSRF guard and every byte, compressed or not, counts against a cap. Each
hop resolves its host once, checks every address, and connects to the checked address (Host
header and TLS SNI/certificate name still the host), so a DNS answer that changes between the
check and the connect (rebinding) cannot steer the socket to a private address.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

import brotli
import urllib3
import urllib3.connection

from storywire.proxies import Proxies, Proxy
from storywire.settings import Settings
from storywire.urls import as_dialled, ascii_host, is_public, literal_address

Resolver = Callable[[str, int], list[str]]


class FetchError(Exception):
    """A fetch that produced no usable response; ``reason`` is a short stable code for metrics."""

    def __init__(self, reason: str, detail: str, *, transient: bool = True) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.transient = transient


# text/html is named, least preferred (a specific range outranks */*), because some servers
# answer 406 to a feed request whose Accept does not name it (miniflux#2248, newsboat#2985).
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5, text/html;q=0.1"
)


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    deadline: float = 45.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False
    # What a server that negotiates content should send: feeds by default, HTML for pages.
    accept: str = FEED_ACCEPT
    # False: a redirect to another origin ends the fetch with its 3xx, its Location made
    # absolute, for the caller to decide on that origin first (an article page: its robots.txt).
    cross_origin_redirects: bool = True

    @classmethod
    def from_settings(cls, s: Settings) -> FetchPolicy:
        return cls(
            user_agent=s.user_agent,
            connect_timeout=s.connect_timeout,
            read_timeout=s.read_timeout,
            deadline=s.fetch_deadline,
            max_body_bytes=s.max_body_bytes,
            max_redirects=s.max_redirects,
        )


@dataclass(frozen=True, slots=True)
class FetchResult:
    status: int
    url: str  # final URL after redirects
    body: bytes
    headers: Mapping[str, str]
    redirects: tuple[tuple[int, str], ...] = field(default=())
    elapsed: float = 0.0

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class _Watch:
    """The deadline of one fetch: when it passes, the socket in use is shut down.

    A read timeout bounds each socket read, not the response: a server trickling a byte every
    second (in its headers or its body) never trips it. Shutting the socket down makes the
    blocked read return at once, wherever urllib3 or http.client is in the response.
    """

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.fired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watch:
        _watching.current = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _watching.current = None

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            fired = self.fired
        if fired and sock is not None:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sock = self._sock
        if sock is not None:
            _shutdown(sock)


_watching = threading.local()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _attach_current(sock: socket.socket | None) -> None:
    watch: _Watch | None = getattr(_watching, "current", None)
    if watch is not None:
        watch.attach(sock)


# The statuses a fetch follows (and, where the policy keeps it to one origin, answers with).
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _FinalResponse(http.client.HTTPResponse):
    """A response read past its interim ones: RFC 9110 15.2 has a client read and skip any
    number of 1xx responses before the final one, and http.client skips only 100. A server
    sending 103 Early Hints ahead of its feed was read as answering 103, at every poll."""

    _INTERIM_CAP = 32  # more than any server hints; past it the response is the server's fault

    def _read_status(self) -> tuple[str, int, str]:
        for _ in range(self._INTERIM_CAP):
            version, status, reason = super()._read_status()  # type: ignore[misc]
            # 101 ends the HTTP exchange (an upgrade we never ask for): final, an error status.
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            http.client.parse_headers(self.fp)  # the hints, bounded as any headers are
        raise http.client.HTTPException(f"more than {self._INTERIM_CAP} interim responses")


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    # _new_conn sees a fresh TCP socket before any TLS handshake; getresponse runs for fresh and
    # reused keep-alive connections alike, before the status line is read. Between them the
    # watch always holds the socket the fetch is blocked on.
    response_class = _FinalResponse

    def _new_conn(self) -> socket.socket:
        _watching.fresh = True  # before connecting: a refused connection is a new one's failure
        sock = super()._new_conn()
        _attach_current(sock)
        return sock

    def getresponse(self) -> urllib3.HTTPResponse:  # type: ignore[override]  # as urllib3 does
        _attach_current(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(_WatchedHTTPConnection, urllib3.connection.HTTPSConnection):
    """The same watch hooks in front of the TLS connection (MRO: hooks, then HTTPS)."""


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: dict[str, type[urllib3.HTTPConnectionPool]] = {
    "http": _WatchedHTTPPool,
    "https": _WatchedHTTPSPool,
}


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolve_within(resolver: Resolver, host: str, port: int, seconds: float) -> list[str]:
    """``resolver``'s answer, or ``dns_timeout`` after ``seconds``.

    getaddrinfo blocks in C with no timeout of ours and no socket the deadline's watch could
    shut down, so a hanging resolver would hold the fetch past its deadline: it runs in a
    thread of its own, left behind (daemon) until the system resolver gives up. An address
    literal needs no lookup and no thread.
    """
    if literal_address(host) is not None:
        return resolver(host, port)
    answer: list[list[str]] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            answer.append(resolver(host, port))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting fetch as it is
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(max(seconds, 0.0))
    if failure:
        raise failure[0]
    if not answer:
        raise FetchError("dns_timeout", f"{host}: no answer within {seconds:.1f} s")
    return answer[0]


def check_addresses(
    host: str, port: int, *, allow_private: bool, resolver: Resolver, seconds: float
) -> list[str]:
    """Resolve ``host`` once, within ``seconds``, and return the addresses to connect to, in
    the resolver's order.

    Unless ``allow_private``, refuse hosts that resolve to private, loopback, link-local,
    multicast or reserved space. ``ipaddress`` normalises literals, and getaddrinfo turns
    decimal/octal/hex spellings such as ``2130706433`` or ``0177.0.0.1`` into the address the
    socket would really reach. Every address of the answer is checked, not only the first.
    """
    try:
        addresses = resolve_within(resolver, host, port, seconds)
    except (OSError, UnicodeError) as exc:
        raise FetchError("dns", f"{host}: {exc}") from exc
    if not addresses:
        raise FetchError("dns", f"{host}: no address")
    for text in addresses:
        address = as_dialled(text)
        if not allow_private and not is_public(address):
            raise FetchError(
                "ssrf_blocked", f"{host} resolves to non-public {address}", transient=False
            )
    return list(dict.fromkeys(text.split("%", 1)[0] for text in addresses))


class HttpFetcher:
    """Conditional GETs through one shared connection pool (thread-safe, as urllib3's is)."""

    def __init__(
        self,
        resolver: Resolver = system_resolver,
        num_pools: int = 64,
        *,
        ca_certs: str | None = None,
        proxies: Proxies | None = None,
    ) -> None:
        # maxsize: fetch threads share the pool; a per-host pool of one would churn connections.
        # ca_certs: a private CA bundle (tests, intranets); None uses the system's trust store.
        # proxies: None (or empty) fetches everything directly; the edges pass
        # Proxies.from_env(), the core never reads the environment itself.
        self._pool = urllib3.PoolManager(
            num_pools=num_pools, maxsize=8, retries=False, ca_certs=ca_certs
        )
        self._pool.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        self._resolver = resolver
        self._proxies = proxies or None
        self._num_pools = num_pools
        self._ca_certs = ca_certs
        self._managers: dict[Proxy, urllib3.ProxyManager] = {}
        self._managers_lock = threading.Lock()

    def close(self) -> None:
        with self._managers_lock:
            managers = [self._pool, *self._managers.values()]
        for manager in managers:
            # urllib3 2's clear() forgets its pools without closing them: a kept-alive socket
            # still referenced elsewhere (a fetch's deadline watch, a traceback) stayed open
            # until the cycle collector met it. Only at close: a pool evicted while a fetch
            # holds it must stay usable (urllib3#1237).
            manager.pools.dispose_func = urllib3.HTTPConnectionPool.close
            manager.clear()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        policy: FetchPolicy,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        started = time.monotonic()
        headers = {
            "User-Agent": policy.user_agent,
            "Accept": policy.accept,
            "Accept-Encoding": "gzip, deflate, br",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with _Watch(policy.deadline) as watch:
            try:
                return self._follow(url, headers, policy, started)
            except FetchError as exc:
                # A DNS timeout is its own outcome: the watch has no socket to cut there.
                if watch.fired and exc.reason != "dns_timeout":
                    raise FetchError(
                        "deadline", f"no complete response within {policy.deadline:g} s"
                    ) from None
                raise

    def _follow(
        self, url: str, headers: dict[str, str], policy: FetchPolicy, started: float
    ) -> FetchResult:
        redirects: list[tuple[int, str]] = []
        # Cookies set by a redirect, kept for this fetch only, per host: some servers redirect
        # to the very URL asked for and expect the cookie back (httpx#821, miniflux#1512).
        # The same URL asked again with the same cookies is a loop; with new ones it is not.
        jar: dict[str, dict[str, str]] = {}
        seen = {(url, "")}
        current, cookie = url, ""
        # A paid feed's URL may carry its credentials (https://user:pass@host/feed), as feed
        # readers take them: sent as Basic auth (the userinfo itself never goes on the wire),
        # and only to that origin: a redirect to another host or scheme does not get them.
        auth = _basic_auth(url)
        while True:
            hop_headers = {**headers, "Cookie": cookie} if cookie else headers
            if auth is not None and _origin(current) == auth[0]:
                hop_headers = {**hop_headers, "Authorization": auth[1]}
            response = self._request(current, hop_headers, policy, started)
            status = response.status
            location = _utf8_header(response.headers.get("location"))
            if status in REDIRECTS and location:
                # Closed, not returned to the pool: an unread redirect body must not be reused.
                response.close()
                response.release_conn()
                if len(redirects) >= policy.max_redirects:
                    raise FetchError("redirect_limit", f"more than {policy.max_redirects} hops")
                _keep_cookies(jar, current, response.headers.getlist("set-cookie"))
                try:
                    target = urljoin(current, location)
                    cookie = _cookie_header(jar, target)
                except ValueError as exc:
                    raise FetchError(
                        "bad_redirect", f"unusable Location {location[:200]!r}"
                    ) from exc
                if not policy.cross_origin_redirects and _origin(target) != _origin(current):
                    return FetchResult(
                        status=status,
                        url=current,
                        body=b"",
                        headers={k.lower(): v for k, v in response.headers.items()}
                        | {"location": target},
                        redirects=tuple(redirects),
                        elapsed=time.monotonic() - started,
                    )
                current = target
                if (current, cookie) in seen:
                    raise FetchError("redirect_loop", f"{current} visited twice", transient=False)
                seen.add((current, cookie))
                redirects.append((status, current))
                continue
            try:
                body = _read_capped(response, policy, started)
            except FetchError:
                if status < 400:
                    raise
                # An error page only decorates its status: one cut short, mislabelled, too big
                # or too slow (an overloaded server's 503) must not hide the status and its
                # Retry-After behind a bad_encoding or connection failure.
                body = b""
            return FetchResult(
                status=status,
                url=current,
                body=body,
                headers={k.lower(): v for k, v in response.headers.items()},
                redirects=tuple(redirects),
                elapsed=time.monotonic() - started,
            )

    def _request(
        self, url: str, headers: dict[str, str], policy: FetchPolicy, started: float
    ) -> urllib3.BaseHTTPResponse:
        try:
            parts = urlsplit(url)
        except ValueError as exc:  # e.g. an unterminated IPv6 literal
            raise FetchError("bad_url", f"unparseable URL {url[:200]!r}", transient=False) from exc
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("bad_url", f"not an http(s) URL: {url[:200]}", transient=False)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError("bad_url", f"bad port in {url[:200]}", transient=False) from exc
        try:  # http.client would write an IDN host as latin-1 or fail to encode it
            host = ascii_host(parts.hostname)
        except ValueError as exc:
            raise FetchError("bad_url", f"bad host name in {url[:200]}", transient=False) from exc
        proxy = self._proxies.for_url(parts.scheme, host, port) if self._proxies else None
        if proxy is None:
            addresses = check_addresses(
                host,
                port,
                allow_private=policy.allow_private,
                resolver=self._resolver,
                seconds=_time_left(policy, started, url),
            )
        else:
            addresses = self._checked_if_resolvable(host, port, policy, started, url)
            # A name this worker resolves to loopback is its own machine: through the proxy
            # it would be the proxy's (Proxies.for_url sends loopback literals direct too).
            if addresses and all(as_dialled(a).is_loopback for a in addresses):
                proxy = None
        literal = f"[{host}]" if ":" in host else host
        default_port = port == (443 if parts.scheme == "https" else 80)
        authority = literal if default_port else f"{literal}:{port}"
        request_headers = {**headers, "Host": authority}
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if proxy is not None:
            return self._through(
                proxy,
                scheme=parts.scheme,
                host=host,
                port=port,
                authority=authority,
                target=target,
                headers=request_headers,
                policy=policy,
                started=started,
                url=url,
            )
        # Pinned: the pool connects to a checked address; the name travels in Host and SNI.
        pool_kwargs = (
            {"server_hostname": host, "assert_hostname": host} if parts.scheme == "https" else None
        )
        # An address that takes no connection (refused, unreachable, silent) is followed by the
        # next one, as browsers, curl and requests do: an outlet's dead load balancer or an
        # AAAA record with nothing listening behind it must not fail every poll that meets it
        # first. Once connected, a failure is the fetch's: the request may have been sent.
        for tried, address in enumerate(addresses, 1):
            timeout = _timeout(policy, started, url)
            pool = self._pool.connection_from_host(
                address, port, parts.scheme, pool_kwargs=pool_kwargs
            )
            try:
                return _get(pool, target, request_headers, timeout)
            except urllib3.exceptions.ConnectTimeoutError as exc:  # NewConnectionError too
                if tried == len(addresses):
                    raise FetchError(_error_reason(exc), _tried(exc, tried)) from exc
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise FetchError(_error_reason(exc), str(exc)[:300]) from exc
        raise AssertionError("check_addresses returns at least one address")

    def _checked_if_resolvable(
        self, host: str, port: int, policy: FetchPolicy, started: float, url: str
    ) -> list[str]:
        """The SSRF guard in front of a proxy: a name the worker resolves is refused as a
        direct fetch would refuse it; one it cannot resolve (only the proxy resolves names on
        some networks) is left to the proxy, the operator's egress policy point, which
        resolves it again on its side. Within the connect timeout: the proxy is still to come.
        """
        try:
            return check_addresses(
                host,
                port,
                allow_private=policy.allow_private,
                resolver=self._resolver,
                seconds=min(policy.connect_timeout, _time_left(policy, started, url)),
            )
        except FetchError as exc:
            if exc.reason in ("dns", "dns_timeout"):
                return []
            raise

    def _through(
        self,
        proxy: Proxy,
        *,
        scheme: str,
        host: str,
        port: int,
        authority: str,
        target: str,
        headers: dict[str, str],
        policy: FetchPolicy,
        started: float,
        url: str,
    ) -> urllib3.BaseHTTPResponse:
        """The GET through ``proxy``: https in a CONNECT tunnel to ``host:port`` (TLS to the
        origin inside it, SNI and certificate for ``host``), http as an absolute-form request
        the proxy forwards. Tunnels and proxy connections are pooled as direct ones are."""
        manager = self._manager(proxy)
        timeout = _timeout(policy, started, url)
        if scheme == "https":
            pool_kwargs = {"server_hostname": host, "assert_hostname": host}
            pool = manager.connection_from_host(host, port, "https", pool_kwargs=pool_kwargs)
        else:
            pool = manager.connection_from_host(host, port, "http")
            target = f"http://{authority}{target}"  # absolute-form, for the proxy to forward
        try:
            response = _get(pool, target, headers, timeout)
        except urllib3.exceptions.ProxyError as exc:
            raise _proxy_failure(proxy, exc) from None
        except urllib3.exceptions.ReadTimeoutError as exc:
            if exc.url == manager.proxy.url:  # type: ignore[union-attr]  # set in __init__
                # urllib3 names the proxy's URL when the proxy, not the feed, was silent.
                raise FetchError("proxy", f"{proxy.shown}: no answer to CONNECT") from None
            raise FetchError("timeout", proxy.scrub(str(exc))[:300]) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise FetchError(_error_reason(exc), proxy.scrub(str(exc))[:300]) from None
        if scheme == "http" and response.status == 407:
            # Only a proxy answers 407: the forwarded request never reached the feed.
            response.close()
            response.release_conn()
            raise FetchError("proxy_407", f"{proxy.shown}: 407 Proxy Authentication Required")
        return response

    def _manager(self, proxy: Proxy) -> urllib3.ProxyManager:
        with self._managers_lock:
            manager = self._managers.get(proxy)
            if manager is None:
                auth = proxy.authorization
                manager = urllib3.ProxyManager(
                    proxy.url,
                    num_pools=self._num_pools,
                    proxy_headers={"Proxy-Authorization": auth} if auth else None,
                    maxsize=8,
                    retries=False,
                    ca_certs=self._ca_certs,
                )
                manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
                self._managers[proxy] = manager
            return manager


_TUNNEL_REFUSED = re.compile(r"Tunnel connection failed: (\d{3})")
_CONNECTION_REPR = re.compile(r"^\w+\(host='[^']*', port=\d+\): ")  # urllib3's, saying less


def _proxy_failure(proxy: Proxy, exc: urllib3.exceptions.ProxyError) -> FetchError:
    """``proxy_<status>`` when the proxy answered CONNECT with anything but 200 (403: its
    policy refused the host, 407: credentials missing or wrong, 502/503: it could not reach
    the feed), else ``proxy``: it could not be reached or spoke no HTTP. The detail names the
    proxy without its password."""
    cause = exc.original_error if exc.original_error is not None else exc
    text = _CONNECTION_REPR.sub("", proxy.scrub(" ".join(str(cause).split())))
    refused = _TUNNEL_REFUSED.search(text)
    if refused:
        return FetchError(f"proxy_{refused[1]}", f"{proxy.shown}: {text[:300]}")
    return FetchError("proxy", f"{proxy.shown}: {text[:300]}")


def _get(
    pool: urllib3.HTTPConnectionPool, target: str, headers: dict[str, str], timeout: urllib3.Timeout
) -> urllib3.BaseHTTPResponse:
    """The GET, sent again on a new connection when a pooled one dies before any answer.

    A keep-alive connection idle since an earlier poll may have been dropped by the network
    (a NAT's or firewall's flow expired: a reset when it is used again) or closed by the
    server as the request went out; the GET never reached the server, and asking again is
    what curl, Go and browsers do. Each dead connection leaves the pool, and the deadline
    ends the rest; a new connection's failure is the server's answer and stays the fetch's.
    """
    while True:
        _watching.fresh = False
        try:
            return pool.urlopen(
                "GET",
                target,
                headers=headers,
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                timeout=timeout,
            )
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.ProxyError):
            # urllib3 calls a reset on a forwarding proxy's reused connection a ProxyError.
            watch: _Watch | None = getattr(_watching, "current", None)
            if getattr(_watching, "fresh", True) or (watch is not None and watch.fired):
                raise


def _tried(exc: Exception, count: int) -> str:
    detail = str(exc)[:300]
    return detail if count == 1 else f"{detail} (each of {count} addresses failed)"


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), (parts.hostname or "").lower(), _port(parts)
    except ValueError:  # a bad port or host: _request says so
        return None


def _port(parts: SplitResult) -> int | None:
    return parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())


def _basic_auth(url: str) -> tuple[tuple[str, str, int | None] | None, str] | None:
    """The origin of ``url`` and the Basic ``Authorization`` its userinfo makes; None without."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.username is None:
        return None
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return _origin(url), "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _utf8_header(value: str | None) -> str | None:
    """A header value as its sender meant it: http.client decodes header bytes as latin-1, but
    a Location with raw non-ASCII is UTF-8 (``/nachrichten/über``), as browsers, curl and
    requests read it; read as latin-1 it became ``Ã¼``, a page that does not exist. Bytes that
    are not UTF-8 stay latin-1."""
    if value is None or value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


_COOKIE_CAP = 4096  # bytes of Cookie header per host: a login wall's, not a tracker's


def _keep_cookies(jar: dict[str, dict[str, str]], url: str, set_cookies: list[str]) -> None:
    """Each Set-Cookie's name=value (attributes ignored), filed under the host that sent it."""
    host = _cookie_host(url)
    for line in set_cookies:
        name, _, value = line.split(";", 1)[0].partition("=")
        name, value = name.strip(), value.strip()
        # Only what is safe to send back in one header line.
        if name and (name + value).isprintable() and (name + value).isascii():
            jar.setdefault(host, {})[name] = value


def _cookie_host(url: str) -> str:
    # One key for filing and for sending back: the two must name a host alike.
    return (urlsplit(url).hostname or "").lower()


def _cookie_header(jar: dict[str, dict[str, str]], url: str) -> str:
    pairs = [f"{n}={v}" for n, v in jar.get(_cookie_host(url), {}).items()]
    while pairs and sum(len(pair) + 2 for pair in pairs) > _COOKIE_CAP:
        pairs.pop()  # whole cookies dropped, last set first, never one cut in half
    return "; ".join(pairs)


def _timeout(policy: FetchPolicy, started: float, url: str) -> urllib3.Timeout:
    """The policy's connect and read timeouts, neither past the deadline's time left."""
    remaining = _time_left(policy, started, url)
    return urllib3.Timeout(
        connect=min(policy.connect_timeout, remaining), read=min(policy.read_timeout, remaining)
    )


def _time_left(policy: FetchPolicy, started: float, url: str) -> float:
    remaining = policy.deadline - (time.monotonic() - started)
    if remaining <= 0:
        raise FetchError("deadline", f"no time left before {url[:200]}")
    return remaining


def _error_reason(exc: Exception) -> str:
    # urllib3 derives its refused-connection error from ConnectTimeoutError: nothing listened.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "connection"
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return "timeout"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return "tls"
    return "connection"


def header_number(value: str | None) -> float | None:
    """A header holding a non-negative integer (Content-Length, Age, Retry-After seconds), or
    None when it holds anything else: a latin-1 superscript ("²", byte 0xB2) passes
    ``isdigit()`` but not ``float()``, so ASCII digits only. Overlong digits are infinity."""
    value = value.strip() if value else ""
    return float(value) if value.isascii() and value.isdigit() else None


def _read_capped(response: urllib3.BaseHTTPResponse, policy: FetchPolicy, started: float) -> bytes:
    """Stream the body under the byte cap and the total deadline, then decompress under the cap."""
    declared = response.headers.get("content-length")
    length = header_number(declared)
    if length is not None and length > policy.max_body_bytes:
        response.close()
        response.release_conn()
        raise FetchError("too_large", f"declared {declared} bytes", transient=False)
    chunks: list[bytes] = []
    size = 0
    complete = False
    try:
        for chunk in response.stream(64 * 1024, decode_content=False):
            size += len(chunk)
            if size > policy.max_body_bytes:
                raise FetchError(
                    "too_large", f"over {policy.max_body_bytes} bytes", transient=False
                )
            _check_deadline(policy, started)
            chunks.append(chunk)
        complete = True
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        _check_deadline(policy, started)
        raise FetchError(_error_reason(exc), str(exc)[:300]) from exc
    finally:
        if not complete:
            response.close()  # a half-read connection must never go back to the pool
        response.release_conn()
    _check_deadline(policy, started)
    return decompress(
        b"".join(chunks), response.headers.get("content-encoding", ""), policy.max_body_bytes
    )


def _check_deadline(policy: FetchPolicy, started: float) -> None:
    if time.monotonic() - started > policy.deadline:
        raise FetchError("deadline", f"body not read within {policy.deadline:g} s")


def decompress(body: bytes, encoding: str, limit: int) -> bytes:
    """Undo Content-Encoding without ever holding more than ``limit`` decoded bytes (bombs).

    Servers misstate it: gzip declared on a body sent as it is, a charset in its place
    ("UTF-8"), gzip applied twice (``gzip, gzip``, or said once), gzip not said at all, gzip
    said to be deflate. A coding
    that fails on a body that already opens as a document is taken as not applied, and a
    result that still opens with gzip's magic is unwrapped once more: no feed starts so.
    Anything else that does not decode is ``bad_encoding``.
    """
    # A 304 (or any empty body) may repeat the 200's Content-Encoding: nothing to decode, and
    # an empty brotli or zlib stream would otherwise read as a truncated one.
    if not body:
        return body
    out = body
    # RFC 9110 8.4: codings are listed in the order applied, so they come off last first.
    for coding in reversed(encoding.lower().split(",")):
        try:
            out = _decode(out, coding.strip(), limit)
        except FetchError as exc:
            if exc.reason != "bad_encoding" or not _opens_as_document(out):
                raise
    if out.startswith(_GZIP_MAGIC):
        out = _decode(out, "gzip", limit)
    return out


def _opens_as_document(body: bytes) -> bool:
    head = body[:512]
    # A UTF-16 document's "<" stands behind a NUL: read by its byte order mark.
    order = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(head[:2])
    if order is not None:
        text = head[2 : 2 + (len(head) - 2) // 2 * 2].decode(order, "replace")
        return text.lstrip().startswith(("<", "{"))
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith((b"<", b"{"))


def _decode(body: bytes, encoding: str, limit: int) -> bytes:
    if encoding in ("", "identity"):
        return body
    # A gzip body said to be deflate (the two are confused) is read as the gzip it is.
    if encoding in ("gzip", "x-gzip") or (encoding == "deflate" and body.startswith(_GZIP_MAGIC)):
        out = _gzip_capped(body, limit)
    elif encoding == "deflate":
        decoder = zlib.decompressobj(zlib.MAX_WBITS)
        try:
            out = decoder.decompress(body, limit + 1)
        except zlib.error:
            decoder = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
            try:
                out = decoder.decompress(body, limit + 1)
            except zlib.error:
                raise FetchError("bad_encoding", "corrupt deflate body", transient=False) from None
        _check_complete(decoder, len(out), limit, encoding)
    elif encoding == "br":
        try:
            out = _brotli_capped(body, limit)
        except brotli.error as exc:
            raise FetchError("bad_encoding", "corrupt brotli body", transient=False) from exc
    else:
        raise FetchError(
            "bad_encoding", f"unsupported content-encoding {encoding[:50]!r}", transient=False
        )
    if len(out) > limit:
        raise FetchError("too_large", f"decompresses past {limit} bytes", transient=False)
    return out


def _gzip_capped(body: bytes, limit: int) -> bytes:
    """Every member of a gzip body (RFC 1952 lets a sender concatenate them, and servers that
    stream a feed do), under one cap for them all.

    Bytes after a member that do not open another one (zero padding, a stray newline) are
    ignored, as urllib3 and gzip(1) do. Input goes in 16 KiB at a time because zlib copies what
    follows a member's end: fed whole, ten megabytes of tiny members would cost quadratic time.
    """
    step = 16 * 1024
    out = bytearray()
    view = memoryview(body)
    position = 0
    decoder = zlib.decompressobj(47)  # 32 + 15: a gzip header, or a zlib one mislabelled gzip
    while len(out) <= limit:
        if decoder.eof:
            position -= len(decoder.unused_data)
            if not body.startswith(_GZIP_MAGIC, position):
                break
            decoder = zlib.decompressobj(47)
        chunk = view[position : position + step]
        if not chunk:
            break
        position += len(chunk)
        try:
            out += decoder.decompress(chunk, limit + 1 - len(out))
        except zlib.error:
            raise FetchError("bad_encoding", "corrupt gzip body", transient=False) from None
    _check_complete(decoder, len(out), limit, "gzip")
    return bytes(out)


_GZIP_MAGIC = b"\x1f\x8b"


def _check_complete(decoder: zlib._Decompress, size: int, limit: int, encoding: str) -> None:
    # zlib returns what it could of a stream without its end; a body cut short (a
    # close-delimited response whose sender died) would parse as a feed missing entries.
    if size <= limit and not decoder.eof:
        raise FetchError("bad_encoding", f"truncated {encoding} body", transient=False)


def _brotli_capped(body: bytes, limit: int) -> bytes:
    """Brotli under a cap: each call's output is bounded, not only the input chunk.

    A few hundred compressed bytes can expand to gigabytes in one ``process`` call, so the
    decoder's own ``output_buffer_limit`` bounds every call, and input is fed only once it has
    drained what it holds.
    """
    step = 64 * 1024
    decoder = brotli.Decompressor()
    out = bytearray()
    view = memoryview(body)
    position = 0
    while len(out) <= limit and not decoder.is_finished():
        if position < len(body) and decoder.can_accept_more_data():
            chunk = bytes(view[position : position + step])
            position += step
        else:
            chunk = b""
        produced = decoder.process(chunk, output_buffer_limit=step)
        if not chunk and not produced:
            break  # truncated stream: nothing more will come out
        out += produced
    if len(out) <= limit and not decoder.is_finished():
        raise FetchError("bad_encoding", "truncated brotli body", transient=False)
    return bytes(out)
