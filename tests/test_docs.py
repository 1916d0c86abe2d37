"""The README stays true to the code: every setting, every command and the example source are there and right."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from pydantic import AliasChoices
from typer.main import get_command

from core.paths import REPO_ROOT
from core.settings import Settings
from core.sources import load_source
from radar.cli import app

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else None]


def _variables(field_alias: object) -> list[str]:
    if isinstance(field_alias, str):
        return [field_alias]
    if isinstance(field_alias, AliasChoices):
        return [c for c in field_alias.choices if isinstance(c, str)]
    return []


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield path
        return
    for name, sub in subcommands.items():
        if not sub.hidden:
            yield from _commands(sub, (*path, name))


def test_every_setting_is_in_the_environment_table() -> None:
    table = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", _section("Configuration (environment variables)")))
    missing = [
        f"{name} ({' / '.join(_variables(f.validation_alias)) or 'no variable'})"
        for name, f in Settings.model_fields.items()
        if not set(_variables(f.validation_alias)) & table
    ]
    assert not missing, f"add these to the README's environment table: {missing}"


COMMANDS = sorted(_commands(get_command(app)))


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_cli_command_is_in_the_cli_table(command: tuple[str, ...]) -> None:
    cells = [m.replace("\\|", "|") for m in re.findall(r"^\| `([^`]+)`", _section("CLI"), re.MULTILINE)]
    cells += [m.replace("\\|", "|") for m in re.findall(r" / `(radar [^`]+)`", _section("CLI"))]
    head, *rest = command
    documented = False
    for cell in cells:
        words = cell.split()
        if words[:2] != ["radar", head]:
            continue
        if not rest:
            documented = True
        else:
            alternatives = " ".join(words[2:]).split("|")
            documented = documented or rest[0] in [a.split()[0] for a in alternatives if a.split()]
    assert documented, f"`radar {' '.join(command)}` is missing from the README's CLI table"


def test_the_command_list_is_not_empty() -> None:
    assert ("crawl",) in COMMANDS and ("db", "upgrade") in COMMANDS


def test_the_readme_example_source_validates(tmp_path: Path) -> None:
    block = re.search(r"```yaml\n(.*?)```", _section("Adding a source"), re.DOTALL)
    assert block, "the README's 'Adding a source' section shows an example YAML"
    name = re.search(r"^name:\s*([a-z0-9_-]+)", block.group(1), re.MULTILINE)
    assert name
    path = tmp_path / f"{name.group(1)}.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    source = load_source(path)
    assert source.pagination.type == "template" and source.start_urls


def test_every_module_docs_architecture_names_exists() -> None:
    """docs/architecture.md walks the tree; a moved or renamed module must move there too."""
    text = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b((?:core|storage|pipeline|spiders|alerts|crawl|workers|web|radar|demo)/[\w/]+\.py)\b", text))
    assert len(named) > 20, "the architecture walk names the modules it describes"
    missing = sorted(p for p in named if not (REPO_ROOT / p).is_file())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_module_of_a_crawl_is_in_the_architecture_walk() -> None:
    text = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(
        str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "crawl").rglob("*.py") if p.parent.name != "crawl" or p.name != "__init__.py"
    )
    assert [m for m in modules if m not in text] == []
