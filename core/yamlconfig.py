"""Load YAML into pydantic models with errors that name file, line and field.

Operators write config by hand; an error that says only "validation failed"
sends them hunting.  We keep the line of every mapping key and sequence item
while parsing, then translate pydantic's error locations back to lines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

_ENV_RE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")  # $$ is a literal $


@dataclass
class ConfigIssue:
    """One problem in one config file."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


class ConfigError(ValueError):
    """A config file could not be read or validated; carries every issue found."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records where each key and item starts, and refuses aliases.

    Nine nested aliases expand a few hundred bytes into gigabytes (the
    "billion laughs"); hand-written config has no need for them.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"YAML aliases (*{event.anchor}) are not allowed in config files; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    lines: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in lines:
            # PyYAML keeps the last value silently; an operator editing one of two copies would see no effect.
            raise yaml.constructor.ConstructorError(
                f"while reading the mapping starting on line {node.start_mark.line + 1}",
                node.start_mark,
                f"duplicate key {key!r} (first on line {lines[key]})",
                key_node.start_mark,
            )
        lines[key] = key_node.start_mark.line + 1
    return _Located(mapping, lines, node.start_mark.line + 1)


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list:
    items = yaml.SafeLoader.construct_sequence(loader, node, deep=True)
    return _LocatedList(items, [n.start_mark.line + 1 for n in node.value], node.start_mark.line + 1)


class _Located(dict):
    def __init__(self, data: dict, lines: dict, line: int):
        super().__init__(data)
        self.key_lines = lines
        self.line = line


class _LocatedList(list):
    def __init__(self, data: list, lines: list[int], line: int):
        super().__init__(data)
        self.item_lines = lines
        self.line = line


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


EnvFields = Collection[tuple[str, ...]]


def _expand_str(value: str) -> str:
    return _ENV_RE.sub(lambda m: "$" if m.group(0) == "$$" else os.environ.get(m.group(1), m.group(2) or ""), value)


def _expand_env(value: Any, fields: EnvFields, path: tuple[str, ...] = ()) -> Any:
    """Expand ``${VAR}`` / ``${VAR:-default}`` only at the paths in ``fields`` (``*`` matches any key or item).

    Config values are data, not templates: a title or selector copied from a
    crawled page may contain ``${RADAR_SECRET_KEY}``, and expanding it would
    publish the secret.  Only fields that carry secrets or deployment
    addresses (cookies, headers, start URLs) are marked for expansion.
    """
    if isinstance(value, str):
        return _expand_str(value) if any(_matches(path, f) for f in fields) else value
    if isinstance(value, dict):
        return {k: _expand_env(v, fields, (*path, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, fields, (*path, "*")) for v in value]
    return value


def _matches(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(p == q or q == "*" for p, q in zip(path, pattern))


def _line_for(tree: Any, loc: tuple) -> int | None:
    """Walk the parsed tree along a pydantic error location; return the deepest known line."""
    line = getattr(tree, "line", None)
    node = tree
    for part in loc:
        if isinstance(node, _Located) and part in node.key_lines:
            line = node.key_lines[part]
            node = node[part]
        elif isinstance(node, _LocatedList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_yaml(text: str, path: str) -> Any:
    """Parse YAML text keeping line information; YAML syntax errors become ConfigError."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError([ConfigIssue(path, line, "(syntax)", str(exc.problem or exc))]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigIssue(path, None, "(syntax)", str(exc))]) from exc


def validate_tree(tree: Any, model: type[M], path: str, *, expand_env: EnvFields = ()) -> M:
    """Validate an already parsed tree; ``${VAR}`` is expanded only in the fields ``expand_env`` lists."""
    if not isinstance(tree, dict):
        raise ConfigError([ConfigIssue(path, getattr(tree, "line", None), "(root)", "expected a mapping of fields")])
    data = _plain(tree)
    if expand_env:
        data = _expand_env(data, expand_env)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(p) for p in loc) or "(root)"
            issues.append(ConfigIssue(path, _line_for(tree, loc), field, err["msg"]))
        raise ConfigError(issues) from exc


def load_model(path: str | Path, model: type[M], *, expand_env: EnvFields | bool = ()) -> M:
    """Read ``path`` and validate it as ``model``; every failure names file, line and field."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(str(p), None, "(file)", str(exc))]) from exc
    fields = () if isinstance(expand_env, bool) else expand_env  # False (older callers): nowhere
    return validate_tree(parse_yaml(text, str(p)), model, str(p), expand_env=fields)


def regular_expressions(patterns: list[str]) -> list[str]:
    """A pydantic validator's body for a list of regexes in our own rule files: each must compile.

    The message names the pattern, and the loader adds file, line and field.
    """
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {p!r} ({exc})") from exc
    return patterns
