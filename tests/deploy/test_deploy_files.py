"""The deployment files name only commands, modules, queues and paths that exist."""

from __future__ import annotations

import importlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from storywire.settings import Settings
from tasks.options import ALL, QUEUES
from tests.storywire.test_settings_docs import OUTSIDE_SETTINGS
from workers.cli import build_parser
from workers.processes import worker_command

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
        if service.get("entrypoint") or name in ("redis", "rabbitmq"):
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


def _k8s() -> list[dict[str, Any]]:
    return [
        d for d in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "storywire.yaml").read_text()) if d
    ]


def test_k8s_deployments_run_valid_commands_and_one_beat() -> None:
    """Each Deployment's args are a valid storywire command; queues are covered; one beat."""
    served: set[str] = set()
    for doc in _k8s():
        if doc["kind"] != "Deployment":
            continue
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        args = build_parser().parse_args(container["args"])
        if args.command == "worker":
            served.update(args.queues.split(","))
        if args.command == "beat":
            assert doc["spec"]["replicas"] == 1
            assert doc["spec"]["strategy"]["type"] == "Recreate"
    assert served == set(QUEUES)


def test_k8s_autoscalers_watch_real_queues_of_real_deployments() -> None:
    """KEDA scales each worker Deployment on the length of a queue it serves."""
    docs = _k8s()
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    scaled = [d for d in docs if d["kind"] == "ScaledObject"]
    assert scaled
    for obj in scaled:
        target = deployments[obj["spec"]["scaleTargetRef"]["name"]]
        (container,) = target["spec"]["template"]["spec"]["containers"]
        queues = build_parser().parse_args(container["args"]).queues.split(",")
        assert obj["spec"]["triggers"][0]["metadata"]["listName"] in queues


def test_systemd_units_run_valid_commands() -> None:
    """Every unit's ExecStart is the storywire script with a valid command line."""
    units = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
    assert units
    for unit in units:
        (line,) = [x for x in unit.read_text().splitlines() if x.startswith("ExecStart=")]
        program, *argv = line.removeprefix("ExecStart=").split()
        assert program.endswith("/storywire")
        build_parser().parse_args(argv)


def _longest_task(queues: str) -> int:
    """The hard time limit of the slowest task a worker of these queues may be running."""
    return max(o.time_limit for o in ALL if o.queue in queues.split(","))


def test_every_worker_is_given_time_to_finish_its_longest_task_on_sigterm() -> None:
    """The README promises a warm shutdown (the running task finishes). Killed sooner, the
    task's message, acked late, waits in Redis for the visibility timeout (an hour) before it
    runs again."""
    for name, service in _compose()["services"].items():
        if service.get("entrypoint") or name in ("redis", "rabbitmq"):
            continue
        args = build_parser().parse_args(service["command"])
        if args.command == "worker":
            grace = service.get("stop_grace_period", "10s")
            assert grace.endswith("s"), name
            assert int(grace[:-1]) > _longest_task(args.queues), name
    for doc in _k8s():
        if doc["kind"] != "Deployment":
            continue
        spec = doc["spec"]["template"]["spec"]
        args = build_parser().parse_args(spec["containers"][0]["args"])
        if args.command == "worker":
            grace = spec.get("terminationGracePeriodSeconds", 30)
            assert grace > _longest_task(args.queues), doc["metadata"]["name"]
    for unit in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
        text = unit.read_text()
        (line,) = [x for x in text.splitlines() if x.startswith("ExecStart=")]
        args = build_parser().parse_args(line.split()[1:])
        if args.command == "worker":
            stop = re.search(r"^TimeoutStopSec=(\d+)$", text, re.M)
            assert stop is not None, unit
            assert int(stop.group(1)) > _longest_task(args.queues), unit


def test_compose_amqp_profile_publishes_to_its_own_rabbitmq() -> None:
    """`STORYWIRE_SINK=amqp docker compose --profile amqp up` sends events to the rabbitmq
    service: the default AMQP URL (127.0.0.1) is the container itself, where nothing listens."""
    services = _compose()["services"]
    env = services["publish"]["environment"]
    assert env["STORYWIRE_SINK"] == "${STORYWIRE_SINK:-redis}"
    host = urlsplit(env["STORYWIRE_AMQP_URL"]).hostname
    assert host in services
    assert services[host]["image"].startswith("rabbitmq:")
    Settings.from_env({**env, "STORYWIRE_SINK": "amqp"})  # every value has a valid shape


def test_every_deployment_runs_the_exporter() -> None:
    """Alerts (poisoned messages, stuck queues) need /metrics wherever the service runs."""

    def commands() -> Iterator[tuple[str, list[str]]]:
        for name, service in _compose()["services"].items():
            if not service.get("entrypoint") and name not in ("redis", "rabbitmq"):
                yield "compose", service["command"]
        for doc in _k8s():
            if doc["kind"] == "Deployment":
                yield "k8s", doc["spec"]["template"]["spec"]["containers"][0]["args"]
        for unit in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
            (line,) = [x for x in unit.read_text().splitlines() if x.startswith("ExecStart=")]
            yield "systemd", line.split()[1:]

    found = {
        where for where, argv in commands() if build_parser().parse_args(argv).command == "metrics"
    }
    assert found == {"compose", "k8s", "systemd"}


def _deploy_files() -> list[Path]:
    return [
        ROOT / "docker-compose.yml",
        ROOT / "deploy" / "Dockerfile",
        *sorted((ROOT / "deploy" / "k8s").glob("*.yaml")),
        *sorted((ROOT / "deploy" / "systemd").glob("*.service")),
    ]


def test_every_variable_the_deploy_files_name_is_one_the_service_reads() -> None:
    """A misspelt name (STORYWIRE_REDIS_ULR) is ignored without a word: the containers would
    run on the defaults. Every STORYWIRE_* the files set or mention is a real setting."""
    known = {f"STORYWIRE_{f.name.upper()}" for f in fields(Settings)} | set(OUTSIDE_SETTINGS)
    for path in _deploy_files():
        named = set(re.findall(r"STORYWIRE_[A-Z0-9_]+", path.read_text()))
        assert named <= known, f"{path.name}: {sorted(named - known)}"


def test_the_values_the_deploy_files_set_are_valid_settings() -> None:
    """What the k8s ConfigMap, compose's shared environment and the image's ENV set passes
    the check every process makes at start (one line, exit 2, otherwise)."""
    (config,) = [d for d in _k8s() if d["kind"] == "ConfigMap"]
    Settings.from_env(config["data"])
    compose = _compose()["x-storywire"]["environment"]
    Settings.from_env({k: re.sub(r"\$\{\w+:-(.*)\}", r"\1", v) for k, v in compose.items()})
    image = (ROOT / "deploy" / "Dockerfile").read_text()
    Settings.from_env(dict(re.findall(r"\b(STORYWIRE_\w+)=(\S+)", image)))


def test_systemd_units_have_their_working_directory_made_for_them() -> None:
    """systemd fails a unit whose WorkingDirectory does not exist (200/CHDIR): on a fresh host
    the beat, whose schedule lives there, never started. StateDirectory makes it, owned by
    the unit's user."""
    for unit in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
        text = unit.read_text()
        work = re.search(r"^WorkingDirectory=(\S+)$", text, re.M)
        if work is None:
            continue
        state = re.search(r"^StateDirectory=(\S+)$", text, re.M)
        assert state is not None, unit.name
        assert work.group(1) == f"/var/lib/{state.group(1)}", unit.name


def test_k8s_liveness_probes_ping_the_name_the_worker_runs_under() -> None:
    """`celery inspect ping -d NAME` answers only for that node name: a name the worker does
    not take fails the probe, and Kubernetes restarts a healthy worker forever."""
    for doc in _k8s():
        if doc["kind"] != "Deployment":
            continue
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        args = build_parser().parse_args(container["args"])
        if args.command != "worker":
            continue
        command = worker_command(args.queues.split(","), Settings())
        hostname = command[command.index("--hostname") + 1]
        probe = " ".join(container["livenessProbe"]["exec"]["command"])
        assert "-A workers.app inspect ping" in probe
        assert f"-d {hostname.replace('%h', '$HOSTNAME')}" in probe, doc["metadata"]["name"]


def test_k8s_every_process_has_a_liveness_probe_and_the_beats_is_a_real_command() -> None:
    """Every Deployment is probed: the beat had none, so a beat that stopped ticking sent no
    poll again and nothing restarted it. Its probe is `storywire health beat`, a valid
    command with its time to answer."""
    for doc in _k8s():
        if doc["kind"] != "Deployment":
            continue
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        probe = container.get("livenessProbe")
        assert probe, doc["metadata"]["name"]
        if build_parser().parse_args(container["args"]).command == "beat":
            program, *argv = probe["exec"]["command"]
            assert program == "storywire"
            assert build_parser().parse_args(argv).func.__name__ == "cmd_beat"
            assert probe["timeoutSeconds"] >= 10


def test_k8s_exec_probes_end_within_their_timeout() -> None:
    """A `celery inspect ping` against a broker that stops answering waited for good (2 min
    seen, then killed): each probe is bounded by `timeout` below its timeoutSeconds, or is a
    `storywire health` check, whose Redis calls time out in 2 s."""
    for doc in _k8s():
        if doc["kind"] != "Deployment":
            continue
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        probe = container["livenessProbe"]
        if "exec" not in probe:
            continue
        command = probe["exec"]["command"]
        if command[:2] == ["storywire", "health"]:
            continue
        bounded = re.match(r"timeout (?:-k \d+ )?(\d+) celery ", command[-1])
        assert bounded, (doc["metadata"]["name"], command)
        assert int(bounded.group(1)) + 3 <= probe["timeoutSeconds"], doc["metadata"]["name"]


def test_compose_checks_the_health_of_every_storywire_process() -> None:
    """Each worker, the beat and the exporter has a healthcheck, as in k8s: a worker pings
    the node name it runs under, bounded inside the check's timeout; the beat runs
    `storywire health beat`; the exporter asks /readyz on its port."""
    for name, service in _compose()["services"].items():
        if service.get("entrypoint") or name in ("redis", "rabbitmq"):
            continue
        args = build_parser().parse_args(service["command"])
        check = service.get("healthcheck")
        assert check, name
        test = check["test"]
        if args.command == "worker":
            command = worker_command(args.queues.split(","), Settings())
            node = command[command.index("--hostname") + 1].replace("%h", "$$HOSTNAME")
            assert test[0] == "CMD-SHELL"
            bounded = re.match(r"timeout (?:-k \d+ )?(\d+) celery -A workers.app inspect ping ",
                               test[1])  # fmt: skip
            assert bounded, name
            assert test[1].endswith(f"-d {node}"), name
            assert int(bounded.group(1)) + 3 <= int(check["timeout"].rstrip("s")), name
        elif args.command == "beat":
            assert test[0] == "CMD"
            assert build_parser().parse_args(test[2:]).func.__name__ == "cmd_beat"
        else:
            assert args.command == "metrics"
            assert "http://127.0.0.1:9464/readyz" in test[-1], name
