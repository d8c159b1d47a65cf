"""A loopback TCP proxy in front of a real AMQP broker, whose replies a test can hold back or
slow down: how a broker that is late with its publisher confirms looks to a client."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TcpProxy:
    """Forwards every connection to ``upstream``; ``hold``/``release`` and ``delay`` act on what
    the broker sends back, and ``bodies`` counts the content body frames clients have sent (one
    per small message published)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.delay = 0.0  # seconds each chunk from the server waits before it is passed on
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._held: list[tuple[socket.socket, bytes]] | None = None
        self._bodies = 0
        self._live = 0  # connections whose broker side is still open
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def bodies(self) -> int:
        with self._lock:
            return self._bodies

    def hold(self) -> None:
        """Keep what the server sends from now on until ``release``."""
        with self._lock:
            self._held = []

    def wait_held(self, timeout: float = 10.0) -> None:
        """Block until the broker has sent something that is held back, or until no connection
        is left through the proxy (a client that hung up gets no answer to hold)."""
        with self._lock:
            if not self._changed.wait_for(lambda: bool(self._held) or not self._live, timeout):
                raise TimeoutError(f"the broker sent nothing to hold within {timeout} s")

    def release(self) -> None:
        """Pass on what was held, in order, and forward as usual again."""
        with self._lock:
            for client, data in self._held or []:
                with contextlib.suppress(OSError):
                    client.sendall(data)
            self._held = None

    def wait_bodies(self, more_than: int, timeout: float = 10.0) -> None:
        """Block until clients have sent more than ``more_than`` body frames, each one whole."""
        with self._lock:
            if not self._changed.wait_for(lambda: self._bodies > more_than, timeout):
                raise TimeoutError(f"no body frame past {more_than} within {timeout} s")

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self._upstream)
            with self._lock:
                self._sockets += [client, server]
                self._live += 1
            threading.Thread(target=self._upward, args=(client, server), daemon=True).start()
            threading.Thread(target=self._downward, args=(server, client), daemon=True).start()

    def _upward(self, client: socket.socket, server: socket.socket) -> None:
        frames = bytearray()
        greeted = False  # a client opens with the 8-byte protocol header, then sends frames
        while data := _recv(client):
            with contextlib.suppress(OSError):
                server.sendall(data)
            frames += data
            if not greeted and len(frames) >= _PROTOCOL_HEADER:
                del frames[:_PROTOCOL_HEADER]
                greeted = True
            bodies = _whole_frames(frames, _BODY_FRAME) if greeted else 0
            with self._lock:
                self._bodies += bodies
                self._changed.notify_all()
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_WR)

    def _downward(self, server: socket.socket, client: socket.socket) -> None:
        while data := _recv(server):
            if self.delay:
                time.sleep(self.delay)
            with self._lock:
                if self._held is not None:
                    self._held.append((client, data))
                    self._changed.notify_all()
                    continue
                with contextlib.suppress(OSError):
                    client.sendall(data)
        with contextlib.suppress(OSError):
            client.shutdown(socket.SHUT_WR)
        with self._lock:
            self._live -= 1
            self._changed.notify_all()


_PROTOCOL_HEADER = 8
_BODY_FRAME = 3


def _whole_frames(buffer: bytearray, kind: int) -> int:
    """Remove the complete frames at the head of ``buffer``; how many were of type ``kind``."""
    # A frame: type (1 byte), channel (2), payload size (4), payload, end marker (1).
    found = 0
    while len(buffer) >= 7 and len(buffer) >= 8 + int.from_bytes(buffer[3:7], "big"):
        found += buffer[0] == kind
        del buffer[: 8 + int.from_bytes(buffer[3:7], "big")]
    return found


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


@contextmanager
def tcp_proxy(upstream: tuple[str, int]) -> Iterator[TcpProxy]:
    proxy = TcpProxy(upstream)
    try:
        yield proxy
    finally:
        proxy.close()
