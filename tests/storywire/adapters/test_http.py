"""The HTTP adapter against a misbehaving loopback server: deadlines, bombs, pinning, SSRF."""

from __future__ import annotations

import contextlib
import gzip
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import brotli
import pytest

import storywire.adapters.http as http_adapter
from storywire.adapters.http import (
    FetchError,
    FetchPolicy,
    HttpFetcher,
    check_addresses,
    decompress,
)
from storywire.proxies import Proxies
from storywire.settings import Settings
from storywire.urls import Address, is_public
from tests.support.httpserver import Reply, http_server
from tests.support.tlscert import throwaway_cert

POLICY = FetchPolicy(
    user_agent="storywire-test (+https://example.org/contact)",
    read_timeout=2.0,
    deadline=5.0,
    allow_private=True,
)


@pytest.fixture
def fetcher() -> Iterator[HttpFetcher]:
    """A fetcher whose pooled sockets are closed when the test ends."""
    with HttpFetcher() as client:
        yield client


def test_trickling_server_is_cut_off_at_the_deadline(fetcher: HttpFetcher) -> None:
    """A byte every 50 ms never trips the read timeout, but the total deadline stops it."""
    route = {"/slow": lambda h: Reply(200, b"x" * 200, trickle=0.05)}
    policy = FetchPolicy(user_agent="t", read_timeout=2.0, deadline=0.6, allow_private=True)
    with http_server(route) as base:
        started = time.monotonic()
        with pytest.raises(FetchError) as info:
            fetcher.fetch(base + "/slow", policy)
        took = time.monotonic() - started
    assert info.value.reason == "deadline"
    assert took < 1.5


def test_trickling_headers_are_cut_off_at_the_deadline(fetcher: HttpFetcher) -> None:
    """A status line and headers sent a byte at a time are stopped by the deadline as well."""
    slow = Reply(200, b"<rss/>", {"X-Padding": "p" * 200}, trickle=0.02, trickle_headers=True)
    policy = FetchPolicy(user_agent="t", read_timeout=2.0, deadline=0.6, allow_private=True)
    with http_server({"/slow": lambda h: slow}) as base:
        started = time.monotonic()
        with pytest.raises(FetchError) as info:
            fetcher.fetch(base + "/slow", policy)
        took = time.monotonic() - started
    assert info.value.reason == "deadline"
    assert took < 1.5


def test_keep_alive_connection_is_reused_after_a_deadline_elsewhere(fetcher: HttpFetcher) -> None:
    """A deadline on one fetch leaves the shared pool usable for the next fetch."""
    routes = {
        "/slow": lambda h: Reply(200, b"x" * 100, trickle=0.05),
        "/ok": lambda h: Reply(200, b"fine"),
    }
    policy = FetchPolicy(user_agent="t", read_timeout=2.0, deadline=0.4, allow_private=True)
    with http_server(routes) as base:
        with pytest.raises(FetchError):
            fetcher.fetch(base + "/slow", policy)
        assert fetcher.fetch(base + "/ok", policy).body == b"fine"
        assert fetcher.fetch(base + "/ok", policy).body == b"fine"


def test_user_agent_names_the_service(fetcher: HttpFetcher) -> None:
    """Every request carries the configured User-Agent with its contact URL."""
    seen: list[str] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        seen.append(handler.headers.get("User-Agent", ""))
        return Reply(200, b"ok")

    with http_server({"/f": route}) as base:
        fetcher.fetch(base + "/f", POLICY)
    assert seen == [POLICY.user_agent]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_decompression_bombs_stop_at_the_cap_with_bounded_memory(encoding: str) -> None:
    """64 MiB of zeros compressed to a few KB is refused without ever holding 64 MiB."""
    raw = b"\0" * (64 * 1024 * 1024)
    if encoding == "br":
        body = brotli.compress(raw, quality=4)
    else:
        wbits = 31 if encoding == "gzip" else zlib.MAX_WBITS
        packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
        body = packer.compress(raw) + packer.flush()
    del raw
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as info:
            decompress(body, encoding, 1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.reason == "too_large"
    assert peak < 8 * 1024 * 1024


def test_gzip_members_share_one_cap_and_padding_after_them_is_ignored() -> None:
    """Concatenated members are capped together (each under the cap, all of them over it is
    too_large), and zero padding or a newline after the last member is not a member."""
    member = gzip.compress(b"\0" * (600 * 1024))
    with pytest.raises(FetchError) as info:
        decompress(member * 4, "gzip", 1024 * 1024)
    assert info.value.reason == "too_large"
    padded = gzip.compress(b"<rss/>") + gzip.compress(b"<!-- end -->") + b"\0\0\0\n"
    assert decompress(padded, "gzip", 1024) == b"<rss/><!-- end -->"


def test_brotli_round_trip_and_truncation() -> None:
    """A normal brotli body decodes whole; a truncated one is a clear bad_encoding error."""
    raw = bytes(range(256)) * 4000
    packed = brotli.compress(raw)
    assert decompress(packed, "br", 10 * 1024 * 1024) == raw
    with pytest.raises(FetchError) as info:
        decompress(packed[: len(packed) // 2], "br", 10 * 1024 * 1024)
    assert info.value.reason == "bad_encoding"


def test_connection_is_pinned_to_the_checked_address() -> None:
    """Resolved once per hop, connected to that address, Host kept (a rebinding would miss)."""
    # Later answers point at 127.0.0.2, where nothing listens: a fetcher that resolved again
    # at connect time (DNS rebinding) would fail; the pinned one reaches the checked address.
    calls: list[str] = []
    hosts: list[str] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        hosts.append(handler.headers.get("Host", ""))
        return Reply(200, b"feed")

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["127.0.0.2"]

    with http_server({"/f": route}) as base, HttpFetcher(resolver=rebinding) as pinned:
        port = base.rsplit(":", 1)[1]
        result = pinned.fetch(f"http://feed.invalid:{port}/f", POLICY)
    assert result.body == b"feed"
    assert calls == ["feed.invalid"]
    assert hosts == [f"feed.invalid:{port}"]


def test_any_private_answer_in_the_set_is_refused() -> None:
    """A name with one public and one private address is refused, whichever comes first."""
    resolver = lambda h, p: ["93.184.216.34", "10.1.2.3"]  # noqa: E731 - a one-line stub
    with HttpFetcher(resolver=resolver) as client, pytest.raises(FetchError) as info:
        client.fetch("http://mixed.invalid/feed", FetchPolicy(user_agent="t"))
    assert info.value.reason == "ssrf_blocked"


@pytest.mark.parametrize(
    "host", ["[::1]", "[fe80::1]", "[fc00::1]", "[::ffff:10.0.0.1]", "[ff02::1]", "0x7f.1"]
)
def test_ipv6_and_odd_literals_are_refused(host: str, fetcher: HttpFetcher) -> None:
    """IPv6 loopback, link-local, unique-local, mapped and multicast literals are refused."""
    with pytest.raises(FetchError) as info:
        fetcher.fetch(f"http://{host}/feed", FetchPolicy(user_agent="t"))
    assert info.value.reason == "ssrf_blocked"


@pytest.mark.parametrize(
    "answer",
    [
        "64:ff9b::a9fe:a9fe",  # NAT64: 169.254.169.254 through the network's translator
        "64:ff9b::7f00:1",
        "64:ff9b:1::a9fe:a9fe",  # NAT64, local-use prefix
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2002:7f00:1::1",
        "::7f00:1",  # IPv4-compatible, reserved ::/8
        "::ffff:0:7f00:1",  # IPv4-translated, reserved ::/8
        "fec0::1",  # site-local
    ],
)
def test_ipv6_addresses_carrying_a_private_ipv4_one_are_refused(answer: str) -> None:
    """A name answered with an IPv6 address that carries a private IPv4 one, or with reserved
    space, is refused (``is_global`` alone let these through). The check alone is run: a
    fetcher without it would send the request out."""
    resolver = lambda h, p: [answer]  # noqa: E731 - a one-line stub
    with pytest.raises(FetchError) as info:
        check_addresses("metadata.invalid", 80, allow_private=False, resolver=resolver, seconds=1)
    assert info.value.reason == "ssrf_blocked"


@pytest.mark.parametrize("answer", ["64:ff9b::808:808", "2002:808:808::1"])
def test_nat64_and_6to4_of_a_public_address_pass(answer: str) -> None:
    """DNS64 answers an IPv4-only feed so on an IPv6-only network: still fetched."""
    resolver = lambda h, p: [answer]  # noqa: E731 - a one-line stub
    addresses = check_addresses(
        "feed.invalid", 80, allow_private=False, resolver=resolver, seconds=1
    )
    assert addresses == [answer]


def test_every_redirect_hop_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public first hop that redirects to a private address is refused on that hop, and the
    private address never gets a request."""
    paths: list[str] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        paths.append(handler.path)
        return Reply(302, b"", {"Location": f"http://{handler.headers['Host']}/secret"})

    # The first address judged (the first hop's) passes as public, every later one is judged
    # as it is: loopback stands in for a public server.
    judged: list[Address] = []

    def first_is_public(address: Address) -> bool:
        judged.append(address)
        return len(judged) == 1 or is_public(address)

    monkeypatch.setattr(http_adapter, "is_public", first_is_public)
    routes = {"/r": route, "/secret": lambda h: Reply(200, b"secret")}
    with http_server(routes) as base, HttpFetcher() as client, pytest.raises(FetchError) as info:
        client.fetch(base + "/r", FetchPolicy(user_agent="t"))
    assert info.value.reason == "ssrf_blocked"
    assert paths == ["/r"]
    assert len(judged) == 2


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[str, str]:
    """A throwaway certificate for feed.invalid, made with the openssl command."""
    return throwaway_cert(tmp_path)


def _echo_host(handler: BaseHTTPRequestHandler) -> Reply:
    """The Host header the client sent, as the body: shows which name a fetch used."""
    return Reply(200, handler.headers.get("Host", "").encode())


def test_https_is_pinned_with_sni_and_certificate_for_the_name(tls_files: tuple[str, str]) -> None:
    """Over TLS the socket goes to the checked IP; SNI, Host and certificate use the name."""
    cert, key = tls_files
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)

    with http_server({"/f": _echo_host}, tls=context) as base:
        port = int(base.rsplit(":", 1)[1])
        with HttpFetcher(resolver=lambda h, p: ["127.0.0.1"], ca_certs=cert) as client:
            result = client.fetch(f"https://feed.invalid:{port}/f", POLICY)
            # The same server reached under another name fails verification: no bypass.
            with pytest.raises(FetchError) as wrong_name:
                client.fetch(f"https://other.invalid:{port}/f", POLICY)
    assert result.body == f"feed.invalid:{port}".encode()
    assert names[0] == "feed.invalid"
    assert wrong_name.value.reason in ("tls", "connection")


def test_ipv6_addresses_are_pinned_too() -> None:
    """An IPv6 literal or a name resolving to IPv6 is fetched through the checked address."""

    with ExitStack() as stack:
        try:
            base = stack.enter_context(http_server({"/f": _echo_host}, host="::1"))
        except OSError:
            pytest.skip("no IPv6 loopback here")
        port = int(base.rsplit(":", 1)[1])
        with HttpFetcher() as literal, HttpFetcher(resolver=lambda h, p: ["::1"]) as named:
            by_literal = literal.fetch(f"http://[::1]:{port}/f", POLICY).body
            by_name = named.fetch(f"http://v6.invalid:{port}/f", POLICY).body
    assert by_literal == f"[::1]:{port}".encode()
    assert by_name == f"v6.invalid:{port}".encode()


@pytest.mark.parametrize(
    ("host", "ascii_host"),
    [("b\u00fccher.example", "xn--bcher-kva.example"),
     ("\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", "xn--e1afmkfd.xn--p1ai"),
     # IDNA 2008, as browsers: Python's idna codec (IDNA 2003) asked for strasse.de, another
     # registered domain, and the fetched host differed from the article's canonical one
     ("stra\u00dfe.example", "xn--strae-oqa.example")],
)  # fmt: skip
def test_an_idn_host_is_resolved_and_sent_as_its_ascii_name(host: str, ascii_host: str) -> None:
    """A feed on an internationalised domain is asked for by its IDNA name, as browsers do: a
    Cyrillic name could not be written into the Host header at all, a latin-1 one went raw."""
    asked: list[str] = []

    def resolver(name: str, port: int) -> list[str]:
        asked.append(name)
        return ["127.0.0.1"]

    with http_server({"/f": _echo_host}) as base, HttpFetcher(resolver=resolver) as client:
        port = int(base.rsplit(":", 1)[1])
        result = client.fetch(f"http://{host}:{port}/f", POLICY)
    assert result.body == f"{ascii_host}:{port}".encode()
    assert asked == [ascii_host]


def test_an_idn_host_dns_cannot_hold_is_a_bad_url_and_never_asked_for() -> None:
    asked: list[str] = []

    def resolver(name: str, port: int) -> list[str]:
        asked.append(name)
        return ["127.0.0.1"]

    too_long = "\u00fc" * 70  # 63 octets is a label's most
    with HttpFetcher(resolver=resolver) as client, pytest.raises(FetchError) as info:
        client.fetch(f"http://{too_long}.example/f", POLICY)
    assert (info.value.reason, info.value.transient, asked) == ("bad_url", False, [])


def test_trickled_tls_handshake_is_cut_off_at_the_deadline() -> None:
    """A server that starts a huge TLS record and feeds it a byte at a time hits the deadline."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # a close from another thread does not wake accept on Linux
    stop = threading.Event()

    def trickle() -> None:
        # A thread the loaded host ran only after the fetch's deadline met a closed listener,
        # and a client gone first a closed connection: raised here, either failed whichever
        # test ran next as an unhandled thread exception. It ends with its test, joined.
        with contextlib.suppress(OSError):
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                with conn:
                    conn.sendall(b"\x16\x03\x03\x40\x00")  # a handshake record of 16 KiB
                    while not stop.wait(0.05):
                        conn.sendall(b"\x00")

    thread = threading.Thread(target=trickle)
    thread.start()
    port = listener.getsockname()[1]
    policy = FetchPolicy(user_agent="t", read_timeout=2.0, deadline=0.6, allow_private=True)
    try:
        with HttpFetcher(resolver=lambda h, p: ["127.0.0.1"]) as client:
            started = time.monotonic()
            with pytest.raises(FetchError) as info:
                client.fetch(f"https://slow-tls.invalid:{port}/f", policy)
            took = time.monotonic() - started
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()
    assert info.value.reason == "deadline"
    assert took < 1.5


def test_a_hanging_resolver_ends_the_fetch_within_its_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Name resolution has no socket for the deadline's watch to cut: a resolver that does not
    answer (a dead DNS server) must still end the fetch by its deadline, saying it was DNS."""
    release = threading.Event()

    def hanging(*args: object, **kwargs: object) -> list[tuple[object, ...]]:
        release.wait(10.0)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 9))]

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    policy = FetchPolicy(user_agent="t", deadline=0.5, allow_private=True)
    try:
        with HttpFetcher() as client:
            started = time.monotonic()
            with pytest.raises(FetchError) as info:
                client.fetch("http://dead-dns.invalid/feed", policy)
            took = time.monotonic() - started
    finally:
        release.set()
    assert info.value.reason == "dns_timeout"
    assert took < 1.5


def test_policy_follows_the_operators_settings() -> None:
    env = {
        "STORYWIRE_USER_AGENT": "ua/1",
        "STORYWIRE_CONNECT_TIMEOUT": "1.5",
        "STORYWIRE_READ_TIMEOUT": "2.5",
        "STORYWIRE_FETCH_DEADLINE": "7",
        "STORYWIRE_MAX_BODY_BYTES": "1000",
        "STORYWIRE_MAX_REDIRECTS": "2",
    }
    policy = FetchPolicy.from_settings(Settings.from_env(env))
    assert policy == FetchPolicy("ua/1", 1.5, 2.5, 7.0, 1000, 2, allow_private=False)


def test_a_refused_connection_is_a_connection_failure_not_a_timeout(fetcher: HttpFetcher) -> None:
    """urllib3 makes its refused-connection error a kind of connect timeout: an operator reading
    "timeout" would look for a slow server where nothing listens at all."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(FetchError) as failed:
            fetcher.fetch(f"http://127.0.0.1:{port}/feed", POLICY)
    assert failed.value.reason == "connection"


def test_credentials_in_a_feed_url_are_sent_as_basic_auth_to_its_origin_only(
    fetcher: HttpFetcher,
) -> None:
    """A paid feed's URL carries its credentials (https://user:pass@host/feed): they were
    ignored, and the feed answered 401 at every poll. They go as Basic auth now, also after a
    redirect on the same origin, and never to another host a redirect names."""
    seen: dict[str, str | None] = {}

    def guarded(handler: BaseHTTPRequestHandler) -> Reply:
        seen[handler.path] = handler.headers.get("Authorization")
        ok = handler.headers.get("Authorization") == "Basic dXNlcjpww6RzczpAIQ=="
        return Reply(200, b"<rss/>") if ok else Reply(401, b"")

    with http_server({"/paid": guarded}) as other:
        elsewhere = other.replace("127.0.0.1", "localhost")

        def moved(handler: BaseHTTPRequestHandler) -> Reply:
            seen[handler.path] = handler.headers.get("Authorization")
            return Reply(302, b"", {"Location": elsewhere + "/paid"})

        with http_server({"/paid": guarded, "/old": lambda h: Reply(301, b"", {"Location": "/paid"}),
                          "/moved": moved}) as base:  # fmt: skip
            creds = base.replace("://", "://user:p%C3%A4ss%3A%40%21@")  # "päss:@!" quoted
            assert fetcher.fetch(creds + "/paid", POLICY).status == 200
            assert fetcher.fetch(creds + "/old", POLICY).status == 200
            assert fetcher.fetch(base + "/paid", POLICY).status == 401
            assert fetcher.fetch(creds + "/moved", POLICY).status == 401
    assert seen["/moved"] is not None
    assert seen["/paid"] is None  # the other host's request, the last one made


def test_a_host_whose_first_address_refuses_is_fetched_from_its_next() -> None:
    """A name with several addresses (an outlet's load balancers, an AAAA record whose server
    listens on IPv4 only) was fetched from its first alone: one that refused failed the poll,
    where browsers, curl and requests go on to the next. Each checked address is tried in
    turn, pinned as the first is."""
    hosts: list[str] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        hosts.append(handler.headers.get("Host", ""))
        return Reply(200, b"<rss/>")

    # Nothing listens on 127.0.0.2 at the server's port: that address refuses.
    with http_server({"/f": route}) as base:
        port = base.rsplit(":", 1)[1]
        answer = lambda h, p: ["127.0.0.2", "127.0.0.1"]  # noqa: E731 - a one-line stub
        with HttpFetcher(resolver=answer) as client:
            result = client.fetch(f"http://multi.invalid:{port}/f", POLICY)
        none_listens = lambda h, p: ["127.0.0.2", "127.0.0.3"]  # noqa: E731
        with HttpFetcher(resolver=none_listens) as client, pytest.raises(FetchError) as failed:
            client.fetch(f"http://multi.invalid:{port}/f", POLICY)
    assert result.body == b"<rss/>"
    assert hosts == [f"multi.invalid:{port}"]
    assert failed.value.reason == "connection"


def _early_hints(handler: BaseHTTPRequestHandler, status: int = 103) -> None:
    """An interim 1xx response ahead of the final one, as a server sending Early Hints does."""
    handler.wfile.write(f"HTTP/1.1 {status} Early\r\nLink: </a.css>; rel=preload\r\n\r\n".encode())


@pytest.mark.parametrize("status", [102, 103])
def test_interim_1xx_responses_before_the_feed_are_skipped(
    status: int, fetcher: HttpFetcher
) -> None:
    """A server sending 103 Early Hints (or WebDAV's 102) before its 200 was read as answering
    103: the failure http_103 at every poll. RFC 9110 15.2: a client must read and skip any
    number of 1xx responses before the final one; http.client skips only 100."""

    def hinted(handler: BaseHTTPRequestHandler) -> Reply:
        _early_hints(handler, status)
        _early_hints(handler, status)
        return Reply(200, b"<rss>hinted</rss>")

    def endless(handler: BaseHTTPRequestHandler) -> Reply:
        for _ in range(40):
            _early_hints(handler, status)
        return Reply(200, b"<rss/>")

    routes = {"/f": hinted, "/g": lambda h: Reply(200, b"<rss>next</rss>"), "/h": endless}
    with http_server(routes) as base:
        result = fetcher.fetch(base + "/f", POLICY)
        after = fetcher.fetch(base + "/g", POLICY)  # the pooled connection is still in step
        with pytest.raises(FetchError) as hinted_forever:
            fetcher.fetch(base + "/h", POLICY)
    assert (result.status, result.body) == (200, b"<rss>hinted</rss>")
    assert after.body == b"<rss>next</rss>"
    assert hinted_forever.value.reason == "connection"
    assert "interim responses" in hinted_forever.value.detail


_FETCH_IN_A_CHILD = """
import sys
from storywire.adapters.http import FetchError, FetchPolicy, HttpFetcher
policy = FetchPolicy(user_agent="t", read_timeout=2.0, deadline=5.0, allow_private=True)
with HttpFetcher(resolver=lambda host, port: ["127.0.0.1"]) as client:
    try:
        print(client.fetch(sys.argv[1], policy).status)
    except FetchError as exc:
        print(exc.reason)
"""


def test_a_private_ca_named_by_ssl_cert_file_is_trusted(
    tls_files: tuple[str, str], tmp_path: Path
) -> None:
    """docs/fetching.md tells an operator whose feeds use a private CA to name a bundle with
    SSL_CERT_FILE (OpenSSL's variable, read by the fetcher's default trust store); without
    it such a feed is the failure tls. Run in a child: the trust store is read per process."""
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    bare = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    script = tmp_path / "fetch.py"
    script.write_text(_FETCH_IN_A_CHILD)
    answers = []
    with http_server({"/f": lambda h: Reply(200, b"<rss/>")}, tls=context) as base:
        url = base.replace("127.0.0.1", "feed.invalid") + "/f"
        for env in ({**bare, "SSL_CERT_FILE": cert}, bare):
            child = subprocess.run(
                [sys.executable, str(script), url],
                env={**env, "PYTHONPATH": os.pathsep.join(sys.path)},
                capture_output=True, text=True, timeout=60, check=True,
            )  # fmt: skip
            answers.append(child.stdout.strip())
    assert answers == ["200", "tls"]


def _serve_then_reset(
    listener: socket.socket,
    served: list[int],
    done: threading.Event,
    hung_up: threading.Event | None = None,
) -> None:
    """Each connection: one keep-alive response, then a reset when a second request comes (a
    NAT or firewall that forgot the idle flow answers so), until the test is done; a client
    closing a connection sets ``hung_up``. A client that hangs up first is no error of the
    server's: left unhandled, it failed whichever test ran next as an unhandled thread
    exception."""
    listener.settimeout(0.1)  # a close from another thread does not wake accept on Linux
    while not done.is_set():
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            for request in range(2):
                if not conn.recv(65536):
                    if hung_up is not None:
                        hung_up.set()
                    break
                if request == 1:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break  # closed with linger 0: a reset
                served.append(1)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n<rss/>")


def _via(port: int, through_proxy: bool) -> tuple[Proxies | None, str]:
    """The fetcher's proxies and the URL to fetch for a server on ``port`` acting as the feed
    or as a forwarding proxy (loopback goes direct: the feed's name is one only a proxy can
    reach)."""
    if through_proxy:
        return Proxies.from_env({"HTTP_PROXY": f"http://127.0.0.1:{port}"}), "http://feed.invalid/f"
    return None, f"http://127.0.0.1:{port}/f"


@pytest.mark.parametrize("through_proxy", [False, True], ids=["direct", "proxied"])
def test_a_pooled_connection_dropped_while_idle_is_replaced_not_a_failure(
    through_proxy: bool,
) -> None:
    """Polls of one host minutes apart reuse its keep-alive connection; one the network
    dropped while idle (a NAT's flow expired: a reset when used again) failed the poll of
    whichever source came next as connection (through a forwarding proxy, as proxy: urllib3
    names the reset so). A request on a reused connection that dies before any answer is
    sent again on a new one, as curl, Go and browsers do; a new connection's failure stays
    the poll's."""
    served: list[int] = []
    done = threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        server = threading.Thread(target=_serve_then_reset, args=(listener, served, done))
        server.start()
        proxies, url = _via(listener.getsockname()[1], through_proxy)
        try:
            with HttpFetcher(proxies=proxies) as client:
                statuses = [client.fetch(url, POLICY).status for _ in range(3)]
        finally:
            done.set()
            server.join(timeout=10)
    assert statuses == [200, 200, 200]
    assert len(served) == 3


@pytest.mark.parametrize("through_proxy", [False, True], ids=["direct", "proxied"])
def test_closing_the_fetcher_closes_its_kept_alive_connections(through_proxy: bool) -> None:
    """urllib3 2's PoolManager.clear() forgets its pools without closing them, so a closed
    fetcher (a worker shutting down, `sources add`, `parse`) closed a kept-alive socket only
    when nothing else held it: after a fetch that replaced a dropped connection, the new
    one stayed open, holding the outlet's connection slot, until the cycle collector met it
    (and warned of an unclosed socket in whatever ran then)."""
    served: list[int] = []
    done, hung_up = threading.Event(), threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        server = threading.Thread(target=_serve_then_reset, args=(listener, served, done, hung_up))
        server.start()
        proxies, url = _via(listener.getsockname()[1], through_proxy)
        try:
            with HttpFetcher(proxies=proxies) as client:
                assert [client.fetch(url, POLICY).status for _ in range(2)] == [200, 200]
                assert not hung_up.wait(timeout=0.2)  # the replacement is kept alive
            closed = hung_up.wait(timeout=5)
        finally:
            done.set()
            server.join(timeout=10)
    assert closed  # the fetcher is still referenced: no collector closed its sockets
