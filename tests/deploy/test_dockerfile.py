"""The Dockerfile, read as a specification: slim multi-stage build, non-root, CJK font, a working HEALTHCHECK.

No Docker daemon runs here, so the image is not built; instead every promise
the Dockerfile makes is checked against the repository (what it copies
exists and is not ignored, its commands are real `radar` commands) and its
HEALTHCHECK command is run, verbatim, against a real `radar serve`.
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import socket
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from deployfiles import RADAR, ROOT, dockerfile, healthcheck_command, radar_command_works, stages

COMPILERS = ("gcc", "g++", "build-essential", "make")


def _apt_installs(stage: list[dict[str, str]]) -> set[str]:
    """Package names passed to apt-get install in a stage's RUN lines (options and shell syntax dropped)."""
    pkgs: set[str] = set()
    for ins in stage:
        if ins["instruction"] != "RUN":
            continue
        for segment in ins["value"].split("&&"):
            words = shlex.split(segment.replace(";", " ; "), posix=True)
            if "apt-get" in words and "install" in words:
                after = words[words.index("install") + 1 :]
                pkgs |= {w for w in after if not w.startswith("-") and w not in (";", "fi", "then")}
    return pkgs


def test_is_multi_stage_with_a_slim_runtime() -> None:
    parsed = stages(dockerfile())
    assert len(parsed) >= 2, "a builder stage and a runtime stage"
    assert parsed[-1][0]["value"].split()[0] == "python:3.11-slim"
    final_text = " ".join(i["value"] for i in parsed[-1])
    assert "from=build" in final_text, "the runtime stage takes its Python packages from the build stage"
    runtime_pkgs = _apt_installs(parsed[-1])
    assert not {p for p in runtime_pkgs if p in COMPILERS or p.endswith("-dev")}, f"build tools in the runtime image: {runtime_pkgs}"


def test_runs_as_a_non_root_user_created_in_the_image() -> None:
    final = stages(dockerfile())[-1]
    users = [i["value"].strip() for i in final if i["instruction"] == "USER"]
    assert users, "no USER: the service would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    creates = " ".join(i["value"] for i in final if i["instruction"] == "RUN")
    assert "useradd" in creates and user in creates, f"USER {user} is never created"


def test_the_runtime_image_needs_no_font_package() -> None:
    """The digest's chart is an HTML table drawn by the reader's mail client: the image carries no fonts for it."""
    import alerts.chart

    assert not {p for p in _apt_installs(stages(dockerfile())[-1]) if p.startswith(("fonts-", "fontconfig"))}
    assert "ImageFont" not in Path(alerts.chart.__file__).read_text(encoding="utf-8")


def test_copies_every_package_and_nothing_the_dockerignore_drops() -> None:
    build = stages(dockerfile())[0]
    sources = [w for i in build if i["instruction"] == "COPY" for w in i["value"].split()[:-1] if not w.startswith("--")]
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    missing = {p.split(".")[0] for p in packages} - set(sources)
    assert not missing, f"pip wheel . would fail: packages not copied into the build stage: {missing}"
    ignored = [
        ln.strip() for ln in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")
    ]
    all_copied = [
        w
        for st in stages(dockerfile())
        for i in st
        if i["instruction"] == "COPY" and "--from" not in i["value"]
        for w in i["value"].split()[:-1]
    ]
    for src in all_copied:
        assert (ROOT / src).exists(), f"COPY {src}: not in the repository"
        assert not any(fnmatch.fnmatch(src, pat) for pat in ignored), f"COPY {src} but .dockerignore excludes it"


def test_default_command_is_a_real_radar_command() -> None:
    import json

    cmd = [i["value"] for i in stages(dockerfile())[-1] if i["instruction"] == "CMD"][-1]
    argv = json.loads(cmd)
    assert argv[:2] == ["radar", "serve"]
    result = radar_command_works(argv)
    assert result.returncode == 0, result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_check(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)


def test_healthcheck_command_passes_against_radar_serve_and_fails_without_it(tmp_path: Path) -> None:
    """The exact HEALTHCHECK string from the Dockerfile, run by /bin/sh as Docker does, against `radar serve`."""
    check = healthcheck_command(dockerfile())
    port = _free_port()
    (tmp_path / "sources").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SMTP_URL")}
    env.update(
        PATH=f"{RADAR.parent}{os.pathsep}{env.get('PATH', '')}",  # the image puts its venv first on PATH too
        RADAR_WEB_HOST="127.0.0.1",
        RADAR_WEB_PORT=str(port),
        RADAR_DATA_DIR=str(tmp_path / "data"),
        RADAR_SOURCES_DIR=str(tmp_path / "sources"),
    )
    before = _run_check(check, env)
    assert before.returncode != 0, "the check passed with nothing listening: it cannot detect a dead service"
    server = subprocess.Popen([str(RADAR), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 40
        result = _run_check(check, env)
        while result.returncode != 0 and time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"radar serve exited with {server.returncode}: {server.stderr.read() if server.stderr else ''}")
            time.sleep(0.5)
            result = _run_check(check, env)
        assert result.returncode == 0, f"healthcheck never passed: {result.stderr}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    after = _run_check(check, env)
    assert after.returncode != 0, "the check still passes after the service stopped"
