"""Where the repository's data files live, independent of the working directory."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = Path(os.environ.get("RADAR_CONFIG_DIR", REPO_ROOT / "config"))
DEMO_DIR = Path(os.environ.get("RADAR_DEMO_DIR", REPO_ROOT / "demo"))
