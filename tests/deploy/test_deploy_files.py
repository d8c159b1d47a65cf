"""The deployment files name only commands, modules, queues and paths that exist."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from tasks.options import QUEUES
from workers.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(doc, dict)
    return doc


def test_compose_runs_one_worker_per_queue_and_one_beat() -> None:
    """Every queue has a worker service, and exactly one beat is declared."""
    services = _compose()["services"]
    served: set[str] = set()
    beats = 0
    for name, service in services.items():
        command = service.get("command") or []
        if service.get("entrypoint") or name == "redis":
            continue
        args = build_parser().parse_args(command)  # a typo would exit here
        if args.command == "worker":
            served.update(args.queues.split(","))
        beats += args.command == "beat"
    assert served == set(QUEUES)
    assert beats == 1
    assert services["beat"]["deploy"]["replicas"] == 1


def test_compose_flower_names_the_real_celery_app() -> None:
    """Flower's ``-A`` points at an importable module holding the Celery app."""
    entry = _compose()["services"]["flower"]["entrypoint"]
    module = entry[entry.index("-A") + 1]
    assert hasattr(importlib.import_module(module), "app")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(dep.startswith("flower") for dep in extras["deploy"])


def test_dockerfile_copies_paths_that_exist_and_runs_the_cli() -> None:
    """COPY sources exist in the repo, and ENTRYPOINT/CMD form a valid storywire command."""
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    for line in text.splitlines():
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), src
    assert 'ENTRYPOINT ["storywire"]' in text
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd is not None
    build_parser().parse_args(yaml.safe_load(cmd.group(1)))
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, func = scripts["storywire"].split(":")
    assert callable(getattr(importlib.import_module(module), func))
