"""Shared helpers for the deployment tests: the repository's Dockerfile, compose file and the `radar` CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
RADAR = Path(sys.executable).parent / "radar"  # the console script of this venv, as the image installs it


def stages(parser: DockerfileParser) -> list[list[dict[str, str]]]:
    """Instructions grouped by build stage (each FROM starts one); comments dropped."""
    out: list[list[dict[str, str]]] = []
    for ins in parser.structure:
        if ins["instruction"] == "COMMENT":
            continue
        if ins["instruction"] == "FROM":
            out.append([])
        if out:
            out[-1].append(ins)
    return out


def dockerfile() -> DockerfileParser:
    return DockerfileParser(str(DOCKERFILE))


def healthcheck_command(parser: DockerfileParser) -> list[str]:
    """The final stage's HEALTHCHECK as the argv Docker runs: shell form goes through /bin/sh -c."""
    final = stages(parser)[-1]
    checks = [i["value"] for i in final if i["instruction"] == "HEALTHCHECK"]
    assert len(checks) == 1, "the runtime stage needs exactly one HEALTHCHECK"
    m = re.match(r"^(?:--[\w-]+=\S+\s+)*CMD\s+(.+)$", checks[0], re.S)
    assert m, f"HEALTHCHECK without CMD: {checks[0]!r}"
    cmd = m.group(1).strip()
    if cmd.startswith("["):
        import json

        return list(json.loads(cmd))
    return ["/bin/sh", "-c", cmd]


def radar_command_works(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``radar <sub-command…> --help``: proves a container command names a real CLI command."""
    assert argv and argv[0] == "radar", f"not a radar command: {argv}"
    return subprocess.run([str(RADAR), *argv[1:], "--help"], capture_output=True, text=True, timeout=60)


def known_env_names() -> set[str]:
    """Every environment variable the code reads: Settings and WebConfig aliases, CLI envvars, core.paths."""
    from radar.cli import app
    from core.settings import Settings
    from web.security import WebConfig

    names: set[str] = set()
    for model in (Settings, WebConfig):
        names |= {str(f.validation_alias) for f in model.model_fields.values() if f.validation_alias}

    def walk(cmd: Any) -> None:  # typer vendors its own click, so duck-type the command tree
        for p in cmd.params:
            envvar = getattr(p, "envvar", None)
            if isinstance(envvar, str):
                names.add(envvar)
            elif envvar:
                names.update(envvar)
        for sub in (getattr(cmd, "commands", None) or {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    names |= set(re.findall(r"os\.environ\.get\(\"(\w+)\"", (ROOT / "core" / "paths.py").read_text(encoding="utf-8")))
    return names
