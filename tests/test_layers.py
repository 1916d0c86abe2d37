"""The packages form layers and every import points down (docs/architecture.md draws them).

The contract lives in pyproject.toml ([tool.importlinter]) and is checked by
import-linter, which reads every import statement, including lazy ones inside
functions and those under ``if TYPE_CHECKING:``.  No exceptions are listed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from core.paths import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACT = PYPROJECT["tool"]["importlinter"]
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent))


def _lint(cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    assert LINT_IMPORTS, "import-linter is in the test extra"
    return subprocess.run([LINT_IMPORTS, "--config", str(config), "--no-cache"], cwd=cwd, capture_output=True, text=True)


def test_every_import_points_down() -> None:
    result = _lint(REPO_ROOT, REPO_ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_is_in_a_layer_and_no_import_is_excused() -> None:
    top_level = {p.split(".")[0] for p in PYPROJECT["tool"]["setuptools"]["packages"]}
    layered = {name.strip() for layer in CONTRACT["contracts"][0]["layers"] for name in layer.split("|")}
    assert top_level == set(CONTRACT["root_packages"]) == layered
    assert all("ignore_imports" not in c and "unmatched_ignore_imports_alerting" not in c for c in CONTRACT["contracts"])


@pytest.mark.parametrize("where", ["top", "lazy", "type_checking"])
def test_an_upward_import_breaks_the_contract_wherever_it_hides(tmp_path: Path, where: str) -> None:
    """A copy of the layer names with one planted upward import (core → radar) must fail the same contract."""
    for name in CONTRACT["root_packages"]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    planted = {
        "top": "import radar\n",
        "lazy": "def later() -> None:\n    import radar  # noqa: F401\n",
        "type_checking": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import radar\n",
    }[where]
    (tmp_path / "core" / "leak.py").write_text(planted)
    config = tmp_path / "pyproject.toml"
    config.write_text((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = _lint(tmp_path, config)
    assert result.returncode != 0 and "core.leak -> radar" in result.stdout, result.stdout + result.stderr
