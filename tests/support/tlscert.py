"""Throwaway certificates for HTTPS tests, made with the openssl command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def throwaway_cert(directory: Path, name: str = "feed.invalid") -> tuple[str, str]:
    """A self-signed certificate for ``name`` and its key, as PEM files in ``directory``; the
    test is skipped where there is no openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a test certificate")
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return str(cert), str(key)
