"""A forward HTTP proxy on loopback, as an egress proxy works: CONNECT tunnels for https and
absolute-form requests for http, optional Basic credentials and a deny list, and a record of
what went through it. It resolves every name itself (to ``upstream``, loopback by default),
as a proxy does on a network where only the proxy resolves names."""

from __future__ import annotations

import base64
import contextlib
import http.client
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# Hop-by-hop headers (RFC 9110 7.6.1) and the proxy's own, never passed on.
_HOP = {"connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade", "proxy-authenticate"}  # fmt: skip


@dataclass
class ProxyLog:
    """What the proxy saw: tunnels it opened, requests it forwarded, answers it refused with,
    client connections it accepted, and each request's Proxy-Authorization."""

    connects: list[str] = field(default_factory=list)  # "host:port" of each tunnel opened
    forwarded: list[str] = field(default_factory=list)  # absolute URLs forwarded
    refused: list[tuple[int, str]] = field(default_factory=list)  # (status, target)
    connections: int = 0
    authorizations: list[str | None] = field(default_factory=list)


@dataclass
class LoopbackProxy:
    url: str
    log: ProxyLog


@contextmanager
def proxy_server(
    *,
    credentials: tuple[str, str] | None = None,
    deny: frozenset[str] = frozenset(),
    upstream: str = "127.0.0.1",
    silent: bool = False,
    tls: ssl.SSLContext | None = None,
) -> Iterator[LoopbackProxy]:
    """A proxy until the block ends. ``credentials``: the Basic user and password it asks for
    (407 without them); ``deny``: host names it refuses (403); ``silent``: accepts
    connections and never answers; ``tls``: the proxy itself speaks TLS (an https:// proxy)."""
    log = ProxyLog()
    lock = threading.Lock()
    expected = (
        "Basic " + base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
        if credentials
        else None
    )

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with lock:
                log.connections += 1
            if silent:
                self.connection.recv(65536)
                threading.Event().wait(30)  # the client's deadline ends it first

        def _refused(self, target: str, host: str) -> bool:
            given = self.headers.get("Proxy-Authorization")
            with lock:
                log.authorizations.append(given)
            status = 407 if expected and given != expected else 403 if host in deny else 0
            if not status:
                return False
            with lock:
                log.refused.append((status, target))
            self.send_response(status)
            if status == 407:
                self.send_header("Proxy-Authenticate", 'Basic realm="egress"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True

        def do_CONNECT(self) -> None:
            host, _, port = self.path.rpartition(":")
            if self._refused(self.path, host.strip("[]")):
                return
            try:
                origin = socket.create_connection((upstream, int(port)), timeout=5)
            except OSError:
                self.send_error(502)
                return
            with lock:
                log.connects.append(self.path)
            self.send_response(200, "Connection established")
            self.end_headers()
            self.wfile.flush()
            _pipe(self.connection, origin)
            self.close_connection = True

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.scheme != "http" or not parts.hostname:
                self.send_error(400, "absolute-form only")
                return
            if self._refused(self.path, parts.hostname):
                return
            with lock:
                log.forwarded.append(self.path)
            origin = http.client.HTTPConnection(upstream, parts.port or 80, timeout=10)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            try:
                origin.request("GET", target, headers=headers)
                answer = origin.getresponse()
                body = answer.read()
            except (OSError, http.client.HTTPException):
                self.send_error(502)
                return
            finally:
                origin.close()
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in _HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self) -> tuple[socket.socket, object]:
            sock, address = super().get_request()
            if tls is not None:
                sock = tls.wrap_socket(sock, server_side=True)
            return sock, address

        def handle_error(self, request: object, client_address: object) -> None:
            return  # a client that hung up mid-tunnel is not the test's failure

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    scheme = "https" if tls is not None else "http"
    try:
        yield LoopbackProxy(f"{scheme}://127.0.0.1:{server.server_address[1]}", log)
    finally:
        server.shutdown()
        server.server_close()


def _pipe(client: socket.socket, origin: socket.socket) -> None:
    """Bytes both ways until either side closes (a tunnel)."""
    with origin:
        sockets = [client, origin]
        while True:
            readable, _, _ = select.select(sockets, [], [], 30)
            # A TLS socket may hold decrypted bytes its descriptor no longer signals.
            if isinstance(client, ssl.SSLSocket) and client.pending() and client not in readable:
                readable.append(client)
            if not readable:
                return
            for sock in readable:
                try:
                    data = sock.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                other = origin if sock is client else client
                with contextlib.suppress(OSError):
                    other.sendall(data)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed): a proxy that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
