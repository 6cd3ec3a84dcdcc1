"""Where the gazetteer index lives."""
from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "NEWS_ATLAS_GAZETTEER"
REPO_ROOT = Path(__file__).resolve().parents[2]


def default_gazetteer_path() -> Path:
    """``$NEWS_ATLAS_GAZETTEER`` if set, else ``data/gazetteer.sqlite`` in the checkout."""
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else REPO_ROOT / "data" / "gazetteer.sqlite"
