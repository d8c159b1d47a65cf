"""A loopback TCP proxy in front of a real server (the broker), whose replies a test can hold
back or slow down: how a broker that is late with its publisher confirms looks to a client."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TcpProxy:
    """Forwards every connection to ``upstream``; ``hold``/``release`` and ``delay`` act on what
    the server sends back, and ``sent`` counts the bytes clients have sent through."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.delay = 0.0  # seconds each chunk from the server waits before it is passed on
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._held: list[tuple[socket.socket, bytes]] | None = None
        self._sent = 0
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def sent(self) -> int:
        with self._lock:
            return self._sent

    def hold(self) -> None:
        """Keep what the server sends from now on until ``release``."""
        with self._lock:
            self._held = []

    def release(self) -> None:
        """Pass on what was held, in order, and forward as usual again."""
        with self._lock:
            for client, data in self._held or []:
                with contextlib.suppress(OSError):
                    client.sendall(data)
            self._held = None

    def wait_sent(self, more_than: int, timeout: float = 10.0) -> None:
        """Block until clients have sent more than ``more_than`` bytes in all."""
        with self._lock:
            if not self._changed.wait_for(lambda: self._sent > more_than, timeout):
                raise TimeoutError(f"no client bytes past {more_than} within {timeout} s")

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
            threading.Thread(target=self._upward, args=(client, server), daemon=True).start()
            threading.Thread(target=self._downward, args=(server, client), daemon=True).start()

    def _upward(self, client: socket.socket, server: socket.socket) -> None:
        while data := _recv(client):
            with contextlib.suppress(OSError):
                server.sendall(data)
            with self._lock:
                self._sent += len(data)
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
                    continue
                with contextlib.suppress(OSError):
                    client.sendall(data)
        with contextlib.suppress(OSError):
            client.shutdown(socket.SHUT_WR)


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
