"""Sign in: editors of a read-only dashboard sign in here (and out)."""
from __future__ import annotations

import dashboard_ui as ui

ui.require_router()
ui.sign_in_page()
