"""Run a ``storywire`` command into a reader that stops after a few bytes (``| head``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def into_a_reader_that_stops(argv: list[str], env: dict[str, str] | None = None) -> str:
    """The command's stderr, once it has ended with exit 0 (anything else fails the test)."""
    script = f"import sys; from workers.cli import main; sys.exit(main({argv!r}))"
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    return stderr
