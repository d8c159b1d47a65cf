"""``STORYWIRE_REDIS_URL=rediss://…``: the broker's connection checks the server's certificate
as the service's own does (a real redis-server with TLS, a throwaway CA)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from storywire.adapters.embedded_redis import free_port, redis_server_binary

ROOT = Path(__file__).resolve().parents[2]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """A redis-server answering TLS alone on a free port, and its CA's certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make certificates")
    where = tmp_path_factory.mktemp("tls")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.crt", "-days", "2", "-subj", "/CN=storywire test CA", cwd=where)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
             "server.csr", "-subj", "/CN=127.0.0.1", cwd=where)  # fmt: skip
    (where / "ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "ext", cwd=where)  # fmt: skip
    port = free_port()
    command = [redis_server_binary(), "--port", "0", "--tls-port", str(port),
               "--bind", "127.0.0.1", "--tls-cert-file", "server.crt",
               "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.crt",
               "--tls-auth-clients", "no", "--save", "", "--appendonly", "no"]  # fmt: skip
    server = subprocess.Popen(command, cwd=where, stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        if server.poll() is not None:
            pytest.skip("this redis-server has no TLS")
        client = redis.Redis(host="127.0.0.1", port=port, ssl=True,
                             ssl_ca_certs=str(where / "ca.crt"))  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        client.close()
        yield port, where / "ca.crt"
    finally:
        server.terminate()
        server.wait()


def _send(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STORYWIRE_REDIS_URL": url, "PYTHONPATH": str(ROOT)}
    code = (
        "from workers.app import app\n"
        "app.conf.broker_connection_max_retries = 0\n"
        "app.send_task('storywire.publish', retry=False)\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip


@pytest.mark.timeout(120)
def test_the_broker_refuses_a_server_whose_certificate_it_cannot_check(
    tls_redis: tuple[int, Path],
) -> None:
    """With a bare ``rediss://`` URL redis-py checks the certificate (the operator commands
    refused this server: "certificate verify failed"), but Celery's broker connection took
    it unchecked ("defaulting to insecure SSL behaviour"): every task message, to anyone in
    the middle."""
    port, _ = tls_redis
    done = _send(f"rediss://127.0.0.1:{port}/1")
    assert done.returncode != 0
    assert "certificate verify failed" in done.stderr


@pytest.mark.timeout(120)
def test_the_broker_takes_a_server_whose_certificate_its_ca_signed(
    tls_redis: tuple[int, Path],
) -> None:
    port, ca = tls_redis
    done = _send(f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={ca}")
    assert done.returncode == 0, done.stderr
    client = redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=str(ca))
    assert client.llen("publish") == 1
    client.close()
