"""The HTTP adapter through a real loopback egress proxy: tunnels, forwarding, NO_PROXY, the
SSRF guard in front of the proxy, credentials, refusals and a proxy that is down."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from storywire.adapters.http import FetchError, FetchPolicy, HttpFetcher
from storywire.proxies import Proxies
from tests.support.httpserver import Reply, http_server
from tests.support.proxyserver import LoopbackProxy, closed_port, proxy_server
from tests.support.tlscert import throwaway_cert

POLICY = FetchPolicy(user_agent="storywire-test", read_timeout=2.0, deadline=5.0)
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def unresolvable(host: str, port: int) -> list[str]:
    """The worker's resolver on a network where only the proxy resolves names."""
    raise OSError(f"{host}: Name or service not known")


def public(host: str, port: int) -> list[str]:
    """A resolver answering a public address (documentation's 93.184.215.14, never dialled
    here: every fetch of these tests goes through the loopback proxy)."""
    return ["93.184.215.14"]


def _feed(handler: BaseHTTPRequestHandler) -> Reply:
    """The feed, with the Host header the origin got in a response header."""
    return Reply(200, RSS, {"X-Host": handler.headers.get("Host", "")})


def _fetcher(env: dict[str, str], **kwargs: object) -> HttpFetcher:
    return HttpFetcher(proxies=Proxies.from_env(env), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def origin() -> Iterator[int]:
    """A plain HTTP feed server on loopback; its port."""
    with http_server({"/feed": _feed}) as base:
        yield int(base.rsplit(":", 1)[1])


@pytest.fixture
def tls_origin(tmp_path: Path) -> Iterator[tuple[int, str, list[str | None]]]:
    """An HTTPS feed server for feed.invalid on loopback: its port, the CA file that trusts
    it, and the SNI names its clients sent."""
    cert, key = throwaway_cert(tmp_path)
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment,return-value]
    with http_server({"/feed": _feed}, tls=context, keep_alive=True) as base:
        yield int(base.rsplit(":", 1)[1]), cert, names


@pytest.fixture
def proxy() -> Iterator[LoopbackProxy]:
    with proxy_server() as running:
        yield running


def test_http_goes_to_the_proxy_as_an_absolute_form_request(
    origin: int, proxy: LoopbackProxy
) -> None:
    """HTTP_PROXY was not read: a worker that reaches the internet only through its egress
    proxy failed every source (here: dns, as where only the proxy resolves names)."""
    url = f"http://feed.invalid:{origin}/feed"
    with _fetcher({"HTTP_PROXY": proxy.url}, resolver=unresolvable) as fetcher:
        results = [fetcher.fetch(url, POLICY) for _ in range(2)]
    assert [r.body for r in results] == [RSS, RSS]
    assert results[0].headers["x-host"] == f"feed.invalid:{origin}"
    assert proxy.log.forwarded == [url, url]
    assert proxy.log.connections == 1  # the proxy connection is kept alive and reused


def test_https_goes_through_a_connect_tunnel_with_tls_to_the_origin_inside(
    tls_origin: tuple[int, str, list[str | None]], proxy: LoopbackProxy
) -> None:
    """CONNECT feed.invalid:port, then TLS with the origin: SNI and the certificate are the
    feed's name, never the proxy's, and the tunnel is kept for the next poll of that host."""
    port, cert, names = tls_origin
    env = {"https_proxy": proxy.url}
    with _fetcher(env, resolver=unresolvable, ca_certs=cert) as fetcher:
        results = [fetcher.fetch(f"https://feed.invalid:{port}/feed", POLICY) for _ in range(2)]
        # The origin's certificate is checked through the tunnel: another name fails.
        with pytest.raises(FetchError) as wrong_name:
            fetcher.fetch(f"https://other.invalid:{port}/feed", POLICY)
    assert [r.body for r in results] == [RSS, RSS]
    assert results[0].headers["x-host"] == f"feed.invalid:{port}"
    assert names[0] == "feed.invalid"
    assert proxy.log.connects == [f"feed.invalid:{port}", f"other.invalid:{port}"]
    assert wrong_name.value.reason == "tls"
    assert "doesn't match" in wrong_name.value.detail or "mismatch" in wrong_name.value.detail


def test_an_https_proxy_is_spoken_to_over_tls(
    tls_origin: tuple[int, str, list[str | None]], tmp_path: Path
) -> None:
    """HTTPS_PROXY=https://…: TLS to the proxy (its certificate checked for its name), and
    the origin's TLS inside that."""
    port, origin_cert, _ = tls_origin
    proxy_cert, proxy_key = throwaway_cert(tmp_path, "localhost")
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(Path(origin_cert).read_text() + Path(proxy_cert).read_text())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(proxy_cert, proxy_key)
    with proxy_server(tls=context) as proxy:
        env = {"HTTPS_PROXY": proxy.url.replace("127.0.0.1", "localhost")}
        with _fetcher(env, resolver=unresolvable, ca_certs=str(bundle)) as fetcher:
            result = fetcher.fetch(f"https://feed.invalid:{port}/feed", POLICY)
        # An https proxy whose certificate is not trusted is the proxy's failure, not the feed's.
        with (
            _fetcher(env, resolver=unresolvable, ca_certs=origin_cert) as fetcher,
            pytest.raises(FetchError) as untrusted,
        ):
            fetcher.fetch(f"https://feed.invalid:{port}/feed", POLICY)
    assert result.body == RSS
    assert proxy.log.connects == [f"feed.invalid:{port}"]
    assert untrusted.value.reason == "proxy"
    assert "certificate verify failed" in untrusted.value.detail


def test_no_proxy_sends_its_hosts_direct_and_the_rest_through(
    origin: int, proxy: LoopbackProxy
) -> None:
    """NO_PROXY=.invalid: the fetch goes direct (and fails here: the name only resolves at
    the proxy); without the entry the same fetch goes through and succeeds."""
    url = f"http://feed.invalid:{origin}/feed"
    env = {"HTTP_PROXY": proxy.url, "NO_PROXY": "intranet.corp,.invalid"}
    with _fetcher(env, resolver=unresolvable) as fetcher, pytest.raises(FetchError) as direct:
        fetcher.fetch(url, POLICY)
    assert direct.value.reason == "dns"
    assert proxy.log.connections == 0
    with _fetcher({**env, "NO_PROXY": "intranet.corp"}, resolver=unresolvable) as fetcher:
        assert fetcher.fetch(url, POLICY).status == 200
    assert proxy.log.forwarded == [url]


def test_a_name_the_worker_resolves_to_a_private_address_is_refused_before_the_proxy(
    proxy: LoopbackProxy,
) -> None:
    """The SSRF guard stands in front of the proxy wherever the worker can resolve the name:
    a feed whose name points at the metadata service or loopback is ssrf_blocked, and the
    proxy, which would resolve and fetch it on its own side, never hears of it."""
    env = {"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url}
    answers = {"meta.invalid": "169.254.169.254", "home.invalid": "127.0.0.1"}
    with _fetcher(env, resolver=lambda h, p: [answers.get(h, h)]) as fetcher:
        for url in ("http://meta.invalid/latest/", "https://home.invalid/", "http://10.1.2.3/"):
            with pytest.raises(FetchError) as info:
                fetcher.fetch(url, POLICY)
            assert info.value.reason == "ssrf_blocked", url
    assert proxy.log.connections == 0


def test_a_private_source_reaches_loopback_directly_and_other_hosts_through_the_proxy(
    origin: int, proxy: LoopbackProxy
) -> None:
    """allow_private: a name the worker resolves to loopback is this machine, fetched directly
    (through the proxy it would be the proxy's machine); an intranet name the worker cannot
    resolve goes through the proxy, NO_PROXY deciding as for any source."""
    private = FetchPolicy(user_agent="t", read_timeout=2.0, deadline=5.0, allow_private=True)
    answers = {"here.invalid": ["127.0.0.1"]}

    def resolver(host: str, port: int) -> list[str]:
        if host in answers or host[0].isdigit():
            return answers.get(host, [host])
        raise OSError("unknown")

    with _fetcher({"HTTP_PROXY": proxy.url}, resolver=resolver) as fetcher:
        here = fetcher.fetch(f"http://here.invalid:{origin}/feed", private)
        literal = fetcher.fetch(f"http://127.0.0.1:{origin}/feed", private)
        intranet = fetcher.fetch(f"http://wiki.corp.invalid:{origin}/feed", private)
    assert (here.status, literal.status, intranet.status) == (200, 200, 200)
    assert proxy.log.forwarded == [f"http://wiki.corp.invalid:{origin}/feed"]


def test_each_redirect_hop_chooses_its_own_route(
    tls_origin: tuple[int, str, list[str | None]], proxy: LoopbackProxy
) -> None:
    """A redirect's target is a new request: an http feed moved to https goes from the
    forwarded request to a tunnel, and a hop to a name the worker resolves to a private
    address is refused by the guard before the proxy hears of it."""
    port, cert, _ = tls_origin
    secure = f"https://feed.invalid:{port}/feed"
    routes = {
        "/moved": lambda h: Reply(301, headers={"Location": secure}),
        "/inward": lambda h: Reply(302, headers={"Location": "http://meta.invalid/latest/"}),
    }

    def resolver(host: str, port: int) -> list[str]:
        if host == "meta.invalid":
            return ["169.254.169.254"]
        raise OSError("unknown")

    env = {"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url}
    with http_server(routes) as base, _fetcher(env, resolver=resolver, ca_certs=cert) as fetcher:
        start = base.replace("127.0.0.1", "old.invalid")
        result = fetcher.fetch(start + "/moved", POLICY)
        with pytest.raises(FetchError) as inward:
            fetcher.fetch(start + "/inward", POLICY)
    assert (result.url, result.body) == (secure, RSS)
    assert proxy.log.forwarded == [start + "/moved", start + "/inward"]
    assert proxy.log.connects == [f"feed.invalid:{port}"]
    assert inward.value.reason == "ssrf_blocked"


def test_proxy_credentials_go_as_proxy_authorization_and_a_refusal_is_proxy_407(
    origin: int, tls_origin: tuple[int, str, list[str | None]]
) -> None:
    """user:password@ in the proxy URL (percent-encoded) is sent as Proxy-Authorization, on
    the CONNECT and on each forwarded request; a proxy that still asks for them (missing or
    wrong) is the failure proxy_407, its detail without the password."""
    port, cert, _ = tls_origin
    with proxy_server(credentials=("svc", "s3cr:t@")) as proxy:
        good = proxy.url.replace("://", "://svc:s3cr%3At%40@")
        bad = proxy.url.replace("://", "://svc:hunter2@")
        env = {"HTTP_PROXY": good, "HTTPS_PROXY": good}
        with _fetcher(env, resolver=unresolvable, ca_certs=cert) as fetcher:
            assert fetcher.fetch(f"http://feed.invalid:{origin}/feed", POLICY).status == 200
            assert fetcher.fetch(f"https://feed.invalid:{port}/feed", POLICY).status == 200
        failures = []
        for env in ({"HTTP_PROXY": bad, "HTTPS_PROXY": bad},
                    {"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url}):  # fmt: skip
            with _fetcher(env, resolver=unresolvable, ca_certs=cert) as fetcher:
                for url in (f"http://feed.invalid:{origin}/feed",
                            f"https://feed.invalid:{port}/feed"):  # fmt: skip
                    with pytest.raises(FetchError) as info:
                        fetcher.fetch(url, POLICY)
                    failures.append(info.value)
    assert proxy.log.authorizations[:2] == ["Basic c3ZjOnMzY3I6dEA="] * 2
    assert [f.reason for f in failures] == ["proxy_407"] * 4
    assert all("hunter2" not in str(f) and "aHVudGVy" not in str(f) for f in failures)
    assert "svc:***@127.0.0.1" in failures[0].detail


def test_a_proxy_refusing_the_host_is_proxy_403_for_https(
    tls_origin: tuple[int, str, list[str | None]], origin: int
) -> None:
    """An egress allowlist refusing the feed's host answers CONNECT with 403: proxy_403, not
    a tls or connection failure that would send the operator to the feed. Over http the
    proxy's 403 is the response itself (http_403): nothing tells it from the feed's."""
    port, cert, _ = tls_origin
    with proxy_server(deny=frozenset({"feed.invalid"})) as proxy:
        env = {"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url}
        with _fetcher(env, resolver=public, ca_certs=cert) as fetcher:
            with pytest.raises(FetchError) as info:
                fetcher.fetch(f"https://feed.invalid:{port}/feed", POLICY)
            plain = fetcher.fetch(f"http://feed.invalid:{origin}/feed", POLICY)
    assert info.value.reason == "proxy_403"
    assert "403" in info.value.detail
    assert plain.status == 403
    assert [status for status, _ in proxy.log.refused] == [403, 403]


def test_a_proxy_that_is_down_is_the_failure_proxy() -> None:
    """Nothing listening at HTTPS_PROXY: `proxy`, naming the proxy (its password hidden), not
    `connection`, which reads as the feed's server being down."""
    down = f"http://svc:hunter2@127.0.0.1:{closed_port()}"
    with _fetcher({"HTTPS_PROXY": down, "HTTP_PROXY": down}, resolver=public) as fetcher:
        failures = []
        for url in ("https://feed.invalid/feed", "http://feed.invalid/feed"):
            with pytest.raises(FetchError) as info:
                fetcher.fetch(url, POLICY)
            failures.append(info.value)
    assert [f.reason for f in failures] == ["proxy", "proxy"]
    assert all(f.detail.startswith("http://svc:***@127.0.0.1:") for f in failures)
    assert all("refused" in f.detail.lower() and "hunter2" not in str(f) for f in failures)


def test_a_proxy_that_never_answers_ends_at_the_deadline_or_as_proxy() -> None:
    """A proxy that takes the connection and says nothing is cut off by the fetch's deadline,
    as a server that does so is; one silent on CONNECT past the connect timeout is `proxy`
    (the feed was never asked), not the feed's `timeout`."""
    short = FetchPolicy(user_agent="t", read_timeout=5.0, deadline=0.8)
    slow_connect = FetchPolicy(user_agent="t", connect_timeout=0.3, deadline=3.0)
    reasons = []
    with (
        proxy_server(silent=True) as proxy,
        _fetcher({"HTTPS_PROXY": proxy.url, "HTTP_PROXY": proxy.url}, resolver=public) as fetcher,
    ):
        for policy, url in ((short, "https://feed.invalid/feed"),
                            (short, "http://feed.invalid/feed"),
                            (slow_connect, "https://feed.invalid/feed")):  # fmt: skip
            started = time.monotonic()
            with pytest.raises(FetchError) as info:
                fetcher.fetch(url, policy)
            assert time.monotonic() - started < 1.5
            reasons.append(info.value.reason)
    # The timeouts are capped by the time left, so at the deadline either may be first.
    assert reasons[0] in ("deadline", "proxy")
    assert reasons[1] in ("deadline", "timeout")
    assert reasons[2] == "proxy"


def test_conditional_get_through_the_proxy_reaches_the_origin() -> None:
    """If-None-Match travels through the proxy and the origin's 304 comes back."""
    seen: list[str | None] = []

    def conditional(handler: BaseHTTPRequestHandler) -> Reply:
        seen.append(handler.headers.get("If-None-Match"))
        if handler.headers.get("If-None-Match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(200, RSS, {"ETag": '"v1"'})

    with http_server({"/feed": conditional}) as base, proxy_server() as proxy:
        url = base.replace("127.0.0.1", "feed.invalid") + "/feed"
        with _fetcher({"HTTP_PROXY": proxy.url}, resolver=unresolvable) as fetcher:
            first = fetcher.fetch(url, POLICY)
            second = fetcher.fetch(url, POLICY, etag=first.etag)
    assert (first.status, second.status, seen) == (200, 304, [None, '"v1"'])
