"""A scriptable HTTP(S) server on loopback for fetch tests: each path maps to a handler."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What a route answers; ``trickle`` sends the body ``chunk`` bytes at a time, pausing."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between chunks; 0 sends the body at once
    chunk: int = 1
    trickle_headers: bool = False  # trickle the status line and headers too
    # False: no Content-Length, the body ends where the connection closes (HTTP/1.0), so a
    # body cut short looks whole to the client, as a server dying mid-response makes it.
    length: bool = True


Route = Callable[[BaseHTTPRequestHandler], Reply]


@contextmanager
def http_server(
    routes: dict[str, Route],
    *,
    host: str = "127.0.0.1",
    tls: ssl.SSLContext | None = None,
    keep_alive: bool = False,
) -> Iterator[str]:
    """Serve ``routes`` on ``host`` (IPv4 or IPv6 loopback; over TLS with ``tls``) until the
    block ends; yields the base URL. OSError when ``host`` cannot be bound. ``keep_alive``:
    HTTP/1.1, a connection kept open for the next request (else HTTP/1.0, one each)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

        def do_GET(self) -> None:
            route = routes.get(self.path.split("?", 1)[0])
            reply = route(self) if route else Reply(404)
            if reply.trickle_headers:
                self._trickle(self._raw(reply), reply)
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if "Content-Length" not in reply.headers and reply.length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if not reply.trickle:
                self.wfile.write(reply.body)
                return
            self._trickle(reply.body, reply)

        def _raw(self, reply: Reply) -> bytes:
            lines = [f"HTTP/1.0 {reply.status} Whatever"]
            lines += [f"{name}: {value}" for name, value in reply.headers.items()]
            lines.append(f"Content-Length: {len(reply.body)}")
            return ("\r\n".join(lines) + "\r\n\r\n").encode() + reply.body

        def _trickle(self, data: bytes, reply: Reply) -> None:
            try:
                for start in range(0, len(data), reply.chunk):
                    self.wfile.write(data[start : start + reply.chunk])
                    self.wfile.flush()
                    time.sleep(reply.trickle)
            except OSError:
                return  # the client gave up on us, which is what trickle tests want

        def log_message(self, format: str, *args: object) -> None:
            return

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        scheme = "https" if tls is not None else "http"
        netloc = f"[{host}]" if ":" in host else host
        yield f"{scheme}://{netloc}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
