"""compose.yaml, read as a specification of the deployment.

Validated against the compose spec by the real tool (the `docker compose`
plugin, else Debian's `docker-compose` 1.29, which needs no daemon for
`config`), then checked for what the spec cannot know: the commands are real
`radar` commands, the environment names are ones the code reads, every
dependency waits for a health check that exists, and workers can be scaled.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from deployfiles import COMPOSE, ROOT, dockerfile, healthcheck_command, known_env_names, radar_command_works, stages

SECRETS = {"POSTGRES_PASSWORD": "test-pg-password", "RADAR_SECRET_KEY": "test-secret-key"}


def _compose_cli() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def _config(extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither the `docker compose` plugin nor `docker-compose` is installed (.ci/run apt-installs docker-compose)")
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env.update(extra_env)
    return subprocess.run([*cli, "-f", str(COMPOSE), "config", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def _file() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # merge keys (<<: *anchor) resolved


def _radar_services() -> dict[str, dict[str, Any]]:
    """The services running this repository's image (the others are stock images)."""
    return {name: svc for name, svc in _file()["services"].items() if "build" in svc}


def test_compose_file_is_valid_for_the_compose_tool() -> None:
    result = _config(SECRETS, "-q")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_render_without_the_secrets() -> None:
    """Secrets come from the environment/.env; a missing one must stop `up`, not start with a default."""
    for missing in SECRETS:
        result = _config({k: v for k, v in SECRETS.items() if k != missing}, "-q")
        assert result.returncode != 0
        assert missing in result.stderr


def test_rendered_app_environment_is_accepted_by_settings() -> None:
    result = _config(SECRETS)
    assert result.returncode == 0, result.stderr
    env = yaml.safe_load(result.stdout)["services"]["app"]["environment"]
    from core.settings import Settings

    settings = Settings.model_validate({k: v for k, v in env.items() if v != ""})
    assert settings.db_url == f"postgresql+psycopg://radar:{SECRETS['POSTGRES_PASSWORD']}@postgres:5432/radar"
    assert settings.secret_key == SECRETS["RADAR_SECRET_KEY"]


def _one_shot(svc: dict[str, Any]) -> bool:
    return str(svc.get("restart", "")) == "no"


def test_every_service_has_an_image_and_a_health_check() -> None:
    """Long-running services are checked (their own check, or the Dockerfile's); one-shot jobs are not."""
    services = _file()["services"]
    assert {"migrate", "app", "worker", "postgres", "redis", "mailpit"} <= set(services)
    for name, svc in services.items():
        assert "image" in svc or "build" in svc, f"{name}: neither image nor build"
        check = svc.get("healthcheck")
        if _one_shot(svc):
            continue
        assert not (check or {}).get("disable"), f"{name} runs for good but has its health check disabled"
        if check:
            assert check.get("test"), f"{name}: empty healthcheck"
        else:
            assert svc.get("build") == ".", f"{name}: no healthcheck, and not our image whose Dockerfile has one"
            assert healthcheck_command(dockerfile())


def test_dependencies_wait_for_health_and_the_targets_have_checks() -> None:
    services = _file()["services"]
    for name, svc in _radar_services().items():
        deps = svc.get("depends_on") or {}
        assert isinstance(deps, dict), f"{name}: depends_on must name conditions"
        assert "postgres" in deps, f"{name} must wait for the database"
        if not _one_shot(svc):
            assert "redis" in deps, f"{name} must wait for the broker"
        for dep, rule in deps.items():
            assert rule.get("condition") in ("service_healthy", "service_completed_successfully"), f"{name} → {dep}: {rule}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep} to be healthy, but {dep} has no healthcheck"
            else:
                assert _one_shot(services[dep]), f"{name} waits for {dep} to finish, but {dep} restarts"
    for name in ("app", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", "schema first"


def test_container_commands_are_real_radar_commands() -> None:
    services = _radar_services()
    assert services["app"]["command"][:2] == ["radar", "serve"]
    assert services["worker"]["command"][:2] == ["radar", "worker"]
    assert services["migrate"]["command"][:3] == ["radar", "db", "upgrade"]
    for name, svc in services.items():
        result = radar_command_works(list(svc["command"]))
        assert result.returncode == 0, f"{name}: `{' '.join(svc['command'])} --help` failed: {result.stderr}"


def test_environment_names_are_ones_the_code_reads() -> None:
    known = known_env_names()
    for name, svc in _radar_services().items():
        unknown = set(svc["environment"]) - known
        assert not unknown, f"{name} sets variables nothing reads (typo, or a setting that does not exist yet): {sorted(unknown)}"


def test_service_urls_point_at_the_compose_services() -> None:
    services = _file()["services"]
    env = services["app"]["environment"]
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert urlsplit(re.sub(r"\$\{[^}]*\}", "x", env["DATABASE_URL"])).hostname == "postgres"  # ${VAR} → a placeholder
    assert urlsplit(env["RADAR_BROKER_URL"]).hostname == "redis"
    assert env["RADAR_EXECUTOR"] == "celery"
    assert env["SMTP_URL"] == "smtp://mailpit:1025"
    assert any(str(p).endswith(":8025") for p in services["mailpit"]["ports"]), "Mailpit's web UI must be reachable"
    for name in ("postgres", "redis", "mailpit"):
        assert name in services


def test_volumes_are_declared_and_the_archive_is_shared() -> None:
    data = _file()
    declared = set(data.get("volumes") or {})
    archive_path = urlsplit(data["services"]["app"]["environment"]["RADAR_ARCHIVE_URL"]).path
    for name, svc in data["services"].items():
        for vol in svc.get("volumes", []):
            source = vol.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses volume {source!r}, not declared at the top level"
    writers = {name: svc for name, svc in _radar_services().items() if not _one_shot(svc)}
    assert {"app", "worker"} <= set(writers)
    for name, svc in writers.items():
        mounts = {v.split(":")[1]: v.split(":")[0] for v in svc["volumes"]}
        assert archive_path in mounts, f"{name} does not mount the archive at {archive_path}"
    sources = {v.split(":")[0] for svc in writers.values() for v in svc["volumes"] if v.split(":")[1] == archive_path}
    assert len(sources) == 1, "app and workers must share one archive volume"
    # A fresh named volume takes the owner of its mount point in the image; the service runs as a non-root user.
    chowned = " ".join(i["value"] for i in stages(dockerfile())[-1] if i["instruction"] == "RUN" and "chown" in i["value"])
    for name, svc in writers.items():
        for vol in svc["volumes"]:
            target = vol.split(":")[1]
            assert target in chowned.split(), f"{name} mounts {target}, which the image does not create for its user"
    assert "pgdata" in declared and any(v.startswith("pgdata:") for v in data["services"]["postgres"]["volumes"])


def test_workers_can_be_scaled() -> None:
    """`docker compose up --scale worker=3` fails on a fixed container name or a published host port."""
    worker = _file()["services"]["worker"]
    assert "container_name" not in worker
    assert not worker.get("ports")
